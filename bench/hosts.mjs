// The hosts a benchmark cage runs under, each returning the cage's stdout. Every host
// runs the same .wasm (or, for "native", the same C source built with gcc).
import { spawnSync } from 'node:child_process';
import * as nodefs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WASI as NodeWASI } from 'node:wasi';
import { Grate } from '../dist/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.join(here, '..');
export const benchWasm = path.join(root, 'wasm-fixtures/bench.wasm');
export const benchLindWasm = path.join(root, 'wasm-fixtures/bench-lind.wasm');

/** A fresh directory on tmpfs (/dev/shm), removed by the returned cleanup. */
export function tmpfsDir(tag) {
  const base = nodefs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
  const dir = nodefs.mkdtempSync(path.join(base, `imfs-bench-${tag}-`));
  return { dir, cleanup: () => nodefs.rmSync(dir, { recursive: true, force: true }) };
}

/** imfs-grate running the WASI cage (or the lind one) on a fresh IMFS. */
export function runImfs(args, { lind = false } = {}) {
  const out = [];
  const grate = new Grate({ limits: { maxBytes: 4 * 2 ** 30, maxInodes: 4_000_000 } });
  const status = grate.runSync(lind ? benchLindWasm : benchWasm, {
    args: ['/tmp', ...args], stdout: (b) => out.push(Buffer.from(b)), stderr: (b) => process.stderr.write(b),
  });
  if (status !== 0) throw new Error(`imfs-grate ${lind ? 'lind' : 'WASI'} bench exited ${status}: ${Buffer.concat(out)}`);
  return Buffer.concat(out).toString();
}

/** Node's own node:wasi with the cage's directory preopened on a tmpfs directory. */
export function runNodeWasi(args) {
  const { dir, cleanup } = tmpfsDir('nodewasi');
  const outFile = path.join(dir, '.stdout');
  const outFd = nodefs.openSync(outFile, 'w');
  try {
    const wasi = new NodeWASI({ version: 'preview1', args: ['bench', '/bench', ...args], preopens: { '/bench': dir }, stdout: outFd, returnOnExit: true });
    const module = new WebAssembly.Module(nodefs.readFileSync(benchWasm));
    const instance = new WebAssembly.Instance(module, wasi.getImportObject());
    const status = wasi.start(instance);
    nodefs.closeSync(outFd);
    const text = nodefs.readFileSync(outFile, 'utf8');
    if (status !== 0) throw new Error(`node:wasi bench exited ${status}: ${text}`);
    return text;
  } finally {
    cleanup();
  }
}

/** The same C source built natively with gcc, on a tmpfs directory: the host kernel's own cost. */
export function runNative(args) {
  const exe = path.join(os.tmpdir(), `imfs-bench-native-${process.pid}`);
  if (!nodefs.existsSync(exe)) {
    const cc = spawnSync('gcc', ['-O2', '-o', exe, path.join(root, 'wasm-fixtures/bench/bench.c'), path.join(root, 'wasm-fixtures/bench/bench-posix.c')], { encoding: 'utf8' });
    if (cc.status !== 0) throw new Error(`gcc failed: ${cc.stderr}`);
  }
  const { dir, cleanup } = tmpfsDir('native');
  try {
    const r = spawnSync(exe, [dir, ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (r.status !== 0) throw new Error(`native bench exited ${r.status}: ${r.stdout}${r.stderr}`);
    return r.stdout;
  } finally {
    cleanup();
  }
}

/** Lines "name ops/s … ns/op [MB/s]" → Map name → { opsPerSec, nsPerOp, mbPerSec }. */
export function parse(text) {
  const out = new Map();
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+([\d.]+) ops\/s\s+([\d.]+) ns\/op(?: ([\d.]+) MB\/s)?/.exec(line);
    if (m) out.set(m[1], { opsPerSec: Number(m[2]), nsPerOp: Number(m[3]), mbPerSec: m[4] === undefined ? undefined : Number(m[4]) });
  }
  return out;
}
