/**
 * wasi:filesystem's `error-code` from a core result. The mapping goes through the one the
 * preview1 layer uses (Linux errno → preview1 errno, wasi-constants.ts), then preview1's
 * errno → the WIT case of the same meaning, so both ABIs answer a given failure alike.
 */
import { WOULD_BLOCK } from '../../core/index.js';
import { toWasiErrno } from '../wasi-constants.js';

/** The cases of wasi:filesystem/types `error-code` (WASI 0.2), in WIT order (a case's index is its code in the canonical ABI). */
export const ERROR_CODES = [
  'access', 'would-block', 'already', 'bad-descriptor', 'busy', 'deadlock', 'quota', 'exist',
  'file-too-large', 'illegal-byte-sequence', 'in-progress', 'interrupted', 'invalid', 'io',
  'is-directory', 'loop', 'too-many-links', 'message-size', 'name-too-long', 'no-device',
  'no-entry', 'no-lock', 'insufficient-memory', 'insufficient-space', 'not-directory',
  'not-empty', 'not-recoverable', 'unsupported', 'no-tty', 'no-such-device', 'overflow',
  'not-permitted', 'pipe', 'read-only', 'invalid-seek', 'text-file-busy', 'cross-device',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * preview1 errno → WIT error-code. preview1 codes with no WIT case of their own take the
 * nearest: NOTCAPABLE (a lookup leaving its directory) is `not-permitted`, as wasmtime
 * answers it; ENOSYS and the socket codes are `unsupported`; EMFILE/ENFILE (no descriptor
 * left) are `insufficient-memory`; anything else is `io`.
 */
const PAIRS: [number, ErrorCode][] = [
  [2, 'access'], [6, 'would-block'], [7, 'already'], [8, 'bad-descriptor'], [10, 'busy'], [16, 'deadlock'],
  [19, 'quota'], [20, 'exist'], [22, 'file-too-large'], [25, 'illegal-byte-sequence'], [26, 'in-progress'],
  [27, 'interrupted'], [28, 'invalid'], [29, 'io'], [31, 'is-directory'], [32, 'loop'], [33, 'insufficient-memory'],
  [34, 'too-many-links'], [35, 'message-size'], [37, 'name-too-long'], [41, 'insufficient-memory'], [43, 'no-device'],
  [44, 'no-entry'], [46, 'no-lock'], [48, 'insufficient-memory'], [51, 'insufficient-space'], [52, 'unsupported'],
  [54, 'not-directory'], [55, 'not-empty'], [56, 'not-recoverable'], [57, 'unsupported'], [58, 'unsupported'],
  [59, 'no-tty'], [60, 'no-such-device'], [61, 'overflow'], [63, 'not-permitted'], [64, 'pipe'], [69, 'read-only'],
  [70, 'invalid-seek'], [74, 'text-file-busy'], [75, 'cross-device'], [76, 'not-permitted'],
  [1, 'invalid'], [18, 'invalid'], [68, 'invalid'],
];

const BY_WASI_ERRNO: ErrorCode[] = new Array<ErrorCode>(77).fill('io');
for (const [errno, code] of PAIRS) BY_WASI_ERRNO[errno] = code;

/** A negative core result (-errno, or WOULD_BLOCK) as a WIT error-code. */
export function errorCodeOf(result: number): ErrorCode {
  if (result === WOULD_BLOCK) return 'would-block';
  return BY_WASI_ERRNO[toWasiErrno(result)] ?? 'io';
}

/** preview1 errno → WIT error-code (exported for the tests that pin the mapping). */
export function errorCodeOfWasiErrno(errno: number): ErrorCode {
  return BY_WASI_ERRNO[errno] ?? 'io';
}
