/**
 * Moving bytes between file memory and a cage's memory, and zeroing a cage's memory.
 * TypedArray.prototype.set copies to or from a SharedArrayBuffer (a lind cage's memory is
 * shared) word by word with relaxed atomics, at about half the speed of memcpy. Node's
 * Buffer fill with a source exactly as long as the range is one memcpy whatever the
 * buffers are, but its call costs more than it saves on small copies: measured in running
 * lind cages (same process, alternating builds), 4 KiB reads and writes took 1.6x as long
 * through fill as through set(), while whole 16 KiB chunks (bulk reads and writes) went
 * as fast or up to 10% faster through fill. No other agent touches a cage's memory while
 * the grate copies (a cage runs one thread and the grate runs between its instructions),
 * so nothing can race with the plain copy.
 */
const bufferFill = Buffer.prototype.fill;

/**
 * Whether a shared memory has been handed to the ABI layer (noteSharedMemory). Until then
 * copies skip asking each view for its buffer (a call into V8's runtime, ~15 ns each way);
 * a shared view passed straight to the core API is still copied right, by set().
 */
let sharedSeen = false;

/** Called for each cage memory that is a SharedArrayBuffer (a lind cage's always is). */
export function noteSharedMemory(): void {
  sharedSeen = true;
}

/** Copies to or from a shared memory above this size go through Node's fill (one memcpy). */
const MEMCPY_ABOVE = 8 << 10;

/** Copies src[srcOff, srcOff + n) to dst[dstOff, …); the two must be different memory. */
export function copyBytes(dst: Uint8Array, dstOff: number, src: Uint8Array, srcOff: number, n: number): void {
  if (n === 1) {
    dst[dstOff] = src[srcOff];
    return;
  }
  // A whole chunk (a small file's read or write) needs no view of its own.
  const from = srcOff === 0 && n === src.length ? src : src.subarray(srcOff, srcOff + n);
  if (n > MEMCPY_ABOVE && sharedSeen && (dst.buffer instanceof SharedArrayBuffer || src.buffer instanceof SharedArrayBuffer)) {
    bufferFill.call(dst, from, dstOff, dstOff + n);
  } else dst.set(from, dstOff);
}

/** What zeroBytes copies from (Buffer fill repeats a short source, doubling each memcpy). */
const ZEROS = new Uint8Array(16 << 10);

/** Zeroing fewer bytes than this is quick whatever the memory: no need to ask whether it is shared. */
const SMALL_ZEROING = 2048;

/**
 * Sets dst[off, off + n) to zero. TypedArray fill stores into a shared memory one byte at a
 * time (4 KiB: 1.2 us instead of 60 ns): zeros are copied in instead, by set() or by fill
 * as copyBytes chooses.
 */
export function zeroBytes(dst: Uint8Array, off: number, n: number): void {
  if (n < SMALL_ZEROING || !sharedSeen || !(dst.buffer instanceof SharedArrayBuffer)) dst.fill(0, off, off + n);
  else if (n > MEMCPY_ABOVE) bufferFill.call(dst, ZEROS, off, off + n);
  else dst.set(ZEROS.subarray(0, n), off);
}
