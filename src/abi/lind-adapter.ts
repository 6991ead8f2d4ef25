/**
 * The make-syscall adapter: a tiny wasm module whose exported function has Lind's
 * signature (i32, i64 x 15) -> i32. It spills the fifteen i64 arguments into its own
 * small memory and calls JavaScript with just the call number, so no BigInt is ever
 * made on the common path (V8 boxes every i64 crossing into JS as a BigInt).
 * JS then reads each argument as two i32 halves.
 *
 * Slot layout (8 bytes each, little-endian): 0 callname, 1 self cage, 2 target cage,
 * 3 + 2k argument k (k = 0..5), 4 + 2k the cage id of argument k.
 */

import { HEADER, name, section, sleb, uleb } from './wasm-encode.js';

const SLOTS = 15;

/**
 * The adapter's module. With `sharedSlots`, it imports its memory (js.slots, one shared page)
 * instead of defining one, so that another thread can read the spilled arguments: a cage
 * running in a worker thread spills them there for the thread that owns the IMFS.
 */
function adapterBytes(sharedSlots: boolean): Uint8Array {
  const I32 = 0x7f, I64 = 0x7e;
  const types = [
    2,
    0x60, 1, I32, 1, I32, // type 0: dispatch(i32) -> i32
    0x60, 1 + SLOTS, I32, ...Array(SLOTS).fill(I64), 1, I32, // type 1: make-syscall
  ];
  const dispatchImport = [...name('js'), ...name('dispatch'), 0x00, 0];
  const slotsImport = [...name('js'), ...name('slots'), 0x02, 0x03, 1, 1]; // shared, min 1, max 1
  const imports = sharedSlots ? [2, ...dispatchImport, ...slotsImport] : [1, ...dispatchImport];
  const funcs = [1, 1];
  const memory = sharedSlots ? [] : [1, 0x00, 1]; // one page, no maximum
  const exports = [2, ...name('make-syscall'), 0x00, 1, ...name('slots'), 0x02, 0];
  const body: number[] = [0]; // no locals
  for (let k = 0; k < SLOTS; k++) {
    body.push(0x41, ...sleb(k * 8)); // i32.const address
    body.push(0x20, ...uleb(k + 1)); // local.get argument
    body.push(0x37, 3, 0); // i64.store align=8 offset=0
  }
  body.push(0x20, 0, 0x10, 0, 0x0b); // local.get 0; call dispatch; end
  const code = [1, ...uleb(body.length), ...body];
  return new Uint8Array([
    ...HEADER,
    ...section(1, types), ...section(2, imports), ...section(3, funcs), ...(sharedSlots ? [] : section(5, memory)),
    ...section(7, exports), ...section(10, code),
  ]);
}

const compiled: (WebAssembly.Module | null)[] = [null, null];

/** Bytes of the spilled arguments (the rest of a shared slots page is free for its user). */
export const SLOTS_BYTES = SLOTS * 8;

export interface LindAdapter {
  /** The function to give the cage as `lind`.`make-syscall`. */
  makeSyscall: (...args: unknown[]) => number;
  /** The spilled arguments as 32-bit halves: slot k is [2k] (low) and [2k + 1] (high). */
  slots: Int32Array;
}

/**
 * Instantiates an adapter that calls `dispatch(callnumber)` with the arguments spilled to
 * `slots`: in its own memory, or in `sharedSlots` (a shared memory of one page) if given.
 */
export function createLindAdapter(dispatch: (nr: number) => number, sharedSlots?: WebAssembly.Memory): LindAdapter {
  const k = sharedSlots === undefined ? 0 : 1;
  const module = (compiled[k] ??= new WebAssembly.Module(adapterBytes(k === 1)));
  const instance = new WebAssembly.Instance(module, { js: sharedSlots === undefined ? { dispatch } : { dispatch, slots: sharedSlots } });
  const mem = instance.exports.slots as WebAssembly.Memory;
  return {
    makeSyscall: instance.exports['make-syscall'] as (...args: unknown[]) => number,
    slots: new Int32Array(mem.buffer, 0, SLOTS * 2),
  };
}
