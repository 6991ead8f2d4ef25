/**
 * WASI 0.3 components: transpiled by @bytecodealliance/jco-transpile (the transpiler of jco
 * 1.35.0; jco 1.11.3, pinned for the 0.2 path, cannot read the component-model async types:
 * "invalid leading byte (0x43) for component defined type") with JSPI async mode and sync
 * instantiation, and cached beside the 0.2 entries under a key of their own. They need
 * JSPI (WebAssembly.Suspending and WebAssembly.promising): a Node without it is told so here.
 */
import { componentNames, wasiP3Names } from '../abi/component-imports.js';
import { defaultCacheDir } from './cache-dir.js';
import {
  ComponentLoadError, messageOf, moduleLoader, writeEntry,
  type CacheOptions, type Instantiate, type Meta, type PreparedComponent,
} from './component-loader.js';
import { TIMER_PRELUDE, type TimerHolder } from './timer-scope.js';
import { VERSION } from './version.js';

// Built-ins by getBuiltinModule, not `import * as`: the command's CommonJS bundle would copy every export (launcher.ts).
const nodefs = process.getBuiltinModule('node:fs');
const nodepath = process.getBuiltinModule('node:path');

export const JCO_P3_PACKAGE = '@bytecodealliance/jco-transpile';
export const JCO_P3_VERSION = '0.15.0';
/** The first Node line whose WebAssembly has JSPI unflagged (24.22.3 and 26.12.1 checked; 22.23.5 has not). */
export const JSPI_NODE = 24;
const CACHE_FORMAT = 1;
const GLUE = 'component.js';

/** Whether this Node can run a WASI 0.3 component. */
export function hasJspi(): boolean {
  const wa = WebAssembly as unknown as Record<string, unknown>;
  return typeof wa.Suspending === 'function' && typeof wa.promising === 'function';
}

/**
 * The component's versioned imports, and the 0.3 names among its imports and exports (none:
 * a 0.2 component; a run@0.3 export alone makes it 0.3, as jco 1.11.3 cannot read its async type).
 */
export function p3NamesOf(bytes: Uint8Array): { imports: string[]; p3: string[] } {
  let names: { imports: string[]; exports: string[] };
  try {
    names = componentNames(bytes);
  } catch {
    // Sections this reader cannot walk: not taken for 0.3, so the 0.2 path (and its messages) stays as it was.
    return { imports: [], p3: [] };
  }
  return { imports: names.imports, p3: wasiP3Names([...names.imports, ...names.exports]) };
}

/** The refusal for a Node without JSPI, naming what the component imports at 0.3. */
export function requireJspi(name: string, p3: readonly string[]): void {
  if (hasJspi()) return;
  throw new ComponentLoadError(
    `component '${name}' uses WASI 0.3 (${p3.join(', ')}): running it needs JSPI ` +
    `(WebAssembly.Suspending), which Node ${process.version} lacks; run it with Node ${JSPI_NODE} or later`);
}

function entryDir(bytes: Uint8Array, o: CacheOptions): string {
  const hash = process.getBuiltinModule('node:crypto').createHash('sha256').update(bytes).digest('hex');
  return nodepath.join(o.cacheDir ?? defaultCacheDir(o.hostEnv), 'components', `${hash}-jco-transpile${JCO_P3_VERSION}-p3-v${CACHE_FORMAT}`);
}

/** A 0.3 component transpiled (or read from the cache); `imports` are versioned names. */
export async function prepareP3Component(bytes: Uint8Array, name: string, imports: string[], o: CacheOptions = {}): Promise<PreparedComponent> {
  const dir = entryDir(bytes, o);
  if (o.cache !== false) {
    try {
      const meta = JSON.parse(nodefs.readFileSync(nodepath.join(dir, 'meta.json'), 'utf8')) as Meta;
      const glue = nodefs.readFileSync(nodepath.join(dir, GLUE), 'utf8');
      const timers: TimerHolder = { current: null };
      return {
        name, imports: meta.imports, instantiate: evaluateP3Glue(glue, name, timers), source: 'cache', wasi: 'p3', timers,
        coreModule: moduleLoader(name, (f) => meta.files.includes(f) ? nodefs.readFileSync(nodepath.join(dir, f)) : undefined),
      };
    } catch {
      // No entry (or an unreadable one): transpile.
    }
  }
  const files = await transpile(bytes, name);
  const glueBytes = files.get(GLUE);
  if (glueBytes === undefined) throw new ComponentLoadError(`${JCO_P3_PACKAGE} produced no ${GLUE} for component '${name}'`);
  const glue = Buffer.from(glueBytes).toString('utf8');
  let source: PreparedComponent['source'] = 'uncached';
  if (o.cache !== false) {
    try {
      writeEntry(dir, files, { imports, files: [...files.keys()].filter((f) => f !== GLUE), grate: VERSION });
      source = 'transpiled';
    } catch (e) {
      (o.warn ?? ((m: string) => process.stderr.write(`imfs-grate: warning: ${m}\n`)))(
        `cannot write the component cache at '${nodepath.dirname(nodepath.dirname(dir))}': ${messageOf(e)}; running without it`);
    }
  }
  const timers: TimerHolder = { current: null };
  return { name, imports, instantiate: evaluateP3Glue(glue, name, timers), source, wasi: 'p3', timers, coreModule: moduleLoader(name, (f) => files.get(f)) };
}

interface JcoTranspile {
  transpileBytes(bytes: Uint8Array, opts: Record<string, unknown>): Promise<{ files: Record<string, Uint8Array> }>;
}

let transpiler: Promise<JcoTranspile> | null = null;

async function transpile(bytes: Uint8Array, name: string): Promise<Map<string, Uint8Array>> {
  transpiler ??= (async () => {
    const spec = JCO_P3_PACKAGE; // a variable: bundlers leave the import to run time
    try {
      const hook = (globalThis as Record<symbol, unknown>)[Symbol.for('imfs-grate.import')] as ((s: string) => Promise<unknown>) | undefined;
      return (await (hook !== undefined ? hook(spec) : import(spec))) as JcoTranspile;
    } catch (e) {
      transpiler = null;
      throw new ComponentLoadError((e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND'
        ? `running a WASI 0.3 component needs ${JCO_P3_PACKAGE} (not installed): npm install ${JCO_P3_PACKAGE}@${JCO_P3_VERSION}`
        : `cannot load ${JCO_P3_PACKAGE}: ${messageOf(e)}`);
    }
  })();
  const jco = await transpiler;
  let out: { files: Record<string, Uint8Array> };
  try {
    // JSPI: the 0.3 `async func` imports suspend the guest, the async run export is `promising`.
    // Component errors wrapped (ComponentError), as the 0.2 glue does, so that run's err is known by name.
    out = await jco.transpileBytes(bytes, {
      name: 'component', instantiation: 'sync', asyncMode: 'jspi', emitTypescriptDeclarations: false,
      noComponentErrorWrapping: false, wasiShim: false, quiet: true,
    });
  } catch (e) {
    throw new ComponentLoadError(`cannot transpile component '${name}' with ${JCO_P3_PACKAGE} ${JCO_P3_VERSION}: ${messageOf(e)}`);
  }
  const files = new Map<string, Uint8Array>();
  for (const [file, data] of Object.entries(out.files)) if (file.endsWith('.wasm') || file === GLUE) files.set(file, data);
  return files;
}

/**
 * The glue's instantiate function. The 0.3 glue opens with a "use components" directive and
 * ends with an empty `export const _util`: both dropped, then run as a function body like the 0.2 glue,
 * with its timers those of `timers` (timer-scope.ts).
 */
function evaluateP3Glue(glue: string, name: string, timers: TimerHolder): Instantiate {
  const head = 'export function instantiate(';
  const text = glue.replace(/^"use components";\s*/, '').replace(/^export const _util = /m, 'const _util = ');
  if (!text.startsWith(head) || /^\s*(export|import)\s/m.test(text.slice(head.length))) {
    throw new ComponentLoadError(`component '${name}': the glue of ${JCO_P3_PACKAGE} ${JCO_P3_VERSION} is not the self-contained sync form this grate expects`);
  }
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function('__timers', `${TIMER_PRELUDE}\n${text.slice('export '.length)}\nreturn instantiate;`)(timers) as Instantiate;
}
