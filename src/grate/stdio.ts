/**
 * A cage's descriptors 0–2: host streams as IMFS devices. By default they are the
 * host's own stdin/stdout/stderr; a run can instead give bytes as stdin and a callback
 * or stream to collect output. Host I/O is synchronous: a cage runs without yielding.
 */
import { EIO, O_RDONLY, O_WRONLY, S_IFCHR, S_IFIFO, S_IFMT, S_IFSOCK, type Device, type Imfs } from '../core/index.js';
import { sleepMs } from '../abi/host-services.js';
// Built-ins by getBuiltinModule, not `import * as`: the command's CommonJS bundle would copy every export (launcher.ts).
const nodefs = process.getBuiltinModule('node:fs');

/** Where a cage's output goes: a host file descriptor, a function, or anything with write(). */
export type OutputTarget = number | ((data: Uint8Array) => void) | { write(chunk: Uint8Array): unknown };
/** Where a cage's input comes from: a host file descriptor, or fixed bytes/text. */
export type InputSource = number | string | Uint8Array;

/** A stdio device plus the file type fstat reports for it. */
export interface StdioStream {
  device: Device;
  type: number;
}

/** Linux's major number of the memory devices (/dev/null, /dev/zero, /dev/urandom...): never terminals. */
const MEM_MAJOR = 1;

/**
 * What a host descriptor is: the file type fstat reports for it (a socket shows as a FIFO),
 * and, asked only when a cage asks, whether it is a terminal. node:tty is loaded only for a
 * character device that is not one of Linux's memory devices: loading it costs a run some
 * 5 ms (it brings node:net and the streams with it), and CI runs have /dev/null as stdin.
 */
function hostKind(fd: number): { type: number; isatty: () => boolean } {
  let st: { mode: number; rdev: number } = { mode: S_IFIFO, rdev: 0 };
  try {
    st = nodefs.fstatSync(fd);
  } catch { /* a closed descriptor: a FIFO that reads EOF and fails writes with EIO */ }
  const t = st.mode & S_IFMT;
  let tty: boolean | undefined;
  const isatty = () => (tty ??= t === S_IFCHR && (process.platform !== 'linux' || (st.rdev >> 8 & 0xfff) !== MEM_MAJOR)
    && process.getBuiltinModule('node:tty').isatty(fd));
  return { type: t === S_IFSOCK ? S_IFIFO : t, isatty };
}

function errnoOf(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException).code;
}

/** Runs a host I/O call, retrying while a non-blocking host descriptor says EAGAIN. */
function retrying(io: () => number): number {
  for (;;) {
    try {
      return io();
    } catch (e) {
      if (errnoOf(e) === 'EAGAIN') { sleepMs(1); continue; }
      if (errnoOf(e) === 'EOF') return 0;
      return -EIO;
    }
  }
}

export function outputStream(target: OutputTarget): StdioStream {
  if (typeof target === 'number') {
    const fd = target;
    const { type, isatty } = hostKind(fd);
    return {
      type,
      device: {
        get isatty() { return isatty(); },
        write: (src, off, len) => {
          let done = 0;
          while (done < len) {
            const n = retrying(() => nodefs.writeSync(fd, src, off + done, len - done));
            if (n < 0) return done > 0 ? done : n;
            done += n;
          }
          return len;
        },
      },
    };
  }
  const sink = typeof target === 'function' ? target : (d: Uint8Array) => { target.write(d); };
  return {
    type: S_IFIFO,
    device: { write: (src, off, len) => { sink(Buffer.from(src.subarray(off, off + len))); return len; } },
  };
}

export function inputStream(source: InputSource): StdioStream {
  if (typeof source === 'number') {
    const fd = source;
    const { type, isatty } = hostKind(fd);
    return {
      type,
      device: {
        get isatty() { return isatty(); },
        read: (dst, off, len) => {
          // Read into a private buffer: the cage's memory may be a SharedArrayBuffer.
          const tmp = Buffer.allocUnsafe(Math.min(len, 65536));
          const n = retrying(() => nodefs.readSync(fd, tmp, 0, tmp.length, null));
          if (n > 0) dst.set(tmp.subarray(0, n), off);
          return n;
        },
      },
    };
  }
  const data = typeof source === 'string' ? Buffer.from(source) : source;
  let at = 0;
  return {
    type: S_IFIFO,
    device: {
      read: (dst, off, len) => {
        const n = Math.min(len, data.length - at);
        dst.set(data.subarray(at, at + n), off);
        at += n;
        return n;
      },
      readable: () => data.length - at,
    },
  };
}


/** Gives a cage its descriptors 0–2 (default: the host's own stdio); null, or what failed. */
export function installStdio(fs: Imfs, cageId: number, o: { stdin?: InputSource; stdout?: OutputTarget; stderr?: OutputTarget }): string | null {
  const streams = [
    { fd: 0, s: inputStream(o.stdin ?? 0), flags: O_RDONLY },
    { fd: 1, s: outputStream(o.stdout ?? 1), flags: O_WRONLY },
    { fd: 2, s: outputStream(o.stderr ?? 2), flags: O_WRONLY },
  ];
  for (const { fd, s, flags } of streams) {
    const r = fs.installStream(cageId, fd, s.device, flags, s.type);
    if (r < 0) return `cannot install stdio descriptor ${fd} (errno ${-r})`;
  }
  return null;
}
