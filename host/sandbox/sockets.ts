// The socket imports a guest sees: the WasmEdge-compatible sock_* functions and
// poll_oneoff in `wasi_snapshot_preview1`, and getsockopt/setsockopt in `sockbox`.
//
// Every import validates its pointers and lengths against guest memory, asks the
// policy before any syscall, and returns a WASI errno. None throws, except the two
// signals that must unwind the guest: proc_exit (the shim's WASIProcExit) and kill.
//
// Native sockets are always O_NONBLOCK; a call on a socket the guest sees as
// blocking waits in poll(2) on the socket and the sandbox's cancel fd, so kill()
// wakes it at once.

import { constants as osConstants } from 'node:os';
import type { NativeApi, AddrinfoHints, AddrinfoResult } from '../native/libc.js';
import { POLLIN, POLLOUT, POLLERR, POLLHUP, POLLNVAL, F_GETFL, F_SETFL, O_NONBLOCK } from '../native/libc.js';
import { toWasiErrno } from '../native/errno.js';
import {
  AF_INET as HOST_AF_INET, AF_INET6 as HOST_AF_INET6, SOCKADDR_MAX,
  encodeSockaddrIn, encodeSockaddrIn6, sockaddrIp, parseIPv4, parseIPv6,
} from '../native/sockaddr.js';
import { core, HOST_PLATFORM, PLATFORM, KIND, type OptionInfo } from '../core.js';
import type { Policy } from './policy.js';
import { GuestMemory } from './memory.js';
import { SocketFd, type SocketOwner } from './socketfd.js';
import { FdTable } from './fdtable.js';
import { FdRegistry } from './registry.js';
import { KillSignal } from './unwind.js';
import { addressText, type EventSink } from './events.js';
import { Lookups, type Resolver } from './lookup.js';
import { LISTEN_BACKLOG } from './listeners.js';
export type { Resolver } from './lookup.js';

export { KillSignal, isUnwind } from './unwind.js';
import * as abi from './abi.js';

const IS_LINUX = HOST_PLATFORM === PLATFORM.LINUX;
const sym = core().symbols;
const HOST_SOCK_STREAM = sym.get('SOCK_STREAM')!;
const HOST_SOCK_DGRAM = sym.get('SOCK_DGRAM')!;
const HOST_SOCK_NONBLOCK = sym.get('SOCK_NONBLOCK') ?? 0;
const HOST_SOCK_CLOEXEC = sym.get('SOCK_CLOEXEC') ?? 0;
const HOST_SOL_SOCKET = sym.get('SOL_SOCKET')!;
const MSG_PEEK = sym.get('MSG_PEEK')!;
const MSG_WAITALL = sym.get('MSG_WAITALL')!;
const MSG_TRUNC = sym.get('MSG_TRUNC')!;
const MSG_NOSIGNAL = sym.get('MSG_NOSIGNAL') ?? 0;
const SHUT_RD = sym.get('SHUT_RD')!;
const SHUT_WR = sym.get('SHUT_WR')!;
const SHUT_RDWR = sym.get('SHUT_RDWR')!;
const OPT = core().byName;
/** Catalogue id by WasmEdge SOL_SOCKET option number (-1: none), read from the core once. */
const WASMEDGE_IDS = Int32Array.from({ length: 64 }, (_, n) => core().exports.findWasmedge(n));
const SO_TYPE_ID = OPT.get('SO_TYPE')!.id;
const SO_ERROR_ID = OPT.get('SO_ERROR')!.id;
const SO_ERROR_HOST = OPT.get('SO_ERROR')!.hostNumber;
const SO_RCVTIMEO_HOST = OPT.get('SO_RCVTIMEO')!.hostNumber;
const SO_SNDTIMEO_HOST = OPT.get('SO_SNDTIMEO')!.hostNumber;
const SO_NOSIGPIPE = OPT.get('SO_NOSIGPIPE')!.hostNumber;
const SO_LINGER_HOST = OPT.get('SO_LINGER')!.hostNumber;
const TCP_CONGESTION_ID = OPT.get('TCP_CONGESTION')!.id;
const SO_BINDTODEVICE_INFO = OPT.get('SO_BINDTODEVICE')!;
const IPV6_V6ONLY = OPT.get('IPV6_V6ONLY')!;
const UNSPEC4 = new Uint8Array(4);
const UNSPEC6 = new Uint8Array(16);
/** ioctl FIONREAD: Linux <asm-generic/ioctls.h> 0x541B, macOS <sys/filio.h> _IOR('f', 127, int). */
const FIONREAD = IS_LINUX ? 0x541b : 0x4004667f;
/** IOV_MAX on Linux and macOS. */
const IOV_MAX = 1024;
const osErrno = osConstants.errno as Record<string, number>;
const EAGAIN = osErrno.EAGAIN;
const EWOULDBLOCK = osErrno.EWOULDBLOCK;
const EINPROGRESS = osErrno.EINPROGRESS;
const EINTR = osErrno.EINTR;

/**
 * getaddrinfo's EAI_* code -> WASI errno (WASI has no EAI codes): AGAIN for a
 * temporary failure, NOMEM for memory, NOENT for a name that does not resolve.
 * EAI numbers: glibc <netdb.h> (negative), macOS <netdb.h> (positive).
 */
/** EAI_NONAME (glibc -2, macOS 8) and the host's AI_NUMERICHOST (4 on both). */
/** What the socket layer needs from the sandbox runtime. */
export interface SocketHostOptions {
  native: NativeApi;
  policy: Policy;
  /** Read end of the cancel pipe: readable once the sandbox is killed. */
  cancelFd: number;
  /** Shared kill flag (index 0), set by kill() from another thread; optional. */
  cancelFlag?: Int32Array;
  /**
   * When the run must end (performance.now() ms): blocking waits never outlast it, and
   * at it the guest is unwound with the kill flag set to 2 (a timeout). For inline runs,
   * where no timer can fire while the guest waits. Default: none.
   */
  deadline?: number;
  /** Name resolution (getaddrinfo). Default: the native layer's, on this thread. */
  resolver?: Resolver;
  /** Where boundary events go (null or absent: nowhere, nothing is made). */
  events?: EventSink;
  /** Shared registry of native fds the guest holds (0 = free slot), so the host can close them if the thread dies. */
  registry?: Int32Array | FdRegistry;
}

// Scratch layout in one native-addressable buffer (allocated once per sandbox):
//   [0, 128)      sockaddr for bind/connect/sendto/recvfrom/getsockname
//   [128, 132)    socklen_t
//   [192, 256)    struct msghdr (Linux 56 bytes, macOS 48)
//   [256, 256+16*IOV_MAX)  struct iovec[] { void *base; size_t len }
//   [OPT_AT, +4096)  option bytes for getsockopt/setsockopt (the kernel reads and writes here)
//   [LEN_AT, +4)  option length
const ADDR_AT = 0;
const ADDRLEN_AT = 128;
const MSG_AT = 192;
const IOV_AT = 256;
const OPT_AT = IOV_AT + 16 * IOV_MAX;
/** Room for an option value: more than any catalogue option takes (IPv6 sticky headers the most). */
const OPT_SIZE = 4096;
const LEN_AT = OPT_AT + OPT_SIZE;
const SCRATCH_SIZE = LEN_AT + 8;

/** Poll descriptors: up to this many sockets in one poll_oneoff, plus the cancel fd. */
const MAX_POLL = 1024;

/**
 * The socket half of a sandbox: the fd-table entries that are sockets, their
 * imports, and the books of every native fd the guest holds.
 */
export class SocketHost implements SocketOwner {
  readonly mem: GuestMemory;
  private readonly native: NativeApi;
  private readonly policy: Policy;
  private readonly resolve: Resolver;
  private readonly cancelFd: number;
  private readonly cancelFlag: Int32Array | undefined;
  private readonly registry: FdRegistry;
  private readonly sockets = new Set<SocketFd>();
  private readonly scratch = new Uint8Array(SCRATCH_SIZE);
  private readonly sdv = new DataView(this.scratch.buffer);
  private readonly scratchBase: number;
  // The hot native calls, bound to the scratch area's fixed addresses. The addresses
  // live in these closures as constants: a native address is beyond the small-integer
  // range, and one computed per call (or read from a double field) would be a fresh
  // heap number each time, so a call would allocate.
  private readonly kget: (fd: number, level: number, name: number) => number;
  private readonly kset: (fd: number, level: number, name: number, len: number) => number;
  private readonly krecvmsg: (fd: number, flags: number) => number;
  private readonly ksendmsg: (fd: number, flags: number) => number;
  private readonly pollfds = new Uint8Array(8 * (MAX_POLL + 1));
  private readonly pdv = new DataView(this.pollfds.buffer);
  private readonly getAllowed: boolean[];
  private readonly options = core().options;
  private readonly findLinux = core().exports.findLinux;
  private killed = false;
  /** When the run (or the plugin call) must end, performance.now() ms; Infinity: never. */
  deadline: number;
  /** Where boundary events go; null: nobody listens. */
  readonly events: EventSink;
  /** The guest's fd table (shared with stdio, folders and files). */
  private fds = new FdTable();

  constructor(opts: SocketHostOptions) {
    this.native = opts.native;
    this.policy = opts.policy;
    this.cancelFd = opts.cancelFd;
    this.cancelFlag = opts.cancelFlag;
    this.registry = opts.registry instanceof FdRegistry ? opts.registry : new FdRegistry(opts.registry);
    this.mem = new GuestMemory(opts.native);
    this.resolve = opts.resolver ?? ((node, service, hints) => opts.native.getaddrinfo(node, service, hints));
    this.deadline = opts.deadline ?? Infinity;
    this.events = opts.events ?? null;
    this.scratchBase = opts.native.addressOf(this.scratch);
    const native = opts.native;
    const OPT_ADDR = this.scratchBase + OPT_AT;
    const LEN_ADDR = this.scratchBase + LEN_AT;
    const MSG_ADDR = this.scratchBase + MSG_AT;
    this.kget = (fd, level, name) => native.getsockoptAt(fd, level, name, OPT_ADDR, LEN_ADDR);
    this.kset = (fd, level, name, len) => native.setsockoptAt(fd, level, name, OPT_ADDR, len);
    this.krecvmsg = (fd, flags) => native.recvmsgAt(fd, MSG_ADDR, flags);
    this.ksendmsg = (fd, flags) => native.sendmsgAt(fd, MSG_ADDR, flags);
    this.getAllowed = this.options.map((o) => this.policy.canGet(o.name));
    this.lookups = new Lookups({
      mem: this.mem, policy: this.policy, resolve: this.resolve, events: this.events,
      checkKill: () => this.checkKill(), refuse: (call, what, rule) => this.refuse(call, what, rule),
    });
  }

  /** Name lookups (sock_getaddrinfo, sock_lookup_ip), under the same policy. */
  private readonly lookups: Lookups;

  /** Binds the layer to the run's fd table (shared: sockets live in it too). */
  attachFds(fds: FdTable): void {
    this.fds = fds;
  }

  /** Number of sockets the guest holds open. */
  get openSockets(): number {
    return this.sockets.size;
  }

  // ── books ────────────────────────────────────────────────────────────────

  private adopt(nativeFd: number, hostFamily: number, type: number): SocketFd {
    const sock = new SocketFd(this, nativeFd, hostFamily, type);
    this.sockets.add(sock);
    sock.registrySlot = this.registry.add(nativeFd);
    if (!MSG_NOSIGNAL && SO_NOSIGPIPE >= 0) {
      // macOS has no MSG_NOSIGNAL: keep a closed peer from raising SIGPIPE in the host.
      this.sdv.setInt32(OPT_AT, 1, true);
      this.kset(nativeFd, HOST_SOL_SOCKET, SO_NOSIGPIPE, 4);
    }
    return sock;
  }

  /**
   * Takes a listener the host opened (listeners.ts) into the fd table: a blocking
   * stream socket for the guest (its native fd stays non-blocking), already in the
   * registry at `slot`. Returns its guest fd.
   */
  adoptListener(nativeFd: number, v6: boolean, slot: number, address: string, port: number): number {
    const sock = new SocketFd(this, nativeFd, v6 ? HOST_AF_INET6 : HOST_AF_INET, abi.SOCK_STREAM);
    sock.registrySlot = slot;
    sock.preopened = true;
    this.sockets.add(sock);
    const fd = this.insert(sock);
    if (this.events) {
      this.events({ type: 'socket', fd, family: v6 ? 'inet6' : 'inet', socktype: 'stream' });
      this.events({ type: 'bind', fd, address, port, errno: 0 });
      this.events({ type: 'listen', fd, backlog: LISTEN_BACKLOG, errno: 0 });
    }
    return fd;
  }

  private emitAccept(listener: SocketFd, conn: SocketFd, newFd: number): void {
    this.sdv.setUint32(ADDRLEN_AT, SOCKADDR_MAX, true);
    const ok = this.native.getpeername(conn.nativeFd, this.scratch.subarray(ADDR_AT, ADDR_AT + SOCKADDR_MAX), this.scratch.subarray(ADDRLEN_AT, ADDRLEN_AT + 4)) === 0;
    const p = ok ? this.peer(this.sdv.getUint32(ADDRLEN_AT, true)) : null;
    this.events?.({ type: 'accept', fd: this.fdOf(listener), newFd, peer: p ? { address: addressText(p.ip), port: p.port } : { address: '?', port: 0 } });
  }

  /** Closes a socket's native fd (registry slot first, so a dying thread never double-closes). */
  closeSocket(sock: SocketFd): number {
    const fd = sock.nativeFd;
    if (fd < 0) return abi.ERRNO_BADF;
    if (this.events) this.events({ type: 'close', fd: this.fdOf(sock) });
    sock.nativeFd = -1;
    this.sockets.delete(sock);
    this.registry.remove(sock.registrySlot);
    // With SO_LINGER on and a time, Linux's close() blocks (non-blocking socket or not)
    // until the data is sent or the time runs out, and nothing interrupts it: not kill(),
    // not worker.terminate(). The linger may come from setsockopt or be inherited by an
    // accepted socket from its listener, so every close looks: a lingering close becomes
    // a background graceful close (FIN). A linger of 0 (abortive close, RST) never blocks.
    try {
      this.sdv.setUint32(LEN_AT, 8, true);
      if (this.kget(fd, HOST_SOL_SOCKET, SO_LINGER_HOST) === 0 && this.sdv.getInt32(OPT_AT, true) !== 0 && this.sdv.getInt32(OPT_AT + 4, true) > 0) {
        this.sdv.setInt32(OPT_AT, 0, true);
        this.sdv.setInt32(OPT_AT + 4, 0, true);
        this.kset(fd, HOST_SOL_SOCKET, SO_LINGER_HOST, 8);
      }
    } catch {
      // A failed look at SO_LINGER must not keep the fd open or fail the close.
    }
    this.native.close(fd);
    return abi.ERRNO_SUCCESS;
  }

  /** A refusal: NOTCAPABLE, and a 'refused' event naming the rule when the host listens. */
  refuse(call: string, what: string, rule: string): number {
    this.events?.({ type: 'refused', call, what, rule });
    return abi.ERRNO_NOTCAPABLE;
  }

  /** The guest fd of a socket (for events): its index in the fd table. */
  private fdOf(sock: SocketFd): number {
    return this.fds.indexOf(sock);
  }

  /** The unspecified address of a socket's family (0.0.0.0 or ::). */
  private unspecified(sock: SocketFd): Uint8Array {
    return sock.hostFamily === HOST_AF_INET ? UNSPEC4 : UNSPEC6;
  }

  /** The socket's bound port (0: not bound), or -1 when getsockname fails. */
  private boundPort(sock: SocketFd): number {
    this.sdv.setUint32(ADDRLEN_AT, SOCKADDR_MAX, true);
    if (this.native.getsockname(sock.nativeFd, this.scratch.subarray(ADDR_AT, ADDR_AT + SOCKADDR_MAX), this.scratch.subarray(ADDRLEN_AT, ADDRLEN_AT + 4)) < 0) return -1;
    return this.sdv.getUint16(ADDR_AT + 2, false);
  }

  /** Closes every socket the guest still holds. Runs when the guest ends, however it ends. */
  closeAll(): void {
    for (const sock of [...this.sockets]) this.closeSocket(sock);
  }

  private insert(sock: SocketFd): number {
    return this.fds.insert(sock);
  }

  /** The socket at guest fd `fd`, or a WASI errno (BADF, NOTSOCK). */
  private sock(fd: number): SocketFd | number {
    const f = this.fds.get(fd);
    if (f === undefined) return abi.ERRNO_BADF;
    if (!(f instanceof SocketFd)) return abi.ERRNO_NOTSOCK;
    if (f.nativeFd < 0) return abi.ERRNO_BADF;
    return f;
  }

  private errno(): number {
    return toWasiErrno(this.native.errno());
  }

  // ── blocking ─────────────────────────────────────────────────────────────

  /**
   * A poll(2) timeout (ms, -1 for none) cut to what is left of the run's deadline; at the
   * deadline, unwinds the guest as a timeout.
   */
  private pollTimeout(ms: number): number {
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

  /** Throws KillSignal once the sandbox has been killed. */
  checkKill(): void {
    if (this.killed || (this.cancelFlag !== undefined && Atomics.load(this.cancelFlag, 0) !== 0)) {
      this.killed = true;
      throw new KillSignal();
    }
  }

  /**
   * Waits in poll(2) until `nativeFd` has `events`, the timeout passes or the
   * sandbox is killed (→ KillSignal). timeoutMs < 0 waits without limit.
   * Returns 0 when the call should be retried, or a WASI errno to give the guest:
   * AGAIN on timeout, the socket's pending error when poll reports only POLLERR
   * (reading SO_ERROR clears it, so poll cannot keep waking on it), and AGAIN after
   * many wake-ups in a row that the retried call did not use (no spinning).
   */
  private wait(sock: SocketFd, events: number, timeoutMs: number, spins: { n: number }): number {
    const pdv = this.pdv;
    const nativeFd = sock.nativeFd;
    const deadline = timeoutMs >= 0 ? Date.now() + timeoutMs : 0;
    if (++spins.n > 1000) return abi.ERRNO_AGAIN;
    for (;;) {
      this.checkKill();
      pdv.setInt32(0, nativeFd, true);
      pdv.setInt16(4, events, true);
      pdv.setInt16(6, 0, true);
      pdv.setInt32(8, this.cancelFd, true);
      pdv.setInt16(12, POLLIN, true);
      pdv.setInt16(14, 0, true);
      const left = timeoutMs >= 0 ? Math.max(0, deadline - Date.now()) : -1;
      const n = this.native.poll(this.pollfds, 2, this.pollTimeout(left));
      if (n < 0) {
        if (this.native.errno() === EINTR) continue;
        return this.errno();
      }
      if (pdv.getInt16(14, true) !== 0) {
        this.killed = true;
        throw new KillSignal();
      }
      const revents = pdv.getInt16(6, true);
      if (revents !== 0) {
        if ((revents & events) === 0 && (revents & POLLERR) !== 0) {
          const err = this.soError(sock);
          if (err !== 0) return toWasiErrno(err);
        }
        return 0;
      }
      if (timeoutMs >= 0 && Date.now() >= deadline) return abi.ERRNO_AGAIN;
    }
  }

  /**
   * Waits until native fd `nativeFd` is readable (a piped stdin), the sandbox is killed
   * (KillSignal) or the run's deadline passes. Returns 0, or a WASI errno.
   */
  waitReadable(nativeFd: number): number {
    const pdv = this.pdv;
    for (;;) {
      this.checkKill();
      pdv.setInt32(0, nativeFd, true);
      pdv.setInt16(4, POLLIN, true);
      pdv.setInt16(6, 0, true);
      pdv.setInt32(8, this.cancelFd, true);
      pdv.setInt16(12, POLLIN, true);
      pdv.setInt16(14, 0, true);
      const n = this.native.poll(this.pollfds, 2, this.pollTimeout(-1));
      if (n < 0) {
        if (this.native.errno() === EINTR) continue;
        return this.errno();
      }
      if (pdv.getInt16(14, true) !== 0) {
        this.killed = true;
        throw new KillSignal();
      }
      if (pdv.getInt16(6, true) !== 0) return 0;
    }
  }

  /** Reads (and so clears) the socket's pending error: a host errno, 0 for none. */
  private soError(sock: SocketFd): number {
    this.sdv.setUint32(LEN_AT, 4, true);
    if (this.kget(sock.nativeFd, HOST_SOL_SOCKET, SO_ERROR_HOST) < 0) return this.native.errno();
    return this.sdv.getInt32(OPT_AT, true);
  }

  /** The socket's SO_RCVTIMEO / SO_SNDTIMEO in ms (-1: none), for waits the kernel cannot time. */
  private timeoutMs(sock: SocketFd, send: boolean): number {
    this.sdv.setUint32(LEN_AT, 16, true);
    if (this.kget(sock.nativeFd, HOST_SOL_SOCKET, send ? SO_SNDTIMEO_HOST : SO_RCVTIMEO_HOST) < 0) return -1;
    const sec = Number(this.sdv.getBigInt64(OPT_AT, true));
    const usec = IS_LINUX ? Number(this.sdv.getBigInt64(OPT_AT + 8, true)) : this.sdv.getInt32(OPT_AT + 8, true);
    const ms = sec * 1000 + Math.ceil(usec / 1000);
    return ms > 0 ? ms : -1;
  }

  private wouldBlock(): boolean {
    const e = this.native.errno();
    return e === EAGAIN || e === EWOULDBLOCK;
  }

  // ── addresses ────────────────────────────────────────────────────────────

  /**
   * Reads a guest address (`__wasi_address_t` at addr_ptr: V1 raw 4/16 bytes, V2 128-byte
   * storage with a u16 family) into a fresh 4- or 16-byte array, or returns an errno.
   */
  private readAddress(addr_ptr: number): Uint8Array | number {
    // Guest pointers and lengths arrive as signed i32s: one at 2 GiB or above would be negative.
    addr_ptr >>>= 0;
    const mem = this.mem;
    if (!mem.ok(addr_ptr, abi.WASI_ADDRESS_SIZE)) return abi.ERRNO_FAULT;
    const buf_ptr = mem.u32(addr_ptr);
    const buf_len = mem.u32(addr_ptr + 4);
    if (buf_len === 4 || buf_len === 16) {
      if (!mem.ok(buf_ptr, buf_len)) return abi.ERRNO_FAULT;
      return mem.view(buf_ptr, buf_len).slice();
    }
    if (buf_len === abi.ADDRESS_STORAGE_V2) {
      if (!mem.ok(buf_ptr, buf_len)) return abi.ERRNO_FAULT;
      const fam = mem.u16(buf_ptr);
      if (fam === abi.AF_INET4) return mem.view(buf_ptr + 2, 4).slice();
      if (fam === abi.AF_INET6) return mem.view(buf_ptr + 2, 16).slice();
      return abi.ERRNO_INVAL;
    }
    return abi.ERRNO_INVAL;
  }

  /** Writes sockaddr for `ip` and `port` into scratch for this socket's family; returns its length or -errno. */
  private sockaddr(sock: SocketFd, ip: Uint8Array, port: number): number {
    if ((port >>> 0) > 65535) return -abi.ERRNO_INVAL;
    const out = this.scratch.subarray(ADDR_AT, ADDR_AT + SOCKADDR_MAX);
    if (sock.hostFamily === HOST_AF_INET) {
      if (ip.length !== 4) return -abi.ERRNO_INVAL;
      return encodeSockaddrIn(out, ip, port);
    }
    if (ip.length === 16) return encodeSockaddrIn6(out, ip, port);
    // An IPv4 address on an IPv6 socket: the IPv4-mapped form, as the kernel expects.
    const mapped = new Uint8Array(16);
    mapped[10] = 0xff; mapped[11] = 0xff; mapped.set(ip, 12);
    return encodeSockaddrIn6(out, mapped, port);
  }

  /** Decodes the sockaddr in scratch: { ip (4/16 bytes), port } or null. */
  private peer(len: number): { ip: Uint8Array; port: number } | null {
    return sockaddrIp(this.scratch.subarray(ADDR_AT, ADDR_AT + SOCKADDR_MAX), len);
  }

  /** Writes an address into the guest's `__wasi_address_t` at addr_ptr (V2 layout when buf_len is 128). */
  private writeAddress(addr_ptr: number, ip: Uint8Array): number {
    // Guest pointers and lengths arrive as signed i32s: one at 2 GiB or above would be negative.
    addr_ptr >>>= 0;
    const mem = this.mem;
    if (!mem.ok(addr_ptr, abi.WASI_ADDRESS_SIZE)) return abi.ERRNO_FAULT;
    const buf_ptr = mem.u32(addr_ptr);
    const buf_len = mem.u32(addr_ptr + 4);
    if (buf_len >= abi.ADDRESS_STORAGE_V2) {
      if (!mem.ok(buf_ptr, abi.ADDRESS_STORAGE_V2)) return abi.ERRNO_FAULT;
      mem.u8.fill(0, buf_ptr, buf_ptr + abi.ADDRESS_STORAGE_V2);
      mem.setU16(buf_ptr, ip.length === 4 ? abi.AF_INET4 : abi.AF_INET6);
      mem.u8.set(ip, buf_ptr + 2);
      return abi.ERRNO_SUCCESS;
    }
    if (buf_len < ip.length) return abi.ERRNO_INVAL;
    if (!mem.ok(buf_ptr, ip.length)) return abi.ERRNO_FAULT;
    mem.u8.set(ip, buf_ptr);
    return abi.ERRNO_SUCCESS;
  }

  // ── iovecs and msghdr ────────────────────────────────────────────────────

  /**
   * Checks guest iovecs and writes the native iovec array for them into scratch,
   * starting `skip` bytes in. Returns an errno; on success iovCount and iovTotal hold
   * the native entries written and the guest buffers' whole length.
   */
  private iovecs(iovs_ptr: number, iovs_len: number, skip: number): number {
    // Guest pointers and lengths arrive as signed i32s: one at 2 GiB or above would be negative.
    iovs_ptr >>>= 0; iovs_len >>>= 0;
    const mem = this.mem;
    if ((iovs_len >>> 0) > IOV_MAX) return abi.ERRNO_INVAL;
    if (!mem.ok(iovs_ptr, iovs_len * 8)) return abi.ERRNO_FAULT;
    let total = 0;
    let count = 0;
    for (let i = 0; i < iovs_len; i++) {
      const buf = mem.u32(iovs_ptr + 8 * i);
      const len = mem.u32(iovs_ptr + 8 * i + 4);
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

  /** Output of iovecs() (fields, so a call allocates nothing). */
  private iovCount = 0;
  private iovTotal = 0;

  /** Writes a native address (< 2^53) as a little-endian u64, without a BigInt. */
  private setAddr(at: number, addr: number): void {
    this.sdv.setUint32(at, addr >>> 0, true);
    this.sdv.setUint32(at + 4, Math.floor(addr / 4294967296), true);
  }

  /**
   * Fills struct msghdr in scratch (for krecvmsg / ksendmsg) over the iovecs iovecs()
   * wrote; `namelen` > 0 points msg_name at the sockaddr area with that length.
   */
  private msghdr(iovCount: number, namelen: number): void {
    const d = this.sdv;
    this.scratch.fill(0, MSG_AT, MSG_AT + 64);
    if (namelen > 0) {
      this.setAddr(MSG_AT, this.scratchBase + ADDR_AT);
      d.setUint32(MSG_AT + 8, namelen, true);
    }
    this.setAddr(MSG_AT + 16, this.scratchBase + IOV_AT);
    // Linux: size_t msg_iovlen @24; macOS: int msg_iovlen @24. Both little-endian.
    d.setUint32(MSG_AT + 24, iovCount, true);
  }

  private msgFlags(): number {
    return this.sdv.getInt32(MSG_AT + (IS_LINUX ? 48 : 44), true);
  }

  private msgNameLen(): number {
    return this.sdv.getUint32(MSG_AT + 8, true);
  }

  // ── receive / send (shared by sock_recv*, sock_send*, fd_read, fd_write) ──

  /**
   * Receives into guest iovecs. Output: bytes received, truncation flag, and the
   * sender in scratch when `withName`. Returns an errno.
   */
  private recv(sock: SocketFd, iovs_ptr: number, iovs_len: number, riflags: number, withName: boolean, out: { n: number; truncated: boolean; namelen: number }): number {
    if ((riflags & ~(abi.RIFLAGS_RECV_PEEK | abi.RIFLAGS_RECV_WAITALL)) !== 0) return abi.ERRNO_INVAL;
    const flags = (riflags & abi.RIFLAGS_RECV_PEEK ? MSG_PEEK : 0);
    const waitAll = (riflags & abi.RIFLAGS_RECV_WAITALL) !== 0 && sock.type === abi.SOCK_STREAM;
    let got = 0;
    let timeout: number | undefined;
    const spins = this.spins;
    spins.n = 0;
    for (;;) {
      this.checkKill();
      const bad = this.iovecs(iovs_ptr, iovs_len, got);
      if (bad !== abi.ERRNO_SUCCESS) return bad;
      // A zero-length receive still goes to the kernel: on UDP it waits for a datagram and drops it.
      if (this.iovCount === 0 && got > 0) break;
      this.msghdr(this.iovCount, withName ? SOCKADDR_MAX : 0);
      const n = this.krecvmsg(sock.nativeFd, flags);
      if (n < 0) {
        if (!this.wouldBlock()) { if (got > 0) break; return this.errno(); }
        if (got > 0 && !waitAll) break;
        if (sock.nonblock) { if (got > 0) break; return abi.ERRNO_AGAIN; }
        timeout ??= this.timeoutMs(sock, false);
        const w = this.wait(sock, POLLIN, timeout, spins);
        if (w !== 0) { if (got > 0) break; return w; }
        this.mem.refresh();
        continue;
      }
      got += n;
      out.truncated = (this.msgFlags() & MSG_TRUNC) !== 0;
      if (withName) out.namelen = this.msgNameLen();
      if (!waitAll || n === 0 || got >= this.iovTotal || (flags & MSG_PEEK)) break;
    }
    out.n = got;
    return abi.ERRNO_SUCCESS;
  }

  /**
   * Sends guest iovecs (to the sockaddr of `withName` bytes in scratch, when > 0); a
   * blocking stream socket sends them all. Output: bytes sent.
   */
  private send(sock: SocketFd, iovs_ptr: number, iovs_len: number, withName: number, out: { n: number }): number {
    let sent = 0;
    let timeout: number | undefined;
    const spins = this.spins;
    spins.n = 0;
    for (;;) {
      this.checkKill();
      const bad = this.iovecs(iovs_ptr, iovs_len, sent);
      if (bad !== abi.ERRNO_SUCCESS) return bad;
      if (this.iovCount === 0 && sent > 0) break;
      this.msghdr(this.iovCount, withName);
      const n = this.ksendmsg(sock.nativeFd, MSG_NOSIGNAL);
      if (n < 0) {
        if (!this.wouldBlock()) { if (sent > 0) break; return this.errno(); }
        if (sock.nonblock) { if (sent > 0) break; return abi.ERRNO_AGAIN; }
        timeout ??= this.timeoutMs(sock, true);
        const w = this.wait(sock, POLLOUT, timeout, spins);
        if (w !== 0) { if (sent > 0) break; return w; }
        this.mem.refresh();
        continue;
      }
      sent += n;
      if (sock.nonblock || sock.type !== abi.SOCK_STREAM || sent >= this.iovTotal) break;
    }
    out.n = sent;
    return abi.ERRNO_SUCCESS;
  }

  // ── options ──────────────────────────────────────────────────────────────

  /** Common getsockopt: policy, bounds, then the kernel (zero copy when no translation is needed). */
  private getopt(sock: SocketFd, info: OptionInfo, buf_ptr: number, len_ptr: number, wasmedge: boolean): number {
    // Guest pointers and lengths arrive as signed i32s: one at 2 GiB or above would be negative.
    buf_ptr >>>= 0; len_ptr >>>= 0;
    if (!this.getAllowed[info.id]) return this.refuse('getsockopt', info.name, this.policy.whyNotGet(info.name) ?? 'refused');
    if (info.hostNumber < 0) return abi.ERRNO_NOPROTOOPT;
    const mem = this.mem;
    if (!mem.ok(len_ptr, 4)) return abi.ERRNO_FAULT;
    const len = mem.u32(len_ptr);
    if (!mem.ok(buf_ptr, len)) return abi.ERRNO_FAULT;
    const translate = (wasmedge && (info.id === SO_TYPE_ID || info.id === SO_ERROR_ID)) || !IS_LINUX;
    // The kernel writes into scratch at fixed addresses; the answer is copied to the guest.
    const ask = translate ? core().exports.kindSize(info.kind, HOST_PLATFORM) : (len > OPT_SIZE ? OPT_SIZE : len);
    this.sdv.setUint32(LEN_AT, ask, true);
    if (this.kget(sock.nativeFd, info.hostLevel, info.hostNumber) < 0) return this.errno();
    let n = this.sdv.getUint32(LEN_AT, true);
    if (n > ask) n = ask;
    if (wasmedge && info.id === SO_TYPE_ID) {
      const t = this.sdv.getInt32(OPT_AT, true);
      this.sdv.setInt32(OPT_AT, t === HOST_SOCK_STREAM ? abi.SOCK_STREAM : t === HOST_SOCK_DGRAM ? abi.SOCK_DGRAM : abi.SOCK_ANY, true);
    } else if (wasmedge && info.id === SO_ERROR_ID) {
      this.sdv.setInt32(OPT_AT, toWasiErrno(this.sdv.getInt32(OPT_AT, true)), true);
    } else if (!IS_LINUX) {
      const c = core();
      c.bytes().set(this.scratch.subarray(OPT_AT, OPT_AT + n));
      n = c.exports.convert(info.kind, HOST_PLATFORM, PLATFORM.LINUX, n);
      if (n < 0) return -n;
      this.scratch.set(c.bytes().subarray(0, n), OPT_AT);
    }
    // POSIX truncation: the guest gets at most what it asked for, and the length written.
    const copy = n < len ? n : len;
    const u8 = mem.u8;
    const scratch = this.scratch;
    for (let i = 0; i < copy; i++) u8[buf_ptr + i] = scratch[OPT_AT + i];
    mem.setU32(len_ptr, copy);
    return abi.ERRNO_SUCCESS;
  }

  /** Common setsockopt: policy (with caps), bounds, then the kernel. */
  private setopt(sock: SocketFd, info: OptionInfo, buf_ptr: number, len: number): number {
    // Guest pointers and lengths arrive as signed i32s: one at 2 GiB or above would be negative.
    buf_ptr >>>= 0; len >>>= 0;
    const mem = this.mem;
    if (!mem.ok(buf_ptr, len)) return abi.ERRNO_FAULT;
    // Unsigned: Linux reads SO_RCVBUF/SO_SNDBUF as u32 (-1 is 0xffffffff, clamped to rmem_max),
    // so a negative value must not slip under a cap.
    const value = len >= 4 ? mem.dv.getUint32(buf_ptr >>> 0, true) : undefined;
    // An int option shorter than an int is the kernel's EINVAL (Linux reads a whole int),
    // whatever the policy would say of its value.
    if (value === undefined && !info.byteOk && (info.kind === KIND.INT || info.kind === KIND.BOOL)) return abi.ERRNO_INVAL;
    if (!this.policy.canSet(info.name, value, sock.type === abi.SOCK_DGRAM)) {
      return this.refuse('setsockopt', value === undefined ? info.name : `${info.name}=${value | 0}`, this.policy.whyNotSet(info.name, value, sock.type === abi.SOCK_DGRAM) ?? 'refused');
    }
    if (info.id === TCP_CONGESTION_ID) {
      const algorithm = mem.text(buf_ptr, Math.min(len, 64)).replace(/\0.*$/s, '');
      if (!this.policy.canSetCongestion(algorithm)) return this.refuse('setsockopt', `TCP_CONGESTION=${algorithm}`, 'only what tcp_allowed_congestion_control lists');
    }
    if (info.hostNumber < 0) return abi.ERRNO_NOPROTOOPT;
    if (len > OPT_SIZE) return abi.ERRNO_INVAL;
    let n = len;
    const u8 = mem.u8;
    const scratch = this.scratch;
    for (let i = 0; i < len; i++) scratch[OPT_AT + i] = u8[buf_ptr + i];
    if (!IS_LINUX) {
      // Another host: apply Linux's length rule, then convert the guest's Linux layout.
      const c = core();
      if (len < c.exports.minSetLength(info.kind, info.byteOk ? 1 : 0)) return abi.ERRNO_INVAL;
      c.bytes().set(scratch.subarray(OPT_AT, OPT_AT + len));
      n = c.exports.convert(info.kind, PLATFORM.LINUX, HOST_PLATFORM, len);
      if (n < 0) return -n;
      scratch.set(c.bytes().subarray(0, n), OPT_AT);
    }
    if (this.kset(sock.nativeFd, info.hostLevel, info.hostNumber, n) < 0) return this.errno();
    return abi.ERRNO_SUCCESS;
  }

  // ── the imports ──────────────────────────────────────────────────────────

  /** sock_open(af, socktype, ro_fd_ptr). Output: the new fd at ro_fd_ptr. */
  sock_open(af: number, socktype: number, ro_fd_ptr: number): number {
    // Guest pointers and lengths arrive as signed i32s: one at 2 GiB or above would be negative.
    ro_fd_ptr >>>= 0;
    this.checkKill();
    this.mem.refresh();
    const hostFamily = af === abi.AF_INET4 ? HOST_AF_INET : af === abi.AF_INET6 ? HOST_AF_INET6 : -1;
    const type = socktype === abi.SOCK_DGRAM ? abi.SOCK_DGRAM : socktype === abi.SOCK_STREAM || socktype === abi.SOCK_ANY ? abi.SOCK_STREAM : -1;
    // Raw, packet, unix and unknown families or types are not for guests.
    if (hostFamily < 0 || type < 0) return this.refuse('sock_open', `af=${af} socktype=${socktype}`, 'only IPv4 and IPv6, stream and datagram sockets');
    if (!this.mem.ok(ro_fd_ptr, 4)) return abi.ERRNO_FAULT;
    if (this.sockets.size >= this.policy.maxSockets) return this.refuse('sock_open', `socket ${this.sockets.size + 1}`, `maxSockets (${this.policy.maxSockets})`);
    const hostType = (type === abi.SOCK_STREAM ? HOST_SOCK_STREAM : HOST_SOCK_DGRAM) | HOST_SOCK_NONBLOCK | HOST_SOCK_CLOEXEC;
    const nfd = this.native.socket(hostFamily, hostType, 0);
    if (nfd < 0) return this.errno();
    if (!HOST_SOCK_NONBLOCK) this.setNativeNonblock(nfd);
    const sock = this.adopt(nfd, hostFamily, type);
    const fd = this.insert(sock);
    this.mem.setU32(ro_fd_ptr, fd);
    this.events?.({ type: 'socket', fd, family: hostFamily === HOST_AF_INET ? 'inet' : 'inet6', socktype: type === abi.SOCK_STREAM ? 'stream' : 'dgram' });
    return abi.ERRNO_SUCCESS;
  }

  private setNativeNonblock(nfd: number): void {
    // Platforms without SOCK_NONBLOCK (macOS): F_SETFL O_NONBLOCK.
    this.native.fcntl(nfd, F_SETFL, this.native.fcntl(nfd, F_GETFL, 0) | O_NONBLOCK);
  }

  /**
   * The checks bind, connect and send_to share: the socket, the guest's address and
   * port, the policy (`may`). On success the sockaddr is in scratch and its length
   * is returned with the socket; otherwise a WASI errno.
   */
  private target(fd: number, addr_ptr: number, port: number, may: (ip: Uint8Array, port: number) => boolean, call: string): { sock: SocketFd; len: number } | number {
    const sock = this.sock(fd);
    if (typeof sock === 'number') return sock;
    const ip = this.readAddress(addr_ptr);
    if (typeof ip === 'number') return ip;
    if ((port >>> 0) > 65535) return abi.ERRNO_INVAL;
    if (!may(ip, port)) {
      const what = ip.length === 4 ? `${addressText(ip)}:${port}` : `[${addressText(ip)}]:${port}`;
      return this.refuse(call, what, call === 'sock_bind' ? 'no net.bind grant matches' : 'no net.connect grant matches');
    }
    const len = this.sockaddr(sock, ip, port);
    return len < 0 ? -len : { sock, len };
  }

  private readonly mayBind = (ip: Uint8Array, port: number): boolean => this.policy.canBind(ip, port);
  private readonly mayConnect = (ip: Uint8Array, port: number): boolean => this.policy.canConnect(ip, port);

  /** sock_bind(fd, addr_ptr, port). */
  sock_bind(fd: number, addr_ptr: number, port: number): number {
    this.checkKill();
    this.mem.refresh();
    const t = this.target(fd, addr_ptr, port, this.mayBind, 'sock_bind');
    if (typeof t === 'number') return t;
    // [::] with IPV6_V6ONLY off (Linux's default) also takes IPv4 on 0.0.0.0: only when
    // that is granted too. Otherwise the socket is made IPv6-only before it binds.
    if (t.sock.hostFamily === HOST_AF_INET6 && this.scratch.subarray(ADDR_AT + 8, ADDR_AT + 24).every((b) => b === 0)) {
      const v = this.v6only(t.sock, port);
      if (v !== abi.ERRNO_SUCCESS) return v;
    }
    const rc = this.native.bind(t.sock.nativeFd, this.scratch.subarray(ADDR_AT, ADDR_AT + t.len), t.len) < 0 ? this.errno() : abi.ERRNO_SUCCESS;
    if (this.events) this.emitAddress('bind', t.sock, t.len, rc);
    return rc;
  }

  /** A bind or connect event for the sockaddr of `len` bytes in scratch. */
  private emitAddress(type: 'bind' | 'connect', sock: SocketFd, len: number, errno: number): void {
    const a = this.peer(len);
    if (a) this.events?.({ type, fd: this.fdOf(sock), address: addressText(a.ip), port: a.port, errno });
  }

  /**
   * Before an IPv6 socket binds `::` on `port` (or listens unbound, which binds `::`):
   * unless the policy grants 0.0.0.0 on that port too, sets IPV6_V6ONLY so that the
   * socket takes no IPv4 traffic. (Once bound, the kernel refuses to change it.)
   */
  private v6only(sock: SocketFd, port: number): number {
    if (this.policy.canBind(UNSPEC4, port)) return abi.ERRNO_SUCCESS;
    this.sdv.setInt32(OPT_AT, 1, true);
    return this.kset(sock.nativeFd, IPV6_V6ONLY.hostLevel, IPV6_V6ONLY.hostNumber, 4) < 0 ? this.errno() : abi.ERRNO_SUCCESS;
  }

  /** sock_connect(fd, addr_ptr, port). A blocking socket waits for the outcome. */
  sock_connect(fd: number, addr_ptr: number, port: number): number {
    this.checkKill();
    this.mem.refresh();
    const t = this.target(fd, addr_ptr, port, this.mayConnect, 'sock_connect');
    if (typeof t === 'number') return t;
    const rc = this.connect(t.sock, t.len);
    if (this.events) {
      // The destination is still in scratch unless the wait used it: read it again.
      this.events({ type: 'connect', fd: this.fdOf(t.sock), ...this.destination(addr_ptr, port), errno: rc });
    }
    return rc;
  }

  private connect(sock: SocketFd, len: number): number {
    if (this.native.connect(sock.nativeFd, this.scratch.subarray(ADDR_AT, ADDR_AT + len), len) === 0) return abi.ERRNO_SUCCESS;
    if (this.native.errno() !== EINPROGRESS || sock.nonblock) return this.errno();
    // Like Linux when SO_SNDTIMEO runs out: the connect goes on, the guest hears INPROGRESS.
    const w = this.wait(sock, POLLOUT, this.timeoutMs(sock, true), this.resetSpins());
    if (w === abi.ERRNO_AGAIN) return abi.ERRNO_INPROGRESS;
    if (w !== 0) return w;
    return toWasiErrno(this.soError(sock));
  }

  /** The guest's address and port, as text (for events). */
  private destination(addr_ptr: number, port: number): { address: string; port: number } {
    const ip = this.readAddress(addr_ptr);
    return { address: typeof ip === 'number' ? '?' : addressText(ip), port: port >>> 0 };
  }

  /** sock_listen(fd, backlog). */
  sock_listen(fd: number, backlog: number): number {
    this.checkKill();
    const sock = this.sock(fd);
    if (typeof sock === 'number') return sock;
    // listen() on an unbound socket binds it to 0.0.0.0 / :: on an ephemeral port: every
    // interface, which needs a bind grant for the unspecified address.
    if (this.boundPort(sock) === 0) {
      if (!this.policy.canBind(this.unspecified(sock), 0)) return this.refuse('sock_listen', sock.hostFamily === HOST_AF_INET ? '0.0.0.0:0' : '[::]:0', 'listen on an unbound socket binds every interface: no net.bind grant for it');
      if (sock.hostFamily === HOST_AF_INET6) {
        const v = this.v6only(sock, 0);
        if (v !== abi.ERRNO_SUCCESS) return v;
      }
    }
    const rc = this.native.listen(sock.nativeFd, backlog) < 0 ? this.errno() : abi.ERRNO_SUCCESS;
    this.events?.({ type: 'listen', fd: this.fdOf(sock), backlog, errno: rc });
    return rc;
  }

  /** sock_accept: V1 (fd, ro_fd_ptr) or V2 (fd, fdflags, ro_fd_ptr). Output: the new fd. */
  sock_accept(fd: number, a: number, b?: number): number {
    // Guest pointers and lengths arrive as signed i32s: one at 2 GiB or above would be negative.
    a >>>= 0;
    this.checkKill();
    this.mem.refresh();
    const v2 = b !== undefined;
    const fdflags = v2 ? a : 0;
    const ro_fd_ptr = v2 ? b : a;
    const sock = this.sock(fd);
    if (typeof sock === 'number') return sock;
    if ((fdflags & ~abi.FDFLAGS_NONBLOCK) !== 0) return abi.ERRNO_INVAL;
    if (!this.mem.ok(ro_fd_ptr, 4)) return abi.ERRNO_FAULT;
    if (this.sockets.size >= this.policy.maxSockets) return this.refuse('sock_accept', `socket ${this.sockets.size + 1}`, `maxSockets (${this.policy.maxSockets})`);
    let timeout: number | undefined;
    const spins = this.spins;
    spins.n = 0;
    for (;;) {
      const nfd = this.native.accept4(sock.nativeFd, null, null, HOST_SOCK_NONBLOCK | HOST_SOCK_CLOEXEC);
      if (nfd >= 0) {
        if (!HOST_SOCK_NONBLOCK) this.setNativeNonblock(nfd);
        const conn = this.adopt(nfd, sock.hostFamily, sock.type);
        conn.nonblock = (fdflags & abi.FDFLAGS_NONBLOCK) !== 0;
        this.mem.refresh();
        const newFd = this.insert(conn);
        this.mem.setU32(ro_fd_ptr, newFd);
        if (this.events) this.emitAccept(sock, conn, newFd);
        return abi.ERRNO_SUCCESS;
      }
      if (!this.wouldBlock()) return this.errno();
      if (sock.nonblock) return abi.ERRNO_AGAIN;
      timeout ??= this.timeoutMs(sock, false);
      const w = this.wait(sock, POLLIN, timeout, spins);
      if (w !== 0) return w;
    }
  }

  // poll_oneoff's per-subscription scratch (see there).
  private readonly subSlot = new Int32Array(MAX_POLL);
  private readonly subNow = new Int32Array(MAX_POLL);
  private readonly subDeadline = new Float64Array(MAX_POLL);

  /** Wake-ups counted by wait() within one call (reused: no allocation per call). */
  private readonly spins = { n: 0 };
  private resetSpins(): { n: number } {
    this.spins.n = 0;
    return this.spins;
  }

  private readonly rx = { n: 0, truncated: false, namelen: 0 };
  private readonly tx = { n: 0 };

  /** sock_recv(fd, iovs_ptr, iovs_len, riflags, ro_len_ptr, ro_flags_ptr). */
  sock_recv(fd: number, iovs_ptr: number, iovs_len: number, riflags: number, ro_len_ptr: number, ro_flags_ptr: number): number {
    // Guest pointers and lengths arrive as signed i32s: one at 2 GiB or above would be negative.
    ro_len_ptr >>>= 0; ro_flags_ptr >>>= 0;
    this.checkKill();
    this.mem.refresh();
    const sock = this.sock(fd);
    if (typeof sock === 'number') return sock;
    if (!this.mem.ok(ro_len_ptr, 4) || !this.mem.ok(ro_flags_ptr, 2)) return abi.ERRNO_FAULT;
    const rx = this.rx;
    rx.n = 0; rx.truncated = false;
    const rc = this.recv(sock, iovs_ptr, iovs_len, riflags, false, rx);
    if (rc !== abi.ERRNO_SUCCESS) return rc;
    this.mem.refresh();
    this.mem.setU32(ro_len_ptr, rx.n);
    this.mem.setU16(ro_flags_ptr, rx.truncated ? abi.ROFLAGS_RECV_DATA_TRUNCATED : 0);
    return abi.ERRNO_SUCCESS;
  }

  /**
   * sock_recv_from: V1 (fd, iovs_ptr, iovs_len, addr_ptr, riflags, ro_len_ptr, ro_flags_ptr)
   * or V2 (fd, iovs_ptr, iovs_len, addr_ptr, riflags, port_ptr, ro_len_ptr, ro_flags_ptr).
   */
  sock_recv_from(fd: number, iovs_ptr: number, iovs_len: number, addr_ptr: number, riflags: number, a: number, b: number, c?: number): number {
    // Guest pointers and lengths arrive as signed i32s: one at 2 GiB or above would be negative.
    a >>>= 0; b >>>= 0;
    this.checkKill();
    this.mem.refresh();
    const v2 = c !== undefined;
    const port_ptr = v2 ? a : -1;
    const ro_len_ptr = v2 ? b : a;
    const ro_flags_ptr = v2 ? c : b;
    const sock = this.sock(fd);
    if (typeof sock === 'number') return sock;
    const mem = this.mem;
    if (!mem.ok(ro_len_ptr, 4) || !mem.ok(ro_flags_ptr, 2) || !mem.ok(addr_ptr, abi.WASI_ADDRESS_SIZE)) return abi.ERRNO_FAULT;
    if (v2 && !mem.ok(port_ptr, 4)) return abi.ERRNO_FAULT;
    const rx = this.rx;
    rx.n = 0; rx.truncated = false; rx.namelen = 0;
    const rc = this.recv(sock, iovs_ptr, iovs_len, riflags, true, rx);
    if (rc !== abi.ERRNO_SUCCESS) return rc;
    mem.refresh();
    const from = this.peer(rx.namelen);
    if (from) {
      const w = this.writeAddress(addr_ptr, from.ip);
      if (w !== abi.ERRNO_SUCCESS) return w;
      if (v2) mem.setU32(port_ptr, from.port);
    } else if (v2) mem.setU32(port_ptr, 0);
    mem.setU32(ro_len_ptr, rx.n);
    mem.setU16(ro_flags_ptr, rx.truncated ? abi.ROFLAGS_RECV_DATA_TRUNCATED : 0);
    return abi.ERRNO_SUCCESS;
  }

  /** sock_send(fd, ciovs_ptr, ciovs_len, siflags, ro_len_ptr). */
  sock_send(fd: number, ciovs_ptr: number, ciovs_len: number, siflags: number, ro_len_ptr: number): number {
    // Guest pointers and lengths arrive as signed i32s: one at 2 GiB or above would be negative.
    ro_len_ptr >>>= 0;
    this.checkKill();
    this.mem.refresh();
    const sock = this.sock(fd);
    if (typeof sock === 'number') return sock;
    if (siflags !== 0) return abi.ERRNO_INVAL;
    if (!this.mem.ok(ro_len_ptr, 4)) return abi.ERRNO_FAULT;
    const tx = this.tx;
    tx.n = 0;
    const rc = this.send(sock, ciovs_ptr, ciovs_len, 0, tx);
    if (rc !== abi.ERRNO_SUCCESS) return rc;
    this.mem.refresh();
    this.mem.setU32(ro_len_ptr, tx.n);
    return abi.ERRNO_SUCCESS;
  }

  /**
   * Before an unbound UDP socket's first sendto: the kernel would bind it to 0.0.0.0 / ::,
   * where it then takes datagrams from anyone on every interface. Unless the policy grants
   * the unspecified address, bind it to the source address the route to the destination
   * (the sockaddr of `len` bytes in scratch) would use, on an ephemeral port: what a connect
   * grant implies, and no more. Leaves the destination sockaddr in scratch as it was.
   */
  private bindForSend(sock: SocketFd, len: number): number {
    const dest = this.scratch.slice(ADDR_AT, ADDR_AT + len);
    const port = this.boundPort(sock);
    let rc: number = abi.ERRNO_SUCCESS;
    if (port === 0 && !this.policy.canBind(this.unspecified(sock), 0)) {
      // A UDP connect sends nothing: it only picks the route, and with it the source address.
      const probe = this.native.socket(sock.hostFamily, HOST_SOCK_DGRAM | HOST_SOCK_CLOEXEC, 0);
      if (probe < 0) return this.errno();
      const addr = this.scratch.subarray(ADDR_AT, ADDR_AT + SOCKADDR_MAX);
      const addrlen = this.scratch.subarray(ADDRLEN_AT, ADDRLEN_AT + 4);
      if (this.native.connect(probe, dest, len) < 0) rc = this.errno();
      else {
        this.sdv.setUint32(ADDRLEN_AT, SOCKADDR_MAX, true);
        if (this.native.getsockname(probe, addr, addrlen) < 0) rc = this.errno();
        else {
          this.sdv.setUint16(ADDR_AT + 2, 0, false); // the source address, port 0
          if (this.native.bind(sock.nativeFd, addr, this.sdv.getUint32(ADDRLEN_AT, true)) < 0) rc = this.errno();
        }
      }
      this.native.close(probe);
    }
    this.scratch.set(dest, ADDR_AT);
    return rc;
  }

  /** sock_send_to(fd, ciovs_ptr, ciovs_len, addr_ptr, port, siflags, ro_len_ptr). */
  sock_send_to(fd: number, ciovs_ptr: number, ciovs_len: number, addr_ptr: number, port: number, siflags: number, ro_len_ptr: number): number {
    // Guest pointers and lengths arrive as signed i32s: one at 2 GiB or above would be negative.
    ro_len_ptr >>>= 0;
    this.checkKill();
    this.mem.refresh();
    const s = this.sock(fd);
    if (typeof s === 'number') return s;
    if (siflags !== 0) return abi.ERRNO_INVAL;
    if (!this.mem.ok(ro_len_ptr, 4)) return abi.ERRNO_FAULT;
    const t = this.target(fd, addr_ptr, port, this.mayConnect, 'sock_send_to');
    if (typeof t === 'number') return t;
    if (t.sock.type === abi.SOCK_DGRAM) {
      const b = this.bindForSend(t.sock, t.len);
      if (b !== abi.ERRNO_SUCCESS) return b;
    }
    const tx = this.tx;
    tx.n = 0;
    const rc = this.send(t.sock, ciovs_ptr, ciovs_len, t.len, tx);
    if (rc !== abi.ERRNO_SUCCESS) return rc;
    this.mem.refresh();
    this.mem.setU32(ro_len_ptr, tx.n);
    return abi.ERRNO_SUCCESS;
  }

  /** sock_shutdown(fd, how): RD 1, WR 2, both 3. */
  sock_shutdown(fd: number, how: number): number {
    this.checkKill();
    const sock = this.sock(fd);
    if (typeof sock === 'number') return sock;
    const h = how === abi.SDFLAGS_RD ? SHUT_RD : how === abi.SDFLAGS_WR ? SHUT_WR : how === (abi.SDFLAGS_RD | abi.SDFLAGS_WR) ? SHUT_RDWR : -1;
    if (h < 0) return abi.ERRNO_INVAL;
    return this.native.shutdown(sock.nativeFd, h) < 0 ? this.errno() : abi.ERRNO_SUCCESS;
  }

  /** sock_getsockopt(fd, level, name, buf_ptr, len_ptr): WasmEdge numbering, SOL_SOCKET only. */
  sock_getsockopt(fd: number, level: number, name: number, buf_ptr: number, len_ptr: number): number {
    this.checkKill();
    this.mem.refresh();
    const sock = this.sock(fd);
    if (typeof sock === 'number') return sock;
    const id = level === abi.SOL_SOCKET && (name >>> 0) < WASMEDGE_IDS.length ? WASMEDGE_IDS[name] : -1;
    // An option outside the catalogue: the kernel's answer for an unknown option, no syscall.
    if (id < 0) return abi.ERRNO_NOPROTOOPT;
    return this.getopt(sock, this.options[id], buf_ptr, len_ptr, true);
  }

  /** sock_setsockopt(fd, level, name, buf_ptr, len): WasmEdge numbering, SOL_SOCKET only. */
  sock_setsockopt(fd: number, level: number, name: number, buf_ptr: number, len: number): number {
    this.checkKill();
    this.mem.refresh();
    const sock = this.sock(fd);
    if (typeof sock === 'number') return sock;
    const id = level === abi.SOL_SOCKET && (name >>> 0) < WASMEDGE_IDS.length ? WASMEDGE_IDS[name] : -1;
    if (id < 0) return abi.ERRNO_NOPROTOOPT;
    return this.setopt(sock, this.options[id], buf_ptr, len);
  }

  /** sockbox.getsockopt(fd, level, optname, optval_ptr, optlen_ptr): Linux numbering, every level. */
  getsockopt(fd: number, level: number, optname: number, optval_ptr: number, optlen_ptr: number): number {
    this.checkKill();
    this.mem.refresh();
    const sock = this.sock(fd);
    if (typeof sock === 'number') return sock;
    const id = this.findLinux(level, optname);
    if (id < 0) return abi.ERRNO_NOPROTOOPT;
    return this.getopt(sock, this.options[id], optval_ptr, optlen_ptr, false);
  }

  /** sockbox.setsockopt(fd, level, optname, optval_ptr, optlen): Linux numbering, every level. */
  setsockopt(fd: number, level: number, optname: number, optval_ptr: number, optlen: number): number {
    this.checkKill();
    this.mem.refresh();
    const sock = this.sock(fd);
    if (typeof sock === 'number') return sock;
    const id = this.findLinux(level, optname);
    if (id < 0) return abi.ERRNO_NOPROTOOPT;
    return this.setopt(sock, this.options[id], optval_ptr, optlen);
  }

  /**
   * sock_bind_device(fd, name_ptr, name_len): setting SO_BINDTODEVICE to the interface
   * name (empty: unbind), with that option's policy (refused unless granted).
   */
  sock_bind_device(fd: number, name_ptr: number, name_len: number): number {
    this.checkKill();
    this.mem.refresh();
    const sock = this.sock(fd);
    if (typeof sock === 'number') return sock;
    return this.setopt(sock, SO_BINDTODEVICE_INFO, name_ptr, name_len);
  }

  /**
   * sock_getlocaladdr / sock_getpeeraddr: V1 (fd, addr_ptr, addr_type_ptr, port_ptr)
   * or V2 (fd, addr_ptr, port_ptr).
   */
  private sockName(peer: boolean, fd: number, addr_ptr: number, a: number, b?: number): number {
    // Guest pointers and lengths arrive as signed i32s: one at 2 GiB or above would be negative.
    a >>>= 0;
    this.checkKill();
    this.mem.refresh();
    const v1 = b !== undefined;
    const type_ptr = v1 ? a : -1;
    const port_ptr = v1 ? b : a;
    const sock = this.sock(fd);
    if (typeof sock === 'number') return sock;
    const mem = this.mem;
    if (!mem.ok(port_ptr, 4) || (v1 && !mem.ok(type_ptr, 4))) return abi.ERRNO_FAULT;
    this.sdv.setUint32(ADDRLEN_AT, SOCKADDR_MAX, true);
    const addr = this.scratch.subarray(ADDR_AT, ADDR_AT + SOCKADDR_MAX);
    const lenBuf = this.scratch.subarray(ADDRLEN_AT, ADDRLEN_AT + 4);
    const rc = peer ? this.native.getpeername(sock.nativeFd, addr, lenBuf) : this.native.getsockname(sock.nativeFd, addr, lenBuf);
    if (rc < 0) return this.errno();
    const p = this.peer(this.sdv.getUint32(ADDRLEN_AT, true));
    if (!p) return abi.ERRNO_INVAL;
    const w = this.writeAddress(addr_ptr, p.ip);
    if (w !== abi.ERRNO_SUCCESS) return w;
    if (v1) mem.setU32(type_ptr, p.ip.length === 4 ? 4 : 6);
    mem.setU32(port_ptr, p.port);
    return abi.ERRNO_SUCCESS;
  }

  sock_getlocaladdr(fd: number, addr_ptr: number, a: number, b?: number): number {
    return this.sockName(false, fd, addr_ptr, a, b);
  }

  sock_getpeeraddr(fd: number, addr_ptr: number, a: number, b?: number): number {
    return this.sockName(true, fd, addr_ptr, a, b);
  }

  /** fd_read on a socket: recv with no flags. Output: bytes read at nread_ptr. */
  fd_read(sock: SocketFd, iovs_ptr: number, iovs_len: number, nread_ptr: number): number {
    // Guest pointers and lengths arrive as signed i32s: one at 2 GiB or above would be negative.
    nread_ptr >>>= 0;
    if (!this.mem.ok(nread_ptr, 4)) return abi.ERRNO_FAULT;
    const rx = this.rx;
    rx.n = 0; rx.truncated = false;
    const rc = this.recv(sock, iovs_ptr, iovs_len, 0, false, rx);
    if (rc !== abi.ERRNO_SUCCESS) return rc;
    this.mem.refresh();
    this.mem.setU32(nread_ptr, rx.n);
    return abi.ERRNO_SUCCESS;
  }

  /** fd_write on a socket: send. Output: bytes written at nwritten_ptr. */
  fd_write(sock: SocketFd, iovs_ptr: number, iovs_len: number, nwritten_ptr: number): number {
    // Guest pointers and lengths arrive as signed i32s: one at 2 GiB or above would be negative.
    nwritten_ptr >>>= 0;
    if (!this.mem.ok(nwritten_ptr, 4)) return abi.ERRNO_FAULT;
    const tx = this.tx;
    tx.n = 0;
    const rc = this.send(sock, iovs_ptr, iovs_len, 0, tx);
    if (rc !== abi.ERRNO_SUCCESS) return rc;
    this.mem.refresh();
    this.mem.setU32(nwritten_ptr, tx.n);
    return abi.ERRNO_SUCCESS;
  }

  /** Looks up a guest fd for the fd_* overrides: the SocketFd, or undefined for other fds. */
  socketAt(fd: number): SocketFd | undefined {
    const f = this.fds.get(fd);
    return f instanceof SocketFd && f.nativeFd >= 0 ? f : undefined;
  }

  /**
   * poll_oneoff(in_ptr, out_ptr, nsubscriptions, nevents_ptr) over native poll(2):
   * clock subscriptions become its timeout, socket subscriptions its fds; other fds
   * (files, stdio) are always ready. No busy waiting.
   */
  poll_oneoff(in_ptr: number, out_ptr: number, nsubscriptions: number, nevents_ptr: number): number {
    return this.poll(in_ptr, out_ptr, nsubscriptions, nevents_ptr, false);
  }

  /**
   * WasmEdge's epoll_oneoff: poll_oneoff's layouts and, for a guest, its semantics
   * (WasmEdge re-arms every subscribed fd on each call with EPOLL_CTL_MOD, which reports
   * an fd that is still ready again: a second wait without new data returns at once
   * while data is unread, and waits once it has been read). Where WasmEdge differs from
   * preview1's poll_oneoff, this follows WasmEdge: no subscriptions is success with no
   * events, and a subscription that fails at once (an fd not open) is reported but does
   * not end the wait: the call still waits for the others (or forever, killably).
   */
  epoll_oneoff(in_ptr: number, out_ptr: number, nsubscriptions: number, nevents_ptr: number): number {
    return this.poll(in_ptr, out_ptr, nsubscriptions, nevents_ptr, true);
  }

  private poll(in_ptr: number, out_ptr: number, nsubscriptions: number, nevents_ptr: number, wasmedge: boolean): number {
    // Guest pointers and lengths arrive as signed i32s: one at 2 GiB or above would be negative.
    in_ptr >>>= 0; out_ptr >>>= 0; nevents_ptr >>>= 0;
    this.checkKill();
    this.mem.refresh();
    const mem = this.mem;
    const n = nsubscriptions >>> 0;
    if (n === 0) {
      if (!wasmedge) return abi.ERRNO_INVAL;
      if (!mem.ok(nevents_ptr, 4)) return abi.ERRNO_FAULT;
      mem.setU32(nevents_ptr, 0);
      return abi.ERRNO_SUCCESS;
    }
    if (n > MAX_POLL) return abi.ERRNO_INVAL;
    if (!mem.ok(in_ptr, n * abi.SUBSCRIPTION_SIZE) || !mem.ok(out_ptr, n * abi.EVENT_SIZE) || !mem.ok(nevents_ptr, 4)) return abi.ERRNO_FAULT;

    // Per subscription, in preallocated arrays (a busy event loop polls all the time):
    // subSlot = its pollfd slot, or -1; subNow = an errno to report at once, or -1;
    // subDeadline = a clock's deadline in performance.now() ms, or NaN.
    const { subSlot, subNow, subDeadline } = this;
    const start = performance.now();
    let timeoutMs = -1; // poll(2) timeout: -1 = none
    let immediate = false;
    let nfds = 0;
    for (let i = 0; i < n; i++) {
      const s = in_ptr + i * abi.SUBSCRIPTION_SIZE;
      const tag = mem.u8[s + 8];
      subSlot[i] = -1;
      subNow[i] = -1;
      subDeadline[i] = NaN;
      if (tag === abi.EVENTTYPE_CLOCK) {
        const id = mem.u32(s + 16);
        // u64 nanoseconds as a double: exact below 2^53 ns (104 days), "never" above.
        const ns = mem.u32(s + 24) + mem.u32(s + 28) * 4294967296;
        const abs = (mem.u16(s + 40) & abi.SUBCLOCKFLAGS_ABSTIME) !== 0;
        let waitMs: number;
        // The guest's clocks are the shim's: monotonic is performance.now(), realtime Date.now().
        if (id === abi.CLOCKID_MONOTONIC) waitMs = abs ? ns / 1e6 - start : ns / 1e6;
        else if (id === abi.CLOCKID_REALTIME) waitMs = abs ? ns / 1e6 - Date.now() : ns / 1e6;
        else return abi.ERRNO_INVAL;
        if (waitMs < 0) waitMs = 0;
        subDeadline[i] = start + waitMs;
        const ms = Math.min(Math.ceil(waitMs), 0x7fffffff);
        if (timeoutMs < 0 || ms < timeoutMs) timeoutMs = ms;
      } else if (tag === abi.EVENTTYPE_FD_READ || tag === abi.EVENTTYPE_FD_WRITE) {
        const f = this.fds.get(mem.u32(s + 16));
        if (f === undefined) { subNow[i] = abi.ERRNO_BADF; immediate ||= !wasmedge; continue; }
        // Sockets and a piped stdin wait in poll(2); files and bytes are always ready.
        const pfd = f.pollFd();
        if (pfd < 0) { subNow[i] = abi.ERRNO_SUCCESS; immediate = true; continue; }
        this.pdv.setInt32(nfds * 8, pfd, true);
        this.pdv.setInt16(nfds * 8 + 4, tag === abi.EVENTTYPE_FD_READ ? POLLIN : POLLOUT, true);
        this.pdv.setInt16(nfds * 8 + 6, 0, true);
        subSlot[i] = nfds++;
      } else {
        return abi.ERRNO_INVAL;
      }
    }
    // Anything ready at once (files, stdio, bad fds) makes this a non-blocking look.
    if (immediate) timeoutMs = 0;
    const cancelSlot = nfds;
    for (;;) {
      this.pdv.setInt32(cancelSlot * 8, this.cancelFd, true);
      this.pdv.setInt16(cancelSlot * 8 + 4, POLLIN, true);
      this.pdv.setInt16(cancelSlot * 8 + 6, 0, true);
      const rc = this.native.poll(this.pollfds, nfds + 1, this.pollTimeout(timeoutMs));
      if (rc < 0 && this.native.errno() !== EINTR) return this.errno();
      if (this.pdv.getInt16(cancelSlot * 8 + 6, true) !== 0) { this.killed = true; throw new KillSignal(); }
      this.checkKill();
      // The run's deadline cut this wait short: unwind (pollTimeout throws past it).
      if (rc === 0 && this.deadline !== Infinity) this.pollTimeout(0);
      if (rc > 0 || timeoutMs === 0) break;
      // A timeout (or EINTR): done once a clock is due, else wait out the rest.
      const now = performance.now();
      let next = Infinity;
      for (let i = 0; i < n; i++) if (subDeadline[i] === subDeadline[i]) next = Math.min(next, subDeadline[i]);
      if (next === Infinity) { if (rc < 0) continue; break; }
      if (now >= next) break;
      timeoutMs = Math.max(1, Math.ceil(next - now));
    }
    mem.refresh();
    const now = performance.now();
    let events = 0;
    for (let i = 0; i < n; i++) {
      let error = abi.ERRNO_SUCCESS;
      let flags = 0;
      const type = mem.u8[in_ptr + i * abi.SUBSCRIPTION_SIZE + 8];
      if (subDeadline[i] === subDeadline[i]) {
        if (now < subDeadline[i]) continue;
      } else if (subNow[i] >= 0) {
        error = subNow[i];
      } else {
        const slot = subSlot[i];
        const re = this.pdv.getInt16(slot * 8 + 6, true);
        if (re === 0) continue;
        if (re & POLLNVAL) error = abi.ERRNO_BADF;
        else {
          const ready = type === abi.EVENTTYPE_FD_READ ? (re & (POLLIN | POLLHUP | POLLERR)) !== 0 : (re & (POLLOUT | POLLHUP | POLLERR)) !== 0;
          if (!ready) continue;
          if (re & POLLHUP) flags = abi.EVENTRWFLAGS_HANGUP;
        }
      }
      // struct event: userdata u64 @0, error u16 @8, type u8 @10, nbytes u64 @16, flags u16 @24.
      const e = out_ptr + events * abi.EVENT_SIZE;
      const sub = in_ptr + i * abi.SUBSCRIPTION_SIZE;
      mem.u8.fill(0, e, e + abi.EVENT_SIZE);
      mem.setU32(e, mem.u32(sub));
      mem.setU32(e + 4, mem.u32(sub + 4));
      mem.setU16(e + 8, error);
      mem.u8[e + 10] = type;
      mem.setU16(e + 24, flags);
      // nbytes: what is queued (FIONREAD), for a poll of one socket only: wasi-libc's
      // ioctl(FIONREAD) polls one fd so; a poll over many would pay an ioctl per ready socket.
      if (type === abi.EVENTTYPE_FD_READ && error === abi.ERRNO_SUCCESS && nfds === 1 && subSlot[i] >= 0) {
        const queued = this.native.ioctlInt(this.pdv.getInt32(subSlot[i] * 8, true), FIONREAD);
        if (queued > 0) mem.setU32(e + 16, queued);
      }
      events++;
    }
    mem.setU32(nevents_ptr, events);
    return abi.ERRNO_SUCCESS;
  }


  /** sock_getaddrinfo: see lookup.ts. */
  sock_getaddrinfo(node_ptr: number, node_len: number, service_ptr: number, service_len: number, hints_ptr: number, res_ptr: number, max_len: number, res_len_ptr: number): number {
    return this.lookups.sock_getaddrinfo(node_ptr, node_len, service_ptr, service_len, hints_ptr, res_ptr, max_len, res_len_ptr);
  }

  /** sock_lookup_ip: see lookup.ts. */
  sock_lookup_ip(name_ptr: number, name_len: number, family: number, buf_ptr: number, buf_len: number, count_ptr: number): number {
    return this.lookups.sock_lookup_ip(name_ptr, name_len, family, buf_ptr, buf_len, count_ptr);
  }
}
