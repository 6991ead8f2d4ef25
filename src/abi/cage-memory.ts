/**
 * A cage's linear memory as the ABI layers see it: cached views, and bounds checks that
 * turn a bad pointer into EFAULT instead of a host exception.
 * The views are rebuilt only when a check fails: memory.grow detaches a plain buffer
 * (its views shrink to length 0) and replaces a shared one (its views keep the old
 * length), so after any growth the next out-of-range check refreshes and looks again.
 * That keeps memory.buffer (≈100–200 ns for a shared memory) off the per-call path.
 * Every access must therefore follow an ok() (or cstring()) check of its range.
 */
import { noteSharedMemory } from '../core/copy-bytes.js';
import { i64 } from './i64-halves.js';

export class CageMemory {
  private buffer: ArrayBufferLike;
  u8: Uint8Array;
  dv: DataView;

  constructor(readonly memory: WebAssembly.Memory) {
    this.buffer = memory.buffer;
    this.u8 = new Uint8Array(this.buffer);
    this.dv = new DataView(this.buffer);
    if (this.buffer instanceof SharedArrayBuffer) noteSharedMemory();
  }

  /** Rebuilds the views if the memory has grown (ok() and cstring() call this when a check fails). */
  refresh(): void {
    const b = this.memory.buffer;
    if (b !== this.buffer) {
      this.buffer = b;
      this.u8 = new Uint8Array(b);
      this.dv = new DataView(b);
    }
  }

  get size(): number {
    return this.u8.length;
  }

  /** Whether [ptr, ptr + len) lies inside the memory. */
  ok(ptr: number, len: number): boolean {
    if (ptr >= 0 && len >= 0 && ptr + len <= this.u8.length) return true;
    this.refresh();
    return ptr >= 0 && len >= 0 && ptr + len <= this.u8.length;
  }

  /**
   * Where the NUL-terminated string at ptr ends (the index of its NUL): -14 (EFAULT) if it
   * runs off the memory or ptr is NULL, -36 (ENAMETOOLONG) if no NUL within `max` bytes.
   */
  cstringEnd(ptr: number, max = 4096): number {
    if (ptr >= this.u8.length || this.u8.length === 0) this.refresh();
    const u8 = this.u8;
    if (ptr === 0 || ptr >= u8.length) return -14;
    const limit = Math.min(u8.length, ptr + max);
    const nul = u8.indexOf(0, ptr);
    if (nul >= 0 && nul < limit) return nul;
    return limit === u8.length ? -14 : -36;
  }

  /** The NUL-terminated string at ptr as a view (without the NUL), or -errno as cstringEnd. */
  cstring(ptr: number, max = 4096): Uint8Array | number {
    const end = this.cstringEnd(ptr, max);
    return end < 0 ? end : this.u8.subarray(ptr, end);
  }

  /** A view of [ptr, ptr + len); check ok() first. */
  view(ptr: number, len: number): Uint8Array {
    return this.u8.subarray(ptr, ptr + len);
  }

  u32(ptr: number): number {
    return this.dv.getUint32(ptr, true);
  }
  i32(ptr: number): number {
    return this.dv.getInt32(ptr, true);
  }
  setU32(ptr: number, v: number): void {
    this.dv.setUint32(ptr, v >>> 0, true);
  }
  setI32(ptr: number, v: number): void {
    this.dv.setInt32(ptr, v | 0, true);
  }
  setU16(ptr: number, v: number): void {
    this.dv.setUint16(ptr, v, true);
  }
  /** Writes a non-negative integer below 2^53 as a u64 (negative values as two's complement). */
  setU64(ptr: number, v: number): void {
    const dv = this.dv;
    if (v < 0) {
      const big = BigInt.asUintN(64, BigInt(Math.trunc(v)));
      dv.setBigUint64(ptr, big, true);
      return;
    }
    dv.setUint32(ptr, v >>> 0, true);
    dv.setUint32(ptr + 4, Math.floor(v / 4294967296) >>> 0, true);
  }
  /**
   * Writes sec * 1e9 + nsec as a u64 without BigInt (WASI timestamps): sec * 1e9 itself
   * is past 2^53, so it is built from sec * 1953125 (exact) times 512, in 32-bit halves.
   */
  setNs64(ptr: number, sec: number, nsec: number): void {
    if (sec < 0 || sec >= 4_000_000_000) {
      this.dv.setBigUint64(ptr, BigInt.asUintN(64, BigInt(sec) * 1_000_000_000n + BigInt(nsec)), true);
      return;
    }
    const a = sec * 1953125;
    const aHigh = Math.floor(a / 8388608), aLow = a - aHigh * 8388608;
    const low = aLow * 512 + nsec;
    const carry = Math.floor(low / 4294967296);
    this.dv.setUint32(ptr, low - carry * 4294967296, true);
    this.dv.setUint32(ptr + 4, aHigh + carry, true);
  }
  /** Reads an i64 as a Number (exact below 2^53 in magnitude). */
  i64(ptr: number): number {
    return i64(this.dv.getUint32(ptr, true), this.dv.getInt32(ptr + 4, true));
  }
  u64(ptr: number): number {
    const dv = this.dv;
    return dv.getUint32(ptr + 4, true) * 4294967296 + dv.getUint32(ptr, true);
  }
}
