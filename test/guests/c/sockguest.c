/*
 * sockguest.c: a C test guest that drives sockbox's socket imports.
 *
 * Build: node build/guests.mjs   (clang --target=wasm32-wasi -O2 -Wall -Wextra -Werror)
 * Out:   test/guests/sockguest-c.wasm
 *
 * Every socket import is declared BY HAND below, with the numbering of the
 * WasmEdge socket extension (module "wasi_snapshot_preview1") or of sockbox's own
 * extension (module "sockbox"). wasi-libc's socket functions are not used: their
 * numbering is not WasmEdge's. Standard preview1 calls (fd_close,
 * fd_fdstat_set_flags, clock_time_get) come from <wasi/api.h>; poll_oneoff is
 * declared by hand so that its byte layout is spelled out here.
 *
 * ---------------------------------------------------------------------------
 * CONTRACT (test writers may rely on it)
 *
 * argv[1] is the command. Every output line ends with "\n" and stdout is flushed
 * after each line. Addresses are loopback only (127.0.0.1 or ::1). <fam> is 4 or 6.
 * A port argument is decimal 1..65535.
 *
 * Errors: when an import fails unexpectedly the guest prints
 *     error <what> errno=<n>
 * and exits 1. When an import succeeds but returns something impossible (a bound
 * socket with port 0, a wrong address family, ...) it prints
 *     error <what> <detail>
 * and exits 1. Lines that report an errno on purpose (below) are not errors.
 * An unknown command or bad arguments print one line starting "usage" and exit 2.
 *
 * echo-server <fam>
 *     STREAM socket, SO_REUSEADDR=1 (sock_setsockopt), bind loopback:0, listen(16),
 *     sock_getlocaladdr (V1 for 4, V2 for 6).
 *     -> listening <port>
 *     Accepts one connection (sock_accept V1 for 4, V2 with fdflags 0 for 6) and
 *     echoes everything (recv 4096 bytes at a time, partial sends looped) until
 *     the peer's recv gives 0 bytes.
 *     -> echoed <total bytes>
 *     Closes both fds, exits 0.
 *
 * client <fam> <port> <message>
 *     STREAM socket, connect loopback:<port>, send <message>, sock_shutdown(WR),
 *     recv until 0 bytes.
 *     -> received <text>
 *     Exits 0.
 *
 * udp-server <fam>
 *     DGRAM socket bound to loopback:0.
 *     -> udp <port>
 *     sock_recv_from V2 (with port_ptr) of one datagram.
 *     -> got <text> from <port>
 *     sock_send_to the same bytes back to that address and port.
 *     -> replied
 *     Exits 0.
 *
 * udp-client <fam> <port> <message>
 *     DGRAM socket (not bound), sock_send_to <message> to loopback:<port>,
 *     sock_recv one datagram.
 *     -> reply <text>
 *     Exits 0.
 *
 * options <fam> <stream|dgram>
 *     Lines are "<abi> <NAME> <result>" with <abi> wasmedge or sockbox and
 *     <result> one of value=<int>, errno=<n>, linger=<onoff>,<secs>,
 *     timeval=<sec>,<usec>. A set prints "<abi> set <NAME> errno=<n>" (0 = ok).
 *     S is a fresh socket of the given family and type. In this order:
 *      1. SO_ACCEPTCONN (wasmedge, sockbox). Stream only: bind S to loopback:0,
 *         listen(4), SO_ACCEPTCONN again (wasmedge, sockbox).
 *      2. Stream only, for wasmedge then sockbox: find a closed port (bind a
 *         throwaway STREAM socket to loopback:0, read its port, close it); new
 *         socket C, NONBLOCK, sock_connect(C, loopback:port)
 *         -> <abi> connect errno=<n>          (26 INPROGRESS or 14 CONNREFUSED)
 *         if 26, poll_oneoff on {fd_write C, 5 s monotonic clock}; then
 *         -> <abi> SO_ERROR <result>          (the refusal: wasmedge 14, sockbox 111)
 *         -> <abi> SO_ERROR <result>          (read again: 0, the first read cleared it)
 *         Close C.
 *      3. SO_KEEPALIVE get (wasmedge, sockbox); wasmedge set SO_KEEPALIVE 1;
 *         get (wasmedge, sockbox).
 *      4. SO_TYPE (wasmedge, sockbox).
 *      5. sockbox IP_HDRINCL (0,3) get; sockbox set IP_HDRINCL 1 (policy: 76).
 *      6. sockbox IP_RECVDSTADDR (0,0x10007) get (expected errno=50).
 *      7. sockbox set IP_TOS 0x10; sockbox IP_TOS get.
 *      8. sockbox IP_TTL get.
 *      9. On a NEW socket of the same kind: SO_REUSEADDR get (wasmedge, sockbox);
 *         wasmedge set SO_REUSEADDR 1; get (wasmedge, sockbox). That socket is closed.
 *     10. wasmedge set SO_LINGER {1,5}; SO_LINGER get (wasmedge, sockbox) as linger=.
 *     11. wasmedge set SO_RCVTIMEO {2,500000}; SO_RCVTIMEO get (wasmedge, sockbox)
 *         as timeval=.
 *     12. Family 6 only: sockbox IPV6_V6ONLY (41,26) get.
 *     Exits 0.
 *
 * block-accept
 *     STREAM bound to 127.0.0.1:0, listen(16).
 *     -> ready <port>
 *     Blocking sock_accept (V1). If it ever returns: -> accepted, exit 0.
 *
 * block-recv <port>
 *     STREAM connected to 127.0.0.1:<port>.
 *     -> ready
 *     Blocking sock_recv. If it returns: -> recv <n>, exit 0.
 *
 * block-poll
 *     DGRAM bound to 127.0.0.1:0.
 *     -> ready <port>
 *     poll_oneoff with ONE fd_read subscription and no clock.
 *     If it returns: -> polled <nevents>, exit 0.
 *
 * block-connect <port>
 *     STREAM socket opened, then
 *     -> ready
 *     then a blocking sock_connect to 127.0.0.1:<port>.
 *     If it returns: -> connect errno=<n>, exit 0.
 *
 * trap
 *     Opens a DGRAM socket and a STREAM socket listening on 127.0.0.1:0.
 *     -> ready
 *     then traps (unreachable).
 *
 * exit-open
 *     Opens a STREAM socket listening on 127.0.0.1:0, an unbound STREAM socket
 *     and a DGRAM socket.
 *     -> ready
 *     then exit(3) without closing any of them.
 *
 * bad-input
 *     One line "<case> errno=<n>" per case, in this order:
 *       getsockopt-bad-fd         sock_getsockopt(fd 999, SO_TYPE)
 *       getsockopt-not-socket     sock_getsockopt(fd 1 = stdout, SO_TYPE)
 *       getsockopt-len-oob        len_ptr = 0xFFFFFFF0
 *       getsockopt-buf-oob        buf_ptr = 0xFFFFFFF0, *len = 4
 *       getsockopt-len-huge       valid pointers, *len = 0x7FFFFFFF
 *       setsockopt-short          wasmedge SO_KEEPALIVE with len 2
 *       sockbox-getsockopt-trunc  sockbox SO_TYPE with *len = 2;
 *                                 this line is "... errno=<n> len=<n>"
 *       sock-open-oob             sock_open(ro_fd_ptr = 0xFFFFFFF0)
 *       recv-iovs-oob             sock_recv(iovs_ptr 0xFFFFFFF0, iovs_len 1)
 *       recv-iovs-huge            sock_recv(valid iovs_ptr, iovs_len 0x7FFFFFFF)
 *       send-bad-fd               sock_send(fd 999)
 *       bind-bad-addr-len         sock_bind with a V1 address of buf_len 5
 *       connect-denied            sock_connect to 127.0.0.2:9 (not granted: 76)
 *       unknown-option            sockbox getsockopt(SOL_SOCKET, 9999)
 *       wasmedge-unknown-level    sock_getsockopt(level 7, name 0)
 *       poll-zero                 poll_oneoff with 0 subscriptions
 *       poll-oob                  poll_oneoff(in_ptr 0xFFFFFFF0, 1 subscription)
 *     The socket options go to an unbound IPv4 STREAM socket. The two recv cases
 *     use an IPv4 DGRAM socket bound to 127.0.0.1:0 and set NONBLOCK, and the
 *     connect-denied socket is NONBLOCK too, so that a host that checks too late
 *     answers with a wrong errno instead of hanging. Exits 0.
 *
 * getsockopt-loop <n>
 *     One IPv4 DGRAM socket; n calls of sock_getsockopt(SO_RCVBUF), timed with
 *     clock_time_get(MONOTONIC), then n calls of sockbox getsockopt(1, 8).
 *     -> wasmedge <ns per call>
 *     -> sockbox <ns per call>
 *     (integers, rounded down). n is 1..1000000000. Exits 0.
 *
 * try <op> <4|6> <arguments>
 *     One call that the sandbox policy may refuse, for the policy tests (which
 *     run it over a recording native layer, so that no syscall runs). Unlike the
 *     rest of this contract, addresses here may be ANY address and numbers may be
 *     out of range on purpose. It prints one line
 *         try <op> errno=<n>
 *     (0 = the call succeeded; a few ops add fields after it) and exits 0. Each
 *     op opens the socket(s) it needs with sock_open (family <4|6>: 4 is
 *     WasmEdge INET4, 6 is INET6); a failure there is "error sock_open errno=<n>",
 *     exit 1. Sockets are closed with fd_close before the exit unless said.
 *     Wrong arguments print one line "usage: sockguest try ..." and exit 2.
 *
 *     <addr> is IPv4 dotted text or IPv6 text (:: compression, embedded IPv4
 *     as in ::ffff:10.0.0.1), parsed in the guest with wasi-libc's inet_pton.
 *     It is passed in the V1 form (4 raw bytes) when it parses as IPv4 and in
 *     the V2 form (128-byte storage, family INET6) otherwise, whatever the
 *     socket's family. Numbers are decimal; <port>, <socktype>, <af>, <level>
 *     and <name> are 0..4294967295 and reach the import unchanged (so 65536 is
 *     passed as 65536); <int> is -2147483648..2147483647.
 *
 *     try connect <4|6> <addr> <port>
 *         STREAM socket, set NONBLOCK (an allowed connect answers at once: 0 or
 *         26 INPROGRESS), sock_connect(<addr>, <port>).
 *     try bind <4|6> <addr> <port>
 *         STREAM socket, sock_bind(<addr>, <port>).
 *     try sendto <4|6> <addr> <port>
 *         DGRAM socket, NONBLOCK, sock_send_to of the 1 byte "x" to <addr>:<port>.
 *     try open-raw <4|6> <addr> <socktype>
 *         sock_open(family, <socktype>); <addr> is ignored. Meant for socket
 *         types WasmEdge does not have: 3 (raw), 255, ...
 *     try open-family <4|6> <addr> <af>
 *         sock_open(<af>, STREAM); <4|6> and <addr> are ignored. Meant for
 *         WasmEdge address families other than 1 and 2: 0, 3, 16, 17, ...
 *     try sockopt-set <4|6> <level> <name> <int>
 *         STREAM socket; sockbox setsockopt(<level>, <name>, int32 <int>, len 4)
 *         (Linux numbering).
 *     try sockopt-get <4|6> <level> <name>
 *         STREAM socket; sockbox getsockopt(<level>, <name>) into a zeroed
 *         64-byte buffer with *len = 64.
 *         -> try sockopt-get errno=<n>                        (on an error)
 *         -> try sockopt-get errno=0 len=<len> value=<int32 at offset 0>
 *     try wasmedge-set <4|6> <name> <int>
 *         STREAM socket; sock_setsockopt(SOL_SOCKET 0, <name>, int32 <int>, len 4)
 *         (WasmEdge numbering).
 *     try wasmedge-get <4|6> <name>
 *         STREAM socket; sock_getsockopt(SOL_SOCKET 0, <name>), as sockopt-get
 *         (same extra fields).
 *     try lookup <4|6> <node> <service>
 *         sock_getaddrinfo(<node>, <service>) with hints {family 4|6, STREAM}
 *         and 4 preallocated answers (no socket is opened).
 *         -> try lookup errno=<n>                (on an error)
 *         -> try lookup errno=0 count=<answers>
 *     try many-sockets <4|6> <n>
 *         n (1..100000) calls of sock_open(family, STREAM), every one tried even
 *         after a failure; the sockets stay open (the sandbox closes them).
 *         -> try many-sockets errno=<first failure's errno, 0 if none> opened=<k>
 * ---------------------------------------------------------------------------
 *
 * V1 and V2 imports that share one name. WasmEdge has two generations of
 * sock_accept, sock_getlocaladdr and sock_recv_from that differ in parameter
 * count. Below, each generation is its own C function, and both carry the same
 * import_module/import_name attributes. clang and wasm-ld accept that in one
 * translation unit: the module then holds two imports with the same
 * module/name and different function types, which is valid wasm. A JS host
 * supplies one function for the name; it serves both, telling them apart by
 * how many arguments arrive.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

/* inet_pton only (the try command's address text); no libc socket call. */
#include <arpa/inet.h>

/* ======================================================================== */
/* Numbering                                                                */
/* ======================================================================== */

/* WASI errnos this program looks at (the values every import returns). */
enum {
  WASI_ESUCCESS = 0,
  WASI_EINPROGRESS = 26,
};

/* WasmEdge socket extension: its own numbering, not Linux's. */
enum {
  WE_AF_INET4 = 1,
  WE_AF_INET6 = 2,

  WE_SOCK_DGRAM = 1,
  WE_SOCK_STREAM = 2,

  WE_SHUT_RD = 1,
  WE_SHUT_WR = 2,
  WE_SHUT_RDWR = 3,

  WE_SOL_SOCKET = 0, /* the only level */

  WE_SO_REUSEADDR = 0,
  WE_SO_TYPE = 1,
  WE_SO_ERROR = 2,
  WE_SO_DONTROUTE = 3,
  WE_SO_BROADCAST = 4,
  WE_SO_SNDBUF = 5,
  WE_SO_RCVBUF = 6,
  WE_SO_KEEPALIVE = 7,
  WE_SO_OOBINLINE = 8,
  WE_SO_LINGER = 9,
  WE_SO_RCVLOWAT = 10,
  WE_SO_RCVTIMEO = 11,
  WE_SO_SNDTIMEO = 12,
  WE_SO_ACCEPTCONN = 13,
  WE_SO_BINDTODEVICE = 14,
};

/* sockbox extension: Linux numbering at every level. Options that only BSD has
 * are 0x10000 + their macOS number. */
enum {
  SB_IPPROTO_IP = 0,
  SB_SOL_SOCKET = 1,
  SB_IPPROTO_TCP = 6,
  SB_IPPROTO_UDP = 17,
  SB_IPPROTO_IPV6 = 41,

  SB_SO_REUSEADDR = 2,
  SB_SO_TYPE = 3,
  SB_SO_ERROR = 4,
  SB_SO_RCVBUF = 8,
  SB_SO_KEEPALIVE = 9,
  SB_SO_LINGER = 13,
  SB_SO_RCVTIMEO = 20,
  SB_SO_ACCEPTCONN = 30,

  SB_IP_TOS = 1,
  SB_IP_TTL = 2,
  SB_IP_HDRINCL = 3,
  SB_IP_RECVDSTADDR = 0x10000 + 7, /* macOS IP_RECVDSTADDR = 7 */

  SB_IPV6_V6ONLY = 26,
};

/* ======================================================================== */
/* Memory layouts shared with the host                                      */
/* ======================================================================== */

/* Pointers are 32-bit on wasm32, so a pointer field is the ABI's u32 offset. */
_Static_assert(sizeof(void *) == 4, "wasm32 only");

/* __wasi_address_t: where an address lives and how long it is.
 *   V1: buf -> 4 or 16 raw IP bytes (network order), buf_len 4 or 16.
 *   V2: buf -> 128 bytes: u16 family (LE) at 0, IP bytes from offset 2,
 *       buf_len 128. */
typedef struct {
  uint8_t *buf;
  uint32_t buf_len;
} wasi_address_t;
_Static_assert(sizeof(wasi_address_t) == 8, "address is {u32 buf, u32 len}");

#define ADDR_V2_LEN 128

/* iovec / ciovec: {u32 buf, u32 len}. */
typedef struct {
  uint8_t *buf;
  uint32_t buf_len;
} iovec_t;
typedef struct {
  const uint8_t *buf;
  uint32_t buf_len;
} ciovec_t;
_Static_assert(sizeof(iovec_t) == 8 && sizeof(ciovec_t) == 8, "iovec is 8 bytes");

/* Option values (the same layout in both ABIs). */
typedef struct {
  int32_t onoff;
  int32_t secs;
} linger_t;
typedef struct {
  int64_t sec;
  int64_t usec;
} timeval_t;
_Static_assert(sizeof(linger_t) == 8, "linger is 8 bytes");
_Static_assert(sizeof(timeval_t) == 16, "timeval is 16 bytes");

/* poll_oneoff subscription, 48 bytes. */
enum { EVENTTYPE_CLOCK = 0, EVENTTYPE_FD_READ = 1, EVENTTYPE_FD_WRITE = 2 };
enum { CLOCKID_MONOTONIC = 1 };
typedef struct {
  uint64_t userdata; /* @0, copied to the event */
  uint8_t tag;       /* @8, an EVENTTYPE_* */
  union {            /* @16 */
    struct {
      uint32_t id;        /* @16 */
      uint64_t timeout;   /* @24, ns */
      uint64_t precision; /* @32, ns */
      uint16_t flags;     /* @40, 0 = relative, 1 = absolute */
    } clock;
    struct {
      uint32_t fd; /* @16 */
    } fd_readwrite;
  } u;
} subscription_t;
_Static_assert(sizeof(subscription_t) == 48, "subscription is 48 bytes");
_Static_assert(offsetof(subscription_t, tag) == 8, "tag @8");
_Static_assert(offsetof(subscription_t, u.clock.id) == 16, "clock.id @16");
_Static_assert(offsetof(subscription_t, u.clock.timeout) == 24, "timeout @24");
_Static_assert(offsetof(subscription_t, u.clock.precision) == 32, "precision @32");
_Static_assert(offsetof(subscription_t, u.clock.flags) == 40, "flags @40");
_Static_assert(offsetof(subscription_t, u.fd_readwrite.fd) == 16, "fd @16");

/* poll_oneoff event, 32 bytes. */
typedef struct {
  uint64_t userdata; /* @0 */
  uint16_t error;    /* @8, a WASI errno */
  uint8_t type;      /* @10, an EVENTTYPE_* */
  uint64_t nbytes;   /* @16 */
  uint16_t flags;    /* @24, 1 = hangup */
} event_t;
_Static_assert(sizeof(event_t) == 32, "event is 32 bytes");
_Static_assert(offsetof(event_t, error) == 8, "error @8");
_Static_assert(offsetof(event_t, type) == 10, "type @10");
_Static_assert(offsetof(event_t, nbytes) == 16, "nbytes @16");
_Static_assert(offsetof(event_t, flags) == 24, "flags @24");

_Static_assert(__WASI_FDFLAGS_NONBLOCK == 4, "NONBLOCK is 4");

/* ======================================================================== */
/* Imports                                                                  */
/* ======================================================================== */

/* Every import returns a WASI errno (u16) in an i32. */
typedef int32_t wasi_errno_t;

#define WASMEDGE_IMPORT(name) \
  __attribute__((import_module("wasi_snapshot_preview1"), import_name(name)))
#define SOCKBOX_IMPORT(name) __attribute__((import_module("sockbox"), import_name(name)))

WASMEDGE_IMPORT("sock_open")
wasi_errno_t we_sock_open(uint32_t af, uint32_t socktype, uint32_t *ro_fd);

WASMEDGE_IMPORT("sock_bind")
wasi_errno_t we_sock_bind(uint32_t fd, const wasi_address_t *addr, uint32_t port);

WASMEDGE_IMPORT("sock_connect")
wasi_errno_t we_sock_connect(uint32_t fd, const wasi_address_t *addr, uint32_t port);

WASMEDGE_IMPORT("sock_listen")
wasi_errno_t we_sock_listen(uint32_t fd, uint32_t backlog);

/* sock_accept V1 (WasmEdge) and V2 (standard preview1, with fdflags). */
WASMEDGE_IMPORT("sock_accept")
wasi_errno_t we_sock_accept_v1(uint32_t fd, uint32_t *ro_fd);
WASMEDGE_IMPORT("sock_accept")
wasi_errno_t we_sock_accept_v2(uint32_t fd, uint32_t fdflags, uint32_t *ro_fd);

/* sock_getlocaladdr V1: raw IP bytes into addr->buf (buf_len >= 16), the type (4
 * or 6) into *addr_type, the port into *port. V2: addr->buf is 128-byte V2
 * storage (u16 family + IP bytes), the port into *port. */
WASMEDGE_IMPORT("sock_getlocaladdr")
wasi_errno_t we_sock_getlocaladdr_v1(uint32_t fd, wasi_address_t *addr,
                                     uint32_t *addr_type, uint32_t *port);
WASMEDGE_IMPORT("sock_getlocaladdr")
wasi_errno_t we_sock_getlocaladdr_v2(uint32_t fd, wasi_address_t *addr, uint32_t *port);

WASMEDGE_IMPORT("sock_recv")
wasi_errno_t we_sock_recv(uint32_t fd, const iovec_t *iovs, uint32_t iovs_len,
                          uint32_t riflags, uint32_t *ro_len, uint16_t *ro_flags);

/* sock_recv_from V1 (no port out-parameter) and V2 (port into *port, sender in
 * V2 storage). This program calls only V2; V1 is declared for reference, and
 * since it is never called it does not appear among the module's imports. */
WASMEDGE_IMPORT("sock_recv_from")
wasi_errno_t we_sock_recv_from_v1(uint32_t fd, const iovec_t *iovs, uint32_t iovs_len,
                                  wasi_address_t *addr, uint32_t riflags, uint32_t *ro_len,
                                  uint16_t *ro_flags);
WASMEDGE_IMPORT("sock_recv_from")
wasi_errno_t we_sock_recv_from_v2(uint32_t fd, const iovec_t *iovs, uint32_t iovs_len,
                                  wasi_address_t *addr, uint32_t riflags, uint32_t *port,
                                  uint32_t *ro_len, uint16_t *ro_flags);

WASMEDGE_IMPORT("sock_send")
wasi_errno_t we_sock_send(uint32_t fd, const ciovec_t *ciovs, uint32_t ciovs_len,
                          uint32_t siflags, uint32_t *ro_len);

WASMEDGE_IMPORT("sock_send_to")
wasi_errno_t we_sock_send_to(uint32_t fd, const ciovec_t *ciovs, uint32_t ciovs_len,
                             const wasi_address_t *addr, uint32_t port, uint32_t siflags,
                             uint32_t *ro_len);

WASMEDGE_IMPORT("sock_shutdown")
wasi_errno_t we_sock_shutdown(uint32_t fd, uint32_t how);

/* level is always WE_SOL_SOCKET; *len is the buffer size in, the value size out. */
WASMEDGE_IMPORT("sock_getsockopt")
wasi_errno_t we_sock_getsockopt(uint32_t fd, uint32_t level, uint32_t name, void *buf,
                                uint32_t *len);
WASMEDGE_IMPORT("sock_setsockopt")
wasi_errno_t we_sock_setsockopt(uint32_t fd, uint32_t level, uint32_t name, const void *buf,
                                uint32_t len);

/* Standard preview1 poll_oneoff, declared here so the layouts above are the ones used. */
WASMEDGE_IMPORT("poll_oneoff")
wasi_errno_t wasi_poll_oneoff(const subscription_t *in, event_t *out, uint32_t nsubscriptions,
                              uint32_t *ro_nevents);

/* __wasi_addrinfo_t (28 bytes) and __wasi_sockaddr_t (12 bytes), WasmEdge's layout. */
typedef struct {
  uint16_t family;   /* @0, WE_AF_* */
  uint32_t data_len; /* @4 */
  uint8_t *data;     /* @8: port (big-endian u16) then the IP bytes */
} wasi_sockaddr_t;
_Static_assert(sizeof(wasi_sockaddr_t) == 12, "sockaddr is 12 bytes");
typedef struct wasi_addrinfo {
  uint16_t flags;              /* @0 */
  uint8_t family;              /* @2 */
  uint8_t socktype;            /* @3 */
  uint32_t protocol;           /* @4 */
  uint32_t addrlen;            /* @8 */
  wasi_sockaddr_t *addr;       /* @12 */
  char *canonname;             /* @16 */
  uint32_t canonname_len;      /* @20 */
  struct wasi_addrinfo *next;  /* @24 */
} wasi_addrinfo_t;
_Static_assert(sizeof(wasi_addrinfo_t) == 28, "addrinfo is 28 bytes");
_Static_assert(offsetof(wasi_addrinfo_t, addr) == 12, "addr @12");
_Static_assert(offsetof(wasi_addrinfo_t, next) == 24, "next @24");

/* *res points at the first of max_len preallocated entries chained by next; the
 * host fills up to max_len of them and writes how many into *res_len. Only the
 * try lookup command calls it. */
WASMEDGE_IMPORT("sock_getaddrinfo")
wasi_errno_t we_sock_getaddrinfo(const char *node, uint32_t node_len, const char *service,
                                 uint32_t service_len, const wasi_addrinfo_t *hints,
                                 wasi_addrinfo_t **res, uint32_t max_len, uint32_t *res_len);

/* sockbox extension: Linux numbering, every level, POSIX truncation on get. */
SOCKBOX_IMPORT("getsockopt")
wasi_errno_t sb_getsockopt(uint32_t fd, uint32_t level, uint32_t optname, void *optval,
                           uint32_t *optlen);
SOCKBOX_IMPORT("setsockopt")
wasi_errno_t sb_setsockopt(uint32_t fd, uint32_t level, uint32_t optname, const void *optval,
                           uint32_t optlen);

/* ======================================================================== */
/* Output and failure                                                       */
/* ======================================================================== */

/* Prints one line (fmt without "\n") and flushes stdout. */
__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  fputc('\n', stdout);
  fflush(stdout);
}

/* Prints "<prefix><bytes><suffix>\n" (bytes written as they are) and flushes. */
static void say_bytes(const char *prefix, const uint8_t *bytes, size_t len,
                      const char *suffix) {
  fputs(prefix, stdout);
  fwrite(bytes, 1, len, stdout);
  fputs(suffix, stdout);
  fputc('\n', stdout);
  fflush(stdout);
}

/* An import failed unexpectedly: "error <what> errno=<n>", exit 1. */
static _Noreturn void fail(const char *what, wasi_errno_t err) {
  say("error %s errno=%d", what, err);
  exit(1);
}

/* An import succeeded with an impossible result: "error <what> <detail>", exit 1. */
static _Noreturn void fail_result(const char *what, const char *detail, uint32_t value) {
  say("error %s %s=%u", what, detail, value);
  exit(1);
}

static _Noreturn void usage(void) {
  say("usage: sockguest echo-server <4|6> | client <4|6> <port> <message>"
      " | udp-server <4|6> | udp-client <4|6> <port> <message>"
      " | options <4|6> <stream|dgram> | block-accept | block-recv <port>"
      " | block-poll | block-connect <port> | trap | exit-open | bad-input"
      " | getsockopt-loop <n>");
  exit(2);
}

/* ======================================================================== */
/* Addresses                                                                */
/* ======================================================================== */

static const uint8_t LOOPBACK4[4] = {127, 0, 0, 1};
static const uint8_t LOOPBACK6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

/* An address as the imports see it, with the storage it points at. addr.buf
 * points into the same struct, so never copy one: pass it by pointer. */
typedef struct {
  wasi_address_t addr;
  uint8_t bytes[ADDR_V2_LEN];
} sock_addr_t;

/* V1 form: the raw IP bytes, buf_len 4 or 16. */
static void addr_v1(sock_addr_t *a, const uint8_t *ip, uint32_t ip_len) {
  memset(a, 0, sizeof *a);
  memcpy(a->bytes, ip, ip_len);
  a->addr.buf = a->bytes;
  a->addr.buf_len = ip_len;
}

/* V2 form: u16 family (little-endian) at 0, IP bytes from offset 2, buf_len 128. */
static void addr_v2(sock_addr_t *a, uint16_t we_family, const uint8_t *ip, uint32_t ip_len) {
  memset(a, 0, sizeof *a);
  a->bytes[0] = (uint8_t)(we_family & 0xff);
  a->bytes[1] = (uint8_t)(we_family >> 8);
  memcpy(a->bytes + 2, ip, ip_len);
  a->addr.buf = a->bytes;
  a->addr.buf_len = ADDR_V2_LEN;
}

/* Empty storage for the host to write an address into. */
static void addr_storage(sock_addr_t *a, uint32_t len) {
  memset(a, 0, sizeof *a);
  a->addr.buf = a->bytes;
  a->addr.buf_len = len;
}

/* The loopback address of a family: V1 for IPv4, V2 for IPv6, so that the host
 * sees both forms. */
static void addr_loopback(sock_addr_t *a, int family) {
  if (family == 4)
    addr_v1(a, LOOPBACK4, sizeof LOOPBACK4);
  else
    addr_v2(a, WE_AF_INET6, LOOPBACK6, sizeof LOOPBACK6);
}

static uint16_t v2_family(const sock_addr_t *a) {
  return (uint16_t)(a->bytes[0] | (a->bytes[1] << 8));
}

/* ======================================================================== */
/* Socket helpers (each fails the program on an unexpected errno)           */
/* ======================================================================== */

static uint32_t open_sock(int family, uint32_t socktype) {
  uint32_t fd = 0;
  wasi_errno_t err = we_sock_open(family == 4 ? WE_AF_INET4 : WE_AF_INET6, socktype, &fd);
  if (err != WASI_ESUCCESS) fail("sock_open", err);
  return fd;
}

static void close_fd(uint32_t fd) {
  wasi_errno_t err = __wasi_fd_close((__wasi_fd_t)fd);
  if (err != WASI_ESUCCESS) fail("fd_close", err);
}

static void set_nonblocking(uint32_t fd) {
  wasi_errno_t err = __wasi_fd_fdstat_set_flags((__wasi_fd_t)fd, __WASI_FDFLAGS_NONBLOCK);
  if (err != WASI_ESUCCESS) fail("fd_fdstat_set_flags", err);
}

static void bind_loopback(uint32_t fd, int family, uint32_t port) {
  sock_addr_t a;
  addr_loopback(&a, family);
  wasi_errno_t err = we_sock_bind(fd, &a.addr, port);
  if (err != WASI_ESUCCESS) fail("sock_bind", err);
}

static void connect_loopback(uint32_t fd, int family, uint32_t port) {
  sock_addr_t a;
  addr_loopback(&a, family);
  wasi_errno_t err = we_sock_connect(fd, &a.addr, port);
  if (err != WASI_ESUCCESS) fail("sock_connect", err);
}

static void listen_sock(uint32_t fd, uint32_t backlog) {
  wasi_errno_t err = we_sock_listen(fd, backlog);
  if (err != WASI_ESUCCESS) fail("sock_listen", err);
}

/* The port a socket bound to loopback got: sock_getlocaladdr V1 for IPv4, V2 for
 * IPv6. Checks that the address is the loopback address of that family. */
static uint32_t local_port(uint32_t fd, int family) {
  sock_addr_t a;
  uint32_t port = 0;
  wasi_errno_t err;
  if (family == 4) {
    uint32_t addr_type = 0;
    addr_storage(&a, 16); /* V1 wants room for an IPv6 address even for IPv4 */
    err = we_sock_getlocaladdr_v1(fd, &a.addr, &addr_type, &port);
    if (err != WASI_ESUCCESS) fail("sock_getlocaladdr", err);
    if (addr_type != 4) fail_result("sock_getlocaladdr", "addr_type", addr_type);
    if (memcmp(a.bytes, LOOPBACK4, sizeof LOOPBACK4) != 0)
      fail_result("sock_getlocaladdr", "not-loopback", a.bytes[0]);
  } else {
    addr_storage(&a, ADDR_V2_LEN);
    err = we_sock_getlocaladdr_v2(fd, &a.addr, &port);
    if (err != WASI_ESUCCESS) fail("sock_getlocaladdr", err);
    if (v2_family(&a) != WE_AF_INET6) fail_result("sock_getlocaladdr", "family", v2_family(&a));
    if (memcmp(a.bytes + 2, LOOPBACK6, sizeof LOOPBACK6) != 0)
      fail_result("sock_getlocaladdr", "not-loopback", a.bytes[2]);
  }
  if (port == 0 || port > 65535) fail_result("sock_getlocaladdr", "port", port);
  return port;
}

/* One sock_recv into buf; returns the byte count (0 = the peer shut down). */
static uint32_t recv_some(uint32_t fd, uint8_t *buf, uint32_t cap) {
  iovec_t iov = {buf, cap};
  uint32_t n = 0;
  uint16_t flags = 0;
  wasi_errno_t err = we_sock_recv(fd, &iov, 1, 0, &n, &flags);
  if (err != WASI_ESUCCESS) fail("sock_recv", err);
  if (n > cap) fail_result("sock_recv", "len", n);
  return n;
}

/* sock_send until every byte is out (a stream send may be partial). */
static void send_all(uint32_t fd, const uint8_t *buf, uint32_t len) {
  uint32_t off = 0;
  while (off < len) {
    ciovec_t iov = {buf + off, len - off};
    uint32_t sent = 0;
    wasi_errno_t err = we_sock_send(fd, &iov, 1, 0, &sent);
    if (err != WASI_ESUCCESS) fail("sock_send", err);
    if (sent == 0 || sent > len - off) fail_result("sock_send", "sent", sent);
    off += sent;
  }
}

/* A loopback port with nothing listening: bind a socket to port 0, note the
 * port, close the socket. */
static uint32_t closed_port(int family) {
  uint32_t fd = open_sock(family, WE_SOCK_STREAM);
  bind_loopback(fd, family, 0);
  uint32_t port = local_port(fd, family);
  close_fd(fd);
  return port;
}

/* Waits until fd is writable or timeout_ns passes: poll_oneoff with an fd_write
 * subscription and a relative monotonic clock. */
static void wait_writable(uint32_t fd, uint64_t timeout_ns) {
  subscription_t subs[2];
  event_t events[2];
  uint32_t nevents = 0;
  memset(subs, 0, sizeof subs);
  memset(events, 0, sizeof events);

  subs[0].userdata = 1;
  subs[0].tag = EVENTTYPE_FD_WRITE;
  subs[0].u.fd_readwrite.fd = fd;

  subs[1].userdata = 2;
  subs[1].tag = EVENTTYPE_CLOCK;
  subs[1].u.clock.id = CLOCKID_MONOTONIC;
  subs[1].u.clock.timeout = timeout_ns;
  subs[1].u.clock.precision = 0;
  subs[1].u.clock.flags = 0; /* relative */

  wasi_errno_t err = wasi_poll_oneoff(subs, events, 2, &nevents);
  if (err != WASI_ESUCCESS) fail("poll_oneoff", err);
  if (nevents == 0 || nevents > 2) fail_result("poll_oneoff", "nevents", nevents);
}

/* ======================================================================== */
/* Argument parsing                                                         */
/* ======================================================================== */

/* A decimal number in [min, max], or usage(). */
static uint32_t parse_uint(const char *s, uint32_t min, uint32_t max) {
  uint64_t v = 0;
  if (*s == '\0') usage();
  for (; *s != '\0'; s++) {
    if (*s < '0' || *s > '9') usage();
    v = v * 10 + (uint64_t)(*s - '0');
    if (v > max) usage();
  }
  if (v < min) usage();
  return (uint32_t)v;
}

static int parse_family(const char *s) {
  if (strcmp(s, "4") == 0) return 4;
  if (strcmp(s, "6") == 0) return 6;
  usage();
}

static uint32_t parse_port(const char *s) { return parse_uint(s, 1, 65535); }

/* ======================================================================== */
/* Commands: streams and datagrams                                          */
/* ======================================================================== */

#define CHUNK 4096
#define MAX_DATAGRAM 65536

/* Static, not on the stack: the wasm32 stack is only 64 KiB. */
static uint8_t chunk[CHUNK];
static uint8_t datagram[MAX_DATAGRAM];

static void cmd_echo_server(char **args) {
  int family = parse_family(args[0]);
  uint32_t fd = open_sock(family, WE_SOCK_STREAM);

  int32_t one = 1;
  wasi_errno_t err = we_sock_setsockopt(fd, WE_SOL_SOCKET, WE_SO_REUSEADDR, &one, sizeof one);
  if (err != WASI_ESUCCESS) fail("sock_setsockopt", err);
  bind_loopback(fd, family, 0);
  listen_sock(fd, 16);
  say("listening %u", local_port(fd, family));

  uint32_t conn = 0;
  if (family == 4)
    err = we_sock_accept_v1(fd, &conn);
  else
    err = we_sock_accept_v2(fd, 0, &conn);
  if (err != WASI_ESUCCESS) fail("sock_accept", err);

  uint64_t total = 0;
  for (;;) {
    uint32_t n = recv_some(conn, chunk, CHUNK);
    if (n == 0) break;
    send_all(conn, chunk, n);
    total += n;
  }
  say("echoed %llu", (unsigned long long)total);

  close_fd(conn);
  close_fd(fd);
}

static void cmd_client(char **args) {
  int family = parse_family(args[0]);
  uint32_t port = parse_port(args[1]);
  const char *message = args[2];

  uint32_t fd = open_sock(family, WE_SOCK_STREAM);
  connect_loopback(fd, family, port);
  send_all(fd, (const uint8_t *)message, (uint32_t)strlen(message));
  wasi_errno_t err = we_sock_shutdown(fd, WE_SHUT_WR);
  if (err != WASI_ESUCCESS) fail("sock_shutdown", err);

  /* Gather the reply until the server closes its side. */
  uint8_t *text = NULL;
  size_t len = 0;
  for (;;) {
    uint32_t n = recv_some(fd, chunk, CHUNK);
    if (n == 0) break;
    uint8_t *grown = realloc(text, len + n);
    if (grown == NULL) fail("realloc", __WASI_ERRNO_NOMEM);
    text = grown;
    memcpy(text + len, chunk, n);
    len += n;
  }
  say_bytes("received ", text, len, "");
  free(text);
  close_fd(fd);
}

static void cmd_udp_server(char **args) {
  int family = parse_family(args[0]);
  uint32_t fd = open_sock(family, WE_SOCK_DGRAM);
  bind_loopback(fd, family, 0);
  say("udp %u", local_port(fd, family));

  /* sock_recv_from V2: the sender comes back in V2 storage, its port in *port. */
  sock_addr_t from;
  addr_storage(&from, ADDR_V2_LEN);
  iovec_t iov = {datagram, MAX_DATAGRAM};
  uint32_t port = 0, n = 0;
  uint16_t flags = 0;
  wasi_errno_t err = we_sock_recv_from_v2(fd, &iov, 1, &from.addr, 0, &port, &n, &flags);
  if (err != WASI_ESUCCESS) fail("sock_recv_from", err);
  if (n > MAX_DATAGRAM) fail_result("sock_recv_from", "len", n);
  if (port == 0 || port > 65535) fail_result("sock_recv_from", "port", port);

  char suffix[24];
  snprintf(suffix, sizeof suffix, " from %u", port);
  say_bytes("got ", datagram, n, suffix);

  /* Reply to the sender, in the form this program uses for the family: V1 for
   * IPv4, V2 for IPv6. */
  sock_addr_t to;
  uint16_t expected = family == 4 ? WE_AF_INET4 : WE_AF_INET6;
  if (v2_family(&from) != expected) fail_result("sock_recv_from", "family", v2_family(&from));
  if (family == 4)
    addr_v1(&to, from.bytes + 2, 4);
  else
    addr_v2(&to, WE_AF_INET6, from.bytes + 2, 16);

  ciovec_t ciov = {datagram, n};
  uint32_t sent = 0;
  err = we_sock_send_to(fd, &ciov, 1, &to.addr, port, 0, &sent);
  if (err != WASI_ESUCCESS) fail("sock_send_to", err);
  if (sent != n) fail_result("sock_send_to", "sent", sent);
  say("replied");
  close_fd(fd);
}

static void cmd_udp_client(char **args) {
  int family = parse_family(args[0]);
  uint32_t port = parse_port(args[1]);
  const char *message = args[2];
  uint32_t len = (uint32_t)strlen(message);

  uint32_t fd = open_sock(family, WE_SOCK_DGRAM);
  sock_addr_t to;
  addr_loopback(&to, family);
  ciovec_t ciov = {(const uint8_t *)message, len};
  uint32_t sent = 0;
  wasi_errno_t err = we_sock_send_to(fd, &ciov, 1, &to.addr, port, 0, &sent);
  if (err != WASI_ESUCCESS) fail("sock_send_to", err);
  if (sent != len) fail_result("sock_send_to", "sent", sent);

  uint32_t n = recv_some(fd, datagram, MAX_DATAGRAM);
  say_bytes("reply ", datagram, n, "");
  close_fd(fd);
}

/* ======================================================================== */
/* Command: options                                                         */
/* ======================================================================== */

typedef enum { ABI_WASMEDGE, ABI_SOCKBOX } abi_t;
static const char *const ABI_NAME[] = {"wasmedge", "sockbox"};

/* One option under both ABIs. we_name is WE_NONE where WasmEdge has no name. */
#define WE_NONE UINT32_MAX
typedef struct {
  const char *name;
  uint32_t we_name;  /* level is always WE_SOL_SOCKET */
  uint32_t sb_level; /* Linux numbering */
  uint32_t sb_name;
} option_t;

static const option_t OPT_ACCEPTCONN = {"SO_ACCEPTCONN", WE_SO_ACCEPTCONN, SB_SOL_SOCKET,
                                        SB_SO_ACCEPTCONN};
static const option_t OPT_ERROR = {"SO_ERROR", WE_SO_ERROR, SB_SOL_SOCKET, SB_SO_ERROR};
static const option_t OPT_KEEPALIVE = {"SO_KEEPALIVE", WE_SO_KEEPALIVE, SB_SOL_SOCKET,
                                       SB_SO_KEEPALIVE};
static const option_t OPT_TYPE = {"SO_TYPE", WE_SO_TYPE, SB_SOL_SOCKET, SB_SO_TYPE};
static const option_t OPT_REUSEADDR = {"SO_REUSEADDR", WE_SO_REUSEADDR, SB_SOL_SOCKET,
                                       SB_SO_REUSEADDR};
static const option_t OPT_LINGER = {"SO_LINGER", WE_SO_LINGER, SB_SOL_SOCKET, SB_SO_LINGER};
static const option_t OPT_RCVTIMEO = {"SO_RCVTIMEO", WE_SO_RCVTIMEO, SB_SOL_SOCKET,
                                      SB_SO_RCVTIMEO};
static const option_t OPT_HDRINCL = {"IP_HDRINCL", WE_NONE, SB_IPPROTO_IP, SB_IP_HDRINCL};
static const option_t OPT_RECVDSTADDR = {"IP_RECVDSTADDR", WE_NONE, SB_IPPROTO_IP,
                                         SB_IP_RECVDSTADDR};
static const option_t OPT_TOS = {"IP_TOS", WE_NONE, SB_IPPROTO_IP, SB_IP_TOS};
static const option_t OPT_TTL = {"IP_TTL", WE_NONE, SB_IPPROTO_IP, SB_IP_TTL};
static const option_t OPT_V6ONLY = {"IPV6_V6ONLY", WE_NONE, SB_IPPROTO_IPV6, SB_IPV6_V6ONLY};

typedef enum { KIND_INT, KIND_LINGER, KIND_TIMEVAL } kind_t;

static wasi_errno_t get_opt(abi_t abi, uint32_t fd, const option_t *o, void *buf,
                            uint32_t *len) {
  if (abi == ABI_WASMEDGE) {
    if (o->we_name == WE_NONE) fail_result(o->name, "no-wasmedge-name", 0);
    return we_sock_getsockopt(fd, WE_SOL_SOCKET, o->we_name, buf, len);
  }
  return sb_getsockopt(fd, o->sb_level, o->sb_name, buf, len);
}

/* Reads an option and prints "<abi> <NAME> <result>". */
static void show(abi_t abi, uint32_t fd, const option_t *o, kind_t kind) {
  union {
    int32_t i;
    linger_t l;
    timeval_t t;
  } v;
  memset(&v, 0, sizeof v);
  uint32_t len = kind == KIND_INT      ? sizeof v.i
                 : kind == KIND_LINGER ? sizeof v.l
                                       : sizeof v.t;
  wasi_errno_t err = get_opt(abi, fd, o, &v, &len);
  if (err != WASI_ESUCCESS) {
    say("%s %s errno=%d", ABI_NAME[abi], o->name, err);
    return;
  }
  switch (kind) {
  case KIND_INT:
    say("%s %s value=%d", ABI_NAME[abi], o->name, v.i);
    break;
  case KIND_LINGER:
    say("%s %s linger=%d,%d", ABI_NAME[abi], o->name, v.l.onoff, v.l.secs);
    break;
  case KIND_TIMEVAL:
    say("%s %s timeval=%lld,%lld", ABI_NAME[abi], o->name, (long long)v.t.sec,
        (long long)v.t.usec);
    break;
  }
}

static void show_both(uint32_t fd, const option_t *o, kind_t kind) {
  show(ABI_WASMEDGE, fd, o, kind);
  show(ABI_SOCKBOX, fd, o, kind);
}

/* Sets an option and prints "<abi> set <NAME> errno=<n>". */
static void set_opt(abi_t abi, uint32_t fd, const option_t *o, const void *val, uint32_t len) {
  wasi_errno_t err;
  if (abi == ABI_WASMEDGE) {
    if (o->we_name == WE_NONE) fail_result(o->name, "no-wasmedge-name", 0);
    err = we_sock_setsockopt(fd, WE_SOL_SOCKET, o->we_name, val, len);
  } else {
    err = sb_setsockopt(fd, o->sb_level, o->sb_name, val, len);
  }
  say("%s set %s errno=%d", ABI_NAME[abi], o->name, err);
}

static void set_int(abi_t abi, uint32_t fd, const option_t *o, int32_t value) {
  set_opt(abi, fd, o, &value, sizeof value);
}

/* Step 2: a non-blocking connect to a closed port, then SO_ERROR twice. */
static void refused_connect(abi_t abi, int family) {
  uint32_t port = closed_port(family);
  uint32_t c = open_sock(family, WE_SOCK_STREAM);
  set_nonblocking(c);

  sock_addr_t a;
  addr_loopback(&a, family);
  wasi_errno_t err = we_sock_connect(c, &a.addr, port);
  say("%s connect errno=%d", ABI_NAME[abi], err);
  if (err == WASI_EINPROGRESS) wait_writable(c, 5000000000ull);

  show(abi, c, &OPT_ERROR, KIND_INT); /* the pending error; reading clears it */
  show(abi, c, &OPT_ERROR, KIND_INT); /* now 0 */
  close_fd(c);
}

static void cmd_options(char **args) {
  int family = parse_family(args[0]);
  uint32_t socktype;
  if (strcmp(args[1], "stream") == 0)
    socktype = WE_SOCK_STREAM;
  else if (strcmp(args[1], "dgram") == 0)
    socktype = WE_SOCK_DGRAM;
  else
    usage();
  int stream = socktype == WE_SOCK_STREAM;

  uint32_t s = open_sock(family, socktype);

  /* 1. SO_ACCEPTCONN, before and (stream) after listen. */
  show_both(s, &OPT_ACCEPTCONN, KIND_INT);
  if (stream) {
    bind_loopback(s, family, 0);
    listen_sock(s, 4);
    show_both(s, &OPT_ACCEPTCONN, KIND_INT);
  }

  /* 2. SO_ERROR after a refused connect, once per ABI. */
  if (stream) {
    refused_connect(ABI_WASMEDGE, family);
    refused_connect(ABI_SOCKBOX, family);
  }

  /* 3. SO_KEEPALIVE. */
  show_both(s, &OPT_KEEPALIVE, KIND_INT);
  set_int(ABI_WASMEDGE, s, &OPT_KEEPALIVE, 1);
  show_both(s, &OPT_KEEPALIVE, KIND_INT);

  /* 4. SO_TYPE: WasmEdge numbering (STREAM 2) vs Linux numbering (STREAM 1). */
  show_both(s, &OPT_TYPE, KIND_INT);

  /* 5. IP_HDRINCL: readable, setting refused by policy. */
  show(ABI_SOCKBOX, s, &OPT_HDRINCL, KIND_INT);
  set_int(ABI_SOCKBOX, s, &OPT_HDRINCL, 1);

  /* 6. IP_RECVDSTADDR: BSD only, so ENOPROTOOPT on Linux. */
  show(ABI_SOCKBOX, s, &OPT_RECVDSTADDR, KIND_INT);

  /* 7. IP_TOS. */
  set_int(ABI_SOCKBOX, s, &OPT_TOS, 0x10);
  show(ABI_SOCKBOX, s, &OPT_TOS, KIND_INT);

  /* 8. IP_TTL. */
  show(ABI_SOCKBOX, s, &OPT_TTL, KIND_INT);

  /* 9. SO_REUSEADDR on a new socket of the same kind. */
  uint32_t r = open_sock(family, socktype);
  show_both(r, &OPT_REUSEADDR, KIND_INT);
  set_int(ABI_WASMEDGE, r, &OPT_REUSEADDR, 1);
  show_both(r, &OPT_REUSEADDR, KIND_INT);
  close_fd(r);

  /* 10. SO_LINGER. */
  linger_t linger = {1, 5};
  set_opt(ABI_WASMEDGE, s, &OPT_LINGER, &linger, sizeof linger);
  show_both(s, &OPT_LINGER, KIND_LINGER);

  /* 11. SO_RCVTIMEO. */
  timeval_t timeout = {2, 500000};
  set_opt(ABI_WASMEDGE, s, &OPT_RCVTIMEO, &timeout, sizeof timeout);
  show_both(s, &OPT_RCVTIMEO, KIND_TIMEVAL);

  /* 12. IPV6_V6ONLY. */
  if (family == 6) show(ABI_SOCKBOX, s, &OPT_V6ONLY, KIND_INT);

  close_fd(s);
}

/* ======================================================================== */
/* Commands: blocking calls, traps and exits (for kill/cleanup tests)       */
/* ======================================================================== */

/* A STREAM socket listening on 127.0.0.1:0; *port gets its port if non-NULL. */
static uint32_t listener4(uint32_t *port) {
  uint32_t fd = open_sock(4, WE_SOCK_STREAM);
  bind_loopback(fd, 4, 0);
  listen_sock(fd, 16);
  if (port != NULL) *port = local_port(fd, 4);
  return fd;
}

static void cmd_block_accept(char **args) {
  (void)args;
  uint32_t port = 0;
  uint32_t fd = listener4(&port);
  say("ready %u", port);
  uint32_t conn = 0;
  wasi_errno_t err = we_sock_accept_v1(fd, &conn);
  if (err != WASI_ESUCCESS) fail("sock_accept", err);
  say("accepted");
}

static void cmd_block_recv(char **args) {
  uint32_t port = parse_port(args[0]);
  uint32_t fd = open_sock(4, WE_SOCK_STREAM);
  connect_loopback(fd, 4, port);
  say("ready");
  say("recv %u", recv_some(fd, chunk, CHUNK));
}

static void cmd_block_poll(char **args) {
  (void)args;
  uint32_t fd = open_sock(4, WE_SOCK_DGRAM);
  bind_loopback(fd, 4, 0);
  say("ready %u", local_port(fd, 4));

  subscription_t sub;
  event_t event;
  uint32_t nevents = 0;
  memset(&sub, 0, sizeof sub);
  memset(&event, 0, sizeof event);
  sub.userdata = 1;
  sub.tag = EVENTTYPE_FD_READ;
  sub.u.fd_readwrite.fd = fd;
  wasi_errno_t err = wasi_poll_oneoff(&sub, &event, 1, &nevents);
  if (err != WASI_ESUCCESS) fail("poll_oneoff", err);
  say("polled %u", nevents);
}

static void cmd_block_connect(char **args) {
  uint32_t port = parse_port(args[0]);
  uint32_t fd = open_sock(4, WE_SOCK_STREAM);
  say("ready");
  sock_addr_t a;
  addr_loopback(&a, 4);
  say("connect errno=%d", we_sock_connect(fd, &a.addr, port));
}

static void cmd_trap(char **args) {
  (void)args;
  open_sock(4, WE_SOCK_DGRAM);
  listener4(NULL);
  say("ready");
  __builtin_trap();
}

static void cmd_exit_open(char **args) {
  (void)args;
  listener4(NULL);
  open_sock(4, WE_SOCK_STREAM);
  open_sock(4, WE_SOCK_DGRAM);
  say("ready");
  exit(3);
}

/* ======================================================================== */
/* Command: bad-input                                                       */
/* ======================================================================== */

/* An address no guest memory reaches: 16 bytes below 4 GiB. */
#define BAD_PTR ((void *)(uintptr_t)0xFFFFFFF0u)

static void cmd_bad_input(char **args) {
  (void)args;
  int32_t v = 0;
  uint32_t len;

  uint32_t s = open_sock(4, WE_SOCK_STREAM); /* for the option cases */

  len = sizeof v;
  say("getsockopt-bad-fd errno=%d", we_sock_getsockopt(999, WE_SOL_SOCKET, WE_SO_TYPE, &v, &len));

  len = sizeof v;
  say("getsockopt-not-socket errno=%d",
      we_sock_getsockopt(1, WE_SOL_SOCKET, WE_SO_TYPE, &v, &len));

  say("getsockopt-len-oob errno=%d",
      we_sock_getsockopt(s, WE_SOL_SOCKET, WE_SO_TYPE, &v, BAD_PTR));

  len = 4;
  say("getsockopt-buf-oob errno=%d",
      we_sock_getsockopt(s, WE_SOL_SOCKET, WE_SO_TYPE, BAD_PTR, &len));

  len = 0x7FFFFFFF;
  say("getsockopt-len-huge errno=%d",
      we_sock_getsockopt(s, WE_SOL_SOCKET, WE_SO_TYPE, &v, &len));

  v = 1;
  say("setsockopt-short errno=%d", we_sock_setsockopt(s, WE_SOL_SOCKET, WE_SO_KEEPALIVE, &v, 2));

  v = 0;
  len = 2;
  wasi_errno_t err = sb_getsockopt(s, SB_SOL_SOCKET, SB_SO_TYPE, &v, &len);
  say("sockbox-getsockopt-trunc errno=%d len=%u", err, len);

  say("sock-open-oob errno=%d", we_sock_open(WE_AF_INET4, WE_SOCK_STREAM, BAD_PTR));

  /* recv cases: a bound, unconnected UDP socket, non-blocking so that a host
   * that checks its arguments after the syscall answers AGAIN instead of hanging. */
  uint32_t u = open_sock(4, WE_SOCK_DGRAM);
  bind_loopback(u, 4, 0);
  set_nonblocking(u);
  uint32_t n = 0;
  uint16_t flags = 0;
  say("recv-iovs-oob errno=%d", we_sock_recv(u, BAD_PTR, 1, 0, &n, &flags));

  iovec_t iov = {chunk, CHUNK};
  say("recv-iovs-huge errno=%d", we_sock_recv(u, &iov, 0x7FFFFFFF, 0, &n, &flags));

  static const uint8_t x[1] = {'x'};
  ciovec_t ciov = {x, sizeof x};
  uint32_t sent = 0;
  say("send-bad-fd errno=%d", we_sock_send(999, &ciov, 1, 0, &sent));

  uint32_t b = open_sock(4, WE_SOCK_STREAM);
  sock_addr_t a;
  addr_v1(&a, LOOPBACK4, sizeof LOOPBACK4);
  a.addr.buf_len = 5; /* neither 4 nor 16 */
  say("bind-bad-addr-len errno=%d", we_sock_bind(b, &a.addr, 0));

  /* 127.0.0.2 is loopback but not granted by the tests: the policy must refuse
   * it before any syscall. Non-blocking in case a broken host lets it through. */
  static const uint8_t other_loopback[4] = {127, 0, 0, 2};
  uint32_t c = open_sock(4, WE_SOCK_STREAM);
  set_nonblocking(c);
  addr_v1(&a, other_loopback, sizeof other_loopback);
  say("connect-denied errno=%d", we_sock_connect(c, &a.addr, 9));

  len = sizeof v;
  say("unknown-option errno=%d", sb_getsockopt(s, SB_SOL_SOCKET, 9999, &v, &len));

  len = sizeof v;
  say("wasmedge-unknown-level errno=%d", we_sock_getsockopt(s, 7, 0, &v, &len));

  subscription_t sub;
  event_t event;
  uint32_t nevents = 0;
  memset(&sub, 0, sizeof sub);
  say("poll-zero errno=%d", wasi_poll_oneoff(&sub, &event, 0, &nevents));
  say("poll-oob errno=%d", wasi_poll_oneoff(BAD_PTR, &event, 1, &nevents));

  close_fd(c);
  close_fd(b);
  close_fd(u);
  close_fd(s);
}

/* ======================================================================== */
/* Command: getsockopt-loop (benchmark)                                     */
/* ======================================================================== */

static uint64_t now_ns(void) {
  __wasi_timestamp_t t = 0;
  wasi_errno_t err = __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t);
  if (err != WASI_ESUCCESS) fail("clock_time_get", err);
  return t;
}

static void cmd_getsockopt_loop(char **args) {
  uint32_t n = parse_uint(args[0], 1, 1000000000u);
  uint32_t fd = open_sock(4, WE_SOCK_DGRAM);
  int32_t v;
  uint32_t len;
  wasi_errno_t err;

  uint64_t t0 = now_ns();
  for (uint32_t i = 0; i < n; i++) {
    len = sizeof v;
    err = we_sock_getsockopt(fd, WE_SOL_SOCKET, WE_SO_RCVBUF, &v, &len);
    if (err != WASI_ESUCCESS) fail("sock_getsockopt", err);
  }
  uint64_t t1 = now_ns();
  say("wasmedge %llu", (unsigned long long)((t1 - t0) / n));

  t0 = now_ns();
  for (uint32_t i = 0; i < n; i++) {
    len = sizeof v;
    err = sb_getsockopt(fd, SB_SOL_SOCKET, SB_SO_RCVBUF, &v, &len);
    if (err != WASI_ESUCCESS) fail("getsockopt", err);
  }
  t1 = now_ns();
  say("sockbox %llu", (unsigned long long)((t1 - t0) / n));

  close_fd(fd);
}

/* ======================================================================== */
/* Command: try (one call the policy may refuse)                            */
/* ======================================================================== */

static _Noreturn void usage_try(void) {
  say("usage: sockguest try connect|bind|sendto <4|6> <addr> <port>"
      " | try open-raw <4|6> <addr> <socktype> | try open-family <4|6> <addr> <af>"
      " | try sockopt-set <4|6> <level> <name> <int> | try sockopt-get <4|6> <level> <name>"
      " | try wasmedge-set <4|6> <name> <int> | try wasmedge-get <4|6> <name>"
      " | try lookup <4|6> <node> <service> | try many-sockets <4|6> <n>");
  exit(2);
}

/* A decimal number in [0, max], or usage_try(). */
static uint32_t try_uint(const char *s, uint32_t max) {
  uint64_t v = 0;
  if (*s == '\0') usage_try();
  for (; *s != '\0'; s++) {
    if (*s < '0' || *s > '9') usage_try();
    v = v * 10 + (uint64_t)(*s - '0');
    if (v > max) usage_try();
  }
  return (uint32_t)v;
}

/* A decimal int32 with an optional '-', or usage_try(). */
static int32_t try_int(const char *s) {
  if (*s == '-') return (int32_t)(0u - try_uint(s + 1, 0x80000000u));
  return (int32_t)try_uint(s, 0x7FFFFFFFu);
}

static int try_family(const char *s) {
  if (strcmp(s, "4") == 0) return 4;
  if (strcmp(s, "6") == 0) return 6;
  usage_try();
}

/* Address text -> V1 (IPv4, 4 raw bytes) or V2 (IPv6, 128-byte storage). */
static void try_addr(sock_addr_t *a, const char *text) {
  uint8_t ip[16];
  if (inet_pton(AF_INET, text, ip) == 1)
    addr_v1(a, ip, 4);
  else if (inet_pton(AF_INET6, text, ip) == 1)
    addr_v2(a, WE_AF_INET6, ip, 16);
  else
    usage_try();
}

/* Prints "try <op> errno=<n>" and, after a successful get, "len=<n> value=<int>". */
static void try_get_report(const char *op, wasi_errno_t err, const uint8_t *buf, uint32_t len) {
  if (err != WASI_ESUCCESS) {
    say("try %s errno=%d", op, err);
    return;
  }
  int32_t value;
  memcpy(&value, buf, sizeof value);
  say("try %s errno=%d len=%u value=%d", op, err, len, value);
}

static void cmd_try(char **args) {
  int argc = 0;
  while (args[argc] != NULL) argc++;
  if (argc < 2) usage_try();
  const char *op = args[0];
  int family = try_family(args[1]);
  wasi_errno_t err;

  if (strcmp(op, "connect") == 0 || strcmp(op, "bind") == 0 || strcmp(op, "sendto") == 0) {
    if (argc != 4) usage_try();
    sock_addr_t a;
    try_addr(&a, args[2]);
    uint32_t port = try_uint(args[3], UINT32_MAX);
    int dgram = strcmp(op, "sendto") == 0;
    uint32_t fd = open_sock(family, dgram ? WE_SOCK_DGRAM : WE_SOCK_STREAM);
    if (strcmp(op, "bind") == 0) {
      err = we_sock_bind(fd, &a.addr, port);
    } else if (!dgram) {
      set_nonblocking(fd);
      err = we_sock_connect(fd, &a.addr, port);
    } else {
      static const uint8_t x[1] = {'x'};
      ciovec_t ciov = {x, sizeof x};
      uint32_t sent = 0;
      set_nonblocking(fd);
      err = we_sock_send_to(fd, &ciov, 1, &a.addr, port, 0, &sent);
    }
    say("try %s errno=%d", op, err);
    close_fd(fd);
    return;
  }

  if (strcmp(op, "open-raw") == 0 || strcmp(op, "open-family") == 0) {
    if (argc != 4) usage_try();
    uint32_t number = try_uint(args[3], UINT32_MAX);
    uint32_t fd = 0;
    if (strcmp(op, "open-raw") == 0)
      err = we_sock_open(family == 4 ? WE_AF_INET4 : WE_AF_INET6, number, &fd);
    else
      err = we_sock_open(number, WE_SOCK_STREAM, &fd);
    say("try %s errno=%d", op, err);
    if (err == WASI_ESUCCESS) close_fd(fd);
    return;
  }

  if (strcmp(op, "lookup") == 0) {
    if (argc != 4) usage_try();
    enum { MAX_ANSWERS = 4 };
    static wasi_addrinfo_t answers[MAX_ANSWERS];
    static wasi_sockaddr_t addrs[MAX_ANSWERS];
    static uint8_t data[MAX_ANSWERS][2 + 16];
    memset(answers, 0, sizeof answers);
    memset(addrs, 0, sizeof addrs);
    for (int i = 0; i < MAX_ANSWERS; i++) {
      addrs[i].data_len = sizeof data[i];
      addrs[i].data = data[i];
      answers[i].addr = &addrs[i];
      answers[i].next = i + 1 < MAX_ANSWERS ? &answers[i + 1] : NULL;
    }
    wasi_addrinfo_t hints;
    memset(&hints, 0, sizeof hints);
    hints.family = family == 4 ? WE_AF_INET4 : WE_AF_INET6;
    hints.socktype = WE_SOCK_STREAM;
    wasi_addrinfo_t *res = answers;
    uint32_t count = 0;
    err = we_sock_getaddrinfo(args[2], (uint32_t)strlen(args[2]), args[3], (uint32_t)strlen(args[3]),
                              &hints, &res, MAX_ANSWERS, &count);
    if (err != WASI_ESUCCESS)
      say("try lookup errno=%d", err);
    else
      say("try lookup errno=0 count=%u", count);
    return;
  }

  if (strcmp(op, "many-sockets") == 0) {
    if (argc != 3) usage_try();
    uint32_t n = try_uint(args[2], 100000);
    if (n == 0) usage_try();
    uint32_t opened = 0;
    wasi_errno_t first = WASI_ESUCCESS;
    for (uint32_t i = 0; i < n; i++) {
      uint32_t fd = 0;
      err = we_sock_open(family == 4 ? WE_AF_INET4 : WE_AF_INET6, WE_SOCK_STREAM, &fd);
      if (err == WASI_ESUCCESS)
        opened++;
      else if (first == WASI_ESUCCESS)
        first = err;
    }
    say("try many-sockets errno=%d opened=%u", first, opened);
    return;
  }

  uint8_t buf[64];
  uint32_t len = sizeof buf;
  memset(buf, 0, sizeof buf);
  if (strcmp(op, "sockopt-set") == 0) {
    if (argc != 5) usage_try();
    uint32_t level = try_uint(args[2], UINT32_MAX);
    uint32_t name = try_uint(args[3], UINT32_MAX);
    int32_t value = try_int(args[4]);
    uint32_t fd = open_sock(family, WE_SOCK_STREAM);
    err = sb_setsockopt(fd, level, name, &value, sizeof value);
    say("try %s errno=%d", op, err);
    close_fd(fd);
  } else if (strcmp(op, "sockopt-get") == 0) {
    if (argc != 4) usage_try();
    uint32_t level = try_uint(args[2], UINT32_MAX);
    uint32_t name = try_uint(args[3], UINT32_MAX);
    uint32_t fd = open_sock(family, WE_SOCK_STREAM);
    err = sb_getsockopt(fd, level, name, buf, &len);
    try_get_report(op, err, buf, len);
    close_fd(fd);
  } else if (strcmp(op, "wasmedge-set") == 0) {
    if (argc != 4) usage_try();
    uint32_t name = try_uint(args[2], UINT32_MAX);
    int32_t value = try_int(args[3]);
    uint32_t fd = open_sock(family, WE_SOCK_STREAM);
    err = we_sock_setsockopt(fd, WE_SOL_SOCKET, name, &value, sizeof value);
    say("try %s errno=%d", op, err);
    close_fd(fd);
  } else if (strcmp(op, "wasmedge-get") == 0) {
    if (argc != 3) usage_try();
    uint32_t name = try_uint(args[2], UINT32_MAX);
    uint32_t fd = open_sock(family, WE_SOCK_STREAM);
    err = we_sock_getsockopt(fd, WE_SOL_SOCKET, name, buf, &len);
    try_get_report(op, err, buf, len);
    close_fd(fd);
  } else {
    usage_try();
  }
}

/* ======================================================================== */
/* main                                                                     */
/* ======================================================================== */

static const struct {
  const char *name;
  int nargs; /* arguments after the command name; -1 = any number */
  void (*run)(char **args);
} COMMANDS[] = {
    {"echo-server", 1, cmd_echo_server},
    {"client", 3, cmd_client},
    {"udp-server", 1, cmd_udp_server},
    {"udp-client", 3, cmd_udp_client},
    {"options", 2, cmd_options},
    {"block-accept", 0, cmd_block_accept},
    {"block-recv", 1, cmd_block_recv},
    {"block-poll", 0, cmd_block_poll},
    {"block-connect", 1, cmd_block_connect},
    {"trap", 0, cmd_trap},
    {"exit-open", 0, cmd_exit_open},
    {"bad-input", 0, cmd_bad_input},
    {"getsockopt-loop", 1, cmd_getsockopt_loop},
    {"try", -1, cmd_try}, /* -1: the command counts its own arguments */
};

int main(int argc, char **argv) {
  if (argc < 2) usage();
  for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++) {
    if (strcmp(argv[1], COMMANDS[i].name) != 0) continue;
    if (COMMANDS[i].nargs >= 0 && argc - 2 != COMMANDS[i].nargs) usage();
    COMMANDS[i].run(argv + 2);
    return 0;
  }
  usage();
}
