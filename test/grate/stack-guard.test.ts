/**
 * The stack check before each import leaves room enough for the whole call, V8's own work
 * on the way included (compiling a function met for the first time needs about 40 KiB).
 * Driven from JavaScript through the WASI class's imports: at every depth from the end of
 * the stack up, open-close-rename-rename runs whole or not at all. The renames compact the
 * directory now and then, and the first compaction compiles Directory.compact: with a
 * 16 KiB check that compile overflowed between removing a name and adding its new one.
 * This file has a test process of its own, so nothing here is compiled before it runs.
 * Then the grate's own wiring: the stack a cage's syscall needs, measured from the cage.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { expect, test } from 'vitest';
import { Grate, WASI } from '../../src/grate/index.js';
import { Imfs } from '../../src/core/index.js';
import { checkInvariants } from '../../src/core/check.js';
import { buildModule, op, type ValType } from '../helpers/wasm-builder.js';
import { WASI_SIGNATURES } from '../helpers/script-cage.js';
import { PROBE_ARG, PROBE_KINDS, PROBE_LEVELS, probeLevels, probeModule } from '../../src/grate/stack-guard.js';

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

/**
 * A cage whose _start recurses `depth` times through a function with a large frame, then
 * calls a function with `fillerLocals` i64 locals (8 bytes of frame each), which makes one
 * syscall or none. With the depth fixed, the largest filler that still runs shows how much
 * stack was left: with the syscall, less by what the syscall needs, the guard's check
 * included.
 */
function fillerCage(depth: number, fillerLocals: number, syscall: boolean): Uint8Array {
  const FDSTAT = 0, REC = 1, FILLER = 2;
  const i64s = (n: number): ValType[] => Array(n).fill('i64');
  return buildModule({
    imports: [{ module: 'wasi_snapshot_preview1', name: 'fd_fdstat_get', ...WASI_SIGNATURES.fd_fdstat_get }],
    memory: 1,
    funcs: [
      // rec(d): d == 0 ? filler() : rec(d - 1)
      { params: ['i32'], results: [], locals: i64s(12_288), body: [
        ...op.localGet(0), 0x45, 0x04, 0x40, ...op.call(FILLER), 0x05, ...op.localGet(0), ...op.i32(1), 0x6b, ...op.call(REC), 0x0b] },
      { params: [], results: [], locals: i64s(fillerLocals), body: syscall ? [...op.i32(3), ...op.i32(2048), ...op.call(FDSTAT), ...op.drop] : [] },
      { params: [], results: [], export: '_start', body: [...op.i32(depth), ...op.call(REC)] },
    ],
  });
}

test("a cage's syscall needs the guard's 64 KiB of stack to start, not just what the IMFS uses", () => {
  const grate = new Grate();
  const runs = (depth: number, fillerLocals: number, syscall: boolean) =>
    grate.runSync(fillerCage(depth, fillerLocals, syscall), { stdout: () => {}, stderr: () => {}, onTrap: () => {} }) === 0;
  /** The largest n in [0, max] for which ok(n) holds (ok(0) must; ok is monotone). */
  const largest = (max: number, ok: (n: number) => boolean) => {
    let lo = 0, hi = max;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (ok(mid)) lo = mid; else hi = mid - 1;
    }
    return lo;
  };
  // One recursion less than fits at all leaves between one and two large frames (96-192 KiB).
  const depth = largest(1024, (d) => runs(d, 0, false)) - 1;
  expect(depth).toBeGreaterThan(0);
  const MAX_LOCALS = 50_000; // V8's limit per function
  const withoutCall = largest(MAX_LOCALS, (n) => runs(depth, n, false));
  const withCall = largest(MAX_LOCALS, (n) => runs(depth, n, true));
  expect(withoutCall).toBeLessThan(MAX_LOCALS); // the filler did reach the end of the stack
  // The syscall needed the guard's 64 KiB (measured: exactly 64 KiB; without the guard,
  // or with its former 16 KiB, about 37 KiB: what V8 and the IMFS use on the way).
  expect((withoutCall - withCall) * 8).toBeGreaterThan(60 << 10);
});

test('every kind of probe (v128, and i64 where a host has no SIMD) answers 0 and holds the same 64 KiB of stack', () => {
  /** How many JavaScript frames deep the stack overflows when each one first calls `f`. */
  const depthWith = (f: () => void) => {
    let depth = 0;
    const down = (n: number): void => { depth = n; f(); down(n + 1); };
    try { down(0); } catch (e) { expect(e).toBeInstanceOf(RangeError); }
    return depth;
  };
  const plain = depthWith(() => {});
  const lost = PROBE_KINDS.map((kind) => {
    const probe = probeLevels(new WebAssembly.Module(probeModule(kind)));
    expect(probe(PROBE_ARG)).toBe(0);
    return plain - depthWith(() => probe(PROBE_ARG));
  });
  // The same frame whichever the kind (to a few frames of this test's recursion, whose
  // frames change size as V8 tiers it up), and a large one.
  expect(Math.abs(lost[0] - lost[1])).toBeLessThanOrEqual(lost[1] / 20);
  expect(lost[0]).toBeGreaterThan(plain / 100); // 64 KiB of a stack of about 1 MiB
});

test('the probe holds the same stack in every tier: baseline (Liftoff) and optimized, where V8 may inline', () => {
  // A probe split into nested calls of itself lost half its frame on Node 26's optimizing
  // tier (the inlined level shares its spill slots): each tier is checked in a fresh process,
  // with the levels linked as probeLevels links them.
  const file = path.join(os.tmpdir(), `imfs-probe-${process.pid}.wasm`);
  fs.writeFileSync(file, probeModule(PROBE_KINDS[0]));
  const script = `const m = new WebAssembly.Module(require('fs').readFileSync(${JSON.stringify(file)}));
let p = () => 0;
for (let level = 0; level < ${PROBE_LEVELS}; level++) p = new WebAssembly.Instance(m, { g: { next: p } }).exports.probe;
for (let i = 0; i < 100000; i++) p(${PROBE_ARG});
const depthWith = (f) => { let d = 0; const down = (n) => { d = n; f(); down(n + 1); }; try { down(0); } catch {} return d; };
const plain = depthWith(() => {});
console.log(plain - depthWith(() => p(${PROBE_ARG})), plain);`;
  try {
    const lost = ['--liftoff-only', '--no-liftoff'].map((flag) => {
      const out = execFileSync(process.execPath, [flag, '-e', script], { encoding: 'utf8' }).trim().split(' ').map(Number);
      expect(out[0]).toBeGreaterThan(out[1] / 20); // 64 KiB of a stack of about 1 MiB
      return out[0];
    });
    expect(Math.abs(lost[0] - lost[1])).toBeLessThanOrEqual(lost[0] / 20);
  } finally {
    fs.rmSync(file, { force: true });
  }
});
