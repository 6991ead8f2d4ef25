/**
 * Differential testing: a seeded random sequence of filesystem operations is applied to
 * the IMFS and to a real tmpfs directory (/dev/shm) on the Linux host, comparing every
 * result and errno, and the whole trees every few steps and at the end. The first
 * divergence throws an Error naming the seed, the step and the last operations with
 * both sides' results, so that `SEED=<seed> COUNT=<step+1>` reproduces it.
 *
 * With `creds`, each step runs as root or one of USERS on both sides (ImfsSide.become,
 * HostSide.become: the host process switches its effective ids, so this mode runs in a
 * child process, see creds-main.ts), the root starts at mode 0777, and umask steps, chown
 * to the users' ids and modes that share writing are added. The harness acts as root for
 * its own snapshots and time stamping. What cannot be compared is listed below.
 */
import {
  O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_DIRECTORY, O_NOFOLLOW, O_TMPFILE, O_NOATIME,
  SEEK_SET, SEEK_CUR, SEEK_END, SEEK_DATA, SEEK_HOLE, ENXIO, errnoName,
} from '../../src/core/index.js';
import { readFileSync } from 'node:fs';
import { Rng } from './rng.js';
import { HostSide, ImfsSide, ROOT, TIME_SENTINEL, type Entry, type ReadR, type Res, type User } from './sides.js';

type Side = ImfsSide | HostSide;

interface Op {
  /** How the step reads in a failure report. */
  text: string;
  /** Paths the step resolves (checked for escaping the root before it runs). */
  paths: string[];
  /** Paths whose last component the step does not follow (unless a trailing slash asks for it). */
  lpaths?: string[];
  /** Not to be timestamp-checked (see "What is not compared"). */
  untimed?: boolean;
  /** The step treats the root itself differently from a directory (see rootItself). */
  rootSensitive?: boolean;
  /** The step walks its path with the real ids (access(2)), which stay root's in the creds mode. */
  realIds?: boolean;
  run(side: Side): Res;
  /** Called with both results after they compared equal (bookkeeping of handles). */
  after?(result: Res): void;
}

export interface RunOptions {
  seed: number;
  count: number;
  /** A full tree comparison every this many steps (and at the end). */
  treeEvery?: number;
  /** Probability that a step is timestamp-checked (see stampTimes). */
  timeCheck?: number;
  /**
   * Credentials switched: each step runs as one of USERS on both sides, and umask steps
   * are made. The host side needs a root process's main thread (process.seteuid).
   */
  creds?: boolean;
}

export interface RunStats {
  steps: number;
  /** Steps not run, by reason (see "What is not compared"). */
  skipped: Record<string, number>;
  trees: number;
  timeChecks: number;
  /** Entries in the trees compared, added up (divide by trees for the mean size). */
  entries: number;
  /** Agreed outcomes per operation: "ok" or the errno name → count. */
  byOp: Record<string, Record<string, number>>;
  /** With creds: agreed outcomes per user ("uid:gid"). */
  byUser: Record<string, Record<string, number>>;
}

const NAMES = ['a', 'b', 'c', 'd'];
const MODES = [0o644, 0o600, 0o755, 0o777, 0o700, 0o444, 0o000, 0o4755, 0o2755, 0o2775, 0o1777, 0o6711, 0o7777, 0o640,
  0o3777, 0o2777, 0o666, 0o660];
/**
 * The credentialed mode's users. 1001 shares gid 1000 with 1000 through its effective gid
 * and has 1002 (1002's own group) and 1003 (nobody's) as supplementary groups; 1002 has
 * none at all. Real ids stay 0 (node can switch only the effective ones).
 */
const USERS: readonly User[] = [
  ROOT,
  { uid: 1000, gid: 1000, groups: [1000] },
  { uid: 1001, gid: 1000, groups: [1002, 1003] },
  { uid: 1002, gid: 1002, groups: [] },
];
/** Modes that let the group or others write (creds mode: else most of the tree is soon closed to the users). */
const SHARED_MODES = [0o777, 0o1777, 0o2777, 0o3777, 0o775, 0o2775, 0o666, 0o664, 0o770, 0o1770, 0o6777, 0o4777];
const UMASKS = [0o022, 0o002, 0o077, 0o000, 0o027, 0o007];
/** Times utimes sets (seconds; compared exactly, see StatR). */
const TIMES = [TIME_SENTINEL, 2000, 3000];
const MAX_OPEN = 12;
const HISTORY = 14;

/** The host's umask (process.umask cannot be changed in a worker thread): the IMFS cage gets the same. */
function hostUmask(): number {
  const m = /^Umask:\s*([0-7]+)/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return m === null ? 0o022 : parseInt(m[1], 8);
}

// ---- showing and comparing results ------------------------------------------------

function show(r: Res): string {
  if (typeof r === 'number') return r < 0 ? `-${errnoName(r)}` : String(r);
  if (typeof r === 'string') return JSON.stringify(r);
  if (Array.isArray(r)) return `[${r.join(' ')}]`;
  if ('data' in r) return `read ${r.n}: ${r.data.subarray(0, 16).toString('hex')}${r.n > 16 ? '…' : ''}`;
  return `${r.type} ${r.mode} nlink=${r.nlink} size=${r.size} uid=${r.uid} gid=${r.gid}` +
    `${r.atime === null ? '' : ` atime=${r.atime}`}${r.mtime === null ? '' : ` mtime=${r.mtime}`}` +
    `${r.ctime1 === undefined ? '' : r.ctime1 ? ' ctime=changed' : ' ctime=same'}`;
}

function same(a: Res, b: Res): boolean {
  if (typeof a !== 'object' || typeof b !== 'object') return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => x === b[i]);
  }
  if ('data' in a || 'data' in b) {
    return 'data' in a && 'data' in b && a.n === b.n && (a as ReadR).data.equals((b as ReadR).data);
  }
  return a.type === b.type && a.mode === b.mode && a.nlink === b.nlink && a.size === b.size &&
    a.uid === b.uid && a.gid === b.gid && a.atime === b.atime && a.mtime === b.mtime && a.ctime1 === b.ctime1;
}

function firstDiff(a: Buffer, b: Buffer): string {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return `first difference at byte ${i}: ${a[i]} vs ${b[i]}`;
  return `lengths ${a.length} vs ${b.length}`;
}

/** Differences between two snapshots (IMFS first), as text lines; empty if they agree. */
function compareTrees(mine: Entry[], real: Entry[]): string[] {
  const out: string[] = [];
  const byPath = new Map(real.map((e) => [e.path, e]));
  const inoMine = new Map<number, number>(), inoReal = new Map<number, number>();
  for (const m of mine) {
    const r = byPath.get(m.path);
    if (r === undefined) { out.push(`${m.path}: only in the IMFS (${show(m)})`); continue; }
    byPath.delete(m.path);
    if (!same(m, r)) out.push(`${m.path}: imfs ${show(m)} | host ${show(r)}`);
    if (m.target !== r.target) out.push(`${m.path}: symlink target imfs ${JSON.stringify(m.target)} | host ${JSON.stringify(r.target)}`);
    if (m.data !== undefined && r.data !== undefined && !m.data.equals(r.data)) {
      out.push(`${m.path}: contents differ, ${firstDiff(m.data, r.data)}`);
    }
    // Hard links: the same inode on one side must be the same inode on the other.
    const a = inoMine.get(m.ino), b = inoReal.get(r.ino);
    if ((a !== undefined && a !== r.ino) || (b !== undefined && b !== m.ino)) {
      out.push(`${m.path}: hard-link structure differs (shares an inode with another path on one side only)`);
    }
    inoMine.set(m.ino, r.ino);
    inoReal.set(r.ino, m.ino);
  }
  for (const r of byPath.values()) out.push(`${r.path}: only on the host (${show(r)})`);
  return out;
}

// ---- the run ----------------------------------------------------------------------

export function runDifferential(options: RunOptions): RunStats {
  const { seed, count } = options;
  const creds = options.creds === true;
  const treeEvery = options.treeEvery ?? 40;
  const timeCheck = options.timeCheck ?? 0.04;
  const rng = new Rng(seed);
  const imfs = new ImfsSide(hostUmask());
  // Other users must be able to create in the root (random chmods may take that away again).
  if (creds) imfs.fs.chmod(0, '/', 0o777);
  const rootMode = (imfs.lstatPath('.') as { mode: string }).mode;
  const host = new HostSide(parseInt(rootMode, 8), creds);
  const stats: RunStats = { steps: 0, skipped: {}, trees: 0, timeChecks: 0, entries: 0, byOp: {}, byUser: {} };
  /** Who the next step runs as (creds mode), and whom both sides act as now. */
  let user = ROOT;
  let current = ROOT;
  const become = (u: User): void => {
    if (u === current) return;
    imfs.become(u);
    host.become(u);
    current = u;
  };
  const history: string[] = [];
  let open: number[] = [];
  /** The open flags of each handle (for the generator's choices only). */
  const openFlags = new Map<number, number>();
  let nextHandle = 1;
  let known: string[] = [];
  let step = 0;

  const fail = (what: string): never => {
    throw new Error([
      `differential divergence: seed ${seed}, step ${step}`,
      `reproduce: SEED=${seed} COUNT=${step + 1} npx vitest run test/differential.test.ts -t ${creds ? 'credentials' : 'root'}`,
      what,
      `last operations (imfs | host):`,
      ...history,
    ].join('\n'));
  };

  const compareAll = (label: string): void => {
    become(ROOT);
    const mine = imfs.snapshot(), real = host.snapshot();
    stats.trees++;
    stats.entries += mine.length;
    const diffs = compareTrees(mine, real);
    if (diffs.length > 0) fail(`trees differ ${label}:\n  ${diffs.slice(0, 20).join('\n  ')}`);
    for (const h of open) {
      const a = imfs.fstat(h), b = host.fstat(h);
      if (!same(a, b)) fail(`fstat of open handle #${h} differs ${label}: imfs ${show(a)} | host ${show(b)}`);
    }
    known = mine.map((e) => e.path).filter((p) => p !== '.');
  };

  // -- generators --

  const name = (): string => {
    const r = rng.next();
    return r < 0.05 ? '.' : r < 0.1 ? '..' : rng.pick(NAMES);
  };

  /** Paths are kept to depth 3 or so (rename can still move subtrees deeper). */
  const shallow = (p: string): boolean => p.split('/').length < 3;

  /** A path: `existing` makes it likelier to name something that exists (from the last snapshot). */
  const genPath = (existing = 0.3): string => {
    let p: string;
    if (known.length > 0 && rng.chance(existing)) {
      p = rng.pick(known);
      if (rng.chance(0.2) && shallow(p)) p += `/${name()}`;
    } else {
      const depth = rng.weighted({ 1: 50, 2: 32, 3: 18 });
      const parts: string[] = [];
      for (let i = 0; i < Number(depth); i++) parts.push(i === 0 ? rng.pick(NAMES) : name());
      p = parts.join('/');
    }
    if (rng.chance(0.05)) p = `/${p}`;
    if (rng.chance(0.06)) p += '/';
    if (rng.chance(0.01)) p = rng.pick(['', '.', '/', './']);
    return p;
  };

  /** A path for something to be created: often a fresh name inside an existing entry. */
  const genNew = (): string => {
    const dirs = known.filter(shallow);
    return dirs.length > 0 && rng.chance(0.5) ? `${rng.pick(dirs)}/${rng.pick(NAMES)}` : genPath(0.15);
  };

  const genTarget = (): string => {
    const r = rng.next();
    if (r < 0.02) return '';
    if (r < 0.1) return `/${genPath().replace(/^\/+/, '')}`;
    if (r < 0.25) return `../${genPath().replace(/^\/+/, '')}`;
    if (r < 0.3) return rng.pick(['.', '..', './a', 'a/..']);
    return genPath().replace(/^\/+/, '');
  };

  const genSize = (): number => {
    const r = rng.next();
    if (r < 0.1) return 0;
    if (r < 0.6) return rng.range(1, 64);
    if (r < 0.9) return rng.range(65, 6000);
    return rng.range(6001, 40000);
  };

  const genOffset = (): number => {
    const r = rng.next();
    if (r < 0.3) return rng.range(0, 100);
    if (r < 0.6) return rng.range(0, 20000);
    if (r < 0.85) return 16384 * rng.range(1, 4) + rng.range(-8, 8);
    return rng.range(20000, 300000);
  };

  const genFlags = (): number => {
    let flags = Number(rng.weighted({ [O_RDONLY]: 35, [O_WRONLY]: 25, [O_RDWR]: 38, 3: 2 } as Record<string, number>));
    if (rng.chance(0.55)) flags |= O_CREAT;
    if (rng.chance(0.15)) flags |= O_EXCL;
    if (rng.chance(0.2)) flags |= O_TRUNC;
    if (rng.chance(0.2)) flags |= O_APPEND;
    if (rng.chance(0.08)) flags |= O_DIRECTORY;
    if (rng.chance(0.12)) flags |= O_NOFOLLOW;
    if (rng.chance(0.04)) flags |= O_TMPFILE;
    if (rng.chance(0.05)) flags |= O_NOATIME;
    return flags;
  };

  /** 2 to 4 iovecs: libuv turns a single one into read/write (whose rules differ for 0 bytes). */
  const genIov = (): number[] => Array.from({ length: rng.range(2, 4) }, () => 0);

  /** An owner or group id for chown: -1 leaves it alone. */
  const genId = (): number => rng.pick(creds ? [-1, -1, 0, 1000, 1001, 1002, 1003] : [-1, -1, 0, 1000, 1001]);

  const genMode = (): number => (creds && rng.chance(0.4) ? rng.pick(SHARED_MODES) : rng.chance(0.2) ? rng.int(0o10000) : rng.pick(MODES));

  /**
   * An open handle mostly, sometimes one that is closed (EBADF on both sides). `access`
   * (O_RDONLY/O_WRONLY bit test on the open flags) makes a handle opened for it likelier.
   */
  const handle = (access?: 'r' | 'w'): number => {
    if (open.length === 0 || rng.chance(0.06)) return rng.range(1, nextHandle);
    if (access !== undefined && rng.chance(0.8)) {
      const fit = open.filter((h) => { const m = openFlags.get(h)! & 3; return m === O_RDWR || m === (access === 'r' ? O_RDONLY : O_WRONLY); });
      if (fit.length > 0) return rng.pick(fit);
    }
    return rng.pick(open);
  };

  const flagText = (f: number): string => {
    const names = [['O_WRONLY', 'O_RDWR', 'O_ACCMODE'][(f & 3) - 1] ?? 'O_RDONLY'];
    for (const [bit, n] of [[O_TMPFILE, 'O_TMPFILE'], [O_CREAT, 'O_CREAT'], [O_EXCL, 'O_EXCL'], [O_TRUNC, 'O_TRUNC'], [O_APPEND, 'O_APPEND'],
      [O_DIRECTORY, 'O_DIRECTORY'], [O_NOFOLLOW, 'O_NOFOLLOW'], [O_NOATIME, 'O_NOATIME']] as const) if ((f & bit) === bit && (bit !== O_DIRECTORY || (f & O_TMPFILE) !== O_TMPFILE)) names.push(n);
    return names.join('|');
  };
  const q = (p: string) => JSON.stringify(p);
  const oct = (m: number) => `0${m.toString(8)}`;

  const genClose = (): Op => {
    const h = handle();
    return { text: `close(#${h})`, paths: [], run: (s) => s.close(h), after: () => { open = open.filter((x) => x !== h); } };
  };

  const genOp = (): Op | null => {
    const kind = rng.weighted({
      open: 16, close: 6, read: 6, pread: 4, write: 7, pwrite: 5, lseek: 6, ftruncate: 3, truncate: 2,
      fsync: 1, fdatasync: 1, dup: 2, fstat: 3, stat: 4, lstat: 3, mkdir: 4, rmdir: 4, unlink: 5, link: 3,
      symlink: 4, readlink: 2, rename: 7, chmod: 3, access: 1, readdir: 3, chown: 1, lchown: 1, fchown: 1,
      fchmod: 1, readv: 2, writev: 2, preadv: 1, pwritev: 1, utimes: 1, lutimes: 1, futimes: 1,
      umask: creds ? 1 : 0, // process.umask cannot change it in a worker thread
    });
    switch (kind) {
      case 'open': {
        if (open.length >= MAX_OPEN) return genClose();
        const path = genPath(), flags = genFlags(), mode = genMode(), h = nextHandle++;
        return {
          text: `#${h} = open(${q(path)}, ${flagText(flags)}, ${oct(mode)})`,
          ...(flags & O_NOFOLLOW ? { paths: [], lpaths: [path] } : { paths: [path] }), rootSensitive: (flags & O_CREAT) !== 0,
          run: (s) => s.open(h, path, flags, mode),
          after: (r) => { if (r === 0) { open.push(h); openFlags.set(h, flags); } },
        };
      }
      case 'close': return genClose();
      case 'read': {
        const h = handle('r'), n = Math.max(1, genSize()); // node skips the syscall for 0 bytes
        return { text: `read(#${h}, ${n})`, paths: [], run: (s) => s.read(h, n) };
      }
      case 'pread': {
        const h = handle('r'), n = Math.max(1, genSize()), off = genOffset();
        return { text: `pread(#${h}, ${n}, ${off})`, paths: [], run: (s) => s.pread(h, n, off) };
      }
      case 'write': {
        const h = handle('w'), data = rng.bytes(genSize());
        return { text: `write(#${h}, ${data.length} bytes)`, paths: [], run: (s) => s.write(h, data) };
      }
      case 'pwrite': {
        const h = handle('w'), data = rng.bytes(genSize()), off = genOffset();
        return { text: `pwrite(#${h}, ${data.length} bytes, ${off})`, paths: [], run: (s) => s.pwrite(h, data, off) };
      }
      case 'readv':
      case 'preadv': {
        // (Unlike readSync, readvSync makes the syscall even for 0 bytes.)
        const h = handle('r'), sizes = genIov().map(genSize), off = kind === 'preadv' ? genOffset() : undefined;
        return {
          text: `${kind}(#${h}, [${sizes.join(' ')}]${off === undefined ? '' : `, ${off}`})`, paths: [],
          run: (s) => s.readv(h, sizes, off),
        };
      }
      case 'writev':
      case 'pwritev': {
        const h = handle('w'), bufs = genIov().map(() => rng.bytes(genSize())), off = kind === 'pwritev' ? genOffset() : undefined;
        return {
          text: `${kind}(#${h}, [${bufs.map((b) => b.length).join(' ')}]${off === undefined ? '' : `, ${off}`})`, paths: [],
          run: (s) => s.writev(h, bufs, off),
        };
      }
      case 'lseek': return genLseek();
      case 'ftruncate': {
        const h = handle('w'), len = genOffset();
        return { text: `ftruncate(#${h}, ${len})`, paths: [], run: (s) => s.ftruncate(h, len) };
      }
      case 'truncate': {
        const path = genPath(0.6), len = genOffset();
        return { text: `truncate(${q(path)}, ${len})`, paths: [path], untimed: true, run: (s) => s.truncate(path, len) };
      }
      case 'fsync': {
        const h = handle();
        return { text: `fsync(#${h})`, paths: [], run: (s) => s.fsync(h) };
      }
      case 'fdatasync': {
        const h = handle();
        return { text: `fdatasync(#${h})`, paths: [], run: (s) => s.fdatasync(h) };
      }
      case 'dup': {
        if (open.length >= MAX_OPEN) return genClose();
        const h = handle(), nh = nextHandle++;
        return {
          text: `#${nh} = dup(#${h})`, paths: [], run: (s) => s.dup(h, nh),
          after: (r) => { if (r === 0) { open.push(nh); openFlags.set(nh, openFlags.get(h) ?? 0); } },
        };
      }
      case 'fstat': {
        const h = handle();
        return { text: `fstat(#${h})`, paths: [], run: (s) => s.fstat(h) };
      }
      case 'stat': {
        const path = genPath(0.6);
        return { text: `stat(${q(path)})`, paths: [path], run: (s) => s.statPath(path) };
      }
      case 'lstat': {
        const path = genPath(0.6);
        return { text: `lstat(${q(path)})`, paths: [], lpaths: [path], run: (s) => s.lstatPath(path) };
      }
      case 'mkdir': {
        const path = genNew(), mode = genMode();
        return { text: `mkdir(${q(path)}, ${oct(mode)})`, paths: [path], run: (s) => s.mkdir(path, mode) };
      }
      case 'rmdir': {
        const path = genPath(0.6);
        return { text: `rmdir(${q(path)})`, paths: [], lpaths: [path], rootSensitive: true, run: (s) => s.rmdir(path) };
      }
      case 'unlink': {
        const path = genPath(0.6);
        return { text: `unlink(${q(path)})`, paths: [], lpaths: [path], run: (s) => s.unlink(path) };
      }
      case 'link': {
        const a = genPath(0.7), b = genNew();
        return { text: `link(${q(a)}, ${q(b)})`, paths: [], lpaths: [a, b], run: (s) => s.link(a, b) };
      }
      case 'symlink': {
        const t = genTarget(), p = genNew();
        // Also checked: the target as seen from the link's directory, so that links which
        // would lead above the root (and make later steps skip) are rarely made.
        const dir = p.replace(/\/+$/, '').split('/').slice(0, -1).join('/');
        const seen = t.startsWith('/') || dir === '' ? t : `${dir}/${t}`;
        return { text: `symlink(${q(t)}, ${q(p)})`, paths: [seen], lpaths: [p], run: (s) => s.symlink(t, p) };
      }
      case 'readlink': {
        const path = genPath(0.6);
        return { text: `readlink(${q(path)})`, paths: [], lpaths: [path], run: (s) => s.readlink(path) };
      }
      case 'rename': {
        const a = genPath(0.7), b = rng.chance(0.15) ? `${a.replace(/\/+$/, '')}/${rng.pick(NAMES)}` : rng.chance(0.5) ? genNew() : genPath(0.5);
        return { text: `rename(${q(a)}, ${q(b)})`, paths: [], lpaths: [a, b], rootSensitive: true, run: (s) => s.rename(a, b) };
      }
      case 'chmod': {
        const path = genPath(0.6), mode = genMode();
        return { text: `chmod(${q(path)}, ${oct(mode)})`, paths: [path], run: (s) => s.chmod(path, mode) };
      }
      case 'chown':
      case 'lchown': {
        const path = genPath(0.6), uid = genId(), gid = genId();
        return {
          text: `${kind}(${q(path)}, ${uid}, ${gid})`, ...(kind === 'chown' ? { paths: [path] } : { paths: [], lpaths: [path] }),
          run: (s) => (kind === 'chown' ? s.chown(path, uid, gid) : s.lchown(path, uid, gid)),
        };
      }
      case 'fchown': {
        const h = handle(), uid = genId(), gid = genId();
        return { text: `fchown(#${h}, ${uid}, ${gid})`, paths: [], run: (s) => s.fchown(h, uid, gid) };
      }
      case 'fchmod': {
        const h = handle(), mode = genMode();
        return { text: `fchmod(#${h}, ${oct(mode)})`, paths: [], run: (s) => s.fchmod(h, mode) };
      }
      case 'utimes':
      case 'lutimes': {
        const path = genPath(0.6), at = rng.pick(TIMES), mt = rng.pick(TIMES);
        return {
          text: `${kind}(${q(path)}, ${at}, ${mt})`, ...(kind === 'utimes' ? { paths: [path] } : { paths: [], lpaths: [path] }),
          run: (s) => (kind === 'utimes' ? s.utimes(path, at, mt) : s.lutimes(path, at, mt)),
        };
      }
      case 'futimes': {
        const h = handle(), at = rng.pick(TIMES), mt = rng.pick(TIMES);
        return { text: `futimes(#${h}, ${at}, ${mt})`, paths: [], run: (s) => s.futimes(h, at, mt) };
      }
      case 'umask': {
        const mask = rng.chance(0.3) ? rng.int(0o1000) : rng.pick(UMASKS);
        return { text: `umask(${oct(mask)})`, paths: [], run: (s) => s.umask(mask) };
      }
      case 'access': {
        const path = genPath(0.6), mode = rng.int(8);
        return { text: `access(${q(path)}, ${mode})`, paths: [path], realIds: true, run: (s) => s.access(path, mode) };
      }
      case 'readdir': {
        const path = genPath(0.6);
        return { text: `readdir(${q(path)})`, paths: [path], run: (s) => s.readdir(path) };
      }
    }
    return null;
  };

  // ---- What is not compared, and why (the one place for deliberate exclusions) ----
  // - lseek on a directory: node:fs has no lseek; the host side keeps regular files' offsets
  //   itself (sides.ts, Desc) but a directory offset is getdents' business, so it is skipped.
  // - SEEK_DATA / SEEK_HOLE: not possible through node:fs, and where a filesystem reports
  //   holes is its own choice (tmpfs pages vs our chunks). The IMFS answer is checked
  //   against the real file's bytes instead (checkSeekData), then both offsets follow it.
  // - ".." above the root: the IMFS root is "/" (its ".." is itself), the host root is a
  //   directory whose ".." leaves it. A step whose paths would walk above the root (after
  //   following symlinks, as the host resolves them) is skipped (escapes()).
  // - The root itself as the whole path ("/", "//") of rmdir, rename or open(O_CREAT): the
  //   IMFS root is a real root (Linux: EBUSY, EBUSY, EEXIST/EISDIR as for "/"), the host's
  //   is an ordinary directory named with a trailing slash (ENOTEMPTY or removed, EINVAL,
  //   EISDIR). Such steps are skipped (rootItself()).  "/." and "a/.." are compared.
  // - truncate is open(O_WRONLY) + ftruncate on the host (node's truncateSync opens O_RDWR,
  //   which would also ask for read permission), and ftruncate stamps mtime and ctime even
  //   when the size stays (truncate(2) does not): the host side puts atime/mtime back then
  //   (HostSide.truncate), and truncate steps are never timestamp-checked (ctime).
  // - Stat fields: ino, dev, blocks, blksize are not compared (inode numbers are matched
  //   only as hard-link structure). Times are compared only as "atime/mtime one the test
  //   set (the sentinel of stampTimes, a utimes value) or not" and, in a timestamp-checked
  //   step, "ctime changed by the step or not" (markCtimes waits for the host clock to tick
  //   first); a time taken from a clock is never compared as a value.
  // With credentials switched (creds):
  // - access(2) checks the real ids, and node can switch only the effective ones (there is
  //   no setreuid): the host's access decides as root, so the IMFS cage keeps real uid/gid 0
  //   too and access steps compare that (root's answers, with the user's groups). access as
  //   another real user is pinned by test/conformance/permissions.test.ts.
  // - utimes as "now" (NULL, or UTIME_NOW for both): the rule "owner, root or write
  //   permission, else EACCES" cannot be reached through node 20's fs, which always passes
  //   explicit times (libuv 1.46 has no UTIME_NOW/UTIME_OMIT mapping: non-finite times give
  //   EINVAL). Only explicit times are compared (owner or root, else EPERM); the "now" rule
  //   is pinned by test/conformance/utimensat.test.ts.
  // - umask steps are made only in this mode: process.umask cannot change it in a worker thread.
  const genLseek = (): Op | null => {
    const h = handle();
    if (host.isDirHandle(h)) return null;
    const whence = Number(rng.weighted({ [SEEK_SET]: 30, [SEEK_CUR]: 25, [SEEK_END]: 25, [SEEK_DATA]: 10, [SEEK_HOLE]: 10 } as Record<string, number>));
    const off = whence === SEEK_SET ? (rng.chance(0.05) ? -rng.range(1, 100) : genOffset())
      : whence >= SEEK_DATA ? (rng.chance(0.05) ? -1 : genOffset()) : rng.range(-20000, 20000);
    const text = `lseek(#${h}, ${off}, ${['SEEK_SET', 'SEEK_CUR', 'SEEK_END', 'SEEK_DATA', 'SEEK_HOLE'][whence]})`;
    if (whence < SEEK_DATA) return { text, paths: [], run: (s) => s.lseek(h, off, whence) };
    let mine = 0;
    return {
      text, paths: [],
      run: (s) => {
        if (s === imfs) return (mine = imfs.lseek(h, off, whence));
        // Host: the IMFS answer, if it is a correct one for the real file (else the check fails).
        const r = mine;
        const why = checkSeekData(h, off, whence, r);
        if (why !== null) fail(`${text}: the IMFS answer ${show(r)} is wrong for the file on the host: ${why}`);
        if (r >= 0) host.setPos(h, r);
        return r;
      },
    };
  };

  /** Whether `r` is a correct SEEK_DATA/SEEK_HOLE answer for the host's file; null if so, else why not. */
  const checkSeekData = (h: number, off: number, whence: number, r: number): string | null => {
    const bad = host.fstat(h);
    if (typeof bad === 'number') return r === bad ? null : `the host fstat says ${show(bad)}`;
    const size = host.fileSize(h);
    if (off < 0 || off >= size) return r === -ENXIO ? null : `offset ${off} is outside the file (size ${size}): ENXIO expected`;
    const zeros = (from: number, to: number) => host.peek(h, from, to - from).every((b) => b === 0);
    if (whence === SEEK_DATA) {
      if (r === -ENXIO) return zeros(off, size) ? null : 'there are nonzero bytes after the offset';
      if (r < off || r >= size) return `data must be found in [${off}, ${size})`;
      return zeros(off, r) ? null : 'nonzero bytes were skipped as a hole';
    }
    if (r < off || r > size) return `a hole must be found in [${off}, ${size}]`;
    return r === size || zeros(r, r + 1) ? null : 'the hole starts with a nonzero byte';
  };

  const rootItself = (op: Op): boolean =>
    op.rootSensitive === true && [...op.paths, ...(op.lpaths ?? [])].some((p) => /^\/+$/.test(p));

  /**
   * Whether resolving `path` on the host would walk above the root (a final symlink is
   * followed only if `followLast`); readlinks are mirrored on the IMFS (they move atime).
   * It runs with the ids the step walks with: where that walk stops (EACCES), the step's does too.
   */
  const escapes = (path: string, followLast = true): boolean => {
    let stack: string[] = [];
    let pending = path.split('/');
    let links = 0;
    while (pending.length > 0) {
      const c = pending.shift()!;
      if (c === '' || c === '.') continue;
      if (c === '..') {
        if (stack.length === 0) return true;
        stack.pop();
        continue;
      }
      const p = [...stack, c].join('/');
      const type = host.lstatType(p);
      if (type === 'lnk' && (followLast || pending.length > 0)) {
        if (++links > 40) return false;
        const target = host.readlink(p) as string;
        imfs.readlink(p);
        if (target.startsWith('/')) stack = [];
        pending = [...target.split('/'), ...pending];
        continue;
      }
      if (type !== 'dir') return false; // the walk ends here, on both sides
      stack.push(c);
    }
    return false;
  };

  try {
    compareAll('at the start');
    for (step = 0; step < count; step++) {
      if (creds && rng.chance(0.3)) user = rng.pick(USERS);
      become(user);
      const op = genOp();
      if (op?.realIds === true) become(ROOT);
      const skip = op === null ? 'dir-lseek' : rootItself(op) ? 'root-itself'
        : op.paths.some((p) => escapes(p)) || op.lpaths?.some((p) => escapes(p, false)) ? 'escapes' : null;
      if (skip !== null || op === null) { stats.skipped[skip!] = (stats.skipped[skip!] ?? 0) + 1; continue; }
      become(user);
      const timed = rng.chance(timeCheck) && op.untimed !== true;
      if (timed) {
        compareAll(`before timestamp-checked step ${step}`);
        const paths = ['.', ...known];
        imfs.stampTimes(paths, open);
        host.stampTimes(paths, open);
        imfs.markCtimes(paths, open);
        host.markCtimes(paths, open);
        stats.timeChecks++;
        become(user);
      }
      const a = op.run(imfs), b = op.run(host);
      history.push(`  ${step}: ${creds ? `[${user.uid}:${user.gid}] ` : ''}${op.text} → ${show(a)} | ${show(b)}`);
      if (history.length > HISTORY) history.shift();
      if (!same(a, b)) {
        const extra = typeof a === 'object' && typeof b === 'object' && 'data' in a && 'data' in b ? `\n${firstDiff(a.data, b.data)}` : '';
        fail(`results differ: imfs ${show(a)} | host ${show(b)}${extra}`);
      }
      op.after?.(a);
      const kind = op.text.replace(/^#\d+ = /, '').replace(/\(.*$/, '');
      const outcome = typeof a === 'number' && a < 0 ? errnoName(a) : 'ok';
      const counts = (stats.byOp[kind] ??= {});
      counts[outcome] = (counts[outcome] ?? 0) + 1;
      if (creds) {
        const mine = (stats.byUser[`${user.uid}:${user.gid}`] ??= {});
        mine[outcome] = (mine[outcome] ?? 0) + 1;
      }
      stats.steps++;
      if (timed) {
        compareAll(`after timestamp-checked step ${step}`);
        imfs.clearCtimes();
        host.clearCtimes();
      }
      else if ((step + 1) % treeEvery === 0) compareAll(`after step ${step}`);
    }
    step = count;
    compareAll('at the end');
  } finally {
    host.dispose();
  }
  return stats;
}
