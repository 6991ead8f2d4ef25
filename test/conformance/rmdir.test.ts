/**
 * rmdir(2) (and unlinkat(AT_REMOVEDIR), which is the same call): removing empty
 * directories, link counts and timestamps, the last component "." (EINVAL), ".."
 * (ENOTEMPTY) and "/" (EBUSY), symlinks (never followed: ENOTDIR), a removed directory
 * that is still somebody's cwd, and every errno in the order Linux finds them (do_rmdir:
 * the path, the kind of last component, the entry, then may_delete: EACCES, sticky EPERM,
 * ENOTDIR, then ENOTEMPTY). Expectations checked against Linux 6.18 (tmpfs) with C probes,
 * as root and as unprivileged users.
 */
import { describe, test, expect, beforeEach, afterEach } from 'vitest';
import { checkInvariants } from '../../src/core/check.js';
import {
  Imfs, manualClock, newStat, type Stat,
  AT_FDCWD, AT_REMOVEDIR, ENOENT, O_CREAT, O_DIRECTORY, O_RDONLY, O_WRONLY, S_IFIFO, S_IFREG,
} from '../../src/core/index.js';
import { T0, r, lstatOf, createFile, ownedDir, cwdOf } from '../helpers/conformance.js';

const ROOT = 0;
/** uid 1000, gid 1000. */
const USER = 1;
/** A root cage whose cwd is moved around. */
const SHELL = 2;

const T1 = T0 + 80;
const clock = manualClock(T0);
let fs: Imfs;
const st: Stat = newStat();

const lstat = (path: string): Stat => lstatOf(fs, path);
const file = (path: string, mode = 0o644): void => createFile(fs, path, mode);
const dir = (path: string, mode = 0o755, uid = 0, gid = 0): void => ownedDir(fs, path, mode, uid, gid);
const getcwd = (cage: number): string | number => cwdOf(fs, cage);

beforeEach(() => {
  clock.set(T0, 0);
  fs = new Imfs({ clock });
  fs.createCage(USER, { uid: 1000, gid: 1000, groups: [1000], umask: 0 });
  fs.createCage(SHELL, { umask: 0o022 });
  dir('/d');
  dir('/full');
  file('/full/f');
  dir('/full2');
  dir('/full2/sub');
  file('/file');
  expect(fs.symlink(ROOT, 'd', '/sld')).toBe(0);
  expect(fs.symlink(ROOT, 'nothing', '/dang')).toBe(0);
});

// Whatever a case did, the filesystem must be left consistent.
afterEach(() => {
  expect(checkInvariants(fs)).toEqual([]);
});

describe('removing an empty directory', () => {
  test('the directory goes, the parent loses a link and gets a new mtime and ctime', () => {
    const live = fs.inodes.live;
    expect(lstat('/').nlink).toBe(5);
    clock.set(T1, 4);
    expect(r(fs.rmdir(ROOT, '/d'))).toBe(0);
    expect(fs.exists(ROOT, '/d')).toBe(false);
    const root = lstat('/');
    expect(root.nlink).toBe(4);
    expect([root.mtimeSec, root.mtimeNsec, root.ctimeSec, root.ctimeNsec]).toEqual([T1, 4, T1, 4]);
    expect(fs.inodes.live).toBe(live - 1);
  });

  test.each(['/d/', '/d//', '/./d', '/d/../d', 'd'])('%s names it too', (path) => {
    expect(r(fs.rmdir(ROOT, path))).toBe(0);
    expect(fs.exists(ROOT, '/d')).toBe(false);
  });

  test('a directory emptied of its entries can be removed', () => {
    expect(fs.unlink(ROOT, '/full/f')).toBe(0);
    expect(r(fs.rmdir(ROOT, '/full'))).toBe(0);
    expect(fs.rmdir(ROOT, '/full2/sub')).toBe(0);
    expect(lstat('/full2').nlink).toBe(2);
    expect(r(fs.rmdir(ROOT, '/full2'))).toBe(0);
  });

  test('unlinkat(AT_REMOVEDIR) with a directory descriptor', () => {
    const fd = fs.open(ROOT, '/full2', O_RDONLY | O_DIRECTORY);
    expect(r(fs.unlinkat(ROOT, fd, 'sub', AT_REMOVEDIR))).toBe(0);
    expect(r(fs.unlinkat(ROOT, fd, 'sub', AT_REMOVEDIR))).toBe('ENOENT');
  });
});

describe('errors as root', () => {
  test.each([
    ['/full', 'ENOTEMPTY'],
    ['/full2', 'ENOTEMPTY'],
    // the last component decides before anything is looked up
    ['/.', 'EINVAL'],
    ['/d/.', 'EINVAL'],
    ['/./d/.', 'EINVAL'],
    ['/..', 'ENOTEMPTY'],
    ['/d/..', 'ENOTEMPTY'],
    ['/full/..', 'ENOTEMPTY'],
    ['/', 'EBUSY'],
    ['//', 'EBUSY'],
    // not directories; symlinks are never followed, even with a trailing slash
    ['/file', 'ENOTDIR'],
    ['/file/', 'ENOTDIR'],
    ['/sld', 'ENOTDIR'],
    ['/sld/', 'ENOTDIR'],
    ['/dang', 'ENOTDIR'],
    ['/file/x', 'ENOTDIR'],
    ['/file/.', 'ENOTDIR'],
    // nothing there
    ['/nope', 'ENOENT'],
    ['/nope/.', 'ENOENT'],
    ['/nope/..', 'ENOENT'],
    ['', 'ENOENT'],
    ['/' + 'a'.repeat(256), 'ENAMETOOLONG'],
    ['/' + 'b'.repeat(4096), 'ENAMETOOLONG'],
  ])('rmdir(%s) → %s', (path, want) => {
    expect(r(fs.rmdir(ROOT, path))).toBe(want);
    expect(fs.exists(ROOT, '/d')).toBe(true);
    expect(fs.exists(ROOT, '/full')).toBe(true);
  });

  test('"." and ".." relative to the cwd', () => {
    expect(fs.chdir(SHELL, '/d')).toBe(0);
    expect(r(fs.rmdir(SHELL, '.'))).toBe('EINVAL');
    expect(r(fs.rmdir(SHELL, '..'))).toBe('ENOTEMPTY');
  });

  test('a FIFO or a regular file is ENOTDIR', () => {
    expect(fs.mknod(ROOT, '/p', S_IFIFO | 0o644)).toBe(0);
    expect(r(fs.rmdir(ROOT, '/p'))).toBe('ENOTDIR');
    expect(lstat('/file').mode & S_IFREG).toBe(S_IFREG);
  });

  test('unlinkat: EBADF for a closed descriptor, ENOTDIR for a file descriptor', () => {
    expect(r(fs.unlinkat(ROOT, 99, 'x', AT_REMOVEDIR))).toBe('EBADF');
    const f = fs.open(ROOT, '/file', O_RDONLY);
    expect(r(fs.unlinkat(ROOT, f, 'x', AT_REMOVEDIR))).toBe('ENOTDIR');
  });
});

describe('a removed directory that is still the working directory', () => {
  beforeEach(() => {
    dir('/p');
    dir('/p/gone');
    expect(fs.chdir(SHELL, '/p/gone')).toBe(0);
  });

  test('it can be removed (through a path, not as ".") and getcwd then fails with ENOENT', () => {
    expect(r(fs.rmdir(SHELL, '.'))).toBe('EINVAL');
    expect(r(fs.rmdir(SHELL, '../gone'))).toBe(0);
    expect(getcwd(SHELL)).toBe('ENOENT');
    expect(fs.cwd(SHELL)).toBe(-ENOENT);
    expect(lstat('/p').nlink).toBe(2);
  });

  test('"." still stats (nlink 0) and opens, but reading it is ENOENT', () => {
    expect(fs.rmdir(ROOT, '/p/gone')).toBe(0);
    expect(fs.stat(SHELL, '.', st)).toBe(0);
    expect(st.nlink).toBe(0);
    const fd = fs.open(SHELL, '.', O_RDONLY | O_DIRECTORY);
    expect(fd).toBeGreaterThanOrEqual(0);
    expect(r(fs.getdents64(SHELL, fd, new Uint8Array(4096)))).toBe('ENOENT');
    expect(r(fs.readdir(SHELL, fd) as number)).toBe('ENOENT');
  });

  test('nothing can be created in it (ENOENT), and nothing is found in it', () => {
    expect(fs.rmdir(ROOT, '/p/gone')).toBe(0);
    expect(r(fs.open(SHELL, 'x', O_CREAT | O_WRONLY, 0o644))).toBe('ENOENT');
    expect(r(fs.mkdir(SHELL, 'x', 0o755))).toBe('ENOENT');
    expect(r(fs.mkfifo(SHELL, 'x', 0o644))).toBe('ENOENT');
    expect(r(fs.mknod(SHELL, 'x', S_IFREG | 0o644))).toBe('ENOENT');
    expect(r(fs.symlink(SHELL, 'a', 'x'))).toBe('ENOENT');
    expect(r(fs.link(SHELL, '/file', 'x'))).toBe('ENOENT');
    expect(r(fs.rename(SHELL, '/file', 'x'))).toBe('ENOENT');
    expect(r(fs.open(SHELL, 'x', O_RDONLY))).toBe('ENOENT');
    expect(r(fs.unlink(SHELL, 'x'))).toBe('ENOENT');
    expect(r(fs.rmdir(SHELL, 'x'))).toBe('ENOENT');
    expect(fs.exists(ROOT, '/file')).toBe(true);
  });

  test('".." still leads to the old parent, even once that is removed too', () => {
    const live = fs.inodes.live;
    expect(fs.rmdir(ROOT, '/p/gone')).toBe(0);
    expect(fs.stat(SHELL, '..', st)).toBe(0);
    expect(st.ino).toBe(lstat('/p').ino);
    expect(st.nlink).toBe(2);
    // the parent is still an ordinary directory: it can be used through ".."
    expect(r(fs.mkdir(SHELL, '../viaparent', 0o755))).toBe(0);
    expect(fs.exists(ROOT, '/p/viaparent')).toBe(true);
    expect(r(fs.rmdir(SHELL, '../viaparent'))).toBe(0);
    expect(r(fs.rmdir(ROOT, '/p'))).toBe(0);
    expect(fs.stat(SHELL, '..', st)).toBe(0);
    expect(st.nlink).toBe(0);
    expect(r(fs.chdir(SHELL, '..'))).toBe(0);
    expect(getcwd(SHELL)).toBe('ENOENT');
    expect(r(fs.chdir(SHELL, '..'))).toBe(0);
    expect(getcwd(SHELL)).toBe('/');
    // both removed directories are freed once nothing holds them
    expect(fs.inodes.live).toBe(live - 2);
  });

  test('chdir("..") from it returns to the parent, and getcwd works again', () => {
    const d = fs.open(SHELL, '.', O_RDONLY | O_DIRECTORY);
    expect(fs.rmdir(ROOT, '/p/gone')).toBe(0);
    expect(r(fs.chdir(SHELL, '..'))).toBe(0);
    expect(getcwd(SHELL)).toBe('/p');
    expect(r(fs.fchdir(SHELL, d))).toBe(0);
    expect(getcwd(SHELL)).toBe('ENOENT');
    expect(r(fs.mkdirat(SHELL, d, 'y', 0o755))).toBe('ENOENT');
  });

  test('the inode lives while it is a cwd or open, and is freed after', () => {
    const live = fs.inodes.live;
    const fd = fs.open(ROOT, '/p/gone', O_RDONLY | O_DIRECTORY);
    expect(fs.rmdir(ROOT, '/p/gone')).toBe(0);
    expect(fs.inodes.live).toBe(live);
    expect(fs.chdir(SHELL, '/')).toBe(0);
    expect(fs.inodes.live).toBe(live);
    expect(fs.close(ROOT, fd)).toBe(0);
    expect(fs.inodes.live).toBe(live - 1);
  });
});

describe('permissions (unprivileged user)', () => {
  beforeEach(() => {
    expect(fs.chmod(ROOT, '/', 0o777)).toBe(0);
    dir('/ro', 0o755);
    dir('/ro/d', 0o777);
    dir('/ro/full', 0o777);
    file('/ro/full/f');
    file('/ro/file');
    expect(fs.chmod(ROOT, '/ro', 0o555)).toBe(0);
    dir('/nx', 0o777);
    dir('/nx/d', 0o777);
    expect(fs.chmod(ROOT, '/nx', 0o666)).toBe(0);
  });

  test('EACCES without write permission on the parent, before ENOTEMPTY and ENOTDIR', () => {
    expect(r(fs.rmdir(USER, '/ro/d'))).toBe('EACCES');
    expect(r(fs.rmdir(USER, '/ro/full'))).toBe('EACCES');
    expect(r(fs.rmdir(USER, '/ro/file'))).toBe('EACCES');
  });

  test('ENOENT, EINVAL and ENOTEMPTY for ".." come before the write permission check', () => {
    expect(r(fs.rmdir(USER, '/ro/nope'))).toBe('ENOENT');
    expect(r(fs.rmdir(USER, '/ro/.'))).toBe('EINVAL');
    expect(r(fs.rmdir(USER, '/ro/..'))).toBe('ENOTEMPTY');
  });

  test('EACCES without search permission on the parent', () => {
    expect(r(fs.rmdir(USER, '/nx/d'))).toBe('EACCES');
    expect(r(fs.rmdir(USER, '/nx/nope'))).toBe('EACCES');
  });

  test('permission on the directory itself does not matter', () => {
    dir('/locked', 0o000);
    expect(r(fs.rmdir(USER, '/locked'))).toBe(0);
    dir('/ndw', 0o555);
    dir('/ndw/sub', 0o755);
    expect(fs.chmod(ROOT, '/ndw', 0o555)).toBe(0);
    expect(r(fs.rmdir(USER, '/ndw'))).toBe('ENOTEMPTY');
  });

  test('another cage may remove a directory that is somebody else\'s cwd', () => {
    dir('/w', 0o777);
    expect(fs.chdir(SHELL, '/w')).toBe(0);
    expect(r(fs.rmdir(USER, '/w'))).toBe(0);
    expect(getcwd(SHELL)).toBe('ENOENT');
  });

  describe('the sticky bit', () => {
    beforeEach(() => {
      dir('/st', 0o1777);
      dir('/st/rootd', 0o777);
      dir('/st/rootfull', 0o777);
      file('/st/rootfull/f');
      file('/st/rootfile');
      dir('/st/userd', 0o700, 1000, 1000);
      dir('/ust', 0o1777, 1000, 1000);
      dir('/ust/rootd', 0o755);
    });

    test('EPERM for a directory that neither the user nor the sticky directory belongs to', () => {
      expect(r(fs.rmdir(USER, '/st/rootd'))).toBe('EPERM');
      expect(r(fs.rmdir(USER, '/st/rootd/'))).toBe('EPERM');
      expect(fs.exists(ROOT, '/st/rootd')).toBe(true);
    });

    test('EPERM comes before ENOTEMPTY and ENOTDIR; ENOENT before EPERM', () => {
      expect(r(fs.rmdir(USER, '/st/rootfull'))).toBe('EPERM');
      expect(r(fs.rmdir(USER, '/st/rootfile'))).toBe('EPERM');
      expect(r(fs.rmdir(USER, '/st/nope'))).toBe('ENOENT');
    });

    test('the owner of the directory being removed, or of the sticky directory, may remove it', () => {
      expect(r(fs.rmdir(USER, '/st/userd'))).toBe(0);
      expect(r(fs.rmdir(USER, '/ust/rootd'))).toBe(0);
    });

    test('root may remove any empty one', () => {
      expect(r(fs.rmdir(ROOT, '/st/rootd'))).toBe(0);
      expect(r(fs.rmdir(ROOT, '/st/rootfull'))).toBe('ENOTEMPTY');
    });
  });
});

describe('through AT_FDCWD', () => {
  test('relative paths start at the cwd', () => {
    expect(fs.chdir(SHELL, '/full2')).toBe(0);
    expect(r(fs.unlinkat(SHELL, AT_FDCWD, 'sub', AT_REMOVEDIR))).toBe(0);
    expect(lstat('/full2').nlink).toBe(2);
  });
});
