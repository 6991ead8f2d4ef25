/**
 * Advisory locks: fcntl(2) record locks (F_GETLK/F_SETLK/F_SETLKW and the *64 forms),
 * open file description locks (F_OFD_*), and flock(2).
 * Cages stand for processes: a record lock is owned by a cage, an OFD or flock lock by
 * an open file description. F_GETLK reports l_pid = the owning cage's id (-1 for an OFD
 * lock). F_SETLKW and blocking flock return WOULD_BLOCK instead of waiting.
 * Expectations checked against Linux 6.18 (tmpfs) with C probes using fork().
 */
import { describe, test, expect } from 'vitest';
import {
  Imfs, WOULD_BLOCK, EAGAIN, EBADF, EINVAL, EOVERFLOW,
  O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_CLOEXEC, O_PATH,
  F_GETLK, F_SETLK, F_SETLKW, F_GETLK64, F_SETLK64, F_SETLKW64, F_OFD_GETLK, F_OFD_SETLK,
  F_OFD_SETLKW, F_RDLCK, F_WRLCK, F_UNLCK, LOCK_SH, LOCK_EX, LOCK_UN, LOCK_NB,
  SEEK_SET, SEEK_CUR, SEEK_END, type Flock,
} from '../../src/core/index.js';
import { lock } from '../helpers/conformance.js';

/** Cages 1, 2, 3 (root) and /f (0666, 10 bytes); each cage has /f open O_RDWR on descriptor 3. */
function setup() {
  const fs = new Imfs();
  for (const c of [1, 2, 3]) expect(fs.createCage(c, {})).toBe(0);
  const w = fs.open(0, '/f', O_RDWR | O_CREAT, 0o666);
  expect(fs.write(0, w, Buffer.from('0123456789'))).toBe(10);
  expect(fs.close(0, w)).toBe(0);
  for (const c of [1, 2, 3]) expect(fs.open(c, '/f', O_RDWR)).toBe(3);
  return fs;
}

function setlk(fs: Imfs, cage: number, fd: number, type: number, start: number, len: number, whence = SEEK_SET, cmd = F_SETLK): number {
  return fs.fcntl(cage, fd, cmd, lock(type, start, len, whence));
}

/** F_GETLK (or another query command); returns the filled-in struct, or the errno. */
function getlk(fs: Imfs, cage: number, fd: number, type: number, start: number, len: number, cmd = F_GETLK, whence = SEEK_SET): Flock | number {
  const l = lock(type, start, len, whence);
  const r = fs.fcntl(cage, fd, cmd, l);
  return r < 0 ? r : l;
}

/** What F_GETLK reports for a conflicting lock. */
function held(type: number, start: number, len: number, pid: number): Flock {
  return { type, whence: SEEK_SET, start, len, pid };
}

describe('F_SETLK and F_GETLK', () => {
  test('no conflict: F_GETLK sets l_type to F_UNLCK and leaves the other fields as given', () => {
    const fs = setup();
    expect(getlk(fs, 1, 3, F_WRLCK, 4, 3, F_GETLK, SEEK_CUR)).toEqual({ type: F_UNLCK, whence: SEEK_CUR, start: 4, len: 3, pid: 0 });
  });

  test('a conflicting lock is reported with its range and l_pid = the owning cage id', () => {
    const fs = setup();
    expect(setlk(fs, 1, 3, F_WRLCK, 0, 10)).toBe(0);
    expect(getlk(fs, 2, 3, F_RDLCK, 5, 1)).toEqual(held(F_WRLCK, 0, 10, 1));
    expect(getlk(fs, 2, 3, F_RDLCK, 10, 5)).toEqual(held(F_UNLCK, 10, 5, 0));
  });

  test("a cage's own locks never conflict with its own requests", () => {
    const fs = setup();
    expect(setlk(fs, 1, 3, F_WRLCK, 0, 0)).toBe(0);
    expect(getlk(fs, 1, 3, F_WRLCK, 0, 0)).toEqual(held(F_UNLCK, 0, 0, 0));
    expect(setlk(fs, 1, 3, F_RDLCK, 0, 5)).toBe(0);
  });

  test('read locks are shared; a write lock excludes every other lock', () => {
    const fs = setup();
    expect(setlk(fs, 1, 3, F_RDLCK, 0, 10)).toBe(0);
    expect(setlk(fs, 2, 3, F_RDLCK, 5, 10)).toBe(0);
    expect(setlk(fs, 3, 3, F_WRLCK, 9, 1)).toBe(-EAGAIN);
    expect(setlk(fs, 3, 3, F_WRLCK, 15, 1)).toBe(0);
    expect(setlk(fs, 1, 3, F_RDLCK, 15, 1)).toBe(-EAGAIN);
    expect(setlk(fs, 1, 3, F_UNLCK, 0, 0)).toBe(0);
    // only cage 2's read lock is left over [5, 14]
    expect(getlk(fs, 3, 3, F_WRLCK, 0, 10)).toEqual(held(F_RDLCK, 5, 10, 2));
    expect(getlk(fs, 3, 3, F_RDLCK, 0, 10)).toEqual(held(F_UNLCK, 0, 10, 0));
  });

  test('F_SETLKW on a conflict returns WOULD_BLOCK and changes nothing; it succeeds once the lock is gone', () => {
    const fs = setup();
    expect(setlk(fs, 1, 3, F_WRLCK, 0, 5)).toBe(0);
    expect(setlk(fs, 2, 3, F_WRLCK, 3, 4, SEEK_SET, F_SETLKW)).toBe(WOULD_BLOCK);
    // cage 2 got nothing, not even the non-conflicting part [5, 6]
    expect(getlk(fs, 3, 3, F_WRLCK, 5, 2)).toEqual(held(F_UNLCK, 5, 2, 0));
    expect(setlk(fs, 1, 3, F_UNLCK, 0, 5)).toBe(0);
    expect(setlk(fs, 2, 3, F_WRLCK, 3, 4, SEEK_SET, F_SETLKW)).toBe(0);
    expect(getlk(fs, 3, 3, F_RDLCK, 0, 0)).toEqual(held(F_WRLCK, 3, 4, 2));
  });

  test('F_GETLK64, F_SETLK64 and F_SETLKW64 behave as the plain commands', () => {
    const fs = setup();
    expect(setlk(fs, 1, 3, F_WRLCK, 2, 2, SEEK_SET, F_SETLK64)).toBe(0);
    expect(getlk(fs, 2, 3, F_RDLCK, 0, 0, F_GETLK64)).toEqual(held(F_WRLCK, 2, 2, 1));
    expect(setlk(fs, 2, 3, F_RDLCK, 3, 1, SEEK_SET, F_SETLK64)).toBe(-EAGAIN);
    expect(setlk(fs, 2, 3, F_RDLCK, 3, 1, SEEK_SET, F_SETLKW64)).toBe(WOULD_BLOCK);
    expect(setlk(fs, 2, 3, F_RDLCK, 4, 1, SEEK_SET, F_SETLKW64)).toBe(0);
  });

  test('l_pid given to F_SETLK is ignored', () => {
    const fs = setup();
    expect(fs.fcntl(1, 3, F_SETLK, lock(F_WRLCK, 0, 1, SEEK_SET, 12345))).toBe(0);
    expect(getlk(fs, 2, 3, F_RDLCK, 0, 1)).toEqual(held(F_WRLCK, 0, 1, 1));
  });

  test('EBADF for a descriptor that is not open', () => {
    const fs = setup();
    expect(setlk(fs, 1, 9, F_RDLCK, 0, 1)).toBe(-EBADF);
    expect(getlk(fs, 1, 9, F_RDLCK, 0, 1)).toBe(-EBADF);
  });

  test('EBADF when the lock type needs an access mode the description lacks', () => {
    const fs = setup();
    const ro = fs.open(1, '/f', O_RDONLY), wo = fs.open(1, '/f', O_WRONLY);
    expect(setlk(fs, 1, wo, F_RDLCK, 0, 1)).toBe(-EBADF);
    expect(setlk(fs, 1, ro, F_WRLCK, 0, 1)).toBe(-EBADF);
    expect(setlk(fs, 1, wo, F_RDLCK, 0, 1, SEEK_SET, F_SETLKW)).toBe(-EBADF);
    expect(setlk(fs, 1, ro, F_WRLCK, 0, 1, SEEK_SET, F_OFD_SETLK)).toBe(-EBADF);
    expect(setlk(fs, 1, ro, F_UNLCK, 0, 1)).toBe(0);
    expect(setlk(fs, 1, wo, F_UNLCK, 0, 1)).toBe(0);
    expect(setlk(fs, 1, ro, F_RDLCK, 0, 1)).toBe(0);
    expect(setlk(fs, 1, wo, F_WRLCK, 5, 1)).toBe(0);
    // F_GETLK does not care about the access mode
    expect(getlk(fs, 2, fs.open(2, '/f', O_RDONLY), F_WRLCK, 0, 0)).toEqual(held(F_RDLCK, 0, 1, 1));
  });

  test('EINVAL for a bad l_type (F_UNLCK included for F_GETLK)', () => {
    const fs = setup();
    expect(setlk(fs, 1, 3, 7, 0, 1)).toBe(-EINVAL);
    expect(getlk(fs, 1, 3, 7, 0, 1)).toBe(-EINVAL);
    expect(getlk(fs, 1, 3, F_UNLCK, 0, 1)).toBe(-EINVAL);
    expect(getlk(fs, 1, 3, F_UNLCK, 0, 1, F_OFD_GETLK)).toBe(-EINVAL);
  });
});

describe('range arithmetic', () => {
  test('SEEK_CUR counts from the file offset', () => {
    const fs = setup();
    expect(fs.lseek(1, 3, 50, SEEK_SET)).toBe(50);
    expect(setlk(fs, 1, 3, F_WRLCK, -50, 100, SEEK_CUR)).toBe(0);
    expect(getlk(fs, 2, 3, F_RDLCK, 99, 1)).toEqual(held(F_WRLCK, 0, 100, 1));
    expect(getlk(fs, 2, 3, F_RDLCK, 100, 1)).toEqual(held(F_UNLCK, 100, 1, 0));
  });

  test('SEEK_END counts from the file size', () => {
    const fs = setup();
    expect(setlk(fs, 1, 3, F_WRLCK, -5, 2, SEEK_END)).toBe(0);
    expect(getlk(fs, 2, 3, F_RDLCK, 0, 0)).toEqual(held(F_WRLCK, 5, 2, 1));
    // the reply is always SEEK_SET-relative, even when asked relative to the end
    expect(getlk(fs, 2, 3, F_RDLCK, -4, 1, F_GETLK, SEEK_END)).toEqual(held(F_WRLCK, 5, 2, 1));
  });

  test('l_len 0 locks to end of file and beyond; F_GETLK reports it with l_len 0', () => {
    const fs = setup();
    expect(setlk(fs, 1, 3, F_RDLCK, 1000, 0)).toBe(0);
    expect(getlk(fs, 2, 3, F_WRLCK, 5000, 1)).toEqual(held(F_RDLCK, 1000, 0, 1));
    expect(getlk(fs, 2, 3, F_WRLCK, 2 ** 40, 0)).toEqual(held(F_RDLCK, 1000, 0, 1));
    expect(getlk(fs, 2, 3, F_WRLCK, 0, 1000)).toEqual(held(F_UNLCK, 0, 1000, 0));
    expect(setlk(fs, 1, 3, F_WRLCK, 0, 0, SEEK_END)).toBe(0);
    expect(getlk(fs, 2, 3, F_RDLCK, 10, 1)).toEqual(held(F_WRLCK, 10, 0, 1));
  });

  test('negative l_len covers [start + len, start - 1]', () => {
    const fs = setup();
    expect(setlk(fs, 1, 3, F_WRLCK, 300, -10)).toBe(0);
    expect(getlk(fs, 2, 3, F_RDLCK, 0, 0)).toEqual(held(F_WRLCK, 290, 10, 1));
    expect(getlk(fs, 2, 3, F_RDLCK, 300, 1)).toEqual(held(F_UNLCK, 300, 1, 0));
    expect(setlk(fs, 1, 3, F_WRLCK, 5, -5)).toBe(0);
    expect(getlk(fs, 2, 3, F_RDLCK, 0, 1)).toEqual(held(F_WRLCK, 0, 5, 1));
  });

  test('EINVAL when the range would start before offset 0, for every whence and command', () => {
    const fs = setup();
    expect(setlk(fs, 1, 3, F_RDLCK, -1, 1)).toBe(-EINVAL);
    expect(setlk(fs, 1, 3, F_RDLCK, 2, -5)).toBe(-EINVAL);
    expect(setlk(fs, 1, 3, F_RDLCK, -11, 1, SEEK_END)).toBe(-EINVAL);
    expect(fs.lseek(1, 3, 0, SEEK_SET)).toBe(0);
    expect(setlk(fs, 1, 3, F_RDLCK, -1, 0, SEEK_CUR)).toBe(-EINVAL);
    expect(getlk(fs, 1, 3, F_RDLCK, -1, 1)).toBe(-EINVAL);
    expect(setlk(fs, 1, 3, F_RDLCK, -1, 1, SEEK_SET, F_OFD_SETLK)).toBe(-EINVAL);
  });

  test('EINVAL for a bad l_whence', () => {
    const fs = setup();
    expect(setlk(fs, 1, 3, F_RDLCK, 0, 1, 3)).toBe(-EINVAL);
    expect(setlk(fs, 1, 3, F_RDLCK, 0, 1, 99)).toBe(-EINVAL);
    expect(getlk(fs, 1, 3, F_RDLCK, 0, 1, F_GETLK, 7)).toBe(-EINVAL);
  });

  test('EOVERFLOW when the end of the range is past the largest offset', () => {
    const fs = setup();
    expect(setlk(fs, 1, 3, F_RDLCK, Number.MAX_SAFE_INTEGER, 2)).toBe(-EOVERFLOW);
  });
});

describe("one owner's locks: replacing, splitting, merging", () => {
  test('a read lock inside a write lock splits it in three', () => {
    const fs = setup();
    expect(setlk(fs, 1, 3, F_WRLCK, 0, 100)).toBe(0);
    expect(setlk(fs, 1, 3, F_RDLCK, 40, 20)).toBe(0);
    expect(getlk(fs, 2, 3, F_RDLCK, 0, 1)).toEqual(held(F_WRLCK, 0, 40, 1));
    expect(getlk(fs, 2, 3, F_WRLCK, 40, 20)).toEqual(held(F_RDLCK, 40, 20, 1));
    expect(getlk(fs, 2, 3, F_RDLCK, 40, 20)).toEqual(held(F_UNLCK, 40, 20, 0));
    expect(getlk(fs, 2, 3, F_RDLCK, 60, 1)).toEqual(held(F_WRLCK, 60, 40, 1));
  });

  test('unlocking the middle of a lock leaves both ends', () => {
    const fs = setup();
    expect(setlk(fs, 1, 3, F_WRLCK, 0, 100)).toBe(0);
    expect(setlk(fs, 1, 3, F_UNLCK, 10, 10)).toBe(0);
    expect(getlk(fs, 2, 3, F_RDLCK, 0, 1)).toEqual(held(F_WRLCK, 0, 10, 1));
    expect(getlk(fs, 2, 3, F_WRLCK, 10, 10)).toEqual(held(F_UNLCK, 10, 10, 0));
    expect(getlk(fs, 2, 3, F_RDLCK, 20, 0)).toEqual(held(F_WRLCK, 20, 80, 1));
  });

  test('adjacent and overlapping locks of the same type merge into one', () => {
    const fs = setup();
    expect(setlk(fs, 1, 3, F_WRLCK, 200, 10)).toBe(0);
    expect(setlk(fs, 1, 3, F_WRLCK, 210, 10)).toBe(0);
    expect(getlk(fs, 2, 3, F_RDLCK, 205, 1)).toEqual(held(F_WRLCK, 200, 20, 1));
    expect(setlk(fs, 1, 3, F_RDLCK, 0, 10)).toBe(0);
    expect(setlk(fs, 1, 3, F_RDLCK, 5, 10)).toBe(0);
    expect(getlk(fs, 2, 3, F_WRLCK, 0, 1)).toEqual(held(F_RDLCK, 0, 15, 1));
    // a lock spanning a gap swallows both neighbours
    expect(setlk(fs, 1, 3, F_RDLCK, 20, 5)).toBe(0);
    expect(setlk(fs, 1, 3, F_RDLCK, 14, 7)).toBe(0);
    expect(getlk(fs, 2, 3, F_WRLCK, 0, 1)).toEqual(held(F_RDLCK, 0, 25, 1));
  });

  test('a new type over an existing lock replaces it (downgrade and upgrade)', () => {
    const fs = setup();
    expect(setlk(fs, 1, 3, F_WRLCK, 0, 10)).toBe(0);
    expect(setlk(fs, 1, 3, F_RDLCK, 0, 10)).toBe(0);
    expect(setlk(fs, 2, 3, F_RDLCK, 0, 10)).toBe(0);
    expect(getlk(fs, 3, 3, F_WRLCK, 0, 1)).toMatchObject({ type: F_RDLCK, start: 0, len: 10 });
    expect(setlk(fs, 2, 3, F_UNLCK, 0, 0)).toBe(0);
    expect(setlk(fs, 1, 3, F_WRLCK, 0, 10)).toBe(0);
    expect(getlk(fs, 3, 3, F_RDLCK, 0, 1)).toEqual(held(F_WRLCK, 0, 10, 1));
  });

  test('a refused upgrade leaves the existing lock as it was', () => {
    const fs = setup();
    expect(setlk(fs, 1, 3, F_RDLCK, 0, 10)).toBe(0);
    expect(setlk(fs, 2, 3, F_RDLCK, 5, 1)).toBe(0);
    expect(setlk(fs, 1, 3, F_WRLCK, 0, 10)).toBe(-EAGAIN);
    expect(setlk(fs, 2, 3, F_UNLCK, 0, 0)).toBe(0);
    expect(getlk(fs, 3, 3, F_WRLCK, 0, 0)).toEqual(held(F_RDLCK, 0, 10, 1));
  });

  test("unlocking what one does not hold is a success that leaves others' locks alone", () => {
    const fs = setup();
    expect(setlk(fs, 1, 3, F_WRLCK, 0, 10)).toBe(0);
    expect(setlk(fs, 2, 3, F_UNLCK, 0, 0)).toBe(0);
    expect(setlk(fs, 2, 3, F_UNLCK, 500, 5)).toBe(0);
    expect(getlk(fs, 2, 3, F_RDLCK, 0, 0)).toEqual(held(F_WRLCK, 0, 10, 1));
  });

  test('F_UNLCK with l_len 0 from 0 drops every lock of the owner on the file', () => {
    const fs = setup();
    expect(setlk(fs, 1, 3, F_WRLCK, 0, 10)).toBe(0);
    expect(setlk(fs, 1, 3, F_RDLCK, 50, 10)).toBe(0);
    expect(setlk(fs, 1, 3, F_WRLCK, 5000, 0)).toBe(0);
    expect(setlk(fs, 1, 3, F_UNLCK, 0, 0)).toBe(0);
    expect(setlk(fs, 2, 3, F_WRLCK, 0, 0)).toBe(0);
  });
});

describe('release of record locks (POSIX: any close of the file by the cage)', () => {
  test('closing ANY descriptor of the file drops all the cage\'s locks on it', () => {
    const fs = setup();
    expect(setlk(fs, 1, 3, F_WRLCK, 0, 5)).toBe(0);
    expect(setlk(fs, 1, 3, F_RDLCK, 7, 2)).toBe(0);
    const other = fs.open(1, '/f', O_RDONLY);
    expect(fs.close(1, other)).toBe(0);
    expect(getlk(fs, 2, 3, F_WRLCK, 0, 0)).toEqual(held(F_UNLCK, 0, 0, 0));
  });

  test('the same through another name (hard link) of the file', () => {
    const fs = setup();
    expect(fs.link(0, '/f', '/g')).toBe(0);
    expect(setlk(fs, 1, 3, F_WRLCK, 0, 5)).toBe(0);
    expect(fs.close(1, fs.open(1, '/g', O_RDONLY))).toBe(0);
    expect(setlk(fs, 2, 3, F_WRLCK, 0, 5)).toBe(0);
  });

  test('closing a duplicate releases too', () => {
    const fs = setup();
    expect(setlk(fs, 1, 3, F_WRLCK, 0, 5)).toBe(0);
    expect(fs.close(1, fs.dup(1, 3))).toBe(0);
    expect(setlk(fs, 2, 3, F_WRLCK, 0, 5)).toBe(0);
  });

  test('closing a descriptor of another file, or another cage closing, releases nothing', () => {
    const fs = setup();
    expect(setlk(fs, 1, 3, F_WRLCK, 0, 5)).toBe(0);
    expect(fs.close(1, fs.open(1, '/', O_RDONLY))).toBe(0);
    expect(fs.close(2, 3)).toBe(0);
    expect(getlk(fs, 3, 3, F_RDLCK, 0, 0)).toEqual(held(F_WRLCK, 0, 5, 1));
  });

  test('exitCage drops the cage\'s record locks', () => {
    const fs = setup();
    expect(setlk(fs, 1, 3, F_WRLCK, 0, 5)).toBe(0);
    expect(fs.exitCage(1)).toBe(0);
    expect(setlk(fs, 2, 3, F_WRLCK, 0, 5)).toBe(0);
  });

  test('execCage keeps locks, unless it closes an FD_CLOEXEC descriptor of the file', () => {
    const fs = setup();
    expect(setlk(fs, 1, 3, F_WRLCK, 0, 5)).toBe(0);
    expect(fs.execCage(1)).toBe(0);
    expect(getlk(fs, 2, 3, F_RDLCK, 0, 0)).toEqual(held(F_WRLCK, 0, 5, 1));
    expect(fs.open(1, '/f', O_RDONLY | O_CLOEXEC)).toBe(4);
    expect(fs.execCage(1)).toBe(0);
    expect(getlk(fs, 2, 3, F_RDLCK, 0, 0)).toEqual(held(F_UNLCK, 0, 0, 0));
  });

  test('fork: the child does not inherit record locks and its close or unlock does not touch the parent\'s', () => {
    const fs = setup();
    expect(setlk(fs, 1, 3, F_WRLCK, 0, 100)).toBe(0);
    expect(fs.forkCage(1, 7)).toBe(0);
    expect(getlk(fs, 7, 3, F_RDLCK, 0, 1)).toEqual(held(F_WRLCK, 0, 100, 1));
    expect(setlk(fs, 7, 3, F_WRLCK, 0, 1)).toBe(-EAGAIN);
    expect(setlk(fs, 7, 3, F_WRLCK, 100, 100)).toBe(0);
    expect(setlk(fs, 7, 3, F_UNLCK, 0, 100)).toBe(0);
    expect(fs.close(7, 3)).toBe(0);
    expect(getlk(fs, 2, 3, F_RDLCK, 0, 0)).toEqual(held(F_WRLCK, 0, 100, 1));
  });
});

describe('OFD locks (F_OFD_*)', () => {
  test('l_pid must be 0: EINVAL otherwise', () => {
    const fs = setup();
    expect(fs.fcntl(1, 3, F_OFD_SETLK, lock(F_WRLCK, 0, 1, SEEK_SET, 5))).toBe(-EINVAL);
    expect(fs.fcntl(1, 3, F_OFD_SETLKW, lock(F_WRLCK, 0, 1, SEEK_SET, 5))).toBe(-EINVAL);
    expect(fs.fcntl(1, 3, F_OFD_GETLK, lock(F_WRLCK, 0, 1, SEEK_SET, -1))).toBe(-EINVAL);
  });

  test('owned by the description: another description of the same cage conflicts, l_pid -1', () => {
    const fs = setup();
    const d2 = fs.open(1, '/f', O_RDWR);
    expect(setlk(fs, 1, 3, F_WRLCK, 500, 10, SEEK_SET, F_OFD_SETLK)).toBe(0);
    expect(getlk(fs, 1, 3, F_WRLCK, 500, 1, F_OFD_GETLK)).toEqual(held(F_UNLCK, 500, 1, 0));
    expect(getlk(fs, 1, d2, F_RDLCK, 0, 0, F_OFD_GETLK)).toEqual(held(F_WRLCK, 500, 10, -1));
    expect(setlk(fs, 1, d2, F_RDLCK, 505, 1, SEEK_SET, F_OFD_SETLK)).toBe(-EAGAIN);
    expect(setlk(fs, 1, d2, F_RDLCK, 505, 1, SEEK_SET, F_OFD_SETLKW)).toBe(WOULD_BLOCK);
    expect(setlk(fs, 1, d2, F_RDLCK, 510, 1, SEEK_SET, F_OFD_SETLKW)).toBe(0);
  });

  test('OFD locks and record locks of the same cage conflict with each other', () => {
    const fs = setup();
    const d2 = fs.open(1, '/f', O_RDWR);
    expect(setlk(fs, 1, d2, F_WRLCK, 500, 10, SEEK_SET, F_OFD_SETLK)).toBe(0);
    expect(setlk(fs, 1, 3, F_WRLCK, 505, 1)).toBe(-EAGAIN);
    expect(setlk(fs, 1, 3, F_WRLCK, 505, 1, SEEK_SET, F_SETLKW)).toBe(WOULD_BLOCK);
    // the record-lock view reports the OFD lock with l_pid -1 ...
    expect(getlk(fs, 1, 3, F_RDLCK, 500, 1)).toEqual(held(F_WRLCK, 500, 10, -1));
    // ... and the OFD view reports a record lock with the cage id
    expect(setlk(fs, 1, 3, F_WRLCK, 0, 40)).toBe(0);
    expect(getlk(fs, 1, d2, F_WRLCK, 0, 1, F_OFD_GETLK)).toEqual(held(F_WRLCK, 0, 40, 1));
    expect(setlk(fs, 1, d2, F_RDLCK, 0, 1, SEEK_SET, F_OFD_SETLK)).toBe(-EAGAIN);
  });

  test('other cages see OFD locks with l_pid -1', () => {
    const fs = setup();
    expect(setlk(fs, 1, 3, F_RDLCK, 0, 0, SEEK_SET, F_OFD_SETLK)).toBe(0);
    expect(getlk(fs, 2, 3, F_WRLCK, 7, 1)).toEqual(held(F_RDLCK, 0, 0, -1));
    expect(getlk(fs, 2, 3, F_WRLCK, 7, 1, F_OFD_GETLK)).toEqual(held(F_RDLCK, 0, 0, -1));
    expect(setlk(fs, 2, 3, F_RDLCK, 0, 0, SEEK_SET, F_OFD_SETLK)).toBe(0);
    expect(setlk(fs, 2, 3, F_WRLCK, 0, 0)).toBe(-EAGAIN);
  });

  test('duplicates and forked cages share the description, hence the lock', () => {
    const fs = setup();
    expect(setlk(fs, 1, 3, F_WRLCK, 0, 10, SEEK_SET, F_OFD_SETLK)).toBe(0);
    const d = fs.dup(1, 3);
    expect(getlk(fs, 1, d, F_WRLCK, 0, 10, F_OFD_GETLK)).toEqual(held(F_UNLCK, 0, 10, 0));
    expect(fs.forkCage(1, 7)).toBe(0);
    expect(getlk(fs, 7, 3, F_WRLCK, 0, 10, F_OFD_GETLK)).toEqual(held(F_UNLCK, 0, 10, 0));
    // the child's record-lock view still conflicts: its cage is not the owner
    expect(getlk(fs, 7, 3, F_WRLCK, 0, 10)).toEqual(held(F_WRLCK, 0, 10, -1));
    expect(setlk(fs, 7, 3, F_UNLCK, 0, 0, SEEK_SET, F_OFD_SETLK)).toBe(0);
    expect(setlk(fs, 2, 3, F_WRLCK, 0, 10)).toBe(0);
  });

  test('splitting and merging work for OFD locks as for record locks', () => {
    const fs = setup();
    expect(setlk(fs, 1, 3, F_WRLCK, 0, 100, SEEK_SET, F_OFD_SETLK)).toBe(0);
    expect(setlk(fs, 1, 3, F_UNLCK, 40, 20, SEEK_SET, F_OFD_SETLK)).toBe(0);
    expect(getlk(fs, 2, 3, F_RDLCK, 0, 1)).toEqual(held(F_WRLCK, 0, 40, -1));
    expect(getlk(fs, 2, 3, F_RDLCK, 99, 1)).toEqual(held(F_WRLCK, 60, 40, -1));
    expect(setlk(fs, 1, 3, F_WRLCK, 40, 20, SEEK_SET, F_OFD_SETLK)).toBe(0);
    expect(getlk(fs, 2, 3, F_RDLCK, 50, 1)).toEqual(held(F_WRLCK, 0, 100, -1));
  });

  test('released only by the last close of the description, not by other closes of the file', () => {
    const fs = setup();
    expect(setlk(fs, 1, 3, F_WRLCK, 0, 10, SEEK_SET, F_OFD_SETLK)).toBe(0);
    const d = fs.dup(1, 3);
    expect(fs.close(1, fs.open(1, '/f', O_RDONLY))).toBe(0);
    expect(fs.close(1, 3)).toBe(0);
    expect(setlk(fs, 2, 3, F_RDLCK, 0, 1)).toBe(-EAGAIN);
    expect(fs.forkCage(1, 7)).toBe(0);
    expect(fs.close(1, d)).toBe(0);
    expect(setlk(fs, 2, 3, F_RDLCK, 0, 1)).toBe(-EAGAIN);
    expect(fs.exitCage(7)).toBe(0);
    expect(setlk(fs, 2, 3, F_RDLCK, 0, 1)).toBe(0);
  });
});

describe('flock(2)', () => {
  test('EINVAL for an operation that is not exactly one of LOCK_SH, LOCK_EX, LOCK_UN (plus LOCK_NB)', () => {
    const fs = setup();
    for (const op of [0, LOCK_SH | LOCK_EX, LOCK_NB, LOCK_SH | LOCK_UN, LOCK_EX | LOCK_UN, 16, 64 | LOCK_SH]) {
      expect(fs.flock(1, 3, op)).toBe(-EINVAL);
    }
  });

  test('EBADF for a bad descriptor or an O_PATH one; a bad operation is reported first', () => {
    const fs = setup();
    expect(fs.flock(1, 9, LOCK_SH)).toBe(-EBADF);
    expect(fs.flock(1, fs.open(1, '/f', O_PATH), LOCK_SH)).toBe(-EBADF);
    expect(fs.flock(1, 9, 0)).toBe(-EINVAL);
  });

  test('shared locks coexist; an exclusive one excludes: EAGAIN with LOCK_NB, WOULD_BLOCK without', () => {
    const fs = setup();
    expect(fs.flock(1, 3, LOCK_SH)).toBe(0);
    expect(fs.flock(2, 3, LOCK_SH | LOCK_NB)).toBe(0);
    expect(fs.flock(3, 3, LOCK_EX | LOCK_NB)).toBe(-EAGAIN);
    expect(fs.flock(3, 3, LOCK_EX)).toBe(WOULD_BLOCK);
    expect(fs.flock(1, 3, LOCK_UN)).toBe(0);
    expect(fs.flock(2, 3, LOCK_UN)).toBe(0);
    expect(fs.flock(3, 3, LOCK_EX)).toBe(0);
    expect(fs.flock(1, 3, LOCK_SH | LOCK_NB)).toBe(-EAGAIN);
    expect(fs.flock(1, 3, LOCK_SH)).toBe(WOULD_BLOCK);
  });

  test('the access mode does not matter (LOCK_EX on a read-only descriptor)', () => {
    const fs = setup();
    const ro = fs.open(1, '/f', O_RDONLY), wo = fs.open(2, '/f', O_WRONLY);
    expect(fs.flock(1, ro, LOCK_EX | LOCK_NB)).toBe(0);
    expect(fs.flock(2, wo, LOCK_SH | LOCK_NB)).toBe(-EAGAIN);
  });

  test('two descriptions in the same cage conflict with each other', () => {
    const fs = setup();
    const other = fs.open(1, '/f', O_RDONLY);
    expect(fs.flock(1, 3, LOCK_EX | LOCK_NB)).toBe(0);
    expect(fs.flock(1, other, LOCK_EX | LOCK_NB)).toBe(-EAGAIN);
    expect(fs.flock(1, other, LOCK_SH | LOCK_NB)).toBe(-EAGAIN);
  });

  test('relocking with the same type succeeds; LOCK_UN with nothing held succeeds', () => {
    const fs = setup();
    expect(fs.flock(1, 3, LOCK_UN)).toBe(0);
    expect(fs.flock(1, 3, LOCK_UN | LOCK_NB)).toBe(0);
    expect(fs.flock(1, 3, LOCK_EX)).toBe(0);
    expect(fs.flock(1, 3, LOCK_EX | LOCK_NB)).toBe(0);
  });

  test('conversion: downgrade EX→SH lets others share; a refused upgrade SH→EX loses the lock', () => {
    const fs = setup();
    expect(fs.flock(1, 3, LOCK_EX)).toBe(0);
    expect(fs.flock(1, 3, LOCK_SH)).toBe(0);
    expect(fs.flock(2, 3, LOCK_SH | LOCK_NB)).toBe(0);
    // cage 1's upgrade conflicts with cage 2's shared lock: cage 1 is left with no lock at all
    expect(fs.flock(1, 3, LOCK_EX | LOCK_NB)).toBe(-EAGAIN);
    expect(fs.flock(2, 3, LOCK_EX | LOCK_NB)).toBe(0);
    expect(fs.flock(1, 3, LOCK_SH | LOCK_NB)).toBe(-EAGAIN);
  });

  test('independent of fcntl locks, in both directions', () => {
    const fs = setup();
    expect(fs.flock(1, 3, LOCK_EX)).toBe(0);
    expect(setlk(fs, 2, 3, F_WRLCK, 0, 0)).toBe(0);
    expect(setlk(fs, 3, 3, F_RDLCK, 0, 0, SEEK_SET, F_OFD_SETLK)).toBe(-EAGAIN);
    expect(getlk(fs, 3, 3, F_RDLCK, 0, 0)).toEqual(held(F_WRLCK, 0, 0, 2));
    expect(setlk(fs, 2, 3, F_UNLCK, 0, 0)).toBe(0);
    expect(getlk(fs, 3, 3, F_WRLCK, 0, 0)).toEqual(held(F_UNLCK, 0, 0, 0));
    expect(fs.flock(3, 3, LOCK_SH | LOCK_NB)).toBe(-EAGAIN);
  });

  test('duplicates share the lock; closing one duplicate keeps it, the last close releases it', () => {
    const fs = setup();
    expect(fs.flock(1, 3, LOCK_EX)).toBe(0);
    const d = fs.dup(1, 3);
    expect(fs.flock(1, d, LOCK_EX | LOCK_NB)).toBe(0);
    expect(fs.flock(1, d, LOCK_UN)).toBe(0);
    expect(fs.flock(2, 3, LOCK_EX | LOCK_NB)).toBe(0);
    expect(fs.flock(2, 3, LOCK_UN)).toBe(0);
    expect(fs.flock(1, d, LOCK_EX)).toBe(0);
    expect(fs.close(1, d)).toBe(0);
    expect(fs.flock(2, 3, LOCK_EX | LOCK_NB)).toBe(-EAGAIN);
    expect(fs.close(1, 3)).toBe(0);
    expect(fs.flock(2, 3, LOCK_EX | LOCK_NB)).toBe(0);
  });

  test('closing another description of the file does not release (unlike record locks)', () => {
    const fs = setup();
    expect(fs.flock(1, 3, LOCK_EX)).toBe(0);
    expect(fs.close(1, fs.open(1, '/f', O_RDONLY))).toBe(0);
    expect(fs.flock(2, 3, LOCK_SH | LOCK_NB)).toBe(-EAGAIN);
  });

  test('fork: the child shares the lock and may unlock it; its exit alone does not release it', () => {
    const fs = setup();
    expect(fs.flock(1, 3, LOCK_EX)).toBe(0);
    expect(fs.forkCage(1, 7)).toBe(0);
    expect(fs.flock(7, 3, LOCK_EX | LOCK_NB)).toBe(0);
    expect(fs.exitCage(7)).toBe(0);
    expect(fs.flock(2, 3, LOCK_SH | LOCK_NB)).toBe(-EAGAIN);
    expect(fs.forkCage(1, 8)).toBe(0);
    expect(fs.flock(8, 3, LOCK_UN)).toBe(0);
    expect(fs.flock(2, 3, LOCK_SH | LOCK_NB)).toBe(0);
  });

  test('exitCage of the last holder releases the lock', () => {
    const fs = setup();
    expect(fs.flock(1, 3, LOCK_EX)).toBe(0);
    expect(fs.exitCage(1)).toBe(0);
    expect(fs.flock(2, 3, LOCK_EX | LOCK_NB)).toBe(0);
  });
});
