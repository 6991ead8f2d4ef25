// Makes a WASI 0.2 component from a core module that imports wasi:* itself (no adapter): embeds
// the WIT world it was written against (jco's componentEmbed, wasm-tools' `component embed`),
// then wraps it (componentNew, `component new`). Both are deterministic.
//   node wasm-fixtures/components/embed.mjs CORE.wasm WORLD.wit WORLD-NAME OUT.wasm
import { componentEmbed, componentNew } from '@bytecodealliance/jco';
import { readFileSync, writeFileSync } from 'node:fs';

const [core, wit, world, out] = process.argv.slice(2);
if (!out) {
  console.error('usage: embed.mjs CORE.wasm WORLD.wit WORLD-NAME OUT.wasm');
  process.exit(2);
}
const embedded = await componentEmbed({
  binary: readFileSync(core), witSource: readFileSync(wit, 'utf8'), world, stringEncoding: 'utf8',
});
writeFileSync(out, await componentNew(embedded, []));
