/* bench-posix.c: the benchmark's system calls over a POSIX libc (wasi-libc for the WASI
 * cage, glibc for the native reference run). */
#include "bench-sys.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int flags_of(int f) {
  int r = (f & 3) == BO_WRONLY ? O_WRONLY : (f & 3) == BO_RDWR ? O_RDWR : O_RDONLY;
  if (f & BO_CREAT) r |= O_CREAT;
  if (f & BO_EXCL) r |= O_EXCL;
  if (f & BO_TRUNC) r |= O_TRUNC;
  return r;
}
/* The workloads compare against Linux errno numbers; wasi-libc's ENOENT is 44, not 2. */
static long err(void) { return errno == ENOENT ? -2 : -(long)errno; }
#define RET(x) do { long r_ = (long)(x); return r_ < 0 ? err() : r_; } while (0)

int b_open(const char *path, int flags, int mode) { RET(open(path, flags_of(flags), mode)); }
int b_close(int fd) { RET(close(fd)); }
long b_read(int fd, void *buf, unsigned long n) { RET(read(fd, buf, n)); }
long b_write(int fd, const void *buf, unsigned long n) { RET(write(fd, buf, n)); }
long b_pread(int fd, void *buf, unsigned long n, long long off) { RET(pread(fd, buf, n, (off_t)off)); }
long b_pwrite(int fd, const void *buf, unsigned long n, long long off) { RET(pwrite(fd, buf, n, (off_t)off)); }
int b_ftruncate(int fd, long long len) { RET(ftruncate(fd, (off_t)len)); }
int b_stat(const char *path, long long *size) {
  struct stat st;
  if (stat(path, &st) < 0) return (int)err();
  *size = (long long)st.st_size;
  return 0;
}
int b_mkdir(const char *path, int mode) { RET(mkdir(path, (mode_t)mode)); }
int b_unlink(const char *path) { RET(unlink(path)); }
int b_rmdir(const char *path) { RET(rmdir(path)); }
long b_count_entries(const char *path) {
  DIR *d = opendir(path);
  if (!d) return err();
  long n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
  closedir(d);
  return n;
}
double b_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
void b_out(const char *s) {
  size_t n = strlen(s);
  while (n > 0) { ssize_t w = write(1, s, n); if (w <= 0) return; s += w; n -= (size_t)w; }
}
int main(int argc, char **argv) { return b_main(argc, argv); }
