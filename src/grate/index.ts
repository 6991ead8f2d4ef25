/** The grate: running cages on an IMFS, and the drop-in WASI class. */
export { Grate, GrateError, TRAP_STATUS, defaultMaxBytes, type GrateOptions, type RunOptions } from './grate.js';
export { WASI, type WasiClassOptions } from './wasi-class.js';
export { main as imfsGrateMain } from './cli.js';
export { FsopServer } from './fsop.js';
export type { InputSource, OutputTarget } from './stdio.js';
export { VERSION } from './version.js';
export { imfsWasiImports, type ImfsWasiImportsOptions } from './wasi-imports.js';
export { JCO_VERSION, type PreparedComponent } from './component-loader.js';
export { defaultCacheDir } from './cache-dir.js';
