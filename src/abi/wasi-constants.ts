/** WASI preview1 numbers (abi.md §5.3–§5.5) and the Linux → WASI errno map. */
import * as E from '../core/errno.js';

export const WASI_ESUCCESS = 0, WASI_EBADF = 8, WASI_EFAULT = 21, WASI_EINVAL = 28, WASI_EIO = 29,
  WASI_ENAMETOOLONG = 37, WASI_ENOSYS = 52, WASI_ENOTSUP = 58, WASI_ENOTCAPABLE = 76, WASI_EDEADLK = 16,
  WASI_ESPIPE = 70, WASI_ENOTDIR = 54, WASI_ENOTSOCK = 57;

/** Linux errno → WASI errno, from the table of §5.3. */
const PAIRS: [number, number][] = [
  [E.E2BIG, 1], [E.EACCES, 2], [E.EADDRINUSE, 3], [E.EADDRNOTAVAIL, 4], [E.EAFNOSUPPORT, 5],
  [E.EAGAIN, 6], [E.EALREADY, 7], [E.EBADF, 8], [E.EBADMSG, 9], [E.EBUSY, 10], [E.ECANCELED, 11],
  [E.ECHILD, 12], [E.ECONNABORTED, 13], [E.ECONNREFUSED, 14], [E.ECONNRESET, 15], [E.EDEADLK, 16],
  [E.EDESTADDRREQ, 17], [E.EDOM, 18], [E.EDQUOT, 19], [E.EEXIST, 20], [E.EFAULT, 21], [E.EFBIG, 22],
  [E.EHOSTUNREACH, 23], [E.EIDRM, 24], [E.EILSEQ, 25], [E.EINPROGRESS, 26], [E.EINTR, 27],
  [E.EINVAL, 28], [E.EIO, 29], [E.EISCONN, 30], [E.EISDIR, 31], [E.ELOOP, 32], [E.EMFILE, 33],
  [E.EMLINK, 34], [E.EMSGSIZE, 35], [E.EMULTIHOP, 36], [E.ENAMETOOLONG, 37], [E.ENETDOWN, 38],
  [E.ENETRESET, 39], [E.ENETUNREACH, 40], [E.ENFILE, 41], [E.ENOBUFS, 42], [E.ENODEV, 43],
  [E.ENOENT, 44], [E.ENOEXEC, 45], [E.ENOLCK, 46], [E.ENOLINK, 47], [E.ENOMEM, 48], [E.ENOMSG, 49],
  [E.ENOPROTOOPT, 50], [E.ENOSPC, 51], [E.ENOSYS, 52], [E.ENOTCONN, 53], [E.ENOTDIR, 54],
  [E.ENOTEMPTY, 55], [E.ENOTRECOVERABLE, 56], [E.ENOTSOCK, 57], [E.EOPNOTSUPP, 58], [E.ENOTTY, 59],
  [E.ENXIO, 60], [E.EOVERFLOW, 61], [E.EOWNERDEAD, 62], [E.EPERM, 63], [E.EPIPE, 64], [E.EPROTO, 65],
  [E.EPROTONOSUPPORT, 66], [E.EPROTOTYPE, 67], [E.ERANGE, 68], [E.EROFS, 69], [E.ESPIPE, 70],
  [E.ESRCH, 71], [E.ESTALE, 72], [E.ETIMEDOUT, 73], [E.ETXTBSY, 74],
  // One filesystem: EXDEV only ever means a lookup tried to leave its directory descriptor.
  [E.EXDEV, 76],
  // Linux errnos preview1 has no code for, each to its nearest WASI meaning.
  [E.ENOTBLK, 58], [E.ENODATA, 44], [E.EUSERS, 29], [E.ESOCKTNOSUPPORT, 58], [E.EPFNOSUPPORT, 5],
  [E.ESHUTDOWN, 64], [E.ETOOMANYREFS, 29], [E.EHOSTDOWN, 23], [E.EREMOTE, 29],
];

const TABLE = new Uint8Array(4096).fill(WASI_EIO);
TABLE[0] = 0;
for (const [linux, wasi] of PAIRS) TABLE[linux] = wasi;

/** A core result (>= 0 or -errno) as a WASI errno (0 for success; unknown errnos become EIO). */
export function toWasiErrno(result: number): number {
  return result >= 0 ? 0 : result >= -4095 ? TABLE[-result] : WASI_EIO;
}

export const FILETYPE_UNKNOWN = 0, FILETYPE_BLOCK_DEVICE = 1, FILETYPE_CHARACTER_DEVICE = 2,
  FILETYPE_DIRECTORY = 3, FILETYPE_REGULAR_FILE = 4, FILETYPE_SOCKET_DGRAM = 5,
  FILETYPE_SOCKET_STREAM = 6, FILETYPE_SYMBOLIC_LINK = 7;

/**
 * S_IF* type → WASI filetype. Preview1 has no FIFO type; wasi-libc's S_IFIFO equals its
 * S_IFSOCK, so a FIFO is reported as SOCKET_STREAM and S_ISFIFO holds in the cage.
 */
export function filetypeOfMode(mode: number): number {
  switch (mode & 0o170000) {
    case 0o100000: return FILETYPE_REGULAR_FILE;
    case 0o040000: return FILETYPE_DIRECTORY;
    case 0o120000: return FILETYPE_SYMBOLIC_LINK;
    case 0o020000: return FILETYPE_CHARACTER_DEVICE;
    case 0o060000: return FILETYPE_BLOCK_DEVICE;
    case 0o140000: case 0o010000: return FILETYPE_SOCKET_STREAM;
    default: return FILETYPE_UNKNOWN;
  }
}

/** DT_* (getdents d_type) → WASI filetype. */
export function filetypeOfDtype(dt: number): number {
  return filetypeOfMode(dt << 12);
}

export const FDFLAGS_APPEND = 0x1, FDFLAGS_DSYNC = 0x2, FDFLAGS_NONBLOCK = 0x4, FDFLAGS_RSYNC = 0x8, FDFLAGS_SYNC = 0x10;
export const OFLAGS_CREAT = 0x1, OFLAGS_DIRECTORY = 0x2, OFLAGS_EXCL = 0x4, OFLAGS_TRUNC = 0x8;
export const LOOKUP_SYMLINK_FOLLOW = 0x1;
export const FSTFLAGS_ATIM = 0x1, FSTFLAGS_ATIM_NOW = 0x2, FSTFLAGS_MTIM = 0x4, FSTFLAGS_MTIM_NOW = 0x8;
export const EVENTTYPE_CLOCK = 0, EVENTTYPE_FD_READ = 1, EVENTTYPE_FD_WRITE = 2;
export const EVENTRWFLAGS_HANGUP = 0x1;
export const SUBCLOCKFLAGS_ABSTIME = 0x1;
export const WHENCE_SET = 0, WHENCE_CUR = 1, WHENCE_END = 2;

