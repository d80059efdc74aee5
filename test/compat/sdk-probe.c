/*
 * sdk-probe.c: a test guest for sockbox's C SDK (guest/c/sockbox.h), used by
 * test/guest-c.test.ts. Built by build/examples.mjs into test/compat/sdk-probe.wasm.
 *
 * CONTRACT (the tests rely on it)
 *
 * argv[1] is the command. Every output line ends with "\n" (stdout is line
 * buffered). <errno> is the guest's errno as its name (sockbox_errno_name:
 * "ENOTCAPABLE", "EBADF", ...). <fam> is inet or inet6, <type> stream or dgram.
 * Unexpected failures print "error <what> <errno>" and exit 1; bad arguments
 * print a line starting "usage" and exit 2.
 *
 * getopt-linux <fam> <type> LEVEL:OPTNAME...
 *     One fresh socket; for each pair (decimal, Linux numbering) one
 *     sockbox_getsockopt_linux() into an int (zeroed, optlen 4):
 *     -> LEVEL:OPTNAME value=<int> len=<optlen>      or   LEVEL:OPTNAME errno=<errno>
 *
 * getopt-posix <fam> <type> LEVEL:OPTNAME...
 *     The same through plain getsockopt(); LEVEL 1 (Linux's SOL_SOCKET) is
 *     passed as the guest's SOL_SOCKET, other levels as they are.
 *
 * errors
 *     One line "<case> <result>" per case, in this order (the sockets are IPv4):
 *       getsockopt-unknown      getsockopt(SOL_SOCKET, 9999)            errno=<errno>
 *       setsockopt-unknown      setsockopt(SOL_SOCKET, 9999, int 1)     errno=<errno>
 *       getsockopt-bad-fd       getsockopt(fd 999, SO_TYPE)             errno=<errno>
 *       getsockopt-closed-fd    on a socket closed just before          errno=<errno>
 *       getsockopt-not-socket   getsockopt(fd 1 = stdout, SO_TYPE)      errno=<errno>
 *       send-bad-fd             send(fd 999, "x")                       errno=<errno>
 *       connect-denied          non-blocking connect to 127.0.0.2:9     errno=<errno>
 *       bind-denied             bind to 127.0.0.1:1                     errno=<errno>
 *       getsockopt-peercred     getsockopt(SOL_SOCKET, SO_PEERCRED)     errno=<errno>
 *       getsockopt-short        SO_REUSEADDR (set to 1) with optlen 2   ret=<r> optlen=<n> value=<int>
 *       getsockopt-short-ttl    IP_TTL with optlen 2 (Linux gives 1 byte)  ret=<r> optlen=<n> value=<int>
 *       getsockopt-short-type   SO_TYPE with optlen 2 (translated)      ret=<r> optlen=<n> value=<int>
 *       setsockopt-short        SO_REUSEADDR with optlen 2              errno=<errno>
 *       getsockopt-null-optlen  getsockopt(..., optlen NULL)            errno=<errno>
 *       level-icmp              getsockopt(level 1 = IPPROTO_ICMP, 1)   errno=<errno>
 *       socket-unix             socket(AF_UNIX, SOCK_STREAM, 0)         errno=<errno>
 *       socket-bad-type         socket(AF_INET, 3, 0)                   errno=<errno>
 *       socket-bad-protocol     socket(AF_INET, SOCK_STREAM, IPPROTO_UDP)  errno=<errno>
 *       send-flags              send(..., MSG_MORE 0x8000)              errno=<errno>
 *       so-error-refused        SO_ERROR after a refused non-blocking connect, getsockopt
 *                                                                       value=<errno name>
 *       so-error-refused-linux  the same through sockbox_getsockopt_linux  value=<int>
 *       getaddrinfo-denied      getaddrinfo("localhost", "80")          gai=<int> errno=<errno>
 *       strerror-notcapable     strerror(ENOTCAPABLE)                   <text>
 *       epolicy                 SOCKBOX_EPOLICY                         <int> (ENOTCAPABLE <int>)
 *     Exits 0.
 *
 * udp <4|6>
 *     A DGRAM socket bound to loopback:0. In order:
 *       poll(POLLIN, 50 ms) on it                 -> poll-empty <n>
 *       recv(MSG_DONTWAIT)                        -> dontwait errno=<errno> nonblock=<0|1 afterwards>
 *       sendto itself "datagram", poll(POLLIN, 5 s)   -> poll-ready <n> revents-in=<0|1>
 *       recvfrom                                  -> recvfrom <text> from-self=<0|1> addrlen=<n>
 *       sendto itself "0123456789", recvmsg into 4 bytes
 *                                                 -> recvmsg n=<n> trunc=<0|1> text=<4 bytes>
 *     Exits 0.
 *
 * tcp <4|6>
 *     Listener on loopback:0, a client connects, accept(addr):
 *       -> accept family-ok=<0|1> port-match=<0|1> addr-match=<0|1> addrlen=<n>
 *       -> getpeername port-match=<0|1>
 *       client sends "abc" with sendmsg (two iovecs "a","bc"), server recv(MSG_PEEK)
 *       then recv(MSG_WAITALL, 3):
 *       -> peek <text> waitall <text>
 *       shutdown(client, SHUT_WR); server recv -> eof <n>
 *     Exits 0.
 *
 * addrinfo <node|-> <service|-> [passive]
 *     getaddrinfo(node, service, {AF_UNSPEC, SOCK_STREAM [, AI_PASSIVE]}):
 *       -> ai <inet|inet6> <stream|dgram> <protocol> <address> <port>   (one per answer)
 *       or -> gai=<int> <gai_strerror> errno=<errno>
 *
 * inet
 *     inet_aton/inet_addr/inet_ntoa/getnameinfo cases, one "<case> <result>" line each.
 */

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "sockbox.h"

static const char *E(int err) { return sockbox_errno_name(err); }

static _Noreturn void fail(const char *what) {
  printf("error %s %s\n", what, E(errno));
  exit(1);
}

static _Noreturn void usage(void) {
  printf("usage: sdk-probe getopt-linux|getopt-posix <inet|inet6> <stream|dgram> L:O... | errors"
         " | udp <4|6> | tcp <4|6> | addrinfo <node|-> <service|-> [passive] | inet\n");
  exit(2);
}

static int family_arg(const char *s) {
  if (strcmp(s, "inet") == 0 || strcmp(s, "4") == 0) return AF_INET;
  if (strcmp(s, "inet6") == 0 || strcmp(s, "6") == 0) return AF_INET6;
  usage();
}

static int type_arg(const char *s) {
  if (strcmp(s, "stream") == 0) return SOCK_STREAM;
  if (strcmp(s, "dgram") == 0) return SOCK_DGRAM;
  usage();
}

static int open_socket(int family, int type) {
  int fd = socket(family, type, 0);
  if (fd < 0) fail("socket");
  return fd;
}

/* The loopback address of a family, port `port`, as a sockaddr_storage. */
static socklen_t loopback(struct sockaddr_storage *ss, int family, uint16_t port) {
  memset(ss, 0, sizeof *ss);
  if (family == AF_INET) {
    struct sockaddr_in *in = (struct sockaddr_in *)ss;
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return sizeof *in;
  }
  struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
  in6->sin6_family = AF_INET6;
  in6->sin6_port = htons(port);
  in6->sin6_addr = in6addr_loopback;
  return sizeof *in6;
}

static uint16_t port_of(const struct sockaddr_storage *ss) {
  return ntohs(ss->ss_family == AF_INET ? ((const struct sockaddr_in *)ss)->sin_port
                                        : ((const struct sockaddr_in6 *)ss)->sin6_port);
}

static int same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b) {
  if (a->ss_family != b->ss_family) return 0;
  if (a->ss_family == AF_INET)
    return memcmp(&((const struct sockaddr_in *)a)->sin_addr,
                  &((const struct sockaddr_in *)b)->sin_addr, 4) == 0;
  return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
                &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0;
}

/* Binds fd to loopback:0 and returns the bound address. */
static void bind_loopback(int fd, int family, struct sockaddr_storage *bound) {
  struct sockaddr_storage ss;
  socklen_t len = loopback(&ss, family, 0);
  if (bind(fd, (struct sockaddr *)&ss, len) != 0) fail("bind");
  len = sizeof *bound;
  if (getsockname(fd, (struct sockaddr *)bound, &len) != 0) fail("getsockname");
}

/* ======================================================================== */

static void cmd_getopt(int linux_abi, int argc, char **argv) {
  if (argc < 2) usage();
  int fd = open_socket(family_arg(argv[0]), type_arg(argv[1]));
  for (int i = 2; i < argc; i++) {
    char *colon = strchr(argv[i], ':');
    if (colon == NULL) usage();
    int level = atoi(argv[i]);
    int name = atoi(colon + 1);
    int value = 0;
    socklen_t len = sizeof value;
    int rc = linux_abi ? sockbox_getsockopt_linux(fd, level, name, &value, &len)
                       : getsockopt(fd, level == 1 ? SOL_SOCKET : level, name, &value, &len);
    if (rc == 0)
      printf("%d:%d value=%d len=%u\n", level, name, value, (unsigned)len);
    else
      printf("%d:%d errno=%s\n", level, name, E(errno));
  }
  close(fd);
}

/* A non-blocking connect to a closed loopback port; returns the socket once the
 * refusal is in (poll for POLLOUT). */
static int refused_socket(void) {
  struct sockaddr_storage ss;
  int probe = open_socket(AF_INET, SOCK_STREAM);
  bind_loopback(probe, AF_INET, &ss);
  close(probe);
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (fd < 0) fail("socket");
  if (connect(fd, (struct sockaddr *)&ss, sizeof(struct sockaddr_in)) == 0) fail("connect-succeeded");
  if (errno != EINPROGRESS && errno != ECONNREFUSED) fail("connect");
  struct pollfd p = {.fd = fd, .events = POLLOUT};
  if (poll(&p, 1, 5000) != 1) fail("poll");
  return fd;
}

static void cmd_errors(void) {
  int s = open_socket(AF_INET, SOCK_STREAM);
  int v = 1;
  socklen_t len = sizeof v;

  printf("getsockopt-unknown errno=%s\n",
         getsockopt(s, SOL_SOCKET, 9999, &v, &len) == 0 ? "0" : E(errno));
  printf("setsockopt-unknown errno=%s\n",
         setsockopt(s, SOL_SOCKET, 9999, &v, sizeof v) == 0 ? "0" : E(errno));
  len = sizeof v;
  printf("getsockopt-bad-fd errno=%s\n",
         getsockopt(999, SOL_SOCKET, SO_TYPE, &v, &len) == 0 ? "0" : E(errno));
  int closed = open_socket(AF_INET, SOCK_STREAM);
  close(closed);
  len = sizeof v;
  printf("getsockopt-closed-fd errno=%s\n",
         getsockopt(closed, SOL_SOCKET, SO_TYPE, &v, &len) == 0 ? "0" : E(errno));
  len = sizeof v;
  printf("getsockopt-not-socket errno=%s\n",
         getsockopt(1, SOL_SOCKET, SO_TYPE, &v, &len) == 0 ? "0" : E(errno));
  printf("send-bad-fd errno=%s\n", send(999, "x", 1, 0) >= 0 ? "0" : E(errno));

  struct sockaddr_in to;
  memset(&to, 0, sizeof to);
  to.sin_family = AF_INET;
  to.sin_port = htons(9);
  inet_pton(AF_INET, "127.0.0.2", &to.sin_addr);
  int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  printf("connect-denied errno=%s\n",
         connect(c, (struct sockaddr *)&to, sizeof to) == 0 ? "0" : E(errno));
  close(c);

  to.sin_port = htons(1);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int b = open_socket(AF_INET, SOCK_STREAM);
  printf("bind-denied errno=%s\n", bind(b, (struct sockaddr *)&to, sizeof to) == 0 ? "0" : E(errno));
  close(b);

  char cred[64];
  len = sizeof cred;
  printf("getsockopt-peercred errno=%s\n",
         getsockopt(s, SOL_SOCKET, SO_PEERCRED, cred, &len) == 0 ? "0" : E(errno));

  int r1 = open_socket(AF_INET, SOCK_STREAM);
  v = 1;
  if (setsockopt(r1, SOL_SOCKET, SO_REUSEADDR, &v, sizeof v) != 0) fail("setsockopt");
  v = 0;
  len = 2;
  int rc = getsockopt(r1, SOL_SOCKET, SO_REUSEADDR, &v, &len);
  printf("getsockopt-short ret=%d optlen=%u value=%d\n", rc, (unsigned)len, v);
  close(r1);
  v = 0;
  len = 2;
  rc = getsockopt(s, IPPROTO_IP, IP_TTL, &v, &len);
  printf("getsockopt-short-ttl ret=%d optlen=%u value=%d\n", rc, (unsigned)len, v);
  v = 0;
  len = 2;
  rc = getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &len);
  printf("getsockopt-short-type ret=%d optlen=%u value=%d\n", rc, (unsigned)len, v);
  v = 1;
  printf("setsockopt-short errno=%s\n",
         setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, 2) == 0 ? "0" : E(errno));
  printf("getsockopt-null-optlen errno=%s\n",
         getsockopt(s, SOL_SOCKET, SO_TYPE, &v, NULL) == 0 ? "0" : E(errno));
  len = sizeof v;
  printf("level-icmp errno=%s\n", getsockopt(s, IPPROTO_ICMP, 1, &v, &len) == 0 ? "0" : E(errno));

  printf("socket-unix errno=%s\n", socket(AF_UNIX, SOCK_STREAM, 0) >= 0 ? "0" : E(errno));
  printf("socket-bad-type errno=%s\n", socket(AF_INET, 3, 0) >= 0 ? "0" : E(errno));
  printf("socket-bad-protocol errno=%s\n",
         socket(AF_INET, SOCK_STREAM, IPPROTO_UDP) >= 0 ? "0" : E(errno));
  printf("send-flags errno=%s\n", send(s, "x", 1, 0x8000) >= 0 ? "0" : E(errno));

  int r = refused_socket();
  int err = -1;
  len = sizeof err;
  if (getsockopt(r, SOL_SOCKET, SO_ERROR, &err, &len) != 0) fail("getsockopt SO_ERROR");
  printf("so-error-refused value=%s\n", E(err));
  close(r);
  r = refused_socket();
  err = -1;
  len = sizeof err;
  if (sockbox_getsockopt_linux(r, 1, 4, &err, &len) != 0) fail("sockbox_getsockopt_linux SO_ERROR");
  printf("so-error-refused-linux value=%d\n", err);
  close(r);

  struct addrinfo *res = NULL;
  errno = 0;
  int gai = getaddrinfo("localhost", "80", NULL, &res);
  printf("getaddrinfo-denied gai=%d errno=%s\n", gai, E(errno));
  if (gai == 0) freeaddrinfo(res);

  printf("strerror-notcapable %s\n", strerror(ENOTCAPABLE));
  printf("epolicy %d (ENOTCAPABLE %d)\n", SOCKBOX_EPOLICY, ENOTCAPABLE);
  close(s);
}

static void cmd_udp(int family) {
  int fd = open_socket(family, SOCK_DGRAM);
  struct sockaddr_storage self, from;
  bind_loopback(fd, family, &self);
  socklen_t selflen = family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);

  struct pollfd p = {.fd = fd, .events = POLLIN};
  printf("poll-empty %d\n", poll(&p, 1, 50));

  char buf[64];
  ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
  printf("dontwait errno=%s nonblock=%d\n", n >= 0 ? "0" : E(errno),
         (fcntl(fd, F_GETFL) & O_NONBLOCK) ? 1 : 0);

  if (sendto(fd, "datagram", 8, 0, (struct sockaddr *)&self, selflen) != 8) fail("sendto");
  p.revents = 0;
  int ready = poll(&p, 1, 5000);
  printf("poll-ready %d revents-in=%d\n", ready, (p.revents & POLLIN) ? 1 : 0);

  socklen_t flen = sizeof from;
  memset(&from, 0, sizeof from);
  n = recvfrom(fd, buf, sizeof buf - 1, 0, (struct sockaddr *)&from, &flen);
  if (n < 0) fail("recvfrom");
  buf[n] = '\0';
  printf("recvfrom %s from-self=%d addrlen=%u\n", buf,
         same_addr(&from, &self) && port_of(&from) == port_of(&self), (unsigned)flen);

  if (sendto(fd, "0123456789", 10, 0, (struct sockaddr *)&self, selflen) != 10) fail("sendto");
  char small[5] = {0};
  struct iovec iov = {.iov_base = small, .iov_len = 4};
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_name = &from;
  msg.msg_namelen = sizeof from;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  n = recvmsg(fd, &msg, 0);
  if (n < 0) fail("recvmsg");
  printf("recvmsg n=%zd trunc=%d text=%s\n", n, (msg.msg_flags & MSG_TRUNC) ? 1 : 0, small);
  close(fd);
}

static void cmd_tcp(int family) {
  struct sockaddr_storage server, client, accepted, peer;
  int lfd = open_socket(family, SOCK_STREAM);
  bind_loopback(lfd, family, &server);
  if (listen(lfd, 4) != 0) fail("listen");
  int cfd = open_socket(family, SOCK_STREAM);
  socklen_t len = family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
  if (connect(cfd, (struct sockaddr *)&server, len) != 0) fail("connect");
  len = sizeof client;
  if (getsockname(cfd, (struct sockaddr *)&client, &len) != 0) fail("getsockname");

  socklen_t alen = sizeof accepted;
  memset(&accepted, 0, sizeof accepted);
  int afd = accept(lfd, (struct sockaddr *)&accepted, &alen);
  if (afd < 0) fail("accept");
  printf("accept family-ok=%d port-match=%d addr-match=%d addrlen=%u\n",
         accepted.ss_family == family, port_of(&accepted) == port_of(&client),
         same_addr(&accepted, &client), (unsigned)alen);
  len = sizeof peer;
  if (getpeername(cfd, (struct sockaddr *)&peer, &len) != 0) fail("getpeername");
  printf("getpeername port-match=%d\n", port_of(&peer) == port_of(&server));

  struct iovec iov[2] = {{.iov_base = "a", .iov_len = 1}, {.iov_base = "bc", .iov_len = 2}};
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = iov;
  msg.msg_iovlen = 2;
  if (sendmsg(cfd, &msg, MSG_NOSIGNAL) != 3) fail("sendmsg");
  char peek[4] = {0}, all[4] = {0};
  if (recv(afd, peek, 1, MSG_PEEK) != 1) fail("recv peek");
  if (recv(afd, all, 3, MSG_WAITALL) != 3) fail("recv waitall");
  printf("peek %s waitall %s\n", peek, all);
  if (shutdown(cfd, SHUT_WR) != 0) fail("shutdown");
  printf("eof %zd\n", recv(afd, all, sizeof all, 0));
  close(afd);
  close(cfd);
  close(lfd);
}

static void cmd_addrinfo(int argc, char **argv) {
  if (argc < 2 || argc > 3) usage();
  const char *node = strcmp(argv[0], "-") == 0 ? NULL : argv[0];
  const char *service = strcmp(argv[1], "-") == 0 ? NULL : argv[1];
  struct addrinfo hints, *res, *ai;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  if (argc == 3) hints.ai_flags = AI_PASSIVE;
  errno = 0;
  int rc = getaddrinfo(node, service, &hints, &res);
  if (rc != 0) {
    printf("gai=%d %s errno=%s\n", rc, gai_strerror(rc), E(errno));
    return;
  }
  for (ai = res; ai != NULL; ai = ai->ai_next) {
    char text[INET6_ADDRSTRLEN];
    char port[NI_MAXSERV];
    if (getnameinfo(ai->ai_addr, ai->ai_addrlen, text, sizeof text, port, sizeof port,
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0)
      fail("getnameinfo");
    printf("ai %s %s %d %s %s\n", ai->ai_family == AF_INET ? "inet" : "inet6",
           ai->ai_socktype == SOCK_STREAM ? "stream" : "dgram", ai->ai_protocol, text, port);
  }
  freeaddrinfo(res);
}

static void cmd_inet(void) {
  static const char *const ATON[] = {"127.0.0.1", "10.1", "0x7f.1", "1.2.3", "017.0.0.1",
                                     "256.1.1.1", "1.2.3.4.5", "", "1.2.3.x"};
  for (size_t i = 0; i < sizeof ATON / sizeof ATON[0]; i++) {
    struct in_addr a = {0};
    int ok = inet_aton(ATON[i], &a);
    char text[INET_ADDRSTRLEN] = "-";
    if (ok) inet_ntop(AF_INET, &a, text, sizeof text);
    printf("inet_aton \"%s\" %d %s\n", ATON[i], ok, text);
  }
  printf("inet_addr-none %d\n", inet_addr("nope") == INADDR_NONE);
  struct in_addr lo = {htonl(INADDR_LOOPBACK)};
  printf("inet_ntoa %s\n", inet_ntoa(lo));

  struct sockaddr_storage ss;
  char host[NI_MAXHOST], serv[NI_MAXSERV], tiny[3];
  socklen_t len = loopback(&ss, AF_INET6, 8080);
  int rc = getnameinfo((struct sockaddr *)&ss, len, host, sizeof host, serv, sizeof serv,
                       NI_NUMERICHOST | NI_NUMERICSERV);
  printf("getnameinfo %d %s %s\n", rc, host, serv);
  rc = getnameinfo((struct sockaddr *)&ss, len, host, sizeof host, NULL, 0, NI_NAMEREQD);
  printf("getnameinfo-namereqd %d\n", rc);
  rc = getnameinfo((struct sockaddr *)&ss, len, tiny, sizeof tiny, NULL, 0, NI_NUMERICHOST);
  printf("getnameinfo-overflow %d\n", rc);
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc < 2) usage();
  const char *cmd = argv[1];
  if (strcmp(cmd, "getopt-linux") == 0) {
    cmd_getopt(1, argc - 2, argv + 2);
  } else if (strcmp(cmd, "getopt-posix") == 0) {
    cmd_getopt(0, argc - 2, argv + 2);
  } else if (strcmp(cmd, "errors") == 0 && argc == 2) {
    cmd_errors();
  } else if (strcmp(cmd, "udp") == 0 && argc == 3) {
    cmd_udp(family_arg(argv[2]));
  } else if (strcmp(cmd, "tcp") == 0 && argc == 3) {
    cmd_tcp(family_arg(argv[2]));
  } else if (strcmp(cmd, "addrinfo") == 0) {
    cmd_addrinfo(argc - 2, argv + 2);
  } else if (strcmp(cmd, "inet") == 0 && argc == 2) {
    cmd_inet();
  } else {
    usage();
  }
  return 0;
}
