/*
 * The checks proctest.c and threads.c share (each includes this once; one program each):
 * every check prints `FAIL [section] line N: ...` (errno and signals by name) when it fails
 * and counts into `passed` or `failed`, atomically, because threads.c checks in every thread.
 * Needs errno.h, signal.h, stdio.h, string.h and sys/wait.h before it.
 */
static int passed, failed;
static const char *section = "";

static inline void pass(void) { __atomic_fetch_add(&passed, 1, __ATOMIC_SEQ_CST); }
static inline void fail(void) { __atomic_fetch_add(&failed, 1, __ATOMIC_SEQ_CST); }

static inline const char *errname(int e) {
  static const struct { int e; const char *n; } names[] = {
    {EPERM, "EPERM"}, {ENOENT, "ENOENT"}, {ESRCH, "ESRCH"}, {EINTR, "EINTR"}, {EIO, "EIO"},
    {E2BIG, "E2BIG"}, {ENOEXEC, "ENOEXEC"}, {EBADF, "EBADF"}, {ECHILD, "ECHILD"}, {EAGAIN, "EAGAIN"},
    {ENOMEM, "ENOMEM"}, {EACCES, "EACCES"}, {EFAULT, "EFAULT"}, {EBUSY, "EBUSY"}, {EEXIST, "EEXIST"},
    {ENOTDIR, "ENOTDIR"}, {EISDIR, "EISDIR"}, {EINVAL, "EINVAL"}, {EMFILE, "EMFILE"}, {ENOSPC, "ENOSPC"},
    {ESPIPE, "ESPIPE"}, {EPIPE, "EPIPE"}, {ENOSYS, "ENOSYS"}, {ELOOP, "ELOOP"},
    {ENAMETOOLONG, "ENAMETOOLONG"}, {ETXTBSY, "ETXTBSY"}, {EDEADLK, "EDEADLK"}, {ETIMEDOUT, "ETIMEDOUT"},
    {0, "0 (no error)"},
  };
  static __thread char other[32];
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (names[i].e == e) return names[i].n;
  snprintf(other, sizeof other, "errno %d", e);
  return other;
}

static inline const char *signame(int s) {
  static const char *names[] = {"0", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS",
    "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT",
    "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ",
    "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"};
  static __thread char other[32];
  if (s >= 0 && s < (int)(sizeof names / sizeof names[0])) return names[s];
  snprintf(other, sizeof other, "signal %d", s);
  return other;
}

/* A wait status in words: "exited N", "killed by SIGX", or the raw word. */
static inline const char *describe(int st) {
  static __thread char buf[64];
  if (WIFEXITED(st)) snprintf(buf, sizeof buf, "exited %d", WEXITSTATUS(st));
  else if (WIFSIGNALED(st)) snprintf(buf, sizeof buf, "killed by %s", signame(WTERMSIG(st)));
  else snprintf(buf, sizeof buf, "status word 0x%x", (unsigned)st);
  return buf;
}

/* The call succeeded (result >= 0). */
#define OK(expr) ok_((long)(expr), #expr, __LINE__)
static inline long ok_(long r, const char *what, int line) {
  if (r < 0) {
    printf("FAIL [%s] line %d: %s: got -1 %s\n", section, line, what, errname(errno));
    fail();
  } else {
    pass();
  }
  return r;
}

/* The call failed with errno E. */
#define ERR(expr, e) err_((long)(expr), e, #expr, __LINE__)
static inline void err_(long r, int e, const char *what, int line) {
  int got = errno;
  if (r != -1 || got != e) {
    if (r != -1) printf("FAIL [%s] line %d: %s: got %ld, want -1 %s\n", section, line, what, r, errname(e));
    else printf("FAIL [%s] line %d: %s: got -1 %s, want -1 %s\n", section, line, what, errname(got), errname(e));
    fail();
  } else {
    pass();
  }
}

#define EQ(got, want) eq_((long)(got), (long)(want), #got, __LINE__)
static inline int eq_(long got, long want, const char *what, int line) {
  if (got != want) {
    printf("FAIL [%s] line %d: %s: got %ld, want %ld\n", section, line, what, got, want);
    fail();
    return 0;
  }
  pass();
  return 1;
}

/* A wait status, as describe() words it. */
#define STATUS(st, want) status_(st, want, #st, __LINE__)
static inline void status_(int st, const char *want, const char *what, int line) {
  const char *got = describe(st);
  if (strcmp(got, want) != 0) {
    printf("FAIL [%s] line %d: %s: got %s, want %s\n", section, line, what, got, want);
    fail();
  } else {
    pass();
  }
}
