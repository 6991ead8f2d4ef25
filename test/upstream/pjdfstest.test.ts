/**
 * pjdfstest (the upstream suite, located by suites.ts) against the imfs-fsop server built
 * from the current sources, through the runner of test/upstream/pjdfstest: one test per .t
 * file, failing with that file's unexpected results (see expected-failures.txt). The files
 * run two at a time from the start, longest first; each test waits for its own file.
 * A missing suite is said loudly and skips, or fails under CI=true.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFsopServer } from '../helpers/fsop-server.js';
import { missingSuiteFails } from './suites.js';
import { judge, loadExpectedFailures, unknownFiles } from './pjdfstest/expectations.js';
import { CLIENT, EXPECTED_FAILURES, locateSuite, startOrder, startSuite, suiteFiles, type SuiteRun } from './pjdfstest/suite.js';

const JOBS = Number(process.env.PJDFSTEST_JOBS ?? 2);
const FILE_TIMEOUT_MS = 10 * 60_000;
const suite = locateSuite();

if (!suite.found) {
  process.stderr.write(`\n*** ${suite.message}\n\n`);
  if (missingSuiteFails()) test('pjdfstest is present', () => { throw new Error(suite.message); });
  else test.skip(`pjdfstest: ${suite.message}`, () => {});
} else {
  const root = suite.root;
  const files = suiteFiles(root);
  const expected = loadExpectedFailures(EXPECTED_FAILURES);
  let dir: string;
  let run: SuiteRun;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pjdfstest-server-'));
    const server = `'${process.execPath}' '${await buildFsopServer(dir)}'`;
    run = startSuite(root, files, { jobs: JOBS, server, client: CLIENT, requestTimeoutSec: 60, fileTimeoutMs: FILE_TIMEOUT_MS });
  }, 60_000);

  afterAll(async () => {
    await run?.done;
    rmSync(dir, { recursive: true, force: true });
  }, FILE_TIMEOUT_MS);

  test('expected-failures.txt names only files of the suite', () => {
    expect(unknownFiles(expected, files)).toEqual([]);
  });

  // In the order the files start, so that each test waits about as long as its file runs.
  for (const file of startOrder(root, files)) {
    test(file, async () => {
      const judged = judge(await run.results.get(file)!, expected);
      expect(judged.unexpected).toEqual([]);
      expect(judged.passed + judged.todoFailed).toBe(judged.assertions);
    }, FILE_TIMEOUT_MS);
  }
}
