/**
 * wasi:filesystem/types@0.3 `descriptor`: a wasip2 Descriptor underneath (one cage
 * descriptor; its permissions, capability rules and error mapping), with 0.3's shapes on
 * top: variants for error-code and descriptor-type, streams and futures in place of wasi:io
 * streams, no read/write (streams only). The IMFS answers at once, so the methods the WIT
 * declares `async` are plain functions here: jco's glue awaits whatever they return.
 *
 * `mutate-directory` is stricter than 0.2's rule (where a directory opened beneath one that
 * may mutate inherits it): as wasmtime answers 0.3, a directory opened beneath may mutate
 * only when opened with `mutate-directory` (and its parent may). Checked here, before the 0.2 call.
 */
import type { Descriptor as P2Descriptor } from '../wasip2/descriptor.js';
import type * as p2 from '../wasip2/types.js';
import { bytesOf, drainInto, failedStream, hostStream, type GuestStream, type StreamAndFuture } from './streams.js';
import {
  descriptorStat, descriptorType, directoryEntry, errorOf, p3,
  type DescriptorStat, type DescriptorType, type DirectoryEntry, type ErrorCode, type Result,
} from './types.js';

/**
 * The access an open asks for, as 0.3 hosts (wasmtime) grant it: read when neither read nor
 * write is asked; `create` implies write (upstream's flags-and-type test checks both).
 */
function accessOf(openFlags: p2.OpenFlags, flags: p2.DescriptorFlags): p2.DescriptorFlags {
  const read = flags.read === true || flags.write !== true;
  return { ...flags, read, write: flags.write === true || openFlags.create === true };
}

export class Descriptor {
  constructor(
    readonly inner: P2Descriptor,
    /** Whether things may be created, removed or renamed beneath (a preopen: what 0.2 says). */
    readonly mutate: boolean = inner.mutate,
  ) {}

  private needMutate(): void {
    if (!this.mutate) throw { tag: 'not-permitted' } satisfies ErrorCode;
  }

  readViaStream(offset: bigint): StreamAndFuture<Uint8Array> {
    try {
      return bytesOf(this.inner.readViaStream(offset));
    } catch (e) {
      return failedStream(errorOf(e));
    }
  }

  writeViaStream(data: GuestStream, offset: bigint): Promise<Result<ErrorCode>> {
    return this.toStream(data, () => this.inner.writeViaStream(offset));
  }

  appendViaStream(data: GuestStream): Promise<Result<ErrorCode>> {
    return this.toStream(data, () => this.inner.appendViaStream());
  }

  private async toStream(data: GuestStream, open: () => ReturnType<P2Descriptor['writeViaStream']>): Promise<Result<ErrorCode>> {
    let out;
    try {
      out = open();
    } catch (e) {
      data[Symbol.dispose]?.();
      return { tag: 'err', val: errorOf(e) };
    }
    return drainInto(data, out);
  }

  advise(offset: bigint, length: bigint, advice: p2.Advice): void {
    // A directory has no data to advise about (wasmtime: bad-descriptor).
    if (this.getType().tag === 'directory') throw { tag: 'bad-descriptor' } satisfies ErrorCode;
    p3(() => this.inner.advise(offset, length, advice));
  }

  syncData(): void {
    p3(() => this.inner.syncData());
  }

  sync(): void {
    p3(() => this.inner.sync());
  }

  getFlags(): p2.DescriptorFlags {
    return { ...p3(() => this.inner.getFlags()), mutateDirectory: this.mutate };
  }

  getType(): DescriptorType {
    return descriptorType(p3(() => this.inner.getType()));
  }

  setSize(size: bigint): void {
    p3(() => this.inner.setSize(size));
  }

  setTimes(atim: p2.NewTimestamp, mtim: p2.NewTimestamp): void {
    p3(() => this.inner.setTimes(atim, mtim));
  }

  /** The entries after "." and "..", streamed; the future says whether the listing ended well. */
  readDirectory(): StreamAndFuture<DirectoryEntry> {
    let entries: ReturnType<P2Descriptor['readDirectory']>;
    try {
      entries = this.inner.readDirectory();
    } catch (e) {
      return failedStream(errorOf(e));
    }
    return hostStream(() => {
      const e = entries.readDirectoryEntry();
      return e === undefined ? null : directoryEntry(e);
    }, () => entries[Symbol.dispose]());
  }

  createDirectoryAt(path: string): void {
    this.needMutate();
    p3(() => this.inner.createDirectoryAt(path));
  }

  stat(): DescriptorStat {
    return descriptorStat(p3(() => this.inner.stat()));
  }

  statAt(pathFlags: p2.PathFlags, path: string): DescriptorStat {
    return descriptorStat(p3(() => this.inner.statAt(pathFlags, path)));
  }

  setTimesAt(pathFlags: p2.PathFlags, path: string, atim: p2.NewTimestamp, mtim: p2.NewTimestamp): void {
    p3(() => this.inner.setTimesAt(pathFlags, path, atim, mtim));
  }

  linkAt(oldPathFlags: p2.PathFlags, oldPath: string, newDescriptor: Descriptor, newPath: string): void {
    newDescriptor.needMutate();
    p3(() => this.inner.linkAt(oldPathFlags, oldPath, newDescriptor.inner, newPath));
  }

  openAt(pathFlags: p2.PathFlags, path: string, openFlags: p2.OpenFlags, flags: p2.DescriptorFlags): Descriptor {
    if ((flags.mutateDirectory || openFlags.create || openFlags.truncate) && !this.mutate) this.needMutate();
    const inner = p3(() => this.inner.openAt(pathFlags, path, openFlags, accessOf(openFlags, flags)));
    // Of this descriptor's own class (the traced one under --log).
    return new (this.constructor as typeof Descriptor)(inner, inner.mutate && flags.mutateDirectory === true);
  }

  readlinkAt(path: string): string {
    return p3(() => this.inner.readlinkAt(path));
  }

  removeDirectoryAt(path: string): void {
    this.needMutate();
    // A trailing slash follows a final symlink (wasmtime): one leading out of this directory is
    // not-permitted, where the IMFS's rmdir answers not-directory for any symlink, as Linux does.
    if (path.endsWith('/')) {
      try {
        this.inner.statAt({ symlinkFollow: true }, path);
      } catch (e) {
        if (e === 'not-permitted') throw errorOf(e);
      }
    }
    p3(() => this.inner.removeDirectoryAt(path));
  }

  renameAt(oldPath: string, newDescriptor: Descriptor, newPath: string): void {
    this.needMutate();
    newDescriptor.needMutate();
    p3(() => this.inner.renameAt(oldPath, newDescriptor.inner, newPath));
  }

  symlinkAt(oldPath: string, newPath: string): void {
    this.needMutate();
    p3(() => this.inner.symlinkAt(oldPath, newPath));
  }

  unlinkFileAt(path: string): void {
    this.needMutate();
    p3(() => this.inner.unlinkFileAt(path));
  }

  isSameObject(other: Descriptor): boolean {
    return p3(() => this.inner.isSameObject(other.inner));
  }

  metadataHash(): p2.MetadataHashValue {
    return p3(() => this.inner.metadataHash());
  }

  metadataHashAt(pathFlags: p2.PathFlags, path: string): p2.MetadataHashValue {
    return p3(() => this.inner.metadataHashAt(pathFlags, path));
  }

  [Symbol.dispose](): void {
    this.inner[Symbol.dispose]();
  }
}
