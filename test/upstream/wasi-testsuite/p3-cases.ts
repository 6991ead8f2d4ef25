/**
 * The suite's wasm32-wasip3 tests, read as its runner reads them: a test's .json holds the
 * legacy keys (args, env, root, exit_code, stdout, as cases.ts reads) or a list of
 * `operations` — run (args, env), write (a payload to stdin), read (a payload expected on
 * stdout or stderr), wait (the exit code). Our runner plays the writes and reads in their
 * order, as the suite's runner does: a write is sent once every read before it has been seen;
 * a key or an operation it does not understand is an error, not a silent pass.
 */
import * as nodefs from 'node:fs';
import * as nodepath from 'node:path';
import type { TestCase } from './cases.js';

/** A write to stdin, or a read expected from stdout or stderr. */
export interface Step { op: 'write' | 'read'; id: 'stdin' | 'stdout' | 'stderr'; payload: string }

export interface P3Case extends TestCase {
  /** The writes and reads, in the test's order. */
  steps: Step[];
}

interface Operation { type: string; args?: string[]; env?: Record<string, string>; id?: string; payload?: string; exit_code?: number }

const KEYS = new Set(['args', 'env', 'root', 'exit_code', 'stdout', 'operations']);

/** Every wasm32-wasip3 case under the suite's root, by name. */
export function listP3Cases(root: string): P3Case[] {
  const dir = nodepath.join(root, 'tests', 'rust', 'testsuite', 'wasm32-wasip3');
  const manifest = JSON.parse(nodefs.readFileSync(nodepath.join(dir, 'manifest.json'), 'utf8')) as { name?: string; version?: string };
  if (manifest.version !== 'wasm32-wasip3') throw new Error(`${dir}: manifest version ${manifest.version}, not wasm32-wasip3`);
  return nodefs.readdirSync(dir).filter((f) => f.endsWith('.wasm')).sort()
    .map((f) => readP3Case(manifest.name ?? 'wasm32-wasip3', dir, f.slice(0, -'.wasm'.length)));
}

function readP3Case(suite: string, dir: string, name: string): P3Case {
  const jsonPath = nodepath.join(dir, name + '.json');
  const config = nodefs.existsSync(jsonPath) ? JSON.parse(nodefs.readFileSync(jsonPath, 'utf8')) as Record<string, unknown> : {};
  const unknown = Object.keys(config).filter((k) => !KEYS.has(k));
  if (unknown.length > 0) throw new Error(`${jsonPath}: keys this runner does not understand: ${unknown.join(', ')}`);
  const c: P3Case = {
    suite, name, wasm: nodepath.join(dir, name + '.wasm'),
    args: (config.args as string[] | undefined) ?? [],
    env: Object.entries((config.env as Record<string, string> | undefined) ?? {}),
    root: typeof config.root === 'string' ? nodepath.join(dir, config.root) : null,
    exitCode: (config.exit_code as number | undefined) ?? 0,
    stdout: (config.stdout as string | undefined) ?? null,
    steps: [],
  };
  for (const op of (config.operations as Operation[] | undefined) ?? []) {
    switch (op.type) {
      case 'run':
        c.args = op.args ?? c.args;
        c.env = op.env !== undefined ? Object.entries(op.env) : c.env;
        break;
      case 'wait':
        c.exitCode = op.exit_code ?? 0;
        break;
      case 'write':
        if (op.id !== 'stdin') throw new Error(`${jsonPath}: write to '${op.id}' (only stdin is understood)`);
        c.steps.push({ op: 'write', id: 'stdin', payload: op.payload ?? '' });
        break;
      case 'read':
        if (op.id !== 'stdout' && op.id !== 'stderr') throw new Error(`${jsonPath}: read from '${op.id}'`);
        c.steps.push({ op: 'read', id: op.id, payload: op.payload ?? '' });
        break;
      default:
        throw new Error(`${jsonPath}: operation '${op.type}' this runner does not understand`);
    }
  }
  return c;
}
