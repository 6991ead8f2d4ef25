/**
 * WASI 0.2 (preview2) on the IMFS: the import object a jco-transpiled component
 * (`instantiation: 'sync'`) takes, keyed by unversioned interface name, with every
 * function synchronous and served from the IMFS by the objects of this folder. The cage
 * the component runs as must exist, with its stdio on descriptors 0–2.
 */
import { O_DIRECTORY, O_RDONLY, S_IFDIR, S_IFMT, newStat } from '../../core/index.js';
import type { TraceSink } from '../trace.js';
import { TerminalInput, TerminalOutput } from './cli.js';
import { Descriptor, DirectoryEntryStream } from './descriptor.js';
import { P2Host, type P2Classes, type P2Options, type P2Preopen } from './host.js';
import { IoError } from './io-error.js';
import { loweredClasses } from './lower.js';
import { Pollable } from './poll.js';
import { InputStream, OutputStream } from './streams.js';
import { camel, pascal, P2_INTERFACES } from './table.js';
import { tracedClasses, tracedFunction } from './trace.js';

export interface WasiP2Options extends P2Options {
  /** Log one line per wasi:* call here. */
  trace?: TraceSink;
}

export const P2_CLASSES: P2Classes = {
  Descriptor, DirectoryEntryStream, InputStream, OutputStream, Pollable, IoError, TerminalInput, TerminalOutput,
};

/** Interface names (unversioned) this host serves. */
export const P2_PROVIDED: ReadonlySet<string> = new Set(P2_INTERFACES.map((i) => i.name));

/** "wasi:filesystem/types@0.2.3" → "wasi:filesystem/types". */
export function unversioned(name: string): string {
  const at = name.indexOf('@');
  return at < 0 ? name : name.slice(0, at);
}

export type P2ImportObject = Record<string, Record<string, unknown>>;

export class WasiP2Abi {
  readonly host: P2Host;
  private readonly preopens: readonly P2Preopen[];

  constructor(readonly options: WasiP2Options) {
    const prefix = `[cage ${options.cageId}]`;
    // Traced classes keep jco's trampolines (every call logged); otherwise the hot calls are lowered by us.
    const classes = options.trace === undefined ? loweredClasses(P2_CLASSES) : tracedClasses(P2_CLASSES, options.trace, prefix);
    this.host = new P2Host(options, classes);
    this.preopens = options.preopens ?? [{ guest: '/', dir: '/' }];
    const cage = options.fs.cage(options.cageId);
    if (cage === undefined) throw new Error(`WASI cage ${options.cageId} does not exist in the IMFS`);
    // A descriptor is a capability for its subtree: lookups beneath one never leave it.
    cage.beneath = true;
    const st = newStat();
    for (const p of this.preopens) {
      const r = options.fs.stat(options.cageId, p.dir, st);
      if (r < 0 || (st.mode & S_IFMT) !== S_IFDIR) {
        throw new Error(`WASI preopen '${p.guest}': IMFS directory '${p.dir}' cannot be opened (${r < 0 ? `errno ${-r}` : 'not a directory'})`);
      }
    }
  }

  /** wasi:filesystem/preopens get-directories: a new descriptor for each preopen, in order. */
  getDirectories(): [Descriptor, string][] {
    const { fs, cage, classes } = this.host;
    const out: [Descriptor, string][] = [];
    for (const p of this.preopens) {
      const fd = fs.open(cage, p.dir, O_RDONLY | O_DIRECTORY);
      if (fd < 0) {
        this.host.warn(`cage ${cage}: preopen '${p.guest}' (IMFS '${p.dir}') cannot be opened (errno ${-fd}); left out`);
        continue;
      }
      out.push([new classes.Descriptor(this.host, fd, true), p.guest]);
    }
    return out;
  }

  /** The import object: one entry per interface of the table, under its unversioned name. */
  imports(): P2ImportObject {
    const trace = this.options.trace;
    const prefix = `[cage ${this.host.cage}]`;
    const out: P2ImportObject = {};
    for (const iface of P2_INTERFACES) {
      const entry: Record<string, unknown> = {};
      const functions: [string, (...a: never[]) => unknown][] = Object.entries(iface.functions)
        .map(([wit, fn]) => [wit, (...a: never[]) => fn(this.host, ...a)]);
      if (iface.name === 'wasi:filesystem/preopens') functions.push(['get-directories', () => this.getDirectories()]);
      for (const [wit, fn] of functions) {
        entry[camel(wit)] = trace === undefined ? fn : tracedFunction(trace, `${prefix} ${iface.name} ${wit}`, fn);
      }
      for (const [wit, res] of Object.entries(iface.resources)) entry[pascal(wit)] = this.host.classes[res.cls];
      out[iface.name] = entry;
    }
    return out;
  }
}
