/** FileData's chunk sizes: small files start small; a file being written through takes whole chunks. */
import { describe, expect, test } from 'vitest';
import { FileData } from '../../src/core/file-data.js';
import { Space } from '../../src/core/space.js';

const CHUNK = 16384;

describe('FileData chunk sizes', () => {
  test('a small file starts with a small chunk and doubles it as it grows', () => {
    const space = new Space(1 << 30), data = new FileData(CHUNK);
    expect(data.write(new Uint8Array(100).fill(1), 0, 100, 0, space)).toBe(100);
    expect(data.allocated).toBe(512);
    expect(data.write(new Uint8Array(1000).fill(2), 0, 1000, 100, space)).toBe(1000);
    expect(data.allocated).toBe(2048);
  });

  test('after a full chunk, the next chunk is taken whole: sequential 4 KiB writes never regrow a chunk', () => {
    const space = new Space(1 << 30), data = new FileData(CHUNK);
    const block = new Uint8Array(4096).fill(3);
    for (let pos = 0; pos < CHUNK; pos += 4096) expect(data.write(block, 0, 4096, pos, space)).toBe(4096);
    expect(data.allocated).toBe(CHUNK);
    expect(data.write(block, 0, 4096, CHUNK, space)).toBe(4096);
    expect(data.allocated).toBe(2 * CHUNK); // the second chunk, whole at its first write
    for (let pos = CHUNK + 4096; pos < 4 * CHUNK; pos += 4096) expect(data.write(block, 0, 4096, pos, space)).toBe(4096);
    expect(data.allocated).toBe(4 * CHUNK);
    expect(space.used).toBe(4 * CHUNK);
    const out = new Uint8Array(4 * CHUNK);
    expect(data.read(out, 0, out.length, 0, 4 * CHUNK)).toBe(4 * CHUNK);
    expect(out.every((b) => b === 3)).toBe(true);
  });

  test('a small write far past the data (a sparse file) still takes only a small chunk', () => {
    const space = new Space(1 << 30), data = new FileData(CHUNK);
    data.write(new Uint8Array(CHUNK).fill(4), 0, CHUNK, 0, space);
    data.write(new Uint8Array(1).fill(5), 0, 1, 10 * CHUNK, space);
    expect(data.allocated).toBe(CHUNK + 512);
  });
});
