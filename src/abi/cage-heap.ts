/**
 * brk and anonymous mmap for a lind cage (abi.md §1.5), backed by growing its linear
 * memory within the declared maximum. The program break starts at the end of the
 * memory the cage was instantiated with; mmap regions are carved from freed regions or
 * from new memory at the end. Once an mmap region sits above the break, the break
 * cannot grow past it and brk fails (-ENOMEM), which glibc's malloc answers by using mmap.
 * WebAssembly memory has no page protection: mprotect validates its arguments only.
 */
import { clearUser } from '../core/copy-bytes.js';
import type { CageMemory } from './cage-memory.js';

const WASM_PAGE = 65536;
const PAGE = 4096;
export const PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;
export const MAP_SHARED = 1, MAP_PRIVATE = 2, MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20;
const ENOMEM = 12, EINVAL = 22;

interface Region {
  start: number;
  len: number;
}

function pageUp(n: number): number {
  return Math.ceil(n / PAGE) * PAGE;
}

export class CageHeap {
  readonly brkStart: number;
  private brkEnd: number;
  /** Regions handed out by mmap, and regions given back by munmap (reused first fit). */
  private readonly mapped: Region[] = [];
  private readonly freed: Region[] = [];

  constructor(private readonly mem: CageMemory, from?: CageHeap) {
    this.brkStart = this.brkEnd = mem.size;
    if (from !== undefined) {
      this.brkStart = from.brkStart;
      this.brkEnd = from.brkEnd;
      for (const r of from.mapped) this.mapped.push({ ...r });
      for (const r of from.freed) this.freed.push({ ...r });
    }
  }

  /** fork: the same break and regions, over the child's copy of the memory (taken now, before the parent goes on). */
  copy(): (mem: CageMemory) => CageHeap {
    const snapshot = new CageHeap(this.mem, this);
    return (mem) => new CageHeap(mem, snapshot);
  }

  /** Grows the memory so that it is at least `end` bytes; false past the maximum. */
  private growTo(end: number): boolean {
    const size = this.mem.memory.buffer.byteLength;
    if (end <= size) return true;
    try {
      this.mem.memory.grow(Math.ceil((end - size) / WASM_PAGE));
    } catch {
      return false;
    }
    this.mem.refresh();
    return true;
  }

  /** The lowest mmap region above the break (the break cannot grow into it). */
  private ceiling(): number {
    let c = Infinity;
    for (const r of this.mapped) if (r.start >= this.brkStart && r.start < c) c = r.start;
    for (const r of this.freed) if (r.start >= this.brkStart && r.start < c) c = r.start;
    return c;
  }

  /**
   * brk: moves the break to addr; addr 0 asks for the current break. As Lind does (and
   * unlike Linux, which answers the unchanged break), a break that cannot move is -ENOMEM.
   */
  brk(addr: number): number {
    if (addr === 0) return this.brkEnd;
    if (addr < this.brkStart || addr > this.ceiling()) return -ENOMEM;
    if (!this.growTo(addr)) return -ENOMEM;
    // ok() refreshes a view left short by a memory.grow the cage made itself.
    if (addr > this.brkEnd && this.mem.ok(this.brkEnd, addr - this.brkEnd)) clearUser(this.mem.u8, this.brkEnd, addr - this.brkEnd);
    this.brkEnd = addr;
    return addr;
  }

  /** Anonymous (or private file-backed, filled by `fill`) mmap; returns the address or -errno. */
  mmap(addr: number, length: number, prot: number, flags: number, fill?: (at: number, len: number) => number): number {
    if (length <= 0) return -EINVAL;
    const kind = flags & (MAP_SHARED | MAP_PRIVATE);
    if (kind === 0 || kind === (MAP_SHARED | MAP_PRIVATE)) return -EINVAL;
    const len = pageUp(length);
    let start: number;
    if (flags & MAP_FIXED) {
      if (addr % PAGE !== 0 || addr === 0) return -EINVAL;
      if (!this.growTo(addr + len)) return -ENOMEM;
      this.release(addr, len);
      start = addr;
    } else {
      const got = this.take(len);
      if (got < 0) return got;
      start = got;
    }
    this.mapped.push({ start, len });
    if (this.mem.ok(start, len)) clearUser(this.mem.u8, start, len);
    if (fill !== undefined) {
      const r = fill(start, Math.min(length, len));
      if (r < 0) { this.munmap(start, len); return r; }
    }
    return start;
  }

  private take(len: number): number {
    for (let i = 0; i < this.freed.length; i++) {
      const r = this.freed[i];
      if (r.len < len) continue;
      const start = r.start;
      if (r.len === len) this.freed.splice(i, 1);
      else { r.start += len; r.len -= len; }
      return start;
    }
    const start = pageUp(this.mem.memory.buffer.byteLength);
    if (!this.growTo(start + len)) return -ENOMEM;
    const end = this.mem.size;
    if (end > start + len) this.freed.push({ start: start + len, len: end - start - len });
    return start;
  }

  /** Removes [start, start+len) from the mapped list (splitting regions as needed). */
  private release(start: number, len: number): void {
    const end = start + len;
    for (let i = this.mapped.length - 1; i >= 0; i--) {
      const r = this.mapped[i];
      const rEnd = r.start + r.len;
      if (rEnd <= start || r.start >= end) continue;
      this.mapped.splice(i, 1);
      if (r.start < start) this.mapped.push({ start: r.start, len: start - r.start });
      if (rEnd > end) this.mapped.push({ start: end, len: rEnd - end });
    }
  }

  munmap(addr: number, length: number): number {
    if (addr % PAGE !== 0 || length <= 0) return -EINVAL;
    const len = pageUp(length);
    this.release(addr, len);
    if (addr >= this.brkEnd || addr + len <= this.brkStart) this.addFree(addr, len);
    return 0;
  }

  private addFree(start: number, len: number): void {
    this.freed.push({ start, len });
    this.freed.sort((a, b) => a.start - b.start);
    for (let i = this.freed.length - 1; i > 0; i--) {
      const a = this.freed[i - 1], b = this.freed[i];
      if (a.start + a.len >= b.start) {
        a.len = Math.max(a.start + a.len, b.start + b.len) - a.start;
        this.freed.splice(i, 1);
      }
    }
  }

  mprotect(addr: number, length: number, prot: number): number {
    if (addr % PAGE !== 0 || prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) return -EINVAL;
    if (addr + pageUp(length) > this.mem.size) return -ENOMEM;
    return 0;
  }
}
