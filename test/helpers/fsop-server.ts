/** The imfs-fsop program built from the current sources, as the Makefile's `imfs` target builds it. */
import { build } from 'esbuild';
import { join } from 'node:path';
import { repoRoot } from '../upstream/suites.js';

/** Builds dist-style `imfs-fsop.js` into `dir`; gives its path. */
export async function buildFsopServer(dir: string): Promise<string> {
  const program = join(dir, 'imfs-fsop.js');
  await build({
    entryPoints: [join(repoRoot(), 'src', 'grate', 'fsop-cli.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20',
    banner: { js: '#!/usr/bin/env node' }, outfile: program, logLevel: 'warning',
  });
  return program;
}
