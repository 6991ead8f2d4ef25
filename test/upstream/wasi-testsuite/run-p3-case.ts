/**
 * One wasm32-wasip3 case through the `imfs-grate` command (run-case.ts's command line:
 * root staged into the IMFS and preopened as "/", env, args), with its stdin payload, then
 * its exit code and the reads it expects from stdout and stderr checked.
 */
import { spawn } from 'node:child_process';
import { grateArgs } from './run-case.js';
import type { P3Case } from './p3-cases.js';

export interface P3Result { passed: boolean; failures: string[]; status: number | string; stdout: string; stderr: string }

const TIMEOUT_MS = 60_000;

export function runP3Case(grate: string, c: P3Case, env: Record<string, string> = {}): Promise<P3Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [grate, ...grateArgs(c)], { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '', ...env } });
    const out: Buffer[] = [], err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => { /* a cage that exits without reading stdin */ });
    child.stdin.end(c.stdin);
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString(), stderr = Buffer.concat(err).toString();
      const status = code ?? (signal === 'SIGKILL' ? `killed after ${TIMEOUT_MS / 1000} s` : `signal ${signal}`);
      const failures: string[] = [];
      if (status !== c.exitCode) failures.push(`exit code: expected ${c.exitCode}, got ${status}`);
      if (c.stdout !== null && !stdout.startsWith(c.stdout)) failures.push(`stdout: expected it to start with ${JSON.stringify(c.stdout)}`);
      for (const [id, text] of [['stdout', stdout], ['stderr', stderr]] as const) {
        const want = c.reads[id].join('');
        if (want !== '' && !text.includes(want)) failures.push(`${id}: expected ${JSON.stringify(want)}, got ${JSON.stringify(text.slice(0, 200))}`);
      }
      if (failures.length > 0 && stderr !== '') failures.push(`stderr: ${stderr.trimEnd().slice(-2000)}`);
      resolve({ passed: failures.length === 0, failures, status, stdout, stderr });
    });
  });
}
