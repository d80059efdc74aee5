// fromNodeSocket: getsockopt/setsockopt on sockets Node created, by their fd.

import type { Socket as NetSocket, Server as NetServer } from 'node:net';
import type { Socket as DgramSocket } from 'node:dgram';
import { native } from './native/libc.js';
import { AF_INET, AF_INET6, SOCKADDR_MAX, sockaddrFamily } from './native/sockaddr.js';
import { core } from './core.js';
import { Socket } from './socket.js';
import { SocketError } from './errors.js';

interface HasFd { fd?: number }

function fdOf(sock: NetSocket | NetServer | DgramSocket): number {
  // Node keeps the libuv handle under internal symbols: `kHandle` (net.Socket),
  // `state symbol` (.handle, dgram.Socket); net.Server has an own `_handle`.
  const bag = sock as unknown as Record<symbol, unknown>;
  for (const s of Object.getOwnPropertySymbols(sock)) {
    const v = bag[s] as (HasFd & { handle?: HasFd }) | null | undefined;
    if (s.description === 'kHandle' && typeof v?.fd === 'number') return v.fd;
    if (s.description === 'state symbol' && typeof v?.handle?.fd === 'number') return v.handle.fd;
  }
  const handle = Object.getOwnPropertyDescriptor(sock, '_handle')?.value as HasFd | null | undefined;
  if (handle && typeof handle.fd === 'number') return handle.fd;
  return -1;
}

/**
 * Wraps a bound or connected `net.Socket`, listening `net.Server` or bound
 * `dgram.Socket` by its fd. The result's getsockopt/setsockopt/getOption work on
 * Node's socket; close() on it only forgets the fd (Node still owns it).
 */
export function fromNodeSocket(sock: NetSocket | NetServer | DgramSocket): Socket {
  const fd = fdOf(sock);
  if (fd < 0) {
    throw new TypeError('fromNodeSocket: the socket has no fd yet (bind, listen or connect it first; pipes and TLS are not sockets here)');
  }
  const libc = native();
  const syms = core().symbols;
  const len = new Uint32Array(1);
  const buf = new Uint8Array(SOCKADDR_MAX);
  len[0] = SOCKADDR_MAX;
  if (libc.getsockname(fd, buf, len) < 0) throw new SocketError(libc.errno(), 'getsockname');
  const family = sockaddrFamily(buf);
  if (family !== AF_INET && family !== AF_INET6) {
    throw new TypeError(`fromNodeSocket: address family ${family} is not an IP socket`);
  }
  const probe = new Socket(fd, family, 0, 0, false, libc);
  const type = probe.getsockopt(syms.get('SOL_SOCKET')!, core().byName.get('SO_TYPE')!.hostNumber);
  const protocol = type === syms.get('SOCK_STREAM') ? syms.get('IPPROTO_TCP')! : syms.get('IPPROTO_UDP')!;
  return new Socket(fd, family, type, protocol, false, libc);
}
