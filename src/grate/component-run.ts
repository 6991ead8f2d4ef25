/**
 * Running a prepared (transpiled) component on the IMFS: its imports checked against what
 * src/abi/wasip2 serves, instantiated with that import object, its wasi:cli/run export
 * called, and the outcome turned into an exit status as for a core module: wasi:cli/exit's
 * status, 1 when run returns err, 134 for a trap.
 */
import { CageExit } from '../abi/exit.js';
import { P2_PROVIDED, type WasiP2Abi } from '../abi/wasip2/abi.js';
import { ComponentLoadError, type Instantiate, type PreparedComponent } from './component-loader.js';

/** 128 + SIGABRT, as for a core module's trap. */
const TRAP = 134;

export function runComponent(c: PreparedComponent, abi: WasiP2Abi, report: (message: string) => void): number {
  const missing = c.imports.filter((i) => !P2_PROVIDED.has(i));
  if (missing.length > 0) {
    throw new ComponentLoadError(`component '${c.name}' imports interfaces this grate does not provide: ${missing.join(', ')}`);
  }
  try {
    runExport(c.name, instantiateComponent(c, abi.imports()))();
    return 0;
  } catch (e) {
    return failureStatus(c.name, e, report);
  }
}

/** The component's exports, or a ComponentLoadError naming it when it cannot be linked or compiled. */
export function instantiateComponent(c: PreparedComponent, imports: Parameters<Instantiate>[1]): Record<string, unknown> {
  try {
    return c.instantiate(c.coreModule, imports);
  } catch (e) {
    if (e instanceof WebAssembly.LinkError || e instanceof WebAssembly.CompileError) {
      throw new ComponentLoadError(`cannot instantiate component '${c.name}': ${e.message}`);
    }
    throw e;
  }
}

/** How a run that threw ended: exit's status, 1 when run returned err, a trap (reported) as 134; load errors rethrown. */
export function failureStatus(name: string, e: unknown, report: (message: string) => void): number {
  if (e instanceof CageExit) return e.status;
  if (e instanceof ComponentLoadError) throw e;
  // run() returned err: the glue throws its own ComponentError class (not exported; known by name).
  if (e instanceof Error && e.constructor.name === 'ComponentError') return 1;
  report(`component '${name}' trapped: ${e instanceof Error ? e.message : String(e)}`);
  return TRAP;
}

/** The component's wasi:cli/run run function (any 0.2.x version). */
function runExport(name: string, exports: Record<string, unknown>): () => unknown {
  const key = Object.keys(exports).find((k) => k.startsWith('wasi:cli/run@')) ?? (exports.run !== undefined ? 'run' : undefined);
  const run = key === undefined ? undefined : (exports[key] as { run?: unknown }).run;
  if (typeof run !== 'function') {
    throw new ComponentLoadError(`component '${name}' exports no wasi:cli/run (exports: ${Object.keys(exports).join(', ') || 'none'}): only command components can run`);
  }
  return run as () => unknown;
}
