// Host errno <-> WASI errno: the one table, both directions.
//
// WASI numbers: WebAssembly/WASI phases/snapshot/witx/typenames.witx, `$errno`
// (enum order, SUCCESS = 0 ... NOTCAPABLE = 76). Host numbers come from Node's
// `os.constants.errno`, which is this platform's <errno.h>.

import { constants } from 'node:os';

// The WASI errnos the host names in code; each is its name's index in WASI_ERRNO_NAMES
// below (test/errno.test.ts checks every one).
export const ERRNO_SUCCESS = 0;
export const ERRNO_ACCES = 2;
export const ERRNO_AGAIN = 6;
export const ERRNO_BADF = 8;
export const ERRNO_BUSY = 10;
export const ERRNO_DQUOT = 19;
export const ERRNO_EXIST = 20;
export const ERRNO_FAULT = 21;
export const ERRNO_FBIG = 22;
export const ERRNO_ILSEQ = 25;
export const ERRNO_INPROGRESS = 26;
export const ERRNO_INTR = 27;
export const ERRNO_INVAL = 28;
export const ERRNO_IO = 29;
export const ERRNO_ISDIR = 31;
export const ERRNO_LOOP = 32;
export const ERRNO_MFILE = 33;
export const ERRNO_NAMETOOLONG = 37;
export const ERRNO_NFILE = 41;
export const ERRNO_NOENT = 44;
export const ERRNO_NOMEM = 48;
export const ERRNO_NOPROTOOPT = 50;
export const ERRNO_NOSPC = 51;
export const ERRNO_NOSYS = 52;
export const ERRNO_NOTDIR = 54;
export const ERRNO_NOTSOCK = 57;
export const ERRNO_NOTSUP = 58;
export const ERRNO_PERM = 63;
export const ERRNO_PIPE = 64;
export const ERRNO_ROFS = 69;
export const ERRNO_SPIPE = 70;
export const ERRNO_NOTCAPABLE = 76;

/** WASI errno number -> POSIX name, index = WASI number. */
export const WASI_ERRNO_NAMES: readonly string[] = [
  'SUCCESS', 'E2BIG', 'EACCES', 'EADDRINUSE', 'EADDRNOTAVAIL', 'EAFNOSUPPORT', 'EAGAIN',
  'EALREADY', 'EBADF', 'EBADMSG', 'EBUSY', 'ECANCELED', 'ECHILD', 'ECONNABORTED',
  'ECONNREFUSED', 'ECONNRESET', 'EDEADLK', 'EDESTADDRREQ', 'EDOM', 'EDQUOT', 'EEXIST',
  'EFAULT', 'EFBIG', 'EHOSTUNREACH', 'EIDRM', 'EILSEQ', 'EINPROGRESS', 'EINTR', 'EINVAL',
  'EIO', 'EISCONN', 'EISDIR', 'ELOOP', 'EMFILE', 'EMLINK', 'EMSGSIZE', 'EMULTIHOP',
  'ENAMETOOLONG', 'ENETDOWN', 'ENETRESET', 'ENETUNREACH', 'ENFILE', 'ENOBUFS', 'ENODEV',
  'ENOENT', 'ENOEXEC', 'ENOLCK', 'ENOLINK', 'ENOMEM', 'ENOMSG', 'ENOPROTOOPT', 'ENOSPC',
  'ENOSYS', 'ENOTCONN', 'ENOTDIR', 'ENOTEMPTY', 'ENOTRECOVERABLE', 'ENOTSOCK', 'ENOTSUP',
  'ENOTTY', 'ENXIO', 'EOVERFLOW', 'EOWNERDEAD', 'EPERM', 'EPIPE', 'EPROTO',
  'EPROTONOSUPPORT', 'EPROTOTYPE', 'ERANGE', 'EROFS', 'ESPIPE', 'ESRCH', 'ESTALE',
  'ETIMEDOUT', 'ETXTBSY', 'EXDEV', 'ENOTCAPABLE',
];

/** Host errno names that are other names of a WASI one. */
const HOST_ALIASES: Readonly<Record<string, string>> = {
  EWOULDBLOCK: 'EAGAIN',
  EOPNOTSUPP: 'ENOTSUP',
  EDEADLOCK: 'EDEADLK',
};

const hostErrno: Readonly<Record<string, number>> = constants.errno as Record<string, number>;

/** Host errno number -> name ('ENOPROTOOPT'). Primary names win over aliases. */
const hostNames = new Map<number, string>();
for (const [name, num] of Object.entries(hostErrno)) {
  if (!(name in HOST_ALIASES) && !hostNames.has(num)) hostNames.set(num, name);
}
for (const [name, num] of Object.entries(hostErrno)) if (!hostNames.has(num)) hostNames.set(num, name);

const hostToWasi = new Map<number, number>();
const wasiToHost = new Map<number, number>();
WASI_ERRNO_NAMES.forEach((name, wasi) => {
  const host = hostErrno[name];
  if (wasi > 0 && host !== undefined) {
    hostToWasi.set(host, wasi);
    wasiToHost.set(wasi, host);
  }
});
for (const [alias, name] of Object.entries(HOST_ALIASES)) {
  const host = hostErrno[alias];
  const wasi = WASI_ERRNO_NAMES.indexOf(name);
  if (host !== undefined && !hostToWasi.has(host)) hostToWasi.set(host, wasi);
}

/** The host errno's name ('ENOPROTOOPT'), or `E<number>` when unknown. */
export function errnoName(hostErrnoNumber: number): string {
  return hostNames.get(hostErrnoNumber) ?? `E${hostErrnoNumber}`;
}

/** The host errno number of a name, or undefined on this platform. */
export function errnoNumber(name: string): number | undefined {
  return hostErrno[name];
}

/** Host errno -> WASI errno. Anything without a WASI counterpart is IO. */
export function toWasiErrno(hostErrnoNumber: number): number {
  if (hostErrnoNumber === 0) return ERRNO_SUCCESS;
  return hostToWasi.get(hostErrnoNumber) ?? ERRNO_IO;
}

/** WASI errno -> host errno, or undefined when this host has no such errno (NOTCAPABLE). */
export function fromWasiErrno(wasiErrno: number): number | undefined {
  if (wasiErrno === 0) return 0;
  return wasiToHost.get(wasiErrno);
}
