/**
 * fallocate(2) and posix_fallocate(3) with the modes tmpfs has (allocate, KEEP_SIZE,
 * PUNCH_HOLE|KEEP_SIZE), the order Linux 6.18 checks things in (descriptor, range, mode,
 * access mode, file type, size limit, then what tmpfs supports), and all-or-nothing ENOSPC.
 * Every expectation here was compared with a C probe on /dev/shm. Chunks are 4 KiB, as
 * tmpfs pages, so block counts match Linux.
 */
import { describe, test, expect } from 'vitest';
import {
  Imfs, newStat, newStatfs,
  O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_APPEND, O_PATH, O_DIRECTORY, S_IFCHR, S_IFREG,
  FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE, FALLOC_FL_NO_HIDE_STALE, FALLOC_FL_COLLAPSE_RANGE,
  FALLOC_FL_ZERO_RANGE, FALLOC_FL_INSERT_RANGE, FALLOC_FL_UNSHARE_RANGE, FALLOC_FL_WRITE_ZEROES,
} from '../../src/core/index.js';
import { T0, r as E, tmpfsSetup, fstatOf } from '../helpers/conformance.js';

const K4 = 4096;
const KEEP = FALLOC_FL_KEEP_SIZE, PUNCH = FALLOC_FL_PUNCH_HOLE;

function newFile(fs: Imfs, path = '/f', fill = 0): number {
  const fd = fs.open(0, path, O_CREAT | O_RDWR, 0o644);
  expect(fd).toBeGreaterThanOrEqual(0);
  if (fill > 0) expect(fs.write(0, fd, new Uint8Array(fill).fill(0x78))).toBe(fill);
  return fd;
}
function at(fs: Imfs, fd: number, pos: number, n: number): number[] {
  const b = new Uint8Array(n);
  return [...b.subarray(0, fs.pread(0, fd, b, n, pos))];
}

describe('allocating', () => {
  test('mode 0 extends the size to offset+len; the new range reads as zeros and is allocated', () => {
    const { fs } = tmpfsSetup();
    const fd = newFile(fs);
    expect(fs.fallocate(0, fd, 0, 0, 10_000)).toBe(0);
    const s = fstatOf(fs, fd);
    expect([s.size, s.blocks]).toEqual([10_000, 3 * K4 / 512]);
    expect(at(fs, fd, 9_998, 10)).toEqual([0, 0]);
  });

  test('inside the file it keeps the size and the data', () => {
    const { fs } = tmpfsSetup();
    const fd = newFile(fs, '/f', 100);
    expect(fs.fallocate(0, fd, 0, 10, 20)).toBe(0);
    expect(fstatOf(fs, fd).size).toBe(100);
    expect(at(fs, fd, 8, 4)).toEqual([0x78, 0x78, 0x78, 0x78]);
    expect(fs.fallocate(0, fd, 0, 50, 100)).toBe(0);
    expect(fstatOf(fs, fd).size).toBe(150);
    expect(at(fs, fd, 98, 4)).toEqual([0x78, 0x78, 0, 0]);
  });

  test('KEEP_SIZE allocates without changing the size', () => {
    const { fs } = tmpfsSetup();
    const fd = newFile(fs, '/f', 100);
    expect(fs.fallocate(0, fd, KEEP, 0, 5 * K4)).toBe(0);
    const s = fstatOf(fs, fd);
    expect([s.size, s.blocks]).toEqual([100, 5 * K4 / 512]);
    expect(at(fs, fd, 0, 200).length).toBe(100);
  });

  test('preallocated space is there for later writes, even when the filesystem is otherwise full', () => {
    const { fs } = tmpfsSetup({ maxBytes: 4 * K4 });
    const fd = newFile(fs);
    expect(fs.fallocate(0, fd, KEEP, 0, 4 * K4)).toBe(0);
    const other = newFile(fs, '/g');
    expect(E(fs.write(0, other, new Uint8Array(1)))).toBe('ENOSPC');
    expect(fs.write(0, fd, new Uint8Array(4 * K4).fill(1))).toBe(4 * K4);
  });

  test('posix_fallocate is mode 0 (the core returns -errno where C returns the errno)', () => {
    const { fs } = tmpfsSetup();
    const fd = newFile(fs);
    expect(fs.posix_fallocate(0, fd, K4, K4)).toBe(0);
    expect(fstatOf(fs, fd).size).toBe(2 * K4);
    expect(E(fs.posix_fallocate(0, fd, 0, 0))).toBe('EINVAL');
    expect(E(fs.posix_fallocate(0, fd, -1, 1))).toBe('EINVAL');
    const r = fs.open(0, '/f', O_RDONLY);
    expect(E(fs.posix_fallocate(0, r, 0, 1))).toBe('EBADF');
    const p = [0, 0];
    expect(fs.pipe(0, p)).toBe(0);
    expect(E(fs.posix_fallocate(0, p[1], 0, 1))).toBe('ESPIPE');
  });

  test('the file offset is not moved, and O_APPEND descriptors may allocate', () => {
    const { fs } = tmpfsSetup();
    newFile(fs, '/f', 10);
    const fd = fs.open(0, '/f', O_WRONLY | O_APPEND);
    expect(fs.fallocate(0, fd, 0, 0, 3 * K4)).toBe(0);
    expect(fs.lseek(0, fd, 0, 1)).toBe(0);
    expect(fs.fallocate(0, fd, PUNCH | KEEP, 0, 5)).toBe(0);
  });
});

describe('punching holes', () => {
  test('PUNCH_HOLE|KEEP_SIZE zeroes the range, frees the whole chunks in it, keeps the size', () => {
    const { fs } = tmpfsSetup();
    const fd = newFile(fs, '/f', 3 * K4);
    expect(fstatOf(fs, fd).blocks).toBe(24);
    expect(fs.fallocate(0, fd, PUNCH | KEEP, K4, K4)).toBe(0);
    let s = fstatOf(fs, fd);
    expect([s.size, s.blocks]).toEqual([3 * K4, 16]);
    expect(at(fs, fd, K4 - 1, 3)).toEqual([0x78, 0, 0]);
    expect(at(fs, fd, 2 * K4 - 1, 2)).toEqual([0, 0x78]);
    // A range inside one chunk is zeroed, and the chunk stays.
    expect(fs.fallocate(0, fd, PUNCH | KEEP, 100, 10)).toBe(0);
    s = fstatOf(fs, fd);
    expect(s.blocks).toBe(16);
    expect(at(fs, fd, 98, 14)).toEqual([0x78, 0x78, ...new Array(10).fill(0), 0x78, 0x78]);
  });

  test('past EOF it changes no size and frees what KEEP_SIZE had preallocated there', () => {
    const { fs } = tmpfsSetup();
    const fd = newFile(fs, '/f', K4);
    expect(fs.fallocate(0, fd, KEEP, K4, 2 * K4)).toBe(0);
    expect(fstatOf(fs, fd).blocks).toBe(24);
    expect(fs.fallocate(0, fd, PUNCH | KEEP, K4, 2 * K4)).toBe(0);
    expect(fs.fallocate(0, fd, PUNCH | KEEP, 50_000, 10)).toBe(0);
    const s = fstatOf(fs, fd);
    expect([s.size, s.blocks]).toEqual([K4, 8]);
  });

  test('the freed space can be used again', () => {
    const { fs } = tmpfsSetup({ maxBytes: 2 * K4 });
    const fd = newFile(fs, '/f', 2 * K4);
    const g = newFile(fs, '/g');
    expect(E(fs.write(0, g, new Uint8Array(1)))).toBe('ENOSPC');
    expect(fs.fallocate(0, fd, PUNCH | KEEP, 0, K4)).toBe(0);
    expect(fs.write(0, g, new Uint8Array(K4))).toBe(K4);
  });
});

describe('timestamps and set-id bits', () => {
  test('each successful call updates mtime and ctime (also inside the size, and a punch past EOF)', () => {
    const { fs, clock } = tmpfsSetup();
    const fd = newFile(fs, '/f', 100);
    const calls: [number, number, number][] = [[0, 0, 10], [KEEP, 0, 5 * K4], [PUNCH | KEEP, 0, 10], [PUNCH | KEEP, 90_000, 10], [0, 0, 3 * K4]];
    let t = T0;
    for (const [mode, offset, len] of calls) {
      clock.set(++t, t % 1000);
      expect(fs.fallocate(0, fd, mode, offset, len)).toBe(0);
      const s = fstatOf(fs, fd);
      expect([s.mtimeSec, s.mtimeNsec, s.ctimeSec, s.ctimeNsec, s.atimeSec]).toEqual([t, t % 1000, t, t % 1000, T0]);
    }
  });

  test('a failed call changes nothing', () => {
    const { fs, clock } = tmpfsSetup({ maxBytes: K4 });
    const fd = newFile(fs, '/f', 100);
    clock.set(T0 + 9);
    expect(E(fs.fallocate(0, fd, 0, 0, 2 * K4))).toBe('ENOSPC');
    expect(E(fs.fallocate(0, fd, FALLOC_FL_ZERO_RANGE, 0, 10))).toBe('EOPNOTSUPP');
    const s = fstatOf(fs, fd);
    expect([s.size, s.mtimeSec, s.ctimeSec]).toEqual([100, T0, T0]);
  });

  test('an unprivileged fallocate clears set-user-ID and set-group-ID; root keeps them', () => {
    const { fs } = tmpfsSetup();
    newFile(fs, '/s');
    expect(fs.chmod(0, '/s', 0o6777)).toBe(0);
    const rootFd = fs.open(0, '/s', O_RDWR);
    expect(fs.fallocate(0, rootFd, 0, 0, 10)).toBe(0);
    const s = newStat();
    fs.stat(0, '/s', s);
    expect(s.mode).toBe(S_IFREG | 0o6777);
    expect(fs.createCage(1, { uid: 1000, gid: 1000 })).toBe(0);
    const fd = fs.open(1, '/s', O_RDWR);
    expect(fs.fallocate(1, fd, 0, 0, 10)).toBe(0);
    fs.stat(0, '/s', s);
    expect(s.mode).toBe(S_IFREG | 0o777);
  });
});

describe('modes', () => {
  test('EOPNOTSUPP for combinations the VFS refuses, checked before the access mode', () => {
    const { fs } = tmpfsSetup();
    newFile(fs, '/f', 100);
    const r = fs.open(0, '/f', O_RDONLY);
    for (const mode of [
      PUNCH, // a hole always keeps the size
      FALLOC_FL_NO_HIDE_STALE, FALLOC_FL_NO_HIDE_STALE | KEEP, PUNCH | KEEP | FALLOC_FL_NO_HIDE_STALE,
      PUNCH | FALLOC_FL_ZERO_RANGE | KEEP, FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_INSERT_RANGE,
      FALLOC_FL_COLLAPSE_RANGE | KEEP, FALLOC_FL_INSERT_RANGE | KEEP, FALLOC_FL_WRITE_ZEROES | KEEP,
      0x100, 0x8000_0000 | 0,
    ]) {
      expect([mode, E(fs.fallocate(0, r, mode, 0, 1))]).toEqual([mode, 'EOPNOTSUPP']);
    }
  });

  test('modes tmpfs lacks (zero range, collapse, insert, unshare, write zeroes) are EOPNOTSUPP on a writable file', () => {
    const { fs } = tmpfsSetup();
    const fd = newFile(fs, '/f', 3 * K4);
    const r = fs.open(0, '/f', O_RDONLY);
    for (const mode of [FALLOC_FL_ZERO_RANGE, FALLOC_FL_ZERO_RANGE | KEEP, FALLOC_FL_COLLAPSE_RANGE, FALLOC_FL_INSERT_RANGE,
      FALLOC_FL_UNSHARE_RANGE, FALLOC_FL_UNSHARE_RANGE | KEEP, FALLOC_FL_WRITE_ZEROES]) {
      expect([mode, E(fs.fallocate(0, fd, mode, 0, K4))]).toEqual([mode, 'EOPNOTSUPP']);
      // The VFS accepts these, so a read-only descriptor is refused first.
      expect([mode, E(fs.fallocate(0, r, mode, 0, K4))]).toEqual([mode, 'EBADF']);
    }
    expect(fstatOf(fs, fd).size).toBe(3 * K4);
  });
});

describe('errors', () => {
  test('EINVAL for a negative offset or a length <= 0 (before the mode and the access mode)', () => {
    const { fs } = tmpfsSetup();
    const fd = newFile(fs);
    const r = fs.open(0, '/f', O_RDONLY);
    expect(E(fs.fallocate(0, fd, 0, -1, 10))).toBe('EINVAL');
    expect(E(fs.fallocate(0, fd, 0, 0, 0))).toBe('EINVAL');
    expect(E(fs.fallocate(0, fd, 0, 0, -5))).toBe('EINVAL');
    expect(E(fs.fallocate(0, fd, 0x100, 0, 0))).toBe('EINVAL');
    expect(E(fs.fallocate(0, r, FALLOC_FL_ZERO_RANGE, -1, 1))).toBe('EINVAL');
  });

  test('EBADF for a descriptor not open (before anything else), O_PATH, or not open for writing', () => {
    const { fs } = tmpfsSetup();
    newFile(fs);
    const r = fs.open(0, '/f', O_RDONLY), p = fs.open(0, '/f', O_PATH);
    const pipe = [0, 0];
    expect(fs.pipe(0, pipe)).toBe(0);
    expect(E(fs.fallocate(0, 99, 0, 0, 1))).toBe('EBADF');
    expect(E(fs.fallocate(0, 99, 0, 0, 0))).toBe('EBADF');
    expect(E(fs.fallocate(0, 99, 0x100, 0, 1))).toBe('EBADF');
    expect(E(fs.fallocate(0, p, 0, 0, 1))).toBe('EBADF');
    expect(E(fs.fallocate(0, r, 0, 0, 1))).toBe('EBADF');
    expect(E(fs.fallocate(0, r, PUNCH | KEEP, 0, 1))).toBe('EBADF');
    expect(E(fs.fallocate(0, pipe[0], 0, 0, 1))).toBe('EBADF');
  });

  test('a directory cannot be open for writing, so it is EBADF (the EISDIR of the man page is out of reach)', () => {
    const { fs } = tmpfsSetup();
    const d = fs.open(0, '/', O_RDONLY | O_DIRECTORY);
    expect(E(fs.fallocate(0, d, 0, 0, 1))).toBe('EBADF');
  });

  test('ESPIPE for the write end of a pipe and a FIFO', () => {
    const { fs } = tmpfsSetup();
    const pipe = [0, 0];
    expect(fs.pipe(0, pipe)).toBe(0);
    expect(fs.mkfifo(0, '/fifo', 0o666)).toBe(0);
    const f = fs.open(0, '/fifo', O_RDWR);
    expect(E(fs.fallocate(0, pipe[1], 0, 0, 1))).toBe('ESPIPE');
    expect(E(fs.fallocate(0, f, 0, 0, 1))).toBe('ESPIPE');
  });

  test('ENODEV for a character device or a socket', () => {
    const { fs } = tmpfsSetup();
    expect(fs.mknod(0, '/null', S_IFCHR | 0o666, 1, 3)).toBe(0);
    fs.registerDevice('c', 1, 3, { read: () => 0, write: (_s, _o, len) => len });
    const n = fs.open(0, '/null', O_WRONLY);
    expect(n).toBe(3);
    expect(E(fs.fallocate(0, n, 0, 0, 1))).toBe('ENODEV');
    expect(E(fs.fallocate(0, n, FALLOC_FL_ZERO_RANGE, 0, 1))).toBe('ENODEV');
    const s = fs.bind(0, '/sock');
    expect(E(fs.fallocate(0, s, 0, 0, 1))).toBe('ENODEV');
  });

  test('EFBIG when offset+len passes the maximum file size, for every mode (before what tmpfs supports)', () => {
    const { fs } = tmpfsSetup({ maxFileSize: 100_000 });
    const fd = newFile(fs);
    expect(E(fs.fallocate(0, fd, 0, 99_999, 2))).toBe('EFBIG');
    expect(E(fs.fallocate(0, fd, KEEP, 100_000, 1))).toBe('EFBIG');
    expect(E(fs.fallocate(0, fd, PUNCH | KEEP, 100_000, 1))).toBe('EFBIG');
    expect(E(fs.fallocate(0, fd, FALLOC_FL_ZERO_RANGE, 100_000, 1))).toBe('EFBIG');
    expect(E(fs.fallocate(0, fd, FALLOC_FL_COLLAPSE_RANGE, 100_000, 1))).toBe('EFBIG');
    expect(fstatOf(fs, fd).size).toBe(0);
    expect(fs.fallocate(0, fd, 0, 99_999, 1)).toBe(0);
    expect(fstatOf(fs, fd).size).toBe(100_000);
  });

  test('ENOSPC is all or nothing: no size change, no blocks taken', () => {
    const { fs } = tmpfsSetup({ maxBytes: 4 * K4 });
    const fd = newFile(fs, '/f', 2 * K4);
    const sfs = newStatfs();
    fs.statfs(0, '/', sfs);
    const free = sfs.bfree;
    expect(E(fs.fallocate(0, fd, 0, 0, 5 * K4))).toBe('ENOSPC');
    expect(E(fs.fallocate(0, fd, KEEP, 2 * K4, 3 * K4))).toBe('ENOSPC');
    let s = fstatOf(fs, fd);
    expect([s.size, s.blocks]).toEqual([2 * K4, 16]);
    fs.statfs(0, '/', sfs);
    expect(sfs.bfree).toBe(free);
    expect(fs.fallocate(0, fd, 0, 0, 4 * K4)).toBe(0);
    s = fstatOf(fs, fd);
    expect([s.size, s.blocks]).toEqual([4 * K4, 32]);
  });

  test('a range far beyond the free space is ENOSPC at once, not after walking it (fuzzer: 1 TiB took seconds)', () => {
    const { fs } = tmpfsSetup({ maxBytes: 1 << 20 });
    const fd = newFile(fs, '/f', K4);
    const t0 = performance.now();
    expect(E(fs.fallocate(0, fd, 0, 3000, 2 ** 40))).toBe('ENOSPC');
    expect(E(fs.fallocate(0, fd, KEEP, 2 ** 42, 2 ** 42))).toBe('ENOSPC');
    expect(performance.now() - t0).toBeLessThan(500);
    expect([fstatOf(fs, fd).size, fstatOf(fs, fd).blocks]).toEqual([K4, 8]);
  });
});
