/** The per-feature table and the closing line of a pjdfstest run. */
import { dirname } from 'node:path';
import type { Judged } from './expectations.js';

const COLUMNS = ['feature', 'files', 'assertions', 'passed', 'failed', 'todo-failed', 'unexpected'] as const;
type Row = Record<(typeof COLUMNS)[number], string | number>;

function row(feature: string, js: readonly Judged[]): Row {
  const sum = (k: 'assertions' | 'passed' | 'failed' | 'todoFailed') => js.reduce((s, j) => s + j[k], 0);
  return {
    feature, files: js.length, assertions: sum('assertions'), passed: sum('passed'), failed: sum('failed'),
    'todo-failed': sum('todoFailed'), unexpected: js.reduce((s, j) => s + j.unexpected.length, 0),
  };
}

/** One row per feature and a total row, columns aligned. */
export function table(judged: readonly Judged[]): string {
  const byFeature = new Map<string, Judged[]>();
  for (const j of judged) {
    const f = dirname(j.file);
    byFeature.set(f, [...(byFeature.get(f) ?? []), j]);
  }
  const rows = [...[...byFeature].sort(([a], [b]) => a.localeCompare(b)).map(([f, js]) => row(f, js)), row('total', judged)];
  const cells = [COLUMNS as readonly string[], ...rows.map((r) => COLUMNS.map((c) => String(r[c])))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]) => c.map((v, i) => i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!)).join('  ');
  return [line(cells[0]!), ...cells.slice(1, -1).map(line), '-'.repeat(line(cells[0]!).length), line(cells.at(-1)!)].join('\n');
}

/** `pjdfstest: P of A assertions passed, F failed (T of them expected: Linux TODOs), U unexpected; ...`. */
export function closingLine(judged: readonly Judged[], seconds: number): string {
  const t = row('total', judged);
  const na = judged.filter((j) => j.notApplicable).length;
  const slowest = judged.reduce<Judged | undefined>((s, j) => s === undefined || j.seconds > s.seconds ? j : s, undefined);
  return `pjdfstest: ${t.passed} of ${t.assertions} assertions passed, ${t.failed} failed ` +
    `(${t['todo-failed']} of them expected: Linux TODOs), ${t.unexpected} unexpected; ` +
    `${t.files} files (${na} not applicable to Linux) in ${seconds.toFixed(0)} s` +
    (slowest === undefined ? '' : `, the slowest ${slowest.file} (${slowest.seconds.toFixed(0)} s)`);
}
