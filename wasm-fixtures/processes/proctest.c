/*
 * Process fixture, built against Lind's glibc (then asyncify) and natively: `proctest SUBCOMMAND
 * [ARGS...]`, run with the working directory holding executables `proctest`, `echo-args` and
 * `upcase` (the three programs of this directory), writable. Each subcommand checks every call,
 * prints `FAIL [section] line N: ...` (with the errno name) for each failed check, deterministic
 * `section: ...` lines (never pids, never times), and ends with `N passed, M failed` and status M.
 *
 *   fork-wait     fork returns twice, memory is copied, exit statuses, waitpid/wait/WNOHANG/ECHILD,
 *                 several children reaped by wait, getppid in the child, a grandchild
 *   fork-files    open file descriptions shared across fork (offset, O_APPEND), a pipe across fork,
 *                 O_CLOEXEC / FD_CLOEXEC descriptors closed by exec and the others kept with offsets
 *   exec          execve of echo-args (argv and envp as bytes, non-UTF-8 included), #! scripts (one
 *                 interpreter argument, none, nested), ENOENT/EACCES/ENOEXEC/ENOTDIR, pid kept
 *   spawn         posix_spawn with and without file actions (stdout to a file, a dup2, a close);
 *                 a missing program reported either as ENOENT (Linux) or as a child exiting 127
 *                 (what processes.md §4 says lind-glibc's posix_spawn can do at best)
 *   pipeline      three cages A | B(upcase, exec'd) | C through pipes, 110000 bytes, EOF, statuses
 *   shell CMD...  a tiny shell: each CMD like `echo-args a b | upcase > out` run with
 *                 fork/pipe/dup2/execve/waitpid, then the files it wrote printed
 *   zombies       a zombie exists (kill 0) until reaped; an orphaned grandchild runs to its end
 *   signals       SIGPIPE default/ignored, SIGCHLD handler, alarm+pause, kill SIGTERM, kill 0,
 *                 SA_RESETHAND, handlers inherited by fork and reset by exec (SIG_IGN kept)
 *   fork-bomb [MAX]  fork until fork fails (EAGAIN or ENOMEM expected), reap everyone
 *   spin          prints one line, then loops forever without a syscall
 *   faults        a child's bad memory access (SIGSEGV), SIGTERM/SIGKILL to a child computing
 *                 without syscalls, sigaction(SIGKILL), bad waitpid options, kill ESRCH
 *   waits         poll and select on a pipe, flock and F_SETLKW, FIFO opens: each waiting for
 *                 another cage; nanosleep cut short by a signal
 *   deadlock      (grate only: Linux hangs) two cages each reading a pipe only the other could fill
 * Internal (exec targets of the above): fdcheck, sigcheck, pidcheck.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "checks.h"

static char *const fixed_env[] = {"FIXTURE=processes", NULL};

#define STREQ(got, want) streq_(got, want, #got, __LINE__)
static void streq_(const char *got, const char *want, const char *what, int line) {
  if (strcmp(got, want) != 0) {
    printf("FAIL [%s] line %d: %s: got \"%s\", want \"%s\"\n", section, line, what, got, want);
    failed++;
  } else {
    passed++;
  }
}

/* In a child: end with `code` if every check the child made passed, else with 99. */
static void child_end(int code) {
  _exit(failed ? 99 : code);
}

/* fork, failing the check (and returning -1) if it fails. */
#define FORK() fork_(__LINE__)
static pid_t fork_(int line) {
  pid_t p = fork();
  if (p < 0) {
    printf("FAIL [%s] line %d: fork(): got -1 %s\n", section, line, errname(errno));
    failed++;
  }
  if (p == 0) passed = failed = 0; /* the child counts its own checks */
  return p;
}

/* Waits for `pid` and returns its status word (or -1 after a failed check). */
#define REAP(pid) reap_(pid, __LINE__)
static int reap_(pid_t pid, int line) {
  int st = 0;
  pid_t r;
  do r = waitpid(pid, &st, 0); while (r < 0 && errno == EINTR);
  if (r != pid) {
    printf("FAIL [%s] line %d: waitpid(child): got %d %s\n", section, line, (int)r, r < 0 ? errname(errno) : "");
    failed++;
    return -1;
  }
  passed++;
  return st;
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

/* Creates `path` with `content` and `mode` (chmod after, so the umask does not matter). */
static void make_file(const char *path, const char *content, mode_t mode) {
  int fd = OK(open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600));
  if (fd < 0) return;
  OK(write_all(fd, content, strlen(content)));
  OK(close(fd));
  OK(chmod(path, mode));
}

/* Runs `path` with `argv` and the fixed environment in a child; returns its status word. */
static int run_child(const char *path, char *const argv[]) {
  pid_t p = FORK();
  if (p == 0) {
    execve(path, argv, fixed_env);
    printf("FAIL [%s] execve(%s) in the child: got -1 %s\n", section, path, errname(errno));
    _exit(127);
  }
  return p < 0 ? -1 : REAP(p);
}

/* ------------------------------------------------------------------------------------------ */

static int global_value = 5;

static void fork_wait(void) {
  section = "fork-wait";
  pid_t me = getpid();
  int st;

  /* fork returns twice; the child's memory is a copy; exit status 7 */
  pid_t p = FORK();
  if (p == 0) {
    global_value = 99;
    EQ(getppid(), me);
    if (getpid() == me) { printf("FAIL [%s] the child's getpid() is the parent's\n", section); failed++; }
    child_end(7);
  }
  if (p > 0) {
    EQ(p != me, 1);
    st = REAP(p);
    STATUS(st, "exited 7");
    EQ(WIFEXITED(st), 1);
    EQ(WEXITSTATUS(st), 7);
    EQ(global_value, 5);
    printf("%s: first child %s; the parent's copy of a global is unchanged\n", section, describe(st));
  }

  /* no children left */
  ERR(wait(&st), ECHILD);
  ERR(waitpid(-1, &st, 0), ECHILD);
  ERR(waitpid(-1, &st, WNOHANG), ECHILD);
  if (p > 0) ERR(waitpid(p, &st, 0), ECHILD); /* already reaped */
  ERR(waitpid(me, &st, 0), ECHILD);           /* not a child */

  /* WNOHANG while the child runs: it waits for EOF on a pipe first */
  int fds[2];
  if (OK(pipe(fds)) == 0) {
    p = FORK();
    if (p == 0) {
      char c;
      OK(close(fds[1]));
      EQ(read(fds[0], &c, 1), 0); /* EOF once the parent closes its end */
      child_end(3);
    }
    OK(close(fds[0]));
    if (p > 0) {
      EQ(waitpid(p, &st, WNOHANG), 0);
      EQ(waitpid(-1, &st, WNOHANG), 0);
      OK(close(fds[1]));
      st = REAP(p);
      STATUS(st, "exited 3");
      printf("%s: WNOHANG gave 0 while the child ran; then it %s\n", section, describe(st));
    } else {
      close(fds[1]);
    }
  }

  /* five children, reaped by wait() in any order */
  int seen[5] = {0};
  int forked = 0;
  for (int i = 0; i < 5; i++) {
    p = FORK();
    if (p == 0) child_end(10 + i);
    if (p > 0) forked++;
  }
  for (int i = 0; i < forked; i++) {
    pid_t r = wait(&st);
    if (OK(r) > 0 && WIFEXITED(st) && WEXITSTATUS(st) >= 10 && WEXITSTATUS(st) < 15) seen[WEXITSTATUS(st) - 10]++;
    else if (r > 0) { printf("FAIL [%s] wait(): unexpected %s\n", section, describe(st)); failed++; }
  }
  printf("%s: wait() reaped %d children with statuses", section, forked);
  for (int i = 0; i < 5; i++) { EQ(seen[i], 1); printf(" %d", seen[i] ? 10 + i : -1); }
  printf("\n");
  ERR(wait(NULL), ECHILD);

  /* exit statuses keep only the low 8 bits; exit() from main's callee, and a return of main */
  p = FORK();
  if (p == 0) exit(256 + 42);
  if (p > 0) STATUS(REAP(p), "exited 42");
  p = FORK();
  if (p == 0) exit(255);
  if (p > 0) STATUS(REAP(p), "exited 255");

  /* a child forks a grandchild and waits for it; the child has none of its parent's children */
  pid_t zombie = FORK(); /* left unreaped while the next child runs */
  if (zombie == 0) child_end(0);
  p = FORK();
  if (p == 0) {
    ERR(wait(NULL), ECHILD); /* the parent's other child is not ours */
    pid_t me2 = getpid();
    pid_t g = FORK();
    if (g == 0) {
      EQ(getppid(), me2);
      child_end(5);
    }
    int gst = g > 0 ? REAP(g) : 0;
    child_end(g > 0 && WIFEXITED(gst) ? WEXITSTATUS(gst) + 1 : 98);
  }
  if (p > 0) {
    st = REAP(p);
    STATUS(st, "exited 6");
    printf("%s: a child reaped its own child (exited 5) and %s\n", section, describe(st));
  }
  if (zombie > 0) STATUS(REAP(zombie), "exited 0");
  ERR(wait(NULL), ECHILD);
}

/* ------------------------------------------------------------------------------------------ */

static void fork_files(void) {
  section = "fork-files";
  const char *path = "fork-files.tmp";
  int st;
  int fd = OK(open(path, O_RDWR | O_CREAT | O_TRUNC, 0644));
  if (fd < 0) return;
  OK(write_all(fd, "parent1\n", 8));

  /* the child writes at the shared offset, sets O_APPEND on the shared description, closes its fd */
  pid_t p = FORK();
  if (p == 0) {
    EQ(lseek(fd, 0, SEEK_CUR), 8);
    OK(write_all(fd, "child\n", 6));
    OK(fcntl(fd, F_SETFL, O_APPEND));
    OK(close(fd));
    child_end(0);
  }
  if (p > 0) {
    STATUS(REAP(p), "exited 0");
    EQ(lseek(fd, 0, SEEK_CUR), 14);
    EQ(fcntl(fd, F_GETFL) & O_APPEND, O_APPEND);
    OK(write_all(fd, "parent2\n", 8));
    char buf[64] = {0};
    EQ(pread(fd, buf, sizeof buf - 1, 0), 22);
    STREQ(buf, "parent1\nchild\nparent2\n");
    printf("%s: offset and O_APPEND shared with the child; file is parent1/child/parent2\n", section);
  }
  OK(fcntl(fd, F_SETFL, 0));

  /* a seek in the child moves the parent's offset */
  p = FORK();
  if (p == 0) {
    OK(lseek(fd, 3, SEEK_SET));
    child_end(0);
  }
  if (p > 0) {
    STATUS(REAP(p), "exited 0");
    EQ(lseek(fd, 0, SEEK_CUR), 3);
  }

  /* a pipe made before fork carries data from the child to the parent */
  int fds[2];
  if (OK(pipe(fds)) == 0) {
    p = FORK();
    if (p == 0) {
      OK(close(fds[0]));
      OK(write_all(fds[1], "through the pipe", 16));
      child_end(0);
    }
    OK(close(fds[1]));
    char buf[32] = {0};
    size_t got = 0;
    for (;;) {
      ssize_t n = read(fds[0], buf + got, sizeof buf - 1 - got);
      if (n < 0 && errno == EINTR) continue;
      if (OK(n) <= 0) break;
      got += (size_t)n;
    }
    STREQ(buf, "through the pipe");
    OK(close(fds[0]));
    if (p > 0) STATUS(REAP(p), "exited 0");
    printf("%s: the child's pipe write arrived, then EOF\n", section);
  }

  /* exec closes O_CLOEXEC and FD_CLOEXEC descriptors and keeps the others, offsets included */
  int a = OK(open(path, O_RDONLY | O_CLOEXEC));
  int b = OK(open(path, O_RDONLY));
  int c = b >= 0 ? OK(dup(b)) : -1;
  if (a >= 0 && b >= 0 && c >= 0) {
    EQ(fcntl(a, F_GETFD), FD_CLOEXEC);
    EQ(fcntl(b, F_GETFD), 0);
    OK(fcntl(c, F_SETFD, FD_CLOEXEC));
    EQ(fcntl(b, F_GETFD), 0); /* the flag belongs to the descriptor, not the description */
    EQ(lseek(b, 8, SEEK_SET), 8);
    char sa[16], sb[16], sc[16];
    snprintf(sa, sizeof sa, "%d", a);
    snprintf(sb, sizeof sb, "%d", b);
    snprintf(sc, sizeof sc, "%d", c);
    char *argv[] = {"proctest", "fdcheck", sa, sb, sc, NULL};
    st = run_child("./proctest", argv);
    STATUS(st, "exited 0");
    EQ(lseek(b, 0, SEEK_CUR), 14); /* the exec'd program read 6 bytes through the shared description */
    printf("%s: after exec the CLOEXEC descriptors were closed; the exec'd program %s\n", section, describe(st));
  }
  if (a >= 0) OK(close(a));
  if (b >= 0) OK(close(b));
  if (c >= 0) OK(close(c));
  OK(close(fd));
  OK(unlink(path));
}

/* exec target: fdcheck CLOEXEC_FD PLAIN_FD FD_CLOEXEC_FD */
static int fdcheck(char **argv) {
  section = "fdcheck";
  int a = atoi(argv[2]), b = atoi(argv[3]), c = atoi(argv[4]);
  ERR(fcntl(a, F_GETFD), EBADF);
  ERR(fcntl(c, F_GETFD), EBADF);
  EQ(fcntl(b, F_GETFD), 0);
  EQ(lseek(b, 0, SEEK_CUR), 8);
  char buf[8] = {0};
  EQ(read(b, buf, 6), 6);
  STREQ(buf, "child\n");
  printf("fdcheck: O_CLOEXEC fd closed, FD_CLOEXEC fd closed, plain fd open at offset 8 reading \"child\\n\"\n");
  return failed;
}

/* ------------------------------------------------------------------------------------------ */

static void exec_tests(void) {
  section = "exec";
  int st;

  char *a1[] = {"echo-args", "hello", "two words", "", NULL};
  st = run_child("./echo-args", a1);
  STATUS(st, "exited 0");

  char *a2[] = {"\xff\xfe-argv0", "caf\xc3\xa9", "\xff", "tab\there", "\x01\x7f\x80", NULL};
  st = run_child("./echo-args", a2);
  STATUS(st, "exited 0");

  /* execve with an empty environment */
  pid_t p = FORK();
  if (p == 0) {
    char *argv[] = {"no-env", NULL};
    char *envp[] = {NULL};
    execve("./echo-args", argv, envp);
    printf("FAIL [%s] execve with an empty envp: %s\n", section, errname(errno));
    _exit(127);
  }
  if (p > 0) STATUS(REAP(p), "exited 0");

  /* #! scripts: one argument (spaces inside kept), none (a space before the interpreter), nested */
  make_file("script1", "#!./echo-args -x  y\nignored\n", 0755);
  make_file("script2", "#! ./echo-args\n", 0755);
  make_file("script3", "#!./script1\n", 0755);
  char *s1[] = {"s1-argv0", "a", NULL};
  STATUS(run_child("./script1", s1), "exited 0");
  char *s2[] = {"s2-argv0", "b", NULL};
  STATUS(run_child("./script2", s2), "exited 0");
  char *s3[] = {"s3-argv0", "c", NULL};
  STATUS(run_child("./script3", s3), "exited 0");

  /* failures return to the caller */
  char *none[] = {"x", NULL};
  make_file("not-executable", "#!./echo-args\n", 0644);
  make_file("garbage", "this is neither wasm nor a script\n", 0755);
  make_file("empty", "", 0755);
  make_file("bad-interpreter", "#!./no-such-interpreter\n", 0755);
  ERR(execve("./no-such-file", none, fixed_env), ENOENT);
  ERR(execve("./not-executable", none, fixed_env), EACCES);
  ERR(execve("./garbage", none, fixed_env), ENOEXEC);
  ERR(execve("./empty", none, fixed_env), ENOEXEC);
  ERR(execve(".", none, fixed_env), EACCES);
  ERR(execve("./echo-args/x", none, fixed_env), ENOTDIR);
  ERR(execve("./bad-interpreter", none, fixed_env), ENOENT);
  ERR(execv("./no-such-file", none), ENOENT);
  printf("%s: ENOENT, EACCES (no x bit, a directory), ENOEXEC (garbage, empty), ENOTDIR, ENOENT (interpreter) as expected\n", section);

  /* the pid survives exec */
  p = FORK();
  if (p == 0) {
    char pid[16];
    snprintf(pid, sizeof pid, "%d", (int)getpid());
    char *argv[] = {"proctest", "pidcheck", pid, NULL};
    execve("./proctest", argv, fixed_env);
    printf("FAIL [%s] execve(./proctest): %s\n", section, errname(errno));
    _exit(127);
  }
  if (p > 0) STATUS(REAP(p), "exited 0");

  const char *files[] = {"script1", "script2", "script3", "not-executable", "garbage", "empty", "bad-interpreter"};
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) OK(unlink(files[i]));
}

static int pidcheck(char **argv) {
  section = "pidcheck";
  EQ(getpid(), atoi(argv[2]));
  printf("pidcheck: the pid is the same after exec\n");
  return failed;
}

/* ------------------------------------------------------------------------------------------ */

static void print_file(const char *path) {
  int fd = OK(open(path, O_RDONLY));
  if (fd < 0) return;
  printf("%s: --- %s ---\n", section, path);
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) fwrite(buf, 1, (size_t)n, stdout);
  OK(n);
  OK(close(fd));
}

static void spawn_tests(void) {
  section = "spawn";
  pid_t p = 0;
  int r;

  char *a1[] = {"echo-args", "spawned", NULL};
  r = posix_spawn(&p, "./echo-args", NULL, NULL, a1, fixed_env);
  if (EQ(r, 0)) STATUS(REAP(p), "exited 0");

  /* file actions: stdout to a new file, a dup2 of it onto fd 2, and a close of a parent's fd */
  int mine = OK(open(".", O_RDONLY | O_DIRECTORY));
  posix_spawn_file_actions_t fa;
  EQ(posix_spawn_file_actions_init(&fa), 0);
  EQ(posix_spawn_file_actions_addopen(&fa, 1, "spawn-out.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644), 0);
  EQ(posix_spawn_file_actions_adddup2(&fa, 1, 2), 0);
  if (mine >= 0) EQ(posix_spawn_file_actions_addclose(&fa, mine), 0);
  char *a2[] = {"echo-args", "to a file", NULL};
  r = posix_spawn(&p, "./echo-args", &fa, NULL, a2, fixed_env);
  if (EQ(r, 0)) STATUS(REAP(p), "exited 0");
  EQ(posix_spawn_file_actions_destroy(&fa), 0);
  print_file("spawn-out.txt");
  OK(unlink("spawn-out.txt"));

  /* the parent's descriptors are untouched by the child's file actions */
  if (mine >= 0) {
    EQ(fcntl(mine, F_GETFD), 0);
    OK(close(mine));
  }

  /* a program that does not exist */
  r = posix_spawn(&p, "./no-such-file", NULL, NULL, a1, fixed_env);
  if (r == ENOENT) {
    passed++;
  } else if (r == 0) {
    int st = REAP(p); /* counts as the one check of this case when the child was reaped */
    if (st != -1 && !(WIFEXITED(st) && WEXITSTATUS(st) == 127)) {
      printf("FAIL [%s] posix_spawn of a missing program: the child %s, want exited 127\n", section, describe(st));
      passed--;
      failed++;
    }
  } else {
    printf("FAIL [%s] posix_spawn of a missing program: got %s, want ENOENT\n", section, errname(r));
    failed++;
  }
  printf("%s: a missing program was reported (ENOENT, or a child that exited 127)\n", section);
  ERR(wait(NULL), ECHILD);
}

/* ------------------------------------------------------------------------------------------ */

#define LINES 10000

static void pipeline(void) {
  section = "pipeline";
  int ab[2], bc[2];
  if (OK(pipe(ab)) < 0 || OK(pipe(bc)) < 0) return;

  pid_t a = FORK();
  if (a == 0) { /* A: writes LINES lines "line NNNNN\n", 100 per write */
    OK(close(ab[0])); OK(close(bc[0])); OK(close(bc[1]));
    char buf[100 * 11 + 1];
    for (int i = 0; i < LINES; i += 100) {
      for (int k = 0; k < 100; k++) snprintf(buf + 11 * k, 12, "line %05d\n", i + k);
      if (write_all(ab[1], buf, 1100) < 0) { printf("FAIL [%s] A: write: %s\n", section, errname(errno)); failed++; break; }
    }
    OK(close(ab[1]));
    child_end(0);
  }
  pid_t b = FORK();
  if (b == 0) { /* B: upcase, stdin from A, stdout to C */
    OK(dup2(ab[0], 0)); OK(dup2(bc[1], 1));
    OK(close(ab[0])); OK(close(ab[1])); OK(close(bc[0])); OK(close(bc[1]));
    char *argv[] = {"upcase", NULL};
    execve("./upcase", argv, fixed_env);
    fprintf(stderr, "FAIL [%s] B: execve(./upcase): %s\n", section, errname(errno));
    _exit(127);
  }
  pid_t c = FORK();
  if (c == 0) { /* C: counts and checks every line */
    OK(close(ab[0])); OK(close(ab[1])); OK(close(bc[1]));
    char line[16];
    int lines = 0, len = 0, in_order = 1;
    long bytes = 0;
    char buf[4096];
    for (;;) {
      ssize_t n = read(bc[0], buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (OK(n) <= 0) break;
      bytes += n;
      for (ssize_t i = 0; i < n; i++) {
        if (len < (int)sizeof line - 1) line[len++] = buf[i];
        if (buf[i] == '\n') {
          char want[24];
          line[len] = 0;
          snprintf(want, sizeof want, "LINE %05d\n", lines);
          if (strcmp(line, want) != 0) in_order = 0;
          lines++;
          len = 0;
        }
      }
    }
    OK(close(bc[0]));
    EQ(lines, LINES);
    EQ(bytes, 11L * LINES);
    EQ(in_order, 1);
    printf("%s: C read %d lines, %ld bytes, %s, then EOF\n", section, lines, bytes, in_order ? "all upper case and in order" : "NOT in order");
    child_end(0);
  }
  OK(close(ab[0])); OK(close(ab[1])); OK(close(bc[0])); OK(close(bc[1]));
  /* statuses printed after all three ended, as C prints while A and B may still be ending */
  int sa = a > 0 ? REAP(a) : -1, sb = b > 0 ? REAP(b) : -1, sc = c > 0 ? REAP(c) : -1;
  STATUS(sa, "exited 0");
  STATUS(sb, "exited 0");
  STATUS(sc, "exited 0");
  printf("%s: A %s,", section, describe(sa));
  printf(" B (upcase) %s,", describe(sb));
  printf(" C %s\n", describe(sc));
  ERR(wait(NULL), ECHILD);

  /* One blocking write far larger than the pipe: it returns only when all of it is written. */
  enum { BIG = 300000 };
  static char big[BIG];
  int p[2];
  if (OK(pipe(p)) < 0) return;
  pid_t r = FORK();
  if (r == 0) {
    close(p[1]);
    long got = 0;
    ssize_t n;
    char buf[4096];
    while ((n = read(p[0], buf, sizeof buf)) > 0) got += n;
    child_end(got == BIG ? 0 : 1);
  }
  OK(close(p[0]));
  EQ(write(p[1], big, BIG), BIG);
  OK(close(p[1]));
  if (r > 0) STATUS(REAP(r), "exited 0");
  printf("%s: one write of %d bytes into a pipe returned them all; the reader got them all\n", section, BIG);
}

/* ------------------------------------------------------------------------------------------ */

#define MAXWORDS 32
#define MAXCMDS 8

struct cmd { char *argv[MAXWORDS + 1]; int argc; };

/* Runs one command line: words separated by spaces, `|` between commands, `< file` and
 * `> file` (first and last command). Program names are looked up in the working directory. */
static void shell_line(char *line, char **written, int *nwritten) {
  struct cmd cmds[MAXCMDS];
  int ncmd = 1;
  char *in = NULL, *out = NULL;
  memset(cmds, 0, sizeof cmds);
  printf("shell: $ %s\n", line);
  for (char *w = strtok(line, " "); w; w = strtok(NULL, " ")) {
    if (strcmp(w, "|") == 0) {
      if (ncmd == MAXCMDS) { printf("FAIL [shell] too many commands\n"); failed++; return; }
      ncmd++;
    } else if (strcmp(w, "<") == 0 || strcmp(w, ">") == 0) {
      char *f = strtok(NULL, " ");
      if (!f) { printf("FAIL [shell] no file after %s\n", w); failed++; return; }
      if (*w == '<') in = f; else out = f;
    } else if (cmds[ncmd - 1].argc < MAXWORDS) {
      cmds[ncmd - 1].argv[cmds[ncmd - 1].argc++] = w;
    }
  }
  for (int i = 0; i < ncmd; i++)
    if (cmds[i].argc == 0) { printf("FAIL [shell] empty command\n"); failed++; return; }

  pid_t pids[MAXCMDS];
  int prev = -1; /* read end of the previous pipe */
  for (int i = 0; i < ncmd; i++) {
    int p[2] = {-1, -1};
    if (i + 1 < ncmd && OK(pipe(p)) < 0) return;
    pids[i] = FORK();
    if (pids[i] == 0) {
      if (prev >= 0) { OK(dup2(prev, 0)); OK(close(prev)); }
      else if (in) { int fd = OK(open(in, O_RDONLY)); if (fd >= 0) { OK(dup2(fd, 0)); OK(close(fd)); } }
      if (p[1] >= 0) { OK(dup2(p[1], 1)); OK(close(p[1])); OK(close(p[0])); }
      else if (out) { int fd = OK(open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644)); if (fd >= 0) { OK(dup2(fd, 1)); OK(close(fd)); } }
      if (failed) _exit(99);
      char path[256];
      snprintf(path, sizeof path, "./%s", cmds[i].argv[0]);
      execve(path, cmds[i].argv, fixed_env);
      fprintf(stderr, "shell: %s: %s\n", cmds[i].argv[0], errname(errno));
      _exit(127);
    }
    if (prev >= 0) OK(close(prev));
    if (p[1] >= 0) OK(close(p[1]));
    prev = p[0];
  }
  for (int i = 0; i < ncmd; i++)
    if (pids[i] > 0) printf("shell: [%d] %s: %s\n", i, cmds[i].argv[0], describe(REAP(pids[i])));
  if (out && *nwritten < MAXCMDS) written[(*nwritten)++] = out;
}

static void shell(int argc, char **argv) {
  section = "shell";
  char *written[MAXCMDS];
  int nwritten = 0;
  for (int i = 2; i < argc; i++) shell_line(argv[i], written, &nwritten);
  for (int i = 0; i < nwritten; i++) {
    int fd = OK(open(written[i], O_RDONLY));
    if (fd < 0) continue;
    printf("shell: --- %s ---\n", written[i]);
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) fwrite(buf, 1, (size_t)n, stdout);
    OK(n);
    OK(close(fd));
  }
  for (int i = 0; i < nwritten; i++) {
    int dup = 0;
    for (int k = 0; k < i; k++) dup |= strcmp(written[k], written[i]) == 0;
    if (!dup) OK(unlink(written[i]));
  }
  ERR(wait(NULL), ECHILD);
}

/* ------------------------------------------------------------------------------------------ */

static volatile sig_atomic_t got_signal, handler_runs;

static void on_signal(int sig) {
  got_signal = sig;
  handler_runs++;
}

static int install(int sig, void (*handler)(int), int flags) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = handler;
  sa.sa_flags = flags;
  sigemptyset(&sa.sa_mask);
  return sigaction(sig, &sa, NULL);
}

static void zombies(void) {
  section = "zombies";
  sigset_t chld, old, none;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigemptyset(&none);

  /* a child that ends before its parent waits stays a zombie (kill 0 finds it) until reaped */
  OK(install(SIGCHLD, on_signal, 0));
  OK(sigprocmask(SIG_BLOCK, &chld, &old));
  got_signal = 0;
  pid_t p = FORK();
  if (p == 0) child_end(4);
  if (p > 0) {
    while (got_signal != SIGCHLD) {
      ERR(sigsuspend(&none), EINTR);
      if (failed) break;
    }
    EQ(got_signal, SIGCHLD);
    EQ(kill(p, 0), 0);
    int st = REAP(p);
    STATUS(st, "exited 4");
    ERR(kill(p, 0), ESRCH);
    printf("%s: the child ended first, was a zombie until waitpid (%s), then gone\n", section, describe(st));
  }
  OK(sigprocmask(SIG_SETMASK, &old, NULL));
  OK(install(SIGCHLD, SIG_DFL, 0));

  /* an orphan: the middle child exits at once; the grandchild, told to go on afterwards, sees a
   * new parent and reports over a pipe that it ran to its end */
  int go[2], report[2];
  if (OK(pipe(go)) < 0 || OK(pipe(report)) < 0) return;
  p = FORK();
  if (p == 0) {
    pid_t middle = getpid();
    pid_t g = FORK();
    if (g == 0) {
      char c;
      OK(close(go[1])); OK(close(report[0]));
      EQ(read(go[0], &c, 1), 1); /* the parent writes after the middle child was reaped */
      int reparented = getppid() != middle;
      EQ(reparented, 1);
      char msg[64];
      int n = snprintf(msg, sizeof msg, "grandchild: %s, ran to its end\n", reparented ? "reparented" : "NOT reparented");
      OK(write_all(report[1], msg, (size_t)n));
      child_end(0);
    }
    child_end(g > 0 ? 0 : 98);
  }
  OK(close(go[0])); OK(close(report[1]));
  if (p > 0) {
    STATUS(REAP(p), "exited 0");
    EQ(write(go[1], "g", 1), 1);
  }
  OK(close(go[1]));
  char buf[128] = {0};
  size_t got = 0;
  for (;;) {
    ssize_t n = read(report[0], buf + got, sizeof buf - 1 - got);
    if (n < 0 && errno == EINTR) continue;
    if (OK(n) <= 0) break;
    got += (size_t)n;
  }
  OK(close(report[0]));
  STREQ(buf, "grandchild: reparented, ran to its end\n");
  printf("%s: the middle child exited; %s", section, buf);
}

/* ------------------------------------------------------------------------------------------ */

static void signals(void) {
  section = "signals";
  int fds[2], st;
  pid_t p;
  sigset_t chld, old, none;
  sigemptyset(&none);
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);

  /* SIGPIPE's default kills a writer whose pipe has no reader */
  if (OK(pipe(fds)) == 0) {
    OK(close(fds[0]));
    p = FORK();
    if (p == 0) {
      ssize_t r = write(fds[1], "x", 1);
      printf("FAIL [%s] the write to a pipe without readers returned %ld %s\n", section, (long)r, errname(errno));
      _exit(98);
    }
    OK(close(fds[1]));
    if (p > 0) {
      st = REAP(p);
      EQ(WIFSIGNALED(st), 1);
      EQ(WTERMSIG(st), SIGPIPE);
      printf("%s: a writer without readers was %s\n", section, describe(st));
    }
  }

  /* ignored SIGPIPE: EPIPE, in this process and in a forked child */
  if (OK(pipe(fds)) == 0) {
    OK(close(fds[0]));
    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR) { printf("FAIL [%s] signal(SIGPIPE, SIG_IGN): %s\n", section, errname(errno)); failed++; }
    ERR(write(fds[1], "x", 1), EPIPE);
    p = FORK();
    if (p == 0) {
      ERR(write(fds[1], "x", 1), EPIPE);
      child_end(0);
    }
    if (p > 0) STATUS(REAP(p), "exited 0");
    OK(close(fds[1]));
    printf("%s: with SIGPIPE ignored the write fails with EPIPE, in a forked child too\n", section);
  }

  /* exec keeps SIG_IGN and resets a handler to SIG_DFL */
  OK(install(SIGUSR1, on_signal, 0));
  char *sc[] = {"proctest", "sigcheck", NULL};
  STATUS(run_child("./proctest", sc), "exited 0");
  OK(install(SIGPIPE, SIG_DFL, 0));

  /* a handler is inherited by fork */
  p = FORK();
  if (p == 0) {
    handler_runs = 0;
    OK(kill(getpid(), SIGUSR1));
    EQ(handler_runs, 1);
    EQ(got_signal, SIGUSR1);
    child_end(0);
  }
  if (p > 0) STATUS(REAP(p), "exited 0");

  /* SIGCHLD runs a handler when a child exits */
  OK(install(SIGCHLD, on_signal, 0));
  OK(sigprocmask(SIG_BLOCK, &chld, &old));
  got_signal = 0;
  p = FORK();
  if (p == 0) child_end(0);
  if (p > 0) {
    while (got_signal != SIGCHLD) {
      ERR(sigsuspend(&none), EINTR);
      if (failed) break;
    }
    EQ(got_signal, SIGCHLD);
    STATUS(REAP(p), "exited 0");
    printf("%s: the SIGCHLD handler ran when the child exited\n", section);
  }
  OK(sigprocmask(SIG_SETMASK, &old, NULL));
  OK(install(SIGCHLD, SIG_DFL, 0));

  /* alarm + pause */
  OK(install(SIGALRM, on_signal, 0));
  got_signal = 0;
  EQ(alarm(1), 0);
  ERR(pause(), EINTR);
  EQ(got_signal, SIGALRM);
  unsigned left = alarm(30);
  EQ(left, 0);
  left = alarm(0);
  EQ(left >= 1 && left <= 30, 1);
  printf("%s: alarm(1) then pause() ran the SIGALRM handler; alarm(0) returned the time left\n", section);
  OK(install(SIGALRM, SIG_DFL, 0));

  /* kill with SIGTERM ends a child blocked in pause(); kill 0 checks existence */
  p = FORK();
  if (p == 0) {
    for (;;) pause();
  }
  if (p > 0) {
    EQ(kill(p, 0), 0);
    OK(kill(p, SIGTERM));
    st = REAP(p);
    STATUS(st, "killed by SIGTERM");
    ERR(kill(p, 0), ESRCH);
    printf("%s: kill(child, SIGTERM): the child was %s; kill(pid, 0) then gave ESRCH\n", section, describe(st));
  }
  EQ(kill(getpid(), 0), 0);
  ERR(kill(getpid(), 999), EINVAL);

  /* SA_RESETHAND: the handler runs once, then the disposition is SIG_DFL */
  OK(install(SIGUSR1, on_signal, SA_RESETHAND));
  handler_runs = 0;
  OK(kill(getpid(), SIGUSR1));
  EQ(handler_runs, 1);
  struct sigaction cur;
  memset(&cur, 0, sizeof cur);
  OK(sigaction(SIGUSR1, NULL, &cur));
  EQ(cur.sa_handler == SIG_DFL, 1);
  p = FORK();
  if (p == 0) {
    kill(getpid(), SIGUSR1);
    printf("FAIL [%s] SIGUSR1 with SIG_DFL did not end the child\n", section);
    _exit(98);
  }
  if (p > 0) STATUS(REAP(p), "killed by SIGUSR1");
  printf("%s: SA_RESETHAND: the handler ran once, then SIGUSR1's default killed a child\n", section);

  /* a blocked signal stays pending until unblocked */
  OK(install(SIGUSR2, on_signal, 0));
  sigset_t usr2;
  sigemptyset(&usr2);
  sigaddset(&usr2, SIGUSR2);
  OK(sigprocmask(SIG_BLOCK, &usr2, &old));
  handler_runs = 0;
  OK(kill(getpid(), SIGUSR2));
  EQ(handler_runs, 0);
  OK(sigprocmask(SIG_SETMASK, &old, NULL));
  EQ(handler_runs, 1);
  OK(install(SIGUSR2, SIG_DFL, 0));
  ERR(wait(NULL), ECHILD);
}

static int sigcheck(void) {
  section = "sigcheck";
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  OK(sigaction(SIGPIPE, NULL, &sa));
  EQ(sa.sa_handler == SIG_IGN, 1);
  OK(sigaction(SIGUSR1, NULL, &sa));
  EQ(sa.sa_handler == SIG_DFL, 1);
  printf("sigcheck: after exec SIGPIPE is still ignored and SIGUSR1's handler is reset to SIG_DFL\n");
  return failed;
}

/* ------------------------------------------------------------------------------------------ */

static void fork_bomb(int max) {
  section = "fork-bomb";
  int hold[2];
  if (OK(pipe(hold)) < 0) return;
  int children = 0, err = 0;
  while (children < max) {
    pid_t p = fork();
    if (p < 0) { err = errno; break; }
    if (p == 0) { /* wait until the parent lets everyone go */
      char c;
      close(hold[1]);
      while (read(hold[0], &c, 1) < 0 && errno == EINTR) {}
      _exit(0);
    }
    children++;
  }
  OK(close(hold[1]));
  OK(close(hold[0]));
  int reaped = 0, bad = 0, st;
  pid_t r;
  while ((r = wait(&st)) > 0 || (r < 0 && errno == EINTR))
    if (r > 0) { reaped++; if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) bad++; }
  EQ(errno, ECHILD);
  EQ(reaped, children);
  EQ(bad, 0);
  if (children == max) { printf("FAIL [%s] %d children forked without a failure\n", section, max); failed++; }
  else EQ(err == EAGAIN || err == ENOMEM, 1);
  EQ(children > 0, 1);
  printf("%s: fork failed with %s; every child was reaped\n", section, errname(err));
}

static void spin(void) {
  printf("spin: spinning\n");
  fflush(stdout);
  volatile unsigned long n = 0;
  for (;;) n++;
}

/* A child that computes without syscalls, after telling the parent (over fd) that it has begun. */
static pid_t spinner(void) {
  int p[2];
  if (pipe(p) != 0) return -1;
  pid_t pid = fork();
  if (pid == 0) {
    close(p[0]);
    if (write(p[1], "s", 1) != 1) _exit(99);
    volatile unsigned long n = 0;
    for (;;) n++;
  }
  close(p[1]);
  char c;
  if (pid > 0 && read(p[0], &c, 1) != 1) pid = -1;
  close(p[0]);
  return pid;
}

/* Deaths and refusals: a child's bad memory access, signals to a child that computes, bad arguments. */
static void faults(void) {
  section = "faults";
  pid_t pid = fork();
  if (pid == 0) {
    volatile int *far = (volatile int *)(unsigned long)0xfffffff0u; /* beyond any wasm32 cage's memory */
    *far = 1;
    _exit(0);
  }
  if (OK(pid) > 0) STATUS(REAP(pid), "killed by SIGSEGV");
  printf("%s: a bad memory access killed the child with SIGSEGV\n", section);

  pid = spinner();
  if (OK(pid) > 0) {
    OK(kill(pid, SIGTERM));
    STATUS(REAP(pid), "killed by SIGTERM");
  }
  pid = spinner();
  if (OK(pid) > 0) {
    OK(kill(pid, SIGKILL));
    STATUS(REAP(pid), "killed by SIGKILL");
  }
  printf("%s: a child computing without syscalls was killed by SIGTERM and by SIGKILL\n", section);

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = SIG_IGN;
  ERR(sigaction(SIGKILL, &sa, NULL), EINVAL);
  ERR(sigaction(SIGSTOP, &sa, NULL), EINVAL);
  int st;
  ERR(waitpid(-1, &st, 0x1000), EINVAL);
  ERR(kill(-999999, SIGTERM), ESRCH);
  /* (Not a bad argv pointer: lind-glibc's execve copies argv itself, so the cage traps where Linux says EFAULT.) */
  printf("%s: sigaction(SIGKILL/SIGSTOP), waitpid's bad options, a missing process refused\n", section);
}

static void on_alarm_w(int sig) { (void)sig; }

/* Calls that wait for another cage: poll and select on a pipe, flock and F_SETLKW held by a
 * child, a FIFO's open meeting its peer, nanosleep cut short by a signal (EINTR). */
static void waits(void) {
  section = "waits";
  int p[2], go[2];
  if (OK(pipe(p)) < 0 || OK(pipe(go)) < 0) return;
  pid_t c = FORK();
  if (c == 0) { /* writes once the parent is waiting (it says so on `go`) */
    char b;
    if (read(go[0], &b, 1) != 1) child_end(1);
    if (write(p[1], "x", 1) != 1) child_end(1);
    if (read(go[0], &b, 1) != 1) child_end(1);
    if (write(p[1], "y", 1) != 1) child_end(1);
    child_end(0);
  }
  struct pollfd pf = { .fd = p[0], .events = POLLIN };
  EQ(poll(&pf, 1, 0), 0);
  OK(write(go[1], "1", 1));
  EQ(poll(&pf, 1, -1), 1);
  EQ(pf.revents & POLLIN, POLLIN);
  char b;
  EQ(read(p[0], &b, 1), 1);
  fd_set rd;
  FD_ZERO(&rd);
  FD_SET(p[0], &rd);
  OK(write(go[1], "2", 1));
  EQ(select(p[0] + 1, &rd, NULL, NULL, NULL), 1);
  EQ(FD_ISSET(p[0], &rd) != 0, 1);
  EQ(read(p[0], &b, 1), 1);
  if (c > 0) STATUS(REAP(c), "exited 0");
  printf("%s: poll and select waited for another cage's write\n", section);

  /* flock and F_SETLKW: the child holds the lock until told to let go */
  int fd = open("waits-lock", O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (OK(fd) < 0) return;
  int held[2];
  OK(pipe(held));
  c = FORK();
  if (c == 0) {
    int mine = open("waits-lock", O_RDWR);
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    if (mine < 0 || flock(mine, LOCK_EX) != 0 || fcntl(mine, F_SETLK, &fl) != 0) child_end(1);
    if (write(held[1], "h", 1) != 1) child_end(1);
    struct timespec t = { .tv_sec = 0, .tv_nsec = 200 * 1000 * 1000 };
    nanosleep(&t, NULL);
    child_end(0); /* exiting releases both */
  }
  EQ(read(held[0], &b, 1), 1);
  ERR(flock(fd, LOCK_EX | LOCK_NB), EWOULDBLOCK);
  OK(flock(fd, LOCK_EX));
  struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
  OK(fcntl(fd, F_SETLKW, &fl));
  if (c > 0) STATUS(REAP(c), "exited 0");
  OK(close(fd));
  OK(close(held[0]));
  OK(close(held[1]));
  OK(unlink("waits-lock"));
  printf("%s: flock and F_SETLKW waited for another cage to let go\n", section);

  /* a FIFO: each open waits for the other end */
  OK(mkfifo("waits-fifo", 0644));
  c = FORK();
  if (c == 0) {
    int w = open("waits-fifo", O_WRONLY);
    if (w < 0 || write(w, "fifo", 4) != 4) child_end(1);
    child_end(0);
  }
  int r = open("waits-fifo", O_RDONLY);
  char buf[8] = {0};
  if (OK(r) >= 0) {
    EQ(read(r, buf, sizeof buf), 4);
    EQ(read(r, buf, sizeof buf), 0);
    OK(close(r));
  }
  if (c > 0) STATUS(REAP(c), "exited 0");
  OK(unlink("waits-fifo"));
  printf("%s: a FIFO's opens met, the data came through, then EOF\n", section);

  /* nanosleep interrupted by a handled SIGALRM */
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm_w;
  OK(sigaction(SIGALRM, &sa, NULL));
  alarm(1);
  struct timespec t = { .tv_sec = 30, .tv_nsec = 0 }, left = { .tv_sec = 0, .tv_nsec = 0 };
  /* Only -1: lind-glibc's nanosleep turns the grate's -EINTR into errno -1 and then leaves
   * the time left unwritten (the grate writes it: --log shows the call's EINTR). */
  EQ(nanosleep(&t, &left), -1);
  printf("%s: a signal cut a 30-second nanosleep short\n", section);
}

/* Not POSIX (Linux would hang): two cages each wait on a pipe only the other could fill. */
static void deadlock(void) {
  section = "deadlock";
  int p[2];
  if (OK(pipe(p)) < 0) return;
  char c;
  pid_t pid = fork();
  if (pid == 0) {
    ssize_t r = read(p[0], &c, 1);
    _exit(r < 0 ? errno : 0);
  }
  ssize_t r = read(p[0], &c, 1);
  printf("%s: parent's read: %s\n", section, r < 0 ? errname(errno) : "data");
  if (OK(pid) > 0) printf("%s: child %s\n", section, describe(REAP(pid)));
}

/* ------------------------------------------------------------------------------------------ */

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IONBF, 0); /* nothing buffered is copied by fork */
  const char *cmd = argc > 1 ? argv[1] : "";
  if (strcmp(cmd, "fdcheck") == 0 && argc == 5) return fdcheck(argv);
  if (strcmp(cmd, "pidcheck") == 0 && argc == 3) return pidcheck(argv);
  if (strcmp(cmd, "sigcheck") == 0) return sigcheck();
  if (strcmp(cmd, "fork-wait") == 0) fork_wait();
  else if (strcmp(cmd, "fork-files") == 0) fork_files();
  else if (strcmp(cmd, "exec") == 0) exec_tests();
  else if (strcmp(cmd, "spawn") == 0) spawn_tests();
  else if (strcmp(cmd, "pipeline") == 0) pipeline();
  else if (strcmp(cmd, "shell") == 0) shell(argc, argv);
  else if (strcmp(cmd, "zombies") == 0) zombies();
  else if (strcmp(cmd, "signals") == 0) signals();
  else if (strcmp(cmd, "fork-bomb") == 0) fork_bomb(argc > 2 ? atoi(argv[2]) : 4096);
  else if (strcmp(cmd, "spin") == 0) spin();
  else if (strcmp(cmd, "faults") == 0) faults();
  else if (strcmp(cmd, "deadlock") == 0) deadlock();
  else if (strcmp(cmd, "waits") == 0) waits();
  else {
    fprintf(stderr, "usage: proctest fork-wait|fork-files|exec|spawn|pipeline|shell CMD...|zombies|signals|fork-bomb [MAX]|spin|faults|waits|deadlock\n");
    return 2;
  }
  printf("%d passed, %d failed\n", passed, failed);
  return failed > 255 ? 255 : failed;
}
