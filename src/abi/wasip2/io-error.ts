/**
 * wasi:io/error's `error` resource, and how failures leave our host functions: jco's glue
 * takes a thrown non-Error value as the `err` case of a result (a thrown Error instance would
 * be a trap), so filesystem calls throw the error-code string and stream calls throw the
 * stream-error variant.
 */
import { errorCodeOf, type ErrorCode } from './error-codes.js';
import type { P2Host } from './host.js';

/** wasi:io/error `error`: what failed, as the error-code filesystem-error-code recovers. */
export class IoError {
  constructor(readonly code: ErrorCode, readonly what: string) {}
  toDebugString(): string {
    return `${this.what}: ${this.code}`;
  }
}

export type StreamError = { tag: 'closed' } | { tag: 'last-operation-failed'; val: IoError };

/** The stream-error for the end of a stream (EOF, or a stream that was closed). */
export const CLOSED: StreamError = Object.freeze({ tag: 'closed' });

/** Throws a negative core result as a filesystem error-code (the `err` of the call's result). */
export function fail(result: number): never {
  throw errorCodeOf(result);
}

/** A negative core result as the stream-error a stream call throws. */
export function streamFailure(host: P2Host, result: number, what: string): StreamError {
  return { tag: 'last-operation-failed', val: new host.classes.IoError(errorCodeOf(result), what) };
}

/** wasi:filesystem/types filesystem-error-code: the error-code behind one of our stream errors. */
export function filesystemErrorCode(err: unknown): ErrorCode | undefined {
  return err instanceof IoError ? err.code : undefined;
}
