/**
 * rename(2), renameat(2), renameat2(2): moving files and directories, replacing files and
 * empty directories (what happens to the replaced inode), hard links of one inode, the
 * subtree rules, "." and "..", trailing slashes, RENAME_NOREPLACE, RENAME_EXCHANGE,
 * RENAME_WHITEOUT, flag combinations, permissions and the sticky bit, link counts,
 * timestamps, ".." and getcwd of moved directories, readdir cursors, the limits, and the
 * order in which Linux finds the errors (do_renameat2: flags, both parent walks, "."/".."
 * → EBUSY, the old name, the new name, the trailing slashes, the subtree; then vfs_rename:
 * may_delete/may_create, write permission on a moved directory, EMLINK, ENOTEMPTY).
 * Expectations checked against Linux 6.18 (tmpfs) with C probes, as root and as
 * unprivileged users (a chroot for the cases about "/").
 */
import { describe, test, expect, beforeEach, afterEach } from 'vitest';
import { checkInvariants } from '../../src/core/check.js';
import {
  Imfs, manualClock, newStat, type Stat,
  AT_FDCWD, O_CREAT, O_DIRECTORY, O_PATH, O_RDONLY, O_RDWR, O_WRONLY, RENAME_EXCHANGE,
  RENAME_NOREPLACE, RENAME_WHITEOUT, S_IFCHR, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG,
} from '../../src/core/index.js';
import { T0, r, lstatOf, ownedFile, ownedDir, cwdOf } from '../helpers/conformance.js';

const ROOT = 0;
/** uid 1000, gid 1000, umask 0. */
const USER = 1;
/** A root cage whose cwd is inside a directory that gets moved. */
const SHELL = 2;

const T1 = T0 + 90;
const clock = manualClock(T0);
let fs: Imfs;
const st: Stat = newStat();

const lstat = (path: string): Stat => lstatOf(fs, path);

const ino = (path: string): number => lstat(path).ino;
const nlink = (path: string): number => lstat(path).nlink;
const gone = (path: string): boolean => fs.lstat(ROOT, path, st) < 0;

const file = (path: string, content = '', mode = 0o644, uid = 0, gid = 0): void => ownedFile(fs, path, mode, uid, gid, content);
const dir = (path: string, mode = 0o755, uid = 0, gid = 0): void => ownedDir(fs, path, mode, uid, gid);

function content(path: string): string {
  const fd = fs.open(ROOT, path, O_RDONLY);
  expect(fd).toBeGreaterThanOrEqual(0);
  const buf = Buffer.alloc(100);
  const n = fs.read(ROOT, fd, buf);
  fs.close(ROOT, fd);
  return buf.subarray(0, n).toString();
}

const getcwd = (cage: number): string | number => cwdOf(fs, cage);

const rn = (from: string, to: string, flags = 0, cage = ROOT) => r(fs.renameat2(cage, AT_FDCWD, from, AT_FDCWD, to, flags));

beforeEach(() => {
  clock.set(T0, 0);
  fs = new Imfs({ clock });
  fs.createCage(USER, { uid: 1000, gid: 1000, groups: [1000], umask: 0 });
  fs.createCage(SHELL, { umask: 0o022 });
  file('/f', 'F');
  file('/g', 'G');
  dir('/d');
  dir('/d/sub');
  dir('/d/sub/deep');
  dir('/e');
  dir('/full');
  file('/full/x');
  expect(fs.symlink(ROOT, 'f', '/sl')).toBe(0);
  expect(fs.symlink(ROOT, 'd', '/sld')).toBe(0);
  expect(fs.symlink(ROOT, 'nothing', '/dang')).toBe(0);
});

// Whatever a case did, the filesystem must be left consistent.
afterEach(() => {
  expect(checkInvariants(fs)).toEqual([]);
});

describe('moving files', () => {
  test('the inode changes name, keeps its number and nlink 1', () => {
    const i = ino('/f');
    expect(rn('/f', '/d/moved')).toBe(0);
    expect(gone('/f')).toBe(true);
    expect(ino('/d/moved')).toBe(i);
    expect(nlink('/d/moved')).toBe(1);
    expect(content('/d/moved')).toBe('F');
  });

  test('replacing a file frees the replaced inode', () => {
    const i = ino('/f'), live = fs.inodes.live;
    expect(rn('/f', '/g')).toBe(0);
    expect(ino('/g')).toBe(i);
    expect(content('/g')).toBe('F');
    expect(gone('/f')).toBe(true);
    expect(fs.inodes.live).toBe(live - 1);
  });

  test('a replaced inode with other links loses one link and gets a new ctime', () => {
    expect(fs.link(ROOT, '/g', '/g2')).toBe(0);
    clock.set(T1, 1);
    expect(rn('/f', '/g')).toBe(0);
    const g2 = lstat('/g2');
    expect(g2.nlink).toBe(1);
    expect([g2.ctimeSec, g2.ctimeNsec]).toEqual([T1, 1]);
    expect(content('/g2')).toBe('G');
  });

  test('a replaced inode that is open stays readable with nlink 0 until closed', () => {
    const fd = fs.open(ROOT, '/g', O_RDWR);
    const live = fs.inodes.live;
    expect(rn('/f', '/g')).toBe(0);
    expect(fs.fstat(ROOT, fd, st)).toBe(0);
    expect(st.nlink).toBe(0);
    const buf = Buffer.alloc(4);
    expect(fs.pread(ROOT, fd, buf, 4, 0)).toBe(1);
    expect(buf.subarray(0, 1).toString()).toBe('G');
    expect(fs.inodes.live).toBe(live);
    expect(fs.close(ROOT, fd)).toBe(0);
    expect(fs.inodes.live).toBe(live - 1);
  });

  test('renaming onto another hard link of the same inode does nothing and succeeds: both names remain', () => {
    expect(fs.link(ROOT, '/f', '/f2')).toBe(0);
    expect(rn('/f', '/f2')).toBe(0);
    expect(nlink('/f')).toBe(2);
    expect(ino('/f2')).toBe(ino('/f'));
    expect(rn('/f', '/f2', RENAME_EXCHANGE)).toBe(0);
    expect(nlink('/f2')).toBe(2);
    expect(rn('/f', '/f2', RENAME_NOREPLACE)).toBe('EEXIST');
    expect(rn('/f', '/f')).toBe(0);
    expect(rn('/f', '/./f')).toBe(0);
    expect(content('/f')).toBe('F');
  });

  test('a symlink is moved itself, never followed', () => {
    expect(rn('/sl', '/d/sl')).toBe(0);
    expect(lstat('/d/sl').mode & S_IFMT).toBe(S_IFLNK);
    expect(nlink('/f')).toBe(1);
    expect(rn('/dang', '/dang2')).toBe(0);
    expect(rn('/sld', '/g')).toBe(0); // a symlink to a directory may replace a file
    expect(lstat('/g').mode & S_IFMT).toBe(S_IFLNK);
  });

  test('names are bytes and round-trip', () => {
    const name = new Uint8Array([0x2f, 0xff, 0xfe, 0x0a]);
    expect(r(fs.rename(ROOT, '/f', name))).toBe(0);
    expect(r(fs.lstat(ROOT, name, st))).toBe(0);
    expect(r(fs.rename(ROOT, name, '/f'))).toBe(0);
  });
});

describe('moving directories', () => {
  test('within one parent: the parent keeps its link count', () => {
    expect(nlink('/')).toBe(5);
    expect(rn('/d', '/dd')).toBe(0);
    expect(nlink('/')).toBe(5);
    expect(lstat('/dd/sub/deep').mode & S_IFMT).toBe(S_IFDIR);
  });

  test('to another parent: the old parent loses a link, the new one gains one, ".." follows', () => {
    expect(rn('/d/sub', '/e/sub')).toBe(0);
    expect(nlink('/d')).toBe(2);
    expect(nlink('/e')).toBe(3);
    expect(fs.stat(ROOT, '/e/sub/..', st)).toBe(0);
    expect(st.ino).toBe(ino('/e'));
    expect(fs.stat(ROOT, '/e/sub/deep/../..', st)).toBe(0);
    expect(st.ino).toBe(ino('/e'));
  });

  test('replacing an empty directory in the same parent: the parent loses the replaced one\'s link', () => {
    const live = fs.inodes.live;
    expect(rn('/d', '/e')).toBe(0);
    expect(nlink('/')).toBe(4);
    expect(gone('/d')).toBe(true);
    expect(lstat('/e/sub').mode & S_IFMT).toBe(S_IFDIR);
    expect(fs.inodes.live).toBe(live - 1);
  });

  test('replacing an empty directory in another parent: the old parent loses a link, the new one keeps its count', () => {
    dir('/C');
    dir('/C/mv');
    dir('/D');
    dir('/D/empty');
    expect(rn('/C/mv', '/D/empty')).toBe(0);
    expect(nlink('/C')).toBe(2);
    expect(nlink('/D')).toBe(3);
    expect(nlink('/D/empty')).toBe(2);
  });

  test('a replaced directory that is open or a cwd is dead: nlink 0, nothing can be created in it', () => {
    expect(fs.chdir(SHELL, '/e')).toBe(0);
    expect(rn('/d/sub/deep', '/e')).toBe(0);
    expect(fs.stat(SHELL, '.', st)).toBe(0);
    expect(st.nlink).toBe(0);
    expect(r(fs.mkdir(SHELL, 'x', 0o755))).toBe('ENOENT');
    expect(getcwd(SHELL)).toBe('ENOENT');
  });

  test('a cage inside a moved directory sees the new path in getcwd, and its ".." is the new parent', () => {
    expect(fs.chdir(SHELL, '/d/sub/deep')).toBe(0);
    expect(rn('/d/sub', '/e/moved')).toBe(0);
    expect(getcwd(SHELL)).toBe('/e/moved/deep');
    expect(fs.stat(SHELL, '../..', st)).toBe(0);
    expect(st.ino).toBe(ino('/e'));
    expect(rn('/e', '/d/sub2')).toBe(0);
    expect(getcwd(SHELL)).toBe('/d/sub2/moved/deep');
  });

  test('renaming a directory to itself succeeds', () => {
    expect(rn('/d', '/d')).toBe(0);
    expect(rn('/d', '/./d')).toBe(0);
    expect(rn('/d/sub', '/d/sub/deep/..')).toBe('EBUSY');
  });
});

describe('type mismatches and non-empty targets', () => {
  test.each([
    ['/f', '/d', 'EISDIR'],
    ['/f', '/full', 'EISDIR'],
    ['/d', '/f', 'ENOTDIR'],
    ['/d', '/sl', 'ENOTDIR'],
    ['/d', '/sld', 'ENOTDIR'],
    ['/d', '/dang', 'ENOTDIR'],
    ['/e', '/full', 'ENOTEMPTY'],
    ['/e', '/d', 'ENOTEMPTY'],
  ])('rename(%s, %s) → %s', (from, to, want) => {
    expect(rn(from, to)).toBe(want);
    expect(gone(from)).toBe(false);
  });
});

describe('a directory and its own subtree', () => {
  test.each([
    ['/d', '/d/x'],
    ['/d', '/d/sub/x'],
    ['/d', '/d/sub'],
    ['/d', '/d/sub/deep'],
    ['/d/sub', '/d/sub/deep/x'],
  ])('moving %s under itself (%s) is EINVAL', (from, to) => {
    expect(rn(from, to)).toBe('EINVAL');
  });

  test.each([
    ['/d/sub', '/d'],
    ['/d/sub/deep', '/d'],
    ['/d/sub/deep', '/d/sub'],
  ])('replacing an ancestor (%s onto %s) is ENOTEMPTY', (from, to) => {
    expect(rn(from, to)).toBe('ENOTEMPTY');
  });

  test('with RENAME_EXCHANGE both directions are EINVAL; with RENAME_NOREPLACE it is EEXIST first', () => {
    expect(rn('/d/sub/deep', '/d', RENAME_EXCHANGE)).toBe('EINVAL');
    expect(rn('/d', '/d/sub/deep', RENAME_EXCHANGE)).toBe('EINVAL');
    expect(rn('/d/sub', '/d', RENAME_NOREPLACE)).toBe('EEXIST');
  });

  test('through a symlink in the path the rule still holds', () => {
    expect(fs.symlink(ROOT, '/d', '/d/sub/up')).toBe(0);
    expect(rn('/d', '/d/sub/up/x')).toBe('EINVAL');
    expect(rn('/sld', '/sld/x')).toBe(0); // the symlink itself (not d) moves into d
    expect(lstat('/d/x').mode & S_IFMT).toBe(S_IFLNK);
  });
});

describe('".", ".." and "/"', () => {
  test.each([
    ['/.', '/x'], ['/..', '/x'], ['/', '/x'], ['/d/.', '/x'], ['/d/..', '/x'],
    ['/f', '/.'], ['/f', '/..'], ['/f', '/'], ['/f', '/d/.'], ['/d', '/e/..'],
    ['/nope', '/.'],
  ])('rename(%s, %s) → EBUSY', (from, to) => {
    expect(rn(from, to)).toBe('EBUSY');
  });

  test('with RENAME_NOREPLACE a "." or ".." target is EEXIST, even for a missing source; a "." source stays EBUSY', () => {
    expect(rn('/f', '/.', RENAME_NOREPLACE)).toBe('EEXIST');
    expect(rn('/f', '/..', RENAME_NOREPLACE)).toBe('EEXIST');
    expect(rn('/a', '/', RENAME_NOREPLACE)).toBe('EEXIST');
    expect(rn('/nope', '/.', RENAME_NOREPLACE)).toBe('EEXIST');
    expect(rn('/.', '/x', RENAME_NOREPLACE)).toBe('EBUSY');
    expect(rn('/.', '/..', RENAME_NOREPLACE)).toBe('EBUSY');
    expect(rn('/f', '/.', RENAME_EXCHANGE)).toBe('EBUSY');
  });

  test('both parent paths are resolved before the last components are judged', () => {
    expect(rn('/.', '/nope/x')).toBe('ENOENT');
    expect(rn('/nope/x', '/.')).toBe('ENOENT');
    expect(rn('/f/x', '/.')).toBe('ENOTDIR');
  });
});

describe('trailing slashes', () => {
  test('a directory may be named with trailing slashes on either side', () => {
    expect(rn('/d/', '/x/')).toBe(0);
    expect(rn('/x//', '/d')).toBe(0);
    expect(rn('/d', '/new/')).toBe(0);
    expect(rn('/new', '/e/')).toBe(0); // replaces the empty /e
    expect(lstat('/e/sub').mode & S_IFMT).toBe(S_IFDIR);
  });

  test.each([
    ['/f/', '/x'], ['/f', '/x/'], ['/f', '/g/'], ['/f/', '/g/'], ['/sl/', '/x'], ['/sld/', '/x'],
    ['/f', '/d/'], ['/d', '/sld/'],
  ])('rename(%s, %s) → ENOTDIR (a trailing slash needs a directory; symlinks are not followed)', (from, to) => {
    expect(rn(from, to)).toBe('ENOTDIR');
  });

  test('with RENAME_EXCHANGE only the side that is not a directory may not have one', () => {
    expect(rn('/f', '/g/', RENAME_EXCHANGE)).toBe('ENOTDIR');
    expect(rn('/f/', '/g', RENAME_EXCHANGE)).toBe('ENOTDIR');
    expect(rn('/f', '/sld/', RENAME_EXCHANGE)).toBe('ENOTDIR');
    expect(rn('/f', '/e/', RENAME_EXCHANGE)).toBe(0);
    expect(lstat('/f').mode & S_IFMT).toBe(S_IFDIR);
    expect(rn('/f/', '/e', RENAME_EXCHANGE)).toBe(0); // the directory (now /f) may have one
    expect(lstat('/e').mode & S_IFMT).toBe(S_IFDIR);
    expect(rn('/f', '/e/', RENAME_EXCHANGE)).toBe(0);
    expect(rn('/e', '/f/', RENAME_EXCHANGE)).toBe(0); // /e is the file now, /f the directory
    expect(lstat('/e').mode & S_IFMT).toBe(S_IFDIR);
  });
});

describe('errors found on the way, in order', () => {
  test.each([
    ['/nope', '/f', 'ENOENT'],
    ['/nope', '/nope2', 'ENOENT'],
    ['/f', '/nope/x', 'ENOENT'],
    ['/nope/x', '/f', 'ENOENT'],
    ['', '/x', 'ENOENT'],
    ['/f', '', 'ENOENT'],
    ['/f/x', '/y', 'ENOTDIR'],
    ['/f', '/g/y', 'ENOTDIR'],
    ['/f', '/sl/y', 'ENOTDIR'],
  ])('rename(%s, %s) → %s', (from, to, want) => {
    expect(rn(from, to)).toBe(want);
  });

  test('ENAMETOOLONG for a long name is found only when that name is looked up, after both walks', () => {
    const long = '/' + 'a'.repeat(256);
    expect(rn(long, '/nope/x')).toBe('ENOENT');
    expect(rn(long, '/.')).toBe('EBUSY');
    expect(rn('/nope', long)).toBe('ENOENT');
    expect(rn(long, long)).toBe('ENAMETOOLONG');
    expect(rn('/f', long)).toBe('ENAMETOOLONG');
    expect(rn('/f', long, RENAME_EXCHANGE)).toBe('ENAMETOOLONG');
    expect(rn(long, '/g', RENAME_NOREPLACE)).toBe('ENAMETOOLONG');
    expect(rn('/' + 'a'.repeat(256) + '/x', '/nope/x')).toBe('ENAMETOOLONG'); // not a last component
    expect(rn('/f', '/' + 'a'.repeat(255))).toBe(0);
  });

  test('a path of PATH_MAX bytes is ENAMETOOLONG as soon as it is reached (old path first)', () => {
    const huge = '/' + 'b'.repeat(4095);
    expect(rn('/nope/x', huge)).toBe('ENOENT');
    expect(rn(huge, '/nope/x')).toBe('ENAMETOOLONG');
    expect(rn('', huge)).toBe('ENOENT');
    expect(rn(huge, '')).toBe('ENAMETOOLONG');
  });

  test('renameat: descriptors for each side; EBADF, ENOTDIR', () => {
    const d = fs.open(ROOT, '/d', O_RDONLY | O_DIRECTORY);
    const e = fs.open(ROOT, '/e', O_PATH | O_DIRECTORY);
    const f = fs.open(ROOT, '/f', O_RDONLY);
    expect(r(fs.renameat(ROOT, d, 'sub', e, 'moved'))).toBe(0);
    expect(lstat('/e/moved').mode & S_IFMT).toBe(S_IFDIR);
    expect(r(fs.renameat(ROOT, 99, 'x', AT_FDCWD, '/y'))).toBe('EBADF');
    expect(r(fs.renameat(ROOT, AT_FDCWD, '/nope', 99, 'y'))).toBe('EBADF');
    expect(r(fs.renameat(ROOT, f, 'x', d, 'y'))).toBe('ENOTDIR');
    expect(r(fs.renameat(ROOT, d, 'nope', f, 'y'))).toBe('ENOTDIR');
    expect(r(fs.renameat(ROOT, 99, '/g', 99, '/g2'))).toBe(0);
  });

  test('a removed directory: names in it are ENOENT, nothing can be moved into it', () => {
    const g = fs.open(ROOT, '/e', O_RDONLY | O_DIRECTORY);
    expect(fs.rmdir(ROOT, '/e')).toBe(0);
    expect(r(fs.renameat(ROOT, AT_FDCWD, '/f', g, 'x'))).toBe('ENOENT');
    expect(r(fs.renameat(ROOT, g, 'x', AT_FDCWD, '/y'))).toBe('ENOENT');
  });
});

describe('flags', () => {
  test.each([
    ['8', 8],
    ['NOREPLACE | EXCHANGE', RENAME_NOREPLACE | RENAME_EXCHANGE],
    ['WHITEOUT | EXCHANGE', RENAME_WHITEOUT | RENAME_EXCHANGE],
    ['all three', RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT],
    ['0x80000000', 0x80000000],
  ])('%s is EINVAL before any path is looked at', (_n, flags) => {
    expect(rn('/f', '/x', flags)).toBe('EINVAL');
    expect(rn('', '', flags)).toBe('EINVAL');
    expect(gone('/f')).toBe(false);
  });

  describe('RENAME_NOREPLACE', () => {
    test('moves when the new name is free', () => {
      expect(rn('/f', '/x', RENAME_NOREPLACE)).toBe(0);
      expect(content('/x')).toBe('F');
    });

    test('EEXIST when it is taken, by anything (a dangling symlink too); the missing source is found first', () => {
      expect(rn('/f', '/g', RENAME_NOREPLACE)).toBe('EEXIST');
      expect(rn('/f', '/dang', RENAME_NOREPLACE)).toBe('EEXIST');
      expect(rn('/e', '/d', RENAME_NOREPLACE)).toBe('EEXIST');
      expect(rn('/nope', '/g', RENAME_NOREPLACE)).toBe('ENOENT');
      expect(rn('/f', '/nope/x', RENAME_NOREPLACE)).toBe('ENOENT');
      expect(content('/g')).toBe('G');
    });
  });

  describe('RENAME_EXCHANGE', () => {
    test('two files swap names atomically; both get a new ctime, the parents a new mtime/ctime', () => {
      const f = ino('/f'), g = ino('/g');
      clock.set(T1, 2);
      expect(rn('/f', '/g', RENAME_EXCHANGE)).toBe(0);
      expect(ino('/f')).toBe(g);
      expect(ino('/g')).toBe(f);
      expect(content('/f')).toBe('G');
      for (const p of ['/f', '/g']) {
        const s = lstat(p);
        expect([s.ctimeSec, s.ctimeNsec, s.mtimeSec]).toEqual([T1, 2, T0]);
      }
      const root = lstat('/');
      expect([root.mtimeSec, root.ctimeSec]).toEqual([T1, T1]);
    });

    test('a file and a directory across directories swap, with the link counts moved along', () => {
      dir('/A');
      dir('/B');
      file('/A/file', 'a');
      dir('/B/dir');
      file('/B/dir/inner');
      expect([nlink('/A'), nlink('/B')]).toEqual([2, 3]);
      expect(rn('/A/file', '/B/dir', RENAME_EXCHANGE)).toBe(0);
      expect([nlink('/A'), nlink('/B')]).toEqual([3, 2]);
      expect(lstat('/A/file').mode & S_IFMT).toBe(S_IFDIR);
      expect(lstat('/B/dir').mode & S_IFMT).toBe(S_IFREG);
      expect(fs.stat(ROOT, '/A/file/..', st)).toBe(0);
      expect(st.ino).toBe(ino('/A'));
      expect(gone('/A/file/inner')).toBe(false);
      expect(rn('/A/file', '/B/dir', RENAME_EXCHANGE)).toBe(0);
      expect([nlink('/A'), nlink('/B')]).toEqual([2, 3]);
    });

    test('two directories swap, a non-empty one included, and their ".." entries follow', () => {
      expect(rn('/full', '/d/sub', RENAME_EXCHANGE)).toBe(0);
      expect(gone('/d/sub/x')).toBe(false);
      expect(gone('/full/deep')).toBe(false);
      expect(fs.stat(ROOT, '/full/deep/../..', st)).toBe(0);
      expect(st.ino).toBe(ino('/'));
      expect([nlink('/'), nlink('/d')]).toEqual([5, 3]);
    });

    test('ENOENT when either name is missing', () => {
      expect(rn('/f', '/nope', RENAME_EXCHANGE)).toBe('ENOENT');
      expect(rn('/nope', '/f', RENAME_EXCHANGE)).toBe('ENOENT');
      expect(rn('/nope', '/nope2', RENAME_EXCHANGE)).toBe('ENOENT');
    });

    test('EMLINK when the directory that would gain a link is at limits.maxLinks', () => {
      fs = new Imfs({ clock, limits: { maxLinks: 4 } });
      dir('/A');
      dir('/B');
      dir('/A/x');
      file('/B/f');
      dir('/B/y');
      dir('/B/y2');
      expect(nlink('/B')).toBe(4);
      expect(rn('/B/f', '/A/x', RENAME_EXCHANGE)).toBe('EMLINK');
      expect(rn('/A/x', '/B/f', RENAME_EXCHANGE)).toBe('EMLINK');
      expect(rn('/B/y', '/A/x', RENAME_EXCHANGE)).toBe(0); // dir for dir: nobody gains
    });
  });

  describe('RENAME_WHITEOUT', () => {
    test('leaves a character device 0:0 with mode 0 at the old name', () => {
      const live = fs.inodes.live;
      expect(rn('/f', '/x', RENAME_WHITEOUT)).toBe(0);
      const w = lstat('/f');
      expect(w.mode).toBe(S_IFCHR);
      expect([w.rdevMajor, w.rdevMinor, w.nlink, w.uid]).toEqual([0, 0, 1, 0]);
      expect(content('/x')).toBe('F');
      expect(fs.inodes.live).toBe(live + 1);
      expect(r(fs.open(ROOT, '/f', O_RDONLY))).toBe('ENXIO');
      expect(r(fs.open(ROOT, '/f', O_PATH))).toBeGreaterThanOrEqual(0);
    });

    test('works for directories and when replacing a file; the whiteout can itself be moved away', () => {
      expect(rn('/e', '/e2', RENAME_WHITEOUT)).toBe(0);
      expect(lstat('/e').mode & S_IFMT).toBe(S_IFCHR);
      expect(nlink('/')).toBe(5);
      expect(rn('/g', '/f', RENAME_WHITEOUT)).toBe(0);
      expect(content('/f')).toBe('G');
      expect(rn('/g', '/f', RENAME_WHITEOUT)).toBe(0);
      expect(lstat('/f').mode & S_IFMT).toBe(S_IFCHR);
    });

    test('an unprivileged user may make whiteouts too (Linux 5.8+), owned by them', () => {
      dir('/w', 0o777);
      expect(fs.open(USER, '/w/mine', O_CREAT | O_WRONLY, 0o644)).toBeGreaterThanOrEqual(0);
      expect(rn('/w/mine', '/w/m2', RENAME_WHITEOUT, USER)).toBe(0);
      const w = lstat('/w/mine');
      expect([w.mode, w.uid, w.gid]).toEqual([S_IFCHR, 1000, 1000]);
    });

    test('with RENAME_NOREPLACE, and the usual errors first', () => {
      expect(rn('/f', '/g', RENAME_WHITEOUT | RENAME_NOREPLACE)).toBe('EEXIST');
      expect(rn('/f', '/x', RENAME_WHITEOUT | RENAME_NOREPLACE)).toBe(0);
      expect(rn('/nope', '/x', RENAME_WHITEOUT)).toBe('ENOENT');
      expect(rn('/e', '/full', RENAME_WHITEOUT)).toBe('ENOTEMPTY');
      expect(lstat('/e').mode & S_IFMT).toBe(S_IFDIR);
    });

    test('ENOSPC when no inode is left for the whiteout: nothing moves', () => {
      fs = new Imfs({ clock, limits: { maxInodes: 2 } });
      file('/f', 'F');
      expect(rn('/f', '/x', RENAME_WHITEOUT)).toBe('ENOSPC');
      expect(content('/f')).toBe('F');
      expect(gone('/x')).toBe(true);
      expect(rn('/f', '/x')).toBe(0);
    });
  });
});

describe('timestamps', () => {
  test('across directories: both parents get mtime and ctime, the moved inode only ctime', () => {
    file('/e/f2');
    clock.set(T1, 7);
    expect(rn('/f', '/e/moved')).toBe(0);
    const m = lstat('/e/moved');
    expect([m.ctimeSec, m.ctimeNsec, m.mtimeSec, m.atimeSec]).toEqual([T1, 7, T0, T0]);
    for (const p of ['/', '/e']) {
      const s = lstat(p);
      expect([s.mtimeSec, s.mtimeNsec, s.ctimeSec, s.ctimeNsec]).toEqual([T1, 7, T1, 7]);
    }
    expect(lstat('/e/f2').ctimeSec).toBe(T0);
  });

  test('a moved directory gets a new ctime but not a new mtime, though its ".." changed', () => {
    clock.set(T1, 0);
    expect(rn('/d/sub', '/e/sub')).toBe(0);
    const s = lstat('/e/sub');
    expect([s.ctimeSec, s.mtimeSec]).toEqual([T1, T0]);
    expect(lstat('/d').mtimeSec).toBe(T1);
    expect(lstat('/').mtimeSec).toBe(T0);
  });

  test('within one directory: that directory gets mtime and ctime', () => {
    clock.set(T1, 0);
    expect(rn('/d/sub', '/d/sub2')).toBe(0);
    const d = lstat('/d');
    expect([d.mtimeSec, d.ctimeSec]).toEqual([T1, T1]);
  });

  test('a failed rename changes no timestamp', () => {
    clock.set(T1, 0);
    expect(rn('/f', '/d')).toBe('EISDIR');
    expect(lstat('/').mtimeSec).toBe(T0);
    expect(lstat('/f').ctimeSec).toBe(T0);
  });
});

describe('permissions (unprivileged user)', () => {
  beforeEach(() => {
    expect(fs.chmod(ROOT, '/', 0o777)).toBe(0);
    file('/mine', 'm', 0o644, 1000, 1000);
    dir('/mydir', 0o777, 1000, 1000);
    dir('/ro', 0o755);
    file('/ro/f', 'r', 0o666);
    dir('/ro/d', 0o777);
    expect(fs.chmod(ROOT, '/ro', 0o555)).toBe(0);
    dir('/nx', 0o777);
    file('/nx/f', 'n', 0o666);
    expect(fs.chmod(ROOT, '/nx', 0o666)).toBe(0);
    dir('/w', 0o777);
    dir('/w/rootd', 0o755);
    file('/w/rootf', 'w', 0o644);
    dir('/w2', 0o777);
    dir('/w2/rootd3', 0o755);
  });

  test('EACCES without write permission on the old or the new directory', () => {
    expect(rn('/ro/f', '/x', 0, USER)).toBe('EACCES');
    expect(rn('/mine', '/ro/x', 0, USER)).toBe('EACCES');
    expect(rn('/mine', '/ro/f', 0, USER)).toBe('EACCES');
    expect(rn('/mydir', '/ro/d', 0, USER)).toBe('EACCES');
    expect(rn('/ro/f', '/ro/g', 0, USER)).toBe('EACCES');
    expect(gone('/mine')).toBe(false);
  });

  test('a missing source is ENOENT before the permission checks', () => {
    expect(rn('/ro/nope', '/x', 0, USER)).toBe('ENOENT');
  });

  test('EACCES without search permission on either directory, even before the source is looked up', () => {
    expect(rn('/nx/f', '/x', 0, USER)).toBe('EACCES');
    expect(rn('/mine', '/nx/x', 0, USER)).toBe('EACCES');
    expect(rn('/nx/nope', '/ro/x', 0, USER)).toBe('EACCES');
    expect(rn('/ro/nope', '/nx/x', 0, USER)).toBe('EACCES');
  });

  test('moving a directory to another parent needs write permission on it (its ".." changes)', () => {
    expect(rn('/w/rootd', '/w2/x', 0, USER)).toBe('EACCES');
    expect(rn('/w/rootd', '/w/x', 0, USER)).toBe(0); // same parent: no ".." to change
    expect(rn('/w/rootf', '/w2/x', 0, USER)).toBe(0); // files need nothing of the sort
    expect(rn('/mydir', '/w/rootd', 0, USER)).toBe(0); // replacing someone's empty directory is fine
  });

  test('RENAME_EXCHANGE across parents needs write permission on a directory on either side', () => {
    expect(rn('/mine', '/w2/rootd3', RENAME_EXCHANGE, USER)).toBe('EACCES');
    expect(rn('/w2/rootd3', '/mine', RENAME_EXCHANGE, USER)).toBe('EACCES');
    expect(rn('/mydir', '/w2/rootd3', RENAME_EXCHANGE, USER)).toBe('EACCES');
  });

  test('root needs no permission', () => {
    expect(rn('/ro/f', '/nx/x')).toBe(0);
    expect(rn('/w/rootd', '/w2/x')).toBe(0);
  });

  describe('the sticky bit', () => {
    beforeEach(() => {
      dir('/st', 0o1777);
      file('/st/rootf', 'r', 0o666);
      dir('/st/rootd', 0o777);
      file('/st/userf', 'u', 0o600, 1000, 1000);
      dir('/st/userd', 0o777, 1000, 1000);
      dir('/ust', 0o1777, 1000, 1000);
      file('/ust/rootf', 'r', 0o666);
      dir('/stro', 0o1755);
      file('/stro/rootf', 'r', 0o666);
    });

    test('EPERM to move away what neither the user nor the directory belongs to', () => {
      expect(rn('/st/rootf', '/x', 0, USER)).toBe('EPERM');
      expect(rn('/st/rootd', '/x', 0, USER)).toBe('EPERM');
      expect(rn('/st/rootf', '/st/x', 0, USER)).toBe('EPERM');
    });

    test('EPERM to replace it', () => {
      expect(rn('/mine', '/st/rootf', 0, USER)).toBe('EPERM');
      expect(rn('/mydir', '/st/rootd', 0, USER)).toBe('EPERM');
      expect(content('/st/rootf')).toBe('r');
    });

    test('EPERM for RENAME_EXCHANGE with it, from either side', () => {
      expect(rn('/st/userf', '/st/rootf', RENAME_EXCHANGE, USER)).toBe('EPERM');
      expect(rn('/st/rootf', '/st/userf', RENAME_EXCHANGE, USER)).toBe('EPERM');
    });

    test('the owner of the file, or of the sticky directory, may move and replace', () => {
      expect(rn('/st/userf', '/st/u2', 0, USER)).toBe(0);
      expect(rn('/st/userd', '/st/ud2', 0, USER)).toBe(0);
      expect(rn('/mine', '/st/u2', 0, USER)).toBe(0);
      expect(rn('/ust/rootf', '/ust/x', 0, USER)).toBe(0);
      expect(rn('/st/u2', '/ust/x', 0, USER)).toBe(0);
    });

    test('EACCES (no write on the directory) comes before EPERM; ENOENT before both', () => {
      expect(rn('/stro/rootf', '/x', 0, USER)).toBe('EACCES');
      expect(rn('/st/nope', '/x', 0, USER)).toBe('ENOENT');
    });
  });
});

describe('limits', () => {
  test('EMLINK: a directory cannot move into a parent at limits.maxLinks, unless it replaces one there', () => {
    fs = new Imfs({ clock, limits: { maxLinks: 4 } });
    dir('/A');
    dir('/B');
    dir('/A/x');
    dir('/B/y');
    dir('/B/y2');
    expect(nlink('/B')).toBe(4);
    expect(rn('/A/x', '/B/x')).toBe('EMLINK');
    expect(rn('/A/x', '/A/x2')).toBe(0); // same parent
    expect(rn('/A/x2', '/B/y')).toBe(0); // replaces y: B does not gain
    expect(nlink('/B')).toBe(4);
    file('/A/f');
    expect(rn('/A/f', '/B/f')).toBe(0); // files do not count
    dir('/A/mv');
    expect(rn('/A/mv', '/B/mv')).toBe('EMLINK');
    expect(rn('/A/mv', '/B/f')).toBe('ENOTDIR'); // the type check comes first
  });
});

describe('readdir cursors across renames', () => {
  /** Reads up to n entries from the descriptor, returning their names. */
  function read(fd: number, n: number): string[] {
    const out: string[] = [];
    for (let i = 0; i < n; i++) {
      const e = fs.readdir(ROOT, fd);
      if (e === null || typeof e === 'number') break;
      out.push(e.name);
    }
    return out;
  }

  beforeEach(() => {
    dir('/r');
    for (const n of ['a', 'b', 'c', 'd', 'e']) file('/r/' + n);
  });

  test('entries not involved are returned exactly once; a new name shows up later, an old one never', () => {
    const fd = fs.opendir(ROOT, '/r');
    const first = read(fd, 3); // ".", "..", and one entry
    expect(first.slice(0, 2)).toEqual(['.', '..']);
    const seen = first[2];
    const rest = ['a', 'b', 'c', 'd', 'e'].filter((n) => n !== seen);
    const renamedAhead = rest[0]; // not read yet
    expect(rn('/r/' + seen, '/r/z')).toBe(0);
    expect(rn('/r/' + renamedAhead, '/r/y')).toBe(0);
    const after = read(fd, 100);
    for (const n of rest.slice(1)) expect(after.filter((x) => x === n)).toHaveLength(1);
    expect(after).not.toContain(renamedAhead);
    expect(after).not.toContain(seen);
    expect(after).toContain('z');
    expect(after).toContain('y');
    expect(fs.rewinddir(ROOT, fd)).toBe(0);
    expect(read(fd, 100).sort()).toEqual(['.', '..', ...rest.slice(1), 'y', 'z'].sort());
  });

  test('a name moved into the directory during a scan appears once; one moved out disappears', () => {
    const fd = fs.opendir(ROOT, '/r');
    const first = read(fd, 3);
    expect(rn('/f', '/r/from-outside')).toBe(0);
    const unread = ['a', 'b', 'c', 'd', 'e'].filter((n) => n !== first[2]);
    expect(rn('/r/' + unread[0], '/moved-out')).toBe(0);
    const after = read(fd, 100);
    expect(after.filter((x) => x === 'from-outside')).toHaveLength(1);
    expect(after).not.toContain(unread[0]);
    for (const n of unread.slice(1)) expect(after.filter((x) => x === n)).toHaveLength(1);
  });
});
