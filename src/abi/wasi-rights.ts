/**
 * WASI preview1 rights: what each descriptor may be used for. A preopen holds the rights
 * of a directory, path_open hands out at most what its directory may pass on (its
 * inheriting rights, NOTCAPABLE beyond them) and only those that apply to what was
 * opened, fd_fdstat_set_rights can only drop rights, and every call checks the rights it
 * needs before doing anything (the table in wasi-table.ts says which).
 *
 * Every right preview1 defines sits in the low 32 bits of the u64, so rights are kept as
 * numbers; a high half is remembered only to report back what a cage asked for.
 */
import { S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFMT, S_IFREG, S_IFSOCK } from '../core/index.js';

export const RIGHT_FD_DATASYNC = 1 << 0, RIGHT_FD_READ = 1 << 1, RIGHT_FD_SEEK = 1 << 2,
  RIGHT_FD_FDSTAT_SET_FLAGS = 1 << 3, RIGHT_FD_SYNC = 1 << 4, RIGHT_FD_TELL = 1 << 5, RIGHT_FD_WRITE = 1 << 6,
  RIGHT_FD_ADVISE = 1 << 7, RIGHT_FD_ALLOCATE = 1 << 8, RIGHT_PATH_CREATE_DIRECTORY = 1 << 9,
  RIGHT_PATH_CREATE_FILE = 1 << 10, RIGHT_PATH_LINK_SOURCE = 1 << 11, RIGHT_PATH_LINK_TARGET = 1 << 12,
  RIGHT_PATH_OPEN = 1 << 13, RIGHT_FD_READDIR = 1 << 14, RIGHT_PATH_READLINK = 1 << 15,
  RIGHT_PATH_RENAME_SOURCE = 1 << 16, RIGHT_PATH_RENAME_TARGET = 1 << 17, RIGHT_PATH_FILESTAT_GET = 1 << 18,
  RIGHT_PATH_FILESTAT_SET_SIZE = 1 << 19, RIGHT_PATH_FILESTAT_SET_TIMES = 1 << 20,
  RIGHT_FD_FILESTAT_GET = 1 << 21, RIGHT_FD_FILESTAT_SET_SIZE = 1 << 22, RIGHT_FD_FILESTAT_SET_TIMES = 1 << 23,
  RIGHT_PATH_SYMLINK = 1 << 24, RIGHT_PATH_REMOVE_DIRECTORY = 1 << 25, RIGHT_PATH_UNLINK_FILE = 1 << 26,
  RIGHT_POLL_FD_READWRITE = 1 << 27, RIGHT_SOCK_SHUTDOWN = 1 << 28, RIGHT_SOCK_ACCEPT = 1 << 29;

/** Every right preview1 defines (bits 0–29). */
export const RIGHTS_ALL = 0x3fffffff;

/** What applies to a regular file (or a device): its data, its position, its attributes. */
export const RIGHTS_FILE = RIGHT_FD_DATASYNC | RIGHT_FD_READ | RIGHT_FD_SEEK | RIGHT_FD_FDSTAT_SET_FLAGS |
  RIGHT_FD_SYNC | RIGHT_FD_TELL | RIGHT_FD_WRITE | RIGHT_FD_ADVISE | RIGHT_FD_ALLOCATE |
  RIGHT_FD_FILESTAT_GET | RIGHT_FD_FILESTAT_SET_SIZE | RIGHT_FD_FILESTAT_SET_TIMES | RIGHT_POLL_FD_READWRITE;

/**
 * What applies to a directory: lookups beneath it, its entries, its own attributes. Not
 * writing, seeking or resizing it (so the directory of a preopen can be opened again with
 * the rights it holds, as wasi-libc and Rust's std do, without asking to write). Reading
 * stays, so that fd_read of a directory answers ISDIR as Linux's read does.
 */
export const RIGHTS_DIRECTORY = RIGHT_FD_READ | RIGHT_FD_DATASYNC | RIGHT_FD_FDSTAT_SET_FLAGS | RIGHT_FD_SYNC | RIGHT_FD_ADVISE |
  RIGHT_PATH_CREATE_DIRECTORY | RIGHT_PATH_CREATE_FILE | RIGHT_PATH_LINK_SOURCE | RIGHT_PATH_LINK_TARGET |
  RIGHT_PATH_OPEN | RIGHT_FD_READDIR | RIGHT_PATH_READLINK | RIGHT_PATH_RENAME_SOURCE |
  RIGHT_PATH_RENAME_TARGET | RIGHT_PATH_FILESTAT_GET | RIGHT_PATH_FILESTAT_SET_SIZE |
  RIGHT_PATH_FILESTAT_SET_TIMES | RIGHT_FD_FILESTAT_GET | RIGHT_FD_FILESTAT_SET_TIMES | RIGHT_PATH_SYMLINK |
  RIGHT_PATH_REMOVE_DIRECTORY | RIGHT_PATH_UNLINK_FILE | RIGHT_POLL_FD_READWRITE;

/** What a directory may pass on to what is opened beneath it. */
export const RIGHTS_DIRECTORY_INHERITING = RIGHTS_DIRECTORY | RIGHTS_FILE;

/** A pipe or FIFO: a stream, with no position. */
export const RIGHTS_STREAM = RIGHT_FD_READ | RIGHT_FD_WRITE | RIGHT_FD_FDSTAT_SET_FLAGS | RIGHT_FD_FILESTAT_GET |
  RIGHT_POLL_FD_READWRITE;

/** A terminal: a stream too (wasi-libc's isatty() is "a character device without seek and tell"). */
export const RIGHTS_TTY = RIGHTS_STREAM;

/** The rights that make sense for a descriptor of this type: [base, inheriting]. */
export function rightsOfType(mode: number, tty: boolean): readonly [number, number] {
  if (tty) return OF_TTY;
  switch (mode & S_IFMT) {
    case S_IFDIR: return OF_DIRECTORY;
    case S_IFREG: case S_IFCHR: case S_IFBLK: return OF_FILE;
    case S_IFIFO: return OF_STREAM;
    case S_IFSOCK: return OF_SOCKET;
    default: return OF_NOTHING;
  }
}

// rightsOfType's answers, made once: it runs on every path_open.
const OF_TTY = [RIGHTS_TTY, 0] as const;
const OF_DIRECTORY = [RIGHTS_DIRECTORY, RIGHTS_DIRECTORY_INHERITING] as const;
const OF_FILE = [RIGHTS_FILE, 0] as const;
const OF_STREAM = [RIGHTS_STREAM, 0] as const;
const OF_SOCKET = [RIGHTS_STREAM | RIGHT_SOCK_SHUTDOWN | RIGHT_SOCK_ACCEPT, 0] as const;
const OF_NOTHING = [0, 0] as const;

/**
 * The rights each descriptor holds, by descriptor number. An entry counts only while the
 * descriptor still refers to the open file description it was recorded for: a number
 * closed and reused (by either ABI) is recorded afresh, from its type, on first use.
 */
export class RightsTable {
  private readonly file: unknown[] = [];
  readonly base: number[] = [];
  readonly inheriting: number[] = [];
  /** The description's WASI file type (it never changes). */
  readonly filetype: number[] = [];

  set(fd: number, file: unknown, filetype: number, base: number, inheriting: number): void {
    this.file[fd] = file;
    this.filetype[fd] = filetype;
    this.base[fd] = base >>> 0;
    this.inheriting[fd] = inheriting >>> 0;
  }
  /** Records for `to` the rights recorded for `from`. */
  copy(from: number, to: number, file: unknown): void {
    this.set(to, file, this.filetype[from], this.base[from], this.inheriting[from]);
  }
  /** Whether fd has recorded rights for the description it holds now. */
  has(fd: number, current: unknown): boolean {
    return current !== undefined && this.file[fd] === current;
  }
  delete(fd: number): void {
    this.file[fd] = undefined;
  }
}
