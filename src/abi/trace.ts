/**
 * The strace-like log: one line per call, written at the single dispatch point of each
 * ABI. Argument kinds say how to show a value; flag tables turn bits into names.
 */
import {
  AT_FDCWD, errnoName, O_ACCMODE, O_APPEND, O_ASYNC, O_CLOEXEC, O_CREAT, O_DIRECT, O_DIRECTORY,
  O_DSYNC, O_EXCL, O_LARGEFILE, O_NOATIME, O_NOCTTY, O_NOFOLLOW, O_NONBLOCK, O_PATH, O_SYNC,
  O_TMPFILE, O_TRUNC, AT_SYMLINK_NOFOLLOW, AT_REMOVEDIR, AT_SYMLINK_FOLLOW, AT_EMPTY_PATH,
  AT_NO_AUTOMOUNT, WOULD_BLOCK,
} from '../core/index.js';

/** How a traced argument is shown. */
export type ArgKind =
  | 'fd' | 'int' | 'uint' | 'hex' | 'size' | 'off' | 'ptr' | 'path' | 'oflags' | 'mode' | 'atflags'
  | 'whence' | 'fcntl' | 'str';

const OPEN_FLAGS: [number, string][] = [
  [O_CREAT, 'O_CREAT'], [O_EXCL, 'O_EXCL'], [O_NOCTTY, 'O_NOCTTY'], [O_TRUNC, 'O_TRUNC'],
  [O_APPEND, 'O_APPEND'], [O_NONBLOCK, 'O_NONBLOCK'], [O_SYNC, 'O_SYNC'], [O_DSYNC, 'O_DSYNC'],
  [O_ASYNC, 'O_ASYNC'], [O_DIRECT, 'O_DIRECT'], [O_LARGEFILE, 'O_LARGEFILE'], [O_TMPFILE, 'O_TMPFILE'],
  [O_DIRECTORY, 'O_DIRECTORY'], [O_NOFOLLOW, 'O_NOFOLLOW'], [O_NOATIME, 'O_NOATIME'],
  [O_CLOEXEC, 'O_CLOEXEC'], [O_PATH, 'O_PATH'],
];
const AT_FLAGS: [number, string][] = [
  [AT_SYMLINK_NOFOLLOW, 'AT_SYMLINK_NOFOLLOW'], [AT_REMOVEDIR, 'AT_REMOVEDIR'],
  [AT_SYMLINK_FOLLOW, 'AT_SYMLINK_FOLLOW'], [AT_NO_AUTOMOUNT, 'AT_NO_AUTOMOUNT'], [AT_EMPTY_PATH, 'AT_EMPTY_PATH'],
];
const WHENCE = ['SEEK_SET', 'SEEK_CUR', 'SEEK_END', 'SEEK_DATA', 'SEEK_HOLE'];
const FCNTL: Record<number, string> = {
  0: 'F_DUPFD', 1: 'F_GETFD', 2: 'F_SETFD', 3: 'F_GETFL', 4: 'F_SETFL', 5: 'F_GETLK', 6: 'F_SETLK',
  7: 'F_SETLKW', 8: 'F_SETOWN', 9: 'F_GETOWN', 12: 'F_GETLK64', 13: 'F_SETLK64', 14: 'F_SETLKW64',
  16: 'F_GETOWN_EX', 36: 'F_OFD_GETLK', 37: 'F_OFD_SETLK', 38: 'F_OFD_SETLKW', 1030: 'F_DUPFD_CLOEXEC',
  1031: 'F_SETPIPE_SZ', 1032: 'F_GETPIPE_SZ',
};

/** Names of the set bits; bits without a name are shown in hex. */
export function bitNames(value: number, table: [number, string][], zero = '0'): string {
  const names: string[] = [];
  let rest = value;
  for (const [bit, name] of table) {
    if ((rest & bit) === bit && bit !== 0) { names.push(name); rest &= ~bit; }
  }
  if (rest !== 0) names.push('0x' + (rest >>> 0).toString(16));
  return names.length === 0 ? zero : names.join('|');
}

export function openFlags(flags: number): string {
  const acc = ['O_RDONLY', 'O_WRONLY', 'O_RDWR', 'O_ACCMODE'][flags & O_ACCMODE];
  const rest = bitNames(flags & ~O_ACCMODE, OPEN_FLAGS, '');
  return rest === '' ? acc : `${acc}|${rest}`;
}

/** A byte string as a C-style quoted literal (printable ASCII as is, the rest escaped), cut at `max` bytes. */
export function quote(bytes: Uint8Array, max = 64): string {
  let s = '"';
  const n = Math.min(bytes.length, max);
  for (let i = 0; i < n; i++) {
    const c = bytes[i];
    if (c === 0x22 || c === 0x5c) s += '\\' + String.fromCharCode(c);
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else if (c === 0x0a) s += '\\n';
    else s += '\\x' + c.toString(16).padStart(2, '0');
  }
  return s + (bytes.length > n ? '"...' : '"');
}

/** One argument as the log shows it. `value` is a number, or the bytes of a string argument. */
export function formatArg(kind: ArgKind, value: number | Uint8Array): string {
  if (typeof value !== 'number') return quote(value);
  switch (kind) {
    case 'fd': return value === AT_FDCWD ? 'AT_FDCWD' : String(value);
    case 'hex': return '0x' + (value >>> 0).toString(16);
    case 'ptr': return value === 0 ? 'NULL' : '0x' + value.toString(16);
    case 'oflags': return openFlags(value);
    case 'mode': return '0' + (value >>> 0).toString(8);
    case 'atflags': return bitNames(value, AT_FLAGS);
    case 'whence': return WHENCE[value] ?? String(value);
    case 'fcntl': return FCNTL[value] ?? String(value);
    default: return String(value);
  }
}

/** The result part of a log line: the value, or -1 with the errno name as strace shows it. */
export function formatResult(result: number, errnoOffset = true): string {
  if (result === WOULD_BLOCK) return '? (would block)';
  if (errnoOffset && result < 0 && result >= -4095) return `-1 ${errnoName(-result)} (${-result})`;
  return String(result);
}

/** Where log lines go. */
export type TraceSink = (line: string) => void;
