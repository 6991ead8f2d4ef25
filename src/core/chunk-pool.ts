/**
 * Where file chunks live: views carved out of slabs, kept per power-of-two size.
 * A fresh ArrayBuffer costs V8 about a microsecond and a malloc; a view of a slab costs a
 * tenth of that, and slabs carry no per-chunk ArrayBuffer overhead. Slabs double in size
 * (256 KiB up to 16 MiB) as a size class fills: every ArrayBuffer counts as external
 * memory, and V8 answers many small ones with many garbage collections.
 * Free views are kept zeroed (zeroed when freed), so a chunk always starts out as zeros.
 * Slabs whose chunks are all free go back to the host once the free views outweigh the
 * live ones.
 */
const FIRST_SLAB = 256 << 10, LARGEST_SLAB = 16 << 20, SLAB_BYTES = 1 << 20;

interface Slab {
  live: number;
}

interface SizeClass {
  size: number;
  free: Uint8Array[];
  /** The slab being carved, where its next chunk starts, and how big the next slab is. */
  carving: ArrayBuffer | null;
  next: number;
  nextSlab: number;
  liveBytes: number;
  /** Free views past this many trigger a trim (raised after each trim, so trims stay rare). */
  trimAt: number;
}

export class ChunkPool {
  private readonly classes = new Map<number, SizeClass>();
  private readonly slabs = new Map<ArrayBufferLike, Slab>();

  private sizeClass(size: number): SizeClass {
    let c = this.classes.get(size);
    if (c === undefined) {
      c = { size, free: [], carving: null, next: 0, nextSlab: FIRST_SLAB, liveBytes: 0, trimAt: 0 };
      this.classes.set(size, c);
    }
    return c;
  }

  /** A zeroed chunk of `size` bytes (a power of two). */
  alloc(size: number): Uint8Array {
    const c = this.sizeClass(size);
    let chunk = c.free.pop();
    if (chunk === undefined) {
      if (c.carving === null || c.next + size > c.carving.byteLength) {
        c.carving = new ArrayBuffer(Math.max(c.nextSlab, size));
        c.nextSlab = Math.min(2 * c.nextSlab, LARGEST_SLAB);
        c.next = 0;
        this.slabs.set(c.carving, { live: 0 });
      }
      chunk = new Uint8Array(c.carving, c.next, size);
      c.next += size;
    }
    this.slabs.get(chunk.buffer)!.live++;
    c.liveBytes += size;
    return chunk;
  }

  /** Takes a chunk back (zeroing it for its next user). */
  free(chunk: Uint8Array): void {
    const c = this.sizeClass(chunk.length);
    chunk.fill(0);
    c.free.push(chunk);
    c.liveBytes -= chunk.length;
    this.slabs.get(chunk.buffer)!.live--;
    if (c.free.length > c.trimAt && c.free.length * c.size > Math.max(4 * SLAB_BYTES, c.liveBytes)) this.trim(c);
  }

  /** Lets go of the slabs of class c that hold no live chunk (except the one being carved). */
  private trim(c: SizeClass): void {
    const kept: Uint8Array[] = [];
    const released = new Set<ArrayBufferLike>();
    for (const chunk of c.free) {
      const slab = chunk.buffer;
      if (slab !== c.carving && this.slabs.get(slab)!.live === 0) released.add(slab);
      else kept.push(chunk);
    }
    for (const slab of released) this.slabs.delete(slab);
    c.free = kept;
    // Free views of slabs still in use stay; do not look again until their number doubles.
    c.trimAt = 2 * kept.length;
  }

  /** Bytes of slabs held from the host (for memory reports and the consistency checker). */
  get heldBytes(): number {
    let n = 0;
    for (const slab of this.slabs.keys()) n += slab.byteLength;
    return n;
  }
}
