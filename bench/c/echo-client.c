/* The load generator for the echo benchmark, a process of its own so that it never
 * shares the server's thread. CLIENTS connections to 127.0.0.1:PORT, each a
 * ping-pong: send one SIZE-byte message, read SIZE bytes back, send the next. One
 * thread, poll(2), TCP_NODELAY on the client side.
 *
 * Usage: echo-client PORT CLIENTS SIZE WARMUP_MS WINDOW_MS MAX_MESSAGES
 * Runs WARMUP_MS uncounted, then counts messages echoed in full until WINDOW_MS
 * pass or MAX_MESSAGES are done, whichever is first. Prints one line:
 *     <messages> <bytes echoed> <seconds> <messages including the warm-up>
 *     <CPU seconds this process used> <seconds since the first connect>
 * and exits 0; exits 1 (with a message on stderr) if the server fails, and gives up
 * after WARMUP_MS + WINDOW_MS + 10 s whatever happens (alarm). Loopback only. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>

#define MAX_CLIENTS 256

struct conn {
  size_t sent;
  size_t got;
};

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void die(const char *what) {
  perror(what);
  exit(1);
}

static long arg(const char *s, long min, long max) {
  char *end;
  long v = strtol(s, &end, 10);
  if (*s == '\0' || *end != '\0' || v < min || v > max) {
    fprintf(stderr, "usage: echo-client PORT CLIENTS SIZE WARMUP_MS WINDOW_MS MAX_MESSAGES\n");
    exit(2);
  }
  return v;
}

int main(int argc, char **argv) {
  if (argc != 7) arg("", 0, 0);
  int port = (int)arg(argv[1], 1, 65535);
  int nconn = (int)arg(argv[2], 1, MAX_CLIENTS);
  size_t size = (size_t)arg(argv[3], 1, 1 << 24);
  double warmup = (double)arg(argv[4], 0, 600000) / 1000;
  double window = (double)arg(argv[5], 1, 600000) / 1000;
  long max_msgs = arg(argv[6], 1, 1000000000L);
  alarm((unsigned)(warmup + window) + 10);

  char *out = malloc(size), *in = malloc(size);
  if (!out || !in) die("malloc");
  for (size_t i = 0; i < size; i++) out[i] = (char)('a' + i % 26);

  struct pollfd fds[MAX_CLIENTS];
  struct conn conns[MAX_CLIENTS];
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((uint16_t)port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int i = 0; i < nconn; i++) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) die("socket");
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) die("connect");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK);
    fds[i].fd = fd;
    fds[i].events = POLLOUT;
    conns[i].sent = conns[i].got = 0;
  }

  double start = now_s(), t0 = start + warmup, end = t0 + window;
  int counting = warmup == 0;
  if (counting) t0 = start;
  long msgs = 0, total = 0;
  for (;;) {
    double t = now_s();
    if (!counting && t >= t0) { counting = 1; t0 = t; end = t0 + window; msgs = 0; }
    if (counting && (t >= end || msgs >= max_msgs)) break;
    int n = poll(fds, (nfds_t)nconn, 100);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("poll");
    }
    for (int i = 0; i < nconn; i++) {
      short re = fds[i].revents;
      if (re == 0) continue;
      struct conn *c = &conns[i];
      if (re & (POLLERR | POLLNVAL)) { fprintf(stderr, "echo-client: connection %d failed\n", i); return 1; }
      if ((re & POLLOUT) && c->sent < size) {
        ssize_t k = send(fds[i].fd, out + c->sent, size - c->sent, MSG_NOSIGNAL);
        if (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK) die("send");
        if (k > 0) c->sent += (size_t)k;
      }
      if (re & (POLLIN | POLLHUP)) {
        ssize_t k = recv(fds[i].fd, in, size - c->got, 0);
        if (k == 0) { fprintf(stderr, "echo-client: server closed connection %d\n", i); return 1; }
        if (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK) die("recv");
        if (k > 0) c->got += (size_t)k;
        if (c->got == size) {
          msgs++;
          total++;
          c->sent = c->got = 0;
        }
      }
      /* Wait to send while the message is out; then wait only for the echo. */
      fds[i].events = c->sent < size ? (POLLOUT | POLLIN) : POLLIN;
    }
  }
  double secs = now_s() - t0;
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  printf("%ld %.0f %.6f %ld %.6f %.6f\n", msgs, (double)msgs * (double)size, secs, total, cpu, now_s() - start);
  for (int i = 0; i < nconn; i++) close(fds[i].fd);
  return 0;
}
