/**
 * A worker thread that runs one cage (cage-threads.ts): its instance, its runner, and a
 * channel to the thread that owns the IMFS. Built as its own small bundle (dist/cage-worker.js).
 */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { createLindAdapter } from '../abi/lind-adapter.js';
import type { ExecImage } from '../abi/process-host.js';
import { CageRunner, type CallPort, type Snapshot } from './cage-runner.js';
import { ACTION, HANDLER, NR_HANDLER_RETURNED, NR_RETURNED, RESULT, SIGNO, callOwner, controlWords, ring } from './syscall-channel.js';
import { trapMessage, trapSignal, workerImports, type WorkerMessage, type WorkerStart } from './worker-protocol.js';

/**
 * A worker is started with its cage (workerData), or ahead of time as a spare that waits for
 * one: starting a thread costs Node tens of milliseconds, which a spare pays before the fork.
 */
if (workerData !== null && workerData !== undefined) run(workerData as WorkerStart);
else parentPort!.once('message', (start: WorkerStart) => run(start));

function run(start: WorkerStart): void {
const ctl = controlWords(start.page);
// The port must not keep this thread alive: it ends when its cage does.
start.port.unref();

class ChannelPort implements CallPort {
  get action(): number { return ctl[ACTION]; }
  get handler(): number { return ctl[HANDLER]; }
  get signo(): number { return ctl[SIGNO]; }

  call(nr: number): number {
    return callOwner(ctl, start.bell, nr);
  }

  handlerReturned(): number {
    return callOwner(ctl, start.bell, NR_HANDLER_RETURNED);
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
  const runner = new CageRunner(new ChannelPort(), (image, makeSyscall) => workerImports(start.cage, image, makeSyscall));
  if (start.fresh) runner.start(start.snapshot);
  else runner.resume(start.snapshot);
} catch (e) {
  post({ type: 'died', signo: trapSignal(e), message: trapMessage(String(start.cage), e) });
}
}
