/*
 * steal.c: a hostile guest that tries to take traffic meant for a host socket.
 *
 *   steal tcp PORT   SO_REUSEPORT=1 on a TCP socket, bind 127.0.0.1:PORT, listen;
 *                    counts the connections it accepts for MS milliseconds
 *   steal udp PORT   SO_REUSEADDR=1 on a UDP socket, bind 127.0.0.1:PORT; counts the
 *                    datagrams it receives
 *   steal v6 PORT    an IPv6 TCP socket: IPV6_V6ONLY=0, bind [::]:PORT, listen; prints
 *                    the port and IPV6_V6ONLY as the kernel has it, then counts accepts
 * Lines: "setsockopt <errno name>", "bind <errno name>", "ready <port>",
 * "v6only <value>", and at the end "stolen <n>". MS is argv[3] (default 1500).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "sockbox.h"

static const char *en(int r) {
  if (r == 0) return "OK";
  switch (errno) {
    case ENOTCAPABLE: return "ENOTCAPABLE";
    case EADDRINUSE: return "EADDRINUSE";
    case EINVAL: return "EINVAL";
    case EACCES: return "EACCES";
    default: { static char b[16]; snprintf(b, sizeof b, "E%d", errno); return b; }
  }
}

static long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc < 3) { printf("usage: steal tcp|udp|v6 PORT [MS]\n"); return 2; }
  int port = atoi(argv[2]);
  long ms = argc > 3 ? atol(argv[3]) : 1500;
  int one = 1, zero = 0;
  int s;
  int tcp = strcmp(argv[1], "udp") != 0;
  if (!strcmp(argv[1], "v6")) {
    s = socket(AF_INET6, SOCK_STREAM, 0);
    printf("setsockopt %s\n", en(setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero)));
    struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons((unsigned short)port) };
    a.sin6_addr = in6addr_any;
    printf("bind %s\n", en(bind(s, (struct sockaddr *)&a, sizeof a)));
    int v = -1;
    socklen_t vl = sizeof v;
    getsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &v, &vl);
    printf("v6only %d\n", v);
    if (listen(s, 64) < 0) { printf("stolen 0\n"); return 0; }
    socklen_t al = sizeof a;
    getsockname(s, (struct sockaddr *)&a, &al);
    port = ntohs(a.sin6_port);
  } else {
    s = socket(AF_INET, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
    int opt = tcp ? SO_REUSEPORT : SO_REUSEADDR;
    printf("setsockopt %s\n", en(setsockopt(s, SOL_SOCKET, opt, &one, sizeof one)));
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int r = bind(s, (struct sockaddr *)&a, sizeof a);
    printf("bind %s\n", en(r));
    if (r < 0) { printf("stolen 0\n"); return 0; }
    if (tcp && listen(s, 64) < 0) { printf("stolen 0\n"); return 0; }
  }
  printf("ready %d\n", port);
  long end = now_ms() + ms;
  int stolen = 0;
  for (;;) {
    long left = end - now_ms();
    if (left <= 0) break;
    struct pollfd p = { .fd = s, .events = POLLIN };
    int n = poll(&p, 1, (int)left);
    if (n <= 0) continue;
    if (tcp) {
      int c = accept(s, NULL, NULL);
      if (c >= 0) { stolen++; close(c); }
    } else {
      char b[64];
      if (recv(s, b, sizeof b, 0) >= 0) stolen++;
    }
  }
  printf("stolen %d\n", stolen);
  return 0;
}
