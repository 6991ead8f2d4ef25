/** A small seeded PRNG (mulberry32): the same seed gives the same operation sequence. */
export class Rng {
  private s: number;

  constructor(seed: number) {
    this.s = (seed >>> 0) ^ 0x9e3779b9;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** Picks a key by weight. */
  weighted<T extends string>(table: Readonly<Record<T, number>>): T {
    const keys = Object.keys(table) as T[];
    let total = 0;
    for (const k of keys) total += table[k];
    let r = this.next() * total;
    for (const k of keys) {
      r -= table[k];
      if (r < 0) return k;
    }
    return keys[keys.length - 1];
  }

  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    // A cheap pattern with a random start: distinct enough to spot misplaced bytes.
    let x = this.int(256);
    const step = 1 + 2 * this.int(64);
    for (let i = 0; i < n; i++) { b[i] = x; x = (x + step) & 0xff; }
    return b;
  }
}
