/*
 * optloop.c: the C bench guest. Option calls in a loop through both guest ABIs,
 * timed inside the guest with clock_time_get(MONOTONIC), and a trivial run for
 * start-up timing.
 *
 * Build: node bench/guests/build.mjs  (clang --target=wasm32-wasi; the .wasm is committed)
 *
 * Imports are declared by hand, as in test/guests/c/sockguest.c: the WasmEdge
 * socket extension (module "wasi_snapshot_preview1", WasmEdge numbering) and
 * sockbox's extension (module "sockbox", Linux numbering).
 *
 *   (no command)            exits 0 at once (start-up benchmark)
 *   setsockopt-loop <n>     one TCP socket; n calls of sock_setsockopt(SO_KEEPALIVE,
 *                           i & 1), then n of sockbox setsockopt(SOL_SOCKET, SO_KEEPALIVE)
 *                           -> wasmedge <ns per call>
 *                           -> sockbox <ns per call>
 *   getsockopt-marks <n>    one UDP socket; a warm-up of n/10 calls through each ABI, then
 *                           n sock_getsockopt(SO_RCVBUF) and n sockbox getsockopt(SO_RCVBUF),
 *                           with a line before and after each loop, each in one fd_write,
 *                           so the host can read its heap at those points
 *                           -> mark start
 *                           -> mark wasmedge <ns per call>
 *                           -> mark sockbox <ns per call>
 * An import failure prints "error <what> errno=<n>" and exits 1; bad arguments
 * print a usage line and exit 2.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

/* WasmEdge numbering (DESIGN.md, "Guest ABI" 1). */
enum { WE_AF_INET4 = 1, WE_SOCK_DGRAM = 1, WE_SOCK_STREAM = 2, WE_SOL_SOCKET = 0,
       WE_SO_RCVBUF = 6, WE_SO_KEEPALIVE = 7 };
/* Linux numbering (asm-generic/socket.h) for the sockbox module. */
enum { SB_SOL_SOCKET = 1, SB_SO_RCVBUF = 8, SB_SO_KEEPALIVE = 9 };

typedef int32_t wasi_errno_t;

#define WASMEDGE_IMPORT(name) \
  __attribute__((import_module("wasi_snapshot_preview1"), import_name(name)))
#define SOCKBOX_IMPORT(name) __attribute__((import_module("sockbox"), import_name(name)))

WASMEDGE_IMPORT("sock_open")
wasi_errno_t we_sock_open(uint32_t af, uint32_t socktype, uint32_t *ro_fd);
/* *len is the buffer size in, the value size out. */
WASMEDGE_IMPORT("sock_getsockopt")
wasi_errno_t we_sock_getsockopt(uint32_t fd, uint32_t level, uint32_t name, void *buf, uint32_t *len);
WASMEDGE_IMPORT("sock_setsockopt")
wasi_errno_t we_sock_setsockopt(uint32_t fd, uint32_t level, uint32_t name, const void *buf, uint32_t len);
SOCKBOX_IMPORT("getsockopt")
wasi_errno_t sb_getsockopt(uint32_t fd, uint32_t level, uint32_t optname, void *optval, uint32_t *optlen);
SOCKBOX_IMPORT("setsockopt")
wasi_errno_t sb_setsockopt(uint32_t fd, uint32_t level, uint32_t optname, const void *optval, uint32_t optlen);

/* "<prefix> <ns>" as one line in one fd_write. */
static void say_ns(const char *prefix, uint64_t ns) {
  printf("%s %llu\n", prefix, (unsigned long long)ns);
  fflush(stdout);
}

static _Noreturn void fail(const char *what, wasi_errno_t err) {
  printf("error %s errno=%d\n", what, err);
  exit(1);
}

static _Noreturn void usage(void) {
  puts("usage: optloop [setsockopt-loop <n> | getsockopt-marks <n>]");
  exit(2);
}

static uint32_t parse_n(const char *s) {
  uint64_t v = 0;
  if (*s == '\0') usage();
  for (; *s != '\0'; s++) {
    if (*s < '0' || *s > '9') usage();
    v = v * 10 + (uint64_t)(*s - '0');
    if (v > 1000000000u) usage();
  }
  if (v == 0) usage();
  return (uint32_t)v;
}

static uint64_t now_ns(void) {
  __wasi_timestamp_t t = 0;
  wasi_errno_t err = __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t);
  if (err != 0) fail("clock_time_get", err);
  return t;
}

static void close_fd(uint32_t fd) {
  wasi_errno_t err = __wasi_fd_close((__wasi_fd_t)fd);
  if (err != 0) fail("fd_close", err);
}

static uint32_t open_sock(uint32_t socktype) {
  uint32_t fd = 0;
  wasi_errno_t err = we_sock_open(WE_AF_INET4, socktype, &fd);
  if (err != 0) fail("sock_open", err);
  return fd;
}

static void set_loop(uint32_t n) {
  uint32_t fd = open_sock(WE_SOCK_STREAM);
  int32_t v;
  uint64_t t0 = now_ns();
  for (uint32_t i = 0; i < n; i++) {
    v = (int32_t)(i & 1);
    wasi_errno_t err = we_sock_setsockopt(fd, WE_SOL_SOCKET, WE_SO_KEEPALIVE, &v, sizeof v);
    if (err != 0) fail("sock_setsockopt", err);
  }
  uint64_t t1 = now_ns();
  say_ns("wasmedge", (t1 - t0) / n);
  t0 = now_ns();
  for (uint32_t i = 0; i < n; i++) {
    v = (int32_t)(i & 1);
    wasi_errno_t err = sb_setsockopt(fd, SB_SOL_SOCKET, SB_SO_KEEPALIVE, &v, sizeof v);
    if (err != 0) fail("setsockopt", err);
  }
  t1 = now_ns();
  say_ns("sockbox", (t1 - t0) / n);
  close_fd(fd);
}

static void get_we(uint32_t fd, uint32_t n) {
  int32_t v;
  uint32_t len;
  for (uint32_t i = 0; i < n; i++) {
    len = sizeof v;
    wasi_errno_t err = we_sock_getsockopt(fd, WE_SOL_SOCKET, WE_SO_RCVBUF, &v, &len);
    if (err != 0) fail("sock_getsockopt", err);
  }
}

static void get_sb(uint32_t fd, uint32_t n) {
  int32_t v;
  uint32_t len;
  for (uint32_t i = 0; i < n; i++) {
    len = sizeof v;
    wasi_errno_t err = sb_getsockopt(fd, SB_SOL_SOCKET, SB_SO_RCVBUF, &v, &len);
    if (err != 0) fail("getsockopt", err);
  }
}

static void get_marks(uint32_t n) {
  uint32_t fd = open_sock(WE_SOCK_DGRAM);
  get_we(fd, n / 10 + 1);
  get_sb(fd, n / 10 + 1);
  puts("mark start");
  fflush(stdout);
  uint64_t t0 = now_ns();
  get_we(fd, n);
  uint64_t t1 = now_ns();
  say_ns("mark wasmedge", (t1 - t0) / n);
  t0 = now_ns();
  get_sb(fd, n);
  t1 = now_ns();
  say_ns("mark sockbox", (t1 - t0) / n);
  close_fd(fd);
}

int main(int argc, char **argv) {
  if (argc == 1) return 0;
  if (argc == 3 && strcmp(argv[1], "setsockopt-loop") == 0) set_loop(parse_n(argv[2]));
  else if (argc == 3 && strcmp(argv[1], "getsockopt-marks") == 0) get_marks(parse_n(argv[2]));
  else usage();
  return 0;
}
