/**
 * The pjdfstest command (`make pjdfstest`, `make test-<feature>`; bin.ts is its entry point,
 * built to dist/pjdfstest.js):
 *
 *   pjdfstest [--jobs N] [--server CMD] [FEATURE | FEATURE/NN.t]...   run (default: all), print
 *                                       the unexpected results, the table and a closing line
 *   pjdfstest --has FEATURE              exit 0 if the suite has that feature, 1 if not
 *
 * Exit status: 0 when every result is as expected, 1 when one is not, 2 when the run could
 * not start (no server, a bad argument). A missing suite is said loudly and skips (status 0),
 * except under CI=true (status 2), as suites.ts has it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { missingSuiteFails, repoRoot } from '../suites.js';
import { judge, loadExpectedFailures, unknownFiles } from './expectations.js';
import { closingLine, table } from './report.js';
import { CLIENT, EXPECTED_FAILURES, hasFeature, locateSuite, startSuite, suiteFiles } from './suite.js';

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

/** A reason the run cannot start. */
class CannotStart extends Error {}

function options(argv: readonly string[]): { jobs: number; server: string; only: string[] } {
  let jobs = 2, server: string | undefined;
  const only: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--jobs') jobs = Number(argv[++i]);
    else if (a === '--server') server = argv[++i] ?? '';
    else if (a.startsWith('-')) throw new CannotStart(`unknown option ${a}`);
    else only.push(a);
  }
  if (!Number.isInteger(jobs) || jobs < 1) throw new CannotStart('--jobs takes a positive integer');
  if (server === '') throw new CannotStart('--server takes a command');
  if (server === undefined) {
    const built = join(repoRoot(), 'dist', 'imfs-fsop.js');
    if (!existsSync(built)) throw new CannotStart('dist/imfs-fsop.js is missing: `make imfs` builds it');
    server = `'${process.execPath}' '${built}'`;
  }
  return { jobs, server, only };
}

async function run(argv: readonly string[], o: Output): Promise<number> {
  const suite = locateSuite();
  if (argv[0] === '--has') {
    if (argv.length !== 2) throw new CannotStart('usage: --has FEATURE');
    if (!suite.found) { o.err(`${suite.message}\n`); return 1; }
    return hasFeature(suite.root, argv[1]!) ? 0 : 1;
  }
  const { jobs, server, only } = options(argv);
  if (!suite.found) { // as suites.ts says: skipped, except under CI=true
    o.err(`${suite.message}\n`);
    return missingSuiteFails() ? 2 : 0;
  }
  const all = suiteFiles(suite.root);
  const files = only.length === 0 ? all : only.flatMap((a) => {
    const picked = a.endsWith('.t') ? all.filter((f) => f === a) : all.filter((f) => f.startsWith(`${a}/`));
    if (picked.length === 0) throw new CannotStart(`the suite at ${suite.root} has no ${a.endsWith('.t') ? 'file' : 'feature'} '${a}'`);
    return picked;
  });

  const expected = loadExpectedFailures(EXPECTED_FAILURES);
  const started = Date.now();
  const { results, done } = startSuite(suite.root, files, { jobs, server, client: CLIENT, requestTimeoutSec: 60, fileTimeoutMs: 15 * 60_000 });
  const judged = await Promise.all(files.map(async (f) => judge(await results.get(f)!, expected)));
  await done;

  const unexpected = [...unknownFiles(expected, all), ...judged.flatMap((j) => j.unexpected)];
  for (const u of unexpected) o.out(`UNEXPECTED ${u}\n`);
  if (unexpected.length > 0) o.out('\n');
  o.out(`${table(judged)}\n${closingLine(judged, (Date.now() - started) / 1000)}\n`);
  return unexpected.length === 0 ? 0 : 1;
}

/** Runs the command; resolves to its exit status. */
export async function main(argv: readonly string[], o: Output): Promise<number> {
  try {
    return await run(argv, o);
  } catch (e) {
    o.err(`pjdfstest: ${e instanceof CannotStart ? e.message : (e as Error).stack ?? String(e)}\n`);
    return 2;
  }
}
