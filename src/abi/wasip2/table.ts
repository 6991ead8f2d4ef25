/**
 * The wasi:* interfaces this host serves, as data: per interface, its free functions (WIT
 * name → implementation) and its resources (WIT name → class and WIT method names). The
 * import object, the --log wrappers and the tests that check nothing is missing are all
 * read from here; a JS name is the WIT name in camelCase (PascalCase for a resource).
 */
import * as cli from './cli.js';
import * as cr from './clocks-random.js';
import { filesystemErrorCode } from './io-error.js';
import { poll } from './poll.js';
import type { P2Classes, P2Host } from './host.js';

/** A free function: the host first, then the arguments jco's glue lifted. */
export type P2Function = (host: P2Host, ...args: never[]) => unknown;

export interface P2Resource {
  /** The class in P2Classes. */
  cls: keyof P2Classes;
  /** WIT method names (methods of the class, in camelCase). */
  methods: readonly string[];
}

export interface P2Interface {
  /** The unversioned name, as jco's glue keys its imports: "wasi:filesystem/types". */
  name: string;
  functions: Readonly<Record<string, P2Function>>;
  resources: Readonly<Record<string, P2Resource>>;
}

const words = (s: string) => s.split(/\s+/).filter((w) => w !== '');
const noHost = <A extends unknown[], R>(f: (...a: A) => R): P2Function => (_h: P2Host, ...a: never[]) => f(...(a as unknown as A));

export const P2_INTERFACES: readonly P2Interface[] = [
  { name: 'wasi:cli/environment', resources: {}, functions: {
    'get-environment': cli.getEnvironment, 'get-arguments': cli.getArguments, 'initial-cwd': cli.initialCwd } },
  { name: 'wasi:cli/exit', resources: {}, functions: { exit: noHost(cli.exit), 'exit-with-code': noHost(cli.exitWithCode) } },
  { name: 'wasi:cli/stdin', resources: {}, functions: { 'get-stdin': cli.getStdin } },
  { name: 'wasi:cli/stdout', resources: {}, functions: { 'get-stdout': cli.getStdout } },
  { name: 'wasi:cli/stderr', resources: {}, functions: { 'get-stderr': cli.getStderr } },
  { name: 'wasi:cli/terminal-input', functions: {}, resources: { 'terminal-input': { cls: 'TerminalInput', methods: [] } } },
  { name: 'wasi:cli/terminal-output', functions: {}, resources: { 'terminal-output': { cls: 'TerminalOutput', methods: [] } } },
  { name: 'wasi:cli/terminal-stdin', resources: {}, functions: { 'get-terminal-stdin': cli.getTerminalStdin } },
  { name: 'wasi:cli/terminal-stdout', resources: {}, functions: { 'get-terminal-stdout': cli.getTerminalStdout } },
  { name: 'wasi:cli/terminal-stderr', resources: {}, functions: { 'get-terminal-stderr': cli.getTerminalStderr } },
  { name: 'wasi:clocks/monotonic-clock', resources: {}, functions: {
    now: noHost(cr.monotonicNow), resolution: noHost(cr.monotonicResolution),
    'subscribe-instant': cr.subscribeInstant, 'subscribe-duration': cr.subscribeDuration } },
  { name: 'wasi:clocks/wall-clock', resources: {}, functions: { now: noHost(cr.wallNow), resolution: noHost(cr.wallResolution) } },
  // get-directories is filled in by the ABI (it holds the preopen list).
  { name: 'wasi:filesystem/preopens', resources: {}, functions: {} },
  { name: 'wasi:filesystem/types', functions: { 'filesystem-error-code': noHost(filesystemErrorCode) }, resources: {
    descriptor: { cls: 'Descriptor', methods: words(`
      read-via-stream write-via-stream append-via-stream advise sync-data get-flags get-type set-size set-times
      read write read-directory sync create-directory-at stat stat-at set-times-at link-at open-at readlink-at
      remove-directory-at rename-at symlink-at unlink-file-at is-same-object metadata-hash metadata-hash-at`) },
    'directory-entry-stream': { cls: 'DirectoryEntryStream', methods: ['read-directory-entry'] },
  } },
  { name: 'wasi:io/error', functions: {}, resources: { error: { cls: 'IoError', methods: ['to-debug-string'] } } },
  { name: 'wasi:io/poll', functions: { poll: noHost(poll) }, resources: { pollable: { cls: 'Pollable', methods: ['ready', 'block'] } } },
  { name: 'wasi:io/streams', functions: {}, resources: {
    'input-stream': { cls: 'InputStream', methods: words('read blocking-read skip blocking-skip subscribe') },
    'output-stream': { cls: 'OutputStream', methods: words(`check-write write blocking-write-and-flush flush blocking-flush
      subscribe write-zeroes blocking-write-zeroes-and-flush splice blocking-splice`) },
  } },
  { name: 'wasi:random/random', resources: {}, functions: {
    'get-random-bytes': noHost(cr.getRandomBytes), 'get-random-u64': noHost(cr.getRandomU64) } },
  { name: 'wasi:random/insecure', resources: {}, functions: {
    'get-insecure-random-bytes': noHost(cr.getRandomBytes), 'get-insecure-random-u64': noHost(cr.getRandomU64) } },
  { name: 'wasi:random/insecure-seed', resources: {}, functions: { 'insecure-seed': noHost(cr.insecureSeed) } },
];

/** "open-at" → "openAt". */
export function camel(wit: string): string {
  return wit.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

/** "directory-entry-stream" → "DirectoryEntryStream". */
export function pascal(wit: string): string {
  const c = camel(wit);
  return c.charAt(0).toUpperCase() + c.slice(1);
}
