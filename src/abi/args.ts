/**
 * args_sizes_get/args_get and environ_sizes_get/environ_get: the same four functions
 * serve the lind and the WASI import modules (only the fault code differs: Lind answers
 * a positive Linux EFAULT, WASI its FAULT).
 */
import type { CageMemory } from './cage-memory.js';

export interface StringListImports {
  sizes: (countOut: number, bufSizeOut: number) => number;
  get: (pointers: number, buf: number) => number;
}

/** Import functions for a list of NUL-terminated strings (argv or environ). */
export function stringListImports(memory: () => CageMemory, list: readonly Uint8Array[], fault: number): StringListImports {
  const total = list.reduce((n, s) => n + s.length + 1, 0);
  return {
    sizes: (countOut, bufSizeOut) => {
      const m = memory();
      countOut >>>= 0;
      bufSizeOut >>>= 0;
      if (!m.ok(countOut, 4) || !m.ok(bufSizeOut, 4)) return fault;
      m.setU32(countOut, list.length);
      m.setU32(bufSizeOut, total);
      return 0;
    },
    get: (pointers, buf) => {
      const m = memory();
      pointers >>>= 0;
      buf >>>= 0;
      if (!m.ok(pointers, list.length * 4) || !m.ok(buf, total)) return fault;
      let at = buf;
      list.forEach((s, i) => {
        m.setU32(pointers + i * 4, at);
        m.u8.set(s, at);
        m.u8[at + s.length] = 0;
        at += s.length + 1;
      });
      return 0;
    },
  };
}

/** Strings as the bytes a C program receives (UTF-8). */
export function toBytesList(strings: readonly (string | Uint8Array)[]): Uint8Array[] {
  return strings.map((s) => (typeof s === 'string' ? Buffer.from(s, 'utf8') : s));
}

/** An environment given as an object or as "K=V" strings, as "K=V" strings. */
export function envStrings(env: Record<string, string> | readonly string[] | undefined): string[] {
  return Array.isArray(env) ? [...env as readonly string[]] : Object.entries(env ?? {}).map(([k, v]) => `${k}=${v}`);
}
