/**
 * WASI preview1 (`wasi_snapshot_preview1`) on the IMFS (abi.md §5): every function,
 * with preview1's errno numbering, its struct layouts and readdir cookies. Descriptors
 * are the cage's core descriptors, so a cage that imports both lind and WASI sees one
 * table. Rights are granted in full and kept per descriptor only so that fd_fdstat_get
 * reports what path_open was asked for (wasi-libc derives O_ACCMODE and isatty from them).
 */
import {
  AT_REMOVEDIR, AT_SYMLINK_FOLLOW, AT_SYMLINK_NOFOLLOW, F_GETFL, F_SETFL, O_APPEND,
  O_CREAT, O_DIRECTORY, O_DSYNC, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_RDONLY, O_RDWR, O_SYNC, O_TRUNC,
  O_WRONLY, POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, S_IFMT,
  UTIME_NOW, UTIME_OMIT, WOULD_BLOCK, BytePath, bytesToBinary, newStat, type Imfs, type Timespec,
} from '../core/index.js';
import type { Cage } from '../core/cage.js';
import { CageMemory } from './cage-memory.js';
import { stringListImports } from './args.js';
import { CageExit } from './exit.js';
import { clockMs, clockNs, randomFill, sleepMs } from './host-services.js';
import * as W from './wasi-constants.js';
import { toWasiErrno, filetypeOfMode, filetypeOfDtype } from './wasi-constants.js';
import { highOf, i64, lowOf, withHalves } from './i64-halves.js';
import type { ValType } from './wasm-module.js';
import { quote, type TraceSink } from './trace.js';

export interface Preopen {
  /** The name the cage sees (fd_prestat_dir_name), e.g. "/" or "/data". */
  guest: string;
  /** The IMFS directory behind it. */
  dir: string;
}

export interface WasiOptions {
  fs: Imfs;
  cageId: number;
  args: Uint8Array[];
  env: Uint8Array[];
  /** Default: [{ guest: '/', dir: '/' }]. */
  preopens?: Preopen[];
  /** The cage imports no other ABI (default true): its lookups can stay confined throughout. */
  exclusive?: boolean;
  trace?: TraceSink;
  warn?: (message: string) => void;
}

/**
 * The rights each descriptor was opened with, by descriptor number. An entry counts only
 * while the descriptor still refers to the open file description it was recorded for (a
 * number closed and reused, by either ABI, starts afresh with full rights).
 */
class RightsTable {
  private readonly file: unknown[] = [];
  /** Each set of rights (a u64) as its low and high 32 bits, unsigned. */
  readonly baseLo: number[] = [];
  readonly baseHi: number[] = [];
  readonly inhLo: number[] = [];
  readonly inhHi: number[] = [];
  /** The description's WASI file type once fd_fdstat_get has worked it out (-1 before): it never changes. */
  readonly filetype: number[] = [];

  set(fd: number, file: unknown, baseLo: number, baseHi: number, inhLo: number, inhHi: number): void {
    this.file[fd] = file;
    this.filetype[fd] = -1;
    this.baseLo[fd] = baseLo >>> 0;
    this.baseHi[fd] = baseHi >>> 0;
    this.inhLo[fd] = inhLo >>> 0;
    this.inhHi[fd] = inhHi >>> 0;
  }
  /**
   * Records for fd, unless it has some, the rights of a descriptor nobody recorded rights
   * for (stdio, or one the lind ABI opened): all of them, but seek and tell on a terminal.
   */
  adopt(fd: number, file: unknown, tty: boolean): void {
    if (!this.has(fd, file)) this.set(fd, file, tty ? W.RIGHTS_TTY_LOW : W.RIGHTS_ALL_LOW, 0, W.RIGHTS_ALL_LOW, 0);
  }
  /** Records for `to` the rights recorded for `from`. */
  copy(from: number, to: number, file: unknown): void {
    this.set(to, file, this.baseLo[from], this.baseHi[from], this.inhLo[from], this.inhHi[from]);
    this.filetype[to] = this.filetype[from];
  }
  /** Whether fd has recorded rights for the description it holds now. */
  has(fd: number, current: unknown): boolean {
    return current !== undefined && this.file[fd] === current;
  }
  delete(fd: number): void {
    this.file[fd] = undefined;
  }
}

const IOVEC = 8;
/** Parameter types, for the signatures the halves forms expect. */
const I32: ValType = 'i32', I64: ValType = 'i64';
const FILESTAT_SIZE = 64, FDSTAT_SIZE = 24, SUBSCRIPTION_SIZE = 48, EVENT_SIZE = 32, DIRENT_HEADER = 24;

function nsToTimespec(ns: bigint): Timespec {
  return { sec: Number(ns / 1_000_000_000n), nsec: Number(ns % 1_000_000_000n) };
}

export class WasiAbi {
  readonly fs: Imfs;
  readonly cage: number;
  private mem: CageMemory | null = null;
  private readonly rights = new RightsTable();
  private readonly preopenNames = new Map<number, Uint8Array>();
  private readonly stat = newStat();
  private readonly options: WasiOptions;
  /** Reused holders for decoded path arguments (a call has at most two). */
  private readonly path1 = new BytePath();
  private readonly path2 = new BytePath();
  private cageState: Cage | undefined;

  constructor(options: WasiOptions) {
    this.options = options;
    this.fs = options.fs;
    this.cage = options.cageId;
  }

  /** Opens the preopened directories at fds 3, 4, … (call once the cage exists in the IMFS). Returns 0 or -errno, naming nothing. */
  openPreopens(): { fd: number; preopen: Preopen }[] {
    const opened: { fd: number; preopen: Preopen }[] = [];
    for (const p of this.options.preopens ?? [{ guest: '/', dir: '/' }]) {
      const fd = this.fs.open(this.cage, p.dir, O_RDONLY | O_DIRECTORY);
      if (fd < 0) throw new Error(`WASI preopen '${p.guest}': IMFS directory '${p.dir}' cannot be opened (errno ${-fd})`);
      this.preopenNames.set(fd, Buffer.from(p.guest));
      this.rights.set(fd, this.fileOf(fd), W.RIGHTS_ALL_LOW, 0, W.RIGHTS_ALL_LOW, 0);
      opened.push({ fd, preopen: p });
    }
    return opened;
  }

  /** The cage's memory: a WASI cage exports it, so it is set after instantiation. */
  setMemory(memory: WebAssembly.Memory): void {
    this.mem = new CageMemory(memory);
  }

  /** The cage memory (its views refresh themselves when a bounds check finds them stale). */
  private m(): CageMemory {
    const mem = this.mem;
    if (mem === null) throw new Error('WASI call before the cage memory was set');
    return mem;
  }

  /** The open file description behind fd (its identity is what rights are recorded against). */
  private fileOf(fd: number): unknown {
    this.cageState ??= this.fs.cage(this.cage);
    return this.cageState?.files[fd];
  }

  /** A (ptr, len) path argument decoded into `holder`, or a WASI errno. */
  private path(ptr: number, len: number, holder = this.path1): BytePath | number {
    const m = this.m();
    ptr >>>= 0;
    len >>>= 0;
    if (!m.ok(ptr, len)) return W.WASI_EFAULT;
    holder.bytes = bytesToBinary(m.u8, ptr, ptr + len);
    return holder.bytes.indexOf('\0') >= 0 ? W.WASI_EINVAL : holder;
  }

  /** The iovec array at ptr (8-byte {u32 buf, u32 len} entries) as views, or a WASI errno. */
  private iovecs(ptr: number, count: number): Uint8Array[] | number {
    const m = this.m();
    ptr >>>= 0;
    count >>>= 0;
    if (count > 1024) return W.WASI_EINVAL;
    if (!m.ok(ptr, count * IOVEC)) return W.WASI_EFAULT;
    const out: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      const buf = m.u32(ptr + i * IOVEC), len = m.u32(ptr + i * IOVEC + 4);
      if (!m.ok(buf, len)) return W.WASI_EFAULT;
      out.push(m.view(buf, len));
    }
    return out;
  }

  /** A u32 result written to an out-pointer, or FAULT. */
  private outU32(ptr: number, value: number): number {
    const m = this.m();
    ptr >>>= 0;
    if (!m.ok(ptr, 4)) return W.WASI_EFAULT;
    m.setU32(ptr, value);
    return 0;
  }

  private outU64(ptr: number, value: number | bigint): number {
    const m = this.m();
    ptr >>>= 0;
    if (!m.ok(ptr, 8)) return W.WASI_EFAULT;
    m.dv.setBigUint64(ptr, typeof value === 'bigint' ? value : BigInt(value), true);
    return 0;
  }

  /** A core result as a WASI errno; "would block" cannot be waited for while this cage alone runs. */
  private errno(r: number, what: string): number {
    if (r === WOULD_BLOCK) {
      (this.options.warn ?? ((s: string) => process.stderr.write(`imfs-grate: ${s}\n`)))(
        `cage ${this.cage}: ${what} would block forever (no other cage can run while it waits); answering DEADLK`);
      return W.WASI_EDEADLK;
    }
    return toWasiErrno(r);
  }

  private writeFilestat(ptr: number): number {
    const m = this.m();
    ptr >>>= 0;
    if (!m.ok(ptr, FILESTAT_SIZE)) return W.WASI_EFAULT;
    const st = this.stat;
    m.setU64(ptr, st.dev);
    m.setU64(ptr + 8, st.ino);
    // The filetype byte and its 7 bytes of padding, as two words (a TypedArray fill is a
    // call into V8's C++ runtime).
    m.setU32(ptr + 16, filetypeOfMode(st.mode));
    m.setU32(ptr + 20, 0);
    m.setU64(ptr + 24, st.nlink);
    m.setU64(ptr + 32, st.size);
    m.setNs64(ptr + 40, st.atimeSec, st.atimeNsec);
    m.setNs64(ptr + 48, st.mtimeSec, st.mtimeNsec);
    m.setNs64(ptr + 56, st.ctimeSec, st.ctimeNsec);
    return 0;
  }

  /** Times from (atim, mtim, fst_flags) as utimensat's pair, or a WASI errno. */
  private times(atim: bigint, mtim: bigint, flags: number): [Timespec, Timespec] | number {
    if ((flags & W.FSTFLAGS_ATIM && flags & W.FSTFLAGS_ATIM_NOW) || (flags & W.FSTFLAGS_MTIM && flags & W.FSTFLAGS_MTIM_NOW)) return W.WASI_EINVAL;
    if (flags & ~0xf) return W.WASI_EINVAL;
    const one = (value: bigint, set: number, now: number): Timespec =>
      flags & now ? { sec: 0, nsec: UTIME_NOW } : flags & set ? nsToTimespec(BigInt.asUintN(64, value)) : { sec: 0, nsec: UTIME_OMIT };
    return [one(atim, W.FSTFLAGS_ATIM, W.FSTFLAGS_ATIM_NOW), one(mtim, W.FSTFLAGS_MTIM, W.FSTFLAGS_MTIM_NOW)];
  }

  /** The import object's `wasi_snapshot_preview1` functions. */
  functions(): Record<string, (...args: never[]) => number | void> {
    const fs = this.fs, cage = this.cage;
    const memory = () => this.m();
    const args = stringListImports(memory, this.options.args, W.WASI_EFAULT);
    const env = stringListImports(memory, this.options.env, W.WASI_EFAULT);

    /** fd_read/fd_write and their positional forms (offset null: at the file offset). */
    const transfer = (writing: boolean, fd: number, iovs: number, n: number, out: number, offset: number | null): number => {
      const m = this.m();
      // The result pointer is checked first: a call that cannot report its result does nothing.
      if (!m.ok(out >>> 0, 4)) return W.WASI_EFAULT;
      const pos = offset ?? -1;
      let r: number;
      if (n === 1 && m.ok(iovs >>> 0, IOVEC)) {
        // The common case: one buffer, moved straight between the file and cage memory.
        const buf = m.u32(iovs >>> 0), len = m.u32((iovs >>> 0) + 4);
        if (!m.ok(buf, len)) return W.WASI_EFAULT;
        if (writing) r = pos < 0 ? fs.write(cage, fd, m.u8, len, buf) : fs.pwrite(cage, fd, m.u8, len, pos, buf);
        else r = pos < 0 ? fs.read(cage, fd, m.u8, len, buf) : fs.pread(cage, fd, m.u8, len, pos, buf);
      } else {
        const v = this.iovecs(iovs, n);
        if (typeof v === 'number') return v;
        if (writing) r = pos < 0 ? fs.writev(cage, fd, v) : fs.pwritev(cage, fd, v, pos);
        else r = pos < 0 ? fs.readv(cage, fd, v) : fs.preadv(cage, fd, v, pos);
      }
      return r < 0 ? this.errno(r, writing ? 'fd_write' : 'fd_read') : this.outU32(out, r);
    };
    // The calls with i64 parameters that run often, in their halves form (see i64-halves.ts).
    const clockTimeGet = (id: number, _precisionLo: number, _precisionHi: number, out: number): number => {
      const ns = clockNs(id);
      return ns === null ? W.WASI_EINVAL : this.outU64(out, ns);
    };
    /** fd_pread (writing false) or fd_pwrite: the halves form, with the BigInt form that calls it. */
    const positional = (writing: boolean) => {
      const halves = (fd: number, iovs: number, n: number, lo: number, hi: number, out: number): number => {
        const pos = i64(lo, hi);
        return pos < 0 ? W.WASI_EINVAL : transfer(writing, fd, iovs, n, out, pos);
      };
      return withHalves((fd: number, iovs: number, n: number, offset: bigint, out: number) => halves(fd, iovs, n, lowOf(offset), highOf(offset), out),
        [I32, I32, I32, I64, I32], halves);
    };
    const seek = (fd: number, lo: number, hi: number, whence: number, out: number): number => {
      if (whence !== W.WHENCE_SET && whence !== W.WHENCE_CUR && whence !== W.WHENCE_END) return W.WASI_EINVAL;
      const r = fs.lseek(cage, fd, i64(lo, hi), whence);
      return r < 0 ? toWasiErrno(r) : this.outU64(out, r);
    };
    const readdir = (fd: number, buf: number, bufLen: number, cookieLo: number, cookieHi: number, out: number): number => {
      const m = this.m();
      buf >>>= 0;
      bufLen >>>= 0;
      if (!m.ok(buf, bufLen)) return W.WASI_EFAULT;
      let at = 0;
      const end = bufLen;
      const r = fs.scandir(cage, fd, i64(cookieLo, cookieHi), (name, ino, type, next) => {
        if (end - at >= DIRENT_HEADER) {
          const h = buf + at;
          m.setU64(h, next);
          m.setU64(h + 8, ino);
          m.setU32(h + 16, name.length);
          m.setU32(h + 20, filetypeOfDtype(type));
          at += DIRENT_HEADER;
        } else {
          // Fill to the brim: the last entry may be cut short (bufused < buf_len means the end).
          const header = new Uint8Array(DIRENT_HEADER);
          const hv = new DataView(header.buffer);
          hv.setUint32(0, next, true);
          hv.setUint32(8, ino, true);
          hv.setUint32(16, name.length, true);
          hv.setUint32(20, filetypeOfDtype(type), true);
          m.u8.set(header.subarray(0, end - at), buf + at);
          at = end;
          return false;
        }
        const nn = Math.min(name.length, end - at);
        for (let i = 0; i < nn; i++) m.u8[buf + at + i] = name.charCodeAt(i);
        at += nn;
        return at < end;
      });
      if (r < 0) return toWasiErrno(r);
      return this.outU32(out, at);
    };
    const pathOpen = (fd: number, dirflags: number, ptr: number, len: number, oflags: number,
      baseLo: number, baseHi: number, inhLo: number, inhHi: number, fdflags: number, out: number): number => {
      const p = this.path(ptr, len);
      if (typeof p === 'number') return p;
      const m = this.m();
      if (!m.ok(out >>> 0, 4)) return W.WASI_EFAULT;
      // The rights defined so far all sit in the low 32 bits.
      const read = (baseLo & (W.RIGHT_FD_READ | W.RIGHT_FD_READDIR)) !== 0;
      const write = (baseLo & W.RIGHT_FD_WRITE) !== 0;
      let flags = read && write ? O_RDWR : write ? O_WRONLY : O_RDONLY;
      if (oflags & W.OFLAGS_CREAT) flags |= O_CREAT;
      if (oflags & W.OFLAGS_DIRECTORY) flags |= O_DIRECTORY;
      if (oflags & W.OFLAGS_EXCL) flags |= O_EXCL;
      if (oflags & W.OFLAGS_TRUNC) flags |= O_TRUNC;
      if (fdflags & W.FDFLAGS_APPEND) flags |= O_APPEND;
      if (fdflags & W.FDFLAGS_DSYNC) flags |= O_DSYNC;
      if (fdflags & W.FDFLAGS_NONBLOCK) flags |= O_NONBLOCK;
      if (fdflags & (W.FDFLAGS_SYNC | W.FDFLAGS_RSYNC)) flags |= O_SYNC;
      if (!(dirflags & W.LOOKUP_SYMLINK_FOLLOW)) flags |= O_NOFOLLOW;
      // Preview1 carries no mode: new files get 0666 and new directories 0777, less the umask.
      const r = fs.openat(cage, fd, p, flags, 0o666);
      if (r < 0) return this.errno(r, 'path_open');
      this.rights.set(r, this.fileOf(r), baseLo, baseHi, inhLo, inhHi);
      m.setU32(out >>> 0, r);
      return 0;
    };
    const withPath = (ptr: number, len: number, f: (p: BytePath) => number): number => {
      const p = this.path(ptr, len);
      return typeof p === 'number' ? p : toWasiErrno(f(p));
    };

    return {
      args_get: args.get,
      args_sizes_get: args.sizes,
      environ_get: env.get,
      environ_sizes_get: env.sizes,

      clock_res_get: (id: number, out: number) => {
        if (clockMs(id) === null) return W.WASI_EINVAL;
        return this.outU64(out, 1000n);
      },
      clock_time_get: withHalves((id: number, precision: bigint, out: number) => clockTimeGet(id, lowOf(precision), highOf(precision), out),
        [I32, I64, I32], clockTimeGet),

      fd_advise: (fd: number, _offset: bigint, _len: bigint, advice: number) => {
        if (advice > 5) return W.WASI_EINVAL;
        const r = fs.fstat(cage, fd, this.stat);
        if (r < 0) return toWasiErrno(r);
        return (this.stat.mode & S_IFMT) === 0o010000 ? W.WASI_ESPIPE : 0;
      },
      fd_allocate: (fd: number, offset: bigint, len: bigint) =>
        toWasiErrno(fs.posix_fallocate(cage, fd, Number(BigInt.asIntN(64, offset)), Number(BigInt.asIntN(64, len)))),
      fd_close: (fd: number) => {
        const r = fs.close(cage, fd);
        if (r === 0) { this.rights.delete(fd); this.preopenNames.delete(fd); }
        return toWasiErrno(r);
      },
      fd_datasync: (fd: number) => toWasiErrno(fs.fdatasync(cage, fd)),
      fd_fdstat_get: (fd: number, out: number) => {
        const rights = this.rights, file = this.fileOf(fd);
        // A description's type (a terminal's included) never changes, so it is worked out once
        // per recorded descriptor: wasi-libc asks for its directory's fdstat on every open.
        let type = rights.has(fd, file) ? rights.filetype[fd] : -1;
        if (type < 0) {
          const r = fs.fstat(cage, fd, this.stat);
          if (r < 0) return toWasiErrno(r);
          const tty = fs.isatty(cage, fd) === 1;
          type = tty ? W.FILETYPE_CHARACTER_DEVICE : filetypeOfMode(this.stat.mode);
          rights.adopt(fd, file, tty);
          rights.filetype[fd] = type;
        }
        const m = this.m();
        out >>>= 0;
        if (!m.ok(out, FDSTAT_SIZE)) return W.WASI_EFAULT;
        const fl = fs.fcntl(cage, fd, F_GETFL);
        let flags = 0;
        if (fl & O_APPEND) flags |= W.FDFLAGS_APPEND;
        if (fl & O_DSYNC) flags |= W.FDFLAGS_DSYNC;
        if (fl & O_NONBLOCK) flags |= W.FDFLAGS_NONBLOCK;
        if ((fl & O_SYNC) === O_SYNC) flags |= W.FDFLAGS_SYNC | W.FDFLAGS_RSYNC;
        m.setU32(out, type); // fs_filetype, a zero padding byte, and fs_flags (written next)
        m.setU16(out + 2, flags);
        m.setU32(out + 4, 0);
        m.setU32(out + 8, rights.baseLo[fd]);
        m.setU32(out + 12, rights.baseHi[fd]);
        m.setU32(out + 16, rights.inhLo[fd]);
        m.setU32(out + 20, rights.inhHi[fd]);
        return 0;
      },
      fd_fdstat_set_flags: (fd: number, fdflags: number) => {
        const fl = fs.fcntl(cage, fd, F_GETFL);
        if (fl < 0) return toWasiErrno(fl);
        if (fdflags & ~0x1f) return W.WASI_EINVAL;
        // As with F_SETFL, only APPEND and NONBLOCK can change after open.
        let next = fl & ~(O_APPEND | O_NONBLOCK);
        if (fdflags & W.FDFLAGS_APPEND) next |= O_APPEND;
        if (fdflags & W.FDFLAGS_NONBLOCK) next |= O_NONBLOCK;
        return toWasiErrno(fs.fcntl(cage, fd, F_SETFL, next));
      },
      fd_fdstat_set_rights: (fd: number, base: bigint, inheriting: bigint) => {
        const file = this.fileOf(fd);
        if (file === undefined) return W.WASI_EBADF;
        const rights = this.rights;
        if (!rights.has(fd, file)) rights.adopt(fd, file, fs.isatty(cage, fd) === 1);
        const [bLo, bHi, iLo, iHi] = [lowOf(base), highOf(base), lowOf(inheriting), highOf(inheriting)];
        // Rights can only shrink: no bit beyond the current ones, in either half.
        const beyond = (want: number, have: number) => ((want & ~have) >>> 0) !== 0;
        if (beyond(bLo, rights.baseLo[fd]) || beyond(bHi, rights.baseHi[fd]) ||
            beyond(iLo, rights.inhLo[fd]) || beyond(iHi, rights.inhHi[fd])) return W.WASI_ENOTCAPABLE;
        rights.set(fd, file, bLo, bHi, iLo, iHi);
        return 0;
      },
      fd_filestat_get: (fd: number, out: number) => {
        const r = fs.fstat(cage, fd, this.stat);
        return r < 0 ? toWasiErrno(r) : this.writeFilestat(out);
      },
      fd_filestat_set_size: (fd: number, size: bigint) => toWasiErrno(fs.ftruncate(cage, fd, Number(BigInt.asIntN(64, size)))),
      fd_filestat_set_times: (fd: number, atim: bigint, mtim: bigint, flags: number) => {
        const t = this.times(atim, mtim, flags);
        return typeof t === 'number' ? t : toWasiErrno(fs.futimens(cage, fd, t));
      },
      fd_pread: positional(false),
      fd_prestat_get: (fd: number, out: number) => {
        const name = this.preopenNames.get(fd);
        if (name === undefined || this.fileOf(fd) === undefined) return W.WASI_EBADF;
        const m = this.m();
        out >>>= 0;
        if (!m.ok(out, 8)) return W.WASI_EFAULT;
        m.u8.fill(0, out, out + 4);
        m.setU32(out + 4, name.length);
        return 0;
      },
      fd_prestat_dir_name: (fd: number, ptr: number, len: number) => {
        const name = this.preopenNames.get(fd);
        if (name === undefined || this.fileOf(fd) === undefined) return W.WASI_EBADF;
        const m = this.m();
        ptr >>>= 0;
        len >>>= 0;
        if (len < name.length) return W.WASI_ENAMETOOLONG;
        if (!m.ok(ptr, name.length)) return W.WASI_EFAULT;
        m.u8.set(name, ptr);
        return 0;
      },
      fd_pwrite: positional(true),
      fd_read: (fd: number, iovs: number, n: number, out: number) => transfer(false, fd, iovs, n, out, null),
      fd_readdir: withHalves((fd: number, buf: number, bufLen: number, cookie: bigint, out: number) => readdir(fd, buf, bufLen, lowOf(cookie), highOf(cookie), out),
        [I32, I32, I32, I64, I32], readdir),
      fd_renumber: (fd: number, to: number) => {
        if (this.fileOf(fd) === undefined || this.fileOf(to) === undefined) return W.WASI_EBADF;
        if (fd === to) return 0;
        const r = fs.dup2(cage, fd, to);
        if (r < 0) return toWasiErrno(r);
        fs.close(cage, fd);
        const name = this.preopenNames.get(fd);
        // dup2 made `to` share fd's description, so fd's recorded rights now describe `to`.
        if (this.rights.has(fd, this.fileOf(to))) this.rights.copy(fd, to, this.fileOf(to));
        else this.rights.delete(to);
        this.rights.delete(fd);
        this.preopenNames.delete(fd);
        this.preopenNames.delete(to);
        if (name !== undefined) this.preopenNames.set(to, name);
        return 0;
      },
      fd_seek: withHalves((fd: number, offset: bigint, whence: number, out: number) => seek(fd, lowOf(offset), highOf(offset), whence, out),
        [I32, I64, I32, I32], seek),
      fd_sync: (fd: number) => toWasiErrno(fs.fsync(cage, fd)),
      fd_tell: (fd: number, out: number) => {
        const r = fs.lseek(cage, fd, 0, W.WHENCE_CUR);
        return r < 0 ? toWasiErrno(r) : this.outU64(out, r);
      },
      fd_write: (fd: number, iovs: number, n: number, out: number) => transfer(true, fd, iovs, n, out, null),

      path_create_directory: (fd: number, ptr: number, len: number) =>
        withPath(ptr, len, (p) => fs.mkdirat(cage, fd, p, 0o777)),
      path_filestat_get: (fd: number, flags: number, ptr: number, len: number, out: number) => {
        const p = this.path(ptr, len);
        if (typeof p === 'number') return p;
        const r = fs.fstatat(cage, fd, p, this.stat, flags & W.LOOKUP_SYMLINK_FOLLOW ? 0 : AT_SYMLINK_NOFOLLOW);
        return r < 0 ? toWasiErrno(r) : this.writeFilestat(out);
      },
      path_filestat_set_times: (fd: number, flags: number, ptr: number, len: number, atim: bigint, mtim: bigint, fst: number) => {
        const t = this.times(atim, mtim, fst);
        if (typeof t === 'number') return t;
        return withPath(ptr, len, (p) => fs.utimensat(cage, fd, p, t, flags & W.LOOKUP_SYMLINK_FOLLOW ? 0 : AT_SYMLINK_NOFOLLOW));
      },
      path_link: (oldFd: number, oldFlags: number, oldPtr: number, oldLen: number, newFd: number, newPtr: number, newLen: number) => {
        const o = this.path(oldPtr, oldLen);
        if (typeof o === 'number') return o;
        const n = this.path(newPtr, newLen, this.path2);
        return typeof n === 'number' ? n : toWasiErrno(fs.linkat(cage, oldFd, o, newFd, n, oldFlags & W.LOOKUP_SYMLINK_FOLLOW ? AT_SYMLINK_FOLLOW : 0));
      },
      path_open: withHalves((fd: number, dirflags: number, ptr: number, len: number, oflags: number, base: bigint, inheriting: bigint, fdflags: number, out: number) =>
        pathOpen(fd, dirflags, ptr, len, oflags, lowOf(base), highOf(base), lowOf(inheriting), highOf(inheriting), fdflags, out),
        [I32, I32, I32, I32, I32, I64, I64, I32, I32], pathOpen),
      path_readlink: (fd: number, ptr: number, len: number, buf: number, bufLen: number, out: number) => {
        const p = this.path(ptr, len);
        if (typeof p === 'number') return p;
        const m = this.m();
        buf >>>= 0;
        bufLen >>>= 0;
        if (!m.ok(buf, bufLen)) return W.WASI_EFAULT;
        const r = fs.readlinkat(cage, fd, p, m.u8, bufLen, buf);
        return r < 0 ? toWasiErrno(r) : this.outU32(out, r);
      },
      path_remove_directory: (fd: number, ptr: number, len: number) =>
        withPath(ptr, len, (p) => fs.unlinkat(cage, fd, p, AT_REMOVEDIR)),
      path_rename: (fd: number, oldPtr: number, oldLen: number, newFd: number, newPtr: number, newLen: number) => {
        const o = this.path(oldPtr, oldLen);
        if (typeof o === 'number') return o;
        const n = this.path(newPtr, newLen, this.path2);
        return typeof n === 'number' ? n : toWasiErrno(fs.renameat(cage, fd, o, newFd, n));
      },
      path_symlink: (oldPtr: number, oldLen: number, fd: number, newPtr: number, newLen: number) => {
        const t = this.path(oldPtr, oldLen);
        if (typeof t === 'number') return t;
        const n = this.path(newPtr, newLen, this.path2);
        return typeof n === 'number' ? n : toWasiErrno(fs.symlinkat(cage, t, fd, n));
      },
      path_unlink_file: (fd: number, ptr: number, len: number) => withPath(ptr, len, (p) => fs.unlinkat(cage, fd, p, 0)),

      poll_oneoff: (inPtr: number, outPtr: number, n: number, nevents: number) => this.pollOneoff(inPtr >>> 0, outPtr >>> 0, n >>> 0, nevents >>> 0),
      proc_exit: (code: number) => {
        throw new CageExit(code >>> 0);
      },
      proc_raise: (sig: number) => {
        // No signal handlers exist in a preview1 cage: the default action applies.
        if (sig === 0 || IGNORED_SIGNALS.has(sig)) return 0;
        if (sig < 0 || sig > 30) return W.WASI_EINVAL;
        throw new CageExit(128 + (WASI_TO_LINUX_SIGNAL[sig] ?? sig));
      },
      random_get: (buf: number, len: number) => {
        const m = this.m();
        buf >>>= 0;
        len >>>= 0;
        if (!m.ok(buf, len)) return W.WASI_EFAULT;
        randomFill(m.u8, buf, len);
        return 0;
      },
      sched_yield: () => 0,
      // Sockets are not part of this grate: preview1 gives no way to create one anyway.
      sock_accept: () => W.WASI_ENOTSUP,
      sock_recv: () => W.WASI_ENOTSUP,
      sock_send: () => W.WASI_ENOTSUP,
      sock_shutdown: () => W.WASI_ENOTSUP,
    };
  }

  /** poll_oneoff: fd subscriptions answered from readiness now; clocks slept through (the earliest one). */
  private pollOneoff(inPtr: number, outPtr: number, n: number, neventsPtr: number): number {
    const m = this.m();
    if (n === 0) return W.WASI_EINVAL;
    if (!m.ok(inPtr, n * SUBSCRIPTION_SIZE) || !m.ok(outPtr, n * EVENT_SIZE) || !m.ok(neventsPtr, 4)) return W.WASI_EFAULT;
    const events: { userdata: bigint; error: number; type: number; nbytes: number; flags: number }[] = [];
    let earliest = Infinity;
    const clocks: { userdata: bigint; deadline: number }[] = [];
    for (let i = 0; i < n; i++) {
      const s = inPtr + i * SUBSCRIPTION_SIZE;
      const userdata = m.dv.getBigUint64(s, true);
      const tag = m.u8[s + 8];
      if (tag === W.EVENTTYPE_CLOCK) {
        const id = m.u32(s + 16);
        const timeout = Number(m.dv.getBigUint64(s + 24, true)) / 1e6;
        const flags = m.dv.getUint16(s + 40, true);
        const now = clockMs(id);
        if (now === null) { events.push({ userdata, error: W.WASI_EINVAL, type: tag, nbytes: 0, flags: 0 }); continue; }
        const wait = flags & W.SUBCLOCKFLAGS_ABSTIME ? timeout - now : timeout;
        clocks.push({ userdata, deadline: wait });
        earliest = Math.min(earliest, wait);
      } else if (tag === W.EVENTTYPE_FD_READ || tag === W.EVENTTYPE_FD_WRITE) {
        const fd = m.u32(s + 16);
        const want = tag === W.EVENTTYPE_FD_READ ? POLLIN : POLLOUT;
        const revents = this.fs.poll(this.cage, fd, want);
        if (revents & POLLNVAL) events.push({ userdata, error: W.WASI_EBADF, type: tag, nbytes: 0, flags: 0 });
        else if (revents !== 0) {
          const nbytes = tag === W.EVENTTYPE_FD_READ ? Math.max(0, this.fs.fionread(this.cage, fd)) : 0;
          events.push({ userdata, error: revents & POLLERR && !(revents & want) ? W.WASI_EIO : 0, type: tag, nbytes,
            flags: revents & POLLHUP ? W.EVENTRWFLAGS_HANGUP : 0 });
        }
      } else {
        events.push({ userdata, error: W.WASI_EINVAL, type: tag, nbytes: 0, flags: 0 });
      }
    }
    if (events.length === 0) {
      if (clocks.length === 0) return this.errno(WOULD_BLOCK, 'poll_oneoff');
      sleepMs(earliest);
      for (const c of clocks) if (c.deadline <= earliest) events.push({ userdata: c.userdata, error: 0, type: W.EVENTTYPE_CLOCK, nbytes: 0, flags: 0 });
    }
    events.forEach((e, i) => {
      const o = outPtr + i * EVENT_SIZE;
      m.u8.fill(0, o, o + EVENT_SIZE);
      m.dv.setBigUint64(o, e.userdata, true);
      m.setU16(o + 8, e.error);
      m.u8[o + 10] = e.type;
      m.dv.setBigUint64(o + 16, BigInt(e.nbytes), true);
      m.setU16(o + 24, e.flags);
    });
    m.setU32(neventsPtr, events.length);
    return 0;
  }

  /**
   * path_* functions resolve beneath their directory descriptor: a preview1 descriptor is
   * a capability for its subtree, so ".." above it, absolute paths and absolute symlinks
   * are NOTCAPABLE (the core reports such an escape as EXDEV, which maps to NOTCAPABLE).
   * A cage that imports only WASI stays confined; in a cage that also imports lind, only
   * the path_* calls are.
   */
  private confine(fns: Record<string, (...args: never[]) => number | void>): void {
    const cage = this.fs.cage(this.cage);
    if (cage === undefined) throw new Error(`WASI cage ${this.cage} does not exist in the IMFS`);
    if (this.options.exclusive ?? true) {
      cage.beneath = true;
      return;
    }
    for (const [name, fn] of Object.entries(fns)) {
      if (!name.startsWith('path_')) continue;
      fns[name] = (...args: never[]) => {
        cage.beneath = true;
        try {
          return fn(...args);
        } finally {
          cage.beneath = false;
        }
      };
    }
  }

  /** The import module, traced when a sink is given (one line per call, at this one place). */
  imports(): WebAssembly.Imports {
    const fns = this.functions();
    this.confine(fns);
    const trace = this.options.trace;
    if (trace !== undefined) {
      for (const [name, fn] of Object.entries(fns)) {
        fns[name] = (...args: never[]) => {
          let result: number | void;
          try {
            result = fn(...args);
          } catch (e) {
            trace(`[cage ${this.cage}] ${name}(${this.traceArgs(name, args)}) = ${e instanceof CageExit ? `exit ${e.status}` : 'trap'}`);
            throw e;
          }
          trace(`[cage ${this.cage}] ${name}(${this.traceArgs(name, args)}) = ${typeof result === 'number' ? wasiResult(result) : 'void'}`);
          return result;
        };
      }
    }
    return { wasi_snapshot_preview1: fns as unknown as WebAssembly.ModuleImports };
  }

  /** The arguments as the log shows them: each (ptr, len) path pair as the quoted path. */
  private traceArgs(name: string, args: readonly unknown[]): string {
    const paths = PATH_ARGS[name] ?? [];
    const shown: string[] = [];
    for (let i = 0; i < args.length; i++) {
      if (paths.includes(i) && this.mem !== null) {
        const ptr = Number(args[i]) >>> 0, len = Number(args[i + 1]) >>> 0;
        if (this.mem.ok(ptr, len)) { shown.push(quote(this.mem.view(ptr, len))); i++; continue; }
      }
      shown.push(String(args[i]));
    }
    return shown.join(', ');
  }
}

/** Where each path_* call has its (ptr, len) path pairs, so the trace can show the paths. */
const PATH_ARGS: Record<string, number[]> = {
  path_create_directory: [1], path_filestat_get: [2], path_filestat_set_times: [2], path_link: [2, 5], path_open: [2],
  path_readlink: [1], path_remove_directory: [1], path_rename: [1, 4], path_symlink: [0, 3], path_unlink_file: [1],
};

/** A WASI errno as the log shows it. */
function wasiResult(errno: number): string {
  return errno === 0 ? '0' : `${errno} ${WASI_ERRNO_NAMES[errno] ?? ''}`.trim();
}

const WASI_ERRNO_NAMES: Record<number, string> = {
  2: 'ACCES', 8: 'BADF', 16: 'DEADLK', 20: 'EXIST', 21: 'FAULT', 28: 'INVAL', 29: 'IO', 31: 'ISDIR',
  32: 'LOOP', 37: 'NAMETOOLONG', 44: 'NOENT', 51: 'NOSPC', 52: 'NOSYS', 54: 'NOTDIR', 55: 'NOTEMPTY',
  58: 'NOTSUP', 63: 'PERM', 70: 'SPIPE', 76: 'NOTCAPABLE',
};

/** preview1 signals whose default action is to be ignored (CHLD, CONT, URG, WINCH). */
const IGNORED_SIGNALS = new Set([16, 17, 22, 27]);
/** preview1 signal numbers that differ from Linux's. */
const WASI_TO_LINUX_SIGNAL: Record<number, number> = {
  16: 17, 17: 18, 18: 19, 19: 20, 20: 21, 21: 22, 22: 23, 23: 24, 24: 25, 25: 26, 26: 27, 27: 28, 28: 29, 29: 30, 30: 31,
};

