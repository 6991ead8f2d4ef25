/*
 * The threads benchmark, built against Lind's glibc (then asyncify) like the other process cages,
 * and natively with gcc -pthread as the reference:
 *
 *   threadbench [-n N] [-p PASSES] ROW...
 *
 * Each ROW runs N operations in every one of PASSES passes (default 1) and prints one line a
 * pass, in procbench's (and bench.c's) format:
 *
 *   <row> <ops/s> ops/s <ns/op> ns/op
 *
 * timed with clock_gettime(CLOCK_MONOTONIC) inside the program. Rows:
 *   call2              getppid() from a second thread (a cheap syscall off the main thread);
 *                      the clock runs inside that thread, so its creation is not counted
 *   mutex-uncontended  pthread_mutex_lock + unlock in one thread (no syscall at all)
 *   mutex-handoff      two threads take turns incrementing a counter under a mutex, each
 *                      waiting on a condition variable for its turn: one op = one turn
 *   futex-wake         ping-pong over two semaphores: one op = one round trip (two wakes of
 *                      a waiting thread)
 *   spawn              pthread_create + pthread_join of a thread that returns at once
 * Exits 0, or 1 (saying why on stderr) when a call fails or a result is wrong.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long n = 1000;
static int passes = 1;

static void die(const char *what, int err) {
  fprintf(stderr, "threadbench: %s: %s\n", what, strerror(err));
  fflush(stdout);
  _exit(1);
}

/* For pthread calls, which return their error number. */
static void check(int r, const char *what) {
  if (r != 0) die(what, r);
}

static long long now_ns(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) die("clock_gettime", errno);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void report(const char *row, long ops, long long ns) {
  double secs = ns / 1e9;
  printf("%-17s %.0f ops/s %.1f ns/op\n", row, ops / secs, ns / (double)ops);
  fflush(stdout);
}

static void *call2_thread(void *arg) {
  long long *ns = arg;
  long long t0 = now_ns();
  for (long i = 0; i < n; i++) getppid();
  *ns = now_ns() - t0;
  return NULL;
}

static void call2_row(void) {
  pthread_t t;
  long long ns = 0;
  check(pthread_create(&t, NULL, call2_thread, &ns), "pthread_create");
  check(pthread_join(t, NULL), "pthread_join");
  report("call2", n, ns);
}

static void mutex_uncontended_row(void) {
  pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
  volatile long counter = 0;
  long long t0 = now_ns();
  for (long i = 0; i < n; i++) {
    pthread_mutex_lock(&m);
    counter++;
    pthread_mutex_unlock(&m);
  }
  long long ns = now_ns() - t0;
  if (counter != n) { fprintf(stderr, "threadbench: mutex-uncontended counted %ld\n", counter); _exit(1); }
  report("mutex-uncontended", n, ns);
}

/* mutex-handoff: `turn` says whose go it is (0 main, 1 the other); each turn adds one. */
static struct {
  pthread_mutex_t m;
  pthread_cond_t cv;
  int turn;
  long count;
} h = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0 };

static void take_turns(int me, long turns) {
  for (long i = 0; i < turns; i++) {
    pthread_mutex_lock(&h.m);
    while (h.turn != me) pthread_cond_wait(&h.cv, &h.m);
    h.count++;
    h.turn = !me;
    pthread_cond_signal(&h.cv);
    pthread_mutex_unlock(&h.m);
  }
}

static void *handoff_thread(void *arg) {
  take_turns(1, (long)arg);
  return NULL;
}

static void mutex_handoff_row(void) {
  long other = n / 2, mine = n - other; /* main goes first, so it takes the odd one */
  h.turn = 0;
  h.count = 0;
  pthread_t t;
  check(pthread_create(&t, NULL, handoff_thread, (void *)other), "pthread_create");
  long long t0 = now_ns();
  take_turns(0, mine);
  check(pthread_join(t, NULL), "pthread_join");
  long long ns = now_ns() - t0;
  if (h.count != n) { fprintf(stderr, "threadbench: mutex-handoff counted %ld\n", h.count); _exit(1); }
  report("mutex-handoff", n, ns);
}

/* futex-wake: main posts `ping` and waits on `pong`; the other thread does the reverse. */
static sem_t ping, pong;

static void sem_wait_all(sem_t *s) {
  while (sem_wait(s) != 0)
    if (errno != EINTR) die("sem_wait", errno);
}

static void *pong_thread(void *arg) {
  (void)arg;
  sem_post(&pong); /* running */
  for (long i = 0; i < n; i++) {
    sem_wait_all(&ping);
    sem_post(&pong);
  }
  return NULL;
}

static void futex_wake_row(void) {
  if (sem_init(&ping, 0, 0) != 0 || sem_init(&pong, 0, 0) != 0) die("sem_init", errno);
  pthread_t t;
  check(pthread_create(&t, NULL, pong_thread, NULL), "pthread_create");
  sem_wait_all(&pong);
  long long t0 = now_ns();
  for (long i = 0; i < n; i++) {
    sem_post(&ping);
    sem_wait_all(&pong);
  }
  long long ns = now_ns() - t0;
  check(pthread_join(t, NULL), "pthread_join");
  sem_destroy(&ping);
  sem_destroy(&pong);
  report("futex-wake", n, ns);
}

static void *return_arg(void *arg) { return arg; }

static void spawn_row(void) {
  long long t0 = now_ns();
  for (long i = 0; i < n; i++) {
    pthread_t t;
    void *v = NULL;
    check(pthread_create(&t, NULL, return_arg, (void *)i), "pthread_create");
    check(pthread_join(t, &v), "pthread_join");
    if ((long)v != i) { fprintf(stderr, "threadbench: spawn: thread %ld returned %ld\n", i, (long)v); _exit(1); }
  }
  report("spawn", n, now_ns() - t0);
}

int main(int argc, char **argv) {
  int opt;
  while ((opt = getopt(argc, argv, "n:p:")) != -1) {
    switch (opt) {
    case 'n': n = atol(optarg); break;
    case 'p': passes = atoi(optarg); break;
    default: fprintf(stderr, "usage: threadbench [-n N] [-p PASSES] ROW...\n"); return 2;
    }
  }
  if (n < 1 || passes < 1) { fprintf(stderr, "threadbench: -n and -p must be at least 1\n"); return 2; }
  static const struct { const char *name; void (*run)(void); } rows[] = {
    {"call2", call2_row}, {"mutex-uncontended", mutex_uncontended_row}, {"mutex-handoff", mutex_handoff_row},
    {"futex-wake", futex_wake_row}, {"spawn", spawn_row},
  };
  for (int a = optind; a < argc; a++) {
    size_t r = 0;
    while (r < sizeof rows / sizeof rows[0] && strcmp(argv[a], rows[r].name) != 0) r++;
    if (r == sizeof rows / sizeof rows[0]) { fprintf(stderr, "threadbench: unknown row %s\n", argv[a]); return 2; }
    for (int p = 0; p < passes; p++) rows[r].run();
  }
  return 0;
}
