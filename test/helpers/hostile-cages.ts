/**
 * Hand-assembled WASI cages that push the grate's limits: they repeat one thing until the
 * IMFS refuses it and exit with the refusal's (preview1) errno.
 */
import { buildModule, op, type FuncImport } from './wasm-builder.js';
import { WASI_SIGNATURES, iovec } from './script-cage.js';

const W = 'wasi_snapshot_preview1';
export const imp = (name: string): FuncImport => ({ module: W, name, ...WASI_SIGNATURES[name] });
const [PATH_OPEN, FD_WRITE, FD_CLOSE, PROC_EXIT] = [0, 1, 2, 3];
const IMPORTS = [imp('path_open'), imp('fd_write'), imp('fd_close'), imp('proc_exit')];
export const NOSPC = 51, MFILE = 33;
const CREAT = 1, DIRECTORY = 2, EXCL = 4, TRUNC = 8;
const ALL = 0x1fffffffn, READ_ONLY = ALL & ~0x40n;

const openAt = (ptr: number, len: number, oflags: number, rights: bigint, outPtr: number) =>
  [...op.i32(3), ...op.i32(1), ...op.i32(ptr), ...op.i32(len), ...op.i32(oflags), ...op.i64(rights), ...op.i64(rights), ...op.i32(0), ...op.i32(outPtr), ...op.call(PATH_OPEN)];
/** Exits with local 0 if it is not zero (local.tee'd errno). */
const exitOnError = [0x22, 0, 0x04, 0x40, ...op.localGet(0), ...op.call(PROC_EXIT), 0x0b];
const loop = (body: number[]) => [0x03, 0x40, ...body, 0x0c, 0, 0x0b];

/** Creates tmp/big and writes 64 KiB to it, again and again, until a write fails: exits with its errno. */
export const WRITE_FOREVER = buildModule({
  imports: IMPORTS, memory: 2,
  data: [{ offset: 1024, bytes: [...Buffer.from('tmp/big')] }, { offset: 1536, bytes: iovec(65536, 65536) }],
  funcs: [{
    params: [], results: [], locals: ['i32'], export: '_start',
    body: [
      ...openAt(1024, 7, CREAT | TRUNC, ALL, 3000), ...exitOnError,
      ...loop([...op.i32(3000), ...op.i32Load, ...op.i32(1536), ...op.i32(1), ...op.i32(3004), ...op.call(FD_WRITE), ...exitOnError]),
    ],
  }],
});

/**
 * Creates files tmp/<4 bytes> (a counter spread over bytes 0x80–0xff) until a create fails:
 * exits with its errno.
 */
export const CREATE_FOREVER = buildModule({
  imports: IMPORTS, memory: 1,
  data: [{ offset: 1024, bytes: [...Buffer.from('tmp/XXXX')] }],
  funcs: [{
    params: [], results: [], locals: ['i32', 'i32'], export: '_start',
    body: loop([
      ...op.i32(1028),
      // (c & 0x7f) | (c << 1 & 0x7f00) | (c << 2 & 0x7f0000) | (c << 3 & 0x7f000000) | 0x80808080
      ...op.localGet(1), ...op.i32(0x7f), 0x71,
      ...op.localGet(1), ...op.i32(1), 0x74, ...op.i32(0x7f00), 0x71, 0x72,
      ...op.localGet(1), ...op.i32(2), 0x74, ...op.i32(0x7f0000), 0x71, 0x72,
      ...op.localGet(1), ...op.i32(3), 0x74, ...op.i32(0x7f000000), 0x71, 0x72,
      ...op.i32(0x80808080 | 0), 0x72, ...op.i32Store,
      ...openAt(1024, 8, CREAT | EXCL, ALL, 3000), ...exitOnError,
      ...op.i32(3000), ...op.i32Load, ...op.call(FD_CLOSE), ...op.drop,
      ...op.localGet(1), ...op.i32(1), 0x6a, 0x21, 1,
    ]),
  }],
});

/** Opens tmp again and again (never closing) until an open fails: exits with its errno. */
export const OPEN_FOREVER = buildModule({
  imports: IMPORTS, memory: 1,
  data: [{ offset: 1024, bytes: [...Buffer.from('tmp')] }],
  funcs: [{ params: [], results: [], locals: ['i32'], export: '_start', body: loop([...openAt(1024, 3, DIRECTORY, READ_ONLY, 3000), ...exitOnError]) }],
});

