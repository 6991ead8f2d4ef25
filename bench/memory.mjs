// Memory: host memory (JS heap + array buffers + the slabs file data lives in) per 100,000
// empty files, and per GiB stored. Slabs are WebAssembly memories, which Node's
// memoryUsage() does not count, so the pool's own total is added.
import { Imfs, O_CREAT, O_WRONLY } from '../dist/index.js';

const gc = globalThis.gc;
if (!gc) { console.log('run with --expose-gc'); process.exit(1); }
const keep = [];
const used = (fs) => { gc(); gc(); const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers + (fs?.space.pool.heldBytes ?? 0); };

{
  const base = used();
  const fs = new Imfs({ limits: { maxInodes: 200_000 } });
  keep.push(fs);
  fs.mkdir(0, '/d', 0o755);
  for (let i = 0; i < 100_000; i++) fs.close(0, fs.open(0, `/d/file-${i}`, O_CREAT | O_WRONLY, 0o644));
  const per100k = used(fs) - base;
  keep.length = 0;
  console.log(`100,000 empty files in one directory: ${(per100k / 2 ** 20).toFixed(1)} MiB (${(per100k / 100_000).toFixed(0)} bytes per file; target < 400)`);
}
{
  const base = used();
  const fs = new Imfs({ limits: { maxBytes: 2 ** 31 } });
  keep.push(fs);
  const mib = new Uint8Array(1 << 20).fill(3);
  for (let f = 0; f < 64; f++) {
    const fd = fs.open(0, `/data-${f}`, O_CREAT | O_WRONLY, 0o644);
    for (let i = 0; i < 16; i++) fs.write(0, fd, mib);
    fs.close(0, fd);
  }
  const after = used(fs);
  const perGiB = after - base;
  console.log(`1 GiB stored in 64 files: ${(perGiB / 2 ** 30).toFixed(3)} GiB of host memory (${((perGiB / 2 ** 30 - 1) * 100).toFixed(1)}% overhead)`);
}
