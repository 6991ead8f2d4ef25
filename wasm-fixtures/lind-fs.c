/* lind-fs: every filesystem syscall of abi.md §2 through `lind`.`make-syscall`, with the
 * struct layouts of abi.md §3 read back from memory byte by byte.
 *
 * Usage: lind-fs [BASE]   (BASE defaults to /lind-fs; it must not exist yet: the fixture
 * creates it and works inside it). Prints one "FAIL ..." line per failed check and ends
 * with "N passed, M failed"; exit status M (via exit_group).
 *
 * Expectations are Linux's (x86-64), including for the numbers lind-glibc never issues
 * (93 fchown, 95 umask, 258 mkdirat, 259 mknodat, 265 linkat, 285 fallocate, 332 statx,
 * 217 getdents64, 40 sendfile): a cage that calls make-syscall directly gets Linux answers.
 * `build.sh native lind-fs` runs this file against the real kernel. */
#include "lind/lind.h"

static const char *base = "/lind-fs";
static int is_root;
static int my_uid, my_gid;

/* ---- small helpers ---------------------------------------------------------------- */
static u8 st[128];   /* stat buffer: 104 (or 112) bytes + a sentinel tail */
static u8 st2[128];
#define ST_DEV(b) rd64(b, 0)
#define ST_INO(b) rd64(b, 8)
#define ST_MODE(b) rd32(b, 16)
#define ST_NLINK(b) rd32(b, 20)
#define ST_UID(b) rd32(b, 24)
#define ST_GID(b) rd32(b, 28)
#define ST_RDEV(b) rd64(b, 32)
#define ST_SIZE(b) ((i64)rd64(b, 40))
#define ST_BLKSIZE(b) ((i32)rd32(b, 48))
#define ST_BLOCKS(b) ((i32)rd32(b, 52))
#define ST_ATIME(b) ((i64)rd64(b, 56))
#define ST_ATIME_NS(b) ((i64)rd64(b, 64))
#define ST_MTIME(b) ((i64)rd64(b, 72))
#define ST_MTIME_NS(b) ((i64)rd64(b, 80))
#define ST_CTIME(b) ((i64)rd64(b, 88))
#define ST_CTIME_NS(b) ((i64)rd64(b, 96))

static int do_stat(const char *p) { memset(st, 0xEE, sizeof st); return sys_stat(p, st); }
static int do_lstat(const char *p) { memset(st, 0xEE, sizeof st); return sys_lstat(p, st); }
static int do_fstat(int fd) { memset(st, 0xEE, sizeof st); return sys_fstat(fd, st); }
static int tail_untouched(const u8 *b, int from, int to) {
  for (int i = from; i < to; i++) if (b[i] != 0xEE) return 0;
  return 1;
}
/* newfstatat (262) fills glibc's struct __stat64_t64 (112 bytes), which lind-glibc's fstatat,
 * fstatat64 and statx hand it: the first 52 bytes as struct stat, then st_blocks as an i64 at
 * 56 and the times as {i64 sec, i32 nsec, pad} at 64, 80, 96. Whether s64 says what the
 * 104-byte struct stat s says. */
static int same_stat64(const u8 *s64, const u8 *s) {
  return memcmp(s64, s, 52) == 0 && rd64(s64, 56) == (u64)ST_BLOCKS(s) &&
         rd64(s64, 64) == rd64(s, 56) && rd32(s64, 72) == rd32(s, 64) &&
         rd64(s64, 80) == rd64(s, 72) && rd32(s64, 88) == rd32(s, 80) &&
         rd64(s64, 96) == rd64(s, 88) && rd32(s64, 104) == rd32(s, 96);
}
static i64 mode_of(const char *p) { return do_lstat(p) == 0 ? (i64)ST_MODE(st) : -1; }
static i64 size_of(const char *p) { return do_lstat(p) == 0 ? ST_SIZE(st) : -1; }
static i64 ino_of(const char *p) { return do_lstat(p) == 0 ? (i64)ST_INO(st) : -1; }
static i64 nlink_of(const char *p) { return do_lstat(p) == 0 ? (i64)ST_NLINK(st) : -1; }

static int mkfile(const char *p, const char *content) {
  int fd = sys_open(p, O_CREAT | O_WRONLY | O_TRUNC, 0644);
  if (fd < 0) return fd;
  int n = (int)strlen(content);
  int r = n ? sys_write(fd, content, (size_t)n) : 0;
  sys_close(fd);
  return r == n ? 0 : (r < 0 ? r : -EIO);
}
/* Reads the whole file (up to cap-1 bytes) into buf, NUL-terminated; returns the length. */
static int slurp(const char *p, char *buf, int cap) {
  int fd = sys_open(p, O_RDONLY, 0);
  if (fd < 0) return fd;
  int n = 0, r;
  while (n < cap - 1 && (r = sys_read(fd, buf + n, (size_t)(cap - 1 - n))) > 0) n += r;
  sys_close(fd);
  buf[n] = 0;
  return n;
}
static int file_is(const char *p, const char *want) {
  static char buf[8192];
  int n = slurp(p, buf, sizeof buf);
  return n == (int)strlen(want) && memcmp(buf, want, (size_t)n) == 0;
}
static int all_zero(const u8 *b, int n) {
  for (int i = 0; i < n; i++) if (b[i]) return 0;
  return 1;
}
static void set_iov(u8 *iov, int i, const void *p, u32 len) {
  wr64(iov, 16 * i, LP(p));   /* u64 base (base + ptr), as glibc's __lind_translate_iov */
  wr64(iov, 16 * i + 8, len); /* u64 len */
}
static i64 now_sec(void) {
  u8 ts[16];
  return sys_clock_gettime(CLOCK_REALTIME, ts) == 0 ? (i64)rd64(ts, 0) : -1;
}
static char pathbuf[8192];
static char *join(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  memcpy(pathbuf, a, la);
  pathbuf[la] = '/';
  memcpy(pathbuf + la + 1, b, lb + 1);
  return pathbuf;
}
static u64 makedev(u32 major, u32 minor) {
  return ((u64)(major & 0xfff) << 8) | ((u64)(major & 0xfffff000) << 32) | (minor & 0xff) |
         ((u64)(minor & 0xffffff00) << 12);
}

/* ---- sections ------------------------------------------------------------------------ */

static void t_setup(void) {
  section("setup");
  CHECK_EQ(sys_mkdir(base, 0755), 0);
  CHECK_EQ(sys_chdir(base), 0);
  /* umask (95): returns the previous mask and applies to creations. */
  int old = sys_umask(022);
  CHECK_RANGE(old, 0, 0777);
  CHECK_EQ(sys_umask(077), 022);
  CHECK_EQ(mkfile("umask077", ""), 0);
  CHECK_EQ(mode_of("umask077"), S_IFREG | 0600);
  CHECK_EQ(sys_mkdir("umaskdir", 0777), 0);
  CHECK_EQ(mode_of("umaskdir"), S_IFDIR | 0700);
  CHECK_EQ(sys_umask(022), 077);
  CHECK_EQ(sys_umask(01777), 022); /* only the permission bits are kept */
  CHECK_EQ(sys_umask(022), 0777);
  CHECK_EQ(mkfile("umask022", ""), 0);
  CHECK_EQ(mode_of("umask022"), S_IFREG | 0644);
}

static void t_getcwd(void) {
  section("getcwd/chdir");
  static char buf[4200];
  size_t bl = strlen(base);
  memset(buf, 'Z', sizeof buf);
  /* Linux's getcwd syscall returns the length including the NUL. */
  CHECK_EQ(sys_getcwd(buf, sizeof buf), (i64)bl + 1);
  CHECK(memcmp(buf, base, bl + 1) == 0);
  CHECK_ERR(sys_getcwd(buf, bl), ERANGE);     /* no room for the NUL */
  CHECK_EQ(sys_getcwd(buf, bl + 1), (i64)bl + 1);
  CHECK_ERR(sys_getcwd(buf, 0), ERANGE);
  CHECK_ERR(sys_getcwd((char *)0xfffffff0, 100), EFAULT);
  CHECK_EQ(sys_mkdir("cwdsub", 0755), 0);
  CHECK_EQ(sys_chdir("cwdsub"), 0);
  CHECK_EQ(sys_getcwd(buf, sizeof buf), (i64)bl + 8);
  CHECK(memcmp(buf, join(base, "cwdsub"), bl + 8) == 0);
  CHECK_EQ(sys_chdir(".."), 0);
  int d = sys_open("cwdsub", O_RDONLY | O_DIRECTORY, 0);
  CHECK(d >= 3);
  CHECK_EQ(sys_fchdir(d), 0);
  CHECK_EQ(sys_getcwd(buf, sizeof buf), (i64)bl + 8);
  CHECK_EQ(sys_chdir(base), 0);
  sys_close(d);
  CHECK_EQ(mkfile("cwdfile", "x"), 0);
  int f = sys_open("cwdfile", O_RDONLY, 0);
  CHECK_ERR(sys_fchdir(f), ENOTDIR);
  sys_close(f);
  CHECK_ERR(sys_fchdir(f), EBADF);
  CHECK_ERR(sys_chdir("cwdfile"), ENOTDIR);
  CHECK_ERR(sys_chdir("nonexistent"), ENOENT);
  CHECK_ERR(sys_chdir(""), ENOENT);
  CHECK_EQ(sys_getcwd(buf, sizeof buf), (i64)bl + 1);
}

static void t_open_rw(void) {
  section("open/read/write/lseek/close");
  char buf[256];
  int fd = sys_open("f1", O_CREAT | O_RDWR | O_EXCL, 0644);
  CHECK(fd >= 3);
  CHECK_EQ(sys_write(fd, "hello world", 11), 11);
  CHECK_EQ(sys_lseek(fd, 0, SEEK_CUR), 11);
  CHECK_EQ(sys_lseek(fd, 0, SEEK_SET), 0);
  memset(buf, 0, sizeof buf);
  CHECK_EQ(sys_read(fd, buf, sizeof buf), 11);
  CHECK(memcmp(buf, "hello world", 11) == 0);
  CHECK_EQ(sys_read(fd, buf, sizeof buf), 0); /* EOF */
  CHECK_EQ(sys_lseek(fd, -5, SEEK_END), 6);
  CHECK_EQ(sys_read(fd, buf, 5), 5);
  CHECK(memcmp(buf, "world", 5) == 0);
  CHECK_EQ(sys_lseek(fd, -3, SEEK_CUR), 8);
  CHECK_ERR(sys_lseek(fd, -100, SEEK_SET), EINVAL);
  CHECK_ERR(sys_lseek(fd, -100, SEEK_CUR), EINVAL);
  CHECK_ERR(sys_lseek(fd, 0, 99), EINVAL);
  CHECK_EQ(sys_lseek(fd, 8, SEEK_SET), 8); /* unchanged after the errors */
  /* a hole: write past the end */
  CHECK_EQ(sys_lseek(fd, 100, SEEK_SET), 100);
  CHECK_EQ(sys_write(fd, "X", 1), 1);
  CHECK_EQ(size_of("f1"), 101);
  CHECK_EQ(sys_pread(fd, buf, 89, 11), 89);
  CHECK(all_zero((u8 *)buf, 89));
  CHECK_EQ(sys_lseek(fd, 0, SEEK_DATA), 0);
  CHECK_RANGE(sys_lseek(fd, 0, SEEK_HOLE), 11, 101);
  CHECK_ERR(sys_lseek(fd, 101, SEEK_DATA), ENXIO);
  CHECK_ERR(sys_lseek(fd, 200, SEEK_HOLE), ENXIO);
  CHECK_EQ(sys_close(fd), 0);
  CHECK_ERR(sys_close(fd), EBADF);
  CHECK_ERR(sys_read(fd, buf, 1), EBADF);
  CHECK_ERR(sys_write(999, "x", 1), EBADF);
  CHECK_ERR(sys_write(-1, "x", 1), EBADF);
  CHECK_ERR(sys_close(-1), EBADF);

  /* flags and errors */
  CHECK_ERR(sys_open("f1", O_CREAT | O_EXCL | O_RDWR, 0644), EEXIST);
  CHECK_ERR(sys_open("nope", O_RDONLY, 0), ENOENT);
  CHECK_ERR(sys_open("", O_RDONLY, 0), ENOENT);
  CHECK_ERR(sys_open("f1/x", O_RDONLY, 0), ENOTDIR);
  CHECK_ERR(sys_open("nodir/x", O_CREAT | O_WRONLY, 0644), ENOENT);
  CHECK_ERR(sys_open("cwdsub", O_WRONLY, 0), EISDIR);
  CHECK_ERR(sys_open("cwdsub", O_RDWR, 0), EISDIR);
  CHECK_ERR(sys_open("f1", O_RDONLY | O_DIRECTORY, 0), ENOTDIR);
  CHECK_ERR(sys_open("cwdsub", O_CREAT | O_EXCL | O_RDWR, 0644), EEXIST);
  /* the mode of a new file: given mode & ~umask */
  fd = sys_open("f2", O_CREAT | O_WRONLY, 0640);
  CHECK(fd >= 3);
  CHECK_EQ(mode_of("f2"), S_IFREG | 0640);
  /* read on a write-only fd, write on a read-only fd */
  CHECK_ERR(sys_read(fd, buf, 1), EBADF);
  sys_close(fd);
  fd = sys_open("f2", O_RDONLY, 0);
  CHECK_ERR(sys_write(fd, "x", 1), EBADF);
  sys_close(fd);
  /* O_LARGEFILE (open64) and opendir's flags are accepted */
  fd = sys_open("f1", O_RDONLY | O_LARGEFILE, 0);
  CHECK(fd >= 3);
  sys_close(fd);
  fd = sys_open("cwdsub", 0x98800, 0);
  CHECK(fd >= 3);
  CHECK_EQ(sys_fcntl(fd, F_GETFD, 0), FD_CLOEXEC);
  sys_close(fd);
  /* lowest free descriptor */
  int a = sys_open("f1", O_RDONLY, 0), b = sys_open("f1", O_RDONLY, 0), c = sys_open("f1", O_RDONLY, 0);
  CHECK_EQ(b, a + 1);
  CHECK_EQ(c, a + 2);
  sys_close(b);
  CHECK_EQ(sys_open("f1", O_RDONLY, 0), b);
  sys_close(a); sys_close(b); sys_close(c);
  /* O_TRUNC, O_APPEND */
  fd = sys_open("f1", O_WRONLY | O_TRUNC, 0);
  CHECK_EQ(size_of("f1"), 0);
  CHECK_EQ(sys_write(fd, "abc", 3), 3);
  sys_close(fd);
  fd = sys_open("f1", O_WRONLY | O_APPEND, 0);
  CHECK_EQ(sys_lseek(fd, 0, SEEK_SET), 0);
  CHECK_EQ(sys_write(fd, "def", 3), 3);
  CHECK_EQ(sys_lseek(fd, 0, SEEK_CUR), 6);
  sys_close(fd);
  CHECK(file_is("f1", "abcdef"));
  /* O_CREAT without O_EXCL on an existing file opens it */
  fd = sys_open("f1", O_CREAT | O_RDONLY, 0600);
  CHECK(fd >= 3);
  sys_close(fd);
  CHECK_EQ(mode_of("f1"), S_IFREG | 0644);
  /* O_NOFOLLOW, symlink loops, long names */
  CHECK_EQ(sys_symlink("f1", "f1.lnk"), 0);
  CHECK_ERR(sys_open("f1.lnk", O_RDONLY | O_NOFOLLOW, 0), ELOOP);
  fd = sys_open("f1.lnk", O_RDONLY, 0);
  CHECK(fd >= 3);
  sys_close(fd);
  CHECK_EQ(sys_symlink("loop2", "loop1"), 0);
  CHECK_EQ(sys_symlink("loop1", "loop2"), 0);
  CHECK_ERR(sys_open("loop1", O_RDONLY, 0), ELOOP);
  static char longname[300];
  memset(longname, 'n', 256);
  longname[256] = 0;
  CHECK_ERR(sys_open(longname, O_CREAT | O_WRONLY, 0644), ENAMETOOLONG);
  longname[255] = 0;
  fd = sys_open(longname, O_CREAT | O_WRONLY, 0644); /* 255 bytes is fine */
  CHECK(fd >= 3);
  sys_close(fd);
  CHECK_EQ(sys_unlink(longname), 0);
  static char longpath[4200];
  for (int i = 0; i < 4100; i += 2) longpath[i] = 'a', longpath[i + 1] = '/';
  longpath[4100] = 0;
  CHECK_ERR(sys_open(longpath, O_RDONLY, 0), ENAMETOOLONG);
  /* ioctl FIONREAD on a regular file: bytes between the offset and the end */
  fd = sys_open("f1", O_RDONLY, 0);
  int avail = -1;
  CHECK_EQ(sys_ioctl(fd, FIONREAD, &avail), 0);
  CHECK_EQ(avail, 6);
  CHECK_EQ(sys_lseek(fd, 4, SEEK_SET), 4);
  CHECK_EQ(sys_ioctl(fd, FIONREAD, &avail), 0);
  CHECK_EQ(avail, 2);
  sys_close(fd);
}

static void t_openat(void) {
  section("openat");
  CHECK_EQ(sys_mkdir("oa", 0755), 0);
  int d = sys_open("oa", O_RDONLY | O_DIRECTORY, 0);
  CHECK(d >= 3);
  int fd = sys_openat(d, "inner", O_CREAT | O_WRONLY | O_EXCL, 0600);
  CHECK(fd >= 3);
  CHECK_EQ(sys_write(fd, "in", 2), 2);
  sys_close(fd);
  CHECK(file_is("oa/inner", "in"));
  CHECK_EQ(mode_of("oa/inner"), S_IFREG | 0600);
  fd = sys_openat(AT_FDCWD, "oa/inner", O_RDONLY, 0);
  CHECK(fd >= 3);
  /* an absolute path ignores dirfd, even a bad one */
  int fd2 = sys_openat(12345, join(base, "oa/inner"), O_RDONLY, 0);
  CHECK(fd2 >= 3);
  sys_close(fd2);
  CHECK_ERR(sys_openat(fd, "x", O_RDONLY, 0), ENOTDIR);
  CHECK_ERR(sys_openat(12345, "x", O_RDONLY, 0), EBADF);
  CHECK_ERR(sys_openat(d, "missing", O_RDONLY, 0), ENOENT);
  CHECK_ERR(sys_openat(d, "inner", O_CREAT | O_EXCL | O_RDONLY, 0644), EEXIST);
  sys_close(fd);
  fd = sys_openat(d, "..", O_RDONLY | O_DIRECTORY, 0);
  CHECK(fd >= 3);
  CHECK_EQ(sys_fstat(fd, st2), 0);
  CHECK_EQ(do_stat("."), 0);
  CHECK_EQ(ST_INO(st2), ST_INO(st));
  sys_close(fd);
  fd = sys_openat(d, "c", O_CREAT | O_RDWR | O_CLOEXEC, 0644);
  CHECK_EQ(sys_fcntl(fd, F_GETFD, 0), FD_CLOEXEC);
  sys_close(fd);
  sys_close(d);
}

static void t_stat(void) {
  section("stat layout");
  CHECK_EQ(mkfile("s1", "0123456789"), 0);
  i64 now = now_sec();
  int fd = sys_open("s1", O_RDONLY, 0);
  memset(st, 0xEE, sizeof st);
  CHECK_EQ(sys_fstat(fd, st), 0);
  CHECK(tail_untouched(st, 104, 128)); /* exactly 104 bytes written */
  CHECK_EQ(ST_MODE(st), S_IFREG | 0644);
  CHECK_EQ(ST_NLINK(st), 1);
  CHECK_EQ(ST_SIZE(st), 10);
  CHECK_EQ(ST_UID(st), my_uid);
  CHECK_EQ(ST_GID(st), my_gid);
  CHECK_EQ(ST_RDEV(st), 0);
  CHECK(ST_INO(st) != 0);
  CHECK(ST_INO(st) < 0x100000000ULL); /* the cage reads only 32 bits */
  CHECK(ST_BLKSIZE(st) > 0);
  CHECK(ST_BLOCKS(st) >= 1);
  CHECK_RANGE(ST_MTIME(st), now - 5, now + 5);
  CHECK_RANGE(ST_ATIME_NS(st), 0, 999999999);
  CHECK_RANGE(ST_MTIME_NS(st), 0, 999999999);
  CHECK_RANGE(ST_CTIME_NS(st), 0, 999999999);
  CHECK_EQ(ST_MTIME(st), ST_CTIME(st));
  CHECK_EQ(ST_MTIME_NS(st), ST_CTIME_NS(st));
  u64 dev = ST_DEV(st), ino = ST_INO(st);
  memset(st2, 0xEE, sizeof st2);
  CHECK_EQ(sys_stat("s1", st2), 0);
  CHECK(tail_untouched(st2, 104, 128));
  CHECK(memcmp(st, st2, 104) == 0);
  memset(st2, 0xEE, sizeof st2);
  CHECK_EQ(sys_lstat("s1", st2), 0);
  CHECK(memcmp(st, st2, 104) == 0);
  memset(st2, 0xEE, sizeof st2);
  CHECK_EQ(sys_fstatat(AT_FDCWD, "s1", st2, 0), 0);
  CHECK(tail_untouched(st2, 112, 128)); /* 262 writes the 112-byte struct __stat64_t64 */
  CHECK(same_stat64(st2, st));
  memset(st2, 0xEE, sizeof st2);
  CHECK_EQ(sys_fstatat(fd, "", st2, AT_EMPTY_PATH), 0);
  CHECK(same_stat64(st2, st));
  CHECK_ERR(sys_fstatat(fd, "", st2, 0), ENOENT);
  CHECK_ERR(sys_fstatat(AT_FDCWD, "s1", st2, 0x1), EINVAL);
  sys_close(fd);
  /* directories and symlinks */
  CHECK_EQ(do_stat("."), 0);
  CHECK_EQ(ST_MODE(st) & S_IFMT, S_IFDIR);
  CHECK_EQ(ST_DEV(st), dev);
  CHECK(ST_NLINK(st) >= 2);
  CHECK_EQ(sys_symlink("s1", "s1.lnk"), 0);
  CHECK_EQ(do_lstat("s1.lnk"), 0);
  CHECK(tail_untouched(st, 104, 128));
  CHECK_EQ(ST_MODE(st), S_IFLNK | 0777);
  CHECK_EQ(ST_SIZE(st), 2);
  CHECK(ST_INO(st) != ino);
  CHECK_EQ(do_stat("s1.lnk"), 0);
  CHECK_EQ(ST_INO(st), ino);
  CHECK_EQ(sys_fstatat(AT_FDCWD, "s1.lnk", st2, AT_SYMLINK_NOFOLLOW), 0);
  CHECK_EQ(ST_MODE(st2), S_IFLNK | 0777);
  CHECK_EQ(sys_fstatat(AT_FDCWD, "s1.lnk", st2, 0), 0);
  CHECK_EQ(ST_INO(st2), ino);
  int d = sys_open(".", O_RDONLY | O_DIRECTORY, 0);
  CHECK_EQ(sys_fstatat(d, "s1", st2, 0), 0);
  CHECK_EQ(ST_INO(st2), ino);
  sys_close(d);
  /* errors */
  CHECK_ERR(do_stat("missing"), ENOENT);
  CHECK_ERR(do_stat("s1/x"), ENOTDIR);
  CHECK_ERR(do_stat(""), ENOENT);
  CHECK_ERR(sys_fstat(999, st), EBADF);
  CHECK_EQ(sys_symlink("dangling-target", "dangling"), 0);
  CHECK_ERR(do_stat("dangling"), ENOENT);
  CHECK_EQ(do_lstat("dangling"), 0);
  CHECK_EQ(ST_SIZE(st), 15);
  /* size and blocks grow with the data */
  CHECK_EQ(sys_truncate("s1", 100000), 0);
  CHECK_EQ(do_stat("s1"), 0);
  CHECK_EQ(ST_SIZE(st), 100000);
}

static void t_pread_pwrite(void) {
  section("pread64/pwrite64");
  char buf[64];
  int fd = sys_open("p1", O_CREAT | O_RDWR | O_TRUNC, 0644);
  CHECK_EQ(sys_write(fd, "0123456789", 10), 10);
  CHECK_EQ(sys_pwrite(fd, "AB", 2, 3), 2);
  CHECK_EQ(sys_lseek(fd, 0, SEEK_CUR), 10); /* the offset does not move */
  CHECK_EQ(sys_pread(fd, buf, 6, 2), 6);
  CHECK(memcmp(buf, "2AB567", 6) == 0);
  CHECK_EQ(sys_lseek(fd, 0, SEEK_CUR), 10);
  CHECK_EQ(sys_pread(fd, buf, 10, 8), 2);
  CHECK_EQ(sys_pread(fd, buf, 10, 100), 0);
  CHECK_EQ(sys_pwrite(fd, "Z", 1, 20), 1);
  CHECK_EQ(size_of("p1"), 21);
  CHECK_ERR(sys_pread(fd, buf, 1, -1), EINVAL);
  CHECK_ERR(sys_pwrite(fd, buf, 1, -1), EINVAL);
  /* a 64-bit offset arrives whole (not cut to 32 bits) */
  CHECK_EQ(sys_pread(fd, buf, 1, 0x100000000LL), 0);
  CHECK_EQ(sys_pread(fd, buf, 1, 0x100000003LL), 0);
  sys_close(fd);
  /* pwrite on an O_APPEND descriptor appends (Linux) */
  fd = sys_open("p1", O_WRONLY | O_APPEND, 0);
  CHECK_EQ(sys_pwrite(fd, "END", 3, 0), 3);
  sys_close(fd);
  CHECK_EQ(size_of("p1"), 24);
  fd = sys_open("p1", O_RDONLY, 0);
  CHECK_EQ(sys_pread(fd, buf, 3, 21), 3);
  CHECK(memcmp(buf, "END", 3) == 0);
  CHECK_ERR(sys_pwrite(fd, "x", 1, 0), EBADF);
  sys_close(fd);
  int p[2];
  CHECK_EQ(sys_pipe(p), 0);
  CHECK_ERR(sys_pread(p[0], buf, 1, 0), ESPIPE);
  CHECK_ERR(sys_pwrite(p[1], "x", 1, 0), ESPIPE);
  CHECK_ERR(sys_lseek(p[0], 0, SEEK_SET), ESPIPE);
  sys_close(p[0]); sys_close(p[1]);
}

static void t_iov(void) {
  section("readv/writev/preadv/pwritev (16-byte iovec)");
  u8 iov[16 * 4];
  char a[8], b[8], c[16];
  int fd = sys_open("v1", O_CREAT | O_RDWR | O_TRUNC, 0644);
  set_iov(iov, 0, "abc", 3);
  set_iov(iov, 1, "", 0);
  set_iov(iov, 2, "defg", 4);
  CHECK_EQ(sys_writev(fd, iov, 3), 7);
  CHECK_EQ(sys_lseek(fd, 0, SEEK_CUR), 7);
  CHECK_EQ(sys_lseek(fd, 0, SEEK_SET), 0);
  memset(a, 0, sizeof a); memset(b, 0, sizeof b);
  set_iov(iov, 0, a, 2);
  set_iov(iov, 1, b, 8);
  CHECK_EQ(sys_readv(fd, iov, 2), 7);
  CHECK(memcmp(a, "ab", 2) == 0);
  CHECK(memcmp(b, "cdefg", 5) == 0);
  CHECK_EQ(sys_readv(fd, iov, 2), 0);
  CHECK_EQ(sys_writev(fd, iov, 0), 0);
  CHECK_ERR(sys_writev(fd, iov, -1), EINVAL);
  CHECK_ERR(sys_readv(fd, iov, 1025), EINVAL); /* > IOV_MAX */
  /* pwritev/preadv: one whole 64-bit offset in arg4; the file offset does not move */
  CHECK_EQ(sys_lseek(fd, 1, SEEK_SET), 1);
  set_iov(iov, 0, "XY", 2);
  set_iov(iov, 1, "Z", 1);
  CHECK_EQ(sys_pwritev(fd, iov, 2, 4), 3);
  CHECK_EQ(sys_lseek(fd, 0, SEEK_CUR), 1);
  memset(c, 0, sizeof c);
  set_iov(iov, 0, c, 3);
  set_iov(iov, 1, c + 3, 10);
  CHECK_EQ(sys_preadv(fd, iov, 2, 2), 5);
  CHECK(memcmp(c, "cdXYZ", 5) == 0);
  CHECK_EQ(sys_lseek(fd, 0, SEEK_CUR), 1);
  CHECK_EQ(sys_preadv(fd, iov, 2, 100), 0);
  CHECK_ERR(sys_preadv(fd, iov, 2, -1), EINVAL);
  CHECK(file_is("v1", "abcdXYZ"));
  /* the host reads iov_base as a full u64: a high half makes it a bad address */
  set_iov(iov, 0, a, 2);
  wr32(iov, 4, 1);
  CHECK_ERR(sys_pwritev(fd, iov, 1, 0), EFAULT);
  /* bad iovec array / bad buffer */
  CHECK_ERR(sys_writev(fd, (void *)0xfffffff0, 1), EFAULT);
  CHECK_ERR(sys_readv(fd, (void *)(mem_end() - 8), 1), EFAULT);
  wr64(iov, 0, 0xfffffff0ULL); wr64(iov, 8, 4);
  CHECK_ERR(sys_writev(fd, iov, 1), EFAULT);
  CHECK_ERR(sys_readv(fd, iov, 1), EFAULT);
  CHECK(file_is("v1", "abcdXYZ"));
  sys_close(fd);
  CHECK_ERR(sys_writev(fd, iov, 1), EBADF);
}

static void t_truncate_sync(void) {
  section("truncate/ftruncate/fsync/fdatasync/sync_file_range");
  u8 buf[64];
  CHECK_EQ(mkfile("t1", "0123456789"), 0);
  CHECK_EQ(sys_truncate("t1", 4), 0);
  CHECK(file_is("t1", "0123"));
  CHECK_EQ(sys_truncate("t1", 20), 0);
  CHECK_EQ(size_of("t1"), 20);
  int fd = sys_open("t1", O_RDWR, 0);
  CHECK_EQ(sys_pread(fd, buf, 20, 0), 20);
  CHECK(memcmp(buf, "0123", 4) == 0 && all_zero(buf + 4, 16));
  CHECK_EQ(sys_ftruncate(fd, 2), 0);
  CHECK_EQ(size_of("t1"), 2);
  CHECK_EQ(sys_ftruncate(fd, 0x100000000LL + 5), 0); /* a 64-bit length arrives whole */
  CHECK_EQ(size_of("t1"), 0x100000005LL);
  CHECK_EQ(sys_ftruncate(fd, 3), 0);
  CHECK_ERR(sys_ftruncate(fd, -1), EINVAL);
  CHECK_ERR(sys_truncate("t1", -1), EINVAL);
  CHECK_ERR(sys_truncate("missing", 0), ENOENT);
  CHECK_ERR(sys_truncate("cwdsub", 0), EISDIR);
  CHECK_EQ(sys_fsync(fd), 0);
  CHECK_EQ(sys_fdatasync(fd), 0);
  CHECK_EQ(sys_sync_file_range(fd, 0, 0, 0), 0);
  CHECK_EQ(sys_sync_file_range(fd, 0, 4096, 7), 0);
  CHECK_ERR(sys_sync_file_range(fd, 0, 0, 8), EINVAL);
  CHECK_ERR(sys_sync_file_range(fd, -1, 0, 0), EINVAL);
  sys_close(fd);
  CHECK_ERR(sys_fsync(fd), EBADF);
  CHECK_ERR(sys_fdatasync(fd), EBADF);
  CHECK_ERR(sys_sync_file_range(fd, 0, 0, 0), EBADF);
  fd = sys_open("t1", O_RDONLY, 0);
  CHECK_ERR(sys_ftruncate(fd, 0), EINVAL); /* not open for writing */
  CHECK_EQ(sys_fsync(fd), 0);
  sys_close(fd);
}

static void t_fallocate(void) {
  section("fallocate (285)");
  u8 buf[64];
  int fd = sys_open("fa", O_CREAT | O_RDWR | O_TRUNC, 0644);
  CHECK_EQ(sys_fallocate(fd, 0, 0, 5000), 0);
  CHECK_EQ(size_of("fa"), 5000);
  CHECK_EQ(sys_pread(fd, buf, 64, 4936), 64);
  CHECK(all_zero(buf, 64));
  CHECK_EQ(sys_fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 9000), 0);
  CHECK_EQ(size_of("fa"), 5000);
  CHECK_EQ(sys_fallocate(fd, 0, 100, 10), 0); /* inside: no change */
  CHECK_EQ(size_of("fa"), 5000);
  CHECK_EQ(sys_pwrite(fd, "DATADATA", 8, 10), 8);
  CHECK_EQ(sys_fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 12, 4), 0);
  CHECK_EQ(sys_pread(fd, buf, 8, 10), 8);
  CHECK(memcmp(buf, "DA\0\0\0\0TA", 8) == 0);
  CHECK_EQ(size_of("fa"), 5000);
  CHECK_ERR(sys_fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 4), EOPNOTSUPP);
  CHECK_ERR(sys_fallocate(fd, 0, 0, 0), EINVAL);
  CHECK_ERR(sys_fallocate(fd, 0, -1, 10), EINVAL);
  CHECK_ERR(sys_fallocate(fd, 0, 0, -10), EINVAL);
  sys_close(fd);
  CHECK_ERR(sys_fallocate(fd, 0, 0, 10), EBADF);
  fd = sys_open("fa", O_RDONLY, 0);
  CHECK_ERR(sys_fallocate(fd, 0, 0, 10), EBADF);
  sys_close(fd);
  int p[2];
  sys_pipe(p);
  CHECK_ERR(sys_fallocate(p[1], 0, 0, 10), ESPIPE);
  sys_close(p[0]); sys_close(p[1]);
}

static void t_copy(void) {
  section("copy_file_range (326) / sendfile (40)");
  char buf[32];
  CHECK_EQ(mkfile("cf.src", "0123456789"), 0);
  int in = sys_open("cf.src", O_RDONLY, 0);
  int out = sys_open("cf.dst", O_CREAT | O_RDWR | O_TRUNC, 0644);
  i64 off_in = 2, off_out = 0;
  CHECK_EQ(sys_copy_file_range(in, &off_in, out, &off_out, 5, 0), 5);
  CHECK_EQ(off_in, 7);  /* updated in place (i64 in memory) */
  CHECK_EQ(off_out, 5);
  CHECK_EQ(sys_lseek(in, 0, SEEK_CUR), 0);
  CHECK_EQ(sys_lseek(out, 0, SEEK_CUR), 0);
  CHECK(file_is("cf.dst", "23456"));
  /* NULL offsets use and advance the file offsets */
  CHECK_EQ(sys_lseek(in, 8, SEEK_SET), 8);
  CHECK_EQ(sys_lseek(out, 5, SEEK_SET), 5);
  CHECK_EQ(sys_copy_file_range(in, NULL, out, NULL, 100, 0), 2);
  CHECK_EQ(sys_lseek(in, 0, SEEK_CUR), 10);
  CHECK_EQ(sys_lseek(out, 0, SEEK_CUR), 7);
  CHECK(file_is("cf.dst", "2345689"));
  CHECK_EQ(sys_copy_file_range(in, NULL, out, NULL, 100, 0), 0); /* at EOF */
  off_in = 0;
  CHECK_ERR(sys_copy_file_range(in, &off_in, out, NULL, 1, 1), EINVAL);
  CHECK_ERR(sys_copy_file_range(out, &off_in, in, NULL, 1, 0), EBADF); /* in is read-only */
  /* same file, overlapping ranges */
  i64 o1 = 0, o2 = 2;
  CHECK_ERR(sys_copy_file_range(out, &o1, out, &o2, 4, 0), EINVAL);
  CHECK_ERR(sys_copy_file_range(in, (i64 *)0xfffffff0, out, NULL, 1, 0), EFAULT);
  /* sendfile(out, in, &off, n): reads at *off (updated), in's offset unchanged */
  int out2 = sys_open("sf.dst", O_CREAT | O_WRONLY | O_TRUNC, 0644);
  i64 off = 3;
  CHECK_EQ(sys_lseek(in, 1, SEEK_SET), 1);
  CHECK_EQ(sys_sendfile(out2, in, &off, 4), 4);
  CHECK_EQ(off, 7);
  CHECK_EQ(sys_lseek(in, 0, SEEK_CUR), 1);
  CHECK_EQ(sys_sendfile(out2, in, NULL, 2), 2); /* NULL: from in's offset, which advances */
  CHECK_EQ(sys_lseek(in, 0, SEEK_CUR), 3);
  CHECK(file_is("sf.dst", "345612"));
  CHECK_ERR(sys_sendfile(in, out2, NULL, 1), EBADF);
  sys_close(in); sys_close(out); sys_close(out2);
  (void)buf;
}

static void t_fd(void) {
  section("dup/dup2/dup3/fcntl");
  CHECK_EQ(mkfile("d1", "abcdef"), 0);
  int fd = sys_open("d1", O_RDWR, 0);
  int d = sys_dup(fd);
  CHECK_EQ(d, fd + 1);
  CHECK_EQ(sys_lseek(fd, 3, SEEK_SET), 3);
  CHECK_EQ(sys_lseek(d, 0, SEEK_CUR), 3); /* shared description */
  CHECK_EQ(sys_dup2(fd, fd), fd);
  CHECK_EQ(sys_dup2(fd, 100), 100);
  CHECK_EQ(sys_lseek(100, 0, SEEK_CUR), 3);
  CHECK_EQ(sys_dup2(d, 100), 100); /* closes the old 100 first */
  CHECK_ERR(sys_dup(999), EBADF);
  CHECK_ERR(sys_dup2(999, 101), EBADF);
  CHECK_ERR(sys_dup2(fd, -1), EBADF);
  CHECK_ERR(sys_dup3(fd, fd, 0), EINVAL);
  CHECK_ERR(sys_dup3(fd, 102, 1), EINVAL);
  CHECK_EQ(sys_dup3(fd, 102, O_CLOEXEC), 102);
  CHECK_EQ(sys_fcntl(102, F_GETFD, 0), FD_CLOEXEC);
  CHECK_EQ(sys_fcntl(100, F_GETFD, 0), 0); /* dup2 clears FD_CLOEXEC */
  CHECK_EQ(sys_fcntl(fd, F_SETFD, FD_CLOEXEC), 0);
  CHECK_EQ(sys_fcntl(fd, F_GETFD, 0), FD_CLOEXEC);
  CHECK_EQ(sys_fcntl(d, F_GETFD, 0), 0); /* FD_CLOEXEC belongs to the fd */
  CHECK_EQ(sys_fcntl(fd, F_SETFD, 0), 0);
  int m = sys_fcntl(fd, F_DUPFD, 50);
  CHECK_EQ(m, 50);
  CHECK_EQ(sys_fcntl(fd, F_DUPFD, 50), 51);
  CHECK_EQ(sys_fcntl(fd, F_DUPFD_CLOEXEC, 50), 52);
  CHECK_EQ(sys_fcntl(52, F_GETFD, 0), FD_CLOEXEC);
  CHECK_ERR(sys_fcntl(fd, F_DUPFD, -1), EINVAL);
  /* F_GETFL / F_SETFL (O_LARGEFILE may or may not be reported; mask it) */
  int fl = sys_fcntl(fd, F_GETFL, 0);
  CHECK_EQ(fl & ~O_LARGEFILE, O_RDWR);
  CHECK_EQ(sys_fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK | O_WRONLY), 0);
  fl = sys_fcntl(d, F_GETFL, 0); /* status flags are shared by the description */
  CHECK_EQ(fl & ~O_LARGEFILE, O_RDWR | O_APPEND | O_NONBLOCK); /* access mode unchanged */
  CHECK_EQ(sys_fcntl(fd, F_SETFL, 0), 0);
  CHECK_EQ(sys_fcntl(fd, F_GETFL, 0) & ~O_LARGEFILE, O_RDWR);
  int ro = sys_open("d1", O_RDONLY, 0);
  CHECK_EQ(sys_fcntl(ro, F_GETFL, 0) & ~O_LARGEFILE, O_RDONLY);
  CHECK_ERR(sys_fcntl(fd, 9999, 0), EINVAL);
  CHECK_ERR(sys_fcntl(999, F_GETFD, 0), EBADF);
  /* the fcntl path leaves unused slots NOTUSED: arg3 and arg4 must be ignored */
  CHECK_EQ(SYS2(72, "fcntl", LI(102), LI(F_GETFD)), FD_CLOEXEC);
  int cls[] = {m, 51, 52, 100, 102, d};
  for (int i = 0; i < 6; i++) CHECK_EQ(sys_close(cls[i]), 0);
  sys_close(ro);
  sys_close(fd);
}

/* 16-byte struct flock (cmd 5/6/7) */
static void lk16(u8 *l, int type, int whence, i32 start, i32 len) {
  memset(l, 0, 16);
  wr16(l, 0, (u16)type); wr16(l, 2, (u16)whence); wr32(l, 4, (u32)start); wr32(l, 8, (u32)len);
}
/* 32-byte struct flock64 (cmd 12/13/14, 36/37/38) */
static void lk32(u8 *l, int type, int whence, i64 start, i64 len) {
  memset(l, 0, 32);
  wr16(l, 0, (u16)type); wr16(l, 2, (u16)whence); wr64(l, 8, (u64)start); wr64(l, 16, (u64)len);
}

static void t_locks(void) {
  section("fcntl locks (16- and 32-byte flock by cmd) / flock");
  u8 l[40];
  int pid = sys_getpid();
  CHECK_EQ(mkfile("lk", "0123456789abcdef"), 0);
  int a = sys_open("lk", O_RDWR, 0);
  int b = sys_open("lk", O_RDWR, 0); /* a second open file description */
  /* traditional 16-byte lock on [0,10) */
  lk16(l, F_WRLCK, SEEK_SET, 0, 10);
  CHECK_EQ(sys_fcntl_lock(a, F_SETLK, l), 0);
  /* F_GETLK from the owner: no conflict with its own locks */
  lk16(l, F_WRLCK, SEEK_SET, 0, 100);
  memset(l + 16, 0xEE, 16);
  CHECK_EQ(sys_fcntl_lock(a, F_GETLK, l), 0);
  CHECK_EQ(rd16(l, 0), F_UNLCK);
  CHECK(tail_untouched(l, 16, 32)); /* 16 bytes, no more */
  /* an OFD lock (other owner) conflicts with it: F_OFD_GETLK reports the process lock */
  lk32(l, F_WRLCK, SEEK_SET, 5, 1);
  memset(l + 32, 0xEE, 8);
  CHECK_EQ(sys_fcntl_lock(b, F_OFD_GETLK, l), 0);
  CHECK_EQ(rd16(l, 0), F_WRLCK);
  CHECK_EQ(rd16(l, 2), SEEK_SET);
  CHECK_EQ((i64)rd64(l, 8), 0);
  CHECK_EQ((i64)rd64(l, 16), 10);
  CHECK_EQ((i32)rd32(l, 24), pid);
  CHECK(tail_untouched(l, 32, 40));
  lk32(l, F_RDLCK, SEEK_SET, 9, 5);
  CHECK_ERR(sys_fcntl_lock(b, F_OFD_SETLK, l), EAGAIN);
  lk32(l, F_WRLCK, SEEK_SET, 10, 6);
  CHECK_EQ(sys_fcntl_lock(b, F_OFD_SETLK, l), 0); /* [10,16) is free */
  /* the process sees the OFD lock through the 16-byte F_GETLK, pid -1 */
  lk16(l, F_RDLCK, SEEK_SET, 12, 0);
  CHECK_EQ(sys_fcntl_lock(a, F_GETLK, l), 0);
  CHECK_EQ(rd16(l, 0), F_WRLCK);
  CHECK_EQ((i32)rd32(l, 4), 10);
  CHECK_EQ((i32)rd32(l, 8), 6);
  CHECK_EQ((i32)rd32(l, 12), -1);
  /* ... and through the 32-byte F_GETLK64 */
  lk32(l, F_RDLCK, SEEK_SET, 11, 1);
  CHECK_EQ(sys_fcntl_lock(a, F_GETLK64, l), 0);
  CHECK_EQ(rd16(l, 0), F_WRLCK);
  CHECK_EQ((i64)rd64(l, 8), 10);
  CHECK_EQ((i64)rd64(l, 16), 6);
  CHECK_EQ((i32)rd32(l, 24), -1);
  lk32(l, F_WRLCK, SEEK_SET, 12, 1);
  CHECK_ERR(sys_fcntl_lock(a, F_SETLK64, l), EAGAIN);
  lk16(l, F_WRLCK, SEEK_SET, 15, 1);
  CHECK_ERR(sys_fcntl_lock(a, F_SETLK, l), EAGAIN);
  /* unlock the OFD lock with F_OFD_SETLKW; the 64-bit set then succeeds (F_SETLKW64, arg3 NOTUSED) */
  lk32(l, F_UNLCK, SEEK_SET, 0, 0);
  CHECK_EQ(sys_fcntl_lock(b, F_OFD_SETLKW, l), 0);
  lk32(l, F_WRLCK, SEEK_SET, 12, 1);
  CHECK_EQ(SYS4(72, "fcntl", LI(a), LI(F_SETLKW64), NU, LP(l)), 0);
  lk16(l, F_UNLCK, SEEK_SET, 0, 0);
  CHECK_EQ(SYS4(72, "fcntl", LI(a), LI(F_SETLKW), NU, LP(l)), 0);
  /* with everything unlocked, b's OFD lock goes through */
  lk32(l, F_WRLCK, SEEK_SET, 0, 0);
  CHECK_EQ(sys_fcntl_lock(b, F_OFD_SETLK, l), 0);
  lk32(l, F_UNLCK, SEEK_SET, 0, 0);
  CHECK_EQ(sys_fcntl_lock(b, F_OFD_SETLK, l), 0);
  /* lock errors */
  lk16(l, 7, SEEK_SET, 0, 1);
  CHECK_ERR(sys_fcntl_lock(a, F_SETLK, l), EINVAL);
  lk32(l, F_WRLCK, SEEK_SET, 0, 1);
  wr32(l, 24, 1234);
  CHECK_ERR(sys_fcntl_lock(b, F_OFD_SETLK, l), EINVAL); /* OFD needs l_pid 0 */
  int ro = sys_open("lk", O_RDONLY, 0);
  lk16(l, F_WRLCK, SEEK_SET, 0, 1);
  CHECK_ERR(sys_fcntl_lock(ro, F_SETLK, l), EBADF);
  lk16(l, F_RDLCK, SEEK_SET, 0, 1);
  CHECK_EQ(sys_fcntl_lock(ro, F_SETLK, l), 0);
  lk16(l, F_UNLCK, SEEK_SET, 0, 1);
  CHECK_EQ(sys_fcntl_lock(ro, F_SETLK, l), 0);
  CHECK_ERR(sys_fcntl_lock(a, F_SETLK, (void *)0xfffffff0), EFAULT);
  sys_close(ro);
  /* flock (73): per open file description */
  CHECK_EQ(sys_flock(a, LOCK_EX), 0);
  CHECK_ERR(sys_flock(b, LOCK_EX | LOCK_NB), EAGAIN);
  CHECK_ERR(sys_flock(b, LOCK_SH | LOCK_NB), EAGAIN);
  CHECK_EQ(sys_flock(a, LOCK_SH), 0); /* conversion */
  CHECK_EQ(sys_flock(b, LOCK_SH | LOCK_NB), 0);
  CHECK_EQ(sys_flock(a, LOCK_UN), 0);
  CHECK_EQ(sys_flock(b, LOCK_UN), 0);
  CHECK_EQ(sys_flock(b, LOCK_EX | LOCK_NB), 0);
  CHECK_ERR(sys_flock(a, 0), EINVAL);
  CHECK_ERR(sys_flock(999, LOCK_EX), EBADF);
  sys_close(b); /* the last close of b's description drops its flock */
  CHECK_EQ(sys_flock(a, LOCK_EX | LOCK_NB), 0);
  sys_close(a);
}

/* Parses getdents output; returns the number of records, or -1 if malformed. */
struct ent { char name[64]; u64 ino; i64 off; int type; };
static struct ent ents[400];
static int parse_dirents(const u8 *buf, int n, struct ent *out, int max) {
  int k = 0, pos = 0;
  while (pos < n) {
    int reclen = rd16(buf, pos + 16);
    if (reclen < 24 || reclen % 8 || pos + reclen > n) return -1;
    const char *name = (const char *)buf + pos + 19;
    int nl = (int)strlen(name);
    if (19 + nl + 1 > reclen) return -1;
    if (k < max) {
      memcpy(out[k].name, name, nl < 63 ? (size_t)nl + 1 : 63);
      out[k].name[63] = 0;
      out[k].ino = rd64(buf, pos);
      out[k].off = (i64)rd64(buf, pos + 8);
      out[k].type = buf[pos + 18];
    }
    k++;
    pos += reclen;
  }
  return k;
}
static int find_ent(struct ent *e, int n, const char *name) {
  for (int i = 0; i < n; i++) if (strcmp(e[i].name, name) == 0) return i;
  return -1;
}

static void t_getdents(void) {
  section("getdents (78, linux_dirent64) / getdents64 (217)");
  static u8 buf[8192], buf2[8192];
  CHECK_EQ(sys_mkdir("gd", 0755), 0);
  CHECK_EQ(mkfile("gd/a", "1"), 0);
  CHECK_EQ(mkfile("gd/bb", "22"), 0);
  CHECK_EQ(mkfile("gd/a-much-longer-name.txt", ""), 0);
  CHECK_EQ(sys_mkdir("gd/sub", 0755), 0);
  CHECK_EQ(sys_symlink("a", "gd/ln"), 0);
  CHECK_EQ(sys_mknod("gd/fifo", S_IFIFO | 0644, 0), 0);
  int fd = sys_open("gd", O_RDONLY | O_DIRECTORY, 0);
  CHECK(fd >= 3);
  int n = sys_getdents(fd, buf, sizeof buf);
  CHECK(n > 0);
  int k = parse_dirents(buf, n, ents, 400);
  CHECK_EQ(k, 8);
  int i;
  CHECK((i = find_ent(ents, k, ".")) >= 0 && ents[i].type == DT_DIR && ents[i].ino == (u64)ino_of("gd"));
  CHECK((i = find_ent(ents, k, "..")) >= 0 && ents[i].type == DT_DIR && ents[i].ino == (u64)ino_of("."));
  CHECK((i = find_ent(ents, k, "a")) >= 0 && ents[i].type == DT_REG && ents[i].ino == (u64)ino_of("gd/a"));
  CHECK((i = find_ent(ents, k, "bb")) >= 0 && ents[i].type == DT_REG);
  CHECK((i = find_ent(ents, k, "a-much-longer-name.txt")) >= 0 && ents[i].type == DT_REG);
  CHECK((i = find_ent(ents, k, "sub")) >= 0 && ents[i].type == DT_DIR && ents[i].ino == (u64)ino_of("gd/sub"));
  CHECK((i = find_ent(ents, k, "ln")) >= 0 && ents[i].type == DT_LNK && ents[i].ino == (u64)ino_of("gd/ln"));
  CHECK((i = find_ent(ents, k, "fifo")) >= 0 && ents[i].type == DT_FIFO);
  CHECK_EQ(sys_getdents(fd, buf, sizeof buf), 0); /* end of directory */
  /* d_off of record j resumes at record j+1 */
  struct ent first[8];
  memcpy(first, ents, sizeof first);
  CHECK_EQ(sys_lseek(fd, first[2].off, SEEK_SET), first[2].off);
  n = sys_getdents(fd, buf, sizeof buf);
  CHECK_EQ(parse_dirents(buf, n, ents, 400), 5);
  CHECK(strcmp(ents[0].name, first[3].name) == 0);
  /* rewind (lseek 0): the same records again; 217 gives the same bytes */
  CHECK_EQ(sys_lseek(fd, 0, SEEK_SET), 0);
  n = sys_getdents(fd, buf, sizeof buf);
  CHECK_EQ(sys_lseek(fd, 0, SEEK_SET), 0);
  int n2 = sys_getdents64(fd, buf2, sizeof buf2);
  CHECK_EQ(n2, n);
  CHECK_EQ(parse_dirents(buf2, n2, ents, 400), 8);
  for (int j = 0; j < 8; j++) CHECK(strcmp(ents[j].name, first[j].name) == 0 && ents[j].off == first[j].off);
  /* a buffer that holds exactly one record, then one too small for the next */
  CHECK_EQ(sys_lseek(fd, 0, SEEK_SET), 0);
  int rl = rd16(buf, 16);
  CHECK_EQ(sys_getdents(fd, buf2, (size_t)rl), rl);
  CHECK_ERR(sys_getdents(fd, buf2, 10), EINVAL);
  CHECK_ERR(sys_getdents64(fd, buf2, 10), EINVAL);
  /* errors */
  CHECK_ERR(sys_getdents(fd, (void *)0xfffffff0, 4096), EFAULT);
  int f = sys_open("gd/a", O_RDONLY, 0);
  CHECK_ERR(sys_getdents(f, buf, sizeof buf), ENOTDIR);
  sys_close(f);
  sys_close(fd);
  CHECK_ERR(sys_getdents(fd, buf, sizeof buf), EBADF);
  /* many entries: several calls, each name exactly once */
  CHECK_EQ(sys_mkdir("many", 0755), 0);
  char name[32];
  for (int j = 0; j < 300; j++) {
    memcpy(name, "many/entry-number-", 18);
    name[18] = (char)('0' + j / 100); name[19] = (char)('0' + j / 10 % 10); name[20] = (char)('0' + j % 10);
    name[21] = 0;
    if (mkfile(name, "") != 0) { CHECK(0); break; }
  }
  static u8 seen[300];
  memset(seen, 0, sizeof seen);
  fd = sys_open("many", O_RDONLY | O_DIRECTORY, 0);
  int calls = 0, total = 0, bad = 0;
  while ((n = sys_getdents(fd, buf, 1024)) > 0) {
    calls++;
    k = parse_dirents(buf, n, ents, 400);
    if (k < 0) { bad++; break; }
    for (int j = 0; j < k; j++) {
      total++;
      if (strncmp(ents[j].name, "entry-number-", 13) == 0) seen[atoi_simple(ents[j].name + 13)]++;
    }
  }
  CHECK_EQ(n, 0);
  CHECK_EQ(bad, 0);
  CHECK(calls > 5);
  CHECK_EQ(total, 302);
  int once = 0;
  for (int j = 0; j < 300; j++) once += seen[j] == 1;
  CHECK_EQ(once, 300);
  sys_close(fd);
}

static void t_namespace(void) {
  section("mkdir/rmdir/unlink/rename/link/symlink/readlink");
  char buf[64];
  CHECK_EQ(sys_mkdir("ns", 0755), 0);
  CHECK_EQ(sys_chdir("ns"), 0);
  CHECK_ERR(sys_mkdir("..", 0755), EEXIST);
  CHECK_EQ(sys_mkdir("d", 0750), 0);
  CHECK_EQ(mode_of("d"), S_IFDIR | 0750);
  CHECK_ERR(sys_mkdir("d", 0755), EEXIST);
  CHECK_ERR(sys_mkdir("x/y", 0755), ENOENT);
  CHECK_EQ(mkfile("d/f", "F"), 0);
  CHECK_ERR(sys_mkdir("d/f/g", 0755), ENOTDIR);
  CHECK_ERR(sys_rmdir("d"), ENOTEMPTY);
  CHECK_ERR(sys_rmdir("d/f"), ENOTDIR);
  CHECK_ERR(sys_rmdir("d/."), EINVAL);
  CHECK_ERR(sys_rmdir("missing"), ENOENT);
  CHECK_ERR(sys_unlink("d"), EISDIR);
  CHECK_ERR(sys_unlink("missing"), ENOENT);
  CHECK_EQ(nlink_of("."), 3);
  /* rename */
  CHECK_EQ(mkfile("r1", "one"), 0);
  CHECK_EQ(mkfile("r2", "two"), 0);
  i64 ino1 = ino_of("r1");
  CHECK_EQ(sys_rename("r1", "r2"), 0);
  CHECK_ERR(do_lstat("r1"), ENOENT);
  CHECK_EQ(ino_of("r2"), ino1);
  CHECK(file_is("r2", "one"));
  CHECK_EQ(sys_rename("r2", "r2"), 0);
  CHECK_EQ(sys_mkdir("e", 0755), 0);
  CHECK_ERR(sys_rename("e", "d"), ENOTEMPTY);
  CHECK_ERR(sys_rename("e", "r2"), ENOTDIR);
  CHECK_ERR(sys_rename("r2", "e"), EISDIR);
  CHECK_ERR(sys_rename("d", "d/sub"), EINVAL);
  CHECK_ERR(sys_rename("missing", "zz"), ENOENT);
  CHECK_EQ(sys_rename("e", "e2"), 0);
  CHECK_EQ(sys_rename("r2", "d/r2"), 0);
  CHECK(file_is("d/r2", "one"));
  /* renameat / renameat2 */
  int dd = sys_open("d", O_RDONLY | O_DIRECTORY, 0);
  int cwd = sys_open(".", O_RDONLY | O_DIRECTORY, 0);
  CHECK_EQ(sys_renameat(dd, "r2", cwd, "r3"), 0);
  CHECK(file_is("r3", "one"));
  CHECK_EQ(mkfile("x1", "xx"), 0);
  CHECK_ERR(sys_renameat2(AT_FDCWD, "x1", AT_FDCWD, "r3", RENAME_NOREPLACE), EEXIST);
  CHECK_EQ(sys_renameat2(AT_FDCWD, "x1", dd, "x1", RENAME_NOREPLACE), 0);
  i64 i3 = ino_of("r3"), ix = ino_of("d/x1");
  CHECK_EQ(sys_renameat2(cwd, "r3", dd, "x1", RENAME_EXCHANGE), 0);
  CHECK_EQ(ino_of("r3"), ix);
  CHECK_EQ(ino_of("d/x1"), i3);
  CHECK(file_is("r3", "xx"));
  CHECK_ERR(sys_renameat2(cwd, "r3", cwd, "nothere", RENAME_EXCHANGE), ENOENT);
  CHECK_ERR(sys_renameat2(cwd, "r3", cwd, "d/x1", RENAME_EXCHANGE | RENAME_NOREPLACE), EINVAL);
  CHECK_ERR(sys_renameat2(cwd, "r3", cwd, "q", 0x100), EINVAL);
  CHECK_ERR(sys_renameat(999, "r3", cwd, "q"), EBADF);
  /* link / linkat (265) */
  CHECK_EQ(sys_link("r3", "r3.hard"), 0);
  CHECK_EQ(nlink_of("r3"), 2);
  CHECK_EQ(ino_of("r3.hard"), ino_of("r3"));
  CHECK_ERR(sys_link("r3", "r3.hard"), EEXIST);
  CHECK_ERR(sys_link("d", "d.hard"), EPERM);
  CHECK_ERR(sys_link("missing", "m2"), ENOENT);
  CHECK_EQ(sys_symlink("r3", "r3.sym"), 0);
  CHECK_EQ(sys_linkat(AT_FDCWD, "r3.sym", dd, "via-follow", AT_SYMLINK_FOLLOW), 0);
  CHECK_EQ(ino_of("d/via-follow"), ino_of("r3"));
  CHECK_EQ(sys_linkat(cwd, "r3.sym", dd, "via-nofollow", 0), 0);
  CHECK_EQ(ino_of("d/via-nofollow"), ino_of("r3.sym"));
  CHECK_EQ(mode_of("d/via-nofollow"), S_IFLNK | 0777);
  CHECK_EQ(nlink_of("r3"), 3);
  CHECK_ERR(sys_linkat(cwd, "r3", cwd, "bad-flags", 0x1), EINVAL);
  CHECK_ERR(sys_linkat(cwd, "r3", cwd, "r3.hard", 0), EEXIST);
  CHECK_ERR(sys_linkat(999, "r3", cwd, "q", 0), EBADF);
  /* symlink / readlink: no NUL written; truncation; errors */
  CHECK_EQ(sys_symlink("some/target/path", "sl"), 0);
  memset(buf, 'Z', sizeof buf);
  CHECK_EQ(sys_readlink("sl", buf, sizeof buf), 16);
  CHECK(memcmp(buf, "some/target/path", 16) == 0);
  CHECK_EQ(buf[16], 'Z');
  memset(buf, 'Z', sizeof buf);
  CHECK_EQ(sys_readlink("sl", buf, 4), 4);
  CHECK(memcmp(buf, "someZ", 5) == 0);
  CHECK_ERR(sys_readlink("r3", buf, sizeof buf), EINVAL);
  CHECK_ERR(sys_readlink("sl", buf, 0), EINVAL);
  CHECK_ERR(sys_readlink("missing", buf, sizeof buf), ENOENT);
  CHECK_ERR(sys_symlink("x", "sl"), EEXIST);
  CHECK_ERR(sys_symlink("", "empty-target"), ENOENT);
  CHECK_EQ(sys_symlinkat("../r3", dd, "up"), 0);
  CHECK(file_is("d/up", "xx"));
  memset(buf, 0, sizeof buf);
  CHECK_EQ(sys_readlinkat(dd, "up", buf, sizeof buf), 5);
  CHECK(memcmp(buf, "../r3", 5) == 0);
  CHECK_ERR(sys_readlinkat(dd, "f", buf, sizeof buf), EINVAL);
  CHECK_ERR(sys_symlinkat("t", 999, "q"), EBADF);
  /* unlinkat */
  CHECK_EQ(sys_unlinkat(cwd, "r3.hard", 0), 0);
  CHECK_EQ(nlink_of("r3"), 2);
  CHECK_ERR(sys_unlinkat(cwd, "e2", 0), EISDIR);
  CHECK_ERR(sys_unlinkat(cwd, "r3", AT_REMOVEDIR), ENOTDIR);
  CHECK_ERR(sys_unlinkat(cwd, "r3", 0x1), EINVAL);
  CHECK_EQ(sys_unlinkat(cwd, "e2", AT_REMOVEDIR), 0);
  CHECK_ERR(do_lstat("e2"), ENOENT);
  CHECK_EQ(sys_unlinkat(dd, "via-nofollow", 0), 0);
  /* mkdirat (258) */
  CHECK_EQ(sys_mkdirat(dd, "made", 0700), 0);
  CHECK_EQ(mode_of("d/made"), S_IFDIR | 0700);
  CHECK_EQ(sys_mkdirat(AT_FDCWD, "made2", 0777), 0);
  CHECK_EQ(mode_of("made2"), S_IFDIR | 0755);
  CHECK_ERR(sys_mkdirat(dd, "made", 0700), EEXIST);
  int f = sys_open("r3", O_RDONLY, 0);
  CHECK_ERR(sys_mkdirat(f, "x", 0700), ENOTDIR);
  sys_close(f);
  CHECK_ERR(sys_mkdirat(999, "x", 0700), EBADF);
  /* mknod (133) and mknodat (259) */
  CHECK_EQ(sys_mknod("fifo", S_IFIFO | 0640, 0), 0);
  CHECK_EQ(mode_of("fifo"), S_IFIFO | 0640);
  CHECK_EQ(sys_mknod("regular", S_IFREG | 0600, 0), 0);
  CHECK_EQ(mode_of("regular"), S_IFREG | 0600);
  CHECK_EQ(size_of("regular"), 0);
  CHECK_EQ(sys_mknod("zero-type", 0644, 0), 0); /* type 0 = regular file */
  CHECK_EQ(mode_of("zero-type"), S_IFREG | 0644);
  CHECK_ERR(sys_mknod("fifo", S_IFIFO | 0640, 0), EEXIST);
  CHECK_ERR(sys_mknod("dir", S_IFDIR | 0755, 0), EPERM);
  CHECK_ERR(sys_mknod("nodir/x", S_IFIFO | 0640, 0), ENOENT);
  CHECK_EQ(sys_mknodat(dd, "fifo2", S_IFIFO | 0600, 0), 0);
  CHECK_EQ(mode_of("d/fifo2"), S_IFIFO | 0600);
  CHECK_ERR(sys_mknodat(999, "fifo3", S_IFIFO | 0600, 0), EBADF);
  if (is_root) {
    /* a 64-bit dev_t in glibc's makedev encoding, read back from st_rdev */
    u64 dev = makedev(300, 70000);
    CHECK_EQ(sys_mknod("chr", S_IFCHR | 0600, dev), 0);
    CHECK_EQ(do_lstat("chr"), 0);
    CHECK_EQ(ST_MODE(st), S_IFCHR | 0600);
    CHECK_EQ(ST_RDEV(st), dev);
    CHECK_EQ(sys_mknodat(dd, "blk", S_IFBLK | 0600, 0x0103), 0); /* 259: 32-bit dev, (1,3) */
    CHECK_EQ(do_lstat("d/blk"), 0);
    CHECK_EQ(ST_MODE(st), S_IFBLK | 0600);
    CHECK_EQ(ST_RDEV(st), makedev(1, 3));
  } else {
    CHECK_ERR(sys_mknod("chr", S_IFCHR | 0600, makedev(1, 3)), EPERM);
  }
  sys_close(dd);
  sys_close(cwd);
  CHECK_EQ(sys_chdir(base), 0);
}

static void t_attr(void) {
  section("chmod/chown/access/utimensat/statfs/statx");
  CHECK_EQ(sys_mkdir("at", 0755), 0);
  CHECK_EQ(sys_chdir("at"), 0);
  CHECK_EQ(mkfile("m", "data"), 0);
  CHECK_EQ(sys_symlink("m", "m.lnk"), 0);
  /* chmod family */
  CHECK_EQ(sys_chmod("m", 0600), 0);
  CHECK_EQ(mode_of("m"), S_IFREG | 0600);
  CHECK_EQ(sys_chmod("m.lnk", 0640), 0); /* follows */
  CHECK_EQ(mode_of("m"), S_IFREG | 0640);
  CHECK_EQ(mode_of("m.lnk"), S_IFLNK | 0777);
  int fd = sys_open("m", O_RDONLY, 0);
  CHECK_EQ(sys_fchmod(fd, 0604), 0);
  CHECK_EQ(mode_of("m"), S_IFREG | 0604);
  CHECK_EQ(sys_fchmodat(AT_FDCWD, "m", 0644, 0), 0);
  CHECK_EQ(mode_of("m"), S_IFREG | 0644);
  /* 268 carries flags in arg4 (fchmodat2 behaviour) */
  CHECK_EQ(sys_fchmodat(AT_FDCWD, "m", 0660, AT_SYMLINK_NOFOLLOW), 0);
  CHECK_EQ(mode_of("m"), S_IFREG | 0660);
  CHECK_ERR(sys_fchmodat(AT_FDCWD, "m.lnk", 0600, AT_SYMLINK_NOFOLLOW), EOPNOTSUPP);
  CHECK_ERR(sys_fchmodat(AT_FDCWD, "m", 0600, 0x1), EINVAL);
  CHECK_ERR(sys_chmod("missing", 0600), ENOENT);
  CHECK_ERR(sys_fchmod(999, 0600), EBADF);
  CHECK_EQ(sys_chmod("m", 0644), 0);
  /* chown family ("no change" is 4294967295, zero-extended) */
  if (is_root) {
    CHECK_EQ(sys_chown("m", 1234, 5678), 0);
    CHECK_EQ(do_lstat("m"), 0);
    CHECK_EQ(ST_UID(st), 1234);
    CHECK_EQ(ST_GID(st), 5678);
    CHECK_EQ(sys_chown("m", 0xffffffffu, 0xffffffffu), 0);
    CHECK_EQ(do_lstat("m"), 0);
    CHECK_EQ(ST_UID(st), 1234);
    CHECK_EQ(ST_GID(st), 5678);
    CHECK_EQ(sys_fchown(fd, 42, 0xffffffffu), 0); /* 93 */
    CHECK_EQ(do_lstat("m"), 0);
    CHECK_EQ(ST_UID(st), 42);
    CHECK_EQ(ST_GID(st), 5678);
    CHECK_EQ(sys_lchown("m.lnk", 7, 8), 0);
    CHECK_EQ(do_lstat("m.lnk"), 0);
    CHECK_EQ(ST_UID(st), 7);
    CHECK_EQ(do_lstat("m"), 0);
    CHECK_EQ(ST_UID(st), 42); /* the target is untouched */
    CHECK_EQ(sys_fchownat(AT_FDCWD, "m.lnk", 9, 10, AT_SYMLINK_NOFOLLOW), 0);
    CHECK_EQ(do_lstat("m.lnk"), 0);
    CHECK_EQ(ST_GID(st), 10);
    CHECK_EQ(sys_fchownat(AT_FDCWD, "m.lnk", 11, 0xffffffffu, 0), 0); /* follows */
    CHECK_EQ(do_lstat("m"), 0);
    CHECK_EQ(ST_UID(st), 11);
    CHECK_EQ(sys_fchownat(fd, "", 12, 0xffffffffu, AT_EMPTY_PATH), 0);
    CHECK_EQ(do_lstat("m"), 0);
    CHECK_EQ(ST_UID(st), 12);
    /* chown clears set-user-ID on an executable */
    CHECK_EQ(sys_chmod("m", 04755), 0);
    CHECK_EQ(sys_chown("m", 13, 0xffffffffu), 0);
    CHECK_EQ(mode_of("m"), S_IFREG | 0755);
    CHECK_EQ(sys_chown("m", (u32)my_uid, (u32)my_gid), 0);
    CHECK_EQ(sys_chmod("m", 0644), 0);
  } else {
    CHECK_ERR(sys_chown("m", (u32)my_uid + 1, 0xffffffffu), EPERM);
    CHECK_ERR(sys_fchown(fd, (u32)my_uid + 1, 0xffffffffu), EPERM);
    CHECK_EQ(sys_chown("m", 0xffffffffu, 0xffffffffu), 0);
  }
  CHECK_ERR(sys_fchownat(AT_FDCWD, "m", 0xffffffffu, 0xffffffffu, 0x1), EINVAL);
  CHECK_ERR(sys_chown("missing", 0xffffffffu, 0xffffffffu), ENOENT);
  CHECK_ERR(sys_fchown(999, 0xffffffffu, 0xffffffffu), EBADF);
  /* access / faccessat (269 with flags in arg4) */
  CHECK_EQ(sys_access("m", F_OK), 0);
  CHECK_EQ(sys_access("m", R_OK | W_OK), 0);
  CHECK_ERR(sys_access("m", X_OK), EACCES); /* no x bit: even root */
  CHECK_ERR(sys_access("missing", F_OK), ENOENT);
  CHECK_ERR(sys_access("m", 8), EINVAL);
  CHECK_EQ(sys_access(".", X_OK), 0);
  CHECK_EQ(sys_symlink("nowhere", "dangling"), 0);
  CHECK_ERR(sys_faccessat(AT_FDCWD, "dangling", F_OK, 0), ENOENT);
  CHECK_EQ(sys_faccessat(AT_FDCWD, "dangling", F_OK, AT_SYMLINK_NOFOLLOW), 0);
  CHECK_EQ(sys_faccessat(AT_FDCWD, "m", R_OK, AT_EACCESS), 0);
  CHECK_ERR(sys_faccessat(AT_FDCWD, "m", R_OK, 0x1), EINVAL);
  /* utimensat (280): 32-byte times array; path 0 = the dirfd itself */
  u8 ts[32];
  wr64(ts, 0, 1000); wr64(ts, 8, 500);
  wr64(ts, 16, 2000); wr64(ts, 24, 600);
  CHECK_EQ(sys_utimensat(AT_FDCWD, "m", ts, 0), 0);
  CHECK_EQ(do_stat("m"), 0);
  CHECK_EQ(ST_ATIME(st), 1000);
  CHECK_EQ(ST_ATIME_NS(st), 500);
  CHECK_EQ(ST_MTIME(st), 2000);
  CHECK_EQ(ST_MTIME_NS(st), 600);
  i64 now = now_sec();
  CHECK_RANGE(ST_CTIME(st), now - 5, now + 5);
  wr64(ts, 0, 3000); wr64(ts, 8, UTIME_OMIT);
  wr64(ts, 16, 4000); wr64(ts, 24, 7);
  CHECK_EQ(sys_utimensat(fd, NULL, ts, 0), 0); /* futimens */
  CHECK_EQ(do_stat("m"), 0);
  CHECK_EQ(ST_ATIME(st), 1000);
  CHECK_EQ(ST_MTIME(st), 4000);
  CHECK_EQ(ST_MTIME_NS(st), 7);
  wr64(ts, 0, 0); wr64(ts, 8, UTIME_NOW);
  wr64(ts, 16, 0); wr64(ts, 24, UTIME_OMIT);
  CHECK_EQ(sys_utimensat(AT_FDCWD, "m", ts, 0), 0);
  CHECK_EQ(do_stat("m"), 0);
  CHECK_RANGE(ST_ATIME(st), now - 5, now + 5);
  CHECK_EQ(ST_MTIME(st), 4000);
  CHECK_EQ(sys_utimensat(AT_FDCWD, "m", NULL, 0), 0); /* both now */
  CHECK_EQ(do_stat("m"), 0);
  CHECK_RANGE(ST_MTIME(st), now - 5, now + 5);
  wr64(ts, 0, 111); wr64(ts, 8, 0);
  wr64(ts, 16, 222); wr64(ts, 24, 0);
  CHECK_EQ(sys_utimensat(AT_FDCWD, "m.lnk", ts, AT_SYMLINK_NOFOLLOW), 0);
  CHECK_EQ(do_lstat("m.lnk"), 0);
  CHECK_EQ(ST_MTIME(st), 222);
  CHECK_EQ(do_stat("m"), 0);
  CHECK(ST_MTIME(st) != 222);
  wr64(ts, 8, 1000000000);
  CHECK_ERR(sys_utimensat(AT_FDCWD, "m", ts, 0), EINVAL);
  wr64(ts, 8, 0);
  CHECK_ERR(sys_utimensat(AT_FDCWD, "missing", ts, 0), ENOENT);
  CHECK_ERR(sys_utimensat(AT_FDCWD, "m", ts, 0x1), EINVAL);
  CHECK_ERR(sys_utimensat(fd, NULL, ts, AT_SYMLINK_NOFOLLOW), EINVAL);
  CHECK_ERR(sys_utimensat(AT_FDCWD, "m", (void *)0xfffffff0, 0), EFAULT);
  CHECK_ERR(sys_utimensat(999, NULL, ts, 0), EBADF);
  /* statfs / fstatfs: 112 bytes */
  static u8 sf[128];
  memset(sf, 0xEE, sizeof sf);
  CHECK_EQ(sys_statfs(".", sf), 0);
  CHECK(tail_untouched(sf, 112, 128));
  CHECK_EQ((i32)rd32(sf, 0), TMPFS_MAGIC);
  CHECK((i32)rd32(sf, 8) > 0);                    /* f_bsize */
  u64 blocks = rd64(sf, 16), bfree = rd64(sf, 24), bavail = rd64(sf, 32);
  CHECK(blocks > 0 && bfree <= blocks && bavail <= bfree);
  CHECK(rd64(sf, 48) <= rd64(sf, 40));            /* f_ffree <= f_files */
  CHECK_EQ((i32)rd32(sf, 64), 255);               /* f_namelen */
  CHECK((i32)rd32(sf, 72) > 0);                   /* f_frsize */
  memset(sf, 0xEE, sizeof sf);
  CHECK_EQ(sys_fstatfs(fd, sf), 0);
  CHECK(tail_untouched(sf, 112, 128));
  CHECK_EQ((i32)rd32(sf, 0), TMPFS_MAGIC);
  CHECK_EQ((i32)rd32(sf, 64), 255);
  CHECK_ERR(sys_statfs("missing", sf), ENOENT);
  CHECK_ERR(sys_fstatfs(999, sf), EBADF);
  CHECK_ERR(sys_statfs(".", (void *)0xfffffff0), EFAULT);
  /* statx (332): the kernel's 256-byte struct statx */
  static u8 sx[272];
  CHECK_EQ(do_stat("m"), 0);
  memset(sx, 0xEE, sizeof sx);
  CHECK_EQ(sys_statx(AT_FDCWD, "m", 0, STATX_BASIC_STATS, sx), 0);
  CHECK(tail_untouched(sx, 256, 272));
  CHECK_EQ(rd32(sx, 0) & STATX_BASIC_STATS, STATX_BASIC_STATS);
  CHECK_EQ(rd32(sx, 4), (u32)ST_BLKSIZE(st));
  CHECK_EQ(rd32(sx, 16), ST_NLINK(st));
  CHECK_EQ(rd32(sx, 20), ST_UID(st));
  CHECK_EQ(rd32(sx, 24), ST_GID(st));
  CHECK_EQ(rd16(sx, 28), ST_MODE(st));
  CHECK_EQ(rd64(sx, 32), ST_INO(st));
  CHECK_EQ((i64)rd64(sx, 40), ST_SIZE(st));
  CHECK_EQ((i64)rd64(sx, 48), ST_BLOCKS(st));
  CHECK_EQ((i64)rd64(sx, 64), ST_ATIME(st));
  CHECK_EQ(rd32(sx, 72), ST_ATIME_NS(st));
  CHECK_EQ((i64)rd64(sx, 96), ST_CTIME(st));
  CHECK_EQ((i64)rd64(sx, 112), ST_MTIME(st));
  CHECK_EQ(rd32(sx, 120), ST_MTIME_NS(st));
  CHECK_EQ(rd32(sx, 128), 0); /* rdev major/minor */
  CHECK_EQ(rd32(sx, 132), 0);
  CHECK_EQ(sys_statx(AT_FDCWD, "m.lnk", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, sx), 0);
  CHECK_EQ(rd16(sx, 28), S_IFLNK | 0777);
  CHECK_EQ(sys_statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, sx), 0);
  CHECK_EQ(rd64(sx, 32), ST_INO(st));
  CHECK_ERR(sys_statx(AT_FDCWD, "missing", 0, STATX_BASIC_STATS, sx), ENOENT);
  CHECK_ERR(sys_statx(AT_FDCWD, "m", 0, STATX__RESERVED, sx), EINVAL);
  CHECK_ERR(sys_statx(AT_FDCWD, "m", 0x1, STATX_BASIC_STATS, sx), EINVAL);
  CHECK_ERR(sys_statx(AT_FDCWD, "m", 0, STATX_BASIC_STATS, (void *)0xfffffff0), EFAULT);
  sys_close(fd);
  CHECK_EQ(sys_chdir(base), 0);
}

static void t_pipes(void) {
  section("pipe/pipe2");
  int p[2] = {-1, -1};
  char buf[16];
  CHECK_EQ(sys_pipe(p), 0);
  CHECK(p[0] >= 3 && p[1] >= 3 && p[0] != p[1]);
  CHECK_EQ(sys_write(p[1], "ping", 4), 4);
  CHECK_EQ(sys_read(p[0], buf, sizeof buf), 4);
  CHECK(memcmp(buf, "ping", 4) == 0);
  CHECK_EQ(do_fstat(p[0]), 0);
  CHECK_EQ(ST_MODE(st) & S_IFMT, S_IFIFO);
  CHECK_ERR(sys_write(p[0], "x", 1), EBADF);
  CHECK_ERR(sys_read(p[1], buf, 1), EBADF);
  CHECK_EQ(sys_fcntl(p[0], F_GETFL, 0) & ~O_LARGEFILE, O_RDONLY);
  CHECK_EQ(sys_fcntl(p[1], F_GETFL, 0) & ~O_LARGEFILE, O_WRONLY);
  sys_close(p[1]);
  CHECK_EQ(sys_read(p[0], buf, 1), 0); /* no writers: EOF */
  sys_close(p[0]);
  CHECK_EQ(sys_pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
  CHECK_EQ(sys_fcntl(p[0], F_GETFD, 0), FD_CLOEXEC);
  CHECK_EQ(sys_fcntl(p[1], F_GETFD, 0), FD_CLOEXEC);
  CHECK_ERR(sys_read(p[0], buf, 1), EAGAIN);
  sys_close(p[0]); sys_close(p[1]);
  CHECK_ERR(sys_pipe2(p, 0x1), EINVAL);
  CHECK_ERR(sys_pipe((int *)0xfffffff0), EFAULT);
}

static void t_bad_pointers(void) {
  section("bad pointers -> EFAULT");
  uptr end = mem_end();
  char buf[16];
  CHECK_ERR(sys_open((const char *)0xfffffff0, O_RDONLY, 0), EFAULT);
  CHECK_ERR(sys_open((const char *)end, O_RDONLY, 0), EFAULT);
  CHECK_ERR(sys_open(NULL, O_RDONLY, 0), EFAULT);
  CHECK_ERR(sys_mkdir((const char *)0xfffffff0, 0755), EFAULT);
  CHECK_ERR(sys_stat((const char *)end, st), EFAULT);
  CHECK_ERR(sys_stat("f1", (void *)0xfffffff0), EFAULT);
  CHECK_ERR(sys_stat("f1", (void *)(end - 50)), EFAULT); /* straddles the end */
  CHECK_ERR(sys_rename("f1", (const char *)0xfffffff0), EFAULT);
  CHECK(do_lstat("f1") == 0); /* nothing happened */
  CHECK_ERR(sys_readlink("f1.lnk", (char *)0xfffffff0, 10), EFAULT);
  /* a path that runs into the end of memory without a NUL */
  char *tail = (char *)(end - 4);
  memcpy(tail, "abcd", 4);
  CHECK_ERR(sys_open(tail, O_RDONLY, 0), EFAULT);
  CHECK_ERR(sys_mkdir(tail, 0755), EFAULT);
  int fd = sys_open("f1", O_RDWR, 0);
  CHECK_ERR(sys_write(fd, (void *)0xfffffff0, 10), EFAULT);
  CHECK_ERR(sys_read(fd, (void *)0xfffffff0, 10), EFAULT);
  CHECK_ERR(sys_read(fd, (void *)end, 1), EFAULT);
  CHECK_ERR(sys_pwrite(fd, (void *)end, 4, 0), EFAULT);
  CHECK(file_is("f1", "abcdef")); /* unchanged */
  /* straddling the end: Linux may copy a prefix; either way the cage lives on */
  CHECK_EQ(sys_lseek(fd, 0, SEEK_SET), 0);
  int r = sys_read(fd, (void *)(end - 3), 6);
  CHECK(r == -EFAULT || (r >= 0 && r <= 3));
  CHECK_ERR(sys_fstat(fd, (void *)(end - 8)), EFAULT);
  sys_close(fd);
  CHECK_ERR(sys_getcwd((char *)end, 4096), EFAULT);
  (void)buf;
}

static void t_notused(void) {
  section("unused slots are NOTUSED, cage ids");
  /* open without a mode argument (arg3 NOTUSED, no O_CREAT) */
  int fd = SYS2(2, "open", LP("f1"), LI(O_RDONLY));
  CHECK(fd >= 3);
  u8 lst[104];
  CHECK_EQ(SYS2(5, "fstat", LI(fd), LP(lst)), 0);
  CHECK_EQ(SYS1(3, "close", LI(fd)), 0);
  /* the same call with explicit cage ids and NOTUSED everywhere else */
  u64 args[12];
  for (int i = 0; i < 12; i++) args[i] = (i % 2) ? lind_cageid : LIND_NOTUSED;
  args[0] = LP("f1");
  args[2] = LI(O_RDONLY);
  fd = lind_syscall_raw(2, LP("syscall|open"), lind_cageid, lind_cageid, args);
  CHECK(fd >= 3);
  CHECK_EQ(sys_close(fd), 0);
}

int main(int argc, char **argv, char **envp) {
  (void)envp;
  if (argc > 1) base = argv[1];
  my_uid = sys_geteuid();
  my_gid = sys_getegid();
  is_root = my_uid == 0;
  out_str("lind-fs: base ");
  out_str(base);
  out_str(", euid ");
  out_int(my_uid);
  out_str(", cage ");
  out_int((i64)lind_cageid);
  out_nl();
  t_setup();
  if (checks_failed) return summary(); /* nowhere to work */
  t_getcwd();
  t_open_rw();
  t_openat();
  t_stat();
  t_pread_pwrite();
  t_iov();
  t_truncate_sync();
  t_fallocate();
  t_copy();
  t_fd();
  t_locks();
  t_getdents();
  t_namespace();
  t_attr();
  t_pipes();
  t_bad_pointers();
  t_notused();
  return summary();
}
