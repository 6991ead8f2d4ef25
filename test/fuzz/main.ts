/**
 * `make fuzz`: runs a fuzz campaign (test/fuzz/fuzz.ts) in worker threads watched for hangs.
 *
 * Environment: SEED (default: random, printed), COUNT (calls in all, default 10,000,000),
 * FIRST_EPOCH (default 0), JOBS (workers, default 1), REPLAY=<file.json> (replay a saved
 * reproducer instead), SHOW=epoch:index (print that generated call), HANG_MS (a call that has not returned after this long is a hang,
 * default 10000).
 *
 * Every epoch is derived from (SEED, epoch number), so JOBS does not change what runs.
 * On a failure the worker minimizes the failing epoch and the reproducer is printed (and
 * saved as JSON for REPLAY); on a hang the supervisor recovers the calls and minimizes
 * them with each replay in a fresh worker under a time limit. Exit status 1 on a failure.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import * as nodefs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  EPOCH_CALLS, callsFromJson, callsToJson, ddmin, failsLike, makeConfig, minimize, newStats, replay,
  report, runEpoch, formatCall, type Call, type Config, type Failure, type Stats,
} from './fuzz.js';

type Job =
  | { mode: 'campaign'; seed: number; count: number; firstEpoch: number; stride: number; offset: number; heartbeat: SharedArrayBuffer }
  | { mode: 'regen'; seed: number; epoch: number; index: number }
  | { mode: 'replay'; json: string };

type Message =
  | { type: 'progress'; calls: number }
  | { type: 'failure'; epoch: number; failure: Failure }
  | { type: 'report'; text: string; json: string }
  | { type: 'done'; calls: number; stats: [string, { calls: number; ok: number; results: Record<string, number> }][]; slowest: { ms: number; line: string } | null }
  | { type: 'calls'; json: string }
  | { type: 'replayed'; signature: string | null }
  | { type: 'note'; text: string };

const HB_EPOCH = 0, HB_INDEX = 1, HB_TICKS = 2;

// ---- worker ----------------------------------------------------------------------------------

function worker(job: Job): void {
  const post = (m: Message) => parentPort!.postMessage(m);
  if (job.mode === 'regen') {
    const r = runEpoch(job.seed, job.epoch, job.index + 1, { stopBefore: job.index });
    post({ type: 'calls', json: callsToJson(makeConfig(job.seed, job.epoch), r.log) });
    return;
  }
  if (job.mode === 'replay') {
    const { config, calls } = callsFromJson(job.json);
    post({ type: 'replayed', signature: replay(config, calls).failure?.signature ?? null });
    return;
  }
  const hb = new Int32Array(job.heartbeat);
  const stats: Stats = newStats();
  let done = 0;
  let slowest: { ms: number; line: string } | null = null;
  const epochs = Math.ceil(job.count / EPOCH_CALLS);
  for (let e = job.offset; e < epochs; e += job.stride) {
    const epoch = job.firstEpoch + e;
    const n = Math.min(EPOCH_CALLS, job.count - e * EPOCH_CALLS);
    Atomics.store(hb, HB_EPOCH, epoch);
    const r = runEpoch(job.seed, epoch, n, { stats, onCall: (i) => { Atomics.store(hb, HB_INDEX, i); Atomics.add(hb, HB_TICKS, 1); } });
    done += r.calls;
    if (r.slowest !== null && (slowest === null || r.slowest.ms > slowest.ms)) slowest = { ms: r.slowest.ms, line: formatCall(r.slowest.call) };
    post({ type: 'progress', calls: r.calls });
    if (r.failure !== null) {
      const config = makeConfig(job.seed, epoch);
      // A slow call that is not slow again when replayed was the host's doing (a GC pause, a busy machine).
      if (r.failure.kind === 'slow' && replay(config, r.log.slice(0, r.failure.index + 1)).failure?.kind !== 'slow') {
        post({ type: 'note', text: `epoch ${epoch} call ${r.failure.index}: ${r.failure.message}, but not when replayed; going on` });
        continue;
      }
      post({ type: 'failure', epoch, failure: r.failure });
      // The heartbeat goes on during the replays (a replay that hangs is still caught).
      const fails = failsLike(config, r.failure.signature, () => Atomics.add(hb, HB_TICKS, 1));
      const small = minimize(r.log.slice(0, r.failure.index + 1), fails);
      const last = replay(config, small).failure ?? r.failure;
      post({ type: 'report', text: report(config, small, last), json: callsToJson(config, small) });
      return;
    }
  }
  post({ type: 'done', calls: done, stats: [...stats.byName], slowest });
}

// ---- supervisor ---------------------------------------------------------------------------------

const here = fileURLToPath(import.meta.url);

function spawn(job: Job): Worker {
  return new Worker(here, { workerData: job });
}

/** Runs a one-shot job in a worker: its first message, or null if it takes longer than ms. */
function oneShot(job: Job, ms: number): Promise<Message | null> {
  return new Promise((resolve) => {
    const w = spawn(job);
    const timer = setTimeout(() => { void w.terminate(); resolve(null); }, ms);
    w.once('message', (m: Message) => { clearTimeout(timer); void w.terminate(); resolve(m); });
    w.once('error', (e) => { clearTimeout(timer); resolve({ type: 'replayed', signature: `worker error: ${e.message}` }); });
  });
}

function save(json: string, seed: number, epoch: number): string {
  const file = path.join(os.tmpdir(), `imfs-fuzz-${seed}-${epoch}.json`);
  nodefs.writeFileSync(file, json);
  return file;
}

/** A hang: recover the calls up to the one that never returned, then minimize with timed replays. */
async function minimizeHang(seed: number, epoch: number, index: number, hangMs: number): Promise<void> {
  console.log(`fuzz: HANG seed=${seed} epoch=${epoch} call ${index}: no return after ${hangMs} ms; recovering and minimizing the calls`);
  const got = await oneShot({ mode: 'regen', seed, epoch, index }, 10 * 60_000);
  if (got === null || got.type !== 'calls') { console.log('fuzz: could not recover the calls'); return; }
  const { config, calls } = callsFromJson(got.json);
  const stillHangs = async (candidate: Call[]) => (await oneShot({ mode: 'replay', json: callsToJson(config, candidate) }, hangMs)) === null;
  // The last call is the one that never returned: keep it, and shorten what comes before.
  const last = calls[calls.length - 1];
  let small = [last];
  if (!(await stillHangs(small))) {
    const it = ddmin(calls.slice(0, -1), { tries: 400, ms: 30 * 60_000 });
    let step = it.next();
    while (!step.done) step = it.next(await stillHangs([...step.value, last]));
    small = [...step.value, last];
  }
  const failure: Failure = { kind: 'hang', index: small.length - 1, message: `call ${small.length - 1} never returned (hang)`, signature: 'hang' };
  // Print without running the last call (it hangs).
  const shown = report(config, small.slice(0, -1), failure).split('\n');
  shown.splice(shown.length - 1, 0, `  ${String(small.length - 1).padStart(3)}. ${formatCall(small[small.length - 1])}  → (never returns)`);
  console.log(shown.join('\n').replace(/\d+ call\(s\)/, `${small.length} call(s)`));
  console.log(`  saved: ${save(callsToJson(config, small), seed, epoch)} (REPLAY=<file> make fuzz)`);
}

async function supervise(): Promise<number> {
  const env = process.env;
  if (env.REPLAY) {
    const { config, calls } = callsFromJson(nodefs.readFileSync(env.REPLAY, 'utf8'));
    const r = replay(config, calls);
    console.log(r.failure ? report(config, calls, r.failure) : `fuzz: replay of ${calls.length} calls: no failure`);
    return r.failure ? 1 : 0;
  }
  const num = (v: string | undefined, dflt: number) => (v ? Number(v) : dflt);
  const seed = env.SEED ? Number(env.SEED) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
  if (env.SHOW) {
    // SHOW=epoch:index prints that call of the epoch (and the ones before it, with SHOW_ALL).
    const [epoch, index] = env.SHOW.split(':').map(Number);
    const r = runEpoch(seed, epoch, index + 1, { stopBefore: index });
    const from = env.SHOW_ALL ? 0 : Math.max(0, index - 5);
    for (let i = from; i <= index; i++) console.log(`${String(i).padStart(4)}. ${formatCall(r.log[i])}`);
    return 0;
  }
  const count = num(env.COUNT, 10_000_000);
  const firstEpoch = num(env.FIRST_EPOCH, 0);
  const jobs = Math.max(1, num(env.JOBS, 1));
  const hangMs = num(env.HANG_MS, 10_000);
  console.log(`fuzz: SEED=${seed} COUNT=${count} FIRST_EPOCH=${firstEpoch} JOBS=${jobs} (both ABIs, ${EPOCH_CALLS} calls per epoch)`);
  const t0 = performance.now();
  let calls = 0;
  let failed = false;
  const stats = new Map<string, { calls: number; ok: number; results: Record<string, number> }>();
  let slowest: { ms: number; line: string } | null = null;
  const runs = Array.from({ length: jobs }, (_, k) => new Promise<void>((resolve) => {
    const heartbeat = new SharedArrayBuffer(12);
    const hb = new Int32Array(heartbeat);
    const w = spawn({ mode: 'campaign', seed, count, firstEpoch, stride: jobs, offset: k, heartbeat });
    let lastTicks = -1, still = 0;
    let finished = false, hung = false;
    const finish = () => { if (!finished) { finished = true; clearInterval(watch); resolve(); } };
    const watch = setInterval(() => {
      const ticks = Atomics.load(hb, HB_TICKS);
      still = ticks === lastTicks ? still + 500 : 0;
      lastTicks = ticks;
      if (still >= hangMs) {
        failed = hung = true;
        const epoch = Atomics.load(hb, HB_EPOCH), index = Atomics.load(hb, HB_INDEX);
        clearInterval(watch);
        void w.terminate().then(() => minimizeHang(seed, epoch, index, hangMs)).then(finish);
      }
    }, 500);
    w.on('message', (m: Message) => {
      if (m.type === 'progress') calls += m.calls;
      else if (m.type === 'note') console.log(`fuzz: note: ${m.text}`);
      else if (m.type === 'failure') {
        failed = true;
        console.log(`fuzz: FAILURE in seed=${seed} epoch=${m.epoch} call ${m.failure.index}: ${m.failure.message.split('\n')[0]}; minimizing…`);
      } else if (m.type === 'report') {
        const file = save(m.json, seed, Number(/epoch=(\d+)/.exec(m.text)?.[1] ?? 0));
        console.log(m.text);
        console.log(`  saved: ${file} (REPLAY=<file> make fuzz)`);
        finish();
      } else if (m.type === 'done') {
        for (const [name, s] of m.stats) {
          const t = stats.get(name) ?? { calls: 0, ok: 0, results: {} };
          t.calls += s.calls; t.ok += s.ok;
          for (const [k, v] of Object.entries(s.results)) t.results[k] = (t.results[k] ?? 0) + v;
          stats.set(name, t);
        }
        if (m.slowest !== null && (slowest === null || m.slowest.ms > slowest.ms)) slowest = m.slowest;
        finish();
      }
    });
    w.on('error', (e) => { failed = true; console.log(`fuzz: worker died: ${e.stack ?? e}`); finish(); });
    w.on('exit', () => { if (!hung) finish(); });
  }));
  const progress = setInterval(() => {
    const s = (performance.now() - t0) / 1000;
    console.log(`fuzz: ${calls} calls, ${Math.round(calls / s)} calls/s`);
  }, 30_000);
  await Promise.all(runs);
  clearInterval(progress);
  const secs = (performance.now() - t0) / 1000;
  console.log(`fuzz: SEED=${seed}: ${calls} calls in ${secs.toFixed(1)} s (${Math.round(calls / secs)} calls/s), ${failed ? 'FAILED' : 'no failure'}`);
  if (!failed) {
    if (slowest !== null) console.log(`fuzz: slowest call ${(slowest as { ms: number }).ms.toFixed(1)} ms: ${(slowest as { line: string }).line}`);
    if (env.FUZZ_STATS) {
      for (const [name, s] of [...stats].sort((a, b) => a[0].localeCompare(b[0]))) {
        const top = Object.entries(s.results).sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, v]) => `${k} ${Math.round((100 * v) / s.calls)}%`);
        console.log(`  ${name.padEnd(30)} ${String(s.calls).padStart(9)} ${top.join(', ')}`);
      }
    }
  }
  return failed ? 1 : 0;
}

const USAGE = `usage: make fuzz [SEED=n] [COUNT=n] [JOBS=n] [FIRST_EPOCH=n] [REPLAY=file.json] [SHOW=epoch:index]
   or: [SEED=n ...] node dist/fuzz.js

Runs a fuzz campaign against both ABIs. Everything is set through the environment:
  SEED         the campaign's seed (default: random, printed)
  COUNT        calls in all (default 10,000,000)
  JOBS         worker threads (default 1); every epoch comes from (SEED, epoch), so JOBS
               does not change what runs
  FIRST_EPOCH  the first epoch to run (default 0)
  REPLAY       replay a saved reproducer (the JSON a failure writes) instead
  SHOW         print the call generated at epoch:index
  HANG_MS      a call still running after this long is a hang (default 10000)
Exit status: 0 no failure, 1 a failure (its minimized reproducer printed and saved), 2 a usage or host error.`;

if (isMainThread) {
  const args = process.argv.slice(2);
  if (args.length > 0) {
    const help = args.every((a) => a === '--help' || a === '-h');
    (help ? console.log : console.error)(help ? USAGE : `fuzz: takes no arguments (got ${args.join(' ')}); settings come from the environment\n\n${USAGE}`);
    process.exit(help ? 0 : 2);
  }
  supervise().then((code) => process.exit(code), (e) => { console.error(e); process.exit(2); });
} else {
  worker(workerData as Job);
}

export type { Config };
