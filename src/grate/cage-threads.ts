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
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { EDEADLK, EINTR, WOULD_BLOCK, type Imfs } from '../core/index.js';
import { CageHeap } from '../abi/cage-heap.js';
import { CageMemory } from '../abi/cage-memory.js';
import { LindAbi } from '../abi/lind.js';
import { ACT_EXEC, ACT_EXIT, ACT_NONE, type ExecImage } from '../abi/process-host.js';
import { LIND_ROWS } from '../abi/lind-table.js';
import type { TraceSink } from '../abi/trace.js';
import { trapMessage, trapSignal, type WorkerMessage, type WorkerStart } from './worker-protocol.js';
import { CageRunner, type CallPort, type Image, type Snapshot } from './cage-runner.js';
import { NR, NR_HANDLER_RETURNED, NR_RETURNED, REQUEST, RESULT, STATE, answer, controlWords, newChannelPage, newDoorbell } from './syscall-channel.js';
import { exitedStatus, type CageThreads, type Proc, type ProcessTable } from './processes.js';

export interface ThreadOptions {
  fs: Imfs;
  trace?: TraceSink;
  warn: (message: string) => void;
  /** A cage's trap or panic, for the user. */
  report: (message: string) => void;
  /** When the whole tree must end (performance.now() ms; Infinity: never). */
  deadline: number;
}

interface WorkerCage {
  proc: Proc;
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

/** A worker thread that waits for its cage (cage-worker.ts); it never keeps the process alive. */
function newWorker(): Worker {
  const w = new Worker(workerScript());
  w.unref();
  return w;
}

export class Threads implements CageThreads {
  private readonly bell = newDoorbell();
  private readonly workers = new Map<number, WorkerCage>();
  /** A worker started ahead of the next fork, waiting for its cage. */
  private spare: Worker | null = null;
  /** The cage running in the main thread, while there is one. */
  private direct: DirectPort | null = null;

  constructor(private readonly table: ProcessTable, private readonly o: ThreadOptions) {
    table.threads = this;
  }

  /** Runs the first cage in this thread; after its first fork, serves every cage until all have ended. */
  runFirst(p: Proc, image: Image, makeImports: (lind: LindAbi, image: Image) => WebAssembly.Imports): void {
    const port = new DirectPort(this.table, p, this.o, makeImports);
    this.direct = port;
    const lind = port.lindFor(image);
    this.table.running(p, lind, image.module);
    this.table.current = p;
    const runner = new CageRunner(port, (img) => port.importsFor(img));
    let end;
    try {
      end = runner.start(image);
    } catch (e) {
      this.direct = null;
      this.table.current = null;
      // The first program could not even be instantiated: the grate's error, not the cage's death.
      if (!runner.instantiated) {
        this.table.end(p, exitedStatus(127), false);
        throw e;
      }
      this.died(p, e);
      return;
    }
    this.direct = null;
    this.table.current = null;
    if (end.kind === 'move') {
      this.spawn(p, end.snapshot, p.lind!.heap);
      this.serve();
    }
  }

  /** Runs the first cage in a worker from the start (so that a time limit can stop it while it computes). */
  runFirstInWorker(p: Proc, image: Image): void {
    this.spawn(p, { ...image, globals: {}, block: 0, replay: 0 }, new CageHeap(new CageMemory(image.memory)), true);
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
    this.spawn(p, s, heap);
  }

  /** A worker for p, going on from the snapshot. */
  private spawn(p: Proc, s: Snapshot, heap: CageHeap, fresh = false): void {
    const page = newChannelPage();
    const lind = this.remoteLind(p, s, page, heap);
    this.table.running(p, lind, s.module);
    this.o.fs.cage(p.id)!.waitsForPeers = true;
    const { port1, port2 } = new MessageChannel();
    const start: WorkerStart = { cage: p.id, page, bell: this.bell, port: port2, snapshot: s, fresh };
    const worker = this.spare ?? newWorker();
    worker.postMessage(start, [port2]);
    // Once cages fork, the next fork's thread starts now, while this one runs.
    this.spare = newWorker();
    this.workers.set(p.id, { proc: p, worker, port: port1, ctl: controlWords(page), page, parked: null });
  }

  private remoteLind(p: Proc, image: Image, page: WebAssembly.Memory, heap?: CageHeap): LindAbi {
    const mem = new CageMemory(image.memory);
    return new LindAbi({
      fs: this.o.fs, cageId: p.id, memory: image.memory, heap: heap ?? new CageHeap(mem), args: [], env: [],
      trace: this.o.trace, warn: this.o.warn, proc: this.table, signals: p.signals, remoteSlots: page, shared: true,
    });
  }

  lindFor(p: Proc, image: Image): LindAbi {
    if (this.direct !== null && this.direct.proc === p) return this.direct.lindFor(image);
    return this.remoteLind(p, image, this.workers.get(p.id)!.page);
  }

  stop(p: Proc): void {
    const w = this.workers.get(p.id);
    if (w === undefined) return;
    this.workers.delete(p.id);
    void w.worker.terminate();
    w.port.close();
  }

  interrupt(p: Proc): void {
    const w = this.workers.get(p.id);
    if (w === undefined || w.parked === null) return;
    // Tried once more knowing it is interrupted: what came meanwhile is taken, a sleep writes the time left.
    const lind = p.lind!, nr = w.parked;
    w.parked = null;
    lind.interrupted = true;
    this.table.current = p;
    let r = lind.call(nr);
    this.table.current = null;
    if (r === WOULD_BLOCK) r = -EINTR;
    if (r < 0) this.o.fs.abandonWait(p.id);
    this.respond(w, lind, lind.finish(r));
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
      for (const w of [...this.workers.values()]) {
        this.drain(w);
        if (w.parked === null && this.workers.has(w.proc.id) && Atomics.load(w.ctl, STATE) === REQUEST) {
          this.call(w);
          served = true;
        }
      }
      const now = performance.now();
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
      for (const w of this.workers.values()) if (w.parked !== null && w.proc.lind!.deadline < wake) wake = w.proc.lind!.deadline;
      if (served) continue;
      if (this.deadlocked(wake)) continue;
      const ms = wake === Infinity ? 1000 : Math.max(0, wake - performance.now());
      Atomics.wait(this.bell, 0, seen, ms);
    }
    for (const w of this.workers.values()) { void w.worker.terminate(); w.port.close(); }
    if (this.spare !== null) void this.spare.terminate();
    this.spare = null;
    this.workers.clear();
  }

  private anyDeadlinePassed(now: number): boolean {
    for (const w of this.workers.values()) if (w.parked !== null && w.proc.lind!.deadline <= now) return true;
    return false;
  }

  /** Messages from w's worker: a fork's child to start, or its instance's death. */
  private drain(w: WorkerCage): void {
    for (let m = receiveMessageOnPort(w.port); m !== undefined; m = receiveMessageOnPort(w.port)) {
      const msg = m.message as WorkerMessage;
      if (msg.type === 'forked') this.table.forked(msg.child, msg.snapshot);
      else if (w.proc.state !== 'ended') {
        this.o.report(msg.message);
        this.workers.delete(w.proc.id);
        this.table.died(w.proc, msg.signo);
      }
    }
  }

  private call(w: WorkerCage): void {
    const p = w.proc, lind = p.lind!, table = this.table;
    const nr = w.ctl[NR];
    table.current = p;
    try {
      if (nr === NR_HANDLER_RETURNED) {
        table.handlerReturned(lind);
        this.respond(w, lind, lind.result);
      } else if (nr === NR_RETURNED) {
        p.exitCode ??= w.ctl[RESULT] & 0xff;
        table.end(p, exitedStatus(p.exitCode), false);
        this.respond(w, lind, 0);
      } else {
        const r = lind.call(nr);
        if (r === WOULD_BLOCK) w.parked = nr;
        else this.respond(w, lind, lind.finish(r));
      }
    } finally {
      table.current = null;
    }
  }

  private retryParked(): void {
    for (let again = true; again;) {
      again = false;
      for (const w of [...this.workers.values()]) {
        if (w.parked === null || !this.workers.has(w.proc.id)) continue;
        const lind = w.proc.lind!;
        this.table.current = w.proc;
        const r = lind.call(w.parked);
        this.table.current = null;
        if (r === WOULD_BLOCK) continue;
        w.parked = null;
        this.respond(w, lind, lind.finish(r));
        again = true;
      }
    }
  }

  /**
   * Every living cage waits for another and nothing can wake any of them: a deadlock. Linux
   * would hang; the grate says so and answers each waiting call EDEADLK.
   */
  private deadlocked(wake: number): boolean {
    if (wake !== Infinity) return false;
    const waiting: Proc[] = [];
    for (const p of this.table.procs.values()) {
      if (p.state === 'ended') continue;
      const w = this.workers.get(p.id);
      if (p.state === 'starting' || w === undefined || w.parked === null) return false;
      waiting.push(p);
    }
    if (waiting.length === 0) return false;
    this.o.warn(`deadlock: every cage is waiting (${waiting.map((p) => `cage ${p.id} in ${this.callName(this.workers.get(p.id)!.parked!)}`).join(', ')}); answering EDEADLK`);
    for (const p of waiting) {
      const w = this.workers.get(p.id)!;
      w.parked = null;
      this.o.fs.abandonWait(p.id);
      this.respond(w, p.lind!, p.lind!.finish(-EDEADLK));
    }
    return true;
  }

  private callName(nr: number): string {
    return `${LIND_ROWS.get(nr)?.name ?? `syscall_${nr}`}()`;
  }

  /** Answers w's call as `lind` (the ABI that served it) left it; an execve's program is posted first, for the worker to take with the answer. */
  private respond(w: WorkerCage, lind: LindAbi, result: number): void {
    let action = lind.action;
    if (action === ACT_EXEC) w.port.postMessage(lind.execImage);
    lind.action = ACT_NONE;
    lind.execImage = null;
    if (w.proc.state === 'ended') action = ACT_EXIT; // it ended during its call
    answer(w.ctl, result, action, lind.handler, lind.signo);
    if (action === ACT_EXIT) {
      this.workers.delete(w.proc.id);
      w.port.close();
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
    readonly proc: Proc,
    private readonly o: ThreadOptions,
    private readonly makeImports: (lind: LindAbi, image: Image) => WebAssembly.Imports,
  ) {}

  /** A direct ABI for the cage over image's memory; its make-syscall calls the runner. */
  lindFor(image: Image): LindAbi {
    const mem = new CageMemory(image.memory);
    return new LindAbi({
      fs: this.o.fs, cageId: this.proc.id, memory: image.memory, heap: new CageHeap(mem), args: image.args, env: image.env,
      proc: this.table, signals: this.proc.signals, onSyscall: (nr) => this.dispatch(nr), trace: this.o.trace, warn: this.o.warn,
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
    const lind = this.proc.lind!;
    const r = lind.dispatch(nr);
    this.take(lind);
    return r;
  }

  handlerReturned(): number {
    const lind = this.proc.lind!;
    this.table.handlerReturned(lind);
    this.take(lind);
    return lind.result;
  }

  execImage(): ExecImage {
    return this.image!;
  }

  forked(child: number, s: Snapshot): 'go on' | 'move' {
    this.table.forked(child, s);
    return 'move';
  }

  returned(value: number): void {
    this.proc.exitCode ??= value & 0xff;
    this.table.end(this.proc, exitedStatus(this.proc.exitCode), false);
  }

  makeSyscall(dispatch: (nr: number) => number): (...args: unknown[]) => number {
    this.dispatch = dispatch;
    return this.proc.lind!.makeSyscall;
  }

  /** The grate's imports for the cage (its ABI's own make-syscall already calls the runner). */
  importsFor(image: Image): WebAssembly.Imports {
    return this.makeImports(this.proc.lind!, image);
  }
}

