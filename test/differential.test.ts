/**
 * Differential test: random operation sequences on the IMFS and on a real tmpfs directory
 * must give the same results, errnos and trees (see test/differential/harness.ts).
 * `make test` runs a fixed seed and a modest count; a long run:
 *   SEED=7 COUNT=200000 npx vitest run test/differential.test.ts
 * TIMECHECK=0.5 makes half the steps timestamp-checked (default 0.04).
 */
import { test, expect } from 'vitest';
import { runDifferential } from './differential/harness.js';

const seed = process.env.SEED !== undefined ? Number(process.env.SEED) : 1;
const count = process.env.COUNT !== undefined ? Number(process.env.COUNT) : 15000;
const timeCheck = process.env.TIMECHECK !== undefined ? Number(process.env.TIMECHECK) : undefined;

test(`IMFS and Linux tmpfs agree on ${count} random operations (seed ${seed})`, () => {
  const stats = runDifferential({ seed, count, timeCheck });
  if (process.env.SEED !== undefined) console.log(JSON.stringify(stats, null, 1).replace(/\n\s*/g, ' '));
  // The run must have done real work: most steps ran, and both successes and errors were compared.
  expect(stats.steps).toBeGreaterThan(count * 0.7);
  expect(stats.trees).toBeGreaterThan(1);
  for (const op of ['open', 'write', 'read', 'rename', 'mkdir', 'symlink', 'link']) {
    if (count >= 2000) expect(stats.byOp[op]?.ok ?? 0, `successful ${op} calls`).toBeGreaterThan(0);
  }
}, Math.max(60_000, count * 5));
