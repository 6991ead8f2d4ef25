/** Clocks, sleeping and randomness, as both ABIs hand them to cages. */
import { epochMs, monotonicMs } from '../core/clock.js';

export const CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_PROCESS_CPUTIME_ID = 2,
  CLOCK_THREAD_CPUTIME_ID = 3, CLOCK_MONOTONIC_RAW = 4, CLOCK_REALTIME_COARSE = 5,
  CLOCK_MONOTONIC_COARSE = 6, CLOCK_BOOTTIME = 7;

/** Milliseconds on the given Linux clock, or null for a clock we do not have. */
export function clockMs(clockid: number): number | null {
  switch (clockid) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
      return epochMs();
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:
      return monotonicMs();
    case CLOCK_PROCESS_CPUTIME_ID:
    case CLOCK_THREAD_CPUTIME_ID: {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    }
    default:
      return null;
  }
}

/** Splits milliseconds into whole seconds and nanoseconds. */
export function msToTimespec(ms: number): [number, number] {
  const sec = Math.floor(ms / 1000);
  return [sec, Math.min(999_999_999, Math.round((ms - sec * 1000) * 1e6))];
}

/** Nanoseconds since the clock's origin as a BigInt (for WASI's u64 timestamps). */
export function clockNs(clockid: number): bigint | null {
  const ms = clockMs(clockid);
  if (ms === null) return null;
  const [sec, nsec] = msToTimespec(ms);
  return BigInt(sec) * 1_000_000_000n + BigInt(nsec);
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the thread for `ms` milliseconds (a cage runs synchronously; nothing else is waiting on it). */
export function sleepMs(ms: number): void {
  if (ms > 0) Atomics.wait(sleeper, 0, 0, ms);
}

/** Fills dst[off..off+len] with random bytes (through a private buffer: dst may be shared memory). */
export function randomFill(dst: Uint8Array, off: number, len: number): void {
  const chunk = Buffer.allocUnsafe(Math.min(len, 65536));
  for (let at = 0; at < len; at += chunk.length) {
    const n = Math.min(chunk.length, len - at);
    process.getBuiltinModule('node:crypto').randomFillSync(chunk, 0, n);
    dst.set(chunk.subarray(0, n), off + at);
  }
}
