/** Directory: its hash table answers like a Map through adds, removals, re-adds, compactions and rebuilds. */
import { describe, expect, test } from 'vitest';
import { Directory, FIRST_SEQ } from '../../src/core/directory.js';

describe('Directory', () => {
  test('against a Map model: 60,000 random adds, removals, replacements and lookups', () => {
    const dir = new Directory(1);
    const model = new Map<string, number>();
    let seed = 42;
    const rnd = (n: number) => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed % n; };
    // A small name space, so names come and go and come back (removed pairs pile up in the table).
    const nameOf = (k: number) => (k % 3 === 0 ? `f${k}` : k % 3 === 1 ? `\u00ff${k}\u0001` : 'x'.repeat(1 + (k % 40)) + k);
    for (let step = 0; step < 60_000; step++) {
      const name = nameOf(rnd(3000));
      const op = rnd(10);
      if (op < 4) {
        if (!model.has(name)) { const ino = 2 + rnd(1e6); dir.add(name, ino); model.set(name, ino); }
      } else if (op < 7) {
        if (model.has(name)) { dir.remove(name); model.delete(name); }
      } else if (op < 8) {
        if (model.has(name)) { const ino = 2 + rnd(1e6); dir.replace(name, ino); model.set(name, ino); }
      } else {
        expect(dir.lookup(name)).toBe(model.get(name) ?? 0);
      }
      if (step % 5000 === 0) {
        expect(dir.count).toBe(model.size);
        expect(new Map(dir.entries())).toEqual(model);
      }
    }
    for (const [name, ino] of model) expect(dir.lookup(name)).toBe(ino);
    expect(dir.lookup('never added')).toBe(0);
    expect(dir.count).toBe(model.size);
  });

  test('a million names: every one found, removed ones gone, order kept', () => {
    const dir = new Directory(1);
    const n = 1_000_000;
    for (let i = 0; i < n; i++) dir.add(`f${i}`, i + 2);
    for (let i = 0; i < n; i += 7919) expect(dir.lookup(`f${i}`)).toBe(i + 2);
    for (let i = 0; i < n; i += 2) dir.remove(`f${i}`);
    expect(dir.count).toBe(n / 2);
    expect(dir.lookup('f0')).toBe(0);
    expect(dir.lookup('f1')).toBe(3);
    expect(dir.lookup(`f${n - 1}`)).toBe(n + 1);
    const first: string[] = [];
    dir.scan(FIRST_SEQ, (name) => first.push(name) < 3);
    expect(first).toEqual(['f1', 'f3', 'f5']);
  });

  test('an emptied directory takes names again', () => {
    const dir = new Directory(1);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 100; i++) dir.add(`n${i}`, 10 + i);
      for (let i = 0; i < 100; i++) dir.remove(`n${i}`);
      expect(dir.count).toBe(0);
      expect(dir.lookup('n5')).toBe(0);
    }
    dir.add('', 5); // not a name a path can make, but the table takes any string
    expect(dir.lookup('')).toBe(5);
  });
});
