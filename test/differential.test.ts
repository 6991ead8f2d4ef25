/**
 * Differential test: random operation sequences on the IMFS and on a real tmpfs directory
 * must give the same results, errnos and trees (see test/differential/harness.ts).
 * `make test` runs a fixed seed and a modest count; a long run:
 *   SEED=7 COUNT=200000 npx vitest run test/differential.test.ts -t root
 * TIMECHECK=0.5 makes half the steps timestamp-checked (default 0.04).
 *
 * The second test runs the same kind of sequences with credentials switched: each step
 * runs as root or one of three users (with umask steps, chown to their ids, set-id and
 * sticky modes), comparing EACCES/EPERM decisions, ownership, set-id bits and times as
 * well. node can switch ids only in a main thread, so the whole run is made by a child
 * node process (test/differential/creds-main.ts, bundled by esbuild) that switches its
 * effective ids around each host call; the test runner itself never changes ids. It needs
 * root (CI runs as root) and fails otherwise. A long run:
 *   SEED=7 COUNT=200000 npx vitest run test/differential.test.ts -t credentials
 */
import { test, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { runDifferential, type RunStats } from './differential/harness.js';

const seed = process.env.SEED !== undefined ? Number(process.env.SEED) : 1;
const count = process.env.COUNT !== undefined ? Number(process.env.COUNT) : 15000;
const timeCheck = process.env.TIMECHECK !== undefined ? Number(process.env.TIMECHECK) : undefined;
const timeout = Math.max(60_000, count * 5);

/** The run must have done real work: most steps ran, and both successes and errors were compared. */
function checkStats(stats: RunStats): void {
  if (process.env.SEED !== undefined) console.log(JSON.stringify(stats, null, 1).replace(/\n\s*/g, ' '));
  expect(stats.steps).toBeGreaterThan(count * 0.7);
  expect(stats.trees).toBeGreaterThan(1);
  for (const op of ['open', 'write', 'read', 'rename', 'mkdir', 'symlink', 'link']) {
    if (count >= 2000) expect(stats.byOp[op]?.ok ?? 0, `successful ${op} calls`).toBeGreaterThan(0);
  }
}

test(`IMFS and Linux tmpfs agree on ${count} random operations as root (seed ${seed})`, () => {
  checkStats(runDifferential({ seed, count, timeCheck }));
}, timeout);

test(`IMFS and Linux tmpfs agree on ${count} random operations under switched credentials (seed ${seed})`, () => {
  if (process.getuid?.() !== 0) {
    throw new Error('this test switches the host process\'s effective uid/gid and needs to run as root (as CI does)');
  }
  const driver = buildSync({
    entryPoints: [fileURLToPath(new URL('./differential/creds-main.ts', import.meta.url))],
    bundle: true, platform: 'node', format: 'esm', target: 'node20', write: false, logLevel: 'silent',
  }).outputFiles[0].text;
  const child = spawnSync(process.execPath, ['--input-type=module', '-', JSON.stringify({ seed, count, timeCheck })], {
    input: driver, encoding: 'utf8', maxBuffer: 64 << 20, timeout,
  });
  const last = child.stdout.trim().split('\n').pop() ?? '';
  if (!last.startsWith('{')) {
    throw new Error(`the credentialed run died (status ${child.status}, signal ${child.signal}): ${child.stderr}${child.stdout}`);
  }
  const out = JSON.parse(last) as { stats: RunStats } | { error: string };
  if ('error' in out) throw new Error(out.error);
  checkStats(out.stats);
  // Decisions as other users were compared, refusals included: EPERM from chmod/chown by
  // non-owners, explicit times by non-owners, protected hardlinks and sticky directories.
  for (const u of ['1000:1000', '1001:1000', '1002:1002']) {
    expect(out.stats.byUser[u]?.ok ?? 0, `successful steps as ${u}`).toBeGreaterThan(0);
    if (count >= 2000) expect(out.stats.byUser[u]?.EACCES ?? 0, `EACCES as ${u}`).toBeGreaterThan(0);
  }
  for (const op of ['chmod', 'chown', 'utimes', 'link', 'unlink']) {
    if (count >= 10000) expect(out.stats.byOp[op]?.EPERM ?? 0, `EPERM from ${op}`).toBeGreaterThan(0);
  }
}, timeout);
