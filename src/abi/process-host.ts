/**
 * What the lind ABI asks of the process runtime (src/grate/processes.ts): the calls that
 * create, replace, end and wait for cages, and send signals. The ABI decodes the arguments
 * and writes the results; the runtime decides. Calls that must act on the running instance
 * itself (fork's unwind, exec's new module, ending the cage, running a signal handler) set
 * the ABI's `action`, which whoever runs the instance carries out after the call returns.
 */
import type { BytePath } from '../core/index.js';
import type { LindAbi } from './lind.js';

/** Nothing more to do: return the result to the cage. */
export const ACT_NONE = 0;
/** Unwind and fork: the result is the child's id (the parent's return value). */
export const ACT_FORK = 1;
/** Replace the instance with the program the runtime prepared (LindAbi.exec). */
export const ACT_EXEC = 2;
/** The cage (or this thread) has ended: leave the instance without running more guest code. */
export const ACT_EXIT = 3;
/** Run signal handler LindAbi.handler(signo) through `signal_callback`, then ask the runtime again. */
export const ACT_HANDLER = 4;
/** Unwind and start a thread (LindAbi.threadStart) on the same memory: the result is its id. */
export const ACT_THREAD = 5;

/** A thread clone(CLONE_VM) made: its id and its stack, [stack - stackSize, stack). */
export interface ThreadStart {
  tid: number;
  stack: number;
  stackSize: number;
}

/** A prepared execve: what the instance that runs the cage must become. */
export interface ExecImage {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** The memory's declared maximum, in pages. */
  maxPages: number;
  args: Uint8Array[];
  env: Uint8Array[];
  /** For the log and messages: the program's path as given. */
  name: string;
}

export interface ItimerValue {
  intervalMs: number;
  valueMs: number;
}

export interface ProcessHost {
  /** getppid(). */
  parentOf(cage: number): number;
  /** fork (clone without CLONE_VM): the child's id with a.action = ACT_FORK, or -errno. */
  fork(a: LindAbi, clearHandlers: boolean): number;
  /**
   * clone with CLONE_VM: a new thread of the calling cage on `stack` (already checked to lie
   * in memory). Its id (written to the cage at childTid) with a.action = ACT_THREAD and
   * a.threadStart set, or -errno.
   */
  spawnThread(a: LindAbi, stack: number, stackSize: number, childTid: number): number;
  /** execve: -errno, or 0 with a.action = ACT_EXEC and a.execImage set. */
  execve(a: LindAbi, path: BytePath, argv: Uint8Array[], envp: Uint8Array[]): number;
  /** exit_group (group) or exit: records the status, ends the cage; sets a.action = ACT_EXIT. */
  exit(a: LindAbi, status: number, group: boolean): void;
  /** wait4: the child's id with out.status set, 0 (WNOHANG, none ready), -errno, or WOULD_BLOCK. */
  wait4(a: LindAbi, pid: number, options: number, out: { status: number }): number;
  /** kill(pid, sig). */
  kill(a: LindAbi, pid: number, sig: number): number;
  /** tgkill(tgid, tid, sig) (tgid -1: tkill): a signal for one thread. */
  killThread(a: LindAbi, tgid: number, tid: number, sig: number): number;
  /** setitimer(ITIMER_REAL): the old value into `old`, then `next` installed (null: only read). */
  setitimer(a: LindAbi, next: ItimerValue | null, old: ItimerValue): number;
  /**
   * A cage that runs alone sleeps `ms` (its own timers may cut the sleep short): 0 when the
   * time is up, -EINTR if a signal became due.
   */
  sleep(a: LindAbi, ms: number): number;
  /**
   * A cage that runs alone waits for its next timer: 0 when one fired and the call should be
   * tried again, -EINTR when a signal is due, WOULD_BLOCK when no timer is armed.
   */
  awaitTimer(a: LindAbi): number;
  /** A signal the call itself raised (SIGPIPE on a write to a pipe without readers). */
  raise(a: LindAbi, sig: number): void;
  /** The next pending unblocked signal is delivered: a handler to run (a.action = ACT_HANDLER), or the cage ended (ACT_EXIT). */
  deliver(a: LindAbi): void;
  /** The handler that deliver() asked for has returned: the mask it replaced is restored. */
  handlerReturned(a: LindAbi): void;
}
