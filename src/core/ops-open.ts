/** open(2) and friends: openat, O_TMPFILE, close, pipe2, and host streams on descriptors. */
import {
  O_ACCMODE, O_CLOEXEC, O_CREAT, O_DIRECT, O_DIRECTORY, O_EXCL, O_NOATIME, O_NOFOLLOW,
  O_NONBLOCK, O_PATH, O_RDONLY, O_RDWR, O_TMPFILE, O_TRUNC, O_WRONLY, PATH_MAX, STATUS_FLAGS,
  S_IALLUGO, S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG, S_IFSOCK, S_ISVTX, __O_TMPFILE,
} from './constants.js';
import {
  EACCES, EBADF, EEXIST, EINVAL, EISDIR, ELOOP, EMFILE, ENAMETOOLONG, ENOENT, ENOTDIR, ENXIO,
  EPERM, WOULD_BLOCK,
} from './errno.js';
import { MAY_EXEC, MAY_READ, MAY_WRITE, ownerOrRoot, permits } from './access.js';
import { CREATE, FOLLOW, LAST_NORM, Lookup, walk } from './path-walk.js';
import { M, C, type FsState } from './fs-state.js';
import type { Cage } from './cage.js';
import type { OpenFile } from './open-file.js';
import type { FileData } from './file-data.js';
import { Pipe } from './pipe.js';
import type { Device } from './device.js';

const lk = new Lookup();

/** MAY_* bits an access mode asks for (Linux ACC_MODE: O_ACCMODE 3 asks for both). */
export function accessMask(flags: number): number {
  switch (flags & O_ACCMODE) {
    case O_RDONLY: return MAY_READ;
    case O_WRONLY: return MAY_WRITE;
    default: return MAY_READ | MAY_WRITE;
  }
}

export function deviceKey(type: number, major: number, minor: number): string {
  return `${type === S_IFBLK ? 'b' : 'c'}:${major}:${minor}`;
}

export function openat(fs: FsState, cage: Cage, dirfd: number, path: string, flags: number, mode: number): number {
  if (flags & O_PATH) {
    flags &= O_DIRECTORY | O_NOFOLLOW | O_PATH | O_CLOEXEC;
  } else if (flags & __O_TMPFILE) {
    if ((flags & O_TMPFILE) !== O_TMPFILE) return -EINVAL;
    // Write access is required; access mode 3 asks for read and write (Linux's ACC_MODE), so it passes.
    if ((flags & O_ACCMODE) === O_RDONLY) return -EINVAL;
    if (flags & O_CREAT) return -EINVAL;
  } else if ((flags & (O_DIRECTORY | O_CREAT)) === (O_DIRECTORY | O_CREAT)) {
    return -EINVAL;
  }
  if (path.length >= PATH_MAX) return -ENAMETOOLONG;
  if (path.length === 0) return -ENOENT;
  // Linux takes the descriptor before walking the path: EMFILE wins over ENOENT.
  const fd = cage.lowestFree(0);
  if (fd < 0) return -EMFILE;
  if (flags & __O_TMPFILE && !(flags & O_PATH)) return openTmpfile(fs, cage, fd, dirfd, path, flags, mode);

  const table = fs.inodes;
  const creat = (flags & (O_CREAT | O_PATH)) === O_CREAT;
  let walkFlags = creat ? CREATE : 0;
  if (!(flags & O_NOFOLLOW) && !(creat && flags & O_EXCL)) walkFlags |= FOLLOW;
  const err = walk(fs, cage, dirfd, path, walkFlags, lk);
  if (err < 0) return err;
  let ino = lk.ino;
  let created = false;
  if (creat) {
    if (lk.type !== LAST_NORM) return flags & O_EXCL ? -EEXIST : -EISDIR;
    if (lk.slash) return -EISDIR;
    if (ino === 0) {
      const dir = lk.parent;
      if (table.nlink[dir] === 0) return -ENOENT;
      if (!permits(table, cage.cred, dir, MAY_WRITE | MAY_EXEC)) return -EACCES;
      ino = fs.newInode(cage.cred, dir, S_IFREG | (mode & S_IALLUGO), cage.umask);
      if (ino < 0) return ino;
      fs.attach(dir, lk.name, ino);
      created = true;
    } else if (flags & O_EXCL) {
      return -EEXIST;
    }
  }
  if (ino === 0) return -ENOENT;
  const type = table.mode[ino] & S_IFMT;
  // do_open: O_CREAT never opens an existing directory.
  if (creat && type === S_IFDIR) return -EISDIR;
  if (creat && !created) {
    const e = mayCreateInSticky(fs, cage, lk.parent, ino, type);
    if (e < 0) return e;
  }
  if ((lk.slash || flags & O_DIRECTORY) && type !== S_IFDIR) return -ENOTDIR;
  if (flags & O_PATH) return installNew(fs, cage, fd, fs.openFile(ino, flags & ~O_CLOEXEC), flags);
  if (!created) {
    const e = mayOpen(fs, cage, ino, type, flags);
    if (e < 0) return e;
  }
  let file: OpenFile;
  // Linux's f_flags also keep O_DIRECTORY and O_NOFOLLOW, which F_GETFL shows.
  const status = flags & (O_ACCMODE | STATUS_FLAGS | O_DIRECTORY | O_NOFOLLOW);
  switch (type) {
    case S_IFIFO: {
      const r = openFifo(fs, cage, ino, status);
      if (typeof r === 'number') return r;
      file = r;
      break;
    }
    case S_IFCHR:
    case S_IFBLK: {
      const device = fs.devices.get(deviceKey(type, table.rdevMajor[ino], table.rdevMinor[ino]));
      if (device === undefined) return -ENXIO;
      file = fs.openFile(ino, status);
      file.device = device;
      break;
    }
    default:
      file = fs.openFile(ino, status);
      if (type === S_IFREG && flags & O_TRUNC && !created) truncateOnOpen(fs, cage, ino);
  }
  return installNew(fs, cage, fd, file, flags);
}

/**
 * Linux's may_create_in_sticky: O_CREAT finding someone else's file in a sticky,
 * world-writable directory that is not theirs either is refused, even for root. Regular
 * files and FIFOs are exempt while fs.protected_regular/protected_fifos are 0 (as the
 * IMFS models them); other types (symlinks opened with O_NOFOLLOW, devices) never are.
 */
function mayCreateInSticky(fs: FsState, cage: Cage, dir: number, ino: number, type: number): number {
  const table = fs.inodes;
  const dirMode = table.mode[dir];
  if ((dirMode & S_ISVTX) === 0 || type === S_IFREG || type === S_IFIFO) return 0;
  if (table.uid[ino] === table.uid[dir] || table.uid[ino] === cage.cred.euid) return 0;
  return dirMode & 0o002 ? -EACCES : 0;
}

/** Linux's may_open: the checks on an existing inode before it is opened. */
function mayOpen(fs: FsState, cage: Cage, ino: number, type: number, flags: number): number {
  let mask = accessMask(flags);
  if (flags & O_TRUNC) mask |= MAY_WRITE;
  switch (type) {
    case S_IFLNK: return -ELOOP;
    case S_IFDIR: if (mask & MAY_WRITE) return -EISDIR; break;
  }
  if (!permits(fs.inodes, cage.cred, ino, mask)) return -EACCES;
  if (flags & O_NOATIME && !ownerOrRoot(fs.inodes, cage.cred, ino)) return -EPERM;
  if (type === S_IFSOCK) return -ENXIO;
  return 0;
}

function truncateOnOpen(fs: FsState, cage: Cage, ino: number): void {
  const table = fs.inodes;
  (table.payload[ino] as FileData).truncate(0, table.size[ino], fs.space);
  table.size[ino] = 0;
  fs.killSuid(ino, cage.cred);
  fs.stamp(ino, M | C);
}

/**
 * FIFO open rules (fifo(7)): a blocking open waits for the other end; O_NONBLOCK writers need
 * a reader. In a cage whose waits other cages can end (Cage.waitsForPeers), a blocking open that must wait counts as an opener of its end at once (so the
 * peer's open succeeds) and says WOULD_BLOCK; tried again, it completes once a peer has
 * opened (even one that has closed since). Imfs.abandonWait takes the count back.
 */
function openFifo(fs: FsState, cage: Cage, ino: number, status: number): OpenFile | number {
  const acc = status & O_ACCMODE;
  if (acc !== O_RDONLY && acc !== O_WRONLY && acc !== O_RDWR) return -EINVAL;
  // Linux refuses O_DIRECT at open for a FIFO (though F_SETFL may set it later).
  if (status & O_DIRECT) return -EINVAL;
  const pipe = fs.fifoPipe(ino);
  const nonblock = (status & O_NONBLOCK) !== 0;
  const w = cage.fifoWait;
  if (w !== null && w.ino === ino && w.reader === (acc === O_RDONLY) && acc !== O_RDWR && !nonblock) {
    const peerCame = w.reader ? pipe.writers > 0 || pipe.writerOpens !== w.gen : pipe.readers > 0 || pipe.readerOpens !== w.gen;
    if (!peerCame) return WOULD_BLOCK;
    cage.fifoWait = null;
    return fifoFile(fs, ino, status, pipe);
  }
  if (acc === O_WRONLY && nonblock && pipe.readers === 0) {
    if (pipe.writers === 0) fs.inodes.payload[ino] = null;
    return -ENXIO;
  }
  const waits = (acc === O_RDONLY && !nonblock && pipe.writers === 0) || (acc === O_WRONLY && pipe.readers === 0);
  if (waits && !cage.waitsForPeers) {
    // Nobody else runs while this cage waits: say so and hold nothing.
    if (pipe.readers === 0 && pipe.writers === 0) fs.inodes.payload[ino] = null;
    return WOULD_BLOCK;
  }
  if (acc !== O_WRONLY) { pipe.readers++; pipe.readerOpens++; }
  if (acc !== O_RDONLY) { pipe.writers++; pipe.writerOpens++; }
  if (waits) {
    cage.fifoWait = { pipe, ino, reader: acc === O_RDONLY, gen: acc === O_RDONLY ? pipe.writerOpens : pipe.readerOpens };
    return WOULD_BLOCK;
  }
  return fifoFile(fs, ino, status, pipe);
}

/** The open file description of a FIFO whose end is already counted. */
function fifoFile(fs: FsState, ino: number, status: number, pipe: Pipe): OpenFile {
  const file = fs.openFile(ino, status);
  file.pipe = pipe;
  return file;
}

function openTmpfile(fs: FsState, cage: Cage, fd: number, dirfd: number, path: string, flags: number, mode: number): number {
  const table = fs.inodes;
  // O_NOFOLLOW leaves a final symlink alone, which then is no directory (a trailing slash still follows).
  const err = walk(fs, cage, dirfd, path, flags & O_NOFOLLOW ? 0 : FOLLOW, lk);
  if (err < 0) return err;
  const dir = lk.ino;
  if (dir === 0) return -ENOENT;
  if (!table.isDir(dir)) return -ENOTDIR;
  if (!permits(table, cage.cred, dir, MAY_WRITE | MAY_EXEC)) return -EACCES;
  if (table.nlink[dir] === 0) return -ENOENT;
  const ino = fs.newInode(cage.cred, dir, S_IFREG | (mode & S_IALLUGO), cage.umask);
  if (ino < 0) return ino;
  if (!(flags & O_EXCL)) fs.linkable.add(ino);
  const file = fs.openFile(ino, flags & (O_ACCMODE | STATUS_FLAGS));
  return installNew(fs, cage, fd, file, flags);
}

function installNew(fs: FsState, cage: Cage, fd: number, file: OpenFile, flags: number): number {
  file.opener = cage.cred;
  fs.install(cage, fd, file, (flags & O_CLOEXEC) !== 0);
  return fd;
}

export function close(fs: FsState, cage: Cage, fd: number): number {
  if (cage.files[fd] === undefined) return -EBADF;
  fs.closeFd(cage, fd);
  return 0;
}

/** pipe2(2): fds[0] the read end, fds[1] the write end. */
export function pipe2(fs: FsState, cage: Cage, fds: Int32Array | number[], flags: number): number {
  if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT)) return -EINVAL;
  const r = cage.lowestFree(0);
  if (r < 0) return -EMFILE;
  const w = cage.lowestFree(r + 1);
  if (w < 0) return -EMFILE;
  const ino = fs.newInode(cage.cred, 0, S_IFIFO | 0o600);
  if (ino < 0) return ino;
  fs.anonymous.add(ino);
  const pipe = new Pipe();
  fs.inodes.payload[ino] = pipe;
  pipe.readers = pipe.writers = 1;
  const status = flags & O_NONBLOCK;
  const rf = fs.openFile(ino, O_RDONLY | status);
  // O_DIRECT (packet mode) goes to the write end only, as on Linux.
  const wf = fs.openFile(ino, O_WRONLY | status | (flags & O_DIRECT));
  rf.pipe = wf.pipe = pipe;
  const cloexec = (flags & O_CLOEXEC) !== 0;
  fs.install(cage, r, rf, cloexec);
  fs.install(cage, w, wf, cloexec);
  fds[0] = r;
  fds[1] = w;
  return 0;
}

/**
 * Puts a host stream (the grate's stdin/stdout/stderr, or anything else the grate
 * serves) on descriptor `fd` of a cage. `type` is what fstat reports: S_IFCHR for a
 * terminal, S_IFIFO for a pipe, S_IFREG for a file.
 */
export function installStream(fs: FsState, cage: Cage, fd: number, device: Device, flags: number, type: number): number {
  if (fd < 0 || fd >= cage.maxFds) return -EBADF;
  const ino = fs.newInode(cage.cred, 0, (type & S_IFMT) | 0o620);
  if (ino < 0) return ino;
  fs.anonymous.add(ino);
  const file = fs.openFile(ino, flags & (O_ACCMODE | STATUS_FLAGS));
  file.device = device;
  fs.install(cage, fd, file, false);
  return fd;
}
