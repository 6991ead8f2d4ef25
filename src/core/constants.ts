/** Linux constants (x86-64 / generic values, as the lind cage headers define them). */

// open(2) flags
export const O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_ACCMODE = 3;
export const O_CREAT = 0o100, O_EXCL = 0o200, O_NOCTTY = 0o400, O_TRUNC = 0o1000,
  O_APPEND = 0o2000, O_NONBLOCK = 0o4000, O_DSYNC = 0o10000, O_ASYNC = 0o20000,
  O_DIRECT = 0o40000, O_LARGEFILE = 0o100000, O_DIRECTORY = 0o200000,
  O_NOFOLLOW = 0o400000, O_NOATIME = 0o1000000, O_CLOEXEC = 0o2000000,
  O_SYNC = 0o4010000, O_PATH = 0o10000000, O_TMPFILE = 0o20200000;
export const O_NDELAY = O_NONBLOCK, O_RSYNC = O_SYNC, O_FSYNC = O_SYNC;
/** The bit of O_TMPFILE that is not O_DIRECTORY. */
export const __O_TMPFILE = 0o20000000;
/** Status flags that F_SETFL may change (fs/fcntl.c SETFL_MASK). */
export const SETFL_MASK = O_APPEND | O_NONBLOCK | O_NDELAY | O_DIRECT | O_NOATIME | O_ASYNC;
/** Flags kept in an open file description and reported by F_GETFL. */
export const STATUS_FLAGS = O_APPEND | O_NONBLOCK | O_DSYNC | O_SYNC | O_DIRECT | O_NOATIME |
  O_ASYNC | O_LARGEFILE | O_PATH | O_NOCTTY;

// file types and mode bits
export const S_IFMT = 0o170000, S_IFSOCK = 0o140000, S_IFLNK = 0o120000, S_IFREG = 0o100000,
  S_IFBLK = 0o060000, S_IFDIR = 0o040000, S_IFCHR = 0o020000, S_IFIFO = 0o010000;
export const S_ISUID = 0o4000, S_ISGID = 0o2000, S_ISVTX = 0o1000;
export const S_IRWXU = 0o700, S_IRUSR = 0o400, S_IWUSR = 0o200, S_IXUSR = 0o100;
export const S_IRWXG = 0o70, S_IRGRP = 0o40, S_IWGRP = 0o20, S_IXGRP = 0o10;
export const S_IRWXO = 0o7, S_IROTH = 0o4, S_IWOTH = 0o2, S_IXOTH = 0o1;
export const S_IRWXUGO = 0o777, S_IALLUGO = 0o7777;

// d_type
export const DT_UNKNOWN = 0, DT_FIFO = 1, DT_CHR = 2, DT_DIR = 4, DT_BLK = 6, DT_REG = 8,
  DT_LNK = 10, DT_SOCK = 12, DT_WHT = 14;

// *at flags
export const AT_FDCWD = -100;
export const AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_EACCESS = 0x200,
  AT_SYMLINK_FOLLOW = 0x400, AT_NO_AUTOMOUNT = 0x800, AT_EMPTY_PATH = 0x1000,
  AT_STATX_SYNC_TYPE = 0x6000, AT_STATX_FORCE_SYNC = 0x2000, AT_STATX_DONT_SYNC = 0x4000,
  AT_RECURSIVE = 0x8000;

// access(2)
export const F_OK = 0, X_OK = 1, W_OK = 2, R_OK = 4;

// lseek(2)
export const SEEK_SET = 0, SEEK_CUR = 1, SEEK_END = 2, SEEK_DATA = 3, SEEK_HOLE = 4;

// fcntl(2)
export const F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, F_GETLK = 5,
  F_SETLK = 6, F_SETLKW = 7, F_SETOWN = 8, F_GETOWN = 9, F_SETSIG = 10, F_GETSIG = 11,
  F_GETLK64 = 12, F_SETLK64 = 13, F_SETLKW64 = 14, F_SETOWN_EX = 15, F_GETOWN_EX = 16,
  F_OFD_GETLK = 36, F_OFD_SETLK = 37, F_OFD_SETLKW = 38, F_SETLEASE = 1024,
  F_GETLEASE = 1025, F_NOTIFY = 1026, F_DUPFD_CLOEXEC = 1030, F_SETPIPE_SZ = 1031,
  F_GETPIPE_SZ = 1032, F_ADD_SEALS = 1033, F_GET_SEALS = 1034;
export const FD_CLOEXEC = 1;
export const F_RDLCK = 0, F_WRLCK = 1, F_UNLCK = 2;

// flock(2)
export const LOCK_SH = 1, LOCK_EX = 2, LOCK_NB = 4, LOCK_UN = 8;

// renameat2(2)
export const RENAME_NOREPLACE = 1, RENAME_EXCHANGE = 2, RENAME_WHITEOUT = 4;

// fallocate(2)
export const FALLOC_FL_KEEP_SIZE = 0x01, FALLOC_FL_PUNCH_HOLE = 0x02,
  FALLOC_FL_NO_HIDE_STALE = 0x04, FALLOC_FL_COLLAPSE_RANGE = 0x08,
  FALLOC_FL_ZERO_RANGE = 0x10, FALLOC_FL_INSERT_RANGE = 0x20, FALLOC_FL_UNSHARE_RANGE = 0x40,
  FALLOC_FL_WRITE_ZEROES = 0x80;

// utimensat(2)
export const UTIME_NOW = 0x3fffffff, UTIME_OMIT = 0x3ffffffe;

// sync_file_range(2)
export const SYNC_FILE_RANGE_WAIT_BEFORE = 1, SYNC_FILE_RANGE_WRITE = 2,
  SYNC_FILE_RANGE_WAIT_AFTER = 4;

// pathconf(3) names (glibc values)
export const _PC_LINK_MAX = 0, _PC_MAX_CANON = 1, _PC_MAX_INPUT = 2, _PC_NAME_MAX = 3,
  _PC_PATH_MAX = 4, _PC_PIPE_BUF = 5, _PC_CHOWN_RESTRICTED = 6, _PC_NO_TRUNC = 7,
  _PC_VDISABLE = 8, _PC_SYNC_IO = 9, _PC_ASYNC_IO = 10, _PC_PRIO_IO = 11,
  _PC_FILESIZEBITS = 13, _PC_REC_INCR_XFER_SIZE = 14, _PC_REC_MAX_XFER_SIZE = 15,
  _PC_REC_MIN_XFER_SIZE = 16, _PC_REC_XFER_ALIGN = 17, _PC_ALLOC_SIZE_MIN = 18,
  _PC_SYMLINK_MAX = 19, _PC_2_SYMLINKS = 20;

// statx(2) mask bits
export const STATX_TYPE = 0x1, STATX_MODE = 0x2, STATX_NLINK = 0x4, STATX_UID = 0x8,
  STATX_GID = 0x10, STATX_ATIME = 0x20, STATX_MTIME = 0x40, STATX_CTIME = 0x80,
  STATX_INO = 0x100, STATX_SIZE = 0x200, STATX_BLOCKS = 0x400, STATX_BASIC_STATS = 0x7ff,
  STATX_BTIME = 0x800;

// limits
export const PATH_MAX = 4096, NAME_MAX = 255, PIPE_BUF = 4096, SYMLOOP_MAX = 40;
/** Linux's default pipe capacity (16 pages). */
export const PIPE_CAPACITY = 65536;
export const TMPFS_MAGIC = 0x01021994;
// statfs(2) f_flags
export const ST_RDONLY = 0x1, ST_NOSUID = 0x2, ST_NODEV = 0x4, ST_NOEXEC = 0x8, ST_SYNCHRONOUS = 0x10,
  ST_VALID = 0x20, ST_MANDLOCK = 0x40, ST_NOATIME = 0x400, ST_NODIRATIME = 0x800, ST_RELATIME = 0x1000;

/** glibc's makedev() for a Linux dev_t, as a BigInt (major and minor are u32). */
export function makedev(major: number, minor: number): bigint {
  const ma = BigInt(major >>> 0), mi = BigInt(minor >>> 0);
  return ((ma & 0xfffn) << 8n) | ((ma & 0xfffff000n) << 32n) | (mi & 0xffn) |
    ((mi & 0xffffff00n) << 12n);
}
/** glibc's major()/minor() of a Linux dev_t. */
export function devMajor(dev: bigint): number {
  return Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & 0xfffff000n));
}
export function devMinor(dev: bigint): number {
  return Number((dev & 0xffn) | ((dev >> 12n) & 0xffffff00n));
}
