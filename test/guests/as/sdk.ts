// sdk.ts: the test guest of sockbox's AssemblyScript library (guest/assembly). It
// uses nothing but the library (no import of its own), so what it prints is what a
// plugin gets. test/guest-as.test.ts runs it in both runtimes: the committed
// test/guests/sdk-as.wasm (--runtime stub, built by build/guests.mjs) and an
// --runtime incremental build the test compiles.
//
// Commands (argv[1]) and what they print, one item per line:
//
//   tour <4|6> <stream|dgram>   on a fresh socket, every option in TOUR:
//                                 "<NAME> <typed value>" (getBool/getLinger/...; an
//                                 error as "errno=<ENAME>") and, for int and 0,1
//                                 options, "raw <NAME> <getsockopt int>"; then the
//                                 SETS below, one "set <NAME> errno=<n>" each, and
//                                 the typed values again after "after-set".
//   errors                      "<case> errno=<n>" for each error case
//   selftest <4|6>              "ok <check>" or "fail <check> <detail>" for every
//                               method, exit 1 if any failed
//   churn <n>                   n UDP round trips that allocate, then
//                               "pages <memory pages>"
//   server <4|6>                "listening <port>", then after a connection
//                               "peer <host> <port>", echoes each received line
//                               upper-cased until EOF, "eof <bytes>"
//   client <4|6> <port>         connects, sends "hello from as\n", shuts down its
//                               writing side, "received <text>" once the peer closes
//   udp-client <4|6> <port>     sendto "ping", then "reply <text> from <host> <port>"
// Bad arguments: "usage ..." and exit 2.

import {
  Socket, Address, Errno, PollFd, poll, errnoName, lastErrno, println, args, exit, check,
  AF_INET, AF_INET6, SOCK_STREAM, SOCK_DGRAM, SOL_SOCKET, IPPROTO_IP, IPPROTO_IPV6,
  IPPROTO_TCP, IPPROTO_UDP, SHUT_WR, SHUT_RDWR, MSG_PEEK, MSG_WAITALL, MSG_DONTWAIT,
  POLLIN, POLLOUT,
  SO_TYPE, SO_DOMAIN, SO_PROTOCOL, SO_ACCEPTCONN, SO_RCVBUF, SO_SNDBUF, SO_RCVLOWAT,
  SO_SNDLOWAT, SO_KEEPALIVE, SO_REUSEADDR, SO_REUSEPORT, SO_BROADCAST, SO_OOBINLINE,
  SO_DONTROUTE, SO_LINGER, SO_RCVTIMEO, SO_SNDTIMEO, SO_ERROR, IP_TTL, IP_TOS,
  IP_MULTICAST_TTL, IP_MULTICAST_LOOP, IP_MULTICAST_IF, IP_RECVTOS, IP_HDRINCL,
  IP_RECVDSTADDR, IPV6_V6ONLY, IPV6_UNICAST_HOPS, IPV6_MULTICAST_HOPS, IPV6_TCLASS,
  TCP_NODELAY, TCP_MAXSEG, TCP_KEEPIDLE, TCP_KEEPINTVL, TCP_KEEPCNT, TCP_SYNCNT,
  TCP_CONGESTION, TCP_USER_TIMEOUT, TCP_INFO, UDP_CORK, TCP_ESTABLISHED, TCP_LISTEN,
} from "../../../guest/assembly";

// ── the option tour ────────────────────────────────────────────────────────

// Value kinds, as the catalogue names them.
const INT = 0;
const BOOL = 1;
const LINGER = 2;
const TIMEVAL = 3;
const STRING = 4;
const INADDR = 5;

class Opt {
  constructor(public name: string, public level: i32, public num: i32, public kind: i32) {}
}

const TOUR: Opt[] = [
  new Opt("SO_TYPE", SOL_SOCKET, SO_TYPE, INT),
  new Opt("SO_DOMAIN", SOL_SOCKET, SO_DOMAIN, INT),
  new Opt("SO_PROTOCOL", SOL_SOCKET, SO_PROTOCOL, INT),
  new Opt("SO_ACCEPTCONN", SOL_SOCKET, SO_ACCEPTCONN, BOOL),
  new Opt("SO_RCVBUF", SOL_SOCKET, SO_RCVBUF, INT),
  new Opt("SO_SNDBUF", SOL_SOCKET, SO_SNDBUF, INT),
  new Opt("SO_RCVLOWAT", SOL_SOCKET, SO_RCVLOWAT, INT),
  new Opt("SO_SNDLOWAT", SOL_SOCKET, SO_SNDLOWAT, INT),
  new Opt("SO_KEEPALIVE", SOL_SOCKET, SO_KEEPALIVE, BOOL),
  new Opt("SO_REUSEADDR", SOL_SOCKET, SO_REUSEADDR, BOOL),
  new Opt("SO_REUSEPORT", SOL_SOCKET, SO_REUSEPORT, BOOL),
  new Opt("SO_BROADCAST", SOL_SOCKET, SO_BROADCAST, BOOL),
  new Opt("SO_OOBINLINE", SOL_SOCKET, SO_OOBINLINE, BOOL),
  new Opt("SO_DONTROUTE", SOL_SOCKET, SO_DONTROUTE, BOOL),
  new Opt("SO_ERROR", SOL_SOCKET, SO_ERROR, INT),
  new Opt("SO_LINGER", SOL_SOCKET, SO_LINGER, LINGER),
  new Opt("SO_RCVTIMEO", SOL_SOCKET, SO_RCVTIMEO, TIMEVAL),
  new Opt("SO_SNDTIMEO", SOL_SOCKET, SO_SNDTIMEO, TIMEVAL),
  new Opt("IP_TTL", IPPROTO_IP, IP_TTL, INT),
  new Opt("IP_TOS", IPPROTO_IP, IP_TOS, INT),
  new Opt("IP_RECVTOS", IPPROTO_IP, IP_RECVTOS, BOOL),
  new Opt("IP_MULTICAST_TTL", IPPROTO_IP, IP_MULTICAST_TTL, INT),
  new Opt("IP_MULTICAST_LOOP", IPPROTO_IP, IP_MULTICAST_LOOP, BOOL),
  new Opt("IP_MULTICAST_IF", IPPROTO_IP, IP_MULTICAST_IF, INADDR),
  new Opt("IPV6_V6ONLY", IPPROTO_IPV6, IPV6_V6ONLY, BOOL),
  new Opt("IPV6_UNICAST_HOPS", IPPROTO_IPV6, IPV6_UNICAST_HOPS, INT),
  new Opt("IPV6_MULTICAST_HOPS", IPPROTO_IPV6, IPV6_MULTICAST_HOPS, INT),
  new Opt("IPV6_TCLASS", IPPROTO_IPV6, IPV6_TCLASS, INT),
  new Opt("TCP_NODELAY", IPPROTO_TCP, TCP_NODELAY, BOOL),
  new Opt("TCP_MAXSEG", IPPROTO_TCP, TCP_MAXSEG, INT),
  new Opt("TCP_KEEPIDLE", IPPROTO_TCP, TCP_KEEPIDLE, INT),
  new Opt("TCP_KEEPINTVL", IPPROTO_TCP, TCP_KEEPINTVL, INT),
  new Opt("TCP_KEEPCNT", IPPROTO_TCP, TCP_KEEPCNT, INT),
  new Opt("TCP_SYNCNT", IPPROTO_TCP, TCP_SYNCNT, INT),
  new Opt("TCP_USER_TIMEOUT", IPPROTO_TCP, TCP_USER_TIMEOUT, INT),
  new Opt("TCP_CONGESTION", IPPROTO_TCP, TCP_CONGESTION, STRING),
  new Opt("UDP_CORK", IPPROTO_UDP, UDP_CORK, BOOL),
];

/** The typed value of o, as the test formats the host facade's getOption(). */
function typed(s: Socket, o: Opt): string {
  let v: string;
  if (o.kind == INT) v = s.getInt(o.level, o.num).toString();
  else if (o.kind == BOOL) v = s.getBool(o.level, o.num) ? "true" : "false";
  else if (o.kind == LINGER) {
    const l = s.getLinger();
    v = (l.onoff ? "true" : "false") + "," + l.seconds.toString();
  } else if (o.kind == TIMEVAL) {
    const t = s.getTimeval(o.level, o.num);
    v = t.sec.toString() + "," + t.usec.toString();
  } else if (o.kind == STRING) v = s.getString(o.level, o.num);
  else v = s.getInAddr(o.level, o.num);
  return s.errno != 0 ? "errno=" + errnoName(s.errno) : v;
}

function showAll(s: Socket): void {
  for (let i = 0; i < TOUR.length; i++) {
    const o = TOUR[i];
    println(o.name + " " + typed(s, o));
    if (o.kind == INT || o.kind == BOOL) {
      const raw = s.getsockopt(o.level, o.num);
      println("raw " + o.name + " " + (s.errno != 0 ? "errno=" + errnoName(s.errno) : raw.toString()));
    }
  }
}

function cmdTour(family: i32, type: i32): void {
  const s = new Socket(family, type);
  check(s.errno, "socket");
  showAll(s);
  // The same sets as the test makes on its facade socket.
  println("set SO_KEEPALIVE errno=" + s.setBool(SOL_SOCKET, SO_KEEPALIVE, true).toString());
  println("set SO_RCVBUF errno=" + s.setInt(SOL_SOCKET, SO_RCVBUF, 65536).toString());
  println("set SO_LINGER errno=" + s.setLinger(true, 5).toString());
  println("set SO_RCVTIMEO errno=" + s.setTimeval(SOL_SOCKET, SO_RCVTIMEO, 2, 500000).toString());
  println("set IP_TOS errno=" + s.setsockopt(IPPROTO_IP, IP_TOS, 0x10).toString());
  println("set IP_MULTICAST_IF errno=" + s.setInAddr(IPPROTO_IP, IP_MULTICAST_IF, "127.0.0.1").toString());
  if (type == SOCK_STREAM) {
    println("set TCP_NODELAY errno=" + s.setBool(IPPROTO_TCP, TCP_NODELAY, true).toString());
    println("set TCP_KEEPIDLE errno=" + s.setInt(IPPROTO_TCP, TCP_KEEPIDLE, 77).toString());
    println("set TCP_CONGESTION errno=" + s.setString(IPPROTO_TCP, TCP_CONGESTION, "reno").toString());
  }
  println("after-set");
  showAll(s);
  // The bytes form: SO_RCVBUF's 4 bytes, and IP_TTL asked with 1 byte (Linux answers 1).
  const b = s.getsockoptBytes(SOL_SOCKET, SO_RCVBUF, 4);
  println("bytes SO_RCVBUF " + hex(b));
  const t = s.getsockoptBytes(IPPROTO_IP, IP_TTL, 1);
  println("bytes IP_TTL " + hex(t));
  s.close();
}

function hex(b: Uint8Array): string {
  let out = "";
  for (let i = 0; i < b.length; i++) {
    const v = b[i];
    out += (v < 16 ? "0" : "") + v.toString(16);
  }
  return out;
}

// ── errors ─────────────────────────────────────────────────────────────────

function say(what: string, err: Errno): void {
  println(what + " errno=" + err.toString());
}

/** A loopback port of the family with nothing listening. */
function closedPort(family: i32): u16 {
  const s = new Socket(family, SOCK_STREAM);
  s.bind(family == AF_INET6 ? "::1" : "127.0.0.1", 0);
  const port = s.getsockname().port;
  s.close();
  return port;
}

function cmdErrors(): void {
  // Connects: nothing listening (CONNREFUSED 14), a loopback address not granted
  // (NOTCAPABLE 76: the test grants connect to 127.0.0.1 only), not an address (INVAL).
  const port = closedPort(AF_INET);
  const c = new Socket(AF_INET, SOCK_STREAM);
  say("connect-refused", c.connect("127.0.0.1", port));
  const c6 = new Socket(AF_INET6, SOCK_STREAM);
  say("connect-not-granted", c6.connect("::1", port));
  say("connect-bad-host", c.connect("example.com", 80));
  // A non-blocking connect to the closed port: INPROGRESS, then the error by poll.
  const nb = new Socket(AF_INET, SOCK_STREAM);
  nb.setblocking(false);
  say("connect-nonblocking", nb.connect("127.0.0.1", port));
  const rev = nb.poll(POLLOUT, 5000);
  println("poll-after-refused " + ((rev & POLLOUT) != 0 ? "writable" : rev.toString()));
  say("pending-error", nb.pendingError());
  say("pending-error-again", nb.pendingError());
  const nb2 = new Socket(AF_INET, SOCK_STREAM);
  nb2.setblocking(false);
  nb2.connect("127.0.0.1", port);
  nb2.poll(POLLOUT, 5000);
  println("so-error-linux " + nb2.getsockopt(SOL_SOCKET, SO_ERROR).toString());
  // Binds: a port the policy does not grant (the test grants port 0 only).
  const b = new Socket(AF_INET, SOCK_STREAM);
  say("bind-not-granted", b.bind("127.0.0.1", 1));
  say("bind-bad-host", b.bind("300.1.2.3", 0));
  // Options.
  const o = new Socket(AF_INET, SOCK_DGRAM);
  o.getsockopt(SOL_SOCKET, 9999);
  say("getsockopt-unknown", o.errno);
  o.getsockopt(IPPROTO_IP, IP_RECVDSTADDR);
  say("getsockopt-bsd-only", o.errno);
  say("setsockopt-refused", o.setsockopt(IPPROTO_IP, IP_HDRINCL, 1));
  const two = new Uint8Array(2);
  say("setsockopt-short", o.setsockoptBytes(SOL_SOCKET, SO_KEEPALIVE, two));
  o.getsockoptBytes(SOL_SOCKET, SO_RCVBUF, 0);
  say("getsockopt-buflen-0", o.errno);
  o.getsockoptBytes(SOL_SOCKET, SO_RCVBUF, 1025);
  say("getsockopt-buflen-1025", o.errno);
  o.getLinger();
  say("getlinger-ok", o.errno);
  say("setinaddr-bad", o.setInAddr(IPPROTO_IP, IP_MULTICAST_IF, "::1"));
  // Socket states.
  const t = new Socket(AF_INET, SOCK_STREAM);
  t.recv(10);
  say("recv-not-connected", t.errno);
  t.getpeername();
  say("getpeername-not-connected", t.errno);
  say("shutdown-bad-how", t.shutdown(7));
  t.send("x", 0x1); // MSG_OOB
  say("send-bad-flag", t.errno);
  const l = new Socket(AF_INET, SOCK_STREAM);
  l.bind("127.0.0.1", 0);
  l.listen(1);
  l.setblocking(false);
  const none = l.accept();
  say("accept-nonblocking", l.errno);
  println("accept-result-fd " + none.fd.toString() + " errno=" + none.errno.toString());
  // Closed sockets: BADF without asking the host; a second close is fine.
  say("close", l.close());
  say("close-again", l.close());
  l.getsockopt(SOL_SOCKET, SO_TYPE);
  say("getsockopt-closed", l.errno);
  println("send-closed " + l.send("x").toString() + " errno=" + l.errno.toString());
  say("listen-closed", l.listen(1));
  say("last-errno", lastErrno());
  // Families and types the sandbox does not offer.
  say("open-unix", new Socket(1, SOCK_STREAM).errno);
  say("open-raw", new Socket(AF_INET, 3).errno);
  say("open-bad-proto", new Socket(AF_INET, SOCK_STREAM, IPPROTO_UDP).errno);
  const w = Socket.fromFd(1); // stdout
  say("fromfd-stdout", w.errno);
}

// ── selftest ───────────────────────────────────────────────────────────────

let failures = 0;

function ok(name: string, cond: bool, detail: string = ""): void {
  if (cond) println("ok " + name);
  else {
    println("fail " + name + " " + detail);
    failures++;
  }
}

function text(b: Uint8Array): string {
  return String.UTF8.decodeUnsafe(b.dataStart, b.length);
}

function cmdSelftest(family: i32): void {
  const lo = family == AF_INET6 ? "::1" : "127.0.0.1";

  // ── TCP: listener, non-blocking connect, poll, accept ──
  const l = Socket.open(family, SOCK_STREAM);
  ok("open", l.errno == 0 && l.fd >= 0, l.errno.toString());
  ok("setsockopt", l.setBool(SOL_SOCKET, SO_REUSEADDR, true) == 0);
  ok("bind", l.bind(lo, 0) == 0, l.errno.toString());
  ok("listen", l.listen(4) == 0);
  const la = l.getsockname();
  ok("getsockname", la.family == family && la.host == lo && la.port != 0, la.toString());
  ok("acceptconn", l.getBool(SOL_SOCKET, SO_ACCEPTCONN));
  ok("tcpinfo-listen", l.getTcpInfo().state == TCP_LISTEN);

  const c = new Socket(family, SOCK_STREAM);
  ok("setblocking-false", c.setblocking(false) == 0 && !c.getblocking());
  const ce = c.connect("localhost", la.port);
  ok("connect-nonblocking", ce == 0 || ce == Errno.INPROGRESS, ce.toString());
  const cw = c.poll(POLLOUT, 5000);
  ok("poll-writable", (cw & POLLOUT) != 0, cw.toString());
  ok("pending-error", c.pendingError() == 0 && c.errno == 0);
  ok("setblocking-true", c.setblocking(true) == 0 && c.getblocking());
  ok("listener-readable", (l.poll(POLLIN, 5000) & POLLIN) != 0);
  const a = l.accept();
  ok("accept", a.errno == 0 && a.fd >= 0 && l.errno == 0, a.errno.toString());
  ok("accept-family", a.family == family && a.type == SOCK_STREAM);
  const peer = a.getpeername();
  const mine = c.getsockname();
  ok("getpeername", peer.host == mine.host && peer.port == mine.port && peer.family == family,
    peer.toString() + " vs " + mine.toString());
  ok("tcpinfo-established", a.getTcpInfo().state == TCP_ESTABLISHED && a.getTcpInfo().length >= 104);

  // ── data: string (UTF-8), peek, waitall, recvInto, big buffers, dontwait ──
  const msg = "héllo wörld ✓"; // 2- and 3-byte UTF-8
  const sent = c.send(msg);
  ok("send-string", sent == String.UTF8.byteLength(msg), sent.toString());
  const peek = a.recv(5, MSG_PEEK);
  ok("recv-peek", text(peek) == "héll", text(peek));
  const all = a.recv(sent, MSG_WAITALL);
  ok("recv-waitall", text(all) == msg, text(all));
  const bytes = new Uint8Array(20000); // larger than the library's staging buffer
  for (let i = 0; i < bytes.length; i++) bytes[i] = <u8>(i * 7);
  ok("sendall-bytes", c.sendAll(bytes) == 0);
  const big = a.recv(20000, MSG_WAITALL);
  let same = big.length == 20000;
  for (let i = 0; same && i < big.length; i++) same = big[i] == <u8>(i * 7);
  ok("recv-big", same, big.length.toString());
  ok("sendall-string", c.sendall("abc") == 0);
  const into = new Uint8Array(16);
  const n = a.recvInto(into);
  ok("recvinto", n == 3 && into[0] == 0x61 && into[2] == 0x63, n.toString());
  const dw = a.recv(10, MSG_DONTWAIT);
  ok("recv-dontwait", dw.length == 0 && a.errno == Errno.AGAIN && a.getblocking(), a.errno.toString());
  const ab = new ArrayBuffer(2);
  const sa: StaticArray<u8> = [1, 2];
  const arr: u8[] = [3];
  ok("send-kinds", c.send(ab) == 2 && c.send(sa) == 2 && c.send(arr) == 1);
  ok("recv-kinds", a.recv(5, MSG_WAITALL).length == 5);

  // ── wrapping an fd, detach ──
  const w = Socket.fromFd(a.fd);
  ok("fromfd", w.errno == 0 && w.family == family && w.type == SOCK_STREAM, w.errno.toString());
  ok("detach", w.detach() == a.fd && w.fd == -1);

  // ── shutdown, EOF, close ──
  ok("shutdown", a.shutdown(SHUT_WR) == 0);
  const eof = c.recv(100);
  ok("recv-eof", eof.length == 0 && c.errno == 0, c.errno.toString());
  ok("close", a.close() == 0 && c.close() == 0 && l.close() == 0 && a.fd == -1 && a.fileno() == -1);
  ok("closed-badf", a.send("x") == -1 && a.errno == Errno.BADF);

  // ── UDP: sendto/recvfrom, truncation, recvfromInto, connected UDP, poll() ──
  const u1 = new Socket(family, SOCK_DGRAM);
  const u2 = new Socket(family, SOCK_DGRAM);
  ok("udp-bind", u1.bind(lo, 0) == 0 && u2.bind(lo, 0) == 0);
  const a1 = u1.getsockname();
  const a2 = u2.getsockname();
  ok("udp-sendto", u1.sendto("ping", lo, a2.port) == 4);
  const d = u2.recvfrom(100);
  ok("udp-recvfrom", text(d.data) == "ping" && d.address.port == a1.port && d.address.host == lo && !d.truncated,
    d.address.toString());
  ok("udp-sendto-bytes", u2.sendto(new Uint8Array(10), lo, a1.port) == 10);
  const tr = u1.recvfrom(4);
  ok("udp-truncated", tr.truncated && tr.data.length == 4);
  u2.sendto("xyz", lo, a1.port);
  const from = new Address();
  const buf = new Uint8Array(8);
  const got = u1.recvfromInto(buf, from);
  ok("udp-recvfrominto", got == 3 && from.port == a2.port && from.family == family, from.toString());
  ok("udp-connect", u1.connect(lo, a2.port) == 0 && u1.getpeername().port == a2.port);
  ok("udp-send", u1.send("q") == 1 && text(u2.recv(10)) == "q");
  const set: PollFd[] = [new PollFd(u1, POLLIN), new PollFd(u2, POLLIN)];
  ok("poll-timeout", poll(set, 0) == 0 && set[0].revents == 0 && set[1].revents == 0);
  u1.send("r");
  const ready = poll(set, 5000);
  ok("poll-one-ready", ready == 1 && set[0].revents == 0 && (set[1].revents & POLLIN) != 0,
    ready.toString() + " " + set[1].revents.toString());
  const rw = u1.poll(POLLIN | POLLOUT, 0);
  ok("poll-writable-only", rw == POLLOUT, rw.toString());
  ok("udp-close", u1.close() == 0 && u2.close() == 0);

  if (failures > 0) exit(1);
}

// ── churn: allocation in a loop ────────────────────────────────────────────

function cmdChurn(count: i32): void {
  const a = new Socket(AF_INET, SOCK_DGRAM);
  const b = new Socket(AF_INET, SOCK_DGRAM);
  a.bind("127.0.0.1", 0);
  b.bind("127.0.0.1", 0);
  const port = b.getsockname().port;
  for (let i = 0; i < count; i++) {
    a.sendto("message " + i.toString(), "127.0.0.1", port);
    const d = b.recvfrom(1000);
    if (d.data.length == 0) { println("churn failed at " + i.toString()); exit(1); }
  }
  println("pages " + memory.size().toString());
}

// ── for host peers ─────────────────────────────────────────────────────────

function cmdServer(family: i32): void {
  const l = new Socket(family, SOCK_STREAM);
  check(l.bind(family == AF_INET6 ? "::1" : "127.0.0.1", 0), "bind");
  check(l.listen(), "listen");
  println("listening " + l.getsockname().port.toString());
  const c = l.accept();
  check(c.errno, "accept");
  const peer = c.getpeername();
  println("peer " + peer.host + " " + peer.port.toString());
  let total = 0;
  const buf = new Uint8Array(4096);
  for (;;) {
    const n = c.recvInto(buf);
    check(c.errno, "recv");
    if (n == 0) break;
    total += n;
    const up = String.UTF8.decodeUnsafe(buf.dataStart, n).toUpperCase();
    check(c.sendAll(up), "send");
  }
  println("eof " + total.toString());
  c.close();
  l.close();
}

function cmdClient(family: i32, port: u16): void {
  const s = new Socket(family, SOCK_STREAM);
  check(s.connect(family == AF_INET6 ? "::1" : "127.0.0.1", port), "connect");
  check(s.sendAll("hello from as\n"), "send");
  check(s.shutdown(SHUT_WR), "shutdown");
  let got = "";
  for (;;) {
    const d = s.recv(4096);
    check(s.errno, "recv");
    if (d.length == 0) break;
    got += text(d);
  }
  println("received " + got);
  s.shutdown(SHUT_RDWR);
  s.close();
}

function cmdUdpClient(family: i32, port: u16): void {
  const s = new Socket(family, SOCK_DGRAM);
  const host = family == AF_INET6 ? "::1" : "127.0.0.1";
  if (s.sendto("ping", host, port) < 0) check(s.errno, "sendto");
  const d = s.recvfrom(1000);
  check(s.errno, "recvfrom");
  println("reply " + text(d.data) + " from " + d.address.host + " " + d.address.port.toString());
  s.close();
}

// ── main ───────────────────────────────────────────────────────────────────

function usage(): void {
  println("usage: sdk-as tour <4|6> <stream|dgram> | errors | selftest <4|6> | churn <n>" +
    " | server <4|6> | client <4|6> <port> | udp-client <4|6> <port>");
  exit(2);
}

function family(s: string): i32 {
  if (s == "4") return AF_INET;
  if (s == "6") return AF_INET6;
  usage();
  return 0;
}

function port(s: string): u16 {
  const v = I32.parseInt(s);
  if (!(v >= 1 && v <= 65535)) usage();
  return <u16>v;
}

const argv = args();
if (argv.length < 2) usage();
const cmd = argv[1];
const n = argv.length - 2;
if (cmd == "tour" && n == 2) {
  const t = argv[3];
  if (t != "stream" && t != "dgram") usage();
  cmdTour(family(argv[2]), t == "stream" ? SOCK_STREAM : SOCK_DGRAM);
} else if (cmd == "errors" && n == 0) cmdErrors();
else if (cmd == "selftest" && n == 1) cmdSelftest(family(argv[2]));
else if (cmd == "churn" && n == 1) cmdChurn(I32.parseInt(argv[2]));
else if (cmd == "server" && n == 1) cmdServer(family(argv[2]));
else if (cmd == "client" && n == 2) cmdClient(family(argv[2]), port(argv[3]));
else if (cmd == "udp-client" && n == 2) cmdUdpClient(family(argv[2]), port(argv[3]));
else usage();
