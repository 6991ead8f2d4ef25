/**
 * i64 parameters as two i32 halves. V8 turns every i64 that crosses from wasm into
 * JavaScript into a freshly allocated BigInt (10–20 ns a parameter, measured in Node 20);
 * a hot WASI import (path_open has two, fd_pread one) pays that on every call.
 * Such an import keeps its BigInt form, which is what an import object must hold, and
 * carries a second form that takes each i64 as (low, high) halves. The stack guard's
 * trampolines (src/grate/stack-guard.ts) call the halves form, splitting in wasm, when the
 * cage declared exactly the expected signature; anything else gets the BigInt form.
 */
import type { ValType } from './wasm-module.js';

const HALVES = Symbol('i64 halves');

export interface HalvesForm {
  /** The parameter types of the BigInt form (the signature the cage must declare). */
  params: readonly ValType[];
  /** The same function with each i64 parameter taken as two i32 arguments, low half first. */
  fn: (...args: number[]) => number;
}

/** Attaches `fn` to `bigintForm` as its halves form; returns `bigintForm`. */
export function withHalves<F extends object>(bigintForm: F, params: readonly ValType[], fn: (...args: number[]) => number): F {
  (bigintForm as { [HALVES]?: HalvesForm })[HALVES] = { params, fn };
  return bigintForm;
}

/** The halves form attached to an import function, if any. */
export function halvesOf(f: unknown): HalvesForm | undefined {
  return typeof f === 'function' ? (f as { [HALVES]?: HalvesForm })[HALVES] : undefined;
}

/** The signed 64-bit value of two halves as a number (rounded beyond 2^53, as Number(bigint) does). */
export function i64(lo: number, hi: number): number {
  return (hi | 0) * 4294967296 + (lo >>> 0);
}

/** A BigInt's low and high 32 bits as unsigned numbers (for a BigInt form calling its halves form). */
export function lowOf(b: bigint): number {
  return Number(BigInt.asUintN(32, b));
}
export function highOf(b: bigint): number {
  return Number(BigInt.asUintN(32, b >> 32n));
}
