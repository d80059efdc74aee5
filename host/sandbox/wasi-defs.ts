// WASI preview1 numbers and struct layouts for files, directories and stdio.
// Source: WebAssembly/WASI phases/snapshot/witx/typenames.witx (wasi_snapshot_preview1).
// Every struct is written by a small codec with explicit little-endian offsets.

/** $filetype */
export const FILETYPE_UNKNOWN = 0;
export const FILETYPE_BLOCK_DEVICE = 1;
export const FILETYPE_CHARACTER_DEVICE = 2;
export const FILETYPE_DIRECTORY = 3;
export const FILETYPE_REGULAR_FILE = 4;
export const FILETYPE_SOCKET_DGRAM = 5;
export const FILETYPE_SOCKET_STREAM = 6;
export const FILETYPE_SYMBOLIC_LINK = 7;

/** $fdflags */
export const FDFLAGS_APPEND = 1;
export const FDFLAGS_DSYNC = 2;
export const FDFLAGS_NONBLOCK = 4;
export const FDFLAGS_RSYNC = 8;
export const FDFLAGS_SYNC = 16;

/** $oflags */
export const OFLAGS_CREAT = 1;
export const OFLAGS_DIRECTORY = 2;
export const OFLAGS_EXCL = 4;
export const OFLAGS_TRUNC = 8;

/** $lookupflags */
export const LOOKUPFLAGS_SYMLINK_FOLLOW = 1;

/** $whence */
export const WHENCE_SET = 0;
export const WHENCE_CUR = 1;
export const WHENCE_END = 2;

/** $fstflags */
export const FSTFLAGS_ATIM = 1;
export const FSTFLAGS_ATIM_NOW = 2;
export const FSTFLAGS_MTIM = 4;
export const FSTFLAGS_MTIM_NOW = 8;

/** $advice: NORMAL 0 … NOREUSE 5 (the same numbers as POSIX_FADV_* on Linux). */
export const ADVICE_MAX = 5;

/** $preopentype */
export const PREOPENTYPE_DIR = 0;

/** $rights (u64; every right sockbox hands out fits in 32 bits). */
export const RIGHTS_FD_DATASYNC = 1 << 0;
export const RIGHTS_FD_READ = 1 << 1;
export const RIGHTS_FD_SEEK = 1 << 2;
export const RIGHTS_FD_FDSTAT_SET_FLAGS = 1 << 3;
export const RIGHTS_FD_SYNC = 1 << 4;
export const RIGHTS_FD_TELL = 1 << 5;
export const RIGHTS_FD_WRITE = 1 << 6;
export const RIGHTS_FD_ADVISE = 1 << 7;
export const RIGHTS_FD_ALLOCATE = 1 << 8;
export const RIGHTS_PATH_CREATE_DIRECTORY = 1 << 9;
export const RIGHTS_PATH_CREATE_FILE = 1 << 10;
export const RIGHTS_PATH_LINK_SOURCE = 1 << 11;
export const RIGHTS_PATH_LINK_TARGET = 1 << 12;
export const RIGHTS_PATH_OPEN = 1 << 13;
export const RIGHTS_FD_READDIR = 1 << 14;
export const RIGHTS_PATH_READLINK = 1 << 15;
export const RIGHTS_PATH_RENAME_SOURCE = 1 << 16;
export const RIGHTS_PATH_RENAME_TARGET = 1 << 17;
export const RIGHTS_PATH_FILESTAT_GET = 1 << 18;
export const RIGHTS_PATH_FILESTAT_SET_SIZE = 1 << 19;
export const RIGHTS_PATH_FILESTAT_SET_TIMES = 1 << 20;
export const RIGHTS_FD_FILESTAT_GET = 1 << 21;
export const RIGHTS_FD_FILESTAT_SET_SIZE = 1 << 22;
export const RIGHTS_FD_FILESTAT_SET_TIMES = 1 << 23;
export const RIGHTS_PATH_SYMLINK = 1 << 24;
export const RIGHTS_PATH_REMOVE_DIRECTORY = 1 << 25;
export const RIGHTS_PATH_UNLINK_FILE = 1 << 26;
export const RIGHTS_POLL_FD_READWRITE = 1 << 27;
export const RIGHTS_SOCK_SHUTDOWN = 1 << 28;
export const RIGHTS_SOCK_ACCEPT = 1 << 29;

/** The rights that change a file's contents: asked for, they make path_open open for writing. */
export const RIGHTS_WRITING = RIGHTS_FD_WRITE | RIGHTS_FD_ALLOCATE | RIGHTS_FD_FILESTAT_SET_SIZE;

/** Rights of a regular file opened for reading (and, with `write`, writing). */
export function fileRights(read: boolean, write: boolean): number {
  let r = RIGHTS_FD_SEEK | RIGHTS_FD_TELL | RIGHTS_FD_FDSTAT_SET_FLAGS | RIGHTS_FD_ADVISE
    | RIGHTS_FD_FILESTAT_GET | RIGHTS_POLL_FD_READWRITE;
  if (read) r |= RIGHTS_FD_READ;
  if (write) r |= RIGHTS_FD_WRITE | RIGHTS_FD_DATASYNC | RIGHTS_FD_SYNC | RIGHTS_FD_ALLOCATE | RIGHTS_FD_FILESTAT_SET_SIZE | RIGHTS_FD_FILESTAT_SET_TIMES;
  return r >>> 0;
}

/** Rights of a directory; `write` adds those that change what is in it. */
export function dirRights(write: boolean): number {
  let r = RIGHTS_PATH_OPEN | RIGHTS_FD_READDIR | RIGHTS_PATH_READLINK | RIGHTS_PATH_FILESTAT_GET
    | RIGHTS_FD_FILESTAT_GET | RIGHTS_FD_FDSTAT_SET_FLAGS | RIGHTS_PATH_LINK_SOURCE | RIGHTS_PATH_RENAME_SOURCE;
  if (write) {
    r |= RIGHTS_PATH_CREATE_DIRECTORY | RIGHTS_PATH_CREATE_FILE | RIGHTS_PATH_LINK_TARGET | RIGHTS_PATH_RENAME_TARGET
      | RIGHTS_PATH_FILESTAT_SET_SIZE | RIGHTS_PATH_FILESTAT_SET_TIMES | RIGHTS_FD_FILESTAT_SET_TIMES
      | RIGHTS_PATH_SYMLINK | RIGHTS_PATH_REMOVE_DIRECTORY | RIGHTS_PATH_UNLINK_FILE;
  }
  return r >>> 0;
}

/** What a directory hands to what is opened inside it: any file or directory right. */
export function inheritingRights(write: boolean): number {
  return (dirRights(write) | fileRights(true, write)) >>> 0;
}

/**
 * struct filestat (64 bytes):
 *   u64 dev @0 | u64 ino @8 | u8 filetype @16 | u64 nlink @24 | u64 size @32
 *   u64 atim @40 | u64 mtim @48 | u64 ctim @56
 */
export const FILESTAT_SIZE = 64;
export interface Filestat { dev: bigint; ino: bigint; filetype: number; nlink: bigint; size: bigint; atim: bigint; mtim: bigint; ctim: bigint }
export function writeFilestat(dv: DataView, at: number, s: Filestat): void {
  for (let i = 0; i < FILESTAT_SIZE; i += 8) dv.setBigUint64(at + i, 0n, true);
  dv.setBigUint64(at, BigInt.asUintN(64, s.dev), true);
  dv.setBigUint64(at + 8, BigInt.asUintN(64, s.ino), true);
  dv.setUint8(at + 16, s.filetype);
  dv.setBigUint64(at + 24, BigInt.asUintN(64, s.nlink), true);
  dv.setBigUint64(at + 32, BigInt.asUintN(64, s.size), true);
  dv.setBigUint64(at + 40, BigInt.asUintN(64, s.atim), true);
  dv.setBigUint64(at + 48, BigInt.asUintN(64, s.mtim), true);
  dv.setBigUint64(at + 56, BigInt.asUintN(64, s.ctim), true);
}

/**
 * struct fdstat (24 bytes):
 *   u8 fs_filetype @0 | u16 fs_flags @2 | u64 fs_rights_base @8 | u64 fs_rights_inheriting @16
 */
export const FDSTAT_SIZE = 24;
export interface Fdstat { filetype: number; flags: number; rightsBase: number; rightsInheriting: number }
export function writeFdstat(dv: DataView, at: number, s: Fdstat): void {
  dv.setUint32(at, 0, true);
  dv.setUint8(at, s.filetype);
  dv.setUint16(at + 2, s.flags, true);
  dv.setUint32(at + 4, 0, true);
  dv.setBigUint64(at + 8, BigInt(s.rightsBase >>> 0), true);
  dv.setBigUint64(at + 16, BigInt(s.rightsInheriting >>> 0), true);
}

/**
 * What fd_prestat_get says of a preopened listening socket: not a directory. Preview1
 * defines only PREOPENTYPE_DIR (0); a preopen scan (wasi-libc's, Go's) skips any other
 * tag and goes on to the next fd, where BADF would end it before the folders.
 */
export const PREOPENTYPE_SOCKET = 1;

/** struct prestat (8 bytes): u8 tag @0 (PREOPENTYPE_DIR) | u32 pr_name_len @4. */
export const PRESTAT_SIZE = 8;
export function writePrestat(dv: DataView, at: number, nameLength: number): void {
  dv.setUint32(at, 0, true);
  dv.setUint8(at, PREOPENTYPE_DIR);
  dv.setUint32(at + 4, nameLength, true);
}

/**
 * struct dirent (24 bytes, then d_namlen bytes of name):
 *   u64 d_next @0 | u64 d_ino @8 | u32 d_namlen @16 | u8 d_type @20
 */
export const DIRENT_SIZE = 24;
export function encodeDirent(next: bigint, ino: bigint, type: number, name: Uint8Array): Uint8Array {
  const out = new Uint8Array(DIRENT_SIZE + name.length);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt.asUintN(64, next), true);
  dv.setBigUint64(8, BigInt.asUintN(64, ino), true);
  dv.setUint32(16, name.length, true);
  dv.setUint8(20, type);
  out.set(name, DIRENT_SIZE);
  return out;
}

/** struct iovec / ciovec (8 bytes): u32 buf @0 | u32 buf_len @4. */
export const IOVEC_SIZE = 8;
