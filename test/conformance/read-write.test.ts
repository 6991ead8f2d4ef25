/**
 * read(2), write(2), pread(2)/pwrite(2), readv(2)/writev(2)/preadv/pwritev on regular files
 * (and their errors on pipes and directories): offsets, EOF, holes, O_APPEND, the size and
 * space limits, timestamps (relatime atime, mtime/ctime) and the clearing of set-id bits,
 * as the man pages say and Linux 6.18 tmpfs does (checked with C probes on /dev/shm).
 */
import { describe, test, expect } from 'vitest';
import {
  Imfs,
  O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_APPEND, O_PATH, O_NONBLOCK, O_DIRECTORY, O_NOATIME, SEEK_CUR, SEEK_SET,
  S_IFREG, S_ISUID, S_ISGID, WOULD_BLOCK,
} from '../../src/core/index.js';
import { T0, r as E, enc, tmpfsSetup, put, statOf } from '../helpers/conformance.js';

const DAY = 24 * 60 * 60;
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

function content(fs: Imfs, path: string): Uint8Array {
  const fd = fs.open(0, path, O_RDONLY | O_NOATIME); // keep atime out of it
  const size = statOf(fs, path).size;
  const buf = new Uint8Array(size);
  expect(fs.pread(0, fd, buf, size, 0)).toBe(size);
  fs.close(0, fd);
  return buf;
}
const pos = (fs: Imfs, fd: number, cage = 0) => fs.lseek(cage, fd, 0, SEEK_CUR);

describe('read', () => {
  test('reads from the file offset and advances it; a short count at EOF, then 0', () => {
    const { fs } = tmpfsSetup();
    put(fs, '/f', 'hello world');
    const fd = fs.open(0, '/f', O_RDONLY);
    const b = new Uint8Array(6);
    expect(fs.read(0, fd, b)).toBe(6);
    expect(dec(b)).toBe('hello ');
    expect(pos(fs, fd)).toBe(6);
    expect(fs.read(0, fd, b)).toBe(5);
    expect(dec(b.subarray(0, 5))).toBe('world');
    expect(pos(fs, fd)).toBe(11);
    expect(fs.read(0, fd, b)).toBe(0);
    expect(pos(fs, fd)).toBe(11);
  });

  test('a count of 0 reads nothing; an offset past EOF reads 0 bytes', () => {
    const { fs } = tmpfsSetup();
    put(fs, '/f', 'abc');
    const fd = fs.open(0, '/f', O_RDONLY);
    expect(fs.read(0, fd, new Uint8Array(8), 0)).toBe(0);
    expect(pos(fs, fd)).toBe(0);
    expect(fs.lseek(0, fd, 100, SEEK_SET)).toBe(100);
    expect(fs.read(0, fd, new Uint8Array(8))).toBe(0);
    expect(pos(fs, fd)).toBe(100);
  });

  test('reads across chunk boundaries return the bytes written', () => {
    const { fs } = tmpfsSetup();
    const data = new Uint8Array(3 * 4096 + 100).map((_, i) => (i * 7) & 0xff);
    const fd = fs.open(0, '/f', O_CREAT | O_RDWR, 0o644);
    expect(fs.write(0, fd, data)).toBe(data.length);
    const back = new Uint8Array(5000);
    expect(fs.pread(0, fd, back, 5000, 4000)).toBe(5000);
    expect(back).toEqual(data.subarray(4000, 9000));
  });

  test('EBADF: not open, opened write-only, or O_PATH', () => {
    const { fs } = tmpfsSetup();
    put(fs, '/f', 'abc');
    const w = fs.open(0, '/f', O_WRONLY), p = fs.open(0, '/f', O_PATH);
    const b = new Uint8Array(4);
    expect(E(fs.read(0, 99, b))).toBe('EBADF');
    expect(E(fs.read(0, w, b))).toBe('EBADF');
    expect(E(fs.read(0, w, b, 0))).toBe('EBADF');
    expect(E(fs.read(0, p, b))).toBe('EBADF');
  });

  test('EISDIR for a directory, whatever the count', () => {
    const { fs } = tmpfsSetup();
    const d = fs.open(0, '/', O_RDONLY | O_DIRECTORY);
    expect(E(fs.read(0, d, new Uint8Array(10)))).toBe('EISDIR');
    expect(E(fs.read(0, d, new Uint8Array(10), 0))).toBe('EISDIR');
    expect(E(fs.pread(0, d, new Uint8Array(10), 10, 0))).toBe('EISDIR');
    expect(E(fs.readv(0, d, [new Uint8Array(4), new Uint8Array(4)]))).toBe('EISDIR');
  });

  test('a pipe gives what is there; empty with a writer it would block (EAGAIN with O_NONBLOCK)', () => {
    const { fs } = tmpfsSetup();
    const p = [0, 0], q = [0, 0];
    expect(fs.pipe(0, p)).toBe(0);
    expect(fs.pipe2(0, q, O_NONBLOCK)).toBe(0);
    expect(fs.write(0, p[1], enc('abc'))).toBe(3);
    const b = new Uint8Array(10);
    expect(fs.read(0, p[0], b)).toBe(3);
    expect(fs.read(0, p[0], b)).toBe(WOULD_BLOCK);
    expect(E(fs.read(0, q[0], b))).toBe('EAGAIN');
  });
});

describe('write', () => {
  test('writes at the file offset and advances it; overwriting keeps the size, extending grows it', () => {
    const { fs } = tmpfsSetup();
    const fd = fs.open(0, '/f', O_CREAT | O_RDWR, 0o644);
    expect(fs.write(0, fd, enc('hello world'))).toBe(11);
    expect(pos(fs, fd)).toBe(11);
    expect(fs.lseek(0, fd, 6, SEEK_SET)).toBe(6);
    expect(fs.write(0, fd, enc('WO'))).toBe(2);
    expect(pos(fs, fd)).toBe(8);
    expect(statOf(fs, '/f').size).toBe(11);
    expect(fs.lseek(0, fd, 9, SEEK_SET)).toBe(9);
    expect(fs.write(0, fd, enc('LD!!'))).toBe(4);
    expect(statOf(fs, '/f').size).toBe(13);
    expect(dec(content(fs, '/f'))).toBe('hello WOrLD!!');
  });

  test('a write past EOF leaves a hole that reads as zeros and costs no blocks', () => {
    const { fs } = tmpfsSetup();
    const fd = fs.open(0, '/f', O_CREAT | O_RDWR, 0o644);
    expect(fs.write(0, fd, enc('a'))).toBe(1);
    expect(fs.lseek(0, fd, 1 << 20, SEEK_SET)).toBe(1 << 20);
    expect(fs.write(0, fd, enc('z'))).toBe(1);
    const s = statOf(fs, '/f');
    expect(s.size).toBe((1 << 20) + 1);
    // Two small pieces of data, each in at most one 4 KiB chunk: far below the size.
    expect(s.blocks).toBeGreaterThanOrEqual(2);
    expect(s.blocks).toBeLessThanOrEqual(16);
    const mid = new Uint8Array(8192).fill(0xee);
    expect(fs.pread(0, fd, mid, 8192, 500_000)).toBe(8192);
    expect(mid.every((x) => x === 0)).toBe(true);
    const edge = new Uint8Array(3);
    expect(fs.pread(0, fd, edge, 3, 0)).toBe(3);
    expect([...edge]).toEqual([0x61, 0, 0]);
  });

  test('count 0 writes nothing and changes no timestamp', () => {
    const { fs, clock } = tmpfsSetup();
    put(fs, '/f', 'abc');
    const fd = fs.open(0, '/f', O_WRONLY);
    clock.set(T0 + 10);
    expect(fs.write(0, fd, enc('xyz'), 0)).toBe(0);
    const s = statOf(fs, '/f');
    expect([s.size, s.mtimeSec, s.ctimeSec]).toEqual([3, T0, T0]);
  });

  test('updates mtime and ctime (to the nanosecond), not atime', () => {
    const { fs, clock } = tmpfsSetup();
    put(fs, '/f', 'abc');
    const fd = fs.open(0, '/f', O_WRONLY);
    clock.set(T0 + 10, 999_999_999);
    expect(fs.write(0, fd, enc('x'))).toBe(1);
    let s = statOf(fs, '/f');
    expect([s.mtimeSec, s.mtimeNsec, s.ctimeSec, s.ctimeNsec, s.atimeSec]).toEqual([T0 + 10, 999_999_999, T0 + 10, 999_999_999, T0]);
    clock.set(T0 + 20, 1);
    expect(fs.pwrite(0, fd, enc('y'), 1, 100)).toBe(1);
    s = statOf(fs, '/f');
    expect([s.mtimeSec, s.mtimeNsec, s.ctimeSec, s.ctimeNsec]).toEqual([T0 + 20, 1, T0 + 20, 1]);
  });

  test('EBADF: not open, opened read-only, or O_PATH; EBADF for a directory (never writable)', () => {
    const { fs } = tmpfsSetup();
    put(fs, '/f', 'abc');
    const r = fs.open(0, '/f', O_RDONLY), p = fs.open(0, '/f', O_PATH), d = fs.open(0, '/', O_RDONLY);
    expect(E(fs.write(0, 99, enc('x')))).toBe('EBADF');
    expect(E(fs.write(0, r, enc('x')))).toBe('EBADF');
    expect(E(fs.write(0, r, enc('x'), 0))).toBe('EBADF');
    expect(E(fs.write(0, p, enc('x')))).toBe('EBADF');
    expect(E(fs.write(0, d, enc('x')))).toBe('EBADF');
    expect(statOf(fs, '/f').size).toBe(3);
  });

  test('EFBIG at or past the maximum file size; a write that crosses it is cut short', () => {
    const { fs } = tmpfsSetup({ maxFileSize: 10_000 });
    const fd = fs.open(0, '/f', O_CREAT | O_RDWR, 0o644);
    expect(E(fs.pwrite(0, fd, enc('x'), 1, 10_000))).toBe('EFBIG');
    expect(E(fs.pwrite(0, fd, enc('x'), 1, 20_000))).toBe('EFBIG');
    expect(statOf(fs, '/f').size).toBe(0);
    expect(fs.pwrite(0, fd, new Uint8Array(100), 100, 9_950)).toBe(50);
    expect(statOf(fs, '/f').size).toBe(10_000);
    expect(fs.lseek(0, fd, 10_000, SEEK_SET)).toBe(10_000);
    expect(E(fs.write(0, fd, enc('x')))).toBe('EFBIG');
    expect(fs.write(0, fd, enc('x'), 0)).toBe(0); // nothing to write, nothing to refuse
  });

  test('ENOSPC: a write that runs out of space part way returns what fit, the next one ENOSPC', () => {
    const { fs, clock } = tmpfsSetup({ maxBytes: 3 * 4096 });
    const fd = fs.open(0, '/f', O_CREAT | O_RDWR, 0o644);
    const big = new Uint8Array(4 * 4096).fill(0x71);
    expect(fs.write(0, fd, big)).toBe(3 * 4096);
    expect(pos(fs, fd)).toBe(3 * 4096);
    clock.set(T0 + 5);
    expect(E(fs.write(0, fd, enc('more')))).toBe('ENOSPC');
    const s = statOf(fs, '/f');
    expect(s.size).toBe(3 * 4096);
    expect(s.mtimeSec).toBe(T0 + 5); // times are updated before the data is tried (as Linux does)
    const g = fs.open(0, '/g', O_CREAT | O_RDWR, 0o644);
    expect(E(fs.write(0, g, enc('x')))).toBe('ENOSPC');
    // Space already held can be rewritten.
    expect(fs.pwrite(0, fd, enc('again'), 5, 100)).toBe(5);
    // Space comes back when the file shrinks.
    expect(fs.ftruncate(0, fd, 4096)).toBe(0);
    expect(fs.write(0, g, new Uint8Array(2 * 4096))).toBe(2 * 4096);
  });

  test('an unprivileged write clears set-user-ID, and set-group-ID when group-executable or not in the group', () => {
    const { fs } = tmpfsSetup();
    for (const [name, mode, gid] of [['suid', 0o6777, 0], ['sgidx', 0o2777, 1000], ['sgid-other', 0o2767, 0], ['sgid-mine', 0o2767, 1000]] as const) {
      put(fs, `/${name}`);
      expect(fs.chmod(0, `/${name}`, mode)).toBe(0);
      expect(fs.chown(0, `/${name}`, 0, gid)).toBe(0);
      expect(fs.chmod(0, `/${name}`, mode)).toBe(0);
    }
    expect(fs.createCage(1, { uid: 1000, gid: 1000 })).toBe(0);
    for (const name of ['suid', 'sgidx', 'sgid-other', 'sgid-mine']) {
      const fd = fs.open(1, `/${name}`, O_WRONLY);
      expect(fs.write(1, fd, enc('x'), 0)).toBe(0); // writing nothing changes nothing
      expect(statOf(fs, `/${name}`).mode & (S_ISUID | S_ISGID)).not.toBe(0);
      expect(fs.write(1, fd, enc('x'))).toBe(1);
    }
    expect(statOf(fs, '/suid').mode).toBe(S_IFREG | 0o0777);
    expect(statOf(fs, '/sgidx').mode).toBe(S_IFREG | 0o0777);
    expect(statOf(fs, '/sgid-other').mode).toBe(S_IFREG | 0o0767);
    expect(statOf(fs, '/sgid-mine').mode).toBe(S_IFREG | 0o2767);
  });

  test('root keeps the set-id bits when it writes', () => {
    const { fs } = tmpfsSetup();
    put(fs, '/s');
    expect(fs.chmod(0, '/s', 0o6777)).toBe(0);
    const fd = fs.open(0, '/s', O_WRONLY);
    expect(fs.write(0, fd, enc('x'))).toBe(1);
    expect(statOf(fs, '/s').mode).toBe(S_IFREG | 0o6777);
  });
});

describe('O_APPEND', () => {
  test('each write goes to the end and leaves the offset there', () => {
    const { fs } = tmpfsSetup();
    put(fs, '/f', 'abc');
    const fd = fs.open(0, '/f', O_RDWR | O_APPEND);
    expect(fs.write(0, fd, enc('d'))).toBe(1);
    expect(pos(fs, fd)).toBe(4);
    expect(fs.lseek(0, fd, 1, SEEK_SET)).toBe(1);
    expect(fs.write(0, fd, enc('ef'))).toBe(2);
    expect(pos(fs, fd)).toBe(6);
    expect(dec(content(fs, '/f'))).toBe('abcdef');
  });

  test('two descriptors appending never overwrite each other', () => {
    const { fs } = tmpfsSetup();
    put(fs, '/log');
    const a = fs.open(0, '/log', O_WRONLY | O_APPEND), b = fs.open(0, '/log', O_WRONLY | O_APPEND);
    expect(fs.write(0, a, enc('1'))).toBe(1);
    expect(fs.write(0, b, enc('22'))).toBe(2);
    expect(fs.write(0, a, enc('333'))).toBe(3);
    expect(dec(content(fs, '/log'))).toBe('122333');
  });

  test('pwrite on an O_APPEND descriptor appends whatever the offset says (the Linux bug pwrite(2) describes), offset unchanged', () => {
    const { fs } = tmpfsSetup();
    put(fs, '/f', 'hello');
    const fd = fs.open(0, '/f', O_RDWR | O_APPEND);
    expect(fs.lseek(0, fd, 1, SEEK_SET)).toBe(1);
    expect(fs.pwrite(0, fd, enc('XY'), 2, 0)).toBe(2);
    expect(pos(fs, fd)).toBe(1);
    expect(fs.pwritev(0, fd, [enc('Z')], 0)).toBe(1);
    expect(dec(content(fs, '/f'))).toBe('helloXYZ');
  });
});

describe('pread and pwrite', () => {
  test('work at the given offset and leave the file offset alone', () => {
    const { fs } = tmpfsSetup();
    put(fs, '/f', '0123456789');
    const fd = fs.open(0, '/f', O_RDWR);
    expect(fs.lseek(0, fd, 2, SEEK_SET)).toBe(2);
    const b = new Uint8Array(4);
    expect(fs.pread(0, fd, b, 4, 5)).toBe(4);
    expect(dec(b)).toBe('5678');
    expect(fs.pread(0, fd, b, 4, 8)).toBe(2);
    expect(fs.pread(0, fd, b, 4, 10)).toBe(0);
    expect(fs.pread(0, fd, b, 4, 1000)).toBe(0);
    expect(fs.pwrite(0, fd, enc('ab'), 2, 0)).toBe(2);
    expect(pos(fs, fd)).toBe(2);
    expect(fs.pwrite(0, fd, enc('!'), 1, 12)).toBe(1);
    expect(pos(fs, fd)).toBe(2);
    expect([...content(fs, '/f')]).toEqual([...enc('ab23456789'), 0, 0, 0x21]);
  });

  test('EINVAL for a negative offset, checked before the descriptor itself', () => {
    const { fs } = tmpfsSetup();
    put(fs, '/f', 'abc');
    const r = fs.open(0, '/f', O_RDONLY), w = fs.open(0, '/f', O_WRONLY), p = fs.open(0, '/f', O_PATH);
    const b = new Uint8Array(2);
    expect(E(fs.pread(0, r, b, 2, -1))).toBe('EINVAL');
    expect(E(fs.pread(0, w, b, 2, -1))).toBe('EINVAL');
    expect(E(fs.pread(0, p, b, 2, -1))).toBe('EINVAL');
    expect(E(fs.pread(0, 99, b, 2, -1))).toBe('EINVAL');
    expect(E(fs.pwrite(0, w, b, 2, -1))).toBe('EINVAL');
    expect(E(fs.pwrite(0, r, b, 2, -5))).toBe('EINVAL');
  });

  test('EBADF for a descriptor not open, O_PATH, or of the wrong access mode', () => {
    const { fs } = tmpfsSetup();
    put(fs, '/f', 'abc');
    const r = fs.open(0, '/f', O_RDONLY), w = fs.open(0, '/f', O_WRONLY), p = fs.open(0, '/f', O_PATH);
    const b = new Uint8Array(2);
    expect(E(fs.pread(0, 99, b, 2, 0))).toBe('EBADF');
    expect(E(fs.pread(0, p, b, 2, 0))).toBe('EBADF');
    expect(E(fs.pread(0, w, b, 2, 0))).toBe('EBADF');
    expect(E(fs.pwrite(0, r, b, 2, 0))).toBe('EBADF');
    expect(E(fs.pwrite(0, p, b, 2, 0))).toBe('EBADF');
  });

  test('ESPIPE on pipes and FIFOs, for either end (before the access mode is looked at)', () => {
    const { fs } = tmpfsSetup();
    const p = [0, 0];
    expect(fs.pipe(0, p)).toBe(0);
    expect(fs.mkfifo(0, '/fifo', 0o644)).toBe(0);
    const f = fs.open(0, '/fifo', O_RDWR);
    const b = new Uint8Array(2);
    expect(E(fs.pread(0, p[0], b, 2, 0))).toBe('ESPIPE');
    expect(E(fs.pread(0, p[1], b, 2, 0))).toBe('ESPIPE');
    expect(E(fs.pwrite(0, p[1], b, 2, 0))).toBe('ESPIPE');
    expect(E(fs.pwrite(0, p[0], b, 2, 0))).toBe('ESPIPE');
    expect(E(fs.pread(0, f, b, 0, 0))).toBe('ESPIPE');
    expect(E(fs.pwrite(0, f, b, 2, 0))).toBe('ESPIPE');
    expect(E(fs.pread(0, p[0], b, 2, -1))).toBe('EINVAL');
  });
});

describe('vectored I/O', () => {
  test('writev writes the buffers in order as one write; readv fills them in order', () => {
    const { fs } = tmpfsSetup();
    const fd = fs.open(0, '/f', O_CREAT | O_RDWR, 0o644);
    expect(fs.writev(0, fd, [enc('ab'), enc(''), enc('cde'), enc('f')])).toBe(6);
    expect(pos(fs, fd)).toBe(6);
    expect(fs.lseek(0, fd, 0, SEEK_SET)).toBe(0);
    const v = [new Uint8Array(1), new Uint8Array(0), new Uint8Array(3), new Uint8Array(4)];
    expect(fs.readv(0, fd, v)).toBe(6);
    expect(v.map(dec)).toEqual(['a', '', 'bcd', 'ef\0\0']);
    expect(pos(fs, fd)).toBe(6);
    expect(fs.readv(0, fd, v)).toBe(0);
  });

  test('a short readv fills the first buffers only', () => {
    const { fs } = tmpfsSetup();
    put(fs, '/f', 'xyz');
    const fd = fs.open(0, '/f', O_RDONLY);
    const v = [new Uint8Array(2).fill(1), new Uint8Array(2).fill(1), new Uint8Array(2).fill(1)];
    expect(fs.readv(0, fd, v)).toBe(3);
    expect(v.map((x) => [...x])).toEqual([[0x78, 0x79], [0x7a, 1], [1, 1]]);
  });

  test('preadv and pwritev use the given offset and leave the file offset alone', () => {
    const { fs } = tmpfsSetup();
    put(fs, '/f', '0123456789');
    const fd = fs.open(0, '/f', O_RDWR);
    expect(fs.pwritev(0, fd, [enc('A'), enc('B')], 4)).toBe(2);
    const v = [new Uint8Array(3), new Uint8Array(3)];
    expect(fs.preadv(0, fd, v, 2)).toBe(6);
    expect(v.map(dec)).toEqual(['23A', 'B67']);
    expect(pos(fs, fd)).toBe(0);
  });

  test('no buffers: 0; more than IOV_MAX (1024) buffers: EINVAL', () => {
    const { fs } = tmpfsSetup();
    put(fs, '/f', 'abc');
    const fd = fs.open(0, '/f', O_RDWR);
    expect(fs.readv(0, fd, [])).toBe(0);
    expect(fs.writev(0, fd, [])).toBe(0);
    const many = Array.from({ length: 1025 }, () => new Uint8Array(1));
    expect(E(fs.readv(0, fd, many))).toBe('EINVAL');
    expect(E(fs.writev(0, fd, many))).toBe('EINVAL');
    expect(fs.writev(0, fd, many.slice(0, 1024))).toBe(1024);
  });

  test('the errors of the scalar calls: EBADF, EINVAL, ESPIPE', () => {
    const { fs } = tmpfsSetup();
    put(fs, '/f', 'abc');
    const r = fs.open(0, '/f', O_RDONLY);
    const p = [0, 0];
    expect(fs.pipe(0, p)).toBe(0);
    const v = [new Uint8Array(2)];
    expect(E(fs.writev(0, r, v))).toBe('EBADF');
    expect(E(fs.preadv(0, r, v, -1))).toBe('EINVAL');
    expect(E(fs.pwritev(0, r, v, -1))).toBe('EINVAL');
    expect(E(fs.preadv(0, p[0], v, 0))).toBe('ESPIPE');
    expect(E(fs.pwritev(0, p[1], v, 0))).toBe('ESPIPE');
    expect(E(fs.preadv(0, p[1], v, 0))).toBe('ESPIPE');
  });
});

describe('access time (relatime)', () => {
  test('a read updates atime when it is not newer than mtime or ctime, then not again', () => {
    const { fs, clock } = tmpfsSetup();
    put(fs, '/f', 'abc');
    const fd = fs.open(0, '/f', O_RDONLY);
    const b = new Uint8Array(8);
    clock.set(T0 + 10, 500);
    expect(fs.pread(0, fd, b, 8, 0)).toBe(3);
    let s = statOf(fs, '/f');
    expect([s.atimeSec, s.atimeNsec, s.mtimeSec]).toEqual([T0 + 10, 500, T0]);
    clock.set(T0 + 20);
    expect(fs.read(0, fd, b)).toBe(3);
    expect(statOf(fs, '/f').atimeSec).toBe(T0 + 10);
    // A change makes the next read count again.
    const w = fs.open(0, '/f', O_WRONLY);
    clock.set(T0 + 30);
    expect(fs.write(0, w, enc('x'))).toBe(1);
    clock.set(T0 + 40);
    expect(fs.pread(0, fd, b, 8, 0)).toBe(3);
    s = statOf(fs, '/f');
    expect([s.atimeSec, s.mtimeSec]).toEqual([T0 + 40, T0 + 30]);
  });

  test('an atime a day old is updated anyway', () => {
    const { fs, clock } = tmpfsSetup();
    put(fs, '/f', 'abc');
    const fd = fs.open(0, '/f', O_RDONLY);
    clock.set(T0 + 10);
    fs.pread(0, fd, new Uint8Array(1), 1, 0);
    clock.set(T0 + 10 + DAY - 1);
    fs.pread(0, fd, new Uint8Array(1), 1, 0);
    expect(statOf(fs, '/f').atimeSec).toBe(T0 + 10);
    clock.set(T0 + 10 + DAY);
    fs.pread(0, fd, new Uint8Array(1), 1, 0);
    expect(statOf(fs, '/f').atimeSec).toBe(T0 + 10 + DAY);
  });

  test('a zero-length read and a read at EOF count as accesses too (as on tmpfs)', () => {
    const { fs, clock } = tmpfsSetup();
    put(fs, '/a', 'abc');
    put(fs, '/b', 'abc');
    const a = fs.open(0, '/a', O_RDONLY), b = fs.open(0, '/b', O_RDONLY);
    clock.set(T0 + 10);
    expect(fs.read(0, a, new Uint8Array(8), 0)).toBe(0);
    expect(fs.pread(0, b, new Uint8Array(8), 8, 100)).toBe(0);
    expect(statOf(fs, '/a').atimeSec).toBe(T0 + 10);
    expect(statOf(fs, '/b').atimeSec).toBe(T0 + 10);
  });

  test('a failed read changes nothing', () => {
    const { fs, clock } = tmpfsSetup();
    put(fs, '/f', 'abc');
    const w = fs.open(0, '/f', O_WRONLY);
    clock.set(T0 + 10);
    expect(E(fs.read(0, w, new Uint8Array(8)))).toBe('EBADF');
    expect(statOf(fs, '/f').atimeSec).toBe(T0);
  });

  test('readv and preadv update atime like read', () => {
    const { fs, clock } = tmpfsSetup();
    put(fs, '/f', 'abc');
    const fd = fs.open(0, '/f', O_RDONLY);
    clock.set(T0 + 10);
    expect(fs.readv(0, fd, [new Uint8Array(1), new Uint8Array(1)])).toBe(2);
    expect(statOf(fs, '/f').atimeSec).toBe(T0 + 10);
  });
});
