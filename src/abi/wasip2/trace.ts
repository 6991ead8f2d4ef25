/**
 * --log for components: one line per wasi:* call, written by wrappers made from the
 * interface table (table.ts), so every function and method is logged at one place with its
 * decoded arguments and its result (or the error-code, stream error, exit or trap).
 */
import { CageExit } from '../exit.js';
import { quote, type TraceSink } from '../trace.js';
import { Descriptor, DirectoryEntryStream } from './descriptor.js';
import { InputStream, OutputStream } from './streams.js';
import { IoError } from './io-error.js';
import { Pollable } from './poll.js';
import { TerminalInput, TerminalOutput } from './cli.js';
import { camel, P2_INTERFACES, type P2Function } from './table.js';
import type { P2Classes } from './host.js';

/** A value as the log shows it. */
export function show(v: unknown, depth = 0): string {
  if (v === undefined) return 'none';
  if (typeof v === 'string') return JSON.stringify(v.length > 80 ? v.slice(0, 80) + '…' : v);
  if (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Uint8Array) return `${quote(v, 48)} (${v.length} bytes)`;
  if (v instanceof Descriptor) return `descriptor(${v.fd})`;
  if (v instanceof DirectoryEntryStream) return `directory-entry-stream(${v.owner.fd})`;
  if (v instanceof InputStream) return `input-stream(${v.fd})`;
  if (v instanceof OutputStream) return `output-stream(${v.fd})`;
  if (v instanceof Pollable) return v.deadline === null ? 'pollable' : `pollable(at ${v.deadline})`;
  if (v instanceof IoError) return `error(${v.code})`;
  if (v instanceof TerminalInput) return 'terminal-input';
  if (v instanceof TerminalOutput) return 'terminal-output';
  if (depth > 2) return '…';
  if (Array.isArray(v) || v instanceof Uint32Array) {
    const items = Array.from(v as ArrayLike<unknown>);
    const shown = items.slice(0, 8).map((x) => show(x, depth + 1));
    return `[${shown.join(', ')}${items.length > 8 ? `, … (${items.length})` : ''}]`;
  }
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    if (typeof o.tag === 'string') return o.val === undefined ? o.tag : `${o.tag}(${show(o.val, depth + 1)})`;
    const entries = Object.entries(o);
    if (entries.every(([, x]) => typeof x === 'boolean')) return `{${entries.filter(([, x]) => x).map(([k]) => k).join('|')}}`;
    return `{${entries.map(([k, x]) => `${k}: ${show(x, depth + 1)}`).join(', ')}}`;
  }
  return typeof v === 'function' ? 'function' : String(v);
}

/** What a thrown value means for the log: the err of a result, an exit, or a trap. */
function outcome(e: unknown): string {
  if (e instanceof CageExit) return `exit ${e.status}`;
  if (typeof e === 'string') return `err ${e}`;
  if (typeof e === 'object' && e !== null && typeof (e as { tag?: unknown }).tag === 'string') return `err ${show(e)}`;
  return `trap (${e instanceof Error ? e.message : String(e)})`;
}

function logged(trace: TraceSink, label: () => string, call: () => unknown): unknown {
  let result: unknown;
  try {
    result = call();
  } catch (e) {
    trace(`${label()} = ${outcome(e)}`);
    throw e;
  }
  trace(`${label()} = ${show(result)}`);
  return result;
}

/** A free function that logs its calls. */
export function tracedFunction(trace: TraceSink, prefix: string, fn: (...a: never[]) => unknown): (...a: never[]) => unknown {
  return (...args: never[]) => logged(trace, () => `${prefix}(${args.map((a) => show(a)).join(', ')})`, () => fn(...args));
}

type AnyClass = abstract new (...a: never[]) => object;

/** Subclasses of the resource classes whose methods (and drops) log their calls. */
export function tracedClasses(base: P2Classes, trace: TraceSink, prefix: string): P2Classes {
  const out = { ...base } as Record<keyof P2Classes, AnyClass>;
  for (const iface of P2_INTERFACES) {
    for (const [wit, res] of Object.entries(iface.resources)) {
      const Base = base[res.cls] as unknown as AnyClass;
      const Traced = class extends (Base as new (...a: never[]) => object) {};
      const proto = Traced.prototype as unknown as Record<string | symbol, (...a: never[]) => unknown>;
      const baseProto = Base.prototype as Record<string | symbol, (...a: never[]) => unknown>;
      for (const m of res.methods) {
        const method = baseProto[camel(m)];
        proto[camel(m)] = function (this: object, ...args: never[]) {
          return logged(trace, () => `${prefix} ${iface.name} ${show(this)}.${m}(${args.map((a) => show(a)).join(', ')})`,
            () => method.apply(this, args));
        };
      }
      const drop = baseProto[Symbol.dispose];
      proto[Symbol.dispose] = function (this: object) {
        return logged(trace, () => `${prefix} ${iface.name} [resource-drop]${wit} ${show(this)}`, () => drop?.apply(this, []));
      };
      Object.defineProperty(Traced, 'name', { value: Base.name });
      out[res.cls] = Traced;
    }
  }
  return out as unknown as P2Classes;
}

export type { P2Function };
