/**
 * The imports of a lind cage besides `make-syscall`: argv and environ, the cage id and memory
 * base, debug-panic, and the dynamic-linking and epoch stubs. None of them touches the IMFS,
 * so a cage running in a worker thread gets them there (this module stays small for that).
 */
import { stringListImports } from './args.js';
import { CagePanic } from './exit.js';
import type { CageMemory } from './cage-memory.js';

const EFAULT = 14;

export interface LindImportsOptions {
  memory: WebAssembly.Memory;
  cageId: number;
  args: Uint8Array[];
  env: Uint8Array[];
  /** The memory's views (refreshed after growth). */
  mem: () => CageMemory;
}

/**
 * Every import a lind cage may take except `make-syscall` (which its runner adds): the same
 * whichever thread the cage runs on, since none of them touches the IMFS.
 */
export function lindImports(o: LindImportsOptions): WebAssembly.Imports & { lind: Record<string, unknown> } {
  const args = stringListImports(o.mem, o.args, EFAULT);
  const env = stringListImports(o.mem, o.env, EFAULT);
  return {
    env: { memory: o.memory },
    lind: {
      'lind-get-memory-base': () => 0n,
      'lind-get-cage-id': () => BigInt(o.cageId),
      args_sizes_get: args.sizes,
      args_get: args.get,
      environ_sizes_get: env.sizes,
      environ_get: env.get,
      'debug-panic': (msg: bigint) => {
        const m = o.mem();
        const at = Number(BigInt.asUintN(32, msg));
        const end = m.cstringEnd(at);
        throw new CagePanic(`cage ${o.cageId} panicked: ${end < 0 ? '(unreadable message)' : Buffer.from(m.u8.subarray(at, end)).toString()}`);
      },
      // lind-boot answers a negative DylinkErrorCode when dynamic linking is off; so do we.
      dlopen: () => -1,
      dlsym: () => -1,
      dlclose: () => -1,
      // The epoch global is never set (processes.md §10: signals are delivered at syscall return), so this is never due.
      epoch_callback: () => {},
    },
    wasi: {
      // Declared by lind-glibc, never called: threads arrive as clone (56).
      'thread-spawn': () => -1,
    },
    debug: {
      lind_debug_num: (x: number) => x,
      lind_debug_str: (x: number) => x,
    },
  };
}
