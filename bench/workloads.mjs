// The benchmark program's side of the interface (wasm-fixtures/bench/bench.c): its workloads,
// grouped as they must run, and its report lines.

/** Workloads that depend on each other run together in one cage run; the scale groups (a million files a pass) last. */
export const GROUPS = [
  ['meta-create', 'meta-stat', 'meta-stat-missing', 'meta-list', 'meta-unlink'],
  ['meta-tree'], ['meta-deep-stat'], ['small-write', 'small-read'],
  ['call-pwrite64', 'call-pread64', 'call-pwrite64-hot', 'call-pread64-hot'], ['seq-write4k', 'seq-read4k'], ['bulk-write', 'bulk-read'],
  ['scale-create', 'scale-stat', 'scale-list'], ['scale-sparse'],
];
export const isScale = (group) => group[0].startsWith('scale-');
/** A group's short name: its first workload, and how many follow it in the same run. */
export const groupName = (group) => (group.length > 1 ? `${group[0]} +${group.length - 1}` : group[0]);

/**
 * Lines "name ops/s … ns/op [MB/s]" → { name: { opsPerSec, nsPerOp, mbPerSec, first } }: the
 * best of repeated lines, with `first` the ns/op of the first one (the cold pass).
 */
export function parse(text) {
  const out = {};
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+([\d.]+) ops\/s\s+([\d.]+) ns\/op(?: ([\d.]+) MB\/s)?/.exec(line);
    if (!m) continue;
    const v = { opsPerSec: Number(m[2]), nsPerOp: Number(m[3]), mbPerSec: m[4] === undefined ? undefined : Number(m[4]) };
    const seen = out[m[1]];
    if (seen === undefined || v.nsPerOp < seen.nsPerOp) out[m[1]] = { ...v, first: seen?.first ?? v.nsPerOp };
  }
  return out;
}
