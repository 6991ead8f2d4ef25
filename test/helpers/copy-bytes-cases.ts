/**
 * The copy-bytes cases, run by two test files: one with Node's memmove as this Node offers
 * it, one with it taken away (Buffer fill in its place). From 512 bytes a copy touching a
 * shared memory goes by set() or by one memcpy depending on how far apart modulo 32 its
 * two sides lie (a multiple of 32, of 8 only, or neither: all three are here), and reads
 * into a shared memory always by Node's memmove. Each way runs before and after the ABI
 * layer has noted a shared memory (before: set() for everything).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { clearUser, copyFromUser, copyToUser, noteSharedMemory } from '../../src/core/copy-bytes.js';
import { Imfs, O_CREAT, O_RDWR } from '../../src/core/index.js';

const pattern = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff);
const sharedBytes = (n: number) => new Uint8Array(new WebAssembly.Memory({ initial: Math.ceil(n / 65536), maximum: 64, shared: true }).buffer);

/**
 * Where a copy's two sides lie: [how, offset in the shared memory, offset in the own array,
 * offset in the array copied back into]. Both ways, the sides lie a number of bytes apart
 * that is not a multiple of 8, a multiple of 8 but not of 32, or a multiple of 32.
 */
const PLACES = [
  ['not equally aligned modulo 8', 5, 3, 2],
  ['equally aligned modulo 8', 8, 16, 16],
  ['equally aligned modulo 32', 96, 32, 32],
] as const;

export function copyBytesCases(way: string): void {
  for (const phase of ['before', 'after'] as const) {
    describe(`${way}: copies ${phase} a shared memory is noted`, () => {
      beforeAll(() => {
        if (phase === 'after') noteSharedMemory();
      });

      for (const n of [1, 2, 64, 511, 512, 2047, 2048, 4096, 8192, 8193, 16_384, 70_000]) {
        for (const [how, at, from, backAt] of PLACES) {
          test(`${n} bytes, plain to shared and back, ${how}, touching nothing else`, () => {
            const own = pattern(from + n + 8);
            const shared = sharedBytes(at + n + 8);
            copyToUser(shared, at, own, from, n);
            expect([shared[at - 1], shared[at + n]]).toEqual([0, 0]);
            expect(shared.subarray(at, at + n)).toEqual(own.subarray(from, from + n));
            const back = new Uint8Array(backAt + n + 8).fill(0xaa);
            copyFromUser(back, backAt, shared, at, n);
            expect([back[backAt - 1], back[backAt + n]]).toEqual([0xaa, 0xaa]);
            expect(back.subarray(backAt, backAt + n)).toEqual(own.subarray(from, from + n));
          });
        }

        test(`${n} bytes, a whole own array (no subarray taken) into a shared memory`, () => {
          const own = pattern(n);
          const shared = sharedBytes(n + 20);
          copyToUser(shared, 9, own, 0, n);
          expect([shared[8], shared[9 + n]]).toEqual([0, 0]);
          expect(shared.subarray(9, 9 + n)).toEqual(own);
        });

        test(`${n} bytes into a view that starts inside a shared memory (an iovec)`, () => {
          const own = pattern(n + 3);
          const memory = sharedBytes(n + 40);
          const iovec = memory.subarray(13, 13 + n + 10);
          copyToUser(iovec, 3, own, 3, n);
          expect([memory[15], memory[16 + n]]).toEqual([0, 0]);
          expect(memory.subarray(16, 16 + n)).toEqual(own.subarray(3, 3 + n));
        });
      }

      test('plain to plain, and zero bytes copy nothing', () => {
        const own = pattern(5000), user = new Uint8Array(5000);
        copyToUser(user, 0, own, 0, 5000);
        expect(user).toEqual(own);
        const untouched = sharedBytes(8).fill(9);
        copyToUser(untouched, 4, own, 0, 0);
        copyFromUser(own, 0, untouched, 4, 0);
        expect(untouched.subarray(0, 8).every((b) => b === 9)).toBe(true);
        expect(own).toEqual(pattern(5000));
      });

      test('a copy past the end of the user view throws and the caller sees it', () => {
        const own = pattern(100);
        expect(() => copyToUser(sharedBytes(65536), 65536 - 50, own, 0, 100)).toThrow(RangeError);
        expect(() => copyFromUser(new Uint8Array(200), 150, sharedBytes(65536), 0, 100)).toThrow(RangeError);
      });

      for (const n of [0, 1, 255, 256, 2047, 2048, 5000, 8192, 8193, 16_376, 16_377, 16_384, 40_000]) {
        test(`clearUser: ${n} bytes of a shared and of a plain memory, nothing around them`, () => {
          for (const mem of [sharedBytes(n + 20), new Uint8Array(n + 20)]) {
            for (const off of [7, 8]) {
              mem.fill(0xee);
              clearUser(mem, off, n);
              expect(mem[off - 1]).toBe(0xee);
              expect(mem[off + n]).toBe(0xee);
              expect(mem.subarray(off, off + n).every((b) => b === 0)).toBe(true);
            }
          }
        });
      }
    });
  }

  describe(`${way}: readv/writev through a shared memory (gather and scatter copy too)`, () => {
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
}
