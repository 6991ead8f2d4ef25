/* p2-io: what a preview1 program adapted into a WASI 0.2 component (jco's preview1 command
 * adapter) reaches through wasi:filesystem, wasi:io/streams and wasi:cli, checked from
 * inside: sequential and positioned I/O through streams (the stream keeps its position
 * across writes, a seek starts a new one), O_APPEND, directories and their entries,
 * symlinks, stable inode numbers, nanosecond timestamps, error paths, stdio and the
 * environment.
 *
 * Usage: p2-io [BASE [STDIN-EXPECT]]  (BASE defaults to /p2-io and must not exist yet; with
 * STDIN-EXPECT, stdin is read to its end and must equal it, then echoed to stdout and stderr
 * as "in:<data>"). Prints one "FAIL ..." line per failed check, then "N passed, M failed";
 * exits 0 when nothing failed, otherwise 1 (an adapted component carries no other status).
 * With the environment variable P2_EXIT=N set, it calls exit(N) instead at the end. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../wasi/check.h"

static const char *base = "/p2-io";

static void t_streams(void) {
  section("streams keep their position");
  int fd = open("s", O_CREAT | O_RDWR | O_TRUNC, 0644);
  CHECK(fd >= 3);
  CHECK_EQ(write(fd, "hello ", 6), 6);
  CHECK_EQ(write(fd, "world", 5), 5);
  CHECK_EQ(lseek(fd, 0, SEEK_CUR), 11);
  CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
  char buf[32] = {0};
  CHECK_EQ(read(fd, buf, 5), 5);
  CHECK(memcmp(buf, "hello", 5) == 0);
  CHECK_EQ(read(fd, buf, 32), 6);
  CHECK(memcmp(buf, " world", 6) == 0);
  CHECK_EQ(read(fd, buf, 32), 0); /* end of file */
  CHECK_EQ(lseek(fd, 6, SEEK_SET), 6);
  CHECK_EQ(write(fd, "W", 1), 1);
  CHECK_EQ(pread(fd, buf, 11, 0), 11);
  CHECK(memcmp(buf, "hello World", 11) == 0);
  CHECK_EQ(pwrite(fd, "H", 1, 0), 1);
  CHECK_EQ(lseek(fd, 0, SEEK_CUR), 7); /* pwrite leaves the position alone */
  CHECK_EQ(lseek(fd, 100, SEEK_SET), 100);
  CHECK_EQ(write(fd, "!", 1), 1); /* a hole, then one byte */
  struct stat st;
  CHECK_EQ(fstat(fd, &st), 0);
  CHECK_EQ(st.st_size, 101);
  CHECK_EQ(pread(fd, buf, 4, 98), 3);
  CHECK(buf[0] == 0 && buf[1] == 0 && buf[2] == '!');
  CHECK_EQ(close(fd), 0);

  section("O_APPEND");
  fd = open("s", O_WRONLY | O_APPEND);
  CHECK(fd >= 3);
  CHECK_EQ(write(fd, "+", 1), 1);
  CHECK_EQ(write(fd, "+", 1), 1);
  CHECK_EQ(close(fd), 0);
  CHECK_EQ(stat("s", &st), 0);
  CHECK_EQ(st.st_size, 103);

  section("access modes");
  fd = open("s", O_RDONLY);
  CHECK_ERRNO(write(fd, "x", 1), EBADF);
  close(fd);
  fd = open("s", O_WRONLY);
  CHECK_ERRNO(read(fd, buf, 1), EBADF);
  CHECK_EQ(ftruncate(fd, 3), 0);
  close(fd);
  CHECK_EQ(stat("s", &st), 0);
  CHECK_EQ(st.st_size, 3);
}

static void t_dirs(void) {
  section("directories");
  CHECK_EQ(mkdir("d", 0755), 0);
  CHECK_ERRNO(mkdir("d", 0755), EEXIST);
  for (int i = 0; i < 5; i++) {
    char name[16];
    snprintf(name, sizeof name, "d/f%d", i);
    int fd = open(name, O_CREAT | O_WRONLY, 0644);
    CHECK(fd >= 3);
    close(fd);
  }
  CHECK_EQ(mkdir("d/sub", 0755), 0);
  CHECK_ERRNO(rmdir("d"), ENOTEMPTY);
  CHECK_ERRNO(unlink("d"), EISDIR);
  CHECK_ERRNO(rmdir("d/f0"), ENOTDIR);
  CHECK_ERRNO(open("d/nothing", O_RDONLY), ENOENT);
  CHECK_ERRNO(open("d/f0/x", O_RDONLY), ENOTDIR);
  CHECK_ERRNO(open("d/f0", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
  struct stat st, st2;
  CHECK_EQ(stat("d/f3", &st), 0);
  DIR *dir = opendir("d");
  CHECK(dir != NULL);
  int files = 0, dots = 0, subs = 0, ino_ok = 0;
  struct dirent *e;
  while (dir && (e = readdir(dir)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) { dots++; continue; }
    if (strncmp(e->d_name, "f", 1) == 0 && e->d_type == DT_REG) files++;
    if (strcmp(e->d_name, "sub") == 0 && e->d_type == DT_DIR) subs++;
    if (strcmp(e->d_name, "f3") == 0 && e->d_ino == st.st_ino) ino_ok++;
  }
  if (dir) closedir(dir);
  CHECK_EQ(files, 5);
  CHECK_EQ(dots, 2);
  CHECK_EQ(subs, 1);
  CHECK_EQ(ino_ok, 1);

  section("inode numbers are stable and distinct");
  int fd = open("d/f3", O_RDONLY);
  CHECK_EQ(fstat(fd, &st2), 0);
  CHECK_EQ(st2.st_ino, st.st_ino);
  close(fd);
  CHECK_EQ(stat("d/f4", &st2), 0);
  CHECK(st2.st_ino != st.st_ino);
  CHECK_EQ(rename("d/f3", "d/g3"), 0);
  CHECK_EQ(stat("d/g3", &st2), 0);
  CHECK_EQ(st2.st_ino, st.st_ino);
  CHECK_EQ(link("d/g3", "d/h3"), 0);
  CHECK_EQ(stat("d/h3", &st2), 0);
  CHECK_EQ(st2.st_ino, st.st_ino);
  CHECK_EQ(st2.st_nlink, 2);
  CHECK_ERRNO(rename("d", "d/sub/inside"), EINVAL);
}

static void t_symlinks(void) {
  section("symlinks");
  int fd = open("target", O_CREAT | O_WRONLY, 0644);
  CHECK_EQ(write(fd, "through", 7), 7);
  close(fd);
  CHECK_EQ(symlink("target", "link"), 0);
  CHECK_EQ(symlink("nowhere", "dangling"), 0);
  char buf[64] = {0};
  CHECK_EQ(readlink("link", buf, sizeof buf), 6);
  CHECK(memcmp(buf, "target", 6) == 0);
  struct stat st;
  CHECK_EQ(lstat("link", &st), 0);
  CHECK(S_ISLNK(st.st_mode));
  CHECK_EQ(stat("link", &st), 0);
  CHECK(S_ISREG(st.st_mode));
  CHECK_EQ(st.st_size, 7);
  fd = open("link", O_RDONLY);
  CHECK_EQ(read(fd, buf, sizeof buf), 7);
  close(fd);
  CHECK_ERRNO(open("dangling", O_RDONLY), ENOENT);
  CHECK_ERRNO(open("link", O_RDONLY | O_NOFOLLOW), ELOOP);
  CHECK_ERRNO(readlink("target", buf, sizeof buf), EINVAL);
  CHECK_EQ(unlink("link"), 0);
  CHECK_EQ(stat("target", &st), 0); /* unlinking a link leaves its target */
}

static void t_times(void) {
  section("nanosecond timestamps");
  int fd = open("t", O_CREAT | O_WRONLY, 0644);
  close(fd);
  struct timespec ts[2] = {{1000000000, 123456789}, {1700000000, 987654321}};
  CHECK_EQ(utimensat(AT_FDCWD, "t", ts, 0), 0);
  struct stat st;
  CHECK_EQ(stat("t", &st), 0);
  CHECK_EQ(st.st_atim.tv_sec, 1000000000);
  CHECK_EQ(st.st_atim.tv_nsec, 123456789);
  CHECK_EQ(st.st_mtim.tv_sec, 1700000000);
  CHECK_EQ(st.st_mtim.tv_nsec, 987654321);
  struct timespec omit[2] = {{0, UTIME_OMIT}, {5, 1}};
  CHECK_EQ(utimensat(AT_FDCWD, "t", omit, 0), 0);
  CHECK_EQ(stat("t", &st), 0);
  CHECK_EQ(st.st_atim.tv_nsec, 123456789);
  CHECK_EQ(st.st_mtim.tv_sec, 5);
  CHECK_EQ(st.st_mtim.tv_nsec, 1);
}

static void t_names(void) {
  section("names with odd (valid UTF-8) bytes");
  static const char *names[] = {"with space", "tab\there", "new\nline", "utf8-\xc3\xa9\xe2\x9c\x93", "\001ctl", "...", ".hidden"};
  int n = (int)(sizeof names / sizeof names[0]);
  CHECK_EQ(mkdir("odd", 0755), 0);
  char path[64];
  for (int i = 0; i < n; i++) {
    snprintf(path, sizeof path, "odd/%s", names[i]);
    int fd = open(path, O_CREAT | O_WRONLY, 0644);
    CHECK(fd >= 3);
    close(fd);
  }
  int seen = 0;
  DIR *dir = opendir("odd");
  struct dirent *e;
  while (dir && (e = readdir(dir)) != NULL)
    for (int i = 0; i < n; i++) seen += strcmp(e->d_name, names[i]) == 0;
  if (dir) closedir(dir);
  CHECK_EQ(seen, n);
}

static void t_escape(void) {
  section("a preopen is a capability for its subtree");
  /* the adapter resolves paths against the preopens; ".." above the root preopen stays out */
  int fd = open("/..", O_RDONLY);
  if (fd >= 0) close(fd);
  CHECK(fd < 0 || fd >= 3);
  CHECK_ERRNO(symlink("/etc/passwd", "abs"), EPERM);
}

static void t_stdio(const char *expect) {
  section("stdin to its end, stdout and stderr");
  char buf[256];
  size_t n = 0;
  for (;;) {
    ssize_t r = read(0, buf + n, sizeof buf - 1 - n);
    CHECK(r >= 0);
    if (r <= 0) break;
    n += (size_t)r;
  }
  buf[n] = 0;
  CHECK_EQ(n, strlen(expect));
  CHECK(strcmp(buf, expect) == 0);
  printf("in:%s\n", buf);
  fflush(stdout);
  fprintf(stderr, "in:%s\n", buf);
}

static void t_env(void) {
  section("environment and clocks");
  const char *v = getenv("P2_VAR");
  CHECK(v != NULL && strcmp(v, "x=y z") == 0);
  CHECK(getenv("P2_UNSET") == NULL);
  struct timespec a, b;
  CHECK_EQ(clock_gettime(CLOCK_MONOTONIC, &a), 0);
  CHECK_EQ(clock_gettime(CLOCK_MONOTONIC, &b), 0);
  CHECK(b.tv_sec > a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_nsec >= a.tv_nsec));
  CHECK_EQ(clock_gettime(CLOCK_REALTIME, &a), 0);
  CHECK(a.tv_sec > 1600000000);
}

int main(int argc, char **argv) {
  if (argc > 1) base = argv[1];
  CHECK_EQ(mkdir(base, 0755), 0);
  CHECK_EQ(chdir(base), 0);
  t_streams();
  t_dirs();
  t_symlinks();
  t_times();
  t_names();
  t_escape();
  t_env();
  if (argc > 2) t_stdio(argv[2]);
  int failed = summary();
  const char *ex = getenv("P2_EXIT");
  if (ex != NULL) exit(atoi(ex));
  return failed != 0;
}
