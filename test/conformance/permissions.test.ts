/**
 * Access control (path_resolution(7), credentials(7), inode(7), access(2)): the owner /
 * group / other class, supplementary groups, root's overrides, search permission on every
 * directory walked, write+search on the parent to create, remove and rename, the sticky
 * bit, set-group-ID directories, the clearing of set-id bits on write and truncate,
 * access/faccessat with real and effective ids, O_NOATIME and O_TRUNC.
 * Expectations checked against Linux 6.18 (tmpfs) with C probes switching ids with
 * setgroups/setresgid/setresuid.
 */
import { describe, test, expect, beforeEach } from 'vitest';
import {
  Imfs, newStat, type Stat,
  AT_EACCESS, AT_FDCWD, AT_SYMLINK_NOFOLLOW, F_GETFL, F_OK, F_SETFL, O_CREAT, O_DIRECTORY,
  O_NOATIME, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY, R_OK, S_IFIFO, W_OK, X_OK,
} from '../../src/core/index.js';
import { r, opened, ownedDir, modeOf } from '../helpers/conformance.js';

const ROOT = 0;
/** uid 1000, gid 100, groups [100]: owns most test files. */
const U = 1;
/** uid 1001, gid 100, groups [100]: in the files' group, not the owner. */
const V = 2;
/** uid 1002, gid 300, groups [300]: neither owner nor group. */
const W = 3;
/** uid 1001, gid 100, groups [100, 200]: a supplementary group. */
const S = 4;
/** uid 1001, gid 200, no supplementary groups: group 200 through the effective gid only. */
const E = 5;

let fs: Imfs;
const st: Stat = newStat();

/** Also leaves the whole stat in `st`. */
const mode = (path: string): number => modeOf(fs, path, st);

/** Like the shared ownedFile, but an existing file is emptied (O_TRUNC) first. */
function file(path: string, m: number, uid = 1000, gid = 100, content = ''): void {
  const fd = fs.open(ROOT, path, O_CREAT | O_WRONLY | O_TRUNC, 0);
  expect(fd).toBeGreaterThanOrEqual(0);
  if (content) fs.write(ROOT, fd, Buffer.from(content));
  fs.close(ROOT, fd);
  expect(fs.chown(ROOT, path, uid, gid)).toBe(0);
  expect(fs.chmod(ROOT, path, m)).toBe(0);
}

const dir = (path: string, m: number, uid = 1000, gid = 100): void => ownedDir(fs, path, m, uid, gid);

/** Writes one byte at the end of the file as `cage`. */
function append(cage: number, path: string): number {
  const fd = fs.open(cage, path, O_WRONLY);
  expect(fd).toBeGreaterThanOrEqual(0);
  const n = fs.pwrite(cage, fd, Buffer.from('x'), 1, 0);
  fs.close(cage, fd);
  return n;
}

beforeEach(() => {
  fs = new Imfs();
  fs.createCage(U, { uid: 1000, gid: 100, groups: [100], umask: 0 });
  fs.createCage(V, { uid: 1001, gid: 100, groups: [100], umask: 0 });
  fs.createCage(W, { uid: 1002, gid: 300, groups: [300], umask: 0 });
  fs.createCage(S, { uid: 1001, gid: 100, groups: [100, 200], umask: 0 });
  fs.createCage(E, { uid: 1001, gid: 200, groups: [], umask: 0 });
});

describe('one class of bits applies: owner, else group, else other', () => {
  test('the owner gets the owner bits even when group and other allow more', () => {
    file('/f', 0o077);
    expect(opened(fs.open(U, '/f', O_RDONLY))).toBe('EACCES');
    expect(r(fs.access(U, '/f', R_OK))).toBe('EACCES');
    expect(opened(fs.open(V, '/f', O_RDONLY))).toBe('fd');
    expect(opened(fs.open(W, '/f', O_RDWR))).toBe('fd');
  });

  test('a group member gets the group bits even when other allows more', () => {
    file('/f', 0o707);
    expect(opened(fs.open(V, '/f', O_RDONLY))).toBe('EACCES');
    expect(opened(fs.open(W, '/f', O_RDONLY))).toBe('fd');
    expect(opened(fs.open(U, '/f', O_RDONLY))).toBe('fd');
  });

  test('each bit of the chosen class: read, write, execute', () => {
    file('/f', 0o461);
    expect(r(fs.access(U, '/f', R_OK))).toBe(0);
    expect(r(fs.access(U, '/f', W_OK))).toBe('EACCES');
    expect(r(fs.access(V, '/f', R_OK | W_OK))).toBe(0);
    expect(r(fs.access(V, '/f', X_OK))).toBe('EACCES');
    expect(r(fs.access(W, '/f', X_OK))).toBe(0);
    expect(r(fs.access(W, '/f', R_OK))).toBe('EACCES');
    expect(opened(fs.open(U, '/f', O_WRONLY))).toBe('EACCES');
    expect(opened(fs.open(V, '/f', O_RDWR))).toBe('fd');
    expect(opened(fs.open(W, '/f', O_RDONLY))).toBe('EACCES');
  });

  test('supplementary groups count, and so does the effective gid alone', () => {
    file('/f', 0o040, 1000, 200);
    expect(opened(fs.open(S, '/f', O_RDONLY))).toBe('fd');
    expect(opened(fs.open(E, '/f', O_RDONLY))).toBe('fd');
    expect(opened(fs.open(V, '/f', O_RDONLY))).toBe('EACCES');
  });

  test('credentials changed with setCredentials take effect at once', () => {
    file('/f', 0o040, 1000, 200);
    expect(opened(fs.open(V, '/f', O_RDONLY))).toBe('EACCES');
    expect(fs.setCredentials(V, { groups: [100, 200] })).toBe(0);
    expect(opened(fs.open(V, '/f', O_RDONLY))).toBe('fd');
  });
});

describe('root', () => {
  test('may read and write whatever the mode bits say', () => {
    file('/f', 0);
    expect(opened(fs.open(ROOT, '/f', O_RDWR))).toBe('fd');
    expect(r(fs.access(ROOT, '/f', R_OK | W_OK))).toBe(0);
  });

  test('may execute a regular file only if some execute bit is set', () => {
    file('/none', 0o644);
    file('/zero', 0);
    file('/oth', 0o001);
    file('/grp', 0o010);
    expect(r(fs.access(ROOT, '/none', X_OK))).toBe('EACCES');
    expect(r(fs.access(ROOT, '/none', R_OK | X_OK))).toBe('EACCES');
    expect(r(fs.access(ROOT, '/zero', X_OK))).toBe('EACCES');
    expect(r(fs.access(ROOT, '/oth', X_OK))).toBe(0);
    expect(r(fs.access(ROOT, '/grp', R_OK | W_OK | X_OK))).toBe(0);
  });

  test('may search any directory, even mode 000', () => {
    dir('/d', 0);
    file('/d/f', 0o644);
    expect(r(fs.access(ROOT, '/d', X_OK))).toBe(0);
    expect(opened(fs.open(ROOT, '/d/f', O_RDONLY))).toBe('fd');
    expect(opened(fs.open(ROOT, '/d', O_RDONLY | O_DIRECTORY))).toBe('fd');
  });

  test('may create and remove in a read-only directory', () => {
    dir('/d', 0o555);
    expect(opened(fs.open(ROOT, '/d/n', O_CREAT | O_WRONLY, 0o644))).toBe('fd');
    expect(r(fs.unlink(ROOT, '/d/n'))).toBe(0);
  });
});

describe('search permission on every directory walked', () => {
  beforeEach(() => {
    dir('/a', 0o755);
    dir('/a/b', 0o755);
    dir('/a/b/c', 0o700);
    file('/a/b/c/f', 0o666);
  });

  test('EACCES from a directory deep in the path, for existing and missing names alike', () => {
    expect(opened(fs.open(V, '/a/b/c/f', O_RDONLY))).toBe('EACCES');
    expect(opened(fs.open(V, '/a/b/c/nope', O_RDONLY))).toBe('EACCES');
    expect(r(fs.stat(V, '/a/b/c/f', st))).toBe('EACCES');
    expect(opened(fs.open(U, '/a/b/c/f', O_RDONLY))).toBe('fd');
  });

  test('read without search is not enough; search without read opens children but not the listing', () => {
    dir('/a/r', 0o644);
    file('/a/r/f', 0o644);
    expect(opened(fs.open(V, '/a/r/f', O_RDONLY))).toBe('EACCES');
    dir('/a/x', 0o711);
    file('/a/x/f', 0o644);
    expect(opened(fs.open(V, '/a/x/f', O_RDONLY))).toBe('fd');
    expect(opened(fs.open(V, '/a/x', O_RDONLY | O_DIRECTORY))).toBe('EACCES');
  });

  test('also through a symbolic link into an unsearchable directory, and for relative paths from the cwd', () => {
    expect(fs.symlink(ROOT, '/a/b/c', '/lc')).toBe(0);
    expect(opened(fs.open(V, '/lc/f', O_RDONLY))).toBe('EACCES');
    expect(r(fs.chdir(V, '/a/b'))).toBe(0);
    expect(opened(fs.open(V, 'c/f', O_RDONLY))).toBe('EACCES');
    expect(r(fs.chdir(V, '/a/b/c'))).toBe('EACCES');
  });

  test('a missing search bit higher up hides everything below', () => {
    fs.chmod(ROOT, '/a', 0o754);
    expect(opened(fs.open(W, '/a/b', O_RDONLY))).toBe('EACCES');
    expect(opened(fs.open(V, '/a/b', O_RDONLY))).toBe('fd');
  });
});

describe('write and search permission on the parent to create, remove and rename', () => {
  test('r-x parent: no create, mkdir, mknod, symlink, link, unlink or rename (EACCES)', () => {
    dir('/p', 0o555);
    file('/p/e', 0o666);
    file('/g', 0o666);
    expect(opened(fs.open(V, '/p/n', O_CREAT | O_WRONLY, 0o644))).toBe('EACCES');
    expect(r(fs.mkdir(V, '/p/n', 0o755))).toBe('EACCES');
    expect(r(fs.mknod(V, '/p/n', S_IFIFO | 0o644))).toBe('EACCES');
    expect(r(fs.symlink(V, 'x', '/p/n'))).toBe('EACCES');
    expect(r(fs.link(U, '/g', '/p/n'))).toBe('EACCES');
    expect(r(fs.unlink(V, '/p/e'))).toBe('EACCES');
    expect(r(fs.rename(V, '/p/e', '/p/e2'))).toBe('EACCES');
    expect(fs.exists(ROOT, '/p/e')).toBe(true);
    expect(fs.exists(ROOT, '/p/n')).toBe(false);
  });

  test('r-x parent: opening an existing file with O_CREAT needs no write on the parent', () => {
    dir('/p', 0o555);
    file('/p/e', 0o666);
    expect(opened(fs.open(V, '/p/e', O_CREAT | O_WRONLY, 0o644))).toBe('fd');
  });

  test('-wx parent: create and remove work; -w- parent: EACCES', () => {
    dir('/q', 0o333);
    expect(opened(fs.open(V, '/q/n', O_CREAT | O_WRONLY, 0o644))).toBe('fd');
    expect(r(fs.unlink(V, '/q/n'))).toBe(0);
    dir('/wo', 0o222);
    expect(opened(fs.open(V, '/wo/n', O_CREAT | O_WRONLY, 0o644))).toBe('EACCES');
  });

  test('rename needs write on both parents', () => {
    dir('/p', 0o555);
    file('/p/e', 0o666);
    dir('/q', 0o777);
    file('/q/e', 0o666);
    expect(r(fs.rename(V, '/p/e', '/q/e3'))).toBe('EACCES');
    expect(r(fs.rename(V, '/q/e', '/p/e4'))).toBe('EACCES');
    expect(r(fs.rename(V, '/q/e', '/q/e5'))).toBe(0);
  });

  test('moving a directory to another parent needs write on it (for ".."); renaming it in place does not', () => {
    dir('/q', 0o777);
    dir('/q2', 0o777);
    dir('/q/sub', 0o555);
    expect(r(fs.rename(V, '/q/sub', '/q2/sub'))).toBe('EACCES');
    expect(r(fs.rename(V, '/q/sub', '/q/sub2'))).toBe(0);
  });

  test('rmdir needs write on the parent, not on the directory', () => {
    dir('/q', 0o777);
    dir('/q/sub', 0o555);
    expect(r(fs.rmdir(V, '/q/sub'))).toBe(0);
    dir('/p', 0o555);
    dir('/p/sub', 0o777);
    expect(r(fs.rmdir(V, '/p/sub'))).toBe('EACCES');
  });
});

describe('the sticky bit on a directory', () => {
  beforeEach(() => {
    dir('/st', 0o1777, 0, 0);
    file('/st/mine', 0o666, 1001, 100);
    file('/st/theirs', 0o666, 1002, 100);
    dir('/st/dir', 0o777, 1002, 100);
  });

  test('only the file\'s owner may unlink or rename it (EPERM otherwise)', () => {
    expect(r(fs.unlink(V, '/st/theirs'))).toBe('EPERM');
    expect(r(fs.rename(V, '/st/theirs', '/st/x'))).toBe('EPERM');
    expect(r(fs.rmdir(V, '/st/dir'))).toBe('EPERM');
    expect(r(fs.rename(V, '/st/mine', '/st/mine2'))).toBe(0);
    expect(r(fs.unlink(V, '/st/mine2'))).toBe(0);
  });

  test('replacing someone else\'s file by rename is refused too', () => {
    expect(r(fs.rename(V, '/st/mine', '/st/theirs'))).toBe('EPERM');
    expect(fs.exists(ROOT, '/st/mine')).toBe(true);
  });

  test('the directory\'s owner and root may remove anything', () => {
    dir('/st2', 0o1777, 1001, 100);
    file('/st2/theirs', 0o666, 1002, 100);
    expect(r(fs.unlink(V, '/st2/theirs'))).toBe(0);
    expect(r(fs.unlink(ROOT, '/st/theirs'))).toBe(0);
    expect(r(fs.rmdir(ROOT, '/st/dir'))).toBe(0);
  });

  test('group write on the sticky directory does not help; writing the file itself is unaffected', () => {
    dir('/st3', 0o1775, 0, 100);
    file('/st3/theirs', 0o666, 1002, 100);
    expect(r(fs.unlink(V, '/st3/theirs'))).toBe('EPERM');
    expect(opened(fs.open(V, '/st/theirs', O_WRONLY))).toBe('fd');
  });

  test('without write permission the error is EACCES, not EPERM', () => {
    dir('/st4', 0o1755, 0, 0);
    file('/st4/theirs', 0o666, 1002, 100);
    expect(r(fs.unlink(V, '/st4/theirs'))).toBe('EACCES');
  });
});

describe('set-group-ID directories', () => {
  beforeEach(() => {
    dir('/sg', 0o2777, 0, 200);
  });

  test('new entries take the directory\'s group; new subdirectories also get S_ISGID', () => {
    expect(r(fs.mkdir(V, '/sg/d', 0o755))).toBe(0);
    expect(mode('/sg/d')).toBe(0o2755);
    expect([st.uid, st.gid]).toEqual([1001, 200]);
    expect(r(fs.mkdir(V, '/sg/d2', 0o700))).toBe(0);
    expect(mode('/sg/d2')).toBe(0o2700);
    expect(r(fs.mkdir(V, '/sg/d/deeper', 0o750))).toBe(0);
    expect(mode('/sg/d/deeper')).toBe(0o2750);
    expect(st.gid).toBe(200);
    expect(opened(fs.open(V, '/sg/f', O_CREAT | O_WRONLY, 0o644))).toBe('fd');
    expect(mode('/sg/f')).toBe(0o644);
    expect([st.uid, st.gid]).toEqual([1001, 200]);
    expect(r(fs.symlink(V, 'x', '/sg/l'))).toBe(0);
    fs.lstat(ROOT, '/sg/l', st);
    expect(st.gid).toBe(200);
  });

  test('a non-member\'s new file with S_ISGID and group execute loses S_ISGID', () => {
    expect(opened(fs.open(V, '/sg/f', O_CREAT | O_WRONLY, 0o2755))).toBe('fd');
    expect(mode('/sg/f')).toBe(0o755);
    expect(r(fs.mknod(V, '/sg/p', S_IFIFO | 0o2777))).toBe(0);
    expect(mode('/sg/p')).toBe(0o777);
  });

  test('without group execute a non-member\'s new file keeps S_ISGID (Linux strips only S_ISGID|S_IXGRP)', () => {
    expect(opened(fs.open(V, '/sg/f', O_CREAT | O_WRONLY, 0o2745))).toBe('fd');
    expect(mode('/sg/f')).toBe(0o2745);
  });

  test('the stripping looks at the requested mode before the umask', () => {
    fs.umask(V, 0o070);
    expect(opened(fs.open(V, '/sg/f', O_CREAT | O_WRONLY, 0o2775))).toBe('fd');
    expect(mode('/sg/f')).toBe(0o705);
    expect(r(fs.mkdir(V, '/sg/d', 0))).toBe(0);
    expect(mode('/sg/d')).toBe(0o2000);
  });

  test('members and root keep S_ISGID on new files', () => {
    expect(opened(fs.open(S, '/sg/m', O_CREAT | O_WRONLY, 0o2755))).toBe('fd');
    expect(mode('/sg/m')).toBe(0o2755);
    expect(opened(fs.open(ROOT, '/sg/r', O_CREAT | O_WRONLY, 0o2755))).toBe('fd');
    expect(mode('/sg/r')).toBe(0o2755);
    expect(st.gid).toBe(200);
  });

  test('in an ordinary directory: the creator\'s gid, S_ISGID kept on files, never given to mkdir', () => {
    dir('/plain', 0o777, 0, 200);
    expect(opened(fs.open(V, '/plain/f', O_CREAT | O_WRONLY, 0o2755))).toBe('fd');
    expect(mode('/plain/f')).toBe(0o2755);
    expect(st.gid).toBe(100);
    expect(r(fs.mkdir(V, '/plain/d', 0o2755))).toBe(0);
    expect(mode('/plain/d')).toBe(0o755);
    expect(r(fs.mkdir(V, '/plain/d7', 0o7777))).toBe(0);
    expect(mode('/plain/d7')).toBe(0o1777);
  });

  test('rename into a set-group-ID directory keeps the file\'s group', () => {
    dir('/plain', 0o777, 0, 0);
    expect(opened(fs.open(V, '/plain/f', O_CREAT | O_WRONLY, 0o644))).toBe('fd');
    expect(r(fs.rename(V, '/plain/f', '/sg/moved'))).toBe(0);
    mode('/sg/moved');
    expect(st.gid).toBe(100);
  });
});

describe('set-id bits cleared by a write or truncate of someone without privilege', () => {
  test('write clears S_ISUID, and S_ISGID when group execute is set, for owner and others alike', () => {
    file('/a', 0o6777);
    expect(r(append(V, '/a'))).toBe(1);
    expect(mode('/a')).toBe(0o777);
    file('/b', 0o6777);
    expect(r(append(U, '/b'))).toBe(1);
    expect(mode('/b')).toBe(0o777);
  });

  test('S_ISGID without group execute stays for a member of the file\'s group, goes for a non-member', () => {
    file('/a', 0o2767, 1000, 100);
    expect(r(append(V, '/a'))).toBe(1);
    expect(mode('/a')).toBe(0o2767);
    file('/b', 0o2767, 1000, 300);
    expect(r(append(V, '/b'))).toBe(1);
    expect(mode('/b')).toBe(0o767);
  });

  test('truncate, ftruncate and open(O_TRUNC) clear them too, even without a size change', () => {
    file('/a', 0o6777);
    expect(r(fs.truncate(V, '/a', 0))).toBe(0);
    expect(mode('/a')).toBe(0o777);
    file('/b', 0o2767, 1000, 300);
    expect(r(fs.truncate(V, '/b', 5))).toBe(0);
    expect(mode('/b')).toBe(0o767);
    file('/c', 0o2767, 1000, 300);
    const fd = fs.open(V, '/c', O_WRONLY);
    expect(r(fs.ftruncate(V, fd, 0))).toBe(0);
    expect(mode('/c')).toBe(0o767);
    file('/d', 0o6777);
    expect(opened(fs.open(V, '/d', O_WRONLY | O_TRUNC))).toBe('fd');
    expect(mode('/d')).toBe(0o777);
  });

  test('a zero-byte write changes nothing', () => {
    file('/a', 0o6777);
    const fd = fs.open(V, '/a', O_WRONLY);
    expect(r(fs.write(V, fd, Buffer.alloc(0)))).toBe(0);
    expect(mode('/a')).toBe(0o6777);
  });

  test('root\'s writes and truncates keep them', () => {
    file('/a', 0o6777);
    expect(r(append(ROOT, '/a'))).toBe(1);
    expect(r(fs.truncate(ROOT, '/a', 0))).toBe(0);
    expect(mode('/a')).toBe(0o6777);
  });
});

describe('access and faccessat: real ids, or effective ones with AT_EACCESS', () => {
  beforeEach(() => {
    file('/ro', 0o400, 0, 0);
    file('/uo', 0o400, 1000, 100);
    file('/gr', 0o040, 0, 100);
    dir('/ud', 0o700, 0, 0);
    file('/ud/f', 0o444, 0, 0);
  });

  test('real uid 1000, effective 0: access answers for uid 1000, AT_EACCESS and open for root', () => {
    fs.createCage(10, { uid: 1000, euid: 0, gid: 100, groups: [100] });
    expect(r(fs.access(10, '/ro', R_OK))).toBe('EACCES');
    expect(r(fs.faccessat(10, AT_FDCWD, '/ro', R_OK, AT_EACCESS))).toBe(0);
    expect(r(fs.access(10, '/uo', R_OK))).toBe(0);
    expect(opened(fs.open(10, '/ro', O_RDONLY))).toBe('fd');
  });

  test('the path is walked with the same ids: search permission of the real uid', () => {
    fs.createCage(10, { uid: 1000, euid: 0, gid: 100, groups: [100] });
    expect(r(fs.access(10, '/ud/f', F_OK))).toBe('EACCES');
    expect(r(fs.faccessat(10, AT_FDCWD, '/ud/f', F_OK, AT_EACCESS))).toBe(0);
  });

  test('real uid 0, effective 1000: access has root\'s overrides (but still no X_OK without x bits)', () => {
    fs.createCage(10, { uid: 0, euid: 1000, gid: 100, groups: [100] });
    expect(r(fs.access(10, '/ro', R_OK))).toBe(0);
    expect(r(fs.access(10, '/ro', X_OK))).toBe('EACCES');
    expect(r(fs.faccessat(10, AT_FDCWD, '/ro', R_OK, AT_EACCESS))).toBe('EACCES');
    expect(opened(fs.open(10, '/ro', O_RDONLY))).toBe('EACCES');
  });

  test('real gid 300, effective gid 100: the group class follows the same choice', () => {
    fs.createCage(10, { uid: 1000, gid: 300, egid: 100, groups: [] });
    expect(r(fs.access(10, '/gr', R_OK))).toBe('EACCES');
    expect(r(fs.faccessat(10, AT_FDCWD, '/gr', R_OK, AT_EACCESS))).toBe(0);
  });

  test('F_OK needs only the walk; a missing file is ENOENT', () => {
    expect(r(fs.access(V, '/ro', F_OK))).toBe(0);
    expect(r(fs.access(V, '/missing', F_OK))).toBe('ENOENT');
  });

  test('a bad mode or unknown flags are EINVAL, before the path is looked at', () => {
    expect(r(fs.access(ROOT, '/ro', 8))).toBe('EINVAL');
    expect(r(fs.access(ROOT, '/missing', 8))).toBe('EINVAL');
    expect(r(fs.faccessat(ROOT, AT_FDCWD, '/ro', R_OK, 0x4))).toBe('EINVAL');
  });

  test('AT_SYMLINK_NOFOLLOW checks the link itself (a dangling link exists)', () => {
    expect(fs.symlink(ROOT, '/missing', '/dangling')).toBe(0);
    expect(r(fs.faccessat(ROOT, AT_FDCWD, '/dangling', F_OK, AT_SYMLINK_NOFOLLOW))).toBe(0);
    expect(r(fs.faccessat(ROOT, AT_FDCWD, '/dangling', F_OK, 0))).toBe('ENOENT');
  });

  test('root may write any directory and search it', () => {
    expect(r(fs.access(ROOT, '/ud', R_OK | W_OK | X_OK))).toBe(0);
  });
});

describe('O_NOATIME and O_TRUNC', () => {
  test('O_NOATIME needs the owner or root (EPERM); the access check comes first (EACCES)', () => {
    file('/na', 0o644);
    expect(opened(fs.open(V, '/na', O_RDONLY | O_NOATIME))).toBe('EPERM');
    expect(opened(fs.open(U, '/na', O_RDONLY | O_NOATIME))).toBe('fd');
    expect(opened(fs.open(ROOT, '/na', O_RDONLY | O_NOATIME))).toBe('fd');
    file('/na2', 0o600);
    expect(opened(fs.open(V, '/na2', O_RDONLY | O_NOATIME))).toBe('EACCES');
  });

  test('F_SETFL cannot add O_NOATIME for a non-owner either', () => {
    file('/na', 0o644);
    const fd = fs.open(V, '/na', O_RDONLY);
    expect(r(fs.fcntl(V, fd, F_SETFL, O_NOATIME))).toBe('EPERM');
    expect(fs.fcntl(V, fd, F_GETFL) & O_NOATIME).toBe(0);
  });

  test('O_TRUNC needs write permission, even with O_RDONLY; nothing is truncated when refused', () => {
    file('/tr', 0o644, 1000, 100, 'abc');
    expect(opened(fs.open(V, '/tr', O_RDONLY | O_TRUNC))).toBe('EACCES');
    expect(opened(fs.open(V, '/tr', O_CREAT | O_WRONLY | O_TRUNC, 0o666))).toBe('EACCES');
    expect(r(fs.truncate(V, '/tr', 0))).toBe('EACCES');
    expect(opened(fs.open(V, '/tr', O_RDONLY))).toBe('fd');
    fs.stat(ROOT, '/tr', st);
    expect(st.size).toBe(3);
    expect(opened(fs.open(U, '/tr', O_RDONLY | O_TRUNC))).toBe('fd');
    fs.stat(ROOT, '/tr', st);
    expect(st.size).toBe(0);
  });
});
