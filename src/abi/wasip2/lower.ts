/**
 * The hot imports lowered by us. A 64-byte pread/pwrite through an adapted component calls
 * wasi:filesystem/types [method]descriptor.read / .write (the preview1 adapter's fd_pread and
 * fd_pwrite call nothing else), and jco's generated trampoline for them costs several times
 * what the call itself does: a copy of the guest's bytes into a fresh ArrayBuffer
 * (`memory.buffer.slice`, an off-heap allocation the GC must track), a result object, BigInt
 * conversions, borrow bookkeeping, a DataView check per store.
 *
 * jco's glue generated with `importBindings: 'hybrid'` (component-loader.ts) asks each import
 * for a `Symbol.for('cabiLower')` function, calls it once with the canonical options (the
 * guest's memory, its realloc, the handle tables of the resources involved) and uses the core
 * function it returns in place of its own trampoline; imports without one keep jco's. This is
 * the protocol jco's own preview2-shim uses for its hot calls (poll, pollable, random bytes).
 * A resource the host creates names its own `rep` with `Symbol.for('cabiRep')`; a guest
 * handle leads to it through jco's handle table, [scope, rep] pairs with bit 30 marking an own
 * rep and a free slot's scope. That layout is jco's (1.11.3, as its shim reads it too): a
 * handle that leads to nothing of ours traps, naming it, and test/grate/components.test.ts
 * checks that both lowerings are taken, so a jco whose glue differs fails loudly.
 *
 * The lowered calls do what Descriptor.read / .write do, without allocating: the guest's bytes
 * are written from its memory in place (the IMFS copies them), a read goes through a reusable
 * scratch buffer into what the guest's realloc gives, results are stored as the canonical ABI
 * lays them out. --log keeps jco's trampolines (tracedClasses have no lowering), so every call
 * is still logged.
 */
import type { Descriptor } from './descriptor.js';
import { readLength } from './descriptor.js';
import { ERROR_CODES, errorCodeOf, type ErrorCode } from './error-codes.js';
import type { P2Classes, P2Host } from './host.js';
import { u64 } from './types.js';

export const CABI_LOWER = Symbol.for('cabiLower');
export const CABI_REP = Symbol.for('cabiRep');
/** jco's handle tables: bit 30 of a rep marks an own handle, of a scope a free slot. */
const T_FLAG = 1 << 30;
/** Reads up to this size go through one reusable buffer; larger ones allocate their own. */
const SCRATCH = 64 * 1024;

const CODE = new Map<ErrorCode, number>(ERROR_CODES.map((c, i) => [c, i]));

/** The canonical options jco's glue hands a lowering. */
interface CanonOptions {
  memory?: WebAssembly.Memory;
  realloc?: (old: number, oldSize: number, align: number, size: number) => number;
  resourceTables?: number[][];
}

/** Views of the guest's memory, made again when it grows (growing detaches the old buffer). */
class GuestMemory {
  u8!: Uint8Array;
  dv!: DataView;
  constructor(private readonly memory: WebAssembly.Memory) {
    this.refresh();
  }

  /** Call before using u8 or dv, and again after anything that may grow the memory. */
  refresh(): void {
    if (this.u8 !== undefined && this.u8.byteLength !== 0) return;
    this.u8 = new Uint8Array(this.memory.buffer);
    this.dv = new DataView(this.memory.buffer);
  }
}

/** The options a lowering needs, checked: a glue that hands anything else is not one we know. */
function options(name: string, o: CanonOptions, realloc: boolean): { memory: WebAssembly.Memory; table: number[]; realloc: NonNullable<CanonOptions['realloc']> } {
  const table = o.resourceTables?.[0];
  if (!(o.memory instanceof WebAssembly.Memory) || !Array.isArray(table) || o.resourceTables?.length !== 1 || (realloc && typeof o.realloc !== 'function')) {
    throw new Error(`jco's glue lowers wasi:filesystem/types ${name} with options this grate does not know (${Object.keys(o).join(', ')}): it expects jco 1.11.3's`);
  }
  return { memory: o.memory, table, realloc: o.realloc ?? (() => 0) };
}

/**
 * Descriptor subclasses for one component instance whose read and write carry their lowering:
 * each descriptor's rep is its cage descriptor + 1 (one live Descriptor per cage descriptor),
 * looked up in this instance's own table, which forgets a descriptor when it is dropped.
 */
export function loweredClasses(base: P2Classes): P2Classes {
  const byRep: (Descriptor | undefined)[] = [];
  class LoweredDescriptor extends base.Descriptor {
    constructor(host: P2Host, fd: number, mutate: boolean) {
      super(host, fd, mutate);
      (this as unknown as Record<symbol, number>)[CABI_REP] = fd + 1;
      byRep[fd + 1] = this;
    }

    override [Symbol.dispose](): void {
      if (byRep[this.fd + 1] === this) byRep[this.fd + 1] = undefined;
      super[Symbol.dispose]();
    }

    // Functions of their own, to carry this instance's lowering.
    override read(length: bigint, offset: bigint): [Uint8Array, boolean] {
      return super.read(length, offset);
    }

    override write(buffer: Uint8Array, offset: bigint): bigint {
      return super.write(buffer, offset);
    }
  }
  Object.defineProperty(LoweredDescriptor, 'name', { value: base.Descriptor.name });
  const proto = LoweredDescriptor.prototype as unknown as Record<string, Record<symbol, unknown>>;
  proto.read[CABI_LOWER] = (o: CanonOptions) => lowerRead(byRep, o);
  proto.write[CABI_LOWER] = (o: CanonOptions) => lowerWrite(byRep, o);
  return { ...base, Descriptor: LoweredDescriptor };
}

/** The descriptor a guest handle names, or a trap. */
function descriptorOf(byRep: (Descriptor | undefined)[], table: number[], handle: number): Descriptor {
  const d = (table[handle << 1] & T_FLAG) === 0 ? byRep[table[(handle << 1) + 1] & ~T_FLAG] : undefined;
  if (d === undefined) throw new Error(`wasi:filesystem/types: handle ${handle} names no descriptor of this component`);
  return d;
}

/** [method]descriptor.write: (self, ptr, len, offset, ret) → result<u64, error-code> at ret (its err payload at ret + 8). */
function lowerWrite(byRep: (Descriptor | undefined)[], o: CanonOptions) {
  const { memory, table } = options('[method]descriptor.write', o, false);
  const mem = new GuestMemory(memory);
  return function descriptorWrite(handle: number, ptr: number, len: number, offset: bigint, ret: number): void {
    const d = descriptorOf(byRep, table, handle);
    mem.refresh();
    const from = ptr >>> 0, n = len >>> 0;
    if (from + n > mem.u8.length) throw new RangeError('wasi:filesystem/types [method]descriptor.write: the buffer lies outside the guest\'s memory');
    const off = u64(BigInt.asUintN(64, offset));
    const r = off === null ? 'file-too-large' : d.host.fs.pwrite(d.host.cage, d.fd, mem.u8, n, off, from);
    if (typeof r === 'string' || r < 0) {
      mem.dv.setUint8(ret, 1);
      mem.dv.setUint8(ret + 8, CODE.get(typeof r === 'string' ? r : errorCodeOf(r))!);
      return;
    }
    mem.dv.setUint8(ret, 0);
    mem.dv.setUint32(ret + 8, r, true); // a count below 2^32: the u64's low half
    mem.dv.setUint32(ret + 12, 0, true);
  };
}

/** [method]descriptor.read: (self, length, offset, ret) → result<tuple<list<u8>, bool>, error-code> at ret (payload at ret + 4). */
function lowerRead(byRep: (Descriptor | undefined)[], o: CanonOptions) {
  const { memory, table, realloc } = options('[method]descriptor.read', o, true);
  const mem = new GuestMemory(memory);
  const scratch = new Uint8Array(SCRATCH);
  return function descriptorRead(handle: number, length: bigint, offset: bigint, ret: number): void {
    const d = descriptorOf(byRep, table, handle);
    const off = u64(BigInt.asUintN(64, offset));
    let r: number | ErrorCode = 'invalid', n = 0, buf = scratch;
    if (off !== null) {
      n = readLength(BigInt.asUintN(64, length));
      if (n > SCRATCH) buf = new Uint8Array(n);
      r = d.host.fs.pread(d.host.cage, d.fd, buf, n, off);
    }
    if (typeof r === 'string' || r < 0) {
      mem.refresh();
      mem.dv.setUint8(ret, 1);
      mem.dv.setUint8(ret + 4, CODE.get(typeof r === 'string' ? r : errorCodeOf(r))!);
      return;
    }
    const ptr = realloc(0, 0, 1, r) >>> 0;
    mem.refresh(); // realloc may have grown the memory
    mem.u8.set(r === buf.length ? buf : buf.subarray(0, r), ptr); // past the memory's end: a RangeError, a trap
    mem.dv.setUint8(ret, 0);
    mem.dv.setUint32(ret + 4, ptr, true);
    mem.dv.setUint32(ret + 8, r, true);
    // A short read of an IMFS file happens only at its end.
    mem.dv.setUint8(ret + 12, r < n ? 1 : 0);
  };
}
