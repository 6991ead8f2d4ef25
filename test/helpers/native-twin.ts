/**
 * The native twins of the process fixtures (wasm-fixtures/processes/*.c): the same C programs
 * built for the host with its C compiler and run against the real Linux kernel, so that a test
 * can compare a cage's stdout under the grate with what Linux prints. The programs print only
 * deterministic lines (no pids, no times), so the two outputs must be equal byte for byte where
 * the behaviour is POSIX.
 *
 * No host compiler is said loudly and counts as skipped — except under CI=true, where it fails
 * the run (as test/upstream/suites.ts does for a missing suite).
 */
import { spawnSync } from 'node:child_process';
import * as nodefs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fixturesDir } from './fixture-cages.js';

/** The programs of wasm-fixtures/processes/, each also an exec target of the others. */
export const PROCESS_PROGRAMS = ['proctest', 'echo-args', 'upcase', 'threads'] as const;

/** The compilers tried, in order: $CC, then these. */
const COMPILERS = ['gcc', 'cc', 'clang-19', 'clang'];

export type NativeBuild = { found: true; dir: string; compiler: string } | { found: false; message: string };

export interface NativeRun {
  /** The exit code, or null if a signal ended it. */
  status: number | null;
  /** The signal that ended it (e.g. "SIGTERM"), or null. */
  signal: string | null;
  /** stdout as latin1 (byte for byte), as runFixture collects a cage's. */
  stdout: string;
  stderr: string;
}

/** Whether a missing host compiler must fail the run rather than skip. */
export function missingCompilerFails(): boolean {
  return process.env.CI === 'true';
}

function findCompiler(): string | null {
  const candidates = process.env.CC ? [process.env.CC, ...COMPILERS] : COMPILERS;
  for (const cc of candidates) {
    const r = spawnSync(cc, ['--version'], { stdio: 'ignore' });
    if (r.status === 0) return cc;
  }
  return null;
}

let built: NativeBuild | undefined;

/**
 * Builds the native twins once per test process into a temporary directory (removed at exit).
 * A failed compile throws (the sources are broken: that is a failure, not a skip).
 */
export function nativeTwins(): NativeBuild {
  if (built) return built;
  const compiler = findCompiler();
  if (compiler === null) {
    built = {
      found: false,
      message: `NO HOST C COMPILER (tried ${process.env.CC ? `$CC=${process.env.CC}, ` : ''}${COMPILERS.join(', ')}): ` +
        'the native twins of wasm-fixtures/processes/ cannot be built, so the cages are NOT compared with Linux. ' +
        'Install gcc (apt-get install gcc) or set CC. Those comparisons are SKIPPED' +
        (missingCompilerFails() ? ' — and under CI=true that fails the run.' : '.'),
    };
    return built;
  }
  const dir = nodefs.mkdtempSync(path.join(os.tmpdir(), 'imfs-native-twins-'));
  process.on('exit', () => nodefs.rmSync(dir, { recursive: true, force: true }));
  for (const name of PROCESS_PROGRAMS) {
    const src = path.join(fixturesDir, 'processes', `${name}.c`);
    // -pthread for threads.c (the cages get it from lind_compile's flags); harmless for the others.
    const r = spawnSync(compiler, ['-O2', '-pthread', '-Wall', '-Wextra', '-Werror', '-o', path.join(dir, name), src], { encoding: 'utf8' });
    if (r.status !== 0) {
      throw new Error(`building the native twin of ${src} with ${compiler} failed (status ${r.status}):\n${r.stderr}${r.error ?? ''}`);
    }
  }
  built = { found: true, dir, compiler };
  return built;
}

/**
 * Runs `proctest ARGS...` (or another program of PROCESS_PROGRAMS) natively, in a fresh
 * working directory holding all three programs, with an empty environment, as the cage runs
 * in /procs of the IMFS. Throws if there is no host compiler (check nativeTwins() first).
 */
export function runNative(args: readonly string[], options: { program?: string; timeoutMs?: number } = {}): NativeRun {
  const b = nativeTwins();
  if (!b.found) throw new Error(b.message);
  const work = nodefs.mkdtempSync(path.join(b.dir, 'run-'));
  try {
    for (const name of PROCESS_PROGRAMS) {
      nodefs.copyFileSync(path.join(b.dir, name), path.join(work, name));
      nodefs.chmodSync(path.join(work, name), 0o755);
    }
    const r = spawnSync(path.join(work, options.program ?? 'proctest'), [...args], {
      cwd: work, env: {}, stdio: ['ignore', 'pipe', 'pipe'], timeout: options.timeoutMs ?? 60_000, killSignal: 'SIGKILL',
    });
    if (r.error) throw new Error(`running the native twin ${options.program ?? 'proctest'} ${args.join(' ')}: ${r.error.message}`);
    return { status: r.status, signal: r.signal, stdout: r.stdout.toString('latin1'), stderr: r.stderr.toString() };
  } finally {
    nodefs.rmSync(work, { recursive: true, force: true });
  }
}
