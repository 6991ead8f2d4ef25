/**
 * imfs-grate [options] <cage.wasm> [args...]: runs a cage on a fresh IMFS, staging host
 * files in before (PRELOADS, --preload) and out after (DUMPS, --dump).
 * Exit status: the cage's; 134 for a trap; 2 for the grate's own errors (reported before
 * the cage runs) and for a failed dump after a cage that succeeded; 70 for a grate bug.
 */
import { preloads, dumps, StagingError } from '../core/index.js';
import { DEFAULT_MAX_CAGES, DEFAULT_MAX_THREADS, Grate, GrateError, defaultMaxBytes } from './grate.js';
import { DEFAULT_LIMITS, type Limits } from '../core/index.js';
import type { Preopen } from '../abi/wasi.js';
import { VERSION } from './version.js';
import { JCO_PACKAGE, JCO_VERSION } from './component-loader.js';
import { JCO_P3_PACKAGE, JCO_P3_VERSION, JSPI_NODE } from './component-p3-loader.js';
import { defaultCacheDir } from './cache-dir.js';
// Built-ins by getBuiltinModule, not `import * as`: the command's CommonJS bundle would copy every export (launcher.ts).
const nodefs = process.getBuiltinModule('node:fs');

const usage = () => `usage: imfs-grate [options] <cage.wasm> [args...]

Runs a WebAssembly cage (Lind make-syscall ABI, WASI preview1, or both) with every
filesystem call served by an in-memory POSIX filesystem. A WASI 0.2 command component
runs too: transpiled with jco (${JCO_PACKAGE}@${JCO_VERSION}), cached by content hash in
$XDG_CACHE_HOME/imfs-grate (default ~/.cache/imfs-grate), its wasi:* served by the IMFS.
A WASI 0.3 one needs a Node with JSPI (Node ${JSPI_NODE} or later) and ${JCO_P3_PACKAGE}@${JCO_P3_VERSION}.

options:
  --log[=FILE]          log every syscall, strace-like, to stderr or FILE
  --preload SPEC        stage host files in before the run (PRELOADS syntax; repeatable)
  --dump SPEC           write IMFS files to the host after the run (DUMPS syntax; repeatable)
  --env K=V             set an environment variable for the cage (repeatable)
  --dir GUEST=IMFSDIR   a WASI preopen (repeatable; default: /=/)
  --no-preopens         no WASI preopen at all (instead of the default /=/)
  --cwd DIR             the cage's working directory in the IMFS
  --uid N, --gid N      the cage's user and group ids (default 0)
  --umask OCTAL         the cage's file-creation mask (default 022)
  --bare                start from an empty root (no /tmp, no /dev)
  --max-bytes N[K|M|G]  total bytes of file data in the IMFS (ENOSPC past it; default
                        ${formatBytes(defaultMaxBytes())}: 4 GiB or half the host's memory, the smaller)
  --max-inodes N        number of files, directories… in the IMFS (ENOSPC past it; default ${DEFAULT_LIMITS.maxInodes})
  --max-fds N           open descriptors per cage (EMFILE past it; default ${DEFAULT_LIMITS.maxFds})
  --timeout SECONDS     end the whole tree of lind cages after SECONDS (status 124, as
                        timeout(1); DUMPS still written); the first cage then runs in a worker
  --max-cages N         lind cages alive at once (fork answers EAGAIN past it; default ${DEFAULT_MAX_CAGES})
  --max-threads N       threads alive at once in all lind cages, main threads included
                        (clone and fork answer EAGAIN past it; default ${DEFAULT_MAX_THREADS})
  --no-cache            use no cache: compile the command afresh, and transpile a component again
  --dump-on-failure     write DUMPS even when the cage fails (non-zero status or trap; the default)
  --no-dump-on-failure  write DUMPS only when the cage exits with status 0
  --version             print the version and exit
  --help                print this help and exit

environment:
  PRELOADS  ':'-separated host files to stage in: 'path' or 'imfs_path=host_path'
            (host paths relative to the current directory, IMFS paths to '/')
  DUMPS     ';'-separated IMFS files to write out: 'imfs_path=host_path' or 'path'
            (a symlink leading out of the dumped tree is written as what it resolves
            to in the IMFS; one that resolves to nothing is refused)

exit status: the cage's (the first cage's, for a lind cage that forks; a component's from
wasi:cli/exit: 0, or 1 for an error); 128 + N if a signal killed it; a trap: 134 (128 + SIGABRT)
for a WASI cage or component, for a lind cage 139 (SIGSEGV) for an out-of-bounds access and 132
(SIGILL) otherwise; 124 past --timeout; 2 for the grate's own errors
(and for a DUMPS entry that failed after a cage that succeeded); 70 for a bug in the grate.`;

/** Status for an exception the grate did not expect (EX_SOFTWARE): a bug, reported with its stack. */
const INTERNAL_STATUS = 70;

class UsageError extends Error {}

interface CliOptions {
  log?: string | true;
  timeout?: number;
  maxCages?: number;
  maxThreads?: number;
  preloads: string[];
  dumps: string[];
  env: string[];
  dirs: Preopen[];
  noPreopens: boolean;
  cwd?: string;
  uid?: number;
  gid?: number;
  umask?: number;
  bare: boolean;
  limits: Partial<Limits>;
  dumpOnFailure: boolean;
  noCache: boolean;
  cage?: string;
  args: string[];
}

function number(flag: string, value: string, radix = 10): number {
  const n = radix === 8 ? parseInt(value, 8) : Number(value);
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(n) || n < 0 || n > 0xffffffff) throw new UsageError(`${flag} needs a non-negative integer, got '${value}'`);
  return n;
}

const UNITS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };

/** A size: digits and an optional binary suffix K, M or G (KiB, MiB, GiB). */
function size(flag: string, value: string): number {
  const m = /^([0-9]+)([KMG]?)$/i.exec(value);
  const n = m === null ? NaN : Number(m[1]) * UNITS[m[2].toUpperCase()];
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`${flag} needs a positive size (digits, optionally followed by K, M or G), got '${value}'`);
  return n;
}

function count(flag: string, value: string): number {
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`${flag} needs a positive integer, got '${value}'`);
  return n;
}

function formatBytes(n: number): string {
  for (const u of ['G', 'M', 'K']) if (n % UNITS[u] === 0) return `${n / UNITS[u]}${u}`;
  return String(n);
}

function parse(argv: string[]): CliOptions | 'help' | 'version' {
  const o: CliOptions = { preloads: [], dumps: [], env: [], dirs: [], noPreopens: false, bare: false, limits: {}, dumpOnFailure: true, noCache: false, args: [] };
  let i = 0;
  const value = (flag: string, inline: string | undefined): string => {
    if (inline !== undefined) return inline;
    if (i + 1 >= argv.length) throw new UsageError(`${flag} needs a value`);
    return argv[++i];
  };
  for (; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') { i++; break; }
    if (!arg.startsWith('--')) break;
    const eq = arg.indexOf('=');
    const flag = eq < 0 ? arg : arg.slice(0, eq);
    const inline = eq < 0 ? undefined : arg.slice(eq + 1);
    switch (flag) {
      case '--help': return 'help';
      case '--version': return 'version';
      case '--log': o.log = inline ?? true; break;
      case '--preload': o.preloads.push(value(flag, inline)); break;
      case '--dump': o.dumps.push(value(flag, inline)); break;
      case '--env': {
        const kv = value(flag, inline);
        if (!kv.includes('=')) throw new UsageError(`--env needs K=V, got '${kv}'`);
        o.env.push(kv);
        break;
      }
      case '--dir': {
        const spec = value(flag, inline);
        const at = spec.indexOf('=');
        if (at <= 0 || at === spec.length - 1) throw new UsageError(`--dir needs GUEST=IMFSDIR, got '${spec}'`);
        o.dirs.push({ guest: spec.slice(0, at), dir: spec.slice(at + 1) });
        break;
      }
      case '--no-preopens': o.noPreopens = true; break;
      case '--cwd': o.cwd = value(flag, inline); break;
      case '--uid': o.uid = number(flag, value(flag, inline)); break;
      case '--gid': o.gid = number(flag, value(flag, inline)); break;
      case '--umask': o.umask = number(flag, value(flag, inline), 8); break;
      case '--bare': o.bare = true; break;
      case '--max-bytes': o.limits.maxBytes = size(flag, value(flag, inline)); break;
      case '--max-inodes': o.limits.maxInodes = count(flag, value(flag, inline)); break;
      case '--max-fds': o.limits.maxFds = count(flag, value(flag, inline)); break;
      case '--timeout': {
        const t = Number(value(flag, inline));
        if (!(t > 0) || !Number.isFinite(t)) throw new UsageError(`--timeout needs a positive number of seconds`);
        o.timeout = t;
        break;
      }
      case '--max-cages': o.maxCages = count(flag, value(flag, inline)); break;
      case '--max-threads': o.maxThreads = count(flag, value(flag, inline)); break;
      case '--dump-on-failure': o.dumpOnFailure = true; break;
      case '--no-dump-on-failure': o.dumpOnFailure = false; break;
      case '--no-cache': o.noCache = true; break;
      default: throw new UsageError(`unknown option '${arg}'`);
    }
  }
  if (o.noPreopens && o.dirs.length > 0) throw new UsageError('--no-preopens and --dir contradict each other');
  if (i >= argv.length) throw new UsageError('no cage given');
  o.cage = argv[i];
  o.args = argv.slice(i + 1);
  return o;
}

function logSink(log: string | true | undefined): ((line: string) => void) | undefined {
  if (log === undefined) return undefined;
  const fd = log === true ? 2 : nodefs.openSync(log, 'w');
  return (line) => { nodefs.writeSync(fd, line + '\n'); };
}

/** The command; a promise because a component may need transpiling first (a core module runs as before). */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const say = (m: string) => process.stderr.write(`imfs-grate: ${m}\n`);
  let o: CliOptions;
  try {
    const parsed = parse(argv);
    if (parsed === 'help') { process.stdout.write(usage() + '\n'); return 0; }
    if (parsed === 'version') { process.stdout.write(`imfs-grate ${VERSION}\n`); return 0; }
    o = parsed;
  } catch (e) {
    if (e instanceof UsageError) { say(e.message); process.stderr.write(usage() + '\n'); return 2; }
    throw e;
  }
  let status: number;
  let grate: Grate;
  const warn = (m: string) => say(`warning: ${m}`);
  try {
    grate = new Grate({ bare: o.bare, limits: o.limits });
    for (const spec of [env.PRELOADS ?? '', ...o.preloads]) if (spec !== '') preloads(grate.fs, spec, { warn });
  } catch (e) {
    if (e instanceof GrateError || e instanceof StagingError) { say(e.message); return 2; }
    throw e;
  }
  try {
    status = await grate.run(o.cage!, {
      args: o.args, env: o.env, cwd: o.cwd, uid: o.uid, gid: o.gid, umask: o.umask,
      preopens: o.noPreopens ? [] : o.dirs.length > 0 ? o.dirs : undefined, trace: logSink(o.log), warn,
      timeoutSeconds: o.timeout, maxCages: o.maxCages, maxThreads: o.maxThreads,
      cache: !o.noCache, cacheDir: defaultCacheDir(env),
    });
  } catch (e) {
    if (e instanceof GrateError) { say(e.message); return 2; }
    // A bug in the grate, reported as one with its stack; what the cage wrote is still dumped if failures are.
    say(`internal error running '${o.cage}': ${(e as Error)?.stack ?? String(e)}`);
    status = INTERNAL_STATUS;
  }
  if (status !== 0 && !o.dumpOnFailure) return status;
  let dumpFailed = false;
  for (const spec of [env.DUMPS ?? '', ...o.dumps]) {
    if (spec === '') continue;
    for (const f of dumps(grate.fs, spec, { warn })) { say(f.message); dumpFailed = true; }
  }
  return dumpFailed && status === 0 ? 2 : status;
}
