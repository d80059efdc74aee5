// Host file-system values in WASI's terms: a host errno as a WASI errno (an escape
// from a folder as NOTCAPABLE), st_mode and d_type as WASI filetypes, struct stat as a
// filestat, and WASI times and fstflags as the struct timespec[2] of futimens/utimensat.
// Pure functions, shared by the directory and file resources.

import { constants as osConstants } from 'node:os';
import { S_IFMT, S_IFDIR, S_IFREG, S_IFLNK, S_IFCHR, S_IFBLK, S_IFSOCK, DT, UTIME_NOW, UTIME_OMIT, type Stat } from '../native/fs.js';
import { ERRNO_INVAL, ERRNO_NOTCAPABLE, toWasiErrno } from '../native/errno.js';
import {
  FILETYPE_BLOCK_DEVICE, FILETYPE_CHARACTER_DEVICE, FILETYPE_DIRECTORY, FILETYPE_REGULAR_FILE,
  FILETYPE_SOCKET_STREAM, FILETYPE_SYMBOLIC_LINK, FILETYPE_UNKNOWN, FSTFLAGS_ATIM, FSTFLAGS_ATIM_NOW, FSTFLAGS_MTIM,
  FSTFLAGS_MTIM_NOW, type Filestat,
} from './wasi-defs.js';

const E = osConstants.errno as Record<string, number>;

/** Host errno -> WASI errno, with an escape (EXDEV from the confinement) as NOTCAPABLE. */
export function wasiErr(hostErrno: number): number {
  if (hostErrno === E.EXDEV) return ERRNO_NOTCAPABLE;
  return toWasiErrno(hostErrno);
}

/** st_mode -> WASI filetype. */
export function filetypeOf(mode: number): number {
  switch (mode & S_IFMT) {
    case S_IFDIR: return FILETYPE_DIRECTORY;
    case S_IFREG: return FILETYPE_REGULAR_FILE;
    case S_IFLNK: return FILETYPE_SYMBOLIC_LINK;
    case S_IFCHR: return FILETYPE_CHARACTER_DEVICE;
    case S_IFBLK: return FILETYPE_BLOCK_DEVICE;
    case S_IFSOCK: return FILETYPE_SOCKET_STREAM;
    default: return FILETYPE_UNKNOWN;
  }
}

/** d_type -> WASI filetype. */
export function filetypeOfDirent(type: number): number {
  switch (type) {
    case DT.DIR: return FILETYPE_DIRECTORY;
    case DT.REG: return FILETYPE_REGULAR_FILE;
    case DT.LNK: return FILETYPE_SYMBOLIC_LINK;
    case DT.CHR: return FILETYPE_CHARACTER_DEVICE;
    case DT.BLK: return FILETYPE_BLOCK_DEVICE;
    case DT.SOCK: return FILETYPE_SOCKET_STREAM;
    default: return FILETYPE_UNKNOWN;
  }
}

/** struct stat -> WASI filestat. */
export function toFilestat(s: Stat): Filestat {
  return { dev: s.dev, ino: s.ino, filetype: filetypeOf(s.mode), nlink: s.nlink, size: s.size, atim: s.atim, mtim: s.mtim, ctim: s.ctim };
}

/** struct timespec[2] for futimens/utimensat from WASI times and fstflags, or INVAL. */
export function timespecs(atim: bigint, mtim: bigint, fst: number): Uint8Array | number {
  if (((fst & FSTFLAGS_ATIM) && (fst & FSTFLAGS_ATIM_NOW)) || ((fst & FSTFLAGS_MTIM) && (fst & FSTFLAGS_MTIM_NOW))) return ERRNO_INVAL;
  if (fst & ~(FSTFLAGS_ATIM | FSTFLAGS_ATIM_NOW | FSTFLAGS_MTIM | FSTFLAGS_MTIM_NOW)) return ERRNO_INVAL;
  const out = new Uint8Array(32);
  const dv = new DataView(out.buffer);
  const put = (at: number, t: bigint, set: boolean, now: boolean) => {
    if (now) { dv.setBigInt64(at, 0n, true); dv.setBigInt64(at + 8, BigInt(UTIME_NOW), true); return; }
    if (!set) { dv.setBigInt64(at, 0n, true); dv.setBigInt64(at + 8, BigInt(UTIME_OMIT), true); return; }
    const ns = BigInt.asUintN(64, t);
    dv.setBigInt64(at, ns / 1_000_000_000n, true);
    dv.setBigInt64(at + 8, ns % 1_000_000_000n, true);
  };
  put(0, atim, (fst & FSTFLAGS_ATIM) !== 0, (fst & FSTFLAGS_ATIM_NOW) !== 0);
  put(16, mtim, (fst & FSTFLAGS_MTIM) !== 0, (fst & FSTFLAGS_MTIM_NOW) !== 0);
  return out;
}
