// Bundles the imfs-grate command's code (src/grate/imfs-grate.ts) as CommonJS, the form the
// launcher (src/grate/launcher.ts) runs through V8's code cache: `make` writes
// dist/imfs-grate-main.cjs, and the tests that run the command build theirs with it too.
// runtimes-loader-lazy.ts takes the place of runtimes-loader.ts, so the lind and component
// runtimes are compiled and run only when a cage needs them. Minified syntax and whitespace,
// not names: a stack trace still names its functions, and the source a fresh process reads
// is 280 KB instead of 410 (about 1 ms, Node 22). `--debug`: neither, and a source map.
import * as esbuild from 'esbuild';
import { fileURLToPath, pathToFileURL } from 'node:url';

const src = (file) => fileURLToPath(new URL(`../src/grate/${file}`, import.meta.url));

/** Resolves grate.ts's import of runtimes-loader.js to runtimes-loader-lazy.ts. */
const lazyRuntimes = {
  name: 'lazy-runtimes',
  setup(build) {
    build.onResolve({ filter: /^\.\/runtimes-loader\.js$/ }, () => ({ path: src('runtimes-loader-lazy.ts') }));
  },
};

/** Writes the command's code to `outfile`. */
export async function bundleCommandCode(outfile, { debug = false } = {}) {
  await esbuild.build({
    entryPoints: [src('imfs-grate.ts')],
    outfile,
    bundle: true, platform: 'node', format: 'cjs', target: 'node20',
    define: { 'import.meta.url': 'cjsImportMeta.url' },
    inject: [src('cjs-import-meta.ts')],
    minifySyntax: !debug, minifyWhitespace: !debug, sourcemap: debug,
    plugins: [lazyRuntimes],
    logLevel: 'warning',
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await bundleCommandCode('dist/imfs-grate-main.cjs', { debug: process.argv.includes('--debug') });
}
