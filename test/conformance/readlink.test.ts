/**
 * readlink(2) and readlinkat(2): the target's bytes without a NUL, truncated to bufsiz,
 * EINVAL for bufsiz <= 0 (before anything else) and for what is not a symlink, the empty
 * path on a descriptor (O_PATH | O_NOFOLLOW) and its ENOENT otherwise, trailing slashes,
 * ELOOP, permissions, and the access time. Expectations checked against Linux 6.18 (tmpfs)
 * with C probes.
 */
import { describe, test, expect, beforeEach } from 'vitest';
import {
  Imfs, manualClock, newStat, type Stat,
  AT_FDCWD, O_DIRECTORY, O_NOFOLLOW, O_PATH, O_RDONLY, S_IFIFO,
} from '../../src/core/index.js';
import { T0, r, createFile } from '../helpers/conformance.js';

const ROOT = 0;
/** uid 1000, gid 1000. */
const USER = 1;

const clock = manualClock(T0);
let fs: Imfs;
const st: Stat = newStat();

const file = (path: string, mode = 0o644): void => createFile(fs, path, mode);

function dir(path: string, mode = 0o755): void {
  expect(fs.mkdir(ROOT, path, 0o755)).toBe(0);
  expect(fs.chmod(ROOT, path, mode)).toBe(0);
}

/** readlink into a buffer pre-filled with 'X', returning [result, buffer text]. */
function rl(path: string, bufsiz = 64, cage = ROOT): [string | number, string] {
  const buf = Buffer.alloc(64, 'X');
  const n = fs.readlink(cage, path, buf, bufsiz);
  return [r(n), buf.toString('latin1')];
}

beforeEach(() => {
  clock.set(T0, 0);
  fs = new Imfs({ clock });
  fs.createCage(USER, { uid: 1000, gid: 1000, groups: [1000], umask: 0 });
  file('/f');
  dir('/d');
  expect(fs.symlink(ROOT, 'target', '/s1')).toBe(0);
  expect(fs.symlink(ROOT, 'd', '/sd')).toBe(0);
  expect(fs.symlink(ROOT, 'f', '/sf')).toBe(0);
  expect(fs.symlink(ROOT, 'loop', '/loop')).toBe(0);
});

describe('reading the target', () => {
  test('returns the byte count and writes no NUL: the rest of the buffer is untouched', () => {
    const [n, text] = rl('/s1');
    expect(n).toBe(6);
    expect(text.slice(0, 8)).toBe('targetXX');
  });

  test.each([
    [1, 't'], [3, 'tar'], [5, 'targe'], [6, 'target'], [7, 'target'],
  ])('bufsiz %i truncates silently to %s', (bufsiz, want) => {
    const [n, text] = rl('/s1', bufsiz);
    expect(n).toBe(want.length);
    expect(text.slice(0, want.length + 1)).toBe(want + 'X');
  });

  test('any bytes come back exactly', () => {
    const bytes = new Uint8Array([0xff, 0x00 + 1, 0x80, 0x2f, 0x2e, 0xc3]);
    expect(fs.symlink(ROOT, bytes, '/bytes')).toBe(0);
    const buf = new Uint8Array(16);
    expect(fs.readlink(ROOT, '/bytes', buf)).toBe(6);
    expect([...buf.subarray(0, 6)]).toEqual([...bytes]);
  });

  test('a target of 4095 bytes is returned whole', () => {
    const t = 'c'.repeat(4095);
    expect(fs.symlink(ROOT, t, '/long')).toBe(0);
    const buf = new Uint8Array(8192);
    expect(fs.readlink(ROOT, '/long', buf)).toBe(4095);
    expect(Buffer.from(buf.subarray(0, 4095)).toString()).toBe(t);
  });

  test('a dangling or looping symlink is read without being followed', () => {
    expect(rl('/s1')[0]).toBe(6);
    expect(rl('/loop')[0]).toBe(4);
  });

  test('only the last component is not followed: symlinks before it are', () => {
    expect(fs.symlink(ROOT, 'inner-target', '/d/inner')).toBe(0);
    const [n, text] = rl('/sd/inner');
    expect(n).toBe(12);
    expect(text.slice(0, 12)).toBe('inner-target');
  });

  test('the bufOffset argument of readlinkat places the bytes', () => {
    const buf = Buffer.alloc(16, '.');
    expect(fs.readlinkat(ROOT, AT_FDCWD, '/s1', buf, 10, 4)).toBe(6);
    expect(buf.toString()).toBe('....target......');
  });

  test('reading a symlink updates its access time (relatime: once, while it is not newer than mtime)', () => {
    clock.set(T0 + 10, 0);
    expect(rl('/s1')[0]).toBe(6);
    expect(fs.lstat(ROOT, '/s1', st)).toBe(0);
    expect(st.atimeSec).toBe(T0 + 10);
    clock.set(T0 + 20, 0);
    expect(rl('/s1')[0]).toBe(6);
    expect(fs.lstat(ROOT, '/s1', st)).toBe(0);
    expect(st.atimeSec).toBe(T0 + 10);
  });
});

describe('errors', () => {
  test('bufsiz 0 or negative is EINVAL, before the path is looked at', () => {
    expect(rl('/s1', 0)[0]).toBe('EINVAL');
    expect(rl('/s1', -1)[0]).toBe('EINVAL');
    expect(rl('/nope', 0)[0]).toBe('EINVAL');
    expect(r(fs.readlinkat(ROOT, 99, '', new Uint8Array(4), 0))).toBe('EINVAL');
  });

  test.each([
    // not a symlink
    ['/f', 'EINVAL'],
    ['/d', 'EINVAL'],
    ['/.', 'EINVAL'],
    ['/', 'EINVAL'],
    ['/sd/', 'EINVAL'], // followed to the directory
    // missing
    ['/nope', 'ENOENT'],
    ['/nope/x', 'ENOENT'],
    ['', 'ENOENT'],
    ['/s1/', 'ENOENT'], // followed, dangling
    // not directories
    ['/f/', 'ENOTDIR'],
    ['/f/x', 'ENOTDIR'],
    ['/sf/', 'ENOTDIR'],
    // loops and lengths
    ['/loop/', 'ELOOP'],
    ['/loop/x', 'ELOOP'],
    ['/' + 'a'.repeat(256), 'ENAMETOOLONG'],
    ['/' + 'b'.repeat(4096), 'ENAMETOOLONG'],
  ])('readlink(%s) → %s', (path, want) => {
    expect(rl(path)[0]).toBe(want);
  });

  test('a FIFO is EINVAL too', () => {
    expect(fs.mknod(ROOT, '/p', S_IFIFO | 0o644)).toBe(0);
    expect(rl('/p')[0]).toBe('EINVAL');
  });

  test('EACCES without search permission on the directory; no permission on the link itself is needed', () => {
    dir('/nx', 0o700);
    expect(fs.symlink(ROOT, 'secret', '/nx/s')).toBe(0);
    expect(rl('/nx/s', 64, USER)[0]).toBe('EACCES');
    expect(rl('/s1', 64, USER)[0]).toBe(6);
  });
});

describe('readlinkat', () => {
  test('an empty path reads the symlink an O_PATH | O_NOFOLLOW descriptor refers to', () => {
    const fd = fs.open(ROOT, '/s1', O_PATH | O_NOFOLLOW);
    expect(fd).toBeGreaterThanOrEqual(0);
    const buf = Buffer.alloc(16);
    expect(fs.readlinkat(ROOT, fd, '', buf, 16)).toBe(6);
    expect(buf.subarray(0, 6).toString()).toBe('target');
    expect(r(fs.readlinkat(ROOT, fd, '', buf, 0))).toBe('EINVAL');
  });

  test('an empty path on anything that is not a symlink is ENOENT (not EINVAL)', () => {
    const d = fs.open(ROOT, '/d', O_RDONLY | O_DIRECTORY);
    const f = fs.open(ROOT, '/f', O_RDONLY);
    const buf = new Uint8Array(16);
    expect(r(fs.readlinkat(ROOT, d, '', buf))).toBe('ENOENT');
    expect(r(fs.readlinkat(ROOT, f, '', buf))).toBe('ENOENT');
    expect(r(fs.readlinkat(ROOT, AT_FDCWD, '', buf))).toBe('ENOENT');
  });

  test('EBADF for a closed descriptor, with an empty or a relative path', () => {
    const buf = new Uint8Array(16);
    expect(r(fs.readlinkat(ROOT, 99, '', buf))).toBe('EBADF');
    expect(r(fs.readlinkat(ROOT, 99, 's1', buf))).toBe('EBADF');
    expect(fs.readlinkat(ROOT, 99, '/s1', buf)).toBe(6); // an absolute path ignores it
  });

  test('a relative path is resolved against a directory descriptor (O_PATH too); a non-directory is ENOTDIR', () => {
    expect(fs.symlink(ROOT, '../f', '/d/up')).toBe(0);
    const d = fs.open(ROOT, '/d', O_RDONLY | O_DIRECTORY);
    const p = fs.open(ROOT, '/d', O_PATH);
    const buf = new Uint8Array(16);
    expect(fs.readlinkat(ROOT, d, 'up', buf)).toBe(4);
    expect(fs.readlinkat(ROOT, p, 'up', buf)).toBe(4);
    const link = fs.open(ROOT, '/s1', O_PATH | O_NOFOLLOW);
    const f = fs.open(ROOT, '/f', O_RDONLY);
    expect(r(fs.readlinkat(ROOT, link, 'x', buf))).toBe('ENOTDIR');
    expect(r(fs.readlinkat(ROOT, f, 'x', buf))).toBe('ENOTDIR');
  });
});
