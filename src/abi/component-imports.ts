/**
 * The versioned names a component imports and exports ("wasi:filesystem/types@0.3.0"),
 * read from its top-level import and export sections, so that the grate can tell a WASI 0.3
 * component before transpiling it (jco's own list drops the versions). Only what names need is decoded.
 */
import { isComponent, Reader } from './wasm-module.js';

const IMPORT_SECTION = 10;
const EXPORT_SECTION = 11;

export function componentNames(bytes: Uint8Array): { imports: string[]; exports: string[] } {
  if (!isComponent(bytes)) throw new Error('not a WebAssembly component');
  const r = new Reader(bytes);
  r.pos = 8;
  const imports: string[] = [], exports: string[] = [];
  while (r.pos < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    const end = r.pos + size;
    if (id === IMPORT_SECTION) {
      for (let n = r.u32(); n > 0; n--) {
        // importname': 0x00 len name (the only form current toolchains write); stop at any other.
        if (r.byte() !== 0x00) break;
        imports.push(r.name());
        externdesc(r);
      }
    } else if (id === EXPORT_SECTION) {
      for (let n = r.u32(); n > 0; n--) {
        if (r.byte() !== 0x00) break;
        exports.push(r.name());
        // sortidx (a core sort has a second byte), then an optional externdesc.
        if (r.byte() === 0x00) r.byte();
        r.u32();
        if (r.byte() === 0x01) externdesc(r);
      }
    }
    r.pos = end;
  }
  return { imports, exports };
}

/** Skips an externdesc: a sort byte and its index or bound. */
function externdesc(r: Reader): void {
  switch (r.byte()) {
    case 0x00: r.byte(); r.u32(); return; // core module: 0x11 typeidx
    case 0x02: r.byte(); r.u32(); return; // value: 0x00 valueidx | 0x01 valtype
    case 0x03: if (r.byte() === 0x00) r.u32(); return; // type: eq typeidx | sub resource
    default: r.u32(); // func, component, instance: typeidx
  }
}

/** The WASI 0.3 interfaces among names ("@0.3." and its release candidates). */
export function wasiP3Names(names: readonly string[]): string[] {
  return names.filter((n) => /^wasi:[^@]+@0\.3\./.test(n));
}
