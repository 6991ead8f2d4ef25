/**
 * The state of one IMFS and the node subroutines every call is built from (in the
 * manner of FreeBSD's tmpfs): allocate an inode, attach and detach directory entries,
 * stamp times, take and drop references, open and close descriptions. The syscall
 * entry points (ops-*.ts) check their arguments and call these.
 */
import {
  F_UNLCK, O_ACCMODE, O_RDONLY, O_RDWR, O_WRONLY, S_IFDIR, S_IFMT, S_IFREG, S_ISGID,
  S_IXGRP, S_ISUID, S_IFIFO,
} from './constants.js';
import { ENOSPC } from './errno.js';
import { InodeTable, ATIME, MTIME, CTIME } from './inode-table.js';
import { Space } from './space.js';
import { resolveLimits, type Limits } from './limits.js';
import { coarseMs, realClock, type Clock, type Timespec } from './clock.js';
import { Directory } from './directory.js';
import { FileData } from './file-data.js';
import { Pipe } from './pipe.js';
import { Locks } from './locks.js';
import { Cage } from './cage.js';
import { OpenFile } from './open-file.js';
import { inGroup, type Credentials } from './access.js';
import type { Device } from './device.js';

export interface ImfsOptions {
  limits?: Partial<Limits>;
  clock?: Clock;
  /** Mode bits of the root directory (default 0755). */
  rootMode?: number;
  /**
   * Linux's fs.protected_hardlinks: an unprivileged user may only hard-link files they
   * own or can read and write. On by default, as on most distributions.
   */
  protectedHardlinks?: boolean;
}

/** Which timestamps to set to now. */
export const A = 1, M = 2, C = 4;

const DAY = 24 * 60 * 60;

export class FsState {
  readonly inodes = new InodeTable();
  readonly limits: Limits;
  readonly space: Space;
  readonly clock: Clock;
  readonly locks = new Locks();
  readonly cages = new Map<number, Cage>();
  /** Character and block device behaviours, by "c:major:minor" / "b:major:minor". */
  readonly devices = new Map<string, Device>();
  /** O_TMPFILE inodes opened without O_EXCL, which linkat(AT_EMPTY_PATH) may give a name. */
  readonly linkable = new Set<number>();
  /** Inodes with no name by nature (pipes, host streams, sockets): fstat reports them with one link, as pipefs/sockfs do. */
  readonly anonymous = new Set<number>();
  readonly protectedHardlinks: boolean;
  readonly root: number;
  /** Scratch time, refreshed by now(). */
  readonly t: Timespec = { sec: 0, nsec: 0 };

  constructor(options: ImfsOptions = {}) {
    this.limits = resolveLimits(options.limits);
    this.space = new Space(this.limits.maxBytes);
    this.clock = options.clock ?? realClock;
    this.protectedHardlinks = options.protectedHardlinks ?? true;
    this.now();
    const root = this.inodes.alloc(S_IFDIR | ((options.rootMode ?? 0o755) & 0o7777), 0, 0, this.t.sec, this.t.nsec);
    this.inodes.payload[root] = new Directory(root);
    this.inodes.nlink[root] = 2;
    this.root = root;
  }

  /** The exact time (also the floor no coarse time may go below). */
  now(): Timespec {
    this.clock(this.t);
    this.floorSec = this.t.sec;
    this.floorNsec = this.t.nsec;
    return this.t;
  }
  private floorSec = 0;
  private floorNsec = 0;

  /**
   * The coarse time (Linux's current_time): the ticker's millisecond, never earlier than
   * an exact time already handed out. An injected clock is used as it is.
   */
  coarseNow(): Timespec {
    const ms = this.clock === realClock ? coarseMs() : NaN;
    if (!(ms > 0)) return this.now();
    const t = this.t;
    const sec = Math.floor(ms / 1000), nsec = Math.floor((ms - sec * 1000) * 1e6);
    if (sec > this.floorSec || (sec === this.floorSec && nsec >= this.floorNsec)) {
      t.sec = sec;
      t.nsec = nsec;
    } else {
      t.sec = this.floorSec;
      t.nsec = this.floorNsec;
    }
    return t;
  }

  /**
   * Sets the timestamps in `which` (A | M | C) of `ino` to now: the coarse time, unless
   * someone has looked at this inode's times since they last changed, in which case the
   * exact time, so the change shows (Linux 6.13's multigrain timestamps).
   */
  stamp(ino: number, which: number): void {
    const queried = this.inodes.queried;
    const t = queried[ino] !== 0 && (which & (M | C)) !== 0 ? this.now() : this.coarseNow();
    if (which & C) queried[ino] = 0;
    const times = this.inodes.times, base = ino * 8;
    if (which & A) { times[base + ATIME] = t.sec; times[base + ATIME + 1] = t.nsec; }
    if (which & M) { times[base + MTIME] = t.sec; times[base + MTIME + 1] = t.nsec; }
    if (which & C) { times[base + CTIME] = t.sec; times[base + CTIME + 1] = t.nsec; }
  }

  /**
   * Access-time update as Linux's default relatime does it: when atime is not newer than
   * mtime or ctime, or is a day old. Reading the clock costs more than a small read
   * itself, so the day-old test uses the last time read (refreshed every 4096 tests);
   * the clock is read when atime actually changes.
   */
  touchAtime(ino: number): void {
    const times = this.inodes.times, base = ino * 8;
    const a = times[base + ATIME], an = times[base + ATIME + 1];
    const m = times[base + MTIME], c = times[base + CTIME];
    let due = a < m || (a === m && an <= times[base + MTIME + 1]) || a < c || (a === c && an <= times[base + CTIME + 1]);
    if (!due) {
      // An injected clock is cheap and exact; the real one is read every 4096th test.
      if (this.clock !== realClock || (++this.atimeChecks & 4095) === 0) this.now();
      due = this.t.sec - a >= DAY;
    }
    if (due) {
      const t = this.coarseNow();
      times[base + ATIME] = t.sec;
      times[base + ATIME + 1] = t.nsec;
    }
  }
  private atimeChecks = 0;

  /**
   * Allocates an inode for `cred` to be created in directory `dir` (0 for none) with
   * mode `mode` (type + permission bits) less `umask`. Ownership and the set-group-ID bit
   * follow Linux's vfs_prepare_mode and inode_init_owner. Returns the inode or -ENOSPC.
   */
  newInode(cred: Credentials, dir: number, mode: number, umask = 0): number {
    const table = this.inodes;
    // Inodes with no directory (pipes, sockets, host streams) belong to no filesystem,
    // as in Linux's pipefs/sockfs: they do not count against maxInodes.
    if (dir !== 0 && this.inodesUsed() >= this.limits.maxInodes) return -ENOSPC;
    let gid = cred.egid;
    if (dir !== 0 && (table.mode[dir] & S_ISGID) !== 0) {
      gid = table.gid[dir];
      if ((mode & S_IFMT) === S_IFDIR) mode |= S_ISGID;
      // mode_strip_sgid: only a group-executable set-group-ID file is one to strip.
      else if ((mode & (S_ISGID | S_IXGRP)) === (S_ISGID | S_IXGRP) && !inGroup(cred, gid) && cred.euid !== 0) mode &= ~S_ISGID;
    }
    // The umask comes after that strip, which judges the mode asked for (vfs_prepare_mode).
    mode &= ~umask;
    const t = this.coarseNow();
    const ino = table.alloc(mode, cred.euid, gid, t.sec, t.nsec);
    switch (mode & S_IFMT) {
      case S_IFDIR: table.payload[ino] = new Directory(dir); break;
      case S_IFREG: table.payload[ino] = new FileData(this.limits.chunkSize); break;
    }
    return ino;
  }

  /**
   * Extra names of non-directories (each hard link past an inode's first): tmpfs charges an
   * inode for each (shmem_link reserves one), so links cannot grow the tree past maxInodes.
   */
  extraLinks = 0;

  /** Inodes counted against maxInodes: named ones (pipes, streams and sockets belong to no filesystem) plus extra links. */
  inodesUsed(): number {
    return this.inodes.live - this.anonymous.size + this.extraLinks;
  }

  /** Adds entry `name` → `ino` to directory `dir` (a new directory also gets its "." and its parent's ".." counted). */
  attach(dir: number, name: string, ino: number): void {
    const table = this.inodes;
    table.directory(dir).add(name, ino);
    if (table.isDir(ino)) {
      table.nlink[ino] += 2;
      table.nlink[dir]++;
      const d = table.directory(ino);
      d.parent = dir;
      d.name = name;
    } else {
      if (table.nlink[ino] > 0) this.extraLinks++;
      table.nlink[ino]++;
    }
    this.stamp(dir, M | C);
  }

  /** Removes entry `name` (naming `ino`) from `dir`; the inode goes when nothing else holds it. */
  detach(dir: number, name: string, ino: number): void {
    const table = this.inodes;
    table.directory(dir).remove(name);
    if (table.isDir(ino)) {
      table.nlink[ino] = 0;
      table.nlink[dir]--;
      this.markDead(ino);
    } else {
      this.dropLink(ino);
    }
    this.stamp(dir, M | C);
    if (table.nlink[ino] > 0 || table.refs[ino] > 0) this.stamp(ino, C);
    else this.release(ino);
  }

  /** One name of non-directory `ino` is gone (shmem_unlink gives back an extra link's inode). */
  dropLink(ino: number): void {
    if (this.inodes.nlink[ino] > 1) this.extraLinks--;
    this.inodes.nlink[ino]--;
  }

  /**
   * A removed directory that is still open or somebody's cwd keeps its ".." working,
   * as a Linux dentry keeps its parent: it holds a reference on the parent until it is freed.
   */
  markDead(dir: number): void {
    const table = this.inodes;
    const d = table.directory(dir);
    if (table.refs[dir] > 0) table.refs[d.parent]++;
    else d.parent = 0;
  }

  /** Frees `ino` if it has neither links nor references. */
  release(ino: number): void {
    const table = this.inodes;
    if (table.nlink[ino] !== 0 || table.refs[ino] !== 0) return;
    const payload = table.payload[ino];
    if (payload instanceof FileData) payload.release(this.space);
    else if (typeof payload === 'string') this.space.give(payload.length); // a symlink's target
    this.linkable.delete(ino);
    this.anonymous.delete(ino);
    let parent = 0;
    if (payload instanceof Directory) parent = payload.parent;
    table.free(ino);
    if (parent !== 0) this.unref(parent);
  }

  ref(ino: number): void {
    this.inodes.refs[ino]++;
  }

  unref(ino: number): void {
    this.inodes.refs[ino]--;
    this.release(ino);
  }

  /** A new open file description of `ino` (counts as a reference; FIFO ends are counted by the caller). */
  openFile(ino: number, flags: number): OpenFile {
    this.inodes.refs[ino]++;
    return new OpenFile(ino, flags);
  }

  /** Points descriptor `fd` of `cage` at `file` (closing whatever was there). */
  install(cage: Cage, fd: number, file: OpenFile, cloexec: boolean): void {
    if (cage.files[fd] !== undefined) this.closeFd(cage, fd);
    if (fd < cage.reserved.length) cage.reserved[fd] = false;
    file.refs++;
    cage.files[fd] = file;
    cage.cloexec[fd] = cloexec;
  }

  /** Closes descriptor `fd` (already checked to be open). */
  closeFd(cage: Cage, fd: number): void {
    const file = cage.files[fd]!;
    cage.files[fd] = undefined;
    cage.freed(fd);
    cage.cloexec[fd] = false;
    // Closing any descriptor of an inode drops the cage's record locks on it (POSIX).
    this.locks.releaseRanges(file.ino, cage);
    if (--file.refs === 0) this.releaseFile(file);
  }

  /** The last descriptor of a description is gone: release its locks, pipe end and inode reference. */
  releaseFile(file: OpenFile): void {
    if (file.holdsLocks) {
      this.locks.releaseRanges(file.ino, file);
      this.locks.flock(file.ino, file, F_UNLCK);
    }
    const pipe = file.pipe;
    if (pipe !== null) {
      const acc = file.flags & O_ACCMODE;
      if (acc === O_RDONLY || acc === O_RDWR) pipe.readers--;
      if (acc === O_WRONLY || acc === O_RDWR) pipe.writers--;
      // A FIFO's buffer lives only while someone has it open.
      if (pipe.readers === 0 && pipe.writers === 0 && (this.inodes.mode[file.ino] & S_IFMT) === S_IFIFO &&
          this.inodes.payload[file.ino] === pipe) this.inodes.payload[file.ino] = null;
    }
    this.unref(file.ino);
  }

  /** Pipe behind a FIFO inode, created on first open. */
  fifoPipe(ino: number): Pipe {
    let pipe = this.inodes.payload[ino] as Pipe | null;
    if (pipe === null) {
      pipe = new Pipe();
      this.inodes.payload[ino] = pipe;
    }
    return pipe;
  }

  /**
   * Linux's setattr_should_drop_suidgid after a write or truncate by someone without
   * CAP_FSETID: clear set-user-ID, and set-group-ID when group execute is set or the
   * writer is not in the file's group (Linux 6.x).
   */
  killSuid(ino: number, cred: Credentials): void {
    if (cred.euid === 0) return;
    const table = this.inodes;
    const mode = table.mode[ino];
    let kill = 0;
    if (mode & S_ISUID) kill |= S_ISUID;
    if (mode & S_ISGID && (mode & S_IXGRP || !inGroup(cred, table.gid[ino]))) kill |= S_ISGID;
    if (kill !== 0) table.mode[ino] = mode & ~kill;
  }

}
