/* bench-lind.c: the benchmark's system calls through lind.make-syscall (the lind cage
 * build), with lind/lind_rt.c as the C runtime (its _start calls main). */
#include "../lind/lind.h"
#include "bench-sys.h"

int b_open(const char *path, int flags, int mode) { return sys_open(path, flags | O_LARGEFILE, (u32)mode); }
int b_close(int fd) { return sys_close(fd); }
long b_read(int fd, void *buf, unsigned long n) { return sys_read(fd, buf, n); }
long b_write(int fd, const void *buf, unsigned long n) { return sys_write(fd, buf, n); }
long b_pread(int fd, void *buf, unsigned long n, long long off) { return sys_pread(fd, buf, n, off); }
long b_pwrite(int fd, const void *buf, unsigned long n, long long off) { return sys_pwrite(fd, buf, n, off); }
int b_ftruncate(int fd, long long len) { return sys_ftruncate(fd, len); }
int b_stat(const char *path, long long *size) {
  static unsigned char st[104];
  int r = sys_stat(path, st);
  if (r < 0) return r;
  *size = *(long long *)(st + 40); /* st_size at offset 40 of lind's struct stat */
  return 0;
}
int b_mkdir(const char *path, int mode) { return sys_mkdir(path, (u32)mode); }
int b_unlink(const char *path) { return sys_unlink(path); }
int b_rmdir(const char *path) { return sys_rmdir(path); }
long b_count_entries(const char *path) {
  static unsigned char buf[32768];
  int fd = sys_open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_LARGEFILE, 0);
  if (fd < 0) return fd;
  long n = 0;
  for (;;) {
    int got = sys_getdents(fd, buf, sizeof buf);
    if (got < 0) { sys_close(fd); return got; }
    if (got == 0) break;
    for (int at = 0; at < got;) {
      unsigned short reclen = *(unsigned short *)(buf + at + 16);
      const char *name = (const char *)(buf + at + 19);
      if (!(name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0)))) n++;
      at += reclen;
    }
  }
  sys_close(fd);
  return n;
}
double b_now(void) {
  long long ts[2];
  sys_clock_gettime(CLOCK_MONOTONIC, ts);
  return (double)ts[0] + (double)ts[1] / 1e9;
}
void b_out(const char *s) { sys_write(1, s, strlen(s)); }
int main(int argc, char **argv, char **envp) { (void)envp; return b_main(argc, argv); }
