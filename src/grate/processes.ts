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
import { ACT_EXEC, ACT_EXIT, ACT_FORK, ACT_HANDLER, ACT_NONE, type ItimerValue, type ProcessHost } from '../abi/process-host.js';
import {
  SA_NODEFER, SA_RESETHAND, SIGALRM, SIGCHLD, SIGKILL, SIG_DFL, SIG_IGN, SIGNAL_NAMES, SignalState, bit, defaultAction,
} from '../abi/signal-state.js';
import { sleepMs } from '../abi/host-services.js';
import type { ExecLoader } from './exec-loader.js';
import { missingForkExports, type Image, type Snapshot } from './cage-runner.js';

/** How a cage ended, as wait4 reports it: the status word (exit code << 8, or the signal). */
export const exitedStatus = (code: number): number => (code & 0xff) << 8;
export const signaledStatus = (sig: number): number => sig & 0x7f;
/** The exit status a shell shows for a wait status (128 + n for a signal death). */
export const shellStatus = (status: number): number => ((status & 0x7f) === 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f));

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
  signals: SignalState;
  /** Masks replaced while handlers run, innermost last. */
  readonly savedMasks: [number, number][];
  /** The lind ABI that serves its calls (null while starting). */
  lind: LindAbi | null;
  /** Its memory's size, counted against the memory budget. */
  memoryBytes: number;
  /** ITIMER_REAL: when it next fires (performance.now() ms; Infinity when disarmed) and its interval. */
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
  /** Stops a cage's instance now, wherever it is (it has been torn down). */
  stop(p: Proc): void;
  /** A signal for p is due: a call it is parked in ends with -EINTR. */
  interrupt(p: Proc): void;
  /** The cage's ABI after execve (over the new memory), in the mode its thread needs. */
  lindFor(p: Proc, image: Image): LindAbi;
}

export interface ProcessOptions {
  fs: Imfs;
  /** Past this many living cages, fork answers EAGAIN. */
  maxCages: number;
  /** Bytes of cage memory all cages together may hold; a fork past it answers ENOMEM. */
  memoryBudget: number;
  warn: (message: string) => void;
  /** execve's lookup and compile cache (one per grate: a program is compiled once per content). */
  loader: ExecLoader;
}

export class ProcessTable implements ProcessHost {
  readonly procs = new Map<number, Proc>();
  threads!: CageThreads;
  /** The first cage: orphans are handed to it, and its status is the grate's. */
  first = 1;
  private nextId = 1;
  private living = 0;
  private memoryBytes = 0;
  private readonly warned = new Set<string>();
  /** Something that a parked call may be waiting for has changed. */
  changed = false;

  constructor(private readonly o: ProcessOptions) {
  }

  /** A new cage (the first one, or a fork child): id taken, not yet running. */
  add(id: number, parent: number, signals: SignalState, name: string): Proc {
    const p: Proc = {
      id, parent, children: new Set(), zombies: [], state: 'starting', exitCode: null, status: 0, signals,
      savedMasks: [], lind: null, memoryBytes: 0, timerAt: Infinity, timerInterval: 0, cannotFork: null, heapFor: null, name,
    };
    this.procs.set(id, p);
    this.living++;
    this.nextId = Math.max(this.nextId, id + 1);
    return p;
  }

  /** The cage is running `lind` over `memory` (its program's fork support checked once). */
  running(p: Proc, lind: LindAbi, module: WebAssembly.Module): void {
    p.lind = lind;
    p.state = 'running';
    const missing = missingForkExports(module);
    p.cannotFork = missing.length === 0 ? null : missing.join(', ');
    this.account(p, lind.mem.memory.buffer.byteLength);
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
    if (this.living >= this.o.maxCages) return -EAGAIN;
    const bytes = a.mem.memory.buffer.byteLength;
    if (this.memoryBytes + bytes > this.o.memoryBudget) return -ENOMEM;
    if (!Number.isSafeInteger(this.nextId + 1)) return -EAGAIN;
    const id = this.nextId;
    const r = this.o.fs.forkCage(p.id, id);
    if (r < 0) return r === -ESRCH ? -EAGAIN : r;
    const child = this.add(id, p.id, p.signals.forked(clearHandlers), p.name);
    child.heapFor = a.heap.copy();
    child.cannotFork = p.cannotFork;
    this.account(child, bytes); // reserved now, so that a fork bomb meets the budget before the copies exist
    p.children.add(id);
    a.action = ACT_FORK;
    return id;
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
    // The point of no return: close-on-exec descriptors, caught signals back to default.
    this.o.fs.execCage(p.id);
    p.signals.execed();
    p.savedMasks.length = 0;
    const image: Image = { module: program.module, memory, maxPages: limits.maximum, args: program.argv, env: envp };
    const lind = this.threads.lindFor(p, image);
    p.lind = lind;
    const missing = missingForkExports(program.module);
    p.cannotFork = missing.length === 0 ? null : missing.join(', ');
    p.name = Buffer.from(program.argv[0] ?? []).toString();
    this.account(p, memory.buffer.byteLength);
    a.action = ACT_EXEC;
    a.execImage = { ...image, name: p.name };
    return 0;
  }

  // ---- exit, teardown, wait ----------------------------------------------------------------

  exit(a: LindAbi, status: number, _group: boolean): void {
    const p = this.proc(a);
    // exit (60) ends one thread; with threads not yet run here, that is the last one, and the
    // cage ends with its status (Linux) unless exit_group recorded one first.
    p.exitCode ??= status;
    this.end(p, exitedStatus(p.exitCode), false);
    a.action = ACT_EXIT;
  }

  /**
   * Ends a cage: its descriptors closed (pipes see EOF and EPIPE), its children handed to the
   * first cage, a zombie for its parent with SIGCHLD. `stop`: its instance must be stopped
   * from outside (it is not the one making the call).
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
    if (stop && !wasStarting) this.threads.stop(p);
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
      const q = this.procs.get(pid === 0 ? self.id : Math.abs(pid));
      if (q === undefined) return -ESRCH;
      targets = [q];
    }
    const cred = this.o.fs.cage(self.id)?.cred;
    let sent = 0;
    for (const q of targets) {
      const qc = this.o.fs.cage(q.id)?.cred;
      if (cred !== undefined && qc !== undefined && cred.euid !== 0 && cred.uid !== qc.uid && cred.euid !== qc.uid) continue;
      sent++;
      if (sig !== 0) this.send(q, sig);
    }
    return sent === 0 ? -EPERM : 0;
  }

  raise(a: LindAbi, sig: number): void {
    this.send(this.proc(a), sig);
  }

  /**
   * Sends `sig` to p: discarded if ignored; else pending, and if unblocked either acted on at
   * once (a default that kills, for a cage that is not the one calling) or its parked call
   * interrupted so that the handler runs.
   */
  send(p: Proc, sig: number): void {
    if (p.state === 'ended') return;
    if (sig === SIGKILL) return this.kill9(p);
    const s = p.signals;
    if (s.discards(sig)) {
      if (defaultAction(sig) === 'stop' && s.actions[sig].handler === SIG_DFL) {
        this.warnOnce(`stop:${sig}`, `${SIGNAL_NAMES[sig]} would stop cage ${p.id}: stopping is not supported, so it is ignored`);
      }
      return;
    }
    s.pending |= bit(sig);
    if ((s.maskLo & bit(sig)) !== 0) return;
    if (p.state === 'starting') return; // acted on when it makes its first call
    if (s.actions[sig].handler === SIG_DFL && !this.calling(p)) {
      s.pending &= ~bit(sig);
      this.end(p, signaledStatus(sig), true);
      return;
    }
    this.threads.interrupt(p);
  }

  /** The cage whose call is being served right now (set by whoever serves it). */
  current: Proc | null = null;
  private calling(p: Proc): boolean {
    return this.current === p;
  }

  private kill9(p: Proc): void {
    if (this.calling(p) && p.lind !== null) {
      p.signals.pending |= bit(SIGKILL);
      return; // delivered as this call returns
    }
    this.end(p, signaledStatus(SIGKILL), true);
  }

  deliver(a: LindAbi): void {
    const p = this.proc(a);
    const s = p.signals;
    for (;;) {
      const due = s.due();
      if (due === 0) return;
      const sig = 31 - Math.clz32(due & -due) + 1;
      s.pending &= ~bit(sig);
      const act = s.actions[sig];
      if (sig === SIGKILL || (act.handler === SIG_DFL && defaultAction(sig) === 'terminate')) {
        this.end(p, signaledStatus(sig), false);
        a.action = ACT_EXIT;
        return;
      }
      if (act.handler === SIG_IGN || act.handler === SIG_DFL) continue;
      p.savedMasks.push([s.maskLo, s.maskHi]);
      s.setMask(s.maskLo | act.maskLo | (act.flags & SA_NODEFER ? 0 : bit(sig)), s.maskHi | act.maskHi);
      a.handler = act.handler;
      a.signo = sig;
      if (act.flags & SA_RESETHAND) Object.assign(act, { handler: SIG_DFL, flags: act.flags & ~SA_RESETHAND });
      a.action = ACT_HANDLER;
      return;
    }
  }

  handlerReturned(a: LindAbi): void {
    const p = this.proc(a);
    const saved = p.savedMasks.pop();
    if (saved !== undefined) p.signals.setMask(saved[0], saved[1]);
    a.action = ACT_NONE;
    if (p.signals.due() !== 0) this.deliver(a);
  }

  // ---- timers ------------------------------------------------------------------------------

  setitimer(a: LindAbi, next: ItimerValue | null, old: ItimerValue): number {
    const p = this.proc(a);
    const now = performance.now();
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
    const until = performance.now() + ms;
    for (;;) {
      const now = performance.now();
      if (p.timerAt >= until) {
        sleepMs(until - now);
        return 0;
      }
      sleepMs(p.timerAt - now);
      this.fireTimers(performance.now());
      if (p.signals.due() !== 0 || p.state === 'ended') return -EINTR;
    }
  }

  awaitTimer(a: LindAbi): number {
    const p = this.proc(a);
    if (p.signals.due() !== 0) return -EINTR;
    if (p.timerAt === Infinity) return WOULD_BLOCK;
    sleepMs(p.timerAt - performance.now());
    this.fireTimers(performance.now());
    return p.signals.due() !== 0 || p.state === 'ended' ? -EINTR : 0;
  }
}

