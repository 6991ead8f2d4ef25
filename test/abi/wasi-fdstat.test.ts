/**
 * fd_fdstat_get: the file type, the flags and the rights of a descriptor. The type is
 * worked out once per recorded descriptor (it never changes for an open description), so
 * these pin that it follows the descriptor: asked twice, after a close and a reopen of the
 * same number as something else, after fd_renumber; and that the flags are asked afresh.
 * Rights follow the type: a directory holds a directory's (never write, seek or resize),
 * a file a file's, a terminal or another stream a stream's (never seek or tell, which is
 * how wasi-libc's isatty() tells a terminal); a descriptor nobody recorded rights for
 * (stdio) gets its type's on first use, and fd_fdstat_set_rights starts from the same ones.
 */
import { describe, expect, test } from 'vitest';
import { Grate } from '../../src/grate/index.js';
import { Imfs, O_RDONLY, O_WRONLY, S_IFCHR, S_IFIFO } from '../../src/core/index.js';
import { directWasi } from '../helpers/direct-wasi.js';
import { wasiScript, decode, sink, out, type Step } from '../helpers/script-cage.js';

const CHARACTER_DEVICE = 2, DIRECTORY = 3, REGULAR_FILE = 4, SOCKET_STREAM = 6, NOTCAPABLE = 76, FDFLAGS_APPEND = 1, OFLAGS_CREAT = 1, OFLAGS_DIRECTORY = 2, BADF = 8;
const RIGHTS = 0x1fffffffn; // every right but sock_accept (more than any file can hold)
// The rights by bit (WASI preview1): written out here, not taken from the code under test.
const bit = (n: number) => 1n << BigInt(n);
const [DATASYNC, READ, SEEK, SET_FLAGS, SYNC, TELL, WRITE, ADVISE, ALLOCATE] = [0, 1, 2, 3, 4, 5, 6, 7, 8].map(bit);
const [FILESTAT_GET, SET_SIZE, SET_TIMES, POLL] = [21, 22, 23, 27].map(bit);
const PATH_RIGHTS = [9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 24, 25, 26].map(bit).reduce((a, b) => a | b); // path_* and fd_readdir
const FILE = DATASYNC | READ | SEEK | SET_FLAGS | SYNC | TELL | WRITE | ADVISE | ALLOCATE | FILESTAT_GET | SET_SIZE | SET_TIMES | POLL;
const DIRECTORY_RIGHTS = READ | DATASYNC | SET_FLAGS | SYNC | ADVISE | PATH_RIGHTS | FILESTAT_GET | SET_TIMES | POLL;
const STREAM = READ | WRITE | SET_FLAGS | FILESTAT_GET | POLL;

function run(steps: Step[]) {
  const s = sink();
  expect(new Grate().runSync(wasiScript(steps), { stdout: s })).toBe(0);
  const d = decode(s.bytes());
  return { ...d, type: (k: number) => d.bytes(out(k), 1)[0], flags: (k: number) => d.bytes(out(k) + 2, 2).readUInt16LE(0),
    base: (k: number) => d.bytes(out(k) + 8, 8).readBigUInt64LE(0) };
}

describe('fd_fdstat_get', () => {
  test('the preopen, asked twice, is a directory with a directory\'s rights both times', () => {
    // (each fdstat is 24 bytes: the steps use every other out-parameter area)
    const d = run([{ call: 'fd_fdstat_get', args: [3, out(0)] }, { call: 'fd_fdstat_get', args: [3, out(2)] }]);
    expect([d.res(0), d.res(1)]).toEqual([0, 0]);
    expect([d.type(0), d.type(2)]).toEqual([DIRECTORY, DIRECTORY]);
    expect([d.base(0), d.base(2)]).toEqual([DIRECTORY_RIGHTS, DIRECTORY_RIGHTS]);
    expect(d.bytes(out(0) + 16, 8).readBigUInt64LE(0)).toBe(DIRECTORY_RIGHTS | FILE); // what it may pass on
  });

  test('a descriptor number closed and reopened as a directory reports the directory', () => {
    const d = run([
      { call: 'path_open', args: [3, 1, { path: 'tmp/f' }, OFLAGS_CREAT, RIGHTS, RIGHTS, 0, out(0)] },
      { call: 'fd_fdstat_get', args: [{ load: out(0) }, out(2)] },
      { call: 'fd_close', args: [{ load: out(0) }] },
      { call: 'path_open', args: [3, 1, { path: 'tmp' }, OFLAGS_DIRECTORY, RIGHTS & ~0x40n, RIGHTS, 0, out(4)] },
      { call: 'fd_fdstat_get', args: [{ load: out(4) }, out(6)] },
    ]);
    expect([d.res(0), d.res(1), d.res(2), d.res(3), d.res(4)]).toEqual([0, 0, 0, 0, 0]);
    expect(d.out32(4)).toBe(d.out32(0)); // the same number, now another description
    expect(d.type(2)).toBe(REGULAR_FILE);
    expect(d.type(6)).toBe(DIRECTORY);
  });

  test('fd_renumber carries type and rights to the new number; flags are read anew; the old number is gone', () => {
    const d = run([
      { call: 'path_open', args: [3, 1, { path: 'tmp/g' }, OFLAGS_CREAT, RIGHTS, RIGHTS, 0, out(0)] },
      { call: 'fd_fdstat_get', args: [{ load: out(0) }, out(2)] },
      { call: 'path_open', args: [3, 1, { path: 'tmp' }, OFLAGS_DIRECTORY, 0x4000n, 0n, 0, out(4)] },
      { call: 'fd_renumber', args: [{ load: out(0) }, { load: out(4) }] },
      { call: 'fd_fdstat_get', args: [{ load: out(4) }, out(6)] },
      { call: 'fd_fdstat_set_flags', args: [{ load: out(4) }, FDFLAGS_APPEND] },
      { call: 'fd_fdstat_get', args: [{ load: out(4) }, out(8)] },
      { call: 'fd_fdstat_get', args: [{ load: out(0) }, out(10)] },
    ]);
    expect([0, 1, 2, 3, 4, 5, 6].map(d.res)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(d.type(6)).toBe(REGULAR_FILE);
    expect(d.base(6)).toBe(FILE); // of all it asked for, what applies to a file
    expect([d.flags(6), d.flags(8)]).toEqual([0, FDFLAGS_APPEND]);
    expect(d.res(7)).toBe(BADF);
  });
});

describe('the rights of a descriptor nobody recorded rights for (stdio)', () => {
  /** A cage whose fd 0 is a terminal and fd 1 a plain stream, called directly. */
  function setup() {
    const fs = new Imfs();
    expect(fs.createCage(1)).toBe(0);
    expect(fs.installStream(1, 0, { isatty: true, read: () => 0 }, O_RDONLY, S_IFCHR)).toBe(0);
    expect(fs.installStream(1, 1, { write: (_s, _o, len) => len }, O_WRONLY, S_IFIFO)).toBe(1); // the descriptor
    const { fns, dv } = directWasi({ fs, cageId: 1, args: [], env: [], preopens: [] });
    const fdstat = (fd: number) => {
      expect(fns.fd_fdstat_get(fd, 512)).toBe(0);
      return { type: dv.getUint8(512), base: dv.getBigUint64(520, true), inheriting: dv.getBigUint64(528, true) };
    };
    return { fns, fdstat };
  }

  test('a terminal has a stream\'s rights (no seek, no tell), and set_rights cannot add any', () => {
    const { fns, fdstat } = setup();
    expect(fdstat(0)).toEqual({ type: CHARACTER_DEVICE, base: STREAM, inheriting: 0n });
    expect(fns.fd_fdstat_set_rights(0, STREAM | SEEK, 0n)).toBe(NOTCAPABLE);
    expect(fns.fd_fdstat_set_rights(0, STREAM & ~READ, 0n)).toBe(0);
    expect(fdstat(0).base).toBe(STREAM & ~READ);
  });

  test('set_rights first on a terminal (before any fdstat) starts from the same rights', () => {
    const { fns, fdstat } = setup();
    expect(fns.fd_fdstat_set_rights(0, STREAM | TELL, 0n)).toBe(NOTCAPABLE);
    expect(fdstat(0).base).toBe(STREAM);
  });

  test('any other stream has a stream\'s rights, and may drop some, never to get them back', () => {
    const { fns, fdstat } = setup();
    expect(fdstat(1)).toEqual({ type: SOCKET_STREAM, base: STREAM, inheriting: 0n });
    expect(fns.fd_fdstat_set_rights(1, STREAM & ~WRITE, 0n)).toBe(0);
    expect(fdstat(1)).toMatchObject({ base: STREAM & ~WRITE, inheriting: 0n });
    expect(fns.fd_fdstat_set_rights(1, STREAM, 0n)).toBe(NOTCAPABLE);
  });

  test('a call without its right is NOTCAPABLE and does nothing; a bad descriptor is BADF first', () => {
    const { fns, fdstat } = setup();
    expect(fns.fd_fdstat_set_rights(1, STREAM & ~WRITE, 0n)).toBe(0);
    // fd_write(1, iovs, 1, nwritten) with nothing to write: refused before the stream is touched
    expect(fns.fd_write(1, 600, 0, 620)).toBe(NOTCAPABLE);
    expect(fns.fd_write(9, 600, 0, 620)).toBe(BADF);
    expect(fns.fd_seek(0, 0n, 1, 620)).toBe(NOTCAPABLE); // a terminal has no position
    expect(fdstat(1).base).toBe(STREAM & ~WRITE);
  });
});
