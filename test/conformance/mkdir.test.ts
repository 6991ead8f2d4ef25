/**
 * mkdir(2) and mkdirat(2): the mode a new directory gets (mode & ~umask & 01777, set-id
 * bits from the mode ignored, S_ISGID and the group inherited from a set-group-ID parent),
 * link counts, timestamps, trailing slashes, the limits (EMLINK, ENOSPC), and every errno
 * in the order Linux finds them (filename_create: the path, "."/".."/"/" → EEXIST, the
 * name (ENAMETOOLONG), EEXIST; then may_create: ENOENT in a removed directory, EACCES; then
 * EMLINK, ENOSPC). Expectations checked against Linux 6.18 (tmpfs) with C probes.
 */
import { describe, test, expect, beforeEach } from 'vitest';
import {
  Imfs, manualClock, newStat, type Stat,
  AT_FDCWD, O_DIRECTORY, O_PATH, O_RDONLY, S_IFDIR, S_IFMT, S_ISGID,
} from '../../src/core/index.js';
import { T0, r, lstatOf, createFile, ownedDir } from '../helpers/conformance.js';

const ROOT = 0;
/** uid 1000, gid 1000, umask 0. */
const USER = 1;

const T1 = T0 + 70;
const clock = manualClock(T0);
let fs: Imfs;
const st: Stat = newStat();

const lstat = (path: string): Stat => lstatOf(fs, path);
const file = (path: string, mode = 0o644): void => createFile(fs, path, mode);
const dir = (path: string, mode = 0o755, uid = 0, gid = 0): void => ownedDir(fs, path, mode, uid, gid);

/** The names readdir returns for a directory, "." and ".." included. */
function names(path: string): string[] {
  const fd = fs.opendir(ROOT, path);
  expect(fd).toBeGreaterThanOrEqual(0);
  const out: string[] = [];
  for (;;) {
    const e = fs.readdir(ROOT, fd);
    if (e === null || typeof e === 'number') break;
    out.push(e.name);
  }
  fs.close(ROOT, fd);
  return out;
}

beforeEach(() => {
  clock.set(T0, 0);
  fs = new Imfs({ clock });
  fs.createCage(USER, { uid: 1000, gid: 1000, groups: [1000], umask: 0 });
  dir('/a');
  file('/file');
  expect(fs.symlink(ROOT, 'nothing', '/dang')).toBe(0);
  expect(fs.symlink(ROOT, 'a', '/sla')).toBe(0);
});

describe('the new directory', () => {
  test.each([
    [0o755, 0o022, 0o755],
    [0o7777, 0o022, 0o1755],
    [0o7777, 0o000, 0o1777],
    [0o0000, 0o000, 0o0000],
    [0o1777, 0o777, 0o1000],
    [0o6755, 0o000, 0o0755],
    [0o170777, 0o022, 0o755],
  ])('mode %o with umask %o gives %o (mode & ~umask & 01777)', (mode, umask, want) => {
    fs.umask(ROOT, umask);
    expect(r(fs.mkdir(ROOT, '/n', mode))).toBe(0);
    const s = lstat('/n');
    expect(s.mode & S_IFMT).toBe(S_IFDIR);
    expect(s.mode & 0o7777).toBe(want);
  });

  test('it has nlink 2, the creator as owner, and "." and ".." only; the parent gains a link', () => {
    expect(lstat('/').nlink).toBe(3);
    dir('/w', 0o777);
    expect(r(fs.mkdir(USER, '/w/n', 0o700))).toBe(0);
    const s = lstat('/w/n');
    expect(s.nlink).toBe(2);
    expect([s.uid, s.gid]).toEqual([1000, 1000]);
    expect(lstat('/w').nlink).toBe(3);
    expect(names('/w/n')).toEqual(['.', '..']);
    expect(fs.stat(ROOT, '/w/n/..', st)).toBe(0);
    expect(st.ino).toBe(lstat('/w').ino);
  });

  test('its times are now; the parent gets a new mtime and ctime', () => {
    clock.set(T1, 3);
    expect(fs.mkdir(ROOT, '/a/n', 0o755)).toBe(0);
    const s = lstat('/a/n');
    expect([s.atimeSec, s.mtimeSec, s.ctimeSec, s.birthtimeSec]).toEqual([T1, T1, T1, T1]);
    const a = lstat('/a');
    expect([a.mtimeSec, a.mtimeNsec, a.ctimeSec, a.ctimeNsec]).toEqual([T1, 3, T1, 3]);
    expect(a.atimeSec).toBe(T0);
  });

  test('trailing slashes are allowed', () => {
    expect(r(fs.mkdir(ROOT, '/g/', 0o755))).toBe(0);
    expect(r(fs.mkdir(ROOT, '/h//', 0o755))).toBe(0);
    expect(lstat('/h').mode & S_IFMT).toBe(S_IFDIR);
  });

  test('a symlink in the middle of the path is followed', () => {
    expect(r(fs.mkdir(ROOT, '/sla/x', 0o755))).toBe(0);
    expect(lstat('/a/x').mode & S_IFMT).toBe(S_IFDIR);
  });

  test('mkdirat resolves a relative path against the directory descriptor (O_PATH too)', () => {
    const d = fs.open(ROOT, '/a', O_RDONLY | O_DIRECTORY);
    expect(r(fs.mkdirat(ROOT, d, 'x', 0o755))).toBe(0);
    const p = fs.open(ROOT, '/a', O_PATH);
    expect(r(fs.mkdirat(ROOT, p, 'y', 0o755))).toBe(0);
    expect(r(fs.mkdirat(ROOT, 99, '/a/z', 0o755))).toBe(0);
    expect(names('/a')).toEqual(['.', '..', 'x', 'y', 'z']);
  });

  describe('in a set-group-ID directory', () => {
    beforeEach(() => {
      dir('/sg', 0o2777, 0, 500);
    });

    test('the new directory takes the group of the parent and S_ISGID, whatever the mode asked', () => {
      expect(r(fs.mkdir(ROOT, '/sg/x', 0o755))).toBe(0);
      let s = lstat('/sg/x');
      expect(s.gid).toBe(500);
      expect(s.mode & 0o7777).toBe(0o2755);
      expect(r(fs.mkdir(ROOT, '/sg/y', 0))).toBe(0);
      s = lstat('/sg/y');
      expect(s.mode & 0o7777).toBe(0o2000);
    });

    test('also for a user who is not in that group', () => {
      expect(r(fs.mkdir(USER, '/sg/u', 0o755))).toBe(0);
      const s = lstat('/sg/u');
      expect([s.uid, s.gid]).toEqual([1000, 500]);
      expect(s.mode & S_ISGID).toBe(S_ISGID);
    });

    test('and it passes on: a directory made inside is set-group-ID too', () => {
      expect(fs.mkdir(ROOT, '/sg/x', 0o755)).toBe(0);
      expect(r(fs.mkdir(USER, '/sg/x/deeper', 0o755))).toBe('EACCES'); // /sg/x is 02755, root's
      expect(fs.chmod(ROOT, '/sg/x', 0o2777)).toBe(0);
      expect(r(fs.mkdir(USER, '/sg/x/deeper', 0o700))).toBe(0);
      const s = lstat('/sg/x/deeper');
      expect([s.gid, s.mode & 0o7777]).toEqual([500, 0o2700]);
    });
  });
});

describe('errors as root', () => {
  test.each([
    // EEXIST: the name exists, whatever it is, also with a trailing slash
    ['/a', 'EEXIST'],
    ['/a/', 'EEXIST'],
    ['/file', 'EEXIST'],
    ['/file/', 'EEXIST'],
    ['/dang', 'EEXIST'],
    ['/dang/', 'EEXIST'],
    ['/sla', 'EEXIST'],
    ['/sla/', 'EEXIST'],
    ['/.', 'EEXIST'],
    ['/..', 'EEXIST'],
    ['/', 'EEXIST'],
    ['/a/.', 'EEXIST'],
    ['/a/..', 'EEXIST'],
    // ENOENT
    ['/nope/x', 'ENOENT'],
    ['/nope/.', 'ENOENT'],
    ['/dang/x', 'ENOENT'],
    ['', 'ENOENT'],
    // ENOTDIR
    ['/file/x', 'ENOTDIR'],
    ['/file/.', 'ENOTDIR'],
    // ENAMETOOLONG
    ['/' + 'a'.repeat(256), 'ENAMETOOLONG'],
    ['/' + 'a'.repeat(256) + '/x', 'ENAMETOOLONG'],
    ['/' + 'b'.repeat(4096), 'ENAMETOOLONG'],
  ])('mkdir(%s) → %s', (path, want) => {
    const before = fs.inodes.live;
    expect(r(fs.mkdir(ROOT, path, 0o755))).toBe(want);
    expect(fs.inodes.live).toBe(before);
  });

  test('255 bytes is a valid name, and a 4095-byte path a valid path', () => {
    expect(r(fs.mkdir(ROOT, '/' + 'a'.repeat(255), 0o755))).toBe(0);
    expect(r(fs.mkdir(ROOT, './'.repeat(2046) + 'ok', 0o755))).toBe(0);
  });

  test('mkdirat: EBADF for a closed descriptor, ENOTDIR for a file descriptor', () => {
    expect(r(fs.mkdirat(ROOT, 99, 'x', 0o755))).toBe('EBADF');
    const f = fs.open(ROOT, '/file', O_RDONLY);
    expect(r(fs.mkdirat(ROOT, f, 'x', 0o755))).toBe('ENOTDIR');
    expect(r(fs.mkdirat(ROOT, AT_FDCWD, 'x', 0o755))).toBe(0); // cwd is /
  });

  test('a removed directory takes no new entries (ENOENT), but "." in it is still EEXIST', () => {
    dir('/gone');
    const g = fs.open(ROOT, '/gone', O_RDONLY | O_DIRECTORY);
    expect(fs.rmdir(ROOT, '/gone')).toBe(0);
    expect(r(fs.mkdirat(ROOT, g, 'x', 0o755))).toBe('ENOENT');
    expect(r(fs.mkdirat(ROOT, g, '.', 0o755))).toBe('EEXIST');
    expect(r(fs.mkdirat(ROOT, g, 'a'.repeat(256), 0o755))).toBe('ENOENT');
  });

  test('EMLINK when the parent has limits.maxLinks links (subdirectories count, files do not)', () => {
    fs = new Imfs({ clock, limits: { maxLinks: 4 } });
    expect(fs.mkdir(ROOT, '/x', 0o755)).toBe(0);
    file('/f1');
    file('/f2');
    expect(fs.mkdir(ROOT, '/y', 0o755)).toBe(0);
    expect(lstat('/').nlink).toBe(4);
    expect(r(fs.mkdir(ROOT, '/z', 0o755))).toBe('EMLINK');
    expect(fs.exists(ROOT, '/z')).toBe(false);
    expect(r(fs.mkdir(ROOT, '/x', 0o755))).toBe('EEXIST');
    expect(r(fs.mkdir(ROOT, '/x/sub', 0o755))).toBe(0);
    expect(fs.rmdir(ROOT, '/y')).toBe(0);
    expect(r(fs.mkdir(ROOT, '/z', 0o755))).toBe(0);
  });

  test('ENOSPC when limits.maxInodes inodes exist (the root is one), after EEXIST', () => {
    fs = new Imfs({ clock, limits: { maxInodes: 3 } });
    expect(fs.mkdir(ROOT, '/x', 0o755)).toBe(0);
    expect(fs.mkdir(ROOT, '/y', 0o755)).toBe(0);
    expect(r(fs.mkdir(ROOT, '/z', 0o755))).toBe('ENOSPC');
    expect(r(fs.mkdir(ROOT, '/x', 0o755))).toBe('EEXIST');
    expect(lstat('/').nlink).toBe(4);
    expect(fs.rmdir(ROOT, '/y')).toBe(0);
    expect(r(fs.mkdir(ROOT, '/z', 0o755))).toBe(0);
  });
});

describe('permissions (unprivileged user)', () => {
  beforeEach(() => {
    dir('/ro', 0o555);
    dir('/ro/in', 0o777);
    dir('/nx', 0o666);
  });

  test('EACCES without write permission on the parent', () => {
    expect(r(fs.mkdir(USER, '/ro/x', 0o755))).toBe('EACCES');
    expect(r(fs.mkdir(USER, '/ro/x/', 0o755))).toBe('EACCES');
  });

  test('EACCES without search permission on the parent, even for "."', () => {
    expect(r(fs.mkdir(USER, '/nx/x', 0o755))).toBe('EACCES');
    expect(r(fs.mkdir(USER, '/nx/.', 0o755))).toBe('EACCES');
    expect(r(fs.mkdir(USER, '/nx/' + 'a'.repeat(256), 0o755))).toBe('EACCES');
  });

  test('EEXIST and ENAMETOOLONG come before EACCES for write', () => {
    expect(r(fs.mkdir(USER, '/ro/in', 0o755))).toBe('EEXIST');
    expect(r(fs.mkdir(USER, '/ro/.', 0o755))).toBe('EEXIST');
    expect(r(fs.mkdir(USER, '/ro/' + 'a'.repeat(256), 0o755))).toBe('ENAMETOOLONG');
  });

  test('EACCES comes before EMLINK', () => {
    fs = new Imfs({ clock, limits: { maxLinks: 2 } });
    fs.createCage(USER, { uid: 1000, gid: 1000, groups: [1000], umask: 0 });
    expect(r(fs.mkdir(USER, '/x', 0o755))).toBe('EACCES');
    expect(r(fs.mkdir(ROOT, '/x', 0o755))).toBe('EMLINK');
  });

  test('in a removed directory ENOENT comes before EACCES', () => {
    dir('/gone', 0o555);
    const g = fs.open(USER, '/gone', O_RDONLY | O_DIRECTORY);
    expect(g).toBeGreaterThanOrEqual(0);
    expect(fs.rmdir(ROOT, '/gone')).toBe(0);
    expect(r(fs.mkdirat(USER, g, 'x', 0o755))).toBe('ENOENT');
  });
});
