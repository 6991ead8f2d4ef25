/**
 * The Lind syscall table: call number → name, argument kinds (for the log) and the
 * handler that decodes the arguments by C type and answers from the core (abi.md §2)
 * or from the process services (§1.5). A syscall is added by adding a row.
 */
import {
  AT_FDCWD, EBADF, EFAULT, EINVAL, ENODEV, ENOSYS, ENOTTY, EOVERFLOW, ESRCH, FD_CLOEXEC,
  F_GETLK, F_GETLK64, F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW, F_SETLK, F_SETLK64, F_SETLKW,
  F_SETLKW64, F_SETFD, O_ASYNC, O_NONBLOCK, POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLPRI,
  WOULD_BLOCK, S_IFIFO, S_IFMT, devMajor, devMinor, type BytePath, type Timespec,
} from '../core/index.js';
import {
  readFlock, readIovecs, readRlimit, writeFlock, writeRlimit, writeStat, writeStat64t64,
  writeStatfs, writeStatx, writeTimespec,
  FLOCK32_SIZE, FLOCK64_SIZE, RLIMIT_SIZE, STAT_SIZE, STAT64_T64_SIZE, STATFS_SIZE, STATX_SIZE, TIMESPEC_SIZE,
} from './lind-structs.js';
import { MAP_ANONYMOUS, MAP_SHARED } from './cage-heap.js';
import { clockMs, msToTimespec, randomFill } from './host-services.js';
import type { ArgKind } from './trace.js';
import { PROCESS_ROWS } from './lind-process-rows.js';
import type { LindAbi } from './lind.js';

export interface LindRow {
  name: string;
  args: ArgKind[];
  call: (a: LindAbi) => number;
}

type Handler = (a: LindAbi) => number;

/** Runs `f` with argument k decoded as a path, or returns the decoding error. */
function withPath(a: LindAbi, k: number, f: (p: BytePath) => number): number {
  const p = a.path(k);
  return typeof p === 'number' ? p : f(p);
}

function withPaths(a: LindAbi, k1: number, k2: number, f: (p1: BytePath, p2: BytePath) => number): number {
  const p1 = a.path(k1);
  if (typeof p1 === 'number') return p1;
  const p2 = a.path(k2);
  return typeof p2 === 'number' ? p2 : f(p1, p2);
}

/** Checks the out-struct of `size` bytes at argument k, calls `f`, and on success writes the struct there. */
function structInto(a: LindAbi, k: number, size: number, f: () => number, write: (a: LindAbi, at: number) => void): number {
  const buf = a.ptr(k);
  if (!a.ok(buf, size)) return -EFAULT;
  const r = f();
  if (r === 0) write(a, buf);
  return r;
}
const putStat = (a: LindAbi, at: number) => writeStat(a.mem, at, a.stat);
const putStat64t64 = (a: LindAbi, at: number) => writeStat64t64(a.mem, at, a.stat);
const putStatfs = (a: LindAbi, at: number) => writeStatfs(a.mem, at, a.statfs);
/** Calls `f` (which fills a.stat) and writes struct stat to the pointer in argument k. */
const statInto = (a: LindAbi, k: number, f: () => number) => structInto(a, k, STAT_SIZE, f, putStat);
const statfsInto = (a: LindAbi, k: number, f: () => number) => structInto(a, k, STATFS_SIZE, f, putStatfs);

/** A buffer argument (ptr in argument kp, length in kl) checked against memory. */
function buffer(a: LindAbi, kp: number, len: number): number {
  const p = a.ptr(kp);
  return a.ok(p, len) ? p : -1;
}

/** A bad buffer for I/O on fd: EBADF if the descriptor is bad too (Linux checks it first), else EFAULT. */
function badBuffer(a: LindAbi, fd: number, writing: boolean): number {
  const r = a.fs.checkIo(a.cage, fd, writing);
  return r < 0 ? r : -EFAULT;
}

const read: Handler = (a) => {
  const n = a.uint(2), p = buffer(a, 1, n);
  return p < 0 ? badBuffer(a, a.int(0), false) : a.fs.read(a.cage, a.int(0), a.mem.u8, n, p);
};
const write: Handler = (a) => {
  const n = a.uint(2), p = buffer(a, 1, n);
  if (p < 0) return badBuffer(a, a.int(0), true);
  const done = a.progress;
  const r = a.fs.write(a.cage, a.int(0), a.mem.u8, n - done, p + done);
  // While other cages run, a blocking write to a pipe goes on until all of it is written
  // (POSIX; the core writes what fits and says so): parked with its progress noted.
  if (r === WOULD_BLOCK) return done > 0 ? WOULD_BLOCK : r;
  if (r < 0) return done > 0 ? done : r;
  if (a.shared && done + r < n && isPipe(a, a.int(0))) {
    a.progress = done + r;
    return WOULD_BLOCK;
  }
  return done + r;
};

function isPipe(a: LindAbi, fd: number): boolean {
  return a.fs.fstat(a.cage, fd, a.stat) === 0 && (a.stat.mode & S_IFMT) === S_IFIFO && (a.fs.fcntl(a.cage, fd, 3) & O_NONBLOCK) === 0;
}
const pread: Handler = (a) => {
  const n = a.uint(2), p = buffer(a, 1, n);
  return p < 0 ? badBuffer(a, a.int(0), false) : a.fs.pread(a.cage, a.int(0), a.mem.u8, n, a.off(3), p);
};
const pwrite: Handler = (a) => {
  const n = a.uint(2), p = buffer(a, 1, n);
  return p < 0 ? badBuffer(a, a.int(0), true) : a.fs.pwrite(a.cage, a.int(0), a.mem.u8, n, a.off(3), p);
};
const vector = (kind: 'readv' | 'writev', positional: boolean): Handler => (a) => {
  const iovs = readIovecs(a.mem, a.ptr(1), a.int(2));
  if (iovs === -EFAULT) return badBuffer(a, a.int(0), kind === 'writev');
  if (typeof iovs === 'number') return iovs;
  const fd = a.int(0);
  if (!positional) return kind === 'readv' ? a.fs.readv(a.cage, fd, iovs) : a.fs.writev(a.cage, fd, iovs);
  const off = a.off(3);
  return kind === 'readv' ? a.fs.preadv(a.cage, fd, iovs, off) : a.fs.pwritev(a.cage, fd, iovs, off);
};

const pipe = (flagsArg: boolean): Handler => (a) => {
  const p = a.ptr(0);
  if (!a.ok(p, 8)) return -EFAULT;
  const fds = [0, 0];
  const r = a.fs.pipe2(a.cage, fds, flagsArg ? a.int(1) : 0);
  if (r === 0) { a.mem.setI32(p, fds[0]); a.mem.setI32(p + 4, fds[1]); }
  return r;
};

const LOCK_CMDS = new Set([F_GETLK, F_SETLK, F_SETLKW, F_GETLK64, F_SETLK64, F_SETLKW64, F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW]);
const fcntl: Handler = (a) => {
  const fd = a.int(0), cmd = a.int(1);
  if (!LOCK_CMDS.has(cmd)) return a.fs.fcntl(a.cage, fd, cmd, a.unused(2) ? 0 : a.int(2));
  const wide = cmd !== F_GETLK && cmd !== F_SETLK && cmd !== F_SETLKW;
  const p = a.ptr(3);
  if (!a.ok(p, wide ? FLOCK64_SIZE : FLOCK32_SIZE)) return -EFAULT;
  const lock = readFlock(a.mem, p, wide);
  const r = a.fs.fcntl(a.cage, fd, cmd, lock);
  if (r === 0 && (cmd === F_GETLK || cmd === F_GETLK64 || cmd === F_OFD_GETLK)) {
    if (!writeFlock(a.mem, p, wide, lock)) return -EOVERFLOW;
  }
  return r;
};

const getdents: Handler = (a) => {
  const n = Math.min(a.uint(2), 0x7fffffff), p = buffer(a, 1, n);
  return p < 0 ? -EFAULT : a.fs.getdents64(a.cage, a.int(0), a.mem.u8, n, p);
};

const readlinkat = (dirArg: boolean): Handler => (a) => {
  const o = dirArg ? 1 : 0;
  return withPath(a, o, (path) => {
    const n = a.uint(o + 2), p = buffer(a, o + 1, n);
    if (p < 0) return -EFAULT;
    return a.fs.readlinkat(a.cage, dirArg ? a.int(0) : AT_FDCWD, path, a.mem.u8, n, p);
  });
};

const mknodat = (dirArg: boolean): Handler => (a) => {
  const o = dirArg ? 1 : 0;
  const dev = a.u64(o + 2);
  return withPath(a, o, (p) => a.fs.mknodat(a.cage, dirArg ? a.int(0) : AT_FDCWD, p, a.uint(o + 1), devMajor(dev), devMinor(dev)));
};

/** utimensat (280): path 0 means dirfd itself; times 0 means both now (32-byte kernel array, §3.6). */
const utimensat: Handler = (a) => {
  const tp = a.ptr(2);
  let times: [Timespec, Timespec] | null = null;
  if (tp !== 0) {
    if (!a.ok(tp, 32)) return -EFAULT;
    times = [{ sec: a.mem.i64(tp), nsec: a.mem.i64(tp + 8) }, { sec: a.mem.i64(tp + 16), nsec: a.mem.i64(tp + 24) }];
  }
  const flags = a.int(3);
  if (a.ptr(1) === 0) return a.fs.utimensat(a.cage, a.int(0), null, times, flags);
  return withPath(a, 1, (p) => a.fs.utimensat(a.cage, a.int(0), p, times, flags));
};

const copyFileRange: Handler = (a) => {
  const pin = a.ptr(1), pout = a.ptr(3);
  if ((pin !== 0 && !a.ok(pin, 8)) || (pout !== 0 && !a.ok(pout, 8))) return -EFAULT;
  const offIn = pin === 0 ? null : { value: a.mem.i64(pin) };
  const offOut = pout === 0 ? null : { value: a.mem.i64(pout) };
  const r = a.fs.copy_file_range(a.cage, a.int(0), offIn, a.int(2), offOut, a.uint(4), a.uint(5));
  if (r >= 0) {
    if (offIn !== null) a.mem.setU64(pin, offIn.value);
    if (offOut !== null) a.mem.setU64(pout, offOut.value);
  }
  return r;
};

const statx: Handler = (a) => withPath(a, 1, (p) => {
  const buf = a.ptr(4);
  if (!a.ok(buf, STATX_SIZE)) return -EFAULT;
  const out = Object.assign(a.stat, { mask: 0, attributes: 0 });
  const r = a.fs.statx(a.cage, a.int(0), p, a.int(2), a.uint(3), out);
  if (r === 0) writeStatx(a.mem, buf, out, out.mask);
  return r;
});

// ---- process basics (abi.md §1.5) ----------------------------------------------------

const mmap: Handler = (a) => {
  const len = a.uint(1), prot = a.int(2), flags = a.int(3), fd = a.int(4), off = a.off(5);
  if (flags & MAP_ANONYMOUS) return a.heap.mmap(a.ptr(0), len, prot, flags);
  // A file can be mapped privately (a copy); nothing can write a shared mapping back.
  if (flags & MAP_SHARED) return -ENODEV;
  if (off % 4096 !== 0) return -EINVAL;
  return a.heap.mmap(a.ptr(0), len, prot, flags, (at, n) => {
    // The heap may have just grown the memory: the check refreshes a.mem's views.
    if (!a.mem.ok(at, n)) return -EFAULT;
    const r = a.fs.pread(a.cage, fd, a.mem.u8, n, off, at);
    return r < 0 ? r : 0;
  });
};

const clockGettime: Handler = (a) => {
  const ms = clockMs(a.int(0));
  if (ms === null) return -EINVAL;
  const p = a.ptr(1);
  if (!a.ok(p, TIMESPEC_SIZE)) return -EFAULT;
  const [sec, nsec] = msToTimespec(ms);
  writeTimespec(a.mem, p, sec, nsec);
  return 0;
};

const clockGetres: Handler = (a) => {
  if (clockMs(a.int(0)) === null) return -EINVAL;
  const p = a.ptr(1);
  if (p === 0) return 0;
  if (!a.ok(p, TIMESPEC_SIZE)) return -EFAULT;
  writeTimespec(a.mem, p, 0, 1000);
  return 0;
};

const getrandom: Handler = (a) => {
  const len = Math.min(a.uint(1), 0x1ffffff), flags = a.uint(2);
  if (flags & ~7) return -EINVAL;
  const p = buffer(a, 0, len);
  if (p < 0) return -EFAULT;
  randomFill(a.mem.u8, p, len);
  return len;
};

const cred = (a: LindAbi) => a.fs.cage(a.cage)!.cred;

/**
 * prlimit64 (302): pid, resource, new, old. getrlimit, sysconf(_SC_OPEN_MAX) and
 * getdtablesize reach it with pid 0 and new NULL; both structs are the wasm32 struct rlimit
 * of 8 bytes (lind-structs.ts), which is what Lind's runtime reads and writes too.
 */
const prlimit64: Handler = (a) => {
  const np = a.ptr(2), op = a.ptr(3);
  if ((np !== 0 && !a.ok(np, RLIMIT_SIZE)) || (op !== 0 && !a.ok(op, RLIMIT_SIZE))) return -EFAULT;
  const next = np === 0 ? null : readRlimit(a.mem, np);
  const r = a.fs.prlimit(a.cage, a.int(0), a.uint(1), next, op === 0 ? null : a.rlimit);
  if (r === 0 && op !== 0) writeRlimit(a.mem, op, a.rlimit);
  return r;
};

/**
 * Readiness now; with nothing ready, waits (a.waitFor) and takes readiness again when the
 * time is up; a call that must wait longer is parked and tried again by the runtime.
 * `scan` returns the count of ready descriptors or -errno.
 */
function waitReady(a: LindAbi, timeoutMs: number, scan: () => number): number {
  const ready = scan();
  if (ready !== 0 || timeoutMs === 0) return ready;
  const r = a.waitFor(timeoutMs);
  return r === 0 ? scan() : r;
}

/**
 * poll (7) and ppoll (271): fds, nfds, timeout in milliseconds (negative: none). ppoll's
 * third argument is an int too: lind-glibc's ppoll turns the timespec into milliseconds
 * itself (NULL: -1) and sends the signal mask pointer fourth, which is not applied: the mask
 * in force stays in force while ppoll waits.
 */
const poll: Handler = (a) => {
  const fds = a.ptr(0), nfds = a.uint(1);
  if (nfds > a.fs.cage(a.cage)!.maxFds) return -EINVAL;
  if (!a.ok(fds, nfds * 8)) return -EFAULT;
  return waitReady(a, a.int(2), () => {
    let ready = 0;
    for (let i = 0; i < nfds; i++) {
      const e = fds + i * 8;
      const fd = a.mem.i32(e);
      const revents = fd < 0 ? 0 : a.fs.poll(a.cage, fd, a.mem.dv.getUint16(e + 4, true));
      a.mem.setU16(e + 6, revents);
      if (revents !== 0) ready++;
    }
    return ready;
  });
};

/** What counts as ready for each of select's three sets (Linux's POLLIN_SET, POLLOUT_SET, POLLEX_SET). */
const SELECT_SETS = [
  { events: POLLIN, ready: POLLIN | POLLHUP | POLLERR },
  { events: POLLOUT, ready: POLLOUT | POLLERR },
  { events: POLLPRI, ready: POLLPRI },
];

const TIMEVAL_SIZE = 16;
const isSet = (set: Uint8Array, fd: number) => ((set[fd >> 3] ?? 0) & (1 << (fd & 7))) !== 0;

/**
 * select (23): nfds, readfds, writefds, exceptfds, timeout. The fd_sets are bit arrays of
 * 32-bit longs (fd k is bit k % 8 of byte k / 8); lind-glibc's select converts the caller's
 * struct timeval into {i64 tv_sec, i64 tv_usec} and copies it back afterwards, so the time
 * left is written there. The ready sets replace the given ones; the result counts each ready
 * (descriptor, set) pair.
 */
const select: Handler = (a) => {
  const n = a.int(0), tv = a.ptr(4);
  let timeoutMs = -1;
  if (tv !== 0) {
    if (!a.ok(tv, TIMEVAL_SIZE)) return -EFAULT;
    // Linux carries whole seconds over from tv_usec before checking the time.
    const usec = a.mem.i64(tv + 8), sec = a.mem.i64(tv) + Math.trunc(usec / 1e6);
    if (sec < 0 || usec < 0) return -EINVAL;
    timeoutMs = sec * 1000 + (usec % 1e6) / 1000;
  }
  if (n < 0) return -EINVAL;
  const nfds = Math.min(n, a.fs.cage(a.cage)!.maxFds);
  const bytes = Math.ceil(nfds / 32) * 4;
  const sets = [a.ptr(1), a.ptr(2), a.ptr(3)];
  if (sets.some((p) => p !== 0 && !a.ok(p, bytes))) return -EFAULT;
  const wanted = sets.map((p) => (p === 0 ? new Uint8Array(0) : a.mem.u8.slice(p, p + bytes)));
  for (const set of wanted) {
    for (let fd = 0; fd < nfds; fd++) if (isSet(set, fd) && a.fs.poll(a.cage, fd, 0) & POLLNVAL) return -EBADF;
  }
  // The ready sets are written back only with the answer: a call that waits is tried again
  // with the sets it was given.
  const found = sets.map(() => new Uint8Array(bytes));
  const r = waitReady(a, timeoutMs, () => {
    let ready = 0;
    sets.forEach((p, k) => {
      if (p === 0) return;
      const { events, ready: counts } = SELECT_SETS[k];
      found[k].fill(0);
      for (let fd = 0; fd < nfds; fd++) {
        if (!isSet(wanted[k], fd) || (a.fs.poll(a.cage, fd, events) & counts) === 0) continue;
        found[k][fd >> 3] |= 1 << (fd & 7);
        ready++;
      }
    });
    return ready;
  });
  if (r >= 0) sets.forEach((p, k) => { if (p !== 0) a.mem.u8.set(found[k], p); });
  if (r === 0 && tv !== 0) writeTimespec(a.mem, tv, 0, 0); // the whole timeout went by
  return r;
};

const TCGETS = 0x5401, TIOCGWINSZ = 0x5413, FIONREAD = 0x541b, FIONBIO = 0x5421,
  FIONCLEX = 0x5450, FIOCLEX = 0x5451, FIOASYNC = 0x5452;
const TERMIOS_SIZE = 36;

const ioctl: Handler = (a) => {
  const fd = a.int(0), req = a.uint(1), p = a.ptr(2);
  const tty = a.fs.isatty(a.cage, fd);
  if (tty < 0) return tty;
  switch (req) {
    case FIONREAD: {
      if (!a.ok(p, 4)) return -EFAULT;
      const n = a.fs.fionread(a.cage, fd);
      if (n >= 0) a.mem.setI32(p, n);
      return n < 0 ? n : 0;
    }
    case FIONBIO:
    case FIOASYNC:
      if (!a.ok(p, 4)) return -EFAULT;
      return a.setStatusFlag(fd, req === FIONBIO ? O_NONBLOCK : O_ASYNC, a.mem.i32(p) !== 0);
    case FIOCLEX:
    case FIONCLEX:
      return a.fs.fcntl(a.cage, fd, F_SETFD, req === FIOCLEX ? FD_CLOEXEC : 0);
    case TCGETS:
      if (!tty) return -ENOTTY;
      if (!a.ok(p, TERMIOS_SIZE)) return -EFAULT;
      writeDefaultTermios(a, p);
      return 0;
    case TIOCGWINSZ:
      if (!tty) return -ENOTTY;
      if (!a.ok(p, 8)) return -EFAULT;
      a.mem.setU16(p, process.stdout.rows ?? 24);
      a.mem.setU16(p + 2, process.stdout.columns ?? 80);
      a.mem.setU16(p + 4, 0);
      a.mem.setU16(p + 6, 0);
      return 0;
    default:
      return -ENOTTY;
  }
};

/** A cooked terminal's usual settings (the host terminal's real ones are not visible from here). */
function writeDefaultTermios(a: LindAbi, p: number): void {
  a.mem.u8.fill(0, p, p + TERMIOS_SIZE);
  a.mem.setU32(p, 0x500); // c_iflag: ICRNL | IXON
  a.mem.setU32(p + 4, 0x5); // c_oflag: OPOST | ONLCR
  a.mem.setU32(p + 8, 0xbf); // c_cflag: B38400 | CS8 | CREAD
  a.mem.setU32(p + 12, 0x8a3b); // c_lflag: ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN
  const cc = [3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22, 0];
  cc.forEach((v, i) => { a.mem.u8[p + 17 + i] = v; });
}

/** Calls that need processes, threads, sockets or epoll instances: not in this grate yet, and said so. */
const enosys: Handler = () => -ENOSYS;

const rows: [number, string, ArgKind[], Handler][] = [
  [0, 'read', ['fd', 'ptr', 'size'], read],
  [1, 'write', ['fd', 'ptr', 'size'], write],
  [2, 'open', ['path', 'oflags', 'mode'], (a) => withPath(a, 0, (p) => a.fs.open(a.cage, p, a.int(1), a.uint(2)))],
  [3, 'close', ['fd'], (a) => a.fs.close(a.cage, a.int(0))],
  [4, 'stat', ['path', 'ptr'], (a) => withPath(a, 0, (p) => statInto(a, 1, () => a.fs.stat(a.cage, p, a.stat)))],
  [5, 'fstat', ['fd', 'ptr'], (a) => statInto(a, 1, () => a.fs.fstat(a.cage, a.int(0), a.stat))],
  [6, 'lstat', ['path', 'ptr'], (a) => withPath(a, 0, (p) => statInto(a, 1, () => a.fs.lstat(a.cage, p, a.stat)))],
  [7, 'poll', ['ptr', 'uint', 'int'], poll],
  [8, 'lseek', ['fd', 'off', 'whence'], (a) => {
    const r = a.fs.lseek(a.cage, a.int(0), a.off(1), a.int(2));
    return r > 0x7fffffff ? -EOVERFLOW : r; // the result travels as an i32
  }],
  [9, 'mmap', ['ptr', 'size', 'int', 'hex', 'fd', 'off'], mmap],
  [10, 'mprotect', ['ptr', 'size', 'int'], (a) => a.heap.mprotect(a.ptr(0), a.uint(1), a.int(2))],
  [11, 'munmap', ['ptr', 'size'], (a) => a.heap.munmap(a.ptr(0), a.uint(1))],
  [12, 'brk', ['ptr'], (a) => a.heap.brk(a.ptr(0))],
  [16, 'ioctl', ['fd', 'hex', 'ptr'], ioctl],
  [17, 'pread64', ['fd', 'ptr', 'size', 'off'], pread],
  [18, 'pwrite64', ['fd', 'ptr', 'size', 'off'], pwrite],
  [19, 'readv', ['fd', 'ptr', 'int'], vector('readv', false)],
  [20, 'writev', ['fd', 'ptr', 'int'], vector('writev', false)],
  [21, 'access', ['path', 'int'], (a) => withPath(a, 0, (p) => a.fs.access(a.cage, p, a.int(1)))],
  [22, 'pipe', ['ptr'], pipe(false)],
  [23, 'select', ['int', 'ptr', 'ptr', 'ptr', 'ptr'], select],
  [32, 'dup', ['fd'], (a) => a.fs.dup(a.cage, a.int(0))],
  [33, 'dup2', ['fd', 'fd'], (a) => a.fs.dup2(a.cage, a.int(0), a.int(1))],
  [40, 'sendfile', ['fd', 'fd', 'ptr', 'size'], (a) => {
    const p = a.ptr(2);
    if (p !== 0 && !a.ok(p, 8)) return -EFAULT;
    const offset = p === 0 ? null : { value: a.mem.i64(p) };
    const r = a.fs.sendfile(a.cage, a.int(0), a.int(1), offset, a.uint(3));
    if (r >= 0 && offset !== null) a.mem.setU64(p, offset.value);
    return r;
  }],
  [41, 'socket', ['int', 'int', 'int'], enosys],
  [42, 'connect', ['fd', 'ptr', 'uint'], enosys],
  [43, 'accept', ['fd', 'ptr', 'ptr'], enosys],
  [44, 'sendto', ['fd', 'ptr', 'size', 'int', 'ptr', 'uint'], enosys],
  [45, 'recvfrom', ['fd', 'ptr', 'size', 'int', 'ptr', 'ptr'], enosys],
  [46, 'sendmsg', ['fd', 'ptr', 'int'], enosys],
  [47, 'recvmsg', ['fd', 'ptr', 'int'], enosys],
  [48, 'shutdown', ['fd', 'int'], enosys],
  [49, 'bind', ['fd', 'ptr', 'uint'], enosys],
  [50, 'listen', ['fd', 'int'], enosys],
  [51, 'getsockname', ['fd', 'ptr', 'ptr'], enosys],
  [52, 'getpeername', ['fd', 'ptr', 'ptr'], enosys],
  [53, 'socketpair', ['int', 'int', 'int', 'ptr'], enosys],
  [54, 'setsockopt', ['fd', 'int', 'int', 'ptr', 'uint'], enosys],
  [55, 'getsockopt', ['fd', 'int', 'int', 'ptr', 'ptr'], enosys],
  [72, 'fcntl', ['fd', 'fcntl', 'hex', 'ptr'], fcntl],
  [73, 'flock', ['fd', 'int'], (a) => a.fs.flock(a.cage, a.int(0), a.int(1))],
  [74, 'fsync', ['fd'], (a) => a.fs.fsync(a.cage, a.int(0))],
  [75, 'fdatasync', ['fd'], (a) => a.fs.fdatasync(a.cage, a.int(0))],
  [76, 'truncate', ['path', 'off'], (a) => withPath(a, 0, (p) => a.fs.truncate(a.cage, p, a.off(1)))],
  [77, 'ftruncate', ['fd', 'off'], (a) => a.fs.ftruncate(a.cage, a.int(0), a.off(1))],
  [78, 'getdents', ['fd', 'ptr', 'size'], getdents],
  [79, 'getcwd', ['ptr', 'size'], (a) => {
    const n = a.uint(1), p = buffer(a, 0, n);
    return p < 0 ? -EFAULT : a.fs.getcwd(a.cage, a.mem.u8, n, p);
  }],
  [80, 'chdir', ['path'], (a) => withPath(a, 0, (p) => a.fs.chdir(a.cage, p))],
  [81, 'fchdir', ['fd'], (a) => a.fs.fchdir(a.cage, a.int(0))],
  [82, 'rename', ['path', 'path'], (a) => withPaths(a, 0, 1, (o, n) => a.fs.rename(a.cage, o, n))],
  [83, 'mkdir', ['path', 'mode'], (a) => withPath(a, 0, (p) => a.fs.mkdir(a.cage, p, a.uint(1)))],
  [84, 'rmdir', ['path'], (a) => withPath(a, 0, (p) => a.fs.rmdir(a.cage, p))],
  [86, 'link', ['path', 'path'], (a) => withPaths(a, 0, 1, (o, n) => a.fs.link(a.cage, o, n))],
  [87, 'unlink', ['path'], (a) => withPath(a, 0, (p) => a.fs.unlink(a.cage, p))],
  [88, 'symlink', ['path', 'path'], (a) => withPaths(a, 0, 1, (t, p) => a.fs.symlink(a.cage, t, p))],
  [89, 'readlink', ['path', 'ptr', 'size'], readlinkat(false)],
  [90, 'chmod', ['path', 'mode'], (a) => withPath(a, 0, (p) => a.fs.chmod(a.cage, p, a.uint(1)))],
  [91, 'fchmod', ['fd', 'mode'], (a) => a.fs.fchmod(a.cage, a.int(0), a.uint(1))],
  [92, 'chown', ['path', 'uint', 'uint'], (a) => withPath(a, 0, (p) => a.fs.chown(a.cage, p, a.uint(1), a.uint(2)))],
  [93, 'fchown', ['fd', 'uint', 'uint'], (a) => a.fs.fchown(a.cage, a.int(0), a.uint(1), a.uint(2))],
  [94, 'lchown', ['path', 'uint', 'uint'], (a) => withPath(a, 0, (p) => a.fs.lchown(a.cage, p, a.uint(1), a.uint(2)))],
  [95, 'umask', ['mode'], (a) => a.fs.umask(a.cage, a.uint(0))],
  [102, 'getuid', [], (a) => cred(a).uid],
  [104, 'getgid', [], (a) => cred(a).gid],
  [107, 'geteuid', [], (a) => cred(a).euid],
  [108, 'getegid', [], (a) => cred(a).egid],
  [121, 'getpgid', ['int'], (a) => (a.int(0) === 0 || a.int(0) === a.cage ? a.cage : -ESRCH)],
  [133, 'mknod', ['path', 'mode', 'hex'], mknodat(false)],
  [137, 'statfs', ['path', 'ptr'], (a) => withPath(a, 0, (p) => statfsInto(a, 1, () => a.fs.statfs(a.cage, p, a.statfs)))],
  [138, 'fstatfs', ['fd', 'ptr'], (a) => statfsInto(a, 1, () => a.fs.fstatfs(a.cage, a.int(0), a.statfs))],
  [162, 'sync', [], (a) => a.fs.sync(a.cage)],
  [213, 'epoll_create', ['int'], enosys],
  [217, 'getdents64', ['fd', 'ptr', 'size'], getdents],
  [228, 'clock_gettime', ['int', 'ptr'], clockGettime],
  [229, 'clock_getres', ['int', 'ptr'], clockGetres],
  [232, 'epoll_wait', ['fd', 'ptr', 'int', 'int'], enosys],
  [233, 'epoll_ctl', ['fd', 'int', 'fd', 'ptr'], enosys],
  [257, 'openat', ['fd', 'path', 'oflags', 'mode'], (a) => withPath(a, 1, (p) => a.fs.openat(a.cage, a.int(0), p, a.int(2), a.uint(3)))],
  [258, 'mkdirat', ['fd', 'path', 'mode'], (a) => withPath(a, 1, (p) => a.fs.mkdirat(a.cage, a.int(0), p, a.uint(2)))],
  [259, 'mknodat', ['fd', 'path', 'mode', 'hex'], mknodat(true)],
  [260, 'fchownat', ['fd', 'path', 'uint', 'uint', 'atflags'], (a) => withPath(a, 1, (p) => a.fs.fchownat(a.cage, a.int(0), p, a.uint(2), a.uint(3), a.int(4)))],
  [262, 'newfstatat', ['fd', 'path', 'ptr', 'atflags'], (a) => withPath(a, 1, (p) => structInto(a, 2, STAT64_T64_SIZE, () => a.fs.fstatat(a.cage, a.int(0), p, a.stat, a.int(3)), putStat64t64))],
  [263, 'unlinkat', ['fd', 'path', 'atflags'], (a) => withPath(a, 1, (p) => a.fs.unlinkat(a.cage, a.int(0), p, a.int(2)))],
  [264, 'renameat', ['fd', 'path', 'fd', 'path'], (a) => withPaths(a, 1, 3, (o, n) => a.fs.renameat(a.cage, a.int(0), o, a.int(2), n))],
  [265, 'linkat', ['fd', 'path', 'fd', 'path', 'atflags'], (a) => withPaths(a, 1, 3, (o, n) => a.fs.linkat(a.cage, a.int(0), o, a.int(2), n, a.int(4)))],
  [266, 'symlinkat', ['path', 'fd', 'path'], (a) => withPaths(a, 0, 2, (t, p) => a.fs.symlinkat(a.cage, t, a.int(1), p))],
  [267, 'readlinkat', ['fd', 'path', 'ptr', 'size'], readlinkat(true)],
  [268, 'fchmodat', ['fd', 'path', 'mode', 'atflags'], (a) => withPath(a, 1, (p) => a.fs.fchmodat(a.cage, a.int(0), p, a.uint(2), a.int(3)))],
  [269, 'faccessat', ['fd', 'path', 'int', 'atflags'], (a) => withPath(a, 1, (p) => a.fs.faccessat(a.cage, a.int(0), p, a.int(2), a.int(3)))],
  [271, 'ppoll', ['ptr', 'uint', 'int', 'ptr'], poll],
  [277, 'sync_file_range', ['fd', 'off', 'off', 'uint'], (a) => a.fs.sync_file_range(a.cage, a.int(0), a.off(1), a.off(2), a.uint(3))],
  [280, 'utimensat', ['fd', 'path', 'ptr', 'atflags'], utimensat],
  [285, 'fallocate', ['fd', 'int', 'off', 'off'], (a) => a.fs.fallocate(a.cage, a.int(0), a.int(1), a.off(2), a.off(3))],
  [291, 'epoll_create1', ['oflags'], enosys],
  [292, 'dup3', ['fd', 'fd', 'oflags'], (a) => a.fs.dup3(a.cage, a.int(0), a.int(1), a.int(2))],
  [293, 'pipe2', ['ptr', 'oflags'], pipe(true)],
  [295, 'preadv', ['fd', 'ptr', 'int', 'off'], vector('readv', true)],
  [296, 'pwritev', ['fd', 'ptr', 'int', 'off'], vector('writev', true)],
  [302, 'prlimit64', ['int', 'int', 'ptr', 'ptr'], prlimit64],
  [306, 'syncfs', ['fd'], (a) => a.fs.syncfs(a.cage, a.int(0))],
  [316, 'renameat2', ['fd', 'path', 'fd', 'path', 'uint'], (a) => withPaths(a, 1, 3, (o, n) => a.fs.renameat2(a.cage, a.int(0), o, a.int(2), n, a.uint(4)))],
  [318, 'getrandom', ['ptr', 'size', 'uint'], getrandom],
  [326, 'copy_file_range', ['fd', 'ptr', 'fd', 'ptr', 'size', 'uint'], copyFileRange],
  [332, 'statx', ['fd', 'path', 'atflags', 'hex', 'ptr'], statx],
  // Lind's 3i calls: only wasm grates make them, and this grate lives on the host.
  [1001, 'register_handler', ['int', 'int', 'ptr'], enosys],
  [1002, 'copy_data_between_cages', ['ptr', 'ptr', 'size', 'int'], enosys],
  [1003, 'copy_handler_table_to_cage', ['int'], enosys],
];

export const LIND_ROWS: ReadonlyMap<number, LindRow> = new Map([...rows, ...PROCESS_ROWS].sort((x, y) => x[0] - y[0]).map(([nr, name, args, call]) => [nr, { name, args, call }]));

