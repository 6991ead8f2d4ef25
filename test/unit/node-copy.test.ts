/** node-copy.ts takes Node's internal copy only when it behaves exactly as Node 20's, and never warns. */
import { afterEach, describe, expect, test } from 'vitest';
import { findNodeMemmove, memmoveFrom, type BindingCopy } from '../../src/core/node-copy.js';

/** Node 20's semantics: bounds clamped to both views, the fifth argument the source's end. */
const node20: BindingCopy = (source, target, targetStart, sourceStart, sourceEnd) => {
  const n = Math.max(0, Math.min(sourceEnd, source.length) - sourceStart);
  const k = Math.min(n, target.length - targetStart);
  if (k <= 0) return 0;
  target.set(source.subarray(sourceStart, sourceStart + k), targetStart);
  return k;
};

describe('memmoveFrom', () => {
  test('accepts a copy with Node 20 semantics, and what it makes copies exactly', () => {
    const memmove = memmoveFrom(node20)!;
    expect(memmove).not.toBeNull();
    const dst = new Uint8Array(10);
    memmove(dst, 3, Uint8Array.of(1, 2, 3, 4, 5), 1, 3);
    expect([...dst]).toEqual([0, 0, 0, 2, 3, 4, 0, 0, 0, 0]);
  });

  test('refuses a copy whose fifth argument is a count (as later Nodes have it)', () => {
    const byCount: BindingCopy = (source, target, targetStart, sourceStart, count) => node20(source, target, targetStart, sourceStart, sourceStart + count);
    expect(memmoveFrom(byCount)).toBeNull();
  });

  test('refuses a copy that throws, or that leaves a shared memory alone', () => {
    expect(memmoveFrom(() => { throw new TypeError('not a buffer'); })).toBeNull();
    const plainOnly: BindingCopy = (source, target, ...rest) => (target.buffer instanceof SharedArrayBuffer ? 4 : node20(source, target, ...rest));
    expect(memmoveFrom(plainOnly)).toBeNull();
  });

  test('what it makes throws when the copy comes up short (a view too small), not silently', () => {
    const memmove = memmoveFrom(node20)!;
    expect(() => memmove(new Uint8Array(8), 6, new Uint8Array(8), 0, 4)).toThrow(RangeError);
    expect(() => memmove(new Uint8Array(8), 0, new Uint8Array(8), 6, 4)).toThrow(RangeError);
  });
});

describe('findNodeMemmove and pending deprecations (process.binding is DEP0111)', () => {
  const saved = { env: process.env.NODE_PENDING_DEPRECATION, argv: [...process.execArgv] };
  afterEach(() => {
    if (saved.env === undefined) delete process.env.NODE_PENDING_DEPRECATION;
    else process.env.NODE_PENDING_DEPRECATION = saved.env;
    process.execArgv.splice(0, Infinity, ...saved.argv);
  });

  test('NODE_PENDING_DEPRECATION=1: not used', () => {
    process.env.NODE_PENDING_DEPRECATION = '1';
    expect(findNodeMemmove()).toBeNull();
  });

  test('--pending-deprecation: not used', () => {
    process.execArgv.push('--pending-deprecation');
    expect(findNodeMemmove()).toBeNull();
  });
});
