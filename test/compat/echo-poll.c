/*
 * echo-poll.c: a poll(2) echo server written for Linux, in the usual style
 * (SOCK_NONBLOCK, accept4, SO_REUSEADDR, TCP_NODELAY, MSG_NOSIGNAL, perror).
 *
 * The compatibility check of sockbox's C SDK: this file is compiled unchanged
 * both natively and for wasm32-wasi, and test/guest-c.test.ts runs the native
 * binary and the sandboxed wasm against the same client script and compares
 * what they print. The only concession to WebAssembly is the guarded include of
 * sockbox.h below (the native build must not see it).
 *
 *     cc -O2 -Wall -Wextra test/compat/echo-poll.c -o echo-poll
 *     clang --target=wasm32-wasi -O2 -I guest/c test/compat/echo-poll.c guest/c/sockbox.c \
 *         -o test/compat/echo-poll.wasm
 *
 *     echo-poll PORT CONNECTIONS
 *
 * Listens on 127.0.0.1:PORT (0: any free port), echoes every client, and exits
 * 0 once CONNECTIONS clients have connected and hung up. stdout is line
 * buffered; lines that could depend on timing (byte counts per read) are not
 * printed.
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>
#ifdef __wasi__
#include "sockbox.h"
#endif

#define MAX_CONNS 32

struct conn {
  int id;
  long long bytes;
};

static void fatal(const char *what) {
  perror(what);
  exit(1);
}

static int getint(int fd, int level, int name, const char *what) {
  int v = -1;
  socklen_t len = sizeof(v);
  if (getsockopt(fd, level, name, &v, &len) < 0) fatal(what);
  if (len != sizeof(v)) {
    fprintf(stderr, "%s: optlen %u\n", what, (unsigned)len);
    exit(1);
  }
  return v;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s PORT CONNECTIONS\n", argv[0]);
    return 2;
  }
  int port = atoi(argv[1]);
  int want = atoi(argv[2]);
  setvbuf(stdout, NULL, _IOLBF, 0);

  int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (lfd < 0) fatal("socket");
  int on = 1;
  if (setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0) fatal("setsockopt");
  printf("SO_TYPE is %s\n", getint(lfd, SOL_SOCKET, SO_TYPE, "SO_TYPE") == SOCK_STREAM
                                ? "SOCK_STREAM" : "something else");
  printf("SO_REUSEADDR is %d\n", getint(lfd, SOL_SOCKET, SO_REUSEADDR, "SO_REUSEADDR"));
  printf("O_NONBLOCK is %s\n", (fcntl(lfd, F_GETFL) & O_NONBLOCK) ? "set" : "clear");

  struct sockaddr_in sin;
  memset(&sin, 0, sizeof(sin));
  sin.sin_family = AF_INET;
  sin.sin_port = htons(port);
  if (inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr) != 1) fatal("inet_pton");
  if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) < 0) fatal("bind");
  if (listen(lfd, SOMAXCONN) < 0) fatal("listen");
  socklen_t slen = sizeof(sin);
  if (getsockname(lfd, (struct sockaddr *)&sin, &slen) < 0) fatal("getsockname");
  printf("SO_ACCEPTCONN is %d\n", getint(lfd, SOL_SOCKET, SO_ACCEPTCONN, "SO_ACCEPTCONN"));
  printf("listening on %s:%d\n", inet_ntoa(sin.sin_addr), ntohs(sin.sin_port));

  struct pollfd pfd[1 + MAX_CONNS];
  struct conn conns[1 + MAX_CONNS];
  int n = 1, seen = 0, gone = 0;
  long long total = 0;
  pfd[0].fd = lfd;
  pfd[0].events = POLLIN;

  while (gone < want) {
    int ready = poll(pfd, n, -1);
    if (ready < 0) {
      if (errno == EINTR) continue;
      fatal("poll");
    }

    for (int i = n - 1; i >= 1; i--) {
      if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[4096];
      ssize_t r = recv(pfd[i].fd, buf, sizeof(buf), 0);
      if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) continue;
      if (r > 0) {
        conns[i].bytes += r;
        total += r;
        for (ssize_t off = 0; off < r;) {
          ssize_t w = send(pfd[i].fd, buf + off, r - off, MSG_NOSIGNAL);
          if (w < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
              struct pollfd out = {.fd = pfd[i].fd, .events = POLLOUT};
              poll(&out, 1, 1000);
              continue;
            }
            perror("send");
            break;
          }
          off += w;
        }
        continue;
      }
      if (r < 0) perror("recv");
      printf("conn %d: closed after %lld bytes\n", conns[i].id, conns[i].bytes);
      close(pfd[i].fd);
      gone++;
      n--;
      pfd[i] = pfd[n];
      conns[i] = conns[n];
    }

    if (pfd[0].revents & POLLIN) {
      for (;;) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof(ss);
        int fd = accept4(lfd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
          if (errno != EAGAIN && errno != EWOULDBLOCK) perror("accept4");
          break;
        }
        if (n == 1 + MAX_CONNS) {
          close(fd);
          continue;
        }
        if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on)) < 0) fatal("TCP_NODELAY");
        struct sockaddr_in peer;
        socklen_t plen = sizeof(peer);
        if (getpeername(fd, (struct sockaddr *)&peer, &plen) < 0) fatal("getpeername");
        const struct sockaddr_in *from = (const struct sockaddr_in *)&ss;
        char text[INET_ADDRSTRLEN];
        if (!inet_ntop(AF_INET, &from->sin_addr, text, sizeof(text))) fatal("inet_ntop");
        seen++;
        printf("conn %d: accepted from %s, family %s, getpeername %s, TCP_NODELAY=%d, "
               "SO_ERROR=%d, IP_TTL=%d\n",
               seen, text, ss.ss_family == AF_INET ? "AF_INET" : "other",
               (peer.sin_port == from->sin_port && peer.sin_addr.s_addr == from->sin_addr.s_addr)
                   ? "agrees" : "differs",
               getint(fd, IPPROTO_TCP, TCP_NODELAY, "TCP_NODELAY"),
               getint(fd, SOL_SOCKET, SO_ERROR, "SO_ERROR"),
               getint(fd, IPPROTO_IP, IP_TTL, "IP_TTL"));
        pfd[n].fd = fd;
        pfd[n].events = POLLIN;
        pfd[n].revents = 0;
        conns[n].id = seen;
        conns[n].bytes = 0;
        n++;
      }
    }
  }
  printf("done: %d connections, %lld bytes\n", gone, total);
  close(lfd);
  return 0;
}
