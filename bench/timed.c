/* timed: runs a command as a child and reports on descriptor 3, once the child has exited,
 *   <wall ns> <peak RSS KiB> <status>
 * wall: from just before the child is spawned to just after it is reaped (CLOCK_MONOTONIC);
 * peak RSS: the child's ru_maxrss from wait4 (the high-water mark of its resident memory,
 * whatever threads it ran); status: its exit status, or 128 + the signal that ended it.
 * A SIGTERM to timed (a harness timeout) kills the child, so nothing is left running.
 * usage: timed COMMAND [ARGS...] 3>REPORT */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;
static volatile pid_t child;

static void kill_child(int sig) { (void)sig; if (child > 0) kill(child, SIGKILL); }

int main(int argc, char **argv) {
  if (argc < 2) { fputs("usage: timed COMMAND [ARGS...] 3>REPORT\n", stderr); return 2; }
  if (fcntl(3, F_SETFD, FD_CLOEXEC) != 0) { perror("timed: descriptor 3"); return 2; }
  signal(SIGTERM, kill_child);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  pid_t pid;
  int err = posix_spawnp(&pid, argv[1], NULL, NULL, argv + 1, environ);
  if (err != 0) { fprintf(stderr, "timed: cannot run %s\n", argv[1]); return 127; }
  child = pid;
  int status;
  struct rusage ru;
  while (wait4(pid, &status, 0, &ru) < 0) if (errno != EINTR) { perror("timed: wait4"); return 2; }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  long long ns = (long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  dprintf(3, "%lld %ld %d\n", ns, ru.ru_maxrss, code);
  return 0;
}
