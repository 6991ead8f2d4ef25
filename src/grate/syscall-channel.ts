/**
 * The syscall channel between a cage running in a worker thread and the thread that owns
 * the IMFS (processes.md §3). Each cage has one shared page: its make-syscall adapter spills
 * the arguments at the start of it (lind-adapter.ts), and the words below hand the call over
 * and the answer back. The worker waits on STATE; the owner waits on one doorbell shared by
 * every cage, which a worker rings after posting a call or a message.
 */
import { SLOTS_BYTES } from '../abi/lind-adapter.js';

const BASE = SLOTS_BYTES / 4; // first control word, after the spilled arguments
/** IDLE → REQUEST (worker) → RESPONSE (owner) → IDLE (worker). */
export const STATE = BASE, NR = BASE + 1, RESULT = BASE + 2, ACTION = BASE + 3, HANDLER = BASE + 4, SIGNO = BASE + 5;
/**
 * A futex wait happens in the thread's own worker (futex.ts), not here: these words let the
 * owner cut it short for a signal. FUTEX_WAITING is 1 while the worker waits on the word at
 * FUTEX_ADDR; INTERRUPT is set by the owner for a signal due in the thread.
 */
export const FUTEX_WAITING = BASE + 6, FUTEX_ADDR = BASE + 7, INTERRUPT = BASE + 8;
/** With ACT_THREAD: the new thread's stack (its id is the RESULT). */
export const THREAD_STACK = BASE + 9, THREAD_STACK_SIZE = BASE + 10;
export const IDLE = 0, REQUEST = 1, RESPONSE = 2;
/** Pseudo call numbers: the handler the owner asked for has returned. */
export const NR_HANDLER_RETURNED = -1;
/** _start returned (a lind cage normally leaves through exit_group): RESULT's slot carries its value. */
export const NR_RETURNED = -2;
/** A call the worker served itself (futex) was interrupted: RESULT's slot carries its result, for the owner to deliver the signal. */
export const NR_INTERRUPTED = -3;

/** A new channel page (the adapter imports it as js.slots). */
export function newChannelPage(): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
}

export function controlWords(page: WebAssembly.Memory): Int32Array {
  return new Int32Array(page.buffer);
}

/** The doorbell every worker rings (one Int32 in a SharedArrayBuffer). */
export function newDoorbell(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4));
}

export function ring(bell: Int32Array): void {
  Atomics.add(bell, 0, 1);
  Atomics.notify(bell, 0);
}

/** Worker side: posts call `nr` (arguments already spilled) and waits for the answer. */
export function callOwner(ctl: Int32Array, bell: Int32Array, nr: number): number {
  ctl[NR] = nr;
  Atomics.store(ctl, STATE, REQUEST);
  ring(bell);
  while (Atomics.load(ctl, STATE) !== RESPONSE) Atomics.wait(ctl, STATE, REQUEST);
  Atomics.store(ctl, STATE, IDLE);
  return ctl[RESULT];
}

/**
 * Owner side: a signal is due in the thread on this channel. A futex wait it is in ends
 * (-EINTR); one it is about to start ends at once. The wake is repeated until the worker has
 * left its wait, since it may have been between its look at INTERRUPT and its Atomics.wait.
 */
export function interruptFutex(ctl: Int32Array, memory: WebAssembly.Memory): void {
  Atomics.store(ctl, INTERRUPT, 1);
  const words = new Int32Array(memory.buffer);
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 0; i < 10_000 && Atomics.load(ctl, FUTEX_WAITING) === 1; i++) {
    Atomics.notify(words, Atomics.load(ctl, FUTEX_ADDR) >>> 2);
    Atomics.wait(pause, 0, 0, 0.1);
  }
}

/** Owner side: answers the waiting worker. */
export function answer(ctl: Int32Array, result: number, action: number, handler: number, signo: number): void {
  ctl[RESULT] = result;
  ctl[ACTION] = action;
  ctl[HANDLER] = handler;
  ctl[SIGNO] = signo;
  Atomics.store(ctl, STATE, RESPONSE);
  Atomics.notify(ctl, STATE);
}
