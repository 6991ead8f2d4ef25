/**
 * The fsop protocol (docs/fsop-protocol.md): the engine (src/grate/fsop.ts) request by
 * request, then the built imfs-fsop program over pipes.
 */
import { describe, test, expect, beforeAll, afterAll } from 'vitest';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';
import { FsopServer, CALL_NAMES, errnoText, parseNum } from '../src/grate/fsop.js';
import {
  manualClock, EAGAIN, EWOULDBLOCK, ENOTSUP, EOPNOTSUPP, EDEADLOCK, ENODATA, EOWNERDEAD, ENOENT,
  ENOTRECOVERABLE, WOULD_BLOCK,
} from '../src/core/index.js';

const T0 = 1_700_000_000;

/** A fresh server on a manual clock, and `q(...words)` sending one request. */
function setup() {
  const clock = manualClock(T0);
  const server = new FsopServer({ clock });
  const q = (...words: string[]) => server.handle(JSON.stringify(words));
  return { server, clock, q };
}

describe('framing', () => {
  test('a line that is not a JSON array of strings, or is empty, gets the empty line', () => {
    const { server } = setup();
    for (const line of ['', 'mkdir d 0755', '{"a":1}', '"mkdir"', '[]', '[1]', '["mkdir","d",493]',
      '[["mkdir"]]', '["mkdir","d",null]', '[mkdir]', '["mkdir","d","0755"', 'null']) {
      expect(server.handle(line), line).toBe('');
    }
    expect(server.handle('["stat","/","type"]')).toBe('dir');
    expect(server.handle('  ["stat","/","type"]  \r')).toBe('dir');
  });

  test('reset answers 0 and brings back the initial state (only / with 0755, 0:0, 2 links; cwd /)', () => {
    const { q } = setup();
    expect(q('mkdir', 'd', '0700')).toBe('0');
    expect(q('chmod', '/', '0711')).toBe('0');
    expect(q('cd', 'd')).toBe('0');
    expect(q('reset')).toBe('0');
    expect(q('stat', '/', 'type,mode,uid,gid,nlink')).toBe('dir,0755,0,0,2');
    expect(q('stat', 'd', 'type')).toBe('ENOENT');
    expect(q('mkdir', 'd', '0755')).toBe('0');
    expect(q('stat', '/d', 'type')).toBe('dir');
    expect(q('stat', '..', 'inode')).toBe(q('stat', '/', 'inode'));
  });

  test('reset or cd with a wrong number of arguments is a usage error', () => {
    const { q } = setup();
    expect(q('reset', 'x')).toBe('');
    expect(q('cd')).toBe('');
    expect(q('cd', '/', '/')).toBe('');
  });

  test('a NUL inside an element ends it, as it would end a C argv string', () => {
    const { q } = setup();
    expect(q('mkdir', 'ab\u0000cd', '0755')).toBe('0');
    expect(q('stat', 'ab', 'type')).toBe('dir');
  });

  test('strings are UTF-8 byte names', () => {
    const { server, q } = setup();
    expect(q('create', 'é☃', '0644')).toBe('0');
    const names: string[] = [];
    const fd = server.imfs.opendir(0, '/');
    for (let e = server.imfs.readdir(0, fd); e !== null && typeof e !== 'number'; e = server.imfs.readdir(0, fd)) names.push(e.bytes.toString('hex'));
    expect(names).toContain(Buffer.from('é☃', 'utf8').toString('hex'));
  });
});

describe('cd', () => {
  test('changes the working directory like chdir(2) by uid 0, following symlinks', () => {
    const { q } = setup();
    expect(q('mkdir', 'a', '0')).toBe('0'); // root needs no search permission
    expect(q('mkdir', 'a/b', '0755')).toBe('0');
    expect(q('symlink', 'a/b', 'lb')).toBe('0');
    expect(q('create', 'f', '0644')).toBe('0');
    expect(q('-u', '65534', 'stat', 'a/b', 'type')).toBe('EACCES');
    expect(q('cd', 'lb')).toBe('0');
    expect(q('create', 'g', '0644')).toBe('0');
    expect(q('stat', '/a/b/g', 'type')).toBe('regular');
    expect(q('cd', '/nonexistent')).toBe('ENOENT');
    expect(q('cd', '/f')).toBe('ENOTDIR');
    expect(q('cd', '')).toBe('ENOENT');
    expect(q('symlink', 'loop', '/loop')).toBe('0');
    expect(q('cd', '/loop')).toBe('ELOOP');
    expect(q('cd', 'x'.repeat(256))).toBe('ENAMETOOLONG');
    // failures leave the working directory where it was
    expect(q('stat', 'g', 'type')).toBe('regular');
  });

  test('the working directory is a directory, not a path: renaming it does not move requests', () => {
    const { q } = setup();
    expect(q('mkdir', 'd', '0755')).toBe('0');
    expect(q('cd', 'd')).toBe('0');
    expect(q('rename', '/d', '/e')).toBe('0');
    expect(q('create', 'f', '0644')).toBe('0');
    expect(q('stat', '/e/f', 'type')).toBe('regular');
    expect(q('cd', '..')).toBe('0');
    expect(q('stat', 'e/f', 'type')).toBe('regular');
  });

  test('.. of / is /', () => {
    const { q } = setup();
    expect(q('cd', '../../..')).toBe('0');
    expect(q('stat', '.', 'inode')).toBe(q('stat', '/', 'inode'));
  });
});

describe('num arguments', () => {
  test('C syntax: octal with a leading 0, hexadecimal with 0x, decimal, signs, 64-bit clamping', () => {
    const cases: [string, bigint | null][] = [
      ['0644', 0o644n], ['644', 644n], ['0x1a4', 0x1a4n], ['0X1A4', 0x1a4n], ['-1', -1n], ['+5', 5n],
      ['0', 0n], ['00', 0n], ['-0x10', -16n], ['12 ', 12n], ['12\t\n', 12n], [' 12', 12n],
      ['9223372036854775807', 2n ** 63n - 1n], ['9223372036854775808', 2n ** 63n - 1n],
      ['-9223372036854775808', -(2n ** 63n)], ['-99999999999999999999', -(2n ** 63n)],
      ['08', null], ['0x', null], ['0xg', null], ['', null], [' ', null], ['12a', null], ['12 a', null],
      ['1.5', null], ['abc', null], ['--1', null], ['0644x', null],
    ];
    for (const [text, value] of cases) {
      const v = parseNum(text);
      if (value === null) expect(typeof v, text).toBe('symbol');
      else expect(v, text).toBe(value);
    }
  });

  test('a mode is taken as written: 0644 is octal, 644 decimal (01204), 0x1a4 hex', () => {
    const { q } = setup();
    expect(q('create', 'f', '0644')).toBe('0');
    expect(q('chmod', 'f', '644', ':', 'stat', 'f', 'mode')).toBe('01204');
    expect(q('chmod', 'f', '0x1a4', ':', 'stat', 'f', 'mode')).toBe('0644');
    // modes are passed unmasked: chmod keeps 07777
    expect(q('chmod', 'f', '0177777', ':', 'stat', 'f', 'type,mode')).toBe('regular,07777');
  });

  test('a malformed number is a usage error', () => {
    const { q } = setup();
    expect(q('mkdir', 'd', '0755x')).toBe('');
    expect(q('mkdir', 'd', '0789')).toBe('');
    expect(q('stat', 'd', 'type')).toBe('ENOENT');
  });

  test('uid and gid are unsigned 32-bit: -1 means "do not change"', () => {
    const { q } = setup();
    expect(q('create', 'f', '0644')).toBe('0');
    expect(q('chown', 'f', '5', '6')).toBe('0');
    expect(q('chown', 'f', '-1', '7', ':', 'stat', 'f', 'uid,gid')).toBe('5,7');
    expect(q('chown', 'f', '4294967295', '-1', ':', 'stat', 'f', 'uid,gid')).toBe('5,7');
    expect(q('chown', 'f', '4294967296', '-4294967295', ':', 'stat', 'f', 'uid,gid')).toBe('0,1');
  });
});

describe('str arguments', () => {
  test('NULL and DEADCODE are pointers the kernel cannot read: EFAULT', () => {
    const { q } = setup();
    expect(q('create', 'f', '0644')).toBe('0');
    expect(q('mkdir', 'd', '0755')).toBe('0');
    const cases: string[][] = [
      ['open', 'P', 'O_RDONLY'], ['open', 'P', 'O_CREAT,O_WRONLY', '0644'], ['create', 'P', '0644'],
      ['unlink', 'P'], ['mkdir', 'P', '0755'], ['rmdir', 'P'], ['link', 'f', 'P'], ['link', 'P', 'f2'],
      ['symlink', 'P', 'l'], ['symlink', 'f', 'P'], ['rename', 'f', 'P'], ['rename', 'P', 'f'],
      ['mkfifo', 'P', '0644'], ['mknod', 'P', 'f', '0644', '0', '0'], ['bind', 'P'], ['connect', 'P'],
      ['chmod', 'P', '0644'], ['lchmod', 'P', '0644'], ['chown', 'P', '0', '0'], ['lchown', 'P', '0', '0'],
      ['truncate', 'P', '0'], ['stat', 'P', 'type'], ['lstat', 'P', 'type'], ['pathconf', 'P', '_PC_NAME_MAX'],
      ['openat', 'AT_FDCWD', 'P', 'O_RDONLY'], ['mkdirat', 'AT_FDCWD', 'P', '0755'],
      ['linkat', 'AT_FDCWD', 'f', 'AT_FDCWD', 'P', '0'], ['symlinkat', 'P', 'AT_FDCWD', 'l'],
      ['renameat', 'AT_FDCWD', 'P', 'AT_FDCWD', 'x'], ['mkfifoat', 'AT_FDCWD', 'P', '0644'],
      ['mknodat', 'AT_FDCWD', 'P', 'f', '0644', '0', '0'], ['fchmodat', 'AT_FDCWD', 'P', '0644', '0'],
      ['fchownat', 'AT_FDCWD', 'P', '0', '0', '0'], ['fstatat', 'AT_FDCWD', 'P', '0', 'type'],
      ['utimensat', 'AT_FDCWD', 'DEADCODE', '0', '0', '0', '0', '0'],
    ];
    for (const c of cases) {
      for (const bad of ['NULL', 'DEADCODE']) {
        const words = c.map((w) => w === 'P' ? bad : w);
        expect(q(...words), words.join(' ')).toBe('EFAULT');
      }
    }
    expect(q('stat', 'f', 'type,nlink')).toBe('regular,1');
  });

  test('the checks the kernel or glibc makes before reading the path come first', () => {
    const { q } = setup();
    // glibc's utimensat refuses a NULL path itself
    expect(q('utimensat', 'AT_FDCWD', 'NULL', '0', '0', '0', '0', '0')).toBe('EINVAL');
    // do_utimes checks the times and the flags before the path
    expect(q('utimensat', 'AT_FDCWD', 'DEADCODE', '0', '1000000000', '0', '0', '0')).toBe('EINVAL');
    expect(q('utimensat', 'AT_FDCWD', 'DEADCODE', '0', '0', '0', '0', '1')).toBe('EINVAL');
    // may_mknod checks the type first; glibc checks the device number before everything
    expect(q('mknod', 'NULL', 'd', '0755', '0', '0')).toBe('EPERM');
    expect(q('mknod', 'NULL', 'o', '0170644', '0', '0')).toBe('EINVAL');
    expect(q('mknod', 'NULL', 'c', '0644', '4096', '0')).toBe('EINVAL');
    // write and pwrite check the descriptor before the buffer
    expect(q('write', 'BADFD', 'NULL')).toBe('EBADF');
    expect(q('create', 'f', '0644')).toBe('0');
    expect(q('open', 'f', 'O_RDONLY', ':', 'write', '0', 'DEADCODE')).toBe('EBADF');
    expect(q('open', 'f', 'O_WRONLY', ':', 'write', '0', 'DEADCODE')).toBe('EFAULT');
    expect(q('open', 'f', 'O_WRONLY', ':', 'pwrite', '0', 'NULL', '0')).toBe('EFAULT');
    expect(q('stat', 'f', 'size')).toBe('0');
  });

  test('"NULL" is only special as a whole element', () => {
    const { q } = setup();
    expect(q('mkdir', 'NULLx', '0755')).toBe('0');
    expect(q('mkdir', 'null', '0755')).toBe('0');
  });
});

describe('fd arguments', () => {
  test('N is the N-th descriptor opened by open/openat in this request, from 0', () => {
    const { q } = setup();
    expect(q('create', 'a', '0644')).toBe('0');
    expect(q('open', 'b', 'O_CREAT,O_WRONLY', '0644', ':', 'write', '0', 'xyz')).toBe('0');
    expect(q('mkdir', 'd', '0755')).toBe('0');
    expect(q('open', 'a', 'O_RDONLY', ':', 'open', 'b', 'O_RDONLY', ':', 'open', 'd', 'O_RDONLY', ':',
      'fstat', '1', 'size', ':', 'fstat', '0', 'size')).toBe('0');
    expect(q('open', 'a', 'O_RDONLY', ':', 'open', 'b', 'O_RDONLY', ':', 'fstat', '1', 'size')).toBe('3');
    expect(q('open', 'a', 'O_RDONLY', ':', 'open', 'd', 'O_RDONLY', ':', 'openat', '1', '.', 'O_RDONLY', ':',
      'fstat', '2', 'type')).toBe('dir');
    expect(q('open', 'a', 'O_RDONLY', ':', 'fstat', '0x0', 'type')).toBe('regular');
  });

  test('an N that was not opened in this request is a usage error', () => {
    const { q } = setup();
    expect(q('create', 'a', '0644')).toBe('0');
    expect(q('fstat', '0', 'type')).toBe('');
    expect(q('open', 'a', 'O_RDONLY', ':', 'fstat', '1', 'type')).toBe('0');
    expect(q('open', 'a', 'O_RDONLY', ':', 'fstat', '-1', 'type')).toBe('0');
    expect(q('open', 'a', 'O_RDONLY', ':', 'fstat', 'x', 'type')).toBe('0');
    // a failed open adds nothing
    expect(q('open', 'nope', 'O_RDONLY', ':', 'fstat', '0', 'type')).toBe('ENOENT');
    // create's descriptor is closed at once and is not in the list
    expect(q('create', 'c', '0644', ':', 'fstat', '0', 'type')).toBe('0');
  });

  test('AT_FDCWD is the working directory; BADFD is not a descriptor', () => {
    const { q } = setup();
    expect(q('mkdir', 'd', '0755')).toBe('0');
    expect(q('cd', 'd')).toBe('0');
    expect(q('mkdirat', 'AT_FDCWD', 'x', '0755')).toBe('0');
    expect(q('stat', '/d/x', 'type')).toBe('dir');
    expect(q('mkdirat', 'BADFD', 'y', '0755')).toBe('EBADF');
    expect(q('fstat', 'BADFD', 'type')).toBe('EBADF');
    expect(q('fstat', 'AT_FDCWD', 'type')).toBe('EBADF');
    // an absolute path ignores a bad dirfd
    expect(q('mkdirat', 'BADFD', '/z', '0755')).toBe('0');
  });
});

describe('flags arguments', () => {
  test('open flags joined by , or |; 0 and none mean no flags; O_RDONLY is 0', () => {
    const { q } = setup();
    expect(q('open', 'f', 'O_CREAT|O_EXCL|O_WRONLY', '0644')).toBe('0');
    expect(q('open', 'f', 'O_CREAT,O_EXCL,O_RDWR', '0644')).toBe('EEXIST');
    expect(q('open', 'f', 'none', ':', 'write', '0', 'x')).toBe('EBADF');
    expect(q('open', 'f', '0', ':', 'pread', '0', '1', '0')).toBe('');
    expect(q('open', 'f', 'O_RDONLY', ':', 'write', '0', 'x')).toBe('EBADF');
    expect(q('open', 'f', ',O_WRONLY,,', ':', 'write', '0', 'x')).toBe('0');
    for (const f of ['O_NONBLOCK', 'O_APPEND', 'O_TRUNC', 'O_DIRECT', 'O_FSYNC', 'O_SYNC', 'O_NOFOLLOW', 'O_NOCTTY']) {
      expect(q('open', 'f', `O_WRONLY,${f}`), f).toBe('0');
    }
    expect(q('open', 'f', 'O_DIRECTORY')).toBe('ENOTDIR');
    expect(q('open', '/', 'O_DIRECTORY')).toBe('0');
  });

  test('unknown flag names are usage errors (BSD-only O_SHLOCK and O_EXLOCK included)', () => {
    const { q } = setup();
    for (const f of ['O_SHLOCK', 'O_EXLOCK', 'O_CREAT,O_BOGUS', 'o_rdonly', 'NULL', '', 'O_RDONLY O_WRONLY', '1']) {
      if (f === '') continue; // "" is an empty list: no flags
      expect(q('open', '/', f), f).toBe('');
    }
    expect(q('open', '/', '')).toBe('0');
    expect(q('create', 'f', '0644')).toBe('0');
    expect(q('link', 'f', 'g')).toBe('0');
    expect(q('linkat', 'AT_FDCWD', 'f', 'AT_FDCWD', 'h', 'AT_SYMLINK_NOFOLLOW')).toBe('');
    expect(q('fchmodat', 'AT_FDCWD', 'f', '0600', 'AT_SYMLINK_FOLLOW')).toBe('');
    expect(q('fchownat', 'AT_FDCWD', 'f', '0', '0', 'O_RDONLY')).toBe('');
    expect(q('fstatat', 'AT_FDCWD', 'f', 'AT_REMOVEDIR', 'type')).toBe('');
  });
});

describe('stat fields', () => {
  test('each field of a regular file, in the order asked', () => {
    const { q, clock } = setup();
    clock.set(T0 + 5, 123);
    expect(q('open', 'f', 'O_CREAT,O_WRONLY', '0640', ':', 'write', '0', 'hello')).toBe('0');
    expect(q('chown', 'f', '7', '8')).toBe('0');
    expect(q('utimensat', 'AT_FDCWD', 'f', '-5', '1', '5000000000', '999999999', '0')).toBe('0');
    const ino = q('stat', 'f', 'inode');
    expect(Number(ino)).toBeGreaterThan(0);
    expect(q('stat', 'f', 'type,mode,inode,nlink,uid,gid,size,atime,atime_ns,mtime,mtime_ns,ctime,ctime_ns,major,minor'))
      .toBe(`regular,0640,${ino},1,7,8,5,-5,1,5000000000,999999999,${T0 + 5},123,0,0`);
    expect(q('stat', 'f', 'size,size,type')).toBe('5,5,regular');
    expect(q('stat', 'f', 'blocks')).toMatch(/^[1-9][0-9]*$/);
  });

  test('mode prints the 07777 bits in octal with one leading 0; 0 prints 00', () => {
    const { q } = setup();
    expect(q('create', 'f', '0')).toBe('0');
    for (const [m, out] of [['0', '00'], ['01', '01'], ['04755', '04755'], ['01777', '01777'], ['0644', '0644'], ['07777', '07777']]) {
      expect(q('chmod', 'f', m!, ':', 'stat', 'f', 'mode'), m).toBe(out);
    }
  });

  test('type names for every file type', () => {
    const { q } = setup();
    expect(q('create', 'r', '0644')).toBe('0');
    expect(q('mkdir', 'd', '0755')).toBe('0');
    expect(q('symlink', 'r', 'l')).toBe('0');
    expect(q('mkfifo', 'p', '0644')).toBe('0');
    expect(q('bind', 's')).toBe('0');
    expect(q('mknod', 'c', 'c', '0644', '1', '3')).toBe('0');
    expect(q('mknod', 'b', 'b', '0644', '7', '0')).toBe('0');
    const types = ['r', 'd', 'l', 'p', 's', 'c', 'b'].map((n) => q('lstat', n, 'type'));
    expect(types).toEqual(['regular', 'dir', 'symlink', 'fifo', 'socket', 'char', 'block']);
    expect(q('stat', 'l', 'type')).toBe('regular');
  });

  test('birthtime, birthtime_ns, flags and unknown names print unknown; empty names are skipped', () => {
    const { q } = setup();
    expect(q('stat', '/', 'birthtime,birthtime_ns,flags,bogus,MODE')).toBe('unknown,unknown,unknown,unknown,unknown');
    expect(q('stat', '/', ',type,,nlink,')).toBe('dir,2');
    expect(q('stat', '/', '')).toBe('');
    expect(q('stat', '/', 'NULL')).toBe('unknown');
  });

  test('a directory has 2 + subdirectories links; an open file whose name is gone has 0', () => {
    const { q } = setup();
    expect(q('mkdir', 'd', '0755', ':', 'mkdir', 'd/a', '0755', ':', 'mkdir', 'd/b', '0755', ':', 'create', 'd/f', '0644')).toBe('0');
    expect(q('stat', 'd', 'nlink')).toBe('4');
    expect(q('open', 'd/f', 'O_RDONLY', ':', 'unlink', 'd/f', ':', 'fstat', '0', 'nlink')).toBe('0');
  });
});

describe('pathconf names', () => {
  test('the four names; anything else is a usage error', () => {
    const { server, q } = setup();
    expect(q('pathconf', '.', '_PC_NAME_MAX')).toBe('255');
    expect(q('pathconf', '.', '_PC_PATH_MAX')).toBe('4096');
    expect(q('pathconf', '.', '_PC_SYMLINK_MAX')).toBe('unlimited');
    expect(q('pathconf', '.', '_PC_LINK_MAX')).toBe(String(server.imfs.limits.maxLinks));
    expect(q('pathconf', '.', '_PC_PIPE_BUF')).toBe('');
    expect(q('pathconf', '.', '3')).toBe('');
    expect(q('pathconf', '.', 'NAME_MAX')).toBe('');
  });

  test('failures print the errno; glibc answers _PC_PATH_MAX and _PC_SYMLINK_MAX without the path', () => {
    const { q } = setup();
    expect(q('pathconf', 'nonexistent', '_PC_NAME_MAX')).toBe('ENOENT');
    expect(q('pathconf', 'nonexistent', '_PC_LINK_MAX')).toBe('ENOENT');
    expect(q('pathconf', 'nonexistent', '_PC_PATH_MAX')).toBe('4096');
    expect(q('pathconf', 'nonexistent', '_PC_SYMLINK_MAX')).toBe('unlimited');
    expect(q('pathconf', '', '_PC_PATH_MAX')).toBe('ENOENT');
    expect(q('pathconf', '', '_PC_NAME_MAX')).toBe('ENOENT');
  });

  test('fpathconf', () => {
    const { q } = setup();
    expect(q('open', '/', 'O_RDONLY', ':', 'fpathconf', '0', '_PC_NAME_MAX')).toBe('255');
    expect(q('open', '/', 'O_RDONLY', ':', 'fpathconf', '0', '_PC_SYMLINK_MAX')).toBe('unlimited');
    expect(q('fpathconf', 'BADFD', '_PC_PATH_MAX')).toBe('EBADF');
    expect(q('fpathconf', 'BADFD', '_PC_BOGUS')).toBe('');
  });
});

describe('ns and atflag arguments (utimensat)', () => {
  test('UTIME_NOW, UTIME_OMIT, decimal nanoseconds; other text counts as 0', () => {
    const { q, clock } = setup();
    expect(q('create', 'f', '0644')).toBe('0');
    clock.set(T0 + 100, 77);
    expect(q('utimensat', 'AT_FDCWD', 'f', '10', '5', '20', 'UTIME_NOW', '0')).toBe('0');
    expect(q('stat', 'f', 'atime,atime_ns,mtime,mtime_ns,ctime')).toBe(`10,5,${T0 + 100},77,${T0 + 100}`);
    expect(q('utimensat', 'AT_FDCWD', 'f', '11', 'UTIME_OMIT', '21', '12abc', '0')).toBe('0');
    expect(q('stat', 'f', 'atime,atime_ns,mtime,mtime_ns')).toBe(`10,5,21,12`);
    expect(q('utimensat', 'AT_FDCWD', 'f', '12', 'junk', '22', '0x10', '0')).toBe('0');
    expect(q('stat', 'f', 'atime,atime_ns,mtime,mtime_ns')).toBe(`12,0,22,0`);
    expect(q('utimensat', 'AT_FDCWD', 'f', '12', '1000000000', '22', '0', '0')).toBe('EINVAL');
    expect(q('utimensat', 'AT_FDCWD', 'f', '12', '-1', '22', '0', '0')).toBe('EINVAL');
  });

  test('atflag: AT_SYMLINK_NOFOLLOW or a decimal number', () => {
    const { q } = setup();
    expect(q('create', 'f', '0644')).toBe('0');
    expect(q('symlink', 'f', 'l')).toBe('0');
    expect(q('utimensat', 'AT_FDCWD', 'l', '1', '0', '2', '0', 'AT_SYMLINK_NOFOLLOW')).toBe('0');
    expect(q('lstat', 'l', 'atime,mtime')).toBe('1,2');
    expect(q('stat', 'l', 'atime,mtime')).toBe(`${T0},${T0}`);
    expect(q('utimensat', 'AT_FDCWD', 'l', '3', '0', '4', '0', '256')).toBe('0');
    expect(q('lstat', 'l', 'atime,mtime')).toBe('3,4');
    expect(q('utimensat', 'AT_FDCWD', 'l', '5', '0', '6', '0', 'junk')).toBe('0');
    expect(q('stat', 'f', 'atime,mtime')).toBe('5,6');
    expect(q('utimensat', 'AT_FDCWD', 'l', '5', '0', '6', '0', '1')).toBe('EINVAL');
  });
});

describe('options: credentials and umask of a request', () => {
  test('defaults: uid 0, gid 0, groups {0}, umask 0', () => {
    const { server, q } = setup();
    expect(q('mkdir', 'd', '0777', ':', 'stat', 'd', 'mode,uid,gid')).toBe('0777,0,0');
    expect(server.imfs.cage(1)!.cred).toEqual({ uid: 0, euid: 0, gid: 0, egid: 0, groups: [0] });
  });

  test('-u sets the real and effective uid; the group identity stays 0', () => {
    const { server, q } = setup();
    expect(q('chmod', '/', '0777')).toBe('0');
    expect(q('-u', '65534', 'create', 'f', '0644', ':', 'stat', 'f', 'uid,gid')).toBe('65534,0');
    expect(server.imfs.cage(1)!.cred).toEqual({ uid: 65534, euid: 65534, gid: 0, egid: 0, groups: [0] });
    expect(q('-u', '65534', 'chown', 'f', '0', '-1')).toBe('EPERM');
  });

  test('-g sets the effective gid to the first and the supplementary groups to all; the real gid stays 0', () => {
    const { server, q } = setup();
    expect(q('chmod', '/', '0777')).toBe('0');
    expect(q('-g', '5,6,,7', 'create', 'f', '0644', ':', 'stat', 'f', 'uid,gid')).toBe('0,5');
    expect(server.imfs.cage(1)!.cred).toEqual({ uid: 0, euid: 0, gid: 0, egid: 5, groups: [5, 6, 7] });
    expect(q('mkdir', 'g7', '0070', ':', 'chown', 'g7', '0', '7')).toBe('0');
    expect(q('-u', '100', '-g', '5,7', 'create', 'g7/x', '0644')).toBe('0');
    expect(q('-u', '100', '-g', '5', 'create', 'g7/y', '0644')).toBe('EACCES');
    expect(q('-u', '100', '-g', '7', 'create', 'g7/y', '0644')).toBe('0');
  });

  test('-U sets the umask (a num, so 022 is octal)', () => {
    const { server, q } = setup();
    expect(q('-U', '022', 'mkdir', 'a', '0777', ':', 'stat', 'a', 'mode')).toBe('0755');
    expect(q('-U', '0x3f', 'mkdir', 'b', '0777', ':', 'stat', 'b', 'mode')).toBe('0700');
    expect(q('-U', '077777', 'create', 'c', '0777', ':', 'stat', 'c', 'mode')).toBe('00');
    expect(server.imfs.cage(1)!.umask).toBe(0o777);
  });

  test('nothing survives into the next request', () => {
    const { q } = setup();
    expect(q('-u', '65534', '-g', '65534', '-U', '077', 'stat', '/', 'type')).toBe('dir');
    expect(q('mkdir', 'd', '0777', ':', 'stat', 'd', 'mode,uid,gid')).toBe('0777,0,0');
  });

  test('repeated options: the last wins; -- ends the options; attached values work as with getopt', () => {
    const { q } = setup();
    expect(q('chmod', '/', '0777')).toBe('0');
    expect(q('-u', '5', '-u', '6', '-g', '1', '-g', '2,3', 'create', 'a', '0644', ':', 'stat', 'a', 'uid,gid')).toBe('6,2');
    expect(q('-u', '5', '--', 'create', 'b', '0644', ':', 'stat', 'b', 'uid')).toBe('5');
    expect(q('--', 'create', 'c', '0644', ':', 'stat', 'c', 'uid')).toBe('0');
    expect(q('-u9', '-g9', '-U077', 'mkdir', 'd', '0777', ':', 'stat', 'd', 'uid,gid,mode')).toBe('9,9,0700');
  });

  test('options are only recognised before the call name', () => {
    const { q } = setup();
    expect(q('create', 'f', '0644')).toBe('0');
    expect(q('chown', 'f', '-1', '-1')).toBe('0');
    expect(q('mkdir', '-u', '0755', ':', 'stat', '-u', 'type')).toBe('dir');
    expect(q('-u', '0', '--', '--', 'x')).toBe(''); // "--" after "--" is a call name
  });

  test('unknown options, missing values and malformed values are usage errors', () => {
    const { q } = setup();
    for (const words of [['-x', '1', 'mkdir', 'd', '0755'], ['-u'], ['-g'], ['-U'], ['-u', 'abc', 'mkdir', 'd', '0755'],
      ['-g', '1,x', 'mkdir', 'd', '0755'], ['-g', ',', 'mkdir', 'd', '0755'], ['-U', '8', 'x', 'mkdir', 'd', '0755'],
      ['-U', '08', 'mkdir', 'd', '0755'], ['-u', '0'], ['--'], ['-1', 'mkdir', 'd', '0755'], ['-', 'mkdir', 'd', '0755']]) {
      expect(q(...words), words.join(' ')).toBe('');
    }
    expect(q('stat', 'd', 'type')).toBe('ENOENT');
  });
});

describe('diagnostics', () => {
  test('every refused request is explained to onDiagnostic, and nothing else is', () => {
    const said: string[] = [];
    const server = new FsopServer({ clock: manualClock(T0), onDiagnostic: (m) => said.push(m) });
    const q = (...words: string[]) => server.handle(JSON.stringify(words));
    expect(server.handle('nope')).toBe('');
    expect(server.handle('[]')).toBe('');
    expect(q('reset', 'x')).toBe('');
    expect(q('-x', 'stat', '/', 'type')).toBe('');
    expect(q('stat', '/')).toBe('');
    expect(q('mkdir', 'd', '08')).toBe('');
    expect(q('mkdir', 'd', '0755', ':', 'frob')).toBe('0');
    expect(q('open', '/', 'O_RDONLY', '0')).toBe('');
    expect(q('stat', '/nope', 'type')).toBe('ENOENT');
    expect(said).toEqual([
      'not JSON: nope',
      'not a non-empty JSON array of strings: []',
      'usage: reset takes no argument',
      'usage: bad options in ["-x","stat","/","type"]',
      'usage: stat takes str fields, got 1 argument(s)',
      "usage: mkdir: argument 2 '08' is not a valid num",
      "usage: unknown call 'frob'",
      'usage: open: a mode goes with O_CREAT, and only with it',
    ]);
  });
});

describe('execution of a request', () => {
  test('calls run in order; the response is the last line printed', () => {
    const { q } = setup();
    expect(q('mkdir', 'a', '0755', ':', 'mkdir', 'a/b', '0755', ':', 'stat', 'a', 'nlink')).toBe('3');
    expect(q('create', 'f', '0644', ':', 'stat', 'f', 'size')).toBe('0');
  });

  test('a failure prints the errno name and stops the request', () => {
    const { q } = setup();
    expect(q('mkdir', 'a', '0755', ':', 'mkdir', 'a', '0755', ':', 'mkdir', 'b', '0755')).toBe('EEXIST');
    expect(q('stat', 'b', 'type')).toBe('ENOENT');
  });

  test('a usage error prints nothing and stops the request: the earlier line stays the response', () => {
    const { q } = setup();
    expect(q('open', 'f', 'O_CREAT,O_WRONLY', '0644', ':', 'write', '0', 'a', 'b', ':', 'mkdir', 'x', '0755')).toBe('0');
    expect(q('stat', 'x', 'type')).toBe('ENOENT');
    expect(q('stat', 'f', 'size')).toBe('0');
    expect(q('mkdir', 'x', '0755', ':', 'mkdir')).toBe('0');
    expect(q('mkdir', 'y', '0755', ':', 'nosuchcall', ':', 'mkdir', 'z', '0755')).toBe('0');
    expect(q('stat', 'z', 'type')).toBe('ENOENT');
    expect(q('mkdir', 'w', '0755', ':')).toBe('0'); // nothing after ':'
    expect(q('mkdir', 'v', '0755', ':', ':', 'mkdir', 'u', '0755')).toBe('0');
    expect(q('stat', 'u', 'type')).toBe('ENOENT');
  });

  test('a usage error in the first call answers the empty line and runs nothing', () => {
    const { q } = setup();
    expect(q('mkdir', 'x')).toBe('');
    expect(q('mkdir', 'x', '0755', '0755')).toBe('');
    expect(q('nosuchcall', 'x')).toBe('');
    expect(q('stat', 'x', 'type')).toBe('ENOENT');
  });

  test('names outside the protocol are unknown calls', () => {
    const { q } = setup();
    expect(q('create', 'f', '0644')).toBe('0');
    for (const name of ['unlinkat', 'chflags', 'fchflags', 'lchflags', 'chflagsat', 'lpathconf', 'bindat',
      'connectat', 'prependacl', 'readacl', 'reset', 'cd', 'close', 'read', 'constructor', 'toString']) {
      expect(q('mkdir', 'd', '0755', ':', name, 'f'), name).toBe('0');
      expect(q('rmdir', 'd')).toBe('0');
    }
    expect(q('stat', 'f', 'type')).toBe('regular');
  });

  test('open: the mode is required with O_CREAT and refused without it', () => {
    const { q } = setup();
    expect(q('open', 'f', 'O_CREAT,O_WRONLY')).toBe('');
    expect(q('stat', 'f', 'type')).toBe('ENOENT');
    expect(q('create', 'f', '0644')).toBe('0');
    expect(q('open', 'f', 'O_RDONLY', '0644')).toBe('');
    expect(q('openat', 'AT_FDCWD', 'g', 'O_CREAT,O_RDWR')).toBe('');
    expect(q('openat', 'AT_FDCWD', 'f', 'O_RDWR', '0644')).toBe('');
    expect(q('openat', 'AT_FDCWD', 'g', 'O_CREAT,O_RDWR', '0600', ':', 'fstat', '0', 'mode')).toBe('0600');
  });
});

describe('descriptors belong to the request', () => {
  test('all are closed when the request ends, whatever its outcome', () => {
    const { server, q } = setup();
    const openFds = () => server.imfs.cage(1)!.openCount();
    expect(q('create', 'f', '0644')).toBe('0');
    expect(q('open', 'f', 'O_RDONLY', ':', 'open', 'f', 'O_RDWR', ':', 'open', '/', 'O_RDONLY')).toBe('0');
    expect(openFds()).toBe(0);
    expect(q('open', 'f', 'O_RDONLY', ':', 'open', 'nope', 'O_RDONLY')).toBe('ENOENT');
    expect(openFds()).toBe(0);
    expect(q('open', 'f', 'O_RDONLY', ':', 'fstat', '9', 'type')).toBe('0');
    expect(openFds()).toBe(0);
    expect(q('bind', 's')).toBe('0');
    expect(openFds()).toBe(0);
    expect(q('mkfifo', 'p', '0644', ':', 'open', 'p', 'O_RDONLY,O_NONBLOCK', ':', 'open', 'p', 'O_WRONLY')).toBe('0');
    expect(openFds()).toBe(0);
  });

  test('the last close frees an unlinked file; a FIFO has no writer in the next request', () => {
    const { server, q } = setup();
    const live = server.imfs.inodes.live;
    expect(q('open', 'f', 'O_CREAT,O_RDWR', '0644', ':', 'unlink', 'f', ':', 'write', '0', 'data', ':', 'fstat', '0', 'size,nlink')).toBe('4,0');
    expect(server.imfs.inodes.live).toBe(live);
    expect(q('mkfifo', 'p', '0644', ':', 'open', 'p', 'O_RDONLY,O_NONBLOCK', ':', 'open', 'p', 'O_WRONLY,O_NONBLOCK')).toBe('0');
    expect(q('open', 'p', 'O_WRONLY,O_NONBLOCK')).toBe('ENXIO');
  });

  test('descriptor numbering starts again at 0 in every request', () => {
    const { q } = setup();
    expect(q('mkdir', 'd', '0755', ':', 'create', 'f', '0644')).toBe('0');
    expect(q('open', 'd', 'O_RDONLY')).toBe('0');
    expect(q('open', 'f', 'O_RDONLY', ':', 'fstat', '0', 'type')).toBe('regular');
  });
});

describe('errno names', () => {
  test('aliases print the first name; errnos without a name in the list print their number', () => {
    expect(errnoText(-EAGAIN)).toBe('EAGAIN');
    expect(errnoText(-EWOULDBLOCK)).toBe('EAGAIN');
    expect(errnoText(-ENOTSUP)).toBe('EOPNOTSUPP');
    expect(errnoText(-EOPNOTSUPP)).toBe('EOPNOTSUPP');
    expect(errnoText(-EDEADLOCK)).toBe('EDEADLK');
    expect(errnoText(-ENODATA)).toBe('61');
    expect(errnoText(-EOWNERDEAD)).toBe('130');
    expect(errnoText(-ENOTRECOVERABLE)).toBe('131');
    expect(errnoText(-200)).toBe('200');
    expect(errnoText(-ENOENT)).toBe('ENOENT');
    expect(errnoText(WOULD_BLOCK)).toBe('EAGAIN');
  });

  test('every name of the list maps back from its number (the names are spelled as in Linux)', () => {
    const names = ('EPERM ENOENT ESRCH EINTR EIO ENXIO E2BIG ENOEXEC EBADF ECHILD EDEADLK ENOMEM EACCES ' +
      'EFAULT ENOTBLK EBUSY EEXIST EXDEV ENODEV ENOTDIR EISDIR EINVAL ENFILE EMFILE ENOTTY ETXTBSY EFBIG ' +
      'ENOSPC ESPIPE EROFS EMLINK EPIPE EDOM ERANGE EAGAIN EINPROGRESS EALREADY ENOTSOCK EDESTADDRREQ ' +
      'EMSGSIZE EPROTOTYPE ENOPROTOOPT EPROTONOSUPPORT ESOCKTNOSUPPORT EOPNOTSUPP EPFNOSUPPORT ' +
      'EAFNOSUPPORT EADDRINUSE EADDRNOTAVAIL ENETDOWN ENETUNREACH ENETRESET ECONNABORTED ECONNRESET ' +
      'ENOBUFS EISCONN ENOTCONN ESHUTDOWN ETOOMANYREFS ETIMEDOUT ECONNREFUSED ELOOP ENAMETOOLONG ' +
      'EHOSTDOWN EHOSTUNREACH ENOTEMPTY EUSERS EDQUOT ESTALE EREMOTE ENOLCK ENOSYS EIDRM ENOMSG ' +
      'EOVERFLOW ECANCELED EILSEQ EBADMSG EMULTIHOP ENOLINK EPROTO').split(' ');
    const printed = new Set<string>();
    for (let e = 1; e < 134; e++) printed.add(errnoText(-e));
    for (const n of names) expect(printed.has(n), n).toBe(true);
  });

  test('a call that would block answers EAGAIN', () => {
    const { q } = setup();
    expect(q('mkfifo', 'p', '0644')).toBe('0');
    expect(q('open', 'p', 'O_RDONLY')).toBe('EAGAIN');
    expect(q('open', 'p', 'O_WRONLY')).toBe('EAGAIN');
  });
});

describe('pread', () => {
  const fill = (q: (...w: string[]) => string, data: string) =>
    expect(q('open', 'f', 'O_CREAT,O_WRONLY,O_TRUNC', '0644', ':', 'write', '0', data)).toBe('0');

  test('reads min(count, 1024) bytes from offset, up to end of file', () => {
    const { q } = setup();
    fill(q, 'x'.repeat(1500) + 'y'.repeat(500));
    expect(q('open', 'f', 'O_RDONLY', ':', 'pread', '0', '5000', '0')).toBe('x'.repeat(1024));
    expect(q('open', 'f', 'O_RDONLY', ':', 'pread', '0', '1000', '1400')).toBe('x'.repeat(100) + 'y'.repeat(500));
    expect(q('open', 'f', 'O_RDONLY', ':', 'pread', '0', '3', '1499')).toBe('xyy');
    expect(q('open', 'f', 'O_RDONLY', ':', 'pread', '0', '0', '0')).toBe('');
    expect(q('open', 'f', 'O_RDONLY', ':', 'pread', '0', '10', '5000')).toBe('');
    expect(q('open', 'f', 'O_RDONLY', ':', 'pread', '0', '10', '-1')).toBe('EINVAL');
    expect(q('open', 'f', 'O_WRONLY', ':', 'pread', '0', '10', '0')).toBe('EBADF');
    expect(q('open', '/', 'O_RDONLY', ':', 'pread', '0', '10', '0')).toBe('EISDIR');
  });

  test('prints up to the first NUL byte', () => {
    const { q } = setup();
    expect(q('truncate', 'nope', '0')).toBe('ENOENT');
    fill(q, 'abc');
    expect(q('truncate', 'f', '10', ':', 'open', 'f', 'O_WRONLY', ':', 'pwrite', '0', 'tail', '6')).toBe('0');
    expect(q('open', 'f', 'O_RDONLY', ':', 'pread', '0', '100', '0')).toBe('abc');
    expect(q('open', 'f', 'O_RDONLY', ':', 'pread', '0', '100', '4')).toBe('');
    expect(q('open', 'f', 'O_RDONLY', ':', 'pread', '0', '100', '5')).toBe('');
    expect(q('open', 'f', 'O_RDONLY', ':', 'pread', '0', '100', '6')).toBe('tail');
  });

  test('the response is the text after the last newline of the data', () => {
    const { q } = setup();
    fill(q, 'one\ntwo\nthree');
    expect(q('open', 'f', 'O_RDONLY', ':', 'pread', '0', '100', '0')).toBe('three');
    fill(q, 'one\ntwo\n');
    expect(q('open', 'f', 'O_RDONLY', ':', 'pread', '0', '100', '0')).toBe('');
    expect(q('open', 'f', 'O_RDONLY', ':', 'pread', '0', '3', '4')).toBe('two');
  });
});

describe('the calls of §5', () => {
  test('the table has exactly the calls of the protocol', () => {
    expect([...CALL_NAMES].sort()).toEqual(['open', 'openat', 'create', 'unlink', 'mkdir', 'mkdirat', 'rmdir',
      'link', 'linkat', 'symlink', 'symlinkat', 'rename', 'renameat', 'mkfifo', 'mkfifoat', 'mknod', 'mknodat',
      'bind', 'connect', 'chmod', 'fchmod', 'lchmod', 'fchmodat', 'chown', 'fchown', 'lchown', 'fchownat',
      'truncate', 'ftruncate', 'posix_fallocate', 'stat', 'fstat', 'lstat', 'fstatat', 'pathconf', 'fpathconf',
      'pread', 'pwrite', 'write', 'utimensat'].sort());
  });

  test('every call refuses too few and too many arguments', () => {
    const { q } = setup();
    const arity: Record<string, [number, number]> = {
      open: [2, 3], openat: [3, 4], create: [2, 2], unlink: [1, 1], mkdir: [2, 2], mkdirat: [3, 3], rmdir: [1, 1],
      link: [2, 2], linkat: [5, 5], symlink: [2, 2], symlinkat: [3, 3], rename: [2, 2], renameat: [4, 4],
      mkfifo: [2, 2], mkfifoat: [3, 3], mknod: [5, 5], mknodat: [6, 6], bind: [1, 1], connect: [1, 1],
      chmod: [2, 2], fchmod: [2, 2], lchmod: [2, 2], fchmodat: [4, 4], chown: [3, 3], fchown: [3, 3],
      lchown: [3, 3], fchownat: [5, 5], truncate: [2, 2], ftruncate: [2, 2], posix_fallocate: [3, 3],
      stat: [2, 2], fstat: [2, 2], lstat: [2, 2], fstatat: [4, 4], pathconf: [2, 2], fpathconf: [2, 2],
      pread: [3, 3], pwrite: [3, 3], write: [2, 2], utimensat: [7, 7],
    };
    expect(Object.keys(arity).sort()).toEqual([...CALL_NAMES].sort());
    for (const [name, [min, max]] of Object.entries(arity)) {
      expect(q(name, ...Array<string>(min - 1).fill('0')), `${name} with ${min - 1}`).toBe('');
      expect(q(name, ...Array<string>(max + 1).fill('0')), `${name} with ${max + 1}`).toBe('');
    }
  });

  test('open and openat', () => {
    const { q } = setup();
    expect(q('-U', '022', 'open', 'f', 'O_CREAT,O_WRONLY', '0666', ':', 'fstat', '0', 'type,mode')).toBe('regular,0644');
    expect(q('open', 'f', 'O_CREAT,O_EXCL,O_WRONLY', '0644')).toBe('EEXIST');
    expect(q('open', 'nope', 'O_RDONLY')).toBe('ENOENT');
    expect(q('open', 'f/x', 'O_RDONLY')).toBe('ENOTDIR');
    expect(q('symlink', 'f', 'l')).toBe('0');
    expect(q('open', 'l', 'O_RDONLY,O_NOFOLLOW')).toBe('ELOOP');
    expect(q('open', 'f', 'O_WRONLY', ':', 'write', '0', 'abc')).toBe('0');
    expect(q('open', 'f', 'O_WRONLY,O_TRUNC', ':', 'fstat', '0', 'size')).toBe('0');
    expect(q('mkdir', 'd', '0755')).toBe('0');
    expect(q('open', 'd', 'O_WRONLY')).toBe('EISDIR');
    expect(q('open', 'd', 'O_RDONLY', ':', 'openat', '0', 'g', 'O_CREAT,O_RDWR', '0640', ':', 'fstat', '1', 'mode')).toBe('0640');
    expect(q('stat', 'd/g', 'type')).toBe('regular');
    expect(q('openat', 'BADFD', 'g', 'O_RDONLY')).toBe('EBADF');
    expect(q('open', 'f', 'O_RDONLY', ':', 'openat', '0', 'g', 'O_RDONLY')).toBe('ENOTDIR');
    expect(q('-u', '65534', 'open', 'd/g', 'O_RDONLY')).toBe('0'); // group 0 may read 0640
    expect(q('-u', '65534', '-g', '65534', 'open', 'd/g', 'O_RDONLY')).toBe('EACCES');
  });

  test('create: O_CREAT|O_EXCL|O_RDONLY, then closed', () => {
    const { server, q } = setup();
    expect(q('-U', '0', 'create', 'f', '0755', ':', 'stat', 'f', 'type,mode,size')).toBe('regular,0755,0');
    expect(server.imfs.cage(1)!.openCount()).toBe(0);
    expect(q('create', 'f', '0644')).toBe('EEXIST');
    expect(q('create', 'nope/f', '0644')).toBe('ENOENT');
  });

  test('unlink, mkdir, mkdirat, rmdir', () => {
    const { q } = setup();
    expect(q('-U', '022', 'mkdir', 'd', '0777', ':', 'stat', 'd', 'type,mode,nlink')).toBe('dir,0755,2');
    expect(q('mkdir', 'd', '0755')).toBe('EEXIST');
    expect(q('open', 'd', 'O_RDONLY', ':', 'mkdirat', '0', 'e', '01777', ':', 'stat', 'd/e', 'mode')).toBe('01777');
    expect(q('unlink', 'd')).toBe('EISDIR');
    expect(q('rmdir', 'd')).toBe('ENOTEMPTY');
    expect(q('rmdir', 'd/e', ':', 'rmdir', 'd', ':', 'stat', 'd', 'type')).toBe('ENOENT');
    expect(q('create', 'f', '0644', ':', 'unlink', 'f', ':', 'stat', 'f', 'type')).toBe('ENOENT');
    expect(q('unlink', 'f')).toBe('ENOENT');
    expect(q('rmdir', '.')).toBe('EINVAL');
  });

  test('link and linkat (a symlink as from is not followed unless AT_SYMLINK_FOLLOW)', () => {
    const { q } = setup();
    expect(q('create', 'f', '0644', ':', 'link', 'f', 'g', ':', 'stat', 'f', 'nlink')).toBe('2');
    expect(q('link', 'f', 'g')).toBe('EEXIST');
    expect(q('link', 'nope', 'h')).toBe('ENOENT');
    expect(q('symlink', 'f', 'l', ':', 'link', 'l', 'l2', ':', 'lstat', 'l2', 'type')).toBe('symlink');
    expect(q('linkat', 'AT_FDCWD', 'l', 'AT_FDCWD', 'l3', '0', ':', 'lstat', 'l3', 'type')).toBe('symlink');
    expect(q('linkat', 'AT_FDCWD', 'l', 'AT_FDCWD', 'f3', 'AT_SYMLINK_FOLLOW', ':', 'lstat', 'f3', 'type,nlink')).toBe('regular,3');
    expect(q('mkdir', 'd', '0755', ':', 'open', 'd', 'O_RDONLY', ':', 'linkat', 'AT_FDCWD', 'f', '0', 'h', 'none')).toBe('0');
    expect(q('stat', 'd/h', 'nlink')).toBe('4');
    expect(q('link', 'd', 'd2')).toBe('EPERM');
  });

  test('symlink and symlinkat', () => {
    const { q } = setup();
    expect(q('symlink', 'some/target', 'l', ':', 'lstat', 'l', 'type,mode,size')).toBe('symlink,0777,11');
    expect(q('symlink', 'x', 'l')).toBe('EEXIST');
    expect(q('symlink', '', 'e')).toBe('ENOENT');
    expect(q('mkdir', 'd', '0755', ':', 'open', 'd', 'O_RDONLY', ':', 'symlinkat', 'tgt', '0', 'm', ':', 'lstat', 'd/m', 'size')).toBe('3');
  });

  test('rename and renameat', () => {
    const { q } = setup();
    expect(q('create', 'f', '0644')).toBe('0');
    const ino = q('stat', 'f', 'inode');
    expect(q('rename', 'f', 'g', ':', 'stat', 'g', 'inode')).toBe(ino);
    expect(q('rename', 'f', 'h')).toBe('ENOENT');
    expect(q('mkdir', 'd', '0755')).toBe('0');
    expect(q('rename', 'd', 'g')).toBe('ENOTDIR');
    expect(q('rename', 'g', 'd')).toBe('EISDIR');
    expect(q('open', 'd', 'O_RDONLY', ':', 'renameat', 'AT_FDCWD', 'g', '0', 'x', ':', 'stat', 'd/x', 'inode')).toBe(ino);
    expect(q('renameat', 'BADFD', 'x', 'AT_FDCWD', 'y')).toBe('EBADF');
  });

  test('mkfifo and mkfifoat (mode | S_IFIFO, as glibc)', () => {
    const { q } = setup();
    expect(q('-U', '022', 'mkfifo', 'p', '0666', ':', 'stat', 'p', 'type,mode')).toBe('fifo,0644');
    expect(q('mkfifo', 'p', '0644')).toBe('EEXIST');
    expect(q('mkfifo', 'q', '0140644')).toBe('EINVAL');
    expect(q('mkdir', 'd', '0755', ':', 'open', 'd', 'O_RDONLY', ':', 'mkfifoat', '0', 'p', '0600', ':', 'stat', 'd/p', 'type,mode')).toBe('fifo,0600');
  });

  test('mknod and mknodat: c, b, f, d, o; device numbers in the Linux encoding', () => {
    const { q } = setup();
    expect(q('mknod', 'c', 'c', '0644', '4095', '1048575', ':', 'stat', 'c', 'type,mode,major,minor')).toBe('char,0644,4095,1048575');
    expect(q('mknod', 'b', 'b', '0600', '8', '1', ':', 'stat', 'b', 'type,major,minor')).toBe('block,8,1');
    expect(q('mknod', 'f', 'f', '0644', '0', '0', ':', 'stat', 'f', 'type,major,minor')).toBe('fifo,0,0');
    expect(q('mknod', 'o', 'o', '0644', '0', '0', ':', 'stat', 'o', 'type,mode')).toBe('regular,0644');
    expect(q('mknod', 'd', 'd', '0755', '0', '0')).toBe('EPERM');
    expect(q('mknod', 'x', 'x', '0644', '0', '0')).toBe('');
    expect(q('mknod', 'x', 'C', '0644', '0', '0')).toBe('');
    expect(q('mknod', 'x', 'c', '0644', '4096', '0')).toBe('EINVAL');
    expect(q('mknod', 'x', 'f', '0644', '0', '1048576')).toBe('EINVAL');
    expect(q('mknod', 'c', 'c', '0644', '1', '1')).toBe('EEXIST');
    expect(q('chmod', '/', '0777', ':', '-u', '65534', 'mknod', 'y', 'c', '0644', '1', '1')).toBe('0');
    expect(q('-u', '65534', 'mknod', 'y', 'c', '0644', '1', '1')).toBe('EPERM');
    expect(q('-u', '65534', 'mknod', 'y', 'f', '0644', '0', '0', ':', 'stat', 'y', 'type,uid')).toBe('fifo,65534');
    expect(q('mkdir', 'd', '0755', ':', 'open', 'd', 'O_RDONLY', ':', 'mknodat', '0', 'z', 'b', '0640', '3', '4', ':',
      'stat', 'd/z', 'type,mode,major,minor')).toBe('block,0640,3,4');
  });

  test('bind: a socket file with 0777 & ~umask; at most 107 bytes of the path are used', () => {
    const { q } = setup();
    expect(q('-U', '022', 'bind', 's', ':', 'stat', 's', 'type,mode')).toBe('socket,0755');
    expect(q('bind', 's')).toBe('EADDRINUSE');
    expect(q('bind', 'nope/s')).toBe('ENOENT');
    const long = 'a'.repeat(100) + 'b'.repeat(20);
    expect(q('bind', long)).toBe('0');
    expect(q('stat', long.slice(0, 107), 'type')).toBe('socket');
    expect(q('stat', long.slice(0, 108), 'type')).toBe('ENOENT');
    expect(q('bind', '')).toBe('0'); // the abstract namespace: no file
    expect(q('open', 's', 'O_RDONLY')).toBe('ENXIO');
  });

  test('connect: ECONNREFUSED when nobody listens, path errors otherwise', () => {
    const { q } = setup();
    expect(q('bind', 's')).toBe('0');
    expect(q('connect', 's')).toBe('ECONNREFUSED');
    expect(q('bind', 't', ':', 'connect', 't')).toBe('ECONNREFUSED');
    expect(q('connect', 'nope')).toBe('ENOENT');
    expect(q('create', 'f', '0644', ':', 'connect', 'f/x')).toBe('ENOTDIR');
    expect(q('-u', '65534', 'connect', 's')).toBe('ECONNREFUSED');
    expect(q('-U', '02', 'bind', 'u', ':', '-u', '65534', 'connect', 'u')).toBe('0');
    expect(q('-u', '65534', '-g', '65534', 'connect', 'u')).toBe('EACCES');
    expect(q('connect', 'x'.repeat(107) + 'tail')).toBe('ENOENT');
  });

  test('chmod, fchmod, lchmod, fchmodat', () => {
    const { q } = setup();
    expect(q('create', 'f', '0644', ':', 'symlink', 'f', 'l')).toBe('0');
    expect(q('chmod', 'l', '0600', ':', 'stat', 'f', 'mode')).toBe('0600');
    expect(q('chmod', 'nope', '0600')).toBe('ENOENT');
    expect(q('open', 'f', 'O_RDONLY', ':', 'fchmod', '0', '04711', ':', 'fstat', '0', 'mode')).toBe('04711');
    expect(q('fchmod', 'BADFD', '0644')).toBe('EBADF');
    expect(q('lchmod', 'f', '0640', ':', 'stat', 'f', 'mode')).toBe('0640');
    expect(q('lchmod', 'l', '0600')).toBe('EOPNOTSUPP');
    expect(q('lstat', 'l', 'mode')).toBe('0777');
    expect(q('fchmodat', 'AT_FDCWD', 'l', '0604', '0', ':', 'stat', 'f', 'mode')).toBe('0604');
    expect(q('fchmodat', 'AT_FDCWD', 'l', '0604', 'AT_SYMLINK_NOFOLLOW')).toBe('EOPNOTSUPP');
    expect(q('fchmodat', 'AT_FDCWD', 'f', '0602', 'AT_SYMLINK_NOFOLLOW', ':', 'stat', 'f', 'mode')).toBe('0602');
    expect(q('-u', '65534', 'chmod', 'f', '0777')).toBe('EPERM');
  });

  test('chown, fchown, lchown, fchownat', () => {
    const { q } = setup();
    expect(q('create', 'f', '0644', ':', 'symlink', 'f', 'l')).toBe('0');
    expect(q('chown', 'l', '1', '2', ':', 'stat', 'f', 'uid,gid')).toBe('1,2');
    expect(q('lstat', 'l', 'uid,gid')).toBe('0,0');
    expect(q('lchown', 'l', '3', '4', ':', 'lstat', 'l', 'uid,gid')).toBe('3,4');
    expect(q('stat', 'f', 'uid,gid')).toBe('1,2');
    expect(q('open', 'f', 'O_RDONLY', ':', 'fchown', '0', '5', '-1', ':', 'fstat', '0', 'uid,gid')).toBe('5,2');
    expect(q('fchownat', 'AT_FDCWD', 'l', '6', '7', 'AT_SYMLINK_NOFOLLOW', ':', 'lstat', 'l', 'uid,gid')).toBe('6,7');
    expect(q('fchownat', 'AT_FDCWD', 'l', '8', '9', '0', ':', 'stat', 'f', 'uid,gid')).toBe('8,9');
    expect(q('chown', 'nope', '0', '0')).toBe('ENOENT');
    expect(q('fchown', 'BADFD', '0', '0')).toBe('EBADF');
    expect(q('-u', '65534', 'chown', 'f', '65534', '-1')).toBe('EPERM');
  });

  test('truncate and ftruncate', () => {
    const { q } = setup();
    expect(q('create', 'f', '0644', ':', 'truncate', 'f', '12345', ':', 'stat', 'f', 'size')).toBe('12345');
    expect(q('truncate', 'f', '-1')).toBe('EINVAL');
    expect(q('mkdir', 'd', '0755', ':', 'truncate', 'd', '0')).toBe('EISDIR');
    expect(q('open', 'f', 'O_RDWR', ':', 'ftruncate', '0', '0x10', ':', 'fstat', '0', 'size')).toBe('16');
    expect(q('open', 'f', 'O_RDONLY', ':', 'ftruncate', '0', '1')).toBe('EINVAL');
    expect(q('ftruncate', 'BADFD', '1')).toBe('EBADF');
    expect(q('-u', '65534', 'truncate', 'f', '0')).toBe('EACCES');
    expect(q('truncate', 'f', '9223372036854775807')).toBe('EFBIG');
  });

  test('posix_fallocate: its error number is reported like an errno', () => {
    const { q } = setup();
    expect(q('open', 'f', 'O_CREAT,O_RDWR', '0644', ':', 'posix_fallocate', '0', '100', '50', ':', 'fstat', '0', 'size')).toBe('150');
    expect(q('open', 'f', 'O_RDONLY', ':', 'posix_fallocate', '0', '0', '10')).toBe('EBADF');
    expect(q('open', 'f', 'O_RDWR', ':', 'posix_fallocate', '0', '0', '0')).toBe('EINVAL');
    expect(q('open', 'f', 'O_RDWR', ':', 'posix_fallocate', '0', '-1', '10')).toBe('EINVAL');
    expect(q('posix_fallocate', 'BADFD', '0', '10')).toBe('EBADF');
    expect(q('mkfifo', 'p', '0644', ':', 'open', 'p', 'O_RDWR', ':', 'posix_fallocate', '0', '0', '10')).toBe('ESPIPE');
  });

  test('stat, fstat, lstat, fstatat (flags before fields)', () => {
    const { q } = setup();
    expect(q('create', 'f', '0644', ':', 'symlink', 'f', 'l')).toBe('0');
    expect(q('stat', 'l', 'type')).toBe('regular');
    expect(q('lstat', 'l', 'type')).toBe('symlink');
    expect(q('open', 'f', 'O_RDONLY', ':', 'fstat', '0', 'type')).toBe('regular');
    expect(q('fstatat', 'AT_FDCWD', 'l', '0', 'type')).toBe('regular');
    expect(q('fstatat', 'AT_FDCWD', 'l', 'AT_SYMLINK_NOFOLLOW', 'type')).toBe('symlink');
    expect(q('open', '/', 'O_RDONLY', ':', 'fstatat', '0', 'f', 'none', 'size')).toBe('0');
    expect(q('stat', 'nope', 'type')).toBe('ENOENT');
    expect(q('lstat', 'f/x', 'type')).toBe('ENOTDIR');
    expect(q('symlink', 'm', 'm2', ':', 'symlink', 'm2', 'm', ':', 'stat', 'm', 'type')).toBe('ELOOP');
    expect(q('stat', 'x'.repeat(256), 'type')).toBe('ENAMETOOLONG');
    expect(q('stat', ('x'.repeat(200) + '/').repeat(20) + 'x'.repeat(95), 'type')).toBe('ENAMETOOLONG');
  });

  test('pwrite and write (write honours O_APPEND)', () => {
    const { q } = setup();
    expect(q('open', 'f', 'O_CREAT,O_WRONLY', '0644', ':', 'write', '0', 'hello', ':', 'write', '0', ' world')).toBe('0');
    expect(q('open', 'f', 'O_RDONLY', ':', 'pread', '0', '100', '0')).toBe('hello world');
    expect(q('open', 'f', 'O_WRONLY', ':', 'pwrite', '0', 'J', '6', ':', 'fstat', '0', 'size')).toBe('11');
    expect(q('open', 'f', 'O_WRONLY,O_APPEND', ':', 'write', '0', '!')).toBe('0');
    expect(q('open', 'f', 'O_RDONLY', ':', 'pread', '0', '100', '0')).toBe('hello Jorld!');
    expect(q('open', 'f', 'O_WRONLY', ':', 'pwrite', '0', 'x', '-1')).toBe('EINVAL');
    expect(q('open', 'f', 'O_RDONLY', ':', 'pwrite', '0', 'x', '0')).toBe('EBADF');
    expect(q('write', 'BADFD', 'x')).toBe('EBADF');
    expect(q('open', 'f', 'O_WRONLY', ':', 'write', '0', 'é')).toBe('0');
    expect(q('stat', 'f', 'size')).toBe('12');
  });

  test('utimensat with a descriptor and permission rules', () => {
    const { q } = setup();
    expect(q('mkdir', 'd', '0777', ':', 'create', 'd/f', '0666')).toBe('0');
    expect(q('open', 'd', 'O_RDONLY', ':', 'utimensat', '0', 'f', '7', '8', '9', '10', '0', ':', 'stat', 'd/f', 'atime,atime_ns,mtime,mtime_ns')).toBe('7,8,9,10');
    expect(q('-u', '65534', 'utimensat', 'AT_FDCWD', 'd/f', '1', '0', '1', '0', '0')).toBe('EPERM');
    expect(q('-u', '65534', 'utimensat', 'AT_FDCWD', 'd/f', '1', 'UTIME_NOW', '1', 'UTIME_NOW', '0')).toBe('0');
    expect(q('utimensat', 'BADFD', 'f', '1', '0', '1', '0', '0')).toBe('EBADF');
    expect(q('utimensat', 'AT_FDCWD', 'nope', '1', '0', '1', '0', '0')).toBe('ENOENT');
  });
});

describe('timestamps', () => {
  test('the default clock is the real clock, with nanoseconds', () => {
    const server = new FsopServer();
    // The IMFS clock (monotonic plus an offset) and Date.now() can be a millisecond apart.
    const before = Math.floor((Date.now() - 20) / 1000);
    expect(server.handle('["create","f","0644"]')).toBe('0');
    const [ctime, ns] = server.handle('["stat","f","ctime,ctime_ns"]').split(',').map(Number);
    expect(ctime).toBeGreaterThanOrEqual(before);
    expect(ctime).toBeLessThanOrEqual(Math.ceil((Date.now() + 20) / 1000));
    expect(ns).toBeGreaterThanOrEqual(0);
    expect(ns).toBeLessThan(1e9);
  });
});

// ---- the program --------------------------------------------------------------------------

/** The §8 session, in order. */
const EXAMPLES: [string[], string][] = [
  [['reset'], '0'],
  [['mkdir', 'd', '0755'], '0'],
  [['mkdir', 'd', '0755'], 'EEXIST'],
  [['lstat', 'd', 'type,mode,nlink,uid,gid'], 'dir,0755,2,0,0'],
  [['cd', 'd'], '0'],
  [['create', 'f', '0644'], '0'],
  [['-U', '077', 'mkdir', 'x', '0777'], '0'],
  [['stat', 'x', 'mode'], '0700'],
  [['open', 'f', 'O_WRONLY', ':', 'write', '0', 'hello', ':', 'fstat', '0', 'size'], '5'],
  [['open', 'f', 'O_RDONLY', ':', 'pread', '0', '3', '1'], 'ell'],
  [['open', 'f', 'O_RDONLY', '0644'], ''],
  [['open', 'f', 'O_RDONLY', ':', 'unlink', 'f', ':', 'fstat', '0', 'nlink'], '0'],
  [['stat', 'f', 'type'], 'ENOENT'],
  [['chown', '.', '65534', '65534'], '0'],
  [['-u', '65534', '-g', '65534', 'symlink', 'target', 'l'], '0'],
  [['lstat', 'l', 'type,uid,gid,size'], 'symlink,65534,65534,6'],
  [['-u', '65533', '-g', '65533', 'unlink', 'l'], 'EACCES'],
  [['-u', '65534', '-g', '65534', '--', 'lchown', 'l', '-1', '-1'], '0'],
  [['create', 'm', '0'], '0'],
  [['stat', 'm', 'mode,flags'], '00,unknown'],
  [['open', '.', 'O_RDONLY', ':', 'utimensat', '0', 'm', '1900000000', '0', '1950000000', 'UTIME_OMIT', '0'], '0'],
  [['stat', 'm', 'atime,atime_ns'], '1900000000,0'],
  [['mknod', 'dev', 'c', '0644', '1', '2'], '0'],
  [['stat', 'dev', 'type,major,minor'], 'char,1,2'],
  [['bind', 'sock'], '0'],
  [['open', 'sock', 'O_RDONLY'], 'ENXIO'],
  [['chmod', 'NULL', '0644'], 'EFAULT'],
  [['pathconf', '.', '_PC_NAME_MAX'], '255'],
  [['pathconf', '.', '_PC_SYMLINK_MAX'], 'unlimited'],
  [['rmdir', '.'], 'EINVAL'],
  [['nosuchcall', 'x'], ''],
  [['cd', '/nonexistent'], 'ENOENT'],
  [['cd', '..'], '0'],
  [['stat', 'd/f', 'type'], 'ENOENT'],
];

test('the §8 examples against the engine', () => {
  const { q } = setup();
  for (const [req, resp] of EXAMPLES) expect(q(...req), JSON.stringify(req)).toBe(resp);
});

describe('the imfs-fsop program', () => {
  let dir: string;
  let program: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'imfs-fsop-'));
    program = join(dir, 'imfs-fsop.js');
    // the Makefile's `imfs` target, through esbuild's API
    await build({
      entryPoints: ['src/grate/fsop-cli.ts'], bundle: true, platform: 'node', format: 'esm', target: 'node20',
      banner: { js: '#!/usr/bin/env node' }, outfile: program, logLevel: 'warning',
    });
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Starts the server; `ask` sends one line and waits for its response line. */
  function start() {
    const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [program], { stdio: ['pipe', 'pipe', 'pipe'] });
    const lines: string[] = [];
    const waiting: ((line: string) => void)[] = [];
    let stdout = '', stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    createInterface({ input: child.stdout }).on('line', (line) => {
      const w = waiting.shift();
      if (w !== undefined) w(line); else lines.push(line);
    });
    const ask = (line: string) => new Promise<string>((resolve) => {
      waiting.push(resolve);
      child.stdin.write(line + '\n');
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })));
    return { child, ask, exited, out: () => stdout, err: () => stderr, unread: lines };
  }

  test('answers the §8 session one request at a time, then exits 0 at end of input', async () => {
    const s = start();
    for (const [req, resp] of EXAMPLES) expect(await s.ask(JSON.stringify(req)), JSON.stringify(req)).toBe(resp);
    s.child.stdin.end();
    expect(await s.exited).toEqual({ code: 0, signal: null });
    expect(s.out()).toBe(EXAMPLES.map(([, r]) => r + '\n').join(''));
    // diagnostics go to stderr: one for each refused request
    expect(s.err()).toBe("imfs-fsop: usage: open: a mode goes with O_CREAT, and only with it\n" +
      "imfs-fsop: usage: unknown call 'nosuchcall'\n");
  });

  test('malformed lines get the empty line and the server goes on', async () => {
    const s = start();
    for (const line of ['not json', '[]', '["mkdir",1]', '{"x":"y"}', '', '["mkdir","d"', '[null]']) {
      expect(await s.ask(line), line).toBe('');
    }
    expect(await s.ask('["mkdir","d","0755"]')).toBe('0');
    expect(await s.ask('["stat","d","type"]')).toBe('dir');
    s.child.stdin.end();
    expect((await s.exited).code).toBe(0);
    expect(s.unread).toEqual([]);
  });

  test('a batch of requests written at once gets one response line each, in order', async () => {
    const s = start();
    const reqs = ['["mkdir","a","0755"]', '["mkdir","a","0755"]', 'junk', '["stat","a","type"]',
      '["open","a","O_RDONLY",":","fstat","0","nlink"]', '["nosuchcall"]', '["cd","a"]', '["create","f","0644"]',
      '["stat","/a/f","type"]'];
    s.child.stdin.end(reqs.join('\n')); // the last request has no newline
    expect(await s.exited).toEqual({ code: 0, signal: null });
    expect(s.out()).toBe(['0', 'EEXIST', '', 'dir', '2', '', '0', '0', 'regular'].map((r) => r + '\n').join(''));
  });

  test('EOF right away: exit status 0 and no output', async () => {
    const s = start();
    s.child.stdin.end();
    expect(await s.exited).toEqual({ code: 0, signal: null });
    expect(s.out()).toBe('');
    expect(s.err()).toBe('');
  });

  test('a client gone (its end of stdout closed): the server stops answering and exits 0 on its own', async () => {
    const s = start();
    expect(await s.ask('["mkdir","d","0755"]')).toBe('0');
    s.child.stdout.destroy();
    // The server may be gone before all of these are written: EPIPE on our side is expected.
    s.child.stdin.on('error', () => {});
    // More requests than a pipe holds answers for; stdin is left open: the server must end by itself.
    for (let i = 0; i < 2000; i++) s.child.stdin.write('["stat","d","type"]\n');
    expect(await s.exited).toEqual({ code: 0, signal: null });
    expect(s.err()).toBe('');
  });

  test('SIGTERM: it dies quietly', async () => {
    const s = start();
    expect(await s.ask('["mkdir","d","0755"]')).toBe('0');
    s.child.kill('SIGTERM');
    const { code, signal } = await s.exited;
    expect(code === 0 || signal === 'SIGTERM').toBe(true);
    expect(s.out()).toBe('0\n');
    expect(s.err()).toBe('');
  });
});
