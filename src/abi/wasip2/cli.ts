/**
 * wasi:cli: environment, exit, stdin/stdout/stderr and terminal-*. The stdio streams read
 * and write the cage's descriptors 0–2 (which the grate points at the host's stdio, or at
 * bytes and callbacks), hold no reference to them, and so never close them.
 */
import { CageExit } from '../exit.js';
import type { P2Host } from './host.js';
import type { InputStream, OutputStream } from './streams.js';

export class TerminalInput {}
export class TerminalOutput {}

export function getArguments(host: P2Host): string[] {
  return [...host.options.args];
}

export function getEnvironment(host: P2Host): [string, string][] {
  return host.options.env.map((kv) => {
    const at = kv.indexOf('=');
    return at < 0 ? [kv, ''] : [kv.slice(0, at), kv.slice(at + 1)];
  });
}

export function initialCwd(host: P2Host): string | undefined {
  return host.options.initialCwd;
}

/** wasi:cli/exit exit: leaves the component by a CageExit (status 0 for ok, 1 for err, as wasmtime). */
export function exit(status: { tag: 'ok' | 'err' }): never {
  throw new CageExit(status.tag === 'ok' ? 0 : 1);
}

export function exitWithCode(code: number): never {
  throw new CageExit(code & 0xff);
}

export function getStdin(host: P2Host): InputStream {
  return new host.classes.InputStream(host, 0, 'sequential', 0, null);
}

export function getStdout(host: P2Host): OutputStream {
  return new host.classes.OutputStream(host, 1, 'sequential', 0, null);
}

export function getStderr(host: P2Host): OutputStream {
  return new host.classes.OutputStream(host, 2, 'sequential', 0, null);
}

/** The terminal behind stdio descriptor fd, or undefined when it is not a terminal. */
function terminal<T>(host: P2Host, fd: number, cls: new () => T): T | undefined {
  return host.fs.isatty(host.cage, fd) === 1 ? new cls() : undefined;
}

export const getTerminalStdin = (host: P2Host) => terminal(host, 0, host.classes.TerminalInput);
export const getTerminalStdout = (host: P2Host) => terminal(host, 1, host.classes.TerminalOutput);
export const getTerminalStderr = (host: P2Host) => terminal(host, 2, host.classes.TerminalOutput);
