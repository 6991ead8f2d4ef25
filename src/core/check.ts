/**
 * A consistency check of the whole IMFS state, for tests and the fuzzer: it reads the
 * core's internals and returns what is wrong (an empty list when all is well). It never
 * changes anything. What it checks:
 * - the inode table: live inodes are exactly the numbers not on the free list, the free
 *   list holds each free number once, `live` counts them;
 * - the tree: every directory entry names a live inode by a valid name; each directory is
 *   named once, its ".." (parent) is the directory naming it, its own name matches; every
 *   inode with links is reachable from the root;
 * - link counts: a non-directory has one link per entry naming it, a directory 2 plus one
 *   per subdirectory (0 once removed); nothing without links or references stays allocated;
 * - references: each inode's refs = open file descriptions + working directories + removed
 *   subdirectories that keep it as their ".."; each description's refs = the descriptors
 *   (of every cage) that point at it; no descriptor points at a freed inode;
 * - file data: chunk sizes add up to `allocated`, all files' `allocated` to the Space total,
 *   bytes at or past the size are zero; symlink sizes; pipe reader/writer counts match the
 *   open descriptions, a FIFO's buffer is the one its descriptions use;
 * - locks: held on live inodes by live owners (a cage with a descriptor of the inode, or an
 *   open description of it), one owner's ranges never overlap.
 */
import { O_ACCMODE, O_RDONLY, O_RDWR, O_WRONLY, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG, NAME_MAX, PATH_MAX } from './constants.js';
import { Directory, FIRST_SEQ } from './directory.js';
import { FileData } from './file-data.js';
import { Pipe } from './pipe.js';
import { Cage } from './cage.js';
import type { FsState } from './fs-state.js';
import type { OpenFile } from './open-file.js';

const MAX_PROBLEMS = 20;
const ZEROS = new Uint8Array(65536);

function isZero(bytes: Uint8Array): boolean {
  for (let at = 0; at < bytes.length; at += ZEROS.length) {
    const part = bytes.subarray(at, Math.min(bytes.length, at + ZEROS.length));
    if (Buffer.compare(part, ZEROS.subarray(0, part.length)) !== 0) return false;
  }
  return true;
}

/** Reused per-inode tallies (zeroed for each check) and the list of (directory, child) pairs. */
const tallies: Uint32Array[] = [];
let pairList: Uint32Array = new Uint32Array(1024);

function grow(a: Uint32Array, min: number): Uint32Array {
  const b = new Uint32Array(Math.max(min, a.length * 2));
  b.set(a);
  return b;
}

function scratch(k: number, n: number): Uint32Array {
  let a = tallies[k];
  if (a === undefined || a.length < n) a = tallies[k] = new Uint32Array(Math.max(n, 1024));
  a.fill(0, 0, n);
  return a;
}

/** Where each file chunk lives (chunks are views of shared slabs): filled by the file loop. */
const spanBuf: ArrayBufferLike[] = [], spanOff: number[] = [], spanLen: number[] = [], spanIno: number[] = [];

/** No two chunks may share bytes (a chunk handed out twice, or used after it was given back). */
function checkAliasing(bad: (msg: string) => void): void {
  const ids = new Map<ArrayBufferLike, number>();
  const order = spanBuf.map((b, i) => {
    let id = ids.get(b);
    if (id === undefined) ids.set(b, id = ids.size);
    return [id, spanOff[i], i] as const;
  }).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  for (let j = 1; j < order.length; j++) {
    const [id, off, i] = order[j], [pid, poff, pi] = order[j - 1];
    if (id === pid && poff + spanLen[pi] > off) bad(`files ${spanIno[pi]} and ${spanIno[i]} have chunks sharing memory`);
  }
  spanBuf.length = spanOff.length = spanLen.length = spanIno.length = 0;
}

export function checkInvariants(fs: FsState): string[] {
  const problems: string[] = [];
  const bad = (msg: string) => { if (problems.length < MAX_PROBLEMS) problems.push(msg); };
  const t = fs.inodes;
  const live = (ino: number) => t.isLive(ino);

  // ---- the inode table and its free list ----
  let liveCount = 0;
  const free = scratch(5, t.next);
  for (const ino of t.freeList) {
    if (ino <= 0 || ino >= t.next) { bad(`free list holds ${ino}, which was never allocated`); continue; }
    if (free[ino] !== 0) bad(`free list holds inode ${ino} twice`);
    free[ino] = 1;
  }
  for (let ino = 1; ino < t.next; ino++) {
    const isLive = t.mode[ino] !== 0;
    if (isLive) liveCount++;
    if (isLive === (free[ino] !== 0)) bad(`inode ${ino} is ${isLive ? 'live and on the free list' : 'neither live nor on the free list'}`);
    if (!isLive && t.payload[ino] !== null && t.payload[ino] !== undefined) bad(`freed inode ${ino} keeps a payload`);
  }
  if (liveCount !== t.live) bad(`inode table counts ${t.live} live inodes, there are ${liveCount}`);
  if (!live(fs.root) || !t.isDir(fs.root)) return [...problems, `root ${fs.root} is not a live directory`];

  // ---- payloads by type ----
  let allocated = 0;
  for (let ino = 1; ino < t.next; ino++) {
    if (t.mode[ino] === 0) continue;
    const p = t.payload[ino];
    const size = t.size[ino];
    switch (t.mode[ino] & S_IFMT) {
      case S_IFDIR:
        if (!(p instanceof Directory)) bad(`directory ${ino} has no Directory payload`);
        break;
      case S_IFREG: {
        if (!(p instanceof FileData)) { bad(`regular file ${ino} has no FileData payload`); break; }
        if (!Number.isSafeInteger(size) || size < 0 || size > fs.limits.maxFileSize) bad(`file ${ino} has size ${size}`);
        let sum = 0;
        const cs = p.chunkSize;
        p.forEachChunk((k, chunk) => {
          sum += chunk.length;
          spanBuf.push(chunk.buffer); spanOff.push(chunk.byteOffset); spanLen.push(chunk.length); spanIno.push(ino);
          if (chunk.length > cs || chunk.length < 512 || (chunk.length & (chunk.length - 1)) !== 0) bad(`file ${ino} chunk ${k} has ${chunk.length} bytes (chunk size ${cs})`);
          const from = size - k * cs;
          if (from < chunk.length && !isZero(chunk.subarray(Math.max(0, from)))) bad(`file ${ino} (size ${size}) has non-zero bytes past its end in chunk ${k}`);
        });
        if (sum !== p.allocated) bad(`file ${ino} says ${p.allocated} bytes allocated, its chunks hold ${sum}`);
        allocated += p.allocated;
        break;
      }
      case S_IFLNK:
        if (typeof p !== 'string') bad(`symlink ${ino} has no target`);
        else {
          if (p.length === 0 || p.length >= PATH_MAX || size !== p.length) bad(`symlink ${ino} has a ${p.length}-byte target and size ${size}`);
          allocated += p.length; // targets count against maxBytes
        }
        break;
      case S_IFIFO:
        if (p !== null && !(p instanceof Pipe)) bad(`FIFO ${ino} has a payload that is no pipe`);
        break;
      default:
        if (p !== null) bad(`inode ${ino} (mode ${t.mode[ino].toString(8)}) has a payload`);
    }
  }
  checkAliasing(bad);
  if (allocated !== fs.space.used) bad(`Space counts ${fs.space.used} bytes used, files and symlinks hold ${allocated}`);
  if (fs.space.used > fs.space.max) bad(`Space uses ${fs.space.used} of ${fs.space.max} bytes`);

  // ---- the tree: entries, names, parents, link counts ----
  // Per-inode tallies in scratch arrays (this runs after every fuzzed call, on big trees too).
  const n = t.next;
  const links = scratch(0, n); // entries naming each non-directory
  const subdirs = scratch(1, n);
  const named = scratch(2, n); // directories named by an entry
  const reached = scratch(3, n);
  let pairs = 0; // (directory, child) pairs of non-directories, for reachability
  const rootDir = t.directory(fs.root);
  if (rootDir.parent !== fs.root) bad(`root's ".." is ${rootDir.parent}`);
  for (let ino = 1; ino < n; ino++) {
    if (t.mode[ino] === 0 || !t.isDir(ino)) continue;
    const d = t.directory(ino);
    if (!(d instanceof Directory)) continue;
    let count = 0;
    // The scan is what readdir cursors use: it must see each entry once, and lookups must agree.
    d.scan(FIRST_SEQ, (name, child) => {
      count++;
      if (name.length === 0 || name.length > NAME_MAX || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
        bad(`directory ${ino} has an entry named ${JSON.stringify(name)}`);
      }
      if (d.lookup(name) !== child) bad(`directory ${ino}: lookup of ${JSON.stringify(name)} gives ${d.lookup(name)}, its entry says ${child}`);
      if (!live(child)) { bad(`directory ${ino} entry ${JSON.stringify(name)} names freed inode ${child}`); return true; }
      if (t.isDir(child)) {
        subdirs[ino]++;
        if (named[child] !== 0) bad(`directory ${child} is named twice`);
        named[child] = 1;
        const cd = t.directory(child);
        if (cd.parent !== ino) bad(`directory ${child} (${JSON.stringify(name)} in ${ino}) has ".." ${cd.parent}`);
        if (cd.name !== name) bad(`directory ${child} is named ${JSON.stringify(name)} in ${ino} but calls itself ${JSON.stringify(cd.name)}`);
        if (child === fs.root) bad(`the root is named ${JSON.stringify(name)} in ${ino}`);
      } else {
        links[child]++;
        const at = pairs++ * 2;
        if (at + 2 > pairList.length) pairList = grow(pairList, at + 2);
        pairList[at] = ino;
        pairList[at + 1] = child;
      }
      return true;
    });
    if (count !== d.count) bad(`directory ${ino} counts ${d.count} entries, a scan finds ${count}`);
  }
  // A directory is reached when its chain of ".." (each checked above to be the one naming it) ends at the root.
  reached[fs.root] = 1;
  for (let ino = 1; ino < n; ino++) {
    if (t.mode[ino] === 0 || !t.isDir(ino) || named[ino] === 0 || reached[ino] !== 0) continue;
    let d = ino, steps = 0;
    while (reached[d] === 0 && named[d] !== 0 && steps++ < n) {
      const p = t.payload[d];
      if (!(p instanceof Directory)) break;
      d = p.parent;
    }
    if (reached[d] !== 1) continue;
    for (d = ino; reached[d] === 0; d = t.directory(d).parent) reached[d] = 1;
  }
  for (let i = 0; i < pairs; i++) if (reached[pairList[2 * i]] !== 0) reached[pairList[2 * i + 1]] = 1;
  let extraLinks = 0;
  for (let ino = 1; ino < n; ino++) {
    if (t.mode[ino] === 0) continue;
    const nlink = t.nlink[ino];
    if (t.isDir(ino)) {
      const want = ino === fs.root || named[ino] !== 0 ? 2 + subdirs[ino] : 0;
      if (nlink !== want) bad(`directory ${ino} has nlink ${nlink}, expected ${want}`);
      if (want === 0 && t.directory(ino).count !== 0) bad(`removed directory ${ino} still has entries`);
    } else if (nlink !== links[ino]) {
      bad(`inode ${ino} has nlink ${nlink}, ${links[ino]} entries name it`);
    }
    if (nlink > 0 && reached[ino] === 0) bad(`inode ${ino} has links but cannot be reached from the root`);
    if (!t.isDir(ino) && nlink > 1) extraLinks += nlink - 1;
    if (nlink === 0 && t.refs[ino] === 0) bad(`inode ${ino} has neither links nor references but is not freed`);
  }
  if (extraLinks !== fs.extraLinks) bad(`extra links counted ${fs.extraLinks}, the tree has ${extraLinks}`);
  for (const ino of fs.linkable) {
    if (!live(ino) || !t.isReg(ino) || t.nlink[ino] !== 0) bad(`linkable inode ${ino} is not a live unnamed file`);
  }
  for (const ino of fs.anonymous) {
    if (!live(ino) || t.nlink[ino] !== 0) bad(`anonymous inode ${ino} is not live and unnamed`);
  }

  // ---- cages, descriptors, references ----
  const refs = scratch(4, n);
  const addRef = (ino: number) => { if (ino > 0 && ino < n) refs[ino]++; else bad(`a reference to ${ino}, which is no inode number`); };
  const fdRefs = new Map<OpenFile, number>();
  const inodesOf = new Map<Cage, Set<number>>();
  for (const [id, cage] of fs.cages) {
    if (!(cage instanceof Cage) || cage.id !== id) bad(`cage map entry ${id} holds cage ${cage.id}`);
    if (!live(cage.cwd) || !t.isDir(cage.cwd)) bad(`cage ${id} has working directory ${cage.cwd}, not a live directory`);
    addRef(cage.cwd);
    const inos = new Set<number>();
    inodesOf.set(cage, inos);
    cage.files.forEach((file, fd) => {
      if (file === undefined) return;
      if (fd < cage.reserved.length && cage.reserved[fd]) bad(`cage ${id} fd ${fd} is open and still reserved`);
      if (!live(file.ino)) { bad(`cage ${id} fd ${fd} refers to freed inode ${file.ino}`); return; }
      inos.add(file.ino);
      fdRefs.set(file, (fdRefs.get(file) ?? 0) + 1);
    });
  }
  const readers = new Map<Pipe, number>(), writers = new Map<Pipe, number>();
  for (const [file, n] of fdRefs) {
    if (file.refs !== n) bad(`open file of inode ${file.ino} counts ${file.refs} descriptors, ${n} point at it`);
    addRef(file.ino);
    const pipe = file.pipe;
    if (pipe === null) continue;
    const acc = file.flags & O_ACCMODE;
    if (acc === O_RDONLY || acc === O_RDWR) readers.set(pipe, (readers.get(pipe) ?? 0) + 1);
    if (acc === O_WRONLY || acc === O_RDWR) writers.set(pipe, (writers.get(pipe) ?? 0) + 1);
    if ((t.mode[file.ino] & S_IFMT) !== S_IFIFO) bad(`inode ${file.ino} has a pipe end open but is no FIFO`);
    else if (t.payload[file.ino] !== pipe) bad(`FIFO ${file.ino} has an open end on a pipe that is not its buffer`);
  }
  for (const pipe of new Set([...readers.keys(), ...writers.keys()])) {
    if (pipe.readers !== (readers.get(pipe) ?? 0) || pipe.writers !== (writers.get(pipe) ?? 0)) {
      bad(`pipe counts ${pipe.readers} readers and ${pipe.writers} writers, open ends are ${readers.get(pipe) ?? 0} and ${writers.get(pipe) ?? 0}`);
    }
    if (pipe.length < 0 || pipe.length > pipe.capacity || pipe.head < 0 || pipe.head >= pipe.capacity) bad(`pipe holds ${pipe.length} bytes at ${pipe.head} of ${pipe.capacity}`);
  }
  for (let ino = 1; ino < t.next; ino++) {
    if (t.mode[ino] === 0) continue;
    const p = t.payload[ino];
    if ((t.mode[ino] & S_IFMT) === S_IFIFO && p instanceof Pipe && !readers.has(p) && !writers.has(p)) bad(`FIFO ${ino} keeps a buffer nobody has open`);
    // A removed directory still in use keeps a reference on its parent (its "..").
    if (t.isDir(ino) && t.nlink[ino] === 0 && p instanceof Directory && p.parent !== 0) addRef(p.parent);
  }
  for (let ino = 1; ino < n; ino++) {
    if (t.mode[ino] === 0) { if (refs[ino] !== 0) bad(`freed inode ${ino} is still referenced`); continue; }
    if (t.refs[ino] !== refs[ino]) bad(`inode ${ino} has refs ${t.refs[ino]}, expected ${refs[ino]}`);
  }

  // ---- locks ----
  const ranges = new Map<object, Map<number, [number, number][]>>();
  fs.locks.forEachLock((ino, owner, range) => {
    if (!live(ino)) { bad(`a lock is held on freed inode ${ino}`); return; }
    if (owner instanceof Cage) {
      if (range === null) bad(`cage ${owner.id} owns a flock lock on ${ino}`);
      if (fs.cages.get(owner.id) !== owner) bad(`a lock on ${ino} belongs to cage ${owner.id}, which has exited`);
      else if (!inodesOf.get(owner)!.has(ino)) bad(`cage ${owner.id} holds a lock on ${ino} with no descriptor of it`);
    } else {
      const file = owner as OpenFile;
      if (!fdRefs.has(file)) bad(`a lock on ${ino} belongs to a closed open file description`);
      else if (file.ino !== ino) bad(`a lock on ${ino} belongs to a description of ${file.ino}`);
    }
    if (range === null) return;
    if (!(range.start >= 0 && range.start <= range.end)) bad(`lock on ${ino} has range [${range.start}, ${range.end}]`);
    let byIno = ranges.get(owner);
    if (byIno === undefined) ranges.set(owner, byIno = new Map());
    const list = byIno.get(ino) ?? [];
    for (const [s, e] of list) if (s <= range.end && range.start <= e) bad(`one owner holds overlapping locks on ${ino}`);
    list.push([range.start, range.end]);
    byIno.set(ino, list);
  });
  return problems;
}
