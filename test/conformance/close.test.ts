/**
 * close(2): the descriptor goes, the open file description goes with its last descriptor,
 * the inode with its last link and reference; record locks of the process on the file go
 * with any of its descriptors (close(2) NOTES), flock locks with the description.
 */
import { describe, test, expect } from 'vitest';
import {
  Imfs, newStat, newStatfs,
  O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_PATH, O_NONBLOCK, O_DIRECTORY, F_GETFD, F_SETLK, F_GETLK,
  F_WRLCK, F_RDLCK, F_UNLCK, SEEK_CUR, SEEK_SET, LOCK_EX, LOCK_NB, EPIPE,
} from '../../src/core/index.js';
import { T0, r as E, enc, tmpfsSetup, lock } from '../helpers/conformance.js';

/** Unlike the shared put, asks for mode 0666. */
function put(fs: Imfs, path: string, data = ''): void {
  const fd = fs.open(0, path, O_CREAT | O_WRONLY, 0o666);
  expect(fd).toBeGreaterThanOrEqual(0);
  if (data.length > 0) expect(fs.write(0, fd, enc(data))).toBe(data.length);
  expect(fs.close(0, fd)).toBe(0);
}

describe('close', () => {
  test('returns 0 and the descriptor is no longer usable (EBADF everywhere, a second close included)', () => {
    const { fs } = tmpfsSetup();
    put(fs, '/f', 'abc');
    const fd = fs.open(0, '/f', O_RDWR);
    expect(fs.close(0, fd)).toBe(0);
    expect(E(fs.close(0, fd))).toBe('EBADF');
    expect(E(fs.read(0, fd, new Uint8Array(4)))).toBe('EBADF');
    expect(E(fs.write(0, fd, enc('x')))).toBe('EBADF');
    expect(E(fs.fstat(0, fd, newStat()))).toBe('EBADF');
    expect(E(fs.lseek(0, fd, 0, SEEK_SET))).toBe('EBADF');
    expect(E(fs.fcntl(0, fd, F_GETFD))).toBe('EBADF');
  });

  test('EBADF for a descriptor never opened, a negative one, one past the limit', () => {
    const { fs } = tmpfsSetup({ maxFds: 16 });
    expect(E(fs.close(0, 999))).toBe('EBADF');
    expect(E(fs.close(0, 3))).toBe('EBADF');
    expect(E(fs.close(0, -1))).toBe('EBADF');
    expect(E(fs.close(0, 16))).toBe('EBADF');
  });

  test('0, 1 and 2 are reserved for stdio until something is put there: EBADF, and open skips them', () => {
    const { fs } = tmpfsSetup();
    put(fs, '/f');
    expect(E(fs.close(0, 0))).toBe('EBADF');
    expect(E(fs.close(0, 2))).toBe('EBADF');
    const fd = fs.open(0, '/f', O_RDONLY);
    expect(fd).toBe(3);
    expect(fs.dup2(0, fd, 0)).toBe(0);
    expect(fs.close(0, 0)).toBe(0);
    // Once a real descriptor was closed there, 0 is an ordinary free slot, the lowest.
    expect(fs.open(0, '/f', O_RDONLY)).toBe(0);
  });

  test('the closed number is the lowest free one again', () => {
    const { fs } = tmpfsSetup();
    put(fs, '/f');
    const fds = [fs.open(0, '/f', O_RDONLY), fs.open(0, '/f', O_RDONLY), fs.open(0, '/f', O_RDONLY)];
    expect(fds).toEqual([3, 4, 5]);
    expect(fs.close(0, 4)).toBe(0);
    expect(fs.close(0, 3)).toBe(0);
    expect(fs.open(0, '/f', O_RDONLY)).toBe(3);
    expect(fs.open(0, '/f', O_RDONLY)).toBe(4);
    expect(fs.open(0, '/f', O_RDONLY)).toBe(6);
  });

  test('O_PATH descriptors and directory descriptors close like any other', () => {
    const { fs } = tmpfsSetup();
    put(fs, '/f');
    const p = fs.open(0, '/f', O_PATH);
    const d = fs.open(0, '/', O_RDONLY | O_DIRECTORY);
    expect(fs.close(0, p)).toBe(0);
    expect(fs.close(0, d)).toBe(0);
    expect(E(fs.close(0, p))).toBe('EBADF');
  });

  test('does not touch the file: no timestamp changes, the data stays', () => {
    const { fs, clock } = tmpfsSetup();
    put(fs, '/f', 'data');
    const fd = fs.open(0, '/f', O_RDWR);
    clock.set(T0 + 100);
    expect(fs.close(0, fd)).toBe(0);
    const s = newStat();
    fs.stat(0, '/f', s);
    expect([s.atimeSec, s.mtimeSec, s.ctimeSec, s.size]).toEqual([T0, T0, T0, 4]);
  });
});

describe('shared open file descriptions', () => {
  test('closing one of two duplicates leaves the other working, with the shared offset', () => {
    const { fs } = tmpfsSetup();
    put(fs, '/f', 'abcdef');
    const a = fs.open(0, '/f', O_RDONLY);
    const b = fs.dup(0, a);
    const buf = new Uint8Array(2);
    expect(fs.read(0, a, buf)).toBe(2);
    expect(fs.close(0, a)).toBe(0);
    expect(fs.lseek(0, b, 0, SEEK_CUR)).toBe(2);
    expect(fs.read(0, b, buf)).toBe(2);
    expect(new TextDecoder().decode(buf)).toBe('cd');
  });

  test('a forked cage keeps its copy when the parent closes, and the other way round', () => {
    const { fs } = tmpfsSetup();
    put(fs, '/f', 'abcdef');
    const fd = fs.open(0, '/f', O_RDONLY);
    expect(fs.createCage(1)).toBe(0);
    const pfd = fs.open(1, '/f', O_RDONLY);
    expect(fs.forkCage(1, 2)).toBe(0);
    expect(fs.close(1, pfd)).toBe(0);
    expect(fs.read(2, pfd, new Uint8Array(3))).toBe(3);
    expect(fs.close(2, pfd)).toBe(0);
    expect(E(fs.close(1, pfd))).toBe('EBADF');
    expect(fs.close(0, fd)).toBe(0);
  });
});

describe('releasing the file', () => {
  test('an unlinked file lives while open and is freed (inode and space) at the last close', () => {
    const { fs } = tmpfsSetup();
    const sfs = newStatfs();
    fs.statfs(0, '/', sfs);
    const freeBefore = sfs.bfree, inodesBefore = sfs.ffree;
    const fd = fs.open(0, '/f', O_CREAT | O_RDWR, 0o644);
    expect(fs.write(0, fd, new Uint8Array(3 * 4096).fill(7))).toBe(3 * 4096);
    const dup = fs.dup(0, fd);
    expect(fs.unlink(0, '/f')).toBe(0);
    fs.statfs(0, '/', sfs);
    expect([sfs.bfree, sfs.ffree]).toEqual([freeBefore - 3, inodesBefore - 1]);
    const b = new Uint8Array(1);
    expect(fs.pread(0, fd, b, 1, 5000)).toBe(1);
    expect(b[0]).toBe(7);
    expect(fs.close(0, fd)).toBe(0);
    fs.statfs(0, '/', sfs);
    expect(sfs.ffree).toBe(inodesBefore - 1);
    expect(fs.close(0, dup)).toBe(0);
    fs.statfs(0, '/', sfs);
    expect([sfs.bfree, sfs.ffree]).toEqual([freeBefore, inodesBefore]);
  });

  test('a file that still has a name is not freed by close', () => {
    const { fs } = tmpfsSetup();
    put(fs, '/f', 'x');
    const live = fs.inodes.live;
    expect(fs.close(0, fs.open(0, '/f', O_RDONLY))).toBe(0);
    expect(fs.inodes.live).toBe(live);
    expect(fs.exists(0, '/f')).toBe(true);
  });

  test('a removed directory lives while open and is freed at the last close', () => {
    const { fs } = tmpfsSetup();
    expect(fs.mkdir(0, '/d', 0o755)).toBe(0);
    const live = fs.inodes.live;
    const d = fs.open(0, '/d', O_RDONLY);
    expect(fs.rmdir(0, '/d')).toBe(0);
    expect(fs.inodes.live).toBe(live);
    expect(fs.close(0, d)).toBe(0);
    expect(fs.inodes.live).toBe(live - 1);
  });
});

describe('pipes and FIFOs', () => {
  test('closing the last write end gives the reader end-of-file; the last read end gives the writer EPIPE', () => {
    const { fs } = tmpfsSetup();
    const p = [0, 0];
    expect(fs.pipe(0, p)).toBe(0);
    expect(fs.write(0, p[1], enc('hi'))).toBe(2);
    expect(fs.close(0, p[1])).toBe(0);
    const b = new Uint8Array(8);
    expect(fs.read(0, p[0], b)).toBe(2);
    expect(fs.read(0, p[0], b)).toBe(0);
    const q = [0, 0];
    expect(fs.pipe(0, q)).toBe(0);
    expect(fs.close(0, q[0])).toBe(0);
    expect(fs.write(0, q[1], enc('x'))).toBe(-EPIPE);
  });

  test('a write end kept by a duplicate keeps the reader waiting (no EOF yet)', () => {
    const { fs } = tmpfsSetup();
    const p = [0, 0];
    expect(fs.pipe2(0, p, O_NONBLOCK)).toBe(0);
    const w2 = fs.dup(0, p[1]);
    expect(fs.close(0, p[1])).toBe(0);
    expect(E(fs.read(0, p[0], new Uint8Array(1)))).toBe('EAGAIN');
    expect(fs.close(0, w2)).toBe(0);
    expect(fs.read(0, p[0], new Uint8Array(1))).toBe(0);
  });

  test('after the last reader of a FIFO closes, a non-blocking writer gets ENXIO', () => {
    const { fs } = tmpfsSetup();
    expect(fs.mkfifo(0, '/fifo', 0o644)).toBe(0);
    const r = fs.open(0, '/fifo', O_RDONLY | O_NONBLOCK);
    const w = fs.open(0, '/fifo', O_WRONLY | O_NONBLOCK);
    expect(w).toBe(r + 1);
    expect(fs.close(0, w)).toBe(0);
    expect(fs.close(0, r)).toBe(0);
    expect(E(fs.open(0, '/fifo', O_WRONLY | O_NONBLOCK))).toBe('ENXIO');
  });
});

describe('locks', () => {
  test("closing any of a cage's descriptors for a file drops all its record locks on that file", () => {
    const { fs } = tmpfsSetup();
    put(fs, '/f', 'data');
    expect(fs.createCage(1)).toBe(0);
    const a = fs.open(0, '/f', O_RDWR);
    const b = fs.open(0, '/f', O_RDONLY);
    expect(fs.fcntl(0, a, F_SETLK, lock(F_WRLCK))).toBe(0);
    const probe = fs.open(1, '/f', O_RDWR);
    const q = lock(F_WRLCK);
    expect(fs.fcntl(1, probe, F_GETLK, q)).toBe(0);
    expect(q.type).toBe(F_WRLCK);
    expect(fs.close(0, b)).toBe(0); // not the descriptor that took the lock
    const q2 = lock(F_RDLCK);
    expect(fs.fcntl(1, probe, F_GETLK, q2)).toBe(0);
    expect(q2.type).toBe(F_UNLCK);
    expect(fs.fcntl(1, probe, F_SETLK, lock(F_WRLCK))).toBe(0);
  });

  test('closing a descriptor of another file leaves the locks alone', () => {
    const { fs } = tmpfsSetup();
    put(fs, '/f', 'data');
    put(fs, '/g', 'data');
    expect(fs.createCage(1)).toBe(0);
    const a = fs.open(0, '/f', O_RDWR);
    const g = fs.open(0, '/g', O_RDWR);
    expect(fs.fcntl(0, a, F_SETLK, lock(F_WRLCK))).toBe(0);
    expect(fs.close(0, g)).toBe(0);
    const probe = fs.open(1, '/f', O_RDWR);
    expect(E(fs.fcntl(1, probe, F_SETLK, lock(F_WRLCK)))).toBe('EAGAIN');
  });

  test('an flock lock lasts until the last descriptor of its description is closed', () => {
    const { fs } = tmpfsSetup();
    put(fs, '/f');
    const a = fs.open(0, '/f', O_RDONLY);
    const dup = fs.dup(0, a);
    const other = fs.open(0, '/f', O_RDONLY);
    expect(fs.flock(0, a, LOCK_EX)).toBe(0);
    expect(fs.close(0, a)).toBe(0);
    expect(E(fs.flock(0, other, LOCK_EX | LOCK_NB))).toBe('EAGAIN');
    expect(fs.close(0, dup)).toBe(0);
    expect(fs.flock(0, other, LOCK_EX | LOCK_NB)).toBe(0);
  });
});
