/**
 * Child process of many-runs.test.ts (run with --expose-gc): runs a small cage 1,000 times
 * on one Grate and prints, as JSON, the IMFS and host state before and after.
 */
import * as nodefs from 'node:fs';
import { Grate } from '../../src/grate/index.js';
import { checkInvariants } from '../../src/core/check.js';
import { wasiScript, out } from '../helpers/script-cage.js';

const RUNS = Number(process.argv[2] ?? 1000);
const ALL = 0x1fffffffn, READ_ONLY = ALL & ~0x40n;
// Creates tmp/f, writes to it, opens tmp, unlinks tmp/f — and exits with both descriptors open.
const cage = wasiScript([
  { call: 'path_open', args: [3, 1, { path: 'tmp/f' }, 1 | 8, ALL, ALL, 0, out(0)] },
  { call: 'fd_write', args: [{ load: out(0) }, out(1), 1, out(2)] },
  { call: 'path_open', args: [3, 1, { path: 'tmp' }, 2, READ_ONLY, READ_ONLY, 0, out(3)] },
  { call: 'path_unlink_file', args: [3, { path: 'tmp/f' }] },
]);
const gc = (globalThis as { gc?: () => void }).gc!;
const grate = new Grate();
const EVENTS = ['exit', 'beforeExit', 'SIGINT', 'SIGTERM', 'uncaughtException', 'unhandledRejection', 'warning'];
const discard = () => {};

function state() {
  for (let i = 0; i < 4; i++) gc();
  const m = process.memoryUsage();
  const cage0 = grate.fs.cage(0)!;
  return {
    heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers, external: m.external, rss: m.rss,
    hostFds: nodefs.readdirSync('/proc/self/fd').length,
    listeners: EVENTS.map((e) => process.listenerCount(e)),
    inodes: grate.fs.inodes.live, spaceUsed: grate.fs.space.used, poolHeld: grate.fs.space.pool.heldBytes,
    cages: [...grate.fs.cages.keys()], cage0Fds: cage0.files.filter((f) => f !== undefined).length,
  };
}

const statuses = new Map<number, number>();
const runs = (n: number) => {
  for (let i = 0; i < n; i++) {
    const s = grate.runSync(cage, { stdout: discard, stderr: discard });
    statuses.set(s, (statuses.get(s) ?? 0) + 1);
  }
};
runs(50); // warm-up: the JIT, the chunk pool, the trampoline cache
const before = state();
const t = process.hrtime.bigint();
runs(RUNS);
const ms = Number(process.hrtime.bigint() - t) / 1e6;
const after = state();
process.stdout.write(JSON.stringify({ before, after, ms, statuses: [...statuses], problems: checkInvariants(grate.fs) }));
