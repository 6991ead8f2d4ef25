/**
 * Advisory locks, as Linux keeps them per inode:
 * - record locks (fcntl F_SETLK…): byte ranges owned by a process (a cage), or by an
 *   open file description for OFD locks (F_OFD_SETLK…). Both kinds conflict with each
 *   other; a lock conflicts with another owner's overlapping lock when either is a write lock.
 *   Setting a lock over one's own locks splits, replaces and merges them.
 * - flock(2) locks: whole-file, owned by an open file description, in a namespace of
 *   their own (they never conflict with record locks).
 * Ranges are inclusive [start, end]; end is Infinity for "to end of file".
 */
import { F_RDLCK, F_UNLCK, F_WRLCK } from './constants.js';

export interface RangeLock {
  owner: object;
  type: number;
  start: number;
  end: number;
  /** The pid F_GETLK reports: the cage id, or -1 for an OFD lock. */
  pid: number;
}

interface FlockState {
  shared: Set<object>;
  exclusive: object | null;
}

function overlaps(l: RangeLock, start: number, end: number): boolean {
  return l.start <= end && start <= l.end;
}

export class Locks {
  private readonly ranges = new Map<number, RangeLock[]>();
  private readonly flocks = new Map<number, FlockState>();

  /** The first lock of another owner that conflicts with the given one, or null. */
  conflict(ino: number, owner: object, type: number, start: number, end: number): RangeLock | null {
    const list = this.ranges.get(ino);
    if (list === undefined) return null;
    for (const l of list) {
      if (l.owner !== owner && overlaps(l, start, end) && (type === F_WRLCK || l.type === F_WRLCK)) return l;
    }
    return null;
  }

  /** Sets (or, with F_UNLCK, clears) owner's lock over [start, end]. Returns false on a conflict (nothing changed). */
  set(ino: number, owner: object, pid: number, type: number, start: number, end: number): boolean {
    if (type !== F_UNLCK && this.conflict(ino, owner, type, start, end) !== null) return false;
    const list = this.ranges.get(ino) ?? [];
    const kept: RangeLock[] = [];
    for (const l of list) {
      if (l.owner !== owner) { kept.push(l); continue; }
      const touches = l.start <= end + 1 && start <= l.end + 1;
      if (!touches) { kept.push(l); continue; }
      if (l.type === type) {
        // Same type, overlapping or adjacent: absorb it into the new lock.
        if (l.start < start) start = l.start;
        if (l.end > end) end = l.end;
        continue;
      }
      if (!overlaps(l, start, end)) { kept.push(l); continue; }
      // Different type: keep the parts outside the new range.
      if (l.start < start) kept.push({ ...l, end: start - 1 });
      if (l.end > end) kept.push({ ...l, start: end + 1 });
    }
    if (type !== F_UNLCK) kept.push({ owner, type, start, end, pid });
    if (kept.length === 0) this.ranges.delete(ino);
    else this.ranges.set(ino, kept);
    return true;
  }

  /** Drops every record lock `owner` holds on `ino` (a close by the owning cage, or the last close of an OFD). */
  releaseRanges(ino: number, owner: object): void {
    const list = this.ranges.get(ino);
    if (list === undefined) return;
    const kept = list.filter((l) => l.owner !== owner);
    if (kept.length === 0) this.ranges.delete(ino);
    else if (kept.length !== list.length) this.ranges.set(ino, kept);
  }

  /** Drops every record lock `owner` holds on any inode (a cage exiting). */
  releaseOwner(owner: object): void {
    for (const ino of [...this.ranges.keys()]) this.releaseRanges(ino, owner);
  }

  /**
   * flock(2): LOCK_SH or LOCK_EX (as F_RDLCK / F_WRLCK) or F_UNLCK for `owner`.
   * As on Linux, converting an existing lock first drops it, so a conversion that
   * conflicts leaves the owner with no lock. Returns false on a conflict.
   */
  flock(ino: number, owner: object, type: number): boolean {
    let st = this.flocks.get(ino);
    if (st === undefined) {
      if (type === F_UNLCK) return true;
      st = { shared: new Set(), exclusive: null };
      this.flocks.set(ino, st);
    }
    const held = st.exclusive === owner ? F_WRLCK : st.shared.has(owner) ? F_RDLCK : F_UNLCK;
    if (held === type) return true;
    if (held === F_WRLCK) st.exclusive = null;
    else if (held === F_RDLCK) st.shared.delete(owner);
    let ok = true;
    if (type === F_RDLCK) {
      if (st.exclusive !== null) ok = false;
      else st.shared.add(owner);
    } else if (type === F_WRLCK) {
      if (st.exclusive !== null || st.shared.size > 0) ok = false;
      else st.exclusive = owner;
    }
    if (st.exclusive === null && st.shared.size === 0) this.flocks.delete(ino);
    return ok;
  }

  /** Whether any lock (record or flock) is held on `ino` (for the fuzzer's checks). */
  held(ino: number): boolean {
    return this.ranges.has(ino) || this.flocks.has(ino);
  }

  /** Calls visit for every lock held: a record lock with its range, a flock(2) lock with null (for consistency checks). */
  forEachLock(visit: (ino: number, owner: object, range: RangeLock | null) => void): void {
    this.ranges.forEach((list, ino) => { for (const l of list) visit(ino, l.owner, l); });
    this.flocks.forEach((st, ino) => {
      st.shared.forEach((owner) => visit(ino, owner, null));
      if (st.exclusive !== null) visit(ino, st.exclusive, null);
    });
  }

  /** Inodes with any lock (for consistency checks). */
  lockedInodes(): number[] {
    return [...new Set([...this.ranges.keys(), ...this.flocks.keys()])];
  }
}

export { F_RDLCK, F_WRLCK, F_UNLCK };
