/*
 * sockbox.h: POSIX sockets for wasi-libc programs that run under sockbox.
 *
 * Build (clang with the wasm32-wasi target and wasi-libc; Debian: clang lld wasi-libc):
 *
 *     clang --target=wasm32-wasi -O2 -I guest/c prog.c guest/c/sockbox.c -o prog.wasm
 *
 * Run (the sandbox grants nothing by default):
 *
 *     sockbox run prog.wasm --allow-bind 127.0.0.1:0 --allow-connect '127.0.0.1:*' -- args
 *
 * A program includes the usual headers (<sys/socket.h>, <netinet/in.h>,
 * <netinet/tcp.h>, <arpa/inet.h>, <poll.h>, <netdb.h>) plus this one, and calls
 * the POSIX functions as on Linux. wasi-libc has no <netdb.h>; guest/c/netdb.h
 * (found through -I guest/c) includes this header in its place.
 *
 * ---------------------------------------------------------------------------
 * What you get
 *
 *   socket bind listen accept accept4 connect shutdown
 *   send recv sendto recvfrom sendmsg recvmsg (no ancillary data)
 *   getsockname getpeername getsockopt setsockopt
 *   getaddrinfo freeaddrinfo gai_strerror getnameinfo (numeric only)
 *   inet_aton inet_addr inet_ntoa (wasi-libc declares inet_aton but lacks it,
 *   and lacks the other two; inet_pton and inet_ntop are wasi-libc's own)
 *   poll: wasi-libc's own poll() works on sockets unchanged (it becomes one
 *   poll_oneoff, which sockbox serves with FD_READ/FD_WRITE on sockets and
 *   clocks). events must include POLLIN or POLLOUT (wasi-libc answers ENOSYS
 *   otherwise); POLLPRI/POLLRDBAND/POLLWRBAND are defined below but never fire.
 *   select() and ioctl(FIONBIO): wasi-libc's own, over the same calls.
 *   read/write/close/fcntl(F_GETFL/F_SETFL O_NONBLOCK) on sockets: wasi-libc's,
 *   served by sockbox's fd table.
 *   Flags: send/sendto/sendmsg take MSG_NOSIGNAL (always in effect) and
 *   MSG_DONTWAIT; recv/recvfrom/recvmsg take MSG_PEEK, MSG_WAITALL and
 *   MSG_DONTWAIT. Any other flag is EOPNOTSUPP (MSG_OOB, MSG_MORE, and MSG_TRUNC
 *   as an input flag). recvmsg reports MSG_TRUNC in msg_flags.
 *   struct tcp_info and struct ucred need _GNU_SOURCE, as with musl.
 *
 * Left out: socketpair and AF_UNIX (no such thing in the sandbox), raw sockets,
 * ancillary data (cmsg), MSG_OOB, sockatmark, gethostbyname and other
 * non-reentrant resolver calls, reverse lookups (getnameinfo answers NI_NAMEREQD
 * with EAI_NONAME). ioctl(FIONREAD) works: wasi-libc takes it from
 * poll_oneoff's nbytes, which sockbox fills with the bytes queued.
 *
 * ---------------------------------------------------------------------------
 * Numbering: the guest's own, translated here
 *
 * A program sees wasi-libc's numbers, which are not Linux's, and the SDK
 * translates at the boundary:
 *
 *   name          wasi-libc (guest)   WasmEdge import   Linux (sockbox import)
 *   AF_INET       1                   1                 2
 *   AF_INET6      2                   2                 10
 *   SOCK_DGRAM    5                   1                 2
 *   SOCK_STREAM   6                   2                 1
 *   SOL_SOCKET    0x7fffffff          -                 1
 *   SHUT_RD/WR/RDWR  1/2/3            1/2/3             0/1/2
 *   MSG_PEEK      1                   1 (riflags)       2
 *   MSG_WAITALL   2                   2 (riflags)       0x100
 *   MSG_TRUNC     0x20 (this header)  1 (roflags)       0x20
 *
 * Option levels other than SOL_SOCKET (IPPROTO_IP 0, IPPROTO_TCP 6,
 * IPPROTO_UDP 17, IPPROTO_IPV6 41) and every option number are Linux's in the
 * guest too: wasi-libc's <netinet/in.h> and <netinet/tcp.h> carry Linux's IP_*,
 * IPV6_* and TCP_* numbers, and this header adds the SO_* names wasi-libc lacks
 * (all but SO_TYPE) with Linux's numbers. getsockopt/setsockopt map only the
 * level SOL_SOCKET, then call the `sockbox` module's getsockopt/setsockopt,
 * whose values are Linux LP64 layouts; the guest's int, struct linger,
 * struct timeval (two 64-bit fields), struct in_addr, struct ip_mreq(n),
 * struct ipv6_mreq and struct tcp_info have those same layouts. Values that
 * carry a number from another numbering are translated on the way back:
 *
 *   SO_TYPE     Linux SOCK_STREAM 1 / SOCK_DGRAM 2  ->  the guest's 6 / 5
 *   SO_DOMAIN   Linux AF_INET 2 / AF_INET6 10       ->  the guest's 1 / 2
 *   SO_ERROR    a Linux errno (111)                 ->  the guest's errno (ECONNREFUSED 14)
 *
 * A translated value obeys POSIX truncation like every other: with *optlen 2
 * the call returns 0, writes 2 bytes and sets *optlen to 2.
 *
 * Level 1 is IPPROTO_ICMP in the guest's numbering (and SOL_SOCKET in Linux's):
 * getsockopt/setsockopt answer ENOPROTOOPT for it, as Linux does for options at
 * that level. Options that only BSD/macOS have are reachable as SOCKBOX_<NAME>
 * (0x10000 + the macOS number, the sockbox ABI's numbering); on a Linux host they
 * fail with ENOPROTOOPT. The plain names (IP_RECVDSTADDR, ...) stay undefined, as
 * on Linux, so `#ifdef IP_RECVDSTADDR` works as it does there.
 *
 * ---------------------------------------------------------------------------
 * Errors
 *
 * Every function sets errno to wasi-libc's own E* values (the socket imports
 * return WASI errnos, and wasi-libc's errno numbers ARE the WASI errnos), so
 * strerror, perror and comparisons with EAGAIN/EINPROGRESS/... work unchanged.
 *
 * A refusal by the sandbox's policy (a connect, bind or sendto to an address the
 * host did not grant, an option the policy refuses, one socket more than the host
 * allows) is ENOTCAPABLE (76), which wasi-libc already has; strerror(ENOTCAPABLE) says
 * "Capabilities insufficient". SOCKBOX_EPOLICY is another name for it. Linux has
 * no such errno; a program that wants to treat it like a Linux refusal can
 * compare with EACCES || EPERM || SOCKBOX_EPOLICY.
 *
 *   getsockopt(fd, SOL_SOCKET, 9999, ...)     ENOPROTOOPT (an option outside sockbox's
 *                                             catalogue never reaches the kernel)
 *   getsockopt(fd, SOL_SOCKET, SO_PEERCRED)   ENOTCAPABLE (reading it is refused by default)
 *   connect to an address not granted         ENOTCAPABLE, before any syscall
 *   a closed or unknown fd                    EBADF;  a file or stdio fd: ENOTSOCK
 *   setsockopt(int option, optlen 2)          EINVAL (the kernel's answer)
 *   socket(AF_UNIX, ...)                      EAFNOSUPPORT; a type other than SOCK_STREAM
 *                                             or SOCK_DGRAM: EINVAL (checked here: the
 *                                             sandbox offers TCP and UDP over IPv4/IPv6)
 *   NULL optlen / addrlen / buffer            EFAULT (checked here: address 0 is valid
 *                                             wasm memory, so the host cannot tell)
 *
 * getaddrinfo: the host resolves and drops every answer whose address the connect/bind
 * grants do not cover on any port (the service's port does not matter: connect checks
 * it again). A numeric host needs no grant (no resolver is asked); a name needs
 * --allow-lookup (without it: EAI_SYSTEM with errno ENOTCAPABLE). A name outside the
 * host's lookup patterns, one that does not resolve, and one whose answers were all
 * dropped return EAI_NONAME alike. A numeric host whose address is not granted returns
 * EAI_SYSTEM with errno ENOTCAPABLE.
 *
 * Addresses travel in the WasmEdge "V2" form (128-byte storage with a u16
 * family); sin6_flowinfo and sin6_scope_id do not cross the sandbox boundary
 * (they are 0 on the way in and out). sizeof(struct sockaddr_in) is 16 and
 * sizeof(struct sockaddr_in6) is 32 in wasi-libc (its structs are 16-byte
 * aligned); functions that return an address set *addrlen to those sizes.
 *
 * ---------------------------------------------------------------------------
 * Linking: accept, accept4, send, recv, shutdown and getsockopt are declared by
 * wasi-libc's <sys/socket.h> and defined in its libc.a (over the preview1
 * sock_* calls, with wasi-libc's numbering and no flags). sockbox.c defines
 * them again with exactly wasi-libc's prototypes. wasm-ld, like any static
 * linker, takes an archive member only to resolve a symbol still undefined, and
 * sockbox.o (named on the command line) defines all of them before libc.a is
 * searched; each of those libc.a members (accept.o holds accept and accept4)
 * defines nothing else, so none is pulled in and there is no duplicate. The
 * other functions wasi-libc neither declares nor defines; this header declares
 * them with their POSIX prototypes. No macro renames anything, so a struct
 * member or a local called `send` or `connect` is left alone.
 * Link sockbox.c as an object (as above), not from an archive listed after libc.
 */

#ifndef SOCKBOX_H
#define SOCKBOX_H

#ifndef __wasi__
#error "sockbox.h is for wasm32-wasi guests: compile with clang --target=wasm32-wasi"
#endif

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <arpa/inet.h>
#include <poll.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================== */
/* Errors                                                                   */
/* ======================================================================== */

/** A refusal by the sandbox's policy: wasi-libc's ENOTCAPABLE (76). */
#define SOCKBOX_EPOLICY ENOTCAPABLE

/* ======================================================================== */
/* Names wasi-libc lacks (numbers: Linux's <asm-generic/socket.h>, LP64)    */
/* ======================================================================== */

#ifndef PF_UNSPEC
#define PF_UNSPEC AF_UNSPEC
#define PF_INET AF_INET
#define PF_INET6 AF_INET6
#endif

#ifndef SOMAXCONN
#define SOMAXCONN 4096 /* Linux's since 5.4 (glibc >= 2.35) */
#endif

#ifndef SOL_IP
#define SOL_IP 0
#endif
#ifndef SOL_IPV6
#define SOL_IPV6 41
#endif
#ifndef SOL_UDP
#define SOL_UDP 17
#endif

/* OPTIONS:BEGIN (generated by `npm run generate` from the catalogue; do not edit) */
/* SOL_SOCKET options: every one sockbox's catalogue has on Linux. SO_TYPE (3)
 * comes from wasi-libc and is Linux's number already. SO_RCVTIMEO/SO_SNDTIMEO
 * take the 16-byte timeval form, which wasi-libc's struct timeval is. */
#ifndef SO_DEBUG
#define SO_DEBUG 1
#endif
#ifndef SO_REUSEADDR
#define SO_REUSEADDR 2
#endif
#ifndef SO_ERROR
#define SO_ERROR 4
#endif
#ifndef SO_DONTROUTE
#define SO_DONTROUTE 5
#endif
#ifndef SO_BROADCAST
#define SO_BROADCAST 6
#endif
#ifndef SO_SNDBUF
#define SO_SNDBUF 7
#endif
#ifndef SO_RCVBUF
#define SO_RCVBUF 8
#endif
#ifndef SO_KEEPALIVE
#define SO_KEEPALIVE 9
#endif
#ifndef SO_OOBINLINE
#define SO_OOBINLINE 10
#endif
#ifndef SO_PRIORITY
#define SO_PRIORITY 12
#endif
#ifndef SO_LINGER
#define SO_LINGER 13
#endif
#ifndef SO_REUSEPORT
#define SO_REUSEPORT 15
#endif
#ifndef SO_PASSCRED
#define SO_PASSCRED 16
#endif
#ifndef SO_PEERCRED
#define SO_PEERCRED 17
#endif
#ifndef SO_RCVLOWAT
#define SO_RCVLOWAT 18
#endif
#ifndef SO_SNDLOWAT
#define SO_SNDLOWAT 19
#endif
#ifndef SO_RCVTIMEO
#define SO_RCVTIMEO 20
#endif
#ifndef SO_SNDTIMEO
#define SO_SNDTIMEO 21
#endif
#ifndef SO_BINDTODEVICE
#define SO_BINDTODEVICE 25
#endif
#ifndef SO_ATTACH_FILTER
#define SO_ATTACH_FILTER 26
#endif
#ifndef SO_DETACH_FILTER
#define SO_DETACH_FILTER 27
#endif
#ifndef SO_TIMESTAMP
#define SO_TIMESTAMP 29
#endif
#ifndef SO_ACCEPTCONN
#define SO_ACCEPTCONN 30
#endif
#ifndef SO_PEERSEC
#define SO_PEERSEC 31
#endif
#ifndef SO_PASSSEC
#define SO_PASSSEC 34
#endif
#ifndef SO_MARK
#define SO_MARK 36
#endif
#ifndef SO_PROTOCOL
#define SO_PROTOCOL 38
#endif
#ifndef SO_DOMAIN
#define SO_DOMAIN 39
#endif
#ifndef SO_LOCK_FILTER
#define SO_LOCK_FILTER 44
#endif
#ifndef SO_BUSY_POLL
#define SO_BUSY_POLL 46
#endif
#ifndef SO_INCOMING_CPU
#define SO_INCOMING_CPU 49
#endif
#ifndef SO_ATTACH_BPF
#define SO_ATTACH_BPF 50
#endif
#ifndef SO_ZEROCOPY
#define SO_ZEROCOPY 60
#endif
#ifndef SO_BINDTOIFINDEX
#define SO_BINDTOIFINDEX 62
#endif

/* Options only BSD/macOS have: 0x10000 + the macOS number (the sockbox ABI's
 * numbering for them). On a Linux host they fail with ENOPROTOOPT. */
#define SOCKBOX_BSD_OPTION(macos_number) (0x10000 + (macos_number))
#define SOCKBOX_SO_NOSIGPIPE SOCKBOX_BSD_OPTION(0x1022)
#define SOCKBOX_SO_NREAD SOCKBOX_BSD_OPTION(0x1020)
#define SOCKBOX_SO_USELOOPBACK SOCKBOX_BSD_OPTION(0x40)
#define SOCKBOX_IP_RECVDSTADDR SOCKBOX_BSD_OPTION(0x7)
#define SOCKBOX_IP_RECVIF SOCKBOX_BSD_OPTION(0x14)
#define SOCKBOX_IP_BOUND_IF SOCKBOX_BSD_OPTION(0x19)
#define SOCKBOX_IP_DONTFRAG SOCKBOX_BSD_OPTION(0x1c)
#define SOCKBOX_IPV6_BOUND_IF SOCKBOX_BSD_OPTION(0x7d)
#define SOCKBOX_TCP_KEEPALIVE SOCKBOX_BSD_OPTION(0x10)
#define SOCKBOX_TCP_NOPUSH SOCKBOX_BSD_OPTION(0x4)
#define SOCKBOX_TCP_CONNECTIONTIMEOUT SOCKBOX_BSD_OPTION(0x20)
/* OPTIONS:END */

/* send/recv flags. wasi-libc defines MSG_PEEK 1 and MSG_WAITALL 2 (the WASI
 * riflags bits). Its MSG_TRUNC names a macro its own <wasi/api.h> lacks
 * (__WASI_RIFLAGS_RECV_DATA_TRUNCATED), so any use fails to compile: it is
 * replaced by Linux's number. The others are Linux's numbers too; none collides. */
#undef MSG_TRUNC
#define MSG_TRUNC 0x0020 /* in recvmsg's msg_flags: the datagram was longer than the buffers */
#ifndef MSG_CTRUNC
#define MSG_CTRUNC 0x0008 /* in recvmsg's msg_flags; never set (no ancillary data) */
#endif
#ifndef MSG_DONTWAIT
#define MSG_DONTWAIT 0x0040 /* one non-blocking call (the fd's O_NONBLOCK is set around it) */
#endif
#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0x4000 /* always in effect: a guest never gets SIGPIPE, send says EPIPE */
#endif

/* poll events POSIX names and wasi-libc lacks: accepted in events, never reported. */
#ifndef POLLPRI
#define POLLPRI 0x0004
#endif
#ifndef POLLRDBAND
#define POLLRDBAND 0x0008
#endif
#ifndef POLLWRBAND
#define POLLWRBAND 0x0010
#endif

/* ======================================================================== */
/* <netdb.h>: wasi-libc has none (numbers: glibc's)                         */
/* ======================================================================== */

#ifndef SOCKBOX_NETDB_DEFINED
#define SOCKBOX_NETDB_DEFINED

struct addrinfo {
  int ai_flags;
  int ai_family;
  int ai_socktype;
  int ai_protocol;
  socklen_t ai_addrlen;
  struct sockaddr *ai_addr;
  char *ai_canonname;
  struct addrinfo *ai_next;
};

#define AI_PASSIVE 0x0001
#define AI_CANONNAME 0x0002
#define AI_NUMERICHOST 0x0004
#define AI_V4MAPPED 0x0008   /* accepted, ignored */
#define AI_ALL 0x0010        /* accepted, ignored */
#define AI_ADDRCONFIG 0x0020 /* accepted, ignored */
#define AI_NUMERICSERV 0x0400

#define EAI_BADFLAGS (-1)
#define EAI_NONAME (-2)
#define EAI_AGAIN (-3)
#define EAI_FAIL (-4)
#define EAI_NODATA (-5)
#define EAI_FAMILY (-6)
#define EAI_SOCKTYPE (-7)
#define EAI_SERVICE (-8)
#define EAI_ADDRFAMILY (-9)
#define EAI_MEMORY (-10)
#define EAI_SYSTEM (-11) /* errno says why; ENOTCAPABLE for a policy refusal */
#define EAI_OVERFLOW (-12)

#define NI_NUMERICHOST 0x0001
#define NI_NUMERICSERV 0x0002
#define NI_NOFQDN 0x0004
#define NI_NAMEREQD 0x0008
#define NI_DGRAM 0x0010
#define NI_MAXHOST 1025
#define NI_MAXSERV 32

int getaddrinfo(const char *__restrict node, const char *__restrict service,
                const struct addrinfo *__restrict hints, struct addrinfo **__restrict res);
void freeaddrinfo(struct addrinfo *res);
const char *gai_strerror(int errcode);
/** Numeric only: the address and port as text. NI_NAMEREQD gives EAI_NONAME. */
int getnameinfo(const struct sockaddr *__restrict sa, socklen_t salen, char *__restrict host,
                socklen_t hostlen, char *__restrict serv, socklen_t servlen, int flags);

#endif /* SOCKBOX_NETDB_DEFINED */

/* ======================================================================== */
/* Functions wasi-libc does not declare                                     */
/* ======================================================================== */

int socket(int domain, int type, int protocol);
int bind(int fd, const struct sockaddr *addr, socklen_t addrlen);
int connect(int fd, const struct sockaddr *addr, socklen_t addrlen);
int listen(int fd, int backlog);
int getsockname(int fd, struct sockaddr *__restrict addr, socklen_t *__restrict addrlen);
int getpeername(int fd, struct sockaddr *__restrict addr, socklen_t *__restrict addrlen);
ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *addr,
               socklen_t addrlen);
ssize_t recvfrom(int fd, void *__restrict buf, size_t len, int flags,
                 struct sockaddr *__restrict addr, socklen_t *__restrict addrlen);
ssize_t sendmsg(int fd, const struct msghdr *msg, int flags);
ssize_t recvmsg(int fd, struct msghdr *msg, int flags);
int setsockopt(int fd, int level, int optname, const void *optval, socklen_t optlen);

in_addr_t inet_addr(const char *cp);
char *inet_ntoa(struct in_addr in);

/* Declared by wasi-libc, defined again by sockbox.c (see "Linking" above):
 *   accept, accept4, send, recv, shutdown, getsockopt; inet_aton (declared only). */

/* ======================================================================== */
/* sockbox extensions                                                       */
/* ======================================================================== */

/**
 * getsockopt straight through the sockbox ABI: level and option in Linux's
 * numbering (SOL_SOCKET is 1 here), the value exactly as the Linux kernel
 * gives it (SO_TYPE 1 for a stream socket, SO_ERROR a Linux errno number).
 * Returns 0, or -1 with errno set (the guest's errno values).
 */
int sockbox_getsockopt_linux(int fd, int level, int optname, void *__restrict optval,
                             socklen_t *__restrict optlen);

/** setsockopt straight through the sockbox ABI, Linux numbering and layouts. */
int sockbox_setsockopt_linux(int fd, int level, int optname, const void *optval,
                             socklen_t optlen);

/** A Linux errno number (as SO_ERROR through the sockbox ABI gives it) as the guest's errno; EIO if it has none. */
int sockbox_errno_from_linux(int linux_errno);

/** The guest's errno value as its name ("ECONNREFUSED", "ENOTCAPABLE"); "E<n>" if unknown. */
const char *sockbox_errno_name(int err);

#ifdef __cplusplus
}
#endif

#endif /* SOCKBOX_H */
