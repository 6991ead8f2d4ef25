/**
 * Resource limits of a cage: getrlimit(2), setrlimit(2), prlimit(2), with Linux's resource
 * numbers and rules (kernel/sys.c do_prlimit). RLIMIT_NOFILE is the one the IMFS enforces
 * (a cage's descriptors stay below its soft limit, EMFILE past it). The other limits are
 * kept per cage, inherited by fork, and reported back as set, as a process expects of
 * setrlimit; nothing in a grate measures CPU time, stack or address space against them.
 */
import { EINVAL, EPERM, ESRCH } from './errno.js';
import type { Cage } from './cage.js';

export const RLIMIT_CPU = 0, RLIMIT_FSIZE = 1, RLIMIT_DATA = 2, RLIMIT_STACK = 3, RLIMIT_CORE = 4,
  RLIMIT_RSS = 5, RLIMIT_NPROC = 6, RLIMIT_NOFILE = 7, RLIMIT_MEMLOCK = 8, RLIMIT_AS = 9,
  RLIMIT_LOCKS = 10, RLIMIT_SIGPENDING = 11, RLIMIT_MSGQUEUE = 12, RLIMIT_NICE = 13,
  RLIMIT_RTPRIO = 14, RLIMIT_RTTIME = 15, RLIM_NLIMITS = 16;

/** No limit. An ABI encodes it as its own all-ones rlim_t. */
export const RLIM_INFINITY = Infinity;

/** One limit: the soft value (`cur`) is what applies, the hard one (`max`) its ceiling. */
export interface Rlimit {
  cur: number;
  max: number;
}

export function newRlimit(): Rlimit {
  return { cur: 0, max: 0 };
}

const MiB = 1024 * 1024;

/**
 * A new cage's limits, those of a login shell on a stock Linux: an 8 MiB stack, no core
 * files, 8 MiB of locked memory, the POSIX message-queue default, no nice or realtime
 * priority; the rest unlimited. The descriptor limits are `cur` (soft) and `max` (hard).
 */
export function defaultRlimits(nofileCur: number, nofileMax: number): Rlimit[] {
  const limits: Rlimit[] = [];
  for (let r = 0; r < RLIM_NLIMITS; r++) limits.push({ cur: RLIM_INFINITY, max: RLIM_INFINITY });
  limits[RLIMIT_STACK].cur = 8 * MiB;
  limits[RLIMIT_CORE].cur = 0;
  limits[RLIMIT_MEMLOCK] = { cur: 8 * MiB, max: 8 * MiB };
  limits[RLIMIT_MSGQUEUE] = { cur: 819200, max: 819200 };
  limits[RLIMIT_NICE] = { cur: 0, max: 0 };
  limits[RLIMIT_RTPRIO] = { cur: 0, max: 0 };
  limits[RLIMIT_NOFILE] = { cur: nofileCur, max: Math.max(nofileCur, nofileMax) };
  return limits;
}

/**
 * prlimit(2) on `target` by `caller`: copies the limit in force into `old` (if given), then
 * installs `next` (if given). `nrOpen` is the ceiling no descriptor limit may pass, root's
 * included (Linux's fs.nr_open). Returns 0 or -errno.
 */
export function prlimit(caller: Cage, target: Cage | undefined, resource: number, next: Rlimit | null, old: Rlimit | null, nrOpen: number): number {
  if (target === undefined) return -ESRCH;
  if (resource < 0 || resource >= RLIM_NLIMITS) return -EINVAL;
  const root = caller.cred.euid === 0;
  if (target !== caller && !root && !sameIds(caller, target)) return -EPERM;
  const limit = target.rlimits[resource];
  if (next !== null) {
    if (next.cur > next.max) return -EINVAL;
    if (resource === RLIMIT_NOFILE && next.max > nrOpen) return -EPERM;
    if (next.max > limit.max && !root) return -EPERM;
  }
  if (old !== null) { old.cur = limit.cur; old.max = limit.max; }
  if (next !== null) { limit.cur = next.cur; limit.max = next.max; }
  return 0;
}

/** Whether the caller's ids are the target's own (who may change another process's limits without privilege). */
function sameIds(caller: Cage, target: Cage): boolean {
  const c = caller.cred, t = target.cred;
  return c.uid === t.uid && c.uid === t.euid && c.gid === t.gid && c.gid === t.egid;
}
