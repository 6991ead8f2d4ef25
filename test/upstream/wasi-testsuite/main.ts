/**
 * `make wasi-testsuite`: every wasm32-wasip1 test of the wasi-testsuite through the built
 * `imfs-grate` command, two at a time, one line per failure and a table per suite.
 * Exit status 0 when every test passes; 1 when one fails; a missing suite is said loudly
 * and skipped (status 0), except under CI=true (status 1).
 */
import * as nodepath from 'node:path';
import { listCases, locateWasiTestsuite } from './cases.js';
import { runCases } from './run-case.js';
import { adaptCases } from './adapt-cases.js';
import { missingSuiteFails, repoRoot } from '../suites.js';

async function main(): Promise<number> {
  const located = locateWasiTestsuite();
  if (!located.found) {
    process.stderr.write(`wasi-testsuite: ${located.message}\n`);
    return missingSuiteFails() ? 1 : 0;
  }
  const grate = nodepath.join(repoRoot(), 'dist', 'imfs-grate.cjs');
  // WASI_TESTSUITE_COMPONENTS=1: each test adapted into a WASI 0.2 component first.
  const components = process.env.WASI_TESTSUITE_COMPONENTS === '1';
  const listed = listCases(located.root);
  const adapting = components ? await adaptCases(listed, nodepath.join(repoRoot(), 'build', 'wasi-testsuite-components')) : null;
  const cases = adapting?.adapted ?? listed;
  const started = Date.now();
  const cacheEnv: Record<string, string> = components ? { XDG_CACHE_HOME: nodepath.join(repoRoot(), 'build', 'wasi-testsuite-components', 'cache') } : {};
  const results = await runCases(grate, cases, Number(process.env.JOBS) || 2, (r) => {
    if (!r.passed) process.stdout.write(`FAIL ${r.testCase.suite} ${r.testCase.name}\n  ${r.failures.join('\n  ')}\n`);
  }, cacheEnv);
  for (const { testCase, reason } of adapting?.refused ?? []) {
    process.stdout.write(`FAIL ${testCase.suite} ${testCase.name}\n  jco's componentNew refused to adapt it: ${reason}\n`);
    results.push({ testCase, passed: false, failures: [reason], ms: 0 });
  }
  const rows: string[][] = [['suite', 'tests', 'passed', 'failed']];
  for (const suite of [...new Set(listed.map((c) => c.suite))]) {
    const mine = results.filter((r) => r.testCase.suite === suite);
    const passed = mine.filter((r) => r.passed).length;
    rows.push([suite, String(mine.length), String(passed), String(mine.length - passed)]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) process.stdout.write(r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ') + '\n');
  const passed = results.filter((r) => r.passed).length;
  process.stdout.write(`wasi-testsuite (${located.root}${components ? ', as components' : ''}), ${((Date.now() - started) / 1000).toFixed(1)} s:\n${passed} passed, ${results.length - passed} failed\n`);
  return passed === results.length ? 0 : 1;
}

main().then((status) => process.exit(status), (e: unknown) => {
  process.stderr.write(`wasi-testsuite: ${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(2);
});
