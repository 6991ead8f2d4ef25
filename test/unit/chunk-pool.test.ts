/** The chunk pool: zeroed chunks carved from slabs, reuse, and slabs given back. */
import { describe, expect, test } from 'vitest';
import { ChunkPool } from '../../src/core/chunk-pool.js';

describe('ChunkPool', () => {
  test('chunks come zeroed, of the asked size, and freed ones are reused zeroed', () => {
    const pool = new ChunkPool();
    const a = pool.alloc(4096);
    expect(a.length).toBe(4096);
    expect(a.every((b) => b === 0)).toBe(true);
    a.fill(7);
    pool.free(a);
    const b = pool.alloc(4096);
    expect(b.buffer).toBe(a.buffer);
    expect(b.byteOffset).toBe(a.byteOffset);
    expect(b.every((x) => x === 0)).toBe(true);
  });

  test('chunks of one slab do not overlap; sizes larger than a slab get their own', () => {
    const pool = new ChunkPool();
    const chunks = Array.from({ length: 300 }, () => pool.alloc(16384));
    chunks.forEach((c, i) => c.fill(i & 0xff));
    chunks.forEach((c, i) => expect(c.every((x) => x === (i & 0xff))).toBe(true));
    const big = pool.alloc(4 << 20);
    expect(big.length).toBe(4 << 20);
    expect(big.buffer.byteLength).toBe(4 << 20);
  });

  test('slabs whose chunks are all free go back once the free ones outweigh the live ones', () => {
    const pool = new ChunkPool();
    const chunks = Array.from({ length: 64 * 10 }, () => pool.alloc(16384)); // 10 slabs of 1 MiB
    expect(pool.heldBytes).toBe(10 << 20);
    for (const c of chunks) pool.free(c);
    // Everything is free: all slabs but the one being carved (and what the trim threshold keeps) are gone.
    expect(pool.heldBytes).toBeLessThanOrEqual(5 << 20);
    const again = pool.alloc(16384);
    expect(again.every((x) => x === 0)).toBe(true);
  });
});
