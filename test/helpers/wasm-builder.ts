/**
 * A tiny WebAssembly module assembler for tests: enough to build cages that import a
 * few functions (and a memory), and export a _start whose body is given as raw opcodes.
 */
import { name, section as encodeSection, sleb, uleb, vec } from '../../src/abi/wasm-encode.js';

export type ValType = 'i32' | 'i64';
const VT: Record<ValType, number> = { i32: 0x7f, i64: 0x7e };

export interface FuncImport { module: string; name: string; params: ValType[]; results: ValType[] }
export interface MemoryImport { module: string; name: string; initial: number; maximum?: number; shared?: boolean }
export interface Func { params: ValType[]; results: ValType[]; locals?: ValType[]; body: number[]; export?: string }
export interface ModuleSpec {
  imports?: FuncImport[];
  memoryImport?: MemoryImport;
  /** An own memory of this many pages, exported as "memory" (when no memory is imported). */
  memory?: number;
  funcs: Func[];
  /** Bytes to place at an address of the memory (active data segment). */
  data?: { offset: number; bytes: number[] | Uint8Array }[];
}

export { uleb, sleb };
const str = name;
/** An empty section is left out. */
const section = (id: number, body: number[]) => (body.length === 0 ? [] : encodeSection(id, body));

/** Opcodes for bodies. */
export const op = {
  i32: (v: number) => [0x41, ...sleb(v)],
  i64: (v: number | bigint) => [0x42, ...sleb(v)],
  call: (f: number) => [0x10, ...uleb(f)],
  drop: [0x1a],
  localGet: (i: number) => [0x20, ...uleb(i)],
  unreachable: [0x00],
  end: [0x0b],
  i32Load: [0x28, 2, 0],
  i32Store: [0x36, 2, 0],
};

export function buildModule(spec: ModuleSpec): Uint8Array {
  const imports = spec.imports ?? [];
  const types: number[][] = [];
  const typeIndex = (params: ValType[], results: ValType[]) => {
    const t = [0x60, ...vec(params.map((p) => [VT[p]])), ...vec(results.map((r) => [VT[r]]))];
    const key = JSON.stringify(t);
    let i = types.findIndex((x) => JSON.stringify(x) === key);
    if (i < 0) { types.push(t); i = types.length - 1; }
    return i;
  };
  const importEntries = imports.map((im) => [...str(im.module), ...str(im.name), 0x00, ...uleb(typeIndex(im.params, im.results))]);
  if (spec.memoryImport) {
    const m = spec.memoryImport;
    const flags = (m.maximum !== undefined ? 1 : 0) | (m.shared ? 2 : 0);
    importEntries.push([...str(m.module), ...str(m.name), 0x02, flags, ...uleb(m.initial), ...(m.maximum !== undefined ? uleb(m.maximum) : [])]);
  }
  const funcTypes = spec.funcs.map((f) => uleb(typeIndex(f.params, f.results)));
  const exports: number[][] = [];
  spec.funcs.forEach((f, i) => { if (f.export) exports.push([...str(f.export), 0x00, ...uleb(imports.length + i)]); });
  const memory = spec.memory !== undefined && !spec.memoryImport ? [1, 0x00, ...uleb(spec.memory)] : [];
  if (memory.length) exports.push([...str('memory'), 0x02, 0]);
  const bodies = spec.funcs.map((f) => {
    const locals = (f.locals ?? []).map((l) => [1, VT[l]]);
    const body = [...vec(locals), ...f.body, 0x0b];
    return [...uleb(body.length), ...body];
  });
  const data = (spec.data ?? []).map((d) => [0x00, ...op.i32(d.offset), 0x0b, ...uleb(d.bytes.length), ...d.bytes]);
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(1, vec(types)),
    ...section(2, vec(importEntries)),
    ...section(3, vec(funcTypes)),
    ...section(5, memory),
    ...section(7, vec(exports)),
    ...section(10, vec(bodies)),
    ...section(11, data.length ? vec(data) : []),
  ]);
}
