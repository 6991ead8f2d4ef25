/**
 * The ABI fuzzer: seeded sequences of hostile system calls, driven through the real import
 * functions of both ABIs against real cage memories, with the IMFS invariants
 * (src/core/check.ts) checked after every call.
 *
 * - Lind: the `make-syscall` adapter itself, called with BigInt arguments as a cage passes
 *   them (value/cage-id pairs, NOTUSED in unused slots), plus the other `lind` imports
 *   through a wasm trampoline. Call numbers and argument kinds come from LIND_ROWS.
 * - WASI: every `wasi_snapshot_preview1` function, called from wasm through a trampoline
 *   (so i32/i64 conversions both ways are a cage's), with parameter shapes from abi.md §5.2.
 * - Memories: shared with a maximum for lind cages (and the lind+WASI cage), plain for the
 *   WASI cage; both grow now and then (brk/mmap, or a host-side grow).
 *
 * A campaign is a run of epochs. Each epoch builds a fresh world from (seed, epoch): an IMFS
 * with random limits and four cages (lind as root, lind as uid 1000, WASI, lind+WASI on one
 * memory as uid 1000), then generates and runs calls. Each call is a concrete record (its
 * arguments and the bytes written into memory before it), so a failing epoch is replayed
 * and delta-debugged to a short list of calls. Arguments are valid most of the time and
 * hostile otherwise: bad descriptors, paths with every oddity (empty, huge, non-UTF-8,
 * deep, through symlink loops the fuzzer makes), random flags and modes, pointers that are
 * NULL, run past the end of memory, wrap, or overlap the call's other buffers.
 *
 * A failure is a host exception (anything but CageExit/CagePanic, which end the cage: it is
 * re-created), an invariant violation, a result that is no errno of its ABI, or a call that
 * takes longer than CALL_LIMIT_MS (nothing may block; sleeps the fuzzer asks for are tiny).
 */
import {
  Imfs, manualClock, makedev, type Limits, type Device,
  O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_NOCTTY, O_TRUNC, O_APPEND, O_NONBLOCK, O_DSYNC,
  O_ASYNC, O_DIRECT, O_LARGEFILE, O_DIRECTORY, O_NOFOLLOW, O_NOATIME, O_CLOEXEC, O_SYNC, O_PATH,
  O_TMPFILE, S_IFREG, S_IFDIR, S_IFIFO, S_IFCHR, S_IFBLK, S_IFSOCK, S_IFLNK,
  AT_FDCWD, AT_SYMLINK_NOFOLLOW, AT_REMOVEDIR, AT_SYMLINK_FOLLOW, AT_EMPTY_PATH, AT_EACCESS,
  AT_NO_AUTOMOUNT, UTIME_NOW, UTIME_OMIT, errnoName,
} from '../../src/core/index.js';
import { checkInvariants } from '../../src/core/check.js';
import { LindAbi } from '../../src/abi/lind.js';
import { LIND_ROWS } from '../../src/abi/lind-table.js';
import { WasiAbi } from '../../src/abi/wasi.js';
import { CageHeap } from '../../src/abi/cage-heap.js';
import { CageMemory } from '../../src/abi/cage-memory.js';
import { CageExit, CagePanic } from '../../src/abi/exit.js';
import { quote } from '../../src/abi/trace.js';
import { registerDevices, populateRoot } from '../../src/grate/devices.js';
import { buildModule, op, type ValType } from '../helpers/wasm-builder.js';
import { readModuleInfo, type ModuleImport } from '../../src/abi/wasm-module.js';
import { guardImports } from '../../src/grate/stack-guard.js';

/** A call slower than this is a failure (nothing in the core may block). */
export const CALL_LIMIT_MS = 1000;
/** Calls per epoch (a fresh world each time, which bounds what a minimizer must replay). */
export const EPOCH_CALLS = 2000;

// ---- a deterministic PRNG (sfc32) ----------------------------------------------------------

export class Rng {
  private a: number; private b: number; private c: number; private d: number;
  constructor(seed: number) {
    this.a = 0x9e3779b9; this.b = 0x243f6a88; this.c = 0xb7e15162; this.d = seed >>> 0;
    for (let i = 0; i < 15; i++) this.u32();
  }
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }
  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor((this.u32() / 4294967296) * n);
  }
  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.below(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.u32() < p * 4294967296;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }
  /** A value from [value, weight] pairs. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of items) total += w;
    let x = (this.u32() / 4294967296) * total;
    for (const [v, w] of items) { if ((x -= w) < 0) return v; }
    return items[items.length - 1][0];
  }
  u64(): bigint {
    return (BigInt(this.u32()) << 32n) | BigInt(this.u32());
  }
}

/** A 32-bit hash of two numbers (for per-epoch seeds). */
export function mix(a: number, b: number): number {
  let h = (a ^ Math.imul(b + 0x9e3779b9, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

// ---- calls -------------------------------------------------------------------------------------

export type Abi = 'lind' | 'lind-import' | 'wasi' | 'host';

/** Bytes put into the cage memory before a call: exact bytes, or `len` copies of `fill`. */
export interface MemWrite {
  at: number;
  bytes?: Uint8Array;
  fill?: number;
  len?: number;
}

/** One concrete call: everything needed to replay it. */
export interface Call {
  slot: number;
  abi: Abi;
  /** The syscall row name, WASI function or lind import, or the host action. */
  name: string;
  /** Lind call number (abi 'lind'). */
  nr?: number;
  args: (number | bigint)[];
  mem: MemWrite[];
  /** What some arguments point at, for the printed reproducer. */
  notes?: Record<number, string>;
  /**
   * [pointer, length] of every buffer the call was given: the call may write inside them and
   * nowhere else (the 64 bytes on each side are checked; a zero length is a canary).
   */
  regions?: [number, number][];
}

export interface Failure {
  kind: 'exception' | 'invariant' | 'result' | 'memory' | 'slow' | 'hang';
  /** Index of the failing call in the sequence. */
  index: number;
  message: string;
  /** What minimization must keep (the message with numbers blurred). */
  signature: string;
}

// ---- the world: one IMFS and its cages ------------------------------------------------------

export interface Config {
  seed: number;
  epoch: number;
  limits: Partial<Limits>;
  umask: number;
  lindPages: number;
  lindMax: number;
  wasiPages: number;
  wasiMax: number;
}

export function makeConfig(seed: number, epoch: number): Config {
  const rng = new Rng(mix(seed, epoch * 2 + 1));
  const limits: Partial<Limits> = {
    chunkSize: rng.pick([512, 4096, 16384]),
    maxBytes: rng.pick([64 * 1024, 1 << 20, 8 << 20]),
    maxInodes: rng.pick([40, 300, 100000]),
    maxFds: rng.pick([8, 48, 1024]),
  };
  if (rng.chance(0.3)) limits.maxFileSize = rng.pick([1 << 20, 2 ** 31, 2 ** 40]);
  if (rng.chance(0.2)) limits.maxLinks = rng.pick([4, 10]);
  return {
    seed, epoch, limits,
    umask: rng.pick([0, 0o022, 0o077, 0o777]),
    // Now and then a memory of one page, or (WASI) none at all: every pointer is then out of bounds.
    lindPages: rng.chance(0.05) ? 1 : rng.range(2, 6), lindMax: rng.pick([16, 32]),
    wasiPages: rng.chance(0.05) ? rng.pick([0, 1]) : rng.range(2, 6), wasiMax: rng.pick([16, 32]),
  };
}

type SlotKind = 'lind' | 'wasi' | 'mixed';
interface SlotSpec { kind: SlotKind; cageId: number; uid: number }
export const SLOTS: readonly SlotSpec[] = [
  { kind: 'lind', cageId: 1, uid: 0 },
  { kind: 'lind', cageId: 2, uid: 1000 },
  { kind: 'wasi', cageId: 3, uid: 0 },
  { kind: 'mixed', cageId: 4, uid: 1000 },
];

type Fn = (...args: unknown[]) => unknown;

interface Slot {
  spec: SlotSpec;
  memory: WebAssembly.Memory;
  makeSyscall: Fn | null;
  lindImports: Record<string, Fn> | null;
  wasi: Record<string, Fn> | null;
}

const ARGS = [Buffer.from('cage'), Buffer.from('--flag'), Buffer.from([0xff, 0x41])];
const ENV = [Buffer.from('HOME=/tmp'), Buffer.from('X=')];
const PREOPENS = [{ guest: '/', dir: '/' }, { guest: '/tmp', dir: '/tmp' }];
const T0 = 1_700_000_000;

/** stdio for the cages: a terminal-like sink, an empty input, a pipe-like sink. */
const STDIN: Device = { read: () => 0, readable: () => 0 };
const TTY: Device = { write: (_s, _o, len) => len, read: () => 0, isatty: true };
const SINK: Device = { write: (_s, _o, len) => len };

export class World {
  readonly fs: Imfs;
  readonly slots: Slot[] = [];

  constructor(readonly config: Config) {
    this.fs = new Imfs({ clock: manualClock(T0, 1000), limits: config.limits });
    registerDevices(this.fs);
    populateRoot(this.fs);
    seedTree(this.fs);
    for (let i = 0; i < SLOTS.length; i++) this.slots.push(this.start(SLOTS[i], null));
  }

  /** Creates (or, after a fork, adopts) a slot's cage and instantiates its ABIs on a fresh memory. */
  private start(spec: SlotSpec, forkedFrom: number | null): Slot {
    const fs = this.fs, id = spec.cageId;
    if (forkedFrom === null) {
      const cred = { uid: spec.uid, gid: spec.uid, groups: [spec.uid], umask: this.config.umask };
      // Earlier calls may have removed /tmp or taken its permissions away: then the cage starts in /.
      let r = fs.createCage(id, { ...cred, cwd: '/tmp' });
      if (r < 0) r = fs.createCage(id, cred);
      if (r < 0) throw new Error(`fuzzer: cannot create cage ${id} (${errnoName(r)})`);
      fs.installStream(id, 0, STDIN, O_RDONLY, S_IFCHR);
      fs.installStream(id, 1, TTY, O_WRONLY, S_IFCHR);
      fs.installStream(id, 2, SINK, O_WRONLY, S_IFIFO);
    }
    const shared = spec.kind !== 'wasi';
    const memory = shared
      ? new WebAssembly.Memory({ initial: this.config.lindPages, maximum: this.config.lindMax, shared: true })
      : new WebAssembly.Memory({ initial: this.config.wasiPages, maximum: this.config.wasiMax });
    const slot: Slot = { spec, memory, makeSyscall: null, lindImports: null, wasi: null };
    if (spec.kind !== 'wasi') {
      const lind = new LindAbi({
        fs, cageId: id, parentId: 0, memory, heap: new CageHeap(new CageMemory(memory)), args: ARGS, env: ENV, warn: () => {},
      });
      const imports = lind.imports();
      slot.makeSyscall = (imports.lind as Record<string, Fn>)['make-syscall'];
      slot.lindImports = lindTrampoline(imports);
    }
    if (spec.kind !== 'lind') {
      // Only the preopens this cage can open now (earlier calls may have removed or locked them).
      const preopens = forkedFrom !== null ? [] : PREOPENS.filter((p) => {
        const fd = fs.open(id, p.dir, O_RDONLY | O_DIRECTORY);
        if (fd >= 0) fs.close(id, fd);
        return fd >= 0;
      });
      const wasi = new WasiAbi({ fs, cageId: id, args: ARGS, env: ENV, preopens, exclusive: spec.kind === 'wasi', warn: () => {} });
      wasi.openPreopens();
      wasi.setMemory(memory);
      slot.wasi = wasiTrampoline(wasi.imports().wasi_snapshot_preview1 as Record<string, Fn>);
    }
    return slot;
  }

  /** The cage left (exit, proc_exit, panic): forget it and start a new one in its place. */
  restart(i: number): void {
    const r = this.fs.exitCage(this.slots[i].spec.cageId);
    if (r < 0) throw new Error(`fuzzer: exitCage(${this.slots[i].spec.cageId}) = ${errnoName(r)}`);
    this.slots[i] = this.start(this.slots[i].spec, null);
  }

  /** fork: slot `to` becomes a child of slot `from` (its cage exits first). */
  fork(from: number, to: number): number {
    const child = this.slots[to].spec;
    let r = this.fs.exitCage(child.cageId);
    if (r < 0) return r;
    r = this.fs.forkCage(this.slots[from].spec.cageId, child.cageId);
    if (r < 0) {
      this.slots[to] = this.start(child, null);
      return r;
    }
    this.slots[to] = this.start(child, from);
    return 0;
  }

  memSize(i: number): number {
    return this.slots[i].memory.buffer.byteLength;
  }

  /** The descriptors slot i's cage has open now: all, only directories, only regular files, or all but directories. */
  openFds(i: number, want: 'any' | 'dir' | 'reg' | 'data' = 'any'): number[] {
    const out: number[] = [];
    const t = this.fs.inodes;
    this.fs.cage(this.slots[i].spec.cageId)?.files.forEach((f, fd) => {
      if (f === undefined) return;
      if (want === 'any' || (want === 'dir' && t.isDir(f.ino)) || (want === 'reg' && t.isReg(f.ino)) || (want === 'data' && !t.isDir(f.ino))) out.push(fd);
    });
    return out;
  }
}

/**
 * What each epoch starts with in /tmp, so that calls meet existing things: directories (one
 * deep chain), files with data, symlinks into them and symlink loops, a FIFO, a socket node,
 * a device node; some of it owned by uid 1000. Failures (a small inode limit) are ignored.
 */
function seedTree(fs: Imfs): void {
  const G = 0;
  for (const d of ['/tmp/a', '/tmp/a/b', '/tmp/x', '/tmp/d']) fs.mkdir(G, d, 0o777);
  let deep = '/tmp/d';
  for (let i = 0; i < 6; i++) fs.mkdir(G, (deep += '/d'), 0o755);
  for (const f of ['/tmp/f', '/tmp/a/f', '/tmp/g']) {
    const fd = fs.open(G, f, O_CREAT | O_WRONLY, 0o666);
    if (fd >= 0) { fs.write(G, fd, Buffer.alloc(f.length * 700, 0x61)); fs.close(G, fd); }
  }
  for (const [target, link] of [['a', '/tmp/l'], ['loop', '/tmp/loop'], ['self/x', '/tmp/self'], ['..', '/tmp/up'],
    ['../l', '/tmp/a/l'], ['/tmp/a/b', '/tmp/m'], ['d/d/d', '/tmp/c']]) fs.symlink(G, target, link);
  fs.mkfifo(G, '/tmp/p', 0o666);
  fs.mknod(G, '/tmp/s', S_IFSOCK | 0o777);
  fs.mknod(G, '/tmp/zero', S_IFCHR | 0o666, 1, 5);
  for (const p of ['/tmp/x', '/tmp/g', '/tmp/a/b']) fs.chown(G, p, 1000, 1000);
  fs.chmod(G, '/tmp/x', 0o700);
}

// ---- trampolines: imports called from wasm, as a cage calls them ---------------------------

/** WASI functions and their parameter shapes (abi.md §5.2); each shape is one or more wasm params. */
type Shape =
  | 'fd' | 'i32' | 'u64' | 'path' | 'target' | 'iovr' | 'iovw' | 'buf' | 'poll' | 'cookie' | 'rights' | 'ts'
  | 'clockid' | 'advice' | 'fdflags' | 'oflags' | 'lookup' | 'fstflags' | 'whence' | 'signal' | 'exit'
  | 'riflags' | 'sdflags' | `out${number}`;

export const WASI_FUNCS: Readonly<Record<string, Shape[]>> = {
  args_get: ['out64', 'out64'],
  args_sizes_get: ['out4', 'out4'],
  environ_get: ['out64', 'out64'],
  environ_sizes_get: ['out4', 'out4'],
  clock_res_get: ['clockid', 'out8'],
  clock_time_get: ['clockid', 'u64', 'out8'],
  fd_advise: ['fd', 'u64', 'u64', 'advice'],
  fd_allocate: ['fd', 'u64', 'u64'],
  fd_close: ['fd'],
  fd_datasync: ['fd'],
  fd_fdstat_get: ['fd', 'out24'],
  fd_fdstat_set_flags: ['fd', 'fdflags'],
  fd_fdstat_set_rights: ['fd', 'rights', 'rights'],
  fd_filestat_get: ['fd', 'out64'],
  fd_filestat_set_size: ['fd', 'u64'],
  fd_filestat_set_times: ['fd', 'ts', 'ts', 'fstflags'],
  fd_pread: ['fd', 'iovr', 'u64', 'out4'],
  fd_prestat_get: ['fd', 'out8'],
  fd_prestat_dir_name: ['fd', 'buf'],
  fd_pwrite: ['fd', 'iovw', 'u64', 'out4'],
  fd_read: ['fd', 'iovr', 'out4'],
  fd_readdir: ['fd', 'buf', 'cookie', 'out4'],
  fd_renumber: ['fd', 'fd'],
  fd_seek: ['fd', 'u64', 'whence', 'out8'],
  fd_sync: ['fd'],
  fd_tell: ['fd', 'out8'],
  fd_write: ['fd', 'iovw', 'out4'],
  path_create_directory: ['fd', 'path'],
  path_filestat_get: ['fd', 'lookup', 'path', 'out64'],
  path_filestat_set_times: ['fd', 'lookup', 'path', 'ts', 'ts', 'fstflags'],
  path_link: ['fd', 'lookup', 'path', 'fd', 'path'],
  path_open: ['fd', 'lookup', 'path', 'oflags', 'rights', 'rights', 'fdflags', 'out4'],
  path_readlink: ['fd', 'path', 'buf', 'out4'],
  path_remove_directory: ['fd', 'path'],
  path_rename: ['fd', 'path', 'fd', 'path'],
  path_symlink: ['target', 'fd', 'path'],
  path_unlink_file: ['fd', 'path'],
  poll_oneoff: ['poll', 'out4'],
  proc_exit: ['exit'],
  proc_raise: ['signal'],
  random_get: ['buf'],
  sched_yield: [],
  sock_accept: ['fd', 'fdflags', 'out4'],
  sock_recv: ['fd', 'iovr', 'riflags', 'out4', 'out2'],
  sock_send: ['fd', 'iovw', 'i32', 'out4'],
  sock_shutdown: ['fd', 'sdflags'],
};

function wasmParams(shape: Shape): ValType[] {
  switch (shape) {
    case 'u64': case 'cookie': case 'rights': case 'ts': return ['i64'];
    case 'path': case 'target': case 'iovr': case 'iovw': case 'buf': return ['i32', 'i32'];
    case 'poll': return ['i32', 'i32', 'i32'];
    default: return ['i32'];
  }
}

interface Sig { params: ValType[]; results: ValType[] }

/** A module importing `sigs` from `module` and exporting a forwarder for each (same name). */
function trampolineModule(module: string, sigs: Record<string, Sig>): Uint8Array {
  const names = Object.keys(sigs);
  return buildModule({
    imports: names.map((name) => ({ module, name, ...sigs[name] })),
    funcs: names.map((name, i) => ({
      ...sigs[name], export: name,
      body: [...sigs[name].params.flatMap((_, k) => op.localGet(k)), ...op.call(i)],
    })),
  });
}

const WASI_SIGS: Record<string, Sig> = Object.fromEntries(Object.entries(WASI_FUNCS).map(([name, shapes]) =>
  [name, { params: shapes.flatMap(wasmParams), results: name === 'proc_exit' ? [] : ['i32'] }]));

const LIND_IMPORT_SIGS: Record<string, Sig> = {
  args_sizes_get: { params: ['i32', 'i32'], results: ['i32'] },
  args_get: { params: ['i32', 'i32'], results: ['i32'] },
  environ_sizes_get: { params: ['i32', 'i32'], results: ['i32'] },
  environ_get: { params: ['i32', 'i32'], results: ['i32'] },
  'lind-get-memory-base': { params: [], results: ['i64'] },
  'lind-get-cage-id': { params: [], results: ['i64'] },
  'debug-panic': { params: ['i64'], results: [] },
  dlopen: { params: ['i32', 'i32'], results: ['i32'] },
  dlsym: { params: ['i32', 'i32'], results: ['i32'] },
  dlclose: { params: ['i32'], results: ['i32'] },
  epoch_callback: { params: [], results: [] },
};

let wasiModule: { module: WebAssembly.Module; imports: ModuleImport[] } | null = null;
let lindModule: WebAssembly.Module | null = null;

/** WASI imports as the grate hands them to a cage: behind the stack guard, which calls the halves forms. */
function wasiTrampoline(fns: Record<string, Fn>): Record<string, Fn> {
  if (wasiModule === null) {
    const bytes = trampolineModule('wasi_snapshot_preview1', WASI_SIGS);
    wasiModule = { module: new WebAssembly.Module(bytes), imports: readModuleInfo(bytes).imports };
  }
  const imports = guardImports({ wasi_snapshot_preview1: fns as WebAssembly.ModuleImports }, wasiModule.imports);
  return new WebAssembly.Instance(wasiModule.module, imports).exports as unknown as Record<string, Fn>;
}

function lindTrampoline(imports: WebAssembly.Imports): Record<string, Fn> {
  lindModule ??= new WebAssembly.Module(trampolineModule('lind', LIND_IMPORT_SIGS));
  return new WebAssembly.Instance(lindModule, { lind: imports.lind }).exports as unknown as Record<string, Fn>;
}

// ---- generation --------------------------------------------------------------------------------

const NOTUSED = 0xdeadbeefdeadbeefn;
const enc = (s: string) => Buffer.from(s, 'latin1');

/** Names the paths are made of: few, so that calls keep meeting each other's files. */
const NAMES = ['a', 'b', 'c', 'd', 'f', 'g', 'l', 'm', 'x', 'p', 's', 'loop', 'self', 'up', 'tmp', 'dev', 'null', 'zero'];
const ODD_NAMES: Uint8Array[] = [
  enc('.'), enc('..'), enc('\xff\xfe'), Buffer.from('é', 'utf8'), enc('\x80'), enc('n'.repeat(255)), enc('o'.repeat(256)),
  enc(' '), enc('\n'), enc('a\x01b'), enc('-'), enc('...'), enc('\xc3'),
];
/** Names that symlinks get, so that they point at each other (loops). */
const LINK_NAMES = ['l', 'loop', 'self', 'up', 'a'];

const OPEN_FLAG_BITS = [O_CREAT, O_EXCL, O_NOCTTY, O_TRUNC, O_APPEND, O_NONBLOCK, O_DSYNC, O_ASYNC, O_DIRECT,
  O_LARGEFILE, O_DIRECTORY, O_NOFOLLOW, O_NOATIME, O_CLOEXEC, O_SYNC, O_PATH];
const AT_FLAG_BITS = [AT_SYMLINK_NOFOLLOW, AT_REMOVEDIR, AT_SYMLINK_FOLLOW, AT_EMPTY_PATH, AT_EACCESS, AT_NO_AUTOMOUNT, 0x6000];
const FCNTL_CMDS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 36, 37, 38, 1024, 1025, 1026, 1030, 1031, 1032, 1033, 1034];
const LOCK_CMDS = new Set([5, 6, 7, 12, 13, 14, 36, 37, 38]);
const IOCTLS = [0x5401, 0x5413, 0x541b, 0x5421, 0x5450, 0x5451, 0x5452, 0x5402, 0];

/** The struct a lind call writes through a pointer argument (abi.md §3): "row:argument" → bytes. */
const LIND_OUT_SIZES: Record<string, number> = {
  'stat:1': 104, 'fstat:1': 104, 'lstat:1': 104, 'newfstatat:2': 112, 'statfs:1': 112, 'fstatfs:1': 112,
  'statx:4': 256, 'pipe:0': 8, 'rt_sigprocmask:2': 8, 'rt_sigaction:2': 152, 'rt_sigaction:1': 152,
};

/** Lind rows the generator favours (weight 6) and the few it keeps rare. */
const LIND_COMMON = new Set([
  'read', 'write', 'open', 'close', 'stat', 'fstat', 'lstat', 'lseek', 'pread64', 'pwrite64', 'readv', 'writev',
  'openat', 'mkdir', 'mkdirat', 'rmdir', 'unlink', 'unlinkat', 'rename', 'renameat', 'renameat2', 'link', 'linkat',
  'symlink', 'symlinkat', 'readlink', 'readlinkat', 'getdents', 'getdents64', 'ftruncate', 'truncate', 'fcntl',
  'dup', 'dup2', 'dup3', 'newfstatat', 'chdir', 'fchdir', 'getcwd', 'mknod', 'mknodat', 'pipe', 'pipe2',
  'fallocate', 'copy_file_range', 'sendfile', 'utimensat', 'chmod', 'fchmod', 'fchmodat', 'chown', 'fchown',
  'lchown', 'fchownat', 'access', 'faccessat', 'flock', 'statx', 'preadv', 'pwritev', 'statfs', 'fstatfs', 'umask',
  'fsync', 'fdatasync', 'syncfs', 'sync_file_range', 'ioctl', 'poll', 'ppoll', 'mmap',
]);
const LIND_WEIGHTS: Record<string, number> = {
  exit: 0.15, exit_group: 0.15, nanosleep: 0.3, brk: 0.5, munmap: 0.5, mprotect: 0.5,
  // Descriptors come and go: more opens than closes keeps the table populated.
  open: 25, openat: 25, pipe: 4, pipe2: 4, dup: 4, close: 3, dup2: 3, dup3: 3,
};
const LIND_CHOICES: [number, number][] = [...LIND_ROWS.entries()].map(([nr, row]) =>
  [nr, LIND_WEIGHTS[row.name] ?? (LIND_COMMON.has(row.name) ? 6 : 1)]);
LIND_CHOICES.push([-1, 0.2]); // an unknown call number, drawn at random

const WASI_WEIGHTS: Record<string, number> = {
  proc_exit: 0.1, proc_raise: 0.2, poll_oneoff: 1, sched_yield: 0.3, path_open: 25, fd_close: 3, fd_renumber: 3,
};
const WASI_CHOICES: [string, number][] = Object.keys(WASI_FUNCS).map((name) =>
  [name, WASI_WEIGHTS[name] ?? (name.startsWith('path_') || name.startsWith('fd_') ? 6 : 1)]);

/** Builds one call: places its buffers in the slot's memory and records the bytes. */
class CallBuilder {
  readonly mem: MemWrite[] = [];
  readonly notes: Record<number, string> = {};
  /** Every pointer handed to the call with the bytes it may write there (see Call.regions). */
  readonly regions: [number, number][] = [];
  /** Buffers placed so far in this call (for overlaps). */
  private readonly placed: [number, number][] = [];
  private next: number;

  constructor(private readonly rng: Rng, readonly size: number) {
    this.next = 16 + rng.below(Math.max(1, size >>> 2));
    // A canary somewhere: no call may write there.
    this.regions.push([rng.below(size), 0]);
  }

  /** A pointer for `len` bytes: valid most of the time, hostile otherwise. */
  ptr(len: number, hostile = 0.12): number {
    const p = this.choose(len, hostile);
    this.regions.push([p, len]);
    return p;
  }

  private choose(len: number, hostile: number): number {
    const rng = this.rng, size = this.size;
    if (!rng.chance(hostile)) {
      if (len > size - 64) return this.hostile(len);
      let at: number;
      if (this.next + len < size - 8 && rng.chance(0.8)) {
        at = this.next;
        this.next = (at + len + rng.pick([0, 1, 7, 8, 64]) + 7) & ~7;
      } else {
        at = 64 + rng.below(size - 64 - len);
      }
      if (rng.chance(0.2)) at = Math.min(at + rng.below(4), size - len);
      this.placed.push([at, len]);
      return at;
    }
    return this.hostile(len);
  }

  private hostile(len: number): number {
    const rng = this.rng, size = this.size;
    switch (rng.below(9)) {
      case 0: return 0;
      case 1: return Math.max(0, size - len); // exactly at the end
      case 2: return size - 1 - rng.below(Math.max(1, Math.min(len, 64))); // straddles the end
      case 3: return size + rng.below(1 << 20);
      case 4: return 0xffffffff - rng.below(32); // wraps
      case 5: return rng.pick([0xfffffff0, 0x80000000, 0x7fffffff, 0xfffff000]);
      case 6: return this.placed.length > 0 ? rng.pick(this.placed)[0] + rng.below(8) : rng.below(64); // overlaps another buffer
      case 7: return 1 + rng.below(63);
      default: return rng.u32();
    }
  }

  /** Lets the call write [p, p + len) (a pointer made some other way than by ptr()). */
  allow(p: number, len: number): void {
    this.regions.push([p, len]);
  }

  /** Puts bytes at a pointer (if they fit in memory). */
  put(at: number, bytes: Uint8Array): void {
    if (at >= 0 && at + bytes.length <= this.size) this.mem.push({ at, bytes });
  }

  fill(at: number, len: number, byte: number): void {
    if (at >= 0 && len > 0 && at + len <= this.size) this.mem.push({ at, fill: byte, len });
  }

  /** A data buffer of `len` bytes, filled with one random byte value. */
  data(len: number): number {
    const p = this.ptr(len);
    this.fill(p, len, this.rng.below(256));
    return p;
  }

  /** A struct of the given bytes; returns its pointer. */
  struct(bytes: Uint8Array, hostile = 0.1): number {
    const p = this.ptr(bytes.length, hostile);
    this.put(p, bytes);
    return p;
  }
}

/** Little-endian struct bytes from [offset, width, value] fields. */
function pack(size: number, fields: [number, 1 | 2 | 4 | 8, number | bigint][]): Uint8Array {
  const b = Buffer.alloc(size);
  for (const [off, w, v] of fields) {
    if (off + w > size) continue;
    if (w === 8) b.writeBigUInt64LE(BigInt.asUintN(64, BigInt(v)), off);
    else if (w === 4) b.writeUInt32LE(Number(BigInt.asUintN(32, BigInt(v))), off);
    else if (w === 2) b.writeUInt16LE(Number(v) & 0xffff, off);
    else b[off] = Number(v) & 0xff;
  }
  return b;
}

export class CallGenerator {
  private b!: CallBuilder;
  private slot = 0;

  constructor(readonly rng: Rng, readonly world: World) {}

  next(): Call {
    const rng = this.rng;
    if (rng.chance(0.008)) return this.host();
    this.slot = rng.below(SLOTS.length);
    this.b = new CallBuilder(rng, this.world.memSize(this.slot));
    const kind = SLOTS[this.slot].kind;
    const useLind = kind === 'lind' || (kind === 'mixed' && rng.chance(0.5));
    const call = useLind ? (rng.chance(0.01) ? this.lindImport() : this.lind()) : this.wasi();
    if (Object.keys(this.b.notes).length > 0) call.notes = this.b.notes;
    call.regions = this.b.regions;
    return call;
  }

  // ---- values ----

  /** A descriptor: mostly one the cage has open (of the kind the call wants), sometimes anything. */
  private fd(want: 'any' | 'dir' | 'data' = 'any'): number {
    const rng = this.rng;
    const r = rng.below(100);
    if (r < 75 && want !== 'any') {
      const fitting = this.world.openFds(this.slot, want === 'data' && r < 50 ? 'reg' : want);
      if (fitting.length > 0) return rng.pick(fitting);
    }
    const open = this.world.openFds(this.slot);
    if (r < 80 && open.length > 0) return rng.pick(open);
    if (r < 90) return rng.below(12);
    return rng.pick([-1, -100, 0x7fffffff, -0x80000000, 1023, 1024, 65535, 48, 47, 8, 7, rng.u32() | 0]);
  }

  private dirfd(): number {
    return this.rng.chance(0.4) ? AT_FDCWD : this.fd('dir');
  }

  private size(max = 1 << 16): number {
    const rng = this.rng;
    switch (rng.below(10)) {
      case 0: return 0;
      case 1: case 2: return rng.range(1, 16);
      case 3: case 4: case 5: return rng.range(17, 4096);
      case 6: return rng.range(4097, max);
      case 7: return rng.range(1, this.b.size);
      case 8: return rng.pick([0xffffffff, 0x80000000, 0x7fffffff, 0x7ffff000, this.b.size + 1, 4096, 512, 65536]);
      default: return rng.range(1, 300);
    }
  }

  private off(): bigint {
    const rng = this.rng;
    switch (rng.below(10)) {
      case 0: return 0n;
      case 1: case 2: return BigInt(rng.below(70000));
      case 3: return BigInt(rng.below(1 << 20));
      case 4: return -BigInt(rng.range(1, 5000));
      case 5: return rng.pick([2n ** 31n - 1n, 2n ** 31n, 2n ** 32n, 2n ** 32n - 1n, 2n ** 40n, 2n ** 44n, 2n ** 53n, 2n ** 53n + 1n]);
      case 6: return rng.pick([2n ** 63n - 1n, -(2n ** 63n), -1n, 2n ** 62n, 16n * 2n ** 40n, 16n * 2n ** 40n - 1n]);
      case 7: return BigInt.asIntN(64, rng.u64());
      default: return BigInt(rng.below(4096));
    }
  }

  /** An offset that is usually a plausible size. */
  private smallOff(): bigint {
    return this.rng.chance(0.7) ? BigInt(this.rng.below(this.rng.chance(0.5) ? 5000 : 200000)) : this.off();
  }

  private bits(list: readonly number[], p: number): number {
    let v = 0;
    for (const bit of list) if (this.rng.chance(p)) v |= bit;
    return v;
  }

  private openFlags(): number {
    const rng = this.rng;
    if (rng.chance(0.05)) return rng.u32() | 0;
    let f = rng.weighted([[O_RDONLY, 4], [O_WRONLY, 3], [O_RDWR, 6], [3, 1]] as const) | this.bits(OPEN_FLAG_BITS, rng.chance(0.5) ? 0.02 : 0.12);
    if (rng.chance(0.6)) f |= O_CREAT;
    if (rng.chance(0.04)) f |= O_TMPFILE;
    return f;
  }

  private mode(withType = false): number {
    const rng = this.rng;
    let m = rng.chance(0.7) ? rng.pick([0o644, 0o755, 0o777, 0o600, 0o000, 0o4755, 0o2755, 0o1777, 0o444, 0o222]) : rng.below(0o10000);
    if (withType) m |= rng.pick([0, S_IFREG, S_IFIFO, S_IFIFO, S_IFCHR, S_IFBLK, S_IFSOCK, S_IFDIR, S_IFLNK, 0o170000]);
    else if (rng.chance(0.05)) m = rng.u32();
    return m;
  }

  private atFlags(): number {
    const rng = this.rng;
    switch (rng.below(10)) {
      case 0: return rng.u32() | 0;
      case 1: case 2: return this.bits(AT_FLAG_BITS, 0.2);
      case 3: case 4: case 5: return rng.pick(AT_FLAG_BITS);
      default: return 0;
    }
  }

  /** A small value from `usual` most of the time, else any int. */
  private oneOf(usual: readonly number[]): number {
    return this.rng.chance(0.85) ? this.rng.pick(usual) : this.int();
  }

  private int(): number {
    const rng = this.rng;
    switch (rng.below(6)) {
      case 0: case 1: return rng.range(-2, 20);
      case 2: return 1 << rng.below(31);
      case 3: return rng.u32() | 0;
      case 4: return rng.pick([-1, -100, 0x7fffffff, -0x80000000, 0]);
      default: return rng.range(0, 8);
    }
  }

  private uid(): number {
    return this.rng.pick([0, 1000, 1001, 0xffffffff, 65534, this.rng.u32()]);
  }

  // ---- paths ----

  private component(): Uint8Array {
    const rng = this.rng;
    return rng.chance(0.85) ? enc(rng.pick(NAMES)) : rng.pick(ODD_NAMES);
  }

  path(): Uint8Array {
    const rng = this.rng;
    // Mostly plain names (which keep meeting each other), then anything.
    if (rng.chance(0.45)) return enc(rng.pick(NAMES));
    if (rng.chance(0.15)) return enc(`${rng.pick(['a', 'a/b', 'd/d', 'x', 'l', '/tmp', '/tmp/a', '.', '..'])}/${rng.pick(NAMES)}`);
    switch (rng.below(40)) {
      case 0: return new Uint8Array(0);
      case 1: return enc('/');
      case 2: return enc(rng.pick(['.', '..', '/tmp', '/dev/null', '/dev/zero', '/dev/full', '//', '/..', './', '../..', '/tmp/']));
      case 3: { // long: around PATH_MAX, or far past it
        const n = rng.pick([4094, 4095, 4096, 4097, 5000, 70000]);
        return enc('a/'.repeat(n).slice(0, n));
      }
      case 4: return enc('a/'.repeat(rng.range(2, 200)) + 'b'); // deep
      case 5: return enc('../'.repeat(rng.range(1, 40)) + rng.pick(NAMES));
      case 6: return enc(`${rng.pick(LINK_NAMES)}/`.repeat(rng.range(1, 12)) + rng.pick(NAMES)); // through symlinks (loops)
      case 7: case 8: return enc('d/'.repeat(rng.range(1, rng.chance(0.5) ? 20 : 2100)) + rng.pick(NAMES)); // into the deep tree
      default: break;
    }
    const parts: Uint8Array[] = [];
    const n = rng.weighted([[1, 6], [2, 4], [3, 2], [4, 1]] as const);
    if (rng.chance(0.15)) parts.push(enc(rng.chance(0.5) ? '/tmp' : ''));
    for (let i = 0; i < n; i++) parts.push(this.component());
    const sep = rng.chance(0.1) ? '//' : '/';
    let s = Buffer.concat(parts.flatMap((p, i) => (i === 0 ? [p] : [enc(sep), p])));
    if (rng.chance(0.1)) s = Buffer.concat([s, enc(rng.pick(['/', '//', '/.']))]);
    return s;
  }

  /** A symlink target: often another link's name (loops), sometimes anything. */
  private target(): Uint8Array {
    const rng = this.rng;
    switch (rng.below(10)) {
      case 0: case 1: case 2: return enc(rng.pick(LINK_NAMES));
      case 3: return enc(rng.pick(['..', '.', '/', '/tmp/loop', 'l/x', 'self/self', '../tmp/l']));
      case 4: return enc(`${rng.pick(LINK_NAMES)}/${rng.pick(NAMES)}`);
      case 5: return enc('t'.repeat(rng.pick([4095, 4096, 1, 255, 256])));
      default: return this.path();
    }
  }

  /** A NUL-terminated path for lind: written into memory, or a bad pointer. */
  private cpath(bytes: Uint8Array, arg: number): bigint {
    const rng = this.rng, b = this.b;
    this.b.notes[arg] = quoteBytes(bytes);
    switch (rng.below(30)) {
      case 0: return 0n;
      case 1: { // no NUL before the end of memory
        const at = Math.max(0, b.size - bytes.length);
        b.put(at, bytes.length > 0 ? bytes : enc('x'));
        if (bytes.length === 0) b.put(b.size - 1, enc('x'));
        return BigInt(at);
      }
      case 2: return BigInt(rng.pick([0xffffffff, 0xfffffff0, b.size, b.size + 8]));
      case 3: return (1n << 32n) | BigInt(rng.below(4096)); // high half set
      default: {
        const withNul = Buffer.concat([bytes, Buffer.from([0])]);
        if (withNul.length > b.size - 64) return BigInt(b.size - 1);
        return BigInt(b.struct(withNul, 0));
      }
    }
  }

  /** A (ptr, len) path for WASI. */
  private wpath(bytes: Uint8Array, args: (number | bigint)[]): void {
    const rng = this.rng, b = this.b;
    b.notes[args.length] = quoteBytes(bytes);
    if (bytes.length > b.size - 64) { args.push(64, bytes.length); return; }
    const p = b.struct(bytes, 0.05);
    let len = bytes.length;
    if (rng.chance(0.05)) {
      len += rng.range(1, 4); // runs into whatever follows: maybe a NUL
      if (rng.chance(0.5)) b.put(p + bytes.length, new Uint8Array(4));
    } else if (rng.chance(0.03)) {
      len = rng.pick([0xffffffff, 0x80000000, b.size]);
    }
    args.push(p, len);
  }

  // ---- structs ----

  /** An iovec array (lind: {u64 base, u64 len}; WASI: {u32 buf, u32 len}) with its buffers. */
  private iovecs(wide: boolean, writing: boolean, count: number): number {
    const rng = this.rng, b = this.b;
    const n = Math.max(0, Math.min(count, 64));
    const entry = wide ? 16 : 8;
    const arr = Buffer.alloc(n * entry);
    const arrPtr = b.ptr(arr.length, 0.08);
    for (let i = 0; i < n; i++) {
      const len = rng.chance(0.85) ? rng.weighted([[0, 1], [rng.range(1, 64), 4], [rng.range(65, 8192), 3], [rng.range(8193, 70000), 1]] as const) : rng.pick([0xffffffff, 0x80000000, b.size]);
      let base = writing ? b.data(Math.min(len, b.size)) : b.ptr(Math.min(len, b.size));
      if (rng.chance(0.06)) {
        base = rng.chance(0.7) ? arrPtr : 0; // the buffer is the iovec array itself, or NULL
        b.allow(base, Math.min(len, b.size));
      }
      if (wide) {
        arr.writeBigUInt64LE(BigInt(base >>> 0) | (rng.chance(0.01) ? 1n << 32n : 0n), i * 16);
        arr.writeBigUInt64LE(rng.chance(0.01) ? (1n << 32n) | BigInt(len) : BigInt(len), i * 16 + 8);
      } else {
        arr.writeUInt32LE(base >>> 0, i * 8);
        arr.writeUInt32LE(len >>> 0, i * 8 + 4);
      }
    }
    b.put(arrPtr, arr);
    return arrPtr;
  }

  private iovCount(): number {
    return this.rng.chance(0.92) ? this.rng.weighted([[0, 1], [1, 5], [2, 3], [3, 2], [8, 1]] as const) : this.rng.pick([-1, 1024, 1025, 0x7fffffff, 64]);
  }

  /** A struct flock: 16 bytes (32-bit) or 32 bytes (64-bit). */
  private flock(wide: boolean): Uint8Array {
    const rng = this.rng;
    const type = rng.chance(0.9) ? rng.range(0, 2) : rng.range(-2, 40);
    const whence = rng.chance(0.9) ? rng.range(0, 2) : rng.range(-1, 5);
    const start = rng.chance(0.7) ? rng.below(200) : Number(BigInt.asIntN(32, this.off()));
    const len = rng.chance(0.7) ? rng.range(-20, 100) : Number(BigInt.asIntN(32, this.off()));
    const pid = rng.chance(0.85) ? 0 : this.int();
    if (!wide) return pack(16, [[0, 2, type], [2, 2, whence], [4, 4, start], [8, 4, len], [12, 4, pid]]);
    const start64 = rng.chance(0.8) ? BigInt(start) : this.off();
    const len64 = rng.chance(0.8) ? BigInt(len) : this.off();
    return pack(32, [[0, 2, type], [2, 2, whence], [8, 8, start64], [16, 8, len64], [24, 4, pid]]);
  }

  /** A timespec that never sleeps for long: a tiny wait, or one that is invalid. */
  private shortTimespec(): Uint8Array {
    const rng = this.rng;
    const [sec, nsec] = rng.pick<[number, number]>([[0, 0], [0, rng.below(1_000_000)], [0, rng.below(2000)], [-1, 0], [0, 1_000_000_000], [0, -1], [-5, -5]]);
    return pack(16, [[0, 8, BigInt(sec)], [8, 8, BigInt(nsec)]]);
  }

  private pollfds(n: number): number {
    const rng = this.rng;
    const arr = Buffer.alloc(Math.max(0, Math.min(n, 16)) * 8);
    for (let i = 0; i < arr.length / 8; i++) {
      arr.writeInt32LE(rng.chance(0.8) ? this.fd() : -1, i * 8);
      arr.writeUInt16LE(rng.chance(0.8) ? rng.pick([1, 4, 5, 0, 0x40, 0x100]) : rng.below(65536), i * 8 + 4);
      arr.writeUInt16LE(rng.below(65536), i * 8 + 6);
    }
    return this.b.struct(arr);
  }

  // ---- lind ----

  private lind(): Call {
    const rng = this.rng, b = this.b;
    let nr = rng.weighted(LIND_CHOICES);
    if (nr === -1) nr = rng.pick([15, 24, 100, 500, 1000, 1004, -1, 0x7fffffff, 334]);
    const row = LIND_ROWS.get(nr);
    const args: bigint[] = Array(6).fill(NOTUSED);
    const s = (k: number, v: number) => { args[k] = BigInt(v | 0); };
    const u = (k: number, v: number) => { args[k] = BigInt(v >>> 0); };
    const p = (k: number, v: number) => { args[k] = BigInt(v); };
    const name = row?.name ?? `syscall_${nr}`;
    const bufArg = (kp: number, kl: number, writing: boolean) => {
      const len = this.size(); u(kl, len);
      p(kp, writing ? b.data(Math.min(len, b.size)) : b.ptr(Math.min(len, b.size)));
    };
    switch (name) {
      case 'read': case 'write': case 'pread64': case 'pwrite64':
        s(0, this.fd('data')); bufArg(1, 2, name.startsWith('w') || name.startsWith('pw'));
        if (name.startsWith('p')) args[3] = this.off();
        break;
      case 'readv': case 'writev': case 'preadv': case 'pwritev': {
        const n = this.iovCount();
        s(0, this.fd('data')); p(1, this.iovecs(true, name.includes('w'), n)); s(2, n);
        if (name.startsWith('p')) args[3] = this.off();
        break;
      }
      case 'getdents': case 'getdents64': s(0, this.fd('dir')); bufArg(1, 2, false); break;
      case 'getcwd': bufArg(0, 1, false); break;
      case 'getrandom': bufArg(0, 1, false); u(2, rng.chance(0.8) ? rng.below(8) : rng.u32()); break;
      case 'readlink': args[0] = this.cpath(this.path(), 0); bufArg(1, 2, false); break;
      case 'readlinkat': s(0, this.dirfd()); args[1] = this.cpath(this.path(), 1); bufArg(2, 3, false); break;
      case 'open': args[0] = this.cpath(this.path(), 0); s(1, this.openFlags()); u(2, this.mode()); break;
      case 'openat': s(0, this.dirfd()); args[1] = this.cpath(this.path(), 1); s(2, this.openFlags()); u(3, this.mode()); break;
      case 'symlink': args[0] = this.cpath(this.target(), 0); args[1] = this.cpath(this.path(), 1); break;
      case 'symlinkat': args[0] = this.cpath(this.target(), 0); s(1, this.dirfd()); args[2] = this.cpath(this.path(), 2); break;
      case 'mknod': case 'mknodat': {
        const o = name === 'mknodat' ? 1 : 0;
        if (o) s(0, this.dirfd());
        args[o] = this.cpath(this.path(), o); u(o + 1, this.mode(true));
        args[o + 2] = rng.chance(0.8) ? makedev(rng.pick([0, 1, 1, 1, 4, 8]), rng.pick([0, 3, 5, 7, 8, 9, 1])) : rng.u64();
        break;
      }
      case 'fcntl': {
        s(0, this.fd());
        const cmd = rng.chance(0.9) ? rng.pick(FCNTL_CMDS) : this.int();
        s(1, cmd);
        if (LOCK_CMDS.has(cmd)) {
          const wide = cmd >= 12;
          u(2, 0);
          // Now and then the other layout: the call still reads and writes the one its command says.
          const at = b.struct(this.flock(rng.chance(0.95) ? wide : !wide));
          b.allow(at, wide ? 32 : 16);
          p(3, at);
        } else if (!rng.chance(0.2)) {
          let v: number;
          switch (cmd) {
            case 4: v = this.bits(OPEN_FLAG_BITS, 0.2); break;
            case 1031: v = rng.pick([0, 1, 4096, 4097, 65536, 1 << 20, (1 << 20) + 1, 1 << 24, -1, 0x7fffffff]); break;
            case 0: case 1030: v = rng.chance(0.8) ? rng.below(60) : this.int(); break;
            default: v = this.int();
          }
          u(2, v); // the variadic int travels zero-extended (abi.md §2.1)
        }
        break;
      }
      case 'utimensat': {
        s(0, this.dirfd());
        args[1] = rng.chance(0.15) ? 0n : this.cpath(this.path(), 1);
        if (rng.chance(0.2)) p(2, 0);
        else {
          const t = () => rng.chance(0.8) ? BigInt(rng.below(2_000_000_000)) : this.off();
          const n = () => rng.pick([UTIME_NOW, UTIME_OMIT, 0, rng.below(1_000_000_000), 1_000_000_000, -1, rng.u32()]);
          p(2, b.struct(pack(32, [[0, 8, t()], [8, 8, BigInt(n())], [16, 8, t()], [24, 8, BigInt(n())]])));
        }
        s(3, rng.chance(0.7) ? rng.pick([0, AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH]) : this.atFlags());
        break;
      }
      case 'nanosleep': {
        s(0, rng.pick([0, 1, 2, 3, 4, 7, 99, -1]));
        s(1, rng.pick([0, 1, 0, 2]));
        p(2, b.struct(this.shortTimespec()));
        p(3, rng.chance(0.5) ? 0 : b.ptr(16));
        break;
      }
      case 'poll': {
        const n = rng.chance(0.9) ? rng.range(0, 6) : rng.pick([0x7fffffff, 2000, 1025, -1]);
        p(0, this.pollfds(n)); u(1, n); s(2, rng.pick([0, 0, 1, -1, 2]));
        break;
      }
      case 'ppoll': {
        // lind-glibc's ppoll sends the timeout as milliseconds (-1 for none) and the sigmask pointer.
        const n = rng.chance(0.9) ? rng.range(0, 6) : rng.pick([0x7fffffff, 2000]);
        p(0, this.pollfds(n)); u(1, n); s(2, rng.pick([0, 0, 1, -1, 2, -7]));
        p(3, rng.chance(0.7) ? 0 : b.ptr(8));
        break;
      }
      case 'select': {
        const n = rng.chance(0.9) ? rng.range(0, 40) : rng.pick([-1, 0x7fffffff, 1024, 1025]);
        for (let k = 1; k <= 3; k++) p(k, rng.chance(0.3) ? 0 : b.struct(Uint8Array.from({ length: 128 }, () => rng.chance(0.1) ? rng.below(256) : 0)));
        const [sec, usec] = rng.pick<[number, number]>([[0, 0], [0, rng.below(2000)], [-1, 0], [0, 1_000_000], [0, -1]]);
        p(4, rng.chance(0.2) ? 0 : b.struct(pack(16, [[0, 8, BigInt(sec)], [8, 8, BigInt(usec)]])));
        break;
      }
      case 'copy_file_range': {
        s(0, this.fd('data'));
        p(1, rng.chance(0.5) ? 0 : b.struct(pack(8, [[0, 8, this.off()]])));
        s(2, this.fd('data'));
        p(3, rng.chance(0.5) ? 0 : b.struct(pack(8, [[0, 8, this.off()]])));
        u(4, this.size()); u(5, rng.chance(0.9) ? 0 : this.int());
        break;
      }
      case 'sendfile':
        s(0, this.fd('data')); s(1, this.fd('data'));
        p(2, rng.chance(0.5) ? 0 : b.struct(pack(8, [[0, 8, this.off()]])));
        u(3, this.size());
        break;
      case 'prlimit64': {
        s(0, rng.pick([0, 0, SLOTS[this.slot].cageId, 1, -1]));
        s(1, rng.chance(0.7) ? 7 : rng.range(-1, 17));
        // a wasm32 struct rlimit: {u32 rlim_cur, u32 rlim_max}, RLIM_INFINITY 0xffffffff
        const lim = () => BigInt(rng.chance(0.8) ? rng.pick([0, 1, 3, 4, 8, 16, 48, 64, 1024, 4096, 0xffffffff]) : rng.u32());
        p(2, rng.chance(0.6) ? 0 : b.struct(pack(8, [[0, 4, lim()], [4, 4, lim()]])));
        p(3, rng.chance(0.5) ? 0 : b.ptr(8));
        break;
      }
      case 'ioctl': {
        s(0, this.fd());
        const req = rng.chance(0.9) ? rng.pick(IOCTLS) : rng.u32();
        u(1, req);
        p(2, b.struct(pack(64, [[0, 4, rng.below(3)]])));
        break;
      }
      case 'mmap': {
        const size = b.size;
        p(0, rng.chance(0.7) ? 0 : rng.chance(0.5) ? rng.below(size >>> 12) << 12 : rng.u32());
        u(1, rng.chance(0.8) ? rng.range(1, 3 * 65536) : this.size());
        s(2, rng.chance(0.8) ? 3 : this.int());
        s(3, rng.chance(0.8) ? rng.pick([0x22, 0x21, 0x02, 0x01, 0x32, 0x12, 0x03]) : this.int());
        s(4, rng.chance(0.5) ? -1 : this.fd());
        args[5] = rng.chance(0.7) ? BigInt(rng.pick([0, 4096, 8192])) : this.off();
        break;
      }
      case 'munmap': case 'mprotect':
        p(0, rng.chance(0.7) ? rng.below(b.size >>> 12) << 12 : rng.u32()); u(1, this.size(1 << 18));
        if (name === 'mprotect') s(2, rng.chance(0.8) ? rng.range(0, 7) : this.int());
        break;
      case 'brk':
        p(0, rng.pick([0, b.size, b.size + 65536, b.size + rng.below(1 << 20), b.size - 4096, rng.u32()]));
        break;
      case 'exit': case 'exit_group': s(0, this.int()); break;
      case 'dup3': s(0, this.fd()); s(1, this.oneOf([3, 4, 5, 9, 0, 1, 2, 40])); s(2, this.oneOf([0, O_CLOEXEC])); break;
      case 'pipe2': p(0, b.ptr(8)); s(1, this.oneOf([0, O_CLOEXEC, O_NONBLOCK, O_DIRECT, O_NONBLOCK | O_DIRECT, O_CLOEXEC | O_NONBLOCK])); break;
      case 'flock': s(0, this.fd('data')); s(1, this.oneOf([1, 2, 8, 5, 6, 12, 4, 3])); break;
      case 'lseek': s(0, this.fd()); args[1] = this.off(); s(2, this.oneOf([0, 1, 2, 3, 4])); break;
      case 'fallocate': s(0, this.fd('data')); s(1, this.oneOf([0, 1, 3, 0x10, 0x8, 2])); args[2] = this.off(); args[3] = this.off(); break;
      case 'sync_file_range': s(0, this.fd()); args[1] = this.off(); args[2] = this.off(); u(3, this.oneOf([0, 1, 2, 4, 7])); break;
      case 'access': args[0] = this.cpath(this.path(), 0); s(1, this.oneOf([0, 1, 2, 4, 6, 7])); break;
      case 'faccessat': s(0, this.dirfd()); args[1] = this.cpath(this.path(), 1); s(2, this.oneOf([0, 1, 2, 4, 7])); s(3, this.oneOf([0, 0, AT_EACCESS, AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH])); break;
      case 'unlinkat': s(0, this.dirfd()); args[1] = this.cpath(this.path(), 1); s(2, this.oneOf([0, 0, AT_REMOVEDIR])); break;
      case 'renameat2': s(0, this.dirfd()); args[1] = this.cpath(this.path(), 1); s(2, this.dirfd()); args[3] = this.cpath(this.path(), 3); u(4, this.oneOf([0, 0, 1, 2, 4, 5, 6])); break;
      case 'clock_gettime': case 'clock_getres': s(0, this.oneOf([0, 1, 2, 3, 4, 5, 6, 7])); p(1, b.ptr(16)); break;
      case 'truncate': args[0] = this.cpath(this.path(), 0); args[1] = this.smallOff(); break;
      case 'ftruncate': s(0, this.fd('data')); args[1] = this.smallOff(); break;
      default: this.lindGeneric(name, row?.args ?? [], args);
    }
    // A hostile cage may put anything in the slots it does not use.
    if (rng.chance(0.02)) {
      const k = rng.below(6);
      if (args[k] === NOTUSED) args[k] = rng.u64();
    }
    let self = BigInt(SLOTS[this.slot].cageId);
    if (rng.chance(0.01)) self = rng.u64(); // the ABI must not trust the caller's cage ids
    const full: bigint[] = [rng.chance(0.05) ? rng.u64() : 0n, self, self];
    for (const a of args) full.push(a, self);
    return { slot: this.slot, abi: 'lind', name, nr, args: full, mem: b.mem };
  }

  /** Arguments from the row's kinds alone. */
  private lindGeneric(name: string, kinds: readonly string[], args: bigint[]): void {
    const rng = this.rng, b = this.b;
    kinds.forEach((kind, k) => {
      let v: bigint;
      switch (kind) {
        case 'fd': v = BigInt(kinds[k + 1] === 'path' ? this.dirfd() : this.fd()); break;
        case 'path': v = this.cpath(this.path(), k); break;
        case 'ptr': v = BigInt(b.ptr(LIND_OUT_SIZES[`${name}:${k}`] ?? rng.pick([8, 16, 104, 112, 256, 512]))); break;
        case 'size': v = BigInt(this.size() >>> 0); break;
        case 'off': v = this.off(); break;
        case 'oflags': v = BigInt(this.openFlags()); break;
        case 'mode': v = BigInt(this.mode() >>> 0); break;
        case 'atflags': v = BigInt(this.atFlags()); break;
        case 'uint': v = BigInt((rng.chance(0.5) ? this.uid() : this.int()) >>> 0); break;
        case 'hex': v = BigInt(rng.chance(0.5) ? rng.u32() : this.int() >>> 0); break;
        default: v = BigInt(this.int());
      }
      args[k] = v;
    });
  }

  /** One of the other `lind` imports (args, environ, cage id, panic…). */
  private lindImport(): Call {
    const rng = this.rng, b = this.b;
    const name = rng.weighted([['args_sizes_get', 2], ['args_get', 2], ['environ_sizes_get', 2], ['environ_get', 2],
      ['lind-get-memory-base', 1], ['lind-get-cage-id', 1], ['debug-panic', 0.2], ['dlopen', 0.5], ['dlsym', 0.5], ['dlclose', 0.5], ['epoch_callback', 0.5]] as const);
    let args: (number | bigint)[] = [];
    if (name === 'args_get' || name === 'environ_get') args = [b.ptr(16), b.ptr(32)];
    else if (name.endsWith('sizes_get')) args = [b.ptr(4), b.ptr(4)];
    else if (name === 'debug-panic') args = [BigInt(b.struct(enc('oops\0')))];
    else if (name === 'dlopen' || name === 'dlsym') args = [b.ptr(8), this.int()];
    else if (name === 'dlclose') args = [this.int()];
    return { slot: this.slot, abi: 'lind-import', name, args, mem: b.mem };
  }

  // ---- WASI ----

  private wasi(): Call {
    const rng = this.rng, b = this.b;
    const name = rng.weighted(WASI_CHOICES);
    const args: (number | bigint)[] = [];
    const want = name.startsWith('path_') || name === 'fd_readdir' ? 'dir' : name === 'fd_close' || name === 'fd_renumber' ? 'any' : 'data';
    for (const shape of WASI_FUNCS[name]) {
      switch (shape) {
        case 'fd': args.push(this.fd(want)); break;
        case 'i32': args.push(this.int()); break;
        case 'u64': args.push(this.off()); break;
        case 'path': this.wpath(this.path(), args); break;
        case 'target': this.wpath(this.target(), args); break;
        case 'iovr': case 'iovw': {
          const n = this.iovCount();
          args.push(this.iovecs(false, shape === 'iovw', n), n);
          break;
        }
        case 'buf': {
          const len = this.size();
          args.push(b.ptr(Math.min(len, b.size)), len);
          break;
        }
        case 'poll': this.subscriptions(args); break;
        case 'cookie': args.push(rng.chance(0.7) ? BigInt(rng.below(40)) : this.off()); break;
        case 'rights': args.push(rng.pick([0x3fffffffn, 0x3fffffffn, 0n, 2n, 64n, 66n, 1n << 14n, 0x1fffffffn, -1n, rng.u64()])); break;
        case 'ts': args.push(rng.chance(0.7) ? BigInt(rng.below(2_000_000_000)) * 1_000_000_000n + BigInt(rng.below(1_000_000_000)) : this.off()); break;
        case 'clockid': args.push(rng.chance(0.9) ? rng.range(0, 4) : this.int()); break;
        case 'advice': args.push(rng.chance(0.9) ? rng.range(0, 6) : this.int()); break;
        case 'fdflags': args.push(rng.chance(0.9) ? rng.below(32) : this.int()); break;
        case 'oflags': args.push(rng.chance(0.6) ? rng.pick([0, 1, 1, 5, 9, 8, 2]) : rng.chance(0.9) ? rng.below(16) : this.int()); break;
        case 'lookup': args.push(rng.chance(0.9) ? rng.below(2) : this.int()); break;
        case 'fstflags': args.push(rng.chance(0.9) ? rng.below(16) : this.int()); break;
        case 'whence': args.push(rng.chance(0.9) ? rng.range(0, 3) : this.int()); break;
        case 'signal': args.push(rng.chance(0.7) ? rng.pick([0, 16, 17, 22, 27, 31, -1, 64]) : rng.range(0, 30)); break;
        case 'exit': args.push(this.int()); break;
        case 'riflags': case 'sdflags': args.push(rng.below(4)); break;
        default: args.push(b.ptr(Number(shape.slice(3)), 0.08)); // out pointers
      }
    }
    return { slot: this.slot, abi: 'wasi', name, args, mem: b.mem };
  }

  /** poll_oneoff's (in, out, nsubscriptions): clocks that wait at most a millisecond, fd subscriptions. */
  private subscriptions(args: (number | bigint)[]): void {
    const rng = this.rng, b = this.b;
    const n = rng.chance(0.92) ? rng.range(0, 4) : rng.pick([0x7fffffff, 100000, -1]);
    const k = Math.max(0, Math.min(n, 8));
    const subs = Buffer.alloc(k * 48);
    for (let i = 0; i < k; i++) {
      const tag = rng.chance(0.95) ? rng.range(0, 2) : rng.range(3, 255);
      const at = i * 48;
      subs.writeBigUInt64LE(rng.u64(), at);
      subs[at + 8] = tag;
      if (tag === 0) {
        subs.writeUInt32LE(rng.chance(0.9) ? rng.range(0, 3) : rng.u32(), at + 16);
        subs.writeBigUInt64LE(BigInt(rng.below(1_000_000)), at + 24); // at most 1 ms, relative or (long past) absolute
        subs.writeUInt16LE(rng.below(2), at + 40);
      } else {
        subs.writeInt32LE(this.fd(), at + 16);
      }
    }
    args.push(b.struct(subs), b.ptr(k * 32 || 32), n);
  }

  // ---- host actions (process lifecycle, memory growth) ----

  private host(): Call {
    const rng = this.rng;
    const slot = rng.below(SLOTS.length);
    const name = rng.weighted([['grow', 3], ['fork', 2], ['exec', 1], ['setuid', 1], ['restart', 3], ['deepen', 1]] as const);
    const args: number[] = [];
    if (name === 'deepen') args.push(rng.pick([10, 100, 1000, 2100]));
    if (name === 'grow') args.push(rng.range(1, 3));
    if (name === 'fork') args.push((slot + 1 + rng.below(SLOTS.length - 1)) % SLOTS.length);
    if (name === 'setuid') args.push(rng.pick([0, 1000, 1001]));
    return { slot, abi: 'host', name, args, mem: [] };
  }
}

// ---- execution -----------------------------------------------------------------------------------

export interface Outcome {
  /** The call's result (undefined for a call that ends its cage or returns nothing). */
  result?: unknown;
  /** The cage left (exit, panic): the slot was restarted. */
  exited?: string;
  ms: number;
  failure?: Omit<Failure, 'index'>;
}

/** Numbers blurred, so that a minimized sequence may fail on other inodes/offsets. */
export function blur(message: string): string {
  return message.replace(/-?\d+/g, '#');
}

function failure(kind: Failure['kind'], message: string): Omit<Failure, 'index'> {
  return { kind, message, signature: `${kind}: ${blur(message.split('\n')[0])}` };
}

function writeMem(memory: WebAssembly.Memory, writes: readonly MemWrite[]): void {
  const u8 = new Uint8Array(memory.buffer);
  for (const w of writes) {
    const len = w.bytes?.length ?? w.len ?? 0;
    if (w.at < 0 || w.at + len > u8.length) continue; // memory is smaller in this replay
    if (w.bytes !== undefined) u8.set(w.bytes, w.at);
    else u8.fill(w.fill ?? 0, w.at, w.at + len);
  }
}

/** Calls that write where no argument points (the heap's fresh mappings), or change no cage memory at all. */
const UNGUARDED = new Set(['mmap', 'brk', 'munmap']);
const MARGIN = 64;

/** The bytes around a call's buffers, saved before it runs; check() names the first one it changed. */
class Guard {
  private readonly spans: [number, Uint8Array][] = [];

  constructor(memory: WebAssembly.Memory, private readonly regions: [number, number][]) {
    const u8 = new Uint8Array(memory.buffer);
    for (const [p, len] of regions) {
      for (const [from, to] of [[p - MARGIN, p], [p + len, p + len + MARGIN]]) {
        const a = Math.max(0, from), b = Math.min(u8.length, to);
        if (a < b) this.spans.push([a, u8.slice(a, b)]);
      }
    }
  }

  check(memory: WebAssembly.Memory): string | null {
    const u8 = new Uint8Array(memory.buffer);
    for (const [at, before] of this.spans) {
      for (let i = 0; i < before.length; i++) {
        const x = at + i;
        if (u8[x] === before[i] || this.regions.some(([p, len]) => x >= p && x < p + len)) continue;
        return `wrote outside every buffer it was given, at 0x${x.toString(16)}\n(buffers: ${this.regions.filter(([, l]) => l > 0).map(([p, l]) => `0x${p.toString(16)}+${l}`).join(', ')})`;
      }
    }
    return null;
  }
}

/** Runs one call on the world and judges it. */
export function execute(world: World, call: Call, check = true): Outcome {
  const slot = world.slots[call.slot];
  writeMem(slot.memory, call.mem);
  const guard = call.regions !== undefined && call.abi !== 'host' && !UNGUARDED.has(call.name) ? new Guard(slot.memory, call.regions) : null;
  const t0 = performance.now();
  let result: unknown;
  let exited: string | undefined;
  try {
    switch (call.abi) {
      case 'lind': result = slot.makeSyscall!(call.nr, ...call.args); break;
      case 'lind-import': result = slot.lindImports![call.name](...call.args); break;
      case 'wasi': result = slot.wasi![call.name](...call.args); break;
      case 'host': result = hostAction(world, call); break;
    }
  } catch (e) {
    if (e instanceof CageExit) exited = `exit ${e.status}`;
    else if (e instanceof CagePanic) exited = `panic`;
    else {
      const ms = performance.now() - t0;
      const err = e as Error;
      const where = (err?.stack ?? '').split('\n').slice(1, 4).map((l) => l.trim()).join(' < ');
      return { ms, failure: failure('exception', `${err?.constructor?.name ?? typeof e}: ${err?.message ?? String(e)}\n    at ${where}`) };
    }
  }
  const ms = performance.now() - t0;
  if (exited !== undefined) {
    try {
      world.restart(call.slot);
    } catch (e) {
      return { ms, exited, failure: failure('exception', `restarting the cage: ${(e as Error).message}`) };
    }
  }
  const out: Outcome = { result, exited, ms };
  if (ms > CALL_LIMIT_MS) out.failure = failure('slow', `${call.name} took ${Math.round(ms)} ms`);
  else if (exited === undefined) {
    const bad = badResult(call, result);
    if (bad !== null) out.failure = failure('result', `${call.name}: ${bad}`);
    const wild = guard?.check(slot.memory) ?? null;
    if (wild !== null && out.failure === undefined) out.failure = failure('memory', `${call.name}: ${wild}`);
  }
  if (out.failure === undefined && check) {
    const problems = checkInvariants(world.fs);
    if (problems.length > 0) out.failure = failure('invariant', problems.join('\n'));
  }
  return out;
}

/** Why a result is not what the ABI may return (null when it is fine). */
function badResult(call: Call, r: unknown): string | null {
  switch (call.abi) {
    case 'lind':
      if (typeof r !== 'number' || !Number.isInteger(r)) return `returned ${String(r)}`;
      // Negative results are -errno, and Linux errnos end at 133.
      if (r < -133) return `returned ${r}, which is no -errno`;
      return null;
    case 'wasi':
      if (call.name === 'proc_exit') return r === undefined ? null : `returned ${String(r)}`;
      if (typeof r !== 'number' || !Number.isInteger(r) || r < 0 || r > 76) return `returned ${String(r)}, which is no WASI errno`;
      return null;
    default:
      return null;
  }
}

/** Makes /tmp/d/d/d/… `levels` deeper (as the grate), so paths can go past PATH_MAX and getcwd past its buffer. */
function deepen(fs: Imfs, levels: number): number {
  let fd = fs.open(0, '/tmp/d', O_RDONLY | O_DIRECTORY);
  if (fd < 0) return fd;
  for (let i = 0; i < levels; i++) {
    const r = fs.mkdirat(0, fd, 'd', 0o777);
    const next = r === 0 || r === -17 ? fs.openat(0, fd, 'd', O_RDONLY | O_DIRECTORY | O_NOFOLLOW) : r;
    fs.close(0, fd);
    if (next < 0) return next;
    fd = next;
  }
  fs.close(0, fd);
  return 0;
}

function hostAction(world: World, call: Call): number {
  const fs = world.fs, slot = world.slots[call.slot], id = slot.spec.cageId;
  switch (call.name) {
    case 'grow':
      try { slot.memory.grow(call.args[0] as number); } catch { return -1; } // past the maximum
      return 0;
    case 'fork': return world.fork(call.args[0] as number, call.slot);
    case 'exec': return fs.execCage(id);
    case 'setuid': {
      const u = call.args[0] as number;
      return fs.setCredentials(id, { uid: u, euid: u, gid: u, egid: u, groups: [u] });
    }
    case 'restart': world.restart(call.slot); return 0;
    case 'deepen': return deepen(fs, call.args[0] as number);
    default: throw new Error(`unknown host action ${call.name}`);
  }
}

// ---- epochs, replay, minimization -----------------------------------------------------------

export interface EpochResult {
  calls: number;
  failure: Failure | null;
  /** The calls made, kept when asked for (for minimization). */
  log: Call[];
  slowest: { ms: number; call: Call } | null;
}

export interface Stats {
  byName: Map<string, { calls: number; ok: number; results: Record<string, number> }>;
}

export function newStats(): Stats {
  return { byName: new Map() };
}

/** A result as the stats count it: an errno name, "ok", or the exit. */
function resultKey(call: Call, out: Outcome): string {
  const r = out.result;
  if (out.exited !== undefined) return 'exit';
  if (typeof r !== 'number') return String(typeof r);
  if (call.abi === 'lind') return r < 0 ? errnoName(r) : 'ok';
  if (call.abi === 'wasi') return r === 0 ? 'ok' : `wasi${r}`;
  return r < 0 ? errnoName(r) : 'ok';
}

export interface EpochOptions {
  stats?: Stats;
  /** Called before each call (a heartbeat for the hang watchdog). */
  onCall?: (i: number) => void;
  /** Generate call number `stopBefore` but do not run it (to recover the calls before a hang). */
  stopBefore?: number;
}

/** Generates and runs up to `count` calls of one epoch. */
export function runEpoch(seed: number, epoch: number, count: number, opts: EpochOptions = {}): EpochResult {
  const { stats, onCall, stopBefore } = opts;
  const world = new World(makeConfig(seed, epoch));
  const gen = new CallGenerator(new Rng(mix(seed, epoch * 2 + 2)), world);
  const log: Call[] = [];
  let slowest: EpochResult['slowest'] = null;
  const start = checkInvariants(world.fs);
  if (start.length > 0) return { calls: 0, failure: { ...failure('invariant', `before any call: ${start.join('\n')}`), index: -1 }, log, slowest };
  for (let i = 0; i < count; i++) {
    onCall?.(i);
    const call = gen.next();
    log.push(call);
    if (i === stopBefore) return { calls: i, failure: null, log, slowest };
    const out = execute(world, call);
    if (slowest === null || out.ms > slowest.ms) slowest = { ms: out.ms, call };
    if (stats !== undefined) {
      const key = `${call.abi === 'lind' || call.abi === 'lind-import' ? 'lind' : call.abi}.${call.name}`;
      let s = stats.byName.get(key);
      if (s === undefined) stats.byName.set(key, s = { calls: 0, ok: 0, results: {} });
      s.calls++;
      const rk = resultKey(call, out);
      if (rk === 'ok') s.ok++;
      s.results[rk] = (s.results[rk] ?? 0) + 1;
    }
    if (out.failure !== undefined) return { calls: i + 1, failure: { ...out.failure, index: i }, log, slowest };
  }
  return { calls: count, failure: null, log, slowest };
}

/** Replays concrete calls on a fresh world; the first failure, with the outcomes so far. */
export function replay(config: Config, calls: readonly Call[], onCall?: (i: number) => void): { failure: Failure | null; outcomes: Outcome[] } {
  const world = new World(config);
  const outcomes: Outcome[] = [];
  for (let i = 0; i < calls.length; i++) {
    onCall?.(i);
    const out = execute(world, calls[i]);
    outcomes.push(out);
    if (out.failure !== undefined) return { failure: { ...out.failure, index: i }, outcomes };
  }
  return { failure: null, outcomes };
}

/**
 * Delta debugging (ddmin, complements only), as a generator: it yields candidate lists and
 * is told whether each still fails; it returns the shortest failing list it found. Driven
 * synchronously by minimize(), or asynchronously (replays in workers, for hangs).
 */
export function* ddmin(calls: Call[], budget = { tries: 3000, ms: 120_000 }): Generator<Call[], Call[], boolean> {
  const start = performance.now();
  let tries = 0;
  let cur = calls;
  let n = 2;
  while (cur.length >= 2 && tries < budget.tries && performance.now() - start < budget.ms) {
    const chunk = Math.ceil(cur.length / n);
    let reduced = false;
    for (let i = 0; i < n && !reduced; i++) {
      const candidate = [...cur.slice(0, i * chunk), ...cur.slice((i + 1) * chunk)];
      if (candidate.length === cur.length || candidate.length === 0) continue;
      tries++;
      if (yield candidate) {
        cur = candidate;
        n = Math.max(n - 1, 2);
        reduced = true;
      }
    }
    if (!reduced) {
      if (n >= cur.length) break;
      n = Math.min(cur.length, n * 2);
    }
  }
  return cur;
}

/** ddmin with a synchronous "still fails" test. */
export function minimize(calls: Call[], fails: (candidate: Call[]) => boolean, budget?: { tries: number; ms: number }): Call[] {
  const it = ddmin(calls, budget);
  let step = it.next();
  while (!step.done) step = it.next(fails(step.value));
  return step.value;
}

/** A replay predicate: the calls (cut at the failure) still fail with this signature. */
export function failsLike(config: Config, signature: string, onCall?: (i: number) => void): (calls: Call[]) => boolean {
  return (calls) => replay(config, calls, onCall).failure?.signature === signature;
}

// ---- printing ----------------------------------------------------------------------------------

/** A buffer argument for the reproducer: the trace's quoting, with the length when it is cut. */
export function quoteBytes(bytes: Uint8Array): string {
  return quote(bytes, 48) + (bytes.length > 48 ? `(${bytes.length} bytes)` : '');
}

function showArg(v: number | bigint): string {
  if (typeof v === 'bigint') {
    if (v === BigInt.asIntN(64, NOTUSED) || v === NOTUSED) return 'NOTUSED';
    const s = BigInt.asIntN(64, v);
    return s < -4096n || s > 0xffffn ? `0x${BigInt.asUintN(64, v).toString(16)}n` : `${s}n`;
  }
  return v < -4096 || v > 0xffff ? `0x${(v >>> 0).toString(16)}` : String(v);
}

/** One call as a line of the reproducer. */
export function formatCall(call: Call, outcome?: Outcome): string {
  const cage = SLOTS[call.slot];
  let args = call.args;
  let head = `slot ${call.slot} (cage ${cage.cageId}, ${cage.kind}) `;
  if (call.abi === 'lind') {
    head += `make-syscall(${call.nr} ${call.name}`;
    // Show only the argument values (the cage-id slots are the caller's id).
    args = call.args.filter((_, i) => i >= 3 && (i - 3) % 2 === 0);
  } else if (call.abi === 'host') head += `host ${call.name}(`;
  else head += `${call.abi === 'wasi' ? 'wasi' : 'lind'}.${call.name}(`;
  const shown = args.map((a, i) => showArg(a) + (call.notes?.[i] !== undefined ? `=${call.notes[i]}` : ''));
  let line = `${head}${call.abi === 'lind' && shown.length > 0 ? ', ' : ''}${shown.join(', ')})`;
  const structs = call.mem.map((w) => w.bytes !== undefined
    ? `[0x${w.at.toString(16)}]=${Buffer.from(w.bytes.subarray(0, 40)).toString('hex')}${w.bytes.length > 40 ? `…(${w.bytes.length})` : ''}`
    : `[0x${w.at.toString(16)}]=${w.len}×0x${(w.fill ?? 0).toString(16)}`);
  if (structs.length > 0) line += `  mem ${structs.join(' ')}`;
  if (outcome !== undefined) {
    const r = outcome.result;
    const res = outcome.exited ?? (typeof r === 'number' && call.abi === 'lind' && r < 0 ? `${r} ${errnoName(r)}` : String(r));
    line += `  → ${res}`;
  }
  return line;
}

/** A call list as JSON (bigints as strings ending in n, bytes as hex). */
export function callsToJson(config: Config, calls: readonly Call[]): string {
  return JSON.stringify({ config, calls }, (_k, v) => {
    if (typeof v === 'bigint') return `${v}n`;
    if (v instanceof Uint8Array) return { hex: Buffer.from(v).toString('hex') };
    // A Buffer has already turned itself into {type: 'Buffer', data} by toJSON.
    if (v !== null && typeof v === 'object' && v.type === 'Buffer' && Array.isArray(v.data)) return { hex: Buffer.from(v.data).toString('hex') };
    return v;
  });
}

export function callsFromJson(text: string): { config: Config; calls: Call[] } {
  return JSON.parse(text, (_k, v) => {
    if (typeof v === 'string' && /^-?\d+n$/.test(v)) return BigInt(v.slice(0, -1));
    if (v !== null && typeof v === 'object' && typeof v.hex === 'string' && Object.keys(v).length === 1) return new Uint8Array(Buffer.from(v.hex, 'hex'));
    return v;
  });
}

/** The printed reproducer: seed, epoch, configuration, the calls with their results, the failure. */
export function report(config: Config, calls: readonly Call[], failure: Failure): string {
  const { outcomes } = replay(config, calls);
  const lines = [
    `FUZZ FAILURE (${failure.kind}) seed=${config.seed} epoch=${config.epoch}`,
    `  reproduce: make fuzz SEED=${config.seed} FIRST_EPOCH=${config.epoch} COUNT=${EPOCH_CALLS}`,
    `  config: ${JSON.stringify(config.limits)} umask=0${config.umask.toString(8)} lind pages ${config.lindPages}/${config.lindMax}, wasi pages ${config.wasiPages}/${config.wasiMax}`,
    `  ${calls.length} call(s):`,
    ...calls.map((c, i) => `  ${String(i).padStart(3)}. ${formatCall(c, outcomes[i])}`),
    `  failure: ${failure.message.split('\n').join('\n           ')}`,
  ];
  return lines.join('\n');
}
