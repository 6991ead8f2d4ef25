/**
 * lseek(2): SEEK_SET/SEEK_CUR/SEEK_END, offsets past EOF, SEEK_DATA/SEEK_HOLE on sparse
 * files, ESPIPE for pipes, and directory offsets (readdir positions), as the man page says
 * and Linux 6.18 tmpfs does (checked with C probes on /dev/shm). Holes are found at the
 * granularity of the file's chunks (4 KiB here, as tmpfs pages), so these tests write whole chunks.
 */
import { describe, test, expect } from 'vitest';
import {
  Imfs,
  O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_PATH, O_DIRECTORY, SEEK_SET, SEEK_CUR, SEEK_END, SEEK_DATA,
  SEEK_HOLE, FALLOC_FL_PUNCH_HOLE, FALLOC_FL_KEEP_SIZE,
} from '../../src/core/index.js';
import { r as E, enc, tmpfsSetup } from '../helpers/conformance.js';

const K4 = 4096, M1 = 1 << 20;

function fileWith(fs: Imfs, path: string, data: string): number {
  const fd = fs.open(0, path, O_CREAT | O_RDWR, 0o644);
  expect(fd).toBeGreaterThanOrEqual(0);
  if (data.length > 0) expect(fs.write(0, fd, enc(data))).toBe(data.length);
  return fd;
}
/** A file with data in [0, 4K) and [1M, 1M+1), a hole between. */
function sparse(fs: Imfs): number {
  const fd = fs.open(0, '/sparse', O_CREAT | O_RDWR, 0o644);
  expect(fs.pwrite(0, fd, new Uint8Array(K4).fill(1), K4, 0)).toBe(K4);
  expect(fs.pwrite(0, fd, enc('z'), 1, M1)).toBe(1);
  return fd;
}
function names(fs: Imfs, fd: number, n = Infinity): string[] {
  const out: string[] = [];
  while (out.length < n) {
    const e = fs.readdir(0, fd);
    if (e === null || typeof e === 'number') break;
    out.push(e.name);
  }
  return out;
}

describe('SEEK_SET, SEEK_CUR, SEEK_END', () => {
  test('each returns the new offset, which the next read or write uses', () => {
    const { fs } = tmpfsSetup();
    const fd = fileWith(fs, '/f', '0123456789');
    const b = new Uint8Array(2);
    expect(fs.lseek(0, fd, 3, SEEK_SET)).toBe(3);
    expect(fs.read(0, fd, b)).toBe(2);
    expect(new TextDecoder().decode(b)).toBe('34');
    expect(fs.lseek(0, fd, 2, SEEK_CUR)).toBe(7);
    expect(fs.lseek(0, fd, -3, SEEK_CUR)).toBe(4);
    expect(fs.lseek(0, fd, 0, SEEK_CUR)).toBe(4);
    expect(fs.lseek(0, fd, 0, SEEK_END)).toBe(10);
    expect(fs.lseek(0, fd, -4, SEEK_END)).toBe(6);
    expect(fs.read(0, fd, b)).toBe(2);
    expect(new TextDecoder().decode(b)).toBe('67');
  });

  test('past EOF is allowed; reading there gives 0, writing there leaves a hole of zeros', () => {
    const { fs } = tmpfsSetup();
    const fd = fileWith(fs, '/f', 'abc');
    expect(fs.lseek(0, fd, 10, SEEK_END)).toBe(13);
    expect(fs.read(0, fd, new Uint8Array(4))).toBe(0);
    expect(fs.lseek(0, fd, 2 ** 40, SEEK_SET)).toBe(2 ** 40);
    expect(fs.lseek(0, fd, 7, SEEK_SET)).toBe(7);
    expect(fs.write(0, fd, enc('!'))).toBe(1);
    const all = new Uint8Array(8);
    expect(fs.pread(0, fd, all, 8, 0)).toBe(8);
    expect([...all]).toEqual([0x61, 0x62, 0x63, 0, 0, 0, 0, 0x21]);
  });

  test('EINVAL for a negative result, and the offset stays where it was', () => {
    const { fs } = tmpfsSetup();
    const fd = fileWith(fs, '/f', '0123456789');
    expect(fs.lseek(0, fd, 5, SEEK_SET)).toBe(5);
    expect(E(fs.lseek(0, fd, -1, SEEK_SET))).toBe('EINVAL');
    expect(E(fs.lseek(0, fd, -6, SEEK_CUR))).toBe('EINVAL');
    expect(E(fs.lseek(0, fd, -11, SEEK_END))).toBe('EINVAL');
    expect(fs.lseek(0, fd, 0, SEEK_CUR)).toBe(5);
    expect(fs.lseek(0, fd, -5, SEEK_CUR)).toBe(0);
    expect(fs.lseek(0, fd, -10, SEEK_END)).toBe(0);
  });

  test('EINVAL for an unknown whence', () => {
    const { fs } = tmpfsSetup();
    const fd = fileWith(fs, '/f', 'abc');
    expect(E(fs.lseek(0, fd, 0, 5))).toBe('EINVAL');
    expect(E(fs.lseek(0, fd, 0, -1))).toBe('EINVAL');
    expect(E(fs.lseek(0, fd, 0, 100))).toBe('EINVAL');
  });

  test('EBADF for a descriptor that is not open or is O_PATH', () => {
    const { fs } = tmpfsSetup();
    fileWith(fs, '/f', 'abc');
    const p = fs.open(0, '/f', O_PATH);
    expect(E(fs.lseek(0, 99, 0, SEEK_SET))).toBe('EBADF');
    expect(E(fs.lseek(0, p, 0, SEEK_SET))).toBe('EBADF');
  });

  test('ESPIPE for pipes (both ends, any whence), FIFOs and sockets', () => {
    const { fs } = tmpfsSetup();
    const p = [0, 0];
    expect(fs.pipe(0, p)).toBe(0);
    expect(fs.mkfifo(0, '/fifo', 0o644)).toBe(0);
    const f = fs.open(0, '/fifo', O_RDWR);
    const s = fs.bind(0, '/sock');
    for (const fd of [p[0], p[1], f, s]) {
      expect(E(fs.lseek(0, fd, 0, SEEK_SET))).toBe('ESPIPE');
      expect(E(fs.lseek(0, fd, 0, SEEK_DATA))).toBe('ESPIPE');
    }
    // An unknown whence is refused before the file is asked (EINVAL, not ESPIPE).
    expect(E(fs.lseek(0, p[0], 0, 99))).toBe('EINVAL');
    expect(E(fs.lseek(0, p[0], 0, 5))).toBe('EINVAL');
  });

  test('duplicated descriptors share the offset; separate opens do not', () => {
    const { fs } = tmpfsSetup();
    const a = fileWith(fs, '/f', '0123456789');
    const dup = fs.dup(0, a);
    const other = fs.open(0, '/f', O_RDONLY);
    expect(fs.lseek(0, a, 4, SEEK_SET)).toBe(4);
    expect(fs.lseek(0, dup, 0, SEEK_CUR)).toBe(4);
    expect(fs.lseek(0, other, 0, SEEK_CUR)).toBe(0);
    expect(fs.forkCage(0, 1)).toBe(0);
    expect(fs.lseek(1, a, 1, SEEK_CUR)).toBe(5);
    expect(fs.lseek(0, dup, 0, SEEK_CUR)).toBe(5);
  });

  test('a write-only descriptor seeks too', () => {
    const { fs } = tmpfsSetup();
    fileWith(fs, '/f', 'abc');
    const w = fs.open(0, '/f', O_WRONLY);
    expect(fs.lseek(0, w, 0, SEEK_END)).toBe(3);
  });
});

describe('SEEK_DATA and SEEK_HOLE', () => {
  test('find the data and the holes of a sparse file; EOF counts as a hole', () => {
    const { fs } = tmpfsSetup();
    const fd = sparse(fs);
    expect(fs.lseek(0, fd, 0, SEEK_DATA)).toBe(0);
    expect(fs.lseek(0, fd, 100, SEEK_DATA)).toBe(100);
    expect(fs.lseek(0, fd, 0, SEEK_HOLE)).toBe(K4);
    expect(fs.lseek(0, fd, K4, SEEK_HOLE)).toBe(K4);
    expect(fs.lseek(0, fd, K4, SEEK_DATA)).toBe(M1);
    expect(fs.lseek(0, fd, 5000, SEEK_DATA)).toBe(M1);
    expect(fs.lseek(0, fd, M1, SEEK_DATA)).toBe(M1);
    expect(fs.lseek(0, fd, M1, SEEK_HOLE)).toBe(M1 + 1);
  });

  test('they move the file offset', () => {
    const { fs } = tmpfsSetup();
    const fd = sparse(fs);
    expect(fs.lseek(0, fd, K4, SEEK_DATA)).toBe(M1);
    expect(fs.lseek(0, fd, 0, SEEK_CUR)).toBe(M1);
    expect(fs.lseek(0, fd, 0, SEEK_HOLE)).toBe(K4);
    expect(fs.lseek(0, fd, 0, SEEK_CUR)).toBe(K4);
  });

  test('ENXIO at or past EOF, for a negative offset, and for SEEK_DATA with only a hole left', () => {
    const { fs } = tmpfsSetup();
    const fd = sparse(fs);
    expect(fs.lseek(0, fd, 7, SEEK_SET)).toBe(7);
    expect(E(fs.lseek(0, fd, M1 + 1, SEEK_DATA))).toBe('ENXIO');
    expect(E(fs.lseek(0, fd, M1 + 1, SEEK_HOLE))).toBe('ENXIO');
    expect(E(fs.lseek(0, fd, M1 + 100, SEEK_HOLE))).toBe('ENXIO');
    expect(E(fs.lseek(0, fd, -1, SEEK_DATA))).toBe('ENXIO');
    expect(E(fs.lseek(0, fd, -1, SEEK_HOLE))).toBe('ENXIO');
    expect(fs.lseek(0, fd, 0, SEEK_CUR)).toBe(7);
    // Grow the file with a hole at its end: no data after the last chunk.
    expect(fs.ftruncate(0, fd, 2 * M1)).toBe(0);
    expect(E(fs.lseek(0, fd, M1 + K4, SEEK_DATA))).toBe('ENXIO');
    expect(fs.lseek(0, fd, M1 + K4, SEEK_HOLE)).toBe(M1 + K4);
  });

  test('an empty file has neither; a file that is all hole has a hole at 0 and no data', () => {
    const { fs } = tmpfsSetup();
    const e = fileWith(fs, '/empty', '');
    expect(E(fs.lseek(0, e, 0, SEEK_DATA))).toBe('ENXIO');
    expect(E(fs.lseek(0, e, 0, SEEK_HOLE))).toBe('ENXIO');
    const h = fileWith(fs, '/hole', '');
    expect(fs.ftruncate(0, h, 10 * K4)).toBe(0);
    expect(E(fs.lseek(0, h, 0, SEEK_DATA))).toBe('ENXIO');
    expect(fs.lseek(0, h, 0, SEEK_HOLE)).toBe(0);
    expect(fs.lseek(0, h, 5 * K4 + 3, SEEK_HOLE)).toBe(5 * K4 + 3);
  });

  test('a fully written file is all data with only the EOF hole', () => {
    const { fs } = tmpfsSetup();
    const fd = fs.open(0, '/full', O_CREAT | O_RDWR, 0o644);
    expect(fs.write(0, fd, new Uint8Array(3 * K4 + 10).fill(9))).toBe(3 * K4 + 10);
    expect(fs.lseek(0, fd, 0, SEEK_HOLE)).toBe(3 * K4 + 10);
    expect(fs.lseek(0, fd, 2 * K4 + 1, SEEK_DATA)).toBe(2 * K4 + 1);
  });

  test('a punched hole is found; allocated space reads as data', () => {
    const { fs } = tmpfsSetup();
    const fd = fs.open(0, '/f', O_CREAT | O_RDWR, 0o644);
    expect(fs.write(0, fd, new Uint8Array(4 * K4).fill(9))).toBe(4 * K4);
    expect(fs.fallocate(0, fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, K4, 2 * K4)).toBe(0);
    expect(fs.lseek(0, fd, 0, SEEK_HOLE)).toBe(K4);
    expect(fs.lseek(0, fd, K4, SEEK_DATA)).toBe(3 * K4);
    const g = fs.open(0, '/g', O_CREAT | O_RDWR, 0o644);
    expect(fs.fallocate(0, g, 0, 0, 2 * K4)).toBe(0);
    expect(fs.lseek(0, g, 0, SEEK_DATA)).toBe(0);
    expect(fs.lseek(0, g, 0, SEEK_HOLE)).toBe(2 * K4);
  });
});

describe('directories', () => {
  test('SEEK_SET and SEEK_CUR set a readdir position; SEEK_END, SEEK_DATA, SEEK_HOLE are EINVAL', () => {
    const { fs } = tmpfsSetup();
    const d = fs.open(0, '/', O_RDONLY | O_DIRECTORY);
    expect(fs.lseek(0, d, 1000, SEEK_SET)).toBe(1000);
    expect(fs.lseek(0, d, 5, SEEK_CUR)).toBe(1005);
    expect(E(fs.lseek(0, d, 0, SEEK_END))).toBe('EINVAL');
    expect(E(fs.lseek(0, d, 0, SEEK_DATA))).toBe('EINVAL');
    expect(E(fs.lseek(0, d, 0, SEEK_HOLE))).toBe('EINVAL');
    expect(E(fs.lseek(0, d, -1, SEEK_SET))).toBe('EINVAL');
    expect(E(fs.lseek(0, d, -2000, SEEK_CUR))).toBe('EINVAL');
    expect(fs.lseek(0, d, 0, SEEK_CUR)).toBe(1005);
  });

  test('a position read with telldir (lseek SEEK_CUR) returns to the same place; 0 rewinds', () => {
    const { fs } = tmpfsSetup();
    expect(fs.mkdir(0, '/d', 0o755)).toBe(0);
    for (const n of ['a', 'b', 'c', 'd']) fileWith(fs, `/d/${n}`, '');
    const d = fs.open(0, '/d', O_RDONLY | O_DIRECTORY);
    expect(names(fs, d, 3)).toEqual(['.', '..', 'a']);
    const mark = fs.telldir(0, d);
    expect(mark).toBe(fs.lseek(0, d, 0, SEEK_CUR));
    expect(names(fs, d)).toEqual(['b', 'c', 'd']);
    expect(fs.lseek(0, d, mark, SEEK_SET)).toBe(mark);
    expect(names(fs, d)).toEqual(['b', 'c', 'd']);
    expect(fs.lseek(0, d, 0, SEEK_SET)).toBe(0);
    expect(names(fs, d)).toEqual(['.', '..', 'a', 'b', 'c', 'd']);
  });

  test("getdents64 d_off values are positions lseek accepts, each resuming after its entry", () => {
    const { fs } = tmpfsSetup();
    expect(fs.mkdir(0, '/d', 0o755)).toBe(0);
    for (const n of ['x', 'y', 'z']) fileWith(fs, `/d/${n}`, '');
    const d = fs.open(0, '/d', O_RDONLY | O_DIRECTORY);
    const offs: number[] = [];
    for (;;) {
      const e = fs.readdir(0, d);
      if (e === null || typeof e === 'number') break;
      offs.push(e.off);
    }
    expect(offs.length).toBe(5);
    expect(fs.lseek(0, d, offs[2], SEEK_SET)).toBe(offs[2]); // after "x"
    expect(names(fs, d)).toEqual(['y', 'z']);
    expect(fs.lseek(0, d, offs[4], SEEK_SET)).toBe(offs[4]);
    expect(fs.readdir(0, d)).toBe(null);
  });
});
