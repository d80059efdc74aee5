/* The syscall floor: getsockopt(SOL_SOCKET, SO_RCVBUF) on a UDP socket, N times.
 * Prints ns per call. Usage: getsockopt N [set] ("set": setsockopt SO_KEEPALIVE on/off). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 1000000;
  int set = argc > 2 && strcmp(argv[2], "set") == 0;
  int fd = socket(AF_INET, set ? SOCK_STREAM : SOCK_DGRAM, 0);
  if (fd < 0) { perror("socket"); return 1; }
  struct timespec a, b;
  int v = 0;
  socklen_t len;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (long i = 0; i < n; i++) {
    if (set) {
      v = (int)(i & 1);
      if (setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &v, sizeof v) != 0) { perror("setsockopt"); return 1; }
    } else {
      len = sizeof v;
      if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, &len) != 0) { perror("getsockopt"); return 1; }
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("%.2f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / (double)n);
  return 0;
}
