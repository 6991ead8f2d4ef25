/**
 * What the imfs-grate command evaluates at start-up. Its bundle reaches the lind and
 * component runtimes only through require() (runtimes-loader-lazy.ts), which esbuild turns
 * into code run the first time a cage needs them; a static import of any of their modules
 * from the start-up graph would bring them back into every run's start-up without failing
 * anything else. These tests read esbuild's metafile of the bundle the command is built
 * from: a module is in the start-up graph when the entry reaches it through import
 * statements alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Metafile } from 'esbuild';
import { bundleCommand } from '../../scripts/bundle-command.mjs';

const ENTRY = 'src/grate/imfs-grate.ts';

/** The modules `entry` reaches following only the import kinds in `kinds`. */
function reachable(meta: Metafile, entry: string, kinds: readonly string[]): Set<string> {
  const seen = new Set<string>([entry]);
  const todo = [entry];
  while (todo.length > 0) {
    const input = meta.inputs[todo.pop()!];
    for (const imp of input?.imports ?? []) {
      if (imp.external || !kinds.includes(imp.kind) || seen.has(imp.path)) continue;
      seen.add(imp.path);
      todo.push(imp.path);
    }
  }
  return seen;
}

/** The modules runtimes.ts re-exports (its direct imports). */
function runtimeModules(meta: Metafile): string[] {
  return meta.inputs['src/grate/runtimes.ts'].imports.filter((i) => !i.external).map((i) => i.path);
}

describe('the command bundle’s start-up graph', () => {
  let dir: string, meta: Metafile;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imfs-startup-graph-'));
    meta = await bundleCommand(dir); // its paths are relative to the repository's root
  }, 60_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('holds the WASI preview1 runtime and the core', () => {
    const startup = reachable(meta, ENTRY, ['import-statement']);
    for (const m of ['src/grate/grate.ts', 'src/abi/wasi.ts', 'src/abi/wasi-table.ts', 'src/core/imfs.ts']) expect(startup, m).toContain(m);
  });

  it('reaches runtimes.ts only through require(), and none of its modules by import', () => {
    const startup = reachable(meta, ENTRY, ['import-statement']);
    const all = reachable(meta, ENTRY, ['import-statement', 'require-call']);
    const runtimes = runtimeModules(meta);
    expect(runtimes).toEqual(expect.arrayContaining(['src/abi/lind.ts', 'src/grate/processes.ts', 'src/abi/wasip2/abi.ts', 'src/abi/wasip3/abi.ts']));
    expect(all).toContain('src/grate/runtimes.ts');
    expect(startup).not.toContain('src/grate/runtimes.ts');
    expect(runtimes.filter((m) => startup.has(m))).toEqual([]);
  });

  it('has no require() of its own besides the runtimes loader’s', () => {
    // Another lazy edge would be harmless, but one this test does not know of means the
    // graph above no longer says what runs at start-up.
    const lazy = Object.entries(meta.inputs).flatMap(([from, input]) =>
      input.imports.filter((i) => !i.external && i.kind === 'require-call').map((i) => `${from} -> ${i.path}`));
    expect(lazy).toEqual(['src/grate/runtimes-loader-lazy.ts -> src/grate/runtimes.ts']);
  });
});
