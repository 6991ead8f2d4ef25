// The cold view, what a user gets: each group of workloads run once in a fresh process per
// host, so module load, start-up and the first, unoptimized pass are all paid; hosts take
// turns group by group and repetition by repetition, and the median of the repetitions
// counts (a user gets the typical run, not the best). Two tables: each row as the cage
// times it (its first pass), and each process's wall time and peak memory.
import * as path from 'node:path';
import { runFresh, medianRun } from './fresh.mjs';
import { nativeBench, timedExe } from './gcc.mjs';
import { benchLindWasm, benchWasm, grateCli, root, tmpfsDir } from './paths.mjs';
import { medianResult, ratio, rotate, show, speedup, spread, table } from './table.mjs';
import { GROUPS, groupName, isScale, parse } from './workloads.mjs';

const wasiRunner = path.join(root, 'bench/wasi-run.mjs');

/** Each host as a command, given a fresh tmpfs directory (for the hosts on the host's filesystem) and the bench program's arguments. */
const HOSTS = {
  native: { label: 'native (gcc, tmpfs)', short: 'native', argv: (dir, args) => [nativeBench(), dir, ...args] },
  imfs: { label: 'imfs-grate WASI', short: 'WASI', argv: (dir, args) => [process.execPath, grateCli, benchWasm, '/tmp', ...args] },
  lind: { label: 'imfs-grate lind', short: 'lind', argv: (dir, args) => [process.execPath, grateCli, benchLindWasm, '/tmp', ...args] },
  nodewasi: { label: 'node:wasi (tmpfs)', short: 'node:wasi', argv: (dir, args) => [process.execPath, wasiRunner, '--dir', `/bench=${dir}`, benchWasm, '/bench', ...args] },
};
/** The ratio columns: [host, reference]. */
const RATIOS = [['imfs', 'native'], ['lind', 'native'], ['imfs', 'nodewasi'], ['lind', 'nodewasi']];

function runOnce(host, group, timeoutMs) {
  const { dir, cleanup } = tmpfsDir(`cold-${host}`);
  try {
    const r = runFresh(HOSTS[host].argv(dir, ['1', 'x1', ...group]), { timeoutMs });
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

/** Runs the cold view, prints its tables, returns its figures. `hosts`: a subset of the host names, or undefined. */
export function cold({ reps, timeoutMs, hosts }) {
  const names = Object.keys(HOSTS).filter((h) => !hosts || hosts.includes(h));
  const groups = GROUPS.filter((g) => !isScale(g));
  if (names.includes('native')) nativeBench(); // built before anything is timed
  timedExe();
  const rows = {}, procs = {}; // host → workload → results of every repetition; host → group → runs
  for (const h of names) { rows[h] = {}; procs[h] = {}; }
  for (let rep = 0; rep < reps; rep++) {
    process.stderr.write(`cold: repetition ${rep + 1} of ${reps}, ${names.length} hosts a group `);
    groups.forEach((group, g) => {
      for (const h of rotate(names, rep + g)) {
        const r = runOnce(h, group, timeoutMs);
        (procs[h][groupName(group)] ??= []).push(r);
        for (const w of group) (rows[h][w] ??= []).push(r.error ? { error: r.error } : r.rows[w] ?? { error: 'no result' });
      }
      process.stderr.write('.');
    });
    process.stderr.write('\n');
  }

  const mapValues = (o, f) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)]));
  const med = mapValues(rows, (byRow) => mapValues(byRow, medianResult));
  const proc = mapValues(procs, (byGroup) => mapValues(byGroup, medianRun));
  const ratios = RATIOS.filter(([a, b]) => names.includes(a) && names.includes(b));
  const ratioHeads = ratios.map(([a, b]) => `${HOSTS[a].short} vs ${HOSTS[b].short}`);

  console.log(`\n## Cold, Node ${process.version}: each row's first pass, every group of rows in a fresh process per host (median of ${reps}; ops/s or MB/s as the cage times the row; "vs": time ratio, > 1 is faster; max/min: the widest spread of one host's runs)\n`);
  const t1 = [['workload', ...names.map((h) => HOSTS[h].label), ...ratioHeads, 'max/min']];
  for (const w of groups.flat()) {
    t1.push([w, ...names.map((h) => show(med[h][w])), ...ratios.map(([a, b]) => speedup(med[a][w], med[b][w])), noise(names.map((h) => med[h][w]), (r) => r.runs)]);
  }
  console.log(table(t1));

  console.log(`\n## Cold, Node ${process.version}: the whole process of each group (median of ${reps}; wall time from spawn to exit, peak RSS)\n`);
  const cell = (p) => (p.error ? (p.error.startsWith('timeout') ? 'timeout' : 'failed') : `${p.wallMs.toFixed(0)} ms, ${p.peakMiB.toFixed(0)} MiB`);
  const t2 = [['group', ...names.map((h) => HOSTS[h].label), ...ratioHeads, 'max/min']];
  for (const g of groups.map(groupName)) {
    t2.push([g, ...names.map((h) => cell(proc[h][g])), ...ratios.map(([a, b]) => ratio(proc[a][g].wallMs, proc[b][g].wallMs)), noise(names.map((h) => proc[h][g]), (r) => r.wallRuns)]);
  }
  console.log(table(t2));
  return { reps, hosts: Object.fromEntries(names.map((h) => [h, HOSTS[h].label])), rows: med, processes: proc };
}
