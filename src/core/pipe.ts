/**
 * The byte ring behind a pipe or FIFO: Linux capacity (64 KiB), writes of at most
 * PIPE_BUF bytes are all-or-nothing, EOF once no writer is left, EPIPE once no reader is.
 * The ring never waits: "would block" is reported as WOULD_BLOCK (or EAGAIN when the
 * caller asked for O_NONBLOCK). Writers with O_DIRECT write packets (pipe(2) "packet
 * mode"): a read returns at most one packet and drops what does not fit of it.
 */
import { copyFromUser, copyToUser } from './copy-bytes.js';
import { EAGAIN, EBUSY, EINVAL, ENOMEM, EPERM, EPIPE, WOULD_BLOCK } from './errno.js';
import { PIPE_BUF, PIPE_CAPACITY } from './constants.js';

/**
 * /proc/sys/fs/pipe-max-size: the most F_SETPIPE_SZ may ask for. Linux lets CAP_SYS_RESOURCE
 * go past it; the IMFS grants that to nobody, since cages run as root by default and a
 * pipe's buffer is host memory that maxBytes does not count.
 */
export const PIPE_MAX_SIZE = 1 << 20;

export class Pipe {
  buf: Uint8Array;
  head = 0;
  length = 0;
  readers = 0;
  writers = 0;
  /** Opens of each end so far (a FIFO opener waiting for its peer sees that one came, even if it has gone again). */
  readerOpens = 0;
  writerOpens = 0;
  /** Bytes ever taken out of the ring: the position packet starts are counted from. */
  private consumed = 0;
  /** Packets still in the ring, oldest first: absolute start (see consumed) and length. */
  private packets: { start: number; len: number }[] = [];

  constructor(capacity = PIPE_CAPACITY) {
    this.buf = new Uint8Array(capacity);
  }

  get capacity(): number {
    return this.buf.length;
  }

  /**
   * F_SETPIPE_SZ: rounds up to a power-of-two number of pages; refuses to drop data
   * (EBUSY) and to exceed pipe-max-size (EPERM). Returns the new capacity.
   */
  resize(size: number): number {
    if (size < 0) return -EINVAL;
    let cap = 4096;
    while (cap < size) cap *= 2;
    if (cap > 2 ** 31) return -EINVAL;
    if (cap > PIPE_MAX_SIZE) return -EPERM;
    if (cap < this.length) return -EBUSY;
    let buf: Uint8Array;
    try {
      buf = new Uint8Array(cap);
    } catch {
      return -ENOMEM; // the host could not allocate it
    }
    this.copyOut(buf, 0, this.length);
    this.buf = buf;
    this.head = 0;
    return cap;
  }

  /** Copies the first n bytes of the ring to dst[off..] without taking them. */
  private copyOut(dst: Uint8Array, off: number, n: number): void {
    const cap = this.buf.length;
    const first = Math.min(n, cap - this.head);
    copyToUser(dst, off, this.buf, this.head, first);
    if (first < n) copyToUser(dst, off + first, this.buf, 0, n - first);
  }

  /** Takes the first n bytes out of the ring. */
  private drop(n: number): void {
    this.head = (this.head + n) % this.buf.length;
    this.length -= n;
    this.consumed += n;
    if (this.length === 0) this.head = 0;
  }

  /** Reads up to len bytes into dst[off..]; 0 means EOF (no writers). */
  read(dst: Uint8Array, off: number, len: number, nonblock: boolean): number {
    if (len === 0) return 0;
    if (this.length === 0) {
      if (this.writers === 0) return 0;
      return nonblock ? -EAGAIN : WOULD_BLOCK;
    }
    const packet = this.packets.length > 0 ? this.packets[0] : undefined;
    let n: number;
    let skip = 0;
    if (packet !== undefined && packet.start === this.consumed) {
      n = Math.min(len, packet.len);
      skip = packet.len - n;
      this.packets.shift();
    } else {
      // Plain bytes up to the next packet (Linux may go on into it; we stop at its start).
      n = Math.min(len, this.length, packet === undefined ? Infinity : packet.start - this.consumed);
    }
    this.copyOut(dst, off, n);
    this.drop(n + skip);
    return n;
  }

  /** Writes from src[off..off+len]; small writes are atomic, large ones may be partial. `packet`: O_DIRECT. */
  write(src: Uint8Array, off: number, len: number, nonblock: boolean, packet = false): number {
    // A null write succeeds before anything else is looked at (Linux pipe_write).
    if (len === 0) return 0;
    if (this.readers === 0) return -EPIPE;
    const cap = this.buf.length;
    const room = cap - this.length;
    if (room === 0 || (len <= PIPE_BUF && room < len)) return nonblock ? -EAGAIN : WOULD_BLOCK;
    const n = Math.min(len, room);
    const tail = (this.head + this.length) % cap;
    const first = Math.min(n, cap - tail);
    copyFromUser(this.buf, tail, src, off, first);
    if (first < n) copyFromUser(this.buf, 0, src, off + first, n - first);
    if (packet) {
      // Linux makes one packet per page, so a long write is several packets.
      const at = this.consumed + this.length;
      for (let k = 0; k < n; k += PIPE_BUF) this.packets.push({ start: at + k, len: Math.min(PIPE_BUF, n - k) });
    }
    this.length += n;
    return n;
  }
}
