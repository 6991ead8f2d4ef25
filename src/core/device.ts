/**
 * What a device node or host stream does when read or written. The core stores device
 * nodes (type + major/minor) but their behaviour is the grate's business: it registers
 * a Device for a (major, minor) pair, or installs one directly as a cage's stdio.
 * Results follow the syscall convention: a byte count, -errno, or WOULD_BLOCK.
 */
export interface Device {
  read?(dst: Uint8Array, off: number, len: number, pos: number): number;
  write?(src: Uint8Array, off: number, len: number, pos: number): number;
  /** Bytes readable now (FIONREAD); undefined when unknown. */
  readable?(): number;
  /** True for a terminal (TCGETS succeeds; WASI reports it as a character device without seek). */
  readonly isatty?: boolean;
  /** Whether lseek means anything (regular-file-like devices such as /dev/zero accept it and ignore it). */
  readonly seekable?: boolean;
}
