/**
 * The Lind ABI: `lind`.`make-syscall` (Linux x86-64 syscall numbers, -errno results in
 * [-255, -1]) and the other `lind` imports of a lind-glibc cage (abi.md §1–§4).
 * Every call goes through one dispatch point: the adapter spills the arguments, the
 * row for the call number decodes them by C type and calls the core or the process
 * services, and (when tracing) one log line is written.
 */
import { BytePath, EDEADLK, EFAULT, ENOSYS, WOULD_BLOCK, binaryToBytes, bytesToBinary, newRlimit, newStat, newStatfs, type Imfs, type Stat } from '../core/index.js';
import { CageMemory } from './cage-memory.js';
import { createLindAdapter } from './lind-adapter.js';
import { i64 } from './i64-halves.js';
import { stringListImports } from './args.js';
import { CageExit, CagePanic } from './exit.js';
import { formatArg, formatResult, type ArgKind, type TraceSink } from './trace.js';
import { LIND_ROWS, type LindRow } from './lind-table.js';
import type { CageHeap } from './cage-heap.js';

/** What a lind cage is given besides the filesystem. */
export interface LindOptions {
  fs: Imfs;
  cageId: number;
  /** The cage id getppid() reports (the grate is 0). */
  parentId: number;
  memory: WebAssembly.Memory;
  heap: CageHeap;
  args: Uint8Array[];
  env: Uint8Array[];
  trace?: TraceSink;
  /** Called when a call would block forever (no other cage can run meanwhile). */
  warn?: (message: string) => void;
}

/** The rows by call number in a plain array: indexing it costs less than a Map lookup on every call. */
const ROW_BY_NUMBER: (LindRow | undefined)[] = [];
for (const [nr, row] of LIND_ROWS) ROW_BY_NUMBER[nr] = row;

/** The marker lind-glibc puts in unused argument slots. */
const NOTUSED_HALF = 0xdeadbeef | 0;

export class LindAbi {
  readonly fs: Imfs;
  readonly cage: number;
  readonly mem: CageMemory;
  readonly heap: CageHeap;
  readonly parentId: number;
  /** Scratch results reused across calls. */
  readonly stat: Stat = newStat();
  readonly statfs = newStatfs();
  readonly rlimit = newRlimit();
  private readonly slots: Int32Array;
  private readonly paths = [new BytePath(), new BytePath(), new BytePath(), new BytePath(), new BytePath(), new BytePath()];
  private readonly makeSyscall: (...args: unknown[]) => number;
  private readonly trace?: TraceSink;
  private readonly warn: (message: string) => void;
  private readonly options: LindOptions;

  constructor(options: LindOptions) {
    this.options = options;
    this.fs = options.fs;
    this.cage = options.cageId;
    this.parentId = options.parentId;
    this.heap = options.heap;
    this.mem = new CageMemory(options.memory);
    this.trace = options.trace;
    this.warn = options.warn ?? ((m) => process.stderr.write(`imfs-grate: ${m}\n`));
    const adapter = createLindAdapter(this.dispatch);
    this.slots = adapter.slots;
    this.makeSyscall = adapter.makeSyscall;
  }

  /** Argument k (0..5) as a C int (sign-extended 32 bits). */
  int(k: number): number {
    return this.slots[6 + 4 * k];
  }
  /** Argument k as an unsigned 32-bit value (unsigned, mode_t, uid_t, size_t). */
  uint(k: number): number {
    return this.slots[6 + 4 * k] >>> 0;
  }
  /** Argument k as a signed 64-bit offset (exact below 2^53). */
  off(k: number): number {
    return i64(this.slots[6 + 4 * k], this.slots[7 + 4 * k]);
  }
  /** Argument k as a 64-bit value in two halves, for dev_t. */
  u64(k: number): bigint {
    return (BigInt(this.slots[7 + 4 * k] >>> 0) << 32n) | BigInt(this.slots[6 + 4 * k] >>> 0);
  }
  /** Argument k as a pointer into the cage's memory (memory base 0); Infinity if it cannot be one. */
  ptr(k: number): number {
    return this.slots[7 + 4 * k] === 0 ? this.slots[6 + 4 * k] >>> 0 : Infinity;
  }
  /** Argument k as a NUL-terminated path, decoded into a reused holder; or -EFAULT / -ENAMETOOLONG. */
  path(k: number): BytePath | number {
    const p = this.ptr(k);
    if (p === Infinity) return -EFAULT;
    const end = this.mem.cstringEnd(p);
    if (end < 0) return end;
    const holder = this.paths[k];
    holder.bytes = bytesToBinary(this.mem.u8, p, end);
    return holder;
  }
  /** Whether argument k holds lind-glibc's NOTUSED marker. */
  unused(k: number): boolean {
    return this.slots[6 + 4 * k] === NOTUSED_HALF && this.slots[7 + 4 * k] === NOTUSED_HALF;
  }
  /** Whether [ptr, ptr+len) is valid cage memory (NULL never is, when len > 0). */
  ok(ptr: number, len: number): boolean {
    return len === 0 || (ptr !== 0 && this.mem.ok(ptr, len));
  }

  private readonly dispatch = (nr: number): number => {
    const row = nr >= 0 && nr < ROW_BY_NUMBER.length ? ROW_BY_NUMBER[nr] : undefined;
    if (row === undefined) {
      if (this.trace !== undefined) this.trace(`[cage ${this.cage}] syscall_${nr}(...) = ${formatResult(-ENOSYS)}`);
      return -ENOSYS;
    }
    const trace = this.trace;
    if (trace === undefined) return this.settle(row, row.call(this));
    const args = this.traceArgs(row);
    let result: number;
    try {
      result = this.settle(row, row.call(this));
    } catch (e) {
      trace(`[cage ${this.cage}] ${row.name}(${args}) = ? ${e instanceof CageExit ? `(exit ${e.status})` : '(aborted)'}`);
      throw e;
    }
    trace(`[cage ${this.cage}] ${row.name}(${args}) = ${formatResult(result)}`);
    return result;
  };

  /** A call that would wait has nobody to wait for: the cage would hang forever, so say so. */
  private settle(row: LindRow, result: number): number {
    if (result !== WOULD_BLOCK) return result;
    this.warn(`cage ${this.cage}: ${row.name}() would block forever (no other cage can run while it waits); answering EDEADLK`);
    return -EDEADLK;
  }

  private traceArgs(row: LindRow): string {
    return row.args.map((kind: ArgKind, k) => {
      if (this.unused(k)) return 'NOTUSED';
      if (kind === 'path') {
        const p = this.path(k);
        return typeof p === 'number' ? formatArg('ptr', this.ptr(k)) : formatArg('path', binaryToBytes(p.bytes));
      }
      const v = kind === 'off' ? this.off(k) : kind === 'ptr' ? this.ptr(k) : kind === 'uint' || kind === 'size' || kind === 'mode' || kind === 'hex' ? this.uint(k) : this.int(k);
      return formatArg(kind, v);
    }).join(', ');
  }

  /** The `lind` import module (and what it needs from `env`, `wasi` and `debug`). */
  imports(): WebAssembly.Imports {
    const memory = () => this.mem;
    const args = stringListImports(memory, this.options.args, EFAULT);
    const env = stringListImports(memory, this.options.env, EFAULT);
    return {
      env: { memory: this.options.memory },
      lind: {
        'make-syscall': this.makeSyscall,
        'lind-get-memory-base': () => 0n,
        'lind-get-cage-id': () => BigInt(this.cage),
        args_sizes_get: args.sizes,
        args_get: args.get,
        environ_sizes_get: env.sizes,
        environ_get: env.get,
        'debug-panic': (msg: bigint) => {
          const at = Number(BigInt.asUintN(32, msg));
          const end = this.mem.cstringEnd(at);
          throw new CagePanic(`cage ${this.cage} panicked: ${end < 0 ? '(unreadable message)' : Buffer.from(this.mem.u8.subarray(at, end)).toString()}`);
        },
        // lind-boot answers a negative DylinkErrorCode when dynamic linking is off; so do we.
        dlopen: () => -1,
        dlsym: () => -1,
        dlclose: () => -1,
        // Signals are never delivered, so the epoch global never leaves 0 and this is never due.
        epoch_callback: () => {},
      },
      wasi: {
        // Threads need a second agent sharing the memory; this grate runs one thread per cage.
        'thread-spawn': () => -ENOSYS,
      },
      debug: {
        lind_debug_num: (x: number) => x,
        lind_debug_str: (x: number) => x,
      },
    };
  }

  /** Sets a descriptor's status flag through fcntl (for ioctl FIONBIO/FIOASYNC). */
  setStatusFlag(fd: number, flag: number, on: boolean): number {
    const flags = this.fs.fcntl(this.cage, fd, 3);
    if (flags < 0) return flags;
    return this.fs.fcntl(this.cage, fd, 4, on ? flags | flag : flags & ~flag);
  }

  /** Ends the cage: exit_group / exit. */
  exit(status: number): never {
    throw new CageExit(status & 0xff);
  }
}

