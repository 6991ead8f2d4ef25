/**
 * symlink(2) and symlinkat(2), and how symbolic links are resolved (path_resolution(7),
 * symlink(7)): the target is stored verbatim (any bytes, relative or absolute, dangling),
 * st_size is its length, the mode is 0777 whatever the umask; the errors in the order
 * Linux finds them (do_symlinkat: the target (ENOENT for "", ENAMETOOLONG), then
 * filename_create and may_create); and resolution: links in the middle of a path, physical
 * "..", absolute targets, trailing slashes, at most 40 links (ELOOP), "/.." and ".." at
 * the root. Expectations checked against Linux 6.18 (tmpfs) with C probes.
 */
import { describe, test, expect, beforeEach } from 'vitest';
import {
  Imfs, manualClock, newStat, type Stat,
  AT_FDCWD, O_CREAT, O_DIRECTORY, O_NOFOLLOW, O_PATH, O_RDONLY, O_WRONLY, S_IFDIR, S_IFLNK,
  S_IFMT, S_IFREG,
} from '../../src/core/index.js';
import { T0, r, lstatOf, createFile, ownedDir, cwdOf } from '../helpers/conformance.js';

const ROOT = 0;
/** uid 1000, gid 1000, umask 077. */
const USER = 1;
/** A root cage with its own cwd. */
const SHELL = 2;

const T1 = T0 + 30;
const clock = manualClock(T0);
let fs: Imfs;
const st: Stat = newStat();

const lstat = (path: string): Stat => lstatOf(fs, path);
const file = (path: string, mode = 0o644): void => createFile(fs, path, mode);
const dir = (path: string, mode = 0o755, uid = 0, gid = 0): void => ownedDir(fs, path, mode, uid, gid);

/** The stored target as bytes. */
function target(path: string): Buffer {
  const buf = Buffer.alloc(8192);
  const n = fs.readlink(ROOT, path, buf);
  expect(n).toBeGreaterThanOrEqual(0);
  return buf.subarray(0, n);
}

const getcwd = (cage: number): string | number => cwdOf(fs, cage);

beforeEach(() => {
  clock.set(T0, 0);
  fs = new Imfs({ clock });
  fs.createCage(USER, { uid: 1000, gid: 1000, groups: [1000], umask: 0o077 });
  fs.createCage(SHELL, {});
  file('/f');
  dir('/d');
  file('/d/inner');
});

describe('creating a symlink', () => {
  test('lstat shows S_IFLNK, mode 0777 whatever the umask, nlink 1, the creator as owner, size = target length', () => {
    dir('/w', 0o777);
    expect(r(fs.symlink(USER, 'target', '/w/s'))).toBe(0);
    const s = lstat('/w/s');
    expect(s.mode).toBe(S_IFLNK | 0o777);
    expect([s.nlink, s.uid, s.gid, s.size]).toEqual([1, 1000, 1000, 6]);
  });

  test.each([
    ['a relative target', 'target'],
    ['an absolute target', '/abs/path'],
    ['a target with odd slashes and dots', 'a//b/../c/'],
    ['a target of spaces', '   '],
    ['a dangling target', 'no/such/thing'],
    ['a target naming the link itself', 's'],
  ])('%s is stored verbatim', (_what, t) => {
    expect(r(fs.symlink(ROOT, t, '/s'))).toBe(0);
    expect(target('/s').toString()).toBe(t);
    expect(lstat('/s').size).toBe(t.length);
  });

  test('the target is bytes: any non-NUL bytes round-trip, and st_size counts bytes', () => {
    const bytes = new Uint8Array([0xff, 0xfe, 0x61, 0x80, 0x2f, 0x01]);
    expect(r(fs.symlink(ROOT, bytes, '/bytes'))).toBe(0);
    expect([...target('/bytes')]).toEqual([...bytes]);
    expect(r(fs.symlink(ROOT, 'é', '/utf8'))).toBe(0);
    expect(lstat('/utf8').size).toBe(2);
    expect([...target('/utf8')]).toEqual([0xc3, 0xa9]);
  });

  test('a target of 4095 bytes is allowed, 4096 is ENAMETOOLONG', () => {
    expect(r(fs.symlink(ROOT, 'c'.repeat(4095), '/l4095'))).toBe(0);
    expect(lstat('/l4095').size).toBe(4095);
    expect(r(fs.symlink(ROOT, 'c'.repeat(4096), '/l4096'))).toBe('ENAMETOOLONG');
    expect(fs.exists(ROOT, '/l4096')).toBe(false);
  });

  test('a target with a component over 255 bytes can be stored, but not followed (ENAMETOOLONG)', () => {
    expect(r(fs.symlink(ROOT, 'e'.repeat(300), '/longcomp'))).toBe(0);
    expect(r(fs.stat(ROOT, '/longcomp', st))).toBe('ENAMETOOLONG');
    expect(r(fs.lstat(ROOT, '/longcomp', st))).toBe(0);
  });

  test('times are now; the parent gets a new mtime and ctime', () => {
    clock.set(T1, 8);
    expect(fs.symlink(ROOT, 'x', '/d/s')).toBe(0);
    const s = lstat('/d/s');
    expect([s.atimeSec, s.mtimeSec, s.ctimeSec]).toEqual([T1, T1, T1]);
    const d = lstat('/d');
    expect([d.mtimeSec, d.mtimeNsec, d.ctimeSec, d.ctimeNsec]).toEqual([T1, 8, T1, 8]);
  });

  test('in a set-group-ID directory the link takes the directory\'s group', () => {
    dir('/sg', 0o2777, 0, 500);
    expect(fs.symlink(USER, 'x', '/sg/s')).toBe(0);
    expect(lstat('/sg/s').gid).toBe(500);
  });

  test('symlinkat resolves the link path against the descriptor', () => {
    const d = fs.open(ROOT, '/d', O_RDONLY | O_DIRECTORY);
    expect(r(fs.symlinkat(ROOT, 'inner', d, 's'))).toBe(0);
    expect(fs.stat(ROOT, '/d/s', st)).toBe(0);
    expect(st.ino).toBe(lstat('/d/inner').ino);
    expect(r(fs.symlinkat(ROOT, 'x', 99, 's'))).toBe('EBADF');
    const f = fs.open(ROOT, '/f', O_RDONLY);
    expect(r(fs.symlinkat(ROOT, 'x', f, 's'))).toBe('ENOTDIR');
    expect(r(fs.symlinkat(ROOT, 'x', 99, '/abs'))).toBe(0);
  });
});

describe('errors', () => {
  test('an empty target is ENOENT, before anything about the link path', () => {
    expect(r(fs.symlink(ROOT, '', '/empty'))).toBe('ENOENT');
    expect(r(fs.symlink(ROOT, '', '/f'))).toBe('ENOENT');
    expect(r(fs.symlink(ROOT, '', '/nope/x'))).toBe('ENOENT');
    expect(fs.exists(ROOT, '/empty')).toBe(false);
  });

  test('a target that is too long is ENAMETOOLONG before anything about the link path', () => {
    expect(r(fs.symlink(ROOT, 'c'.repeat(4096), '/nope/x'))).toBe('ENAMETOOLONG');
    expect(r(fs.symlink(ROOT, 'c'.repeat(4096), '/f'))).toBe('ENAMETOOLONG');
  });

  test.each([
    ['/f', 'EEXIST'],
    ['/d', 'EEXIST'],
    ['/d/', 'EEXIST'],
    ['/s1', 'EEXIST'],
    ['/dang', 'EEXIST'],
    ['/dang/', 'EEXIST'],
    ['/.', 'EEXIST'],
    ['/d/..', 'EEXIST'],
    ['/', 'EEXIST'],
    ['/new/', 'ENOENT'],
    ['/nope/y', 'ENOENT'],
    ['', 'ENOENT'],
    ['/f/y', 'ENOTDIR'],
    ['/' + 'a'.repeat(256), 'ENAMETOOLONG'],
    ['/' + 'b'.repeat(4096), 'ENAMETOOLONG'],
  ])('symlink("x", %s) → %s', (path, want) => {
    expect(fs.symlink(ROOT, 't', '/s1')).toBe(0);
    expect(fs.symlink(ROOT, 'nothing', '/dang')).toBe(0);
    expect(r(fs.symlink(ROOT, 'x', path))).toBe(want);
  });

  test('EACCES without write or search permission on the directory; EEXIST first', () => {
    dir('/ro', 0o555);
    dir('/nx', 0o666);
    file('/ro/f');
    expect(r(fs.symlink(USER, 'x', '/ro/s'))).toBe('EACCES');
    expect(r(fs.symlink(USER, 'x', '/nx/s'))).toBe('EACCES');
    expect(r(fs.symlink(USER, 'x', '/ro/f'))).toBe('EEXIST');
  });

  test('a removed directory takes no symlinks (ENOENT)', () => {
    dir('/gone');
    const g = fs.open(ROOT, '/gone', O_RDONLY | O_DIRECTORY);
    expect(fs.rmdir(ROOT, '/gone')).toBe(0);
    expect(r(fs.symlinkat(ROOT, 'x', g, 's'))).toBe('ENOENT');
  });

  test('ENOSPC when limits.maxInodes is reached', () => {
    fs = new Imfs({ clock, limits: { maxInodes: 2 } });
    expect(r(fs.symlink(ROOT, 'x', '/a'))).toBe(0);
    expect(r(fs.symlink(ROOT, 'x', '/b'))).toBe('ENOSPC');
    expect(r(fs.symlink(ROOT, 'x', '/a'))).toBe('EEXIST');
  });
});

describe('resolution', () => {
  beforeEach(() => {
    expect(fs.symlink(ROOT, 'd', '/mid')).toBe(0);
    expect(fs.symlink(ROOT, '/d', '/absd')).toBe(0);
    expect(fs.symlink(ROOT, 'd/inner', '/toinner')).toBe(0);
    expect(fs.symlink(ROOT, '../f', '/d/up')).toBe(0);
    expect(fs.symlink(ROOT, 'loop', '/loop')).toBe(0);
  });

  test('a symlink in the middle of a path is followed, relative to the directory holding it', () => {
    expect(fs.stat(ROOT, '/mid/inner', st)).toBe(0);
    expect(st.ino).toBe(lstat('/d/inner').ino);
    expect(fs.stat(ROOT, '/mid/./inner', st)).toBe(0);
    expect(fs.stat(ROOT, '/d/up', st)).toBe(0);
    expect(st.ino).toBe(lstat('/f').ino);
  });

  test('".." after a symlink is the parent of the directory it led to (physical, not lexical)', () => {
    dir('/d/sub');
    expect(fs.symlink(ROOT, '/d/sub', '/e')).toBe(0);
    expect(fs.stat(ROOT, '/e/..', st)).toBe(0);
    expect(st.ino).toBe(lstat('/d').ino);
    expect(fs.stat(ROOT, '/e/../inner', st)).toBe(0);
    expect(fs.stat(ROOT, '/mid/../f', st)).toBe(0);
  });

  test('an absolute target starts again from the root, also through a directory descriptor', () => {
    expect(fs.stat(ROOT, '/absd/inner', st)).toBe(0);
    const d = fs.open(ROOT, '/d', O_RDONLY | O_DIRECTORY);
    expect(fs.symlink(ROOT, '/f', '/d/toroot')).toBe(0);
    expect(fs.fstatat(ROOT, d, 'toroot', st, 0)).toBe(0);
    expect(st.ino).toBe(lstat('/f').ino);
  });

  test('a trailing slash makes the last symlink followed, and needs a directory at the end', () => {
    expect(fs.lstat(ROOT, '/mid/', st)).toBe(0);
    expect(st.mode & S_IFMT).toBe(S_IFDIR);
    expect(fs.lstat(ROOT, '/mid', st)).toBe(0);
    expect(st.mode & S_IFMT).toBe(S_IFLNK);
    expect(r(fs.stat(ROOT, '/toinner/', st))).toBe('ENOTDIR');
    expect(r(fs.stat(ROOT, '/toinner/.', st))).toBe('ENOTDIR');
    expect(r(fs.open(ROOT, '/toinner/', O_RDONLY))).toBe('ENOTDIR');
    expect(fs.stat(ROOT, '/toinner', st)).toBe(0);
    expect(st.mode & S_IFMT).toBe(S_IFREG);
  });

  test('a dangling symlink: lstat works, stat and open are ENOENT, open(O_CREAT) creates the target', () => {
    expect(fs.symlink(ROOT, 'made', '/dang')).toBe(0);
    expect(r(fs.lstat(ROOT, '/dang', st))).toBe(0);
    expect(r(fs.stat(ROOT, '/dang', st))).toBe('ENOENT');
    expect(r(fs.open(ROOT, '/dang', O_RDONLY))).toBe('ENOENT');
    expect(fs.open(ROOT, '/dang', O_CREAT | O_WRONLY, 0o644)).toBeGreaterThanOrEqual(0);
    expect(lstat('/made').mode & S_IFMT).toBe(S_IFREG);
  });

  test('chdir through a symlink: getcwd shows the physical path', () => {
    expect(fs.chdir(SHELL, '/mid')).toBe(0);
    expect(getcwd(SHELL)).toBe('/d');
    expect(fs.stat(SHELL, 'inner', st)).toBe(0);
  });

  describe('ELOOP', () => {
    test('a link to itself: stat and a trailing slash are ELOOP, lstat is fine', () => {
      expect(r(fs.stat(ROOT, '/loop', st))).toBe('ELOOP');
      expect(r(fs.stat(ROOT, '/loop/', st))).toBe('ELOOP');
      expect(r(fs.stat(ROOT, '/loop/x', st))).toBe('ELOOP');
      expect(r(fs.lstat(ROOT, '/loop', st))).toBe(0);
      expect(r(fs.open(ROOT, '/loop', O_RDONLY))).toBe('ELOOP');
      expect(r(fs.open(ROOT, '/loop', O_PATH | O_NOFOLLOW))).toBeGreaterThanOrEqual(0);
    });

    test('a chain of 40 links resolves, 41 is ELOOP (at the end of a path)', () => {
      // c0 → c1 → … → c44 → c45 (a file)
      for (let i = 0; i < 45; i++) expect(fs.symlink(ROOT, `c${i + 1}`, `/c${i}`)).toBe(0);
      file('/c45');
      expect(r(fs.stat(ROOT, '/c5', st))).toBe(0); // 40 links
      expect(r(fs.stat(ROOT, '/c4', st))).toBe('ELOOP'); // 41
      expect(r(fs.lstat(ROOT, '/c4', st))).toBe(0);
      expect(r(fs.open(ROOT, '/c5', O_RDONLY))).toBeGreaterThanOrEqual(0);
    });

    test('and in the middle of a path, counting every link on the way', () => {
      // e0 → e1 → … → e44 → /d
      for (let i = 0; i < 45; i++) expect(fs.symlink(ROOT, i === 44 ? 'd' : `e${i + 1}`, `/e${i}`)).toBe(0);
      expect(r(fs.stat(ROOT, '/e5/inner', st))).toBe(0);
      expect(r(fs.stat(ROOT, '/e4/inner', st))).toBe('ELOOP');
      expect(r(fs.stat(ROOT, '/e5/', st))).toBe(0);
      expect(r(fs.stat(ROOT, '/e4/', st))).toBe('ELOOP');
      expect(r(fs.mkdir(ROOT, '/e5/new', 0o755))).toBe(0);
      expect(r(fs.mkdir(ROOT, '/e4/new2', 0o755))).toBe('ELOOP');
      // the last component of a name being created or removed is not followed
      expect(r(fs.rmdir(ROOT, '/e5/'))).toBe('ENOTDIR');
      expect(r(fs.unlink(ROOT, '/e4'))).toBe(0);
    });
  });

  describe('the root', () => {
    test('"/.." is "/", and ".." at the root stays there', () => {
      expect(fs.stat(ROOT, '/..', st)).toBe(0);
      expect(st.ino).toBe(lstat('/').ino);
      expect(fs.stat(ROOT, '/../../d/../..', st)).toBe(0);
      expect(st.ino).toBe(lstat('/').ino);
      expect(fs.stat(ROOT, '/../../d/inner', st)).toBe(0);
      expect(fs.stat(SHELL, '..', st)).toBe(0);
      expect(st.ino).toBe(lstat('/').ino);
      expect(fs.chdir(SHELL, '../..')).toBe(0);
      expect(getcwd(SHELL)).toBe('/');
    });

    test('a symlink to "/.." or "/" resolves to the root', () => {
      expect(fs.symlink(ROOT, '/..', '/rootdotdot')).toBe(0);
      expect(fs.symlink(ROOT, '/', '/root')).toBe(0);
      for (const p of ['/rootdotdot', '/root', '/root/', '/root/..', '/d/../root/.']) {
        expect(fs.stat(ROOT, p, st)).toBe(0);
        expect(st.ino).toBe(lstat('/').ino);
      }
      expect(fs.stat(ROOT, '/root/d/inner', st)).toBe(0);
    });

    test('calls that do not follow the last component see the symlink to "/" with a trailing slash as the link', () => {
      expect(fs.symlink(ROOT, '/', '/root')).toBe(0);
      expect(r(fs.unlink(ROOT, '/root/'))).toBe('ENOTDIR');
      expect(r(fs.rmdir(ROOT, '/root/'))).toBe('ENOTDIR');
      expect(r(fs.mkdir(ROOT, '/root/', 0o755))).toBe('EEXIST');
      expect(r(fs.symlink(ROOT, 'x', '/root/'))).toBe('EEXIST');
      expect(r(fs.rename(ROOT, '/root/', '/x'))).toBe('ENOTDIR');
      expect(fs.lstat(ROOT, '/root/', st)).toBe(0);
      expect(st.mode & S_IFMT).toBe(S_IFDIR);
    });
  });

  test('search permission is needed on every directory a symlink leads through', () => {
    dir('/nx', 0o700);
    dir('/nx/in', 0o755);
    file('/nx/in/f');
    expect(fs.symlink(ROOT, '/nx/in', '/via')).toBe(0);
    expect(r(fs.stat(USER, '/via/f', st))).toBe('EACCES');
    expect(r(fs.lstat(USER, '/via', st))).toBe(0);
    expect(r(fs.stat(ROOT, '/via/f', st))).toBe(0);
  });

  test('an O_PATH | O_NOFOLLOW descriptor refers to the link itself', () => {
    const fd = fs.open(ROOT, '/mid', O_PATH | O_NOFOLLOW);
    expect(fd).toBeGreaterThanOrEqual(0);
    expect(fs.fstat(ROOT, fd, st)).toBe(0);
    expect(st.mode & S_IFMT).toBe(S_IFLNK);
    expect(r(fs.openat(ROOT, fd, 'inner', O_RDONLY))).toBe('ENOTDIR');
    expect(fs.fstatat(ROOT, AT_FDCWD, '/mid', st, 0)).toBe(0);
    expect(st.mode & S_IFMT).toBe(S_IFDIR);
  });
});
