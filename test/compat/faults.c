/*
 * faults.c: a test guest for test/faults.test.ts, on sockbox's C SDK
 * (guest/c/sockbox.h). Built by build/examples.mjs into test/compat/faults.wasm.
 *
 * CONTRACT (the tests rely on it). Every line ends with "\n"; errno values are
 * printed by name (sockbox_errno_name). Loopback only: 127.0.0.1.
 *
 * flood PORT nonblock|blocking
 *     Connects to 127.0.0.1:PORT, prints "connected", then sends 64 KiB chunks to
 *     a peer that does not read.
 *       nonblock: until send fails; prints "stopped after <bytes> errno=<errno>"
 *                 (EAGAIN expected) and exits 0.
 *       blocking: prints "flooding" after the first chunk and goes on; the send
 *                 that no longer fits blocks (the test kills the guest there).
 * reset PORT
 *     Connects, sends "hello", prints "sent", then recv()s: a peer that closes
 *     with SO_LINGER 0 makes it fail; prints "recv <ret> errno=<errno>", then
 *     tries send() and prints "send <ret> errno=<errno>". Exits 0. (A SIGPIPE
 *     would kill the host process: it must not happen.)
 * rw PORT
 *     Connects and uses the plain fd calls on the socket: fstat() (prints
 *     "socket <1|0>" for S_ISSOCK), write() "hello via write", shutdown(SHUT_WR),
 *     read() until EOF, prints "read <text>". Exits 0.
 * sleep MS
 *     Sleeps MS milliseconds (nanosleep: a clock-only poll_oneoff) and prints
 *     "slept". Exits 0.
 * sleep-abs MS
 *     The same with an absolute deadline on the monotonic clock
 *     (clock_nanosleep TIMER_ABSTIME: poll_oneoff's ABSTIME flag); prints
 *     "slept <elapsed ms, as the guest's own clock saw it>".
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "sockbox.h"

static int connect_to(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) { printf("error socket %s\n", sockbox_errno_name(errno)); exit(1); }
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((unsigned short)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) { printf("error connect %s\n", sockbox_errno_name(errno)); exit(1); }
  return fd;
}

static char chunk[65536];

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc == 4 && strcmp(argv[1], "flood") == 0) {
    int fd = connect_to(atoi(argv[2]));
    int nonblock = strcmp(argv[3], "nonblock") == 0;
    if (nonblock) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    printf("connected\n");
    long long total = 0;
    for (;;) {
      ssize_t n = send(fd, chunk, sizeof chunk, 0);
      if (n < 0) {
        printf("stopped after %lld errno=%s\n", total, sockbox_errno_name(errno));
        return 0;
      }
      if (total == 0 && !nonblock) printf("flooding\n");
      total += n;
    }
  }
  if (argc == 3 && strcmp(argv[1], "reset") == 0) {
    int fd = connect_to(atoi(argv[2]));
    if (send(fd, "hello", 5, 0) != 5) { printf("error send %s\n", sockbox_errno_name(errno)); return 1; }
    printf("sent\n");
    char buf[16];
    ssize_t r = recv(fd, buf, sizeof buf, 0);
    printf("recv %zd errno=%s\n", r, r < 0 ? sockbox_errno_name(errno) : "0");
    ssize_t s = send(fd, "again", 5, 0);
    printf("send %zd errno=%s\n", s, s < 0 ? sockbox_errno_name(errno) : "0");
    return 0;
  }
  if (argc == 3 && strcmp(argv[1], "rw") == 0) {
    int fd = connect_to(atoi(argv[2]));
    struct stat st;
    if (fstat(fd, &st) < 0) { printf("error fstat %s\n", sockbox_errno_name(errno)); return 1; }
    printf("socket %d\n", S_ISSOCK(st.st_mode) ? 1 : 0);
    const char *msg = "hello via write";
    if (write(fd, msg, strlen(msg)) != (ssize_t)strlen(msg)) { printf("error write %s\n", sockbox_errno_name(errno)); return 1; }
    shutdown(fd, SHUT_WR);
    char buf[256];
    size_t got = 0;
    for (;;) {
      ssize_t n = read(fd, buf + got, sizeof buf - 1 - got);
      if (n < 0) { printf("error read %s\n", sockbox_errno_name(errno)); return 1; }
      if (n == 0) break;
      got += (size_t)n;
    }
    buf[got] = 0;
    printf("read %s\n", buf);
    close(fd);
    return 0;
  }
  if (argc == 3 && strcmp(argv[1], "sleep") == 0) {
    long ms = atol(argv[2]);
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
    printf("slept\n");
    return 0;
  }
  if (argc == 3 && strcmp(argv[1], "sleep-abs") == 0) {
    long ms = atol(argv[2]);
    struct timespec t0, until, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    until = t0;
    until.tv_sec += ms / 1000;
    until.tv_nsec += (ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) { until.tv_sec++; until.tv_nsec -= 1000000000L; }
    int rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL);
    if (rc != 0) { printf("error clock_nanosleep %d\n", rc); return 1; }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long elapsed = (long)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000L);
    printf("slept %ld\n", elapsed);
    return 0;
  }
  printf("usage: faults flood PORT nonblock|blocking | reset PORT | rw PORT | sleep MS | sleep-abs MS\n");
  return 2;
}
