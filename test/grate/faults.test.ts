/**
 * Cages that trap mid-run after some file operations — unreachable, an out-of-bounds
 * memory access, a division by zero, a stack overflow by deep recursion, and a stack
 * overflow that strikes while the cage recurses through syscalls — end with status 134
 * and a message naming the cage; what they did before the trap stays, whole; the IMFS
 * passes the consistency check; their descriptors are closed; the next cage runs. The WASI
 * class (a drop-in for node:wasi) keeps the IMFS whole through the same overflows.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as nodefs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Grate, TRAP_STATUS, WASI } from '../../src/grate/index.js';
import { Imfs, newStat, O_RDONLY } from '../../src/core/index.js';
import { checkInvariants } from '../../src/core/check.js';
import { buildModule, op, type Func, type FuncImport } from '../helpers/wasm-builder.js';
import { WASI_SIGNATURES, iovec } from '../helpers/script-cage.js';

const W = 'wasi_snapshot_preview1';
const IMPORTS: FuncImport[] = ['path_open', 'fd_write', 'fd_close', 'path_create_directory', 'path_rename'].map((name) => ({ module: W, name, ...WASI_SIGNATURES[name] }));
const [PATH_OPEN, FD_WRITE, FD_CLOSE, MKDIR, RENAME] = [0, 1, 2, 3, 4];
const FIRST_FUNC = IMPORTS.length;
const ALL = 0x1fffffffn, CREAT = 1, TRUNC = 8;

// Memory: strings at 1024…, the iovec {2048, 5} at 1536, "hello" at 2048, out-parameters at 3000….
const DATA = [
  { offset: 1024, bytes: [...Buffer.from('tmp/keep')] },
  { offset: 1040, bytes: [...Buffer.from('tmp/dir')] },
  { offset: 1056, bytes: [...Buffer.from('tmp/open')] },
  { offset: 1072, bytes: [...Buffer.from('tmp/deep')] },
  { offset: 1088, bytes: [...Buffer.from('tmp/peed')] },
  { offset: 1536, bytes: iovec(2048, 5) },
  { offset: 2048, bytes: [...Buffer.from('hello')] },
];
const openAt = (ptr: number, len: number, oflags: number, outPtr: number) =>
  [...op.i32(3), ...op.i32(1), ...op.i32(ptr), ...op.i32(len), ...op.i32(oflags), ...op.i64(ALL), ...op.i64(ALL), ...op.i32(0), ...op.i32(outPtr), ...op.call(PATH_OPEN), ...op.drop];

/** The file work done before the fault: tmp/keep holds "hello" (left open), tmp/dir exists, tmp/open is open. */
const BEFORE = [
  ...openAt(1024, 8, CREAT | TRUNC, 3000),
  ...op.i32(3000), ...op.i32Load, ...op.i32(1536), ...op.i32(1), ...op.i32(3004), ...op.call(FD_WRITE), ...op.drop,
  ...op.i32(3), ...op.i32(1040), ...op.i32(7), ...op.call(MKDIR), ...op.drop,
  ...openAt(1056, 8, CREAT, 3008),
];

/** A cage doing BEFORE and then `fault`; `funcs` are extra functions (numbered from FIRST_FUNC + 1). */
function faultCage(fault: number[], funcs: Func[] = []): Uint8Array {
  return buildModule({
    imports: IMPORTS, memory: 2, data: DATA,
    funcs: [{ params: [], results: [], export: '_start', body: [...BEFORE, ...fault] }, ...funcs],
  });
}

/** rec(): calls itself forever. */
const RECURSE: Func = { params: [], results: [], body: op.call(FIRST_FUNC + 1) };

/**
 * rec() with `locals` i64 locals (to vary its frame): recreates tmp/deep (O_TRUNC), closes
 * it, renames it to tmp/peed and back, then calls itself: the stack runs out somewhere in
 * or between these calls.
 */
const recurseThroughSyscalls = (locals: number): Func => ({
  params: [], results: [], locals: Array(locals).fill('i64'),
  body: [
    ...openAt(1072, 8, CREAT | TRUNC, 3012),
    ...op.i32(3012), ...op.i32Load, ...op.call(FD_CLOSE), ...op.drop,
    ...[3, 1072, 8, 3, 1088, 8].flatMap(op.i32), ...op.call(RENAME), ...op.drop,
    ...[3, 1088, 8, 3, 1072, 8].flatMap(op.i32), ...op.call(RENAME), ...op.drop,
    ...op.call(FIRST_FUNC + 1),
  ],
});

const FAULTS: [string, number[], Func[], RegExp][] = [
  ['unreachable', op.unreachable, [], /unreachable/],
  ['out-of-bounds', [...op.i32(-16), ...op.i32Load, ...op.drop], [], /memory access out of bounds/],
  ['divide-by-zero', [...op.i32(1), ...op.i32(0), 0x6d, ...op.drop], [], /divide by zero/],
  ['stack-overflow', op.call(FIRST_FUNC + 1), [RECURSE], /Maximum call stack size exceeded/],
];

let dir: string;
beforeAll(() => { dir = nodefs.mkdtempSync(path.join(os.tmpdir(), 'imfs-faults-')); });
afterAll(() => nodefs.rmSync(dir, { recursive: true, force: true }));

/** What must hold after any trap: BEFORE's work whole, nothing left open, only cage 0, a consistent IMFS. */
function expectIntact(grate: Grate) {
  expect(checkInvariants(grate.fs)).toEqual([]);
  expect([...grate.fs.cages.keys()]).toEqual([0]);
  const st = newStat();
  expect(grate.fs.stat(0, '/tmp/dir', st)).toBe(0);
  expect(grate.fs.stat(0, '/tmp/open', st)).toBe(0);
  const buf = Buffer.alloc(16);
  const fd = grate.fs.open(0, '/tmp/keep', O_RDONLY);
  expect(grate.fs.read(0, fd, buf)).toBe(5);
  expect(buf.subarray(0, 5).toString()).toBe('hello');
  grate.fs.close(0, fd);
}

/** A cage that exits with status 3 (to show the grate still runs cages). */
const EXIT3 = buildModule({ imports: [{ module: W, name: 'proc_exit', ...WASI_SIGNATURES.proc_exit }], memory: 1, funcs: [{ params: [], results: [], export: '_start', body: [...op.i32(3), ...op.call(0)] }] });

describe('a cage that traps mid-run', () => {
  for (const [kind, fault, funcs, message] of FAULTS) {
    test(`${kind}: status 134, the cage named, its work before the trap kept whole, the next cage runs`, () => {
      const file = path.join(dir, `${kind}.wasm`);
      nodefs.writeFileSync(file, faultCage(fault, funcs));
      const grate = new Grate();
      const reports: string[] = [];
      expect(grate.runSync(file, { onTrap: (m) => reports.push(m) })).toBe(TRAP_STATUS);
      expect(reports).toHaveLength(1);
      expect(reports[0]).toMatch(new RegExp(`^cage '${kind}\\.wasm' trapped: ${message.source}`));
      expectIntact(grate);
      expect(grate.runSync(EXIT3)).toBe(3);
      expect(checkInvariants(grate.fs)).toEqual([]);
    });
  }

  test('a stack overflow that strikes while the cage recurses through syscalls never leaves a call half done', () => {
    // Frames of different sizes make the stack run out at different points of the syscalls.
    // Without the grate's stack guard, some of these once left an open file description that
    // nobody held; where the stack runs out has moved since, so stack-guard.test.ts checks
    // the guard itself.
    const grate = new Grate();
    const messages = new Set<string>();
    // Big frames (hundreds of locals) keep the recursion a few hundred calls deep, so each run is quick.
    for (let locals = 600; locals < 2000; locals += 7) {
      const status = grate.runSync(faultCage(op.call(FIRST_FUNC + 1), [recurseThroughSyscalls(locals)]), { onTrap: (m) => messages.add(m) });
      expect(status).toBe(TRAP_STATUS);
      const problems = checkInvariants(grate.fs);
      expect(problems, `with ${locals} locals`).toEqual([]);
    }
    expect([...messages]).toEqual(["cage 'cage' trapped: Maximum call stack size exceeded"]);
    expectIntact(grate);
    const st = newStat();
    expect(grate.fs.stat(0, '/tmp/deep', st) === 0 || grate.fs.stat(0, '/tmp/peed', st) === 0).toBe(true);
    expect(grate.runSync(EXIT3)).toBe(3);
  });

  test('the WASI class guards its imports the same way: an overflow through its syscalls leaves no call half done', () => {
    const fs = new Imfs();
    expect(fs.mkdir(0, '/tmp', 0o1777)).toBe(0);
    for (let locals = 600; locals < 2000; locals += 7) {
      const wasi = new WASI({ fs, stdout: () => {}, stderr: () => {} });
      const instance = new WebAssembly.Instance(new WebAssembly.Module(faultCage(op.call(FIRST_FUNC + 1), [recurseThroughSyscalls(locals)])), wasi.getImportObject());
      expect(() => wasi.start(instance)).toThrow(/Maximum call stack size exceeded/);
      expect(checkInvariants(fs), `with ${locals} locals`).toEqual([]);
      expect([...fs.cages.keys()]).toEqual([0]);
    }
  });

  test('the stack guard keeps imports as the cage declares them: one import under two signatures still links', () => {
    const cage = buildModule({
      imports: [
        { module: W, name: 'proc_exit', params: ['i32'], results: [] },
        { module: W, name: 'proc_exit', params: ['i32', 'i32'], results: [] },
      ],
      memory: 1, funcs: [{ params: [], results: [], export: '_start', body: [...op.i32(9), ...op.i32(1), ...op.call(1)] }],
    });
    expect(new Grate().runSync(cage)).toBe(9);
  });

  test('a panic through lind.debug-panic is reported with the cage name and 134', () => {
    const cage = buildModule({
      imports: [{ module: 'lind', name: 'debug-panic', params: ['i64'], results: [] }],
      memoryImport: { module: 'env', name: 'memory', initial: 1, maximum: 2, shared: true },
      data: [{ offset: 64, bytes: [...Buffer.from('boom\0')] }],
      funcs: [{ params: [], results: [], export: '_start', body: [...op.i64(64), ...op.call(0)] }],
    });
    const reports: string[] = [];
    expect(new Grate().runSync(cage, { onTrap: (m) => reports.push(m), argv0: 'x' })).toBe(TRAP_STATUS);
    expect(reports).toEqual(["cage 'cage': cage 1 panicked: boom"]);
  });
});
