/**
 * futex (202) on a cage's shared memory (processes.md §5): the operations lind-glibc's
 * mutexes, condition variables, barriers, semaphores and pthread_join use, done with
 * Atomics.wait/notify on the memory itself, so that threads of a cage wait for each other
 * directly. This file holds what both places that serve futex share: the thread's own
 * worker (cage-worker.ts; it never asks the thread owning the IMFS) and the lind ABI for a
 * cage that runs alone in the main thread (lind-process-rows.ts).
 * Linux's results: the number woken, -EAGAIN when the word is not the expected value,
 * -ETIMEDOUT, -EINTR, -EINVAL for an unaligned address or a bad timeout, -ENOSYS for the
 * priority-inheritance operations.
 */

export const FUTEX_WAIT = 0, FUTEX_WAKE = 1, FUTEX_REQUEUE = 3, FUTEX_CMP_REQUEUE = 4, FUTEX_WAKE_OP = 5,
  FUTEX_WAIT_BITSET = 9, FUTEX_WAKE_BITSET = 10;
const FUTEX_CMD_MASK = 0x7f; // without FUTEX_PRIVATE_FLAG (128) and FUTEX_CLOCK_REALTIME (256)
const FUTEX_CLOCK_REALTIME = 256;
const EAGAIN = 11, EINVAL = 22, ENOSYS = 38, EFAULT = 14;

/** The operation without its flags. */
export const futexCommand = (op: number): number => op & FUTEX_CMD_MASK;

/** A futex call's arguments as lind-glibc passes them (arg4 is a timeout pointer or val2). */
export interface FutexArgs {
  addr: number;
  op: number;
  val: number;
  /** arg4: the timeout pointer (WAIT, WAIT_BITSET) or val2 (REQUEUE, CMP_REQUEUE, WAKE_OP). */
  arg4: number;
  uaddr2: number;
  val3: number;
}

/** Clocks as the cage sees them (ms): its CLOCK_MONOTONIC and CLOCK_REALTIME. */
export interface FutexClocks {
  monotonic(): number;
  realtime(): number;
}

/**
 * How long a WAIT may last, in ms: Infinity without a timeout, else from the timespec at
 * arg4 (seconds in an 8-byte slot at 0, nanoseconds in the low 32 bits at 8) — relative for
 * WAIT, absolute for WAIT_BITSET (CLOCK_REALTIME with the flag, else CLOCK_MONOTONIC).
 * -EINVAL or -EFAULT.
 *
 * Only the slot's low 32 bits hold the seconds: lind-glibc's futex path copies a 32-bit
 * tv_sec into it and leaves the high half as the stack had it (seen: the bytes of an old
 * printf line, which read as a wait of 10^11 years). Seconds as a signed 32-bit value last
 * until 2038, as a 32-bit time_t does.
 */
export function futexTimeoutMs(dv: DataView, f: FutexArgs, clocks: FutexClocks): number {
  if (f.arg4 === 0) return Infinity;
  if (f.arg4 < 0 || f.arg4 + 16 > dv.byteLength) return -EFAULT;
  const sec = dv.getInt32(f.arg4, true), nsec = dv.getInt32(f.arg4 + 8, true);
  if (sec < 0 || nsec < 0 || nsec > 999_999_999) return -EINVAL;
  const ms = sec * 1000 + nsec / 1e6;
  if (futexCommand(f.op) !== FUTEX_WAIT_BITSET) return ms;
  const now = f.op & FUTEX_CLOCK_REALTIME ? clocks.realtime() : clocks.monotonic();
  return Math.max(0, ms - now);
}

/** Checks that apply to every operation: -EINVAL / -EFAULT, or 0. */
export function futexCheck(i32: Int32Array, f: FutexArgs): number {
  if (f.addr % 4 !== 0) return -EINVAL;
  if (f.addr === 0 || f.addr + 4 > i32.byteLength) return -EFAULT;
  const cmd = futexCommand(f.op);
  if ((cmd === FUTEX_WAIT_BITSET || cmd === FUTEX_WAKE_BITSET) && f.val3 === 0) return -EINVAL;
  if ((cmd === FUTEX_REQUEUE || cmd === FUTEX_CMP_REQUEUE || cmd === FUTEX_WAKE_OP) && (f.uaddr2 % 4 !== 0 || f.uaddr2 === 0 || f.uaddr2 + 4 > i32.byteLength)) {
    return f.uaddr2 % 4 !== 0 ? -EINVAL : -EFAULT;
  }
  return 0;
}

/** Whether the operation waits (the caller does the wait its own way). */
export const futexWaits = (op: number): boolean => futexCommand(op) === FUTEX_WAIT || futexCommand(op) === FUTEX_WAIT_BITSET;

/**
 * The operations that do not wait: WAKE, WAKE_BITSET (bitsets are taken as "any": a wake
 * may be spurious, which futex allows), REQUEUE and CMP_REQUEUE (the waiters are woken
 * rather than moved: they look again and wait on the new word), WAKE_OP. -ENOSYS for
 * the rest (the priority-inheritance operations, FUTEX_FD).
 */
export function futexWake(i32: Int32Array, f: FutexArgs): number {
  const i = f.addr >> 2;
  const count = (n: number) => (n < 0 ? Infinity : n); // val is a count; INT_MAX wakes all
  switch (futexCommand(f.op)) {
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET:
      return Atomics.notify(i32, i, count(f.val));
    case FUTEX_CMP_REQUEUE:
    case FUTEX_REQUEUE:
      if (futexCommand(f.op) === FUTEX_CMP_REQUEUE && Atomics.load(i32, i) !== f.val3) return -EAGAIN;
      return Math.min(Atomics.notify(i32, i, Infinity), count(f.val) + count(f.arg4 >>> 0));
    case FUTEX_WAKE_OP: {
      const old = wakeOp(i32, f.uaddr2 >> 2, f.val3);
      let woken = Atomics.notify(i32, i, count(f.val));
      if (compare(old, f.val3)) woken += Atomics.notify(i32, f.uaddr2 >> 2, count(f.arg4 | 0));
      return woken;
    }
    default:
      return -ENOSYS;
  }
}

/** Sign-extends a 12-bit field. */
const s12 = (v: number): number => (v << 20) >> 20;

/** FUTEX_WAKE_OP's operation on the word at index j, done atomically; the old value. */
function wakeOp(i32: Int32Array, j: number, encoded: number): number {
  const op = (encoded >>> 28) & 7, shift = (encoded >>> 28) & 8;
  let arg = s12(encoded >>> 12);
  if (shift) arg = arg < 0 || arg > 31 ? 0 : 1 << arg;
  for (;;) {
    const old = Atomics.load(i32, j);
    const next = op === 0 ? arg : op === 1 ? old + arg : op === 2 ? old | arg : op === 3 ? old & ~arg : old ^ arg;
    if (Atomics.compareExchange(i32, j, old, next | 0) === old) return old;
  }
}

/** FUTEX_WAKE_OP's comparison of the old value with its argument. */
function compare(old: number, encoded: number): boolean {
  const cmp = (encoded >>> 24) & 15, arg = s12(encoded);
  switch (cmp) {
    case 0: return old === arg;
    case 1: return old !== arg;
    case 2: return old < arg;
    case 3: return old <= arg;
    case 4: return old > arg;
    case 5: return old >= arg;
    default: return false;
  }
}
