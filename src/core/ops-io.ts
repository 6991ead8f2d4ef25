/** Moving bytes: read/write and their positional and vector forms, lseek, truncation, fallocate, sync, copy_file_range. */
import {
  FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE, FALLOC_FL_ZERO_RANGE, FALLOC_FL_COLLAPSE_RANGE,
  FALLOC_FL_INSERT_RANGE, FALLOC_FL_UNSHARE_RANGE, FALLOC_FL_WRITE_ZEROES, O_APPEND, O_DIRECT, O_NOATIME,
  O_NONBLOCK, S_IFBLK, S_IFDIR, S_IFIFO, S_IFMT, S_IFREG, S_IFSOCK, SEEK_CUR, SEEK_DATA,
  SEEK_END, SEEK_HOLE, SEEK_SET,
} from './constants.js';
import {
  EACCES, EBADF, EFBIG, EINVAL, EISDIR, ENODEV, ENOENT, ENOSPC, ENOTCONN, ENXIO, EOPNOTSUPP,
  ESPIPE, EOVERFLOW,
} from './errno.js';
import { MAY_WRITE, permits } from './access.js';
import { FOLLOW, Lookup, walk } from './path-walk.js';
import { M, C, type FsState } from './fs-state.js';
import type { Cage } from './cage.js';
import type { OpenFile } from './open-file.js';
import type { FileData } from './file-data.js';
import { copyFromUser, copyToUser } from './copy-bytes.js';

const lk = new Lookup();
/** Linux caps one read/write at MAX_RW_COUNT (INT_MAX rounded down to a page). */
export const MAX_RW_COUNT = 0x7ffff000;
export const IOV_MAX = 1024;

/**
 * 0 if `fd` is open for reading (or writing), else -EBADF: what Linux finds before it
 * looks at the buffer, so a bad descriptor wins over a bad buffer (EFAULT).
 */
export function checkIo(cage: Cage, fd: number, writing: boolean): number {
  const file = ioFile(cage, fd);
  return file !== undefined && (writing ? file.writable : file.readable) ? 0 : -EBADF;
}

/** The description behind `fd` for I/O: O_PATH descriptors do not count (EBADF). */
export function ioFile(cage: Cage, fd: number): OpenFile | undefined {
  const file = cage.files[fd];
  return file === undefined || file.isPath ? undefined : file;
}

function fileType(fs: FsState, file: OpenFile): number {
  return fs.inodes.mode[file.ino] & S_IFMT;
}

/** read(2) into buf[off..off+len]. */
export function read(fs: FsState, cage: Cage, fd: number, buf: Uint8Array, off: number, len: number): number {
  const file = ioFile(cage, fd);
  if (file === undefined || !file.readable) return -EBADF;
  if (len > MAX_RW_COUNT) len = MAX_RW_COUNT;
  if (file.pipe !== null) return file.pipe.read(buf, off, len, (file.flags & O_NONBLOCK) !== 0);
  if (file.device !== null) {
    if (file.device.read === undefined) return -EINVAL;
    const n = file.device.read(buf, off, len, file.pos);
    if (n > 0 && file.device.seekable) file.pos += n;
    return n;
  }
  const n = readAt(fs, file, buf, off, len, file.pos);
  if (n > 0) file.pos += n;
  return n;
}

/** 0 for a regular file; else what reading or writing it at an offset answers. */
function notRegular(fs: FsState, ino: number): number {
  switch (fs.inodes.mode[ino] & S_IFMT) {
    case S_IFREG: return 0;
    case S_IFDIR: return -EISDIR;
    case S_IFSOCK: return -ENOTCONN;
    default: return -EINVAL;
  }
}

/** Reads a regular file (or rejects what cannot be read at an offset). */
function readAt(fs: FsState, file: OpenFile, buf: Uint8Array, off: number, len: number, pos: number): number {
  const table = fs.inodes;
  const ino = file.ino;
  const e = notRegular(fs, ino);
  if (e < 0) return e;
  // Even a zero-length read counts as an access (file_accessed), as on tmpfs.
  const n = len === 0 ? 0 : (table.payload[ino] as FileData).read(buf, off, len, pos, table.size[ino]);
  if ((file.flags & O_NOATIME) === 0) fs.touchAtime(ino);
  return n;
}

/** pread(2): at `pos`, leaving the file offset alone. */
export function pread(fs: FsState, cage: Cage, fd: number, buf: Uint8Array, off: number, len: number, pos: number): number {
  // Linux's order: the offset, the descriptor, seekability (FMODE_PREAD), then the access mode.
  if (pos < 0) return -EINVAL;
  const file = ioFile(cage, fd);
  if (file === undefined) return -EBADF;
  if (file.pipe !== null || fileType(fs, file) === S_IFSOCK || (file.device !== null && !file.device.seekable)) return -ESPIPE;
  if (!file.readable) return -EBADF;
  if (len > MAX_RW_COUNT) len = MAX_RW_COUNT;
  if (file.device !== null) {
    return file.device.read === undefined ? -EINVAL : file.device.read(buf, off, len, pos);
  }
  return readAt(fs, file, buf, off, len, pos);
}

/** write(2) from buf[off..off+len]. */
export function write(fs: FsState, cage: Cage, fd: number, buf: Uint8Array, off: number, len: number): number {
  const file = ioFile(cage, fd);
  if (file === undefined || !file.writable) return -EBADF;
  if (len > MAX_RW_COUNT) len = MAX_RW_COUNT;
  if (file.pipe !== null) return file.pipe.write(buf, off, len, (file.flags & O_NONBLOCK) !== 0, (file.flags & O_DIRECT) !== 0);
  if (file.device !== null) {
    if (file.device.write === undefined) return -EINVAL;
    const n = file.device.write(buf, off, len, file.pos);
    if (n > 0 && file.device.seekable) file.pos += n;
    return n;
  }
  const append = (file.flags & O_APPEND) !== 0;
  const n = writeAt(fs, cage, file, buf, off, len, append ? fs.inodes.size[file.ino] : file.pos);
  if (n > 0) file.pos = append ? fs.inodes.size[file.ino] : file.pos + n;
  return n;
}

function writeAt(fs: FsState, cage: Cage, file: OpenFile, buf: Uint8Array, off: number, len: number, pos: number): number {
  const table = fs.inodes;
  const ino = file.ino;
  const e = notRegular(fs, ino);
  if (e < 0) return e;
  if (len === 0) return 0;
  const max = fs.limits.maxFileSize;
  if (pos >= max) return -EFBIG;
  if (len > max - pos) len = max - pos;
  fs.killSuid(ino, cage.cred);
  // Times are updated before the data goes in (file_update_time): a write that finds no space still stamps them.
  fs.stamp(ino, M | C);
  const n = (table.payload[ino] as FileData).write(buf, off, len, pos, fs.space);
  if (n < 0) return -ENOSPC;
  if (pos + n > table.size[ino]) table.size[ino] = pos + n;
  return n;
}

/** pwrite(2). As on Linux, a description opened with O_APPEND appends whatever `pos` says. */
export function pwrite(fs: FsState, cage: Cage, fd: number, buf: Uint8Array, off: number, len: number, pos: number): number {
  if (pos < 0) return -EINVAL;
  const file = ioFile(cage, fd);
  if (file === undefined) return -EBADF;
  if (file.pipe !== null || fileType(fs, file) === S_IFSOCK || (file.device !== null && !file.device.seekable)) return -ESPIPE;
  if (!file.writable) return -EBADF;
  if (len > MAX_RW_COUNT) len = MAX_RW_COUNT;
  if (file.device !== null) {
    return file.device.write === undefined ? -EINVAL : file.device.write(buf, off, len, pos);
  }
  if (file.flags & O_APPEND) pos = fs.inodes.size[file.ino];
  return writeAt(fs, cage, file, buf, off, len, pos);
}

function totalLength(iovs: readonly Uint8Array[]): number {
  if (iovs.length > IOV_MAX) return -EINVAL;
  let total = 0;
  for (const v of iovs) total += v.length;
  return total > MAX_RW_COUNT ? -EINVAL : total;
}

/**
 * A readv/writev (or preadv/pwritev) of no bytes at all: Linux's vfs_readv/vfs_writev
 * answer 0 after the descriptor checks, before the file is asked (no EISDIR, no times
 * touched, no waiting on a pipe), unlike read/write of 0 bytes.
 */
function transferNothing(fs: FsState, cage: Cage, fd: number, pos: number, writing: boolean): number {
  const file = ioFile(cage, fd);
  if (file === undefined) return -EBADF;
  if (pos >= 0 && (file.pipe !== null || fileType(fs, file) === S_IFSOCK || (file.device !== null && !file.device.seekable))) return -ESPIPE;
  if (!(writing ? file.writable : file.readable)) return -EBADF;
  if (file.device !== null && (writing ? file.device.write : file.device.read) === undefined) return -EINVAL;
  return 0;
}

function gather(iovs: readonly Uint8Array[], total: number): Uint8Array {
  const all = new Uint8Array(total);
  let at = 0;
  for (const v of iovs) { copyFromUser(all, at, v, 0, v.length); at += v.length; }
  return all;
}

function scatter(all: Uint8Array, n: number, iovs: readonly Uint8Array[]): void {
  let at = 0;
  for (const v of iovs) {
    if (at >= n) break;
    const k = Math.min(v.length, n - at);
    copyToUser(v, 0, all, at, k);
    at += k;
  }
}

/**
 * readv/preadv (pos < 0 means "at the file offset"). The buffers are filled in order;
 * for a single buffer the data goes straight in, otherwise through one gather buffer so
 * that a pipe read stays one read.
 */
export function readv(fs: FsState, cage: Cage, fd: number, iovs: readonly Uint8Array[], pos: number): number {
  const total = totalLength(iovs);
  if (total < 0) return total;
  if (total === 0) return transferNothing(fs, cage, fd, pos, false);
  if (iovs.length === 1) {
    const v = iovs[0];
    return pos < 0 ? read(fs, cage, fd, v, 0, v.length) : pread(fs, cage, fd, v, 0, v.length, pos);
  }
  const all = new Uint8Array(total);
  const n = pos < 0 ? read(fs, cage, fd, all, 0, total) : pread(fs, cage, fd, all, 0, total, pos);
  if (n > 0) scatter(all, n, iovs);
  return n;
}

/** writev/pwritev (pos < 0 means "at the file offset"); the buffers are written as one write. */
export function writev(fs: FsState, cage: Cage, fd: number, iovs: readonly Uint8Array[], pos: number): number {
  const total = totalLength(iovs);
  if (total < 0) return total;
  if (total === 0) return transferNothing(fs, cage, fd, pos, true);
  const all = iovs.length === 1 ? iovs[0] : gather(iovs, total);
  return pos < 0 ? write(fs, cage, fd, all, 0, all.length) : pwrite(fs, cage, fd, all, 0, all.length, pos);
}

/** lseek(2), with SEEK_DATA and SEEK_HOLE; on a directory the offset is a readdir position. */
export function lseek(fs: FsState, cage: Cage, fd: number, offset: number, whence: number): number {
  const file = ioFile(cage, fd);
  if (file === undefined) return -EBADF;
  // ksys_lseek refuses an unknown whence before asking the file (a pipe included).
  if (whence < SEEK_SET || whence > SEEK_HOLE) return -EINVAL;
  if (file.pipe !== null) return -ESPIPE;
  const table = fs.inodes;
  const ino = file.ino;
  const type = table.mode[ino] & S_IFMT;
  if (type === S_IFSOCK) return -ESPIPE;
  if (file.device !== null) {
    if (!file.device.seekable) return -ESPIPE;
    if (whence < SEEK_SET || whence > SEEK_END) return -EINVAL;
    file.pos = 0;
    return 0;
  }
  let pos: number;
  if (type === S_IFDIR) {
    if (whence === SEEK_SET) pos = offset;
    else if (whence === SEEK_CUR) pos = file.pos + offset;
    else return -EINVAL;
    if (pos < 0) return -EINVAL;
    file.pos = pos;
    return pos;
  }
  const size = table.size[ino];
  switch (whence) {
    case SEEK_SET: pos = offset; break;
    case SEEK_CUR: pos = file.pos + offset; break;
    case SEEK_END: pos = size + offset; break;
    case SEEK_DATA:
    case SEEK_HOLE: {
      if (offset < 0 || offset >= size) return -ENXIO;
      if (type !== S_IFREG) { pos = whence === SEEK_DATA ? offset : size; break; }
      const data = table.payload[ino] as FileData;
      pos = whence === SEEK_DATA ? data.seekData(offset, size) : data.seekHole(offset, size);
      if (pos < 0) return -ENXIO;
      break;
    }
    default: return -EINVAL;
  }
  if (pos < 0) return -EINVAL;
  // vfs_setpos: no offset past the largest file size (s_maxbytes).
  if (type === S_IFREG && pos > fs.limits.maxFileSize) return -EINVAL;
  if (!Number.isSafeInteger(pos)) return -EOVERFLOW;
  file.pos = pos;
  return pos;
}

/** Sets a regular file's size; the caller has done the permission checks. */
function setSize(fs: FsState, cage: Cage, ino: number, length: number, alwaysStamp: boolean): number {
  const table = fs.inodes;
  if (length > fs.limits.maxFileSize) return -EFBIG;
  const old = table.size[ino];
  (table.payload[ino] as FileData).truncate(length, old, fs.space);
  table.size[ino] = length;
  fs.killSuid(ino, cage.cred);
  if (alwaysStamp || length !== old) fs.stamp(ino, M | C);
  return 0;
}

/** truncate(2): times change only if the size does, as with Linux's vfs_truncate. */
export function truncate(fs: FsState, cage: Cage, path: string, length: number): number {
  if (length < 0) return -EINVAL;
  const err = walk(fs, cage, -100, path, FOLLOW, lk);
  if (err < 0) return err;
  const ino = lk.ino;
  if (ino === 0) return -ENOENT;
  const type = fs.inodes.mode[ino] & S_IFMT;
  if (type === S_IFDIR) return -EISDIR;
  if (type !== S_IFREG) return -EINVAL;
  if (!permits(fs.inodes, cage.cred, ino, MAY_WRITE)) return -EACCES;
  return setSize(fs, cage, ino, length, false);
}

/** ftruncate(2): needs a descriptor open for writing; always updates mtime and ctime. */
export function ftruncate(fs: FsState, cage: Cage, fd: number, length: number): number {
  if (length < 0) return -EINVAL;
  const file = ioFile(cage, fd);
  if (file === undefined) return -EBADF;
  if (fileType(fs, file) !== S_IFREG || !file.writable) return -EINVAL;
  return setSize(fs, cage, file.ino, length, true);
}

/** The mode bits of which fallocate takes exactly one (none means "allocate"); KEEP_SIZE is a flag beside them. */
const FALLOC_MODE_MASK = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_ZERO_RANGE |
  FALLOC_FL_INSERT_RANGE | FALLOC_FL_UNSHARE_RANGE | FALLOC_FL_WRITE_ZEROES;

/** vfs_fallocate's mode check (Linux 6.11+): one mode, and KEEP_SIZE only where it means something. */
function fallocModeValid(mode: number): boolean {
  if (mode & ~(FALLOC_MODE_MASK | FALLOC_FL_KEEP_SIZE)) return false;
  switch (mode & FALLOC_MODE_MASK) {
    case 0: case FALLOC_FL_UNSHARE_RANGE: case FALLOC_FL_ZERO_RANGE: return true;
    case FALLOC_FL_PUNCH_HOLE: return (mode & FALLOC_FL_KEEP_SIZE) !== 0;
    case FALLOC_FL_COLLAPSE_RANGE: case FALLOC_FL_INSERT_RANGE: case FALLOC_FL_WRITE_ZEROES:
      return (mode & FALLOC_FL_KEEP_SIZE) === 0;
    default: return false;
  }
}

/** fallocate(2), with the modes tmpfs has: allocate (optionally KEEP_SIZE) and PUNCH_HOLE. */
export function fallocate(fs: FsState, cage: Cage, fd: number, mode: number, offset: number, len: number): number {
  // Linux's order: the descriptor, the range, the mode, the access mode, the file type, the size limit.
  const file = ioFile(cage, fd);
  if (file === undefined) return -EBADF;
  if (offset < 0 || len <= 0) return -EINVAL;
  if (!fallocModeValid(mode)) return -EOPNOTSUPP;
  if (!file.writable) return -EBADF;
  const type = fileType(fs, file);
  if (type === S_IFIFO || file.pipe !== null) return -ESPIPE;
  if (type === S_IFDIR) return -EISDIR;
  if (type !== S_IFREG && type !== S_IFBLK) return -ENODEV;
  if (type !== S_IFREG) return -EOPNOTSUPP;
  const end = offset + len;
  if (end > fs.limits.maxFileSize) return -EFBIG;
  if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE)) return -EOPNOTSUPP;
  const table = fs.inodes;
  const ino = file.ino;
  const data = table.payload[ino] as FileData;
  const size = table.size[ino];
  if (mode & FALLOC_FL_PUNCH_HOLE) {
    // Not clamped to the size (as tmpfs): space preallocated past EOF with KEEP_SIZE is freed too.
    data.zeroRange(offset, end, fs.space);
  } else {
    if (!data.allocate(offset, end, fs.space)) return -ENOSPC;
    if (!(mode & FALLOC_FL_KEEP_SIZE) && end > size) table.size[ino] = end;
  }
  fs.killSuid(ino, cage.cred);
  fs.stamp(ino, M | C);
  return 0;
}

/** fsync(2)/fdatasync(2): nothing to flush in memory; the descriptor is still checked. */
export function fsync(fs: FsState, cage: Cage, fd: number): number {
  const file = ioFile(cage, fd);
  if (file === undefined) return -EBADF;
  if (file.pipe !== null || fileType(fs, file) === S_IFSOCK) return -EINVAL;
  return 0;
}

export function syncfs(fs: FsState, cage: Cage, fd: number): number {
  return ioFile(cage, fd) === undefined ? -EBADF : 0;
}

export function syncFileRange(fs: FsState, cage: Cage, fd: number, offset: number, nbytes: number, flags: number): number {
  if (flags & ~7) return -EINVAL;
  if (offset < 0 || nbytes < 0 || offset + nbytes < 0) return -EINVAL;
  const file = ioFile(cage, fd);
  if (file === undefined) return -EBADF;
  const type = fileType(fs, file);
  if (file.pipe !== null || type === S_IFSOCK || type === S_IFIFO) return -ESPIPE;
  return 0;
}

/**
 * sendfile(2): copies up to `count` bytes from regular file `inFd` (at *offset, which is
 * updated, or at its file offset, which advances) to `outFd` (any writable descriptor),
 * through a bounce buffer of at most 1 MiB at a time.
 */
export function sendfile(fs: FsState, cage: Cage, outFd: number, inFd: number, offset: OffsetRef | null, count: number): number {
  const fin = ioFile(cage, inFd), fout = ioFile(cage, outFd);
  if (fin === undefined || !fin.readable || fout === undefined || !fout.writable) return -EBADF;
  if (fileType(fs, fin) !== S_IFREG || fin.device !== null) return -EINVAL;
  let pos = offset === null ? fin.pos : offset.value;
  if (pos < 0) return -EINVAL;
  if (count > MAX_RW_COUNT) count = MAX_RW_COUNT;
  const bounce = new Uint8Array(Math.min(Math.max(count, 1), 1 << 20));
  let sent = 0;
  while (sent < count) {
    const n = readAt(fs, fin, bounce, 0, Math.min(bounce.length, count - sent), pos);
    if (n <= 0) break;
    const w = write(fs, cage, outFd, bounce, 0, n);
    if (w < 0) { if (sent === 0) return w; break; }
    pos += w;
    sent += w;
    if (w < n) break;
  }
  if (offset === null) fin.pos = pos; else offset.value = pos;
  return sent;
}

/** A 64-bit file offset passed by reference (copy_file_range's off_in/off_out). */
export interface OffsetRef {
  value: number;
}

/** copy_file_range(2) between regular files, through a bounce buffer of at most 1 MiB at a time. */
export function copyFileRange(fs: FsState, cage: Cage, fdIn: number, offIn: OffsetRef | null, fdOut: number,
  offOut: OffsetRef | null, len: number, flags: number): number {
  if (flags !== 0) return -EINVAL;
  const fin = ioFile(cage, fdIn), fout = ioFile(cage, fdOut);
  if (fin === undefined || fout === undefined || !fin.readable || !fout.writable) return -EBADF;
  if (fout.flags & O_APPEND) return -EBADF;
  const tin = fileType(fs, fin), tout = fileType(fs, fout);
  if (tin === S_IFDIR || tout === S_IFDIR) return -EISDIR;
  if (tin !== S_IFREG || tout !== S_IFREG || fin.device !== null || fout.device !== null) return -EINVAL;
  let pin = offIn === null ? fin.pos : offIn.value;
  let pout = offOut === null ? fout.pos : offOut.value;
  if (pin < 0 || pout < 0) return -EINVAL;
  if (len > MAX_RW_COUNT) len = MAX_RW_COUNT;
  if (fin.ino === fout.ino && pin < pout + len && pout < pin + len) return -EINVAL;
  const max = fs.limits.maxFileSize;
  if (pout >= max) return -EFBIG;
  if (len > max - pout) len = max - pout;
  const bounce = new Uint8Array(Math.min(len, 1 << 20));
  let copied = 0;
  while (copied < len) {
    const want = Math.min(bounce.length, len - copied);
    const n = readAt(fs, fin, bounce, 0, want, pin);
    if (n <= 0) break;
    const w = writeAt(fs, cage, fout, bounce, 0, n, pout);
    if (w < 0) { if (copied === 0) return w; break; }
    pin += w;
    pout += w;
    copied += w;
    if (w < n) break;
  }
  if (offIn === null) fin.pos = pin; else offIn.value = pin;
  if (offOut === null) fout.pos = pout; else offOut.value = pout;
  return copied;
}
