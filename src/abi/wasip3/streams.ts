/**
 * WASI 0.3 byte streams over the wasip2 streams (which already read and write the IMFS:
 * files at their own position, stdio on the cage's descriptors 0–2).
 *
 * jco's 0.3 glue takes a stream<T> from the host as any iterable: a sync one is drained at
 * once up to what the guest's read asked for, which suits the IMFS (every call answers at
 * once). A stream<u8> from the guest comes as an object whose read({ count }) resolves to
 * `{ value, done }`. A future<T> from the host is a Promise of T.
 */
import { CLOSED, type StreamError } from '../wasip2/io-error.js';
import { STREAM_CHUNK, type InputStream, type OutputStream } from '../wasip2/streams.js';
import { errorOf, OK, type ErrorCode, type Result } from './types.js';

/** A guest's readable end, as jco's glue hands it to the host. */
export interface GuestStream {
  read(opts: { count: number }): Promise<{ value?: Uint8Array | number[] | number; done: boolean }>;
  [Symbol.dispose]?(): void;
}

/** The stream and its completion future, as read-via-stream and read-directory return them. */
export type StreamAndFuture<T> = [Iterable<T>, Promise<Result<ErrorCode>>];

/**
 * A host stream of the items `next` produces (null at the end; a wasip2 failure thrown),
 * with the future that says how it ended. `release` runs once, at the end or when the guest
 * drops the stream (the glue calls return(); an iterator rather than a generator, whose
 * return() before its first next() would skip the release and leave the future unresolved).
 */
export function hostStream<T>(next: () => T | null, release: () => void): StreamAndFuture<T> {
  let settle!: (r: Result<ErrorCode>) => void;
  const future = new Promise<Result<ErrorCode>>((resolve) => { settle = resolve; });
  let open = true;
  const end = (r: Result<ErrorCode>): IteratorResult<T> => {
    if (open) {
      open = false;
      settle(r);
      release();
    }
    return { done: true, value: undefined };
  };
  const items: IterableIterator<T> = {
    [Symbol.iterator]: () => items,
    next(): IteratorResult<T> {
      if (!open) return { done: true, value: undefined };
      let item: T | null;
      try {
        item = next();
      } catch (e) {
        // The end of the stream (EOF) is `closed` in wasip2: here, the end of the items.
        return end(e === CLOSED ? OK : { tag: 'err', val: errorOf(e) });
      }
      return item === null ? end(OK) : { done: false, value: item };
    },
    // Dropped before its end: nothing failed.
    return: () => end(OK),
  };
  return [items, future];
}

/** A stream that fails at once (its future is the error), for read-via-stream on what cannot be read. */
export function failedStream<T>(code: ErrorCode): StreamAndFuture<T> {
  return [[], Promise.resolve({ tag: 'err', val: code })];
}

/** read-via-stream over a wasip2 input stream: its bytes in chunks of up to 1 MiB. */
export function bytesOf(input: InputStream): StreamAndFuture<Uint8Array> {
  return hostStream(() => input.blockingRead(BigInt(STREAM_CHUNK)), () => input[Symbol.dispose]());
}

/** write-via-stream: everything the guest writes to `data`, written to `out`; resolves to how it ended. */
export async function drainInto(data: GuestStream, out: OutputStream): Promise<Result<ErrorCode>> {
  // Not within the call that handed us the stream: the glue finishes lifting it first.
  await Promise.resolve();
  try {
    for (;;) {
      const { value, done } = await data.read({ count: STREAM_CHUNK });
      if (value !== undefined) {
        const bytes = value instanceof Uint8Array ? value : Uint8Array.from(typeof value === 'number' ? [value] : value);
        if (bytes.length > 0) out.blockingWriteAndFlush(bytes);
      }
      if (done) return OK;
    }
  } catch (e) {
    return { tag: 'err', val: errorOf(e as StreamError) };
  } finally {
    data[Symbol.dispose]?.();
    out[Symbol.dispose]();
  }
}
