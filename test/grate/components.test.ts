/**
 * WASI 0.2 components through the grate: the committed fixture components (preview1
 * programs adapted with jco's command adapter, and p2-direct, which imports wasi:* itself;
 * wasm-fixtures/components/) run with Grate.run, wasi:* served by the IMFS; exit statuses,
 * traps, the transpilation cache, --log, and the command line.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as nodefs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { componentNew, preview1AdapterCommandPath } from '@bytecodealliance/jco';
import { Grate, GrateError, type RunOptions } from '../../src/grate/index.js';
import { O_RDONLY, newStat, type Imfs } from '../../src/core/index.js';
import { runComponent } from '../../src/grate/component-run.js';
import { WasiP2Abi } from '../../src/abi/wasip2/abi.js';
import { CABI_LOWER } from '../../src/abi/wasip2/lower.js';
import { installStdio } from '../../src/grate/stdio.js';
import { buildModule, op } from '../helpers/wasm-builder.js';
import { fixture } from '../helpers/fixture-cages.js';
import { buildCommand } from '../helpers/command-bundle.js';

const repo = path.resolve(__dirname, '../..');
let scratch: string;
let cacheDir: string;

beforeAll(() => {
  scratch = nodefs.mkdtempSync(path.join(os.tmpdir(), 'imfs-components-'));
  cacheDir = path.join(scratch, 'cache');
});
afterAll(() => nodefs.rmSync(scratch, { recursive: true, force: true }));

async function run(name: string, options: RunOptions = {}, grate = new Grate()) {
  const out: Buffer[] = [], err: Buffer[] = [];
  const status = await grate.run(fixture(`components/${name}`), {
    cacheDir, stdout: (b) => out.push(Buffer.from(b)), stderr: (b) => err.push(Buffer.from(b)), ...options,
  });
  return { status, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), grate };
}

const failures = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('FAIL'));

describe('fixture components on the IMFS', () => {
  test('p2-io: streams, append, directories, symlinks, inodes, ns times, odd names, stdio, env', async () => {
    const r = await run('p2-io', { args: ['/p2-io', 'some input'], stdin: 'some input', env: { P2_VAR: 'x=y z' } });
    expect(failures(r.stdout), r.stdout + r.stderr).toEqual([]);
    expect(r.stdout).toMatch(/^in:some input\n\d+ passed, 0 failed\n$/m);
    expect(Number(/(\d+) passed/.exec(r.stdout)![1])).toBeGreaterThan(100);
    expect(r.stderr).toBe('in:some input\n');
    expect(r.status).toBe(0);
    // What it did is in the IMFS.
    const st = newStat();
    expect(r.grate.fs.stat(0, '/p2-io/t', st)).toBe(0);
    expect([st.mtimeSec, st.mtimeNsec, st.atimeNsec]).toEqual([5, 1, 123456789]);
    expect(r.grate.fs.stat(0, '/p2-io/d/h3', st)).toBe(0);
    expect(st.nlink).toBe(2);
    expect(r.grate.fs.exists(0, '/p2-io/link')).toBe(false);
  });

  test('p2-io sees failures: with the wrong stdin it fails, and says so with status 1', async () => {
    const r = await run('p2-io', { args: ['/p2-io', 'expected'], stdin: 'other', env: { P2_VAR: 'x=y z' } });
    expect(failures(r.stdout).length).toBeGreaterThan(0);
    expect(r.status).toBe(1);
  });

  test('exit statuses: exit(0) is 0; exit(N) for N ≠ 0 is 1 (the adapter keeps only ok/err)', async () => {
    const env = { P2_VAR: 'x=y z' };
    expect((await run('p2-io', { env: { ...env, P2_EXIT: '0' } })).status).toBe(0);
    expect((await run('p2-io', { env: { ...env, P2_EXIT: '7' } })).status).toBe(1);
    expect((await run('wasi-misc', { args: ['42'] })).status).toBe(1);
  });

  test('wasi-misc: arguments and environment arrive intact', async () => {
    const r = await run('wasi-misc', { args: ['0', 'a', 'b c'], env: { K: 'V' } });
    expect(failures(r.stdout)).toEqual([]);
    expect(r.stdout).toContain('arg[3]: b c');
    expect(r.status).toBe(0);
  });

  test('wasi-fs: passes except where jco\'s preview1 adapter itself differs from a preview1 host', async () => {
    const r = await run('wasi-fs');
    // Each known difference, by the check's text (the adapter's, not this host's):
    const known = [
      /read\(fd, buf, 1\): got -1 \(errno 8 .*want -1 \(errno 31/, // fd_read on a directory: the adapter answers BADF itself
      /writev|readv|preadv|memcmp\(a, "ab"|memcmp\(buf, "aXYdef"|lseek\(fd, 0, SEEK_CUR\): got [23], want (7|10)/, // only the first iovec per call
      /posix_fallocate|size_of\("t"\): got 3, want 10000/, // fd_allocate: the adapter answers NOTSUP
      /ftruncate\(fd, 0\): got -1 \(errno 28 .*want -1 \(errno 76/, // no rights in 0.2: EINVAL from the core, not NOTCAPABLE
      /odd name seen once/, // a name that is not UTF-8 cannot cross a WIT string (the glue decodes it lossily)
    ];
    const unexplained = failures(r.stdout).filter((l) => !known.some((k) => k.test(l)));
    expect(unexplained, r.stdout).toEqual([]);
    expect(Number(/(\d+) passed/.exec(r.stdout)![1])).toBeGreaterThan(300);
  });

  test('hello: stdout, and the same component again from the cache', async () => {
    const dir = path.join(scratch, 'own-cache');
    const first = await Grate.prepare(fixture('components/hello'), { cacheDir: dir });
    expect(first.source).toBe('transpiled');
    const again = await Grate.prepare(fixture('components/hello'), { cacheDir: dir });
    expect(again.source).toBe('cache');
    const out: string[] = [];
    expect(new Grate().runSync(again, { stdout: (b) => out.push(Buffer.from(b).toString()) })).toBe(0);
    expect(out.join('')).toBe('hello from a WASI cage\n');
    // runSync finds a cached component by itself, and refuses one that was never transpiled.
    expect(new Grate().runSync(fixture('components/hello'), { cacheDir: dir, stdout: () => {} })).toBe(0);
    expect(() => new Grate().runSync(fixture('components/hello'), { cacheDir: path.join(scratch, 'empty'), stdout: () => {} }))
      .toThrow(/not transpiled yet/);
    expect(() => Grate.load(fixture('components/hello'))).toThrow(GrateError);
  });

  test('no cache, and a cache that cannot be written: a warning, and the run goes on', async () => {
    const none = path.join(scratch, 'never');
    expect((await run('hello', { cache: false, cacheDir: none })).status).toBe(0);
    expect(nodefs.existsSync(none)).toBe(false);
    const file = path.join(scratch, 'a-file');
    nodefs.writeFileSync(file, '');
    const warnings: string[] = [];
    const r = await run('hello', { cacheDir: path.join(file, 'sub'), warn: (m) => warnings.push(m) });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('hello from a WASI cage\n');
    expect(warnings.join('\n')).toMatch(/cannot write the component cache at '.*a-file\/sub'.*ENOTDIR.*running without it/);
    // Under /proc (where Node 20's recursive mkdir never returns) it is refused at once too.
    if (process.platform === 'linux') {
      const r2 = await run('hello', { cacheDir: '/proc/imfs-grate-no-such-dir/cache', warn: (m) => warnings.push(m) });
      expect(r2.status).toBe(0);
      expect(warnings.at(-1)).toMatch(/cannot write the component cache at '\/proc\/imfs-grate-no-such-dir\/cache'.*ENOENT/);
    }
  });

  test('--log names each wasi call with its arguments and result', async () => {
    const lines: string[] = [];
    await run('hello', { trace: (l) => lines.push(l) });
    expect(lines).toContain('[cage 1] wasi:filesystem/preopens get-directories() = [[descriptor(3), "/"]]');
    expect(lines).toContain('[cage 1] wasi:io/streams output-stream(1).blocking-write-and-flush("hello from a WASI cage" (22 bytes)) = none');
  });

  test('a trap is status 134, reported', async () => {
    // A preview1 command whose _start traps, made a component here.
    const core = buildModule({ memory: 1, funcs: [{ params: [], results: [], body: [0x00], export: '_start' }] });
    const adapter = nodefs.readFileSync(preview1AdapterCommandPath());
    const component = await componentNew(core, [['wasi_snapshot_preview1', adapter]]) as Uint8Array;
    const reports: string[] = [];
    expect(await new Grate().run(component, { cacheDir, onTrap: (m) => reports.push(m), stdout: () => {} })).toBe(134);
    expect(reports.join()).toMatch(/trapped: unreachable/);
  });

  test('jco\'s glue takes our lowering of descriptor.read and .write (the calls behind fd_pread/fd_pwrite), and they work', async () => {
    // A jco whose glue no longer asks for Symbol.for('cabiLower') (or asks differently) fails here.
    const prepared = await Grate.prepare(fixture('components/bench'), { cacheDir });
    const fs = new Grate().fs;
    fs.createCage(9);
    const out: Buffer[] = [];
    installStdio(fs, 9, { stdout: (b) => out.push(Buffer.from(b)), stderr: (b) => out.push(Buffer.from(b)) });
    const abi = new WasiP2Abi({ fs, cageId: 9, args: ['bench', '/tmp', '1', 'x1', 'calls=2000', 'call-pwrite64-hot', 'call-pread64-hot'], env: [] });
    const asked: string[] = [];
    const proto = abi.host.classes.Descriptor.prototype as unknown as Record<string, Record<symbol, (o: unknown) => unknown>>;
    for (const m of ['read', 'write']) {
      const lower = proto[m][CABI_LOWER];
      proto[m][CABI_LOWER] = (o) => { asked.push(m); return lower(o); };
    }
    expect(runComponent(prepared, abi, (m) => out.push(Buffer.from(m)))).toBe(0);
    expect(asked.sort()).toEqual(['read', 'write']);
    expect(Buffer.concat(out).toString()).toMatch(/^call-pwrite64-hot +\d+ ops\/s.*\ncall-pread64-hot +\d+ ops\/s/);
  });

  test('a component importing an interface this grate does not serve is refused, naming it', () => {
    const fs = new Grate().fs;
    fs.createCage(9);
    const abi = new WasiP2Abi({ fs, cageId: 9, args: ['x'], env: [] });
    const prepared = { name: 'net', imports: ['wasi:cli/exit', 'wasi:sockets/tcp'], instantiate: () => ({}), coreModule: () => { throw new Error('unused'); }, source: 'uncached' as const };
    expect(() => runComponent(prepared, abi, () => {})).toThrow(/imports interfaces this grate does not provide: wasi:sockets\/tcp/);
  });
});

/** A file's bytes in the IMFS, as text. */
function imfsText(fs: Imfs, file: string): string {
  const fd = fs.open(0, file, O_RDONLY);
  expect(fd).toBeGreaterThanOrEqual(0);
  const buf = new Uint8Array(4096);
  const n = fs.read(0, fd, buf, buf.length);
  fs.close(0, fd);
  return Buffer.from(buf.subarray(0, n)).toString();
}

describe('p2-direct: a component that imports wasi:* 0.2.3 itself (no preview1 adapter)', () => {
  const env = { P2_VAR: 'x=y z' };
  /** A grate with /d in its IMFS, offered as a second preopen "/data" beside "/". */
  function twoPreopens() {
    const grate = new Grate();
    expect(grate.fs.mkdir(0, '/d', 0o755)).toBe(0);
    return { grate, preopens: [{ guest: '/', dir: '/' }, { guest: '/data', dir: '/d' }] };
  }

  test('is built without the adapter: no preview1 anywhere in it', () => {
    const bytes = nodefs.readFileSync(fixture('components/p2-direct'));
    expect(bytes.includes('wasi_snapshot_preview1')).toBe(false);
    expect(bytes.includes('wasi:filesystem/types@0.2.3')).toBe(true);
  });

  test('checks files, directories, links, streams, times, stdio, args, env, clocks, random; leaves its work in the IMFS', async () => {
    const { grate, preopens } = twoPreopens();
    const r = await run('p2-direct', { args: ['/data/p2', 'some input'], stdin: 'some input', env, preopens }, grate);
    expect(failures(r.stdout), r.stdout + r.stderr).toEqual([]);
    expect(r.stdout).toMatch(/^arg\[0\]: p2-direct\.wasm\narg\[1\]: \/data\/p2\narg\[2\]: some input\nin:some input\n\d+ passed, 0 failed\n$/);
    expect(Number(/(\d+) passed/.exec(r.stdout)![1])).toBeGreaterThan(200);
    expect(r.stderr).toBe('in:some input\n');
    expect(r.status).toBe(0);
    // It chose the longer preopen "/data" (IMFS /d) for /data/p2.
    const fs = r.grate.fs, st = newStat();
    expect(fs.exists(0, '/data')).toBe(false);
    expect(imfsText(fs, '/d/p2/f')).toBe('Hello, World!');
    expect(imfsText(fs, '/d/p2/stdin.txt')).toBe('some input');
    expect(fs.stat(0, '/d/p2/t', st)).toBe(0);
    expect([st.atimeSec, st.atimeNsec, st.mtimeSec, st.mtimeNsec]).toEqual([5, 123456789, 1700000000, 999999999]);
    const link = new Uint8Array(64);
    const n = fs.readlink(0, '/d/p2/ln', link);
    expect(Buffer.from(link.subarray(0, n)).toString()).toBe('f');
    expect(fs.stat(0, '/d/p2/f', st)).toBe(0);
    const ino = st.ino;
    expect(st.nlink).toBe(2);
    expect(fs.stat(0, '/d/p2/d/h2', st)).toBe(0);
    expect(st.ino).toBe(ino);
    expect(fs.exists(0, '/d/p2/d/a')).toBe(true);
    expect(fs.exists(0, '/d/p2/d/b')).toBe(false);
    expect(fs.exists(0, '/d/p2/e2')).toBe(false);
  });

  test('exit statuses: returning ok is 0, exit(ok) 0, exit(err) 1, run returning err 1, exit-with-code N is N', async () => {
    const status = async (p2Exit?: string) =>
      (await run('p2-direct', { args: ['/p2'], env: p2Exit === undefined ? env : { ...env, P2_EXIT: p2Exit } })).status;
    expect(await status()).toBe(0);
    expect(await status('ok')).toBe(0);
    expect(await status('err')).toBe(1);
    expect(await status('return-err')).toBe(1);
    expect(await status('7')).toBe(7);
    expect(await status('255')).toBe(255);
  });

  test('fails loudly with status 1: no preopen for BASE, BASE already there, the wrong stdin or environment', async () => {
    const none = await run('p2-direct', { args: ['/p2'], env, preopens: [] });
    expect(none.stdout).toContain('FAIL [preopens] line');
    expect(none.stdout).toMatch(/none of 0 covers \/p2\n\d+ passed, 1 failed\n$/);
    expect(none.stderr).toBe('p2-direct: no preopen covers /p2\n');
    expect(none.status).toBe(1);

    const grate = new Grate();
    expect(grate.fs.mkdir(0, '/there', 0o755)).toBe(0);
    const there = await run('p2-direct', { args: ['/there'], env }, grate);
    expect(failures(there.stdout)).toEqual([expect.stringMatching(/^FAIL \[base\] line \d+: mkdir_at\(root, rel\): got exist, want ok$/)]);
    expect(there.stderr).toBe('p2-direct: cannot make /there\n');
    expect(there.status).toBe(1);

    const stdin = await run('p2-direct', { args: ['/p2', 'expected'], stdin: 'other', env });
    expect(failures(stdin.stdout)).toEqual([expect.stringMatching(/^FAIL \[stdin\] line \d+: all: got "other", want "expected"$/)]);
    expect(stdin.status).toBe(1);

    const noEnv = await run('p2-direct', { args: ['/p2'], env: { P2_VAR: 'other', P2_EXIT: '7' } });
    expect(failures(noEnv.stdout)).toEqual([
      expect.stringMatching(/^FAIL \[environment\] line \d+: env\[i\]\.v\.p: got "other", want "x=y z"$/),
      expect.stringMatching(/^FAIL \[environment\] line \d+: p2_var$/),
    ]);
    expect(noEnv.status).toBe(1); // a failure wins over P2_EXIT
  });
});

describe('imfs-grate with a component', () => {
  let program: string;
  beforeAll(async () => {
    // Built as `make` builds it: the launcher, whose import() loads jco (launcher.ts).
    program = await buildCommand(scratch);
    // The bundle finds jco in the repository's node_modules, as an installed package would in its own.
    nodefs.symlinkSync(path.join(repo, 'node_modules'), path.join(scratch, 'node_modules'));
  });
  const cli = (args: string[], env: Record<string, string> = {}) => spawnSync(process.execPath, [program, ...args], {
    cwd: scratch, env: { PATH: process.env.PATH ?? '', HOME: scratch, ...env }, encoding: 'utf8', input: 'typed',
  });

  test('runs it with options, status, DUMPS; caches under XDG_CACHE_HOME', () => {
    const xdg = path.join(scratch, 'xdg');
    const r = cli(['--env', 'P2_VAR=x=y z', '--dump', '/p2-io/s=out-s', fixture('components/p2-io'), '/p2-io', 'typed'], { XDG_CACHE_HOME: xdg });
    expect(r.stderr).toBe('in:typed\n');
    expect(r.stdout).toMatch(/\d+ passed, 0 failed/);
    expect(r.status).toBe(0);
    expect(nodefs.readFileSync(path.join(scratch, 'out-s'), 'latin1')).toBe('Hel');
    expect(nodefs.readdirSync(path.join(xdg, 'imfs-grate/components'))).toHaveLength(1);
    const again = cli(['--no-cache', '--log', fixture('components/hello')], { XDG_CACHE_HOME: path.join(scratch, 'xdg-none') });
    expect(again.status).toBe(0);
    expect(again.stdout).toBe('hello from a WASI cage\n');
    expect(again.stderr).toContain('wasi:cli/stdout get-stdout() = output-stream(1)');
    expect(nodefs.existsSync(path.join(scratch, 'xdg-none'))).toBe(false);
    // Default cache: $HOME/.cache when XDG_CACHE_HOME is unset.
    expect(cli([fixture('components/hello')]).status).toBe(0);
    expect(nodefs.existsSync(path.join(scratch, '.cache/imfs-grate/components'))).toBe(true);
  });
});
