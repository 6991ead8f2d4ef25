/**
 * The two sides of the differential test, with the same methods: the IMFS (cage 0, root,
 * cwd "/") and a real tmpfs directory on the Linux host driven through node:fs's
 * synchronous calls. Every method returns a plain value (a number >= 0 or -errno, a
 * string, a stat summary, read bytes) so that the harness can compare them as they are.
 *
 * With credentials (become), calls run as another user on both sides: cage 0 gets that
 * user's effective ids and groups (its real ids stay 0, as the host process's do), and
 * the host process switches its effective ids and groups (HostSide.become).
 *
 * Descriptors are the harness's "handles" (small ids); each side maps them to its own
 * descriptor. A handle that is not open maps to a descriptor number that is never open,
 * so using it gives the real EBADF on both sides.
 */
import * as nfs from 'node:fs';
import {
  Imfs, newStat, realClock, type Clock, type Stat, AT_FDCWD, AT_SYMLINK_NOFOLLOW, O_APPEND, O_DIRECTORY, O_RDONLY,
  S_IFMT, S_IFREG, S_IFDIR, S_IFLNK, S_IFIFO, S_IFCHR, S_IFBLK, S_IFSOCK, EBADF, EINVAL,
} from '../../src/core/index.js';

/** The part of a stat that both sides must agree on (not ino, dev, blocks, blksize; times only as "one the test set"). */
export interface StatR {
  type: string;
  mode: string;
  nlink: number;
  size: number;
  uid: number;
  gid: number;
  /**
   * atime / mtime in seconds if it is one the test set (the sentinel of stampTimes, or a
   * utimes value: whole seconds below FIXED_TIMES), else null (a real "now").
   */
  atime: number | null;
  mtime: number | null;
  /** ctime changed since markCtimes (only while a timestamp-checked step is compared). */
  ctime1?: boolean;
}

export interface ReadR {
  n: number;
  data: Buffer;
}

export type Res = number | string | string[] | StatR | ReadR;

/** One node of a tree snapshot, by path from the root ("." is the root). */
export interface Entry extends StatR {
  path: string;
  /** Only for matching hard links between the sides, never compared directly. */
  ino: number;
  target?: string;
  data?: Buffer;
}

/** atime and mtime are set to this (seconds) before a timestamp-checked step. */
export const TIME_SENTINEL = 1000;
/** Times below this (whole seconds) were set by the test; others are a real clock's. */
const FIXED_TIMES = 1_000_000;

/** Who a call runs as: effective uid, effective gid, supplementary groups (real ids stay 0). */
export interface User {
  uid: number;
  gid: number;
  groups: number[];
}

export const ROOT: User = { uid: 0, gid: 0, groups: [0] };

function sameUser(a: User, b: User): boolean {
  return a.uid === b.uid && a.gid === b.gid && a.groups.length === b.groups.length && a.groups.every((g, i) => g === b.groups[i]);
}
const BAD_IMFS_FD = 1000;
/** Far above any RLIMIT_NOFILE: never an open descriptor of this process. */
const BAD_HOST_FD = 1 << 30;

const TYPES = new Map<number, string>([
  [S_IFREG, 'reg'], [S_IFDIR, 'dir'], [S_IFLNK, 'lnk'], [S_IFIFO, 'fifo'], [S_IFCHR, 'chr'],
  [S_IFBLK, 'blk'], [S_IFSOCK, 'sock'],
]);

function summary(mode: number, nlink: number, size: number, uid: number, gid: number, atime: number | null, mtime: number | null,
  ctime1: boolean | undefined): StatR {
  const r: StatR = {
    type: TYPES.get(mode & S_IFMT) ?? `?${(mode & S_IFMT).toString(8)}`,
    mode: (mode & 0o7777).toString(8).padStart(4, '0'),
    nlink, size, uid, gid, atime, mtime,
  };
  if (ctime1 !== undefined) r.ctime1 = ctime1;
  return r;
}

/**
 * The IMFS's clock: real time, but strictly increasing, so that a change made right
 * after markCtimes can never carry the very same ctime.
 */
function strictClock(): Clock {
  let sec = 0, nsec = 0;
  return (out) => {
    realClock(out);
    if (out.sec < sec || (out.sec === sec && out.nsec <= nsec)) {
      out.sec = sec;
      out.nsec = nsec + 1;
      if (out.nsec === 1e9) { out.sec++; out.nsec = 0; }
    }
    sec = out.sec;
    nsec = out.nsec;
  };
}

function fixed(sec: number, nsec: number): number | null {
  return sec < FIXED_TIMES && nsec === 0 ? sec : null;
}

export function joinPath(dir: string, name: string): string {
  return dir === '.' ? name : `${dir}/${name}`;
}

// ---- the IMFS ----------------------------------------------------------------------

export class ImfsSide {
  readonly fs = new Imfs({ clock: strictClock() });
  private readonly fds = new Map<number, number>();
  private readonly st: Stat = newStat();
  private readonly linkBuf = new Uint8Array(4096);
  /** ino → ctime at markCtimes, while a timestamp-checked step is compared. */
  private ctimes: Map<number, string> | null = null;

  constructor(umask: number) {
    this.fs.umask(0, umask);
  }

  /** Gives cage 0 the user's effective ids and groups (its real ids stay 0, as the host process's do). */
  become(user: User): void {
    this.fs.setCredentials(0, { uid: 0, gid: 0, euid: user.uid, egid: user.gid, groups: [...user.groups] });
  }

  umask(mask: number): number {
    return this.fs.umask(0, mask);
  }

  private fd(h: number): number {
    return this.fds.get(h) ?? BAD_IMFS_FD;
  }

  private stat(): StatR {
    const s = this.st;
    return summary(s.mode, s.nlink, s.size, s.uid, s.gid, fixed(s.atimeSec, s.atimeNsec), fixed(s.mtimeSec, s.mtimeNsec),
      this.ctimes === null ? undefined : this.ctimes.get(s.ino) !== `${s.ctimeSec}.${s.ctimeNsec}`);
  }

  /** Remembers the ctime of every path (not following symlinks) and open handle; clearCtimes forgets. */
  markCtimes(paths: readonly string[], handles: readonly number[]): void {
    const m = new Map<number, string>(), s = this.st;
    const note = (r: number, what: string) => {
      if (r < 0) throw new Error(`imfs: stat of ${what} for markCtimes: ${r}`);
      m.set(s.ino, `${s.ctimeSec}.${s.ctimeNsec}`);
    };
    for (const p of paths) note(this.fs.lstat(0, p, s), p);
    for (const h of handles) note(this.fs.fstat(0, this.fd(h), s), `handle ${h}`);
    this.ctimes = m;
  }

  clearCtimes(): void {
    this.ctimes = null;
  }

  open(h: number, path: string, flags: number, mode: number): number {
    const r = this.fs.open(0, path, flags, mode);
    if (r < 0) return r;
    this.fds.set(h, r);
    return 0;
  }

  close(h: number): number {
    const r = this.fs.close(0, this.fd(h));
    this.fds.delete(h);
    return r;
  }

  read(h: number, count: number): Res {
    const buf = Buffer.alloc(count);
    const r = this.fs.read(0, this.fd(h), buf);
    return r < 0 ? r : { n: r, data: buf.subarray(0, r) };
  }

  pread(h: number, count: number, off: number): Res {
    const buf = Buffer.alloc(count);
    const r = this.fs.pread(0, this.fd(h), buf, count, off);
    return r < 0 ? r : { n: r, data: buf.subarray(0, r) };
  }

  write(h: number, data: Buffer): number {
    return this.fs.write(0, this.fd(h), data);
  }

  /** readv, or preadv when `off` is given, into buffers of the given sizes. */
  readv(h: number, sizes: readonly number[], off?: number): Res {
    const bufs = sizes.map((n) => Buffer.alloc(n));
    const r = off === undefined ? this.fs.readv(0, this.fd(h), bufs) : this.fs.preadv(0, this.fd(h), bufs, off);
    return r < 0 ? r : { n: r, data: Buffer.concat(bufs).subarray(0, r) };
  }

  writev(h: number, bufs: readonly Buffer[], off?: number): number {
    return off === undefined ? this.fs.writev(0, this.fd(h), bufs) : this.fs.pwritev(0, this.fd(h), bufs, off);
  }

  pwrite(h: number, data: Buffer, off: number): number {
    return this.fs.pwrite(0, this.fd(h), data, data.length, off);
  }

  lseek(h: number, off: number, whence: number): number {
    return this.fs.lseek(0, this.fd(h), off, whence);
  }

  ftruncate(h: number, len: number): number {
    return this.fs.ftruncate(0, this.fd(h), len);
  }

  truncate(path: string, len: number): number {
    return this.fs.truncate(0, path, len);
  }

  fsync(h: number): number {
    return this.fs.fsync(0, this.fd(h));
  }

  fdatasync(h: number): number {
    return this.fs.fdatasync(0, this.fd(h));
  }

  dup(h: number, nh: number): number {
    const r = this.fs.dup(0, this.fd(h));
    if (r < 0) return r;
    this.fds.set(nh, r);
    return 0;
  }

  fstat(h: number): Res {
    const r = this.fs.fstat(0, this.fd(h), this.st);
    return r < 0 ? r : this.stat();
  }

  statPath(path: string): Res {
    const r = this.fs.stat(0, path, this.st);
    return r < 0 ? r : this.stat();
  }

  /** lstat, then a readlink of a symlink: the host side needs one (see HostSide.lstatPath), and it moves atime. */
  lstatPath(path: string): Res {
    const r = this.fs.lstat(0, path, this.st);
    if (r < 0) return r;
    const res = this.stat();
    if (res.type === 'lnk') this.readlink(path);
    return res;
  }

  mkdir(path: string, mode: number): number { return this.fs.mkdir(0, path, mode); }
  rmdir(path: string): number { return this.fs.rmdir(0, path); }
  unlink(path: string): number { return this.fs.unlink(0, path); }
  link(from: string, to: string): number { return this.fs.link(0, from, to); }
  symlink(target: string, path: string): number { return this.fs.symlink(0, target, path); }
  rename(from: string, to: string): number { return this.fs.rename(0, from, to); }
  chmod(path: string, mode: number): number { return this.fs.chmod(0, path, mode); }
  access(path: string, mode: number): number { return this.fs.access(0, path, mode); }
  chown(path: string, uid: number, gid: number): number { return this.fs.chown(0, path, uid, gid); }
  lchown(path: string, uid: number, gid: number): number { return this.fs.lchown(0, path, uid, gid); }
  fchown(h: number, uid: number, gid: number): number { return this.fs.fchown(0, this.fd(h), uid, gid); }
  fchmod(h: number, mode: number): number { return this.fs.fchmod(0, this.fd(h), mode); }
  utimes(path: string, atime: number, mtime: number): number {
    return this.fs.utimensat(0, AT_FDCWD, path, [{ sec: atime, nsec: 0 }, { sec: mtime, nsec: 0 }]);
  }
  lutimes(path: string, atime: number, mtime: number): number {
    return this.fs.utimensat(0, AT_FDCWD, path, [{ sec: atime, nsec: 0 }, { sec: mtime, nsec: 0 }], AT_SYMLINK_NOFOLLOW);
  }
  futimes(h: number, atime: number, mtime: number): number {
    return this.fs.futimens(0, this.fd(h), [{ sec: atime, nsec: 0 }, { sec: mtime, nsec: 0 }]);
  }

  readlink(path: string): Res {
    const r = this.fs.readlink(0, path, this.linkBuf);
    return r < 0 ? r : Buffer.from(this.linkBuf.subarray(0, r)).toString('utf8');
  }

  readdir(path: string): Res {
    const fd = this.fs.open(0, path, O_RDONLY | O_DIRECTORY);
    if (fd < 0) return fd;
    const names: string[] = [];
    for (;;) {
      const e = this.fs.readdir(0, fd);
      if (e === null) break;
      if (typeof e === 'number') { this.fs.close(0, fd); return e; }
      if (e.name !== '.' && e.name !== '..') names.push(e.name);
    }
    this.fs.close(0, fd);
    return names.sort();
  }

  /** Sets atime and mtime of every path (not following symlinks) and open handle to the sentinel. */
  stampTimes(paths: readonly string[], handles: readonly number[]): void {
    const t = { sec: TIME_SENTINEL, nsec: 0 };
    for (const p of paths) {
      const r = this.fs.utimensat(0, AT_FDCWD, p, [t, t], AT_SYMLINK_NOFOLLOW);
      if (r < 0) throw new Error(`imfs: utimensat ${p}: ${r}`);
    }
    for (const h of handles) {
      const r = this.fs.futimens(0, this.fd(h), [t, t]);
      if (r < 0) throw new Error(`imfs: futimens handle ${h}: ${r}`);
    }
  }

  /** The whole tree: each entry's stat is taken before its contents are read (reading moves atime). */
  snapshot(): Entry[] {
    const out: Entry[] = [];
    const visit = (path: string) => {
      const r = this.fs.lstat(0, path, this.st);
      if (r < 0) throw new Error(`imfs: lstat ${path} during snapshot: ${r}`);
      const e: Entry = { path, ino: this.st.ino, ...this.stat() };
      out.push(e);
      if (e.type === 'lnk') {
        e.target = this.readlink(path) as string;
      } else if (e.type === 'reg') {
        const fd = this.fs.open(0, path, O_RDONLY);
        if (fd < 0) throw new Error(`imfs: open ${path} during snapshot: ${fd}`);
        // At least one read, even of an empty file, as readFileSync does on the host (it moves atime).
        const data = Buffer.alloc(Math.max(e.size, 1));
        let got = 0;
        for (;;) {
          const n = this.fs.read(0, fd, data, data.length - got, got);
          if (n <= 0) break;
          got += n;
          if (got >= e.size) break;
        }
        this.fs.close(0, fd);
        e.data = data.subarray(0, got);
      } else if (e.type === 'dir') {
        const names = this.readdir(path);
        if (typeof names === 'number') throw new Error(`imfs: readdir ${path} during snapshot: ${names}`);
        for (const name of names as string[]) visit(joinPath(path, name));
      }
    };
    visit('.');
    return out;
  }
}

// ---- the Linux host ---------------------------------------------------------------

/**
 * One open file description on the host. node:fs has neither lseek nor dup, so:
 * - the file offset is kept here and every read/write is issued as pread/pwrite at it
 *   (read/write advance it by the count; a write with O_APPEND, which Linux's pwrite also
 *   appends, leaves it at the new end of file, as write(2) does);
 * - dup shares this object (refs counts the handles), and close closes the real
 *   descriptor only when the last handle goes, which is what close does to a description.
 */
interface Desc {
  fd: number;
  pos: number;
  append: boolean;
  refs: number;
}

function errnoOf(e: unknown): number {
  const errno = (e as NodeJS.ErrnoException).errno;
  if (typeof errno === 'number' && errno < 0) return errno;
  throw e; // not a syscall error: a bug in the harness
}

/** A call that returns nothing: 0 or -errno. */
function run(f: () => unknown): number {
  try {
    f();
    return 0;
  } catch (e) {
    return errnoOf(e);
  }
}

/** close() of a descriptor that is not open (EBADF), without node's warning about closing what it did not open. */
function closeBad(): number {
  const emit = process.emitWarning;
  process.emitWarning = () => {};
  try {
    return run(() => nfs.closeSync(BAD_HOST_FD));
  } finally {
    process.emitWarning = emit;
  }
}

function call<T>(f: () => T): T | number {
  try {
    return f();
  } catch (e) {
    return errnoOf(e);
  }
}

const BIG = { bigint: true } as const;

function fixedNs(ns: bigint): number | null {
  return ns % 1_000_000_000n === 0n ? fixed(Number(ns / 1_000_000_000n), 0) : null;
}

export class HostSide {
  /** A fresh directory for the run: the root below it, and a file to read the kernel's clock with. */
  private readonly base: string;
  /** The real directory standing for the IMFS root. */
  readonly root: string;
  private readonly clockFd: number;
  private readonly descs = new Map<number, Desc>();
  /** ino → ctime at markCtimes, while a timestamp-checked step is compared. */
  private ctimes: Map<bigint, bigint> | null = null;
  /** The user the process has become (see become). */
  private user: User = ROOT;
  /** The process's own groups, given back when it becomes root again. */
  private readonly ownGroups = process.getgroups?.() ?? [0];

  /** `others`: other users must reach the root (the credentialed mode): the base gets mode 0755. */
  constructor(rootMode: number, others = false) {
    this.base = nfs.mkdtempSync('/dev/shm/imfs-diff-');
    if (others) nfs.chmodSync(this.base, 0o755);
    this.root = `${this.base}/root`;
    nfs.mkdirSync(this.root);
    nfs.chmodSync(this.root, rootMode);
    this.clockFd = nfs.openSync(`${this.base}/clock`, 'w');
  }

  /**
   * Makes the process act as the user (ROOT: as itself again), switching only when it
   * changes (each switch costs about 0.1 ms a call: glibc applies it to every thread).
   * Root first: euid 0 again (which gives back the capabilities), egid, groups. Then, while
   * still root, the user's groups and egid, and last its euid (which drops the
   * capabilities). process.seteuid & co. exist only in a main thread (not in vitest's
   * workers); the harness becomes ROOT again before it ends, even by an exception, and
   * the process that does this is a child of the test (test/differential/creds-main.ts).
   */
  become(user: User): void {
    if (sameUser(user, this.user)) return;
    if (this.user.uid !== 0 || this.user.gid !== 0) {
      this.user = ROOT;
      process.seteuid!(0);
      process.setegid!(0);
      process.setgroups!(this.ownGroups);
      if (process.geteuid!() !== 0 || process.getegid!() !== 0) throw new Error('host: could not become root again');
    }
    if (user.uid === 0 && user.gid === 0) return;
    process.setgroups!(user.groups);
    process.setegid!(user.gid);
    process.seteuid!(user.uid);
    this.user = user;
  }

  /** Runs `f` as root (the harness's own bookkeeping inside a call made as a user). */
  private privileged<T>(f: () => T): T {
    const user = this.user;
    this.become(ROOT);
    try {
      return f();
    } finally {
      this.become(user);
    }
  }

  umask(mask: number): number {
    return process.umask(mask);
  }

  /** IMFS path → host path. Relative paths are relative to the IMFS root (the cage's cwd). */
  hp(path: string): string {
    if (path === '') return '';
    return path.startsWith('/') ? this.root + path : `${this.root}/${path}`;
  }

  /** Absolute symlink targets are stored under the root on the host (and mapped back by readlink). */
  private mapTarget(target: string): string {
    return target.startsWith('/') ? this.root + target : target;
  }

  private unmapTarget(target: string): string {
    if (!target.startsWith('/')) return target;
    if (!target.startsWith(this.root)) throw new Error(`host: symlink target ${target} is outside the root`);
    return target.slice(this.root.length);
  }

  private stat(s: nfs.BigIntStats, adjust = 0): StatR {
    return summary(Number(s.mode), Number(s.nlink), Number(s.size) - adjust, Number(s.uid), Number(s.gid),
      fixedNs(s.atimeNs), fixedNs(s.mtimeNs),
      this.ctimes === null ? undefined : this.ctimes.get(s.ino) !== s.ctimeNs);
  }

  /**
   * Remembers the ctime of every path and open handle, then waits until the kernel's
   * clock has moved past the newest of them (tmpfs times may be coarse, a tick of a
   * few ms), so that any change the next step makes shows as a different ctime.
   */
  markCtimes(paths: readonly string[], handles: readonly number[]): void {
    const m = new Map<bigint, bigint>();
    let newest = 0n;
    const note = (s: nfs.BigIntStats) => {
      m.set(s.ino, s.ctimeNs);
      if (s.ctimeNs > newest) newest = s.ctimeNs;
    };
    for (const p of paths) note(nfs.lstatSync(this.hp(p), BIG));
    for (const h of handles) note(nfs.fstatSync(this.fd(h), BIG));
    this.ctimes = m;
    for (;;) {
      nfs.futimesSync(this.clockFd, 0, 0);
      if (nfs.fstatSync(this.clockFd, BIG).ctimeNs > newest) break;
    }
  }

  clearCtimes(): void {
    this.ctimes = null;
  }

  private fd(h: number): number {
    return this.descs.get(h)?.fd ?? BAD_HOST_FD;
  }

  /** Whether the handle is open on a directory (lseek on directories is not compared). */
  isDirHandle(h: number): boolean {
    const d = this.descs.get(h);
    return d !== undefined && nfs.fstatSync(d.fd).isDirectory();
  }

  open(h: number, path: string, flags: number, mode: number): number {
    const r = call(() => nfs.openSync(this.hp(path), flags, mode));
    if (r < 0) return r;
    this.descs.set(h, { fd: r, pos: 0, append: (flags & O_APPEND) !== 0, refs: 1 });
    return 0;
  }

  close(h: number): number {
    const d = this.descs.get(h);
    this.descs.delete(h);
    if (d === undefined) return closeBad();
    if (--d.refs > 0) return 0;
    return run(() => nfs.closeSync(d.fd));
  }

  read(h: number, count: number): Res {
    const d = this.descs.get(h);
    const buf = Buffer.alloc(count);
    const r = call(() => nfs.readSync(this.fd(h), buf, 0, count, d?.pos ?? 0));
    if (r < 0) return r;
    d!.pos += r;
    return { n: r, data: buf.subarray(0, r) };
  }

  pread(h: number, count: number, off: number): Res {
    const buf = Buffer.alloc(count);
    const r = call(() => nfs.readSync(this.fd(h), buf, 0, count, off));
    return r < 0 ? r : { n: r, data: buf.subarray(0, r) };
  }

  write(h: number, data: Buffer): number {
    const d = this.descs.get(h);
    const r = call(() => nfs.writeSync(this.fd(h), data, 0, data.length, d?.pos ?? 0));
    if (r > 0) d!.pos = d!.append ? nfs.fstatSync(d!.fd).size : d!.pos + r;
    return r;
  }

  pwrite(h: number, data: Buffer, off: number): number {
    return call(() => nfs.writeSync(this.fd(h), data, 0, data.length, off));
  }

  /** readv at the kept offset (as preadv), or preadv at `off`. */
  readv(h: number, sizes: readonly number[], off?: number): Res {
    const d = this.descs.get(h);
    const bufs = sizes.map((n) => Buffer.alloc(n));
    const r = call(() => nfs.readvSync(this.fd(h), bufs, off ?? d?.pos ?? 0));
    if (r < 0) return r;
    if (off === undefined) d!.pos += r;
    return { n: r, data: Buffer.concat(bufs).subarray(0, r) };
  }

  /** writev at the kept offset (as pwritev; see Desc for O_APPEND), or pwritev at `off`. */
  writev(h: number, bufs: readonly Buffer[], off?: number): number {
    const d = this.descs.get(h);
    const r = call(() => nfs.writevSync(this.fd(h), bufs as Buffer[], off ?? d?.pos ?? 0));
    if (r > 0 && off === undefined) d!.pos = d!.append ? nfs.fstatSync(d!.fd).size : d!.pos + r;
    return r;
  }

  /** SEEK_SET/CUR/END on a regular file, with the offset kept in Desc (the size is the real one). */
  lseek(h: number, off: number, whence: number): number {
    const s = call(() => nfs.fstatSync(this.fd(h)));
    if (typeof s === 'number') return s;
    const d = this.descs.get(h)!;
    let pos: number;
    switch (whence) {
      case 0: pos = off; break;
      case 1: pos = d.pos + off; break;
      case 2: pos = s.size + off; break;
      default: throw new Error(`host: lseek whence ${whence} cannot be done with node:fs`);
    }
    if (pos < 0) return -EINVAL;
    d.pos = pos;
    return pos;
  }

  /** After SEEK_DATA/SEEK_HOLE (decided by the IMFS, checked by the harness): the offset follows. */
  setPos(h: number, pos: number): void {
    const d = this.descs.get(h);
    if (d !== undefined) d.pos = pos;
  }

  /**
   * Reads bytes [off, off+count) of the handle's file (for checking SEEK_DATA/SEEK_HOLE),
   * through a new description with O_NOATIME: the check must not move the file's atime,
   * nor need the handle to be readable.
   */
  peek(h: number, off: number, count: number): Buffer {
    const buf = Buffer.alloc(count);
    if (count === 0) return buf;
    return this.privileged(() => {
      const fd = nfs.openSync(`/proc/self/fd/${this.fd(h)}`, nfs.constants.O_RDONLY | nfs.constants.O_NOATIME);
      try {
        return buf.subarray(0, nfs.readSync(fd, buf, 0, count, off));
      } finally {
        nfs.closeSync(fd);
      }
    });
  }

  fileSize(h: number): number {
    return nfs.fstatSync(this.fd(h)).size;
  }

  ftruncate(h: number, len: number): number {
    return run(() => nfs.ftruncateSync(this.fd(h), len));
  }

  /**
   * truncate(2) as open(O_WRONLY) + ftruncate + close (node's truncateSync opens O_RDWR,
   * which also needs read permission): the same results, but ftruncate stamps mtime and
   * ctime even when the size stays, which truncate(2) does not. So in that case atime and
   * mtime are put back, as root (ctime cannot be: the harness does not time-check
   * truncate steps).
   */
  truncate(path: string, len: number): number {
    const fd = call(() => nfs.openSync(this.hp(path), nfs.constants.O_WRONLY));
    if (fd < 0) return fd;
    try {
      const before = nfs.fstatSync(fd, BIG);
      const r = run(() => nfs.ftruncateSync(fd, len));
      if (r === 0 && before.size === BigInt(len)) {
        this.privileged(() => nfs.futimesSync(fd, Number(before.atimeNs) / 1e9, Number(before.mtimeNs) / 1e9));
      }
      return r;
    } finally {
      nfs.closeSync(fd);
    }
  }

  fsync(h: number): number {
    return run(() => nfs.fsyncSync(this.fd(h)));
  }

  fdatasync(h: number): number {
    return run(() => nfs.fdatasyncSync(this.fd(h)));
  }

  /** dup (emulated, see Desc): a new handle on the same description; EBADF if the handle is not open. */
  dup(h: number, nh: number): number {
    const d = this.descs.get(h);
    if (d === undefined) return -EBADF;
    d.refs++;
    this.descs.set(nh, d);
    return 0;
  }

  fstat(h: number): Res {
    const r = call(() => nfs.fstatSync(this.fd(h), BIG));
    return typeof r === 'number' ? r : this.stat(r);
  }

  statPath(path: string): Res {
    const r = call(() => nfs.statSync(this.hp(path), BIG));
    return typeof r === 'number' ? r : this.stat(r);
  }

  lstatPath(path: string): Res {
    const r = call(() => nfs.lstatSync(this.hp(path), BIG));
    if (typeof r === 'number') return r;
    return this.stat(r, r.isSymbolicLink() ? this.targetAdjust(path) : 0);
  }

  /**
   * How much longer a symlink's target is on the host than in the IMFS (the root prefix of
   * absolute targets). The readlink moves the link's atime, so the IMFS side does one too.
   */
  private targetAdjust(path: string): number {
    return nfs.readlinkSync(this.hp(path), 'utf8').startsWith('/') ? this.root.length : 0;
  }

  mkdir(path: string, mode: number): number { return run(() => nfs.mkdirSync(this.hp(path), mode)); }
  rmdir(path: string): number { return run(() => nfs.rmdirSync(this.hp(path))); }
  unlink(path: string): number { return run(() => nfs.unlinkSync(this.hp(path))); }
  link(from: string, to: string): number { return run(() => nfs.linkSync(this.hp(from), this.hp(to))); }
  symlink(target: string, path: string): number {
    return run(() => nfs.symlinkSync(this.mapTarget(target), this.hp(path)));
  }
  rename(from: string, to: string): number { return run(() => nfs.renameSync(this.hp(from), this.hp(to))); }
  chmod(path: string, mode: number): number { return run(() => nfs.chmodSync(this.hp(path), mode)); }
  access(path: string, mode: number): number { return run(() => nfs.accessSync(this.hp(path), mode)); }
  chown(path: string, uid: number, gid: number): number { return run(() => nfs.chownSync(this.hp(path), uid, gid)); }
  lchown(path: string, uid: number, gid: number): number { return run(() => nfs.lchownSync(this.hp(path), uid, gid)); }
  fchown(h: number, uid: number, gid: number): number { return run(() => nfs.fchownSync(this.fd(h), uid, gid)); }
  fchmod(h: number, mode: number): number { return run(() => nfs.fchmodSync(this.fd(h), mode)); }
  /** node passes the times to utimensat/futimens as they are (never NULL nor UTIME_NOW/UTIME_OMIT). */
  utimes(path: string, atime: number, mtime: number): number { return run(() => nfs.utimesSync(this.hp(path), atime, mtime)); }
  lutimes(path: string, atime: number, mtime: number): number { return run(() => nfs.lutimesSync(this.hp(path), atime, mtime)); }
  futimes(h: number, atime: number, mtime: number): number { return run(() => nfs.futimesSync(this.fd(h), atime, mtime)); }

  readlink(path: string): Res {
    const r = call(() => nfs.readlinkSync(this.hp(path), 'utf8'));
    return typeof r === 'number' ? r : this.unmapTarget(r);
  }

  readdir(path: string): Res {
    const r = call(() => nfs.readdirSync(this.hp(path), 'utf8'));
    return typeof r === 'number' ? r : r.sort();
  }

  /** lstat's type only, or -errno (for the escape check). */
  lstatType(path: string): string | number {
    const r = call(() => nfs.lstatSync(this.hp(path)));
    return typeof r === 'number' ? r : r.isSymbolicLink() ? 'lnk' : r.isDirectory() ? 'dir' : 'other';
  }

  stampTimes(paths: readonly string[], handles: readonly number[]): void {
    for (const p of paths) nfs.lutimesSync(this.hp(p), TIME_SENTINEL, TIME_SENTINEL);
    for (const h of handles) nfs.futimesSync(this.fd(h), TIME_SENTINEL, TIME_SENTINEL);
  }

  snapshot(): Entry[] {
    const out: Entry[] = [];
    const visit = (path: string) => {
      const s = nfs.lstatSync(this.hp(path), BIG);
      const target = s.isSymbolicLink() ? this.readlink(path) as string : undefined;
      const adjust = s.isSymbolicLink() && target!.startsWith('/') ? this.root.length : 0;
      const e: Entry = { path, ino: Number(s.ino), ...this.stat(s, adjust) };
      out.push(e);
      if (target !== undefined) e.target = target;
      else if (s.isFile()) e.data = nfs.readFileSync(this.hp(path));
      else if (s.isDirectory()) for (const name of nfs.readdirSync(this.hp(path), 'utf8').sort()) visit(joinPath(path, name));
    };
    visit('.');
    return out;
  }

  /** Becomes root again, closes every real descriptor and removes the directories. */
  dispose(): void {
    this.become(ROOT);
    for (const d of new Set(this.descs.values())) {
      try { nfs.closeSync(d.fd); } catch { /* already gone */ }
    }
    this.descs.clear();
    nfs.closeSync(this.clockFd);
    nfs.rmSync(this.base, { recursive: true, force: true });
  }
}
