/*
 * linger.c: a hostile guest that tries to make the host block in close().
 *
 * Linux's close() of a socket with SO_LINGER on and a time waits, uninterruptibly, for
 * unsent data to go out, up to the linger time. This guest fills a connection's send
 * queue (the peer does not read) with a linger of an hour, then closes it, exits, or
 * spins in pure wasm (so that the host must terminate its thread and close its fds).
 *
 * Usage:
 *   linger inherit MODE   listener with SO_LINGER {1, 3600}; prints "listening <port>";
 *                         the accepted socket inherits the linger (the listener's is
 *                         not set again)
 *   linger direct PORT MODE  connects to 127.0.0.1:PORT and sets SO_LINGER {1, 3600} on it
 * Then it prints "linger <onoff> <secs>" (read back from the socket it fills), fills
 * the send queue ("full <bytes>") and, by MODE:
 *   close   close() it, print "closed", then block in accept()/recv() until killed
 *   exit    return from main with the socket open (the sandbox closes it)
 *   spin    print "spinning" and loop forever without calling the host
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "sockbox.h"

static void die(const char *what) {
  printf("error %s %s\n", what, strerror(errno));
  exit(1);
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc < 3) { printf("usage: linger inherit MODE | linger direct PORT MODE\n"); return 2; }
  struct linger lg = { 1, 3600 };
  int keep = -1; /* a socket to block on after the close */
  int c;
  const char *mode;
  if (!strcmp(argv[1], "inherit")) {
    mode = argv[2];
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 4) < 0) die("bind/listen");
    if (setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) < 0) die("setsockopt");
    socklen_t len = sizeof a;
    getsockname(s, (struct sockaddr *)&a, &len);
    printf("listening %d\n", ntohs(a.sin_port));
    c = accept(s, NULL, NULL);
    if (c < 0) die("accept");
    keep = s;
  } else if (!strcmp(argv[1], "direct") && argc >= 4) {
    mode = argv[3];
    c = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[2])) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(c, (struct sockaddr *)&a, sizeof a) < 0) die("connect");
    if (setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) < 0) die("setsockopt");
    keep = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in u = { .sin_family = AF_INET };
    u.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(keep, (struct sockaddr *)&u, sizeof u) < 0) die("bind udp");
  } else {
    printf("usage: linger inherit MODE | linger direct PORT MODE\n");
    return 2;
  }
  struct linger got = { 0, 0 };
  socklen_t glen = sizeof got;
  getsockopt(c, SOL_SOCKET, SO_LINGER, &got, &glen);
  printf("linger %d %d\n", got.l_onoff, got.l_linger);
  fcntl(c, F_SETFL, O_NONBLOCK);
  static char chunk[65536];
  memset(chunk, 'L', sizeof chunk);
  long total = 0;
  for (;;) {
    ssize_t n = send(c, chunk, sizeof chunk, 0);
    if (n < 0) {
      if (errno == EAGAIN) break;
      die("send");
    }
    total += n;
  }
  printf("full %ld\n", total);
  if (!strcmp(mode, "close")) {
    if (close(c) < 0) die("close");
    printf("closed\n");
    char b;
    if (keep >= 0) {
      /* Blocks until killed: accept on the listener, or recv on the UDP socket. */
      if (!strcmp(argv[1], "inherit")) accept(keep, NULL, NULL);
      else recv(keep, &b, 1, 0);
    }
    return 0;
  }
  if (!strcmp(mode, "exit")) return 0;
  if (!strcmp(mode, "spin")) {
    printf("spinning\n");
    volatile unsigned long x = 0;
    for (;;) x++;
  }
  printf("usage: unknown mode %s\n", mode);
  return 2;
}
