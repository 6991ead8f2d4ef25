/**
 * The imfs-grate command end to end: built as `make imfs` builds it, run in a scratch
 * directory with the demo cage; PRELOADS/DUMPS (environment and options), their
 * warnings and failures, exit statuses, --log, and the grate's own errors.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import * as nodefs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildCommand } from '../helpers/command-bundle.js';
import { buildModule, op } from '../helpers/wasm-builder.js';
import { iovec, lindScript, wasiScript, type Step } from '../helpers/script-cage.js';
import { WRITE_FOREVER, CREATE_FOREVER, OPEN_FOREVER, NOSPC, MFILE, imp } from '../helpers/hostile-cages.js';

const repo = path.resolve(__dirname, '../..');
const demo = path.join(repo, 'wasm-fixtures/demo.wasm');
const demoInput = nodefs.readFileSync(path.join(repo, 'wasm-fixtures/demo-input.txt'), 'utf8');
let program: string;
let scratch: string;

beforeAll(async () => {
  scratch = nodefs.mkdtempSync(path.join(os.tmpdir(), 'imfs-cli-'));
  program = await buildCommand(scratch);
});
afterAll(() => nodefs.rmSync(scratch, { recursive: true, force: true }));

/** A fresh working directory holding the demo input, and a runner of the command in it. */
function workdir() {
  const dir = nodefs.mkdtempSync(path.join(scratch, 'run-'));
  nodefs.mkdirSync(path.join(dir, 'in'));
  nodefs.writeFileSync(path.join(dir, 'in/input.txt'), demoInput);
  const run = (args: string[], env: Record<string, string> = {}) => {
    const r = spawnSync(process.execPath, [program, ...args], {
      cwd: dir, env: { PATH: process.env.PATH ?? '', XDG_CACHE_HOME: path.join(scratch, 'cache'), ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  return { dir, run, read: (p: string) => nodefs.readFileSync(path.join(dir, p), 'utf8') };
}

/** What the demo writes for an input: where it came from, the counts, then the lines in byte order. */
function expectedReport(text: string, input = '/data/input.txt'): string {
  const lines = text.split('\n').filter((l, i, a) => !(i === a.length - 1 && l === ''));
  const words = text.split(/[ \t\n]+/).filter((w) => w.length > 0).length;
  const sorted = [...lines].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return `report on ${input}\nlines: ${lines.length}\nwords: ${words}\nbytes: ${Buffer.byteLength(text)}\nsorted lines:\n${sorted.map((l) => l + '\n').join('')}`;
}

describe('the demo run of the README', () => {
  test('PRELOADS stages the input, DUMPS writes the report back', () => {
    const w = workdir();
    const r = w.run([demo], { PRELOADS: '/data/input.txt=in/input.txt', DUMPS: '/out/report.txt=report.txt' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/lines/);
    expect(w.read('report.txt')).toBe(expectedReport(demoInput));
  });

  test('--preload and --dump do the same, with host parents created', () => {
    const w = workdir();
    const r = w.run(['--preload', '/data/input.txt=in/input.txt', '--dump', '/out/report.txt=deep/er/report.txt', demo]);
    expect(r.status).toBe(0);
    expect(w.read('deep/er/report.txt')).toBe(expectedReport(demoInput));
  });

  test('the cage gets its arguments, and a plain "path" entry means the same path on both sides', () => {
    const w = workdir();
    const r = w.run([demo, '/in/input.txt', '/in/report.txt'], { PRELOADS: 'in/input.txt', DUMPS: 'in/report.txt' });
    expect(r.status).toBe(0);
    expect(w.read('in/report.txt')).toBe(expectedReport(demoInput, '/in/input.txt'));
  });

  test('staging keeps the host mode bits, and DUMPS keeps the IMFS ones', () => {
    const w = workdir();
    nodefs.chmodSync(path.join(w.dir, 'in/input.txt'), 0o640);
    const r = w.run([demo], { PRELOADS: '/data/input.txt=in/input.txt', DUMPS: '/data/input.txt=copy.txt;/out/report.txt=report.txt' });
    expect(r.status).toBe(0);
    expect(nodefs.statSync(path.join(w.dir, 'copy.txt')).mode & 0o777).toBe(0o640);
  });
});

describe('PRELOADS and DUMPS problems', () => {
  test('a PRELOADS entry whose host file is missing: status 2, named, and nothing runs or is dumped', () => {
    const w = workdir();
    const r = w.run([demo], { PRELOADS: '/data/input.txt=in/input.txt:/x=in/missing.txt', DUMPS: '/data/input.txt=should-not-exist.txt' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/PRELOADS entry '\/x=in\/missing.txt': host file 'in\/missing.txt' does not exist/);
    expect(r.stdout).toBe('');
    expect(nodefs.existsSync(path.join(w.dir, 'should-not-exist.txt'))).toBe(false);
  });

  test('empty entries and entries with an empty side are skipped with a warning', () => {
    const w = workdir();
    const r = w.run([demo], { PRELOADS: ':/data/input.txt=in/input.txt::=x:y=', DUMPS: ';/out/report.txt=report.txt;;=z' });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/PRELOADS: skipping an empty entry/);
    expect(r.stderr).toMatch(/PRELOADS: skipping '=x'/);
    expect(r.stderr).toMatch(/PRELOADS: skipping 'y='/);
    expect(r.stderr).toMatch(/DUMPS: skipping '=z'/);
    expect(w.read('report.txt')).toBe(expectedReport(demoInput));
  });

  test('staging a path twice keeps the last one', () => {
    const w = workdir();
    nodefs.writeFileSync(path.join(w.dir, 'in/short.txt'), 'x\n');
    const r = w.run([demo], { PRELOADS: '/data/input.txt=in/input.txt:/data/input.txt=in/short.txt', DUMPS: '/out/report.txt=report.txt' });
    expect(r.status).toBe(0);
    expect(w.read('report.txt')).toBe(expectedReport('x\n'));
  });

  test('a DUMPS entry that cannot be written is named; the others are still written; status 2', () => {
    const w = workdir();
    const r = w.run([demo], { PRELOADS: '/data/input.txt=in/input.txt', DUMPS: '/nope.txt=a.txt;/out/report.txt=report.txt' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/DUMPS entry '\/nope.txt'.*ENOENT/);
    expect(w.read('report.txt')).toBe(expectedReport(demoInput));
    expect(nodefs.existsSync(path.join(w.dir, 'a.txt'))).toBe(false);
  });

  test('DUMPS run whatever the cage\'s status, which stays the status', () => {
    const w = workdir();
    // No input staged: the demo fails (status 1), the preloaded other file is still dumped.
    nodefs.writeFileSync(path.join(w.dir, 'in/other.txt'), 'other\n');
    const r = w.run([demo], { PRELOADS: '/other.txt=in/other.txt', DUMPS: '/other.txt=other-out.txt' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/input/);
    expect(w.read('other-out.txt')).toBe('other\n');
  });

  test('a dump replaces an existing host file atomically (no temporary file left behind)', () => {
    const w = workdir();
    nodefs.writeFileSync(path.join(w.dir, 'report.txt'), 'old');
    const r = w.run([demo], { PRELOADS: '/data/input.txt=in/input.txt', DUMPS: '/out/report.txt=report.txt' });
    expect(r.status).toBe(0);
    expect(w.read('report.txt')).toBe(expectedReport(demoInput));
    expect(nodefs.readdirSync(w.dir).filter((f) => f.includes('.imfs-'))).toEqual([]);
  });
});

describe('options, statuses and the grate\'s own errors', () => {
  test('--version and --help', () => {
    const w = workdir();
    const pkg = JSON.parse(nodefs.readFileSync(path.join(repo, 'package.json'), 'utf8')) as { version: string };
    expect(w.run(['--version']).stdout).toBe(`imfs-grate ${pkg.version}\n`);
    const help = w.run(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/usage: imfs-grate \[options\] <cage.wasm> \[args...\]/);
    for (const o of ['--log', '--preload', '--dump', '--env', '--dir', '--cwd', '--uid', '--gid', '--umask', '--bare', 'PRELOADS', 'DUMPS']) expect(help.stdout).toContain(o);
  });

  test('usage errors: status 2 and the usage', () => {
    const w = workdir();
    for (const args of [[], ['--frobnicate', demo], ['--uid', 'x', demo], ['--env', 'NOEQUALS', demo], ['--dir', '/x', demo], ['--preload']]) {
      const r = w.run(args);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^imfs-grate: /);
    }
  });

  test('a missing cage, a file that is not wasm, and an unsatisfiable import: status 2, named', () => {
    const w = workdir();
    let r = w.run(['no-such.wasm']);
    expect([r.status, r.stderr]).toEqual([2, "imfs-grate: cannot read cage 'no-such.wasm': no such file\n"]);
    nodefs.writeFileSync(path.join(w.dir, 'text.wasm'), 'hello');
    r = w.run(['text.wasm']);
    expect([r.status, r.stderr]).toEqual([2, "imfs-grate: 'text.wasm' is not a WebAssembly module\n"]);
    nodefs.writeFileSync(path.join(w.dir, 'odd.wasm'), buildModule({
      imports: [{ module: 'env', name: 'mystery', params: ['i64'], results: ['i32'] }], memory: 1,
      funcs: [{ params: [], results: [], export: '_start', body: [] }],
    }));
    r = w.run(['odd.wasm']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("imfs-grate: cage 'odd.wasm' needs imports this grate does not provide: env.mystery (function (i64) -> (i32))\n");
  });

  test('the cage\'s exit status is the command\'s; a trap is 134', () => {
    const w = workdir();
    nodefs.writeFileSync(path.join(w.dir, 'exit5.wasm'), buildModule({
      imports: [{ module: 'wasi_snapshot_preview1', name: 'proc_exit', params: ['i32'], results: [] }], memory: 1,
      funcs: [{ params: [], results: [], export: '_start', body: [...op.i32(5), ...op.call(0)] }],
    }));
    expect(w.run(['exit5.wasm']).status).toBe(5);
    nodefs.writeFileSync(path.join(w.dir, 'trap.wasm'), buildModule({ memory: 1, funcs: [{ params: [], results: [], export: '_start', body: op.unreachable }] }));
    const r = w.run(['trap.wasm']);
    expect(r.status).toBe(134);
    expect(r.stderr).toMatch(/cage 'trap.wasm' trapped: unreachable/);
  });

  test('--log=FILE writes one line per call, with paths and errno names', () => {
    const w = workdir();
    const r = w.run(['--log=trace.txt', demo, '/missing.txt']);
    expect(r.status).toBe(1);
    const log = w.read('trace.txt');
    expect(log).toMatch(/path_open\(3, SYMLINK_FOLLOW, "missing.txt", 0, 0x[0-9a-f]+, 0x[0-9a-f]+, 0, 0x[0-9a-f]+\) = 44 NOENT/);
    expect(log.split('\n').filter((l) => l.length > 0).every((l) => l.startsWith('[cage 1] '))).toBe(true);
  });

  test('--bare starts from an empty root', () => {
    const w = workdir();
    const r = w.run(['--bare', demo, '/tmp/x']);
    expect(r.status).toBe(1);
  });
});

/** Writes `module` as `name` in the working directory. */
function cageFile(w: ReturnType<typeof workdir>, name: string, module: Uint8Array): string {
  nodefs.writeFileSync(path.join(w.dir, name), module);
  return name;
}

/** A cage that writes "partial" to /tmp/out.txt and then ends with `end` (a trap, or proc_exit(n)). */
function writeThen(end: number[]): Uint8Array {
  return buildModule({
    imports: [imp('path_open'), imp('fd_write'), imp('proc_exit')],
    memory: 1,
    data: [{ offset: 1024, bytes: [...Buffer.from('tmp/out.txt')] }, { offset: 1536, bytes: iovec(2048, 7) }, { offset: 2048, bytes: [...Buffer.from('partial')] }],
    funcs: [{
      params: [], results: [], export: '_start',
      body: [
        ...[3, 1, 1024, 11, 1].flatMap(op.i32), ...op.i64(0x1fffffffn), ...op.i64(0x1fffffffn), ...op.i32(0), ...op.i32(3000), ...op.call(0), ...op.drop,
        ...op.i32(3000), ...op.i32Load, ...op.i32(1536), ...op.i32(1), ...op.i32(3004), ...op.call(1), ...op.drop,
        ...end,
      ],
    }],
  });
}
const exitWith = (n: number) => [...op.i32(n), ...op.call(2)];

describe('limits on the command line', () => {
  test('--max-bytes (with K, M or G): a cage that writes forever meets ENOSPC there and exits with it', () => {
    const w = workdir();
    const fill = cageFile(w, 'fill.wasm', WRITE_FOREVER);
    for (const [arg, max] of [['1M', 1 << 20], ['64k', 64 << 10], ['3000', 3000]] as const) {
      const r = w.run(['--max-bytes', arg, '--dump', '/tmp/big=big', fill]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(NOSPC);
      const size = nodefs.statSync(path.join(w.dir, 'big')).size;
      expect(size).toBeLessThanOrEqual(max);
      expect(size).toBeGreaterThan(max - 65536);
    }
    expect(w.run([`--max-bytes=1G`, '--max-bytes=2K', fill]).status).toBe(NOSPC);
  });

  test('--max-inodes and --max-fds: ENOSPC and EMFILE', () => {
    const w = workdir();
    expect(w.run(['--max-inodes', '100', cageFile(w, 'create.wasm', CREATE_FOREVER)]).status).toBe(NOSPC);
    expect(w.run(['--max-fds=10', cageFile(w, 'open.wasm', OPEN_FOREVER)]).status).toBe(MFILE);
  });

  test('--max-fds is what a lind-glibc cage\'s getrlimit(RLIMIT_NOFILE) reports, soft and hard', () => {
    const r = workdir().run(['--max-fds', '64', path.join(repo, 'wasm-fixtures/lind-glibc/lind-glibc.wasm')]);
    expect(r.stdout).toContain('info: RLIMIT_NOFILE cur=64 max=64\n');
    expect(r.stdout).toMatch(/\n\d+ passed, 0 failed\n$/);
    expect(r.status).toBe(0);
  });

  test('bad values are usage errors naming the option', () => {
    const w = workdir();
    for (const [args, message] of [
      [['--max-bytes', '1X', demo], /--max-bytes needs a positive size \(digits, optionally followed by K, M or G\), got '1X'/],
      [['--max-bytes', '1.5M', demo], /--max-bytes needs a positive size/],
      [['--max-bytes=0', demo], /--max-bytes needs a positive size/],
      [['--max-bytes', '-5', demo], /--max-bytes needs a positive size/],
      [['--max-bytes', '99999999999G', demo], /--max-bytes needs a positive size/],
      [['--max-inodes', 'lots', demo], /--max-inodes needs a positive integer, got 'lots'/],
      [['--max-fds', '0', demo], /--max-fds needs a positive integer, got '0'/],
      [['--max-fds'], /--max-fds needs a value/],
    ] as const) {
      const r = w.run([...args]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toMatch(/usage: imfs-grate/);
    }
  });

  test('limits too small for the grate itself: status 2, saying why', () => {
    const w = workdir();
    let r = w.run(['--max-inodes', '3', demo]);
    expect([r.status, r.stderr]).toEqual([2, 'imfs-grate: cannot set up the IMFS: cannot create /dev/null in the IMFS (errno 28)\n']);
    r = w.run(['--max-fds', '3', demo]);
    expect([r.status, r.stderr]).toEqual([2, "imfs-grate: cage 'demo.wasm': WASI preopen '/': IMFS directory '/' cannot be opened (errno 24)\n"]);
  });

  test('--help shows the limits with their defaults and the dump policy', () => {
    const help = workdir().run(['--help']).stdout;
    for (const o of ['--max-bytes N[K|M|G]', '--max-inodes N', '--max-fds N', '--dump-on-failure', '--no-dump-on-failure', 'default 4194304', 'default 1024']) expect(help).toContain(o);
    expect(help).toMatch(/default\s+\d+[KMG]?: 4 GiB or half the host's memory/);
  });
});

describe('DUMPS after a cage that fails', () => {
  test('by default they are written after a trap (status 134, the cage named) and after a non-zero exit', () => {
    const w = workdir();
    let r = w.run(['--dump', '/tmp/out.txt=out.txt', cageFile(w, 'trap.wasm', writeThen(op.unreachable))]);
    expect(r.status).toBe(134);
    expect(r.stderr).toBe("imfs-grate: cage 'trap.wasm' trapped: unreachable\n");
    expect(w.read('out.txt')).toBe('partial');
    nodefs.rmSync(path.join(w.dir, 'out.txt'));
    r = w.run(['--dump-on-failure', '--dump', '/tmp/out.txt=out.txt', cageFile(w, 'exit3.wasm', writeThen(exitWith(3)))]);
    expect(r.status).toBe(3);
    expect(w.read('out.txt')).toBe('partial');
  });

  test('--no-dump-on-failure writes them only after status 0; the last of the two options wins', () => {
    const w = workdir();
    const trap = cageFile(w, 'trap.wasm', writeThen(op.unreachable));
    const exit3 = cageFile(w, 'exit3.wasm', writeThen(exitWith(3)));
    const exit0 = cageFile(w, 'exit0.wasm', writeThen(exitWith(0)));
    const out = path.join(w.dir, 'out.txt');
    expect(w.run(['--no-dump-on-failure', '--dump', '/tmp/out.txt=out.txt', trap]).status).toBe(134);
    expect(nodefs.existsSync(out)).toBe(false);
    expect(w.run(['--no-dump-on-failure', '--dump', '/tmp/out.txt=out.txt', exit3]).status).toBe(3);
    expect(nodefs.existsSync(out)).toBe(false);
    expect(w.run(['--no-dump-on-failure', '--dump', '/tmp/out.txt=out.txt', exit0]).status).toBe(0);
    expect(w.read('out.txt')).toBe('partial');
    nodefs.rmSync(out);
    expect(w.run(['--no-dump-on-failure', '--dump-on-failure', '--dump', '/tmp/out.txt=out.txt', exit3]).status).toBe(3);
    expect(w.read('out.txt')).toBe('partial');
  });
});

describe('DUMPS are crash-safe', () => {
  const MiB = 1 << 20;
  /** A workdir with in/big.bin (`size` bytes of a pattern), out.bin holding "old", a cage that does nothing. */
  function bigDump(size: number) {
    const w = workdir();
    const big = Buffer.alloc(size);
    for (let i = 0; i < size; i += 4096) big.write(`block ${i / 4096} `, i);
    nodefs.writeFileSync(path.join(w.dir, 'in/big.bin'), big);
    nodefs.writeFileSync(path.join(w.dir, 'out.bin'), 'old');
    cageFile(w, 'noop.wasm', buildModule({ memory: 1, funcs: [{ params: [], results: [], export: '_start', body: [] }] }));
    const args = ['--preload', '/big.bin=in/big.bin', '--dump', '/big.bin=out.bin', 'noop.wasm'];
    const temps = () => nodefs.readdirSync(w.dir).filter((f) => f.startsWith('.out.bin.imfs-'));
    /** Starts the command and SIGKILLs it when `when(elapsed ms)` says so; resolves once it is gone. */
    const killed = async (when: (ms: number) => boolean) => {
      const p = spawn(process.execPath, [program, ...args], { cwd: w.dir, stdio: 'ignore' });
      const exited = new Promise((resolve) => p.once('exit', resolve));
      let done = false;
      p.once('exit', () => { done = true; });
      const start = Date.now();
      while (!done && !when(Date.now() - start)) await new Promise((resolve) => setTimeout(resolve, 1));
      p.kill('SIGKILL');
      await exited;
    };
    /** The target is the old file or the complete new one. */
    const target = (): 'old' | 'new' => {
      const now = nodefs.readFileSync(path.join(w.dir, 'out.bin'));
      if (now.equals(Buffer.from('old'))) return 'old';
      expect(now.equals(big)).toBe(true);
      return 'new';
    };
    return { w, args, temps, killed, target };
  }

  test('killed while writing the temporary file: the old target is intact; the next dump completes and removes the leftover', async () => {
    const d = bigDump(256 * MiB);
    // Kill once the temporary file has some of the data, but not all of it.
    await d.killed(() => d.temps().some((t) => { const s = nodefs.statSync(path.join(d.w.dir, t)).size; return s > 0 && s < 256 * MiB; }));
    expect(d.target()).toBe('old');
    expect(d.temps()).toHaveLength(1);
    const r = d.w.run(d.args);
    expect(r.status).toBe(0);
    expect(d.target()).toBe('new');
    expect(d.temps()).toEqual([]);
  });

  test('killed at any moment, the target is the old file or the complete new one', async () => {
    const d = bigDump(24 * MiB);
    const seen = new Set<string>();
    for (let delay = 0; delay <= 3000; delay += 250) {
      nodefs.writeFileSync(path.join(d.w.dir, 'out.bin'), 'old');
      await d.killed((ms) => ms >= delay);
      seen.add(d.target());
    }
    // From a kill before the dump starts to a run that finished: both outcomes, and nothing else.
    expect([...seen].sort()).toEqual(['new', 'old']);
  });
});

describe('DUMPS never plant a way out: a cage\'s symlinks', () => {
  // A lind cage: WASI's path_symlink refuses absolute targets, POSIX's symlink does not.
  const SYMLINK = 88, MKDIR = 83;
  const link = (target: string, at: string) => ({ nr: SYMLINK, args: [{ cstr: target }, { cstr: '/' + at }] });
  const mkdir = (at: string) => ({ nr: MKDIR, args: [{ cstr: '/' + at }, 0o755] });
  /** A cage that makes /out/x -> /etc/passwd, and /out/d with links that stay inside, lead out, dangle, loop, or climb to an ancestor. */
  const LINKS = lindScript([
    mkdir('out'), link('/etc/passwd', 'out/x'), mkdir('out/d'), mkdir('out/d/sub'),
    link('sub', 'out/d/in'), link('../../etc/passwd', 'out/d/climb'), link('missing', 'out/d/dangling'),
    link('loop', 'out/d/loop'), link('..', 'out/d/sub/up'), link('/out', 'out/d/sub/top'),
  ]);
  const kind = (p: string) => {
    const st = nodefs.lstatSync(p, { throwIfNoEntry: false });
    return st === undefined ? 'none' : st.isSymbolicLink() ? `link ${nodefs.readlinkSync(p)}` : st.isDirectory() ? 'dir' : `file ${nodefs.readFileSync(p, 'utf8')}`;
  };

  test('/out/x -> /etc/passwd dumped as /out/x=x is the IMFS\'s /etc/passwd as a file, or refused when the IMFS has none', () => {
    const w = workdir();
    const cage = cageFile(w, 'links.wasm', LINKS);
    nodefs.writeFileSync(path.join(w.dir, 'in/passwd'), 'the IMFS passwd\n');
    let r = w.run([cage], { PRELOADS: '/etc/passwd=in/passwd', DUMPS: '/out/x=x' });
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(kind(path.join(w.dir, 'x'))).toBe('file the IMFS passwd\n');
    nodefs.rmSync(path.join(w.dir, 'x'));
    r = w.run([cage], { PRELOADS: '/other.txt=in/input.txt', DUMPS: '/out/x=x;/other.txt=other.txt' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      "imfs-grate: warning: DUMPS entry '/out/x': symlink '/out/x' -> '/etc/passwd' not written: it resolves to nothing in the IMFS (ENOENT)\n"
      + "imfs-grate: DUMPS entry '/out/x': 1 symlink not written (named in the warnings); the rest was written\n",
    );
    expect(kind(path.join(w.dir, 'x'))).toBe('none');
    expect(w.read('other.txt')).toBe(demoInput);
  });

  test('in a dumped directory: inside links kept, outside ones written as files, dangling, looping and ancestor links refused by name (status 2)', () => {
    const w = workdir();
    const cage = cageFile(w, 'links.wasm', LINKS);
    nodefs.writeFileSync(path.join(w.dir, 'in/passwd'), 'the IMFS passwd\n');
    const r = w.run([cage], { PRELOADS: '/etc/passwd=in/passwd', DUMPS: '/out/d=d;/etc/passwd=copy' });
    expect(r.status).toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.slice(0, -1).sort()).toEqual([
      "imfs-grate: warning: DUMPS entry '/out/d': symlink '/out/d/dangling' -> 'missing' not written: it resolves to nothing in the IMFS (ENOENT)",
      "imfs-grate: warning: DUMPS entry '/out/d': symlink '/out/d/loop' -> 'loop' not written: it resolves to nothing in the IMFS (ELOOP)",
      "imfs-grate: warning: DUMPS entry '/out/d': symlink '/out/d/sub/top' -> '/out' not written: it resolves to a directory that holds it (a cycle: the copy would never end)",
    ]);
    expect(lines.at(-1)).toBe("imfs-grate: DUMPS entry '/out/d': 3 symlinks not written (named in the warnings); the rest was written");
    expect(['in', 'climb', 'sub/up', 'dangling', 'loop', 'sub/top'].map((p) => kind(path.join(w.dir, 'd', p)))).toEqual([
      'link sub', 'file the IMFS passwd\n', 'link ..', 'none', 'none', 'none',
    ]);
    expect(kind(path.join(w.dir, 'copy'))).toBe('file the IMFS passwd\n');
  });
});

describe('the command\'s code cache (launcher.ts)', () => {
  const hello = path.join(repo, 'wasm-fixtures/hello.wasm');
  /** The cache files under an XDG_CACHE_HOME, with their contents. */
  const cached = (xdg: string) => {
    const dir = path.join(xdg, 'imfs-grate/code');
    return nodefs.existsSync(dir) ? nodefs.readdirSync(dir).map((f) => ({ f, data: nodefs.readFileSync(path.join(dir, f)) })) : [];
  };

  test('written at the first run\'s exit, then read and left alone; one file per bundle and Node', () => {
    const w = workdir(), xdg = path.join(w.dir, 'xdg');
    const first = w.run([hello], { XDG_CACHE_HOME: xdg });
    expect([first.status, first.stdout, first.stderr]).toEqual([0, 'hello from a WASI cage\n', '']);
    const files = cached(xdg);
    expect(files.map((c) => c.f)).toEqual([expect.stringMatching(new RegExp(`^imfs-grate-main-${process.version}-${process.arch}-\\d+-\\d+\\.v8$`))]);
    expect(files[0].data.length).toBeGreaterThan(10_000);
    const mtime = nodefs.statSync(path.join(xdg, 'imfs-grate/code', files[0].f)).mtimeMs;
    const second = w.run([hello], { XDG_CACHE_HOME: xdg });
    expect([second.status, second.stdout, second.stderr]).toEqual([0, 'hello from a WASI cage\n', '']);
    expect(cached(xdg)).toEqual(files);
    expect(nodefs.statSync(path.join(xdg, 'imfs-grate/code', files[0].f)).mtimeMs).toBe(mtime);
  });

  test('a corrupt cache is refused by V8 and written anew; the run is unaffected', () => {
    const w = workdir(), xdg = path.join(w.dir, 'xdg');
    expect(w.run([hello], { XDG_CACHE_HOME: xdg }).status).toBe(0);
    const [{ f, data }] = cached(xdg);
    const junk = Buffer.alloc(data.length, 0x5a);
    nodefs.writeFileSync(path.join(xdg, 'imfs-grate/code', f), junk);
    const r = w.run([hello], { XDG_CACHE_HOME: xdg });
    expect([r.status, r.stdout, r.stderr]).toEqual([0, 'hello from a WASI cage\n', '']);
    const after = cached(xdg);
    expect(after.map((c) => c.f)).toEqual([f]);
    expect(after[0].data.equals(junk)).toBe(false);
  });

  test('writing a cache removes the caches (and temporary files) not written for a week, and only those', () => {
    const w = workdir(), xdg = path.join(w.dir, 'xdg'), dir = path.join(xdg, 'imfs-grate/code');
    nodefs.mkdirSync(dir, { recursive: true });
    const weekAgo = (Date.now() - 8 * 24 * 3600 * 1000) / 1000;
    const old = ['imfs-grate-main-v0.0.0-x64-1-1.v8', 'imfs-grate-main-v0.0.0-x64-1-1.v8.123.tmp'];
    for (const f of old) { nodefs.writeFileSync(path.join(dir, f), 'old'); nodefs.utimesSync(path.join(dir, f), weekAgo, weekAgo); }
    nodefs.writeFileSync(path.join(dir, 'imfs-grate-main-v0.0.1-x64-1-1.v8'), 'recent'); // another install's, in use
    nodefs.writeFileSync(path.join(dir, 'notes.txt'), 'not ours');
    nodefs.utimesSync(path.join(dir, 'notes.txt'), weekAgo, weekAgo);
    expect(w.run([hello], { XDG_CACHE_HOME: xdg }).status).toBe(0);
    const left = nodefs.readdirSync(dir);
    expect(left.filter((f) => f.startsWith(`imfs-grate-main-${process.version}-`))).toHaveLength(1);
    expect(left.filter((f) => !f.startsWith(`imfs-grate-main-${process.version}-`)).sort()).toEqual(['imfs-grate-main-v0.0.1-x64-1-1.v8', 'notes.txt']);
  });

  test('--no-cache neither reads nor writes it; a cache that cannot be written is no error', () => {
    const w = workdir(), xdg = path.join(w.dir, 'xdg');
    const r = w.run(['--no-cache', hello], { XDG_CACHE_HOME: xdg });
    expect([r.status, r.stdout, r.stderr]).toEqual([0, 'hello from a WASI cage\n', '']);
    expect(nodefs.existsSync(xdg)).toBe(false);
    // XDG_CACHE_HOME/imfs-grate is a file: no directory can be made under it.
    nodefs.mkdirSync(xdg);
    nodefs.writeFileSync(path.join(xdg, 'imfs-grate'), 'not a directory');
    const blocked = w.run([hello], { XDG_CACHE_HOME: xdg });
    expect([blocked.status, blocked.stdout, blocked.stderr]).toEqual([0, 'hello from a WASI cage\n', '']);
    expect(nodefs.readdirSync(xdg)).toEqual(['imfs-grate']);
  });
});
