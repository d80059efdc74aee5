/*
 * hog.c: a hostile guest that tries to make the host's memory grow.
 *
 *   hog malloc MIB    malloc()s MIB MiB at a time, touching every page, until malloc
 *                     returns NULL; prints "malloc null after <n> MiB"
 *   hog stdout BYTES  writes BYTES to fd 1, 64 KiB at a time (no stdio buffering); on
 *                     stderr at the end: "stdout wrote <n> errno <name>"
 *   hog stdin         reads fd 0 to its end; prints "stdin <n> bytes"
 *   hog pollstdin MS  polls fd 0 for MS ms: "poll ready" or "poll timeout", then reads it
 *                     to its end: "stdin <n> bytes"
 *   hog events N      N times: a UDP socket, a connect the policy refuses (127.0.0.1:9,
 *                     never granted: no syscall), a close; three events each for a
 *                     host that listens. Prints "events <n> refused <r>"
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "sockbox.h"

int main(int argc, char **argv) {
  if (argc < 2) { printf("usage: hog malloc MIB | stdout BYTES | stdin\n"); return 2; }
  if (!strcmp(argv[1], "malloc") && argc > 2) {
    size_t step = (size_t)atoi(argv[2]) << 20;
    size_t total = 0;
    /* Kept in a list the compiler must keep: an unused malloc may be optimized away
     * (and assumed to succeed). */
    static void *volatile keep[65536];
    for (size_t i = 0; i < 65536; i++) {
      char *p = malloc(step);
      if (!p) break;
      memset(p, 1, step);
      keep[i] = p;
      total += step;
    }
    printf("malloc null after %zu MiB\n", total >> 20);
    return 0;
  }
  if (!strcmp(argv[1], "stdout") && argc > 2) {
    long long want = atoll(argv[2]);
    static char chunk[65536];
    memset(chunk, 'o', sizeof chunk);
    long long done = 0;
    int err = 0;
    while (done < want) {
      size_t n = want - done < (long long)sizeof chunk ? (size_t)(want - done) : sizeof chunk;
      ssize_t w = write(1, chunk, n);
      if (w <= 0) { err = w < 0 ? errno : 0; break; }
      done += w;
    }
    fprintf(stderr, "stdout wrote %lld errno %s\n", done, err == EDQUOT ? "EDQUOT" : err ? "other" : "0");
    return 0;
  }
  if (!strcmp(argv[1], "pollstdin") && argc > 2) {
    struct pollfd p = { .fd = 0, .events = POLLIN };
    int n = poll(&p, 1, atoi(argv[2]));
    printf("poll %s\n", n > 0 ? "ready" : "timeout");
    fflush(stdout);
    char buf[4096];
    long long total = 0;
    ssize_t r;
    while ((r = read(0, buf, sizeof buf)) > 0) total += r;
    printf("stdin %lld bytes\n", total);
    return 0;
  }
  if (!strcmp(argv[1], "events") && argc > 2) {
    long n = atol(argv[2]), refused = 0;
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(9) };
    a.sin_addr.s_addr = htonl(0x7f000001);
    for (long i = 0; i < n; i++) {
      int s = socket(AF_INET, SOCK_DGRAM, 0);
      if (s < 0) { printf("socket failed: %s\n", strerror(errno)); return 1; }
      if (connect(s, (struct sockaddr *)&a, sizeof a) < 0 && errno == ENOTCAPABLE) refused++;
      close(s);
    }
    printf("events %ld refused %ld\n", n, refused);
    return 0;
  }
  if (!strcmp(argv[1], "stdin")) {
    char buf[4096];
    long long total = 0;
    ssize_t n;
    while ((n = read(0, buf, sizeof buf)) > 0) total += n;
    printf("stdin %lld bytes\n", total);
    return 0;
  }
  printf("usage: hog malloc MIB | stdout BYTES | stdin | pollstdin MS | events N\n");
  return 2;
}
