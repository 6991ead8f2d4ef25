/**
 * A real program nobody here wrote: CRuby 3.4 built for WASI preview1 (@ruby/3.4-wasm-wasi),
 * run through the drop-in WASI class (src/grate/wasi-class.ts, not node:wasi) on the IMFS.
 *
 * The package's modules are reactors (`_initialize`, no `_start`) driven by @ruby/wasm-wasi's
 * RubyVM: `RubyVM.instantiateModule({ module, wasip1 })` calls `wasip1.initialize(instance)`
 * and `ruby_init`, then `vm.eval(code)` runs Ruby. ruby+stdlib.wasm carries its standard
 * library (and /bundle: the js gem) in a wasi-vfs image inside the module: those paths never
 * reach the host. ruby.wasm carries /bundle only, so its standard library has to come from
 * the filesystem, here the IMFS (see the second describe).
 */
import { describe, test, expect, beforeAll, afterAll } from 'vitest';
import * as nodefs from 'node:fs';
import * as nodeos from 'node:os';
import * as nodepath from 'node:path';
import { fileURLToPath } from 'node:url';
import { RubyVM } from '@ruby/wasm-wasi';
import { WASI } from '../../src/grate/wasi-class.js';
import { dumpFile, loadFile, newStat, StagingError, O_DIRECTORY, O_RDONLY, S_IFLNK, S_IFMT, type Imfs } from '../../src/core/index.js';

const here = nodepath.dirname(fileURLToPath(import.meta.url));
const dist = nodepath.resolve(here, '../../node_modules/@ruby/3.4-wasm-wasi/dist');
const SCRIPT = nodepath.join(here, 'ruby-files.rb');

let withStdlib: WebAssembly.Module;
let bare: WebAssembly.Module;
let work = '';

beforeAll(async () => {
  for (const f of ['ruby+stdlib.wasm', 'ruby.wasm']) {
    if (!nodefs.existsSync(nodepath.join(dist, f))) throw new Error(`${nodepath.join(dist, f)} is missing: run npm ci (devDependency @ruby/3.4-wasm-wasi)`);
  }
  [withStdlib, bare] = await Promise.all([
    WebAssembly.compile(nodefs.readFileSync(nodepath.join(dist, 'ruby+stdlib.wasm'))),
    WebAssembly.compile(nodefs.readFileSync(nodepath.join(dist, 'ruby.wasm'))),
  ]);
  work = nodefs.mkdtempSync(nodepath.join(nodeos.tmpdir(), 'imfs-ruby-'));
}, 120_000);

afterAll(() => {
  if (work !== '') nodefs.rmSync(work, { recursive: true, force: true });
});

interface Ruby { vm: RubyVM; wasi: WASI; out: () => string; err: () => string }

/** A Ruby VM on `fs` (default: a fresh IMFS with /tmp and /dev) through our WASI class. */
async function ruby(module: WebAssembly.Module, opts: {
  fs?: Imfs; env?: Record<string, string>; stdin?: string; args?: string[];
  /** Runs on the IMFS before Ruby starts. */
  stage?: (fs: Imfs) => void;
} = {}): Promise<Ruby> {
  let out = '', err = '';
  const wasi = new WASI({
    version: 'preview1', returnOnExit: true, preopens: { '/': '/' }, fs: opts.fs, env: opts.env, stdin: opts.stdin ?? '',
    stdout: (b: Uint8Array) => { out += Buffer.from(b).toString(); },
    stderr: (b: Uint8Array) => { err += Buffer.from(b).toString(); },
  });
  opts.stage?.(wasi.fs);
  const { vm } = await RubyVM.instantiateModule({ module, wasip1: wasi, args: opts.args });
  return { vm, wasi, out: () => out, err: () => err };
}

function names(fs: Imfs, dir: string): string[] {
  const fd = fs.open(0, dir, O_RDONLY | O_DIRECTORY);
  expect(fd, `open ${dir}`).toBeGreaterThanOrEqual(0);
  const out: string[] = [];
  for (;;) {
    const e = fs.readdir(0, fd);
    if (e === null || typeof e === 'number') break;
    if (e.name !== '.' && e.name !== '..') out.push(Buffer.from(e.bytes).toString());
  }
  fs.close(0, fd);
  return out.sort();
}

function read(fs: Imfs, path: string): string {
  const st = newStat();
  expect(fs.stat(0, path, st), `stat ${path}`).toBe(0);
  const fd = fs.open(0, path, O_RDONLY);
  const buf = Buffer.alloc(st.size);
  expect(fs.read(0, fd, buf)).toBe(st.size);
  fs.close(0, fd);
  return buf.toString();
}

/** What Ruby 3.1 prints for ruby-files.rb on a Linux tmpfs (ROOT and TMPDIR set as below, stdin "piped in\n"). */
const EXPECTED = `glob **/*.txt: ["out/b2.txt", "src/a.txt", "src/lib/deep/d.txt"]
glob braces: ["c.rb"]
children src: ["a.txt", "lib"]
entries out: [".", "..", "b2.txt"]
read a.txt: "alpha\\nmore\\n"
lines d.txt: 3
size b2.txt: 5
b.txt still there: false
stat a.txt: [true, false, 11, 1]
readlink: "lib/deep/d.txt"
through link: [true, "delta\\n"]
nlink after link: 2
pwd: ["src"]
relative read: 18
rel.txt made: true
read at 3: "3456"
after truncate: "01234"
deep removed: true
mtime: [1000000000, 123456789]
utf-8 name: ["résumé.txt"]
many children: [600, true]
many after deleting half: [300, true]
tempfile: ["/tmp", true, 4]
error: "Errno::ENOENT"
error: "Errno::ENOTEMPTY"
error: "Errno::EEXIST"
error: "Errno::EINVAL"
error: "Errno::ENOTDIR"
error: "Errno::EISDIR"
slept: true
directories: ["", "many/", "out/", "out/lib-copy/", "out/lib-copy/deep/", "src/", "src/lib/"]
partial read: "pha"
stdin: "piped in\\n"
`;

describe('CRuby (ruby+stdlib.wasm) through the WASI class, on the IMFS', () => {
  test('a script staged into the IMFS builds, renames, globs and reads back a tree; the IMFS and its dump hold the result', async () => {
    const r = await ruby(withStdlib, {
      env: { ROOT: '/work', TMPDIR: '/tmp' }, stdin: 'piped in\n', stage: (fs) => loadFile(fs, '/app/ruby-files.rb', SCRIPT),
    });
    const fs = r.wasi.fs;
    r.vm.eval('load "/app/ruby-files.rb"');
    expect(r.err()).toBe('');
    expect(r.out()).toBe(EXPECTED);

    // The tree, looked at directly in the IMFS; times first, before a read moves b2.txt's atime (relatime).
    const b2 = newStat();
    expect(fs.stat(0, '/work/out/b2.txt', b2)).toBe(0);
    expect([b2.mtimeSec, b2.mtimeNsec, b2.atimeSec, b2.atimeNsec]).toEqual([1_000_000_000, 123456789, 1_000_000_000, 123456789]);
    expect(names(fs, '/work')).toEqual(['many', 'out', 'src']);
    expect(names(fs, '/work/src')).toEqual(['a.txt', 'lib', 'link', 'rel.txt']);
    expect(names(fs, '/work/src/lib')).toEqual(['c.rb']);
    expect(names(fs, '/work/out')).toEqual(['a-hard', 'b2.txt', 'c-moved.rb', 'lib-copy', 'manifest.json', 'résumé.txt', 'seek.bin']);
    expect(names(fs, '/work/out/lib-copy')).toEqual(['deep']);
    expect(names(fs, '/work/many').length).toBe(300);
    expect(names(fs, '/tmp')).toEqual([]);
    expect(read(fs, '/work/src/a.txt')).toBe('alpha\nmore\n');
    expect(read(fs, '/work/out/b2.txt')).toBe('beta\n');
    expect(read(fs, '/work/out/seek.bin')).toBe('01234');
    expect(read(fs, '/work/out/c-moved.rb')).toBe('puts 1\n');
    expect(read(fs, '/work/out/lib-copy/deep/d.txt')).toBe('delta\n'.repeat(3));
    expect(read(fs, '/work/out/résumé.txt')).toBe('é');
    expect(JSON.parse(read(fs, '/work/out/manifest.json'))).toEqual([
      'src/a.txt', 'src/lib', 'src/lib/c.rb', 'src/lib/deep', 'src/lib/deep/d.txt', 'src/link', 'src/rel.txt',
    ]);
    const a = newStat(), hard = newStat(), link = newStat();
    expect(fs.stat(0, '/work/src/a.txt', a)).toBe(0);
    expect(fs.stat(0, '/work/out/a-hard', hard)).toBe(0);
    expect([hard.ino, hard.nlink]).toEqual([a.ino, 2]);
    // The symlink was kept verbatim and now dangles (its target directory was removed).
    expect(fs.lstat(0, '/work/src/link', link)).toBe(0);
    expect(link.mode & S_IFMT).toBe(S_IFLNK);
    const target = new Uint8Array(64);
    expect(Buffer.from(target.subarray(0, fs.readlink(0, '/work/src/link', target))).toString()).toBe('lib/deep/d.txt');
    expect(fs.stat(0, '/work/src/link', newStat())).toBeLessThan(0);

    // The same tree dumped to the host: all of it but the dangling symlink, which is refused by name.
    const host = nodepath.join(work, 'tree');
    const warnings: string[] = [];
    expect(() => dumpFile(fs, '/work', host, { warn: (m) => warnings.push(m) })).toThrow(StagingError);
    expect(warnings).toEqual([`dump of '/work': symlink '/work/src/link' -> 'lib/deep/d.txt' not written: it resolves to nothing in the IMFS (ENOENT)`]);
    expect(nodefs.existsSync(nodepath.join(host, 'src/link'))).toBe(false);
    expect(nodefs.readdirSync(nodepath.join(host, 'out')).sort()).toEqual(names(fs, '/work/out'));
    expect(nodefs.readFileSync(nodepath.join(host, 'src/a.txt'), 'utf8')).toBe('alpha\nmore\n');
    expect(nodefs.readFileSync(nodepath.join(host, 'out/résumé.txt'), 'utf8')).toBe('é');
    const many = nodefs.readdirSync(nodepath.join(host, 'many'));
    expect(many.length).toBe(300);
    for (const n of many) expect(nodefs.readFileSync(nodepath.join(host, 'many', n), 'utf8')).toBe(n);
  }, 120_000);
});

describe('CRuby without an embedded stdlib (ruby.wasm) loads its standard library from the IMFS', () => {
  const LIB = '/opt/ruby/lib';
  const args = ['ruby.wasm', '-EUTF-8', `-I${LIB}/3.4.0`, `-I${LIB}/3.4.0/wasm32-wasi`, '-e_=0'];
  const program = `
    require "json"; require "set"; require "erb"; require "fileutils"
    FileUtils.mkdir_p("/report")
    File.write("/report/out.json", JSON.generate({ "sum" => Set[1, 2, 3, 3].sum, "erb" => ERB.new("<%= 6 * 7 %>").result }))
    $stdout.sync = true
    puts File.read("/report/out.json")
    puts $LOADED_FEATURES.grep(%r{\\A${LIB}/}).size > 10
    puts $LOADED_FEATURES.include?("${LIB}/3.4.0/json.rb")
  `;

  test('the stdlib, copied out of ruby+stdlib.wasm through the IMFS and the host, is staged into a fresh IMFS', async () => {
    // The embedded Ruby copies its own library (wasi-vfs) into the IMFS …
    const source = await ruby(withStdlib);
    source.vm.eval('require "fileutils"; FileUtils.mkdir_p("/stage"); FileUtils.cp_r("/usr/local/lib/ruby/3.4.0", "/stage/")');
    expect(source.err()).toBe('');
    expect(names(source.wasi.fs, '/stage/3.4.0')).toContain('json.rb');
    // … which goes to the host (DUMPS) and into a new IMFS (PRELOADS).
    const host = nodepath.join(work, 'rubylib', '3.4.0');
    dumpFile(source.wasi.fs, '/stage/3.4.0', host);
    expect(nodefs.existsSync(nodepath.join(host, 'json', 'common.rb'))).toBe(true);
    const target = await ruby(bare, { args, stage: (fs) => loadFile(fs, `${LIB}/3.4.0`, host) });
    target.vm.eval(program);
    expect(target.err()).toBe('');
    expect(target.out()).toBe('{"sum":6,"erb":"42"}\ntrue\ntrue\n');
    expect(read(target.wasi.fs, '/report/out.json')).toBe('{"sum":6,"erb":"42"}');
  }, 120_000);

  test('without the staged stdlib, require fails: the library really comes from the IMFS', async () => {
    const r = await ruby(bare, { args });
    expect(() => r.vm.eval('require "json"')).toThrow(/cannot load such file -- json/);
  });
});
