/* lind_rt.c: startup, make-syscall wrapper, string helpers, output and CHECKs for the
 * freestanding Lind-ABI fixture cages (see lind.h). */
#include "lind.h"

u64 lind_base;
u64 lind_cageid;

/* ---- freestanding helpers --------------------------------------------------------- */
/* Plain loops; built with -fno-builtin so they are not turned back into calls to
 * themselves. clang may emit calls to memcpy/memset for struct copies. */
size_t strlen(const char *s) { size_t n = 0; while (s[n]) n++; return n; }
int strcmp(const char *a, const char *b) {
  while (*a && *a == *b) a++, b++;
  return (u8)*a - (u8)*b;
}
int strncmp(const char *a, const char *b, size_t n) {
  for (; n; n--, a++, b++) {
    if (*a != *b) return (u8)*a - (u8)*b;
    if (!*a) return 0;
  }
  return 0;
}
void *memcpy(void *d, const void *s, size_t n) {
  u8 *dd = d; const u8 *ss = s;
  while (n--) *dd++ = *ss++;
  return d;
}
void *memmove(void *d, const void *s, size_t n) {
  u8 *dd = d; const u8 *ss = s;
  if (dd < ss) while (n--) *dd++ = *ss++;
  else while (n--) dd[n] = ss[n];
  return d;
}
void *memset(void *d, int c, size_t n) {
  u8 *dd = d;
  while (n--) *dd++ = (u8)c;
  return d;
}
int memcmp(const void *a, const void *b, size_t n) {
  const u8 *x = a, *y = b;
  for (; n; n--, x++, y++) if (*x != *y) return *x - *y;
  return 0;
}
int atoi_simple(const char *s) {
  int neg = 0, v = 0;
  if (*s == '-') neg = 1, s++;
  while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
  return neg ? -v : v;
}

/* ---- output ----------------------------------------------------------------------- */
static char line[1024];
static size_t line_len;

static void put(char c) {
  if (line_len < sizeof line - 1) line[line_len++] = c;
}
void out_str(const char *s) { while (*s) put(*s++); }
void out_int(i64 v) {
  char tmp[24]; int n = 0;
  u64 u = v < 0 ? (u64)0 - (u64)v : (u64)v;
  do tmp[n++] = (char)('0' + u % 10); while (u /= 10);
  if (v < 0) put('-');
  while (n) put(tmp[--n]);
}
void out_hex(u64 v) {
  char tmp[16]; int n = 0;
  do tmp[n++] = "0123456789abcdef"[v & 15]; while (v >>= 4);
  out_str("0x");
  while (n) put(tmp[--n]);
}
void out_bytes(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    u8 c = (u8)s[i];
    if (c >= 0x20 && c < 0x7f && c != '\\') put((char)c);
    else { put('\\'); put('x'); put("0123456789abcdef"[c >> 4]); put("0123456789abcdef"[c & 15]); }
  }
}
void out_nl(void) {
  line[line_len++] = '\n';
  size_t off = 0;
  while (off < line_len) {
    int r = sys_write(1, line + off, line_len - off);
    if (r <= 0) break;
    off += (size_t)r;
  }
  line_len = 0;
}
void err_line(const char *s) {
  sys_write(2, s, strlen(s));
  sys_write(2, "\n", 1);
}

/* ---- checks ----------------------------------------------------------------------- */
int checks_passed, checks_failed;
const char *check_section = "";

void section(const char *name) { check_section = name; }

static void fail_head(int ln, const char *expr) {
  checks_failed++;
  out_str("FAIL [");
  out_str(check_section);
  out_str("] line ");
  out_int(ln);
  out_str(": ");
  out_str(expr);
}
int check_true(int ln, const char *expr, int ok) {
  if (ok) { checks_passed++; return 1; }
  fail_head(ln, expr);
  out_nl();
  return 0;
}
int check_eq(int ln, const char *expr, i64 got, i64 want) {
  if (got == want) { checks_passed++; return 1; }
  fail_head(ln, expr);
  out_str(": got ");
  out_int(got);
  out_str(", want ");
  out_int(want);
  out_nl();
  return 0;
}
int check_range(int ln, const char *expr, i64 got, i64 lo, i64 hi) {
  if (got >= lo && got <= hi) { checks_passed++; return 1; }
  fail_head(ln, expr);
  out_str(": got ");
  out_int(got);
  out_str(", want in [");
  out_int(lo);
  out_str(", ");
  out_int(hi);
  out_str("]");
  out_nl();
  return 0;
}
int summary(void) {
  out_int(checks_passed);
  out_str(" passed, ");
  out_int(checks_failed);
  out_str(" failed");
  out_nl();
  return checks_failed > 255 ? 255 : checks_failed;
}

#ifdef __wasm__
/* ---- make-syscall ----------------------------------------------------------------- */
int lind_syscall(int nr, const char *callname, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, u64 a6) {
  u64 c = lind_cageid;
  /* callname is an untranslated guest pointer, as in lind-glibc. */
  return lind_make_syscall((u32)nr, (u64)(uptr)callname, c, c, a1, c, a2, c, a3, c, a4, c, a5, c, a6, c);
}
int lind_syscall_raw(int nr, u64 callname, u64 self, u64 target, const u64 a[12]) {
  return lind_make_syscall((u32)nr, callname, self, target, a[0], a[1], a[2], a[3], a[4], a[5],
                           a[6], a[7], a[8], a[9], a[10], a[11]);
}

void sys_exit_group(int status) {
  SYS1(231, "exit_group", LI(status));
  /* The host must not return into the cage from exit_group. */
  err_line("lind_rt: exit_group returned");
  __builtin_trap();
}

uptr mem_end(void) { return (uptr)__builtin_wasm_memory_size(0) * 65536; }

/* ---- _start ------------------------------------------------------------------------ */
/* argv/environ storage: no malloc here, so a fixed arena (lind-proc checks the sizes). */
#define ARENA 65536
#define MAXV 512
static char arg_buf[ARENA], env_buf[ARENA];
static char *argv_v[MAXV + 1], *env_v[MAXV + 1];
u32 lind_rt_argc, lind_rt_argbytes, lind_rt_envc, lind_rt_envbytes;
int lind_rt_args_rc[4];
char *lind_rt_arg_buf = arg_buf, *lind_rt_env_buf = env_buf;

/* Exported as `_start: () -> i32`, the shape lind-glibc's crt1 declares (`int _start()`),
 * but it never returns: it ends with exit_group(main's status), as crt1 does. */
__attribute__((export_name("_start"))) int _start(void) {
  lind_base = lind_get_memory_base();
  lind_cageid = lind_get_cage_id();
  /* Poison the buffers so that a missing NUL or a short copy is visible. */
  memset(arg_buf, 0xAA, sizeof arg_buf);
  memset(env_buf, 0xAA, sizeof env_buf);
  lind_rt_args_rc[0] = lind_environ_sizes_get(&lind_rt_envc, &lind_rt_envbytes);
  if (lind_rt_envc > MAXV || lind_rt_envbytes > ARENA) {
    err_line("lind_rt: environment too large for the fixture's arena");
    sys_exit_group(120);
  }
  lind_rt_args_rc[1] = lind_environ_get(env_v, env_buf);
  env_v[lind_rt_envc] = NULL;
  lind_rt_args_rc[2] = lind_args_sizes_get(&lind_rt_argc, &lind_rt_argbytes);
  if (lind_rt_argc > MAXV || lind_rt_argbytes > ARENA) {
    err_line("lind_rt: arguments too large for the fixture's arena");
    sys_exit_group(120);
  }
  lind_rt_args_rc[3] = lind_args_get(argv_v, arg_buf);
  argv_v[lind_rt_argc] = NULL;
  sys_exit_group(main((int)lind_rt_argc, argv_v, env_v));
}
#endif
