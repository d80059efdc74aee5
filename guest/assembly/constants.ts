// Socket constants in Linux's numbering: the numbering of sockbox's `sockbox` import
// module (docs/ABI.md), of Python's `socket` module on Linux and of the host facade's
// `constants` on Linux. A plugin uses these with every Socket method; the library
// translates to WasmEdge's numbering where it calls the WasmEdge sock_* imports.
//
// Sources: Linux include/uapi/linux/socket.h, linux/in.h, linux/in6.h, linux/tcp.h,
// linux/udp.h, asm-generic/socket.h, bits/socket.h (MSG_*); the option rows below are
// the option catalogue's (assembly/catalogue.ts), one constant per row, in its order.
// test/guest-as.test.ts checks them against the catalogue both ways.
//
// An option Linux lacks is 0x10000 + its macOS number, as in the sockbox ABI: on a
// Linux host every call with it fails with NOPROTOOPT (IP_RECVDSTADDR: use IP_PKTINFO).
// Each option's comment gives its value kind and the Socket methods that read and set
// it with that kind ("0,1" is a C int used as a flag).

// ── families, types, levels ─────────────────────────────────────────────────

@inline export const AF_UNSPEC: i32 = 0;
@inline export const AF_INET: i32 = 2;
@inline export const AF_INET6: i32 = 10;

@inline export const SOCK_STREAM: i32 = 1;
@inline export const SOCK_DGRAM: i32 = 2;

@inline export const SOL_SOCKET: i32 = 1;
@inline export const IPPROTO_IP: i32 = 0;
@inline export const IPPROTO_TCP: i32 = 6;
@inline export const IPPROTO_UDP: i32 = 17;
@inline export const IPPROTO_IPV6: i32 = 41;
/** Linux's other names for the levels. */
@inline export const SOL_IP: i32 = 0;
@inline export const SOL_TCP: i32 = 6;
@inline export const SOL_UDP: i32 = 17;

// ── shutdown, flags ─────────────────────────────────────────────────────────

@inline export const SHUT_RD: i32 = 0;
@inline export const SHUT_WR: i32 = 1;
@inline export const SHUT_RDWR: i32 = 2;

/** recv/recvfrom: return the data without taking it from the queue. */
@inline export const MSG_PEEK: i32 = 2;
/** recv: on a stream socket, wait until all n bytes are there (or EOF / error). */
@inline export const MSG_WAITALL: i32 = 0x100;
/** send/recv: this one call does not block (AGAIN instead), whatever setblocking said. */
@inline export const MSG_DONTWAIT: i32 = 0x40;
/** send: accepted and ignored: sockbox never raises SIGPIPE. */
@inline export const MSG_NOSIGNAL: i32 = 0x4000;

/** Socket.poll / poll() events (Linux <poll.h>). */
@inline export const POLLIN: i16 = 0x001;
@inline export const POLLOUT: i16 = 0x004;
@inline export const POLLERR: i16 = 0x008;
@inline export const POLLHUP: i16 = 0x010;

// ── option values ───────────────────────────────────────────────────────────

/** IP_TOS values (RFC 1349). */
@inline export const IPTOS_LOWDELAY: i32 = 0x10;
@inline export const IPTOS_THROUGHPUT: i32 = 0x08;
@inline export const IPTOS_RELIABILITY: i32 = 0x04;
/** IP_MTU_DISCOVER / IPV6_MTU_DISCOVER values. */
@inline export const IP_PMTUDISC_DONT: i32 = 0;
@inline export const IP_PMTUDISC_WANT: i32 = 1;
@inline export const IP_PMTUDISC_DO: i32 = 2;
@inline export const IP_PMTUDISC_PROBE: i32 = 3;
/** TCP_INFO state (tcpi_state), Linux's TCP_ESTABLISHED ... TCP_CLOSING. */
@inline export const TCP_ESTABLISHED: u8 = 1;
@inline export const TCP_LISTEN: u8 = 10;

// ── SOL_SOCKET ──────────────────────────────────────────────────

/** Is the socket accepting connections? [0,1, get only: getBool] */
@inline export const SO_ACCEPTCONN: i32 = 30;
/** Binds the socket to a network interface by name. [ifname, get/set: getString/setString] */
@inline export const SO_BINDTODEVICE: i32 = 25;
/** Binds the socket to a network interface by index. [int, get/set: getsockopt/setsockopt] */
@inline export const SO_BINDTOIFINDEX: i32 = 62;
/** Permits sending of broadcast datagrams. [0,1, get/set: getBool/setBool] */
@inline export const SO_BROADCAST: i32 = 6;
/** Busy-poll time in microseconds for blocking receives. [int, get/set: getsockopt/setsockopt] */
@inline export const SO_BUSY_POLL: i32 = 46;
/** Turns on recording of debugging information. [0,1, get/set: getBool/setBool] */
@inline export const SO_DEBUG: i32 = 1;
/** Gets the socket's address family. [int, get only: getsockopt] */
@inline export const SO_DOMAIN: i32 = 39;
/** Bypasses routing: send only to directly connected hosts. [0,1, get/set: getBool/setBool] */
@inline export const SO_DONTROUTE: i32 = 5;
/** Gets error status (and clears it). [int, get only: getsockopt] */
@inline export const SO_ERROR: i32 = 4;
/** Gets or steers the CPU that handles the socket's packets. [int, get/set: getsockopt/setsockopt] */
@inline export const SO_INCOMING_CPU: i32 = 49;
/** Is there a keepalive probe? [0,1, get/set: getBool/setBool] */
@inline export const SO_KEEPALIVE: i32 = 9;
/** Lingers on close if data is present. [linger, get/set: getLinger/setLinger] */
@inline export const SO_LINGER: i32 = 13;
/** Gets or sets the firewall mark of outgoing packets. [int, get/set: getsockopt/setsockopt] */
@inline export const SO_MARK: i32 = 36;
/** Leaves received out-of-band data in line. [0,1, get/set: getBool/setBool] */
@inline export const SO_OOBINLINE: i32 = 10;
/** Receives SCM_CREDENTIALS control messages. [0,1, get/set: getBool/setBool] */
@inline export const SO_PASSCRED: i32 = 16;
/** Receives SCM_SECURITY control messages. [0,1, get/set: getBool/setBool] */
@inline export const SO_PASSSEC: i32 = 34;
/** Gets the credentials of the peer process. [ucred, get only: getsockoptBytes] */
@inline export const SO_PEERCRED: i32 = 17;
/** Gets the security context of the peer. [string, get only: getString] */
@inline export const SO_PEERSEC: i32 = 31;
/** Gets or sets the queueing priority of outgoing packets. [int, get/set: getsockopt/setsockopt] */
@inline export const SO_PRIORITY: i32 = 12;
/** Gets the socket's protocol. [int, get only: getsockopt] */
@inline export const SO_PROTOCOL: i32 = 38;
/** Gets or sets the receive buffer size. [int, get/set: getsockopt/setsockopt] */
@inline export const SO_RCVBUF: i32 = 8;
/** Gets or sets the minimum count for receive operations. [int, get/set: getsockopt/setsockopt] */
@inline export const SO_RCVLOWAT: i32 = 18;
/** Gets or sets the timeout for receive operations. [timeval, get/set: getTimeval/setTimeval] */
@inline export const SO_RCVTIMEO: i32 = 20;
/** Allows reuse of local addresses. [0,1, get/set: getBool/setBool] */
@inline export const SO_REUSEADDR: i32 = 2;
/** Allows several sockets to bind the same address and port. [0,1, get/set: getBool/setBool] */
@inline export const SO_REUSEPORT: i32 = 15;
/** Gets or sets the send buffer size. [int, get/set: getsockopt/setsockopt] */
@inline export const SO_SNDBUF: i32 = 7;
/** Gets or sets the minimum count for send operations. [int, get/set: getsockopt/setsockopt] */
@inline export const SO_SNDLOWAT: i32 = 19;
/** Gets or sets the timeout for send operations. [timeval, get/set: getTimeval/setTimeval] */
@inline export const SO_SNDTIMEO: i32 = 21;
/** Receives a timestamp with each datagram. [0,1, get/set: getBool/setBool] */
@inline export const SO_TIMESTAMP: i32 = 29;
/** Gets socket type. [int, get only: getsockopt] */
@inline export const SO_TYPE: i32 = 3;
/** Allows MSG_ZEROCOPY sends. [0,1, get/set: getBool/setBool] */
@inline export const SO_ZEROCOPY: i32 = 60;
/** Attaches a classic BPF socket filter (reads back as SO_GET_FILTER). [bytes, get/set: getsockoptBytes/setsockoptBytes] */
@inline export const SO_ATTACH_FILTER: i32 = 26;
/** Detaches the socket filter. [bytes, set only: setsockoptBytes] */
@inline export const SO_DETACH_FILTER: i32 = 27;
/** Attaches an eBPF program by fd as socket filter. [int, set only: setsockopt] */
@inline export const SO_ATTACH_BPF: i32 = 50;
/** Locks the attached socket filter. [0,1, get/set: getBool/setBool] */
@inline export const SO_LOCK_FILTER: i32 = 44;
/** Does not raise SIGPIPE on a broken connection. [0,1, get/set: getBool/setBool] BSD/macOS only: NOPROTOOPT on a Linux host. */
@inline export const SO_NOSIGPIPE: i32 = 0x10000 + 4130;
/** Gets the number of bytes ready to read. [int, get only: getsockopt] BSD/macOS only: NOPROTOOPT on a Linux host. */
@inline export const SO_NREAD: i32 = 0x10000 + 4128;
/** Bypasses hardware when possible. [0,1, get/set: getBool/setBool] BSD/macOS only: NOPROTOOPT on a Linux host. */
@inline export const SO_USELOOPBACK: i32 = 0x10000 + 64;

// ── IPPROTO_IP ──────────────────────────────────────────────────

/** Joins a multicast group. [ip_mreq, set only: setIpMreq] */
@inline export const IP_ADD_MEMBERSHIP: i32 = 35;
/** Delays port allocation of bind(port 0) until connect. [0,1, get/set: getBool/setBool] */
@inline export const IP_BIND_ADDRESS_NO_PORT: i32 = 24;
/** Leaves a multicast group. [ip_mreq, set only: setIpMreq] */
@inline export const IP_DROP_MEMBERSHIP: i32 = 36;
/** Allows binding to an address not (yet) on this host. [0,1, get/set: getBool/setBool] */
@inline export const IP_FREEBIND: i32 = 15;
/** Gets IP header included with data. [0,1, get/set: getBool/setBool] */
@inline export const IP_HDRINCL: i32 = 3;
/** Gets the path MTU of a connected socket. [int, get only: getsockopt] */
@inline export const IP_MTU: i32 = 14;
/** Gets or sets path MTU discovery (IP_PMTUDISC_*). [int, get/set: getsockopt/setsockopt] */
@inline export const IP_MTU_DISCOVER: i32 = 10;
/** Receives multicast of all groups joined on the host. [0,1, get/set: getBool/setBool] */
@inline export const IP_MULTICAST_ALL: i32 = 49;
/** Gets or sets the interface for outgoing multicast. [in_addr, get/set: getInAddr/setInAddr] */
@inline export const IP_MULTICAST_IF: i32 = 32;
/** Loops outgoing multicast back to local sockets. [0,1, get/set: getBool/setBool] */
@inline export const IP_MULTICAST_LOOP: i32 = 34;
/** Gets or sets the time-to-live of outgoing multicast. [int, get/set: getsockopt/setsockopt] */
@inline export const IP_MULTICAST_TTL: i32 = 33;
/** Gets or sets IP options sent with every packet. [bytes, get/set: getsockoptBytes/setsockoptBytes] */
@inline export const IP_OPTIONS: i32 = 4;
/** Receives IP_PKTINFO (destination address, interface) with datagrams. [0,1, get/set: getBool/setBool] */
@inline export const IP_PKTINFO: i32 = 8;
/** Queues extended errors on the error queue. [0,1, get/set: getBool/setBool] */
@inline export const IP_RECVERR: i32 = 11;
/** Receive all IP options with datagram. [0,1, get/set: getBool/setBool] */
@inline export const IP_RECVOPTS: i32 = 6;
/** Receives the original destination address with datagrams. [0,1, get/set: getBool/setBool] */
@inline export const IP_RECVORIGDSTADDR: i32 = 20;
/** Receive IP options for response. [0,1, get/set: getBool/setBool] */
@inline export const IP_RECVRETOPTS: i32 = 7;
/** Receives the type of service with datagrams. [0,1, get/set: getBool/setBool] */
@inline export const IP_RECVTOS: i32 = 13;
/** Receives the time-to-live with datagrams. [0,1, get/set: getBool/setBool] */
@inline export const IP_RECVTTL: i32 = 12;
/** Sets IP options to include in replies (Linux: same number as IP_RECVRETOPTS). [0,1, get/set: getBool/setBool] */
@inline export const IP_RETOPTS: i32 = 7;
/** Gets type of service. [int, get/set: getsockopt/setsockopt] */
@inline export const IP_TOS: i32 = 1;
/** Allows binding and connecting with non-local addresses (proxying). [0,1, get/set: getBool/setBool] */
@inline export const IP_TRANSPARENT: i32 = 19;
/** Gets time-to-live. [int, get/set: getsockopt/setsockopt] */
@inline export const IP_TTL: i32 = 2;
/** Receives the destination address with datagrams. [0,1, get/set: getBool/setBool] BSD/macOS only: NOPROTOOPT on a Linux host. */
@inline export const IP_RECVDSTADDR: i32 = 0x10000 + 7;
/** Receives the interface of arrival with datagrams. [0,1, get/set: getBool/setBool] BSD/macOS only: NOPROTOOPT on a Linux host. */
@inline export const IP_RECVIF: i32 = 0x10000 + 20;
/** Binds the socket to an interface by index. [int, get/set: getsockopt/setsockopt] BSD/macOS only: NOPROTOOPT on a Linux host. */
@inline export const IP_BOUND_IF: i32 = 0x10000 + 25;
/** Sets the don't-fragment bit. [0,1, get/set: getBool/setBool] BSD/macOS only: NOPROTOOPT on a Linux host. */
@inline export const IP_DONTFRAG: i32 = 0x10000 + 28;

// ── IPPROTO_IPV6 ────────────────────────────────────────────────

/** Gets or sets the checksum offset for raw sockets. [int, get/set: getsockopt/setsockopt] */
@inline export const IPV6_CHECKSUM: i32 = 7;
/** Does not fragment outgoing packets. [0,1, get/set: getBool/setBool] */
@inline export const IPV6_DONTFRAG: i32 = 62;
/** Gets or sets the sticky destination options header. [bytes, get/set: getsockoptBytes/setsockoptBytes] */
@inline export const IPV6_DSTOPTS: i32 = 59;
/** Receives the hop limit with datagrams (RFC 2292 form). [0,1, get/set: getBool/setBool] */
@inline export const IPV6_HOPLIMIT: i32 = 52;
/** Gets or sets the sticky hop-by-hop options header. [bytes, get/set: getsockoptBytes/setsockoptBytes] */
@inline export const IPV6_HOPOPTS: i32 = 54;
/** Joins an IPv6 multicast group. [ipv6_mreq, set only: setIpv6Mreq] */
@inline export const IPV6_JOIN_GROUP: i32 = 20;
/** Leaves an IPv6 multicast group. [ipv6_mreq, set only: setIpv6Mreq] */
@inline export const IPV6_LEAVE_GROUP: i32 = 21;
/** Gets the path MTU of a connected socket. [int, get/set: getsockopt/setsockopt] */
@inline export const IPV6_MTU: i32 = 24;
/** Gets or sets path MTU discovery (IPV6_PMTUDISC_*). [int, get/set: getsockopt/setsockopt] */
@inline export const IPV6_MTU_DISCOVER: i32 = 23;
/** Gets or sets the hop limit of outgoing multicast. [int, get/set: getsockopt/setsockopt] */
@inline export const IPV6_MULTICAST_HOPS: i32 = 18;
/** Gets or sets the interface index for outgoing multicast. [int, get/set: getsockopt/setsockopt] */
@inline export const IPV6_MULTICAST_IF: i32 = 17;
/** Loops outgoing multicast back to local sockets. [0,1, get/set: getBool/setBool] */
@inline export const IPV6_MULTICAST_LOOP: i32 = 19;
/** Sets the next hop address (a sockaddr). [bytes, get/set: getsockoptBytes/setsockoptBytes] */
@inline export const IPV6_NEXTHOP: i32 = 9;
/** Gets the path MTU of a connected socket (struct ip6_mtuinfo). [bytes, get only: getsockoptBytes] */
@inline export const IPV6_PATHMTU: i32 = 61;
/** Gets or sets the sticky source address and interface (struct in6_pktinfo). [bytes, get/set: getsockoptBytes/setsockoptBytes] */
@inline export const IPV6_PKTINFO: i32 = 50;
/** Receives destination options with datagrams. [0,1, get/set: getBool/setBool] */
@inline export const IPV6_RECVDSTOPTS: i32 = 58;
/** Queues extended errors on the error queue. [0,1, get/set: getBool/setBool] */
@inline export const IPV6_RECVERR: i32 = 25;
/** Receives the hop limit with datagrams. [0,1, get/set: getBool/setBool] */
@inline export const IPV6_RECVHOPLIMIT: i32 = 51;
/** Receives hop-by-hop options with datagrams. [0,1, get/set: getBool/setBool] */
@inline export const IPV6_RECVHOPOPTS: i32 = 53;
/** Receives path MTU changes. [0,1, get/set: getBool/setBool] */
@inline export const IPV6_RECVPATHMTU: i32 = 60;
/** Receives destination address and interface with datagrams. [0,1, get/set: getBool/setBool] */
@inline export const IPV6_RECVPKTINFO: i32 = 49;
/** Receives the routing header with datagrams. [0,1, get/set: getBool/setBool] */
@inline export const IPV6_RECVRTHDR: i32 = 56;
/** Receives the traffic class with datagrams. [0,1, get/set: getBool/setBool] */
@inline export const IPV6_RECVTCLASS: i32 = 66;
/** Gets or sets the sticky routing header. [bytes, get/set: getsockoptBytes/setsockoptBytes] */
@inline export const IPV6_RTHDR: i32 = 57;
/** Gets or sets the sticky destination options before the routing header. [bytes, get/set: getsockoptBytes/setsockoptBytes] */
@inline export const IPV6_RTHDRDSTOPTS: i32 = 55;
/** Gets or sets the traffic class. [int, get/set: getsockopt/setsockopt] */
@inline export const IPV6_TCLASS: i32 = 67;
/** Gets or sets the hop limit of outgoing unicast. [int, get/set: getsockopt/setsockopt] */
@inline export const IPV6_UNICAST_HOPS: i32 = 16;
/** Restricts an IPv6 socket to IPv6 traffic. [0,1, get/set: getBool/setBool] */
@inline export const IPV6_V6ONLY: i32 = 26;
/** Binds the socket to an interface by index. [int, get/set: getsockopt/setsockopt] BSD/macOS only: NOPROTOOPT on a Linux host. */
@inline export const IPV6_BOUND_IF: i32 = 0x10000 + 125;

// ── IPPROTO_TCP ─────────────────────────────────────────────────

/** Gets or sets the congestion control algorithm. [string, get/set: getString/setString] */
@inline export const TCP_CONGESTION: i32 = 13;
/** Holds back partial frames until uncorked. [0,1, get/set: getBool/setBool] */
@inline export const TCP_CORK: i32 = 3;
/** Wakes accept only when data arrives (seconds). [int, get/set: getsockopt/setsockopt] */
@inline export const TCP_DEFER_ACCEPT: i32 = 9;
/** Enables TCP Fast Open (queue length on a listener). [int, get/set: getsockopt/setsockopt] */
@inline export const TCP_FASTOPEN: i32 = 23;
/** Gets connection state and statistics (struct tcp_info). [tcp_info, get only: getTcpInfo] */
@inline export const TCP_INFO: i32 = 11;
/** Gets or sets the keepalive probes sent before dropping. [int, get/set: getsockopt/setsockopt] */
@inline export const TCP_KEEPCNT: i32 = 6;
/** Gets or sets the idle seconds before keepalive probes. [int, get/set: getsockopt/setsockopt] */
@inline export const TCP_KEEPIDLE: i32 = 4;
/** Gets or sets the seconds between keepalive probes. [int, get/set: getsockopt/setsockopt] */
@inline export const TCP_KEEPINTVL: i32 = 5;
/** Gets or sets the lifetime of orphaned FIN_WAIT2 sockets. [int, get/set: getsockopt/setsockopt] */
@inline export const TCP_LINGER2: i32 = 8;
/** Gets or sets the maximum segment size. [int, get/set: getsockopt/setsockopt] */
@inline export const TCP_MAXSEG: i32 = 2;
/** Disables Nagle's algorithm. [0,1, get/set: getBool/setBool] */
@inline export const TCP_NODELAY: i32 = 1;
/** Gets or sets the unsent-bytes threshold for writability. [int, get/set: getsockopt/setsockopt] */
@inline export const TCP_NOTSENT_LOWAT: i32 = 25;
/** Sends ACKs at once rather than delayed. [0,1, get/set: getBool/setBool] */
@inline export const TCP_QUICKACK: i32 = 12;
/** Gets or sets the SYN retransmits before giving up. [int, get/set: getsockopt/setsockopt] */
@inline export const TCP_SYNCNT: i32 = 7;
/** Gets or sets how long unacknowledged data may stay (ms). [int, get/set: getsockopt/setsockopt] */
@inline export const TCP_USER_TIMEOUT: i32 = 18;
/** Gets or sets the bound on the advertised window. [int, get/set: getsockopt/setsockopt] */
@inline export const TCP_WINDOW_CLAMP: i32 = 10;
/** Gets or sets the idle seconds before keepalive probes. [int, get/set: getsockopt/setsockopt] BSD/macOS only: NOPROTOOPT on a Linux host. */
@inline export const TCP_KEEPALIVE: i32 = 0x10000 + 16;
/** Holds back partial frames until cleared. [0,1, get/set: getBool/setBool] BSD/macOS only: NOPROTOOPT on a Linux host. */
@inline export const TCP_NOPUSH: i32 = 0x10000 + 4;
/** Gets or sets the connection timeout (seconds). [int, get/set: getsockopt/setsockopt] BSD/macOS only: NOPROTOOPT on a Linux host. */
@inline export const TCP_CONNECTIONTIMEOUT: i32 = 0x10000 + 32;

// ── IPPROTO_UDP ─────────────────────────────────────────────────

/** Holds back datagrams until uncorked, then sends one. [0,1, get/set: getBool/setBool] */
@inline export const UDP_CORK: i32 = 1;
/** Receives coalesced datagrams (generic receive offload). [0,1, get/set: getBool/setBool] */
@inline export const UDP_GRO: i32 = 104;
/** Gets or sets the segment size for UDP segmentation offload. [int, get/set: getsockopt/setsockopt] */
@inline export const UDP_SEGMENT: i32 = 103;

// ── WasmEdge numbering (internal: what the sock_* imports take) ─────────────

/** The WasmEdge socket extension's own numbers (docs/ABI.md, "Numbering"). */
export namespace We {
  @inline export const AF_INET4: u32 = 1;
  @inline export const AF_INET6: u32 = 2;
  @inline export const SOCK_DGRAM: u32 = 1;
  @inline export const SOCK_STREAM: u32 = 2;
  @inline export const SOL_SOCKET: u32 = 0;
  @inline export const SO_ERROR: u32 = 2;
  @inline export const SHUT_RD: u32 = 1;
  @inline export const SHUT_WR: u32 = 2;
  @inline export const RIFLAGS_PEEK: u16 = 1;
  @inline export const RIFLAGS_WAITALL: u16 = 2;
  @inline export const ROFLAGS_TRUNCATED: u16 = 1;
  @inline export const FDFLAGS_NONBLOCK: u16 = 4;
  @inline export const FILETYPE_SOCKET_DGRAM: u8 = 5;
  @inline export const FILETYPE_SOCKET_STREAM: u8 = 6;
}
