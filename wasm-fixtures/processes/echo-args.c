/* Exec target of the process fixtures: prints its argc, each argv string and each environment
 * string on its own line, bytes outside printable ASCII (and the backslash) as \xNN, and exits 0. */
#include <stdio.h>
#include <unistd.h>

extern char **environ;

static int put(const char *kind, int i, const char *s) {
  if (printf("%s[%d]=", kind, i) < 0) return -1;
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    int r = (*p < 0x20 || *p > 0x7e || *p == '\\') ? printf("\\x%02x", *p) : putchar(*p);
    if (r < 0) return -1;
  }
  return putchar('\n') < 0 ? -1 : 0;
}

int main(int argc, char **argv) {
  int bad = printf("echo-args: argc=%d\n", argc) < 0;
  for (int i = 0; i < argc; i++) bad |= put("argv", i, argv[i]) < 0;
  for (int i = 0; environ && environ[i]; i++) bad |= put("env", i, environ[i]) < 0;
  if (fflush(stdout) != 0) bad = 1;
  return bad ? 1 : 0;
}
