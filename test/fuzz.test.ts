/**
 * The ABI fuzzer in `make test`: a fixed seed for 100,000 calls over both ABIs (run as
 * `make fuzz` runs it: bundled, in a worker watched for hangs; its --help and its refusal
 * of arguments), plus checks that its parts
 * can fail: the invariant checker reports corrupted states, and a bug planted in the core
 * is found and minimized to a short reproducer.
 */
import { describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as nodefs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { Imfs, newStat, O_CREAT, O_RDWR } from '../src/core/index.js';
import { FsState } from '../src/core/fs-state.js';
import { checkInvariants } from '../src/core/check.js';
import { makeConfig, failsLike, minimize, runEpoch, report, replay } from './fuzz/fuzz.js';

const CI_SEED = 20260522;
const CI_COUNT = 100_000;

function sample(): Imfs {
  const fs = new Imfs();
  expect(fs.mkdir(0, '/d', 0o755)).toBe(0);
  expect(fs.mkdir(0, '/d/e', 0o755)).toBe(0);
  const fd = fs.open(0, '/d/f', O_CREAT | O_RDWR, 0o644);
  expect(fs.write(0, fd, new Uint8Array(5000).fill(7))).toBe(5000);
  expect(fs.link(0, '/d/f', '/g')).toBe(0);
  expect(fs.symlink(0, 'd/f', '/l')).toBe(0);
  expect(fs.createCage(1, { cwd: '/d/e' })).toBe(0);
  expect(fs.rmdir(0, '/d/e')).toBe(0); // cage 1's cwd is now a removed directory
  expect(fs.pipe(0, [0, 0])).toBe(0);
  return fs;
}

describe('the invariant checker', () => {
  test('a filesystem that went through links, removals, a removed cwd and a pipe is consistent', () => {
    expect(checkInvariants(sample())).toEqual([]);
  });

  const corruptions: [string, (fs: Imfs, ino: (p: string) => number) => void, RegExp][] = [
    ['an nlink one too high', (fs, ino) => { fs.inodes.nlink[ino('/g')]++; }, /has nlink 3, 2 entries name it/],
    ['a directory nlink off', (fs, ino) => { fs.inodes.nlink[ino('/d')]--; }, /directory \d+ has nlink 1, expected 2/],
    ['a lost reference', (fs, ino) => { fs.inodes.refs[ino('/d/f')]--; }, /has refs 0, expected 1/],
    ['a freed number still live', (fs) => { fs.inodes.freeList.push(fs.root); }, /live and on the free list/],
    ['Space out of step', (fs) => { fs.space.used += 512; }, /Space counts/],
    ['a wrong ".."', (fs, ino) => { fs.inodes.directory(ino('/d')).parent = ino('/d'); }, /has "\.\." /],
    ['a description counting one descriptor too many', (fs) => { fs.cage(0)!.files[3]!.refs++; }, /counts 2 descriptors, 1 point at it/],
    ['a pipe end not counted', (fs) => { fs.cage(0)!.files.find((f) => f?.pipe)!.pipe!.readers++; }, /pipe counts 2 readers/],
    ['garbage past the end of a file', (fs, ino) => {
      (fs.inodes.payload[ino('/d/f')] as { forEachChunk(v: (k: number, c: Uint8Array) => void): void }).forEachChunk((_k, c) => { c[c.length - 1] = 1; });
    }, /non-zero bytes past its end/],
    ['two files sharing a chunk', (fs, ino) => {
      const fd = fs.open(0, '/h', O_CREAT | O_RDWR, 0o644);
      expect(fs.write(0, fd, new Uint8Array(100))).toBe(100);
      type Chunks = { head: Uint8Array };
      const shared = (fs.inodes.payload[ino('/d/f')] as unknown as Chunks).head;
      shared.fill(0, 100); // so that only the sharing is wrong
      (fs.inodes.payload[ino('/h')] as unknown as Chunks).head = shared.subarray(0, 512);
    }, /have chunks sharing memory/],
  ];
  test.each(corruptions)('reports %s', (_what, corrupt, message) => {
    const fs = sample();
    const ino = (p: string) => { const st = newStat(); expect(fs.lstat(0, p, st)).toBe(0); return st.ino; };
    corrupt(fs, ino);
    expect(checkInvariants(fs).join('\n')).toMatch(message);
  });
});

describe('the fuzzer', () => {
  test('finds a bug planted in the core and minimizes it to a few calls', () => {
    // The bug: a new entry named "b" does not count as a link of a non-directory (the
    // starting tree has only a directory of that name).
    const attach = FsState.prototype.attach;
    FsState.prototype.attach = function (this: FsState, dir: number, name: string, ino: number) {
      attach.call(this, dir, name, ino);
      if (name === 'b' && !this.inodes.isDir(ino)) this.inodes.nlink[ino]--;
    };
    try {
      let found = null;
      for (let epoch = 0; epoch < 20 && found === null; epoch++) {
        const r = runEpoch(7, epoch, 2000);
        if (r.failure !== null) found = { epoch, ...r };
        expect(r.failure?.index).not.toBe(-1); // the starting world is fine
      }
      expect(found).not.toBeNull();
      const { epoch, failure, log } = found!;
      expect(failure!.kind).toBe('invariant');
      const config = makeConfig(7, epoch);
      const small = minimize(log.slice(0, failure!.index + 1), failsLike(config, failure!.signature));
      // A few calls, and 1-minimal: without any one of them the failure goes (a call that
      // only makes an fd number come out right still counts, so "few" is not a fixed 3).
      expect(small.length).toBeLessThanOrEqual(10);
      expect(small.length).toBeLessThan(failure!.index / 10);
      const stillFails = failsLike(config, failure!.signature);
      for (let i = 0; i < small.length; i++) expect(stillFails(small.filter((_, j) => j !== i))).toBe(false);
      const again = replay(config, small).failure;
      expect(again?.signature).toBe(failure!.signature);
      const text = report(config, small, again!);
      expect(text).toMatch(/seed=7 epoch=\d+/);
      expect(text).toMatch(/b"/); // the call that made the entry named "b"
    } finally {
      FsState.prototype.attach = attach;
    }
  });

  test(`a fixed seed, ${CI_COUNT.toLocaleString('en')} calls over both ABIs: no host exception, invariant violation or hang`, async () => {
    const dir = nodefs.mkdtempSync(path.join(os.tmpdir(), 'imfs-fuzz-'));
    try {
      const out = path.join(dir, 'fuzz.js');
      await build({ entryPoints: ['test/fuzz/main.ts'], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: out, logLevel: 'warning' });
      const t0 = performance.now();
      const r = spawnSync(process.execPath, [out], { env: { ...process.env, SEED: String(CI_SEED), COUNT: String(CI_COUNT), JOBS: '1' }, encoding: 'utf8', timeout: 110_000 });
      const secs = (performance.now() - t0) / 1000;
      const output = `${r.stdout}${r.stderr}`;
      if (r.status !== 0) console.log(output);
      expect(r.status, output.slice(-4000)).toBe(0);
      expect(output).toMatch(new RegExp(`${CI_COUNT} calls in .* no failure`));
      expect(secs).toBeLessThan(60);
      // Settings come only from the environment: --help prints them and runs nothing; any
      // other argument is refused rather than ignored (a campaign would start regardless).
      const help = spawnSync(process.execPath, [out, '--help'], { encoding: 'utf8', timeout: 10_000 });
      expect([help.status, help.stdout]).toEqual([0, expect.stringMatching(/^usage: make fuzz .*\n[\s\S]*SEED[\s\S]*COUNT/)]);
      const bad = spawnSync(process.execPath, [out, '--seed', '3'], { encoding: 'utf8', timeout: 10_000 });
      expect([bad.status, bad.stdout, bad.stderr]).toEqual([2, '', expect.stringMatching(/^fuzz: takes no arguments \(got --seed 3\)/)]);
    } finally {
      nodefs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

