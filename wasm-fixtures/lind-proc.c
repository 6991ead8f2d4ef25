/* lind-proc: the non-filesystem calls a lind cage makes anyway (abi.md §1.5), argv/environ
 * through the `lind` imports, and the exit path.
 *
 * Usage: lind-proc [STATUS [ARGS...]]
 * Prints "arg[i]: ..." and "env[i]: ..." lines (bytes outside printable ASCII as \xNN) so a
 * test can compare them, one "FAIL ..." line per failed check, then "N passed, M failed".
 * Ends with exit_group(STATUS) when every check passed (STATUS defaults to 0), else
 * exit_group(M). It creates and removes one file, ./lind-proc.tmp, in its working directory. */
#include "lind/lind.h"

extern unsigned char __heap_base;
extern u32 lind_rt_argc, lind_rt_argbytes, lind_rt_envc, lind_rt_envbytes;
extern int lind_rt_args_rc[4];
extern char *lind_rt_arg_buf, *lind_rt_env_buf;

static i64 mono_ns(void) {
  u8 ts[16];
  if (sys_clock_gettime(CLOCK_MONOTONIC, ts) != 0) return -1;
  return (i64)rd64(ts, 0) * 1000000000LL + (i64)rd64(ts, 8);
}
static int all_zero(const u8 *b, size_t n) {
  for (size_t i = 0; i < n; i++) if (b[i]) return 0;
  return 1;
}
static int is_err(int r) { return r < 0 && r > -256; }
static void fd_set_bit(u8 *set, int fd) { set[fd / 8] |= (u8)(1 << (fd % 8)); }
static int fd_bit(const u8 *set, int fd) { return (set[fd / 8] >> (fd % 8)) & 1; }

/* Checks one packed string vector as args_get/environ_get must lay it out. */
static void check_vector(const char *what, char **v, u32 count, u32 bytes, char *buf) {
  u32 sum = 0;
  char *expect = buf;
  int packed = 1;
  for (u32 i = 0; i < count; i++) {
    if (v[i] != expect) packed = 0;
    size_t n = strlen(v[i]);
    sum += (u32)n + 1;
    expect = v[i] + n + 1;
    out_str(what);
    out_str("[");
    out_int(i);
    out_str("]: ");
    out_bytes(v[i], n);
    out_nl();
  }
  CHECK(packed);                        /* strings packed from the buffer start, in order */
  CHECK_EQ(sum, bytes);                 /* the size reported = the bytes written (NULs included) */
  CHECK_EQ((u8)buf[bytes], 0xAA);       /* nothing written past it */
  CHECK(v[count] == NULL);
}

static void t_args(int argc, char **argv, char **envp) {
  section("argv/environ");
  CHECK_EQ(lind_rt_args_rc[0], 0);
  CHECK_EQ(lind_rt_args_rc[1], 0);
  CHECK_EQ(lind_rt_args_rc[2], 0);
  CHECK_EQ(lind_rt_args_rc[3], 0);
  CHECK(argc >= 1);
  CHECK_EQ(argc, lind_rt_argc);
  check_vector("arg", argv, lind_rt_argc, lind_rt_argbytes, lind_rt_arg_buf);
  check_vector("env", envp, lind_rt_envc, lind_rt_envbytes, lind_rt_env_buf);
  int with_eq = 0;
  for (u32 i = 0; i < lind_rt_envc; i++) {
    const char *e = envp[i];
    while (*e && *e != '=') e++;
    with_eq += *e == '=';
  }
  CHECK_EQ(with_eq, lind_rt_envc); /* KEY=VALUE */
}

static void t_ids(void) {
  section("ids");
  CHECK_EQ(sys_getpid(), (i64)lind_cageid); /* a cage's pid is its cage id */
  CHECK(lind_cageid > 0);
  CHECK(sys_getppid() >= 0);
  int uid = sys_getuid(), euid = sys_geteuid(), gid = sys_getgid(), egid = sys_getegid();
  CHECK(uid >= 0 && !is_err(uid));
  CHECK(euid >= 0 && !is_err(euid));
  CHECK(gid >= 0 && !is_err(gid));
  CHECK(egid >= 0 && !is_err(egid));
  CHECK(sys_getpgid(0) >= 0);
  CHECK_EQ(sys_getpgid(0), sys_getpgid(sys_getpid()));
  CHECK_ERR(sys_getpgid(999999), ESRCH);
}

static void t_brk(void) {
  section("brk");
  uptr hb = (uptr)&__heap_base;
  int b0 = sys_brk(0);
  CHECK(!is_err(b0));
  CHECK((uptr)b0 >= hb); /* the heap starts above the module's data and stack */
  CHECK_EQ(sys_brk(0), b0);
  uptr want = (uptr)b0 + 100000;
  int b1 = sys_brk(want);
  CHECK((uptr)b1 >= want && (uptr)b1 < want + 65536);
  CHECK(mem_end() >= (uptr)b1); /* the memory grew to hold it */
  CHECK_EQ(sys_brk(0), b1);
  u8 *p = (u8 *)(uptr)b0;
  CHECK(all_zero(p, 100000)); /* fresh heap is zeroed */
  p[0] = 1; p[99999] = 2;
  CHECK(p[0] == 1 && p[99999] == 2);
  /* far past the 64 MiB maximum: -ENOMEM, break unchanged */
  CHECK_ERR(sys_brk(0x7ff00000), ENOMEM);
  CHECK_ERR(sys_brk((uptr)b0 + 80 * 1024 * 1024), ENOMEM);
  CHECK_EQ(sys_brk(0), b1);
  /* shrink back */
  int b2 = sys_brk((uptr)b0 + 4096);
  CHECK((uptr)b2 >= (uptr)b0 + 4096 && (uptr)b2 < (uptr)b0 + 4096 + 65536);
  CHECK_EQ(sys_brk(0), b2);
}

static void t_mmap(void) {
  section("mmap/munmap/mprotect");
  const int RW = PROT_READ | PROT_WRITE, PA = MAP_PRIVATE | MAP_ANONYMOUS;
  uptr heap_lo = (uptr)&__heap_base, heap_hi = (uptr)sys_brk(0);
  int a = sys_mmap(0, 131072, RW, PA, -1, 0);
  CHECK(!is_err(a));
  if (is_err(a)) return;
  uptr ua = (uptr)a;
  CHECK_EQ(ua % 4096, 0);
  CHECK(ua >= heap_lo);
  CHECK(ua + 131072 <= mem_end());
  CHECK(ua >= heap_hi || ua + 131072 <= heap_lo); /* not inside the brk heap */
  u8 *pa = (u8 *)ua;
  CHECK(all_zero(pa, 131072));
  memset(pa, 0x5A, 131072);
  int b = sys_mmap(0, 5000, RW, PA, -1, 0);
  CHECK(!is_err(b));
  uptr ub = (uptr)b;
  CHECK(ub + 5000 <= ua || ub >= ua + 131072); /* no overlap */
  CHECK(ub + 5000 <= mem_end());
  CHECK(all_zero((u8 *)ub, 5000));
  CHECK_EQ(pa[131071], 0x5A); /* b did not disturb a */
  CHECK_EQ(sys_mprotect(ua, 4096, PROT_READ), 0);
  CHECK_EQ(sys_mprotect(ua, 4096, RW), 0);
  CHECK_EQ(sys_munmap(ua, 131072), 0);
  /* a new mapping is zeroed even where the old one was */
  int c = sys_mmap(0, 131072, RW, PA, -1, 0);
  CHECK(!is_err(c));
  if (!is_err(c)) CHECK(all_zero((u8 *)(uptr)c, 131072));
  CHECK_ERR(sys_munmap(ub + 1, 4096), EINVAL); /* not page aligned */
  CHECK_EQ(sys_munmap(ub, 5000), 0);
  if (!is_err(c)) CHECK_EQ(sys_munmap((uptr)c, 131072), 0);
  CHECK_ERR(sys_mmap(0, 0, RW, PA, -1, 0), EINVAL);
  CHECK_ERR(sys_mmap(0, 4096, RW, MAP_ANONYMOUS, -1, 0), EINVAL); /* neither PRIVATE nor SHARED */
  CHECK_ERR(sys_mmap(0, 128u * 1024 * 1024, RW, PA, -1, 0), ENOMEM);
  /* the heap still works after all that */
  int top = sys_brk(0);
  int grown = sys_brk((uptr)top + 8192);
  CHECK((uptr)grown >= (uptr)top + 8192);
  sys_brk((uptr)top);
}

static void t_clock(void) {
  section("clock_gettime/nanosleep");
  u8 ts[24];
  memset(ts, 0xEE, sizeof ts);
  CHECK_EQ(sys_clock_gettime(CLOCK_REALTIME, ts), 0);
  i64 sec = (i64)rd64(ts, 0), nsec = (i64)rd64(ts, 8);
  CHECK_RANGE(sec, 1600000000LL, 4102444800LL); /* between 2020 and 2100 */
  CHECK_RANGE(nsec, 0, 999999999);
  CHECK(rd64(ts, 16) == 0xEEEEEEEEEEEEEEEEULL); /* 16 bytes written */
  i64 m1 = mono_ns(), m2 = mono_ns();
  CHECK(m1 >= 0);
  CHECK(m2 >= m1);
  CHECK_ERR(sys_clock_gettime(999, ts), EINVAL);
  CHECK_ERR(sys_clock_gettime(CLOCK_REALTIME, (void *)0xfffffff0), EFAULT);
  /* 35 carries (clockid, flags, req, rem) */
  u8 req[16], rem[16];
  wr64(req, 0, 0); wr64(req, 8, 20000000); /* 20 ms */
  i64 t0 = mono_ns();
  CHECK_EQ(sys_nanosleep(CLOCK_MONOTONIC, 0, req, rem), 0);
  i64 t1 = mono_ns();
  CHECK(t1 - t0 >= 20000000);
  CHECK(t1 - t0 < 5000000000LL);
  /* TIMER_ABSTIME (1): sleep until an absolute monotonic time */
  i64 target = mono_ns() + 15000000;
  wr64(req, 0, (u64)(target / 1000000000)); wr64(req, 8, (u64)(target % 1000000000));
  CHECK_EQ(sys_nanosleep(CLOCK_MONOTONIC, 1, req, NULL), 0);
  CHECK(mono_ns() >= target);
  wr64(req, 0, 0); wr64(req, 8, 1);
  t0 = mono_ns();
  CHECK_EQ(sys_nanosleep(CLOCK_MONOTONIC, 1, req, NULL), 0); /* in the past: at once */
  CHECK(mono_ns() - t0 < 1000000000LL);
  wr64(req, 0, 0); wr64(req, 8, 1000000000);
  CHECK_ERR(sys_nanosleep(CLOCK_MONOTONIC, 0, req, rem), EINVAL);
  wr64(req, 0, (u64)-1); wr64(req, 8, 0);
  CHECK_ERR(sys_nanosleep(CLOCK_MONOTONIC, 0, req, rem), EINVAL);
  wr64(req, 0, 0); wr64(req, 8, 1000);
  CHECK_ERR(sys_nanosleep(999, 0, req, rem), EINVAL);
  CHECK_ERR(sys_nanosleep(CLOCK_MONOTONIC, 0, (void *)0xfffffff0, rem), EFAULT);
}

static void t_random(void) {
  section("getrandom");
  u8 a[64], b[64];
  memset(a, 0, sizeof a); memset(b, 0, sizeof b);
  CHECK_EQ(sys_getrandom(a, 64, 0), 64);
  CHECK_EQ(sys_getrandom(b, 64, 0), 64);
  CHECK(!all_zero(a, 64));
  CHECK(memcmp(a, b, 64) != 0);
  CHECK_EQ(sys_getrandom(a, 0, 0), 0);
  CHECK_EQ(sys_getrandom(a, 16, 1), 16); /* GRND_NONBLOCK */
  CHECK_ERR(sys_getrandom(a, 16, 0x40), EINVAL);
  CHECK_ERR(sys_getrandom((void *)0xfffffff0, 16, 0), EFAULT);
}

static void t_limits_signals(void) {
  section("prlimit64/rt_sigaction/rt_sigprocmask");
  /* struct rlimit is {u32 rlim_cur, u32 rlim_max} in a wasm32 cage: 8 bytes, nothing past them */
  u8 old[16], lim[8];
  memset(old, 0xEE, sizeof old);
  CHECK_EQ(sys_prlimit64(0, 7 /* RLIMIT_NOFILE */, NULL, old), 0);
  u32 cur = rd32(old, 0), max = rd32(old, 4);
  CHECK(cur >= 16);
  CHECK(cur <= max);
  CHECK(max != 0xffffffffu);
  CHECK_EQ(rd64(old, 8), 0xEEEEEEEEEEEEEEEEULL);
  CHECK_EQ(sys_prlimit64(0, 3 /* RLIMIT_STACK */, NULL, old), 0);
  CHECK(rd32(old, 0) > 0);
  CHECK_EQ(sys_prlimit64(0, 9 /* RLIMIT_AS */, NULL, old), 0);
  CHECK_EQ(rd32(old, 0), 0xffffffffu); /* RLIM_INFINITY */
  /* a lower soft descriptor limit applies at once (two descriptors above the lowest free
   * one, here); the old limit comes back in `old` */
  int lowest = sys_open(".", O_RDONLY, 0);
  CHECK(lowest >= 0);
  sys_close(lowest);
  wr32(lim, 0, (u32)lowest + 2); wr32(lim, 4, max);
  CHECK_EQ(sys_prlimit64(0, 7, lim, old), 0);
  CHECK_EQ(rd32(old, 0), cur);
  CHECK_EQ(rd32(old, 4), max);
  int opened[8], n = 0, r;
  while (n < 8 && (r = sys_open(".", O_RDONLY, 0)) >= 0) opened[n++] = r;
  CHECK_ERR(r, EMFILE);
  CHECK_EQ(n, 2);
  while (n > 0) sys_close(opened[--n]);
  CHECK_EQ(sys_prlimit64(0, 7, NULL, old), 0);
  CHECK_EQ(rd32(old, 0), (u32)lowest + 2);
  wr32(lim, 0, cur);
  CHECK_EQ(sys_prlimit64(0, 7, lim, NULL), 0);
  /* soft above hard: EINVAL; a descriptor limit above the system's ceiling: EPERM */
  wr32(lim, 0, 10); wr32(lim, 4, 5);
  CHECK_ERR(sys_prlimit64(0, 7, lim, NULL), EINVAL);
  wr32(lim, 0, cur); wr32(lim, 4, 0xffffffffu);
  CHECK_ERR(sys_prlimit64(0, 7, lim, NULL), EPERM);
  /* other limits are kept as set; raising a hard limit back takes privilege */
  wr32(lim, 0, 0); wr32(lim, 4, 0);
  CHECK_EQ(sys_prlimit64(0, 4 /* RLIMIT_CORE */, lim, NULL), 0);
  CHECK_EQ(sys_prlimit64(0, 4, NULL, old), 0);
  CHECK_EQ(rd32(old, 4), 0);
  wr32(lim, 4, 0xffffffffu);
  CHECK_EQ(sys_prlimit64(0, 4, lim, NULL), sys_geteuid() == 0 ? 0 : -EPERM);
  CHECK_ERR(sys_prlimit64(0, 999, NULL, old), EINVAL);
  CHECK_ERR(sys_prlimit64(-1, 7, NULL, old), ESRCH);
  CHECK_ERR(sys_prlimit64(0, 7, NULL, (void *)0xfffffff0), EFAULT);
  u8 act[32], oact[32], set[8], oset[8];
  memset(act, 0, sizeof act);
  memset(set, 0, sizeof set);
  CHECK_EQ(sys_rt_sigaction(2 /* SIGINT */, NULL, oact), 0);
  CHECK_EQ(sys_rt_sigaction(2, act, NULL), 0);
  CHECK_EQ(sys_rt_sigaction(15 /* SIGTERM */, act, oact), 0);
  wr32(set, 0, 1u << 9); /* SIGUSR1 (10) */
  CHECK_EQ(sys_rt_sigprocmask(0 /* SIG_BLOCK */, set, oset), 0);
  CHECK_EQ(sys_rt_sigprocmask(2 /* SIG_SETMASK */, NULL, oset), 0);
  CHECK_EQ(sys_rt_sigprocmask(1 /* SIG_UNBLOCK */, set, NULL), 0);
}

static void t_poll_ioctl(void) {
  section("poll/ioctl");
  int p[2];
  CHECK_EQ(sys_pipe(p), 0);
  u8 fds[8 * 4];
  memset(fds, 0, sizeof fds);
  wr32(fds, 0, (u32)p[0]); wr16(fds, 4, POLLIN);
  wr32(fds, 8, (u32)p[1]); wr16(fds, 12, POLLOUT);
  CHECK_EQ(sys_poll(fds, 2, 0), 1);
  CHECK_EQ(rd16(fds, 6), 0);
  CHECK_EQ(rd16(fds, 14), POLLOUT);
  i64 t0 = mono_ns();
  CHECK_EQ(sys_poll(fds, 1, 30), 0); /* times out */
  CHECK(mono_ns() - t0 >= 30000000);
  /* ppoll (271): lind-glibc sends the timeout as int milliseconds (-1 for a NULL timespec)
   * and the signal mask pointer fourth */
  u8 mask[8];
  memset(mask, 0, sizeof mask);
  CHECK_EQ(sys_ppoll(fds, 2, 0, NULL), 1);
  CHECK_EQ(rd16(fds, 14), POLLOUT);
  CHECK_EQ(sys_ppoll(fds, 2, -1, mask), 1); /* no timeout, and the write end is ready */
  t0 = mono_ns();
  CHECK_EQ(sys_ppoll(fds, 1, 30, mask), 0);
  CHECK(mono_ns() - t0 >= 30000000);
  /* select (23): fd_sets of 32-bit words, the timeout as {i64 sec, i64 usec}, the time left written back */
  u8 rs[128], ws[128], tv[16];
  int nfds = (p[0] > p[1] ? p[0] : p[1]) + 1;
  memset(rs, 0, sizeof rs); memset(ws, 0, sizeof ws); memset(tv, 0, sizeof tv);
  fd_set_bit(rs, p[0]); fd_set_bit(ws, p[1]);
  CHECK_EQ(sys_select(nfds, rs, ws, NULL, tv), 1);
  CHECK(!fd_bit(rs, p[0]));
  CHECK(fd_bit(ws, p[1]));
  fd_set_bit(rs, p[0]);
  wr64(tv, 8, 30000);
  t0 = mono_ns();
  CHECK_EQ(sys_select(nfds, rs, NULL, NULL, tv), 0);
  CHECK(mono_ns() - t0 >= 30000000);
  CHECK(!fd_bit(rs, p[0]));
  CHECK_EQ(rd64(tv, 0), 0);
  CHECK_EQ(rd64(tv, 8), 0);
  wr64(tv, 8, (u64)-1);
  CHECK_ERR(sys_select(nfds, rs, NULL, NULL, tv), EINVAL);
  wr64(tv, 0, (u64)-1); wr64(tv, 8, 0);
  CHECK_ERR(sys_select(nfds, rs, NULL, NULL, tv), EINVAL);
  wr64(tv, 0, 0);
  CHECK_ERR(sys_select(-1, rs, NULL, NULL, tv), EINVAL);
  memset(rs, 0, sizeof rs);
  fd_set_bit(rs, 40); /* not open */
  CHECK_ERR(sys_select(41, rs, NULL, NULL, tv), EBADF);
  int avail = -1;
  CHECK_EQ(sys_ioctl(p[0], FIONREAD, &avail), 0);
  CHECK_EQ(avail, 0);
  CHECK_EQ(sys_write(p[1], "abc", 3), 3);
  CHECK_EQ(sys_poll(fds, 2, 0), 2);
  CHECK_EQ(rd16(fds, 6), POLLIN);
  memset(rs, 0, sizeof rs); memset(ws, 0, sizeof ws);
  fd_set_bit(rs, p[0]); fd_set_bit(ws, p[1]);
  CHECK_EQ(sys_select(nfds, rs, ws, NULL, NULL), 2);
  CHECK(fd_bit(rs, p[0]));
  CHECK_EQ(sys_ioctl(p[0], FIONREAD, &avail), 0);
  CHECK_EQ(avail, 3);
  /* fd -1 is ignored; a closed fd reports POLLNVAL */
  wr32(fds, 16, (u32)-1); wr16(fds, 20, POLLIN); wr16(fds, 22, 0x7777);
  wr32(fds, 24, 999); wr16(fds, 28, POLLIN);
  CHECK_EQ(sys_poll(fds, 4, 0), 3);
  CHECK_EQ(rd16(fds, 22), 0);
  CHECK_EQ(rd16(fds, 30), POLLNVAL);
  /* writer gone: data then hang-up */
  sys_close(p[1]);
  CHECK_EQ(sys_poll(fds, 1, 0), 1);
  CHECK_EQ(rd16(fds, 6), POLLIN | POLLHUP);
  char buf[8];
  CHECK_EQ(sys_read(p[0], buf, sizeof buf), 3);
  CHECK_EQ(sys_poll(fds, 1, 0), 1);
  CHECK_EQ(rd16(fds, 6), POLLHUP);
  sys_close(p[0]);
  CHECK_ERR(sys_poll((void *)0xfffffff0, 1, 0), EFAULT);
  /* TCGETS on a regular file is not a tty */
  int fd = sys_open("lind-proc.tmp", O_CREAT | O_RDWR | O_TRUNC, 0644);
  CHECK(fd >= 0);
  u8 termios[64];
  CHECK_ERR(sys_ioctl(fd, TCGETS, termios), ENOTTY);
  CHECK_ERR(sys_ioctl(999, FIONREAD, &avail), EBADF);
  sys_close(fd);
  CHECK_EQ(sys_unlink("lind-proc.tmp"), 0);
}

static void t_nosys(void) {
  section("processes alone, no sockets, no 3i");
  /* This cage is not built with asyncify: it cannot fork (the grate warns once). */
  CHECK_ERR(SYS0(57, "fork"), ENOSYS);
  CHECK_ERR(SYS5(56, "clone", LU(17), 0, 0, 0, 0), ENOSYS);
  static char *empty[] = {NULL};
  CHECK_ERR(SYS3(59, "execve", LP("/bin/true"), LP(empty), LP(empty)), ENOENT);
  int status = 0;
  CHECK_ERR(SYS4(61, "wait4", LI(-1), LP(&status), LI(0), 0), ECHILD);
  CHECK_EQ(SYS2(62, "kill", LI(sys_getpid()), LI(0)), 0);
  CHECK_ERR(SYS2(62, "kill", LI(sys_getpid()), LI(99)), EINVAL);
  CHECK_ERR(SYS3(41, "socket", LI(1), LI(1), LI(0)), ENOSYS);
  /* 3i calls: callname NOTUSED, raw (not errno-translated) result -38 */
  u64 a[12];
  u64 c = lind_cageid;
  for (int i = 0; i < 12; i++) a[i] = LIND_NOTUSED;
  a[0] = c; a[1] = 0; a[3] = c; a[4] = 5;               /* register_handler */
  CHECK_EQ(lind_syscall_raw(1001, LIND_NOTUSED, c, c, a), -ENOSYS);
  char src[8] = "abc", dst[8];
  a[0] = LP(src); a[1] = c; a[2] = LP(dst); a[3] = c; a[4] = 4; a[5] = c; a[6] = 0; a[7] = c;
  CHECK_EQ(lind_syscall_raw(1002, LIND_NOTUSED, c, c, a), -ENOSYS); /* copy_data_between_cages */
  for (int i = 0; i < 12; i++) a[i] = LIND_NOTUSED;
  a[0] = c; a[1] = c;
  CHECK_EQ(lind_syscall_raw(1003, LIND_NOTUSED, c, c, a), -ENOSYS); /* copy_handler_table */
}

int main(int argc, char **argv, char **envp) {
  int status = argc > 1 ? atoi_simple(argv[1]) : 0;
  t_args(argc, argv, envp);
  t_ids();
  t_brk();
  t_mmap();
  t_clock();
  t_random();
  t_limits_signals();
  t_poll_ioctl();
  t_nosys();
  int failed = summary();
  /* main's status goes to exit_group (lind_rt's _start); this one never returns */
  sys_exit_group(failed ? failed : status);
}
