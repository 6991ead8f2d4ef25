/**
 * The upstream wasi-testsuite's wasm32-wasip3 tests (WASI 0.3 components: filesystem, cli,
 * clocks, random; the archive holds no sockets or http ones) through `imfs-grate`, wasi:*
 * served by src/abi/wasip3 on the IMFS. Under a Node with JSPI every test passes, except any in
 * P3_EXCEPTIONS (each with its reason), which must still fail, so that the list stays true.
 * Under a Node without JSPI every test must be refused clearly (status 2, naming Node's
 * version and the line needed): none of them is run there, and the test names say so.
 * A missing suite is skipped as in wasi-testsuite.test.ts.
 */
import { describe, expect, test } from 'vitest';
import * as nodefs from 'node:fs';
import * as nodepath from 'node:path';
import { locateWasiTestsuite } from './wasi-testsuite/cases.js';
import { listP3Cases } from './wasi-testsuite/p3-cases.js';
import { runP3Case } from './wasi-testsuite/run-p3-case.js';
import { missingSuiteFails, repoRoot } from './suites.js';

const located = locateWasiTestsuite();
const grate = nodepath.join(repoRoot(), 'dist', 'imfs-grate.cjs');
const cache = nodepath.join(repoRoot(), 'build', 'wasi-testsuite-p3', 'cache');
const jspi = typeof (WebAssembly as unknown as Record<string, unknown>).Suspending === 'function';

/** Tests that fail, each with its reason (none at the moment: the list is kept, and checked, for when one does). */
const P3_EXCEPTIONS: Readonly<Record<string, string>> = {};

if (!located.found) {
  process.stderr.write(`\n*** ${located.message}\n\n`);
  test.skipIf(!missingSuiteFails())('wasi-testsuite is present', () => {
    expect.fail(located.message);
  });
} else {
  const cases = listP3Cases(located.root);
  const env = { XDG_CACHE_HOME: cache };
  describe.concurrent(`wasi-testsuite wasm32-wasip3 (${jspi ? 'run' : 'refused: no JSPI'} on Node ${process.version})`, () => {
    test('the suite holds its 25 tests, every exception is one of them, and the grate is built', () => {
      if (process.env.WASI_TESTSUITE_DIR) expect(cases.length).toBeGreaterThan(0);
      else expect(cases.length).toBe(25);
      for (const name of Object.keys(P3_EXCEPTIONS)) expect(cases.map((c) => c.name)).toContain(name);
      expect(nodefs.existsSync(grate), `${grate} (run make imfs)`).toBe(true);
    });
    for (const c of cases) {
      if (jspi) {
        test(`${c.suite}: ${c.name}`, async () => {
          const r = await runP3Case(grate, c, env);
          if (P3_EXCEPTIONS[c.name] !== undefined) expect(r.passed, `expected to fail: ${P3_EXCEPTIONS[c.name]}`).toBe(false);
          else expect(r.failures).toEqual([]);
        });
      } else {
        test(`${c.suite}: ${c.name} NOT RUN: refused, as this Node has no JSPI`, async () => {
          const r = await runP3Case(grate, c, env);
          expect(r.status).toBe(2);
          expect(r.stdout).toBe('');
          expect(r.stderr).toContain(`component '${c.name}.wasm' uses WASI 0.3 (`);
          expect(r.stderr).toContain(`needs JSPI (WebAssembly.Suspending), which Node ${process.version} lacks; run it with Node 24 or later`);
        });
      }
    }
  });
}
