/* hello: prints one line and exits 0. The startup row of `make bench` (bench/startup.mjs):
 * what running a cage costs when the cage itself does next to nothing. */
#include <stdio.h>

int main(void) {
  puts("hello from a WASI cage");
  return 0;
}
