/*
 * plugin.c: the plugin of examples/plugin-host: a reactor the host loads once and
 * calls per HTTP request.
 *
 *   handle(method, path) -> text   (strings in, a string out: sockbox_plugin.h)
 *
 * For a POST it reads the request's body through a host function, sends it to the
 * backend service (a loopback TCP service the host grants: BACKEND in the env, as
 * ADDR:PORT) over its own socket, and answers with what the backend replied. It counts
 * the requests it has served: its state lives as long as the plugin.
 *
 * Build: node build/examples.mjs (clang -mexec-model=reactor with the C SDK).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "sockbox.h"
#include "sockbox_plugin.h"

/** The host copies the current request's body into [ptr, ptr+cap) and returns its length (at most cap). */
__attribute__((import_module("host"), import_name("request_body")))
uint32_t host_request_body(void *ptr, uint32_t cap);

static unsigned long served;

/** Sends `body` to the backend and reads its whole reply into `reply` (NUL-terminated). */
static int ask_backend(const char *body, size_t len, char *reply, size_t cap) {
  const char *where = getenv("BACKEND");
  if (where == NULL) return snprintf(reply, cap, "no BACKEND in the environment"), -1;
  char host[64];
  int port = 0;
  if (sscanf(where, "%63[^:]:%d", host, &port) != 2) return snprintf(reply, cap, "BACKEND is not ADDR:PORT"), -1;
  struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
  if (inet_pton(AF_INET, host, &a.sin_addr) != 1) return snprintf(reply, cap, "bad backend address"), -1;
  int s = socket(AF_INET, SOCK_STREAM, 0);
  if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof a) < 0) {
    int e = errno;
    if (s >= 0) close(s);
    return snprintf(reply, cap, "connect to the backend: %s", strerror(e)), -1;
  }
  for (size_t off = 0; off < len;) {
    ssize_t n = send(s, body + off, len - off, 0);
    if (n <= 0) break;
    off += (size_t)n;
  }
  shutdown(s, SHUT_WR);
  size_t got = 0;
  ssize_t n;
  while (got + 1 < cap && (n = recv(s, reply + got, cap - 1 - got, 0)) > 0) got += (size_t)n;
  reply[got] = 0;
  close(s);
  return 0;
}

SOCKBOX_EXPORT("handle")
uint64_t handle(const char *method, uint32_t method_len, const char *path, uint32_t path_len) {
  served++;
  static char body[65536], reply[65536], out[140000];
  if (method_len == 4 && memcmp(method, "POST", 4) == 0) {
    uint32_t n = host_request_body(body, sizeof body);
    if (ask_backend(body, n, reply, sizeof reply) < 0) {
      snprintf(out, sizeof out, "error: %s\n", reply);
      return sockbox_output_string(out);
    }
    snprintf(out, sizeof out, "request %lu: the backend says %s", served, reply);
    return sockbox_output_string(out);
  }
  snprintf(out, sizeof out, "request %lu: %.*s %.*s (POST a body to have the backend shout it)\n",
           served, (int)method_len, method, (int)path_len, path);
  return sockbox_output_string(out);
}
