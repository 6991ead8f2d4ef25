/**
 * node-copy.ts takes Node's internal copy only in one of the two shapes it knows (Node 20's
 * clamping copy, the later lines' bare memmove), checks every bound itself for the bare
 * one, and never warns.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { copyShape, findNodeMemmove, memmoveFrom, nodeCopyShape, type BindingCopy } from '../../src/core/node-copy.js';
import { COPY_SHAPES, NODE_LINE } from '../helpers/node-lines.js';

/** Node 20's semantics: bounds clamped to both views, the fifth argument the source's end. */
const node20: BindingCopy = (source, target, targetStart, sourceStart, sourceEnd) => {
  const n = Math.max(0, Math.min(sourceEnd, source.length) - sourceStart);
  const k = Math.min(n, target.length - targetStart);
  if (k <= 0) return 0;
  target.set(source.subarray(sourceStart, sourceStart + k), targetStart);
  return k;
};

/**
 * Node 22, 24 and 26's: a bare memmove of `count` bytes that looks at no view's length, so
 * past a view's end it reads and writes the memory that follows (here: the rest of the
 * view's buffer, where a test can see it).
 */
const bare: BindingCopy = (source, target, targetStart, sourceStart, count) => {
  const from = new Uint8Array(source.buffer, source.byteOffset + sourceStart, count);
  new Uint8Array(target.buffer, target.byteOffset + targetStart, count).set(from);
  return count;
};

describe('copyShape and memmoveFrom', () => {
  test('accept a copy with Node 20 semantics, and what it makes copies exactly', () => {
    expect(copyShape(node20)).toBe('end');
    const memmove = memmoveFrom(node20)!;
    const dst = new Uint8Array(10);
    memmove(dst, 3, Uint8Array.of(1, 2, 3, 4, 5), 1, 3);
    expect([...dst]).toEqual([0, 0, 0, 2, 3, 4, 0, 0, 0, 0]);
  });

  test('accept a bare memmove whose fifth argument is a count (Node 22 on), and what it makes copies exactly', () => {
    expect(copyShape(bare)).toBe('count');
    const memmove = memmoveFrom(bare)!;
    const memory = new Uint8Array(new SharedArrayBuffer(16));
    memmove(memory.subarray(2, 12), 3, Uint8Array.of(1, 2, 3, 4, 5), 1, 3);
    expect([...memory]).toEqual([0, 0, 0, 0, 0, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  test('the bare memmove is never called out of bounds: each bad bound throws and leaves every byte alone', () => {
    let calls = 0;
    const memmove = memmoveFrom((...args) => { calls++; return bare(...args); })!;
    calls = 0;
    const memory = new Uint8Array(32).fill(0xaa);
    const dst = memory.subarray(8, 16), src = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    const bad: [number, number, number][] = [
      [6, 0, 4], // past the target's end
      [0, 6, 4], // past the source's end
      [-1, 0, 2], [0, -1, 2], [0, 0, -1], // negative
      [0.5, 0, 2], [0, 0, 1.5], [NaN, 0, 2], [0, 0, NaN], // not integers
      [2 ** 32, 0, 0], [0, 0, 2 ** 32 + 1], // past a uint32 (the binding would wrap it)
    ];
    for (const [dstOff, srcOff, n] of bad) {
      expect(() => memmove(dst, dstOff, src, srcOff, n), `${dstOff}, ${srcOff}, ${n}`).toThrow(RangeError);
    }
    expect(calls).toBe(0);
    expect(memory.every((b) => b === 0xaa)).toBe(true);
    memmove(dst, 4, src, 4, 4); // up to both ends exactly
    memmove(dst, 8, src, 8, 0);
    expect([...memory.subarray(8, 16)]).toEqual([0xaa, 0xaa, 0xaa, 0xaa, 5, 6, 7, 8]);
    expect(calls).toBe(2);
  });

  test('refuse a copy that ignores where a view starts in its memory', () => {
    const atStart: BindingCopy = (source, target, targetStart, sourceStart, count) => {
      new Uint8Array(target.buffer).set(new Uint8Array(source.buffer).subarray(sourceStart, sourceStart + count), targetStart);
      return count;
    };
    expect(copyShape(atStart)).toBeNull();
    expect(memmoveFrom(atStart)).toBeNull();
  });

  test('refuse a copy that throws, that leaves a shared memory alone, or that copies more than it says', () => {
    expect(memmoveFrom(() => { throw new TypeError('not a buffer'); })).toBeNull();
    const plainOnly: BindingCopy = (source, target, ...rest) => (target.buffer instanceof SharedArrayBuffer ? 4 : node20(source, target, ...rest));
    expect(memmoveFrom(plainOnly)).toBeNull();
    const more: BindingCopy = (source, target, targetStart, sourceStart, sourceEnd) => node20(source, target, targetStart, sourceStart, sourceEnd + 1) - 1;
    expect(memmoveFrom(more)).toBeNull();
    const sharedByCount: BindingCopy = (source, target, ...rest) => (target.buffer instanceof SharedArrayBuffer ? bare : node20)(source, target, ...rest);
    expect(memmoveFrom(sharedByCount)).toBeNull();
  });

  test("Node 20's throws when the copy comes up short (a view too small), not silently", () => {
    const memmove = memmoveFrom(node20)!;
    expect(() => memmove(new Uint8Array(8), 6, new Uint8Array(8), 0, 4)).toThrow(RangeError);
    expect(() => memmove(new Uint8Array(8), 0, new Uint8Array(8), 6, 4)).toThrow(RangeError);
  });
});

test.runIf(NODE_LINE in COPY_SHAPES)(`this Node (${process.version}) has the copy found on its line, and the IMFS uses it`, () => {
  expect(nodeCopyShape()).toBe(COPY_SHAPES[NODE_LINE]);
  expect(findNodeMemmove()).not.toBeNull();
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
