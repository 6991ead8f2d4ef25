/* bench: times filesystem workloads itself and prints one line per workload:
 *   <name> <ops/s> ops/s <ns/op> ns/op [<MB/s> MB/s]
 * usage: bench DIR [SCALE] [xPASSES] [calls=N] [workload...]
 *   DIR must exist; SCALE multiplies counts (default 1); xPASSES runs the chosen workloads that
 *   many times in this process and reports every pass (a JIT host warms up over several);
 *   calls=N makes each call-* workload N calls (default 1000000 * SCALE).
 * Workloads (default: all but the "scale-*" ones):
 *   meta-create meta-stat meta-stat-missing meta-list meta-unlink meta-tree meta-deep-stat
 *   small-write small-read call-pwrite64 call-pread64 call-pwrite64-hot call-pread64-hot
 *   seq-write4k seq-read4k bulk-write bulk-read
 *   scale-create scale-stat scale-list scale-sparse */
#include "bench-sys.h"

static char dir[512];
static long scale = 1;
static long calls = 0; /* calls=N; 0: 1000000 * scale */

/* ---- tiny formatting (no printf: the lind build is freestanding) --------------------- */
static char *put_str(char *p, const char *s) { while (*s) *p++ = *s++; return p; }
static char *put_u(char *p, unsigned long long v) {
  char t[24]; int n = 0;
  do { t[n++] = (char)('0' + v % 10); v /= 10; } while (v);
  while (n) *p++ = t[--n];
  return p;
}
static char *put_fixed(char *p, double v, int decimals) {
  if (v < 0) { *p++ = '-'; v = -v; }
  unsigned long long whole = (unsigned long long)v;
  p = put_u(p, whole);
  if (decimals) {
    *p++ = '.';
    double frac = v - (double)whole;
    for (int i = 0; i < decimals; i++) { frac *= 10; int d = (int)frac; *p++ = (char)('0' + d); frac -= d; }
  }
  return p;
}
static char *pad_to(char *line, char *p, int col) { while (p - line < col) *p++ = ' '; return p; }
static int slen(const char *s) { int n = 0; while (s[n]) n++; return n; }
static int seq(const char *a, const char *b) { while (*a && *a == *b) { a++; b++; } return *a == *b; }
static void path_of(char *out, const char *prefix, long i) {
  char *p = put_str(out, dir); p = put_str(p, "/"); p = put_str(p, prefix); p = put_u(p, (unsigned long long)i); *p = 0;
}
static void die(const char *what, long err) {
  char line[256]; char *p = put_str(line, "bench: "); p = put_str(p, what); p = put_str(p, " failed: errno ");
  p = put_u(p, (unsigned long long)(err < 0 ? -err : err)); p = put_str(p, "\n"); *p = 0;
  b_out(line);
}
#define CHECK(x, what) do { long r_ = (long)(x); if (r_ < 0) { die(what, r_); return 1; } } while (0)

static void report(const char *name, double ops, double secs, double bytes) {
  char line[256]; char *p = put_str(line, name);
  p = pad_to(line, p, 18); p = put_fixed(p, ops / secs, 0); p = put_str(p, " ops/s ");
  p = pad_to(line, p, 36); p = put_fixed(p, secs * 1e9 / ops, 1); p = put_str(p, " ns/op");
  if (bytes > 0) { p = put_str(p, " "); p = put_fixed(p, bytes / secs / 1e6, 1); p = put_str(p, " MB/s"); }
  p = put_str(p, "\n"); *p = 0;
  b_out(line);
}

static unsigned long long rng = 88172645463325252ULL;
static unsigned long long next_rand(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng; }

/*
 * The I/O buffer starts on a page in every build (native, WASI, lind): left to the linker it
 * lands at a different offset in each, and memcpy's speed here depends on it (16 KiB into
 * memory not in cache: a quarter slower from 16 bytes past a cache line than from its start),
 * so the ABIs would be compared on where their linkers put one array.
 */
static char buf[1 << 20] __attribute__((aligned(4096)));
static char name[600];

/* ---- workloads ---------------------------------------------------------------------- */
static int meta_files(void) { return (int)(10000 * scale); }

static int w_meta_create(void) {
  long n = meta_files();
  path_of(name, "m", 0); name[slen(name) - 2] = 0; /* DIR/m */
  char sub[600]; char *p = put_str(sub, dir); p = put_str(p, "/meta"); *p = 0;
  CHECK(b_mkdir(sub, 0755), "mkdir meta");
  double t = b_now();
  for (long i = 0; i < n; i++) {
    path_of(name, "meta/f", i);
    int fd = b_open(name, BO_CREAT | BO_EXCL | BO_WRONLY, 0644);
    CHECK(fd, "create"); CHECK(b_close(fd), "close");
  }
  report("meta-create", (double)n, b_now() - t, 0);
  return 0;
}
static int w_meta_stat(void) {
  long n = meta_files(); long long size;
  double t = b_now();
  for (long i = 0; i < n; i++) { path_of(name, "meta/f", i); CHECK(b_stat(name, &size), "stat"); }
  report("meta-stat", (double)n, b_now() - t, 0);
  return 0;
}
static int w_meta_stat_missing(void) {
  long n = meta_files(); long long size;
  double t = b_now();
  for (long i = 0; i < n; i++) { path_of(name, "meta/missing", i); if (b_stat(name, &size) != -2) { die("stat of a missing name (expected ENOENT)", -1); return 1; } }
  report("meta-stat-missing", (double)n, b_now() - t, 0);
  return 0;
}
static int w_meta_list(void) {
  char sub[600]; char *p = put_str(sub, dir); p = put_str(p, "/meta"); *p = 0;
  long n = meta_files(), reps = 10;
  double t = b_now();
  for (long r = 0; r < reps; r++) { long c = b_count_entries(sub); CHECK(c, "list"); if (c != n) { die("list count", -1); return 1; } }
  report("meta-list", (double)(n * reps), b_now() - t, 0);
  return 0;
}
static int w_meta_unlink(void) {
  long n = meta_files();
  double t = b_now();
  for (long i = 0; i < n; i++) { path_of(name, "meta/f", i); CHECK(b_unlink(name), "unlink"); }
  report("meta-unlink", (double)n, b_now() - t, 0);
  char sub[600]; char *p = put_str(sub, dir); p = put_str(p, "/meta"); *p = 0;
  CHECK(b_rmdir(sub), "rmdir meta");
  return 0;
}
/* A 4-wide, 4-deep tree: 4 + 16 + 64 + 256 = 340 directories. */
static long tree(char *path, int len, int depth) {
  if (depth == 4) return 0;
  long made = 0;
  for (int i = 0; i < 4; i++) {
    char *p = path + len; p = put_str(p, "/d"); p = put_u(p, (unsigned long long)i); *p = 0;
    if (b_mkdir(path, 0755) < 0) return -1;
    long sub = tree(path, (int)(p - path), depth + 1);
    if (sub < 0) return -1;
    made += 1 + sub;
    path[len] = 0;
  }
  return made;
}
static long untree(char *path, int len, int depth) {
  if (depth == 4) return 0;
  for (int i = 0; i < 4; i++) {
    char *p = path + len; p = put_str(p, "/d"); p = put_u(p, (unsigned long long)i); *p = 0;
    if (untree(path, (int)(p - path), depth + 1) < 0 || b_rmdir(path) < 0) return -1;
    path[len] = 0;
  }
  return 0;
}
static int w_meta_tree(void) {
  long reps = 20 * scale, made = 0;
  char path[600];
  double t = b_now();
  for (long r = 0; r < reps; r++) {
    char *p = put_str(path, dir); p = put_str(p, "/tree"); *p = 0;
    CHECK(b_mkdir(path, 0755), "mkdir tree");
    long m = tree(path, slen(path), 0); CHECK(m, "tree");
    made += m + 1;
    CHECK(untree(path, slen(path), 0), "untree"); CHECK(b_rmdir(path), "rmdir tree");
  }
  report("meta-tree", (double)made, b_now() - t, 0);
  return 0;
}
static int w_meta_deep_stat(void) {
  char path[600]; char *p = put_str(path, dir); p = put_str(p, "/deep"); *p = 0;
  CHECK(b_mkdir(path, 0755), "mkdir deep");
  for (int i = 0; i < 3; i++) { p = put_str(p, "/level"); *p = 0; CHECK(b_mkdir(path, 0755), "mkdir level"); }
  p = put_str(p, "/file"); *p = 0;
  int fd = b_open(path, BO_CREAT | BO_WRONLY, 0644); CHECK(fd, "create deep"); b_close(fd);
  long n = 100000 * scale; long long size;
  double t = b_now();
  for (long i = 0; i < n; i++) CHECK(b_stat(path, &size), "stat deep");
  report("meta-deep-stat", (double)n, b_now() - t, 0);
  CHECK(b_unlink(path), "unlink deep");
  for (int i = 0; i < 4; i++) { *(p = path + slen(path) - (i == 0 ? 5 : 6)) = 0; CHECK(b_rmdir(path), "rmdir deep"); }
  return 0;
}
static int w_small_write(void) {
  long n = meta_files();
  char sub[600]; char *p = put_str(sub, dir); p = put_str(p, "/small"); *p = 0;
  CHECK(b_mkdir(sub, 0755), "mkdir small");
  for (int i = 0; i < 4096; i++) buf[i] = (char)i;
  double t = b_now();
  for (long i = 0; i < n; i++) {
    path_of(name, "small/f", i);
    int fd = b_open(name, BO_CREAT | BO_WRONLY | BO_TRUNC, 0644); CHECK(fd, "open small");
    if (b_write(fd, buf, 4096) != 4096) { die("write 4 KiB", -5); return 1; }
    CHECK(b_close(fd), "close small");
  }
  double secs = b_now() - t;
  report("small-write", (double)n, secs, 4096.0 * n);
  return 0;
}
static int w_small_read(void) {
  long n = meta_files();
  double t = b_now();
  for (long i = 0; i < n; i++) {
    path_of(name, "small/f", i);
    int fd = b_open(name, BO_RDONLY, 0); CHECK(fd, "open small");
    if (b_read(fd, buf, 4096) != 4096) { die("read 4 KiB", -5); return 1; }
    CHECK(b_close(fd), "close small");
  }
  double secs = b_now() - t;
  report("small-read", (double)n, secs, 4096.0 * n);
  for (long i = 0; i < n; i++) { path_of(name, "small/f", i); b_unlink(name); }
  char sub[600]; char *p = put_str(sub, dir); p = put_str(p, "/small"); *p = 0;
  b_rmdir(sub);
  return 0;
}
#define CALL_FILE (64LL << 20)
static int call_fd = -1;
static int open_call_file(void) {
  if (call_fd >= 0) return 0;
  char path[600]; char *p = put_str(path, dir); p = put_str(p, "/calls"); *p = 0;
  call_fd = b_open(path, BO_CREAT | BO_RDWR | BO_TRUNC, 0644);
  CHECK(call_fd, "open call file");
  for (long long off = 0; off < CALL_FILE; off += sizeof buf) CHECK(b_pwrite(call_fd, buf, sizeof buf, off), "fill call file");
  return 0;
}
/* 64-byte pwrite/pread at pseudo-random offsets in the first `span` bytes of the call file:
 * all of it (64 MiB: every call also pays a cache and TLB miss), or its first 64 KiB (the
 * "-hot" workloads: what the call itself costs, with the data in cache). */
static int w_call(int reading, long long span, const char *label) {
  if (open_call_file()) return 1;
  long n = calls > 0 ? calls : 1000000 * scale;
  double t = b_now();
  for (long i = 0; i < n; i++) {
    long long off = (long long)(next_rand() % (unsigned long long)(span - 64));
    long r = reading ? b_pread(call_fd, buf, 64, off) : b_pwrite(call_fd, buf, 64, off);
    if (r != 64) { die(reading ? "pread 64" : "pwrite 64", -5); return 1; }
  }
  report(label, (double)n, b_now() - t, 0);
  return 0;
}
#define CALL_HOT (64LL << 10)
static int w_call_pwrite(void) { return w_call(0, CALL_FILE, "call-pwrite64"); }
static int w_call_pread(void) { return w_call(1, CALL_FILE, "call-pread64"); }
static int w_call_pwrite_hot(void) { return w_call(0, CALL_HOT, "call-pwrite64-hot"); }
static int w_call_pread_hot(void) { return w_call(1, CALL_HOT, "call-pread64-hot"); }
/* Sequential 4 KiB reads and writes of a 64 MiB file (throughput at a small unit). */
#define SEQ_FILE (64LL << 20)
static int w_seq4k(int reading) {
  char path[600]; char *p = put_str(path, dir); p = put_str(p, "/seq"); *p = 0;
  int fd = b_open(path, reading ? BO_RDONLY : (BO_CREAT | BO_WRONLY | BO_TRUNC), 0644); CHECK(fd, "open seq");
  double t = b_now();
  for (long long done = 0; done < SEQ_FILE; done += 4096) {
    long r = reading ? b_read(fd, buf, 4096) : b_write(fd, buf, 4096);
    if (r != 4096) { die(reading ? "seq read" : "seq write", r < 0 ? r : -5); return 1; }
  }
  double secs = b_now() - t;
  CHECK(b_close(fd), "close seq");
  report(reading ? "seq-read4k" : "seq-write4k", (double)(SEQ_FILE / 4096), secs, (double)SEQ_FILE);
  if (reading) b_unlink(path);
  return 0;
}
static int w_seq_write4k(void) { return w_seq4k(0); }
static int w_seq_read4k(void) { return w_seq4k(1); }

#define BULK_FILE (256LL << 20)
static int w_bulk(int reading) {
  char path[600]; char *p = put_str(path, dir); p = put_str(p, "/bulk"); *p = 0;
  int fd = b_open(path, reading ? BO_RDONLY : (BO_CREAT | BO_WRONLY | BO_TRUNC), 0644); CHECK(fd, "open bulk");
  double t = b_now();
  for (long long done = 0; done < BULK_FILE; done += sizeof buf) {
    long r = reading ? b_read(fd, buf, sizeof buf) : b_write(fd, buf, sizeof buf);
    if (r != (long)sizeof buf) { die(reading ? "bulk read" : "bulk write", r < 0 ? r : -5); return 1; }
  }
  double secs = b_now() - t;
  CHECK(b_close(fd), "close bulk");
  report(reading ? "bulk-read" : "bulk-write", (double)(BULK_FILE / sizeof buf), secs, (double)BULK_FILE);
  if (reading) b_unlink(path);
  return 0;
}
static int w_bulk_write(void) { return w_bulk(0); }
static int w_bulk_read(void) { return w_bulk(1); }

static long scale_files(void) { return 1000000; }
static int w_scale_create(void) {
  char sub[600]; char *p = put_str(sub, dir); p = put_str(p, "/scale"); *p = 0;
  CHECK(b_mkdir(sub, 0755), "mkdir scale");
  long n = scale_files();
  double t = b_now();
  for (long i = 0; i < n; i++) {
    path_of(name, "scale/f", i);
    int fd = b_open(name, BO_CREAT | BO_EXCL | BO_WRONLY, 0644); CHECK(fd, "create"); CHECK(b_close(fd), "close");
  }
  report("scale-create", (double)n, b_now() - t, 0);
  return 0;
}
static int w_scale_stat(void) {
  long n = scale_files(); long long size;
  double t = b_now();
  for (long i = 0; i < n; i++) { path_of(name, "scale/f", (long)(next_rand() % (unsigned long long)n)); CHECK(b_stat(name, &size), "stat"); }
  report("scale-stat", (double)n, b_now() - t, 0);
  return 0;
}
static int w_scale_list(void) {
  char sub[600]; char *p = put_str(sub, dir); p = put_str(p, "/scale"); *p = 0;
  double t = b_now();
  long c = b_count_entries(sub); CHECK(c, "list");
  report("scale-list", (double)c, b_now() - t, 0);
  long n = scale_files();
  for (long i = 0; i < n; i++) { path_of(name, "scale/f", i); b_unlink(name); }
  b_rmdir(sub);
  return 0;
}
static int w_scale_sparse(void) {
  char path[600]; char *p = put_str(path, dir); p = put_str(p, "/sparse"); *p = 0;
  int fd = b_open(path, BO_CREAT | BO_RDWR | BO_TRUNC, 0644); CHECK(fd, "open sparse");
  CHECK(b_ftruncate(fd, 1LL << 30), "ftruncate 1 GiB");
  long n = 200000;
  double t = b_now();
  for (long i = 0; i < n; i++) {
    long long off = (long long)(next_rand() % (1ULL << 18)) * 4096;
    if (i & 1) { if (b_pread(fd, buf, 4096, off) != 4096) { die("sparse pread", -5); return 1; } }
    else if (b_pwrite(fd, buf, 4096, off) != 4096) { die("sparse pwrite", -5); return 1; }
  }
  double secs = b_now() - t;
  report("scale-sparse", (double)n, secs, 4096.0 * n);
  b_close(fd); b_unlink(path);
  return 0;
}

static const struct { const char *name; int (*run)(void); int by_default; } WORKLOADS[] = {
  {"meta-create", w_meta_create, 1}, {"meta-stat", w_meta_stat, 1}, {"meta-stat-missing", w_meta_stat_missing, 1},
  {"meta-list", w_meta_list, 1}, {"meta-unlink", w_meta_unlink, 1}, {"meta-tree", w_meta_tree, 1},
  {"meta-deep-stat", w_meta_deep_stat, 1}, {"small-write", w_small_write, 1}, {"small-read", w_small_read, 1},
  {"call-pwrite64", w_call_pwrite, 1}, {"call-pread64", w_call_pread, 1},
  {"call-pwrite64-hot", w_call_pwrite_hot, 1}, {"call-pread64-hot", w_call_pread_hot, 1},
  {"seq-write4k", w_seq_write4k, 1}, {"seq-read4k", w_seq_read4k, 1}, {"bulk-write", w_bulk_write, 1},
  {"bulk-read", w_bulk_read, 1}, {"scale-create", w_scale_create, 0}, {"scale-stat", w_scale_stat, 0},
  {"scale-list", w_scale_list, 0}, {"scale-sparse", w_scale_sparse, 0},
};
#define NWORK (int)(sizeof WORKLOADS / sizeof WORKLOADS[0])

int b_main(int argc, char **argv) {
  if (argc < 2) { b_out("usage: bench DIR [SCALE] [xPASSES] [calls=N] [workload...]\n"); return 2; }
  char *p = put_str(dir, argv[1]); *p = 0;
  int first = 2, passes = 1;
  if (argc > first && argv[first][0] >= '0' && argv[first][0] <= '9') {
    scale = 0; for (const char *s = argv[first]; *s; s++) scale = scale * 10 + (*s - '0');
    if (scale < 1) scale = 1;
    first++;
  }
  if (argc > first && argv[first][0] == 'x') {
    passes = 0; for (const char *s = argv[first] + 1; *s; s++) passes = passes * 10 + (*s - '0');
    if (passes < 1) passes = 1;
    first++;
  }
  const char *k = "calls=", *v = argc > first ? argv[first] : "";
  while (*k && *v == *k) { k++; v++; }
  if (*k == 0) {
    for (; *v >= '0' && *v <= '9'; v++) calls = calls * 10 + (*v - '0');
    first++;
  }
  for (int i = 0; i < (int)sizeof buf; i++) buf[i] = (char)(i * 7);
  int status = 0;
  for (int pass = 0; pass < passes && status == 0; pass++) {
    for (int w = 0; w < NWORK; w++) {
      int wanted = first >= argc ? WORKLOADS[w].by_default : 0;
      for (int a = first; a < argc; a++) if (seq(argv[a], WORKLOADS[w].name)) wanted = 1;
      if (wanted && WORKLOADS[w].run() != 0) status = 1;
    }
  }
  if (call_fd >= 0) {
    b_close(call_fd);
    char path[600]; char *q = put_str(path, dir); q = put_str(q, "/calls"); *q = 0;
    b_unlink(path);
  }
  return status;
}
