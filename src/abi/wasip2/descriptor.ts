/**
 * wasi:filesystem/types `descriptor` and `directory-entry-stream`: one Descriptor is one
 * cage descriptor, so one IMFS open file description; every method is one core call (or
 * two) on it, and failures are the error-codes of error-codes.ts. A descriptor has no
 * position of its own (WASI 0.2 has none): streams carry theirs.
 *
 * `mutate-directory` follows wasmtime: a preopen may mutate, a directory opened beneath a
 * descriptor inherits what its parent may, and creating, removing, renaming or linking
 * beneath a descriptor that may not is `not-permitted`.
 */
import {
  AT_REMOVEDIR, AT_SYMLINK_FOLLOW, AT_SYMLINK_NOFOLLOW, F_GETFL, O_ACCMODE, O_CREAT, O_DIRECTORY, O_DSYNC,
  O_EXCL, O_NOFOLLOW, O_RDONLY, O_RDWR, O_SYNC, O_TRUNC, O_WRONLY, PATH_MAX, S_IFDIR, S_IFIFO, S_IFMT, newStat,
  type Stat,
} from '../../core/index.js';
import { fail } from './io-error.js';
import { isPositional, type InputStream, type OutputStream } from './streams.js';
import {
  descriptorStat, timespecOf, typeOfDtype, typeOfMode, u64,
  type Advice, type DescriptorFlags, type DescriptorStat, type DescriptorType, type DirectoryEntry,
  type MetadataHashValue, type NewTimestamp, type OpenFlags, type PathFlags,
} from './types.js';
import type { P2Host } from './host.js';

/** How many bytes one `read` of `length` asks for: at most 1 GiB. */
export function readLength(length: bigint): number {
  return Math.min(u64(length) ?? Number.MAX_SAFE_INTEGER, 1 << 30);
}

const ADVICE = new Set<Advice>(['normal', 'sequential', 'random', 'will-need', 'dont-need', 'no-reuse']);

export class Descriptor {
  /** References: the descriptor itself and each stream or directory-entry stream made from it. */
  private refs = 1;
  private dropped = false;
  private readonly st: Stat = newStat();

  constructor(
    readonly host: P2Host,
    /** The cage descriptor (what --log shows). */
    readonly fd: number,
    /** Whether things may be created, removed or renamed beneath this directory. */
    readonly mutate: boolean,
  ) {}

  /** One more user of the cage descriptor (a stream made from it). */
  retain(): void {
    this.refs++;
  }

  /** One user fewer: the last closes the cage descriptor. */
  release(): void {
    if (--this.refs === 0) this.host.fs.close(this.host.cage, this.fd);
  }

  [Symbol.dispose](): void {
    if (this.dropped) return;
    this.dropped = true;
    this.release();
  }

  /** fstat into the scratch stat (the error-code is thrown). */
  private fstat(): Stat {
    const r = this.host.fs.fstat(this.host.cage, this.fd, this.st);
    if (r < 0) fail(r);
    return this.st;
  }

  private needMutate(): void {
    if (!this.mutate) throw 'not-permitted';
  }

  private accessMode(): number {
    const fl = this.host.fs.fcntl(this.host.cage, this.fd, F_GETFL);
    if (fl < 0) fail(fl);
    return fl;
  }

  readViaStream(offset: bigint): InputStream {
    if ((this.accessMode() & O_ACCMODE) === O_WRONLY) throw 'bad-descriptor';
    const mode = this.fstat().mode;
    if ((mode & S_IFMT) === S_IFDIR) throw 'is-directory';
    return this.stream(this.host.classes.InputStream, isPositional(mode) ? 'positional' : 'sequential', offset);
  }

  writeViaStream(offset: bigint): OutputStream {
    if ((this.accessMode() & O_ACCMODE) === O_RDONLY) throw 'bad-descriptor';
    const mode = this.fstat().mode;
    return this.stream(this.host.classes.OutputStream, isPositional(mode) ? 'positional' : 'sequential', offset);
  }

  appendViaStream(): OutputStream {
    if ((this.accessMode() & O_ACCMODE) === O_RDONLY) throw 'bad-descriptor';
    const mode = this.fstat().mode;
    return this.stream(this.host.classes.OutputStream, isPositional(mode) ? 'append' : 'sequential', 0n);
  }

  private stream<S>(cls: new (...a: ConstructorParameters<typeof InputStream>) => S, mode: 'positional' | 'append' | 'sequential', offset: bigint): S {
    const pos = u64(offset);
    if (pos === null) throw 'invalid';
    const s = new cls(this.host, this.fd, mode, pos, this);
    this.retain();
    return s;
  }

  advise(_offset: bigint, _length: bigint, advice: Advice): void {
    if (!ADVICE.has(advice)) throw 'invalid';
    // Advice changes nothing in memory; a FIFO has no offsets to advise about (as fd_advise's ESPIPE).
    if ((this.fstat().mode & S_IFMT) === S_IFIFO) throw 'invalid-seek';
  }

  syncData(): void {
    const r = this.host.fs.fdatasync(this.host.cage, this.fd);
    if (r < 0) fail(r);
  }

  sync(): void {
    const r = this.host.fs.fsync(this.host.cage, this.fd);
    if (r < 0) fail(r);
  }

  getFlags(): DescriptorFlags {
    const fl = this.accessMode();
    const acc = fl & O_ACCMODE;
    return {
      read: acc === O_RDONLY || acc === O_RDWR,
      write: acc === O_WRONLY || acc === O_RDWR,
      fileIntegritySync: (fl & O_SYNC) === O_SYNC,
      dataIntegritySync: (fl & O_DSYNC) !== 0,
      requestedWriteSync: false,
      mutateDirectory: this.mutate,
    };
  }

  getType(): DescriptorType {
    return typeOfMode(this.fstat().mode);
  }

  setSize(size: bigint): void {
    const n = u64(size);
    if (n === null) throw 'file-too-large';
    const r = this.host.fs.ftruncate(this.host.cage, this.fd, n);
    if (r < 0) fail(r);
  }

  setTimes(atim: NewTimestamp, mtim: NewTimestamp): void {
    const a = timespecOf(atim), m = timespecOf(mtim);
    if (a === null || m === null) throw 'invalid';
    const r = this.host.fs.futimens(this.host.cage, this.fd, [a, m]);
    if (r < 0) fail(r);
  }

  read(length: bigint, offset: bigint): [Uint8Array, boolean] {
    const off = u64(offset);
    if (off === null) throw 'invalid';
    const n = readLength(length);
    const buf = new Uint8Array(n);
    const r = this.host.fs.pread(this.host.cage, this.fd, buf, n, off);
    if (r < 0) fail(r);
    // A short read of an IMFS file happens only at its end.
    return [r === n ? buf : buf.subarray(0, r), r < n];
  }

  write(buffer: Uint8Array, offset: bigint): bigint {
    const off = u64(offset);
    if (off === null) throw 'file-too-large';
    const r = this.host.fs.pwrite(this.host.cage, this.fd, buffer, buffer.length, off);
    if (r < 0) fail(r);
    return BigInt(r);
  }

  readDirectory(): DirectoryEntryStream {
    if ((this.fstat().mode & S_IFMT) !== S_IFDIR) throw 'not-directory';
    const s = new this.host.classes.DirectoryEntryStream(this.host, this);
    this.retain();
    return s;
  }

  createDirectoryAt(path: string): void {
    this.needMutate();
    const r = this.host.fs.mkdirat(this.host.cage, this.fd, path, 0o777);
    if (r < 0) fail(r);
  }

  stat(): DescriptorStat {
    return descriptorStat(this.fstat());
  }

  statAt(pathFlags: PathFlags, path: string): DescriptorStat {
    return descriptorStat(this.statPath(pathFlags, path));
  }

  private statPath(pathFlags: PathFlags, path: string): Stat {
    const r = this.host.fs.fstatat(this.host.cage, this.fd, path, this.st, pathFlags.symlinkFollow ? 0 : AT_SYMLINK_NOFOLLOW);
    if (r < 0) fail(r);
    return this.st;
  }

  setTimesAt(pathFlags: PathFlags, path: string, atim: NewTimestamp, mtim: NewTimestamp): void {
    const a = timespecOf(atim), m = timespecOf(mtim);
    if (a === null || m === null) throw 'invalid';
    const r = this.host.fs.utimensat(this.host.cage, this.fd, path, [a, m], pathFlags.symlinkFollow ? 0 : AT_SYMLINK_NOFOLLOW);
    if (r < 0) fail(r);
  }

  linkAt(oldPathFlags: PathFlags, oldPath: string, newDescriptor: Descriptor, newPath: string): void {
    newDescriptor.needMutate();
    const r = this.host.fs.linkat(this.host.cage, this.fd, oldPath, newDescriptor.fd, newPath,
      oldPathFlags.symlinkFollow ? AT_SYMLINK_FOLLOW : 0);
    if (r < 0) fail(r);
  }

  openAt(pathFlags: PathFlags, path: string, openFlags: OpenFlags, flags: DescriptorFlags): Descriptor {
    if ((flags.mutateDirectory || openFlags.create || openFlags.truncate) && !this.mutate) throw 'not-permitted';
    let f = flags.read && flags.write ? O_RDWR : flags.write ? O_WRONLY : O_RDONLY;
    if (openFlags.create) f |= O_CREAT;
    if (openFlags.directory) f |= O_DIRECTORY;
    if (openFlags.exclusive) f |= O_EXCL;
    if (openFlags.truncate) f |= O_TRUNC;
    if (flags.fileIntegritySync) f |= O_SYNC;
    else if (flags.dataIntegritySync) f |= O_DSYNC;
    if (!pathFlags.symlinkFollow) f |= O_NOFOLLOW;
    const { fs, cage } = this.host;
    const fd = fs.openat(cage, this.fd, path, f, 0o666);
    if (fd < 0) fail(fd);
    const r = fs.fstat(cage, fd, this.st);
    if (r < 0) {
      fs.close(cage, fd);
      fail(r);
    }
    // A directory may mutate what its parent may; a file has nothing beneath it.
    return new this.host.classes.Descriptor(this.host, fd, (this.st.mode & S_IFMT) === S_IFDIR && this.mutate);
  }

  readlinkAt(path: string): string {
    const buf = Buffer.allocUnsafe(PATH_MAX);
    const r = this.host.fs.readlinkat(this.host.cage, this.fd, path, buf, PATH_MAX);
    if (r < 0) fail(r);
    return buf.toString('utf8', 0, r);
  }

  removeDirectoryAt(path: string): void {
    this.needMutate();
    const r = this.host.fs.unlinkat(this.host.cage, this.fd, path, AT_REMOVEDIR);
    if (r < 0) fail(r);
  }

  renameAt(oldPath: string, newDescriptor: Descriptor, newPath: string): void {
    this.needMutate();
    newDescriptor.needMutate();
    const r = this.host.fs.renameat(this.host.cage, this.fd, oldPath, newDescriptor.fd, newPath);
    if (r < 0) fail(r);
  }

  symlinkAt(oldPath: string, newPath: string): void {
    this.needMutate();
    // A descriptor is a capability for what lies beneath it: a link to an absolute path
    // would lead outside (the preview1 layer and wasmtime refuse it alike).
    if (oldPath.startsWith('/')) throw 'not-permitted';
    const r = this.host.fs.symlinkat(this.host.cage, oldPath, this.fd, newPath);
    if (r < 0) fail(r);
  }

  unlinkFileAt(path: string): void {
    this.needMutate();
    const r = this.host.fs.unlinkat(this.host.cage, this.fd, path, 0);
    if (r < 0) fail(r);
  }

  isSameObject(other: Descriptor): boolean {
    const a = this.fstat();
    const dev = a.dev, ino = a.ino;
    const b = other.fstat();
    return b.dev === dev && b.ino === ino;
  }

  /** Stable for an inode while it exists, and distinct between inodes: its (dev, ino). The adapter uses `lower` as st_ino. */
  metadataHash(): MetadataHashValue {
    const st = this.fstat();
    return { upper: BigInt(st.dev), lower: BigInt(st.ino) };
  }

  metadataHashAt(pathFlags: PathFlags, path: string): MetadataHashValue {
    const st = this.statPath(pathFlags, path);
    return { upper: BigInt(st.dev), lower: BigInt(st.ino) };
  }
}

/** The entries of a directory after "." and "..", from its start, at a position of its own. */
export class DirectoryEntryStream {
  private pos = 0;
  private dropped = false;

  constructor(readonly host: P2Host, readonly owner: Descriptor) {}

  readDirectoryEntry(): DirectoryEntry | undefined {
    let entry: DirectoryEntry | undefined;
    const r = this.host.fs.scandir(this.host.cage, this.owner.fd, this.pos, (name, _ino, type, next) => {
      this.pos = next;
      if (name === '.' || name === '..') return true;
      // Names are bytes in the IMFS; a WIT string is Unicode, so bytes that are not UTF-8 show as U+FFFD.
      entry = { type: typeOfDtype(type), name: Buffer.from(name, 'latin1').toString('utf8') };
      return false;
    });
    if (r < 0) fail(r);
    return entry;
  }

  [Symbol.dispose](): void {
    if (this.dropped) return;
    this.dropped = true;
    this.owner.release();
  }
}
