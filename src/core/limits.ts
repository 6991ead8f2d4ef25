/** Configurable limits of one IMFS, with Linux-like defaults. */
export interface Limits {
  /** Total bytes of file data (ENOSPC past it). Default 4 GiB. */
  maxBytes: number;
  /** Number of inodes (ENOSPC past it). Default 4 Mi. */
  maxInodes: number;
  /** Descriptors per cage, RLIMIT_NOFILE (EMFILE past it). Default 1024, Linux's soft default. */
  maxFds: number;
  /** Largest file size (EFBIG past it). Default 16 TiB. */
  maxFileSize: number;
  /** Most links to one inode (EMLINK past it); reported by pathconf(_PC_LINK_MAX). Default 65000. */
  maxLinks: number;
  /** Size of a file data chunk, a power of two >= 512. Default 16 KiB. */
  chunkSize: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = {
  maxBytes: 4 * 1024 ** 3,
  maxInodes: 4 * 1024 * 1024,
  maxFds: 1024,
  maxFileSize: 16 * 1024 ** 4,
  maxLinks: 65000,
  chunkSize: 16 * 1024,
};

/** Merges `given` over the defaults and rejects nonsense with a clear message (a host-side error). */
export function resolveLimits(given: Partial<Limits> = {}): Limits {
  const limits = { ...DEFAULT_LIMITS };
  for (const [key, value] of Object.entries(given) as [keyof Limits, number | undefined][]) {
    if (value === undefined) continue;
    if (!(key in DEFAULT_LIMITS)) throw new Error(`unknown IMFS limit '${key}'`);
    if (!Number.isSafeInteger(value) || value < 1) throw new Error(`IMFS limit ${key} must be a positive integer, got ${value}`);
    limits[key] = value;
  }
  const cs = limits.chunkSize;
  if (cs < 512 || (cs & (cs - 1)) !== 0) throw new Error(`IMFS chunkSize must be a power of two >= 512, got ${cs}`);
  if (limits.maxInodes >= 2 ** 32 - 1) throw new Error('IMFS maxInodes must be below 2^32');
  return limits;
}
