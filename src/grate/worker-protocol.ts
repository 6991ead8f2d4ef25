/**
 * What a cage's worker thread and the IMFS owner tell each other besides the syscall channel
 * (cage-threads.ts, cage-worker.ts). Kept small: the worker's bundle holds only this, the
 * runner and the lind imports, never the IMFS.
 */
import type { MessagePort } from 'node:worker_threads';
import { CageMemory } from '../abi/cage-memory.js';
import { CagePanic } from '../abi/exit.js';
import { lindImports } from '../abi/lind-imports.js';
import { SIGABRT, SIGILL, SIGSEGV } from '../abi/signal-state.js';
import type { Image, Snapshot } from './cage-runner.js';

/** What a worker is started with (cage-worker.ts). */
export interface WorkerStart {
  cage: number;
  page: WebAssembly.Memory;
  bell: Int32Array;
  port: MessagePort;
  snapshot: Snapshot;
  /** Start the snapshot's program from _start (its globals and block unused) instead of rewinding. */
  fresh: boolean;
  /** The owner's realtime offset (clock.ts epochOffsetMs): every thread of the process reads one CLOCK_REALTIME. */
  epochOffsetMs: number;
}

/** Messages a worker posts to the owner. */
export type WorkerMessage =
  | { type: 'forked'; child: number; snapshot: Snapshot }
  | { type: 'thread'; tid: number; snapshot: Snapshot | null }
  | { type: 'died'; signo: number; message: string }
  /** Its instance has ended by exit: the worker waits for another (cage-threads.ts keeps it for the next fork or thread). */
  | { type: 'idle' };

/** What the user is told when a cage (`who`: its quoted name or its id) traps or panics. */
export function trapMessage(who: string, e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return e instanceof CagePanic ? `cage ${who}: ${message}` : `cage ${who} trapped: ${message}`;
}

/** The signal a trap stands for (processes.md §7): out-of-bounds memory is SIGSEGV, a panic SIGABRT, any other trap SIGILL. */
export function trapSignal(e: unknown): number {
  if (e instanceof CagePanic) return SIGABRT;
  const m = e instanceof Error ? e.message : '';
  return /out of bounds|memory access/i.test(m) ? SIGSEGV : SIGILL;
}

/** The imports a worker gives its cage (no IMFS here: make-syscall goes through the channel). */
export function workerImports(cage: number, image: Image, makeSyscall: (...args: unknown[]) => number): WebAssembly.Imports {
  const mem = new CageMemory(image.memory); // its views follow the memory's growth
  const imports = lindImports({ memory: image.memory, cageId: cage, args: image.args, env: image.env, mem: () => mem });
  imports.lind['make-syscall'] = makeSyscall;
  return imports;
}
