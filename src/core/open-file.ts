/**
 * An open file description: what open(2) creates and dup(2)/fork share. It holds the
 * inode, the access mode and status flags, and the offset (for a directory, the readdir
 * position). FD_CLOEXEC belongs to the descriptor, not here.
 */
import { O_ACCMODE, O_PATH, O_RDONLY, O_RDWR, O_WRONLY } from './constants.js';
import type { Pipe } from './pipe.js';
import type { Device } from './device.js';
import type { Credentials } from './access.js';

export class OpenFile {
  /** Number of descriptors (in any cage) that point here. */
  refs = 0;
  pos = 0;
  /** Set for pipes and FIFOs. */
  pipe: Pipe | null = null;
  /** Set for character/block device nodes and host streams. */
  device: Device | null = null;
  /** Set when this description holds flock(2) or OFD locks, so the last close releases them. */
  holdsLocks = false;
  /** The credentials object of the cage that opened it (Linux's f_cred), for linkat(AT_EMPTY_PATH). */
  opener: Credentials | null = null;

  constructor(
    readonly ino: number,
    /** Access mode (O_ACCMODE bits) plus status flags. */
    public flags: number,
  ) {}

  get readable(): boolean {
    const acc = this.flags & O_ACCMODE;
    return (acc === O_RDONLY || acc === O_RDWR) && (this.flags & O_PATH) === 0;
  }
  get writable(): boolean {
    const acc = this.flags & O_ACCMODE;
    return (acc === O_WRONLY || acc === O_RDWR) && (this.flags & O_PATH) === 0;
  }
  get isPath(): boolean {
    return (this.flags & O_PATH) !== 0;
  }
}
