/** Where timestamps come from. Injectable, so tests can make time deterministic. */

export interface Timespec {
  sec: number;
  nsec: number;
}

/** Writes the current time into `out`. */
export type Clock = (out: Timespec) => void;

/**
 * CLOCK_MONOTONIC in milliseconds (since boot, as Linux gives it), with sub-microsecond
 * resolution. process.hrtime, not performance.now(): the same clock in every thread of
 * the process (a worker's performance.now() starts at the worker's own start), and no
 * node:perf_hooks, which the first `performance` read loads (1.4-3 ms of a fresh
 * process, Node 20 to 26). Its cost per read is performance.now()'s (60-70 ns).
 */
export function monotonicMs(): number {
  const t = process.hrtime();
  return t[0] * 1e3 + t[1] / 1e6;
}

/**
 * Realtime minus monotonic, taken once per process from Date.now() (the middle of its
 * millisecond: within 0.5 ms of the true time), not from performance.timeOrigin, whose first
 * read loads node:perf_hooks (3 ms of a fresh process on Node 26). Worker threads are handed
 * their owner's (adoptEpochOffset): each taking its own, the truncations differed by up to a
 * millisecond, and a cage thread's CLOCK_REALTIME read behind a deadline that the owner's
 * clock had already passed (a cond_timedwait woke "early").
 */
let epochOffset = Date.now() + 0.5 - monotonicMs();

/** This process's realtime offset, to hand to its worker threads. */
export function epochOffsetMs(): number {
  return epochOffset;
}

/** Makes this thread's CLOCK_REALTIME its owner's (a worker thread, at its start). */
export function adoptEpochOffset(ms: number): void {
  epochOffset = ms;
}

/** Milliseconds since the epoch, with sub-microsecond resolution. */
export function epochMs(): number {
  return epochOffset + monotonicMs();
}

/** The host's real-time clock with sub-microsecond resolution, without allocating. */
export const realClock: Clock = (out) => {
  const ms = epochMs();
  const sec = Math.floor(ms / 1000);
  out.sec = sec;
  out.nsec = Math.min(999_999_999, Math.floor((ms - sec * 1000) * 1e6));
};

/** A clock that only moves when told to: starts at `sec` and advances `stepNs` on every read. */
export function manualClock(sec = 1_700_000_000, stepNs = 0): Clock & { set(sec: number, nsec?: number): void } {
  let s = sec, ns = 0;
  const clock = ((out: Timespec) => {
    out.sec = s;
    out.nsec = ns;
    ns += stepNs;
    while (ns >= 1e9) { ns -= 1e9; s++; }
  }) as Clock & { set(sec: number, nsec?: number): void };
  clock.set = (sec, nsec = 0) => { s = sec; ns = nsec; };
  return clock;
}

/**
 * A coarse clock in the manner of the kernel's jiffies: a worker thread writes the time
 * into shared memory every millisecond, so reading it is a memory load rather than a
 * clock read (which costs some 100-150 ns on a virtual machine). Milliseconds since the
 * epoch, or NaN (the caller then reads the exact clock) before the ticker's first tick,
 * where no worker can run, and for a process's first TICKER_AFTER reads: a worker costs
 * some 30 ms of a process's wall time and 8 MiB (measured: `imfs-grate hello.wasm`, 210
 * ms against 180 ms without it), which only a run making many more reads than that wins
 * back.
 */
export function coarseMs(): number {
  if (tick === undefined) {
    if (++reads < TICKER_AFTER) return NaN;
    tick = startTicker();
  }
  return tick === null || tick[0] === 0 ? NaN : tick[0];
}

const TICKER_AFTER = 200_000;
let reads = 0;
let tick: Float64Array | null | undefined;

// epochMs() in the ticker's thread: process.hrtime is the same clock there, the offset is ours.
const TICKER = `const { shared, offset } = require('node:worker_threads').workerData;
const now = new Float64Array(shared, 0, 1), nap = new Int32Array(shared, 8, 1);
for (;;) { const t = process.hrtime(); now[0] = offset + t[0] * 1e3 + t[1] / 1e6; Atomics.wait(nap, 0, 0, 1); }`;

function startTicker(): Float64Array | null {
  try {
    const shared = new SharedArrayBuffer(16);
    const { Worker } = process.getBuiltinModule('node:worker_threads');
    const worker = new Worker(TICKER, { eval: true, workerData: { shared, offset: epochOffset } });
    worker.unref(); // the ticker never keeps the process alive
    worker.on('error', () => { tick = null; });
    return new Float64Array(shared, 0, 1);
  } catch {
    return null;
  }
}
