/**
 * The credentialed differential run (runDifferential with creds), in a node process of its
 * own started by test/differential.test.ts: process.seteuid/setegid/setgroups exist only in
 * a main thread (vitest runs test files in worker threads), and ids switched here can never
 * be left behind in the test runner, whatever happens to this process.
 * Argument: JSON { seed, count, timeCheck }. Prints one JSON line, { stats } or { error }.
 */
import { runDifferential, type RunStats } from './harness.js';

const options = JSON.parse(process.argv[process.argv.length - 1]) as { seed: number; count: number; timeCheck?: number };
let out: { stats: RunStats } | { error: string };
try {
  if (process.geteuid?.() !== 0 || typeof process.seteuid !== 'function') {
    throw new Error('the credentialed differential run must be a root process\'s main thread (it switches the effective ids)');
  }
  out = { stats: runDifferential({ ...options, creds: true }) };
} catch (e) {
  out = { error: e instanceof Error ? e.stack ?? e.message : String(e) };
}
process.stdout.write(`${JSON.stringify(out)}\n`);
