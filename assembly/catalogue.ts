// The option catalogue: the one table of every socket option sockbox knows.
//
// Everything else (the host's `constants`, the CLI table, error messages, policy
// names, the guest ABIs' numbering) reads this table from core.wasm at load time.
//
// Sources of the numbers:
//   Linux: include/uapi/asm-generic/socket.h, include/uapi/linux/in.h,
//          include/uapi/linux/in6.h, include/uapi/linux/tcp.h, include/uapi/linux/udp.h,
//          checked against Python's `socket` module on Linux x86_64.
//   macOS: xnu bsd/sys/socket.h, bsd/netinet/in.h, bsd/netinet6/in6.h (RFC 3542 names),
//          bsd/netinet/tcp.h.
//   WasmEdge: the socket extension's `__wasi_sock_opt_so_t` numbering (see DESIGN.md).

/** Protocol levels, in catalogue numbering (not any platform's). */
export namespace Level {
  @inline export const SOCKET: u8 = 0;
  @inline export const IP: u8 = 1;
  @inline export const IPV6: u8 = 2;
  @inline export const TCP: u8 = 3;
  @inline export const UDP: u8 = 4;
  @inline export const COUNT: u8 = 5;
}

/** Value kinds: how an option's bytes are laid out and what a typed value looks like. */
export namespace Kind {
  /** C int, 4 bytes. */
  @inline export const INT: u8 = 1;
  /** C int used as a flag: reads 0/1 (the kernel may return any non-zero). */
  @inline export const BOOL: u8 = 2;
  /** struct linger { int l_onoff; int l_linger; }: 8 bytes. */
  @inline export const LINGER: u8 = 3;
  /** struct timeval: Linux LP64 { i64 tv_sec; i64 tv_usec }, macOS { i64; i32; pad }. */
  @inline export const TIMEVAL: u8 = 4;
  /** struct in_addr: 4 bytes, network order. */
  @inline export const IN_ADDR: u8 = 5;
  /** struct ip_mreq { in_addr imr_multiaddr; in_addr imr_interface; }: 8 bytes. */
  @inline export const IP_MREQ: u8 = 6;
  /** struct ip_mreqn { in_addr multiaddr; in_addr address; int ifindex; }: 12 bytes (Linux). */
  @inline export const IP_MREQN: u8 = 7;
  /** struct ipv6_mreq { in6_addr multiaddr; unsigned ifindex; }: 20 bytes. */
  @inline export const IPV6_MREQ: u8 = 8;
  /** An interface name, NUL-padded, at most IFNAMSIZ (16) bytes. */
  @inline export const IFNAME: u8 = 9;
  /** A NUL-terminated string (TCP_CONGESTION: at most 16 bytes). */
  @inline export const STRING: u8 = 10;
  /** struct tcp_info (Linux), decoded field by field. */
  @inline export const TCP_INFO: u8 = 11;
  /** struct ucred { pid_t pid; uid_t uid; gid_t gid; }: 12 bytes (Linux). */
  @inline export const UCRED: u8 = 12;
  /** Bytes the core does not interpret (IP_OPTIONS, filters, IPv6 sticky headers). */
  @inline export const OPAQUE: u8 = 13;
  @inline export const COUNT: u8 = 14;
}

/** Option flags. */
export namespace Flag {
  /** getsockopt is meaningful. */
  @inline export const READ: u8 = 1;
  /** setsockopt is meaningful. */
  @inline export const WRITE: u8 = 2;
  /** Linux accepts a 1-byte value on set and answers 1 byte to a 1-byte get (IP level). */
  @inline export const BYTE: u8 = 4;
  /** Not an option of its own: another name for an earlier row's number. */
  @inline export const ALIAS: u8 = 8;
  @inline export const RW: u8 = 3;
}

/** Platforms a number column exists for. */
export namespace Platform {
  @inline export const LINUX: u8 = 0;
  @inline export const MACOS: u8 = 1;
}

/** "Absent on this platform". */
@inline export const ABSENT: i32 = -1;

// Column storage. Row i of every column is option id i.
export const names = new Array<string>();
export const levels = new Array<u8>();
export const linuxNums = new Array<i32>();
export const macNums = new Array<i32>();
export const kinds = new Array<u8>();
export const flags = new Array<u8>();
export const descriptions = new Array<string>();
/** Where an option absent on one platform can be found, and what to use instead. */
export const hints = new Array<string>();
/** WasmEdge `__wasi_sock_opt_so_t` number, or ABSENT. */
export const wasmedgeNums = new Array<i32>();

function opt(name: string, level: u8, linux: i32, mac: i32, kind: u8, fl: u8, description: string, hint: string = ""): void {
  names.push(name);
  levels.push(level);
  linuxNums.push(linux);
  macNums.push(mac);
  kinds.push(kind);
  flags.push(fl);
  descriptions.push(description);
  hints.push(hint);
  wasmedgeNums.push(ABSENT);
}

function wasmedge(name: string, num: i32): void {
  for (let i = 0; i < names.length; i++) {
    if (names[i] == name) { wasmedgeNums[i] = num; return; }
  }
}

const R = Flag.READ;
const W = Flag.WRITE;
const RW = Flag.RW;
const RWB = Flag.RW | Flag.BYTE;
const RB = Flag.READ | Flag.BYTE;
const S = Level.SOCKET;
const IP = Level.IP;
const V6 = Level.IPV6;
const TCP = Level.TCP;
const UDP = Level.UDP;
const NO = ABSENT;

// ── SOL_SOCKET ─────────────────────────────────────────────────────────────
opt("SO_ACCEPTCONN", S, 30, 0x0002, Kind.BOOL, R, "Is the socket accepting connections?");
opt("SO_BINDTODEVICE", S, 25, NO, Kind.IFNAME, RW, "Binds the socket to a network interface by name.", "SO_BINDTODEVICE is Linux only; on macOS use IP_BOUND_IF");
opt("SO_BINDTOIFINDEX", S, 62, NO, Kind.INT, RW, "Binds the socket to a network interface by index.", "SO_BINDTOIFINDEX is Linux only; on macOS use IP_BOUND_IF");
opt("SO_BROADCAST", S, 6, 0x0020, Kind.BOOL, RW, "Permits sending of broadcast datagrams.");
opt("SO_BUSY_POLL", S, 46, NO, Kind.INT, RW, "Busy-poll time in microseconds for blocking receives.", "SO_BUSY_POLL is Linux only");
opt("SO_DEBUG", S, 1, 0x0001, Kind.BOOL, RW, "Turns on recording of debugging information.");
opt("SO_DOMAIN", S, 39, NO, Kind.INT, R, "Gets the socket's address family.", "SO_DOMAIN is Linux only");
opt("SO_DONTROUTE", S, 5, 0x0010, Kind.BOOL, RW, "Bypasses routing: send only to directly connected hosts.");
opt("SO_ERROR", S, 4, 0x1007, Kind.INT, R, "Gets error status (and clears it).");
opt("SO_INCOMING_CPU", S, 49, NO, Kind.INT, RW, "Gets or steers the CPU that handles the socket's packets.", "SO_INCOMING_CPU is Linux only");
opt("SO_KEEPALIVE", S, 9, 0x0008, Kind.BOOL, RW, "Is there a keepalive probe?");
opt("SO_LINGER", S, 13, 0x0080, Kind.LINGER, RW, "Lingers on close if data is present.");
opt("SO_MARK", S, 36, NO, Kind.INT, RW, "Gets or sets the firewall mark of outgoing packets.", "SO_MARK is Linux only");
opt("SO_OOBINLINE", S, 10, 0x0100, Kind.BOOL, RW, "Leaves received out-of-band data in line.");
opt("SO_PASSCRED", S, 16, NO, Kind.BOOL, RW, "Receives SCM_CREDENTIALS control messages.", "SO_PASSCRED is Linux only");
opt("SO_PASSSEC", S, 34, NO, Kind.BOOL, RW, "Receives SCM_SECURITY control messages.", "SO_PASSSEC is Linux only");
opt("SO_PEERCRED", S, 17, NO, Kind.UCRED, R, "Gets the credentials of the peer process.", "SO_PEERCRED is Linux only; on macOS use LOCAL_PEERCRED");
opt("SO_PEERSEC", S, 31, NO, Kind.STRING, R, "Gets the security context of the peer.", "SO_PEERSEC is Linux only");
opt("SO_PRIORITY", S, 12, NO, Kind.INT, RW, "Gets or sets the queueing priority of outgoing packets.", "SO_PRIORITY is Linux only");
opt("SO_PROTOCOL", S, 38, NO, Kind.INT, R, "Gets the socket's protocol.", "SO_PROTOCOL is Linux only");
opt("SO_RCVBUF", S, 8, 0x1002, Kind.INT, RW, "Gets or sets the receive buffer size.");
opt("SO_RCVLOWAT", S, 18, 0x1004, Kind.INT, RW, "Gets or sets the minimum count for receive operations.");
opt("SO_RCVTIMEO", S, 20, 0x1006, Kind.TIMEVAL, RW, "Gets or sets the timeout for receive operations.");
opt("SO_REUSEADDR", S, 2, 0x0004, Kind.BOOL, RW, "Allows reuse of local addresses.");
opt("SO_REUSEPORT", S, 15, 0x0200, Kind.BOOL, RW, "Allows several sockets to bind the same address and port.");
opt("SO_SNDBUF", S, 7, 0x1001, Kind.INT, RW, "Gets or sets the send buffer size.");
opt("SO_SNDLOWAT", S, 19, 0x1003, Kind.INT, RW, "Gets or sets the minimum count for send operations.");
opt("SO_SNDTIMEO", S, 21, 0x1005, Kind.TIMEVAL, RW, "Gets or sets the timeout for send operations.");
opt("SO_TIMESTAMP", S, 29, 0x0400, Kind.BOOL, RW, "Receives a timestamp with each datagram.");
opt("SO_TYPE", S, 3, 0x1008, Kind.INT, R, "Gets socket type.");
opt("SO_ZEROCOPY", S, 60, NO, Kind.BOOL, RW, "Allows MSG_ZEROCOPY sends.", "SO_ZEROCOPY is Linux only");
opt("SO_ATTACH_FILTER", S, 26, NO, Kind.OPAQUE, RW, "Attaches a classic BPF socket filter (reads back as SO_GET_FILTER).", "SO_ATTACH_FILTER is Linux only");
opt("SO_DETACH_FILTER", S, 27, NO, Kind.OPAQUE, W, "Detaches the socket filter.", "SO_DETACH_FILTER is Linux only");
opt("SO_ATTACH_BPF", S, 50, NO, Kind.INT, W, "Attaches an eBPF program by fd as socket filter.", "SO_ATTACH_BPF is Linux only");
opt("SO_LOCK_FILTER", S, 44, NO, Kind.BOOL, RW, "Locks the attached socket filter.", "SO_LOCK_FILTER is Linux only");
opt("SO_NOSIGPIPE", S, NO, 0x1022, Kind.BOOL, RW, "Does not raise SIGPIPE on a broken connection.", "SO_NOSIGPIPE is BSD/macOS only; on Linux pass MSG_NOSIGNAL to send");
opt("SO_NREAD", S, NO, 0x1020, Kind.INT, R, "Gets the number of bytes ready to read.", "SO_NREAD is macOS only; on Linux use ioctl FIONREAD");
opt("SO_USELOOPBACK", S, NO, 0x0040, Kind.BOOL, RW, "Bypasses hardware when possible.", "SO_USELOOPBACK is BSD/macOS only");

// ── IPPROTO_IP ─────────────────────────────────────────────────────────────
opt("IP_ADD_MEMBERSHIP", IP, 35, 12, Kind.IP_MREQ, W, "Joins a multicast group.");
opt("IP_BIND_ADDRESS_NO_PORT", IP, 24, NO, Kind.BOOL, RWB, "Delays port allocation of bind(port 0) until connect.", "IP_BIND_ADDRESS_NO_PORT is Linux only");
opt("IP_DROP_MEMBERSHIP", IP, 36, 13, Kind.IP_MREQ, W, "Leaves a multicast group.");
opt("IP_FREEBIND", IP, 15, NO, Kind.BOOL, RWB, "Allows binding to an address not (yet) on this host.", "IP_FREEBIND is Linux only");
opt("IP_HDRINCL", IP, 3, 2, Kind.BOOL, RWB, "Gets IP header included with data.");
opt("IP_MTU", IP, 14, NO, Kind.INT, R, "Gets the path MTU of a connected socket.", "IP_MTU is Linux only");
opt("IP_MTU_DISCOVER", IP, 10, NO, Kind.INT, RWB, "Gets or sets path MTU discovery (IP_PMTUDISC_*).", "IP_MTU_DISCOVER is Linux only; on macOS use IP_DONTFRAG");
opt("IP_MULTICAST_ALL", IP, 49, NO, Kind.BOOL, RWB, "Receives multicast of all groups joined on the host.", "IP_MULTICAST_ALL is Linux only");
opt("IP_MULTICAST_IF", IP, 32, 9, Kind.IN_ADDR, RW, "Gets or sets the interface for outgoing multicast.");
opt("IP_MULTICAST_LOOP", IP, 34, 11, Kind.BOOL, RWB, "Loops outgoing multicast back to local sockets.");
opt("IP_MULTICAST_TTL", IP, 33, 10, Kind.INT, RWB, "Gets or sets the time-to-live of outgoing multicast.");
opt("IP_OPTIONS", IP, 4, 1, Kind.OPAQUE, RW, "Gets or sets IP options sent with every packet.");
opt("IP_PKTINFO", IP, 8, 26, Kind.BOOL, RWB, "Receives IP_PKTINFO (destination address, interface) with datagrams.");
opt("IP_RECVERR", IP, 11, NO, Kind.BOOL, RWB, "Queues extended errors on the error queue.", "IP_RECVERR is Linux only");
opt("IP_RECVOPTS", IP, 6, 5, Kind.BOOL, RWB, "Receive all IP options with datagram.");
opt("IP_RECVORIGDSTADDR", IP, 20, NO, Kind.BOOL, RWB, "Receives the original destination address with datagrams.", "IP_RECVORIGDSTADDR is Linux only; on macOS use IP_RECVDSTADDR");
opt("IP_RECVRETOPTS", IP, 7, 6, Kind.BOOL, RWB, "Receive IP options for response.");
opt("IP_RECVTOS", IP, 13, 27, Kind.BOOL, RWB, "Receives the type of service with datagrams.");
opt("IP_RECVTTL", IP, 12, 24, Kind.BOOL, RWB, "Receives the time-to-live with datagrams.");
opt("IP_RETOPTS", IP, 7, 8, Kind.BOOL, RWB | Flag.ALIAS, "Sets IP options to include in replies (Linux: same number as IP_RECVRETOPTS).");
opt("IP_TOS", IP, 1, 3, Kind.INT, RWB, "Gets type of service.");
opt("IP_TRANSPARENT", IP, 19, NO, Kind.BOOL, RWB, "Allows binding and connecting with non-local addresses (proxying).", "IP_TRANSPARENT is Linux only");
opt("IP_TTL", IP, 2, 4, Kind.INT, RWB, "Gets time-to-live.");
opt("IP_RECVDSTADDR", IP, NO, 7, Kind.BOOL, RW, "Receives the destination address with datagrams.", "IP_RECVDSTADDR is BSD/macOS only; on Linux use IP_PKTINFO");
opt("IP_RECVIF", IP, NO, 20, Kind.BOOL, RW, "Receives the interface of arrival with datagrams.", "IP_RECVIF is BSD/macOS only; on Linux use IP_PKTINFO");
opt("IP_BOUND_IF", IP, NO, 25, Kind.INT, RW, "Binds the socket to an interface by index.", "IP_BOUND_IF is macOS only; on Linux use SO_BINDTOIFINDEX");
opt("IP_DONTFRAG", IP, NO, 28, Kind.BOOL, RW, "Sets the don't-fragment bit.", "IP_DONTFRAG is BSD/macOS only; on Linux use IP_MTU_DISCOVER");

// ── IPPROTO_IPV6 ───────────────────────────────────────────────────────────
opt("IPV6_CHECKSUM", V6, 7, 26, Kind.INT, RW, "Gets or sets the checksum offset for raw sockets.");
opt("IPV6_DONTFRAG", V6, 62, 62, Kind.BOOL, RW, "Does not fragment outgoing packets.");
opt("IPV6_DSTOPTS", V6, 59, 50, Kind.OPAQUE, RW, "Gets or sets the sticky destination options header.");
opt("IPV6_HOPLIMIT", V6, 52, 47, Kind.BOOL, RW, "Receives the hop limit with datagrams (RFC 2292 form).");
opt("IPV6_HOPOPTS", V6, 54, 49, Kind.OPAQUE, RW, "Gets or sets the sticky hop-by-hop options header.");
opt("IPV6_JOIN_GROUP", V6, 20, 12, Kind.IPV6_MREQ, W, "Joins an IPv6 multicast group.");
opt("IPV6_LEAVE_GROUP", V6, 21, 13, Kind.IPV6_MREQ, W, "Leaves an IPv6 multicast group.");
opt("IPV6_MTU", V6, 24, NO, Kind.INT, RW, "Gets the path MTU of a connected socket.", "IPV6_MTU is Linux only; on macOS use IPV6_PATHMTU");
opt("IPV6_MTU_DISCOVER", V6, 23, NO, Kind.INT, RW, "Gets or sets path MTU discovery (IPV6_PMTUDISC_*).", "IPV6_MTU_DISCOVER is Linux only; on macOS use IPV6_DONTFRAG");
opt("IPV6_MULTICAST_HOPS", V6, 18, 10, Kind.INT, RW, "Gets or sets the hop limit of outgoing multicast.");
opt("IPV6_MULTICAST_IF", V6, 17, 9, Kind.INT, RW, "Gets or sets the interface index for outgoing multicast.");
opt("IPV6_MULTICAST_LOOP", V6, 19, 11, Kind.BOOL, RW, "Loops outgoing multicast back to local sockets.");
opt("IPV6_NEXTHOP", V6, 9, 48, Kind.OPAQUE, RW, "Sets the next hop address (a sockaddr).");
opt("IPV6_PATHMTU", V6, 61, 44, Kind.OPAQUE, R, "Gets the path MTU of a connected socket (struct ip6_mtuinfo).");
opt("IPV6_PKTINFO", V6, 50, 46, Kind.OPAQUE, RW, "Gets or sets the sticky source address and interface (struct in6_pktinfo).");
opt("IPV6_RECVDSTOPTS", V6, 58, 40, Kind.BOOL, RW, "Receives destination options with datagrams.");
opt("IPV6_RECVERR", V6, 25, NO, Kind.BOOL, RW, "Queues extended errors on the error queue.", "IPV6_RECVERR is Linux only");
opt("IPV6_RECVHOPLIMIT", V6, 51, 37, Kind.BOOL, RW, "Receives the hop limit with datagrams.");
opt("IPV6_RECVHOPOPTS", V6, 53, 39, Kind.BOOL, RW, "Receives hop-by-hop options with datagrams.");
opt("IPV6_RECVPATHMTU", V6, 60, 43, Kind.BOOL, RW, "Receives path MTU changes.");
opt("IPV6_RECVPKTINFO", V6, 49, 61, Kind.BOOL, RW, "Receives destination address and interface with datagrams.");
opt("IPV6_RECVRTHDR", V6, 56, 38, Kind.BOOL, RW, "Receives the routing header with datagrams.");
opt("IPV6_RECVTCLASS", V6, 66, 35, Kind.BOOL, RW, "Receives the traffic class with datagrams.");
opt("IPV6_RTHDR", V6, 57, 51, Kind.OPAQUE, RW, "Gets or sets the sticky routing header.");
opt("IPV6_RTHDRDSTOPTS", V6, 55, 57, Kind.OPAQUE, RW, "Gets or sets the sticky destination options before the routing header.");
opt("IPV6_TCLASS", V6, 67, 36, Kind.INT, RW, "Gets or sets the traffic class.");
opt("IPV6_UNICAST_HOPS", V6, 16, 4, Kind.INT, RW, "Gets or sets the hop limit of outgoing unicast.");
opt("IPV6_V6ONLY", V6, 26, 27, Kind.BOOL, RW, "Restricts an IPv6 socket to IPv6 traffic.");
opt("IPV6_BOUND_IF", V6, NO, 125, Kind.INT, RW, "Binds the socket to an interface by index.", "IPV6_BOUND_IF is macOS only; on Linux use SO_BINDTOIFINDEX");

// ── IPPROTO_TCP ────────────────────────────────────────────────────────────
opt("TCP_CONGESTION", TCP, 13, NO, Kind.STRING, RW, "Gets or sets the congestion control algorithm.", "TCP_CONGESTION is Linux/FreeBSD only");
opt("TCP_CORK", TCP, 3, NO, Kind.BOOL, RW, "Holds back partial frames until uncorked.", "TCP_CORK is Linux only; on macOS use TCP_NOPUSH");
opt("TCP_DEFER_ACCEPT", TCP, 9, NO, Kind.INT, RW, "Wakes accept only when data arrives (seconds).", "TCP_DEFER_ACCEPT is Linux only");
opt("TCP_FASTOPEN", TCP, 23, 0x105, Kind.INT, RW, "Enables TCP Fast Open (queue length on a listener).");
opt("TCP_INFO", TCP, 11, NO, Kind.TCP_INFO, R, "Gets connection state and statistics (struct tcp_info).", "TCP_INFO is Linux/FreeBSD only; on macOS use TCP_CONNECTION_INFO");
opt("TCP_KEEPCNT", TCP, 6, 0x102, Kind.INT, RW, "Gets or sets the keepalive probes sent before dropping.");
opt("TCP_KEEPIDLE", TCP, 4, NO, Kind.INT, RW, "Gets or sets the idle seconds before keepalive probes.", "TCP_KEEPIDLE is not on macOS; use TCP_KEEPALIVE");
opt("TCP_KEEPINTVL", TCP, 5, 0x101, Kind.INT, RW, "Gets or sets the seconds between keepalive probes.");
opt("TCP_LINGER2", TCP, 8, NO, Kind.INT, RW, "Gets or sets the lifetime of orphaned FIN_WAIT2 sockets.", "TCP_LINGER2 is Linux only");
opt("TCP_MAXSEG", TCP, 2, 2, Kind.INT, RW, "Gets or sets the maximum segment size.");
opt("TCP_NODELAY", TCP, 1, 1, Kind.BOOL, RW, "Disables Nagle's algorithm.");
opt("TCP_NOTSENT_LOWAT", TCP, 25, 0x201, Kind.INT, RW, "Gets or sets the unsent-bytes threshold for writability.");
opt("TCP_QUICKACK", TCP, 12, NO, Kind.BOOL, RW, "Sends ACKs at once rather than delayed.", "TCP_QUICKACK is Linux only");
opt("TCP_SYNCNT", TCP, 7, NO, Kind.INT, RW, "Gets or sets the SYN retransmits before giving up.", "TCP_SYNCNT is Linux only");
opt("TCP_USER_TIMEOUT", TCP, 18, NO, Kind.INT, RW, "Gets or sets how long unacknowledged data may stay (ms).", "TCP_USER_TIMEOUT is Linux only");
opt("TCP_WINDOW_CLAMP", TCP, 10, NO, Kind.INT, RW, "Gets or sets the bound on the advertised window.", "TCP_WINDOW_CLAMP is Linux only");
opt("TCP_KEEPALIVE", TCP, NO, 0x10, Kind.INT, RW, "Gets or sets the idle seconds before keepalive probes.", "TCP_KEEPALIVE is macOS only; on Linux use TCP_KEEPIDLE");
opt("TCP_NOPUSH", TCP, NO, 4, Kind.BOOL, RW, "Holds back partial frames until cleared.", "TCP_NOPUSH is BSD/macOS only; on Linux use TCP_CORK");
opt("TCP_CONNECTIONTIMEOUT", TCP, NO, 0x20, Kind.INT, RW, "Gets or sets the connection timeout (seconds).", "TCP_CONNECTIONTIMEOUT is macOS only; on Linux use TCP_SYNCNT or TCP_USER_TIMEOUT");

// ── IPPROTO_UDP ────────────────────────────────────────────────────────────
opt("UDP_CORK", UDP, 1, NO, Kind.BOOL, RW, "Holds back datagrams until uncorked, then sends one.", "UDP_CORK is Linux only");
opt("UDP_GRO", UDP, 104, NO, Kind.BOOL, RW, "Receives coalesced datagrams (generic receive offload).", "UDP_GRO is Linux only");
opt("UDP_SEGMENT", UDP, 103, NO, Kind.INT, RW, "Gets or sets the segment size for UDP segmentation offload.", "UDP_SEGMENT is Linux only");

// WasmEdge's own option numbering (SOL_SOCKET only).
wasmedge("SO_REUSEADDR", 0);
wasmedge("SO_TYPE", 1);
wasmedge("SO_ERROR", 2);
wasmedge("SO_DONTROUTE", 3);
wasmedge("SO_BROADCAST", 4);
wasmedge("SO_SNDBUF", 5);
wasmedge("SO_RCVBUF", 6);
wasmedge("SO_KEEPALIVE", 7);
wasmedge("SO_OOBINLINE", 8);
wasmedge("SO_LINGER", 9);
wasmedge("SO_RCVLOWAT", 10);
wasmedge("SO_RCVTIMEO", 11);
wasmedge("SO_SNDTIMEO", 12);
wasmedge("SO_ACCEPTCONN", 13);
wasmedge("SO_BINDTODEVICE", 14);

// ── Levels ─────────────────────────────────────────────────────────────────
export const levelNames: StaticArray<string> = ["SOL_SOCKET", "IPPROTO_IP", "IPPROTO_IPV6", "IPPROTO_TCP", "IPPROTO_UDP"];
export const levelLinux: StaticArray<i32> = [1, 0, 41, 6, 17];
export const levelMac: StaticArray<i32> = [0xffff, 0, 41, 6, 17];

// ── Other constants the host exports (families, types, levels' other names) ─
export const symNames = new Array<string>();
export const symLinux = new Array<i32>();
export const symMac = new Array<i32>();

function sym(name: string, linux: i32, mac: i32): void {
  symNames.push(name);
  symLinux.push(linux);
  symMac.push(mac);
}

/** A constant's number on a platform, by name, or ABSENT: the core's own translations read it here. */
export function symValue(name: string, platform: i32): i32 {
  for (let i = 0; i < symNames.length; i++) {
    if (unchecked(symNames[i]) == name) return platform == Platform.MACOS ? unchecked(symMac[i]) : unchecked(symLinux[i]);
  }
  return ABSENT;
}

sym("AF_UNSPEC", 0, 0);
sym("AF_UNIX", 1, 1);
sym("AF_INET", 2, 2);
sym("AF_INET6", 10, 30);
sym("SOCK_STREAM", 1, 1);
sym("SOCK_DGRAM", 2, 2);
sym("SOCK_RAW", 3, 3);
sym("SOCK_SEQPACKET", 5, 5);
sym("SOCK_NONBLOCK", 0x800, NO);
sym("SOCK_CLOEXEC", 0x80000, NO);
sym("SOL_SOCKET", 1, 0xffff);
sym("SOL_IP", 0, NO);
sym("SOL_TCP", 6, NO);
sym("SOL_UDP", 17, NO);
sym("IPPROTO_IP", 0, 0);
sym("IPPROTO_ICMP", 1, 1);
sym("IPPROTO_TCP", 6, 6);
sym("IPPROTO_UDP", 17, 17);
sym("IPPROTO_IPV6", 41, 41);
sym("IPPROTO_ICMPV6", 58, 58);
sym("IPPROTO_RAW", 255, 255);
sym("SHUT_RD", 0, 0);
sym("SHUT_WR", 1, 1);
sym("SHUT_RDWR", 2, 2);
sym("MSG_OOB", 1, 1);
sym("MSG_PEEK", 2, 2);
sym("MSG_DONTROUTE", 4, 4);
sym("MSG_WAITALL", 0x100, 0x40);
sym("MSG_DONTWAIT", 0x40, 0x80);
sym("MSG_NOSIGNAL", 0x4000, NO);
sym("MSG_TRUNC", 0x20, 0x10);
sym("INADDR_ANY", 0, 0);
sym("INADDR_LOOPBACK", 0x7f000001, 0x7f000001);
sym("IP_PMTUDISC_DONT", 0, NO);
sym("IP_PMTUDISC_WANT", 1, NO);
sym("IP_PMTUDISC_DO", 2, NO);
sym("IP_PMTUDISC_PROBE", 3, NO);
sym("IPTOS_LOWDELAY", 0x10, 0x10);
sym("IPTOS_THROUGHPUT", 0x08, 0x08);
sym("IPTOS_RELIABILITY", 0x04, 0x04);
