/**
 * The `imfs-grate` command's code. `make` bundles it as CommonJS (dist/imfs-grate-main.cjs),
 * which the command's launcher (launcher.ts, dist/imfs-grate.cjs) loads with V8's code cache;
 * it runs as an ES module entry point just as well.
 */
import { main } from './cli.js';

// process.exit, not a natural exit: that first waits for V8's background compile jobs (the
// stack guard's probe tiering up: up to 170 ms on Node 22-26 before it was made smaller) and
// frees the whole heap, some 15-35 ms of a hello cage's wall time (stack-guard.ts, README
// "Start-up"). Nothing is left to write by then: the cage's output, the trace and DUMPS are
// written synchronously, as are stdout and stderr (files and pipes, on Linux), and the
// launcher writes its code cache in an 'exit' listener, which process.exit runs.
void main(process.argv.slice(2)).then((status) => process.exit(status));
