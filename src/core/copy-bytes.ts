/**
 * Moving bytes between the IMFS's own memory (file chunks, pipe rings, gather buffers:
 * never shared) and a user's view (a cage's memory, shared for a lind cage), and zeroing
 * a user's view; named after Linux's copy_to_user, copy_from_user and clear_user.
 * TypedArray.prototype.set copies to or from a SharedArrayBuffer with relaxed atomics:
 * word by word when source and destination are equally aligned modulo 8, at about half
 * the speed of memcpy into memory in cache, and byte by byte otherwise (4 KiB: 1.2 us
 * instead of 0.2). Node's own memmove (node-copy.ts; Node 20, 22, 24 and 26 offer it)
 * costs what set() costs on plain memory at every size; where a Node does not offer it,
 * Buffer fill does the same (one memcpy whatever the memory) with ~100 ns more per call.
 * No other agent touches a cage's memory while the grate copies (a cage runs one thread
 * and the grate runs between its instructions), so nothing can race with a plain copy.
 */
import { findNodeMemmove, type Memmove } from './node-copy.js';

const bufferFill = Buffer.prototype.fill;
const nodeMemmove = findNodeMemmove();
/** One memcpy, whatever the memories: Node's memmove, or else Buffer fill with a source exactly as long. */
const memcpy: Memmove = nodeMemmove ?? ((dst, dstOff, src, srcOff, n) => {
  bufferFill.call(dst, src.subarray(srcOff, srcOff + n), dstOff, dstOff + n);
});

/**
 * Whether a shared memory has been handed to the ABI layer (noteSharedMemory). Until then
 * no user view is asked for its buffer (a call into V8, ~15 ns); a shared view passed
 * straight to the core API is still copied right, by set().
 */
let sharedSeen = false;

/** Called for each cage memory that is a SharedArrayBuffer (a lind cage's always is). */
export function noteSharedMemory(): void {
  sharedSeen = true;
}

/**
 * The last user view asked about, and whether its memory is shared: a cage passes the
 * same view of its memory call after call, so the buffer is asked for once per view.
 */
let lastUser: Uint8Array | null = null;
let lastUserShared = false;

function isShared(user: Uint8Array): boolean {
  if (!sharedSeen) return false;
  if (user !== lastUser) {
    lastUser = user;
    lastUserShared = user.buffer instanceof SharedArrayBuffer;
  }
  return lastUserShared;
}

/** Lets go of the last user view (a cage has exited: its memory need not stay alive). */
export function forgetUserView(): void {
  lastUser = null;
}

/** Below this size alignment does not matter to either way of copying. */
const MEMCPY_FROM = 512;
/** Without Node's memmove, Buffer fill's extra call cost pays off only above this size. */
const FILL_ABOVE = 8 << 10;

/**
 * Whether a copy of n bytes to or from a shared memory, its destination `skew` bytes past
 * its source modulo 32, goes by one memcpy rather than by set()'s relaxed copy. A short
 * copy takes Node's memmove where there is one: set() needs a view of the source made
 * first (a 64-byte pwrite from a lind cage: 141 ns instead of 170). From MEMCPY_FROM,
 * measured here (4 KiB): set() goes byte by byte unless the skew is a multiple of 8
 * (1.2 us), and otherwise takes ~0.27 us whether the destination is in cache or not;
 * glibc's memmove (rep movsb from 2112 bytes on this CPU) takes ~0.1 us into memory in
 * cache, ~0.2 us into memory not in cache at a skew that is a multiple of 32, but
 * 0.4-0.6 us there at any other skew. A file's written bytes mostly land in memory not in
 * cache.
 */
function byMemcpy(n: number, skew: number): boolean {
  if (n < MEMCPY_FROM) return nodeMemmove !== null;
  if ((skew & 7) !== 0) return true;
  if ((skew & 31) !== 0) return false;
  return nodeMemmove !== null || n > FILL_ABOVE;
}

/**
 * Copies src[srcOff, srcOff + n) to dst[dstOff, …) by set(), or by memcpy where byMemcpy
 * says. Alignment is judged from the offsets alone: both views are taken to start at a
 * multiple of 32, as a cage's memory and the IMFS's file chunks do (a view's byteOffset
 * costs a call into V8, 10 ns). A view starting elsewhere (an iovec of a vectored call, a
 * malloc'd buffer) is still copied exactly, only perhaps the slower way.
 */
function copy(dst: Uint8Array, dstOff: number, src: Uint8Array, srcOff: number, n: number, shared: boolean): void {
  if (n === 1) {
    dst[dstOff] = src[srcOff];
    return;
  }
  if (shared && byMemcpy(n, dstOff - srcOff)) {
    memcpy(dst, dstOff, src, srcOff, n);
    return;
  }
  // A whole chunk (a small file's read or write) needs no view of its own.
  dst.set(srcOff === 0 && n === src.length ? src : src.subarray(srcOff, srcOff + n), dstOff);
}

/**
 * Copies own[ownOff, ownOff + n) to user[userOff, …): into a shared memory always by Node's
 * memmove where there is one. A read's destination is the cage's buffer, mostly in cache:
 * a lind cage's 4 KiB reads took 0.76x the time they took by set().
 */
export function copyToUser(user: Uint8Array, userOff: number, own: Uint8Array, ownOff: number, n: number): void {
  const shared = isShared(user);
  if (shared && n > 1 && nodeMemmove !== null) nodeMemmove(user, userOff, own, ownOff, n);
  else copy(user, userOff, own, ownOff, n, shared);
}

/** Copies user[userOff, userOff + n) to own[ownOff, …), by set() or memcpy as byMemcpy says. */
export function copyFromUser(own: Uint8Array, ownOff: number, user: Uint8Array, userOff: number, n: number): void {
  copy(own, ownOff, user, userOff, n, isShared(user));
}

/**
 * What clearUser copies from (Buffer fill repeats a short source, doubling each memcpy).
 * Its memory comes from malloc (16-byte aligned), so ZEROS[k] lies at k modulo 8.
 */
const ZEROS = new Uint8Array(16 << 10);

/** Zeroing fewer bytes than this is quick whatever the memory. */
const SMALL_CLEAR = 256;

/**
 * Sets user[off, off + n) to zero. TypedArray fill stores into a shared memory one byte at
 * a time (4 KiB: 1.2 us instead of 60 ns): zeros are copied in instead, beyond 16 KiB by
 * Buffer fill (one call however long), below it as copy() chooses, taken from the same
 * place modulo 8 (for set()).
 */
export function clearUser(user: Uint8Array, off: number, n: number): void {
  if (n < SMALL_CLEAR || !isShared(user)) user.fill(0, off, off + n);
  else if (n > ZEROS.length - 8) bufferFill.call(user, ZEROS, off, off + n);
  else {
    const k = off & 7;
    copy(user, off, ZEROS, k, n, true);
  }
}
