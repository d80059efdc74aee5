// The books of the guest's sockets: which fd-table entries are sockets, the shared
// registry slot of each native fd (so the owner can close them if the guest's thread
// dies), adopting new sockets and closing them without ever blocking.

import { AF_INET as HOST_AF_INET, AF_INET6 as HOST_AF_INET6 } from '../native/sockaddr.js';
import { core } from '../core.js';
import { SocketFd, type SocketOwner } from './socketfd.js';
import { FdTable } from './fdtable.js';
import { FdRegistry } from './registry.js';
import type { EventSink } from './events.js';
import { LISTEN_BACKLOG } from './listeners.js';
import { MSG_NOSIGNAL, type NativeIO } from './native-io.js';
import * as abi from './abi.js';

const HOST_SOL_SOCKET = core().symbols.get('SOL_SOCKET')!;
const SO_NOSIGPIPE = core().byName.get('SO_NOSIGPIPE')!.hostNumber;

export class SocketBooks implements SocketOwner {
  private readonly open = new Set<SocketFd>();
  /** The guest's fd table (shared with stdio, folders and files). */
  fds = new FdTable();

  constructor(private readonly io: NativeIO, private readonly registry: FdRegistry, private readonly events: EventSink) {}

  /** Number of sockets the guest holds open. */
  get size(): number {
    return this.open.size;
  }

  /** A new native socket (open or accepted) as a guest socket in the books; returns it (not yet in the fd table). */
  adopt(nativeFd: number, hostFamily: number, type: number): SocketFd {
    const sock = new SocketFd(this, nativeFd, hostFamily, type);
    this.open.add(sock);
    sock.registrySlot = this.registry.add(nativeFd);
    // macOS has no MSG_NOSIGNAL: keep a closed peer from raising SIGPIPE in the host.
    if (!MSG_NOSIGNAL && SO_NOSIGPIPE >= 0) this.io.setInt(nativeFd, HOST_SOL_SOCKET, SO_NOSIGPIPE, 1);
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
    this.open.add(sock);
    const fd = this.fds.insert(sock);
    if (this.events) {
      this.events({ type: 'socket', fd, family: v6 ? 'inet6' : 'inet', socktype: 'stream' });
      this.events({ type: 'bind', fd, address, port, errno: 0 });
      this.events({ type: 'listen', fd, backlog: LISTEN_BACKLOG, errno: 0 });
    }
    return fd;
  }

  /** Closes a socket's native fd (registry slot first, so a dying thread never double-closes); never blocks. */
  closeSocket(sock: SocketFd): number {
    const fd = sock.nativeFd;
    if (fd < 0) return abi.ERRNO_BADF;
    if (this.events) this.events({ type: 'close', fd: this.fds.indexOf(sock) });
    sock.nativeFd = -1;
    this.open.delete(sock);
    this.registry.remove(sock.registrySlot);
    this.io.close(fd);
    return abi.ERRNO_SUCCESS;
  }

  /** Closes every socket the guest still holds. Runs when the guest ends, however it ends. */
  closeAll(): void {
    for (const sock of [...this.open]) this.closeSocket(sock);
  }

  /** The open socket at guest fd `fd`, or a WASI errno (BADF, NOTSOCK). */
  socket(fd: number): SocketFd | number {
    const f = this.fds.get(fd);
    if (f === undefined) return abi.ERRNO_BADF;
    if (!(f instanceof SocketFd)) return abi.ERRNO_NOTSOCK;
    if (f.nativeFd < 0) return abi.ERRNO_BADF;
    return f;
  }
}
