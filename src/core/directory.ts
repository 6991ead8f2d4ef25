/**
 * A directory's entries: name → inode in O(1) through a Map, plus the entries in the
 * order they were added, each with a sequence number that never changes while it lives.
 * Those numbers are the readdir positions (getdents d_off, WASI cookies, telldir), so a
 * cursor stays valid while the directory changes: an entry that exists throughout a scan
 * is returned exactly once, and reading n entries costs O(n) in total.
 *
 * Positions: 0 is ".", 1 is "..", and an entry with sequence number s sits at position s
 * (s >= 2); the position after it is s + 1.
 */
export const FIRST_SEQ = 2;

export class Directory {
  /** The parent directory's inode (kept while a removed directory is still in use, for its ".."). */
  parent: number;
  /** This directory's own name in its parent (directories have exactly one), for getcwd. */
  name = '';
  private readonly index = new Map<string, number>(); // name → slot
  private names: (string | undefined)[] = [];
  private inos: number[] = [];
  private seqs: number[] = [];
  private nextSeq = FIRST_SEQ;
  private holes = 0;

  constructor(parent: number) {
    this.parent = parent;
  }

  /** Number of entries (without "." and ".."). */
  get count(): number {
    return this.index.size;
  }

  /** The inode named `name`, or 0. */
  lookup(name: string): number {
    const slot = this.index.get(name);
    return slot === undefined ? 0 : this.inos[slot];
  }

  add(name: string, ino: number): void {
    this.index.set(name, this.names.length);
    this.names.push(name);
    this.inos.push(ino);
    this.seqs.push(this.nextSeq++);
  }

  /** Points an existing name at another inode, keeping its position. */
  replace(name: string, ino: number): void {
    this.inos[this.index.get(name)!] = ino;
  }

  remove(name: string): void {
    const slot = this.index.get(name)!;
    this.index.delete(name);
    this.names[slot] = undefined;
    this.inos[slot] = 0;
    if (++this.holes > 32 && this.holes > this.index.size) this.compact();
  }

  /** Drops removed slots; sequence numbers (positions) are kept, so cursors stay valid. */
  private compact(): void {
    const names: (string | undefined)[] = [], inos: number[] = [], seqs: number[] = [];
    for (let i = 0; i < this.names.length; i++) {
      const name = this.names[i];
      if (name === undefined) continue;
      this.index.set(name, names.length);
      names.push(name);
      inos.push(this.inos[i]);
      seqs.push(this.seqs[i]);
    }
    this.names = names;
    this.inos = inos;
    this.seqs = seqs;
    this.holes = 0;
  }

  /** Calls visit(name, ino, nextPosition) for each entry at or after `pos` (>= FIRST_SEQ) until it returns false. */
  scan(pos: number, visit: (name: string, ino: number, next: number) => boolean): void {
    const { names, inos, seqs } = this;
    // Binary search for the first slot whose sequence number is >= pos.
    let lo = 0, hi = seqs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (seqs[mid] < pos) lo = mid + 1; else hi = mid;
    }
    for (let i = lo; i < names.length; i++) {
      const name = names[i];
      if (name === undefined) continue;
      if (!visit(name, inos[i], seqs[i] + 1)) return;
    }
  }

  /** Every entry name, in position order (for tests, staging and the fuzzer's checks). */
  entries(): [string, number][] {
    const out: [string, number][] = [];
    for (let i = 0; i < this.names.length; i++) {
      const name = this.names[i];
      if (name !== undefined) out.push([name, this.inos[i]]);
    }
    return out;
  }
}
