/**
 * The inode table: every inode's attributes in parallel typed arrays indexed by inode
 * number (a structure of arrays keeps an empty file to a few dozen bytes), plus one
 * payload slot per inode for what its type stores. Freed numbers go on a free list
 * and are handed out again before the table grows.
 */
import { S_IFMT, S_IFDIR, S_IFREG, S_IFLNK } from './constants.js';
import type { Directory } from './directory.js';
import type { FileData } from './file-data.js';
import type { Pipe } from './pipe.js';

/** What an inode holds besides its attributes: file chunks, directory entries, a symlink target (bytes as a binary string), or a FIFO's pipe. */
export type Payload = FileData | Directory | string | Pipe | null;

/** Offsets of the timestamps in the 8-number group each inode has in `times`. */
export const ATIME = 0, MTIME = 2, CTIME = 4, BTIME = 6;

const INITIAL_CAPACITY = 64;

export class InodeTable {
  capacity = 0;
  mode = new Uint32Array(0);
  uid = new Uint32Array(0);
  gid = new Uint32Array(0);
  nlink = new Uint32Array(0);
  /** 1 when the inode's times were read (stat) since its ctime last changed (see FsState.stamp). */
  queried = new Uint8Array(0);
  /** References that keep an inode alive besides its links: open file descriptions and working directories. */
  refs = new Uint32Array(0);
  size = new Float64Array(0);
  rdevMajor = new Uint32Array(0);
  rdevMinor = new Uint32Array(0);
  /** atime, mtime, ctime, birth time as (seconds, nanoseconds) pairs: 8 numbers per inode. */
  times = new Float64Array(0);
  payload: Payload[] = [];
  /** Freed inode numbers, reused last-in first-out. */
  readonly freeList: number[] = [];
  /** The next never-used inode number (0 is never an inode). */
  next = 1;
  /** Number of live inodes. */
  live = 0;

  constructor() {
    this.grow(INITIAL_CAPACITY);
  }

  /** Takes a free inode number and initialises it; the caller has checked the inode limit. */
  alloc(mode: number, uid: number, gid: number, sec: number, nsec: number): number {
    let ino = this.freeList.pop();
    if (ino === undefined) {
      ino = this.next++;
      if (ino >= this.capacity) this.grow(this.capacity * 2);
    }
    this.mode[ino] = mode;
    this.uid[ino] = uid;
    this.gid[ino] = gid;
    this.nlink[ino] = 0;
    this.refs[ino] = 0;
    this.queried[ino] = 0;
    this.size[ino] = 0;
    this.rdevMajor[ino] = 0;
    this.rdevMinor[ino] = 0;
    const t = ino * 8;
    const times = this.times;
    times[t] = times[t + 2] = times[t + 4] = times[t + 6] = sec;
    times[t + 1] = times[t + 3] = times[t + 5] = times[t + 7] = nsec;
    this.payload[ino] = null;
    this.live++;
    return ino;
  }

  /** Returns an inode number to the free list. */
  free(ino: number): void {
    this.mode[ino] = 0;
    this.payload[ino] = null;
    this.freeList.push(ino);
    this.live--;
  }

  isLive(ino: number): boolean {
    return ino > 0 && ino < this.next && this.mode[ino] !== 0;
  }

  type(ino: number): number {
    return this.mode[ino] & S_IFMT;
  }
  isDir(ino: number): boolean {
    return (this.mode[ino] & S_IFMT) === S_IFDIR;
  }
  isReg(ino: number): boolean {
    return (this.mode[ino] & S_IFMT) === S_IFREG;
  }
  isLink(ino: number): boolean {
    return (this.mode[ino] & S_IFMT) === S_IFLNK;
  }

  directory(ino: number): Directory {
    return this.payload[ino] as Directory;
  }

  setTime(ino: number, which: number, sec: number, nsec: number): void {
    const t = ino * 8 + which;
    this.times[t] = sec;
    this.times[t + 1] = nsec;
  }

  private grow(capacity: number): void {
    const copyU32 = (a: Uint32Array) => { const b = new Uint32Array(capacity); b.set(a); return b; };
    const copyF64 = (a: Float64Array, n: number) => { const b = new Float64Array(capacity * n); b.set(a); return b; };
    this.mode = copyU32(this.mode);
    this.uid = copyU32(this.uid);
    this.gid = copyU32(this.gid);
    this.nlink = copyU32(this.nlink);
    this.refs = copyU32(this.refs);
    const queried = new Uint8Array(capacity);
    queried.set(this.queried);
    this.queried = queried;
    this.rdevMajor = copyU32(this.rdevMajor);
    this.rdevMinor = copyU32(this.rdevMinor);
    this.size = copyF64(this.size, 1);
    this.times = copyF64(this.times, 8);
    this.capacity = capacity;
  }
}
