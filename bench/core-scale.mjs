// Core scale benchmark (no wasm): 10k → 1M empty files in one directory created, stat-ed
// and listed, with the cost per operation at each size (flat = linear total cost); memory
// per empty file; and random 4 KiB reads/writes at the start vs the end of a 1 GiB sparse
// file. Run with --expose-gc (make bench does) for the memory figure.
import { Imfs, O_CREAT, O_RDONLY, O_DIRECTORY, O_RDWR, O_WRONLY, newStat } from '../dist/index.js';

const now = () => performance.now();
const gc = globalThis.gc ?? (() => {});
const out = [];
const line = (s) => { console.log(s); out.push(s); };

function filesIn(n) {
  const fs = new Imfs({ limits: { maxInodes: n + 100 } });
  fs.mkdir(0, '/d', 0o755);
  const names = Array.from({ length: n }, (_, i) => `/d/f${i}`);
  let t = now();
  for (const p of names) fs.close(0, fs.open(0, p, O_CREAT | O_WRONLY, 0o644));
  const create = (now() - t) * 1e6 / n;
  const st = newStat();
  t = now();
  for (const p of names) fs.stat(0, p, st);
  const stat = (now() - t) * 1e6 / n;
  const fd = fs.open(0, '/d', O_RDONLY | O_DIRECTORY);
  const buf = new Uint8Array(1 << 16);
  t = now();
  let bytes;
  do bytes = fs.getdents64(0, fd, buf); while (bytes > 0);
  const list = (now() - t) * 1e6 / n;
  return { create, stat, list, fs };
}

// Warm the JIT first (V8 needs tens of thousands of calls), so the first row measures the filesystem, not the compiler.
for (let i = 0; i < 5; i++) filesIn(10_000);
line('# core scale: ns per operation, one directory (flat across sizes = linear total cost)');
line('files      create  stat   list');
for (const n of [10_000, 100_000, 1_000_000]) {
  const r = filesIn(n);
  line(`${String(n).padEnd(10)} ${r.create.toFixed(0).padStart(6)} ${r.stat.toFixed(0).padStart(5)} ${r.list.toFixed(0).padStart(6)}`);
}

gc(); gc();
const before = process.memoryUsage();
const keep = filesIn(1_000_000).fs;
gc(); gc();
const after = process.memoryUsage();
const perFile = (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / 1_000_000;
line(`memory per empty file: ${perFile.toFixed(0)} bytes (target < 400)${globalThis.gc ? '' : ' [run with --expose-gc for a clean figure]'}`);
void keep;

function sparse() {
  const fs = new Imfs({ limits: { maxBytes: 2 ** 31 } });
  const GiB = 2 ** 30, K4 = 4096;
  const fd = fs.open(0, '/big', O_CREAT | O_RDWR, 0o644);
  fs.ftruncate(0, fd, GiB);
  const buf = new Uint8Array(K4).fill(7);
  const ops = 20000;
  let seed = 12345;
  const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const run = (base) => {
    const t = now();
    for (let i = 0; i < ops; i++) {
      const off = base + Math.floor(rnd() * (64 * 1024 * 1024 / K4)) * K4;
      fs.pwrite(0, fd, buf, K4, off);
      fs.pread(0, fd, buf, K4, off);
    }
    return (now() - t) * 1e6 / (2 * ops);
  };
  // Warm both regions first (the first touch of a chunk allocates it), then measure each.
  run(0); run(GiB - 64 * 1024 * 1024);
  const start = run(0), end = run(GiB - 64 * 1024 * 1024);
  line(`1 GiB sparse file, random 4 KiB pread+pwrite: first 64 MiB ${start.toFixed(0)} ns/op, last 64 MiB ${end.toFixed(0)} ns/op (ratio end/start ${(end / start).toFixed(2)})`);
}
sparse();
