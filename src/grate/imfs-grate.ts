/**
 * The `imfs-grate` command's code. `make` bundles it as CommonJS (dist/imfs-grate-main.cjs),
 * which the command's launcher (launcher.ts, dist/imfs-grate.cjs) loads with V8's code cache;
 * it runs as an ES module entry point just as well.
 */
import { main } from './cli.js';

// A natural exit, not process.exit(): process.exit() shuts Node's platform down before V8's
// isolate, and a concurrent Maglev or Sparkplug compile job that is then waiting for the main
// thread to collect garbage never ends, so the process hangs in its exit (nodejs/node#54918,
// open; seen here on Node 24.22: 1 run in 60 of `bench.wasm bulk-write bulk-read`). A natural
// exit disposes of the isolate first, which lets such a job go. Everything is written by then:
// the cage's output, the trace and DUMPS synchronously, and the launcher's code cache in an
// 'exit' listener. Should anything still hold the event loop, the timer ends the process.
void main(process.argv.slice(2)).then((status) => {
  process.exitCode = status;
  setTimeout(() => process.exit(status), 1000).unref();
});
