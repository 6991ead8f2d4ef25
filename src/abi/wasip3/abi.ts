/**
 * WASI 0.3 on the IMFS: the import object a component transpiled by jco's 0.3 glue takes.
 * It is the wasip2 import object (0.3 components import 0.2 interfaces too: Rust's std does),
 * with the members of the interfaces the component imports at 0.3 added on top, each
 * interface under its unversioned name as the glue keys it.
 */
import { tracedFunction } from '../wasip2/trace.js';
import { camel, pascal } from '../wasip2/table.js';
import { WasiP2Abi, type P2ImportObject, type WasiP2Options } from '../wasip2/abi.js';
import { Descriptor } from './descriptor.js';
import { P3_INTERFACES } from './table.js';
import { tracedDescriptor } from './trace.js';

export class WasiP3Abi {
  readonly p2: WasiP2Abi;
  /** The descriptor class handed to the glue: a logging one under --log. */
  readonly Descriptor: typeof Descriptor;

  constructor(readonly options: WasiP2Options) {
    this.p2 = new WasiP2Abi(options);
    this.Descriptor = options.trace === undefined ? Descriptor : tracedDescriptor(options.trace, `[cage ${options.cageId}]`);
  }

  /** wasi:filesystem/preopens@0.3 get-directories: the 0.2 preopens, as 0.3 descriptors. */
  getDirectories(): [Descriptor, string][] {
    return this.p2.getDirectories().map(([d, guest]) => [new this.Descriptor(d), guest]);
  }

  /**
   * The import object for a component importing `p3` (unversioned names) at 0.3 and `p2`
   * at 0.2. An interface with resources imported at both versions cannot be served: the
   * glue would take one class (say Descriptor) for both.
   */
  imports(p3: ReadonlySet<string>, p2: ReadonlySet<string>): P2ImportObject {
    const out = this.p2.imports();
    const host = this.p2.host;
    const trace = this.options.trace;
    const prefix = `[cage ${host.cage}]`;
    for (const iface of P3_INTERFACES) {
      if (!p3.has(iface.name)) continue;
      if (p2.has(iface.name) && Object.keys(iface.resources).length > 0) {
        throw new Error(`it imports ${iface.name} at both 0.2 and 0.3, which jco's glue cannot tell apart (one class for both versions' resources)`);
      }
      const entry: Record<string, unknown> = { ...out[iface.name] };
      const functions: [string, (...a: never[]) => unknown][] = Object.entries(iface.functions)
        .map(([wit, fn]) => [wit, (...a: never[]) => fn(host, ...a)]);
      if (iface.name === 'wasi:filesystem/preopens') functions.push(['get-directories', () => this.getDirectories()]);
      for (const [wit, fn] of functions) {
        entry[camel(wit)] = trace === undefined ? fn : tracedFunction(trace, `${prefix} ${iface.name}@0.3 ${wit}`, fn);
      }
      for (const [wit, cls] of Object.entries(iface.resources)) entry[pascal(wit)] = cls === Descriptor ? this.Descriptor : cls;
      out[iface.name] = entry;
    }
    return out;
  }
}
