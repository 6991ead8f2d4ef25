/**
 * Calls that change names: mkdir, mknod (FIFOs, devices, sockets), symlink, link,
 * unlink, rmdir, rename, plus readlink and UNIX-socket bind/connect. Checks and their
 * order follow fs/namei.c (filename_create, may_create, may_delete, vfs_rename).
 */
import {
  AT_EMPTY_PATH, AT_REMOVEDIR, AT_SYMLINK_FOLLOW, AT_SYMLINK_NOFOLLOW, PATH_MAX, RENAME_EXCHANGE, RENAME_NOREPLACE,
  RENAME_WHITEOUT, S_IALLUGO, S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG,
  S_IFSOCK, S_IRWXUGO, S_ISGID, S_ISUID, S_ISVTX, S_IXGRP, O_RDWR,
} from './constants.js';
import {
  EACCES, EBADF, EBUSY, EMFILE, ENOSPC, ECONNREFUSED, EEXIST, EADDRINUSE, EINVAL, EISDIR, EMLINK, ENAMETOOLONG,
  ENOENT, ENOTDIR, ENOTEMPTY, EPERM,
} from './errno.js';
import { MAY_EXEC, MAY_READ, MAY_WRITE, permits, type Credentials } from './access.js';
import { FOLLOW, LAST_DOT, LAST_DOTDOT, LAST_NORM, LAST_ROOT, LONG_LAST, Lookup, PARENT, walk } from './path-walk.js';
import { M, C, type FsState } from './fs-state.js';
import type { Cage } from './cage.js';
import { resolveAt } from './ops-attr.js';

const lk = new Lookup();
const lk2 = new Lookup();

/** check_sticky: in a sticky directory only the file's owner, the directory's owner or root may remove or rename it. */
function stickyForbids(fs: FsState, cred: Credentials, dir: number, ino: number): boolean {
  const table = fs.inodes;
  if ((table.mode[dir] & S_ISVTX) === 0 || cred.euid === 0) return false;
  return table.uid[ino] !== cred.euid && table.uid[dir] !== cred.euid;
}

/** may_delete: may `cred` remove entry `ino` from `dir`, as a directory (isdir) or not. */
function mayDelete(fs: FsState, cred: Credentials, dir: number, ino: number, isdir: boolean): number {
  const table = fs.inodes;
  if (!permits(table, cred, dir, MAY_WRITE | MAY_EXEC)) return -EACCES;
  if (stickyForbids(fs, cred, dir, ino)) return -EPERM;
  if (isdir) {
    if (!table.isDir(ino)) return -ENOTDIR;
    if (ino === fs.root) return -EBUSY;
  } else if (table.isDir(ino)) {
    return -EISDIR;
  }
  return 0;
}

/** may_create (the entry is known not to exist): the directory is alive and writable+searchable. */
function mayCreate(fs: FsState, cred: Credentials, dir: number): number {
  if (fs.inodes.nlink[dir] === 0) return -ENOENT;
  if (!permits(fs.inodes, cred, dir, MAY_WRITE | MAY_EXEC)) return -EACCES;
  return 0;
}

/** filename_create without may_create: resolves a path whose last component is to be created, into `out`. */
function filenameLookup(fs: FsState, cage: Cage, dirfd: number, path: string, wantDir: boolean, out: Lookup): number {
  const err = walk(fs, cage, dirfd, path, PARENT, out);
  if (err < 0) return err;
  if (out.type !== LAST_NORM || out.ino !== 0) return -EEXIST;
  if (out.slash && !wantDir) return -ENOENT;
  return 0;
}

/** filename_create then may_create. */
function filenameCreate(fs: FsState, cage: Cage, dirfd: number, path: string, wantDir: boolean, out: Lookup): number {
  const err = filenameLookup(fs, cage, dirfd, path, wantDir, out);
  return err < 0 ? err : mayCreate(fs, cage.cred, out.parent);
}

export function mkdirat(fs: FsState, cage: Cage, dirfd: number, path: string, mode: number): number {
  const err = filenameCreate(fs, cage, dirfd, path, true, lk);
  if (err < 0) return err;
  const dir = lk.parent;
  if (fs.inodes.nlink[dir] >= fs.limits.maxLinks) return -EMLINK;
  const ino = fs.newInode(cage.cred, dir, S_IFDIR | (mode & (S_IRWXUGO | S_ISVTX) & ~cage.umask));
  if (ino < 0) return ino;
  fs.attach(dir, lk.name, ino);
  return 0;
}

/** mknodat(2): regular files, FIFOs, sockets, and (root only) character and block devices. */
export function mknodat(fs: FsState, cage: Cage, dirfd: number, path: string, mode: number, major: number, minor: number): number {
  let type = mode & S_IFMT;
  switch (type) {
    case 0: type = S_IFREG; break;
    case S_IFREG: case S_IFCHR: case S_IFBLK: case S_IFIFO: case S_IFSOCK: break;
    case S_IFDIR: return -EPERM;
    default: return -EINVAL;
  }
  const err = filenameCreate(fs, cage, dirfd, path, false, lk);
  if (err < 0) return err;
  const device = type === S_IFCHR || type === S_IFBLK;
  // A character device 0:0 is a whiteout, which anyone may create (Linux 5.8+).
  if (device && cage.cred.euid !== 0 && !(type === S_IFCHR && major === 0 && minor === 0)) return -EPERM;
  const ino = fs.newInode(cage.cred, lk.parent, type | (mode & S_IALLUGO), cage.umask);
  if (ino < 0) return ino;
  if (device) {
    fs.inodes.rdevMajor[ino] = major >>> 0;
    fs.inodes.rdevMinor[ino] = minor >>> 0;
  }
  fs.attach(lk.parent, lk.name, ino);
  return 0;
}

export function symlinkat(fs: FsState, cage: Cage, target: string, dirfd: number, path: string): number {
  if (target.length === 0) return -ENOENT;
  if (target.length >= PATH_MAX) return -ENAMETOOLONG;
  const err = filenameCreate(fs, cage, dirfd, path, false, lk);
  if (err < 0) return err;
  // The target's bytes count against maxBytes, as tmpfs charges a long target's page.
  if (!fs.space.take(target.length)) return -ENOSPC;
  const ino = fs.newInode(cage.cred, lk.parent, S_IFLNK | 0o777);
  if (ino < 0) { fs.space.give(target.length); return ino; }
  fs.inodes.payload[ino] = target;
  fs.inodes.size[ino] = target.length;
  fs.attach(lk.parent, lk.name, ino);
  return 0;
}

/** readlinkat(2): copies at most bufsiz bytes of the target (no NUL) into buf[off..]. */
export function readlinkat(fs: FsState, cage: Cage, dirfd: number, path: string, buf: Uint8Array, off: number, bufsiz: number): number {
  if (bufsiz <= 0) return -EINVAL;
  // An empty path reads the symlink dirfd refers to (opened with O_PATH | O_NOFOLLOW).
  const ino = resolveAt(fs, cage, dirfd, path, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW);
  if (ino < 0) return ino;
  if (path.length === 0 && !fs.inodes.isLink(ino)) return -ENOENT;
  if (!fs.inodes.isLink(ino)) return -EINVAL;
  const target = fs.inodes.payload[ino] as string;
  const n = Math.min(bufsiz, target.length);
  for (let i = 0; i < n; i++) buf[off + i] = target.charCodeAt(i);
  fs.touchAtime(ino);
  return n;
}

export function unlinkat(fs: FsState, cage: Cage, dirfd: number, path: string, flags: number): number {
  if (flags & ~AT_REMOVEDIR) return -EINVAL;
  return flags & AT_REMOVEDIR ? rmdirAt(fs, cage, dirfd, path) : unlinkFile(fs, cage, dirfd, path);
}

function unlinkFile(fs: FsState, cage: Cage, dirfd: number, path: string): number {
  const err = walk(fs, cage, dirfd, path, PARENT, lk);
  if (err < 0) return err;
  if (lk.type !== LAST_NORM) return -EISDIR;
  const ino = lk.ino;
  if (ino === 0) return -ENOENT;
  if (lk.slash) return fs.inodes.isDir(ino) ? -EISDIR : -ENOTDIR;
  const e = mayDelete(fs, cage.cred, lk.parent, ino, false);
  if (e < 0) return e;
  fs.detach(lk.parent, lk.name, ino);
  return 0;
}

function rmdirAt(fs: FsState, cage: Cage, dirfd: number, path: string): number {
  const err = walk(fs, cage, dirfd, path, PARENT, lk);
  if (err < 0) return err;
  switch (lk.type) {
    case LAST_DOTDOT: return -ENOTEMPTY;
    case LAST_DOT: return -EINVAL;
    case LAST_ROOT: return -EBUSY;
  }
  const ino = lk.ino;
  if (ino === 0) return -ENOENT;
  const e = mayDelete(fs, cage.cred, lk.parent, ino, true);
  if (e < 0) return e;
  if (fs.inodes.directory(ino).count > 0) return -ENOTEMPTY;
  fs.detach(lk.parent, lk.name, ino);
  return 0;
}

/** Linux's safe_hardlink_source for fs.protected_hardlinks. */
function safeHardlinkSource(fs: FsState, cred: Credentials, ino: number): boolean {
  const mode = fs.inodes.mode[ino];
  if ((mode & S_IFMT) !== S_IFREG) return false;
  if (mode & S_ISUID) return false;
  if ((mode & (S_ISGID | S_IXGRP)) === (S_ISGID | S_IXGRP)) return false;
  return permits(fs.inodes, cred, ino, MAY_READ | MAY_WRITE);
}

export function linkat(fs: FsState, cage: Cage, olddirfd: number, oldpath: string, newdirfd: number, newpath: string, flags: number): number {
  if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) return -EINVAL;
  const table = fs.inodes;
  const cred = cage.cred;
  let ino: number;
  if (flags & AT_EMPTY_PATH && oldpath.length === 0) {
    if (olddirfd === -100) ino = cage.cwd;
    else {
      const file = cage.files[olddirfd];
      if (file === undefined) return -EBADF;
      // Naming an open file (e.g. an O_TMPFILE) needs CAP_DAC_READ_SEARCH, or (Linux 6.10+)
      // the very credentials it was opened with: not a fork child's, nor any after a setuid.
      if (cred.euid !== 0 && file.opener !== cred) return -ENOENT;
      ino = file.ino;
    }
  } else {
    const err = walk(fs, cage, olddirfd, oldpath, flags & AT_SYMLINK_FOLLOW ? FOLLOW : 0, lk2);
    if (err < 0) return err;
    ino = lk2.ino;
    if (ino === 0) return -ENOENT;
    if (lk2.slash && !table.isDir(ino)) return -ENOTDIR;
  }
  // Linux's order: filename_create, may_linkat (protected_hardlinks), may_create, then the directory check.
  let err = filenameLookup(fs, cage, newdirfd, newpath, false, lk);
  if (err < 0) return err;
  if (fs.protectedHardlinks && cred.euid !== 0 && cred.euid !== table.uid[ino] && !safeHardlinkSource(fs, cred, ino)) return -EPERM;
  err = mayCreate(fs, cred, lk.parent);
  if (err < 0) return err;
  if (table.isDir(ino)) return -EPERM;
  if (table.nlink[ino] === 0 && !fs.linkable.has(ino)) return -ENOENT;
  if (table.nlink[ino] >= fs.limits.maxLinks) return -EMLINK;
  // A second name costs an inode (shmem_link's reservation): ENOSPC when none is left.
  if (table.nlink[ino] > 0 && fs.inodesUsed() >= fs.limits.maxInodes) return -ENOSPC;
  fs.linkable.delete(ino);
  fs.attach(lk.parent, lk.name, ino);
  fs.stamp(ino, C);
  return 0;
}

/** Whether directory `anc` is `ino` or one of its ancestors. */
function isAncestor(fs: FsState, anc: number, ino: number): boolean {
  const table = fs.inodes;
  for (let d = ino; ; ) {
    if (d === anc) return true;
    if (d === fs.root || d === 0) return false;
    d = table.directory(d).parent;
  }
}

export function renameat2(fs: FsState, cage: Cage, olddirfd: number, oldpath: string, newdirfd: number, newpath: string, flags: number): number {
  if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT)) return -EINVAL;
  if (flags & (RENAME_NOREPLACE | RENAME_WHITEOUT) && flags & RENAME_EXCHANGE) return -EINVAL;
  const cred = cage.cred;
  const table = fs.inodes;
  const from = lk, to = lk2;
  // Both parents are walked before either name is looked up (so a name too long is found late).
  let err = walk(fs, cage, olddirfd, oldpath, PARENT | LONG_LAST, from);
  if (err < 0) return err;
  err = walk(fs, cage, newdirfd, newpath, PARENT | LONG_LAST, to);
  if (err < 0) return err;
  if (from.type !== LAST_NORM) return -EBUSY;
  if (to.type !== LAST_NORM) return flags & RENAME_NOREPLACE ? -EEXIST : -EBUSY;
  if (from.tooLong) return -ENAMETOOLONG;
  const src = from.ino, dst = to.ino;
  if (src === 0) return -ENOENT;
  if (to.tooLong) return -ENAMETOOLONG;
  const exchange = (flags & RENAME_EXCHANGE) !== 0;
  if (exchange) {
    if (dst === 0) return -ENOENT;
    if (!table.isDir(dst) && to.slash) return -ENOTDIR;
  } else if (flags & RENAME_NOREPLACE && dst !== 0) {
    return -EEXIST;
  }
  const srcDir = table.isDir(src);
  if (!srcDir && (from.slash || (!exchange && to.slash))) return -ENOTDIR;
  const oldParent = from.parent, newParent = to.parent;
  if (oldParent !== newParent) {
    if (srcDir && isAncestor(fs, src, newParent)) return -EINVAL;
    if (dst !== 0 && table.isDir(dst) && isAncestor(fs, dst, oldParent)) return exchange ? -EINVAL : -ENOTEMPTY;
  }
  if (src === dst) return 0;
  const dstDir = dst !== 0 && table.isDir(dst);
  err = mayDelete(fs, cred, oldParent, src, srcDir);
  if (err < 0) return err;
  err = dst === 0 ? mayCreate(fs, cred, newParent) : mayDelete(fs, cred, newParent, dst, exchange ? dstDir : srcDir);
  if (err < 0) return err;
  if (oldParent !== newParent) {
    if (srcDir && !permits(table, cred, src, MAY_WRITE)) return -EACCES;
    if (exchange && dstDir && !permits(table, cred, dst, MAY_WRITE)) return -EACCES;
    const maxLinks = fs.limits.maxLinks;
    if (srcDir && !dstDir && table.nlink[newParent] >= maxLinks) return -EMLINK;
    if (exchange && !srcDir && dstDir && table.nlink[oldParent] >= maxLinks) return -EMLINK;
  }
  if (exchange) {
    exchangeEntries(fs, from, to, srcDir, dstDir);
    return 0;
  }
  if (dstDir && table.directory(dst).count > 0) return -ENOTEMPTY;
  let whiteout = 0;
  if (flags & RENAME_WHITEOUT) {
    whiteout = fs.newInode(cred, oldParent, S_IFCHR);
    if (whiteout < 0) return whiteout;
  }
  moveEntry(fs, from, to, srcDir, whiteout);
  return 0;
}

/** Moves entry `from` to `to`, replacing what `to` names (already checked replaceable). */
function moveEntry(fs: FsState, from: Lookup, to: Lookup, srcDir: boolean, whiteout: number): void {
  const table = fs.inodes;
  const src = from.ino, dst = to.ino;
  const oldParent = from.parent, newParent = to.parent;
  const oldD = table.directory(oldParent), newD = table.directory(newParent);
  oldD.remove(from.name);
  if (dst !== 0) newD.replace(to.name, src);
  else newD.add(to.name, src);
  if (srcDir) {
    const d = table.directory(src);
    d.name = to.name;
    if (oldParent !== newParent) {
      table.nlink[oldParent]--;
      table.nlink[newParent]++;
      d.parent = newParent;
    }
  }
  fs.stamp(oldParent, M | C);
  fs.stamp(newParent, M | C);
  fs.stamp(src, C);
  if (whiteout !== 0) {
    oldD.add(from.name, whiteout);
    table.nlink[whiteout] = 1;
  }
  if (dst !== 0) {
    if (table.isDir(dst)) {
      table.nlink[dst] = 0;
      table.nlink[newParent]--;
      fs.markDead(dst);
    } else {
      fs.dropLink(dst);
    }
    if (table.nlink[dst] > 0 || table.refs[dst] > 0) fs.stamp(dst, C);
    else fs.release(dst);
  }
}

/** RENAME_EXCHANGE: the two names swap inodes. */
function exchangeEntries(fs: FsState, from: Lookup, to: Lookup, srcDir: boolean, dstDir: boolean): void {
  const table = fs.inodes;
  const src = from.ino, dst = to.ino;
  const oldParent = from.parent, newParent = to.parent;
  table.directory(oldParent).replace(from.name, dst);
  table.directory(newParent).replace(to.name, src);
  if (srcDir) table.directory(src).name = to.name;
  if (dstDir) table.directory(dst).name = from.name;
  if (oldParent !== newParent) {
    if (srcDir) { table.directory(src).parent = newParent; table.nlink[oldParent]--; table.nlink[newParent]++; }
    if (dstDir) { table.directory(dst).parent = oldParent; table.nlink[newParent]--; table.nlink[oldParent]++; }
  }
  fs.stamp(oldParent, M | C);
  fs.stamp(newParent, M | C);
  fs.stamp(src, C);
  fs.stamp(dst, C);
}

/**
 * bind(2) of a UNIX-domain stream socket to `path`: creates the socket node (mode 0777
 * less the umask) and returns a descriptor for the socket. The 108-byte sun_path limit
 * belongs to the socket ABI, not to the filesystem, and is left to callers.
 */
export function bindSocket(fs: FsState, cage: Cage, dirfd: number, path: string): number {
  const fd = cage.lowestFree(0);
  if (fd < 0) return -EMFILE; // socket(2) fails before bind is tried
  const err = filenameCreate(fs, cage, dirfd, path, false, lk);
  if (err < 0) return err === -EEXIST ? -EADDRINUSE : err;
  const node = fs.newInode(cage.cred, lk.parent, S_IFSOCK | (0o777 & ~cage.umask));
  if (node < 0) return node;
  fs.attach(lk.parent, lk.name, node);
  return socketFd(fs, cage, fd);
}

/** A descriptor for a fresh, unconnected socket (an anonymous sockfs-like inode). */
function socketFd(fs: FsState, cage: Cage, fd: number): number {
  const ino = fs.newInode(cage.cred, 0, S_IFSOCK | 0o777);
  if (ino < 0) return ino;
  fs.anonymous.add(ino);
  fs.install(cage, fd, fs.openFile(ino, O_RDWR), false);
  return fd;
}

/**
 * connect(2) of a UNIX-domain stream socket to `path`. The IMFS keeps socket nodes but
 * has no listening sockets (listen(2) is not implemented), so a connection that gets
 * past the path and permission checks is refused, exactly as Linux refuses one to a
 * socket file nobody listens on.
 */
export function connectSocket(fs: FsState, cage: Cage, dirfd: number, path: string): number {
  const err = walk(fs, cage, dirfd, path, FOLLOW, lk);
  if (err < 0) return err;
  const ino = lk.ino;
  if (ino === 0) return -ENOENT;
  if (!permits(fs.inodes, cage.cred, ino, MAY_WRITE)) return -EACCES;
  return -ECONNREFUSED;
}
