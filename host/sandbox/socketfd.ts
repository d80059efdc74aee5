// A socket in the guest's fd table. Like the other resources it sees only JS values
// and answers with errnos; the import layer owns guest memory.

import { ERRNO_BADF, ERRNO_NOTSUP, ERRNO_SUCCESS } from '../native/errno.js';
import { FDFLAGS_NONBLOCK, SOCK_STREAM } from './abi.js';
import { GuestFd } from './fdtable.js';
import {
  FILETYPE_SOCKET_DGRAM, FILETYPE_SOCKET_STREAM, RIGHTS_FD_FDSTAT_SET_FLAGS, RIGHTS_FD_FILESTAT_GET, RIGHTS_FD_READ,
  RIGHTS_FD_WRITE, RIGHTS_POLL_FD_READWRITE, RIGHTS_SOCK_ACCEPT, RIGHTS_SOCK_SHUTDOWN, type Fdstat,
} from './wasi-defs.js';

/** What a SocketFd needs from its owner: closing goes through the owner's books. */
export interface SocketOwner {
  closeSocket(sock: SocketFd): number;
}

/** A socket may be read, written, polled, shut down, accepted on and given fd flags. */
const SOCKET_RIGHTS = (RIGHTS_FD_READ | RIGHTS_FD_WRITE | RIGHTS_POLL_FD_READWRITE | RIGHTS_FD_FDSTAT_SET_FLAGS
  | RIGHTS_FD_FILESTAT_GET | RIGHTS_SOCK_SHUTDOWN | RIGHTS_SOCK_ACCEPT) >>> 0;

export class SocketFd extends GuestFd {
  /** The host's fd; -1 once closed. */
  nativeFd: number;
  /** Host address family number (AF_INET / AF_INET6 of this platform). */
  readonly hostFamily: number;
  /** WasmEdge socket type: SOCK_STREAM 2 or SOCK_DGRAM 1. */
  readonly type: number;
  /** The guest's view of O_NONBLOCK. The native fd itself is always non-blocking. */
  nonblock = false;
  /** Slot in the sandbox's shared fd registry, or -1. */
  registrySlot = -1;
  /** A listener the host opened before the guest started (`listen`, `--tcplisten`). */
  preopened = false;

  constructor(private readonly owner: SocketOwner, nativeFd: number, hostFamily: number, type: number) {
    super();
    this.nativeFd = nativeFd;
    this.hostFamily = hostFamily;
    this.type = type;
  }

  get filetype(): number {
    return this.type === SOCK_STREAM ? FILETYPE_SOCKET_STREAM : FILETYPE_SOCKET_DGRAM;
  }

  override pollFd(): number {
    return this.nativeFd;
  }

  override close(): number {
    return this.nativeFd < 0 ? ERRNO_BADF : this.owner.closeSocket(this);
  }

  fdstat(): Fdstat {
    return { filetype: this.filetype, flags: this.nonblock ? FDFLAGS_NONBLOCK : 0, rightsBase: SOCKET_RIGHTS, rightsInheriting: 0 };
  }

  override setFdflags(flags: number): number {
    if ((flags & ~FDFLAGS_NONBLOCK) !== 0) return ERRNO_NOTSUP;
    this.nonblock = (flags & FDFLAGS_NONBLOCK) !== 0;
    return ERRNO_SUCCESS;
  }
}
