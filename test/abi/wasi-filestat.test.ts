/**
 * The 64-byte filestat that path_filestat_get and fd_filestat_get write (abi.md: dev, ino,
 * filetype byte and 7 bytes of padding, nlink, size, atim, mtim, ctim), over memory that
 * held other bytes: every byte is written, the padding as zeros.
 */
import { describe, expect, test } from 'vitest';
import { Imfs, O_CREAT, O_RDONLY, O_WRONLY, newStat } from '../../src/core/index.js';
import { directWasi } from '../helpers/direct-wasi.js';

const OUT = 4096, PATH = 1024, REGULAR_FILE = 4, DIRECTORY = 3;

function setup() {
  const fs = new Imfs();
  expect(fs.mkdir(0, '/d', 0o755)).toBe(0);
  const fd = fs.open(0, '/d/f', O_CREAT | O_WRONLY, 0o644);
  expect(fs.write(0, fd, new Uint8Array(1234))).toBe(1234);
  fs.close(0, fd);
  expect(fs.createCage(1)).toBe(0);
  const { preopens: [pre], fns, u8, dv } = directWasi({ fs, cageId: 1, args: [], env: [], preopens: [{ guest: '/', dir: '/' }] });
  return { fs, pre, fns, u8, dv };
}

/** The filestat at OUT, decoded; the padding bytes returned as they are. */
function decode(u8: Uint8Array, dv: DataView) {
  return {
    dev: dv.getBigUint64(OUT, true), ino: dv.getBigUint64(OUT + 8, true), filetype: u8[OUT + 16],
    padding: [...u8.subarray(OUT + 17, OUT + 24)], nlink: dv.getBigUint64(OUT + 24, true),
    size: dv.getBigUint64(OUT + 32, true), mtim: dv.getBigUint64(OUT + 48, true),
  };
}

describe('filestat layout', () => {
  test('path_filestat_get of a regular file and of a directory over garbage', () => {
    const { fs, pre, fns, u8, dv } = setup();
    for (const [path, filetype] of [['d/f', REGULAR_FILE], ['d', DIRECTORY]] as const) {
      const st = newStat();
      expect(fs.stat(0, '/' + path, st)).toBe(0);
      u8.fill(0xff, OUT, OUT + 64);
      const bytes = Buffer.from(path);
      u8.set(bytes, PATH);
      expect(fns.path_filestat_get(pre.fd, 1, PATH, bytes.length, OUT)).toBe(0);
      expect(decode(u8, dv)).toEqual({
        dev: BigInt(st.dev), ino: BigInt(st.ino), filetype, padding: [0, 0, 0, 0, 0, 0, 0],
        nlink: BigInt(st.nlink), size: BigInt(st.size),
        mtim: BigInt(st.mtimeSec) * 1_000_000_000n + BigInt(st.mtimeNsec),
      });
      expect(u8[OUT + 64]).toBe(0); // nothing past the struct
    }
  });

  test('fd_filestat_get writes the same bytes as path_filestat_get', () => {
    const { fs, pre, fns, u8 } = setup();
    const bytes = Buffer.from('d/f');
    u8.set(bytes, PATH);
    u8.fill(0xff, OUT, OUT + 64);
    expect(fns.path_filestat_get(pre.fd, 1, PATH, bytes.length, OUT)).toBe(0);
    const byPath = u8.slice(OUT, OUT + 64);
    const fd = fs.open(1, '/d/f', O_RDONLY, 0);
    expect(fd).toBeGreaterThan(0);
    u8.fill(0xee, OUT, OUT + 64);
    expect(fns.fd_filestat_get(fd, OUT)).toBe(0);
    expect(u8.slice(OUT, OUT + 64)).toEqual(byPath);
  });
});
