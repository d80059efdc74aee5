/* The echo server of the throughput benchmark, in one source for both sides of the
 * comparison: compiled natively with cc (the C floor) and for wasm32-wasi with the
 * sockbox C SDK (bench/guests/echo-server.wasm, run in a Sandbox), so the two rows
 * differ only in where the code runs. The design of examples/echo-server: one thread,
 * poll(2) over the listener and every client, non-blocking sockets, a 16 KiB buffer
 * per client, no new read from a client until what it sent has gone back out. Accepted
 * sockets get TCP_NODELAY: without it, the second 16 KiB piece of a 64 KiB echo waits
 * for the client's delayed ACK (Nagle), about 40 ms on Linux loopback, and the
 * benchmark would time that timer instead of the server.
 *
 *     cc -O2 bench/c/echo-server.c -o echo-server
 *     clang --target=wasm32-wasi -O2 -I guest/c bench/c/echo-server.c guest/c/sockbox.c \
 *         -o bench/guests/echo-server.wasm        (node bench/guests/build.mjs)
 *
 * Listens on 127.0.0.1, an ephemeral port, prints "listening on PORT" and echoes
 * until killed. Loopback only. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#ifdef __wasi__
#include "sockbox.h"
#endif

#define MAX_CLIENTS 256
#define BUF_SIZE 16384

struct client {
  char buf[BUF_SIZE];
  size_t len; /* bytes read and not yet sent back */
  size_t off; /* of those, bytes already sent */
};

static struct pollfd fds[1 + MAX_CLIENTS];
static struct client clients[1 + MAX_CLIENTS];
static int nfds = 1;

static void die(const char *what) {
  perror(what);
  exit(1);
}

static void set_nonblocking(int fd) {
  int fl = fcntl(fd, F_GETFL, 0);
  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) die("fcntl");
}

static void drop(int i) {
  close(fds[i].fd);
  nfds--;
  fds[i] = fds[nfds];
  clients[i] = clients[nfds];
}

/* Sends what is pending; -1 when the client is gone. */
static int flush(int i) {
  struct client *c = &clients[i];
  while (c->off < c->len) {
    ssize_t n = send(fds[i].fd, c->buf + c->off, c->len - c->off, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      return -1;
    }
    c->off += (size_t)n;
  }
  if (c->off == c->len) c->off = c->len = 0;
  fds[i].events = c->len > 0 ? POLLOUT : POLLIN;
  return 0;
}

int main(void) {
  int lfd = socket(AF_INET, SOCK_STREAM, 0);
  if (lfd < 0) die("socket");
  int one = 1;
  if (setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) die("setsockopt");
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0) die("bind");
  if (listen(lfd, SOMAXCONN) < 0) die("listen");
  socklen_t alen = sizeof addr;
  if (getsockname(lfd, (struct sockaddr *)&addr, &alen) < 0) die("getsockname");
  set_nonblocking(lfd);
  printf("listening on %u\n", ntohs(addr.sin_port));
  fflush(stdout);

  fds[0].fd = lfd;
  fds[0].events = POLLIN;
  for (;;) {
    if (poll(fds, (nfds_t)nfds, -1) < 0) {
      if (errno == EINTR) continue;
      die("poll");
    }
    /* Clients from the end, so drop() never moves one not yet visited. */
    for (int i = nfds - 1; i >= 1; i--) {
      short re = fds[i].revents;
      if (re == 0) continue;
      if (re & POLLOUT) {
        if (flush(i) < 0) drop(i);
        continue;
      }
      if (re & (POLLIN | POLLHUP | POLLERR)) {
        ssize_t n = recv(fds[i].fd, clients[i].buf, BUF_SIZE, 0);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) continue;
        if (n <= 0) {
          drop(i);
          continue;
        }
        clients[i].len = (size_t)n;
        clients[i].off = 0;
        if (flush(i) < 0) drop(i);
      }
    }
    if (fds[0].revents & POLLIN) {
      for (;;) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) break;
        if (nfds == 1 + MAX_CLIENTS) {
          close(fd);
          continue;
        }
        set_nonblocking(fd);
        if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0) die("setsockopt TCP_NODELAY");
        fds[nfds].fd = fd;
        fds[nfds].events = POLLIN;
        fds[nfds].revents = 0;
        clients[nfds].len = clients[nfds].off = 0;
        nfds++;
      }
    }
  }
}
