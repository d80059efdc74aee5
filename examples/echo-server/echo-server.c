/*
 * echo-server: a poll()-based TCP echo server for many clients, the classic
 * single-threaded way: one pollfd for the listening socket, one per client,
 * echo whatever arrives, drop clients that hang up.
 *
 *     echo-server PORT [CONNECTIONS]
 *
 * Listens on 127.0.0.1:PORT (0: an ephemeral port) and prints
 * "listening on PORT". With CONNECTIONS, exits 0 once that many connections
 * have come and gone. Prints one line per client as it connects and leaves.
 *
 * Build and run (see guest/c/sockbox.h):
 *     clang --target=wasm32-wasi -O2 -I guest/c examples/echo-server/echo-server.c \
 *         guest/c/sockbox.c -o examples/echo-server/echo-server.wasm
 *     sockbox run examples/echo-server/echo-server.wasm --allow-bind 127.0.0.1:7007 -- 7007
 * and talk to it from another terminal: nc 127.0.0.1 7007
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#ifdef __wasi__
#include "sockbox.h"
#endif

#define MAX_CLIENTS 256
#define BUF_SIZE 16384

/* A client: its socket, its number, how much it sent, and what is still to be
 * echoed back when the socket would not take it all at once. */
struct client {
  int fd;
  unsigned id;
  unsigned long long bytes;
  char pending[BUF_SIZE];
  size_t pending_len;
};

static struct pollfd fds[1 + MAX_CLIENTS]; /* fds[0]: the listener */
static struct client clients[1 + MAX_CLIENTS];
static int nfds = 1;

static void die(const char *what) {
  perror(what);
  exit(1);
}

static int parse_number(const char *s, long max) {
  char *end;
  long v = strtol(s, &end, 10);
  if (*s == '\0' || *end != '\0' || v < 0 || v > max) {
    fprintf(stderr, "usage: echo-server PORT [CONNECTIONS]\n");
    exit(2);
  }
  return (int)v;
}

static void set_nonblocking(int fd) {
  int flags = fcntl(fd, F_GETFL, 0);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) die("fcntl");
}

static void drop(int i) {
  printf("client %u closed (%llu bytes echoed)\n", clients[i].id, clients[i].bytes);
  close(fds[i].fd);
  nfds--;
  fds[i] = fds[nfds];
  clients[i] = clients[nfds];
}

/* Sends what is pending; returns -1 if the client is gone. */
static int flush_pending(int i) {
  struct client *c = &clients[i];
  while (c->pending_len > 0) {
    ssize_t n = send(c->fd, c->pending, c->pending_len, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      return -1;
    }
    memmove(c->pending, c->pending + n, c->pending_len - (size_t)n);
    c->pending_len -= (size_t)n;
  }
  /* Read more only when everything read so far has gone back out. */
  fds[i].events = c->pending_len > 0 ? POLLOUT : POLLIN;
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: echo-server PORT [CONNECTIONS]\n");
    return 2;
  }
  int port = parse_number(argv[1], 65535);
  int quota = argc == 3 ? parse_number(argv[2], 1000000) : -1;
  setvbuf(stdout, NULL, _IOLBF, 0);

  int lfd = socket(AF_INET, SOCK_STREAM, 0);
  if (lfd < 0) die("socket");
  int one = 1;
  if (setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) die("setsockopt");
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((uint16_t)port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) < 0) die("bind");
  if (listen(lfd, SOMAXCONN) < 0) die("listen");
  socklen_t len = sizeof addr;
  if (getsockname(lfd, (struct sockaddr *)&addr, &len) < 0) die("getsockname");
  set_nonblocking(lfd);
  printf("listening on %u\n", ntohs(addr.sin_port));

  fds[0].fd = lfd;
  fds[0].events = POLLIN;
  unsigned accepted = 0, finished = 0;

  while (quota < 0 || (int)finished < quota) {
    if (poll(fds, (nfds_t)nfds, -1) < 0) {
      if (errno == EINTR) continue;
      die("poll");
    }

    /* Clients first, from the end, so that drop() never moves an unvisited one. */
    for (int i = nfds - 1; i >= 1; i--) {
      short re = fds[i].revents;
      if (re == 0) continue;
      struct client *c = &clients[i];
      if (re & POLLOUT) {
        if (flush_pending(i) < 0) {
          drop(i);
          finished++;
        }
        continue;
      }
      if (re & (POLLIN | POLLHUP | POLLERR)) {
        ssize_t n = recv(c->fd, c->pending, sizeof c->pending, 0);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) continue;
        if (n <= 0) { /* 0: the client hung up; < 0: it reset */
          drop(i);
          finished++;
          continue;
        }
        c->bytes += (unsigned long long)n;
        c->pending_len = (size_t)n;
        if (flush_pending(i) < 0) {
          drop(i);
          finished++;
        }
      }
    }

    if (fds[0].revents & POLLIN) {
      for (;;) {
        struct sockaddr_in peer;
        socklen_t plen = sizeof peer;
        int fd = accept(lfd, (struct sockaddr *)&peer, &plen);
        if (fd < 0) {
          if (errno != EAGAIN && errno != EWOULDBLOCK) perror("accept");
          break;
        }
        if (nfds == 1 + MAX_CLIENTS) {
          fprintf(stderr, "too many clients, closing a new one\n");
          close(fd);
          continue;
        }
        set_nonblocking(fd);
        char text[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &peer.sin_addr, text, sizeof text);
        accepted++;
        printf("client %u connected from %s:%u\n", accepted, text, ntohs(peer.sin_port));
        fds[nfds].fd = fd;
        fds[nfds].events = POLLIN;
        fds[nfds].revents = 0;
        memset(&clients[nfds], 0, sizeof clients[nfds]);
        clients[nfds].fd = fd;
        clients[nfds].id = accepted;
        nfds++;
      }
    }
  }
  printf("served %u connections\n", finished);
  for (int i = nfds - 1; i >= 1; i--) drop(i);
  close(lfd);
  return 0;
}
