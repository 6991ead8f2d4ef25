/**
 * The clocks the IMFS stamps times with: the exact one (epochMs, realClock) and the coarse
 * one, whose ticker thread starts only after a process's first many reads.
 */
import { expect, test } from 'vitest';
import { adoptEpochOffset, coarseMs, epochMs, epochOffsetMs, monotonicMs, realClock } from '../../src/core/clock.js';

test('epochMs and realClock follow the wall clock', () => {
  // epochMs (the monotonic clock plus an offset taken once) and Date.now() are two clocks
  // that agree to a few milliseconds (an earlier epochMs, performance.timeOrigin + now, was
  // seen 1.005 ms past Date.now() in CI on Node 22).
  const slack = 20;
  const before = Date.now();
  const ms = epochMs();
  const t = { sec: 0, nsec: 0 };
  realClock(t);
  const after = Date.now();
  expect(ms).toBeGreaterThanOrEqual(before - slack);
  expect(ms).toBeLessThanOrEqual(after + slack);
  expect(t.sec * 1000 + t.nsec / 1e6).toBeGreaterThanOrEqual(ms);
  expect(t.sec * 1000 + t.nsec / 1e6).toBeLessThanOrEqual(after + slack);
  expect(Number.isInteger(t.nsec) && t.nsec >= 0 && t.nsec < 1e9).toBe(true);
});

test('a thread handed its owner\'s realtime offset reads the owner\'s CLOCK_REALTIME, to the microsecond', () => {
  // A worker's own Date.now() truncates differently from its owner's (cage-worker.ts adopts the owner's).
  const own = epochOffsetMs();
  try {
    adoptEpochOffset(own + 1234.567);
    expect(epochOffsetMs()).toBe(own + 1234.567);
    const m = monotonicMs(), e = epochMs(), m2 = monotonicMs();
    expect(e - (own + 1234.567)).toBeGreaterThanOrEqual(m);
    expect(e - (own + 1234.567)).toBeLessThanOrEqual(m2);
  } finally {
    adoptEpochOffset(own);
  }
  expect(Math.abs(epochMs() - Date.now())).toBeLessThan(20);
});

test('monotonicMs never goes back and runs at the rate of the wall clock', async () => {
  const m0 = monotonicMs(), d0 = Date.now();
  let last = m0;
  for (let i = 0; i < 10_000; i++) {
    const m = monotonicMs();
    expect(m).toBeGreaterThanOrEqual(last);
    last = m;
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(Math.abs((monotonicMs() - m0) - (Date.now() - d0))).toBeLessThan(20);
});

test('the coarse clock is NaN (read the exact one) until many reads have been made, then ticks', async () => {
  expect(coarseMs()).toBeNaN();
  let reads = 1;
  // Far fewer reads than a short run makes start no thread.
  for (; reads < 1000; reads++) expect(coarseMs()).toBeNaN();
  // A long run's reads start the ticker, whose time then follows the wall clock.
  let ms = NaN;
  const deadline = Date.now() + 10_000;
  while (Number.isNaN(ms) && Date.now() < deadline) {
    ms = coarseMs();
    if (++reads % 10_000 === 0) await new Promise((r) => setTimeout(r, 1));
  }
  expect(reads).toBeGreaterThan(100_000);
  expect(Math.abs(ms - Date.now())).toBeLessThan(50);
});
