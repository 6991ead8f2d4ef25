/** imfs-grate: an in-memory POSIX filesystem served to WebAssembly cages. */
export * from './core/index.js';
export * from './grate/index.js';
export { LindAbi, type LindOptions } from './abi/lind.js';
export { WasiAbi, type WasiOptions, type Preopen } from './abi/wasi.js';
export { CageExit, CagePanic } from './abi/exit.js';
export { readModuleInfo, type ModuleInfo, type ModuleImport } from './abi/wasm-module.js';
export { WasiP2Abi, type WasiP2Options, type P2ImportObject } from './abi/wasip2/abi.js';
