/**
 * The WASI preview1 table: each `wasi_snapshot_preview1` function as a row of its name,
 * its wasm parameters, how each parameter shows in the log, the rights its descriptor
 * needs, and the handler that decodes the arguments and answers from the core (abi.md §5).
 * Dispatch, the rights check, `--log` and the stack guard all read these rows
 * (src/abi/wasi.ts builds the import functions from them). A function is added by adding a row.
 *
 * Handlers take every i64 parameter as two i32 halves, low first (i64-halves.ts): the
 * grate's trampolines split them in wasm, and the BigInt form made from the row splits
 * them in JavaScript.
 */
import {
  AT_REMOVEDIR, AT_SYMLINK_FOLLOW, AT_SYMLINK_NOFOLLOW, F_GETFL, F_SETFL, O_APPEND,
  O_CREAT, O_DIRECTORY, O_DSYNC, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_RDONLY, O_RDWR, O_SYNC, O_TRUNC,
  O_WRONLY, S_IFMT, S_IFIFO, S_IFSOCK, type BytePath,
} from '../core/index.js';
import { CageExit } from './exit.js';
import { clockMs, clockNs, randomFill } from './host-services.js';
import * as W from './wasi-constants.js';
import { toWasiErrno, filetypeOfMode, filetypeOfDtype } from './wasi-constants.js';
import * as R from './wasi-rights.js';
import { i64 } from './i64-halves.js';
import type { ValType } from './wasm-module.js';
import type { WasiAbi } from './wasi.js';
import { pollOneoff } from './wasi-poll.js';

/**
 * How a parameter shows in the log. 'path' is the pointer of a (pointer, length) pair
 * whose length follows as 'len' (shown together, as the quoted bytes); 'u64' is an i64
 * (two halves in the handler).
 */
export type WasiArgKind = 'fd' | 'int' | 'uint' | 'hex' | 'ptr' | 'path' | 'len' | 'u64' | 'whence'
  | 'lookup' | 'oflags' | 'fdflags' | 'fstflags' | 'rights';

type Handler = (w: WasiAbi, ...args: number[]) => number;

export interface WasiRow {
  name: string;
  /** The parameters the cage declares (each result is one i32 errno; proc_exit returns nothing). */
  params: readonly ValType[];
  /** How each parameter shows in the log, one per parameter. */
  args: readonly WasiArgKind[];
  /** The descriptor parameters and the rights each must hold, checked before the handler runs. */
  needs: readonly (readonly [param: number, rights: number])[];
  call: Handler;
}

const IOVEC = 8, FILESTAT_SIZE = 64, FDSTAT_SIZE = 24, DIRENT_HEADER = 24;

/** Calls `f` with the (ptr, len) path decoded, or returns the decoding error. */
function withPath(w: WasiAbi, ptr: number, len: number, f: (p: BytePath) => number): number {
  const p = w.path(ptr, len);
  return typeof p === 'number' ? p : toWasiErrno(f(p));
}

function withPaths(w: WasiAbi, ptr1: number, len1: number, ptr2: number, len2: number, f: (p1: BytePath, p2: BytePath) => number): number {
  const p1 = w.path(ptr1, len1);
  if (typeof p1 === 'number') return p1;
  const p2 = w.path(ptr2, len2, w.path2);
  return typeof p2 === 'number' ? p2 : toWasiErrno(f(p1, p2));
}

/** fd_read/fd_write and their positional forms (pos < 0: at the file offset). */
function transfer(w: WasiAbi, writing: boolean, fd: number, iovs: number, n: number, out: number, pos: number): number {
  const m = w.m(), fs = w.fs, cage = w.cage;
  // The result pointer is checked first: a call that cannot report its result does nothing.
  if (!m.ok(out >>> 0, 4)) return W.WASI_EFAULT;
  let r: number;
  if (n === 1 && m.ok(iovs >>> 0, IOVEC)) {
    // The common case: one buffer, moved straight between the file and cage memory.
    const buf = m.u32(iovs >>> 0), len = m.u32((iovs >>> 0) + 4);
    if (!m.ok(buf, len)) return W.WASI_EFAULT;
    if (writing) r = pos < 0 ? fs.write(cage, fd, m.u8, len, buf) : fs.pwrite(cage, fd, m.u8, len, pos, buf);
    else r = pos < 0 ? fs.read(cage, fd, m.u8, len, buf) : fs.pread(cage, fd, m.u8, len, pos, buf);
  } else {
    const v = w.iovecs(iovs, n);
    if (typeof v === 'number') return v;
    if (writing) r = pos < 0 ? fs.writev(cage, fd, v) : fs.pwritev(cage, fd, v, pos);
    else r = pos < 0 ? fs.readv(cage, fd, v) : fs.preadv(cage, fd, v, pos);
  }
  return r < 0 ? w.errno(r, writing ? 'fd_write' : 'fd_read') : w.outU32(out, r);
}

/** fd_pread (writing false) or fd_pwrite, offset in halves. */
const positional = (writing: boolean): Handler => (w, fd, iovs, n, lo, hi, out) => {
  const pos = i64(lo, hi);
  return pos < 0 ? W.WASI_EINVAL : transfer(w, writing, fd, iovs, n, out, pos);
};

const readdir: Handler = (w, fd, buf, bufLen, cookieLo, cookieHi, out) => {
  const m = w.m();
  buf >>>= 0;
  bufLen >>>= 0;
  if (!m.ok(buf, bufLen)) return W.WASI_EFAULT;
  let at = 0;
  const end = bufLen;
  const r = w.fs.scandir(w.cage, fd, i64(cookieLo, cookieHi), (name, ino, type, next) => {
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
  return r < 0 ? toWasiErrno(r) : w.outU32(out, at);
};

/** The rights path_open needs on its directory for these open flags. */
function openNeeds(oflags: number): number {
  let need = R.RIGHT_PATH_OPEN;
  if (oflags & W.OFLAGS_CREAT) need |= R.RIGHT_PATH_CREATE_FILE;
  if (oflags & W.OFLAGS_TRUNC) need |= R.RIGHT_PATH_FILESTAT_SET_SIZE;
  return need;
}

const pathOpen: Handler = (w, fd, dirflags, ptr, len, oflags, baseLo, _baseHi, inhLo, _inhHi, fdflags, out) => {
  const needed = w.need(fd, openNeeds(oflags));
  if (needed !== 0) return needed;
  // Only rights that something opened beneath a directory could hold count (all in the low
  // half; the rest, sockets' and undefined bits, are ignored as not applying). Asking for
  // one that this directory may not pass on (dropped from its inheriting rights) is refused.
  const base = baseLo & R.RIGHTS_DIRECTORY_INHERITING, inheriting = inhLo & R.RIGHTS_DIRECTORY_INHERITING;
  if (((base | inheriting) & ~w.rights.inheriting[fd]) !== 0) return W.WASI_ENOTCAPABLE;
  const p = w.path(ptr, len);
  if (typeof p === 'number') return p;
  const m = w.m();
  if (!m.ok(out >>> 0, 4)) return W.WASI_EFAULT;
  // The access mode follows the read and write rights, as wasmtime's does: so a directory
  // is opened for reading, and asking to write one is EISDIR.
  const read = (base & R.RIGHT_FD_READ) !== 0, write = (base & R.RIGHT_FD_WRITE) !== 0;
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
  const r = w.fs.openat(w.cage, fd, p, flags, 0o666);
  if (r < 0) return w.errno(r, 'path_open');
  // The new descriptor keeps of what was asked only what applies to what it opened.
  w.record(r, base, inheriting);
  m.setU32(out >>> 0, r);
  return 0;
};

const seek: Handler = (w, fd, lo, hi, whence, out) => {
  if (whence !== W.WHENCE_SET && whence !== W.WHENCE_CUR && whence !== W.WHENCE_END) return W.WASI_EINVAL;
  const r = w.fs.lseek(w.cage, fd, i64(lo, hi), whence);
  return r < 0 ? toWasiErrno(r) : w.outU64(out, r);
};

const fdstatGet: Handler = (w, fd, out) => {
  const m = w.m(), fs = w.fs;
  out >>>= 0;
  if (!m.ok(out, FDSTAT_SIZE)) return W.WASI_EFAULT;
  const fl = fs.fcntl(w.cage, fd, F_GETFL);
  if (fl < 0) return toWasiErrno(fl);
  let flags = 0;
  if (fl & O_APPEND) flags |= W.FDFLAGS_APPEND;
  if (fl & O_DSYNC) flags |= W.FDFLAGS_DSYNC;
  if (fl & O_NONBLOCK) flags |= W.FDFLAGS_NONBLOCK;
  if ((fl & O_SYNC) === O_SYNC) flags |= W.FDFLAGS_SYNC | W.FDFLAGS_RSYNC;
  const rights = w.rights;
  m.setU32(out, rights.filetype[fd]); // fs_filetype, a zero padding byte, and fs_flags (written next)
  m.setU16(out + 2, flags);
  m.setU32(out + 4, 0);
  m.setU64(out + 8, rights.base[fd]);
  m.setU64(out + 16, rights.inheriting[fd]);
  return 0;
};

const fdstatSetFlags: Handler = (w, fd, fdflags) => {
  const fl = w.fs.fcntl(w.cage, fd, F_GETFL);
  if (fl < 0) return toWasiErrno(fl);
  if (fdflags & ~0x1f) return W.WASI_EINVAL;
  // As with F_SETFL, only APPEND and NONBLOCK can change after open.
  let next = fl & ~(O_APPEND | O_NONBLOCK);
  if (fdflags & W.FDFLAGS_APPEND) next |= O_APPEND;
  if (fdflags & W.FDFLAGS_NONBLOCK) next |= O_NONBLOCK;
  return toWasiErrno(w.fs.fcntl(w.cage, fd, F_SETFL, next));
};

const fdstatSetRights: Handler = (w, fd, baseLo, baseHi, inhLo, inhHi) => {
  const rights = w.rights;
  // Rights can only shrink: no bit beyond the current ones (and none is held in a high half).
  const beyond = (want: number, have: number) => ((want & ~have) >>> 0) !== 0;
  if (beyond(baseLo, rights.base[fd]) || beyond(inhLo, rights.inheriting[fd]) || baseHi !== 0 || inhHi !== 0) return W.WASI_ENOTCAPABLE;
  rights.base[fd] = baseLo >>> 0;
  rights.inheriting[fd] = inhLo >>> 0;
  return 0;
};

/** fd_filestat_get / path_filestat_get: the core fills w.stat, then the 64-byte filestat is written. */
function filestatInto(w: WasiAbi, out: number, r: number): number {
  if (r < 0) return toWasiErrno(r);
  const m = w.m();
  out >>>= 0;
  if (!m.ok(out, FILESTAT_SIZE)) return W.WASI_EFAULT;
  const st = w.stat;
  m.setU64(out, st.dev);
  m.setU64(out + 8, st.ino);
  // The filetype byte and its 7 bytes of padding, as two words (a TypedArray fill is a
  // call into V8's C++ runtime).
  m.setU32(out + 16, filetypeOfMode(st.mode));
  m.setU32(out + 20, 0);
  m.setU64(out + 24, st.nlink);
  m.setU64(out + 32, st.size);
  m.setNs64(out + 40, st.atimeSec, st.atimeNsec);
  m.setNs64(out + 48, st.mtimeSec, st.mtimeNsec);
  m.setNs64(out + 56, st.ctimeSec, st.ctimeNsec);
  return 0;
}

const prestatGet: Handler = (w, fd, out) => {
  const name = w.preopenName(fd);
  if (name === undefined) return W.WASI_EBADF;
  const m = w.m();
  out >>>= 0;
  if (!m.ok(out, 8)) return W.WASI_EFAULT;
  m.setU32(out, 0); // the tag (a directory) and its padding
  m.setU32(out + 4, name.length);
  return 0;
};

const prestatDirName: Handler = (w, fd, ptr, len) => {
  const name = w.preopenName(fd);
  if (name === undefined) return W.WASI_EBADF;
  const m = w.m();
  ptr >>>= 0;
  len >>>= 0;
  if (len < name.length) return W.WASI_ENAMETOOLONG;
  if (!m.ok(ptr, name.length)) return W.WASI_EFAULT;
  m.u8.set(name, ptr);
  return 0;
};

const renumber: Handler = (w, fd, to) => {
  if (w.fileOf(fd) === undefined || w.fileOf(to) === undefined) return W.WASI_EBADF;
  if (fd === to) return 0;
  const r = w.fs.dup2(w.cage, fd, to);
  if (r < 0) return toWasiErrno(r);
  w.fs.close(w.cage, fd);
  w.renumbered(fd, to);
  return 0;
};

const fdAdvise: Handler = (w, fd, _offLo, _offHi, _lenLo, _lenHi, advice) => {
  if (advice > 5) return W.WASI_EINVAL;
  const r = w.fs.fstat(w.cage, fd, w.stat);
  if (r < 0) return toWasiErrno(r);
  return (w.stat.mode & S_IFMT) === S_IFIFO ? W.WASI_ESPIPE : 0;
};

const readlink: Handler = (w, fd, ptr, len, buf, bufLen, out) => {
  const p = w.path(ptr, len);
  if (typeof p === 'number') return p;
  const m = w.m();
  buf >>>= 0;
  bufLen >>>= 0;
  if (!m.ok(buf, bufLen)) return W.WASI_EFAULT;
  const r = w.fs.readlinkat(w.cage, fd, p, m.u8, bufLen, buf);
  return r < 0 ? toWasiErrno(r) : w.outU32(out, r);
};

const symlink: Handler = (w, oldPtr, oldLen, fd, newPtr, newLen) => {
  const t = w.path(oldPtr, oldLen);
  if (typeof t === 'number') return t;
  // A descriptor is a capability for what lies beneath it: a link to an absolute path
  // would point outside (and could never be followed here). wasmtime refuses it too.
  if (t.bytes.charCodeAt(0) === 0x2f) return W.WASI_ENOTCAPABLE;
  const n = w.path(newPtr, newLen, w.path2);
  return typeof n === 'number' ? n : toWasiErrno(w.fs.symlinkat(w.cage, t, fd, n));
};

const random: Handler = (w, buf, len) => {
  const m = w.m();
  buf >>>= 0;
  len >>>= 0;
  if (!m.ok(buf, len)) return W.WASI_EFAULT;
  randomFill(m.u8, buf, len);
  return 0;
};

/** proc_raise: no signal handlers exist in a preview1 cage, so the default action applies. */
const raise: Handler = (_w, sig) => {
  if (sig === 0 || IGNORED_SIGNALS.has(sig)) return 0;
  if (sig < 0 || sig > 30) return W.WASI_EINVAL;
  throw new CageExit(128 + (WASI_TO_LINUX_SIGNAL[sig] ?? sig));
};

/**
 * The socket calls: preview1 gives no way to create a socket, so a descriptor is either
 * bad, not a socket, or (a socket node opened some other way) a socket this grate cannot
 * drive.
 */
const socketCall: Handler = (w, fd) => {
  const r = w.fs.fstat(w.cage, fd, w.stat);
  if (r < 0) return toWasiErrno(r);
  return (w.stat.mode & S_IFMT) === S_IFSOCK ? W.WASI_ENOTSUP : W.WASI_ENOTSOCK;
};

const times = (w: WasiAbi, aLo: number, aHi: number, mLo: number, mHi: number, flags: number) => w.times(aLo, aHi, mLo, mHi, flags);

type Row = [name: string, params: string, args: string, needs: [number, number][], call: Handler];
/** The descriptor in parameter 0 must hold `rights`. */
const fd0 = (rights: number): [number, number][] => [[0, rights]];
const NONE: [number, number][] = [];

const rows: Row[] = [
  ['args_get', 'i32 i32', 'ptr ptr', NONE, (w, a, b) => w.args.get(a, b)],
  ['args_sizes_get', 'i32 i32', 'ptr ptr', NONE, (w, a, b) => w.args.sizes(a, b)],
  ['environ_get', 'i32 i32', 'ptr ptr', NONE, (w, a, b) => w.env.get(a, b)],
  ['environ_sizes_get', 'i32 i32', 'ptr ptr', NONE, (w, a, b) => w.env.sizes(a, b)],
  ['clock_res_get', 'i32 i32', 'int ptr', NONE, (w, id, out) => (clockMs(id) === null ? W.WASI_EINVAL : w.outU64(out, 1000))],
  ['clock_time_get', 'i32 i64 i32', 'int u64 ptr', NONE, (w, id, _lo, _hi, out) => {
    const ns = clockNs(id);
    return ns === null ? W.WASI_EINVAL : w.outU64(out, ns);
  }],
  ['fd_advise', 'i32 i64 i64 i32', 'fd u64 u64 int', fd0(R.RIGHT_FD_ADVISE), fdAdvise],
  ['fd_allocate', 'i32 i64 i64', 'fd u64 u64', fd0(R.RIGHT_FD_ALLOCATE), (w, fd, oLo, oHi, lLo, lHi) =>
    toWasiErrno(w.fs.posix_fallocate(w.cage, fd, i64(oLo, oHi), i64(lLo, lHi)))],
  ['fd_close', 'i32', 'fd', NONE, (w, fd) => {
    const r = w.fs.close(w.cage, fd);
    if (r === 0) w.closed(fd);
    return toWasiErrno(r);
  }],
  ['fd_datasync', 'i32', 'fd', fd0(R.RIGHT_FD_DATASYNC), (w, fd) => toWasiErrno(w.fs.fdatasync(w.cage, fd))],
  ['fd_fdstat_get', 'i32 i32', 'fd ptr', fd0(0), fdstatGet],
  ['fd_fdstat_set_flags', 'i32 i32', 'fd fdflags', fd0(R.RIGHT_FD_FDSTAT_SET_FLAGS), fdstatSetFlags],
  ['fd_fdstat_set_rights', 'i32 i64 i64', 'fd rights rights', fd0(0), fdstatSetRights],
  ['fd_filestat_get', 'i32 i32', 'fd ptr', fd0(R.RIGHT_FD_FILESTAT_GET), (w, fd, out) => filestatInto(w, out, w.fs.fstat(w.cage, fd, w.stat))],
  ['fd_filestat_set_size', 'i32 i64', 'fd u64', fd0(R.RIGHT_FD_FILESTAT_SET_SIZE), (w, fd, lo, hi) => toWasiErrno(w.fs.ftruncate(w.cage, fd, i64(lo, hi)))],
  ['fd_filestat_set_times', 'i32 i64 i64 i32', 'fd u64 u64 fstflags', fd0(R.RIGHT_FD_FILESTAT_SET_TIMES), (w, fd, aLo, aHi, mLo, mHi, flags) => {
    const t = times(w, aLo, aHi, mLo, mHi, flags);
    return typeof t === 'number' ? t : toWasiErrno(w.fs.futimens(w.cage, fd, t));
  }],
  ['fd_pread', 'i32 i32 i32 i64 i32', 'fd ptr uint u64 ptr', fd0(R.RIGHT_FD_READ | R.RIGHT_FD_SEEK), positional(false)],
  ['fd_prestat_get', 'i32 i32', 'fd ptr', NONE, prestatGet],
  ['fd_prestat_dir_name', 'i32 i32 i32', 'fd ptr uint', NONE, prestatDirName],
  ['fd_pwrite', 'i32 i32 i32 i64 i32', 'fd ptr uint u64 ptr', fd0(R.RIGHT_FD_WRITE | R.RIGHT_FD_SEEK), positional(true)],
  ['fd_read', 'i32 i32 i32 i32', 'fd ptr uint ptr', fd0(R.RIGHT_FD_READ), (w, fd, iovs, n, out) => transfer(w, false, fd, iovs, n, out, -1)],
  ['fd_readdir', 'i32 i32 i32 i64 i32', 'fd ptr uint u64 ptr', fd0(R.RIGHT_FD_READDIR), readdir],
  ['fd_renumber', 'i32 i32', 'fd fd', NONE, renumber],
  ['fd_seek', 'i32 i64 i32 i32', 'fd u64 whence ptr', fd0(R.RIGHT_FD_SEEK), seek],
  ['fd_sync', 'i32', 'fd', fd0(R.RIGHT_FD_SYNC), (w, fd) => toWasiErrno(w.fs.fsync(w.cage, fd))],
  ['fd_tell', 'i32 i32', 'fd ptr', fd0(R.RIGHT_FD_TELL), (w, fd, out) => {
    const r = w.fs.lseek(w.cage, fd, 0, W.WHENCE_CUR);
    return r < 0 ? toWasiErrno(r) : w.outU64(out, r);
  }],
  ['fd_write', 'i32 i32 i32 i32', 'fd ptr uint ptr', fd0(R.RIGHT_FD_WRITE), (w, fd, iovs, n, out) => transfer(w, true, fd, iovs, n, out, -1)],

  ['path_create_directory', 'i32 i32 i32', 'fd path len', fd0(R.RIGHT_PATH_CREATE_DIRECTORY), (w, fd, ptr, len) =>
    withPath(w, ptr, len, (p) => w.fs.mkdirat(w.cage, fd, p, 0o777))],
  ['path_filestat_get', 'i32 i32 i32 i32 i32', 'fd lookup path len ptr', fd0(R.RIGHT_PATH_FILESTAT_GET), (w, fd, flags, ptr, len, out) => {
    const p = w.path(ptr, len);
    if (typeof p === 'number') return p;
    return filestatInto(w, out, w.fs.fstatat(w.cage, fd, p, w.stat, flags & W.LOOKUP_SYMLINK_FOLLOW ? 0 : AT_SYMLINK_NOFOLLOW));
  }],
  ['path_filestat_set_times', 'i32 i32 i32 i32 i64 i64 i32', 'fd lookup path len u64 u64 fstflags', fd0(R.RIGHT_PATH_FILESTAT_SET_TIMES),
    (w, fd, flags, ptr, len, aLo, aHi, mLo, mHi, fst) => {
      const t = times(w, aLo, aHi, mLo, mHi, fst);
      if (typeof t === 'number') return t;
      return withPath(w, ptr, len, (p) => w.fs.utimensat(w.cage, fd, p, t, flags & W.LOOKUP_SYMLINK_FOLLOW ? 0 : AT_SYMLINK_NOFOLLOW));
    }],
  ['path_link', 'i32 i32 i32 i32 i32 i32 i32', 'fd lookup path len fd path len', [[0, R.RIGHT_PATH_LINK_SOURCE], [4, R.RIGHT_PATH_LINK_TARGET]],
    (w, oldFd, oldFlags, oldPtr, oldLen, newFd, newPtr, newLen) => withPaths(w, oldPtr, oldLen, newPtr, newLen, (o, n) =>
      w.fs.linkat(w.cage, oldFd, o, newFd, n, oldFlags & W.LOOKUP_SYMLINK_FOLLOW ? AT_SYMLINK_FOLLOW : 0))],
  // The rights path_open needs depend on its flags: it checks them itself (openNeeds).
  ['path_open', 'i32 i32 i32 i32 i32 i64 i64 i32 i32', 'fd lookup path len oflags rights rights fdflags ptr', NONE, pathOpen],
  ['path_readlink', 'i32 i32 i32 i32 i32 i32', 'fd path len ptr uint ptr', fd0(R.RIGHT_PATH_READLINK), readlink],
  ['path_remove_directory', 'i32 i32 i32', 'fd path len', fd0(R.RIGHT_PATH_REMOVE_DIRECTORY), (w, fd, ptr, len) =>
    withPath(w, ptr, len, (p) => w.fs.unlinkat(w.cage, fd, p, AT_REMOVEDIR))],
  ['path_rename', 'i32 i32 i32 i32 i32 i32', 'fd path len fd path len', [[0, R.RIGHT_PATH_RENAME_SOURCE], [3, R.RIGHT_PATH_RENAME_TARGET]],
    (w, fd, oldPtr, oldLen, newFd, newPtr, newLen) => withPaths(w, oldPtr, oldLen, newPtr, newLen, (o, n) => w.fs.renameat(w.cage, fd, o, newFd, n))],
  ['path_symlink', 'i32 i32 i32 i32 i32', 'path len fd path len', [[2, R.RIGHT_PATH_SYMLINK]], symlink],
  ['path_unlink_file', 'i32 i32 i32', 'fd path len', fd0(R.RIGHT_PATH_UNLINK_FILE), (w, fd, ptr, len) =>
    withPath(w, ptr, len, (p) => w.fs.unlinkat(w.cage, fd, p, 0))],

  ['poll_oneoff', 'i32 i32 i32 i32', 'ptr ptr uint ptr', NONE, pollOneoff],
  ['proc_exit', 'i32', 'int', NONE, (_w, code) => { throw new CageExit(code >>> 0); }],
  ['proc_raise', 'i32', 'int', NONE, raise],
  ['random_get', 'i32 i32', 'ptr uint', NONE, random],
  ['sched_yield', '', '', NONE, () => 0],
  ['sock_accept', 'i32 i32 i32', 'fd hex ptr', NONE, socketCall],
  ['sock_recv', 'i32 i32 i32 i32 i32 i32', 'fd ptr uint hex ptr ptr', NONE, socketCall],
  ['sock_send', 'i32 i32 i32 i32 i32', 'fd ptr uint hex ptr', NONE, socketCall],
  ['sock_shutdown', 'i32 i32', 'fd hex', NONE, socketCall],
];

const words = (s: string) => (s === '' ? [] : s.split(' '));

export const WASI_ROWS: readonly WasiRow[] = rows.map(([name, params, args, needs, call]) => {
  const row: WasiRow = { name, params: words(params) as ValType[], args: words(args) as WasiArgKind[], needs, call };
  if (row.params.length !== row.args.length) throw new Error(`WASI row ${name}: ${row.params.length} parameters but ${row.args.length} argument kinds`);
  return row;
});

/** preview1 signals whose default action is to be ignored (CHLD, CONT, URG, WINCH). */
const IGNORED_SIGNALS = new Set([16, 17, 22, 27]);
/** preview1 signal numbers that differ from Linux's. */
const WASI_TO_LINUX_SIGNAL: Record<number, number> = {
  16: 17, 17: 18, 18: 19, 19: 20, 20: 21, 21: 22, 22: 23, 23: 24, 24: 25, 25: 26, 26: 27, 27: 28, 28: 29, 29: 30, 30: 31,
};
