// Preopened listening sockets (`listen: ['127.0.0.1:8080']`, `sockbox run --tcplisten`):
// TCP sockets the host binds and listens on before the guest starts, handed to it as
// fds 3, 4, ... in the order given, before the preopened folders, as `wasmtime run
// --tcplisten` numbers them. The host chose the address, so no net.bind grant is
// needed; the guest can only accept on them. LISTEN_FDS in the guest's env says how
// many there are (systemd's convention).

import { errnoName } from '../native/errno.js';
import { F_GETFL, F_SETFL, O_NONBLOCK, type NativeApi } from '../native/libc.js';
import {
  AF_INET as HOST_AF_INET, AF_INET6 as HOST_AF_INET6, SOCKADDR_MAX, encodeSockaddrIn, encodeSockaddrIn6, parseIPv4, parseIPv6, sockaddrIp,
} from '../native/sockaddr.js';
import { core } from '../core.js';
import { addressText } from './events.js';
import { FdRegistry, clearLinger } from './registry.js';

const sym = core().symbols;
const HOST_SOCK_STREAM = sym.get('SOCK_STREAM')!;
const HOST_SOCK_NONBLOCK = sym.get('SOCK_NONBLOCK') ?? 0;
const HOST_SOCK_CLOEXEC = sym.get('SOCK_CLOEXEC') ?? 0;
const HOST_SOL_SOCKET = sym.get('SOL_SOCKET')!;
const SO_REUSEADDR = core().byName.get('SO_REUSEADDR')!.hostNumber;
const IPV6_V6ONLY = core().byName.get('IPV6_V6ONLY')!;
/** The backlog of a preopened listener (Rust std's and wasmtime's). */
export const LISTEN_BACKLOG = 128;

/** One `listen` entry, parsed. */
export interface ListenSpec {
  /** As written: '127.0.0.1:8080', '[::1]:0'. */
  text: string;
  ip: Uint8Array;
  port: number;
}

/** A listener the host opened: its native fd and the address it got (port 0 resolved). */
export interface OpenListener {
  fd: number;
  v6: boolean;
  address: string;
  port: number;
  /** Its slot in the run's fd registry (the run closes it; the owner sweeps it if the run dies). */
  slot: number;
}

/** Parses `listen` (ADDR:PORT, [ADDR6]:PORT; port 0: an ephemeral one). TypeError when wrong. */
export function parseListen(v: unknown): ListenSpec[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new TypeError(`listen must be an array of 'ADDR:PORT' strings, got ${typeof v}`);
  return v.map((item, i) => {
    if (typeof item !== 'string') throw new TypeError(`listen[${i}] must be a string 'ADDR:PORT', got ${typeof item}`);
    const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):([0-9]{1,5})$/.exec(item);
    const ip = m ? (m[1] !== undefined ? parseIPv6(m[1]) : parseIPv4(m[2])) : null;
    const port = m ? Number(m[3]) : NaN;
    if (!m || ip === null || port > 65535) {
      throw new TypeError(`listen[${i}]: '${item}' is not ADDR:PORT (an IPv4 address, or an IPv6 one in brackets, and a port from 0 to 65535)`);
    }
    return { text: item, ip, port };
  });
}

/** Why opening a listener failed: which one, and the errno. */
export class ListenError extends Error {
  constructor(readonly spec: string, readonly errno: string) {
    super(`cannot listen on ${spec}: ${errno}`);
  }
}

/**
 * Opens every listener: a non-blocking TCP socket with SO_REUSEADDR (IPv6 ones
 * IPV6_V6ONLY: `[::]` takes only IPv6), bound and listening, each recorded in the
 * run's registry. On a failure closes what it opened and throws ListenError.
 */
export function openListeners(libc: NativeApi, specs: ListenSpec[], registry: Int32Array): OpenListener[] {
  const books = new FdRegistry(registry);
  const opened: OpenListener[] = [];
  const one = new Int32Array([1]);
  const oneBytes = new Uint8Array(one.buffer);
  const addr = new Uint8Array(SOCKADDR_MAX);
  const len = new Uint32Array(1);
  try {
    for (const spec of specs) {
      const v6 = spec.ip.length === 16;
      const fd = libc.socket(v6 ? HOST_AF_INET6 : HOST_AF_INET, HOST_SOCK_STREAM | HOST_SOCK_NONBLOCK | HOST_SOCK_CLOEXEC, 0);
      if (fd < 0) throw new ListenError(spec.text, errnoName(libc.errno()));
      const slot = books.add(fd);
      const entry: OpenListener = { fd, v6, address: '', port: 0, slot };
      opened.push(entry);
      if (!HOST_SOCK_NONBLOCK) libc.fcntl(fd, F_SETFL, libc.fcntl(fd, F_GETFL, 0) | O_NONBLOCK);
      const fail = () => new ListenError(spec.text, errnoName(libc.errno()));
      if (libc.setsockopt(fd, HOST_SOL_SOCKET, SO_REUSEADDR, oneBytes, 4) < 0) throw fail();
      if (v6 && libc.setsockopt(fd, IPV6_V6ONLY.hostLevel, IPV6_V6ONLY.hostNumber, oneBytes, 4) < 0) throw fail();
      const n = v6 ? encodeSockaddrIn6(addr, spec.ip, spec.port) : encodeSockaddrIn(addr, spec.ip, spec.port);
      if (libc.bind(fd, addr, n) < 0) throw fail();
      if (libc.listen(fd, LISTEN_BACKLOG) < 0) throw fail();
      len[0] = SOCKADDR_MAX;
      if (libc.getsockname(fd, addr, new Uint8Array(len.buffer)) < 0) throw fail();
      const bound = sockaddrIp(addr, len[0]);
      entry.address = bound ? addressText(bound.ip) : addressText(spec.ip);
      entry.port = bound ? bound.port : spec.port;
    }
  } catch (e) {
    closeListeners(libc, opened, registry);
    throw e;
  }
  return opened;
}

/** Closes listeners the run never took (their registry slots freed first). */
export function closeListeners(libc: NativeApi, listeners: OpenListener[], registry: Int32Array): void {
  const books = new FdRegistry(registry);
  for (const l of listeners) {
    books.remove(l.slot);
    clearLinger(libc, l.fd);
    libc.close(l.fd);
  }
}
