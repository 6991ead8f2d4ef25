// One command as a fresh process, as a user starts it: its stdout, whole-process wall time and
// peak resident memory, both measured from outside by bench/timed.c (spawn to reap; the
// child's ru_maxrss from wait4), so the process measured runs nothing of the harness.
import { spawnSync } from 'node:child_process';
import { timedExe } from './gcc.mjs';
import { median, medianOfRuns, timedOut } from './table.mjs';

/** argv[0] is the program. Returns { stdout, wallMs, peakMiB } or { error }. */
export function runFresh(argv, { timeoutMs, env } = {}) {
  const r = spawnSync(timedExe(), argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe', 'pipe'], timeout: timeoutMs, maxBuffer: 1 << 24, env });
  if (r.error?.code === 'ETIMEDOUT') return { error: `timeout (>${timeoutMs / 1000} s)` };
  const m = /^(\d+) (\d+) (\d+)$/m.exec(r.output?.[3] ?? '');
  if (m === null) return { error: `${argv[0]}: ${r.error?.message ?? r.stderr.trim()}` };
  if (m[3] !== '0') return { error: (r.stderr || r.stdout).trim().split('\n').at(-1) || `exit status ${m[3]}` };
  return { stdout: r.stdout, wallMs: Number(m[1]) / 1e6, peakMiB: Number(m[2]) / 1024 };
}

/** Repeated runs of one command as one: median wall time and peak memory (with every finished run's), or a failure. */
export function medianRun(runs) {
  const bad = runs.find((r) => r.error !== undefined && !timedOut(r));
  if (bad !== undefined) return { error: bad.error };
  const done = runs.filter((r) => !timedOut(r));
  const wallMs = medianOfRuns(runs.map((r) => r.wallMs));
  if (wallMs === undefined) return { error: runs.find(timedOut).error };
  const wall = done.map((r) => r.wallMs), peak = done.map((r) => r.peakMiB);
  return { wallMs, peakMiB: median(peak), wallRuns: wall, peakRuns: peak, timeouts: runs.length - done.length };
}
