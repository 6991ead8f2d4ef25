/**
 * wasi:cli@0.3 stdio: stdin as a stream from the cage's descriptor 0, stdout and stderr as
 * futures that complete once the guest's stream has been written to descriptors 1 and 2 —
 * through the same wasip2 streams the 0.2 interfaces use. Their error-code is wasi:cli/types'
 * enum (io, illegal-byte-sequence, pipe): a plain string, not filesystem's variant.
 */
import * as p2cli from '../wasip2/cli.js';
import type { P2Host } from '../wasip2/host.js';
import { bytesOf, drainInto, type GuestStream } from './streams.js';
import type { ErrorCode as FsErrorCode, Result } from './types.js';

type CliErrorCode = 'io' | 'illegal-byte-sequence' | 'pipe';

/** A filesystem error-code as wasi:cli/types error-code. */
function cliResult(r: Result<FsErrorCode>): Result<CliErrorCode> {
  if (r.tag === 'ok') return r;
  const tag = r.val.tag;
  return { tag: 'err', val: tag === 'pipe' || tag === 'illegal-byte-sequence' ? tag : 'io' };
}

export function readViaStream(host: P2Host): [Iterable<Uint8Array>, Promise<Result<CliErrorCode>>] {
  const [stream, future] = bytesOf(p2cli.getStdin(host));
  return [stream, future.then(cliResult)];
}

export const writeStdout = (host: P2Host, data: GuestStream) => drainInto(data, p2cli.getStdout(host)).then(cliResult);
export const writeStderr = (host: P2Host, data: GuestStream) => drainInto(data, p2cli.getStderr(host)).then(cliResult);
