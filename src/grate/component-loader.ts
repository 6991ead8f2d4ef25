/**
 * Components: transpiled in-process by jco (loaded only when a component is run, so a core
 * module's start-up never pays for it) with `instantiation: 'sync'`, and cached by content
 * hash under $XDG_CACHE_HOME/imfs-grate (default ~/.cache/imfs-grate), so that the second
 * run of a component reads its glue and core modules instead of transpiling again.
 *
 * The glue that sync instantiation generates imports nothing and exports one function,
 * `instantiate`; it is evaluated as a function body (no module loader involved), so a
 * cached component loads and runs synchronously.
 */
import type { P2ImportObject } from '../abi/wasip2/abi.js';
import { VERSION } from './version.js';
import { defaultCacheDir } from './cache-dir.js';
import type { TimerHolder } from './timer-scope.js';
// Built-ins by getBuiltinModule, not `import * as`: the command's CommonJS bundle would copy every export (launcher.ts).
const nodefs = process.getBuiltinModule('node:fs');
const nodepath = process.getBuiltinModule('node:path');

/** jco's package, and the version this grate is pinned to and tested with. */
export const JCO_PACKAGE = '@bytecodealliance/jco';
export const JCO_VERSION = '1.11.3';
/** Changes whenever what the cache holds changes shape. */
const CACHE_FORMAT = 2; // 2: glue with importBindings 'hybrid'
const GLUE = 'component.js';

export class ComponentLoadError extends Error {}

/** The instantiate function of jco's sync glue. */
export type Instantiate = (getCoreModule: (name: string) => WebAssembly.Module, imports: P2ImportObject) => Record<string, unknown>;

/** A transpiled component, ready to instantiate (any number of times). */
export interface PreparedComponent {
  /** Shown in messages. */
  name: string;
  /** The interfaces (unversioned) the component imports. */
  imports: string[];
  instantiate: Instantiate;
  coreModule(name: string): WebAssembly.Module;
  /** Where it came from: 'cache' (read from there), 'transpiled' (and written to the cache), 'uncached'. */
  source: 'cache' | 'transpiled' | 'uncached';
  /** 'p3' for a WASI 0.3 component (component-p3-loader.ts; its `imports` are versioned), absent for 0.2. */
  wasi?: 'p3';
  /** A 0.3 component's glue timers (timer-scope.ts). */
  timers?: TimerHolder;
}

export interface CacheOptions {
  /** Use the cache (default true). */
  cache?: boolean;
  /** The cache directory (default: $XDG_CACHE_HOME/imfs-grate, or ~/.cache/imfs-grate). */
  cacheDir?: string;
  /** The host environment XDG_CACHE_HOME and HOME are read from (default process.env). */
  hostEnv?: NodeJS.ProcessEnv;
  warn?: (message: string) => void;
}

/** The cache entry's directory for these bytes. */
function entryDir(bytes: Uint8Array, o: CacheOptions): string {
  const hash = process.getBuiltinModule('node:crypto').createHash('sha256').update(bytes).digest('hex');
  return nodepath.join(o.cacheDir ?? defaultCacheDir(o.hostEnv), 'components', `${hash}-jco${JCO_VERSION}-v${CACHE_FORMAT}`);
}

export interface Meta { imports: string[]; files: string[]; grate: string }

/** The cached transpilation of a component, or null when there is none (or it is unreadable). */
export function loadCached(bytes: Uint8Array, name: string, o: CacheOptions = {}): PreparedComponent | null {
  if (o.cache === false) return null;
  const dir = entryDir(bytes, o);
  let meta: Meta;
  let glue: string;
  try {
    meta = JSON.parse(nodefs.readFileSync(nodepath.join(dir, 'meta.json'), 'utf8')) as Meta;
    glue = nodefs.readFileSync(nodepath.join(dir, GLUE), 'utf8');
  } catch {
    return null;
  }
  return {
    name, imports: meta.imports, instantiate: evaluateGlue(glue, name), source: 'cache',
    coreModule: moduleLoader(name, (file) => meta.files.includes(file) ? nodefs.readFileSync(nodepath.join(dir, file)) : undefined),
  };
}

/** The component transpiled (from the cache when it is there), and cached for next time unless told not to. */
export async function prepareComponent(bytes: Uint8Array, name: string, o: CacheOptions = {}): Promise<PreparedComponent> {
  const cached = loadCached(bytes, name, o);
  if (cached !== null) return cached;
  const jco = await loadJco();
  let out: { files: Record<string, Uint8Array>; imports: string[] };
  try {
    // 'hybrid': an import that offers its own lowering (Symbol.for('cabiLower'), src/abi/wasip2/lower.ts) is used
    // as the core function in place of jco's generated trampoline; the others keep jco's.
    out = await jco.transpile(bytes, { name: 'component', instantiation: 'sync', importBindings: 'hybrid', noTypescript: true, quiet: true });
  } catch (e) {
    throw new ComponentLoadError(`cannot transpile component '${name}' with jco ${JCO_VERSION}: ${messageOf(e)}`);
  }
  const files = new Map<string, Uint8Array>();
  for (const [file, data] of Object.entries(out.files)) if (file.endsWith('.wasm') || file === GLUE) files.set(file, data);
  const glueBytes = files.get(GLUE);
  if (glueBytes === undefined) throw new ComponentLoadError(`jco produced no ${GLUE} for component '${name}'`);
  const glue = Buffer.from(glueBytes).toString('utf8');
  const imports = out.imports.map((i) => i.replace(/@.*$/, ''));
  let source: PreparedComponent['source'] = 'uncached';
  if (o.cache !== false) {
    const dir = entryDir(bytes, o);
    try {
      writeEntry(dir, files, { imports, files: [...files.keys()].filter((f) => f !== GLUE), grate: VERSION });
      source = 'transpiled';
    } catch (e) {
      (o.warn ?? ((m: string) => process.stderr.write(`imfs-grate: warning: ${m}\n`)))(
        `cannot write the component cache at '${nodepath.dirname(nodepath.dirname(dir))}': ${messageOf(e)}; ` +
        'running without it (the next run transpiles again; --no-cache skips the cache)');
    }
  }
  return { name, imports, instantiate: evaluateGlue(glue, name), source, coreModule: moduleLoader(name, (f) => files.get(f)) };
}

/** Writes an entry into a fresh directory, renamed into place (a reader never sees half of one). */
export function writeEntry(dir: string, files: Map<string, Uint8Array>, meta: Meta): void {
  const parent = nodepath.dirname(dir);
  mkdirs(parent);
  const tmp = nodefs.mkdtempSync(nodepath.join(parent, '.tmp-'));
  try {
    for (const [file, data] of files) nodefs.writeFileSync(nodepath.join(tmp, file), data);
    nodefs.writeFileSync(nodepath.join(tmp, 'meta.json'), JSON.stringify(meta));
    try {
      nodefs.renameSync(tmp, dir);
    } catch (e) {
      // Another run cached the same component meanwhile: theirs is as good as ours.
      if (!nodefs.existsSync(nodepath.join(dir, 'meta.json'))) throw e;
      nodefs.rmSync(tmp, { recursive: true, force: true });
    }
  } catch (e) {
    nodefs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/**
 * mkdir -p, one level at a time: Node 20's recursive mkdirSync never returns for a path
 * under /proc (measured with XDG_CACHE_HOME=/proc/x), where this answers ENOENT at once.
 */
function mkdirs(dir: string): void {
  const missing: string[] = [];
  for (let d = dir; !nodefs.existsSync(d); d = nodepath.dirname(d)) {
    missing.push(d);
    if (nodepath.dirname(d) === d) break;
  }
  for (const d of missing.reverse()) {
    try {
      nodefs.mkdirSync(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

export function moduleLoader(name: string, read: (file: string) => Uint8Array | undefined): (file: string) => WebAssembly.Module {
  return (file) => {
    const bytes = read(file);
    if (bytes === undefined) throw new ComponentLoadError(`component '${name}': its glue asks for core module '${file}', which jco did not produce`);
    return new WebAssembly.Module(bytes);
  };
}

/** The sync glue's instantiate function: the module text with its one `export` dropped, run as a function body. */
function evaluateGlue(glue: string, name: string): Instantiate {
  const head = 'export function instantiate(';
  if (!glue.startsWith(head) || /^\s*(export|import)\s/m.test(glue.slice(head.length))) {
    throw new ComponentLoadError(`component '${name}': jco's glue is not the self-contained sync form this grate expects (jco ${JCO_VERSION})`);
  }
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function(`${glue.slice('export '.length)}\nreturn instantiate;`)() as Instantiate;
}

interface Jco {
  transpile(bytes: Uint8Array, opts: Record<string, unknown>): Promise<{ files: Record<string, Uint8Array>; imports: string[] }>;
}

let jcoModule: Promise<Jco> | null = null;

/** jco, imported on first use; a clear message when it is not installed. */
export function loadJco(): Promise<Jco> {
  jcoModule ??= (async () => {
    const spec = JCO_PACKAGE; // a variable: bundlers leave the import to run time
    try {
      // Under the command's launcher (launcher.ts), through its import(); elsewhere our own.
      const hook = (globalThis as Record<symbol, unknown>)[Symbol.for('imfs-grate.import')] as ((s: string) => Promise<unknown>) | undefined;
      return (await (hook !== undefined ? hook(spec) : import(spec))) as Jco;
    } catch (e) {
      jcoModule = null;
      const missing = (e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND';
      throw new ComponentLoadError(missing
        ? `running a WebAssembly component needs ${JCO_PACKAGE} (not installed): npm install ${JCO_PACKAGE}@${JCO_VERSION}`
        : `cannot load ${JCO_PACKAGE}: ${messageOf(e)}`);
    }
  })();
  return jcoModule;
}

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

