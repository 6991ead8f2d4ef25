/**
 * A cage's linear memory as the ABI layers see it: cached views that are rebuilt only
 * when the buffer changes (memory.grow detaches a plain buffer and replaces a shared
 * one), and bounds checks that turn a bad pointer into EFAULT instead of a host exception.
 */
export class CageMemory {
  private buffer: ArrayBufferLike;
  u8: Uint8Array;
  dv: DataView;

  constructor(readonly memory: WebAssembly.Memory) {
    this.buffer = memory.buffer;
    this.u8 = new Uint8Array(this.buffer);
    this.dv = new DataView(this.buffer);
  }

  /** Call at the start of every import call, and after growing the memory. */
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
    return ptr >= 0 && len >= 0 && ptr + len <= this.u8.length;
  }

  /**
   * The NUL-terminated string at ptr, as a view (without the NUL): -14 (EFAULT) if it runs
   * off the memory or ptr is NULL, -36 (ENAMETOOLONG) if no NUL within `max` bytes.
   */
  cstring(ptr: number, max = 4096): Uint8Array | number {
    const u8 = this.u8;
    if (ptr === 0 || ptr >= u8.length) return -14;
    const limit = Math.min(u8.length, ptr + max);
    const nul = u8.indexOf(0, ptr);
    if (nul < 0 || nul >= limit) return limit === u8.length && (nul < 0 || nul >= u8.length) ? -14 : -36;
    return u8.subarray(ptr, nul);
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
  /** Reads an i64 as a Number (exact below 2^53 in magnitude). */
  i64(ptr: number): number {
    const dv = this.dv;
    return dv.getInt32(ptr + 4, true) * 4294967296 + dv.getUint32(ptr, true);
  }
  u64(ptr: number): number {
    const dv = this.dv;
    return dv.getUint32(ptr + 4, true) * 4294967296 + dv.getUint32(ptr, true);
  }
}
