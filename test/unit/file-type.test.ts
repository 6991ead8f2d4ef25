/**
 * Imfs.fileType: the S_IFMT bits of a descriptor's file, what the WASI ABI records rights
 * by, without fstat's side effect (a stat marks the times as seen, so that the next change
 * reads the exact clock rather than the coarse one).
 */
import { expect, test } from 'vitest';
import { EBADF, ESRCH, Imfs, newStat, O_CREAT, O_DIRECTORY, O_NONBLOCK, O_RDONLY, O_WRONLY, S_IFDIR, S_IFIFO, S_IFREG } from '../../src/core/index.js';

test('fileType answers the type of each kind of descriptor, and EBADF or ESRCH as fstat does', () => {
  const fs = new Imfs();
  expect(fs.mkdir(0, '/d', 0o755)).toBe(0);
  expect(fs.mkfifo(0, '/p', 0o644)).toBe(0);
  const file = fs.open(0, '/f', O_CREAT | O_WRONLY, 0o644);
  const dir = fs.open(0, '/d', O_RDONLY | O_DIRECTORY);
  const fifo = fs.open(0, '/p', O_RDONLY | O_NONBLOCK);
  expect([file, dir, fifo].every((fd) => fd >= 0)).toBe(true);
  expect(fs.fileType(0, file)).toBe(S_IFREG);
  expect(fs.fileType(0, dir)).toBe(S_IFDIR);
  expect(fs.fileType(0, fifo)).toBe(S_IFIFO);
  expect(fs.fileType(0, 99)).toBe(-EBADF);
  expect(fs.fstat(0, 99, newStat())).toBe(-EBADF);
  expect(fs.fileType(12345, file)).toBe(-ESRCH);
  expect(fs.close(0, file)).toBe(0);
  expect(fs.fileType(0, file)).toBe(-EBADF);
});

test('fileType leaves the times unmarked, where fstat marks them', () => {
  const fs = new Imfs();
  const fd = fs.open(0, '/f', O_CREAT | O_WRONLY, 0o644);
  const st = newStat();
  expect(fs.fstat(0, fd, st)).toBe(0);
  const ino = st.ino;
  fs.inodes.queried[ino] = 0;
  expect(fs.fileType(0, fd)).toBe(S_IFREG);
  expect(fs.inodes.queried[ino]).toBe(0);
  expect(fs.fstat(0, fd, st)).toBe(0);
  expect(fs.inodes.queried[ino]).toBe(1);
});
