/**
 * WASI 0.3's wasi:filesystem types as jco's 0.3 glue passes them, and the conversions from
 * the 0.2 values src/abi/wasip2 computes: in 0.3 `error-code` and `descriptor-type` are
 * variants (`{ tag }`, with an `other(option<string>)` case; 0.2's `would-block` and
 * `unknown` are gone), and timestamps are wasi:clocks/types `instant` (same JS shape as 0.2's datetime).
 */
import type { ErrorCode as P2ErrorCode } from '../wasip2/error-codes.js';
import { IoError, type StreamError } from '../wasip2/io-error.js';
import type * as p2 from '../wasip2/types.js';

export type ErrorCode = { tag: Exclude<P2ErrorCode, 'would-block'> } | { tag: 'other'; val?: string };
export type DescriptorType = { tag: Exclude<p2.DescriptorType, 'unknown'> } | { tag: 'other'; val?: string };
export interface DescriptorStat extends Omit<p2.DescriptorStat, 'type'> { type: DescriptorType }
export interface DirectoryEntry { type: DescriptorType; name: string }
export type Result<E> = { tag: 'ok'; val?: undefined } | { tag: 'err'; val: E };
export const OK: Result<never> = Object.freeze({ tag: 'ok' });

/** A 0.2 error-code as the 0.3 variant. */
export function errorCode(code: P2ErrorCode): ErrorCode {
  return code === 'would-block' ? { tag: 'other', val: 'would-block' } : { tag: code };
}

export function descriptorType(t: p2.DescriptorType): DescriptorType {
  return t === 'unknown' ? { tag: 'other', val: undefined } : { tag: t };
}

export function descriptorStat(s: p2.DescriptorStat): DescriptorStat {
  return { ...s, type: descriptorType(s.type) };
}

export function directoryEntry(e: p2.DirectoryEntry): DirectoryEntry {
  return { type: descriptorType(e.type), name: e.name };
}

/**
 * What a wasip2 call threw, as the 0.3 error-code: a 0.2 error-code string (filesystem
 * calls) or a stream-error (stream calls). Anything else (an Error: a bug, or a CageExit) is
 * rethrown, to trap or exit as it would in 0.2.
 */
export function errorOf(thrown: unknown): ErrorCode {
  if (typeof thrown === 'string') return errorCode(thrown as P2ErrorCode);
  const se = thrown as StreamError | null;
  if (se !== null && typeof se === 'object' && 'tag' in se) {
    if (se.tag === 'closed') return { tag: 'pipe' };
    if (se.tag === 'last-operation-failed' && se.val instanceof IoError) return errorCode(se.val.code);
  }
  throw thrown;
}

/** Calls f, turning a 0.2 failure into the thrown 0.3 error-code (the glue's `err` case). */
export function p3<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw errorOf(e);
  }
}
