/**
 * The runtimes a plain WASI cage never uses: lind's ABI with its process tree and threads,
 * and the WASI 0.2 and 0.3 component hosts. grate.ts reaches them through loadRuntimes()
 * (runtimes-loader.ts), so the imfs-grate command can leave them out of its start-up: its
 * bundle evaluates this module, and compiles its code, the first time a cage needs it
 * (runtimes-loader-lazy.ts, swapped in by scripts/bundle-command.mjs).
 */
export { LindAbi } from '../abi/lind.js';
export { CageHeap } from '../abi/cage-heap.js';
export { SignalState } from '../abi/signal-state.js';
export { ProcessTable, shellStatus } from './processes.js';
export { Threads } from './cage-threads.js';
export { ExecLoader } from './exec-loader.js';
export { WasiP2Abi } from '../abi/wasip2/abi.js';
export { runComponent } from './component-run.js';
export { WasiP3Abi } from '../abi/wasip3/abi.js';
export { runP3Component } from './component-p3-run.js';
