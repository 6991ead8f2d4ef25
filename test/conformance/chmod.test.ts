/**
 * chmod(2), fchmod(2), fchmodat(2) (the fchmodat2 syscall): who may change a mode, the
 * bits that are kept or silently dropped, flags, descriptors, and the ctime update.
 * Expectations checked against Linux 6.18 (tmpfs) with C probes, as root and as
 * unprivileged users (setgroups/setresgid/setresuid).
 */
import { describe, test, expect, beforeEach } from 'vitest';
import {
  Imfs, manualClock, newStat, type Stat,
  AT_EACCESS, AT_EMPTY_PATH, AT_FDCWD, AT_SYMLINK_NOFOLLOW, O_DIRECTORY, O_NOFOLLOW,
  O_PATH, O_RDONLY, O_RDWR, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG,
} from '../../src/core/index.js';
import { r, ownedFile, ownedDir, modeOf } from '../helpers/conformance.js';

const ROOT = 0;
/** uid 1000, gid 100, groups [100]: owns the test files. */
const OWNER = 1;
/** uid 1001, gid 100, groups [100]: same group as the files, not the owner. */
const OTHER = 2;
/** uid 1000, gid 100, groups [100, 200]: the owner with a supplementary group. */
const OWNER2 = 3;

const clock = manualClock(1_700_000_000);
let fs: Imfs;
const st: Stat = newStat();

/** Also leaves the whole stat in `st`. */
const mode = (path: string): number => modeOf(fs, path, st);

/** Creates a regular file as root, then gives it the owner and mode asked for. */
const file = (path: string, m: number, uid = 1000, gid = 100): void => ownedFile(fs, path, m, uid, gid);
const dir = (path: string, m: number, uid = 1000, gid = 100): void => ownedDir(fs, path, m, uid, gid);

beforeEach(() => {
  clock.set(1_700_000_000, 0);
  fs = new Imfs({ clock });
  fs.createCage(OWNER, { uid: 1000, gid: 100, groups: [100], umask: 0 });
  fs.createCage(OTHER, { uid: 1001, gid: 100, groups: [100], umask: 0 });
  fs.createCage(OWNER2, { uid: 1000, gid: 100, groups: [100, 200], umask: 0 });
  file('/f', 0o644);
});

describe('who may change the mode', () => {
  test('the owner may, and the new permission bits are exactly those asked for', () => {
    expect(r(fs.chmod(OWNER, '/f', 0o600))).toBe(0);
    expect(mode('/f')).toBe(0o600);
    expect(r(fs.chmod(OWNER, '/f', 0))).toBe(0);
    expect(mode('/f')).toBe(0);
    expect(st.mode & S_IFMT).toBe(S_IFREG);
  });

  test('anyone else gets EPERM and the mode is unchanged (group membership does not help)', () => {
    expect(r(fs.chmod(OTHER, '/f', 0o600))).toBe('EPERM');
    expect(mode('/f')).toBe(0o644);
  });

  test('write permission on the file does not help either (fchmod on an O_RDWR descriptor)', () => {
    fs.chmod(ROOT, '/f', 0o666);
    const fd = fs.open(OTHER, '/f', O_RDWR);
    expect(fd).toBeGreaterThanOrEqual(0);
    expect(r(fs.fchmod(OTHER, fd, 0o600))).toBe('EPERM');
    expect(mode('/f')).toBe(0o666);
  });

  test('root may change the mode of any file', () => {
    expect(r(fs.chmod(ROOT, '/f', 0o4711))).toBe(0);
    expect(mode('/f')).toBe(0o4711);
  });

  test('the owner may change the mode of a file it cannot read or write', () => {
    fs.chmod(ROOT, '/f', 0);
    expect(r(fs.chmod(OWNER, '/f', 0o640))).toBe(0);
    expect(mode('/f')).toBe(0o640);
  });
});

describe('set-id and sticky bits', () => {
  test('S_ISGID is silently dropped when the owner is not in the file\'s group', () => {
    fs.chown(ROOT, '/f', 1000, 300);
    expect(r(fs.chmod(OWNER, '/f', 0o2755))).toBe(0);
    expect(mode('/f')).toBe(0o755);
  });

  test('S_ISGID is kept when the file\'s group is the caller\'s effective gid', () => {
    expect(r(fs.chmod(OWNER, '/f', 0o2755))).toBe(0);
    expect(mode('/f')).toBe(0o2755);
  });

  test('S_ISGID is kept when the file\'s group is one of the caller\'s supplementary groups', () => {
    fs.chown(ROOT, '/f', 1000, 200);
    expect(r(fs.chmod(OWNER2, '/f', 0o2755))).toBe(0);
    expect(mode('/f')).toBe(0o2755);
    expect(r(fs.chmod(OWNER, '/f', 0o2755))).toBe(0);
    expect(mode('/f')).toBe(0o755);
  });

  test('root keeps S_ISGID whatever the file\'s group', () => {
    fs.chown(ROOT, '/f', 1000, 300);
    expect(r(fs.chmod(ROOT, '/f', 0o2755))).toBe(0);
    expect(mode('/f')).toBe(0o2755);
  });

  test('the S_ISGID rule applies to directories too', () => {
    dir('/d', 0o755, 1000, 300);
    expect(r(fs.chmod(OWNER, '/d', 0o2755))).toBe(0);
    expect(mode('/d')).toBe(0o755);
    dir('/e', 0o755, 1000, 100);
    expect(r(fs.chmod(OWNER, '/e', 0o2775))).toBe(0);
    expect(mode('/e')).toBe(0o2775);
  });

  test('the owner may set S_ISUID', () => {
    expect(r(fs.chmod(OWNER, '/f', 0o4755))).toBe(0);
    expect(mode('/f')).toBe(0o4755);
  });

  test('Linux lets a non-root owner set the sticky bit on a regular file', () => {
    expect(r(fs.chmod(OWNER, '/f', 0o1644))).toBe(0);
    expect(mode('/f')).toBe(0o1644);
  });

  test('bits above 07777 are ignored and the file type is kept', () => {
    expect(r(fs.chmod(ROOT, '/f', 0o177777))).toBe(0);
    expect(mode('/f')).toBe(0o7777);
    expect(st.mode & S_IFMT).toBe(S_IFREG);
    dir('/d', 0o755);
    expect(r(fs.chmod(ROOT, '/d', S_IFREG | 0o700))).toBe(0);
    expect(mode('/d')).toBe(0o700);
    expect(st.mode & S_IFMT).toBe(S_IFDIR);
  });
});

describe('symbolic links', () => {
  beforeEach(() => {
    expect(fs.symlink(ROOT, 'f', '/l')).toBe(0);
  });

  test('chmod follows a symbolic link: the target changes, the link stays 0777', () => {
    expect(r(fs.chmod(ROOT, '/l', 0o600))).toBe(0);
    expect(mode('/f')).toBe(0o600);
    expect(mode('/l')).toBe(0o777);
    expect(st.mode & S_IFMT).toBe(S_IFLNK);
  });

  test('fchmodat(AT_SYMLINK_NOFOLLOW) on a symbolic link is EOPNOTSUPP and changes nothing', () => {
    expect(r(fs.fchmodat(ROOT, AT_FDCWD, '/l', 0o600, AT_SYMLINK_NOFOLLOW))).toBe('EOPNOTSUPP');
    expect(mode('/l')).toBe(0o777);
    expect(mode('/f')).toBe(0o644);
  });

  test('fchmodat(AT_SYMLINK_NOFOLLOW) on anything else works as chmod does', () => {
    expect(r(fs.fchmodat(OWNER, AT_FDCWD, '/f', 0o640, AT_SYMLINK_NOFOLLOW))).toBe(0);
    expect(mode('/f')).toBe(0o640);
    dir('/d', 0o755);
    expect(r(fs.fchmodat(OWNER, AT_FDCWD, '/d', 0o700, AT_SYMLINK_NOFOLLOW))).toBe(0);
    expect(mode('/d')).toBe(0o700);
  });

  test('AT_EMPTY_PATH on an O_PATH|O_NOFOLLOW descriptor of a link is EOPNOTSUPP, with or without NOFOLLOW', () => {
    const lfd = fs.open(ROOT, '/l', O_PATH | O_NOFOLLOW);
    expect(lfd).toBeGreaterThanOrEqual(0);
    expect(r(fs.fchmodat(ROOT, lfd, '', 0o611, AT_EMPTY_PATH))).toBe('EOPNOTSUPP');
    expect(r(fs.fchmodat(ROOT, lfd, '', 0o611, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))).toBe('EOPNOTSUPP');
    expect(mode('/l')).toBe(0o777);
    expect(mode('/f')).toBe(0o644);
  });
});

describe('fchmodat flags and directory descriptors', () => {
  test('unknown flags are EINVAL, checked before the path (even AT_EACCESS)', () => {
    expect(r(fs.fchmodat(ROOT, AT_FDCWD, '/f', 0o600, 0x4))).toBe('EINVAL');
    expect(r(fs.fchmodat(ROOT, AT_FDCWD, '/f', 0o600, AT_EACCESS))).toBe('EINVAL');
    expect(r(fs.fchmodat(ROOT, AT_FDCWD, '/missing', 0o600, 0x4))).toBe('EINVAL');
    expect(mode('/f')).toBe(0o644);
  });

  test('AT_EMPTY_PATH changes the file an O_PATH descriptor refers to', () => {
    const pfd = fs.open(ROOT, '/f', O_PATH);
    // The descriptor belongs to cage 0 (root); root does it.
    expect(r(fs.fchmodat(ROOT, pfd, '', 0o611, AT_EMPTY_PATH))).toBe(0);
    expect(mode('/f')).toBe(0o611);
  });

  test('an empty path without AT_EMPTY_PATH is ENOENT', () => {
    const pfd = fs.open(ROOT, '/f', O_PATH);
    expect(r(fs.fchmodat(ROOT, pfd, '', 0o611, 0))).toBe('ENOENT');
    expect(mode('/f')).toBe(0o644);
  });

  test('a relative path starts at dirfd; a bad dirfd is EBADF, a non-directory one ENOTDIR', () => {
    dir('/d', 0o755);
    file('/d/g', 0o644);
    const dfd = fs.open(OWNER, '/d', O_RDONLY | O_DIRECTORY);
    expect(r(fs.fchmodat(OWNER, dfd, 'g', 0o600, 0))).toBe(0);
    expect(mode('/d/g')).toBe(0o600);
    expect(r(fs.fchmodat(OWNER, 99, 'g', 0o600, 0))).toBe('EBADF');
    const ffd = fs.open(OWNER, '/f', O_RDONLY);
    expect(r(fs.fchmodat(OWNER, ffd, 'g', 0o600, 0))).toBe('ENOTDIR');
    expect(r(fs.fchmodat(OWNER, ffd, '/f', 0o640, 0))).toBe(0);
    expect(mode('/f')).toBe(0o640);
  });
});

describe('fchmod', () => {
  test('works on any descriptor of the owner, even read-only', () => {
    const fd = fs.open(OWNER, '/f', O_RDONLY);
    expect(r(fs.fchmod(OWNER, fd, 0o400))).toBe(0);
    expect(mode('/f')).toBe(0o400);
  });

  test('an O_PATH descriptor is EBADF', () => {
    const fd = fs.open(OWNER, '/f', O_PATH);
    expect(fd).toBeGreaterThanOrEqual(0);
    expect(r(fs.fchmod(OWNER, fd, 0o600))).toBe('EBADF');
    expect(mode('/f')).toBe(0o644);
  });

  test('a descriptor that is not open is EBADF', () => {
    expect(r(fs.fchmod(OWNER, 42, 0o600))).toBe('EBADF');
    const fd = fs.open(OWNER, '/f', O_RDONLY);
    fs.close(OWNER, fd);
    expect(r(fs.fchmod(OWNER, fd, 0o600))).toBe('EBADF');
  });

  test('the file may have been unlinked', () => {
    const fd = fs.open(OWNER, '/f', O_RDONLY);
    expect(fs.unlink(ROOT, '/f')).toBe(0);
    expect(r(fs.fchmod(OWNER, fd, 0o600))).toBe(0);
    expect(fs.fstat(OWNER, fd, st)).toBe(0);
    expect(st.mode & 0o7777).toBe(0o600);
  });
});

describe('path errors', () => {
  test('a missing file is ENOENT, a missing directory on the way ENOENT', () => {
    expect(r(fs.chmod(OWNER, '/missing', 0o600))).toBe('ENOENT');
    expect(r(fs.chmod(OWNER, '/missing/f', 0o600))).toBe('ENOENT');
    expect(r(fs.chmod(OWNER, '', 0o600))).toBe('ENOENT');
  });

  test('a directory without search permission on the way is EACCES', () => {
    dir('/nos', 0o700, 0, 0);
    file('/nos/x', 0o644);
    expect(r(fs.chmod(OWNER, '/nos/x', 0o600))).toBe('EACCES');
    expect(mode('/nos/x')).toBe(0o644);
  });

  test('a file used as a directory is ENOTDIR (also with a trailing slash)', () => {
    expect(r(fs.chmod(OWNER, '/f/x', 0o600))).toBe('ENOTDIR');
    expect(r(fs.chmod(OWNER, '/f/', 0o600))).toBe('ENOTDIR');
    expect(mode('/f')).toBe(0o644);
  });

  test('a component longer than 255 bytes is ENAMETOOLONG', () => {
    expect(r(fs.chmod(OWNER, '/' + 'n'.repeat(256), 0o600))).toBe('ENAMETOOLONG');
  });
});

describe('timestamps', () => {
  test('chmod sets ctime to now and leaves atime and mtime alone', () => {
    fs.lstat(ROOT, '/f', st);
    const { atimeSec, mtimeSec } = st;
    clock.set(1_700_000_100, 5);
    expect(fs.chmod(OWNER, '/f', 0o600)).toBe(0);
    fs.lstat(ROOT, '/f', st);
    expect([st.ctimeSec, st.ctimeNsec]).toEqual([1_700_000_100, 5]);
    expect(st.atimeSec).toBe(atimeSec);
    expect(st.mtimeSec).toBe(mtimeSec);
  });

  test('ctime is set even when the mode does not change', () => {
    clock.set(1_700_000_200, 0);
    expect(fs.chmod(OWNER, '/f', 0o644)).toBe(0);
    fs.lstat(ROOT, '/f', st);
    expect(st.ctimeSec).toBe(1_700_000_200);
  });

  test('fchmod sets ctime too; a refused chmod does not', () => {
    const fd = fs.open(OWNER, '/f', O_RDONLY);
    clock.set(1_700_000_300, 0);
    expect(fs.fchmod(OWNER, fd, 0o600)).toBe(0);
    fs.fstat(OWNER, fd, st);
    expect(st.ctimeSec).toBe(1_700_000_300);
    clock.set(1_700_000_400, 0);
    expect(r(fs.chmod(OTHER, '/f', 0o644))).toBe('EPERM');
    fs.fstat(OWNER, fd, st);
    expect(st.ctimeSec).toBe(1_700_000_300);
  });
});
