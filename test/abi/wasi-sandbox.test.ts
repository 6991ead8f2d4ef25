/**
 * A preview1 directory descriptor is a capability for its subtree: path_* calls stay
 * beneath it. Escapes by "..", absolute paths and absolute or climbing symlinks answer
 * NOTCAPABLE (76), whatever the preopen, while the same names inside it work.
 */
import { describe, expect, test } from 'vitest';
import { Imfs, O_CREAT, O_WRONLY, newStat } from '../../src/core/index.js';
import { directWasi } from '../helpers/direct-wasi.js';

const NOTCAPABLE = 76, NOENT = 44;

function setup(exclusive = true) {
  const fs = new Imfs();
  for (const d of ['/jail', '/jail/sub', '/secret']) expect(fs.mkdir(0, d, 0o755)).toBe(0);
  fs.close(0, fs.open(0, '/secret/key', O_CREAT | O_WRONLY, 0o600));
  fs.close(0, fs.open(0, '/jail/inside', O_CREAT | O_WRONLY, 0o644));
  expect(fs.symlink(0, '/secret/key', '/jail/abs-link')).toBe(0);
  expect(fs.symlink(0, '../secret/key', '/jail/climb-link')).toBe(0);
  expect(fs.symlink(0, '../inside', '/jail/sub/ok-link')).toBe(0);
  expect(fs.createCage(1)).toBe(0);
  const { preopens: [pre], fns, u8 } = directWasi({ fs, cageId: 1, args: [], env: [], preopens: [{ guest: '/sandbox', dir: '/jail' }], exclusive });
  /** path_filestat_get(preopen, follow, path) → errno. */
  const statErr = (path: string, follow = 1) => {
    const bytes = Buffer.from(path);
    u8.set(bytes, 1024);
    return fns.path_filestat_get(pre.fd, follow, 1024, bytes.length, 2048);
  };
  const openErr = (path: string) => {
    const bytes = Buffer.from(path);
    u8.set(bytes, 1024);
    return fns.path_open(pre.fd, 1, 1024, bytes.length, 0, 0x3fffffffn, 0x3fffffffn, 0, 4096);
  };
  return { fs, statErr, openErr };
}

describe('path_* calls stay beneath their directory descriptor', () => {
  test('names inside the preopen work, including ".." that stays inside and relative links inside', () => {
    const { statErr, openErr } = setup();
    expect(statErr('inside')).toBe(0);
    expect(statErr('sub/../inside')).toBe(0);
    expect(statErr('sub/ok-link')).toBe(0);
    expect(openErr('sub/ok-link')).toBe(0);
    expect(statErr('.')).toBe(0);
  });

  test('".." above the preopen, absolute paths and escaping symlinks are NOTCAPABLE', () => {
    const { statErr, openErr } = setup();
    expect(statErr('..')).toBe(NOTCAPABLE);
    expect(statErr('../secret/key')).toBe(NOTCAPABLE);
    expect(statErr('sub/../../secret/key')).toBe(NOTCAPABLE);
    expect(statErr('/secret/key')).toBe(NOTCAPABLE);
    expect(statErr('abs-link')).toBe(NOTCAPABLE);
    expect(statErr('climb-link')).toBe(NOTCAPABLE);
    expect(openErr('climb-link')).toBe(NOTCAPABLE);
    // Not following the final link is fine: the link itself is inside.
    expect(statErr('abs-link', 0)).toBe(0);
    expect(statErr('missing')).toBe(NOENT);
  });

  test('in a cage that also imports lind, only the path_* calls are confined', () => {
    const { fs, statErr } = setup(false);
    expect(statErr('../secret/key')).toBe(NOTCAPABLE);
    expect(fs.cage(1)!.beneath).toBe(false);
    const st = newStat();
    const dirfd = fs.open(1, '/jail', 0o200000);
    expect(fs.fstatat(1, dirfd, '../secret/key', st, 0)).toBe(0);
  });
});
