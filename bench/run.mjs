// make bench: the benchmark program (wasm-fixtures/bench/bench.c) under every host, side by
// side in one run, native C on tmpfs the reference. BENCH_MODE picks the views:
//   cold  what users get (bench/cold.mjs, bench/startup.mjs): every cage in a fresh process,
//         first pass only, medians of BENCH_COLD_REPS; and a hello cage's start-up;
//   warm  the steady state (bench/warm.mjs): best of BENCH_PASSES passes in one process;
//         then the core without wasm (against memfs, memory, scale);
//   all   cold first, then warm (the default);
//   procs only the process rows (bench/procs.mjs), cold then warm: they are part of cold and warm too;
//   components  only the components view (bench/cold.mjs components()): the call rows of the
//         benchmark program adapted into a WASI 0.2 component, under imfs-grate and jco +
//         preview2-shim, beside our preview1 path and node:wasi; part of cold too;
//   startup  only the start-up rows (bench/startup.mjs); part of cold too.
// Every node process is this one's binary (make bench NODE=/path/to/node runs this under it).
// Prints tables and how long each part took; writes bench/results/latest.json.
import * as nodefs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cold, components } from './cold.mjs';
import { procs } from './procs.mjs';
import { root } from './paths.mjs';
import { startup } from './startup.mjs';
import { core, warm } from './warm.mjs';

const env = process.env;
const MODE = env.BENCH_MODE ?? 'all';
const timeoutMs = Number(env.BENCH_TIMEOUT ?? 45) * 1000;
const hosts = env.BENCH_HOSTS?.split(',');
const PARTS = {
  cold: [
    ['cold', () => cold({ reps: Number(env.BENCH_COLD_REPS ?? 5), timeoutMs, hosts })],
    ['startup', () => startup({ reps: Number(env.BENCH_STARTUP_REPS ?? 20), timeoutMs })],
    ['procsCold', () => procs({ view: 'cold', reps: Number(env.BENCH_COLD_REPS ?? 5), timeoutMs, hosts })],
    ['components', () => components({ reps: Number(env.BENCH_COLD_REPS ?? 5), calls: Number(env.BENCH_CALLS ?? 200_000), timeoutMs, hosts })],
  ],
  warm: [
    ['warm', () => warm({ reps: Number(env.BENCH_REPS ?? 1), passes: Number(env.BENCH_PASSES ?? 5), timeoutMs, hosts })],
    ['procsWarm', () => procs({ view: 'warm', reps: Number(env.BENCH_REPS ?? 1), passes: Number(env.BENCH_PASSES ?? 5), timeoutMs, hosts })],
    ['core', () => core(timeoutMs)],
  ],
};
PARTS.procs = [PARTS.cold[2], PARTS.warm[1]];
PARTS.components = [PARTS.cold[3]];
PARTS.startup = [PARTS.cold[1]];
PARTS.all = [...PARTS.cold, ...PARTS.warm];
if (!(MODE in PARTS)) { console.error(`BENCH_MODE must be cold, warm, all, procs, components or startup, not '${MODE}'`); process.exit(2); }

const machine = { cpus: os.cpus().length, model: os.cpus()[0]?.model, memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, nodePath: process.execPath, kernel: os.release() };
const about = `Node ${machine.node} (${machine.nodePath}); ${machine.cpus} cores (${machine.model}), ${machine.memGiB} GiB, Linux ${machine.kernel}`;
console.log(`# make bench, BENCH_MODE=${MODE}: ${about}`);

const out = { date: new Date().toISOString(), machine, mode: MODE, seconds: {} };
for (const [name, run] of PARTS[MODE]) {
  const t = performance.now();
  out[name] = run();
  out.seconds[name] = Math.round((performance.now() - t) / 1000);
}
nodefs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
nodefs.writeFileSync(path.join(root, 'bench/results/latest.json'), JSON.stringify(out, null, 2));
console.log(`\n${about}\ntime per part: ${Object.entries(out.seconds).map(([k, s]) => `${k} ${s} s`).join(', ')}; results in bench/results/latest.json`);
