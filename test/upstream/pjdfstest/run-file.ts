/**
 * Runs one pjdfstest .t file in bash against a fresh fsop server (client.bash starts it)
 * and gives back everything the run left: TAP on stdout, the shell's stderr, the trace of
 * assertion requests, the server's stderr, and how bash ended.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Farm } from './farm.js';

export interface RunOptions {
  /** The server command line (run by bash). */
  server: string;
  /** client.bash. */
  client: string;
  /** Seconds to wait for one response before the server counts as stuck. */
  requestTimeoutSec: number;
  /** Milliseconds before the whole file is killed. */
  fileTimeoutMs: number;
}

export interface RawRun {
  /** `feature/NN.t`. */
  file: string;
  stdout: string;
  stderr: string;
  trace: string;
  serverLog: string;
  /** bash's exit status, or null if it was killed. */
  status: number | null;
  /** Set when the file ran past fileTimeoutMs and was killed. */
  timedOut: boolean;
  ms: number;
}

export async function runFile(file: string, farm: Farm, o: RunOptions): Promise<RawRun> {
  const scratch = mkdtempSync(join(tmpdir(), 'pjdfstest-run-'));
  const trace = join(scratch, 'trace'), serverLog = join(scratch, 'server-log');
  const started = Date.now();
  try {
    // An empty directory is the shell's working directory: client.bash moves any file a
    // redirection makes there into the server.
    const cwd = join(scratch, 'cwd');
    mkdirSync(cwd);
    const child = spawn('bash', [farm.path(file)], {
      cwd,
      detached: true, // its own process group, so that a timeout kills the server too
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env, LC_ALL: 'C', BASH_ENV: o.client, FSOP_SERVER: o.server, FSOP_LOG: serverLog,
        FSOP_TRACE: trace, FSOP_TIMEOUT: String(o.requestTimeoutSec),
      },
    });
    let stdout = '', stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    const killGroup = (signal: NodeJS.Signals) => {
      try { process.kill(-child.pid!, signal); } catch { /* already gone */ }
    };
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; killGroup('SIGKILL'); }, o.fileTimeoutMs);
    const status = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => resolve(code));
    }).finally(() => clearTimeout(timer));
    // The server ends at end of input, when bash has gone; one that does not is stopped.
    killGroup('SIGTERM');
    const read = (p: string) => { try { return readFileSync(p, 'utf8'); } catch { return ''; } };
    return { file, stdout, stderr, trace: read(trace), serverLog: read(serverLog), status, timedOut, ms: Date.now() - started };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
