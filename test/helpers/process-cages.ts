/**
 * The process fixtures (wasm-fixtures/processes/) as the process and thread tests run them:
 * staged executable in /procs of the IMFS (the first cage's working directory, as the native
 * twins run in a directory holding them all), through the API or the built command.
 */
import { spawnSync } from 'node:child_process';
import { expect } from 'vitest';
import { Grate } from '../../src/grate/index.js';
import { loadFile } from '../../src/core/index.js';
import { fixture } from './fixture-cages.js';
import { PROCESS_PROGRAMS } from './native-twin.js';

export const PROCS_DIR = '/procs';

/** A grate whose IMFS holds every process program, mode 0755, in /procs. */
export function stagedGrate(options: ConstructorParameters<typeof Grate>[0] = {}): Grate {
  const g = new Grate(options);
  for (const name of PROCESS_PROGRAMS) {
    loadFile(g.fs, `${PROCS_DIR}/${name}`, fixture(`processes/${name}`));
    expect(g.fs.chmod(0, `${PROCS_DIR}/${name}`, 0o755)).toBe(0);
  }
  return g;
}

/**
 * Runs `command [options] <program> args` (command: the bundle buildCommand made) with every
 * process program preloaded into /procs, the working directory; killed after timeoutMs.
 */
export function runProcsCommand(command: string, program: string, options: string[], args: string[], timeoutMs = 60_000) {
  const preloads = PROCESS_PROGRAMS.flatMap((n) => ['--preload', `${PROCS_DIR}/${n}=${fixture(`processes/${n}`)}`]);
  const r = spawnSync(process.execPath, [command, ...preloads, '--cwd', PROCS_DIR, ...options, fixture(`processes/${program}`), ...args], {
    env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, killSignal: 'SIGKILL',
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout.toString('latin1'), stderr: r.stderr.toString() };
}
