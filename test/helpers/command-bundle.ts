/**
 * The `imfs-grate` command built from the current sources into `dir`, as `make` builds it
 * into dist/: the launcher (imfs-grate.cjs, src/grate/launcher.ts), the command's code as
 * CommonJS beside it (imfs-grate-main.cjs, by scripts/bundle-command.mjs: the lind and
 * component runtimes loaded when a cage first needs them), and the worker script that cages
 * which fork run in.
 */
import * as path from 'node:path';
import { build } from 'esbuild';
import { bundleCommand } from '../../scripts/bundle-command.mjs';

const repo = path.resolve(__dirname, '../..');

export async function buildCommand(dir: string): Promise<string> {
  await bundleCommand(dir);
  await build({
    bundle: true, platform: 'node', target: 'node20', logLevel: 'warning', format: 'esm',
    entryPoints: [path.join(repo, 'src/grate/cage-worker.ts')], outfile: path.join(dir, 'cage-worker.js'),
  });
  return path.join(dir, 'imfs-grate.cjs');
}
