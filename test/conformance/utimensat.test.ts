/**
 * utimensat(2) and futimens(3): explicit times with nanoseconds, UTIME_NOW, UTIME_OMIT,
 * NULL times, the permission rules, the order of the error checks, symbolic links, the
 * NULL-path (descriptor) form, and ctime. Expectations checked against Linux 6.18 (tmpfs)
 * with C probes calling the raw syscall, as root and as unprivileged users.
 */
import { describe, test, expect, beforeEach } from 'vitest';
import {
  Imfs, manualClock, newStat, type Stat, type Timespec,
  AT_EMPTY_PATH, AT_FDCWD, AT_REMOVEDIR, AT_SYMLINK_NOFOLLOW, O_DIRECTORY, O_PATH,
  O_RDONLY, O_RDWR, UTIME_NOW, UTIME_OMIT,
} from '../../src/core/index.js';
import { T0, r, ownedFile } from '../helpers/conformance.js';

const ROOT = 0;
/** uid 1000, gid 100: owns /f and /w. */
const OWNER = 1;
/** uid 1001, gid 100: not the owner. */
const OTHER = 2;

const clock = manualClock(T0);
let fs: Imfs;
const st: Stat = newStat();

const ts = (sec: number, nsec: number): Timespec => ({ sec, nsec });
const pair = (a: Timespec, m: Timespec): [Timespec, Timespec] => [a, m];
const NOW = ts(0, UTIME_NOW);
const OMIT = ts(0, UTIME_OMIT);

/** [atime, mtime, ctime] of a path (not following a final symlink) as [sec, nsec] pairs. */
function times(path: string): number[][] {
  expect(r(fs.lstat(ROOT, path, st))).toBe(0);
  return [[st.atimeSec, st.atimeNsec], [st.mtimeSec, st.mtimeNsec], [st.ctimeSec, st.ctimeNsec]];
}

const file = (path: string, m: number, uid = 1000, gid = 100): void => ownedFile(fs, path, m, uid, gid);

/** Moves the clock so that "now" is recognisable: T0 + 100 seconds, 777 ns. */
function tick(): number[] {
  clock.set(T0 + 100, 777);
  return [T0 + 100, 777];
}

beforeEach(() => {
  clock.set(T0, 0);
  fs = new Imfs({ clock });
  fs.createCage(OWNER, { uid: 1000, gid: 100, groups: [100], umask: 0 });
  fs.createCage(OTHER, { uid: 1001, gid: 100, groups: [100], umask: 0 });
  file('/f', 0o644);
  file('/w', 0o666);
});

describe('explicit times', () => {
  test('set atime and mtime to the nanosecond; ctime becomes now', () => {
    const now = tick();
    expect(r(fs.utimensat(ROOT, AT_FDCWD, '/f', pair(ts(1000, 123456789), ts(2000, 987654321))))).toBe(0);
    expect(times('/f')).toEqual([[1000, 123456789], [2000, 987654321], now]);
  });

  test('negative seconds and seconds beyond 2^32 round-trip', () => {
    expect(r(fs.utimensat(ROOT, AT_FDCWD, '/f', pair(ts(-1000, 5), ts(2 ** 33, 7))))).toBe(0);
    expect(times('/f').slice(0, 2)).toEqual([[-1000, 5], [2 ** 33, 7]]);
    expect(r(fs.utimensat(ROOT, AT_FDCWD, '/f', pair(ts(2 ** 40, 0), ts(-(2 ** 40), 999_999_999))))).toBe(0);
    expect(times('/f').slice(0, 2)).toEqual([[2 ** 40, 0], [-(2 ** 40), 999_999_999]]);
  });

  test('work on directories', () => {
    expect(fs.mkdir(ROOT, '/d', 0o755)).toBe(0);
    const now = tick();
    expect(r(fs.utimensat(ROOT, AT_FDCWD, '/d', pair(ts(1, 2), ts(3, 4))))).toBe(0);
    expect(times('/d')).toEqual([[1, 2], [3, 4], now]);
  });
});

describe('UTIME_NOW, UTIME_OMIT and NULL times', () => {
  beforeEach(() => {
    expect(fs.utimensat(ROOT, AT_FDCWD, '/f', pair(ts(10, 1), ts(20, 2)))).toBe(0);
  });

  test('NULL times set both to now', () => {
    const now = tick();
    expect(r(fs.utimensat(ROOT, AT_FDCWD, '/f', null))).toBe(0);
    expect(times('/f')).toEqual([now, now, now]);
  });

  test('UTIME_NOW sets one to now, UTIME_OMIT leaves one alone; ctime is now', () => {
    const now = tick();
    expect(r(fs.utimensat(ROOT, AT_FDCWD, '/f', pair(NOW, OMIT)))).toBe(0);
    expect(times('/f')).toEqual([now, [20, 2], now]);
    clock.set(T0 + 200, 1);
    expect(r(fs.utimensat(ROOT, AT_FDCWD, '/f', pair(OMIT, ts(30, 3))))).toBe(0);
    expect(times('/f')).toEqual([now, [30, 3], [T0 + 200, 1]]);
  });

  test('tv_sec is ignored with UTIME_NOW and UTIME_OMIT', () => {
    const now = tick();
    expect(r(fs.utimensat(ROOT, AT_FDCWD, '/f', pair(ts(5, UTIME_NOW), ts(7, UTIME_OMIT))))).toBe(0);
    expect(times('/f')).toEqual([now, [20, 2], now]);
  });

  test('both UTIME_OMIT: success and nothing changes, ctime included', () => {
    const before = times('/f');
    tick();
    expect(r(fs.utimensat(ROOT, AT_FDCWD, '/f', pair(OMIT, OMIT)))).toBe(0);
    expect(times('/f')).toEqual(before);
  });
});

describe('both UTIME_OMIT returns 0 before anything is checked (Linux does not even look at the path)', () => {
  test('a missing file, an empty path, a bad dirfd', () => {
    expect(r(fs.utimensat(ROOT, AT_FDCWD, '/missing', pair(OMIT, OMIT)))).toBe(0);
    expect(r(fs.utimensat(ROOT, AT_FDCWD, '', pair(OMIT, OMIT)))).toBe(0);
    expect(r(fs.utimensat(ROOT, 99, 'x', pair(OMIT, OMIT)))).toBe(0);
  });

  test('unknown flags, a NULL path with AT_FDCWD or with a bad descriptor', () => {
    expect(r(fs.utimensat(ROOT, AT_FDCWD, '/f', pair(OMIT, OMIT), 0x4))).toBe(0);
    expect(r(fs.utimensat(ROOT, AT_FDCWD, null, pair(OMIT, OMIT)))).toBe(0);
    expect(r(fs.futimens(ROOT, 99, pair(OMIT, OMIT)))).toBe(0);
  });

  test('no permission at all: not the owner, no write permission, no search permission', () => {
    expect(r(fs.utimensat(OTHER, AT_FDCWD, '/f', pair(OMIT, OMIT)))).toBe(0);
    expect(fs.mkdir(ROOT, '/nos', 0o700)).toBe(0);
    file('/nos/x', 0o666);
    expect(r(fs.utimensat(OTHER, AT_FDCWD, '/nos/x', pair(OMIT, OMIT)))).toBe(0);
  });
});

describe('EINVAL', () => {
  test('tv_nsec outside [0, 999999999] (and not UTIME_NOW/UTIME_OMIT)', () => {
    expect(r(fs.utimensat(ROOT, AT_FDCWD, '/f', pair(ts(0, 1_000_000_000), ts(0, 0))))).toBe('EINVAL');
    expect(r(fs.utimensat(ROOT, AT_FDCWD, '/f', pair(ts(0, 0), ts(0, -1))))).toBe('EINVAL');
    expect(r(fs.utimensat(ROOT, AT_FDCWD, '/f', pair(NOW, ts(0, -5))))).toBe('EINVAL');
    expect(r(fs.utimensat(ROOT, AT_FDCWD, '/f', pair(OMIT, ts(0, 1_000_000_000))))).toBe('EINVAL');
  });

  test('a bad tv_nsec is checked after the path: ENOENT, EACCES and EBADF come first', () => {
    const bad = pair(NOW, ts(0, -5));
    expect(r(fs.utimensat(ROOT, AT_FDCWD, '/missing', bad))).toBe('ENOENT');
    expect(r(fs.utimensat(ROOT, 99, 'x', bad))).toBe('EBADF');
    expect(r(fs.futimens(ROOT, 99, bad))).toBe('EBADF');
    expect(fs.mkdir(ROOT, '/nos', 0o700)).toBe(0);
    file('/nos/x', 0o666);
    expect(r(fs.utimensat(OTHER, AT_FDCWD, '/nos/x', bad))).toBe('EACCES');
  });

  test('a bad tv_nsec is checked before permission (EINVAL, not EPERM, for a non-owner)', () => {
    expect(r(fs.utimensat(OTHER, AT_FDCWD, '/f', pair(NOW, ts(0, -5))))).toBe('EINVAL');
  });

  test('unknown flags, checked before the path', () => {
    expect(r(fs.utimensat(ROOT, AT_FDCWD, '/f', null, 0x4))).toBe('EINVAL');
    expect(r(fs.utimensat(ROOT, AT_FDCWD, '/missing', null, 0x4))).toBe('EINVAL');
    expect(r(fs.utimensat(ROOT, AT_FDCWD, '/missing', pair(NOW, ts(0, -5)), AT_REMOVEDIR))).toBe('EINVAL');
  });

  test('any flag with a NULL path, before the descriptor is looked at', () => {
    const fd = fs.open(ROOT, '/f', O_RDONLY);
    expect(r(fs.utimensat(ROOT, fd, null, null, AT_SYMLINK_NOFOLLOW))).toBe('EINVAL');
    expect(r(fs.utimensat(ROOT, fd, null, pair(NOW, NOW), AT_SYMLINK_NOFOLLOW))).toBe('EINVAL');
    expect(r(fs.utimensat(ROOT, 99, null, null, AT_SYMLINK_NOFOLLOW))).toBe('EINVAL');
  });
});

describe('the descriptor form (NULL path, futimens)', () => {
  test('changes the file the descriptor refers to', () => {
    const fd = fs.open(ROOT, '/f', O_RDONLY);
    const now = tick();
    expect(r(fs.futimens(ROOT, fd, pair(ts(1, 2), ts(3, 4))))).toBe(0);
    expect(times('/f')).toEqual([[1, 2], [3, 4], now]);
    expect(r(fs.utimensat(ROOT, fd, null, pair(ts(5, 6), OMIT)))).toBe(0);
    expect(times('/f')).toEqual([[5, 6], [3, 4], now]);
  });

  test('a NULL path with AT_FDCWD is EFAULT', () => {
    expect(r(fs.utimensat(ROOT, AT_FDCWD, null, null))).toBe('EFAULT');
    expect(r(fs.utimensat(ROOT, AT_FDCWD, null, pair(NOW, ts(0, -1))))).toBe('EFAULT');
  });

  test('a closed or O_PATH descriptor is EBADF', () => {
    expect(r(fs.futimens(ROOT, 99, null))).toBe('EBADF');
    const pfd = fs.open(ROOT, '/f', O_PATH);
    expect(r(fs.futimens(ROOT, pfd, null))).toBe('EBADF');
  });

  test('an O_PATH descriptor works with an empty path and AT_EMPTY_PATH; without the flag it is ENOENT', () => {
    const pfd = fs.open(ROOT, '/f', O_PATH);
    expect(r(fs.utimensat(ROOT, pfd, '', pair(ts(8, 9), ts(10, 11)), 0))).toBe('ENOENT');
    expect(r(fs.utimensat(ROOT, pfd, '', pair(ts(8, 9), ts(10, 11)), AT_EMPTY_PATH))).toBe(0);
    expect(times('/f').slice(0, 2)).toEqual([[8, 9], [10, 11]]);
  });

  test('permission comes from the file, not from how the descriptor was opened', () => {
    // A read-only descriptor, but the caller may write the file: "now" is allowed.
    const ro = fs.open(OTHER, '/w', O_RDONLY);
    expect(r(fs.futimens(OTHER, ro, null))).toBe(0);
    // A read-write descriptor, opened while the file was writable: no longer enough.
    const rw = fs.open(OTHER, '/w', O_RDWR);
    expect(fs.chmod(ROOT, '/w', 0o644)).toBe(0);
    expect(r(fs.futimens(OTHER, rw, null))).toBe('EACCES');
    expect(r(fs.futimens(OTHER, rw, pair(ts(1, 1), ts(1, 1))))).toBe('EPERM');
  });
});

describe('symbolic links', () => {
  beforeEach(() => {
    expect(fs.symlink(ROOT, 'f', '/l')).toBe(0);
  });

  test('AT_SYMLINK_NOFOLLOW sets the link\'s own times, not the target\'s', () => {
    const before = times('/f');
    const now = tick();
    expect(r(fs.utimensat(ROOT, AT_FDCWD, '/l', pair(ts(3000, 1), ts(4000, 2)), AT_SYMLINK_NOFOLLOW))).toBe(0);
    expect(times('/l')).toEqual([[3000, 1], [4000, 2], now]);
    expect(times('/f')).toEqual(before);
  });

  test('without the flag the link is followed', () => {
    const before = times('/l');
    expect(r(fs.utimensat(ROOT, AT_FDCWD, '/l', pair(ts(5, 0), ts(6, 0))))).toBe(0);
    expect(times('/f').slice(0, 2)).toEqual([[5, 0], [6, 0]]);
    expect(times('/l')).toEqual(before);
  });

  test('a trailing slash on a file is ENOTDIR', () => {
    expect(r(fs.utimensat(ROOT, AT_FDCWD, '/f/', null))).toBe('ENOTDIR');
    expect(r(fs.utimensat(ROOT, AT_FDCWD, '/l/', null, AT_SYMLINK_NOFOLLOW))).toBe('ENOTDIR');
  });
});

describe('permissions', () => {
  test('explicit times need the owner or root (EPERM), write permission does not help', () => {
    const t = pair(ts(1, 1), ts(2, 2));
    expect(r(fs.utimensat(OTHER, AT_FDCWD, '/f', t))).toBe('EPERM');
    expect(r(fs.utimensat(OTHER, AT_FDCWD, '/w', t))).toBe('EPERM');
    expect(r(fs.utimensat(OWNER, AT_FDCWD, '/f', t))).toBe(0);
    fs.chown(ROOT, '/w', 1001, 100);
    expect(r(fs.utimensat(ROOT, AT_FDCWD, '/w', t))).toBe(0);
    expect(times('/w').slice(0, 2)).toEqual([[1, 1], [2, 2]]);
  });

  test('"now" for both (NULL or UTIME_NOW twice) needs the owner, root, or write permission (EACCES)', () => {
    expect(r(fs.utimensat(OTHER, AT_FDCWD, '/f', null))).toBe('EACCES');
    expect(r(fs.utimensat(OTHER, AT_FDCWD, '/f', pair(NOW, NOW)))).toBe('EACCES');
    expect(r(fs.utimensat(OTHER, AT_FDCWD, '/w', null))).toBe(0);
    expect(r(fs.utimensat(OTHER, AT_FDCWD, '/w', pair(NOW, NOW)))).toBe(0);
    fs.chmod(ROOT, '/f', 0);
    expect(r(fs.utimensat(OWNER, AT_FDCWD, '/f', null))).toBe(0);
    expect(r(fs.utimensat(ROOT, AT_FDCWD, '/f', null))).toBe(0);
  });

  test('one UTIME_NOW with one UTIME_OMIT counts as an explicit change on Linux: EPERM for a non-owner', () => {
    expect(r(fs.utimensat(OTHER, AT_FDCWD, '/f', pair(NOW, OMIT)))).toBe('EPERM');
    expect(r(fs.utimensat(OTHER, AT_FDCWD, '/f', pair(OMIT, NOW)))).toBe('EPERM');
    expect(r(fs.utimensat(OTHER, AT_FDCWD, '/w', pair(NOW, OMIT)))).toBe('EPERM');
    expect(r(fs.utimensat(OTHER, AT_FDCWD, '/w', pair(ts(5, 0), NOW)))).toBe('EPERM');
    expect(r(fs.utimensat(OWNER, AT_FDCWD, '/f', pair(NOW, OMIT)))).toBe(0);
  });

  test('a refused call changes nothing', () => {
    const before = times('/f');
    tick();
    expect(r(fs.utimensat(OTHER, AT_FDCWD, '/f', null))).toBe('EACCES');
    expect(r(fs.utimensat(OTHER, AT_FDCWD, '/f', pair(ts(1, 1), ts(1, 1))))).toBe('EPERM');
    expect(times('/f')).toEqual(before);
  });

  test('search permission on the way is needed (EACCES); missing files are ENOENT', () => {
    expect(fs.mkdir(ROOT, '/nos', 0o700)).toBe(0);
    file('/nos/x', 0o666);
    expect(r(fs.utimensat(OTHER, AT_FDCWD, '/nos/x', null))).toBe('EACCES');
    expect(r(fs.utimensat(ROOT, AT_FDCWD, '/missing', null))).toBe('ENOENT');
    expect(r(fs.utimensat(ROOT, AT_FDCWD, '', null))).toBe('ENOENT');
  });

  test('a relative path starts at dirfd; a non-directory dirfd is ENOTDIR', () => {
    expect(fs.mkdir(ROOT, '/d', 0o755)).toBe(0);
    file('/d/g', 0o644);
    const dfd = fs.open(ROOT, '/d', O_RDONLY | O_DIRECTORY);
    expect(r(fs.utimensat(ROOT, dfd, 'g', pair(ts(1, 0), ts(2, 0))))).toBe(0);
    expect(times('/d/g').slice(0, 2)).toEqual([[1, 0], [2, 0]]);
    const ffd = fs.open(ROOT, '/f', O_RDONLY);
    expect(r(fs.utimensat(ROOT, ffd, 'g', null))).toBe('ENOTDIR');
  });
});
