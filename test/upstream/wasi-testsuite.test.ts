/**
 * The upstream wasi-testsuite (wasm32-wasip1) through the `imfs-grate` command: every test
 * passes, each with what the suite expects (exit code, start of stdout). A missing suite
 * is skipped with a loud message, except under CI=true where that fails.
 */
import { describe, expect, test } from 'vitest';
import * as nodefs from 'node:fs';
import * as nodepath from 'node:path';
import { listCases, locateWasiTestsuite } from './wasi-testsuite/cases.js';
import { runCase } from './wasi-testsuite/run-case.js';
import { missingSuiteFails, repoRoot } from './suites.js';

const located = locateWasiTestsuite();
const grate = nodepath.join(repoRoot(), 'dist', 'imfs-grate.cjs');

if (!located.found) {
  process.stderr.write(`\n*** ${located.message}\n\n`);
  test.skipIf(!missingSuiteFails())('wasi-testsuite is present', () => {
    expect.fail(located.message);
  });
} else {
  const cases = listCases(located.root);
  describe.concurrent('wasi-testsuite wasm32-wasip1', () => {
    test('the suite holds its tests (72 at the pinned commit), and the grate is built', () => {
      if (process.env.WASI_TESTSUITE_DIR) expect(cases.length).toBeGreaterThan(0);
      else expect(cases.length).toBe(72);
      expect(nodefs.existsSync(grate), `${grate} (run make imfs)`).toBe(true);
    });
    for (const c of cases) {
      test(`${c.suite}: ${c.name}`, async () => {
        const r = await runCase(grate, c);
        expect(r.failures).toEqual([]);
      });
    }
  });
}
