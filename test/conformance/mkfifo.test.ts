/**
 * mkfifo(3)/mkfifoat(3) and fifo(7): creating FIFO nodes, the open rules (a blocking
 * open waits for the other end, which the core reports as WOULD_BLOCK), data through a
 * FIFO between cages, and the buffer's lifetime (only while some end is open).
 * Expectations checked against Linux 6.18 (tmpfs) with C probes.
 */
import { describe, test, expect } from 'vitest';
import {
  Imfs, newStat, WOULD_BLOCK, EACCES, EAGAIN, EBADF, EEXIST, EINVAL, ENAMETOOLONG, ENOENT,
  ENOTDIR, ENXIO, EPIPE, ESPIPE,
  O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_NONBLOCK, O_TRUNC, O_DIRECT, O_DIRECTORY,
  F_GETFL, F_SETFL, F_GETPIPE_SZ, AT_FDCWD, S_IFIFO, S_IFMT, SEEK_SET,
} from '../../src/core/index.js';

const text = (s: string) => Buffer.from(s);

function setup() {
  const fs = new Imfs();
  expect(fs.mkfifo(0, '/q', 0o666)).toBe(0);
  for (const c of [1, 2]) expect(fs.createCage(c, {})).toBe(0);
  return fs;
}

function readText(fs: Imfs, cage: number, fd: number, max = 100): string | number {
  const buf = Buffer.alloc(max);
  const n = fs.read(cage, fd, buf);
  return n < 0 ? n : buf.subarray(0, n).toString();
}

describe('mkfifo and mkfifoat: creating the node', () => {
  test('a FIFO with mode & ~umask (set-id and sticky bits kept), one link, size 0, owned by the caller', () => {
    const fs = new Imfs();
    expect(fs.createCage(1, { uid: 1000, gid: 100, umask: 0o027 })).toBe(0);
    expect(fs.chmod(0, '/', 0o777)).toBe(0);
    expect(fs.mkfifo(1, '/q', 0o777)).toBe(0);
    const st = newStat();
    expect(fs.stat(1, '/q', st)).toBe(0);
    expect(st.mode).toBe(S_IFIFO | 0o750);
    expect(st.nlink).toBe(1);
    expect(st.size).toBe(0);
    expect(st.uid).toBe(1000);
    expect(st.gid).toBe(100);
    expect(fs.mkfifo(1, '/s', 0o7777)).toBe(0);
    expect(fs.stat(1, '/s', st)).toBe(0);
    expect(st.mode).toBe(S_IFIFO | 0o7750);
  });

  test('EEXIST for any existing name, a dangling symlink included (not followed)', () => {
    const fs = setup();
    expect(fs.mkdir(0, '/d', 0o755)).toBe(0);
    expect(fs.close(0, fs.open(0, '/f', O_CREAT | O_RDWR, 0o644))).toBe(0);
    expect(fs.symlink(0, '/nowhere', '/dangling')).toBe(0);
    for (const p of ['/q', '/d', '/f', '/dangling', '/']) expect(fs.mkfifo(0, p, 0o666)).toBe(-EEXIST);
    expect(fs.exists(0, '/nowhere')).toBe(false);
  });

  test('ENOENT for a missing parent, an empty path, or a trailing slash', () => {
    const fs = setup();
    expect(fs.mkfifo(0, '/nope/q', 0o666)).toBe(-ENOENT);
    expect(fs.mkfifo(0, '', 0o666)).toBe(-ENOENT);
    expect(fs.mkfifo(0, '/q2/', 0o666)).toBe(-ENOENT);
  });

  test('ENOTDIR when a path component is not a directory', () => {
    const fs = setup();
    expect(fs.mkfifo(0, '/q/x', 0o666)).toBe(-ENOTDIR);
  });

  test('ENAMETOOLONG for a name over 255 bytes', () => {
    const fs = setup();
    expect(fs.mkfifo(0, '/' + 'n'.repeat(256), 0o666)).toBe(-ENAMETOOLONG);
    expect(fs.mkfifo(0, '/' + 'n'.repeat(255), 0o666)).toBe(0);
  });

  test('EACCES without write permission on the parent, or without search permission on the way', () => {
    const fs = setup();
    expect(fs.createCage(3, { uid: 1000, gid: 1000 })).toBe(0);
    expect(fs.mkfifo(3, '/mine', 0o666)).toBe(-EACCES);
    expect(fs.mkdir(0, '/closed', 0o777)).toBe(0);
    expect(fs.mkdir(0, '/closed/in', 0o777)).toBe(0);
    expect(fs.chmod(0, '/closed/in', 0o777)).toBe(0);
    expect(fs.chmod(0, '/closed', 0o776)).toBe(0);
    expect(fs.mkfifo(3, '/closed/in/q', 0o666)).toBe(-EACCES);
    expect(fs.chmod(0, '/closed', 0o777)).toBe(0);
    expect(fs.mkfifo(3, '/closed/in/q', 0o666)).toBe(0);
  });

  test('mkfifoat: relative to dirfd; EBADF for a bad dirfd; ENOTDIR for a non-directory; absolute paths ignore it', () => {
    const fs = setup();
    expect(fs.mkdir(0, '/d', 0o755)).toBe(0);
    const d = fs.open(0, '/d', O_RDONLY | O_DIRECTORY);
    const f = fs.open(0, '/f', O_CREAT | O_RDWR, 0o644);
    expect(fs.mkfifoat(0, d, 'viadir', 0o600)).toBe(0);
    const st = newStat();
    expect(fs.stat(0, '/d/viadir', st)).toBe(0);
    expect(st.mode & S_IFMT).toBe(S_IFIFO);
    expect(fs.mkfifoat(0, 99, 'x', 0o600)).toBe(-EBADF);
    expect(fs.mkfifoat(0, f, 'x', 0o600)).toBe(-ENOTDIR);
    expect(fs.mkfifoat(0, f, '/abs', 0o600)).toBe(0);
    expect(fs.mkfifoat(0, AT_FDCWD, 'cwdrel', 0o600)).toBe(0);
    expect(fs.stat(0, '/cwdrel', st)).toBe(0);
  });
});

describe('opening a FIFO', () => {
  test('O_RDONLY | O_NONBLOCK succeeds alone; reading with no writer gives 0 (EOF)', () => {
    const fs = setup();
    const r = fs.open(1, '/q', O_RDONLY | O_NONBLOCK);
    expect(r).toBe(3);
    expect(fs.fcntl(1, r, F_GETFL)).toBe(O_RDONLY | O_NONBLOCK);
    expect(fs.read(1, r, Buffer.alloc(4))).toBe(0);
  });

  test('O_WRONLY | O_NONBLOCK without a reader: ENXIO; with one: success', () => {
    const fs = setup();
    expect(fs.open(2, '/q', O_WRONLY | O_NONBLOCK)).toBe(-ENXIO);
    expect(fs.open(1, '/q', O_RDONLY | O_NONBLOCK)).toBe(3);
    expect(fs.open(2, '/q', O_WRONLY | O_NONBLOCK)).toBe(3);
  });

  test('blocking opens without a peer: WOULD_BLOCK, and no descriptor is used', () => {
    const fs = setup();
    expect(fs.open(1, '/q', O_RDONLY)).toBe(WOULD_BLOCK);
    expect(fs.open(1, '/q', O_WRONLY)).toBe(WOULD_BLOCK);
    expect(fs.open(1, '/', O_RDONLY)).toBe(3);
  });

  test('blocking opens succeed once the other end is open', () => {
    const fs = setup();
    expect(fs.open(1, '/q', O_RDONLY | O_NONBLOCK)).toBe(3);
    const w = fs.open(2, '/q', O_WRONLY);
    expect(w).toBe(3);
    expect(fs.open(0, '/q', O_RDONLY)).toBe(3);
    expect(fs.close(1, 3)).toBe(0);
    expect(fs.close(0, 3)).toBe(0);
    // the writer is still there, but no reader
    expect(fs.open(1, '/q', O_WRONLY)).toBe(WOULD_BLOCK);
    expect(fs.open(1, '/q', O_RDONLY)).toBe(3);
  });

  test('O_RDWR never waits and counts as both a reader and a writer', () => {
    const fs = setup();
    const rw = fs.open(1, '/q', O_RDWR);
    expect(rw).toBe(3);
    expect(fs.open(2, '/q', O_WRONLY | O_NONBLOCK)).toBe(3);
    expect(fs.open(2, '/q', O_RDONLY)).toBe(4);
    expect(fs.write(1, rw, text('self'))).toBe(4);
    expect(readText(fs, 1, rw)).toBe('self');
  });

  test('O_DIRECT: EINVAL (a FIFO cannot be opened for direct I/O)', () => {
    const fs = setup();
    expect(fs.open(1, '/q', O_RDWR | O_DIRECT)).toBe(-EINVAL);
    expect(fs.open(1, '/q', O_RDONLY | O_NONBLOCK | O_DIRECT)).toBe(-EINVAL);
  });

  test('F_SETFL may set O_DIRECT later: the writer then writes packets', () => {
    const fs = setup();
    const r = fs.open(1, '/q', O_RDONLY | O_NONBLOCK);
    const w = fs.open(2, '/q', O_WRONLY);
    expect(fs.fcntl(2, w, F_SETFL, O_DIRECT)).toBe(0);
    expect(fs.fcntl(2, w, F_GETFL)).toBe(O_WRONLY | O_DIRECT);
    expect(fs.write(2, w, text('one'))).toBe(3);
    expect(fs.write(2, w, text('two'))).toBe(3);
    expect(readText(fs, 1, r)).toBe('one');
    expect(readText(fs, 1, r)).toBe('two');
  });

  test('permissions: EACCES to write without write permission; O_TRUNC asks for write permission too', () => {
    const fs = setup();
    expect(fs.chmod(0, '/q', 0o444)).toBe(0);
    expect(fs.createCage(3, { uid: 1000, gid: 1000 })).toBe(0);
    expect(fs.open(3, '/q', O_WRONLY | O_NONBLOCK)).toBe(-EACCES);
    expect(fs.open(3, '/q', O_RDONLY | O_NONBLOCK | O_TRUNC)).toBe(-EACCES);
    expect(fs.open(3, '/q', O_RDONLY | O_NONBLOCK)).toBe(3);
  });

  test('O_TRUNC is otherwise ignored: buffered data stays', () => {
    const fs = setup();
    const r = fs.open(1, '/q', O_RDONLY | O_NONBLOCK);
    const w = fs.open(2, '/q', O_WRONLY);
    expect(fs.write(2, w, text('hello'))).toBe(5);
    expect(fs.open(2, '/q', O_WRONLY | O_TRUNC | O_NONBLOCK)).toBe(4);
    expect(fs.open(2, '/q', O_RDONLY | O_TRUNC | O_NONBLOCK)).toBe(5);
    expect(readText(fs, 1, r)).toBe('hello');
  });
});

describe('data through a FIFO between two cages', () => {
  test('written by one cage, read by the other; EAGAIN/WOULD_BLOCK when empty; EOF after the last writer', () => {
    const fs = setup();
    const r = fs.open(1, '/q', O_RDONLY | O_NONBLOCK);
    const w = fs.open(2, '/q', O_WRONLY);
    expect(fs.write(2, w, text('hello '))).toBe(6);
    expect(fs.write(2, w, text('fifo'))).toBe(4);
    expect(readText(fs, 1, r)).toBe('hello fifo');
    expect(fs.read(1, r, Buffer.alloc(4))).toBe(-EAGAIN);
    expect(fs.fcntl(1, r, F_SETFL, 0)).toBe(0);
    expect(fs.read(1, r, Buffer.alloc(4))).toBe(WOULD_BLOCK);
    expect(fs.write(2, w, text('end'))).toBe(3);
    expect(fs.close(2, w)).toBe(0);
    expect(readText(fs, 1, r)).toBe('end');
    expect(fs.read(1, r, Buffer.alloc(4))).toBe(0);
  });

  test('EPIPE once the last reader is gone', () => {
    const fs = setup();
    const r = fs.open(1, '/q', O_RDONLY | O_NONBLOCK);
    const w = fs.open(2, '/q', O_WRONLY);
    expect(fs.close(1, r)).toBe(0);
    expect(fs.write(2, w, text('x'))).toBe(-EPIPE);
  });

  test('both ends see the same pipe: F_GETPIPE_SZ 65536; a link or a rename reaches the same pipe', () => {
    const fs = setup();
    const r = fs.open(1, '/q', O_RDONLY | O_NONBLOCK);
    expect(fs.fcntl(1, r, F_GETPIPE_SZ)).toBe(65536);
    expect(fs.link(0, '/q', '/q2')).toBe(0);
    expect(fs.rename(0, '/q', '/q3')).toBe(0);
    const w = fs.open(2, '/q2', O_WRONLY);
    expect(fs.write(2, w, text('via link'))).toBe(8);
    expect(readText(fs, 1, r)).toBe('via link');
    const w3 = fs.open(2, '/q3', O_WRONLY);
    expect(fs.write(2, w3, text('via rename'))).toBe(10);
    expect(readText(fs, 1, r)).toBe('via rename');
  });

  test('two FIFOs are independent', () => {
    const fs = setup();
    expect(fs.mkfifo(0, '/p', 0o666)).toBe(0);
    const rq = fs.open(1, '/q', O_RDONLY | O_NONBLOCK), rp = fs.open(1, '/p', O_RDONLY | O_NONBLOCK);
    const wq = fs.open(2, '/q', O_WRONLY);
    expect(fs.open(2, '/p', O_WRONLY | O_NONBLOCK)).toBe(4);
    expect(fs.write(2, wq, text('Q'))).toBe(1);
    expect(fs.read(1, rp, Buffer.alloc(4))).toBe(-EAGAIN);
    expect(readText(fs, 1, rq)).toBe('Q');
  });

  test('an unlinked FIFO keeps working for those who have it open', () => {
    const fs = setup();
    const r = fs.open(1, '/q', O_RDONLY | O_NONBLOCK);
    const w = fs.open(2, '/q', O_WRONLY);
    expect(fs.unlink(0, '/q')).toBe(0);
    expect(fs.write(2, w, text('still'))).toBe(5);
    expect(readText(fs, 1, r)).toBe('still');
  });

  test('lseek and pread: ESPIPE; ftruncate and truncate: EINVAL', () => {
    const fs = setup();
    const r = fs.open(1, '/q', O_RDONLY | O_NONBLOCK);
    const w = fs.open(2, '/q', O_WRONLY);
    expect(fs.lseek(1, r, 0, SEEK_SET)).toBe(-ESPIPE);
    expect(fs.pread(1, r, Buffer.alloc(1), 1, 0)).toBe(-ESPIPE);
    expect(fs.pwrite(2, w, Buffer.alloc(1), 1, 0)).toBe(-ESPIPE);
    expect(fs.ftruncate(2, w, 0)).toBe(-EINVAL);
    expect(fs.truncate(0, '/q', 0)).toBe(-EINVAL);
  });
});

describe("the FIFO's buffer and size", () => {
  test('st_size stays 0 while data is buffered', () => {
    const fs = setup();
    const r = fs.open(1, '/q', O_RDONLY | O_NONBLOCK);
    const w = fs.open(2, '/q', O_WRONLY);
    expect(fs.write(2, w, Buffer.alloc(5000))).toBe(5000);
    const st = newStat();
    expect(fs.stat(0, '/q', st)).toBe(0);
    expect(st.size).toBe(0);
    expect(st.blocks).toBe(0);
    expect(fs.fstat(1, r, st)).toBe(0);
    expect(st.size).toBe(0);
    expect(st.nlink).toBe(1);
    expect(st.mode).toBe(S_IFIFO | 0o644);
  });

  test('the buffer is kept while some end is open', () => {
    const fs = setup();
    const r = fs.open(1, '/q', O_RDONLY | O_NONBLOCK);
    const w = fs.open(2, '/q', O_WRONLY);
    expect(fs.write(2, w, text('kept'))).toBe(4);
    expect(fs.close(2, w)).toBe(0);
    expect(fs.open(2, '/q', O_WRONLY)).toBe(3);
    expect(readText(fs, 1, r)).toBe('kept');
  });

  test('the buffer is discarded when the last end closes', () => {
    const fs = setup();
    let r = fs.open(1, '/q', O_RDONLY | O_NONBLOCK);
    let w = fs.open(2, '/q', O_WRONLY);
    expect(fs.write(2, w, text('lost'))).toBe(4);
    expect(fs.close(2, w)).toBe(0);
    expect(fs.close(1, r)).toBe(0);
    r = fs.open(1, '/q', O_RDONLY | O_NONBLOCK);
    w = fs.open(2, '/q', O_WRONLY);
    expect(fs.read(1, r, Buffer.alloc(10))).toBe(-EAGAIN);
    // the same through an O_RDWR descriptor
    expect(fs.close(1, r)).toBe(0);
    expect(fs.close(2, w)).toBe(0);
    const rw = fs.open(1, '/q', O_RDWR | O_NONBLOCK);
    expect(fs.write(1, rw, text('gone'))).toBe(4);
    expect(fs.close(1, rw)).toBe(0);
    const rw2 = fs.open(1, '/q', O_RDWR | O_NONBLOCK);
    expect(fs.read(1, rw2, Buffer.alloc(10))).toBe(-EAGAIN);
  });
});
