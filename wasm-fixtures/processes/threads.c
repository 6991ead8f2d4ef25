/*
 * Threads fixture, built against Lind's glibc (then asyncify) and natively with -pthread:
 * `threads SUBCOMMAND`, run with the working directory holding executables `threads` and
 * `echo-args`, writable. Like proctest, each subcommand checks every call, prints
 * `FAIL [section] line N: ...` (with the errno name) for each failed check, deterministic
 * `section: ...` lines (never tids, times or addresses; never anything that depends on which
 * thread ran first), and ends with `N passed, M failed` and status M. The check counts do not
 * depend on scheduling either: loops whose length does count their surprises and check once.
 *
 *   mutex       8 threads x 20000 increments under a mutex; trylock EBUSY; error-checking and
 *               recursive mutexes
 *   condvar     2 producers, 2 consumers over a bounded queue (wait, signal, broadcast)
 *   barrier     4 threads, 5 rounds: every phase complete, one serial thread a round
 *   rwlock      main's own tryrdlock/trywrlock against the locks it holds (write-held,
 *               read-held, free); threads' rwlocks are in `self`
 *   sem         sem_trywait EAGAIN, post/wait across threads, sem_timedwait past and bad deadlines
 *   timedwait   cond_timedwait (REALTIME and MONOTONIC clocks, in main and in another thread)
 *               and mutex_timedlock: ETIMEDOUT after the deadline; a signalled timed wait returns 0
 *   tls         __thread values per thread: each starts from the template, keeps its own
 *   gettid      gettid/getpid in the main thread and in others
 *   join        the start routine's return value; a thread joined after it ended; detached
 *               threads (pthread_detach, created detached); main's self-join EDEADLK
 *   files       O_APPEND records, pwrite to disjoint regions, write() at one shared offset,
 *               all from 4 threads at once: sizes and every record intact
 *   pipe        a thread blocked in read() while main goes on; EOF to a blocked reader
 *   many        100 threads one after another, 16 at once
 *   stack       a 64 KiB local array and 1000-deep recursion: one after the other in a default
 *               thread (128 KiB in lind-glibc), both at once in a 256 KiB one
 *   signal      kill(getpid(), SIGUSR2) while another thread blocks it: delivered once, to main
 *   pthread-kill  pthread_kill to a thread blocked in read() and to one sleeping: the handler
 *               runs once, in that thread (lind-glibc's pthread_kill makes no syscall, so a cage
 *               fails these checks after a 5 s wait rather than hang)
 *   fork        a thread forks; the child runs alone (one thread), writes and reads a file, exits 7
 *   self        checks that need glibc to find a thread's own descriptor: pthread_self() in a
 *               thread, pthread_exit, self-join EDEADLK, pthread_detach(pthread_self()), key
 *               destructors at thread exit, pthread_getspecific/setspecific in threads, rwlock
 *               unlock from a thread (4 readers check an invariant that 2 writers break only
 *               under the write lock; tryrdlock/trywrlock from a thread against main's locks),
 *               a thread created in the child of a forking thread.
 *               Lind's glibc keeps the descriptor a thread finds itself in TLS, apart from the
 *               one pthread_create made, so a cage fails these; they pass natively. (In a cage
 *               pthread_exit traps, ending the process: it comes last but for the rwlock
 *               invariant, whose failures there would depend on scheduling.)
 * These end the process (no summary line; the status is what the test compares):
 *   exit-group  a thread calls exit(3) while main waits in pthread_join: status 3
 *   exec-fork   the same, but the thread execs `proctest fork-wait`, which forks
 *   limit       up to 16 threads alive at once, each waiting until main lets them go: how many
 *               pthread_create made and its first error (under a thread limit, EAGAIN)
 *   spin        a thread computes forever without a syscall while main joins it (for a time
 *               limit to stop)
 *   trap        a thread's bad memory access: the process is killed by SIGSEGV
 *   exec        a thread execs `echo-args from-thread` while another thread sleeps: the
 *               process becomes echo-args (its output, its status 0)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef __wasm__
#include <stdint.h>
#include <lind_syscall.h>

/* lind-glibc declares gettid() but does not define it, and its syscall() is a stub that returns
 * -1: ask for gettid (186) the way its own wrappers (getpid and the rest) ask, through
 * make_threei_call with the unused slots NOTUSED. */
extern uint64_t __lind_cageid;
#define NOTUSED 0xdeadbeefdeadbeefULL
static pid_t thread_id(void) {
  uint64_t c = __lind_cageid;
  return make_threei_call(186, (uint64_t)(uintptr_t)"syscall|gettid", c, c, NOTUSED, c, NOTUSED, c,
                          NOTUSED, c, NOTUSED, c, NOTUSED, c, NOTUSED, c, 1);
}

/* lind-glibc's pthread_mutex_trylock and pthread_mutex_timedlock reference the x86 lock-elision
 * entry points __lll_trylock_elision and __lll_clocklock_elision, which its libc.a lacks, so a
 * cage using either does not link. They run only for a mutex marked for elision, which needs
 * __pthread_force_elision (0, and nothing sets it without x86 RTM): never here. They are given
 * the plain futex-lock meaning anyway (0 free, 1 held, 2 held with waiters). */
int __futex_abstimed_wait64(unsigned *word, unsigned expected, clockid_t clock, const void *abstime, int private);
int __lll_trylock_elision(int *futex, short *adapt_count) {
  (void)adapt_count;
  int free_ = 0;
  return __atomic_compare_exchange_n(futex, &free_, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED) ? 0 : 1;
}
int __lll_clocklock_elision(int *futex, short *adapt_count, clockid_t clock, const void *abstime, int private) {
  (void)adapt_count;
  int free_ = 0;
  if (__atomic_compare_exchange_n(futex, &free_, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) return 0;
  while (__atomic_exchange_n(futex, 2, __ATOMIC_ACQUIRE) != 0) {
    int e = __futex_abstimed_wait64((unsigned *)futex, 2, clock, abstime, private);
    if (e == ETIMEDOUT || e == EINVAL) return e;
  }
  return 0;
}

/* futex(FUTEX_WAIT_PRIVATE) itself, as gettid above: -1 with errno on failure. */
static int futex_wait(int *word, int expected, const struct timespec *rel) {
  uint64_t c = __lind_cageid;
  int r = make_threei_call(202, (uint64_t)(uintptr_t)"syscall|futex", c, c, (uint64_t)(uintptr_t)word, c, 128, c,
                           (uint64_t)(unsigned)expected, c, (uint64_t)(uintptr_t)rel, c, 0, c, 0, c, 1);
  if (r < -1) { errno = -r; r = -1; }
  return r;
}
#else
#include <sys/syscall.h>
static pid_t thread_id(void) { return gettid(); }
static int futex_wait(int *word, int expected, const struct timespec *rel) {
  return (int)syscall(SYS_futex, word, 128 /* FUTEX_WAIT_PRIVATE */, expected, rel, NULL, 0);
}
#endif

#include "checks.h"

static char *const fixed_env[] = {"FIXTURE=processes", NULL};

/* A pthread call (which returns its error number) returned WANT (0 or an errno value). */
#define RC(expr, want) rc_((expr), want, #expr, __LINE__)
static int rc_(int r, int want, const char *what, int line) {
  if (r != want) {
    printf("FAIL [%s] line %d: %s: got %s", section, line, what, errname(r));
    printf(", want %s\n", errname(want));
    fail();
    return 0;
  }
  pass();
  return 1;
}

static const char *yes(int b) { return b ? "yes" : "no"; }

/* pthread_create, counted as a check; returns whether the thread exists. */
#define SPAWN(t, attr, fn, arg) (RC(pthread_create(t, attr, fn, arg), 0))
/* pthread_join, counted; returns the thread's value (NULL if the join failed). */
#define JOIN(t) join_(t, __LINE__)
static void *join_(pthread_t t, int line) {
  void *v = NULL;
  rc_(pthread_join(t, &v), 0, "pthread_join", line);
  return v;
}

static void sleep_ms(long ms) {
  struct timespec t = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
  while (nanosleep(&t, &t) != 0 && errno == EINTR) {}
}

/* sem_wait that rides out signal interruptions (a handler may run in the waiting thread). */
static int sem_wait_all(sem_t *s) {
  int r;
  while ((r = sem_wait(s)) != 0 && errno == EINTR) {}
  return r;
}

/* A deadline `ms` milliseconds from now on `clock`. */
static struct timespec deadline(clockid_t clock, long ms) {
  struct timespec t;
  clock_gettime(clock, &t);
  t.tv_sec += ms / 1000;
  t.tv_nsec += (ms % 1000) * 1000000L;
  if (t.tv_nsec >= 1000000000L) { t.tv_sec++; t.tv_nsec -= 1000000000L; }
  return t;
}

/* Whether `clock` now reads at least `t`. */
static int reached(clockid_t clock, struct timespec t) {
  struct timespec now;
  clock_gettime(clock, &now);
  return now.tv_sec > t.tv_sec || (now.tv_sec == t.tv_sec && now.tv_nsec >= t.tv_nsec);
}

static int write_all(int fd, const void *buf, size_t n) {
  const char *p = buf;
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/* ------------------------------------------------------------------------------------------ */

#define MUTEX_THREADS 8
#define MUTEX_ROUNDS 20000
static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter; /* deliberately not atomic: only the mutex keeps increments whole */

static void *mutex_worker(void *arg) {
  (void)arg;
  int bad = 0;
  for (int i = 0; i < MUTEX_ROUNDS; i++) {
    bad |= pthread_mutex_lock(&counter_lock);
    long v = counter;
    if ((i & 1023) == 0) sched_yield(); /* invite another thread to race (it must not) */
    counter = v + 1;
    bad |= pthread_mutex_unlock(&counter_lock);
  }
  EQ(bad, 0);
  return NULL;
}

static void *try_held(void *m) {
  return (void *)(long)pthread_mutex_trylock(m);
}

static void *unlock_other(void *m) {
  return (void *)(long)pthread_mutex_unlock(m);
}

static void mutex_test(void) {
  section = "mutex";
  pthread_t t[MUTEX_THREADS];
  int made = 0;
  for (int i = 0; i < MUTEX_THREADS; i++) made += SPAWN(&t[i], NULL, mutex_worker, NULL);
  for (int i = 0; i < made; i++) JOIN(t[i]);
  EQ(counter, (long)MUTEX_THREADS * MUTEX_ROUNDS);
  printf("%s: %d threads x %d increments: total %ld\n", section, MUTEX_THREADS, MUTEX_ROUNDS, counter);

  /* trylock of a mutex another thread holds */
  pthread_t o;
  RC(pthread_mutex_lock(&counter_lock), 0);
  if (SPAWN(&o, NULL, try_held, &counter_lock)) EQ((long)JOIN(o), EBUSY);
  RC(pthread_mutex_unlock(&counter_lock), 0);
  RC(pthread_mutex_trylock(&counter_lock), 0);
  RC(pthread_mutex_unlock(&counter_lock), 0);
  printf("%s: trylock of a held mutex: EBUSY; of a free one: 0\n", section);

  /* an error-checking mutex refuses a relock by its owner and an unlock by another thread */
  pthread_mutexattr_t a;
  pthread_mutex_t m;
  RC(pthread_mutexattr_init(&a), 0);
  RC(pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK), 0);
  RC(pthread_mutex_init(&m, &a), 0);
  RC(pthread_mutex_lock(&m), 0);
  RC(pthread_mutex_lock(&m), EDEADLK);
  if (SPAWN(&o, NULL, unlock_other, &m)) EQ((long)JOIN(o), EPERM);
  RC(pthread_mutex_unlock(&m), 0);
  RC(pthread_mutex_unlock(&m), EPERM);
  RC(pthread_mutex_destroy(&m), 0);
  printf("%s: error-checking mutex: relock EDEADLK, unlock by another thread EPERM\n", section);

  /* a recursive mutex: locked three times by its owner, held until the third unlock */
  RC(pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE), 0);
  RC(pthread_mutex_init(&m, &a), 0);
  for (int i = 0; i < 3; i++) RC(pthread_mutex_lock(&m), 0);
  RC(pthread_mutex_unlock(&m), 0);
  RC(pthread_mutex_unlock(&m), 0);
  if (SPAWN(&o, NULL, try_held, &m)) EQ((long)JOIN(o), EBUSY);
  RC(pthread_mutex_unlock(&m), 0);
  RC(pthread_mutex_trylock(&m), 0);
  RC(pthread_mutex_unlock(&m), 0);
  RC(pthread_mutex_destroy(&m), 0);
  RC(pthread_mutexattr_destroy(&a), 0);
  printf("%s: recursive mutex: held until the third unlock\n", section);
}

/* ------------------------------------------------------------------------------------------ */

#define QCAP 4
#define ITEMS 5000 /* per producer: 1..ITEMS */
static struct {
  pthread_mutex_t lock;
  pthread_cond_t not_empty, not_full;
  long items[QCAP];
  int head, count, done, overfull;
} q = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER, {0}, 0, 0, 0, 0 };

static void *producer(void *arg) {
  (void)arg;
  for (long i = 1; i <= ITEMS; i++) {
    pthread_mutex_lock(&q.lock);
    while (q.count == QCAP) pthread_cond_wait(&q.not_full, &q.lock);
    q.items[(q.head + q.count) % QCAP] = i;
    q.count++;
    if (q.count > QCAP) q.overfull++;
    pthread_cond_signal(&q.not_empty);
    pthread_mutex_unlock(&q.lock);
  }
  return NULL;
}

struct consumed { long sum, n; };

static void *consumer(void *arg) {
  struct consumed *c = arg;
  pthread_mutex_lock(&q.lock);
  for (;;) {
    while (q.count == 0 && !q.done) pthread_cond_wait(&q.not_empty, &q.lock);
    if (q.count == 0) break; /* done and drained */
    c->sum += q.items[q.head];
    c->n++;
    q.head = (q.head + 1) % QCAP;
    q.count--;
    pthread_cond_signal(&q.not_full);
  }
  pthread_mutex_unlock(&q.lock);
  return NULL;
}

static void condvar_test(void) {
  section = "condvar";
  pthread_t p[2], c[2];
  struct consumed got[2] = {{0, 0}, {0, 0}};
  int cs = 0, ps = 0;
  for (int i = 0; i < 2; i++) cs += SPAWN(&c[i], NULL, consumer, &got[i]);
  for (int i = 0; i < 2; i++) ps += SPAWN(&p[i], NULL, producer, NULL);
  for (int i = 0; i < ps; i++) JOIN(p[i]);
  /* every item is queued (or eaten); wake every consumer to drain and leave */
  pthread_mutex_lock(&q.lock);
  q.done = 1;
  RC(pthread_cond_broadcast(&q.not_empty), 0);
  pthread_mutex_unlock(&q.lock);
  for (int i = 0; i < cs; i++) JOIN(c[i]);
  long n = got[0].n + got[1].n, sum = got[0].sum + got[1].sum;
  EQ(n, 2L * ITEMS);
  EQ(sum, 2L * ITEMS * (ITEMS + 1) / 2);
  EQ(q.overfull, 0);
  EQ(q.count, 0);
  printf("%s: 2 producers, 2 consumers, queue of %d: %ld items consumed, sum %ld, never overfull\n",
         section, QCAP, n, sum);
}

/* ------------------------------------------------------------------------------------------ */

#define BTHREADS 4
#define BROUNDS 5
static pthread_barrier_t bar;
static int bslot[BROUNDS][BTHREADS];
static int bserial[BROUNDS];
static int bphase; /* advanced by each round's serial thread, between the two waits */
static int bbad;

static void *barrier_worker(void *arg) {
  int id = (int)(long)arg;
  for (int r = 0; r < BROUNDS; r++) {
    bslot[r][id] = 1;
    int w = pthread_barrier_wait(&bar);
    if (w == PTHREAD_BARRIER_SERIAL_THREAD) {
      __atomic_fetch_add(&bserial[r], 1, __ATOMIC_SEQ_CST);
      bphase = r + 1;
    } else if (w != 0) {
      __atomic_fetch_add(&bbad, 1, __ATOMIC_SEQ_CST);
    }
    /* past the first wait, the whole round has written its slots and no one has begun the next */
    for (int j = 0; j < BTHREADS; j++)
      if (bslot[r][j] != 1 || (r + 1 < BROUNDS && bslot[r + 1][j] != 0)) __atomic_fetch_add(&bbad, 1, __ATOMIC_SEQ_CST);
    w = pthread_barrier_wait(&bar);
    if (w != 0 && w != PTHREAD_BARRIER_SERIAL_THREAD) __atomic_fetch_add(&bbad, 1, __ATOMIC_SEQ_CST);
    if (bphase != r + 1) __atomic_fetch_add(&bbad, 1, __ATOMIC_SEQ_CST); /* the serial thread's write is seen */
  }
  return NULL;
}

static void barrier_test(void) {
  section = "barrier";
  RC(pthread_barrier_init(&bar, NULL, BTHREADS), 0);
  pthread_t t[BTHREADS];
  int made = 0;
  for (int i = 0; i < BTHREADS; i++) made += SPAWN(&t[i], NULL, barrier_worker, (void *)(long)i);
  for (int i = 0; i < made; i++) JOIN(t[i]);
  EQ(bbad, 0);
  printf("%s: %d threads, %d rounds: serial threads per round", section, BTHREADS, BROUNDS);
  for (int r = 0; r < BROUNDS; r++) { EQ(bserial[r], 1); printf(" %d", bserial[r]); }
  printf("; phases consistent: %s\n", yes(bbad == 0));
  RC(pthread_barrier_destroy(&bar), 0);
}

/* ------------------------------------------------------------------------------------------ */

#define READERS 4
#define READS 5000
#define WRITERS 2
#define WRITES 2000
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static volatile long rw_a = 1000, rw_b; /* rw_a + rw_b == 1000 whenever no writer holds the lock */
static long rw_writes;
static int rw_broken;

static void *rw_reader(void *arg) {
  (void)arg;
  for (int i = 0; i < READS; i++) {
    pthread_rwlock_rdlock(&rw);
    if (rw_a + rw_b != 1000) __atomic_fetch_add(&rw_broken, 1, __ATOMIC_SEQ_CST);
    pthread_rwlock_unlock(&rw);
  }
  return NULL;
}

static void *rw_writer(void *arg) {
  (void)arg;
  for (int i = 0; i < WRITES; i++) {
    pthread_rwlock_wrlock(&rw);
    rw_a = rw_a - 1; /* the invariant is broken here, */
    if ((i & 255) == 0) sched_yield();
    rw_b = rw_b + 1; /* and whole again here */
    rw_writes++;
    pthread_rwlock_unlock(&rw);
  }
  return NULL;
}

/* Tries both locks, releasing what it gets: bit 0 tryrdlock got EBUSY, bit 1 trywrlock did, bit 2
 * either got something else. Run by main (rwlock) and from a thread that holds neither (self). */
static void *rw_try(void *arg) {
  (void)arg;
  long r = 0;
  int e = pthread_rwlock_tryrdlock(&rw);
  if (e == 0) pthread_rwlock_unlock(&rw);
  else if (e == EBUSY) r |= 1;
  else r |= 4;
  e = pthread_rwlock_trywrlock(&rw);
  if (e == 0) pthread_rwlock_unlock(&rw);
  else if (e == EBUSY) r |= 2;
  else r |= 4;
  return (void *)r;
}

/* Part of `self`: lock and unlock in threads (rdlock and wrlock report EDEADLK, and unlock tells a
 * read lock from a write lock, by comparing the writer's tid with the caller's own). */
static void rwlock_invariant_self(void) {
  pthread_t r[READERS], w[WRITERS];
  int rs = 0, ws = 0;
  for (int i = 0; i < WRITERS; i++) ws += SPAWN(&w[i], NULL, rw_writer, NULL);
  for (int i = 0; i < READERS; i++) rs += SPAWN(&r[i], NULL, rw_reader, NULL);
  for (int i = 0; i < rs; i++) JOIN(r[i]);
  for (int i = 0; i < ws; i++) JOIN(w[i]);
  EQ(rw_broken, 0);
  EQ(rw_writes, (long)WRITERS * WRITES);
  EQ(rw_a, 1000L - WRITERS * WRITES);
  EQ(rw_b, (long)WRITERS * WRITES);
  printf("%s: %d readers x %d reads, %d writers x %d writes: invariant held %s, %ld writes\n",
         section, READERS, READS, WRITERS, WRITES, yes(rw_broken == 0), rw_writes);
}

static void rwlock_test(void) {
  section = "rwlock";
  /* main alone (threads' locks are in `self`): the try calls do not look for a deadlock, so the
   * holder's own tries get what anyone's would */
  RC(pthread_rwlock_wrlock(&rw), 0);
  EQ((long)rw_try(NULL), 3);
  RC(pthread_rwlock_unlock(&rw), 0);
  RC(pthread_rwlock_rdlock(&rw), 0);
  EQ((long)rw_try(NULL), 2);
  RC(pthread_rwlock_unlock(&rw), 0);
  EQ((long)rw_try(NULL), 0);
  printf("%s: main's own tries: write-held: tryrdlock and trywrlock EBUSY; read-held: tryrdlock 0, trywrlock EBUSY; free: both 0\n", section);
}

/* Part of `self`: rw_try from a thread while main holds the write lock, a read lock, neither. */
static void rwlock_self(void) {
  pthread_t o;
  RC(pthread_rwlock_wrlock(&rw), 0);
  if (SPAWN(&o, NULL, rw_try, NULL)) EQ((long)JOIN(o), 3);
  RC(pthread_rwlock_unlock(&rw), 0);
  RC(pthread_rwlock_rdlock(&rw), 0);
  if (SPAWN(&o, NULL, rw_try, NULL)) EQ((long)JOIN(o), 2);
  RC(pthread_rwlock_unlock(&rw), 0);
  if (SPAWN(&o, NULL, rw_try, NULL)) EQ((long)JOIN(o), 0);
  printf("%s: a thread's tries: write-held: tryrdlock and trywrlock EBUSY; read-held: tryrdlock 0, trywrlock EBUSY; free: both 0\n", section);
}

/* ------------------------------------------------------------------------------------------ */

static sem_t sem_a, sem_b;

static void *sem_poster(void *arg) {
  (void)arg;
  for (int i = 0; i < 1000; i++) sem_post(&sem_a);
  return NULL;
}

/* Waits once on sem_b (main posts after this thread said it is about to wait), then on sem_a. */
static void *sem_waiter(void *arg) {
  (void)arg;
  sem_post(&sem_a);
  long r = sem_wait_all(&sem_b);
  return (void *)r;
}

static void sem_test(void) {
  section = "sem";
  int v = -1;
  OK(sem_init(&sem_a, 0, 0));
  OK(sem_init(&sem_b, 0, 0));
  ERR(sem_trywait(&sem_a), EAGAIN);
  OK(sem_post(&sem_a));
  OK(sem_getvalue(&sem_a, &v));
  EQ(v, 1);
  OK(sem_trywait(&sem_a));
  ERR(sem_trywait(&sem_a), EAGAIN);
  OK(sem_post(&sem_a));
  OK(sem_wait(&sem_a));
  printf("%s: trywait on 0: EAGAIN; post makes 1; wait and trywait take it\n", section);

  /* a deadline already past: ETIMEDOUT if it would block, success if it need not */
  struct timespec past = deadline(CLOCK_REALTIME, 0);
  past.tv_sec -= 1;
  ERR(sem_timedwait(&sem_a, &past), ETIMEDOUT);
  OK(sem_post(&sem_a));
  OK(sem_timedwait(&sem_a, &past));
  struct timespec bad = past;
  bad.tv_nsec = 1000000000L;
  ERR(sem_timedwait(&sem_a, &bad), EINVAL);
  struct timespec soon = deadline(CLOCK_REALTIME, 50);
  ERR(sem_timedwait(&sem_a, &soon), ETIMEDOUT);
  EQ(reached(CLOCK_REALTIME, soon), 1);
  printf("%s: timedwait: past deadline ETIMEDOUT (0 when it need not wait), bad nanoseconds EINVAL, 50 ms ETIMEDOUT after the deadline\n", section);

  /* 1000 posts from another thread, 1000 waits here */
  pthread_t t;
  if (SPAWN(&t, NULL, sem_poster, NULL)) {
    int bad_waits = 0;
    for (int i = 0; i < 1000; i++) bad_waits += sem_wait_all(&sem_a) != 0;
    JOIN(t);
    EQ(bad_waits, 0);
  }
  OK(sem_getvalue(&sem_a, &v));
  EQ(v, 0);
  printf("%s: 1000 posts by a thread met 1000 waits; the value is back to %d\n", section, v);

  /* a thread blocked in sem_wait wakes on a post */
  if (SPAWN(&t, NULL, sem_waiter, NULL)) {
    OK(sem_wait_all(&sem_a)); /* it is (about to be) waiting */
    sleep_ms(20);
    OK(sem_post(&sem_b));
    EQ((long)JOIN(t), 0);
  }
  printf("%s: a thread waiting on a semaphore woke on a post\n", section);
  OK(sem_destroy(&sem_a));
  OK(sem_destroy(&sem_b));
}

/* ------------------------------------------------------------------------------------------ */

static pthread_mutex_t tw_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t tw_cond = PTHREAD_COND_INITIALIZER;
static int tw_flag;
static sem_t tw_held, tw_release;

static void *hold_lock(void *arg) {
  (void)arg;
  pthread_mutex_lock(&tw_lock);
  sem_post(&tw_held);
  sem_wait_all(&tw_release);
  pthread_mutex_unlock(&tw_lock);
  return NULL;
}

static void *set_flag_later(void *arg) {
  (void)arg;
  sleep_ms(30);
  pthread_mutex_lock(&tw_lock);
  tw_flag = 1;
  pthread_cond_signal(&tw_cond);
  pthread_mutex_unlock(&tw_lock);
  return NULL;
}

/* A timed wait in a thread of its own (a worker, in the grate, not the thread owning the
 * IMFS): on each clock, ETIMEDOUT, not before the deadline and not long after it. */
struct own_wait { clockid_t clock; int r, reached; long waited_ms; };
static void *timedwait_in_thread(void *arg) {
  struct own_wait *w = arg;
  pthread_condattr_t ca;
  pthread_cond_t c;
  pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, w->clock);
  pthread_cond_init(&c, &ca);
  pthread_mutex_lock(&m);
  struct timespec start, end, d = deadline(w->clock, 50);
  clock_gettime(CLOCK_MONOTONIC, &start);
  while ((w->r = pthread_cond_timedwait(&c, &m, &d)) == 0) {}
  clock_gettime(CLOCK_MONOTONIC, &end);
  w->reached = reached(w->clock, d);
  w->waited_ms = (end.tv_sec - start.tv_sec) * 1000L + (end.tv_nsec - start.tv_nsec) / 1000000L;
  pthread_mutex_unlock(&m);
  pthread_cond_destroy(&c);
  pthread_condattr_destroy(&ca);
  return NULL;
}

static void timedwait_test(void) {
  section = "timedwait";
  /* nobody signals: ETIMEDOUT, with the mutex held again, not before the deadline */
  RC(pthread_mutex_lock(&tw_lock), 0);
  struct timespec d = deadline(CLOCK_REALTIME, 50);
  int r;
  while ((r = pthread_cond_timedwait(&tw_cond, &tw_lock, &d)) == 0) {} /* spurious wakeups allowed */
  RC(r, ETIMEDOUT);
  EQ(reached(CLOCK_REALTIME, d), 1);
  RC(pthread_mutex_trylock(&tw_lock), EBUSY); /* held (by us) again */
  RC(pthread_mutex_unlock(&tw_lock), 0);
  printf("%s: cond_timedwait, CLOCK_REALTIME deadline 50 ms ahead: ETIMEDOUT, after the deadline, mutex held\n", section);

  /* the same with a condition variable on CLOCK_MONOTONIC */
  pthread_condattr_t ca;
  pthread_cond_t mc;
  RC(pthread_condattr_init(&ca), 0);
  RC(pthread_condattr_setclock(&ca, CLOCK_MONOTONIC), 0);
  RC(pthread_cond_init(&mc, &ca), 0);
  RC(pthread_mutex_lock(&tw_lock), 0);
  d = deadline(CLOCK_MONOTONIC, 50);
  while ((r = pthread_cond_timedwait(&mc, &tw_lock, &d)) == 0) {}
  RC(r, ETIMEDOUT);
  EQ(reached(CLOCK_MONOTONIC, d), 1);
  RC(pthread_mutex_unlock(&tw_lock), 0);
  RC(pthread_cond_destroy(&mc), 0);
  RC(pthread_condattr_destroy(&ca), 0);
  printf("%s: cond_timedwait, CLOCK_MONOTONIC deadline 50 ms ahead: ETIMEDOUT, after the deadline\n", section);

  /* signalled well before a far deadline: 0 */
  pthread_t t;
  tw_flag = 0;
  RC(pthread_mutex_lock(&tw_lock), 0);
  if (SPAWN(&t, NULL, set_flag_later, NULL)) {
    d = deadline(CLOCK_REALTIME, 10000);
    r = 0;
    while (!tw_flag && r == 0) r = pthread_cond_timedwait(&tw_cond, &tw_lock, &d);
    RC(r, 0);
    EQ(tw_flag, 1);
    RC(pthread_mutex_unlock(&tw_lock), 0);
    JOIN(t);
  } else {
    pthread_mutex_unlock(&tw_lock);
  }
  printf("%s: cond_timedwait signalled before a 10 s deadline: 0\n", section);

  /* timedlock on a mutex another thread holds */
  OK(sem_init(&tw_held, 0, 0));
  OK(sem_init(&tw_release, 0, 0));
  if (SPAWN(&t, NULL, hold_lock, NULL)) {
    OK(sem_wait_all(&tw_held));
    d = deadline(CLOCK_REALTIME, 50);
    RC(pthread_mutex_timedlock(&tw_lock, &d), ETIMEDOUT);
    EQ(reached(CLOCK_REALTIME, d), 1);
    OK(sem_post(&tw_release));
    JOIN(t);
    d = deadline(CLOCK_REALTIME, 50);
    RC(pthread_mutex_timedlock(&tw_lock, &d), 0);
    RC(pthread_mutex_unlock(&tw_lock), 0);
  }
  printf("%s: mutex_timedlock on a mutex another thread holds: ETIMEDOUT; once released: 0\n", section);

  static const clockid_t clocks[] = {CLOCK_MONOTONIC, CLOCK_REALTIME};
  for (int i = 0; i < 2; i++) {
    struct own_wait w = {clocks[i], -1, 0, -1};
    if (SPAWN(&t, NULL, timedwait_in_thread, &w)) {
      JOIN(t);
      RC(w.r, ETIMEDOUT);
      EQ(w.reached, 1);
      EQ(w.waited_ms >= 40 && w.waited_ms < 5000, 1);
    }
  }
  printf("%s: cond_timedwait in another thread, CLOCK_MONOTONIC and CLOCK_REALTIME deadlines 50 ms ahead: ETIMEDOUT, after the deadline, not long after\n", section);
}

/* ------------------------------------------------------------------------------------------ */

static __thread int tls_value = 7;
static __thread char tls_block[64] = "template";
static pthread_key_t key;
static int destructor_calls;
static pthread_barrier_t tls_bar;

static void destructor(void *v) {
  if (v == (void *)&destructor_calls) __atomic_fetch_add(&destructor_calls, 1, __ATOMIC_SEQ_CST);
}

/* Returns 0 if this thread's TLS started from the template and stayed its own. */
static void *tls_worker(void *arg) {
  long id = (long)arg;
  long bad = 0;
  if (tls_value != 7 || strcmp(tls_block, "template") != 0) bad |= 1;
  tls_value = (int)(100 + id);
  snprintf(tls_block, sizeof tls_block, "thread %ld", id);
  pthread_barrier_wait(&tls_bar); /* every thread has written its values before any checks */
  char want[64];
  snprintf(want, sizeof want, "thread %ld", id);
  if (tls_value != 100 + id || strcmp(tls_block, want) != 0) bad |= 8;
  return (void *)bad;
}

static void tls_test(void) {
  section = "tls";
  tls_value = 1;
  strcpy(tls_block, "main");
  RC(pthread_barrier_init(&tls_bar, NULL, 4), 0);
  pthread_t t[4];
  int made = 0;
  for (long i = 0; i < 4; i++) made += SPAWN(&t[i], NULL, tls_worker, (void *)i);
  for (int i = 0; i < made; i++) EQ((long)JOIN(t[i]), 0);
  EQ(tls_value, 1);
  EQ(strcmp(tls_block, "main"), 0);
  printf("%s: 4 threads: each started from the __thread template and kept its own values: %s; main's unchanged: %s\n",
         section, yes(made == 4), yes(tls_value == 1));
  RC(pthread_barrier_destroy(&tls_bar), 0);
}

/* Part of `self`: 0 if this thread's pthread_getspecific started NULL and kept what it set. */
static void *key_worker(void *arg) {
  long id = (long)arg;
  long bad = 0;
  if (pthread_getspecific(key) != NULL) bad |= 2;
  /* the odd threads leave the key NULL: no destructor for them */
  if ((id & 1) == 0 && pthread_setspecific(key, &destructor_calls) != 0) bad |= 4;
  pthread_barrier_wait(&tls_bar); /* every thread has set its value before any checks */
  if ((id & 1) == 0 && pthread_getspecific(key) != &destructor_calls) bad |= 16;
  return (void *)bad; /* (destructors for pthread_exit: pthread_exit_self, last, as it traps in a cage) */
}

static void key_self(void) {
  RC(pthread_key_create(&key, destructor), 0);
  RC(pthread_setspecific(key, NULL), 0);
  RC(pthread_barrier_init(&tls_bar, NULL, 4), 0);
  pthread_t t[4];
  int made = 0;
  for (long i = 0; i < 4; i++) made += SPAWN(&t[i], NULL, key_worker, (void *)i);
  for (int i = 0; i < made; i++) EQ((long)JOIN(t[i]), 0);
  EQ(destructor_calls, 2);
  EQ(pthread_getspecific(key) == NULL, 1);
  printf("%s: 4 threads: pthread_getspecific NULL at first, then each thread's own value: %s\n", section,
         yes(made == 4));
  printf("%s: key destructor calls at thread exit: %d (2 threads set a value)\n", section, destructor_calls);
  RC(pthread_key_delete(key), 0);
  RC(pthread_barrier_destroy(&tls_bar), 0);
}

/* ------------------------------------------------------------------------------------------ */

struct ids { pid_t tid, pid; pthread_t self; };
static pthread_barrier_t id_bar;

static void *id_worker(void *arg) {
  struct ids *me = arg;
  me->tid = thread_id();
  me->pid = getpid();
  pthread_barrier_wait(&id_bar); /* all alive at once, so no tid can be reused */
  return NULL;
}

/* Part of `self`. */
static void *self_worker(void *arg) {
  struct ids *me = arg;
  me->self = pthread_self();
  pthread_barrier_wait(&id_bar); /* all alive at once */
  return NULL;
}

static void gettid_test(void) {
  section = "gettid";
  pid_t pid = getpid();
  EQ(thread_id(), pid);
  struct ids w[4];
  memset(w, 0, sizeof w);
  RC(pthread_barrier_init(&id_bar, NULL, 4), 0);
  pthread_t t[4];
  int made = 0;
  for (int i = 0; i < 4; i++) made += SPAWN(&t[i], NULL, id_worker, &w[i]);
  for (int i = 0; i < made; i++) JOIN(t[i]);
  RC(pthread_barrier_destroy(&id_bar), 0);
  int not_pid = 1, same_pid = 1, distinct = 1;
  for (int i = 0; i < 4; i++) {
    if (w[i].tid == pid || w[i].tid <= 0) not_pid = 0;
    if (w[i].pid != pid) same_pid = 0;
    for (int j = 0; j < i; j++) if (w[i].tid == w[j].tid) distinct = 0;
  }
  EQ(not_pid, 1);
  EQ(same_pid, 1);
  EQ(distinct, 1);
  printf("%s: main's gettid() == getpid(): %s\n", section, yes(thread_id() == pid));
  printf("%s: 4 threads: gettid() != getpid(): %s; distinct: %s; getpid() same as main's: %s\n",
         section, yes(not_pid), yes(distinct), yes(same_pid));
}

/* Part of `self`: pthread_self() in 4 threads alive at once. */
static void pthread_self_self(void) {
  struct ids w[4];
  memset(w, 0, sizeof w);
  RC(pthread_barrier_init(&id_bar, NULL, 4), 0);
  pthread_t t[4];
  int made = 0;
  for (int i = 0; i < 4; i++) made += SPAWN(&t[i], NULL, self_worker, &w[i]);
  for (int i = 0; i < made; i++) JOIN(t[i]);
  RC(pthread_barrier_destroy(&id_bar), 0);
  int selves = 1;
  for (int i = 0; i < 4; i++)
    if (!pthread_equal(w[i].self, t[i]) || pthread_equal(w[i].self, pthread_self())) selves = 0;
  EQ(selves, 1);
  printf("%s: pthread_self() is what pthread_create gave, and not main's: %s\n", section, yes(selves));
}

/* ------------------------------------------------------------------------------------------ */

static sem_t done_sem;
static pthread_t self_join_target;

static void *return_42(void *arg) { (void)arg; return (void *)42; }

static void leave_with(long v) { pthread_exit((void *)v); }

static void *exit_43(void *arg) {
  (void)arg;
  leave_with(43); /* from a nested call */
  return (void *)1;
}

static void *post_and_return(void *arg) {
  (void)arg;
  sem_post(&done_sem);
  return NULL;
}

static void *join_self(void *arg) {
  (void)arg;
  return (void *)(long)pthread_join(pthread_self(), NULL);
}

static void *detach_self(void *arg) {
  (void)arg;
  long r = pthread_detach(pthread_self());
  sem_post(&done_sem);
  return (void *)r;
}

static void join_test(void) {
  section = "join";
  pthread_t t;
  if (SPAWN(&t, NULL, return_42, NULL)) EQ((long)JOIN(t), 42);
  printf("%s: join got the start routine's return value (42)\n", section);

  /* joined long after it ended */
  OK(sem_init(&done_sem, 0, 0));
  if (SPAWN(&t, NULL, post_and_return, NULL)) {
    OK(sem_wait_all(&done_sem));
    sleep_ms(20);
    EQ((long)JOIN(t), 0);
  }
  printf("%s: a thread that had already ended was joined\n", section);

  /* detached two ways (by itself is in `self`): by pthread_detach from here, by its attributes */
  if (SPAWN(&t, NULL, post_and_return, NULL)) {
    RC(pthread_detach(t), 0);
    OK(sem_wait_all(&done_sem));
  }
  pthread_attr_t a;
  int ds = -1;
  RC(pthread_attr_init(&a), 0);
  RC(pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED), 0);
  RC(pthread_attr_getdetachstate(&a, &ds), 0);
  EQ(ds, PTHREAD_CREATE_DETACHED);
  if (SPAWN(&t, &a, post_and_return, NULL)) OK(sem_wait_all(&done_sem));
  RC(pthread_attr_destroy(&a), 0);
  sleep_ms(20); /* let the detached threads finish leaving before the next tests */
  printf("%s: detached threads (pthread_detach, created detached) ran and said so\n", section);

  /* glibc refuses main's join of itself (a thread's is in `self`) */
  RC(pthread_join(pthread_self(), NULL), EDEADLK);
  printf("%s: main joining itself: EDEADLK\n", section);
  OK(sem_destroy(&done_sem));
}

/* Sets the key, then leaves by pthread_exit: 0 if the set worked. */
static void *set_key_and_exit(void *arg) {
  (void)arg;
  long bad = 0;
  if (pthread_setspecific(key, &destructor_calls) != 0) bad |= 4;
  leave_with(bad);
  return (void *)1;
}

/* Part of `self`: pthread_exit from a nested call; key destructors run for pthread_exit too. */
static void pthread_exit_self(void) {
  pthread_t t;
  if (SPAWN(&t, NULL, exit_43, NULL)) EQ((long)JOIN(t), 43);
  printf("%s: join got pthread_exit's value (43)\n", section);
  destructor_calls = 0;
  RC(pthread_key_create(&key, destructor), 0);
  if (SPAWN(&t, NULL, set_key_and_exit, NULL)) EQ((long)JOIN(t), 0);
  EQ(destructor_calls, 1);
  printf("%s: key destructor calls for a thread that set a value and left by pthread_exit: %d\n", section,
         destructor_calls);
  RC(pthread_key_delete(key), 0);
}

/* Part of `self`: a thread detaches itself; a thread joins itself. */
static void detach_join_self(void) {
  pthread_t t;
  OK(sem_init(&done_sem, 0, 0));
  if (SPAWN(&t, NULL, detach_self, NULL)) OK(sem_wait_all(&done_sem));
  sleep_ms(20); /* let the detached thread finish leaving */
  printf("%s: a self-detached thread ran and said so\n", section);
  /* glibc refuses a thread's join of itself */
  if (SPAWN(&self_join_target, NULL, join_self, NULL)) EQ((long)JOIN(self_join_target), EDEADLK);
  printf("%s: a thread joining itself: EDEADLK\n", section);
  OK(sem_destroy(&done_sem));
}

/* ------------------------------------------------------------------------------------------ */

#define REC 16
#define RECS 1000
#define WRITERS_F 4
static pthread_barrier_t f_bar;

/* One 16-byte record: "t<T> r<NNNNN> ..\n" (the dots pad it). */
static void record(char *out, int t, int r) {
  char tmp[32];
  snprintf(tmp, sizeof tmp, "t%d r%05d .....\n", t, r);
  memcpy(out, tmp, REC);
}

/* Parses a record; returns 0 and sets *t, *r, or -1 if it is not one whole record. */
static int parse(const char *in, int *t, int *r) {
  char want[REC];
  if (in[0] != 't' || in[1] < '0' || in[1] >= '0' + WRITERS_F) return -1;
  *t = in[1] - '0';
  *r = atoi(in + 4);
  if (*r < 0 || *r >= RECS) return -1;
  record(want, *t, *r);
  return memcmp(in, want, REC) == 0 ? 0 : -1;
}

struct fjob { int fd, id, mode; }; /* mode 0: write (O_APPEND or shared offset), 1: pwrite */

static void *file_writer(void *arg) {
  struct fjob *j = arg;
  char buf[REC];
  long bad = 0;
  pthread_barrier_wait(&f_bar); /* start together */
  for (int r = 0; r < RECS; r++) {
    record(buf, j->id, r);
    if (j->mode == 0) bad += write(j->fd, buf, REC) != REC; /* one call a record: never split */
    else bad += pwrite(j->fd, buf, REC, ((off_t)j->id * RECS + r) * REC) != REC;
  }
  return (void *)bad;
}

/* Runs 4 writers on fd; returns the number of failed writes. */
static long run_writers(int fd, int mode) {
  pthread_t t[WRITERS_F];
  struct fjob jobs[WRITERS_F];
  long bad = 0;
  int made = 0;
  RC(pthread_barrier_init(&f_bar, NULL, WRITERS_F), 0);
  for (int i = 0; i < WRITERS_F; i++) {
    jobs[i] = (struct fjob){fd, i, mode};
    made += SPAWN(&t[i], NULL, file_writer, &jobs[i]);
  }
  if (made != WRITERS_F) { printf("FAIL [%s] only %d writers started\n", section, made); fail(); exit(1); }
  for (int i = 0; i < made; i++) bad += (long)JOIN(t[i]);
  RC(pthread_barrier_destroy(&f_bar), 0);
  return bad;
}

/* Reads the whole file; counts records that are not whole, duplicated, or (when ordered) out of
 * each writer's order; with `placed`, each must sit at its own pwrite offset. */
static void verify(const char *path, int placed, const char *what) {
  static char data[WRITERS_F * RECS * REC + 1];
  int fd = OK(open(path, O_RDONLY));
  if (fd < 0) return;
  struct stat st;
  OK(fstat(fd, &st));
  EQ(st.st_size, (long)WRITERS_F * RECS * REC);
  ssize_t got = 0, n;
  while ((n = read(fd, data + got, sizeof data - (size_t)got)) > 0) got += n;
  OK(n);
  OK(close(fd));
  EQ(got, (long)WRITERS_F * RECS * REC);
  static char seen[WRITERS_F][RECS];
  memset(seen, 0, sizeof seen);
  int next[WRITERS_F] = {0};
  long broken = 0, dup = 0, order = 0, misplaced = 0;
  for (ssize_t off = 0; off + REC <= got; off += REC) {
    int t, r;
    if (parse(data + off, &t, &r) != 0) { broken++; continue; }
    if (seen[t][r]++) dup++;
    if (r != next[t]) order++;
    next[t] = r + 1;
    if (placed && off != ((off_t)t * RECS + r) * REC) misplaced++;
  }
  EQ(broken, 0);
  EQ(dup, 0);
  EQ(order, 0);
  EQ(misplaced, 0);
  printf("%s: %s: size %ld, %ld records, every record whole and in its writer's order: %s\n", section, what,
         (long)st.st_size, (long)got / REC, yes(broken == 0 && dup == 0 && order == 0 && misplaced == 0));
}

static void files_test(void) {
  section = "files";
  int fd = OK(open("threads-append.tmp", O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644));
  if (fd >= 0) {
    EQ(run_writers(fd, 0), 0);
    OK(close(fd));
    verify("threads-append.tmp", 0, "4 threads x 1000 O_APPEND writes of 16 bytes");
    OK(unlink("threads-append.tmp"));
  }
  fd = OK(open("threads-pwrite.tmp", O_WRONLY | O_CREAT | O_TRUNC, 0644));
  if (fd >= 0) {
    EQ(run_writers(fd, 1), 0);
    EQ(lseek(fd, 0, SEEK_CUR), 0); /* pwrite leaves the offset alone */
    OK(close(fd));
    verify("threads-pwrite.tmp", 1, "4 threads x 1000 pwrites to their own regions");
    OK(unlink("threads-pwrite.tmp"));
  }
  fd = OK(open("threads-shared.tmp", O_WRONLY | O_CREAT | O_TRUNC, 0644));
  if (fd >= 0) {
    EQ(run_writers(fd, 0), 0);
    EQ(lseek(fd, 0, SEEK_CUR), (long)WRITERS_F * RECS * REC);
    OK(close(fd));
    verify("threads-shared.tmp", 0, "4 threads x 1000 writes at one shared offset");
    OK(unlink("threads-shared.tmp"));
  }
}

/* ------------------------------------------------------------------------------------------ */

static int pipe_fds[2];
static int reader_ready; /* set just before the thread's read */
static int reader_got;   /* set once its read returned */
static sem_t ready_sem;

struct readout { ssize_t n; int err; char buf[32]; };

static void *pipe_reader(void *arg) {
  struct readout *o = arg;
  __atomic_store_n(&reader_ready, 1, __ATOMIC_SEQ_CST);
  sem_post(&ready_sem);
  do o->n = read(pipe_fds[0], o->buf, sizeof o->buf - 1); while (o->n < 0 && errno == EINTR);
  o->err = o->n < 0 ? errno : 0;
  __atomic_store_n(&reader_got, 1, __ATOMIC_SEQ_CST);
  return NULL;
}

static void pipe_test(void) {
  section = "pipe";
  OK(sem_init(&ready_sem, 0, 0));
  if (OK(pipe(pipe_fds)) < 0) return;
  struct readout o;
  memset(&o, 0, sizeof o);
  pthread_t t;
  if (SPAWN(&t, NULL, pipe_reader, &o)) {
    OK(sem_wait_all(&ready_sem));
    sleep_ms(50);
    /* the reader is blocked (nothing was written); this thread goes on working */
    volatile long work = 0;
    for (int i = 0; i < 1000; i++) { work++; getppid(); }
    EQ(__atomic_load_n(&reader_got, __ATOMIC_SEQ_CST), 0);
    printf("%s: main ran: %s; the reader was still waiting: %s\n", section, yes(work == 1000),
           yes(__atomic_load_n(&reader_got, __ATOMIC_SEQ_CST) == 0));
    OK(write_all(pipe_fds[1], "wake up", 7));
    JOIN(t);
    EQ(o.n, 7);
    EQ(strcmp(o.buf, "wake up"), 0);
    printf("%s: the blocked thread read \"%s\"\n", section, o.buf);
  }

  /* EOF reaches a blocked reader when the last write end closes */
  memset(&o, 0, sizeof o);
  reader_got = 0;
  if (SPAWN(&t, NULL, pipe_reader, &o)) {
    OK(sem_wait_all(&ready_sem));
    sleep_ms(20);
    OK(close(pipe_fds[1]));
    JOIN(t);
    EQ(o.n, 0);
    printf("%s: closing the write end gave the blocked reader EOF (read returned %ld)\n", section, (long)o.n);
  }
  OK(close(pipe_fds[0]));
  OK(sem_destroy(&ready_sem));
}

/* ------------------------------------------------------------------------------------------ */

static void *square(void *arg) {
  long i = (long)arg;
  return (void *)(i * i);
}

static void *sum_to(void *arg) {
  long n = (long)arg, s = 0;
  for (long i = 1; i <= n; i++) s += i;
  return (void *)s;
}

static void many_test(void) {
  section = "many";
  long total = 0, want = 0;
  int made = 0, bad = 0;
  for (long i = 0; i < 100; i++) {
    pthread_t t;
    void *v = NULL;
    if (pthread_create(&t, NULL, square, (void *)i) != 0) { bad++; continue; }
    made++;
    if (pthread_join(t, &v) != 0) bad++;
    total += (long)v;
    want += i * i;
  }
  EQ(made, 100);
  EQ(bad, 0);
  EQ(total, want);
  printf("%s: 100 threads created and joined one after another: sum of results %ld\n", section, total);

  pthread_t t[16];
  made = 0;
  bad = 0;
  for (long i = 0; i < 16; i++) made += pthread_create(&t[made], NULL, sum_to, (void *)(i * 1000)) == 0;
  EQ(made, 16);
  for (int i = 0; i < made; i++) {
    void *v = NULL;
    if (pthread_join(t[i], &v) != 0) bad++;
    long n = i * 1000L;
    if ((long)v != n * (n + 1) / 2) bad++;
  }
  EQ(bad, 0);
  printf("%s: 16 threads at once: all %d results right: %s\n", section, made, yes(bad == 0));
}

/* ------------------------------------------------------------------------------------------ */

/* Recursion whose every frame holds 96 bytes that are all written and read back (about 100 KiB
 * of stack at depth 1000); returns the sum of depths. */
static long deep(int depth) {
  volatile unsigned char frame[96];
  for (int i = 0; i < 96; i++) frame[i] = (unsigned char)(depth + i);
  long below = depth == 0 ? 0 : deep(depth - 1);
  for (int i = 0; i < 96; i++) if (frame[i] != (unsigned char)(depth + i)) below += 1000000;
  return below + depth;
}

/* Fills and checks a 64 KiB local array; with `recurse`, recurses 1000 deep while it is live. */
static __attribute__((noinline)) long big_frame(int recurse) {
  volatile unsigned char big[64 * 1024];
  for (size_t i = 0; i < sizeof big; i++) big[i] = (unsigned char)(i * 7);
  long bad = recurse && deep(1000) != 1000L * 1001 / 2;
  for (size_t i = 0; i < sizeof big; i++) bad += big[i] != (unsigned char)(i * 7);
  return bad;
}

/* lind-glibc's default thread stack is 128 KiB with no guard page (an overflow would corrupt
 * memory silently), so a default thread uses the array and the recursion one after the other;
 * only the 256 KiB thread holds the array during the recursion (about 170 KiB in a cage). */
static void *stack_worker(void *arg) {
  int together = (int)(long)arg;
  long bad = big_frame(together);
  if (!together && deep(1000) != 1000L * 1001 / 2) bad++;
  return (void *)bad;
}

static void stack_test(void) {
  section = "stack";
  pthread_t t;
  if (SPAWN(&t, NULL, stack_worker, (void *)0)) EQ((long)JOIN(t), 0);
  printf("%s: default-stack thread: a 64 KiB local array, then recursion 1000 deep: ok\n", section);
  pthread_attr_t a;
  size_t size = 0;
  RC(pthread_attr_init(&a), 0);
  RC(pthread_attr_setstacksize(&a, 256 * 1024), 0);
  RC(pthread_attr_getstacksize(&a, &size), 0);
  EQ(size, 256 * 1024);
  if (SPAWN(&t, &a, stack_worker, (void *)1)) EQ((long)JOIN(t), 0);
  RC(pthread_attr_destroy(&a), 0);
  printf("%s: 256 KiB-stack thread: recursion 1000 deep with the 64 KiB array live: ok\n", section);
}

/* ------------------------------------------------------------------------------------------ */

static volatile pid_t handler_tid;
static volatile int usr1_runs, usr2_runs, stop_sleeping;
static sem_t handled;
static int sig_pipe[2];

static void on_usr1(int sig) {
  (void)sig;
  handler_tid = thread_id();
  usr1_runs++;
  sem_post(&handled); /* async-signal-safe */
}

static void on_usr2(int sig) {
  (void)sig;
  handler_tid = thread_id();
  usr2_runs++;
}

static int install(int sig, void (*h)(int)) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = h;
  sigemptyset(&sa.sa_mask);
  return sigaction(sig, &sa, NULL);
}

struct sigtarget { pid_t tid; int mode; long result; }; /* mode 0: blocked in read, 1: sleeping */

static void *sig_target(void *arg) {
  struct sigtarget *s = arg;
  s->tid = thread_id();
  sem_post(&ready_sem);
  if (s->mode == 0) {
    char buf[8];
    ssize_t n;
    do n = read(sig_pipe[0], buf, sizeof buf); while (n < 0 && errno == EINTR); /* EINTR if the signal came mid-read */
    s->result = n;
  } else {
    while (!usr1_runs && !stop_sleeping) sleep_ms(10);
    s->result = 1;
  }
  return NULL;
}

static void signal_setup(void) {
  OK(sem_init(&ready_sem, 0, 0));
  OK(sem_init(&handled, 0, 0));
  OK(install(SIGUSR1, on_usr1));
  OK(install(SIGUSR2, on_usr2));
  OK(pipe(sig_pipe));
}

/* pthread_kill to a thread blocked in read() and to one sleeping. The wait for the handler is
 * bounded, so that a pthread_kill that sends nothing fails the checks instead of hanging (as
 * lind-glibc's does: it makes no syscall). */
static void pthread_kill_test(void) {
  section = "pthread-kill";
  signal_setup();
  const char *modes[] = {"blocked in read()", "sleeping"};
  for (int mode = 0; mode < 2; mode++) {
    struct sigtarget s = { 0, mode, -1 };
    pthread_t t;
    usr1_runs = 0;
    handler_tid = 0;
    stop_sleeping = 0;
    if (!SPAWN(&t, NULL, sig_target, &s)) continue;
    OK(sem_wait_all(&ready_sem));
    sleep_ms(20); /* most likely in its read or sleep by now; either way the signal is for it */
    RC(pthread_kill(t, SIGUSR1), 0);
    struct timespec d = deadline(CLOCK_REALTIME, 5000);
    int r;
    while ((r = sem_timedwait(&handled, &d)) != 0 && errno == EINTR) {}
    if (r != 0) { printf("FAIL [%s] the SIGUSR1 handler did not run within 5 s\n", section); fail(); }
    stop_sleeping = 1;
    if (mode == 0) OK(write_all(sig_pipe[1], "go", 2));
    JOIN(t);
    EQ(usr1_runs, 1);
    EQ(handler_tid, s.tid);
    EQ(s.result, mode == 0 ? 2 : 1);
    printf("%s: pthread_kill(SIGUSR1) to a thread %s: the handler ran once, in that thread: %s\n", section,
           modes[mode], yes(usr1_runs == 1 && handler_tid == s.tid));
  }
  OK(close(sig_pipe[0]));
  OK(close(sig_pipe[1]));
}

/* kill() to the process while the only other thread blocks SIGUSR2: main takes it, before kill returns. */
/* A thread waits on a futex word nobody changes (10 s at most); a signal handled in that thread
 * cuts the wait short with EINTR. */
static int eintr_word, eintr_ready;
static void *futex_waiter(void *arg) {
  (void)arg;
  sigset_t usr2;
  sigemptyset(&usr2);
  sigaddset(&usr2, SIGUSR2);
  /* main, which made it, blocks SIGUSR2. sigprocmask, which is per thread on Linux: lind-glibc's
   * pthread_sigmask makes no syscall. */
  sigprocmask(SIG_UNBLOCK, &usr2, NULL);
  struct timespec ten;
  memset(&ten, 0, sizeof ten);
  ten.tv_sec = 10;
  __atomic_store_n(&eintr_ready, 1, __ATOMIC_SEQ_CST);
  int r = futex_wait(&eintr_word, 0, &ten);
  return (void *)(long)(r == -1 ? errno : 1000 + r);
}

static void signal_test(void) {
  section = "signal";
  signal_setup();
  sigset_t usr2, old;
  sigemptyset(&usr2);
  sigaddset(&usr2, SIGUSR2);
  RC(pthread_sigmask(SIG_BLOCK, &usr2, &old), 0);
  struct sigtarget s = { 0, 0, -1 };
  pthread_t t;
  int made = SPAWN(&t, NULL, sig_target, &s); /* inherits the blocked mask */
  RC(pthread_sigmask(SIG_SETMASK, &old, NULL), 0);
  if (made) OK(sem_wait_all(&ready_sem));
  handler_tid = 0;
  OK(kill(getpid(), SIGUSR2));
  EQ(usr2_runs, 1);
  EQ(handler_tid, thread_id());
  sleep_ms(20);
  EQ(usr2_runs, 1);
  if (made) {
    OK(write_all(sig_pipe[1], "go", 2));
    JOIN(t);
    EQ(s.result, 2);
  }
  printf("%s: kill(getpid(), SIGUSR2) with another thread blocking it: delivered once, to main: %s\n", section,
         yes(usr2_runs == 1 && handler_tid == thread_id()));
  OK(close(sig_pipe[0]));
  OK(close(sig_pipe[1]));

  /* kill to the process while main blocks SIGUSR2: it goes to the thread waiting on a futex */
  OK(sigprocmask(SIG_BLOCK, &usr2, &old));
  usr2_runs = 0;
  handler_tid = 0;
  pthread_t w;
  if (SPAWN(&w, NULL, futex_waiter, NULL)) {
    while (!__atomic_load_n(&eintr_ready, __ATOMIC_SEQ_CST)) sleep_ms(1);
    sleep_ms(50); /* well inside its wait */
    OK(kill(getpid(), SIGUSR2));
    EQ((long)JOIN(w), (long)EINTR);
    EQ(usr2_runs, 1);
    EQ(handler_tid != thread_id(), 1);
  }
  OK(sigprocmask(SIG_SETMASK, &old, NULL));
  printf("%s: a signal to a thread waiting on a futex: the handler ran there, the wait ended with EINTR: %s\n", section,
         yes(usr2_runs == 1 && handler_tid != thread_id()));
}

/* ------------------------------------------------------------------------------------------ */

static void *child_thread(void *arg) { return (void *)((long)arg + 1); }
static volatile long idle_ticks; /* advanced by fork_run's idle thread while it runs */

/* The child of a thread: with `spawn` (part of `self`), it runs a thread of its own; without,
 * it checks that it runs alone and that its descriptors work. It exits 7 if all went well. */
static void forked_child(int spawn) {
  passed = failed = 0; /* the child counts its own checks */
  printf("%s: the child of a thread runs\n", section);
  if (spawn) {
    pthread_t t;
    if (SPAWN(&t, NULL, child_thread, (void *)6)) EQ((long)JOIN(t), 7);
  } else {
    long ticks = idle_ticks;
    sleep_ms(50);
    EQ(idle_ticks, ticks); /* the idle thread was not copied */
    int fd = OK(open("threads-fork-child.tmp", O_RDWR | O_CREAT | O_TRUNC, 0644));
    char buf[16] = {0};
    if (fd >= 0) {
      EQ(write_all(fd, "from the child", 14), 0);
      EQ(pread(fd, buf, sizeof buf - 1, 0), 14);
      EQ(strcmp(buf, "from the child"), 0);
      OK(close(fd));
      OK(unlink("threads-fork-child.tmp"));
    }
    printf("%s: the child runs alone (the idle thread's ticks stood still): %s; it wrote and read back \"%s\"\n",
           section, yes(idle_ticks == ticks), buf);
  }
  EQ(getpid() == thread_id(), 1); /* the forking thread is the child's main thread */
  _exit(failed ? 99 : 7);
}

static void *forker(void *arg) {
  pid_t p = fork();
  if (p < 0) { printf("FAIL [%s] fork() in a thread: got -1 %s\n", section, errname(errno)); fail(); return NULL; }
  if (p == 0) forked_child((int)(long)arg);
  int st = 0;
  pid_t r;
  do r = waitpid(p, &st, 0); while (r < 0 && errno == EINTR);
  EQ(r, p);
  STATUS(st, "exited 7");
  printf("%s: the forking thread's waitpid: child %s\n", section, describe(st));
  return NULL;
}

static void *idle_until(void *arg) {
  while (!__atomic_load_n((int *)arg, __ATOMIC_SEQ_CST)) {
    idle_ticks = idle_ticks + 1;
    sleep_ms(5);
  }
  return NULL;
}

/* A thread forks while a third one idles; `spawn`: the child creates a thread (see forked_child). */
static void fork_run(int spawn) {
  int stop = 0;
  pthread_t idle, f;
  int idling = SPAWN(&idle, NULL, idle_until, &stop); /* a third thread, not copied into the child */
  if (SPAWN(&f, NULL, forker, (void *)(long)spawn)) JOIN(f);
  __atomic_store_n(&stop, 1, __ATOMIC_SEQ_CST);
  if (idling) JOIN(idle);
  int st;
  ERR(wait(&st), ECHILD);
}

static void fork_test(void) {
  section = "fork";
  fork_run(0);
}

/* ------------------------------------------------------------------------------------------ */

/* Everything that needs glibc to find a thread's own descriptor (THREAD_SELF): lind-glibc's is a
 * slot in the thread's TLS block, not the one pthread_create made and returned, so in a cage
 * these fail (or trap); the ones that fail without trapping come first, then pthread_exit, which
 * traps, then the rwlock invariant, whose failures in a cage would depend on scheduling (it never
 * runs there, so a cage's output stays the same from run to run). */
static void self_test(void) {
  section = "self";
  pthread_self_self();
  rwlock_self();
  fork_run(1);
  detach_join_self();
  key_self();
  pthread_exit_self();
  rwlock_invariant_self();
}

/* ------------------------------------------------------------------------------------------ */

static void *sleep_forever(void *arg) {
  (void)arg;
  for (;;) sleep_ms(10);
  return NULL;
}

static void *exit_3(void *arg) {
  (void)arg;
  sleep_ms(20);
  exit(3);
}

static void exit_group_test(void) {
  section = "exit-group";
  printf("%s: a thread calls exit(3) while main joins a thread that sleeps forever\n", section);
  pthread_t sleeper, exiter;
  if (!SPAWN(&sleeper, NULL, sleep_forever, NULL) || !SPAWN(&exiter, NULL, exit_3, NULL)) return;
  JOIN(sleeper);
  printf("FAIL [%s] pthread_join of the sleeper returned\n", section);
  fail();
}

static void *bad_access(void *arg) {
  (void)arg;
  volatile int *far = (volatile int *)(unsigned long)0xfffffff0u; /* beyond any wasm32 cage's memory */
  *far = 1;
  return NULL;
}

static void trap_test(void) {
  section = "trap";
  printf("%s: a thread writes beyond memory while main joins it\n", section);
  pthread_t t;
  if (SPAWN(&t, NULL, bad_access, NULL)) JOIN(t);
  printf("FAIL [%s] the process survived its thread's bad access\n", section);
  fail();
}

static void *exec_echo(void *arg) {
  (void)arg;
  sleep_ms(20);
  printf("%s: a thread execs echo-args while another sleeps\n", section);
  char *argv[] = {"echo-args", "from-thread", NULL};
  execve("./echo-args", argv, fixed_env);
  printf("FAIL [%s] execve(./echo-args) in a thread: got -1 %s\n", section, errname(errno));
  fail();
  exit(failed);
}

static sem_t limit_go;

static void *wait_for_go(void *arg) {
  (void)arg;
  while (sem_wait(&limit_go) != 0) {}
  return NULL;
}

static void limit_test(void) {
  section = "limit";
  OK(sem_init(&limit_go, 0, 0));
  pthread_t t[16];
  int made = 0, err = 0;
  while (made < 16 && (err = pthread_create(&t[made], NULL, wait_for_go, NULL)) == 0) made++;
  if (made == 16) printf("%s: all 16 threads made\n", section);
  else printf("%s: %d threads made, then pthread_create failed with %s\n", section, made, errname(err));
  for (int i = 0; i < made; i++) OK(sem_post(&limit_go));
  for (int i = 0; i < made; i++) JOIN(t[i]);
  OK(sem_destroy(&limit_go));
}

static volatile unsigned long spins;

static void *spin_forever(void *arg) {
  (void)arg;
  for (;;) spins++;
  return NULL;
}

static void spin_test(void) {
  section = "spin";
  printf("%s: a thread spins while main joins it\n", section);
  pthread_t t;
  if (SPAWN(&t, NULL, spin_forever, NULL)) JOIN(t);
  printf("FAIL [%s] pthread_join of a spinning thread returned\n", section);
  fail();
}

static void *exec_forker(void *arg) {
  (void)arg;
  sleep_ms(20);
  printf("%s: a thread execs proctest fork-wait while another sleeps\n", section);
  char *argv[] = {"proctest", "fork-wait", NULL};
  execve("./proctest", argv, fixed_env);
  printf("FAIL [%s] execve(./proctest) in a thread: got -1 %s\n", section, errname(errno));
  fail();
  exit(failed);
}

/* The program a thread execs forks: it runs on its own main stack, not the thread's. */
static void exec_fork_test(void) {
  section = "exec-fork";
  pthread_t sleeper, execer;
  if (!SPAWN(&sleeper, NULL, sleep_forever, NULL) || !SPAWN(&execer, NULL, exec_forker, NULL)) return;
  JOIN(sleeper);
  printf("FAIL [%s] pthread_join of the sleeper returned\n", section);
  fail();
}

static void exec_test(void) {
  section = "exec";
  pthread_t sleeper, execer;
  if (!SPAWN(&sleeper, NULL, sleep_forever, NULL) || !SPAWN(&execer, NULL, exec_echo, NULL)) return;
  JOIN(sleeper);
  printf("FAIL [%s] pthread_join of the sleeper returned\n", section);
  fail();
}

/* ------------------------------------------------------------------------------------------ */

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IONBF, 0); /* lines whole and in order, nothing buffered across fork/exec */
  static const struct { const char *name; void (*run)(void); } cmds[] = {
    {"mutex", mutex_test}, {"condvar", condvar_test}, {"barrier", barrier_test}, {"rwlock", rwlock_test},
    {"sem", sem_test}, {"timedwait", timedwait_test}, {"tls", tls_test}, {"gettid", gettid_test},
    {"join", join_test}, {"files", files_test}, {"pipe", pipe_test}, {"many", many_test},
    {"stack", stack_test}, {"signal", signal_test}, {"pthread-kill", pthread_kill_test}, {"fork", fork_test},
    {"self", self_test},
    {"exit-group", exit_group_test}, {"trap", trap_test}, {"exec", exec_test}, {"exec-fork", exec_fork_test}, {"spin", spin_test}, {"limit", limit_test},
  };
  const char *cmd = argc > 1 ? argv[1] : "";
  for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
    if (strcmp(cmd, cmds[i].name) == 0) {
      cmds[i].run();
      printf("%d passed, %d failed\n", passed, failed);
      return failed > 255 ? 255 : failed;
    }
  }
  fprintf(stderr, "usage: threads");
  for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) fprintf(stderr, "%s%s", i ? "|" : " ", cmds[i].name);
  fprintf(stderr, "\n");
  return 2;
}
