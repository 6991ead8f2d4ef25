/** The WIT types of wasi:filesystem and wasi:clocks as jco's glue passes them (u64 as BigInt, flags as objects). */
import {
  S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG, S_IFSOCK, UTIME_NOW, UTIME_OMIT,
  type Stat, type Timespec,
} from '../../core/index.js';

export interface Datetime { seconds: bigint; nanoseconds: number }
export type NewTimestamp = { tag: 'no-change' } | { tag: 'now' } | { tag: 'timestamp'; val: Datetime };
export type DescriptorType =
  | 'unknown' | 'block-device' | 'character-device' | 'directory' | 'fifo' | 'symbolic-link' | 'regular-file' | 'socket';
export interface PathFlags { symlinkFollow?: boolean }
export interface OpenFlags { create?: boolean; directory?: boolean; exclusive?: boolean; truncate?: boolean }
export interface DescriptorFlags {
  read?: boolean; write?: boolean; fileIntegritySync?: boolean; dataIntegritySync?: boolean;
  requestedWriteSync?: boolean; mutateDirectory?: boolean;
}
export interface DescriptorStat {
  type: DescriptorType;
  linkCount: bigint;
  size: bigint;
  dataAccessTimestamp?: Datetime;
  dataModificationTimestamp?: Datetime;
  statusChangeTimestamp?: Datetime;
}
export interface DirectoryEntry { type: DescriptorType; name: string }
export interface MetadataHashValue { upper: bigint; lower: bigint }
export type Advice = 'normal' | 'sequential' | 'random' | 'will-need' | 'dont-need' | 'no-reuse';

const TYPES: [number, DescriptorType][] = [
  [S_IFREG, 'regular-file'], [S_IFDIR, 'directory'], [S_IFLNK, 'symbolic-link'], [S_IFCHR, 'character-device'],
  [S_IFBLK, 'block-device'], [S_IFIFO, 'fifo'], [S_IFSOCK, 'socket'],
];
const BY_MODE = new Map(TYPES);
/** The largest u64 a number holds exactly (made once: a BigInt per call shows in profiles). */
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** st_mode's file type as a descriptor-type. */
export function typeOfMode(mode: number): DescriptorType {
  return BY_MODE.get(mode & S_IFMT) ?? 'unknown';
}

/** DT_* (a directory entry's type) as a descriptor-type. */
export function typeOfDtype(dt: number): DescriptorType {
  return typeOfMode(dt << 12);
}

export function datetime(sec: number, nsec: number): Datetime {
  return { seconds: BigInt(sec), nanoseconds: nsec };
}

export function descriptorStat(st: Stat): DescriptorStat {
  return {
    type: typeOfMode(st.mode),
    linkCount: BigInt(st.nlink),
    size: BigInt(st.size),
    dataAccessTimestamp: datetime(st.atimeSec, st.atimeNsec),
    dataModificationTimestamp: datetime(st.mtimeSec, st.mtimeNsec),
    statusChangeTimestamp: datetime(st.ctimeSec, st.ctimeNsec),
  };
}

/** A new-timestamp as utimensat's timespec (UTIME_OMIT / UTIME_NOW / a time), or null when it is out of range. */
export function timespecOf(t: NewTimestamp): Timespec | null {
  switch (t.tag) {
    case 'no-change': return { sec: 0, nsec: UTIME_OMIT };
    case 'now': return { sec: 0, nsec: UTIME_NOW };
    case 'timestamp': {
      const { seconds, nanoseconds } = t.val;
      if (nanoseconds < 0 || nanoseconds > 999_999_999 || seconds > MAX_SAFE) return null;
      return { sec: Number(seconds), nsec: nanoseconds };
    }
  }
}

/** A u64 offset or length from the guest as a number, or null past what a file can hold. */
export function u64(n: bigint): number | null {
  return n > MAX_SAFE ? null : Number(n);
}
