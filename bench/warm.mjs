// The warm view, the steady state: the benchmark cage under every in-process host (imfs-grate's
// WASI and lind builds through the library, node:wasi on tmpfs, @bjorn3/browser_wasi_shim, and
// the same C built natively on tmpfs, the reference), each group of workloads run PASSES times
// in one process and the best pass counting.
import { spawnSync } from 'node:child_process';
import * as nodefs from 'node:fs';
import * as path from 'node:path';
import { HOSTS } from './hosts.mjs';
import { root, tmpfsBase } from './paths.mjs';
import { show, speedup, table } from './table.mjs';
import { GROUPS, isScale, parse } from './workloads.mjs';

/**
 * Passes of each group inside one cage run, the best counting: a 10,000-file pass is shorter
 * than V8's warm-up (its optimizing tier needs tens of thousands of calls), so hosts with a
 * JIT reach their steady speed only by the third or fourth pass. Every host gets the same
 * passes; the first pass of each is kept in the JSON as `first`. The scale groups (a million
 * files a pass) get two.
 */
const SCALE_PASSES = 2;

function runGroup(host, group, passes, timeoutMs) {
  const tmp = nodefs.mkdtempSync(path.join(tmpfsBase, 'imfs-bench-run-'));
  const r = spawnSync(process.execPath, ['--max-old-space-size=8192', path.join(root, 'bench/host-run.mjs'), host, '1', `x${isScale(group) ? SCALE_PASSES : passes}`, ...group],
    { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 1 << 24, env: { ...process.env, BENCH_TMP: tmp } });
  nodefs.rmSync(tmp, { recursive: true, force: true });
  if (r.error?.code === 'ETIMEDOUT' || r.signal === 'SIGTERM') return { error: `timeout (>${timeoutMs / 1000} s)` };
  if (r.status !== 0) return { error: (r.stderr || r.stdout).trim().split('\n').at(-1) ?? `status ${r.status}` };
  return parse(r.stdout);
}

/** Runs the warm view, prints its tables, returns its figures. `hosts`: a subset of the host names, or undefined. */
export function warm({ reps, passes, timeoutMs, hosts: only }) {
  const hosts = Object.keys(HOSTS).filter((h) => !only || only.includes(h));
  // Hosts take turns group by group (and repetition by repetition), so a slow spell of this
  // shared machine lands on every host about alike instead of on one host's whole block.
  const results = Object.fromEntries(hosts.map((h) => [h, {}])); // host → workload → best result, or { error }
  const givenUp = new Set(); // "host group" that timed out or failed: repeating will not help
  for (let rep = 0; rep < reps; rep++) {
    process.stderr.write(`warm: ${reps > 1 ? `repetition ${rep + 1} of ${reps}, ` : ''}${hosts.length} hosts a group `);
    for (const group of GROUPS) {
      for (const host of hosts) {
        if (givenUp.has(`${host} ${group[0]}`)) continue;
        const got = runGroup(host, group, passes, timeoutMs);
        for (const w of group) {
          const v = got.error ? { error: got.error } : got[w] ?? { error: 'no result' };
          const cur = results[host][w];
          // Best of the repetitions: noise on a shared machine only ever adds time.
          if (cur === undefined || cur.error || (!v.error && v.nsPerOp < cur.nsPerOp)) results[host][w] = v;
        }
        if (got.error) givenUp.add(`${host} ${group[0]}`);
      }
      process.stderr.write('.');
    }
    process.stderr.write('\n');
  }

  const workloads = GROUPS.flat();
  const header = ['workload', ...hosts.flatMap((h) => (h === 'native' ? [HOSTS[h].label] : [HOSTS[h].label, 'vs native']))];
  const rows = [header];
  for (const w of workloads) {
    const nat = results.native?.[w];
    rows.push([w, ...hosts.flatMap((h) => (h === 'native' ? [show(results[h][w])] : [show(results[h][w]), speedup(results[h][w], nat)]))]);
  }
  console.log(`\n## Warm, Node ${process.version}: the benchmark cage on every host, best of ${passes} passes in one process (ops/s or MB/s; "vs native": time ratio, > 1 is faster)\n`);
  console.log(table(rows));

  if (results.imfs && results.nodewasi) {
    console.log('\n## Warm: imfs-grate against node:wasi, and the lind ABI against WASI (same workloads)\n');
    const r2 = [['workload', 'imfs WASI ns/op', 'imfs lind ns/op', 'node:wasi ns/op', 'WASI vs node:wasi', 'lind cost / WASI cost']];
    for (const w of workloads) {
      const a = results.imfs[w], l = results.lind?.[w], n = results.nodewasi[w];
      const ns = (v) => (v && !v.error ? v.nsPerOp.toFixed(0) : '—');
      r2.push([w, ns(a), ns(l), ns(n), speedup(a, n), a && l && !a.error && !l.error ? (l.nsPerOp / a.nsPerOp).toFixed(2) : '—']);
    }
    console.log(table(r2));
  }

  console.log('\n## Warm: the first of those passes alone (in a process already running), ns/op\n');
  const r3 = [['workload', ...hosts.map((h) => HOSTS[h].label)]];
  for (const w of workloads) r3.push([w, ...hosts.map((h) => { const v = results[h][w]; return v && !v.error ? v.first.toFixed(0) : '—'; })]);
  console.log(table(r3));
  return { hosts: Object.fromEntries(hosts.map((h) => [h, HOSTS[h].label])), results };
}

/** The core without wasm (against memfs, memory, scale): each script's output. */
export function core(timeoutMs) {
  const extra = {};
  for (const script of ['core-vs-memfs.mjs', 'memory.mjs', 'core-scale.mjs']) {
    console.log(`\n## ${script}\n`);
    const r = spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=8192', path.join(root, 'bench', script)], { encoding: 'utf8', timeout: 10 * timeoutMs, maxBuffer: 1 << 24 });
    process.stdout.write(r.stdout);
    if (r.status !== 0) console.log(`(${script} failed: ${r.stderr.trim().split('\n').at(-1)})`);
    extra[script] = r.stdout;
  }
  return extra;
}
