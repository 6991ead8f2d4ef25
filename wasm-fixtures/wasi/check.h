/* check.h: CHECK macros for the WASI fixture cages (wasi-libc, stdio on fd 1).
 * A failed check prints one "FAIL [section] line N: ..." line; summary() prints
 * "N passed, M failed" and returns M (capped at 255) for the exit status. */
#ifndef WASI_CHECK_H
#define WASI_CHECK_H
#include <errno.h>
#include <stdio.h>
#include <string.h>

static int checks_passed, checks_failed;
static const char *check_section = "";

static inline void section(const char *name) { check_section = name; }

static inline int check_true(int line, const char *expr, int ok) {
  if (ok) { checks_passed++; return 1; }
  checks_failed++;
  printf("FAIL [%s] line %d: %s\n", check_section, line, expr);
  return 0;
}
static inline int check_eq(int line, const char *expr, long long got, long long want) {
  if (got == want) { checks_passed++; return 1; }
  checks_failed++;
  printf("FAIL [%s] line %d: %s: got %lld, want %lld\n", check_section, line, expr, got, want);
  return 0;
}
/* A libc call that must fail with -1 and this errno. */
static inline int check_errno(int line, const char *expr, long long got, int err) {
  int e = errno;
  if (got == -1 && e == err) { checks_passed++; return 1; }
  checks_failed++;
  printf("FAIL [%s] line %d: %s: got %lld (errno %d %s), want -1 (errno %d %s)\n", check_section, line,
         expr, got, got == -1 ? e : 0, got == -1 ? strerror(e) : "-", err, strerror(err));
  return 0;
}
static inline int summary(void) {
  printf("%d passed, %d failed\n", checks_passed, checks_failed);
  fflush(stdout);
  return checks_failed > 255 ? 255 : checks_failed;
}

#define CHECK(cond) check_true(__LINE__, #cond, !!(cond))
#define CHECK_EQ(got, want) check_eq(__LINE__, #got, (long long)(got), (long long)(want))
#define CHECK_ERRNO(call, err) (errno = 0, check_errno(__LINE__, #call, (long long)(call), (err)))

#endif
