/* lind-glibc: a cage built against Lind's real glibc for wasm32 (../shared/lind-sysroot),
 * with the flags of Lind's `lind_compile -s`, so every call below reaches the grate exactly
 * as lind-glibc's own wrappers send it: ppoll's timespec turned into milliseconds, the 8-byte
 * wasm32 struct rlimit, fstatat's internal struct __stat64_t64, select's 64-bit timeval,
 * stat, readdir, utimensat's kernel times array, 16-byte iovecs, and the rest.
 *
 * Usage: lind-glibc [BASE]   (BASE defaults to /lind-glibc; it must not exist yet).
 * Prints "info: ..." lines for the test to compare, one "FAIL ..." line per failed check,
 * and "N passed, M failed"; the exit status is M.
 *
 * Lind's struct timespec has named padding ({tv_sec, __padding, tv_nsec, __padding2}), so
 * a positional initializer {1, 500} puts 500 in the padding: every timespec here names
 * its fields. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <lind_syscall.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* ---- checks ---------------------------------------------------------------------------- */
static int passed, failed;
static const char *section_name = "";

static void section(const char *name) { section_name = name; }

static int check(int line, const char *what, int ok, long long got, long long want, int show) {
  if (ok) { passed++; return 1; }
  failed++;
  if (show) printf("FAIL [%s] line %d: %s: got %lld, want %lld\n", section_name, line, what, got, want);
  else printf("FAIL [%s] line %d: %s\n", section_name, line, what);
  return 0;
}
#define CHECK(c) check(__LINE__, #c, !!(c), 0, 0, 0)
#define CHECK_EQ(g, w) ({ long long g_ = (long long)(g), w_ = (long long)(w); check(__LINE__, #g, g_ == w_, g_, w_, 1); })
/* `call` fails with errno `e` (its result -1 and errno are shown as -errno otherwise). */
#define CHECK_ERR(call, e) ({ errno = 0; long long r_ = (long long)(call); int e_ = errno; \
  check(__LINE__, #call, r_ == -1 && e_ == (e), r_ == -1 ? -e_ : r_, -(long long)(e), 1); })

static long long mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char path_buf[4][512];
/* BASE/name, in one of four rotating buffers (so a call may take two of them). */
static const char *at(const char *base, const char *name) {
  static int k;
  char *p = path_buf[k++ & 3];
  snprintf(p, sizeof path_buf[0], "%s/%s", base, name);
  return p;
}

/* ---- ppoll, poll, select ------------------------------------------------------------------ */
static void t_poll(void) {
  section("ppoll/poll/select");
  int p[2];
  CHECK_EQ(pipe(p), 0);
  struct pollfd pfd = {.fd = p[0], .events = POLLIN};
  /* a zero timespec returns at once: lind-glibc sends it as 0 ms */
  struct timespec zero = {.tv_sec = 0, .tv_nsec = 0};
  long long t0 = mono_ms();
  int r = ppoll(&pfd, 1, &zero, NULL);
  printf("info: ppoll zero timeout on an empty pipe: %d\n", r);
  CHECK_EQ(r, 0);
  CHECK_EQ(pfd.revents, 0);
  CHECK(mono_ms() - t0 < 1000);
  /* a timeout is waited for: 60 ms */
  struct timespec wait = {.tv_sec = 0, .tv_nsec = 60000000};
  t0 = mono_ms();
  CHECK_EQ(ppoll(&pfd, 1, &wait, NULL), 0);
  long long waited = mono_ms() - t0;
  CHECK(waited >= 59 && waited < 5000);
  /* data ready: a NULL timeout returns at once, and so does a long one */
  CHECK_EQ(write(p[1], "hello", 5), 5);
  CHECK_EQ(ppoll(&pfd, 1, NULL, NULL), 1);
  CHECK_EQ(pfd.revents, POLLIN);
  struct timespec second = {.tv_sec = 1, .tv_nsec = 0};
  sigset_t mask;
  sigemptyset(&mask);
  pfd.revents = 0;
  t0 = mono_ms();
  CHECK_EQ(ppoll(&pfd, 1, &second, &mask), 1);
  CHECK(mono_ms() - t0 < 1000);
  /* poll */
  struct pollfd both[2] = {{.fd = p[0], .events = POLLIN}, {.fd = p[1], .events = POLLOUT}};
  CHECK_EQ(poll(both, 2, 0), 2);
  CHECK_EQ(both[0].revents, POLLIN);
  CHECK_EQ(both[1].revents, POLLOUT);
  char buf[16];
  CHECK_EQ(read(p[0], buf, sizeof buf), 5);
  t0 = mono_ms();
  CHECK_EQ(poll(both, 1, 30), 0);
  CHECK(mono_ms() - t0 >= 29);
  /* select: the write end is ready, the read end is not; a timeval wait runs out and is left at 0 */
  fd_set rd, wr;
  FD_ZERO(&rd); FD_ZERO(&wr);
  FD_SET(p[0], &rd); FD_SET(p[1], &wr);
  struct timeval tv = {.tv_sec = 0, .tv_usec = 0};
  CHECK_EQ(select(p[1] + 1, &rd, &wr, NULL, &tv), 1);
  CHECK(!FD_ISSET(p[0], &rd));
  CHECK(FD_ISSET(p[1], &wr));
  FD_SET(p[0], &rd);
  tv.tv_usec = 40000;
  t0 = mono_ms();
  CHECK_EQ(select(p[0] + 1, &rd, NULL, NULL, &tv), 0);
  CHECK(mono_ms() - t0 >= 39);
  CHECK_EQ(tv.tv_sec, 0);
  CHECK_EQ(tv.tv_usec, 0);
  CHECK_EQ(write(p[1], "x", 1), 1);
  FD_SET(p[0], &rd);
  CHECK_EQ(select(p[0] + 1, &rd, NULL, NULL, NULL), 1);
  CHECK(FD_ISSET(p[0], &rd));
  /* the writer gone: readable (end of file), and poll says POLLHUP */
  CHECK_EQ(read(p[0], buf, sizeof buf), 1);
  CHECK_EQ(close(p[1]), 0);
  CHECK_EQ(poll(&pfd, 1, -1), 1);
  CHECK_EQ(pfd.revents, POLLHUP);
  CHECK_EQ(read(p[0], buf, sizeof buf), 0);
  CHECK_EQ(close(p[0]), 0);
  /* nanosleep and usleep go out as Lind's 35 with a 64-bit timespec built by glibc */
  struct timespec nap = {.tv_sec = 0, .tv_nsec = 25000000};
  t0 = mono_ms();
  CHECK_EQ(nanosleep(&nap, NULL), 0);
  CHECK(mono_ms() - t0 >= 24);
  t0 = mono_ms();
  CHECK_EQ(usleep(20000), 0);
  CHECK(mono_ms() - t0 >= 19);
}

/* ---- resource limits ----------------------------------------------------------------------- */
/* prlimit64 (302) with wasm32 struct rlimits, issued as lind-glibc issues it (getrlimit sends
 * exactly this with new = NULL), through libc's own make_threei_call: this glibc's setrlimit
 * and prlimit stop short of the host, and its prlimit64 hands over a 16-byte struct rlimit64
 * that the 8-byte ABI of 302 cannot carry. */
static int prlimit_call(pid_t pid, int resource, const struct rlimit *next, struct rlimit *old) {
  uint64_t cage = (uint64_t)getpid(), unused = 0xdeadbeefdeadbeefULL;
  return make_threei_call(302, 0, cage, cage, (uint64_t)(int64_t)pid, cage, (uint64_t)resource, cage,
                          (uint64_t)(uintptr_t)next, cage, (uint64_t)(uintptr_t)old, cage,
                          unused, cage, unused, cage, 1);
}

/* Opens "/" until it fails; returns how many opened (all closed again) and the errno. */
static int open_all(int *err) {
  int fds[4096], n = 0;
  for (;;) {
    int fd = n < 4096 ? open("/", O_RDONLY) : -1;
    if (fd < 0) { *err = errno; break; }
    fds[n++] = fd;
  }
  for (int i = 0; i < n; i++) close(fds[i]);
  return n;
}

static void t_rlimits(void) {
  section("getrlimit/setrlimit/prlimit");
  struct rlimit rl;
  memset(&rl, 0xEE, sizeof rl);
  CHECK_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0);
  printf("info: RLIMIT_NOFILE cur=%lu max=%lu\n", (unsigned long)rl.rlim_cur, (unsigned long)rl.rlim_max);
  CHECK(rl.rlim_cur > 3);
  CHECK(rl.rlim_max != 0);
  CHECK(rl.rlim_cur <= rl.rlim_max);
  rlim_t nofile = rl.rlim_cur, hard = rl.rlim_max;
  CHECK_EQ(sysconf(_SC_OPEN_MAX), nofile);
  CHECK_EQ(getdtablesize(), nofile);
  /* the descriptor limit is the one enforced: 0..2 are stdio, so nofile - 3 opens succeed */
  int err = 0;
  CHECK_EQ(open_all(&err), nofile - 3);
  CHECK_EQ(err, EMFILE);
  static const struct { int resource; const char *name; } others[] = {
    {RLIMIT_STACK, "STACK"}, {RLIMIT_AS, "AS"}, {RLIMIT_DATA, "DATA"}, {RLIMIT_CORE, "CORE"}, {RLIMIT_FSIZE, "FSIZE"},
  };
  for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
    CHECK_EQ(getrlimit(others[i].resource, &rl), 0);
    CHECK(rl.rlim_cur <= rl.rlim_max);
    printf("info: RLIMIT_%s cur=%lu max=%lu\n", others[i].name, (unsigned long)rl.rlim_cur, (unsigned long)rl.rlim_max);
  }
  CHECK_ERR(getrlimit(999, &rl), EINVAL);
  /* setrlimit answers 0; whether this glibc passes it on or not, getrlimit and the opens agree */
  struct rlimit low = {.rlim_cur = 10, .rlim_max = hard};
  CHECK_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  CHECK_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0);
  CHECK_EQ(open_all(&err), rl.rlim_cur - 3);
  /* prlimit64 as the grate receives it: lowering applies at once, the old limit comes back */
  struct rlimit old;
  CHECK_EQ(prlimit_call(0, RLIMIT_NOFILE, &low, &old), 0);
  CHECK_EQ(old.rlim_max, hard);
  CHECK_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0);
  CHECK_EQ(rl.rlim_cur, 10);
  CHECK_EQ(rl.rlim_max, hard);
  CHECK_EQ(open_all(&err), 7);
  CHECK_EQ(err, EMFILE);
  struct rlimit bad = {.rlim_cur = 20, .rlim_max = 10};
  CHECK_ERR(prlimit_call(0, RLIMIT_NOFILE, &bad, NULL), EINVAL);
  struct rlimit above = {.rlim_cur = 10, .rlim_max = RLIM_INFINITY};
  CHECK_ERR(prlimit_call(getpid(), RLIMIT_NOFILE, &above, NULL), EPERM);
  struct rlimit back = {.rlim_cur = nofile, .rlim_max = hard};
  CHECK_EQ(prlimit_call(getpid(), RLIMIT_NOFILE, &back, NULL), 0);
  CHECK_EQ(sysconf(_SC_OPEN_MAX), nofile);
  /* another resource keeps what it is given */
  struct rlimit core = {.rlim_cur = 0, .rlim_max = 0};
  CHECK_EQ(prlimit_call(0, RLIMIT_CORE, &core, NULL), 0);
  CHECK_EQ(getrlimit(RLIMIT_CORE, &rl), 0);
  CHECK_EQ(rl.rlim_cur, 0);
  CHECK_EQ(rl.rlim_max, 0);
  CHECK_ERR(prlimit_call(-1, RLIMIT_NOFILE, NULL, &old), ESRCH);
}

/* ---- files through glibc ------------------------------------------------------------------ */
static int write_file(const char *path, const char *text) {
  int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
  if (fd < 0) return -1;
  ssize_t n = write(fd, text, strlen(text));
  close(fd);
  return n == (ssize_t)strlen(text) ? 0 : -1;
}

static void t_files(const char *base) {
  section("open/read/write/lseek/stat");
  const char *f = at(base, "f");
  int fd = open(f, O_CREAT | O_RDWR | O_EXCL, 0640);
  CHECK(fd >= 3);
  CHECK_EQ(write(fd, "hello, world\n", 13), 13);
  CHECK_EQ(lseek(fd, 0, SEEK_CUR), 13);
  CHECK_EQ(lseek(fd, 7, SEEK_SET), 7);
  char buf[64] = {0};
  CHECK_EQ(read(fd, buf, 5), 5);
  CHECK(memcmp(buf, "world", 5) == 0);
  CHECK_EQ(lseek(fd, -1, SEEK_END), 12);
  CHECK_EQ(pwrite(fd, "HELLO", 5, 0), 5);
  CHECK_EQ(pread(fd, buf, 5, 0), 5);
  CHECK(memcmp(buf, "HELLO", 5) == 0);
  struct iovec iov[2] = {{.iov_base = "ab", .iov_len = 2}, {.iov_base = "cde", .iov_len = 3}};
  CHECK_EQ(lseek(fd, 0, SEEK_END), 13);
  CHECK_EQ(writev(fd, iov, 2), 5);
  struct stat st, st2;
  CHECK_EQ(fstat(fd, &st), 0);
  CHECK(S_ISREG(st.st_mode));
  CHECK_EQ(st.st_mode & 07777, 0640 & ~022);
  CHECK_EQ(st.st_size, 18);
  CHECK_EQ(st.st_nlink, 1);
  CHECK_EQ(st.st_uid, geteuid());
  CHECK(st.st_blksize > 0);
  CHECK(st.st_blocks >= 1);
  CHECK_EQ(stat(f, &st2), 0);
  CHECK_EQ(st2.st_ino, st.st_ino);
  CHECK_EQ(st2.st_size, 18);
  CHECK_EQ(st2.st_mtim.tv_sec, st.st_mtim.tv_sec);
  CHECK_EQ(st2.st_mtim.tv_nsec, st.st_mtim.tv_nsec);
  CHECK_ERR(open(at(base, "missing"), O_RDONLY), ENOENT);
  CHECK_ERR(open(f, O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
  CHECK_ERR(read(999, buf, 1), EBADF);

  section("fstatat");
  /* fstatat hands newfstatat a struct __stat64_t64 and copies it over field by field.
   * (Not compared: st_ino and st_size, which this glibc's copy puts at offsets 12 and 44 of
   * a struct stat that has them at 8 and 40.) */
  struct stat at_st;
  memset(&at_st, 0, sizeof at_st);
  CHECK_EQ(fstatat(AT_FDCWD, f, &at_st, 0), 0);
  CHECK_EQ(at_st.st_mode, st.st_mode);
  CHECK_EQ(at_st.st_nlink, st.st_nlink);
  CHECK_EQ(at_st.st_uid, st.st_uid);
  CHECK_EQ(at_st.st_gid, st.st_gid);
  CHECK_EQ(at_st.st_blksize, st.st_blksize);
  CHECK_EQ(at_st.st_blocks, st.st_blocks);
  CHECK_EQ(at_st.st_atim.tv_sec, st.st_atim.tv_sec);
  CHECK_EQ(at_st.st_mtim.tv_sec, st.st_mtim.tv_sec);
  CHECK_EQ(at_st.st_mtim.tv_nsec, st.st_mtim.tv_nsec);
  CHECK_EQ(at_st.st_ctim.tv_sec, st.st_ctim.tv_sec);
  CHECK_EQ(at_st.st_ctim.tv_nsec, st.st_ctim.tv_nsec);
  CHECK_ERR(fstatat(AT_FDCWD, at(base, "missing"), &at_st, 0), ENOENT);

  section("ftruncate/utimensat");
  CHECK_EQ(ftruncate(fd, 4), 0);
  CHECK_EQ(fstat(fd, &st), 0);
  CHECK_EQ(st.st_size, 4);
  CHECK_EQ(ftruncate(fd, 100000), 0);
  CHECK_EQ(fstat(fd, &st), 0);
  CHECK_EQ(st.st_size, 100000);
  CHECK_EQ(pread(fd, buf, 4, 50000), 4);
  CHECK(buf[0] == 0 && buf[3] == 0);
  struct timespec times[2] = {{.tv_sec = 1000000000, .tv_nsec = 123456789}, {.tv_sec = 1234567890, .tv_nsec = 987654321}};
  CHECK_EQ(utimensat(AT_FDCWD, f, times, 0), 0);
  CHECK_EQ(stat(f, &st), 0);
  CHECK_EQ(st.st_atim.tv_sec, 1000000000);
  CHECK_EQ(st.st_atim.tv_nsec, 123456789);
  CHECK_EQ(st.st_mtim.tv_sec, 1234567890);
  CHECK_EQ(st.st_mtim.tv_nsec, 987654321);
  times[0].tv_nsec = UTIME_OMIT;
  times[1].tv_sec = 1500000000;
  times[1].tv_nsec = 5;
  CHECK_EQ(futimens(fd, times), 0);
  CHECK_EQ(fstat(fd, &st), 0);
  CHECK_EQ(st.st_atim.tv_sec, 1000000000);
  CHECK_EQ(st.st_mtim.tv_sec, 1500000000);
  CHECK_EQ(st.st_mtim.tv_nsec, 5);
  times[1].tv_nsec = 1000000000;
  CHECK_ERR(utimensat(AT_FDCWD, f, times, 0), EINVAL);

  section("fcntl/dup2");
  CHECK_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
  CHECK_EQ(fcntl(fd, F_SETFL, O_APPEND), 0);
  CHECK(fcntl(fd, F_GETFL) & O_APPEND);
  CHECK_EQ(fcntl(fd, F_GETFD), 0);
  CHECK_EQ(fcntl(fd, F_SETFD, FD_CLOEXEC), 0);
  CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
  int d = fcntl(fd, F_DUPFD, 20);
  CHECK_EQ(d, 20);
  CHECK_EQ(fcntl(d, F_GETFD), 0); /* FD_CLOEXEC belongs to the descriptor */
  CHECK_EQ(dup2(fd, 30), 30);
  CHECK_EQ(lseek(30, 2, SEEK_SET), 2);
  CHECK_EQ(lseek(fd, 0, SEEK_CUR), 2); /* one open file description */
  struct flock lk = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};
  CHECK_EQ(fcntl(fd, F_SETLK, &lk), 0);
  lk.l_type = F_RDLCK;
  CHECK_EQ(fcntl(fd, F_GETLK, &lk), 0);
  CHECK_EQ(lk.l_type, F_UNLCK); /* our own lock never conflicts */
  CHECK_ERR(dup2(fd, -1), EBADF);
  CHECK_ERR(fcntl(999, F_GETFD), EBADF);
  close(d);
  close(30);
  CHECK_EQ(close(fd), 0);
  CHECK_ERR(close(fd), EBADF);

  section("stdio");
  FILE *fp = fopen(at(base, "stdio.txt"), "w");
  CHECK(fp != NULL);
  if (fp != NULL) {
    for (int i = 0; i < 1000; i++) fprintf(fp, "line %d\n", i);
    CHECK_EQ(fclose(fp), 0);
  }
  fp = fopen(at(base, "stdio.txt"), "r");
  CHECK(fp != NULL);
  if (fp != NULL) {
    int lines = 0, last = -1;
    char line[64];
    while (fgets(line, sizeof line, fp) != NULL) { lines++; sscanf(line, "line %d", &last); }
    CHECK_EQ(lines, 1000);
    CHECK_EQ(last, 999);
    fclose(fp);
  }
}

static int name_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void t_dirs(const char *base) {
  section("mkdir/readdir/rename/unlink");
  char dir[512];
  snprintf(dir, sizeof dir, "%s", at(base, "dir"));
  CHECK_EQ(mkdir(dir, 0755), 0);
  CHECK_ERR(mkdir(dir, 0755), EEXIST);
  static const char *names[] = {"b", "a", "c with space", "d"};
  for (int i = 0; i < 3; i++) CHECK_EQ(write_file(at(dir, names[i]), names[i]), 0);
  CHECK_EQ(mkdir(at(dir, "d"), 0700), 0);
  DIR *dp = opendir(dir);
  CHECK(dp != NULL);
  char *seen[16];
  int n = 0, dots = 0, dirs = 0;
  struct dirent *e;
  while (dp != NULL && (e = readdir(dp)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) { dots++; continue; }
    if (n < 16) seen[n++] = strdup(e->d_name);
    if (e->d_type == DT_DIR) dirs++;
    else CHECK_EQ(e->d_type, DT_REG);
  }
  if (dp != NULL) CHECK_EQ(closedir(dp), 0);
  CHECK_EQ(dots, 2);
  CHECK_EQ(dirs, 1);
  CHECK_EQ(n, 4);
  qsort(seen, (size_t)n, sizeof seen[0], name_cmp);
  if (n == 4) {
    CHECK(strcmp(seen[0], "a") == 0);
    CHECK(strcmp(seen[1], "b") == 0);
    CHECK(strcmp(seen[2], "c with space") == 0);
    CHECK(strcmp(seen[3], "d") == 0);
  }
  for (int i = 0; i < n; i++) free(seen[i]);
  CHECK_EQ(rename(at(dir, "a"), at(dir, "renamed")), 0);
  CHECK_ERR(access(at(dir, "a"), F_OK), ENOENT);
  CHECK_EQ(access(at(dir, "renamed"), R_OK | W_OK), 0);
  CHECK_EQ(unlink(at(dir, "renamed")), 0);
  CHECK_ERR(unlink(at(dir, "renamed")), ENOENT);
  CHECK_ERR(rmdir(dir), ENOTEMPTY);
  CHECK_ERR(unlink(at(dir, "d")), EISDIR);
  CHECK_EQ(rmdir(at(dir, "d")), 0);
  CHECK_EQ(symlink("b", at(dir, "link")), 0);
  char target[16] = {0};
  CHECK_EQ(readlink(at(dir, "link"), target, sizeof target), 1);
  CHECK_EQ(target[0], 'b');
  CHECK_EQ(link(at(dir, "b"), at(dir, "hard")), 0);
  struct stat st;
  CHECK_EQ(lstat(at(dir, "link"), &st), 0);
  CHECK(S_ISLNK(st.st_mode));
  CHECK_EQ(stat(at(dir, "hard"), &st), 0);
  CHECK_EQ(st.st_nlink, 2);

  section("getcwd/chdir");
  char cwd[512];
  CHECK(getcwd(cwd, sizeof cwd) != NULL);
  CHECK_EQ(chdir(dir), 0);
  CHECK(getcwd(cwd, sizeof cwd) != NULL);
  CHECK(strcmp(cwd, dir) == 0);
  int fd = open("b", O_RDONLY); /* relative to the new cwd */
  CHECK(fd >= 0);
  char buf[8] = {0};
  CHECK_EQ(read(fd, buf, sizeof buf), 1);
  CHECK_EQ(buf[0], 'b');
  close(fd);
  CHECK_EQ(chdir(".."), 0);
  CHECK(getcwd(cwd, sizeof cwd) != NULL);
  CHECK(strcmp(cwd, base) == 0);
  CHECK_ERR(chdir(at(dir, "b")), ENOTDIR);
  CHECK_ERR(getcwd(cwd, 2) == NULL ? -1 : 0, ERANGE);

  section("pipe/dup2");
  int p[2];
  CHECK_EQ(pipe(p), 0);
  CHECK_EQ(write(p[1], "through", 7), 7);
  int saved = dup(0);
  CHECK(saved >= 0);
  CHECK_EQ(dup2(p[0], 0), 0); /* the pipe becomes stdin */
  CHECK_EQ(read(0, buf, 7), 7);
  CHECK(memcmp(buf, "through", 7) == 0);
  CHECK_EQ(dup2(saved, 0), 0);
  close(saved);
  close(p[0]);
  close(p[1]);

  section("statfs");
  struct statfs sf;
  CHECK_EQ(statfs(base, &sf), 0);
  printf("info: statfs f_type=0x%lx\n", (unsigned long)sf.f_type);
  CHECK(sf.f_bsize > 0);
  CHECK(sf.f_blocks >= sf.f_bfree);
}

int main(int argc, char **argv, char **envp) {
  (void)envp;
  const char *base = argc > 1 ? argv[1] : "/lind-glibc";
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (mkdir(base, 0755) != 0) {
    printf("cannot create %s: %s\n", base, strerror(errno));
    return 1;
  }
  t_poll();
  t_rlimits();
  t_files(base);
  t_dirs(base);
  printf("%d passed, %d failed\n", passed, failed);
  return failed > 255 ? 255 : failed;
}
