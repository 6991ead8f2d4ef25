/**
 * The few pieces of the WebAssembly binary format the grate writes its own small modules
 * with (the make-syscall adapter, the stack guard): LEB128 numbers, names, vectors and
 * sections.
 */

/** Unsigned LEB128. */
export function uleb(n: number | bigint): number[] {
  // Small numbers without BigInt: these run once per process, mostly in the interpreter.
  if (typeof n === 'number' && n >= 0 && n <= 0x7fffffff) {
    const out: number[] = [];
    do {
      const b = n & 0x7f;
      n >>>= 7;
      out.push(n === 0 ? b : b | 0x80);
    } while (n !== 0);
    return out;
  }
  let v = BigInt(n);
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v !== 0n) b |= 0x80;
    out.push(b);
  } while (v !== 0n);
  return out;
}

/** Signed LEB128. */
export function sleb(n: number | bigint): number[] {
  let v = BigInt(n);
  const out: number[] = [];
  for (;;) {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) { out.push(b); return out; }
    out.push(b | 0x80);
  }
}

/** A name: its UTF-8 length, then its bytes. */
export function name(s: string): number[] {
  const out = uleb(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) { // not ASCII: as UTF-8
      const b = [...Buffer.from(s)];
      return [...uleb(b.length), ...b];
    }
    out.push(c);
  }
  return out;
}

/** A vector: its length, then the items. */
export function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

/** A section: its id, its size, its content. */
export function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

/** The magic number and version that start every module. */
export const HEADER = [0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0];
