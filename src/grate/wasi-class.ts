/**
 * A drop-in for Node's `node:wasi` WASI class, backed by an IMFS instead of the host:
 * `new WASI({ version: 'preview1', args, env, preopens, returnOnExit, fs })`, then
 * `getImportObject()` / `wasiImport`, and `start(instance)` or `initialize(instance)`.
 * Preopens map guest paths to IMFS directories (Node's map to host directories).
 */
import { Imfs, O_RDONLY, O_WRONLY } from '../core/index.js';
import { WasiAbi } from '../abi/wasi.js';
import { CageExit } from '../abi/exit.js';
import { toBytesList } from '../abi/args.js';
import type { TraceSink } from '../abi/trace.js';
import { inputStream, outputStream, type InputSource, type OutputTarget } from './stdio.js';
import { populateRoot, registerDevices } from './devices.js';
import { guardFunctions } from './stack-guard.js';

export interface WasiClassOptions {
  version?: 'preview1' | 'unstable';
  args?: string[];
  env?: Record<string, string>;
  /** Guest path → IMFS directory (default { '/': '/' }). */
  preopens?: Record<string, string>;
  /** Return the exit code from start() instead of ending the Node process (default true, as in Node 20). */
  returnOnExit?: boolean;
  /** The filesystem to serve (default: a fresh IMFS with /tmp and /dev). */
  fs?: Imfs;
  /** Cage id in that IMFS (default: the next unused one from 1). */
  cageId?: number;
  stdin?: InputSource;
  stdout?: OutputTarget;
  stderr?: OutputTarget;
  trace?: TraceSink;
}

export class WASI {
  readonly fs: Imfs;
  readonly cageId: number;
  readonly wasiImport: WebAssembly.ModuleImports;
  private readonly abi: WasiAbi;
  private readonly returnOnExit: boolean;
  private started = false;

  constructor(options: WasiClassOptions = {}) {
    if (options.version !== undefined && options.version !== 'preview1' && options.version !== 'unstable') {
      throw new TypeError(`WASI version must be 'preview1', got '${options.version}'`);
    }
    if (options.version === 'unstable') throw new TypeError("WASI version 'unstable' is not supported; use 'preview1'");
    if (options.fs === undefined) {
      this.fs = new Imfs();
      registerDevices(this.fs);
      populateRoot(this.fs);
    } else {
      this.fs = options.fs;
    }
    let id = options.cageId ?? 1;
    if (options.cageId === undefined) while (this.fs.hasCage(id)) id++;
    const r = this.fs.createCage(id);
    if (r < 0) throw new Error(`cannot create cage ${id} in the IMFS (errno ${-r})`);
    this.cageId = id;
    const stdio: [number, ReturnType<typeof inputStream>, number][] = [
      [0, inputStream(options.stdin ?? 0), O_RDONLY],
      [1, outputStream(options.stdout ?? 1), O_WRONLY],
      [2, outputStream(options.stderr ?? 2), O_WRONLY],
    ];
    for (const [fd, s, flags] of stdio) this.fs.installStream(id, fd, s.device, flags, s.type);
    this.abi = new WasiAbi({
      fs: this.fs,
      cageId: id,
      args: toBytesList(options.args ?? []),
      env: toBytesList(Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`)),
      preopens: Object.entries(options.preopens ?? { '/': '/' }).map(([guest, dir]) => ({ guest, dir })),
      trace: options.trace,
    });
    this.abi.openPreopens();
    // Behind the grate's stack check, so that a cage recursing into a syscall overflows the
    // stack before the IMFS is touched, never in the middle of a call (stack-guard.ts).
    this.wasiImport = guardFunctions(this.abi.imports().wasi_snapshot_preview1);
    this.returnOnExit = options.returnOnExit ?? true;
  }

  getImportObject(): { wasi_snapshot_preview1: WebAssembly.ModuleImports } {
    return { wasi_snapshot_preview1: this.wasiImport };
  }

  private attach(instance: WebAssembly.Instance): void {
    if (this.started) throw new Error('WASI instance has already started');
    this.started = true;
    const memory = instance.exports.memory;
    if (!(memory instanceof WebAssembly.Memory)) throw new TypeError('instance.exports.memory must be a WebAssembly.Memory');
    this.abi.setMemory(memory);
  }

  /** Runs a command's `_start`; returns its exit code (0 when _start returns). */
  start(instance: WebAssembly.Instance): number {
    this.attach(instance);
    const start = instance.exports._start;
    if (typeof start !== 'function') throw new TypeError('instance.exports._start must be a function');
    if (typeof instance.exports._initialize === 'function') throw new TypeError('instance.exports._initialize must not be present for start()');
    let code: number;
    try {
      (start as () => void)();
      code = 0;
    } catch (e) {
      if (!(e instanceof CageExit)) throw e;
      code = e.status;
    } finally {
      this.fs.exitCage(this.cageId);
    }
    if (!this.returnOnExit) process.exit(code);
    return code;
  }

  /** Runs a reactor's `_initialize` (if it has one). */
  initialize(instance: WebAssembly.Instance): void {
    this.attach(instance);
    if (typeof instance.exports._start === 'function') throw new TypeError('instance.exports._start must not be present for initialize()');
    const init = instance.exports._initialize;
    if (init !== undefined) {
      if (typeof init !== 'function') throw new TypeError('instance.exports._initialize must be a function');
      (init as () => void)();
    }
  }
}
