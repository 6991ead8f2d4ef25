/**
 * link(2) and linkat(2): a second name for an inode (nlink, shared data, timestamps),
 * AT_SYMLINK_FOLLOW, AT_EMPTY_PATH (root, or the credentials that opened the descriptor;
 * O_TMPFILE files), fs.protected_hardlinks, the limits, and every errno with the order in
 * which Linux checks them (do_linkat: flags, old lookup, filename_create, may_linkat,
 * may_create, directory, unlinked, EMLINK). Expectations checked against Linux 6.18
 * (tmpfs) with C probes, as root and as an unprivileged user.
 */
import { describe, test, expect, beforeEach, afterEach } from 'vitest';
import { checkInvariants } from '../../src/core/check.js';
import {
  Imfs, manualClock, newStat, type Stat,
  AT_EMPTY_PATH, AT_FDCWD, AT_SYMLINK_FOLLOW, AT_SYMLINK_NOFOLLOW, O_DIRECTORY, O_EXCL,
  O_NOFOLLOW, O_PATH, O_RDONLY, O_RDWR, O_TMPFILE, O_WRONLY, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG,
  S_IFSOCK,
} from '../../src/core/index.js';
import { T0, r, lstatOf, createFile, ownedFile, ownedDir } from '../helpers/conformance.js';

const ROOT = 0;
/** uid 1000, gid 1000, umask 0. */
const USER = 1;

const T1 = T0 + 50;
const clock = manualClock(T0);
let fs: Imfs;
const st: Stat = newStat();

const lstat = (path: string): Stat => lstatOf(fs, path);

/** Made by root with the owner and mode asked for; made by another cage, as that cage makes it. */
function file(path: string, mode = 0o644, uid = 0, gid = 0, cage = ROOT): void {
  if (cage === ROOT) ownedFile(fs, path, mode, uid, gid);
  else createFile(fs, path, mode, cage);
}

const dir = (path: string, mode = 0o755, uid = 0, gid = 0): void => ownedDir(fs, path, mode, uid, gid);

beforeEach(() => {
  clock.set(T0, 0);
  fs = new Imfs({ clock });
  fs.createCage(USER, { uid: 1000, gid: 1000, groups: [1000], umask: 0 });
  file('/f');
  file('/g');
  dir('/d');
  expect(fs.symlink(ROOT, 'f', '/sl')).toBe(0);
  expect(fs.symlink(ROOT, 'd', '/sld')).toBe(0);
  expect(fs.symlink(ROOT, 'nothing', '/dang')).toBe(0);
  expect(fs.symlink(ROOT, 'loop', '/loop')).toBe(0);
});

// Whatever a case did, the filesystem must be left consistent.
afterEach(() => {
  expect(checkInvariants(fs)).toEqual([]);
});

describe('a new name for the same inode', () => {
  test('both names reach one inode with nlink 2, and data written through one is read through the other', () => {
    expect(r(fs.link(ROOT, '/f', '/d/h'))).toBe(0);
    const a = lstat('/f'), b = lstat('/d/h');
    expect(b.ino).toBe(a.ino);
    expect(a.nlink).toBe(2);
    expect(b.nlink).toBe(2);
    const fd = fs.open(ROOT, '/f', O_WRONLY);
    expect(fs.write(ROOT, fd, Buffer.from('shared'))).toBe(6);
    fs.close(ROOT, fd);
    const rd = fs.open(ROOT, '/d/h', O_RDONLY);
    const buf = Buffer.alloc(16);
    expect(fs.read(ROOT, rd, buf)).toBe(6);
    expect(buf.subarray(0, 6).toString()).toBe('shared');
  });

  test('every link adds one to nlink and every unlink takes one away; the last name keeps the data', () => {
    for (let i = 0; i < 5; i++) expect(fs.link(ROOT, '/f', `/f${i}`)).toBe(0);
    expect(lstat('/f').nlink).toBe(6);
    expect(fs.unlink(ROOT, '/f')).toBe(0);
    expect(fs.unlink(ROOT, '/f0')).toBe(0);
    expect(lstat('/f4').nlink).toBe(4);
  });

  test('the inode gets a new ctime (mtime and atime unchanged); the new parent a new mtime and ctime, the old parent none', () => {
    clock.set(T1, 5);
    expect(fs.link(ROOT, '/f', '/d/h')).toBe(0);
    const f = lstat('/f');
    expect([f.ctimeSec, f.ctimeNsec]).toEqual([T1, 5]);
    expect([f.mtimeSec, f.atimeSec]).toEqual([T0, T0]);
    const d = lstat('/d');
    expect([d.mtimeSec, d.mtimeNsec, d.ctimeSec, d.ctimeNsec]).toEqual([T1, 5, T1, 5]);
    const root = lstat('/');
    expect([root.mtimeSec, root.ctimeSec]).toEqual([T0, T0]);
    expect(d.nlink).toBe(2); // a link to a file adds no ".." to the directory
  });

  test('FIFOs and sockets can be linked too', () => {
    expect(fs.mknod(ROOT, '/p', S_IFIFO | 0o644)).toBe(0);
    expect(fs.mknod(ROOT, '/s', S_IFSOCK | 0o644)).toBe(0);
    expect(r(fs.link(ROOT, '/p', '/p2'))).toBe(0);
    expect(r(fs.link(ROOT, '/s', '/s2'))).toBe(0);
    expect(lstat('/p2').mode & S_IFMT).toBe(S_IFIFO);
    expect(lstat('/p').nlink).toBe(2);
    expect(lstat('/s2').nlink).toBe(2);
  });

  test('linkat resolves each relative path against its own directory descriptor', () => {
    dir('/e');
    const d = fs.open(ROOT, '/d', O_RDONLY | O_DIRECTORY);
    const e = fs.open(ROOT, '/e', O_PATH | O_DIRECTORY);
    file('/d/x');
    expect(r(fs.linkat(ROOT, d, 'x', e, 'y', 0))).toBe(0);
    expect(lstat('/e/y').ino).toBe(lstat('/d/x').ino);
    expect(r(fs.linkat(ROOT, d, '/f', AT_FDCWD, 'd/z', 0))).toBe(0); // absolute paths ignore the descriptor
    expect(lstat('/d/z').ino).toBe(lstat('/f').ino);
  });

  test('names are bytes: a link with any non-NUL, non-slash bytes round-trips', () => {
    const name = new Uint8Array([0x2f, 0xff, 0x01, 0x80, 0x7f]); // "/" then odd bytes
    expect(r(fs.link(ROOT, '/f', name))).toBe(0);
    expect(r(fs.lstat(ROOT, name, st))).toBe(0);
    expect(st.ino).toBe(lstat('/f').ino);
  });
});

describe('symbolic links: AT_SYMLINK_FOLLOW', () => {
  test('link() and linkat(0) link the symlink itself', () => {
    expect(r(fs.link(ROOT, '/sl', '/sl2'))).toBe(0);
    const s = lstat('/sl2');
    expect(s.mode & S_IFMT).toBe(S_IFLNK);
    expect(s.ino).toBe(lstat('/sl').ino);
    expect(s.nlink).toBe(2);
    expect(lstat('/f').nlink).toBe(1);
  });

  test('AT_SYMLINK_FOLLOW links what the symlink points to', () => {
    expect(r(fs.linkat(ROOT, AT_FDCWD, '/sl', AT_FDCWD, '/sl3', AT_SYMLINK_FOLLOW))).toBe(0);
    const s = lstat('/sl3');
    expect(s.mode & S_IFMT).toBe(S_IFREG);
    expect(s.ino).toBe(lstat('/f').ino);
    expect(s.nlink).toBe(2);
  });

  test('a dangling or looping symlink can be linked, but not followed (ENOENT, ELOOP)', () => {
    expect(r(fs.link(ROOT, '/dang', '/dang2'))).toBe(0);
    expect(r(fs.link(ROOT, '/loop', '/loop2'))).toBe(0);
    expect(lstat('/loop').nlink).toBe(2);
    expect(r(fs.linkat(ROOT, AT_FDCWD, '/dang', AT_FDCWD, '/x', AT_SYMLINK_FOLLOW))).toBe('ENOENT');
    expect(r(fs.linkat(ROOT, AT_FDCWD, '/loop', AT_FDCWD, '/x', AT_SYMLINK_FOLLOW))).toBe('ELOOP');
  });

  test('a trailing slash on the old path follows the symlink: to a file ENOTDIR, to a directory EPERM', () => {
    expect(r(fs.link(ROOT, '/sl/', '/x'))).toBe('ENOTDIR');
    expect(r(fs.link(ROOT, '/sld/', '/x'))).toBe('EPERM');
  });
});

describe('flags', () => {
  test.each([
    ['AT_SYMLINK_NOFOLLOW', AT_SYMLINK_NOFOLLOW],
    ['0x8000', 0x8000],
    ['AT_SYMLINK_FOLLOW | 1', AT_SYMLINK_FOLLOW | 1],
  ])('an unknown flag (%s) is EINVAL before the paths are looked at', (_name, flags) => {
    expect(r(fs.linkat(ROOT, AT_FDCWD, '/nope', AT_FDCWD, '/x', flags))).toBe('EINVAL');
    expect(r(fs.linkat(ROOT, 99, '', 99, '', flags))).toBe('EINVAL');
  });
});

describe('AT_EMPTY_PATH', () => {
  test('root gives an O_TMPFILE file its first name (nlink 0 → 1)', () => {
    const fd = fs.open(ROOT, '/d', O_TMPFILE | O_RDWR, 0o600);
    expect(fd).toBeGreaterThanOrEqual(0);
    expect(fs.write(ROOT, fd, Buffer.from('tmp'))).toBe(3);
    expect(fs.fstat(ROOT, fd, st)).toBe(0);
    expect(st.nlink).toBe(0);
    expect(r(fs.linkat(ROOT, fd, '', AT_FDCWD, '/d/named', AT_EMPTY_PATH))).toBe(0);
    const s = lstat('/d/named');
    expect(s.nlink).toBe(1);
    expect(s.size).toBe(3);
    expect(s.mode & 0o7777).toBe(0o600);
    expect(r(fs.linkat(ROOT, fd, '', AT_FDCWD, '/d/named', AT_EMPTY_PATH))).toBe('EEXIST');
    expect(r(fs.linkat(ROOT, fd, '', AT_FDCWD, '/d/again', AT_EMPTY_PATH))).toBe(0);
    expect(lstat('/d/again').nlink).toBe(2);
  });

  test('an O_TMPFILE opened with O_EXCL can never be linked (ENOENT)', () => {
    const fd = fs.open(ROOT, '/d', O_TMPFILE | O_RDWR | O_EXCL, 0o600);
    expect(fd).toBeGreaterThanOrEqual(0);
    expect(r(fs.linkat(ROOT, fd, '', AT_FDCWD, '/d/x', AT_EMPTY_PATH))).toBe('ENOENT');
  });

  test('an open file whose last name is gone cannot be linked back (ENOENT)', () => {
    const fd = fs.open(ROOT, '/f', O_RDWR);
    expect(fs.unlink(ROOT, '/f')).toBe(0);
    expect(r(fs.linkat(ROOT, fd, '', AT_FDCWD, '/back', AT_EMPTY_PATH))).toBe('ENOENT');
    expect(r(fs.linkat(ROOT, fd, '', AT_FDCWD, '/back', AT_EMPTY_PATH | AT_SYMLINK_FOLLOW))).toBe('ENOENT');
  });

  test('an open file that still has a name gets another one', () => {
    const fd = fs.open(ROOT, '/f', O_RDONLY);
    expect(r(fs.linkat(ROOT, fd, '', AT_FDCWD, '/f2', AT_EMPTY_PATH))).toBe(0);
    expect(lstat('/f').nlink).toBe(2);
  });

  test('an O_PATH | O_NOFOLLOW descriptor of a symlink links the symlink', () => {
    const fd = fs.open(ROOT, '/sl', O_PATH | O_NOFOLLOW);
    expect(fd).toBeGreaterThanOrEqual(0);
    expect(r(fs.linkat(ROOT, fd, '', AT_FDCWD, '/slp', AT_EMPTY_PATH))).toBe(0);
    expect(lstat('/slp').mode & S_IFMT).toBe(S_IFLNK);
    expect(lstat('/sl').nlink).toBe(2);
  });

  test('a directory descriptor (or AT_FDCWD, the cwd) names a directory: EPERM', () => {
    const d = fs.open(ROOT, '/d', O_RDONLY | O_DIRECTORY);
    expect(r(fs.linkat(ROOT, d, '', AT_FDCWD, '/x', AT_EMPTY_PATH))).toBe('EPERM');
    expect(r(fs.linkat(ROOT, AT_FDCWD, '', AT_FDCWD, '/x', AT_EMPTY_PATH))).toBe('EPERM');
  });

  test('a closed descriptor is EBADF; a file descriptor with a non-empty relative path is ENOTDIR', () => {
    expect(r(fs.linkat(ROOT, 99, '', AT_FDCWD, '/x', AT_EMPTY_PATH))).toBe('EBADF');
    expect(r(fs.linkat(ROOT, 99, 'x', AT_FDCWD, '/y', 0))).toBe('EBADF');
    const fd = fs.open(ROOT, '/f', O_RDONLY);
    expect(r(fs.linkat(ROOT, fd, 'x', AT_FDCWD, '/y', 0))).toBe('ENOTDIR');
    expect(r(fs.linkat(ROOT, fd, 'x', AT_FDCWD, '/y', AT_EMPTY_PATH))).toBe('ENOTDIR');
  });

  test('without AT_EMPTY_PATH an empty old path is ENOENT; an empty new path always is', () => {
    const fd = fs.open(ROOT, '/d', O_TMPFILE | O_RDWR, 0o600);
    expect(r(fs.linkat(ROOT, fd, '', AT_FDCWD, '/x', 0))).toBe('ENOENT');
    expect(r(fs.link(ROOT, '', '/x'))).toBe('ENOENT');
    expect(r(fs.link(ROOT, '/f', ''))).toBe('ENOENT');
  });

  test('a non-empty path with AT_EMPTY_PATH is an ordinary link, for anyone', () => {
    expect(fs.chmod(ROOT, '/d', 0o777)).toBe(0);
    file('/d/mine', 0o600, 1000, 1000);
    expect(r(fs.linkat(USER, AT_FDCWD, '/d/mine', AT_FDCWD, '/d/mine2', AT_EMPTY_PATH))).toBe(0);
    expect(r(fs.linkat(USER, AT_FDCWD, '/nope', AT_FDCWD, '/d/mine3', AT_EMPTY_PATH))).toBe('ENOENT');
  });

  describe('unprivileged (Linux 6.10+: allowed with the credentials that opened the descriptor)', () => {
    beforeEach(() => {
      expect(fs.chmod(ROOT, '/d', 0o777)).toBe(0);
    });

    test('a user may name their own O_TMPFILE file', () => {
      const fd = fs.open(USER, '/d', O_TMPFILE | O_RDWR, 0o600);
      expect(fd).toBeGreaterThanOrEqual(0);
      expect(r(fs.linkat(USER, fd, '', AT_FDCWD, '/d/mine', AT_EMPTY_PATH))).toBe(0);
      expect(lstat('/d/mine').uid).toBe(1000);
      const dup = fs.dup(USER, fd);
      expect(r(fs.linkat(USER, dup, '', AT_FDCWD, '/d/mine2', AT_EMPTY_PATH))).toBe(0);
    });

    test('the ordinary checks still apply: EEXIST, ENOENT, EACCES', () => {
      dir('/ro', 0o555);
      const fd = fs.open(USER, '/d', O_TMPFILE | O_RDWR, 0o600);
      expect(r(fs.linkat(USER, fd, '', AT_FDCWD, '/f', AT_EMPTY_PATH))).toBe('EEXIST');
      expect(r(fs.linkat(USER, fd, '', AT_FDCWD, '/nope/x', AT_EMPTY_PATH))).toBe('ENOENT');
      expect(r(fs.linkat(USER, fd, '', AT_FDCWD, '/ro/x', AT_EMPTY_PATH))).toBe('EACCES');
    });

    test('a descriptor opened by someone else (root, then handed down by fork) is ENOENT', () => {
      const fd = fs.open(ROOT, '/d', O_TMPFILE | O_RDWR, 0o666);
      expect(fs.forkCage(ROOT, 7)).toBe(0);
      expect(fs.setCredentials(7, { uid: 1000, gid: 1000, euid: 1000, egid: 1000, groups: [1000] })).toBe(0);
      expect(r(fs.linkat(7, fd, '', AT_FDCWD, '/d/x', AT_EMPTY_PATH))).toBe('ENOENT');
    });

    test("a fork child's credentials are its own: the parent's descriptor is ENOENT there", () => {
      const fd = fs.open(USER, '/d', O_TMPFILE | O_RDWR, 0o600);
      expect(fs.forkCage(USER, 8)).toBe(0);
      expect(r(fs.linkat(8, fd, '', AT_FDCWD, '/d/x', AT_EMPTY_PATH))).toBe('ENOENT');
      expect(r(fs.linkat(USER, fd, '', AT_FDCWD, '/d/x', AT_EMPTY_PATH))).toBe(0);
    });

    test('a closed descriptor is still EBADF', () => {
      expect(r(fs.linkat(USER, 99, '', AT_FDCWD, '/d/x', AT_EMPTY_PATH))).toBe('EBADF');
    });

    test('the cwd (AT_FDCWD) is resolved like any path: the root-owned directory is EPERM (protected_hardlinks)', () => {
      expect(r(fs.linkat(USER, AT_FDCWD, '', AT_FDCWD, '/d/x', AT_EMPTY_PATH))).toBe('EPERM');
      expect(r(fs.linkat(USER, AT_FDCWD, '', AT_FDCWD, '/f', AT_EMPTY_PATH))).toBe('EEXIST');
    });
  });
});

describe('errors as root, in the order Linux finds them', () => {
  test.each([
    // EEXIST: the new name exists, whatever it is (checked after the old path resolved)
    ['/f', '/g', 'EEXIST'],
    ['/f', '/d', 'EEXIST'],
    ['/f', '/dang', 'EEXIST'],
    ['/f', '/sl', 'EEXIST'],
    ['/d', '/g', 'EEXIST'],
    ['/f', '/f', 'EEXIST'],
    ['/f', '/.', 'EEXIST'],
    ['/f', '/d/..', 'EEXIST'],
    ['/f', '/', 'EEXIST'],
    ['/f', '/g/', 'EEXIST'],
    ['/f', '/d/', 'EEXIST'],
    ['/f', '/dang/', 'EEXIST'],
    // ENOENT
    ['/nope', '/g', 'ENOENT'],
    ['/nope', '/.', 'ENOENT'],
    ['/nope/x', '/g', 'ENOENT'],
    ['/f', '/nope/y', 'ENOENT'],
    ['/f', '/x/', 'ENOENT'],
    // ENOTDIR
    ['/f/x', '/y', 'ENOTDIR'],
    ['/f/', '/y', 'ENOTDIR'],
    ['/f', '/f/y', 'ENOTDIR'],
    ['/f', '/sl/y', 'ENOTDIR'],
    // EPERM: directories cannot be hard-linked
    ['/d', '/newd', 'EPERM'],
    ['/d/', '/newd', 'EPERM'],
    ['/.', '/newd', 'EPERM'],
    ['/d/..', '/newd', 'EPERM'],
    ['/', '/newd', 'EPERM'],
  ])('link(%s, %s) → %s', (oldpath, newpath, want) => {
    expect(r(fs.link(ROOT, oldpath, newpath))).toBe(want);
    expect(fs.exists(ROOT, '/newd')).toBe(false);
  });

  test('ENAMETOOLONG: a component over 255 bytes in either path, or a path of 4096 bytes or more', () => {
    expect(r(fs.link(ROOT, '/f', '/' + 'a'.repeat(256)))).toBe('ENAMETOOLONG');
    expect(r(fs.link(ROOT, '/' + 'a'.repeat(256), '/x'))).toBe('ENAMETOOLONG');
    expect(r(fs.link(ROOT, '/f', '/' + 'b'.repeat(4096)))).toBe('ENAMETOOLONG');
    expect(r(fs.link(ROOT, 'b'.repeat(4096), '/x'))).toBe('ENAMETOOLONG');
    expect(r(fs.link(ROOT, '/f', '/' + 'a'.repeat(255)))).toBe(0);
    // 4095 bytes is within PATH_MAX
    expect(r(fs.link(ROOT, './'.repeat(2046) + 'f', '/h3'))).toBe(0);
  });

  test('the old path is resolved first: a missing old name wins over an existing new name', () => {
    expect(r(fs.link(ROOT, '/nope', '/g'))).toBe('ENOENT');
    expect(r(fs.link(ROOT, '/d', '/nope/x'))).toBe('ENOENT'); // then the new path, before EPERM for the directory
  });

  test('a removed directory takes no new names (ENOENT); "." in it still resolves', () => {
    dir('/gone');
    const g = fs.open(ROOT, '/gone', O_RDONLY | O_DIRECTORY);
    expect(fs.rmdir(ROOT, '/gone')).toBe(0);
    expect(r(fs.linkat(ROOT, AT_FDCWD, '/f', g, 'x', 0))).toBe('ENOENT');
    expect(r(fs.linkat(ROOT, g, 'x', AT_FDCWD, '/hh', 0))).toBe('ENOENT');
    expect(r(fs.linkat(ROOT, g, '.', AT_FDCWD, '/hh', 0))).toBe('EPERM');
  });

  test('EMLINK at limits.maxLinks (checked after EEXIST and the directory check)', () => {
    fs = new Imfs({ clock, limits: { maxLinks: 3 } });
    file('/f');
    dir('/d');
    expect(fs.link(ROOT, '/f', '/f1')).toBe(0);
    expect(fs.link(ROOT, '/f', '/f2')).toBe(0);
    expect(r(fs.link(ROOT, '/f', '/f3'))).toBe('EMLINK');
    expect(lstat('/f').nlink).toBe(3);
    expect(fs.exists(ROOT, '/f3')).toBe(false);
    expect(r(fs.link(ROOT, '/f', '/f1'))).toBe('EEXIST');
    expect(r(fs.link(ROOT, '/d', '/d2'))).toBe('EPERM');
    expect(fs.unlink(ROOT, '/f2')).toBe(0);
    expect(r(fs.link(ROOT, '/f', '/f3'))).toBe(0);
  });
});

describe('permissions (unprivileged user)', () => {
  beforeEach(() => {
    expect(fs.chmod(ROOT, '/', 0o777)).toBe(0);
    file('/mine', 0o600, 1000, 1000);
    dir('/mydir', 0o755, 1000, 1000);
    dir('/ro', 0o555);
    dir('/nx', 0o766);
    file('/nx/f', 0o666);
  });

  test('the user may link their own file into a writable directory', () => {
    expect(r(fs.link(USER, '/mine', '/mine2'))).toBe(0);
    expect(lstat('/mine2').nlink).toBe(2);
  });

  test('EACCES: no write permission on the new directory', () => {
    expect(r(fs.link(USER, '/mine', '/ro/x'))).toBe('EACCES');
  });

  test('EACCES: no search permission on a directory of either path', () => {
    expect(r(fs.link(USER, '/nx/f', '/x'))).toBe('EACCES');
    expect(r(fs.link(USER, '/mine', '/nx/x'))).toBe('EACCES');
  });

  test('EACCES comes before EPERM for a directory the user owns', () => {
    expect(r(fs.link(USER, '/mydir', '/ro/x'))).toBe('EACCES');
    expect(r(fs.link(USER, '/mydir', '/mydir2'))).toBe('EPERM');
  });

  describe('fs.protected_hardlinks (on by default)', () => {
    test.each([
      ['not readable and writable (0644)', 'EPERM', 0o644],
      ['readable and writable by others (0666)', 0, 0o666],
      ['set-user-ID (04777)', 'EPERM', 0o4777],
      ['set-group-ID and group-executable (02777)', 'EPERM', 0o2777],
      ['set-group-ID, not group-executable, readable and writable (02767)', 0, 0o2767],
    ])('a file of root that is %s → %s', (_what, want, mode) => {
      file('/rootfile', mode);
      expect(r(fs.link(USER, '/rootfile', '/u'))).toBe(want);
    });

    test('read and write permission through the group counts', () => {
      file('/grw', 0o660, 0, 1000);
      expect(r(fs.link(USER, '/grw', '/u'))).toBe(0);
    });

    test("other users' directories, FIFOs and symlinks are not safe sources: EPERM", () => {
      expect(fs.mknod(ROOT, '/fifo', S_IFIFO | 0o666)).toBe(0);
      expect(fs.chmod(ROOT, '/fifo', 0o666)).toBe(0);
      expect(r(fs.link(USER, '/d', '/u'))).toBe('EPERM');
      expect(r(fs.link(USER, '/fifo', '/u'))).toBe('EPERM');
      expect(r(fs.link(USER, '/sl', '/u'))).toBe('EPERM');
    });

    test('EPERM comes before EACCES on the new directory, but after EEXIST and ENOENT', () => {
      file('/rootfile', 0o644);
      expect(r(fs.link(USER, '/rootfile', '/ro/x'))).toBe('EPERM');
      expect(r(fs.link(USER, '/d', '/ro/x'))).toBe('EPERM');
      expect(r(fs.link(USER, '/rootfile', '/rootfile'))).toBe('EEXIST');
      expect(r(fs.link(USER, '/rootfile', '/nope/x'))).toBe('ENOENT');
      expect(r(fs.link(USER, '/rootfile', '/ro/nope/x'))).toBe('ENOENT');
    });

    test('root is not restricted', () => {
      file('/userfile', 0o600, 1000, 1000);
      expect(r(fs.link(ROOT, '/userfile', '/r'))).toBe(0);
    });

    test('with protectedHardlinks: false anyone may link what they can reach', () => {
      fs = new Imfs({ clock, protectedHardlinks: false, rootMode: 0o777 });
      fs.createCage(USER, { uid: 1000, gid: 1000, groups: [1000], umask: 0 });
      file('/rootfile', 0o600);
      expect(r(fs.link(USER, '/rootfile', '/u'))).toBe(0);
      expect(lstat('/u').nlink).toBe(2);
    });
  });
});
