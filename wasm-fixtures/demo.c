/* demo: the README's demo cage (WASI, wasi-libc).
 *
 * Usage: demo [INPUT [REPORT]]   (defaults /data/input.txt and /out/report.txt)
 * Reads INPUT (a file preloaded into the IMFS), writes REPORT: line, word and byte counts,
 * then the lines in sorted order (byte order). Creates REPORT's directory if it is missing.
 * Prints a one-line summary on stdout and exits 0; on a missing or unreadable input, or an
 * unwritable report, prints a message on stderr and exits 1. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int cmp_lines(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* mkdir -p for the directory part of path (one or more levels) */
static void make_parent(const char *path) {
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", path);
  char *slash = strrchr(dir, '/');
  if (!slash || slash == dir) return;
  *slash = 0;
  for (char *p = dir + 1; *p; p++) {
    if (*p == '/') {
      *p = 0;
      mkdir(dir, 0755);
      *p = '/';
    }
  }
  mkdir(dir, 0755);
}

int main(int argc, char **argv) {
  const char *in = argc > 1 ? argv[1] : "/data/input.txt";
  const char *out = argc > 2 ? argv[2] : "/out/report.txt";

  FILE *f = fopen(in, "rb");
  if (!f) {
    fprintf(stderr, "demo: cannot open input %s: %s\n", in, strerror(errno));
    return 1;
  }
  size_t cap = 4096, len = 0;
  char *text = malloc(cap + 1);
  size_t n;
  while (text && (n = fread(text + len, 1, cap - len, f)) > 0) {
    len += n;
    if (len == cap) text = realloc(text, (cap *= 2) + 1);
  }
  if (!text || ferror(f)) {
    fprintf(stderr, "demo: cannot read input %s: %s\n", in, text ? strerror(errno) : "out of memory");
    return 1;
  }
  fclose(f);
  text[len] = 0;

  /* count, and split into lines (a last line without '\n' still counts) */
  size_t lines = 0, words = 0, nlines = 0;
  int in_word = 0;
  for (size_t i = 0; i < len; i++) {
    char c = text[i];
    if (c == '\n') lines++;
    int space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
    if (!space && !in_word) words++;
    in_word = !space;
  }
  if (len > 0 && text[len - 1] != '\n') lines++;
  char **v = malloc((lines + 1) * sizeof *v);
  for (char *p = text; v && p < text + len;) {
    char *nl = memchr(p, '\n', (size_t)(text + len - p));
    if (nl) *nl = 0;
    v[nlines++] = p;
    p = nl ? nl + 1 : text + len;
  }
  if (!v) {
    fprintf(stderr, "demo: out of memory\n");
    return 1;
  }
  qsort(v, nlines, sizeof *v, cmp_lines);

  make_parent(out);
  FILE *o = fopen(out, "w");
  if (!o) {
    fprintf(stderr, "demo: cannot create report %s: %s\n", out, strerror(errno));
    return 1;
  }
  fprintf(o, "report on %s\n", in);
  fprintf(o, "lines: %zu\nwords: %zu\nbytes: %zu\n", lines, words, len);
  fprintf(o, "sorted lines:\n");
  for (size_t i = 0; i < nlines; i++) fprintf(o, "%s\n", v[i]);
  if (fclose(o) != 0) {
    fprintf(stderr, "demo: cannot write report %s: %s\n", out, strerror(errno));
    return 1;
  }
  printf("demo: %s: %zu lines, %zu words, %zu bytes; report written to %s\n", in, lines, words, len, out);
  return 0;
}
