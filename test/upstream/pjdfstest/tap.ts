/**
 * Reads what one .t file's run left (run-file.ts) into its assertions, and the problems of
 * the run itself: a plan that does not match the assertions, a shell that died or was
 * killed, a command that has no translation, a server that stopped answering or hit a bug.
 *
 * misc.sh prints `ok N`, `not ok N - tried 'ARGS', expected E, got R`, `not ok N` (a
 * test_check), and `... # TODO reason` for an assertion marked by `todo` on this system.
 */
import type { RawRun } from './run-file.js';

export interface Assertion {
  n: number;
  ok: boolean;
  /** The reason the suite gives when it marks the assertion TODO on this system (misc.sh's todo), else null. */
  todo: string | null;
  /** For an expect(): the fstest arguments, the expected pattern and the response. */
  asked?: { command: string; expected: string; got: string };
  /** The TAP line. */
  line: string;
}

export interface FileResult {
  /** `feature/NN.t`. */
  file: string;
  /** The file does not apply here (misc.sh's quick_exit): it has no assertions. */
  notApplicable: boolean;
  assertions: Assertion[];
  /** What went wrong with the run itself; each one fails the file. */
  problems: string[];
  ms: number;
}

const RESULT = /^(not )?ok (\d+)(.*)$/;
const PLAN = /^1\.\.(\d+)(?:\s+#\s*SKIP\b.*)?$/;
const TODO = /# TODO ?(.*)$/;

export function readRun(raw: RawRun): FileResult {
  const problems: string[] = [];
  const assertions: Assertion[] = [];
  let plan: number | null = null;
  for (const line of raw.stdout.split('\n')) {
    if (line === '') continue;
    const r = RESULT.exec(line), p = PLAN.exec(line);
    if (r !== null) {
      const todo = TODO.exec(r[3]!);
      assertions.push({ n: Number(r[2]), ok: r[1] === undefined, todo: todo === null ? null : todo[1]!, line });
    } else if (p !== null && plan === null) {
      plan = Number(p[1]);
    } else {
      problems.push(`unexpected output: ${line}`);
    }
  }
  if (plan === null) problems.push('no plan (1..N) was printed');
  else if (assertions.length !== plan || assertions.some((a, i) => a.n !== i + 1)) {
    problems.push(`the plan is 1..${plan}, but ${assertions.length} assertions were printed` +
      (assertions.length > 0 ? `, numbered ${assertions[0]!.n}..${assertions.at(-1)!.n}` : ''));
  }

  let notApplicable = false;
  for (const t of raw.trace.split('\n')) {
    const [tag, ...f] = t.split('\t');
    if (tag === 'not-applicable') {
      notApplicable = true;
    } else if (tag === 'expect') {
      const a = assertions[Number(f[0]) - 1];
      if (a !== undefined) a.asked = { expected: f[1]!, command: f[2]!, got: f[3]! };
    } else if (tag === 'untranslated') {
      problems.push(`'${f[0]}' touches files and the runner has no translation for it`);
    } else if (tag === 'stuck') {
      problems.push(`the server gave no response to ${f[0]}; later requests were not sent`);
    }
  }

  // quick_exit's placeholder `ok 1` is no assertion.
  if (notApplicable) {
    if (plan !== 1 || assertions.length !== 1 || !assertions[0]!.ok) problems.push('quick_exit printed something other than 1..1 and ok 1');
    else assertions.length = 0;
  }
  if (raw.timedOut) problems.push(`killed after ${Math.round(raw.ms / 1000)} s`);
  else if (raw.status !== 0) problems.push(`bash exited with status ${raw.status}`);
  const internal = raw.serverLog.indexOf('internal error');
  if (internal >= 0) problems.push(`the server reported a bug: ${raw.serverLog.slice(internal, internal + 500)}`);
  if (raw.stderr.trim() !== '') problems.push(`stderr: ${raw.stderr.trim().slice(0, 500)}`);
  return { file: raw.file, notApplicable, assertions, problems, ms: raw.ms };
}
