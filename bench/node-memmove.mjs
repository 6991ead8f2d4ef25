// 4 KiB copies between a plain array (a file chunk) and a shared memory (a lind cage's), by
// node-copy.ts's memmove (the buffer binding's copy, bounds checked as the IMFS calls it)
// and by copy-bytes.ts's public fallback (Buffer fill), alternating, median ns per copy.
// The measurement behind node-copy.ts's use of the binding on each Node line:
//   node bench/node-memmove.mjs [RUNS]        scripts/node-line.sh 24 node bench/node-memmove.mjs
import { build } from 'esbuild';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-memmove-'));
const out = path.join(dir, 'node-copy.mjs');
await build({ entryPoints: [path.join(here, '../src/core/node-copy.ts')], bundle: true, platform: 'node', format: 'esm', outfile: out, logLevel: 'warning' });
const { findNodeMemmove, nodeCopyShape } = await import(pathToFileURL(out).href);
fs.rmSync(dir, { recursive: true, force: true });

const node = findNodeMemmove();
if (node === null) {
  console.log(`${process.version}: no memmove from the buffer binding; the IMFS copies by public means here`);
  process.exit(0);
}
const bufferFill = Buffer.prototype.fill;
const fill = (dst, dstOff, src, srcOff, n) => { bufferFill.call(dst, src.subarray(srcOff, srcOff + n), dstOff, dstOff + n); };
const shared = new Uint8Array(new SharedArrayBuffer(16 << 20));
const chunk = new Uint8Array(16 << 10).fill(7);
const N = 4096, ITER = 200_000, RUNS = Number(process.argv[2] ?? 7);
const ways = {
  'binding to shared': (i) => node(shared, (i & 63) << 12, chunk, 0, N),
  'fill to shared': (i) => fill(shared, (i & 63) << 12, chunk, 0, N),
  'binding from shared': (i) => node(chunk, 0, shared, (i & 63) << 12, N),
  'fill from shared': (i) => fill(chunk, 0, shared, (i & 63) << 12, N),
};
const times = Object.fromEntries(Object.keys(ways).map((k) => [k, []]));
for (let r = 0; r <= RUNS; r++) { // run 0 warms up
  for (const [name, f] of Object.entries(ways)) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < ITER; i++) f(i);
    if (r > 0) times[name].push(Number(process.hrtime.bigint() - t0) / ITER);
  }
}
const median = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
console.log(`${process.version} (copy shape: ${nodeCopyShape()}):`, Object.entries(times).map(([k, v]) => `${k} ${median(v).toFixed(0)}`).join(', '), 'ns');
