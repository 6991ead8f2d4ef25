/**
 * The fsop protocol engine (docs/fsop-protocol.md): one IMFS, one JSON request in, one
 * response line out, no I/O of its own (fsop-cli.ts does the reading and writing).
 *
 * A request is the argv of one run of the pjdfstest utility. Every call is a row of the
 * CALLS table: its argument types and the implementation. Each argument type has one
 * parser (PARSERS); a parser that rejects its text makes a usage error, which prints
 * nothing and stops the request, as pjdfstest's exit(1) does.
 *
 * All requests run in cage 1, whose credentials and umask are set for each request;
 * its working directory persists (`cd`), and every descriptor a request opened is
 * closed when the request ends.
 */
import {
  Imfs, newStat, errnoName, WOULD_BLOCK, type Clock, type Stat,
  AT_FDCWD, AT_SYMLINK_FOLLOW, AT_SYMLINK_NOFOLLOW,
  O_APPEND, O_CREAT, O_DIRECT, O_DIRECTORY, O_EXCL, O_FSYNC, O_NOCTTY, O_NOFOLLOW,
  O_NONBLOCK, O_RDONLY, O_RDWR, O_SYNC, O_TRUNC, O_WRONLY,
  S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG, S_IFSOCK,
  UTIME_NOW, UTIME_OMIT, _PC_LINK_MAX, _PC_NAME_MAX, _PC_PATH_MAX, _PC_SYMLINK_MAX,
  EFAULT, EINVAL, ENOENT, ECONNREFUSED, EPERM,
} from '../core/index.js';

/** The cage every request runs in. */
const CAGE = 1;

// ---- argument values -------------------------------------------------------------------

/** A str argument that is not text: `NULL` (a null pointer) or `DEADCODE` (unmapped memory). */
export class BadPointer {
  constructor(readonly name: 'NULL' | 'DEADCODE') {}
}
const NULL_PTR = new BadPointer('NULL'), DEAD_PTR = new BadPointer('DEADCODE');

/** What each argument type parses to. */
interface Parsed {
  /** A C integer (64-bit). */
  num: bigint;
  /** Text as bytes; a bad pointer fails the call with EFAULT before it runs. */
  str: Buffer;
  /** Text as bytes, or a bad pointer the call deals with itself. */
  ptr: Buffer | BadPointer;
  /** A kernel descriptor number. */
  fd: number;
  oflags: number;
  /** linkat's flags. */
  lflags: number;
  /** fchmodat/fchownat/fstatat flags. */
  nflags: number;
  fields: string[];
  pcname: number;
  /** mknod's file type letter, as S_IF* bits. */
  ftype: number;
  ns: number;
  atflag: number;
}
type Kind = keyof Parsed;
/** What the parsers give: a `str` may still be a bad pointer until execute() has failed the call. */
type Raw = Omit<Parsed, 'str'> & { str: Buffer | BadPointer };
/** An argument type; a trailing `?` makes it optional (only last arguments are). */
type ArgSpec = Kind | `${Kind}?`;
type ValueOf<S> = S extends `${infer K extends Kind}?` ? Parsed[K] | undefined : S extends Kind ? Parsed[S] : never;
type Values<T extends readonly ArgSpec[]> = { [I in keyof T]: ValueOf<T[I]> };

/** A parser's verdict on text it cannot take: a usage error. */
const USAGE = Symbol('usage error');
type Usage = typeof USAGE;

/**
 * What a call gives back: -errno (or WOULD_BLOCK) on failure; any other number means
 * success and prints `0`; a string is the printed value; USAGE is a usage error.
 */
type Outcome = number | string | Usage;

// ---- parsers ------------------------------------------------------------------------------

const INT64_MIN = -(1n << 63n), INT64_MAX = (1n << 63n) - 1n;
/** C's isspace(): trailing white space after a number is tolerated. */
const NUMBER = /^[ \t\n\v\f\r]*([+-]?)(?:0[xX]([0-9a-fA-F]+)|(0[0-7]*)|([1-9][0-9]*))[ \t\n\v\f\r]*$/;

/** A C integer as strtoll(s, &end, 0) reads it (clamped to 64 bits), or USAGE. */
export function parseNum(s: string): bigint | Usage {
  const m = NUMBER.exec(s);
  if (m === null) return USAGE;
  const [, sign, hex, oct, dec] = m;
  let v = hex !== undefined ? BigInt('0x' + hex) : oct !== undefined ? BigInt('0o' + (oct.slice(1) || '0')) : BigInt(dec!);
  if (sign === '-') v = -v;
  return v < INT64_MIN ? INT64_MIN : v > INT64_MAX ? INT64_MAX : v;
}

/** strtol(s, NULL, 10): the leading decimal number, 0 if there is none (never an error). */
function parseLoose(s: string): bigint {
  const m = /^[ \t\n\v\f\r]*([+-]?[0-9]+)/.exec(s);
  if (m === null) return 0n;
  const v = BigInt(m[1]!);
  return v < INT64_MIN ? INT64_MIN : v > INT64_MAX ? INT64_MAX : v;
}

const OPEN_FLAGS: ReadonlyMap<string, number> = new Map([
  ['O_RDONLY', O_RDONLY], ['O_WRONLY', O_WRONLY], ['O_RDWR', O_RDWR], ['O_NONBLOCK', O_NONBLOCK],
  ['O_APPEND', O_APPEND], ['O_CREAT', O_CREAT], ['O_TRUNC', O_TRUNC], ['O_EXCL', O_EXCL],
  ['O_DIRECT', O_DIRECT], ['O_FSYNC', O_FSYNC], ['O_SYNC', O_SYNC], ['O_NOFOLLOW', O_NOFOLLOW],
  ['O_NOCTTY', O_NOCTTY], ['O_DIRECTORY', O_DIRECTORY],
]);
const LINKAT_FLAGS: ReadonlyMap<string, number> = new Map([['AT_SYMLINK_FOLLOW', AT_SYMLINK_FOLLOW]]);
const NOFOLLOW_FLAGS: ReadonlyMap<string, number> = new Map([['AT_SYMLINK_NOFOLLOW', AT_SYMLINK_NOFOLLOW]]);
const PC_NAMES: ReadonlyMap<string, number> = new Map([
  ['_PC_LINK_MAX', _PC_LINK_MAX], ['_PC_NAME_MAX', _PC_NAME_MAX], ['_PC_PATH_MAX', _PC_PATH_MAX],
  ['_PC_SYMLINK_MAX', _PC_SYMLINK_MAX],
]);
const FILE_TYPES: ReadonlyMap<string, number> = new Map([
  ['c', S_IFCHR], ['b', S_IFBLK], ['f', S_IFIFO], ['d', S_IFDIR], ['o', S_IFREG],
]);

/** Names joined by `,` or `|` (empty names skipped, as strtok does); `0` or `none` is no flag. */
function parseFlags(table: ReadonlyMap<string, number>, s: string): number | Usage {
  if (s === '0' || s === 'none') return 0;
  let flags = 0;
  for (const name of s.split(/[,|]/)) {
    if (name === '') continue;
    const f = table.get(name);
    if (f === undefined) return USAGE;
    flags |= f;
  }
  return flags;
}

function parseStr(s: string): Buffer | BadPointer {
  return s === 'NULL' ? NULL_PTR : s === 'DEADCODE' ? DEAD_PTR : Buffer.from(s, 'utf8');
}

/** The descriptors opened so far in the current request (open/openat), in order. */
type Opened = readonly number[];

const PARSERS: { [K in Kind]: (s: string, opened: Opened) => Raw[K] | Usage } = {
  num: parseNum,
  str: parseStr,
  ptr: parseStr,
  fd: (s, opened) => {
    if (s === 'AT_FDCWD') return AT_FDCWD;
    if (s === 'BADFD') return -1; // not a descriptor (AT_FDCWD is -100 on Linux)
    const n = parseNum(s);
    if (n === USAGE || n < 0n || n >= BigInt(opened.length)) return USAGE;
    return opened[Number(n)]!;
  },
  oflags: (s) => parseFlags(OPEN_FLAGS, s),
  lflags: (s) => parseFlags(LINKAT_FLAGS, s),
  nflags: (s) => parseFlags(NOFOLLOW_FLAGS, s),
  fields: (s) => s.split(',').filter((f) => f !== ''),
  pcname: (s) => PC_NAMES.get(s) ?? USAGE,
  ftype: (s) => FILE_TYPES.get(s) ?? USAGE,
  ns: (s) => s === 'UTIME_NOW' ? UTIME_NOW : s === 'UTIME_OMIT' ? UTIME_OMIT : Number(parseLoose(s)),
  atflag: (s) => s === 'AT_SYMLINK_NOFOLLOW' ? AT_SYMLINK_NOFOLLOW : Number(BigInt.asIntN(32, parseLoose(s))),
};

// ---- C conversions --------------------------------------------------------------------------

/** (mode_t), (uid_t), (gid_t): unsigned 32-bit. */
const u32 = (v: bigint): number => Number(BigInt.asUintN(32, v));
/** off_t and time_t values (exact up to 2^53, which is far beyond what the IMFS accepts). */
const i64 = (v: bigint): number => Number(v);

// ---- output ---------------------------------------------------------------------------------

/** The errno names a response may use (§7); any other errno prints as its number. */
const ERRNO_NAMES = new Set(('EPERM ENOENT ESRCH EINTR EIO ENXIO E2BIG ENOEXEC EBADF ECHILD EDEADLK ' +
  'ENOMEM EACCES EFAULT ENOTBLK EBUSY EEXIST EXDEV ENODEV ENOTDIR EISDIR EINVAL ENFILE EMFILE ' +
  'ENOTTY ETXTBSY EFBIG ENOSPC ESPIPE EROFS EMLINK EPIPE EDOM ERANGE EAGAIN EINPROGRESS EALREADY ' +
  'ENOTSOCK EDESTADDRREQ EMSGSIZE EPROTOTYPE ENOPROTOOPT EPROTONOSUPPORT ESOCKTNOSUPPORT ' +
  'EOPNOTSUPP EPFNOSUPPORT EAFNOSUPPORT EADDRINUSE EADDRNOTAVAIL ENETDOWN ENETUNREACH ENETRESET ' +
  'ECONNABORTED ECONNRESET ENOBUFS EISCONN ENOTCONN ESHUTDOWN ETOOMANYREFS ETIMEDOUT ' +
  'ECONNREFUSED ELOOP ENAMETOOLONG EHOSTDOWN EHOSTUNREACH ENOTEMPTY EUSERS EDQUOT ESTALE EREMOTE ' +
  'ENOLCK ENOSYS EIDRM ENOMSG EOVERFLOW ECANCELED EILSEQ EBADMSG EMULTIHOP ENOLINK EPROTO').split(' '));

/** The response text of a failed call: its errno name, or its number when §7 has no name. */
export function errnoText(result: number): string {
  if (result === WOULD_BLOCK) return 'EAGAIN'; // the server never waits
  const name = errnoName(result);
  return ERRNO_NAMES.has(name) ? name : String(-result);
}

const TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [S_IFREG, 'regular'], [S_IFDIR, 'dir'], [S_IFLNK, 'symlink'], [S_IFIFO, 'fifo'],
  [S_IFSOCK, 'socket'], [S_IFCHR, 'char'], [S_IFBLK, 'block'],
]);

const STAT_FIELDS: ReadonlyMap<string, (st: Stat) => string> = new Map<string, (st: Stat) => string>([
  ['type', (st) => TYPE_NAMES.get(st.mode & S_IFMT) ?? 'unknown'],
  ['mode', (st) => '0' + (st.mode & 0o7777).toString(8)],
  ['inode', (st) => String(st.ino)],
  ['nlink', (st) => String(st.nlink)],
  ['uid', (st) => String(st.uid)],
  ['gid', (st) => String(st.gid)],
  ['size', (st) => String(st.size)],
  ['blocks', (st) => String(st.blocks)],
  ['atime', (st) => String(st.atimeSec)],
  ['mtime', (st) => String(st.mtimeSec)],
  ['ctime', (st) => String(st.ctimeSec)],
  ['atime_ns', (st) => String(st.atimeNsec)],
  ['mtime_ns', (st) => String(st.mtimeNsec)],
  ['ctime_ns', (st) => String(st.ctimeNsec)],
  ['major', (st) => String(st.rdevMajor >>> 0)],
  ['minor', (st) => String(st.rdevMinor >>> 0)],
  // Linux's struct stat has no birthtime or flags: these print `unknown` like any other name.
]);

function statFields(st: Stat, fields: string[]): string {
  return fields.map((f) => STAT_FIELDS.get(f)?.(st) ?? 'unknown').join(',');
}

// ---- the calls ------------------------------------------------------------------------------

/** What a call sees of the request it runs in. */
interface Request {
  readonly fs: Imfs;
  /** Descriptors opened by open/openat in this request, in order (fd arguments index it). */
  readonly opened: number[];
}

interface CallDef {
  readonly args: readonly ArgSpec[];
  /** Number of arguments that must be present. */
  readonly required: number;
  /** Parameters of type `str` (a bad pointer there fails the call with EFAULT first). */
  readonly strs: readonly number[];
  readonly run: (r: Request, values: unknown[]) => Outcome;
}

function call<const T extends readonly ArgSpec[]>(args: T, run: (r: Request, ...v: Values<T>) => Outcome): CallDef {
  return {
    args,
    required: args.filter((a) => !a.endsWith('?')).length,
    strs: args.flatMap((a, i) => a === 'str' ? [i] : []),
    run: (r, values) => run(r, ...(values as unknown as Values<T>)),
  };
}

const st = newStat();
const stat = (result: number, fields: string[]): Outcome => result < 0 ? result : statFields(st, fields);

/** open/openat: the mode must be given exactly when O_CREAT is; a new descriptor joins the list. */
function openCall(r: Request, dirfd: number, path: Buffer, flags: number, mode: bigint | undefined): Outcome {
  if (((flags & O_CREAT) !== 0) !== (mode !== undefined)) return USAGE;
  const fd = r.fs.openat(CAGE, dirfd, path, flags, mode === undefined ? 0 : u32(mode));
  if (fd >= 0) r.opened.push(fd);
  return fd;
}

/**
 * mknod(2) through glibc: the type letter's bits are or-ed into the mode; glibc refuses a
 * dev_t that does not fit the kernel's 32-bit encoding (major < 2^12, minor < 2^20) with
 * EINVAL before the system call, and the kernel checks the type before the path.
 */
function mknodCall(r: Request, dirfd: number, path: Buffer | BadPointer, type: number, mode: bigint, major: bigint, minor: bigint): Outcome {
  const ma = u32(major), mi = u32(minor);
  if (ma >= 1 << 12 || mi >= 1 << 20) return -EINVAL;
  const m = type | u32(mode);
  if (path instanceof BadPointer) {
    const t = m & S_IFMT;
    if (t === S_IFDIR) return -EPERM;
    return t === 0 || TYPE_NAMES.has(t) ? -EFAULT : -EINVAL;
  }
  return r.fs.mknodat(CAGE, dirfd, path, m, ma, mi);
}

/** mkfifo(3) is mknod(path, mode | S_IFIFO, 0) in glibc (other type bits in mode make EINVAL). */
function mkfifoCall(r: Request, dirfd: number, path: Buffer, mode: bigint): Outcome {
  return r.fs.mknodat(CAGE, dirfd, path, u32(mode) | S_IFIFO, 0, 0);
}

/** sun_path holds 107 bytes and a NUL: pjdfstest copies the path with strncpy and terminates it. */
const SUN_PATH_MAX = 107;

/**
 * write/pwrite of the bytes of `data`. A bad pointer fails with EFAULT once the
 * descriptor has passed its checks (a zero-length write makes them).
 */
function writeCall(r: Request, fd: number, data: Buffer | BadPointer, offset: bigint | null): Outcome {
  const buf = data instanceof BadPointer ? Buffer.alloc(0) : data;
  const n = offset === null ? r.fs.write(CAGE, fd, buf) : r.fs.pwrite(CAGE, fd, buf, buf.length, i64(offset));
  return n >= 0 && data instanceof BadPointer ? -EFAULT : n;
}

/**
 * pread: min(count, 1024) bytes from offset, repeating the read until that many were read
 * or end of file; prints the bytes up to the first NUL.
 */
function preadCall(r: Request, fd: number, count: bigint, offset: bigint): Outcome {
  const want = count <= 0n ? 0 : count > 1024n ? 1024 : Number(count);
  const buf = Buffer.alloc(1024);
  let got = 0;
  do {
    const n = r.fs.pread(CAGE, fd, buf, want - got, i64(offset) + got, got);
    if (n < 0) return n;
    if (n === 0) break;
    got += n;
  } while (got < want);
  const nul = buf.subarray(0, got).indexOf(0);
  return buf.toString('utf8', 0, nul < 0 ? got : nul);
}

/** pathconf/fpathconf output: the limit, or `unlimited` (the core's Infinity). */
function pathconfOut(v: number): Outcome {
  return v < 0 ? v : v === Infinity ? 'unlimited' : String(v);
}

/**
 * utimensat(2) through glibc: a NULL path is EINVAL in glibc (futimens is the way to do that);
 * an unreadable path is EFAULT once the kernel has checked the times and the flags.
 */
function utimensatCall(r: Request, dirfd: number, path: Buffer | BadPointer, asec: bigint, ans: number, msec: bigint, mns: number, flag: number): Outcome {
  if (path === NULL_PTR) return -EINVAL;
  const times = [{ sec: i64(asec), nsec: ans }, { sec: i64(msec), nsec: mns }] as const;
  if (path instanceof BadPointer) {
    const valid = (ns: number) => ns === UTIME_NOW || ns === UTIME_OMIT || (ns >= 0 && ns <= 999_999_999);
    return valid(ans) && valid(mns) && (flag & ~AT_SYMLINK_NOFOLLOW) === 0 ? -EFAULT : -EINVAL;
  }
  return r.fs.utimensat(CAGE, dirfd, path, times, flag);
}

/** Every call of the protocol (§5): name → argument types → implementation. */
const CALLS: ReadonlyMap<string, CallDef> = new Map<string, CallDef>([
  ['open', call(['str', 'oflags', 'num?'], (r, p, f, m) => openCall(r, AT_FDCWD, p, f, m))],
  ['openat', call(['fd', 'str', 'oflags', 'num?'], (r, d, p, f, m) => openCall(r, d, p, f, m))],
  ['create', call(['str', 'num'], (r, p, m) => {
    const fd = r.fs.open(CAGE, p, O_CREAT | O_EXCL | O_RDONLY, u32(m));
    return fd < 0 ? fd : r.fs.close(CAGE, fd);
  })],
  ['unlink', call(['str'], (r, p) => r.fs.unlink(CAGE, p))],
  ['mkdir', call(['str', 'num'], (r, p, m) => r.fs.mkdir(CAGE, p, u32(m)))],
  ['mkdirat', call(['fd', 'str', 'num'], (r, d, p, m) => r.fs.mkdirat(CAGE, d, p, u32(m)))],
  ['rmdir', call(['str'], (r, p) => r.fs.rmdir(CAGE, p))],
  ['link', call(['str', 'str'], (r, a, b) => r.fs.link(CAGE, a, b))],
  ['linkat', call(['fd', 'str', 'fd', 'str', 'lflags'], (r, d1, a, d2, b, f) => r.fs.linkat(CAGE, d1, a, d2, b, f))],
  ['symlink', call(['str', 'str'], (r, t, p) => r.fs.symlink(CAGE, t, p))],
  ['symlinkat', call(['str', 'fd', 'str'], (r, t, d, p) => r.fs.symlinkat(CAGE, t, d, p))],
  ['rename', call(['str', 'str'], (r, a, b) => r.fs.rename(CAGE, a, b))],
  ['renameat', call(['fd', 'str', 'fd', 'str'], (r, d1, a, d2, b) => r.fs.renameat(CAGE, d1, a, d2, b))],
  ['mkfifo', call(['str', 'num'], (r, p, m) => mkfifoCall(r, AT_FDCWD, p, m))],
  ['mkfifoat', call(['fd', 'str', 'num'], (r, d, p, m) => mkfifoCall(r, d, p, m))],
  ['mknod', call(['ptr', 'ftype', 'num', 'num', 'num'], (r, p, t, m, ma, mi) => mknodCall(r, AT_FDCWD, p, t, m, ma, mi))],
  ['mknodat', call(['fd', 'ptr', 'ftype', 'num', 'num', 'num'], (r, d, p, t, m, ma, mi) => mknodCall(r, d, p, t, m, ma, mi))],
  ['bind', call(['str'], (r, p) => p.length === 0
    ? 0 // an empty sun_path binds in the abstract namespace: no file is made
    : r.fs.bind(CAGE, p.subarray(0, SUN_PATH_MAX)))],
  ['connect', call(['str'], (r, p) => p.length === 0
    ? -ECONNREFUSED // the abstract address of 107 NULs: nothing of ours listens there
    : r.fs.connect(CAGE, p.subarray(0, SUN_PATH_MAX)))],
  ['chmod', call(['str', 'num'], (r, p, m) => r.fs.chmod(CAGE, p, u32(m)))],
  ['fchmod', call(['fd', 'num'], (r, d, m) => r.fs.fchmod(CAGE, d, u32(m)))],
  ['lchmod', call(['str', 'num'], (r, p, m) => r.fs.fchmodat(CAGE, AT_FDCWD, p, u32(m), AT_SYMLINK_NOFOLLOW))],
  ['fchmodat', call(['fd', 'str', 'num', 'nflags'], (r, d, p, m, f) => r.fs.fchmodat(CAGE, d, p, u32(m), f))],
  ['chown', call(['str', 'num', 'num'], (r, p, u, g) => r.fs.chown(CAGE, p, u32(u), u32(g)))],
  ['fchown', call(['fd', 'num', 'num'], (r, d, u, g) => r.fs.fchown(CAGE, d, u32(u), u32(g)))],
  ['lchown', call(['str', 'num', 'num'], (r, p, u, g) => r.fs.lchown(CAGE, p, u32(u), u32(g)))],
  ['fchownat', call(['fd', 'str', 'num', 'num', 'nflags'], (r, d, p, u, g, f) => r.fs.fchownat(CAGE, d, p, u32(u), u32(g), f))],
  ['truncate', call(['str', 'num'], (r, p, n) => r.fs.truncate(CAGE, p, i64(n)))],
  ['ftruncate', call(['fd', 'num'], (r, d, n) => r.fs.ftruncate(CAGE, d, i64(n)))],
  ['posix_fallocate', call(['fd', 'num', 'num'], (r, d, o, n) => r.fs.posix_fallocate(CAGE, d, i64(o), i64(n)))],
  ['stat', call(['str', 'fields'], (r, p, f) => stat(r.fs.stat(CAGE, p, st), f))],
  ['fstat', call(['fd', 'fields'], (r, d, f) => stat(r.fs.fstat(CAGE, d, st), f))],
  ['lstat', call(['str', 'fields'], (r, p, f) => stat(r.fs.lstat(CAGE, p, st), f))],
  ['fstatat', call(['fd', 'str', 'nflags', 'fields'], (r, d, p, fl, f) => stat(r.fs.fstatat(CAGE, d, p, st, fl), f))],
  ['pathconf', call(['str', 'pcname'], (r, p, n) =>
    // glibc answers these two from constants, looking only for an empty path
    n === _PC_PATH_MAX || n === _PC_SYMLINK_MAX ? pathconfOut(p.length === 0 ? -ENOENT : r.fs.pathconf(CAGE, '/', n))
      : pathconfOut(r.fs.pathconf(CAGE, p, n)))],
  ['fpathconf', call(['fd', 'pcname'], (r, d, n) => pathconfOut(r.fs.fpathconf(CAGE, d, n)))],
  ['pread', call(['fd', 'num', 'num'], (r, d, c, o) => preadCall(r, d, c, o))],
  ['pwrite', call(['fd', 'ptr', 'num'], (r, d, s, o) => writeCall(r, d, s, o))],
  ['write', call(['fd', 'ptr'], (r, d, s) => writeCall(r, d, s, null))],
  ['utimensat', call(['fd', 'ptr', 'num', 'ns', 'num', 'ns', 'atflag'], utimensatCall)],
]);

/** The names the protocol knows, in table order (for tests and documentation). */
export const CALL_NAMES: readonly string[] = [...CALLS.keys()];

// ---- requests -----------------------------------------------------------------------------

/** Credentials and umask of one request (§3.1). */
interface Options {
  uid: number;
  groups: number[] | null;
  umask: number;
}

/** Reads the options before the first call name (getopt "g:u:U:"); returns the index of the call. */
function parseOptions(words: string[], out: Options): number | Usage {
  let i = 0;
  while (i < words.length) {
    const w = words[i]!;
    if (w === '--') return i + 1;
    if (w.length < 2 || w[0] !== '-') return i;
    const letter = w[1]!;
    // getopt takes the value attached (-u65534) or as the next element (-u 65534)
    const value = w.length > 2 ? w.slice(2) : words[++i];
    if (value === undefined) return USAGE;
    i++;
    if (letter === 'u' || letter === 'U') {
      const n = parseNum(value);
      if (n === USAGE) return USAGE;
      if (letter === 'u') out.uid = u32(n);
      else out.umask = Number(BigInt.asUintN(32, n)) & 0o777;
    } else if (letter === 'g') {
      const groups: number[] = [];
      for (const g of value.split(',')) {
        if (g === '') continue;
        const n = parseNum(g);
        if (n === USAGE) return USAGE;
        groups.push(u32(n));
      }
      if (groups.length === 0) return USAGE;
      out.groups = groups;
    } else {
      return USAGE;
    }
  }
  return i;
}

export interface FsopOptions {
  /** Where timestamps come from (default: the real clock). */
  clock?: Clock;
  /** Told why a request was refused (malformed line, usage error); the CLI writes it to stderr. */
  onDiagnostic?: (message: string) => void;
}

/** One fsop server: one IMFS and the working directory of its requests. */
export class FsopServer {
  private fs!: Imfs;

  constructor(private readonly options: FsopOptions = {}) {
    this.reset();
  }

  /** The filesystem (for tests). */
  get imfs(): Imfs {
    return this.fs;
  }

  /** Answers one request line (without its newline); the result is one line without a newline. */
  handle(line: string): string {
    let words: unknown;
    try {
      words = JSON.parse(line);
    } catch {
      return this.refuse(`not JSON: ${line}`);
    }
    if (!Array.isArray(words) || words.length === 0 || !words.every((w) => typeof w === 'string')) {
      return this.refuse(`not a non-empty JSON array of strings: ${line}`);
    }
    // Each element becomes a C string of argv: it ends at its first NUL.
    const argv = (words as string[]).map((w) => { const z = w.indexOf('\0'); return z < 0 ? w : w.slice(0, z); });
    if (argv[0] === 'reset') {
      if (argv.length !== 1) return this.refuse('usage: reset takes no argument');
      this.reset();
      return '0';
    }
    if (argv[0] === 'cd') {
      if (argv.length !== 2) return this.refuse('usage: cd takes one argument');
      this.setCredentials({ uid: 0, groups: null, umask: 0 });
      const r = this.fs.chdir(CAGE, argv[1]!);
      return r < 0 ? errnoText(r) : '0';
    }
    return this.request(argv);
  }

  /** A refused request: the empty response, and a diagnostic. */
  private refuse(message: string): string {
    this.options.onDiagnostic?.(message);
    return '';
  }

  private reset(): void {
    this.fs = new Imfs(this.options.clock === undefined ? {} : { clock: this.options.clock });
    const r = this.fs.createCage(CAGE, { umask: 0 });
    if (r < 0) throw new Error(`fsop: cannot create cage ${CAGE}: ${errnoName(r)}`);
  }

  private setCredentials(o: Options): void {
    const egid = o.groups === null ? 0 : o.groups[0]!;
    this.fs.setCredentials(CAGE, { uid: o.uid, euid: o.uid, gid: 0, egid, groups: o.groups ?? [0] });
    this.fs.umask(CAGE, o.umask);
  }

  /** Runs the calls of one request; the response is the last line printed. */
  private request(argv: string[]): string {
    const o: Options = { uid: 0, groups: null, umask: 0 };
    let i = parseOptions(argv, o);
    if (i === USAGE) return this.refuse(`usage: bad options in ${JSON.stringify(argv)}`);
    this.setCredentials(o);
    const r: Request = { fs: this.fs, opened: [] };
    let printed = '';
    try {
      for (;;) {
        const name = argv[i];
        const def = name === undefined ? undefined : CALLS.get(name);
        if (def === undefined) { // unknown call name, or nothing after ':'
          this.refuse(name === undefined ? 'usage: no call' : `usage: unknown call '${name}'`);
          break;
        }
        let end = argv.indexOf(':', i + 1);
        if (end < 0) end = argv.length;
        const out = execute(r, name!, def, argv.slice(i + 1, end), (m) => this.refuse(m));
        if (out === USAGE) break;
        if (typeof out === 'number' && out < 0) { printed = errnoText(out); break; }
        printed = typeof out === 'string' ? out : '0';
        if (end === argv.length) break;
        i = end + 1;
      }
    } finally {
      this.closeAll();
    }
    // Only pread prints newlines: the response is what follows the last one.
    return printed.slice(printed.lastIndexOf('\n') + 1);
  }

  /** Closes every descriptor of the request's cage (open/openat/create leftovers and bind's sockets). */
  private closeAll(): void {
    const cage = this.fs.cage(CAGE);
    if (cage === undefined) return;
    cage.files.forEach((file, fd) => {
      if (file !== undefined) this.fs.close(CAGE, fd);
    });
  }
}

/** Parses the arguments of one call (usage errors first, told to `usage`) and runs it. */
function execute(r: Request, name: string, def: CallDef, words: string[], usage: (message: string) => void): Outcome {
  if (words.length < def.required || words.length > def.args.length) {
    usage(`usage: ${name} takes ${def.args.join(' ')}, got ${words.length} argument(s)`);
    return USAGE;
  }
  const values: unknown[] = [];
  for (let k = 0; k < words.length; k++) {
    const kind = def.args[k]!.replace('?', '') as Kind;
    const v = PARSERS[kind](words[k]!, r.opened);
    if (v === USAGE) {
      usage(`usage: ${name}: argument ${k + 1} '${words[k]}' is not a valid ${kind}`);
      return USAGE;
    }
    values.push(v);
  }
  // A path the kernel cannot read: getname() fails first (the few calls where it does not take `ptr`).
  for (const k of def.strs) if (k < values.length && values[k] instanceof BadPointer) return -EFAULT;
  const out = def.run(r, values);
  if (out === USAGE) usage(`usage: ${name}: a mode goes with O_CREAT, and only with it`);
  return out;
}
