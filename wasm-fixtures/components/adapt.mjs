// Adapts preview1 core modules into WASI 0.2 command components with jco's bundled preview1
// command adapter (jco's componentNew is wasm-tools' `component new`; deterministic).
//   node wasm-fixtures/components/adapt.mjs IN.wasm OUT.component.wasm [IN OUT]...
import { componentNew, preview1AdapterCommandPath } from '@bytecodealliance/jco';
import { readFileSync, writeFileSync } from 'node:fs';

const args = process.argv.slice(2);
if (args.length === 0 || args.length % 2 !== 0) {
  console.error('usage: adapt.mjs IN.wasm OUT.wasm [IN.wasm OUT.wasm]...');
  process.exit(2);
}
const adapter = readFileSync(preview1AdapterCommandPath());
for (let i = 0; i < args.length; i += 2) {
  const component = await componentNew(readFileSync(args[i]), [['wasi_snapshot_preview1', adapter]]);
  writeFileSync(args[i + 1], component);
}
