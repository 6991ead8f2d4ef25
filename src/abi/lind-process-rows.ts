/**
 * The lind syscall rows for processes and signals (processes.md §4–§10): the arguments
 * decoded by C type, the results written back; what the calls mean is the process
 * runtime's (ProcessHost). Without a runtime (a LindAbi made by hand) they answer ENOSYS,
 * except the ones that only read or change the cage's own signal state.
 */
import { E2BIG, EAGAIN, EFAULT, EINVAL, ENOSYS, ETIMEDOUT, WOULD_BLOCK } from '../core/index.js';
import { writeTimespec, readTimespec64, TIMESPEC_SIZE } from './lind-structs.js';
import { clockMs } from './host-services.js';
import { futexCheck, futexTimeoutMs, futexWaits, futexWake, type FutexArgs, type FutexClocks } from './futex.js';
import { NSIG, SIGKILL, SIGSTOP, type SigAction } from './signal-state.js';
import type { ArgKind } from './trace.js';
import type { LindAbi } from './lind.js';
import { monotonicMs } from '../core/clock.js';

type Handler = (a: LindAbi) => number;

const CLONE_VM = 0x100, CLONE_THREAD = 0x10000, CLONE_PARENT_SETTID = 0x100000;
const CLONE_CLEAR_SIGHAND = 0x100000000;
/** struct clone_args (all u64): flags 0, child_tid 16, parent_tid 24, stack 40, stack_size 48. */
const CLONE_ARGS_SIZE = 88;
/** struct sigaction as lind-glibc sends it: u32 handler at 0, u64 mask at 8, i32 flags at 16. */
const SIGACTION_SIZE = 24;
/** struct itimerval: {i64 sec, i64 usec} interval, then value. */
const ITIMERVAL_SIZE = 32;
const ITIMER_REAL = 0;
const WNOHANG = 1, WUNTRACED = 2, WCONTINUED = 8;
/** execve's limit on argv + envp, strings and their pointers (Linux's ARG_MAX with an 8 MiB stack). */
const ARG_MAX = 2 * 1024 * 1024;

/** fork (57), vfork (58) and clone (56) without CLONE_VM: all make a child process. */
const fork = (fromClone: boolean): Handler => (a) => {
  if (a.proc === undefined) return -ENOSYS;
  let clearHandlers = false;
  if (fromClone) {
    const p = a.ptr(0);
    if (!a.ok(p, CLONE_ARGS_SIZE)) return -EFAULT;
    const flags = a.mem.i64(p);
    if (flags & CLONE_VM) return thread(a, p, flags);
    clearHandlers = Math.floor(flags / CLONE_CLEAR_SIGHAND) % 2 === 1;
  }
  return a.proc.fork(a, clearHandlers);
};

/**
 * clone with CLONE_VM: a thread (processes.md §5). Its stack must lie in memory; its id is
 * written at child_tid (pthread_join waits on that word) and, with CLONE_PARENT_SETTID, at
 * parent_tid, before the caller goes on. A process that shares the memory without being a
 * thread (CLONE_VM without CLONE_THREAD) cannot be made: two instances of a cage share a
 * memory only as threads here.
 */
function thread(a: LindAbi, p: number, flags: number): number {
  if (!(flags & CLONE_THREAD)) return -ENOSYS;
  const childTid = a.mem.i64(p + 16), parentTid = a.mem.i64(p + 24), stack = a.mem.i64(p + 40), size = a.mem.i64(p + 48);
  if (size <= 0 || stack < size || !a.mem.ok(stack - size, size)) return -EINVAL;
  if ((childTid !== 0 && !a.ok(childTid, 4)) || (flags & CLONE_PARENT_SETTID && parentTid !== 0 && !a.ok(parentTid, 4))) return -EFAULT;
  const tid = a.proc!.spawnThread(a, stack, size, childTid);
  if (tid < 0) return tid;
  if (childTid !== 0) a.mem.setI32(childTid, tid);
  if (flags & CLONE_PARENT_SETTID && parentTid !== 0) a.mem.setI32(parentTid, tid);
  return tid;
}

/** A NULL-terminated table of u64 string pointers (execve's argv and envp), as byte strings. */
function stringTable(a: LindAbi, p: number, total: { bytes: number }): Uint8Array[] | number {
  const out: Uint8Array[] = [];
  if (p === 0) return out; // Linux takes a NULL argv or envp as empty
  for (let at = p; ; at += 8) {
    if (!a.ok(at, 8)) return -EFAULT;
    const lo = a.mem.u32(at), hi = a.mem.u32(at + 4);
    if (lo === 0 && hi === 0) return out;
    if (hi !== 0) return -EFAULT;
    const end = a.mem.cstringEnd(lo, ARG_MAX);
    if (end < 0) return end === -EFAULT ? -EFAULT : -E2BIG;
    total.bytes += end - lo + 1 + 8;
    if (total.bytes > ARG_MAX) return -E2BIG;
    out.push(a.mem.u8.slice(lo, end));
  }
}

const execve: Handler = (a) => {
  if (a.proc === undefined) return -ENOSYS;
  const path = a.path(0);
  if (typeof path === 'number') return path;
  const total = { bytes: 0 };
  const argv = stringTable(a, a.ptr(1), total);
  if (typeof argv === 'number') return argv;
  const envp = stringTable(a, a.ptr(2), total);
  if (typeof envp === 'number') return envp;
  return a.proc.execve(a, path, argv, envp);
};

const waitStatus = { status: 0 };
const wait4: Handler = (a) => {
  if (a.proc === undefined) return -ENOSYS;
  const statusPtr = a.ptr(1), options = a.int(2);
  if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | 0x40000000 | 0x20000000 | 0x80000000)) return -EINVAL;
  if (statusPtr !== 0 && !a.ok(statusPtr, 4)) return -EFAULT;
  const r = a.proc.wait4(a, a.int(0), options, waitStatus);
  if (r > 0 && statusPtr !== 0) a.mem.setI32(statusPtr, waitStatus.status);
  return r;
};

const kill: Handler = (a) => (a.proc === undefined ? -ENOSYS : a.proc.kill(a, a.int(0), a.int(1)));

function readMask(a: LindAbi, p: number): [number, number] {
  return [a.mem.u32(p), a.mem.u32(p + 4)];
}
function writeMask(a: LindAbi, p: number, lo: number, hi: number): void {
  a.mem.setU32(p, lo);
  a.mem.setU32(p + 4, hi);
}

const rtSigaction: Handler = (a) => {
  const sig = a.int(0), np = a.ptr(1), op = a.ptr(2);
  if (sig < 1 || sig > NSIG) return -EINVAL;
  if ((sig === SIGKILL || sig === SIGSTOP) && np !== 0) return -EINVAL;
  if ((np !== 0 && !a.ok(np, SIGACTION_SIZE)) || (op !== 0 && !a.ok(op, SIGACTION_SIZE))) return -EFAULT;
  const action = a.signals.actions[sig];
  let next: SigAction | null = null;
  if (np !== 0) {
    const [maskLo, maskHi] = readMask(a, np + 8);
    next = { handler: a.mem.u32(np), maskLo, maskHi, flags: a.mem.i32(np + 16) };
  }
  if (op !== 0) {
    a.mem.u8.fill(0, op, op + SIGACTION_SIZE);
    a.mem.setU32(op, action.handler);
    writeMask(a, op + 8, action.maskLo, action.maskHi);
    a.mem.setI32(op + 16, action.flags);
  }
  if (next !== null) {
    Object.assign(action, next);
    // A signal now ignored is dropped even if it was pending (POSIX).
    if (a.signals.discards(sig) && sig <= 31) a.signals.take(sig);
  }
  return 0;
};

const rtSigprocmask: Handler = (a) => {
  const how = a.int(0), np = a.ptr(1), op = a.ptr(2);
  if (np !== 0 && (how < 0 || how > 2)) return -EINVAL;
  if ((np !== 0 && !a.ok(np, 8)) || (op !== 0 && !a.ok(op, 8))) return -EFAULT;
  const s = a.signals;
  if (op !== 0) writeMask(a, op, s.maskLo, s.maskHi);
  if (np !== 0) {
    const [lo, hi] = readMask(a, np);
    if (how === 0) s.setMask(s.maskLo | lo, s.maskHi | hi);
    else if (how === 1) s.setMask(s.maskLo & ~lo, s.maskHi & ~hi);
    else s.setMask(lo, hi);
  }
  return 0;
};

/**
 * rt_sigsuspend (130): new mask, pointer that receives the old one (lind-glibc's layout,
 * processes.md §10). The mask is in force until a signal is due, then -EINTR; the handler
 * runs under it, and glibc puts the old mask back itself.
 */
const rtSigsuspend: Handler = (a) => {
  const np = a.ptr(0), op = a.unused(1) ? 0 : a.ptr(1);
  if (!a.ok(np, 8) || (op !== 0 && !a.ok(op, 8))) return -EFAULT;
  const s = a.signals;
  if (Number.isNaN(a.deadline)) { // the first try, not a retry of a parked call
    if (op !== 0) writeMask(a, op, s.maskLo, s.maskHi);
    const [lo, hi] = readMask(a, np);
    s.setMask(lo, hi);
    a.deadline = Infinity;
  }
  return suspend(a);
};

/** pause (34): waits until a signal is due. */
const pause: Handler = (a) => suspend(a);

/** Waits with no time limit; a due signal ends the wait (-EINTR), which the runtime notices. */
function suspend(a: LindAbi): number {
  if (a.signals.due() !== 0) return -4; // EINTR
  const r = a.waitFor(-1);
  return r === 0 ? WOULD_BLOCK : r;
}

/**
 * Lind's 35 carries clock_nanosleep's arguments: clockid, flags (TIMER_ABSTIME 1), req, rem;
 * req is glibc's {i64 sec, long nsec, pad} (nanosleep and usleep build it). rem receives
 * what was left when a signal cut the sleep short.
 */
const nanosleep: Handler = (a) => {
  const clock = a.int(0), flags = a.int(1), req = a.ptr(2), rem = a.ptr(3);
  const now = clockMs(clock);
  if (now === null) return -EINVAL;
  if (!a.ok(req, TIMESPEC_SIZE)) return -EFAULT;
  const { sec, nsec } = readTimespec64(a.mem, req);
  if (sec < 0 || nsec < 0 || nsec > 999_999_999) return -EINVAL;
  const ms = sec * 1000 + nsec / 1e6;
  const wait = flags & 1 ? Math.max(0, ms - now) : ms;
  const started = Number.isNaN(a.deadline) ? monotonicMs() : a.deadline - wait;
  const r = wait === 0 ? 0 : a.waitFor(wait);
  if (r === WOULD_BLOCK) return r;
  if (rem !== 0 && !(flags & 1) && a.ok(rem, TIMESPEC_SIZE)) {
    const left = r === 0 ? 0 : Math.max(0, wait - (monotonicMs() - started));
    writeTimespec(a.mem, rem, Math.floor(left / 1000), Math.round((left % 1000) * 1e6));
  }
  return r;
};

const ownerClocks: FutexClocks = { monotonic: () => clockMs(1)!, realtime: () => clockMs(0)! };
const futexArgs: FutexArgs = { addr: 0, op: 0, val: 0, arg4: 0, uaddr2: 0, val3: 0 };

/**
 * futex (202) for a cage that runs alone in the thread owning the IMFS (a cage with
 * threads serves it in each thread's worker: cage-worker.ts). Nobody else can change the
 * word while it waits, so a wait ends by its timeout or a signal, or is a deadlock.
 */
const futex: Handler = (a) => {
  const f = futexArgs;
  f.addr = a.uint(0); f.op = a.int(1); f.val = a.int(2); f.arg4 = a.uint(3); f.uaddr2 = a.uint(4); f.val3 = a.int(5);
  a.mem.ok(f.addr, 4); // the views follow a grown memory
  const i32 = new Int32Array(a.mem.u8.buffer);
  const bad = futexCheck(i32, f);
  if (bad < 0) return bad;
  if (!futexWaits(f.op)) return futexWake(i32, f);
  if (Atomics.load(i32, f.addr >> 2) !== f.val) return -EAGAIN;
  const ms = futexTimeoutMs(a.mem.dv, f, ownerClocks);
  if (ms < 0) return ms;
  const r = a.waitFor(ms === Infinity ? -1 : ms);
  return r === 0 ? -ETIMEDOUT : r;
};

/** tkill (200) and tgkill (234): a signal for one thread (tgid -1: any cage). */
const tkill = (group: boolean): Handler => (a) => {
  if (a.proc === undefined) return -ENOSYS;
  return group ? a.proc.killThread(a, a.int(0), a.int(1), a.int(2)) : a.proc.killThread(a, -1, a.int(0), a.int(1));
};

function readTimeval(a: LindAbi, p: number): number {
  return a.mem.i64(p) * 1000 + a.mem.i64(p + 8) / 1000;
}
function writeTimeval(a: LindAbi, p: number, ms: number): void {
  const sec = Math.floor(ms / 1000);
  a.mem.setU64(p, sec);
  a.mem.setU64(p + 8, Math.round((ms - sec * 1000) * 1000));
}

const itimerOld = { intervalMs: 0, valueMs: 0 };
/** setitimer (38) and getitimer (36): only ITIMER_REAL, which sends SIGALRM. */
const itimer = (set: boolean): Handler => (a) => {
  if (a.proc === undefined) return -ENOSYS;
  const which = a.int(0), np = set ? a.ptr(1) : 0, op = set ? a.ptr(2) : a.ptr(1);
  if (which !== ITIMER_REAL) return which === 1 || which === 2 ? -ENOSYS : -EINVAL;
  if ((np !== 0 && !a.ok(np, ITIMERVAL_SIZE)) || (op !== 0 && !a.ok(op, ITIMERVAL_SIZE)) || (!set && op === 0)) return -EFAULT;
  let next = null;
  if (np !== 0) {
    const usecI = a.mem.i64(np + 8), usecV = a.mem.i64(np + 24);
    if (a.mem.i64(np) < 0 || a.mem.i64(np + 16) < 0 || usecI < 0 || usecI > 999_999 || usecV < 0 || usecV > 999_999) return -EINVAL;
    next = { intervalMs: readTimeval(a, np), valueMs: readTimeval(a, np + 16) };
  }
  const r = a.proc.setitimer(a, next, itimerOld);
  if (r === 0 && op !== 0) {
    writeTimeval(a, op, itimerOld.intervalMs);
    writeTimeval(a, op + 16, itimerOld.valueMs);
  }
  return r;
};

/** alarm (37): seconds; the seconds left of the previous alarm, rounded up as Linux does. */
const alarm: Handler = (a) => {
  if (a.proc === undefined) return -ENOSYS;
  const r = a.proc.setitimer(a, { intervalMs: 0, valueMs: a.uint(0) * 1000 }, itimerOld);
  return r < 0 ? r : Math.ceil(itimerOld.valueMs / 1000);
};

export const PROCESS_ROWS: [number, string, ArgKind[], Handler][] = [
  [13, 'rt_sigaction', ['int', 'ptr', 'ptr'], rtSigaction],
  [14, 'rt_sigprocmask', ['int', 'ptr', 'ptr'], rtSigprocmask],
  [34, 'pause', [], pause],
  [35, 'nanosleep', ['int', 'int', 'ptr', 'ptr'], nanosleep],
  [36, 'getitimer', ['int', 'ptr'], itimer(false)],
  [37, 'alarm', ['uint'], alarm],
  [38, 'setitimer', ['int', 'ptr', 'ptr'], itimer(true)],
  [39, 'getpid', [], (a) => a.cage],
  [56, 'clone', ['ptr'], fork(true)],
  [57, 'fork', [], fork(false)],
  [58, 'vfork', [], fork(false)],
  [59, 'execve', ['path', 'ptr', 'ptr'], execve],
  [60, 'exit', ['int'], (a) => a.exit(a.int(0), false)],
  [61, 'wait4', ['int', 'ptr', 'int'], wait4],
  [62, 'kill', ['int', 'int'], kill],
  [110, 'getppid', [], (a) => (a.proc === undefined ? a.parentId : a.proc.parentOf(a.cage))],
  [130, 'rt_sigsuspend', ['ptr', 'ptr'], rtSigsuspend],
  [186, 'gettid', [], (a) => a.tid],
  [200, 'tkill', ['int', 'int'], tkill(false)],
  [202, 'futex', ['ptr', 'int', 'int', 'ptr', 'ptr', 'int'], futex],
  [218, 'set_tid_address', ['ptr'], (a) => a.tid],
  [234, 'tgkill', ['int', 'int', 'int'], tkill(true)],
  [231, 'exit_group', ['int'], (a) => a.exit(a.int(0), true)],
];
