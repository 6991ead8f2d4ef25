import { defineConfig } from 'vitest/config';

/**
 * Under another Node line than the one `npm ci` ran with (scripts/node-line.sh LINE make
 * test), node_modules' better-sqlite3 is built for the wrong ABI: the script builds one for
 * that line and names it here, and the tests import it instead.
 */
const betterSqlite3 = process.env.IMFS_BETTER_SQLITE3;

export default defineConfig({
  resolve: betterSqlite3 ? { alias: { 'better-sqlite3': betterSqlite3 } } : {},
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'threads',
    testTimeout: 60_000,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
