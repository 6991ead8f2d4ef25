/**
 * mknod(2) and mknodat(2) (and mkfifo(3)): regular files (type 0 or S_IFREG), FIFOs,
 * sockets, character and block devices (root only, but a character device 0:0 is a
 * whiteout anyone may make), the mode bits kept, major/minor, what opening each gives
 * (ENXIO without a registered driver), and the errors in the order Linux finds them
 * (do_mknodat: the type (EINVAL, EPERM for S_IFDIR) before the path, then filename_create,
 * may_create, then EPERM for devices). Expectations checked against Linux 6.18 (tmpfs)
 * with C probes, as root and as an unprivileged user.
 */
import { describe, test, expect, beforeEach } from 'vitest';
import {
  Imfs, manualClock, type Stat, type Device,
  O_DIRECTORY, O_NONBLOCK, O_PATH, O_RDONLY, O_RDWR, O_WRONLY, S_IFBLK, S_IFCHR, S_IFDIR,
  S_IFIFO, S_IFLNK, S_IFMT, S_IFREG, S_IFSOCK,
} from '../../src/core/index.js';
import { T0, r, lstatOf, ownedDir } from '../helpers/conformance.js';

const ROOT = 0;
/** uid 1000, gid 1000, umask 0. */
const USER = 1;

const T1 = T0 + 40;
const clock = manualClock(T0);
let fs: Imfs;

const lstat = (path: string): Stat => lstatOf(fs, path);
const dir = (path: string, mode = 0o755, uid = 0, gid = 0): void => ownedDir(fs, path, mode, uid, gid);

beforeEach(() => {
  clock.set(T0, 0);
  fs = new Imfs({ clock });
  fs.umask(ROOT, 0o022);
  fs.createCage(USER, { uid: 1000, gid: 1000, groups: [1000], umask: 0 });
  expect(fs.chmod(ROOT, '/', 0o777)).toBe(0);
  dir('/d');
  expect(fs.mknod(ROOT, '/r0', 0o644)).toBe(0);
});

describe('the node types', () => {
  test('type 0 and S_IFREG make an empty regular file; a device number given is ignored', () => {
    expect(r(fs.mknod(ROOT, '/r1', S_IFREG | 0o666, 3, 4))).toBe(0);
    for (const p of ['/r0', '/r1']) {
      const s = lstat(p);
      expect(s.mode & S_IFMT).toBe(S_IFREG);
      expect([s.size, s.nlink, s.uid, s.rdevMajor, s.rdevMinor]).toEqual([0, 1, 0, 0, 0]);
    }
    expect(lstat('/r1').mode & 0o7777).toBe(0o644);
    const fd = fs.open(ROOT, '/r1', O_RDWR);
    expect(fs.write(ROOT, fd, Buffer.from('data'))).toBe(4);
  });

  test('the mode is mode & ~umask, set-id and sticky bits included', () => {
    expect(r(fs.mknod(ROOT, '/r2', S_IFREG | 0o7777))).toBe(0);
    expect(lstat('/r2').mode).toBe(S_IFREG | 0o7755);
    expect(r(fs.mknod(USER, '/u', S_IFREG | 0o4777))).toBe(0);
    expect(lstat('/u').mode).toBe(S_IFREG | 0o4777);
  });

  test('a FIFO: S_IFIFO, opens as a pipe', () => {
    expect(r(fs.mknod(ROOT, '/p', S_IFIFO | 0o666))).toBe(0);
    const s = lstat('/p');
    expect(s.mode).toBe(S_IFIFO | 0o644);
    expect([s.rdevMajor, s.rdevMinor]).toEqual([0, 0]);
    const rd = fs.open(ROOT, '/p', O_RDONLY | O_NONBLOCK);
    expect(rd).toBeGreaterThanOrEqual(0);
    const wr = fs.open(ROOT, '/p', O_WRONLY | O_NONBLOCK);
    expect(fs.write(ROOT, wr, Buffer.from('hi'))).toBe(2);
    expect(fs.read(ROOT, rd, Buffer.alloc(4))).toBe(2);
  });

  test('mkfifo is mknod with S_IFIFO', () => {
    expect(r(fs.mkfifo(ROOT, '/p2', 0o600))).toBe(0);
    expect(lstat('/p2').mode).toBe(S_IFIFO | 0o600);
    expect(r(fs.mkfifo(ROOT, '/p2', 0o600))).toBe('EEXIST');
  });

  test('a socket node: S_IFSOCK; open(2) of it is ENXIO, O_PATH works', () => {
    expect(r(fs.mknod(ROOT, '/s', S_IFSOCK | 0o777))).toBe(0);
    expect(lstat('/s').mode).toBe(S_IFSOCK | 0o755);
    expect(r(fs.open(ROOT, '/s', O_RDONLY))).toBe('ENXIO');
    expect(fs.open(ROOT, '/s', O_PATH)).toBeGreaterThanOrEqual(0);
  });

  test.each([
    ['character', S_IFCHR, 1, 3],
    ['block', S_IFBLK, 7, 250],
    ['character', S_IFCHR, 4095, 1048575],
  ])('a %s device keeps its major and minor (%i:%i)', (_k, type, major, minor) => {
    expect(r(fs.mknod(ROOT, '/dev0', type | 0o666, major, minor))).toBe(0);
    const s = lstat('/dev0');
    expect(s.mode).toBe(type | 0o644);
    expect([s.rdevMajor, s.rdevMinor, s.size]).toEqual([major, minor, 0]);
  });

  test('opening a device with no registered driver is ENXIO (O_PATH still works)', () => {
    expect(fs.mknod(ROOT, '/cn', S_IFCHR | 0o666, 250, 250)).toBe(0);
    expect(fs.mknod(ROOT, '/bn', S_IFBLK | 0o666, 250, 250)).toBe(0);
    expect(r(fs.open(ROOT, '/cn', O_RDONLY))).toBe('ENXIO');
    expect(r(fs.open(ROOT, '/bn', O_RDONLY))).toBe('ENXIO');
    expect(fs.open(ROOT, '/bn', O_PATH)).toBeGreaterThanOrEqual(0);
  });

  test('with a driver registered through fs.registerDevice the node opens and reads and writes go to it', () => {
    const written: string[] = [];
    const device: Device = {
      read(dst, off, len) { dst.fill(0x7a, off, off + Math.min(len, 3)); return Math.min(len, 3); },
      write(src, off, len) { written.push(Buffer.from(src.subarray(off, off + len)).toString()); return len; },
    };
    fs.registerDevice('c', 1, 3, device);
    expect(fs.mknod(ROOT, '/mine', S_IFCHR | 0o666, 1, 3)).toBe(0);
    const fd = fs.open(ROOT, '/mine', O_RDWR);
    expect(fd).toBeGreaterThanOrEqual(0);
    const buf = Buffer.alloc(8);
    expect(fs.read(ROOT, fd, buf)).toBe(3);
    expect(buf.subarray(0, 3).toString()).toBe('zzz');
    expect(fs.write(ROOT, fd, Buffer.from('out'))).toBe(3);
    expect(written).toEqual(['out']);
    // the same numbers as a block device are another device
    expect(fs.mknod(ROOT, '/blk', S_IFBLK | 0o666, 1, 3)).toBe(0);
    expect(r(fs.open(ROOT, '/blk', O_RDONLY))).toBe('ENXIO');
    fs.registerDevice('b', 1, 3, device);
    expect(fs.open(ROOT, '/blk', O_RDONLY)).toBeGreaterThanOrEqual(0);
  });

  test('opening a device still needs permission on the node', () => {
    fs.registerDevice('c', 1, 3, { read: () => 0 });
    expect(fs.mknod(ROOT, '/priv', S_IFCHR | 0o600, 1, 3)).toBe(0);
    expect(r(fs.open(USER, '/priv', O_RDONLY))).toBe('EACCES');
  });

  test('times are now; the parent gets a new mtime and ctime', () => {
    clock.set(T1, 6);
    expect(fs.mknod(ROOT, '/d/p', S_IFIFO | 0o644)).toBe(0);
    const p = lstat('/d/p');
    expect([p.atimeSec, p.mtimeSec, p.ctimeSec]).toEqual([T1, T1, T1]);
    const d = lstat('/d');
    expect([d.mtimeSec, d.mtimeNsec, d.ctimeSec, d.ctimeNsec]).toEqual([T1, 6, T1, 6]);
  });

  test('mknodat resolves the path against the descriptor', () => {
    const d = fs.open(ROOT, '/d', O_RDONLY | O_DIRECTORY);
    expect(r(fs.mknodat(ROOT, d, 'at', S_IFIFO | 0o600))).toBe(0);
    expect(lstat('/d/at').mode & S_IFMT).toBe(S_IFIFO);
  });
});

describe('the type decides first', () => {
  test.each([
    ['S_IFLNK', S_IFLNK],
    ['0170000', 0o170000],
    ['0110000', 0o110000],
    ['0030000', 0o030000],
    ['0050000', 0o050000],
    ['0070000', 0o070000],
    ['0130000', 0o130000],
    ['0150000', 0o150000],
    ['0160000', 0o160000],
  ])('%s is EINVAL, even where the path is bad or taken', (_n, type) => {
    expect(r(fs.mknod(ROOT, '/x', type | 0o644))).toBe('EINVAL');
    expect(r(fs.mknod(ROOT, '/nope/x', type | 0o644))).toBe('EINVAL');
    expect(r(fs.mknod(ROOT, '/r0', type | 0o644))).toBe('EINVAL');
    expect(r(fs.mknodat(ROOT, 99, 'x', type | 0o644))).toBe('EINVAL');
    expect(fs.exists(ROOT, '/x')).toBe(false);
  });

  test('S_IFDIR is EPERM, even where the path is bad or taken (use mkdir)', () => {
    expect(r(fs.mknod(ROOT, '/dir', S_IFDIR | 0o755))).toBe('EPERM');
    expect(r(fs.mknod(ROOT, '/nope/dir', S_IFDIR | 0o755))).toBe('EPERM');
    expect(r(fs.mknod(ROOT, '/r0', S_IFDIR | 0o755))).toBe('EPERM');
    expect(r(fs.mknodat(ROOT, 99, 'x', S_IFDIR | 0o755))).toBe('EPERM');
    expect(fs.exists(ROOT, '/dir')).toBe(false);
  });
});

describe('path errors', () => {
  test.each([
    ['/r0', 'EEXIST'],
    ['/r0/', 'EEXIST'],
    ['/d', 'EEXIST'],
    ['/dang', 'EEXIST'],
    ['/.', 'EEXIST'],
    ['/', 'EEXIST'],
    ['/new/', 'ENOENT'],
    ['/nope/x', 'ENOENT'],
    ['', 'ENOENT'],
    ['/r0/x', 'ENOTDIR'],
    ['/' + 'a'.repeat(256), 'ENAMETOOLONG'],
    ['/' + 'b'.repeat(4096), 'ENAMETOOLONG'],
  ])('mknod(%s, S_IFIFO) → %s', (path, want) => {
    expect(fs.symlink(ROOT, 'nothing', '/dang')).toBe(0);
    expect(r(fs.mknod(ROOT, path, S_IFIFO | 0o644))).toBe(want);
    expect(r(fs.mknod(ROOT, path, 0o644))).toBe(want);
  });

  test('mknodat: EBADF for a closed descriptor, ENOTDIR for a file descriptor', () => {
    expect(r(fs.mknodat(ROOT, 99, 'x', S_IFIFO | 0o600))).toBe('EBADF');
    const f = fs.open(ROOT, '/r0', O_RDONLY);
    expect(r(fs.mknodat(ROOT, f, 'x', S_IFIFO | 0o600))).toBe('ENOTDIR');
  });

  test('a removed directory takes no nodes (ENOENT)', () => {
    dir('/gone');
    const g = fs.open(ROOT, '/gone', O_RDONLY | O_DIRECTORY);
    expect(fs.rmdir(ROOT, '/gone')).toBe(0);
    expect(r(fs.mknodat(ROOT, g, 'x', S_IFIFO | 0o600))).toBe('ENOENT');
  });

  test('ENOSPC when limits.maxInodes is reached', () => {
    fs = new Imfs({ clock, limits: { maxInodes: 2 } });
    expect(r(fs.mknod(ROOT, '/a', S_IFIFO | 0o644))).toBe(0);
    expect(r(fs.mknod(ROOT, '/b', S_IFIFO | 0o644))).toBe('ENOSPC');
    expect(r(fs.mknod(ROOT, '/a', S_IFIFO | 0o644))).toBe('EEXIST');
  });
});

describe('unprivileged user', () => {
  beforeEach(() => {
    dir('/ro', 0o555);
    dir('/nx', 0o666);
  });

  test('may make regular files, FIFOs and sockets', () => {
    expect(r(fs.mknod(USER, '/up', S_IFIFO | 0o644))).toBe(0);
    expect(r(fs.mknod(USER, '/us', S_IFSOCK | 0o644))).toBe(0);
    expect(r(fs.mknod(USER, '/ur', 0o640))).toBe(0);
    expect(lstat('/up').uid).toBe(1000);
  });

  test('may not make character or block devices (EPERM)', () => {
    expect(r(fs.mknod(USER, '/uc', S_IFCHR | 0o644, 1, 3))).toBe('EPERM');
    expect(r(fs.mknod(USER, '/ub', S_IFBLK | 0o644, 1, 3))).toBe('EPERM');
    expect(r(fs.mknod(USER, '/ub0', S_IFBLK | 0o644, 0, 0))).toBe('EPERM');
    expect(fs.exists(ROOT, '/uc')).toBe(false);
  });

  test('but may make a whiteout, a character device 0:0 (Linux 5.8+); opening it is ENXIO', () => {
    expect(r(fs.mknod(USER, '/wh', S_IFCHR | 0o644, 0, 0))).toBe(0);
    const s = lstat('/wh');
    expect([s.mode, s.uid, s.rdevMajor, s.rdevMinor]).toEqual([S_IFCHR | 0o644, 1000, 0, 0]);
    expect(r(fs.open(USER, '/wh', O_RDONLY))).toBe('ENXIO');
  });

  test('EEXIST, ENOENT and EACCES come before EPERM for a device', () => {
    expect(r(fs.mknod(USER, '/r0', S_IFCHR | 0o644, 1, 3))).toBe('EEXIST');
    expect(r(fs.mknod(USER, '/nope/uc', S_IFCHR | 0o644, 1, 3))).toBe('ENOENT');
    expect(r(fs.mknod(USER, '/ro/uc', S_IFCHR | 0o644, 1, 3))).toBe('EACCES');
  });

  test('EACCES without write or search permission on the directory', () => {
    expect(r(fs.mknod(USER, '/ro/up', S_IFIFO | 0o644))).toBe('EACCES');
    expect(r(fs.mknod(USER, '/ro/wh', S_IFCHR | 0o644, 0, 0))).toBe('EACCES');
    expect(r(fs.mknod(USER, '/nx/up', S_IFIFO | 0o644))).toBe('EACCES');
  });

  describe('in a set-group-ID directory of a group the user is not in', () => {
    beforeEach(() => {
      dir('/sg', 0o2777, 0, 500);
    });

    test('the node gets the directory\'s group', () => {
      expect(r(fs.mknod(USER, '/sg/p', S_IFIFO | 0o644))).toBe(0);
      expect(lstat('/sg/p').gid).toBe(500);
    });

    test('S_ISGID is dropped from a group-executable mode, kept otherwise; root keeps it always', () => {
      expect(r(fs.mknod(USER, '/sg/u1', S_IFREG | 0o2755))).toBe(0);
      expect(lstat('/sg/u1').mode).toBe(S_IFREG | 0o755);
      expect(r(fs.mknod(USER, '/sg/u2', S_IFREG | 0o2745))).toBe(0);
      expect(lstat('/sg/u2').mode).toBe(S_IFREG | 0o2745);
      expect(r(fs.mknod(USER, '/sg/u3', S_IFIFO | 0o2777))).toBe(0);
      expect(lstat('/sg/u3').mode).toBe(S_IFIFO | 0o777);
      fs.umask(ROOT, 0);
      expect(r(fs.mknod(ROOT, '/sg/r', S_IFREG | 0o2755))).toBe(0);
      expect(lstat('/sg/r').mode).toBe(S_IFREG | 0o2755);
    });
  });
});
