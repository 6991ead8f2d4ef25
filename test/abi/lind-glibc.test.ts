/**
 * A cage built against Lind's real glibc for wasm32 (wasm-fixtures/lind-glibc/, built by
 * build.sh from ../shared/lind-sysroot with lind_compile's flags) under the grate: what
 * lind-glibc's own wrappers send must come out right. ppoll's timeout arrives as int
 * milliseconds, struct rlimit is two u32s, fstatat hands newfstatat glibc's 112-byte
 * struct __stat64_t64, select's timeval is {i64, i64}; the cage checks every answer itself.
 */
import { describe, expect, test } from 'vitest';
import * as nodefs from 'node:fs';
import { Grate } from '../../src/grate/index.js';
import { LindAbi } from '../../src/abi/lind.js';
import { CageHeap } from '../../src/abi/cage-heap.js';
import { CageMemory } from '../../src/abi/cage-memory.js';
import { expectClean, fixture, runFixture } from '../helpers/fixture-cages.js';

const NAME = 'lind-glibc/lind-glibc';
const run = (options: Parameters<typeof runFixture>[1] = {}, grate = new Grate()) => runFixture(NAME, options, grate);

describe('a cage built against the real lind-glibc', () => {
  test('every check passes; ppoll with a zero timespec returns 0 at once; RLIMIT_NOFILE is --max-fds', () => {
    const r = run({ args: ['/lind-glibc'] }, new Grate({ limits: { maxFds: 200 } }));
    expectClean(r);
    expect(r.stdout).toContain('info: ppoll zero timeout on an empty pipe: 0\n');
    expect(r.stdout).toContain('info: RLIMIT_NOFILE cur=200 max=200\n');
    expect(r.stderr).not.toContain('would block');
  });

  test('the other limits: an 8 MiB stack, no core files, RLIM_INFINITY as a 32-bit all-ones', () => {
    const r = run();
    expectClean(r);
    expect(r.stdout).toContain('info: RLIMIT_NOFILE cur=1024 max=1024\n');
    expect(r.stdout).toContain('info: RLIMIT_STACK cur=8388608 max=4294967295\n');
    expect(r.stdout).toContain('info: RLIMIT_CORE cur=0 max=4294967295\n');
    expect(r.stdout).toContain('info: RLIMIT_AS cur=4294967295 max=4294967295\n');
    expect(r.stdout).toContain('info: statfs f_type=0x1021994\n'); // TMPFS_MAGIC
  });

  test('as an unprivileged user, in a cage that created its own directory under /tmp', () => {
    expectClean(run({ args: ['/tmp/lind-glibc-user'], uid: 1000, gid: 1000 }));
  });

  test('what the wrappers send, as --log shows it: ppoll with an int timeout, prlimit64 with pid 0 and no new limit', () => {
    const lines: string[] = [];
    expectClean(run({ trace: (line) => lines.push(line) }));
    expect(lines.some((l) => /\] ppoll\(0x[0-9a-f]+, 1, 0, NULL\) = 0$/.test(l))).toBe(true);
    expect(lines.some((l) => /\] ppoll\(0x[0-9a-f]+, 1, 60, NULL\) = 0$/.test(l))).toBe(true);
    expect(lines.some((l) => /\] ppoll\(0x[0-9a-f]+, 1, -1, NULL\) = 1$/.test(l))).toBe(true);
    expect(lines.some((l) => /\] prlimit64\(0, 7, NULL, 0x[0-9a-f]+\) = 0$/.test(l))).toBe(true);
    expect(lines.some((l) => /\] select\(\d+, 0x[0-9a-f]+, NULL, NULL, 0x[0-9a-f]+\) = 0$/.test(l))).toBe(true);
    expect(lines.some((l) => /\] newfstatat\(AT_FDCWD, "\/lind-glibc\/f", 0x[0-9a-f]+, 0\) = 0$/.test(l))).toBe(true);
  });

  test('the grate provides every import such a cage has', () => {
    const module = new WebAssembly.Module(nodefs.readFileSync(fixture(NAME)));
    const imports = WebAssembly.Module.imports(module);
    const names = imports.map((i) => `${i.module}.${i.name}`);
    expect(names).toEqual(expect.arrayContaining([
      'env.memory', 'lind.make-syscall', 'lind.lind-get-memory-base', 'lind.lind-get-cage-id',
      'lind.args_sizes_get', 'lind.args_get', 'lind.environ_sizes_get', 'lind.environ_get',
      'lind.debug-panic', 'lind.dlopen', 'lind.dlsym', 'lind.dlclose',
    ]));
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1024, shared: true });
    const lind = new LindAbi({
      fs: new Grate().fs, cageId: 1, parentId: 0, memory, heap: new CageHeap(new CageMemory(memory)), args: [], env: [],
    });
    const provided = lind.imports();
    const missing = imports.filter((i) => provided[i.module]?.[i.name] === undefined).map((i) => `${i.module}.${i.name}`);
    expect(missing).toEqual([]);
  });
});
