/**
 * wasi:io/poll. A cage runs alone and every IMFS call answers at once, so a stream's
 * pollable is always ready; only clock pollables (subscribe-instant/-duration) wait, and
 * blocking on them sleeps the thread until their deadline.
 */
import { clockNs, CLOCK_MONOTONIC, sleepMs } from '../host-services.js';

/** Monotonic nanoseconds (the clock wasi:clocks/monotonic-clock reports). */
export function monotonicNs(): bigint {
  return clockNs(CLOCK_MONOTONIC) ?? 0n;
}

export class Pollable {
  /** A monotonic deadline in nanoseconds, or null for "ready now". */
  constructor(readonly deadline: bigint | null = null) {}

  ready(): boolean {
    return this.deadline === null || monotonicNs() >= this.deadline;
  }

  block(): void {
    if (this.deadline === null) return;
    for (let left = this.deadline - monotonicNs(); left > 0n; left = this.deadline - monotonicNs()) {
      sleepMs(Math.max(1, Math.ceil(Number(left) / 1e6)));
    }
  }
}

/** poll: the indexes of the ready pollables, waiting for the earliest deadline when none is. */
export function poll(list: readonly Pollable[]): Uint32Array {
  // WIT: "The list must not be empty" (a guest that passes one has a bug: a trap, as wasmtime's).
  if (list.length === 0) throw new TypeError('wasi:io/poll poll: the list of pollables is empty');
  for (;;) {
    const ready: number[] = [];
    let earliest: Pollable | null = null;
    list.forEach((p, i) => {
      if (p.ready()) ready.push(i);
      else if (earliest === null || p.deadline! < earliest.deadline!) earliest = p;
    });
    if (ready.length > 0) return Uint32Array.from(ready);
    (earliest as Pollable | null)?.block();
  }
}
