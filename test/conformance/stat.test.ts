/**
 * stat(2), lstat, fstat, fstatat, statx(2), statfs(2)/fstatfs: every field for every file
 * type, the flags and their errors, directory link counts, nanosecond times, inode numbers.
 * Sizes and block counts are tmpfs's (checked with C probes on /dev/shm): a directory is
 * 20 bytes per entry with "." and ".."; a symlink target under 128 bytes takes no block.
 */
import { describe, test, expect } from 'vitest';
import {
  newStat, newStatfs, type Stat, type Statx,
  O_RDONLY, O_RDWR, O_CREAT, O_PATH, O_NOFOLLOW, O_DIRECTORY, AT_FDCWD, AT_EMPTY_PATH,
  AT_SYMLINK_NOFOLLOW, AT_NO_AUTOMOUNT, AT_STATX_FORCE_SYNC, AT_STATX_DONT_SYNC, AT_REMOVEDIR,
  AT_SYMLINK_FOLLOW, AT_RECURSIVE, S_IFMT, S_IFREG, S_IFDIR, S_IFLNK, S_IFIFO, S_IFCHR, S_IFBLK,
  S_IFSOCK, STATX_BASIC_STATS, STATX_BTIME, STATX_TYPE, TMPFS_MAGIC, ST_VALID, ST_RELATIME,
} from '../../src/core/index.js';
import { T0, r as E, enc, tmpfsSetup, put, lstatOf, statOf } from '../helpers/conformance.js';

const K4 = 4096;

const newStatx = (): Statx => ({ ...newStat(), mask: 0, attributes: 0 });
/** The fields that say which file and what kind: compared across the calls. */
const id = (s: Stat) => [s.dev, s.ino, s.mode, s.nlink, s.uid, s.gid, s.size, s.blocks];

describe('fields by file type', () => {
  test('regular file: type and mode, one link, owner, size, 4096 blksize, 512-byte blocks, four times', () => {
    const { fs, clock } = tmpfsSetup();
    clock.set(T0 + 3, 456);
    put(fs, '/f', 'x'.repeat(5000), 0o640);
    const s = lstatOf(fs, '/f');
    expect(s.mode).toBe(S_IFREG | 0o640);
    expect([s.nlink, s.uid, s.gid, s.rdevMajor, s.rdevMinor]).toEqual([1, 0, 0, 0, 0]);
    expect([s.size, s.blksize]).toEqual([5000, 4096]);
    // Blocks count what is allocated: at least the data, at most whole 4 KiB chunks (tmpfs says 16).
    expect(s.blocks * 512).toBeGreaterThanOrEqual(5000);
    expect(s.blocks).toBeLessThanOrEqual(16);
    expect([s.atimeSec, s.atimeNsec, s.mtimeSec, s.mtimeNsec]).toEqual([T0 + 3, 456, T0 + 3, 456]);
    expect([s.ctimeSec, s.ctimeNsec, s.birthtimeSec, s.birthtimeNsec]).toEqual([T0 + 3, 456, T0 + 3, 456]);
    expect(s.ino).toBeGreaterThan(0);
    expect(s.dev).toBe(lstatOf(fs, '/').dev);
  });

  test('a file created by a user belongs to its effective uid and gid', () => {
    const { fs } = tmpfsSetup();
    expect(fs.chmod(0, '/', 0o777)).toBe(0);
    expect(fs.createCage(1, { uid: 1000, gid: 1000, euid: 1001, egid: 1002 })).toBe(0);
    expect(fs.close(1, fs.open(1, '/u', O_CREAT | O_RDWR, 0o600))).toBe(0);
    const s = lstatOf(fs, '/u');
    expect([s.uid, s.gid]).toEqual([1001, 1002]);
  });

  test('directory: size 40 + 20 per entry, nlink 2 + subdirectories, no blocks', () => {
    const { fs } = tmpfsSetup();
    expect(fs.mkdir(0, '/d', 0o755)).toBe(0);
    let d = lstatOf(fs, '/d');
    expect([d.mode, d.nlink, d.size, d.blocks, d.blksize]).toEqual([S_IFDIR | 0o755, 2, 40, 0, 4096]);
    expect(fs.mkdir(0, '/d/a', 0o755)).toBe(0);
    expect(fs.mkdir(0, '/d/b', 0o755)).toBe(0);
    put(fs, '/d/f');
    expect(fs.symlink(0, 'f', '/d/l')).toBe(0);
    d = lstatOf(fs, '/d');
    expect([d.nlink, d.size]).toEqual([4, 40 + 4 * 20]);
    expect(fs.rmdir(0, '/d/a')).toBe(0);
    expect(fs.rename(0, '/d/b', '/moved')).toBe(0);
    d = lstatOf(fs, '/d');
    expect([d.nlink, d.size]).toEqual([2, 40 + 2 * 20]);
    expect(lstatOf(fs, '/').nlink).toBe(4); // ".", "..", "d" and "moved" point at or into "/"
  });

  test('symlink (lstat): 0777, size = target bytes, no block below 128 bytes, one block of 4 KiB from 128', () => {
    const { fs } = tmpfsSetup();
    put(fs, '/f', 'hello');
    expect(fs.symlink(0, 'f', '/s')).toBe(0);
    expect(fs.symlink(0, 'é/ü', '/utf')).toBe(0);
    expect(fs.symlink(0, 'x'.repeat(127), '/l127')).toBe(0);
    expect(fs.symlink(0, 'x'.repeat(128), '/l128')).toBe(0);
    const s = lstatOf(fs, '/s');
    expect([s.mode, s.nlink, s.size, s.blocks]).toEqual([S_IFLNK | 0o777, 1, 1, 0]);
    expect(lstatOf(fs, '/utf').size).toBe(5);
    expect([lstatOf(fs, '/l127').size, lstatOf(fs, '/l127').blocks]).toEqual([127, 0]);
    expect([lstatOf(fs, '/l128').size, lstatOf(fs, '/l128').blocks]).toEqual([128, 8]);
    // stat follows it.
    expect(id(statOf(fs, '/s'))).toEqual(id(lstatOf(fs, '/f')));
  });

  test('FIFO, character and block devices, socket: size 0, and the device numbers of device nodes', () => {
    const { fs } = tmpfsSetup();
    expect(fs.mkfifo(0, '/fifo', 0o644)).toBe(0);
    expect(fs.mknod(0, '/chr', S_IFCHR | 0o600, 1, 3)).toBe(0);
    expect(fs.mknod(0, '/blk', S_IFBLK | 0o600, 7, 300)).toBe(0);
    expect(fs.bind(0, '/sock')).toBe(3);
    const f = lstatOf(fs, '/fifo'), c = lstatOf(fs, '/chr'), b = lstatOf(fs, '/blk'), k = lstatOf(fs, '/sock');
    expect([f.mode, f.nlink, f.size, f.blocks, f.rdevMajor]).toEqual([S_IFIFO | 0o644, 1, 0, 0, 0]);
    expect([c.mode, c.size, c.rdevMajor, c.rdevMinor]).toEqual([S_IFCHR | 0o600, 0, 1, 3]);
    expect([b.mode, b.size, b.rdevMajor, b.rdevMinor]).toEqual([S_IFBLK | 0o600, 0, 7, 300]);
    expect([k.mode, k.size, k.nlink]).toEqual([S_IFSOCK | 0o755, 0, 1]);
  });

  test('a pipe: FIFO type, mode 0600, one link, size 0 even with data in it', () => {
    const { fs } = tmpfsSetup();
    const p = [0, 0];
    expect(fs.pipe(0, p)).toBe(0);
    expect(fs.write(0, p[1], enc('abc'))).toBe(3);
    for (const fd of p) {
      const s = newStat();
      expect(fs.fstat(0, fd, s)).toBe(0);
      expect([s.mode, s.nlink, s.size, s.blksize]).toEqual([S_IFIFO | 0o600, 1, 0, 4096]);
    }
  });

  test('an open file whose last name was removed has nlink 0', () => {
    const { fs } = tmpfsSetup();
    put(fs, '/f', 'abc');
    const fd = fs.open(0, '/f', O_RDONLY);
    expect(fs.unlink(0, '/f')).toBe(0);
    const s = newStat();
    expect(fs.fstat(0, fd, s)).toBe(0);
    expect([s.nlink, s.size]).toEqual([0, 3]);
  });

  test('timestamps keep nanoseconds, and ctime follows metadata changes', () => {
    const { fs, clock } = tmpfsSetup();
    put(fs, '/f');
    clock.set(T0 + 1, 999_999_999);
    expect(fs.chmod(0, '/f', 0o600)).toBe(0);
    const s = lstatOf(fs, '/f');
    expect([s.ctimeSec, s.ctimeNsec, s.mtimeSec, s.mtimeNsec]).toEqual([T0 + 1, 999_999_999, T0, 0]);
  });
});

describe('inode numbers', () => {
  test('unique among live files, shared by hard links, reused once freed', () => {
    const { fs } = tmpfsSetup();
    expect(fs.mkdir(0, '/d', 0o755)).toBe(0);
    for (let i = 0; i < 50; i++) put(fs, `/d/f${i}`);
    const inos = new Set<number>([lstatOf(fs, '/').ino, lstatOf(fs, '/d').ino]);
    for (let i = 0; i < 50; i++) inos.add(lstatOf(fs, `/d/f${i}`).ino);
    expect(inos.size).toBe(52);
    expect(fs.link(0, '/d/f0', '/d/hard')).toBe(0);
    expect(lstatOf(fs, '/d/hard').ino).toBe(lstatOf(fs, '/d/f0').ino);
    const freed = lstatOf(fs, '/d/f7').ino;
    expect(fs.unlink(0, '/d/f7')).toBe(0);
    put(fs, '/d/new');
    expect(lstatOf(fs, '/d/new').ino).toBe(freed);
  });

  test('a number is not reused while the file is still open', () => {
    const { fs } = tmpfsSetup();
    put(fs, '/f');
    const ino = lstatOf(fs, '/f').ino;
    const fd = fs.open(0, '/f', O_RDONLY);
    expect(fs.unlink(0, '/f')).toBe(0);
    put(fs, '/g');
    expect(lstatOf(fs, '/g').ino).not.toBe(ino);
    expect(fs.close(0, fd)).toBe(0);
    put(fs, '/h');
    expect(lstatOf(fs, '/h').ino).toBe(ino);
  });
});

describe('stat, lstat, fstat', () => {
  test('the three agree on the same file', () => {
    const { fs } = tmpfsSetup();
    put(fs, '/f', 'data');
    const fd = fs.open(0, '/f', O_RDONLY);
    const s = newStat();
    expect(fs.fstat(0, fd, s)).toBe(0);
    expect(id(s)).toEqual(id(statOf(fs, '/f')));
    expect(id(s)).toEqual(id(lstatOf(fs, '/f')));
  });

  test('fstat works on O_PATH descriptors, also of a symlink', () => {
    const { fs } = tmpfsSetup();
    put(fs, '/f', 'data');
    expect(fs.symlink(0, '/nowhere', '/dangle')).toBe(0);
    const p = fs.open(0, '/f', O_PATH), l = fs.open(0, '/dangle', O_PATH | O_NOFOLLOW);
    const s = newStat();
    expect(fs.fstat(0, p, s)).toBe(0);
    expect(s.size).toBe(4);
    expect(fs.fstat(0, l, s)).toBe(0);
    expect(s.mode).toBe(S_IFLNK | 0o777);
  });

  test('ENOENT for a missing name, a dangling symlink (stat) or an empty path', () => {
    const { fs } = tmpfsSetup();
    expect(fs.symlink(0, '/nowhere', '/dangle')).toBe(0);
    const s = newStat();
    expect(E(fs.stat(0, '/missing', s))).toBe('ENOENT');
    expect(E(fs.stat(0, '/missing/x', s))).toBe('ENOENT');
    expect(E(fs.stat(0, '/dangle', s))).toBe('ENOENT');
    expect(E(fs.lstat(0, '/dangle/', s))).toBe('ENOENT');
    expect(fs.lstat(0, '/dangle', s)).toBe(0);
    expect(E(fs.stat(0, '', s))).toBe('ENOENT');
    expect(E(fs.lstat(0, '', s))).toBe('ENOENT');
  });

  test('a trailing slash: ENOTDIR on a file, and lstat follows a symlink to a directory', () => {
    const { fs } = tmpfsSetup();
    put(fs, '/f');
    expect(fs.mkdir(0, '/d', 0o755)).toBe(0);
    expect(fs.symlink(0, '/d', '/ld')).toBe(0);
    const s = newStat();
    expect(E(fs.stat(0, '/f/', s))).toBe('ENOTDIR');
    expect(E(fs.stat(0, '/f/x', s))).toBe('ENOTDIR');
    expect(E(fs.lstat(0, '/f/', s))).toBe('ENOTDIR');
    expect(fs.lstat(0, '/ld/', s)).toBe(0);
    expect(s.mode & S_IFMT).toBe(S_IFDIR);
    expect(fs.lstat(0, '/ld', s)).toBe(0);
    expect(s.mode & S_IFMT).toBe(S_IFLNK);
  });

  test('ELOOP for a loop (lstat of the link itself works); ENAMETOOLONG', () => {
    const { fs } = tmpfsSetup();
    expect(fs.symlink(0, '/loop', '/loop')).toBe(0);
    const s = newStat();
    expect(E(fs.stat(0, '/loop', s))).toBe('ELOOP');
    expect(E(fs.lstat(0, '/loop/x', s))).toBe('ELOOP');
    expect(fs.lstat(0, '/loop', s)).toBe(0);
    expect(E(fs.stat(0, '/' + 'a'.repeat(256), s))).toBe('ENAMETOOLONG');
    expect(E(fs.lstat(0, '/' + 'a'.repeat(256), s))).toBe('ENAMETOOLONG');
    expect(E(fs.stat(0, '/'.repeat(4096), s))).toBe('ENAMETOOLONG');
  });

  test('EACCES without search permission on a directory of the path; no permission on the file is needed', () => {
    const { fs } = tmpfsSetup();
    expect(fs.mkdir(0, '/ns', 0o700)).toBe(0);
    put(fs, '/ns/f');
    put(fs, '/secret', 'x', 0o000);
    expect(fs.createCage(1, { uid: 1000, gid: 1000 })).toBe(0);
    const s = newStat();
    expect(E(fs.stat(1, '/ns/f', s))).toBe('EACCES');
    expect(fs.stat(1, '/ns', s)).toBe(0);
    expect(fs.stat(1, '/secret', s)).toBe(0);
  });

  test('fstat: EBADF for a descriptor that is not open', () => {
    const { fs } = tmpfsSetup();
    expect(E(fs.fstat(0, 99, newStat()))).toBe('EBADF');
    expect(E(fs.fstat(0, -1, newStat()))).toBe('EBADF');
  });
});

describe('fstatat', () => {
  test('a relative path starts at dirfd; an absolute one ignores it', () => {
    const { fs } = tmpfsSetup();
    expect(fs.mkdir(0, '/d', 0o755)).toBe(0);
    put(fs, '/d/f', 'abc');
    const d = fs.open(0, '/d', O_RDONLY | O_DIRECTORY);
    const s = newStat();
    expect(fs.fstatat(0, d, 'f', s)).toBe(0);
    expect(s.size).toBe(3);
    expect(fs.fstatat(0, 999, '/d/f', s)).toBe(0);
    expect(E(fs.fstatat(0, 999, 'f', s))).toBe('EBADF');
    const f = fs.open(0, '/d/f', O_RDONLY);
    expect(E(fs.fstatat(0, f, 'x', s))).toBe('ENOTDIR');
  });

  test('AT_EMPTY_PATH with "" means dirfd itself (any kind of descriptor, or the cwd for AT_FDCWD)', () => {
    const { fs } = tmpfsSetup();
    put(fs, '/f', 'abc');
    expect(fs.mkdir(0, '/d', 0o755)).toBe(0);
    expect(fs.symlink(0, '/nowhere', '/dangle')).toBe(0);
    const f = fs.open(0, '/f', O_RDONLY);
    const l = fs.open(0, '/dangle', O_PATH | O_NOFOLLOW);
    const s = newStat();
    expect(fs.fstatat(0, f, '', s, AT_EMPTY_PATH)).toBe(0);
    expect(s.ino).toBe(lstatOf(fs, '/f').ino);
    expect(fs.fstatat(0, l, '', s, AT_EMPTY_PATH)).toBe(0);
    expect(s.mode).toBe(S_IFLNK | 0o777);
    expect(fs.fstatat(0, l, '', s, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW)).toBe(0);
    expect(fs.chdir(0, '/d')).toBe(0);
    expect(fs.fstatat(0, AT_FDCWD, '', s, AT_EMPTY_PATH)).toBe(0);
    expect(s.ino).toBe(lstatOf(fs, '/d').ino);
    expect(E(fs.fstatat(0, f, '', s, 0))).toBe('ENOENT');
    expect(E(fs.fstatat(0, 99, '', s, AT_EMPTY_PATH))).toBe('EBADF');
  });

  test('AT_SYMLINK_NOFOLLOW stats the link; AT_NO_AUTOMOUNT and the AT_STATX_* sync flags are accepted', () => {
    const { fs } = tmpfsSetup();
    put(fs, '/f', 'abc');
    expect(fs.symlink(0, '/f', '/l')).toBe(0);
    const s = newStat();
    expect(fs.fstatat(0, AT_FDCWD, '/l', s, AT_SYMLINK_NOFOLLOW)).toBe(0);
    expect(s.mode & S_IFMT).toBe(S_IFLNK);
    for (const flags of [AT_NO_AUTOMOUNT, AT_STATX_FORCE_SYNC, AT_STATX_DONT_SYNC, AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC]) {
      expect(fs.fstatat(0, AT_FDCWD, '/l', s, flags)).toBe(0);
      expect(s.mode & S_IFMT).toBe(S_IFREG);
    }
  });

  test('EINVAL for any other flag', () => {
    const { fs } = tmpfsSetup();
    const s = newStat();
    for (const flags of [0x1, AT_REMOVEDIR, AT_SYMLINK_FOLLOW, AT_RECURSIVE, 0x10000]) {
      expect([flags, E(fs.fstatat(0, AT_FDCWD, '/', s, flags))]).toEqual([flags, 'EINVAL']);
    }
  });
});

describe('statx', () => {
  test('fills the stat fields and says so in the mask (basic stats and birth time)', () => {
    const { fs, clock } = tmpfsSetup();
    clock.set(T0 + 2, 77);
    put(fs, '/f', 'abc');
    const x = newStatx();
    expect(fs.statx(0, AT_FDCWD, '/f', 0, STATX_BASIC_STATS | STATX_BTIME, x)).toBe(0);
    expect(x.mask & (STATX_BASIC_STATS | STATX_BTIME)).toBe(STATX_BASIC_STATS | STATX_BTIME);
    expect(id(x)).toEqual(id(lstatOf(fs, '/f')));
    expect([x.birthtimeSec, x.birthtimeNsec]).toEqual([T0 + 2, 77]);
    expect(x.attributes).toBe(0);
    // A smaller request still gets an answer (the man page allows more than asked).
    expect(fs.statx(0, AT_FDCWD, '/f', 0, STATX_TYPE, x)).toBe(0);
    expect(x.mask & STATX_TYPE).toBe(STATX_TYPE);
  });

  test('device numbers, AT_SYMLINK_NOFOLLOW and AT_EMPTY_PATH', () => {
    const { fs } = tmpfsSetup();
    expect(fs.mknod(0, '/chr', S_IFCHR | 0o600, 1, 3)).toBe(0);
    expect(fs.symlink(0, '/chr', '/l')).toBe(0);
    const x = newStatx();
    expect(fs.statx(0, AT_FDCWD, '/l', 0, STATX_BASIC_STATS, x)).toBe(0);
    expect([x.mode, x.rdevMajor, x.rdevMinor]).toEqual([S_IFCHR | 0o600, 1, 3]);
    expect(fs.statx(0, AT_FDCWD, '/l', AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, x)).toBe(0);
    expect([x.mode, x.size]).toEqual([S_IFLNK | 0o777, 4]);
    const fd = fs.open(0, '/l', O_PATH);
    expect(fs.statx(0, fd, '', AT_EMPTY_PATH, STATX_BASIC_STATS, x)).toBe(0);
    expect(x.mode & S_IFMT).toBe(S_IFCHR);
    expect(E(fs.statx(0, fd, '', 0, STATX_BASIC_STATS, x))).toBe('ENOENT');
    expect(fs.statx(0, AT_FDCWD, '/l', AT_STATX_FORCE_SYNC, STATX_BASIC_STATS, x)).toBe(0);
  });

  test('EINVAL for both sync flags together, an unknown flag, or the reserved mask bit', () => {
    const { fs } = tmpfsSetup();
    const x = newStatx();
    expect(E(fs.statx(0, AT_FDCWD, '/', AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC, STATX_BASIC_STATS, x))).toBe('EINVAL');
    expect(E(fs.statx(0, AT_FDCWD, '/', 0x1, STATX_BASIC_STATS, x))).toBe('EINVAL');
    expect(E(fs.statx(0, AT_FDCWD, '/', 0, 0x80000000, x))).toBe('EINVAL');
  });

  test('the path errors of stat: ENOENT, ENOTDIR, EACCES', () => {
    const { fs } = tmpfsSetup();
    put(fs, '/f');
    expect(fs.mkdir(0, '/ns', 0o700)).toBe(0);
    put(fs, '/ns/f');
    expect(fs.createCage(1, { uid: 1000, gid: 1000 })).toBe(0);
    const x = newStatx();
    expect(E(fs.statx(0, AT_FDCWD, '/nope', 0, STATX_BASIC_STATS, x))).toBe('ENOENT');
    expect(E(fs.statx(0, AT_FDCWD, '/f/x', 0, STATX_BASIC_STATS, x))).toBe('ENOTDIR');
    expect(E(fs.statx(1, AT_FDCWD, '/ns/f', 0, STATX_BASIC_STATS, x))).toBe('EACCES');
  });
});

describe('statfs and fstatfs', () => {
  test('report tmpfs: magic, 4 KiB blocks, NAME_MAX 255, totals from the limits, ST_VALID|ST_RELATIME', () => {
    const { fs } = tmpfsSetup({ maxBytes: 256 * K4, maxInodes: 100 });
    const f = newStatfs();
    expect(fs.statfs(0, '/', f)).toBe(0);
    expect([f.type, f.bsize, f.frsize, f.namelen]).toEqual([TMPFS_MAGIC, 4096, 4096, 255]);
    expect([f.blocks, f.bfree, f.bavail]).toEqual([256, 256, 256]);
    expect([f.files, f.ffree]).toEqual([100, 99]); // the root directory is one inode
    expect(f.flags).toBe(ST_VALID | ST_RELATIME);
  });

  test('free blocks and inodes follow what is stored', () => {
    const { fs } = tmpfsSetup({ maxBytes: 256 * K4, maxInodes: 100 });
    const fd = fs.open(0, '/f', O_CREAT | O_RDWR, 0o644);
    expect(fs.write(0, fd, new Uint8Array(3 * K4))).toBe(3 * K4);
    const f = newStatfs();
    expect(fs.fstatfs(0, fd, f)).toBe(0);
    expect([f.bfree, f.bavail, f.ffree]).toEqual([253, 253, 98]);
    expect(fs.ftruncate(0, fd, 0)).toBe(0);
    expect(fs.close(0, fd)).toBe(0);
    expect(fs.unlink(0, '/f')).toBe(0);
    expect(fs.statfs(0, '/', f)).toBe(0);
    expect([f.bfree, f.ffree]).toEqual([256, 99]);
  });

  test('statfs follows symlinks and takes the path errors; fstatfs takes any open descriptor, O_PATH included', () => {
    const { fs } = tmpfsSetup();
    put(fs, '/f');
    expect(fs.symlink(0, '/nowhere', '/dangle')).toBe(0);
    expect(fs.symlink(0, '/loop', '/loop')).toBe(0);
    expect(fs.mkdir(0, '/ns', 0o700)).toBe(0);
    expect(fs.createCage(1, { uid: 1000, gid: 1000 })).toBe(0);
    const f = newStatfs();
    expect(E(fs.statfs(0, '/nope', f))).toBe('ENOENT');
    expect(E(fs.statfs(0, '/dangle', f))).toBe('ENOENT');
    expect(E(fs.statfs(0, '', f))).toBe('ENOENT');
    expect(E(fs.statfs(0, '/f/x', f))).toBe('ENOTDIR');
    expect(E(fs.statfs(0, '/loop', f))).toBe('ELOOP');
    expect(E(fs.statfs(1, '/ns/x', f))).toBe('EACCES');
    expect(E(fs.statfs(0, '/' + 'a'.repeat(256), f))).toBe('ENAMETOOLONG');
    expect(E(fs.fstatfs(0, 99, f))).toBe('EBADF');
    const p = fs.open(0, '/f', O_PATH);
    expect(fs.fstatfs(0, p, f)).toBe(0);
    expect(f.type).toBe(TMPFS_MAGIC);
  });
});
