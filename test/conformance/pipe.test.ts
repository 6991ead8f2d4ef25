/**
 * pipe(2), pipe2(2) and pipe(7): the two ends, pipe2 flags, capacity (F_GETPIPE_SZ /
 * F_SETPIPE_SZ), PIPE_BUF atomicity, EOF and EPIPE, non-blocking I/O, O_DIRECT packet
 * mode, fstat of a pipe, and the calls a pipe refuses. Where Linux would block, the core
 * returns WOULD_BLOCK and changes nothing.
 * Expectations checked against Linux 6.18 with C probes.
 */
import { describe, test, expect } from 'vitest';
import {
  Imfs, newStat, WOULD_BLOCK, EAGAIN, EBADF, EBUSY, EINVAL, EMFILE, EPERM, EPIPE, ESPIPE,
  O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_APPEND, O_NONBLOCK, O_CLOEXEC, O_DIRECT, O_NOATIME,
  O_TRUNC, F_GETFD, F_GETFL, F_SETFL, F_GETPIPE_SZ, F_SETPIPE_SZ, FD_CLOEXEC, S_IFIFO,
  SEEK_SET, SEEK_CUR, PIPE_BUF,
} from '../../src/core/index.js';

function mkpipe(fs: Imfs, cage = 0, flags = 0): [number, number] {
  const p = [0, 0];
  expect(fs.pipe2(cage, p, flags)).toBe(0);
  return [p[0], p[1]];
}

const bytes = (n: number, fill = 0x61) => Buffer.alloc(n, fill);

/** Reads everything available (non-blocking view); returns the byte count. */
function drain(fs: Imfs, cage: number, fd: number): number {
  const buf = Buffer.alloc(1 << 20);
  let total = 0;
  for (;;) {
    const n = fs.read(cage, fd, buf);
    if (n <= 0) return total;
    total += n;
  }
}

describe('pipe and pipe2: the two ends', () => {
  test('fds[0] is the read end, fds[1] the write end, on the lowest free descriptors', () => {
    const fs = new Imfs();
    const p = new Int32Array(2);
    expect(fs.pipe(0, p)).toBe(0);
    expect([...p]).toEqual([3, 4]);
    expect(fs.fcntl(0, 3, F_GETFL)).toBe(O_RDONLY);
    expect(fs.fcntl(0, 4, F_GETFL)).toBe(O_WRONLY);
    expect(fs.fcntl(0, 3, F_GETFD)).toBe(0);
    expect(fs.fcntl(0, 4, F_GETFD)).toBe(0);
    expect(fs.close(0, 3)).toBe(0);
    expect(mkpipe(fs)).toEqual([3, 5]);
  });

  test('bytes come out in the order they went in, across writes and partial reads', () => {
    const fs = new Imfs();
    const [r, w] = mkpipe(fs);
    expect(fs.write(0, w, Buffer.from('hello '))).toBe(6);
    expect(fs.write(0, w, Buffer.from('world'))).toBe(5);
    const buf = Buffer.alloc(4);
    expect(fs.read(0, r, buf)).toBe(4);
    expect(buf.toString()).toBe('hell');
    const rest = Buffer.alloc(100);
    expect(fs.read(0, r, rest)).toBe(7);
    expect(rest.subarray(0, 7).toString()).toBe('o world');
  });

  test('the read end cannot be written and the write end cannot be read: EBADF', () => {
    const fs = new Imfs();
    const [r, w] = mkpipe(fs);
    expect(fs.read(0, w, bytes(1))).toBe(-EBADF);
    expect(fs.write(0, r, bytes(1))).toBe(-EBADF);
  });

  test('pipe2 O_CLOEXEC marks both descriptors FD_CLOEXEC', () => {
    const fs = new Imfs();
    const [r, w] = mkpipe(fs, 0, O_CLOEXEC);
    expect(fs.fcntl(0, r, F_GETFD)).toBe(FD_CLOEXEC);
    expect(fs.fcntl(0, w, F_GETFD)).toBe(FD_CLOEXEC);
    expect(fs.execCage(0)).toBe(0);
    expect(fs.fcntl(0, r, F_GETFD)).toBe(-EBADF);
    expect(fs.fcntl(0, w, F_GETFD)).toBe(-EBADF);
  });

  test('pipe2 O_NONBLOCK sets it on both descriptions', () => {
    const fs = new Imfs();
    const [r, w] = mkpipe(fs, 0, O_NONBLOCK);
    expect(fs.fcntl(0, r, F_GETFL)).toBe(O_RDONLY | O_NONBLOCK);
    expect(fs.fcntl(0, w, F_GETFL)).toBe(O_WRONLY | O_NONBLOCK);
    expect(fs.read(0, r, bytes(1))).toBe(-EAGAIN);
  });

  test('pipe2 O_DIRECT sets it on the write end only (as Linux does)', () => {
    const fs = new Imfs();
    const [r, w] = mkpipe(fs, 0, O_DIRECT | O_NONBLOCK);
    expect(fs.fcntl(0, r, F_GETFL)).toBe(O_RDONLY | O_NONBLOCK);
    expect(fs.fcntl(0, w, F_GETFL)).toBe(O_WRONLY | O_DIRECT | O_NONBLOCK);
  });

  test('pipe2 with any other flag: EINVAL, and no descriptor is used', () => {
    const fs = new Imfs();
    for (const f of [O_APPEND, O_RDWR, O_WRONLY, O_NOATIME, O_TRUNC, O_CREAT, O_CLOEXEC | O_APPEND]) {
      const p = [-1, -1];
      expect(fs.pipe2(0, p, f)).toBe(-EINVAL);
      expect(p).toEqual([-1, -1]);
    }
    expect(fs.open(0, '/', O_RDONLY)).toBe(3);
  });

  test('EMFILE when fewer than two descriptors are free; the free one stays free', () => {
    const fs = new Imfs({ limits: { maxFds: 6 } });
    expect(fs.open(0, '/', O_RDONLY)).toBe(3);
    expect(fs.open(0, '/', O_RDONLY)).toBe(4);
    const live = fs.inodes.live;
    expect(fs.pipe(0, [0, 0])).toBe(-EMFILE);
    expect(fs.inodes.live).toBe(live);
    expect(fs.open(0, '/', O_RDONLY)).toBe(5);
    expect(fs.pipe(0, [0, 0])).toBe(-EMFILE);
  });
});

describe('fstat of a pipe', () => {
  test('S_IFIFO | 0600, one link, size 0 even with data, owned by the creator', () => {
    const fs = new Imfs();
    expect(fs.createCage(1, { uid: 1000, gid: 100 })).toBe(0);
    const [r, w] = mkpipe(fs, 1);
    expect(fs.write(1, w, Buffer.from('hello'))).toBe(5);
    const st = newStat(), st2 = newStat();
    expect(fs.fstat(1, r, st)).toBe(0);
    expect(st.mode).toBe(S_IFIFO | 0o600);
    expect(st.nlink).toBe(1);
    expect(st.size).toBe(0);
    expect(st.uid).toBe(1000);
    expect(st.gid).toBe(100);
    expect(st.blksize).toBe(4096);
    expect(st.blocks).toBe(0);
    expect(fs.fstat(1, w, st2)).toBe(0);
    expect(st2.ino).toBe(st.ino);
    const [r2] = mkpipe(fs, 1);
    expect(fs.fstat(1, r2, st2)).toBe(0);
    expect(st2.ino).not.toBe(st.ino);
  });
});

describe('capacity: F_GETPIPE_SZ and F_SETPIPE_SZ', () => {
  test('a new pipe holds 65536 bytes; a non-blocking writer fills exactly that', () => {
    const fs = new Imfs();
    const [r, w] = mkpipe(fs, 0, O_NONBLOCK);
    expect(fs.fcntl(0, r, F_GETPIPE_SZ)).toBe(65536);
    expect(fs.fcntl(0, w, F_GETPIPE_SZ)).toBe(65536);
    expect(fs.write(0, w, bytes(200000))).toBe(65536);
    expect(fs.write(0, w, bytes(1))).toBe(-EAGAIN);
    expect(drain(fs, 0, r)).toBe(65536);
  });

  test('F_SETPIPE_SZ rounds up to a power-of-two number of pages and returns the size, seen from both ends', () => {
    const fs = new Imfs();
    const [r, w] = mkpipe(fs);
    expect(fs.fcntl(0, r, F_SETPIPE_SZ, 0)).toBe(4096);
    expect(fs.fcntl(0, r, F_SETPIPE_SZ, 1)).toBe(4096);
    expect(fs.fcntl(0, r, F_SETPIPE_SZ, 4097)).toBe(8192);
    expect(fs.fcntl(0, w, F_GETPIPE_SZ)).toBe(8192);
    expect(fs.fcntl(0, w, F_SETPIPE_SZ, 65537)).toBe(131072);
    expect(fs.fcntl(0, r, F_GETPIPE_SZ)).toBe(131072);
  });

  test('the new size is what a non-blocking writer can fill', () => {
    const fs = new Imfs();
    const [r, w] = mkpipe(fs, 0, O_NONBLOCK);
    expect(fs.fcntl(0, w, F_SETPIPE_SZ, 4096)).toBe(4096);
    expect(fs.write(0, w, bytes(5000))).toBe(4096);
    expect(fs.write(0, w, bytes(1))).toBe(-EAGAIN);
    expect(drain(fs, 0, r)).toBe(4096);
  });

  test('EBUSY when the data would not fit; data is kept across a resize', () => {
    const fs = new Imfs();
    const [r, w] = mkpipe(fs);
    const data = Buffer.from(Array.from({ length: 5000 }, (_, i) => i & 0xff));
    expect(fs.write(0, w, data)).toBe(5000);
    expect(fs.fcntl(0, r, F_SETPIPE_SZ, 4096)).toBe(-EBUSY);
    expect(fs.fcntl(0, r, F_GETPIPE_SZ)).toBe(65536);
    expect(fs.fcntl(0, r, F_SETPIPE_SZ, 8192)).toBe(8192);
    const out = Buffer.alloc(6000);
    expect(fs.read(0, r, out)).toBe(5000);
    expect(out.subarray(0, 5000).equals(data)).toBe(true);
  });

  test('EINVAL for a size that is too large to round (a negative int is a huge unsigned one)', () => {
    const fs = new Imfs();
    const [r] = mkpipe(fs);
    expect(fs.fcntl(0, r, F_SETPIPE_SZ, -1)).toBe(-EINVAL);
  });

  test('EPERM above /proc/sys/fs/pipe-max-size (1 MiB), for root too (the IMFS grants no CAP_SYS_RESOURCE)', () => {
    const fs = new Imfs();
    expect(fs.createCage(1, { uid: 1000, gid: 1000 })).toBe(0);
    const [r] = mkpipe(fs, 1);
    expect(fs.fcntl(1, r, F_SETPIPE_SZ, (1 << 20) + 1)).toBe(-EPERM);
    expect(fs.fcntl(1, r, F_GETPIPE_SZ)).toBe(65536);
    expect(fs.fcntl(1, r, F_SETPIPE_SZ, 1 << 20)).toBe(1 << 20);
    const [r0] = mkpipe(fs, 0);
    expect(fs.fcntl(0, r0, F_SETPIPE_SZ, (1 << 20) + 1)).toBe(-EPERM);
    expect(fs.fcntl(0, r0, F_SETPIPE_SZ, 1 << 20)).toBe(1 << 20);
  });

  test('on something that is not a pipe: EBADF', () => {
    const fs = new Imfs();
    const f = fs.open(0, '/f', O_RDWR | O_CREAT, 0o644);
    expect(fs.fcntl(0, f, F_GETPIPE_SZ)).toBe(-EBADF);
    expect(fs.fcntl(0, f, F_SETPIPE_SZ, 4096)).toBe(-EBADF);
  });
});

describe('PIPE_BUF atomicity: a write of at most 4096 bytes is never partial', () => {
  test('non-blocking: EAGAIN when it does not fit whole; fits exactly when it does', () => {
    const fs = new Imfs();
    const [r, w] = mkpipe(fs, 0, O_NONBLOCK);
    expect(PIPE_BUF).toBe(4096);
    expect(fs.write(0, w, bytes(65536 - 100))).toBe(65436);
    expect(fs.write(0, w, bytes(4096))).toBe(-EAGAIN);
    expect(fs.write(0, w, bytes(101))).toBe(-EAGAIN);
    expect(fs.write(0, w, bytes(100))).toBe(100);
    expect(drain(fs, 0, r)).toBe(65536);
  });

  test('blocking: WOULD_BLOCK and nothing written when it does not fit whole', () => {
    const fs = new Imfs();
    const [r, w] = mkpipe(fs);
    expect(fs.write(0, w, bytes(65536 - 100))).toBe(65436);
    expect(fs.write(0, w, bytes(4096))).toBe(WOULD_BLOCK);
    expect(fs.write(0, w, bytes(101))).toBe(WOULD_BLOCK);
    expect(fs.fcntl(0, r, F_SETFL, O_NONBLOCK)).toBe(0);
    expect(drain(fs, 0, r)).toBe(65436);
  });

  test('a larger write takes what fits and reports the count (the caller writes the rest later)', () => {
    const fs = new Imfs();
    const [r, w] = mkpipe(fs);
    expect(fs.write(0, w, bytes(100000))).toBe(65536);
    expect(fs.write(0, w, bytes(5000))).toBe(WOULD_BLOCK);
    expect(fs.read(0, r, Buffer.alloc(8192))).toBe(8192);
    expect(fs.write(0, w, bytes(34464))).toBe(8192);
  });
});

describe('EOF, EPIPE and non-blocking reads', () => {
  test('an empty pipe with a writer: WOULD_BLOCK, or EAGAIN with O_NONBLOCK; a zero-byte read returns 0', () => {
    const fs = new Imfs();
    const [r] = mkpipe(fs);
    expect(fs.read(0, r, bytes(10))).toBe(WOULD_BLOCK);
    expect(fs.read(0, r, bytes(10), 0)).toBe(0);
    expect(fs.fcntl(0, r, F_SETFL, O_NONBLOCK)).toBe(0);
    expect(fs.read(0, r, bytes(10))).toBe(-EAGAIN);
  });

  test('once no writer is left: the remaining data, then 0 (EOF), blocking or not', () => {
    const fs = new Imfs();
    const [r, w] = mkpipe(fs);
    expect(fs.write(0, w, Buffer.from('abc'))).toBe(3);
    expect(fs.close(0, w)).toBe(0);
    const buf = Buffer.alloc(10);
    expect(fs.read(0, r, buf)).toBe(3);
    expect(fs.read(0, r, buf)).toBe(0);
    expect(fs.fcntl(0, r, F_SETFL, O_NONBLOCK)).toBe(0);
    expect(fs.read(0, r, buf)).toBe(0);
  });

  test('a write end held by a duplicate or another cage keeps the pipe open; exitCage closes it', () => {
    const fs = new Imfs();
    const [r, w] = mkpipe(fs);
    const d = fs.dup(0, w);
    expect(fs.forkCage(0, 5)).toBe(0);
    expect(fs.close(0, w)).toBe(0);
    expect(fs.read(0, r, bytes(1))).toBe(WOULD_BLOCK);
    expect(fs.close(0, d)).toBe(0);
    expect(fs.read(0, r, bytes(1))).toBe(WOULD_BLOCK);
    expect(fs.write(5, w, Buffer.from('z'))).toBe(1);
    expect(fs.exitCage(5)).toBe(0);
    expect(fs.read(0, r, bytes(5))).toBe(1);
    expect(fs.read(0, r, bytes(5))).toBe(0);
  });

  test('no reader left: EPIPE for a write, blocking or not', () => {
    const fs = new Imfs();
    const [r, w] = mkpipe(fs);
    expect(fs.close(0, r)).toBe(0);
    expect(fs.write(0, w, bytes(1))).toBe(-EPIPE);
    expect(fs.write(0, w, bytes(70000))).toBe(-EPIPE);
    expect(fs.fcntl(0, w, F_SETFL, O_NONBLOCK)).toBe(0);
    expect(fs.write(0, w, bytes(1))).toBe(-EPIPE);
  });

  test('a zero-byte write succeeds even with no reader (Linux checks the count first)', () => {
    const fs = new Imfs();
    const [r, w] = mkpipe(fs);
    expect(fs.write(0, w, bytes(0))).toBe(0);
    expect(fs.close(0, r)).toBe(0);
    expect(fs.write(0, w, bytes(0))).toBe(0);
  });

  test('closing both ends frees the pipe inode', () => {
    const fs = new Imfs();
    const live = fs.inodes.live;
    const [r, w] = mkpipe(fs);
    expect(fs.inodes.live).toBe(live + 1);
    expect(fs.close(0, r)).toBe(0);
    expect(fs.close(0, w)).toBe(0);
    expect(fs.inodes.live).toBe(live);
  });
});

describe('O_DIRECT: packet mode', () => {
  test('each write is a packet; a read returns at most one packet', () => {
    const fs = new Imfs();
    const [r, w] = mkpipe(fs, 0, O_DIRECT | O_NONBLOCK);
    expect(fs.write(0, w, bytes(10, 0x31))).toBe(10);
    expect(fs.write(0, w, bytes(20, 0x32))).toBe(20);
    const buf = Buffer.alloc(100);
    expect(fs.read(0, r, buf)).toBe(10);
    expect(buf.subarray(0, 10).equals(bytes(10, 0x31))).toBe(true);
    expect(fs.read(0, r, buf)).toBe(20);
    expect(fs.read(0, r, buf)).toBe(-EAGAIN);
  });

  test('a read smaller than the packet takes its start and discards the rest of it', () => {
    const fs = new Imfs();
    const [r, w] = mkpipe(fs, 0, O_DIRECT | O_NONBLOCK);
    expect(fs.write(0, w, Buffer.from('abcdefghij'))).toBe(10);
    expect(fs.write(0, w, Buffer.from('XY'))).toBe(2);
    const buf = Buffer.alloc(100);
    expect(fs.read(0, r, buf, 3)).toBe(3);
    expect(buf.subarray(0, 3).toString()).toBe('abc');
    expect(fs.read(0, r, buf)).toBe(2);
    expect(buf.subarray(0, 2).toString()).toBe('XY');
  });

  test('a write larger than PIPE_BUF becomes packets of PIPE_BUF bytes', () => {
    const fs = new Imfs();
    const [r, w] = mkpipe(fs, 0, O_DIRECT | O_NONBLOCK);
    expect(fs.write(0, w, bytes(5000))).toBe(5000);
    expect(fs.read(0, r, Buffer.alloc(100000))).toBe(4096);
    expect(fs.read(0, r, Buffer.alloc(100000))).toBe(904);
  });

  test('F_SETFL turns packet mode on and off on the write end; without it writes merge', () => {
    const fs = new Imfs();
    const [r, w] = mkpipe(fs, 0, O_NONBLOCK);
    expect(fs.write(0, w, bytes(10))).toBe(10);
    expect(fs.write(0, w, bytes(20))).toBe(20);
    expect(fs.read(0, r, Buffer.alloc(100))).toBe(30);
    expect(fs.fcntl(0, w, F_SETFL, O_DIRECT | O_NONBLOCK)).toBe(0);
    expect(fs.fcntl(0, w, F_GETFL)).toBe(O_WRONLY | O_DIRECT | O_NONBLOCK);
    expect(fs.write(0, w, bytes(10))).toBe(10);
    expect(fs.write(0, w, bytes(20))).toBe(20);
    expect(fs.read(0, r, Buffer.alloc(100))).toBe(10);
    expect(fs.read(0, r, Buffer.alloc(100))).toBe(20);
    expect(fs.fcntl(0, w, F_SETFL, O_NONBLOCK)).toBe(0);
    expect(fs.write(0, w, bytes(10))).toBe(10);
    expect(fs.write(0, w, bytes(20))).toBe(20);
    expect(fs.read(0, r, Buffer.alloc(100))).toBe(30);
  });

  test('packets survive F_SETPIPE_SZ', () => {
    const fs = new Imfs();
    const [r, w] = mkpipe(fs, 0, O_DIRECT | O_NONBLOCK);
    expect(fs.write(0, w, bytes(3))).toBe(3);
    expect(fs.write(0, w, bytes(4))).toBe(4);
    expect(fs.fcntl(0, r, F_SETPIPE_SZ, 8192)).toBe(8192);
    expect(fs.read(0, r, Buffer.alloc(100))).toBe(3);
    expect(fs.read(0, r, Buffer.alloc(100))).toBe(4);
  });
});

describe('calls a pipe refuses', () => {
  test('lseek, pread, pwrite: ESPIPE on both ends', () => {
    const fs = new Imfs();
    const [r, w] = mkpipe(fs);
    expect(fs.write(0, w, bytes(5))).toBe(5);
    expect(fs.lseek(0, r, 0, SEEK_SET)).toBe(-ESPIPE);
    expect(fs.lseek(0, w, 0, SEEK_CUR)).toBe(-ESPIPE);
    expect(fs.pread(0, r, Buffer.alloc(1), 1, 0)).toBe(-ESPIPE);
    expect(fs.pwrite(0, w, Buffer.alloc(1), 1, 0)).toBe(-ESPIPE);
  });

  test('ftruncate and fsync: EINVAL', () => {
    const fs = new Imfs();
    const [r, w] = mkpipe(fs);
    expect(fs.ftruncate(0, w, 0)).toBe(-EINVAL);
    expect(fs.fsync(0, w)).toBe(-EINVAL);
    expect(fs.fsync(0, r)).toBe(-EINVAL);
  });
});
