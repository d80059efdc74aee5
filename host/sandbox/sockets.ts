// The socket imports a guest sees: WasmEdge's sock_* functions (and their _v2 names),
// poll_oneoff / epoll_oneoff and the lookups in `wasi_snapshot_preview1`, and
// getsockopt/setsockopt in `sockbox`. This module is the only reader and writer of
// guest memory for sockets, and the books of every socket the guest holds.
//
// A call goes: argument checks here (guest memory, the fd) → the policy (before any
// syscall) → the core (option ids, guest numbering) → native-io.ts (the syscall, and
// any wait, which kill() interrupts) → the answer written to guest memory, a WASI
// errno returned. No import throws, except the two signals that must unwind the guest:
// proc_exit and a kill.
//
// Guest pointers and lengths arrive as i32, so one at 2 GiB or above is negative in
// JS: GuestMemory and the codecs take them as u32 (>>> 0); arithmetic on them here
// normalises first.

import type { NativeApi } from '../native/libc.js';
import { POLLIN, POLLOUT } from '../native/libc.js';
import { toWasiErrno } from '../native/errno.js';
import { AF_INET as HOST_AF_INET, AF_INET6 as HOST_AF_INET6 } from '../native/sockaddr.js';
import { constants as osConstants } from 'node:os';
import { core, HOST_PLATFORM } from '../core.js';
import type { Policy } from './policy.js';
import { GuestMemory } from './memory.js';
import type { SocketFd } from './socketfd.js';
import type { FdTable } from './fdtable.js';
import { SocketBooks } from './socket-books.js';
import { FdRegistry } from './registry.js';
import { addressText, type EventSink } from './events.js';
import { Lookups, type Resolver } from './lookup.js';
import { NativeIO } from './native-io.js';
import { SocketOptions } from './socket-options.js';
import { Poller } from './poll.js';
import { readAddress, writeAddress } from './abi-codecs.js';
import * as abi from './abi.js';

export { KillSignal, isUnwind } from './unwind.js';
export type { Resolver } from './lookup.js';

const sym = core().symbols;
const gabi = core().exports;
const HOST_SOCK_NONBLOCK = sym.get('SOCK_NONBLOCK') ?? 0;
const HOST_SOCK_CLOEXEC = sym.get('SOCK_CLOEXEC') ?? 0;
const HOST_SOCK_DGRAM = sym.get('SOCK_DGRAM')!;
const OPT = core().byName;
const SO_BINDTODEVICE = OPT.get('SO_BINDTODEVICE')!;
const IPV6_V6ONLY = OPT.get('IPV6_V6ONLY')!;
/** WasmEdge's SOL_SOCKET option numbers → catalogue ids. */
const UNSPEC4 = new Uint8Array(4);
const UNSPEC6 = new Uint8Array(16);
const EINPROGRESS = (osConstants.errno as Record<string, number>).EINPROGRESS;

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

/**
 * The socket half of a sandbox: the fd-table entries that are sockets, their imports,
 * and the books of every native fd the guest holds.
 */
export class SocketHost {
  readonly mem: GuestMemory;
  /** Where boundary events go; null: nobody listens. */
  readonly events: EventSink;
  private readonly native: NativeApi;
  private readonly policy: Policy;
  private readonly io: NativeIO;
  private readonly options: SocketOptions;
  private readonly poller: Poller;
  private readonly lookups: Lookups;
  private readonly books: SocketBooks;

  constructor(opts: SocketHostOptions) {
    this.native = opts.native;
    this.policy = opts.policy;
    this.mem = new GuestMemory(opts.native);
    this.events = opts.events ?? null;
    this.io = new NativeIO(opts.native, opts.cancelFd, opts.cancelFlag, opts.deadline ?? Infinity);
    this.books = new SocketBooks(this.io, opts.registry instanceof FdRegistry ? opts.registry : new FdRegistry(opts.registry), this.events);
    const refuse = (call: string, what: string, rule: string) => this.refuse(call, what, rule);
    this.options = new SocketOptions(this.mem, this.io, this.policy, refuse);
    this.poller = new Poller(this.mem, this.io, () => this.books.fds);
    const native = opts.native;
    this.lookups = new Lookups({
      mem: this.mem, policy: this.policy, events: this.events, refuse,
      resolve: opts.resolver ?? ((node, service, hints) => native.getaddrinfo(node, service, hints)),
      checkKill: () => this.io.checkKill(),
    });
  }

  /** When the run (or the plugin call) must end, performance.now() ms; Infinity: never. */
  get deadline(): number {
    return this.io.deadline;
  }

  set deadline(at: number) {
    this.io.deadline = at;
  }

  /** Binds the layer to the run's fd table (shared: sockets live in it too). */
  attachFds(fds: FdTable): void {
    this.books.fds = fds;
  }

  /** Number of sockets the guest holds open. */
  get openSockets(): number {
    return this.books.size;
  }

  /** Throws KillSignal once the sandbox has been killed. */
  checkKill(): void {
    this.io.checkKill();
  }

  /** Waits until a native fd (a piped stdin) is readable; kill() and the deadline end the wait. */
  waitReadable(nativeFd: number): number {
    return this.io.waitReadable(nativeFd);
  }

  /** A refusal: NOTCAPABLE, and a 'refused' event naming the rule when the host listens. */
  refuse(call: string, what: string, rule: string): number {
    this.events?.({ type: 'refused', call, what, rule });
    return abi.ERRNO_NOTCAPABLE;
  }

  /** Takes a listener the host opened into the fd table (socket-books.ts). */
  adoptListener(nativeFd: number, v6: boolean, slot: number, address: string, port: number): number {
    return this.books.adoptListener(nativeFd, v6, slot, address, port);
  }

  /** Closes every socket the guest still holds. Runs when the guest ends, however it ends. */
  closeAll(): void {
    this.books.closeAll();
  }

  /**
   * Every socket import opens with this: a kill unwinds the guest, memory is re-read if
   * it grew, and the fd must be an open socket. The socket, or a WASI errno (BADF, NOTSOCK).
   */
  private enter(fd: number): SocketFd | number {
    this.io.checkKill();
    this.mem.refresh();
    return this.books.socket(fd);
  }

  /** The unspecified address of a socket's family (0.0.0.0 or ::). */
  private unspecified(sock: SocketFd): Uint8Array {
    return sock.hostFamily === HOST_AF_INET ? UNSPEC4 : UNSPEC6;
  }

  // ── open, bind, connect, listen, accept ──────────────────────────────────

  /** sock_open(af, socktype, ro_fd_ptr). Output: the new fd at ro_fd_ptr. */
  sock_open(af: number, socktype: number, ro_fd_ptr: number): number {
    this.io.checkKill();
    this.mem.refresh();
    const hostFamily = gabi.familyToHost(af, HOST_PLATFORM);
    const hostType = gabi.socktypeToHost(socktype, HOST_PLATFORM);
    // Raw, packet, unix and unknown families or types are not for guests.
    if (hostFamily < 0 || hostType < 0) return this.refuse('sock_open', `af=${af} socktype=${socktype}`, 'only IPv4 and IPv6, stream and datagram sockets');
    if (!this.mem.ok(ro_fd_ptr, 4)) return abi.ERRNO_FAULT;
    if (this.books.size >= this.policy.maxSockets) return this.refuse('sock_open', `socket ${this.books.size + 1}`, `maxSockets (${this.policy.maxSockets})`);
    const nfd = this.native.socket(hostFamily, hostType | HOST_SOCK_NONBLOCK | HOST_SOCK_CLOEXEC, 0);
    if (nfd < 0) return this.io.errno();
    if (!HOST_SOCK_NONBLOCK) this.io.setNonblocking(nfd);
    const type = hostType === HOST_SOCK_DGRAM ? abi.SOCK_DGRAM : abi.SOCK_STREAM;
    const fd = this.books.fds.insert(this.books.adopt(nfd, hostFamily, type));
    this.mem.setU32(ro_fd_ptr, fd);
    this.events?.({ type: 'socket', fd, family: hostFamily === HOST_AF_INET ? 'inet' : 'inet6', socktype: type === abi.SOCK_STREAM ? 'stream' : 'dgram' });
    return abi.ERRNO_SUCCESS;
  }

  /**
   * The checks bind, connect and send_to share: the guest's address and port, then the
   * policy (`may`). On success the sockaddr is in scratch and its length is returned;
   * otherwise -errno.
   */
  private target(sock: SocketFd, addr_ptr: number, port: number, may: (ip: Uint8Array, port: number) => boolean, call: string): number {
    const ip = readAddress(this.mem, addr_ptr);
    if (typeof ip === 'number') return -ip;
    if ((port >>> 0) > 65535) return -abi.ERRNO_INVAL;
    if (!may(ip, port)) {
      const what = ip.length === 4 ? `${addressText(ip)}:${port}` : `[${addressText(ip)}]:${port}`;
      return -this.refuse(call, what, call === 'sock_bind' ? 'no net.bind grant matches' : 'no net.connect grant matches');
    }
    return this.io.setSockaddr(sock.hostFamily, ip, port);
  }

  private readonly mayBind = (ip: Uint8Array, port: number): boolean => this.policy.canBind(ip, port);
  private readonly mayConnect = (ip: Uint8Array, port: number): boolean => this.policy.canConnect(ip, port);

  /** sock_bind(fd, addr_ptr, port). */
  sock_bind(fd: number, addr_ptr: number, port: number): number {
    const sock = this.enter(fd);
    if (typeof sock === 'number') return sock;
    const len = this.target(sock, addr_ptr, port, this.mayBind, 'sock_bind');
    if (len < 0) return -len;
    // [::] with IPV6_V6ONLY off (Linux's default) also takes IPv4 on 0.0.0.0: only when
    // that is granted too. Otherwise the socket is made IPv6-only before it binds.
    if (sock.hostFamily === HOST_AF_INET6 && this.io.addr(24).subarray(8).every((b) => b === 0)) {
      const v = this.v6only(sock, port);
      if (v !== abi.ERRNO_SUCCESS) return v;
    }
    const rc = this.native.bind(sock.nativeFd, this.io.addr(len), len) < 0 ? this.io.errno() : abi.ERRNO_SUCCESS;
    if (this.events) this.emitAddress('bind', sock, len, rc);
    return rc;
  }

  /** A bind or connect event for the sockaddr of `len` bytes in scratch. */
  private emitAddress(type: 'bind' | 'connect', sock: SocketFd, len: number, errno: number): void {
    const a = this.io.sockaddrAt(len);
    if (a) this.events?.({ type, fd: this.books.fds.indexOf(sock), address: addressText(a.ip), port: a.port, errno });
  }

  /**
   * Before an IPv6 socket binds `::` on `port` (or listens unbound, which binds `::`):
   * unless the policy grants 0.0.0.0 on that port too, sets IPV6_V6ONLY so that the
   * socket takes no IPv4 traffic. (Once bound, the kernel refuses to change it.)
   */
  private v6only(sock: SocketFd, port: number): number {
    if (this.policy.canBind(UNSPEC4, port)) return abi.ERRNO_SUCCESS;
    return this.io.setInt(sock.nativeFd, IPV6_V6ONLY.hostLevel, IPV6_V6ONLY.hostNumber, 1);
  }

  /** sock_connect(fd, addr_ptr, port). A blocking socket waits for the outcome. */
  sock_connect(fd: number, addr_ptr: number, port: number): number {
    const sock = this.enter(fd);
    if (typeof sock === 'number') return sock;
    const len = this.target(sock, addr_ptr, port, this.mayConnect, 'sock_connect');
    if (len < 0) return -len;
    const rc = this.connect(sock, len);
    if (this.events) {
      const ip = readAddress(this.mem, addr_ptr);
      this.events({ type: 'connect', fd: this.books.fds.indexOf(sock), address: typeof ip === 'number' ? '?' : addressText(ip), port: port >>> 0, errno: rc });
    }
    return rc;
  }

  private connect(sock: SocketFd, len: number): number {
    const io = this.io;
    if (this.native.connect(sock.nativeFd, io.addr(len), len) === 0) return abi.ERRNO_SUCCESS;
    if (this.native.errno() !== EINPROGRESS || sock.nonblock) return io.errno();
    // Like Linux when SO_SNDTIMEO runs out: the connect goes on, the guest hears INPROGRESS.
    io.spins.n = 0;
    const w = io.wait(sock, POLLOUT, io.timeoutMs(sock, true));
    if (w === abi.ERRNO_AGAIN) return abi.ERRNO_INPROGRESS;
    if (w !== 0) return w;
    return toWasiErrno(io.soError(sock.nativeFd));
  }

  /** sock_listen(fd, backlog). */
  sock_listen(fd: number, backlog: number): number {
    const sock = this.enter(fd);
    if (typeof sock === 'number') return sock;
    // listen() on an unbound socket binds it to 0.0.0.0 / :: on an ephemeral port: every
    // interface, which needs a bind grant for the unspecified address.
    if (this.io.boundPort(sock.nativeFd) === 0) {
      if (!this.policy.canBind(this.unspecified(sock), 0)) return this.refuse('sock_listen', sock.hostFamily === HOST_AF_INET ? '0.0.0.0:0' : '[::]:0', 'listen on an unbound socket binds every interface: no net.bind grant for it');
      if (sock.hostFamily === HOST_AF_INET6) {
        const v = this.v6only(sock, 0);
        if (v !== abi.ERRNO_SUCCESS) return v;
      }
    }
    const rc = this.native.listen(sock.nativeFd, backlog) < 0 ? this.io.errno() : abi.ERRNO_SUCCESS;
    this.events?.({ type: 'listen', fd: this.books.fds.indexOf(sock), backlog, errno: rc });
    return rc;
  }

  /** sock_accept: V1 (fd, ro_fd_ptr) or V2 (fd, fdflags, ro_fd_ptr). Output: the new fd. */
  sock_accept(fd: number, a: number, b?: number): number {
    const sock = this.enter(fd);
    if (typeof sock === 'number') return sock;
    const v2 = b !== undefined;
    const fdflags = v2 ? a : 0;
    const ro_fd_ptr = v2 ? b : a;
    if ((fdflags & ~abi.FDFLAGS_NONBLOCK) !== 0) return abi.ERRNO_INVAL;
    if (!this.mem.ok(ro_fd_ptr, 4)) return abi.ERRNO_FAULT;
    if (this.books.size >= this.policy.maxSockets) return this.refuse('sock_accept', `socket ${this.books.size + 1}`, `maxSockets (${this.policy.maxSockets})`);
    const io = this.io;
    let timeout: number | undefined;
    io.spins.n = 0;
    for (;;) {
      const nfd = this.native.accept4(sock.nativeFd, null, null, HOST_SOCK_NONBLOCK | HOST_SOCK_CLOEXEC);
      if (nfd >= 0) {
        if (!HOST_SOCK_NONBLOCK) io.setNonblocking(nfd);
        const conn = this.books.adopt(nfd, sock.hostFamily, sock.type);
        conn.nonblock = (fdflags & abi.FDFLAGS_NONBLOCK) !== 0;
        this.mem.refresh();
        const newFd = this.books.fds.insert(conn);
        this.mem.setU32(ro_fd_ptr, newFd);
        if (this.events) {
          const p = io.name(conn.nativeFd, true);
          this.events({ type: 'accept', fd: this.books.fds.indexOf(sock), newFd, peer: typeof p === 'number' ? { address: '?', port: 0 } : { address: addressText(p.ip), port: p.port } });
        }
        return abi.ERRNO_SUCCESS;
      }
      if (!io.wouldBlock()) return io.errno();
      if (sock.nonblock) return abi.ERRNO_AGAIN;
      timeout ??= io.timeoutMs(sock, false);
      const w = io.wait(sock, POLLIN, timeout);
      if (w !== 0) return w;
    }
  }

  // ── receive and send ─────────────────────────────────────────────────────

  /** sock_recv(fd, iovs_ptr, iovs_len, riflags, ro_len_ptr, ro_flags_ptr). */
  sock_recv(fd: number, iovs_ptr: number, iovs_len: number, riflags: number, ro_len_ptr: number, ro_flags_ptr: number): number {
    const sock = this.enter(fd);
    if (typeof sock === 'number') return sock;
    if (!this.mem.ok(ro_len_ptr, 4) || !this.mem.ok(ro_flags_ptr, 2)) return abi.ERRNO_FAULT;
    const rc = this.io.recv(this.mem, sock, iovs_ptr, iovs_len, riflags, false);
    if (rc !== abi.ERRNO_SUCCESS) return rc;
    this.mem.setU32(ro_len_ptr, this.io.rx.n);
    this.mem.setU16(ro_flags_ptr, this.io.rx.truncated ? abi.ROFLAGS_RECV_DATA_TRUNCATED : 0);
    return abi.ERRNO_SUCCESS;
  }

  /**
   * sock_recv_from: V1 (fd, iovs_ptr, iovs_len, addr_ptr, riflags, ro_len_ptr, ro_flags_ptr)
   * or V2 (fd, iovs_ptr, iovs_len, addr_ptr, riflags, port_ptr, ro_len_ptr, ro_flags_ptr).
   */
  sock_recv_from(fd: number, iovs_ptr: number, iovs_len: number, addr_ptr: number, riflags: number, a: number, b: number, c?: number): number {
    const sock = this.enter(fd);
    if (typeof sock === 'number') return sock;
    const v2 = c !== undefined;
    const port_ptr = v2 ? a : 0;
    const ro_len_ptr = v2 ? b : a;
    const ro_flags_ptr = v2 ? c : b;
    const mem = this.mem;
    if (!mem.ok(ro_len_ptr, 4) || !mem.ok(ro_flags_ptr, 2) || !mem.ok(addr_ptr, abi.WASI_ADDRESS_SIZE)) return abi.ERRNO_FAULT;
    if (v2 && !mem.ok(port_ptr, 4)) return abi.ERRNO_FAULT;
    const rc = this.io.recv(mem, sock, iovs_ptr, iovs_len, riflags, true);
    if (rc !== abi.ERRNO_SUCCESS) return rc;
    const rx = this.io.rx;
    const from = this.io.sockaddrAt(rx.namelen);
    if (from) {
      const w = writeAddress(mem, addr_ptr, from.ip);
      if (w !== abi.ERRNO_SUCCESS) return w;
    }
    if (v2) mem.setU32(port_ptr, from ? from.port : 0);
    mem.setU32(ro_len_ptr, rx.n);
    mem.setU16(ro_flags_ptr, rx.truncated ? abi.ROFLAGS_RECV_DATA_TRUNCATED : 0);
    return abi.ERRNO_SUCCESS;
  }

  /** sock_send(fd, ciovs_ptr, ciovs_len, siflags, ro_len_ptr). */
  sock_send(fd: number, ciovs_ptr: number, ciovs_len: number, siflags: number, ro_len_ptr: number): number {
    const sock = this.enter(fd);
    if (typeof sock === 'number') return sock;
    if (siflags !== 0) return abi.ERRNO_INVAL;
    if (!this.mem.ok(ro_len_ptr, 4)) return abi.ERRNO_FAULT;
    const n = this.io.send(this.mem, sock, ciovs_ptr, ciovs_len, 0);
    if (n < 0) return -n;
    this.mem.setU32(ro_len_ptr, n);
    return abi.ERRNO_SUCCESS;
  }

  /** sock_send_to(fd, ciovs_ptr, ciovs_len, addr_ptr, port, siflags, ro_len_ptr). */
  sock_send_to(fd: number, ciovs_ptr: number, ciovs_len: number, addr_ptr: number, port: number, siflags: number, ro_len_ptr: number): number {
    const sock = this.enter(fd);
    if (typeof sock === 'number') return sock;
    if (siflags !== 0) return abi.ERRNO_INVAL;
    if (!this.mem.ok(ro_len_ptr, 4)) return abi.ERRNO_FAULT;
    const len = this.target(sock, addr_ptr, port, this.mayConnect, 'sock_send_to');
    if (len < 0) return -len;
    // An unbound UDP socket's first sendto would bind it to 0.0.0.0 / ::, where it then
    // takes datagrams from anyone on every interface. Unless the policy grants the
    // unspecified address, bind it to the source address of the route to the (granted)
    // destination instead: what a connect grant implies, and no more.
    if (sock.type === abi.SOCK_DGRAM && !this.policy.canBind(this.unspecified(sock), 0)) {
      const b = this.io.bindToRouteSource(sock, len, HOST_SOCK_DGRAM | HOST_SOCK_CLOEXEC);
      if (b !== abi.ERRNO_SUCCESS) return b;
    }
    const n = this.io.send(this.mem, sock, ciovs_ptr, ciovs_len, len);
    if (n < 0) return -n;
    this.mem.setU32(ro_len_ptr, n);
    return abi.ERRNO_SUCCESS;
  }

  /** sock_shutdown(fd, how): RD 1, WR 2, both 3. */
  sock_shutdown(fd: number, how: number): number {
    const sock = this.enter(fd);
    if (typeof sock === 'number') return sock;
    const h = gabi.shutdownToHost(how, HOST_PLATFORM);
    if (h < 0) return abi.ERRNO_INVAL;
    return this.native.shutdown(sock.nativeFd, h) < 0 ? this.io.errno() : abi.ERRNO_SUCCESS;
  }

  /** fd_read on a socket: recv with no flags. Output: bytes read at nread_ptr. */
  fd_read(sock: SocketFd, iovs_ptr: number, iovs_len: number, nread_ptr: number): number {
    if (!this.mem.ok(nread_ptr, 4)) return abi.ERRNO_FAULT;
    const rc = this.io.recv(this.mem, sock, iovs_ptr, iovs_len, 0, false);
    if (rc !== abi.ERRNO_SUCCESS) return rc;
    this.mem.setU32(nread_ptr, this.io.rx.n);
    return abi.ERRNO_SUCCESS;
  }

  /** fd_write on a socket: send. Output: bytes written at nwritten_ptr. */
  fd_write(sock: SocketFd, iovs_ptr: number, iovs_len: number, nwritten_ptr: number): number {
    if (!this.mem.ok(nwritten_ptr, 4)) return abi.ERRNO_FAULT;
    const n = this.io.send(this.mem, sock, iovs_ptr, iovs_len, 0);
    if (n < 0) return -n;
    this.mem.setU32(nwritten_ptr, n);
    return abi.ERRNO_SUCCESS;
  }

  // ── options ──────────────────────────────────────────────────────────────

  /** sock_getsockopt(fd, level, name, buf_ptr, len_ptr): WasmEdge numbering, SOL_SOCKET only. */
  sock_getsockopt(fd: number, level: number, name: number, buf_ptr: number, len_ptr: number): number {
    const sock = this.enter(fd);
    return typeof sock === 'number' ? sock : this.options.getNumbered(sock, level, name, buf_ptr, len_ptr, true);
  }

  /** sock_setsockopt(fd, level, name, buf_ptr, len): WasmEdge numbering, SOL_SOCKET only. */
  sock_setsockopt(fd: number, level: number, name: number, buf_ptr: number, len: number): number {
    const sock = this.enter(fd);
    return typeof sock === 'number' ? sock : this.options.setNumbered(sock, level, name, buf_ptr, len, true);
  }

  /** sockbox.getsockopt(fd, level, optname, optval_ptr, optlen_ptr): Linux numbering, every level. */
  getsockopt(fd: number, level: number, optname: number, optval_ptr: number, optlen_ptr: number): number {
    const sock = this.enter(fd);
    return typeof sock === 'number' ? sock : this.options.getNumbered(sock, level, optname, optval_ptr, optlen_ptr, false);
  }

  /** sockbox.setsockopt(fd, level, optname, optval_ptr, optlen): Linux numbering, every level. */
  setsockopt(fd: number, level: number, optname: number, optval_ptr: number, optlen: number): number {
    const sock = this.enter(fd);
    return typeof sock === 'number' ? sock : this.options.setNumbered(sock, level, optname, optval_ptr, optlen, false);
  }

  /** sock_bind_device(fd, name_ptr, name_len): SO_BINDTODEVICE to the name (empty: unbind), that option's policy. */
  sock_bind_device(fd: number, name_ptr: number, name_len: number): number {
    const sock = this.enter(fd);
    return typeof sock === 'number' ? sock : this.options.set(sock, SO_BINDTODEVICE, name_ptr, name_len);
  }

  // ── addresses ────────────────────────────────────────────────────────────

  /**
   * sock_getlocaladdr / sock_getpeeraddr: V1 (fd, addr_ptr, addr_type_ptr, port_ptr),
   * addr_type 4 or 6; or V2 (fd, addr_ptr, port_ptr), the family in the address.
   */
  private sockName(peer: boolean, fd: number, addr_ptr: number, a: number, b?: number): number {
    const sock = this.enter(fd);
    if (typeof sock === 'number') return sock;
    const v1 = b !== undefined;
    const type_ptr = v1 ? a : 0;
    const port_ptr = v1 ? b : a;
    const mem = this.mem;
    if (!mem.ok(port_ptr, 4) || (v1 && !mem.ok(type_ptr, 4))) return abi.ERRNO_FAULT;
    const p = this.io.name(sock.nativeFd, peer);
    if (typeof p === 'number') return -p;
    const w = writeAddress(mem, addr_ptr, p.ip);
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

  // ── waiting and names (own modules) ──────────────────────────────────────

  /** poll_oneoff(in_ptr, out_ptr, nsubscriptions, nevents_ptr): see poll.ts. */
  poll_oneoff(in_ptr: number, out_ptr: number, nsubscriptions: number, nevents_ptr: number): number {
    this.io.checkKill();
    this.mem.refresh();
    return this.poller.poll(in_ptr, out_ptr, nsubscriptions, nevents_ptr, false);
  }

  /** WasmEdge's epoll_oneoff: see poll.ts. */
  epoll_oneoff(in_ptr: number, out_ptr: number, nsubscriptions: number, nevents_ptr: number): number {
    this.io.checkKill();
    this.mem.refresh();
    return this.poller.poll(in_ptr, out_ptr, nsubscriptions, nevents_ptr, true);
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
