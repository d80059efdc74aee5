// The facade: a socket object that mirrors Python's `socket.socket`, on real kernel
// sockets through host/native. getsockopt/setsockopt follow CPython's argument rules
// (Modules/socketmodule.c, sock_getsockopt / sock_setsockopt) on the same machine.

import { native, intErrno, F_GETFL, F_SETFL, O_NONBLOCK, type NativeApi } from './native/libc.js';
import { waitReady } from './socket-wait.js';
import { errnoNumber } from './native/errno.js';
import {
  AF_INET, AF_INET6, SOCKADDR_MAX, decodeSockaddr, encodeSockaddrIn, encodeSockaddrIn6,
  parseIPv4, parseIPv6, type SockAddr,
} from './native/sockaddr.js';
import { core } from './core.js';
import { SocketError } from './errors.js';
import { isCInt, checkInt, typeName, isBytesLike, validateTimeout, intoArgs } from './validators.js';
import {
  getOption, setOption, type OptionValue, type OptionInput, type OptionValues, type OptionInputs,
  type ReadableOptionName, type WritableOptionName,
} from './options.js';

/** CPython's getsockopt buflen limit. */
const BUFLEN_MAX = 1024;

const sym = core().symbols;
const SOCK_STREAM = sym.get('SOCK_STREAM')!;
const SOCK_NONBLOCK = sym.get('SOCK_NONBLOCK') ?? 0;
const SOCK_CLOEXEC = sym.get('SOCK_CLOEXEC') ?? 0;
const SOL_SOCKET = sym.get('SOL_SOCKET')!;
const SO_ERROR = core().byName.get('SO_ERROR')!.hostNumber;

// Per-thread scratch buffers: every call is synchronous, so one set serves all sockets.
const OPT = new Uint8Array(BUFLEN_MAX);
const LEN = new Uint32Array(1);
/** The smallest C int: getsockoptInt's results below it are failures. */
const INT_MIN = -2147483648;
const EAGAIN = errnoNumber('EAGAIN')!;
const EWOULDBLOCK = errnoNumber('EWOULDBLOCK') ?? EAGAIN;
const EINPROGRESS = errnoNumber('EINPROGRESS')!;
const ETIMEDOUT = errnoNumber('ETIMEDOUT')!;

const ADDR = new Uint8Array(SOCKADDR_MAX);
const ADDRLEN = new Uint32Array(1);

/** An address as Python gives it: [host, port] (IPv4) or [host, port, flowinfo, scope_id] (IPv6). */
export type Address = [string, number] | [string, number, number, number];

export type { BytesLike } from './validators.js';
import type { BytesLike } from './validators.js';

function toBytes(v: BytesLike): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  return new Uint8Array(v);
}

/** Python's socket object, on a real kernel socket. */
export class Socket {
  /** Address family (AF_INET, AF_INET6, ...). */
  readonly family: number;
  /** Socket type without SOCK_NONBLOCK / SOCK_CLOEXEC, as Python shows it. */
  readonly type: number;
  /** Protocol number. */
  readonly proto: number;
  private fd: number;
  private readonly owned: boolean;
  private readonly libc: NativeApi;
  /**
   * Python's timeout, in seconds: null blocks, 0 never waits, > 0 waits at most that
   * long. undefined until settimeout/setblocking: then it follows the fd's O_NONBLOCK
   * (a socket from fromNodeSocket is non-blocking, as Python sees such an fd).
   */
  private timeout: number | null | undefined = undefined;

  /** @internal Use `socket()` or `fromNodeSocket()`. */
  constructor(fd: number, family: number, type: number, proto: number, owned = true, libc: NativeApi = native()) {
    this.fd = fd;
    this.family = family;
    this.type = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    this.proto = proto;
    this.owned = owned;
    this.libc = libc;
  }

  /** The file descriptor, or -1 once closed (as Python). */
  fileno(): number {
    return this.fd;
  }

  /**
   * getsockopt(level, optname) -> number; getsockopt(level, optname, buflen) -> bytes.
   * buflen 0 is the number form (as CPython's); 1..1024 gives the bytes the kernel
   * wrote; any other buflen is a RangeError.
   */
  getsockopt(level: number, optname: number, buflen?: 0): number;
  /**
   * With a buflen: the bytes the kernel wrote (at most buflen), a `Uint8Array`. A
   * literal 0 is the number form; a buflen typed only as `number` may be 0, so its
   * result is `Uint8Array | number`.
   */
  getsockopt<B extends number>(level: number, optname: number, buflen: B): B extends 0 ? number : number extends B ? Uint8Array | number : Uint8Array;
  getsockopt(level: number, optname: number, buflen?: number): Uint8Array | number {
    if (!isCInt(level)) checkInt(level, 'level');
    if (!isCInt(optname)) checkInt(optname, 'optname');
    if (buflen === undefined || buflen === 0) {
      // The int form in one native call: the value, or INT_ERROR - errno.
      const v = this.libc.getsockoptInt(this.fd, level, optname);
      if (v < INT_MIN) throw new SocketError(intErrno(v), 'getsockopt');
      return v;
    }
    const n = checkInt(buflen, 'buflen');
    if (n < 0 || n > BUFLEN_MAX) throw new RangeError('getsockopt buflen out of range');
    LEN[0] = n;
    if (this.libc.getsockopt(this.fd, level, optname, OPT, LEN) < 0) throw this.fail('getsockopt');
    return OPT.slice(0, Math.min(LEN[0], n));
  }

  /**
   * setsockopt(level, optname, value): value is a C int (number or boolean) or bytes.
   * setsockopt(level, optname, null, optlen): passes NULL with optlen, as Python does.
   */
  setsockopt(level: number, optname: number, value: number | boolean | BytesLike): void;
  setsockopt(level: number, optname: number, value: null, optlen: number): void;
  setsockopt(level: number, optname: number, value: number | boolean | BytesLike | null, optlen?: number): void {
    checkInt(level, 'level');
    checkInt(optname, 'optname');
    let rc: number;
    if (optlen !== undefined) {
      if (value !== null) throw new TypeError('setsockopt takes a value, or null with an optlen, not both');
      if (typeof optlen !== 'number' || !Number.isInteger(optlen)) {
        throw new TypeError(`optlen must be an integer, not ${typeName(optlen)}`);
      }
      // Python's `I` format: an unsigned int, masked without an overflow check.
      rc = this.libc.setsockopt(this.fd, level, optname, null, Number(BigInt.asUintN(32, BigInt(optlen))));
    } else if (typeof value === 'boolean' || isCInt(value)) {
      const e = this.libc.setsockoptInt(this.fd, level, optname, typeof value === 'boolean' ? (value ? 1 : 0) : value);
      if (e < 0) throw new SocketError(-e, 'setsockopt');
      return;
    } else if (isBytesLike(value)) {
      const bytes = toBytes(value);
      rc = this.libc.setsockopt(this.fd, level, optname, bytes, bytes.length);
    } else {
      throw new TypeError(
        `setsockopt value must be an integer in C int range, a boolean or bytes, not ${typeName(value)}` +
        (typeof value === 'number' && Number.isInteger(value) ? ` (${value} is out of range)` : ''),
      );
    }
    if (rc < 0) throw this.fail('setsockopt');
  }

  /**
   * Reads an option by name and returns it typed by its kind in the catalogue (see
   * README, "Typed options"): `getOption('SO_LINGER')` is a `Linger`. A name the
   * catalogue lacks, or a set-only option's, is a compile error when written as a
   * literal; at run time an unknown name is a TypeError, an option absent on this
   * platform a SocketError ENOPROTOOPT.
   */
  getOption<N extends ReadableOptionName>(name: N): OptionValues[N];
  /** A name known only at run time (a `string`): the value is any option's. */
  getOption<S extends string>(name: string extends S ? S : never): OptionValue;
  getOption(name: string): OptionValue {
    return getOption(this, name);
  }

  /**
   * Sets an option by name from a value of its kind: `setOption('SO_LINGER', { onoff:
   * true, seconds: 5 })`. A flag (kind 0,1) takes true/false or 0/1, anything else is a
   * TypeError. A misspelt or read-only option's name, or a value of the wrong type, is a
   * compile error when the name is a literal.
   */
  setOption<N extends WritableOptionName>(name: N, value: OptionInputs[N]): void;
  /** A name known only at run time (a `string`): the value is checked at run time. */
  setOption<S extends string>(name: string extends S ? S : never, value: OptionInput): void;
  setOption(name: string, value: OptionInput): void {
    setOption(this, name, value);
  }

  bind(address: Address | [string, number]): void {
    const len = this.encodeAddress(address, 'bind');
    if (this.libc.bind(this.fd, ADDR, len) < 0) throw this.fail('bind');
  }

  listen(backlog = 128): void {
    const b = checkInt(backlog, 'backlog');
    if (this.libc.listen(this.fd, Math.max(0, b)) < 0) throw this.fail('listen');
  }

  /** Waits for a connection: [new socket, peer address]. The new socket blocks (timeout None). */
  accept(): [Socket, Address] {
    ADDRLEN[0] = SOCKADDR_MAX;
    let fd = this.libc.accept4(this.fd, ADDR, ADDRLEN, SOCK_CLOEXEC);
    if (fd < 0) fd = this.again(false, 'accept', () => { ADDRLEN[0] = SOCKADDR_MAX; return this.libc.accept4(this.fd, ADDR, ADDRLEN, SOCK_CLOEXEC); });
    const peer = this.decodeAddress(ADDR, ADDRLEN[0]);
    return [new Socket(fd, this.family, this.type, this.proto, true, this.libc), peer];
  }

  /** Connects; with a timeout, waits at most that long ('timed out', code ETIMEDOUT). */
  connect(address: Address | [string, number]): void {
    const rc = this.connectErrno(address, 'connect');
    if (rc === ETIMEDOUT) throw this.timedOut('connect');
    if (rc !== 0) throw new SocketError(rc, 'connect');
  }

  /**
   * connect() that returns the errno number instead of throwing (0 on success); as in
   * CPython, a connect that timed out returns EWOULDBLOCK.
   */
  connect_ex(address: Address | [string, number]): number {
    const rc = this.connectErrno(address, 'connect_ex');
    return rc === ETIMEDOUT ? EWOULDBLOCK : rc;
  }

  /** connect(2), and with a timeout > 0 the wait for its end: 0, an errno, or ETIMEDOUT for the timeout. */
  private connectErrno(address: unknown, what: string): number {
    const len = this.encodeAddress(address, what);
    if (this.libc.connect(this.fd, ADDR, len) === 0) return 0;
    const err = this.libc.errno();
    const t = this.timeout;
    if (err !== EINPROGRESS || t === undefined || t === null || t === 0) return err;
    if (!waitReady(this.libc, this.fd, true, performance.now() + t * 1000, 'connect')) return ETIMEDOUT;
    // The connect's outcome, as CPython reads it.
    const so = this.libc.getsockoptInt(this.fd, SOL_SOCKET, SO_ERROR);
    return so < INT_MIN ? intErrno(so) : so;
  }

  /** Sends bytes; returns how many the kernel took. */
  send(data: BytesLike, flags = 0): number {
    const bytes = this.bytesArg(data, 'send');
    const f = checkInt(flags, 'flags');
    let n = this.libc.send(this.fd, bytes, bytes.length, f);
    if (n < 0) n = this.again(true, 'send', () => this.libc.send(this.fd, bytes, bytes.length, f));
    return n;
  }

  /** Sends all of `data`, looping over partial sends. */
  sendall(data: BytesLike, flags = 0): void {
    let bytes = this.bytesArg(data, 'sendall');
    const f = checkInt(flags, 'flags');
    // With a timeout, it bounds the whole call (CPython since 3.5), not each send.
    const t = this.timeout;
    const deadline = t !== undefined && t !== null && t > 0 ? performance.now() + t * 1000 : 0;
    while (bytes.length > 0) {
      const n = this.libc.send(this.fd, bytes, bytes.length, f);
      if (n >= 0) {
        bytes = bytes.subarray(n);
        continue;
      }
      const err = this.libc.errno();
      if (deadline === 0 || (err !== EAGAIN && err !== EWOULDBLOCK)) throw new SocketError(err, 'sendall');
      if (!waitReady(this.libc, this.fd, true, deadline, 'sendall')) throw this.timedOut('sendall');
    }
  }

  /** Receives at most `bufsize` bytes; an empty result means the peer closed. */
  recv(bufsize: number, flags = 0): Buffer {
    const size = this.sizeArg(bufsize, 'recv');
    const buf = Buffer.allocUnsafe(size);
    const n = this.recvInto(buf, size, checkInt(flags, 'flags'), 'recv');
    return buf.subarray(0, n);
  }

  /** sendto(data, address) or sendto(data, flags, address). */
  sendto(data: BytesLike, flagsOrAddress: number | Address | [string, number], address?: Address | [string, number]): number {
    const bytes = this.bytesArg(data, 'sendto');
    let flags = 0;
    let addr: Address | [string, number];
    if (address === undefined) addr = flagsOrAddress as Address;
    else { flags = checkInt(flagsOrAddress, 'flags'); addr = address; }
    const len = this.encodeAddress(addr, 'sendto');
    let n = this.libc.sendto(this.fd, bytes, bytes.length, flags, ADDR, len);
    if (n < 0) n = this.again(true, 'sendto', () => this.libc.sendto(this.fd, bytes, bytes.length, flags, ADDR, len));
    return n;
  }

  /** Receives a datagram: [bytes, sender address]. */
  recvfrom(bufsize: number, flags = 0): [Buffer, Address | null] {
    const size = this.sizeArg(bufsize, 'recvfrom');
    const buf = Buffer.allocUnsafe(size);
    const n = this.recvfromInto(buf, size, checkInt(flags, 'flags'), 'recvfrom');
    return [buf.subarray(0, n), ADDRLEN[0] > 0 ? this.decodeAddress(ADDR, ADDRLEN[0]) : null];
  }

  /**
   * Python's recv_into: receives into `buffer` (at most `nbytes`, 0: the buffer's
   * length) and returns how many bytes came; 0 means the peer closed.
   */
  recv_into(buffer: ArrayBufferView, nbytes = 0, flags = 0): number {
    const [view, n] = intoArgs(buffer, nbytes, 'recv_into', 'buffer too small for requested bytes');
    return this.recvInto(view, n, checkInt(flags, 'flags'), 'recv_into');
  }

  /** Python's recvfrom_into: [bytes received, sender address]. */
  recvfrom_into(buffer: ArrayBufferView, nbytes = 0, flags = 0): [number, Address | null] {
    const [view, n] = intoArgs(buffer, nbytes, 'recvfrom_into', 'nbytes is greater than the length of the buffer');
    const got = this.recvfromInto(view, n, checkInt(flags, 'flags'), 'recvfrom_into');
    return [got, ADDRLEN[0] > 0 ? this.decodeAddress(ADDR, ADDRLEN[0]) : null];
  }

  /**
   * Python's settimeout: null blocks (the default), 0 never waits (a call that would
   * throws EAGAIN / EINPROGRESS, as setblocking(false)), seconds > 0 wait at most that
   * long, then throw SocketError code 'ETIMEDOUT' with Python's message 'timed out'.
   * A timeout applies to each call (sendall: to the whole call), as in CPython.
   */
  settimeout(value: number | null): void {
    const t = validateTimeout(value);
    this.setNonblock(t !== null);
    this.timeout = t;
  }

  /** The timeout in seconds, or null when the socket blocks. */
  gettimeout(): number | null {
    return this.timeout === undefined ? (this.nonblockFlag() ? 0 : null) : this.timeout;
  }

  /** shutdown(SHUT_RD | SHUT_WR | SHUT_RDWR). */
  shutdown(how: number): void {
    if (this.libc.shutdown(this.fd, checkInt(how, 'how')) < 0) throw this.fail('shutdown');
  }

  getsockname(): Address {
    ADDRLEN[0] = SOCKADDR_MAX;
    if (this.libc.getsockname(this.fd, ADDR, ADDRLEN) < 0) throw this.fail('getsockname');
    return this.decodeAddress(ADDR, ADDRLEN[0]);
  }

  getpeername(): Address {
    ADDRLEN[0] = SOCKADDR_MAX;
    if (this.libc.getpeername(this.fd, ADDR, ADDRLEN) < 0) throw this.fail('getpeername');
    return this.decodeAddress(ADDR, ADDRLEN[0]);
  }

  /** setblocking(false) is settimeout(0), setblocking(true) settimeout(null), as in Python. */
  setblocking(flag: boolean): void {
    this.settimeout(flag ? null : 0);
  }

  /** False when the timeout is 0 (non-blocking); true otherwise, a timeout > 0 included. */
  getblocking(): boolean {
    return this.gettimeout() !== 0;
  }

  /**
   * Closes the socket (once; later calls do nothing). A socket wrapped by
   * fromNodeSocket() is only forgotten: Node still owns that fd.
   */
  close(): void {
    const fd = this.fd;
    if (fd < 0) return;
    this.fd = -1;
    if (this.owned && this.libc.close(fd) < 0) {
      const err = this.libc.errno();
      // Like CPython: a reset connection's close is not an error worth raising.
      if (err !== SocketError.fromCode('ECONNRESET', 'close').errno) throw new SocketError(err, 'close');
    }
  }

  /** Forgets the fd without closing it and returns it (Python's detach()). */
  detach(): number {
    const fd = this.fd;
    this.fd = -1;
    return fd;
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /** @internal The error for a failed call, from errno. */
  fail(syscall: string): SocketError {
    return new SocketError(this.libc.errno(), syscall);
  }

  /** @internal The native layer this socket calls. */
  get native(): NativeApi {
    return this.libc;
  }

  private nonblockFlag(): boolean {
    const fl = this.libc.fcntl(this.fd, F_GETFL, 0);
    if (fl < 0) throw this.fail('fcntl');
    return (fl & O_NONBLOCK) !== 0;
  }

  private setNonblock(on: boolean): void {
    const fl = this.libc.fcntl(this.fd, F_GETFL, 0);
    if (fl < 0) throw this.fail('fcntl');
    const next = on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
    if (next !== fl && this.libc.fcntl(this.fd, F_SETFL, next) < 0) throw this.fail('fcntl');
  }

  private timedOut(syscall: string): SocketError {
    return new SocketError(ETIMEDOUT, syscall, 'timed out');
  }

  /**
   * A call that failed (`op` returned < 0): with a timeout > 0 and EAGAIN, waits for the
   * fd (poll(2), up to what is left of the timeout) and calls `op` again, as CPython's
   * sock_call does; otherwise, or when the time is up, throws. Only failures come here,
   * so a call that succeeds at once pays nothing for timeouts.
   */
  private again(writing: boolean, syscall: string, op: () => number): number {
    const t = this.timeout;
    let err = this.libc.errno();
    if (t === undefined || t === null || t === 0 || (err !== EAGAIN && err !== EWOULDBLOCK)) throw new SocketError(err, syscall);
    const deadline = performance.now() + t * 1000;
    for (;;) {
      if (!waitReady(this.libc, this.fd, writing, deadline, syscall)) throw this.timedOut(syscall);
      const n = op();
      if (n >= 0) return n;
      err = this.libc.errno();
      if (err !== EAGAIN && err !== EWOULDBLOCK) throw new SocketError(err, syscall);
    }
  }

  private recvInto(buf: Uint8Array, size: number, flags: number, syscall: string): number {
    const n = this.libc.recv(this.fd, buf, size, flags);
    return n >= 0 ? n : this.again(false, syscall, () => this.libc.recv(this.fd, buf, size, flags));
  }

  private recvfromInto(buf: Uint8Array, size: number, flags: number, syscall: string): number {
    ADDRLEN[0] = SOCKADDR_MAX;
    const n = this.libc.recvfrom(this.fd, buf, size, flags, ADDR, ADDRLEN);
    if (n >= 0) return n;
    return this.again(false, syscall, () => { ADDRLEN[0] = SOCKADDR_MAX; return this.libc.recvfrom(this.fd, buf, size, flags, ADDR, ADDRLEN); });
  }

  private bytesArg(data: unknown, what: string): Uint8Array {
    if (!isBytesLike(data)) throw new TypeError(`${what}: a bytes-like object is required, not ${typeName(data)}`);
    return toBytes(data);
  }

  private sizeArg(bufsize: unknown, what: string): number {
    const size = checkInt(bufsize, 'bufsize');
    if (size < 0) throw new RangeError(`negative buffersize in ${what}`);
    return size;
  }

  /** Writes the address into ADDR for this socket's family; returns the sockaddr length. */
  private encodeAddress(address: unknown, what: string): number {
    if (!Array.isArray(address) || address.length < 2) {
      throw new TypeError(`${what}: address must be [host, port]`);
    }
    const [host, port] = address;
    if (typeof host !== 'string') throw new TypeError(`${what}: host must be a string, not ${typeName(host)}`);
    if (typeof port !== 'number' || !Number.isInteger(port)) throw new TypeError(`${what}: port must be an integer`);
    if (port < 0 || port > 65535) throw new RangeError(`${what}: port must be 0-65535.`);
    if (this.family === AF_INET) {
      const ip = host === '' ? new Uint8Array(4) : host === 'localhost' ? parseIPv4('127.0.0.1') : parseIPv4(host);
      if (!ip) throw new TypeError(`${what}: '${host}' is not an IPv4 address (names are not resolved)`);
      return encodeSockaddrIn(ADDR, ip, port);
    }
    if (this.family === AF_INET6) {
      const ip = host === '' ? new Uint8Array(16) : host === 'localhost' ? parseIPv6('::1') : parseIPv6(host);
      if (!ip) throw new TypeError(`${what}: '${host}' is not an IPv6 address (names are not resolved)`);
      const flowinfo = address.length > 2 ? checkInt(address[2], 'flowinfo') : 0;
      const scopeId = address.length > 3 ? checkInt(address[3], 'scope_id') : 0;
      return encodeSockaddrIn6(ADDR, ip, port, flowinfo >>> 0, scopeId >>> 0);
    }
    throw SocketError.fromCode('EAFNOSUPPORT', what, `${what}: address family ${this.family} is not supported by the facade`);
  }

  private decodeAddress(bytes: Uint8Array, len: number): Address {
    const a: SockAddr | null = decodeSockaddr(bytes, len);
    if (!a) return ['', 0];
    return a.family === AF_INET6 ? [a.address, a.port, a.flowinfo, a.scopeId] : [a.address, a.port];
  }
}

/**
 * Creates a socket, like Python's `socket.socket(family, type, proto)`.
 * Defaults: AF_INET, SOCK_STREAM, protocol 0. The fd is close-on-exec.
 */
export function socket(family: number = AF_INET, type: number = SOCK_STREAM, proto = 0): Socket {
  checkInt(family, 'family');
  checkInt(type, 'type');
  checkInt(proto, 'proto');
  const libc = native();
  const fd = libc.socket(family, type | SOCK_CLOEXEC, proto);
  if (fd < 0) throw new SocketError(libc.errno(), 'socket');
  return new Socket(fd, family, type, proto, true, libc);
}

