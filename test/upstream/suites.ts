/**
 * Where the upstream conformance suites come from: `../shared/conformance` beside the
 * checkout by default, or the directory an environment variable names. A missing suite is
 * said loudly, with where to fetch it, and counts as skipped — except under CI=true, where
 * it fails the run (a CI that silently ran no upstream test would look green).
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Suite {
  /** What the suite is called in messages. */
  name: string;
  /** The environment variable that overrides the default location. */
  envVar: string;
  /** Upstream repository and pinned commit, for the "fetch it" message. */
  upstream: string;
  /** A path, relative to the suite's root, that must exist for the root to count as the suite. */
  marker: string;
}

export const PJDFSTEST: Suite = {
  name: 'pjdfstest',
  envVar: 'PJDFSTEST_DIR',
  upstream: 'https://github.com/pjd/pjdfstest at commit 85a8aea9e685999ef0540392fd80535f873d7ff7',
  marker: 'tests/misc.sh',
};

export const WASI_TESTSUITE: Suite = {
  name: 'wasi-testsuite',
  envVar: 'WASI_TESTSUITE_DIR',
  upstream: 'https://github.com/WebAssembly/wasi-testsuite, branch prod/testsuite-base, at commit 9f80ca35444cfd9e63100725615140a346652e6c',
  marker: 'tests',
};

/** The repository's root (this file is test/upstream/suites.ts, or bundled into dist/). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the repository root (no package.json above ' + fileURLToPath(import.meta.url) + ')');
    dir = up;
  }
  return dir;
}

/** `../shared/conformance` beside the checkout. */
export function sharedConformance(): string {
  return resolve(repoRoot(), '..', 'shared', 'conformance');
}

export type Located = { found: true; root: string } | { found: false; message: string };

/**
 * The suite's root: the override's directory if the variable is set (it must hold the
 * suite), else `fallback` (a default place, which may be absent).
 */
export function locate(suite: Suite, fallback: string): Located {
  const override = process.env[suite.envVar];
  const root = override !== undefined && override !== '' ? resolve(override) : fallback;
  if (existsSync(join(root, suite.marker))) return { found: true, root };
  const where = override ? `${suite.envVar}=${override}` : `${root} (set ${suite.envVar} to use another copy)`;
  return {
    found: false,
    message: `${suite.name} NOT FOUND at ${where}: no ${suite.marker} there. ` +
      `Fetch it from ${suite.upstream}. Its tests are SKIPPED` +
      (process.env.CI === 'true' ? ' — and under CI=true that fails the run.' : '.'),
  };
}

/** Whether a missing suite must fail the run rather than skip. */
export function missingSuiteFails(): boolean {
  return process.env.CI === 'true';
}
