/**
 * The suite's wasm32-wasip1 tests as WASI 0.2 components: each core module adapted with
 * jco's preview1 command adapter (as wasm-fixtures/components/adapt.mjs does) into
 * build/wasi-testsuite-components/, once per module (kept while the module is unchanged).
 */
import { createHash } from 'node:crypto';
import * as nodefs from 'node:fs';
import * as nodepath from 'node:path';
import { componentNew, preview1AdapterCommandPath } from '@bytecodealliance/jco';
import type { TestCase } from './cases.js';

/** The adapted cases, and those the adapter refused (with wasm-tools' reason). */
export async function adaptCases(cases: TestCase[], into: string): Promise<{ adapted: TestCase[]; refused: { testCase: TestCase; reason: string }[] }> {
  const adapter = nodefs.readFileSync(preview1AdapterCommandPath());
  nodefs.mkdirSync(into, { recursive: true });
  const out: TestCase[] = [];
  const refused: { testCase: TestCase; reason: string }[] = [];
  for (const c of cases) {
    const core = nodefs.readFileSync(c.wasm);
    const hash = createHash('sha256').update(core).digest('hex').slice(0, 16);
    const file = nodepath.join(into, `${c.name}-${hash}.component.wasm`);
    if (!nodefs.existsSync(file)) {
      try {
        const component = await componentNew(core, [['wasi_snapshot_preview1', adapter]]) as Uint8Array;
        nodefs.writeFileSync(file, component);
      } catch (e) {
        refused.push({ testCase: c, reason: String((e as Error).message ?? e).split('\n').filter((l) => l.trim() !== '').slice(-1)[0].trim() });
        continue;
      }
    }
    out.push({ ...c, wasm: file });
  }
  return { adapted: out, refused };
}

/**
 * The tests that cannot pass as components, each for a reason in jco's preview1 adapter
 * (1.11.3) or its componentNew, never in this host (which sees none of these calls):
 * components.md §5 and the README's "WASI components".
 */
export const ADAPTER_EXCEPTIONS: Readonly<Record<string, string>> = {
  'args_get-multiple-arguments': 'AssemblyScript args_get: the adapter traps on its own assertion (adapter line 2746)',
  'environ_get-multiple-variables': 'AssemblyScript environ_get: the adapter traps on its own assertion (adapter line 2746)',
  'proc_exit-failure': 'the adapter maps proc_exit(N != 0) to wasi:cli/exit err: status 1, N is lost',
  'fd_write-to-invalid-fd': "componentNew refuses the module (duplicate import of fd_write)",
  'fd_write-to-stdout': "componentNew refuses the module (duplicate import of fd_write)",
  'sock_shutdown-invalid_fd': 'the adapter\'s sock_shutdown is unreachable (adapter line 2369)',
  'sock_shutdown-not_sock': 'the adapter\'s sock_shutdown is unreachable (adapter line 2369)',
  fd_fdstat_set_rights: 'WASI 0.2 has no rights: the adapter reports none to drop',
  renumber: 'the adapter\'s fd_renumber accepts an unallocated destination (its own fd table)',
};
