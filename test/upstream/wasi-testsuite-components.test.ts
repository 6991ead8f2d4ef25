/**
 * The upstream wasi-testsuite's wasm32-wasip1 tests adapted into WASI 0.2 components (jco's
 * preview1 command adapter) and run through `imfs-grate`, wasi:* served by the IMFS: every
 * test passes as it does as a core module, except those the adapter itself makes impossible
 * (ADAPTER_EXCEPTIONS, each with its reason), which must still fail, so that the list stays
 * true. A missing suite is skipped as in wasi-testsuite.test.ts.
 */
import { describe, expect, test } from 'vitest';
import * as nodepath from 'node:path';
import { listCases, locateWasiTestsuite } from './wasi-testsuite/cases.js';
import { runCase } from './wasi-testsuite/run-case.js';
import { ADAPTER_EXCEPTIONS, adaptCases } from './wasi-testsuite/adapt-cases.js';
import { missingSuiteFails, repoRoot } from './suites.js';

const located = locateWasiTestsuite();
const grate = nodepath.join(repoRoot(), 'dist', 'imfs-grate.cjs');
const build = nodepath.join(repoRoot(), 'build', 'wasi-testsuite-components');

if (!located.found) {
  test.skipIf(!missingSuiteFails())('wasi-testsuite is present', () => {
    expect.fail(located.message);
  });
} else {
  const listed = listCases(located.root);
  const { adapted, refused } = await adaptCases(listed, build);
  describe.concurrent('wasi-testsuite wasm32-wasip1 as components', () => {
    test('every exception is a test of the suite', () => {
      for (const name of Object.keys(ADAPTER_EXCEPTIONS)) expect(listed.map((c) => c.name)).toContain(name);
    });
    for (const { testCase, reason } of refused) {
      test(`${testCase.suite}: ${testCase.name} (refused by componentNew)`, () => {
        expect(ADAPTER_EXCEPTIONS[testCase.name], `componentNew refused it: ${reason}`).toMatch(/componentNew refuses/);
      });
    }
    for (const c of adapted) {
      test(`${c.suite}: ${c.name}`, async () => {
        const r = await runCase(grate, c, { XDG_CACHE_HOME: nodepath.join(build, 'cache') });
        if (ADAPTER_EXCEPTIONS[c.name] !== undefined) expect(r.passed, `expected to fail: ${ADAPTER_EXCEPTIONS[c.name]}`).toBe(false);
        else expect(r.failures).toEqual([]);
      });
    }
  });
}
