/* lind.h: a tiny freestanding stand-in for lind-glibc, for fixture cages.
 *
 * A lind-glibc cage reaches its host through one import, `lind`.`make-syscall`
 * (abi.md §1.2). This header declares the imports exactly as a lind-glibc cage has
 * them and wraps make-syscall the way glibc's MAKE_LEGACY_SYSCALL fills it:
 *   - callname = untranslated guest pointer to "syscall|<name>";
 *   - self_cageid = target_cageid = every argNcageid = this cage's id, unused slots too;
 *   - unused argument slots = NOTUSED (0xdeadbeefdeadbeef), never 0;
 *   - int arguments sign-extended (LI), unsigned/size_t zero-extended (LU),
 *     64-bit offsets whole (LO), pointers as base + ptr with NULL kept 0 (LP);
 *   - the i32 result: [-255, -1] is -errno, anything else is the result.
 * The wrappers return the raw result (so -errno), not -1/errno: the fixtures check it.
 *
 * The same sources also build natively on Linux x86-64 (native.c) so that every
 * expectation written in a fixture can be checked against the real kernel.
 */
#ifndef LIND_H
#define LIND_H

typedef unsigned long long u64;
typedef long long i64;
typedef unsigned int u32;
typedef int i32;
typedef unsigned short u16;
typedef unsigned char u8;
typedef __SIZE_TYPE__ size_t;
typedef __UINTPTR_TYPE__ uptr;

#define NULL ((void *)0)
#define LIND_NOTUSED 0xdeadbeefdeadbeefULL

/* ---- the imports (wasm build) ------------------------------------------------------- */
#ifdef __wasm__
#define LIND_IMPORT(n) __attribute__((import_module("lind"), import_name(n)))
LIND_IMPORT("make-syscall")
int lind_make_syscall(u32 callnumber, u64 callname, u64 self_cageid, u64 target_cageid,
                      u64 arg1, u64 arg1cageid, u64 arg2, u64 arg2cageid,
                      u64 arg3, u64 arg3cageid, u64 arg4, u64 arg4cageid,
                      u64 arg5, u64 arg5cageid, u64 arg6, u64 arg6cageid);
LIND_IMPORT("lind-get-memory-base") u64 lind_get_memory_base(void);
LIND_IMPORT("lind-get-cage-id") u64 lind_get_cage_id(void);
LIND_IMPORT("args_sizes_get") int lind_args_sizes_get(u32 *argc, u32 *bufsize);
LIND_IMPORT("args_get") int lind_args_get(char **argv, char *argv_buf);
LIND_IMPORT("environ_sizes_get") int lind_environ_sizes_get(u32 *count, u32 *bufsize);
LIND_IMPORT("environ_get") int lind_environ_get(char **environ, char *environ_buf);
#endif

/* Set by _start before main. */
extern u64 lind_base;
extern u64 lind_cageid;

/* Raw entry: fills callname/cage ids as glibc does; a1..a6 already encoded. */
int lind_syscall(int nr, const char *callname, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, u64 a6);
/* Fully raw entry: the caller chooses every one of the 15 i64 slots. */
int lind_syscall_raw(int nr, u64 callname, u64 self, u64 target, const u64 args[12]);

/* ---- argument encoders ------------------------------------------------------------- */
#define LI(x) ((u64)(i64)(int)(x))   /* int: sign-extended */
#define LU(x) ((u64)(u32)(x))        /* unsigned, mode_t, uid_t, size_t: zero-extended */
#define LO(x) ((u64)(i64)(x))        /* off64_t/loff_t/dev_t: whole */
static inline u64 lind_ptr(uptr p) { return p ? lind_base + (u64)p : 0; }
#define LP(x) lind_ptr((uptr)(x))    /* pointer: base + ptr, NULL stays 0 */
#define NU LIND_NOTUSED

#define SYS0(nr, nm) lind_syscall(nr, "syscall|" nm, NU, NU, NU, NU, NU, NU)
#define SYS1(nr, nm, a) lind_syscall(nr, "syscall|" nm, a, NU, NU, NU, NU, NU)
#define SYS2(nr, nm, a, b) lind_syscall(nr, "syscall|" nm, a, b, NU, NU, NU, NU)
#define SYS3(nr, nm, a, b, c) lind_syscall(nr, "syscall|" nm, a, b, c, NU, NU, NU)
#define SYS4(nr, nm, a, b, c, d) lind_syscall(nr, "syscall|" nm, a, b, c, d, NU, NU)
#define SYS5(nr, nm, a, b, c, d, e) lind_syscall(nr, "syscall|" nm, a, b, c, d, e, NU)
#define SYS6(nr, nm, a, b, c, d, e, f) lind_syscall(nr, "syscall|" nm, a, b, c, d, e, f)

/* ---- constants (Linux values as a lind cage sends them, abi.md §4) ---------------- */
enum {
  EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ENXIO = 6, E2BIG = 7, EBADF = 9, ECHILD = 10,
  EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14, EBUSY = 16, EEXIST = 17, EXDEV = 18,
  ENODEV = 19, ENOTDIR = 20, EISDIR = 21, EINVAL = 22, EMFILE = 24, ENOTTY = 25, EFBIG = 27,
  ENOSPC = 28, ESPIPE = 29, EROFS = 30, EMLINK = 31, EPIPE = 32, ERANGE = 34,
  ENAMETOOLONG = 36, ENOLCK = 37, ENOSYS = 38, ENOTEMPTY = 39, ELOOP = 40, EOPNOTSUPP = 95,
};
#define O_RDONLY 0
#define O_WRONLY 01
#define O_RDWR 02
#define O_ACCMODE 03
#define O_CREAT 0100
#define O_EXCL 0200
#define O_NOCTTY 0400
#define O_TRUNC 01000
#define O_APPEND 02000
#define O_NONBLOCK 04000
#define O_LARGEFILE 0100000
#define O_DIRECTORY 0200000
#define O_NOFOLLOW 0400000
#define O_CLOEXEC 02000000
#define O_PATH 010000000
#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4
#define F_GETLK 5
#define F_SETLK 6
#define F_SETLKW 7
#define F_GETLK64 12
#define F_SETLK64 13
#define F_SETLKW64 14
#define F_OFD_GETLK 36
#define F_OFD_SETLK 37
#define F_OFD_SETLKW 38
#define F_DUPFD_CLOEXEC 1030
#define FD_CLOEXEC 1
#define F_RDLCK 0
#define F_WRLCK 1
#define F_UNLCK 2
#define AT_FDCWD (-100)
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_REMOVEDIR 0x200
#define AT_EACCESS 0x200
#define AT_SYMLINK_FOLLOW 0x400
#define AT_EMPTY_PATH 0x1000
#define S_IFMT 0170000
#define S_IFSOCK 0140000
#define S_IFLNK 0120000
#define S_IFREG 0100000
#define S_IFBLK 0060000
#define S_IFDIR 0040000
#define S_IFCHR 0020000
#define S_IFIFO 0010000
#define DT_FIFO 1
#define DT_CHR 2
#define DT_DIR 4
#define DT_REG 8
#define DT_LNK 10
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#define SEEK_DATA 3
#define SEEK_HOLE 4
#define UTIME_NOW 0x3FFFFFFF
#define UTIME_OMIT 0x3FFFFFFE
#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2
#define F_OK 0
#define X_OK 1
#define W_OK 2
#define R_OK 4
#define LOCK_SH 1
#define LOCK_EX 2
#define LOCK_NB 4
#define LOCK_UN 8
#define TCGETS 0x5401
#define FIONREAD 0x541B
#define POLLIN 1
#define POLLOUT 4
#define POLLERR 8
#define POLLHUP 0x10
#define POLLNVAL 0x20
#define PROT_READ 1
#define PROT_WRITE 2
#define MAP_PRIVATE 2
#define MAP_ANONYMOUS 0x20
#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define TMPFS_MAGIC 0x01021994
#define FALLOC_FL_KEEP_SIZE 1
#define FALLOC_FL_PUNCH_HOLE 2
#define STATX_BASIC_STATS 0x7ffU
#define STATX__RESERVED 0x80000000U

/* ---- syscall wrappers (abi.md §2 argument order; results raw) ---------------------- */
static inline int sys_read(int fd, void *buf, size_t n) { return SYS3(0, "read", LI(fd), LP(buf), LU(n)); }
static inline int sys_write(int fd, const void *buf, size_t n) { return SYS3(1, "write", LI(fd), LP(buf), LU(n)); }
static inline int sys_open(const char *p, int flags, u32 mode) { return SYS3(2, "open", LP(p), LI(flags), LU(mode)); }
static inline int sys_close(int fd) { return SYS1(3, "close", LI(fd)); }
static inline int sys_stat(const char *p, void *st) { return SYS2(4, "stat", LP(p), LP(st)); }
static inline int sys_fstat(int fd, void *st) { return SYS2(5, "fstat", LI(fd), LP(st)); }
static inline int sys_lstat(const char *p, void *st) { return SYS2(6, "lstat", LP(p), LP(st)); }
static inline int sys_lseek(int fd, i64 off, int whence) { return SYS3(8, "lseek", LI(fd), LO(off), LI(whence)); }
static inline int sys_ioctl(int fd, u32 req, void *arg) { return SYS3(16, "ioctl", LI(fd), LU(req), LP(arg)); }
static inline int sys_pread(int fd, void *b, size_t n, i64 off) { return SYS4(17, "pread", LI(fd), LP(b), LU(n), LO(off)); }
static inline int sys_pwrite(int fd, const void *b, size_t n, i64 off) { return SYS4(18, "pwrite", LI(fd), LP(b), LU(n), LO(off)); }
static inline int sys_readv(int fd, const void *iov, int cnt) { return SYS3(19, "readv", LI(fd), LP(iov), LI(cnt)); }
static inline int sys_writev(int fd, const void *iov, int cnt) { return SYS3(20, "writev", LI(fd), LP(iov), LI(cnt)); }
static inline int sys_access(const char *p, int mode) { return SYS2(21, "access", LP(p), LI(mode)); }
static inline int sys_pipe(int *fds) { return SYS1(22, "pipe", LP(fds)); }
static inline int sys_dup(int fd) { return SYS1(32, "dup", LI(fd)); }
static inline int sys_dup2(int o, int n) { return SYS2(33, "dup2", LI(o), LI(n)); }
static inline int sys_fcntl(int fd, int cmd, int arg) { return SYS4(72, "fcntl", LI(fd), LI(cmd), LU(arg), 0); }
static inline int sys_fcntl_lock(int fd, int cmd, void *lk) { return SYS4(72, "fcntl", LI(fd), LI(cmd), 0, LP(lk)); }
static inline int sys_flock(int fd, int op) { return SYS2(73, "flock", LI(fd), LI(op)); }
static inline int sys_fsync(int fd) { return SYS1(74, "fsync", LI(fd)); }
static inline int sys_fdatasync(int fd) { return SYS1(75, "fdatasync", LI(fd)); }
static inline int sys_truncate(const char *p, i64 len) { return SYS2(76, "truncate", LP(p), LO(len)); }
static inline int sys_ftruncate(int fd, i64 len) { return SYS2(77, "ftruncate", LI(fd), LO(len)); }
static inline int sys_getdents(int fd, void *b, size_t n) { return SYS3(78, "getdents", LI(fd), LP(b), LU(n)); }
static inline int sys_getcwd(char *b, size_t n) { return SYS2(79, "getcwd", LP(b), LU(n)); }
static inline int sys_chdir(const char *p) { return SYS1(80, "chdir", LP(p)); }
static inline int sys_fchdir(int fd) { return SYS1(81, "fchdir", LI(fd)); }
static inline int sys_rename(const char *a, const char *b) { return SYS2(82, "rename", LP(a), LP(b)); }
static inline int sys_mkdir(const char *p, u32 mode) { return SYS2(83, "mkdir", LP(p), LU(mode)); }
static inline int sys_rmdir(const char *p) { return SYS1(84, "rmdir", LP(p)); }
static inline int sys_link(const char *a, const char *b) { return SYS2(86, "link", LP(a), LP(b)); }
static inline int sys_unlink(const char *p) { return SYS1(87, "unlink", LP(p)); }
static inline int sys_symlink(const char *t, const char *l) { return SYS2(88, "symlink", LP(t), LP(l)); }
static inline int sys_readlink(const char *p, char *b, size_t n) { return SYS3(89, "readlink", LP(p), LP(b), LU(n)); }
static inline int sys_chmod(const char *p, u32 mode) { return SYS2(90, "chmod", LP(p), LU(mode)); }
static inline int sys_fchmod(int fd, u32 mode) { return SYS2(91, "fchmod", LI(fd), LU(mode)); }
static inline int sys_chown(const char *p, u32 u, u32 g) { return SYS3(92, "chown", LP(p), LU(u), LU(g)); }
static inline int sys_fchown(int fd, u32 u, u32 g) { return SYS3(93, "fchown", LI(fd), LU(u), LU(g)); }
static inline int sys_lchown(const char *p, u32 u, u32 g) { return SYS3(94, "lchown", LP(p), LU(u), LU(g)); }
static inline int sys_umask(u32 mask) { return SYS1(95, "umask", LU(mask)); }
static inline int sys_mknod(const char *p, u32 mode, u64 dev) { return SYS3(133, "mknod", LP(p), LU(mode), LO(dev)); }
static inline int sys_statfs(const char *p, void *b) { return SYS2(137, "statfs", LP(p), LP(b)); }
static inline int sys_fstatfs(int fd, void *b) { return SYS2(138, "fstatfs", LI(fd), LP(b)); }
static inline int sys_getdents64(int fd, void *b, size_t n) { return SYS3(217, "getdents64", LI(fd), LP(b), LU(n)); }
static inline int sys_openat(int d, const char *p, int flags, u32 mode) { return SYS4(257, "openat", LI(d), LP(p), LI(flags), LU(mode)); }
static inline int sys_mkdirat(int d, const char *p, u32 mode) { return SYS3(258, "mkdirat", LI(d), LP(p), LU(mode)); }
static inline int sys_mknodat(int d, const char *p, u32 mode, u32 dev) { return SYS4(259, "mknodat", LI(d), LP(p), LU(mode), LU(dev)); }
static inline int sys_fchownat(int d, const char *p, u32 u, u32 g, int fl) { return SYS5(260, "fchownat", LI(d), LP(p), LU(u), LU(g), LI(fl)); }
/* 262 fills glibc's 112-byte struct __stat64_t64 (what lind-glibc's fstatat hands it), not the 104-byte stat. */
static inline int sys_fstatat(int d, const char *p, void *st, int fl) { return SYS4(262, "newfstatat", LI(d), LP(p), LP(st), LI(fl)); }
static inline int sys_unlinkat(int d, const char *p, int fl) { return SYS3(263, "unlinkat", LI(d), LP(p), LI(fl)); }
static inline int sys_renameat(int od, const char *o, int nd, const char *n) { return SYS4(264, "renameat", LI(od), LP(o), LI(nd), LP(n)); }
static inline int sys_linkat(int od, const char *o, int nd, const char *n, int fl) { return SYS5(265, "linkat", LI(od), LP(o), LI(nd), LP(n), LI(fl)); }
static inline int sys_symlinkat(const char *t, int d, const char *l) { return SYS3(266, "symlinkat", LP(t), LI(d), LP(l)); }
static inline int sys_readlinkat(int d, const char *p, char *b, size_t n) { return SYS4(267, "readlinkat", LI(d), LP(p), LP(b), LU(n)); }
static inline int sys_fchmodat(int d, const char *p, u32 mode, int fl) { return SYS4(268, "fchmodat", LI(d), LP(p), LU(mode), LI(fl)); }
static inline int sys_faccessat(int d, const char *p, int mode, int fl) { return SYS4(269, "faccessat", LI(d), LP(p), LI(mode), LI(fl)); }
static inline int sys_sync_file_range(int fd, i64 off, i64 n, u32 fl) { return SYS4(277, "sync_file_range", LI(fd), LO(off), LO(n), LU(fl)); }
static inline int sys_utimensat(int d, const char *p, const void *ts, int fl) { return SYS4(280, "utimensat", LI(d), LP(p), LP(ts), LI(fl)); }
static inline int sys_fallocate(int fd, int mode, i64 off, i64 len) { return SYS4(285, "fallocate", LI(fd), LI(mode), LO(off), LO(len)); }
static inline int sys_dup3(int o, int n, int fl) { return SYS3(292, "dup3", LI(o), LI(n), LI(fl)); }
static inline int sys_pipe2(int *fds, int fl) { return SYS2(293, "pipe2", LP(fds), LI(fl)); }
static inline int sys_preadv(int fd, const void *iov, int cnt, i64 off) { return SYS4(295, "preadv", LI(fd), LP(iov), LI(cnt), LO(off)); }
static inline int sys_pwritev(int fd, const void *iov, int cnt, i64 off) { return SYS4(296, "pwritev", LI(fd), LP(iov), LI(cnt), LO(off)); }
static inline int sys_renameat2(int od, const char *o, int nd, const char *n, u32 fl) { return SYS5(316, "renameat2", LI(od), LP(o), LI(nd), LP(n), LU(fl)); }
static inline int sys_copy_file_range(int fi, i64 *oi, int fo, i64 *oo, size_t n, u32 fl) { return SYS6(326, "copy_file_range", LI(fi), LP(oi), LI(fo), LP(oo), LU(n), LU(fl)); }
static inline int sys_statx(int d, const char *p, int fl, u32 mask, void *b) { return SYS5(332, "statx", LI(d), LP(p), LI(fl), LU(mask), LP(b)); }
static inline int sys_sendfile(int out, int in, i64 *off, size_t n) { return SYS4(40, "sendfile", LI(out), LI(in), LP(off), LU(n)); }

/* process basics (abi.md §1.5) */
static inline int sys_brk(uptr addr) { return SYS1(12, "brk", LP(addr)); }
static inline int sys_mmap(uptr addr, size_t len, int prot, int flags, int fd, i64 off) {
  /* mmap's address is a guest address: glibc does not translate it. */
  return SYS6(9, "mmap", (u64)addr, LU(len), LI(prot), LI(flags), LI(fd), LO(off));
}
static inline int sys_munmap(uptr addr, size_t len) { return SYS2(11, "munmap", LP(addr), LU(len)); }
static inline int sys_mprotect(uptr addr, size_t len, int prot) { return SYS3(10, "mprotect", LP(addr), LU(len), LI(prot)); }
static inline int sys_clock_gettime(int clk, void *ts) { return SYS2(228, "clock_gettime", LI(clk), LP(ts)); }
/* Lind's 35 carries clock_nanosleep's arguments (abi.md §1.5). */
static inline int sys_nanosleep(int clk, int flags, const void *req, void *rem) { return SYS4(35, "nanosleep", LI(clk), LI(flags), LP(req), LP(rem)); }
static inline int sys_getrandom(void *b, size_t n, u32 fl) { return SYS3(318, "getrandom", LP(b), LU(n), LU(fl)); }
static inline int sys_getpid(void) { return SYS0(39, "getpid"); }
static inline int sys_getppid(void) { return SYS0(110, "getppid"); }
static inline int sys_getuid(void) { return SYS0(102, "getuid"); }
static inline int sys_geteuid(void) { return SYS0(107, "geteuid"); }
static inline int sys_getgid(void) { return SYS0(104, "getgid"); }
static inline int sys_getegid(void) { return SYS0(108, "getegid"); }
static inline int sys_getpgid(int pid) { return SYS1(121, "getpgid", LI(pid)); }
/* both structs are the wasm32 struct rlimit, {u32 rlim_cur, u32 rlim_max} (RLIM_INFINITY 0xffffffff) */
static inline int sys_prlimit64(int pid, int res, const void *nw, void *old) { return SYS4(302, "prlimit64", LI(pid), LU(res), LP(nw), LP(old)); }
static inline int sys_rt_sigaction(int sig, const void *act, void *old) { return SYS3(13, "rt_sigaction", LI(sig), LP(act), LP(old)); }
static inline int sys_rt_sigprocmask(int how, const void *set, void *old) { return SYS3(14, "rt_sigprocmask", LI(how), LP(set), LP(old)); }
static inline int sys_poll(void *fds, u32 n, int timeout) { return SYS3(7, "poll", LP(fds), LU(n), LI(timeout)); }
/* lind-glibc's ppoll sends the timeout as int milliseconds (-1: the timespec pointer was NULL). */
static inline int sys_ppoll(void *fds, u32 n, int timeout_ms, const void *sigmask) { return SYS4(271, "ppoll", LP(fds), LU(n), LI(timeout_ms), LP(sigmask)); }
/* tv: {i64 tv_sec, i64 tv_usec}, which lind-glibc's select builds from the caller's timeval. */
static inline int sys_select(int n, void *r, void *w, void *e, void *tv) { return SYS5(23, "select", LI(n), LP(r), LP(w), LP(e), LP(tv)); }
__attribute__((noreturn)) void sys_exit_group(int status);

/* ---- freestanding helpers (lind_rt.c) ----------------------------------------------- */
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
int atoi_simple(const char *s);

/* Little-endian field access: the fixtures read structs by byte offset. */
static inline u16 rd16(const void *p, int off) { const u8 *b = (const u8 *)p + off; return (u16)(b[0] | b[1] << 8); }
static inline u32 rd32(const void *p, int off) { const u8 *b = (const u8 *)p + off; return (u32)b[0] | (u32)b[1] << 8 | (u32)b[2] << 16 | (u32)b[3] << 24; }
static inline u64 rd64(const void *p, int off) { return (u64)rd32(p, off) | (u64)rd32(p, off + 4) << 32; }
static inline void wr16(void *p, int off, u16 v) { u8 *b = (u8 *)p + off; b[0] = (u8)v; b[1] = (u8)(v >> 8); }
static inline void wr32(void *p, int off, u32 v) { u8 *b = (u8 *)p + off; for (int i = 0; i < 4; i++) b[i] = (u8)(v >> (8 * i)); }
static inline void wr64(void *p, int off, u64 v) { wr32(p, off, (u32)v); wr32(p, off + 4, (u32)(v >> 32)); }

/* Output on fd 1 (one write per line) and the CHECK machinery. */
void out_str(const char *s);             /* buffered until out_nl() */
void out_int(i64 v);
void out_hex(u64 v);
void out_bytes(const char *s, size_t n); /* escapes non-printable bytes as \xNN */
void out_nl(void);
void err_line(const char *s);            /* one line on fd 2 */

extern int checks_passed, checks_failed;
extern const char *check_section;
void section(const char *name);
int check_true(int line, const char *expr, int ok);
int check_eq(int line, const char *expr, i64 got, i64 want);
int check_range(int line, const char *expr, i64 got, i64 lo, i64 hi);
int summary(void); /* prints "N passed, M failed"; returns M (capped at 255) */

#define CHECK(cond) check_true(__LINE__, #cond, !!(cond))
#define CHECK_EQ(got, want) check_eq(__LINE__, #got, (i64)(got), (i64)(want))
#define CHECK_ERR(got, err) check_eq(__LINE__, #got, (i64)(got), -(i64)(err))
#define CHECK_RANGE(got, lo, hi) check_range(__LINE__, #got, (i64)(got), (i64)(lo), (i64)(hi))

/* Addresses at and just below the end of this cage's linear memory (bad-pointer tests). */
uptr mem_end(void);

int main(int argc, char **argv, char **envp);

#endif
