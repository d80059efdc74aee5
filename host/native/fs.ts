// koffi bindings to the C library's file calls, for the sandbox's preopened folders.
//
// Paths are passed as NUL-terminated byte arrays (the guest's bytes, never re-encoded).
// Every function returns what libc returns; after a -1, `errno()` tells why. Nothing
// here decides what a guest may open: host/sandbox/confine.ts does, with these calls.
//
// Linux is the tested platform. The macOS branches (struct stat, directory entries)
// follow <sys/stat.h> and <sys/dirent.h> of macOS 13 and are not exercised by the tests.

import koffi from 'koffi';

const IS_MAC = process.platform === 'darwin';

/** <fcntl.h> open flags and *at() flags of this platform. */
export const O = IS_MAC
  ? { RDONLY: 0, WRONLY: 1, RDWR: 2, CREAT: 0x200, EXCL: 0x800, TRUNC: 0x400, APPEND: 0x8, NONBLOCK: 0x4, DIRECTORY: 0x100000, NOFOLLOW: 0x100, CLOEXEC: 0x1000000, NOCTTY: 0x20000, PATH: 0, DSYNC: 0x400000, SYNC: 0x80 }
  : { RDONLY: 0, WRONLY: 1, RDWR: 2, CREAT: 0o100, EXCL: 0o200, TRUNC: 0o1000, APPEND: 0o2000, NONBLOCK: 0o4000, DIRECTORY: 0o200000, NOFOLLOW: 0o400000, CLOEXEC: 0o2000000, NOCTTY: 0o400, PATH: 0o10000000, DSYNC: 0o10000, SYNC: 0o4010000 };
export const AT = IS_MAC
  ? { FDCWD: -2, SYMLINK_NOFOLLOW: 0x20, REMOVEDIR: 0x80, SYMLINK_FOLLOW: 0x40, EMPTY_PATH: 0 }
  : { FDCWD: -100, SYMLINK_NOFOLLOW: 0x100, REMOVEDIR: 0x200, SYMLINK_FOLLOW: 0x400, EMPTY_PATH: 0x1000 };
/** openat2(2) RESOLVE_* flags (<linux/openat2.h>). */
export const RESOLVE_NO_MAGICLINKS = 0x02;
export const RESOLVE_BENEATH = 0x08;
/** utimensat(2) special nanosecond values (<sys/stat.h>). */
export const UTIME_NOW = IS_MAC ? -1 : (1 << 30) - 1;
export const UTIME_OMIT = IS_MAC ? -2 : (1 << 30) - 2;
/** <sys/stat.h> file type bits of st_mode. */
export const S_IFMT = 0o170000;
export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;
export const S_IFCHR = 0o020000;
export const S_IFBLK = 0o060000;
export const S_IFSOCK = 0o140000;
export const S_IFIFO = 0o010000;
/** <dirent.h> d_type values (the same on Linux and macOS). */
export const DT = { UNKNOWN: 0, FIFO: 1, CHR: 2, DIR: 4, BLK: 6, REG: 8, LNK: 10, SOCK: 12 } as const;

/** What fstat/statx tell, in one shape for both platforms. Times in ns since the epoch. */
export interface Stat {
  dev: bigint;
  ino: bigint;
  /** st_mode (type and permission bits). */
  mode: number;
  nlink: bigint;
  size: bigint;
  atim: bigint;
  mtim: bigint;
  ctim: bigint;
}

/** One directory entry, as getdents/readdir give it. */
export interface Dirent {
  ino: bigint;
  /** The position after this entry (lseek/seekdir cookie). */
  next: bigint;
  /** d_type (DT.*). */
  type: number;
  /** The name's bytes. */
  name: Uint8Array;
}

/** The file calls the sandbox's folders use. */
export interface FsApi {
  /** openat(2). */
  openat(dirfd: number, path: Uint8Array, flags: number, mode: number): number;
  /**
   * openat2(2) with `resolve` flags (Linux ≥ 5.6). -1 with ENOSYS where the system
   * lacks it (other platforms, old kernels, seccomp filters).
   */
  openat2(dirfd: number, path: Uint8Array, flags: number, mode: number, resolve: number): number;
  close(fd: number): number;
  /** fstat(2) of an fd, or (path non-null) fstatat(2) relative to dirfd. */
  stat(dirfd: number, path: Uint8Array | null, nofollow: boolean): Stat | null;
  /** readv(2)/writev(2)/preadv(2)/pwritev(2) over struct iovec[n] at a native address. */
  readvAt(fd: number, iov: number, n: number): number;
  writevAt(fd: number, iov: number, n: number): number;
  preadvAt(fd: number, iov: number, n: number, offset: number): number;
  pwritevAt(fd: number, iov: number, n: number, offset: number): number;
  /** lseek(2): the new offset, or -1. */
  lseek(fd: number, offset: number, whence: number): number;
  ftruncate(fd: number, length: number): number;
  fsync(fd: number): number;
  fdatasync(fd: number): number;
  /** posix_fadvise(2)/posix_fallocate(3), returning -1 and setting errno() like the others. */
  fadvise(fd: number, offset: number, len: number, advice: number): number;
  fallocate(fd: number, offset: number, len: number): number;
  /** futimens(2) / utimensat(2) with struct timespec[2] (32 bytes). */
  futimens(fd: number, times: Uint8Array): number;
  utimensat(dirfd: number, path: Uint8Array, times: Uint8Array, flags: number): number;
  mkdirat(dirfd: number, path: Uint8Array, mode: number): number;
  unlinkat(dirfd: number, path: Uint8Array, flags: number): number;
  renameat(olddirfd: number, oldpath: Uint8Array, newdirfd: number, newpath: Uint8Array): number;
  linkat(olddirfd: number, oldpath: Uint8Array, newdirfd: number, newpath: Uint8Array, flags: number): number;
  symlinkat(target: Uint8Array, newdirfd: number, linkpath: Uint8Array): number;
  /** readlinkat(2) into `buf`: the length, or -1. */
  readlinkat(dirfd: number, path: Uint8Array, buf: Uint8Array): number;
  /**
   * The entries of directory fd `fd` from position `cookie` (0: the start), at most
   * `max` of them; null on error (errno set).
   */
  readdir(fd: number, cookie: bigint, max: number): Dirent[] | null;
  /** fcntl(2) with an int argument (F_GETFL, F_SETFL). */
  fcntl(fd: number, cmd: number, arg: number): number;
  errno(): number;
}

/** Bytes of a path for the calls above: UTF-8 of `text` and a NUL. */
export function cpath(text: string | Uint8Array): Uint8Array {
  const b = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const out = new Uint8Array(b.length + 1);
  out.set(b);
  return out;
}

type Fn = (...args: unknown[]) => number;

function bind(): FsApi {
  const lib = koffi.load(IS_MAC ? '/usr/lib/libSystem.B.dylib' : 'libc.so.6');
  const f = (decl: string): Fn => lib.func(decl) as unknown as Fn;
  const openatV = f('int openat(int, void *, int, ...)');
  const close = f('int close(int)');
  const readvAt = f('intptr_t readv(int, uintptr_t, int)');
  const writevAt = f('intptr_t writev(int, uintptr_t, int)');
  const preadvAt = f('intptr_t preadv(int, uintptr_t, int, int64_t)');
  const pwritevAt = f('intptr_t pwritev(int, uintptr_t, int, int64_t)');
  const lseek = f('int64_t lseek(int, int64_t, int)');
  const ftruncate = f('int ftruncate(int, int64_t)');
  const fsync = f('int fsync(int)');
  const fdatasync = IS_MAC ? f('int fsync(int)') : f('int fdatasync(int)');
  const futimens = f('int futimens(int, void *)');
  const utimensat = f('int utimensat(int, void *, void *, int)');
  const mkdirat = f('int mkdirat(int, void *, uint32_t)');
  const unlinkat = f('int unlinkat(int, void *, int)');
  const renameat = f('int renameat(int, void *, int, void *)');
  const linkat = f('int linkat(int, void *, int, void *, int)');
  const symlinkat = f('int symlinkat(void *, int, void *)');
  const readlinkat = f('intptr_t readlinkat(int, void *, void *, size_t)');
  const fcntlV = f('int fcntl(int, int, ...)');
  let errnoOverride = 0;
  const errno = (): number => {
    if (errnoOverride !== 0) {
      const e = errnoOverride;
      errnoOverride = 0;
      return e;
    }
    return koffi.errno();
  };
  /** posix_fadvise/posix_fallocate return the error instead of setting errno. */
  const viaReturn = (rc: number): number => {
    if (rc === 0) return 0;
    errnoOverride = rc;
    return -1;
  };
  const ENOSYS = IS_MAC ? 78 : 38;
  let openat2: FsApi['openat2'];
  if (IS_MAC) {
    openat2 = () => { errnoOverride = ENOSYS; return -1; };
  } else {
    const syscall = f('long syscall(long, ...)');
    // SYS_openat2 is 437 on every Linux architecture (the unified syscall table, 5.6+).
    const SYS_openat2 = 437;
    const how = new BigUint64Array(3);
    openat2 = (dirfd, path, flags, mode, resolve) => {
      how[0] = BigInt(flags >>> 0);
      how[1] = BigInt(mode >>> 0);
      how[2] = BigInt(resolve >>> 0);
      errnoOverride = 0;
      return Number(syscall(SYS_openat2, 'int', dirfd, 'void *', path, 'void *', how, 'size_t', 24));
    };
  }

  let stat: FsApi['stat'];
  let readdir: FsApi['readdir'];
  if (!IS_MAC) {
    // statx(2) (glibc ≥ 2.28): one layout on every Linux architecture (<linux/stat.h>):
    //   u32 mask @0 | u32 blksize @4 | u64 attributes @8 | u32 nlink @16 | u32 uid @20
    //   u32 gid @24 | u16 mode @28 | u64 ino @32 | u64 size @40 | u64 blocks @48
    //   statx_timestamp { i64 sec; u32 nsec; i32 pad } atime @64, btime @80, ctime @96, mtime @112
    //   u32 rdev_major @128 | rdev_minor @132 | dev_major @136 | dev_minor @140   (256 bytes)
    const statx = f('int statx(int, void *, int, uint32_t, void *)');
    const out = new Uint8Array(256);
    const dv = new DataView(out.buffer);
    const EMPTY = cpath('');
    const STATX_BASIC_STATS = 0x7ff;
    const ts = (at: number): bigint => dv.getBigInt64(at, true) * 1_000_000_000n + BigInt(dv.getUint32(at + 8, true));
    stat = (dirfd, path, nofollow) => {
      errnoOverride = 0;
      const flags = (path === null ? AT.EMPTY_PATH : 0) | (nofollow ? AT.SYMLINK_NOFOLLOW : 0);
      if (statx(dirfd, path ?? EMPTY, flags, STATX_BASIC_STATS, out) < 0) return null;
      const major = BigInt(dv.getUint32(136, true));
      const minor = BigInt(dv.getUint32(140, true));
      // makedev() of glibc <sys/sysmacros.h>.
      const dev = ((major & 0xfffff000n) << 32n) | ((major & 0xfffn) << 8n) | ((minor & 0xffffff00n) << 12n) | (minor & 0xffn);
      return {
        dev, ino: dv.getBigUint64(32, true), mode: dv.getUint16(28, true), nlink: BigInt(dv.getUint32(16, true)),
        size: dv.getBigUint64(40, true), atim: ts(64), mtim: ts(112), ctim: ts(96),
      };
    };
    // getdents64(2) (glibc ≥ 2.30): struct linux_dirent64 { u64 d_ino; i64 d_off; u16 d_reclen; u8 d_type; char d_name[] }.
    const getdents64 = f('intptr_t getdents64(int, void *, size_t)');
    const buf = new Uint8Array(32768);
    const bdv = new DataView(buf.buffer);
    readdir = (fd, cookie, max) => {
      errnoOverride = 0;
      if (lseek(fd, cookie, 0) < 0) return null;
      const list: Dirent[] = [];
      while (list.length < max) {
        const n = getdents64(fd, buf, buf.length);
        if (n < 0) return null;
        if (n === 0) break;
        for (let at = 0; at < n && list.length < max;) {
          const reclen = bdv.getUint16(at + 16, true);
          let end = at + 19;
          while (end < at + reclen && buf[end] !== 0) end++;
          list.push({ ino: bdv.getBigUint64(at, true), next: bdv.getBigInt64(at + 8, true), type: buf[at + 18], name: buf.slice(at + 19, end) });
          at += reclen;
        }
      }
      return list;
    };
  } else {
    // macOS 64-bit struct stat (<sys/stat.h>, _DARWIN_FEATURE_64_BIT_INODE):
    //   i32 dev @0 | u16 mode @4 | u16 nlink @6 | u64 ino @8 | u32 uid @16 | u32 gid @20 | i32 rdev @24
    //   timespec atime @32, mtime @48, ctime @64, birthtime @80 | i64 size @96 ...   (144 bytes)
    const fstatat = f('int fstatat(int, void *, void *, int)');
    const fstat = f('int fstat(int, void *)');
    const out = new Uint8Array(144);
    const dv = new DataView(out.buffer);
    const ts = (at: number): bigint => dv.getBigInt64(at, true) * 1_000_000_000n + dv.getBigInt64(at + 8, true);
    stat = (dirfd, path, nofollow) => {
      errnoOverride = 0;
      const rc = path === null ? fstat(dirfd, out) : fstatat(dirfd, path, out, nofollow ? AT.SYMLINK_NOFOLLOW : 0);
      if (rc < 0) return null;
      return {
        dev: BigInt(dv.getInt32(0, true) >>> 0), ino: dv.getBigUint64(8, true), mode: dv.getUint16(4, true),
        nlink: BigInt(dv.getUint16(6, true)), size: dv.getBigInt64(96, true), atim: ts(32), mtim: ts(48), ctim: ts(64),
      };
    };
    // macOS struct dirent (64-bit inodes): u64 d_ino @0 | u64 d_seekoff @8 | u16 d_reclen @16 |
    // u16 d_namlen @18 | u8 d_type @20 | char d_name[1024] @21. Read with a DIR* on a dup of the fd.
    const dup = f('int dup(int)');
    const fdopendir = f('void *fdopendir(int)') as unknown as (fd: number) => unknown;
    const readdirFn = f('void *readdir(void *)') as unknown as (d: unknown) => unknown;
    const telldir = f('long telldir(void *)') as unknown as (d: unknown) => number;
    const seekdir = f('void seekdir(void *, long)') as unknown as (d: unknown, at: number) => void;
    const closedir = f('int closedir(void *)') as unknown as (d: unknown) => number;
    readdir = (fd, cookie, max) => {
      errnoOverride = 0;
      const d2 = dup(fd);
      if (d2 < 0) return null;
      const dir = fdopendir(d2);
      if (!dir) { close(d2); return null; }
      try {
        seekdir(dir, Number(cookie));
        const list: Dirent[] = [];
        while (list.length < max) {
          const p = readdirFn(dir);
          if (!p) break;
          const head = new DataView(koffi.view(p, 21).slice(0) as ArrayBuffer);
          const namlen = head.getUint16(18, true);
          const name = new Uint8Array(koffi.view(p, 21 + namlen) as ArrayBuffer).slice(21, 21 + namlen);
          list.push({ ino: head.getBigUint64(0, true), next: BigInt(telldir(dir)), type: head.getUint8(20), name });
        }
        return list;
      } finally {
        closedir(dir);
      }
    };
  }

  const fadvise = IS_MAC ? null : f('int posix_fadvise(int, int64_t, int64_t, int)');
  const fallocate = IS_MAC ? null : f('int posix_fallocate(int, int64_t, int64_t)');
  return {
    openat: (dirfd, path, flags, mode) => { errnoOverride = 0; return openatV(dirfd, path, flags, 'uint32_t', mode >>> 0); },
    openat2,
    close: (fd) => { errnoOverride = 0; return close(fd); },
    stat,
    readvAt: (fd, iov, n) => { errnoOverride = 0; return readvAt(fd, iov, n); },
    writevAt: (fd, iov, n) => { errnoOverride = 0; return writevAt(fd, iov, n); },
    preadvAt: (fd, iov, n, off) => { errnoOverride = 0; return preadvAt(fd, iov, n, off); },
    pwritevAt: (fd, iov, n, off) => { errnoOverride = 0; return pwritevAt(fd, iov, n, off); },
    lseek: (fd, off, whence) => { errnoOverride = 0; return Number(lseek(fd, off, whence)); },
    ftruncate: (fd, len) => { errnoOverride = 0; return ftruncate(fd, len); },
    fsync: (fd) => { errnoOverride = 0; return fsync(fd); },
    fdatasync: (fd) => { errnoOverride = 0; return fdatasync(fd); },
    // macOS has neither call: advice is only a hint (success), allocation is done by writing.
    fadvise: (fd, off, len, advice) => (fadvise ? viaReturn(fadvise(fd, off, len, advice)) : 0),
    fallocate: (fd, off, len) => (fallocate ? viaReturn(fallocate(fd, off, len)) : viaReturn(IS_MAC ? 45 : 95)),
    futimens: (fd, times) => { errnoOverride = 0; return futimens(fd, times); },
    utimensat: (dirfd, path, times, flags) => { errnoOverride = 0; return utimensat(dirfd, path, times, flags); },
    mkdirat: (dirfd, path, mode) => { errnoOverride = 0; return mkdirat(dirfd, path, mode); },
    unlinkat: (dirfd, path, flags) => { errnoOverride = 0; return unlinkat(dirfd, path, flags); },
    renameat: (a, ap, b, bp) => { errnoOverride = 0; return renameat(a, ap, b, bp); },
    linkat: (a, ap, b, bp, flags) => { errnoOverride = 0; return linkat(a, ap, b, bp, flags); },
    symlinkat: (target, dirfd, path) => { errnoOverride = 0; return symlinkat(target, dirfd, path); },
    readlinkat: (dirfd, path, buf) => { errnoOverride = 0; return readlinkat(dirfd, path, buf, buf.length); },
    readdir,
    fcntl: (fd, cmd, arg) => { errnoOverride = 0; return fcntlV(fd, cmd, 'int', arg); },
    errno,
  };
}

let bound: FsApi | undefined;

/** The real C library's file calls, bound on first use in this thread. */
export function fsNative(): FsApi {
  bound ??= bind();
  return bound;
}
