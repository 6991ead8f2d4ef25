/**
 * execve's lookup (processes.md §6): the program is a file in the IMFS, resolved from the
 * cage's working directory and permission-checked as Linux does (search on every directory,
 * execute on the file, a regular file); `\0asm` content is compiled once per content
 * (sha-256) per grate; `#!` lines name an interpreter with at most one argument, up to four
 * levels deep. Failures are -errno and change nothing.
 */
import {
  AT_EACCESS, AT_FDCWD, EACCES, ELOOP, ENOEXEC, O_RDONLY, S_IFMT, S_IFREG, X_OK, binaryToBytes, newStat, type BytePath, type Imfs,
} from '../core/index.js';
import { isWasm, readModuleInfo, type MemoryLimits } from '../abi/wasm-module.js';

/** What execve runs: a compiled program and the argv it receives (the interpreter's, for a script). */
export interface Program {
  module: WebAssembly.Module;
  /** Its imported memory's limits in pages (a lind cage imports a shared env.memory). */
  limits: { initial: number; maximum: number };
  argv: Uint8Array[];
}

/** The id of the short-lived cage that reads a program with the caller's view but root's rights (x without r is enough). */
const READER = Number.MAX_SAFE_INTEGER;
const MAX_INTERPRETER_DEPTH = 4;
/** A #! line is read up to this many bytes (Linux's BINPRM_BUF_SIZE). */
const SHEBANG_MAX = 256;

export class ExecLoader {
  private readonly compiled = new Map<string, Compiled>();
  private readonly st = newStat();

  constructor(private readonly fs: Imfs) {}

  /** The program to run for execve(path, argv) by `cage`, or -errno. */
  load(cage: number, path: BytePath | Uint8Array, argv: Uint8Array[], depth = 0): Program | number {
    // The path as bytes: BytePath holds a binary string (one char per byte).
    const p = path instanceof Uint8Array ? path : binaryToBytes(path.bytes);
    const access = this.fs.faccessat(cage, AT_FDCWD, p, X_OK, AT_EACCESS);
    if (access < 0) return access;
    const r = this.fs.stat(cage, p, this.st);
    if (r < 0) return r;
    if ((this.st.mode & S_IFMT) !== S_IFREG) return -EACCES;
    const bytes = this.read(cage, p);
    if (typeof bytes === 'number') return bytes;
    if (isWasm(bytes)) {
      const c = this.compile(bytes);
      return c === null ? -ENOEXEC : { ...c, argv };
    }
    if (bytes[0] !== 0x23 || bytes[1] !== 0x21) return -ENOEXEC; // "#!"
    if (depth >= MAX_INTERPRETER_DEPTH) return -ELOOP;
    const line = shebang(bytes);
    if (line === null) return -ENOEXEC;
    const next = [line.interpreter, ...(line.arg === null ? [] : [line.arg]), p, ...argv.slice(1)];
    return this.load(cage, line.interpreter, next, depth + 1);
  }

  /** The file's bytes, read with the cage's working directory and descriptors but root's rights. */
  private read(cage: number, path: Uint8Array): Uint8Array | number {
    const fs = this.fs;
    let r = fs.forkCage(cage, READER);
    if (r < 0) return r;
    try {
      fs.setCredentials(READER, { uid: 0, gid: 0, euid: 0, egid: 0, groups: [0] });
      const fd = fs.open(READER, path, O_RDONLY);
      if (fd < 0) return fd;
      const out = new Uint8Array(this.st.size);
      let at = 0;
      while (at < out.length && (r = fs.read(READER, fd, out, out.length - at, at)) > 0) at += r;
      return r < 0 ? r : out.subarray(0, at);
    } finally {
      fs.exitCage(READER);
    }
  }

  private compile(bytes: Uint8Array): Compiled | null {
    const key = process.getBuiltinModule('node:crypto').createHash('sha256').update(bytes).digest('hex');
    let c = this.compiled.get(key);
    if (c === undefined) {
      let module: WebAssembly.Module;
      let limits: MemoryLimits | undefined;
      try {
        module = new WebAssembly.Module(bytes);
        const mem = readModuleInfo(bytes).imports.find((i) => i.module === 'env' && i.name === 'memory');
        if (mem?.desc.kind === 'memory') limits = mem.desc.limits;
      } catch {
        return null;
      }
      // A lind cage: make-syscall and a shared env.memory with a maximum (workers share it).
      const lind = WebAssembly.Module.imports(module).some((i) => i.module === 'lind' && i.name === 'make-syscall');
      if (!lind || limits === undefined || !limits.shared || limits.maximum === undefined || limits.memory64) return null;
      c = { module, limits: { initial: limits.initial, maximum: limits.maximum } };
      this.compiled.set(key, c);
    }
    return c;
  }
}

interface Compiled {
  module: WebAssembly.Module;
  limits: { initial: number; maximum: number };
}

/** The interpreter and its one optional argument from a #! line; null if it names none. */
function shebang(bytes: Uint8Array): { interpreter: Uint8Array; arg: Uint8Array | null } | null {
  let end = bytes.indexOf(0x0a);
  if (end < 0 || end > SHEBANG_MAX) end = Math.min(bytes.length, SHEBANG_MAX);
  let line = bytes.subarray(2, end);
  if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
  const blank = (b: number) => b === 0x20 || b === 0x09;
  let i = 0;
  while (i < line.length && blank(line[i])) i++;
  let j = i;
  while (j < line.length && !blank(line[j])) j++;
  if (j === i) return null;
  const interpreter = line.slice(i, j);
  while (j < line.length && blank(line[j])) j++;
  let k = line.length;
  while (k > j && blank(line[k - 1])) k--;
  return { interpreter, arg: k > j ? line.slice(j, k) : null };
}
