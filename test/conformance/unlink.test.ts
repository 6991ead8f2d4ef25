/**
 * unlink(2) and unlinkat(2): removing a name (nlink, timestamps), files that stay alive
 * while open, symlinks and special files, AT_REMOVEDIR and bad flags, and every errno in
 * the order Linux finds them (do_unlinkat: the path, "."/".." → EISDIR, the entry, a
 * trailing slash, then may_delete: EACCES, sticky EPERM, EISDIR). Expectations checked
 * against Linux 6.18 (tmpfs) with C probes, as root and as unprivileged users.
 */
import { describe, test, expect, beforeEach, afterEach } from 'vitest';
import { checkInvariants } from '../../src/core/check.js';
import {
  Imfs, manualClock, newStat, type Stat,
  AT_FDCWD, AT_REMOVEDIR, AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH, O_CREAT, O_DIRECTORY, O_RDONLY,
  O_RDWR, O_WRONLY, S_IFCHR, S_IFIFO, S_IFSOCK,
} from '../../src/core/index.js';
import { T0, r, lstatOf, ownedFile, ownedDir } from '../helpers/conformance.js';

const ROOT = 0;
/** uid 1000, gid 1000. */
const USER = 1;
/** uid 2000, gid 2000. */
const OTHER = 2;

const T1 = T0 + 60;
const clock = manualClock(T0);
let fs: Imfs;
const st: Stat = newStat();

const lstat = (path: string): Stat => lstatOf(fs, path);
const file = (path: string, mode = 0o644, uid = 0, gid = 0): void => ownedFile(fs, path, mode, uid, gid);
const dir = (path: string, mode = 0o755, uid = 0, gid = 0): void => ownedDir(fs, path, mode, uid, gid);

beforeEach(() => {
  clock.set(T0, 0);
  fs = new Imfs({ clock });
  fs.createCage(USER, { uid: 1000, gid: 1000, groups: [1000], umask: 0 });
  fs.createCage(OTHER, { uid: 2000, gid: 2000, groups: [2000], umask: 0 });
  file('/f');
  dir('/d');
  file('/d/in');
  expect(fs.symlink(ROOT, 'f', '/sl')).toBe(0);
  expect(fs.symlink(ROOT, 'd', '/sld')).toBe(0);
  expect(fs.symlink(ROOT, 'nothing', '/dang')).toBe(0);
});

// Whatever a case did, the filesystem must be left consistent.
afterEach(() => {
  expect(checkInvariants(fs)).toEqual([]);
});

describe('removing a name', () => {
  test('the name is gone and the inode is freed when it was the last link', () => {
    const live = fs.inodes.live;
    expect(r(fs.unlink(ROOT, '/f'))).toBe(0);
    expect(r(fs.lstat(ROOT, '/f', st))).toBe('ENOENT');
    expect(fs.inodes.live).toBe(live - 1);
  });

  test('with other links: nlink drops by one, the inode ctime and the parent mtime/ctime change', () => {
    expect(fs.link(ROOT, '/f', '/d/g')).toBe(0);
    clock.set(T1, 9);
    expect(r(fs.unlink(ROOT, '/d/g'))).toBe(0);
    const f = lstat('/f');
    expect(f.nlink).toBe(1);
    expect([f.ctimeSec, f.ctimeNsec]).toEqual([T1, 9]);
    expect(f.mtimeSec).toBe(T0);
    const d = lstat('/d');
    expect([d.mtimeSec, d.mtimeNsec, d.ctimeSec, d.ctimeNsec]).toEqual([T1, 9, T1, 9]);
    expect(lstat('/').mtimeSec).toBe(T0);
  });

  test('unlinking a symlink removes the link, not its target; a dangling one goes too', () => {
    expect(r(fs.unlink(ROOT, '/sl'))).toBe(0);
    expect(lstat('/f').nlink).toBe(1);
    expect(r(fs.unlink(ROOT, '/sld'))).toBe(0);
    expect(lstat('/d').nlink).toBe(2);
    expect(r(fs.unlink(ROOT, '/dang'))).toBe(0);
    expect(r(fs.lstat(ROOT, '/dang', st))).toBe('ENOENT');
  });

  test('FIFOs, sockets and device nodes are unlinked like files', () => {
    expect(fs.mknod(ROOT, '/p', S_IFIFO | 0o644)).toBe(0);
    expect(fs.mknod(ROOT, '/s', S_IFSOCK | 0o644)).toBe(0);
    expect(fs.mknod(ROOT, '/c', S_IFCHR | 0o644, 1, 3)).toBe(0);
    for (const p of ['/p', '/s', '/c']) {
      expect(r(fs.unlink(ROOT, p))).toBe(0);
      expect(fs.exists(ROOT, p)).toBe(false);
    }
  });

  test('unlinkat resolves a relative name against the directory descriptor; an absolute one ignores it', () => {
    const d = fs.open(ROOT, '/d', O_RDONLY | O_DIRECTORY);
    expect(r(fs.unlinkat(ROOT, d, 'in', 0))).toBe(0);
    expect(fs.exists(ROOT, '/d/in')).toBe(false);
    expect(r(fs.unlinkat(ROOT, 99, '/f', 0))).toBe(0);
    expect(r(fs.unlinkat(ROOT, 99, '/nope', 0))).toBe('ENOENT');
  });

  test('a name of any bytes is removed exactly', () => {
    const name = new Uint8Array([0x2f, 0xc3, 0x28, 0x0a, 0xff]);
    const fd = fs.open(ROOT, name, O_CREAT | O_WRONLY, 0o644);
    fs.close(ROOT, fd);
    expect(r(fs.unlink(ROOT, name))).toBe(0);
    expect(r(fs.lstat(ROOT, name, st))).toBe('ENOENT');
  });
});

describe('an open file outlives its last name', () => {
  test('fstat shows nlink 0, reads and writes still work, and the inode goes at the last close', () => {
    const fd = fs.open(ROOT, '/f', O_RDWR);
    expect(fs.write(ROOT, fd, Buffer.from('hello'))).toBe(5);
    const live = fs.inodes.live;
    expect(r(fs.unlink(ROOT, '/f'))).toBe(0);
    expect(fs.exists(ROOT, '/f')).toBe(false);
    expect(fs.fstat(ROOT, fd, st)).toBe(0);
    expect(st.nlink).toBe(0);
    expect(st.size).toBe(5);
    const buf = Buffer.alloc(10);
    expect(fs.pread(ROOT, fd, buf, 10, 0)).toBe(5);
    expect(buf.subarray(0, 5).toString()).toBe('hello');
    expect(fs.write(ROOT, fd, Buffer.from('xy'))).toBe(2);
    expect(fs.fstat(ROOT, fd, st)).toBe(0);
    expect(st.size).toBe(7);
    expect(fs.inodes.live).toBe(live);
    expect(fs.close(ROOT, fd)).toBe(0);
    expect(fs.inodes.live).toBe(live - 1);
  });

  test('every descriptor counts, in any cage: dup and fork keep it alive until all are closed', () => {
    const fd = fs.open(ROOT, '/f', O_RDONLY);
    const dup = fs.dup(ROOT, fd);
    expect(fs.forkCage(ROOT, 9)).toBe(0);
    const live = fs.inodes.live;
    expect(fs.unlink(ROOT, '/f')).toBe(0);
    expect(fs.close(ROOT, fd)).toBe(0);
    expect(fs.close(ROOT, dup)).toBe(0);
    expect(fs.inodes.live).toBe(live);
    expect(fs.fstat(9, fd, st)).toBe(0);
    expect(st.nlink).toBe(0);
    expect(fs.exitCage(9)).toBe(0);
    expect(fs.inodes.live).toBe(live - 1);
  });

  test('the freed space is given back only at the last close', () => {
    const fd = fs.open(ROOT, '/f', O_RDWR);
    expect(fs.write(ROOT, fd, new Uint8Array(100_000))).toBe(100_000);
    expect(fs.unlink(ROOT, '/f')).toBe(0);
    const used = fs.space.used;
    expect(used).toBeGreaterThanOrEqual(100_000);
    expect(fs.close(ROOT, fd)).toBe(0);
    expect(fs.space.used).toBeLessThanOrEqual(used - 100_000);
  });

  test('an unlinked open file cannot get a name back (linkat AT_EMPTY_PATH → ENOENT)', () => {
    const fd = fs.open(ROOT, '/f', O_RDONLY);
    expect(fs.unlink(ROOT, '/f')).toBe(0);
    expect(r(fs.linkat(ROOT, fd, '', AT_FDCWD, '/back', AT_EMPTY_PATH))).toBe('ENOENT');
  });
});

describe('flags', () => {
  test.each([
    ['AT_SYMLINK_NOFOLLOW', AT_SYMLINK_NOFOLLOW],
    ['AT_EMPTY_PATH', AT_EMPTY_PATH],
    ['AT_REMOVEDIR | 1', AT_REMOVEDIR | 1],
  ])('any flag but AT_REMOVEDIR (%s) is EINVAL, before the path is looked at', (_n, flags) => {
    expect(r(fs.unlinkat(ROOT, AT_FDCWD, '/f', flags))).toBe('EINVAL');
    expect(r(fs.unlinkat(ROOT, AT_FDCWD, '/nope', flags))).toBe('EINVAL');
    expect(fs.exists(ROOT, '/f')).toBe(true);
  });

  test('AT_REMOVEDIR removes an empty directory, as rmdir does', () => {
    dir('/e');
    expect(r(fs.unlinkat(ROOT, AT_FDCWD, '/e', AT_REMOVEDIR))).toBe(0);
    expect(fs.exists(ROOT, '/e')).toBe(false);
    expect(lstat('/').nlink).toBe(3);
  });

  test('AT_REMOVEDIR on a file or on a symlink to a directory is ENOTDIR; on a non-empty directory ENOTEMPTY', () => {
    expect(r(fs.unlinkat(ROOT, AT_FDCWD, '/f', AT_REMOVEDIR))).toBe('ENOTDIR');
    expect(r(fs.unlinkat(ROOT, AT_FDCWD, '/sld', AT_REMOVEDIR))).toBe('ENOTDIR');
    expect(r(fs.unlinkat(ROOT, AT_FDCWD, '/d', AT_REMOVEDIR))).toBe('ENOTEMPTY');
  });
});

describe('errors as root', () => {
  test.each([
    // directories: EISDIR, including ".", ".." and "/" (checked before the name is looked up)
    ['/d', 'EISDIR'],
    ['/d/', 'EISDIR'],
    ['/d//', 'EISDIR'],
    ['/.', 'EISDIR'],
    ['/..', 'EISDIR'],
    ['/', 'EISDIR'],
    ['/d/.', 'EISDIR'],
    ['/d/..', 'EISDIR'],
    // a trailing slash on anything but a directory: ENOTDIR (the symlink is not followed)
    ['/f/', 'ENOTDIR'],
    ['/sl/', 'ENOTDIR'],
    ['/sld/', 'ENOTDIR'],
    ['/dang/', 'ENOTDIR'],
    // a file used as a directory
    ['/f/x', 'ENOTDIR'],
    ['/f/.', 'ENOTDIR'],
    // nothing there
    ['/nope', 'ENOENT'],
    ['/nope/', 'ENOENT'],
    ['/nope/x', 'ENOENT'],
    ['/nope/.', 'ENOENT'],
    ['', 'ENOENT'],
    ['/' + 'a'.repeat(255), 'ENOENT'],
    ['/' + 'a'.repeat(256), 'ENAMETOOLONG'],
    ['/' + 'b'.repeat(4096), 'ENAMETOOLONG'],
  ])('unlink(%s) → %s', (path, want) => {
    expect(r(fs.unlink(ROOT, path))).toBe(want);
  });

  test('. and .. are EISDIR relative to the cwd too, and the cwd is kept', () => {
    expect(fs.chdir(ROOT, '/d')).toBe(0);
    expect(r(fs.unlink(ROOT, '.'))).toBe('EISDIR');
    expect(r(fs.unlink(ROOT, '..'))).toBe('EISDIR');
    expect(r(fs.unlink(ROOT, 'in'))).toBe(0);
  });

  test('a bad descriptor is EBADF; a descriptor that is not a directory ENOTDIR', () => {
    expect(r(fs.unlinkat(ROOT, 99, 'x', 0))).toBe('EBADF');
    const f = fs.open(ROOT, '/f', O_RDONLY);
    expect(r(fs.unlinkat(ROOT, f, 'x', 0))).toBe('ENOTDIR');
    const d = fs.open(ROOT, '/d', O_RDONLY | O_DIRECTORY);
    expect(r(fs.unlinkat(ROOT, d, '', 0))).toBe('ENOENT');
  });

  test('in a removed directory every name is ENOENT, ".." still EISDIR', () => {
    dir('/gone');
    const g = fs.open(ROOT, '/gone', O_RDONLY | O_DIRECTORY);
    expect(fs.rmdir(ROOT, '/gone')).toBe(0);
    expect(r(fs.unlinkat(ROOT, g, 'x', 0))).toBe('ENOENT');
    expect(r(fs.unlinkat(ROOT, g, 'x', AT_REMOVEDIR))).toBe('ENOENT');
    expect(r(fs.unlinkat(ROOT, g, '..', 0))).toBe('EISDIR');
  });
});

describe('permissions', () => {
  beforeEach(() => {
    expect(fs.chmod(ROOT, '/', 0o777)).toBe(0);
    dir('/ro', 0o755);
    file('/ro/f', 0o666);
    dir('/ro/sub', 0o777);
    expect(fs.chmod(ROOT, '/ro', 0o555)).toBe(0);
    dir('/nx', 0o777);
    file('/nx/f', 0o666);
    expect(fs.chmod(ROOT, '/nx', 0o666)).toBe(0);
  });

  test('EACCES without write permission on the directory (even for a file the user may write)', () => {
    expect(r(fs.unlink(USER, '/ro/f'))).toBe('EACCES');
    expect(fs.exists(ROOT, '/ro/f')).toBe(true);
  });

  test('EACCES without search permission on the directory, even for a missing name', () => {
    expect(r(fs.unlink(USER, '/nx/f'))).toBe('EACCES');
    expect(r(fs.unlink(USER, '/nx/nope'))).toBe('EACCES');
  });

  test('a missing name and a trailing slash are found before write permission is checked', () => {
    expect(r(fs.unlink(USER, '/ro/nope'))).toBe('ENOENT');
    expect(r(fs.unlink(USER, '/ro/f/'))).toBe('ENOTDIR');
    expect(r(fs.unlink(USER, '/ro/sub/'))).toBe('EISDIR');
  });

  test('EACCES comes before EISDIR', () => {
    expect(r(fs.unlink(USER, '/ro/sub'))).toBe('EACCES');
  });

  test('no permission on the file itself is needed', () => {
    dir('/w', 0o777);
    file('/w/locked', 0o000);
    expect(r(fs.unlink(USER, '/w/locked'))).toBe(0);
  });

  test('root needs no permission at all', () => {
    expect(r(fs.unlink(ROOT, '/ro/f'))).toBe(0);
    expect(r(fs.unlink(ROOT, '/nx/f'))).toBe(0);
  });

  describe('the sticky bit', () => {
    beforeEach(() => {
      dir('/st', 0o1777);
      file('/st/rootf', 0o666);
      dir('/st/rootd', 0o777);
      file('/st/userf', 0o600, 1000, 1000);
      file('/st/otherf', 0o666, 2000, 2000);
      dir('/ust', 0o1777, 1000, 1000);
      file('/ust/rootf', 0o666);
      dir('/stro', 0o1755);
      file('/stro/rootf', 0o666);
    });

    test('EPERM for a file that neither the user nor the directory belongs to', () => {
      expect(r(fs.unlink(USER, '/st/rootf'))).toBe('EPERM');
      expect(r(fs.unlink(USER, '/st/otherf'))).toBe('EPERM');
      expect(r(fs.unlinkat(USER, AT_FDCWD, '/st/rootd', AT_REMOVEDIR))).toBe('EPERM');
      expect(fs.exists(ROOT, '/st/rootf')).toBe(true);
    });

    test('EPERM comes before EISDIR and ENOTDIR of may_delete', () => {
      expect(r(fs.unlink(USER, '/st/rootd'))).toBe('EPERM');
      expect(r(fs.unlinkat(USER, AT_FDCWD, '/st/rootf', AT_REMOVEDIR))).toBe('EPERM');
    });

    test('the owner of the file may remove it', () => {
      expect(r(fs.unlink(USER, '/st/userf'))).toBe(0);
      expect(r(fs.unlink(OTHER, '/st/otherf'))).toBe(0);
    });

    test('the owner of the directory may remove anything in it', () => {
      expect(r(fs.unlink(USER, '/ust/rootf'))).toBe(0);
    });

    test('root may remove anything', () => {
      expect(r(fs.unlink(ROOT, '/st/userf'))).toBe(0);
      expect(r(fs.unlink(ROOT, '/st/otherf'))).toBe(0);
    });

    test('EACCES (no write permission) comes before EPERM; ENOENT and a trailing slash before both', () => {
      expect(r(fs.unlink(USER, '/stro/rootf'))).toBe('EACCES');
      expect(r(fs.unlink(USER, '/st/nope'))).toBe('ENOENT');
      expect(r(fs.unlink(USER, '/st/rootf/'))).toBe('ENOTDIR');
    });
  });
});
