/**
 * dup(2), dup2(2), dup3(2) and the descriptor commands of fcntl(2): lowest free
 * descriptor, duplicates sharing one open file description (offset, status flags),
 * FD_CLOEXEC per descriptor, F_GETFL/F_SETFL, O_PATH descriptors, and the stdio slots
 * 0–2 that a new cage has reserved for the grate.
 * Expectations checked against Linux 6.18 (tmpfs) with C probes.
 */
import { describe, test, expect } from 'vitest';
import {
  Imfs, newStat, EBADF, EINVAL, EMFILE, EPERM,
  O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_APPEND, O_NONBLOCK, O_CLOEXEC, O_SYNC,
  O_DSYNC, O_ASYNC, O_DIRECT, O_NOATIME, O_PATH, O_DIRECTORY, O_EXCL, O_NOFOLLOW,
  F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_GETLK, F_SETLK, F_OFD_SETLK,
  F_GETPIPE_SZ, F_RDLCK, F_UNLCK, FD_CLOEXEC, LOCK_SH, SEEK_SET, SEEK_CUR, SEEK_END,
  type Device,
} from '../../src/core/index.js';
import { lock } from '../helpers/conformance.js';

const enc = (s: string) => Buffer.from(s);

/** A fresh IMFS with /f (mode 0666, owned by root) holding "0123456789". */
function setup(maxFds?: number) {
  const fs = new Imfs(maxFds === undefined ? {} : { limits: { maxFds } });
  const fd = fs.open(0, '/f', O_RDWR | O_CREAT, 0o666);
  expect(fd).toBe(3);
  expect(fs.write(0, fd, enc('0123456789'))).toBe(10);
  expect(fs.chmod(0, '/f', 0o666)).toBe(0);
  return { fs, fd };
}

describe('dup: lowest free descriptor, shared description', () => {
  test('returns the lowest free descriptor (3 first, then holes are refilled)', () => {
    const { fs, fd } = setup();
    expect(fs.dup(0, fd)).toBe(4);
    expect(fs.dup(0, fd)).toBe(5);
    expect(fs.close(0, 4)).toBe(0);
    expect(fs.dup(0, 5)).toBe(4);
    expect(fs.dup(0, 3)).toBe(6);
  });

  test('EBADF for a descriptor that is not open, negative, or closed', () => {
    const { fs, fd } = setup();
    expect(fs.dup(0, 99)).toBe(-EBADF);
    expect(fs.dup(0, -1)).toBe(-EBADF);
    expect(fs.close(0, fd)).toBe(0);
    expect(fs.dup(0, fd)).toBe(-EBADF);
  });

  test('duplicates share the file offset', () => {
    const { fs, fd } = setup();
    const d = fs.dup(0, fd);
    expect(fs.lseek(0, fd, 0, SEEK_CUR)).toBe(10);
    expect(fs.lseek(0, d, 0, SEEK_CUR)).toBe(10);
    expect(fs.lseek(0, d, 2, SEEK_SET)).toBe(2);
    const buf = Buffer.alloc(3);
    expect(fs.read(0, fd, buf)).toBe(3);
    expect(buf.toString()).toBe('234');
    expect(fs.lseek(0, d, 0, SEEK_CUR)).toBe(5);
  });

  test('duplicates share the status flags (F_SETFL on one is seen through the other)', () => {
    const { fs, fd } = setup();
    const d = fs.dup(0, fd);
    expect(fs.fcntl(0, d, F_SETFL, O_APPEND)).toBe(0);
    expect(fs.fcntl(0, fd, F_GETFL)).toBe(O_RDWR | O_APPEND);
    expect(fs.lseek(0, fd, 0, SEEK_SET)).toBe(0);
    expect(fs.write(0, fd, enc('X'))).toBe(1);
    expect(fs.lseek(0, d, 0, SEEK_CUR)).toBe(11);
  });

  test('a separate open of the same file has its own offset and flags', () => {
    const { fs, fd } = setup();
    const other = fs.open(0, '/f', O_RDONLY);
    expect(fs.lseek(0, other, 0, SEEK_CUR)).toBe(0);
    expect(fs.fcntl(0, fd, F_SETFL, O_APPEND)).toBe(0);
    expect(fs.fcntl(0, other, F_GETFL)).toBe(O_RDONLY);
  });

  test('the duplicate never has FD_CLOEXEC, whatever the original has', () => {
    const fs = new Imfs();
    const fd = fs.open(0, '/g', O_RDWR | O_CREAT | O_CLOEXEC, 0o644);
    expect(fs.fcntl(0, fd, F_GETFD)).toBe(FD_CLOEXEC);
    const d = fs.dup(0, fd);
    expect(fs.fcntl(0, d, F_GETFD)).toBe(0);
    expect(fs.fcntl(0, fd, F_GETFD)).toBe(FD_CLOEXEC);
  });

  test('EMFILE when every descriptor below RLIMIT_NOFILE is taken', () => {
    const { fs, fd } = setup(6);
    expect(fs.dup(0, fd)).toBe(4);
    expect(fs.dup(0, fd)).toBe(5);
    expect(fs.dup(0, fd)).toBe(-EMFILE);
    expect(fs.close(0, 4)).toBe(0);
    expect(fs.dup(0, fd)).toBe(4);
  });

  test('the description lives until its last descriptor is closed', () => {
    const { fs, fd } = setup();
    const d = fs.dup(0, fd);
    expect(fs.unlink(0, '/f')).toBe(0);
    const live = fs.inodes.live;
    expect(fs.close(0, fd)).toBe(0);
    expect(fs.inodes.live).toBe(live);
    const st = newStat();
    expect(fs.fstat(0, d, st)).toBe(0);
    expect(st.size).toBe(10);
    expect(fs.close(0, d)).toBe(0);
    expect(fs.inodes.live).toBe(live - 1);
  });
});

describe('dup2', () => {
  test('puts the description on newfd and returns newfd', () => {
    const { fs, fd } = setup();
    expect(fs.dup2(0, fd, 10)).toBe(10);
    expect(fs.lseek(0, 10, 1, SEEK_SET)).toBe(1);
    expect(fs.lseek(0, fd, 0, SEEK_CUR)).toBe(1);
    // a gap below 10 is still the lowest free descriptor
    expect(fs.dup(0, fd)).toBe(4);
  });

  test('silently closes what newfd referred to (its unlinked inode is freed)', () => {
    const { fs, fd } = setup();
    const g = fs.open(0, '/g', O_RDWR | O_CREAT, 0o644);
    expect(fs.unlink(0, '/g')).toBe(0);
    const live = fs.inodes.live;
    expect(fs.dup2(0, fd, g)).toBe(g);
    expect(fs.inodes.live).toBe(live - 1);
    const st = newStat();
    expect(fs.fstat(0, g, st)).toBe(0);
    expect(st.size).toBe(10);
  });

  test('newfd gets FD_CLOEXEC cleared; oldfd keeps its own', () => {
    const fs = new Imfs();
    const a = fs.open(0, '/a', O_RDWR | O_CREAT | O_CLOEXEC, 0o644);
    const b = fs.open(0, '/b', O_RDWR | O_CREAT | O_CLOEXEC, 0o644);
    expect(fs.dup2(0, a, b)).toBe(b);
    expect(fs.fcntl(0, b, F_GETFD)).toBe(0);
    expect(fs.fcntl(0, a, F_GETFD)).toBe(FD_CLOEXEC);
  });

  test('onto itself: returns the descriptor and changes nothing (not even FD_CLOEXEC)', () => {
    const fs = new Imfs();
    const a = fs.open(0, '/a', O_RDWR | O_CREAT | O_CLOEXEC, 0o644);
    expect(fs.dup2(0, a, a)).toBe(a);
    expect(fs.fcntl(0, a, F_GETFD)).toBe(FD_CLOEXEC);
    expect(fs.fcntl(0, a, F_GETFL)).toBe(O_RDWR);
  });

  test('onto itself with a closed descriptor: EBADF', () => {
    const fs = new Imfs();
    expect(fs.dup2(0, 7, 7)).toBe(-EBADF);
  });

  test('EBADF for a bad oldfd, and newfd is left open', () => {
    const { fs, fd } = setup();
    expect(fs.dup2(0, 50, fd)).toBe(-EBADF);
    expect(fs.fcntl(0, fd, F_GETFD)).toBe(0);
    expect(fs.dup2(0, -1, fd)).toBe(-EBADF);
  });

  test('EBADF for newfd negative or not below RLIMIT_NOFILE', () => {
    const { fs, fd } = setup(64);
    expect(fs.dup2(0, fd, -1)).toBe(-EBADF);
    expect(fs.dup2(0, fd, 64)).toBe(-EBADF);
    expect(fs.dup2(0, fd, 63)).toBe(63);
    expect(fs.dup2(0, 50, 64)).toBe(-EBADF);
  });
});

describe('dup3', () => {
  test('O_CLOEXEC sets FD_CLOEXEC on the new descriptor only', () => {
    const { fs, fd } = setup();
    expect(fs.dup3(0, fd, 8, O_CLOEXEC)).toBe(8);
    expect(fs.fcntl(0, 8, F_GETFD)).toBe(FD_CLOEXEC);
    expect(fs.fcntl(0, fd, F_GETFD)).toBe(0);
  });

  test('without flags the new descriptor has FD_CLOEXEC clear (even over a CLOEXEC one)', () => {
    const { fs, fd } = setup();
    const c = fs.open(0, '/f', O_RDONLY | O_CLOEXEC);
    expect(fs.dup3(0, fd, c, 0)).toBe(c);
    expect(fs.fcntl(0, c, F_GETFD)).toBe(0);
    expect(fs.fcntl(0, c, F_GETFL)).toBe(O_RDWR);
  });

  test('EINVAL when oldfd equals newfd (valid or not, with or without flags)', () => {
    const { fs, fd } = setup();
    expect(fs.dup3(0, fd, fd, 0)).toBe(-EINVAL);
    expect(fs.dup3(0, fd, fd, O_CLOEXEC)).toBe(-EINVAL);
    expect(fs.dup3(0, 40, 40, 0)).toBe(-EINVAL);
  });

  test('EINVAL for flags other than O_CLOEXEC (checked before the descriptors)', () => {
    const { fs, fd } = setup();
    expect(fs.dup3(0, fd, 9, O_NONBLOCK)).toBe(-EINVAL);
    expect(fs.dup3(0, fd, 9, O_CLOEXEC | O_APPEND)).toBe(-EINVAL);
    expect(fs.dup3(0, 40, 9, O_NONBLOCK)).toBe(-EINVAL);
    expect(fs.fcntl(0, 9, F_GETFD)).toBe(-EBADF);
  });

  test('EBADF for a bad oldfd or an out-of-range newfd', () => {
    const { fs, fd } = setup(32);
    expect(fs.dup3(0, 40, 9, 0)).toBe(-EBADF);
    expect(fs.dup3(0, fd, 32, 0)).toBe(-EBADF);
    expect(fs.dup3(0, fd, -1, O_CLOEXEC)).toBe(-EBADF);
  });
});

describe('fcntl F_DUPFD and F_DUPFD_CLOEXEC', () => {
  test('the lowest free descriptor >= arg', () => {
    const { fs, fd } = setup();
    expect(fs.fcntl(0, fd, F_DUPFD, 10)).toBe(10);
    expect(fs.fcntl(0, fd, F_DUPFD, 10)).toBe(11);
    expect(fs.fcntl(0, fd, F_DUPFD, 0)).toBe(4);
    expect(fs.lseek(0, 11, 0, SEEK_CUR)).toBe(10);
  });

  test('F_DUPFD clears FD_CLOEXEC; F_DUPFD_CLOEXEC sets it on the new descriptor only', () => {
    const fs = new Imfs();
    const a = fs.open(0, '/a', O_RDWR | O_CREAT | O_CLOEXEC, 0o644);
    const b = fs.fcntl(0, a, F_DUPFD, 0);
    expect(fs.fcntl(0, b, F_GETFD)).toBe(0);
    const c = fs.fcntl(0, b, F_DUPFD_CLOEXEC, 0);
    expect(c).toBe(5);
    expect(fs.fcntl(0, c, F_GETFD)).toBe(FD_CLOEXEC);
    expect(fs.fcntl(0, b, F_GETFD)).toBe(0);
  });

  test('EINVAL for arg negative or not below RLIMIT_NOFILE', () => {
    const { fs, fd } = setup(64);
    expect(fs.fcntl(0, fd, F_DUPFD, -1)).toBe(-EINVAL);
    expect(fs.fcntl(0, fd, F_DUPFD, 64)).toBe(-EINVAL);
    expect(fs.fcntl(0, fd, F_DUPFD_CLOEXEC, 64)).toBe(-EINVAL);
  });

  test('EMFILE when nothing is free from arg up to the limit', () => {
    const { fs, fd } = setup(64);
    expect(fs.fcntl(0, fd, F_DUPFD, 63)).toBe(63);
    expect(fs.fcntl(0, fd, F_DUPFD, 63)).toBe(-EMFILE);
    expect(fs.fcntl(0, fd, F_DUPFD_CLOEXEC, 63)).toBe(-EMFILE);
  });

  test('EBADF for a bad descriptor comes before the argument check', () => {
    const { fs } = setup(64);
    expect(fs.fcntl(0, 50, F_DUPFD, 64)).toBe(-EBADF);
    expect(fs.fcntl(0, -1, F_DUPFD, 0)).toBe(-EBADF);
  });
});

describe('FD_CLOEXEC belongs to the descriptor', () => {
  test('O_CLOEXEC at open sets it; F_GETFD reports it', () => {
    const fs = new Imfs();
    const a = fs.open(0, '/a', O_RDWR | O_CREAT | O_CLOEXEC, 0o644);
    const b = fs.open(0, '/a', O_RDONLY);
    expect(fs.fcntl(0, a, F_GETFD)).toBe(FD_CLOEXEC);
    expect(fs.fcntl(0, b, F_GETFD)).toBe(0);
  });

  test('F_SETFD on one duplicate leaves the other alone', () => {
    const { fs, fd } = setup();
    const d = fs.dup(0, fd);
    expect(fs.fcntl(0, d, F_SETFD, FD_CLOEXEC)).toBe(0);
    expect(fs.fcntl(0, d, F_GETFD)).toBe(FD_CLOEXEC);
    expect(fs.fcntl(0, fd, F_GETFD)).toBe(0);
    expect(fs.fcntl(0, d, F_SETFD, 0)).toBe(0);
    expect(fs.fcntl(0, d, F_GETFD)).toBe(0);
  });

  test('F_SETFD only looks at the FD_CLOEXEC bit', () => {
    const { fs, fd } = setup();
    expect(fs.fcntl(0, fd, F_SETFD, 3)).toBe(0);
    expect(fs.fcntl(0, fd, F_GETFD)).toBe(FD_CLOEXEC);
    expect(fs.fcntl(0, fd, F_SETFD, 2)).toBe(0);
    expect(fs.fcntl(0, fd, F_GETFD)).toBe(0);
  });

  test('F_GETFD/F_SETFD on a descriptor that is not open: EBADF', () => {
    const fs = new Imfs();
    expect(fs.fcntl(0, 3, F_GETFD)).toBe(-EBADF);
    expect(fs.fcntl(0, -1, F_GETFD)).toBe(-EBADF);
    expect(fs.fcntl(0, 3, F_SETFD, FD_CLOEXEC)).toBe(-EBADF);
  });
});

describe('F_GETFL and F_SETFL', () => {
  test('F_GETFL: the access mode and status flags, without creation flags or O_CLOEXEC', () => {
    const fs = new Imfs();
    const a = fs.open(0, '/a', O_RDWR | O_CREAT | O_EXCL | O_TRUNC | O_APPEND | O_CLOEXEC, 0o644);
    expect(fs.fcntl(0, a, F_GETFL)).toBe(O_RDWR | O_APPEND);
    expect(fs.fcntl(0, fs.open(0, '/a', O_WRONLY | O_NONBLOCK), F_GETFL)).toBe(O_WRONLY | O_NONBLOCK);
    expect(fs.fcntl(0, fs.open(0, '/a', O_RDONLY), F_GETFL)).toBe(O_RDONLY);
    expect(fs.fcntl(0, fs.open(0, '/a', O_RDONLY | O_SYNC), F_GETFL)).toBe(O_RDONLY | O_SYNC);
  });

  test('F_GETFL also shows O_DIRECTORY and O_NOFOLLOW given at open', () => {
    const fs = new Imfs();
    expect(fs.close(0, fs.open(0, '/a', O_RDWR | O_CREAT, 0o644))).toBe(0);
    expect(fs.fcntl(0, fs.open(0, '/', O_RDONLY | O_DIRECTORY), F_GETFL)).toBe(O_RDONLY | O_DIRECTORY);
    expect(fs.fcntl(0, fs.open(0, '/a', O_RDWR | O_NOFOLLOW | O_APPEND), F_GETFL)).toBe(O_RDWR | O_NOFOLLOW | O_APPEND);
  });

  test('F_SETFL changes O_APPEND, O_NONBLOCK, O_ASYNC, O_DIRECT, O_NOATIME and ignores the rest', () => {
    const fs = new Imfs();
    const a = fs.open(0, '/a', O_RDWR | O_CREAT | O_APPEND, 0o644);
    const all = O_RDONLY | O_NONBLOCK | O_SYNC | O_DSYNC | O_TRUNC | O_CREAT | O_ASYNC | O_DIRECT | O_NOATIME;
    expect(fs.fcntl(0, a, F_SETFL, all)).toBe(0);
    expect(fs.fcntl(0, a, F_GETFL)).toBe(O_RDWR | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME);
    expect(fs.fcntl(0, a, F_SETFL, 0)).toBe(0);
    expect(fs.fcntl(0, a, F_GETFL)).toBe(O_RDWR);
  });

  test('F_SETFL cannot change the access mode (a read-only description stays read-only)', () => {
    const { fs } = setup();
    const r = fs.open(0, '/f', O_RDONLY);
    expect(fs.fcntl(0, r, F_SETFL, O_RDWR)).toBe(0);
    expect(fs.fcntl(0, r, F_GETFL)).toBe(O_RDONLY);
    expect(fs.write(0, r, enc('x'))).toBe(-EBADF);
  });

  test('F_SETFL cannot clear O_SYNC set at open', () => {
    const fs = new Imfs();
    const a = fs.open(0, '/a', O_WRONLY | O_CREAT | O_SYNC, 0o644);
    expect(fs.fcntl(0, a, F_SETFL, O_APPEND)).toBe(0);
    expect(fs.fcntl(0, a, F_GETFL)).toBe(O_WRONLY | O_SYNC | O_APPEND);
  });

  test('O_APPEND set by F_SETFL makes writes go to the end', () => {
    const { fs, fd } = setup();
    expect(fs.lseek(0, fd, 0, SEEK_SET)).toBe(0);
    expect(fs.fcntl(0, fd, F_SETFL, O_APPEND)).toBe(0);
    expect(fs.write(0, fd, enc('ab'))).toBe(2);
    expect(fs.lseek(0, fd, 0, SEEK_CUR)).toBe(12);
    expect(fs.fcntl(0, fd, F_SETFL, 0)).toBe(0);
    expect(fs.lseek(0, fd, 0, SEEK_SET)).toBe(0);
    expect(fs.write(0, fd, enc('Z'))).toBe(1);
    const buf = Buffer.alloc(12);
    expect(fs.pread(0, fd, buf, 12, 0)).toBe(12);
    expect(buf.toString()).toBe('Z123456789ab');
  });

  test('O_NOATIME: EPERM for a caller that neither owns the file nor is root; flags unchanged', () => {
    const { fs } = setup();
    expect(fs.createCage(1, { uid: 1000, gid: 1000 })).toBe(0);
    const fd = fs.open(1, '/f', O_RDWR);
    expect(fd).toBe(3);
    expect(fs.fcntl(1, fd, F_SETFL, O_NOATIME | O_APPEND)).toBe(-EPERM);
    expect(fs.fcntl(1, fd, F_GETFL)).toBe(O_RDWR);
    expect(fs.fcntl(1, fd, F_SETFL, O_APPEND)).toBe(0);
    expect(fs.open(1, '/f', O_RDONLY | O_NOATIME)).toBe(-EPERM);
  });

  test('O_NOATIME: allowed for the owner and for root', () => {
    const { fs } = setup();
    expect(fs.createCage(1, { uid: 1000, gid: 1000 })).toBe(0);
    expect(fs.chmod(0, '/', 0o777)).toBe(0);
    const mine = fs.open(1, '/mine', O_RDWR | O_CREAT, 0o666);
    expect(fs.fcntl(1, mine, F_SETFL, O_NOATIME)).toBe(0);
    expect(fs.fcntl(1, mine, F_GETFL)).toBe(O_RDWR | O_NOATIME);
    const r = fs.open(0, '/mine', O_RDONLY);
    expect(fs.fcntl(0, r, F_SETFL, O_NOATIME)).toBe(0);
    expect(fs.fcntl(0, r, F_GETFL)).toBe(O_RDONLY | O_NOATIME);
  });

  test('O_NOATIME already set on the description: a non-owner may keep it (only turning it on is checked)', () => {
    const { fs } = setup();
    expect(fs.createCage(1, {})).toBe(0);
    const fd = fs.open(1, '/f', O_RDWR | O_NOATIME);
    expect(fd).toBe(3);
    expect(fs.setCredentials(1, { uid: 1000, euid: 1000, gid: 1000, egid: 1000, groups: [1000] })).toBe(0);
    expect(fs.fcntl(1, fd, F_SETFL, O_NOATIME | O_APPEND)).toBe(0);
    expect(fs.fcntl(1, fd, F_GETFL)).toBe(O_RDWR | O_NOATIME | O_APPEND);
    expect(fs.fcntl(1, fd, F_SETFL, 0)).toBe(0);
    expect(fs.fcntl(1, fd, F_SETFL, O_NOATIME)).toBe(-EPERM);
  });

  test('an unknown command: EINVAL (EBADF first if the descriptor is bad)', () => {
    const { fs, fd } = setup();
    expect(fs.fcntl(0, fd, 9999)).toBe(-EINVAL);
    expect(fs.fcntl(0, 99, 9999)).toBe(-EBADF);
  });
});

describe('O_PATH descriptors', () => {
  function pathSetup() {
    const { fs } = setup();
    const p = fs.open(0, '/f', O_PATH | O_RDWR | O_APPEND);
    expect(p).toBe(4);
    return { fs, p };
  }

  test('F_GETFL reports O_PATH (the access mode and other flags are dropped; O_DIRECTORY is kept)', () => {
    const { fs, p } = pathSetup();
    expect(fs.fcntl(0, p, F_GETFL)).toBe(O_PATH);
    const d = fs.open(0, '/', O_PATH | O_DIRECTORY);
    expect(fs.fcntl(0, d, F_GETFL)).toBe(O_PATH | O_DIRECTORY);
  });

  test('F_GETFD/F_SETFD work; O_CLOEXEC is honoured', () => {
    const { fs, p } = pathSetup();
    expect(fs.fcntl(0, p, F_GETFD)).toBe(0);
    expect(fs.fcntl(0, p, F_SETFD, FD_CLOEXEC)).toBe(0);
    expect(fs.fcntl(0, p, F_GETFD)).toBe(FD_CLOEXEC);
    const q = fs.open(0, '/f', O_PATH | O_CLOEXEC);
    expect(fs.fcntl(0, q, F_GETFD)).toBe(FD_CLOEXEC);
  });

  test('F_DUPFD, F_DUPFD_CLOEXEC, dup, dup2 and dup3 work and keep O_PATH', () => {
    const { fs, p } = pathSetup();
    const a = fs.fcntl(0, p, F_DUPFD, 10);
    expect(a).toBe(10);
    expect(fs.fcntl(0, a, F_GETFL)).toBe(O_PATH);
    const b = fs.fcntl(0, p, F_DUPFD_CLOEXEC, 10);
    expect(b).toBe(11);
    expect(fs.fcntl(0, b, F_GETFD)).toBe(FD_CLOEXEC);
    expect(fs.dup(0, p)).toBe(5);
    expect(fs.dup2(0, p, 20)).toBe(20);
    expect(fs.dup3(0, p, 21, O_CLOEXEC)).toBe(21);
    expect(fs.fcntl(0, 21, F_GETFL)).toBe(O_PATH);
  });

  test('everything else is EBADF: F_SETFL, locks, pipe size, flock, read, write', () => {
    const { fs, p } = pathSetup();
    expect(fs.fcntl(0, p, F_SETFL, O_NONBLOCK)).toBe(-EBADF);
    expect(fs.fcntl(0, p, F_GETLK, lock(F_RDLCK))).toBe(-EBADF);
    expect(fs.fcntl(0, p, F_SETLK, lock(F_UNLCK))).toBe(-EBADF);
    expect(fs.fcntl(0, p, F_OFD_SETLK, lock(F_UNLCK))).toBe(-EBADF);
    expect(fs.fcntl(0, p, F_GETPIPE_SZ)).toBe(-EBADF);
    expect(fs.flock(0, p, LOCK_SH)).toBe(-EBADF);
    expect(fs.read(0, p, Buffer.alloc(1))).toBe(-EBADF);
    expect(fs.write(0, p, enc('x'))).toBe(-EBADF);
    expect(fs.lseek(0, p, 0, SEEK_END)).toBe(-EBADF);
  });
});

describe('reserved stdio slots 0–2', () => {
  const sink: Device = { write: (_src, _off, len) => len };

  test('a new cage has nothing usable on 0, 1, 2: EBADF for every use', () => {
    const fs = new Imfs();
    expect(fs.createCage(1, {})).toBe(0);
    for (const c of [0, 1]) {
      for (const fd of [0, 1, 2]) {
        expect(fs.fcntl(c, fd, F_GETFD)).toBe(-EBADF);
        expect(fs.close(c, fd)).toBe(-EBADF);
        expect(fs.dup(c, fd)).toBe(-EBADF);
        expect(fs.read(c, fd, Buffer.alloc(1))).toBe(-EBADF);
        expect(fs.write(c, fd, enc('x'))).toBe(-EBADF);
      }
    }
  });

  test('open, dup and F_DUPFD from 0 never hand out 0–2 while they are reserved', () => {
    const { fs, fd } = setup();
    expect(fs.fcntl(0, fd, F_DUPFD, 0)).toBe(4);
    expect(fs.dup(0, fd)).toBe(5);
    const p = [0, 0];
    expect(fs.pipe(0, p)).toBe(0);
    expect(p).toEqual([6, 7]);
  });

  test('dup2 onto 0–2 works and makes the slot an ordinary descriptor', () => {
    const { fs, fd } = setup();
    expect(fs.dup2(0, fd, 0)).toBe(0);
    expect(fs.dup3(0, fd, 2, O_CLOEXEC)).toBe(2);
    expect(fs.fcntl(0, 0, F_GETFD)).toBe(0);
    expect(fs.fcntl(0, 2, F_GETFD)).toBe(FD_CLOEXEC);
    expect(fs.lseek(0, 0, 3, SEEK_SET)).toBe(3);
    expect(fs.lseek(0, fd, 0, SEEK_CUR)).toBe(3);
    // 1 is still reserved
    expect(fs.fcntl(0, 1, F_GETFD)).toBe(-EBADF);
    expect(fs.dup(0, fd)).toBe(4);
  });

  test('after a real 0–2 is closed, it is the lowest free descriptor again', () => {
    const { fs, fd } = setup();
    expect(fs.dup2(0, fd, 0)).toBe(0);
    expect(fs.dup2(0, fd, 1)).toBe(1);
    expect(fs.close(0, 1)).toBe(0);
    expect(fs.open(0, '/f', O_RDONLY)).toBe(1);
    expect(fs.close(0, 0)).toBe(0);
    expect(fs.close(0, 1)).toBe(0);
    expect(fs.dup(0, fd)).toBe(0);
    expect(fs.fcntl(0, fd, F_DUPFD, 0)).toBe(1);
    // 2 was never installed: still reserved
    expect(fs.dup(0, fd)).toBe(4);
  });

  test('installStream puts a host stream on a slot; closing it frees the slot for reuse', () => {
    const fs = new Imfs();
    expect(fs.createCage(1, {})).toBe(0);
    expect(fs.installStream(1, 1, sink, O_WRONLY, 0o020000)).toBe(1);
    expect(fs.write(1, 1, enc('hello'))).toBe(5);
    expect(fs.fcntl(1, 1, F_GETFL)).toBe(O_WRONLY);
    expect(fs.close(1, 1)).toBe(0);
    expect(fs.open(1, '/', O_RDONLY | O_DIRECTORY)).toBe(1);
    expect(fs.open(1, '/', O_RDONLY | O_DIRECTORY)).toBe(3);
  });
});
