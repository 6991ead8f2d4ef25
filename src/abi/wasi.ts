/**
 * WASI preview1 (`wasi_snapshot_preview1`) on the IMFS (abi.md §5): every function, with
 * preview1's errno numbering, its struct layouts, readdir cookies and rights. Descriptors
 * are the cage's core descriptors, so a cage that imports both lind and WASI sees one
 * table. The functions themselves are the rows of wasi-table.ts; this class holds what
 * they share (memory, argument decoding, rights) and builds the import object from the
 * rows, with the rights check, the confinement and the log at this one place.
 */
import {
  O_DIRECTORY, O_RDONLY, S_IFCHR, UTIME_NOW, UTIME_OMIT, WOULD_BLOCK, BytePath, bytesToBinary, newStat,
  type Imfs, type Timespec,
} from '../core/index.js';
import type { Cage } from '../core/cage.js';
import { CageMemory } from './cage-memory.js';
import { stringListImports, type StringListImports } from './args.js';
import { CageExit } from './exit.js';
import * as W from './wasi-constants.js';
import { toWasiErrno, filetypeOfMode } from './wasi-constants.js';
import { RightsTable, rightsOfType, RIGHTS_DIRECTORY, RIGHTS_DIRECTORY_INHERITING, RIGHTS_FILE } from './wasi-rights.js';
import { WASI_ROWS, type WasiArgKind, type WasiRow } from './wasi-table.js';
import { highOf, lowOf, withHalves } from './i64-halves.js';
import { bitNames, formatArg, quote, type TraceSink } from './trace.js';

export interface Preopen {
  /** The name the cage sees (fd_prestat_dir_name), e.g. "/" or "/data". */
  guest: string;
  /** The IMFS directory behind it. */
  dir: string;
}

export interface WasiOptions {
  fs: Imfs;
  cageId: number;
  args: Uint8Array[];
  env: Uint8Array[];
  /** Default: [{ guest: '/', dir: '/' }]; [] for none. */
  preopens?: Preopen[];
  /** The cage imports no other ABI (default true): its lookups can stay confined throughout. */
  exclusive?: boolean;
  trace?: TraceSink;
  warn?: (message: string) => void;
}

const IOVEC = 8;
/** Rights that only a directory can hold: lacking one of them on anything else means "not a directory". */
const DIRECTORY_ONLY = RIGHTS_DIRECTORY & ~RIGHTS_FILE;
/** Every rights bit: `rights & ALL_RIGHTS` is `rights` (they all lie below bit 31). */
const ALL_RIGHTS = -1;

function nsToTimespec(ns: bigint): Timespec {
  return { sec: Number(ns / 1_000_000_000n), nsec: Number(ns % 1_000_000_000n) };
}

type ImportFn = (...args: never[]) => number | void;

export class WasiAbi {
  readonly fs: Imfs;
  readonly cage: number;
  readonly rights = new RightsTable();
  /** Scratch stat for the calls that need one. */
  readonly stat = newStat();
  /** Reused holders for decoded path arguments (a call has at most two). */
  readonly path1 = new BytePath();
  readonly path2 = new BytePath();
  readonly args: StringListImports;
  readonly env: StringListImports;
  private mem: CageMemory | null = null;
  private readonly preopenNames = new Map<number, Uint8Array>();
  private readonly options: WasiOptions;
  private cageState: Cage | undefined;

  constructor(options: WasiOptions) {
    this.options = options;
    this.fs = options.fs;
    this.cage = options.cageId;
    this.args = stringListImports(() => this.m(), options.args, W.WASI_EFAULT);
    this.env = stringListImports(() => this.m(), options.env, W.WASI_EFAULT);
  }

  /** Opens the preopened directories at fds 3, 4, … (call once the cage exists in the IMFS). */
  openPreopens(): { fd: number; preopen: Preopen }[] {
    const opened: { fd: number; preopen: Preopen }[] = [];
    for (const p of this.options.preopens ?? [{ guest: '/', dir: '/' }]) {
      const fd = this.fs.open(this.cage, p.dir, O_RDONLY | O_DIRECTORY);
      if (fd < 0) throw new Error(`WASI preopen '${p.guest}': IMFS directory '${p.dir}' cannot be opened (errno ${-fd})`);
      this.preopenNames.set(fd, Buffer.from(p.guest));
      this.rights.set(fd, this.fileOf(fd), W.FILETYPE_DIRECTORY, RIGHTS_DIRECTORY, RIGHTS_DIRECTORY_INHERITING);
      opened.push({ fd, preopen: p });
    }
    return opened;
  }

  /** The cage's memory: a WASI cage exports it, so it is set after instantiation. */
  setMemory(memory: WebAssembly.Memory): void {
    this.mem = new CageMemory(memory);
  }

  /** The cage memory (its views refresh themselves when a bounds check finds them stale). */
  m(): CageMemory {
    const mem = this.mem;
    if (mem === null) throw new Error('WASI call before the cage memory was set');
    return mem;
  }

  /** The open file description behind fd (its identity is what rights are recorded against). */
  fileOf(fd: number): unknown {
    this.cageState ??= this.fs.cage(this.cage);
    return this.cageState?.files[fd];
  }

  /**
   * Whether fd may be used for what `rights` allow: 0, or BADF for no descriptor,
   * NOTDIR for a directory's rights asked of something else, NOTCAPABLE for rights it
   * lacks. A descriptor nobody recorded rights for (stdio, or one the lind ABI opened)
   * gets those of its type first.
   */
  need(fd: number, rights: number): number {
    const file = this.fileOf(fd);
    if (file === undefined) return W.WASI_EBADF;
    const table = this.rights;
    if (!table.has(fd, file)) {
      const r = this.adopt(fd, file);
      if (r !== 0) return r;
    }
    const missing = rights & ~table.base[fd];
    if (missing === 0) return 0;
    return (missing & DIRECTORY_ONLY) !== 0 && table.filetype[fd] !== W.FILETYPE_DIRECTORY ? W.WASI_ENOTDIR : W.WASI_ENOTCAPABLE;
  }

  /**
   * Records for fd its type and the rights of its type: all of them, or (`base`,
   * `inheriting`: what path_open asked for) those asked for.
   */
  private adopt(fd: number, file: unknown, base = ALL_RIGHTS, inheriting = ALL_RIGHTS): number {
    const type = this.fs.fileType(this.cage, fd);
    if (type < 0) return toWasiErrno(type);
    // Only a character device can be a terminal: a file or directory opened asks no more.
    const tty = type === S_IFCHR && this.fs.isatty(this.cage, fd) === 1;
    const [ofType, inheritingOfType] = rightsOfType(type, tty);
    this.rights.set(fd, file, tty ? W.FILETYPE_CHARACTER_DEVICE : filetypeOfMode(type), base & ofType, inheriting & inheritingOfType);
    return 0;
  }

  /** After path_open: fd holds the rights asked for that apply to what it is. */
  record(fd: number, base: number, inheriting: number): void {
    this.adopt(fd, this.fileOf(fd), base, inheriting);
  }

  /** After fd_close. */
  closed(fd: number): void {
    this.rights.delete(fd);
    this.preopenNames.delete(fd);
  }

  /** After fd_renumber made `to` share fd's description and closed fd: rights and preopen name move. */
  renumbered(fd: number, to: number): void {
    const file = this.fileOf(to);
    if (this.rights.has(fd, file)) this.rights.copy(fd, to, file);
    else this.rights.delete(to);
    this.rights.delete(fd);
    const name = this.preopenNames.get(fd);
    this.preopenNames.delete(fd);
    this.preopenNames.delete(to);
    if (name !== undefined) this.preopenNames.set(to, name);
  }

  /** The name of the preopen at fd, while fd is still open. */
  preopenName(fd: number): Uint8Array | undefined {
    const name = this.preopenNames.get(fd);
    return name !== undefined && this.fileOf(fd) !== undefined ? name : undefined;
  }

  /** A (ptr, len) path argument decoded into `holder`, or a WASI errno. */
  path(ptr: number, len: number, holder = this.path1): BytePath | number {
    const m = this.m();
    ptr >>>= 0;
    len >>>= 0;
    if (!m.ok(ptr, len)) return W.WASI_EFAULT;
    holder.bytes = bytesToBinary(m.u8, ptr, ptr + len);
    return holder.bytes.indexOf('\0') >= 0 ? W.WASI_EINVAL : holder;
  }

  /** The iovec array at ptr (8-byte {u32 buf, u32 len} entries) as views, or a WASI errno. */
  iovecs(ptr: number, count: number): Uint8Array[] | number {
    const m = this.m();
    ptr >>>= 0;
    count >>>= 0;
    if (count > 1024) return W.WASI_EINVAL;
    if (!m.ok(ptr, count * IOVEC)) return W.WASI_EFAULT;
    const out: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      const buf = m.u32(ptr + i * IOVEC), len = m.u32(ptr + i * IOVEC + 4);
      if (!m.ok(buf, len)) return W.WASI_EFAULT;
      out.push(m.view(buf, len));
    }
    return out;
  }

  /** A u32 result written to an out-pointer, or FAULT. */
  outU32(ptr: number, value: number): number {
    const m = this.m();
    ptr >>>= 0;
    if (!m.ok(ptr, 4)) return W.WASI_EFAULT;
    m.setU32(ptr, value);
    return 0;
  }

  outU64(ptr: number, value: number | bigint): number {
    const m = this.m();
    ptr >>>= 0;
    if (!m.ok(ptr, 8)) return W.WASI_EFAULT;
    if (typeof value === 'bigint') m.dv.setBigUint64(ptr, value, true);
    else m.setU64(ptr, value);
    return 0;
  }

  /** A core result as a WASI errno; "would block" cannot be waited for while this cage alone runs. */
  errno(r: number, what: string): number {
    if (r === WOULD_BLOCK) {
      (this.options.warn ?? ((s: string) => process.stderr.write(`imfs-grate: ${s}\n`)))(
        `cage ${this.cage}: ${what} would block forever (no other cage can run while it waits); answering DEADLK`);
      return W.WASI_EDEADLK;
    }
    return toWasiErrno(r);
  }

  /** Times from (atim, mtim, fst_flags), each time in halves, as utimensat's pair, or a WASI errno. */
  times(aLo: number, aHi: number, mLo: number, mHi: number, flags: number): [Timespec, Timespec] | number {
    if ((flags & W.FSTFLAGS_ATIM && flags & W.FSTFLAGS_ATIM_NOW) || (flags & W.FSTFLAGS_MTIM && flags & W.FSTFLAGS_MTIM_NOW)) return W.WASI_EINVAL;
    if (flags & ~0xf) return W.WASI_EINVAL;
    const one = (lo: number, hi: number, set: number, now: number): Timespec =>
      flags & now ? { sec: 0, nsec: UTIME_NOW } : flags & set ? nsToTimespec((BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0)) : { sec: 0, nsec: UTIME_OMIT };
    return [one(aLo, aHi, W.FSTFLAGS_ATIM, W.FSTFLAGS_ATIM_NOW), one(mLo, mHi, W.FSTFLAGS_MTIM, W.FSTFLAGS_MTIM_NOW)];
  }

  /** The import functions, one per row: the rights check, then the handler. */
  functions(): Record<string, ImportFn> {
    const fns: Record<string, ImportFn> = {};
    for (const row of WASI_ROWS) fns[row.name] = this.importOf(row);
    return fns;
  }

  /** A row as an import: its halves form, and (when it has i64 parameters) the BigInt form carrying it. */
  private importOf(row: WasiRow): ImportFn {
    const call = row.call, needs = row.needs;
    // Fixed parameter lists (the longest row takes eleven numbers): no rest arrays per call.
    let halves: (...args: number[]) => number;
    if (needs.length === 0) {
      halves = (a, b, c, d, e, f, g, h, i, j, k) => call(this, a, b, c, d, e, f, g, h, i, j, k);
    } else if (needs.length === 1 && needs[0][0] === 0) {
      const rights = needs[0][1];
      halves = (a, b, c, d, e, f, g, h, i, j, k) => {
        const denied = this.need(a, rights);
        return denied !== 0 ? denied : call(this, a, b, c, d, e, f, g, h, i, j, k);
      };
    } else {
      halves = (...args) => {
        for (const [at, rights] of needs) {
          const denied = this.need(args[halvesIndex(row, at)], rights);
          if (denied !== 0) return denied;
        }
        return call(this, ...args);
      };
    }
    if (!row.params.includes('i64')) return halves;
    // The BigInt form: what an import object must hold for i64 parameters.
    const bigintForm = (...args: (number | bigint)[]) => halves(...args.flatMap((v) =>
      typeof v === 'bigint' ? [lowOf(v), highOf(v)] : [v]));
    return withHalves(bigintForm, row.params, halves);
  }

  /**
   * path_* functions resolve beneath their directory descriptor: a preview1 descriptor is
   * a capability for its subtree, so ".." above it, absolute paths and absolute symlinks
   * are NOTCAPABLE (the core reports such an escape as EXDEV, which maps to NOTCAPABLE).
   * A cage that imports only WASI stays confined; in a cage that also imports lind, only
   * the path_* calls are.
   */
  private confine(fns: Record<string, ImportFn>): void {
    const cage = this.fs.cage(this.cage);
    if (cage === undefined) throw new Error(`WASI cage ${this.cage} does not exist in the IMFS`);
    if (this.options.exclusive ?? true) {
      cage.beneath = true;
      return;
    }
    for (const [name, fn] of Object.entries(fns)) {
      if (!name.startsWith('path_')) continue;
      fns[name] = (...args: never[]) => {
        cage.beneath = true;
        try {
          return fn(...args);
        } finally {
          cage.beneath = false;
        }
      };
    }
  }

  /** The import module, traced when a sink is given (one line per call, at this one place). */
  imports(): WebAssembly.Imports {
    const fns = this.functions();
    this.confine(fns);
    const trace = this.options.trace;
    if (trace !== undefined) {
      for (const row of WASI_ROWS) {
        const fn = fns[row.name];
        fns[row.name] = (...args: never[]) => {
          let result: number | void;
          try {
            result = fn(...args);
          } catch (e) {
            trace(`[cage ${this.cage}] ${row.name}(${this.traceArgs(row, args)}) = ${e instanceof CageExit ? `exit ${e.status}` : 'trap'}`);
            throw e;
          }
          trace(`[cage ${this.cage}] ${row.name}(${this.traceArgs(row, args)}) = ${typeof result === 'number' ? wasiResult(result) : 'void'}`);
          return result;
        };
      }
    }
    return { wasi_snapshot_preview1: fns as unknown as WebAssembly.ModuleImports };
  }

  /** The arguments as the log shows them (as the cage passed them: i64s as BigInts). */
  private traceArgs(row: WasiRow, args: readonly unknown[]): string {
    const shown: string[] = [];
    row.args.forEach((kind, k) => {
      if (kind === 'len') return;
      const v = args[k];
      if (kind === 'path') {
        const ptr = Number(v) >>> 0, len = Number(args[k + 1]) >>> 0;
        shown.push(this.mem !== null && this.mem.ok(ptr, len) ? quote(this.mem.view(ptr, len)) : `${formatArg('ptr', ptr)} (${len} bytes, not in memory)`);
      } else {
        shown.push(formatWasiArg(kind, v));
      }
    });
    return shown.join(', ');
  }
}

const LOOKUP_FLAGS: [number, string][] = [[W.LOOKUP_SYMLINK_FOLLOW, 'SYMLINK_FOLLOW']];
const OPEN_FLAGS: [number, string][] = [[W.OFLAGS_CREAT, 'CREAT'], [W.OFLAGS_DIRECTORY, 'DIRECTORY'], [W.OFLAGS_EXCL, 'EXCL'], [W.OFLAGS_TRUNC, 'TRUNC']];
const FD_FLAGS: [number, string][] = [[W.FDFLAGS_APPEND, 'APPEND'], [W.FDFLAGS_DSYNC, 'DSYNC'], [W.FDFLAGS_NONBLOCK, 'NONBLOCK'], [W.FDFLAGS_RSYNC, 'RSYNC'], [W.FDFLAGS_SYNC, 'SYNC']];
const FST_FLAGS: [number, string][] = [[W.FSTFLAGS_ATIM, 'ATIM'], [W.FSTFLAGS_ATIM_NOW, 'ATIM_NOW'], [W.FSTFLAGS_MTIM, 'MTIM'], [W.FSTFLAGS_MTIM_NOW, 'MTIM_NOW']];
const WHENCE = ['SET', 'CUR', 'END'];

/** One WASI argument as the log shows it: flags by name, rights in hex, pointers in hex. */
function formatWasiArg(kind: WasiArgKind, v: unknown): string {
  if (typeof v === 'bigint') return kind === 'rights' ? '0x' + BigInt.asUintN(64, v).toString(16) : String(kind === 'u64' ? BigInt.asIntN(64, v) : v);
  const n = Number(v);
  switch (kind) {
    case 'lookup': return bitNames(n, LOOKUP_FLAGS);
    case 'oflags': return bitNames(n, OPEN_FLAGS);
    case 'fdflags': return bitNames(n, FD_FLAGS);
    case 'fstflags': return bitNames(n, FST_FLAGS);
    case 'whence': return WHENCE[n] ?? String(n);
    case 'ptr': case 'hex': case 'rights': return formatArg(kind === 'rights' ? 'hex' : kind, n >>> 0);
    case 'uint': return String(n >>> 0);
    default: return String(n);
  }
}

/** Where parameter `at` of a row lands in its halves form (each i64 before it took two). */
function halvesIndex(row: WasiRow, at: number): number {
  let k = at;
  for (let i = 0; i < at; i++) if (row.params[i] === 'i64') k++;
  return k;
}

/** A WASI errno as the log shows it. */
function wasiResult(errno: number): string {
  return errno === 0 ? '0' : `${errno} ${WASI_ERRNO_NAMES[errno] ?? ''}`.trim();
}

const WASI_ERRNO_NAMES: Record<number, string> = {
  2: 'ACCES', 8: 'BADF', 16: 'DEADLK', 20: 'EXIST', 21: 'FAULT', 28: 'INVAL', 29: 'IO', 31: 'ISDIR',
  32: 'LOOP', 37: 'NAMETOOLONG', 44: 'NOENT', 51: 'NOSPC', 52: 'NOSYS', 54: 'NOTDIR', 55: 'NOTEMPTY',
  57: 'NOTSOCK', 58: 'NOTSUP', 63: 'PERM', 70: 'SPIPE', 76: 'NOTCAPABLE',
};
