/*
 * privileged.c: a hostile guest that tries options an unprivileged process could not
 * set, hoping the host runs as root. One line per try: "<NAME> <errno name>".
 *   TCP_CONGESTION argv[1] (default cubic; only root may pick what
 *   tcp_allowed_congestion_control lacks, and root makes the kernel load it by name),
 *   TCP_CONGESTION reno (allowed to everyone: the control), SO_PRIORITY 7, SO_MARK 1,
 *   SO_BUSY_POLL 1000, IP_TRANSPARENT 1, SO_BINDTODEVICE "lo", SO_DEBUG 1, SO_REUSEPORT 1
 * and, last, "TCP_CONGESTION now <name>" as the kernel has it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include "sockbox.h"

#ifndef IP_TRANSPARENT
#define IP_TRANSPARENT 19
#endif
#ifndef TCP_CONGESTION
#define TCP_CONGESTION 13
#endif

static void report(const char *name, int r) {
  if (r == 0) printf("%s OK\n", name);
  else if (errno == ENOTCAPABLE) printf("%s ENOTCAPABLE\n", name);
  else printf("%s E%d\n", name, errno);
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  int s = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1, seven = 7, busy = 1000;
  const char *algo = argc > 1 ? argv[1] : "cubic";
  char name[64];
  snprintf(name, sizeof name, "TCP_CONGESTION=%s", algo);
  report(name, setsockopt(s, IPPROTO_TCP, TCP_CONGESTION, algo, (socklen_t)strlen(algo)));
  report("TCP_CONGESTION=reno", setsockopt(s, IPPROTO_TCP, TCP_CONGESTION, "reno", 4));
  report("SO_PRIORITY=7", setsockopt(s, SOL_SOCKET, SO_PRIORITY, &seven, sizeof seven));
  report("SO_MARK=1", setsockopt(s, SOL_SOCKET, SO_MARK, &one, sizeof one));
  report("SO_BUSY_POLL=1000", setsockopt(s, SOL_SOCKET, SO_BUSY_POLL, &busy, sizeof busy));
  report("IP_TRANSPARENT=1", setsockopt(s, IPPROTO_IP, IP_TRANSPARENT, &one, sizeof one));
  report("SO_BINDTODEVICE=lo", setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, "lo", 3));
  report("SO_DEBUG=1", setsockopt(s, SOL_SOCKET, SO_DEBUG, &one, sizeof one));
  report("SO_REUSEPORT=1", setsockopt(s, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one));
  char cc[32] = { 0 };
  socklen_t len = sizeof cc - 1;
  if (getsockopt(s, IPPROTO_TCP, TCP_CONGESTION, cc, &len) == 0) printf("TCP_CONGESTION now %s\n", cc);
  else printf("TCP_CONGESTION now E%d\n", errno);
  return 0;
}
