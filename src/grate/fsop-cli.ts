/**
 * imfs-fsop: an fsop server (docs/fsop-protocol.md) over stdin/stdout. One JSON request
 * per stdin line, exactly one response line each, written synchronously to fd 1 so that
 * it is flushed before the next request is read. Nothing else goes to stdout;
 * diagnostics go to stderr. Exits 0 at end of input and quietly on SIGTERM.
 */
import { writeSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { FsopServer } from './fsop.js';

const server = new FsopServer({ onDiagnostic: (m) => process.stderr.write(`imfs-fsop: ${m}\n`) });
const pause = new Int32Array(new SharedArrayBuffer(4));

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
    process.exit(0); // the client has gone (EPIPE): nobody is left to answer
  }
}

const decoder = new StringDecoder('utf8');
let pending = '';

process.stdin.on('data', (chunk: Buffer) => {
  const lines = (pending + decoder.write(chunk)).split('\n');
  pending = lines.pop()!;
  for (const line of lines) respond(line);
});

process.stdin.on('end', () => {
  pending += decoder.end();
  if (pending !== '') respond(pending); // a last request without its newline
  process.exit(0);
});

process.on('SIGTERM', () => process.exit(0));
