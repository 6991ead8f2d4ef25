/**
 * For those who transpile a component themselves (`jco transpile --instantiation sync`):
 * the import object that serves its wasi:* from an IMFS, keyed as jco's glue expects
 * (unversioned: "wasi:filesystem/types", …).
 *
 *   const imports = imfsWasiImports(fs, { args: ['prog'], preopens: [{ guest: '/', dir: '/' }] });
 *   const inst = instantiate(getCoreModule, imports);
 *   try { inst['wasi:cli/run@0.2.3'].run(); } catch (e) { if (e instanceof CageExit) status = e.status; else throw e; }
 *
 * wasi:cli/exit throws CageExit (never process.exit), so code after the run still runs.
 * The cage stays in the IMFS (its descriptors open) until `fs.exitCage(cageId)`: pass
 * `cageId` to know which.
 */
import type { Imfs } from '../core/index.js';
import { WasiP2Abi, type P2ImportObject } from '../abi/wasip2/abi.js';
import type { P2Preopen } from '../abi/wasip2/host.js';
import type { TraceSink } from '../abi/trace.js';
import { envStrings } from '../abi/args.js';
import { installStdio, type InputSource, type OutputTarget } from './stdio.js';

export interface ImfsWasiImportsOptions {
  /** The cage the component runs as (default: the lowest unused id from 1); created, with stdio, if it does not exist. */
  cageId?: number;
  /** argv, argv[0] first (default ['component']). */
  args?: readonly string[];
  /** Environment: an object or "K=V" strings (default: empty). */
  env?: Record<string, string> | readonly string[];
  /** Default: the IMFS root as "/"; [] for none. */
  preopens?: readonly P2Preopen[];
  /** A new cage's working directory, also answered as wasi:cli/environment initial-cwd. */
  cwd?: string;
  /** A new cage's stdio (default: the host's). */
  stdin?: InputSource;
  stdout?: OutputTarget;
  stderr?: OutputTarget;
  trace?: TraceSink;
  warn?: (message: string) => void;
}

export function imfsWasiImports(fs: Imfs, options: ImfsWasiImportsOptions = {}): P2ImportObject {
  let cageId = options.cageId;
  if (cageId === undefined) for (cageId = 1; fs.hasCage(cageId); cageId++);
  if (!fs.hasCage(cageId)) {
    const r = fs.createCage(cageId, { cwd: options.cwd });
    if (r < 0) throw new Error(`imfsWasiImports: cannot create cage ${cageId} (errno ${-r})`);
    const failed = installStdio(fs, cageId, options);
    if (failed !== null) throw new Error(`imfsWasiImports: ${failed}`);
  }
  return new WasiP2Abi({
    fs, cageId, args: options.args ?? ['component'], env: envStrings(options.env), preopens: options.preopens, initialCwd: options.cwd,
    trace: options.trace, warn: options.warn,
  }).imports();
}
