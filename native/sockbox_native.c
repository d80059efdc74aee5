/* sockbox's Node-API addon: the hot socket-option calls without koffi's per-call
 * marshalling (measured in bench/spike-native: 110-170 ns less per getsockopt on the
 * project's VM). Only node_api.h, NAPI_VERSION 8: one binary per platform serves every
 * Node from 16 on. host/native/libc.ts loads it when it is there and falls back to koffi
 * otherwise (or when SOCKBOX_NATIVE=koffi); both paths run the same tests.
 *
 * Build: `npm run build:native` (build/native.mjs), one cc line.
 *
 * Every function takes numbers and returns a number; none throws on a kernel error:
 *   getsockoptAt(fd, level, optname, optval_addr, optlen_addr) -> 0, or -errno
 *   setsockoptAt(fd, level, optname, optval_addr, optlen)      -> 0, or -errno
 *       raw native addresses (the caller's scratch, from koffi's address-of), as the
 *       koffi signatures in libc.ts
 *   getsockoptInt(fd, level, optname) -> the C int the kernel wrote, or
 *       -2^32 - errno (below any int: an int option may be negative, SO_PEEK_OFF is -1)
 *   setsockoptInt(fd, level, optname, value) -> 0, or -errno
 * An argument that is not a number is EINVAL (callers are sockbox's own code). */
#define NAPI_VERSION 8
#include <node_api.h>
#include <errno.h>
#include <stdint.h>
#include <sys/socket.h>

/* Reads `n` int32 arguments; false if one is missing or not a number. */
static int ints(napi_env env, napi_callback_info info, napi_value *argv, size_t n, int32_t *out) {
  size_t argc = n;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < n) return 0;
  for (size_t i = 0; i < n; i++) {
    if (napi_get_value_int32(env, argv[i], &out[i]) != napi_ok) return 0;
  }
  return 1;
}

/* An address argument: a JS number below 2^53 (koffi's address-of gives those). */
static int address(napi_env env, napi_value v, uintptr_t *out) {
  int64_t a;
  if (napi_get_value_int64(env, v, &a) != napi_ok || a <= 0) return 0;
  *out = (uintptr_t)a;
  return 1;
}

static napi_value number(napi_env env, double v) {
  napi_value r;
  napi_create_double(env, v, &r);
  return r;
}

static napi_value int32(napi_env env, int32_t v) {
  napi_value r;
  napi_create_int32(env, v, &r);
  return r;
}

static napi_value getsockoptAt(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  int32_t a[3];
  uintptr_t optval, optlen;
  size_t argc = 5;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 5) return int32(env, -EINVAL);
  for (int i = 0; i < 3; i++) {
    if (napi_get_value_int32(env, argv[i], &a[i]) != napi_ok) return int32(env, -EINVAL);
  }
  if (!address(env, argv[3], &optval) || !address(env, argv[4], &optlen)) return int32(env, -EINVAL);
  return int32(env, getsockopt(a[0], a[1], a[2], (void *)optval, (socklen_t *)optlen) != 0 ? -errno : 0);
}

static napi_value setsockoptAt(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  int32_t a[3];
  uint32_t optlen;
  uintptr_t optval;
  size_t argc = 5;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 5) return int32(env, -EINVAL);
  for (int i = 0; i < 3; i++) {
    if (napi_get_value_int32(env, argv[i], &a[i]) != napi_ok) return int32(env, -EINVAL);
  }
  if (!address(env, argv[3], &optval) || napi_get_value_uint32(env, argv[4], &optlen) != napi_ok) return int32(env, -EINVAL);
  return int32(env, setsockopt(a[0], a[1], a[2], (const void *)optval, (socklen_t)optlen) != 0 ? -errno : 0);
}

/* -2^32 - errno: below every int, so an option's negative value is never an error. */
#define INT_ERROR(e) (-4294967296.0 - (double)(e))

static napi_value getsockoptInt(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int32_t a[3];
  if (!ints(env, info, argv, 3, a)) return number(env, INT_ERROR(EINVAL));
  int v = 0;
  socklen_t len = sizeof v;
  if (getsockopt(a[0], a[1], a[2], &v, &len) != 0) return number(env, INT_ERROR(errno));
  return int32(env, v);
}

static napi_value setsockoptInt(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int32_t a[4];
  if (!ints(env, info, argv, 4, a)) return int32(env, -EINVAL);
  int v = a[3];
  return int32(env, setsockopt(a[0], a[1], a[2], &v, sizeof v) != 0 ? -errno : 0);
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  static const struct { const char *name; napi_callback fn; } fns[] = {
    { "getsockoptAt", getsockoptAt },
    { "setsockoptAt", setsockoptAt },
    { "getsockoptInt", getsockoptInt },
    { "setsockoptInt", setsockoptInt },
  };
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value f;
    if (napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &f) != napi_ok) return NULL;
    if (napi_set_named_property(env, exports, fns[i].name, f) != napi_ok) return NULL;
  }
  return exports;
}
