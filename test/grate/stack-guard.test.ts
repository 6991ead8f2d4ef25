/**
 * The stack check before each import leaves room enough for the whole call, V8's own work
 * on the way included (compiling a function met for the first time needs about 40 KiB).
 * Driven from JavaScript through the WASI class's imports: at every depth from the end of
 * the stack up, open-close-rename-rename runs whole or not at all. The renames compact the
 * directory now and then, and the first compaction compiles Directory.compact: with a
 * 16 KiB check that compile overflowed between removing a name and adding its new one.
 * This file has a test process of its own, so nothing here is compiled before it runs.
 */
import { expect, test } from 'vitest';
import { WASI } from '../../src/grate/index.js';
import { Imfs } from '../../src/core/index.js';
import { checkInvariants } from '../../src/core/check.js';
import { buildModule } from '../helpers/wasm-builder.js';

const CREAT = 1, TRUNC = 8, RIGHTS = 0x1fffffffn, DEEP = 1024, PEED = 1040, OUT = 3000;

test('at every depth near the end of the stack, a call through the guarded imports runs whole or not at all', () => {
  const fs = new Imfs();
  expect(fs.mkdir(0, '/tmp', 0o1777)).toBe(0);
  const wasi = new WASI({ fs, stdout: () => {}, stderr: () => {} });
  const names = [{ offset: DEEP, bytes: [...Buffer.from('tmp/deep')] }, { offset: PEED, bytes: [...Buffer.from('tmp/peed')] }];
  const instance = new WebAssembly.Instance(new WebAssembly.Module(buildModule({ imports: [], memory: 1, data: names, funcs: [] })));
  wasi.initialize(instance);
  const w = wasi.wasiImport as Record<string, (...args: unknown[]) => number>;
  const mem = new DataView((instance.exports.memory as WebAssembly.Memory).buffer);
  const work = () => {
    if (w.path_open(3, 1, DEEP, 8, CREAT | TRUNC, RIGHTS, RIGHTS, 0, OUT) === 0) w.fd_close(mem.getUint32(OUT, true));
    w.path_rename(3, DEEP, 8, 3, PEED, 8);
    w.path_rename(3, PEED, 8, 3, DEEP, 8);
  };

  let refused = 0, done = 0;
  /** Recurses to the end of the stack, then runs `work` on the way back, `k` frames above it. */
  function dive(k: number): number {
    let below: number;
    try {
      below = dive(k);
    } catch {
      return 0; // the end of the stack
    }
    if (below === k) {
      try {
        work();
        done++;
      } catch {
        refused++;
      }
    }
    return below + 1;
  }
  for (let k = 1; k < 2000; k++) {
    dive(k);
    const problems = checkInvariants(fs);
    if (problems.length > 0) expect(problems, `${k} frames above the end of the stack`).toEqual([]);
  }
  // Both sides of the edge were met: calls refused for want of stack, and calls run whole.
  expect(refused).toBeGreaterThan(0);
  expect(done).toBeGreaterThan(100);
});
