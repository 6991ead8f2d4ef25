/**
 * Syscalls that a stack overflow cannot cut in half. A cage and the grate share one native
 * stack: a cage that recurses deeply and then makes a syscall can run out of stack inside
 * the IMFS, between two steps of one call (an open file description created but never
 * installed, a name attached with its link count not yet updated). So before each import
 * runs, the guard checks that a generous amount of stack is left, and the overflow (a trap)
 * happens there, before the IMFS is touched.
 *
 * JavaScript cannot read the stack pointer, and touching the stack to probe it costs time
 * in proportion to the bytes probed. V8 checks a WebAssembly function whose frame is larger
 * than 4 KiB against the stack limit for its whole frame size at entry, in O(1), in every
 * tier. The probe below is such a function: a branch it never takes keeps a quarter of
 * PROBE_BYTES of values alive at once, so its frame holds them all; the path it does take
 * calls the next level's probe, PROBE_LEVELS deep, then returns. The cage calls each import
 * through a small WebAssembly trampoline that calls the probe and then the import, so a
 * syscall costs a few extra wasm-to-wasm calls (nanoseconds), not a JavaScript wrapper.
 */
import type { ModuleImport, ValType } from '../abi/wasm-module.js';
import { halvesOf } from '../abi/i64-halves.js';
import { HEADER, name, section, uleb, vec } from '../abi/wasm-encode.js';

/**
 * Stack the probe's frame holds: 64 KiB. The IMFS itself needs a few KiB, but V8 needs
 * about 40 KiB of headroom for work it does on the way (compiling a function met for the
 * first time): with 16 KiB, a rename whose directory was compacted for the first time
 * overflowed between removing the old name and adding the new one, and the file was lost
 * (test/grate/stack-guard.test.ts).
 */
const PROBE_BYTES = 64 << 10;

/**
 * The probe checks PROBE_BYTES as PROBE_LEVELS nested calls, each with a frame of
 * PROBE_BYTES / PROBE_LEVELS: a quarter of the code to compile (11 KB, not 45 KB), which a
 * fresh process pays on the way to its first syscall. Each level's frame is checked at its
 * entry, so the deepest one's check covers them all. Each level is an instance of its own
 * of the one module, calling the next through an import: V8 compiles a module's code once
 * for all its instances, so it cannot inline an import (a level that calls itself directly
 * was inlined on Node 26's optimizing tier, and the two levels shared half their frame).
 */
export const PROBE_LEVELS = 4;

/**
 * How the probe's cold branch makes its values, by value type. v128 first: 16-byte values
 * halve the code for the same frame, and so its cost (measured on one 64 KiB frame, before
 * the levels: 45 KB instead of 90 KB, 3 ms instead of 6 ms in every fresh process, and
 * 60-70 ms instead of 170-210 ms on a background thread when a long run tiers it up, Node
 * 22-26 with --no-liftoff). i64 where the host has no SIMD.
 * Each entry: the local's type and size, turning the i32 parameter into it, one step
 * (a new value from local 1, left on the operand stack and in local 1: local.tee), one
 * fold of two values into one, and the folded value back to i32.
 */
export const PROBE_KINDS = [
  { type: 0x7b, size: 16, init: [0x20, 0, 0xfd, 0x11], step: [0x20, 1, 0x20, 1, 0xfd, 0xae, 0x01, 0x22, 1], fold: [0xfd, 0x51], wrap: [0xfd, 0x1b, 0] }, // i32x4.splat; x + x (i32x4.add); v128.xor; i32x4.extract_lane 0
  { type: 0x7e, size: 8, init: [0x20, 0, 0xad], step: [0x20, 1, 0x42, 3, 0x7e, 0x42, 1, 0x7c, 0x22, 1], fold: [0x85], wrap: [0xa7] }, // i64.extend_i32_u; x * 3 + 1; i64.xor; i32.wrap_i64
];
type ProbeKind = (typeof PROBE_KINDS)[number];

/**
 * (import "g" "next" (func (param i32) (result i32)))
 * (func (export "probe") (param $n i32) (result i32)): 0, after calling next($n - 1) while
 * $n > 0; given -1, it computes a chain of values it holds all at once. Built with
 * typed-array copies, not spreads: this runs once per process, in the interpreter, where
 * spreading 90,000 bytes took 30 ms.
 */
export function probeModule(kind: ProbeKind): Uint8Array {
  const values = PROBE_BYTES / PROBE_LEVELS / kind.size;
  // One local; n == -1 ? (local1 = init(n), the chain, folded, wrapped) : (n > 0 ? next(n - 1) : 0)
  const head = [1, 1, kind.type, 0x20, 0, 0x41, 0x7f, 0x46, 0x04, 0x7f, ...kind.init, 0x21, 1];
  const deeper = [0x20, 0, 0x41, 0, 0x4a, 0x04, 0x7f, 0x20, 0, 0x41, 1, 0x6b, 0x10, 0, 0x05, 0x41, 0, 0x0b];
  const tail = [...kind.wrap, 0x05, ...deeper, 0x0b, 0x0b];
  const body = new Uint8Array(head.length + values * kind.step.length + (values - 1) * kind.fold.length + tail.length);
  body.set(head);
  let at = repeat(body, head.length, kind.step, values);
  at = repeat(body, at, kind.fold, values - 1);
  body.set(tail, at);
  const codeEntry = [1, ...uleb(body.length)]; // one function body, and its size
  const prefix = [
    ...HEADER,
    ...section(1, [1, 0x60, 1, 0x7f, 1, 0x7f]),
    ...section(2, [1, ...name('g'), ...name('next'), 0x00, 0]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...name('probe'), 0x00, 1]),
    10, ...uleb(codeEntry.length + body.length), ...codeEntry,
  ];
  const module = new Uint8Array(prefix.length + body.length);
  module.set(prefix);
  module.set(body, prefix.length);
  return module;
}

/**
 * Writes `count` copies of `unit` into `out` from `at` and returns where they end: one copy,
 * then copies of what is written so far, doubling (a dozen calls, not one per value).
 */
function repeat(out: Uint8Array, at: number, unit: number[], count: number): number {
  const end = at + unit.length * count;
  out.set(unit, at);
  for (let done = unit.length; at + done < end; done *= 2) out.copyWithin(at + done, at, at + Math.min(done, end - at - done));
  return end;
}

/** The probe's argument for a whole check: the levels below the first. */
export const PROBE_ARG = PROBE_LEVELS - 1;

/**
 * The first level of a probe: PROBE_LEVELS instances of the module, each importing the
 * next one's probe; the last one's import is never called (it is given 0).
 */
export function probeLevels(module: WebAssembly.Module): (n: number) => number {
  let next: (n: number) => number = () => 0;
  for (let level = 0; level < PROBE_LEVELS; level++) {
    next = new WebAssembly.Instance(module, { g: { next } }).exports.probe as (n: number) => number;
  }
  return next;
}

/** The probe of the first kind this host compiles. */
function probeNew(): (n: number) => number {
  for (const kind of PROBE_KINDS.slice(0, -1)) {
    try {
      return probeLevels(new WebAssembly.Module(probeModule(kind)));
    } catch (e) {
      if (!(e instanceof WebAssembly.CompileError)) throw e;
    }
  }
  return probeLevels(new WebAssembly.Module(probeModule(PROBE_KINDS.at(-1)!)));
}

let probeFn: ((n: number) => number) | null = null;

function probe(): (n: number) => number {
  return (probeFn ??= probeNew());
}

/** Throws V8's stack-overflow RangeError unless about 64 KiB of stack are left. */
export function checkStack(): void {
  probe()(PROBE_ARG);
}

const I32 = 0x7f, I64 = 0x7e;
const VALTYPE: Partial<Record<ValType, number>> = { i32: I32, i64: I64, f32: 0x7d, f64: 0x7c };

/** An import behind a trampoline; `split`: it is called in its halves form (each i64 as two i32). */
interface Guarded { module: string; name: string; params: number[]; results: number[]; split: boolean }

/**
 * A module importing the probe ("g" "probe") and the functions ("f" "0", "1", …) and
 * exporting, under the same numbers, a trampoline for each: probe(PROBE_ARG), then the import.
 */
function trampolineModule(fns: Guarded[]): Uint8Array {
  const types: number[][] = [[0x60, 1, 0x7f, 1, 0x7f]];
  const typeOf = (params: number[], results: number[]) => {
    const t = [0x60, ...uleb(params.length), ...params, ...uleb(results.length), ...results];
    const key = t.join();
    let i = types.findIndex((x) => x.join() === key);
    if (i < 0) i = types.push(t) - 1;
    return i;
  };
  const imports = [[...name('g'), ...name('probe'), 0x00, 0]];
  const funcs: number[][] = [];
  const codes: number[][] = [];
  const exports: number[][] = [];
  fns.forEach((f, k) => {
    const type = typeOf(f.params, f.results);
    const split = (t: number) => f.split && t === I64;
    const importType = typeOf(f.params.flatMap((t) => (split(t) ? [I32, I32] : [t])), f.results);
    imports.push([...name('f'), ...name(String(k)), 0x00, ...uleb(importType)]);
    funcs.push(uleb(type));
    // local.get i, or for a split i64: its low half (i32.wrap_i64), then its high half (>> 32).
    const gets = f.params.flatMap((t, i) => split(t)
      ? [0x20, ...uleb(i), 0xa7, 0x20, ...uleb(i), 0x42, 32, 0x88, 0xa7]
      : [0x20, ...uleb(i)]);
    const code = [0, 0x41, PROBE_ARG, 0x10, 0, 0x1a, ...gets, 0x10, ...uleb(k + 1), 0x0b]; // probe(PROBE_ARG); drop; import k(params)
    codes.push([...uleb(code.length), ...code]);
    exports.push([...name(String(k)), 0x00, ...uleb(fns.length + 1 + k)]);
  });
  return new Uint8Array([
    ...HEADER,
    ...section(1, vec(types)), ...section(2, vec(imports)), ...section(3, vec(funcs)),
    ...section(7, vec(exports)), ...section(10, vec(codes)),
  ]);
}

/** Compiled trampoline modules by signature list: a grate that runs one cage many times compiles it once. */
const trampolines = new Map<string, WebAssembly.Module>();
const TRAMPOLINE_CACHE = 64;

/** A JavaScript wrapper, for an import whose signature is not known (the cage was given as a compiled module). */
function jsGuarded(fn: (...args: unknown[]) => unknown): (...args: unknown[]) => unknown {
  return (...args) => { checkStack(); return fn(...args); };
}

/**
 * One import module's functions, each behind the stack check through a JavaScript wrapper:
 * for imports handed out before any cage is known (the WASI class's wasiImport).
 */
export function guardFunctions(fields: WebAssembly.ModuleImports): WebAssembly.ModuleImports {
  const out: WebAssembly.ModuleImports = {};
  for (const [field, value] of Object.entries(fields)) {
    out[field] = typeof value === 'function' ? jsGuarded(value as (...args: unknown[]) => unknown) : value;
  }
  return out;
}

/**
 * The import object with every function behind the stack check: through a trampoline when
 * the cage's declared signature is known (`declared`, from the binary), through a JavaScript
 * wrapper otherwise. Memories, tables and globals are passed as they are.
 */
export function guardImports(imports: WebAssembly.Imports, declared: readonly ModuleImport[] | null): WebAssembly.Imports {
  const out: WebAssembly.Imports = {};
  const fns: Guarded[] = [];
  const targets: WebAssembly.ImportValue[] = [];
  for (const [module, fields] of Object.entries(imports)) {
    const m: WebAssembly.ModuleImports = (out[module] = {});
    for (const [field, value] of Object.entries(fields)) {
      if (typeof value !== 'function') { m[field] = value; continue; }
      const all = declared?.filter((i) => i.module === module && i.name === field) ?? [];
      const d = all[0]?.desc;
      // One import declared twice with two signatures links only to a JavaScript function.
      const type = d?.kind === 'function' && all.length === 1 ? d.type : null;
      const params = type?.params.map((t) => VALTYPE[t]), results = type?.results.map((t) => VALTYPE[t]);
      if (params === undefined || results === undefined || [...params, ...results].some((t) => t === undefined)) {
        // Not declared by the cage (nobody calls it) or not a plain number signature.
        m[field] = d === undefined ? value : jsGuarded(value as (...args: unknown[]) => unknown);
        continue;
      }
      // An import with a halves form gets it when the cage declared the signature it expects.
      const halves = halvesOf(value);
      const split = halves !== undefined && halves.params.length === type!.params.length && halves.params.every((t, i) => t === type!.params[i]);
      fns.push({ module, name: field, params: params as number[], results: results as number[], split });
      targets.push(split ? halves.fn : value);
    }
  }
  if (fns.length === 0) return out;
  const key = fns.map((f) => `${f.params.join(',')}:${f.results.join(',')}${f.split ? ':split' : ''}`).join(';');
  let module = trampolines.get(key);
  if (module === undefined) {
    module = new WebAssembly.Module(trampolineModule(fns));
    if (trampolines.size >= TRAMPOLINE_CACHE) trampolines.delete(trampolines.keys().next().value as string);
    trampolines.set(key, module);
  }
  const f: WebAssembly.ModuleImports = {};
  targets.forEach((t, k) => { f[String(k)] = t; });
  const exported = new WebAssembly.Instance(module, { g: { probe: probe() }, f }).exports;
  fns.forEach((g, k) => { out[g.module][g.name] = exported[String(k)]; });
  return out;
}
