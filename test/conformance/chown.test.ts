/**
 * chown(2), fchown(2), lchown(2), fchownat(2): who may change the owner and the group,
 * -1 for "unchanged", the clearing of set-user-ID and set-group-ID bits, symbolic links,
 * descriptors and flags, and ctime. Expectations checked against Linux 6.18 (tmpfs) with
 * C probes, as root and as unprivileged users (setgroups/setresgid/setresuid).
 */
import { describe, test, expect, beforeEach } from 'vitest';
import {
  Imfs, manualClock, newStat, type Stat,
  AT_EACCESS, AT_EMPTY_PATH, AT_FDCWD, AT_SYMLINK_NOFOLLOW, O_DIRECTORY, O_NOFOLLOW,
  O_PATH, O_RDONLY,
} from '../../src/core/index.js';
import { r, ownedFile } from '../helpers/conformance.js';

/** (uid_t)-1 as the kernel sees it. */
const KEEP = 4294967295;

const ROOT = 0;
/** uid 1000, gid 100, groups [100, 200]: owns the test files. */
const OWNER = 1;
/** uid 1001, gid 100, groups [100, 200]: not the owner. */
const OTHER = 2;

const clock = manualClock(1_700_000_000);
let fs: Imfs;
const st: Stat = newStat();

/** [mode & 07777, uid, gid] of a path (not following a final symlink). */
function ids(path: string): [number, number, number] {
  expect(r(fs.lstat(ROOT, path, st))).toBe(0);
  return [st.mode & 0o7777, st.uid, st.gid];
}

function ctime(path: string): [number, number] {
  fs.lstat(ROOT, path, st);
  return [st.ctimeSec, st.ctimeNsec];
}

/** Creates a regular file as root with the owner, group and mode asked for. */
const file = (path: string, m: number, uid = 1000, gid = 100): void => ownedFile(fs, path, m, uid, gid);

beforeEach(() => {
  clock.set(1_700_000_000, 0);
  fs = new Imfs({ clock });
  fs.createCage(OWNER, { uid: 1000, gid: 100, groups: [100, 200], umask: 0 });
  fs.createCage(OTHER, { uid: 1001, gid: 100, groups: [100, 200], umask: 0 });
  file('/f', 0o644);
});

describe('root', () => {
  test('may give a file any owner and group', () => {
    expect(r(fs.chown(ROOT, '/f', 2000, 300))).toBe(0);
    expect(ids('/f')).toEqual([0o644, 2000, 300]);
    expect(r(fs.chown(ROOT, '/f', 0, 0))).toBe(0);
    expect(ids('/f')).toEqual([0o644, 0, 0]);
  });

  test('ids up to 4294967294 are ordinary ids', () => {
    expect(r(fs.chown(ROOT, '/f', 4294967294, 4294967294))).toBe(0);
    expect(ids('/f')).toEqual([0o644, 4294967294, 4294967294]);
  });
});

describe('the owner', () => {
  test('may change the group to its effective gid or a supplementary group', () => {
    expect(r(fs.chown(OWNER, '/f', KEEP, 200))).toBe(0);
    expect(ids('/f')).toEqual([0o644, 1000, 200]);
    expect(r(fs.chown(OWNER, '/f', KEEP, 100))).toBe(0);
    expect(ids('/f')).toEqual([0o644, 1000, 100]);
  });

  test('may not change the group to one it is not in (EPERM)', () => {
    expect(r(fs.chown(OWNER, '/f', KEEP, 300))).toBe('EPERM');
    expect(ids('/f')).toEqual([0o644, 1000, 100]);
  });

  test('may "change" the group to the file\'s current group even when not a member', () => {
    fs.chown(ROOT, '/f', 1000, 300);
    expect(r(fs.chown(OWNER, '/f', KEEP, 300))).toBe(0);
    expect(ids('/f')).toEqual([0o644, 1000, 300]);
  });

  test('may not give the file away (EPERM), but may name itself as owner', () => {
    expect(r(fs.chown(OWNER, '/f', 1001, KEEP))).toBe('EPERM');
    expect(r(fs.chown(OWNER, '/f', 0, KEEP))).toBe('EPERM');
    expect(ids('/f')).toEqual([0o644, 1000, 100]);
    expect(r(fs.chown(OWNER, '/f', 1000, KEEP))).toBe(0);
    expect(r(fs.chown(OWNER, '/f', 1000, 200))).toBe(0);
    expect(ids('/f')).toEqual([0o644, 1000, 200]);
  });

  test('a refused uid makes the whole call fail: the group is not changed either', () => {
    expect(r(fs.chown(OWNER, '/f', 1001, 200))).toBe('EPERM');
    expect(ids('/f')).toEqual([0o644, 1000, 100]);
  });
});

describe('anyone else', () => {
  test('may not change the owner or the group, not even to a group it is in or to the current one', () => {
    expect(r(fs.chown(OTHER, '/f', 1001, KEEP))).toBe('EPERM');
    expect(r(fs.chown(OTHER, '/f', KEEP, 200))).toBe('EPERM');
    expect(r(fs.chown(OTHER, '/f', KEEP, 100))).toBe('EPERM');
    expect(r(fs.chown(OTHER, '/f', 1000, KEEP))).toBe('EPERM');
    expect(ids('/f')).toEqual([0o644, 1000, 100]);
  });

  test('chown(-1, -1) of a file without set-id bits succeeds (nothing is changed but ctime)', () => {
    clock.set(1_700_000_050, 7);
    expect(r(fs.chown(OTHER, '/f', KEEP, KEEP))).toBe(0);
    expect(ids('/f')).toEqual([0o644, 1000, 100]);
    expect(ctime('/f')).toEqual([1_700_000_050, 7]);
  });
});

describe('-1 leaves an id unchanged', () => {
  test('as 4294967295 or as -1', () => {
    expect(r(fs.chown(ROOT, '/f', 2000, KEEP))).toBe(0);
    expect(ids('/f')).toEqual([0o644, 2000, 100]);
    expect(r(fs.chown(ROOT, '/f', -1, 300))).toBe(0);
    expect(ids('/f')).toEqual([0o644, 2000, 300]);
    expect(r(fs.chown(ROOT, '/f', -1, -1))).toBe(0);
    expect(ids('/f')).toEqual([0o644, 2000, 300]);
  });
});

describe('clearing of set-user-ID and set-group-ID on regular files', () => {
  test('root: S_ISUID is cleared by any chown, even chown(-1, -1)', () => {
    file('/a', 0o6755);
    expect(r(fs.chown(ROOT, '/a', KEEP, KEEP))).toBe(0);
    expect(ids('/a')).toEqual([0o755, 1000, 100]);
    file('/b', 0o6755);
    expect(r(fs.chown(ROOT, '/b', 2000, KEEP))).toBe(0);
    expect(ids('/b')).toEqual([0o755, 2000, 100]);
  });

  test('root: S_ISGID goes only together with group execute', () => {
    file('/a', 0o6745);
    expect(r(fs.chown(ROOT, '/a', KEEP, KEEP))).toBe(0);
    expect(ids('/a')).toEqual([0o2745, 1000, 100]);
    file('/b', 0o6745);
    expect(r(fs.chown(ROOT, '/b', KEEP, 300))).toBe(0);
    expect(ids('/b')).toEqual([0o2745, 1000, 300]);
    file('/c', 0o2745);
    expect(r(fs.chown(ROOT, '/c', 2000, 2000))).toBe(0);
    expect(ids('/c')).toEqual([0o2745, 2000, 2000]);
  });

  test('the owner: S_ISUID cleared; S_ISGID kept without group execute while in the group', () => {
    file('/a', 0o6755);
    expect(r(fs.chown(OWNER, '/a', KEEP, KEEP))).toBe(0);
    expect(ids('/a')).toEqual([0o755, 1000, 100]);
    file('/b', 0o6745);
    expect(r(fs.chown(OWNER, '/b', KEEP, KEEP))).toBe(0);
    expect(ids('/b')).toEqual([0o2745, 1000, 100]);
    file('/c', 0o6745);
    expect(r(fs.chown(OWNER, '/c', KEEP, 200))).toBe(0);
    expect(ids('/c')).toEqual([0o2745, 1000, 200]);
  });

  test('the owner: S_ISGID cleared when not a member of the file\'s (old) group', () => {
    file('/a', 0o2745, 1000, 300);
    expect(r(fs.chown(OWNER, '/a', KEEP, KEEP))).toBe(0);
    expect(ids('/a')).toEqual([0o745, 1000, 300]);
    file('/b', 0o2745, 1000, 300);
    expect(r(fs.chown(OWNER, '/b', KEEP, 200))).toBe(0);
    expect(ids('/b')).toEqual([0o745, 1000, 200]);
    file('/c', 0o2745, 1000, 300);
    expect(r(fs.chown(OWNER, '/c', KEEP, 300))).toBe(0);
    expect(ids('/c')).toEqual([0o745, 1000, 300]);
  });

  test('a non-owner\'s chown(-1, -1) that would clear a bit needs ownership: EPERM, nothing changes', () => {
    file('/a', 0o4644);
    expect(r(fs.chown(OTHER, '/a', KEEP, KEEP))).toBe('EPERM');
    expect(ids('/a')).toEqual([0o4644, 1000, 100]);
    file('/b', 0o2654);
    expect(r(fs.chown(OTHER, '/b', KEEP, KEEP))).toBe('EPERM');
    expect(ids('/b')).toEqual([0o2654, 1000, 100]);
    file('/c', 0o2644, 1000, 300);
    expect(r(fs.chown(OTHER, '/c', KEEP, KEEP))).toBe('EPERM');
    expect(ids('/c')).toEqual([0o2644, 1000, 300]);
  });

  test('a non-owner\'s chown(-1, -1) of S_ISGID without group execute, in the group, changes nothing and succeeds', () => {
    file('/a', 0o2644);
    expect(r(fs.chown(OTHER, '/a', KEEP, KEEP))).toBe(0);
    expect(ids('/a')).toEqual([0o2644, 1000, 100]);
  });

  test('the sticky bit is never cleared', () => {
    file('/a', 0o1755);
    expect(r(fs.chown(ROOT, '/a', 2000, KEEP))).toBe(0);
    expect(ids('/a')).toEqual([0o1755, 2000, 100]);
  });

  test('fchown clears the same bits', () => {
    file('/a', 0o6755);
    const fd = fs.open(OWNER, '/a', O_RDONLY);
    expect(r(fs.fchown(OWNER, fd, KEEP, 200))).toBe(0);
    expect(ids('/a')).toEqual([0o755, 1000, 200]);
  });
});

describe('directories keep their set-id bits', () => {
  test('root chown and the owner\'s chgrp leave 07755 alone', () => {
    expect(fs.mkdir(ROOT, '/d', 0)).toBe(0);
    fs.chmod(ROOT, '/d', 0o7755);
    expect(r(fs.chown(ROOT, '/d', 1000, 300))).toBe(0);
    expect(ids('/d')).toEqual([0o7755, 1000, 300]);
    expect(r(fs.chown(OWNER, '/d', KEEP, 200))).toBe(0);
    expect(ids('/d')).toEqual([0o7755, 1000, 200]);
    expect(r(fs.chown(OWNER, '/d', KEEP, KEEP))).toBe(0);
    expect(ids('/d')).toEqual([0o7755, 1000, 200]);
  });
});

describe('symbolic links', () => {
  beforeEach(() => {
    expect(fs.symlink(ROOT, 'f', '/l')).toBe(0);
  });

  test('lchown changes the link itself, not its target', () => {
    expect(r(fs.lchown(ROOT, '/l', 5, 6))).toBe(0);
    expect(ids('/l')).toEqual([0o777, 5, 6]);
    expect(ids('/f')).toEqual([0o644, 1000, 100]);
  });

  test('chown follows the link', () => {
    expect(r(fs.chown(ROOT, '/l', 7, 8))).toBe(0);
    expect(ids('/f')).toEqual([0o644, 7, 8]);
    expect(ids('/l')).toEqual([0o777, 0, 0]);
  });

  test('fchownat(AT_SYMLINK_NOFOLLOW) is lchown', () => {
    expect(r(fs.fchownat(ROOT, AT_FDCWD, '/l', 9, 10, AT_SYMLINK_NOFOLLOW))).toBe(0);
    expect(ids('/l')).toEqual([0o777, 9, 10]);
    expect(ids('/f')).toEqual([0o644, 1000, 100]);
  });

  test('the owner of a link may lchown it to its own group; others may not', () => {
    fs.lchown(ROOT, '/l', 1000, 100);
    expect(r(fs.lchown(OTHER, '/l', KEEP, 200))).toBe('EPERM');
    expect(r(fs.lchown(OWNER, '/l', KEEP, 200))).toBe(0);
    expect(ids('/l')).toEqual([0o777, 1000, 200]);
  });

  test('AT_EMPTY_PATH on an O_PATH|O_NOFOLLOW descriptor changes the link', () => {
    const lfd = fs.open(ROOT, '/l', O_PATH | O_NOFOLLOW);
    expect(lfd).toBeGreaterThanOrEqual(0);
    expect(r(fs.fchownat(ROOT, lfd, '', 13, 14, AT_EMPTY_PATH))).toBe(0);
    expect(ids('/l')).toEqual([0o777, 13, 14]);
    expect(ids('/f')).toEqual([0o644, 1000, 100]);
  });
});

describe('fchownat flags and descriptors', () => {
  test('unknown flags are EINVAL, AT_EACCESS included', () => {
    expect(r(fs.fchownat(ROOT, AT_FDCWD, '/f', 1, 1, 0x4))).toBe('EINVAL');
    expect(r(fs.fchownat(ROOT, AT_FDCWD, '/f', 1, 1, AT_EACCESS))).toBe('EINVAL');
    expect(ids('/f')).toEqual([0o644, 1000, 100]);
  });

  test('AT_EMPTY_PATH works on an O_PATH descriptor; an empty path without it is ENOENT', () => {
    const pfd = fs.open(ROOT, '/f', O_PATH);
    expect(r(fs.fchownat(ROOT, pfd, '', 11, 12, 0))).toBe('ENOENT');
    expect(r(fs.fchownat(ROOT, pfd, '', 11, 12, AT_EMPTY_PATH))).toBe(0);
    expect(ids('/f')).toEqual([0o644, 11, 12]);
  });

  test('a relative path starts at dirfd; a bad dirfd is EBADF, a non-directory one ENOTDIR', () => {
    expect(fs.mkdir(ROOT, '/d', 0o755)).toBe(0);
    file('/d/g', 0o644);
    const dfd = fs.open(ROOT, '/d', O_RDONLY | O_DIRECTORY);
    expect(r(fs.fchownat(ROOT, dfd, 'g', 3, 4, 0))).toBe(0);
    expect(ids('/d/g')).toEqual([0o644, 3, 4]);
    expect(r(fs.fchownat(ROOT, 77, 'g', 3, 4, 0))).toBe('EBADF');
    const ffd = fs.open(ROOT, '/f', O_RDONLY);
    expect(r(fs.fchownat(ROOT, ffd, 'g', 3, 4, 0))).toBe('ENOTDIR');
  });

  test('fchown works on a read-only descriptor of the owner', () => {
    const fd = fs.open(OWNER, '/f', O_RDONLY);
    expect(r(fs.fchown(OWNER, fd, KEEP, 200))).toBe(0);
    expect(ids('/f')).toEqual([0o644, 1000, 200]);
    expect(r(fs.fchown(OWNER, fd, 0, KEEP))).toBe('EPERM');
  });

  test('fchown of an O_PATH descriptor or of a closed one is EBADF', () => {
    const pfd = fs.open(ROOT, '/f', O_PATH);
    expect(r(fs.fchown(ROOT, pfd, 1, 1))).toBe('EBADF');
    expect(r(fs.fchown(ROOT, 99, 1, 1))).toBe('EBADF');
    expect(ids('/f')).toEqual([0o644, 1000, 100]);
  });
});

describe('path errors', () => {
  test('ENOENT for a missing file or an empty path, EACCES through an unsearchable directory', () => {
    expect(r(fs.chown(ROOT, '/missing', 1, 1))).toBe('ENOENT');
    expect(r(fs.chown(ROOT, '', 1, 1))).toBe('ENOENT');
    expect(fs.mkdir(ROOT, '/nos', 0o700)).toBe(0);
    file('/nos/x', 0o644);
    expect(r(fs.chown(OWNER, '/nos/x', KEEP, 200))).toBe('EACCES');
    expect(ids('/nos/x')).toEqual([0o644, 1000, 100]);
  });

  test('ENOTDIR for a file used as a directory or named with a trailing slash', () => {
    expect(r(fs.chown(ROOT, '/f/x', 1, 1))).toBe('ENOTDIR');
    expect(r(fs.chown(ROOT, '/f/', 1, 1))).toBe('ENOTDIR');
    expect(r(fs.lchown(ROOT, '/f/', 1, 1))).toBe('ENOTDIR');
  });
});

describe('ctime', () => {
  test('every successful chown sets ctime to now, also chown(-1, -1) and a chown to the same ids', () => {
    const cases: [number, number, number][] = [[ROOT, KEEP, KEEP], [OWNER, KEEP, KEEP], [ROOT, 1000, 100], [OWNER, 1000, 200]];
    let sec = 1_700_000_100;
    for (const [cage, uid, gid] of cases) {
      clock.set(++sec, 3);
      expect(r(fs.chown(cage, '/f', uid, gid))).toBe(0);
      expect(ctime('/f')).toEqual([sec, 3]);
    }
  });

  test('atime and mtime are not touched; a refused chown leaves ctime alone', () => {
    fs.lstat(ROOT, '/f', st);
    const a = [st.atimeSec, st.atimeNsec, st.mtimeSec, st.mtimeNsec];
    clock.set(1_700_000_500, 0);
    expect(fs.chown(ROOT, '/f', 2, 2)).toBe(0);
    fs.lstat(ROOT, '/f', st);
    expect([st.atimeSec, st.atimeNsec, st.mtimeSec, st.mtimeNsec]).toEqual(a);
    clock.set(1_700_000_600, 0);
    expect(r(fs.chown(OTHER, '/f', 1001, KEEP))).toBe('EPERM');
    expect(ctime('/f')).toEqual([1_700_000_500, 0]);
  });
});
