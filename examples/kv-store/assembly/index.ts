// kv-store: a line-oriented TCP key-value server, an AssemblyScript plugin on
// sockbox's AssemblyScript library (guest/assembly). One thread, poll() over the
// listening socket and every client; a few socket options set and read back.
//
//     kv-store [PORT [HOST]]        PORT 0: an ephemeral port; HOST default 127.0.0.1
//
// Commands, one per line ("\n" or "\r\n"), each answered with one line:
//   SET key value...   OK                      GET key   VALUE value | NOT_FOUND
//   DEL key            DELETED | NOT_FOUND     KEYS      KEYS k1 k2 ... (sorted)
//   INFO               this connection's TCP_INFO and options, as name=value pairs
//   QUIT               BYE, and the server closes this connection
//   SHUTDOWN           BYE, and the server exits 0
// anything else: "ERROR unknown command"; a line over 4096 bytes: "ERROR line too
// long" and the connection is closed.
//
// It prints what it does: "listening on HOST:PORT", the listener's options, a line
// per client that comes ("client ADDR connected (options)") and goes ("client ADDR
// closed after N commands"), and a summary when shut down.
//
// Build (node build/as-examples.mjs does this) and run:
//     npx asc examples/kv-store/assembly/index.ts -o examples/kv-store/kv-store.wasm \
//         -O3 --runtime incremental --exportStart _start \
//         --use abort=guest/assembly/io/sockboxAbort
//     npx sockbox run examples/kv-store/kv-store.wasm --allow-bind 127.0.0.1:7070 -- 7070
// and talk to it from another terminal: nc 127.0.0.1 7070
// (--runtime incremental: the server allocates per request and runs for long, so it
// wants a garbage collector; the stub runtime would never free.)

import {
  Socket, PollFd, poll, Errno, errnoName, lastErrno, print, println, eprintln, args, exit, check,
  AF_INET, AF_INET6, SOCK_STREAM, SOL_SOCKET, IPPROTO_TCP, POLLIN, POLLHUP, POLLERR,
  SO_REUSEADDR, SO_RCVBUF, SO_ACCEPTCONN, SO_KEEPALIVE, TCP_NODELAY, TCP_KEEPIDLE,
  TCP_CONGESTION, parseIPv6,
} from "../../../guest/assembly";

/** The most clients served at once; more wait in the listen backlog. */
const MAX_CLIENTS = 64;
/** The longest command line, in bytes. */
const LINE_MAX = 4096;

/** A connected client: its socket, its address text, and its unfinished line. */
class Client {
  buf: Uint8Array = new Uint8Array(LINE_MAX);
  len: i32 = 0;
  commands: i32 = 0;
  constructor(public sock: Socket, public peer: string) {}
}

const store = new Map<string, string>();
const clients: Client[] = [];
// pollSet[0] is the listener; pollSet[i + 1] is clients[i].
const pollSet: PollFd[] = [];
const chunk = new Uint8Array(4096);
let served = 0;
let running = true;

// ── arguments ──────────────────────────────────────────────────────────────

const argv = args();
if (argv.length > 3) {
  eprintln("usage: kv-store [PORT [HOST]]");
  exit(2);
}
let port: i32 = 7070;
if (argv.length > 1) {
  const text = argv[1];
  port = text.length > 0 && text.length <= 5 ? 0 : -1;
  for (let i = 0; i < text.length && port >= 0; i++) {
    const d = text.charCodeAt(i) - 0x30;
    port = d >= 0 && d <= 9 ? port * 10 + d : -1;
  }
  if (port < 0 || port > 65535) {
    eprintln("kv-store: bad port '" + text + "' (0-65535)");
    exit(2);
  }
}
const host = argv.length > 2 ? argv[2] : "127.0.0.1";

// ── the listener ───────────────────────────────────────────────────────────

// An IPv6 host gets an IPv6 socket (parseIPv6 just tells the families apart here).
const family = parseIPv6(host, memory.data(16)) ? AF_INET6 : AF_INET;
const listener = new Socket(family, SOCK_STREAM);
check(listener.errno, "socket");
// Restart at once on the same port, without waiting out TIME_WAIT.
check(listener.setBool(SOL_SOCKET, SO_REUSEADDR, true), "setsockopt SO_REUSEADDR");
// Ask for a 256 KiB receive buffer: Linux doubles what it is given (and caps it at
// net.core.rmem_max), so the value read back differs from the one set.
check(listener.setsockopt(SOL_SOCKET, SO_RCVBUF, 262144), "setsockopt SO_RCVBUF");
const bindErr = listener.bind(host, <u16>port);
if (bindErr == Errno.NOTCAPABLE) {
  eprintln("kv-store: the sandbox does not grant binding " + host + ":" + port.toString() +
    " (sockbox run --allow-bind " + (family == AF_INET6 ? "[" + host + "]" : host) + ":" + port.toString() + ")");
  exit(1);
}
check(bindErr, "bind " + host + ":" + port.toString());
check(listener.listen(16), "listen");

println("kv-store listening on " + listener.getsockname().toString());
println("listener: SO_REUSEADDR=" + listener.getBool(SOL_SOCKET, SO_REUSEADDR).toString() +
  " SO_ACCEPTCONN=" + listener.getBool(SOL_SOCKET, SO_ACCEPTCONN).toString() +
  " SO_RCVBUF=" + listener.getsockopt(SOL_SOCKET, SO_RCVBUF).toString() +
  " (asked for 262144)");
pollSet.push(new PollFd(listener, POLLIN));

// ── clients ────────────────────────────────────────────────────────────────

function acceptOne(): void {
  const sock = listener.accept();
  if (sock.errno != 0) {
    eprintln("kv-store: accept: " + errnoName(sock.errno));
    return;
  }
  // Small replies should leave at once (no Nagle), dead peers should be found.
  sock.setBool(IPPROTO_TCP, TCP_NODELAY, true);
  sock.setBool(SOL_SOCKET, SO_KEEPALIVE, true);
  sock.setsockopt(IPPROTO_TCP, TCP_KEEPIDLE, 60);
  const c = new Client(sock, sock.getpeername().toString());
  served++;
  println("client " + c.peer + " connected (TCP_NODELAY=" +
    sock.getBool(IPPROTO_TCP, TCP_NODELAY).toString() + " SO_KEEPALIVE=" +
    sock.getBool(SOL_SOCKET, SO_KEEPALIVE).toString() + " TCP_KEEPIDLE=" +
    sock.getsockopt(IPPROTO_TCP, TCP_KEEPIDLE).toString() + ")");
  clients.push(c);
  pollSet.push(new PollFd(sock, POLLIN));
  if (clients.length >= MAX_CLIENTS) pollSet[0].events = 0; // stop accepting for now
}

function drop(i: i32): void {
  const c = clients[i];
  println("client " + c.peer + " closed after " + c.commands.toString() + " commands");
  c.sock.close();
  clients.splice(i, 1);
  pollSet.splice(i + 1, 1);
  pollSet[0].events = POLLIN;
}

/** Sends one reply line; false when the client is gone. */
function reply(c: Client, line: string): bool {
  return c.sock.sendAll(line + "\n") == 0;
}

/** The next word of line from at (space separated): [start, end) in wordAt/wordEnd. */
let wordAt = 0;
let wordEnd = 0;
function nextWord(line: string, at: i32): bool {
  while (at < line.length && line.charCodeAt(at) == 0x20) at++;
  if (at >= line.length) return false;
  let end = at;
  while (end < line.length && line.charCodeAt(end) != 0x20) end++;
  wordAt = at;
  wordEnd = end;
  return true;
}

/** The INFO reply: what TCP_INFO and a few options say about this connection. */
function info(c: Client): string {
  const s = c.sock;
  const ti = s.getTcpInfo();
  if (s.errno != 0) return "ERROR TCP_INFO " + errnoName(s.errno);
  return "INFO state=" + ti.state.toString() +
    " rtt_us=" + ti.rtt.toString() +
    " snd_cwnd=" + ti.snd_cwnd.toString() +
    " total_retrans=" + ti.total_retrans.toString() +
    " bytes_received=" + ti.bytes_received.toString() +
    " TCP_NODELAY=" + s.getBool(IPPROTO_TCP, TCP_NODELAY).toString() +
    " TCP_CONGESTION=" + s.getString(IPPROTO_TCP, TCP_CONGESTION) +
    " SO_RCVBUF=" + s.getsockopt(SOL_SOCKET, SO_RCVBUF).toString();
}

/** Runs one command line; returns false when the connection should close. */
function command(c: Client, line: string): bool {
  c.commands++;
  if (!nextWord(line, 0)) return reply(c, "ERROR empty line");
  const cmd = line.substring(wordAt, wordEnd).toUpperCase();
  const hasKey = nextWord(line, wordEnd);
  const key = hasKey ? line.substring(wordAt, wordEnd) : "";
  if (cmd == "SET" && hasKey) {
    let v = wordEnd;
    if (v < line.length) v++; // the one space after the key; the rest is the value
    store.set(key, line.substring(v));
    return reply(c, "OK");
  }
  if (cmd == "GET" && hasKey) {
    return reply(c, store.has(key) ? "VALUE " + store.get(key) : "NOT_FOUND");
  }
  if (cmd == "DEL" && hasKey) {
    const had = store.has(key);
    if (had) store.delete(key);
    return reply(c, had ? "DELETED" : "NOT_FOUND");
  }
  if (cmd == "KEYS" && !hasKey) {
    const keys = store.keys().sort();
    return reply(c, keys.length == 0 ? "KEYS" : "KEYS " + keys.join(" "));
  }
  if (cmd == "INFO" && !hasKey) return reply(c, info(c));
  if (cmd == "QUIT" && !hasKey) {
    reply(c, "BYE");
    return false;
  }
  if (cmd == "SHUTDOWN" && !hasKey) {
    reply(c, "BYE");
    running = false;
    return false;
  }
  return reply(c, "ERROR unknown command");
}

/** Reads what client i sent and runs every complete line; false to drop it. */
function serve(c: Client): bool {
  const n = c.sock.recvInto(chunk);
  if (n <= 0) return false; // 0: the peer closed; -1: an error (reset)
  let at = 0;
  while (at < n) {
    // Append up to the next newline into the client's line buffer.
    let nl = at;
    while (nl < n && chunk[nl] != 0x0A) nl++;
    const take = nl - at;
    if (c.len + take > LINE_MAX) {
      reply(c, "ERROR line too long");
      return false;
    }
    memory.copy(c.buf.dataStart + <usize>c.len, chunk.dataStart + <usize>at, <usize>take);
    c.len += take;
    if (nl == n) break; // no newline yet: wait for more
    let end = c.len;
    if (end > 0 && c.buf[end - 1] == 0x0D) end--; // "\r\n"
    const line = String.UTF8.decodeUnsafe(c.buf.dataStart, <usize>end);
    c.len = 0;
    at = nl + 1;
    if (!command(c, line)) return false;
  }
  return true;
}

// ── the loop ───────────────────────────────────────────────────────────────

while (running) {
  const ready = poll(pollSet, -1);
  if (ready < 0) {
    eprintln("kv-store: poll: " + errnoName(lastErrno()));
    exit(1);
  }
  // Clients first, from the end, so that dropping one does not shift the others.
  for (let i = clients.length - 1; i >= 0 && running; i--) {
    const ev = pollSet[i + 1].revents;
    if (ev == 0) continue;
    if ((ev & (POLLIN | POLLHUP | POLLERR)) != 0 && !serve(clients[i])) drop(i);
  }
  if (running && (pollSet[0].revents & POLLIN) != 0) acceptOne();
}

for (let i = clients.length - 1; i >= 0; i--) drop(i);
listener.close();
print("shutting down: " + store.size.toString() + " keys, ");
println(served.toString() + " clients served");
