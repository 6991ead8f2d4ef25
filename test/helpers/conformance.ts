/**
 * Small helpers the conformance tests (test/conformance/) share, so each lives in one place.
 * They take the Imfs explicitly (and the cage where it can vary; cage 0, root, by default).
 * A test file that re-creates a module-level `fs` in beforeEach binds the ones it uses in
 * one line at its top, with its own defaults: `const lstat = (path: string) => lstatOf(fs, path);`.
 */
import { expect } from 'vitest';
import {
  Imfs, manualClock, newStat, errnoName, type Stat, type Flock, O_CREAT, O_WRONLY, SEEK_SET,
} from '../../src/core/index.js';

/** The time the tests' manual clocks start at. */
export const T0 = 1_700_000_000;

/** A result as the errno name (failures) or the number (successes), for readable failures. */
export const r = (n: number): string | number => (n < 0 ? errnoName(n) : n);

/** An open's result: 'fd' for any descriptor, else the errno name. */
export const opened = (n: number): string => (n >= 0 ? 'fd' : errnoName(n));

/** The UTF-8 bytes of a string. */
export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A fresh IMFS on a manual clock at T0, with the default limits but those given. */
export function clockedSetup(limits: Record<string, number> = {}) {
  const clock = manualClock(T0);
  return { fs: new Imfs({ clock, limits }), clock };
}

/**
 * clockedSetup with tmpfs's geometry: 4 KiB chunks (its pages, so block counts match Linux)
 * and its 8 TiB maximum file size; `limits` adds to or overrides that.
 */
export function tmpfsSetup(limits: Record<string, number> = {}) {
  return clockedSetup({ chunkSize: 4096, maxFileSize: 2 ** 43, ...limits });
}

/** Creates (or opens) `path` as root with O_CREAT | O_WRONLY and `mode`, writes `data`, closes it. */
export function put(fs: Imfs, path: string, data: string | Uint8Array = '', mode = 0o644): void {
  const fd = fs.open(0, path, O_CREAT | O_WRONLY, mode);
  expect(fd).toBeGreaterThanOrEqual(0);
  const bytes = typeof data === 'string' ? enc(data) : data;
  if (bytes.length > 0) expect(fs.write(0, fd, bytes)).toBe(bytes.length);
  expect(fs.close(0, fd)).toBe(0);
}

/** Creates (or opens) `path` as `cage` with O_CREAT | O_WRONLY and `mode`, and closes it. */
export function createFile(fs: Imfs, path: string | Uint8Array, mode = 0o644, cage = 0): void {
  const fd = fs.open(cage, path, O_CREAT | O_WRONLY, mode);
  expect(fd).toBeGreaterThanOrEqual(0);
  fs.close(cage, fd);
}

/**
 * Creates a regular file as root (holding `content`, if any), then gives it the owner, group
 * and exact mode asked for (chmod as root keeps every bit, whatever the umask).
 */
export function ownedFile(fs: Imfs, path: string, mode: number, uid: number, gid: number, content = ''): void {
  const fd = fs.open(0, path, O_CREAT | O_WRONLY, mode);
  expect(fd).toBeGreaterThanOrEqual(0);
  if (content) fs.write(0, fd, Buffer.from(content));
  fs.close(0, fd);
  expect(fs.chown(0, path, uid, gid)).toBe(0);
  expect(fs.chmod(0, path, mode)).toBe(0);
}

/** Creates a directory as root, then gives it the owner, group and exact mode asked for. */
export function ownedDir(fs: Imfs, path: string, mode: number, uid: number, gid: number): void {
  expect(fs.mkdir(0, path, 0o755)).toBe(0);
  expect(fs.chown(0, path, uid, gid)).toBe(0);
  expect(fs.chmod(0, path, mode)).toBe(0);
}

/** lstat as `cage`, which must succeed. */
export function lstatOf(fs: Imfs, path: string, cage = 0): Stat {
  const s = newStat();
  expect(r(fs.lstat(cage, path, s))).toBe(0);
  return s;
}

/** stat as `cage`, which must succeed. */
export function statOf(fs: Imfs, path: string, cage = 0): Stat {
  const s = newStat();
  expect(r(fs.stat(cage, path, s))).toBe(0);
  return s;
}

/** fstat as `cage`, which must succeed. */
export function fstatOf(fs: Imfs, fd: number, cage = 0): Stat {
  const s = newStat();
  expect(r(fs.fstat(cage, fd, s))).toBe(0);
  return s;
}

/**
 * The permission bits (mode & 07777) of a path, by lstat as root, which must succeed; the
 * whole stat is left in `into`, for a test that looks at more fields afterwards.
 */
export function modeOf(fs: Imfs, path: string, into: Stat = newStat()): number {
  expect(r(fs.lstat(0, path, into))).toBe(0);
  return into.mode & 0o7777;
}

/** A struct flock for fcntl(2): by default the whole file, from the start. */
export function lock(type: number, start = 0, len = 0, whence = SEEK_SET, pid = 0): Flock {
  return { type, whence, start, len, pid };
}

/** A cage's working directory (getcwd(3)) as a string, or the errno name. */
export function cwdOf(fs: Imfs, cage: number): string | number {
  const buf = new Uint8Array(4096);
  const n = fs.getcwd(cage, buf);
  return n < 0 ? errnoName(n) : Buffer.from(buf.subarray(0, n - 1)).toString();
}
