/**
 * Cages that run a fixed list of calls, hand-assembled with wasm-builder: each step calls
 * one import and stores its i32 result; at the end the cage writes its second 64 KiB page
 * of memory to stdout (results, out-parameters, buffers) and exits 0. A test decodes what
 * each step answered with `decode`.
 *
 * Memory (page 1, from BASE): RES + 4k holds step k's result, OUT + 16k its out-parameters
 * (`out(k)`), strings sit from STR up, BUF.. is scratch space for reads.
 */
import { buildModule, op, type FuncImport, type ValType } from './wasm-builder.js';

export const BASE = 65536, DUMP = 65536;
export const RES = BASE + 64, OUT = BASE + 1024, STR = BASE + 4096, BUF = BASE + 32768;
const MAX_STEPS = 56;

/** A pointer to step k's out-parameter area (16 bytes). */
export const out = (k: number) => OUT + 16 * k;

/**
 * An argument: a number or bigint (converted to the parameter's type); a WASI path
 * (`{ path }`: two parameters, pointer and length); a lind C string (`{ cstr }`: a pointer
 * to the NUL-terminated bytes); or the i32 stored at an address when the step runs
 * (`{ load }`, e.g. the descriptor a path_open put in its out-parameter).
 */
export type Arg = number | bigint | { path: string | Uint8Array } | { cstr: string | Uint8Array } | { load: number };

export interface Step { call: string; args: Arg[] }

const I32 = (n: number) => Array(n).fill('i32') as ValType[];
/** The preview1 signatures the scripts use. */
export const WASI_SIGNATURES: Record<string, { params: ValType[]; results: ValType[] }> = {
  path_open: { params: ['i32', 'i32', 'i32', 'i32', 'i32', 'i64', 'i64', 'i32', 'i32'], results: ['i32'] },
  fd_read: { params: I32(4), results: ['i32'] },
  fd_write: { params: I32(4), results: ['i32'] },
  fd_close: { params: I32(1), results: ['i32'] },
  fd_renumber: { params: I32(2), results: ['i32'] },
  fd_prestat_get: { params: I32(2), results: ['i32'] },
  fd_prestat_dir_name: { params: I32(3), results: ['i32'] },
  fd_readdir: { params: ['i32', 'i32', 'i32', 'i64', 'i32'], results: ['i32'] },
  path_symlink: { params: I32(5), results: ['i32'] },
  path_readlink: { params: I32(6), results: ['i32'] },
  path_filestat_get: { params: I32(5), results: ['i32'] },
  path_create_directory: { params: I32(3), results: ['i32'] },
  path_remove_directory: { params: I32(3), results: ['i32'] },
  path_unlink_file: { params: I32(3), results: ['i32'] },
  path_rename: { params: I32(6), results: ['i32'] },
  path_link: { params: I32(7), results: ['i32'] },
  proc_exit: { params: I32(1), results: [] },
  fd_pread: { params: ['i32', 'i32', 'i32', 'i64', 'i32'], results: ['i32'] },
  fd_pwrite: { params: ['i32', 'i32', 'i32', 'i64', 'i32'], results: ['i32'] },
  fd_seek: { params: ['i32', 'i64', 'i32', 'i32'], results: ['i32'] },
  fd_fdstat_get: { params: I32(2), results: ['i32'] },
  fd_fdstat_set_flags: { params: I32(2), results: ['i32'] },
  fd_fdstat_set_rights: { params: ['i32', 'i64', 'i64'], results: ['i32'] },
  clock_time_get: { params: ['i32', 'i64', 'i32'], results: ['i32'] },
};
const W = 'wasi_snapshot_preview1';
const I64x15 = Array(15).fill('i64') as ValType[];
const MAKE_SYSCALL: FuncImport = { module: 'lind', name: 'make-syscall', params: ['i32', ...I64x15], results: ['i32'] };
const NOTUSED = -2401053088876216593n;

/** An iovec {buf, len} as data bytes. */
export function iovec(buf: number, len: number): number[] {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(buf, 0);
  b.writeUInt32LE(len, 4);
  return [...b];
}

/** Lays strings out from STR (each NUL-terminated) and returns their addresses. */
class Strings {
  at = STR;
  data: { offset: number; bytes: number[] }[] = [];
  place(s: string | Uint8Array): { ptr: number; len: number } {
    const bytes = [...(typeof s === 'string' ? Buffer.from(s) : s)];
    const ptr = this.at;
    this.data.push({ offset: ptr, bytes: [...bytes, 0] });
    this.at += bytes.length + 1;
    if (this.at > BUF) throw new Error('script cage: strings do not fit below BUF');
    return { ptr, len: bytes.length };
  }
}

function value(a: Arg, type: ValType, strings: Strings): number[] {
  if (typeof a === 'object' && 'load' in a) return [...op.i32(a.load), ...op.i32Load, ...(type === 'i64' ? [0xac] : [])];
  if (typeof a === 'object' && 'cstr' in a) return type === 'i64' ? op.i64(strings.place(a.cstr).ptr) : op.i32(strings.place(a.cstr).ptr);
  if (typeof a === 'object') throw new Error('script cage: a path argument takes two parameters');
  // An i64 constant is signed: a u64 past 2^63 is given as the negative value with its bits.
  return type === 'i64' ? op.i64(typeof a === 'bigint' ? BigInt.asIntN(64, a) : a) : op.i32(Number(a) | 0);
}

/** Bytes placed in the cage's memory before it starts (iovecs, buffers). */
export type Data = { offset: number; bytes: number[] }[];

/** A WASI cage running `steps` (each a preview1 call by name) then writing its memory to stdout. */
export function wasiScript(steps: Step[], data: Data = []): Uint8Array {
  if (steps.length > MAX_STEPS) throw new Error('script cage: too many steps');
  const names = [...new Set(['fd_write', 'proc_exit', ...steps.map((s) => s.call)])];
  const imports: FuncImport[] = names.map((name) => {
    const sig = WASI_SIGNATURES[name];
    if (sig === undefined) throw new Error(`script cage: no signature for ${name}`);
    return { module: W, name, ...sig };
  });
  const strings = new Strings();
  const body: number[] = [];
  steps.forEach((s, k) => {
    const params = WASI_SIGNATURES[s.call].params;
    body.push(...op.i32(RES + 4 * k));
    let p = 0;
    for (const a of s.args) {
      if (typeof a === 'object' && 'path' in a) {
        const { ptr, len } = strings.place(a.path);
        body.push(...op.i32(ptr), ...op.i32(len));
        p += 2;
      } else {
        body.push(...value(a, params[p], strings));
        p += 1;
      }
    }
    if (p !== params.length) throw new Error(`script cage: ${s.call} takes ${params.length} parameters, got ${p}`);
    body.push(...op.call(names.indexOf(s.call)));
    if (WASI_SIGNATURES[s.call].results.length === 0) body.push(...op.i32(0));
    body.push(...op.i32Store);
  });
  // iovec {BASE, DUMP} at 0; fd_write(1, 0, 1, 8); proc_exit(0)
  body.push(...op.i32(0), ...op.i32(BASE), ...op.i32Store, ...op.i32(4), ...op.i32(DUMP), ...op.i32Store);
  body.push(...op.i32(1), ...op.i32(0), ...op.i32(1), ...op.i32(8), ...op.call(names.indexOf('fd_write')), ...op.drop);
  body.push(...op.i32(0), ...op.call(names.indexOf('proc_exit')));
  return buildModule({ imports, memory: 2, data: [...data, ...strings.data], funcs: [{ params: [], results: [], export: '_start', body }] });
}

/** A lind cage running `steps` (each `{ call: 'syscall number', args }` through make-syscall) then writing its memory to stdout. */
export function lindScript(steps: { nr: number; args: Arg[] }[], data: Data = []): Uint8Array {
  if (steps.length > MAX_STEPS) throw new Error('script cage: too many steps');
  const strings = new Strings();
  const syscall = (nr: number, args: number[][]) => {
    const slots: number[][] = [op.i64(0), op.i64(1), op.i64(1)];
    for (let k = 0; k < 6; k++) { slots.push(args[k] ?? op.i64(NOTUSED)); slots.push(op.i64(1)); }
    return [...op.i32(nr), ...slots.flat(), ...op.call(0)];
  };
  const body: number[] = [];
  steps.forEach((s, k) => {
    body.push(...op.i32(RES + 4 * k), ...syscall(s.nr, s.args.map((a) => value(a, 'i64', strings))), ...op.i32Store);
  });
  body.push(...syscall(1, [op.i64(1), op.i64(BASE), op.i64(DUMP)]), ...op.drop);
  body.push(...syscall(231, [op.i64(0)]), ...op.drop);
  return buildModule({
    imports: [MAKE_SYSCALL],
    memoryImport: { module: 'env', name: 'memory', initial: 2, maximum: 16, shared: true },
    data: [...data, ...strings.data],
    funcs: [{ params: [], results: [], export: '_start', body }],
  });
}

/** What a script cage wrote: each step's result, out-parameters and the scratch memory. */
export function decode(stdout: Buffer) {
  if (stdout.length !== DUMP) throw new Error(`script cage wrote ${stdout.length} bytes, not its memory (did it trap?)`);
  return {
    res: (k: number) => stdout.readInt32LE(RES - BASE + 4 * k),
    out32: (k: number) => stdout.readUInt32LE(out(k) - BASE),
    /** Bytes at cage address `at` (in the dumped page). */
    bytes: (at: number, len: number) => stdout.subarray(at - BASE, at - BASE + len),
  };
}

/** Collects a run's stdout. */
export function sink() {
  const chunks: Buffer[] = [];
  return { write: (b: Uint8Array) => { chunks.push(Buffer.from(b)); }, bytes: () => Buffer.concat(chunks) };
}
