/**
 * A worker thread that runs one thread of a cage (cage-threads.ts): its instance, its runner,
 * and a channel to the thread that owns the IMFS. futex is served here, on the cage's
 * memory, so that the cage's threads wait for each other directly. Built as its own small
 * bundle (dist/cage-worker.js).
 */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { adoptEpochOffset, epochMs, monotonicMs } from '../core/clock.js';
import { createLindAdapter } from '../abi/lind-adapter.js';
import { futexCheck, futexTimeoutMs, futexWaits, futexWake, type FutexArgs, type FutexClocks } from '../abi/futex.js';
import { ACT_NONE, type ExecImage, type ThreadStart } from '../abi/process-host.js';
import { CageRunner, type CallPort, type Snapshot } from './cage-runner.js';
import {
  ACTION, FUTEX_ADDR, FUTEX_WAITING, HANDLER, INTERRUPT, NR_HANDLER_RETURNED, NR_INTERRUPTED, NR_RETURNED, RESULT, SIGNO,
  THREAD_STACK, THREAD_STACK_SIZE, callOwner, controlWords, ring,
} from './syscall-channel.js';
import { trapMessage, trapSignal, workerImports, type WorkerMessage, type WorkerStart } from './worker-protocol.js';

const FUTEX = 202, EAGAIN = 11, EINTR = 4, ETIMEDOUT = 110;

/**
 * A worker is started with its cage (workerData), or ahead of time as a spare that waits for
 * one: starting a thread costs Node tens of milliseconds, which a spare pays before the fork.
 * A worker whose instance ended by exit waits for another in the same way.
 */
if (workerData !== null && workerData !== undefined) run(workerData as WorkerStart);
else parentPort!.once('message', (start: WorkerStart) => run(start));

function run(start: WorkerStart): void {
adoptEpochOffset(start.epochOffsetMs);
const ctl = controlWords(start.page);
// The port must not keep this thread alive: it ends when its cage does.
start.port.unref();
// The memory the thread runs in (execve replaces it).
let memory = start.snapshot.memory;
let words = new Int32Array(memory.buffer);
let view = new DataView(memory.buffer);
const f: FutexArgs = { addr: 0, op: 0, val: 0, arg4: 0, uaddr2: 0, val3: 0 };
// The cage's clocks, as the owner reads them (one CLOCK_MONOTONIC in every thread; the owner's realtime offset).
const clocks: FutexClocks = { monotonic: monotonicMs, realtime: epochMs };

/** futex (202) with the arguments the adapter spilled (processes.md §5). */
function futex(): number {
  // Served here, so no answer from the owner: the action word must not say the last one's again.
  ctl[ACTION] = ACT_NONE;
  f.addr = ctl[6] >>> 0; f.op = ctl[10]; f.val = ctl[14]; f.arg4 = ctl[18] >>> 0; f.uaddr2 = ctl[22] >>> 0; f.val3 = ctl[26];
  if (f.addr + 4 > words.byteLength || f.uaddr2 + 4 > words.byteLength || f.arg4 + 16 > words.byteLength) { // grown since?
    words = new Int32Array(memory.buffer);
    view = new DataView(memory.buffer);
  }
  const bad = futexCheck(words, f);
  if (bad < 0) return bad;
  if (!futexWaits(f.op)) return futexWake(words, f);
  const ms = futexTimeoutMs(view, f, clocks);
  if (ms < 0) return ms;
  // The owner may cut the wait short for a signal (syscall-channel.ts interruptFutex).
  Atomics.store(ctl, FUTEX_ADDR, f.addr);
  Atomics.store(ctl, FUTEX_WAITING, 1);
  let r: string = 'interrupted';
  if (Atomics.load(ctl, INTERRUPT) === 0) r = Atomics.wait(words, f.addr >> 2, f.val, ms);
  Atomics.store(ctl, FUTEX_WAITING, 0);
  if (Atomics.exchange(ctl, INTERRUPT, 0) !== 0) {
    // The owner delivers the signal as it answers.
    ctl[RESULT] = r === 'not-equal' ? -EAGAIN : -EINTR;
    return callOwner(ctl, start.bell, NR_INTERRUPTED);
  }
  return r === 'not-equal' ? -EAGAIN : r === 'timed-out' ? -ETIMEDOUT : 0;
}

class ChannelPort implements CallPort {
  get action(): number { return ctl[ACTION]; }
  get handler(): number { return ctl[HANDLER]; }
  get signo(): number { return ctl[SIGNO]; }

  call(nr: number): number {
    return nr === FUTEX ? futex() : callOwner(ctl, start.bell, nr);
  }

  handlerReturned(): number {
    return callOwner(ctl, start.bell, NR_HANDLER_RETURNED);
  }

  threadStart(): ThreadStart {
    return { tid: ctl[RESULT], stack: ctl[THREAD_STACK] >>> 0, stackSize: ctl[THREAD_STACK_SIZE] >>> 0 };
  }

  execImage(): ExecImage {
    const m = receiveMessageOnPort(start.port);
    if (m === undefined) throw new Error('execve: the program was not handed over');
    return m.message as ExecImage;
  }

  forked(child: number, snapshot: Snapshot): 'go on' {
    post({ type: 'forked', child, snapshot });
    return 'go on';
  }

  threadCreated(tid: number, snapshot: Snapshot | null): 'go on' {
    post({ type: 'thread', tid, snapshot });
    return 'go on';
  }

  returned(value: number): void {
    ctl[RESULT] = value;
    callOwner(ctl, start.bell, NR_RETURNED);
  }

  makeSyscall(dispatch: (nr: number) => number): (...args: unknown[]) => number {
    return createLindAdapter(dispatch, start.page).makeSyscall;
  }
}

function post(m: WorkerMessage): void {
  start.port.postMessage(m);
  ring(start.bell);
}

try {
  const runner = new CageRunner(new ChannelPort(), (image, makeSyscall) => {
    memory = image.memory;
    words = new Int32Array(memory.buffer);
    view = new DataView(memory.buffer);
    return workerImports(start.cage, image, makeSyscall);
  });
  if (start.fresh) runner.start(start.snapshot);
  else runner.resume(start.snapshot);
} catch (e) {
  post({ type: 'died', signo: trapSignal(e), message: trapMessage(String(start.cage), e) });
  return;
}
// Ended by exit: this thread can run the next fork child or thread, without a new worker's start-up.
post({ type: 'idle' });
parentPort!.once('message', (next: WorkerStart) => run(next));
}
