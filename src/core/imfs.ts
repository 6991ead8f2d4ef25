/**
 * The IMFS: one in-memory POSIX filesystem and the cages (processes) that use it.
 * One method per system call, cage id first, Linux semantics and errno numbers;
 * results are syscall-style (>= 0 on success, -errno on failure, never an exception
 * for a filesystem error). Structured results go into caller-provided objects and
 * buffers. Paths are JS strings (UTF-8) or byte arrays.
 */
import { AT_FDCWD, AT_SYMLINK_NOFOLLOW, O_CLOEXEC, O_CREAT, O_DIRECTORY, O_RDONLY, O_TRUNC, O_WRONLY, S_IFIFO, S_IFMT, SEEK_SET } from './constants.js';
import { EBADF, EEXIST, EINVAL, ESRCH } from './errno.js';
import { Cage } from './cage.js';
import { forgetUserView } from './copy-bytes.js';
import { FsState, type ImfsOptions } from './fs-state.js';
import type { Credentials } from './access.js';
import { toBinary, binaryToBytes, binaryToText, type PathArg } from './names.js';
import { FOLLOW, Lookup, walk } from './path-walk.js';
import type { Device } from './device.js';
import type { Stat, Statfs } from './stat.js';
import type { Timespec } from './clock.js';
import * as open_ from './ops-open.js';
import * as io from './ops-io.js';
import * as ns from './ops-namespace.js';
import * as attr from './ops-attr.js';
import * as fdops from './ops-fd.js';
import * as dir from './ops-dir.js';
import * as poll_ from './ops-poll.js';
import { defaultRlimits, prlimit as prlimit_, type Rlimit } from './rlimits.js';
import type { Flock } from './ops-fd.js';
import type { OffsetRef } from './ops-io.js';
import type { Statx } from './ops-attr.js';

export interface CageOptions {
  uid?: number;
  gid?: number;
  /** Effective ids (default: uid/gid). */
  euid?: number;
  egid?: number;
  /** Supplementary groups (default: [gid]). */
  groups?: number[];
  /** Working directory (default "/"). */
  cwd?: PathArg;
  /** File-creation mask (default 022). */
  umask?: number;
  /** RLIMIT_NOFILE's soft value (default: the IMFS's maxFds, which is also the hard value unless this is above it). */
  maxFds?: number;
}

/** One directory entry from the readdir() convenience. */
export interface Dirent {
  ino: number;
  /** DT_* type. */
  type: number;
  /** Position of the next entry (what telldir returns after this one). */
  off: number;
  /** The name's exact bytes. */
  bytes: Buffer;
  /** The name as UTF-8 text (for display; use bytes to round-trip odd names). */
  name: string;
}

const lk = new Lookup();
const NUL_IN_PATH = -EINVAL;

export class Imfs extends FsState {
  /** The cage the last call named: a cage's calls come in runs, and this saves a Map lookup each. */
  private lastCage: Cage | undefined = undefined;

  constructor(options: ImfsOptions = {}) {
    super(options);
    this.createCage(0, { umask: 0o022 });
  }

  private cageById(id: number): Cage | undefined {
    const last = this.lastCage;
    if (last !== undefined && last.id === id) return last;
    return (this.lastCage = this.cages.get(id));
  }

  // ---- cages -------------------------------------------------------------------

  /** Creates cage `id` (root credentials unless given). -EEXIST if it exists, -ENOENT/-ENOTDIR for a bad cwd. */
  createCage(id: number, options: CageOptions = {}): number {
    if (this.cages.has(id)) return -EEXIST;
    const uid = options.uid ?? 0, gid = options.gid ?? 0;
    const cred: Credentials = {
      uid, gid, euid: options.euid ?? uid, egid: options.egid ?? gid, groups: options.groups ?? [gid],
    };
    const nofile = options.maxFds ?? this.limits.maxFds;
    const cage = new Cage(id, this.root, cred, (options.umask ?? 0o022) & 0o777, defaultRlimits(nofile, this.limits.maxFds));
    this.ref(this.root);
    if (options.cwd !== undefined) {
      const path = toBinary(options.cwd);
      if (path === null) { this.unref(this.root); return NUL_IN_PATH; }
      const err = fdops.chdir(this, cage, path);
      if (err < 0) { this.unref(this.root); return err; }
    }
    this.cages.set(id, cage);
    return 0;
  }

  hasCage(id: number): boolean {
    return this.cages.has(id);
  }

  /** The cage's process state (for the ABI layer and tests); undefined if there is no such cage. */
  cage(id: number): Cage | undefined {
    return this.cageById(id);
  }

  /** fork: `child` gets a copy of `parent`'s descriptor table (sharing open file descriptions), cwd, umask, ids and limits. */
  forkCage(parent: number, child: number): number {
    const p = this.cageById(parent);
    if (p === undefined) return -ESRCH;
    if (this.cages.has(child)) return -EEXIST;
    const c = new Cage(child, p.cwd, { ...p.cred, groups: [...p.cred.groups] }, p.umask, p.rlimits.map((l) => ({ ...l })));
    this.ref(p.cwd);
    c.reserved = [...p.reserved];
    p.files.forEach((file, fd) => {
      if (file !== undefined) this.install(c, fd, file, p.cloexec[fd]);
    });
    c.reserved = [...p.reserved];
    this.cages.set(child, c);
    return 0;
  }

  /** exec: closes the descriptors marked FD_CLOEXEC. */
  execCage(id: number): number {
    const c = this.cageById(id);
    if (c === undefined) return -ESRCH;
    c.files.forEach((file, fd) => {
      if (file !== undefined && c.cloexec[fd]) this.closeFd(c, fd);
    });
    return 0;
  }

  /**
   * A call that waited (a blocking FIFO open) is given up, interrupted or refused: what it
   * holds while it waits is let go.
   */
  abandonWait(id: number): void {
    const c = this.cageById(id);
    const w = c?.fifoWait;
    if (c === undefined || w === null || w === undefined) return;
    c.fifoWait = null;
    if (w.reader) w.pipe.readers--;
    else w.pipe.writers--;
    if (w.pipe.readers === 0 && w.pipe.writers === 0 && this.inodes.payload[w.ino] === w.pipe && w.pipe.length === 0) this.inodes.payload[w.ino] = null;
  }

  /** exit: closes every descriptor, drops the cage's locks and cwd, forgets the cage. */
  exitCage(id: number): number {
    const c = this.cageById(id);
    if (c === undefined) return -ESRCH;
    this.abandonWait(id);
    c.files.forEach((file, fd) => {
      if (file !== undefined) this.closeFd(c, fd);
    });
    this.locks.releaseOwner(c);
    this.unref(c.cwd);
    this.cages.delete(id);
    this.lastCage = undefined;
    forgetUserView();
    return 0;
  }

  /**
   * prlimit(2) by `cage` on the cage `pid` (0: itself): the limit in force into `old`, then
   * `next` installed (either may be null). A descriptor limit never passes the IMFS's maxFds.
   */
  prlimit(cage: number, pid: number, resource: number, next: Rlimit | null, old: Rlimit | null): number {
    const c = this.cageById(cage);
    if (c === undefined) return -ESRCH;
    return prlimit_(c, pid === 0 ? c : this.cages.get(pid), resource, next, old, this.limits.maxFds);
  }

  /** Changes a cage's credentials (setuid/setgid/setgroups, as root may). */
  setCredentials(id: number, cred: Partial<Credentials>): number {
    const c = this.cageById(id);
    if (c === undefined) return -ESRCH;
    c.cred = { ...c.cred, ...cred };
    return 0;
  }

  /** Registers what a character ('c') or block ('b') device node does when opened. */
  registerDevice(kind: 'c' | 'b', major: number, minor: number, device: Device): void {
    this.devices.set(`${kind}:${major}:${minor}`, device);
  }

  /** Installs a host stream as descriptor `fd` (0–2 for stdio). `type` is the S_IF* fstat reports. */
  installStream(cage: number, fd: number, device: Device, flags: number, type: number): number {
    const c = this.cageById(cage);
    return c === undefined ? -ESRCH : open_.installStream(this, c, fd, device, flags, type);
  }

  // ---- open / close --------------------------------------------------------------

  open(cage: number, path: PathArg, flags: number, mode = 0): number {
    return this.openat(cage, AT_FDCWD, path, flags, mode);
  }

  openat(cage: number, dirfd: number, path: PathArg, flags: number, mode = 0): number {
    const c = this.cageById(cage);
    if (c === undefined) return -ESRCH;
    const p = toBinary(path);
    return p === null ? NUL_IN_PATH : open_.openat(this, c, dirfd, p, flags, mode);
  }

  creat(cage: number, path: PathArg, mode: number): number {
    return this.openat(cage, AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode);
  }

  close(cage: number, fd: number): number {
    const c = this.cageById(cage);
    return c === undefined ? -ESRCH : open_.close(this, c, fd);
  }

  pipe(cage: number, fds: Int32Array | number[]): number {
    return this.pipe2(cage, fds, 0);
  }

  pipe2(cage: number, fds: Int32Array | number[], flags: number): number {
    const c = this.cageById(cage);
    return c === undefined ? -ESRCH : open_.pipe2(this, c, fds, flags);
  }

  // ---- data ----------------------------------------------------------------------

  /** read(2) of up to `count` bytes (default: the rest of buf) into buf at `bufOffset`. */
  read(cage: number, fd: number, buf: Uint8Array, count = buf.length, bufOffset = 0): number {
    const c = this.cageById(cage);
    return c === undefined ? -ESRCH : io.read(this, c, fd, buf, bufOffset, Math.max(0, Math.min(count, buf.length - bufOffset)));
  }

  write(cage: number, fd: number, buf: Uint8Array, count = buf.length, bufOffset = 0): number {
    const c = this.cageById(cage);
    return c === undefined ? -ESRCH : io.write(this, c, fd, buf, bufOffset, Math.max(0, Math.min(count, buf.length - bufOffset)));
  }

  pread(cage: number, fd: number, buf: Uint8Array, count: number, offset: number, bufOffset = 0): number {
    const c = this.cageById(cage);
    return c === undefined ? -ESRCH : io.pread(this, c, fd, buf, bufOffset, Math.max(0, Math.min(count, buf.length - bufOffset)), offset);
  }

  pwrite(cage: number, fd: number, buf: Uint8Array, count: number, offset: number, bufOffset = 0): number {
    const c = this.cageById(cage);
    return c === undefined ? -ESRCH : io.pwrite(this, c, fd, buf, bufOffset, Math.max(0, Math.min(count, buf.length - bufOffset)), offset);
  }

  readv(cage: number, fd: number, iovs: readonly Uint8Array[]): number {
    const c = this.cageById(cage);
    return c === undefined ? -ESRCH : io.readv(this, c, fd, iovs, -1);
  }

  writev(cage: number, fd: number, iovs: readonly Uint8Array[]): number {
    const c = this.cageById(cage);
    return c === undefined ? -ESRCH : io.writev(this, c, fd, iovs, -1);
  }

  preadv(cage: number, fd: number, iovs: readonly Uint8Array[], offset: number): number {
    const c = this.cageById(cage);
    if (c === undefined) return -ESRCH;
    return offset < 0 ? -EINVAL : io.readv(this, c, fd, iovs, offset);
  }

  pwritev(cage: number, fd: number, iovs: readonly Uint8Array[], offset: number): number {
    const c = this.cageById(cage);
    if (c === undefined) return -ESRCH;
    return offset < 0 ? -EINVAL : io.writev(this, c, fd, iovs, offset);
  }

  lseek(cage: number, fd: number, offset: number, whence: number): number {
    const c = this.cageById(cage);
    return c === undefined ? -ESRCH : io.lseek(this, c, fd, offset, whence);
  }

  truncate(cage: number, path: PathArg, length: number): number {
    const c = this.cageById(cage);
    if (c === undefined) return -ESRCH;
    const p = toBinary(path);
    return p === null ? NUL_IN_PATH : io.truncate(this, c, p, length);
  }

  ftruncate(cage: number, fd: number, length: number): number {
    const c = this.cageById(cage);
    return c === undefined ? -ESRCH : io.ftruncate(this, c, fd, length);
  }

  fallocate(cage: number, fd: number, mode: number, offset: number, len: number): number {
    const c = this.cageById(cage);
    return c === undefined ? -ESRCH : io.fallocate(this, c, fd, mode, offset, len);
  }

  /** posix_fallocate(3) = fallocate with mode 0. Returns 0 or -errno (C returns the errno itself). */
  posix_fallocate(cage: number, fd: number, offset: number, len: number): number {
    return this.fallocate(cage, fd, 0, offset, len);
  }

  copy_file_range(cage: number, fdIn: number, offIn: OffsetRef | null, fdOut: number, offOut: OffsetRef | null, len: number, flags = 0): number {
    const c = this.cageById(cage);
    return c === undefined ? -ESRCH : io.copyFileRange(this, c, fdIn, offIn, fdOut, offOut, len, flags);
  }

  /** sendfile(2): `offset` null means "from in_fd's file offset, which advances". */
  sendfile(cage: number, outFd: number, inFd: number, offset: OffsetRef | null, count: number): number {
    const c = this.cageById(cage);
    return c === undefined ? -ESRCH : io.sendfile(this, c, outFd, inFd, offset, count);
  }

  /** 0 if fd is open for reading (writing), else -EBADF: the check Linux makes before it touches the buffer. */
  checkIo(cage: number, fd: number, writing: boolean): number {
    const c = this.cageById(cage);
    return c === undefined ? -ESRCH : io.checkIo(c, fd, writing);
  }

  fsync(cage: number, fd: number): number {
    const c = this.cageById(cage);
    return c === undefined ? -ESRCH : io.fsync(this, c, fd);
  }

  fdatasync(cage: number, fd: number): number {
    return this.fsync(cage, fd);
  }

  /** sync(2): everything is already where it will stay. */
  sync(cage: number): number {
    return this.cages.has(cage) ? 0 : -ESRCH;
  }

  syncfs(cage: number, fd: number): number {
    const c = this.cageById(cage);
    return c === undefined ? -ESRCH : io.syncfs(this, c, fd);
  }

  sync_file_range(cage: number, fd: number, offset: number, nbytes: number, flags: number): number {
    const c = this.cageById(cage);
    return c === undefined ? -ESRCH : io.syncFileRange(this, c, fd, offset, nbytes, flags);
  }

  // ---- descriptors ---------------------------------------------------------------

  dup(cage: number, fd: number): number {
    const c = this.cageById(cage);
    return c === undefined ? -ESRCH : fdops.dup(this, c, fd);
  }

  dup2(cage: number, oldfd: number, newfd: number): number {
    const c = this.cageById(cage);
    return c === undefined ? -ESRCH : fdops.dup2(this, c, oldfd, newfd);
  }

  dup3(cage: number, oldfd: number, newfd: number, flags: number): number {
    const c = this.cageById(cage);
    return c === undefined ? -ESRCH : fdops.dup3(this, c, oldfd, newfd, flags);
  }

  /** fcntl(2): `arg` is the int argument, or a Flock for the lock commands (F_GETLK fills it in). */
  fcntl(cage: number, fd: number, cmd: number, arg: number | Flock = 0): number {
    const c = this.cageById(cage);
    return c === undefined ? -ESRCH : fdops.fcntl(this, c, fd, cmd, arg);
  }

  flock(cage: number, fd: number, operation: number): number {
    const c = this.cageById(cage);
    return c === undefined ? -ESRCH : fdops.flock(this, c, fd, operation);
  }

  // ---- attributes ----------------------------------------------------------------

  stat(cage: number, path: PathArg, out: Stat): number {
    return this.fstatat(cage, AT_FDCWD, path, out, 0);
  }

  lstat(cage: number, path: PathArg, out: Stat): number {
    return this.fstatat(cage, AT_FDCWD, path, out, AT_SYMLINK_NOFOLLOW);
  }

  fstat(cage: number, fd: number, out: Stat): number {
    const c = this.cageById(cage);
    return c === undefined ? -ESRCH : attr.fstat(this, c, fd, out);
  }

  fstatat(cage: number, dirfd: number, path: PathArg, out: Stat, flags = 0): number {
    const c = this.cageById(cage);
    if (c === undefined) return -ESRCH;
    const p = toBinary(path);
    return p === null ? NUL_IN_PATH : attr.fstatat(this, c, dirfd, p, out, flags);
  }

  statx(cage: number, dirfd: number, path: PathArg, flags: number, mask: number, out: Statx): number {
    const c = this.cageById(cage);
    if (c === undefined) return -ESRCH;
    const p = toBinary(path);
    return p === null ? NUL_IN_PATH : attr.statx(this, c, dirfd, p, flags, mask, out);
  }

  statfs(cage: number, path: PathArg, out: Statfs): number {
    const c = this.cageById(cage);
    if (c === undefined) return -ESRCH;
    const p = toBinary(path);
    return p === null ? NUL_IN_PATH : attr.statfs(this, c, p, out);
  }

  fstatfs(cage: number, fd: number, out: Statfs): number {
    const c = this.cageById(cage);
    return c === undefined ? -ESRCH : attr.fstatfs(this, c, fd, out);
  }

  access(cage: number, path: PathArg, mode: number): number {
    return this.faccessat(cage, AT_FDCWD, path, mode, 0);
  }

  faccessat(cage: number, dirfd: number, path: PathArg, mode: number, flags = 0): number {
    const c = this.cageById(cage);
    if (c === undefined) return -ESRCH;
    const p = toBinary(path);
    return p === null ? NUL_IN_PATH : attr.faccessat(this, c, dirfd, p, mode, flags);
  }

  chmod(cage: number, path: PathArg, mode: number): number {
    return this.fchmodat(cage, AT_FDCWD, path, mode, 0);
  }

  fchmod(cage: number, fd: number, mode: number): number {
    const c = this.cageById(cage);
    return c === undefined ? -ESRCH : attr.fchmod(this, c, fd, mode);
  }

  fchmodat(cage: number, dirfd: number, path: PathArg, mode: number, flags = 0): number {
    const c = this.cageById(cage);
    if (c === undefined) return -ESRCH;
    const p = toBinary(path);
    return p === null ? NUL_IN_PATH : attr.fchmodat(this, c, dirfd, p, mode, flags);
  }

  /** chown(2); -1 (or 0xffffffff) leaves an id unchanged. */
  chown(cage: number, path: PathArg, uid: number, gid: number): number {
    return this.fchownat(cage, AT_FDCWD, path, uid, gid, 0);
  }

  lchown(cage: number, path: PathArg, uid: number, gid: number): number {
    return this.fchownat(cage, AT_FDCWD, path, uid, gid, AT_SYMLINK_NOFOLLOW);
  }

  fchown(cage: number, fd: number, uid: number, gid: number): number {
    const c = this.cageById(cage);
    return c === undefined ? -ESRCH : attr.fchown(this, c, fd, uid, gid);
  }

  fchownat(cage: number, dirfd: number, path: PathArg, uid: number, gid: number, flags = 0): number {
    const c = this.cageById(cage);
    if (c === undefined) return -ESRCH;
    const p = toBinary(path);
    return p === null ? NUL_IN_PATH : attr.fchownat(this, c, dirfd, p, uid, gid, flags);
  }

  /** utimensat(2): path null operates on dirfd (futimens); times null means both now. */
  utimensat(cage: number, dirfd: number, path: PathArg | null, times: readonly [Timespec, Timespec] | null, flags = 0): number {
    const c = this.cageById(cage);
    if (c === undefined) return -ESRCH;
    const p = path === null ? null : toBinary(path);
    if (p === null && path !== null) return NUL_IN_PATH;
    return attr.utimensat(this, c, dirfd, p, times, flags);
  }

  futimens(cage: number, fd: number, times: readonly [Timespec, Timespec] | null): number {
    return this.utimensat(cage, fd, null, times, 0);
  }

  /** pathconf(3): the limit, Infinity for "no limit", or -errno. */
  pathconf(cage: number, path: PathArg, name: number): number {
    const c = this.cageById(cage);
    if (c === undefined) return -ESRCH;
    const p = toBinary(path);
    return p === null ? NUL_IN_PATH : attr.pathconf(this, c, p, name);
  }

  fpathconf(cage: number, fd: number, name: number): number {
    const c = this.cageById(cage);
    return c === undefined ? -ESRCH : attr.fpathconf(this, c, fd, name);
  }

  // ---- names ---------------------------------------------------------------------

  mkdir(cage: number, path: PathArg, mode: number): number {
    return this.mkdirat(cage, AT_FDCWD, path, mode);
  }

  mkdirat(cage: number, dirfd: number, path: PathArg, mode: number): number {
    const c = this.cageById(cage);
    if (c === undefined) return -ESRCH;
    const p = toBinary(path);
    return p === null ? NUL_IN_PATH : ns.mkdirat(this, c, dirfd, p, mode);
  }

  /** mknod(2) with the device as major/minor (Linux encoding is the ABI's business). */
  mknod(cage: number, path: PathArg, mode: number, major = 0, minor = 0): number {
    return this.mknodat(cage, AT_FDCWD, path, mode, major, minor);
  }

  mknodat(cage: number, dirfd: number, path: PathArg, mode: number, major = 0, minor = 0): number {
    const c = this.cageById(cage);
    if (c === undefined) return -ESRCH;
    const p = toBinary(path);
    return p === null ? NUL_IN_PATH : ns.mknodat(this, c, dirfd, p, mode, major, minor);
  }

  mkfifo(cage: number, path: PathArg, mode: number): number {
    return this.mknodat(cage, AT_FDCWD, path, S_IFIFO | (mode & ~S_IFMT), 0, 0);
  }

  mkfifoat(cage: number, dirfd: number, path: PathArg, mode: number): number {
    return this.mknodat(cage, dirfd, path, S_IFIFO | (mode & ~S_IFMT), 0, 0);
  }

  rmdir(cage: number, path: PathArg): number {
    return this.unlinkat(cage, AT_FDCWD, path, 0x200);
  }

  unlink(cage: number, path: PathArg): number {
    return this.unlinkat(cage, AT_FDCWD, path, 0);
  }

  unlinkat(cage: number, dirfd: number, path: PathArg, flags = 0): number {
    const c = this.cageById(cage);
    if (c === undefined) return -ESRCH;
    const p = toBinary(path);
    return p === null ? NUL_IN_PATH : ns.unlinkat(this, c, dirfd, p, flags);
  }

  link(cage: number, oldpath: PathArg, newpath: PathArg): number {
    return this.linkat(cage, AT_FDCWD, oldpath, AT_FDCWD, newpath, 0);
  }

  linkat(cage: number, olddirfd: number, oldpath: PathArg, newdirfd: number, newpath: PathArg, flags = 0): number {
    const c = this.cageById(cage);
    if (c === undefined) return -ESRCH;
    const o = toBinary(oldpath), n = toBinary(newpath);
    return o === null || n === null ? NUL_IN_PATH : ns.linkat(this, c, olddirfd, o, newdirfd, n, flags);
  }

  rename(cage: number, oldpath: PathArg, newpath: PathArg): number {
    return this.renameat2(cage, AT_FDCWD, oldpath, AT_FDCWD, newpath, 0);
  }

  renameat(cage: number, olddirfd: number, oldpath: PathArg, newdirfd: number, newpath: PathArg): number {
    return this.renameat2(cage, olddirfd, oldpath, newdirfd, newpath, 0);
  }

  renameat2(cage: number, olddirfd: number, oldpath: PathArg, newdirfd: number, newpath: PathArg, flags: number): number {
    const c = this.cageById(cage);
    if (c === undefined) return -ESRCH;
    const o = toBinary(oldpath), n = toBinary(newpath);
    return o === null || n === null ? NUL_IN_PATH : ns.renameat2(this, c, olddirfd, o, newdirfd, n, flags);
  }

  symlink(cage: number, target: PathArg, linkpath: PathArg): number {
    return this.symlinkat(cage, target, AT_FDCWD, linkpath);
  }

  symlinkat(cage: number, target: PathArg, newdirfd: number, linkpath: PathArg): number {
    const c = this.cageById(cage);
    if (c === undefined) return -ESRCH;
    const t = toBinary(target), p = toBinary(linkpath);
    return t === null || p === null ? NUL_IN_PATH : ns.symlinkat(this, c, t, newdirfd, p);
  }

  /** readlink(2): up to `bufsiz` bytes (default buf.length) of the target, no NUL; returns the count. */
  readlink(cage: number, path: PathArg, buf: Uint8Array, bufsiz = buf.length): number {
    return this.readlinkat(cage, AT_FDCWD, path, buf, bufsiz);
  }

  readlinkat(cage: number, dirfd: number, path: PathArg, buf: Uint8Array, bufsiz = buf.length, bufOffset = 0): number {
    const c = this.cageById(cage);
    if (c === undefined) return -ESRCH;
    const p = toBinary(path);
    return p === null ? NUL_IN_PATH : ns.readlinkat(this, c, dirfd, p, buf, bufOffset, Math.max(0, Math.min(bufsiz, buf.length - bufOffset)));
  }

  /** Creates a UNIX-domain socket bound to `path` (a socket node); returns its descriptor. */
  bind(cage: number, path: PathArg): number {
    const c = this.cageById(cage);
    if (c === undefined) return -ESRCH;
    const p = toBinary(path);
    return p === null ? NUL_IN_PATH : ns.bindSocket(this, c, AT_FDCWD, p);
  }

  /** Connects a UNIX-domain socket to `path`: nothing listens in the IMFS, so at best ECONNREFUSED. */
  connect(cage: number, path: PathArg): number {
    const c = this.cageById(cage);
    if (c === undefined) return -ESRCH;
    const p = toBinary(path);
    return p === null ? NUL_IN_PATH : ns.connectSocket(this, c, AT_FDCWD, p);
  }

  // ---- directories and the working directory --------------------------------------

  getdents64(cage: number, fd: number, buf: Uint8Array, count = buf.length, bufOffset = 0): number {
    const c = this.cageById(cage);
    return c === undefined ? -ESRCH : dir.getdents64(this, c, fd, buf, bufOffset, Math.max(0, Math.min(count, buf.length - bufOffset)));
  }

  /** opendir(3): a descriptor for reading the directory (the DIR handle is the descriptor). */
  opendir(cage: number, path: PathArg): number {
    return this.openat(cage, AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  }

  /** readdir(3): the next entry, null at the end, or -errno. */
  readdir(cage: number, fd: number): Dirent | null | number {
    const c = this.cageById(cage);
    if (c === undefined) return -ESRCH;
    const d = dir.dirOf(this, c, fd);
    if (d < 0) return d;
    const file = c.files[fd]!;
    let entry: Dirent | null = null;
    dir.scanDir(this, d, file.pos, (name, ino, type, next) => {
      entry = { ino, type, off: next, bytes: binaryToBytes(name), name: binaryToText(name) };
      file.pos = next;
      return false;
    });
    this.touchAtime(d);
    return entry;
  }

  /**
   * Visits the entries of the directory open on fd from readdir position `pos` (0 = start,
   * each entry passes the position of the next), as the WASI layer's fd_readdir needs.
   * Names are binary strings (one char per byte). Returns 0 or -errno.
   */
  scandir(cage: number, fd: number, pos: number, visit: dir.DirVisitor): number {
    const c = this.cageById(cage);
    if (c === undefined) return -ESRCH;
    const d = dir.dirOf(this, c, fd);
    if (d < 0) return d;
    dir.scanDir(this, d, pos, visit);
    this.touchAtime(d);
    return 0;
  }

  telldir(cage: number, fd: number): number {
    return this.lseek(cage, fd, 0, 1);
  }

  seekdir(cage: number, fd: number, pos: number): number {
    const r = this.lseek(cage, fd, pos, SEEK_SET);
    return r < 0 ? r : 0;
  }

  rewinddir(cage: number, fd: number): number {
    return this.seekdir(cage, fd, 0);
  }

  closedir(cage: number, fd: number): number {
    return this.close(cage, fd);
  }

  chdir(cage: number, path: PathArg): number {
    const c = this.cageById(cage);
    if (c === undefined) return -ESRCH;
    const p = toBinary(path);
    return p === null ? NUL_IN_PATH : fdops.chdir(this, c, p);
  }

  fchdir(cage: number, fd: number): number {
    const c = this.cageById(cage);
    return c === undefined ? -ESRCH : fdops.fchdir(this, c, fd);
  }

  /** getcwd(2): writes the path and a NUL into buf; returns strlen + 1 (as the syscall does). */
  getcwd(cage: number, buf: Uint8Array, size = buf.length, bufOffset = 0): number {
    const c = this.cageById(cage);
    return c === undefined ? -ESRCH : fdops.getcwd(this, c, buf, bufOffset, Math.max(0, Math.min(size, buf.length - bufOffset)));
  }

  /** The working directory as text, or -errno (convenience). */
  cwd(cage: number): string | number {
    const c = this.cageById(cage);
    if (c === undefined) return -ESRCH;
    const p = fdops.cwdPath(this, c);
    return typeof p === 'number' ? p : binaryToText(p);
  }

  umask(cage: number, mask: number): number {
    const c = this.cageById(cage);
    return c === undefined ? -ESRCH : fdops.umask(c, mask);
  }

  // ---- readiness --------------------------------------------------------------------

  /** poll(2) for one descriptor: the revents now (nothing waits). */
  poll(cage: number, fd: number, events: number): number {
    const c = this.cageById(cage);
    return c === undefined ? -ESRCH : poll_.pollEvents(this, c, fd, events);
  }

  /** Whether fd is a terminal (a host stream the grate says is a TTY): 1, 0, or -EBADF. */
  isatty(cage: number, fd: number): number {
    const c = this.cageById(cage);
    if (c === undefined) return -ESRCH;
    const file = c.files[fd];
    if (file === undefined) return -EBADF;
    return file.device?.isatty === true ? 1 : 0;
  }

  /**
   * The type of fd's file (its mode's S_IFMT bits), or -EBADF: for an ABI's own bookkeeping
   * (WASI rights by type). Unlike fstat it leaves the file's times unmarked: a stat makes
   * the next change read the exact clock, so that the change shows.
   */
  fileType(cage: number, fd: number): number {
    const c = this.cageById(cage);
    if (c === undefined) return -ESRCH;
    const file = c.files[fd];
    return file === undefined ? -EBADF : this.inodes.mode[file.ino] & S_IFMT;
  }

  /** ioctl(FIONREAD): bytes a read would return now. */
  fionread(cage: number, fd: number): number {
    const c = this.cageById(cage);
    return c === undefined ? -ESRCH : poll_.readableBytes(this, c, fd);
  }

  // ---- conveniences for hosts (staging, tests) --------------------------------------

  /** Whether `path` exists for `cage` (following symlinks). */
  exists(cage: number, path: PathArg): boolean {
    const c = this.cageById(cage);
    const p = toBinary(path);
    if (c === undefined || p === null) return false;
    return walk(this, c, AT_FDCWD, p, FOLLOW, lk) === 0 && lk.ino !== 0;
  }

}

