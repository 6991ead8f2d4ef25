/**
 * Node's own memmove between two views of any memory, plain or shared: the `copy` of its
 * internal buffer binding (node_buffer.cc). No public API reaches a memcpy for shared
 * memory this cheaply (TypedArray set() copies it with relaxed atomics; Buffer fill, the
 * fallback, needs a view of the source and costs more per call: a 4 KiB copy to or from a
 * shared memory took 155-210 ns this way and 275-345 ns by fill, medians of 5 alternating
 * rounds on each of Node 20.20, 22.23, 24.22 and 26.12, bench/node-memmove.mjs), so the IMFS
 * uses it for copies to and from a lind cage's memory, but only after checking, once, that
 * it behaves as one of the two shapes those lines have:
 *
 * - 'end' (Node 20): copy(source, target, targetStart, sourceStart, sourceEnd) clamps every
 *   bound to both views and returns the count it copied.
 * - 'count' (Node 22, 24, 26): copy(source, target, targetStart, sourceStart, count) is a
 *   bare memmove of `count` bytes that returns `count` and checks nothing: asked for bytes
 *   past a view's end it reads or writes the memory that follows. So its Memmove checks
 *   every bound itself, before the call, and throws rather than let it run.
 *
 * A Node whose binding lacks it or differs gets null, and the caller copies by public
 * means. process.binding() is deprecated (DEP0111) but warns only when asked to warn about
 * pending deprecations: such a Node gets null too, so nobody sees a warning from the IMFS.
 */
export type BindingCopy = (source: Uint8Array, target: Uint8Array, targetStart: number, sourceStart: number, fifth: number) => number;

/** What a binding's fifth argument means: the source's end (Node 20) or a byte count (Node 22 on). */
export type CopyShape = 'end' | 'count';

/** Copies src[srcOff, srcOff + n) to dst[dstOff, …) (memmove); throws RangeError if a view is too short. */
export type Memmove = (dst: Uint8Array, dstOff: number, src: Uint8Array, srcOff: number, n: number) => void;

function pendingDeprecationsShown(): boolean {
  const options = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  return options.includes('--pending-deprecation') || process.env.NODE_PENDING_DEPRECATION === '1';
}

function bindingCopy(): BindingCopy | null {
  if (pendingDeprecationsShown()) return null;
  try {
    const binding = (process as unknown as { binding(name: string): { copy?: unknown } }).binding('buffer');
    return typeof binding.copy === 'function' ? (binding.copy as BindingCopy) : null;
  } catch {
    return null;
  }
}

const PROBE = Uint8Array.from({ length: 24 }, (_, i) => i + 1);

/**
 * Which shape `copy` has, judged by one copy into a zeroed view of each kind of memory:
 * views that start 4 bytes into their memory (the binding must honour byteOffset) and end
 * 4 bytes before its end, bytes 5..8 (an end) or 5..12 (a count) of the source's 16 to
 * index 2 of the target, in bounds whichever way the fifth argument is read. Everything
 * else in both memories must stay as it was.
 */
export function copyShape(copy: BindingCopy): CopyShape | null {
  const source = PROBE.slice().subarray(4, 20);
  let shape: CopyShape | null = null;
  for (const memory of [new Uint8Array(24), new Uint8Array(new SharedArrayBuffer(24))]) {
    let copied: unknown;
    try {
      copied = copy(source, memory.subarray(4, 20), 2, 4, 8);
    } catch {
      return null;
    }
    const found: CopyShape | null = copied === 4 ? 'end' : copied === 8 ? 'count' : null;
    if (found === null || (shape !== null && found !== shape)) return null;
    shape = found;
    const n = copied as number;
    const expected = new Uint8Array(24);
    expected.set(PROBE.subarray(8, 8 + n), 6);
    if (memory.join() !== expected.join() || new Uint8Array(source.buffer).join() !== PROBE.join()) return null;
  }
  return shape;
}

/** Node's memmove for views, or null when this Node does not offer it in a shape known here. */
export function findNodeMemmove(): Memmove | null {
  const copy = bindingCopy();
  return copy === null ? null : memmoveFrom(copy);
}

/** The shape of this Node's copy, or null (for tests and diagnostics). */
export function nodeCopyShape(): CopyShape | null {
  const copy = bindingCopy();
  return copy === null ? null : copyShape(copy);
}

/** Whether [off, off + n) lies in a view of `length` bytes, every number an integer that fits a uint32 (as the binding reads them). */
function inBounds(length: number, off: number, n: number): boolean {
  return off >>> 0 === off && n >>> 0 === n && off + n <= length;
}

/** A Memmove made of a binding's copy, or null if the copy has neither known shape. */
export function memmoveFrom(copy: BindingCopy): Memmove | null {
  const shape = copyShape(copy);
  if (shape === 'end') {
    return (dst, dstOff, src, srcOff, n) => {
      if (copy(src, dst, dstOff, srcOff, srcOff + n) !== n) throw new RangeError(`copy of ${n} bytes out of bounds`);
    };
  }
  if (shape === 'count') {
    return (dst, dstOff, src, srcOff, n) => {
      if (!inBounds(dst.length, dstOff, n) || !inBounds(src.length, srcOff, n)) throw new RangeError(`copy of ${n} bytes out of bounds`);
      copy(src, dst, dstOff, srcOff, n);
    };
  }
  return null;
}
