/**
 * No way out of the sandbox. Cages that try to reach host files — by absolute host path,
 * ".." chains past the root, symlinks (absolute, relative, climbing) to host paths,
 * /proc/self, device nodes with host numbers, fd_renumber of a preopen, huge paths —
 * get an answer from the IMFS or a refusal, and the host directory holding a secret is
 * unchanged after every run. Staging crosses only where asked: PRELOADS recreates host
 * symlinks below a staged directory as symlinks (their targets never enter the IMFS);
 * DUMPS writes exactly the named host paths (host symlinks in the target tree are
 * replaced, never written through, and a symlink a dump created is never followed), and
 * an IMFS symlink leading out of the dumped tree is written as the IMFS file it resolves
 * to, or refused, never as a host symlink.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as nodefs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Grate } from '../../src/grate/index.js';
import { dumps, preloads, newStat, S_IFLNK, S_IFMT, S_IFREG, O_RDONLY, O_DIRECTORY } from '../../src/core/index.js';
import { checkInvariants } from '../../src/core/check.js';
import { wasiScript, lindScript, decode, sink, iovec, out, BUF, RES, type Arg, type Step } from '../helpers/script-cage.js';

// preview1 errno numbers
const NOTCAPABLE = 76, NOENT = 44, NAMETOOLONG = 37, FAULT = 21, LOOP = 32, BADF = 8;
// Linux errno numbers (lind answers -errno)
const ENOENT = 2, ENXIO = 6, ENAMETOOLONG = 36, ELOOP = 40;
// rights: everything but FD_WRITE (0x40), so that directories open too
const FOLLOW = 1, OFLAGS_DIRECTORY = 2, ALL = 0x1fffffffn & ~0x40n;

let host: string;
let secretPath: string;
const SECRET = `HOST-SECRET-${process.pid}-${Math.random().toString(36).slice(2)}`;

/** Every entry under `dir`: type, mode, size, mtime, content or link target. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of nodefs.readdirSync(d).sort()) {
      const p = path.join(d, name);
      const st = nodefs.lstatSync(p);
      const key = path.relative(host, p);
      if (st.isSymbolicLink()) out[key] = `link ${nodefs.readlinkSync(p)}`;
      else if (st.isDirectory()) { out[key] = `dir ${st.mode.toString(8)} ${st.mtimeMs}`; walk(p); }
      else out[key] = `file ${st.mode.toString(8)} ${st.mtimeMs} ${nodefs.readFileSync(p, 'latin1')}`;
    }
  };
  walk(dir);
  return out;
}
let before: Record<string, string>;

beforeAll(() => {
  host = nodefs.mkdtempSync(path.join(os.tmpdir(), 'imfs-sandbox-'));
  nodefs.mkdirSync(path.join(host, 'outside'));
  secretPath = path.join(host, 'outside', 'secret.txt');
  nodefs.writeFileSync(secretPath, SECRET);
  before = snapshot(host);
});
afterAll(() => nodefs.rmSync(host, { recursive: true, force: true }));

/** Runs a script cage on `grate` and checks what it must never do: trap, print the secret, touch the host. */
function run(grate: Grate, cage: Uint8Array, options: Parameters<Grate['runSync']>[1] = {}) {
  const s = sink();
  const status = grate.runSync(cage, { stdout: s, ...options });
  expect(status).toBe(0);
  expect(s.bytes().includes(SECRET)).toBe(false);
  expect(snapshot(host)).toEqual(before);
  expect(checkInvariants(grate.fs)).toEqual([]);
  return decode(s.bytes());
}

/** path_open(dirfd, lookupflags, path, oflags, rights, 0, out(k)) as a script step. */
const open = (k: number, p: string | Uint8Array, dirfd: Arg = 3, lookup = FOLLOW, oflags = 0): Step =>
  ({ call: 'path_open', args: [dirfd, lookup, { path: p }, oflags, ALL, ALL, 0, out(k)] });

/** A grate whose IMFS has a decoy /etc/passwd (so "found something" can be told from "found the host's"). */
function grateWithDecoy(): Grate {
  const g = new Grate();
  expect(g.fs.mkdir(0, '/etc', 0o755)).toBe(0);
  const fd = g.fs.open(0, '/etc/passwd', 0o101, 0o644);
  g.fs.write(0, fd, Buffer.from('imfs-decoy\n'));
  g.fs.close(0, fd);
  return g;
}

describe('WASI cages: paths stay inside the IMFS', () => {
  test('an absolute host path, ".." chains past the root and /proc/self are refused or not found', () => {
    const rel = secretPath.slice(1);
    const steps = [
      open(0, secretPath),
      open(1, rel),
      open(2, '../'.repeat(20) + rel),
      open(3, 'tmp/' + '../'.repeat(20) + rel),
      open(4, 'proc/self/environ'),
      open(5, 'proc/self/root' + secretPath),
      open(6, 'proc/self/fd/0'),
      open(7, 'dev/../etc/passwd'),
    ];
    const r = run(grateWithDecoy(), wasiScript(steps));
    expect([0, 1, 2, 3, 4, 5, 6, 7].map(r.res)).toEqual([NOTCAPABLE, NOENT, NOTCAPABLE, NOTCAPABLE, NOENT, NOENT, NOENT, 0]);
  });

  test('symlinks to host paths (absolute, climbing, through /proc) never lead out; an inside link works', () => {
    // A cage cannot create a link to an absolute path (it would point outside its
    // descriptor); one that is in the IMFS already (staged, or made by the lind ABI) is
    // never followed out either.
    const g = grateWithDecoy();
    expect(g.fs.symlink(0, secretPath, '/tmp/abs')).toBe(0);
    expect(g.fs.symlink(0, '/proc/self/root/etc/passwd', '/tmp/proc')).toBe(0);
    const steps: Step[] = [
      { call: 'path_symlink', args: [{ path: secretPath }, 3, { path: 'tmp/abs2' }] },
      open(1, 'tmp/abs'),
      { call: 'path_symlink', args: [{ path: '../'.repeat(30) + secretPath.slice(1) }, 3, { path: 'tmp/climb' }] },
      open(3, 'tmp/climb'),
      { call: 'path_symlink', args: [{ path: '/proc/self/root/etc/passwd' }, 3, { path: 'tmp/proc2' }] },
      open(5, 'tmp/proc'),
      { call: 'path_symlink', args: [{ path: '../etc/passwd' }, 3, { path: 'tmp/inside' }] },
      open(7, 'tmp/inside'),
      { call: 'fd_read', args: [{ load: out(7) }, out(8), 1, out(9)] }, // the iovec {BUF, 64} is at out(8)
      // the link itself can be read: it says where it points
      { call: 'path_readlink', args: [3, { path: 'tmp/abs' }, BUF + 4096, 4096, out(9)] },
      open(11, 'tmp/abs2'),
    ];
    const r = run(g, wasiScript(steps, [{ offset: out(8), bytes: iovec(BUF, 64) }]));
    expect([0, 4].map(r.res)).toEqual([NOTCAPABLE, NOTCAPABLE]);
    expect([2, 6].map(r.res)).toEqual([0, 0]);
    expect([1, 3, 5].map(r.res)).toEqual([NOTCAPABLE, NOTCAPABLE, NOTCAPABLE]);
    expect([7, 8].map(r.res)).toEqual([0, 0]);
    expect(r.bytes(BUF, 11).toString()).toBe('imfs-decoy\n');
    expect(r.res(9)).toBe(0);
    expect(r.bytes(BUF + 4096, r.out32(9)).toString()).toBe(secretPath);
    expect(r.res(10)).toBe(NOENT); // the refused link was never made
  });

  test('huge and bad paths: NAMETOOLONG, FAULT and LOOP, never a host exception', () => {
    const steps = [
      open(0, 'a'.repeat(5000)),
      open(1, 'tmp/' + 'b'.repeat(256)),
      open(2, 'a/'.repeat(2100)),
      { call: 'path_open', args: [3, FOLLOW, 0x7fff0000, 0x100000, 0, ALL, ALL, 0, out(3)] },
      { call: 'path_open', args: [3, FOLLOW, 4096, 0xffffffff, 0, ALL, ALL, 0, out(4)] },
      { call: 'path_symlink', args: [{ path: 'x'.repeat(5000) }, 3, { path: 'tmp/long' }] },
      { call: 'path_symlink', args: [{ path: 'loop' }, 3, { path: 'tmp/loop' }] },
      open(7, 'tmp/loop'),
    ];
    const r = run(new Grate(), wasiScript(steps));
    expect([0, 1, 2, 3, 4, 5, 6, 7].map(r.res)).toEqual([NAMETOOLONG, NAMETOOLONG, NAMETOOLONG, FAULT, FAULT, NAMETOOLONG, 0, LOOP]);
  });

  test('fd_renumber of a preopen onto another descriptor keeps it confined to its directory', () => {
    const g = new Grate();
    for (const d of ['/jail', '/jail/sub', '/outside']) expect(g.fs.mkdir(0, d, 0o755)).toBe(0);
    g.fs.close(0, g.fs.open(0, '/outside/secret', 0o101, 0o600));
    g.fs.close(0, g.fs.open(0, '/jail/inside', 0o101, 0o644));
    const steps: Step[] = [
      { call: 'fd_renumber', args: [3, 2] }, // the /jail preopen becomes descriptor 2
      open(1, '../outside/secret', 2),
      open(2, '/outside/secret', 2),
      open(3, 'sub/../../outside/secret', 2),
      { call: 'fd_prestat_get', args: [2, out(4)] },
      { call: 'fd_prestat_get', args: [3, out(5)] },
      open(6, 'inside', 2),
      // a directory opened below the preopen is a capability for its own subtree only
      open(7, 'sub', 2, FOLLOW, OFLAGS_DIRECTORY),
      open(8, '../inside', { load: out(7) }),
      { call: 'fd_renumber', args: [{ load: out(7) }, 2] },
      open(10, '../outside/secret', 2),
      open(11, '..', 2),
    ];
    const r = run(g, wasiScript(steps), { preopens: [{ guest: '/sandbox', dir: '/jail' }] });
    expect(r.res(0)).toBe(0);
    expect([1, 2, 3].map(r.res)).toEqual([NOTCAPABLE, NOTCAPABLE, NOTCAPABLE]);
    expect(r.res(4)).toBe(0);
    expect(r.bytes(out(4) + 4, 4).readUInt32LE()).toBe('/sandbox'.length); // still the preopen, under its number
    expect(r.res(5)).toBe(BADF);
    expect(r.res(6)).toBe(0);
    expect(r.res(7)).toBe(0);
    expect(r.res(8)).toBe(NOTCAPABLE);
    expect(r.res(9)).toBe(0);
    expect([10, 11].map(r.res)).toEqual([NOTCAPABLE, NOTCAPABLE]);
  });
});

describe('lind cages: the IMFS root is the only root', () => {
  const O_CREAT = 0o100, O_WRONLY = 1;
  test('host paths, ".." past the root and /proc resolve in the IMFS; a host-looking symlink finds the decoy', () => {
    const steps = [
      { nr: 2, args: [{ cstr: secretPath }, O_RDONLY, 0] },
      { nr: 2, args: [{ cstr: '/../../../../..' + secretPath }, O_RDONLY, 0] },
      { nr: 2, args: [{ cstr: '/proc/self/environ' }, O_RDONLY, 0] },
      { nr: 2, args: [{ cstr: '/proc/self/root' + secretPath }, O_RDONLY, 0] },
      { nr: 88, args: [{ cstr: secretPath }, { cstr: '/tmp/abs' }] }, // symlink
      { nr: 2, args: [{ cstr: '/tmp/abs' }, O_RDONLY, 0] },
      { nr: 88, args: [{ cstr: '../../../../../../etc/passwd' }, { cstr: '/tmp/climb' }] },
      { nr: 2, args: [{ cstr: '/tmp/climb' }, O_RDONLY, 0] },
      { nr: 0, args: [{ load: RES + 4 * 7 }, BUF, 64] }, // read(the descriptor step 7 opened, BUF, 64)
      { nr: 2, args: [{ cstr: '/tmp/' + 'n'.repeat(300) }, O_WRONLY | O_CREAT, 0o644] },
      { nr: 2, args: [{ cstr: '/tmp/' + 'd/'.repeat(2100) }, O_RDONLY, 0] },
      { nr: 88, args: [{ cstr: 'self' }, { cstr: '/tmp/self' }] },
      { nr: 2, args: [{ cstr: '/tmp/self' }, O_RDONLY, 0] },
    ];
    const r = run(grateWithDecoy(), lindScript(steps));
    expect([0, 1, 2, 3].map(r.res)).toEqual([-ENOENT, -ENOENT, -ENOENT, -ENOENT]);
    expect(r.res(4)).toBe(0);
    expect(r.res(5)).toBe(-ENOENT);
    expect(r.res(6)).toBe(0);
    expect(r.res(7)).toBeGreaterThanOrEqual(3);
    expect(r.res(8)).toBe(11);
    expect(r.bytes(BUF, 11).toString()).toBe('imfs-decoy\n');
    expect([9, 10].map(r.res)).toEqual([-ENAMETOOLONG, -ENAMETOOLONG]);
    expect(r.res(12)).toBe(-ELOOP);
  });

  test('device nodes with host numbers (a disk, /dev/mem) open nothing: ENXIO', () => {
    const S_IFBLK = 0o60000, S_IFCHR = 0o20000;
    const steps = [
      { nr: 133, args: [{ cstr: '/tmp/sda' }, S_IFBLK | 0o600, 8 << 8] }, // mknod(…, makedev(8, 0))
      { nr: 2, args: [{ cstr: '/tmp/sda' }, 2, 0] },
      { nr: 133, args: [{ cstr: '/tmp/mem' }, S_IFCHR | 0o600, (1 << 8) | 1] }, // makedev(1, 1): /dev/mem
      { nr: 2, args: [{ cstr: '/tmp/mem' }, 2, 0] },
    ];
    const r = run(new Grate(), lindScript(steps));
    expect([0, 1, 2, 3].map(r.res)).toEqual([0, -ENXIO, 0, -ENXIO]);
  });
});

describe('PRELOADS never follows a host symlink out of a staged directory', () => {
  test('symlinks below a staged directory are recreated as symlinks; their targets stay out of the IMFS', () => {
    const stage = nodefs.mkdtempSync(path.join(os.tmpdir(), 'imfs-stage-'));
    const relSecret = path.relative(stage, secretPath);
    nodefs.writeFileSync(path.join(stage, 'file.txt'), 'staged\n');
    nodefs.symlinkSync(secretPath, path.join(stage, 'abs'));
    nodefs.symlinkSync(relSecret, path.join(stage, 'rel'));
    nodefs.symlinkSync(path.join(host, 'outside'), path.join(stage, 'dirlink'));
    nodefs.symlinkSync('file.txt', path.join(stage, 'inner'));
    try {
      const g = new Grate();
      preloads(g.fs, `/in=${stage}`);
      const st = newStat();
      const buf = new Uint8Array(4096);
      for (const [name, target] of [['abs', secretPath], ['rel', relSecret], ['dirlink', path.join(host, 'outside')], ['inner', 'file.txt']]) {
        expect(g.fs.lstat(0, `/in/${name}`, st)).toBe(0);
        expect(st.mode & S_IFMT).toBe(S_IFLNK);
        const n = g.fs.readlink(0, `/in/${name}`, buf);
        expect(Buffer.from(buf.subarray(0, n)).toString()).toBe(target);
      }
      // Nothing in the IMFS holds the secret, and the outside directory was not copied.
      const contents = imfsFiles(g);
      expect(Object.keys(contents).sort()).toEqual(['/in/file.txt']);
      expect(contents['/in/file.txt']).toBe('staged\n');
      expect(g.fs.stat(0, '/in/dirlink/secret.txt', st)).toBe(-ENOENT);
      // A cage following them stays in the IMFS.
      const r = run(g, lindScript([
        { nr: 2, args: [{ cstr: '/in/abs' }, O_RDONLY, 0] },
        { nr: 2, args: [{ cstr: '/in/rel' }, O_RDONLY, 0] },
        { nr: 2, args: [{ cstr: '/in/inner' }, O_RDONLY, 0] },
      ]));
      expect([r.res(0), r.res(1)]).toEqual([-ENOENT, -ENOENT]);
      expect(r.res(2)).toBeGreaterThanOrEqual(3);
    } finally {
      nodefs.rmSync(stage, { recursive: true });
    }
  });

  test('an entry that names a host symlink itself stages what it points to (that was asked for)', () => {
    const link = path.join(host, 'named-link');
    nodefs.symlinkSync(secretPath, link);
    try {
      const g = new Grate();
      preloads(g.fs, `/named=${link}`);
      expect(imfsFiles(g)['/named']).toBe(SECRET);
    } finally {
      nodefs.rmSync(link);
    }
  });
});

/** Every regular file of the IMFS (outside /dev), with its content. */
function imfsFiles(g: Grate): Record<string, string> {
  const out: Record<string, string> = {};
  const st = newStat();
  const walk = (dir: string) => {
    const fd = g.fs.open(0, dir, O_RDONLY | O_DIRECTORY);
    for (;;) {
      const e = g.fs.readdir(0, fd);
      if (e === null || typeof e === 'number') break;
      const name = Buffer.from(e.bytes).toString();
      if (name === '.' || name === '..') continue;
      const p = (dir === '/' ? '' : dir) + '/' + name;
      if (p === '/dev') continue;
      g.fs.lstat(0, p, st);
      if ((st.mode & S_IFMT) === 0o40000) walk(p);
      else if ((st.mode & S_IFMT) === S_IFREG) {
        const buf = Buffer.alloc(st.size);
        const f = g.fs.open(0, p, O_RDONLY);
        g.fs.read(0, f, buf);
        g.fs.close(0, f);
        out[p] = buf.toString('latin1');
      }
    }
    g.fs.close(0, fd);
  };
  walk('/');
  return out;
}

describe('DUMPS writes exactly the named host paths', () => {
  /** An IMFS with /out/sub/x, /out/f and /out/link -> sub/x. */
  function source(): Grate {
    const g = new Grate();
    for (const d of ['/out', '/out/sub']) expect(g.fs.mkdir(0, d, 0o755)).toBe(0);
    for (const [p, text] of [['/out/sub/x', 'x-data'], ['/out/f', 'f-data']]) {
      const fd = g.fs.open(0, p, 0o101, 0o644);
      g.fs.write(0, fd, Buffer.from(text));
      g.fs.close(0, fd);
    }
    expect(g.fs.symlink(0, 'sub/x', '/out/link')).toBe(0);
    return g;
  }

  test('host symlinks already in the target tree are replaced, never written through', () => {
    const target = nodefs.mkdtempSync(path.join(host, 'dump-'));
    const victim = path.join(host, 'outside', 'victim.txt');
    nodefs.writeFileSync(victim, 'victim');
    nodefs.symlinkSync(path.join(host, 'outside'), path.join(target, 'sub')); // where /out/sub (a directory) goes
    nodefs.symlinkSync(victim, path.join(target, 'f')); // where /out/f (a file) goes
    nodefs.symlinkSync(victim, path.join(target, 'link')); // where /out/link (a symlink) goes
    const outsideBefore = nodefs.readdirSync(path.join(host, 'outside')).sort();
    try {
      expect(dumps(source().fs, `/out=${target}`)).toEqual([]);
      expect(nodefs.lstatSync(path.join(target, 'sub')).isDirectory()).toBe(true);
      expect(nodefs.readFileSync(path.join(target, 'sub/x'), 'utf8')).toBe('x-data');
      expect(nodefs.lstatSync(path.join(target, 'f')).isFile()).toBe(true);
      expect(nodefs.readFileSync(path.join(target, 'f'), 'utf8')).toBe('f-data');
      expect(nodefs.readlinkSync(path.join(target, 'link'))).toBe('sub/x');
      expect(nodefs.readFileSync(victim, 'utf8')).toBe('victim');
      expect(nodefs.readdirSync(path.join(host, 'outside')).sort()).toEqual(outsideBefore);
    } finally {
      nodefs.rmSync(target, { recursive: true });
      nodefs.rmSync(victim);
    }
  });

  test('a named target that is a host symlink is replaced by the dumped directory', () => {
    const link = path.join(host, 'dump-link');
    nodefs.symlinkSync(path.join(host, 'outside'), link);
    try {
      expect(dumps(source().fs, `/out=${link}`)).toEqual([]);
      expect(nodefs.lstatSync(link).isDirectory()).toBe(true);
      expect(nodefs.readdirSync(link).sort()).toEqual(['f', 'link', 'sub']);
      expect(nodefs.existsSync(path.join(host, 'outside', 'sub'))).toBe(false);
    } finally {
      nodefs.rmSync(link, { recursive: true });
    }
  });

  test('a file or symlink with a 255-byte name is dumped (its temporary name is cut to fit NAME_MAX)', () => {
    const g = new Grate();
    const long = 'n'.repeat(255);
    expect(g.fs.mkdir(0, '/long', 0o755)).toBe(0);
    const fd = g.fs.open(0, `/long/${long}`, 0o101, 0o644);
    g.fs.write(0, fd, Buffer.from('long-data'));
    g.fs.close(0, fd);
    expect(g.fs.symlink(0, long, `/long/${'s'.repeat(255)}`)).toBe(0);
    const target = path.join(host, 'dump-long');
    try {
      expect(dumps(g.fs, `/long=${target}`)).toEqual([]);
      expect(nodefs.readFileSync(path.join(target, long), 'utf8')).toBe('long-data');
      expect(nodefs.readlinkSync(path.join(target, 's'.repeat(255)))).toBe(long);
      expect(nodefs.readdirSync(target).sort()).toEqual([long, 's'.repeat(255)]);
    } finally {
      nodefs.rmSync(target, { recursive: true });
    }
  });

  test('a symlink the cage made inside the tree is dumped as a symlink, and a later entry never writes through it', () => {
    const g = source();
    expect(g.fs.symlink(0, 'sub', '/out/escape')).toBe(0);
    const fd = g.fs.open(0, '/payload', 0o101, 0o644);
    g.fs.write(0, fd, Buffer.from('payload'));
    g.fs.close(0, fd);
    const target = path.join(host, 'dump-escape');
    try {
      const failures = dumps(g.fs, `/out=${target};/payload=${target}/escape/payload`);
      expect(failures.map((f) => f.message)).toEqual([
        `DUMPS entry '/payload': cannot dump '/payload' to '${target}/escape/payload': '${target}/escape' is a symlink this dump created (from the IMFS); not followed`,
      ]);
      expect(nodefs.readlinkSync(path.join(target, 'escape'))).toBe('sub');
      expect(nodefs.existsSync(path.join(target, 'sub', 'payload'))).toBe(false);
    } finally {
      nodefs.rmSync(target, { recursive: true });
    }
  });

  test('a symlink a cage points out of the IMFS tree (absolute, climbing) never becomes a host symlink', () => {
    const g = grateWithDecoy();
    // A lind cage: WASI's path_symlink refuses absolute targets, POSIX's symlink does not.
    const SYMLINK = 88, MKDIR = 83;
    const link = (target: string, at: string) => ({ nr: SYMLINK, args: [{ cstr: target }, { cstr: at }] });
    const steps = [
      { nr: MKDIR, args: [{ cstr: '/out' }, 0o755] },
      link('/etc/passwd', '/out/passwd'),
      link(secretPath, '/out/secret'),
      link('../'.repeat(30) + 'etc/passwd', '/out/climb'),
      link('../'.repeat(30) + secretPath.slice(1), '/out/climb-secret'),
    ];
    const s = sink();
    expect(g.runSync(lindScript(steps), { stdout: s })).toBe(0);
    const r = decode(s.bytes());
    expect(steps.map((_, k) => r.res(k))).toEqual([0, 0, 0, 0, 0]);
    const outsideBefore = nodefs.readdirSync(path.join(host, 'outside')).sort();
    const target = path.join(host, 'dump-hostile');
    const warnings: string[] = [];
    try {
      const failures = dumps(g.fs, `/out/passwd=${target}/x;/out=${target}/tree`, { warn: (m) => warnings.push(m) });
      // x and the climbing link are the IMFS's /etc/passwd (the decoy), written as files
      expect(nodefs.lstatSync(path.join(target, 'x')).isFile()).toBe(true);
      expect(nodefs.readFileSync(path.join(target, 'x'), 'utf8')).toBe('imfs-decoy\n');
      expect(nodefs.readdirSync(path.join(target, 'tree')).sort()).toEqual(['climb', 'passwd']);
      for (const f of ['climb', 'passwd']) expect(nodefs.readFileSync(path.join(target, 'tree', f), 'utf8')).toBe('imfs-decoy\n');
      // the host secret is no IMFS file: those links resolve to nothing and are refused, by name
      expect(failures.map((f) => f.message)).toEqual([`DUMPS entry '/out': 2 symlinks not written (named in the warnings); the rest was written`]);
      expect(warnings).toHaveLength(2);
      expect(warnings[0]).toMatch(/^DUMPS entry '\/out': symlink '\/out\/(secret|climb-secret)' -> .* not written: it resolves to nothing in the IMFS \(ENOENT\)$/);
      expect(warnings.join('\n')).toContain(`'/out/secret' -> '${secretPath}'`);
      expect(nodefs.readFileSync(secretPath, 'utf8')).toBe(SECRET);
      expect(nodefs.readdirSync(path.join(host, 'outside')).sort()).toEqual(outsideBefore);
    } finally {
      nodefs.rmSync(target, { recursive: true });
    }
  });
});
