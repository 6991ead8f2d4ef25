// A minimal node:wasi runner, as a user of Node's own WASI writes one (the cage's stdio are
// this process's; its exit status is this process's):
//   node bench/wasi-run.mjs [--dir GUEST=HOSTDIR] CAGE.wasm [ARGS...]
import { readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';

const args = process.argv.slice(2);
const preopens = {};
if (args[0] === '--dir') {
  const [guest, host] = args[1].split('=');
  preopens[guest] = host;
  args.splice(0, 2);
}
const wasi = new WASI({ version: 'preview1', args, preopens, returnOnExit: true });
const instance = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(args[0])), wasi.getImportObject());
process.exitCode = wasi.start(instance);
