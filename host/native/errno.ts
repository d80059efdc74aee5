// Host errno <-> WASI errno: the one table, both directions.
//
// WASI numbers: WebAssembly/WASI phases/snapshot/witx/typenames.witx, `$errno`
// (enum order, SUCCESS = 0 ... NOTCAPABLE = 76). Host numbers come from Node's
// `os.constants.errno`, which is this platform's <errno.h>; the table below also
// carries Linux's numbers, for what is generated from it (the guest SDKs).

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

/**
 * The one errno table: row i is WASI errno i, as [POSIX name, Linux number]. The Linux
 * numbers are <asm-generic/errno-base.h> and <asm-generic/errno.h> (the same on every
 * Linux architecture sockbox runs on), written here so that what is generated from
 * them (the C SDK's table) does not depend on the machine running the generator;
 * test/errno.test.ts compares them with os.constants.errno on Linux. -1: Linux has none.
 * Generated from this table (`npm run generate`): assembly/errno.ts,
 * guest/assembly/errno.ts, the errno tables in guest/c/sockbox.c.
 */
export const WASI_ERRNOS: readonly (readonly [name: string, linux: number])[] = [
  /*  0 */ ['SUCCESS', 0], ['E2BIG', 7], ['EACCES', 13], ['EADDRINUSE', 98],
  /*  4 */ ['EADDRNOTAVAIL', 99], ['EAFNOSUPPORT', 97], ['EAGAIN', 11], ['EALREADY', 114],
  /*  8 */ ['EBADF', 9], ['EBADMSG', 74], ['EBUSY', 16], ['ECANCELED', 125],
  /* 12 */ ['ECHILD', 10], ['ECONNABORTED', 103], ['ECONNREFUSED', 111], ['ECONNRESET', 104],
  /* 16 */ ['EDEADLK', 35], ['EDESTADDRREQ', 89], ['EDOM', 33], ['EDQUOT', 122],
  /* 20 */ ['EEXIST', 17], ['EFAULT', 14], ['EFBIG', 27], ['EHOSTUNREACH', 113],
  /* 24 */ ['EIDRM', 43], ['EILSEQ', 84], ['EINPROGRESS', 115], ['EINTR', 4],
  /* 28 */ ['EINVAL', 22], ['EIO', 5], ['EISCONN', 106], ['EISDIR', 21],
  /* 32 */ ['ELOOP', 40], ['EMFILE', 24], ['EMLINK', 31], ['EMSGSIZE', 90],
  /* 36 */ ['EMULTIHOP', 72], ['ENAMETOOLONG', 36], ['ENETDOWN', 100], ['ENETRESET', 102],
  /* 40 */ ['ENETUNREACH', 101], ['ENFILE', 23], ['ENOBUFS', 105], ['ENODEV', 19],
  /* 44 */ ['ENOENT', 2], ['ENOEXEC', 8], ['ENOLCK', 37], ['ENOLINK', 67],
  /* 48 */ ['ENOMEM', 12], ['ENOMSG', 42], ['ENOPROTOOPT', 92], ['ENOSPC', 28],
  /* 52 */ ['ENOSYS', 38], ['ENOTCONN', 107], ['ENOTDIR', 20], ['ENOTEMPTY', 39],
  /* 56 */ ['ENOTRECOVERABLE', 131], ['ENOTSOCK', 88], ['ENOTSUP', 95], ['ENOTTY', 25],
  /* 60 */ ['ENXIO', 6], ['EOVERFLOW', 75], ['EOWNERDEAD', 130], ['EPERM', 1],
  /* 64 */ ['EPIPE', 32], ['EPROTO', 71], ['EPROTONOSUPPORT', 93], ['EPROTOTYPE', 91],
  /* 68 */ ['ERANGE', 34], ['EROFS', 30], ['ESPIPE', 29], ['ESRCH', 3],
  /* 72 */ ['ESTALE', 116], ['ETIMEDOUT', 110], ['ETXTBSY', 26], ['EXDEV', 18],
  /* 76 */ ['ENOTCAPABLE', -1],
];

/** WASI errno number -> POSIX name, index = WASI number (WASI_ERRNOS' first column). */
export const WASI_ERRNO_NAMES: readonly string[] = WASI_ERRNOS.map(([name]) => name);

/** WASI errno number -> Linux errno number, or -1 (WASI_ERRNOS' second column). */
export const WASI_TO_LINUX_ERRNO: readonly number[] = WASI_ERRNOS.map(([, linux]) => linux);

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
