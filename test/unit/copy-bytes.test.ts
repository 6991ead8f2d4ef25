/** copyBytes and zeroBytes: the same bytes land whatever the sizes, whichever side is a shared memory, and whichever way the copy goes. */
import { beforeAll, describe, expect, test } from 'vitest';
import { copyBytes, noteSharedMemory, zeroBytes } from '../../src/core/copy-bytes.js';
import { Imfs, O_CREAT, O_RDWR } from '../../src/core/index.js';

const pattern = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff);
const sharedBytes = (n: number) => new Uint8Array(new WebAssembly.Memory({ initial: Math.ceil(n / 65536), maximum: 64, shared: true }).buffer);

// Both ways a copy can go: before the ABI layer has reported a shared memory (set() for
// everything) and after it (one memcpy above 8 KiB to or from a shared memory, or from 512
// bytes when the two sides are not equally aligned modulo 8; zeros copied in by set() from
// 256 bytes to 8 KiB, taken from the same place modulo 8).
for (const phase of ['before', 'after'] as const) {
  describe(`copyBytes, ${phase} a shared memory is noted`, () => {
    beforeAll(() => {
      if (phase === 'after') noteSharedMemory();
    });

    for (const n of [1, 64, 511, 512, 2047, 2048, 4096, 8192, 8193, 16_384, 70_000]) {
      test(`${n} bytes, plain to shared and back, at odd offsets, touching nothing else`, () => {
        const src = pattern(n + 10);
        const shared = sharedBytes(n + 20);
        copyBytes(shared, 5, src, 3, n);
        expect(shared[4]).toBe(0);
        expect(shared[5 + n]).toBe(0);
        expect(shared.subarray(5, 5 + n)).toEqual(src.subarray(3, 3 + n));
        const back = new Uint8Array(n + 4).fill(0xaa);
        copyBytes(back, 2, shared, 5, n);
        expect([back[1], back[2 + n]]).toEqual([0xaa, 0xaa]);
        expect(back.subarray(2, 2 + n)).toEqual(src.subarray(3, 3 + n));
      });

      test(`${n} bytes, plain to shared and back, equally aligned modulo 8`, () => {
        const src = pattern(n + 16);
        const shared = sharedBytes(n + 32);
        copyBytes(shared, 8, src, 16, n);
        expect([shared[7], shared[8 + n]]).toEqual([0, 0]);
        expect(shared.subarray(8, 8 + n)).toEqual(src.subarray(16, 16 + n));
        const back = new Uint8Array(n + 24).fill(0xaa);
        copyBytes(back, 16, shared, 8, n);
        expect([back[15], back[16 + n]]).toEqual([0xaa, 0xaa]);
        expect(back.subarray(16, 16 + n)).toEqual(src.subarray(16, 16 + n));
      });

      test(`${n} bytes, a whole source array (no subarray taken) into a shared memory`, () => {
        const src = pattern(n);
        const shared = sharedBytes(n + 20);
        copyBytes(shared, 9, src, 0, n);
        expect([shared[8], shared[9 + n]]).toEqual([0, 0]);
        expect(shared.subarray(9, 9 + n)).toEqual(src);
      });
    }

    test('plain to plain, and zero bytes copy nothing', () => {
      const src = pattern(5000), dst = new Uint8Array(5000);
      copyBytes(dst, 0, src, 0, 5000);
      expect(dst).toEqual(src);
      const untouched = new Uint8Array(8).fill(9);
      copyBytes(untouched, 4, src, 0, 0);
      expect(untouched.every((b) => b === 9)).toBe(true);
    });

    for (const n of [0, 1, 255, 256, 2047, 2048, 5000, 8192, 8193, 16_384, 40_000]) {
      test(`zeroBytes: ${n} bytes of a shared and of a plain memory, nothing around them`, () => {
        for (const mem of [sharedBytes(n + 20), new Uint8Array(n + 20)]) {
          for (const off of [7, 8]) {
            mem.fill(0xee);
            zeroBytes(mem, off, n);
            expect(mem[off - 1]).toBe(0xee);
            expect(mem[off + n]).toBe(0xee);
            expect(mem.subarray(off, off + n).every((b) => b === 0)).toBe(true);
          }
        }
      });
    }
  });
}

describe('readv/writev through a shared memory (gather and scatter use copyBytes)', () => {
  test('two large iovecs in a shared memory are written and read back in order', () => {
    const fs = new Imfs();
    const fd = fs.open(0, '/v', O_CREAT | O_RDWR, 0o644);
    const mem = sharedBytes(1 << 16);
    const data = pattern(8000);
    mem.set(data, 100);
    expect(fs.writev(0, fd, [mem.subarray(100, 3100), mem.subarray(3100, 8100)])).toBe(8000);
    const back = [mem.subarray(20_000, 22_500), mem.subarray(30_000, 35_500)];
    expect(fs.preadv(0, fd, back, 0)).toBe(8000);
    expect(back[0]).toEqual(data.subarray(0, 2500));
    expect(back[1]).toEqual(data.subarray(2500, 8000));
    expect(mem[22_500]).toBe(0);
  });
});
