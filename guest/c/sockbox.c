/*
 * sockbox.c: POSIX sockets for wasi-libc programs, over sockbox's socket imports.
 * See sockbox.h for what is covered, the numbering, the errors and how to build.
 *
 * Imports used (DESIGN.md, "Guest ABI"):
 *   wasi_snapshot_preview1: sock_open, sock_bind, sock_connect, sock_listen,
 *     sock_accept (V2: fd, fdflags, ro_fd_ptr), sock_recv, sock_recv_from (V2, with
 *     port_ptr), sock_send, sock_send_to, sock_shutdown, sock_getlocaladdr and
 *     sock_getpeeraddr (V2: fd, addr_ptr, port_ptr), sock_getaddrinfo;
 *     fd_fdstat_get, fd_fdstat_set_flags and fd_close through <wasi/api.h>.
 *   sockbox: getsockopt, setsockopt (Linux numbering and layouts).
 * Addresses always travel in the V2 form: 128-byte storage, u16 family (LE) at 0
 * (WasmEdge numbering: INET4 1, INET6 2), IP bytes from offset 2; the port is a
 * separate argument in host byte order.
 */

#include "sockbox.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

/* ======================================================================== */
/* ABI numbers                                                              */
/* ======================================================================== */

/* WasmEdge socket extension (DESIGN.md): its own numbering. */
enum {
  WE_AF_UNSPEC = 0,
  WE_AF_INET4 = 1,
  WE_AF_INET6 = 2,
  WE_SOCK_ANY = 0,
  WE_SOCK_DGRAM = 1,
  WE_SOCK_STREAM = 2,
  WE_PROTO_IP = 0,
  WE_PROTO_TCP = 1,
  WE_PROTO_UDP = 2,
  WE_AI_PASSIVE = 1,
  WE_AI_CANONNAME = 2,
  WE_AI_NUMERICHOST = 4,
  WE_AI_NUMERICSERV = 8,
};

/* Linux numbers the sockbox ABI speaks: <asm-generic/socket.h>, <linux/net.h>,
 * <bits/socket.h>. */
enum {
  LINUX_SOL_SOCKET = 1,
  LINUX_SO_TYPE = 3,
  LINUX_SO_ERROR = 4,
  LINUX_SO_DOMAIN = 39,
  LINUX_SOCK_STREAM = 1,
  LINUX_SOCK_DGRAM = 2,
  LINUX_AF_INET = 2,
  LINUX_AF_INET6 = 10,
};

/* The level number that is IPPROTO_ICMP for the guest and SOL_SOCKET for Linux. */
#define GUEST_LEVEL_ICMP 1

#define ADDR_V2_LEN 128
/** IOV_MAX on Linux; the host takes at most this many iovecs. */
#define SOCKBOX_IOV_MAX 1024

_Static_assert(sizeof(void *) == 4, "wasm32 only");
_Static_assert(SOL_SOCKET != LINUX_SOL_SOCKET, "wasi-libc's SOL_SOCKET is 0x7fffffff");
_Static_assert(SO_TYPE == LINUX_SO_TYPE, "wasi-libc's SO_TYPE is Linux's");
_Static_assert(AF_INET == WE_AF_INET4 && AF_INET6 == WE_AF_INET6,
               "wasi-libc's AF_INET/AF_INET6 are WasmEdge's 1/2");
_Static_assert(SHUT_RD == 1 && SHUT_WR == 2 && SHUT_RDWR == 3, "SHUT_* are WASI sdflags");
_Static_assert(MSG_PEEK == __WASI_RIFLAGS_RECV_PEEK && MSG_WAITALL == __WASI_RIFLAGS_RECV_WAITALL,
               "MSG_PEEK/MSG_WAITALL are WASI riflags");
/* struct iovec is {void *, size_t}: the same 8 bytes as a WASI (c)iovec. */
_Static_assert(sizeof(struct iovec) == sizeof(__wasi_iovec_t), "iovec layout");
_Static_assert(offsetof(struct iovec, iov_len) == offsetof(__wasi_iovec_t, buf_len), "iovec layout");
/* Option values in Linux LP64 layout (sockbox ABI) have the guest's layout too. */
_Static_assert(sizeof(struct timeval) == 16, "timeval is {i64 sec, i64 usec}");
_Static_assert(sizeof(struct linger) == 8, "linger is {int onoff, int secs}");

/* ======================================================================== */
/* Imports                                                                  */
/* ======================================================================== */

/* __wasi_address_t: {u32 buf, u32 buf_len}. */
typedef struct {
  uint8_t *buf;
  uint32_t buf_len;
} wasi_address_t;
_Static_assert(sizeof(wasi_address_t) == 8, "address is {u32 buf, u32 len}");

/* __wasi_sockaddr_t (12 bytes): family u16 @0, data_len u32 @4, data_ptr @8;
 * data = port (big-endian u16) then the address bytes. */
typedef struct {
  uint16_t family;
  uint32_t data_len;
  uint8_t *data;
} we_sockaddr_t;
_Static_assert(sizeof(we_sockaddr_t) == 12, "__wasi_sockaddr_t is 12 bytes");
_Static_assert(offsetof(we_sockaddr_t, data_len) == 4 && offsetof(we_sockaddr_t, data) == 8,
               "__wasi_sockaddr_t layout");

/* __wasi_addrinfo_t (28 bytes): flags u16 @0, family u8 @2, socktype u8 @3,
 * protocol u32 @4, addrlen u32 @8, addr_ptr @12, canonname_ptr @16,
 * canonname_len @20, next_ptr @24. */
typedef struct we_addrinfo {
  uint16_t flags;
  uint8_t family;
  uint8_t socktype;
  uint32_t protocol;
  uint32_t addrlen;
  we_sockaddr_t *addr;
  char *canonname;
  uint32_t canonname_len;
  struct we_addrinfo *next;
} we_addrinfo_t;
_Static_assert(sizeof(we_addrinfo_t) == 28, "__wasi_addrinfo_t is 28 bytes");
_Static_assert(offsetof(we_addrinfo_t, protocol) == 4 && offsetof(we_addrinfo_t, addr) == 12 &&
                   offsetof(we_addrinfo_t, canonname_len) == 20 &&
                   offsetof(we_addrinfo_t, next) == 24,
               "__wasi_addrinfo_t layout");

/* Every import returns a WASI errno (u16) in an i32. */
typedef int32_t wasi_errno_t;

#define WE_IMPORT(name) \
  __attribute__((import_module("wasi_snapshot_preview1"), import_name(name)))
#define SB_IMPORT(name) __attribute__((import_module("sockbox"), import_name(name)))

WE_IMPORT("sock_open")
wasi_errno_t sb__sock_open(uint32_t af, uint32_t socktype, uint32_t *ro_fd);
WE_IMPORT("sock_bind")
wasi_errno_t sb__sock_bind(uint32_t fd, const wasi_address_t *addr, uint32_t port);
WE_IMPORT("sock_connect")
wasi_errno_t sb__sock_connect(uint32_t fd, const wasi_address_t *addr, uint32_t port);
WE_IMPORT("sock_listen")
wasi_errno_t sb__sock_listen(uint32_t fd, uint32_t backlog);
/* V2 (standard preview1): fdflags NONBLOCK makes the accepted socket non-blocking. */
WE_IMPORT("sock_accept")
wasi_errno_t sb__sock_accept(uint32_t fd, uint32_t fdflags, uint32_t *ro_fd);
WE_IMPORT("sock_recv")
wasi_errno_t sb__sock_recv(uint32_t fd, const __wasi_iovec_t *iovs, uint32_t iovs_len,
                           uint32_t riflags, uint32_t *ro_len, uint16_t *ro_flags);
/* V2: the sender's address into addr (V2 storage), its port into *port. */
WE_IMPORT("sock_recv_from")
wasi_errno_t sb__sock_recv_from(uint32_t fd, const __wasi_iovec_t *iovs, uint32_t iovs_len,
                                wasi_address_t *addr, uint32_t riflags, uint32_t *port,
                                uint32_t *ro_len, uint16_t *ro_flags);
WE_IMPORT("sock_send")
wasi_errno_t sb__sock_send(uint32_t fd, const __wasi_ciovec_t *ciovs, uint32_t ciovs_len,
                           uint32_t siflags, uint32_t *ro_len);
WE_IMPORT("sock_send_to")
wasi_errno_t sb__sock_send_to(uint32_t fd, const __wasi_ciovec_t *ciovs, uint32_t ciovs_len,
                              const wasi_address_t *addr, uint32_t port, uint32_t siflags,
                              uint32_t *ro_len);
WE_IMPORT("sock_shutdown")
wasi_errno_t sb__sock_shutdown(uint32_t fd, uint32_t how);
/* V2: the address into addr (V2 storage), the port into *port. */
WE_IMPORT("sock_getlocaladdr")
wasi_errno_t sb__sock_getlocaladdr(uint32_t fd, wasi_address_t *addr, uint32_t *port);
WE_IMPORT("sock_getpeeraddr")
wasi_errno_t sb__sock_getpeeraddr(uint32_t fd, wasi_address_t *addr, uint32_t *port);
/* res points at a pointer to the first preallocated entry; *res_len gets the count. */
WE_IMPORT("sock_getaddrinfo")
wasi_errno_t sb__sock_getaddrinfo(const char *node, uint32_t node_len, const char *service,
                                  uint32_t service_len, const we_addrinfo_t *hints,
                                  we_addrinfo_t **res, uint32_t max_len, uint32_t *res_len);

SB_IMPORT("getsockopt")
wasi_errno_t sb__getsockopt(uint32_t fd, uint32_t level, uint32_t optname, void *optval,
                            uint32_t *optlen);
SB_IMPORT("setsockopt")
wasi_errno_t sb__setsockopt(uint32_t fd, uint32_t level, uint32_t optname, const void *optval,
                            uint32_t optlen);

/* ======================================================================== */
/* errno                                                                    */
/* ======================================================================== */

static int fail(int err) {
  errno = err;
  return -1;
}

/* ERRNOS:BEGIN (generated by `npm run generate` from host/native/errno.ts; do not edit) */
/* Linux errno (<asm-generic/errno-base.h>, <asm-generic/errno.h>) -> the guest's
 * (wasi-libc's = WASI's). Linux errnos with no WASI counterpart are absent (-> EIO,
 * as the host's own table does). */
static const uint8_t LINUX_TO_GUEST_ERRNO[] = {
    [1] = EPERM,          [2] = ENOENT,         [3] = ESRCH,
    [4] = EINTR,          [5] = EIO,            [6] = ENXIO,
    [7] = E2BIG,          [8] = ENOEXEC,        [9] = EBADF,
    [10] = ECHILD,        [11] = EAGAIN,        [12] = ENOMEM,
    [13] = EACCES,        [14] = EFAULT,        [16] = EBUSY,
    [17] = EEXIST,        [18] = EXDEV,         [19] = ENODEV,
    [20] = ENOTDIR,       [21] = EISDIR,        [22] = EINVAL,
    [23] = ENFILE,        [24] = EMFILE,        [25] = ENOTTY,
    [26] = ETXTBSY,       [27] = EFBIG,         [28] = ENOSPC,
    [29] = ESPIPE,        [30] = EROFS,         [31] = EMLINK,
    [32] = EPIPE,         [33] = EDOM,          [34] = ERANGE,
    [35] = EDEADLK,       [36] = ENAMETOOLONG,  [37] = ENOLCK,
    [38] = ENOSYS,        [39] = ENOTEMPTY,     [40] = ELOOP,
    [42] = ENOMSG,        [43] = EIDRM,         [67] = ENOLINK,
    [71] = EPROTO,        [72] = EMULTIHOP,     [74] = EBADMSG,
    [75] = EOVERFLOW,     [84] = EILSEQ,        [88] = ENOTSOCK,
    [89] = EDESTADDRREQ,  [90] = EMSGSIZE,      [91] = EPROTOTYPE,
    [92] = ENOPROTOOPT,   [93] = EPROTONOSUPPORT, [95] = EOPNOTSUPP,
    [97] = EAFNOSUPPORT,  [98] = EADDRINUSE,    [99] = EADDRNOTAVAIL,
    [100] = ENETDOWN,     [101] = ENETUNREACH,  [102] = ENETRESET,
    [103] = ECONNABORTED, [104] = ECONNRESET,   [105] = ENOBUFS,
    [106] = EISCONN,      [107] = ENOTCONN,     [110] = ETIMEDOUT,
    [111] = ECONNREFUSED, [113] = EHOSTUNREACH, [114] = EALREADY,
    [115] = EINPROGRESS,  [116] = ESTALE,       [122] = EDQUOT,
    [125] = ECANCELED,    [130] = EOWNERDEAD,   [131] = ENOTRECOVERABLE,
};

/* The POSIX name of a guest (WASI) errno. */
static const char *const ERRNO_NAMES[] = {
    [0] = "0",
    [E2BIG] = "E2BIG",
    [EACCES] = "EACCES",
    [EADDRINUSE] = "EADDRINUSE",
    [EADDRNOTAVAIL] = "EADDRNOTAVAIL",
    [EAFNOSUPPORT] = "EAFNOSUPPORT",
    [EAGAIN] = "EAGAIN",
    [EALREADY] = "EALREADY",
    [EBADF] = "EBADF",
    [EBADMSG] = "EBADMSG",
    [EBUSY] = "EBUSY",
    [ECANCELED] = "ECANCELED",
    [ECHILD] = "ECHILD",
    [ECONNABORTED] = "ECONNABORTED",
    [ECONNREFUSED] = "ECONNREFUSED",
    [ECONNRESET] = "ECONNRESET",
    [EDEADLK] = "EDEADLK",
    [EDESTADDRREQ] = "EDESTADDRREQ",
    [EDOM] = "EDOM",
    [EDQUOT] = "EDQUOT",
    [EEXIST] = "EEXIST",
    [EFAULT] = "EFAULT",
    [EFBIG] = "EFBIG",
    [EHOSTUNREACH] = "EHOSTUNREACH",
    [EIDRM] = "EIDRM",
    [EILSEQ] = "EILSEQ",
    [EINPROGRESS] = "EINPROGRESS",
    [EINTR] = "EINTR",
    [EINVAL] = "EINVAL",
    [EIO] = "EIO",
    [EISCONN] = "EISCONN",
    [EISDIR] = "EISDIR",
    [ELOOP] = "ELOOP",
    [EMFILE] = "EMFILE",
    [EMLINK] = "EMLINK",
    [EMSGSIZE] = "EMSGSIZE",
    [EMULTIHOP] = "EMULTIHOP",
    [ENAMETOOLONG] = "ENAMETOOLONG",
    [ENETDOWN] = "ENETDOWN",
    [ENETRESET] = "ENETRESET",
    [ENETUNREACH] = "ENETUNREACH",
    [ENFILE] = "ENFILE",
    [ENOBUFS] = "ENOBUFS",
    [ENODEV] = "ENODEV",
    [ENOENT] = "ENOENT",
    [ENOEXEC] = "ENOEXEC",
    [ENOLCK] = "ENOLCK",
    [ENOLINK] = "ENOLINK",
    [ENOMEM] = "ENOMEM",
    [ENOMSG] = "ENOMSG",
    [ENOPROTOOPT] = "ENOPROTOOPT",
    [ENOSPC] = "ENOSPC",
    [ENOSYS] = "ENOSYS",
    [ENOTCONN] = "ENOTCONN",
    [ENOTDIR] = "ENOTDIR",
    [ENOTEMPTY] = "ENOTEMPTY",
    [ENOTRECOVERABLE] = "ENOTRECOVERABLE",
    [ENOTSOCK] = "ENOTSOCK",
    [ENOTSUP] = "EOPNOTSUPP", /* the same number; Linux's name for the socket case */
    [ENOTTY] = "ENOTTY",
    [ENXIO] = "ENXIO",
    [EOVERFLOW] = "EOVERFLOW",
    [EOWNERDEAD] = "EOWNERDEAD",
    [EPERM] = "EPERM",
    [EPIPE] = "EPIPE",
    [EPROTO] = "EPROTO",
    [EPROTONOSUPPORT] = "EPROTONOSUPPORT",
    [EPROTOTYPE] = "EPROTOTYPE",
    [ERANGE] = "ERANGE",
    [EROFS] = "EROFS",
    [ESPIPE] = "ESPIPE",
    [ESRCH] = "ESRCH",
    [ESTALE] = "ESTALE",
    [ETIMEDOUT] = "ETIMEDOUT",
    [ETXTBSY] = "ETXTBSY",
    [EXDEV] = "EXDEV",
    [ENOTCAPABLE] = "ENOTCAPABLE",
};
/* ERRNOS:END */

int sockbox_errno_from_linux(int linux_errno) {
  if (linux_errno == 0) return 0;
  if (linux_errno < 0 || (size_t)linux_errno >= sizeof LINUX_TO_GUEST_ERRNO) return EIO;
  int e = LINUX_TO_GUEST_ERRNO[linux_errno];
  return e != 0 ? e : EIO;
}

const char *sockbox_errno_name(int err) {
  static char unknown[16];
  if (err >= 0 && (size_t)err < sizeof ERRNO_NAMES / sizeof ERRNO_NAMES[0] &&
      ERRNO_NAMES[err] != NULL)
    return ERRNO_NAMES[err];
  /* "E<n>" without printf, so that linking this SDK pulls in no formatting code. */
  char digits[12];
  int n = 0;
  unsigned v = err < 0 ? 0u - (unsigned)err : (unsigned)err;
  do {
    digits[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v != 0);
  int at = 0;
  unknown[at++] = 'E';
  if (err < 0) unknown[at++] = '-';
  while (n > 0) unknown[at++] = digits[--n];
  unknown[at] = '\0';
  return unknown;
}

/* ======================================================================== */
/* Addresses                                                                */
/* ======================================================================== */

/* An address as the imports take it, with the storage it points at. addr.buf
 * points into the same struct: pass it by pointer, never copy it. */
typedef struct {
  wasi_address_t addr;
  uint8_t bytes[ADDR_V2_LEN];
} addr_v2_t;

static void addr_empty(addr_v2_t *a) {
  memset(a->bytes, 0, sizeof a->bytes);
  a->addr.buf = a->bytes;
  a->addr.buf_len = ADDR_V2_LEN;
}

/* The V2 storage's family: WE_AF_INET4, WE_AF_INET6, or 0 when nothing was written. */
static uint16_t addr_family(const addr_v2_t *a) {
  return (uint16_t)(a->bytes[0] | (a->bytes[1] << 8));
}

/* The smallest sockaddr_in6 Linux takes (RFC 2133's, without sin6_scope_id). */
#define SIN6_MIN_LEN offsetof(struct sockaddr_in6, sin6_scope_id)

/* struct sockaddr -> V2 storage and port. Returns 0 or the errno Linux gives. */
static int addr_from_sockaddr(addr_v2_t *a, uint32_t *port, const struct sockaddr *sa,
                              socklen_t len) {
  addr_empty(a);
  if (len < sizeof(sa_family_t)) return EINVAL;
  if (sa == NULL) return EFAULT;
  if (sa->sa_family == AF_INET) {
    const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
    if (len < sizeof *in) return EINVAL;
    a->bytes[0] = WE_AF_INET4;
    memcpy(a->bytes + 2, &in->sin_addr, 4);
    *port = ntohs(in->sin_port);
    return 0;
  }
  if (sa->sa_family == AF_INET6) {
    const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
    if (len < SIN6_MIN_LEN) return EINVAL;
    a->bytes[0] = WE_AF_INET6;
    memcpy(a->bytes + 2, &in6->sin6_addr, 16);
    *port = ntohs(in6->sin6_port);
    return 0;
  }
  return EAFNOSUPPORT;
}

/* V2 storage and port -> struct sockaddr, POSIX style: at most *len bytes are
 * written and *len becomes the full size. Nothing happens when sa is NULL. */
static void addr_to_sockaddr(const addr_v2_t *a, uint32_t port, struct sockaddr *sa,
                             socklen_t *len) {
  union {
    struct sockaddr_in in;
    struct sockaddr_in6 in6;
  } u;
  socklen_t full;
  if (sa == NULL || len == NULL) return;
  memset(&u, 0, sizeof u);
  if (addr_family(a) == WE_AF_INET6) {
    u.in6.sin6_family = AF_INET6;
    u.in6.sin6_port = htons((uint16_t)port);
    memcpy(&u.in6.sin6_addr, a->bytes + 2, 16);
    full = sizeof u.in6;
  } else {
    u.in.sin_family = AF_INET;
    u.in.sin_port = htons((uint16_t)port);
    memcpy(&u.in.sin_addr, a->bytes + 2, 4);
    full = sizeof u.in;
  }
  memcpy(sa, &u, *len < full ? *len : full);
  *len = full;
}

/* ======================================================================== */
/* MSG_DONTWAIT: the fd's O_NONBLOCK for one call                           */
/* ======================================================================== */

typedef struct {
  int fd;
  int restore;
  __wasi_fdflags_t flags;
} nonblock_t;

/* Makes fd non-blocking for one call when flags has MSG_DONTWAIT. Returns an errno. */
static int nonblock_begin(nonblock_t *nb, int fd, int flags) {
  nb->restore = 0;
  if ((flags & MSG_DONTWAIT) == 0) return 0;
  __wasi_fdstat_t st;
  int err = __wasi_fd_fdstat_get(fd, &st);
  if (err != 0) return err;
  if (st.fs_flags & __WASI_FDFLAGS_NONBLOCK) return 0;
  err = __wasi_fd_fdstat_set_flags(fd, st.fs_flags | __WASI_FDFLAGS_NONBLOCK);
  if (err != 0) return err;
  nb->fd = fd;
  nb->flags = st.fs_flags;
  nb->restore = 1;
  return 0;
}

static void nonblock_end(const nonblock_t *nb) {
  if (nb->restore) (void)__wasi_fd_fdstat_set_flags(nb->fd, nb->flags);
}

/* ======================================================================== */
/* Sockets                                                                  */
/* ======================================================================== */

int socket(int domain, int type, int protocol) {
  uint32_t af, socktype;
  int proto_ok;
  if (domain == AF_INET)
    af = WE_AF_INET4;
  else if (domain == AF_INET6)
    af = WE_AF_INET6;
  else
    return fail(EAFNOSUPPORT); /* AF_UNIX, AF_PACKET, ...: not in the sandbox */
  int flags = type & (SOCK_NONBLOCK | SOCK_CLOEXEC);
  int base = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (base == SOCK_STREAM) {
    socktype = WE_SOCK_STREAM;
    proto_ok = protocol == 0 || protocol == IPPROTO_TCP;
  } else if (base == SOCK_DGRAM) {
    socktype = WE_SOCK_DGRAM;
    proto_ok = protocol == 0 || protocol == IPPROTO_UDP;
  } else {
    return fail(EINVAL); /* wasi-libc names no other type; Linux says EINVAL for unknown ones */
  }
  if (!proto_ok) return fail(EPROTONOSUPPORT);
  uint32_t fd = 0;
  int err = sb__sock_open(af, socktype, &fd);
  if (err != 0) return fail(err);
  if (flags & SOCK_NONBLOCK) {
    err = __wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_NONBLOCK);
    if (err != 0) {
      (void)__wasi_fd_close(fd);
      return fail(err);
    }
  }
  /* SOCK_CLOEXEC: nothing to do, a guest cannot exec. */
  return (int)fd;
}

int bind(int fd, const struct sockaddr *addr, socklen_t addrlen) {
  addr_v2_t a;
  uint32_t port = 0;
  int err = addr_from_sockaddr(&a, &port, addr, addrlen);
  if (err == 0) err = sb__sock_bind(fd, &a.addr, port);
  return err != 0 ? fail(err) : 0;
}

int connect(int fd, const struct sockaddr *addr, socklen_t addrlen) {
  addr_v2_t a;
  uint32_t port = 0;
  int err = addr_from_sockaddr(&a, &port, addr, addrlen);
  if (err == 0) err = sb__sock_connect(fd, &a.addr, port);
  return err != 0 ? fail(err) : 0;
}

int listen(int fd, int backlog) {
  /* A negative backlog reaches the kernel as it is; Linux treats it as SOMAXCONN. */
  int err = sb__sock_listen(fd, (uint32_t)backlog);
  return err != 0 ? fail(err) : 0;
}

int accept4(int fd, struct sockaddr *__restrict addr, socklen_t *__restrict addrlen, int flags) {
  if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) return fail(EINVAL);
  if (addr != NULL && addrlen == NULL) return fail(EFAULT);
  uint32_t conn = 0;
  int err = sb__sock_accept(fd, (flags & SOCK_NONBLOCK) ? __WASI_FDFLAGS_NONBLOCK : 0, &conn);
  if (err != 0) return fail(err);
  if (addr != NULL) {
    addr_v2_t a;
    uint32_t port = 0;
    addr_empty(&a);
    if (sb__sock_getpeeraddr(conn, &a.addr, &port) != 0) {
      /* The peer is gone already (reset before we looked). Linux would still
       * report it; all we can give is the family, with a zero address. */
      addr_empty(&a);
      (void)sb__sock_getlocaladdr(conn, &a.addr, &port);
      memset(a.bytes + 2, 0, sizeof a.bytes - 2);
      port = 0;
    }
    addr_to_sockaddr(&a, port, addr, addrlen);
  }
  return (int)conn;
}

int accept(int fd, struct sockaddr *__restrict addr, socklen_t *__restrict addrlen) {
  return accept4(fd, addr, addrlen, 0);
}

int shutdown(int fd, int how) {
  if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR) return fail(EINVAL);
  int err = sb__sock_shutdown(fd, (uint32_t)how);
  return err != 0 ? fail(err) : 0;
}

static int sock_name(int peer, int fd, struct sockaddr *addr, socklen_t *addrlen) {
  if (addr == NULL || addrlen == NULL) return fail(EFAULT);
  addr_v2_t a;
  uint32_t port = 0;
  addr_empty(&a);
  int err = peer ? sb__sock_getpeeraddr(fd, &a.addr, &port)
                 : sb__sock_getlocaladdr(fd, &a.addr, &port);
  if (err != 0) return fail(err);
  addr_to_sockaddr(&a, port, addr, addrlen);
  return 0;
}

int getsockname(int fd, struct sockaddr *__restrict addr, socklen_t *__restrict addrlen) {
  return sock_name(0, fd, addr, addrlen);
}

int getpeername(int fd, struct sockaddr *__restrict addr, socklen_t *__restrict addrlen) {
  return sock_name(1, fd, addr, addrlen);
}

/* ======================================================================== */
/* Data                                                                     */
/* ======================================================================== */

/* Sends iovecs, to `to` when it is not NULL. Flags: MSG_NOSIGNAL (always in
 * effect), MSG_DONTWAIT; anything else is EOPNOTSUPP. */
static ssize_t send_iovs(int fd, const __wasi_ciovec_t *iovs, size_t n, int flags,
                         const struct sockaddr *to, socklen_t tolen) {
  if (flags & ~(MSG_NOSIGNAL | MSG_DONTWAIT)) return fail(EOPNOTSUPP);
  addr_v2_t a;
  uint32_t port = 0;
  int err;
  if (to != NULL) {
    err = addr_from_sockaddr(&a, &port, to, tolen);
    if (err != 0) return fail(err);
  }
  nonblock_t nb;
  err = nonblock_begin(&nb, fd, flags);
  if (err != 0) return fail(err);
  uint32_t sent = 0;
  err = to != NULL ? sb__sock_send_to(fd, iovs, n, &a.addr, port, 0, &sent)
                   : sb__sock_send(fd, iovs, n, 0, &sent);
  nonblock_end(&nb);
  if (err != 0) return fail(err);
  return (ssize_t)sent;
}

/* Receives into iovecs; the sender into from/fromlen when from is not NULL (a
 * stream socket has none: *fromlen becomes 0, as on Linux). Flags: MSG_PEEK,
 * MSG_WAITALL, MSG_DONTWAIT. *msg_flags (if given) gets MSG_TRUNC when a
 * datagram was longer than the buffers. */
static ssize_t recv_iovs(int fd, const __wasi_iovec_t *iovs, size_t n, int flags,
                         struct sockaddr *from, socklen_t *fromlen, int *msg_flags) {
  if (flags & ~(MSG_PEEK | MSG_WAITALL | MSG_DONTWAIT)) return fail(EOPNOTSUPP);
  if (from != NULL && fromlen == NULL) return fail(EFAULT);
  uint32_t riflags = (uint32_t)(flags & (MSG_PEEK | MSG_WAITALL));
  nonblock_t nb;
  int err = nonblock_begin(&nb, fd, flags);
  if (err != 0) return fail(err);
  uint32_t got = 0, port = 0;
  uint16_t roflags = 0;
  addr_v2_t a;
  addr_empty(&a);
  if (from != NULL)
    err = sb__sock_recv_from(fd, iovs, n, &a.addr, riflags, &port, &got, &roflags);
  else
    err = sb__sock_recv(fd, iovs, n, riflags, &got, &roflags);
  nonblock_end(&nb);
  if (err != 0) return fail(err);
  if (from != NULL) {
    if (addr_family(&a) == WE_AF_UNSPEC)
      *fromlen = 0;
    else
      addr_to_sockaddr(&a, port, from, fromlen);
  }
  if (msg_flags != NULL)
    *msg_flags = (roflags & __WASI_ROFLAGS_RECV_DATA_TRUNCATED) ? MSG_TRUNC : 0;
  return (ssize_t)got;
}

ssize_t send(int fd, const void *buf, size_t len, int flags) {
  if (buf == NULL && len > 0) return fail(EFAULT);
  __wasi_ciovec_t iov = {(const uint8_t *)buf, len};
  return send_iovs(fd, &iov, 1, flags, NULL, 0);
}

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *addr,
               socklen_t addrlen) {
  if (buf == NULL && len > 0) return fail(EFAULT);
  __wasi_ciovec_t iov = {(const uint8_t *)buf, len};
  return send_iovs(fd, &iov, 1, flags, addr, addrlen);
}

ssize_t recv(int fd, void *buf, size_t len, int flags) {
  if (buf == NULL && len > 0) return fail(EFAULT);
  __wasi_iovec_t iov = {(uint8_t *)buf, len};
  return recv_iovs(fd, &iov, 1, flags, NULL, NULL, NULL);
}

ssize_t recvfrom(int fd, void *__restrict buf, size_t len, int flags,
                 struct sockaddr *__restrict addr, socklen_t *__restrict addrlen) {
  if (buf == NULL && len > 0) return fail(EFAULT);
  __wasi_iovec_t iov = {(uint8_t *)buf, len};
  return recv_iovs(fd, &iov, 1, flags, addr, addrlen, NULL);
}

ssize_t sendmsg(int fd, const struct msghdr *msg, int flags) {
  if (msg == NULL) return fail(EFAULT);
  if (msg->msg_iovlen < 0 || msg->msg_iovlen > SOCKBOX_IOV_MAX) return fail(EMSGSIZE);
  if (msg->msg_controllen > 0) return fail(EOPNOTSUPP); /* no ancillary data */
  const struct sockaddr *to = msg->msg_name;
  return send_iovs(fd, (const __wasi_ciovec_t *)msg->msg_iov, (size_t)msg->msg_iovlen, flags,
                   to, msg->msg_namelen);
}

ssize_t recvmsg(int fd, struct msghdr *msg, int flags) {
  if (msg == NULL) return fail(EFAULT);
  if (msg->msg_iovlen < 0 || msg->msg_iovlen > SOCKBOX_IOV_MAX) return fail(EMSGSIZE);
  socklen_t namelen = msg->msg_namelen;
  int mflags = 0;
  ssize_t n = recv_iovs(fd, (const __wasi_iovec_t *)msg->msg_iov, (size_t)msg->msg_iovlen,
                        flags, msg->msg_name, msg->msg_name != NULL ? &namelen : NULL, &mflags);
  if (n < 0) return -1;
  if (msg->msg_name != NULL) msg->msg_namelen = namelen;
  msg->msg_controllen = 0;
  msg->msg_flags = mflags;
  return n;
}

/* ======================================================================== */
/* Options                                                                  */
/* ======================================================================== */

int sockbox_getsockopt_linux(int fd, int level, int optname, void *__restrict optval,
                             socklen_t *__restrict optlen) {
  if (optlen == NULL) return fail(EFAULT);
  if (optval == NULL && *optlen > 0) return fail(EFAULT);
  int err = sb__getsockopt(fd, (uint32_t)level, (uint32_t)optname, optval, optlen);
  return err != 0 ? fail(err) : 0;
}

int sockbox_setsockopt_linux(int fd, int level, int optname, const void *optval,
                             socklen_t optlen) {
  if (optval == NULL && optlen > 0) return fail(EFAULT);
  int err = sb__setsockopt(fd, (uint32_t)level, (uint32_t)optname, optval, optlen);
  return err != 0 ? fail(err) : 0;
}

/* The guest's level -> Linux's, or -1 for IPPROTO_ICMP (see sockbox.h). The
 * IPPROTO_* levels are Linux's numbers in wasi-libc already. */
static int level_to_linux(int level) {
  if (level == SOL_SOCKET) return LINUX_SOL_SOCKET;
  if (level == GUEST_LEVEL_ICMP) return -1;
  return level;
}

/* A Linux SO_TYPE / SO_DOMAIN / SO_ERROR value in the guest's numbering. */
static int32_t value_to_guest(int optname, int32_t v) {
  switch (optname) {
    case LINUX_SO_TYPE:
      return v == LINUX_SOCK_STREAM ? SOCK_STREAM : v == LINUX_SOCK_DGRAM ? SOCK_DGRAM : v;
    case LINUX_SO_DOMAIN:
      return v == LINUX_AF_INET ? AF_INET : v == LINUX_AF_INET6 ? AF_INET6 : v;
    case LINUX_SO_ERROR:
      return sockbox_errno_from_linux(v);
    default:
      return v;
  }
}

int getsockopt(int fd, int level, int optname, void *__restrict optval,
               socklen_t *__restrict optlen) {
  if (optlen == NULL) return fail(EFAULT);
  if (optval == NULL && *optlen > 0) return fail(EFAULT);
  int linux_level = level_to_linux(level);
  if (linux_level < 0) return fail(ENOPROTOOPT);
  if (linux_level == LINUX_SOL_SOCKET &&
      (optname == LINUX_SO_TYPE || optname == LINUX_SO_DOMAIN || optname == LINUX_SO_ERROR)) {
    /* Read the whole int, translate it, then truncate as POSIX says. */
    int32_t v = 0;
    uint32_t len = sizeof v;
    int err = sb__getsockopt(fd, LINUX_SOL_SOCKET, (uint32_t)optname, &v, &len);
    if (err != 0) return fail(err);
    if (len == sizeof v) v = value_to_guest(optname, v);
    socklen_t n = *optlen < len ? *optlen : len;
    memcpy(optval, &v, n);
    *optlen = n;
    return 0;
  }
  return sockbox_getsockopt_linux(fd, linux_level, optname, optval, optlen);
}

int setsockopt(int fd, int level, int optname, const void *optval, socklen_t optlen) {
  int linux_level = level_to_linux(level);
  if (linux_level < 0) return fail(ENOPROTOOPT);
  return sockbox_setsockopt_linux(fd, linux_level, optname, optval, optlen);
}

/* ======================================================================== */
/* Names and addresses                                                      */
/* ======================================================================== */

/** Most answers one getaddrinfo call takes from the host. */
#define GAI_MAX 32
/** Room for one answer's address: big-endian port (2) + IPv6 address (16). */
#define GAI_DATA 18
#define GAI_CANON 256

/* One answer in one allocation: the addrinfo, its address and nothing else. */
typedef struct {
  struct addrinfo ai;
  union {
    struct sockaddr_in in;
    struct sockaddr_in6 in6;
  } sa;
} gai_node_t;

static int gai_fail_errno(int err) {
  errno = err;
  return EAI_SYSTEM;
}

int getaddrinfo(const char *__restrict node, const char *__restrict service,
                const struct addrinfo *__restrict hints, struct addrinfo **__restrict res) {
  static const int known_flags = AI_PASSIVE | AI_CANONNAME | AI_NUMERICHOST | AI_V4MAPPED |
                                 AI_ALL | AI_ADDRCONFIG | AI_NUMERICSERV;
  int flags = 0, family = AF_UNSPEC, socktype = 0, protocol = 0;
  if (res == NULL) return gai_fail_errno(EFAULT);
  *res = NULL;
  if (node == NULL && service == NULL) return EAI_NONAME;
  if (hints != NULL) {
    flags = hints->ai_flags;
    family = hints->ai_family;
    socktype = hints->ai_socktype;
    protocol = hints->ai_protocol;
  }
  if (flags & ~known_flags) return EAI_BADFLAGS;
  if ((flags & AI_CANONNAME) && node == NULL) return EAI_BADFLAGS;
  if (family != AF_UNSPEC && family != AF_INET && family != AF_INET6) return EAI_FAMILY;
  if (socktype != 0 && socktype != SOCK_STREAM && socktype != SOCK_DGRAM) return EAI_SOCKTYPE;
  if (protocol != 0 && !(protocol == IPPROTO_TCP && socktype != SOCK_DGRAM) &&
      !(protocol == IPPROTO_UDP && socktype != SOCK_STREAM))
    return EAI_SOCKTYPE;
  size_t node_len = node != NULL ? strlen(node) : 0;
  size_t service_len = service != NULL ? strlen(service) : 0;
  if (node_len > 1024 || service_len > 64) return EAI_OVERFLOW; /* the host's limits */

  we_addrinfo_t hint;
  memset(&hint, 0, sizeof hint);
  hint.flags = (uint16_t)(((flags & AI_PASSIVE) ? WE_AI_PASSIVE : 0) |
                          ((flags & AI_CANONNAME) ? WE_AI_CANONNAME : 0) |
                          ((flags & AI_NUMERICHOST) ? WE_AI_NUMERICHOST : 0) |
                          ((flags & AI_NUMERICSERV) ? WE_AI_NUMERICSERV : 0));
  hint.family = family == AF_INET ? WE_AF_INET4 : family == AF_INET6 ? WE_AF_INET6 : WE_AF_UNSPEC;
  hint.socktype = socktype == SOCK_STREAM ? WE_SOCK_STREAM
                  : socktype == SOCK_DGRAM ? WE_SOCK_DGRAM
                                           : WE_SOCK_ANY;
  hint.protocol = protocol == IPPROTO_TCP ? WE_PROTO_TCP
                  : protocol == IPPROTO_UDP ? WE_PROTO_UDP
                                            : WE_PROTO_IP;

  /* The host fills preallocated entries chained by next; each points at its
   * __wasi_sockaddr_t and that at its data bytes. Only the first has room for
   * the canonical name. */
  we_addrinfo_t entries[GAI_MAX];
  we_sockaddr_t addrs[GAI_MAX];
  uint8_t data[GAI_MAX][GAI_DATA];
  char canon[GAI_CANON];
  memset(entries, 0, sizeof entries);
  memset(canon, 0, sizeof canon);
  for (int i = 0; i < GAI_MAX; i++) {
    addrs[i].family = 0;
    addrs[i].data_len = GAI_DATA;
    addrs[i].data = data[i];
    entries[i].addr = &addrs[i];
    entries[i].next = i + 1 < GAI_MAX ? &entries[i + 1] : NULL;
  }
  if (flags & AI_CANONNAME) {
    entries[0].canonname = canon;
    entries[0].canonname_len = GAI_CANON;
  }
  we_addrinfo_t *first = &entries[0];
  uint32_t count = 0;
  int err = sb__sock_getaddrinfo(node != NULL ? node : "", (uint32_t)node_len,
                                 service != NULL ? service : "", (uint32_t)service_len, &hint,
                                 &first, GAI_MAX, &count);
  /* The host answers resolver failures in WasmEdge's numbering, after NOTCAPABLE (76):
   * AIADDRFAMILY 77, AIAGAIN, AIBADFLAG, AIFAIL, AIFAMILY, AIMEMORY, AINODATA, AINONAME,
   * AISERVICE, AISOCKTYPE, AISYSTEM 87: getaddrinfo's EAI_* one to one. */
  static const int from_ai[] = {EAI_ADDRFAMILY, EAI_AGAIN,  EAI_BADFLAGS, EAI_FAIL,
                                EAI_FAMILY,     EAI_MEMORY, EAI_NODATA,   EAI_NONAME,
                                EAI_SERVICE,    EAI_SOCKTYPE};
  if (err >= 77 && err <= 86) return from_ai[err - 77];
  if (err == 87) return gai_fail_errno(EIO);
  if (err != 0) return gai_fail_errno(err); /* ENOTCAPABLE: lookups not granted */
  /* Success with no answer: a numeric address outside the connect/bind grants (for a
   * name whose answers all lie outside them the host says AINONAME: EAI_NONAME above). */
  if (count == 0) return gai_fail_errno(ENOTCAPABLE);

  struct addrinfo *head = NULL, **tail = &head;
  const we_addrinfo_t *e = &entries[0];
  for (uint32_t i = 0; i < count && e != NULL; i++, e = e->next) {
    int st = e->socktype == WE_SOCK_STREAM ? SOCK_STREAM
             : e->socktype == WE_SOCK_DGRAM ? SOCK_DGRAM
                                            : 0;
    if (st == 0) continue; /* raw sockets: not for guests */
    const we_sockaddr_t *wa = e->addr;
    gai_node_t *n = calloc(1, sizeof *n);
    if (n == NULL) {
      freeaddrinfo(head);
      return EAI_MEMORY;
    }
    uint16_t port = (uint16_t)((wa->data[0] << 8) | wa->data[1]);
    if (wa->family == WE_AF_INET6) {
      n->sa.in6.sin6_family = AF_INET6;
      n->sa.in6.sin6_port = htons(port);
      memcpy(&n->sa.in6.sin6_addr, wa->data + 2, 16);
      n->ai.ai_family = AF_INET6;
      n->ai.ai_addrlen = sizeof n->sa.in6;
    } else {
      n->sa.in.sin_family = AF_INET;
      n->sa.in.sin_port = htons(port);
      memcpy(&n->sa.in.sin_addr, wa->data + 2, 4);
      n->ai.ai_family = AF_INET;
      n->ai.ai_addrlen = sizeof n->sa.in;
    }
    n->ai.ai_flags = flags;
    n->ai.ai_socktype = st;
    n->ai.ai_protocol = e->protocol == WE_PROTO_TCP   ? IPPROTO_TCP
                        : e->protocol == WE_PROTO_UDP ? IPPROTO_UDP
                        : st == SOCK_STREAM           ? IPPROTO_TCP
                                                      : IPPROTO_UDP;
    n->ai.ai_addr = (struct sockaddr *)&n->sa;
    if (head == NULL && (flags & AI_CANONNAME)) {
      n->ai.ai_canonname = strdup(canon[0] != '\0' ? canon : node);
      if (n->ai.ai_canonname == NULL) {
        free(n);
        return EAI_MEMORY;
      }
    }
    *tail = &n->ai;
    tail = &n->ai.ai_next;
  }
  if (head == NULL) return EAI_NONAME;
  *res = head;
  return 0;
}

void freeaddrinfo(struct addrinfo *res) {
  while (res != NULL) {
    struct addrinfo *next = res->ai_next;
    free(res->ai_canonname);
    free(res); /* the addrinfo is the first member of its gai_node_t */
    res = next;
  }
}

const char *gai_strerror(int errcode) {
  switch (errcode) {
    case 0: return "Success";
    case EAI_BADFLAGS: return "Bad value for ai_flags";
    case EAI_NONAME: return "Name or service not known";
    case EAI_AGAIN: return "Temporary failure in name resolution";
    case EAI_FAIL: return "Non-recoverable failure in name resolution";
    case EAI_NODATA: return "No address associated with hostname";
    case EAI_FAMILY: return "ai_family not supported";
    case EAI_SOCKTYPE: return "ai_socktype not supported";
    case EAI_SERVICE: return "Servname not supported for ai_socktype";
    case EAI_ADDRFAMILY: return "Address family for hostname not supported";
    case EAI_MEMORY: return "Memory allocation failure";
    case EAI_SYSTEM: return "System error";
    case EAI_OVERFLOW: return "Argument buffer overflow";
    default: return "Unknown error";
  }
}

/* Writes v in decimal into buf (size len, NUL included); 0, or -1 if it does not fit. */
static int put_decimal(char *buf, size_t len, unsigned v) {
  char digits[10];
  size_t n = 0;
  do {
    digits[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v != 0);
  if (n + 1 > len) return -1;
  for (size_t i = 0; i < n; i++) buf[i] = digits[n - 1 - i];
  buf[n] = '\0';
  return 0;
}

int getnameinfo(const struct sockaddr *__restrict sa, socklen_t salen, char *__restrict host,
                socklen_t hostlen, char *__restrict serv, socklen_t servlen, int flags) {
  if (flags & ~(NI_NUMERICHOST | NI_NUMERICSERV | NI_NOFQDN | NI_NAMEREQD | NI_DGRAM))
    return EAI_BADFLAGS;
  if (sa == NULL || salen < sizeof(sa_family_t)) return EAI_FAMILY;
  const void *ip;
  uint16_t port;
  if (sa->sa_family == AF_INET && salen >= sizeof(struct sockaddr_in)) {
    ip = &((const struct sockaddr_in *)sa)->sin_addr;
    port = ntohs(((const struct sockaddr_in *)sa)->sin_port);
  } else if (sa->sa_family == AF_INET6 && salen >= SIN6_MIN_LEN) {
    ip = &((const struct sockaddr_in6 *)sa)->sin6_addr;
    port = ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
  } else {
    return EAI_FAMILY;
  }
  if (host != NULL && hostlen > 0) {
    if (flags & NI_NAMEREQD) return EAI_NONAME; /* no reverse lookups in the sandbox */
    if (inet_ntop(sa->sa_family, ip, host, hostlen) == NULL) return EAI_OVERFLOW;
  }
  if (serv != NULL && servlen > 0 && put_decimal(serv, servlen, port) != 0) return EAI_OVERFLOW;
  return 0;
}

/* inet_aton: BSD's forms, a.b.c.d, a.b.c (c 16 bits), a.b (b 24 bits) and a
 * (32 bits), each part decimal, 0x hex or 0 octal. */
int inet_aton(const char *cp, struct in_addr *inp) {
  uint32_t parts[4];
  int n = 0;
  const char *s = cp;
  if (cp == NULL) return 0;
  for (;;) {
    if (*s < '0' || *s > '9') return 0;
    uint32_t base = 10, v = 0;
    if (*s == '0') {
      s++;
      base = 8;
      if (*s == 'x' || *s == 'X') {
        base = 16;
        s++;
        if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') || (*s >= 'A' && *s <= 'F')))
          return 0;
      }
    }
    for (;; s++) {
      uint32_t d;
      if (*s >= '0' && *s <= '9')
        d = (uint32_t)(*s - '0');
      else if (base == 16 && *s >= 'a' && *s <= 'f')
        d = (uint32_t)(*s - 'a' + 10);
      else if (base == 16 && *s >= 'A' && *s <= 'F')
        d = (uint32_t)(*s - 'A' + 10);
      else
        break;
      if (d >= base) return 0;
      if (v > (UINT32_MAX - d) / base) return 0;
      v = v * base + d;
    }
    if (n == 4) return 0;
    parts[n++] = v;
    if (*s == '\0') break;
    if (*s != '.') return 0;
    s++;
  }
  uint32_t addr;
  switch (n) {
    case 1:
      addr = parts[0];
      break;
    case 2:
      if (parts[0] > 0xff || parts[1] > 0xffffff) return 0;
      addr = parts[0] << 24 | parts[1];
      break;
    case 3:
      if (parts[0] > 0xff || parts[1] > 0xff || parts[2] > 0xffff) return 0;
      addr = parts[0] << 24 | parts[1] << 16 | parts[2];
      break;
    default:
      for (int i = 0; i < 4; i++)
        if (parts[i] > 0xff) return 0;
      addr = parts[0] << 24 | parts[1] << 16 | parts[2] << 8 | parts[3];
      break;
  }
  if (inp != NULL) inp->s_addr = htonl(addr);
  return 1;
}

in_addr_t inet_addr(const char *cp) {
  struct in_addr a;
  return inet_aton(cp, &a) ? a.s_addr : INADDR_NONE;
}

char *inet_ntoa(struct in_addr in) {
  static char buf[INET_ADDRSTRLEN];
  return (char *)inet_ntop(AF_INET, &in, buf, sizeof buf);
}
