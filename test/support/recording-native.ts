// RecordingNative: a NativeApi (host/native/libc.ts) for tests that runs NO socket
// syscall. It records every call and answers as a quiet, well-behaved kernel would,
// so that a Sandbox with `{ worker: false, native: rec }` can be asked to connect to
// 10.0.0.1 and the test can check that nothing went out (DESIGN.md, Testing rules:
// refusals for non-loopback addresses are tested over a recording layer).
//
// Answers:
//   socket, accept4           a fake fd, 1000, 1001, … (never a real fd)
//   bind, listen, connect,
//   setsockopt(At), shutdown  0
//   close                     0 for a fake fd (it only records; nothing is closed), -1 EBADF otherwise
//   getsockopt(At)            zeros; *optlen = min(caller's length, the catalogue kind's size;
//                             4 for an option the catalogue lacks)
//   send, sendto, sendmsgAt   the full length
//   recv, recvfrom, recvmsgAt 0 bytes (an orderly shutdown); no sender (address length 0)
//   getsockname               the bound address (port 0 → a fake ephemeral port 49152 + n),
//                             or the family's unspecified address with a fake port
//   getpeername               the connected address, or -1 ENOTCONN
//   poll                      every entry on a fake fd ready for what it asks (POLLIN/POLLOUT);
//                             any other fd (the sandbox's cancel pipe) is left not ready
//   fcntl, pipe, read, write  0 / two fake fds / 0 / len (Sandbox itself uses the real libc
//                             for its cancel pipe, so these are not expected to be called)
//   getaddrinfo               numeric hosts answered from the text; names from `hosts` (a
//                             table the test fills: name -> addresses), names in `eai`
//                             (name -> a getaddrinfo(3) return code) fail so, others EAI_NONAME.
//                             No resolver, no DNS.
// A call on an fd this layer did not hand out (or has closed) fails with EBADF.
// setFailure(name, errno) makes every later call of that function fail with errno.
//
// Raw-address calls (getsockoptAt, setsockoptAt, recvmsgAt, sendmsgAt) carry native
// addresses as numbers. This layer never dereferences a number: addressOf() asks the
// real C library (memmove(p, p, 0) returns p) AND remembers which view lives at that
// address. A raw address is then resolved back to a JS view of a buffer that went
// through addressOf() (the sandbox's scratch buffer and guest memory do), and read or
// written through that view: getsockoptAt writes its fake answer there (zeros and the
// length), sendmsgAt reads the msghdr, iovecs and destination from there, recvmsgAt
// sets msg_namelen and msg_flags to 0 there. An address that does not resolve (or a
// range that runs past its buffer) is not touched: the call fails with EFAULT.

import { constants as osConstants } from 'node:os';
import { native, INT_ERROR, POLLIN, POLLOUT, type AddrinfoHints, type AddrinfoResult, type Buf, type NativeApi } from '../../host/native/libc.js';
import {
  AF_INET, AF_INET6, SOCKADDR_IN_LEN, SOCKADDR_IN6_LEN, decodeSockaddr, encodeSockaddrIn,
  encodeSockaddrIn6, parseIPv4, parseIPv6, type SockAddr,
} from '../../host/native/sockaddr.js';
import { core, HOST_PLATFORM, PLATFORM } from '../../host/core.js';

const E = osConstants.errno as Record<string, number>;
const IS_LINUX = HOST_PLATFORM === PLATFORM.LINUX;
/** EAI_NONAME: glibc <netdb.h> -2, macOS <netdb.h> 8. */
const EAI_NONAME = IS_LINUX ? -2 : 8;
/** The first fake fd. */
export const FAKE_FD_BASE = 1000;
/** The first fake ephemeral port getsockname hands out. */
const FAKE_EPHEMERAL_BASE = 49152;

/** One recorded call. */
export interface RecordedCall {
  /** The NativeApi method's name: 'socket', 'connect', 'setsockoptAt', 'sendmsgAt', … */
  name: string;
  /**
   * The arguments as passed, except that every view (ArrayBufferView) is replaced by a
   * Uint8Array copy of its bytes at the time of the call. Raw native addresses (the
   * *At calls) stay numbers.
   */
  args: unknown[];
  /**
   * The socket address the call carries, copied: bind and connect (addr), sendto (to),
   * sendmsgAt (msg_name; null when the msghdr has none). Decode with sockaddrOf().
   */
  sockaddr?: Uint8Array | null;
  /**
   * The bytes the call hands the kernel, copied: send/sendto/sendmsgAt (the payload,
   * all iovecs joined), setsockopt/setsockoptAt (the option value).
   */
  data?: Uint8Array;
}

/** Socket-level functions: what syscalls() returns by default. */
export const SOCKET_CALLS: readonly string[] = Object.freeze([
  'socket', 'bind', 'listen', 'accept4', 'connect', 'send', 'recv', 'sendto', 'recvfrom', 'shutdown',
  'getsockname', 'getpeername', 'getsockopt', 'setsockopt', 'getsockoptAt', 'setsockoptAt',
  'recvmsgAt', 'sendmsgAt', 'getaddrinfo',
]);

/** The decoded address of a recorded call (its `sockaddr`), or null. */
export function sockaddrOf(call: RecordedCall): SockAddr | null {
  const b = call.sockaddr;
  return b ? decodeSockaddr(b, b.length) : null;
}

/** A fake socket's books. */
interface FakeFd {
  kind: 'socket' | 'pipe';
  family: number;
  type: number;
  /** The sockaddr it was bound / connected to (copies). */
  bound: Uint8Array | null;
  peer: Uint8Array | null;
  ephemeralPort: number;
}

/** A buffer that went through addressOf(): its native address and a view of all of it. */
interface Region {
  address: number;
  view: Uint8Array;
}

function bytesOf(v: ArrayBufferView): Uint8Array {
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

function copy(v: unknown): unknown {
  return ArrayBuffer.isView(v) ? bytesOf(v).slice() : v;
}

/** A NativeApi that records every call and runs no socket syscall. */
export class RecordingNative implements NativeApi {
  /**
   * Every call so far, in order. errno() is not recorded (a query, not a call);
   * addressOf(view) is recorded with the view's byte length, not a copy of it.
   */
  readonly calls: RecordedCall[] = [];
  private readonly fds = new Map<number, FakeFd>();
  private nextFd = FAKE_FD_BASE;
  private lastErrno = 0;
  private readonly failures = new Map<string, number>();
  private readonly regions: Region[] = [];
  private readonly real = native();
  /** Names getaddrinfo knows: name -> addresses (text). Filled by the test; no DNS is ever asked. */
  readonly hosts = new Map<string, string[]>();
  /** Names whose lookup fails with this getaddrinfo(3) code (EAI_AGAIN, ...). */
  readonly eai = new Map<string, number>();

  /**
   * The recorded calls of socket-level functions (SOCKET_CALLS), or of the given
   * kinds. A kind matches its own name and its raw-address form: 'setsockopt' matches
   * setsockopt and setsockoptAt, 'sendmsg' matches sendmsgAt. Kinds may name any
   * recorded function ('close', 'poll', …).
   */
  syscalls(kinds?: readonly string[]): RecordedCall[] {
    if (!kinds) return this.calls.filter((c) => SOCKET_CALLS.includes(c.name));
    return this.calls.filter((c) => kinds.some((k) => c.name === k || c.name === `${k}At`));
  }

  /** Fake fds handed out and not closed yet. */
  get openFds(): number[] {
    return [...this.fds.keys()];
  }

  /** From now on every call of `name` fails with `errno` (host numbering); 0 undoes it. */
  setFailure(name: keyof NativeApi, errno: number): void {
    if (errno === 0) this.failures.delete(name);
    else this.failures.set(name, errno);
  }

  // ── bookkeeping ──────────────────────────────────────────────────────────

  private record(name: string, args: unknown[], extra: Partial<RecordedCall> = {}): RecordedCall {
    const call: RecordedCall = { name, args: args.map(copy), ...extra };
    this.calls.push(call);
    return call;
  }

  private fail(errno: number): number {
    this.lastErrno = errno;
    return -1;
  }

  /** -1 with the configured errno when `name` is set to fail, else undefined. */
  private failure(name: string): number | undefined {
    const e = this.failures.get(name);
    return e === undefined ? undefined : this.fail(e);
  }

  private fake(fd: number): FakeFd | undefined {
    return this.fds.get(fd);
  }

  private newFd(kind: FakeFd['kind'], family: number, type: number): number {
    const fd = this.nextFd++;
    this.fds.set(fd, { kind, family, type, bound: null, peer: null, ephemeralPort: FAKE_EPHEMERAL_BASE + (fd - FAKE_FD_BASE) });
    return fd;
  }

  /** The view of [address, address+length) inside a buffer that went through addressOf(), or null. */
  private resolve(address: number, length: number): Uint8Array | null {
    if (!Number.isSafeInteger(address) || address <= 0 || !Number.isSafeInteger(length) || length < 0) return null;
    for (let i = this.regions.length - 1; i >= 0; i--) {
      const r = this.regions[i];
      const size = r.view.byteLength; // 0 once a grown wasm memory detached it
      if (size === 0) continue;
      if (address >= r.address && address + length <= r.address + size) {
        return r.view.subarray(address - r.address, address - r.address + length);
      }
    }
    return null;
  }

  /** Writes a sockaddr for `fd`'s address (or a fake one) into addr, its length into addrlen (u32 in/out). */
  private writeName(f: FakeFd, sa: Uint8Array | null, addr: Buf, addrlen: Buf): number {
    if (!addr || !addrlen || addrlen.byteLength < 4) return this.fail(E.EFAULT);
    const out = new Uint8Array(SOCKADDR_IN6_LEN);
    let len: number;
    if (sa) {
      out.set(sa.subarray(0, Math.min(sa.length, out.length)));
      len = sa.length;
      const dv = new DataView(out.buffer);
      if (dv.getUint16(2, false) === 0) dv.setUint16(2, f.ephemeralPort, false);
    } else if (f.family === AF_INET6) {
      len = encodeSockaddrIn6(out, new Uint8Array(16), f.ephemeralPort);
    } else {
      len = encodeSockaddrIn(out, new Uint8Array(4), f.ephemeralPort);
    }
    const lenDv = new DataView(addrlen.buffer, addrlen.byteOffset, 4);
    const room = lenDv.getUint32(0, true);
    const dst = bytesOf(addr);
    dst.set(out.subarray(0, Math.min(len, room, dst.length)));
    lenDv.setUint32(0, len, true);
    return 0;
  }

  /** The fake answer of a getsockopt: zeros, min(asked, the option's size) bytes. */
  private optionSize(level: number, optname: number): number {
    const info = core().findHost(level, optname);
    return info ? core().exports.kindSize(info.kind, HOST_PLATFORM) : 4;
  }

  // ── NativeApi ────────────────────────────────────────────────────────────

  socket(domain: number, type: number, protocol: number): number {
    this.record('socket', [domain, type, protocol]);
    return this.failure('socket') ?? this.newFd('socket', domain, type);
  }

  bind(fd: number, addr: Buf, addrlen: number): number {
    const sa = addr ? bytesOf(addr).slice(0, addrlen) : null;
    this.record('bind', [fd, addr, addrlen], { sockaddr: sa });
    const f = this.fake(fd);
    if (!f) return this.fail(E.EBADF);
    const failed = this.failure('bind');
    if (failed !== undefined) return failed;
    f.bound = sa;
    return 0;
  }

  listen(fd: number, backlog: number): number {
    this.record('listen', [fd, backlog]);
    if (!this.fake(fd)) return this.fail(E.EBADF);
    return this.failure('listen') ?? 0;
  }

  accept4(fd: number, addr: Buf, addrlen: Buf, flags: number): number {
    this.record('accept4', [fd, addr, addrlen, flags]);
    const f = this.fake(fd);
    if (!f) return this.fail(E.EBADF);
    const failed = this.failure('accept4');
    if (failed !== undefined) return failed;
    // No peer to describe: an address length of 0.
    if (addrlen && addrlen.byteLength >= 4) new DataView(addrlen.buffer, addrlen.byteOffset, 4).setUint32(0, 0, true);
    return this.newFd('socket', f.family, f.type);
  }

  connect(fd: number, addr: Buf, addrlen: number): number {
    const sa = addr ? bytesOf(addr).slice(0, addrlen) : null;
    this.record('connect', [fd, addr, addrlen], { sockaddr: sa });
    const f = this.fake(fd);
    if (!f) return this.fail(E.EBADF);
    const failed = this.failure('connect');
    if (failed !== undefined) return failed;
    f.peer = sa;
    return 0;
  }

  send(fd: number, buf: Buf, len: number, flags: number): number {
    this.record('send', [fd, buf, len, flags], { data: buf ? bytesOf(buf).slice(0, len) : new Uint8Array(0) });
    if (!this.fake(fd)) return this.fail(E.EBADF);
    return this.failure('send') ?? len;
  }

  recv(fd: number, buf: Buf, len: number, flags: number): number {
    this.record('recv', [fd, buf, len, flags]);
    if (!this.fake(fd)) return this.fail(E.EBADF);
    return this.failure('recv') ?? 0;
  }

  sendto(fd: number, buf: Buf, len: number, flags: number, addr: Buf, addrlen: number): number {
    this.record('sendto', [fd, buf, len, flags, addr, addrlen], {
      sockaddr: addr ? bytesOf(addr).slice(0, addrlen) : null,
      data: buf ? bytesOf(buf).slice(0, len) : new Uint8Array(0),
    });
    if (!this.fake(fd)) return this.fail(E.EBADF);
    return this.failure('sendto') ?? len;
  }

  recvfrom(fd: number, buf: Buf, len: number, flags: number, addr: Buf, addrlen: Buf): number {
    this.record('recvfrom', [fd, buf, len, flags, addr, addrlen]);
    if (!this.fake(fd)) return this.fail(E.EBADF);
    const failed = this.failure('recvfrom');
    if (failed !== undefined) return failed;
    if (addrlen && addrlen.byteLength >= 4) new DataView(addrlen.buffer, addrlen.byteOffset, 4).setUint32(0, 0, true);
    return 0;
  }

  shutdown(fd: number, how: number): number {
    this.record('shutdown', [fd, how]);
    if (!this.fake(fd)) return this.fail(E.EBADF);
    return this.failure('shutdown') ?? 0;
  }

  getsockname(fd: number, addr: Buf, addrlen: Buf): number {
    this.record('getsockname', [fd, addr, addrlen]);
    const f = this.fake(fd);
    if (!f) return this.fail(E.EBADF);
    return this.failure('getsockname') ?? this.writeName(f, f.bound, addr, addrlen);
  }

  getpeername(fd: number, addr: Buf, addrlen: Buf): number {
    this.record('getpeername', [fd, addr, addrlen]);
    const f = this.fake(fd);
    if (!f) return this.fail(E.EBADF);
    const failed = this.failure('getpeername');
    if (failed !== undefined) return failed;
    if (!f.peer) return this.fail(E.ENOTCONN);
    return this.writeName(f, f.peer, addr, addrlen);
  }

  getsockopt(fd: number, level: number, optname: number, optval: Buf, optlen: Buf): number {
    this.record('getsockopt', [fd, level, optname, optval, optlen]);
    if (!this.fake(fd)) return this.fail(E.EBADF);
    const failed = this.failure('getsockopt');
    if (failed !== undefined) return failed;
    if (!optlen || optlen.byteLength < 4) return this.fail(E.EFAULT);
    const lenDv = new DataView(optlen.buffer, optlen.byteOffset, 4);
    const n = Math.min(lenDv.getUint32(0, true), this.optionSize(level, optname));
    if (n > 0) {
      if (!optval || optval.byteLength < n) return this.fail(E.EFAULT);
      bytesOf(optval).fill(0, 0, n);
    }
    lenDv.setUint32(0, n, true);
    return 0;
  }

  setsockopt(fd: number, level: number, optname: number, optval: Buf, optlen: number): number {
    this.record('setsockopt', [fd, level, optname, optval, optlen], { data: optval ? bytesOf(optval).slice(0, optlen) : new Uint8Array(0) });
    if (!this.fake(fd)) return this.fail(E.EBADF);
    return this.failure('setsockopt') ?? 0;
  }

  fcntl(fd: number, cmd: number, arg: number): number {
    this.record('fcntl', [fd, cmd, arg]);
    if (!this.fake(fd)) return this.fail(E.EBADF);
    return this.failure('fcntl') ?? 0;
  }

  /** FIONREAD and friends: records, answers 0 bytes queued. */
  ioctlInt(fd: number, request: number): number {
    this.record('ioctl', [fd, request]);
    const failed = this.failure('ioctl');
    if (failed !== undefined) return failed;
    return 0;
  }

  poll(fds: Buf, nfds: number, timeoutMs: number): number {
    this.record('poll', [fds, nfds, timeoutMs]);
    const failed = this.failure('poll');
    if (failed !== undefined) return failed;
    if (!fds || fds.byteLength < 8 * nfds) return this.fail(E.EFAULT);
    // struct pollfd { int fd @0; short events @4; short revents @6; } (<poll.h>)
    const dv = new DataView(fds.buffer, fds.byteOffset, 8 * nfds);
    let ready = 0;
    for (let i = 0; i < nfds; i++) {
      const f = this.fake(dv.getInt32(8 * i, true));
      const revents = f?.kind === 'socket' ? dv.getInt16(8 * i + 4, true) & (POLLIN | POLLOUT) : 0;
      dv.setInt16(8 * i + 6, revents, true);
      if (revents !== 0) ready++;
    }
    // Nothing of ours asked for: wait as a quiet kernel would, a little at a time so a
    // caller's kill flag is seen (the sandbox re-checks it after every poll).
    if (ready === 0 && timeoutMs !== 0) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, timeoutMs < 0 ? 50 : Math.min(timeoutMs, 50));
    }
    return ready;
  }

  pipe(fds: Buf): number {
    this.record('pipe', [fds]);
    const failed = this.failure('pipe');
    if (failed !== undefined) return failed;
    if (!fds || fds.byteLength < 8) return this.fail(E.EFAULT);
    const dv = new DataView(fds.buffer, fds.byteOffset, 8);
    dv.setInt32(0, this.newFd('pipe', 0, 0), true);
    dv.setInt32(4, this.newFd('pipe', 0, 0), true);
    return 0;
  }

  write(fd: number, buf: Buf, len: number): number {
    this.record('write', [fd, buf, len]);
    if (!this.fake(fd)) return this.fail(E.EBADF);
    return this.failure('write') ?? len;
  }

  close(fd: number): number {
    this.record('close', [fd]);
    if (!this.fds.delete(fd)) return this.fail(E.EBADF);
    return this.failure('close') ?? 0;
  }

  errno(): number {
    return this.lastErrno;
  }

  addressOf(buf: ArrayBufferView): number {
    this.record('addressOf', [buf.byteLength]);
    const address = this.real.addressOf(buf);
    // Forget buffers that are gone (a grown wasm memory detaches its old buffer).
    for (let i = this.regions.length - 1; i >= 0; i--) if (this.regions[i].view.byteLength === 0) this.regions.splice(i, 1);
    this.regions.push({ address, view: bytesOf(buf) });
    return address;
  }

  getsockoptAt(fd: number, level: number, optname: number, optval: number, optlen: number): number {
    this.record('getsockoptAt', [fd, level, optname, optval, optlen]);
    if (!this.fake(fd)) return this.fail(E.EBADF);
    const failed = this.failure('getsockoptAt');
    if (failed !== undefined) return failed;
    const lenView = this.resolve(optlen, 4);
    if (!lenView) return this.fail(E.EFAULT);
    const lenDv = new DataView(lenView.buffer, lenView.byteOffset, 4);
    const n = Math.min(lenDv.getUint32(0, true), this.optionSize(level, optname));
    if (n > 0) {
      const val = this.resolve(optval, n);
      if (!val) return this.fail(E.EFAULT);
      val.fill(0);
    }
    lenDv.setUint32(0, n, true);
    return 0;
  }

  setsockoptAt(fd: number, level: number, optname: number, optval: number, optlen: number): number {
    const val = this.resolve(optval, optlen);
    this.record('setsockoptAt', [fd, level, optname, optval, optlen], { data: val ? val.slice() : undefined });
    if (!this.fake(fd)) return this.fail(E.EBADF);
    const failed = this.failure('setsockoptAt');
    if (failed !== undefined) return failed;
    return optlen > 0 && !val ? this.fail(E.EFAULT) : 0;
  }

  /** The int form, as the real layer's: the value, or INT_ERROR - errno. Recorded as getsockopt. */
  getsockoptInt(fd: number, level: number, optname: number): number {
    this.record('getsockopt', [fd, level, optname]);
    if (!this.fake(fd)) return INT_ERROR - E.EBADF;
    const failed = this.failure('getsockopt');
    if (failed !== undefined) return INT_ERROR - this.errno();
    return 0;
  }

  /** The int form: 0, or -errno. Recorded as setsockopt, with the value's bytes. */
  setsockoptInt(fd: number, level: number, optname: number, value: number): number {
    const data = new Uint8Array(4);
    new DataView(data.buffer).setInt32(0, value, true);
    this.record('setsockopt', [fd, level, optname, value], { data });
    if (!this.fake(fd)) return -E.EBADF;
    const failed = this.failure('setsockopt');
    if (failed !== undefined) return -this.errno();
    return 0;
  }

  readonly crossing = 'koffi' as const;

  /**
   * struct msghdr (<sys/socket.h>), little-endian LP64:
   *   Linux (56): void *name @0 | u32 namelen @8 | iovec *iov @16 | size_t iovlen @24
   *               | void *control @32 | size_t controllen @40 | int flags @48
   *   macOS (48): as Linux up to iov; int iovlen @24 | control @32 | u32 controllen @40 | int flags @44
   * struct iovec (16): void *base @0 | size_t len @8.
   */
  private readMsghdr(msg: number): { hdr: DataView; name: number; namelen: number; iovs: { base: number; len: number }[] } | null {
    const size = IS_LINUX ? 56 : 48;
    const m = this.resolve(msg, size);
    if (!m) return null;
    const hdr = new DataView(m.buffer, m.byteOffset, size);
    const name = Number(hdr.getBigUint64(0, true));
    const namelen = hdr.getUint32(8, true);
    const iovAt = Number(hdr.getBigUint64(16, true));
    const iovCount = IS_LINUX ? Number(hdr.getBigUint64(24, true)) : hdr.getInt32(24, true);
    const iovs: { base: number; len: number }[] = [];
    if (iovCount > 0) {
      const v = this.resolve(iovAt, 16 * iovCount);
      if (!v) return null;
      const dv = new DataView(v.buffer, v.byteOffset, 16 * iovCount);
      for (let i = 0; i < iovCount; i++) iovs.push({ base: Number(dv.getBigUint64(16 * i, true)), len: Number(dv.getBigUint64(16 * i + 8, true)) });
    }
    return { hdr, name, namelen, iovs };
  }

  recvmsgAt(fd: number, msg: number, flags: number): number {
    this.record('recvmsgAt', [fd, msg, flags]);
    if (!this.fake(fd)) return this.fail(E.EBADF);
    const failed = this.failure('recvmsgAt');
    if (failed !== undefined) return failed;
    const m = this.readMsghdr(msg);
    if (!m) return this.fail(E.EFAULT);
    // 0 bytes, no sender, no flags.
    m.hdr.setUint32(8, 0, true);
    m.hdr.setInt32(IS_LINUX ? 48 : 44, 0, true);
    return 0;
  }

  sendmsgAt(fd: number, msg: number, flags: number): number {
    const call = this.record('sendmsgAt', [fd, msg, flags]);
    const m = this.readMsghdr(msg);
    let total = 0;
    if (m) {
      call.sockaddr = m.name !== 0 && m.namelen > 0 ? this.resolve(m.name, m.namelen)?.slice() ?? null : null;
      const parts: Uint8Array[] = [];
      for (const iov of m.iovs) {
        const part = iov.len > 0 ? this.resolve(iov.base, iov.len) : new Uint8Array(0);
        if (!part) { total = -1; break; }
        parts.push(part.slice());
        total += iov.len;
      }
      if (total >= 0) {
        const data = new Uint8Array(total);
        let at = 0;
        for (const p of parts) { data.set(p, at); at += p.length; }
        call.data = data;
      }
    }
    if (!this.fake(fd)) return this.fail(E.EBADF);
    const failed = this.failure('sendmsgAt');
    if (failed !== undefined) return failed;
    if (!m || total < 0) return this.fail(E.EFAULT);
    return total;
  }

  getaddrinfo(node: string | null, service: string | null, hints: AddrinfoHints): { rc: number; results: AddrinfoResult[] } {
    this.record('getaddrinfo', [node, service, { ...hints }]);
    if (node !== null && this.eai.has(node)) return { rc: this.eai.get(node)!, results: [] };
    // Services: a number, or the two names /etc/services always has for TCP.
    const named: Record<string, number> = { http: 80, https: 443 };
    const port = service === null ? 0 : /^[0-9]{1,5}$/.test(service) && Number(service) <= 65535 ? Number(service) : named[service] ?? -1;
    if (port < 0) return { rc: EAI_NONAME, results: [] };
    const AI_PASSIVE = 1;
    let v4: Uint8Array | null = null;
    let v6: Uint8Array | null = null;
    if (node === null) {
      // No node: the loopback address, or the unspecified one for AI_PASSIVE (getaddrinfo(3)).
      const passive = (hints.flags & AI_PASSIVE) !== 0;
      v4 = passive ? new Uint8Array(4) : new Uint8Array([127, 0, 0, 1]);
      v6 = passive ? new Uint8Array(16) : parseIPv6('::1');
    } else if (this.hosts.has(node) && (hints.flags & 4) === 0) {
      // A name from the test's table: its first IPv4 and first IPv6 address.
      for (const a of this.hosts.get(node)!) {
        v4 ??= parseIPv4(a);
        if (!parseIPv4(a)) v6 ??= parseIPv6(a);
      }
    } else {
      v4 = parseIPv4(node);
      v6 = v4 ? null : parseIPv6(node);
      if (!v4 && !v6) return { rc: EAI_NONAME, results: [] };
    }
    const results: AddrinfoResult[] = [];
    const socktype = hints.socktype || (core().symbols.get('SOCK_STREAM') ?? 1);
    const protocol = hints.protocol;
    if (v6 && (hints.family === 0 || hints.family === AF_INET6)) {
      const addr = new Uint8Array(SOCKADDR_IN6_LEN);
      encodeSockaddrIn6(addr, v6, port);
      results.push({ flags: hints.flags, family: AF_INET6, socktype, protocol, addr, canonname: null });
    }
    if (v4 && (hints.family === 0 || hints.family === AF_INET)) {
      const addr = new Uint8Array(SOCKADDR_IN_LEN);
      encodeSockaddrIn(addr, v4, port);
      results.push({ flags: hints.flags, family: AF_INET, socktype, protocol, addr, canonname: null });
    }
    if (results.length === 0) return { rc: EAI_NONAME, results };
    return { rc: 0, results };
  }
}
