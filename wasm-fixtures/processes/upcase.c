/* Exec target of the process fixtures: copies stdin to stdout with ASCII a-z made upper case,
 * in reads and writes of at most 4096 bytes, until EOF; status 0, or 1 after a failed call. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

static void fail(const char *what) {
  char msg[96];
  int n = 0;
  const char *parts[] = {"upcase: ", what, " failed\n"};
  for (int k = 0; k < 3; k++)
    for (const char *p = parts[k]; *p && n < (int)sizeof msg; p++) msg[n++] = *p;
  (void)!write(2, msg, n);
  _exit(1);
}

int main(int argc, char **argv) {
  (void)argc;
  (void)argv;
  char buf[4096];
  for (;;) {
    ssize_t n = read(0, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("read");
    }
    if (n == 0) return 0;
    for (ssize_t i = 0; i < n; i++)
      if (buf[i] >= 'a' && buf[i] <= 'z') buf[i] = (char)(buf[i] - 'a' + 'A');
    for (ssize_t off = 0; off < n;) {
      ssize_t w = write(1, buf + off, (size_t)(n - off));
      if (w < 0) {
        if (errno == EINTR) continue;
        fail("write");
      }
      off += w;
    }
  }
}
