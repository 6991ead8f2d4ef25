/**
 * runtimes-loader.ts as the imfs-grate command bundles it (scripts/bundle-command.mjs): a
 * require() esbuild resolves inside the bundle, so the runtimes' code is wrapped in a function
 * that runs, and is compiled, only when a cage first needs it. A hello cage then starts
 * without them: about 40% of the bundle, and of its code cache to deserialize.
 */
export function loadRuntimes(): typeof import('./runtimes.js') {
  return require('./runtimes.js') as typeof import('./runtimes.js');
}
