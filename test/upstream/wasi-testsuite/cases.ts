/**
 * The wasi-testsuite's test cases, read the way its official runner reads them: every
 * directory with a manifest.json of a given WASI version holds tests, each `X.wasm` with
 * an optional `X.json` (args, env, the preopened `root` directory, the expected exit code
 * and the start of stdout; abi.md has nothing on this, the suite's doc/ has). The suite
 * comes unpacked (WASI_TESTSUITE_DIR) or is unpacked from ../shared/conformance's archive
 * into build/ once per archive.
 */
import { execFileSync } from 'node:child_process';
import * as nodefs from 'node:fs';
import * as nodepath from 'node:path';
import { WASI_TESTSUITE, locate, repoRoot, sharedConformance, type Located } from '../suites.js';

export interface TestCase {
  /** The suite's name for it (its manifest's), e.g. "WASI C tests [wasm32-wasip1]". */
  suite: string;
  /** The test's name: its file name without .wasm. */
  name: string;
  wasm: string;
  args: string[];
  env: [string, string][];
  /** The host directory preopened as "/", or null for a test that runs with no preopen. */
  root: string | null;
  exitCode: number;
  /** What stdout must start with, if the test says. */
  stdout: string | null;
}

/** The keys a test's .json may hold that this runner understands (the suite's "legacy" ones less stderr). */
const KEYS = new Set(['args', 'env', 'root', 'exit_code', 'stdout']);

const ARCHIVE = 'wasi-testsuite.tar.xz';

/** The suite's root: WASI_TESTSUITE_DIR, or the shared archive unpacked into build/ (once per archive). */
export function locateWasiTestsuite(): Located {
  if (process.env[WASI_TESTSUITE.envVar]) return locate(WASI_TESTSUITE, '');
  const archive = nodepath.join(sharedConformance(), ARCHIVE);
  const into = nodepath.join(repoRoot(), 'build');
  const root = nodepath.join(into, 'wasi-testsuite');
  if (!nodefs.existsSync(archive)) return locate(WASI_TESTSUITE, archive);
  const st = nodefs.statSync(archive);
  const stamp = nodepath.join(into, '.wasi-testsuite-from');
  const source = `${archive} ${st.size} ${st.mtimeMs}\n`;
  if (!nodefs.existsSync(stamp) || nodefs.readFileSync(stamp, 'utf8') !== source) {
    nodefs.rmSync(root, { recursive: true, force: true });
    nodefs.mkdirSync(into, { recursive: true });
    try {
      execFileSync('tar', ['-xJf', archive, '-C', into], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      throw new Error(`cannot unpack ${archive} into ${into} (tar with xz support is needed): ${(e as Error).message}`);
    }
    nodefs.writeFileSync(stamp, source);
  }
  return locate(WASI_TESTSUITE, root);
}

/** Every test case of WASI version `version` under the suite's root, sorted by suite and name. */
export function listCases(root: string, version = 'wasm32-wasip1'): TestCase[] {
  const cases: TestCase[] = [];
  for (const dir of manifestDirs(nodepath.join(root, 'tests'))) {
    const manifest = JSON.parse(nodefs.readFileSync(nodepath.join(dir, 'manifest.json'), 'utf8')) as { name?: string; version?: string };
    if (manifest.version !== version) continue;
    const suite = manifest.name ?? nodepath.relative(root, dir);
    for (const file of nodefs.readdirSync(dir).filter((f) => f.endsWith('.wasm')).sort()) {
      cases.push(readCase(suite, dir, file.slice(0, -'.wasm'.length)));
    }
  }
  return cases;
}

function manifestDirs(dir: string): string[] {
  const found: string[] = [];
  for (const e of nodefs.readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const sub = nodepath.join(dir, e.name);
    if (nodefs.existsSync(nodepath.join(sub, 'manifest.json'))) found.push(sub);
    else found.push(...manifestDirs(sub));
  }
  return found.sort();
}

function readCase(suite: string, dir: string, name: string): TestCase {
  const jsonPath = nodepath.join(dir, name + '.json');
  const config = nodefs.existsSync(jsonPath) ? JSON.parse(nodefs.readFileSync(jsonPath, 'utf8')) as Record<string, unknown> : {};
  const unknown = Object.keys(config).filter((k) => !KEYS.has(k));
  if (unknown.length > 0) throw new Error(`${jsonPath}: keys this runner does not understand: ${unknown.join(', ')}`);
  const root = config.root;
  return {
    suite,
    name,
    wasm: nodepath.join(dir, name + '.wasm'),
    args: (config.args as string[] | undefined) ?? [],
    env: Object.entries((config.env as Record<string, string> | undefined) ?? {}),
    root: typeof root === 'string' ? nodepath.join(dir, root) : null,
    exitCode: (config.exit_code as number | undefined) ?? 0,
    stdout: (config.stdout as string | undefined) ?? null,
  };
}
