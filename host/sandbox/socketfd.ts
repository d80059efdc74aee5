// A socket in the guest's fd table. Like the shim's other Fd subclasses it sees
// only JS values and answers with errnos; the import layer owns guest memory.

import { Fd, wasi } from '@bjorn3/browser_wasi_shim';
import {
  ERRNO_BADF, ERRNO_NOTSUP, ERRNO_SUCCESS, FDFLAGS_NONBLOCK, FILETYPE_SOCKET_DGRAM,
  FILETYPE_SOCKET_STREAM, SOCK_STREAM,
} from './abi.js';

/** What a SocketFd needs from its owner: closing goes through the owner's books. */
export interface SocketOwner {
  closeSocket(sock: SocketFd): number;
}

export class SocketFd extends Fd {
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
  /** The guest has set SO_LINGER (closing then checks it: a lingering close would block). */
  lingerSet = false;

  constructor(private readonly owner: SocketOwner, nativeFd: number, hostFamily: number, type: number) {
    super();
    this.nativeFd = nativeFd;
    this.hostFamily = hostFamily;
    this.type = type;
  }

  get filetype(): number {
    return this.type === SOCK_STREAM ? FILETYPE_SOCKET_STREAM : FILETYPE_SOCKET_DGRAM;
  }

  override fd_close(): number {
    return this.owner.closeSocket(this);
  }

  override fd_fdstat_get(): { ret: number; fdstat: wasi.Fdstat | null } {
    const stat = new wasi.Fdstat(this.filetype, this.nonblock ? FDFLAGS_NONBLOCK : 0);
    // A socket may be read, written, polled and given fd flags.
    stat.fs_rights_base = BigInt(wasi.RIGHTS_FD_READ | wasi.RIGHTS_FD_WRITE | wasi.RIGHTS_POLL_FD_READWRITE | wasi.RIGHTS_FD_FDSTAT_SET_FLAGS | wasi.RIGHTS_SOCK_SHUTDOWN);
    return { ret: ERRNO_SUCCESS, fdstat: stat };
  }

  override fd_fdstat_set_flags(flags: number): number {
    if ((flags & ~FDFLAGS_NONBLOCK) !== 0) return ERRNO_NOTSUP;
    this.nonblock = (flags & FDFLAGS_NONBLOCK) !== 0;
    return ERRNO_SUCCESS;
  }

  override fd_filestat_get(): { ret: number; filestat: wasi.Filestat | null } {
    return { ret: ERRNO_SUCCESS, filestat: new wasi.Filestat(0n, this.filetype, 0n) };
  }

  /** wasi-libc's start-up scans preopens until BADF; NOTSUP (the base class) makes it exit 71. */
  override fd_prestat_get(): { ret: number; prestat: wasi.Prestat | null } {
    return { ret: ERRNO_BADF, prestat: null };
  }
}
