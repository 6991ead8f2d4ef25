/**
 * The wasi:* import object of src/abi/wasip2 called directly, as jco's glue calls it (no
 * component involved): descriptors over IMFS descriptors, streams with positions, error
 * codes from the preview1 mapping, metadata hashes, nanosecond times, odd names, stdio,
 * exit, clocks, random, poll, the interface table and the --log wrappers.
 */
import { describe, expect, test } from 'vitest';
import { Imfs, ENOENT, EXDEV, EEXIST, EMFILE, F_GETFL, WOULD_BLOCK, newStat } from '../../src/core/index.js';
import { CageExit } from '../../src/abi/exit.js';
import { WasiP2Abi, P2_CLASSES, type P2ImportObject } from '../../src/abi/wasip2/abi.js';
import { ERROR_CODES, errorCodeOf } from '../../src/abi/wasip2/error-codes.js';
import { CABI_LOWER } from '../../src/abi/wasip2/lower.js';
import { P2_INTERFACES, camel, pascal } from '../../src/abi/wasip2/table.js';
import { Descriptor } from '../../src/abi/wasip2/descriptor.js';
import { InputStream, OutputStream } from '../../src/abi/wasip2/streams.js';
import { installStdio } from '../../src/grate/stdio.js';
import { imfsWasiImports } from '../../src/grate/wasi-imports.js';

const WIT_ERROR_CODES = new Set(`access would-block already bad-descriptor busy deadlock quota exist file-too-large
  illegal-byte-sequence in-progress interrupted invalid io is-directory loop too-many-links message-size name-too-long
  no-device no-entry no-lock insufficient-memory insufficient-space not-directory not-empty not-recoverable unsupported
  no-tty no-such-device overflow not-permitted pipe read-only invalid-seek text-file-busy cross-device`.split(/\s+/));

type Fn = (...a: unknown[]) => unknown;

interface Setup {
  fs: Imfs;
  imports: P2ImportObject;
  root: Descriptor;
  out: string[];
  err: string[];
  log: string[];
  fn(iface: string, name: string): Fn;
}

function setup(o: { stdin?: string; trace?: boolean; env?: string[]; args?: string[] } = {}): Setup {
  const fs = new Imfs();
  fs.mkdir(0, '/data', 0o777);
  expect(fs.createCage(1)).toBe(0);
  const out: string[] = [], err: string[] = [], log: string[] = [];
  installStdio(fs, 1, {
    stdin: o.stdin ?? '', stdout: (b) => out.push(Buffer.from(b).toString()), stderr: (b) => err.push(Buffer.from(b).toString()),
  });
  const abi = new WasiP2Abi({
    fs, cageId: 1, args: o.args ?? ['prog', 'a b'], env: o.env ?? ['K=V', 'E=x=y'],
    preopens: [{ guest: '/', dir: '/' }, { guest: '/mnt', dir: '/data' }], trace: o.trace ? (l) => log.push(l) : undefined,
  });
  const imports = abi.imports();
  const fn = (iface: string, name: string) => imports[iface][name] as Fn;
  const dirs = fn('wasi:filesystem/preopens', 'getDirectories')() as [Descriptor, string][];
  return { fs, imports, root: dirs[0][0], out, err, log, fn };
}

/** What a call threw (the glue's `err` case), or 'no throw'. */
function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return 'no throw';
}

const RW = { read: true, write: true };
const bytes = (s: string) => new Uint8Array(Buffer.from(s));

describe('error codes', () => {
  test('the preview1 mapping, then the WIT case of the same meaning', () => {
    expect(errorCodeOf(-ENOENT)).toBe('no-entry');
    expect(errorCodeOf(-EEXIST)).toBe('exist');
    // EXDEV is the core's "a lookup left its directory": NOTCAPABLE in preview1, not-permitted here.
    expect(errorCodeOf(-EXDEV)).toBe('not-permitted');
    expect(errorCodeOf(-EMFILE)).toBe('insufficient-memory');
    expect(errorCodeOf(WOULD_BLOCK)).toBe('would-block');
    for (let e = 1; e < 4096; e++) expect(WIT_ERROR_CODES.has(errorCodeOf(-e)), `errno ${e}`).toBe(true);
  });
});

describe('descriptors', () => {
  test('preopens: a new descriptor per preopen, in order, with their guest names', () => {
    const s = setup();
    const dirs = s.fn('wasi:filesystem/preopens', 'getDirectories')() as [Descriptor, string][];
    expect(dirs.map(([, n]) => n)).toEqual(['/', '/mnt']);
    expect(dirs[0][0]).toBeInstanceOf(s.imports['wasi:filesystem/types'].Descriptor as typeof Descriptor);
    expect(dirs[0][0].getType()).toBe('directory');
    expect(dirs[0][0].getFlags()).toMatchObject({ read: true, write: false, mutateDirectory: true });
  });

  test('open-at, write and read with offsets, stat with BigInt sizes', () => {
    const { root, fs } = setup();
    const f = root.openAt({}, 'data/f.txt', { create: true }, RW);
    expect(f.getType()).toBe('regular-file');
    expect(f.write(bytes('hello world'), 0n)).toBe(11n);
    expect(f.write(bytes('W'), 6n)).toBe(1n);
    const [data, eof] = f.read(100n, 0n);
    expect(Buffer.from(data).toString()).toBe('hello World');
    expect(eof).toBe(true);
    expect(f.read(5n, 0n)[1]).toBe(false);
    const st = f.stat();
    expect(st.size).toBe(11n);
    expect(st.linkCount).toBe(1n);
    expect(fs.exists(0, '/data/f.txt')).toBe(true);
    expect(thrown(() => root.openAt({}, 'data/f.txt', { create: true, exclusive: true }, RW))).toBe('exist');
    expect(thrown(() => root.openAt({}, 'nothing', {}, RW))).toBe('no-entry');
    expect(thrown(() => root.openAt({}, 'data', {}, RW))).toBe('is-directory');
    expect(thrown(() => root.openAt({}, 'data/f.txt', { directory: true }, {}))).toBe('not-directory');
    expect(thrown(() => root.openAt({}, 'bad\0name', { create: true }, RW))).toBe('invalid');
  });

  test('streams track their own position; EOF is the closed stream error', () => {
    const { root } = setup();
    const f = root.openAt({}, 'f', { create: true }, RW);
    const w = f.writeViaStream(0n);
    expect(w).toBeInstanceOf(OutputStream);
    expect(w.checkWrite()).toBeGreaterThan(0n);
    w.blockingWriteAndFlush(bytes('abc'));
    w.write(bytes('def'));
    w.writeZeroes(2n);
    expect(f.stat().size).toBe(8n);
    const r = f.readViaStream(1n);
    expect(Buffer.from(r.blockingRead(3n)).toString()).toBe('bcd');
    expect(Buffer.from(r.read(100n)).toString()).toBe('ef\0\0');
    expect(thrown(() => r.read(1n))).toEqual({ tag: 'closed' });
    const a = f.appendViaStream();
    a.write(bytes('+'));
    w.write(bytes('X')); // w is at 8: it writes there, after the appended byte's place
    expect(Buffer.from(f.read(20n, 0n)[0]).toString()).toBe('abcdef\0\0X');
    const r2 = f.readViaStream(0n);
    expect(r2.skip(3n)).toBe(3n);
    const w2 = root.openAt({}, 'g', { create: true }, RW).writeViaStream(0n);
    expect(w2.splice(r2, 2n)).toBe(2n);
  });

  test('a stream on a descriptor of the wrong access mode is bad-descriptor; a stream failure carries its error-code', () => {
    const { root, fn } = setup();
    root.openAt({}, 'ro', { create: true }, RW);
    const ro = root.openAt({}, 'ro', {}, { read: true });
    expect(thrown(() => ro.writeViaStream(0n))).toBe('bad-descriptor');
    expect(thrown(() => ro.write(bytes('x'), 0n))).toBe('bad-descriptor');
    expect(thrown(() => root.readViaStream(0n))).toBe('is-directory');
    const s = new InputStream(ro.host, 99, 'positional', 0, null);
    const e = thrown(() => s.read(1n)) as { tag: string; val: unknown };
    expect(e.tag).toBe('last-operation-failed');
    expect(fn('wasi:filesystem/types', 'filesystemErrorCode')(e.val)).toBe('bad-descriptor');
    expect((e.val as { toDebugString(): string }).toDebugString()).toContain('bad-descriptor');
    expect(fn('wasi:filesystem/types', 'filesystemErrorCode')({})).toBeUndefined();
  });

  test('a descriptor closes its cage descriptor when it and its streams are all dropped', () => {
    const { root, fs } = setup();
    const f = root.openAt({}, 'f', { create: true }, RW);
    const fd = f.fd;
    const r = f.readViaStream(0n);
    f[Symbol.dispose]();
    f[Symbol.dispose](); // a second drop changes nothing
    expect(fs.fcntl(1, fd, F_GETFL)).toBeGreaterThanOrEqual(0);
    r[Symbol.dispose]();
    expect(fs.fcntl(1, fd, F_GETFL)).toBeLessThan(0);
  });

  test('directories: entries without . and .., with types; odd names round-trip', () => {
    const { root } = setup();
    root.createDirectoryAt('dir');
    expect(thrown(() => root.createDirectoryAt('dir'))).toBe('exist');
    const d = root.openAt({}, 'dir', { directory: true }, { read: true });
    const names = ['plain', 'with space', 'new\nline', 'é✓', '\u0001ctl', '...'];
    for (const n of names) d.openAt({}, n, { create: true }, RW);
    d.createDirectoryAt('sub');
    d.symlinkAt('plain', 'ln');
    const s = d.readDirectory();
    const seen: { type: string; name: string }[] = [];
    for (let e = s.readDirectoryEntry(); e !== undefined; e = s.readDirectoryEntry()) seen.push(e);
    expect(seen.map((e) => e.name).sort()).toEqual([...names, 'sub', 'ln'].sort());
    expect(seen.find((e) => e.name === 'sub')?.type).toBe('directory');
    expect(seen.find((e) => e.name === 'ln')?.type).toBe('symbolic-link');
    expect(seen.find((e) => e.name === 'é✓')?.type).toBe('regular-file');
    expect(thrown(() => root.removeDirectoryAt('dir'))).toBe('not-empty');
    expect(thrown(() => d.readViaStream(0n))).toBe('is-directory');
    expect(thrown(() => root.openAt({}, 'dir/plain', {}, {}).readDirectory())).toBe('not-directory');
  });

  test('symlinks, links, rename, unlink; a link to an absolute path and ".." above a preopen are not permitted', () => {
    const { root } = setup();
    root.openAt({}, 't', { create: true }, RW).write(bytes('xyz'), 0n);
    root.symlinkAt('t', 'l');
    expect(root.readlinkAt('l')).toBe('t');
    expect(root.statAt({}, 'l').type).toBe('symbolic-link');
    expect(root.statAt({ symlinkFollow: true }, 'l').size).toBe(3n);
    expect(thrown(() => root.openAt({}, 'l', {}, { read: true }))).toBe('loop');
    expect(root.openAt({ symlinkFollow: true }, 'l', {}, { read: true }).getType()).toBe('regular-file');
    expect(thrown(() => root.readlinkAt('t'))).toBe('invalid');
    expect(thrown(() => root.symlinkAt('/etc/passwd', 'abs'))).toBe('not-permitted');
    const mnt = root.openAt({}, 'data', {}, { read: true });
    expect(thrown(() => mnt.openAt({}, '../t', {}, { read: true }))).toBe('not-permitted');
    expect(thrown(() => mnt.statAt({}, '/t'))).toBe('not-permitted');
    root.linkAt({}, 't', mnt, 'hard');
    expect(root.statAt({}, 't').linkCount).toBe(2n);
    root.renameAt('t', mnt, 'moved');
    expect(thrown(() => root.statAt({}, 't'))).toBe('no-entry');
    mnt.unlinkFileAt('moved');
    expect(thrown(() => root.unlinkFileAt('data'))).toBe('is-directory');
  });

  test('metadata hashes: stable per inode (across rename and through another path), distinct between inodes', () => {
    const { root, fs } = setup();
    const f = root.openAt({}, 'a', { create: true }, RW);
    root.openAt({}, 'b', { create: true }, RW);
    const h = f.metadataHash();
    expect(typeof h.upper).toBe('bigint');
    expect(root.metadataHashAt({}, 'a')).toEqual(h);
    root.renameAt('a', root, 'c');
    expect(root.metadataHashAt({}, 'c')).toEqual(h);
    expect(f.metadataHash()).toEqual(h);
    expect(root.metadataHashAt({}, 'b')).not.toEqual(h);
    const st = newStat();
    fs.stat(0, '/c', st);
    expect(h.lower).toBe(BigInt(st.ino));
    expect(f.isSameObject(root.openAt({}, 'c', {}, { read: true }))).toBe(true);
    expect(f.isSameObject(root.openAt({}, 'b', {}, { read: true }))).toBe(false);
  });

  test('timestamps keep their nanoseconds; no-change and now', () => {
    const { root } = setup();
    const f = root.openAt({}, 'f', { create: true }, RW);
    f.setTimes({ tag: 'timestamp', val: { seconds: 1_000_000_000n, nanoseconds: 123_456_789 } },
      { tag: 'timestamp', val: { seconds: 1_700_000_000n, nanoseconds: 987_654_321 } });
    let st = f.stat();
    expect(st.dataAccessTimestamp).toEqual({ seconds: 1_000_000_000n, nanoseconds: 123_456_789 });
    expect(st.dataModificationTimestamp).toEqual({ seconds: 1_700_000_000n, nanoseconds: 987_654_321 });
    root.setTimesAt({}, 'f', { tag: 'no-change' }, { tag: 'now' });
    st = f.stat();
    expect(st.dataAccessTimestamp?.nanoseconds).toBe(123_456_789);
    expect(st.dataModificationTimestamp!.seconds).toBeGreaterThan(1_700_000_000n);
    expect(thrown(() => f.setTimes({ tag: 'timestamp', val: { seconds: 0n, nanoseconds: 1e9 } }, { tag: 'no-change' }))).toBe('invalid');
    f.setSize(10n);
    expect(f.stat().size).toBe(10n);
    f.sync();
    f.syncData();
    f.advise(0n, 10n, 'sequential');
  });
});

describe('cli, clocks, random, poll', () => {
  test('arguments, environment, initial-cwd', () => {
    const { fn } = setup();
    expect(fn('wasi:cli/environment', 'getArguments')()).toEqual(['prog', 'a b']);
    expect(fn('wasi:cli/environment', 'getEnvironment')()).toEqual([['K', 'V'], ['E', 'x=y']]);
    expect(fn('wasi:cli/environment', 'initialCwd')()).toBeUndefined();
  });

  test('stdio streams reach the cage descriptors 0–2, and dropping them closes nothing', () => {
    const { fn, fs, out, err } = setup({ stdin: 'input' });
    const stdout = fn('wasi:cli/stdout', 'getStdout')() as OutputStream;
    stdout.blockingWriteAndFlush(bytes('to out'));
    (fn('wasi:cli/stderr', 'getStderr')() as OutputStream).write(bytes('to err'));
    expect(out.join('')).toBe('to out');
    expect(err.join('')).toBe('to err');
    stdout[Symbol.dispose]();
    expect(fs.fcntl(1, 1, F_GETFL)).toBeGreaterThanOrEqual(0);
    expect(thrown(() => stdout.write(bytes('x')))).toEqual({ tag: 'closed' });
    (fn('wasi:cli/stdout', 'getStdout')() as OutputStream).write(bytes('!'));
    expect(out.join('')).toBe('to out!');
    const stdin = fn('wasi:cli/stdin', 'getStdin')() as InputStream;
    expect(Buffer.from(stdin.blockingRead(3n)).toString()).toBe('inp');
    expect(Buffer.from(stdin.read(10n)).toString()).toBe('ut');
    expect(thrown(() => stdin.read(1n))).toEqual({ tag: 'closed' });
    expect(fn('wasi:cli/terminal-stdout', 'getTerminalStdout')()).toBeUndefined();
  });

  test('exit leaves by CageExit: ok is 0, err is 1, exit-with-code its code', () => {
    const { fn } = setup();
    expect(thrown(() => fn('wasi:cli/exit', 'exit')({ tag: 'ok' }))).toEqual(new CageExit(0));
    expect(thrown(() => fn('wasi:cli/exit', 'exit')({ tag: 'err' }))).toEqual(new CageExit(1));
    expect(thrown(() => fn('wasi:cli/exit', 'exitWithCode')(42))).toEqual(new CageExit(42));
  });

  test('clocks in nanoseconds, random bytes, pollables', () => {
    const { fn } = setup();
    const now = fn('wasi:clocks/monotonic-clock', 'now') as () => bigint;
    const a = now();
    expect(typeof a).toBe('bigint');
    expect(now()).toBeGreaterThanOrEqual(a);
    const wall = fn('wasi:clocks/wall-clock', 'now')() as { seconds: bigint; nanoseconds: number };
    expect(wall.seconds).toBeGreaterThan(1_600_000_000n);
    expect(wall.nanoseconds).toBeLessThan(1e9);
    expect((fn('wasi:random/random', 'getRandomBytes')(16n) as Uint8Array).length).toBe(16);
    expect(typeof fn('wasi:random/random', 'getRandomU64')()).toBe('bigint');
    const later = fn('wasi:clocks/monotonic-clock', 'subscribeDuration')(20_000_000n) as { ready(): boolean };
    const ready = fn('wasi:clocks/monotonic-clock', 'subscribeDuration')(0n);
    expect(later.ready()).toBe(false);
    const poll = fn('wasi:io/poll', 'poll');
    expect(Array.from(poll([later, ready]) as Uint32Array)).toEqual([1]);
    const t0 = now();
    expect(Array.from(poll([later]) as Uint32Array)).toEqual([0]);
    expect(now() - t0).toBeGreaterThan(5_000_000n);
    expect(() => poll([])).toThrow(TypeError);
  });
});

describe('the interface table', () => {
  test('every method it names exists on its class, and the import object holds every function and class', () => {
    const { imports } = setup();
    for (const iface of P2_INTERFACES) {
      for (const [wit, res] of Object.entries(iface.resources)) {
        // The class itself, or (Descriptor) this instance's subclass that carries the lowered calls.
        const cls = imports[iface.name][pascal(wit)] as abstract new (...a: never[]) => unknown;
        expect(cls === P2_CLASSES[res.cls] || Object.getPrototypeOf(cls) === P2_CLASSES[res.cls], wit).toBe(true);
        for (const m of res.methods) expect(typeof (cls.prototype as Record<string, unknown>)[camel(m)], `${wit}.${m}`).toBe('function');
      }
      for (const f of Object.keys(iface.functions)) expect(typeof imports[iface.name][camel(f)]).toBe('function');
    }
    expect(typeof imports['wasi:filesystem/preopens'].getDirectories).toBe('function');
    expect(P2_INTERFACES.find((i) => i.name === 'wasi:filesystem/types')!.resources.descriptor.methods).toHaveLength(27);
  });

  test('--log: one line per call, with decoded arguments and the result or error', () => {
    const s = setup({ trace: true });
    const f = s.root.openAt({ symlinkFollow: true }, 'x', { create: true }, RW);
    thrown(() => s.root.openAt({}, 'missing', {}, {}));
    f.write(bytes('hi'), 5n);
    f[Symbol.dispose]();
    thrown(() => s.fn('wasi:cli/exit', 'exit')({ tag: 'err' }));
    expect(s.log).toEqual([
      '[cage 1] wasi:filesystem/preopens get-directories() = [[descriptor(3), "/"], [descriptor(4), "/mnt"]]',
      '[cage 1] wasi:filesystem/types descriptor(3).open-at({symlinkFollow}, "x", {create}, {read|write}) = descriptor(5)',
      '[cage 1] wasi:filesystem/types descriptor(3).open-at({}, "missing", {}, {}) = err no-entry',
      '[cage 1] wasi:filesystem/types descriptor(5).write("hi" (2 bytes), 5) = 2',
      '[cage 1] wasi:filesystem/types [resource-drop]descriptor descriptor(5) = none',
      '[cage 1] wasi:cli/exit exit(err) = exit 1',
    ]);
  });
});

describe('imfsWasiImports', () => {
  test('creates the cage with stdio and serves the IMFS', () => {
    const fs = new Imfs();
    fs.mkdir(0, '/srv', 0o755);
    const out: string[] = [];
    const imports = imfsWasiImports(fs, { args: ['me'], env: { A: 'b' }, preopens: [{ guest: '/', dir: '/srv' }], stdout: (b) => out.push(Buffer.from(b).toString()) });
    expect(fs.hasCage(1)).toBe(true);
    const [[dir]] = (imports['wasi:filesystem/preopens'].getDirectories as () => [Descriptor, string][])();
    dir.openAt({}, 'made', { create: true }, RW).write(bytes('1'), 0n);
    expect(fs.exists(0, '/srv/made')).toBe(true);
    (imports['wasi:cli/stdout'].getStdout as () => OutputStream)().write(bytes('out'));
    expect(out).toEqual(['out']);
    expect((imports['wasi:cli/environment'].getEnvironment as () => unknown)()).toEqual([['A', 'b']]);
  });
});

describe('the lowered read and write (Symbol.for("cabiLower"), as jco\'s hybrid glue calls them)', () => {
  const T_FLAG = 1 << 30;
  type Lowered = (...a: unknown[]) => void;

  /** The lowered functions over a fresh memory, with a jco-shaped handle table holding `root` and a file as handles 1 and 2. */
  function lowered(grow = false) {
    const s = setup();
    const f = s.root.openAt({}, 'f', { create: true }, RW);
    const rep = (d: Descriptor) => (d as unknown as Record<symbol, number>)[Symbol.for('cabiRep')];
    const table = [T_FLAG, 0, 0, rep(s.root) | T_FLAG, 0, rep(f) | T_FLAG];
    const memory = new WebAssembly.Memory({ initial: 1 });
    let next = 4096;
    const reallocs: number[] = [];
    const realloc = (_o: number, _s: number, _a: number, size: number) => {
      reallocs.push(size);
      if (grow) memory.grow(1); // detaches the buffer the lowering held
      const p = next;
      next += size;
      return p;
    };
    const D = s.imports['wasi:filesystem/types'].Descriptor as { prototype: Record<string, Record<symbol, (o: unknown) => Lowered>> };
    const write = D.prototype.write[CABI_LOWER]({ memory, resourceTables: [table] });
    const read = D.prototype.read[CABI_LOWER]({ memory, realloc, resourceTables: [table] });
    const u8 = () => new Uint8Array(memory.buffer);
    const dv = () => new DataView(memory.buffer);
    return { ...s, f, table, write, read, u8, dv, reallocs };
  }

  test('write stores ok and the count; read lowers the bytes through realloc, end set by a short read', () => {
    const l = lowered();
    l.u8().set(bytes('hello'), 100);
    l.write(2, 100, 5, 3n, 16);
    expect([l.dv().getUint8(16), l.dv().getBigUint64(24, true)]).toEqual([0, 5n]);
    l.read(2, 64n, 1n, 32);
    const ptr = l.dv().getUint32(36, true), len = l.dv().getUint32(40, true);
    expect([l.dv().getUint8(32), len, l.dv().getUint8(44), l.reallocs]).toEqual([0, 7, 1, [7]]);
    expect(Array.from(l.u8().subarray(ptr, ptr + len))).toEqual([0, 0, ...bytes('hello')]);
    expect(l.f.read(64n, 0n)[0]).toEqual(new Uint8Array([0, 0, 0, ...bytes('hello')]));
    l.read(2, 2n, 0n, 32);
    expect([l.dv().getUint32(40, true), l.dv().getUint8(44)]).toEqual([2, 0]);
  });

  test('failures store err and the error-code\'s index at the payload offset; a bad handle or buffer traps', () => {
    const l = lowered();
    const code = (c: string) => ERROR_CODES.indexOf(c as (typeof ERROR_CODES)[number]);
    // The root directory: the same error-codes as the methods jco's trampolines call.
    l.write(1, 0, 4, 0n, 16);
    expect([l.dv().getUint8(16), l.dv().getUint8(24)]).toEqual([1, code(thrown(() => l.root.write(bytes('abcd'), 0n)) as string)]);
    l.write(2, 0, 4, -1n, 16); // offset 2^64 - 1
    expect([l.dv().getUint8(16), l.dv().getUint8(24)]).toEqual([1, code('file-too-large')]);
    l.read(1, 4n, 0n, 32);
    expect([l.dv().getUint8(32), l.dv().getUint8(36)]).toEqual([1, code(thrown(() => l.root.read(4n, 0n)) as string)]);
    expect(thrown(() => l.root.read(4n, 0n))).toBe('is-directory');
    l.read(2, 4n, -1n, 32);
    expect([l.dv().getUint8(32), l.dv().getUint8(36)]).toEqual([1, code('invalid')]);
    expect(l.reallocs).toEqual([]);
    expect(() => l.write(3, 0, 4, 0n, 16)).toThrow(/handle 3/);
    expect(() => l.write(2, 65530, 64, 0n, 16)).toThrow(RangeError);
    // A dropped descriptor's handle (jco marks the slot free) leads nowhere.
    l.f[Symbol.dispose]();
    l.table[4] = T_FLAG;
    expect(() => l.read(2, 4n, 0n, 32)).toThrow(/handle 2/);
  });

  test('a read larger than the scratch buffer, with a realloc that grows the memory', () => {
    const l = lowered(true);
    const data = new Uint8Array(100_000).map((_, i) => i * 7);
    l.f.write(data, 0n);
    l.read(2, 200_000n, 0n, 32);
    const ptr = l.dv().getUint32(36, true), len = l.dv().getUint32(40, true);
    expect([l.dv().getUint8(32), len, l.dv().getUint8(44)]).toEqual([0, 100_000, 1]);
    expect(l.u8().subarray(ptr, ptr + len)).toEqual(data);
  });
});
