// Socket: a socket object for AssemblyScript plugins, mirroring the host facade
// (host/socket.ts, itself Python's socket.socket) over sockbox's guest imports.
//
// Numbering: every constant a plugin passes is Linux's (constants.ts). Sockets are
// opened, bound, connected and used through the WasmEdge sock_* imports, in WasmEdge's
// numbering and "V2" address forms (this file translates); options at every level go
// through the `sockbox` module's getsockopt/setsockopt, whose numbering and value
// layouts are Linux's, so option numbers and values pass through unchanged.
//
// ---------------------------------------------------------------------------
// Errors: AssemblyScript cannot catch exceptions, so nothing here throws or aborts.
//
//   * Every method records its outcome in `socket.errno` (and in lastErrno()):
//     0 on success, otherwise a WASI errno (errno.ts; Errno.CONNREFUSED is 14,
//     Errno.NOTCAPABLE (76) is a refusal by the sandbox's policy).
//   * Methods with nothing to return return that errno, so
//         if (s.bind("127.0.0.1", 0) != 0) ...        // or check(s.bind(...), "bind")
//   * Methods that return a value return a harmless one on failure, and the caller
//     looks at socket.errno when it matters:
//         send / sendto / recvInto        -1
//         recv / recvfrom / *Bytes        an empty Uint8Array (recv: errno 0 = EOF)
//         getsockopt / get*               0 / false / "" / a zeroed object
//         getsockname / getpeername       an Address with family 0
//         accept / new Socket             a Socket whose fd is -1, whose errno says
//                                         why; every call on it gives BADF
//   * A closed socket (close(), or one that never opened) answers BADF without
//     calling the host.
//   * check(err, what) (io.ts) prints "error: <what>: <ENAME> (<n>)" and exits 1.
//
// Nothing is validated twice: bad levels, options and values go to the host, whose
// policy and kernel answer (an option outside the catalogue: NOTCAPABLE).
// ---------------------------------------------------------------------------
//
// Memory: out-parameters, the address storage and the option buffer are static
// (memory.data), so calls allocate nothing but what they return. recvInto,
// recvfromInto and the Uint8Array forms of send never allocate.

import {
  fd_close, fd_fdstat_get, fd_fdstat_set_flags, poll_oneoff, sb_getsockopt, sb_setsockopt,
  sock_accept, sock_bind, sock_connect, sock_getlocaladdr, sock_getpeeraddr, sock_getsockopt,
  sock_listen, sock_open, sock_recv, sock_recv_from, sock_send, sock_send_to, sock_shutdown,
} from "./bindings";
import {
  AF_INET, AF_INET6, IPPROTO_IP, IPPROTO_IPV6, IPPROTO_TCP, IPPROTO_UDP, MSG_DONTWAIT,
  MSG_NOSIGNAL, MSG_PEEK, MSG_WAITALL, POLLERR, POLLHUP, POLLIN, POLLOUT, SHUT_RD, SHUT_RDWR,
  SHUT_WR, SOCK_DGRAM, SOCK_STREAM, SOL_SOCKET, SO_LINGER, TCP_INFO, We,
} from "./constants";
import { Errno, setLastErrno } from "./errno";
import { Address, formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from "./address";

// ── static scratch ─────────────────────────────────────────────────────────

// u32 out-parameters: a fd, a byte count, roflags, a port.
const OUT_FD: usize = memory.data(4, 4);
const OUT_LEN: usize = memory.data(4, 4);
const OUT_FLAGS: usize = memory.data(4, 4);
const OUT_PORT: usize = memory.data(4, 4);
// One iovec { u32 buf @0; u32 len @4 }.
const IOV: usize = memory.data(8, 4);

// An address as the sock_* imports see it (136 bytes):
//   @0  u32 buf       __wasi_address_t: where the storage is (= ADDR + 8)
//   @4  u32 buf_len   128: the V2 form
//   @8  u16 family    WasmEdge numbering: INET4 1, INET6 2 (little-endian)
//   @10 u8[16]        the IP bytes, network order (4 for IPv4)
@inline const ADDR_V2_LEN: u32 = 128;
const ADDR: usize = memory.data(8 + <i32>ADDR_V2_LEN, 8);
@inline const ADDR_FAMILY: usize = 8;
@inline const ADDR_IP: usize = 10;

/** The largest getsockoptBytes buflen (CPython's, and the host facade's). */
@inline export const BUFLEN_MAX: i32 = 1024;
// Option value buffer, and its length (in/out for getsockopt).
const OPT: usize = memory.data(BUFLEN_MAX, 8);
const OPT_LEN: usize = memory.data(4, 4);

// fd_fdstat_get output: 24 bytes (filetype u8 @0, flags u16 @2, rights u64 @8, @16).
const FDSTAT: usize = memory.data(24, 8);

// Staging for recv results and encoded strings: calls never overlap.
@inline const STAGE_SIZE: i32 = 16384;
const STAGE: usize = memory.data(STAGE_SIZE, 8);

const LOOPBACK4: usize = memory.data<u8>([127, 0, 0, 1]);

/** Marks "no fd" in the constructor's fileno: build a closed socket. */
@inline const NO_FD: i32 = -2;

// ── values of typed options ────────────────────────────────────────────────

/** SO_LINGER (struct linger). */
export class Linger {
  constructor(public onoff: bool = false, public seconds: i32 = 0) {}
}

/** SO_RCVTIMEO / SO_SNDTIMEO (struct timeval): exactly what the kernel holds. */
export class Timeval {
  constructor(public sec: i64 = 0, public usec: i64 = 0) {}
}

/**
 * TCP_INFO (Linux struct tcp_info, include/uapi/linux/tcp.h): the commonly used
 * fields, named as the kernel and the host facade name them. A field beyond what
 * the kernel returned is 0.
 */
export class TcpInfo {
  state: u8 = 0;          // @0   TCP_ESTABLISHED 1, TCP_LISTEN 10, ...
  ca_state: u8 = 0;       // @1
  retransmits: u8 = 0;    // @2
  probes: u8 = 0;         // @3
  backoff: u8 = 0;        // @4
  options: u8 = 0;        // @5
  rto: u32 = 0;           // @8   microseconds
  ato: u32 = 0;           // @12
  snd_mss: u32 = 0;       // @16
  rcv_mss: u32 = 0;       // @20
  unacked: u32 = 0;       // @24
  sacked: u32 = 0;        // @28
  lost: u32 = 0;          // @32
  retrans: u32 = 0;       // @36
  pmtu: u32 = 0;          // @60
  rcv_ssthresh: u32 = 0;  // @64
  rtt: u32 = 0;           // @68  microseconds
  rttvar: u32 = 0;        // @72
  snd_ssthresh: u32 = 0;  // @76
  snd_cwnd: u32 = 0;      // @80
  advmss: u32 = 0;        // @84
  reordering: u32 = 0;    // @88
  total_retrans: u32 = 0; // @100
  bytes_acked: u64 = 0;   // @120
  bytes_received: u64 = 0; // @128
  segs_out: u32 = 0;      // @136
  segs_in: u32 = 0;       // @140
  min_rtt: u32 = 0;       // @148
  bytes_sent: u64 = 0;    // @200
  /** How many bytes of struct tcp_info the kernel returned. */
  length: u32 = 0;
}

/** What recvfrom returns: the datagram, its sender, and whether it was cut to fit. */
export class Datagram {
  constructor(
    public data: Uint8Array = new Uint8Array(0),
    public address: Address = new Address(),
    /** The datagram was longer than asked for; the rest is gone (roflags TRUNCATED). */
    public truncated: bool = false,
  ) {}
}

// ── helpers ────────────────────────────────────────────────────────────────

type Bytes = StaticArray<u8>;
type ByteArray = Array<u8>;

/** Pointer to the bytes of a data argument (compile-time dispatch on its type). */
@inline function bytesPtr<T>(data: T): usize {
  if (data instanceof Uint8Array) return data.dataStart;
  else if (data instanceof ArrayBuffer) return changetype<usize>(data);
  else if (data instanceof Bytes) return changetype<usize>(data);
  else if (data instanceof ByteArray) return data.dataStart;
  else {
    ERROR("sockbox: data must be a string, Uint8Array, ArrayBuffer, StaticArray<u8> or Array<u8>");
    return 0;
  }
}

/** Byte length of a data argument. */
@inline function bytesLen<T>(data: T): i32 {
  if (data instanceof Uint8Array) return data.length;
  else if (data instanceof ArrayBuffer) return data.byteLength;
  else if (data instanceof Bytes) return data.length;
  else if (data instanceof ByteArray) return data.length;
  else return 0;
}

/**
 * UTF-8 of s in STAGE when it fits, else in a heap block the caller frees with
 * freeText(). Returns the pointer; the length is in textLen.
 */
let textLen: i32 = 0;
function encodeText(s: string): usize {
  const n = String.UTF8.byteLength(s);
  const p = n <= STAGE_SIZE ? STAGE : heap.alloc(<usize>n);
  textLen = <i32>String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, p);
  return p;
}

function freeText(p: usize): void {
  if (p != STAGE) heap.free(p);
}

/** Linux send flags -> 0, or -1 for a flag sockbox cannot honour. */
function checkSendFlags(flags: i32): i32 {
  return (flags & ~(MSG_NOSIGNAL | MSG_DONTWAIT)) != 0 ? -1 : 0;
}

/** Linux recv flags -> WASI riflags, or -1 for a flag sockbox cannot honour. */
function riflags(flags: i32): i32 {
  if ((flags & ~(MSG_PEEK | MSG_WAITALL | MSG_DONTWAIT)) != 0) return -1;
  return ((flags & MSG_PEEK) != 0 ? <i32>We.RIFLAGS_PEEK : 0) |
    ((flags & MSG_WAITALL) != 0 ? <i32>We.RIFLAGS_WAITALL : 0);
}

/** Decodes the V2 storage in ADDR and port into an Address (family 0 if unknown). */
function decodeAddress(port: u32): Address {
  const fam = load<u16>(ADDR, ADDR_FAMILY);
  if (fam == <u16>We.AF_INET4) return new Address(AF_INET, formatIPv4(ADDR + ADDR_IP), <u16>port);
  if (fam == <u16>We.AF_INET6) return new Address(AF_INET6, formatIPv6(ADDR + ADDR_IP), <u16>port);
  return new Address();
}

/** Fills `into` from the V2 storage in ADDR (no new Address). */
function decodeAddressInto(into: Address, port: u32): void {
  const fam = load<u16>(ADDR, ADDR_FAMILY);
  if (fam == <u16>We.AF_INET4) { into.family = AF_INET; into.host = formatIPv4(ADDR + ADDR_IP); }
  else if (fam == <u16>We.AF_INET6) { into.family = AF_INET6; into.host = formatIPv6(ADDR + ADDR_IP); }
  else { into.family = 0; into.host = ""; }
  into.port = <u16>port;
}

/** Empty V2 storage for the host to write an address into. */
function addressOut(): void {
  memory.fill(ADDR, 0, 8 + ADDR_V2_LEN);
  store<u32>(ADDR, <u32>(ADDR + 8), 0);
  store<u32>(ADDR, ADDR_V2_LEN, 4);
}

// ── Socket ─────────────────────────────────────────────────────────────────

/**
 * A socket in the sandbox. `new Socket(family, type)` (or Socket.open) opens one:
 * AF_INET or AF_INET6, SOCK_STREAM or SOCK_DGRAM (the sandbox offers nothing else).
 * See the top of this file for how errors are reported.
 */
export class Socket {
  /** The WASI fd; -1 once closed or detached, or when opening failed. */
  fd: i32 = -1;
  /** AF_INET or AF_INET6. */
  readonly family: i32;
  /** SOCK_STREAM or SOCK_DGRAM. */
  readonly type: i32;
  /** 0, or the protocol given to the constructor. */
  readonly proto: i32;
  /** The outcome of this socket's last call: 0 or a WASI errno. */
  errno: Errno = 0;

  /**
   * Opens a socket, like Python's socket.socket(family, type, proto, fileno).
   * proto: 0, IPPROTO_TCP (stream) or IPPROTO_UDP (datagram). fileno >= 0 wraps
   * an fd the plugin already has (an accepted or inherited socket) instead of
   * opening one. On failure, fd is -1 and errno says why: AFNOSUPPORT for a family
   * other than AF_INET/AF_INET6, PROTOTYPE for another type, PROTONOSUPPORT for
   * another protocol, NOTCAPABLE when the sandbox allows no more sockets.
   */
  constructor(family: i32 = AF_INET, type: i32 = SOCK_STREAM, proto: i32 = 0, fileno: i32 = -1) {
    this.family = family;
    this.type = type;
    this.proto = proto;
    if (fileno >= 0) {
      this.fd = fileno;
    } else if (fileno == -1) {
      const af = family == AF_INET ? We.AF_INET4 : family == AF_INET6 ? We.AF_INET6 : 0;
      const st = type == SOCK_STREAM ? We.SOCK_STREAM : type == SOCK_DGRAM ? We.SOCK_DGRAM : 0;
      const protoOk = proto == 0 ||
        (proto == IPPROTO_TCP && type == SOCK_STREAM) || (proto == IPPROTO_UDP && type == SOCK_DGRAM);
      let err: Errno;
      if (af == 0) err = Errno.AFNOSUPPORT;
      else if (st == 0) err = Errno.PROTOTYPE;
      else if (!protoOk) err = Errno.PROTONOSUPPORT;
      else {
        store<u32>(OUT_FD, 0xFFFFFFFF);
        err = sock_open(af, st, OUT_FD);
        if (err == Errno.SUCCESS) this.fd = <i32>load<u32>(OUT_FD);
      }
      this.done(err);
    } else {
      this.done(Errno.BADF);
    }
  }

  /** Opens a socket: the same as new Socket(family, type). */
  static open(family: i32 = AF_INET, type: i32 = SOCK_STREAM): Socket {
    return new Socket(family, type);
  }

  /**
   * Wraps an fd the plugin already holds, asking the host what it is: its type from
   * fd_fdstat_get, its family from its local address. errno NOTSOCK if it is no socket.
   */
  static fromFd(fd: i32): Socket {
    let type = 0;
    let family = 0;
    let err = fd_fdstat_get(<u32>fd, FDSTAT);
    if (err == Errno.SUCCESS) {
      const ft = load<u8>(FDSTAT);
      type = ft == We.FILETYPE_SOCKET_STREAM ? SOCK_STREAM : ft == We.FILETYPE_SOCKET_DGRAM ? SOCK_DGRAM : 0;
      if (type == 0) err = Errno.NOTSOCK;
    }
    if (err == Errno.SUCCESS) {
      addressOut();
      err = sock_getlocaladdr(<u32>fd, ADDR, OUT_PORT);
      const fam = load<u16>(ADDR, ADDR_FAMILY);
      if (err == Errno.SUCCESS) family = fam == <u16>We.AF_INET6 ? AF_INET6 : AF_INET;
    }
    if (err != Errno.SUCCESS) {
      const dead = new Socket(family, type, 0, NO_FD);
      dead.done(err);
      return dead;
    }
    const s = new Socket(family, type, 0, fd);
    s.done(Errno.SUCCESS);
    return s;
  }

  /** Records an outcome in errno and lastErrno(); returns it. */
  @inline private done(err: Errno): Errno {
    this.errno = err;
    return setLastErrno(err);
  }

  /** True when the socket is open; otherwise records BADF. */
  @inline private alive(): bool {
    if (this.fd >= 0) return true;
    this.done(Errno.BADF);
    return false;
  }

  /** The fd, or -1 once closed (as Python's fileno()). */
  fileno(): i32 {
    return this.fd;
  }

  /** True while the socket has an fd. */
  get isOpen(): bool {
    return this.fd >= 0;
  }

  // ── addresses ────────────────────────────────────────────────────────────

  /**
   * Writes host into ADDR (V2 storage). "" is the any address and "localhost" the
   * loopback address of this socket's family; otherwise numeric IPv4 or IPv6 text.
   * An IPv4 address given to an AF_INET6 socket is used in its IPv4-mapped form
   * (the host maps it). Returns INVAL for anything else (names are not resolved).
   */
  private encodeAddress(host: string): Errno {
    memory.fill(ADDR, 0, 8 + ADDR_V2_LEN);
    store<u32>(ADDR, <u32>(ADDR + 8), 0);
    store<u32>(ADDR, ADDR_V2_LEN, 4);
    const v6 = this.family == AF_INET6;
    if (host.length == 0) {
      store<u16>(ADDR, v6 ? <u16>We.AF_INET6 : <u16>We.AF_INET4, ADDR_FAMILY);
      return Errno.SUCCESS;
    }
    if (host == "localhost") {
      if (v6) {
        store<u16>(ADDR, <u16>We.AF_INET6, ADDR_FAMILY);
        store<u8>(ADDR + ADDR_IP + 15, 1);
      } else {
        store<u16>(ADDR, <u16>We.AF_INET4, ADDR_FAMILY);
        memory.copy(ADDR + ADDR_IP, LOOPBACK4, 4);
      }
      return Errno.SUCCESS;
    }
    if (parseIPv4(host, ADDR + ADDR_IP)) {
      store<u16>(ADDR, <u16>We.AF_INET4, ADDR_FAMILY);
      return Errno.SUCCESS;
    }
    if (parseIPv6(host, ADDR + ADDR_IP)) {
      store<u16>(ADDR, <u16>We.AF_INET6, ADDR_FAMILY);
      return Errno.SUCCESS;
    }
    return Errno.INVAL;
  }

  /** Binds to host:port (port 0: an ephemeral port; see getsockname). */
  bind(host: string, port: u16): Errno {
    if (!this.alive()) return this.errno;
    const err = this.encodeAddress(host);
    if (err != Errno.SUCCESS) return this.done(err);
    return this.done(sock_bind(<u32>this.fd, ADDR, port));
  }

  /** Starts listening; a negative backlog counts as 0. */
  listen(backlog: i32 = 128): Errno {
    if (!this.alive()) return this.errno;
    return this.done(sock_listen(<u32>this.fd, <u32>max(0, backlog)));
  }

  /**
   * Waits for a connection and returns its socket (blocking, whatever this socket's
   * mode: setblocking(false) on it after if wanted). On failure the result has fd -1,
   * and its errno and this socket's say why (AGAIN: a non-blocking listener had none).
   * The peer's address: getpeername() on the result.
   */
  accept(): Socket {
    if (!this.alive()) return this.closedPeer();
    store<u32>(OUT_FD, 0xFFFFFFFF);
    const err = sock_accept(<u32>this.fd, 0, OUT_FD);
    if (err != Errno.SUCCESS) {
      this.done(err);
      return this.closedPeer();
    }
    const conn = new Socket(this.family, this.type, this.proto, <i32>load<u32>(OUT_FD));
    conn.done(Errno.SUCCESS);
    this.done(Errno.SUCCESS);
    return conn;
  }

  private closedPeer(): Socket {
    const s = new Socket(this.family, this.type, this.proto, NO_FD);
    s.done(this.errno);
    return s;
  }

  /**
   * Connects to host:port. A blocking socket waits for the outcome (CONNREFUSED,
   * TIMEDOUT, ...; NOTCAPABLE if the policy does not grant the address); a
   * non-blocking one returns INPROGRESS: poll(POLLOUT) then pendingError().
   * This is also Python's connect_ex: the errno is the return value.
   */
  connect(host: string, port: u16): Errno {
    if (!this.alive()) return this.errno;
    const err = this.encodeAddress(host);
    if (err != Errno.SUCCESS) return this.done(err);
    return this.done(sock_connect(<u32>this.fd, ADDR, port));
  }

  /** The address this socket is bound to. */
  getsockname(): Address {
    if (!this.alive()) return new Address();
    addressOut();
    store<u32>(OUT_PORT, 0);
    const err = sock_getlocaladdr(<u32>this.fd, ADDR, OUT_PORT);
    if (this.done(err) != Errno.SUCCESS) return new Address();
    return decodeAddress(load<u32>(OUT_PORT));
  }

  /** The address of the connected peer (NOTCONN when there is none). */
  getpeername(): Address {
    if (!this.alive()) return new Address();
    addressOut();
    store<u32>(OUT_PORT, 0);
    const err = sock_getpeeraddr(<u32>this.fd, ADDR, OUT_PORT);
    if (this.done(err) != Errno.SUCCESS) return new Address();
    return decodeAddress(load<u32>(OUT_PORT));
  }

  // ── sending ──────────────────────────────────────────────────────────────

  /** One send of [ptr, ptr + len): the count sent, or -1. */
  private sendRaw(ptr: usize, len: i32, flags: i32): i32 {
    if (checkSendFlags(flags) < 0) { this.done(Errno.NOTSUP); return -1; }
    const restore = this.dontwaitBegin(flags);
    if (restore < 0) return -1;
    store<u32>(IOV, <u32>ptr, 0);
    store<u32>(IOV, <u32>len, 4);
    store<u32>(OUT_LEN, 0);
    const err = sock_send(<u32>this.fd, IOV, 1, 0, OUT_LEN);
    this.dontwaitEnd(restore);
    if (this.done(err) != Errno.SUCCESS) return -1;
    return <i32>load<u32>(OUT_LEN);
  }

  /** send until every byte of [ptr, ptr + len) is out. */
  private sendAllRaw(ptr: usize, len: i32, flags: i32): Errno {
    let off = 0;
    do {
      const n = this.sendRaw(ptr + <usize>off, len - off, flags);
      if (n < 0) return this.errno;
      // The host sends at least one byte or fails; never spin on a zero.
      if (n == 0 && off < len) return this.done(Errno.IO);
      off += n;
    } while (off < len);
    return this.errno;
  }

  /**
   * Sends data: a string (sent as UTF-8), Uint8Array, ArrayBuffer, StaticArray<u8>
   * or Array<u8>. Returns the count of bytes sent, or -1 (errno says why). A blocking
   * stream socket sends everything; a non-blocking one may send less (AGAIN: none).
   * flags: 0, MSG_DONTWAIT, MSG_NOSIGNAL (always in effect); others give NOTSUP.
   */
  send<T>(data: T, flags: i32 = 0): i32 {
    if (!this.alive()) return -1;
    if (isString<T>()) {
      const p = encodeText(changetype<string>(data));
      const n = this.sendRaw(p, textLen, flags);
      freeText(p);
      return n;
    }
    return this.sendRaw(bytesPtr<T>(data), bytesLen<T>(data), flags);
  }

  /** Sends all of data (as send), looping over partial sends. Returns the errno. */
  sendAll<T>(data: T, flags: i32 = 0): Errno {
    if (!this.alive()) return this.errno;
    if (isString<T>()) {
      const p = encodeText(changetype<string>(data));
      const err = this.sendAllRaw(p, textLen, flags);
      freeText(p);
      return err;
    }
    return this.sendAllRaw(bytesPtr<T>(data), bytesLen<T>(data), flags);
  }

  /** Python's name for sendAll. */
  @inline sendall<T>(data: T, flags: i32 = 0): Errno {
    return this.sendAll<T>(data, flags);
  }

  /**
   * Sends a datagram (or stream data) to host:port, which the policy must grant
   * (NOTCAPABLE otherwise). Returns the count sent, or -1.
   */
  sendto<T>(data: T, host: string, port: u16, flags: i32 = 0): i32 {
    if (!this.alive()) return -1;
    if (checkSendFlags(flags) < 0) { this.done(Errno.NOTSUP); return -1; }
    let p: usize;
    let n: i32;
    if (isString<T>()) {
      p = encodeText(changetype<string>(data));
      n = textLen;
    } else {
      p = bytesPtr<T>(data);
      n = bytesLen<T>(data);
    }
    let result = -1;
    let err = this.encodeAddress(host);
    if (err == Errno.SUCCESS) {
      const restore = this.dontwaitBegin(flags);
      if (restore >= 0) {
        store<u32>(IOV, <u32>p, 0);
        store<u32>(IOV, <u32>n, 4);
        store<u32>(OUT_LEN, 0);
        err = sock_send_to(<u32>this.fd, IOV, 1, ADDR, port, 0, OUT_LEN);
        this.dontwaitEnd(restore);
        if (err == Errno.SUCCESS) result = <i32>load<u32>(OUT_LEN);
        this.done(err);
      }
    } else {
      this.done(err);
    }
    if (isString<T>()) freeText(p);
    return result;
  }

  // ── receiving ────────────────────────────────────────────────────────────

  /** One sock_recv into [ptr, ptr + cap): the count, or -1. */
  private recvRaw(ptr: usize, cap: i32, flags: i32): i32 {
    const ri = riflags(flags);
    if (ri < 0) { this.done(Errno.NOTSUP); return -1; }
    const restore = this.dontwaitBegin(flags);
    if (restore < 0) return -1;
    store<u32>(IOV, <u32>ptr, 0);
    store<u32>(IOV, <u32>cap, 4);
    store<u32>(OUT_LEN, 0);
    store<u32>(OUT_FLAGS, 0);
    const err = sock_recv(<u32>this.fd, IOV, 1, <u16>ri, OUT_LEN, OUT_FLAGS);
    this.dontwaitEnd(restore);
    if (this.done(err) != Errno.SUCCESS) return -1;
    return <i32>load<u32>(OUT_LEN);
  }

  /**
   * Receives at most n bytes. An empty result with errno 0 means the peer closed
   * (or an empty datagram); with errno set, the call failed (AGAIN: nothing yet on
   * a non-blocking socket). flags: MSG_PEEK, MSG_WAITALL, MSG_DONTWAIT.
   */
  recv(n: i32, flags: i32 = 0): Uint8Array {
    if (!this.alive()) return new Uint8Array(0);
    if (n < 0) { this.done(Errno.INVAL); return new Uint8Array(0); }
    if (n <= STAGE_SIZE) {
      const got = this.recvRaw(STAGE, n, flags);
      if (got < 0) return new Uint8Array(0);
      const out = new Uint8Array(got);
      memory.copy(out.dataStart, STAGE, <usize>got);
      return out;
    }
    const buf = new Uint8Array(n);
    const got = this.recvRaw(buf.dataStart, n, flags);
    if (got < 0) return new Uint8Array(0);
    return got == n ? buf : buf.slice(0, got);
  }

  /** Receives into buf (at most buf.length bytes), allocating nothing. The count, or -1. */
  recvInto(buf: Uint8Array, flags: i32 = 0): i32 {
    if (!this.alive()) return -1;
    return this.recvRaw(buf.dataStart, buf.length, flags);
  }

  /** One sock_recv_from into [ptr, ptr + cap); the sender lands in ADDR / OUT_PORT. */
  private recvFromRaw(ptr: usize, cap: i32, flags: i32): i32 {
    const ri = riflags(flags);
    if (ri < 0) { this.done(Errno.NOTSUP); return -1; }
    const restore = this.dontwaitBegin(flags);
    if (restore < 0) return -1;
    addressOut();
    store<u32>(IOV, <u32>ptr, 0);
    store<u32>(IOV, <u32>cap, 4);
    store<u32>(OUT_LEN, 0);
    store<u32>(OUT_FLAGS, 0);
    store<u32>(OUT_PORT, 0);
    const err = sock_recv_from(<u32>this.fd, IOV, 1, ADDR, <u16>ri, OUT_PORT, OUT_LEN, OUT_FLAGS);
    this.dontwaitEnd(restore);
    if (this.done(err) != Errno.SUCCESS) return -1;
    return <i32>load<u32>(OUT_LEN);
  }

  /**
   * Receives a datagram of at most n bytes with its sender. On failure: an empty
   * Datagram (errno says why). On a connected stream the address may be empty.
   */
  recvfrom(n: i32, flags: i32 = 0): Datagram {
    if (!this.alive()) return new Datagram();
    if (n < 0) { this.done(Errno.INVAL); return new Datagram(); }
    let data: Uint8Array;
    let got: i32;
    if (n <= STAGE_SIZE) {
      got = this.recvFromRaw(STAGE, n, flags);
      if (got < 0) return new Datagram();
      data = new Uint8Array(got);
      memory.copy(data.dataStart, STAGE, <usize>got);
    } else {
      data = new Uint8Array(n);
      got = this.recvFromRaw(data.dataStart, n, flags);
      if (got < 0) return new Datagram();
      if (got < n) data = data.slice(0, got);
    }
    const truncated = (load<u16>(OUT_FLAGS) & We.ROFLAGS_TRUNCATED) != 0;
    return new Datagram(data, decodeAddress(load<u32>(OUT_PORT)), truncated);
  }

  /**
   * recvfrom into buf, the sender written into `from` (reused: only its host text
   * is allocated). The count, or -1.
   */
  recvfromInto(buf: Uint8Array, from: Address, flags: i32 = 0): i32 {
    if (!this.alive()) return -1;
    const got = this.recvFromRaw(buf.dataStart, buf.length, flags);
    if (got >= 0) decodeAddressInto(from, load<u32>(OUT_PORT));
    return got;
  }

  // ── state ────────────────────────────────────────────────────────────────

  /** shutdown(SHUT_RD | SHUT_WR | SHUT_RDWR); another value: INVAL. */
  shutdown(how: i32): Errno {
    if (!this.alive()) return this.errno;
    const h: u32 = how == SHUT_RD ? We.SHUT_RD : how == SHUT_WR ? We.SHUT_WR :
      how == SHUT_RDWR ? (We.SHUT_RD | We.SHUT_WR) : 0;
    if (h == 0) return this.done(Errno.INVAL);
    return this.done(sock_shutdown(<u32>this.fd, h));
  }

  /**
   * setblocking(false): calls that would wait return AGAIN instead (connect:
   * INPROGRESS); setblocking(true) waits again.
   */
  setblocking(flag: bool): Errno {
    if (!this.alive()) return this.errno;
    return this.done(fd_fdstat_set_flags(<u32>this.fd, flag ? 0 : We.FDFLAGS_NONBLOCK));
  }

  /** True unless the socket is non-blocking (asks the host; false on failure). */
  getblocking(): bool {
    if (!this.alive()) return false;
    if (this.done(fd_fdstat_get(<u32>this.fd, FDSTAT)) != Errno.SUCCESS) return false;
    return (load<u16>(FDSTAT, 2) & We.FDFLAGS_NONBLOCK) == 0;
  }

  /**
   * For MSG_DONTWAIT on a blocking socket: makes it non-blocking for one call.
   * Returns 1 when endDontwait must restore blocking mode, 0 when nothing changed,
   * -1 on failure (recorded).
   */
  private dontwaitBegin(flags: i32): i32 {
    if ((flags & MSG_DONTWAIT) == 0) return 0;
    let err = fd_fdstat_get(<u32>this.fd, FDSTAT);
    if (err != Errno.SUCCESS) { this.done(err); return -1; }
    if ((load<u16>(FDSTAT, 2) & We.FDFLAGS_NONBLOCK) != 0) return 0;
    err = fd_fdstat_set_flags(<u32>this.fd, We.FDFLAGS_NONBLOCK);
    if (err != Errno.SUCCESS) { this.done(err); return -1; }
    return 1;
  }

  private dontwaitEnd(restore: i32): void {
    if (restore == 1) fd_fdstat_set_flags(<u32>this.fd, 0);
  }

  /**
   * Waits until the socket is ready for events (POLLIN, POLLOUT, or both) or
   * timeoutMs passes (-1: no limit, 0: just look). Returns the events that happened
   * (POLLIN, POLLOUT, POLLHUP, POLLERR), 0 on timeout, -1 on failure.
   */
  poll(events: i16, timeoutMs: i32 = -1): i16 {
    if (!this.alive()) return -1;
    store<i32>(POLL_ONE, this.fd);
    store<i16>(POLL_ONE, events, 4);
    const n = pollRaw(POLL_ONE, 1, timeoutMs);
    this.errno = pollErr;
    return n < 0 ? -1 : load<i16>(POLL_ONE, 6);
  }

  /**
   * Closes the socket. Later calls on it answer BADF; closing again does nothing
   * and returns 0 (as Python).
   */
  close(): Errno {
    const fd = this.fd;
    if (fd < 0) return this.done(Errno.SUCCESS);
    this.fd = -1;
    return this.done(fd_close(<u32>fd));
  }

  /** Forgets the fd without closing it and returns it (Python's detach()). */
  detach(): i32 {
    const fd = this.fd;
    this.fd = -1;
    this.done(Errno.SUCCESS);
    return fd;
  }

  // ── options: raw ─────────────────────────────────────────────────────────

  /**
   * The C int value of an option (Linux numbering at every level, as Python's
   * getsockopt(level, optname)). 0 on failure: look at errno. SO_TYPE gives
   * SOCK_STREAM/SOCK_DGRAM, SO_ERROR a Linux errno (ECONNREFUSED 111; pendingError()
   * gives it as a WASI errno).
   */
  getsockopt(level: i32, optname: i32): i32 {
    if (!this.alive()) return 0;
    store<i32>(OPT, 0);
    store<u32>(OPT_LEN, 4);
    const err = sb_getsockopt(<u32>this.fd, <u32>level, <u32>optname, OPT, OPT_LEN);
    if (this.done(err) != Errno.SUCCESS) return 0;
    const len = load<u32>(OPT_LEN);
    // IP-level ints may come back as one byte (Linux's rule for a 1-byte answer).
    return len >= 4 ? load<i32>(OPT) : len == 1 ? <i32>load<u8>(OPT) : load<i32>(OPT);
  }

  /**
   * The raw bytes of an option, at most buflen (1..1024) of them: Python's
   * getsockopt(level, optname, buflen). AssemblyScript has no overloads, hence the
   * name. Another buflen: INVAL. On failure: an empty array.
   */
  getsockoptBytes(level: i32, optname: i32, buflen: i32): Uint8Array {
    if (!this.alive()) return new Uint8Array(0);
    if (buflen < 1 || buflen > BUFLEN_MAX) { this.done(Errno.INVAL); return new Uint8Array(0); }
    const n = this.getRaw(level, optname, buflen);
    if (n < 0) return new Uint8Array(0);
    const out = new Uint8Array(n);
    memory.copy(out.dataStart, OPT, <usize>n);
    return out;
  }

  /** Sets an option to a C int (Python's setsockopt(level, optname, int)). */
  setsockopt(level: i32, optname: i32, value: i32): Errno {
    if (!this.alive()) return this.errno;
    store<i32>(OPT, value);
    return this.done(sb_setsockopt(<u32>this.fd, <u32>level, <u32>optname, OPT, 4));
  }

  /** Sets an option to raw bytes in Linux's layout (Python's setsockopt with bytes). */
  setsockoptBytes(level: i32, optname: i32, value: Uint8Array): Errno {
    if (!this.alive()) return this.errno;
    return this.done(sb_setsockopt(<u32>this.fd, <u32>level, <u32>optname, value.dataStart, <u32>value.length));
  }

  /** getsockopt into OPT, zeroed first: the length the host wrote, or -1 (recorded). */
  private getRaw(level: i32, optname: i32, size: i32): i32 {
    memory.fill(OPT, 0, <usize>size);
    store<u32>(OPT_LEN, <u32>size);
    const err = sb_getsockopt(<u32>this.fd, <u32>level, <u32>optname, OPT, OPT_LEN);
    if (this.done(err) != Errno.SUCCESS) return -1;
    return <i32>load<u32>(OPT_LEN);
  }

  /** getRaw that needs at least `need` bytes back (fewer: INVAL, as the facade). */
  private getSized(level: i32, optname: i32, size: i32, need: i32): bool {
    if (!this.alive()) return false;
    const n = this.getRaw(level, optname, size);
    if (n < 0) return false;
    if (n < need) { this.done(Errno.INVAL); return false; }
    return true;
  }

  private setRaw(level: i32, optname: i32, len: i32): Errno {
    return this.done(sb_setsockopt(<u32>this.fd, <u32>level, <u32>optname, OPT, <u32>len));
  }

  // ── options: typed ───────────────────────────────────────────────────────
  //
  // By value kind (constants.ts names each option's kind and accessor). They take
  // (level, optname) like getsockopt, except the ones for a single option
  // (getLinger/setLinger: SO_LINGER, getTcpInfo: TCP_INFO).

  /** A "0,1" option as a bool (any non-zero the kernel gives is true). */
  getBool(level: i32, optname: i32): bool {
    return this.getsockopt(level, optname) != 0;
  }

  setBool(level: i32, optname: i32, on: bool): Errno {
    return this.setsockopt(level, optname, on ? 1 : 0);
  }

  /** An "int" option: the same as getsockopt(level, optname). */
  getInt(level: i32, optname: i32): i32 {
    return this.getsockopt(level, optname);
  }

  /** An "int" option: the same as setsockopt(level, optname, value). */
  setInt(level: i32, optname: i32, value: i32): Errno {
    return this.setsockopt(level, optname, value);
  }

  /** SO_LINGER. */
  getLinger(): Linger {
    // struct linger { int l_onoff @0; int l_linger @4; }
    if (!this.getSized(SOL_SOCKET, SO_LINGER, 8, 8)) return new Linger();
    return new Linger(load<i32>(OPT, 0) != 0, load<i32>(OPT, 4));
  }

  setLinger(onoff: bool, seconds: i32): Errno {
    if (!this.alive()) return this.errno;
    store<i32>(OPT, onoff ? 1 : 0, 0);
    store<i32>(OPT, seconds, 4);
    return this.setRaw(SOL_SOCKET, SO_LINGER, 8);
  }

  /** A "timeval" option (SOL_SOCKET, SO_RCVTIMEO or SO_SNDTIMEO). */
  getTimeval(level: i32, optname: i32): Timeval {
    // Linux LP64 struct timeval { i64 tv_sec @0; i64 tv_usec @8; }
    if (!this.getSized(level, optname, 16, 16)) return new Timeval();
    return new Timeval(load<i64>(OPT, 0), load<i64>(OPT, 8));
  }

  /** Sets a "timeval" option; 0, 0 turns the timeout off. */
  setTimeval(level: i32, optname: i32, sec: i64, usec: i64): Errno {
    if (!this.alive()) return this.errno;
    store<i64>(OPT, sec, 0);
    store<i64>(OPT, usec, 8);
    return this.setRaw(level, optname, 16);
  }

  /** A "string" or "ifname" option (TCP_CONGESTION, SO_BINDTODEVICE): text up to its NUL. */
  getString(level: i32, optname: i32): string {
    if (!this.alive()) return "";
    const n = this.getRaw(level, optname, 256);
    if (n < 0) return "";
    let len = 0;
    while (len < n && load<u8>(OPT + <usize>len) != 0) len++;
    return String.UTF8.decodeUnsafe(OPT, <usize>len);
  }

  /** Sets a "string" or "ifname" option to value's UTF-8 (no NUL; at most 1024 bytes). */
  setString(level: i32, optname: i32, value: string): Errno {
    if (!this.alive()) return this.errno;
    if (String.UTF8.byteLength(value) > BUFLEN_MAX) return this.done(Errno.INVAL);
    const n = <i32>String.UTF8.encodeUnsafe(changetype<usize>(value), value.length, OPT);
    return this.setRaw(level, optname, n);
  }

  /** An "in_addr" option (IPPROTO_IP, IP_MULTICAST_IF) as IPv4 text. */
  getInAddr(level: i32, optname: i32): string {
    if (!this.getSized(level, optname, 4, 4)) return "";
    return formatIPv4(OPT);
  }

  /** Sets an "in_addr" option from IPv4 text (INVAL if it is not one). */
  setInAddr(level: i32, optname: i32, addr: string): Errno {
    if (!this.alive()) return this.errno;
    if (!parseIPv4(addr, OPT)) return this.done(Errno.INVAL);
    return this.setRaw(level, optname, 4);
  }

  /**
   * An "ip_mreq" option (IPPROTO_IP, IP_ADD_MEMBERSHIP / IP_DROP_MEMBERSHIP):
   * struct ip_mreq { in_addr multiaddr @0; in_addr interface @4; }.
   */
  setIpMreq(level: i32, optname: i32, multiaddr: string, iface: string = "0.0.0.0"): Errno {
    if (!this.alive()) return this.errno;
    if (!parseIPv4(multiaddr, OPT) || !parseIPv4(iface, OPT + 4)) return this.done(Errno.INVAL);
    return this.setRaw(level, optname, 8);
  }

  /**
   * An "ipv6_mreq" option (IPPROTO_IPV6, IPV6_JOIN_GROUP / IPV6_LEAVE_GROUP):
   * struct ipv6_mreq { in6_addr multiaddr @0; u32 ifindex @16; }.
   */
  setIpv6Mreq(level: i32, optname: i32, multiaddr: string, ifindex: u32 = 0): Errno {
    if (!this.alive()) return this.errno;
    if (!parseIPv6(multiaddr, OPT)) return this.done(Errno.INVAL);
    store<u32>(OPT, ifindex, 16);
    return this.setRaw(level, optname, 20);
  }

  /** TCP_INFO (IPPROTO_TCP). Fields the kernel did not return are 0. */
  getTcpInfo(): TcpInfo {
    const info = new TcpInfo();
    if (!this.getSized(IPPROTO_TCP, TCP_INFO, 232, 8)) return info;
    info.length = load<u32>(OPT_LEN);
    info.state = load<u8>(OPT, 0);
    info.ca_state = load<u8>(OPT, 1);
    info.retransmits = load<u8>(OPT, 2);
    info.probes = load<u8>(OPT, 3);
    info.backoff = load<u8>(OPT, 4);
    info.options = load<u8>(OPT, 5);
    info.rto = load<u32>(OPT, 8);
    info.ato = load<u32>(OPT, 12);
    info.snd_mss = load<u32>(OPT, 16);
    info.rcv_mss = load<u32>(OPT, 20);
    info.unacked = load<u32>(OPT, 24);
    info.sacked = load<u32>(OPT, 28);
    info.lost = load<u32>(OPT, 32);
    info.retrans = load<u32>(OPT, 36);
    info.pmtu = load<u32>(OPT, 60);
    info.rcv_ssthresh = load<u32>(OPT, 64);
    info.rtt = load<u32>(OPT, 68);
    info.rttvar = load<u32>(OPT, 72);
    info.snd_ssthresh = load<u32>(OPT, 76);
    info.snd_cwnd = load<u32>(OPT, 80);
    info.advmss = load<u32>(OPT, 84);
    info.reordering = load<u32>(OPT, 88);
    info.total_retrans = load<u32>(OPT, 100);
    info.bytes_acked = load<u64>(OPT, 120);
    info.bytes_received = load<u64>(OPT, 128);
    info.segs_out = load<u32>(OPT, 136);
    info.segs_in = load<u32>(OPT, 140);
    info.min_rtt = load<u32>(OPT, 148);
    info.bytes_sent = load<u64>(OPT, 200);
    return info;
  }

  /**
   * The socket's pending error as a WASI errno (Errno.CONNREFUSED, ...), cleared by
   * reading: how a non-blocking connect ends. Read through WasmEdge's SO_ERROR,
   * which the host translates; getsockopt(SOL_SOCKET, SO_ERROR) gives Linux's number.
   * Returns 0 (and errno set) when the read itself fails.
   */
  pendingError(): Errno {
    if (!this.alive()) return 0;
    store<i32>(OPT, 0);
    store<u32>(OPT_LEN, 4);
    const err = sock_getsockopt(<u32>this.fd, We.SOL_SOCKET, We.SO_ERROR, OPT, OPT_LEN);
    if (this.done(err) != Errno.SUCCESS) return 0;
    return <Errno>load<i32>(OPT);
  }
}

// ── poll ───────────────────────────────────────────────────────────────────

/** One socket to watch: events in, revents out (POLLIN, POLLOUT, POLLHUP, POLLERR). */
export class PollFd {
  constructor(public socket: Socket, public events: i16 = POLLIN, public revents: i16 = 0) {}
}

// struct pollfd as pollRaw takes it (8 bytes, the POSIX layout):
//   @0 i32 fd   @4 i16 events   @6 i16 revents
@inline const POLLFD_SIZE: usize = 8;
// Socket.poll's one entry.
const POLL_ONE: usize = memory.data(<i32>POLLFD_SIZE, 4);

// poll_oneoff subscription, 48 bytes (wasi_snapshot_preview1 witx, `subscription`):
//   @0  u64 userdata        copied to the event: (index << 1) | (0 read, 1 write)
//   @8  u8  tag             EVENTTYPE_CLOCK 0, FD_READ 1, FD_WRITE 2
//   @16 u32 fd              fd_read / fd_write
//   @16 u32 clock id        clock (MONOTONIC 1)
//   @24 u64 timeout (ns)    clock
//   @32 u64 precision (ns)  clock
//   @40 u16 flags           clock: 0 relative
// poll_oneoff event, 32 bytes: u64 userdata @0, u16 error @8, u8 type @10,
//   u64 nbytes @16, u16 flags @24 (EVENTRWFLAGS_HANGUP 1).
@inline const SUB_SIZE: usize = 48;
@inline const EVENT_SIZE: usize = 32;
@inline const CLOCK_USERDATA: u64 = 0xFFFFFFFFFFFFFFFF;
const NEVENTS: usize = memory.data(4, 4);
// Room for this many subscriptions without allocating.
@inline const STATIC_SUBS: i32 = 16;
const SUBS: usize = memory.data(STATIC_SUBS * <i32>SUB_SIZE, 8);
const EVENTS: usize = memory.data(STATIC_SUBS * <i32>EVENT_SIZE, 8);

let pollErr: Errno = 0;

/**
 * poll(2) over poll_oneoff for count struct pollfd at fds (layout above): an entry
 * with fd < 0 is skipped, as POSIX says. Returns how many entries have revents,
 * 0 on timeout, -1 on failure (the errno in lastErrno()).
 */
export function pollRaw(fds: usize, count: i32, timeoutMs: i32): i32 {
  let nsubs = timeoutMs >= 0 ? 1 : 0;
  for (let i = 0; i < count; i++) {
    const p = fds + <usize>i * POLLFD_SIZE;
    store<i16>(p, 0, 6);
    if (load<i32>(p) < 0) continue;
    const ev = load<i16>(p, 4);
    if (ev & POLLIN) nsubs++;
    if (ev & POLLOUT) nsubs++;
  }
  if (nsubs == 0) {
    // Nothing to wait for and no clock: poll(2) would block for ever.
    pollErr = setLastErrno(Errno.INVAL);
    return -1;
  }
  const big = nsubs > STATIC_SUBS;
  const subs = big ? heap.alloc(<usize>nsubs * SUB_SIZE) : SUBS;
  const events = big ? heap.alloc(<usize>nsubs * EVENT_SIZE) : EVENTS;
  memory.fill(subs, 0, <usize>nsubs * SUB_SIZE);
  let at = subs;
  for (let i = 0; i < count; i++) {
    const p = fds + <usize>i * POLLFD_SIZE;
    const fd = load<i32>(p);
    if (fd < 0) continue;
    const ev = load<i16>(p, 4);
    if (ev & POLLIN) {
      store<u64>(at, <u64>i << 1, 0);
      store<u8>(at, 1, 8); // FD_READ
      store<u32>(at, <u32>fd, 16);
      at += SUB_SIZE;
    }
    if (ev & POLLOUT) {
      store<u64>(at, (<u64>i << 1) | 1, 0);
      store<u8>(at, 2, 8); // FD_WRITE
      store<u32>(at, <u32>fd, 16);
      at += SUB_SIZE;
    }
  }
  if (timeoutMs >= 0) {
    store<u64>(at, CLOCK_USERDATA, 0);
    store<u8>(at, 0, 8); // CLOCK
    store<u32>(at, 1, 16); // MONOTONIC
    store<u64>(at, <u64>timeoutMs * 1000000, 24);
  }
  store<u32>(NEVENTS, 0);
  const err = poll_oneoff(subs, events, <u32>nsubs, NEVENTS);
  let result = -1;
  if (err == Errno.SUCCESS) {
    const n = load<u32>(NEVENTS);
    for (let k: u32 = 0; k < n; k++) {
      const e = events + <usize>k * EVENT_SIZE;
      const userdata = load<u64>(e, 0);
      if (userdata == CLOCK_USERDATA) continue;
      const p = fds + <usize>(userdata >> 1) * POLLFD_SIZE;
      let r: i16 = (userdata & 1) != 0 ? POLLOUT : POLLIN;
      if (load<u16>(e, 8) != 0) r |= POLLERR;
      if ((load<u16>(e, 24) & 1) != 0) r |= POLLHUP;
      store<i16>(p, load<i16>(p, 6) | r, 6);
    }
    result = 0;
    for (let i = 0; i < count; i++) {
      if (load<i16>(fds + <usize>i * POLLFD_SIZE, 6) != 0) result++;
    }
  }
  if (big) {
    heap.free(events);
    heap.free(subs);
  }
  pollErr = setLastErrno(err);
  return result;
}

/**
 * Waits until one of the sockets is ready for its events, or timeoutMs passes
 * (-1: no limit; 0: just look). Sets each entry's revents (a closed socket's
 * entry is skipped, revents 0). Returns how many entries have revents, 0 on
 * timeout, -1 on failure (lastErrno()).
 */
export function poll(fds: PollFd[], timeoutMs: i32 = -1): i32 {
  const count = fds.length;
  const raw = heap.alloc(<usize>max(count, 1) * POLLFD_SIZE);
  for (let i = 0; i < count; i++) {
    const f = unchecked(fds[i]);
    const p = raw + <usize>i * POLLFD_SIZE;
    store<i32>(p, f.socket.fd);
    store<i16>(p, f.events, 4);
  }
  const n = pollRaw(raw, count, timeoutMs);
  for (let i = 0; i < count; i++) {
    unchecked(fds[i]).revents = n < 0 ? 0 : load<i16>(raw + <usize>i * POLLFD_SIZE, 6);
  }
  heap.free(raw);
  return n;
}
