/**
 * Limits that protect the host, through the grate: a cage that writes forever meets ENOSPC
 * at the byte limit and the host's memory grows by no more than that; one that creates
 * files forever meets ENOSPC at the inode limit; one that opens forever meets EMFILE at the
 * descriptor limit; a cage's memory stops at its declared maximum. The grate's default
 * byte limit is the core's, capped at half the host's memory.
 */
import { describe, expect, test } from 'vitest';
import * as os from 'node:os';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { Grate, defaultMaxBytes } from '../../src/grate/index.js';
import { DEFAULT_LIMITS, newStat, O_RDONLY, O_DIRECTORY } from '../../src/core/index.js';
import { checkInvariants } from '../../src/core/check.js';
import { buildModule, op } from '../helpers/wasm-builder.js';
import { WRITE_FOREVER, CREATE_FOREVER, OPEN_FOREVER, NOSPC, MFILE, imp } from '../helpers/hostile-cages.js';

const MiB = 1 << 20;
/** What a run may add to resident memory besides file data (compiled code, heap growth). */
const PROCESS_SLACK = 24 * MiB;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
/**
 * The process's resident memory once garbage is collected (V8 frees memory concurrently:
 * let it). File chunks live in WebAssembly memories (page-aligned slabs), which Node's
 * memoryUsage().arrayBuffers does not count; resident memory counts everything.
 */
async function resident(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return process.memoryUsage().rss;
}

function fileSize(g: Grate, p: string): number {
  const st = newStat();
  expect(g.fs.stat(0, p, st)).toBe(0);
  return st.size;
}

describe('limits reached by a cage', () => {
  test('a cage that writes forever gets ENOSPC at maxBytes; the host\'s memory grows by about that much, no more', async () => {
    const maxBytes = 64 * MiB;
    const g = new Grate({ limits: { maxBytes } });
    const before = await resident();
    expect(g.runSync(WRITE_FOREVER)).toBe(NOSPC);
    const grown = (await resident()) - before;
    const size = fileSize(g, '/tmp/big');
    expect(size).toBeGreaterThan(maxBytes - 64 * 1024);
    expect(size).toBeLessThanOrEqual(maxBytes);
    expect(g.fs.space.used).toBeLessThanOrEqual(maxBytes);
    // The pool holds the file data plus at most one partly used 16 MiB slab; the process
    // grows by that and a little of its own (code, heap), never by a second copy of the data.
    expect(g.fs.space.pool.heldBytes).toBeLessThan(maxBytes + 17 * MiB);
    expect(grown).toBeLessThan(maxBytes + 17 * MiB + PROCESS_SLACK);
    expect(checkInvariants(g.fs)).toEqual([]);
    // The space comes back when the file goes: the same cage fills it again, to the same size.
    expect(g.fs.unlink(0, '/tmp/big')).toBe(0);
    expect(g.fs.space.used).toBe(0);
    expect(g.runSync(WRITE_FOREVER)).toBe(NOSPC);
    expect(fileSize(g, '/tmp/big')).toBe(size);
    expect(g.fs.space.pool.heldBytes).toBeLessThan(maxBytes + 17 * MiB);
    expect((await resident()) - before).toBeLessThan(maxBytes + 17 * MiB + PROCESS_SLACK);
  });

  test('a cage that creates files forever gets ENOSPC at maxInodes', () => {
    const maxInodes = 3000;
    const g = new Grate({ limits: { maxInodes } });
    const inUse = g.fs.inodes.live - g.fs.anonymous.size;
    expect(g.runSync(CREATE_FOREVER)).toBe(NOSPC);
    const dir = g.fs.open(0, '/tmp', O_RDONLY | O_DIRECTORY);
    let files = 0;
    for (let e = g.fs.readdir(0, dir); e !== null && typeof e !== 'number'; e = g.fs.readdir(0, dir)) files++;
    g.fs.close(0, dir);
    expect(files - 2).toBe(maxInodes - inUse); // less "." and ".."
    expect(checkInvariants(g.fs)).toEqual([]);
  });

  test('a cage that opens forever gets EMFILE at maxFds, and its descriptors are closed when it ends', () => {
    const g = new Grate({ limits: { maxFds: 64 } });
    expect(g.runSync(OPEN_FOREVER)).toBe(MFILE);
    expect([...g.fs.cages.keys()]).toEqual([0]);
    expect(checkInvariants(g.fs)).toEqual([]);
    expect(g.runSync(OPEN_FOREVER)).toBe(MFILE); // and the next cage has its own 64
  });

  test('a cage\'s memory grows to its declared maximum and no further', () => {
    // memory.grow(1) three times with maximum 3 pages: 1, 2, then -1; exit status = the three answers' bits
    const grow = (want: number, bit: number) => [...op.i32(1), 0x40, 0, ...op.i32(want), 0x46, ...op.i32(bit), 0x6c, 0x6a];
    const cage = buildModule({
      imports: [imp('proc_exit')],
      memoryImport: { module: 'env', name: 'memory', initial: 1, maximum: 3 },
      funcs: [{ params: [], results: [], export: '_start', body: [...op.i32(0), ...grow(1, 1), ...grow(2, 2), ...grow(-1, 4), ...op.call(0)] }],
    });
    expect(new Grate().runSync(cage)).toBe(7);
  });
});

describe('the grate\'s default limits', () => {
  test('maxBytes is the core\'s 4 GiB, capped at half the host\'s memory, like tmpfs; explicit limits win', () => {
    expect(defaultMaxBytes()).toBe(Math.min(DEFAULT_LIMITS.maxBytes, Math.floor(os.totalmem() / 2)));
    expect(new Grate().fs.limits.maxBytes).toBe(defaultMaxBytes());
    expect(new Grate({ limits: { maxBytes: undefined } }).fs.limits.maxBytes).toBe(defaultMaxBytes());
    const g = new Grate({ limits: { maxBytes: 12345, maxInodes: 99, maxFds: 17 } });
    expect([g.fs.limits.maxBytes, g.fs.limits.maxInodes, g.fs.limits.maxFds]).toEqual([12345, 99, 17]);
    expect(new Grate().fs.limits.maxInodes).toBe(DEFAULT_LIMITS.maxInodes);
    expect(new Grate().fs.limits.maxFds).toBe(DEFAULT_LIMITS.maxFds);
  });

  test('limits too small for the grate\'s own setup are a GrateError naming the cause', () => {
    expect(() => new Grate({ limits: { maxInodes: 3 } })).toThrow(/cannot set up the IMFS: cannot create \/dev\/\w+ in the IMFS \(errno 28\)/);
    expect(() => new Grate({ limits: { maxFds: 0 } })).toThrow(/cannot set up the IMFS: IMFS limit maxFds must be a positive integer, got 0/);
    expect(() => new Grate({ limits: { maxFds: 3 } }).runSync(OPEN_FOREVER)).toThrow(/cage 'cage': WASI preopen '\/': IMFS directory '\/' cannot be opened \(errno 24\)/);
  });
});
