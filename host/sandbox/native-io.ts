// Native socket I/O for the guest's sockets: one native-addressable scratch buffer
// (sockaddr, msghdr, iovecs, option bytes) at fixed addresses, the receive and send
// loops over guest iovecs, and every blocking wait, which polls the socket together
// with the sandbox's cancel fd so that kill() wakes it at once. Native sockets are
// always O_NONBLOCK: blocking is this module's, never the kernel's.

import { constants as osConstants } from 'node:os';
import type { NativeApi } from '../native/libc.js';
import { POLLIN, POLLOUT, POLLERR, F_GETFL, F_SETFL, O_NONBLOCK } from '../native/libc.js';
import { toWasiErrno } from '../native/errno.js';
import { AF_INET as HOST_AF_INET, SOCKADDR_MAX, encodeSockaddrIn, encodeSockaddrIn6, sockaddrIp } from '../native/sockaddr.js';
import { core, HOST_PLATFORM, PLATFORM } from '../core.js';
import type { GuestMemory } from './memory.js';
import type { SocketFd } from './socketfd.js';
import { KillSignal } from './unwind.js';
import { IOV_MAX, IOVEC_SIZE, iovecBuf, iovecLen } from './abi-codecs.js';
import * as abi from './abi.js';

const IS_LINUX = HOST_PLATFORM === PLATFORM.LINUX;
const sym = core().symbols;
const HOST_SOL_SOCKET = sym.get('SOL_SOCKET')!;
const MSG_PEEK = sym.get('MSG_PEEK')!;
const MSG_TRUNC = sym.get('MSG_TRUNC')!;
/** MSG_NOSIGNAL where there is one (Linux); 0 elsewhere (macOS sets SO_NOSIGPIPE instead). */
export const MSG_NOSIGNAL = sym.get('MSG_NOSIGNAL') ?? 0;
const OPT = core().byName;
const SO_ERROR_HOST = OPT.get('SO_ERROR')!.hostNumber;
const SO_RCVTIMEO_HOST = OPT.get('SO_RCVTIMEO')!.hostNumber;
const SO_SNDTIMEO_HOST = OPT.get('SO_SNDTIMEO')!.hostNumber;
const SO_LINGER_HOST = OPT.get('SO_LINGER')!.hostNumber;
const osErrno = osConstants.errno as Record<string, number>;
const EAGAIN = osErrno.EAGAIN;
const EWOULDBLOCK = osErrno.EWOULDBLOCK;
const EINTR = osErrno.EINTR;

// The scratch buffer (one per sandbox), at fixed native addresses:
//
//   ADDR_AT    [0, 128)        sockaddr for bind / connect / sendto / recvfrom / getsockname
//   ADDRLEN_AT [128, 132)      socklen_t
//   MSG_AT     [192, 256)      struct msghdr (Linux 56 bytes, macOS 48)
//   IOV_AT     [256, +16·1024) struct iovec[] { void *base; size_t len }
//   OPT_AT     [.., +4096)     option bytes for getsockopt / setsockopt
//   LEN_AT     [.., +4)        option length
//
// msghdr (LP64): msg_name @0 (ptr), msg_namelen @8 (u32), msg_iov @16 (ptr),
// msg_iovlen @24 (Linux size_t, macOS int), msg_control @32, msg_controllen @40,
// msg_flags @48 (Linux) / @44 (macOS).
const ADDR_AT = 0;
const ADDRLEN_AT = 128;
const MSG_AT = 192;
const IOV_AT = 256;
export const OPT_AT = IOV_AT + 16 * IOV_MAX;
/** Room for an option value: more than any catalogue option takes (IPv6 sticky headers the most). */
export const OPT_SIZE = 4096;
const LEN_AT = OPT_AT + OPT_SIZE;
const SCRATCH_SIZE = LEN_AT + 8;
const MSG_FLAGS_AT = MSG_AT + (IS_LINUX ? 48 : 44);

/** What a receive gave: bytes, whether a datagram was cut, the sender's sockaddr length. */
export interface Received { n: number; truncated: boolean; namelen: number }

/** An address and port read from a sockaddr. */
export interface IpPort { ip: Uint8Array; port: number }

export class NativeIO {
  /** The scratch buffer and a DataView of it (option bytes live at OPT_AT). */
  readonly scratch = new Uint8Array(SCRATCH_SIZE);
  readonly sdv = new DataView(this.scratch.buffer);
  private readonly scratchBase: number;
  // The hot native calls, bound to the scratch area's fixed addresses. The addresses
  // live in these closures as constants: a native address is beyond the small-integer
  // range, and one computed per call (or read from a double field) would be a fresh
  // heap number each time, so a call would allocate.
  private readonly kget: (fd: number, level: number, name: number) => number;
  private readonly kset: (fd: number, level: number, name: number, len: number) => number;
  private readonly krecvmsg: (fd: number, flags: number) => number;
  private readonly ksendmsg: (fd: number, flags: number) => number;
  /** Two pollfds: the socket waited on, and the cancel fd. */
  private readonly pollfds = new Uint8Array(16);
  private readonly pdv = new DataView(this.pollfds.buffer);
  /** Output of iovecs() (fields, so a call allocates nothing). */
  private iovCount = 0;
  private iovTotal = 0;
  private killed = false;
  /** Wake-ups counted by wait() within one call (reused: no allocation per call). */
  readonly spins = { n: 0 };
  /** What the last receive gave (reused). */
  readonly rx: Received = { n: 0, truncated: false, namelen: 0 };
  /** When the run (or the plugin call) must end, performance.now() ms; Infinity: never. */
  deadline: number;

  constructor(
    readonly native: NativeApi,
    /** Read end of the cancel pipe: readable once the sandbox is killed. */
    private readonly cancelFd: number,
    /** Shared kill flag (index 0), set by kill() from another thread. */
    private readonly cancelFlag: Int32Array | undefined,
    deadline: number,
  ) {
    this.deadline = deadline;
    this.scratchBase = native.addressOf(this.scratch);
    const OPT_ADDR = this.scratchBase + OPT_AT;
    const LEN_ADDR = this.scratchBase + LEN_AT;
    const MSG_ADDR = this.scratchBase + MSG_AT;
    this.kget = (fd, level, name) => native.getsockoptAt(fd, level, name, OPT_ADDR, LEN_ADDR);
    this.kset = (fd, level, name, len) => native.setsockoptAt(fd, level, name, OPT_ADDR, len);
    this.krecvmsg = (fd, flags) => native.recvmsgAt(fd, MSG_ADDR, flags);
    this.ksendmsg = (fd, flags) => native.sendmsgAt(fd, MSG_ADDR, flags);
  }

  // ── errors and kills ─────────────────────────────────────────────────────

  /** The last native call's errno, as a WASI errno. */
  errno(): number {
    return toWasiErrno(this.native.errno());
  }

  /** Did the last native call fail only because it would block? */
  wouldBlock(): boolean {
    const e = this.native.errno();
    return e === EAGAIN || e === EWOULDBLOCK;
  }

  /** Throws KillSignal once the sandbox has been killed. */
  checkKill(): void {
    if (this.killed || (this.cancelFlag !== undefined && Atomics.load(this.cancelFlag, 0) !== 0)) {
      this.killed = true;
      throw new KillSignal();
    }
  }

  /**
   * A poll(2) timeout (ms, -1 for none) cut to what is left of the run's deadline; at the
   * deadline, unwinds the guest as a timeout.
   */
  pollTimeout(ms: number): number {
    if (this.deadline === Infinity) return ms;
    const left = this.deadline - performance.now();
    if (left <= 0) {
      if (this.cancelFlag) Atomics.compareExchange(this.cancelFlag, 0, 0, 2);
      this.killed = true;
      throw new KillSignal();
    }
    const cap = Math.ceil(left);
    return ms < 0 || ms > cap ? cap : ms;
  }

  /**
   * poll(2) over `nfds` pollfds in `fds` plus the cancel fd, which this writes at slot
   * nfds (the buffer must have room). Unwinds the guest when the cancel fd is readable.
   * Returns poll's result (-1 with errno, EINTR included).
   */
  pollWithCancel(fds: Uint8Array, dv: DataView, nfds: number, timeoutMs: number): number {
    dv.setInt32(nfds * 8, this.cancelFd, true);
    dv.setInt16(nfds * 8 + 4, POLLIN, true);
    dv.setInt16(nfds * 8 + 6, 0, true);
    const rc = this.native.poll(fds, nfds + 1, this.pollTimeout(timeoutMs));
    if (dv.getInt16(nfds * 8 + 6, true) !== 0) {
      this.killed = true;
      throw new KillSignal();
    }
    this.checkKill();
    return rc;
  }

  /**
   * Waits until `nativeFd` has `events`, the timeout passes (timeoutMs < 0: never) or
   * the sandbox is killed (KillSignal). Returns the revents, 0 on timeout, or -errno.
   */
  private waitFd(nativeFd: number, events: number, timeoutMs: number): number {
    const pdv = this.pdv;
    const deadline = timeoutMs >= 0 ? Date.now() + timeoutMs : 0;
    for (;;) {
      this.checkKill();
      pdv.setInt32(0, nativeFd, true);
      pdv.setInt16(4, events, true);
      pdv.setInt16(6, 0, true);
      const left = timeoutMs >= 0 ? Math.max(0, deadline - Date.now()) : -1;
      const n = this.pollWithCancel(this.pollfds, pdv, 1, left);
      if (n < 0) {
        if (this.native.errno() === EINTR) continue;
        return -this.errno();
      }
      const revents = pdv.getInt16(6, true);
      if (revents !== 0) return revents;
      if (timeoutMs >= 0 && Date.now() >= deadline) return 0;
    }
  }

  /**
   * Waits for a blocking socket call to be worth retrying. Returns 0 to retry, or a WASI
   * errno for the guest: AGAIN on timeout, the socket's pending error when poll reports
   * only POLLERR (reading SO_ERROR clears it, so poll cannot keep waking on it), and
   * AGAIN after many wake-ups in a row that the retried call did not use (no spinning).
   */
  wait(sock: SocketFd, events: number, timeoutMs: number): number {
    if (++this.spins.n > 1000) return abi.ERRNO_AGAIN;
    const r = this.waitFd(sock.nativeFd, events, timeoutMs);
    if (r < 0) return -r;
    if (r === 0) return abi.ERRNO_AGAIN;
    if ((r & events) === 0 && (r & POLLERR) !== 0) {
      const err = this.soError(sock.nativeFd);
      if (err !== 0) return toWasiErrno(err);
    }
    return 0;
  }

  /** Waits until `nativeFd` is readable (a piped stdin) or the sandbox is killed. Returns 0 or a WASI errno. */
  waitReadable(nativeFd: number): number {
    const r = this.waitFd(nativeFd, POLLIN, -1);
    return r < 0 ? -r : 0;
  }

  /** Reads (and so clears) a socket's pending error: a host errno, 0 for none. */
  soError(nativeFd: number): number {
    this.sdv.setUint32(LEN_AT, 4, true);
    if (this.kget(nativeFd, HOST_SOL_SOCKET, SO_ERROR_HOST) < 0) return this.native.errno();
    return this.sdv.getInt32(OPT_AT, true);
  }

  /** The socket's SO_RCVTIMEO / SO_SNDTIMEO in ms (-1: none), for waits the kernel cannot time. */
  timeoutMs(sock: SocketFd, send: boolean): number {
    this.sdv.setUint32(LEN_AT, 16, true);
    if (this.kget(sock.nativeFd, HOST_SOL_SOCKET, send ? SO_SNDTIMEO_HOST : SO_RCVTIMEO_HOST) < 0) return -1;
    const sec = Number(this.sdv.getBigInt64(OPT_AT, true));
    const usec = IS_LINUX ? Number(this.sdv.getBigInt64(OPT_AT + 8, true)) : this.sdv.getInt32(OPT_AT + 8, true);
    const ms = sec * 1000 + Math.ceil(usec / 1000);
    return ms > 0 ? ms : -1;
  }

  // ── sockaddrs in scratch ─────────────────────────────────────────────────

  /** The sockaddr area of scratch. */
  addr(len = SOCKADDR_MAX): Uint8Array {
    return this.scratch.subarray(ADDR_AT, ADDR_AT + len);
  }

  /** Writes a sockaddr for `ip`, `port` for a socket of `hostFamily` into scratch; its length or -errno. */
  setSockaddr(hostFamily: number, ip: Uint8Array, port: number): number {
    if ((port >>> 0) > 65535) return -abi.ERRNO_INVAL;
    const out = this.addr();
    if (hostFamily === HOST_AF_INET) {
      if (ip.length !== 4) return -abi.ERRNO_INVAL;
      return encodeSockaddrIn(out, ip, port);
    }
    if (ip.length === 16) return encodeSockaddrIn6(out, ip, port);
    // An IPv4 address on an IPv6 socket: the IPv4-mapped form, as the kernel expects.
    const mapped = new Uint8Array(16);
    mapped[10] = 0xff; mapped[11] = 0xff; mapped.set(ip, 12);
    return encodeSockaddrIn6(out, mapped, port);
  }

  /** The sockaddr of `len` bytes in scratch, decoded; null when it is not IPv4/IPv6. */
  sockaddrAt(len: number): IpPort | null {
    return sockaddrIp(this.addr(), len);
  }

  /** getsockname / getpeername into scratch: the address, or -errno. */
  name(nativeFd: number, peer: boolean): IpPort | number {
    this.sdv.setUint32(ADDRLEN_AT, SOCKADDR_MAX, true);
    const len = this.scratch.subarray(ADDRLEN_AT, ADDRLEN_AT + 4);
    const rc = peer ? this.native.getpeername(nativeFd, this.addr(), len) : this.native.getsockname(nativeFd, this.addr(), len);
    if (rc < 0) return -this.errno();
    return this.sockaddrAt(this.sdv.getUint32(ADDRLEN_AT, true)) ?? -abi.ERRNO_INVAL;
  }

  /** The socket's bound port (0: not bound), or -1 when getsockname fails. */
  boundPort(nativeFd: number): number {
    const a = this.name(nativeFd, false);
    return typeof a === 'number' ? -1 : a.port;
  }

  /**
   * If the socket is not bound yet, binds it to the source address the route to the
   * sockaddr of `len` bytes in scratch would use, port 0 (a UDP connect on a probe
   * socket picks the route and sends nothing). Leaves that sockaddr in scratch as it
   * was. A WASI errno.
   */
  bindToRouteSource(sock: SocketFd, len: number, dgramType: number): number {
    const dest = this.scratch.slice(ADDR_AT, ADDR_AT + len);
    const port = this.boundPort(sock.nativeFd);
    if (port !== 0) {
      this.scratch.set(dest, ADDR_AT);
      return abi.ERRNO_SUCCESS;
    }
    let rc: number = abi.ERRNO_SUCCESS;
    const probe = this.native.socket(sock.hostFamily, dgramType, 0);
    if (probe < 0) return this.errno();
    if (this.native.connect(probe, dest, len) < 0) rc = this.errno();
    else {
      const src = this.name(probe, false);
      if (typeof src === 'number') rc = -src;
      else {
        const n = this.setSockaddr(sock.hostFamily, src.ip, 0);
        if (this.native.bind(sock.nativeFd, this.addr(n), n) < 0) rc = this.errno();
      }
    }
    this.native.close(probe);
    this.scratch.set(dest, ADDR_AT);
    return rc;
  }

  // ── options ──────────────────────────────────────────────────────────────

  /** getsockopt into scratch[OPT_AT..] asking for `ask` bytes: the length the kernel gave, or -errno. */
  getopt(nativeFd: number, level: number, name: number, ask: number): number {
    this.sdv.setUint32(LEN_AT, ask, true);
    if (this.kget(nativeFd, level, name) < 0) return -this.errno();
    const n = this.sdv.getUint32(LEN_AT, true);
    return n > ask ? ask : n;
  }

  /** setsockopt of the `len` bytes at scratch[OPT_AT..]: a WASI errno. */
  setopt(nativeFd: number, level: number, name: number, len: number): number {
    return this.kset(nativeFd, level, name, len) < 0 ? this.errno() : abi.ERRNO_SUCCESS;
  }

  /** setsockopt of an int: a WASI errno. */
  setInt(nativeFd: number, level: number, name: number, value: number): number {
    this.sdv.setInt32(OPT_AT, value, true);
    return this.setopt(nativeFd, level, name, 4);
  }

  /** Makes a native fd non-blocking where the platform has no SOCK_NONBLOCK (macOS). */
  setNonblocking(nativeFd: number): void {
    this.native.fcntl(nativeFd, F_SETFL, this.native.fcntl(nativeFd, F_GETFL, 0) | O_NONBLOCK);
  }

  /**
   * Closes a socket's native fd without blocking. With SO_LINGER on and a time, Linux's
   * close() blocks (non-blocking socket or not) until the data is sent or the time runs
   * out, and nothing interrupts it: not kill(), not worker.terminate(). The linger may
   * come from setsockopt or be inherited by an accepted socket from its listener, so
   * every close looks: a lingering close becomes a background graceful close (FIN). A
   * linger of 0 (abortive close, RST) never blocks.
   */
  close(nativeFd: number): void {
    try {
      this.sdv.setUint32(LEN_AT, 8, true);
      if (this.kget(nativeFd, HOST_SOL_SOCKET, SO_LINGER_HOST) === 0 && this.sdv.getInt32(OPT_AT, true) !== 0 && this.sdv.getInt32(OPT_AT + 4, true) > 0) {
        this.sdv.setInt32(OPT_AT, 0, true);
        this.sdv.setInt32(OPT_AT + 4, 0, true);
        this.kset(nativeFd, HOST_SOL_SOCKET, SO_LINGER_HOST, 8);
      }
    } catch {
      // A failed look at SO_LINGER must not keep the fd open or fail the close.
    }
    this.native.close(nativeFd);
  }

  // ── receive and send over guest iovecs ──────────────────────────────────

  /**
   * Checks the guest's iovecs and writes native iovecs for them into scratch, starting
   * `skip` bytes in. A WASI errno; on success iovCount and iovTotal hold the native
   * entries written and the guest buffers' whole length.
   */
  private iovecs(mem: GuestMemory, iovs_ptr: number, iovs_len: number, skip: number): number {
    iovs_len >>>= 0;
    if (iovs_len > IOV_MAX) return abi.ERRNO_INVAL;
    if (!mem.ok(iovs_ptr, iovs_len * IOVEC_SIZE)) return abi.ERRNO_FAULT;
    let total = 0;
    let count = 0;
    for (let i = 0; i < iovs_len; i++) {
      const buf = iovecBuf(mem, iovs_ptr, i);
      const len = iovecLen(mem, iovs_ptr, i);
      if (!mem.ok(buf, len)) return abi.ERRNO_FAULT;
      total += len;
      if (skip >= len) { skip -= len; continue; }
      const at = IOV_AT + 16 * count;
      this.setAddr(at, mem.base + buf + skip);
      this.setAddr(at + 8, len - skip);
      skip = 0;
      count++;
    }
    this.iovCount = count;
    this.iovTotal = total;
    return abi.ERRNO_SUCCESS;
  }

  /** Writes a native address (< 2^53) as a little-endian u64, without a BigInt. */
  private setAddr(at: number, addr: number): void {
    this.sdv.setUint32(at, addr >>> 0, true);
    this.sdv.setUint32(at + 4, Math.floor(addr / 4294967296), true);
  }

  /** Fills the msghdr over the iovecs; `namelen` > 0 points msg_name at the sockaddr area. */
  private msghdr(namelen: number): void {
    const d = this.sdv;
    this.scratch.fill(0, MSG_AT, MSG_AT + 64);
    if (namelen > 0) {
      this.setAddr(MSG_AT, this.scratchBase + ADDR_AT);
      d.setUint32(MSG_AT + 8, namelen, true);
    }
    this.setAddr(MSG_AT + 16, this.scratchBase + IOV_AT);
    d.setUint32(MSG_AT + 24, this.iovCount, true);
  }

  /**
   * Receives into the guest's iovecs (PEEK and WAITALL from `riflags`); the sender's
   * sockaddr lands in scratch when `withName`. Blocks as the socket does. A WASI errno;
   * what was received is in `rx`.
   */
  recv(mem: GuestMemory, sock: SocketFd, iovs_ptr: number, iovs_len: number, riflags: number, withName: boolean): number {
    const rx = this.rx;
    rx.n = 0; rx.truncated = false; rx.namelen = 0;
    if ((riflags & ~(abi.RIFLAGS_RECV_PEEK | abi.RIFLAGS_RECV_WAITALL)) !== 0) return abi.ERRNO_INVAL;
    const flags = riflags & abi.RIFLAGS_RECV_PEEK ? MSG_PEEK : 0;
    const waitAll = (riflags & abi.RIFLAGS_RECV_WAITALL) !== 0 && sock.type === abi.SOCK_STREAM;
    let got = 0;
    let timeout: number | undefined;
    this.spins.n = 0;
    for (;;) {
      this.checkKill();
      const bad = this.iovecs(mem, iovs_ptr, iovs_len, got);
      if (bad !== abi.ERRNO_SUCCESS) return bad;
      // A zero-length receive still goes to the kernel: on UDP it waits for a datagram and drops it.
      if (this.iovCount === 0 && got > 0) break;
      this.msghdr(withName ? SOCKADDR_MAX : 0);
      const n = this.krecvmsg(sock.nativeFd, flags);
      if (n < 0) {
        if (!this.wouldBlock()) { if (got > 0) break; return this.errno(); }
        if (got > 0 && !waitAll) break;
        if (sock.nonblock) { if (got > 0) break; return abi.ERRNO_AGAIN; }
        timeout ??= this.timeoutMs(sock, false);
        const w = this.wait(sock, POLLIN, timeout);
        if (w !== 0) { if (got > 0) break; return w; }
        mem.refresh();
        continue;
      }
      got += n;
      rx.truncated = (this.sdv.getInt32(MSG_FLAGS_AT, true) & MSG_TRUNC) !== 0;
      if (withName) rx.namelen = this.sdv.getUint32(MSG_AT + 8, true);
      if (!waitAll || n === 0 || got >= this.iovTotal || (flags & MSG_PEEK)) break;
    }
    rx.n = got;
    mem.refresh();
    return abi.ERRNO_SUCCESS;
  }

  /**
   * Sends the guest's iovecs (to the sockaddr of `namelen` bytes in scratch, when > 0);
   * a blocking stream socket sends them all. The bytes sent, or -errno.
   */
  send(mem: GuestMemory, sock: SocketFd, iovs_ptr: number, iovs_len: number, namelen: number): number {
    let sent = 0;
    let timeout: number | undefined;
    this.spins.n = 0;
    for (;;) {
      this.checkKill();
      const bad = this.iovecs(mem, iovs_ptr, iovs_len, sent);
      if (bad !== abi.ERRNO_SUCCESS) return -bad;
      if (this.iovCount === 0 && sent > 0) break;
      this.msghdr(namelen);
      const n = this.ksendmsg(sock.nativeFd, MSG_NOSIGNAL);
      if (n < 0) {
        if (!this.wouldBlock()) { if (sent > 0) break; return -this.errno(); }
        if (sock.nonblock) { if (sent > 0) break; return -abi.ERRNO_AGAIN; }
        timeout ??= this.timeoutMs(sock, true);
        const w = this.wait(sock, POLLOUT, timeout);
        if (w !== 0) { if (sent > 0) break; return -w; }
        mem.refresh();
        continue;
      }
      sent += n;
      if (sock.nonblock || sock.type !== abi.SOCK_STREAM || sent >= this.iovTotal) break;
    }
    mem.refresh();
    return sent;
  }
}
