// Per-call cost and throughput through each ABI (issue 3): the same WASI cage under
// imfs-grate and under node:wasi (on tmpfs), and its lind build under imfs-grate, in
// one run. Ratios are against node:wasi (> 1 means imfs-grate is faster).
import * as nodefs from 'node:fs';
import * as path from 'node:path';
import { root, runImfs, runNodeWasi, parse } from './hosts.mjs';

const workloads = ['call-pwrite64', 'call-pread64', 'seq-write4k', 'seq-read4k', 'bulk-write', 'bulk-read'];
const reps = 3;

function best(runs) {
  // The best of several runs: these machines are noisy, and noise only ever adds time.
  const out = new Map();
  for (const run of runs) for (const [k, v] of run) {
    const cur = out.get(k);
    if (cur === undefined || v.nsPerOp < cur.nsPerOp) out.set(k, v);
  }
  return out;
}
const many = (f) => best(Array.from({ length: reps }, () => parse(f())));

const wasi = many(() => runImfs(workloads));
const lind = many(() => runImfs(workloads, { lind: true }));
const node = many(() => runNodeWasi(workloads));

const fmt = (v) => (v === undefined ? '—' : v.mbPerSec !== undefined ? `${v.mbPerSec.toFixed(0)} MB/s` : `${v.nsPerOp.toFixed(0)} ns`);
const ratio = (a, b) => (a && b ? (b.nsPerOp / a.nsPerOp).toFixed(2) + 'x' : '—');
const rows = [['workload', 'imfs WASI', 'imfs lind', 'node:wasi (tmpfs)', 'WASI vs node', 'lind vs node', 'lind/WASI cost']];
for (const w of workloads) {
  const a = wasi.get(w), l = lind.get(w), n = node.get(w);
  rows.push([w, fmt(a), fmt(l), fmt(n), ratio(a, n), ratio(l, n), a && l ? (l.nsPerOp / a.nsPerOp).toFixed(2) : '—']);
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i])).join('  '));
nodefs.mkdirSync(path.join(root, 'bench/results'), { recursive: true });
nodefs.writeFileSync(path.join(root, 'bench/results/abi-calls.json'), JSON.stringify({ date: new Date().toISOString(),
  wasi: Object.fromEntries(wasi), lind: Object.fromEntries(lind), nodeWasi: Object.fromEntries(node) }, null, 2));
