/** CageMemory: bounds checks, C strings, and the BigInt-free u64 writers. */
import { describe, expect, test } from 'vitest';
import { CageMemory } from '../../src/abi/cage-memory.js';

const mem = () => new CageMemory(new WebAssembly.Memory({ initial: 1, maximum: 4 }));

describe('CageMemory', () => {
  test('setNs64 writes sec * 1e9 + nsec exactly, also past 2^53', () => {
    const m = mem();
    for (const [s, n] of [[0, 0], [1, 999999999], [1795765606, 662480468], [3999999999, 999999999], [4294967295, 5], [-1, 0], [2 ** 33, 7]]) {
      m.setNs64(8, s, n);
      expect(m.dv.getBigUint64(8, true)).toBe(BigInt.asUintN(64, BigInt(s) * 1000000000n + BigInt(n)));
    }
  });

  test('setU64 and i64/u64 round-trip integers below 2^53, negatives as two\'s complement', () => {
    const m = mem();
    for (const v of [0, 1, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1]) {
      m.setU64(16, v);
      expect(m.u64(16)).toBe(v);
      expect(m.dv.getBigUint64(16, true)).toBe(BigInt(v));
    }
    m.setU64(16, -5);
    expect(m.i64(16)).toBe(-5);
  });

  test('cstring: the bytes up to NUL, EFAULT off the end or for NULL, ENAMETOOLONG without NUL in 4096', () => {
    const m = mem();
    m.u8.set(Buffer.from('abc\0'), 100);
    expect(Buffer.from(m.cstring(100) as Uint8Array).toString()).toBe('abc');
    expect(m.cstring(0)).toBe(-14);
    expect(m.cstring(65536)).toBe(-14);
    m.u8.fill(65, 1000, 1000 + 5000);
    expect(m.cstring(1000)).toBe(-36);
    m.u8.fill(65, 65536 - 10, 65536);
    expect(m.cstring(65536 - 10)).toBe(-14);
  });

  test('views follow memory.grow', () => {
    const m = mem();
    expect(m.ok(65536, 1)).toBe(false);
    m.memory.grow(1);
    m.refresh();
    expect(m.ok(65536, 1)).toBe(true);
    expect(m.size).toBe(131072);
  });
});
