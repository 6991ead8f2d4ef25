/**
 * wasi:io/streams over IMFS descriptors. A stream is one of:
 * - positional: over a regular file (read-via-stream / write-via-stream), with its own
 *   position, advanced by each read or write (pread/pwrite at it: the description's
 *   offset is never touched, as WASI 0.2 descriptors have none);
 * - append: over a file (append-via-stream), each write at the file's end;
 * - sequential: over anything else (stdio, FIFOs, character devices): read/write on the
 *   cage descriptor.
 * Dropping a stream releases its descriptor's reference; stdio streams hold none, so
 * dropping stdout never closes the cage's descriptor 1, let alone the host's.
 */
import { EDEADLK, EIO, S_IFMT, WOULD_BLOCK, newStat } from '../../core/index.js';
import { CLOSED, streamFailure } from './io-error.js';
import type { P2Host } from './host.js';
import type { Descriptor } from './descriptor.js';
import type { Pollable } from './poll.js';

export type StreamMode = 'positional' | 'append' | 'sequential';

/** The most one read hands back, and what check-write permits (1 MiB). */
export const STREAM_CHUNK = 1 << 20;
const PERMIT = BigInt(STREAM_CHUNK);

/** A u64 count from the guest as a number no larger than `cap`. */
function clampCount(n: bigint, cap: number): number {
  return n > BigInt(cap) ? cap : Number(n);
}

abstract class Stream {
  private dropped = false;
  constructor(
    readonly host: P2Host,
    /** The cage descriptor the stream reads or writes. */
    readonly fd: number,
    readonly mode: StreamMode,
    /** The position of a positional stream. */
    public pos: number,
    /** The descriptor this stream belongs to (kept open while the stream lives), or null for stdio. */
    readonly owner: Descriptor | null,
  ) {}

  subscribe(): Pollable {
    return new this.host.classes.Pollable();
  }

  [Symbol.dispose](): void {
    if (this.dropped) return;
    this.dropped = true;
    this.owner?.release();
  }

  /** Whether the stream was dropped (calls on a dropped stream answer `closed`). */
  get isDropped(): boolean {
    return this.dropped;
  }
}

export class InputStream extends Stream {
  read(len: bigint): Uint8Array {
    return this.readSome(len, false);
  }

  blockingRead(len: bigint): Uint8Array {
    return this.readSome(len, true);
  }

  skip(len: bigint): bigint {
    return BigInt(this.readSome(len, false).length);
  }

  blockingSkip(len: bigint): bigint {
    return BigInt(this.readSome(len, true).length);
  }

  private readSome(len: bigint, blocking: boolean): Uint8Array {
    if (this.isDropped) throw CLOSED;
    const n = clampCount(len, STREAM_CHUNK);
    const buf = new Uint8Array(n);
    if (n === 0) return buf;
    const { fs, cage } = this.host;
    const r = this.mode === 'positional' ? fs.pread(cage, this.fd, buf, n, this.pos) : fs.read(cage, this.fd, buf, n);
    if (r === WOULD_BLOCK) {
      if (!blocking) return buf.subarray(0, 0);
      // Nothing else runs while this cage waits: as preview1's answer, deadlock rather than hang.
      this.host.warn(`cage ${cage}: a blocking read of descriptor ${this.fd} would block forever (no other cage can run while it waits)`);
      throw streamFailure(this.host, -EDEADLK, 'blocking-read');
    }
    if (r < 0) throw streamFailure(this.host, r, 'read');
    if (r === 0) throw CLOSED;
    this.pos += r;
    return r === n ? buf : buf.subarray(0, r);
  }
}

export class OutputStream extends Stream {
  private readonly stat = newStat();

  checkWrite(): bigint {
    if (this.isDropped) throw CLOSED;
    return PERMIT;
  }

  write(contents: Uint8Array): void {
    this.writeAll(contents, contents.length);
  }

  blockingWriteAndFlush(contents: Uint8Array): void {
    this.writeAll(contents, contents.length);
  }

  flush(): void {
    if (this.isDropped) throw CLOSED;
  }

  blockingFlush(): void {
    if (this.isDropped) throw CLOSED;
  }

  writeZeroes(len: bigint): void {
    this.zeroes(len);
  }

  blockingWriteZeroesAndFlush(len: bigint): void {
    this.zeroes(len);
  }

  splice(src: InputStream, len: bigint): bigint {
    const data = src.read(len);
    this.writeAll(data, data.length);
    return BigInt(data.length);
  }

  blockingSplice(src: InputStream, len: bigint): bigint {
    const data = src.blockingRead(len);
    this.writeAll(data, data.length);
    return BigInt(data.length);
  }

  private zeroes(len: bigint): void {
    let left = len;
    const chunk = new Uint8Array(Number(left < PERMIT ? left : PERMIT));
    while (left > 0n) {
      const n = left < PERMIT ? Number(left) : STREAM_CHUNK;
      this.writeAll(chunk, n);
      left -= BigInt(n);
    }
  }

  /** Writes all n bytes of src (short writes continue; a failure is the stream error). */
  private writeAll(src: Uint8Array, n: number): void {
    if (this.isDropped) throw CLOSED;
    const { fs, cage } = this.host;
    let done = 0;
    while (done < n) {
      let r: number;
      if (this.mode === 'sequential') {
        r = fs.write(cage, this.fd, src, n - done, done);
      } else {
        let at = this.pos;
        if (this.mode === 'append') {
          const s = fs.fstat(cage, this.fd, this.stat);
          if (s < 0) throw streamFailure(this.host, s, 'write');
          at = this.stat.size;
        }
        r = fs.pwrite(cage, this.fd, src, n - done, at, done);
        if (r > 0) this.pos = at + r;
      }
      if (r < 0) throw streamFailure(this.host, r, 'write');
      if (r === 0) throw streamFailure(this.host, -EIO, 'write');
      done += r;
    }
  }
}

/** Whether a stream over a descriptor of this mode can use pread/pwrite (a regular file or block device). */
export function isPositional(mode: number): boolean {
  const t = mode & S_IFMT;
  return t === 0o100000 || t === 0o060000;
}
