// The startup row: a cage that does next to nothing (wasm-fixtures/hello.wasm) as a fresh
// process, under imfs-grate (with its code cache, as every run after a user's first; and
// without, as that first run) and under node:wasi, with `node -e 0` as the floor:
// whole-process wall time and peak RSS, hosts taking turns, the median of the repetitions.
import * as path from 'node:path';
import { runFresh, medianRun } from './fresh.mjs';
import { timedExe } from './gcc.mjs';
import { grateCli, helloWasm, root } from './paths.mjs';
import { ratio, rotate, spread, table } from './table.mjs';

const HELLO = 'hello from a WASI cage\n';
const HOSTS = {
  imfs: { label: 'imfs-grate hello.wasm', argv: [process.execPath, grateCli, helloWasm], stdout: HELLO },
  // A user's very first run: the command's code compiled afresh, not taken from its code cache.
  imfsFirst: { label: 'imfs-grate --no-cache hello.wasm', argv: [process.execPath, grateCli, '--no-cache', helloWasm], stdout: HELLO },
  nodewasi: { label: 'node:wasi hello.wasm', argv: [process.execPath, path.join(root, 'bench/wasi-run.mjs'), helloWasm], stdout: HELLO },
  floor: { label: 'node -e 0', argv: [process.execPath, '-e', '0'], stdout: '' },
};

/** One run, refused unless it printed what the command prints: a broken run must not pass for a fast one. */
function runOnce(h, timeoutMs) {
  const r = runFresh(HOSTS[h].argv, { timeoutMs });
  return r.error || r.stdout === HOSTS[h].stdout ? r : { error: `${HOSTS[h].label} printed ${JSON.stringify(r.stdout)}` };
}

export function startup({ reps, timeoutMs }) {
  const names = Object.keys(HOSTS);
  timedExe();
  const runs = Object.fromEntries(names.map((h) => [h, []]));
  process.stderr.write(`startup: ${reps} runs of each `);
  for (let rep = 0; rep < reps; rep++) {
    for (const h of rotate(names, rep)) runs[h].push(runOnce(h, timeoutMs));
    if (rep % 5 === 4) process.stderr.write('.');
  }
  process.stderr.write('\n');
  const m = Object.fromEntries(names.map((h) => [h, medianRun(runs[h])]));

  console.log(`\n## Startup, Node ${process.version}: a hello cage, whole process (median of ${reps}; "vs node:wasi": its figure over this one, > 1 is faster or smaller; max/min: spread of the wall times)\n`);
  const t = [['command', 'wall ms', 'peak RSS MiB', 'wall vs node:wasi', 'RSS vs node:wasi', 'ms over node -e 0', 'max/min']];
  for (const h of names) {
    const r = m[h];
    if (r.error) { t.push([HOSTS[h].label, r.error, '', '', '', '', '']); continue; }
    t.push([HOSTS[h].label, r.wallMs.toFixed(1), r.peakMiB.toFixed(1), ratio(r.wallMs, m.nodewasi.wallMs), ratio(r.peakMiB, m.nodewasi.peakMiB),
      (r.wallMs - m.floor.wallMs).toFixed(1), spread(r.wallRuns).toFixed(2)]);
  }
  console.log(table(t));
  return { reps, commands: Object.fromEntries(names.map((h) => [h, HOSTS[h].label])), results: m };
}
