/**
 * Staging between real host directories and the IMFS (src/core/staging.ts): loadFile and
 * preloads bring host files in, dumpFile and dumps write IMFS files out, parseStagingList
 * reads the PRELOADS/DUMPS lists. Host-boundary errors are StagingError exceptions that
 * name the entry; dumps write through a temporary file and a rename.
 */
import { describe, test, expect, beforeEach, afterEach } from 'vitest';
import * as nodefs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import {
  Imfs, newStat, loadFile, dumpFile, preloads, dumps, parseStagingList, StagingError,
  O_RDONLY, O_RDWR, O_CREAT, O_DIRECTORY, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG,
} from '../../src/core/index.js';

let host: string;
let warnings: string[];
const warn = (m: string) => { warnings.push(m); };

beforeEach(() => {
  host = nodefs.mkdtempSync(path.join(os.tmpdir(), 'imfs-staging-'));
  warnings = [];
});
afterEach(() => {
  nodefs.rmSync(host, { recursive: true, force: true });
});

function hostFile(rel: string, content: string | Buffer, mode = 0o644): string {
  const p = path.join(host, rel);
  nodefs.mkdirSync(path.dirname(p), { recursive: true });
  nodefs.writeFileSync(p, content);
  nodefs.chmodSync(p, mode);
  return p;
}

/** The whole content of an IMFS file, or -errno. */
function imfsRead(fs: Imfs, p: string | Uint8Array): Buffer | number {
  const fd = fs.open(0, p, O_RDONLY);
  if (fd < 0) return fd;
  const st = newStat();
  fs.fstat(0, fd, st);
  const buf = Buffer.alloc(st.size);
  const n = fs.read(0, fd, buf);
  fs.close(0, fd);
  return n < 0 ? n : buf;
}

function imfsWrite(fs: Imfs, p: string | Uint8Array, content: string | Buffer, mode = 0o644): void {
  const fd = fs.open(0, p, O_RDWR | O_CREAT, mode);
  expect(fd).toBeGreaterThanOrEqual(0);
  const b = Buffer.from(content);
  expect(fs.write(0, fd, b)).toBe(b.length);
  expect(fs.close(0, fd)).toBe(0);
  expect(fs.chmod(0, p, mode)).toBe(0);
}

function imfsMode(fs: Imfs, p: string | Uint8Array): number {
  const st = newStat();
  expect(fs.lstat(0, p, st)).toBe(0);
  return st.mode;
}

function imfsLink(fs: Imfs, p: string): string {
  const buf = new Uint8Array(4096);
  const n = fs.readlink(0, p, buf);
  expect(n).toBeGreaterThan(0);
  return Buffer.from(buf.subarray(0, n)).toString('latin1');
}

/** Names of the IMFS directory as raw bytes (hex), without . and .. */
function imfsNames(fs: Imfs, p: string): string[] {
  const fd = fs.open(0, p, O_RDONLY | O_DIRECTORY);
  expect(fd).toBeGreaterThanOrEqual(0);
  const names: string[] = [];
  for (;;) {
    const e = fs.readdir(0, fd);
    if (e === null || typeof e === 'number') break;
    if (e.name !== '.' && e.name !== '..') names.push(e.bytes.toString('hex'));
  }
  fs.close(0, fd);
  return names.sort();
}

function hostNames(p: string): string[] {
  return nodefs.readdirSync(p, { encoding: 'buffer' }).map((b) => b.toString('hex')).sort();
}

/** Files in a host directory whose names look like staging temporaries. */
function leftovers(dir: string): string[] {
  return nodefs.readdirSync(dir).filter((n) => n.includes('.imfs-'));
}

describe('loadFile: host file → IMFS', () => {
  test('content and mode bits (set-id included) are kept', () => {
    const fs = new Imfs();
    hostFile('a.txt', 'hello staging', 0o640);
    hostFile('tool', '#!/bin/sh\n', 0o4755);
    loadFile(fs, '/a.txt', 'a.txt', { hostCwd: host });
    loadFile(fs, '/bin/tool', path.join(host, 'tool'));
    expect(imfsRead(fs, '/a.txt')).toEqual(Buffer.from('hello staging'));
    expect(imfsMode(fs, '/a.txt')).toBe(S_IFREG | 0o640);
    expect(imfsMode(fs, '/bin/tool')).toBe(S_IFREG | 0o4755);
  });

  test('missing IMFS parents are created as 0755 directories; a relative IMFS path is relative to /', () => {
    const fs = new Imfs();
    hostFile('x', 'x');
    loadFile(fs, 'deep/er/x', 'x', { hostCwd: host });
    expect(imfsMode(fs, '/deep')).toBe(S_IFDIR | 0o755);
    expect(imfsMode(fs, '/deep/er')).toBe(S_IFDIR | 0o755);
    expect(imfsRead(fs, '/deep/er/x')).toEqual(Buffer.from('x'));
  });

  test('the modification time is kept', () => {
    const fs = new Imfs();
    const p = hostFile('t', 'time');
    nodefs.utimesSync(p, 1_500_000_000.25, 1_600_000_000.5);
    loadFile(fs, '/t', p);
    const st = newStat();
    expect(fs.stat(0, '/t', st)).toBe(0);
    expect(st.mtimeSec).toBe(1_600_000_000);
    expect(st.mtimeNsec).toBe(500_000_000);
  });

  test('staging again replaces the content (the file is truncated, not overwritten in place)', () => {
    const fs = new Imfs();
    const p = hostFile('f', 'a long first version');
    loadFile(fs, '/f', p);
    nodefs.writeFileSync(p, 'short');
    nodefs.chmodSync(p, 0o600);
    loadFile(fs, '/f', p);
    expect(imfsRead(fs, '/f')).toEqual(Buffer.from('short'));
    expect(imfsMode(fs, '/f')).toBe(S_IFREG | 0o600);
  });

  test('a directory is copied recursively; its symlinks are recreated, never followed out of the tree', () => {
    const fs = new Imfs();
    hostFile('outside.txt', 'secret');
    hostFile('tree/top.txt', 'top');
    hostFile('tree/sub/inner.txt', 'inner', 0o600);
    nodefs.chmodSync(path.join(host, 'tree/sub'), 0o750);
    nodefs.symlinkSync('../outside.txt', path.join(host, 'tree/escape'));
    nodefs.symlinkSync('/etc/passwd', path.join(host, 'tree/abs'));
    nodefs.symlinkSync('sub', path.join(host, 'tree/dirlink'));
    nodefs.symlinkSync('missing', path.join(host, 'tree/dangling'));
    loadFile(fs, '/t', path.join(host, 'tree'));
    expect(imfsNames(fs, '/t')).toEqual(['abs', 'dangling', 'dirlink', 'escape', 'sub', 'top.txt'].map((n) => Buffer.from(n).toString('hex')).sort());
    expect(imfsRead(fs, '/t/sub/inner.txt')).toEqual(Buffer.from('inner'));
    expect(imfsMode(fs, '/t/sub/inner.txt')).toBe(S_IFREG | 0o600);
    expect(imfsMode(fs, '/t/sub')).toBe(S_IFDIR | 0o750);
    for (const l of ['escape', 'abs', 'dirlink', 'dangling']) expect(imfsMode(fs, `/t/${l}`) & S_IFMT).toBe(S_IFLNK);
    expect(imfsLink(fs, '/t/escape')).toBe('../outside.txt');
    expect(imfsLink(fs, '/t/abs')).toBe('/etc/passwd');
    expect(imfsLink(fs, '/t/dirlink')).toBe('sub');
    // nothing from outside the tree came in
    expect(fs.exists(0, '/outside.txt')).toBe(false);
    expect(fs.exists(0, '/etc/passwd')).toBe(false);
    expect(imfsRead(fs, '/t/dirlink/inner.txt')).toEqual(Buffer.from('inner'));
  });

  test('non-UTF-8 names inside a staged directory arrive byte for byte', () => {
    const fs = new Imfs();
    const dir = path.join(host, 'odd');
    nodefs.mkdirSync(dir);
    const name = Buffer.from([0x66, 0xff, 0xfe, 0x80]);
    nodefs.writeFileSync(Buffer.concat([Buffer.from(dir + '/'), name]), 'bytes');
    const target = Buffer.from([0x74, 0xc3]);
    nodefs.symlinkSync(target, Buffer.concat([Buffer.from(dir + '/'), Buffer.from('l')]));
    loadFile(fs, '/odd', dir);
    expect(imfsNames(fs, '/odd')).toEqual([name.toString('hex'), Buffer.from('l').toString('hex')].sort());
    expect(imfsRead(fs, Buffer.concat([Buffer.from('/odd/'), name]))).toEqual(Buffer.from('bytes'));
    expect(imfsLink(fs, '/odd/l')).toBe(target.toString('latin1'));
  });

  test('a missing host file: StagingError naming it, nothing created', () => {
    const fs = new Imfs();
    expect(() => loadFile(fs, '/in/nope', 'nope.txt', { hostCwd: host })).toThrow(StagingError);
    expect(() => loadFile(fs, '/in/nope', 'nope.txt', { hostCwd: host })).toThrow(/nope\.txt.*does not exist/);
    expect(fs.exists(0, '/in')).toBe(false);
  });

  test('an unreadable host path (a file used as a directory): StagingError naming it', () => {
    const fs = new Imfs();
    hostFile('plain', 'p');
    expect(() => loadFile(fs, '/x', 'plain/x', { hostCwd: host })).toThrow(StagingError);
    expect(() => loadFile(fs, '/x', 'plain/x', { hostCwd: host })).toThrow(/plain\/x.*ENOTDIR/);
  });

  test('a host FIFO cannot be staged: StagingError naming it', () => {
    const fs = new Imfs();
    execFileSync('mkfifo', [path.join(host, 'fifo')]);
    expect(() => loadFile(fs, '/fifo', path.join(host, 'fifo'))).toThrow(StagingError);
    expect(() => loadFile(fs, '/fifo', path.join(host, 'fifo'))).toThrow(/fifo.*not a regular file/);
  });
});

describe('preloads: a PRELOADS list', () => {
  test('`path` and `imfs_path=host_path` entries, separated by colons', () => {
    const fs = new Imfs();
    hostFile('a', 'A');
    hostFile('data/b', 'B');
    const entries = preloads(fs, 'a:/in/b.txt=data/b', { hostCwd: host, warn });
    expect(entries).toEqual([{ imfsPath: 'a', hostPath: 'a' }, { imfsPath: '/in/b.txt', hostPath: 'data/b' }]);
    expect(imfsRead(fs, '/a')).toEqual(Buffer.from('A'));
    expect(imfsRead(fs, '/in/b.txt')).toEqual(Buffer.from('B'));
    expect(warnings).toEqual([]);
  });

  test('one missing entry: StagingError naming it, and nothing of the list is staged', () => {
    const fs = new Imfs();
    hostFile('good', 'g');
    expect(() => preloads(fs, 'good:/x=absent', { hostCwd: host, warn })).toThrow(StagingError);
    expect(() => preloads(fs, 'good:/x=absent', { hostCwd: host, warn })).toThrow(/'\/x=absent'.*'absent'.*does not exist/);
    expect(fs.exists(0, '/good')).toBe(false);
  });

  test('one entry that exists but cannot be staged (a FIFO, here inside a directory): nothing is staged', () => {
    const fs = new Imfs();
    hostFile('good', 'g');
    hostFile('dir/ok', 'ok');
    execFileSync('mkfifo', [path.join(host, 'dir/fifo')]);
    expect(() => preloads(fs, 'good:dir', { hostCwd: host, warn })).toThrow(StagingError);
    expect(() => preloads(fs, 'good:dir', { hostCwd: host, warn })).toThrow(/fifo/);
    expect(fs.exists(0, '/good')).toBe(false);
    expect(fs.exists(0, '/dir')).toBe(false);
  });

  test('empty entries and entries with an empty side are skipped with a warning', () => {
    const fs = new Imfs();
    hostFile('a', 'A');
    hostFile('b', 'B');
    const entries = preloads(fs, ':a::=x:y=:b:', { hostCwd: host, warn });
    expect(entries.map((e) => e.imfsPath)).toEqual(['a', 'b']);
    expect(fs.exists(0, '/x')).toBe(false);
    expect(fs.exists(0, '/y')).toBe(false);
    expect(warnings.length).toBe(5);
    expect(warnings.filter((w) => /empty entry/.test(w)).length).toBe(3);
    expect(warnings.some((w) => w.includes("'=x'"))).toBe(true);
    expect(warnings.some((w) => w.includes("'y='"))).toBe(true);
    expect(warnings.every((w) => w.startsWith('PRELOADS'))).toBe(true);
  });

  test('an empty list stages nothing and warns about nothing', () => {
    const fs = new Imfs();
    expect(preloads(fs, '', { hostCwd: host, warn })).toEqual([]);
    expect(warnings).toEqual([]);
  });
});

describe('parseStagingList', () => {
  test('splits on the separator; `=` splits an entry at its first occurrence', () => {
    const w: string[] = [];
    expect(parseStagingList('/a=b=c;d', ';', 'DUMPS', (m) => w.push(m))).toEqual([
      { imfsPath: '/a', hostPath: 'b=c' }, { imfsPath: 'd', hostPath: 'd' },
    ]);
    expect(w).toEqual([]);
  });

  test('warnings name the list and the entry', () => {
    const w: string[] = [];
    expect(parseStagingList('=x;;x=', ';', 'DUMPS', (m) => w.push(m))).toEqual([]);
    expect(w).toHaveLength(3);
    expect(w[0]).toMatch(/^DUMPS: skipping '=x'/);
    expect(w[1]).toMatch(/^DUMPS: skipping an empty entry/);
    expect(w[2]).toMatch(/^DUMPS: skipping 'x='/);
  });
});

describe('dumpFile: IMFS file → host', () => {
  test('content and mode are written; host parents are created', () => {
    const fs = new Imfs();
    imfsWrite(fs, '/out.txt', 'dumped', 0o640);
    dumpFile(fs, '/out.txt', 'deep/dir/out.txt', { hostCwd: host });
    const p = path.join(host, 'deep/dir/out.txt');
    expect(nodefs.readFileSync(p, 'utf8')).toBe('dumped');
    expect(nodefs.statSync(p).mode & 0o7777).toBe(0o640);
  });

  test('an existing host file is replaced whole through a temporary file and a rename', () => {
    const fs = new Imfs();
    imfsWrite(fs, '/f', 'new');
    const p = hostFile('f', 'an old and longer content');
    const ino = nodefs.statSync(p).ino;
    dumpFile(fs, '/f', p);
    expect(nodefs.readFileSync(p, 'utf8')).toBe('new');
    // a rename put a new file there (the old one was not truncated in place)
    expect(nodefs.statSync(p).ino).not.toBe(ino);
    expect(leftovers(host)).toEqual([]);
  });

  test('a directory is dumped recursively with its files, modes and symlinks', () => {
    const fs = new Imfs();
    expect(fs.mkdir(0, '/d', 0o750)).toBe(0);
    expect(fs.mkdir(0, '/d/sub', 0o700)).toBe(0);
    imfsWrite(fs, '/d/a', 'A', 0o600);
    imfsWrite(fs, '/d/sub/b', 'B', 0o644);
    expect(fs.symlink(0, 'sub/b', '/d/link')).toBe(0);
    dumpFile(fs, '/d', path.join(host, 'd'));
    expect(nodefs.statSync(path.join(host, 'd')).mode & 0o777).toBe(0o750);
    expect(nodefs.statSync(path.join(host, 'd/sub')).mode & 0o777).toBe(0o700);
    expect(nodefs.readFileSync(path.join(host, 'd/a'), 'utf8')).toBe('A');
    expect(nodefs.statSync(path.join(host, 'd/a')).mode & 0o777).toBe(0o600);
    expect(nodefs.readFileSync(path.join(host, 'd/sub/b'), 'utf8')).toBe('B');
    expect(nodefs.readlinkSync(path.join(host, 'd/link'))).toBe('sub/b');
    expect(leftovers(path.join(host, 'd'))).toEqual([]);
  });

  test('non-UTF-8 names and symlink targets leave byte for byte', () => {
    const fs = new Imfs();
    expect(fs.mkdir(0, '/odd', 0o755)).toBe(0);
    const name = Buffer.from([0x80, 0x81, 0x2e, 0xff]);
    imfsWrite(fs, Buffer.concat([Buffer.from('/odd/'), name]), 'x');
    const target = name; // the odd file beside it: a link that stays inside is kept as it is
    expect(fs.symlink(0, target, '/odd/l')).toBe(0);
    dumpFile(fs, '/odd', path.join(host, 'odd'));
    expect(hostNames(path.join(host, 'odd'))).toEqual([name.toString('hex'), Buffer.from('l').toString('hex')].sort());
    expect(nodefs.readFileSync(Buffer.concat([Buffer.from(path.join(host, 'odd') + '/'), name]), 'utf8')).toBe('x');
    expect(nodefs.readlinkSync(path.join(host, 'odd/l'), { encoding: 'buffer' }).equals(target)).toBe(true);
  });

  test('a missing IMFS file: StagingError naming it, and the host is untouched', () => {
    const fs = new Imfs();
    const p = hostFile('keep', 'keep me');
    expect(() => dumpFile(fs, '/nope', p)).toThrow(StagingError);
    expect(() => dumpFile(fs, '/nope', p)).toThrow(/'\/nope'.*ENOENT/);
    expect(nodefs.readFileSync(p, 'utf8')).toBe('keep me');
  });
});

describe('dumps: a DUMPS list', () => {
  test('every entry is written; `path` entries use the same relative path on both sides', () => {
    const fs = new Imfs();
    imfsWrite(fs, '/a', 'A');
    expect(fs.mkdir(0, '/res', 0o755)).toBe(0);
    imfsWrite(fs, '/res/b', 'B');
    expect(dumps(fs, 'a;/res/b=out/b.txt', { hostCwd: host, warn })).toEqual([]);
    expect(nodefs.readFileSync(path.join(host, 'a'), 'utf8')).toBe('A');
    expect(nodefs.readFileSync(path.join(host, 'out/b.txt'), 'utf8')).toBe('B');
    expect(warnings).toEqual([]);
  });

  test('a failing entry is reported by name while the others are still written', () => {
    const fs = new Imfs();
    imfsWrite(fs, '/first', '1');
    imfsWrite(fs, '/last', '3');
    const failures = dumps(fs, '/first=first;/missing=m;/last=last', { hostCwd: host, warn });
    expect(failures).toHaveLength(1);
    expect(failures[0].entry).toEqual({ imfsPath: '/missing', hostPath: 'm' });
    expect(failures[0].message).toMatch(/DUMPS entry '\/missing'.*ENOENT/);
    expect(nodefs.readFileSync(path.join(host, 'first'), 'utf8')).toBe('1');
    expect(nodefs.readFileSync(path.join(host, 'last'), 'utf8')).toBe('3');
    expect(nodefs.existsSync(path.join(host, 'm'))).toBe(false);
  });

  test('a failure while replacing leaves what was there and no temporary file', () => {
    const fs = new Imfs();
    imfsWrite(fs, '/f', 'content');
    nodefs.mkdirSync(path.join(host, 'busy'));
    hostFile('busy/inside', 'untouched');
    const failures = dumps(fs, '/f=busy', { hostCwd: host, warn });
    expect(failures).toHaveLength(1);
    expect(failures[0].message).toMatch(/'\/f'.*busy/);
    expect(nodefs.readFileSync(path.join(host, 'busy/inside'), 'utf8')).toBe('untouched');
    expect(leftovers(host)).toEqual([]);
  });

  test('an IMFS FIFO cannot be dumped: reported, and an existing host file is kept', () => {
    const fs = new Imfs();
    expect(fs.mkfifo(0, '/q', 0o644)).toBe(0);
    hostFile('q', 'previous');
    const failures = dumps(fs, 'q', { hostCwd: host, warn });
    expect(failures).toHaveLength(1);
    expect(failures[0].message).toMatch(/'q'.*not a regular file/);
    expect(nodefs.readFileSync(path.join(host, 'q'), 'utf8')).toBe('previous');
  });

  test('empty entries are skipped with a warning', () => {
    const fs = new Imfs();
    imfsWrite(fs, '/a', 'A');
    expect(dumps(fs, ';a;;=z;', { hostCwd: host, warn })).toEqual([]);
    expect(nodefs.readFileSync(path.join(host, 'a'), 'utf8')).toBe('A');
    expect(warnings).toHaveLength(4);
    expect(warnings.every((w) => w.startsWith('DUMPS'))).toBe(true);
  });

  test('a round trip host → IMFS → host keeps content, modes and odd names', () => {
    const fs = new Imfs();
    const odd = Buffer.from([0x6e, 0xe9]);
    nodefs.mkdirSync(path.join(host, 'src'), { mode: 0o755 });
    nodefs.writeFileSync(Buffer.concat([Buffer.from(path.join(host, 'src') + '/'), odd]), Buffer.from([0, 1, 2, 255]));
    hostFile('src/run', 'exe', 0o755);
    preloads(fs, '/work=src', { hostCwd: host, warn });
    expect(dumps(fs, '/work=back', { hostCwd: host, warn })).toEqual([]);
    expect(hostNames(path.join(host, 'back'))).toEqual(hostNames(path.join(host, 'src')));
    expect(nodefs.readFileSync(Buffer.concat([Buffer.from(path.join(host, 'back') + '/'), odd]))).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(nodefs.statSync(path.join(host, 'back/run')).mode & 0o777).toBe(0o755);
  });
});

/** What the host has at `rel` below the scratch directory: a file's content, a link's target, a directory, or nothing. */
function hostAt(rel: string): string {
  const p = path.join(host, rel);
  const st = nodefs.lstatSync(p, { throwIfNoEntry: false });
  if (st === undefined) return 'none';
  if (st.isSymbolicLink()) return `link ${nodefs.readlinkSync(p)}`;
  if (st.isDirectory()) return 'dir';
  return `file ${nodefs.readFileSync(p, 'utf8')}`;
}

/** hostAt for each of `names` below `dir`, by name. */
function hostAll(dir: string, names: string[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, hostAt(path.join(dir, n))]));
}

describe('dumps: a symlink stays a symlink only inside the dumped tree', () => {
  /** An IMFS with /etc/passwd, /out/f, /out/d/g and /out/d/sub/x (each file holding its own name), and symlinks [path, target]. */
  function tree(links: [string, string][] = [], fs = new Imfs()): Imfs {
    for (const d of ['/etc', '/out', '/out/d', '/out/d/sub']) expect(fs.mkdir(0, d, 0o755)).toBe(0);
    for (const f of ['/etc/passwd', '/out/f', '/out/d/g', '/out/d/sub/x']) imfsWrite(fs, f, `imfs ${f}`);
    for (const [p, target] of links) expect(fs.symlink(0, target, p)).toBe(0);
    return fs;
  }

  test('an entry that names a symlink writes what it resolves to: the tree is that one host path, which no link can point into', () => {
    const fs = tree([['/out/x', '/etc/passwd'], ['/out/rel', 'f'], ['/out/dl', 'd']]);
    expect(fs.chmod(0, '/etc/passwd', 0o640)).toBe(0);
    expect(dumps(fs, '/out/x=x;/out/rel=rel;/out/dl=dl', { hostCwd: host, warn })).toEqual([]);
    expect(hostAt('x')).toBe('file imfs /etc/passwd');
    expect(nodefs.statSync(path.join(host, 'x')).mode & 0o7777).toBe(0o640);
    expect(hostAt('rel')).toBe('file imfs /out/f');
    expect(hostAt('dl')).toBe('dir');
    expect(hostAt('dl/sub/x')).toBe('file imfs /out/d/sub/x');
    expect(warnings).toEqual([]);
  });

  test('an absolute target is written as the IMFS file it resolves to, even one naming a path inside the tree', () => {
    const fs = tree([['/out/d/abs', '/etc/passwd'], ['/out/d/abs-in', '/out/d/g']]);
    expect(dumps(fs, '/out/d=dd', { hostCwd: host, warn })).toEqual([]);
    expect(hostAt('dd/abs')).toBe('file imfs /etc/passwd');
    expect(hostAt('dd/abs-in')).toBe('file imfs /out/d/g');
  });

  test('".." chains: kept while they stay below the top of the tree, materialized once they climb above it', () => {
    const fs = tree([
      ['/out/d/sub/up', '../g'], ['/out/d/sub/zig', '../sub/./x'], ['/out/d/out', '../f'],
      ['/out/d/sub/back-in', '../../d/g'], ['/out/d/sub/far', '../'.repeat(12) + 'etc/passwd'], ['/out/d/sub/dotdot', './../sub/../../f'],
      ['/out/d/above', '../g'],
    ]);
    imfsWrite(fs, '/out/g', 'imfs /out/g'); // above the top, beside /out/d/g: dd/../g on the host is neither
    expect(dumps(fs, '/out/d=dd', { hostCwd: host, warn })).toEqual([]);
    expect(hostAll('dd', ['sub/up', 'sub/zig', 'out', 'sub/back-in', 'sub/far', 'sub/dotdot', 'above'])).toEqual({
      'sub/up': 'link ../g',
      'sub/zig': 'link ../sub/./x',
      'out': 'file imfs /out/f',
      // back inside, but through the directory above the top: the host's dd/.. is not the IMFS's /out
      'sub/back-in': 'file imfs /out/d/g',
      'sub/far': 'file imfs /etc/passwd',
      'sub/dotdot': 'file imfs /out/f',
      'above': 'file imfs /out/g',
    });
  });

  test('odd spellings that stay inside are kept as they are: `//`, `.` components, a trailing `/`', () => {
    const fs = tree([['/out/d/s1', 'sub//x'], ['/out/d/s2', './sub/./x'], ['/out/d/s3', 'sub/'], ['/out/d/s4', '.'], ['/out/d/s5', 'sub/..//g']]);
    expect(dumps(fs, '/out/d=dd', { hostCwd: host, warn })).toEqual([]);
    expect(['s1', 's2', 's3', 's4', 's5'].map((l) => hostAt(`dd/${l}`))).toEqual(['link sub//x', 'link ./sub/./x', 'link sub/', 'link .', 'link sub/..//g']);
    expect(nodefs.readFileSync(path.join(host, 'dd/s1'), 'utf8')).toBe('imfs /out/d/sub/x');
  });

  test('chains of links: kept when every link stays inside, materialized when one of them leads out', () => {
    const fs = tree([
      ['/out/d/c1', 'c2'], ['/out/d/c2', 'sub/x'],
      ['/out/d/e1', 'e2'], ['/out/d/e2', '../f'],
      ['/out/d/a1', 'sub/a2'], ['/out/d/sub/a2', '/etc/passwd'],
    ]);
    expect(dumps(fs, '/out/d=dd', { hostCwd: host, warn })).toEqual([]);
    expect([hostAt('dd/c1'), hostAt('dd/c2')]).toEqual(['link c2', 'link sub/x']);
    expect([hostAt('dd/e1'), hostAt('dd/e2')]).toEqual(['file imfs /out/f', 'file imfs /out/f']);
    expect([hostAt('dd/a1'), hostAt('dd/sub/a2')]).toEqual(['file imfs /etc/passwd', 'file imfs /etc/passwd']);
  });

  test('a symlinked directory on the way is not followed: a link through it is materialized', () => {
    const fs = tree([['/out/d/dl', 'sub'], ['/out/d/via', 'dl/x'], ['/out/d/sub/up', '..'], ['/out/d/sub/via-up', 'up/../f']]);
    expect(dumps(fs, '/out/d=dd', { hostCwd: host, warn })).toEqual([]);
    expect(hostAt('dd/dl')).toBe('link sub');
    expect(hostAt('dd/via')).toBe('file imfs /out/d/sub/x');
    // Read as text, up/../f would be dd/sub/f; followed, up/.. is dd/.., and f there is out of the tree.
    expect(hostAt('dd/sub/up')).toBe('link ..');
    expect(hostAt('dd/sub/via-up')).toBe('file imfs /out/f');
  });

  test('dangling links and loops are refused by name; the rest of the entry and the other entries are written', () => {
    const fs = tree([
      ['/out/d/dangling', 'missing'], ['/out/d/abs', '/nowhere'], ['/out/d/loop1', 'loop2'], ['/out/d/loop2', 'loop1'],
      ['/out/d/self', 'self'], ['/out/d/chain', 'dangling'], ['/out/d/sub/notdir', '../g/'], ['/out/d/sub/ok', 'x'],
    ]);
    hostFile('dd/dangling', 'an older host file'); // a refused link leaves what was there
    const failures = dumps(fs, '/out/d=dd;/out/f=f2', { hostCwd: host, warn });
    expect(failures.map((f) => f.message)).toEqual(["DUMPS entry '/out/d': 7 symlinks not written (named in the warnings); the rest was written"]);
    expect(warnings.sort()).toEqual([
      "DUMPS entry '/out/d': symlink '/out/d/abs' -> '/nowhere' not written: it resolves to nothing in the IMFS (ENOENT)",
      "DUMPS entry '/out/d': symlink '/out/d/chain' -> 'dangling' not written: it resolves to nothing in the IMFS (ENOENT)",
      "DUMPS entry '/out/d': symlink '/out/d/dangling' -> 'missing' not written: it resolves to nothing in the IMFS (ENOENT)",
      "DUMPS entry '/out/d': symlink '/out/d/loop1' -> 'loop2' not written: it resolves to nothing in the IMFS (ELOOP)",
      "DUMPS entry '/out/d': symlink '/out/d/loop2' -> 'loop1' not written: it resolves to nothing in the IMFS (ELOOP)",
      "DUMPS entry '/out/d': symlink '/out/d/self' -> 'self' not written: it resolves to nothing in the IMFS (ELOOP)",
      "DUMPS entry '/out/d': symlink '/out/d/sub/notdir' -> '../g/' not written: it resolves to nothing in the IMFS (ENOTDIR)",
    ]);
    expect(hostNames(path.join(host, 'dd'))).toEqual(['dangling', 'g', 'sub'].map((n) => Buffer.from(n).toString('hex')));
    expect(hostAll('', ['dd/dangling', 'dd/g', 'dd/sub/ok', 'dd/sub/notdir', 'f2'])).toEqual({
      'dd/dangling': 'file an older host file', 'dd/g': 'file imfs /out/d/g', 'dd/sub/ok': 'link x', 'dd/sub/notdir': 'none', 'f2': 'file imfs /out/f',
    });
  });

  test('the hostile case: /out/x -> /etc/passwd with no /etc/passwd in the IMFS is refused, and nothing is written at x', () => {
    const fs = new Imfs();
    expect(fs.mkdir(0, '/out', 0o755)).toBe(0);
    expect(fs.symlink(0, '/etc/passwd', '/out/x')).toBe(0);
    imfsWrite(fs, '/out/y', 'y');
    const failures = dumps(fs, '/out/x=x;/out/y=y', { hostCwd: host, warn });
    expect(failures.map((f) => f.message)).toEqual(["DUMPS entry '/out/x': 1 symlink not written (named in the warnings); the rest was written"]);
    expect(warnings).toEqual(["DUMPS entry '/out/x': symlink '/out/x' -> '/etc/passwd' not written: it resolves to nothing in the IMFS (ENOENT)"]);
    expect(hostAt('x')).toBe('none');
    expect(hostAt('y')).toBe('file y');
  });

  test('a link to an ancestor: kept when it stays inside, refused when it would copy the tree into itself', () => {
    const fs = tree([['/out/d/sub/up', '..'], ['/out/d/sub/top', '/out/d'], ['/out/d/up', '..'], ['/out/d/root', '/'], ['/out/d/sub/self', '.']]);
    const failures = dumps(fs, '/out/d=dd', { hostCwd: host, warn });
    expect(failures.map((f) => f.message)).toEqual(["DUMPS entry '/out/d': 3 symlinks not written (named in the warnings); the rest was written"]);
    expect(warnings.sort()).toEqual([
      "DUMPS entry '/out/d': symlink '/out/d/root' -> '/' not written: it resolves to a directory that holds it (a cycle: the copy would never end)",
      "DUMPS entry '/out/d': symlink '/out/d/sub/top' -> '/out/d' not written: it resolves to a directory that holds it (a cycle: the copy would never end)",
      "DUMPS entry '/out/d': symlink '/out/d/up' -> '..' not written: it resolves to a directory that holds it (a cycle: the copy would never end)",
    ]);
    expect([hostAt('dd/sub/up'), hostAt('dd/sub/self'), hostAt('dd/up'), hostAt('dd/root'), hostAt('dd/sub/top')]).toEqual(['link ..', 'link .', 'none', 'none', 'none']);
  });

  test('a directory written in place of a symlink is copied with the same rules inside', () => {
    const fs = tree([['/out/d/lib', '/data']]);
    expect(fs.mkdir(0, '/data', 0o750)).toBe(0);
    imfsWrite(fs, '/data/f', 'imfs /data/f');
    imfsWrite(fs, '/secret', 'imfs /secret');
    for (const [p, target] of [['/data/rel', 'f'], ['/data/esc', '../secret'], ['/data/g', '../out/d/g'], ['/data/back', '/out/d'], ['/data/gone', 'nothing']]) {
      expect(fs.symlink(0, target, p)).toBe(0);
    }
    imfsWrite(fs, '/out/d/secret', 'what the host would find at dd/secret');
    const failures = dumps(fs, '/out/d=dd', { hostCwd: host, warn });
    expect(failures).toHaveLength(1);
    expect(warnings.map((w) => w.replace(/ -> .*/, '')).sort()).toEqual(["DUMPS entry '/out/d': symlink '/out/d/lib/back'", "DUMPS entry '/out/d': symlink '/out/d/lib/gone'"]);
    expect(hostAt('dd/lib')).toBe('dir');
    expect(nodefs.statSync(path.join(host, 'dd/lib')).mode & 0o777).toBe(0o750);
    expect(hostAt('dd/lib/f')).toBe('file imfs /data/f');
    expect(hostAt('dd/lib/rel')).toBe('link f');
    // ".." out of the copy is dd on the host but / in the IMFS: written as the IMFS's /secret
    expect(hostAt('dd/lib/esc')).toBe('file imfs /secret');
    expect(hostAt('dd/lib/g')).toBe('file imfs /out/d/g');
  });

  test('symlinks that fan out cannot make a dump explode: what they add is held to the IMFS limits', () => {
    /** /l0 … /l<depth>, each directory holding links a and b to the next; the last holds a file. */
    const fanOut = (fs: Imfs, depth: number) => {
      for (let i = 0; i <= depth; i++) expect(fs.mkdir(0, `/l${i}`, 0o755)).toBe(0);
      for (let i = 0; i < depth; i++) for (const n of ['a', 'b']) expect(fs.symlink(0, `/l${i + 1}`, `/l${i}/${n}`)).toBe(0);
      imfsWrite(fs, `/l${depth}/f`, 'leaf');
    };
    const small = new Imfs({ limits: { maxInodes: 100 } });
    fanOut(small, 4); // 2 + 4 + 8 + 16 directories and 16 files in place of links: 46
    expect(dumps(small, '/l0=small', { hostCwd: host, warn })).toEqual([]);
    expect(hostAt('small/b/a/b/a/f')).toBe('file leaf');
    const big = new Imfs({ limits: { maxInodes: 100 } });
    fanOut(big, 16); // 2^17 copies
    const failures = dumps(big, '/l0=big', { hostCwd: host, warn });
    expect(failures.map((f) => f.message)).toEqual([
      expect.stringMatching(/^DUMPS entry '\/l0': cannot dump '\/l0(\/[ab])+': the files written in place of symlinks exceed what the IMFS can hold \(100 files, \d+ bytes\)$/),
    ]);
    const written = execFileSync('find', [path.join(host, 'big')], { encoding: 'utf8' }).trim().split('\n');
    expect(written.length).toBeLessThanOrEqual(101);
  });

  test('dumpFile writes the rest, warns by name, then throws', () => {
    const fs = tree([['/out/d/dangling', 'missing']]);
    expect(() => dumpFile(fs, '/out/d', 'dd', { hostCwd: host, warn })).toThrow(/^1 symlink not written \(named in the warnings\); the rest was written$/);
    expect(warnings).toEqual(["dump of '/out/d': symlink '/out/d/dangling' -> 'missing' not written: it resolves to nothing in the IMFS (ENOENT)"]);
    expect(hostAt('dd/sub/x')).toBe('file imfs /out/d/sub/x');
  });
});
