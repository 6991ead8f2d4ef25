// Where the benchmark's pieces are, and scratch directories on tmpfs for the hosts that use one.
import * as nodefs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
export const benchWasm = path.join(root, 'wasm-fixtures/bench.wasm');
export const benchLindWasm = path.join(root, 'wasm-fixtures/bench-lind.wasm');
/** bench.wasm adapted into a WASI 0.2 command component (wasm-fixtures/build.sh). */
export const benchComponent = path.join(root, 'wasm-fixtures/components/bench.wasm');
export const helloWasm = path.join(root, 'wasm-fixtures/hello.wasm');
export const procbenchWasm = path.join(root, 'wasm-fixtures/processes/procbench.wasm');
export const threadbenchWasm = path.join(root, 'wasm-fixtures/processes/threadbench.wasm');
/** The imfs-grate command as users run it (built by `make imfs`). */
export const grateCli = path.join(root, 'dist/imfs-grate.cjs');

/** Where the host directories go: tmpfs (/dev/shm) where there is one. */
export const tmpfsBase = nodefs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();

/**
 * A fresh directory on tmpfs, removed by the returned cleanup. It is made inside
 * BENCH_TMP when the harness gives one: a run killed at its timeout cannot clean up
 * after itself, so the harness removes that directory (a million files) instead.
 */
export function tmpfsDir(tag) {
  const base = process.env.BENCH_TMP ?? tmpfsBase;
  const dir = nodefs.mkdtempSync(path.join(base, `imfs-bench-${tag}-`));
  return { dir, cleanup: () => nodefs.rmSync(dir, { recursive: true, force: true }) };
}
