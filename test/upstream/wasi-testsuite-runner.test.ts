/**
 * The wasi-testsuite runner itself, on a made-up suite: a test whose exit code or stdout
 * differs from its .json fails and says how; a test's root is staged and preopened as "/",
 * and a test without one runs with no preopen; a .json key the runner does not understand
 * is refused, not ignored.
 */
import { afterAll, describe, expect, test } from 'vitest';
import * as nodefs from 'node:fs';
import * as os from 'node:os';
import * as nodepath from 'node:path';
import { buildModule, op } from '../helpers/wasm-builder.js';
import { iovec } from '../helpers/script-cage.js';
import { imp } from '../helpers/hostile-cages.js';
import { listCases } from './wasi-testsuite/cases.js';
import { runCases } from './wasi-testsuite/run-case.js';
import { repoRoot } from './suites.js';

const grate = nodepath.join(repoRoot(), 'dist', 'imfs-grate.cjs');
const dir = nodefs.mkdtempSync(nodepath.join(os.tmpdir(), 'wasi-testsuite-runner-'));
afterAll(() => nodefs.rmSync(dir, { recursive: true, force: true }));

/** A cage that writes "hello" to stdout, then exits with the errno of fd_prestat_get(3) (0: a preopen is there). */
const HELLO_THEN_PRESTAT = buildModule({
  imports: [imp('fd_write'), imp('proc_exit'), { module: 'wasi_snapshot_preview1', name: 'fd_prestat_get', params: ['i32', 'i32'], results: ['i32'] }],
  memory: 1,
  data: [{ offset: 1024, bytes: iovec(2048, 5) }, { offset: 2048, bytes: [...Buffer.from('hello')] }],
  funcs: [{
    params: [], results: [], export: '_start',
    body: [
      ...[1, 1024, 1, 3000].flatMap(op.i32), ...op.call(0), ...op.drop,
      ...[3, 3008].flatMap(op.i32), ...op.call(2), ...op.call(1),
    ],
  }],
});

function suite(tests: Record<string, object | null>): string {
  const root = nodefs.mkdtempSync(nodepath.join(dir, 'suite-'));
  const at = nodepath.join(root, 'tests', 'made-up', 'wasm32-wasip1');
  nodefs.mkdirSync(nodepath.join(at, 'root.dir'), { recursive: true });
  nodefs.writeFileSync(nodepath.join(at, 'manifest.json'), JSON.stringify({ name: 'made up', version: 'wasm32-wasip1' }));
  for (const [name, config] of Object.entries(tests)) {
    nodefs.writeFileSync(nodepath.join(at, name + '.wasm'), HELLO_THEN_PRESTAT);
    if (config !== null) nodefs.writeFileSync(nodepath.join(at, name + '.json'), JSON.stringify(config));
  }
  return root;
}

describe('the wasi-testsuite runner', () => {
  test('passes what matches, fails what does not, naming the difference; roots are preopened, no root means no preopen', async () => {
    const BADF = 8;
    const root = suite({
      'with-root': { root: 'root.dir', stdout: 'hel' },
      'no-root': { exit_code: BADF },
      'no-json': null, // no root: prestat fails with BADF, but exit code 0 is expected
      'wrong-stdout': { root: 'root.dir', stdout: 'goodbye' },
    });
    const cases = listCases(root);
    expect(cases.map((c) => c.name)).toEqual(['no-json', 'no-root', 'with-root', 'wrong-stdout']);
    const results = await runCases(grate, cases, 2);
    const by = Object.fromEntries(results.map((r) => [r.testCase.name, r]));
    expect(by['with-root'].failures).toEqual([]);
    expect(by['no-root'].failures).toEqual([]);
    expect(by['no-json'].passed).toBe(false);
    expect(by['no-json'].failures[0]).toBe(`exit code: expected 0, got ${BADF}`);
    expect(by['wrong-stdout'].failures).toEqual(['stdout: expected it to start with "goodbye", got "hello"']);
  });

  test('a .json key the runner does not understand is refused by name', () => {
    const root = suite({ 'with-operations': { operations: [] } });
    expect(() => listCases(root)).toThrow(/with-operations\.json: keys this runner does not understand: operations/);
  });

  test('only the asked-for WASI version is listed', () => {
    expect(listCases(suite({ one: null }), 'wasm32-wasip3')).toEqual([]);
  });
});
