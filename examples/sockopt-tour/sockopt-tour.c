/*
 * sockopt-tour: socket options as a WebAssembly guest sees them inside sockbox.
 *
 * An ordinary POSIX program (socket, getsockopt, setsockopt, bind, listen,
 * connect, accept, send, recv, poll) built for wasm32-wasi with sockbox's C SDK:
 *
 *     clang --target=wasm32-wasi -O2 -I guest/c examples/sockopt-tour/sockopt-tour.c \
 *         guest/c/sockbox.c -o examples/sockopt-tour/sockopt-tour.wasm
 *     (or: node build/examples.mjs)
 *
 *     sockbox run examples/sockopt-tour/sockopt-tour.wasm \
 *         --allow-bind 127.0.0.1:0 --allow-bind '[::1]:0' --allow-connect '127.0.0.1:*'
 *
 * It opens TCP and UDP sockets over IPv4 and IPv6, prints a Markdown table of
 * options read with getsockopt() on each, then times an echo round trip over
 * 127.0.0.1. Without the grants, what the sandbox refuses shows as ENOTCAPABLE.
 * Exit status: 0, or 1 when the echo round trip fails.
 */

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "sockbox.h"

/* IP_RECVDSTADDR is BSD/macOS only, so Linux's headers (and sockbox.h) lack it;
 * sockbox reaches it by its sockbox-ABI number to show what a Linux host says. */
#ifndef IP_RECVDSTADDR
#define IP_RECVDSTADDR SOCKBOX_IP_RECVDSTADDR
#endif

enum { NKINDS = 4 };

static const struct {
  const char *name;
  int family;
  int type;
} KINDS[NKINDS] = {
    {"inet/stream", AF_INET, SOCK_STREAM},
    {"inet/dgram", AF_INET, SOCK_DGRAM},
    {"inet6/stream", AF_INET6, SOCK_STREAM},
    {"inet6/dgram", AF_INET6, SOCK_DGRAM},
};

/* One table row: which option, its value kind and what it means (sockbox's
 * catalogue descriptions). */
typedef struct {
  const char *name;
  int level;
  int option;
  const char *kind;
  const char *description;
} option_t;

static const option_t SO_ACCEPTCONN_ROW = {"SO_ACCEPTCONN", SOL_SOCKET, SO_ACCEPTCONN, "0,1",
                                           "Is the socket accepting connections?"};
static const option_t SEED[] = {
    {"SO_ERROR", SOL_SOCKET, SO_ERROR, "int", "Gets error status (and clears it)."},
    {"SO_KEEPALIVE", SOL_SOCKET, SO_KEEPALIVE, "0,1", "Is there a keepalive probe?"},
    {"SO_TYPE", SOL_SOCKET, SO_TYPE, "int", "Gets socket type."},
    {"IP_HDRINCL", IPPROTO_IP, IP_HDRINCL, "0,1", "Gets IP header included with data."},
    {"IP_RECVDSTADDR", IPPROTO_IP, IP_RECVDSTADDR, "0,1",
     "Receives the destination address with datagrams (BSD/macOS only)."},
    {"IP_TOS", IPPROTO_IP, IP_TOS, "int", "Gets type of service."},
    {"IP_TTL", IPPROTO_IP, IP_TTL, "int", "Gets time-to-live."},
};
static const option_t SO_REUSEADDR_ROW = {"SO_REUSEADDR", SOL_SOCKET, SO_REUSEADDR, "0,1",
                                          "Allows reuse of local addresses."};

/* A table cell: the option's value, SOCK_STREAM/SOCK_DGRAM for SO_TYPE, an errno
 * name for SO_ERROR, or the errno name getsockopt failed with. */
static const char *cell(int fd, const option_t *o, char *buf, size_t size) {
  int value = 0;
  socklen_t len = sizeof value;
  if (fd < 0) return sockbox_errno_name(-fd);
  if (getsockopt(fd, o->level, o->option, &value, &len) != 0) return sockbox_errno_name(errno);
  if (o->level == SOL_SOCKET && o->option == SO_TYPE) {
    if (value == SOCK_STREAM) return "SOCK_STREAM";
    if (value == SOCK_DGRAM) return "SOCK_DGRAM";
  }
  if (o->level == SOL_SOCKET && o->option == SO_ERROR && value != 0)
    return sockbox_errno_name(value);
  snprintf(buf, size, "%d", value);
  return buf;
}

static void row(const option_t *o, const char *label, const int fds[NKINDS]) {
  char bufs[NKINDS][16];
  printf("| %s | %s | %s |", label != NULL ? label : o->name, o->kind, o->description);
  for (int k = 0; k < NKINDS; k++) printf(" %s |", cell(fds[k], o, bufs[k], sizeof bufs[k]));
  printf("\n");
}

/* A fresh socket of each kind; a failure is kept as -errno so its cells show it. */
static void open_all(int fds[NKINDS]) {
  for (int k = 0; k < NKINDS; k++) {
    fds[k] = socket(KINDS[k].family, KINDS[k].type, 0);
    if (fds[k] < 0) fds[k] = -errno;
  }
}

static void close_all(const int fds[NKINDS]) {
  for (int k = 0; k < NKINDS; k++)
    if (fds[k] >= 0) close(fds[k]);
}

/* Binds fd to the loopback address of its family, port 0. Returns 0 or an errno. */
static int bind_loopback(int fd, int family) {
  struct sockaddr_in in;
  struct sockaddr_in6 in6;
  memset(&in, 0, sizeof in);
  memset(&in6, 0, sizeof in6);
  in.sin_family = AF_INET;
  in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  in6.sin6_family = AF_INET6;
  in6.sin6_addr = (struct in6_addr)IN6ADDR_LOOPBACK_INIT;
  int rc = family == AF_INET ? bind(fd, (struct sockaddr *)&in, sizeof in)
                             : bind(fd, (struct sockaddr *)&in6, sizeof in6);
  return rc == 0 ? 0 : errno;
}

static void print_table(void) {
  int fds[NKINDS];
  open_all(fds);

  printf("| Option Name | Value | Description |");
  for (int k = 0; k < NKINDS; k++) printf(" %s |", KINDS[k].name);
  printf("\n| --- | --- | --- |");
  for (int k = 0; k < NKINDS; k++) printf(" --- |");
  printf("\n");

  row(&SO_ACCEPTCONN_ROW, NULL, fds);
  for (size_t i = 0; i < sizeof SEED / sizeof SEED[0]; i++) row(&SEED[i], NULL, fds);

  /* SO_REUSEADDR: read, set to 1, read again. */
  row(&SO_REUSEADDR_ROW, NULL, fds);
  int set[NKINDS];
  for (int k = 0; k < NKINDS; k++) {
    int one = 1;
    set[k] = fds[k];
    if (fds[k] >= 0 && setsockopt(fds[k], SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0)
      set[k] = -errno;
  }
  row(&SO_REUSEADDR_ROW, "SO_REUSEADDR after setsockopt(1)", set);

  /* SO_ACCEPTCONN once the stream sockets listen on loopback port 0 (datagram
   * sockets cannot listen: their cells say n/a). */
  int listening[NKINDS];
  for (int k = 0; k < NKINDS; k++) {
    listening[k] = fds[k];
    if (fds[k] < 0 || KINDS[k].type != SOCK_STREAM) continue;
    int err = bind_loopback(fds[k], KINDS[k].family);
    if (err == 0 && listen(fds[k], 4) != 0) err = errno;
    if (err != 0) listening[k] = -err;
  }
  char bufs[NKINDS][16];
  printf("| SO_ACCEPTCONN after listen() | %s | %s |", SO_ACCEPTCONN_ROW.kind,
         SO_ACCEPTCONN_ROW.description);
  for (int k = 0; k < NKINDS; k++) {
    const char *c = KINDS[k].type == SOCK_STREAM
                        ? cell(listening[k], &SO_ACCEPTCONN_ROW, bufs[k], sizeof bufs[k])
                        : "n/a";
    printf(" %s |", c);
  }
  printf("\n");
  close_all(fds);
}

/* SO_ERROR after a non-blocking connect to a loopback port nobody listens on:
 * poll() waits for the outcome, SO_ERROR tells it (in this program's errno
 * numbering). Returns the errno name, or why it could not be shown. */
static const char *refused_connect(char *port_text, size_t size) {
  struct sockaddr_in a;
  socklen_t len = sizeof a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  snprintf(port_text, size, "?");

  /* A port nobody listens on: bind one, note it, close it. */
  int probe = socket(AF_INET, SOCK_STREAM, 0);
  if (probe < 0) return sockbox_errno_name(errno);
  if (bind(probe, (struct sockaddr *)&a, sizeof a) != 0 ||
      getsockname(probe, (struct sockaddr *)&a, &len) != 0) {
    int err = errno;
    close(probe);
    return sockbox_errno_name(err);
  }
  close(probe);
  snprintf(port_text, size, "%u", ntohs(a.sin_port));

  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (fd < 0) return sockbox_errno_name(errno);
  const char *answer;
  if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0) {
    answer = "connected (someone took the port)";
  } else if (errno != EINPROGRESS) {
    answer = sockbox_errno_name(errno); /* refused at once, or by the policy */
  } else {
    struct pollfd p = {.fd = fd, .events = POLLOUT};
    int err = 0;
    socklen_t elen = sizeof err;
    if (poll(&p, 1, 5000) != 1)
      answer = "no answer within 5 s";
    else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0)
      answer = sockbox_errno_name(errno);
    else
      answer = sockbox_errno_name(err);
  }
  close(fd);
  return answer;
}

static long long now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

/* Sends all of buf on a blocking socket. */
static int send_all(int fd, const char *buf, size_t len) {
  while (len > 0) {
    ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
    if (n < 0) return -1;
    buf += n;
    len -= (size_t)n;
  }
  return 0;
}

/* Receives exactly len bytes (MSG_WAITALL). */
static int recv_all(int fd, char *buf, size_t len) {
  ssize_t n = recv(fd, buf, len, MSG_WAITALL);
  if (n < 0) return -1;
  if ((size_t)n != len) {
    errno = ECONNRESET;
    return -1;
  }
  return 0;
}

/* Listens on 127.0.0.1:0, connects to itself and sends "ping" ROUNDS times;
 * the accepted socket echoes each. Prints the fastest round trip (the first
 * ones also warm up the host's JIT). Returns 0, or 1 after saying what failed. */
static int echo_round_trip(void) {
  enum { ROUNDS = 10 };
  static const char PING[] = "ping";
  char got[sizeof PING] = {0}, echoed[sizeof PING] = {0};
  const char *step = "socket";
  int lfd = -1, cfd = -1, afd = -1, one = 1, status = 1;
  long long best = -1;
  struct sockaddr_in server, client;
  socklen_t slen = sizeof server, clen = sizeof client;
  memset(&server, 0, sizeof server);
  server.sin_family = AF_INET;
  server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

  if ((lfd = socket(AF_INET, SOCK_STREAM, 0)) < 0) goto out;
  step = "setsockopt(SO_REUSEADDR)";
  if (setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) goto out;
  step = "bind 127.0.0.1:0";
  if (bind(lfd, (struct sockaddr *)&server, sizeof server) != 0) goto out;
  step = "listen";
  if (listen(lfd, 1) != 0 || getsockname(lfd, (struct sockaddr *)&server, &slen) != 0) goto out;
  step = "socket";
  if ((cfd = socket(AF_INET, SOCK_STREAM, 0)) < 0) goto out;
  step = "connect to 127.0.0.1";
  if (connect(cfd, (struct sockaddr *)&server, sizeof server) != 0) goto out;
  step = "accept";
  if ((afd = accept(lfd, (struct sockaddr *)&client, &clen)) < 0) goto out;
  step = "setsockopt(TCP_NODELAY)";
  if (setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0 ||
      setsockopt(afd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0)
    goto out;
  step = "send/recv";
  for (int i = 0; i < ROUNDS; i++) {
    long long t0 = now_us();
    if (send_all(cfd, PING, sizeof PING - 1) != 0 || recv_all(afd, got, sizeof PING - 1) != 0 ||
        send_all(afd, got, sizeof PING - 1) != 0 || recv_all(cfd, echoed, sizeof PING - 1) != 0)
      goto out;
    long long t = now_us() - t0;
    if (best < 0 || t < best) best = t;
  }

  char from[INET_ADDRSTRLEN], to[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &client.sin_addr, from, sizeof from);
  inet_ntop(AF_INET, &server.sin_addr, to, sizeof to);
  printf("echo round trip: %s -> %s (%lld µs, best of %d; %s:%u -> %s:%u)\n", PING, echoed, best,
         ROUNDS, from, ntohs(client.sin_port), to, ntohs(server.sin_port));
  status = strcmp(echoed, PING) == 0 ? 0 : 1;
  step = NULL;
out:
  if (step != NULL) {
    int err = errno;
    printf("echo round trip failed: %s: %s (%s)\n", step, sockbox_errno_name(err), strerror(err));
    if (err == ENOTCAPABLE)
      printf("  the sandbox refused it: run with --allow-bind 127.0.0.1:0 "
             "--allow-connect '127.0.0.1:*'\n");
  }
  if (afd >= 0) close(afd);
  if (cfd >= 0) close(cfd);
  if (lfd >= 0) close(lfd);
  return status;
}

int main(void) {
  printf("# Socket options inside the sockbox sandbox\n\n");
  printf("What a C program compiled to WebAssembly (wasm32-wasi, POSIX sockets from\n"
         "guest/c/sockbox.h) reads with getsockopt() on fresh sockets. The sandbox\n"
         "forwards each call to the host kernel after checking its policy.\n\n");
  print_table();

  printf("\nSO_TYPE prints this program's own constants: SOCK_STREAM is %d and SOCK_DGRAM\n"
         "is %d in wasi-libc's numbering (Linux's are 1 and 2); sockbox translates.\n",
         SOCK_STREAM, SOCK_DGRAM);
  printf("IP_RECVDSTADDR exists on BSD and macOS only, so a Linux host answers ENOPROTOOPT.\n");
  printf("A cell with ENOTCAPABLE is a call the sandbox's policy refused.\n\n");

  char port[8];
  const char *answer = refused_connect(port, sizeof port);
  printf("SO_ERROR after a non-blocking connect to 127.0.0.1:%s (nobody listening): %s\n", port,
         answer);
  int status = echo_round_trip();
  fflush(stdout);
  return status;
}
