/** The stat and statfs results the core fills in (caller-provided objects, reused across calls). */

export interface Stat {
  dev: number;
  ino: number;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  /** Major and minor of st_rdev (Linux dev_t encoding is applied by whoever writes a dev_t). */
  rdevMajor: number;
  rdevMinor: number;
  size: number;
  blksize: number;
  /** 512-byte units allocated. */
  blocks: number;
  atimeSec: number;
  atimeNsec: number;
  mtimeSec: number;
  mtimeNsec: number;
  ctimeSec: number;
  ctimeNsec: number;
  birthtimeSec: number;
  birthtimeNsec: number;
}

export function newStat(): Stat {
  return {
    dev: 0, ino: 0, mode: 0, nlink: 0, uid: 0, gid: 0, rdevMajor: 0, rdevMinor: 0, size: 0,
    blksize: 0, blocks: 0, atimeSec: 0, atimeNsec: 0, mtimeSec: 0, mtimeNsec: 0, ctimeSec: 0,
    ctimeNsec: 0, birthtimeSec: 0, birthtimeNsec: 0,
  };
}

export interface Statfs {
  type: number;
  bsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
  fsid: number;
  namelen: number;
  frsize: number;
  flags: number;
}

export function newStatfs(): Statfs {
  return { type: 0, bsize: 0, blocks: 0, bfree: 0, bavail: 0, files: 0, ffree: 0, fsid: 0, namelen: 0, frsize: 0, flags: 0 };
}

/** The IMFS's device number: anonymous major 0, minor 42 (st_dev of every inode). */
export const IMFS_DEV_MAJOR = 0, IMFS_DEV_MINOR = 42;
export const BLOCK_SIZE = 4096;
