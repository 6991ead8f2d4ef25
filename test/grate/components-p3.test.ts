/**
 * WASI 0.3 components through the Grate API (the upstream wasm32-wasip3 tests are the
 * components; test/upstream/wasi-testsuite-p3.test.ts runs them all through the command):
 * how one is recognised, refused without JSPI, run with JSPI (its work left in the IMFS,
 * --log lines for 0.3 calls, the cache), and the pieces a test of the suite would not
 * isolate (a stream dropped before it is read still settles its future).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as nodefs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Grate, GrateError } from '../../src/grate/index.js';
import { componentNames, wasiP3Names } from '../../src/abi/component-imports.js';
import { hostStream } from '../../src/abi/wasip3/streams.js';
import { errorOf } from '../../src/abi/wasip3/types.js';
import { CLOSED } from '../../src/abi/wasip2/io-error.js';
import { hasJspi } from '../../src/grate/component-p3-loader.js';
import { locateWasiTestsuite } from '../upstream/wasi-testsuite/cases.js';
import { fixture } from '../helpers/fixture-cages.js';
import { preloads } from '../../src/core/index.js';

const located = locateWasiTestsuite();
const suite = located.found ? path.join(located.root, 'tests', 'rust', 'testsuite', 'wasm32-wasip3') : '';
const wasm = (name: string) => path.join(suite, `${name}.wasm`);
const repo = path.resolve(__dirname, '../..');
let cacheDir: string;

beforeAll(() => { cacheDir = nodefs.mkdtempSync(path.join(os.tmpdir(), 'imfs-p3-')); });
afterAll(() => nodefs.rmSync(cacheDir, { recursive: true, force: true }));

describe('WASI 0.3 pieces', () => {
  test('a component\'s versioned imports and exports are read from its sections', () => {
    const p2 = componentNames(nodefs.readFileSync(fixture('components/p2-io')));
    expect(p2.imports).toContain('wasi:filesystem/types@0.2.3');
    expect(wasiP3Names([...p2.imports, ...p2.exports])).toEqual([]);
    expect(wasiP3Names(['wasi:cli/run@0.3.0', 'wasi:io/poll@0.2.4', 'wasi:clocks/types@0.3.0-rc-2026-03-15']))
      .toEqual(['wasi:cli/run@0.3.0', 'wasi:clocks/types@0.3.0-rc-2026-03-15']);
  });

  test('0.2 failures become 0.3 error-code variants; a bug is rethrown', () => {
    expect(errorOf('no-entry')).toEqual({ tag: 'no-entry' });
    expect(errorOf('would-block')).toEqual({ tag: 'other', val: 'would-block' });
    expect(errorOf(CLOSED)).toEqual({ tag: 'pipe' });
    const bug = new TypeError('x');
    expect(() => errorOf(bug)).toThrow(bug);
  });

  test('a host stream dropped before its first read still settles its future, and releases once', async () => {
    let released = 0;
    const [items, future] = hostStream(() => 1, () => released++);
    (items as IterableIterator<number>).return!();
    (items as IterableIterator<number>).return!();
    await expect(future).resolves.toEqual({ tag: 'ok' });
    expect(released).toBe(1);
    const [rest, end] = hostStream<number>(() => { throw 'io'; }, () => released++);
    expect([...rest]).toEqual([]);
    await expect(end).resolves.toEqual({ tag: 'err', val: { tag: 'io' } });
  });

  test('a run that waits on what will never happen ends as a trap (134), not as a quiet exit 0 of an emptied event loop', () => {
    // A stand-in prepared component (no JSPI needed) whose run never settles, in a process of its own.
    const script = `import { Grate } from ${JSON.stringify(path.join(repo, 'dist', 'index.js'))};
      const c = { name: 'stuck', imports: [], source: 'uncached', wasi: 'p3', timers: { current: null },
        coreModule() { throw new Error('none'); },
        instantiate: () => ({ 'wasi:cli/run@0.3.0': { run: () => new Promise(() => {}) } }) };
      process.exitCode = await new Grate().run(c, { onTrap: (m) => process.stderr.write(m) });`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(r.stderr).toContain("component 'stuck' can never finish: its run waits on nothing that will ever happen (deadlock)");
    expect(r.status).toBe(134);
  });
});

describe.skipIf(!located.found)('WASI 0.3 components through the grate', () => {
  test.skipIf(hasJspi())('without JSPI: refused at once, naming this Node and the line needed; runSync refuses too', async () => {
    await expect(new Grate().run(wasm('cli-exit'), { cacheDir })).rejects.toThrow(GrateError);
    await expect(new Grate().run(wasm('cli-exit'), { cacheDir })).rejects.toThrow(
      `component 'cli-exit.wasm' uses WASI 0.3 (wasi:cli/exit@0.3.0, wasi:cli/run@0.3.0): running it needs JSPI (WebAssembly.Suspending), which Node ${process.version} lacks; run it with Node 24 or later`);
    expect(() => new Grate().runSync(wasm('cli-exit'), { cacheDir })).toThrow(/uses WASI 0.3, which runs asynchronously: run it with Grate.run/);
  });

  test.skipIf(!hasJspi())('with JSPI: runs on the IMFS (its files left there), logs 0.3 calls, and is cached', async () => {
    const grate = new Grate();
    preloads(grate.fs, `/work=${path.join(suite, 'fs-tests.dir')}`);
    const log: string[] = [];
    const out: Buffer[] = [];
    const options = { cacheDir, preopens: [{ guest: '/', dir: '/work' }], trace: (l: string) => log.push(l),
      stdout: (b: Uint8Array) => out.push(Buffer.from(b)), stderr: () => {}, onTrap: () => {} };
    expect(await grate.run(wasm('filesystem-mkdir-rmdir'), options)).toBe(0);
    expect(log.some((l) => l.includes('wasi:filesystem/types@0.3 descriptor(3).createDirectoryAt("q.cleanup")'))).toBe(true);
    // rmdir of a symlink to ".." named with a trailing slash: not-permitted, as wasmtime answers (the IMFS says ENOTDIR).
    expect(log.some((l) => l.includes('descriptor(3).removeDirectoryAt("parent.cleanup/") = err not-permitted'))).toBe(true);
    // Its work is in the IMFS: what it made and removed is gone, the staged files are there.
    expect(grate.fs.exists(0, '/work/q.cleanup')).toBe(false);
    expect(grate.fs.exists(0, '/work/a.txt')).toBe(true);
    const prepared = await Grate.prepare(wasm('filesystem-mkdir-rmdir'), { cacheDir });
    expect(prepared.source).toBe('cache');
    expect(prepared.wasi).toBe('p3');
    expect(() => new Grate().runSync(prepared, { cacheDir })).toThrow(/runs asynchronously/);
    expect(await new Grate().run(wasm('cli-exit'), { cacheDir })).toBe(1);
    expect(await new Grate().run(wasm('run-with-err'), { cacheDir, stderr: () => {} })).toBe(1);
  });
});
