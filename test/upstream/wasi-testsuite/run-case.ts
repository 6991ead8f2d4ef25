/**
 * One wasi-testsuite case through the `imfs-grate` command, as the suite's adapters drive
 * a runtime: a fresh process; the test's `root` staged into the IMFS and preopened as "/"
 * (the host directory itself is never touched), or no preopen at all; its env and args;
 * then its exit code and the start of its stdout compared with what the test expects.
 */
import { spawn } from 'node:child_process';
import type { TestCase } from './cases.js';

export interface CaseResult {
  testCase: TestCase;
  passed: boolean;
  /** Why it failed, each naming what was expected and what came. */
  failures: string[];
  ms: number;
}

/** Where a test's root is staged in the IMFS before it is preopened as "/". */
const ROOT_IN_IMFS = '/wasi-testsuite-root';
const TIMEOUT_MS = 60_000;

/** The command line for a case: after `node <grate>`. */
export function grateArgs(c: TestCase): string[] {
  const argv: string[] = [];
  for (const [k, v] of c.env) argv.push('--env', `${k}=${v}`);
  if (c.root === null) argv.push('--no-preopens');
  else argv.push('--preload', `${ROOT_IN_IMFS}=${c.root}`, '--dir', `/=${ROOT_IN_IMFS}`);
  argv.push('--', c.wasm, ...c.args);
  return argv;
}

/** `env`: more environment for the command (e.g. XDG_CACHE_HOME for components' transpilation cache). */
export function runCase(grate: string, c: TestCase, env: Record<string, string> = {}): Promise<CaseResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [grate, ...grateArgs(c)], { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '', ...env } });
    const out: Buffer[] = [], err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString(), stderr = Buffer.concat(err).toString();
      const failures: string[] = [];
      const status = code ?? (signal === 'SIGKILL' ? `killed after ${TIMEOUT_MS / 1000} s` : `signal ${signal}`);
      if (status !== c.exitCode) failures.push(`exit code: expected ${c.exitCode}, got ${status}`);
      if (c.stdout !== null && !stdout.startsWith(c.stdout)) failures.push(`stdout: expected it to start with ${JSON.stringify(c.stdout)}, got ${JSON.stringify(stdout.slice(0, 200))}`);
      if (failures.length > 0 && stderr !== '') failures.push(`stderr: ${stderr.trimEnd().slice(-2000)}`);
      resolve({ testCase: c, passed: failures.length === 0, failures, ms: Date.now() - started });
    });
  });
}

/** Runs `cases` with `jobs` at a time, in order of completion reported through `done`. */
export async function runCases(grate: string, cases: TestCase[], jobs: number, done?: (r: CaseResult) => void, env: Record<string, string> = {}): Promise<CaseResult[]> {
  const results: CaseResult[] = new Array(cases.length);
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const k = next++;
      results[k] = await runCase(grate, cases[k], env);
      done?.(results[k]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));
  return results;
}
