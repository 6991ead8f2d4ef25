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

  test('slabs double in size, and those whose chunks are all free go back', () => {
    const pool = new ChunkPool();
    const chunks = Array.from({ length: 640 }, () => pool.alloc(16384)); // 10 MiB of chunks
    // Slabs of 256 KiB, 512 KiB, 1, 2, 4 MiB (7.75 MiB, full) and one of 8 MiB being carved.
    expect(pool.heldBytes).toBe((256 + 512 + 1024 + 2048 + 4096 + 8192) << 10);
    for (const c of chunks) pool.free(c);
    // Everything is free: every slab but the one being carved has gone back.
    expect(pool.heldBytes).toBe(8 << 20);
    const again = pool.alloc(16384);
    expect(again.every((x) => x === 0)).toBe(true);
  });
});
