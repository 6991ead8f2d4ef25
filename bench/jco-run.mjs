// A component under jco and @bytecodealliance/preview2-shim, as a user of jco runs one: the
// component transpiled with jco's defaults (ES module glue importing preview2-shim), the
// shim's preopens and arguments set, then wasi:cli/run called (the shim's exit ends the
// process with its status):
//   node bench/jco-run.mjs COMPONENT.wasm [--dir GUEST=HOSTDIR] ARGS...
// The glue is transpiled on first use into build/jco-glue/<sha256>-jco<version>/ (inside the
// checkout, so that its imports find node_modules) and reused after, as a user transpiles once.
import { createHash } from 'node:crypto';
import * as nodefs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { _setArgs } from '@bytecodealliance/preview2-shim/cli';
import { _setPreopens } from '@bytecodealliance/preview2-shim/filesystem';
import { root } from './paths.mjs';

const [component, ...args] = process.argv.slice(2);
const preopens = {};
if (args[0] === '--dir') {
  const [guest, host] = args[1].split('=');
  preopens[guest] = host;
  args.splice(0, 2);
}

const bytes = nodefs.readFileSync(component);
const { version } = JSON.parse(nodefs.readFileSync(path.join(root, 'node_modules/@bytecodealliance/jco/package.json'), 'utf8'));
const dir = path.join(root, 'build/jco-glue', `${createHash('sha256').update(bytes).digest('hex')}-jco${version}`);
const glue = path.join(dir, 'component.js');
if (!nodefs.existsSync(glue)) {
  const { transpile } = await import('@bytecodealliance/jco');
  const { files } = await transpile(bytes, { name: 'component', quiet: true, typescript: false });
  const tmp = `${dir}.tmp-${process.pid}`;
  for (const [name, data] of Object.entries(files)) {
    nodefs.mkdirSync(path.dirname(path.join(tmp, name)), { recursive: true });
    nodefs.writeFileSync(path.join(tmp, name), data);
  }
  nodefs.rmSync(dir, { recursive: true, force: true });
  nodefs.renameSync(tmp, dir);
}

_setPreopens(preopens);
_setArgs([path.basename(component), ...args]);
const exports = await import(pathToFileURL(glue).href);
exports.run.run();
