/**
 * import.meta for the command's CommonJS bundle (esbuild injects this file and defines
 * import.meta.url as cjsImportMeta.url): the URL of the bundle itself, as in an ES module.
 * A getter, so a run that never asks (a WASI cage: only the thread runtime does) does not
 * pay for node:url's conversion at start-up.
 */
export const cjsImportMeta = {
  get url(): string {
    return require('node:url').pathToFileURL(__filename).href as string;
  },
};
