/**
 * imfs-grate [options] <cage.wasm> [args...]: runs a cage on a fresh IMFS, staging host
 * files in before (PRELOADS, --preload) and out after (DUMPS, --dump).
 * Exit status: the cage's; 2 for the grate's own errors (reported before the cage runs).
 */
import * as nodefs from 'node:fs';
import { preloads, dumps, StagingError } from '../core/index.js';
import { Grate, GrateError } from './grate.js';
import type { Preopen } from '../abi/wasi.js';
import { VERSION } from './version.js';

const USAGE = `usage: imfs-grate [options] <cage.wasm> [args...]

Runs a WebAssembly cage (Lind make-syscall ABI, WASI preview1, or both) with every
filesystem call served by an in-memory POSIX filesystem.

options:
  --log[=FILE]          log every syscall, strace-like, to stderr or FILE
  --preload SPEC        stage host files in before the run (PRELOADS syntax; repeatable)
  --dump SPEC           write IMFS files to the host after the run (DUMPS syntax; repeatable)
  --env K=V             set an environment variable for the cage (repeatable)
  --dir GUEST=IMFSDIR   a WASI preopen (repeatable; default: /=/)
  --cwd DIR             the cage's working directory in the IMFS
  --uid N, --gid N      the cage's user and group ids (default 0)
  --umask OCTAL         the cage's file-creation mask (default 022)
  --bare                start from an empty root (no /tmp, no /dev)
  --version             print the version and exit
  --help                print this help and exit

environment:
  PRELOADS  ':'-separated host files to stage in: 'path' or 'imfs_path=host_path'
            (host paths relative to the current directory, IMFS paths to '/')
  DUMPS     ';'-separated IMFS files to write out: 'imfs_path=host_path' or 'path'

exit status: the cage's; 134 if it trapped; 2 for the grate's own errors.`;

class UsageError extends Error {}

interface CliOptions {
  log?: string | true;
  preloads: string[];
  dumps: string[];
  env: string[];
  dirs: Preopen[];
  cwd?: string;
  uid?: number;
  gid?: number;
  umask?: number;
  bare: boolean;
  cage?: string;
  args: string[];
}

function number(flag: string, value: string, radix = 10): number {
  const n = radix === 8 ? parseInt(value, 8) : Number(value);
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(n) || n < 0 || n > 0xffffffff) throw new UsageError(`${flag} needs a non-negative integer, got '${value}'`);
  return n;
}

function parse(argv: string[]): CliOptions | 'help' | 'version' {
  const o: CliOptions = { preloads: [], dumps: [], env: [], dirs: [], bare: false, args: [] };
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
      case '--cwd': o.cwd = value(flag, inline); break;
      case '--uid': o.uid = number(flag, value(flag, inline)); break;
      case '--gid': o.gid = number(flag, value(flag, inline)); break;
      case '--umask': o.umask = number(flag, value(flag, inline), 8); break;
      case '--bare': o.bare = true; break;
      default: throw new UsageError(`unknown option '${arg}'`);
    }
  }
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

export function main(argv: string[], env: NodeJS.ProcessEnv = process.env): number {
  const say = (m: string) => process.stderr.write(`imfs-grate: ${m}\n`);
  let o: CliOptions;
  try {
    const parsed = parse(argv);
    if (parsed === 'help') { process.stdout.write(USAGE + '\n'); return 0; }
    if (parsed === 'version') { process.stdout.write(`imfs-grate ${VERSION}\n`); return 0; }
    o = parsed;
  } catch (e) {
    if (e instanceof UsageError) { say(e.message); process.stderr.write(USAGE + '\n'); return 2; }
    throw e;
  }
  let status: number;
  const grate = new Grate({ bare: o.bare });
  const warn = (m: string) => say(`warning: ${m}`);
  try {
    for (const spec of [env.PRELOADS ?? '', ...o.preloads]) if (spec !== '') preloads(grate.fs, spec, { warn });
    status = grate.runSync(o.cage!, {
      args: o.args, env: o.env, cwd: o.cwd, uid: o.uid, gid: o.gid, umask: o.umask,
      preopens: o.dirs.length > 0 ? o.dirs : undefined, trace: logSink(o.log), warn,
    });
  } catch (e) {
    if (e instanceof GrateError || e instanceof StagingError) { say(e.message); return 2; }
    throw e;
  }
  let dumpFailed = false;
  for (const spec of [env.DUMPS ?? '', ...o.dumps]) {
    if (spec === '') continue;
    for (const f of dumps(grate.fs, spec, { warn })) { say(f.message); dumpFailed = true; }
  }
  return dumpFailed && status === 0 ? 2 : status;
}
