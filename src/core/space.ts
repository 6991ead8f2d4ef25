import { ChunkPool } from './chunk-pool.js';

/** The byte budget shared by all file data of one IMFS (ENOSPC when it runs out), and the chunk memory. */
export class Space {
  used = 0;
  readonly pool = new ChunkPool();
  constructor(public max: number) {}
  /** Reserves `bytes` if they fit; false when the filesystem is full. */
  take(bytes: number): boolean {
    if (this.used + bytes > this.max) return false;
    this.used += bytes;
    return true;
  }
  give(bytes: number): void {
    this.used -= bytes;
  }
}
