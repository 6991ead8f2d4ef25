/**
 * A regular file's bytes: fixed-size chunks indexed by offset / chunkSize, so any offset
 * is found in O(1), holes cost nothing, and growth never copies the file. Chunk 0 has a
 * field of its own; chunk indexes 1 .. DENSE_LIMIT - 1 live in a plain array (kept dense:
 * V8 turns a far-sparse array into a slow dictionary); the rare chunks beyond it (files
 * past several GiB) live in a Map.
 * A chunk may be shorter than chunkSize (small files start small and double up to it;
 * a chunk after a full one starts full);
 * bytes past a chunk's end read as zeros. Invariant: every allocated byte at or past the
 * file's size is zero, so extending a file always exposes zeros.
 * The file size lives in the inode table; it is passed in where needed.
 */
import { clearUser, copyFromUser, copyToUser } from './copy-bytes.js';
import type { Space } from './space.js';

const MIN_CHUNK = 512;
/** Chunk indexes below this go in the dense array (2^18 chunks: 4 GiB with 16 KiB chunks). */
const DENSE_LIMIT = 1 << 18;

function roundUpChunk(bytes: number, chunkSize: number): number {
  let c = MIN_CHUNK;
  while (c < bytes) c *= 2;
  return c < chunkSize ? c : chunkSize;
}

export class FileData {
  /**
   * Chunk 0 in a field of its own: most files are one chunk, and a file not in cache is
   * then read through one object less (no array and its element store on the way).
   */
  private head: Uint8Array | undefined = undefined;
  /** Chunks 1 .. DENSE_LIMIT - 1 by index (slot 0 unused); made at the first such chunk. */
  private dense: (Uint8Array | undefined)[] | null = null;
  private far: Map<number, Uint8Array> | null = null;
  /** Bytes held by this file's chunks (their capacities). */
  allocated = 0;

  constructor(readonly chunkSize: number) {}

  chunk(k: number): Uint8Array | undefined {
    if (k === 0) return this.head;
    return k < DENSE_LIMIT ? this.dense?.[k] : this.far?.get(k);
  }

  private setChunk(k: number, c: Uint8Array | undefined): void {
    if (k === 0) {
      this.head = c;
    } else if (k < DENSE_LIMIT) {
      const dense = (this.dense ??= []);
      while (dense.length < k) dense.push(undefined);
      dense[k] = c;
    } else if (c === undefined) {
      this.far?.delete(k);
    } else {
      (this.far ??= new Map()).set(k, c);
    }
  }

  /** Indexes of the allocated chunks in [first, last), in increasing order. */
  private allocatedIn(first: number, last: number): number[] {
    const out: number[] = [];
    if (first === 0 && last > 0 && this.head !== undefined) out.push(0);
    const dense = this.dense ?? [];
    for (let k = Math.max(first, 1), end = Math.min(last, dense.length); k < end; k++) if (dense[k] !== undefined) out.push(k);
    if (this.far !== null && last > DENSE_LIMIT) {
      const farKeys = [...this.far.keys()].filter((k) => k >= first && k < last).sort((a, b) => a - b);
      out.push(...farKeys);
    }
    return out;
  }

  /** Copies up to `len` bytes at `pos` into dst[dstOff..]; returns the count (0 at or past EOF). */
  read(dst: Uint8Array, dstOff: number, len: number, pos: number, size: number): number {
    if (pos >= size) return 0;
    const n = Math.min(len, size - pos);
    const cs = this.chunkSize;
    let done = 0;
    while (done < n) {
      const p = pos + done;
      const k = Math.floor(p / cs);
      const inChunk = p - k * cs;
      const step = Math.min(cs - inChunk, n - done);
      const chunk = this.chunk(k);
      const avail = chunk === undefined ? 0 : Math.max(0, Math.min(step, chunk.length - inChunk));
      if (avail > 0) copyToUser(dst, dstOff + done, chunk!, inChunk, avail);
      if (avail < step) clearUser(dst, dstOff + done + avail, step - avail);
      done += step;
    }
    return n;
  }

  /**
   * Copies src[srcOff..srcOff+len] to `pos`, allocating chunks as needed.
   * Returns the bytes written: fewer than len when space ran out part way, -1 when none fit.
   */
  write(src: Uint8Array, srcOff: number, len: number, pos: number, space: Space): number {
    const cs = this.chunkSize;
    let done = 0;
    while (done < len) {
      const p = pos + done;
      const k = Math.floor(p / cs);
      const inChunk = p - k * cs;
      const step = Math.min(cs - inChunk, len - done);
      const chunk = this.reserve(k, inChunk + step, space);
      if (chunk === undefined) return done > 0 ? done : -1;
      copyFromUser(chunk, inChunk, src, srcOff + done, step);
      done += step;
    }
    return done;
  }

  /** Ensures chunk k exists with at least `bytes` capacity; undefined when space ran out. */
  private reserve(k: number, bytes: number, space: Space): Uint8Array | undefined {
    const old = this.chunk(k);
    if (old !== undefined && old.length >= bytes) return old;
    // Past a full chunk the file is being written through: take the whole chunk at once
    // rather than growing it (and copying it) 512 -> ... -> chunkSize on every small write.
    const prev = k > 0 ? this.chunk(k - 1) : undefined;
    const cap = prev !== undefined && prev.length === this.chunkSize ? this.chunkSize : roundUpChunk(bytes, this.chunkSize);
    const grow = cap - (old === undefined ? 0 : old.length);
    if (!space.take(grow)) return undefined;
    const chunk = space.pool.alloc(cap);
    if (old !== undefined) {
      chunk.set(old);
      space.pool.free(old);
    }
    this.setChunk(k, chunk);
    this.allocated += grow;
    return chunk;
  }

  /** Shrinks the stored bytes to `newSize` (growing needs nothing: the new range is a hole). */
  truncate(newSize: number, oldSize: number, space: Space): void {
    if (newSize >= oldSize) return;
    // Everything past the new size goes, as shmem_truncate_range(newsize, -1) does: a chunk's
    // capacity and fallocate(KEEP_SIZE) may reach beyond the old size.
    this.zeroRange(newSize, Infinity, space);
  }

  /** Makes [start, end) read as zeros, freeing every chunk the range covers whole. */
  zeroRange(start: number, end: number, space: Space): void {
    const cs = this.chunkSize;
    // The last chunk first: the pool hands freed chunks out last-in first-out, so a file
    // written next gets them back in the order this one had them. Freed first-to-last, each
    // delete-and-rewrite would reverse a file's layout in memory, and reading a file laid
    // out backwards costs up to twice as much here.
    for (const k of this.allocatedIn(Math.floor(start / cs), Math.ceil(end / cs)).reverse()) {
      const chunk = this.chunk(k)!;
      const base = k * cs;
      const from = Math.max(start - base, 0);
      const to = Math.min(end - base, cs);
      if (from === 0 && to >= chunk.length) {
        this.allocated -= chunk.length;
        space.give(chunk.length);
        space.pool.free(chunk);
        this.setChunk(k, undefined);
      } else if (from < chunk.length) {
        chunk.fill(0, from, Math.min(to, chunk.length));
      }
    }
    // Drop trailing empty slots so the array does not keep a long tail of holes.
    const dense = this.dense;
    if (dense === null) return;
    let n = dense.length;
    while (n > 0 && dense[n - 1] === undefined) n--;
    if (n !== dense.length) dense.length = n;
  }

  /** Allocates every chunk that [start, end) touches, whole; all or nothing. */
  allocate(start: number, end: number, space: Space): boolean {
    const cs = this.chunkSize;
    const firstK = Math.floor(start / cs), lastK = Math.ceil(end / cs);
    // The chunks already there hold at most `allocated` bytes: a range too big even so is
    // refused before it is walked chunk by chunk (a cage may ask for a terabyte).
    if ((lastK - firstK) * cs - this.allocated > space.max - space.used) return false;
    let need = 0;
    for (let k = firstK; k < lastK; k++) need += cs - (this.chunk(k)?.length ?? 0);
    if (!space.take(need)) return false;
    space.give(need);
    for (let k = firstK; k < lastK; k++) this.reserve(k, cs, space);
    return true;
  }

  /** SEEK_DATA: the first offset >= pos inside allocated data, or -1 (ENXIO) if none before EOF. */
  seekData(pos: number, size: number): number {
    const cs = this.chunkSize;
    for (const k of this.allocatedIn(Math.floor(pos / cs), Math.ceil(size / cs))) {
      const at = Math.max(pos, k * cs);
      if (at < k * cs + this.chunk(k)!.length && at < size) return at;
    }
    return -1;
  }

  /** SEEK_HOLE: the first offset >= pos not inside allocated data (EOF counts as a hole). */
  seekHole(pos: number, size: number): number {
    const cs = this.chunkSize;
    let at = pos;
    while (at < size) {
      const k = Math.floor(at / cs);
      const chunk = this.chunk(k);
      if (chunk === undefined || at >= k * cs + chunk.length) return at;
      at = k * cs + chunk.length;
    }
    return size;
  }

  /** Calls visit(k, chunk) for every allocated chunk (for the consistency checker). */
  forEachChunk(visit: (k: number, chunk: Uint8Array) => void): void {
    if (this.head !== undefined) visit(0, this.head);
    this.dense?.forEach((c, k) => { if (c !== undefined) visit(k, c); });
    this.far?.forEach((c, k) => visit(k, c));
  }

  /** Frees everything (the inode is going away). */
  release(space: Space): void {
    this.zeroRange(0, Infinity, space);
    this.dense = null;
    this.far = null;
  }
}
