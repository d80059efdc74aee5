/*
 * abi-probe.c: calls WasmEdge's socket imports by their own names and signatures, as
 * a C shim written for WasmEdge would (no sockbox SDK), and prints what came back.
 *
 *   abi-probe v2                   every _v2 name: open, bind (128-byte address),
 *                                  listen, connect, accept (fd, flags, &fd), send, recv,
 *                                  send_to, recv_from (with its port), getlocaladdr and
 *                                  getpeeraddr (fd, addr, &port), over TCP and UDP on
 *                                  127.0.0.1
 *   abi-probe lookup NAME 4|6      sock_lookup_ip(NAME, INET4 1 / INET6 2, 8 slots):
 *                                  "lookup errno=E count=N ADDR..."
 *   abi-probe gai NODE SERVICE FLAGS FAMILY SOCKTYPE PROTOCOL MAXLEN
 *                                  sock_getaddrinfo with those hints (NODE/SERVICE "-"
 *                                  for empty): "gai errno=E count=N FAMILY:ADDR:PORT..."
 *   abi-probe binddev NAME         sock_bind_device on a UDP socket: "binddev errno=E"
 *   abi-probe fds                  for fds 3 to 7: the filetype fd_fdstat_get says and
 *                                  what fd_prestat_get says ("fd 3 socket_stream prestat
 *                                  tag 1", "fd 4 directory prestat dir /data", "fd 5 badf")
 *
 * Build: node build/guests.mjs (clang --target=wasm32-wasi, no SDK).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

#define WE(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(name)))

typedef struct { uint8_t *buf; uint32_t len; } addr_t;
typedef struct { const void *buf; uint32_t len; } iov_t;
typedef struct {
  uint16_t flags; uint8_t family; uint8_t socktype; uint32_t protocol; uint32_t addrlen;
  struct sockaddr_we *addr; char *canonname; uint32_t canonname_len; void *next;
} addrinfo_t;
struct sockaddr_we { uint16_t family; uint32_t data_len; uint8_t *data; };

WE("sock_open_v2") uint32_t sock_open_v2(uint32_t af, uint32_t type, uint32_t *fd);
WE("sock_bind_v2") uint32_t sock_bind_v2(uint32_t fd, addr_t *a, uint32_t port);
WE("sock_connect_v2") uint32_t sock_connect_v2(uint32_t fd, addr_t *a, uint32_t port);
WE("sock_listen_v2") uint32_t sock_listen_v2(uint32_t fd, uint32_t backlog);
WE("sock_accept_v2") uint32_t sock_accept_v2(uint32_t fd, uint32_t flags, uint32_t *nfd);
WE("sock_send_v2") uint32_t sock_send_v2(uint32_t fd, const iov_t *iov, uint32_t n, uint32_t flags, uint32_t *sent);
WE("sock_recv_v2") uint32_t sock_recv_v2(uint32_t fd, iov_t *iov, uint32_t n, uint32_t flags, uint32_t *got, uint16_t *oflags);
WE("sock_send_to_v2") uint32_t sock_send_to_v2(uint32_t fd, const iov_t *iov, uint32_t n, addr_t *a, uint32_t port, uint32_t flags, uint32_t *sent);
WE("sock_recv_from_v2") uint32_t sock_recv_from_v2(uint32_t fd, iov_t *iov, uint32_t n, addr_t *a, uint32_t flags, uint32_t *port, uint32_t *got, uint16_t *oflags);
WE("sock_getlocaladdr_v2") uint32_t sock_getlocaladdr_v2(uint32_t fd, addr_t *a, uint32_t *port);
WE("sock_getpeeraddr_v2") uint32_t sock_getpeeraddr_v2(uint32_t fd, addr_t *a, uint32_t *port);
WE("sock_lookup_ip") uint32_t sock_lookup_ip(const char *name, uint32_t len, uint32_t family, uint8_t *buf, uint32_t buf_len, uint32_t *count);
WE("sock_getaddrinfo") uint32_t sock_getaddrinfo(const char *node, uint32_t node_len, const char *service, uint32_t service_len,
                                                 const addrinfo_t *hints, addrinfo_t **res, uint32_t max_len, uint32_t *res_len);
WE("sock_bind_device") uint32_t sock_bind_device(uint32_t fd, const char *name, uint32_t len);

static int failures;
static void say(const char *what, uint32_t rc) {
  printf("%s errno=%u\n", what, rc);
  if (rc != 0) failures++;
}

/* A V2 address: 128 bytes, u16 family (1 INET4, 2 INET6) then the address. */
static uint8_t storage[3][128];
static addr_t v2addr(int i, const uint8_t ip[4]) {
  memset(storage[i], 0, 128);
  storage[i][0] = 1;
  memcpy(storage[i] + 2, ip, 4);
  return (addr_t){storage[i], 128};
}

static void show_addr(const char *what, const addr_t *a, uint32_t port) {
  printf("%s family=%u %u.%u.%u.%u port=%s\n", what, a->buf[0] | (a->buf[1] << 8), a->buf[2], a->buf[3], a->buf[4], a->buf[5],
         port != 0 ? "set" : "0");
}

static int v2(void) {
  static const uint8_t lo[4] = {127, 0, 0, 1};
  uint32_t srv, cli, conn, port, n;
  uint16_t of;
  say("open_v2 stream", sock_open_v2(1, 2, &srv));
  addr_t a = v2addr(0, lo);
  say("bind_v2", sock_bind_v2(srv, &a, 0));
  say("listen_v2", sock_listen_v2(srv, 4));
  addr_t local = v2addr(1, lo);
  memset(local.buf, 0, 128);
  say("getlocaladdr_v2", sock_getlocaladdr_v2(srv, &local, &port));
  show_addr("  local", &local, port);
  say("open_v2 client", sock_open_v2(1, 2, &cli));
  addr_t to = v2addr(2, lo);
  say("connect_v2", sock_connect_v2(cli, &to, port));
  say("accept_v2", sock_accept_v2(srv, 0, &conn));
  addr_t peer = v2addr(1, lo);
  memset(peer.buf, 0, 128);
  uint32_t pport = 0;
  say("getpeeraddr_v2", sock_getpeeraddr_v2(conn, &peer, &pport));
  show_addr("  peer", &peer, pport);
  const iov_t out = {"ping", 4};
  say("send_v2", sock_send_v2(cli, &out, 1, 0, &n));
  char buf[16] = {0};
  iov_t in = {buf, sizeof buf};
  say("recv_v2", sock_recv_v2(conn, &in, 1, 0, &n, &of));
  printf("  got %u \"%.*s\"\n", n, (int)n, buf);

  uint32_t u1, u2, uport;
  say("open_v2 dgram", sock_open_v2(1, 1, &u1));
  a = v2addr(0, lo);
  say("bind_v2 dgram", sock_bind_v2(u1, &a, 0));
  local = v2addr(1, lo);
  say("getlocaladdr_v2 dgram", sock_getlocaladdr_v2(u1, &local, &uport));
  say("open_v2 dgram 2", sock_open_v2(1, 1, &u2));
  a = v2addr(0, lo);
  say("bind_v2 dgram 2", sock_bind_v2(u2, &a, 0));
  uint32_t u2port;
  local = v2addr(1, lo);
  say("getlocaladdr_v2 dgram 2", sock_getlocaladdr_v2(u2, &local, &u2port));
  to = v2addr(2, lo);
  const iov_t dg = {"datagram", 8};
  say("send_to_v2", sock_send_to_v2(u2, &dg, 1, &to, uport, 0, &n));
  addr_t from = v2addr(1, lo);
  memset(from.buf, 0, 128);
  uint32_t fport = 0;
  memset(buf, 0, sizeof buf);
  say("recv_from_v2", sock_recv_from_v2(u1, &in, 1, &from, 0, &fport, &n, &of));
  printf("  got %u \"%.*s\" from port %s\n", n, (int)n, buf, fport == u2port ? "of the sender" : "WRONG");
  show_addr("  from", &from, fport);
  return failures == 0 ? 0 : 1;
}

static int lookup(const char *name, int fam) {
  uint8_t buf[8 * 16];
  uint32_t count = 0;
  uint32_t rc = sock_lookup_ip(name, (uint32_t)strlen(name), fam == 6 ? 2 : 1, buf, fam == 6 ? 8 * 16 : 8 * 4, &count);
  printf("lookup errno=%u count=%u", rc, count);
  for (uint32_t i = 0; i < count; i++) {
    if (fam == 6) {
      printf(" ");
      for (int j = 0; j < 16; j++) printf("%02x", buf[i * 16 + j]);
    } else {
      printf(" %u.%u.%u.%u", buf[i * 4], buf[i * 4 + 1], buf[i * 4 + 2], buf[i * 4 + 3]);
    }
  }
  printf("\n");
  return 0;
}

static int gai(char **v) {
  const char *node = strcmp(v[0], "-") ? v[0] : "";
  const char *service = strcmp(v[1], "-") ? v[1] : "";
  addrinfo_t hints = {0};
  hints.flags = (uint16_t)atoi(v[2]);
  hints.family = (uint8_t)atoi(v[3]);
  hints.socktype = (uint8_t)atoi(v[4]);
  hints.protocol = (uint32_t)atoi(v[5]);
  uint32_t max = (uint32_t)atoi(v[6]);
  static addrinfo_t entries[8];
  static struct sockaddr_we sas[8];
  static uint8_t data[8][26];
  static char canon[8][64];
  for (int i = 0; i < 8; i++) {
    sas[i] = (struct sockaddr_we){0, 26, data[i]};
    entries[i] = (addrinfo_t){0};
    entries[i].addr = &sas[i];
    entries[i].canonname = canon[i];
    entries[i].canonname_len = 64;
    entries[i].next = i < 7 ? &entries[i + 1] : NULL;
  }
  addrinfo_t *first = &entries[0];
  uint32_t count = 0;
  uint32_t rc = sock_getaddrinfo(node, (uint32_t)strlen(node), service, (uint32_t)strlen(service), &hints, &first, max, &count);
  printf("gai errno=%u count=%u", rc, count);
  for (uint32_t i = 0; i < count && i < 8; i++) {
    const uint8_t *d = sas[i].data;
    unsigned p = (d[0] << 8) | d[1];
    if (sas[i].family == 1) printf(" inet:%u.%u.%u.%u:%u", d[2], d[3], d[4], d[5], p);
    else printf(" inet6:%02x%02x..%02x:%u", d[2], d[3], d[17], p);
  }
  printf("\n");
  return 0;
}

static int fds(void) {
  for (int fd = 3; fd <= 7; fd++) {
    __wasi_fdstat_t st;
    __wasi_errno_t rc = __wasi_fd_fdstat_get(fd, &st);
    if (rc != 0) {
      printf("fd %d errno=%u\n", fd, rc);
      continue;
    }
    const char *type = st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM ? "socket_stream"
                       : st.fs_filetype == __WASI_FILETYPE_DIRECTORY   ? "directory"
                                                                        : "other";
    __wasi_prestat_t pre;
    rc = __wasi_fd_prestat_get(fd, &pre);
    if (rc != 0) {
      printf("fd %d %s prestat errno=%u\n", fd, type, rc);
    } else if (pre.tag == __WASI_PREOPENTYPE_DIR) {
      char name[64] = {0};
      uint32_t len = pre.u.dir.pr_name_len < 63 ? pre.u.dir.pr_name_len : 63;
      if (__wasi_fd_prestat_dir_name(fd, (uint8_t *)name, len) != 0) name[0] = 0;
      printf("fd %d %s prestat dir %s\n", fd, type, name);
    } else {
      printf("fd %d %s prestat tag %u\n", fd, type, pre.tag);
    }
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 2 && !strcmp(argv[1], "fds")) return fds();
  if (argc >= 2 && !strcmp(argv[1], "v2")) return v2();
  if (argc >= 4 && !strcmp(argv[1], "lookup")) return lookup(argv[2], atoi(argv[3]));
  if (argc >= 9 && !strcmp(argv[1], "gai")) return gai(argv + 2);
  if (argc >= 3 && !strcmp(argv[1], "binddev")) {
    uint32_t fd;
    say("open_v2", sock_open_v2(1, 1, &fd));
    printf("binddev errno=%u\n", sock_bind_device(fd, argv[2], (uint32_t)strlen(argv[2])));
    return 0;
  }
  printf("usage: abi-probe v2 | lookup NAME 4|6 | gai NODE SERVICE FLAGS FAMILY SOCKTYPE PROTOCOL MAXLEN | binddev NAME | fds\n");
  return 2;
}
