/** A WasiAbi called straight from a test, with no cage module: its functions over a fresh one-page memory. */
import { WasiAbi, type WasiOptions } from '../../src/abi/wasi.js';

export function directWasi(options: WasiOptions) {
  const abi = new WasiAbi(options);
  const preopens = abi.openPreopens();
  const memory = new WebAssembly.Memory({ initial: 1 });
  abi.setMemory(memory);
  const fns = abi.imports().wasi_snapshot_preview1 as Record<string, (...a: unknown[]) => number>;
  return { abi, preopens, fns, u8: new Uint8Array(memory.buffer), dv: new DataView(memory.buffer) };
}
