/**
 * Who runs the cages' instances (processes.md §3). The first lind cage runs in the main
 * thread with direct calls into the IMFS, as fast as a lone cage can be. Its first fork moves
 * it, and every cage after it, into a worker thread of its own; the main thread then owns
 * the IMFS and the process table alone and serves every cage's calls through its syscall
 * channel. A call that must wait is parked and tried again whenever something changed; the
 * main thread never blocks in a call, only between them, on the doorbell.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { MessagePort, Worker } from 'node:worker_threads';
import { EDEADLK, EINTR, WOULD_BLOCK, type Imfs } from '../core/index.js';
import { CageHeap } from '../abi/cage-heap.js';
import { CageMemory } from '../abi/cage-memory.js';
import { LindAbi } from '../abi/lind.js';
import { ACT_EXEC, ACT_EXIT, ACT_NONE, ACT_THREAD, type ExecImage, type ThreadStart } from '../abi/process-host.js';
import { LIND_ROWS } from '../abi/lind-table.js';
import type { TraceSink } from '../abi/trace.js';
import { trapMessage, trapSignal, type WorkerMessage, type WorkerStart } from './worker-protocol.js';
import { CageRunner, type CallPort, type Image, type Snapshot } from './cage-runner.js';
import {
  FUTEX_WAITING, INTERRUPT, NR, NR_HANDLER_RETURNED, NR_INTERRUPTED, NR_RETURNED, REQUEST, RESULT, STATE, THREAD_STACK, THREAD_STACK_SIZE,
  answer, controlWords, interruptFutex, newChannelPage, newDoorbell,
} from './syscall-channel.js';
import { exitedStatus, type CageThreads, type Proc, type ProcessTable, type Task } from './processes.js';
import { epochOffsetMs, monotonicMs } from '../core/clock.js';

export interface ThreadOptions {
  fs: Imfs;
  trace?: TraceSink;
  warn: (message: string) => void;
  /** A cage's trap or panic, for the user. */
  report: (message: string) => void;
  /** When the whole tree must end (monotonicMs() ms; Infinity: never). */
  deadline: number;
}

/** One thread of a cage running in a worker. */
interface WorkerThread {
  task: Task;
  worker: Worker;
  port: MessagePort;
  ctl: Int32Array;
  page: WebAssembly.Memory;
  /** The call number it is parked in, or null. */
  parked: number | null;
}

/** Where the worker's script is: beside this bundle, or built into dist/ when running from the sources (tests). */
function workerScript(): URL {
  for (const rel of ['./cage-worker.js', '../../dist/cage-worker.js']) {
    const url = new URL(rel, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url;
  }
  throw new Error('cannot find cage-worker.js (run `make` to build dist/)');
}

type WorkerThreads = typeof import('node:worker_threads');
let loaded: WorkerThreads | undefined;
/** node:worker_threads, loaded when a cage first needs a worker: a run that never does saves its loading (some 4 ms). */
const workerThreads = (): WorkerThreads => (loaded ??= process.getBuiltinModule('node:worker_threads'));
const receiveMessageOnPort = (port: MessagePort) => workerThreads().receiveMessageOnPort(port);

/** A worker thread that waits for its cage (cage-worker.ts); it never keeps the process alive. */
function newWorker(): Worker {
  const w = new (workerThreads().Worker)(workerScript());
  w.unref();
  return w;
}

/** Idle workers kept for reuse: each is a V8 isolate (some MB), so only a few. */
const POOL_SIZE = 4;

export class Threads implements CageThreads {
  private readonly bell = newDoorbell();
  private readonly workers = new Map<Task, WorkerThread>();
  /** A worker started ahead of the next fork or thread, waiting for its instance. */
  private spare: Worker | null = null;
  /** Workers whose instance exited: once they say they are idle, they go to the pool. */
  private readonly retiring: WorkerThread[] = [];
  /** Idle workers of ended instances, for the next forks and threads (their start-up is paid). */
  private readonly pool: Worker[] = [];
  /** The cage running in the main thread, while there is one. */
  private direct: DirectPort | null = null;

  constructor(private readonly table: ProcessTable, private readonly o: ThreadOptions) {
    table.threads = this;
  }

  /** Runs the first cage in this thread; after its first fork or thread, serves every cage until all have ended. */
  runFirst(p: Proc, image: Image, makeImports: (lind: LindAbi, image: Image) => WebAssembly.Imports): void {
    const task = this.table.mainTask(p);
    const port = new DirectPort(this.table, task, this.o, makeImports);
    this.direct = port;
    const lind = port.lindFor(image);
    this.table.running(p, lind, image.module);
    this.table.serving = task;
    const runner = new CageRunner(port, (img) => port.importsFor(img));
    let end;
    try {
      end = runner.start(image);
    } catch (e) {
      this.direct = null;
      this.table.serving = null;
      // The first program could not even be instantiated: the grate's error, not the cage's death.
      if (!runner.instantiated) {
        this.table.end(p, exitedStatus(127), false);
        throw e;
      }
      this.died(p, e);
      return;
    }
    this.direct = null;
    this.table.serving = null;
    if (end.kind === 'move') {
      this.spawn(task, end.snapshot, task.lind!.heap);
      this.serve();
    }
  }

  /** Runs the first cage in a worker from the start (so that a time limit can stop it while it computes). */
  runFirstInWorker(p: Proc, image: Image): void {
    const s: Snapshot = { ...image, globals: {}, block: 0, replay: 0, stackLow: 0, stackBase: 0 };
    this.spawn(this.table.mainTask(p), s, new CageHeap(new CageMemory(image.memory)), true);
    this.serve();
  }

  private died(p: Proc, e: unknown): void {
    const sig = trapSignal(e);
    this.o.report(trapMessage(`'${p.name}'`, e));
    this.table.died(p, sig);
  }

  startForked(p: Proc, s: Snapshot): void {
    const heap = p.heapFor!(new CageMemory(s.memory));
    p.heapFor = null;
    this.spawn(this.table.mainTask(p), s, heap);
  }

  startThread(t: Task, s: Snapshot): void {
    // The cage's threads share one heap (mmap and brk are the process's), kept by every thread's ABI.
    let heap: CageHeap | undefined;
    for (const u of t.proc.tasks.values()) if (u.lind !== null) heap = u.lind.heap;
    this.spawn(t, s, heap ?? new CageHeap(new CageMemory(s.memory)));
  }

  /** A worker for thread t, going on from the snapshot (or starting it afresh). */
  private spawn(t: Task, s: Snapshot, heap: CageHeap, fresh = false): void {
    const p = t.proc;
    const page = newChannelPage();
    const lind = this.remoteLind(t, s, page, heap);
    if (t.state === 'starting' && t.tid !== p.id) this.table.threadRunning(t, lind);
    else this.table.running(p, lind, s.module);
    this.o.fs.cage(p.id)!.waitsForPeers = true;
    const { port1, port2 } = new (workerThreads().MessageChannel)();
    const start: WorkerStart = { cage: p.id, page, bell: this.bell, port: port2, snapshot: s, fresh, epochOffsetMs: epochOffsetMs() };
    let worker = this.pool.pop();
    if (worker === undefined) {
      worker = this.spare ?? newWorker();
      // Once cages fork or make threads, the next one's worker starts now, while this one runs.
      this.spare = newWorker();
    }
    worker.postMessage(start, [port2]);
    this.workers.set(t, { task: t, worker, port: port1, ctl: controlWords(page), page, parked: null });
  }

  private remoteLind(t: Task, image: Image, page: WebAssembly.Memory, heap?: CageHeap): LindAbi {
    const mem = new CageMemory(image.memory);
    return new LindAbi({
      fs: this.o.fs, cageId: t.proc.id, tid: t.tid, memory: image.memory, heap: heap ?? new CageHeap(mem), args: [], env: [],
      trace: this.o.trace, warn: this.o.warn, proc: this.table, signals: t.signals, remoteSlots: page, shared: true,
    });
  }

  lindFor(t: Task, image: Image): LindAbi {
    if (this.direct !== null && this.direct.task === t) return this.direct.lindFor(image);
    return this.remoteLind(t, image, this.workers.get(t)!.page);
  }

  stop(t: Task): void {
    const w = this.workers.get(t);
    if (w === undefined) return;
    this.workers.delete(t);
    void w.worker.terminate();
    w.port.close();
  }

  interrupt(t: Task): void {
    const w = this.workers.get(t);
    if (w === undefined) return;
    if (w.parked === null) {
      // Not in a call of ours: maybe in a futex wait in its worker, which ends with -EINTR and asks us to deliver.
      interruptFutex(w.ctl, t.lind!.mem.memory);
      return;
    }
    // Tried once more knowing it is interrupted: what came meanwhile is taken, a sleep writes the time left.
    const lind = t.lind!, nr = w.parked;
    w.parked = null;
    lind.interrupted = true;
    this.table.serving = t;
    let r = lind.call(nr);
    this.table.serving = null;
    if (r === WOULD_BLOCK) r = -EINTR;
    if (r < 0) this.o.fs.abandonWait(t.proc.id);
    this.respond(w, lind, lind.finish(r));
  }

  waiting(t: Task): boolean {
    const w = this.workers.get(t);
    return w !== undefined && (w.parked !== null || Atomics.load(w.ctl, FUTEX_WAITING) === 1);
  }

  /** Ends every cage still running (--timeout, or the grate giving up). */
  stopAll(status: number): void {
    for (const p of this.table.procs.values()) if (p.state !== 'ended') this.table.end(p, status, true);
  }

  /** The owner's loop: serves calls, messages and timers until every cage has ended. */
  private serve(): void {
    const table = this.table;
    while (table.livingCount > 0) {
      const seen = Atomics.load(this.bell, 0);
      let served = false;
      this.drainRetiring();
      for (const w of [...this.workers.values()]) {
        this.drain(w);
        if (w.parked === null && this.workers.has(w.task) && Atomics.load(w.ctl, STATE) === REQUEST) {
          this.call(w);
          served = true;
        }
      }
      const now = monotonicMs();
      if (now >= this.o.deadline) {
        this.o.warn(`the time limit has passed: ending ${table.livingCount} cage(s)`);
        this.stopAll(exitedStatus(124));
        break;
      }
      let wake = Math.min(table.fireTimers(now), this.o.deadline);
      if (served || table.changed || this.anyDeadlinePassed(now)) {
        table.changed = false;
        this.retryParked();
      }
      // A parked call with a timeout (poll, nanosleep…) has a deadline; one without has NaN.
      for (const w of this.workers.values()) if (w.parked !== null && w.task.lind!.deadline < wake) wake = w.task.lind!.deadline;
      if (served) continue;
      if (this.deadlocked(wake)) continue;
      const ms = wake === Infinity ? 1000 : Math.max(0, wake - monotonicMs());
      Atomics.wait(this.bell, 0, seen, ms);
    }
    for (const w of [...this.workers.values(), ...this.retiring]) { void w.worker.terminate(); w.port.close(); }
    for (const worker of this.pool) void worker.terminate();
    if (this.spare !== null) void this.spare.terminate();
    this.spare = null;
    this.workers.clear();
    this.retiring.length = 0;
    this.pool.length = 0;
  }

  private anyDeadlinePassed(now: number): boolean {
    for (const w of this.workers.values()) if (w.parked !== null && w.task.lind!.deadline <= now) return true;
    return false;
  }

  /** Workers of exited instances that have returned: kept idle for the next ones (a few; more end). */
  private drainRetiring(): void {
    for (let i = this.retiring.length - 1; i >= 0; i--) {
      const w = this.retiring[i];
      const m = receiveMessageOnPort(w.port);
      if (m === undefined) continue;
      this.retiring.splice(i, 1);
      w.port.close();
      if ((m.message as WorkerMessage).type === 'idle' && this.pool.length < POOL_SIZE) this.pool.push(w.worker);
      else void w.worker.terminate();
    }
  }

  /** Messages from w's worker: a fork's child or a new thread to start, or its instance's death. */
  private drain(w: WorkerThread): void {
    for (let m = receiveMessageOnPort(w.port); m !== undefined; m = receiveMessageOnPort(w.port)) {
      const msg = m.message as WorkerMessage;
      if (msg.type === 'forked') this.table.forked(msg.child, msg.snapshot);
      else if (msg.type === 'thread') {
        if (msg.snapshot === null) this.table.threadFailed(msg.tid);
        else this.table.threadCreated(msg.tid, msg.snapshot);
      } else if (msg.type === 'died' && w.task.proc.state !== 'ended') {
        // A trap in any thread ends the whole cage (processes.md §7).
        this.o.report(msg.message);
        this.workers.delete(w.task);
        this.table.died(w.task.proc, msg.signo);
      }
    }
  }

  private call(w: WorkerThread): void {
    const t = w.task, p = t.proc, lind = t.lind!, table = this.table;
    const nr = w.ctl[NR];
    // Any signal due is delivered as this call returns: an interruption asked before is moot.
    Atomics.store(w.ctl, INTERRUPT, 0);
    table.serving = t;
    try {
      if (nr === NR_HANDLER_RETURNED) {
        table.handlerReturned(lind);
        this.respond(w, lind, lind.result);
      } else if (nr === NR_RETURNED) {
        p.exitCode ??= w.ctl[RESULT] & 0xff;
        table.end(p, exitedStatus(p.exitCode), false);
        this.respond(w, lind, 0);
      } else if (nr === NR_INTERRUPTED) {
        this.respond(w, lind, lind.finish(w.ctl[RESULT]));
      } else {
        const r = lind.call(nr);
        if (r === WOULD_BLOCK) w.parked = nr;
        else this.respond(w, lind, lind.finish(r));
      }
    } finally {
      table.serving = null;
    }
  }

  private retryParked(): void {
    for (let again = true; again;) {
      again = false;
      for (const w of [...this.workers.values()]) {
        if (w.parked === null || !this.workers.has(w.task)) continue;
        const lind = w.task.lind!;
        this.table.serving = w.task;
        const r = lind.call(w.parked);
        this.table.serving = null;
        if (r === WOULD_BLOCK) continue;
        w.parked = null;
        this.respond(w, lind, lind.finish(r));
        again = true;
      }
    }
  }

  /**
   * Every living thread of every cage waits in one of our calls and nothing can wake any of
   * them: a deadlock. Linux would hang; the grate says so and answers each waiting call
   * EDEADLK. (A thread in a futex wait is not counted as stuck: it waits in its own worker.)
   */
  private deadlocked(wake: number): boolean {
    if (wake !== Infinity) return false;
    const waiting: WorkerThread[] = [];
    for (const p of this.table.procs.values()) {
      if (p.state === 'ended') continue;
      if (p.state === 'starting') return false;
      for (const t of p.tasks.values()) {
        const w = this.workers.get(t);
        if (t.state !== 'running' || w === undefined || w.parked === null) return false;
        waiting.push(w);
      }
    }
    if (waiting.length === 0) return false;
    const names = waiting.map((w) => `${w.task.tid === w.task.proc.id ? `cage ${w.task.tid}` : `thread ${w.task.tid} of cage ${w.task.proc.id}`} in ${this.callName(w.parked!)}`);
    this.o.warn(`deadlock: every cage is waiting (${names.join(', ')}); answering EDEADLK`);
    for (const w of waiting) {
      w.parked = null;
      this.o.fs.abandonWait(w.task.proc.id);
      this.respond(w, w.task.lind!, w.task.lind!.finish(-EDEADLK));
    }
    return true;
  }

  private callName(nr: number): string {
    return `${LIND_ROWS.get(nr)?.name ?? `syscall_${nr}`}()`;
  }

  /**
   * Answers w's call as `lind` (the ABI that served it) left it; an execve's program is
   * posted first, for the worker to take with the answer; a new thread's stack goes with it.
   */
  private respond(w: WorkerThread, lind: LindAbi, result: number): void {
    let action = lind.action;
    if (action === ACT_EXEC) w.port.postMessage(lind.execImage);
    if (action === ACT_THREAD) {
      w.ctl[THREAD_STACK] = lind.threadStart.stack;
      w.ctl[THREAD_STACK_SIZE] = lind.threadStart.stackSize;
    }
    lind.action = ACT_NONE;
    lind.execImage = null;
    if (w.task.state === 'ended') action = ACT_EXIT; // it (or its cage) ended during its call
    answer(w.ctl, result, action, lind.handler, lind.signo);
    if (action === ACT_EXIT) {
      // It returns from the call into its exit and says when it is idle (drainRetiring).
      this.workers.delete(w.task);
      this.retiring.push(w);
    }
  }
}

/** The first cage's calls, served in this thread without a channel. */
class DirectPort implements CallPort {
  action = ACT_NONE;
  handler = 0;
  signo = 0;
  private image: ExecImage | null = null;
  private dispatch: (nr: number) => number = () => -38;

  constructor(
    private readonly table: ProcessTable,
    readonly task: Task,
    private readonly o: ThreadOptions,
    private readonly makeImports: (lind: LindAbi, image: Image) => WebAssembly.Imports,
  ) {}

  /** A direct ABI for the cage over image's memory; its make-syscall calls the runner. */
  lindFor(image: Image): LindAbi {
    const mem = new CageMemory(image.memory);
    return new LindAbi({
      fs: this.o.fs, cageId: this.task.proc.id, memory: image.memory, heap: new CageHeap(mem), args: image.args, env: image.env,
      proc: this.table, signals: this.task.signals, onSyscall: (nr) => this.dispatch(nr), trace: this.o.trace, warn: this.o.warn,
    });
  }

  private take(lind: LindAbi): void {
    this.action = lind.action;
    this.handler = lind.handler;
    this.signo = lind.signo;
    if (lind.action === ACT_EXEC) this.image = lind.execImage;
    lind.action = ACT_NONE;
  }

  call(nr: number): number {
    const lind = this.task.lind!;
    const r = lind.dispatch(nr);
    this.take(lind);
    return r;
  }

  handlerReturned(): number {
    const lind = this.task.lind!;
    this.table.handlerReturned(lind);
    this.take(lind);
    return lind.result;
  }

  threadStart(): ThreadStart {
    return { ...this.task.lind!.threadStart };
  }

  execImage(): ExecImage {
    return this.image!;
  }

  forked(child: number, s: Snapshot): 'go on' | 'move' {
    this.table.forked(child, s);
    return 'move';
  }

  /** The cage's first thread made: from now on every thread of it runs in a worker, and this one moves too. */
  threadCreated(tid: number, s: Snapshot | null): 'go on' | 'move' {
    if (s === null) {
      this.table.threadFailed(tid);
      return 'go on';
    }
    this.table.threadCreated(tid, s);
    return 'move';
  }

  returned(value: number): void {
    const p = this.task.proc;
    p.exitCode ??= value & 0xff;
    this.table.end(p, exitedStatus(p.exitCode), false);
  }

  makeSyscall(dispatch: (nr: number) => number): (...args: unknown[]) => number {
    this.dispatch = dispatch;
    return this.task.lind!.makeSyscall;
  }

  /** The grate's imports for the cage (its ABI's own make-syscall already calls the runner). */
  importsFor(image: Image): WebAssembly.Imports {
    return this.makeImports(this.task.lind!, image);
  }
}
