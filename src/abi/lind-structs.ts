/**
 * The wasm32 struct layouts of a lind-glibc cage (abi.md §3), read from and written to
 * cage memory. Offsets are the x86-64 kernel shapes Lind's headers were edited to match.
 */
import { RLIM_INFINITY, type Stat, type Statfs, type Flock, type Rlimit } from '../core/index.js';
import type { CageMemory } from './cage-memory.js';

export const STAT_SIZE = 104;
export const STAT64_T64_SIZE = 112;
export const RLIMIT_SIZE = 8;
export const STATFS_SIZE = 112;
export const IOVEC_SIZE = 16;
export const FLOCK32_SIZE = 16;
export const FLOCK64_SIZE = 32;
export const TIMESPEC_SIZE = 16;
export const STATX_SIZE = 256;

/**
 * glibc's makedev(major, minor) (§4.11) written as a u64, in 32-bit halves (no BigInt):
 * the low half holds major bits 0–11 at 8, minor bits 0–7 and minor bits 8–19 at 20;
 * the high half holds minor bits 20–31 and major bits 12–31 in place.
 */
export function writeDev(m: CageMemory, p: number, major: number, minor: number): void {
  m.setU32(p, ((major & 0xfff) << 8) | (minor & 0xff) | ((minor & 0xfff00) << 12));
  m.setU32(p + 4, (major & 0xfffff000) | (minor >>> 20));
}

/** The first 52 bytes, which both stat layouts share: dev, ino, mode, nlink, uid, gid, rdev, size, blksize. */
function writeStatHead(m: CageMemory, p: number, st: Stat): void {
  m.setU64(p, st.dev);
  m.setU64(p + 8, st.ino);
  m.setU32(p + 16, st.mode);
  m.setU32(p + 20, st.nlink);
  m.setU32(p + 24, st.uid);
  m.setU32(p + 28, st.gid);
  writeDev(m, p + 32, st.rdevMajor, st.rdevMinor);
  m.setU64(p + 40, st.size);
  m.setI32(p + 48, st.blksize);
}

/** struct stat (§3.2), 104 bytes: what stat, fstat and lstat (4, 5, 6) hand over. */
export function writeStat(m: CageMemory, p: number, st: Stat): void {
  writeStatHead(m, p, st);
  m.setU32(p + 52, st.blocks);
  m.setU64(p + 56, st.atimeSec);
  m.setU64(p + 64, st.atimeNsec);
  m.setU64(p + 72, st.mtimeSec);
  m.setU64(p + 80, st.mtimeNsec);
  m.setU64(p + 88, st.ctimeSec);
  m.setU64(p + 96, st.ctimeNsec);
}

/**
 * glibc's internal struct __stat64_t64, 112 bytes: what newfstatat (262) is handed by
 * lind-glibc's fstatat, fstatat64 and statx, which copy it into the caller's struct field by
 * field (lstat64 hands over its own struct stat64, whose times and st_blocks sit at the same
 * offsets). Beside §3.2: st_blocks is 64-bit at 56 and each time is {i64 sec, i32 nsec, pad}
 * from 64 on.
 */
export function writeStat64t64(m: CageMemory, p: number, st: Stat): void {
  writeStatHead(m, p, st);
  m.setU32(p + 52, 0);
  m.setU64(p + 56, st.blocks);
  const ts = (at: number, sec: number, nsec: number) => { m.setU64(at, sec); m.setU64(at + 8, nsec); };
  ts(p + 64, st.atimeSec, st.atimeNsec);
  ts(p + 80, st.mtimeSec, st.mtimeNsec);
  ts(p + 96, st.ctimeSec, st.ctimeNsec);
}

/** struct statfs (§3.3), 112 bytes; f_spare zeroed. */
export function writeStatfs(m: CageMemory, p: number, s: Statfs): void {
  m.setU64(p, s.type);
  m.setU64(p + 8, s.bsize);
  m.setU64(p + 16, s.blocks);
  m.setU64(p + 24, s.bfree);
  m.setU64(p + 32, s.bavail);
  m.setU64(p + 40, s.files);
  m.setU64(p + 48, s.ffree);
  m.setU64(p + 56, s.fsid);
  m.setU64(p + 64, s.namelen);
  m.setU64(p + 72, s.frsize);
  m.u8.fill(0, p + 80, p + STATFS_SIZE);
}

/** struct statx (§3.8), 256 bytes. */
export function writeStatx(m: CageMemory, p: number, st: Stat, mask: number): void {
  m.u8.fill(0, p, p + STATX_SIZE);
  m.setU32(p, mask);
  m.setU32(p + 4, st.blksize);
  m.setU32(p + 16, st.nlink);
  m.setU32(p + 20, st.uid);
  m.setU32(p + 24, st.gid);
  m.setU16(p + 28, st.mode);
  m.setU64(p + 32, st.ino);
  m.setU64(p + 40, st.size);
  m.setU64(p + 48, st.blocks);
  const ts = (at: number, sec: number, nsec: number) => { m.setU64(at, sec); m.setU32(at + 8, nsec); };
  ts(p + 64, st.atimeSec, st.atimeNsec);
  ts(p + 80, st.birthtimeSec, st.birthtimeNsec);
  ts(p + 96, st.ctimeSec, st.ctimeNsec);
  ts(p + 112, st.mtimeSec, st.mtimeNsec);
  m.setU32(p + 128, st.rdevMajor);
  m.setU32(p + 132, st.rdevMinor);
  m.setU32(p + 136, Math.floor(st.dev / 256));
  m.setU32(p + 140, st.dev % 256);
}

/** {i64 tv_sec, i64 tv_nsec} (§3.6). */
export function writeTimespec(m: CageMemory, p: number, sec: number, nsec: number): void {
  m.setU64(p, sec);
  m.setU64(p + 8, nsec);
}

/**
 * The 16-byte time a lind-glibc wrapper builds for the host, {i64 tv_sec, long tv_nsec, pad}
 * (glibc's struct __timespec64; the nanosleep family): tv_nsec is the 32-bit long at 8.
 */
export function readTimespec64(m: CageMemory, p: number): { sec: number; nsec: number } {
  return { sec: m.i64(p), nsec: m.i32(p + 8) };
}

/**
 * struct rlimit of a wasm32 cage (prlimit64, 302), 8 bytes: {u32 rlim_cur, u32 rlim_max}.
 * rlim_t is a 32-bit unsigned long there, and RLIM_INFINITY is 0xffffffff; a limit that
 * does not fit is reported as infinity, as glibc's 32-bit getrlimit reports it.
 */
export function readRlimit(m: CageMemory, p: number): Rlimit {
  const field = (v: number) => (v === RLIM32_INFINITY ? RLIM_INFINITY : v);
  return { cur: field(m.u32(p)), max: field(m.u32(p + 4)) };
}

export function writeRlimit(m: CageMemory, p: number, l: Rlimit): void {
  const field = (v: number) => Math.min(v, RLIM32_INFINITY);
  m.setU32(p, field(l.cur));
  m.setU32(p + 4, field(l.max));
}

const RLIM32_INFINITY = 0xffffffff;

/** Reads a struct flock by command number: 16 bytes (cmd 5/6/7) or 32 bytes (12/13/14, 36/37/38). */
export function readFlock(m: CageMemory, p: number, wide: boolean): Flock {
  const dv = m.dv;
  if (wide) {
    return { type: dv.getInt16(p, true), whence: dv.getInt16(p + 2, true), start: m.i64(p + 8), len: m.i64(p + 16), pid: dv.getInt32(p + 24, true) };
  }
  return { type: dv.getInt16(p, true), whence: dv.getInt16(p + 2, true), start: dv.getInt32(p + 4, true), len: dv.getInt32(p + 8, true), pid: dv.getInt32(p + 12, true) };
}

/** Writes back what F_GETLK found. Returns false if it does not fit the 32-bit layout (EOVERFLOW). */
export function writeFlock(m: CageMemory, p: number, wide: boolean, l: Flock): boolean {
  const dv = m.dv;
  dv.setInt16(p, l.type, true);
  dv.setInt16(p + 2, l.whence, true);
  if (wide) {
    m.setU64(p + 8, l.start);
    m.setU64(p + 16, l.len);
    dv.setInt32(p + 24, l.pid, true);
    return true;
  }
  if (l.start > 0x7fffffff || l.len > 0x7fffffff) return false;
  dv.setInt32(p + 4, l.start, true);
  dv.setInt32(p + 8, l.len, true);
  dv.setInt32(p + 12, l.pid, true);
  return true;
}

/**
 * The iovec array at p ({u64 base, u64 len} per entry, §3.5) as views of cage memory,
 * or -errno: EINVAL for a bad count, EFAULT for an entry outside memory.
 */
export function readIovecs(m: CageMemory, p: number, count: number): Uint8Array[] | number {
  if (count < 0 || count > 1024) return -22;
  if (!m.ok(p, count * IOVEC_SIZE)) return -14;
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const e = p + i * IOVEC_SIZE;
    const base = m.u64(e), len = m.u64(e + 8);
    if (len === 0) { out.push(m.u8.subarray(0, 0)); continue; }
    if (!m.ok(base, len) || base === 0) return -14;
    out.push(m.view(base, len));
  }
  return out;
}
