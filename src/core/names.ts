/**
 * Names are bytes. Inside the core a path or name is a "binary string": one char per
 * byte (code 0–255), which is exact for any byte sequence and lets Map do the lookups.
 * The API accepts JS strings (taken as UTF-8 text) or byte arrays.
 */
export type PathArg = string | Uint8Array | BytePath;

/**
 * A path already in the core's form (a binary string, one char per byte), for the ABI
 * layers: they decode a path from cage memory once and hand it over without a copy into
 * a Uint8Array and a second decoding. A holder is meant to be reused call after call.
 */
export class BytePath {
  constructor(public bytes = '') {}
}

const latin1Slice = (Buffer.prototype as unknown as { latin1Slice(this: Uint8Array, start: number, end: number): string }).latin1Slice;

/** Bytes [start, end) of `bytes` as a binary string. */
export function bytesToBinary(bytes: Uint8Array, start = 0, end = bytes.length): string {
  return latin1Slice.call(bytes, start, end);
}

/** A path argument as a binary string; null when it holds a NUL byte (no C caller can pass one). */
export function toBinary(path: PathArg): string | null {
  if (path instanceof BytePath) return path.bytes.indexOf('\0') >= 0 ? null : path.bytes;
  if (typeof path === 'string') {
    let ascii = true;
    for (let i = 0; i < path.length; i++) {
      const c = path.charCodeAt(i);
      if (c === 0) return null;
      if (c > 0x7f) ascii = false;
    }
    return ascii ? path : bytesToBinary(Buffer.from(path, 'utf8'));
  }
  if (path.indexOf(0) >= 0) return null;
  return bytesToBinary(path);
}

/** A binary string back to its bytes. */
export function binaryToBytes(name: string): Buffer {
  return Buffer.from(name, 'latin1');
}

/** A binary string shown as UTF-8 text (invalid sequences become U+FFFD): for display only. */
export function binaryToText(name: string): string {
  for (let i = 0; i < name.length; i++) if (name.charCodeAt(i) > 0x7f) return Buffer.from(name, 'latin1').toString('utf8');
  return name;
}
