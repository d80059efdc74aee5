/* sockbox's Node-API addon: the hot calls without koffi's per-call marshalling (the
 * socket options, measured in bench/spike-native: 110-170 ns less per getsockopt on the
 * project's VM; and the sandbox's recvmsg, sendmsg and poll, each message's calls). Only node_api.h, NAPI_VERSION 8: one binary per platform serves every
 * Node from 16 on. host/native/libc.ts loads it when it is there and falls back to koffi
 * otherwise (or when SOCKBOX_NATIVE=koffi); both paths run the same tests.
 *
 * Build: `npm run build:native` (build/native.mjs), one cc line.
 *
 * Every function takes numbers (poll: a typed array and numbers) and returns a number;
 * none throws on a kernel error:
 *   getsockoptAt(fd, level, optname, optval_addr, optlen_addr) -> 0, or -errno
 *   setsockoptAt(fd, level, optname, optval_addr, optlen)      -> 0, or -errno
 *       raw native addresses (the caller's scratch, from koffi's address-of), as the
 *       koffi signatures in libc.ts
 *   getsockoptInt(fd, level, optname) -> the C int the kernel wrote, or
 *       -2^32 - errno (below any int: an int option may be negative, SO_PEEK_OFF is -1)
 *   setsockoptInt(fd, level, optname, value) -> 0, or -errno
 *   recvmsgAt(fd, msghdr_addr, flags), sendmsgAt(fd, msghdr_addr, flags)
 *       -> bytes, or -errno (the sandbox's receive and send loops)
 *   poll(fds, nfds, timeout_ms) -> the count ready, or -errno; fds a typed array
 *       (or DataView) of struct pollfd, at least nfds of them
 * An argument that is not a number is EINVAL (callers are sockbox's own code). */
#define NAPI_VERSION 8
#include <node_api.h>
#include <errno.h>
#include <stdint.h>
#include <sys/socket.h>
#include <poll.h>
#include <stdbool.h>

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

/* The bytes of a typed array or DataView argument: its first byte (NULL for null or
 * undefined, with 0 bytes). False for anything else. */
static int bytes(napi_env env, napi_value v, void **data, size_t *len) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok) return 0;
  if (t == napi_null || t == napi_undefined) { *data = NULL; *len = 0; return 1; }
  bool is;
  if (napi_is_typedarray(env, v, &is) == napi_ok && is) {
    napi_typedarray_type type;
    size_t n;
    if (napi_get_typedarray_info(env, v, &type, &n, data, NULL, NULL) != napi_ok) return 0;
    static const size_t size[] = {
      [napi_int8_array] = 1, [napi_uint8_array] = 1, [napi_uint8_clamped_array] = 1,
      [napi_int16_array] = 2, [napi_uint16_array] = 2, [napi_int32_array] = 4, [napi_uint32_array] = 4,
      [napi_float32_array] = 4, [napi_float64_array] = 8, [napi_bigint64_array] = 8, [napi_biguint64_array] = 8,
    };
    if ((size_t)type >= sizeof size / sizeof size[0] || size[type] == 0) return 0;
    *len = n * size[type];
    return 1;
  }
  if (napi_is_dataview(env, v, &is) == napi_ok && is) {
    return napi_get_dataview_info(env, v, len, data, NULL, NULL) == napi_ok;
  }
  return 0;
}

/* recvmsg(2) / sendmsg(2) with a struct msghdr at a native address (the sandbox's
 * scratch, whose iovecs point into guest memory): the byte count, or -errno. */
static napi_value msgAt(napi_env env, napi_callback_info info, int send) {
  napi_value argv[3];
  size_t argc = 3;
  int32_t fd, flags;
  uintptr_t msg;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3) return number(env, -EINVAL);
  if (napi_get_value_int32(env, argv[0], &fd) != napi_ok || !address(env, argv[1], &msg) ||
      napi_get_value_int32(env, argv[2], &flags) != napi_ok) return number(env, -EINVAL);
  ssize_t r = send ? sendmsg(fd, (const struct msghdr *)msg, flags) : recvmsg(fd, (struct msghdr *)msg, flags);
  return number(env, r < 0 ? -(double)errno : (double)r);
}

static napi_value recvmsgAt(napi_env env, napi_callback_info info) { return msgAt(env, info, 0); }
static napi_value sendmsgAt(napi_env env, napi_callback_info info) { return msgAt(env, info, 1); }

/* poll(2) over the struct pollfds in a typed array: the count ready, or -errno. EINVAL
 * (without a syscall) when the array holds fewer than nfds of them. */
static napi_value pollFds(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  size_t argc = 3;
  void *fds;
  size_t len;
  uint32_t nfds;
  int32_t timeout;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3) return int32(env, -EINVAL);
  if (!bytes(env, argv[0], &fds, &len) || napi_get_value_uint32(env, argv[1], &nfds) != napi_ok ||
      napi_get_value_int32(env, argv[2], &timeout) != napi_ok) return int32(env, -EINVAL);
  if ((size_t)nfds > len / sizeof(struct pollfd)) return int32(env, -EINVAL);
  int r = poll((struct pollfd *)fds, (nfds_t)nfds, timeout);
  return int32(env, r < 0 ? -errno : r);
}

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  static const struct { const char *name; napi_callback fn; } fns[] = {
    { "getsockoptAt", getsockoptAt },
    { "setsockoptAt", setsockoptAt },
    { "getsockoptInt", getsockoptInt },
    { "setsockoptInt", setsockoptInt },
    { "recvmsgAt", recvmsgAt },
    { "sendmsgAt", sendmsgAt },
    { "poll", pollFds },
  };
  for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
    napi_value f;
    if (napi_create_function(env, fns[i].name, NAPI_AUTO_LENGTH, fns[i].fn, NULL, &f) != napi_ok) return NULL;
    if (napi_set_named_property(env, exports, fns[i].name, f) != napi_ok) return NULL;
  }
  return exports;
}
