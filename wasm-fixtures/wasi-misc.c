/* wasi-misc: the non-filesystem parts of WASI preview1 as wasi-libc uses them: args and
 * environ, clock_gettime/clock_getres (clock_time_get/clock_res_get), nanosleep and poll
 * with a timeout (poll_oneoff clock subscriptions), getentropy/arc4random (random_get),
 * sched_yield, and the two ways to end: exit(n) (proc_exit) and main returning 0.
 *
 * Usage: wasi-misc [STATUS [ARGS...]]
 * Prints "arg[i]: ..." / "env[i]: ..." lines (bytes outside printable ASCII as \xNN), one
 * "FAIL ..." line per failed check, then "N passed, M failed". Then:
 *   - a check failed:        exit status M (main returns M, so libc calls proc_exit(M));
 *   - STATUS absent or 0:    main returns 0, so _start returns without proc_exit;
 *   - STATUS is n > 0:       exit(n) (stdio flushed, proc_exit(n)). */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "wasi/check.h"

extern char **environ;

static long long ns_of(const struct timespec *ts) { return (long long)ts->tv_sec * 1000000000LL + ts->tv_nsec; }
static long long mono_ns(void) {
  struct timespec ts;
  return clock_gettime(CLOCK_MONOTONIC, &ts) == 0 ? ns_of(&ts) : -1;
}
static void print_escaped(const char *what, int i, const char *s) {
  printf("%s[%d]: ", what, i);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p >= 0x20 && *p < 0x7f && *p != '\\') putchar(*p);
    else printf("\\x%02x", *p);
  }
  putchar('\n');
}

static void t_args(int argc, char **argv) {
  section("args/environ");
  CHECK(argc >= 1);
  CHECK(argv[argc] == NULL);
  for (int i = 0; i < argc; i++) print_escaped("arg", i, argv[i]);
  int n = 0, with_eq = 0;
  for (char **e = environ; e && *e; e++, n++) {
    print_escaped("env", n, *e);
    with_eq += strchr(*e, '=') != NULL;
  }
  CHECK_EQ(with_eq, n);
  /* getenv agrees with environ */
  for (char **e = environ; e && *e; e++) {
    const char *eq = strchr(*e, '=');
    if (!eq) continue;
    char key[256];
    size_t kl = (size_t)(eq - *e);
    if (kl >= sizeof key) continue;
    memcpy(key, *e, kl);
    key[kl] = 0;
    const char *v = getenv(key);
    if (!check_true(__LINE__, "getenv(key) == value", v != NULL && strcmp(v, eq + 1) == 0)) printf("  key %s\n", key);
  }
  CHECK(getenv("WASI_MISC_SURELY_UNSET_VARIABLE") == NULL);
}

static void t_clocks(void) {
  section("clocks");
  struct timespec ts, res;
  CHECK_EQ(clock_gettime(CLOCK_REALTIME, &ts), 0);
  CHECK(ts.tv_sec > 1600000000LL && ts.tv_sec < 4102444800LL);
  CHECK(ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000);
  time_t t = time(NULL);
  CHECK(t >= ts.tv_sec - 5 && t <= ts.tv_sec + 5);
  long long m1 = mono_ns(), m2 = mono_ns();
  CHECK(m1 >= 0 && m2 >= m1);
  CHECK_EQ(clock_getres(CLOCK_REALTIME, &res), 0);
  CHECK(ns_of(&res) > 0 && ns_of(&res) <= 1000000000LL);
  CHECK_EQ(clock_getres(CLOCK_MONOTONIC, &res), 0);
  CHECK(ns_of(&res) > 0 && ns_of(&res) <= 1000000000LL);
}

static void t_sleep(void) {
  section("nanosleep/poll (poll_oneoff clock)");
  struct timespec req = {0, 20000000}, rem = {0, 0};
  long long t0 = mono_ns();
  CHECK_EQ(nanosleep(&req, &rem), 0);
  long long dt = mono_ns() - t0;
  CHECK(dt >= 20000000LL);
  CHECK(dt < 5000000000LL);
  req.tv_nsec = 1000000000;
  CHECK_ERRNO(nanosleep(&req, &rem), EINVAL);
  /* clock_nanosleep with an absolute deadline */
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  long long target = ns_of(&now) + 15000000LL;
  struct timespec abs_ts = {(time_t)(target / 1000000000LL), (long)(target % 1000000000LL)};
  CHECK_EQ(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs_ts, NULL), 0);
  CHECK(mono_ns() >= target);
  /* poll with no fds is a pure timeout */
  t0 = mono_ns();
  CHECK_EQ(poll(NULL, 0, 25), 0);
  CHECK(mono_ns() - t0 >= 25000000LL);
  /* usleep/sleep(0) go through the same path */
  t0 = mono_ns();
  CHECK_EQ(usleep(5000), 0);
  CHECK(mono_ns() - t0 >= 5000000LL);
}

static void t_random(void) {
  section("getentropy/arc4random/sched_yield");
  unsigned char a[64], b[64];
  memset(a, 0, sizeof a);
  memset(b, 0, sizeof b);
  CHECK_EQ(getentropy(a, sizeof a), 0);
  CHECK_EQ(getentropy(b, sizeof b), 0);
  CHECK(memcmp(a, b, sizeof a) != 0);
  int nonzero = 0;
  for (size_t i = 0; i < sizeof a; i++) nonzero += a[i] != 0;
  CHECK(nonzero > 0);
  CHECK_ERRNO(getentropy(a, 257), EIO); /* more than 256 bytes: libc refuses */
  uint32_t x = arc4random(), y = arc4random();
  unsigned char big[4096];
  memset(big, 0, sizeof big);
  arc4random_buf(big, sizeof big);
  int zeros = 0;
  for (size_t i = 0; i < sizeof big; i++) zeros += big[i] == 0;
  CHECK(zeros < 100); /* about 16 expected */
  CHECK(x != y || arc4random() != x);
  CHECK_EQ(sched_yield(), 0);
}

int main(int argc, char **argv) {
  int status = argc > 1 ? atoi(argv[1]) : 0;
  t_args(argc, argv);
  t_clocks();
  t_sleep();
  t_random();
  int failed = summary();
  if (failed) return failed;
  if (status > 0) exit(status); /* proc_exit(status) after stdio is flushed */
  return 0;                     /* _start returns: no proc_exit */
}
