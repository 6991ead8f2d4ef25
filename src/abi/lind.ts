/**
 * The Lind ABI: `lind`.`make-syscall` (Linux x86-64 syscall numbers, -errno results in
 * [-255, -1]) and the other `lind` imports of a lind-glibc cage (abi.md §1–§4).
 * Every call goes through one dispatch point: the adapter spills the arguments, the
 * row for the call number decodes them by C type and calls the core or the process
 * services, and (when tracing) one log line is written.
 */
import { BytePath, EDEADLK, EFAULT, EINTR, ENOSYS, EPIPE, WOULD_BLOCK, binaryToBytes, bytesToBinary, newRlimit, newStat, newStatfs, type Imfs, type Stat } from '../core/index.js';
import { CageMemory } from './cage-memory.js';
import { createLindAdapter } from './lind-adapter.js';
import { i64 } from './i64-halves.js';
import { sleepMs } from './host-services.js';
import { lindImports } from './lind-imports.js';
import { CageExit } from './exit.js';
import { formatArg, formatResult, type ArgKind, type TraceSink } from './trace.js';
import { LIND_ROWS, type LindRow } from './lind-table.js';
import type { CageHeap } from './cage-heap.js';
import { SIGPIPE, SignalState } from './signal-state.js';
import { ACT_EXIT, ACT_NONE, type ExecImage, type ProcessHost, type ThreadStart } from './process-host.js';
import { monotonicMs } from '../core/clock.js';

/** What a lind cage is given besides the filesystem. */
export interface LindOptions {
  fs: Imfs;
  cageId: number;
  /** The thread this ABI serves (gettid); the cage's main thread has the cage's id (default). */
  tid?: number;
  /** The cage id getppid() reports when there is no process runtime (the grate is 0). */
  parentId?: number;
  memory: WebAssembly.Memory;
  heap: CageHeap;
  args: Uint8Array[];
  env: Uint8Array[];
  trace?: TraceSink;
  /** Called when a call would block forever (no other cage can run meanwhile). */
  warn?: (message: string) => void;
  /** The process runtime (fork, exec, wait, kill…); without one those calls answer ENOSYS. */
  proc?: ProcessHost;
  /** The cage's signal state (kept by the process runtime across exec). */
  signals?: SignalState;
  /**
   * Set when the cage's instance runs in another thread: its make-syscall spills the
   * arguments into this shared page, and this ABI only serves them (no adapter is made).
   */
  remoteSlots?: WebAssembly.Memory;
  /** What the cage's make-syscall calls (default: dispatch()); a runner that must see each call's action puts itself here. */
  onSyscall?: (nr: number) => number;
  /**
   * Whether other cages run while this one waits: a call that would wait returns WOULD_BLOCK
   * for the runtime to park and retry, instead of sleeping (or answering EDEADLK).
   */
  shared?: boolean;
}

/** The rows by call number in a plain array: indexing it costs less than a Map lookup on every call. */
const ROW_BY_NUMBER: (LindRow | undefined)[] = [];
for (const [nr, row] of LIND_ROWS) ROW_BY_NUMBER[nr] = row;

/** The marker lind-glibc puts in unused argument slots. */
const NOTUSED_HALF = 0xdeadbeef | 0;

export class LindAbi {
  readonly fs: Imfs;
  readonly cage: number;
  /** The calling thread's id (the cage's id for its main thread, as Linux numbers them). */
  tid: number;
  readonly mem: CageMemory;
  readonly heap: CageHeap;
  readonly parentId: number;
  readonly proc: ProcessHost | undefined;
  readonly signals: SignalState;
  /** Whether calls that would wait are parked by the runtime (see LindOptions.shared). */
  readonly shared: boolean;
  /** What the runner of the instance must do after the current call (process-host.ts ACT_*). */
  action = ACT_NONE;
  /** For ACT_HANDLER: the handler's table index and the signal. */
  handler = 0;
  signo = 0;
  /** For ACT_EXEC: the program the instance becomes. */
  execImage: ExecImage | null = null;
  /** For ACT_THREAD: the new thread's id and the stack clone gave it. */
  readonly threadStart: ThreadStart = { tid: 0, stack: 0, stackSize: 0 };
  /** The status the last exit or exit_group asked for (for the log). */
  exitStatus = 0;
  /** The result of the call in progress, kept while its signal handlers run. */
  result = 0;
  /** A signal ended the parked call's wait: it is tried once more, and any wait in it answers EINTR. */
  interrupted = false;
  /** Bytes a parked blocking write to a pipe has written so far (returned if it is interrupted). */
  progress = 0;
  /** When a parked call's timeout ends (monotonicMs() ms); NaN while no call is waiting. */
  deadline = NaN;
  /** Scratch results reused across calls. */
  readonly stat: Stat = newStat();
  readonly statfs = newStatfs();
  readonly rlimit = newRlimit();
  private readonly slots: Int32Array;
  private readonly paths = [new BytePath(), new BytePath(), new BytePath(), new BytePath(), new BytePath(), new BytePath()];
  /** The make-syscall import this ABI's adapter provides. */
  readonly makeSyscall: (...args: unknown[]) => number;
  private readonly trace?: TraceSink;
  private readonly warn: (message: string) => void;
  private readonly options: LindOptions;

  constructor(options: LindOptions) {
    this.options = options;
    this.fs = options.fs;
    this.cage = options.cageId;
    this.tid = options.tid ?? options.cageId;
    this.parentId = options.parentId ?? 0;
    this.proc = options.proc;
    this.signals = options.signals ?? new SignalState();
    this.shared = options.shared ?? false;
    this.heap = options.heap;
    this.mem = new CageMemory(options.memory);
    this.trace = options.trace;
    this.warn = options.warn ?? ((m) => process.stderr.write(`imfs-grate: ${m}\n`));
    if (options.remoteSlots !== undefined) {
      this.slots = new Int32Array(options.remoteSlots.buffer, 0, 30);
      this.makeSyscall = () => { throw new Error('a remote cage calls make-syscall in its own thread'); };
    } else {
      const adapter = createLindAdapter(options.onSyscall ?? this.dispatch);
      this.slots = adapter.slots;
      this.makeSyscall = adapter.makeSyscall;
    }
  }

  /**
   * Waits up to `ms` milliseconds (negative: no limit) for what the caller will look at again:
   * 0 when the time is up, -EINTR when a signal came first, WOULD_BLOCK when the call must
   * be parked and retried. A shared cage never sleeps here: its first call notes the deadline.
   */
  waitFor(ms: number): number {
    if (this.shared) {
      if (this.interrupted) return -EINTR;
      if (Number.isNaN(this.deadline)) this.deadline = ms < 0 ? Infinity : monotonicMs() + ms;
      return monotonicMs() >= this.deadline ? 0 : WOULD_BLOCK;
    }
    if (ms < 0) return WOULD_BLOCK;
    return this.proc === undefined ? (sleepMs(ms), 0) : this.proc.sleep(this, ms);
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

  /** One call from the cage (the adapter's target): served, with a wait settled and due signals delivered. */
  readonly dispatch = (nr: number): number => {
    const r = this.call(nr);
    return this.finish(r === WOULD_BLOCK ? this.settle(nr) : r);
  };

  /** A call's final result: a write that met EPIPE raises SIGPIPE; then due signals are delivered (they may set `action`). */
  finish(result: number): number {
    // A write interrupted after some bytes went out returns their count, not the error.
    const r = this.progress > 0 && result < 0 ? this.progress : result;
    if (r === -EPIPE) this.proc?.raise(this, SIGPIPE);
    this.result = r;
    this.deadline = NaN;
    this.progress = 0;
    this.interrupted = false;
    if (this.signals.anyPending() && this.action === ACT_NONE && this.signals.due() !== 0) this.proc?.deliver(this);
    return r;
  }

  /** How the log names the caller: the cage, and the thread when it is not the cage's main one. */
  private who(): string {
    return this.tid === this.cage ? `[cage ${this.cage}]` : `[cage ${this.cage} thread ${this.tid}]`;
  }

  /** One call served as it stands: its result, or WOULD_BLOCK if it must wait (nothing is slept through or settled). */
  call(nr: number): number {
    const row = nr >= 0 && nr < ROW_BY_NUMBER.length ? ROW_BY_NUMBER[nr] : undefined;
    if (row === undefined) {
      if (this.trace !== undefined) this.trace(`${this.who()} syscall_${nr}(...) = ${formatResult(-ENOSYS)}`);
      return -ENOSYS;
    }
    const trace = this.trace;
    if (trace === undefined) return row.call(this);
    const args = this.traceArgs(row);
    let result: number;
    try {
      result = row.call(this);
    } catch (e) {
      trace(`${this.who()} ${row.name}(${args}) = ? ${e instanceof CageExit ? `(exit ${e.status})` : '(aborted)'}`);
      throw e;
    }
    const shown = this.action === ACT_EXIT ? `? (exit ${this.exitStatus})` : result === WOULD_BLOCK ? '(waits)' : formatResult(result);
    if (result !== WOULD_BLOCK || Number.isNaN(this.deadline)) trace(`${this.who()} ${row.name}(${args}) = ${shown}`);
    return result;
  }

  /**
   * A call of a cage that runs alone would wait: until a timer of its own is due (then the
   * call is tried again, or interrupted by the signal), or forever — nobody else can change
   * anything — which is answered EDEADLK, with a warning.
   */
  private settle(nr: number): number {
    for (;;) {
      const r = this.proc?.awaitTimer(this) ?? WOULD_BLOCK;
      if (r !== 0) {
        if (r === WOULD_BLOCK) {
          this.fs.abandonWait(this.cage);
          this.warn(`cage ${this.cage}: ${ROW_BY_NUMBER[nr]?.name ?? `syscall_${nr}`}() would block forever (no other cage can run while it waits); answering EDEADLK`);
          return -EDEADLK;
        }
        return r;
      }
      const again = this.call(nr);
      if (again !== WOULD_BLOCK) return again;
    }
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
    const o = this.options;
    const imports = lindImports({ memory: o.memory, cageId: this.cage, args: o.args, env: o.env, mem: () => this.mem });
    imports.lind['make-syscall'] = this.makeSyscall;
    return imports;
  }

  /** Sets a descriptor's status flag through fcntl (for ioctl FIONBIO/FIOASYNC). */
  setStatusFlag(fd: number, flag: number, on: boolean): number {
    const flags = this.fs.fcntl(this.cage, fd, 3);
    if (flags < 0) return flags;
    return this.fs.fcntl(this.cage, fd, 4, on ? flags | flag : flags & ~flag);
  }

  /** exit_group (group) / exit: the process runtime ends the cage; a cage without one ends here. */
  exit(status: number, group: boolean): number {
    if (this.proc === undefined) throw new CageExit(status & 0xff);
    this.exitStatus = status & 0xff;
    this.proc.exit(this, status & 0xff, group);
    return 0;
  }
}


