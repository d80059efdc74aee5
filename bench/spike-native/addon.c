/* Spike (issue 15, part 1): a Node-API addon for the hot int-option calls, to measure
 * what the crossing costs next to koffi. Only node_api.h (ABI-stable: one binary per
 * platform for every Node >= the NAPI_VERSION below). Not used by sockbox itself.
 *
 * Exports, every one returning a JS number (never throwing on a kernel error):
 *   getsockoptInt(fd, level, optname)            -> the int, or -errno
 *   setsockoptInt(fd, level, optname, value)     -> 0, or -errno
 *   getsockoptInto(fd, level, optname, i32)      -> 0 (value in i32[0]), or -errno
 *   setsockoptFrom(fd, level, optname, i32)      -> 0 (value from i32[0]), or -errno
 *   getsockoptAt(fd, level, optname, optval, optlen) -> rc, or -errno
 *       raw native addresses, as host/native/libc.ts's koffi getsockoptAt
 *   setsockoptAt(fd, level, optname, optval, optlen) -> rc, or -errno
 *   noop3(a, b, c)                               -> a + b + c (the crossing alone)
 * and, for koffi, the C function spike_noop3(int, int, int) doing the same.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <errno.h>
#include <stdint.h>
#include <sys/socket.h>

/* Reads up to `max` int32 arguments; missing or non-number arguments read as 0. The
 * spike measures the happy path, so argument errors are not reported. */
static size_t ints(napi_env env, napi_callback_info info, napi_value *argv, size_t max, int32_t *out) {
  size_t argc = max;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  for (size_t i = 0; i < max; i++) {
    out[i] = 0;
    if (i < argc) napi_get_value_int32(env, argv[i], &out[i]);
  }
  return argc;
}

static napi_value num(napi_env env, int32_t v) {
  napi_value r;
  napi_create_int32(env, v, &r);
  return r;
}

/* The int32 cell a typed-array argument points at, or NULL. */
static int32_t *cell(napi_env env, napi_value arr) {
  napi_typedarray_type type;
  size_t length;
  void *data;
  if (napi_get_typedarray_info(env, arr, &type, &length, &data, NULL, NULL) != napi_ok) return NULL;
  if (type != napi_int32_array || length < 1) return NULL;
  return (int32_t *)data;
}

static napi_value getsockoptInt(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int32_t a[3];
  ints(env, info, argv, 3, a);
  int v = 0;
  socklen_t len = sizeof v;
  if (getsockopt(a[0], a[1], a[2], &v, &len) != 0) return num(env, -errno);
  return num(env, v);
}

static napi_value setsockoptInt(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int32_t a[4];
  ints(env, info, argv, 4, a);
  int v = a[3];
  return num(env, setsockopt(a[0], a[1], a[2], &v, sizeof v) != 0 ? -errno : 0);
}

static napi_value getsockoptInto(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int32_t a[4];
  ints(env, info, argv, 4, a);
  int32_t *p = cell(env, argv[3]);
  if (p == NULL) return num(env, -EINVAL);
  socklen_t len = sizeof *p;
  return num(env, getsockopt(a[0], a[1], a[2], p, &len) != 0 ? -errno : 0);
}

static napi_value setsockoptFrom(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int32_t a[4];
  ints(env, info, argv, 4, a);
  int32_t *p = cell(env, argv[3]);
  if (p == NULL) return num(env, -EINVAL);
  return num(env, setsockopt(a[0], a[1], a[2], p, sizeof *p) != 0 ? -errno : 0);
}

/* Addresses arrive as JS numbers (doubles); below 2^53 they are exact. */
static void addrs(napi_env env, napi_value *argv, int64_t *optval, int64_t *optlen) {
  napi_get_value_int64(env, argv[3], optval);
  napi_get_value_int64(env, argv[4], optlen);
}

static napi_value getsockoptAt(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  int32_t a[5];
  int64_t optval, optlen;
  ints(env, info, argv, 5, a);
  addrs(env, argv, &optval, &optlen);
  int rc = getsockopt(a[0], a[1], a[2], (void *)(uintptr_t)optval, (socklen_t *)(uintptr_t)optlen);
  return num(env, rc != 0 ? -errno : rc);
}

static napi_value setsockoptAt(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  int32_t a[5];
  int64_t optval;
  ints(env, info, argv, 5, a);
  napi_get_value_int64(env, argv[3], &optval);
  int rc = setsockopt(a[0], a[1], a[2], (void *)(uintptr_t)optval, (socklen_t)a[4]);
  return num(env, rc != 0 ? -errno : rc);
}

static napi_value noop3(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  int32_t a[3];
  ints(env, info, argv, 3, a);
  return num(env, a[0] + a[1] + a[2]);
}

/* The same no-op as a plain C export, for koffi: the two crossings on one function. */
__attribute__((visibility("default"))) int spike_noop3(int a, int b, int c) { return a + b + c; }

NAPI_MODULE_INIT() {
  napi_property_descriptor d[] = {
    { "getsockoptInt", NULL, getsockoptInt, NULL, NULL, NULL, napi_enumerable, NULL },
    { "setsockoptInt", NULL, setsockoptInt, NULL, NULL, NULL, napi_enumerable, NULL },
    { "getsockoptInto", NULL, getsockoptInto, NULL, NULL, NULL, napi_enumerable, NULL },
    { "setsockoptFrom", NULL, setsockoptFrom, NULL, NULL, NULL, napi_enumerable, NULL },
    { "getsockoptAt", NULL, getsockoptAt, NULL, NULL, NULL, napi_enumerable, NULL },
    { "setsockoptAt", NULL, setsockoptAt, NULL, NULL, NULL, napi_enumerable, NULL },
    { "noop3", NULL, noop3, NULL, NULL, NULL, napi_enumerable, NULL },
  };
  if (napi_define_properties(env, exports, sizeof d / sizeof d[0], d) != napi_ok) return NULL;
  return exports;
}
