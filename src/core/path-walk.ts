/**
 * Path resolution (path_resolution(7)): from the root, the working directory or a
 * directory descriptor, component by component, with search permission checked on
 * every directory before a name is looked up in it, symbolic links expanded in place
 * (at most 40), "." and "..", repeated and trailing slashes, and the length limits.
 * The result is the last component's parent and name and, if it exists, its inode.
 */
import { AT_FDCWD, NAME_MAX, PATH_MAX, SYMLOOP_MAX } from './constants.js';
import { EACCES, EBADF, ELOOP, ENAMETOOLONG, ENOENT, ENOTDIR, EXDEV } from './errno.js';
import { MAY_EXEC, permits } from './access.js';
import type { Cage } from './cage.js';
import type { FsState } from './fs-state.js';

/** Kinds of last component (as Linux names them). */
export const LAST_NORM = 0, LAST_DOT = 1, LAST_DOTDOT = 2, LAST_ROOT = 3;

/** Follow a symbolic link in the last component (a trailing slash always does). */
export const FOLLOW = 1;
/** Resolve only up to the last component's parent: never follow the last component, even with a trailing slash. */
export const PARENT = 2;
/** For open(O_CREAT): a trailing slash does not make the last component followed (open then fails with EISDIR). */
export const CREATE = 4;
/**
 * With PARENT: a last component longer than NAME_MAX is no error of the walk but sets
 * out.tooLong (rename walks both parents before it looks either name up, as Linux does).
 */
export const LONG_LAST = 8;

export class Lookup {
  /** Directory that holds (or would hold) the last component. */
  parent = 0;
  /** The last component (bytes as a binary string); '' for "/". */
  name = '';
  /** The inode the path names, or 0 if the last component does not exist. */
  ino = 0;
  /** LAST_NORM, LAST_DOT, LAST_DOTDOT or LAST_ROOT. */
  type = LAST_NORM;
  /** The path ends with one or more slashes after its last component. */
  slash = false;
  /** The last component is longer than NAME_MAX (only with LONG_LAST; ino is then 0). */
  tooLong = false;
}

const SLASH = 47;

/** The directory a relative path starts from: the cwd, or an open directory descriptor. */
export function startDir(fs: FsState, cage: Cage, dirfd: number): number {
  if (dirfd === AT_FDCWD) return cage.cwd;
  const file = cage.files[dirfd];
  if (file === undefined) return -EBADF;
  if (!fs.inodes.isDir(file.ino)) return -ENOTDIR;
  return file.ino;
}

/**
 * Resolves `path` (a binary string, not empty) relative to `dirfd` into `out`.
 * Returns 0, or -errno for a failure before the last component (the last component
 * itself being absent is not an error here: out.ino is 0).
 */
export function walk(fs: FsState, cage: Cage, dirfd: number, path: string, flags: number, out: Lookup): number {
  if (path.length >= PATH_MAX) return -ENAMETOOLONG;
  if (path.length === 0) return -ENOENT;
  const table = fs.inodes;
  const cred = cage.cred;
  // Confined lookups (openat2's RESOLVE_BENEATH, WASI's capability rule) stay beneath dirfd.
  const beneath = cage.beneath && dirfd !== AT_FDCWD;
  let depth = 0;
  let cur: number;
  if (path.charCodeAt(0) === SLASH) {
    if (beneath) return -EXDEV;
    cur = fs.root;
  } else {
    cur = startDir(fs, cage, dirfd);
    if (cur < 0) return cur;
  }
  let links = 0;
  let i = 0;
  let len = path.length;
  for (;;) {
    while (i < len && path.charCodeAt(i) === SLASH) i++;
    if (i >= len) {
      // Nothing but slashes left: the path names `cur` itself ("/" or a symlink to "/").
      out.parent = cur;
      out.name = '';
      out.ino = cur;
      out.type = LAST_ROOT;
      out.slash = false;
      out.tooLong = false;
      return 0;
    }
    let j = path.indexOf('/', i);
    if (j < 0) j = len;
    let k = j;
    while (k < len && path.charCodeAt(k) === SLASH) k++;
    const last = k >= len;
    if (!table.isDir(cur)) return -ENOTDIR;
    if (!permits(table, cred, cur, MAY_EXEC)) return -EACCES;
    const compLen = j - i;
    let type = LAST_NORM;
    let next: number;
    let name: string;
    if (compLen === 1 && path.charCodeAt(i) === 46) {
      type = LAST_DOT;
      name = '.';
      next = cur;
    } else if (compLen === 2 && path.charCodeAt(i) === 46 && path.charCodeAt(i + 1) === 46) {
      if (beneath && depth-- === 0) return -EXDEV;
      type = LAST_DOTDOT;
      name = '..';
      next = cur === fs.root ? cur : table.directory(cur).parent;
      if (next === 0) return -ENOENT;
    } else {
      // A removed directory answers every lookup with ENOENT, even one of a name too long.
      if (compLen > NAME_MAX && table.nlink[cur] !== 0 && !(last && flags & LONG_LAST)) return -ENAMETOOLONG;
      name = i === 0 && j === len ? path : path.substring(i, j);
      next = table.directory(cur).lookup(name);
    }
    const slash = last && j < len;
    // A symlink in the middle of a path is always followed; the last one as the flags say
    // (a trailing slash follows it too, except for O_CREAT, which then fails with EISDIR).
    if (next !== 0 && type === LAST_NORM && table.isLink(next) &&
        (!last || ((flags & PARENT) === 0 && (slash ? (flags & CREATE) === 0 : (flags & FOLLOW) !== 0)))) {
      if (++links > SYMLOOP_MAX) return -ELOOP;
      fs.touchAtime(next); // following a link reads it (Linux's pick_link)
      const target = table.payload[next] as string;
      if (target.length === 0) return -ENOENT;
      // Continue with the target in place of the link (keeping the rest, trailing slash included).
      path = target + path.substring(j);
      len = path.length;
      i = 0;
      if (target.charCodeAt(0) === SLASH) {
        if (beneath) return -EXDEV;
        cur = fs.root;
      }
      continue;
    }
    if (last) {
      // A trailing slash asks for a directory (Linux's LOOKUP_DIRECTORY); parent lookups and O_CREAT judge it themselves.
      if (slash && next !== 0 && (flags & (PARENT | CREATE)) === 0 && !table.isDir(next)) return -ENOTDIR;
      out.parent = cur;
      out.name = name;
      out.ino = next;
      out.type = type;
      out.slash = slash;
      out.tooLong = compLen > NAME_MAX && table.nlink[cur] !== 0;
      return 0;
    }
    if (next === 0) return -ENOENT;
    if (type === LAST_NORM) depth++;
    cur = next;
    i = k;
  }
}
