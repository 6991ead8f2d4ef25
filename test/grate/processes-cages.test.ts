/**
 * Process fixtures (wasm-fixtures/processes/: proctest, echo-args, upcase), built against Lind's
 * real glibc and asyncified, run under the grate and compared with their native twins run on
 * Linux (test/helpers/native-twin.ts): fork/wait, files across fork and exec, execve (argv bytes,
 * #! scripts, errors), a three-cage pipeline, a small shell, zombies and orphans, signals, a fork
 * bomb under --max-cages and --timeout on a spinning cage (issue 13).
 *
 * The three programs are staged executable in /procs of the IMFS, the working directory of the
 * first cage, as the native twins run in a directory holding all three. The fixtures print only
 * deterministic lines, so the cage's stdout must equal the native run's.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as nodefs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildCommand } from '../helpers/command-bundle.js';
import { Grate, type RunOptions } from '../../src/grate/index.js';
import { fixture } from '../helpers/fixture-cages.js';
import { PROCS_DIR as DIR, runProcsCommand, stagedGrate } from '../helpers/process-cages.js';
import { PROCESS_PROGRAMS, missingCompilerFails, nativeTwins, runNative } from '../helpers/native-twin.js';

const twins = nativeTwins();
if (!twins.found) console.warn(twins.message);

/** Runs `proctest ARGS...` as the first cage, in /procs, and collects its output. */
async function runCage(args: string[], grate = stagedGrate(), options: RunOptions = {}) {
  const out: Buffer[] = [], err: Buffer[] = [];
  const status = await grate.run(fixture('processes/proctest'), {
    ...options, args, argv0: 'proctest', cwd: DIR,
    stdout: (b) => out.push(Buffer.from(b)), stderr: (b) => err.push(Buffer.from(b)),
  });
  return { status, stdout: Buffer.concat(out).toString('latin1'), stderr: Buffer.concat(err).toString() };
}

/** The summary line: "N passed, 0 failed" with more than `min` checks. */
function expectAllPassed(stdout: string, min = 5, stderr = '') {
  const failures = stdout.split('\n').filter((l) => l.startsWith('FAIL'));
  expect(failures, stdout + stderr).toEqual([]);
  const m = /(\d+) passed, (\d+) failed\n$/.exec(stdout);
  expect(m, `stdout:\n${stdout}\nstderr:\n${stderr}`).not.toBeNull();
  expect(Number(m![2])).toBe(0);
  expect(Number(m![1])).toBeGreaterThan(min);
}

/** Runs the cage and its native twin with the same arguments; both must pass and print the same. */
async function compareWithLinux(args: string[], options: RunOptions = {}) {
  const cage = await runCage(args, stagedGrate(), options);
  if (!twins.found) {
    if (missingCompilerFails()) throw new Error(twins.message);
    console.warn(`${args[0]}: the cage ran alone, NOT compared with Linux: ${twins.message}`);
  } else {
    const native = runNative(args);
    expectAllPassed(native.stdout); // the program itself is right on Linux
    expect(native.status).toBe(0);
    expect(cage.stdout).toBe(native.stdout);
  }
  expectAllPassed(cage.stdout, 5, cage.stderr);
  expect(cage.status, cage.stdout + cage.stderr).toBe(0);
  return cage;
}

describe('process fixtures built against lind-glibc, compared with Linux', () => {
  test('the cages have what fork needs: the asyncify exports, the stack and TLS globals, memory', () => {
    for (const name of PROCESS_PROGRAMS) {
      const exports = WebAssembly.Module.exports(new WebAssembly.Module(nodefs.readFileSync(fixture(`processes/${name}`))));
      expect(exports.map((e) => `${e.name}:${e.kind}`), name).toEqual(expect.arrayContaining([
        'asyncify_start_unwind:function', 'asyncify_stop_unwind:function', 'asyncify_start_rewind:function',
        'asyncify_stop_rewind:function', 'asyncify_get_state:function', '__stack_pointer:global', '__stack_low:global',
        '__tls_base:global', 'memory:memory', '_start:function',
      ]));
    }
  });

  test('fork-wait: fork returns twice, exit statuses, waitpid/wait/WNOHANG/ECHILD, getppid, a grandchild', async () => {
    await compareWithLinux(['fork-wait']);
  });

  test('fork-files: offsets and O_APPEND shared across fork, a pipe across fork, CLOEXEC closed by exec', async () => {
    await compareWithLinux(['fork-files']);
  });

  test('exec: argv/envp as bytes (non-UTF-8), #! with one argument, none, nested; ENOENT/EACCES/ENOEXEC/ENOTDIR; pid kept', async () => {
    const r = await compareWithLinux(['exec']);
    expect(r.stdout).toContain('argv[1]=caf\\xc3\\xa9\n');
    expect(r.stdout).toContain('echo-args: argc=4\nargv[0]=./echo-args\nargv[1]=-x  y\nargv[2]=./script1\nargv[3]=a\n');
  });

  // Today the grate answers clone with ENOSYS, and lind-glibc's posix_spawn then calls
  // __clone_internal_fallback, which panics ("__clone_internal_fallback called unexpectedly").
  test('spawn: posix_spawn with file actions (open, dup2, close); a missing program reported', async () => {
    const r = await compareWithLinux(['spawn']);
    expect(r.stdout).toContain('spawn: --- spawn-out.txt ---\necho-args: argc=2\nargv[0]=echo-args\nargv[1]=to a file\n');
  });

  test('pipeline: A | upcase | C across three cages, 110000 bytes, EOF when the writers close', async () => {
    const r = await compareWithLinux(['pipeline']);
    expect(r.stdout).toContain('pipeline: C read 10000 lines, 110000 bytes, all upper case and in order, then EOF\n');
  });

  test('shell: redirections and pipes run with fork/pipe/dup2/execve/waitpid; a missing command exits 127', async () => {
    const r = await compareWithLinux(['shell',
      'echo-args hello  world > in.txt',
      'upcase < in.txt > out.txt',
      'echo-args a b | upcase | upcase > out2.txt',
      'no-such-command x | upcase',
    ]);
    expect(r.stdout).toContain('shell: --- out2.txt ---\nECHO-ARGS: ARGC=3\nARGV[0]=ECHO-ARGS\nARGV[1]=A\nARGV[2]=B\n');
    expect(r.stdout).toContain('shell: [0] no-such-command: exited 127\n');
  });

  test('zombies: a child that ended first is a zombie until reaped; an orphaned grandchild runs to its end', async () => {
    await compareWithLinux(['zombies']);
  });

  test('signals: SIGPIPE, SIGCHLD, alarm+pause, kill SIGTERM and 0, SA_RESETHAND, dispositions across fork and exec', async () => {
    const r = await compareWithLinux(['signals']);
    expect(r.stdout).toContain('signals: a writer without readers was killed by SIGPIPE\n');
  });

  test('faults: a child that traps dies by SIGSEGV (never "exited 0"), a computing child is killed by SIGTERM and SIGKILL', async () => {
    const reports: string[] = [];
    await compareWithLinux(['faults'], { onTrap: (m) => reports.push(m) });
    expect(reports).toEqual(['cage 2 trapped: memory access out of bounds']);
  });

  test('waits: poll and select on a pipe, flock and F_SETLKW, FIFO opens meeting, each waiting for another cage; a signal ends a sleep', async () => {
    const r = await compareWithLinux(['waits']);
    expect(r.stdout).toContain("waits: a FIFO's opens met, the data came through, then EOF\n");
  });
});

describe('what Linux cannot show: limits and deadlocks', () => {
  test('two cages each waiting for the other: reported, and both calls answered EDEADLK', async () => {
    const warnings: string[] = [];
    const r = await runCage(['deadlock'], stagedGrate(), { warn: (m) => warnings.push(m) });
    expect(r.stdout).toBe('deadlock: parent\'s read: EDEADLK\ndeadlock: child exited 35\n3 passed, 0 failed\n');
    expect(warnings).toEqual(['deadlock: every cage is waiting (cage 1 in read(), cage 2 in read()); answering EDEADLK']);
  });

  test('the memory budget: a fork whose copy would pass it answers ENOMEM', async () => {
    // Cage memories of a few MiB each: 16 MiB holds fewer of them than the cage limit allows.
    const probe = await runCage(['fork-bomb', '1000'], stagedGrate(), { memoryBudget: 16 * 1024 * 1024, maxCages: 1000 });
    expectAllPassed(probe.stdout, 3, probe.stderr);
    expect(probe.stdout).toContain('fork-bomb: fork failed with ENOMEM; every child was reaped\n');
  });

  test('a cage built without asyncify cannot fork: ENOSYS, and one warning naming what it lacks', async () => {
    const warnings: string[] = [];
    const status = await new Grate().run(fixture('lind-proc'), { warn: (m) => warnings.push(m), stdout: () => {} });
    expect(status).toBe(0);
    expect(warnings.filter((w) => w.includes('cannot fork'))).toEqual([
      'cage 1 (lind-proc.wasm) cannot fork: its program was not built with asyncify (missing exports: asyncify_start_unwind, asyncify_stop_unwind, asyncify_start_rewind, asyncify_stop_rewind, __stack_pointer, __stack_low); fork answers ENOSYS',
    ]);
  });
});

describe('the command on process trees (--max-cages, --timeout)', () => {
  const repo = path.resolve(__dirname, '../..');
  let program: string;
  let scratch: string;

  beforeAll(async () => {
    scratch = nodefs.mkdtempSync(path.join(os.tmpdir(), 'imfs-procs-cli-'));
    program = await buildCommand(scratch);
  });
  afterAll(() => nodefs.rmSync(scratch, { recursive: true, force: true }));

  const cli = (options: string[], args: string[], timeoutMs = 60_000) => runProcsCommand(program, 'proctest', options, args, timeoutMs);

  test('fork-bomb: under --max-cages 16 fork fails with EAGAIN, every child is reaped, status 0', () => {
    const r = cli(['--max-cages', '16'], ['fork-bomb', '1000']);
    expectAllPassed(r.stdout, 3, r.stderr);
    expect(r.stdout).toContain('fork-bomb: fork failed with EAGAIN; every child was reaped\n');
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  test('spin: --timeout 1 ends a cage that computes without syscalls, status 124', () => {
    const started = Date.now();
    // A file staged in and dumped out: DUMPS are still written after the time limit.
    const out = path.join(scratch, 'after-timeout.bin');
    const r = cli(['--timeout', '1', '--dump', `${DIR}/upcase=${out}`], ['spin'], 30_000);
    expect(r.signal, 'the grate had to be killed from outside').toBeNull();
    expect(r.stdout, r.stderr).toBe('spin: spinning\n');
    expect(r.status, r.stderr).toBe(124);
    expect(nodefs.readFileSync(out).equals(nodefs.readFileSync(fixture('processes/upcase')))).toBe(true);
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});
