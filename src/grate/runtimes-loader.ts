/**
 * The runtimes of runtimes.ts, imported with everything else: the library's form. The
 * imfs-grate command's bundle has runtimes-loader-lazy.ts in its place.
 */
import * as runtimes from './runtimes.js';

export function loadRuntimes(): typeof runtimes {
  return runtimes;
}
