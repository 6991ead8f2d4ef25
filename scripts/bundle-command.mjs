// Bundles the imfs-grate command as CommonJS into a directory: the launcher (imfs-grate.cjs,
// src/grate/launcher.ts) and the command's code it runs through V8's code cache
// (imfs-grate-main.cjs, src/grate/imfs-grate.ts). `make` writes them to dist/, and the
// tests that run the command build theirs with it too (test/helpers/command-bundle.ts).
// CommonJS, both: an ES module entry point costs a run Node's module loader (some 10 ms).
// In the command's code runtimes-loader-lazy.ts takes the place of runtimes-loader.ts, so
// the lind and component runtimes are compiled and run only when a cage needs them. It is
// minified in syntax (constants inlined, code folded: its cache deserializes faster) and
// whitespace, not names: a stack trace still names its functions, and the source a fresh
// process reads is 280 KB instead of 410 (about 1 ms, Node 22). `--debug`: no minifying,
// and a source map.
import * as esbuild from 'esbuild';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = (file) => path.join(root, 'src/grate', file);

/** Resolves grate.ts's import of runtimes-loader.js to runtimes-loader-lazy.ts. */
const lazyRuntimes = {
  name: 'lazy-runtimes',
  setup(build) {
    build.onResolve({ filter: /^\.\/runtimes-loader\.js$/ }, () => ({ path: src('runtimes-loader-lazy.ts') }));
  },
};

/**
 * Writes imfs-grate.cjs (the launcher) and imfs-grate-main.cjs (the command's code) into `dir`.
 * Returns esbuild's metafile of the command's code: its modules and how each imports the next
 * (test/grate/command-startup.test.ts checks that no runtime is imported at start-up).
 */
export async function bundleCommand(dir, { debug = false } = {}) {
  const cjs = {
    bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'warning',
    absWorkingDir: root, // the metafile's paths are the repository's, wherever it runs from
    define: { 'import.meta.url': 'cjsImportMeta.url' },
    inject: [src('cjs-import-meta.ts')],
    minifySyntax: !debug,
  };
  const main = await esbuild.build({
    ...cjs, entryPoints: [src('imfs-grate.ts')], outfile: path.resolve(dir, 'imfs-grate-main.cjs'),
    minifyWhitespace: !debug, sourcemap: debug, plugins: [lazyRuntimes], metafile: true,
  });
  await esbuild.build({
    ...cjs, entryPoints: [src('launcher.ts')], outfile: path.resolve(dir, 'imfs-grate.cjs'),
    banner: { js: '#!/usr/bin/env node' },
  });
  return main.metafile;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await bundleCommand('dist', { debug: process.argv.includes('--debug') });
}
