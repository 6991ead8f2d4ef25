/**
 * Moving bytes between file memory and a cage's memory, and zeroing a cage's memory.
 * TypedArray.prototype.set copies to or from a SharedArrayBuffer (a lind cage's memory is
 * shared) with relaxed atomics: word by word when source and destination are equally
 * aligned modulo 8, at about half the speed of memcpy, and byte by byte otherwise (4 KiB:
 * 1.2 us instead of 0.2). Node's Buffer fill with a source exactly as long as the range
 * is one memcpy whatever the buffers are, but its call costs more than it saves on small
 * copies: measured in running lind cages (same process, alternating builds), 4 KiB reads
 * and writes took 1.6x as long through fill as through a word-by-word set(), while whole
 * 16 KiB chunks (bulk reads and writes) went as fast or up to 10% faster through fill.
 * No other agent touches a cage's memory while the grate copies (a cage runs one thread
 * and the grate runs between its instructions), so nothing can race with the plain copy.
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
/** ... and from this size when source and destination are not equally aligned modulo 8. */
const MISALIGNED_MEMCPY_FROM = 512;

/**
 * Copies src[srcOff, srcOff + n) to dst[dstOff, …); the two must be different memory.
 * Alignment is judged from the offsets alone: both views are taken to start at a multiple
 * of 8, as the IMFS's own buffers do (chunks, pipe buffers, gather buffers) and the cage's
 * whole memory, which the ABI layers pass with an offset. (A view's byteOffset costs a
 * call into V8 each time, 10 ns: reading two made lind's 4 KiB reads 19% slower.) A view
 * starting elsewhere (an iovec of a vectored call) is still copied exactly, only perhaps
 * byte by byte.
 */
export function copyBytes(dst: Uint8Array, dstOff: number, src: Uint8Array, srcOff: number, n: number): void {
  if (n === 1) {
    dst[dstOff] = src[srcOff];
    return;
  }
  // A whole chunk (a small file's read or write) needs no view of its own.
  const from = srcOff === 0 && n === src.length ? src : src.subarray(srcOff, srcOff + n);
  if (
    n >= MISALIGNED_MEMCPY_FROM && sharedSeen &&
    (n > MEMCPY_ABOVE || ((dstOff - srcOff) & 7) !== 0) &&
    (dst.buffer instanceof SharedArrayBuffer || src.buffer instanceof SharedArrayBuffer)
  ) {
    bufferFill.call(dst, from, dstOff, dstOff + n);
  } else dst.set(from, dstOff);
}

/**
 * What zeroBytes copies from (Buffer fill repeats a short source, doubling each memcpy).
 * Its memory comes from malloc (16-byte aligned), so ZEROS[k] lies at k modulo 8.
 */
const ZEROS = new Uint8Array(16 << 10);

/** Zeroing fewer bytes than this is quick whatever the memory: no need to ask whether it is shared. */
const SMALL_ZEROING = 256;

/**
 * Sets dst[off, off + n) to zero. TypedArray fill stores into a shared memory one byte at a
 * time (4 KiB: 1.2 us instead of 60 ns): zeros are copied in instead, by set() or by fill
 * as copyBytes chooses.
 */
export function zeroBytes(dst: Uint8Array, off: number, n: number): void {
  if (n < SMALL_ZEROING || !sharedSeen || !(dst.buffer instanceof SharedArrayBuffer)) dst.fill(0, off, off + n);
  else if (n > MEMCPY_ABOVE) bufferFill.call(dst, ZEROS, off, off + n);
  else {
    // Zeros taken from the same place modulo 8, so set() copies them word by word.
    const k = off & 7;
    dst.set(ZEROS.subarray(k, k + n), off);
  }
}
