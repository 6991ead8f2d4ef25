/**
 * The fixture cages of wasm-fixtures/ under the grate: each checks itself through real
 * linear memory and ends with "N passed, M failed" and status M (see wasm-fixtures/README.md).
 * Between them they exercise every syscall of the lind table and every preview1 function.
 */
import { describe, expect, test } from 'vitest';
import * as nodefs from 'node:fs';
import { Grate, WASI } from '../../src/grate/index.js';
import { expectClean, fixture, runFixture as run } from '../helpers/fixture-cages.js';

describe('lind ABI fixtures', () => {
  test('lind-fs as root', () => expectClean(run('lind-fs', { args: ['/lind-fs'] })));

  test('lind-fs as an unprivileged user (the EPERM branches)', () => {
    expectClean(run('lind-fs', { args: ['/tmp/lind-fs-user'], uid: 1000, gid: 1000 }));
  });

  test('lind-proc: process basics, argv/environ intact, exit_group status', () => {
    const r = run('lind-proc', { args: ['7', 'plain', 'with space', Buffer.from([0xff, 0x41, 0x0a])], env: { HOME: '/home/x', EMPTY: '' } });
    expectClean(r, 7);
    expect(r.stdout).toContain('arg[2]: plain');
    expect(r.stdout).toContain('arg[3]: with space');
    expect(r.stdout).toContain('arg[4]: \\xffA\\x0a');
    expect(r.stdout).toContain('env[0]: HOME=/home/x');
    expect(r.stdout).toContain('env[1]: EMPTY=');
  });

  test('lind cages see the files earlier cages left (one IMFS, cages one after another)', () => {
    const grate = new Grate();
    expectClean(run('lind-fs', { args: ['/first'] }, grate));
    expect(grate.fs.exists(0, '/first')).toBe(true);
    expectClean(run('lind-proc', { args: ['0'] }, grate));
  });
});

describe('WASI preview1 fixtures', () => {
  test('wasi-fs', () => expectClean(run('wasi-fs')));
  test('wasi-raw', () => expectClean(run('wasi-raw')));

  test('wasi-misc: main returning 0 is status 0 without proc_exit', () => {
    const r = run('wasi-misc', { args: ['0', 'a', 'b c'], env: { K: 'V' } });
    expectClean(r, 0);
    expect(r.stdout).toContain('arg[2]: a');
    expect(r.stdout).toContain('env[0]: K=V');
  });

  test('wasi-misc: exit(n) is status n', () => expectClean(run('wasi-misc', { args: ['42'] }), 42));

  test('the WASI fixtures pass through the drop-in WASI class too', () => {
    for (const name of ['wasi-fs', 'wasi-raw']) {
      const out: Buffer[] = [];
      const wasi = new WASI({ version: 'preview1', args: [name], stdout: (b) => out.push(Buffer.from(b)), stderr: () => {} });
      const instance = new WebAssembly.Instance(new WebAssembly.Module(nodefs.readFileSync(fixture(name))), wasi.getImportObject());
      const status = wasi.start(instance);
      expectClean({ status, stdout: Buffer.concat(out).toString('latin1'), stderr: '' });
    }
  });
});
