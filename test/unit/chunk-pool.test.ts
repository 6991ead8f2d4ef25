/** The chunk pool: zeroed chunks carved from slabs, reuse, and slabs given back. */
import { describe, expect, test } from 'vitest';
import { ChunkPool, DECAY_MS } from '../../src/core/chunk-pool.js';

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

  test('when the host refuses another WebAssembly memory for a slab, a plain ArrayBuffer serves', () => {
    const Memory = WebAssembly.Memory;
    const refuse = (error: Error) => {
      (WebAssembly as { Memory: unknown }).Memory = function refusing() { throw error; };
    };
    try {
      refuse(new RangeError('WebAssembly.Memory(): could not allocate memory'));
      const pool = new ChunkPool();
      const a = pool.alloc(4096), b = pool.alloc(4096);
      a.fill(1);
      b.fill(2);
      expect([a.buffer === b.buffer, a.every((x) => x === 1), b.every((x) => x === 2)]).toEqual([true, true, true]);
      expect(pool.heldBytes).toBe(256 << 10);
      // Anything but the host's refusal is not hidden.
      refuse(new TypeError('broken'));
      expect(() => new ChunkPool().alloc(4096)).toThrow(TypeError);
    } finally {
      (WebAssembly as { Memory: unknown }).Memory = Memory;
    }
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

  test('slabs double in size; those whose chunks are all free go back once unused for DECAY_MS', () => {
    let now = 1000;
    const pool = new ChunkPool(() => now);
    const chunks = Array.from({ length: 640 }, () => pool.alloc(16384)); // 10 MiB of chunks
    // Slabs of 256 KiB, 512 KiB, 1, 2, 4 MiB (7.75 MiB, full) and one of 8 MiB being carved.
    const all = (256 + 512 + 1024 + 2048 + 4096 + 8192) << 10;
    expect(pool.heldBytes).toBe(all);
    for (const c of chunks) pool.free(c);
    // Everything is free, but kept warm for a while: nothing goes back yet.
    expect(pool.heldBytes).toBe(all);
    now += DECAY_MS - 1;
    pool.trimIdle();
    expect(pool.heldBytes).toBe(all);
    now += 1;
    pool.trimIdle();
    // Every slab but the one being carved has gone back.
    expect(pool.heldBytes).toBe(8 << 20);
    const again = pool.alloc(16384);
    expect(again.every((x) => x === 0)).toBe(true);
  });

  test('free memory that is reused before its time is up stays; the wait starts again', () => {
    let now = 0;
    const pool = new ChunkPool(() => now);
    const chunks = Array.from({ length: 640 }, () => pool.alloc(16384));
    const held = pool.heldBytes;
    for (const c of chunks) pool.free(c);
    now += DECAY_MS / 2;
    const again = Array.from({ length: 640 }, () => pool.alloc(16384)); // a rewrite reuses the warm chunks
    expect(pool.heldBytes).toBe(held);
    for (const c of again) pool.free(c);
    now += DECAY_MS / 2 + 1; // past the first deadline, not past the second
    pool.trimIdle();
    expect(pool.heldBytes).toBe(held);
    now += DECAY_MS;
    pool.trimIdle();
    expect(pool.heldBytes).toBe(8 << 20);
  });

  test('the surplus also goes back on the next free after its time, and by a timer when all is quiet', async () => {
    let now = 0;
    const pool = new ChunkPool(() => now);
    const chunks = Array.from({ length: 640 }, () => pool.alloc(16384));
    for (const c of chunks.slice(0, 600)) pool.free(c);
    now += DECAY_MS;
    pool.free(chunks[600]);
    expect(pool.heldBytes).toBe(8 << 20); // the carving slab holds the 39 live chunks
    const real = new ChunkPool();
    const more = Array.from({ length: 640 }, () => real.alloc(16384));
    for (const c of more) real.free(c);
    const before = real.heldBytes;
    await new Promise((resolve) => setTimeout(resolve, DECAY_MS + 100));
    expect(real.heldBytes).toBeLessThan(before);
    expect(real.heldBytes).toBe(8 << 20);
  });
});
