// The process rows: wasm-fixtures/processes/procbench.c (fork, execve, a pipe between two
// processes, a one-byte ping-pong) and threadbench.c (a syscall from a second thread, mutex
// and futex handoffs, thread creation); each times its rows itself, its own start-up excluded, as
// the imfs-grate command runs it (a lind cage, asyncified; it forks into worker threads) and
// built natively with gcc (-pthread for threadbench), the reference, in the same run. Both
// are fresh processes:
//   cold  each group once (one pass) in a fresh process per host, median of the repetitions;
//   warm  each group PASSES times in one process, the best pass counting (`first` kept).
// Each program runs as /procs/<name> in the IMFS (mode 0755, so that procbench can exec itself).
import * as nodefs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runFresh, medianRun } from './fresh.mjs';
import { nativeProcbench, nativeThreadbench, timedExe } from './gcc.mjs';
import { grateCli, procbenchWasm, threadbenchWasm } from './paths.mjs';
import { medianResult, ratio, rotate, show, speedup, spread, table } from './table.mjs';
import { parse } from './workloads.mjs';

/**
 * Rows that run together (one process), with their count (-n): forks, execs, 64 KiB writes,
 * round trips; then the thread rows (threadbench), one process each.
 */
export const PROC_GROUPS = [
  { program: 'procbench', rows: ['fork-first', 'fork'], args: ['fork-first', 'fork'], n: 30 },
  { program: 'procbench', rows: ['exec'], args: ['exec'], n: 30 },
  { program: 'procbench', rows: ['pipe-64k'], args: ['pipe'], n: 2000 },
  { program: 'procbench', rows: ['pingpong'], args: ['pingpong'], n: 2000 },
  { program: 'threadbench', rows: ['call2'], args: ['call2'], n: 2000 },
  { program: 'threadbench', rows: ['mutex-uncontended'], args: ['mutex-uncontended'], n: 100000 },
  { program: 'threadbench', rows: ['mutex-handoff'], args: ['mutex-handoff'], n: 2000 },
  { program: 'threadbench', rows: ['futex-wake'], args: ['futex-wake'], n: 2000 },
  { program: 'threadbench', rows: ['spawn'], args: ['spawn'], n: 20 },
];

const PROGRAMS = {
  procbench: { wasm: procbenchWasm, native: nativeProcbench, self: true },
  threadbench: { wasm: threadbenchWasm, native: nativeThreadbench, self: false },
};

/** The program's .wasm copied once, mode 0755 (a preload keeps the host file's mode: exec needs the x bits). */
const staged = {};
function stagedCage(program) {
  if (staged[program]) return staged[program];
  const dir = nodefs.mkdtempSync(path.join(os.tmpdir(), 'imfs-bench-procs-'));
  process.on('exit', () => nodefs.rmSync(dir, { recursive: true, force: true }));
  staged[program] = path.join(dir, program);
  nodefs.copyFileSync(PROGRAMS[program].wasm, staged[program]);
  nodefs.chmodSync(staged[program], 0o755);
  return staged[program];
}

/** procbench execs itself (-x PATH); threadbench takes no such option. */
const HOSTS = {
  native: {
    label: 'native (gcc)', short: 'native',
    argv: (program, args) => { const exe = PROGRAMS[program].native(); return [exe, ...(PROGRAMS[program].self ? ['-x', exe] : []), ...args]; },
  },
  lind: {
    label: 'imfs-grate lind', short: 'lind',
    argv: (program, args) => {
      const guest = `/procs/${program}`;
      return [process.execPath, grateCli, '--preload', `${guest}=${stagedCage(program)}`, '--cwd', '/procs', stagedCage(program), ...(PROGRAMS[program].self ? ['-x', guest] : []), ...args];
    },
  },
};

function runGroup(host, group, passes, timeoutMs) {
  const r = runFresh(HOSTS[host].argv(group.program, ['-n', String(group.n), '-p', String(passes), ...group.args]), { timeoutMs });
  return r.error ? r : { ...r, rows: parse(r.stdout) };
}

/**
 * Runs the process rows (cold: one pass, median of `reps` fresh processes; warm: `passes`
 * passes in one process, the best of `reps` such processes), prints the table, returns its figures.
 */
export function procs({ view, reps, passes, timeoutMs, hosts }) {
  const names = Object.keys(HOSTS).filter((h) => !hosts || hosts.includes(h));
  if (names.includes('native')) { nativeProcbench(); nativeThreadbench(); } // built before anything is timed
  timedExe();
  const p = view === 'cold' ? 1 : passes;
  const results = Object.fromEntries(names.map((h) => [h, {}])); // host → row → results of every repetition
  const walls = Object.fromEntries(names.map((h) => [h, {}])); // host → group → runs
  process.stderr.write(`procs (${view}): ${reps} repetition${reps > 1 ? 's' : ''} of ${PROC_GROUPS.length} groups `);
  for (let rep = 0; rep < reps; rep++) {
    PROC_GROUPS.forEach((group, g) => {
      for (const h of rotate(names, rep + g)) {
        const r = runGroup(h, group, p, timeoutMs);
        (walls[h][group.rows[0]] ??= []).push(r);
        for (const w of group.rows) (results[h][w] ??= []).push(r.error ? { error: r.error } : r.rows[w] ?? { error: 'no result' });
      }
    });
    process.stderr.write('.');
  }
  process.stderr.write('\n');

  // Cold: the median of the fresh processes. Warm: the best pass of the best process.
  const best = (vs) => vs.filter((v) => !v.error).reduce((a, v) => (a === undefined || v.nsPerOp < a.nsPerOp ? v : a), undefined) ?? vs[0];
  const fig = Object.fromEntries(names.map((h) => [h, Object.fromEntries(Object.entries(results[h]).map(([w, vs]) => [w, view === 'cold' ? medianResult(vs) : best(vs)]))]));
  const hasLind = names.includes('lind') && names.includes('native');
  const rowsOut = PROC_GROUPS.flatMap((g) => g.rows);
  const us = (v) => (v && !v.error ? (v.nsPerOp / 1000).toFixed(v.nsPerOp < 1e6 ? 1 : 0) : '—');

  if (view === 'cold') {
    console.log(`\n## Processes, cold, Node ${process.version}: procbench's rows, one pass in a fresh process per host (median of ${reps}; ops/s or MB/s as the program times the row, its start-up excluded; "vs": time ratio, > 1 is faster; max/min: the widest spread of one host's runs)\n`);
  } else {
    console.log(`\n## Processes, warm, Node ${process.version}: procbench's rows, best of ${passes} passes in one process${reps > 1 ? ` (best of ${reps} processes)` : ''} (ops/s or MB/s; "vs native": time ratio, > 1 is faster; "first": the first pass, µs/op)\n`);
  }
  const head = ['row', 'n', ...names.flatMap((h) => [HOSTS[h].label, `${HOSTS[h].short} µs/op`]), ...(hasLind ? ['lind vs native'] : []), ...(view === 'cold' ? ['max/min'] : names.map((h) => `${HOSTS[h].short} first µs/op`))];
  const t = [head];
  for (const w of rowsOut) {
    const n = w === 'fork-first' ? 1 : PROC_GROUPS.find((g) => g.rows.includes(w)).n;
    const cells = names.flatMap((h) => [show(fig[h][w]), us(fig[h][w])]);
    const tail = view === 'cold'
      ? [(() => { const s = names.map((h) => fig[h][w]).filter((v) => v && !v.error && v.runs.length > 0).map((v) => spread(v.runs)); return s.length ? Math.max(...s).toFixed(2) : '—'; })()]
      : names.map((h) => { const v = fig[h][w]; return v && !v.error ? (v.first / 1000).toFixed(1) : '—'; });
    t.push([w, n, ...cells, ...(hasLind ? [speedup(fig.lind[w], fig.native[w])] : []), ...tail]);
  }
  console.log(table(t));

  if (view === 'cold') {
    const proc = Object.fromEntries(names.map((h) => [h, Object.fromEntries(Object.entries(walls[h]).map(([g, runs]) => [g, medianRun(runs)]))]));
    console.log(`\n## Processes, cold: the whole process of each group (median of ${reps}; wall time from spawn to exit, peak RSS as wait4 reports it)\n`);
    const cell = (r) => (r.error ? (r.error.startsWith('timeout') ? 'timeout' : 'failed') : `${r.wallMs.toFixed(0)} ms, ${r.peakMiB.toFixed(0)} MiB`);
    const t2 = [['group', ...names.map((h) => HOSTS[h].label), ...(hasLind ? ['lind vs native'] : [])]];
    for (const g of PROC_GROUPS) {
      const k = g.rows[0];
      t2.push([`${g.args.join(' ')} -n ${g.n}`, ...names.map((h) => cell(proc[h][k])), ...(hasLind ? [ratio(proc.lind[k].wallMs, proc.native[k].wallMs)] : [])]);
    }
    console.log(table(t2));
    return { view, reps, hosts: Object.fromEntries(names.map((h) => [h, HOSTS[h].label])), groups: PROC_GROUPS, rows: fig, processes: proc };
  }
  return { view, reps, passes, hosts: Object.fromEntries(names.map((h) => [h, HOSTS[h].label])), groups: PROC_GROUPS, rows: fig };
}
