/**
 * One wasm32-wasip3 case through the `imfs-grate` command (run-case.ts's command line:
 * root staged into the IMFS and preopened as "/", env, args), its steps played in order —
 * each read waits (up to the timeout) for its payload to appear on stdout or stderr after the
 * previous read there, each write goes to stdin once the reads before it were seen — then
 * stdin closed and the exit code checked.
 */
import { spawn } from 'node:child_process';
import { grateArgs } from './run-case.js';
import type { P3Case } from './p3-cases.js';

export interface P3Result { passed: boolean; failures: string[]; status: number | string; stdout: string; stderr: string }

const TIMEOUT_MS = 60_000;

export function runP3Case(grate: string, c: P3Case, env: Record<string, string> = {}): Promise<P3Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [grate, ...grateArgs(c)], { stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '', ...env } });
    const text = { stdout: '', stderr: '' };
    const seen = { stdout: 0, stderr: 0 };
    const failures: string[] = [];
    let step = 0;
    // Plays the steps as far as the output allows; closes stdin after the last.
    const advance = () => {
      while (step < c.steps.length) {
        const s = c.steps[step];
        if (s.op === 'write') {
          child.stdin.write(s.payload);
        } else {
          const id = s.id as 'stdout' | 'stderr';
          const at = text[id].indexOf(s.payload, seen[id]);
          if (at < 0) return;
          seen[id] = at + s.payload.length;
        }
        step++;
      }
      if (!child.stdin.writableEnded) child.stdin.end();
    };
    child.stdout.on('data', (b: Buffer) => { text.stdout += b.toString(); advance(); });
    child.stderr.on('data', (b: Buffer) => { text.stderr += b.toString(); advance(); });
    child.stdin.on('error', () => { /* a cage that exits without reading stdin */ });
    advance();
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const status = code ?? (signal === 'SIGKILL' ? `killed after ${TIMEOUT_MS / 1000} s` : `signal ${signal}`);
      if (step < c.steps.length) {
        const s = c.steps[step];
        failures.push(`step ${step + 1} (${s.op} ${s.id} ${JSON.stringify(s.payload)}) never happened: ${s.id} was ${JSON.stringify(text[s.id as 'stdout' | 'stderr']?.slice(0, 200))}`);
      }
      if (status !== c.exitCode) failures.push(`exit code: expected ${c.exitCode}, got ${status}`);
      if (c.stdout !== null && !text.stdout.startsWith(c.stdout)) failures.push(`stdout: expected it to start with ${JSON.stringify(c.stdout)}`);
      if (failures.length > 0 && text.stderr !== '') failures.push(`stderr: ${text.stderr.trimEnd().slice(-2000)}`);
      resolve({ passed: failures.length === 0, failures, status, stdout: text.stdout, stderr: text.stderr });
    });
  });
}
