/**
 * The wasi:*@0.3 interfaces this host serves, as data (as src/abi/wasip2/table.ts for 0.2):
 * per interface, its free functions (WIT name → implementation taking the host first) and
 * its resources (WIT name → class). Only what is new or different in 0.3 is here: jco's
 * glue looks both versions up in one object per unversioned interface name, so members 0.3
 * shares with 0.2 by name and shape (exit, get-arguments, terminal-*, random) are the 0.2
 * table's, and a 0.3 interface serves the 0.2 one's members too.
 */
import * as cr from '../wasip2/clocks-random.js';
import * as p2cli from '../wasip2/cli.js';
import type { P2Host } from '../wasip2/host.js';
import * as cli from './cli.js';
import * as clocks from './clocks.js';
import { Descriptor } from './descriptor.js';

export type P3Function = (host: P2Host, ...args: never[]) => unknown;

export interface P3Interface {
  /** Unversioned, as the glue keys its imports. */
  name: string;
  functions: Readonly<Record<string, P3Function>>;
  resources: Readonly<Record<string, new (...a: never[]) => unknown>>;
}

const noHost = <A extends unknown[], R>(f: (...a: A) => R): P3Function => (_h: P2Host, ...a: never[]) => f(...(a as unknown as A));

/** Served by the 0.2 table's members of the same name and shape. */
const SAME_AS_0_2 = [
  'wasi:cli/exit', 'wasi:cli/terminal-input', 'wasi:cli/terminal-output', 'wasi:cli/terminal-stdin',
  'wasi:cli/terminal-stdout', 'wasi:cli/terminal-stderr', 'wasi:random/random', 'wasi:random/insecure',
];

const seeds = new WeakMap<P2Host, [bigint, bigint]>();

/** 0.3's get-insecure-seed: one seed per run, the same on every call (upstream's random test checks it). */
function insecureSeed(host: P2Host): [bigint, bigint] {
  let seed = seeds.get(host);
  if (seed === undefined) seeds.set(host, seed = cr.insecureSeed());
  return seed;
}

export const P3_INTERFACES: readonly P3Interface[] = [
  ...SAME_AS_0_2.map((name) => ({ name, functions: {}, resources: {} })),
  // get-environment and get-arguments as in 0.2; initial-cwd renamed.
  { name: 'wasi:cli/environment', resources: {}, functions: { 'get-initial-cwd': p2cli.initialCwd } },
  // Types only (error-code).
  { name: 'wasi:cli/types', resources: {}, functions: {} },
  { name: 'wasi:cli/stdin', resources: {}, functions: { 'read-via-stream': cli.readViaStream } },
  { name: 'wasi:cli/stdout', resources: {}, functions: { 'write-via-stream': cli.writeStdout } },
  { name: 'wasi:cli/stderr', resources: {}, functions: { 'write-via-stream': cli.writeStderr } },
  // Types only (duration).
  { name: 'wasi:clocks/types', resources: {}, functions: {} },
  // now as in 0.2.
  { name: 'wasi:clocks/monotonic-clock', resources: {}, functions: {
    'get-resolution': noHost(clocks.monotonicResolution), 'wait-until': noHost(clocks.waitUntil), 'wait-for': noHost(clocks.waitFor) } },
  { name: 'wasi:clocks/system-clock', resources: {}, functions: {
    now: noHost(clocks.systemNow), 'get-resolution': noHost(clocks.systemResolution) } },
  // get-directories is filled in by the ABI (it holds the preopen list).
  { name: 'wasi:filesystem/preopens', resources: {}, functions: {} },
  { name: 'wasi:filesystem/types', functions: {}, resources: { descriptor: Descriptor } },
  { name: 'wasi:random/insecure-seed', resources: {}, functions: { 'get-insecure-seed': insecureSeed } },
];

/** Interface names (unversioned) served at 0.3. */
export const P3_PROVIDED: ReadonlySet<string> = new Set(P3_INTERFACES.map((i) => i.name));
