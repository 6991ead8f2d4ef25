/**
 * wasi:clocks@0.3: monotonic-clock (now, get-resolution, and the async wait-for/wait-until,
 * which suspend the guest on a timer while the event loop runs) and system-clock (0.2's
 * wall-clock, renamed; its instant has the 0.2 datetime's JS shape).
 */
import * as cr from '../wasip2/clocks-random.js';
import { monotonicNs } from '../wasip2/poll.js';

/** Sleeps until the monotonic clock reaches `mark` (nanoseconds); at once if it has. */
export function waitUntil(mark: bigint): Promise<void> {
  const ms = Number(mark - monotonicNs()) / 1e6;
  if (!(ms > 0)) return Promise.resolve();
  return new Promise((resolve) => {
    // setTimeout may fire a fraction of a millisecond early: wait again for the rest.
    setTimeout(() => resolve(waitUntil(mark)), Math.ceil(Math.min(ms, 2 ** 31 - 1)));
  });
}

export const waitFor = (ns: bigint): Promise<void> => waitUntil(monotonicNs() + ns);
export const monotonicNow = cr.monotonicNow;
export const monotonicResolution = cr.monotonicResolution;
export const systemNow = cr.wallNow;
/** A duration in nanoseconds (0.2 answered a datetime): the same 1 µs as wall-clock and monotonic-clock. */
export const systemResolution = (): bigint => cr.monotonicResolution();
