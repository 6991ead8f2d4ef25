/**
 * What the IMFS is expected to score: every assertion passes, except those listed in
 * expected-failures.txt, which must be assertions the suite itself marks TODO for Linux
 * (Linux's tmpfs fails them too). Anything else is unexpected and named: an assertion
 * that fails, a listed one that passes (a TODO that starts passing), a listed one the
 * suite does not mark TODO, a listed one that does not exist, a run that went wrong.
 */
import { readFileSync } from 'node:fs';
import type { Assertion, FileResult } from './tap.js';

/** Listed expected failures: `feature/NN.t` → assertion numbers. */
export type ExpectedFailures = ReadonlyMap<string, ReadonlySet<number>>;

const ENTRY = /^(\S+\.t)\s+(\d+)\b/;

/** Reads the list: `feature/NN.t N  note`, one per line; `#` starts a comment line. */
export function loadExpectedFailures(path: string): ExpectedFailures {
  const map = new Map<string, Set<number>>();
  readFileSync(path, 'utf8').split('\n').forEach((line, i) => {
    if (line.trim() === '' || line.startsWith('#')) return;
    const m = ENTRY.exec(line);
    if (m === null) throw new Error(`${path}:${i + 1}: not 'feature/NN.t N': ${line}`);
    let set = map.get(m[1]!);
    if (set === undefined) map.set(m[1]!, set = new Set());
    set.add(Number(m[2]));
  });
  return map;
}

export interface Judged {
  file: string;
  notApplicable: boolean;
  /** Seconds the file took. */
  seconds: number;
  assertions: number;
  passed: number;
  failed: number;
  /** Failures that are listed (and marked TODO by the suite). */
  todoFailed: number;
  /** One message per unexpected result, naming the file and the assertion. */
  unexpected: string[];
}

function describe(a: Assertion): string {
  if (a.asked === undefined) return a.line;
  return `${a.asked.command}: expected ${a.asked.expected}, got ${a.asked.got === '' ? '(nothing)' : a.asked.got}`;
}

export function judge(r: FileResult, expected: ExpectedFailures): Judged {
  const listed = expected.get(r.file) ?? new Set<number>();
  const unexpected = r.problems.map((p) => `${r.file}: ${p}`);
  let passed = 0, todoFailed = 0;
  for (const a of r.assertions) {
    const where = `${r.file} #${a.n}`;
    if (a.ok) {
      passed++;
      if (listed.has(a.n)) unexpected.push(`${where} passes, but expected-failures.txt lists it (a TODO that now passes: remove it from the list): ${describe(a)}`);
    } else if (!listed.has(a.n)) {
      unexpected.push(`${where} fails${a.todo === null ? '' : ' (the suite marks it TODO for Linux, but expected-failures.txt does not list it)'}: ${describe(a)}`);
    } else if (a.todo === null) {
      unexpected.push(`${where} fails and is listed in expected-failures.txt, but the suite does not mark it TODO for Linux: ${describe(a)}`);
    } else {
      todoFailed++;
    }
  }
  for (const n of listed) {
    if (!r.assertions.some((a) => a.n === n)) unexpected.push(`${r.file} #${n} is listed in expected-failures.txt, but the file has no such assertion`);
  }
  const failed = r.assertions.length - passed;
  return { file: r.file, notApplicable: r.notApplicable, seconds: r.ms / 1000, assertions: r.assertions.length, passed, failed, todoFailed, unexpected };
}

/** Listed files that are not among the suite's files. */
export function unknownFiles(expected: ExpectedFailures, suiteFiles: readonly string[]): string[] {
  const known = new Set(suiteFiles);
  return [...expected.keys()].filter((f) => !known.has(f)).map((f) => `${f} is listed in expected-failures.txt, but the suite has no such file`);
}
