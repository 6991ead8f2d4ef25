/**
 * i64 parameters as (low, high) halves: the conversions, the stack guard's trampolines that
 * split them in wasm, and the WASI calls that have a halves form, which must answer exactly
 * as their BigInt forms do (the grate uses the first, a traced run or the WASI class the second).
 */
import { describe, expect, test } from 'vitest';
import { halvesOf, highOf, i64, lowOf, withHalves } from '../../src/abi/i64-halves.js';
import { WasiAbi } from '../../src/abi/wasi.js';
import { Imfs } from '../../src/core/index.js';
import { readModuleInfo } from '../../src/abi/wasm-module.js';
import { guardImports } from '../../src/grate/stack-guard.js';
import { Grate } from '../../src/grate/index.js';
import { buildModule, op } from '../helpers/wasm-builder.js';
import { wasiScript, decode, sink, iovec, out, BUF, type Step } from '../helpers/script-cage.js';

const EDGES = [0n, 1n, -1n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 1n << 32n, (1n << 32n) + 5n, -(1n << 32n), (1n << 53n) - 1n,
  -(1n << 53n), (1n << 53n) + 1n, (1n << 63n) - 1n, -(1n << 63n), 0x123456789abcdefn];

describe('conversions', () => {
  test.each(EDGES)('%s: lowOf/highOf are its 32-bit halves and i64 of them is Number() of it', (b) => {
    const u = BigInt.asUintN(64, b);
    expect(lowOf(b)).toBe(Number(u & 0xffffffffn));
    expect(highOf(b)).toBe(Number(u >> 32n));
    expect(i64(lowOf(b), highOf(b))).toBe(Number(b));
    // A trampoline hands the halves over as i32 values (signed): the same number results.
    expect(i64(lowOf(b) | 0, highOf(b) | 0)).toBe(Number(b));
  });
});

describe('the stack guard calls the halves form', () => {
  /** A module importing f(i32, i64, i32) -> i32 and exporting run() calling it with (7, v, 9). */
  const caller = (v: bigint, params: ('i32' | 'i64')[] = ['i32', 'i64', 'i32']) => buildModule({
    imports: [{ module: 'm', name: 'f', params, results: ['i32'] }],
    funcs: [{ params: [], results: ['i32'], export: 'run', body: [...op.i32(7), ...(params[1] === 'i64' ? op.i64(v) : op.i32(Number(v))), ...op.i32(9), ...op.call(0)] }],
  });
  const run = (bytes: Uint8Array, f: (...args: never[]) => number) => {
    const imports = guardImports({ m: { f } }, readModuleInfo(bytes).imports);
    return (new WebAssembly.Instance(new WebAssembly.Module(bytes), imports).exports.run as () => number)();
  };

  test.each(EDGES)('%s arrives as halves that make up the value', (v) => {
    const seen: unknown[][] = [];
    const bigintForm = withHalves((...args: unknown[]) => { seen.push(['bigint', ...args]); return 1; }, ['i32', 'i64', 'i32'],
      (...args: number[]) => { seen.push(['halves', ...args]); return 2; });
    expect(run(caller(v), bigintForm)).toBe(2);
    expect(seen.length).toBe(1);
    const [form, a, lo, hi, b] = seen[0] as [string, number, number, number, number];
    expect([form, a, b]).toEqual(['halves', 7, 9]);
    expect(i64(lo, hi)).toBe(Number(BigInt.asIntN(64, v)));
  });

  test('a cage that declares another signature gets the BigInt form', () => {
    const seen: unknown[][] = [];
    const bigintForm = withHalves((...args: unknown[]) => { seen.push(args); return 1; }, ['i32', 'i64', 'i32'], () => 2);
    expect(run(caller(5n, ['i32', 'i32', 'i32']), bigintForm)).toBe(1);
    expect(seen).toEqual([[7, 5, 9]]);
  });
});

describe('WASI calls with i64 parameters answer the same through both forms', () => {
  const FOUR_GIB = 1n << 32n;
  const OFLAGS_CREAT = 1, WHENCE_SET = 0, WHENCE_CUR = 1, WHENCE_END = 2, EINVAL = 28, ENOTCAPABLE = 76;
  // Rights with bits in both halves: path_open keeps only the defined ones that apply to a
  // file (read, seek and write here; no inheriting rights), and reports those back.
  const BASE = (0xabcn << 32n) | 0x46n, INHERITING = (0x80000001n << 32n) | 0x2n;
  const steps: Step[] = [
    { call: 'path_open', args: [3, 1, { path: 'tmp/big' }, OFLAGS_CREAT, BASE, INHERITING, 0, out(0)] },
    { call: 'fd_pwrite', args: [{ load: out(0) }, BUF, 1, FOUR_GIB + 3n, out(1)] },
    { call: 'fd_pread', args: [{ load: out(0) }, BUF + 8, 1, FOUR_GIB + 3n, out(2)] },
    { call: 'fd_pread', args: [{ load: out(0) }, BUF + 8, 1, -1n, out(3)] },
    { call: 'fd_seek', args: [{ load: out(0) }, -2n, WHENCE_END, out(4)] },
    { call: 'fd_seek', args: [{ load: out(0) }, 1n << 40n, WHENCE_SET, out(5)] },
    { call: 'fd_seek', args: [{ load: out(0) }, -(1n << 41n), WHENCE_CUR, out(6)] },
    { call: 'fd_fdstat_get', args: [{ load: out(0) }, out(7)] },
    { call: 'fd_fdstat_set_rights', args: [{ load: out(0) }, BASE | (1n << 40n), INHERITING] },
    { call: 'fd_fdstat_set_rights', args: [{ load: out(0) }, BASE, 0x2n | (1n << 33n)] },
    { call: 'fd_fdstat_set_rights', args: [{ load: out(0) }, 0x6n, 0n] },
    { call: 'fd_fdstat_get', args: [{ load: out(0) }, out(11)] },
    // (an fdstat is 24 bytes: it runs into the next step's out-parameters, so these use later ones)
    { call: 'clock_time_get', args: [0, 1000n, out(14)] },
    { call: 'clock_time_get', args: [99, 1000n, out(15)] },
  ];
  // iovec 0 writes "xyz" from BUF + 16; iovec 1 reads 3 bytes into BUF + 32.
  const data = [
    { offset: BUF, bytes: iovec(BUF + 16, 3) }, { offset: BUF + 8, bytes: iovec(BUF + 32, 3) },
    { offset: BUF + 16, bytes: [...Buffer.from('xyz')] },
  ];
  const u64 = (d: ReturnType<typeof decode>, k: number) => d.bytes(out(k), 8).readBigUInt64LE(0);
  const runScript = (traced: boolean) => {
    const s = sink();
    const status = new Grate().runSync(wasiScript(steps, data), { stdout: s, trace: traced ? () => {} : undefined });
    expect(status).toBe(0);
    return decode(s.bytes());
  };

  test('the untraced imports carry halves forms, the traced ones do not', () => {
    const imports = (trace?: (line: string) => void) =>
      new WasiAbi({ fs: new Imfs(), cageId: 0, args: [], env: [], trace }).imports().wasi_snapshot_preview1;
    for (const name of ['path_open', 'fd_pread', 'fd_pwrite', 'fd_seek', 'fd_readdir', 'clock_time_get']) {
      expect(halvesOf(imports()[name]), name).toBeDefined();
      expect(halvesOf(imports(() => {})[name]), name).toBeUndefined();
    }
  });

  test('halves forms (the grate) give what the calls promise', () => {
    const d = runScript(false);
    expect(d.res(0)).toBe(0);
    expect([d.res(1), d.out32(1)]).toEqual([0, 3]);
    expect([d.res(2), d.out32(2)]).toEqual([0, 3]);
    expect(d.bytes(BUF + 32, 3).toString()).toBe('xyz');
    expect(d.res(3)).toBe(EINVAL); // an offset past 2^63 is negative as an i64
    expect([d.res(4), u64(d, 4)]).toEqual([0, FOUR_GIB + 4n]);
    expect([d.res(5), u64(d, 5)]).toEqual([0, 1n << 40n]);
    expect(d.res(6)).toBe(EINVAL); // before the start of the file
    expect(d.res(7)).toBe(0);
    expect(d.bytes(out(7) + 8, 16)).toEqual(Buffer.concat([u64le(0x46n), u64le(0n)]));
    expect(d.res(8)).toBe(ENOTCAPABLE); // a right in the high half it does not have
    expect(d.res(9)).toBe(ENOTCAPABLE); // the same for inheriting
    expect(d.res(10)).toBe(0); // fewer rights
    expect(d.bytes(out(11) + 8, 16)).toEqual(Buffer.concat([u64le(0x6n), u64le(0n)]));
    expect(d.res(12)).toBe(0);
    expect(Number(u64(d, 14) / 1_000_000n)).toBeGreaterThan(Date.now() - 60_000);
    expect(d.res(13)).toBe(EINVAL);
  });

  test('the BigInt forms (a traced run) write the same memory', () => {
    const halves = runScript(false), bigints = runScript(true);
    for (let k = 0; k < steps.length; k++) expect(bigints.res(k)).toBe(halves.res(k));
    for (let k = 0; k < 16; k++) if (k !== 14) expect(bigints.bytes(out(k), 16)).toEqual(halves.bytes(out(k), 16));
    expect(bigints.bytes(BUF + 32, 3).toString()).toBe('xyz');
  });
});

function u64le(v: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(v);
  return b;
}
