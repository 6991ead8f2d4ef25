/*
 * A tiny SQLite shell for the real-program tests (test/real/sqlite.test.ts): `sqlite-driver DB [SQL...]`.
 * build.sh links it with the SQLite amalgamation of node_modules/better-sqlite3 into sqlite-driver.wasm.
 * Opens DB, then runs each SQL argument in turn (or, with none, all of stdin as one script).
 * Rows print as "col=value|col=value" lines; after each argument it prints "ok <n>" and
 * flushes, so a host watching stdout sees the files between two statements.
 * The argument ".crash" exits at once without closing the database (a crash mid-transaction).
 * Any SQLite error prints "error: ..." on stderr and exits 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sqlite3.h"

/*
 * For the component (wasm-fixtures/components/sqlite-driver.wasm): jco's preview1 adapter
 * allocates its stack and state (a page each) through the program's cabi_realloc when it
 * exports one. Without it, the adapter grows memory itself, and this wasi-libc's malloc, which
 * on its first call takes all memory from __heap_base up to sbrk(0), hands those pages out
 * again: SQLite's first transaction overwrote the adapter's state ("assertion failed at
 * adapter line 2746"). A preview1 host never calls it.
 */
__attribute__((export_name("cabi_realloc")))
void *cabi_realloc(void *ptr, size_t old_size, size_t align, size_t new_size) {
  (void)old_size;
  if (align > 16) abort(); /* malloc's alignment; the adapter asks for 8 */
  void *p = realloc(ptr, new_size ? new_size : 1);
  if (p == NULL) abort();
  return p;
}

static int print_row(void *unused, int n, char **values, char **names) {
  (void)unused;
  for (int i = 0; i < n; i++) printf("%s%s=%s", i ? "|" : "", names[i], values[i] ? values[i] : "NULL");
  printf("\n");
  return 0;
}

static int run(sqlite3 *db, const char *sql, int n) {
  char *err = NULL;
  if (sqlite3_exec(db, sql, print_row, NULL, &err) != SQLITE_OK) {
    fprintf(stderr, "error: %s (extended code %d) in: %s\n", err ? err : "?", sqlite3_extended_errcode(db), sql);
    return 1;
  }
  printf("ok %d\n", n);
  fflush(stdout);
  return 0;
}

static char *read_stdin(void) {
  size_t cap = 4096, len = 0;
  char *buf = malloc(cap);
  size_t got;
  while (buf && (got = fread(buf + len, 1, cap - len - 1, stdin)) > 0) {
    len += got;
    if (cap - len < 2) buf = realloc(buf, cap *= 2);
  }
  if (buf) buf[len] = 0;
  return buf;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s DB [SQL...]\n", argv[0]);
    return 2;
  }
  sqlite3 *db;
  if (sqlite3_open(argv[1], &db) != SQLITE_OK) {
    fprintf(stderr, "error: cannot open %s: %s\n", argv[1], sqlite3_errmsg(db));
    return 1;
  }
  int status = 0;
  if (argc == 2) {
    char *script = read_stdin();
    status = script ? run(db, script, 1) : 1;
    free(script);
  }
  for (int i = 2; i < argc && status == 0; i++) {
    if (strcmp(argv[i], ".crash") == 0) {
      fflush(stdout);
      _Exit(3);
    }
    status = run(db, argv[i], i - 1);
  }
  if (sqlite3_close(db) != SQLITE_OK) {
    fprintf(stderr, "error: close: %s\n", sqlite3_errmsg(db));
    status = 1;
  }
  return status;
}
