/**
 * Path resolution (path_resolution(7)): where a walk starts (root, cwd, dirfd), "." and
 * "..", repeated and trailing slashes, symbolic links anywhere in a path and the 40-link
 * limit, NAME_MAX and PATH_MAX in bytes, empty paths and AT_EMPTY_PATH, and names as
 * bytes. Expectations checked against Linux 6.18 (tmpfs) with C probes.
 */
import { describe, test, expect, beforeEach } from 'vitest';
import {
  Imfs, newStat, errnoName, type Stat,
  AT_EMPTY_PATH, AT_FDCWD, AT_SYMLINK_NOFOLLOW, O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_PATH,
  O_RDONLY, O_WRONLY, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG,
} from '../../src/core/index.js';
import { r, opened, createFile } from '../helpers/conformance.js';

const ROOT = 0;
let fs: Imfs;
const st: Stat = newStat();

/** The file type a path resolves to ('dir', 'reg', 'lnk', 'fifo') or the errno name. */
function kind(path: string | Uint8Array, cage = ROOT, nofollow = false): string {
  const e = nofollow ? fs.lstat(cage, path, st) : fs.stat(cage, path, st);
  if (e < 0) return errnoName(e);
  switch (st.mode & S_IFMT) {
    case S_IFDIR: return 'dir';
    case S_IFREG: return 'reg';
    case S_IFLNK: return 'lnk';
    case S_IFIFO: return 'fifo';
    default: return 'other';
  }
}

/** The inode a path resolves to (following links), or the errno name. */
function ino(path: string | Uint8Array, cage = ROOT): number | string {
  const e = fs.stat(cage, path, st);
  return e < 0 ? errnoName(e) : st.ino;
}

const touch = (path: string | Uint8Array, cage = ROOT): void => createFile(fs, path, 0o644, cage);

/** The names in a directory, as exact bytes (without "." and ".."). */
function list(path: string): Buffer[] {
  const fd = fs.opendir(ROOT, path);
  expect(fd).toBeGreaterThanOrEqual(0);
  const names: Buffer[] = [];
  for (;;) {
    const e = fs.readdir(ROOT, fd);
    if (e === null) break;
    if (typeof e === 'number') throw new Error(errnoName(e));
    if (e.name !== '.' && e.name !== '..') names.push(e.bytes);
  }
  fs.closedir(ROOT, fd);
  return names;
}

function readlink(path: string | Uint8Array): Buffer | string {
  const buf = Buffer.alloc(4200);
  const n = fs.readlink(ROOT, path, buf);
  return n < 0 ? errnoName(n) : buf.subarray(0, n);
}

beforeEach(() => {
  fs = new Imfs();
  expect(fs.mkdir(ROOT, '/d', 0o755)).toBe(0);
  touch('/d/f');
  touch('/f');
  expect(fs.symlink(ROOT, 'd', '/ld')).toBe(0);
  expect(fs.symlink(ROOT, 'f', '/lf')).toBe(0);
  expect(fs.symlink(ROOT, 'missing', '/ln')).toBe(0);
});

describe('where the walk starts', () => {
  test('an absolute path starts at the root, a relative one at the working directory', () => {
    expect(kind('/d/f')).toBe('reg');
    expect(kind('d/f')).toBe('reg');
    expect(r(fs.chdir(ROOT, '/d'))).toBe(0);
    expect(kind('f')).toBe('reg');
    expect(ino('f')).toBe(ino('/d/f'));
    expect(kind('d/f')).toBe('ENOENT');
    expect(kind('/d/f')).toBe('reg');
  });

  test('each cage has its own working directory', () => {
    expect(fs.createCage(1, { cwd: '/d' })).toBe(0);
    expect(ino('f', 1)).toBe(ino('/d/f'));
    expect(ino('f', ROOT)).toBe(ino('/f'));
  });

  test('a relative path with a dirfd starts at that directory (O_PATH descriptors too)', () => {
    const dfd = fs.open(ROOT, '/d', O_RDONLY | O_DIRECTORY);
    const pfd = fs.open(ROOT, '/d', O_PATH);
    expect(opened(fs.openat(ROOT, dfd, 'f', O_RDONLY))).toBe('fd');
    expect(opened(fs.openat(ROOT, pfd, 'f', O_RDONLY))).toBe('fd');
    expect(r(fs.fstatat(ROOT, dfd, 'f', st))).toBe(0);
    expect(st.ino).toBe(ino('/d/f'));
    expect(r(fs.fstatat(ROOT, dfd, '..', st))).toBe(0);
    expect(st.ino).toBe(ino('/'));
    expect(r(fs.mkdirat(ROOT, pfd, 'sub', 0o755))).toBe(0);
    expect(kind('/d/sub')).toBe('dir');
  });

  test('a dirfd that is not open is EBADF; AT_FDCWD means the working directory', () => {
    expect(opened(fs.openat(ROOT, 99, 'f', O_RDONLY))).toBe('EBADF');
    expect(opened(fs.openat(ROOT, -1, 'f', O_RDONLY))).toBe('EBADF');
    expect(r(fs.mkdirat(ROOT, 99, 'z', 0o755))).toBe('EBADF');
    expect(opened(fs.openat(ROOT, AT_FDCWD, 'f', O_RDONLY))).toBe('fd');
  });

  test('a dirfd that is not a directory is ENOTDIR, even for "."', () => {
    const ffd = fs.open(ROOT, '/f', O_RDONLY);
    expect(opened(fs.openat(ROOT, ffd, 'f', O_RDONLY))).toBe('ENOTDIR');
    expect(opened(fs.openat(ROOT, ffd, '.', O_RDONLY))).toBe('ENOTDIR');
    expect(r(fs.mkdirat(ROOT, ffd, 'z', 0o755))).toBe('ENOTDIR');
  });

  test('the dirfd is ignored for an absolute path, even a bad or non-directory one', () => {
    const ffd = fs.open(ROOT, '/f', O_RDONLY);
    expect(opened(fs.openat(ROOT, 99, '/d/f', O_RDONLY))).toBe('fd');
    expect(opened(fs.openat(ROOT, ffd, '/d/f', O_RDONLY))).toBe('fd');
  });

  test('a removed working directory: "." still resolves, nothing can be created in it', () => {
    expect(fs.mkdir(ROOT, '/gone', 0o755)).toBe(0);
    expect(fs.createCage(1, { cwd: '/gone' })).toBe(0);
    expect(r(fs.rmdir(ROOT, '/gone'))).toBe(0);
    expect(kind('.', 1)).toBe('dir');
    expect(kind('..', 1)).toBe('dir');
    expect(opened(fs.open(1, 'x', O_CREAT | O_WRONLY, 0o644))).toBe('ENOENT');
    expect(r(fs.mkdir(1, 'x', 0o755))).toBe('ENOENT');
  });
});

describe('"." and ".."', () => {
  test('".." of "/" is "/"', () => {
    const root = ino('/');
    expect(ino('/..')).toBe(root);
    expect(ino('/../..')).toBe(root);
    expect(ino('/../d/../..')).toBe(root);
    expect(ino('..')).toBe(root);
  });

  test('"." is the directory itself, ".." its parent, anywhere in a path', () => {
    expect(ino('/d/.')).toBe(ino('/d'));
    expect(ino('/d/..')).toBe(ino('/'));
    expect(ino('/./d/./f')).toBe(ino('/d/f'));
    expect(fs.mkdir(ROOT, '/d/e', 0o755)).toBe(0);
    expect(ino('/d/e/../f')).toBe(ino('/d/f'));
  });

  test('".." after a symbolic link is the parent of the link\'s target, not of the link', () => {
    expect(fs.mkdir(ROOT, '/x', 0o755)).toBe(0);
    expect(fs.mkdir(ROOT, '/x/y', 0o755)).toBe(0);
    expect(fs.mkdir(ROOT, '/x/y/t', 0o755)).toBe(0);
    expect(fs.symlink(ROOT, 'x/y/t', '/l')).toBe(0);
    expect(ino('/l/..')).toBe(ino('/x/y'));
    expect(fs.symlink(ROOT, '/', '/lroot')).toBe(0);
    expect(ino('/lroot/..')).toBe(ino('/'));
  });

  test('"." or ".." after a non-directory is ENOTDIR; after a missing name ENOENT', () => {
    expect(kind('/f/.')).toBe('ENOTDIR');
    expect(kind('/f/..')).toBe('ENOTDIR');
    expect(kind('/missing/..')).toBe('ENOENT');
  });
});

describe('slashes', () => {
  test('repeated slashes count as one', () => {
    expect(ino('//d///f')).toBe(ino('/d/f'));
    expect(ino('///')).toBe(ino('/'));
    expect(ino('d//f')).toBe(ino('/d/f'));
    expect(ino('/d//')).toBe(ino('/d'));
  });

  test('a trailing slash on a non-directory is ENOTDIR', () => {
    expect(kind('/f/')).toBe('ENOTDIR');
    expect(kind('/f//')).toBe('ENOTDIR');
    expect(kind('/f/', ROOT, true)).toBe('ENOTDIR');
    expect(opened(fs.open(ROOT, '/f/', O_RDONLY))).toBe('ENOTDIR');
    expect(r(fs.access(ROOT, '/f/', 0))).toBe('ENOTDIR');
    expect(r(fs.truncate(ROOT, '/f/', 0))).toBe('ENOTDIR');
    expect(r(fs.chmod(ROOT, '/f/', 0o600))).toBe('ENOTDIR');
    expect(r(fs.unlink(ROOT, '/f/'))).toBe('ENOTDIR');
    expect(r(fs.rename(ROOT, '/f/', '/g'))).toBe('ENOTDIR');
    expect(r(fs.rename(ROOT, '/f', '/g/'))).toBe('ENOTDIR');
    expect(r(fs.link(ROOT, '/f/', '/g'))).toBe('ENOTDIR');
    expect(kind('/f')).toBe('reg');
  });

  test('a trailing slash on a directory is fine', () => {
    expect(kind('/d/')).toBe('dir');
    expect(opened(fs.open(ROOT, '/d/', O_RDONLY))).toBe('fd');
    expect(r(fs.mkdir(ROOT, '/x/', 0o755))).toBe(0);
    expect(r(fs.rmdir(ROOT, '/x/'))).toBe(0);
  });

  test('a trailing slash follows a symbolic link to a directory, even for lstat and O_NOFOLLOW', () => {
    expect(kind('/ld/', ROOT, true)).toBe('dir');
    expect(kind('/ld', ROOT, true)).toBe('lnk');
    expect(opened(fs.open(ROOT, '/ld/', O_RDONLY | O_NOFOLLOW))).toBe('fd');
    expect(opened(fs.open(ROOT, '/ld', O_RDONLY | O_NOFOLLOW))).toBe('ELOOP');
    expect(r(fs.readlink(ROOT, '/ld/', Buffer.alloc(10)))).toBe('EINVAL');
  });

  test('a trailing slash on a symbolic link to a file is ENOTDIR; to nothing ENOENT', () => {
    expect(kind('/lf/')).toBe('ENOTDIR');
    expect(kind('/lf/', ROOT, true)).toBe('ENOTDIR');
    expect(opened(fs.open(ROOT, '/lf/', O_RDONLY))).toBe('ENOTDIR');
    expect(r(fs.readlink(ROOT, '/lf/', Buffer.alloc(10)))).toBe('ENOTDIR');
    expect(kind('/ln/', ROOT, true)).toBe('ENOENT');
  });

  test('removing through a trailing slash never removes the link: unlink and rmdir are ENOTDIR', () => {
    expect(r(fs.unlink(ROOT, '/ld/'))).toBe('ENOTDIR');
    expect(r(fs.unlink(ROOT, '/lf/'))).toBe('ENOTDIR');
    expect(r(fs.rmdir(ROOT, '/ld/'))).toBe('ENOTDIR');
    expect(r(fs.rename(ROOT, '/ld/', '/ld2'))).toBe('ENOTDIR');
    expect(kind('/ld', ROOT, true)).toBe('lnk');
  });

  test('creating with a trailing slash: O_CREAT is EISDIR, mkdir works, other types ENOENT', () => {
    expect(opened(fs.open(ROOT, '/new/', O_CREAT | O_WRONLY, 0o644))).toBe('EISDIR');
    expect(opened(fs.open(ROOT, '/f/', O_CREAT | O_WRONLY, 0o644))).toBe('EISDIR');
    expect(opened(fs.open(ROOT, '/ld/', O_CREAT | O_WRONLY, 0o644))).toBe('EISDIR');
    expect(opened(fs.open(ROOT, '/ln/', O_CREAT | O_WRONLY, 0o644))).toBe('EISDIR');
    expect(r(fs.symlink(ROOT, 'f', '/nl/'))).toBe('ENOENT');
    expect(r(fs.mknod(ROOT, '/nn/', S_IFIFO | 0o644))).toBe('ENOENT');
    expect(r(fs.link(ROOT, '/f', '/f2/'))).toBe('ENOENT');
    expect(r(fs.mkdir(ROOT, '/ln/', 0o755))).toBe('EEXIST');
    expect(kind('/missing')).toBe('ENOENT');
    expect(kind('/new')).toBe('ENOENT');
  });
});

describe('symbolic links', () => {
  test('absolute and relative targets; a relative target is read from the link\'s directory', () => {
    expect(fs.symlink(ROOT, '/d', '/abs')).toBe(0);
    expect(fs.symlink(ROOT, '../f', '/d/up')).toBe(0);
    expect(ino('/abs/f')).toBe(ino('/d/f'));
    expect(ino('/d/up')).toBe(ino('/f'));
    expect(ino('/ld/up')).toBe(ino('/f'));
    const dfd = fs.open(ROOT, '/d', O_RDONLY | O_DIRECTORY);
    expect(r(fs.fstatat(ROOT, dfd, 'up', st))).toBe(0);
    expect(st.ino).toBe(ino('/f'));
  });

  test('links in the middle of a path and chains of links', () => {
    expect(fs.symlink(ROOT, 'lf', '/chain2')).toBe(0);
    expect(fs.symlink(ROOT, '/chain2', '/chain3')).toBe(0);
    expect(ino('/chain3')).toBe(ino('/f'));
    expect(fs.symlink(ROOT, 'ld', '/ldd')).toBe(0);
    expect(ino('/ldd/f')).toBe(ino('/d/f'));
    expect(ino('/ldd/../ld/./f')).toBe(ino('/d/f'));
  });

  test('a dangling link is ENOENT to follow; O_CREAT through it creates the target, O_EXCL refuses', () => {
    expect(kind('/ln')).toBe('ENOENT');
    expect(kind('/ln', ROOT, true)).toBe('lnk');
    expect(fs.symlink(ROOT, 'newtarget', '/dl')).toBe(0);
    expect(opened(fs.open(ROOT, '/dl', O_CREAT | O_WRONLY, 0o644))).toBe('fd');
    expect(kind('/newtarget', ROOT, true)).toBe('reg');
    expect(fs.symlink(ROOT, 'nt2', '/dl2')).toBe(0);
    expect(opened(fs.open(ROOT, '/dl2', O_CREAT | O_EXCL | O_WRONLY, 0o644))).toBe('EEXIST');
    expect(kind('/nt2')).toBe('ENOENT');
  });

  test('loops are ELOOP, at the end or in the middle; lstat of the link itself works', () => {
    expect(fs.symlink(ROOT, 'self', '/self')).toBe(0);
    expect(kind('/self')).toBe('ELOOP');
    expect(kind('/self/x')).toBe('ELOOP');
    expect(kind('/self', ROOT, true)).toBe('lnk');
    expect(fs.symlink(ROOT, 'lb', '/la')).toBe(0);
    expect(fs.symlink(ROOT, 'la', '/lb')).toBe(0);
    expect(kind('/la')).toBe('ELOOP');
  });

  test('40 links are followed, the 41st is ELOOP', () => {
    // c1 -> c2 -> ... -> c41 -> f
    for (let i = 1; i <= 41; i++) expect(fs.symlink(ROOT, i === 41 ? 'f' : `c${i + 1}`, `/c${i}`)).toBe(0);
    expect(kind('/c2')).toBe('reg');
    expect(kind('/c1')).toBe('ELOOP');
    expect(kind('/c1', ROOT, true)).toBe('lnk');
  });

  test('the 40 are counted over the whole path, not per component', () => {
    // e1 -> ... -> e40 -> d: 40 links to reach d; d/up is one more.
    for (let i = 1; i <= 40; i++) expect(fs.symlink(ROOT, i === 40 ? 'd' : `e${i + 1}`, `/e${i}`)).toBe(0);
    expect(fs.symlink(ROOT, '../f', '/d/up')).toBe(0);
    expect(kind('/e1/f')).toBe('reg');
    expect(kind('/e1/up')).toBe('ELOOP');
    expect(kind('/e2/up')).toBe('reg');
  });

  test('O_NOFOLLOW on a final link is ELOOP, and O_PATH|O_NOFOLLOW opens the link itself', () => {
    expect(opened(fs.open(ROOT, '/lf', O_RDONLY | O_NOFOLLOW))).toBe('ELOOP');
    const fd = fs.open(ROOT, '/lf', O_PATH | O_NOFOLLOW);
    expect(opened(fd)).toBe('fd');
    expect(r(fs.fstat(ROOT, fd, st))).toBe(0);
    expect(st.mode & S_IFMT).toBe(S_IFLNK);
  });

  test('an empty target cannot be created (ENOENT)', () => {
    expect(r(fs.symlink(ROOT, '', '/empty'))).toBe('ENOENT');
  });
});

describe('length limits, in bytes', () => {
  test('a 255-byte component is fine, 256 bytes is ENAMETOOLONG (last or in the middle)', () => {
    touch('/' + 'n'.repeat(255));
    expect(kind('/' + 'n'.repeat(255))).toBe('reg');
    expect(opened(fs.open(ROOT, '/' + 'n'.repeat(256), O_CREAT | O_WRONLY, 0o644))).toBe('ENAMETOOLONG');
    expect(kind('/' + 'n'.repeat(256))).toBe('ENAMETOOLONG');
    expect(kind('/' + 'n'.repeat(256) + '/f')).toBe('ENAMETOOLONG');
  });

  test('NAME_MAX counts UTF-8 bytes, not characters', () => {
    // 'é' is two bytes in UTF-8.
    touch('/' + 'é'.repeat(127) + 'a');
    expect(kind('/' + 'é'.repeat(127) + 'a')).toBe('reg');
    expect(opened(fs.open(ROOT, '/' + 'é'.repeat(128), O_CREAT | O_WRONLY, 0o644))).toBe('ENAMETOOLONG');
  });

  test('a 4095-byte path is fine, 4096 bytes is ENAMETOOLONG (existing or not)', () => {
    expect(kind('.' + '/'.repeat(4093) + 'f')).toBe('reg');
    expect(kind('.' + '/'.repeat(4094) + 'f')).toBe('ENAMETOOLONG');
    expect(kind('.' + '/'.repeat(4094) + 'q')).toBe('ENAMETOOLONG');
  });

  test('PATH_MAX counts UTF-8 bytes too', () => {
    // 20 components of 100 "é" (201 bytes each with the slash), then "/" and some "a"s.
    const base = ('/' + 'é'.repeat(100)).repeat(20);
    expect(Buffer.byteLength(base)).toBe(4020);
    expect(kind(base + '/' + 'a'.repeat(74))).toBe('ENOENT');
    expect(kind(base + '/' + 'a'.repeat(75))).toBe('ENAMETOOLONG');
  });

  test('a symbolic link target may be 4095 bytes, not 4096; its expansion may exceed PATH_MAX', () => {
    expect(r(fs.symlink(ROOT, 'a'.repeat(4096), '/toolong'))).toBe('ENAMETOOLONG');
    expect(r(fs.symlink(ROOT, 'a'.repeat(4095), '/long'))).toBe(0);
    expect(fs.symlink(ROOT, '.' + '/'.repeat(3997) + 'd', '/longl')).toBe(0);
    expect(kind('/longl' + '/'.repeat(593) + 'f')).toBe('reg');
  });
});

describe('empty paths', () => {
  test('an empty path is ENOENT', () => {
    expect(kind('')).toBe('ENOENT');
    expect(opened(fs.open(ROOT, '', O_RDONLY))).toBe('ENOENT');
    expect(r(fs.mkdir(ROOT, '', 0o755))).toBe('ENOENT');
    expect(r(fs.unlink(ROOT, ''))).toBe('ENOENT');
    expect(r(fs.chdir(ROOT, ''))).toBe('ENOENT');
  });

  test('AT_EMPTY_PATH: the file dirfd refers to, the cwd for AT_FDCWD, EBADF for a bad dirfd', () => {
    const fd = fs.open(ROOT, '/d/f', O_RDONLY);
    expect(r(fs.fstatat(ROOT, fd, '', st, AT_EMPTY_PATH))).toBe(0);
    expect(st.ino).toBe(ino('/d/f'));
    expect(r(fs.fstatat(ROOT, fd, '', st, 0))).toBe('ENOENT');
    fs.chdir(ROOT, '/d');
    expect(r(fs.fstatat(ROOT, AT_FDCWD, '', st, AT_EMPTY_PATH))).toBe(0);
    expect(st.ino).toBe(ino('/d'));
    expect(r(fs.fstatat(ROOT, 99, '', st, AT_EMPTY_PATH))).toBe('EBADF');
    expect(r(fs.fstatat(ROOT, 99, '', st, 0))).toBe('ENOENT');
  });

  test('AT_EMPTY_PATH on an O_PATH|O_NOFOLLOW link descriptor is the link, whatever AT_SYMLINK_NOFOLLOW says', () => {
    const fd = fs.open(ROOT, '/lf', O_PATH | O_NOFOLLOW);
    expect(r(fs.fstatat(ROOT, fd, '', st, AT_EMPTY_PATH))).toBe(0);
    expect(st.mode & S_IFMT).toBe(S_IFLNK);
    expect(r(fs.fstatat(ROOT, fd, '', st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))).toBe(0);
    expect(st.mode & S_IFMT).toBe(S_IFLNK);
  });
});

describe('names are bytes', () => {
  test('a non-UTF-8 name created from bytes lists and opens with exactly those bytes', () => {
    const name = Uint8Array.from([0xff, 0xfe, 0x80, 0x41, 0xc3]);
    const path = Uint8Array.from([0x2f, 0x64, 0x2f, ...name]); // "/d/" + name
    touch(path);
    const names = list('/d');
    expect(names.some((b) => b.equals(Buffer.from(name)))).toBe(true);
    expect(names.length).toBe(2);
    expect(kind(path)).toBe('reg');
    // Decoding the name as text and back does not find it: the bytes differ.
    const lossy = '/d/' + Buffer.from(name).toString('utf8');
    expect(kind(lossy)).toBe('ENOENT');
  });

  test('Latin-1 "é" (one byte) and UTF-8 "é" (two bytes) are two different names', () => {
    touch(Uint8Array.from([0x2f, 0xe9]));
    touch('/é');
    const names = list('/').filter((b) => b[0] === 0xe9 || b[0] === 0xc3);
    expect(names.map((b) => [...b])).toEqual(expect.arrayContaining([[0xe9], [0xc3, 0xa9]]));
    expect(names.length).toBe(2);
    expect(ino(Uint8Array.from([0x2f, 0xc3, 0xa9]))).toBe(ino('/é'));
    expect(ino(Uint8Array.from([0x2f, 0xe9]))).not.toBe(ino('/é'));
  });

  test('every byte but NUL and "/" may appear in a name, and round-trips through readdir', () => {
    const bytes: number[] = [];
    for (let b = 1; b < 256; b++) if (b !== 0x2f) bytes.push(b);
    expect(bytes.length).toBe(254);
    const path = Uint8Array.from([0x2f, 0x64, 0x2f, ...bytes]);
    touch(path);
    expect(list('/d').some((b) => b.equals(Buffer.from(bytes)))).toBe(true);
    expect(kind(path)).toBe('reg');
    expect(r(fs.unlink(ROOT, path))).toBe(0);
    expect(list('/d').length).toBe(1);
  });

  test('symbolic link targets are bytes too, and resolve', () => {
    const name = [0xff, 0x01, 0x80];
    expect(fs.mkdir(ROOT, Uint8Array.from([0x2f, ...name]), 0o755)).toBe(0);
    touch(Uint8Array.from([0x2f, ...name, 0x2f, 0x66]));
    expect(fs.symlink(ROOT, Uint8Array.from(name), '/lx')).toBe(0);
    expect([...(readlink('/lx') as Buffer)]).toEqual(name);
    expect(kind('/lx/f')).toBe('reg');
  });

  test('a NUL inside a path is EINVAL (the core\'s choice: no C caller can pass one)', () => {
    expect(opened(fs.open(ROOT, '/f\0x', O_RDONLY))).toBe('EINVAL');
    expect(kind('/f\0')).toBe('EINVAL');
    expect(r(fs.mkdir(ROOT, '/a\0b', 0o755))).toBe('EINVAL');
    expect(opened(fs.open(ROOT, Uint8Array.from([0x2f, 0x66, 0x00]), O_RDONLY))).toBe('EINVAL');
    expect(kind('/a')).toBe('ENOENT');
  });
});
