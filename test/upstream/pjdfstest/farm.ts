/**
 * The directory the .t files run from: links to the suite, plus what misc.sh looks for
 * beside each file. misc.sh takes its `conf` and its `pjdfstest` program from the .t
 * file's own directory, and the .t file sources `../misc.sh`; so for each feature:
 *
 *   <farm>/misc.sh            → <suite>/tests/misc.sh
 *   <farm>/<feature>/conf     → <suite>/tests/conf
 *   <farm>/<feature>/NN.t     → <suite>/tests/<feature>/NN.t
 *   <farm>/<feature>/pjdfstest  a stub: client.bash defines a shell function of this very
 *                               path, which answers every `${fstest}` call
 *
 * The suite itself is only read.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface Farm {
  readonly dir: string;
  /** Where the file `feature/NN.t` is run from. */
  path(file: string): string;
  remove(): void;
}

const STUB = '#!/bin/sh\necho "$0: pjdfstest calls are answered by the runner\'s client.bash, not by this file" >&2\nexit 1\n';

/** Builds a farm for `files` (each `feature/NN.t`) of the suite at `suiteRoot`. */
export function makeFarm(suiteRoot: string, files: readonly string[]): Farm {
  const dir = mkdtempSync(join(tmpdir(), 'pjdfstest-farm-'));
  const tests = join(suiteRoot, 'tests');
  symlinkSync(join(tests, 'misc.sh'), join(dir, 'misc.sh'));
  for (const feature of new Set(files.map((f) => dirname(f)))) {
    mkdirSync(join(dir, feature));
    symlinkSync(join(tests, 'conf'), join(dir, feature, 'conf'));
    writeFileSync(join(dir, feature, 'pjdfstest'), STUB);
    chmodSync(join(dir, feature, 'pjdfstest'), 0o755);
  }
  for (const f of files) symlinkSync(join(tests, f), join(dir, f));
  return {
    dir,
    path: (file) => join(dir, file),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
