/** Readiness of a descriptor for poll(2), and FIONREAD: what is ready now (the core never waits). */
import { S_IFDIR, S_IFMT, S_IFREG, S_IFSOCK } from './constants.js';
import { ENOTTY } from './errno.js';
import type { FsState } from './fs-state.js';
import type { Cage } from './cage.js';

export const POLLIN = 0x1, POLLPRI = 0x2, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10,
  POLLNVAL = 0x20, POLLRDNORM = 0x40, POLLRDBAND = 0x80, POLLWRNORM = 0x100, POLLWRBAND = 0x200;

/** The poll(2) revents of `fd` for `events` (POLLERR, POLLHUP and POLLNVAL are always reported). */
export function pollEvents(fs: FsState, cage: Cage, fd: number, events: number): number {
  const file = cage.files[fd];
  if (file === undefined) return POLLNVAL;
  let ready = 0;
  const pipe = file.pipe;
  if (file.isPath) {
    ready = POLLNVAL;
  } else if (pipe !== null) {
    if (file.readable) {
      if (pipe.length > 0) ready |= POLLIN | POLLRDNORM;
      if (pipe.writers === 0) ready |= POLLHUP;
    }
    if (file.writable) {
      if (pipe.readers === 0) ready |= POLLERR;
      else if (pipe.length < pipe.capacity) ready |= POLLOUT | POLLWRNORM;
    }
  } else if (file.device !== null) {
    // A host stream whose readiness is unknown counts as readable: a read waits for the host.
    const n = file.device.readable?.();
    if (file.readable && (n === undefined || n > 0)) ready |= POLLIN | POLLRDNORM;
    if (file.writable) ready |= POLLOUT | POLLWRNORM;
  } else {
    const type = fs.inodes.mode[file.ino] & S_IFMT;
    if (type === S_IFSOCK) ready = POLLOUT | POLLWRNORM | POLLHUP;
    else ready = POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM;
  }
  return ready & (events | POLLERR | POLLHUP | POLLNVAL);
}

/** FIONREAD: bytes that a read would return now, or -errno. */
export function readableBytes(fs: FsState, cage: Cage, fd: number): number {
  const file = cage.files[fd];
  if (file === undefined || file.isPath) return -9;
  if (file.pipe !== null) return file.pipe.length;
  if (file.device !== null) return file.device.readable?.() ?? 0;
  const type = fs.inodes.mode[file.ino] & S_IFMT;
  if (type === S_IFREG) return Math.max(0, fs.inodes.size[file.ino] - file.pos);
  if (type === S_IFDIR) return -ENOTTY;
  return -ENOTTY;
}
