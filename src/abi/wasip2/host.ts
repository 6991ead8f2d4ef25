/**
 * What every wasi:* object of one component shares: the IMFS, the cage the component runs
 * as, its arguments and environment, and the resource classes the import object hands to
 * jco's glue (the glue checks `own<>` results with instanceof against exactly those, so
 * everything we create is made through `classes`, which are traced subclasses when --log is on).
 */
import type { Imfs } from '../../core/index.js';
import type { Descriptor, DirectoryEntryStream } from './descriptor.js';
import type { InputStream, OutputStream } from './streams.js';
import type { Pollable } from './poll.js';
import type { IoError } from './io-error.js';
import type { TerminalInput, TerminalOutput } from './cli.js';

export interface P2Classes {
  Descriptor: typeof Descriptor;
  DirectoryEntryStream: typeof DirectoryEntryStream;
  InputStream: typeof InputStream;
  OutputStream: typeof OutputStream;
  Pollable: typeof Pollable;
  IoError: typeof IoError;
  TerminalInput: typeof TerminalInput;
  TerminalOutput: typeof TerminalOutput;
}

export interface P2Preopen {
  /** The name the component sees (get-directories). */
  guest: string;
  /** The IMFS directory behind it. */
  dir: string;
}

export interface P2Options {
  fs: Imfs;
  /** The cage the component runs as: it must exist, with descriptors 0–2 as its stdio. */
  cageId: number;
  /** argv, argv[0] first, as wasi:cli/environment get-arguments returns it. */
  args: readonly string[];
  /** "K=V" strings. */
  env: readonly string[];
  /** Default: [{ guest: '/', dir: '/' }]; [] for none. */
  preopens?: readonly P2Preopen[];
  /** wasi:cli/environment initial-cwd (default: none, as wasmtime answers). */
  initialCwd?: string;
  /** Where the grate's warnings go (default: stderr). */
  warn?: (message: string) => void;
}

export class P2Host {
  readonly fs: Imfs;
  readonly cage: number;
  constructor(readonly options: P2Options, readonly classes: P2Classes) {
    this.fs = options.fs;
    this.cage = options.cageId;
  }

  warn(message: string): void {
    (this.options.warn ?? ((s: string) => process.stderr.write(`imfs-grate: ${s}\n`)))(message);
  }
}
