/*
 * http-get: a minimal HTTP/1.0 client.
 *
 *     http-get HOST PORT PATH
 *
 * Resolves HOST with getaddrinfo (a numeric address or a name such as
 * localhost), connects to the first address that answers, sends
 * "GET PATH HTTP/1.0" and prints the response body on stdout. The status line
 * goes to stderr when it is not 2xx. Exit status: 0 for a 2xx response, 1 for
 * any other response or error, 2 for bad arguments.
 *
 * Build and run (see guest/c/sockbox.h; the sandbox must grant the lookup and
 * the connection):
 *     clang --target=wasm32-wasi -O2 -I guest/c examples/http-get/http-get.c \
 *         guest/c/sockbox.c -o examples/http-get/http-get.wasm
 *     node -e "require('http').createServer((q,r)=>r.end('hello from the host\n')).listen(8080,'127.0.0.1')" &
 *     sockbox run examples/http-get/http-get.wasm --allow-lookup \
 *         --allow-connect 127.0.0.1:8080 -- 127.0.0.1 8080 /
 */

#include <errno.h>
#include <netdb.h>
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

#define HEAD_MAX 65536

static int usage(void) {
  fprintf(stderr, "usage: http-get HOST PORT PATH\n");
  return 2;
}

/* Connects to the first address of host:port that accepts; -1 after printing why not. */
static int dial(const char *host, const char *port) {
  struct addrinfo hints, *res, *ai;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  int rc = getaddrinfo(host, port, &hints, &res);
  if (rc != 0) {
    if (rc == EAI_SYSTEM)
      fprintf(stderr, "http-get: %s: %s: %s\n", host, gai_strerror(rc), strerror(errno));
    else
      fprintf(stderr, "http-get: %s: %s\n", host, gai_strerror(rc));
    return -1;
  }
  int fd = -1, err = 0;
  char text[INET6_ADDRSTRLEN] = "?";
  for (ai = res; ai != NULL; ai = ai->ai_next) {
    const void *ip = ai->ai_family == AF_INET6
                         ? (const void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr
                         : (const void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr;
    inet_ntop(ai->ai_family, ip, text, sizeof text);
    fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd < 0) {
      err = errno;
      continue;
    }
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) break;
    err = errno;
    close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  if (fd < 0) fprintf(stderr, "http-get: connect to %s port %s: %s\n", text, port, strerror(err));
  return fd;
}

static int send_all(int fd, const char *buf, size_t len) {
  while (len > 0) {
    ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    buf += n;
    len -= (size_t)n;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 4) return usage();
  const char *host = argv[1], *port = argv[2], *path = argv[3];
  if (path[0] != '/') return usage();

  int fd = dial(host, port);
  if (fd < 0) return 1;

  /* HTTP/1.0: the server closes the connection after the response. An IPv6
   * literal goes in brackets in the Host header. */
  char request[4096];
  int v6 = strchr(host, ':') != NULL;
  int n = snprintf(request, sizeof request,
                   "GET %s HTTP/1.0\r\nHost: %s%s%s:%s\r\nUser-Agent: sockbox-http-get\r\n"
                   "Accept: */*\r\n\r\n",
                   path, v6 ? "[" : "", host, v6 ? "]" : "", port);
  if (n < 0 || (size_t)n >= sizeof request) {
    fprintf(stderr, "http-get: request too long\n");
    return 1;
  }
  if (send_all(fd, request, (size_t)n) != 0) {
    perror("http-get: send");
    return 1;
  }

  /* Read the head (status line and headers) up to the blank line, then copy
   * the body to stdout as it arrives. */
  static char buf[HEAD_MAX];
  size_t have = 0;
  char *body = NULL;
  while (body == NULL) {
    if (have == sizeof buf - 1) {
      fprintf(stderr, "http-get: response head longer than %d bytes\n", HEAD_MAX);
      return 1;
    }
    ssize_t got = recv(fd, buf + have, sizeof buf - 1 - have, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      perror("http-get: recv");
      return 1;
    }
    if (got == 0) {
      fprintf(stderr, "http-get: connection closed before the end of the response head\n");
      return 1;
    }
    have += (size_t)got;
    buf[have] = '\0';
    char *end = strstr(buf, "\r\n\r\n");
    if (end != NULL) body = end + 4;
  }

  int status = 0;
  if (sscanf(buf, "HTTP/%*d.%*d %d", &status) != 1) {
    fprintf(stderr, "http-get: not an HTTP response\n");
    return 1;
  }
  if (status < 200 || status > 299) {
    char *eol = strstr(buf, "\r\n");
    fprintf(stderr, "http-get: %.*s\n", (int)(eol - buf), buf);
  }

  fwrite(body, 1, (size_t)(buf + have - body), stdout);
  for (;;) {
    ssize_t got = recv(fd, buf, sizeof buf, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      perror("http-get: recv");
      return 1;
    }
    if (got == 0) break;
    fwrite(buf, 1, (size_t)got, stdout);
  }
  close(fd);
  fflush(stdout);
  return status >= 200 && status <= 299 ? 0 : 1;
}
