// WASI errno numbers: what every sockbox import returns, and what Socket.errno holds.
// Source: WebAssembly/WASI phases/snapshot/witx/typenames.witx, `$errno` (enum order,
// SUCCESS = 0 ... NOTCAPABLE = 76). The same table as host/native/errno.ts.

/** A WASI errno: 0 is success. */
export type Errno = u16;

export namespace Errno {
  @inline export const SUCCESS: Errno = 0;
  @inline export const TOOBIG: Errno = 1;
  @inline export const ACCES: Errno = 2;
  @inline export const ADDRINUSE: Errno = 3;
  @inline export const ADDRNOTAVAIL: Errno = 4;
  @inline export const AFNOSUPPORT: Errno = 5;
  @inline export const AGAIN: Errno = 6;
  @inline export const ALREADY: Errno = 7;
  @inline export const BADF: Errno = 8;
  @inline export const CANCELED: Errno = 11;
  @inline export const CONNABORTED: Errno = 13;
  @inline export const CONNREFUSED: Errno = 14;
  @inline export const CONNRESET: Errno = 15;
  @inline export const DESTADDRREQ: Errno = 17;
  @inline export const FAULT: Errno = 21;
  @inline export const HOSTUNREACH: Errno = 23;
  @inline export const INPROGRESS: Errno = 26;
  @inline export const INTR: Errno = 27;
  @inline export const INVAL: Errno = 28;
  @inline export const IO: Errno = 29;
  @inline export const ISCONN: Errno = 30;
  @inline export const MFILE: Errno = 33;
  @inline export const MSGSIZE: Errno = 35;
  @inline export const NETDOWN: Errno = 38;
  @inline export const NETRESET: Errno = 39;
  @inline export const NETUNREACH: Errno = 40;
  @inline export const NOBUFS: Errno = 42;
  @inline export const NOENT: Errno = 44;
  @inline export const NOMEM: Errno = 48;
  @inline export const NOPROTOOPT: Errno = 50;
  @inline export const NOSYS: Errno = 52;
  @inline export const NOTCONN: Errno = 53;
  @inline export const NOTSOCK: Errno = 57;
  @inline export const NOTSUP: Errno = 58;
  @inline export const OVERFLOW: Errno = 61;
  @inline export const PERM: Errno = 63;
  @inline export const PIPE: Errno = 64;
  @inline export const PROTONOSUPPORT: Errno = 66;
  @inline export const PROTOTYPE: Errno = 67;
  @inline export const RANGE: Errno = 68;
  @inline export const TIMEDOUT: Errno = 73;
  /** The sandbox's policy refused the call (before any syscall). */
  @inline export const NOTCAPABLE: Errno = 76;
}

// POSIX names by WASI number, as host/native/errno.ts WASI_ERRNO_NAMES (index = number).
const NAMES: StaticArray<string> = [
  "SUCCESS", "E2BIG", "EACCES", "EADDRINUSE", "EADDRNOTAVAIL", "EAFNOSUPPORT", "EAGAIN",
  "EALREADY", "EBADF", "EBADMSG", "EBUSY", "ECANCELED", "ECHILD", "ECONNABORTED",
  "ECONNREFUSED", "ECONNRESET", "EDEADLK", "EDESTADDRREQ", "EDOM", "EDQUOT", "EEXIST",
  "EFAULT", "EFBIG", "EHOSTUNREACH", "EIDRM", "EILSEQ", "EINPROGRESS", "EINTR", "EINVAL",
  "EIO", "EISCONN", "EISDIR", "ELOOP", "EMFILE", "EMLINK", "EMSGSIZE", "EMULTIHOP",
  "ENAMETOOLONG", "ENETDOWN", "ENETRESET", "ENETUNREACH", "ENFILE", "ENOBUFS", "ENODEV",
  "ENOENT", "ENOEXEC", "ENOLCK", "ENOLINK", "ENOMEM", "ENOMSG", "ENOPROTOOPT", "ENOSPC",
  "ENOSYS", "ENOTCONN", "ENOTDIR", "ENOTEMPTY", "ENOTRECOVERABLE", "ENOTSOCK", "ENOTSUP",
  "ENOTTY", "ENXIO", "EOVERFLOW", "EOWNERDEAD", "EPERM", "EPIPE", "EPROTO",
  "EPROTONOSUPPORT", "EPROTOTYPE", "ERANGE", "EROFS", "ESPIPE", "ESRCH", "ESTALE",
  "ETIMEDOUT", "ETXTBSY", "EXDEV", "ENOTCAPABLE",
];

/** The POSIX name of a WASI errno ("ECONNREFUSED"), "SUCCESS" for 0, "E<n>" when unknown. */
export function errnoName(e: Errno): string {
  return <i32>e < NAMES.length ? unchecked(NAMES[e]) : "E" + e.toString();
}

let last: Errno = 0;

/**
 * The errno of the library's last call that can fail (every Socket method, poll,
 * pollRaw): 0 when it succeeded. A socket also keeps its own in `socket.errno`.
 */
export function lastErrno(): Errno {
  return last;
}

/** @internal Records an outcome for lastErrno() and returns it. */
export function setLastErrno(e: Errno): Errno {
  last = e;
  return e;
}
