/**
 * A real program nobody here wrote: SQLite (the amalgamation better-sqlite3 ships), built
 * for WASI with clang-19 and wasi-libc, run by the grate on the IMFS. The database it
 * writes is dumped to the host and checked by the host's own SQLite (better-sqlite3).
 *
 * The cage is committed (wasm-fixtures/sqlite-driver.wasm, from wasm-fixtures/sqlite-driver.c
 * and node_modules/better-sqlite3/deps/sqlite3 by wasm-fixtures/build.sh), so this needs no
 * toolchain; `make check-fixtures` checks it against its sources and the amalgamation's version.
 * SQLite recognises `__wasi__`: no threads, no mmap (so no WAL), and the "unix-dotfile" VFS
 * (wasi-libc has no fcntl locks: a lock is a `<db>.lock` directory made with mkdir), so the
 * rollback journal (the default journal_mode=DELETE) is what runs.
 *
 * Every check runs twice: on the core module, and on the same module adapted into a WASI 0.2
 * command component (wasm-fixtures/components/sqlite-driver.wasm, jco's preview1 adapter),
 * transpiled by jco into this file's own cache directory and run by Grate.run with wasi:*
 * served by src/abi/wasip2. Where the component answers differently, the test says why.
 */
import { describe, test, expect, beforeAll, afterAll } from 'vitest';
import * as nodefs from 'node:fs';
import * as nodeos from 'node:os';
import * as nodepath from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { Grate, type Cage } from '../../src/grate/grate.js';
import { WASI } from '../../src/grate/wasi-class.js';
import { dumpFile, newStat, O_DIRECTORY, O_RDONLY, S_IFDIR, S_IFMT, S_IFREG, type Imfs } from '../../src/core/index.js';

const here = nodepath.dirname(fileURLToPath(import.meta.url));
const CAGE = nodepath.resolve(here, '../../wasm-fixtures/sqlite-driver.wasm');
const COMPONENT = nodepath.resolve(here, '../../wasm-fixtures/components/sqlite-driver.wasm');

/** The two ways the driver runs: the preview1 core module, and the component adapted from it. */
type Way = 'core module' | 'component';
const cages = new Map<Way, Cage>();

let work = '';

beforeAll(async () => {
  work = nodefs.mkdtempSync(nodepath.join(nodeos.tmpdir(), 'imfs-sqlite-'));
  cages.set('core module', new WebAssembly.Module(nodefs.readFileSync(CAGE)));
  // Transpiled once here (cold: a few seconds), into this file's own cache directory.
  cages.set('component', await Grate.prepare(COMPONENT, { cacheDir: nodepath.join(work, 'cache') }));
}, 120_000);

afterAll(() => {
  if (work !== '') nodefs.rmSync(work, { recursive: true, force: true });
});

function exists(fs: Imfs, path: string): boolean {
  return fs.lstat(0, path, newStat()) === 0;
}

function kind(fs: Imfs, path: string): 'file' | 'dir' | 'none' | 'other' {
  const st = newStat();
  if (fs.lstat(0, path, st) < 0) return 'none';
  const t = st.mode & S_IFMT;
  return t === S_IFREG ? 'file' : t === S_IFDIR ? 'dir' : 'other';
}

function sizeOf(fs: Imfs, path: string): number {
  const st = newStat();
  expect(fs.stat(0, path, st)).toBe(0);
  return st.size;
}

function readAll(fs: Imfs, path: string): Buffer {
  const fd = fs.open(0, path, O_RDONLY);
  expect(fd).toBeGreaterThanOrEqual(0);
  const buf = Buffer.alloc(sizeOf(fs, path));
  expect(fs.read(0, fd, buf)).toBe(buf.length);
  fs.close(0, fd);
  return buf;
}

function names(fs: Imfs, dir: string): string[] {
  const fd = fs.open(0, dir, O_RDONLY | O_DIRECTORY);
  expect(fd).toBeGreaterThanOrEqual(0);
  const out: string[] = [];
  for (;;) {
    const e = fs.readdir(0, fd);
    if (e === null || typeof e === 'number') break;
    if (e.name !== '.' && e.name !== '..') out.push(e.name);
  }
  fs.close(0, fd);
  return out.sort();
}

interface Snapshot { journal: 'file' | 'dir' | 'none' | 'other'; journalSize: number; lock: 'file' | 'dir' | 'none' | 'other' }

interface DriverRun {
  status: number;
  out: string;
  err: string;
  /** The rows each SQL argument printed (index 0 = the first SQL argument). */
  rows: string[][];
  /** The journal and lock files right after each SQL argument, seen through the IMFS. */
  after: Snapshot[];
}

/** Runs the driver (either way) on `db` with these SQL arguments (or a stdin script), watching the IMFS between statements. */
async function sqlite(way: Way, g: Grate, db: string, sql: string[], stdin?: string, watch?: (n: number) => void): Promise<DriverRun> {
  let out = '', err = '', pending = '';
  const rows: string[][] = [[]];
  const after: Snapshot[] = [];
  const journal = `${db}-journal`, lock = `${db}.lock`;
  const status = await g.run(cages.get(way)!, {
    argv0: 'sqlite-driver',
    args: [db, ...sql],
    stdin: stdin ?? '',
    stdout: (b: Uint8Array) => {
      const text = Buffer.from(b).toString();
      out += text;
      pending += text;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        const ok = /^ok (\d+)$/.exec(line);
        if (ok === null) { rows[rows.length - 1].push(line); continue; }
        // The cage is inside fd_write here: this is the IMFS exactly between two statements.
        const j = kind(g.fs, journal);
        after.push({ journal: j, journalSize: j === 'file' ? sizeOf(g.fs, journal) : -1, lock: kind(g.fs, lock) });
        watch?.(Number(ok[1]));
        rows.push([]);
      }
    },
    stderr: (b: Uint8Array) => { err += Buffer.from(b).toString(); },
  });
  rows.pop();
  return { status, out, err, rows, after };
}

/** The items the cage inserts, computed here: text long enough to need overflow pages. */
function itemName(x: number): string {
  return `item-${String(x).padStart(5, '0')}:` + 'ab'.repeat(x % 1500);
}
const ITEMS = 2000;
const INSERT_ITEMS = `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ${ITEMS})
  INSERT INTO items(id, name, qty) SELECT x, printf('item-%05d:', x) || replace(hex(zeroblob(x % 1500)), '00', 'ab'), x % 7 FROM c`;

function expectedItems(): { id: number; name: string; qty: number }[] {
  const out = [];
  for (let x = 1; x <= ITEMS; x++) {
    if (x % 10 === 0) continue;
    out.push({ id: x, name: itemName(x), qty: x % 3 === 0 ? (x % 7) * 2 : x % 7 });
  }
  return out;
}

const SCHEMA = [
  'CREATE TABLE accounts(id INTEGER PRIMARY KEY, owner TEXT NOT NULL UNIQUE, balance INTEGER NOT NULL CHECK (balance >= 0))',
  'CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT NOT NULL, qty INTEGER NOT NULL)',
];

/** Builds /data/app.db in a fresh grate through several transactions; returns the grate and the run. */
async function buildDatabase(way: Way): Promise<{ g: Grate; run: DriverRun; steps: string[] }> {
  const g = new Grate();
  expect(g.fs.mkdir(0, '/data', 0o755)).toBe(0);
  const steps = [
    'PRAGMA journal_mode',
    // A small page cache: big transactions spill pages into the database file before the
    // commit and sorts spill into temp files, so the journal really has to undo them.
    'PRAGMA cache_size = 20',
    ...SCHEMA,
    'BEGIN',
    "INSERT INTO accounts VALUES (1, 'alice', 100), (2, 'bob', 50), (3, 'carol', 0)",
    'COMMIT',
    'BEGIN IMMEDIATE',
    "UPDATE accounts SET balance = balance - 30 WHERE owner = 'alice'",
    "UPDATE accounts SET balance = balance + 30 WHERE owner = 'bob'",
    'COMMIT',
    'BEGIN',
    'UPDATE accounts SET balance = 0',
    "DELETE FROM accounts WHERE owner = 'carol'",
    'ROLLBACK',
    'BEGIN',
    INSERT_ITEMS,
    'UPDATE items SET qty = qty * 2 WHERE id % 3 = 0',
    'DELETE FROM items WHERE id % 10 = 0',
    'COMMIT',
    'CREATE INDEX items_qty ON items(qty, name)',
    'SELECT owner, balance FROM accounts ORDER BY id',
    'SELECT count(*) AS n, sum(qty) AS total FROM items',
    'PRAGMA integrity_check',
  ];
  const run = await sqlite(way, g, '/data/app.db', steps);
  return { g, run, steps };
}

describe.each<Way>(['core module', 'component'])('SQLite built for WASI, on the IMFS, as a %s', (way) => {
  test('the committed cage is the SQLite that checks its databases on the host (better-sqlite3)', async () => {
    const run = await sqlite(way, new Grate(), '/tmp/v.db', ['SELECT sqlite_source_id() AS id']);
    expect(run.err).toBe('');
    expect(run.status).toBe(0);
    const db = new Database(':memory:');
    try {
      const host = db.prepare('SELECT sqlite_source_id()').pluck().get();
      expect(run.rows[0], `wasm-fixtures/${way === 'component' ? 'components/' : ''}sqlite-driver.wasm is stale: run 'make fixtures' with clang-19 and commit it`).toEqual([`id=${String(host)}`]);
    } finally {
      db.close();
    }
  });

  test('transactions with a rollback journal: the journal and lock appear and disappear between statements', async () => {
    const { g, run, steps } = await buildDatabase(way);
    expect(run.err).toBe('');
    expect(run.status).toBe(0);
    expect(run.after.length).toBe(steps.length);
    const at = (sql: string) => run.after[steps.indexOf(sql)];
    expect(run.rows[steps.indexOf('PRAGMA journal_mode')]).toEqual(['journal_mode=delete']);
    // Autocommit statements leave nothing behind.
    expect(at(SCHEMA[0])).toEqual({ journal: 'none', journalSize: -1, lock: 'none' });
    // A deferred BEGIN takes no lock; the first write makes the journal and holds the lock.
    expect(run.after[steps.indexOf('BEGIN')]).toEqual({ journal: 'none', journalSize: -1, lock: 'none' });
    const firstWrite = run.after[steps.indexOf('BEGIN') + 1];
    expect(firstWrite.journal).toBe('file');
    expect(firstWrite.journalSize).toBeGreaterThan(512);
    expect(firstWrite.lock).toBe('dir');
    // BEGIN IMMEDIATE takes the (dotfile) lock at once, before any write.
    expect(at('BEGIN IMMEDIATE').lock).toBe('dir');
    expect(at("UPDATE accounts SET balance = balance - 30 WHERE owner = 'alice'").journal).toBe('file');
    // Every COMMIT and the ROLLBACK delete the journal and release the lock.
    steps.forEach((s, i) => {
      if (s === 'COMMIT' || s === 'ROLLBACK') expect(run.after[i], `after statement ${i + 1} (${s})`).toEqual({ journal: 'none', journalSize: -1, lock: 'none' });
    });
    expect(at('UPDATE accounts SET balance = 0').journal).toBe('file');
    expect(at('DELETE FROM items WHERE id % 10 = 0').journal).toBe('file');
    // What the cage itself reads back.
    expect(run.rows[steps.indexOf('SELECT owner, balance FROM accounts ORDER BY id')]).toEqual([
      'owner=alice|balance=70', 'owner=bob|balance=80', 'owner=carol|balance=0',
    ]);
    const items = expectedItems();
    expect(run.rows[steps.indexOf('SELECT count(*) AS n, sum(qty) AS total FROM items')]).toEqual([
      `n=${items.length}|total=${items.reduce((s, i) => s + i.qty, 0)}`,
    ]);
    expect(run.rows[steps.indexOf('PRAGMA integrity_check')]).toEqual(['integrity_check=ok']);
    // Only the database is left in its directory, and no temp file outlives its use.
    expect(names(g.fs, '/data')).toEqual(['app.db']);
    expect(names(g.fs, '/tmp')).toEqual([]);
    expect(sizeOf(g.fs, '/data/app.db') % 4096).toBe(0);
  });

  test('the dumped database is intact for the host SQLite, with the expected rows', async () => {
    const { g, run } = await buildDatabase(way);
    expect(run.status).toBe(0);
    const host = nodepath.join(work, way, 'dump', 'app.db');
    dumpFile(g.fs, '/data/app.db', host);
    expect(nodefs.readFileSync(host).equals(readAll(g.fs, '/data/app.db'))).toBe(true);
    const db = new Database(host, { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.prepare('SELECT id, owner, balance FROM accounts ORDER BY id').all()).toEqual([
        { id: 1, owner: 'alice', balance: 70 }, { id: 2, owner: 'bob', balance: 80 }, { id: 3, owner: 'carol', balance: 0 },
      ]);
      expect(db.prepare('SELECT id, name, qty FROM items ORDER BY id').all()).toEqual(expectedItems());
      expect(db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND name = 'items_qty'").pluck().get()).toBe('items_qty');
      // The index the cage built (sorting through temp files) agrees with the table.
      expect(db.prepare('SELECT count(*) FROM items INDEXED BY items_qty WHERE qty >= 0').pluck().get()).toBe(expectedItems().length);
    } finally {
      db.close();
    }
  });

  test('a crash mid-transaction leaves a hot journal that the next open rolls back', async () => {
    const { g, run } = await buildDatabase(way);
    expect(run.status).toBe(0);
    const before = readAll(g.fs, '/data/app.db');
    const crash = await sqlite(way, g, '/data/app.db', [
      'PRAGMA cache_size = 10',
      'BEGIN',
      "UPDATE items SET qty = qty + 1000, name = name || '-changed'",
      'DELETE FROM accounts',
      '.crash',
    ]);
    expect(crash.err).toBe('');
    // _Exit(3): the core module's status is 3; jco's preview1 adapter turns every proc_exit(N)
    // with N != 0 into wasi:cli/exit's err, which carries no code: status 1 (as under wasmtime).
    expect(crash.status).toBe(way === 'core module' ? 3 : 1);
    // The dead process left its journal (hot) and its dotfile lock.
    expect(kind(g.fs, '/data/app.db-journal')).toBe('file');
    expect(kind(g.fs, '/data/app.db.lock')).toBe('dir');
    // The small cache spilled changed pages into the database file before the crash:
    // without the journal, the file alone is not the committed state.
    expect(readAll(g.fs, '/data/app.db').equals(before)).toBe(false);

    // While the stale lock is there, another process is refused.
    const busy = await sqlite(way, g, '/data/app.db', ['SELECT count(*) FROM accounts']);
    expect(busy.status).toBe(1);
    expect(busy.err).toMatch(/database is locked/);
    expect(kind(g.fs, '/data/app.db-journal')).toBe('file');

    // An administrator removes the stale lock; the next open finds the hot journal and rolls back.
    expect(g.fs.rmdir(0, '/data/app.db.lock')).toBe(0);
    const items = expectedItems();
    const after = await sqlite(way, g, '/data/app.db', [
      'SELECT count(*) AS n, sum(qty) AS total FROM items',
      'SELECT owner, balance FROM accounts ORDER BY id',
      'PRAGMA integrity_check',
    ]);
    expect(after.err).toBe('');
    expect(after.status).toBe(0);
    expect(after.rows).toEqual([
      [`n=${items.length}|total=${items.reduce((s, i) => s + i.qty, 0)}`],
      ['owner=alice|balance=70', 'owner=bob|balance=80', 'owner=carol|balance=0'],
      ['integrity_check=ok'],
    ]);
    expect(names(g.fs, '/data')).toEqual(['app.db']);
    expect(readAll(g.fs, '/data/app.db').equals(before)).toBe(true);

    const host = nodepath.join(work, way, 'recovered', 'app.db');
    dumpFile(g.fs, '/data/app.db', host);
    const db = new Database(host, { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.prepare('SELECT id, name, qty FROM items ORDER BY id').all()).toEqual(items);
    } finally {
      db.close();
    }
  });

  test.each([
    ['truncate', (s: Snapshot) => expect(s).toEqual({ journal: 'file', journalSize: 0, lock: 'none' })],
    ['persist', (s: Snapshot) => expect(s.journal === 'file' && s.journalSize > 0 && s.lock === 'none').toBe(true)],
  ])('journal_mode=%s keeps the journal file after COMMIT', async (mode, check) => {
    const g = new Grate();
    const run = await sqlite(way, g, '/tmp/j.db', [
      `PRAGMA journal_mode = ${mode}`,
      'CREATE TABLE t(x)',
      'BEGIN',
      'INSERT INTO t VALUES (1), (2), (3)',
      'COMMIT',
      'SELECT sum(x) AS s FROM t',
    ]);
    expect(run.err).toBe('');
    expect(run.status).toBe(0);
    expect(run.rows[0]).toEqual([`journal_mode=${mode}`]);
    expect(run.after[3].journal).toBe('file');
    check(run.after[4]);
    if (mode === 'persist') {
      // PERSIST invalidates the journal by zeroing its header: a zero header is not hot.
      expect(readAll(g.fs, '/tmp/j.db-journal').subarray(0, 28).every((b) => b === 0)).toBe(true);
    }
    expect(run.rows[5]).toEqual(['s=6']);
  });

  test('a script on stdin, and an SQL error making the driver exit 1 with the transaction undone', async () => {
    const g = new Grate();
    const script = `${SCHEMA.join(';\n')};
      INSERT INTO accounts VALUES (1, 'alice', 10);
      SELECT owner, balance FROM accounts;`;
    const first = await sqlite(way, g, '/tmp/s.db', [], script);
    expect(first.err).toBe('');
    expect(first.status).toBe(0);
    expect(first.rows).toEqual([['owner=alice|balance=10']]);
    const bad = await sqlite(way, g, '/tmp/s.db', [
      'BEGIN',
      "INSERT INTO accounts VALUES (2, 'bob', 5)",
      "UPDATE accounts SET balance = balance - 20 WHERE owner = 'alice'",
    ]);
    expect(bad.status).toBe(1);
    expect(bad.err).toMatch(/^error: CHECK constraint failed: balance >= 0/);
    // sqlite3_close after the failed statement rolled the open transaction back.
    expect(kind(g.fs, '/tmp/s.db-journal')).toBe('none');
    expect(kind(g.fs, '/tmp/s.db.lock')).toBe('none');
    const check = await sqlite(way, g, '/tmp/s.db', ['SELECT owner, balance FROM accounts ORDER BY id']);
    expect(check.rows).toEqual([['owner=alice|balance=10']]);
  });

  test('VACUUM rewrites the database through the journal and keeps every row', async () => {
    const { g, run } = await buildDatabase(way);
    expect(run.status).toBe(0);
    const shrink = await sqlite(way, g, '/data/app.db', ['DELETE FROM items WHERE id > 100', 'VACUUM', 'PRAGMA integrity_check', 'SELECT count(*) AS n FROM items']);
    expect(shrink.err).toBe('');
    expect(shrink.status).toBe(0);
    expect(shrink.after[1]).toEqual({ journal: 'none', journalSize: -1, lock: 'none' });
    expect(shrink.rows.slice(2)).toEqual([['integrity_check=ok'], [`n=${expectedItems().filter((i) => i.id <= 100).length}`]]);
    const host = nodepath.join(work, way, 'vacuumed', 'app.db');
    dumpFile(g.fs, '/data/app.db', host);
    const db = new Database(host, { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.pragma('freelist_count', { simple: true })).toBe(0);
      expect(db.prepare('SELECT id, name, qty FROM items ORDER BY id').all()).toEqual(expectedItems().filter((i) => i.id <= 100));
    } finally {
      db.close();
    }
  });
});

// The drop-in WASI class (node:wasi's API) runs preview1 core modules only: no component here.
describe('SQLite built for WASI, through the WASI class', () => {
  test('the same cage as a command through the drop-in WASI class: start() returns the exit status', () => {
    const g = new Grate();
    const start = (args: string[]) => {
      let out = '', err = '';
      const wasi = new WASI({
        version: 'preview1', args: ['sqlite-driver', '/tmp/w.db', ...args], fs: g.fs, stdin: '',
        stdout: (b: Uint8Array) => { out += Buffer.from(b).toString(); }, stderr: (b: Uint8Array) => { err += Buffer.from(b).toString(); },
      });
      const status = wasi.start(new WebAssembly.Instance(cages.get('core module') as WebAssembly.Module, wasi.getImportObject()));
      return { status, out, err };
    };
    expect(start(['CREATE TABLE t(x)', "INSERT INTO t VALUES ('via WASI')", 'SELECT x FROM t'])).toEqual({ status: 0, out: 'ok 1\nok 2\nx=via WASI\nok 3\n', err: '' });
    const failed = start(['SELECT nope FROM t']);
    expect(failed.status).toBe(1);
    expect(failed.err).toMatch(/^error: no such column: nope/);
    const host = nodepath.join(work, 'wasi-class', 'w.db');
    dumpFile(g.fs, '/tmp/w.db', host);
    const db = new Database(host, { readonly: true });
    try {
      expect(db.prepare('SELECT x FROM t').pluck().all()).toEqual(['via WASI']);
    } finally {
      db.close();
    }
  });
});
