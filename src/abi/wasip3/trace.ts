/**
 * --log for the 0.3 descriptor: a subclass whose methods log their calls through wasip2's
 * tracedFunction (same line format; an async method's line shows its promise, its outcome
 * being the future the guest awaits). Free functions are logged by the ABI, as in 0.2.
 */
import type { TraceSink } from '../trace.js';
import { tracedFunction } from '../wasip2/trace.js';
import { Descriptor } from './descriptor.js';

/** The WIT methods of descriptor@0.3 (JS names). */
const METHODS = `readViaStream writeViaStream appendViaStream advise syncData sync getFlags getType setSize setTimes
  readDirectory createDirectoryAt stat statAt setTimesAt linkAt openAt readlinkAt removeDirectoryAt renameAt symlinkAt
  unlinkFileAt isSameObject metadataHash metadataHashAt`.split(/\s+/);

export function tracedDescriptor(trace: TraceSink, prefix: string): typeof Descriptor {
  const Traced = class extends Descriptor {};
  const proto = Traced.prototype as unknown as Record<string | symbol, (...a: never[]) => unknown>;
  const base = Descriptor.prototype as unknown as Record<string | symbol, (...a: never[]) => unknown>;
  for (const m of METHODS) {
    proto[m] = function (this: Descriptor, ...args: never[]) {
      return tracedFunction(trace, `${prefix} wasi:filesystem/types@0.3 descriptor(${this.inner.fd}).${m}`, (...a: never[]) => base[m].apply(this, a))(...args);
    };
  }
  const drop = base[Symbol.dispose];
  proto[Symbol.dispose] = function (this: Descriptor) {
    trace(`${prefix} wasi:filesystem/types@0.3 [resource-drop]descriptor(${this.inner.fd})`);
    drop.apply(this, []);
  };
  Object.defineProperty(Traced, 'name', { value: 'Descriptor' });
  return Traced;
}
