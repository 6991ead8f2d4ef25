/** The binary-format pieces the grate writes its own modules with, against the spec's examples. */
import { expect, test } from 'vitest';
import { name, sleb, uleb } from '../../src/abi/wasm-encode.js';

test('uleb: small numbers (the fast path) and large ones (BigInt) give the same LEB128', () => {
  expect(uleb(0)).toEqual([0]);
  expect(uleb(127)).toEqual([0x7f]);
  expect(uleb(128)).toEqual([0x80, 1]);
  expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
  expect(uleb(0x7fffffff)).toEqual([0xff, 0xff, 0xff, 0xff, 7]);
  expect(uleb(0x80000000)).toEqual([0x80, 0x80, 0x80, 0x80, 8]);
  expect(uleb(2 ** 40)).toEqual(uleb(2n ** 40n));
  for (const n of [0, 1, 300, 65535, 1 << 20, 0x7fffffff]) expect(uleb(n)).toEqual(uleb(BigInt(n)));
});

test('sleb: signed LEB128', () => {
  expect(sleb(-1)).toEqual([0x7f]);
  expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
  expect(sleb(64)).toEqual([0xc0, 0]);
});

test('name: the UTF-8 byte length, then the bytes, for ASCII and for other names', () => {
  expect(name('fd_write')).toEqual([8, ...Buffer.from('fd_write')]);
  expect(name('')).toEqual([0]);
  expect(name('é→')).toEqual([5, 0xc3, 0xa9, 0xe2, 0x86, 0x92]);
  const long = 'x'.repeat(200);
  expect(name(long)).toEqual([0xc8, 1, ...Buffer.from(long)]);
});
