/**
 * The grate with hand-assembled cages: exit statuses (proc_exit, _start returning,
 * exit_group, traps), the import check naming what is missing, bad cage files, the
 * lind make-syscall path (argument slots, NOTUSED, EFAULT, ENOSYS), stdio and the trace.
 */
import { describe, expect, test } from 'vitest';
import * as nodefs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Grate, GrateError, TRAP_STATUS } from '../../src/grate/index.js';
import { O_CREAT, O_WRONLY } from '../../src/core/index.js';
import { buildModule, op, uleb, type FuncImport } from '../helpers/wasm-builder.js';

const NOTUSED = -2401053088876216593n; // 0xdeadbeefdeadbeef as a signed i64
const I64x15 = Array(15).fill('i64') as 'i64'[];
const MAKE_SYSCALL: FuncImport = { module: 'lind', name: 'make-syscall', params: ['i32', ...I64x15], results: ['i32'] };
const PROC_EXIT: FuncImport = { module: 'wasi_snapshot_preview1', name: 'proc_exit', params: ['i32'], results: [] };

/** Opcodes that call make-syscall (import 0) with call number nr and six arguments (NOTUSED where absent). */
function syscall(nr: number, args: (number | bigint | number[])[] = [], cage = 1n): number[] {
  const slots: number[][] = [op.i64(0), op.i64(cage), op.i64(cage)];
  for (let k = 0; k < 6; k++) {
    const a = args[k];
    slots.push(a === undefined ? op.i64(NOTUSED) : Array.isArray(a) ? a : op.i64(a));
    slots.push(op.i64(cage));
  }
  return [...op.i32(nr), ...slots.flat(), ...op.call(0)];
}

/** A lind cage whose _start runs `body` (the last value on the stack is passed to exit_group). */
function lindCage(body: number[], data: { offset: number; bytes: number[] }[] = []): Uint8Array {
  return buildModule({
    imports: [MAKE_SYSCALL],
    memoryImport: { module: 'env', name: 'memory', initial: 2, maximum: 16, shared: true },
    data,
    funcs: [{
      params: [], results: [], locals: ['i32'], export: '_start',
      // local0 = body result; exit_group(local0)
      body: [...body, 0x21, 0, ...syscall(231, [[...op.localGet(0), 0xac]]), ...op.drop],
    }],
  });
}

function capture() {
  const chunks: Buffer[] = [];
  return { sink: (b: Uint8Array) => { chunks.push(Buffer.from(b)); }, text: () => Buffer.concat(chunks).toString() };
}

describe('exit statuses', () => {
  test('proc_exit(n) ends a WASI cage with status n', async () => {
    const cage = buildModule({ imports: [PROC_EXIT], memory: 1, funcs: [{ params: [], results: [], export: '_start', body: [...op.i32(7), ...op.call(0)] }] });
    expect(await new Grate().run(cage)).toBe(7);
  });

  test('a WASI _start that returns means status 0', async () => {
    const cage = buildModule({ memory: 1, funcs: [{ params: [], results: [], export: '_start', body: [] }] });
    expect(await new Grate().run(cage)).toBe(0);
  });

  test('exit_group through make-syscall ends a lind cage with its status', async () => {
    expect(await new Grate().run(lindCage(op.i32(42)))).toBe(42);
  });

  test('a trap ends the cage with 134 and is reported with the cage name', async () => {
    const cage = buildModule({ memory: 1, funcs: [{ params: [], results: [], export: '_start', body: op.unreachable }] });
    const messages: string[] = [];
    const f = path.join(os.tmpdir(), `imfs-trap-${process.pid}.wasm`);
    nodefs.writeFileSync(f, cage);
    try {
      expect(await new Grate().run(f, { onTrap: (m) => messages.push(m) })).toBe(TRAP_STATUS);
    } finally {
      nodefs.rmSync(f);
    }
    expect(messages.join()).toMatch(new RegExp(`cage '${path.basename(f)}' trapped: unreachable`));
  });

  test('the IMFS survives a trapping cage and the next cage runs on it', async () => {
    const grate = new Grate();
    const trap = buildModule({ memory: 1, funcs: [{ params: [], results: [], export: '_start', body: op.unreachable }] });
    expect(await grate.run(trap, { onTrap: () => {} })).toBe(TRAP_STATUS);
    expect(await grate.run(lindCage(op.i32(3)))).toBe(3);
    expect(grate.fs.cages.size).toBe(1); // only the grate's cage 0 is left
  });
});

describe('what the grate refuses before a cage runs', () => {
  test('an import it cannot satisfy is named with its module, name and type', async () => {
    const cage = buildModule({
      imports: [{ module: 'foo', name: 'bar', params: ['i32'], results: [] }, PROC_EXIT],
      memory: 1, funcs: [{ params: [], results: [], export: '_start', body: [] }],
    });
    await expect(new Grate().run(cage)).rejects.toThrow(/needs imports this grate does not provide: foo\.bar \(function \(i32\) -> \(\)\)/);
  });

  test('a missing cage file', async () => {
    await expect(new Grate().run('/nonexistent/cage.wasm')).rejects.toThrow(GrateError);
    await expect(new Grate().run('/nonexistent/cage.wasm')).rejects.toThrow(/cannot read cage '\/nonexistent\/cage.wasm': no such file/);
  });

  test('bytes that are not wasm', async () => {
    await expect(new Grate().run(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]))).rejects.toThrow(/is not a WebAssembly module/);
  });

  test('a module without _start', async () => {
    const cage = buildModule({ memory: 1, funcs: [{ params: [], results: [], export: 'main', body: [] }] });
    await expect(new Grate().run(cage)).rejects.toThrow(/exports no _start/);
  });

  test('a lind cage without a memory import', async () => {
    const cage = buildModule({ imports: [MAKE_SYSCALL], memory: 1, funcs: [{ params: [], results: [], export: '_start', body: [] }] });
    await expect(new Grate().run(cage)).rejects.toThrow(/imports lind but no memory/);
  });
});

describe('the lind make-syscall path', () => {
  test('getpid answers the cage id given to run', async () => {
    expect(await new Grate().run(lindCage(syscall(39)), { cageId: 9 })).toBe(9);
  });

  test('getppid is the grate (0); getuid/getgid are the run credentials', async () => {
    const g = new Grate();
    expect(await g.run(lindCage(syscall(110)))).toBe(0);
    expect(await g.run(lindCage(syscall(102)), { uid: 77 })).toBe(77);
    expect(await g.run(lindCage(syscall(104)), { gid: 55 })).toBe(55);
  });

  test('write(1, buf, n) reaches the run\'s stdout', async () => {
    const out = capture();
    const cage = lindCage([...syscall(1, [1, 1024, 3]), ...op.drop, ...op.i32(0)], [{ offset: 1024, bytes: [...Buffer.from('hi\n')] }]);
    expect(await new Grate().run(cage, { stdout: out.sink })).toBe(0);
    expect(out.text()).toBe('hi\n');
  });

  test('a buffer past the end of memory is EFAULT, not a host exception', async () => {
    // write(1, 0xfffffff0, 64): exit with -result
    const cage = lindCage([...op.i32(0), ...syscall(1, [1, 0xfffffff0, 64]), 0x6b]);
    expect(await new Grate().run(cage, { stdout: () => {} })).toBe(14);
  });

  test('a path pointer past the end of memory is EFAULT', async () => {
    const cage = lindCage([...op.i32(0), ...syscall(2, [0x7ffffff0, 0, 0]), 0x6b]);
    expect(await new Grate().run(cage)).toBe(14);
  });

  test('unknown call numbers and the 3i calls answer ENOSYS', async () => {
    for (const nr of [999, 1001, 1002, 1003, 41]) {
      const cage = lindCage([...op.i32(0), ...syscall(nr), 0x6b]);
      expect(await new Grate().run(cage)).toBe(38);
    }
  });

  test('a result that does not fit the i32 is EOVERFLOW, not a negative number (lseek to 2 GiB)', async () => {
    // open("/tmp/big", O_RDWR|O_CREAT, 0644) → 3; lseek(3, 2^31, SEEK_SET) would be 2^31; exit with -result
    const cage = lindCage([...syscall(2, [1024, 0o102, 0o644]), ...op.drop, ...op.i32(0), ...syscall(8, [3, 2n ** 31n, 0]), 0x6b],
      [{ offset: 1024, bytes: [...Buffer.from('/tmp/big\0')] }]);
    expect(await new Grate().run(cage)).toBe(75);
  });

  test('mmap of a file where the memory had to grow holds the file\'s bytes (it read into a stale view: zeros)', async () => {
    const g = new Grate();
    const fd = g.fs.open(0, '/f', O_CREAT | O_WRONLY, 0o644);
    expect(g.fs.write(0, fd, Buffer.alloc(8192, 0x41))).toBe(8192);
    g.fs.close(0, fd);
    // open("/f") → 3; p = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, 3, 0) past the initial 2 pages; exit(p[8191])
    const cage = lindCage([...syscall(2, [1024, 0, 0]), ...op.drop, ...syscall(9, [0, 8192, 1, 2, 3, 0]), 0x2d, 0, ...uleb(8191)],
      [{ offset: 1024, bytes: [...Buffer.from('/f\0')] }]);
    expect(await g.run(cage)).toBe(0x41);
  });

  test('an int argument is sign-extended: AT_FDCWD arrives as -100', async () => {
    // openat(AT_FDCWD, "/tmp", O_RDONLY|O_DIRECTORY) succeeds → fd 3
    const cage = lindCage(syscall(257, [-100, 1024, 0o200000, 0]), [{ offset: 1024, bytes: [...Buffer.from('/tmp\0')] }]);
    expect(await new Grate().run(cage)).toBe(3);
  });

  test('the trace shows one line per syscall with decoded arguments and errno names', async () => {
    const lines: string[] = [];
    const cage = lindCage([...syscall(2, [1024, 0, 0]), ...op.drop, ...op.i32(0)], [{ offset: 1024, bytes: [...Buffer.from('/nope\0')] }]);
    await new Grate().run(cage, { trace: (l) => lines.push(l) });
    expect(lines[0]).toBe('[cage 1] open("/nope", O_RDONLY, 00) = -1 ENOENT (2)');
    expect(lines[1]).toBe('[cage 1] exit_group(0) = ? (exit 0)');
  });

  test('the WASI trace shows each (ptr, len) path argument as the quoted path', async () => {
    const I32 = (n: number) => Array(n).fill('i32') as 'i32'[];
    const cage = buildModule({
      imports: [
        { module: 'wasi_snapshot_preview1', name: 'path_filestat_get', params: I32(5), results: ['i32'] },
        { module: 'wasi_snapshot_preview1', name: 'path_rename', params: I32(6), results: ['i32'] },
      ],
      memory: 1,
      data: [{ offset: 1024, bytes: [...Buffer.from('nope')] }, { offset: 1032, bytes: [...Buffer.from('new')] }],
      funcs: [{
        params: [], results: [], export: '_start',
        body: [
          ...[3, 1, 1024, 4, 2048].flatMap(op.i32), ...op.call(0), ...op.drop,
          ...[3, 1024, 4, 3, 1032, 3].flatMap(op.i32), ...op.call(1), ...op.drop,
        ],
      }],
    });
    const lines: string[] = [];
    expect(await new Grate().run(cage, { trace: (l) => lines.push(l) })).toBe(0);
    expect(lines).toEqual([
      '[cage 1] path_filestat_get(3, SYMLINK_FOLLOW, "nope", 0x800) = 44 NOENT',
      '[cage 1] path_rename(3, "nope", 3, "new") = 44 NOENT',
    ]);
  });
});

describe('a fresh grate IMFS', () => {
  test('has /tmp 1777 and the /dev character devices; --bare has neither', () => {
    const g = new Grate();
    const st = { mode: 0 } as { mode: number };
    const s = { ...st } as never;
    expect(g.fs.stat(0, '/tmp', s)).toBe(0);
    expect((s as { mode: number }).mode).toBe(0o41777);
    for (const d of ['null', 'zero', 'full', 'random', 'urandom']) {
      expect(g.fs.stat(0, `/dev/${d}`, s)).toBe(0);
      expect((s as { mode: number }).mode).toBe(0o20666);
    }
    const bare = new Grate({ bare: true });
    expect(bare.fs.stat(0, '/tmp', s)).toBe(-2);
    expect(bare.fs.stat(0, '/dev', s)).toBe(-2);
  });
});

describe('a cage importing both lind and WASI', () => {
  test('both views see one descriptor table: open through make-syscall, write through fd_write', async () => {
    // memory: "/tmp/both\0" at 1024; iovec {2048, 3} at 1536; "abc" at 2048; fd_write's result at 1600
    const cage = buildModule({
      imports: [MAKE_SYSCALL, { module: 'wasi_snapshot_preview1', name: 'fd_write', params: ['i32', 'i32', 'i32', 'i32'], results: ['i32'] }],
      memoryImport: { module: 'env', name: 'memory', initial: 2, maximum: 16, shared: true },
      data: [
        { offset: 1024, bytes: [...Buffer.from('/tmp/both\0')] },
        { offset: 1536, bytes: [0, 8, 0, 0, 3, 0, 0, 0] },
        { offset: 2048, bytes: [...Buffer.from('abc')] },
      ],
      funcs: [{
        params: [], results: [], locals: ['i32'], export: '_start',
        body: [
          // fd = open("/tmp/both", O_WRONLY|O_CREAT, 0644)
          ...syscall(2, [1024, 0o101, 0o644]), 0x21, 0,
          // fd_write(fd, 1536, 1, 1600); exit_group(fd_write's errno * 100 + fd)
          ...op.localGet(0), ...op.i32(1536), ...op.i32(1), ...op.i32(1600), ...op.call(1),
          ...op.i32(100), 0x6c, ...op.localGet(0), 0x6a, 0x21, 0,
          ...syscall(231, [[...op.localGet(0), 0xac]]), ...op.drop,
        ],
      }],
    });
    const grate = new Grate();
    expect(await grate.run(cage)).toBe(4); // errno 0, descriptor 4 (3 is the WASI preopen of "/")
    const buf = Buffer.alloc(8);
    const fd = grate.fs.open(0, '/tmp/both', 0);
    expect(grate.fs.read(0, fd, buf)).toBe(3);
    expect(buf.subarray(0, 3).toString()).toBe('abc');
  });
});
