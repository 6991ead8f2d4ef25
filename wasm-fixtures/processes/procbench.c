/*
 * The process benchmark (make bench's process rows), built against Lind's glibc (then asyncify)
 * like the other process cages, and natively with gcc at bench time as the reference:
 *
 *   procbench [-n N] [-p PASSES] [-x SELF] ROW...
 *
 * Each ROW runs N times (the pipe rows move N × 64 KiB, or make N round trips) in every one of
 * PASSES passes (default 1) and prints one line a pass, in bench.c's format:
 *
 *   <row> <ops/s> ops/s <ns/op> ns/op [<MB/s> MB/s]
 *
 * timed with clock_gettime(CLOCK_MONOTONIC) inside the program, so the process's own start-up
 * is not counted. Rows:
 *   fork-first  one fork + _exit(0) in the child + waitpid (N ignored): the first fork of a
 *               process (under the grate, the one that moves the cage into a worker)
 *   fork        fork, the child _exits at once, the parent waitpids it: a round trip
 *   exec        a chain of N execve calls of SELF (default argv[0]) by itself, each image
 *               exec'ing the next with the count and the start time in its argv; no fork
 *   pipe        a forked child reads N × 64 KiB writes of the parent through a pipe (MB/s);
 *               the child signals it is running before the clock starts, and that it has
 *               read everything (on a second pipe) before it stops
 *   pingpong    one byte to a forked child and one byte back, N round trips
 * Rows run in the order given. `exec` replaces the process: it must be the last row.
 * Exits 0, or 1 (saying why on stderr) when a call fails.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHUNK 65536

static long n = 1000;
static int passes = 1;
static const char *self;
static char chunk[CHUNK];

static void die(const char *what) {
  fprintf(stderr, "procbench: %s: %s\n", what, strerror(errno));
  fflush(stdout);
  _exit(1);
}

static long long now_ns(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) die("clock_gettime");
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void report(const char *row, long ops, long long ns, long long bytes) {
  double secs = ns / 1e9;
  printf("%-17s %.0f ops/s %.1f ns/op", row, ops / secs, ns / (double)ops);
  if (bytes > 0) printf(" %.1f MB/s", bytes / 1e6 / secs);
  printf("\n");
  fflush(stdout);
}

static void reap(pid_t pid, int want) {
  int st;
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR) die("waitpid");
  if (!WIFEXITED(st) || WEXITSTATUS(st) != want) {
    fprintf(stderr, "procbench: child status 0x%x, not exit %d\n", (unsigned)st, want);
    _exit(1);
  }
}

static void read_full(int fd, char *buf, size_t len) {
  while (len > 0) {
    ssize_t r = read(fd, buf, len);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) { if (r == 0) errno = EPIPE; die("read"); }
    buf += r; len -= (size_t)r;
  }
}

static void write_full(int fd, const char *buf, size_t len) {
  while (len > 0) {
    ssize_t w = write(fd, buf, len);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) die("write");
    buf += w; len -= (size_t)w;
  }
}

static void fork_rows(long count, const char *row) {
  long long t0 = now_ns();
  for (long i = 0; i < count; i++) {
    pid_t pid = fork();
    if (pid < 0) die("fork");
    if (pid == 0) _exit(0);
    reap(pid, 0);
  }
  report(row, count, now_ns() - t0, 0);
}

/* The child reads everything the parent writes, then says so. */
static void pipe_row(void) {
  int data[2], back[2];
  if (pipe(data) != 0 || pipe(back) != 0) die("pipe");
  pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    close(data[1]); close(back[0]);
    write_full(back[1], "r", 1);
    long long total = 0;
    for (;;) {
      ssize_t r = read(data[0], chunk, CHUNK);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) die("read (child)");
      if (r == 0) break;
      total += r;
    }
    write_full(back[1], total == (long long)n * CHUNK ? "k" : "x", 1);
    _exit(0);
  }
  close(data[0]); close(back[1]);
  char c;
  read_full(back[0], &c, 1);
  memset(chunk, 'p', CHUNK);
  long long t0 = now_ns();
  for (long i = 0; i < n; i++) write_full(data[1], chunk, CHUNK);
  close(data[1]);
  read_full(back[0], &c, 1);
  long long ns = now_ns() - t0;
  if (c != 'k') { fprintf(stderr, "procbench: the reader got a different byte count\n"); _exit(1); }
  close(back[0]);
  reap(pid, 0);
  report("pipe-64k", n, ns, (long long)n * CHUNK);
}

/* One byte there, one byte back. */
static void pingpong_row(void) {
  int there[2], back[2];
  if (pipe(there) != 0 || pipe(back) != 0) die("pipe");
  pid_t pid = fork();
  if (pid < 0) die("fork");
  char c = 'p';
  if (pid == 0) {
    close(there[1]); close(back[0]);
    write_full(back[1], "r", 1);
    for (;;) {
      ssize_t r = read(there[0], &c, 1);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) die("read (child)");
      if (r == 0) _exit(0);
      write_full(back[1], &c, 1);
    }
  }
  close(there[0]); close(back[1]);
  read_full(back[0], &c, 1);
  long long t0 = now_ns();
  for (long i = 0; i < n; i++) {
    write_full(there[1], &c, 1);
    read_full(back[0], &c, 1);
  }
  long long ns = now_ns() - t0;
  close(there[1]);
  close(back[0]);
  reap(pid, 0);
  report("pingpong", n, ns, 0);
}

/* exec-chain LEFT PASS START: one link of the exec row's chain. */
static void exec_link(long left, int pass, long long start) {
  if (left == 0) {
    report("exec", n, now_ns() - start, 0);
    if (++pass >= passes) exit(0);
    left = n;
    start = now_ns();
  }
  char sn[24], sp[24], sleft[24], spass[24], sstart[24];
  snprintf(sn, sizeof sn, "%ld", n);
  snprintf(sp, sizeof sp, "%d", passes);
  snprintf(sleft, sizeof sleft, "%ld", left - 1);
  snprintf(spass, sizeof spass, "%d", pass);
  snprintf(sstart, sizeof sstart, "%lld", start);
  char *argv[] = {(char *)self, "-n", sn, "-p", sp, "-x", (char *)self, "exec-chain", sleft, spass, sstart, NULL};
  char *envp[] = {NULL};
  fflush(stdout);
  execve(self, argv, envp);
  die("execve");
}

int main(int argc, char **argv) {
  self = argv[0];
  int opt;
  while ((opt = getopt(argc, argv, "n:p:x:")) != -1) {
    switch (opt) {
    case 'n': n = atol(optarg); break;
    case 'p': passes = atoi(optarg); break;
    case 'x': self = optarg; break;
    default: fprintf(stderr, "usage: procbench [-n N] [-p PASSES] [-x SELF] ROW...\n"); return 2;
    }
  }
  if (n < 1 || passes < 1) { fprintf(stderr, "procbench: -n and -p must be at least 1\n"); return 2; }
  if (optind + 4 == argc && strcmp(argv[optind], "exec-chain") == 0) {
    exec_link(atol(argv[optind + 1]), atoi(argv[optind + 2]), atoll(argv[optind + 3]));
  }
  for (int a = optind; a < argc; a++) {
    const char *row = argv[a];
    if (strcmp(row, "exec") == 0 && a + 1 != argc) { fprintf(stderr, "procbench: exec must be the last row\n"); return 2; }
    for (int p = 0; p < passes; p++) {
      if (strcmp(row, "fork-first") == 0) { fork_rows(1, "fork-first"); break; }
      else if (strcmp(row, "fork") == 0) fork_rows(n, "fork");
      else if (strcmp(row, "pipe") == 0) pipe_row();
      else if (strcmp(row, "pingpong") == 0) pingpong_row();
      else if (strcmp(row, "exec") == 0) exec_link(n, 0, now_ns());
      else { fprintf(stderr, "procbench: unknown row %s\n", row); return 2; }
    }
  }
  return 0;
}
