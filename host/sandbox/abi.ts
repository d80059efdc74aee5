// Guest ABI numbers. Sources:
//   WASI preview1: WebAssembly/WASI phases/snapshot/witx/typenames.witx
//   WasmEdge socket extension: WasmEdge's wasi_snapshot_preview1 sock_* functions
//   (address family, socket type and SOL_SOCKET option numbering), as DESIGN.md lists.

import { GUEST } from '../core.js';

// The WASI errnos live in host/native/errno.ts, with the host <-> WASI table.
export {
  ERRNO_SUCCESS, ERRNO_AGAIN, ERRNO_BADF, ERRNO_FAULT, ERRNO_ILSEQ, ERRNO_INPROGRESS, ERRNO_INVAL,
  ERRNO_NOENT, ERRNO_NOMEM, ERRNO_NOPROTOOPT, ERRNO_NOSYS, ERRNO_NOTSOCK, ERRNO_NOTSUP, ERRNO_NOTCAPABLE,
} from '../native/errno.js';

// WasmEdge's lookup errnos (AIADDRFAMILY 77 … AISYSTEM 87) come from the core
// (assembly/guestabi.ts eaiToGuest, checkHints).

/**
 * WasmEdge's numbering: address families (INET4 1, INET6 2; UNSPEC 0 is not a socket a
 * guest may open), socket types (ANY 0, DGRAM 1, STREAM 2) and its one option level
 * (SOL_SOCKET 0), from the core (assembly/guestabi.ts), which translates them.
 */
export const { AF_INET4, AF_INET6, SOCK_ANY, SOCK_DGRAM, SOCK_STREAM, SOL_SOCKET } = GUEST;

/** WASI filetypes and fd flags. */
export const FILETYPE_SOCKET_DGRAM = 5;
export const FILETYPE_SOCKET_STREAM = 6;
export const FDFLAGS_NONBLOCK = 4;

/** WASI riflags / roflags (sdflags: the core's shutdownToHost). */
export const RIFLAGS_RECV_PEEK = 1;
export const RIFLAGS_RECV_WAITALL = 2;
export const ROFLAGS_RECV_DATA_TRUNCATED = 1;

/** poll_oneoff: event types, clock ids, flags. */
export const EVENTTYPE_CLOCK = 0;
export const EVENTTYPE_FD_READ = 1;
export const EVENTTYPE_FD_WRITE = 2;
export const CLOCKID_REALTIME = 0;
export const CLOCKID_MONOTONIC = 1;
export const SUBCLOCKFLAGS_ABSTIME = 1;
export const EVENTRWFLAGS_HANGUP = 1;
/** sizeof(subscription) and sizeof(event) in preview1. */
export const SUBSCRIPTION_SIZE = 48;
export const EVENT_SIZE = 32;

/** Sizes of the WasmEdge address structs. */
export const WASI_ADDRESS_SIZE = 8; // { u32 buf_ptr; u32 buf_len }
export const ADDRESS_STORAGE_V2 = 128; // u16 family @0, address bytes @2
export const ADDRINFO_SIZE = 28;
export const SOCKADDR_SIZE = 12;
