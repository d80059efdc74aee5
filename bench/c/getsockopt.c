/* The syscall floor: getsockopt(SOL_SOCKET, SO_RCVBUF) N times. Prints ns per call.
 * Usage: getsockopt N [get|set|set-rcvbuf] [FD]
 *   get         getsockopt(SOL_SOCKET, SO_RCVBUF) (the default)
 *   set         setsockopt(SOL_SOCKET, SO_KEEPALIVE) alternately on and off
 *   set-rcvbuf  setsockopt(SOL_SOCKET, SO_RCVBUF) alternately 65536 and 131072
 * on FD when given (a socket the parent passes, as bench/spike-native/run.mjs does),
 * else on a fresh socket: TCP for "set" (keepalive), UDP otherwise. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 1000000;
  const char *mode = argc > 2 ? argv[2] : "get";
  int keepalive = strcmp(mode, "set") == 0;
  int rcvbuf = strcmp(mode, "set-rcvbuf") == 0;
  if (!keepalive && !rcvbuf && strcmp(mode, "get") != 0) {
    fprintf(stderr, "usage: getsockopt N [get|set|set-rcvbuf] [FD]\n");
    return 2;
  }
  int fd = argc > 3 ? atoi(argv[3]) : socket(AF_INET, keepalive ? SOCK_STREAM : SOCK_DGRAM, 0);
  if (fd < 0) { perror("socket"); return 1; }
  struct timespec a, b;
  int v = 0;
  socklen_t len;
  clock_gettime(CLOCK_MONOTONIC, &a);
  for (long i = 0; i < n; i++) {
    if (keepalive || rcvbuf) {
      v = keepalive ? (int)(i & 1) : (i & 1) ? 131072 : 65536;
      if (setsockopt(fd, SOL_SOCKET, keepalive ? SO_KEEPALIVE : SO_RCVBUF, &v, sizeof v) != 0) { perror("setsockopt"); return 1; }
    } else {
      len = sizeof v;
      if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, &len) != 0) { perror("getsockopt"); return 1; }
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("%.2f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / (double)n);
  return 0;
}
