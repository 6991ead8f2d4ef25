/* native.c: runs a Lind-ABI fixture natively on Linux x86-64, to check that what the
 * fixture expects is what Linux does (Linux is the specification).
 *
 * `wasm-fixtures/build.sh native lind-fs` builds /tmp/...-native with gcc. Calls go to the
 * real kernel; the few places where the Lind ABI differs from x86-64 are translated here:
 *   4/5/6      104-byte Lind stat  <- 144-byte x86-64 stat
 *   262        112-byte glibc struct __stat64_t64 <- 144-byte x86-64 stat
 *   302        8-byte wasm32 struct rlimit <-> 16-byte kernel rlimit64
 *   271        timeout as int milliseconds -> struct timespec (sigset size 8)
 *   78         getdents carries linux_dirent64 -> 217
 *   72         cmd 5/6/7 use the 16-byte flock (-> x86-64 32-byte); 12/13/14 -> 5/6/7
 *   137/138    112-byte Lind statfs <- 120-byte x86-64 statfs
 *   268/269    carry flags (fchmodat2 452 / faccessat2 439)
 *   35         clock_nanosleep argument order -> 230
 *   1001-1003  3i calls -> -ENOSYS
 * Not part of the committed fixtures. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

typedef unsigned long long u64;
extern u64 lind_base, lind_cageid;
int lind_fixture_main(int argc, char **argv, char **envp);

static int zero_fd = -1, probe[2] = {-1, -1};

static long raw(long nr, u64 a, u64 b, u64 c, u64 d, u64 e, u64 f) {
  long r = syscall(nr, a, b, c, d, e, f);
  return r == -1 ? -errno : r;
}
static int writable(u64 p, size_t n) { return pread(zero_fd, (void *)p, n, 0) == (ssize_t)n; }
static int readable(u64 p, size_t n) { /* a pipe write really reads the bytes */
  char sink[64];
  if (write(probe[1], (void *)p, n) != (ssize_t)n) return 0;
  return read(probe[0], sink, n) == (ssize_t)n;
}

static void put32(unsigned char *d, int off, uint32_t v) { memcpy(d + off, &v, 4); }
static void put64(unsigned char *d, int off, uint64_t v) { memcpy(d + off, &v, 8); }

static int stat_out(long r, struct stat *st, u64 user) {
  if (r < 0) return (int)r;
  if (!writable(user, 104)) return -EFAULT;
  unsigned char *d = (unsigned char *)user;
  memset(d, 0, 104);
  put64(d, 0, st->st_dev);
  put64(d, 8, st->st_ino);
  put32(d, 16, st->st_mode);
  put32(d, 20, (uint32_t)st->st_nlink);
  put32(d, 24, st->st_uid);
  put32(d, 28, st->st_gid);
  put64(d, 32, st->st_rdev);
  put64(d, 40, (uint64_t)st->st_size);
  put32(d, 48, (uint32_t)st->st_blksize);
  put32(d, 52, (uint32_t)st->st_blocks);
  put64(d, 56, (uint64_t)st->st_atim.tv_sec); put64(d, 64, (uint64_t)st->st_atim.tv_nsec);
  put64(d, 72, (uint64_t)st->st_mtim.tv_sec); put64(d, 80, (uint64_t)st->st_mtim.tv_nsec);
  put64(d, 88, (uint64_t)st->st_ctim.tv_sec); put64(d, 96, (uint64_t)st->st_ctim.tv_nsec);
  return 0;
}

/* glibc's struct __stat64_t64 as lind-glibc's fstatat hands it to 262: struct stat's first
 * 52 bytes, st_blocks i64 at 56, times {i64 sec, i32 nsec, pad} at 64, 80, 96. */
static int stat64_out(long r, struct stat *st, u64 user) {
  if (r < 0) return (int)r;
  if (!writable(user, 112)) return -EFAULT;
  unsigned char d[104];
  stat_out(0, st, (u64)d);
  unsigned char *u = (unsigned char *)user;
  memset(u, 0, 112);
  memcpy(u, d, 52);
  put64(u, 56, (uint64_t)st->st_blocks);
  put64(u, 64, (uint64_t)st->st_atim.tv_sec); put32(u, 72, (uint32_t)st->st_atim.tv_nsec);
  put64(u, 80, (uint64_t)st->st_mtim.tv_sec); put32(u, 88, (uint32_t)st->st_mtim.tv_nsec);
  put64(u, 96, (uint64_t)st->st_ctim.tv_sec); put32(u, 104, (uint32_t)st->st_ctim.tv_nsec);
  return 0;
}

/* prlimit64 with the wasm32 struct rlimit {u32 cur, u32 max} on both sides. */
static int rlimit32(u64 pid, u64 res, u64 nw, u64 old) {
  uint64_t k_new[2], k_old[2];
  if (nw) {
    if (!readable(nw, 8)) return -EFAULT;
    uint32_t v[2];
    memcpy(v, (void *)nw, 8);
    for (int i = 0; i < 2; i++) k_new[i] = v[i] == 0xffffffffu ? ~0ULL : v[i];
  }
  if (old && !writable(old, 8)) return -EFAULT;
  long r = raw(SYS_prlimit64, pid, res, nw ? (u64)k_new : 0, old ? (u64)k_old : 0, 0, 0);
  if (r == 0 && old) {
    uint32_t v[2];
    for (int i = 0; i < 2; i++) v[i] = k_old[i] >= 0xffffffffULL ? 0xffffffffu : (uint32_t)k_old[i];
    memcpy((void *)old, v, 8);
  }
  return (int)r;
}

int lind_syscall(int nr, const char *callname, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, u64 a6) {
  (void)callname;
  struct stat st;
  switch (nr) {
  case 4: return stat_out(raw(SYS_stat, a1, (u64)&st, 0, 0, 0, 0), &st, a2);
  case 5: return stat_out(raw(SYS_fstat, a1, (u64)&st, 0, 0, 0, 0), &st, a2);
  case 6: return stat_out(raw(SYS_lstat, a1, (u64)&st, 0, 0, 0, 0), &st, a2);
  case 262: return stat64_out(raw(SYS_newfstatat, a1, a2, (u64)&st, a4, 0, 0), &st, a3);
  case 302: return rlimit32(a1, a2, a3, a4);
  case 271: {
    int ms = (int)a3;
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    return (int)raw(SYS_ppoll, a1, a2, ms < 0 ? 0 : (u64)&ts, a4, 8, 0);
  }
  case 78: return (int)raw(SYS_getdents64, a1, a2, a3, 0, 0, 0);
  case 72: {
    int cmd = (int)a2;
    if (cmd >= 5 && cmd <= 7) {
      struct flock fl;
      if (!readable(a4, 16)) return -EFAULT;
      unsigned char *s = (unsigned char *)a4;
      int16_t t, w; int32_t start, len, pid;
      memcpy(&t, s, 2); memcpy(&w, s + 2, 2); memcpy(&start, s + 4, 4); memcpy(&len, s + 8, 4); memcpy(&pid, s + 12, 4);
      fl.l_type = t; fl.l_whence = w; fl.l_start = start; fl.l_len = len; fl.l_pid = pid;
      long r = raw(SYS_fcntl, a1, (u64)cmd, (u64)&fl, 0, 0, 0);
      if (r >= 0 && cmd == 5) {
        t = fl.l_type; w = fl.l_whence; start = (int32_t)fl.l_start; len = (int32_t)fl.l_len; pid = fl.l_pid;
        memcpy(s, &t, 2); memcpy(s + 2, &w, 2); memcpy(s + 4, &start, 4); memcpy(s + 8, &len, 4); memcpy(s + 12, &pid, 4);
      }
      return (int)r;
    }
    if (cmd >= 12 && cmd <= 14) return (int)raw(SYS_fcntl, a1, (u64)(cmd - 7), a4, 0, 0, 0);
    if (cmd >= 36 && cmd <= 38) return (int)raw(SYS_fcntl, a1, (u64)cmd, a4, 0, 0, 0);
    return (int)raw(SYS_fcntl, a1, a2, a3, 0, 0, 0);
  }
  case 137: case 138: {
    unsigned char b[120];
    long r = raw(nr == 137 ? SYS_statfs : SYS_fstatfs, a1, (u64)b, 0, 0, 0, 0);
    if (r < 0) return (int)r;
    if (!writable(a2, 112)) return -EFAULT;
    memcpy((void *)a2, b, 80);
    memset((unsigned char *)a2 + 80, 0, 32);
    return 0;
  }
  case 268: return (int)raw(452, a1, a2, a3, a4, 0, 0);
  case 269: return (int)raw(439, a1, a2, a3, a4, 0, 0);
  case 35: return (int)raw(SYS_clock_nanosleep, a1, a2, a3, a4, 0, 0);
  case 1001: case 1002: case 1003: return -ENOSYS;
  default: return (int)raw(nr, a1, a2, a3, a4, a5, a6);
  }
}

int lind_syscall_raw(int nr, u64 callname, u64 self, u64 target, const u64 a[12]) {
  (void)self; (void)target;
  return lind_syscall(nr, (const char *)callname, a[0], a[2], a[4], a[6], a[8], a[10]);
}

void sys_exit_group(int status) {
  syscall(SYS_exit_group, status);
  abort();
}

static uintptr_t guard;
uintptr_t mem_end(void) { return guard; }

int main(int argc, char **argv, char **envp) {
  zero_fd = open("/dev/zero", O_RDONLY);
  if (pipe2(probe, O_CLOEXEC) != 0) abort();
  unsigned char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  mprotect(m + 4096, 4096, PROT_NONE);
  guard = (uintptr_t)(m + 4096);
  lind_base = 0;
  lind_cageid = (u64)getpid();
  sys_exit_group(lind_fixture_main(argc, argv, envp));
}
