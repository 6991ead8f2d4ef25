/** The IMFS core: the filesystem, its constants, and the host staging helpers. */
export { Imfs, type CageOptions, type Dirent } from './imfs.js';
export type { ImfsOptions } from './fs-state.js';
export type { Limits } from './limits.js';
export { DEFAULT_LIMITS } from './limits.js';
export { realClock, manualClock, type Clock, type Timespec } from './clock.js';
export { newStat, newStatfs, type Stat, type Statfs } from './stat.js';
export type { Statx } from './ops-attr.js';
export type { Flock } from './ops-fd.js';
export type { OffsetRef } from './ops-io.js';
export type { Device } from './device.js';
export type { Credentials } from './access.js';
export { toBinary, binaryToBytes, binaryToText, bytesToBinary, BytePath, type PathArg } from './names.js';
export * from './constants.js';
export * from './errno.js';
export { loadFile, dumpFile, preloads, dumps, parseStagingList, StagingError, type StagingOptions, type StagingEntry, type DumpFailure } from './staging.js';
export { POLLIN, POLLPRI, POLLOUT, POLLERR, POLLHUP, POLLNVAL, POLLRDNORM, POLLRDBAND, POLLWRNORM, POLLWRBAND } from './ops-poll.js';
export { scanDir, type DirVisitor } from './ops-dir.js';
export {
  RLIMIT_CPU, RLIMIT_FSIZE, RLIMIT_DATA, RLIMIT_STACK, RLIMIT_CORE, RLIMIT_RSS, RLIMIT_NPROC, RLIMIT_NOFILE,
  RLIMIT_MEMLOCK, RLIMIT_AS, RLIMIT_LOCKS, RLIMIT_SIGPENDING, RLIMIT_MSGQUEUE, RLIMIT_NICE, RLIMIT_RTPRIO,
  RLIMIT_RTTIME, RLIM_NLIMITS, RLIM_INFINITY, newRlimit, type Rlimit,
} from './rlimits.js';
