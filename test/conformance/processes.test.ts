/**
 * Cages as processes: createCage (credentials, umask, cwd), forkCage (fork(2): a copy of
 * the descriptor table sharing the open file descriptions; cwd, umask and ids copied),
 * execCage (execve(2): only FD_CLOEXEC descriptors close), exitCage (_exit(2): every
 * descriptor closes, record locks go, the cwd is let go), per-cage independence, and
 * ESRCH for a cage that does not exist.
 */
import { describe, test, expect } from 'vitest';
import {
  Imfs, newStat, ESRCH, EEXIST, ENOENT, ENOTDIR, EACCES, EAGAIN, EBADF, EPIPE, WOULD_BLOCK,
  O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_APPEND, O_NONBLOCK, O_CLOEXEC, O_DIRECTORY,
  F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_DUPFD_CLOEXEC, F_SETLK, F_GETLK, F_WRLCK, F_UNLCK,
  FD_CLOEXEC, LOCK_EX, LOCK_NB, SEEK_SET, SEEK_CUR, S_IFREG, type Device, type Flock,
} from '../../src/core/index.js';
import { statOf } from '../helpers/conformance.js';

const text = (s: string) => Buffer.from(s);

describe('createCage', () => {
  test('defaults: root, cwd /, umask 022', () => {
    const fs = new Imfs();
    expect(fs.createCage(1)).toBe(0);
    expect(fs.hasCage(1)).toBe(true);
    expect(fs.cwd(1)).toBe('/');
    expect(fs.close(1, fs.open(1, 'f', O_RDWR | O_CREAT, 0o666))).toBe(0);
    const st = statOf(fs, '/f', 1);
    expect(st.mode).toBe(S_IFREG | 0o644);
    expect([st.uid, st.gid]).toEqual([0, 0]);
  });

  test('uid, gid, umask and cwd are used for what the cage creates', () => {
    const fs = new Imfs();
    expect(fs.mkdir(0, '/home', 0o755)).toBe(0);
    expect(fs.mkdir(0, '/home/u', 0o755)).toBe(0);
    expect(fs.chown(0, '/home/u', 1000, 100)).toBe(0);
    expect(fs.createCage(1, { uid: 1000, gid: 100, groups: [100, 200], umask: 0o077, cwd: '/home/u' })).toBe(0);
    expect(fs.cwd(1)).toBe('/home/u');
    expect(fs.close(1, fs.open(1, 'x', O_RDWR | O_CREAT, 0o666))).toBe(0);
    const st = statOf(fs, '/home/u/x');
    expect(st.mode).toBe(S_IFREG | 0o600);
    expect([st.uid, st.gid]).toEqual([1000, 100]);
    expect(fs.umask(1, 0o022)).toBe(0o077);
  });

  test('supplementary groups grant group access; others are refused', () => {
    const fs = new Imfs();
    for (const [name, gid] of [['/g200', 200], ['/g300', 300]] as const) {
      expect(fs.close(0, fs.open(0, name, O_RDWR | O_CREAT, 0o640))).toBe(0);
      expect(fs.chown(0, name, 0, gid)).toBe(0);
    }
    expect(fs.createCage(1, { uid: 1000, gid: 100, groups: [100, 200] })).toBe(0);
    expect(fs.open(1, '/g200', O_RDONLY)).toBe(3);
    expect(fs.open(1, '/g300', O_RDONLY)).toBe(-EACCES);
    expect(fs.open(1, '/g200', O_WRONLY)).toBe(-EACCES);
  });

  test('groups default to [gid]', () => {
    const fs = new Imfs();
    expect(fs.close(0, fs.open(0, '/g', O_RDWR | O_CREAT, 0o640))).toBe(0);
    expect(fs.chown(0, '/g', 0, 100)).toBe(0);
    expect(fs.createCage(1, { uid: 1000, gid: 100 })).toBe(0);
    expect(fs.open(1, '/g', O_RDONLY)).toBe(3);
    expect(fs.cage(1)!.cred.groups).toEqual([100]);
  });

  test('the umask keeps only the permission bits', () => {
    const fs = new Imfs();
    expect(fs.createCage(1, { umask: 0o7777 })).toBe(0);
    expect(fs.umask(1, 0)).toBe(0o777);
  });

  test('EEXIST for an id in use (cage 0 exists from the start)', () => {
    const fs = new Imfs();
    expect(fs.createCage(0)).toBe(-EEXIST);
    expect(fs.createCage(1, { uid: 5 })).toBe(0);
    expect(fs.createCage(1, { uid: 6 })).toBe(-EEXIST);
    expect(fs.cage(1)!.cred.uid).toBe(5);
  });

  test('a bad cwd: ENOENT, ENOTDIR or EACCES, and no cage is created', () => {
    const fs = new Imfs();
    expect(fs.close(0, fs.open(0, '/file', O_RDWR | O_CREAT, 0o644))).toBe(0);
    expect(fs.mkdir(0, '/private', 0o700)).toBe(0);
    expect(fs.createCage(1, { cwd: '/missing' })).toBe(-ENOENT);
    expect(fs.createCage(1, { cwd: '/file' })).toBe(-ENOTDIR);
    expect(fs.createCage(1, { uid: 1000, cwd: '/private' })).toBe(-EACCES);
    expect(fs.hasCage(1)).toBe(false);
    expect(fs.createCage(1, { uid: 1000, cwd: '/' })).toBe(0);
  });

  test('the cwd holds its directory: removed, it stays alive until the cage leaves it', () => {
    const fs = new Imfs();
    expect(fs.mkdir(0, '/d', 0o755)).toBe(0);
    expect(fs.createCage(1, { cwd: '/d' })).toBe(0);
    const live = fs.inodes.live;
    expect(fs.rmdir(0, '/d')).toBe(0);
    expect(fs.inodes.live).toBe(live);
    expect(fs.cwd(1)).toBe(-ENOENT);
    expect(fs.exitCage(1)).toBe(0);
    expect(fs.inodes.live).toBe(live - 1);
  });
});

describe('forkCage', () => {
  function parentWithFile() {
    const fs = new Imfs();
    expect(fs.createCage(1, { uid: 0, umask: 0o027 })).toBe(0);
    const fd = fs.open(1, '/f', O_RDWR | O_CREAT, 0o644);
    expect(fd).toBe(3);
    expect(fs.write(1, fd, text('0123456789'))).toBe(10);
    return { fs, fd };
  }

  test('the child has the same descriptors, sharing offsets with the parent', () => {
    const { fs, fd } = parentWithFile();
    expect(fs.forkCage(1, 2)).toBe(0);
    expect(fs.lseek(2, fd, 0, SEEK_CUR)).toBe(10);
    expect(fs.lseek(2, fd, 4, SEEK_SET)).toBe(4);
    expect(fs.lseek(1, fd, 0, SEEK_CUR)).toBe(4);
    const b = Buffer.alloc(2);
    expect(fs.read(1, fd, b)).toBe(2);
    expect(b.toString()).toBe('45');
    expect(fs.lseek(2, fd, 0, SEEK_CUR)).toBe(6);
  });

  test('status flags are shared too (they live in the description)', () => {
    const { fs, fd } = parentWithFile();
    expect(fs.forkCage(1, 2)).toBe(0);
    expect(fs.fcntl(2, fd, F_SETFL, O_APPEND | O_NONBLOCK)).toBe(0);
    expect(fs.fcntl(1, fd, F_GETFL)).toBe(O_RDWR | O_APPEND | O_NONBLOCK);
  });

  test('FD_CLOEXEC is copied per descriptor and then independent', () => {
    const { fs, fd } = parentWithFile();
    const c = fs.fcntl(1, fd, F_DUPFD_CLOEXEC, 0);
    expect(c).toBe(4);
    expect(fs.forkCage(1, 2)).toBe(0);
    expect(fs.fcntl(2, c, F_GETFD)).toBe(FD_CLOEXEC);
    expect(fs.fcntl(2, fd, F_GETFD)).toBe(0);
    expect(fs.fcntl(2, fd, F_SETFD, FD_CLOEXEC)).toBe(0);
    expect(fs.fcntl(1, fd, F_GETFD)).toBe(0);
  });

  test('closing or opening in the child does not touch the parent\'s table', () => {
    const { fs, fd } = parentWithFile();
    expect(fs.forkCage(1, 2)).toBe(0);
    expect(fs.close(2, fd)).toBe(0);
    expect(fs.fcntl(1, fd, F_GETFD)).toBe(0);
    expect(fs.open(2, '/', O_RDONLY)).toBe(3);
    expect(fs.open(1, '/', O_RDONLY)).toBe(4);
    expect(fs.fcntl(2, 4, F_GETFD)).toBe(-EBADF);
  });

  test('a description lives on in the child after the parent closes it', () => {
    const { fs, fd } = parentWithFile();
    expect(fs.unlink(1, '/f')).toBe(0);
    expect(fs.forkCage(1, 2)).toBe(0);
    const live = fs.inodes.live;
    expect(fs.close(1, fd)).toBe(0);
    expect(fs.inodes.live).toBe(live);
    const b = Buffer.alloc(10);
    expect(fs.pread(2, fd, b, 10, 0)).toBe(10);
    expect(fs.close(2, fd)).toBe(0);
    expect(fs.inodes.live).toBe(live - 1);
  });

  test('cwd, umask and ids are copied, then each side changes its own', () => {
    const fs = new Imfs();
    expect(fs.mkdir(0, '/a', 0o777)).toBe(0);
    expect(fs.mkdir(0, '/b', 0o777)).toBe(0);
    expect(fs.chmod(0, '/a', 0o777)).toBe(0);
    expect(fs.createCage(1, { uid: 1000, gid: 100, groups: [100, 7], umask: 0o027, cwd: '/a' })).toBe(0);
    expect(fs.forkCage(1, 2)).toBe(0);
    expect(fs.cwd(2)).toBe('/a');
    expect(fs.cage(2)!.cred).toEqual({ uid: 1000, gid: 100, euid: 1000, egid: 100, groups: [100, 7] });
    expect(fs.close(2, fs.open(2, 'child', O_RDWR | O_CREAT, 0o666))).toBe(0);
    const st = statOf(fs, '/a/child');
    expect(st.mode).toBe(S_IFREG | 0o640);
    expect([st.uid, st.gid]).toEqual([1000, 100]);
    expect(fs.chdir(2, '/b')).toBe(0);
    expect(fs.umask(2, 0o077)).toBe(0o027);
    expect(fs.setCredentials(2, { euid: 2000 })).toBe(0);
    expect(fs.cwd(1)).toBe('/a');
    expect(fs.umask(1, 0o027)).toBe(0o027);
    expect(fs.cage(1)!.cred.euid).toBe(1000);
    expect(fs.cage(2)!.cred.euid).toBe(2000);
  });

  test('reserved stdio slots are copied as they are', () => {
    const fs = new Imfs();
    expect(fs.createCage(1)).toBe(0);
    const fd = fs.open(1, '/', O_RDONLY);
    expect(fs.dup2(1, fd, 1)).toBe(1);
    expect(fs.forkCage(1, 2)).toBe(0);
    expect(fs.fcntl(2, 0, F_GETFD)).toBe(-EBADF);
    expect(fs.fcntl(2, 1, F_GETFD)).toBe(0);
    expect(fs.fcntl(2, 2, F_GETFD)).toBe(-EBADF);
    expect(fs.close(2, 1)).toBe(0);
    expect(fs.open(2, '/', O_RDONLY)).toBe(1);
    expect(fs.open(2, '/', O_RDONLY)).toBe(4);
  });

  test('ESRCH for an unknown parent; EEXIST for a child id in use', () => {
    const fs = new Imfs();
    expect(fs.forkCage(9, 10)).toBe(-ESRCH);
    expect(fs.hasCage(10)).toBe(false);
    expect(fs.forkCage(0, 0)).toBe(-EEXIST);
    expect(fs.forkCage(0, 1)).toBe(0);
    expect(fs.forkCage(0, 1)).toBe(-EEXIST);
  });
});

describe('execCage', () => {
  test('closes exactly the FD_CLOEXEC descriptors, whichever way the flag was set', () => {
    const fs = new Imfs();
    expect(fs.createCage(1)).toBe(0);
    const keep = fs.open(1, '/k', O_RDWR | O_CREAT, 0o644);
    const a = fs.open(1, '/a', O_RDWR | O_CREAT | O_CLOEXEC, 0o644);
    const b = fs.fcntl(1, keep, F_DUPFD_CLOEXEC, 10);
    const c = fs.dup3(1, keep, 20, O_CLOEXEC);
    const d = fs.dup(1, keep);
    expect(fs.fcntl(1, d, F_SETFD, FD_CLOEXEC)).toBe(0);
    const e = fs.open(1, '/a', O_RDONLY | O_CLOEXEC);
    expect(fs.fcntl(1, e, F_SETFD, 0)).toBe(0);
    const p = [0, 0];
    expect(fs.pipe2(1, p, O_CLOEXEC)).toBe(0);
    expect(fs.write(1, keep, text('abc'))).toBe(3);
    expect(fs.fcntl(1, keep, F_SETFL, O_APPEND)).toBe(0);
    expect(fs.execCage(1)).toBe(0);
    for (const fd of [a, b, c, d, p[0], p[1]]) expect(fs.fcntl(1, fd, F_GETFD)).toBe(-EBADF);
    expect(fs.fcntl(1, keep, F_GETFD)).toBe(0);
    expect(fs.fcntl(1, e, F_GETFD)).toBe(0);
    expect(fs.lseek(1, keep, 0, SEEK_CUR)).toBe(3);
    expect(fs.fcntl(1, keep, F_GETFL)).toBe(O_RDWR | O_APPEND);
  });

  test('cwd, umask and ids are unchanged', () => {
    const fs = new Imfs();
    expect(fs.mkdir(0, '/d', 0o755)).toBe(0);
    expect(fs.createCage(1, { uid: 7, gid: 8, umask: 0o002, cwd: '/d' })).toBe(0);
    expect(fs.execCage(1)).toBe(0);
    expect(fs.cwd(1)).toBe('/d');
    expect(fs.umask(1, 0)).toBe(0o002);
    expect(fs.cage(1)!.cred).toMatchObject({ uid: 7, gid: 8 });
  });

  test('what exec closes is really closed: a CLOEXEC pipe write end gives the reader EOF', () => {
    const fs = new Imfs();
    expect(fs.createCage(1)).toBe(0);
    const p = [0, 0];
    expect(fs.pipe(0, p)).toBe(0);
    expect(fs.forkCage(0, 2)).toBe(0);
    expect(fs.fcntl(2, p[1], F_SETFD, FD_CLOEXEC)).toBe(0);
    expect(fs.close(0, p[1])).toBe(0);
    expect(fs.read(0, p[0], Buffer.alloc(1))).toBe(WOULD_BLOCK);
    expect(fs.execCage(2)).toBe(0);
    expect(fs.read(0, p[0], Buffer.alloc(1))).toBe(0);
  });

  test('ESRCH for an unknown cage', () => {
    expect(new Imfs().execCage(3)).toBe(-ESRCH);
  });
});

describe('exitCage', () => {
  test('closes every descriptor: unlinked open files are freed', () => {
    const fs = new Imfs();
    expect(fs.createCage(1)).toBe(0);
    const live = fs.inodes.live;
    const a = fs.open(1, '/a', O_RDWR | O_CREAT, 0o644);
    fs.open(1, '/b', O_RDWR | O_CREAT, 0o644);
    fs.dup(1, a);
    expect(fs.write(1, a, Buffer.alloc(10000))).toBe(10000);
    expect(fs.unlink(1, '/a')).toBe(0);
    expect(fs.unlink(1, '/b')).toBe(0);
    expect(fs.inodes.live).toBe(live + 2);
    const used = fs.space.used;
    expect(used).toBeGreaterThan(0);
    expect(fs.exitCage(1)).toBe(0);
    expect(fs.inodes.live).toBe(live);
    expect(fs.space.used).toBe(0);
  });

  test('pipe ends go: EOF for readers elsewhere, EPIPE for writers elsewhere', () => {
    const fs = new Imfs();
    const p = [0, 0], q = [0, 0];
    expect(fs.pipe(0, p)).toBe(0);
    expect(fs.pipe(0, q)).toBe(0);
    expect(fs.forkCage(0, 1)).toBe(0);
    expect(fs.close(0, p[1])).toBe(0);
    expect(fs.close(0, q[0])).toBe(0);
    expect(fs.exitCage(1)).toBe(0);
    expect(fs.read(0, p[0], Buffer.alloc(1))).toBe(0);
    expect(fs.write(0, q[1], Buffer.alloc(1))).toBe(-EPIPE);
  });

  test('drops record locks; flock locks of descriptions still open elsewhere stay', () => {
    const fs = new Imfs();
    expect(fs.createCage(1)).toBe(0);
    expect(fs.createCage(2)).toBe(0);
    const fd = fs.open(1, '/f', O_RDWR | O_CREAT, 0o644);
    const lock: Flock = { type: F_WRLCK, whence: SEEK_SET, start: 0, len: 0, pid: 0 };
    expect(fs.fcntl(1, fd, F_SETLK, lock)).toBe(0);
    expect(fs.flock(1, fd, LOCK_EX)).toBe(0);
    expect(fs.forkCage(1, 3)).toBe(0);
    expect(fs.exitCage(1)).toBe(0);
    const g = fs.open(2, '/f', O_RDWR);
    const q: Flock = { type: F_WRLCK, whence: SEEK_SET, start: 0, len: 0, pid: 0 };
    expect(fs.fcntl(2, g, F_GETLK, q)).toBe(0);
    expect(q.type).toBe(F_UNLCK);
    expect(fs.flock(2, g, LOCK_EX | LOCK_NB)).toBe(-EAGAIN);
    expect(fs.exitCage(3)).toBe(0);
    expect(fs.flock(2, g, LOCK_EX | LOCK_NB)).toBe(0);
  });

  test('descriptions shared with another cage survive', () => {
    const fs = new Imfs();
    expect(fs.createCage(1)).toBe(0);
    const fd = fs.open(1, '/f', O_RDWR | O_CREAT, 0o644);
    expect(fs.write(1, fd, text('shared'))).toBe(6);
    expect(fs.forkCage(1, 2)).toBe(0);
    expect(fs.exitCage(1)).toBe(0);
    expect(fs.lseek(2, fd, 0, SEEK_CUR)).toBe(6);
    const b = Buffer.alloc(6);
    expect(fs.pread(2, fd, b, 6, 0)).toBe(6);
    expect(b.toString()).toBe('shared');
  });

  test('the cage is gone (ESRCH from then on) and its id can be used again', () => {
    const fs = new Imfs();
    expect(fs.createCage(1, { uid: 5 })).toBe(0);
    expect(fs.exitCage(1)).toBe(0);
    expect(fs.hasCage(1)).toBe(false);
    expect(fs.exitCage(1)).toBe(-ESRCH);
    expect(fs.open(1, '/', O_RDONLY)).toBe(-ESRCH);
    expect(fs.forkCage(0, 1)).toBe(0);
    expect(fs.cage(1)!.cred.uid).toBe(0);
    expect(fs.open(1, '/', O_RDONLY)).toBe(3);
  });
});

describe('per-cage state is independent', () => {
  test('umask: each cage has its own', () => {
    const fs = new Imfs();
    expect(fs.createCage(1)).toBe(0);
    expect(fs.createCage(2)).toBe(0);
    expect(fs.umask(1, 0o077)).toBe(0o022);
    expect(fs.close(1, fs.open(1, '/one', O_RDWR | O_CREAT, 0o666))).toBe(0);
    expect(fs.close(2, fs.open(2, '/two', O_RDWR | O_CREAT, 0o666))).toBe(0);
    expect(statOf(fs, '/one').mode).toBe(S_IFREG | 0o600);
    expect(statOf(fs, '/two').mode).toBe(S_IFREG | 0o644);
  });

  test('cwd: relative paths resolve against each cage\'s own directory', () => {
    const fs = new Imfs();
    expect(fs.mkdir(0, '/a', 0o755)).toBe(0);
    expect(fs.mkdir(0, '/b', 0o755)).toBe(0);
    expect(fs.createCage(1, { cwd: '/a' })).toBe(0);
    expect(fs.createCage(2, { cwd: '/b' })).toBe(0);
    expect(fs.close(1, fs.open(1, 'x', O_RDWR | O_CREAT, 0o644))).toBe(0);
    expect(fs.exists(0, '/a/x')).toBe(true);
    expect(fs.exists(2, 'x')).toBe(false);
    expect(fs.chdir(2, '/a')).toBe(0);
    expect(fs.exists(2, 'x')).toBe(true);
    expect(fs.cwd(1)).toBe('/a');
    expect(fs.cwd(0)).toBe('/');
  });

  test('descriptor tables: the same number means different files in different cages', () => {
    const fs = new Imfs();
    expect(fs.createCage(1)).toBe(0);
    expect(fs.createCage(2)).toBe(0);
    const a = fs.open(1, '/a', O_RDWR | O_CREAT, 0o644);
    const b = fs.open(2, '/b', O_RDWR | O_CREAT, 0o644);
    expect(a).toBe(b);
    expect(fs.write(1, a, text('A'))).toBe(1);
    expect(statOf(fs, '/a').size).toBe(1);
    expect(statOf(fs, '/b').size).toBe(0);
    expect(fs.close(1, a)).toBe(0);
    expect(fs.write(2, b, text('B'))).toBe(1);
  });

  test('setCredentials changes only that cage, and applies to its next calls', () => {
    const fs = new Imfs();
    expect(fs.close(0, fs.open(0, '/secret', O_RDWR | O_CREAT, 0o600))).toBe(0);
    expect(fs.createCage(1)).toBe(0);
    expect(fs.createCage(2)).toBe(0);
    expect(fs.setCredentials(1, { uid: 1000, euid: 1000, gid: 1000, egid: 1000, groups: [1000] })).toBe(0);
    expect(fs.open(1, '/secret', O_RDONLY)).toBe(-EACCES);
    expect(fs.open(2, '/secret', O_RDONLY)).toBe(3);
    expect(fs.setCredentials(9, { uid: 1 })).toBe(-ESRCH);
  });
});

describe('unknown cages: ESRCH', () => {
  test('every call with a cage id that does not exist', () => {
    const fs = new Imfs();
    const sink: Device = { write: (_s, _o, len) => len };
    const u = 42;
    const calls: [string, () => number | string | object | null][] = [
      ['open', () => fs.open(u, '/', O_RDONLY | O_DIRECTORY)],
      ['close', () => fs.close(u, 3)],
      ['read', () => fs.read(u, 3, Buffer.alloc(1))],
      ['write', () => fs.write(u, 3, Buffer.alloc(1))],
      ['lseek', () => fs.lseek(u, 3, 0, SEEK_SET)],
      ['dup', () => fs.dup(u, 3)],
      ['dup2', () => fs.dup2(u, 3, 4)],
      ['fcntl', () => fs.fcntl(u, 3, F_GETFD)],
      ['flock', () => fs.flock(u, 3, LOCK_EX)],
      ['pipe', () => fs.pipe(u, [0, 0])],
      ['stat', () => fs.stat(u, '/', newStat())],
      ['fstat', () => fs.fstat(u, 3, newStat())],
      ['mkdir', () => fs.mkdir(u, '/d', 0o755)],
      ['mkfifo', () => fs.mkfifo(u, '/q', 0o644)],
      ['unlink', () => fs.unlink(u, '/x')],
      ['chdir', () => fs.chdir(u, '/')],
      ['getcwd', () => fs.getcwd(u, new Uint8Array(64))],
      ['cwd', () => fs.cwd(u)],
      ['umask', () => fs.umask(u, 0)],
      ['execCage', () => fs.execCage(u)],
      ['exitCage', () => fs.exitCage(u)],
      ['forkCage', () => fs.forkCage(u, 43)],
      ['setCredentials', () => fs.setCredentials(u, { uid: 1 })],
      ['installStream', () => fs.installStream(u, 1, sink, O_WRONLY, 0o020000)],
      ['readdir', () => fs.readdir(u, 3)],
    ];
    for (const [name, call] of calls) expect([name, call()]).toEqual([name, -ESRCH]);
    // nothing was created along the way
    expect(fs.exists(0, '/d')).toBe(false);
    expect(fs.exists(0, '/q')).toBe(false);
    expect(fs.hasCage(43)).toBe(false);
    expect(fs.exists(u, '/')).toBe(false);
  });
});
