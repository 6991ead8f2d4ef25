// Printing the benchmark's figures: aligned tables, workload results, ratios and medians.

/** Rows of cells (the first row the header) as left-aligned columns. */
export function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r) => r.map((c, i) => String(c).padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

const failed = (v) => v === undefined || v.error !== undefined;

/** A workload's result as ops/s or MB/s, or why there is none. */
export const show = (v) => (v === undefined ? '—' : v.error ? v.error.startsWith('timeout') ? 'timeout' : 'failed'
  : v.mbPerSec !== undefined ? `${v.mbPerSec.toFixed(0)} MB/s` : `${Math.round(v.opsPerSec).toLocaleString('en-US')}/s`);

/** How many times faster a is than b: b's figure over a's (time, memory: > 1 is better). */
export const ratio = (a, b) => (a === undefined || b === undefined || !(a > 0) || !(b > 0) ? '—' : (b / a).toFixed(2) + 'x');
/** The same for two workload results, by their ns/op. */
export const speedup = (a, b) => (failed(a) || failed(b) ? '—' : ratio(a.nsPerOp, b.nsPerOp));

export function median(xs) {
  const s = [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
/** Largest over smallest: how far repeated runs of one thing spread. */
export const spread = (xs) => Math.max(...xs) / Math.min(...xs);

export const timedOut = (v) => v?.error?.startsWith('timeout') ?? false;

/**
 * The median of repeated figures (time: less is better), a run that timed out (undefined)
 * counting as slower than any that finished: one slow spell does not blank a row, but a
 * median that timed out is reported as a timeout (undefined).
 */
export function medianOfRuns(figures) {
  const m = median(figures.map((f) => f ?? Infinity));
  return m === Infinity ? undefined : m;
}

/** Repeated results of one workload as one: the median ns/op (ops/s and MB/s follow it), or a failure. */
export function medianResult(vs) {
  const bad = vs.findIndex((v) => failed(v) && !timedOut(v));
  if (bad >= 0) return vs[bad] ?? { error: 'no result' };
  const ns = medianOfRuns(vs.map((v) => (timedOut(v) ? undefined : v.nsPerOp)));
  if (ns === undefined) return vs.find(timedOut);
  const done = vs.filter((v) => !timedOut(v)), v = done[0];
  return { nsPerOp: ns, opsPerSec: 1e9 / ns, mbPerSec: v.mbPerSec === undefined ? undefined : v.mbPerSec * v.nsPerOp / ns, runs: done.map((r) => r.nsPerOp), timeouts: vs.length - done.length };
}

/** `order` turned `by` places: hosts take turns, and no host is always first or last. */
export const rotate = (order, by) => order.map((_, i) => order[(i + by) % order.length]);
