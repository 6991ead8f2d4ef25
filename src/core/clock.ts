/** Where timestamps come from. Injectable, so tests can make time deterministic. */
export interface Timespec {
  sec: number;
  nsec: number;
}

/** Writes the current time into `out`. */
export type Clock = (out: Timespec) => void;

/** The host's real-time clock with sub-microsecond resolution, without allocating. */
export const realClock: Clock = (out) => {
  const ms = performance.timeOrigin + performance.now();
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
