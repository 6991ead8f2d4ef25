/**
 * import.meta.url for the command's CommonJS bundle (esbuild injects this file and defines
 * import.meta.url as importMetaUrl): the URL of the bundle itself, as in an ES module.
 */
export const importMetaUrl = require('node:url').pathToFileURL(__filename).href as string;
