/**
 * The process table (processes.md §3–§10): cage ids, parents and children, zombies and
 * exit statuses, signal dispositions, masks and pending signals, interval timers. It answers
 * the process calls of the lind ABI (ProcessHost) for every cage, whichever thread runs it;
 * the threads themselves are the business of cage-threads.ts, which it asks to start, stop
 * or wake a cage.
 * Where Lind's runtime departs from POSIX, this follows POSIX (and Linux): the notes at
 * each place say how.
 */
import { EAGAIN, ECHILD, EINTR, EINVAL, ENOMEM, EPERM, ESRCH, WOULD_BLOCK, type BytePath, type Imfs } from '../core/index.js';
import { CageHeap } from '../abi/cage-heap.js';
import { CageMemory } from '../abi/cage-memory.js';
import type { LindAbi } from '../abi/lind.js';
import { ACT_EXEC, ACT_EXIT, ACT_FORK, ACT_HANDLER, ACT_NONE, ACT_THREAD, type ItimerValue, type ProcessHost } from '../abi/process-host.js';
import {
  SA_NODEFER, SA_RESETHAND, SIGALRM, SIGCHLD, SIGKILL, SIG_DFL, SIG_IGN, SIGNAL_NAMES, SignalState, bit, defaultAction,
} from '../abi/signal-state.js';
import { sleepMs } from '../abi/host-services.js';
import type { ExecLoader } from './exec-loader.js';
import { missingForkExports, type Image, type Snapshot } from './cage-runner.js';
import { monotonicMs } from '../core/clock.js';

/** How a cage ended, as wait4 reports it: the status word (exit code << 8, or the signal). */
export const exitedStatus = (code: number): number => (code & 0xff) << 8;
export const signaledStatus = (sig: number): number => sig & 0x7f;
/** The exit status a shell shows for a wait status (128 + n for a signal death). */
export const shellStatus = (status: number): number => ((status & 0x7f) === 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f));

/** A thread of a cage. Its main thread has the cage's id; the others take ids from the same space, as Linux's do. */
export interface Task {
  readonly proc: Proc;
  /** Its id: the cage's for the thread that started it (or that called execve). */
  tid: number;
  /** The ABI that serves its calls (null while it starts). */
  lind: LindAbi | null;
  /** Its own mask and pending signals; dispositions shared with the cage's other threads. */
  signals: SignalState;
  state: 'starting' | 'running' | 'ended';
}

export interface Proc {
  readonly id: number;
  parent: number;
  readonly children: Set<number>;
  /** Ended children not yet waited for, oldest first. */
  readonly zombies: { pid: number; status: number }[];
  /** starting: forked, its instance not yet running; running; ended: a zombie or reaped. */
  state: 'starting' | 'running' | 'ended';
  /** The first status exit_group recorded (processes.md §7: the first wins). */
  exitCode: number | null;
  /** The wait status once ended. */
  status: number;
  /** Its threads by id (the main one first); one while it never made any. */
  readonly tasks: Map<number, Task>;
  /** Its memory's size, counted against the memory budget. */
  memoryBytes: number;
  /** ITIMER_REAL: when it next fires (monotonicMs() ms; Infinity when disarmed) and its interval. */
  timerAt: number;
  timerInterval: number;
  /** Why this cage's program cannot fork (the asyncify exports it lacks), or null. */
  cannotFork: string | null;
  /** For a cage being forked: its heap, copied at the fork. */
  heapFor: ((mem: CageMemory) => CageHeap) | null;
  /** The name it runs under, for messages. */
  name: string;
}

/** What the table needs from whoever runs the cages' instances. */
export interface CageThreads {
  /** Starts a forked cage from its snapshot (in a worker). */
  startForked(p: Proc, s: Snapshot): void;
  /** Starts a new thread of a cage from its snapshot (in a worker, on the cage's memory). */
  startThread(t: Task, s: Snapshot): void;
  /** Stops a thread's instance now, wherever it is (its cage, or it alone, has been torn down). */
  stop(t: Task): void;
  /** A signal for t is due: a call it waits in ends with -EINTR. */
  interrupt(t: Task): void;
  /** Whether t is waiting in a call (parked, or in a futex wait) rather than computing. */
  waiting(t: Task): boolean;
  /** The thread's ABI after execve (over the new memory), in the mode its thread needs. */
  lindFor(t: Task, image: Image): LindAbi;
}

export interface ProcessOptions {
  fs: Imfs;
  /** Past this many living cages, fork answers EAGAIN. */
  maxCages: number;
  /** Past this many living threads in all cages (main threads included), fork and clone answer EAGAIN. */
  maxThreads: number;
  /** Bytes of cage memory all cages together may hold; a fork past it answers ENOMEM. */
  memoryBudget: number;
  warn: (message: string) => void;
  /** execve's lookup and compile cache (one per grate: a program is compiled once per content). */
  loader: ExecLoader;
}

export class ProcessTable implements ProcessHost {
  readonly procs = new Map<number, Proc>();
  /** Every living thread by id (kill and tgkill find them here). */
  private readonly tasks = new Map<number, Task>();
  threads!: CageThreads;
  /** The first cage: orphans are handed to it, and its status is the grate's. */
  first = 1;
  private nextId = 1;
  private living = 0;
  private livingTasks = 0;
  private memoryBytes = 0;
  private readonly warned = new Set<string>();
  /** Something that a parked call may be waiting for has changed. */
  changed = false;

  constructor(private readonly o: ProcessOptions) {
  }

  /** A new cage (the first one, or a fork child): id taken, not yet running. */
  add(id: number, parent: number, signals: SignalState, name: string): Proc {
    const p: Proc = {
      id, parent, children: new Set(), zombies: [], state: 'starting', exitCode: null, status: 0, tasks: new Map(),
      memoryBytes: 0, timerAt: Infinity, timerInterval: 0, cannotFork: null, heapFor: null, name,
    };
    this.procs.set(id, p);
    this.living++;
    this.nextId = Math.max(this.nextId, id + 1);
    this.addTask(p, id, signals);
    return p;
  }

  private addTask(p: Proc, tid: number, signals: SignalState): Task {
    const t: Task = { proc: p, tid, lind: null, signals, state: 'starting' };
    p.tasks.set(tid, t);
    this.tasks.set(tid, t);
    this.livingTasks++;
    return t;
  }

  /** The thread started by its cage's program (or a fork) is running `lind` (the program's fork support checked once). */
  running(p: Proc, lind: LindAbi, module: WebAssembly.Module): void {
    const t = this.mainTask(p);
    t.lind = lind;
    t.state = 'running';
    p.state = 'running';
    const missing = missingForkExports(module);
    p.cannotFork = missing.length === 0 ? null : missing.join(', ');
    this.account(p, lind.mem.memory.buffer.byteLength);
  }

  /** A new thread is running `lind`. */
  threadRunning(t: Task, lind: LindAbi): void {
    t.lind = lind;
    t.state = 'running';
  }

  /** The cage's first thread (the one that exec'd last, or that started it). */
  mainTask(p: Proc): Task {
    return p.tasks.values().next().value!;
  }

  /** The thread `a` serves. */
  task(a: LindAbi): Task {
    return this.tasks.get(a.tid)!;
  }
  get livingCount(): number {
    return this.living;
  }

  private account(p: Proc, bytes: number): void {
    this.memoryBytes += bytes - p.memoryBytes;
    p.memoryBytes = bytes;
  }

  private proc(a: LindAbi): Proc {
    return this.procs.get(a.cage)!;
  }

  private warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.o.warn(message);
  }

  parentOf(cage: number): number {
    return this.procs.get(cage)?.parent ?? 0;
  }

  // ---- fork ------------------------------------------------------------------------------

  fork(a: LindAbi, clearHandlers: boolean): number {
    const p = this.proc(a);
    if (p.cannotFork !== null) {
      this.warnOnce(`fork:${p.name}`, `cage ${p.id} (${p.name}) cannot fork: its program was not built with asyncify (missing exports: ${p.cannotFork}); fork answers ENOSYS`);
      return -38;
    }
    if (this.living >= this.o.maxCages || this.livingTasks >= this.o.maxThreads) return -EAGAIN;
    const bytes = a.mem.memory.buffer.byteLength;
    if (this.memoryBytes + bytes > this.o.memoryBudget) return -ENOMEM;
    if (!Number.isSafeInteger(this.nextId + 1)) return -EAGAIN;
    const id = this.nextId;
    const r = this.o.fs.forkCage(p.id, id);
    if (r < 0) return r === -ESRCH ? -EAGAIN : r;
    // The child has one thread, a copy of the caller (processes.md §4), with the caller's mask.
    const child = this.add(id, p.id, a.signals.forked(clearHandlers), p.name);
    child.heapFor = a.heap.copy();
    child.cannotFork = p.cannotFork;
    this.account(child, bytes); // reserved now, so that a fork bomb meets the budget before the copies exist
    p.children.add(id);
    a.action = ACT_FORK;
    return id;
  }

  spawnThread(a: LindAbi, stack: number, stackSize: number, _childTid: number): number {
    const p = this.proc(a);
    if (p.cannotFork !== null) {
      this.warnOnce(`thread:${p.name}`, `cage ${p.id} (${p.name}) cannot start threads: its program was not built with asyncify (missing exports: ${p.cannotFork}); clone answers ENOSYS`);
      return -38;
    }
    if (this.livingTasks >= this.o.maxThreads) {
      this.warnOnce('max-threads', `cage ${p.id}: thread limit reached (${this.o.maxThreads} threads in all cages, --max-threads); clone answers EAGAIN`);
      return -EAGAIN;
    }
    if (!Number.isSafeInteger(this.nextId + 1)) return -EAGAIN;
    const tid = this.nextId++;
    // A new thread has the caller's mask and nothing pending (POSIX pthread_create).
    this.addTask(p, tid, a.signals.thread());
    Object.assign(a.threadStart, { tid, stack, stackSize });
    a.action = ACT_THREAD;
    return tid;
  }

  /** The creating thread has unwound: the new one starts (unless its cage ended meanwhile). */
  threadCreated(tid: number, s: Snapshot): void {
    const t = this.tasks.get(tid);
    if (t === undefined || t.state !== 'starting' || t.proc.state === 'ended') return;
    this.threads.startThread(t, s);
  }

  /** A thread could not be started after all (its stack cannot hold what it must carry): forgotten. */
  threadFailed(tid: number): void {
    const t = this.tasks.get(tid);
    if (t !== undefined) this.endTask(t, false);
  }

  /** The parent has unwound and copied its memory: the child can start (unless it was killed meanwhile). */
  forked(childId: number, s: Snapshot): void {
    const child = this.procs.get(childId);
    if (child === undefined || child.state !== 'starting') return;
    this.threads.startForked(child, s);
  }

  // ---- execve ----------------------------------------------------------------------------

  execve(a: LindAbi, path: BytePath, argv: Uint8Array[], envp: Uint8Array[]): number {
    const p = this.proc(a);
    const program = this.o.loader.load(p.id, path, argv);
    if (typeof program === 'number') return program;
    const limits = program.limits;
    let memory: WebAssembly.Memory;
    try {
      memory = new WebAssembly.Memory({ initial: limits.initial, maximum: limits.maximum, shared: true });
    } catch {
      return -ENOMEM;
    }
    // The point of no return: the other threads end, close-on-exec descriptors close, caught signals go back to default.
    const caller = this.task(a);
    for (const t of [...p.tasks.values()]) if (t !== caller) this.endTask(t, true);
    // The caller goes on as the cage's main thread, with the cage's id (Linux).
    this.renumber(caller, p.id);
    this.o.fs.execCage(p.id);
    caller.signals.execed();
    const image: Image = { module: program.module, memory, maxPages: limits.maximum, args: program.argv, env: envp };
    const lind = this.threads.lindFor(caller, image);
    caller.lind = lind;
    const missing = missingForkExports(program.module);
    p.cannotFork = missing.length === 0 ? null : missing.join(', ');
    p.name = Buffer.from(program.argv[0] ?? []).toString();
    this.account(p, memory.buffer.byteLength);
    a.action = ACT_EXEC;
    a.execImage = { ...image, name: p.name };
    return 0;
  }

  // ---- exit, teardown, wait ----------------------------------------------------------------

  exit(a: LindAbi, status: number, group: boolean): void {
    const p = this.proc(a);
    a.action = ACT_EXIT;
    // exit (60) ends one thread; the last one's status is the cage's (Linux) unless
    // exit_group recorded one first.
    if (!group && p.tasks.size > 1) {
      this.endTask(this.task(a), false);
      return;
    }
    p.exitCode ??= status;
    this.end(p, exitedStatus(p.exitCode), false);
  }

  /** Ends one thread of a cage that goes on (`stop`: it is not the one calling). */
  private endTask(t: Task, stop: boolean): void {
    if (t.state === 'ended') return;
    const wasStarting = t.state === 'starting';
    t.state = 'ended';
    t.proc.tasks.delete(t.tid);
    this.tasks.delete(t.tid);
    this.livingTasks--;
    this.changed = true;
    if (stop && !wasStarting) this.threads.stop(t);
  }

  /** A thread takes another id (execve makes the caller the main thread). */
  private renumber(t: Task, tid: number): void {
    if (t.tid === tid) return;
    const p = t.proc;
    p.tasks.delete(t.tid);
    this.tasks.delete(t.tid);
    t.tid = tid;
    p.tasks.set(tid, t);
    this.tasks.set(tid, t);
  }

  /**
   * Ends a cage: its descriptors closed (pipes see EOF and EPIPE), its children handed to the
   * first cage, a zombie for its parent with SIGCHLD. `stop`: even the thread making the
   * call now is stopped from outside (the others always are).
   */
  end(p: Proc, status: number, stop: boolean): void {
    if (p.state === 'ended') return;
    const wasStarting = p.state === 'starting';
    p.state = 'ended';
    p.status = status;
    p.timerAt = Infinity;
    this.living--;
    this.changed = true;
    this.o.fs.exitCage(p.id);
    this.account(p, 0);
    // Its threads end; those not making this call are stopped where they are.
    for (const t of [...p.tasks.values()]) this.endTask(t, !wasStarting && (stop || t !== this.serving));
    const heir = this.procs.get(this.first);
    const adopt = heir !== undefined && heir.state !== 'ended' && heir !== p ? heir : undefined;
    for (const c of p.children) {
      const child = this.procs.get(c);
      if (child === undefined) continue;
      child.parent = adopt?.id ?? 0;
      adopt?.children.add(c);
    }
    // Zombies nobody will wait for any more are reaped (Lind drops them; init would reap them).
    if (adopt !== undefined) {
      for (const z of p.zombies) adopt.zombies.push(z);
      if (p.zombies.length > 0) this.send(adopt, SIGCHLD);
    } else {
      for (const z of p.zombies) this.procs.delete(z.pid);
    }
    p.children.clear();
    p.zombies.length = 0;
    const parent = this.procs.get(p.parent);
    if (parent !== undefined && parent.state !== 'ended') {
      parent.zombies.push({ pid: p.id, status });
      this.send(parent, SIGCHLD);
    } else if (p.id !== this.first) {
      this.procs.delete(p.id);
    }
  }

  /** A cage's instance trapped or panicked: it dies as if by `sig` (never "exited 0"). */
  died(p: Proc, sig: number): void {
    this.end(p, signaledStatus(sig), false);
  }

  wait4(a: LindAbi, pid: number, options: number, out: { status: number }): number {
    const p = this.proc(a);
    const matches = (id: number) => pid > 0 ? id === pid : pid < -1 ? id === -pid : true;
    const i = p.zombies.findIndex((z) => matches(z.pid));
    if (i >= 0) {
      const [z] = p.zombies.splice(i, 1);
      p.children.delete(z.pid);
      this.procs.delete(z.pid);
      out.status = z.status;
      return z.pid;
    }
    let living = false;
    for (const c of p.children) if (matches(c)) living = true;
    if (!living) return -ECHILD;
    if (options & 1) return 0; // WNOHANG (Lind blocks for pid > 0)
    const r = a.waitFor(-1);
    return r === 0 ? WOULD_BLOCK : r;
  }

  // ---- signals -----------------------------------------------------------------------------

  kill(a: LindAbi, pid: number, sig: number): number {
    // Signal 0 checks existence (Lind answers EINVAL); 1–31 only (nothing sends real-time signals).
    if (sig < 0 || sig > 31) return -EINVAL;
    const self = this.proc(a);
    let targets: Proc[];
    if (pid === -1) {
      // Every cage but the first and the caller (no process groups; Linux spares init and the caller).
      targets = [...this.procs.values()].filter((q) => q.state !== 'ended' && q.id !== this.first && q !== self);
      if (targets.length === 0) return -ESRCH;
    } else {
      // A thread's id names its cage (Linux: kill sends to the thread group).
      const q = this.procs.get(pid === 0 ? self.id : Math.abs(pid)) ?? this.tasks.get(Math.abs(pid))?.proc;
      if (q === undefined) return -ESRCH;
      targets = [q];
    }
    let sent = 0;
    for (const q of targets) {
      if (!this.mayKill(self, q)) continue;
      sent++;
      if (sig !== 0) this.send(q, sig);
    }
    return sent === 0 ? -EPERM : 0;
  }

  /** tgkill / tkill: `sig` for thread `tid` (of cage `tgid`, or of any cage when tgid is -1). */
  killThread(a: LindAbi, tgid: number, tid: number, sig: number): number {
    if (sig < 0 || sig > 31 || tid <= 0 || (tgid <= 0 && tgid !== -1)) return -EINVAL;
    const t = this.tasks.get(tid);
    if (t === undefined || (tgid !== -1 && t.proc.id !== tgid)) return -ESRCH;
    if (!this.mayKill(this.proc(a), t.proc)) return -EPERM;
    if (sig !== 0) this.sendTo(t, sig);
    return 0;
  }

  private mayKill(self: Proc, q: Proc): boolean {
    const cred = this.o.fs.cage(self.id)?.cred, qc = this.o.fs.cage(q.id)?.cred;
    return cred === undefined || qc === undefined || cred.euid === 0 || cred.uid === qc.uid || cred.euid === qc.uid;
  }

  /** A signal the call itself raised (SIGPIPE): for the calling thread. */
  raise(a: LindAbi, sig: number): void {
    this.sendTo(this.task(a), sig);
  }

  /** Whether `sig` is dropped on sending to p (ignored, or a stop signal, which is not supported: said once). */
  private discarded(p: Proc, s: SignalState, sig: number): boolean {
    if (!s.discards(sig)) return false;
    if (defaultAction(sig) === 'stop' && s.actions[sig].handler === SIG_DFL) {
      this.warnOnce(`stop:${sig}`, `${SIGNAL_NAMES[sig]} would stop cage ${p.id}: stopping is not supported, so it is ignored`);
    }
    return true;
  }

  /**
   * Sends `sig` to the cage p: discarded if ignored; else pending for the whole cage, taken
   * by one thread that does not block it (the one calling, else one waiting in a call, else
   * any: Linux picks one too). A default that kills ends the cage at once unless the taker is
   * the thread calling (it dies as its call returns); else the taker's wait is interrupted
   * so that the handler runs.
   */
  send(p: Proc, sig: number): void {
    if (p.state === 'ended') return;
    if (sig === SIGKILL) return this.kill9(p);
    const s = this.mainTask(p).signals;
    if (this.discarded(p, s, sig)) return;
    s.group.pending |= bit(sig);
    if (p.state === 'starting') return; // acted on when it makes its first call
    const t = this.taker(p, sig);
    if (t !== null) this.act(t, sig, () => { s.group.pending &= ~bit(sig); });
  }

  /** Sends `sig` to thread t only (tgkill, SIGPIPE): pending until t does not block it. */
  private sendTo(t: Task, sig: number): void {
    const p = t.proc;
    if (p.state === 'ended' || t.state === 'ended') return;
    if (sig === SIGKILL) return this.kill9(p);
    if (this.discarded(p, t.signals, sig)) return;
    t.signals.pending |= bit(sig);
    if (t.state === 'starting' || t.signals.blocks(sig)) return;
    this.act(t, sig, () => { t.signals.pending &= ~bit(sig); });
  }

  /** `sig` is due in thread t: a default that kills ends the cage now (unless t is calling); else t's wait is cut short. */
  private act(t: Task, sig: number, take: () => void): void {
    if (t === this.serving) return; // delivered as its call returns
    if (t.signals.actions[sig].handler === SIG_DFL) {
      take();
      this.end(t.proc, signaledStatus(sig), true);
      return;
    }
    this.threads.interrupt(t);
  }

  /** The thread of p that takes a process signal: the caller, else one waiting in a call, else any that does not block it. */
  private taker(p: Proc, sig: number): Task | null {
    let pick: Task | null = null;
    for (const t of p.tasks.values()) {
      if (t.state !== 'running' || t.signals.blocks(sig)) continue;
      if (t === this.serving) return t;
      if (pick === null || (!this.threads.waiting(pick) && this.threads.waiting(t))) pick = t;
    }
    return pick;
  }

  /** The thread whose call is being served right now (set by whoever serves it). */
  serving: Task | null = null;
  private calling(p: Proc): boolean {
    return this.serving?.proc === p;
  }

  private kill9(p: Proc): void {
    if (this.calling(p)) {
      this.mainTask(p).signals.group.pending |= bit(SIGKILL);
      return; // delivered as this call returns
    }
    this.end(p, signaledStatus(SIGKILL), true);
  }

  deliver(a: LindAbi): void {
    const p = this.proc(a);
    const s = a.signals;
    for (;;) {
      const due = s.due();
      if (due === 0) return;
      const sig = 31 - Math.clz32(due & -due) + 1;
      s.take(sig);
      const act = s.actions[sig];
      if (sig === SIGKILL || (act.handler === SIG_DFL && defaultAction(sig) === 'terminate')) {
        this.end(p, signaledStatus(sig), false);
        a.action = ACT_EXIT;
        return;
      }
      if (act.handler === SIG_IGN || act.handler === SIG_DFL) continue;
      // The interrupted call's result too: the handler's own calls overwrite a.result.
      s.savedMasks.push([s.maskLo, s.maskHi, a.result]);
      s.setMask(s.maskLo | act.maskLo | (act.flags & SA_NODEFER ? 0 : bit(sig)), s.maskHi | act.maskHi);
      a.handler = act.handler;
      a.signo = sig;
      if (act.flags & SA_RESETHAND) Object.assign(act, { handler: SIG_DFL, flags: act.flags & ~SA_RESETHAND });
      a.action = ACT_HANDLER;
      return;
    }
  }

  handlerReturned(a: LindAbi): void {
    const s = a.signals;
    const saved = s.savedMasks.pop();
    if (saved !== undefined) {
      s.setMask(saved[0], saved[1]);
      a.result = saved[2];
    }
    a.action = ACT_NONE;
    if (s.due() !== 0) this.deliver(a);
  }

  // ---- timers ------------------------------------------------------------------------------

  setitimer(a: LindAbi, next: ItimerValue | null, old: ItimerValue): number {
    const p = this.proc(a);
    const now = monotonicMs();
    old.intervalMs = p.timerInterval;
    old.valueMs = p.timerAt === Infinity ? 0 : Math.max(0.001, p.timerAt - now);
    if (next !== null) {
      p.timerAt = next.valueMs > 0 ? now + next.valueMs : Infinity;
      p.timerInterval = next.intervalMs;
    }
    return 0;
  }

  /** Fires every timer due by `now`; the earliest one still armed. */
  fireTimers(now: number): number {
    let next = Infinity;
    for (const p of this.procs.values()) {
      if (p.timerAt <= now) {
        p.timerAt = p.timerInterval > 0 ? Math.max(p.timerAt + p.timerInterval, now) : Infinity;
        this.send(p, SIGALRM);
      }
      if (p.timerAt < next) next = p.timerAt;
    }
    return next;
  }

  sleep(a: LindAbi, ms: number): number {
    const p = this.proc(a);
    const until = monotonicMs() + ms;
    for (;;) {
      const now = monotonicMs();
      if (p.timerAt >= until) {
        sleepMs(until - now);
        return 0;
      }
      sleepMs(p.timerAt - now);
      this.fireTimers(monotonicMs());
      if (a.signals.due() !== 0 || p.state === 'ended') return -EINTR;
    }
  }

  awaitTimer(a: LindAbi): number {
    const p = this.proc(a);
    if (a.signals.due() !== 0) return -EINTR;
    if (p.timerAt === Infinity) return WOULD_BLOCK;
    sleepMs(p.timerAt - monotonicMs());
    this.fireTimers(monotonicMs());
    return a.signals.due() !== 0 || p.state === 'ended' ? -EINTR : 0;
  }
}

