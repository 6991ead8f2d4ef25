/**
 * The pjdfstest runner itself (test/upstream/pjdfstest): made-up .t files in a temporary
 * suite, sourcing the real misc.sh and conf, show that the shell commands reach the server
 * and that every kind of unexpected result is reported by name; the command and the vitest
 * file say a missing suite loudly, skip it, and fail under CI=true.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFsopServer } from '../helpers/fsop-server.js';
import { missingSuiteFails, repoRoot } from './suites.js';
import { judge, loadExpectedFailures, unknownFiles, type ExpectedFailures, type Judged } from './pjdfstest/expectations.js';
import { main } from './pjdfstest/main.js';
import { closingLine, table } from './pjdfstest/report.js';
import { CLIENT, locateSuite, startSuite, suiteFiles } from './pjdfstest/suite.js';
import type { FileResult } from './pjdfstest/tap.js';

const HEAD = 'dir=`dirname $0`\n. ${dir}/../misc.sh\n';

/** Made-up test files: `fake/NN.t` → body (after sourcing misc.sh). */
const FAKE: Record<string, string> = {
  // Every translated shell command, checked through the server.
  '01.t': `echo "1..24"
mkdir -p a/b/c
expect dir,0755 stat a/b/c type,mode
cdir=\`pwd\`
test_check "$cdir" = /
cd a/b
test_check "\`pwd\`" = /a/b
expect 0 create f 0644
expect regular stat /a/b/f type
cd ..
cd b/c/../../b
test_check "\`pwd\`" = /a/b
echo hello > g
expect 6,0644 stat g size,mode
expect hello open g O_RDONLY : pread 0 5 0
dd if=/dev/zero of=h bs=100 count=3 >/dev/null 2>&1
expect 300,0644 stat h size,mode
ln -s f l
expect symlink,1 lstat l type,size
ln f hl
expect 2 stat f nlink
touch t
expect regular,0644,0 stat t type,mode,size
mkfifo p
expect fifo,0644 stat p type,mode
rm hl
expect 1 stat f nlink
rm -f nothing-here
rm f g h l t p
expect ENOENT stat f type
cd \${cdir}
rm -rf a
expect ENOENT stat a type
test_check "$fs" = TMPFS
test_check "$os" = Linux
n0=\`namegen\`
test_check \${#n0} -eq 42
expect 0 mkdir \${n0} 0755
expect 0 rmdir \${n0}
odd='q"b\\s'
expect 0 create $odd 0644
expect regular lstat $odd type
odd=$'c\\001d'
expect 0 create $odd 0644
`,
  // One assertion fails; its command and result are named.
  '02.t': 'echo "1..2"\nexpect 0 mkdir d 0755\nexpect ENOENT mkdir d 0755\n',
  // TODOs: passing while listed; failing and listed; failing, not listed; listed, failing, not TODO.
  '03.t': `echo "1..4"
todo Linux "passes here"
expect 0 mkdir a 0755
todo Linux "fails, listed"
expect ENOENT mkdir a 0755
todo Linux "fails, not listed"
expect ENOENT mkdir a 0755
expect ENOENT mkdir a 0755
`,
  // A run that breaks: a command with no translation, then an exit before the plan is done.
  '04.t': 'echo "1..3"\nexpect 0 mkdir a 0755\ncp a b\nexit 3\n',
  // Not for Linux.
  '05.t': '[ "${os}" = "FreeBSD" ] || quick_exit\necho "1..1"\nexpect 0 mkdir a 0755\n',
};
const LISTED: ExpectedFailures = new Map([['fake/03.t', new Set([1, 2, 4, 9])]]);

/** `name` of the environment set to `value` (undefined: removed) while `f` runs. */
async function withEnv<T>(vars: Record<string, string | undefined>, f: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const set = (v: Record<string, string | undefined>) => {
    for (const [k, x] of Object.entries(v)) if (x === undefined) delete process.env[k]; else process.env[k] = x;
  };
  set(vars);
  try { return await f(); } finally { set(saved); }
}

/** Runs main() and collects what it writes. */
async function runMain(argv: string[]) {
  let out = '', err = '';
  const status = await main(argv, { out: (t) => { out += t; }, err: (t) => { err += t; } });
  return { status, out, err };
}

const real = locateSuite();
let tmp: string;
let server: string;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'pjdfstest-runner-'));
  server = `'${process.execPath}' '${await buildFsopServer(tmp)}'`;
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('made-up test files', () => {
  if (!real.found) {
    // misc.sh and conf come from the real suite.
    if (missingSuiteFails()) test('pjdfstest is present', () => { throw new Error(real.message); });
    else test.skip(`runner tests need pjdfstest's misc.sh: ${real.message}`, () => {});
    return;
  }
  let root: string;
  const results = new Map<string, FileResult>();

  beforeAll(async () => {
    root = join(tmp, 'suite');
    mkdirSync(join(root, 'tests', 'fake'), { recursive: true });
    for (const f of ['misc.sh', 'conf']) symlinkSync(join(real.root, 'tests', f), join(root, 'tests', f));
    for (const [name, body] of Object.entries(FAKE)) writeFileSync(join(root, 'tests', 'fake', name), HEAD + body);
    const files = suiteFiles(root);
    const run = startSuite(root, files, { jobs: 3, server, client: CLIENT, requestTimeoutSec: 60, fileTimeoutMs: 120_000 });
    for (const f of files) results.set(f, await run.results.get(f)!);
    await run.done;
  }, 180_000);

  const judged = (file: string): Judged => judge(results.get(file)!, LISTED);

  test('the shell commands of the suite reach the server: every assertion passes', () => {
    const r = results.get('fake/01.t')!;
    expect(r.problems).toEqual([]);
    expect(judged('fake/01.t')).toMatchObject({ assertions: 24, passed: 24, unexpected: [] });
    // expect()'s requests are traced with their assertion
    expect(r.assertions[0]!.asked).toEqual({ command: 'stat a/b/c type,mode', expected: 'dir,0755', got: 'dir,0755' });
  });

  // Each made-up file: what it shows, its counts, and its unexpected results, in order.
  const BROKEN: [string, string, Partial<Judged>, string[]][] = [
    ['fake/02.t', 'a failing assertion is named with its command, expected and actual result', { passed: 1, failed: 1 }, [
      'fake/02.t #2 fails: mkdir d 0755: expected ENOENT, got EEXIST',
    ]],
    ['fake/03.t', 'TODOs: a listed one that passes, an unlisted one that fails, a listed one that is no TODO, a listed one that does not exist',
      { assertions: 4, passed: 1, failed: 3, todoFailed: 1 }, [
        'fake/03.t #1 passes, but expected-failures.txt lists it (a TODO that now passes: remove it from the list): mkdir a 0755: expected 0, got 0',
        'fake/03.t #3 fails (the suite marks it TODO for Linux, but expected-failures.txt does not list it): mkdir a 0755: expected ENOENT, got EEXIST',
        'fake/03.t #4 fails and is listed in expected-failures.txt, but the suite does not mark it TODO for Linux: mkdir a 0755: expected ENOENT, got EEXIST',
        'fake/03.t #9 is listed in expected-failures.txt, but the file has no such assertion',
      ]],
    // its one assertion, mkdir a, passes although 03.t made `a` too: each file has a fresh server
    ['fake/04.t', 'a broken run: an untranslated command, a plan not completed, a non-zero exit', { passed: 1 }, [
      'fake/04.t: the plan is 1..3, but 1 assertions were printed, numbered 1..1',
      "fake/04.t: 'cp a b' touches files and the runner has no translation for it",
      'fake/04.t: bash exited with status 3',
      "fake/04.t: stderr: pjdfstest runner: 'cp a b' touches files and has no translation to fsop requests",
    ]],
  ];
  test.each(BROKEN)('%s: %s', (file, _what, counts, unexpected) => {
    const j = judged(file);
    expect(j).toMatchObject(counts);
    expect(j.unexpected).toEqual(unexpected);
  });

  test('a file that quick_exits does not apply: no assertions, nothing unexpected', () => {
    expect(results.get('fake/05.t')).toMatchObject({ notApplicable: true, assertions: [], problems: [] });
  });

  test('the table and the closing line count by feature', () => {
    const all = [...results.keys()].map(judged);
    expect(table(all).split('\n')[1]).toMatch(/^fake +5 +31 +27 +4 +1 +9$/);
    expect(closingLine(all, 1)).toMatch(/^pjdfstest: 27 of 31 assertions passed, 4 failed \(1 of them expected: Linux TODOs\), 9 unexpected; 5 files \(1 not applicable to Linux\) in 1 s, the slowest fake\/0\d\.t/);
  });

  test.each([
    ['does not answer', 'cat >/dev/null',
      ["unexpected output: Bail out! the fsop server answered '' to reset", 'the server gave no response to ["reset"]; later requests were not sent']],
    ['closes its input after the first request', 'read -r line; exec 0<&-; echo 0; exec sleep 5',
      ['the server gave no response to ["mkdir","d","0755"]; later requests were not sent']],
  ])('a server that %s: the file says so', async (_what, command, problems) => {
    const run = startSuite(root, ['fake/02.t'], { jobs: 1, server: command, client: CLIENT, requestTimeoutSec: 1, fileTimeoutMs: 60_000 });
    const r = await run.results.get('fake/02.t')!;
    await run.done;
    expect(r.problems).toEqual(expect.arrayContaining(problems));
  });

  test('the command: a table, and status 1 naming the unexpected results', async () => {
    const { status, out } = await withEnv({ PJDFSTEST_DIR: root }, () => runMain(['--server', server, 'fake/02.t', 'fake/05.t']));
    expect(status).toBe(1);
    expect(out).toContain('UNEXPECTED fake/02.t #2 fails: mkdir d 0755: expected ENOENT, got EEXIST\n');
    expect(out).toMatch(/\nfake +2 +2 +1 +1 +0 +1\n/);
  });

  test('the command: --has tells the features of the suite', async () => {
    await withEnv({ PJDFSTEST_DIR: root }, async () => {
      expect((await runMain(['--has', 'fake'])).status).toBe(0);
      expect((await runMain(['--has', 'rename'])).status).toBe(1);
    });
  });
});

describe('expected-failures.txt', () => {
  test('entries are `feature/NN.t N note`; anything else is an error naming the line', () => {
    const file = join(tmp, 'expected.txt');
    writeFileSync(file, '# comment\n\nchown/00.t  650  a note\nunlink/08.t 2\n');
    expect(loadExpectedFailures(file)).toEqual(new Map([['chown/00.t', new Set([650])], ['unlink/08.t', new Set([2])]]));
    writeFileSync(file, 'chown/00.t 650\nchown/00.t\n');
    expect(() => loadExpectedFailures(file)).toThrow(`${file}:2: not 'feature/NN.t N': chown/00.t`);
  });

  test('a listed file that the suite does not have is named', () => {
    expect(unknownFiles(new Map([['a/00.t', new Set([1])], ['b/01.t', new Set([2])]]), ['a/00.t'])).toEqual([
      'b/01.t is listed in expected-failures.txt, but the suite has no such file',
    ]);
  });
});

describe('a missing suite', () => {
  const missing = () => join(tmp, 'no-suite');

  test('the command says where to fetch it and skips (status 0), or fails under CI=true (status 2)', async () => {
    for (const [ci, status] of [[undefined, 0], ['true', 2]] as const) {
      const r = await withEnv({ PJDFSTEST_DIR: missing(), CI: ci }, () => runMain(['--server', server]));
      expect(r.status, `CI=${ci}`).toBe(status);
      expect(r.err).toContain(`pjdfstest NOT FOUND at PJDFSTEST_DIR=${missing()}`);
      expect(r.err).toContain('https://github.com/pjd/pjdfstest at commit 85a8aea9e685999ef0540392fd80535f873d7ff7');
    }
  });

  test('the vitest file skips its tests, or fails under CI=true', () => {
    for (const [ci, status, summary] of [['', 0, '0 passed, 0 failed, 1 skipped'], ['true', 1, '0 passed, 1 failed, 0 skipped']] as const) {
      const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_OPTIONS'));
      const r = spawnSync(process.execPath, [join(repoRoot(), 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'test/upstream/pjdfstest.test.ts'], {
        cwd: repoRoot(), encoding: 'utf8', env: { ...env, PJDFSTEST_DIR: missing(), CI: ci },
      });
      expect(r.status, `CI=${ci}: ${r.stdout}${r.stderr}`).toBe(status);
      expect(r.stdout, `CI=${ci}`).toContain(summary);
      expect(r.stdout + r.stderr, `CI=${ci}`).toContain('pjdfstest NOT FOUND');
    }
  }, 120_000);
});
