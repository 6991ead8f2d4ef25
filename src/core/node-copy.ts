/**
 * Node's own memmove between two views of any memory, plain or shared: the `copy` of its
 * internal buffer binding (node_buffer.cc Copy; Node 20's Buffer#copy no longer calls it).
 * In Node 20, copy(source, target, targetStart, sourceStart, sourceEnd) clamps every bound
 * to both views and returns the count it copied.
 * No public API reaches a memcpy for shared memory this cheaply (TypedArray set() copies
 * it with relaxed atomics; Buffer fill costs ~100 ns more per call), so the IMFS uses it
 * for copies to and from a lind cage's memory, but only after checking, once, that it
 * behaves exactly so. A Node whose binding lacks it or differs (reads the fifth argument
 * as a count, say) gets null, and the caller copies by public means. process.binding() is
 * deprecated (DEP0111): a Node asked to warn about pending deprecations gets null too, so
 * nobody sees a warning from the IMFS.
 */
export type BindingCopy = (source: Uint8Array, target: Uint8Array, targetStart: number, sourceStart: number, sourceEnd: number) => number;

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

/** Whether `copy` moves bytes 5..8 of 1..16 to index 2 of a zeroed view of each kind, and nothing else. */
function behavesAsExpected(copy: BindingCopy): boolean {
  const source = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
  for (const target of [new Uint8Array(16), new Uint8Array(new SharedArrayBuffer(16))]) {
    // In bounds whichever way the fifth argument is read (an end: 4 bytes; a count: 8).
    let copied: unknown;
    try {
      copied = copy(source, target, 2, 4, 8);
    } catch {
      return false;
    }
    if (copied !== 4 || target.join() !== '0,0,5,6,7,8,0,0,0,0,0,0,0,0,0,0') return false;
  }
  return true;
}

/** Node's memmove for views, or null when this Node does not offer it as expected. */
export function findNodeMemmove(): Memmove | null {
  const copy = bindingCopy();
  return copy === null ? null : memmoveFrom(copy);
}

/** A Memmove made of a binding's copy, or null if the copy does not behave as Node 20's does. */
export function memmoveFrom(copy: BindingCopy): Memmove | null {
  if (!behavesAsExpected(copy)) return null;
  return (dst, dstOff, src, srcOff, n) => {
    if (copy(src, dst, dstOff, srcOff, srcOff + n) !== n) throw new RangeError(`copy of ${n} bytes out of bounds`);
  };
}
