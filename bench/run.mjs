// make bench: every benchmark, one after another, each printing its own table.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const benches = ['core-scale.mjs', 'abi-calls.mjs'];
let failed = 0;
for (const b of benches) {
  console.log(`\n== ${b}`);
  const r = spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=8192', path.join(here, b)], { stdio: 'inherit' });
  if (r.status !== 0) { console.error(`${b} failed (status ${r.status})`); failed++; }
}
process.exit(failed === 0 ? 0 : 1);
