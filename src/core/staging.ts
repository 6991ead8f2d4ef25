/**
 * Staging between the host and the IMFS, the only way files cross: loadFile/preloads
 * copy host files in before a cage runs (PRELOADS), dumpFile/dumps copy IMFS files out
 * after it exits (DUMPS). These run on the host side, as cage 0 (root), and report
 * problems as exceptions naming the entry and the path (host-boundary errors), except
 * dumps(), which writes every entry it can and returns the failures.
 */
import type { Stats } from 'node:fs';
import {
  AT_FDCWD, O_CREAT, O_DIRECTORY, O_RDONLY, O_TRUNC, O_WRONLY, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG,
} from './constants.js';
import { EEXIST, errnoName } from './errno.js';
import { newStat, type Stat } from './stat.js';
import { binaryToBytes, bytesToBinary, binaryToText, toBinary } from './names.js';
import { childPath, holdsDumpedDir, linkTarget, staysInside, type DumpedDir } from './dump-links.js';
import type { Imfs } from './imfs.js';
// Built-ins by getBuiltinModule, not `import * as`: the command's CommonJS bundle would copy every export (launcher.ts).
const nodefs = process.getBuiltinModule('node:fs');
const nodepath = process.getBuiltinModule('node:path');

/** The cage staging runs as: the grate itself. */
const GRATE = 0;
const COPY_CHUNK = 1 << 20;

export class StagingError extends Error {}

export interface StagingOptions {
  /** Where relative host paths start (default: process.cwd()). */
  hostCwd?: string;
  /** Called with each warning (skipped empty entries); default: console.error. */
  warn?: (message: string) => void;
}

function fail(what: string, err: number): never {
  throw new StagingError(`${what}: ${errnoName(err)}`);
}

/** The IMFS path for a staging entry: relative paths are relative to "/". */
function imfsAbsolute(p: string): string {
  return p.startsWith('/') ? p : '/' + p;
}

/** mkdir -p of the IMFS directories above `path` (mode 0755). */
function makeParents(fs: Imfs, path: string): void {
  const parts = path.split('/').filter((s) => s.length > 0);
  let at = '';
  for (let i = 0; i < parts.length - 1; i++) {
    at += '/' + parts[i];
    const r = fs.mkdir(GRATE, binaryToBytes(at), 0o755);
    if (r < 0 && r !== -EEXIST) fail(`cannot create IMFS directory '${binaryToText(at)}'`, r);
  }
}

/**
 * Copies host file or directory `hostPath` to `imfsPath` (default: the same path, the
 * host side relative to the current directory, the IMFS side relative to "/").
 * Parents are created; mode bits and modification times are kept; a directory is
 * copied recursively, its symlinks recreated as symlinks and never followed.
 * Staging a path again replaces its contents.
 */
export function loadFile(fs: Imfs, imfsPath: string, hostPath: string = imfsPath, options: StagingOptions = {}): void {
  const host = nodepath.resolve(options.hostCwd ?? process.cwd(), hostPath);
  let st: Stats;
  try {
    st = nodefs.statSync(host);
  } catch (e) {
    throw new StagingError(`cannot stage '${imfsPath}': host file '${hostPath}' ${describe(e)}`);
  }
  const target = toBinary(imfsAbsolute(imfsPath));
  if (target === null) throw new StagingError(`cannot stage '${imfsPath}': a path cannot contain a NUL byte`);
  makeParents(fs, target);
  copyIn(fs, host, target, st);
}

function describe(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'does not exist';
  if (code === 'EACCES') return 'is not readable (EACCES)';
  return `cannot be read (${code ?? String(e)})`;
}

/** Host paths below a staged directory are Buffers, so odd names cross byte for byte. */
type HostPath = string | Buffer;

function joinHost(dir: HostPath, name: Buffer): Buffer {
  return Buffer.concat([Buffer.from(dir), Buffer.from('/'), name]);
}

function show(p: HostPath): string {
  return p.toString();
}

function copyIn(fs: Imfs, host: HostPath, target: string, st: Stats): void {
  const mode = st.mode & 0o7777;
  switch (st.mode & S_IFMT) {
    case S_IFREG: copyFileIn(fs, host, target, mode); break;
    case S_IFDIR: {
      const r = fs.mkdir(GRATE, binaryToBytes(target), mode);
      if (r < 0 && r !== -EEXIST) fail(`cannot create IMFS directory '${binaryToText(target)}'`, r);
      let names: Buffer[];
      try {
        names = nodefs.readdirSync(host, { encoding: 'buffer' });
      } catch (e) {
        throw new StagingError(`cannot stage '${target}': host directory '${show(host)}' ${describe(e)}`);
      }
      for (const name of names) {
        const child = joinHost(host, name);
        const cst = nodefs.lstatSync(child);
        const ctarget = childPath(target, bytesToBinary(name));
        if (cst.isSymbolicLink()) copySymlinkIn(fs, child, ctarget);
        else copyIn(fs, child, ctarget, cst);
      }
      const c = fs.chmod(GRATE, binaryToBytes(target), mode);
      if (c < 0) fail(`cannot set the mode of IMFS directory '${binaryToText(target)}'`, c);
      break;
    }
    default:
      throw new StagingError(`cannot stage '${binaryToText(target)}': host file '${show(host)}' is not a regular file, directory or symlink`);
  }
  setTimes(fs, target, st);
}

function copySymlinkIn(fs: Imfs, host: HostPath, target: string): void {
  const linkTarget = nodefs.readlinkSync(host, { encoding: 'buffer' });
  fs.unlink(GRATE, binaryToBytes(target));
  const r = fs.symlink(GRATE, linkTarget, binaryToBytes(target));
  if (r < 0) fail(`cannot create IMFS symlink '${binaryToText(target)}'`, r);
}

function copyFileIn(fs: Imfs, host: HostPath, target: string, mode: number): void {
  let data: Buffer;
  try {
    data = nodefs.readFileSync(host);
  } catch (e) {
    throw new StagingError(`cannot stage '${binaryToText(target)}': host file '${show(host)}' ${describe(e)}`);
  }
  const fd = fs.open(GRATE, binaryToBytes(target), O_WRONLY | O_CREAT | O_TRUNC, mode);
  if (fd < 0) fail(`cannot create IMFS file '${binaryToText(target)}'`, fd);
  try {
    for (let at = 0; at < data.length;) {
      const n = fs.write(GRATE, fd, data, Math.min(COPY_CHUNK, data.length - at), at);
      if (n < 0) fail(`cannot write IMFS file '${binaryToText(target)}'`, n);
      at += n;
    }
  } finally {
    fs.close(GRATE, fd);
  }
  const c = fs.chmod(GRATE, binaryToBytes(target), mode);
  if (c < 0) fail(`cannot set the mode of IMFS file '${binaryToText(target)}'`, c);
}

function setTimes(fs: Imfs, target: string, st: Stats): void {
  // Nanosecond times from the host (bigint stat would be exact; milliseconds are what Stats carries).
  const at = { sec: Math.floor(Number(st.atimeMs) / 1000), nsec: Math.floor((Number(st.atimeMs) % 1000) * 1e6) };
  const mt = { sec: Math.floor(Number(st.mtimeMs) / 1000), nsec: Math.floor((Number(st.mtimeMs) % 1000) * 1e6) };
  fs.utimensat(GRATE, AT_FDCWD, binaryToBytes(target), [at, mt], 0x100);
}

/**
 * What one DUMPS list has written so far: the host symlinks it created (by device and
 * inode), so that a later entry never writes through one of them.
 */
interface DumpRun {
  symlinks: Set<string>;
}

/** What the copy of one entry carries down its tree. */
interface DumpWalk {
  run: DumpRun;
  /** Names the entry in warnings ("DUMPS entry '/out'"). */
  label: string;
  warn: (message: string) => void;
  /** The dumped directories from the entry's top down to the one being copied. */
  dirs: DumpedDir[];
  /** Symlinks refused (dangling, a loop, a cycle), each named in a warning. */
  refused: number;
  /** Files and bytes written in place of symlinks, held to the IMFS's own limits. */
  viaLinks: { files: number; bytes: number };
}

/**
 * Copies IMFS file or directory `imfsPath` to `hostPath` (default: the same path),
 * creating host parents. Each file is written to a temporary file beside its target,
 * flushed and renamed over it, and the directory is flushed after, so a failure or a
 * kill never leaves a truncated file: the target is the old file or the new one.
 * Below the named path, nothing on the host is followed: a host symlink where the dump
 * puts a file, a directory or a symlink is replaced, never written through. Temporary
 * files left by a dump that was killed are removed by the next dump into their directory.
 * An IMFS symlink is written as a symlink only where it stays inside the dumped tree
 * (dump-links.ts), otherwise as what it resolves to; one that resolves to nothing is
 * refused with a warning, the rest is written, and then this throws.
 */
export function dumpFile(fs: Imfs, imfsPath: string, hostPath: string = imfsPath, options: StagingOptions = {}): void {
  dumpEntry(fs, imfsPath, hostPath, options, { symlinks: new Set() }, `dump of '${imfsPath}'`);
}

function dumpEntry(fs: Imfs, imfsPath: string, hostPath: string, options: StagingOptions, run: DumpRun, label: string): void {
  const host = nodepath.resolve(options.hostCwd ?? process.cwd(), hostPath);
  const source = toBinary(imfsAbsolute(imfsPath));
  if (source === null) throw new StagingError(`cannot dump '${imfsPath}': a path cannot contain a NUL byte`);
  const st = newStat();
  const r = fs.lstat(GRATE, binaryToBytes(source), st);
  if (r < 0) fail(`cannot dump '${imfsPath}'`, r);
  const through = createdSymlinkAbove(host, run);
  if (through !== null) throw new StagingError(`cannot dump '${imfsPath}' to '${hostPath}': '${through}' is a symlink this dump created (from the IMFS); not followed`);
  const parent = nodepath.dirname(host);
  nodefs.mkdirSync(parent, { recursive: true });
  removeStaleTemps(parent);
  const walk: DumpWalk = { run, label, warn: options.warn ?? defaultWarn, dirs: [], refused: 0, viaLinks: { files: 0, bytes: 0 } };
  copyOut(fs, source, host, st, walk, false);
  syncDir(parent);
  if (walk.refused > 0) throw new StagingError(`${walk.refused} symlink${walk.refused === 1 ? '' : 's'} not written (named in the warnings); the rest was written`);
}

/** The first directory above `host` that is a symlink created earlier in this run, or null. */
function createdSymlinkAbove(host: string, run: DumpRun): string | null {
  if (run.symlinks.size === 0) return null;
  for (let at = nodepath.dirname(host); ; at = nodepath.dirname(at)) {
    const st = nodefs.lstatSync(at, { throwIfNoEntry: false });
    if (st?.isSymbolicLink() && run.symlinks.has(`${st.dev}:${st.ino}`)) return at;
    if (at === nodepath.dirname(at)) return null;
  }
}

/** Writes IMFS `source` (whose lstat is `st`) to `host`; `viaLink`: in place of a symlink. */
function copyOut(fs: Imfs, source: string, host: HostPath, st: Stat, walk: DumpWalk, viaLink: boolean): void {
  switch (st.mode & S_IFMT) {
    case S_IFREG:
      if (viaLink) charge(fs, walk, source, st.size);
      copyFileOut(fs, source, host, st.mode & 0o7777);
      break;
    case S_IFLNK: copySymlinkOut(fs, source, host, walk, viaLink); break;
    case S_IFDIR: copyDirOut(fs, source, host, st, walk, viaLink); break;
    default:
      throw new StagingError(`cannot dump '${binaryToText(source)}': not a regular file, directory or symlink`);
  }
}

/**
 * A symlink is written as a symlink where it stays inside the dumped tree; otherwise as
 * what it resolves to in the IMFS (the IMFS's rules: ELOOP after SYMLOOP_MAX links), a
 * directory copied with these same rules inside. It is refused (a warning, and the entry
 * fails once the rest is written) when it resolves to nothing, or to a directory that
 * holds the copy in progress.
 */
function copySymlinkOut(fs: Imfs, source: string, host: HostPath, walk: DumpWalk, viaLink: boolean): void {
  const st = newStat();
  const r = fs.stat(GRATE, binaryToBytes(source), st);
  if (r < 0) return refuse(fs, walk, source, `it resolves to nothing in the IMFS (${errnoName(r)})`);
  if (staysInside(fs, walk.dirs, source.slice(source.lastIndexOf('/') + 1))) {
    if (viaLink) charge(fs, walk, source, 0);
    writeHostSymlink(fs, source, host, walk.run);
    return;
  }
  if ((st.mode & S_IFMT) === S_IFDIR && holdsDumpedDir(fs, walk.dirs, st.ino)) {
    return refuse(fs, walk, source, 'it resolves to a directory that holds it (a cycle: the copy would never end)');
  }
  copyOut(fs, source, host, st, walk, true);
}

function refuse(fs: Imfs, walk: DumpWalk, source: string, why: string): void {
  const target = linkTarget(fs, source);
  const shown = typeof target === 'number' ? '' : ` -> '${binaryToText(target)}'`;
  walk.warn(`${walk.label}: symlink '${binaryToText(source)}'${shown} not written: ${why}`);
  walk.refused++;
}

/**
 * Counts one file of `bytes` written in place of a symlink. Symlinks can fan out (many
 * links to one directory holding many links…), so what they add to one entry is held to
 * what the IMFS itself can hold: past its file or byte limit the entry fails.
 */
function charge(fs: Imfs, walk: DumpWalk, source: string, bytes: number): void {
  const v = walk.viaLinks;
  v.files++;
  v.bytes += bytes;
  const { maxInodes, maxBytes } = fs.limits;
  if (v.files > maxInodes || v.bytes > maxBytes) {
    throw new StagingError(`cannot dump '${binaryToText(source)}': the files written in place of symlinks exceed what the IMFS can hold (${maxInodes} files, ${maxBytes} bytes)`);
  }
}

function writeHostSymlink(fs: Imfs, source: string, host: HostPath, run: DumpRun): void {
  const target = linkTarget(fs, source);
  if (typeof target === 'number') fail(`cannot read IMFS symlink '${binaryToText(source)}'`, target);
  const tmp = tempBeside(host);
  nodefs.symlinkSync(binaryToBytes(target), tmp);
  try {
    nodefs.renameSync(tmp, host);
  } catch (e) {
    nodefs.rmSync(tmp, { force: true });
    throw new StagingError(`cannot dump '${binaryToText(source)}' to '${show(host)}': ${(e as Error).message}`);
  }
  const st = nodefs.lstatSync(host);
  run.symlinks.add(`${st.dev}:${st.ino}`);
}

function copyDirOut(fs: Imfs, source: string, host: HostPath, st: Stat, walk: DumpWalk, viaLink: boolean): void {
  const mode = st.mode & 0o7777;
  if (viaLink) charge(fs, walk, source, 0);
  hostDirectory(source, host);
  removeStaleTemps(host);
  const fd = fs.open(GRATE, binaryToBytes(source), O_RDONLY | O_DIRECTORY);
  if (fd < 0) fail(`cannot open IMFS directory '${binaryToText(source)}'`, fd);
  walk.dirs.push({ path: source, ino: st.ino });
  const cst = newStat();
  try {
    for (;;) {
      const e = fs.readdir(GRATE, fd);
      if (e === null) break;
      if (typeof e === 'number') fail(`cannot read IMFS directory '${binaryToText(source)}'`, e);
      const name = bytesToBinary(e.bytes);
      if (name === '.' || name === '..') continue;
      const child = childPath(source, name);
      const r = fs.lstat(GRATE, binaryToBytes(child), cst);
      if (r < 0) fail(`cannot dump '${binaryToText(child)}'`, r);
      copyOut(fs, child, joinHost(host, binaryToBytes(name)), cst, walk, viaLink);
    }
  } finally {
    walk.dirs.pop();
    fs.close(GRATE, fd);
  }
  nodefs.chmodSync(host, mode);
  syncDir(host);
}

/**
 * Makes `host` a real directory: a host symlink there (to anywhere) is replaced by a
 * directory rather than followed; anything else that is not a directory is refused.
 */
function hostDirectory(source: string, host: HostPath): void {
  const st = nodefs.lstatSync(host, { throwIfNoEntry: false });
  if (st?.isDirectory()) return;
  if (st !== undefined && !st.isSymbolicLink()) {
    throw new StagingError(`cannot dump directory '${binaryToText(source)}': host path '${show(host)}' exists and is not a directory`);
  }
  if (st !== undefined) nodefs.unlinkSync(host);
  nodefs.mkdirSync(host, 0o700);
}

/**
 * Flushes a host directory, so that the names renamed or created in it survive a crash
 * of the machine (the files' data were flushed before their rename). Without it a dump
 * that reported success could come back as the old file, or as no file, after a power
 * loss. Best effort where a filesystem cannot flush a directory.
 */
function syncDir(dir: HostPath): void {
  let fd = -1;
  try {
    fd = nodefs.openSync(dir, nodefs.constants.O_RDONLY | nodefs.constants.O_DIRECTORY);
    nodefs.fsyncSync(fd);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EACCES') throw e;
  } finally {
    if (fd >= 0) nodefs.closeSync(fd);
  }
}

/** Temporary names: `.<name>.imfs-<pid>-<random>`, the name cut so that the whole fits NAME_MAX. */
const TEMP_NAME = /^\.[\s\S]*\.imfs-([0-9]+)-[0-9a-z]+$/;
const TEMP_BASE_MAX = 200;

/** A temporary name in the same host directory as `host` (so the final rename is atomic). */
function tempBeside(host: HostPath): Buffer {
  const b = Buffer.from(host);
  const slash = b.lastIndexOf(0x2f);
  const dir = slash < 0 ? Buffer.from('.') : b.subarray(0, slash);
  const base = b.subarray(slash + 1, slash + 1 + TEMP_BASE_MAX);
  return Buffer.concat([dir, Buffer.from('/.'), base, Buffer.from(`.imfs-${process.pid}-${Math.random().toString(36).slice(2)}`)]);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temporary files that a dump killed before its rename left in host directory
 * `dir` (named as tempBeside names them, by a process that no longer exists).
 */
function removeStaleTemps(dir: HostPath): void {
  let names: Buffer[];
  try {
    names = nodefs.readdirSync(dir, { encoding: 'buffer' });
  } catch {
    return;
  }
  for (const name of names) {
    const m = TEMP_NAME.exec(name.toString('latin1'));
    if (m === null || alive(Number(m[1]))) continue;
    const p = joinHost(dir, name);
    if (nodefs.lstatSync(p, { throwIfNoEntry: false })?.isDirectory() === false) nodefs.rmSync(p, { force: true });
  }
}

function copyFileOut(fs: Imfs, source: string, host: HostPath, mode: number): void {
  const fd = fs.open(GRATE, binaryToBytes(source), O_RDONLY);
  if (fd < 0) fail(`cannot open IMFS file '${binaryToText(source)}'`, fd);
  const tmp = tempBeside(host);
  let out = -1;
  try {
    out = nodefs.openSync(tmp, nodefs.constants.O_WRONLY | nodefs.constants.O_CREAT | nodefs.constants.O_EXCL, mode);
    const buf = new Uint8Array(COPY_CHUNK);
    for (;;) {
      const n = fs.read(GRATE, fd, buf);
      if (n < 0) fail(`cannot read IMFS file '${binaryToText(source)}'`, n);
      if (n === 0) break;
      let at = 0;
      while (at < n) at += nodefs.writeSync(out, buf, at, n - at);
    }
    nodefs.fchmodSync(out, mode);
    nodefs.fsyncSync(out);
    nodefs.closeSync(out);
    out = -1;
    nodefs.renameSync(tmp, host);
  } catch (e) {
    if (out >= 0) nodefs.closeSync(out);
    nodefs.rmSync(tmp, { force: true });
    throw e instanceof StagingError ? e : new StagingError(`cannot dump '${binaryToText(source)}' to '${show(host)}': ${(e as Error).message}`);
  } finally {
    fs.close(GRATE, fd);
  }
}

/** One parsed PRELOADS/DUMPS entry. */
export interface StagingEntry {
  imfsPath: string;
  hostPath: string;
}

/** Splits a staging list; empty entries and entries with an empty side are skipped with a warning, as Lind's grates do. */
export function parseStagingList(spec: string, separator: string, what: string, warn: (m: string) => void): StagingEntry[] {
  const entries: StagingEntry[] = [];
  for (const item of spec.split(separator)) {
    if (item.length === 0) {
      if (spec.length > 0) warn(`${what}: skipping an empty entry`);
      continue;
    }
    const eq = item.indexOf('=');
    if (eq < 0) { entries.push({ imfsPath: item, hostPath: item }); continue; }
    const imfsPath = item.slice(0, eq), hostPath = item.slice(eq + 1);
    if (imfsPath.length === 0 || hostPath.length === 0) {
      warn(`${what}: skipping '${item}': both sides of '=' must be non-empty`);
      continue;
    }
    entries.push({ imfsPath, hostPath });
  }
  return entries;
}

const defaultWarn = (m: string) => console.error(`imfs: warning: ${m}`);

/**
 * Why host path `p` (whose stat is `st`) cannot be staged, or null: every regular file
 * below it must open for reading and everything else be a directory or a symlink. Lets
 * preloads refuse a list before copying any of it.
 */
function unstageable(p: HostPath, st: Stats): string | null {
  try {
    switch (st.mode & S_IFMT) {
      case S_IFREG:
        nodefs.closeSync(nodefs.openSync(p, 'r'));
        return null;
      case S_IFDIR:
        for (const name of nodefs.readdirSync(p, { encoding: 'buffer' })) {
          const child = joinHost(p, name);
          const cst = nodefs.lstatSync(child);
          if (cst.isSymbolicLink()) continue;
          const why = unstageable(child, cst);
          if (why !== null) return why;
        }
        return null;
      default:
        return `host file '${show(p)}' is not a regular file, directory or symlink`;
    }
  } catch (e) {
    return `host file '${show(p)}' ${describe(e)}`;
  }
}

/**
 * Stages a PRELOADS list (`:`-separated, each `path` or `imfs_path=host_path`). Every
 * host file is checked before anything is copied, so a missing one fails the whole
 * list (naming it) and nothing is half-staged.
 */
export function preloads(fs: Imfs, spec: string, options: StagingOptions = {}): StagingEntry[] {
  const warn = options.warn ?? defaultWarn;
  const entries = parseStagingList(spec, ':', 'PRELOADS', warn);
  const cwd = options.hostCwd ?? process.cwd();
  for (const e of entries) {
    const name = e.imfsPath === e.hostPath ? e.hostPath : `${e.imfsPath}=${e.hostPath}`;
    const resolved = nodepath.resolve(cwd, e.hostPath);
    let st: Stats;
    try {
      st = nodefs.statSync(resolved);
    } catch (err) {
      throw new StagingError(`PRELOADS entry '${name}': host file '${e.hostPath}' ${describe(err)}`);
    }
    const why = unstageable(resolved, st);
    if (why !== null) throw new StagingError(`PRELOADS entry '${name}': ${why}`);
  }
  for (const e of entries) loadFile(fs, e.imfsPath, e.hostPath, options);
  return entries;
}

/** A DUMPS entry that could not be written. */
export interface DumpFailure {
  entry: StagingEntry;
  message: string;
}

/** Writes a DUMPS list (`;`-separated, each `imfs_path=host_path` or `path`); returns the entries that failed. */
export function dumps(fs: Imfs, spec: string, options: StagingOptions = {}): DumpFailure[] {
  const warn = options.warn ?? defaultWarn;
  const failures: DumpFailure[] = [];
  const run: DumpRun = { symlinks: new Set() };
  for (const entry of parseStagingList(spec, ';', 'DUMPS', warn)) {
    try {
      dumpEntry(fs, entry.imfsPath, entry.hostPath, options, run, `DUMPS entry '${entry.imfsPath}'`);
    } catch (e) {
      failures.push({ entry, message: `DUMPS entry '${entry.imfsPath}': ${(e as Error).message}` });
    }
  }
  return failures;
}
