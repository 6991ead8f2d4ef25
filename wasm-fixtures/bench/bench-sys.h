/* bench-sys.h: the few system calls the benchmark program makes, behind one interface,
 * so the same workloads build three ways: against wasi-libc (WASI cage), against the
 * host's libc (native reference run), and against lind make-syscall (lind cage).
 * Results are syscall-style: >= 0, or -errno. Flags are Linux values (BO_*); each
 * backend translates them. */
#ifndef BENCH_SYS_H
#define BENCH_SYS_H

#define BO_RDONLY 0
#define BO_WRONLY 1
#define BO_RDWR 2
#define BO_CREAT 0100
#define BO_EXCL 0200
#define BO_TRUNC 01000

int b_open(const char *path, int flags, int mode);
int b_close(int fd);
long b_read(int fd, void *buf, unsigned long n);
long b_write(int fd, const void *buf, unsigned long n);
long b_pread(int fd, void *buf, unsigned long n, long long off);
long b_pwrite(int fd, const void *buf, unsigned long n, long long off);
int b_ftruncate(int fd, long long len);
/* stat: 0 and the size, or -errno */
int b_stat(const char *path, long long *size);
int b_mkdir(const char *path, int mode);
int b_unlink(const char *path);
int b_rmdir(const char *path);
/* Number of entries in a directory (without . and ..), or -errno. */
long b_count_entries(const char *path);
/* Seconds on a monotonic clock. */
double b_now(void);
/* Writes a NUL-terminated string to stdout. */
void b_out(const char *s);
/* The program's arguments. */
int b_main(int argc, char **argv);

#endif
