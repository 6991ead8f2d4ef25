/**
 * getdents64(2) and readdir(3)/telldir/seekdir/rewinddir: "." and "..", the linux_dirent64
 * record layout, buffer sizes, end of directory, errors, positions that stay valid while the
 * directory changes, names that are arbitrary bytes, and removed directories (ENOENT, as
 * Linux's iterate_dir answers for a dead directory; checked with a C probe on /dev/shm).
 */
import { describe, test, expect } from 'vitest';
import {
  Imfs, newStat, errnoName, type Dirent,
  O_RDONLY, O_WRONLY, O_CREAT, O_PATH, O_DIRECTORY, SEEK_SET, SEEK_CUR, S_IFCHR, S_IFBLK,
  DT_REG, DT_DIR, DT_LNK, DT_FIFO, DT_CHR, DT_BLK, DT_SOCK,
} from '../../src/core/index.js';
import { T0, r as E, clockedSetup, lstatOf } from '../helpers/conformance.js';

function touch(fs: Imfs, path: string | Uint8Array): void {
  const fd = fs.open(0, path, O_CREAT | O_WRONLY, 0o644);
  expect(fd).toBeGreaterThanOrEqual(0);
  expect(fs.close(0, fd)).toBe(0);
}
const ino = (fs: Imfs, path: string) => lstatOf(fs, path).ino;

interface Record64 { ino: number; off: number; reclen: number; type: number; name: Uint8Array; tail: Uint8Array }
/** Splits getdents64 output into records (u64 d_ino, s64 d_off, u16 d_reclen, u8 d_type, name, NUL, padding). */
function parse(buf: Uint8Array, n: number): Record64[] {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: Record64[] = [];
  for (let o = 0; o < n;) {
    const reclen = dv.getUint16(o + 16, true);
    let end = o + 19;
    while (buf[end] !== 0) end++;
    out.push({
      ino: Number(dv.getBigUint64(o, true)), off: Number(dv.getBigInt64(o + 8, true)), reclen, type: buf[o + 18],
      name: buf.slice(o + 19, end), tail: buf.slice(end, o + reclen),
    });
    o += reclen;
  }
  return out;
}
const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');
/** All entries left, via getdents64 with a buffer of `size` bytes. */
function getdents(fs: Imfs, fd: number, size = 4096): Record64[] {
  const all: Record64[] = [];
  const buf = new Uint8Array(size);
  for (;;) {
    const n = fs.getdents64(0, fd, buf);
    expect(n).toBeGreaterThanOrEqual(0);
    if (n === 0) return all;
    all.push(...parse(buf, n));
  }
}
function readAll(fs: Imfs, fd: number): Dirent[] {
  const out: Dirent[] = [];
  for (;;) {
    const e = fs.readdir(0, fd);
    if (e === null) return out;
    if (typeof e === 'number') throw new Error(`readdir: ${errnoName(e)}`);
    out.push(e);
  }
}

describe('entries', () => {
  test('an empty directory has "." and "..", with their inodes, as directories', () => {
    const { fs } = clockedSetup();
    expect(fs.mkdir(0, '/d', 0o755)).toBe(0);
    const d = fs.open(0, '/d', O_RDONLY | O_DIRECTORY);
    const r = getdents(fs, d);
    expect(r.map((x) => text(x.name))).toEqual(['.', '..']);
    expect(r.map((x) => [x.ino, x.type])).toEqual([[ino(fs, '/d'), DT_DIR], [ino(fs, '/'), DT_DIR]]);
    const root = fs.open(0, '/', O_RDONLY | O_DIRECTORY);
    const rr = getdents(fs, root);
    expect(rr.slice(0, 2).map((x) => x.ino)).toEqual([ino(fs, '/'), ino(fs, '/')]); // ".." of "/" is "/"
  });

  test('every entry once, with its inode and its d_type for every file type', () => {
    const { fs } = clockedSetup();
    expect(fs.mkdir(0, '/d', 0o755)).toBe(0);
    touch(fs, '/d/reg');
    expect(fs.mkdir(0, '/d/dir', 0o755)).toBe(0);
    expect(fs.symlink(0, 'reg', '/d/lnk')).toBe(0);
    expect(fs.mkfifo(0, '/d/fifo', 0o644)).toBe(0);
    expect(fs.mknod(0, '/d/chr', S_IFCHR | 0o644, 1, 3)).toBe(0);
    expect(fs.mknod(0, '/d/blk', S_IFBLK | 0o644, 7, 0)).toBe(0);
    expect(fs.bind(0, '/d/sock')).toBeGreaterThanOrEqual(3);
    const d = fs.open(0, '/d', O_RDONLY | O_DIRECTORY);
    const got = new Map(getdents(fs, d).map((x) => [text(x.name), [x.ino, x.type]]));
    expect(got.size).toBe(9);
    const want: [string, number][] = [['reg', DT_REG], ['dir', DT_DIR], ['lnk', DT_LNK], ['fifo', DT_FIFO], ['chr', DT_CHR], ['blk', DT_BLK], ['sock', DT_SOCK]];
    for (const [name, type] of want) expect(got.get(name)).toEqual([ino(fs, `/d/${name}`), type]);
  });

  test('hard links appear under each name with the same inode', () => {
    const { fs } = clockedSetup();
    touch(fs, '/a');
    expect(fs.link(0, '/a', '/b')).toBe(0);
    const r = getdents(fs, fs.open(0, '/', O_RDONLY | O_DIRECTORY));
    const a = r.find((x) => text(x.name) === 'a')!, b = r.find((x) => text(x.name) === 'b')!;
    expect(a.ino).toBe(b.ino);
  });

  test('names are bytes: any byte but NUL and "/" round-trips exactly (not UTF-8 text)', () => {
    const { fs } = clockedSetup();
    expect(fs.mkdir(0, '/d', 0o755)).toBe(0);
    const names = [
      Uint8Array.from([0xff, 0xfe, 0x80]), Uint8Array.from([0xc3, 0x28]), Uint8Array.from([0x01, 0x0a, 0x7f, 0x20]),
      Uint8Array.from([0xed, 0xa0, 0x80]), new TextEncoder().encode('日本語'), Uint8Array.from([0x5c, 0x3a, 0x2a]),
    ];
    for (const n of names) {
      const path = new Uint8Array([...new TextEncoder().encode('/d/'), ...n]);
      touch(fs, path);
    }
    const d = fs.open(0, '/d', O_RDONLY | O_DIRECTORY);
    const got = getdents(fs, d).slice(2).map((x) => x.name);
    expect(got.map((b) => Buffer.from(b).toString('hex')).sort()).toEqual(names.map((b) => Buffer.from(b).toString('hex')).sort());
    expect(fs.rewinddir(0, d)).toBe(0);
    const ents = readAll(fs, d).slice(2);
    expect(ents.map((e) => e.bytes.toString('hex')).sort()).toEqual(got.map((b) => Buffer.from(b).toString('hex')).sort());
    // Each name read back opens the same file.
    for (const e of ents) {
      const fd = fs.openat(0, d, new Uint8Array(e.bytes), O_RDONLY);
      expect(fd).toBeGreaterThanOrEqual(0);
      const s = newStat();
      fs.fstat(0, fd, s);
      expect(s.ino).toBe(e.ino);
    }
    // Two different invalid sequences are two different names.
    expect(new Set(ents.map((e) => e.bytes.toString('hex'))).size).toBe(names.length);
  });
});

describe('getdents64 records', () => {
  test('layout: d_reclen = 19 + name + NUL rounded up to 8, zero padding, d_off = the next position', () => {
    const { fs } = clockedSetup();
    expect(fs.mkdir(0, '/d', 0o755)).toBe(0);
    for (const len of [1, 4, 5, 12, 13, 255]) touch(fs, '/d/' + 'n'.repeat(len));
    const d = fs.open(0, '/d', O_RDONLY | O_DIRECTORY);
    const buf = new Uint8Array(8192).fill(0xaa);
    const n = fs.getdents64(0, d, buf);
    const recs = parse(buf, n);
    expect(recs.length).toBe(8);
    expect(n).toBe(recs.reduce((a, r) => a + r.reclen, 0));
    for (const r of recs) {
      expect(r.reclen % 8).toBe(0);
      expect(r.reclen).toBe((19 + r.name.length + 1 + 7) & ~7);
      expect([...r.tail].every((x) => x === 0)).toBe(true); // the NUL and the padding
    }
    expect(recs.map((r) => r.reclen)).toEqual([24, 24, 24, 24, 32, 32, 40, 280]);
    // Each d_off resumes right after its record.
    for (let i = 0; i < recs.length - 1; i++) {
      expect(fs.lseek(0, d, recs[i].off, SEEK_SET)).toBe(recs[i].off);
      const one = new Uint8Array(4096);
      const m = fs.getdents64(0, d, one);
      expect(text(parse(one, m)[0].name)).toBe(text(recs[i + 1].name));
    }
  });

  test('a buffer too small for the next record is EINVAL; one that fits some returns those', () => {
    const { fs } = clockedSetup();
    touch(fs, '/abc');
    const d = fs.open(0, '/', O_RDONLY | O_DIRECTORY);
    expect(E(fs.getdents64(0, d, new Uint8Array(23)))).toBe('EINVAL');
    expect(E(fs.getdents64(0, d, new Uint8Array(0)))).toBe('EINVAL');
    expect(fs.lseek(0, d, 0, SEEK_CUR)).toBe(0); // nothing consumed
    expect(fs.getdents64(0, d, new Uint8Array(24))).toBe(24);
    expect(fs.getdents64(0, d, new Uint8Array(47))).toBe(24);
    expect(fs.getdents64(0, d, new Uint8Array(48))).toBe(24); // only "abc" is left
    expect(fs.getdents64(0, d, new Uint8Array(48))).toBe(0);
  });

  test('0 at the end, again and again, even with a buffer too small for any record', () => {
    const { fs } = clockedSetup();
    const d = fs.open(0, '/', O_RDONLY | O_DIRECTORY);
    expect(fs.getdents64(0, d, new Uint8Array(4096))).toBe(48);
    expect(fs.getdents64(0, d, new Uint8Array(4096))).toBe(0);
    expect(fs.getdents64(0, d, new Uint8Array(4096))).toBe(0);
    expect(fs.getdents64(0, d, new Uint8Array(8))).toBe(0);
    expect(fs.readdir(0, d)).toBe(null);
  });

  test('a small buffer reads the directory in pieces with nothing lost or repeated', () => {
    const { fs } = clockedSetup();
    for (let i = 0; i < 100; i++) touch(fs, `/file-${i}`);
    const d = fs.open(0, '/', O_RDONLY | O_DIRECTORY);
    const names = getdents(fs, d, 64).map((r) => text(r.name));
    expect(names.length).toBe(102);
    expect(new Set(names).size).toBe(102);
  });

  test('ENOTDIR for a file or a pipe; EBADF for a descriptor not open or O_PATH', () => {
    const { fs } = clockedSetup();
    touch(fs, '/f');
    const f = fs.open(0, '/f', O_RDONLY), p = fs.open(0, '/', O_PATH);
    const pipe = [0, 0];
    expect(fs.pipe(0, pipe)).toBe(0);
    const buf = new Uint8Array(4096);
    expect(E(fs.getdents64(0, f, buf))).toBe('ENOTDIR');
    expect(E(fs.getdents64(0, pipe[0], buf))).toBe('ENOTDIR');
    expect(E(fs.getdents64(0, 99, buf))).toBe('EBADF');
    expect(E(fs.getdents64(0, p, buf))).toBe('EBADF');
    expect(E(fs.readdir(0, f) as number)).toBe('ENOTDIR');
    expect(E(fs.readdir(0, 99) as number)).toBe('EBADF');
  });

  test('reading a directory updates its atime (relatime), nothing else', () => {
    const { fs, clock } = clockedSetup();
    expect(fs.mkdir(0, '/d', 0o755)).toBe(0);
    const d = fs.open(0, '/d', O_RDONLY | O_DIRECTORY);
    clock.set(T0 + 10);
    getdents(fs, d);
    const s = newStat();
    fs.stat(0, '/d', s);
    expect([s.atimeSec, s.mtimeSec, s.ctimeSec]).toEqual([T0 + 10, T0, T0]);
    expect(s.size).toBe(40);
  });
});

describe('positions: telldir, seekdir, rewinddir', () => {
  test('telldir is the position after the last entry read; seekdir there resumes; rewinddir restarts', () => {
    const { fs } = clockedSetup();
    for (const n of ['a', 'b', 'c']) touch(fs, `/${n}`);
    const d = fs.opendir(0, '/');
    expect(d).toBe(3);
    const first = [fs.readdir(0, d), fs.readdir(0, d), fs.readdir(0, d)] as Dirent[];
    const mark = fs.telldir(0, d);
    expect(mark).toBe(first[2].off);
    const rest = readAll(fs, d).map((e) => e.name);
    expect(fs.seekdir(0, d, mark)).toBe(0);
    expect(readAll(fs, d).map((e) => e.name)).toEqual(rest);
    expect(fs.rewinddir(0, d)).toBe(0);
    expect(readAll(fs, d).map((e) => e.name)).toEqual(['.', '..', ...first.slice(2).map((e) => e.name), ...rest]);
    expect(fs.closedir(0, d)).toBe(0);
  });

  test('entries that exist throughout a scan are returned exactly once while others come and go', () => {
    const { fs } = clockedSetup();
    expect(fs.mkdir(0, '/d', 0o755)).toBe(0);
    const live = new Set<string>();
    for (let i = 0; i < 300; i++) { touch(fs, `/d/k${i}`); live.add(`k${i}`); }
    const stable = new Set(live);
    const d = fs.open(0, '/d', O_RDONLY | O_DIRECTORY);
    const seen: string[] = [];
    const removedUnread = new Set<string>();
    let step = 0, extra = 0;
    for (;;) {
      const e = fs.readdir(0, d);
      if (e === null) break;
      expect(typeof e).not.toBe('number');
      seen.push((e as Dirent).name);
      // Every few entries: remove some names (read or not), add some new ones.
      if (++step % 7 === 0) {
        for (let j = 0; j < 3; j++) {
          const victim = `k${(step * 13 + j * 101) % 300}`;
          if (live.has(victim)) {
            expect(fs.unlink(0, `/d/${victim}`)).toBe(0);
            live.delete(victim);
            stable.delete(victim);
            if (!seen.includes(victim)) removedUnread.add(victim);
          }
        }
        touch(fs, `/d/new${extra++}`);
      }
    }
    const counts = new Map<string, number>();
    for (const n of seen) counts.set(n, (counts.get(n) ?? 0) + 1);
    for (const n of stable) expect([n, counts.get(n)]).toEqual([n, 1]);
    for (const n of removedUnread) expect(counts.has(n)).toBe(false);
    for (const [n, c] of counts) expect([n, c]).toEqual([n, 1]);
    expect(removedUnread.size).toBeGreaterThan(0);
  });

  test('a saved position stays valid across many removals and additions', () => {
    const { fs } = clockedSetup();
    expect(fs.mkdir(0, '/d', 0o755)).toBe(0);
    for (let i = 0; i < 200; i++) touch(fs, `/d/f${String(i).padStart(3, '0')}`);
    const d = fs.open(0, '/d', O_RDONLY | O_DIRECTORY);
    for (let i = 0; i < 2 + 100; i++) fs.readdir(0, d);
    const mark = fs.telldir(0, d);
    const next = (fs.readdir(0, d) as Dirent).name;
    // Remove most entries before and after the mark (but not the next one), add new ones.
    for (let i = 0; i < 200; i++) {
      const n = `f${String(i).padStart(3, '0')}`;
      if (n !== next && i % 4 !== 0) expect(fs.unlink(0, `/d/${n}`)).toBe(0);
    }
    for (let i = 0; i < 50; i++) touch(fs, `/d/g${i}`);
    expect(fs.seekdir(0, d, mark)).toBe(0);
    const after = readAll(fs, d).map((e) => e.name);
    expect(after[0]).toBe(next);
    const survivorsAfter = [];
    for (let i = 101; i < 200; i++) if (i % 4 === 0) survivorsAfter.push(`f${String(i).padStart(3, '0')}`);
    for (const n of survivorsAfter) expect(after.filter((x) => x === n).length).toBe(1);
    expect(after.some((n) => /^f0[0-9][0-9]$/.test(n) && Number(n.slice(1)) < 100)).toBe(false);
  });

  test('a removed and re-created name is a new entry', () => {
    const { fs } = clockedSetup();
    touch(fs, '/a');
    touch(fs, '/b');
    const d = fs.open(0, '/', O_RDONLY | O_DIRECTORY);
    expect(readAll(fs, d).map((e) => e.name)).toEqual(['.', '..', 'a', 'b']);
    expect(fs.unlink(0, '/a')).toBe(0);
    touch(fs, '/a');
    expect(readAll(fs, d).map((e) => e.name)).toEqual(['a']);
  });

  test('a renamed-over entry keeps its place; the moved name is gone from its old place', () => {
    const { fs } = clockedSetup();
    for (const n of ['a', 'b', 'c']) touch(fs, `/${n}`);
    expect(fs.rename(0, '/c', '/a')).toBe(0);
    const d = fs.open(0, '/', O_RDONLY | O_DIRECTORY);
    const ents = readAll(fs, d);
    expect(ents.map((e) => e.name)).toEqual(['.', '..', 'a', 'b']);
    expect(ents[2].ino).toBe(ino(fs, '/a'));
  });
});

describe('removed directories', () => {
  test('an open directory that was removed: getdents64 and readdir are ENOENT, even after a rewind', () => {
    const { fs } = clockedSetup();
    expect(fs.mkdir(0, '/gone', 0o755)).toBe(0);
    const g = fs.open(0, '/gone', O_RDONLY | O_DIRECTORY);
    expect(fs.rmdir(0, '/gone')).toBe(0);
    expect(E(fs.getdents64(0, g, new Uint8Array(4096)))).toBe('ENOENT');
    expect(fs.lseek(0, g, 0, SEEK_SET)).toBe(0);
    expect(E(fs.getdents64(0, g, new Uint8Array(4096)))).toBe('ENOENT');
    expect(E(fs.readdir(0, g) as number)).toBe('ENOENT');
    const s = newStat();
    expect(fs.fstat(0, g, s)).toBe(0);
    expect([s.nlink, s.size]).toEqual([0, 40]);
  });

  test('a removed working directory: "." still opens, reading it is ENOENT, nothing can be created', () => {
    const { fs } = clockedSetup();
    expect(fs.mkdir(0, '/cwd', 0o755)).toBe(0);
    expect(fs.chdir(0, '/cwd')).toBe(0);
    expect(fs.rmdir(0, '/cwd')).toBe(0);
    const dot = fs.open(0, '.', O_RDONLY | O_DIRECTORY);
    expect(dot).toBe(3);
    expect(E(fs.getdents64(0, dot, new Uint8Array(4096)))).toBe('ENOENT');
    expect(E(fs.open(0, 'x', O_CREAT | O_WRONLY, 0o644))).toBe('ENOENT');
    expect(fs.stat(0, '..', newStat())).toBe(0);
    expect(E(fs.cwd(0) as number)).toBe('ENOENT');
  });
});
