/**
 * Per-cage process state: the descriptor table, working directory, umask, credentials
 * and resource limits. Descriptors 0–2 belong to the grate's stdio: until something is installed
 * or dup2'ed there, they are reserved (EBADF to use, and never handed out by open), so a
 * cage's own descriptors start at 3. Once a real descriptor has been closed there,
 * the slot is ordinary and the lowest free descriptor may be 0, 1 or 2, as on Linux.
 */
import type { Credentials } from './access.js';
import type { OpenFile } from './open-file.js';
import type { Pipe } from './pipe.js';
import { RLIMIT_NOFILE, type Rlimit } from './rlimits.js';

export const STDIO_RESERVED = 3;

export class Cage {
  /** Descriptor → open file description. */
  files: (OpenFile | undefined)[] = [];
  /** Descriptor → FD_CLOEXEC. */
  cloexec: boolean[] = [];
  /**
   * While set, lookups relative to a directory descriptor must stay beneath it (EXDEV
   * otherwise: absolute paths, absolute symlinks, ".." above it), as openat2's
   * RESOLVE_BENEATH does. The WASI layer sets it around its calls: a preview1 directory
   * descriptor is a capability for its subtree only.
   */
  beneath = false;
  /**
   * A blocking FIFO open waiting for the other end (fifo(7)): counted as an opener of its end
   * already, as Linux counts it, so that the peer's open can succeed; `gen` is the peer end's
   * open count when the wait began. Cleared when the open completes or is abandoned.
   */
  fifoWait: { pipe: Pipe; ino: number; reader: boolean; gen: number } | null = null;
  /** Whether other cages run while this one waits (the process runtime sets it), so a FIFO open may wait for its peer. */
  waitsForPeers = false;
  /** Every descriptor below this one is open or reserved. */
  private freeHint = 0;
  /** How many of the descriptors 0..2 are still reserved for stdio. */
  reserved = [true, true, true];

  constructor(
    readonly id: number,
    /** Working directory inode (holds a reference). */
    public cwd: number,
    public cred: Credentials,
    public umask: number,
    /** getrlimit/setrlimit, by RLIMIT_* number (rlimits.ts). */
    readonly rlimits: Rlimit[],
  ) {}

  /** RLIMIT_NOFILE's soft value: descriptors are below this number. */
  get maxFds(): number {
    return this.rlimits[RLIMIT_NOFILE].cur;
  }

  file(fd: number): OpenFile | undefined {
    return this.files[fd];
  }

  /** The lowest descriptor >= min that is neither open nor reserved, or -1 if none below maxFds. */
  lowestFree(min: number): number {
    const files = this.files;
    // No descriptor below freeHint is free, so a search from 0 starts there (Linux's next_fd).
    for (let fd = Math.max(min, this.freeHint); fd < this.maxFds; fd++) {
      if (files[fd] === undefined && !(fd < STDIO_RESERVED && this.reserved[fd])) {
        if (min <= this.freeHint) this.freeHint = fd;
        return fd;
      }
    }
    return -1;
  }

  /** Descriptor fd has just been closed. */
  freed(fd: number): void {
    if (fd < this.freeHint) this.freeHint = fd;
  }

  /** Number of open descriptors. */
  openCount(): number {
    let n = 0;
    for (const f of this.files) if (f !== undefined) n++;
    return n;
  }
}
