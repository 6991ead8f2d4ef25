/**
 * open(2), openat(2), creat(2): every flag the core accepts and every errno that applies,
 * as open(2) describes them and as Linux 6.18 on tmpfs answers them (checked with C probes
 * on /dev/shm where the man page leaves room).
 */
import { describe, test, expect } from 'vitest';
import {
  Imfs,
  O_RDONLY, O_WRONLY, O_RDWR, O_ACCMODE, O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_DIRECTORY, O_NOFOLLOW,
  O_CLOEXEC, O_NONBLOCK, O_PATH, O_TMPFILE, __O_TMPFILE, O_NOATIME, O_SYNC, O_DSYNC, O_LARGEFILE,
  AT_FDCWD, AT_EMPTY_PATH, F_GETFL, F_GETFD, FD_CLOEXEC, S_IFMT, S_IFREG, S_IFLNK, S_IFDIR, S_IFCHR,
  S_ISUID, S_ISGID, SEEK_END, SEEK_CUR,
} from '../../src/core/index.js';
import { T0, r as E, enc, clockedSetup, lstatOf, fstatOf } from '../helpers/conformance.js';

/** Cage 1: an unprivileged user (uid/gid 1000, umask 022). */
function user(fs: Imfs, id = 1, uid = 1000): number {
  expect(fs.createCage(id, { uid, gid: uid })).toBe(0);
  return id;
}
/** Unlike the shared put, truncates an existing file. */
function put(fs: Imfs, path: string, data = '', mode = 0o644): void {
  const fd = fs.open(0, path, O_CREAT | O_WRONLY | O_TRUNC, mode);
  expect(fd).toBeGreaterThanOrEqual(0);
  if (data.length > 0) expect(fs.write(0, fd, enc(data))).toBe(data.length);
  expect(fs.close(0, fd)).toBe(0);
}
function content(fs: Imfs, path: string): string {
  const fd = fs.open(0, path, O_RDONLY);
  expect(fd).toBeGreaterThanOrEqual(0);
  const buf = new Uint8Array(4096);
  const n = fs.read(0, fd, buf);
  fs.close(0, fd);
  return new TextDecoder().decode(buf.subarray(0, n));
}

describe('descriptors', () => {
  test('the first descriptor of a cage is 3, then the lowest free one', () => {
    const { fs } = clockedSetup();
    put(fs, '/f');
    expect(fs.open(0, '/f', O_RDONLY)).toBe(3);
    expect(fs.open(0, '/f', O_RDONLY)).toBe(4);
    expect(fs.open(0, '/f', O_RDONLY)).toBe(5);
    expect(fs.close(0, 4)).toBe(0);
    expect(fs.open(0, '/f', O_RDONLY)).toBe(4);
    expect(fs.open(0, '/f', O_RDONLY)).toBe(6);
  });

  test('EMFILE once the descriptor limit is reached; it comes before the path is looked at', () => {
    const { fs } = clockedSetup({ maxFds: 6 });
    put(fs, '/f');
    expect([fs.open(0, '/f', O_RDONLY), fs.open(0, '/f', O_RDONLY), fs.open(0, '/f', O_RDONLY)]).toEqual([3, 4, 5]);
    expect(E(fs.open(0, '/f', O_RDONLY))).toBe('EMFILE');
    expect(E(fs.open(0, '/missing', O_RDONLY))).toBe('EMFILE');
    expect(E(fs.open(0, '/new', O_CREAT | O_RDWR, 0o644))).toBe('EMFILE');
    expect(fs.exists(0, '/new')).toBe(false);
    expect(fs.close(0, 4)).toBe(0);
    expect(fs.open(0, '/f', O_RDONLY)).toBe(4);
  });

  test('each cage has its own descriptor numbers', () => {
    const { fs } = clockedSetup();
    put(fs, '/f');
    user(fs);
    expect(fs.open(0, '/f', O_RDONLY)).toBe(3);
    expect(fs.open(0, '/f', O_RDONLY)).toBe(4);
    expect(fs.open(1, '/f', O_RDONLY)).toBe(3);
  });
});

describe('access modes', () => {
  test('O_RDONLY reads and refuses writes; O_WRONLY the other way; O_RDWR both', () => {
    const { fs } = clockedSetup();
    put(fs, '/f', 'abc');
    const b = new Uint8Array(8);
    const r = fs.open(0, '/f', O_RDONLY), w = fs.open(0, '/f', O_WRONLY), rw = fs.open(0, '/f', O_RDWR);
    expect(fs.read(0, r, b)).toBe(3);
    expect(E(fs.write(0, r, enc('x')))).toBe('EBADF');
    expect(E(fs.read(0, w, b))).toBe('EBADF');
    expect(fs.write(0, w, enc('x'))).toBe(1);
    expect(fs.read(0, rw, b)).toBe(3);
    expect(fs.write(0, rw, enc('y'))).toBe(1);
    expect(fs.fcntl(0, r, F_GETFL) & O_ACCMODE).toBe(O_RDONLY);
    expect(fs.fcntl(0, w, F_GETFL) & O_ACCMODE).toBe(O_WRONLY);
    expect(fs.fcntl(0, rw, F_GETFL) & O_ACCMODE).toBe(O_RDWR);
  });

  test('access mode 3 needs read and write permission and then allows neither', () => {
    const { fs } = clockedSetup();
    put(fs, '/f', 'abc');
    put(fs, '/ro', 'abc', 0o444);
    expect(fs.chmod(0, '/f', 0o666)).toBe(0);
    const u = user(fs);
    const fd = fs.open(u, '/f', O_ACCMODE);
    expect(fd).toBe(3);
    expect(fs.fcntl(u, fd, F_GETFL) & O_ACCMODE).toBe(O_ACCMODE);
    expect(E(fs.read(u, fd, new Uint8Array(4)))).toBe('EBADF');
    expect(E(fs.write(u, fd, enc('x')))).toBe('EBADF');
    expect(E(fs.open(u, '/ro', O_ACCMODE))).toBe('EACCES');
  });

  test('EACCES without read or write permission; root is not refused', () => {
    const { fs } = clockedSetup();
    put(fs, '/wo', '', 0o200);
    put(fs, '/ro', '', 0o444);
    put(fs, '/none', '', 0o000);
    const u = user(fs);
    expect(E(fs.open(u, '/wo', O_RDONLY))).toBe('EACCES');
    expect(E(fs.open(u, '/wo', O_WRONLY))).toBe('EACCES'); // owner-only write bit
    expect(E(fs.open(u, '/ro', O_WRONLY))).toBe('EACCES');
    expect(E(fs.open(u, '/ro', O_RDWR))).toBe('EACCES');
    expect(fs.open(u, '/ro', O_RDONLY)).toBe(3);
    expect(fs.open(0, '/none', O_RDWR)).toBe(3);
  });

  test('the owner class decides even when other classes would allow more', () => {
    const { fs } = clockedSetup();
    const u = user(fs);
    const fd = fs.open(u, '/tmpf', O_CREAT | O_RDWR, 0o066);
    expect(E(fd)).toBe('EACCES'); // cannot create in "/" (0755 root)
    expect(fs.chmod(0, '/', 0o777)).toBe(0);
    expect(fs.close(u, fs.open(u, '/mine', O_CREAT | O_RDWR, 0o066))).toBe(0);
    expect(lstatOf(fs, '/mine').mode & 0o777).toBe(0o044); // umask 022
    expect(E(fs.open(u, '/mine', O_RDONLY))).toBe('EACCES');
  });
});

describe('O_CREAT', () => {
  test('creates a regular file with mode & ~umask, owned by the effective ids', () => {
    const { fs } = clockedSetup();
    expect(fs.mkdir(0, '/d', 0o777)).toBe(0);
    expect(fs.chmod(0, '/d', 0o777)).toBe(0);
    const fd = fs.open(0, '/d/f', O_CREAT | O_RDWR, 0o666);
    expect(fd).toBe(3);
    const s = fstatOf(fs, fd);
    expect(s.mode).toBe(S_IFREG | 0o644);
    expect([s.nlink, s.size, s.blocks, s.uid, s.gid]).toEqual([1, 0, 0, 0, 0]);
    expect(fs.createCage(1, { uid: 1000, gid: 100, euid: 1001, egid: 101, umask: 0o077 })).toBe(0);
    expect(fs.close(1, fs.open(1, '/d/g', O_CREAT | O_RDWR, 0o666))).toBe(0);
    const g = lstatOf(fs, '/d/g');
    expect([g.mode, g.uid, g.gid]).toEqual([S_IFREG | 0o600, 1001, 101]);
  });

  test('every permission bit passes except those in the umask (set-id and sticky bits included)', () => {
    const { fs } = clockedSetup();
    expect(fs.umask(0, 0)).toBe(0o022);
    fs.close(0, fs.open(0, '/a', O_CREAT | O_RDWR, 0o7777));
    expect(lstatOf(fs, '/a').mode).toBe(S_IFREG | 0o7777);
    fs.umask(0, 0o027);
    fs.close(0, fs.open(0, '/b', O_CREAT | O_RDWR, 0o7777));
    expect(lstatOf(fs, '/b').mode).toBe(S_IFREG | 0o7750);
    fs.close(0, fs.open(0, '/c', O_CREAT | O_RDWR, 0o170644)); // type bits in mode are ignored
    expect(lstatOf(fs, '/c').mode).toBe(S_IFREG | 0o640);
  });

  test('the new file gets all four timestamps from now; its directory gets new mtime and ctime', () => {
    const { fs, clock } = clockedSetup();
    expect(fs.mkdir(0, '/d', 0o755)).toBe(0);
    clock.set(T0 + 10, 123_456_789);
    const fd = fs.open(0, '/d/f', O_CREAT | O_RDWR, 0o644);
    const s = fstatOf(fs, fd);
    expect([s.atimeSec, s.atimeNsec, s.mtimeSec, s.mtimeNsec]).toEqual([T0 + 10, 123_456_789, T0 + 10, 123_456_789]);
    expect([s.ctimeSec, s.ctimeNsec, s.birthtimeSec, s.birthtimeNsec]).toEqual([T0 + 10, 123_456_789, T0 + 10, 123_456_789]);
    const d = lstatOf(fs, '/d');
    expect([d.mtimeSec, d.mtimeNsec, d.ctimeSec, d.ctimeNsec]).toEqual([T0 + 10, 123_456_789, T0 + 10, 123_456_789]);
    expect(d.atimeSec).toBe(T0);
    expect(d.size).toBe(60); // tmpfs: 20 bytes per entry, "." and ".." included
  });

  test('on an existing file it opens it: no change to mode, content, or any timestamp', () => {
    const { fs, clock } = clockedSetup();
    expect(fs.mkdir(0, '/d', 0o755)).toBe(0);
    put(fs, '/d/f', 'data', 0o600);
    clock.set(T0 + 50);
    const fd = fs.open(0, '/d/f', O_CREAT | O_RDWR, 0o777);
    expect(fd).toBeGreaterThanOrEqual(3);
    const s = lstatOf(fs, '/d/f');
    expect([s.mode, s.size, s.mtimeSec, s.ctimeSec]).toEqual([S_IFREG | 0o600, 4, T0, T0]);
    expect(lstatOf(fs, '/d').mtimeSec).toBe(T0);
  });

  test('O_EXCL: EEXIST for any existing name, symlinks (even dangling) not followed', () => {
    const { fs } = clockedSetup();
    put(fs, '/f');
    expect(fs.mkdir(0, '/d', 0o755)).toBe(0);
    expect(fs.symlink(0, '/f', '/lf')).toBe(0);
    expect(fs.symlink(0, '/nowhere', '/dangle')).toBe(0);
    expect(E(fs.open(0, '/f', O_CREAT | O_EXCL | O_RDWR, 0o644))).toBe('EEXIST');
    expect(E(fs.open(0, '/d', O_CREAT | O_EXCL | O_RDONLY, 0o644))).toBe('EEXIST');
    expect(E(fs.open(0, '/lf', O_CREAT | O_EXCL | O_RDWR, 0o644))).toBe('EEXIST');
    expect(E(fs.open(0, '/dangle', O_CREAT | O_EXCL | O_RDWR, 0o644))).toBe('EEXIST');
    expect(fs.exists(0, '/nowhere')).toBe(false);
    expect(fs.open(0, '/new', O_CREAT | O_EXCL | O_RDWR, 0o644)).toBe(3);
  });

  test('O_EXCL without O_CREAT is ignored for regular files', () => {
    const { fs } = clockedSetup();
    put(fs, '/f');
    expect(fs.open(0, '/f', O_EXCL | O_RDONLY)).toBe(3);
  });

  test('through a dangling symlink it creates the target', () => {
    const { fs } = clockedSetup();
    expect(fs.mkdir(0, '/d', 0o755)).toBe(0);
    expect(fs.symlink(0, 'd/target', '/link')).toBe(0);
    expect(E(fs.open(0, '/link', O_RDONLY))).toBe('ENOENT');
    const fd = fs.open(0, '/link', O_CREAT | O_RDWR, 0o600);
    expect(fd).toBe(3);
    expect(fs.write(0, fd, enc('via link'))).toBe(8);
    expect(lstatOf(fs, '/link').mode & S_IFMT).toBe(S_IFLNK);
    expect(lstatOf(fs, '/d/target').mode).toBe(S_IFREG | 0o600);
    expect(content(fs, '/d/target')).toBe('via link');
    expect(fstatOf(fs, fd).ino).toBe(lstatOf(fs, '/d/target').ino);
  });

  test('O_CREAT|O_NOFOLLOW on a symlink is ELOOP (dangling or not)', () => {
    const { fs } = clockedSetup();
    put(fs, '/f');
    expect(fs.symlink(0, '/nowhere', '/dangle')).toBe(0);
    expect(fs.symlink(0, '/f', '/lf')).toBe(0);
    expect(E(fs.open(0, '/dangle', O_CREAT | O_NOFOLLOW | O_RDWR, 0o644))).toBe('ELOOP');
    expect(E(fs.open(0, '/lf', O_CREAT | O_NOFOLLOW | O_RDWR, 0o644))).toBe('ELOOP');
    expect(fs.exists(0, '/nowhere')).toBe(false);
  });

  test('O_CREAT on a directory is EISDIR (EEXIST with O_EXCL), also for ".", ".." and "/"', () => {
    const { fs } = clockedSetup();
    expect(fs.mkdir(0, '/d', 0o755)).toBe(0);
    expect(fs.symlink(0, '/d', '/ld')).toBe(0);
    expect(E(fs.open(0, '/d', O_CREAT | O_RDONLY, 0o644))).toBe('EISDIR');
    expect(E(fs.open(0, '/ld', O_CREAT | O_RDONLY, 0o644))).toBe('EISDIR');
    expect(E(fs.open(0, '/d/.', O_CREAT | O_RDONLY, 0o644))).toBe('EISDIR');
    expect(E(fs.open(0, '/d/.', O_CREAT | O_EXCL | O_RDONLY, 0o644))).toBe('EEXIST');
    expect(E(fs.open(0, '/d/..', O_CREAT | O_RDONLY, 0o644))).toBe('EISDIR');
    expect(E(fs.open(0, '/', O_CREAT | O_RDONLY, 0o644))).toBe('EISDIR');
    expect(E(fs.open(0, '/', O_CREAT | O_EXCL | O_RDONLY, 0o644))).toBe('EEXIST');
  });

  test('a trailing slash with O_CREAT is EISDIR and creates nothing', () => {
    const { fs } = clockedSetup();
    put(fs, '/f');
    expect(fs.mkdir(0, '/d', 0o755)).toBe(0);
    expect(fs.symlink(0, '/nowhere', '/dangle')).toBe(0);
    expect(E(fs.open(0, '/new/', O_CREAT | O_RDWR, 0o644))).toBe('EISDIR');
    expect(E(fs.open(0, '/new/', O_CREAT | O_EXCL | O_RDWR, 0o644))).toBe('EISDIR');
    expect(E(fs.open(0, '/f/', O_CREAT | O_RDWR, 0o644))).toBe('EISDIR');
    expect(E(fs.open(0, '/f/', O_CREAT | O_EXCL | O_RDWR, 0o644))).toBe('EISDIR');
    expect(E(fs.open(0, '/d/', O_CREAT | O_RDONLY, 0o644))).toBe('EISDIR');
    expect(E(fs.open(0, '/d/', O_CREAT | O_EXCL | O_RDONLY, 0o644))).toBe('EISDIR');
    expect(E(fs.open(0, '/dangle/', O_CREAT | O_RDWR, 0o644))).toBe('EISDIR');
    expect(fs.exists(0, '/new')).toBe(false);
    expect(fs.exists(0, '/nowhere')).toBe(false);
  });

  test('ENOENT for a missing directory on the way, ENOTDIR for a file on the way', () => {
    const { fs } = clockedSetup();
    put(fs, '/f');
    expect(E(fs.open(0, '/no/f', O_CREAT | O_RDWR, 0o644))).toBe('ENOENT');
    expect(E(fs.open(0, '/f/x', O_CREAT | O_RDWR, 0o644))).toBe('ENOTDIR');
    expect(E(fs.open(0, '', O_CREAT | O_RDWR, 0o644))).toBe('ENOENT');
  });

  test('O_CREAT|O_DIRECTORY is EINVAL whether or not the name exists', () => {
    const { fs } = clockedSetup();
    put(fs, '/f');
    expect(fs.mkdir(0, '/d', 0o755)).toBe(0);
    expect(E(fs.open(0, '/newdir', O_CREAT | O_DIRECTORY | O_RDONLY, 0o755))).toBe('EINVAL');
    expect(E(fs.open(0, '/d', O_CREAT | O_DIRECTORY | O_RDONLY, 0o755))).toBe('EINVAL');
    expect(E(fs.open(0, '/f', O_CREAT | O_DIRECTORY | O_RDONLY, 0o755))).toBe('EINVAL');
    expect(fs.exists(0, '/newdir')).toBe(false);
  });

  test('EACCES to create without write or search permission on the directory', () => {
    const { fs } = clockedSetup();
    expect(fs.mkdir(0, '/ro', 0o555)).toBe(0);
    expect(fs.mkdir(0, '/nox', 0o766)).toBe(0);
    put(fs, '/ro/exists', '', 0o644);
    const u = user(fs);
    expect(E(fs.open(u, '/ro/x', O_CREAT | O_RDWR, 0o644))).toBe('EACCES');
    expect(E(fs.open(u, '/ro/x', O_CREAT | O_EXCL | O_RDWR, 0o644))).toBe('EACCES');
    expect(E(fs.open(u, '/nox/x', O_CREAT | O_RDWR, 0o644))).toBe('EACCES');
    // An existing name: EEXIST wins over the directory's permissions, and opening checks the file.
    expect(E(fs.open(u, '/ro/exists', O_CREAT | O_EXCL | O_RDWR, 0o644))).toBe('EEXIST');
    expect(E(fs.open(u, '/ro/exists', O_CREAT | O_RDWR, 0o644))).toBe('EACCES');
    expect(fs.open(u, '/ro/exists', O_CREAT | O_RDONLY, 0o644)).toBe(3);
  });

  test('ENOSPC when no inode is left', () => {
    const { fs } = clockedSetup({ maxInodes: 3 });
    put(fs, '/a');
    put(fs, '/b');
    expect(E(fs.open(0, '/c', O_CREAT | O_RDWR, 0o644))).toBe('ENOSPC');
    expect(fs.exists(0, '/c')).toBe(false);
    expect(fs.unlink(0, '/a')).toBe(0);
    expect(fs.open(0, '/c', O_CREAT | O_RDWR, 0o644)).toBe(3);
  });

  test('creat() is open(O_CREAT|O_WRONLY|O_TRUNC)', () => {
    const { fs } = clockedSetup();
    put(fs, '/f', 'old content');
    const fd = fs.creat(0, '/f', 0o600);
    expect(fd).toBe(3);
    expect(fstatOf(fs, fd).size).toBe(0);
    expect(fs.fcntl(0, fd, F_GETFL) & O_ACCMODE).toBe(O_WRONLY);
    expect(E(fs.read(0, fd, new Uint8Array(1)))).toBe('EBADF');
    expect(lstatOf(fs, '/f').mode).toBe(S_IFREG | 0o644);
    const g = fs.creat(0, '/g', 0o666);
    expect(lstatOf(fs, '/g').mode).toBe(S_IFREG | 0o644);
    expect(E(fs.creat(0, '/', 0o644))).toBe('EISDIR');
    expect(g).toBe(4);
  });
});

describe('path errors', () => {
  test('ENOENT for a missing name, an empty path or a dangling symlink', () => {
    const { fs } = clockedSetup();
    expect(fs.symlink(0, '/nowhere', '/dangle')).toBe(0);
    expect(E(fs.open(0, '/missing', O_RDONLY))).toBe('ENOENT');
    expect(E(fs.open(0, '/missing/x', O_RDONLY))).toBe('ENOENT');
    expect(E(fs.open(0, '', O_RDONLY))).toBe('ENOENT');
    expect(E(fs.open(0, '/dangle', O_RDONLY))).toBe('ENOENT');
  });

  test('ENOTDIR for a non-directory used as one (inside the path or with a trailing slash)', () => {
    const { fs } = clockedSetup();
    put(fs, '/f');
    expect(fs.symlink(0, '/f', '/lf')).toBe(0);
    expect(E(fs.open(0, '/f/x', O_RDONLY))).toBe('ENOTDIR');
    expect(E(fs.open(0, '/f/', O_RDONLY))).toBe('ENOTDIR');
    expect(E(fs.open(0, '/lf/', O_RDONLY))).toBe('ENOTDIR');
  });

  test('EISDIR: a directory opened for writing or with O_TRUNC; read-only works, also with a slash', () => {
    const { fs } = clockedSetup();
    expect(fs.mkdir(0, '/d', 0o755)).toBe(0);
    expect(E(fs.open(0, '/d', O_WRONLY))).toBe('EISDIR');
    expect(E(fs.open(0, '/d', O_RDWR))).toBe('EISDIR');
    expect(E(fs.open(0, '/d', O_RDONLY | O_TRUNC))).toBe('EISDIR');
    expect(E(fs.open(0, '/d', O_ACCMODE))).toBe('EISDIR');
    expect(fs.open(0, '/d', O_RDONLY)).toBe(3);
    expect(fs.open(0, '/d/', O_RDONLY)).toBe(4);
  });

  test('ELOOP: a symlink loop, O_NOFOLLOW on a symlink, more than 40 links in a row', () => {
    const { fs } = clockedSetup();
    put(fs, '/f');
    expect(fs.symlink(0, '/loop', '/loop')).toBe(0);
    expect(fs.symlink(0, '/f', '/lf')).toBe(0);
    expect(E(fs.open(0, '/loop', O_RDONLY))).toBe('ELOOP');
    expect(E(fs.open(0, '/loop/x', O_RDONLY))).toBe('ELOOP');
    expect(E(fs.open(0, '/loop', O_CREAT | O_RDWR, 0o644))).toBe('ELOOP');
    expect(E(fs.open(0, '/lf', O_NOFOLLOW | O_RDONLY))).toBe('ELOOP');
    // l1 -> f, l2 -> l1, ... l40 is reachable through 40 links, l41 needs 41.
    expect(fs.symlink(0, '/f', '/l1')).toBe(0);
    for (let i = 2; i <= 41; i++) expect(fs.symlink(0, `/l${i - 1}`, `/l${i}`)).toBe(0);
    expect(fs.open(0, '/l40', O_RDONLY)).toBe(3);
    expect(E(fs.open(0, '/l41', O_RDONLY))).toBe('ELOOP');
  });

  test('O_NOFOLLOW only concerns the last component', () => {
    const { fs } = clockedSetup();
    expect(fs.mkdir(0, '/d', 0o755)).toBe(0);
    put(fs, '/d/f');
    expect(fs.symlink(0, '/d', '/ld')).toBe(0);
    expect(fs.open(0, '/ld/f', O_NOFOLLOW | O_RDONLY)).toBe(3);
  });

  test('ENAMETOOLONG: a component over 255 bytes, a path of 4096 bytes or more', () => {
    const { fs } = clockedSetup();
    expect(E(fs.open(0, '/' + 'a'.repeat(256), O_CREAT | O_RDWR, 0o644))).toBe('ENAMETOOLONG');
    expect(fs.open(0, '/' + 'a'.repeat(255), O_CREAT | O_RDWR, 0o644)).toBe(3);
    expect(E(fs.open(0, '/'.repeat(4096), O_RDONLY))).toBe('ENAMETOOLONG');
    expect(fs.open(0, '/'.repeat(4095), O_RDONLY)).toBe(4);
    // Bytes count, not characters: 128 two-byte characters are 256 bytes.
    expect(E(fs.open(0, '/' + 'é'.repeat(128), O_CREAT | O_RDWR, 0o644))).toBe('ENAMETOOLONG');
  });

  test('EACCES without search permission on a directory of the path', () => {
    const { fs } = clockedSetup();
    expect(fs.mkdir(0, '/ns', 0o700)).toBe(0);
    put(fs, '/ns/f', '', 0o666);
    const u = user(fs);
    expect(E(fs.open(u, '/ns/f', O_RDONLY))).toBe('EACCES');
    expect(E(fs.open(u, '/ns/missing', O_RDONLY))).toBe('EACCES');
    expect(E(fs.open(u, '/ns', O_RDONLY))).toBe('EACCES');
    expect(fs.open(0, '/ns/f', O_RDONLY)).toBe(3);
  });

  test('O_DIRECTORY: ENOTDIR for a non-directory, follows a symlink to a directory unless O_NOFOLLOW', () => {
    const { fs } = clockedSetup();
    put(fs, '/f');
    expect(fs.mkdir(0, '/d', 0o755)).toBe(0);
    expect(fs.symlink(0, '/d', '/ld')).toBe(0);
    expect(E(fs.open(0, '/f', O_DIRECTORY | O_RDONLY))).toBe('ENOTDIR');
    expect(fs.open(0, '/d', O_DIRECTORY | O_RDONLY)).toBe(3);
    expect(fs.open(0, '/ld', O_DIRECTORY | O_RDONLY)).toBe(4);
    expect(E(fs.open(0, '/ld', O_DIRECTORY | O_NOFOLLOW | O_RDONLY))).toBe('ENOTDIR');
  });
});

describe('special files', () => {
  test('ENXIO for a socket node; O_PATH opens it', () => {
    const { fs } = clockedSetup();
    const s = fs.bind(0, '/sock');
    expect(s).toBe(3);
    expect(E(fs.open(0, '/sock', O_RDONLY))).toBe('ENXIO');
    expect(E(fs.open(0, '/sock', O_RDWR))).toBe('ENXIO');
    expect(fs.open(0, '/sock', O_PATH)).toBe(4);
  });

  test('ENXIO for a FIFO opened O_WRONLY|O_NONBLOCK with no reader; O_TRUNC is ignored on a FIFO', () => {
    const { fs } = clockedSetup();
    expect(fs.mkfifo(0, '/fifo', 0o644)).toBe(0);
    expect(E(fs.open(0, '/fifo', O_WRONLY | O_NONBLOCK))).toBe('ENXIO');
    const r = fs.open(0, '/fifo', O_RDONLY | O_NONBLOCK | O_TRUNC);
    expect(r).toBe(3);
    expect(fs.open(0, '/fifo', O_WRONLY | O_NONBLOCK)).toBe(4);
  });

  test('ENXIO for a device node no driver is registered for', () => {
    const { fs } = clockedSetup();
    expect(fs.mknod(0, '/dev0', S_IFCHR | 0o666, 250, 1)).toBe(0);
    expect(E(fs.open(0, '/dev0', O_RDWR))).toBe('ENXIO');
    fs.registerDevice('c', 250, 1, { read: () => 0, write: (_s, _o, len) => len });
    expect(fs.open(0, '/dev0', O_RDWR)).toBe(3);
  });
});

describe('O_TRUNC', () => {
  test('truncates a regular file opened for writing, and even one opened read-only (as Linux does)', () => {
    const { fs } = clockedSetup();
    put(fs, '/a', 'aaaa');
    put(fs, '/b', 'bbbb');
    expect(fstatOf(fs, fs.open(0, '/a', O_WRONLY | O_TRUNC)).size).toBe(0);
    expect(fstatOf(fs, fs.open(0, '/b', O_RDONLY | O_TRUNC)).size).toBe(0);
  });

  test('updates mtime and ctime, even when the file was already empty', () => {
    const { fs, clock } = clockedSetup();
    put(fs, '/empty');
    clock.set(T0 + 5, 5);
    fs.close(0, fs.open(0, '/empty', O_RDWR | O_TRUNC));
    const s = lstatOf(fs, '/empty');
    expect([s.mtimeSec, s.mtimeNsec, s.ctimeSec, s.ctimeNsec, s.atimeSec]).toEqual([T0 + 5, 5, T0 + 5, 5, T0]);
  });

  test('needs write permission (EACCES) even with O_RDONLY', () => {
    const { fs } = clockedSetup();
    put(fs, '/ro', 'keep', 0o444);
    const u = user(fs);
    expect(E(fs.open(u, '/ro', O_RDONLY | O_TRUNC))).toBe('EACCES');
    expect(lstatOf(fs, '/ro').size).toBe(4);
  });

  test('an unprivileged O_TRUNC clears set-user-ID; root keeps it', () => {
    const { fs } = clockedSetup();
    put(fs, '/s', 'x');
    expect(fs.chmod(0, '/s', 0o6777)).toBe(0);
    fs.close(0, fs.open(0, '/s', O_RDWR | O_TRUNC));
    expect(lstatOf(fs, '/s').mode).toBe(S_IFREG | 0o6777);
    const u = user(fs);
    fs.close(u, fs.open(u, '/s', O_RDWR | O_TRUNC));
    expect(lstatOf(fs, '/s').mode & (S_ISUID | S_ISGID)).toBe(0);
  });
});

describe('status flags and descriptor flags', () => {
  test('F_GETFL keeps the flags given to open except O_CREAT, O_EXCL, O_NOCTTY, O_TRUNC and O_CLOEXEC', () => {
    const { fs } = clockedSetup();
    put(fs, '/f', 'x');
    const fd = fs.open(0, '/f', O_RDONLY | O_NONBLOCK | O_SYNC | O_DSYNC | O_NOATIME | O_LARGEFILE | O_CLOEXEC | O_EXCL | O_TRUNC | O_NOFOLLOW);
    expect(fd).toBe(3);
    expect(fs.fcntl(0, fd, F_GETFL)).toBe(O_RDONLY | O_NONBLOCK | O_SYNC | O_NOATIME | O_LARGEFILE | O_NOFOLLOW);
    const a = fs.open(0, '/f', O_WRONLY | O_APPEND | O_DSYNC);
    expect(fs.fcntl(0, a, F_GETFL)).toBe(O_WRONLY | O_APPEND | O_DSYNC);
  });

  test('O_CLOEXEC sets FD_CLOEXEC on the descriptor; exec closes it and keeps the others', () => {
    const { fs } = clockedSetup();
    put(fs, '/f');
    const c = fs.open(0, '/f', O_RDONLY | O_CLOEXEC);
    const k = fs.open(0, '/f', O_RDONLY);
    expect(fs.fcntl(0, c, F_GETFD)).toBe(FD_CLOEXEC);
    expect(fs.fcntl(0, k, F_GETFD)).toBe(0);
    expect(fs.execCage(0)).toBe(0);
    expect(E(fs.fcntl(0, c, F_GETFD))).toBe('EBADF');
    expect(fs.fcntl(0, k, F_GETFD)).toBe(0);
  });

  test('O_APPEND: every write goes to the end, whatever the offset', () => {
    const { fs } = clockedSetup();
    put(fs, '/f', 'abc');
    const fd = fs.open(0, '/f', O_RDWR | O_APPEND);
    expect(fs.lseek(0, fd, 0, SEEK_CUR)).toBe(0);
    expect(fs.write(0, fd, enc('d'))).toBe(1);
    expect(fs.lseek(0, fd, 0, SEEK_CUR)).toBe(4);
    expect(fs.lseek(0, fd, 0, 0)).toBe(0);
    expect(fs.write(0, fd, enc('e'))).toBe(1);
    expect(content(fs, '/f')).toBe('abcde');
  });

  test('O_SYNC, O_DSYNC and O_LARGEFILE are accepted; large offsets work with or without O_LARGEFILE', () => {
    const { fs } = clockedSetup();
    for (const flag of [O_SYNC, O_DSYNC, O_LARGEFILE, 0]) {
      const fd = fs.open(0, `/f${flag}`, O_CREAT | O_RDWR | flag, 0o644);
      expect(fd).toBeGreaterThanOrEqual(3);
      expect(fs.pwrite(0, fd, enc('z'), 1, 3 * 2 ** 30)).toBe(1);
      expect(fs.lseek(0, fd, 0, SEEK_END)).toBe(3 * 2 ** 30 + 1);
    }
  });

  test('O_NOATIME: allowed to the owner (reads then leave atime), EPERM for anyone else who may read', () => {
    const { fs, clock } = clockedSetup();
    put(fs, '/root-file', 'x', 0o644);
    put(fs, '/secret', 'x', 0o600);
    const u = user(fs);
    expect(E(fs.open(u, '/root-file', O_RDONLY | O_NOATIME))).toBe('EPERM');
    expect(E(fs.open(u, '/secret', O_RDONLY | O_NOATIME))).toBe('EACCES');
    expect(fs.chown(0, '/root-file', 1000, 1000)).toBe(0);
    const fd = fs.open(u, '/root-file', O_RDONLY | O_NOATIME);
    expect(fd).toBe(3);
    clock.set(T0 + 100);
    expect(fs.read(u, fd, new Uint8Array(4))).toBe(1);
    expect(lstatOf(fs, '/root-file').atimeSec).toBe(T0);
    const plain = fs.open(u, '/root-file', O_RDONLY);
    expect(fs.read(u, plain, new Uint8Array(4))).toBe(1);
    expect(lstatOf(fs, '/root-file').atimeSec).toBe(T0 + 100);
    expect(fs.open(0, '/secret', O_RDONLY | O_NOATIME)).toBeGreaterThanOrEqual(3); // root may
  });
});

describe('O_PATH', () => {
  test('ignores the other flags: no creation, no truncation, only O_PATH in F_GETFL', () => {
    const { fs } = clockedSetup();
    put(fs, '/f', 'keep');
    expect(E(fs.open(0, '/nonex', O_PATH | O_CREAT, 0o644))).toBe('ENOENT');
    const fd = fs.open(0, '/f', O_PATH | O_RDWR | O_APPEND | O_TRUNC | O_CLOEXEC);
    expect(fd).toBe(3);
    expect(lstatOf(fs, '/f').size).toBe(4);
    expect(fs.fcntl(0, fd, F_GETFL)).toBe(O_PATH);
    expect(fs.fcntl(0, fd, F_GETFD)).toBe(FD_CLOEXEC);
  });

  test('no I/O (EBADF), but fstat works, and it needs no permission on the file itself', () => {
    const { fs } = clockedSetup();
    put(fs, '/secret', 'x', 0o000);
    const u = user(fs);
    const fd = fs.open(u, '/secret', O_PATH);
    expect(fd).toBe(3);
    expect(E(fs.read(u, fd, new Uint8Array(1)))).toBe('EBADF');
    expect(E(fs.write(u, fd, enc('x')))).toBe('EBADF');
    expect(fstatOf(fs, fd, u).size).toBe(1);
    expect(fs.open(u, '/secret', O_PATH | O_NOATIME)).toBe(4); // O_NOATIME is dropped, so no EPERM
  });

  test('with O_NOFOLLOW it refers to the symlink itself', () => {
    const { fs } = clockedSetup();
    expect(fs.symlink(0, '/nowhere', '/dangle')).toBe(0);
    const fd = fs.open(0, '/dangle', O_PATH | O_NOFOLLOW);
    expect(fd).toBe(3);
    expect(fstatOf(fs, fd).mode).toBe(S_IFLNK | 0o777);
    expect(fs.fcntl(0, fd, F_GETFL)).toBe(O_PATH | O_NOFOLLOW);
    expect(E(fs.open(0, '/dangle', O_PATH))).toBe('ENOENT');
  });

  test('an O_PATH directory descriptor works as a dirfd', () => {
    const { fs } = clockedSetup();
    expect(fs.mkdir(0, '/d', 0o755)).toBe(0);
    const d = fs.open(0, '/d', O_PATH | O_DIRECTORY);
    expect(d).toBe(3);
    const fd = fs.openat(0, d, 'x', O_CREAT | O_RDWR, 0o644);
    expect(fd).toBe(4);
    expect(fs.exists(0, '/d/x')).toBe(true);
    expect(E(fs.open(0, '/d', O_PATH | O_TMPFILE | O_RDWR, 0o600))).toBe(5); // O_TMPFILE is dropped too
    expect(fstatOf(fs, 5).mode & S_IFMT).toBe(S_IFDIR);
  });
});

describe('openat and dirfd', () => {
  test('a relative path starts at dirfd; an absolute path ignores it, even a bad one', () => {
    const { fs } = clockedSetup();
    expect(fs.mkdir(0, '/d', 0o755)).toBe(0);
    put(fs, '/d/f', 'in d');
    put(fs, '/f', 'at root');
    const d = fs.open(0, '/d', O_RDONLY | O_DIRECTORY);
    const b = new Uint8Array(16);
    const fd = fs.openat(0, d, 'f', O_RDONLY);
    expect(new TextDecoder().decode(b.subarray(0, fs.read(0, fd, b)))).toBe('in d');
    expect(fs.openat(0, 999, '/f', O_RDONLY)).toBeGreaterThanOrEqual(3);
    expect(fs.openat(0, -1, '/f', O_RDONLY)).toBeGreaterThanOrEqual(3);
  });

  test('AT_FDCWD means the working directory', () => {
    const { fs } = clockedSetup();
    expect(fs.mkdir(0, '/d', 0o755)).toBe(0);
    put(fs, '/d/f', 'x');
    expect(fs.chdir(0, '/d')).toBe(0);
    expect(fs.openat(0, AT_FDCWD, 'f', O_RDONLY)).toBe(3);
    expect(fs.open(0, '../d/f', O_RDONLY)).toBe(4);
  });

  test('EBADF for a dirfd that is not open; ENOTDIR for one that is not a directory', () => {
    const { fs } = clockedSetup();
    put(fs, '/f');
    const f = fs.open(0, '/f', O_RDONLY);
    expect(E(fs.openat(0, 999, 'x', O_RDONLY))).toBe('EBADF');
    expect(E(fs.openat(0, -1, 'x', O_RDONLY))).toBe('EBADF');
    expect(E(fs.openat(0, f, 'x', O_RDONLY))).toBe('ENOTDIR');
    expect(E(fs.openat(0, f, 'x', O_CREAT | O_RDWR, 0o644))).toBe('ENOTDIR');
  });

  test('in a removed directory: nothing can be created (ENOENT), "." and ".." still open', () => {
    const { fs } = clockedSetup();
    expect(fs.mkdir(0, '/gone', 0o755)).toBe(0);
    const g = fs.open(0, '/gone', O_RDONLY);
    expect(fs.rmdir(0, '/gone')).toBe(0);
    expect(E(fs.openat(0, g, 'x', O_CREAT | O_RDWR, 0o644))).toBe('ENOENT');
    expect(E(fs.openat(0, g, '.', O_TMPFILE | O_RDWR, 0o600))).toBe('ENOENT');
    expect(fs.openat(0, g, '.', O_RDONLY)).toBeGreaterThanOrEqual(3);
    const up = fs.openat(0, g, '..', O_RDONLY);
    expect(fstatOf(fs, up).ino).toBe(lstatOf(fs, '/').ino);
  });
});

describe('O_TMPFILE', () => {
  test('makes an unnamed regular file in the directory, leaving the directory untouched', () => {
    const { fs, clock } = clockedSetup();
    expect(fs.mkdir(0, '/d', 0o755)).toBe(0);
    clock.set(T0 + 7);
    const fd = fs.open(0, '/d', O_TMPFILE | O_RDWR, 0o666);
    expect(fd).toBe(3);
    const s = fstatOf(fs, fd);
    expect([s.mode, s.nlink, s.size, s.mtimeSec, s.birthtimeSec]).toEqual([S_IFREG | 0o644, 0, 0, T0 + 7, T0 + 7]);
    const d = lstatOf(fs, '/d');
    expect([d.size, d.nlink, d.mtimeSec, d.ctimeSec]).toEqual([40, 2, T0, T0]);
    expect(fs.write(0, fd, enc('temp'))).toBe(4);
    expect(fs.pread(0, fd, new Uint8Array(8), 8, 0)).toBe(4);
  });

  test('linkat(fd, "", AT_EMPTY_PATH) gives it a name (ctime updated); the file is freed on close otherwise', () => {
    const { fs, clock } = clockedSetup();
    expect(fs.mkdir(0, '/d', 0o755)).toBe(0);
    const live = fs.inodes.live;
    const t = fs.open(0, '/d', O_TMPFILE | O_WRONLY, 0o600);
    expect(fs.write(0, t, enc('keep me'))).toBe(7);
    clock.set(T0 + 9);
    expect(fs.linkat(0, t, '', AT_FDCWD, '/d/named', AT_EMPTY_PATH)).toBe(0);
    const s = lstatOf(fs, '/d/named');
    expect([s.nlink, s.size, s.ctimeSec, s.mode]).toEqual([1, 7, T0 + 9, S_IFREG | 0o600]);
    expect(content(fs, '/d/named')).toBe('keep me');
    const gone = fs.open(0, '/d', O_TMPFILE | O_RDWR, 0o600);
    expect(fs.inodes.live).toBe(live + 2);
    expect(fs.close(0, gone)).toBe(0);
    expect(fs.close(0, t)).toBe(0);
    expect(fs.inodes.live).toBe(live + 1);
  });

  test('with O_EXCL it can never be linked (ENOENT)', () => {
    const { fs } = clockedSetup();
    const t = fs.open(0, '/', O_TMPFILE | O_RDWR | O_EXCL, 0o600);
    expect(t).toBe(3);
    expect(E(fs.linkat(0, t, '', AT_FDCWD, '/named', AT_EMPTY_PATH))).toBe('ENOENT');
    expect(fs.exists(0, '/named')).toBe(false);
  });

  test('an unprivileged owner may link it with the credentials it was opened with, not from a forked child', () => {
    const { fs } = clockedSetup();
    expect(fs.mkdir(0, '/tmp', 0o777)).toBe(0);
    expect(fs.chmod(0, '/tmp', 0o777)).toBe(0);
    const u = user(fs);
    const t = fs.open(u, '/tmp', O_TMPFILE | O_RDWR, 0o644);
    expect(t).toBe(3);
    expect(fs.forkCage(u, 2)).toBe(0);
    expect(E(fs.linkat(2, t, '', AT_FDCWD, '/tmp/child', AT_EMPTY_PATH))).toBe('ENOENT');
    expect(fs.linkat(u, t, '', AT_FDCWD, '/tmp/named', AT_EMPTY_PATH)).toBe(0);
    expect(lstatOf(fs, '/tmp/named').uid).toBe(1000);
  });

  test('EINVAL: read-only access, O_CREAT with it, or the O_TMPFILE bit without O_DIRECTORY', () => {
    const { fs } = clockedSetup();
    expect(E(fs.open(0, '/', O_TMPFILE | O_RDONLY, 0o600))).toBe('EINVAL');
    expect(E(fs.open(0, '/', O_TMPFILE | O_CREAT | O_RDWR, 0o600))).toBe('EINVAL');
    expect(E(fs.open(0, '/', __O_TMPFILE | O_RDWR, 0o600))).toBe('EINVAL');
    expect(fs.open(0, '/', O_TMPFILE | O_WRONLY, 0o600)).toBe(3);
  });

  test('ENOTDIR on a file, ENOENT on a missing directory, EACCES without write permission', () => {
    const { fs } = clockedSetup();
    put(fs, '/f');
    expect(fs.mkdir(0, '/ro', 0o555)).toBe(0);
    const u = user(fs);
    expect(E(fs.open(0, '/f', O_TMPFILE | O_RDWR, 0o600))).toBe('ENOTDIR');
    expect(E(fs.open(0, '/nonex', O_TMPFILE | O_RDWR, 0o600))).toBe('ENOENT');
    expect(E(fs.open(u, '/ro', O_TMPFILE | O_RDWR, 0o600))).toBe('EACCES');
  });
});
