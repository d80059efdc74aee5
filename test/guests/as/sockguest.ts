// sockguest.ts: an AssemblyScript test guest that drives sockbox's socket imports,
// the twin of test/guests/c/sockguest.c for a subset of its commands.
//
// Build: node build/guests.mjs
//   (asc sockguest.ts -O3 --runtime stub --exportStart _start --use abort=)
// Out:   test/guests/sockguest-as.wasm, a WASI command module: it exports `_start`
//        (the top-level code below, which calls main) and `memory`, and imports
//        nothing from "env" (`--use abort=` turns asc's abort() into a trap).
//
// Every import is declared BY HAND below: the WasmEdge socket extension and the
// standard preview1 calls (module "wasi_snapshot_preview1") and sockbox's own
// extension (module "sockbox"). No AssemblyScript WASI shim is used; output goes
// through fd_write to fd 1 and the program ends with proc_exit.
//
// ---------------------------------------------------------------------------
// CONTRACT: that of test/guests/c/sockguest.c (read its top comment), for these
// commands only, with byte-identical output lines:
//
//   options <4|6> <stream|dgram>      all 12 steps, the same lines in the same order
//   echo-server <4|6>                 -> listening <port>, -> echoed <total bytes>
//   client <4|6> <port> <message>     -> received <text>
//   getsockopt-loop <n>               -> wasmedge <ns per call>, -> sockbox <ns per call>
//
// Errors are reported as in the C guest ("error <what> errno=<n>" or
// "error <what> <detail>=<n>", exit 1). Any other command or bad arguments print
// one line starting "usage" and exit 2. Each output line goes out in one fd_write
// (the "received" line in up to three).
//
// Address forms, as in the C guest: V1 (raw IP bytes, port as an argument) for
// IPv4 and V2 (128-byte storage) for IPv6, in bind, connect and
// sock_getlocaladdr; sock_accept is V1 for IPv4 and V2 (fdflags 0) for IPv6.
// asc 0.28 accepts two declarations of one import name with different
// signatures (sock_accept_v1/_v2, sock_getlocaladdr_v1/_v2 below) and emits
// two imports with the same module/name, like clang does for the C guest; the
// host's one function for the name tells them apart by argument count.
// ---------------------------------------------------------------------------

// ========================================================================
// Numbering
// ========================================================================

/** A WASI errno, the value every import returns. */
type Errno = u16;

// WASI errnos this program looks at (wasi_snapshot_preview1 witx, `errno`).
namespace Errno {
  @inline export const SUCCESS: Errno = 0;
  @inline export const INPROGRESS: Errno = 26;
  @inline export const NOMEM: Errno = 48;
}

// WasmEdge socket extension: its own numbering, not Linux's (/work/shared/DESIGN.md,
// "Guest ABI" section 1; WasmEdge's wasi_socket headers).
namespace We {
  @inline export const AF_INET4: u32 = 1;
  @inline export const AF_INET6: u32 = 2;

  @inline export const SOCK_DGRAM: u32 = 1;
  @inline export const SOCK_STREAM: u32 = 2;

  @inline export const SHUT_WR: u32 = 2;

  @inline export const SOL_SOCKET: u32 = 0; // the only level

  @inline export const SO_REUSEADDR: u32 = 0;
  @inline export const SO_TYPE: u32 = 1;
  @inline export const SO_ERROR: u32 = 2;
  @inline export const SO_RCVBUF: u32 = 6;
  @inline export const SO_KEEPALIVE: u32 = 7;
  @inline export const SO_LINGER: u32 = 9;
  @inline export const SO_RCVTIMEO: u32 = 11;
  @inline export const SO_ACCEPTCONN: u32 = 13;

  /** No WasmEdge name for the option (it has only SOL_SOCKET). */
  @inline export const NONE: u32 = 0xFFFFFFFF;
}

// sockbox extension: Linux numbering at every level (Linux uapi headers:
// asm-generic/socket.h, linux/in.h, linux/in6.h). Options that only BSD has are
// 0x10000 + their macOS number.
namespace Sb {
  @inline export const IPPROTO_IP: u32 = 0;
  @inline export const SOL_SOCKET: u32 = 1;
  @inline export const IPPROTO_IPV6: u32 = 41;

  @inline export const SO_REUSEADDR: u32 = 2;
  @inline export const SO_TYPE: u32 = 3;
  @inline export const SO_ERROR: u32 = 4;
  @inline export const SO_RCVBUF: u32 = 8;
  @inline export const SO_KEEPALIVE: u32 = 9;
  @inline export const SO_LINGER: u32 = 13;
  @inline export const SO_RCVTIMEO: u32 = 20;
  @inline export const SO_ACCEPTCONN: u32 = 30;

  @inline export const IP_TOS: u32 = 1;
  @inline export const IP_TTL: u32 = 2;
  @inline export const IP_HDRINCL: u32 = 3;
  @inline export const IP_RECVDSTADDR: u32 = 0x10000 + 7; // macOS IP_RECVDSTADDR = 7

  @inline export const IPV6_V6ONLY: u32 = 26;
}

// Standard preview1 numbers (wasi_snapshot_preview1 witx).
@inline const FDFLAGS_NONBLOCK: u16 = 4;
@inline const CLOCKID_MONOTONIC: u32 = 1;
@inline const EVENTTYPE_CLOCK: u8 = 0;
@inline const EVENTTYPE_FD_WRITE: u8 = 2;
@inline const STDOUT: u32 = 1;

// ========================================================================
// Imports
// ========================================================================

// Standard preview1.

/** Output: the argument count at argc_ptr, the bytes argv_buf needs at argv_buf_size_ptr. */
@external("wasi_snapshot_preview1", "args_sizes_get")
declare function args_sizes_get(argc_ptr: usize, argv_buf_size_ptr: usize): Errno;
/** Output: argc pointers at argv_ptr into argv_buf_ptr, NUL-terminated strings. */
@external("wasi_snapshot_preview1", "args_get")
declare function args_get(argv_ptr: usize, argv_buf_ptr: usize): Errno;
/** iovs_ptr: ciovecs {u32 buf, u32 len}. Output: bytes written at nwritten_ptr. */
@external("wasi_snapshot_preview1", "fd_write")
declare function fd_write(fd: u32, iovs_ptr: usize, iovs_len: u32, nwritten_ptr: usize): Errno;
@external("wasi_snapshot_preview1", "fd_close")
declare function fd_close(fd: u32): Errno;
@external("wasi_snapshot_preview1", "fd_fdstat_set_flags")
declare function fd_fdstat_set_flags(fd: u32, flags: u16): Errno;
/** Output: the time in ns at time_ptr (u64). */
@external("wasi_snapshot_preview1", "clock_time_get")
declare function clock_time_get(id: u32, precision: u64, time_ptr: usize): Errno;
/** in_ptr: 48-byte subscriptions, out_ptr: 32-byte events (layouts at wait_writable). */
@external("wasi_snapshot_preview1", "poll_oneoff")
declare function poll_oneoff(in_ptr: usize, out_ptr: usize, nsubscriptions: u32, ro_nevents_ptr: usize): Errno;
@external("wasi_snapshot_preview1", "proc_exit")
declare function proc_exit(rval: u32): void;

// WasmEdge socket extension. Addresses: see the layout above addr_v1.

/** Output: the new fd at ro_fd_ptr (u32). */
@external("wasi_snapshot_preview1", "sock_open")
declare function sock_open(af: u32, socktype: u32, ro_fd_ptr: usize): Errno;
@external("wasi_snapshot_preview1", "sock_bind")
declare function sock_bind(fd: u32, addr_ptr: usize, port: u32): Errno;
@external("wasi_snapshot_preview1", "sock_connect")
declare function sock_connect(fd: u32, addr_ptr: usize, port: u32): Errno;
@external("wasi_snapshot_preview1", "sock_listen")
declare function sock_listen(fd: u32, backlog: u32): Errno;
/** sock_accept V1 (WasmEdge). Output: the new fd at ro_fd_ptr. */
@external("wasi_snapshot_preview1", "sock_accept")
declare function sock_accept_v1(fd: u32, ro_fd_ptr: usize): Errno;
/** sock_accept V2 (standard preview1, with fdflags). Output: the new fd at ro_fd_ptr. */
@external("wasi_snapshot_preview1", "sock_accept")
declare function sock_accept_v2(fd: u32, fdflags: u16, ro_fd_ptr: usize): Errno;
/**
 * sock_getlocaladdr V1. Output: raw IP bytes into the address's buffer (buf_len >= 16),
 * 4 or 6 at addr_type_ptr (u32), the port at port_ptr (u32).
 */
@external("wasi_snapshot_preview1", "sock_getlocaladdr")
declare function sock_getlocaladdr_v1(fd: u32, addr_ptr: usize, addr_type_ptr: usize, port_ptr: usize): Errno;
/** sock_getlocaladdr V2. Output: V2 storage in the address's buffer, the port at port_ptr (u32). */
@external("wasi_snapshot_preview1", "sock_getlocaladdr")
declare function sock_getlocaladdr_v2(fd: u32, addr_ptr: usize, port_ptr: usize): Errno;
/** Output: bytes received at ro_len_ptr (u32), flags at ro_flags_ptr (u16). */
@external("wasi_snapshot_preview1", "sock_recv")
declare function sock_recv(fd: u32, iovs_ptr: usize, iovs_len: u32, riflags: u16, ro_len_ptr: usize, ro_flags_ptr: usize): Errno;
/** Output: bytes sent at ro_len_ptr (u32). */
@external("wasi_snapshot_preview1", "sock_send")
declare function sock_send(fd: u32, ciovs_ptr: usize, ciovs_len: u32, siflags: u16, ro_len_ptr: usize): Errno;
@external("wasi_snapshot_preview1", "sock_shutdown")
declare function sock_shutdown(fd: u32, how: u32): Errno;
/** level is always We.SOL_SOCKET; len_ptr: the buffer size in, the value size out. */
@external("wasi_snapshot_preview1", "sock_getsockopt")
declare function sock_getsockopt(fd: u32, level: u32, name: u32, buf_ptr: usize, len_ptr: usize): Errno;
@external("wasi_snapshot_preview1", "sock_setsockopt")
declare function sock_setsockopt(fd: u32, level: u32, name: u32, buf_ptr: usize, len: u32): Errno;

// sockbox extension: Linux numbering, every level, POSIX truncation on get.

/** optlen_ptr: the buffer size in, the value size out. */
@external("sockbox", "getsockopt")
declare function sb_getsockopt(fd: u32, level: u32, optname: u32, optval_ptr: usize, optlen_ptr: usize): Errno;
@external("sockbox", "setsockopt")
declare function sb_setsockopt(fd: u32, level: u32, optname: u32, optval_ptr: usize, optlen: u32): Errno;

// ========================================================================
// Output and failure
// ========================================================================

// One ciovec {u32 buf @0, u32 len @4} and the nwritten out-parameter @8.
const WRITE_IOV: usize = memory.data(16, 8);

/** Writes all of [ptr, ptr + len) to fd 1 (fd_write may write less than asked). */
function write_all(ptr: usize, len: u32): void {
  while (len > 0) {
    store<u32>(WRITE_IOV, <u32>ptr, 0);
    store<u32>(WRITE_IOV, len, 4);
    store<u32>(WRITE_IOV, 0, 8);
    const err = fd_write(STDOUT, WRITE_IOV, 1, WRITE_IOV + 8);
    const n = load<u32>(WRITE_IOV, 8);
    // Nowhere to report a broken stdout: end the program as the C guest's exit would.
    if (err != Errno.SUCCESS || n == 0 || n > len) exit(1);
    ptr += n;
    len -= n;
  }
}

// The line being built. Longer text is written out in pieces as it comes.
@inline const LINE_CAP: u32 = 256;
const LINE: usize = memory.data(<i32>LINE_CAP);
let line_len: u32 = 0;

function put_byte(b: u8): void {
  if (line_len == LINE_CAP) {
    write_all(LINE, line_len);
    line_len = 0;
  }
  store<u8>(LINE + line_len, b);
  line_len++;
}

/** Appends an ASCII string. */
function put(s: string): void {
  for (let i = 0; i < s.length; i++) put_byte(<u8>s.charCodeAt(i));
}

function put_u64(v: u64): void {
  const digits = memory.data(20); // u64 max has 20 digits
  let n = 0;
  do {
    store<u8>(digits + n, <u8>(0x30 + v % 10));
    v /= 10;
    n++;
  } while (v != 0);
  while (n > 0) put_byte(load<u8>(digits + --n));
}

function put_i64(v: i64): void {
  if (v < 0) {
    put_byte(0x2D); // '-'
    put_u64(<u64>(0 - v)); // wraps to 2^63 for i64.MIN_VALUE, which is right
  } else {
    put_u64(<u64>v);
  }
}

/** Ends the line with "\n" and writes it (the C guest's say(): one line, flushed). */
function end_line(): void {
  put_byte(0x0A);
  write_all(LINE, line_len);
  line_len = 0;
}

/** Prints "<prefix><bytes><suffix>\n", the bytes as they are. */
function say_bytes(prefix: string, bytes: usize, len: u32, suffix: string): void {
  put(prefix);
  write_all(LINE, line_len);
  line_len = 0;
  write_all(bytes, len);
  put(suffix);
  end_line();
}

function exit(code: u32): void {
  proc_exit(code);
  unreachable();
}

/** An import failed unexpectedly: "error <what> errno=<n>", exit 1. */
function fail(what: string, err: Errno): void {
  put("error "); put(what); put(" errno="); put_u64(err); end_line();
  exit(1);
}

/** An import succeeded with an impossible result: "error <what> <detail>=<n>", exit 1. */
function fail_result(what: string, detail: string, value: u32): void {
  put("error "); put(what); put(" "); put(detail); put("="); put_u64(value); end_line();
  exit(1);
}

function usage(): void {
  put("usage: sockguest-as echo-server <4|6> | client <4|6> <port> <message>" +
      " | options <4|6> <stream|dgram> | getsockopt-loop <n>");
  end_line();
  exit(2);
}

// ========================================================================
// Addresses
// ========================================================================

const LOOPBACK4: usize = memory.data<u8>([127, 0, 0, 1]);
const LOOPBACK6: usize = memory.data<u8>([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);

// An address as the imports see it, with the storage it points at (136 bytes):
//   @0  u32 buf      __wasi_address_t: where the address bytes are (= this + 8)
//   @4  u32 buf_len  4 or 16 (V1: raw IP bytes) or 128 (V2 storage)
//   @8  u8[128]      V1: IP bytes, network order
//                    V2: u16 family (LE, We.AF_*) @8, IP bytes from @10
@inline const ADDR_V2_LEN: u32 = 128;
@inline const ADDR_SIZE: i32 = 8 + <i32>ADDR_V2_LEN;
@inline const ADDR_BYTES: usize = 8;

// Two address slots: one for bind/connect, one for sock_getlocaladdr results.
const ADDR: usize = memory.data(ADDR_SIZE, 8);
const LOCAL: usize = memory.data(ADDR_SIZE, 8);

/** Empty storage of buf_len bytes for the host to write an address into. */
function addr_storage(a: usize, buf_len: u32): void {
  memory.fill(a, 0, ADDR_SIZE);
  store<u32>(a, <u32>(a + ADDR_BYTES), 0);
  store<u32>(a, buf_len, 4);
}

/** V1 form: the raw IP bytes, buf_len 4 or 16. */
function addr_v1(a: usize, ip: usize, ip_len: u32): void {
  addr_storage(a, ip_len);
  memory.copy(a + ADDR_BYTES, ip, ip_len);
}

/** V2 form: u16 family (little-endian) at 0, IP bytes from offset 2, buf_len 128. */
function addr_v2(a: usize, we_family: u16, ip: usize, ip_len: u32): void {
  addr_storage(a, ADDR_V2_LEN);
  store<u16>(a, we_family, ADDR_BYTES);
  memory.copy(a + ADDR_BYTES + 2, ip, ip_len);
}

/** The loopback address of a family: V1 for IPv4, V2 for IPv6, so that the host sees both forms. */
function addr_loopback(a: usize, family: u32): void {
  if (family == 4) addr_v1(a, LOOPBACK4, 4);
  else addr_v2(a, <u16>We.AF_INET6, LOOPBACK6, 16);
}

function v2_family(a: usize): u16 {
  return load<u16>(a, ADDR_BYTES);
}

function bytes_equal(a: usize, b: usize, len: u32): bool {
  for (let i: u32 = 0; i < len; i++) {
    if (load<u8>(a + i) != load<u8>(b + i)) return false;
  }
  return true;
}

// ========================================================================
// Socket helpers (each fails the program on an unexpected errno)
// ========================================================================

// Out-parameters (u32 each): a fd, a port, an address type, a length, a flags word.
const OUT_FD: usize = memory.data(4, 4);
const OUT_PORT: usize = memory.data(4, 4);
const OUT_TYPE: usize = memory.data(4, 4);
const OUT_LEN: usize = memory.data(4, 4);
const OUT_FLAGS: usize = memory.data(4, 4);
// One iovec {u32 buf @0, u32 len @4}.
const IOV: usize = memory.data(8, 4);

function open_sock(family: u32, socktype: u32): u32 {
  store<u32>(OUT_FD, 0);
  const err = sock_open(family == 4 ? We.AF_INET4 : We.AF_INET6, socktype, OUT_FD);
  if (err != Errno.SUCCESS) fail("sock_open", err);
  return load<u32>(OUT_FD);
}

function close_fd(fd: u32): void {
  const err = fd_close(fd);
  if (err != Errno.SUCCESS) fail("fd_close", err);
}

function set_nonblocking(fd: u32): void {
  const err = fd_fdstat_set_flags(fd, FDFLAGS_NONBLOCK);
  if (err != Errno.SUCCESS) fail("fd_fdstat_set_flags", err);
}

function bind_loopback(fd: u32, family: u32, port: u32): void {
  addr_loopback(ADDR, family);
  const err = sock_bind(fd, ADDR, port);
  if (err != Errno.SUCCESS) fail("sock_bind", err);
}

function connect_loopback(fd: u32, family: u32, port: u32): void {
  addr_loopback(ADDR, family);
  const err = sock_connect(fd, ADDR, port);
  if (err != Errno.SUCCESS) fail("sock_connect", err);
}

function listen_sock(fd: u32, backlog: u32): void {
  const err = sock_listen(fd, backlog);
  if (err != Errno.SUCCESS) fail("sock_listen", err);
}

/**
 * The port a socket bound to loopback got: sock_getlocaladdr V1 for IPv4, V2 for
 * IPv6. Checks that the address is the loopback address of that family.
 */
function local_port(fd: u32, family: u32): u32 {
  store<u32>(OUT_PORT, 0);
  if (family == 4) {
    store<u32>(OUT_TYPE, 0);
    addr_storage(LOCAL, 16); // V1 wants room for an IPv6 address even for IPv4
    const err = sock_getlocaladdr_v1(fd, LOCAL, OUT_TYPE, OUT_PORT);
    if (err != Errno.SUCCESS) fail("sock_getlocaladdr", err);
    const addr_type = load<u32>(OUT_TYPE);
    if (addr_type != 4) fail_result("sock_getlocaladdr", "addr_type", addr_type);
    if (!bytes_equal(LOCAL + ADDR_BYTES, LOOPBACK4, 4)) {
      fail_result("sock_getlocaladdr", "not-loopback", load<u8>(LOCAL, ADDR_BYTES));
    }
  } else {
    addr_storage(LOCAL, ADDR_V2_LEN);
    const err = sock_getlocaladdr_v2(fd, LOCAL, OUT_PORT);
    if (err != Errno.SUCCESS) fail("sock_getlocaladdr", err);
    const fam = v2_family(LOCAL);
    if (<u32>fam != We.AF_INET6) fail_result("sock_getlocaladdr", "family", fam);
    if (!bytes_equal(LOCAL + ADDR_BYTES + 2, LOOPBACK6, 16)) {
      fail_result("sock_getlocaladdr", "not-loopback", load<u8>(LOCAL, ADDR_BYTES + 2));
    }
  }
  const port = load<u32>(OUT_PORT);
  if (port == 0 || port > 65535) fail_result("sock_getlocaladdr", "port", port);
  return port;
}

/** One sock_recv into buf; returns the byte count (0 = the peer shut down). */
function recv_some(fd: u32, buf: usize, cap: u32): u32 {
  store<u32>(IOV, <u32>buf, 0);
  store<u32>(IOV, cap, 4);
  store<u32>(OUT_LEN, 0);
  store<u32>(OUT_FLAGS, 0);
  const err = sock_recv(fd, IOV, 1, 0, OUT_LEN, OUT_FLAGS);
  if (err != Errno.SUCCESS) fail("sock_recv", err);
  const n = load<u32>(OUT_LEN);
  if (n > cap) fail_result("sock_recv", "len", n);
  return n;
}

/** sock_send until every byte is out (a stream send may be partial). */
function send_all(fd: u32, buf: usize, len: u32): void {
  let off: u32 = 0;
  while (off < len) {
    store<u32>(IOV, <u32>(buf + off), 0);
    store<u32>(IOV, len - off, 4);
    store<u32>(OUT_LEN, 0);
    const err = sock_send(fd, IOV, 1, 0, OUT_LEN);
    if (err != Errno.SUCCESS) fail("sock_send", err);
    const sent = load<u32>(OUT_LEN);
    if (sent == 0 || sent > len - off) fail_result("sock_send", "sent", sent);
    off += sent;
  }
}

/** A loopback port with nothing listening: bind a socket to port 0, note the port, close it. */
function closed_port(family: u32): u32 {
  const fd = open_sock(family, We.SOCK_STREAM);
  bind_loopback(fd, family, 0);
  const port = local_port(fd, family);
  close_fd(fd);
  return port;
}

// poll_oneoff subscription, 48 bytes (wasi_snapshot_preview1 witx, `subscription`):
//   @0  u64 userdata        copied to the event
//   @8  u8  tag             EVENTTYPE_*
//   @16 u32 fd              fd_read / fd_write
//   @16 u32 clock id        clock
//   @24 u64 timeout (ns)    clock
//   @32 u64 precision (ns)  clock
//   @40 u16 flags           clock: 0 relative, 1 absolute
// poll_oneoff event, 32 bytes: u64 userdata @0, u16 error @8, u8 type @10,
//   u64 nbytes @16, u16 flags @24.
@inline const SUBSCRIPTION_SIZE: usize = 48;
@inline const EVENT_SIZE: usize = 32;
const SUBS: usize = memory.data(2 * <i32>SUBSCRIPTION_SIZE, 8);
const EVENTS: usize = memory.data(2 * <i32>EVENT_SIZE, 8);
const OUT_NEVENTS: usize = memory.data(4, 4);

/**
 * Waits until fd is writable or timeout_ns passes: poll_oneoff with an fd_write
 * subscription and a relative monotonic clock.
 */
function wait_writable(fd: u32, timeout_ns: u64): void {
  memory.fill(SUBS, 0, 2 * SUBSCRIPTION_SIZE);
  memory.fill(EVENTS, 0, 2 * EVENT_SIZE);
  store<u32>(OUT_NEVENTS, 0);

  const w = SUBS;
  store<u64>(w, 1, 0);
  store<u8>(w, EVENTTYPE_FD_WRITE, 8);
  store<u32>(w, fd, 16);

  const c = SUBS + SUBSCRIPTION_SIZE;
  store<u64>(c, 2, 0);
  store<u8>(c, EVENTTYPE_CLOCK, 8);
  store<u32>(c, CLOCKID_MONOTONIC, 16);
  store<u64>(c, timeout_ns, 24);
  store<u64>(c, 0, 32); // precision
  store<u16>(c, 0, 40); // relative

  const err = poll_oneoff(SUBS, EVENTS, 2, OUT_NEVENTS);
  if (err != Errno.SUCCESS) fail("poll_oneoff", err);
  const nevents = load<u32>(OUT_NEVENTS);
  if (nevents == 0 || nevents > 2) fail_result("poll_oneoff", "nevents", nevents);
}

// ========================================================================
// Arguments
// ========================================================================

let argc: u32 = 0;
let argv: usize = 0; // argc u32 pointers to NUL-terminated strings

/** Reads the arguments into the heap. */
function load_args(): void {
  const sizes = memory.data(8, 4); // argc @0, argv_buf_size @4
  let err = args_sizes_get(sizes, sizes + 4);
  if (err != Errno.SUCCESS) fail("args_sizes_get", err);
  argc = load<u32>(sizes, 0);
  const buf_size = load<u32>(sizes, 4);
  argv = heap.alloc(<usize>argc * 4);
  const buf = heap.alloc(<usize>buf_size + 1);
  err = args_get(argv, buf);
  if (err != Errno.SUCCESS) fail("args_get", err);
}

/** Argument i (0 = the program name), a pointer to a NUL-terminated string. */
function arg(i: u32): usize {
  return <usize>load<u32>(argv + <usize>i * 4);
}

function c_strlen(s: usize): u32 {
  let n: u32 = 0;
  while (load<u8>(s + n) != 0) n++;
  return n;
}

/** Whether the NUL-terminated s is exactly the ASCII string lit. */
function c_equals(s: usize, lit: string): bool {
  const n = lit.length;
  for (let i = 0; i < n; i++) {
    if (<i32>load<u8>(s + i) != lit.charCodeAt(i)) return false;
  }
  return load<u8>(s + n) == 0;
}

/** A decimal number in [min, max], or usage(). */
function parse_uint(s: usize, min: u32, max: u32): u32 {
  let v: u64 = 0;
  if (load<u8>(s) == 0) usage();
  for (; load<u8>(s) != 0; s++) {
    const c = load<u8>(s);
    if (c < 0x30 || c > 0x39) usage();
    v = v * 10 + <u64>(c - 0x30);
    if (v > <u64>max) usage();
  }
  if (v < <u64>min) usage();
  return <u32>v;
}

function parse_family(s: usize): u32 {
  if (c_equals(s, "4")) return 4;
  if (c_equals(s, "6")) return 6;
  usage();
  return 0; // not reached: usage() exits
}

function parse_port(s: usize): u32 {
  return parse_uint(s, 1, 65535);
}

// ========================================================================
// Commands: streams
// ========================================================================

@inline const CHUNK: u32 = 4096;
const chunk: usize = memory.data(<i32>CHUNK);

function cmd_echo_server(args: u32): void {
  const family = parse_family(arg(args));
  const fd = open_sock(family, We.SOCK_STREAM);

  const one = memory.data(4, 4);
  store<i32>(one, 1);
  let err = sock_setsockopt(fd, We.SOL_SOCKET, We.SO_REUSEADDR, one, 4);
  if (err != Errno.SUCCESS) fail("sock_setsockopt", err);
  bind_loopback(fd, family, 0);
  listen_sock(fd, 16);
  put("listening "); put_u64(local_port(fd, family)); end_line();

  store<u32>(OUT_FD, 0);
  if (family == 4) err = sock_accept_v1(fd, OUT_FD);
  else err = sock_accept_v2(fd, 0, OUT_FD);
  if (err != Errno.SUCCESS) fail("sock_accept", err);
  const conn = load<u32>(OUT_FD);

  let total: u64 = 0;
  for (;;) {
    const n = recv_some(conn, chunk, CHUNK);
    if (n == 0) break;
    send_all(conn, chunk, n);
    total += n;
  }
  put("echoed "); put_u64(total); end_line();

  close_fd(conn);
  close_fd(fd);
}

function cmd_client(args: u32): void {
  const family = parse_family(arg(args));
  const port = parse_port(arg(args + 1));
  const message = arg(args + 2);

  const fd = open_sock(family, We.SOCK_STREAM);
  connect_loopback(fd, family, port);
  send_all(fd, message, c_strlen(message));
  const err = sock_shutdown(fd, We.SHUT_WR);
  if (err != Errno.SUCCESS) fail("sock_shutdown", err);

  // Gather the reply until the server closes its side.
  let cap: u32 = CHUNK;
  let text = heap.alloc(cap);
  let len: u32 = 0;
  for (;;) {
    const n = recv_some(fd, chunk, CHUNK);
    if (n == 0) break;
    if (len + n > cap || len + n < len) {
      if (cap > 0x40000000) fail("realloc", Errno.NOMEM);
      while (cap < len + n) cap *= 2;
      text = heap.realloc(text, cap);
    }
    memory.copy(text + len, chunk, n);
    len += n;
  }
  say_bytes("received ", text, len, "");
  close_fd(fd);
}

// ========================================================================
// Command: options
// ========================================================================

@inline const ABI_WASMEDGE: u32 = 0;
@inline const ABI_SOCKBOX: u32 = 1;

function abi_name(abi: u32): string {
  return abi == ABI_WASMEDGE ? "wasmedge" : "sockbox";
}

/** One option under both ABIs. we_name is We.NONE where WasmEdge has no name. */
class Option {
  name: string;
  we_name: u32; // level is always We.SOL_SOCKET
  sb_level: u32; // Linux numbering
  sb_name: u32;

  constructor(name: string, we_name: u32, sb_level: u32, sb_name: u32) {
    this.name = name;
    this.we_name = we_name;
    this.sb_level = sb_level;
    this.sb_name = sb_name;
  }
}

const OPT_ACCEPTCONN = new Option("SO_ACCEPTCONN", We.SO_ACCEPTCONN, Sb.SOL_SOCKET, Sb.SO_ACCEPTCONN);
const OPT_ERROR = new Option("SO_ERROR", We.SO_ERROR, Sb.SOL_SOCKET, Sb.SO_ERROR);
const OPT_KEEPALIVE = new Option("SO_KEEPALIVE", We.SO_KEEPALIVE, Sb.SOL_SOCKET, Sb.SO_KEEPALIVE);
const OPT_TYPE = new Option("SO_TYPE", We.SO_TYPE, Sb.SOL_SOCKET, Sb.SO_TYPE);
const OPT_REUSEADDR = new Option("SO_REUSEADDR", We.SO_REUSEADDR, Sb.SOL_SOCKET, Sb.SO_REUSEADDR);
const OPT_LINGER = new Option("SO_LINGER", We.SO_LINGER, Sb.SOL_SOCKET, Sb.SO_LINGER);
const OPT_RCVTIMEO = new Option("SO_RCVTIMEO", We.SO_RCVTIMEO, Sb.SOL_SOCKET, Sb.SO_RCVTIMEO);
const OPT_HDRINCL = new Option("IP_HDRINCL", We.NONE, Sb.IPPROTO_IP, Sb.IP_HDRINCL);
const OPT_RECVDSTADDR = new Option("IP_RECVDSTADDR", We.NONE, Sb.IPPROTO_IP, Sb.IP_RECVDSTADDR);
const OPT_TOS = new Option("IP_TOS", We.NONE, Sb.IPPROTO_IP, Sb.IP_TOS);
const OPT_TTL = new Option("IP_TTL", We.NONE, Sb.IPPROTO_IP, Sb.IP_TTL);
const OPT_V6ONLY = new Option("IPV6_V6ONLY", We.NONE, Sb.IPPROTO_IPV6, Sb.IPV6_V6ONLY);

// Value layouts, the same in both ABIs (DESIGN.md "Guest ABI"):
//   int     4 bytes:  i32 @0
//   linger  8 bytes:  i32 onoff @0, i32 secs @4
//   timeval 16 bytes: i64 sec @0, i64 usec @8
@inline const KIND_INT: u32 = 0;
@inline const KIND_LINGER: u32 = 1;
@inline const KIND_TIMEVAL: u32 = 2;

const VALUE: usize = memory.data(16, 8); // a value read
const SET_VALUE: usize = memory.data(16, 8); // a value to set

function get_opt(abi: u32, fd: u32, o: Option, buf: usize, len_ptr: usize): Errno {
  if (abi == ABI_WASMEDGE) {
    if (o.we_name == We.NONE) fail_result(o.name, "no-wasmedge-name", 0);
    return sock_getsockopt(fd, We.SOL_SOCKET, o.we_name, buf, len_ptr);
  }
  return sb_getsockopt(fd, o.sb_level, o.sb_name, buf, len_ptr);
}

/** Reads an option and prints "<abi> <NAME> <result>". */
function show(abi: u32, fd: u32, o: Option, kind: u32): void {
  memory.fill(VALUE, 0, 16);
  store<u32>(OUT_LEN, kind == KIND_INT ? 4 : kind == KIND_LINGER ? 8 : 16);
  const err = get_opt(abi, fd, o, VALUE, OUT_LEN);
  put(abi_name(abi)); put(" "); put(o.name);
  if (err != Errno.SUCCESS) {
    put(" errno="); put_u64(err);
  } else if (kind == KIND_INT) {
    put(" value="); put_i64(load<i32>(VALUE));
  } else if (kind == KIND_LINGER) {
    put(" linger="); put_i64(load<i32>(VALUE, 0)); put(","); put_i64(load<i32>(VALUE, 4));
  } else {
    put(" timeval="); put_i64(load<i64>(VALUE, 0)); put(","); put_i64(load<i64>(VALUE, 8));
  }
  end_line();
}

function show_both(fd: u32, o: Option, kind: u32): void {
  show(ABI_WASMEDGE, fd, o, kind);
  show(ABI_SOCKBOX, fd, o, kind);
}

/** Sets an option and prints "<abi> set <NAME> errno=<n>". */
function set_opt(abi: u32, fd: u32, o: Option, val: usize, len: u32): void {
  let err: Errno;
  if (abi == ABI_WASMEDGE) {
    if (o.we_name == We.NONE) fail_result(o.name, "no-wasmedge-name", 0);
    err = sock_setsockopt(fd, We.SOL_SOCKET, o.we_name, val, len);
  } else {
    err = sb_setsockopt(fd, o.sb_level, o.sb_name, val, len);
  }
  put(abi_name(abi)); put(" set "); put(o.name); put(" errno="); put_u64(err); end_line();
}

function set_int(abi: u32, fd: u32, o: Option, value: i32): void {
  store<i32>(SET_VALUE, value);
  set_opt(abi, fd, o, SET_VALUE, 4);
}

/** Step 2: a non-blocking connect to a closed port, then SO_ERROR twice. */
function refused_connect(abi: u32, family: u32): void {
  const port = closed_port(family);
  const c = open_sock(family, We.SOCK_STREAM);
  set_nonblocking(c);

  addr_loopback(ADDR, family);
  const err = sock_connect(c, ADDR, port);
  put(abi_name(abi)); put(" connect errno="); put_u64(err); end_line();
  if (err == Errno.INPROGRESS) wait_writable(c, 5000000000);

  show(abi, c, OPT_ERROR, KIND_INT); // the pending error; reading clears it
  show(abi, c, OPT_ERROR, KIND_INT); // now 0
  close_fd(c);
}

function cmd_options(args: u32): void {
  const family = parse_family(arg(args));
  const type_arg = arg(args + 1);
  let socktype: u32 = 0;
  if (c_equals(type_arg, "stream")) socktype = We.SOCK_STREAM;
  else if (c_equals(type_arg, "dgram")) socktype = We.SOCK_DGRAM;
  else usage();
  const stream = socktype == We.SOCK_STREAM;

  const s = open_sock(family, socktype);

  // 1. SO_ACCEPTCONN, before and (stream) after listen.
  show_both(s, OPT_ACCEPTCONN, KIND_INT);
  if (stream) {
    bind_loopback(s, family, 0);
    listen_sock(s, 4);
    show_both(s, OPT_ACCEPTCONN, KIND_INT);
  }

  // 2. SO_ERROR after a refused connect, once per ABI.
  if (stream) {
    refused_connect(ABI_WASMEDGE, family);
    refused_connect(ABI_SOCKBOX, family);
  }

  // 3. SO_KEEPALIVE.
  show_both(s, OPT_KEEPALIVE, KIND_INT);
  set_int(ABI_WASMEDGE, s, OPT_KEEPALIVE, 1);
  show_both(s, OPT_KEEPALIVE, KIND_INT);

  // 4. SO_TYPE: WasmEdge numbering (STREAM 2) vs Linux numbering (STREAM 1).
  show_both(s, OPT_TYPE, KIND_INT);

  // 5. IP_HDRINCL: readable, setting refused by policy.
  show(ABI_SOCKBOX, s, OPT_HDRINCL, KIND_INT);
  set_int(ABI_SOCKBOX, s, OPT_HDRINCL, 1);

  // 6. IP_RECVDSTADDR: BSD only, so ENOPROTOOPT on Linux.
  show(ABI_SOCKBOX, s, OPT_RECVDSTADDR, KIND_INT);

  // 7. IP_TOS.
  set_int(ABI_SOCKBOX, s, OPT_TOS, 0x10);
  show(ABI_SOCKBOX, s, OPT_TOS, KIND_INT);

  // 8. IP_TTL.
  show(ABI_SOCKBOX, s, OPT_TTL, KIND_INT);

  // 9. SO_REUSEADDR on a new socket of the same kind.
  const r = open_sock(family, socktype);
  show_both(r, OPT_REUSEADDR, KIND_INT);
  set_int(ABI_WASMEDGE, r, OPT_REUSEADDR, 1);
  show_both(r, OPT_REUSEADDR, KIND_INT);
  close_fd(r);

  // 10. SO_LINGER {onoff 1, secs 5}.
  store<i32>(SET_VALUE, 1, 0);
  store<i32>(SET_VALUE, 5, 4);
  set_opt(ABI_WASMEDGE, s, OPT_LINGER, SET_VALUE, 8);
  show_both(s, OPT_LINGER, KIND_LINGER);

  // 11. SO_RCVTIMEO {sec 2, usec 500000}.
  store<i64>(SET_VALUE, 2, 0);
  store<i64>(SET_VALUE, 500000, 8);
  set_opt(ABI_WASMEDGE, s, OPT_RCVTIMEO, SET_VALUE, 16);
  show_both(s, OPT_RCVTIMEO, KIND_TIMEVAL);

  // 12. IPV6_V6ONLY.
  if (family == 6) show(ABI_SOCKBOX, s, OPT_V6ONLY, KIND_INT);

  close_fd(s);
}

// ========================================================================
// Command: getsockopt-loop (benchmark)
// ========================================================================

function now_ns(): u64 {
  const t = memory.data(8, 8);
  store<u64>(t, 0);
  const err = clock_time_get(CLOCKID_MONOTONIC, 1, t);
  if (err != Errno.SUCCESS) fail("clock_time_get", err);
  return load<u64>(t);
}

function cmd_getsockopt_loop(args: u32): void {
  const n = parse_uint(arg(args), 1, 1000000000);
  const fd = open_sock(4, We.SOCK_DGRAM);
  let err: Errno;

  let t0 = now_ns();
  for (let i: u32 = 0; i < n; i++) {
    store<u32>(OUT_LEN, 4);
    err = sock_getsockopt(fd, We.SOL_SOCKET, We.SO_RCVBUF, VALUE, OUT_LEN);
    if (err != Errno.SUCCESS) fail("sock_getsockopt", err);
  }
  let t1 = now_ns();
  put("wasmedge "); put_u64((t1 - t0) / n); end_line();

  t0 = now_ns();
  for (let i: u32 = 0; i < n; i++) {
    store<u32>(OUT_LEN, 4);
    err = sb_getsockopt(fd, Sb.SOL_SOCKET, Sb.SO_RCVBUF, VALUE, OUT_LEN);
    if (err != Errno.SUCCESS) fail("getsockopt", err);
  }
  t1 = now_ns();
  put("sockbox "); put_u64((t1 - t0) / n); end_line();

  close_fd(fd);
}

// ========================================================================
// main
// ========================================================================

/** Runs the command in argv[1]; its arguments start at argv[2]. */
function main(): void {
  load_args();
  if (argc < 2) usage();
  const cmd = arg(1);
  const nargs = argc - 2;
  if (c_equals(cmd, "echo-server") && nargs == 1) cmd_echo_server(2);
  else if (c_equals(cmd, "client") && nargs == 3) cmd_client(2);
  else if (c_equals(cmd, "options") && nargs == 2) cmd_options(2);
  else if (c_equals(cmd, "getsockopt-loop") && nargs == 1) cmd_getsockopt_loop(2);
  else usage();
  exit(0);
}

// The module's start function, exported as _start (--exportStart): every global
// above is initialised by now.
main();
