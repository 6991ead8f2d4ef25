/**
 * Attributes: the stat family (stat, fstatat, statx, statfs), access/faccessat,
 * chmod and chown families, utimensat/futimens, pathconf. Permission rules follow
 * fs/attr.c (setattr_prepare, notify_change) and fs/open.c (chmod_common, chown_common).
 */
import {
  AT_EMPTY_PATH, AT_EACCESS, AT_FDCWD, AT_NO_AUTOMOUNT, AT_STATX_SYNC_TYPE, AT_SYMLINK_NOFOLLOW,
  S_IALLUGO, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG, S_ISGID, S_ISUID, S_IXGRP, UTIME_NOW, UTIME_OMIT,
  _PC_2_SYMLINKS, _PC_ALLOC_SIZE_MIN, _PC_ASYNC_IO, _PC_CHOWN_RESTRICTED, _PC_FILESIZEBITS,
  _PC_LINK_MAX, _PC_MAX_CANON, _PC_MAX_INPUT, _PC_NAME_MAX, _PC_NO_TRUNC, _PC_PATH_MAX,
  _PC_PIPE_BUF, _PC_PRIO_IO, _PC_REC_INCR_XFER_SIZE, _PC_REC_MAX_XFER_SIZE,
  _PC_REC_MIN_XFER_SIZE, _PC_REC_XFER_ALIGN, _PC_SYMLINK_MAX, _PC_SYNC_IO, _PC_VDISABLE,
  NAME_MAX, PATH_MAX, PIPE_BUF, TMPFS_MAGIC, STATX_BASIC_STATS, STATX_BTIME, ST_VALID, ST_RELATIME,
} from './constants.js';
import { EACCES, EBADF, EFAULT, EINVAL, ENOENT, EOPNOTSUPP, EPERM } from './errno.js';
import { MAY_WRITE, inGroup, ownerOrRoot, permits, realCredentials, type Credentials } from './access.js';
import { FOLLOW, Lookup, walk } from './path-walk.js';
import { C, type FsState } from './fs-state.js';
import { ATIME, MTIME, CTIME, BTIME } from './inode-table.js';
import { BLOCK_SIZE, IMFS_DEV_MAJOR, IMFS_DEV_MINOR, type Stat, type Statfs } from './stat.js';
import type { Cage } from './cage.js';
import type { FileData } from './file-data.js';
import type { Timespec } from './clock.js';

const lk = new Lookup();
/** tmpfs counts 20 bytes per directory entry (BOGO_DIRENT_SIZE), including "." and "..". */
const BOGO_DIRENT_SIZE = 20;
/** tmpfs keeps symlink targets shorter than this inline, with no block allocated. */
const SHORT_SYMLINK_LEN = 128;

/** Fills `out` from inode `ino`. */
export function fillStat(fs: FsState, ino: number, out: Stat): void {
  const table = fs.inodes;
  const mode = table.mode[ino];
  out.dev = IMFS_DEV_MAJOR * 256 + IMFS_DEV_MINOR;
  out.ino = ino;
  out.mode = mode;
  out.nlink = fs.anonymous.has(ino) ? 1 : table.nlink[ino];
  out.uid = table.uid[ino];
  out.gid = table.gid[ino];
  out.rdevMajor = table.rdevMajor[ino];
  out.rdevMinor = table.rdevMinor[ino];
  out.blksize = BLOCK_SIZE;
  switch (mode & S_IFMT) {
    case S_IFREG:
      out.size = table.size[ino];
      out.blocks = (table.payload[ino] as FileData).allocated / 512;
      break;
    case S_IFDIR:
      out.size = (table.directory(ino).count + 2) * BOGO_DIRENT_SIZE;
      out.blocks = 0;
      break;
    case S_IFLNK:
      out.size = table.size[ino];
      out.blocks = out.size >= SHORT_SYMLINK_LEN ? BLOCK_SIZE / 512 : 0;
      break;
    default:
      out.size = 0;
      out.blocks = 0;
  }
  table.queried[ino] = 1;
  const t = table.times, b = ino * 8;
  out.atimeSec = t[b + ATIME]; out.atimeNsec = t[b + ATIME + 1];
  out.mtimeSec = t[b + MTIME]; out.mtimeNsec = t[b + MTIME + 1];
  out.ctimeSec = t[b + CTIME]; out.ctimeNsec = t[b + CTIME + 1];
  out.birthtimeSec = t[b + BTIME]; out.birthtimeNsec = t[b + BTIME + 1];
}

/**
 * Resolves (dirfd, path) to an inode for the *at calls: an empty path with AT_EMPTY_PATH
 * means dirfd itself (any descriptor, O_PATH included). Returns the inode or -errno.
 */
export function resolveAt(fs: FsState, cage: Cage, dirfd: number, path: string, flags: number): number {
  if (path.length === 0 && flags & AT_EMPTY_PATH) {
    if (dirfd === AT_FDCWD) return cage.cwd;
    const file = cage.files[dirfd];
    return file === undefined ? -EBADF : file.ino;
  }
  const err = walk(fs, cage, dirfd, path, flags & AT_SYMLINK_NOFOLLOW ? 0 : FOLLOW, lk);
  if (err < 0) return err;
  return lk.ino === 0 ? -ENOENT : lk.ino;
}

export function fstatat(fs: FsState, cage: Cage, dirfd: number, path: string, out: Stat, flags: number): number {
  // vfs_fstatat shares statx's flag check: the AT_STATX_* sync bits are accepted (and mean nothing here).
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE)) return -EINVAL;
  const ino = resolveAt(fs, cage, dirfd, path, flags);
  if (ino < 0) return ino;
  fillStat(fs, ino, out);
  return 0;
}

export function fstat(fs: FsState, cage: Cage, fd: number, out: Stat): number {
  const file = cage.files[fd];
  if (file === undefined) return -EBADF;
  fillStat(fs, file.ino, out);
  return 0;
}

/** statx(2) result: the stat fields plus the mask of what was filled. */
export interface Statx extends Stat {
  mask: number;
  attributes: number;
}

export function statx(fs: FsState, cage: Cage, dirfd: number, path: string, flags: number, mask: number, out: Statx): number {
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE)) return -EINVAL;
  if ((flags & AT_STATX_SYNC_TYPE) === AT_STATX_SYNC_TYPE) return -EINVAL;
  if (mask & 0x80000000) return -EINVAL;
  const ino = resolveAt(fs, cage, dirfd, path, flags);
  if (ino < 0) return ino;
  fillStat(fs, ino, out);
  out.mask = STATX_BASIC_STATS | STATX_BTIME;
  out.attributes = 0;
  return 0;
}

export function fillStatfs(fs: FsState, out: Statfs): void {
  const blocks = Math.floor(fs.limits.maxBytes / BLOCK_SIZE);
  const free = Math.max(0, Math.floor((fs.limits.maxBytes - fs.space.used) / BLOCK_SIZE));
  out.type = TMPFS_MAGIC;
  out.bsize = BLOCK_SIZE;
  out.blocks = blocks;
  out.bfree = free;
  out.bavail = free;
  out.files = fs.limits.maxInodes;
  out.ffree = Math.max(0, fs.limits.maxInodes - fs.inodesUsed());
  out.fsid = 0;
  out.namelen = NAME_MAX;
  out.frsize = BLOCK_SIZE;
  // ST_VALID says f_flags is filled in; the IMFS updates access times as relatime does.
  out.flags = ST_VALID | ST_RELATIME;
}

export function statfs(fs: FsState, cage: Cage, path: string, out: Statfs): number {
  const ino = resolveAt(fs, cage, AT_FDCWD, path, 0);
  if (ino < 0) return ino;
  fillStatfs(fs, out);
  return 0;
}

export function fstatfs(fs: FsState, cage: Cage, fd: number, out: Statfs): number {
  if (cage.files[fd] === undefined) return -EBADF;
  fillStatfs(fs, out);
  return 0;
}

/** faccessat2: with the real ids unless AT_EACCESS (the whole walk runs with them, as on Linux). */
export function faccessat(fs: FsState, cage: Cage, dirfd: number, path: string, mode: number, flags: number): number {
  if (mode & ~7) return -EINVAL;
  if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -EINVAL;
  const saved = cage.cred;
  const cred = flags & AT_EACCESS ? saved : realCredentials(saved);
  cage.cred = cred;
  try {
    const ino = resolveAt(fs, cage, dirfd, path, flags);
    if (ino < 0) return ino;
    if (mode === 0) return 0;
    return permits(fs.inodes, cred, ino, mode) ? 0 : -EACCES;
  } finally {
    cage.cred = saved;
  }
}

/** chmod_common: the owner or root may set the mode; a set-group-ID bit outside one's groups is dropped. */
function chmodInode(fs: FsState, cred: Credentials, ino: number, mode: number): number {
  const table = fs.inodes;
  if (!ownerOrRoot(table, cred, ino)) return -EPERM;
  let bits = mode & S_IALLUGO;
  if (bits & S_ISGID && cred.euid !== 0 && !inGroup(cred, table.gid[ino])) bits &= ~S_ISGID;
  table.mode[ino] = (table.mode[ino] & S_IFMT) | bits;
  fs.stamp(ino, C);
  return 0;
}

export function fchmodat(fs: FsState, cage: Cage, dirfd: number, path: string, mode: number, flags: number): number {
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -EINVAL;
  const ino = resolveAt(fs, cage, dirfd, path, flags);
  if (ino < 0) return ino;
  if (fs.inodes.isLink(ino)) return -EOPNOTSUPP;
  return chmodInode(fs, cage.cred, ino, mode);
}

export function fchmod(fs: FsState, cage: Cage, fd: number, mode: number): number {
  const file = cage.files[fd];
  if (file === undefined || file.isPath) return -EBADF;
  return chmodInode(fs, cage.cred, file.ino, mode);
}

/** "Leave unchanged" for chown's uid and gid ((uid_t)-1). */
export const NO_CHANGE = 0xffffffff;

/** chown_common + notify_change + setattr_prepare, in Linux's order. */
function chownInode(fs: FsState, cred: Credentials, ino: number, uid: number, gid: number): number {
  const table = fs.inodes;
  const root = cred.euid === 0;
  const owner = cred.euid === table.uid[ino];
  uid >>>= 0;
  gid >>>= 0;
  if (uid !== NO_CHANGE && !root && !(owner && uid === table.uid[ino])) return -EPERM;
  if (gid !== NO_CHANGE && !root && !(owner && (inGroup(cred, gid) || gid === table.gid[ino]))) return -EPERM;
  let mode = table.mode[ino];
  let modeChanged = false;
  if ((mode & S_IFMT) !== S_IFDIR) {
    // ATTR_KILL_SUID, and ATTR_KILL_SGID when setattr_should_drop_sgid says so.
    if (mode & S_ISUID) { mode &= ~S_ISUID; modeChanged = true; }
    if (mode & S_ISGID && (mode & S_IXGRP || !(root || inGroup(cred, table.gid[ino])))) {
      mode &= ~S_ISGID;
      modeChanged = true;
    }
  }
  if (modeChanged) {
    // Changing the mode needs ownership (setattr_prepare's ATTR_MODE check).
    if (!root && !owner) return -EPERM;
    const newGid = gid === NO_CHANGE ? table.gid[ino] : gid;
    if (!root && !inGroup(cred, newGid)) mode &= ~S_ISGID;
    table.mode[ino] = mode;
  }
  if (uid !== NO_CHANGE) table.uid[ino] = uid;
  if (gid !== NO_CHANGE) table.gid[ino] = gid;
  fs.stamp(ino, C);
  return 0;
}

export function fchownat(fs: FsState, cage: Cage, dirfd: number, path: string, uid: number, gid: number, flags: number): number {
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -EINVAL;
  const ino = resolveAt(fs, cage, dirfd, path, flags);
  if (ino < 0) return ino;
  return chownInode(fs, cage.cred, ino, uid, gid);
}

export function fchown(fs: FsState, cage: Cage, fd: number, uid: number, gid: number): number {
  const file = cage.files[fd];
  if (file === undefined || file.isPath) return -EBADF;
  return chownInode(fs, cage.cred, file.ino, uid, gid);
}

function nsecValid(ns: number): boolean {
  return ns === UTIME_NOW || ns === UTIME_OMIT || (ns >= 0 && ns <= 999_999_999);
}

/**
 * utimensat(2), with Linux's order of checks (fs/utimes.c): both "omit" succeeds before
 * anything is looked at; then the flags, the file, the nanoseconds, the permission.
 * `path` null means the file dirfd refers to (futimens); `times` null means both "now".
 */
export function utimensat(fs: FsState, cage: Cage, dirfd: number, path: string | null,
  times: readonly [Timespec, Timespec] | null, flags: number): number {
  // "Nothing to do, we must not even check the path."
  if (times !== null && times[0].nsec === UTIME_OMIT && times[1].nsec === UTIME_OMIT) return 0;
  let ino: number;
  if (path === null && dirfd !== AT_FDCWD) {
    if (flags !== 0) return -EINVAL;
    const file = cage.files[dirfd];
    if (file === undefined || file.isPath) return -EBADF;
    ino = file.ino;
  } else {
    if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -EINVAL;
    if (path === null) return -EFAULT;
    ino = resolveAt(fs, cage, dirfd, path, flags);
    if (ino < 0) return ino;
  }
  if (times !== null) {
    if (!nsecValid(times[0].nsec) || !nsecValid(times[1].nsec)) return -EINVAL;
    if (times[0].nsec === UTIME_NOW && times[1].nsec === UTIME_NOW) times = null;
  }
  return setTimes(fs, cage.cred, ino, times);
}

/**
 * Permission as setattr_prepare/notify_change decide it: both "now" (times null) needs the
 * owner, root or write permission (EACCES); any other change, even one "now" with one
 * "omit", is an explicit time update (ATTR_TIMES_SET) that needs the owner or root (EPERM).
 */
function setTimes(fs: FsState, cred: Credentials, ino: number, times: readonly [Timespec, Timespec] | null): number {
  const table = fs.inodes;
  if (times === null) {
    if (!ownerOrRoot(table, cred, ino) && !permits(table, cred, ino, MAY_WRITE)) return -EACCES;
  } else if (!ownerOrRoot(table, cred, ino)) {
    return -EPERM;
  }
  const now = fs.now();
  const apply = (which: number, ts: Timespec | null) => {
    if (ts !== null && ts.nsec === UTIME_OMIT) return;
    if (ts === null || ts.nsec === UTIME_NOW) table.setTime(ino, which, now.sec, now.nsec);
    else table.setTime(ino, which, ts.sec, ts.nsec);
  };
  apply(ATIME, times === null ? null : times[0]);
  apply(MTIME, times === null ? null : times[1]);
  table.setTime(ino, CTIME, now.sec, now.nsec);
  return 0;
}

/** pathconf values; Infinity stands for "no limit" (C's -1 without errno). */
function pathconfValue(fs: FsState, name: number): number {
  switch (name) {
    case _PC_LINK_MAX: return fs.limits.maxLinks;
    case _PC_MAX_CANON: case _PC_MAX_INPUT: return 255;
    case _PC_NAME_MAX: return NAME_MAX;
    case _PC_PATH_MAX: return PATH_MAX;
    case _PC_PIPE_BUF: return PIPE_BUF;
    case _PC_CHOWN_RESTRICTED: case _PC_NO_TRUNC: case _PC_2_SYMLINKS: return 1;
    case _PC_VDISABLE: return 0;
    case _PC_FILESIZEBITS: return 64;
    case _PC_SYMLINK_MAX: case _PC_SYNC_IO: case _PC_ASYNC_IO: case _PC_PRIO_IO: case _PC_REC_MAX_XFER_SIZE:
      return Infinity;
    case _PC_REC_INCR_XFER_SIZE: case _PC_REC_MIN_XFER_SIZE: case _PC_REC_XFER_ALIGN: case _PC_ALLOC_SIZE_MIN:
      return BLOCK_SIZE;
    default: return -EINVAL;
  }
}

export function pathconf(fs: FsState, cage: Cage, path: string, name: number): number {
  const ino = resolveAt(fs, cage, AT_FDCWD, path, 0);
  if (ino < 0) return ino;
  return pathconfValue(fs, name);
}

export function fpathconf(fs: FsState, cage: Cage, fd: number, name: number): number {
  if (cage.files[fd] === undefined) return -EBADF;
  return pathconfValue(fs, name);
}
