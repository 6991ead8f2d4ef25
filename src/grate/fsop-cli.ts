/**
 * imfs-fsop: an fsop server (docs/fsop-protocol.md) over stdin/stdout. One JSON request
 * per stdin line, exactly one response line each, written synchronously to fd 1 so that
 * it is flushed before the next request is read. Nothing else goes to stdout;
 * diagnostics go to stderr. Exits 0 at end of input and quietly on SIGTERM, by letting the
 * event loop end rather than by process.exit(), which can hang on Node 24-26 while V8
 * compiles in the background (see imfs-grate.ts).
 */
import { writeSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { FsopServer } from './fsop.js';

const server = new FsopServer({ onDiagnostic: (m) => process.stderr.write(`imfs-fsop: ${m}\n`) });
const pause = new Int32Array(new SharedArrayBuffer(4));
/** Set once no more requests are to be answered (the client has gone, or SIGTERM). */
let stopped = false;

/** Writes all of `data` to stdout, waiting out a non-blocking pipe that is full. */
function writeOut(data: Buffer): void {
  let off = 0;
  while (off < data.length) {
    try {
      off += writeSync(1, data, off, data.length - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}

function respond(line: string): void {
  let response: string;
  try {
    response = server.handle(line);
  } catch (e) {
    // A bug in the server, not an answer: say so on stderr and keep the protocol in step.
    process.stderr.write(`imfs-fsop: internal error on request ${line}\n${(e as Error).stack ?? String(e)}\n`);
    response = '';
  }
  try {
    writeOut(Buffer.from(response + '\n', 'utf8'));
  } catch {
    stop(); // the client has gone (EPIPE): nobody is left to answer
  }
}

/** Reads no more requests: with stdin closed nothing holds the event loop, and the process exits 0. */
function stop(): void {
  stopped = true;
  process.stdin.destroy();
}

const decoder = new StringDecoder('utf8');
let pending = '';

process.stdin.on('data', (chunk: Buffer) => {
  const lines = (pending + decoder.write(chunk)).split('\n');
  pending = lines.pop()!;
  for (const line of lines) if (!stopped) respond(line);
});

process.stdin.on('end', () => {
  pending += decoder.end();
  if (pending !== '' && !stopped) respond(pending); // a last request without its newline
});

process.on('SIGTERM', stop);
