/**
 * What a dump does with an IMFS symlink (staging.ts does the writing). A dump must never
 * plant a way out of the host tree it writes: a symlink stays a symlink only when, read on
 * the host from where the dump writes it, it leads inside the dumped tree to the copy of
 * what it leads to in the IMFS. That is decided lexically, on the host paths the dump
 * creates, by asking the IMFS what each of them is a copy of; nothing on the host is
 * looked at, let alone followed. Any other symlink is written as what it resolves to in
 * the IMFS, unless that is a directory holding the copy in progress (a cycle).
 */
import { O_DIRECTORY, O_RDONLY, PATH_MAX, S_IFDIR, S_IFLNK, S_IFMT, SYMLOOP_MAX } from './constants.js';
import { newStat, type Stat } from './stat.js';
import { binaryToBytes, bytesToBinary } from './names.js';
import type { Imfs } from './imfs.js';

/** Dumps run as the grate, cage 0 (root). */
const GRATE = 0;

/** A host directory a dump writes, and the IMFS directory it is the copy of. */
export interface DumpedDir {
  /** An IMFS path to it (a binary string; it may pass through symlinks). */
  path: string;
  /** Its inode number: a directory has one name, so this says which it is, whatever the path. */
  ino: number;
}

/** IMFS path `name` in directory `dir` (binary strings). */
export function childPath(dir: string, name: string): string {
  return dir.replace(/\/$/, '') + '/' + name;
}

/** The target of IMFS symlink `path` (a binary string), or -errno. */
export function linkTarget(fs: Imfs, path: string): string | number {
  const buf = new Uint8Array(PATH_MAX);
  const n = fs.readlink(GRATE, binaryToBytes(path), buf);
  return n < 0 ? n : bytesToBinary(buf, 0, n);
}

/** lstat of IMFS path `path`, or null when it does not exist (or cannot be reached). */
function lstatOrNull(fs: Imfs, path: string): Stat | null {
  const st = newStat();
  return fs.lstat(GRATE, binaryToBytes(path), st) < 0 ? null : st;
}

/**
 * Whether symlink `name`, in the last of `dirs` (the dumped directories from the top of
 * the tree down to the one holding it), may be written as a symlink: its target is
 * relative, and component by component it stays inside the dumped tree and means there
 * what it means in the IMFS. "." and empty components (`//`, a trailing `/`) stay put;
 * ".." climbs to the dumped directory above, never above the top, and only where that is
 * the IMFS parent too (not out of a directory copied in place of a symlink); every name
 * walked through is a real IMFS directory (a symlink on the way is not followed); the last
 * name exists, and if it is a symlink it passes this same test (at most SYMLOOP_MAX of them).
 * The caller has checked that the link resolves in the IMFS.
 */
export function staysInside(fs: Imfs, dirs: readonly DumpedDir[], name: string, hops = 0): boolean {
  if (dirs.length === 0 || hops > SYMLOOP_MAX) return false;
  const target = linkTarget(fs, childPath(dirs[dirs.length - 1].path, name));
  if (typeof target === 'number' || target === '' || target.startsWith('/')) return false;
  const names = target.split('/').filter((c) => c !== '' && c !== '.');
  const at = [...dirs];
  for (let i = 0; i < names.length; i++) {
    const here = at[at.length - 1];
    if (names[i] === '..') {
      if (at.length === 1 || lstatOrNull(fs, childPath(here.path, '..'))?.ino !== at[at.length - 2].ino) return false;
      at.pop();
      continue;
    }
    const st = lstatOrNull(fs, childPath(here.path, names[i]));
    if (st === null) return false;
    const type = st.mode & S_IFMT;
    if (i === names.length - 1) return type !== S_IFLNK || staysInside(fs, at, names[i], hops + 1);
    if (type !== S_IFDIR) return false;
    at.push({ path: childPath(here.path, names[i]), ino: st.ino });
  }
  return true;
}

/**
 * Whether IMFS directory `ino` is one of `dirs` or holds one of them, so that copying it
 * would copy the copy in progress again, without end (a symlink to an ancestor). Walks up
 * from each of `dirs` by "..", through descriptors (no path grows), each directory once.
 */
export function holdsDumpedDir(fs: Imfs, dirs: readonly DumpedDir[], ino: number): boolean {
  const seen = new Set<number>();
  const st = newStat();
  for (const d of dirs) {
    let fd = fs.open(GRATE, binaryToBytes(d.path), O_RDONLY | O_DIRECTORY);
    try {
      for (;;) {
        // A directory that cannot be walked up from counts as holding it: refusing is safe.
        if (fd < 0 || fs.fstat(GRATE, fd, st) < 0 || st.ino === ino) return true;
        if (seen.has(st.ino)) break;
        seen.add(st.ino);
        const up = fs.openat(GRATE, fd, '..', O_RDONLY | O_DIRECTORY);
        fs.close(GRATE, fd);
        fd = up;
      }
    } finally {
      if (fd >= 0) fs.close(GRATE, fd);
    }
  }
  return false;
}
