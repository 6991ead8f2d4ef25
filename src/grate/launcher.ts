/**
 * The `imfs-grate` command (dist/imfs-grate.cjs): runs the command's code, the CommonJS
 * bundle beside it (dist/imfs-grate-main.cjs), through V8's code cache. Compiling the
 * bundle's 280 KB, and then each function it calls on first use, is most of what a fresh
 * process pays before its cage starts; the code cache (vm.Script's cachedData, public Node
 * API on every line) holds all of it as the last run left it: taken after that run, it
 * includes every function the run compiled. Measured (`imfs-grate hello.wasm`, Node 20,
 * timed inside the launcher): the bundle's compile and first evaluation 27-29 ms fresh,
 * 14 ms from the cache.
 *
 * The cache is one file per bundle and Node: $XDG_CACHE_HOME/imfs-grate/code/ (see
 * cache-dir.ts), named by the Node version and the bundle's size and mtime; V8 itself
 * refuses data made by another V8 or with other flags, and the file is then written anew;
 * writing one removes those not written for a week (bundles and Nodes since replaced).
 * It is only a speed-up: one that cannot be read or written is compiled without, silently.
 * `--no-cache` anywhere on the command line neither reads nor writes it.
 * Node's built-in modules are taken with process.getBuiltinModule, which, unlike an import,
 * does not load what a module's lazy getters would (node:fs's streams: some 5 ms); in the
 * bundle too, where esbuild turns `import * as fs` into a copy of each of the module's
 * exports behind a getter (2.4 ms of a 100 us-sampled profile for six modules).
 */
import { defaultCacheDir } from './cache-dir.js';

const fs = process.getBuiltinModule('node:fs');
const path = process.getBuiltinModule('node:path');
const vm = process.getBuiltinModule('node:vm');

/** This file's directory: the launcher is only ever bundled as CommonJS, which has __dirname. */
const here = __dirname;
const mainFile = path.join(here, 'imfs-grate-main.cjs');

/** The cache file for this bundle under this Node, or null without a cache. */
function cacheFileFor(file: string): string | null {
  if (process.argv.includes('--no-cache')) return null;
  const st = fs.statSync(file);
  const name = `imfs-grate-main-${process.version}-${process.arch}-${st.size}-${Math.floor(st.mtimeMs)}.v8`;
  return path.join(defaultCacheDir(), 'code', name);
}

function readCache(file: string | null): Buffer | undefined {
  try {
    return file === null ? undefined : fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Writes the cache whole or not at all (a temporary file renamed into place), then sweeps. */
function writeCache(file: string, data: Buffer): void {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(temp, data);
    fs.renameSync(temp, file);
    sweepStale(file);
  } catch {
    try {
      fs.rmSync(temp, { force: true });
    } catch { /* no directory to have left it in */ }
  }
}

/**
 * A cache is written when none fits (a new bundle, a new Node, a refused one); files not
 * written for STALE_MS are then removed, caches of bundles and Nodes since replaced and
 * temporary files of runs that were killed. One still in use is only written again.
 */
const STALE_MS = 7 * 24 * 3600 * 1000;

function sweepStale(kept: string): void {
  const dir = path.dirname(kept), now = Date.now();
  for (const name of fs.readdirSync(dir)) {
    const file = path.join(dir, name);
    if (!name.startsWith('imfs-grate-main-') || file === kept) continue;
    try {
      if (now - fs.statSync(file).mtimeMs > STALE_MS) fs.rmSync(file, { force: true });
    } catch { /* another run removed it first */ }
  }
}

const cacheFile = cacheFileFor(mainFile);
const cachedData = readCache(cacheFile);
// Latin-1, not UTF-8: esbuild escapes every non-ASCII character in the code (its default
// ASCII charset) but keeps comments as written, and one '→' in a comment made the whole
// source a two-byte string (370 KB read as 740 KB). Misread comment bytes change nothing.
// CommonJS's own wrapper, written out: node:module's wrap() and createRequire() cost 1 ms of
// loading (Node 22), and the bundle sits beside this file, so this file's require serves it.
const wrapped = `(function (exports, require, module, __filename, __dirname) { ${fs.readFileSync(mainFile, 'latin1')}\n});`;
const script = new vm.Script(wrapped, { filename: mainFile, cachedData });
// The bundle's one dynamic import (jco, component-loader.ts) goes through this module's own
// import(): a vm.Script's needs an experimental option (it warns on stderr) and failed on Node 20.
(globalThis as Record<symbol, unknown>)[Symbol.for('imfs-grate.import')] = (spec: string) => import(spec);
if (cacheFile !== null && (cachedData === undefined || script.cachedDataRejected === true)) {
  // At exit, so that the functions this run compiled are in it too.
  process.once('exit', () => writeCache(cacheFile, script.createCachedData()));
}
const module = { exports: {} };
script.runInThisContext()(module.exports, require, module, mainFile, here);
