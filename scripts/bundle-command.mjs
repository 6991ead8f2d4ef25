// Bundles the imfs-grate command's code (src/grate/imfs-grate.ts) as dist/imfs-grate-main.cjs:
// the Makefile's CJSFLAGS, with runtimes-loader-lazy.ts in place of runtimes-loader.ts, so
// the lind and component runtimes are compiled and run only when a cage needs them.
// Minified syntax and whitespace, not names: a stack trace still names its functions, and
// the source a fresh process reads is 280 KB instead of 410 (about 1 ms less, Node 22).
// `--debug`: neither minification, and a source map (`make debug`).
import * as esbuild from 'esbuild';

const debug = process.argv.includes('--debug');
const lazyLoader = new URL('../src/grate/runtimes-loader-lazy.ts', import.meta.url).pathname;

/** Resolves grate.ts's import of runtimes-loader.js to runtimes-loader-lazy.ts. */
const lazyRuntimes = {
  name: 'lazy-runtimes',
  setup(build) {
    build.onResolve({ filter: /^\.\/runtimes-loader\.js$/ }, () => ({ path: lazyLoader }));
  },
};

await esbuild.build({
  entryPoints: ['src/grate/imfs-grate.ts'],
  outfile: 'dist/imfs-grate-main.cjs',
  bundle: true, platform: 'node', format: 'cjs', target: 'node20',
  define: { 'import.meta.url': 'importMetaUrl' },
  inject: ['src/grate/cjs-import-meta.ts'],
  minifySyntax: !debug, minifyWhitespace: !debug, sourcemap: debug,
  plugins: [lazyRuntimes],
  logLevel: 'warning',
});
