// The hosts a benchmark cage runs under. Each returns the cage's stdout (its report lines).
// Every host runs the same .wasm; "native" runs the same C source built with gcc.
import { spawnSync } from 'node:child_process';
import * as nodefs from 'node:fs';
import * as path from 'node:path';
import { WASI as NodeWASI } from 'node:wasi';
import { Grate } from '../dist/index.js';
import { nativeBench } from './gcc.mjs';
import { benchLindWasm, benchWasm, tmpfsDir } from './paths.mjs';

const imfsLimits = { maxBytes: 8 * 2 ** 30, maxInodes: 4_000_000 };

function runGrate(wasm, args) {
  const out = [];
  const grate = new Grate({ limits: imfsLimits });
  const status = grate.runSync(wasm, { args: ['/tmp', ...args], stdout: (b) => out.push(Buffer.from(b)), stderr: (b) => process.stderr.write(b) });
  if (status !== 0) throw new Error(`exited ${status}: ${Buffer.concat(out)}`);
  return Buffer.concat(out).toString();
}

/** Node's node:wasi with the cage's directory preopened on a tmpfs directory. */
function runNodeWasi(args) {
  const { dir, cleanup } = tmpfsDir('nodewasi');
  const outFile = path.join(dir, '.stdout');
  const outFd = nodefs.openSync(outFile, 'w');
  try {
    const wasi = new NodeWASI({ version: 'preview1', args: ['bench', '/bench', ...args], preopens: { '/bench': dir }, stdout: outFd, returnOnExit: true });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(nodefs.readFileSync(benchWasm)), wasi.getImportObject());
    const status = wasi.start(instance);
    nodefs.closeSync(outFd);
    const text = nodefs.readFileSync(outFile, 'utf8');
    if (status !== 0) throw new Error(`exited ${status}: ${text}`);
    return text;
  } finally {
    cleanup();
  }
}

/** @bjorn3/browser_wasi_shim with its in-memory filesystem (a preopened directory). */
async function runShim(args) {
  const shim = await import('@bjorn3/browser_wasi_shim');
  let text = '';
  const out = new shim.ConsoleStdout((b) => { text += Buffer.from(b).toString(); });
  const fds = [new shim.OpenFile(new shim.File([])), out, out, new shim.PreopenDirectory('/bench', new Map())];
  const wasi = new shim.WASI(['bench', '/bench', ...args], [], fds);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(nodefs.readFileSync(benchWasm)), { wasi_snapshot_preview1: wasi.wasiImport });
  const status = wasi.start(instance);
  if (status !== 0 && status !== undefined) throw new Error(`exited ${status}: ${text}`);
  return text;
}

/** The same C source built natively with gcc, on a tmpfs directory: the host kernel's own cost. */
function runNative(args) {
  const { dir, cleanup } = tmpfsDir('native');
  try {
    const r = spawnSync(nativeBench(), [dir, ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (r.status !== 0) throw new Error(`exited ${r.status}: ${r.stdout}${r.stderr}`);
    return r.stdout;
  } finally {
    cleanup();
  }
}

export const HOSTS = {
  native: { label: 'native (gcc, tmpfs)', run: runNative },
  imfs: { label: 'imfs-grate WASI', run: (args) => runGrate(benchWasm, args) },
  lind: { label: 'imfs-grate lind', run: (args) => runGrate(benchLindWasm, args) },
  nodewasi: { label: 'node:wasi (tmpfs)', run: runNodeWasi },
  shim: { label: 'browser_wasi_shim', run: runShim },
};
