/* p2-direct: a WASI 0.2 component that is not an adapted preview1 program. It imports the
 * wasi:* 0.2.3 functions itself, by their canonical-ABI lowered signatures (p2-direct.wit is
 * its world), exports wasi:cli/run@0.2.3#run and cabi_realloc, and is built freestanding:
 * no libc, no preview1 imports, no adapter (components/embed.mjs makes the component).
 *
 * It checks, from inside: get-directories, open-at flags and error codes, streams at
 * offsets, append streams, descriptor.read/write, stat/stat-at and set-times-at with
 * nanoseconds, metadata-hash, directories and their entries, symlinks, hard links,
 * rename, unlink, rmdir, stdio streams, arguments, environment, clocks, random, a stream
 * error carried as wasi:io/error and filesystem-error-code, and exit codes.
 *
 * Usage: p2-direct [BASE [STDIN]]. BASE (default /p2-direct) must not exist yet; the
 * preopen whose name is the longest prefix of it is used. With STDIN, stdin is read to its
 * end and must equal it; it is echoed as "in:<data>" to stdout and stderr and left in
 * BASE/stdin.txt. The environment must hold P2_VAR=x=y z.
 * Prints "arg[i]: ..." per argument, one "FAIL ..." line per failed check, then
 * "N passed, M failed". Ends by returning ok from run (status 0) when nothing failed, else
 * exit(err) (status 1). P2_EXIT changes the ending: "ok" exit(ok), "err" exit(err),
 * "return-err" run returns err, a number N exit-with-code(N).
 *
 * What it leaves in BASE: f = "Hello, World!" (13 bytes), t with atime 5.123456789 and
 * mtime 1700000000.999999999, ln -> f (symlink), d/ holding a, l -> a, sub/, and the
 * hard link d/h2 of f (so f has 2 links). */

typedef unsigned char u8;
typedef unsigned int u32;
typedef int i32;
typedef unsigned long long u64;
typedef long long i64;
typedef unsigned long size_t;

#define IMPORT(module, name) __attribute__((import_module(module), import_name(name)))
#define ENV "wasi:cli/environment@0.2.3"
#define EXIT "wasi:cli/exit@0.2.3"
#define ERROR "wasi:io/error@0.2.3"
#define STREAMS "wasi:io/streams@0.2.3"
#define TYPES "wasi:filesystem/types@0.2.3"
#define MONO "wasi:clocks/monotonic-clock@0.2.3"
#define WALL "wasi:clocks/wall-clock@0.2.3"
#define RANDOM "wasi:random/random@0.2.3"

/* Lowered signatures: resources are i32 handles, strings and lists (ptr, len), flags and
 * enums i32, u64 i64; a result that flattens to more than one value is written to the
 * pointer passed last (ret). */
IMPORT(ENV, "get-environment") void env_get_environment(void *ret);
IMPORT(ENV, "get-arguments") void env_get_arguments(void *ret);
IMPORT(EXIT, "exit") void cli_exit(i32 is_err);
IMPORT(EXIT, "exit-with-code") void cli_exit_with_code(i32 code);
IMPORT("wasi:cli/stdin@0.2.3", "get-stdin") i32 get_stdin(void);
IMPORT("wasi:cli/stdout@0.2.3", "get-stdout") i32 get_stdout(void);
IMPORT("wasi:cli/stderr@0.2.3", "get-stderr") i32 get_stderr(void);
IMPORT(ERROR, "[method]error.to-debug-string") void error_to_debug_string(i32 self, void *ret);
IMPORT(ERROR, "[resource-drop]error") void error_drop(i32 self);
IMPORT(STREAMS, "[method]input-stream.read") void in_read(i32 self, i64 len, void *ret);
IMPORT(STREAMS, "[method]input-stream.blocking-read") void in_blocking_read(i32 self, i64 len, void *ret);
IMPORT(STREAMS, "[method]output-stream.check-write") void out_check_write(i32 self, void *ret);
IMPORT(STREAMS, "[method]output-stream.write") void out_write(i32 self, const void *p, u32 n, void *ret);
IMPORT(STREAMS, "[method]output-stream.blocking-write-and-flush") void out_blocking_write_and_flush(i32 self, const void *p, u32 n, void *ret);
IMPORT(STREAMS, "[method]output-stream.blocking-flush") void out_blocking_flush(i32 self, void *ret);
IMPORT(STREAMS, "[resource-drop]input-stream") void in_drop(i32 self);
IMPORT(STREAMS, "[resource-drop]output-stream") void out_drop(i32 self);
IMPORT(MONO, "now") i64 mono_now(void);
IMPORT(MONO, "resolution") i64 mono_resolution(void);
IMPORT(WALL, "now") void wall_now(void *ret);
IMPORT(WALL, "resolution") void wall_resolution(void *ret);
IMPORT(RANDOM, "get-random-bytes") void random_bytes(i64 len, void *ret);
IMPORT(RANDOM, "get-random-u64") i64 random_u64(void);
IMPORT("wasi:filesystem/preopens@0.2.3", "get-directories") void get_directories(void *ret);
IMPORT(TYPES, "[method]descriptor.read-via-stream") void d_read_via_stream(i32 self, i64 off, void *ret);
IMPORT(TYPES, "[method]descriptor.write-via-stream") void d_write_via_stream(i32 self, i64 off, void *ret);
IMPORT(TYPES, "[method]descriptor.append-via-stream") void d_append_via_stream(i32 self, void *ret);
IMPORT(TYPES, "[method]descriptor.get-flags") void d_get_flags(i32 self, void *ret);
IMPORT(TYPES, "[method]descriptor.get-type") void d_get_type(i32 self, void *ret);
IMPORT(TYPES, "[method]descriptor.set-size") void d_set_size(i32 self, i64 size, void *ret);
IMPORT(TYPES, "[method]descriptor.read") void d_read(i32 self, i64 len, i64 off, void *ret);
IMPORT(TYPES, "[method]descriptor.write") void d_write(i32 self, const void *p, u32 n, i64 off, void *ret);
IMPORT(TYPES, "[method]descriptor.read-directory") void d_read_directory(i32 self, void *ret);
IMPORT(TYPES, "[method]descriptor.create-directory-at") void d_create_directory_at(i32 self, const char *p, u32 n, void *ret);
IMPORT(TYPES, "[method]descriptor.stat") void d_stat(i32 self, void *ret);
IMPORT(TYPES, "[method]descriptor.stat-at") void d_stat_at(i32 self, i32 pflags, const char *p, u32 n, void *ret);
IMPORT(TYPES, "[method]descriptor.set-times-at") void d_set_times_at(i32 self, i32 pflags, const char *p, u32 n,
  i32 atag, i64 asec, i32 ansec, i32 mtag, i64 msec, i32 mnsec, void *ret);
IMPORT(TYPES, "[method]descriptor.link-at") void d_link_at(i32 self, i32 pflags, const char *op, u32 on, i32 nd, const char *np, u32 nn, void *ret);
IMPORT(TYPES, "[method]descriptor.open-at") void d_open_at(i32 self, i32 pflags, const char *p, u32 n, i32 oflags, i32 dflags, void *ret);
IMPORT(TYPES, "[method]descriptor.readlink-at") void d_readlink_at(i32 self, const char *p, u32 n, void *ret);
IMPORT(TYPES, "[method]descriptor.remove-directory-at") void d_remove_directory_at(i32 self, const char *p, u32 n, void *ret);
IMPORT(TYPES, "[method]descriptor.rename-at") void d_rename_at(i32 self, const char *op, u32 on, i32 nd, const char *np, u32 nn, void *ret);
IMPORT(TYPES, "[method]descriptor.symlink-at") void d_symlink_at(i32 self, const char *op, u32 on, const char *np, u32 nn, void *ret);
IMPORT(TYPES, "[method]descriptor.unlink-file-at") void d_unlink_file_at(i32 self, const char *p, u32 n, void *ret);
IMPORT(TYPES, "[method]descriptor.is-same-object") i32 d_is_same_object(i32 self, i32 other);
IMPORT(TYPES, "[method]descriptor.metadata-hash") void d_metadata_hash(i32 self, void *ret);
IMPORT(TYPES, "[method]descriptor.metadata-hash-at") void d_metadata_hash_at(i32 self, i32 pflags, const char *p, u32 n, void *ret);
IMPORT(TYPES, "[method]directory-entry-stream.read-directory-entry") void dir_read_entry(i32 self, void *ret);
IMPORT(TYPES, "filesystem-error-code") void filesystem_error_code(i32 err, void *ret);
IMPORT(TYPES, "[resource-drop]descriptor") void d_drop(i32 self);
IMPORT(TYPES, "[resource-drop]directory-entry-stream") void dir_drop(i32 self);

/* ---- memory: a bump allocator for what the host hands back (cabi_realloc) ---- */

static u8 heap[4 << 20] __attribute__((aligned(16)));
static size_t heap_used;

static void *alloc(size_t n, size_t align) {
  size_t at = (heap_used + align - 1) & ~(align - 1);
  if (at + n > sizeof heap) __builtin_trap();
  heap_used = at + n;
  return heap + at;
}

__attribute__((export_name("cabi_realloc"))) void *cabi_realloc(void *old, size_t old_size, size_t align, size_t new_size) {
  if (old && new_size <= old_size) return old;
  u8 *p = alloc(new_size, align);
  for (size_t i = 0; old && i < old_size; i++) p[i] = ((u8 *)old)[i];
  return p;
}

static u32 slen(const char *s) {
  u32 n = 0;
  while (s[n]) n++;
  return n;
}
static int same(const void *a, u32 alen, const char *b) {
  if (alen != slen(b)) return 0;
  for (u32 i = 0; i < alen; i++)
    if (((const u8 *)a)[i] != (u8)b[i]) return 0;
  return 1;
}

/* The return area of the imports that write their result to memory (104 bytes at most). */
static u8 ra[112] __attribute__((aligned(8)));
#define R8(o) (*(u8 *)(ra + (o)))
#define R32(o) (*(u32 *)(ra + (o)))
#define R64(o) (*(u64 *)(ra + (o)))

/* ---- output: whole lines through stdout's output-stream ---- */

static i32 out_h, err_h;
static char line[1024];
static u32 llen;

static void put(const void *p, u32 n) {
  for (u32 i = 0; i < n && llen < sizeof line; i++) line[llen++] = ((const char *)p)[i];
}
static void puts_(const char *s) { put(s, slen(s)); }
static void put_u64(u64 v) {
  char b[20];
  int i = 20;
  do b[--i] = (char)('0' + v % 10); while ((v /= 10) != 0);
  put(b + i, 20 - i);
}
static void put_i64(i64 v) {
  if (v < 0) { puts_("-"); put_u64(-(u64)v); } else put_u64((u64)v);
}
/* Writes the line (and a newline) to stdout or stderr with blocking-write-and-flush. */
static void end_line_to(i32 stream) {
  put("\n", 1);
  out_blocking_write_and_flush(stream, line, llen, ra);
  llen = 0;
}
static void end_line(void) { end_line_to(out_h); }

/* ---- checks ---- */

static int passed, failed;
static const char *section = "";

static void fail_head(int ln, const char *expr) {
  failed++;
  puts_("FAIL ["); puts_(section); puts_("] line "); put_i64(ln); puts_(": "); puts_(expr);
}
static int check(int ln, const char *expr, int ok) {
  if (ok) { passed++; return 1; }
  fail_head(ln, expr);
  end_line();
  return 0;
}
static int check_eq(int ln, const char *expr, i64 got, i64 want) {
  if (got == want) { passed++; return 1; }
  fail_head(ln, expr);
  puts_(": got "); put_i64(got); puts_(", want "); put_i64(want);
  end_line();
  return 0;
}
static int check_bytes(int ln, const char *expr, const void *got, u32 n, const char *want) {
  if (same(got, n, want)) { passed++; return 1; }
  fail_head(ln, expr);
  puts_(": got \""); put(got, n); puts_("\", want \""); puts_(want); puts_("\"");
  end_line();
  return 0;
}

/* wasi:filesystem error-code, in WIT order. */
enum {
  OK = -1, E_ACCESS = 0, E_WOULD_BLOCK, E_ALREADY, E_BAD_DESCRIPTOR, E_BUSY, E_DEADLOCK, E_QUOTA, E_EXIST,
  E_FILE_TOO_LARGE, E_ILLEGAL_BYTE_SEQUENCE, E_IN_PROGRESS, E_INTERRUPTED, E_INVALID, E_IO, E_IS_DIRECTORY,
  E_LOOP, E_TOO_MANY_LINKS, E_MESSAGE_SIZE, E_NAME_TOO_LONG, E_NO_DEVICE, E_NO_ENTRY, E_NO_LOCK,
  E_INSUFFICIENT_MEMORY, E_INSUFFICIENT_SPACE, E_NOT_DIRECTORY, E_NOT_EMPTY, E_NOT_RECOVERABLE, E_UNSUPPORTED,
  E_NO_TTY, E_NO_SUCH_DEVICE, E_OVERFLOW, E_NOT_PERMITTED, E_PIPE, E_READ_ONLY, E_INVALID_SEEK,
  E_TEXT_FILE_BUSY, E_CROSS_DEVICE,
};
static const char *const code_names[] = {
  "access", "would-block", "already", "bad-descriptor", "busy", "deadlock", "quota", "exist", "file-too-large",
  "illegal-byte-sequence", "in-progress", "interrupted", "invalid", "io", "is-directory", "loop", "too-many-links",
  "message-size", "name-too-long", "no-device", "no-entry", "no-lock", "insufficient-memory", "insufficient-space",
  "not-directory", "not-empty", "not-recoverable", "unsupported", "no-tty", "no-such-device", "overflow",
  "not-permitted", "pipe", "read-only", "invalid-seek", "text-file-busy", "cross-device",
};
static void put_code(int c) {
  if (c == OK) puts_("ok");
  else if (c >= 0 && c <= E_CROSS_DEVICE) puts_(code_names[c]);
  else { puts_("code "); put_i64(c); }
}
/* A call's outcome (OK or an error-code) against the one wanted. */
static int check_code(int ln, const char *expr, int got, int want) {
  if (got == want) { passed++; return 1; }
  fail_head(ln, expr);
  puts_(": got "); put_code(got); puts_(", want "); put_code(want);
  end_line();
  return 0;
}

#define CHECK(c) check(__LINE__, #c, !!(c))
#define EQ(got, want) check_eq(__LINE__, #got, (i64)(got), (i64)(want))
#define BYTES(got, n, want) check_bytes(__LINE__, #got, (got), (n), (want))
#define IS(call, want) check_code(__LINE__, #call, (call), (want))
#define IS_OK(call) IS(call, OK)

/* ---- wrappers: each returns OK or the error-code of a result<_, error-code> ---- */

/* result<T, error-code> in ra: OK, or the error-code at the payload's offset (1, 4 or 8 by T's alignment). */
static int outcome_at(u32 payload) { return R8(0) ? (int)R8(payload) : OK; }

enum { DF_READ = 1, DF_WRITE = 2, DF_MUTATE = 32 };
enum { OF_CREATE = 1, OF_DIRECTORY = 2, OF_EXCLUSIVE = 4, OF_TRUNCATE = 8 };
enum { FOLLOW = 1, NOFOLLOW = 0 };
enum { T_UNKNOWN, T_BLOCK, T_CHAR, T_DIRECTORY, T_FIFO, T_SYMLINK, T_REGULAR, T_SOCKET };

static int open_at(i32 dir, int pflags, const char *path, int oflags, int dflags, i32 *fd) {
  d_open_at(dir, pflags, path, slen(path), oflags, dflags, ra);
  if (R8(0)) return R8(4);
  *fd = (i32)R32(4);
  return OK;
}
static int open_file(i32 dir, const char *path, int oflags, int dflags, i32 *fd) {
  return open_at(dir, FOLLOW, path, oflags, dflags, fd);
}
static int mkdir_at(i32 dir, const char *path) {
  d_create_directory_at(dir, path, slen(path), ra);
  return outcome_at(1);
}
static int rmdir_at(i32 dir, const char *path) {
  d_remove_directory_at(dir, path, slen(path), ra);
  return outcome_at(1);
}
static int unlink_at(i32 dir, const char *path) {
  d_unlink_file_at(dir, path, slen(path), ra);
  return outcome_at(1);
}
static int symlink_at(i32 dir, const char *target, const char *path) {
  d_symlink_at(dir, target, slen(target), path, slen(path), ra);
  return outcome_at(1);
}
static int link_at(i32 dir, int pflags, const char *old, i32 ndir, const char *path) {
  d_link_at(dir, pflags, old, slen(old), ndir, path, slen(path), ra);
  return outcome_at(1);
}
static int rename_at(i32 dir, const char *old, i32 ndir, const char *path) {
  d_rename_at(dir, old, slen(old), ndir, path, slen(path), ra);
  return outcome_at(1);
}
static int set_size(i32 fd, u64 size) {
  d_set_size(fd, (i64)size, ra);
  return outcome_at(1);
}
/* readlink-at: the target (in the heap) and its length. */
static int readlink_at(i32 dir, const char *path, const u8 **target, u32 *n) {
  d_readlink_at(dir, path, slen(path), ra);
  if (R8(0)) return R8(4);
  *target = (const u8 *)(size_t)R32(4);
  *n = R32(8);
  return OK;
}

struct dstat {
  int type;
  u64 nlink, size;
  int has_atim, has_mtim, has_ctim;
  u64 atim_s, mtim_s, ctim_s;
  u32 atim_ns, mtim_ns, ctim_ns;
};
/* result<descriptor-stat, error-code>: the record at 8 (type, link-count, size, then three
 * option<datetime> of 24 bytes: the flag, then seconds at +8 and nanoseconds at +16). */
static int read_stat(struct dstat *st) {
  if (R8(0)) return R8(8);
  st->type = R8(8);
  st->nlink = R64(16);
  st->size = R64(24);
  st->has_atim = R8(32), st->atim_s = R64(40), st->atim_ns = R32(48);
  st->has_mtim = R8(56), st->mtim_s = R64(64), st->mtim_ns = R32(72);
  st->has_ctim = R8(80), st->ctim_s = R64(88), st->ctim_ns = R32(96);
  return OK;
}
static int fstat_(i32 fd, struct dstat *st) {
  d_stat(fd, ra);
  return read_stat(st);
}
static int stat_at(i32 dir, int pflags, const char *path, struct dstat *st) {
  d_stat_at(dir, pflags, path, slen(path), ra);
  return read_stat(st);
}
enum { TS_NO_CHANGE, TS_NOW, TS_TIMESTAMP };
static int set_times_at(i32 dir, int pflags, const char *path, int atag, u64 as, u32 ans, int mtag, u64 ms, u32 mns) {
  d_set_times_at(dir, pflags, path, slen(path), atag, (i64)as, (i32)ans, mtag, (i64)ms, (i32)mns, ra);
  return outcome_at(1);
}
struct hash { u64 lower, upper; };
static int metadata_hash(i32 fd, struct hash *h) {
  d_metadata_hash(fd, ra);
  if (R8(0)) return R8(8);
  h->lower = R64(8), h->upper = R64(16);
  return OK;
}
static int metadata_hash_at(i32 dir, int pflags, const char *path, struct hash *h) {
  d_metadata_hash_at(dir, pflags, path, slen(path), ra);
  if (R8(0)) return R8(8);
  h->lower = R64(8), h->upper = R64(16);
  return OK;
}
static int same_hash(struct hash a, struct hash b) { return a.lower == b.lower && a.upper == b.upper; }

/* descriptor.read: the bytes (in the heap), their count and the end-of-file flag. */
static int pread_(i32 fd, u64 len, u64 off, const u8 **data, u32 *n, int *eof) {
  d_read(fd, (i64)len, (i64)off, ra);
  if (R8(0)) return R8(4);
  *data = (const u8 *)(size_t)R32(4);
  *n = R32(8);
  *eof = R8(12);
  return OK;
}
static int pwrite_(i32 fd, const char *s, u64 off, u64 *written) {
  d_write(fd, s, slen(s), (i64)off, ra);
  if (R8(0)) return R8(8);
  *written = R64(8);
  return OK;
}
static int stream_at(int input, i32 fd, u64 off, i32 *stream) {
  if (input) d_read_via_stream(fd, (i64)off, ra);
  else d_write_via_stream(fd, (i64)off, ra);
  if (R8(0)) return R8(4);
  *stream = (i32)R32(4);
  return OK;
}
static int append_stream(i32 fd, i32 *stream) {
  d_append_via_stream(fd, ra);
  if (R8(0)) return R8(4);
  *stream = (i32)R32(4);
  return OK;
}

/* Stream results: ST_OK, ST_CLOSED, or the error-code that filesystem-error-code finds in
 * a last-operation-failed (its wasi:io/error is dropped after; the length of its debug
 * string is kept). */
enum { ST_OK = -1, ST_CLOSED = -2, ST_NO_CODE = -3 };
static u32 debug_len;
static int stream_error(u32 at) {
  if (R8(at) == 1) return ST_CLOSED;
  i32 err = (i32)R32(at + 4);
  error_to_debug_string(err, ra);
  debug_len = R32(4);
  filesystem_error_code(err, ra);
  int code = R8(0) ? R8(1) : ST_NO_CODE;
  error_drop(err);
  return code;
}
static int stream_write(i32 s, const char *p, u32 n, int blocking) {
  if (blocking) out_blocking_write_and_flush(s, p, n, ra);
  else out_write(s, p, n, ra);
  return R8(0) ? stream_error(4) : ST_OK;
}
static int stream_read(i32 s, u64 len, int blocking, const u8 **data, u32 *n) {
  if (blocking) in_blocking_read(s, (i64)len, ra);
  else in_read(s, (i64)len, ra);
  if (R8(0)) return stream_error(4);
  *data = (const u8 *)(size_t)R32(4), *n = R32(8);
  return ST_OK;
}

/* The size of path beneath dir (or -1). */
static i64 size_of(i32 dir, const char *path) {
  struct dstat st;
  return stat_at(dir, FOLLOW, path, &st) == OK ? (i64)st.size : -1;
}
/* The whole content of path beneath dir (read with descriptor.read), compared with want. */
static int content_is(i32 dir, const char *path, const char *want) {
  i32 fd;
  const u8 *data = 0;
  u32 n = 0;
  int eof = 0;
  if (open_file(dir, path, 0, DF_READ, &fd) != OK) return 0;
  int r = pread_(fd, 4096, 0, &data, &n, &eof);
  d_drop(fd);
  return r == OK && eof && same(data, n, want);
}

/* ---- the checks ---- */

static i32 D; /* BASE, opened read|mutate-directory */
static int have_stdin; /* stdin.txt was made first */

static void t_open(void) {
  section = "open-at";
  i32 fd, fd2;
  IS_OK(open_file(D, "f", OF_CREATE | OF_EXCLUSIVE, DF_READ | DF_WRITE, &fd));
  IS(open_file(D, "f", OF_CREATE | OF_EXCLUSIVE, DF_READ | DF_WRITE, &fd2), E_EXIST);
  IS_OK(open_file(D, "f", OF_CREATE, DF_READ, &fd2)); /* create without exclusive opens what is there */
  d_drop(fd2);
  IS(open_file(D, "missing", 0, DF_READ, &fd2), E_NO_ENTRY);
  IS(open_file(D, "missing/x", OF_CREATE, DF_READ | DF_WRITE, &fd2), E_NO_ENTRY);
  IS(open_file(D, "f/x", 0, DF_READ, &fd2), E_NOT_DIRECTORY);
  IS(open_file(D, "f", OF_DIRECTORY, DF_READ, &fd2), E_NOT_DIRECTORY);
  IS(open_file(D, ".", 0, DF_READ | DF_WRITE, &fd2), E_IS_DIRECTORY);
  IS(open_file(D, "../..", 0, DF_READ, &fd2), E_NOT_PERMITTED); /* out of the descriptor */
  IS(open_file(D, "/etc", 0, DF_READ, &fd2), E_NOT_PERMITTED);

  d_get_type(fd, ra);
  IS_OK(outcome_at(1));
  EQ(R8(1), T_REGULAR);
  d_get_flags(fd, ra);
  IS_OK(outcome_at(1));
  EQ(R8(1), DF_READ | DF_WRITE);
  d_get_flags(D, ra);
  EQ(R8(1) & (DF_READ | DF_WRITE | DF_MUTATE), DF_READ | DF_MUTATE);

  /* truncate empties, set-size grows with zeroes and shrinks. */
  u64 w = 0;
  IS_OK(pwrite_(fd, "0123456789", 0, &w));
  EQ(w, 10);
  IS_OK(open_file(D, "f", OF_TRUNCATE, DF_WRITE, &fd2));
  EQ(size_of(D, "f"), 0);
  IS_OK(set_size(fd2, 5));
  EQ(size_of(D, "f"), 5);
  const u8 *data;
  u32 n;
  int eof;
  IS_OK(pread_(fd, 10, 0, &data, &n, &eof));
  CHECK(n == 5 && eof && data[0] == 0 && data[4] == 0);
  IS_OK(set_size(fd2, 0));
  /* A write-only descriptor cannot be read, a read-only one cannot be written. */
  IS(pread_(fd2, 1, 0, &data, &n, &eof), E_BAD_DESCRIPTOR);
  d_drop(fd2);
  IS_OK(open_file(D, "f", 0, DF_READ, &fd2));
  IS(pwrite_(fd2, "x", 0, &w), E_BAD_DESCRIPTOR);
  i32 s;
  IS(stream_at(0, fd2, 0, &s), E_BAD_DESCRIPTOR);
  IS(append_stream(fd2, &s), E_BAD_DESCRIPTOR);
  d_drop(fd2);
  d_drop(fd);
}

static void t_streams(void) {
  section = "streams";
  i32 fd, s;
  const u8 *data;
  u32 n;
  IS_OK(open_file(D, "f", 0, DF_READ | DF_WRITE, &fd));
  IS_OK(stream_at(0, fd, 0, &s));
  out_check_write(s, ra);
  CHECK(R8(0) == 0 && R64(8) > 0);
  EQ(stream_write(s, "hello ", 6, 0), ST_OK);
  out_blocking_flush(s, ra);
  EQ(R8(0), 0);
  EQ(stream_write(s, "world", 5, 1), ST_OK); /* the stream kept its position */
  out_drop(s);
  EQ(size_of(D, "f"), 11);
  IS_OK(stream_at(0, fd, 6, &s)); /* a stream at an offset */
  EQ(stream_write(s, "W", 1, 1), ST_OK);
  out_drop(s);
  CHECK(content_is(D, "f", "hello World"));

  IS_OK(stream_at(1, fd, 6, &s));
  EQ(stream_read(s, 3, 1, &data, &n), ST_OK);
  BYTES(data, n, "Wor");
  EQ(stream_read(s, 100, 0, &data, &n), ST_OK);
  BYTES(data, n, "ld");
  EQ(stream_read(s, 100, 1, &data, &n), ST_CLOSED); /* the end */
  in_drop(s);
  IS_OK(stream_at(1, fd, 50, &s)); /* past the end: closed at once */
  EQ(stream_read(s, 1, 1, &data, &n), ST_CLOSED);
  in_drop(s);

  /* A write past the end leaves a hole of zeroes. */
  IS_OK(stream_at(0, fd, 14, &s));
  EQ(stream_write(s, "!", 1, 1), ST_OK);
  out_drop(s);
  EQ(size_of(D, "f"), 15);
  IS_OK(stream_at(1, fd, 10, &s));
  EQ(stream_read(s, 10, 1, &data, &n), ST_OK);
  CHECK(n == 5 && data[0] == 'd' && data[1] == 0 && data[3] == 0 && data[4] == '!');
  in_drop(s);

  section = "append-via-stream";
  i32 a;
  IS_OK(set_size(fd, 11));
  IS_OK(append_stream(fd, &a));
  IS_OK(stream_at(0, fd, 0, &s));
  EQ(stream_write(a, "+", 1, 1), ST_OK);
  EQ(stream_write(s, "H", 1, 1), ST_OK);
  IS_OK(pwrite_(fd, "..", 11, &(u64){0})); /* the file grows under the append stream */
  EQ(stream_write(a, "-", 1, 1), ST_OK); /* still at the end */
  out_drop(a);
  out_drop(s);
  CHECK(content_is(D, "f", "Hello World..-"));

  section = "stream errors";
  /* Past the IMFS's largest file (16 TiB): the write fails as last-operation-failed, whose
   * wasi:io/error filesystem-error-code turns into file-too-large. */
  IS_OK(stream_at(0, fd, 1ull << 50, &s));
  EQ(stream_write(s, "x", 1, 1), E_FILE_TOO_LARGE);
  CHECK(debug_len > 0);
  out_drop(s);
  IS(pwrite_(fd, "x", 1ull << 50, &(u64){0}), E_FILE_TOO_LARGE);
  /* Streams from a directory: read is-directory, and so is a read of a directory descriptor. */
  IS(stream_at(1, D, 0, &s), E_IS_DIRECTORY);
  d_drop(fd);
}

static void t_pread_pwrite(void) {
  section = "descriptor.read/write";
  i32 fd;
  u64 w;
  const u8 *data;
  u32 n;
  int eof;
  IS_OK(open_file(D, "f", OF_TRUNCATE, DF_READ | DF_WRITE, &fd));
  IS_OK(pwrite_(fd, "Hello, there", 0, &w));
  EQ(w, 12);
  IS_OK(pwrite_(fd, "World!", 7, &w));
  EQ(w, 6);
  IS_OK(pread_(fd, 5, 0, &data, &n, &eof));
  BYTES(data, n, "Hello");
  EQ(eof, 0);
  IS_OK(pread_(fd, 100, 7, &data, &n, &eof));
  BYTES(data, n, "World!");
  EQ(eof, 1);
  IS_OK(pread_(fd, 10, 13, &data, &n, &eof));
  EQ(n, 0);
  EQ(eof, 1);
  IS_OK(pwrite_(fd, "", 3, &w)); /* an empty write at an offset changes nothing */
  EQ(w, 0);
  EQ(size_of(D, "f"), 13);
  d_drop(fd);
  CHECK(content_is(D, "f", "Hello, World!"));
}

static void t_stat_times(void) {
  section = "stat and times";
  struct dstat st, st2;
  i32 fd;
  IS_OK(open_file(D, "t", OF_CREATE | OF_EXCLUSIVE, DF_READ | DF_WRITE, &fd));
  IS_OK(fstat_(fd, &st));
  EQ(st.type, T_REGULAR);
  EQ(st.nlink, 1);
  EQ(st.size, 0);
  CHECK(st.has_atim && st.has_mtim && st.has_ctim);
  wall_now(ra);
  u64 now = R64(0);
  CHECK(st.mtim_s + 5 >= now && st.mtim_s <= now + 5); /* created just now */
  CHECK(st.mtim_ns < 1000000000 && st.atim_ns < 1000000000 && st.ctim_ns < 1000000000);

  IS_OK(set_times_at(D, FOLLOW, "t", TS_TIMESTAMP, 5, 123456789, TS_TIMESTAMP, 1700000000, 999999999));
  IS_OK(stat_at(D, FOLLOW, "t", &st));
  EQ(st.atim_s, 5);
  EQ(st.atim_ns, 123456789);
  EQ(st.mtim_s, 1700000000);
  EQ(st.mtim_ns, 999999999);
  IS_OK(fstat_(fd, &st2)); /* the same through the open descriptor */
  CHECK(st2.atim_ns == 123456789 && st2.mtim_s == 1700000000);
  /* no-change keeps a time; now sets the current one */
  IS_OK(set_times_at(D, FOLLOW, "t", TS_NO_CHANGE, 0, 0, TS_NOW, 0, 0));
  IS_OK(stat_at(D, FOLLOW, "t", &st));
  CHECK(st.atim_s == 5 && st.atim_ns == 123456789);
  CHECK(st.mtim_s + 5 >= now && st.mtim_s <= now + 5);
  IS_OK(set_times_at(D, FOLLOW, "t", TS_NO_CHANGE, 0, 0, TS_TIMESTAMP, 1700000000, 999999999));
  IS(set_times_at(D, FOLLOW, "t", TS_TIMESTAMP, 1, 1000000000, TS_NO_CHANGE, 0, 0), E_INVALID);
  IS(set_times_at(D, FOLLOW, "none", TS_NOW, 0, 0, TS_NOW, 0, 0), E_NO_ENTRY);
  IS(stat_at(D, FOLLOW, "none", &st), E_NO_ENTRY);
  IS(stat_at(D, FOLLOW, "t/x", &st), E_NOT_DIRECTORY);
  IS_OK(stat_at(D, FOLLOW, ".", &st));
  EQ(st.type, T_DIRECTORY);
  d_drop(fd);

  section = "metadata-hash";
  struct hash h1, h2, h3;
  i32 fd2;
  IS_OK(open_file(D, "f", 0, DF_READ, &fd));
  IS_OK(open_file(D, "f", 0, DF_WRITE, &fd2));
  IS_OK(metadata_hash(fd, &h1));
  IS_OK(metadata_hash(fd2, &h2));
  CHECK(same_hash(h1, h2)); /* two opens of one inode */
  EQ(d_is_same_object(fd, fd2), 1);
  IS_OK(metadata_hash_at(D, FOLLOW, "f", &h3));
  CHECK(same_hash(h1, h3));
  IS_OK(metadata_hash_at(D, FOLLOW, "t", &h3));
  CHECK(!same_hash(h1, h3)); /* another inode */
  IS_OK(metadata_hash(D, &h3));
  CHECK(!same_hash(h1, h3));
  d_drop(fd2);
  IS_OK(open_file(D, "t", 0, DF_READ, &fd2));
  EQ(d_is_same_object(fd, fd2), 0);
  d_drop(fd2);
  IS(metadata_hash_at(D, FOLLOW, "none", &h3), E_NO_ENTRY);
  d_drop(fd);
}

/* Reads every entry of dir: the number, and each name's type in types[] by the names given. */
static int list_dir(i32 dir, const char *const names[], int types[], int count, int *dots) {
  i32 es;
  d_read_directory(dir, ra);
  if (R8(0)) return -1 - R8(4);
  es = (i32)R32(4);
  int total = 0;
  *dots = 0;
  for (int i = 0; i < count; i++) types[i] = -1;
  for (;;) {
    dir_read_entry(es, ra);
    if (R8(0)) { total = -100; break; }
    if (!R8(4)) break; /* none: the end */
    int type = R8(8);
    const u8 *name = (const u8 *)(size_t)R32(12);
    u32 len = R32(16);
    total++;
    if (same(name, len, ".") || same(name, len, "..")) (*dots)++;
    for (int i = 0; i < count; i++)
      if (same(name, len, names[i])) types[i] = type;
  }
  dir_drop(es);
  return total;
}

static void t_directories(void) {
  section = "directories";
  i32 fd, sub;
  IS_OK(mkdir_at(D, "d"));
  IS(mkdir_at(D, "d"), E_EXIST);
  IS(mkdir_at(D, "none/d"), E_NO_ENTRY);
  IS(mkdir_at(D, "f/d"), E_NOT_DIRECTORY);
  IS_OK(mkdir_at(D, "d/sub"));
  IS_OK(open_file(D, "d/a", OF_CREATE | OF_EXCLUSIVE, DF_WRITE, &fd));
  d_drop(fd);
  IS_OK(open_file(D, "d/b", OF_CREATE | OF_EXCLUSIVE, DF_WRITE, &fd));
  d_drop(fd);
  IS_OK(symlink_at(D, "a", "d/l"));
  IS_OK(open_at(D, FOLLOW, "d", OF_DIRECTORY, DF_READ | DF_MUTATE, &sub));
  const char *const names[] = {"a", "b", "l", "sub"};
  int types[4], dots;
  EQ(list_dir(sub, names, types, 4, &dots), 4);
  EQ(dots, 0); /* no "." or ".." in WASI 0.2 */
  EQ(types[0], T_REGULAR);
  EQ(types[1], T_REGULAR);
  EQ(types[2], T_SYMLINK);
  EQ(types[3], T_DIRECTORY);
  IS_OK(open_file(D, "f", 0, DF_READ, &fd));
  EQ(list_dir(fd, names, types, 0, &dots), -1 - E_NOT_DIRECTORY);
  d_drop(fd);
  EQ(list_dir(D, names, types, 0, &dots), 3 + have_stdin); /* f, t, d (and stdin.txt) */

  section = "remove";
  IS(rmdir_at(D, "d"), E_NOT_EMPTY);
  IS(rmdir_at(D, "f"), E_NOT_DIRECTORY);
  IS(rmdir_at(D, "none"), E_NO_ENTRY);
  IS(unlink_at(sub, "sub"), E_IS_DIRECTORY);
  IS(unlink_at(sub, "none"), E_NO_ENTRY);
  IS_OK(unlink_at(sub, "b"));
  IS(unlink_at(sub, "b"), E_NO_ENTRY);
  IS_OK(mkdir_at(sub, "gone"));
  IS_OK(rmdir_at(sub, "gone"));
  IS(stat_at(sub, NOFOLLOW, "gone", &(struct dstat){0}), E_NO_ENTRY);
  EQ(list_dir(sub, names, types, 4, &dots), 3);
  EQ(types[1], -1);
  d_drop(sub);
}

static void t_links(void) {
  section = "symlinks";
  struct dstat st;
  const u8 *target;
  u32 n;
  i32 fd;
  IS_OK(symlink_at(D, "f", "ln"));
  IS_OK(readlink_at(D, "ln", &target, &n));
  BYTES(target, n, "f");
  IS_OK(stat_at(D, NOFOLLOW, "ln", &st));
  EQ(st.type, T_SYMLINK);
  EQ(st.size, 1);
  IS_OK(stat_at(D, FOLLOW, "ln", &st));
  EQ(st.type, T_REGULAR);
  EQ(st.size, 13);
  IS_OK(open_at(D, FOLLOW, "ln", 0, DF_READ, &fd));
  d_drop(fd);
  IS(open_at(D, NOFOLLOW, "ln", 0, DF_READ, &fd), E_LOOP);
  IS(symlink_at(D, "x", "ln"), E_EXIST);
  IS(symlink_at(D, "/etc/passwd", "abs"), E_NOT_PERMITTED); /* would lead outside */
  IS(readlink_at(D, "f", &target, &n), E_INVALID);
  IS(readlink_at(D, "none", &target, &n), E_NO_ENTRY);
  IS_OK(symlink_at(D, "none", "dangling"));
  IS(stat_at(D, FOLLOW, "dangling", &st), E_NO_ENTRY);
  IS_OK(stat_at(D, NOFOLLOW, "dangling", &st));
  IS_OK(symlink_at(D, "loop", "loop"));
  IS(stat_at(D, FOLLOW, "loop", &st), E_LOOP);
  IS_OK(readlink_at(D, "d/l", &target, &n));
  BYTES(target, n, "a");
  IS_OK(unlink_at(D, "dangling"));
  IS_OK(unlink_at(D, "loop"));

  section = "link-at";
  struct hash h1, h2;
  IS_OK(link_at(D, NOFOLLOW, "f", D, "h"));
  IS_OK(stat_at(D, NOFOLLOW, "f", &st));
  EQ(st.nlink, 2);
  IS_OK(metadata_hash_at(D, NOFOLLOW, "f", &h1));
  IS_OK(metadata_hash_at(D, NOFOLLOW, "h", &h2));
  CHECK(same_hash(h1, h2));
  IS(link_at(D, NOFOLLOW, "f", D, "t"), E_EXIST);
  IS(link_at(D, NOFOLLOW, "none", D, "x"), E_NO_ENTRY);
  IS(link_at(D, NOFOLLOW, "d", D, "x"), E_NOT_PERMITTED); /* no hard links to directories */
  IS_OK(link_at(D, FOLLOW, "ln", D, "via")); /* following the symlink links f itself */
  IS_OK(stat_at(D, NOFOLLOW, "via", &st));
  EQ(st.type, T_REGULAR);
  EQ(st.nlink, 3);
  IS_OK(unlink_at(D, "via"));

  section = "rename-at";
  i32 sub;
  IS_OK(open_at(D, FOLLOW, "d", OF_DIRECTORY, DF_READ | DF_MUTATE, &sub));
  IS_OK(rename_at(D, "h", sub, "h2")); /* between two descriptors */
  IS(stat_at(D, NOFOLLOW, "h", &st), E_NO_ENTRY);
  IS_OK(metadata_hash_at(sub, NOFOLLOW, "h2", &h2));
  CHECK(same_hash(h1, h2));
  IS(rename_at(D, "none", D, "x"), E_NO_ENTRY);
  IS(rename_at(D, "f", D, "d"), E_IS_DIRECTORY);
  IS_OK(mkdir_at(D, "e"));
  IS(rename_at(D, "e", D, "d"), E_NOT_EMPTY);
  IS(rename_at(D, "e", D, "f"), E_NOT_DIRECTORY);
  IS(rename_at(D, "d", sub, "sub/x"), E_INVALID); /* a directory into itself */
  IS_OK(rename_at(D, "e", D, "e2"));
  IS_OK(rmdir_at(D, "e2"));
  d_drop(sub);
}

static void t_clocks_random(void) {
  section = "clocks";
  u64 m1 = (u64)mono_now(), m2 = (u64)mono_now();
  CHECK(m2 >= m1 && m1 > 0);
  CHECK(mono_resolution() > 0);
  wall_now(ra);
  u64 s = R64(0);
  u32 ns = R32(8);
  CHECK(s > 1577836800ull); /* after 2020 */
  CHECK(ns < 1000000000);
  wall_resolution(ra);
  CHECK(R64(0) > 0 || R32(8) > 0);

  section = "random";
  random_bytes(32, ra);
  const u8 *a = (const u8 *)(size_t)R32(0);
  EQ(R32(4), 32);
  random_bytes(32, ra);
  const u8 *b = (const u8 *)(size_t)R32(0);
  EQ(R32(4), 32);
  int differ = 0;
  for (int i = 0; i < 32; i++) differ |= a[i] != b[i];
  CHECK(differ);
  random_bytes(0, ra);
  EQ(R32(4), 0);
  CHECK(random_u64() != random_u64());
}

/* stdin to its end through blocking-read (an empty read would mean "would block"). */
static void t_stdin(i32 dir, const char *want) {
  section = "stdin";
  i32 in = get_stdin(), fd, a;
  u8 *all = alloc(4096, 1);
  u32 total = 0;
  int r;
  for (;;) {
    const u8 *data;
    u32 n;
    r = stream_read(in, 1000, 1, &data, &n);
    if (r != ST_OK || n == 0) break;
    for (u32 i = 0; i < n && total < 4096; i++) all[total++] = data[i];
  }
  EQ(r, ST_CLOSED);
  in_drop(in);
  BYTES(all, total, want);
  puts_("in:"); put(all, total); end_line_to(out_h);
  puts_("in:"); put(all, total); end_line_to(err_h);
  /* Kept in stdin.txt through an append stream, in two writes. */
  IS_OK(open_file(dir, "stdin.txt", OF_CREATE | OF_EXCLUSIVE, DF_WRITE, &fd));
  IS_OK(append_stream(fd, &a));
  EQ(stream_write(a, (const char *)all, total / 2, 1), ST_OK);
  EQ(stream_write(a, (const char *)all + total / 2, total - total / 2, 0), ST_OK);
  out_drop(a);
  d_drop(fd);
}

/* ---- run ---- */

struct str { const u8 *p; u32 n; };

static const char *cstr(struct str s) {
  char *c = alloc(s.n + 1, 1);
  for (u32 i = 0; i < s.n; i++) c[i] = (char)s.p[i];
  c[s.n] = 0;
  return c;
}

static int parse_u8(struct str s, int *v) {
  if (s.n == 0 || s.n > 3) return 0;
  int x = 0;
  for (u32 i = 0; i < s.n; i++) {
    if (s.p[i] < '0' || s.p[i] > '9') return 0;
    x = x * 10 + (s.p[i] - '0');
  }
  *v = x;
  return x <= 255;
}

/* The length of preopen name nm without its trailing '/'s when base lies beneath it
 * ("/" covers every absolute path), else -1. */
static i64 covers(struct str nm, const char *base) {
  u32 n = nm.n, blen = slen(base);
  while (n > 0 && nm.p[n - 1] == '/') n--;
  if (nm.n == 0 || blen <= n + 1 || base[n] != '/') return -1;
  for (u32 i = 0; i < n; i++)
    if ((u8)base[i] != nm.p[i]) return -1;
  return n;
}

static void summary(void) {
  put_u64(passed); puts_(" passed, "); put_u64(failed); puts_(" failed");
  end_line();
}

/* wasi:cli/exit exit, which never returns (a trap if it did). */
static void exit_(int err) {
  cli_exit(err);
  __builtin_trap();
}

__attribute__((export_name("wasi:cli/run@0.2.3#run"))) int run(void) {
  out_h = get_stdout();
  err_h = get_stderr();

  section = "arguments";
  env_get_arguments(ra);
  struct str *argv = (struct str *)(size_t)R32(0);
  u32 argc = R32(4);
  CHECK(argc >= 1);
  for (u32 i = 0; i < argc; i++) {
    puts_("arg["); put_u64(i); puts_("]: "); put(argv[i].p, argv[i].n); end_line();
  }
  const char *base = argc >= 2 ? cstr(argv[1]) : "/p2-direct";
  have_stdin = argc >= 3;

  section = "environment";
  env_get_environment(ra);
  struct { struct str k, v; } *env = (void *)(size_t)R32(0);
  u32 envc = R32(4);
  struct str p2_exit = {0, 0};
  int p2_var = 0;
  for (u32 i = 0; i < envc; i++) {
    if (same(env[i].k.p, env[i].k.n, "P2_VAR")) p2_var = BYTES(env[i].v.p, env[i].v.n, "x=y z");
    if (same(env[i].k.p, env[i].k.n, "P2_EXIT")) p2_exit = env[i].v;
  }
  CHECK(p2_var);

  section = "preopens";
  get_directories(ra);
  struct { i32 fd; struct str name; } *pre = (void *)(size_t)R32(0);
  u32 npre = R32(4);
  int best = -1;
  i64 best_len = -1;
  for (u32 i = 0; i < npre; i++) {
    d_get_type(pre[i].fd, ra);
    CHECK(R8(0) == 0 && R8(1) == T_DIRECTORY);
    i64 n = covers(pre[i].name, base);
    if (n > best_len) best = (int)i, best_len = n;
  }
  if (best < 0) {
    fail_head(__LINE__, "a preopen covering BASE");
    puts_(": none of "); put_u64(npre); puts_(" covers "); puts_(base);
    end_line();
    summary();
    puts_("p2-direct: no preopen covers "); puts_(base); end_line_to(err_h);
    exit_(1);
  }
  i32 root = pre[best].fd;
  const char *rel = base + best_len + 1;
  for (u32 i = 0; i < npre; i++)
    if ((int)i != best) d_drop(pre[i].fd);

  section = "base";
  if (!IS_OK(mkdir_at(root, rel)) || !IS_OK(open_at(root, FOLLOW, rel, OF_DIRECTORY, DF_READ | DF_MUTATE, &D))) {
    summary();
    puts_("p2-direct: cannot make "); puts_(base); end_line_to(err_h);
    exit_(1);
  }

  if (have_stdin) t_stdin(D, cstr(argv[2]));
  t_open();
  t_streams();
  t_pread_pwrite();
  t_stat_times();
  t_directories();
  t_links();
  t_clocks_random();
  d_drop(D);
  d_drop(root);

  summary();
  out_drop(out_h);
  out_drop(err_h);

  if (failed) exit_(1);
  int code;
  if (same(p2_exit.p, p2_exit.n, "ok")) exit_(0);
  if (same(p2_exit.p, p2_exit.n, "err")) exit_(1);
  if (same(p2_exit.p, p2_exit.n, "return-err")) return 1;
  if (parse_u8(p2_exit, &code)) {
    cli_exit_with_code(code);
    __builtin_trap();
  }
  return 0;
}
