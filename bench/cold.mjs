// The cold view, what a user gets: each group of workloads run once in a fresh process per
// host, so module load, start-up and the first, unoptimized pass are all paid; hosts take
// turns group by group and repetition by repetition, and the median of the repetitions
// counts (a user gets the typical run, not the best). Two tables: each row as the cage
// times it (its first pass), and each process's wall time and peak memory.
import * as path from 'node:path';
import { runFresh, medianRun } from './fresh.mjs';
import { nativeBench, timedExe } from './gcc.mjs';
import { benchComponent, benchLindWasm, benchWasm, grateCli, root, tmpfsDir } from './paths.mjs';
import { medianResult, rotate, show, speedup, spread, table } from './table.mjs';
import { GROUPS, groupName, isScale, parse } from './workloads.mjs';

const wasiRunner = path.join(root, 'bench/wasi-run.mjs');
const jcoRunner = path.join(root, 'bench/jco-run.mjs');

/**
 * Each host as a command, given a fresh tmpfs directory (for the hosts on the host's
 * filesystem) and the bench program's arguments. The cold view runs COLD_HOSTS; the
 * components view (components()) the call rows under the component hosts beside our
 * preview1 path and node:wasi. A component host's `prepare` runs once, untimed, before any
 * repetition: it transpiles the component into its cache, as a user's first run does.
 */
const HOSTS = {
  native: { label: 'native (gcc, tmpfs)', short: 'native', argv: (dir, args) => [nativeBench(), dir, ...args] },
  imfs: { label: 'imfs-grate WASI', short: 'WASI', argv: (dir, args) => [process.execPath, grateCli, benchWasm, '/tmp', ...args] },
  lind: { label: 'imfs-grate lind', short: 'lind', argv: (dir, args) => [process.execPath, grateCli, benchLindWasm, '/tmp', ...args] },
  nodewasi: { label: 'node:wasi (tmpfs)', short: 'node:wasi', argv: (dir, args) => [process.execPath, wasiRunner, '--dir', `/bench=${dir}`, benchWasm, '/bench', ...args] },
  component: { label: 'imfs-grate component', short: 'component', prepare: true,
    argv: (dir, args) => [process.execPath, grateCli, benchComponent, '/tmp', ...args] },
  jco: { label: 'jco + preview2-shim (tmpfs)', short: 'jco+shim', prepare: true,
    argv: (dir, args) => [process.execPath, jcoRunner, benchComponent, '--dir', `/bench=${dir}`, '/bench', ...args] },
};
const COLD_HOSTS = ['native', 'imfs', 'lind', 'nodewasi'];
const COMPONENT_HOSTS = ['imfs', 'component', 'jco', 'nodewasi'];
/** The ratio columns: [host, reference] as a speed-up ("a vs b", > 1: a is faster), or with `cost` a's time over b's. */
const RATIOS = [['imfs', 'native'], ['lind', 'native'], ['imfs', 'nodewasi'], ['lind', 'nodewasi']];
const COMPONENT_RATIOS = [['component', 'imfs', 'cost'], ['component', 'jco'], ['component', 'nodewasi'], ['imfs', 'nodewasi']];
/** The call rows of the components view. */
const CALLS = GROUPS.find((g) => g[0] === 'call-pwrite64');

function runOnce(host, args, timeoutMs) {
  const { dir, cleanup } = tmpfsDir(`cold-${host}`);
  try {
    const r = runFresh(HOSTS[host].argv(dir, args), { timeoutMs });
    return r.error ? r : { ...r, rows: parse(r.stdout) };
  } finally {
    cleanup();
  }
}

/** The widest spread of one host's finished runs, over the hosts that have some, and how many runs timed out. */
const noise = (results, runsOf) => {
  const ok = results.filter((r) => !r.error), s = ok.map((r) => spread(runsOf(r)));
  const timeouts = ok.reduce((n, r) => n + r.timeouts, 0);
  return `${s.length ? Math.max(...s).toFixed(2) : '—'}${timeouts ? ` (${timeouts} timed out)` : ''}`;
};

/**
 * Every group once in a fresh process per host, REPS times, hosts taking turns group by group
 * and repetition by repetition; `args` precede each group's workloads. Returns the medians:
 * { med: host → workload → result, proc: host → group → run }.
 */
function measure({ view, names, groups, args, reps, timeoutMs }) {
  if (names.includes('native')) nativeBench(); // built before anything is timed
  timedExe();
  for (const h of names.filter((n) => HOSTS[n].prepare)) {
    const r = runOnce(h, [...args, 'none'], Math.max(timeoutMs, 120_000)); // no workload by that name: transpiles, runs nothing
    if (r.error) console.error(`${view}: preparing ${HOSTS[h].label} failed: ${r.error}`);
  }
  const rows = {}, procs = {}; // host → workload → results of every repetition; host → group → runs
  for (const h of names) { rows[h] = {}; procs[h] = {}; }
  for (let rep = 0; rep < reps; rep++) {
    process.stderr.write(`${view}: repetition ${rep + 1} of ${reps}, ${names.length} hosts a group `);
    groups.forEach((group, g) => {
      for (const h of rotate(names, rep + g)) {
        const r = runOnce(h, [...args, ...group], timeoutMs);
        (procs[h][groupName(group)] ??= []).push(r);
        for (const w of group) (rows[h][w] ??= []).push(r.error ? { error: r.error } : r.rows[w] ?? { error: 'no result' });
      }
      process.stderr.write('.');
    });
    process.stderr.write('\n');
  }
  const mapValues = (o, f) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));
  return { med: mapValues(rows, (byRow) => mapValues(byRow, medianResult)), proc: mapValues(procs, (byGroup) => mapValues(byGroup, medianRun)) };
}

/** Prints the two tables of a view: each row as the cage times it, and each group's process. */
function print({ title, names, groups, ratios, reps, med, proc }) {
  const heads = ratios.map(([a, b, cost]) => (cost ? `${HOSTS[a].short} cost / ${HOSTS[b].short} cost` : `${HOSTS[a].short} vs ${HOSTS[b].short}`));
  const cost = (x, y) => (x?.error || y?.error || x === undefined || y === undefined ? '—' : (x.nsPerOp / y.nsPerOp).toFixed(2));
  const cells = (get) => ratios.map(([a, b, c]) => (c ? cost(get(a), get(b)) : speedup(get(a), get(b))));
  console.log(`\n## ${title}, Node ${process.version}: each row's first pass, every group of rows in a fresh process per host (median of ${reps}; ops/s or MB/s as the cage times the row; "vs": time ratio, > 1 is faster; "cost /": time over time, < 1 is faster; max/min: the widest spread of one host's runs)\n`);
  const t1 = [['workload', ...names.map((h) => HOSTS[h].label), ...heads, 'max/min']];
  for (const w of groups.flat()) {
    t1.push([w, ...names.map((h) => show(med[h][w])), ...cells((h) => med[h][w]), noise(names.map((h) => med[h][w]), (r) => r.runs)]);
  }
  console.log(table(t1));

  console.log(`\n## ${title}, Node ${process.version}: the whole process of each group (median of ${reps}; wall time from spawn to exit, peak RSS)\n`);
  const cell = (p) => (p.error ? (p.error.startsWith('timeout') ? 'timeout' : 'failed') : `${p.wallMs.toFixed(0)} ms, ${p.peakMiB.toFixed(0)} MiB`);
  const wall = (p) => (p.error ? undefined : { nsPerOp: p.wallMs });
  const t2 = [['group', ...names.map((h) => HOSTS[h].label), ...heads, 'max/min']];
  for (const g of groups.map(groupName)) {
    t2.push([g, ...names.map((h) => cell(proc[h][g])), ...cells((h) => wall(proc[h][g])), noise(names.map((h) => proc[h][g]), (r) => r.wallRuns)]);
  }
  console.log(table(t2));
}

/** Runs the cold view, prints its tables, returns its figures. `hosts`: a subset of the host names, or undefined. */
export function cold({ reps, timeoutMs, hosts }) {
  const names = COLD_HOSTS.filter((h) => !hosts || hosts.includes(h));
  const groups = GROUPS.filter((g) => !isScale(g));
  const { med, proc } = measure({ view: 'cold', names, groups, args: ['1', 'x1'], reps, timeoutMs });
  const ratios = RATIOS.filter(([a, b]) => names.includes(a) && names.includes(b));
  print({ title: 'Cold', names, groups, ratios, reps, med, proc });
  return { reps, hosts: Object.fromEntries(names.map((h) => [h, HOSTS[h].label])), rows: med, processes: proc };
}

/**
 * The components view: the call rows (64-byte pwrite/pread) of the benchmark program adapted
 * into a WASI 0.2 component (wasm-fixtures/components/bench.wasm) under imfs-grate and under
 * jco + preview2-shim, beside the same core module under imfs-grate (our preview1 path) and
 * node:wasi, as the cold view runs them (a fresh process per host, first pass), `calls` calls a row.
 */
export function components({ reps, calls, timeoutMs, hosts }) {
  const names = COMPONENT_HOSTS.filter((h) => !hosts || hosts.includes(h));
  const groups = [CALLS];
  const { med, proc } = measure({ view: 'components', names, groups, args: ['1', 'x1', `calls=${calls}`], reps, timeoutMs });
  const ratios = COMPONENT_RATIOS.filter(([a, b]) => names.includes(a) && names.includes(b));
  print({ title: `Components (${calls.toLocaleString('en-US')} calls a row)`, names, groups, ratios, reps, med, proc });
  return { reps, calls, hosts: Object.fromEntries(names.map((h) => [h, HOSTS[h].label])), rows: med, processes: proc };
}
