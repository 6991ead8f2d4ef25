/** Descriptor calls: dup family, fcntl (including record and OFD locks), flock, and the cwd/umask calls. */
import {
  F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_GETFL, F_GETLK, F_GETLK64, F_GETPIPE_SZ, F_OFD_GETLK,
  F_OFD_SETLK, F_OFD_SETLKW, F_RDLCK, F_SETFD, F_SETFL, F_SETLK, F_SETLK64, F_SETLKW,
  F_SETLKW64, F_SETPIPE_SZ, F_UNLCK, F_WRLCK, FD_CLOEXEC, LOCK_EX, LOCK_NB, LOCK_SH, LOCK_UN,
  O_CLOEXEC, O_NOATIME, SEEK_CUR, SEEK_END, SEEK_SET, SETFL_MASK, PATH_MAX,
} from './constants.js';
import {
  EACCES, EAGAIN, EBADF, EINVAL, EMFILE, ENAMETOOLONG, ENOENT, ENOTDIR, EOVERFLOW, EPERM, ERANGE,
  WOULD_BLOCK,
} from './errno.js';
import { MAY_EXEC, ownerOrRoot, permits } from './access.js';
import { FOLLOW, Lookup, walk } from './path-walk.js';
import type { FsState } from './fs-state.js';
import type { Cage } from './cage.js';
import type { OpenFile } from './open-file.js';

const lk = new Lookup();

export function dup(fs: FsState, cage: Cage, fd: number): number {
  const file = cage.files[fd];
  if (file === undefined) return -EBADF;
  const nfd = cage.lowestFree(0);
  if (nfd < 0) return -EMFILE;
  fs.install(cage, nfd, file, false);
  return nfd;
}

export function dup3(fs: FsState, cage: Cage, oldfd: number, newfd: number, flags: number): number {
  if (flags & ~O_CLOEXEC) return -EINVAL;
  if (oldfd === newfd) return -EINVAL;
  return dupTo(fs, cage, oldfd, newfd, (flags & O_CLOEXEC) !== 0);
}

export function dup2(fs: FsState, cage: Cage, oldfd: number, newfd: number): number {
  if (oldfd === newfd) return cage.files[oldfd] === undefined ? -EBADF : newfd;
  return dupTo(fs, cage, oldfd, newfd, false);
}

function dupTo(fs: FsState, cage: Cage, oldfd: number, newfd: number, cloexec: boolean): number {
  const file = cage.files[oldfd];
  if (file === undefined) return -EBADF;
  if (newfd < 0 || newfd >= cage.maxFds) return -EBADF;
  fs.install(cage, newfd, file, cloexec);
  return newfd;
}

/** struct flock as the core sees it (both the 32- and 64-bit layouts decode to this). */
export interface Flock {
  type: number;
  whence: number;
  start: number;
  len: number;
  pid: number;
}

/**
 * fcntl(2). `arg` is the integer argument, or the struct flock for the lock commands
 * (F_GETLK fills it in). F_GETLK64/F_SETLK64/F_SETLKW64 are the same commands with the
 * 64-bit struct, which the ABI has already decoded.
 */
export function fcntl(fs: FsState, cage: Cage, fd: number, cmd: number, arg: number | Flock): number {
  const file = cage.files[fd];
  if (file === undefined) return -EBADF;
  const int = typeof arg === 'number' ? arg : 0;
  switch (cmd) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC: {
      if (int < 0 || int >= cage.maxFds) return -EINVAL;
      const nfd = cage.lowestFree(int);
      if (nfd < 0) return -EMFILE;
      fs.install(cage, nfd, file, cmd === F_DUPFD_CLOEXEC);
      return nfd;
    }
    case F_GETFD: return cage.cloexec[fd] ? FD_CLOEXEC : 0;
    case F_SETFD: cage.cloexec[fd] = (int & FD_CLOEXEC) !== 0; return 0;
    case F_GETFL: return file.flags;
  }
  // Everything else is refused on O_PATH descriptors.
  if (file.isPath) return -EBADF;
  switch (cmd) {
    case F_SETFL:
      // Only turning O_NOATIME on is checked (a description that has it may keep it).
      if (int & O_NOATIME && !(file.flags & O_NOATIME) && !ownerOrRoot(fs.inodes, cage.cred, file.ino)) return -EPERM;
      file.flags = (file.flags & ~SETFL_MASK) | (int & SETFL_MASK);
      return 0;
    case F_GETLK: case F_GETLK64: case F_OFD_GETLK:
    case F_SETLK: case F_SETLK64: case F_OFD_SETLK:
    case F_SETLKW: case F_SETLKW64: case F_OFD_SETLKW:
      if (typeof arg === 'number') return -EINVAL;
      return recordLock(fs, cage, file, cmd, arg);
    case F_GETPIPE_SZ:
      return file.pipe === null ? -EBADF : file.pipe.capacity;
    case F_SETPIPE_SZ:
      return file.pipe === null ? -EBADF : file.pipe.resize(int);
    default:
      return -EINVAL;
  }
}

/** The inclusive byte range a struct flock describes, or -errno. */
function lockRange(fs: FsState, file: OpenFile, l: Flock): [number, number] | number {
  let base: number;
  switch (l.whence) {
    case SEEK_SET: base = 0; break;
    case SEEK_CUR: base = file.pos; break;
    case SEEK_END: base = fs.inodes.size[file.ino]; break;
    default: return -EINVAL;
  }
  let start = base + l.start;
  let end: number;
  if (l.len > 0) {
    // Checked before adding, as Linux does, so a rounded sum cannot hide the overflow.
    if (l.len - 1 > Number.MAX_SAFE_INTEGER - start) return -EOVERFLOW;
    end = start + l.len - 1;
  } else if (l.len === 0) end = Infinity;
  else { end = start - 1; start += l.len; }
  if (start < 0) return -EINVAL;
  if (!Number.isSafeInteger(start) || (end !== Infinity && !Number.isSafeInteger(end))) return -EOVERFLOW;
  return [start, end];
}

function recordLock(fs: FsState, cage: Cage, file: OpenFile, cmd: number, l: Flock): number {
  const ofd = cmd === F_OFD_GETLK || cmd === F_OFD_SETLK || cmd === F_OFD_SETLKW;
  if (ofd && l.pid !== 0) return -EINVAL;
  const owner: object = ofd ? file : cage;
  const range = lockRange(fs, file, l);
  if (typeof range === 'number') return range;
  const [start, end] = range;
  if (cmd === F_GETLK || cmd === F_GETLK64 || cmd === F_OFD_GETLK) {
    if (l.type !== F_RDLCK && l.type !== F_WRLCK) return -EINVAL;
    const c = fs.locks.conflict(file.ino, owner, l.type, start, end);
    if (c === null) { l.type = F_UNLCK; return 0; }
    l.type = c.type;
    l.whence = SEEK_SET;
    l.start = c.start;
    l.len = c.end === Infinity ? 0 : c.end - c.start + 1;
    l.pid = c.pid;
    return 0;
  }
  switch (l.type) {
    case F_RDLCK: if (!file.readable) return -EBADF; break;
    case F_WRLCK: if (!file.writable) return -EBADF; break;
    case F_UNLCK: break;
    default: return -EINVAL;
  }
  if (ofd) file.holdsLocks = true;
  if (fs.locks.set(file.ino, owner, ofd ? -1 : cage.id, l.type, start, end)) return 0;
  return cmd === F_SETLKW || cmd === F_SETLKW64 || cmd === F_OFD_SETLKW ? WOULD_BLOCK : -EAGAIN;
}

/** flock(2). */
export function flock(fs: FsState, cage: Cage, fd: number, operation: number): number {
  // Linux checks the operation before the descriptor.
  let type: number;
  switch (operation & ~LOCK_NB) {
    case LOCK_SH: type = F_RDLCK; break;
    case LOCK_EX: type = F_WRLCK; break;
    case LOCK_UN: type = F_UNLCK; break;
    default: return -EINVAL;
  }
  const file = cage.files[fd];
  if (file === undefined || file.isPath) return -EBADF;
  file.holdsLocks = true;
  if (fs.locks.flock(file.ino, file, type)) return 0;
  return operation & LOCK_NB ? -EAGAIN : WOULD_BLOCK;
}

function setCwd(fs: FsState, cage: Cage, ino: number): number {
  const table = fs.inodes;
  if (!table.isDir(ino)) return -ENOTDIR;
  if (!permits(table, cage.cred, ino, MAY_EXEC)) return -EACCES;
  fs.ref(ino);
  const old = cage.cwd;
  cage.cwd = ino;
  fs.unref(old);
  return 0;
}

export function chdir(fs: FsState, cage: Cage, path: string): number {
  const err = walk(fs, cage, -100, path, FOLLOW, lk);
  if (err < 0) return err;
  if (lk.ino === 0) return -ENOENT;
  return setCwd(fs, cage, lk.ino);
}

export function fchdir(fs: FsState, cage: Cage, fd: number): number {
  const file = cage.files[fd];
  if (file === undefined) return -EBADF;
  return setCwd(fs, cage, file.ino);
}

/** The working directory's absolute path as a binary string, or -ENOENT if it has been removed. */
export function cwdPath(fs: FsState, cage: Cage): string | number {
  const table = fs.inodes;
  let ino = cage.cwd;
  if (ino === fs.root) return '/';
  if (table.nlink[ino] === 0) return -ENOENT;
  let path = '';
  while (ino !== fs.root) {
    const d = table.directory(ino);
    path = '/' + d.name + path;
    ino = d.parent;
  }
  return path;
}

/** getcwd(2) syscall: writes the path and a NUL into buf[off..off+size]; returns its length + 1. */
export function getcwd(fs: FsState, cage: Cage, buf: Uint8Array, off: number, size: number): number {
  const path = cwdPath(fs, cage);
  if (typeof path === 'number') return path;
  if (path.length + 1 > PATH_MAX) return -ENAMETOOLONG;
  if (path.length + 1 > size) return -ERANGE;
  for (let i = 0; i < path.length; i++) buf[off + i] = path.charCodeAt(i);
  buf[off + path.length] = 0;
  return path.length + 1;
}

export function umask(cage: Cage, mask: number): number {
  const old = cage.umask;
  cage.umask = mask & 0o777;
  return old;
}
