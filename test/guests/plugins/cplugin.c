/*
 * cplugin.c: a C reactor for the plugin tests (Sandbox.instantiate): state kept across
 * calls, bytes and strings both ways (sockbox_plugin.h), host functions of every value
 * type, memory the host reads and writes, and the ways a call can end a plugin.
 *
 * Build: node build/guests.mjs (clang -mexec-model=reactor with the C SDK).
 * Host functions it imports (module "host"): add_i32(i32, i32) -> i32,
 * add_i64(i64, i64) -> i64, mul_f64(f64, f64) -> f64, reverse(ptr, len) (the host
 * reverses the bytes in place), nop(), fail(i32) -> i32.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "sockbox_plugin.h"

#define HOST(name) __attribute__((import_module("host"), import_name(name)))
HOST("add_i32") int32_t host_add_i32(int32_t a, int32_t b);
HOST("add_i64") int64_t host_add_i64(int64_t a, int64_t b);
HOST("mul_f64") double host_mul_f64(double a, double b);
HOST("reverse") void host_reverse(void *ptr, uint32_t len);
HOST("nop") void host_nop(void);
HOST("fail") int32_t host_fail(int32_t x);

static int32_t counter;

/** Adds n to a counter kept between calls; returns it. */
SOCKBOX_EXPORT("counter_add") int32_t counter_add(int32_t n) {
  counter += n;
  return counter;
}

/** The bytes it was given, returned as they are. */
SOCKBOX_EXPORT("echo") uint64_t echo(const uint8_t *p, uint32_t n) {
  return sockbox_output(p, n);
}

/** Text in upper case. */
SOCKBOX_EXPORT("upper") uint64_t upper(const char *p, uint32_t n) {
  char *b = malloc(n + 1);
  for (uint32_t i = 0; i < n; i++) b[i] = (char)toupper((unsigned char)p[i]);
  uint64_t r = sockbox_output(b, n);
  free(b);
  return r;
}

/** Two byte strings, joined. */
SOCKBOX_EXPORT("concat") uint64_t concat(const uint8_t *a, uint32_t an, const uint8_t *b, uint32_t bn) {
  uint8_t *out = malloc(an + bn + 1);
  memcpy(out, a, an);
  memcpy(out + an, b, bn);
  uint64_t r = sockbox_output(out, an + bn);
  free(out);
  return r;
}

SOCKBOX_EXPORT("add_via_host") int32_t add_via_host(int32_t a, int32_t b) { return host_add_i32(a, b); }
SOCKBOX_EXPORT("add64_via_host") int64_t add64_via_host(int64_t a, int64_t b) { return host_add_i64(a, b); }
SOCKBOX_EXPORT("mul_via_host") double mul_via_host(double a, double b) { return host_mul_f64(a, b); }

/** Copies the text, has the host reverse it in the guest's memory, returns the result. */
SOCKBOX_EXPORT("reverse_via_host") uint64_t reverse_via_host(const char *p, uint32_t n) {
  char *b = malloc(n + 1);
  memcpy(b, p, n);
  host_reverse(b, n);
  uint64_t r = sockbox_output(b, n);
  free(b);
  return r;
}

/** Calls the host's nop n times (the cost of a host call). */
SOCKBOX_EXPORT("nop_loop") int32_t nop_loop(int32_t n) {
  for (int32_t i = 0; i < n; i++) host_nop();
  return n;
}

SOCKBOX_EXPORT("call_fail") int32_t call_fail(int32_t x) { return host_fail(x); }

SOCKBOX_EXPORT("trap") void trap(void) { __builtin_trap(); }

SOCKBOX_EXPORT("quit") void quit(int32_t code) { exit(code); }

/** Everything on stdin until its end. */
SOCKBOX_EXPORT("read_stdin") uint64_t read_stdin(void) {
  size_t cap = 4096, len = 0;
  char *buf = malloc(cap);
  for (;;) {
    if (len == cap) buf = realloc(buf, cap *= 2);
    ssize_t n = read(0, buf + len, cap - len);
    if (n <= 0) break;
    len += (size_t)n;
  }
  uint64_t r = sockbox_output(buf, (uint32_t)len);
  free(buf);
  return r;
}

/** Prints the text on stdout. */
SOCKBOX_EXPORT("say") void say(const char *p, uint32_t n) {
  fwrite(p, 1, n, stdout);
  fflush(stdout);
}
