// The core's API against memfs's synchronous API for the same operations, no wasm
// involved: ops/s for each and the ratio (> 1: the IMFS core is faster).
import { Volume } from 'memfs';
import { Imfs, O_CREAT, O_EXCL, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY, newStat } from '../dist/index.js';

const N = 20_000;
const buf4k = new Uint8Array(4096).fill(7);
const names = Array.from({ length: N }, (_, i) => `/d/f${i}`);
const missing = Array.from({ length: N }, (_, i) => `/d/missing${i}`);

function time(fn, n) {
  const t = performance.now();
  fn();
  return (performance.now() - t) * 1e6 / n; // ns per op
}

function imfsOps() {
  const fs = new Imfs({ limits: { maxBytes: 2 ** 31 } });
  const st = newStat();
  fs.mkdir(0, '/d', 0o755);
  const r = {};
  r['create+close'] = time(() => { for (const p of names) fs.close(0, fs.open(0, p, O_CREAT | O_EXCL | O_WRONLY, 0o644)); }, N);
  r.stat = time(() => { for (const p of names) fs.stat(0, p, st); }, N);
  r['stat missing'] = time(() => { for (const p of missing) fs.stat(0, p, st); }, N);
  r.readdir = time(() => {
    for (let k = 0; k < 10; k++) {
      const fd = fs.opendir(0, '/d');
      while (true) { const e = fs.readdir(0, fd); if (e === null || typeof e === 'number') break; }
      fs.closedir(0, fd);
    }
  }, 10 * N);
  r['write 4 KiB files'] = time(() => { for (const p of names) { const fd = fs.open(0, p, O_WRONLY | O_TRUNC, 0); fs.write(0, fd, buf4k); fs.close(0, fd); } }, N);
  r['read 4 KiB files'] = time(() => { for (const p of names) { const fd = fs.open(0, p, O_RDONLY, 0); fs.read(0, fd, buf4k); fs.close(0, fd); } }, N);
  r.unlink = time(() => { for (const p of names) fs.unlink(0, p); }, N);
  const fd = fs.open(0, '/big', O_CREAT | O_RDWR, 0o644);
  const mib = new Uint8Array(1 << 20).fill(1);
  for (let i = 0; i < 64; i++) fs.pwrite(0, fd, mib, mib.length, i << 20);
  const small = new Uint8Array(64);
  let seed = 1;
  r['pread 64 B'] = time(() => { for (let i = 0; i < 200_000; i++) { seed = (seed * 1103515245 + 12345) >>> 0; fs.pread(0, fd, small, 64, seed % (63 << 20)); } }, 200_000);
  r['pwrite 64 B'] = time(() => { for (let i = 0; i < 200_000; i++) { seed = (seed * 1103515245 + 12345) >>> 0; fs.pwrite(0, fd, small, 64, seed % (63 << 20)); } }, 200_000);
  return r;
}

function memfsOps() {
  const vol = new Volume();
  vol.mkdirSync('/d');
  const r = {};
  r['create+close'] = time(() => { for (const p of names) vol.closeSync(vol.openSync(p, 'wx', 0o644)); }, N);
  r.stat = time(() => { for (const p of names) vol.statSync(p); }, N);
  r['stat missing'] = time(() => { for (const p of missing) vol.statSync(p, { throwIfNoEntry: false }); }, N);
  r.readdir = time(() => { for (let k = 0; k < 10; k++) vol.readdirSync('/d'); }, 10 * N);
  r['write 4 KiB files'] = time(() => { for (const p of names) { const fd = vol.openSync(p, 'w'); vol.writeSync(fd, buf4k); vol.closeSync(fd); } }, N);
  r['read 4 KiB files'] = time(() => { for (const p of names) { const fd = vol.openSync(p, 'r'); vol.readSync(fd, buf4k, 0, 4096, null); vol.closeSync(fd); } }, N);
  r.unlink = time(() => { for (const p of names) vol.unlinkSync(p); }, N);
  const fd = vol.openSync('/big', 'w+');
  const mib = new Uint8Array(1 << 20).fill(1);
  for (let i = 0; i < 64; i++) vol.writeSync(fd, mib, 0, mib.length, i << 20);
  const small = new Uint8Array(64);
  let seed = 1;
  r['pread 64 B'] = time(() => { for (let i = 0; i < 200_000; i++) { seed = (seed * 1103515245 + 12345) >>> 0; vol.readSync(fd, small, 0, 64, seed % (63 << 20)); } }, 200_000);
  r['pwrite 64 B'] = time(() => { for (let i = 0; i < 200_000; i++) { seed = (seed * 1103515245 + 12345) >>> 0; vol.writeSync(fd, small, 0, 64, seed % (63 << 20)); } }, 200_000);
  return r;
}

// Warm both up once, then measure.
imfsOps(); memfsOps();
const a = imfsOps(), b = memfsOps();
const rows = [['operation', 'IMFS core ns/op', 'memfs ns/op', 'IMFS vs memfs']];
for (const k of Object.keys(a)) rows.push([k, a[k].toFixed(0), b[k].toFixed(0), (b[k] / a[k]).toFixed(2) + 'x']);
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i])).join('  '));
