/**
 * Where file chunks live: views carved out of slabs, kept per power-of-two size.
 * A fresh ArrayBuffer costs V8 about a microsecond and a malloc; a view of a slab costs a
 * tenth of that, and slabs carry no per-chunk ArrayBuffer overhead. Slabs double in size
 * (256 KiB up to 16 MiB) as a size class fills, so there are few of them: each is a
 * WebAssembly memory (see newSlab), which costs V8 about 0.1 ms and a reservation of
 * address space to make.
 * Free views are kept zeroed (zeroed when freed), so a chunk always starts out as zeros.
 * Slabs whose chunks are all free go back to the host once the free views outweigh the
 * live ones and have done so for DECAY_MS without being reused: memory the host hands out
 * afresh costs a page fault per 4 KiB on first touch (about 2 us on a virtual machine,
 * more than copying the page), so a file deleted and written again, or a scratch file
 * truncated and refilled, reuses warm memory instead (as malloc's arenas and the
 * kernel's page allocator do).
 */
import { monotonicMs } from './clock.js';
const FIRST_SLAB = 256 << 10, LARGEST_SLAB = 16 << 20, SLAB_BYTES = 1 << 20;

const WASM_PAGE = 64 << 10;

/**
 * A slab's memory, page-aligned: the memory of a WebAssembly.Memory (which the host maps
 * whole) rather than an ArrayBuffer (which malloc places 16 bytes into a page, or anywhere
 * in its heap). A 4 KiB chunk then lies in one page instead of straddling two, and where a
 * copy's source sits against its destination no longer changes from run to run: memcpy
 * slows down several times when the destination is a few bytes past the source modulo
 * 4 KiB. Measured with the benchmark cages: 4 KiB reads and writes 10-30% faster, small
 * files 6-8%. The memory is never grown, so views of it stay valid. Sizes are multiples of
 * 64 KiB (slabs start at 256 KiB).
 */
function newSlab(bytes: number): ArrayBuffer {
  const pages = Math.ceil(bytes / WASM_PAGE);
  try {
    return new WebAssembly.Memory({ initial: pages, maximum: pages }).buffer as ArrayBuffer; // not shared
  } catch (e) {
    // V8 reserves address space for each WebAssembly memory and refuses past some ten
    // thousand of them (200 GiB of slabs): beyond that, plain ArrayBuffers still serve.
    if (e instanceof RangeError) return new ArrayBuffer(pages * WASM_PAGE);
    throw e;
  }
}

/** How long surplus free memory is kept for reuse before it goes back to the host. */
export const DECAY_MS = 1000;

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
  /** When the surplus of free views goes back to the host if not reused by then (0: no surplus). */
  trimDue: number;
}

export class ChunkPool {
  private readonly classes = new Map<number, SizeClass>();
  private readonly slabs = new Map<ArrayBufferLike, Slab>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  /** `now` in milliseconds (injectable for tests). */
  constructor(private readonly now: () => number = monotonicMs) {}

  private sizeClass(size: number): SizeClass {
    let c = this.classes.get(size);
    if (c === undefined) {
      c = { size, free: [], carving: null, next: 0, nextSlab: FIRST_SLAB, liveBytes: 0, trimAt: 0, trimDue: 0 };
      this.classes.set(size, c);
    }
    return c;
  }

  /** A zeroed chunk of `size` bytes (a power of two). */
  alloc(size: number): Uint8Array {
    const c = this.sizeClass(size);
    let chunk = c.free.pop();
    if (chunk !== undefined) c.trimDue = 0; // reused: the surplus, if any, starts its wait again
    else {
      if (c.carving === null || c.next + size > c.carving.byteLength) {
        c.carving = newSlab(Math.max(c.nextSlab, size));
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
    if (c.free.length > c.trimAt && this.surplus(c)) this.trimLater(c);
  }

  /** Whether class c holds more free memory than it keeps for good (4 MiB, or its live bytes). */
  private surplus(c: SizeClass): boolean {
    return c.free.length * c.size > Math.max(4 * SLAB_BYTES, c.liveBytes);
  }

  /** Trims c once its surplus has waited DECAY_MS unreused (checked now and by a timer). */
  private trimLater(c: SizeClass): void {
    const now = this.now();
    if (c.trimDue === 0) c.trimDue = now + DECAY_MS;
    else if (now >= c.trimDue) {
      c.trimDue = 0;
      this.trim(c);
      return;
    }
    if (this.timer === null) {
      // A weak reference: a pending timer must not keep a dropped filesystem's memory alive.
      const self = new WeakRef(this);
      this.timer = setTimeout(() => self.deref()?.trimIdle(), DECAY_MS + 10);
      this.timer.unref?.();
    }
  }

  /** Gives back the surplus of every class whose wait is over; waits again for the others. */
  trimIdle(): void {
    this.timer = null;
    const now = this.now();
    for (const c of this.classes.values()) {
      if (c.trimDue === 0) continue;
      if (!this.surplus(c)) c.trimDue = 0;
      else if (now >= c.trimDue) { c.trimDue = 0; this.trim(c); }
      else this.trimLater(c);
    }
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
