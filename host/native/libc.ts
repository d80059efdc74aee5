// koffi bindings to the C library's socket calls.
//
// Pointers are declared `void *` and passed as Uint8Array views (a view into guest
// memory works, zero copy): koffi's struct and _Inout_ marshalling cost 0.4-1 µs a
// call on the project's 2-core VM, raw buffers ~1.57x the C syscall loop (DESIGN.md).
// Nothing here uses `.async`. Every function returns what libc returns; after a -1,
// `errno()` tells why.
//
// The hot calls (getsockoptAt/setsockoptAt, getsockoptInt/setsockoptInt, and the
// sandbox's recvmsgAt/sendmsgAt/poll) go through sockbox's Node-API addon
// (native/sockbox_native.c, prebuilt in prebuilds/<platform>-<arch>/) when it loads:
// 110-170 ns less per option call than koffi on the project's VM (bench/spike-native).
// Where no binary fits, or with SOCKBOX_NATIVE=koffi, koffi serves them too;
// SOCKBOX_NATIVE=addon insists on the addon.

import koffi from 'koffi';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A buffer libc may read or write: a typed-array view (zero copy), or null for NULL. */
export type Buf = ArrayBufferView | null;

/** The libc surface sockbox uses. A recording layer implements it for tests. */
export interface NativeApi {
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, addr: Buf, addrlen: number): number;
  listen(fd: number, backlog: number): number;
  /** accept4(2); on macOS accept(2), which has no flags (no SOCK_NONBLOCK/SOCK_CLOEXEC there). `addrlen` is a socklen_t in/out. */
  accept4(fd: number, addr: Buf, addrlen: Buf, flags: number): number;
  connect(fd: number, addr: Buf, addrlen: number): number;
  send(fd: number, buf: Buf, len: number, flags: number): number;
  recv(fd: number, buf: Buf, len: number, flags: number): number;
  sendto(fd: number, buf: Buf, len: number, flags: number, addr: Buf, addrlen: number): number;
  recvfrom(fd: number, buf: Buf, len: number, flags: number, addr: Buf, addrlen: Buf): number;
  shutdown(fd: number, how: number): number;
  getsockname(fd: number, addr: Buf, addrlen: Buf): number;
  getpeername(fd: number, addr: Buf, addrlen: Buf): number;
  getsockopt(fd: number, level: number, optname: number, optval: Buf, optlen: Buf): number;
  setsockopt(fd: number, level: number, optname: number, optval: Buf, optlen: number): number;
  /** fcntl(2) with an int argument (F_GETFL, F_SETFL, F_GETFD, F_SETFD). */
  fcntl(fd: number, cmd: number, arg: number): number;
  /** poll(2) over an array of struct pollfd { int fd; short events; short revents; }. */
  poll(fds: Buf, nfds: number, timeoutMs: number): number;
  /** pipe(2): writes the two fds into `fds` (8 bytes). */
  pipe(fds: Buf): number;
  write(fd: number, buf: Buf, len: number): number;
  close(fd: number): number;
  /** errno after the last call that failed. */
  errno(): number;
  /** ioctl(2) with an int out-parameter (FIONREAD): the int, or -1 (errno set). */
  ioctlInt(fd: number, request: number): number;

  // Raw-address forms for the guest path: guest memory is passed as its native
  // address plus an offset (checked against the memory's size by the caller), so a
  // call allocates nothing: no view, no copy.
  /** The native address of a view's first byte (memmove(p, p, 0) returns p). */
  addressOf(buf: ArrayBufferView): number;
  getsockoptAt(fd: number, level: number, optname: number, optval: number, optlen: number): number;
  setsockoptAt(fd: number, level: number, optname: number, optval: number, optlen: number): number;
  /**
   * getsockopt(2) of a C int: the int, or INT_ERROR - errno (below every int: an
   * option's value may be negative). See intErrno().
   */
  getsockoptInt(fd: number, level: number, optname: number): number;
  /** setsockopt(2) of a C int: 0, or -errno. */
  setsockoptInt(fd: number, level: number, optname: number, value: number): number;
  /** recvmsg(2) with a struct msghdr at a native address. */
  recvmsgAt(fd: number, msg: number, flags: number): number;
  /** sendmsg(2) with a struct msghdr at a native address. */
  sendmsgAt(fd: number, msg: number, flags: number): number;
  /** getaddrinfo(3) for numeric and named hosts; the answers as sockaddr bytes. */
  getaddrinfo(node: string | null, service: string | null, hints: AddrinfoHints): { rc: number; results: AddrinfoResult[] };
  /** Which crossing the option calls take: the Node-API addon, or koffi. */
  readonly crossing: 'addon' | 'koffi';
}

/** getsockoptInt's failures are INT_ERROR - errno: below -2^31, so never a value. */
export const INT_ERROR = -4294967296;
/** The errno of a getsockoptInt failure (a result below -2^31), or 0 for a value. */
export function intErrno(result: number): number {
  return result < -2147483648 ? INT_ERROR - result : 0;
}

/** The addon's functions (native/sockbox_native.c); each failure is -errno. */
export interface Addon {
  getsockoptAt(fd: number, level: number, optname: number, optval: number, optlen: number): number;
  setsockoptAt(fd: number, level: number, optname: number, optval: number, optlen: number): number;
  getsockoptInt(fd: number, level: number, optname: number): number;
  setsockoptInt(fd: number, level: number, optname: number, value: number): number;
  /** Absent from a binary built before they were added: koffi serves them then. */
  recvmsgAt?(fd: number, msg: number, flags: number): number;
  sendmsgAt?(fd: number, msg: number, flags: number): number;
  poll?(fds: Buf, nfds: number, timeoutMs: number): number;
}

/**
 * The prebuilt addon for this platform, looked for in prebuilds/ beside the package
 * (dist/ in the package, host/native/ in the repository), or undefined. SOCKBOX_NATIVE:
 * 'koffi' skips it; 'addon' makes a missing or broken one an error.
 */
function loadAddon(): Addon | undefined {
  const want = process.env.SOCKBOX_NATIVE;
  if (want === 'koffi') return undefined;
  const rel = join('prebuilds', `${process.platform}-${process.arch}`, 'sockbox.node');
  let dir = dirname(fileURLToPath(import.meta.url));
  let path: string | undefined;
  for (let i = 0; i < 4 && path === undefined; i++, dir = dirname(dir)) {
    if (existsSync(join(dir, rel))) path = join(dir, rel);
  }
  try {
    if (path === undefined) throw new Error(`no ${rel} beside the package`);
    return createRequire(import.meta.url)(path) as Addon;
  } catch (e) {
    if (want === 'addon') throw new Error(`sockbox: SOCKBOX_NATIVE=addon, but the addon does not load: ${(e as Error).message}`);
    return undefined;
  }
}

/** getaddrinfo hints (host numbering). */
export interface AddrinfoHints { flags: number; family: number; socktype: number; protocol: number }
/** One getaddrinfo answer (host numbering; addr is the sockaddr's bytes). */
export interface AddrinfoResult { flags: number; family: number; socktype: number; protocol: number; addr: Uint8Array; canonname: string | null }

/** fcntl commands and flags for this platform (<fcntl.h>). */
export const F_GETFD = 1;
export const F_SETFD = 2;
export const F_GETFL = 3;
export const F_SETFL = 4;
export const FD_CLOEXEC = 1;
export const O_NONBLOCK = process.platform === 'darwin' ? 0x0004 : 0x800;
/** poll(2) event bits (<poll.h>, the same on Linux and macOS). */
export const POLLIN = 0x001;
export const POLLPRI = 0x002;
export const POLLOUT = 0x004;
export const POLLERR = 0x008;
export const POLLHUP = 0x010;
export const POLLNVAL = 0x020;

function libcPath(): string {
  if (process.platform === 'linux') return 'libc.so.6';
  if (process.platform === 'darwin') return '/usr/lib/libSystem.B.dylib';
  throw new Error(`sockbox: unsupported platform ${process.platform} (Linux and macOS only)`);
}

type Fn = (...args: unknown[]) => number;

/** Binds libc once per thread (koffi works in worker threads; each loads libc itself). */
function bind(): NativeApi {
  const lib = koffi.load(libcPath());
  const f = (decl: string): Fn => lib.func(decl) as unknown as Fn;
  const socket = f('int socket(int, int, int)');
  const bindFn = f('int bind(int, void *, uint32_t)');
  const listen = f('int listen(int, int)');
  const connect = f('int connect(int, void *, uint32_t)');
  const send = f('intptr_t send(int, void *, size_t, int)');
  const recv = f('intptr_t recv(int, void *, size_t, int)');
  const sendto = f('intptr_t sendto(int, void *, size_t, int, void *, uint32_t)');
  const recvfrom = f('intptr_t recvfrom(int, void *, size_t, int, void *, void *)');
  const shutdown = f('int shutdown(int, int)');
  const getsockname = f('int getsockname(int, void *, void *)');
  const getpeername = f('int getpeername(int, void *, void *)');
  const getsockopt = f('int getsockopt(int, int, int, void *, void *)');
  const setsockopt = f('int setsockopt(int, int, int, void *, uint32_t)');
  const fcntl = f('int fcntl(int, int, ...)');
  let poll = f('int poll(void *, unsigned long, int)') as NativeApi['poll'];
  const pipe = f('int pipe(void *)');
  const write = f('intptr_t write(int, void *, size_t)');
  const close = f('int close(int)');
  const fcntlInt = (fd: number, cmd: number, arg: number): number => fcntl(fd, cmd, 'int', arg);
  const memmove = f('uintptr_t memmove(void *, void *, size_t)');
  const koffiGetAt = f('int getsockopt(int, int, int, uintptr_t, uintptr_t)');
  const koffiSetAt = f('int setsockopt(int, int, int, uintptr_t, uint32_t)');
  let recvmsgAt = f('intptr_t recvmsg(int, uintptr_t, int)') as NativeApi['recvmsgAt'];
  let sendmsgAt = f('intptr_t sendmsg(int, uintptr_t, int)') as NativeApi['sendmsgAt'];
  const addressOf = (buf: ArrayBufferView): number => Number(memmove(buf, buf, 0));

  // The option calls: the addon's where it loads, koffi's otherwise.
  const addon = loadAddon();
  /** An addon result as libc gives it: -errno becomes -1 with the errno handed to koffi's errno(), so errno() answers for every call alike. */
  const failed = (r: number): number => {
    if (r >= 0) return r;
    koffi.errno(-r);
    return -1;
  };
  let getsockoptAt: NativeApi['getsockoptAt'];
  let setsockoptAt: NativeApi['setsockoptAt'];
  let getsockoptInt: NativeApi['getsockoptInt'];
  let setsockoptInt: NativeApi['setsockoptInt'];
  if (addon) {
    const { getsockoptAt: aGet, setsockoptAt: aSet } = addon;
    getsockoptAt = (fd, level, name, optval, optlen) => failed(aGet(fd, level, name, optval, optlen));
    setsockoptAt = (fd, level, name, optval, optlen) => failed(aSet(fd, level, name, optval, optlen));
    getsockoptInt = addon.getsockoptInt;
    setsockoptInt = addon.setsockoptInt;
    // The sandbox's per-message calls. On the project's VM a call alone times the same as
    // koffi's within the noise; the echo server's CPU per message was 4-7% lower (issue 15).
    const { recvmsgAt: aRecv, sendmsgAt: aSend, poll: aPoll } = addon;
    if (aRecv && aSend && aPoll) {
      recvmsgAt = (fd, msg, flags) => failed(aRecv(fd, msg, flags));
      sendmsgAt = (fd, msg, flags) => failed(aSend(fd, msg, flags));
      poll = (fds, nfds, timeoutMs) => failed(aPoll(fds, nfds, timeoutMs));
    }
  } else {
    getsockoptAt = koffiGetAt as NativeApi['getsockoptAt'];
    setsockoptAt = koffiSetAt as NativeApi['setsockoptAt'];
    // An int and its length at fixed native addresses (128 bytes: off V8's heap, so the
    // address never moves).
    const cell = new Int32Array(32);
    const at = addressOf(cell);
    getsockoptInt = (fd, level, name) => {
      cell[0] = 0;
      cell[1] = 4;
      return koffiGetAt(fd, level, name, at, at + 4) < 0 ? INT_ERROR - koffi.errno() : cell[0];
    };
    setsockoptInt = (fd, level, name, value) => {
      cell[0] = value;
      return koffiSetAt(fd, level, name, at, 4) < 0 ? -koffi.errno() : 0;
    };
  }
  const ioctl = f('int ioctl(int, unsigned long, void *)');
  const ioctlOut = new Int32Array(1);
  const ioctlInt = (fd: number, request: number): number => (ioctl(fd, request, ioctlOut) < 0 ? -1 : ioctlOut[0]);

  // struct addrinfo (Linux and macOS order differ: canonname/addr are swapped).
  const addrinfo = koffi.struct('sockbox_addrinfo', process.platform === 'darwin'
    ? { ai_flags: 'int', ai_family: 'int', ai_socktype: 'int', ai_protocol: 'int', ai_addrlen: 'uint32_t', ai_canonname: 'char *', ai_addr: 'void *', ai_next: 'void *' }
    : { ai_flags: 'int', ai_family: 'int', ai_socktype: 'int', ai_protocol: 'int', ai_addrlen: 'uint32_t', ai_addr: 'void *', ai_canonname: 'char *', ai_next: 'void *' });
  const gai = f('int getaddrinfo(const char *, const char *, sockbox_addrinfo *, _Out_ void **)');
  const freeaddrinfo = f('void freeaddrinfo(void *)');
  interface RawAddrinfo { ai_flags: number; ai_family: number; ai_socktype: number; ai_protocol: number; ai_addrlen: number; ai_addr: unknown; ai_canonname: string | null; ai_next: unknown }
  const hintsOf = (hints: AddrinfoHints) => ({
    ai_flags: hints.flags, ai_family: hints.family, ai_socktype: hints.socktype, ai_protocol: hints.protocol,
    ai_addrlen: 0, ai_addr: null, ai_canonname: null, ai_next: null,
  });
  /** Reads and frees the list getaddrinfo returned. */
  const collect = (rc: number, head: unknown): { rc: number; results: AddrinfoResult[] } => {
    const results: AddrinfoResult[] = [];
    if (rc !== 0) return { rc, results };
    let p = head;
    try {
      while (p) {
        const ai = koffi.decode(p, addrinfo) as RawAddrinfo;
        const addr = ai.ai_addr ? new Uint8Array(koffi.view(ai.ai_addr, ai.ai_addrlen)).slice() : new Uint8Array(0);
        results.push({ flags: ai.ai_flags, family: ai.ai_family, socktype: ai.ai_socktype, protocol: ai.ai_protocol, addr, canonname: ai.ai_canonname });
        p = ai.ai_next;
      }
    } finally {
      freeaddrinfo(head);
    }
    return { rc, results };
  };
  const getaddrinfo = (node: string | null, service: string | null, hints: AddrinfoHints) => {
    const out: unknown[] = [null];
    const rc = gai(node, service, hintsOf(hints), out);
    return collect(rc, out[0]);
  };
  // On a thread of libuv's pool: for a caller that must not block (the sandbox owner).
  const gaiAsync = (gai as unknown as { async: (...a: unknown[]) => void }).async;
  getaddrinfoAsyncImpl = (node, service, hints) => new Promise((resolve, reject) => {
    const out: unknown[] = [null];
    gaiAsync(node, service, hintsOf(hints), out, (err: unknown, rc: number) => {
      if (err) reject(err instanceof Error ? err : new Error(String(err)));
      else resolve(collect(rc, out[0]));
    });
  });

  let accept4: NativeApi['accept4'];
  if (process.platform === 'linux') {
    const a4 = f('int accept4(int, void *, void *, int)');
    accept4 = (fd, addr, addrlen, flags) => a4(fd, addr, addrlen, flags);
  } else {
    // macOS has no accept4 and no SOCK_NONBLOCK / SOCK_CLOEXEC (the catalogue's
    // constants are absent there, so callers pass 0): callers set O_NONBLOCK with fcntl.
    const accept = f('int accept(int, void *, void *)');
    accept4 = (fd, addr, addrlen) => accept(fd, addr, addrlen);
  }

  // koffi functions are returned as they are: a wrapping closure would cost a call.
  return {
    socket, bind: bindFn, listen, accept4, connect, send, recv, sendto, recvfrom, shutdown,
    getsockname, getpeername, getsockopt, setsockopt, fcntl: fcntlInt, poll, pipe, write,
    close, errno: () => koffi.errno(),
    addressOf, getsockoptAt, setsockoptAt, getsockoptInt, setsockoptInt, recvmsgAt, sendmsgAt, getaddrinfo, ioctlInt,
    crossing: addon ? 'addon' : 'koffi',
  };
}

let libc: NativeApi | undefined;
let getaddrinfoAsyncImpl: ((node: string | null, service: string | null, hints: AddrinfoHints) => Promise<{ rc: number; results: AddrinfoResult[] }>) | undefined;

/** getaddrinfo(3) on libuv's thread pool, for the thread that owns a sandbox (it must not block). */
export function getaddrinfoAsync(node: string | null, service: string | null, hints: AddrinfoHints): Promise<{ rc: number; results: AddrinfoResult[] }> {
  native();
  return getaddrinfoAsyncImpl!(node, service, hints);
}

/** The real C library, bound on first use in this thread. */
export function native(): NativeApi {
  libc ??= bind();
  return libc;
}

