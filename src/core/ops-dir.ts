/** Reading directories: getdents64 records, and the position-based scan the WASI layer and readdir() share. */
import { DT_DIR, S_IFMT } from './constants.js';
import { EBADF, EINVAL, ENOENT, ENOTDIR } from './errno.js';
import { FIRST_SEQ } from './directory.js';
import type { FsState } from './fs-state.js';
import type { Cage } from './cage.js';

/** visit(name, ino, d_type, nextPosition) → false to stop. */
export type DirVisitor = (name: string, ino: number, type: number, next: number) => boolean;

/** Calls visit for the entries of directory `dir` from position `pos` on: ".", "..", then the entries. */
export function scanDir(fs: FsState, dir: number, pos: number, visit: DirVisitor): void {
  const table = fs.inodes;
  const d = table.directory(dir);
  if (pos <= 0 && !visit('.', dir, DT_DIR, 1)) return;
  if (pos <= 1 && !visit('..', dir === fs.root ? dir : d.parent, DT_DIR, FIRST_SEQ)) return;
  d.scan(Math.max(pos, FIRST_SEQ), (name, ino, next) => visit(name, ino, (table.mode[ino] & S_IFMT) >> 12, next));
}

/** The directory behind descriptor fd, or -errno (EBADF, ENOTDIR, ENOENT once removed). */
export function dirOf(fs: FsState, cage: Cage, fd: number): number {
  const file = cage.files[fd];
  if (file === undefined || file.isPath) return -EBADF;
  if (!fs.inodes.isDir(file.ino)) return -ENOTDIR;
  if (fs.inodes.nlink[file.ino] === 0) return -ENOENT;
  return file.ino;
}

/**
 * getdents64(2): whole linux_dirent64 records into buf[off..off+count]
 * ({u64 d_ino, i64 d_off, u16 d_reclen, u8 d_type, name, NUL, zero padding to 8}).
 * Returns the bytes written, 0 at the end, -EINVAL if the next record does not fit.
 */
export function getdents64(fs: FsState, cage: Cage, fd: number, buf: Uint8Array, off: number, count: number): number {
  const dir = dirOf(fs, cage, fd);
  if (dir < 0) return dir;
  const file = cage.files[fd]!;
  let at = off;
  const end = off + count;
  let tooSmall = false;
  scanDir(fs, dir, file.pos, (name, ino, type, next) => {
    const reclen = (19 + name.length + 1 + 7) & ~7;
    if (at + reclen > end) {
      tooSmall = at === off;
      return false;
    }
    writeU64(buf, at, ino);
    writeU64(buf, at + 8, next);
    buf[at + 16] = reclen & 0xff;
    buf[at + 17] = reclen >> 8;
    buf[at + 18] = type;
    for (let i = 0; i < name.length; i++) buf[at + 19 + i] = name.charCodeAt(i);
    buf.fill(0, at + 19 + name.length, at + reclen);
    at += reclen;
    file.pos = next;
    return true;
  });
  if (tooSmall) return -EINVAL;
  fs.touchAtime(dir);
  return at - off;
}

function writeU64(buf: Uint8Array, at: number, v: number): void {
  const lo = v >>> 0, hi = Math.floor(v / 2 ** 32) >>> 0;
  buf[at] = lo; buf[at + 1] = lo >>> 8; buf[at + 2] = lo >>> 16; buf[at + 3] = lo >>> 24;
  buf[at + 4] = hi; buf[at + 5] = hi >>> 8; buf[at + 6] = hi >>> 16; buf[at + 7] = hi >>> 24;
}
