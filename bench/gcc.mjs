// C programs the benchmark builds natively with gcc -O2: each once per process, into a
// temporary directory removed when the process exits.
import { spawnSync } from 'node:child_process';
import * as nodefs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { root } from './paths.mjs';

const built = new Map();
let binDir;

function gccBuild(name, sources, flags = []) {
  if (built.has(name)) return built.get(name);
  if (binDir === undefined) {
    binDir = nodefs.mkdtempSync(path.join(os.tmpdir(), 'imfs-bench-bin-'));
    process.on('exit', () => nodefs.rmSync(binDir, { recursive: true, force: true }));
  }
  const exe = path.join(binDir, name);
  const cc = spawnSync('gcc', ['-O2', ...flags, '-o', exe, ...sources.map((s) => path.join(root, s))], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`gcc failed building ${name}: ${cc.stderr ?? cc.error}`);
  built.set(name, exe);
  return exe;
}

/** The benchmark program (wasm-fixtures/bench/bench.c) built natively: the reference. */
export const nativeBench = () => gccBuild('bench-native', ['wasm-fixtures/bench/bench.c', 'wasm-fixtures/bench/bench-posix.c']);
/** bench/timed.c: runs a command, reporting its wall time and peak RSS. */
export const timedExe = () => gccBuild('timed', ['bench/timed.c']);
/** The process benchmark (wasm-fixtures/processes/procbench.c) built natively: the reference for the process rows. */
export const nativeProcbench = () => gccBuild('procbench-native', ['wasm-fixtures/processes/procbench.c']);
/** The threads benchmark (wasm-fixtures/processes/threadbench.c) built natively with -pthread: the reference for the thread rows. */
export const nativeThreadbench = () => gccBuild('threadbench-native', ['wasm-fixtures/processes/threadbench.c'], ['-pthread']);
