/**
 * The IMFS's configurable limits, as a tmpfs mounted with size= and nr_inodes= and a
 * process with RLIMIT_NOFILE behave: maxFds (EMFILE, per cage), maxInodes (ENOSPC),
 * maxBytes (ENOSPC, space given back), maxFileSize (EFBIG), maxLinks (EMLINK), statfs
 * reporting them, and the constructor rejecting nonsense.
 * getrlimit(2) RLIMIT_NOFILE: "a value one greater than the maximum file descriptor number
 * that can be opened by this process".
 */
import { describe, test, expect } from 'vitest';
import {
  Imfs, newStat, newStatfs, EBADF, EEXIST, EFBIG, EINVAL, EMFILE, EMLINK, ENOENT, ENOSPC,
  O_RDONLY, O_RDWR, O_WRONLY, O_CREAT, O_APPEND, O_TRUNC, O_TMPFILE, F_DUPFD, S_IFREG, S_IFSOCK, SEEK_SET, FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE, TMPFS_MAGIC,
  _PC_LINK_MAX, DEFAULT_LIMITS, type Limits, EPERM, ESRCH, RLIMIT_AS, RLIMIT_CORE, RLIMIT_NOFILE,
  RLIMIT_STACK, RLIM_INFINITY, RLIM_NLIMITS, newRlimit,
} from '../../src/core/index.js';

const K4 = 4096;

function filled(n: number): Buffer {
  return Buffer.alloc(n, 0x5a);
}

describe('maxFds: RLIMIT_NOFILE of each cage (EMFILE)', () => {
  test('descriptors are below maxFds; the next open is EMFILE, whatever the path', () => {
    const fs = new Imfs({ limits: { maxFds: 6 } });
    for (const fd of [3, 4, 5]) expect(fs.open(0, '/', O_RDONLY)).toBe(fd);
    expect(fs.open(0, '/', O_RDONLY)).toBe(-EMFILE);
    expect(fs.open(0, '/missing', O_RDONLY)).toBe(-EMFILE);
    expect(fs.open(0, '/new', O_RDWR | O_CREAT, 0o644)).toBe(-EMFILE);
    expect(fs.exists(0, '/new')).toBe(false);
    expect(fs.dup(0, 3)).toBe(-EMFILE);
    expect(fs.fcntl(0, 3, F_DUPFD, 0)).toBe(-EMFILE);
    expect(fs.pipe(0, [0, 0])).toBe(-EMFILE);
    expect(fs.close(0, 4)).toBe(0);
    expect(fs.open(0, '/', O_RDONLY)).toBe(4);
  });

  test('dup2 onto a descriptor at or above the limit: EBADF', () => {
    const fs = new Imfs({ limits: { maxFds: 6 } });
    expect(fs.open(0, '/', O_RDONLY)).toBe(3);
    expect(fs.dup2(0, 3, 6)).toBe(-EBADF);
    expect(fs.dup2(0, 3, 5)).toBe(5);
  });

  test('the limit is per cage: one cage filling its table does not affect another', () => {
    const fs = new Imfs({ limits: { maxFds: 5 } });
    expect(fs.createCage(1, {})).toBe(0);
    expect(fs.open(0, '/', O_RDONLY)).toBe(3);
    expect(fs.open(0, '/', O_RDONLY)).toBe(4);
    expect(fs.open(0, '/', O_RDONLY)).toBe(-EMFILE);
    expect(fs.open(1, '/', O_RDONLY)).toBe(3);
    expect(fs.open(1, '/', O_RDONLY)).toBe(4);
  });

  test('createCage may give a cage its own limit; forkCage passes it on', () => {
    const fs = new Imfs({ limits: { maxFds: 100 } });
    expect(fs.createCage(1, { maxFds: 4 })).toBe(0);
    expect(fs.open(1, '/', O_RDONLY)).toBe(3);
    expect(fs.open(1, '/', O_RDONLY)).toBe(-EMFILE);
    expect(fs.forkCage(1, 2)).toBe(0);
    expect(fs.open(2, '/', O_RDONLY)).toBe(-EMFILE);
    expect(fs.close(2, 3)).toBe(0);
    expect(fs.open(2, '/', O_RDONLY)).toBe(3);
    expect(fs.open(0, '/', O_RDONLY)).toBe(3);
    expect(fs.fcntl(0, 3, F_DUPFD, 50)).toBe(50);
  });

  test('exitCage frees the table (a new cage with the same id starts empty)', () => {
    const fs = new Imfs({ limits: { maxFds: 4 } });
    expect(fs.createCage(1, {})).toBe(0);
    expect(fs.open(1, '/', O_RDONLY)).toBe(3);
    expect(fs.exitCage(1)).toBe(0);
    expect(fs.createCage(1, {})).toBe(0);
    expect(fs.open(1, '/', O_RDONLY)).toBe(3);
  });
});

describe('prlimit: the limits of a cage (getrlimit(2), setrlimit(2), prlimit(2))', () => {
  const get = (fs: Imfs, cage: number, resource: number, pid = 0) => {
    const old = newRlimit();
    const r = fs.prlimit(cage, pid, resource, null, old);
    return r < 0 ? r : old;
  };
  const set = (fs: Imfs, cage: number, resource: number, cur: number, max: number, pid = 0) => fs.prlimit(cage, pid, resource, { cur, max }, null);

  test('RLIMIT_NOFILE is maxFds, soft and hard; lowering the soft value applies at once', () => {
    const fs = new Imfs({ limits: { maxFds: 8 } });
    expect(get(fs, 0, RLIMIT_NOFILE)).toEqual({ cur: 8, max: 8 });
    const old = newRlimit();
    expect(fs.prlimit(0, 0, RLIMIT_NOFILE, { cur: 5, max: 8 }, old)).toBe(0);
    expect(old).toEqual({ cur: 8, max: 8 }); // the limit before the change
    for (const fd of [3, 4]) expect(fs.open(0, '/', O_RDONLY)).toBe(fd);
    expect(fs.open(0, '/', O_RDONLY)).toBe(-EMFILE);
    expect(set(fs, 0, RLIMIT_NOFILE, 8, 8)).toBe(0);
    expect(fs.open(0, '/', O_RDONLY)).toBe(5);
  });

  test('soft above hard is EINVAL; a descriptor limit above maxFds is EPERM, even for root', () => {
    const fs = new Imfs({ limits: { maxFds: 64 } });
    expect(set(fs, 0, RLIMIT_NOFILE, 10, 5)).toBe(-EINVAL);
    expect(set(fs, 0, RLIMIT_NOFILE, 10, 65)).toBe(-EPERM);
    expect(set(fs, 0, RLIMIT_NOFILE, 10, RLIM_INFINITY)).toBe(-EPERM);
    expect(get(fs, 0, RLIMIT_NOFILE)).toEqual({ cur: 64, max: 64 });
  });

  test('a user may lower a hard limit but not raise it again; root may', () => {
    const fs = new Imfs();
    expect(fs.createCage(1, { uid: 1000, gid: 1000 })).toBe(0);
    expect(set(fs, 1, RLIMIT_CORE, 0, 1 << 20)).toBe(0);
    expect(set(fs, 1, RLIMIT_CORE, 0, RLIM_INFINITY)).toBe(-EPERM);
    expect(set(fs, 1, RLIMIT_CORE, 1 << 20, 1 << 20)).toBe(0); // up to the hard value is fine
    expect(get(fs, 1, RLIMIT_CORE)).toEqual({ cur: 1 << 20, max: 1 << 20 });
    expect(set(fs, 0, RLIMIT_CORE, 0, 16)).toBe(0);
    expect(set(fs, 0, RLIMIT_CORE, 0, RLIM_INFINITY)).toBe(0);
  });

  test('defaults: an 8 MiB stack, no core files, unlimited address space; every resource has one', () => {
    const fs = new Imfs();
    expect(get(fs, 0, RLIMIT_STACK)).toEqual({ cur: 8 * 1024 * 1024, max: RLIM_INFINITY });
    expect(get(fs, 0, RLIMIT_CORE)).toEqual({ cur: 0, max: RLIM_INFINITY });
    expect(get(fs, 0, RLIMIT_AS)).toEqual({ cur: RLIM_INFINITY, max: RLIM_INFINITY });
    for (let r = 0; r < RLIM_NLIMITS; r++) expect(get(fs, 0, r)).not.toBeTypeOf('number');
    expect(get(fs, 0, RLIM_NLIMITS)).toBe(-EINVAL);
    expect(get(fs, 0, -1)).toBe(-EINVAL);
  });

  test('fork copies the limits; each cage then has its own', () => {
    const fs = new Imfs({ limits: { maxFds: 100 } });
    expect(fs.createCage(1, {})).toBe(0);
    expect(set(fs, 1, RLIMIT_NOFILE, 4, 50)).toBe(0);
    expect(set(fs, 1, RLIMIT_STACK, 1 << 16, 1 << 20)).toBe(0);
    expect(fs.forkCage(1, 2)).toBe(0);
    expect(get(fs, 2, RLIMIT_NOFILE)).toEqual({ cur: 4, max: 50 });
    expect(get(fs, 2, RLIMIT_STACK)).toEqual({ cur: 1 << 16, max: 1 << 20 });
    expect(set(fs, 2, RLIMIT_STACK, 1 << 10, 1 << 20)).toBe(0);
    expect(get(fs, 1, RLIMIT_STACK)).toEqual({ cur: 1 << 16, max: 1 << 20 });
  });

  test('another cage: by pid with the same ids, or as root; ESRCH for no such cage', () => {
    const fs = new Imfs();
    for (const [id, uid] of [[1, 1000], [2, 1000], [3, 1001]]) expect(fs.createCage(id, { uid, gid: uid })).toBe(0);
    expect(set(fs, 1, RLIMIT_CORE, 0, 0, 2)).toBe(0);
    expect(get(fs, 1, RLIMIT_CORE, 2)).toEqual({ cur: 0, max: 0 });
    expect(get(fs, 1, RLIMIT_CORE, 3)).toBe(-EPERM);
    expect(get(fs, 0, RLIMIT_CORE, 3)).toEqual({ cur: 0, max: RLIM_INFINITY });
    expect(get(fs, 1, RLIMIT_CORE, 99)).toBe(-ESRCH);
    expect(get(fs, 99, RLIMIT_CORE)).toBe(-ESRCH);
  });
});

describe('maxInodes: ENOSPC when every inode is in use', () => {
  /** An IMFS with room for `free` inodes besides the root. */
  function full(free: number) {
    return new Imfs({ limits: { maxInodes: free + 1 } });
  }

  test('open(O_CREAT), mkdir, symlink, mknod, mkfifo, bind and O_TMPFILE all need one', () => {
    const fs = full(1);
    expect(fs.mkdir(0, '/d', 0o755)).toBe(0);
    expect(fs.open(0, '/f', O_RDWR | O_CREAT, 0o644)).toBe(-ENOSPC);
    expect(fs.mkdir(0, '/e', 0o755)).toBe(-ENOSPC);
    expect(fs.symlink(0, '/d', '/l')).toBe(-ENOSPC);
    expect(fs.mknod(0, '/n', S_IFREG | 0o644)).toBe(-ENOSPC);
    expect(fs.mknod(0, '/s', S_IFSOCK | 0o644)).toBe(-ENOSPC);
    expect(fs.mkfifo(0, '/p', 0o644)).toBe(-ENOSPC);
    expect(fs.open(0, '/d', O_TMPFILE | O_RDWR, 0o600)).toBe(-ENOSPC);
    expect(fs.bind(0, '/sock')).toBe(-ENOSPC);
    for (const p of ['/f', '/e', '/l', '/n', '/s', '/p', '/sock']) expect(fs.exists(0, p)).toBe(false);
  });

  test('what needs no new inode still works: rename, opening existing files; EEXIST wins', () => {
    const fs = full(2);
    expect(fs.close(0, fs.open(0, '/f', O_RDWR | O_CREAT, 0o644))).toBe(0);
    expect(fs.mkdir(0, '/d', 0o755)).toBe(0);
    expect(fs.rename(0, '/f', '/d/g')).toBe(0);
    expect(fs.rename(0, '/d/g', '/h')).toBe(0);
    expect(fs.link(0, '/h', '/f')).toBe(-ENOSPC);
    expect(fs.rename(0, '/h', '/f')).toBe(0);
    expect(fs.open(0, '/f', O_RDWR | O_CREAT, 0o644)).toBe(3);
    expect(fs.mkdir(0, '/d', 0o755)).toBe(-EEXIST);
    expect(fs.symlink(0, 'x', '/f')).toBe(-EEXIST);
  });

  test('each extra hard link costs an inode, as tmpfs charges one (shmem_link), and gives it back when removed', () => {
    const fs = full(2);
    expect(fs.close(0, fs.open(0, '/f', O_RDWR | O_CREAT, 0o644))).toBe(0);
    expect(fs.link(0, '/f', '/g')).toBe(0);
    expect(fs.link(0, '/f', '/h')).toBe(-ENOSPC);
    expect(fs.mkdir(0, '/d', 0o755)).toBe(-ENOSPC);
    const sf = newStatfs();
    expect(fs.statfs(0, '/', sf)).toBe(0);
    expect(sf.ffree).toBe(0);
    expect(fs.unlink(0, '/g')).toBe(0);
    expect(fs.link(0, '/f', '/h')).toBe(0);
    expect(fs.unlink(0, '/f')).toBe(0);
    expect(fs.mkdir(0, '/d', 0o755)).toBe(0);
  });

  test('freed inodes can be used again; an unlinked file holds its inode until the last close', () => {
    const fs = full(1);
    const fd = fs.open(0, '/f', O_RDWR | O_CREAT, 0o644);
    expect(fs.unlink(0, '/f')).toBe(0);
    expect(fs.mkdir(0, '/d', 0o755)).toBe(-ENOSPC);
    expect(fs.close(0, fd)).toBe(0);
    expect(fs.mkdir(0, '/d', 0o755)).toBe(0);
    expect(fs.rmdir(0, '/d')).toBe(0);
    expect(fs.symlink(0, 'target', '/l')).toBe(0);
    expect(fs.unlink(0, '/l')).toBe(0);
    expect(fs.mkfifo(0, '/p', 0o644)).toBe(0);
  });

  test('pipes do not use the filesystem\'s inodes (pipefs is not tmpfs)', () => {
    const fs = full(0);
    const p = [0, 0];
    expect(fs.pipe(0, p)).toBe(0);
    const sf = newStatfs();
    expect(fs.statfs(0, '/', sf)).toBe(0);
    expect(sf.ffree).toBe(0);
    expect(fs.close(0, p[0])).toBe(0);
    expect(fs.close(0, p[1])).toBe(0);
    expect(fs.mkdir(0, '/d', 0o755)).toBe(-ENOSPC);
  });
});

describe('maxBytes: ENOSPC when the data does not fit, space given back', () => {
  /** 4 chunks of 4 KiB of file data. */
  function small() {
    return new Imfs({ limits: { maxBytes: 4 * K4, chunkSize: K4, maxFileSize: 2 ** 43 } });
  }

  test('symlink targets count too (tmpfs charges a long target a page): ENOSPC, and given back on unlink', () => {
    const fs = small();
    const long = 'x'.repeat(4000);
    for (let i = 0; i < 4; i++) expect(fs.symlink(0, long, `/l${i}`)).toBe(0);
    expect(fs.symlink(0, long, '/l4')).toBe(-ENOSPC);
    expect(fs.lstat(0, '/l4', newStat())).toBe(-ENOENT);
    expect(fs.unlink(0, '/l0')).toBe(0);
    expect(fs.symlink(0, long, '/l4')).toBe(0);
  });

  test('a write that does not fit is short; the next one is ENOSPC', () => {
    const fs = small();
    const fd = fs.open(0, '/f', O_RDWR | O_CREAT, 0o644);
    expect(fs.write(0, fd, filled(3 * K4))).toBe(3 * K4);
    expect(fs.write(0, fd, filled(2 * K4))).toBe(K4);
    expect(fs.write(0, fd, filled(1))).toBe(-ENOSPC);
    const st = newStat();
    expect(fs.fstat(0, fd, st)).toBe(0);
    expect(st.size).toBe(4 * K4);
    const g = fs.open(0, '/g', O_RDWR | O_CREAT, 0o644);
    expect(fs.write(0, g, filled(1))).toBe(-ENOSPC);
    expect(fs.pwrite(0, fd, filled(1), 1, 10 * K4)).toBe(-ENOSPC);
    // overwriting bytes already stored needs no space
    expect(fs.pwrite(0, fd, filled(100), 100, 0)).toBe(100);
  });

  test('a sparse file only costs what is written; fallocate reserves space or fails whole', () => {
    const fs = small();
    const fd = fs.open(0, '/f', O_RDWR | O_CREAT, 0o644);
    expect(fs.ftruncate(0, fd, 1 << 30)).toBe(0);
    expect(fs.pwrite(0, fd, filled(K4), K4, 1 << 20)).toBe(K4);
    expect(fs.fallocate(0, fd, 0, 0, 4 * K4)).toBe(-ENOSPC);
    expect(fs.fallocate(0, fd, 0, 0, 3 * K4)).toBe(0);
    expect(fs.pwrite(0, fd, filled(1), 1, 5 * K4)).toBe(-ENOSPC);
  });

  test('unlink gives the space back, but only after the last close', () => {
    const fs = small();
    const fd = fs.open(0, '/f', O_RDWR | O_CREAT, 0o644);
    expect(fs.write(0, fd, filled(4 * K4))).toBe(4 * K4);
    expect(fs.unlink(0, '/f')).toBe(0);
    const g = fs.open(0, '/g', O_RDWR | O_CREAT, 0o644);
    expect(fs.write(0, g, filled(1))).toBe(-ENOSPC);
    expect(fs.close(0, fd)).toBe(0);
    expect(fs.write(0, g, filled(4 * K4))).toBe(4 * K4);
  });

  test('truncate and ftruncate give back what lies past the new size', () => {
    const fs = small();
    const fd = fs.open(0, '/f', O_RDWR | O_CREAT, 0o644);
    expect(fs.write(0, fd, filled(4 * K4))).toBe(4 * K4);
    expect(fs.ftruncate(0, fd, 2 * K4)).toBe(0);
    const g = fs.open(0, '/g', O_RDWR | O_CREAT, 0o644);
    expect(fs.write(0, g, filled(2 * K4))).toBe(2 * K4);
    expect(fs.write(0, g, filled(1))).toBe(-ENOSPC);
    expect(fs.truncate(0, '/f', 0)).toBe(0);
    expect(fs.write(0, g, filled(2 * K4))).toBe(2 * K4);
  });

  test('punching a hole gives back the chunks it covers', () => {
    const fs = small();
    const fd = fs.open(0, '/f', O_RDWR | O_CREAT, 0o644);
    expect(fs.write(0, fd, filled(4 * K4))).toBe(4 * K4);
    expect(fs.fallocate(0, fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, K4, 2 * K4)).toBe(0);
    const g = fs.open(0, '/g', O_RDWR | O_CREAT, 0o644);
    expect(fs.write(0, g, filled(3 * K4))).toBe(2 * K4);
    const st = newStat();
    expect(fs.fstat(0, fd, st)).toBe(0);
    expect(st.size).toBe(4 * K4);
    expect(st.blocks).toBe((2 * K4) / 512);
  });

  test('the O_TRUNC of an open gives the space back', () => {
    const fs = small();
    expect(fs.close(0, fs.open(0, '/f', O_RDWR | O_CREAT, 0o644))).toBe(0);
    const fd = fs.open(0, '/f', O_WRONLY);
    expect(fs.write(0, fd, filled(4 * K4))).toBe(4 * K4);
    expect(fs.open(0, '/f', O_WRONLY | O_TRUNC)).toBe(4);
    expect(fs.pwrite(0, fd, filled(4 * K4), 4 * K4, 0)).toBe(4 * K4);
  });
});

describe('maxFileSize: EFBIG past the largest file size', () => {
  function capped() {
    const fs = new Imfs({ limits: { maxFileSize: 10000, chunkSize: K4 } });
    const fd = fs.open(0, '/f', O_RDWR | O_CREAT, 0o644);
    return { fs, fd };
  }

  test('a write crossing the limit is cut at it; at or past the limit: EFBIG', () => {
    const { fs, fd } = capped();
    expect(fs.pwrite(0, fd, filled(20), 20, 9990)).toBe(10);
    expect(fs.pwrite(0, fd, filled(1), 1, 10000)).toBe(-EFBIG);
    expect(fs.pwrite(0, fd, filled(1), 1, 20000)).toBe(-EFBIG);
    expect(fs.lseek(0, fd, 10000, SEEK_SET)).toBe(10000);
    expect(fs.write(0, fd, filled(1))).toBe(-EFBIG);
    const st = newStat();
    expect(fs.fstat(0, fd, st)).toBe(0);
    expect(st.size).toBe(10000);
  });

  test('O_APPEND at a full-size file: EFBIG', () => {
    const { fs, fd } = capped();
    expect(fs.ftruncate(0, fd, 10000)).toBe(0);
    const a = fs.open(0, '/f', O_WRONLY | O_APPEND);
    expect(fs.write(0, a, filled(1))).toBe(-EFBIG);
  });

  test('truncate, ftruncate and fallocate past the limit: EFBIG; up to it is fine', () => {
    const { fs, fd } = capped();
    expect(fs.ftruncate(0, fd, 10001)).toBe(-EFBIG);
    expect(fs.truncate(0, '/f', 10001)).toBe(-EFBIG);
    expect(fs.fallocate(0, fd, 0, 9000, 1001)).toBe(-EFBIG);
    expect(fs.ftruncate(0, fd, 10000)).toBe(0);
    expect(fs.fallocate(0, fd, 0, 9000, 1000)).toBe(0);
  });

  test('copy_file_range into the limit is cut at it, then EFBIG', () => {
    const { fs, fd } = capped();
    const src = fs.open(0, '/src', O_RDWR | O_CREAT, 0o644);
    expect(fs.write(0, src, filled(100))).toBe(100);
    expect(fs.copy_file_range(0, src, { value: 0 }, fd, { value: 9950 }, 100)).toBe(50);
    expect(fs.copy_file_range(0, src, { value: 0 }, fd, { value: 10000 }, 100)).toBe(-EFBIG);
  });

  test('lseek past the limit on a regular file: EINVAL (as vfs_setpos with s_maxbytes)', () => {
    const { fs, fd } = capped();
    expect(fs.lseek(0, fd, 10001, SEEK_SET)).toBe(-EINVAL);
    expect(fs.lseek(0, fd, 0, SEEK_SET)).toBe(0);
  });
});

describe('maxLinks: EMLINK', () => {
  test('link refuses a file that already has maxLinks links', () => {
    const fs = new Imfs({ limits: { maxLinks: 3 } });
    expect(fs.close(0, fs.open(0, '/f', O_RDWR | O_CREAT, 0o644))).toBe(0);
    expect(fs.link(0, '/f', '/g')).toBe(0);
    expect(fs.link(0, '/f', '/h')).toBe(0);
    expect(fs.link(0, '/f', '/i')).toBe(-EMLINK);
    expect(fs.exists(0, '/i')).toBe(false);
    expect(fs.unlink(0, '/h')).toBe(0);
    expect(fs.link(0, '/f', '/i')).toBe(0);
  });

  test('mkdir refuses when the parent already has maxLinks links; rename of a directory into it too', () => {
    const fs = new Imfs({ limits: { maxLinks: 4 } });
    expect(fs.mkdir(0, '/d', 0o755)).toBe(0);
    expect(fs.mkdir(0, '/d/a', 0o755)).toBe(0);
    expect(fs.mkdir(0, '/d/b', 0o755)).toBe(0);
    const st = newStat();
    expect(fs.stat(0, '/d', st)).toBe(0);
    expect(st.nlink).toBe(4);
    expect(fs.mkdir(0, '/d/c', 0o755)).toBe(-EMLINK);
    expect(fs.mkdir(0, '/x', 0o755)).toBe(0);
    expect(fs.rename(0, '/x', '/d/x')).toBe(-EMLINK);
    // a file does not add a link to its directory
    expect(fs.close(0, fs.open(0, '/d/file', O_RDWR | O_CREAT, 0o644))).toBe(0);
    expect(fs.rmdir(0, '/d/b')).toBe(0);
    expect(fs.mkdir(0, '/d/c', 0o755)).toBe(0);
  });

  test('pathconf(_PC_LINK_MAX) reports the limit', () => {
    const fs = new Imfs({ limits: { maxLinks: 77 } });
    expect(fs.pathconf(0, '/', _PC_LINK_MAX)).toBe(77);
  });
});

describe('statfs reports the limits consistently', () => {
  test('f_blocks/f_bfree/f_bavail in 4 KiB blocks of maxBytes; f_files/f_ffree from maxInodes', () => {
    const fs = new Imfs({ limits: { maxBytes: 64 * K4, maxInodes: 100, chunkSize: K4, maxFileSize: 2 ** 43 } });
    const sf = newStatfs();
    expect(fs.statfs(0, '/', sf)).toBe(0);
    expect(sf).toMatchObject({ type: TMPFS_MAGIC, bsize: K4, frsize: K4, blocks: 64, bfree: 64, bavail: 64, files: 100, ffree: 99, namelen: 255 });
    const fd = fs.open(0, '/f', O_RDWR | O_CREAT, 0o644);
    expect(fs.mkdir(0, '/d', 0o755)).toBe(0);
    expect(fs.write(0, fd, filled(5 * K4))).toBe(5 * K4);
    expect(fs.statfs(0, '/d', sf)).toBe(0);
    expect(sf).toMatchObject({ blocks: 64, bfree: 59, bavail: 59, files: 100, ffree: 97 });
    const st = newStat();
    expect(fs.fstat(0, fd, st)).toBe(0);
    expect(st.blocks * 512).toBe((sf.blocks - sf.bfree) * sf.bsize);
    const sf2 = newStatfs();
    expect(fs.fstatfs(0, fd, sf2)).toBe(0);
    expect(sf2).toEqual(sf);
    expect(fs.unlink(0, '/f')).toBe(0);
    expect(fs.close(0, fd)).toBe(0);
    expect(fs.statfs(0, '/', sf)).toBe(0);
    expect(sf).toMatchObject({ bfree: 64, ffree: 98 });
  });

  test('ENOENT for a missing path; EBADF for a bad descriptor', () => {
    const fs = new Imfs();
    expect(fs.statfs(0, '/missing', newStatfs())).toBe(-ENOENT);
    expect(fs.fstatfs(0, 9, newStatfs())).toBe(-EBADF);
  });

  test('the defaults are what DEFAULT_LIMITS says', () => {
    const fs = new Imfs();
    const sf = newStatfs();
    expect(fs.statfs(0, '/', sf)).toBe(0);
    expect(sf.blocks).toBe(DEFAULT_LIMITS.maxBytes / K4);
    expect(sf.files).toBe(DEFAULT_LIMITS.maxInodes);
    expect(fs.limits).toEqual(DEFAULT_LIMITS);
  });
});

describe('invalid limits are rejected by the constructor', () => {
  const bad: [Partial<Limits> | Record<string, unknown>, RegExp][] = [
    [{ maxFds: 0 }, /maxFds.*positive integer.*0/],
    [{ maxFds: -1 }, /maxFds.*-1/],
    [{ maxBytes: 1.5 }, /maxBytes.*1\.5/],
    [{ maxInodes: NaN }, /maxInodes.*NaN/],
    [{ maxFileSize: Infinity }, /maxFileSize.*Infinity/],
    [{ maxLinks: '10' }, /maxLinks.*10/],
    [{ chunkSize: 1000 }, /chunkSize.*power of two.*1000/],
    [{ chunkSize: 256 }, /chunkSize.*256/],
    [{ maxInodes: 2 ** 32 }, /maxInodes/],
    [{ maxFileSize: 2 ** 53 }, /maxFileSize/],
    [{ maxFiles: 10 }, /unknown IMFS limit 'maxFiles'/],
  ];
  for (const [limits, message] of bad) {
    test(`${JSON.stringify(limits)}: ${message}`, () => {
      expect(() => new Imfs({ limits: limits as Partial<Limits> })).toThrow(message);
    });
  }

  test('undefined values fall back to the defaults', () => {
    const fs = new Imfs({ limits: { maxFds: undefined, maxLinks: 9 } });
    expect(fs.limits.maxFds).toBe(DEFAULT_LIMITS.maxFds);
    expect(fs.limits.maxLinks).toBe(9);
  });
});
