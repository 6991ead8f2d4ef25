/**
 * Running the self-checking fixture cages of wasm-fixtures/ under the grate: each prints one
 * "FAIL ..." line per failed check and ends with "N passed, M failed" and status M
 * (wasm-fixtures/README.md).
 */
import { expect } from 'vitest';
import * as path from 'node:path';
import { Grate } from '../../src/grate/index.js';

export const fixturesDir = path.resolve(__dirname, '../../wasm-fixtures');

/** The committed .wasm of a fixture, by its path under wasm-fixtures/ without the extension. */
export const fixture = (name: string) => path.join(fixturesDir, `${name}.wasm`);

export interface FixtureRun {
  status: number;
  stdout: string;
  stderr: string;
  grate: Grate;
}

/** Runs a fixture to its end, collecting stdout (as latin1, byte for byte) and stderr. */
export function runFixture(name: string, options: Parameters<Grate['runSync']>[1] = {}, grate = new Grate()): FixtureRun {
  const out: Buffer[] = [], err: Buffer[] = [];
  const status = grate.runSync(fixture(name), {
    stdout: (b) => out.push(Buffer.from(b)), stderr: (b) => err.push(Buffer.from(b)), ...options,
  });
  return { status, stdout: Buffer.concat(out).toString('latin1'), stderr: Buffer.concat(err).toString(), grate };
}

/** The fixture's closing line, and the failures it printed before it (shown when a test fails). */
function verdict(stdout: string): { summary: string; failures: string[] } {
  const lines = stdout.split('\n').filter((l) => l.length > 0);
  return { summary: lines.at(-1) ?? '', failures: lines.filter((l) => l.startsWith('FAIL')) };
}

/** No check failed, more than ten passed, and the cage ended with `status`. */
export function expectClean(r: { status: number; stdout: string; stderr: string }, status = 0) {
  const v = verdict(r.stdout);
  expect(v.failures, r.stdout + r.stderr).toEqual([]);
  expect(v.summary).toMatch(/^\d+ passed, 0 failed$/);
  expect(Number(/^(\d+)/.exec(v.summary)![1])).toBeGreaterThan(10);
  expect(r.status).toBe(status);
}
