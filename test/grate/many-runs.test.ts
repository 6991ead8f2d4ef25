/**
 * Many cages in a row: 1,000 runs of a small cage on one Grate (each creates, writes and
 * unlinks a file and exits with two descriptors open) leave the IMFS as it was — inodes,
 * space, cages, descriptors, a consistent state — and the host process too: heap and
 * ArrayBuffer memory back to their baseline after garbage collection, the same number of
 * host descriptors and of process listeners. Measured in a child process started with
 * --expose-gc (see many-runs.child.ts), so that other test files do not disturb it.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as nodefs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';

let dir: string;
let child: string;
beforeAll(async () => {
  dir = nodefs.mkdtempSync(path.join(os.tmpdir(), 'imfs-many-'));
  child = path.join(dir, 'many-runs.mjs');
  await build({ entryPoints: [path.join(__dirname, 'many-runs.child.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: child, logLevel: 'warning' });
});
afterAll(() => nodefs.rmSync(dir, { recursive: true, force: true }));

const MiB = 1 << 20;

test('1,000 runs of a small cage on one Grate: the IMFS and the host process return to their baseline', () => {
  const r = spawnSync(process.execPath, ['--expose-gc', child, '1000'], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const { before, after, statuses, problems } = JSON.parse(r.stdout);
  expect(statuses).toEqual([[0, 1050]]);
  expect(problems).toEqual([]);
  // The IMFS: the unlinked file and the open descriptors went with each cage.
  expect(after.inodes).toBe(before.inodes);
  expect(after.spaceUsed).toBe(0);
  expect(after.cages).toEqual([0]);
  expect(after.cage0Fds).toBe(before.cage0Fds);
  // The host: no descriptor or listener left behind, memory back near its baseline.
  expect(after.hostFds).toBe(before.hostFds);
  expect(after.listeners).toEqual(before.listeners);
  expect(after.heapUsed - before.heapUsed).toBeLessThan(1 * MiB);
  expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(64 * 1024);
  // File chunks live in the pool's slabs (WebAssembly memories, which arrayBuffers does not count).
  expect(after.poolHeld).toBe(before.poolHeld);
  expect(after.rss - before.rss).toBeLessThan(64 * MiB);
});
