/**
 * The byte ring behind a pipe or FIFO: Linux capacity (64 KiB), writes of at most
 * PIPE_BUF bytes are all-or-nothing, EOF once no writer is left, EPIPE once no reader is.
 * The ring never waits: "would block" is reported as WOULD_BLOCK (or EAGAIN when the
 * caller asked for O_NONBLOCK).
 */
import { EAGAIN, EBUSY, EINVAL, EPERM, EPIPE, WOULD_BLOCK } from './errno.js';
import { PIPE_BUF, PIPE_CAPACITY } from './constants.js';

/** /proc/sys/fs/pipe-max-size: the most an unprivileged F_SETPIPE_SZ may ask for. */
export const PIPE_MAX_SIZE = 1 << 20;

export class Pipe {
  buf: Uint8Array;
  head = 0;
  length = 0;
  readers = 0;
  writers = 0;

  constructor(capacity = PIPE_CAPACITY) {
    this.buf = new Uint8Array(capacity);
  }

  get capacity(): number {
    return this.buf.length;
  }

  /**
   * F_SETPIPE_SZ: rounds up to a power-of-two number of pages; refuses to drop data
   * (EBUSY) and, without privilege, to exceed pipe-max-size (EPERM). Returns the new capacity.
   */
  resize(size: number, privileged: boolean): number {
    if (size < 0) return -EINVAL;
    let cap = 4096;
    while (cap < size) cap *= 2;
    if (cap > PIPE_MAX_SIZE && !privileged) return -EPERM;
    if (cap > 2 ** 31) return -EINVAL;
    if (cap < this.length) return -EBUSY;
    const n = this.length;
    const buf = new Uint8Array(cap);
    if (n > 0) this.read(buf, 0, n, true);
    this.buf = buf;
    this.head = 0;
    this.length = n;
    return cap;
  }

  /** Reads up to len bytes into dst[off..]; 0 means EOF (no writers). */
  read(dst: Uint8Array, off: number, len: number, nonblock: boolean): number {
    if (len === 0) return 0;
    if (this.length === 0) {
      if (this.writers === 0) return 0;
      return nonblock ? -EAGAIN : WOULD_BLOCK;
    }
    const n = Math.min(len, this.length);
    const cap = this.buf.length;
    const first = Math.min(n, cap - this.head);
    dst.set(this.buf.subarray(this.head, this.head + first), off);
    if (first < n) dst.set(this.buf.subarray(0, n - first), off + first);
    this.head = (this.head + n) % cap;
    this.length -= n;
    if (this.length === 0) this.head = 0;
    return n;
  }

  /** Writes from src[off..off+len]; small writes are atomic, large ones may be partial. */
  write(src: Uint8Array, off: number, len: number, nonblock: boolean): number {
    if (this.readers === 0) return -EPIPE;
    if (len === 0) return 0;
    const cap = this.buf.length;
    const room = cap - this.length;
    if (room === 0 || (len <= PIPE_BUF && room < len)) return nonblock ? -EAGAIN : WOULD_BLOCK;
    const n = Math.min(len, room);
    const tail = (this.head + this.length) % cap;
    const first = Math.min(n, cap - tail);
    this.buf.set(src.subarray(off, off + first), tail);
    if (first < n) this.buf.set(src.subarray(off + first, off + n), 0);
    this.length += n;
    return n;
  }
}
