/**
 * Reads what a wasm module imports and exports, with the details the JS API does not
 * give (function signatures, memory limits and whether the memory is shared), by
 * walking the type, import and export sections of the binary.
 */

export type ValType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128' | 'funcref' | 'externref' | 'other';

export interface FuncType {
  params: ValType[];
  results: ValType[];
}

export interface MemoryLimits {
  initial: number;
  maximum?: number;
  shared: boolean;
  memory64: boolean;
}

export type ImportDesc =
  | { kind: 'function'; type: FuncType | null }
  | { kind: 'memory'; limits: MemoryLimits }
  | { kind: 'table' }
  | { kind: 'global' }
  | { kind: 'tag' };

export interface ModuleImport {
  module: string;
  name: string;
  desc: ImportDesc;
}

export interface ModuleExport {
  name: string;
  kind: 'function' | 'table' | 'memory' | 'global' | 'tag';
}

export interface ModuleInfo {
  imports: ModuleImport[];
  exports: ModuleExport[];
}

const VALTYPES: Record<number, ValType> = {
  0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x7b: 'v128', 0x70: 'funcref', 0x6f: 'externref',
};
const EXPORT_KINDS = ['function', 'table', 'memory', 'global', 'tag'] as const;

export class Reader {
  pos = 0;
  constructor(readonly bytes: Uint8Array) {}
  byte(): number {
    if (this.pos >= this.bytes.length) throw new Error('unexpected end of the module');
    return this.bytes[this.pos++];
  }
  u32(): number {
    let result = 0, shift = 0;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
      if (shift > 35) throw new Error('malformed LEB128 number');
    }
  }
  name(): string {
    const n = this.u32();
    const s = Buffer.from(this.bytes.subarray(this.pos, this.pos + n)).toString('utf8');
    this.pos += n;
    return s;
  }
  limits(): MemoryLimits {
    const flags = this.u32();
    const initial = this.u32();
    const maximum = flags & 1 ? this.u32() : undefined;
    return { initial, maximum, shared: (flags & 2) !== 0, memory64: (flags & 4) !== 0 };
  }
  valtype(): ValType {
    return VALTYPES[this.byte()] ?? 'other';
  }
}

/** True if `bytes` starts with the wasm magic number and version 1. */
export function isWasm(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && bytes[0] === 0 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d &&
    bytes[4] === 1 && bytes[5] === 0 && bytes[6] === 0 && bytes[7] === 0;
}

/**
 * Whether the bytes are a WebAssembly component (the component-model binary: the same
 * magic, then version 0x0d and layer 1), which runs through jco rather than as a module.
 */
export function isComponent(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && bytes[0] === 0 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d &&
    bytes[4] === 0x0d && bytes[5] === 0 && bytes[6] === 1 && bytes[7] === 0;
}

export function readModuleInfo(bytes: Uint8Array): ModuleInfo {
  if (!isWasm(bytes)) throw new Error('not a WebAssembly module (bad magic number or version)');
  const r = new Reader(bytes);
  r.pos = 8;
  const types: (FuncType | null)[] = [];
  const imports: ModuleImport[] = [];
  const exports: ModuleExport[] = [];
  while (r.pos < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    const end = r.pos + size;
    if (id === 1) {
      for (let n = r.u32(); n > 0; n--) {
        const form = r.byte();
        if (form !== 0x60) { types.push(null); r.pos = end; break; } // GC-proposal types: not needed here
        const params: ValType[] = [];
        for (let k = r.u32(); k > 0; k--) params.push(r.valtype());
        const results: ValType[] = [];
        for (let k = r.u32(); k > 0; k--) results.push(r.valtype());
        types.push({ params, results });
      }
    } else if (id === 2) {
      for (let n = r.u32(); n > 0; n--) {
        const module = r.name(), name = r.name();
        const kind = r.byte();
        let desc: ImportDesc;
        switch (kind) {
          case 0: desc = { kind: 'function', type: types[r.u32()] ?? null }; break;
          case 1: r.byte(); r.limits(); desc = { kind: 'table' }; break;
          case 2: desc = { kind: 'memory', limits: r.limits() }; break;
          case 3: r.byte(); r.byte(); desc = { kind: 'global' }; break;
          case 4: r.byte(); r.u32(); desc = { kind: 'tag' }; break;
          default: throw new Error(`unknown import kind ${kind} for ${module}.${name}`);
        }
        imports.push({ module, name, desc });
      }
    } else if (id === 7) {
      for (let n = r.u32(); n > 0; n--) {
        const name = r.name();
        const kind = EXPORT_KINDS[r.byte()] ?? 'function';
        r.u32();
        exports.push({ name, kind });
      }
    }
    r.pos = end;
  }
  return { imports, exports };
}

export function signature(t: FuncType | null): string {
  return t === null ? '(unknown)' : `(${t.params.join(', ')}) -> (${t.results.join(', ')})`;
}
