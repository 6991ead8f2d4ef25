/**
 * The `imfs-grate` command built from the current sources into `dir`, as `make` builds it
 * into dist/: the command and, beside it, the worker script that cages which fork run in.
 */
import * as path from 'node:path';
import { build } from 'esbuild';

const repo = path.resolve(__dirname, '../..');

export async function buildCommand(dir: string): Promise<string> {
  const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning' } as const;
  const program = path.join(dir, 'imfs-grate.js');
  await build({ ...common, entryPoints: [path.join(repo, 'src/grate/imfs-grate.ts')], banner: { js: '#!/usr/bin/env node' }, outfile: program });
  await build({ ...common, entryPoints: [path.join(repo, 'src/grate/cage-worker.ts')], outfile: path.join(dir, 'cage-worker.js') });
  return program;
}
