/**
 * The pjdfstest suite as the runner sees it: where it is (suites.ts), its features and
 * files, and running a set of files a few at a time, each against its own server.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PJDFSTEST, locate, repoRoot, sharedConformance, type Located } from '../suites.js';
import { makeFarm } from './farm.js';
import { runFile, type RunOptions } from './run-file.js';
import { readRun, type FileResult } from './tap.js';

/** The suite, from PJDFSTEST_DIR or ../shared/conformance/pjdfstest. */
export function locateSuite(): Located {
  return locate(PJDFSTEST, join(sharedConformance(), 'pjdfstest'));
}

/** The runner's own files. */
export const CLIENT = join(repoRoot(), 'test', 'upstream', 'pjdfstest', 'client.bash');
export const EXPECTED_FAILURES = join(repoRoot(), 'test', 'upstream', 'pjdfstest', 'expected-failures.txt');

/** The feature directories of the suite (tests/<feature>/ holding .t files). */
export function features(root: string): string[] {
  const tests = join(root, 'tests');
  return readdirSync(tests).filter((d) => statSync(join(tests, d)).isDirectory() &&
    readdirSync(join(tests, d)).some((f) => f.endsWith('.t'))).sort();
}

export function hasFeature(root: string, feature: string): boolean {
  return features(root).includes(feature);
}

/** `feature/NN.t` of each file of the features (all of them by default), sorted. */
export function suiteFiles(root: string, only?: readonly string[]): string[] {
  return (only ?? features(root)).flatMap((feature) => readdirSync(join(root, 'tests', feature))
    .filter((f) => f.endsWith('.t')).sort().map((f) => `${feature}/${f}`));
}

/**
 * A rough guess at what a file costs, counted in assertions, to start the long ones first:
 * its plan (`1..N`), plus 100 for each `sleep 1` line (half a second, often in a loop over
 * seven file types) and 300 for each maximal path name (dirgen_max: seconds of shell work).
 */
function weight(root: string, file: string): number {
  const text = readFileSync(join(root, 'tests', file), 'utf8');
  const count = (re: RegExp) => text.match(re)?.length ?? 0;
  const plan = Math.max(0, ...[...text.matchAll(/1\.\.(\d+)/g)].map((m) => Number(m[1])));
  return plan + 100 * count(/\bsleep 1\b/g) + 300 * count(/\bdirgen_max\b/g);
}

/** The order in which startSuite starts the files: longest first. */
export function startOrder(root: string, files: readonly string[]): string[] {
  return [...files].sort((a, b) => weight(root, b) - weight(root, a));
}

export interface SuiteOptions extends RunOptions {
  /** Files run at the same time. */
  jobs: number;
}

export interface SuiteRun {
  results: Map<string, Promise<FileResult>>;
  /** Resolves once every file has run and the farm is gone. */
  done: Promise<void>;
}

/** Starts running `files`, longest first, `jobs` at a time, one farm for all. */
export function startSuite(root: string, files: readonly string[], o: SuiteOptions): SuiteRun {
  if (!existsSync(CLIENT)) throw new Error(`the runner's shell client is missing: ${CLIENT}`);
  const farm = makeFarm(root, files);
  const queue = startOrder(root, files);
  const settle = new Map<string, (r: FileResult) => void>();
  const results = new Map<string, Promise<FileResult>>();
  for (const f of files) results.set(f, new Promise((resolve) => settle.set(f, resolve)));
  const worker = async () => {
    for (let f = queue.shift(); f !== undefined; f = queue.shift()) {
      settle.get(f)!(await runFile(f, farm, o).then(readRun,
        (e: unknown): FileResult => ({ file: f, notApplicable: false, assertions: [], problems: [`could not be run: ${String(e)}`], ms: 0 })));
    }
  };
  const done = Promise.all(Array.from({ length: Math.max(1, o.jobs) }, worker)).then(() => farm.remove());
  return { results, done };
}
