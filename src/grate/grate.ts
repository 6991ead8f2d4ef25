/**
 * The grate: one IMFS and the cages that run on it, one after another. It instantiates
 * a module with whatever it imports (the lind ABI, WASI preview1, or both), gives it
 * stdio, argv and environ, runs `_start`, and turns exit, trap or panic into an exit status.
 */
import { Imfs, DEFAULT_LIMITS, type ImfsOptions } from '../core/index.js';
import { readModuleInfo, isWasm, isComponent, signature, type ModuleImport, type MemoryLimits } from '../abi/wasm-module.js';
import type { LindAbi } from '../abi/lind.js';
import { WasiAbi, type Preopen } from '../abi/wasi.js';
import { CageMemory } from '../abi/cage-memory.js';
import { CageExit, CagePanic } from '../abi/exit.js';
import { envStrings, toBytesList } from '../abi/args.js';
import type { TraceSink } from '../abi/trace.js';
import { installStdio, type InputSource, type OutputTarget } from './stdio.js';
import { populateRoot, registerDevices } from './devices.js';
import { guardImports } from './stack-guard.js';
import type { ExecLoader } from './exec-loader.js';
import type { WasiP2Options } from '../abi/wasip2/abi.js';
import { ComponentLoadError, loadCached, prepareComponent, type PreparedComponent } from './component-loader.js';
import { p3NamesOf, prepareP3Component, requireJspi } from './component-p3-loader.js';
import { loadRuntimes } from './runtimes-loader.js';
import { monotonicMs } from '../core/clock.js';
// Built-ins by getBuiltinModule, not `import * as`: the command's CommonJS bundle would copy every export (launcher.ts).
const nodefs = process.getBuiltinModule('node:fs');
const nodepath = process.getBuiltinModule('node:path');
const os = process.getBuiltinModule('node:os');

/** The grate's own failures (bad cage file, unsatisfiable import…): reported before any cage code runs. */
export class GrateError extends Error {}

/** Exit status of a cage that trapped or panicked: 128 + SIGABRT, as a shell reports an abort. */
export const TRAP_STATUS = 134;

/**
 * The grate's default for the IMFS's total bytes: the core's 4 GiB, but at most half of the
 * host's memory, as tmpfs sizes itself, so that a cage that writes forever meets ENOSPC
 * before the host runs out of memory.
 */
export function defaultMaxBytes(): number {
  return Math.min(DEFAULT_LIMITS.maxBytes, Math.floor(os.totalmem() / 2));
}

export interface GrateOptions extends ImfsOptions {
  /** Start from an empty root instead of one with /tmp and /dev. */
  bare?: boolean;
  /** Run on an existing IMFS instead of a new one. */
  fs?: Imfs;
}

export interface RunOptions {
  /** Arguments after argv[0]. */
  args?: readonly (string | Uint8Array)[];
  /** argv[0] (default: the cage file's base name, or "cage"). */
  argv0?: string;
  /** Environment: an object or a list of "K=V" strings (default: empty). */
  env?: Record<string, string> | readonly string[];
  /** Cage id (default: the next unused one from 1). */
  cageId?: number;
  cwd?: string;
  uid?: number;
  gid?: number;
  groups?: number[];
  umask?: number;
  stdin?: InputSource;
  stdout?: OutputTarget;
  stderr?: OutputTarget;
  /** WASI preopens (default: the IMFS root as "/"). */
  preopens?: Preopen[];
  /** Log one line per syscall here. */
  trace?: TraceSink;
  /** Where the grate's own warnings go (default: stderr). */
  warn?: (message: string) => void;
  /** Called with a trap or panic message (default: written to stderr). */
  onTrap?: (message: string) => void;
  /** Lind cages: the whole tree is ended after this many seconds (exit status 124, as timeout(1)). */
  timeoutSeconds?: number;
  /** Lind cages: at most this many cages at once; fork answers EAGAIN past it (default 64). */
  maxCages?: number;
  /** Lind cages: at most this many threads at once in all cages, main threads included; clone and fork answer EAGAIN past it (default 256). */
  maxThreads?: number;
  /** Lind cages: bytes of linear memory all cages may hold together; fork answers ENOMEM past it (default: half the host's memory). */
  memoryBudget?: number;
  /** Components: cache their transpilation (default true; see component-loader.ts). */
  cache?: boolean;
  /** Components: the cache directory (default $XDG_CACHE_HOME/imfs-grate, or ~/.cache/imfs-grate). */
  cacheDir?: string;
}

/** The default for RunOptions.maxCages: each cage past the first is a worker thread with its own V8 heap. */
export const DEFAULT_MAX_CAGES = 64;
/** The default for RunOptions.maxThreads: each thread is a worker too, but a threaded program often makes one per core and more. */
export const DEFAULT_MAX_THREADS = 256;

/** A cage: a module, the bytes or host path of a module or component, or a component already transpiled. */
export type Cage = WebAssembly.Module | Uint8Array | string | PreparedComponent;

function isPrepared(cage: Cage): cage is PreparedComponent {
  return typeof cage === 'object' && !(cage instanceof WebAssembly.Module) && !(cage instanceof Uint8Array);
}

export class Grate {
  readonly fs: Imfs;
  private nextCage = 1;
  /** Programs execve compiled, kept for every run on this grate. */
  private loader: ExecLoader | undefined;

  constructor(options: GrateOptions = {}) {
    try {
      this.fs = options.fs ?? new Imfs({ ...options, limits: { maxBytes: defaultMaxBytes(), ...definedOnly(options.limits) } });
      registerDevices(this.fs);
      if (!options.fs && !options.bare) populateRoot(this.fs);
    } catch (e) {
      throw new GrateError(`cannot set up the IMFS: ${(e as Error).message}`);
    }
  }

  /** A cage's bytes and name, from bytes or a host path. */
  static read(cage: Uint8Array | string): { bytes: Uint8Array; name: string } {
    if (typeof cage !== 'string') return { bytes: cage, name: 'cage' };
    try {
      return { bytes: nodefs.readFileSync(cage), name: nodepath.basename(cage) };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new GrateError(`cannot read cage '${cage}': ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
    }
  }

  /**
   * A component transpiled for running (from the cache when it is there): what run() does
   * before running one, for a caller that wants runSync() afterwards. GrateError if it is not a component.
   */
  static async prepare(cage: Uint8Array | string, options: Pick<RunOptions, 'cache' | 'cacheDir' | 'warn'> = {}): Promise<PreparedComponent> {
    const { bytes, name } = Grate.read(cage);
    if (!isComponent(bytes)) throw new GrateError(`${typeof cage === 'string' ? `'${cage}'` : 'the cage'} is not a WebAssembly component`);
    try {
      // WASI 0.3 (its imports or its run export say so) takes the JSPI path; the rest is 0.2 as ever.
      const { imports, p3 } = p3NamesOf(bytes);
      if (p3.length > 0) {
        requireJspi(name, p3);
        return await prepareP3Component(bytes, name, imports, options);
      }
      return await prepareComponent(bytes, name, options);
    } catch (e) {
      if (e instanceof ComponentLoadError) throw new GrateError(e.message);
      throw e;
    }
  }

  /** Compiles a cage from a module, bytes or a host path; GrateError for anything that is not a loadable module. */
  static load(cage: WebAssembly.Module | Uint8Array | string): { module: WebAssembly.Module; imports: ModuleImport[] | null; name: string } {
    if (cage instanceof WebAssembly.Module) return { module: cage, imports: null, name: 'cage' };
    const { bytes, name } = Grate.read(cage);
    if (isComponent(bytes)) {
      throw new GrateError(`${typeof cage === 'string' ? `'${cage}'` : 'the cage'} is a WebAssembly component, not a module: run it with Grate.run (or Grate.prepare, then runSync)`);
    }
    if (!isWasm(bytes)) throw new GrateError(`${typeof cage === 'string' ? `'${cage}'` : 'the cage'} is not a WebAssembly module`);
    let module: WebAssembly.Module;
    let imports: ModuleImport[];
    try {
      imports = readModuleInfo(bytes).imports;
      module = new WebAssembly.Module(bytes);
    } catch (e) {
      throw new GrateError(`${typeof cage === 'string' ? `'${cage}'` : 'the cage'} is not a valid WebAssembly module: ${(e as Error).message}`);
    }
    return { module, imports, name };
  }

  /** Runs a cage (a core module or a component) to completion and resolves to its exit status. */
  async run(cage: Cage, options: RunOptions = {}): Promise<number> {
    if (typeof cage === 'string' || cage instanceof Uint8Array) {
      const { bytes } = Grate.read(cage);
      if (isComponent(bytes)) cage = await Grate.prepare(cage, options);
    }
    if (isPrepared(cage) && cage.wasi === 'p3') return this.runP3(cage, options);
    return this.runSync(cage, options);
  }

  /**
   * run(), synchronously: a cage runs start to finish without yielding. A component must
   * be prepared already (Grate.prepare), or be in the transpilation cache.
   */
  runSync(cage: Cage, options: RunOptions = {}): number {
    if (isPrepared(cage)) {
      if (cage.wasi === 'p3') throw new GrateError(`component '${cage.name}' uses WASI 0.3, which runs asynchronously: run it with Grate.run`);
      return this.runComponentSync(cage, options);
    }
    if (typeof cage === 'string' || cage instanceof Uint8Array) {
      const { bytes, name } = Grate.read(cage);
      if (isComponent(bytes)) {
        if (p3NamesOf(bytes).p3.length > 0) throw new GrateError(`component '${name}' uses WASI 0.3, which runs asynchronously: run it with Grate.run`);
        const cached = loadCached(bytes, name, { cache: options.cache, cacheDir: options.cacheDir });
        if (cached === null) throw new GrateError(`component '${name}' is not transpiled yet: run it with Grate.run (async), or Grate.prepare it first`);
        return this.runComponentSync(cached, options);
      }
    }
    const { module, imports: declared, name } = Grate.load(cage);
    const imports = declared ?? WebAssembly.Module.imports(module).map((i) => ({ module: i.module, name: i.name, desc: describeKind(i.kind) }));
    const fs = this.fs;
    const cageId = this.newCage(options);
    try {
      this.installStdio(cageId, options);
      const argv = toBytesList([options.argv0 ?? name, ...(options.args ?? [])]);
      const env = toBytesList(envStrings(options.env));
      const wantsLind = imports.some((i) => i.module === 'lind');
      const wantsWasi = imports.some((i) => i.module === 'wasi_snapshot_preview1');
      const memImport = imports.find((i) => i.desc.kind === 'memory');
      const memory = memImport !== undefined && memImport.desc.kind === 'memory' ? createMemory(memImport, name) : null;
      const importObject: WebAssembly.Imports = {};
      let wasi: WasiAbi | null = null;
      if (wantsLind && !wantsWasi) {
        if (memory === null || memImport === undefined) throw new GrateError(`cage '${name}' imports lind but no memory: a lind cage imports env.memory`);
        return this.runProcesses(name, module, declared, imports, memory, memImport, cageId, argv, env, options);
      }
      if (wantsLind) {
        if (memory === null) throw new GrateError(`cage '${name}' imports lind but no memory: a lind cage imports env.memory`);
        const { LindAbi, CageHeap } = loadRuntimes();
        const lind = new LindAbi({
          fs, cageId, parentId: 0, memory, heap: new CageHeap(new CageMemory(memory)), args: argv, env,
          trace: options.trace, warn: options.warn,
        });
        merge(importObject, lind.imports());
      }
      if (wantsWasi) {
        wasi = new WasiAbi({ fs, cageId, args: argv, env, preopens: options.preopens, trace: options.trace, warn: options.warn, exclusive: !wantsLind });
        try {
          wasi.openPreopens();
        } catch (e) {
          throw new GrateError(`cage '${name}': ${(e as Error).message}`);
        }
        if (memory !== null) wasi.setMemory(memory);
        merge(importObject, wasi.imports());
      }
      if (memory !== null && memImport !== undefined) (importObject[memImport.module] ??= {})[memImport.name] = memory;
      checkImports(name, imports, importObject);
      return this.execute(name, module, guardImports(importObject, declared), wasi, options);
    } finally {
      fs.exitCage(cageId);
    }
  }

  /**
   * A lind cage and every cage it forks: the process runtime (processes.ts) with the first
   * cage in this thread until it forks (cage-threads.ts). With a time limit the first cage
   * runs in a worker from the start, so that it can be stopped while it computes.
   */
  private runProcesses(
    name: string, module: WebAssembly.Module, declared: ModuleImport[] | null, imports: ModuleImport[],
    memory: WebAssembly.Memory, memImport: ModuleImport, cageId: number, argv: Uint8Array[], env: Uint8Array[], options: RunOptions,
  ): number {
    const warn = options.warn ?? ((m: string) => process.stderr.write(`imfs-grate: ${m}\n`));
    const report = options.onTrap ?? ((m: string) => process.stderr.write(`imfs-grate: ${m}\n`));
    const { ExecLoader, ProcessTable, Threads, SignalState, shellStatus } = loadRuntimes();
    this.loader ??= new ExecLoader(this.fs);
    const table = new ProcessTable({
      fs: this.fs, warn, loader: this.loader,
      maxCages: options.maxCages ?? DEFAULT_MAX_CAGES,
      maxThreads: options.maxThreads ?? DEFAULT_MAX_THREADS,
      memoryBudget: options.memoryBudget ?? Math.floor(os.totalmem() / 2),
    });
    const deadline = options.timeoutSeconds === undefined ? Infinity : monotonicMs() + options.timeoutSeconds * 1000;
    const threads = new Threads(table, { fs: this.fs, trace: options.trace, warn, report, deadline });
    const p = table.add(cageId, 0, new SignalState(), name);
    table.first = cageId;
    const maxPages = (memImport.desc as { limits: MemoryLimits }).limits.maximum ?? 65536;
    const image = { module, memory, maxPages, args: argv, env };
    const makeImports = (lind: LindAbi) => {
      const importObject = lind.imports();
      checkImports(name, imports, importObject);
      return guardImports(importObject, declared);
    };
    try {
      if (options.timeoutSeconds !== undefined) threads.runFirstInWorker(p, image);
      else threads.runFirst(p, image, makeImports);
    } catch (e) {
      if (e instanceof WebAssembly.LinkError) throw new GrateError(`cannot link cage '${name}': ${e.message}`);
      if (e instanceof RangeError) throw new GrateError(`cannot instantiate cage '${name}': ${e.message}`);
      throw e;
    }
    return shellStatus(p.status);
  }

  /** A component's wasi:* host (either version: both take the same options), or a GrateError naming the component. */
  private componentHost<A>(c: PreparedComponent, cageId: number, options: RunOptions, Abi: new (o: WasiP2Options) => A): A {
    const text = (a: string | Uint8Array) => (typeof a === 'string' ? a : Buffer.from(a).toString('utf8'));
    try {
      return new Abi({
        fs: this.fs, cageId, args: [options.argv0 ?? c.name, ...(options.args ?? []).map(text)], env: envStrings(options.env),
        preopens: options.preopens, initialCwd: options.cwd, trace: options.trace, warn: options.warn,
      });
    } catch (e) {
      throw new GrateError(`component '${c.name}': ${(e as Error).message}`);
    }
  }

  /** A prepared component, as a cage of its own, with wasi:* served by src/abi/wasip2. */
  private runComponentSync(c: PreparedComponent, options: RunOptions): number {
    const cageId = this.newCage(options);
    try {
      this.installStdio(cageId, options);
      const { WasiP2Abi, runComponent } = loadRuntimes();
      const abi = this.componentHost(c, cageId, options, WasiP2Abi);
      return runComponent(c, abi, options.onTrap ?? ((m: string) => process.stderr.write(`imfs-grate: ${m}\n`)));
    } catch (e) {
      if (e instanceof ComponentLoadError) throw new GrateError(e.message);
      throw e;
    } finally {
      this.fs.exitCage(cageId);
    }
  }

  /** A prepared WASI 0.3 component, as a cage of its own, with wasi:* served by src/abi/wasip3 (and wasip2). */
  private async runP3(c: PreparedComponent, options: RunOptions): Promise<number> {
    const cageId = this.newCage(options);
    try {
      this.installStdio(cageId, options);
      const { WasiP3Abi, runP3Component } = loadRuntimes();
      const abi = this.componentHost(c, cageId, options, WasiP3Abi);
      return await runP3Component(c, abi, options.onTrap ?? ((m: string) => process.stderr.write(`imfs-grate: ${m}\n`)));
    } catch (e) {
      if (e instanceof ComponentLoadError) throw new GrateError(e.message);
      throw e;
    } finally {
      this.fs.exitCage(cageId);
    }
  }

  /** Creates the cage a run uses (its id, credentials and working directory from the options). */
  private newCage(options: RunOptions): number {
    const cageId = options.cageId ?? this.takeCageId();
    const created = this.fs.createCage(cageId, {
      uid: options.uid, gid: options.gid, groups: options.groups, umask: options.umask, cwd: options.cwd,
    });
    if (created < 0) throw new GrateError(`cannot create cage ${cageId}${options.cwd ? ` with working directory '${options.cwd}'` : ''} (errno ${-created})`);
    return cageId;
  }

  private takeCageId(): number {
    while (this.fs.hasCage(this.nextCage)) this.nextCage++;
    return this.nextCage++;
  }

  private installStdio(cageId: number, options: RunOptions): void {
    const failed = installStdio(this.fs, cageId, options);
    if (failed !== null) throw new GrateError(failed);
  }

  private execute(name: string, module: WebAssembly.Module, importObject: WebAssembly.Imports, wasi: WasiAbi | null, options: RunOptions): number {
    const report = options.onTrap ?? ((m: string) => process.stderr.write(`imfs-grate: ${m}\n`));
    try {
      let instance: WebAssembly.Instance;
      try {
        instance = new WebAssembly.Instance(module, importObject);
      } catch (e) {
        if (e instanceof WebAssembly.LinkError) throw new GrateError(`cannot link cage '${name}': ${e.message}`);
        // Its own memory or table could not be allocated (a start function's trap is a RuntimeError).
        if (e instanceof RangeError) throw new GrateError(`cannot instantiate cage '${name}': ${e.message}`);
        throw e;
      }
      const exported = instance.exports.memory;
      if (wasi !== null && exported instanceof WebAssembly.Memory) wasi.setMemory(exported);
      const start = instance.exports._start;
      if (typeof start !== 'function') throw new GrateError(`cage '${name}' exports no _start function`);
      const result = (start as () => unknown)();
      // A WASI command that returns from _start exits 0; a lind _start returns main's status.
      return typeof result === 'number' ? result & 0xff : 0;
    } catch (e) {
      if (e instanceof CageExit) return e.status;
      if (e instanceof GrateError) throw e;
      if (e instanceof CagePanic) { report(`cage '${name}': ${e.message}`); return TRAP_STATUS; }
      // RangeError: a stack overflow (caught before any syscall starts, see stack-guard.ts) or host memory refused.
      if (e instanceof WebAssembly.RuntimeError || e instanceof RangeError) {
        report(`cage '${name}' trapped: ${(e as Error).message}`);
        return TRAP_STATUS;
      }
      // An exception the cage threw (wasm exception handling) and never caught: it aborts, as C++'s terminate does.
      if (e instanceof WebAssembly.Exception) {
        report(`cage '${name}' trapped: uncaught WebAssembly exception`);
        return TRAP_STATUS;
      }
      throw e;
    }
  }
}

/** Limits without the keys given as undefined (they would hide the grate's defaults in a spread). */
function definedOnly<T extends object>(o: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(o ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function describeKind(kind: string): ModuleImport['desc'] {
  return kind === 'function' ? { kind: 'function', type: null } : kind === 'memory' ? { kind: 'memory', limits: { initial: 1, shared: false, memory64: false } } : { kind: kind as 'table' };
}

/** The memory a module imports, with its declared limits (V8 holds a cage to its declared maximum). */
function createMemory(imp: ModuleImport, name: string): WebAssembly.Memory {
  const limits = (imp.desc as { limits: MemoryLimits }).limits;
  if (limits.memory64) throw new GrateError(`cage '${name}' imports a 64-bit memory, which this grate does not support`);
  if (limits.shared && limits.maximum === undefined) throw new GrateError(`cage '${name}' imports a shared memory without a maximum`);
  try {
    return new WebAssembly.Memory({ initial: limits.initial, maximum: limits.maximum, shared: limits.shared });
  } catch (e) {
    throw new GrateError(`cannot create the memory cage '${name}' imports (${limits.initial} pages): ${(e as Error).message}`);
  }
}

function merge(into: WebAssembly.Imports, from: WebAssembly.Imports): void {
  for (const [mod, fields] of Object.entries(from)) Object.assign((into[mod] ??= {}), fields);
}

/** Every import must be provided: the ones that are not are named (module, name and type) before the cage starts. */
function checkImports(name: string, imports: ModuleImport[], provided: WebAssembly.Imports): void {
  const missing = imports.filter((i) => provided[i.module]?.[i.name] === undefined);
  if (missing.length === 0) return;
  const list = missing.map((i) => `${i.module}.${i.name} (${i.desc.kind}${i.desc.kind === 'function' ? ' ' + signature(i.desc.type) : ''})`);
  throw new GrateError(`cage '${name}' needs imports this grate does not provide: ${list.join(', ')}`);
}
