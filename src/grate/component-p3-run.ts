/**
 * Running a WASI 0.3 component on the IMFS: its imports checked against what src/abi/wasip2
 * and src/abi/wasip3 serve (each at its version), instantiated, and its wasi:cli/run@0.3
 * export awaited (JSPI: the guest suspends in async imports while the event loop runs).
 * Outcomes as for 0.2 (component-run.ts): exit's status, 1 when run returns err, 134 for a trap.
 */
import { P2_PROVIDED, unversioned } from '../abi/wasip2/abi.js';
import type { WasiP3Abi } from '../abi/wasip3/abi.js';
import { P3_PROVIDED } from '../abi/wasip3/table.js';
import { ComponentLoadError, type PreparedComponent } from './component-loader.js';
import { failureStatus, instantiateComponent } from './component-run.js';
import { TimerScope } from './timer-scope.js';


/** The 0.3 and 0.2 interfaces (unversioned) of a component's versioned imports; refused if any is not served. */
export function splitImports(c: PreparedComponent): { p3: Set<string>; p2: Set<string> } {
  const p3 = new Set<string>(), p2 = new Set<string>(), missing: string[] = [];
  for (const name of c.imports) {
    const iface = unversioned(name);
    const is3 = /@0\.3\./.test(name);
    if (is3 ? P3_PROVIDED.has(iface) : P2_PROVIDED.has(iface)) (is3 ? p3 : p2).add(iface);
    else missing.push(name);
  }
  if (missing.length > 0) {
    throw new ComponentLoadError(`component '${c.name}' imports interfaces this grate does not provide: ${missing.join(', ')}`);
  }
  return { p3, p2 };
}

export async function runP3Component(c: PreparedComponent, abi: WasiP3Abi, report: (message: string) => void): Promise<number> {
  const { p3, p2 } = splitImports(c);
  let imports;
  try {
    imports = abi.imports(p3, p2);
  } catch (e) {
    throw new ComponentLoadError(`component '${c.name}': ${(e as Error).message}`);
  }
  const timers = new TimerScope();
  if (c.timers !== undefined) c.timers.current = timers;
  try {
    const exports = instantiateComponent(c, imports);
    await untilSettled(c.name, runExport(c.name, exports)());
    return 0;
  } catch (e) {
    return failureStatus(c.name, e, report);
  } finally {
    // Whatever the glue still waits for can no longer happen.
    timers.clearAll();
    if (c.timers !== undefined) c.timers.current = null;
  }
}

/**
 * The run promise; or a trap if the event loop empties first (the guest waits on something
 * nothing will ever complete), where Node would otherwise exit quietly with status 0.
 */
function untilSettled(name: string, run: Promise<unknown>): Promise<unknown> {
  let onIdle!: () => void;
  const stuck = new Promise<never>((_resolve, reject) => {
    onIdle = () => reject(new Error(`component '${name}' can never finish: its run waits on nothing that will ever happen (deadlock)`));
  });
  process.once('beforeExit', onIdle);
  return Promise.race([run, stuck]).finally(() => process.removeListener('beforeExit', onIdle));
}

/** The component's wasi:cli/run@0.3 run function (any 0.3.x). */
function runExport(name: string, exports: Record<string, unknown>): () => Promise<unknown> {
  const key = Object.keys(exports).find((k) => k.startsWith('wasi:cli/run@0.3'));
  const run = key === undefined ? undefined : (exports[key] as { run?: unknown }).run;
  if (typeof run !== 'function') {
    throw new ComponentLoadError(`component '${name}' exports no wasi:cli/run@0.3 (exports: ${Object.keys(exports).join(', ') || 'none'}): only command components can run`);
  }
  return run as () => Promise<unknown>;
}
