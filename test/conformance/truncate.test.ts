/**
 * truncate(2) and ftruncate(2): growing leaves a hole, shrinking drops the data for good,
 * every errno of the man page, the timestamp rules (truncate changes mtime/ctime only when
 * the size changes; ftruncate always does, as Linux's do_sys_ftruncate passes
 * ATTR_MTIME|ATTR_CTIME) and the clearing of set-id bits, checked against Linux 6.18 tmpfs.
 */
import { describe, test, expect } from 'vitest';
import {
  Imfs,
  O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_APPEND, O_PATH, O_DIRECTORY, SEEK_CUR, S_IFREG, S_IFCHR,
  S_ISUID, S_ISGID,
} from '../../src/core/index.js';
import { T0, r as E, tmpfsSetup, put, statOf } from '../helpers/conformance.js';

const K4 = 4096;

function bytes(fs: Imfs, path: string, at: number, n: number): number[] {
  const fd = fs.open(0, path, O_RDONLY);
  const b = new Uint8Array(n).fill(0xee);
  const got = fs.pread(0, fd, b, n, at);
  fs.close(0, fd);
  return [...b.subarray(0, got)];
}

describe('growing and shrinking', () => {
  test('growing sets the size and adds a hole: zeros, no blocks', () => {
    const { fs } = tmpfsSetup();
    put(fs, '/f', 'abc');
    const blocks = statOf(fs, '/f').blocks;
    expect(fs.truncate(0, '/f', 1 << 20)).toBe(0);
    const s = statOf(fs, '/f');
    expect([s.size, s.blocks]).toEqual([1 << 20, blocks]);
    expect(bytes(fs, '/f', 0, 6)).toEqual([0x61, 0x62, 0x63, 0, 0, 0]);
    expect(bytes(fs, '/f', (1 << 20) - 2, 4)).toEqual([0, 0]);
    const fd = fs.open(0, '/g', O_CREAT | O_RDWR, 0o644);
    expect(fs.ftruncate(0, fd, 10 * K4)).toBe(0);
    expect([statOf(fs, '/g').size, statOf(fs, '/g').blocks]).toEqual([10 * K4, 0]);
  });

  test('shrinking drops the data past the end; growing again brings back zeros, not the old bytes', () => {
    const { fs } = tmpfsSetup();
    put(fs, '/f', 'abcdefghij');
    expect(fs.truncate(0, '/f', 3)).toBe(0);
    expect(statOf(fs, '/f').size).toBe(3);
    expect(bytes(fs, '/f', 0, 20)).toEqual([0x61, 0x62, 0x63]);
    expect(fs.truncate(0, '/f', 8)).toBe(0);
    expect(bytes(fs, '/f', 0, 20)).toEqual([0x61, 0x62, 0x63, 0, 0, 0, 0, 0]);
  });

  test('shrinking frees the blocks of the dropped chunks, and to 0 frees them all', () => {
    const { fs } = tmpfsSetup();
    put(fs, '/f', new Uint8Array(4 * K4).fill(1));
    expect(statOf(fs, '/f').blocks).toBe(4 * K4 / 512);
    expect(fs.truncate(0, '/f', K4 + 1)).toBe(0);
    expect(statOf(fs, '/f').blocks).toBe(2 * K4 / 512);
    expect(bytes(fs, '/f', K4 - 1, 4)).toEqual([1, 1]);
    expect(fs.truncate(0, '/f', 0)).toBe(0);
    expect(statOf(fs, '/f').blocks).toBe(0);
  });

  test('truncate follows symlinks; the size may be exactly the maximum file size', () => {
    const { fs } = tmpfsSetup({ maxFileSize: 100_000 });
    put(fs, '/f', 'abc');
    expect(fs.symlink(0, 'f', '/lf')).toBe(0);
    expect(fs.truncate(0, '/lf', 100_000)).toBe(0);
    expect(statOf(fs, '/f').size).toBe(100_000);
  });

  test('ftruncate leaves the file offset alone and works on an O_APPEND descriptor', () => {
    const { fs } = tmpfsSetup();
    put(fs, '/f', 'abcdef');
    const fd = fs.open(0, '/f', O_WRONLY | O_APPEND);
    expect(fs.lseek(0, fd, 5, 0)).toBe(5);
    expect(fs.ftruncate(0, fd, 2)).toBe(0);
    expect(fs.lseek(0, fd, 0, SEEK_CUR)).toBe(5);
    expect(statOf(fs, '/f').size).toBe(2);
  });

  test('an open descriptor sees the new size at once', () => {
    const { fs } = tmpfsSetup();
    put(fs, '/f', 'abcdef');
    const r = fs.open(0, '/f', O_RDONLY);
    expect(fs.truncate(0, '/f', 2)).toBe(0);
    expect(fs.read(0, r, new Uint8Array(10))).toBe(2);
  });
});

describe('truncate errors', () => {
  test('EINVAL for a negative length, before the path is looked at', () => {
    const { fs } = tmpfsSetup();
    put(fs, '/f', 'abc');
    expect(fs.mkdir(0, '/d', 0o755)).toBe(0);
    expect(E(fs.truncate(0, '/f', -1))).toBe('EINVAL');
    expect(E(fs.truncate(0, '/missing', -1))).toBe('EINVAL');
    expect(E(fs.truncate(0, '/d', -1))).toBe('EINVAL');
    expect(statOf(fs, '/f').size).toBe(3);
  });

  test('EISDIR for a directory; EINVAL for a FIFO, socket or device node', () => {
    const { fs } = tmpfsSetup();
    expect(fs.mkdir(0, '/d', 0o755)).toBe(0);
    expect(fs.mkfifo(0, '/fifo', 0o666)).toBe(0);
    expect(fs.bind(0, '/sock')).toBeGreaterThanOrEqual(3);
    expect(fs.mknod(0, '/chr', S_IFCHR | 0o666, 1, 3)).toBe(0);
    expect(E(fs.truncate(0, '/d', 0))).toBe('EISDIR');
    expect(E(fs.truncate(0, '/', 0))).toBe('EISDIR');
    expect(E(fs.truncate(0, '/fifo', 0))).toBe('EINVAL');
    expect(E(fs.truncate(0, '/sock', 0))).toBe('EINVAL');
    expect(E(fs.truncate(0, '/chr', 0))).toBe('EINVAL');
  });

  test('EACCES without write permission on the file or search permission on the path', () => {
    const { fs } = tmpfsSetup();
    put(fs, '/ro', 'abc', 0o444);
    expect(fs.mkdir(0, '/ns', 0o700)).toBe(0);
    put(fs, '/ns/f', 'abc', 0o666);
    expect(fs.chmod(0, '/ns/f', 0o666)).toBe(0);
    expect(fs.createCage(1, { uid: 1000, gid: 1000 })).toBe(0);
    expect(E(fs.truncate(1, '/ro', 0))).toBe('EACCES');
    expect(E(fs.truncate(1, '/ns/f', 0))).toBe('EACCES');
    expect(fs.truncate(0, '/ro', 0)).toBe(0); // root overrides
  });

  test('EFBIG past the maximum file size', () => {
    const { fs } = tmpfsSetup({ maxFileSize: 100_000 });
    put(fs, '/f', 'abc');
    expect(E(fs.truncate(0, '/f', 100_001))).toBe('EFBIG');
    expect(statOf(fs, '/f').size).toBe(3);
  });

  test('ENOENT for a missing name, a dangling symlink or an empty path; ENOTDIR for a file on the way', () => {
    const { fs } = tmpfsSetup();
    put(fs, '/f', 'abc');
    expect(fs.symlink(0, '/nowhere', '/dangle')).toBe(0);
    expect(E(fs.truncate(0, '/missing', 0))).toBe('ENOENT');
    expect(E(fs.truncate(0, '/missing/f', 0))).toBe('ENOENT');
    expect(E(fs.truncate(0, '/dangle', 0))).toBe('ENOENT');
    expect(E(fs.truncate(0, '', 0))).toBe('ENOENT');
    expect(E(fs.truncate(0, '/f/x', 0))).toBe('ENOTDIR');
    expect(E(fs.truncate(0, '/f/', 0))).toBe('ENOTDIR');
    expect(fs.exists(0, '/nowhere')).toBe(false);
  });

  test('ELOOP for a symlink loop; ENAMETOOLONG for an over-long name', () => {
    const { fs } = tmpfsSetup();
    expect(fs.symlink(0, '/loop', '/loop')).toBe(0);
    expect(E(fs.truncate(0, '/loop', 0))).toBe('ELOOP');
    expect(E(fs.truncate(0, '/' + 'n'.repeat(256), 0))).toBe('ENAMETOOLONG');
  });
});

describe('ftruncate errors', () => {
  test('EINVAL for a negative length, even on a bad descriptor', () => {
    const { fs } = tmpfsSetup();
    put(fs, '/f', 'abc');
    const fd = fs.open(0, '/f', O_RDWR);
    expect(E(fs.ftruncate(0, fd, -1))).toBe('EINVAL');
    expect(E(fs.ftruncate(0, 99, -1))).toBe('EINVAL');
  });

  test('EBADF for a descriptor not open or O_PATH', () => {
    const { fs } = tmpfsSetup();
    put(fs, '/f', 'abc');
    const p = fs.open(0, '/f', O_PATH);
    expect(E(fs.ftruncate(0, 99, 0))).toBe('EBADF');
    expect(E(fs.ftruncate(0, p, 0))).toBe('EBADF');
  });

  test('EINVAL for a descriptor not open for writing, or not of a regular file', () => {
    const { fs } = tmpfsSetup();
    put(fs, '/f', 'abc');
    const r = fs.open(0, '/f', O_RDONLY);
    const d = fs.open(0, '/', O_RDONLY | O_DIRECTORY);
    const p = [0, 0];
    expect(fs.pipe(0, p)).toBe(0);
    expect(E(fs.ftruncate(0, r, 0))).toBe('EINVAL');
    expect(E(fs.ftruncate(0, d, 0))).toBe('EINVAL');
    expect(E(fs.ftruncate(0, p[1], 0))).toBe('EINVAL');
    expect(statOf(fs, '/f').size).toBe(3);
  });

  test('EFBIG past the maximum file size', () => {
    const { fs } = tmpfsSetup({ maxFileSize: 100_000 });
    const fd = fs.open(0, '/f', O_CREAT | O_RDWR, 0o644);
    expect(E(fs.ftruncate(0, fd, 100_001))).toBe('EFBIG');
    expect(fs.ftruncate(0, fd, 100_000)).toBe(0);
  });

  test('permission is checked at open, not again: a later chmod does not stop it', () => {
    const { fs } = tmpfsSetup();
    expect(fs.createCage(1, { uid: 1000, gid: 1000 })).toBe(0);
    expect(fs.chmod(0, '/', 0o777)).toBe(0);
    const fd = fs.open(1, '/mine', O_CREAT | O_RDWR, 0o644);
    expect(fs.chmod(1, '/mine', 0o444)).toBe(0);
    expect(E(fs.truncate(1, '/mine', 10))).toBe('EACCES');
    expect(fs.ftruncate(1, fd, 10)).toBe(0);
  });
});

describe('timestamps', () => {
  test('a size change updates mtime and ctime (to the nanosecond), not atime', () => {
    const { fs, clock } = tmpfsSetup();
    put(fs, '/f', 'abc');
    clock.set(T0 + 5, 42);
    expect(fs.truncate(0, '/f', 10)).toBe(0);
    let s = statOf(fs, '/f');
    expect([s.mtimeSec, s.mtimeNsec, s.ctimeSec, s.ctimeNsec, s.atimeSec]).toEqual([T0 + 5, 42, T0 + 5, 42, T0]);
    const fd = fs.open(0, '/f', O_WRONLY);
    clock.set(T0 + 6, 7);
    expect(fs.ftruncate(0, fd, 1)).toBe(0);
    s = statOf(fs, '/f');
    expect([s.mtimeSec, s.mtimeNsec, s.ctimeSec, s.ctimeNsec, s.atimeSec]).toEqual([T0 + 6, 7, T0 + 6, 7, T0]);
  });

  test('truncate to the same size changes no timestamp; ftruncate to the same size updates mtime and ctime', () => {
    const { fs, clock } = tmpfsSetup();
    put(fs, '/f');
    clock.set(T0 + 5);
    expect(fs.truncate(0, '/f', 0)).toBe(0);
    expect([statOf(fs, '/f').mtimeSec, statOf(fs, '/f').ctimeSec]).toEqual([T0, T0]);
    const fd = fs.open(0, '/f', O_WRONLY);
    expect(fs.ftruncate(0, fd, 0)).toBe(0);
    expect([statOf(fs, '/f').mtimeSec, statOf(fs, '/f').ctimeSec]).toEqual([T0 + 5, T0 + 5]);
  });

  test('a failed truncate changes nothing', () => {
    const { fs, clock } = tmpfsSetup({ maxFileSize: 1000 });
    put(fs, '/f', 'abc');
    const fd = fs.open(0, '/f', O_RDWR);
    clock.set(T0 + 5);
    expect(E(fs.truncate(0, '/f', 2000))).toBe('EFBIG');
    expect(E(fs.ftruncate(0, fd, 2000))).toBe('EFBIG');
    const s = statOf(fs, '/f');
    expect([s.size, s.mtimeSec, s.ctimeSec]).toEqual([3, T0, T0]);
  });
});

describe('set-id bits', () => {
  test('an unprivileged truncate or ftruncate clears set-user-ID and the set-group-ID Linux drops', () => {
    const { fs } = tmpfsSetup();
    expect(fs.createCage(1, { uid: 1000, gid: 1000 })).toBe(0);
    for (const name of ['a', 'b', 'c', 'd']) put(fs, `/${name}`, 'xyz');
    expect(fs.chmod(0, '/a', 0o6777)).toBe(0); // both go
    expect(fs.chmod(0, '/b', 0o2767)).toBe(0); // group 0, user not in it: set-group-ID goes
    expect(fs.chown(0, '/c', 0, 1000)).toBe(0);
    expect(fs.chmod(0, '/c', 0o2767)).toBe(0); // user in the group, no group execute: it stays
    expect(fs.chmod(0, '/d', 0o6777)).toBe(0);
    expect(fs.truncate(1, '/a', 1)).toBe(0);
    expect(fs.truncate(1, '/b', 1)).toBe(0);
    expect(fs.truncate(1, '/c', 1)).toBe(0);
    const fd = fs.open(1, '/d', O_RDWR);
    expect(fs.ftruncate(1, fd, 3)).toBe(0); // same size: still cleared
    expect(statOf(fs, '/a').mode).toBe(S_IFREG | 0o777);
    expect(statOf(fs, '/b').mode).toBe(S_IFREG | 0o767);
    expect(statOf(fs, '/c').mode).toBe(S_IFREG | 0o2767);
    expect(statOf(fs, '/d').mode & (S_ISUID | S_ISGID)).toBe(0);
  });

  test('root keeps them', () => {
    const { fs } = tmpfsSetup();
    put(fs, '/s', 'xyz');
    expect(fs.chmod(0, '/s', 0o6777)).toBe(0);
    expect(fs.truncate(0, '/s', 1)).toBe(0);
    expect(statOf(fs, '/s').mode).toBe(S_IFREG | 0o6777);
  });
});
