/**
 * The `imfs-grate` command's code. `make` bundles it as CommonJS (dist/imfs-grate-main.cjs),
 * which the command's launcher (launcher.ts, dist/imfs-grate.cjs) loads with V8's code cache;
 * it runs as an ES module entry point just as well.
 */
import { main } from './cli.js';

void main(process.argv.slice(2)).then((status) => { process.exitCode = status; });
