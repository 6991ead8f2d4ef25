/* wasi-raw: WASI preview1 functions called directly (no libc in between), for what
 * wasi-libc never calls or hides: fd_renumber, fd_fdstat_set_rights (shrink only),
 * fd_advise, fd_allocate, fd_prestat_* on every fd, path_filestat_set_times and fd_filestat_set_times flags,
 * poll_oneoff with clock and fd subscriptions, fd_readdir cookies and truncation, (ptr, len)
 * paths that are not NUL-terminated, sock_* (NOTSOCK on a file, BADF on no descriptor), and bad pointers (FAULT 21).
 * Results are checked as WASI errno numbers (abi.md §5.3).
 *
 * Usage: wasi-raw [BASE]   (BASE defaults to /wasi-raw and must not exist yet). Prints one
 * "FAIL ..." line per failed check, then "N passed, M failed"; exit status M. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

#include "wasi/check.h"

/* Raw imports taking (ptr, len) paths and plain addresses, for the cases the typed
 * <wasi/api.h> wrappers cannot express (no NUL, bad pointers). Same wasm types as libc's. */
#define RAW(n) __attribute__((import_module("wasi_snapshot_preview1"), import_name(n)))
RAW("path_open") int32_t raw_path_open(int32_t fd, int32_t dirflags, int32_t path, int32_t len, int32_t oflags,
                                       int64_t base, int64_t inh, int32_t fdflags, int32_t fd_out);
RAW("path_create_directory") int32_t raw_path_create_directory(int32_t fd, int32_t path, int32_t len);
RAW("path_filestat_get") int32_t raw_path_filestat_get(int32_t fd, int32_t flags, int32_t path, int32_t len, int32_t out);
RAW("path_symlink") int32_t raw_path_symlink(int32_t old, int32_t old_len, int32_t fd, int32_t path, int32_t len);
RAW("path_readlink") int32_t raw_path_readlink(int32_t fd, int32_t path, int32_t len, int32_t buf, int32_t buf_len, int32_t used);
RAW("path_rename") int32_t raw_path_rename(int32_t fd, int32_t old, int32_t old_len, int32_t nfd, int32_t nw, int32_t nw_len);
RAW("path_unlink_file") int32_t raw_path_unlink_file(int32_t fd, int32_t path, int32_t len);
RAW("fd_write") int32_t raw_fd_write(int32_t fd, int32_t iovs, int32_t n, int32_t out);
RAW("fd_read") int32_t raw_fd_read(int32_t fd, int32_t iovs, int32_t n, int32_t out);
RAW("fd_fdstat_get") int32_t raw_fd_fdstat_get(int32_t fd, int32_t out);
RAW("fd_filestat_get") int32_t raw_fd_filestat_get(int32_t fd, int32_t out);
RAW("fd_prestat_get") int32_t raw_fd_prestat_get(int32_t fd, int32_t out);
RAW("fd_prestat_dir_name") int32_t raw_fd_prestat_dir_name(int32_t fd, int32_t buf, int32_t len);
RAW("fd_readdir") int32_t raw_fd_readdir(int32_t fd, int32_t buf, int32_t len, int64_t cookie, int32_t used);
RAW("fd_seek") int32_t raw_fd_seek(int32_t fd, int64_t off, int32_t whence, int32_t out);
RAW("clock_time_get") int32_t raw_clock_time_get(int32_t id, int64_t precision, int32_t out);
RAW("random_get") int32_t raw_random_get(int32_t buf, int32_t len);
RAW("args_sizes_get") int32_t raw_args_sizes_get(int32_t argc_out, int32_t size_out);
RAW("poll_oneoff") int32_t raw_poll_oneoff(int32_t in, int32_t out, int32_t n, int32_t nevents);

#define P(x) ((int32_t)(uintptr_t)(x))
static const char *base = "/wasi-raw";
static int dirfd_;
/* The rights asked for on open: the base directory's inheriting set, as wasi-libc does. */
static __wasi_rights_t ALL_RIGHTS;

static void xclose(__wasi_fd_t fd) { CHECK_EQ(__wasi_fd_close(fd), 0); }
static uint32_t mem_end(void) { return (uint32_t)__builtin_wasm_memory_size(0) * 65536u; }
static __wasi_fd_t open_file(const char *p, __wasi_oflags_t of, __wasi_rights_t rights, __wasi_fdflags_t ff) {
  __wasi_fd_t fd = (__wasi_fd_t)-1;
  __wasi_errno_t e = __wasi_path_open((__wasi_fd_t)dirfd_, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, p, of, rights, rights, ff, &fd);
  return e ? (__wasi_fd_t)-1 : fd;
}
static __wasi_filestat_t fst(const char *p, int follow) {
  __wasi_filestat_t s;
  memset(&s, 0, sizeof s);
  if (__wasi_path_filestat_get((__wasi_fd_t)dirfd_, follow ? __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW : 0, p, &s)) s.ino = 0;
  return s;
}
static uint64_t now_ns(__wasi_clockid_t c) {
  __wasi_timestamp_t t = 0;
  return __wasi_clock_time_get(c, 1, &t) ? 0 : t;
}
static int write_all(__wasi_fd_t fd, const char *s) {
  __wasi_ciovec_t iov = {(const uint8_t *)s, strlen(s)};
  __wasi_size_t n = 0;
  return __wasi_fd_write(fd, &iov, 1, &n) == 0 && n == strlen(s);
}
static int read_is(__wasi_fd_t fd, const char *want) {
  char buf[256];
  __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf};
  __wasi_size_t n = 0;
  if (__wasi_fd_pread(fd, &iov, 1, 0, &n)) return 0;
  return n == strlen(want) && memcmp(buf, want, n) == 0;
}

static void t_prestat(void) {
  section("fd_prestat_get/fd_prestat_dir_name");
  __wasi_prestat_t ps;
  memset(&ps, 0xEE, sizeof ps);
  CHECK_EQ(__wasi_fd_prestat_get(3, &ps), 0);
  CHECK_EQ(ps.tag, __WASI_PREOPENTYPE_DIR);
  CHECK(ps.u.dir.pr_name_len > 0 && ps.u.dir.pr_name_len < 4096);
  char name[4100];
  memset(name, 'Z', sizeof name);
  CHECK_EQ(__wasi_fd_prestat_dir_name(3, (uint8_t *)name, ps.u.dir.pr_name_len), 0);
  CHECK_EQ(name[ps.u.dir.pr_name_len], 'Z'); /* exactly pr_name_len bytes */
  printf("preopen[3]: %.*s\n", (int)ps.u.dir.pr_name_len, name);
  /* the scan: preopens are consecutive from 3, then BADF */
  int fd = 3;
  while (fd < 64 && __wasi_fd_prestat_get((__wasi_fd_t)fd, &ps) == 0) {
    __wasi_fdstat_t fs;
    CHECK_EQ(__wasi_fd_fdstat_get((__wasi_fd_t)fd, &fs), 0);
    CHECK_EQ(fs.fs_filetype, __WASI_FILETYPE_DIRECTORY);
    fd++;
  }
  CHECK_EQ(__wasi_fd_prestat_get((__wasi_fd_t)fd, &ps), __WASI_ERRNO_BADF);
  CHECK_EQ(__wasi_fd_prestat_get(0, &ps), __WASI_ERRNO_BADF);   /* stdin is no preopen */
  CHECK_EQ(__wasi_fd_prestat_get(999, &ps), __WASI_ERRNO_BADF);
  CHECK_EQ(__wasi_fd_prestat_get((__wasi_fd_t)dirfd_, &ps), __WASI_ERRNO_BADF); /* opened, not preopened */
  CHECK_EQ(__wasi_fd_prestat_dir_name(999, (uint8_t *)name, 1), __WASI_ERRNO_BADF);
  /* rights a permissive host grants a preopen (abi.md §5.9) */
  __wasi_fdstat_t fs;
  CHECK_EQ(__wasi_fd_fdstat_get(3, &fs), 0);
  __wasi_rights_t need = __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_PATH_OPEN |
                         __WASI_RIGHTS_FD_READDIR | __WASI_RIGHTS_PATH_CREATE_FILE;
  CHECK_EQ(fs.fs_rights_inheriting & need, need);
  CHECK_EQ(fs.fs_rights_base & __WASI_RIGHTS_PATH_OPEN, __WASI_RIGHTS_PATH_OPEN);
}

static void t_renumber_rights(void) {
  section("fd_renumber/fd_fdstat_set_rights/fd_fdstat_set_flags");
  __wasi_fd_t a = open_file("ra", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, ALL_RIGHTS, 0);
  __wasi_fd_t b = open_file("rb", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, ALL_RIGHTS, 0);
  CHECK(a != (__wasi_fd_t)-1 && b != (__wasi_fd_t)-1 && a != b);
  CHECK(write_all(a, "file-a"));
  CHECK(write_all(b, "file-b"));
  CHECK_EQ(__wasi_fd_renumber(a, b), 0);
  CHECK(read_is(b, "file-a"));                          /* b now is a's file */
  CHECK_EQ(__wasi_fd_close(a), __WASI_ERRNO_BADF);      /* and a is free */
  CHECK_EQ(__wasi_fd_renumber(a, b), __WASI_ERRNO_BADF);
  CHECK_EQ(__wasi_fd_renumber(b, 999), __WASI_ERRNO_BADF); /* the target must be open */
  CHECK_EQ(__wasi_fd_renumber(b, b), 0);
  CHECK(read_is(b, "file-a"));
  /* rights only shrink */
  __wasi_fdstat_t fs;
  CHECK_EQ(__wasi_fd_fdstat_get(b, &fs), 0);
  CHECK_EQ(fs.fs_filetype, __WASI_FILETYPE_REGULAR_FILE);
  CHECK(fs.fs_rights_base & __WASI_RIGHTS_FD_WRITE);
  __wasi_rights_t less = fs.fs_rights_base & ~(__WASI_RIGHTS_FD_ADVISE);
  CHECK_EQ(__wasi_fd_fdstat_set_rights(b, less, fs.fs_rights_inheriting), 0);
  __wasi_fdstat_t fs2;
  CHECK_EQ(__wasi_fd_fdstat_get(b, &fs2), 0);
  CHECK_EQ(fs2.fs_rights_base, less);
  CHECK_EQ(__wasi_fd_fdstat_set_rights(b, fs.fs_rights_base, fs.fs_rights_inheriting), __WASI_ERRNO_NOTCAPABLE);
  CHECK_EQ(__wasi_fd_fdstat_set_rights(999, 0, 0), __WASI_ERRNO_BADF);
  /* fdflags: APPEND set and seen */
  CHECK_EQ(fs2.fs_flags & __WASI_FDFLAGS_APPEND, 0);
  CHECK_EQ(__wasi_fd_fdstat_set_flags(b, __WASI_FDFLAGS_APPEND), 0);
  CHECK_EQ(__wasi_fd_fdstat_get(b, &fs2), 0);
  CHECK_EQ(fs2.fs_flags & __WASI_FDFLAGS_APPEND, __WASI_FDFLAGS_APPEND);
  __wasi_filesize_t off = 0;
  CHECK_EQ(__wasi_fd_seek(b, 0, __WASI_WHENCE_SET, &off), 0);
  CHECK(write_all(b, "+"));
  CHECK(read_is(b, "file-a+"));
  CHECK_EQ(__wasi_fd_close(b), 0);
}

static void t_advise_allocate_seek(void) {
  section("fd_advise/fd_allocate/fd_seek/fd_tell/fd_filestat_set_size");
  __wasi_fd_t f = open_file("adv", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, ALL_RIGHTS, 0);
  for (int adv = 0; adv <= 5; adv++) CHECK_EQ(__wasi_fd_advise(f, 0, 100, (__wasi_advice_t)adv), 0);
  CHECK_EQ(__wasi_fd_advise(f, 0, 100, 6), __WASI_ERRNO_INVAL);
  CHECK_EQ(__wasi_fd_advise(999, 0, 100, 0), __WASI_ERRNO_BADF);
  CHECK_EQ(__wasi_fd_allocate(f, 0, 5000), 0);
  __wasi_filestat_t s;
  CHECK_EQ(__wasi_fd_filestat_get(f, &s), 0);
  CHECK_EQ(s.size, 5000);
  CHECK_EQ(s.filetype, __WASI_FILETYPE_REGULAR_FILE);
  CHECK_EQ(s.nlink, 1);
  CHECK_EQ(__wasi_fd_allocate(f, 100, 10), 0);
  CHECK_EQ(__wasi_fd_filestat_get(f, &s), 0);
  CHECK_EQ(s.size, 5000);
  CHECK_EQ(__wasi_fd_allocate(999, 0, 1), __WASI_ERRNO_BADF);
  CHECK_EQ(__wasi_fd_filestat_set_size(f, 7), 0);
  CHECK_EQ(__wasi_fd_filestat_get(f, &s), 0);
  CHECK_EQ(s.size, 7);
  __wasi_filesize_t pos = 99;
  CHECK_EQ(__wasi_fd_seek(f, 3, __WASI_WHENCE_SET, &pos), 0);
  CHECK_EQ(pos, 3);
  CHECK_EQ(__wasi_fd_seek(f, 2, __WASI_WHENCE_CUR, &pos), 0);
  CHECK_EQ(pos, 5);
  CHECK_EQ(__wasi_fd_seek(f, -1, __WASI_WHENCE_END, &pos), 0);
  CHECK_EQ(pos, 6);
  CHECK_EQ(__wasi_fd_tell(f, &pos), 0);
  CHECK_EQ(pos, 6);
  CHECK_EQ(__wasi_fd_seek(f, -100, __WASI_WHENCE_SET, &pos), __WASI_ERRNO_INVAL);
  CHECK_EQ(__wasi_fd_seek(f, 0, 3, &pos), __WASI_ERRNO_INVAL); /* no SEEK_DATA in WASI */
  CHECK_EQ(__wasi_fd_tell(999, &pos), __WASI_ERRNO_BADF);
  CHECK_EQ(__wasi_fd_close(f), 0);
}

static void t_times(void) {
  section("path_filestat_set_times/fd_filestat_set_times flags");
  __wasi_fd_t f = open_file("tm", __WASI_OFLAGS_CREAT, ALL_RIGHTS, 0);
  CHECK_EQ(__wasi_path_symlink("tm", (__wasi_fd_t)dirfd_, "tm.lnk"), 0);
  uint64_t now = now_ns(__WASI_CLOCKID_REALTIME);
  const uint64_t slack = 5000000000ULL;
  CHECK_EQ(__wasi_path_filestat_set_times((__wasi_fd_t)dirfd_, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "tm",
                                          1000000000123ULL, 2000000000456ULL,
                                          __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM), 0);
  __wasi_filestat_t s = fst("tm", 1);
  CHECK_EQ(s.atim, 1000000000123ULL);
  CHECK_EQ(s.mtim, 2000000000456ULL);
  CHECK(s.ctim + slack >= now && s.ctim <= now + slack);
  /* only MTIM_NOW: atime stays */
  CHECK_EQ(__wasi_path_filestat_set_times((__wasi_fd_t)dirfd_, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "tm", 0, 0,
                                          __WASI_FSTFLAGS_MTIM_NOW), 0);
  s = fst("tm", 1);
  CHECK_EQ(s.atim, 1000000000123ULL);
  CHECK(s.mtim + slack >= now && s.mtim <= now + slack);
  /* no flags: nothing changes */
  CHECK_EQ(__wasi_path_filestat_set_times((__wasi_fd_t)dirfd_, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "tm", 5, 5, 0), 0);
  s = fst("tm", 1);
  CHECK_EQ(s.atim, 1000000000123ULL);
  /* ATIM together with ATIM_NOW is invalid */
  CHECK_EQ(__wasi_path_filestat_set_times((__wasi_fd_t)dirfd_, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "tm", 1, 1,
                                          __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW), __WASI_ERRNO_INVAL);
  CHECK_EQ(__wasi_fd_filestat_set_times(f, 1, 1, __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW), __WASI_ERRNO_INVAL);
  /* lookupflags 0: the symlink itself */
  CHECK_EQ(__wasi_path_filestat_set_times((__wasi_fd_t)dirfd_, 0, "tm.lnk", 7000000000ULL, 8000000000ULL,
                                          __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM), 0);
  CHECK_EQ(fst("tm.lnk", 0).mtim, 8000000000ULL);
  CHECK_EQ(fst("tm.lnk", 0).filetype, __WASI_FILETYPE_SYMBOLIC_LINK);
  CHECK(fst("tm", 1).mtim != 8000000000ULL);
  CHECK_EQ(__wasi_fd_filestat_set_times(f, 3000000000ULL, 0, __WASI_FSTFLAGS_ATIM), 0);
  CHECK_EQ(fst("tm", 1).atim, 3000000000ULL);
  CHECK_EQ(__wasi_path_filestat_set_times((__wasi_fd_t)dirfd_, 0, "missing", 0, 0, __WASI_FSTFLAGS_ATIM_NOW),
           __WASI_ERRNO_NOENT);
  CHECK_EQ(__wasi_fd_close(f), 0);
}

static void t_poll(void) {
  section("poll_oneoff");
  __wasi_subscription_t sub[3];
  __wasi_event_t ev[3];
  __wasi_size_t n = 0;
  memset(sub, 0, sizeof sub);
  memset(ev, 0, sizeof ev);
  /* a relative clock */
  sub[0].userdata = 0x1111;
  sub[0].u.tag = __WASI_EVENTTYPE_CLOCK;
  sub[0].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
  sub[0].u.u.clock.timeout = 10000000; /* 10 ms */
  uint64_t t0 = now_ns(__WASI_CLOCKID_MONOTONIC);
  CHECK_EQ(__wasi_poll_oneoff(sub, ev, 1, &n), 0);
  CHECK(now_ns(__WASI_CLOCKID_MONOTONIC) - t0 >= 10000000ULL);
  CHECK_EQ(n, 1);
  CHECK_EQ(ev[0].userdata, 0x1111);
  CHECK_EQ(ev[0].error, 0);
  CHECK_EQ(ev[0].type, __WASI_EVENTTYPE_CLOCK);
  /* an absolute realtime clock */
  sub[0].u.u.clock.id = __WASI_CLOCKID_REALTIME;
  sub[0].u.u.clock.timeout = now_ns(__WASI_CLOCKID_REALTIME) + 10000000;
  sub[0].u.u.clock.flags = __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME;
  CHECK_EQ(__wasi_poll_oneoff(sub, ev, 1, &n), 0);
  CHECK_EQ(n, 1);
  CHECK(now_ns(__WASI_CLOCKID_REALTIME) >= sub[0].u.u.clock.timeout);
  /* fd subscriptions on a regular file are ready at once; the 5 s clock does not fire */
  __wasi_fd_t f = open_file("pf", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, ALL_RIGHTS, 0);
  CHECK(write_all(f, "0123456789"));
  memset(sub, 0, sizeof sub);
  sub[0].userdata = 1;
  sub[0].u.tag = __WASI_EVENTTYPE_FD_READ;
  sub[0].u.u.fd_read.file_descriptor = f;
  sub[1].userdata = 2;
  sub[1].u.tag = __WASI_EVENTTYPE_FD_WRITE;
  sub[1].u.u.fd_write.file_descriptor = f;
  sub[2].userdata = 3;
  sub[2].u.tag = __WASI_EVENTTYPE_CLOCK;
  sub[2].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
  sub[2].u.u.clock.timeout = 5000000000ULL;
  t0 = now_ns(__WASI_CLOCKID_MONOTONIC);
  memset(ev, 0, sizeof ev);
  CHECK_EQ(__wasi_poll_oneoff(sub, ev, 3, &n), 0);
  CHECK(now_ns(__WASI_CLOCKID_MONOTONIC) - t0 < 4000000000ULL);
  CHECK_EQ(n, 2);
  int got_r = 0, got_w = 0;
  for (__wasi_size_t i = 0; i < n && i < 3; i++) {
    if (ev[i].userdata == 1 && ev[i].type == __WASI_EVENTTYPE_FD_READ && ev[i].error == 0) got_r++;
    if (ev[i].userdata == 2 && ev[i].type == __WASI_EVENTTYPE_FD_WRITE && ev[i].error == 0) got_w++;
  }
  CHECK_EQ(got_r, 1);
  CHECK_EQ(got_w, 1);
  CHECK_EQ(__wasi_poll_oneoff(sub, ev, 0, &n), __WASI_ERRNO_INVAL);
  CHECK_EQ(__wasi_fd_close(f), 0);
}

static void t_readdir(void) {
  section("fd_readdir cookies and truncation");
  CHECK_EQ(__wasi_path_create_directory((__wasi_fd_t)dirfd_, "rd"), 0);
  char name[32];
  for (int i = 0; i < 10; i++) {
    snprintf(name, sizeof name, "rd/file%d", i);
    __wasi_fd_t f = open_file(name, __WASI_OFLAGS_CREAT, ALL_RIGHTS, 0);
    CHECK(f != (__wasi_fd_t)-1);
    xclose(f);
  }
  __wasi_fd_t d = (__wasi_fd_t)-1;
  /* no write rights for a directory (the host takes the access mode from the rights) */
  __wasi_rights_t dir_rights = ALL_RIGHTS & ~(__wasi_rights_t)(__WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_DATASYNC |
                               __WASI_RIGHTS_FD_ALLOCATE | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE);
  CHECK_EQ(__wasi_path_open((__wasi_fd_t)dirfd_, 0, "rd", __WASI_OFLAGS_DIRECTORY, dir_rights, ALL_RIGHTS, 0, &d), 0);
  static uint8_t buf[4096];
  __wasi_size_t used = 0;
  CHECK_EQ(__wasi_fd_readdir(d, buf, sizeof buf, 0, &used), 0);
  CHECK(used > 0 && used < sizeof buf); /* everything fit: fewer bytes than the buffer = the end */
  int count = 0, dots = 0;
  __wasi_dircookie_t second = 0;
  char second_name[64] = "";
  for (size_t pos = 0; pos + sizeof(__wasi_dirent_t) <= used;) {
    __wasi_dirent_t de;
    memcpy(&de, buf + pos, sizeof de); /* headers may be unaligned */
    const char *nm = (const char *)buf + pos + sizeof de;
    if (count == 0) second = de.d_next;
    if (count == 1) snprintf(second_name, sizeof second_name, "%.*s", (int)de.d_namlen, nm);
    if ((de.d_namlen == 1 && nm[0] == '.') || (de.d_namlen == 2 && nm[0] == '.' && nm[1] == '.')) {
      dots++;
      CHECK_EQ(de.d_type, __WASI_FILETYPE_DIRECTORY);
    } else {
      CHECK_EQ(de.d_type, __WASI_FILETYPE_REGULAR_FILE);
    }
    count++;
    pos += sizeof de + de.d_namlen;
  }
  CHECK_EQ(count, 12);
  CHECK_EQ(dots, 2);
  /* start again from the cookie of the second entry */
  CHECK_EQ(__wasi_fd_readdir(d, buf, sizeof buf, second, &used), 0);
  __wasi_dirent_t de;
  memcpy(&de, buf, sizeof de);
  CHECK((int)de.d_namlen == (int)strlen(second_name) &&
        memcmp(buf + sizeof de, second_name, de.d_namlen) == 0);
  /* a small buffer is filled to the brim (the last entry truncated) */
  CHECK_EQ(__wasi_fd_readdir(d, buf, 30, 0, &used), 0);
  CHECK_EQ(used, 30);
  CHECK_EQ(__wasi_fd_readdir(d, buf, 0, 0, &used), 0);
  CHECK_EQ(used, 0);
  __wasi_fd_t f = open_file("rd/file0", 0, ALL_RIGHTS, 0);
  CHECK_EQ(__wasi_fd_readdir(f, buf, sizeof buf, 0, &used), __WASI_ERRNO_NOTDIR);
  xclose(f);
  xclose(d);
  CHECK_EQ(__wasi_fd_readdir(999, buf, sizeof buf, 0, &used), __WASI_ERRNO_BADF);
}

static void t_pathlen(void) {
  section("(ptr, len) paths are not NUL-terminated");
  const char *p = "lenfile-and-more";
  int32_t fd = -1;
  CHECK_EQ(raw_path_open(dirfd_, 1, P(p), 7, __WASI_OFLAGS_CREAT, (int64_t)ALL_RIGHTS, (int64_t)ALL_RIGHTS, 0, P(&fd)), 0);
  CHECK(fd >= 0);
  xclose((__wasi_fd_t)fd);
  CHECK_EQ(fst("lenfile", 0).filetype, __WASI_FILETYPE_REGULAR_FILE);
  CHECK_EQ(fst("lenfile-and-more", 0).ino, 0);
  CHECK_EQ(raw_path_create_directory(dirfd_, P("lendir/ignored"), 6), 0);
  CHECK_EQ(fst("lendir", 0).filetype, __WASI_FILETYPE_DIRECTORY);
  CHECK_EQ(raw_path_symlink(P("lenfileXYZ"), 7, dirfd_, P("lenlink!!"), 7), 0);
  char buf[32];
  int32_t used = 0;
  memset(buf, 'Z', sizeof buf);
  CHECK_EQ(raw_path_readlink(dirfd_, P("lenlink..."), 7, P(buf), sizeof buf, P(&used)), 0);
  CHECK_EQ(used, 7);
  CHECK(memcmp(buf, "lenfileZ", 8) == 0);
  CHECK_EQ(raw_path_rename(dirfd_, P("lenfile-"), 7, dirfd_, P("renamed-"), 7), 0);
  CHECK_EQ(fst("renamed", 0).filetype, __WASI_FILETYPE_REGULAR_FILE);
  CHECK_EQ(raw_path_unlink_file(dirfd_, P("renamed-x"), 7), 0);
  CHECK_EQ(fst("renamed", 0).ino, 0);
  CHECK_EQ(raw_path_open(dirfd_, 1, P("x"), 0, 0, (int64_t)ALL_RIGHTS, (int64_t)ALL_RIGHTS, 0, P(&fd)), __WASI_ERRNO_NOENT);
}

static void t_sock(void) {
  section("sock_* -> NOTSOCK, BADF");
  __wasi_fd_t f = open_file("sockfile", __WASI_OFLAGS_CREAT, ALL_RIGHTS, 0);
  __wasi_fd_t nfd;
  uint8_t b[4];
  __wasi_iovec_t iov = {b, sizeof b};
  __wasi_ciovec_t ciov = {b, sizeof b};
  __wasi_size_t n;
  __wasi_roflags_t rf;
  CHECK_EQ(__wasi_sock_accept(f, 0, &nfd), __WASI_ERRNO_NOTSOCK);
  CHECK_EQ(__wasi_sock_recv(f, &iov, 1, 0, &n, &rf), __WASI_ERRNO_NOTSOCK);
  CHECK_EQ(__wasi_sock_send(f, &ciov, 1, 0, &n), __WASI_ERRNO_NOTSOCK);
  CHECK_EQ(__wasi_sock_shutdown(f, __WASI_SDFLAGS_RD), __WASI_ERRNO_NOTSOCK);
  xclose(f);
  CHECK_EQ(__wasi_sock_shutdown(f, __WASI_SDFLAGS_RD), __WASI_ERRNO_BADF);
  CHECK_EQ(__wasi_sock_accept(f, 0, &nfd), __WASI_ERRNO_BADF);
}

static void t_fault(void) {
  section("bad pointers -> FAULT (21)");
  const int32_t bad = (int32_t)0xfffffff0, end = (int32_t)mem_end();
  int32_t out = 0;
  __wasi_fd_t f = open_file("faultfile", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, ALL_RIGHTS, 0);
  CHECK(write_all(f, "abcdef"));
  CHECK_EQ(raw_fd_write((int32_t)f, bad, 1, P(&out)), __WASI_ERRNO_FAULT);      /* iovec array */
  CHECK_EQ(raw_fd_write((int32_t)f, end - 4, 1, P(&out)), __WASI_ERRNO_FAULT);  /* iovec straddles the end */
  uint32_t iov[2] = {(uint32_t)bad, 4};
  CHECK_EQ(raw_fd_write((int32_t)f, P(iov), 1, P(&out)), __WASI_ERRNO_FAULT);   /* iovec buffer */
  CHECK_EQ(raw_fd_read((int32_t)f, P(iov), 1, P(&out)), __WASI_ERRNO_FAULT);
  iov[0] = (uint32_t)P("ok");
  iov[1] = 2;
  CHECK_EQ(raw_fd_write((int32_t)f, P(iov), 1, bad), __WASI_ERRNO_FAULT);      /* result pointer */
  CHECK_EQ(raw_fd_fdstat_get((int32_t)f, bad), __WASI_ERRNO_FAULT);
  CHECK_EQ(raw_fd_fdstat_get((int32_t)f, end - 8), __WASI_ERRNO_FAULT);          /* 24 bytes do not fit */
  CHECK_EQ(raw_fd_filestat_get((int32_t)f, end), __WASI_ERRNO_FAULT);
  CHECK_EQ(raw_fd_seek((int32_t)f, 0, 0, bad), __WASI_ERRNO_FAULT);
  CHECK_EQ(raw_path_open(dirfd_, 1, bad, 4, 0, (int64_t)ALL_RIGHTS, (int64_t)ALL_RIGHTS, 0, P(&out)), __WASI_ERRNO_FAULT);
  CHECK_EQ(raw_path_open(dirfd_, 1, end - 2, 10, 0, (int64_t)ALL_RIGHTS, (int64_t)ALL_RIGHTS, 0, P(&out)), __WASI_ERRNO_FAULT);
  CHECK_EQ(raw_path_create_directory(dirfd_, bad, 3), __WASI_ERRNO_FAULT);
  CHECK_EQ(raw_path_filestat_get(dirfd_, 1, P("faultfile"), 9, bad), __WASI_ERRNO_FAULT);
  CHECK_EQ(raw_fd_prestat_get(3, bad), __WASI_ERRNO_FAULT);
  CHECK_EQ(raw_fd_prestat_dir_name(3, bad, 1), __WASI_ERRNO_FAULT);
  CHECK_EQ(raw_fd_readdir(dirfd_, bad, 4096, 0, P(&out)), __WASI_ERRNO_FAULT);
  CHECK_EQ(raw_clock_time_get(__WASI_CLOCKID_REALTIME, 1, bad), __WASI_ERRNO_FAULT);
  CHECK_EQ(raw_random_get(bad, 16), __WASI_ERRNO_FAULT);
  CHECK_EQ(raw_random_get(end - 8, 16), __WASI_ERRNO_FAULT);
  CHECK_EQ(raw_args_sizes_get(bad, P(&out)), __WASI_ERRNO_FAULT);
  CHECK_EQ(raw_poll_oneoff(bad, P(&out), 1, P(&out)), __WASI_ERRNO_FAULT);
  /* nothing changed and the cage lives on */
  CHECK(read_is(f, "abcdef"));
  CHECK_EQ(fst("faultfile", 0).size, 6);
  xclose(f);
}

static void t_misc(void) {
  section("misc");
  __wasi_size_t argc = 0, argbytes = 0;
  CHECK_EQ(__wasi_args_sizes_get(&argc, &argbytes), 0);
  CHECK(argc >= 1 && argbytes >= argc);
  __wasi_size_t envc = 0, envbytes = 0;
  CHECK_EQ(__wasi_environ_sizes_get(&envc, &envbytes), 0);
  CHECK(envbytes >= envc);
  __wasi_timestamp_t res = 0;
  CHECK_EQ(__wasi_clock_res_get(__WASI_CLOCKID_MONOTONIC, &res), 0);
  CHECK(res > 0);
  CHECK_EQ(__wasi_clock_res_get(99, &res), __WASI_ERRNO_INVAL);
  __wasi_timestamp_t t = 0;
  CHECK_EQ(__wasi_clock_time_get(99, 1, &t), __WASI_ERRNO_INVAL);
  CHECK_EQ(__wasi_sched_yield(), 0);
  uint8_t r[32];
  memset(r, 0, sizeof r);
  CHECK_EQ(__wasi_random_get(r, sizeof r), 0);
  int nz = 0;
  for (size_t i = 0; i < sizeof r; i++) nz += r[i] != 0;
  CHECK(nz > 0);
  /* path_open flags: DIRECTORY on a file, EXCL on an existing file, TRUNC */
  __wasi_fd_t f = open_file("of", __WASI_OFLAGS_CREAT, ALL_RIGHTS, 0);
  CHECK(write_all(f, "12345"));
  xclose(f);
  __wasi_fd_t g;
  CHECK_EQ(__wasi_path_open((__wasi_fd_t)dirfd_, 0, "of", __WASI_OFLAGS_DIRECTORY, ALL_RIGHTS, ALL_RIGHTS, 0, &g),
           __WASI_ERRNO_NOTDIR);
  CHECK_EQ(__wasi_path_open((__wasi_fd_t)dirfd_, 0, "of", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, ALL_RIGHTS,
                            ALL_RIGHTS, 0, &g), __WASI_ERRNO_EXIST);
  CHECK_EQ(__wasi_path_open((__wasi_fd_t)dirfd_, 0, "of", __WASI_OFLAGS_TRUNC, ALL_RIGHTS, ALL_RIGHTS, 0, &g), 0);
  CHECK_EQ(fst("of", 0).size, 0);
  xclose(g);
  CHECK_EQ(__wasi_path_remove_directory((__wasi_fd_t)dirfd_, "of"), __WASI_ERRNO_NOTDIR);
  CHECK_EQ(__wasi_path_unlink_file((__wasi_fd_t)dirfd_, "rd"), __WASI_ERRNO_ISDIR);
  CHECK_EQ(__wasi_path_remove_directory((__wasi_fd_t)dirfd_, "rd"), __WASI_ERRNO_NOTEMPTY);
  CHECK_EQ(__wasi_path_link((__wasi_fd_t)dirfd_, 0, "of", (__wasi_fd_t)dirfd_, "of.hard"), 0);
  CHECK_EQ(fst("of.hard", 0).nlink, 2);
  CHECK_EQ(__wasi_fd_close(999), __WASI_ERRNO_BADF);
}

int main(int argc, char **argv) {
  if (argc > 1) base = argv[1];
  printf("wasi-raw: base %s\n", base);
  section("setup");
  CHECK_EQ(mkdir(base, 0755), 0);
  dirfd_ = open(base, O_RDONLY | O_DIRECTORY);
  CHECK(dirfd_ >= 3);
  __wasi_fdstat_t dfs;
  CHECK_EQ(__wasi_fd_fdstat_get((__wasi_fd_t)dirfd_, &dfs), 0);
  ALL_RIGHTS = dfs.fs_rights_inheriting;
  if (checks_failed) return summary();
  t_prestat();
  t_renumber_rights();
  t_advise_allocate_seek();
  t_times();
  t_poll();
  t_readdir();
  t_pathlen();
  t_sock();
  t_fault();
  t_misc();
  return summary();
}
