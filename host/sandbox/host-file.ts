// A regular file the guest opened in a folder: a live host file, read and written
// through (nothing is copied at start), its growth and every byte written counted
// against the run's write quota. This resource sees only JS values and native fds;
// wasi-fs.ts reads and writes guest memory for it.

import { O } from '../native/fs.js';
import {
  ERRNO_BADF, ERRNO_DQUOT, ERRNO_INVAL, ERRNO_NOTCAPABLE, ERRNO_NOTSUP, ERRNO_SUCCESS,
} from '../native/errno.js';
import { GuestFd } from './fdtable.js';
import type { FileSystem } from './files.js';
import { timespecs, toFilestat, wasiErr } from './fs-translate.js';
import {
  FILETYPE_REGULAR_FILE, FDFLAGS_APPEND, FDFLAGS_NONBLOCK, fileRights, type Fdstat, type Filestat,
} from './wasi-defs.js';

const F_GETFL = 3;
const F_SETFL = 4;

/** A regular file opened by the guest. */
export class HostFile extends GuestFd {
  nativeFd: number;
  private readonly slot: number;
  /** The guest's NONBLOCK flag (regular files never block on it anyway). */
  nonblock = false;

  constructor(
    readonly sys: FileSystem,
    nativeFd: number,
    slot: number,
    readonly readable: boolean,
    readonly writable: boolean,
    private append: boolean,
  ) {
    super();
    this.nativeFd = nativeFd;
    this.slot = slot;
  }

  fdstat(): Fdstat {
    const flags = (this.append ? FDFLAGS_APPEND : 0) | (this.nonblock ? FDFLAGS_NONBLOCK : 0);
    return { filetype: FILETYPE_REGULAR_FILE, flags, rightsBase: fileRights(this.readable, this.writable), rightsInheriting: 0 };
  }

  override filestat(): Filestat | number {
    const s = this.sys.fs.stat(this.nativeFd, null, false);
    return s ? toFilestat(s) : wasiErr(this.sys.fs.errno());
  }

  override setFdflags(flags: number): number {
    if (flags & ~(FDFLAGS_APPEND | FDFLAGS_NONBLOCK)) return ERRNO_NOTSUP;
    const append = (flags & FDFLAGS_APPEND) !== 0;
    if (append !== this.append) {
      if (!this.writable) return ERRNO_NOTCAPABLE;
      const fs = this.sys.fs;
      const fl = fs.fcntl(this.nativeFd, F_GETFL, 0);
      if (fl < 0 || fs.fcntl(this.nativeFd, F_SETFL, append ? fl | O.APPEND : fl & ~O.APPEND) < 0) return wasiErr(fs.errno());
      this.append = append;
    }
    this.nonblock = (flags & FDFLAGS_NONBLOCK) !== 0;
    return ERRNO_SUCCESS;
  }

  override close(): number {
    if (this.nativeFd < 0) return ERRNO_BADF;
    const fd = this.nativeFd;
    this.nativeFd = -1;
    return this.sys.release(fd, this.slot);
  }

  /** fd_filestat_set_size: growing the file counts against the write quota. */
  setSize(size: bigint): number {
    if (!this.writable) return ERRNO_NOTCAPABLE;
    if (size < 0n || size > BigInt(Number.MAX_SAFE_INTEGER)) return ERRNO_INVAL;
    const fs = this.sys.fs;
    const st = fs.stat(this.nativeFd, null, false);
    if (!st) return wasiErr(fs.errno());
    const grow = Number(size - st.size);
    if (grow > 0 && grow > this.sys.quotaLeft()) return ERRNO_DQUOT;
    if (fs.ftruncate(this.nativeFd, Number(size)) < 0) return wasiErr(fs.errno());
    if (grow > 0) this.sys.written += grow;
    return ERRNO_SUCCESS;
  }

  /** fd_filestat_set_times. */
  setTimes(atim: bigint, mtim: bigint, fstflags: number): number {
    if (!this.writable) return ERRNO_NOTCAPABLE;
    const times = timespecs(atim, mtim, fstflags);
    if (typeof times === 'number') return times;
    return this.sys.fs.futimens(this.nativeFd, times) < 0 ? wasiErr(this.sys.fs.errno()) : ERRNO_SUCCESS;
  }

  /** fd_allocate: the bytes beyond the current end count against the write quota. */
  allocate(offset: bigint, len: bigint): number {
    if (!this.writable) return ERRNO_NOTCAPABLE;
    const end = offset + len;
    if (offset < 0n || len <= 0n || end > BigInt(Number.MAX_SAFE_INTEGER)) return ERRNO_INVAL;
    const fs = this.sys.fs;
    const st = fs.stat(this.nativeFd, null, false);
    if (!st) return wasiErr(fs.errno());
    const grow = Number(end - st.size);
    if (grow > 0 && grow > this.sys.quotaLeft()) return ERRNO_DQUOT;
    if (fs.fallocate(this.nativeFd, Number(offset), Number(len)) < 0) return wasiErr(fs.errno());
    if (grow > 0) this.sys.written += grow;
    return ERRNO_SUCCESS;
  }

  /** fd_advise. */
  advise(offset: bigint, len: bigint, advice: number): number {
    if (offset < 0n || len < 0n || offset > BigInt(Number.MAX_SAFE_INTEGER) || len > BigInt(Number.MAX_SAFE_INTEGER)) return ERRNO_INVAL;
    return this.sys.fs.fadvise(this.nativeFd, Number(offset), Number(len), advice) < 0 ? wasiErr(this.sys.fs.errno()) : ERRNO_SUCCESS;
  }

  /** fd_sync / fd_datasync. */
  sync(dataOnly: boolean): number {
    const fs = this.sys.fs;
    return (dataOnly ? fs.fdatasync(this.nativeFd) : fs.fsync(this.nativeFd)) < 0 ? wasiErr(fs.errno()) : ERRNO_SUCCESS;
  }

  /** fd_seek: the new offset, or an errno (negated). */
  seek(offset: bigint, whence: number): number {
    if (whence < 0 || whence > 2) return -ERRNO_INVAL;
    if (offset < BigInt(-Number.MAX_SAFE_INTEGER) || offset > BigInt(Number.MAX_SAFE_INTEGER)) return -ERRNO_INVAL;
    const r = this.sys.fs.lseek(this.nativeFd, Number(offset), whence);
    return r < 0 ? -wasiErr(this.sys.fs.errno()) : r;
  }

  /** readv/preadv over native iovecs at `iov`: bytes read, or an errno (negated). */
  read(iov: number, n: number, offset: number): number {
    if (!this.readable) return -ERRNO_BADF;
    const fs = this.sys.fs;
    const r = offset < 0 ? fs.readvAt(this.nativeFd, iov, n) : fs.preadvAt(this.nativeFd, iov, n, offset);
    return r < 0 ? -wasiErr(fs.errno()) : r;
  }

  /**
   * writev/pwritev over native iovecs at `iov` (at most quotaLeft() bytes: the caller
   * trims them): bytes written, or an errno (negated).
   */
  write(iov: number, n: number, offset: number): number {
    if (!this.writable) return -ERRNO_BADF;
    const fs = this.sys.fs;
    const r = offset < 0 ? fs.writevAt(this.nativeFd, iov, n) : fs.pwritevAt(this.nativeFd, iov, n, offset);
    if (r < 0) return -wasiErr(fs.errno());
    this.sys.written += r;
    return r;
  }
}
