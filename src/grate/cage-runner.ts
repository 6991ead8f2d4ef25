/**
 * Runs one instance of a lind cage — one of its threads — in whichever thread holds it (the
 * main thread while a cage runs alone, a worker once there are several): calls `_start`,
 * and carries out what the process runtime asks after a call (process-host.ts ACT_*): runs
 * signal handlers through `signal_callback`, unwinds with asyncify for fork (the memory
 * copied, processes.md §2, §4) and for a new thread (its unwound frames copied onto its own
 * stack, §5) and rewinds both, replaces the instance for execve, and leaves it when the
 * thread or its cage has ended.
 */
import { ACT_EXEC, ACT_EXIT, ACT_FORK, ACT_HANDLER, ACT_NONE, ACT_THREAD, type ExecImage, type ThreadStart } from '../abi/process-host.js';

/** How a runner reaches the process runtime: directly, or through the syscall channel. */
export interface CallPort {
  /** Serves call `nr` (its arguments are spilled already); then action/handler/signo say what follows. */
  call(nr: number): number;
  /** The handler asked for has returned; the answer is again the call's result (and maybe another action). */
  handlerReturned(): number;
  readonly action: number;
  readonly handler: number;
  readonly signo: number;
  /** After ACT_THREAD: the thread to start. */
  threadStart(): ThreadStart;
  /** After ACT_EXEC: the program to become. */
  execImage(): ExecImage;
  /**
   * After the fork unwind: the child's snapshot to start. Returns 'go on' to rewind here, or
   * 'move' when this instance must not go on in this thread (the runner then stops and
   * returns its own snapshot for a worker to rewind).
   */
  forked(child: number, snapshot: Snapshot): 'go on' | 'move';
  /** After a thread's unwind: its snapshot to start (null: it cannot be), answered as forked() is. */
  threadCreated(tid: number, snapshot: Snapshot | null): 'go on' | 'move';
  /** _start returned `value` (not through exit_group). */
  returned(value: number): void;
  /** The make-syscall this runner's instance gets, calling `dispatch` with each call number. */
  makeSyscall(dispatch: (nr: number) => number): (...args: unknown[]) => number;
}

/** An instance stopped between an asyncify unwind and its rewind: what a new instance needs to go on from there. */
export interface Snapshot extends Image {
  /** Exported mutable globals by name (the stack pointer, TLS base…). */
  globals: Record<string, number | bigint>;
  /** The asyncify data block (the low end of the shadow stack). */
  block: number;
  /** What the replayed call returns. */
  replay: number;
  /** The running thread's stack: its low end (where asyncify's block goes) and its first stack pointer. */
  stackLow: number;
  stackBase: number;
  /** For a new thread: the top of its stack and how deep its creator's stack was at clone. */
  thread?: { stack: number; depth: number; blockEnd: number };
}

/** A program and the memory it runs in (its declared maximum in pages beside it). */
export interface Image {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  maxPages: number;
  args: Uint8Array[];
  env: Uint8Array[];
}

export type ImportsFor = (image: Image, makeSyscall: (...args: unknown[]) => number) => WebAssembly.Imports;

/** The asyncify exports fork needs (processes.md §1). */
const ASYNCIFY = ['asyncify_start_unwind', 'asyncify_stop_unwind', 'asyncify_start_rewind', 'asyncify_stop_rewind', '__stack_pointer', '__stack_low'] as const;

/** The exports a module lacks for fork; empty when it can fork. */
export function missingForkExports(module: WebAssembly.Module): string[] {
  const have = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  return ASYNCIFY.filter((n) => !have.has(n));
}

/** Thrown out of the instance to replace it (execve) or to leave it (the cage has ended). */
class Leave {
  constructor(readonly image: ExecImage | null) {}
}

export type RunEnd = { kind: 'ended' } | { kind: 'returned'; value: number } | { kind: 'move'; snapshot: Snapshot };

interface Asyncify {
  asyncify_start_unwind(block: number): void;
  asyncify_stop_unwind(): void;
  asyncify_start_rewind(block: number): void;
  asyncify_stop_rewind(): void;
  signal_callback?(handler: number, signo: number): void;
  __wasm_init_tls?(block: number): void;
  __get_aligned_tls_size?(): number;
  __stack_pointer: WebAssembly.Global;
  __stack_low: WebAssembly.Global;
}

/** What a thread's stack must keep free below the frames it starts with (the clone that started it, and start_thread). */
const THREAD_STACK_ROOM = 4096;
const EINVAL = 22;

export class CageRunner {
  private instance!: WebAssembly.Instance;
  private ex!: Asyncify;
  private image!: Image;
  private replaying = false;
  private replayValue = 0;
  /** A fork whose unwind is under way: the child's id. */
  private forking = -1;
  /** A thread whose unwind is under way. */
  private threading: ThreadStart | null = null;
  private block = 0;
  /** This thread's stack: its low end and its first stack pointer. */
  private stackLow = 0;
  private stackBase = 0;
  private globals: Record<string, number | bigint> = {};
  private readonly makeSyscall: (...args: unknown[]) => number;

  constructor(private readonly port: CallPort, private readonly importsFor: ImportsFor) {
    this.makeSyscall = port.makeSyscall(this.onSyscall);
  }


  /** The cage's make-syscall lands here: the replay rule first (processes.md §2), then the call and its action. */
  private readonly onSyscall = (nr: number): number => {
    if (this.replaying) {
      this.ex.asyncify_stop_rewind();
      this.replaying = false;
      return this.replayValue;
    }
    const port = this.port;
    const r = port.call(nr);
    return port.action === ACT_NONE ? r : this.act(r);
  };

  private act(result: number): number {
    const port = this.port;
    let r = result;
    for (;;) {
      switch (port.action) {
        case ACT_NONE:
          return r;
        case ACT_HANDLER: {
          const callback = this.ex.signal_callback;
          // A cage without signal_callback cannot run handlers; the runtime only asks for one when it has it.
          callback?.call(this.ex, port.handler, port.signo);
          r = port.handlerReturned();
          continue;
        }
        case ACT_FORK:
          this.forking = r;
          this.startUnwind();
          return 0;
        case ACT_THREAD:
          this.threading = { ...port.threadStart() };
          this.startUnwind();
          return 0;
        case ACT_EXEC:
          throw new Leave(port.execImage());
        case ACT_EXIT:
          throw new Leave(null);
        default:
          throw new Error(`unknown action ${port.action}`);
      }
    }
  }

  /** Step 1 of a fork or a new thread: note where this thread stands and start unwinding into the block at its stack's low end. */
  private startUnwind(): void {
    const ex = this.ex;
    const block = this.stackLow;
    const sp = ex.__stack_pointer.value as number;
    const dv = new DataView(this.image.memory.buffer);
    dv.setUint32(block, block + 8, true);
    dv.setUint32(block + 4, sp, true);
    this.block = block;
    this.globals = {};
    for (const [name, value] of Object.entries(this.instance.exports)) {
      if (value instanceof WebAssembly.Global && isMutable(value)) this.globals[name] = value.value as number | bigint;
    }
    ex.asyncify_start_unwind(block);
  }

  /** A fresh program: instantiates it (its start function runs) and calls _start. */
  start(image: Image): RunEnd {
    this.loadProgram(image);
    return this.run();
  }

  /** A program starting afresh (at start or by execve): its own main stack. */
  private loadProgram(image: Image): void {
    this.load(image);
    this.stackLow = this.ex.__stack_low?.value as number;
    this.stackBase = this.ex.__stack_pointer?.value as number;
  }

  /** A fork child or a moved instance: instantiates over the snapshot's memory, restores the globals, and rewinds. */
  resume(s: Snapshot): RunEnd {
    this.load(s);
    for (const [name, value] of Object.entries(s.globals)) {
      const g = this.instance.exports[name];
      if (g instanceof WebAssembly.Global) g.value = value;
    }
    this.stackLow = s.stackLow;
    this.stackBase = s.stackBase;
    if (s.thread !== undefined) this.enterThread(s.thread);
    this.rewind(s.block, s.replay);
    return this.run();
  }

  /**
   * A new thread's instance (processes.md §5 step 4): its TLS block at the top of its stack,
   * set up by the program's own __wasm_init_tls, and its stack pointer below that as deep
   * as its creator's was (with room above the frames it rewinds, else at the top).
   */
  private enterThread(t: { stack: number; depth: number; blockEnd: number }): void {
    const ex = this.ex;
    const top = t.stack - (ex.__get_aligned_tls_size?.() ?? 0);
    ex.__wasm_init_tls?.(top);
    let sp = (top - t.depth) & ~15;
    if (sp - THREAD_STACK_ROOM < t.blockEnd) sp = top & ~15;
    ex.__stack_pointer.value = sp;
    this.stackBase = top;
  }

  /** Whether an instance was ever made (before that, a failure is the host's, not the cage's). */
  instantiated = false;

  private load(image: Image): void {
    this.image = { module: image.module, memory: image.memory, maxPages: image.maxPages, args: image.args, env: image.env };
    this.instance = new WebAssembly.Instance(image.module, this.importsFor(image, this.makeSyscall));
    this.ex = this.instance.exports as unknown as Asyncify;
    this.instantiated = true;
  }

  private rewind(block: number, value: number): void {
    this.replaying = true;
    this.replayValue = value;
    this.ex.asyncify_start_rewind(block);
  }

  private run(): RunEnd {
    for (;;) {
      let value: unknown;
      try {
        value = (this.instance.exports._start as () => unknown)();
      } catch (e) {
        if (!(e instanceof Leave)) throw e;
        if (e.image === null) return { kind: 'ended' };
        this.loadProgram(e.image); // execve, from any thread: the new program's main stack
        continue;
      }
      if (this.threading !== null) {
        const next = this.startThread(this.threading);
        this.threading = null;
        if (next === 'move') return { kind: 'move', snapshot: this.snapshot(this.image.memory, this.replayValue) };
        continue;
      }
      if (this.forking < 0) {
        const v = typeof value === 'number' ? value : 0;
        this.port.returned(v);
        return { kind: 'returned', value: v };
      }
      // Steps 3–6 of processes.md §4: stop the unwind, copy the memory for the child, rewind.
      const child = this.forking;
      this.forking = -1;
      this.ex.asyncify_stop_unwind();
      const next = this.port.forked(child, this.snapshot(copyMemory(this.image.memory, this.image.maxPages), 0));
      if (next === 'move') return { kind: 'move', snapshot: this.snapshot(this.image.memory, child) };
      this.rewind(this.block, child);
    }
  }

  /**
   * Steps 3 and 5 of processes.md §5: the unwound frames are copied to the low end of the
   * new thread's stack (it rewinds them from there, in its own instance on the same memory),
   * then this thread rewinds with the new thread's id (or -EINVAL if its stack is too small).
   */
  private startThread(t: ThreadStart): 'go on' | 'move' {
    this.ex.asyncify_stop_unwind();
    const dv = new DataView(this.image.memory.buffer);
    const n = dv.getUint32(this.block, true) - this.block;
    const low = t.stack - t.stackSize;
    let child: Snapshot | null = null;
    if (n + THREAD_STACK_ROOM <= t.stackSize) {
      new Uint8Array(this.image.memory.buffer).copyWithin(low, this.block, this.block + n);
      dv.setUint32(low, low + n, true);
      dv.setUint32(low + 4, low + n, true);
      const sp = this.globals.__stack_pointer as number;
      child = {
        ...this.snapshot(this.image.memory, 0), block: low, stackLow: low, stackBase: 0,
        thread: { stack: t.stack, depth: Math.max(0, this.stackBase - sp), blockEnd: low + n },
      };
    }
    const next = this.port.threadCreated(t.tid, child);
    this.replayValue = child === null ? -EINVAL : t.tid;
    if (next === 'go on') this.rewind(this.block, this.replayValue);
    return next;
  }

  private snapshot(memory: WebAssembly.Memory, replay: number): Snapshot {
    return { ...this.image, memory, globals: { ...this.globals }, block: this.block, replay, stackLow: this.stackLow, stackBase: this.stackBase };
  }
}

function isMutable(g: WebAssembly.Global): boolean {
  try {
    g.value = g.value; // eslint-disable-line no-self-assign
    return true;
  } catch {
    return false;
  }
}

/** A byte copy of a shared memory, with the same maximum (V8 holds a module to its declared maximum). */
function copyMemory(m: WebAssembly.Memory, maxPages: number): WebAssembly.Memory {
  const src = new Uint8Array(m.buffer);
  const copy = new WebAssembly.Memory({ initial: src.length / 65536, maximum: maxPages, shared: true });
  new Uint8Array(copy.buffer).set(src);
  return copy;
}
