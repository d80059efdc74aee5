// A directory the guest holds: a preopened folder or one opened inside it. Every path
// is resolved beneath its directory handle by confine.ts; a path that leads outside,
// or a write beneath a read-only folder, is refused (NOTCAPABLE) and reported. This
// resource sees only JS values and native fds; wasi-paths.ts and wasi-fs.ts read and
// write guest memory for it.

import { constants as osConstants } from 'node:os';
import { O, AT, S_IFMT, S_IFDIR, S_IFREG } from '../native/fs.js';
import {
  ERRNO_BADF, ERRNO_INVAL, ERRNO_ISDIR, ERRNO_MFILE, ERRNO_NOTCAPABLE, ERRNO_NOTDIR, ERRNO_NOTSUP, ERRNO_SUCCESS,
} from '../native/errno.js';
import type { Confiner, ParentRef } from './confine.js';
import { GuestFd } from './fdtable.js';
import type { FileSystem } from './files.js';
import { filetypeOfDirent, timespecs, toFilestat, wasiErr } from './fs-translate.js';
import { HostFile } from './host-file.js';
import {
  FILETYPE_DIRECTORY, FDFLAGS_APPEND, FDFLAGS_DSYNC, FDFLAGS_NONBLOCK, FDFLAGS_RSYNC, FDFLAGS_SYNC, OFLAGS_CREAT,
  OFLAGS_DIRECTORY, OFLAGS_EXCL, OFLAGS_TRUNC, RIGHTS_FD_READ, RIGHTS_FD_READDIR, RIGHTS_WRITING, dirRights,
  inheritingRights, type Fdstat, type Filestat,
} from './wasi-defs.js';

const E = osConstants.errno as Record<string, number>;
/** New files and directories: rw-r--r-- and rwxr-xr-x, less the host's umask. */
const FILE_MODE = 0o644;
const DIR_MODE = 0o755;

/** A directory: a preopened folder or one opened inside it. */
export class HostDir extends GuestFd {
  private slot: number;
  /** The native fd; -1 once closed. */
  nativeFd: number;

  constructor(
    readonly sys: FileSystem,
    nativeFd: number,
    slot: number,
    /** The guest's name for a preopen ('/data'), or null for a directory opened inside one. */
    readonly preopenName: Uint8Array | null,
    /** No writes anywhere beneath. */
    readonly readonly: boolean,
  ) {
    super();
    this.nativeFd = nativeFd;
    this.slot = slot;
  }

  fdstat(): Fdstat {
    return { filetype: FILETYPE_DIRECTORY, flags: 0, rightsBase: dirRights(!this.readonly), rightsInheriting: inheritingRights(!this.readonly) };
  }

  override filestat(): Filestat | number {
    const s = this.sys.fs.stat(this.nativeFd, null, false);
    return s ? toFilestat(s) : wasiErr(this.sys.fs.errno());
  }

  override setFdflags(flags: number): number {
    return flags === 0 ? ERRNO_SUCCESS : ERRNO_NOTSUP;
  }

  override close(): number {
    if (this.nativeFd < 0) return ERRNO_BADF;
    const fd = this.nativeFd;
    this.nativeFd = -1;
    return this.sys.release(fd, this.slot);
  }

  private get confiner(): Confiner {
    return this.sys.confiner;
  }

  /** A refusal: NOTCAPABLE, reported to the host when it listens. */
  private refuse(call: string, path: string, rule: string): number {
    this.sys.events?.({ type: 'refused', call, what: JSON.stringify(path), rule });
    return ERRNO_NOTCAPABLE;
  }

  /** The errno for a failed open or lookup; an escape from the folder is a reported refusal. */
  private failed(call: string, path: string, hostErrno: number): number {
    if (hostErrno === E.EXDEV) return this.refuse(call, path, 'the path leads outside its folder');
    return wasiErr(hostErrno);
  }

  /** A write asked of a read-only preopen: refused, and reported. */
  private readonlyRefusal(call: string, path: string): number {
    return this.refuse(call, path, 'the folder is read-only');
  }

  /**
   * path_open: a HostDir or HostFile for `path` beneath this directory, or a WASI errno.
   * `rights`: what the guest asked for (writing rights open the file for writing).
   */
  open(path: string, follow: boolean, oflags: number, rights: number, fdflags: number): GuestFd | number {
    if (this.nativeFd < 0) return ERRNO_BADF;
    const write = (rights & RIGHTS_WRITING) !== 0 || (fdflags & FDFLAGS_APPEND) !== 0 || (oflags & (OFLAGS_CREAT | OFLAGS_TRUNC)) !== 0;
    if (write && this.readonly) return this.readonlyRefusal('path_open', path);
    const read = (rights & (RIGHTS_FD_READ | RIGHTS_FD_READDIR)) !== 0 || !write;
    let flags = O.NONBLOCK;
    if (oflags & OFLAGS_DIRECTORY) flags |= O.DIRECTORY;
    if (oflags & OFLAGS_CREAT) flags |= O.CREAT;
    if (oflags & OFLAGS_EXCL) flags |= O.EXCL;
    if (oflags & OFLAGS_TRUNC) flags |= O.TRUNC;
    if (fdflags & FDFLAGS_APPEND) flags |= O.APPEND;
    if (fdflags & FDFLAGS_DSYNC) flags |= O.DSYNC;
    if (fdflags & (FDFLAGS_SYNC | FDFLAGS_RSYNC)) flags |= O.SYNC;
    // A directory opens read-only; a file as the rights ask. Opening a directory for
    // writing is EISDIR from the kernel, as POSIX says.
    flags |= (oflags & OFLAGS_DIRECTORY) !== 0 ? O.RDONLY : write ? (read ? O.RDWR : O.WRONLY) : O.RDONLY;
    if (this.sys.open >= this.sys.maxOpen) return ERRNO_MFILE;
    const fd = this.confiner.open(this.nativeFd, path, flags, FILE_MODE, follow);
    if (fd < 0) return this.failed('path_open', path, -fd);
    const st = this.sys.fs.stat(fd, null, false);
    if (!st) { const e = this.sys.fs.errno(); this.sys.fs.close(fd); return wasiErr(e); }
    const type = st.mode & S_IFMT;
    // Only files and directories: a FIFO or a device in a folder is not for guests
    // (reading a FIFO waits for a writer; a device may do anything).
    if (type !== S_IFREG && type !== S_IFDIR) { this.sys.fs.close(fd); return ERRNO_NOTSUP; }
    if ((oflags & OFLAGS_DIRECTORY) !== 0 && type !== S_IFDIR) { this.sys.fs.close(fd); return ERRNO_NOTDIR; }
    const slot = this.sys.adopt(fd);
    if (slot === -1) return ERRNO_MFILE;
    if (type === S_IFDIR) return new HostDir(this.sys, fd, slot, null, this.readonly);
    // The native fd stays O_NONBLOCK only where it matters (none for regular files); the
    // guest's NONBLOCK is kept in the resource.
    const file = new HostFile(this.sys, fd, slot, read, write && !this.readonly, (fdflags & FDFLAGS_APPEND) !== 0);
    file.nonblock = (fdflags & FDFLAGS_NONBLOCK) !== 0;
    return file;
  }

  /** Resolves `path` and runs `act` on its parent directory and last name. */
  private atParent(path: string, act: (ref: ParentRef) => number): number {
    if (this.nativeFd < 0) return ERRNO_BADF;
    const ref = this.confiner.parent(this.nativeFd, path);
    if (typeof ref === 'number') return this.failed('path', path, -ref);
    try {
      return act(ref);
    } finally {
      this.confiner.release(ref);
    }
  }

  /** path_filestat_get. */
  stat(path: string, follow: boolean): Filestat | number {
    if (this.nativeFd < 0) return ERRNO_BADF;
    const fs = this.sys.fs;
    // Following: the whole path resolved beneath this directory (a symlink's `..` may
    // go up to here, no further). Not following: the entry itself, in its parent.
    if (!follow) {
      let out: Filestat | number = ERRNO_INVAL;
      const rc = this.atParent(path, (ref) => {
        const s = fs.stat(ref.fd, ref.name, true);
        if (!s) return wasiErr(fs.errno());
        if (ref.dirOnly && (s.mode & S_IFMT) !== S_IFDIR) return ERRNO_NOTDIR;
        out = toFilestat(s);
        return ERRNO_SUCCESS;
      });
      // rc INVAL: `.`, `..`: no entry of its own, the directory the whole path names.
      if (rc !== ERRNO_INVAL) return rc === ERRNO_SUCCESS ? out : rc;
    }
    const fd = this.confiner.open(this.nativeFd, path, O.PATH !== 0 ? O.PATH : O.RDONLY | O.NONBLOCK, 0, true);
    if (fd < 0) return this.failed('path_filestat_get', path, -fd);
    const s = fs.stat(fd, null, false);
    const e = s ? 0 : fs.errno();
    fs.close(fd);
    return s ? toFilestat(s) : wasiErr(e);
  }

  /** path_filestat_set_times. */
  setTimes(path: string, follow: boolean, atim: bigint, mtim: bigint, fstflags: number): number {
    if (this.nativeFd < 0) return ERRNO_BADF;
    if (this.readonly) return this.readonlyRefusal('path_filestat_set_times', path);
    const times = timespecs(atim, mtim, fstflags);
    if (typeof times === 'number') return times;
    const fs = this.sys.fs;
    if (!follow) {
      const rc = this.atParent(path, (ref) => (fs.utimensat(ref.fd, ref.name, times, AT.SYMLINK_NOFOLLOW) < 0 ? wasiErr(fs.errno()) : ERRNO_SUCCESS));
      if (rc !== ERRNO_INVAL) return rc;
    }
    const fd = this.confiner.open(this.nativeFd, path, O.RDONLY | O.NONBLOCK, 0, true);
    if (fd < 0) return this.failed('path_filestat_set_times', path, -fd);
    const r = fs.futimens(fd, times);
    const e = r < 0 ? fs.errno() : 0;
    fs.close(fd);
    return r < 0 ? wasiErr(e) : ERRNO_SUCCESS;
  }

  /** path_create_directory. */
  mkdir(path: string): number {
    if (this.readonly) return this.readonlyRefusal('path_create_directory', path);
    const fs = this.sys.fs;
    const rc = this.atParent(path, (ref) => (fs.mkdirat(ref.fd, ref.name, DIR_MODE) < 0 ? wasiErr(fs.errno()) : ERRNO_SUCCESS));
    // mkdir of `.` or `..`: it exists.
    return rc === ERRNO_INVAL ? wasiErr(E.EEXIST) : rc;
  }

  /** path_unlink_file. */
  unlink(path: string): number {
    if (this.readonly) return this.readonlyRefusal('path_unlink_file', path);
    const fs = this.sys.fs;
    const rc = this.atParent(path, (ref) => {
      if (ref.dirOnly) return wasiErr(E.ENOTDIR);
      return fs.unlinkat(ref.fd, ref.name, 0) < 0 ? wasiErr(fs.errno()) : ERRNO_SUCCESS;
    });
    return rc === ERRNO_INVAL ? ERRNO_ISDIR : rc;
  }

  /** path_remove_directory. */
  rmdir(path: string): number {
    if (this.readonly) return this.readonlyRefusal('path_remove_directory', path);
    const fs = this.sys.fs;
    const rc = this.atParent(path, (ref) => (fs.unlinkat(ref.fd, ref.name, AT.REMOVEDIR) < 0 ? wasiErr(fs.errno()) : ERRNO_SUCCESS));
    // rmdir of `.` is EINVAL, of `..` ENOTEMPTY (Linux's answers).
    if (rc === ERRNO_INVAL) return /(^|\/)\.\.\/*$/.test(path) ? wasiErr(E.ENOTEMPTY) : ERRNO_INVAL;
    return rc;
  }

  /** path_readlink: the link's bytes, or an errno. */
  readlink(path: string): Uint8Array | number {
    if (this.nativeFd < 0) return ERRNO_BADF;
    const fs = this.sys.fs;
    let out: Uint8Array | number = ERRNO_INVAL;
    this.atParent(path, (ref) => {
      const buf = new Uint8Array(4096);
      const n = fs.readlinkat(ref.fd, ref.name, buf);
      out = n < 0 ? wasiErr(fs.errno()) : buf.slice(0, n);
      return ERRNO_SUCCESS;
    });
    return out;
  }

  /** path_symlink: creates a link at `path` holding `target` (any text; following it stays confined). */
  symlink(target: Uint8Array, path: string): number {
    if (this.readonly) return this.readonlyRefusal('path_symlink', path);
    const fs = this.sys.fs;
    const t = new Uint8Array(target.length + 1);
    t.set(target);
    const rc = this.atParent(path, (ref) => (fs.symlinkat(t, ref.fd, ref.name) < 0 ? wasiErr(fs.errno()) : ERRNO_SUCCESS));
    return rc === ERRNO_INVAL ? wasiErr(E.EEXIST) : rc;
  }

  /** path_rename: `path` here to `toPath` in directory `to`. */
  rename(path: string, to: HostDir, toPath: string): number {
    if (this.readonly || to.readonly) return this.readonlyRefusal('path_rename', this.readonly ? path : toPath);
    const fs = this.sys.fs;
    const rc = this.atParent(path, (from) => {
      const rc2 = to.atParent(toPath, (dest) => (fs.renameat(from.fd, from.name, dest.fd, dest.name) < 0 ? wasiErr(fs.errno()) : ERRNO_SUCCESS));
      return rc2 === ERRNO_INVAL ? wasiErr(E.EBUSY) : rc2;
    });
    return rc === ERRNO_INVAL ? wasiErr(E.EBUSY) : rc;
  }

  /** path_link: a hard link at `toPath` in `to` for `path` here (a symlink is linked itself). */
  link(path: string, follow: boolean, to: HostDir, toPath: string): number {
    if (to.readonly) return to.readonlyRefusal('path_link', toPath);
    // Following a symlink for a hard link would resolve its text unconfined: refused, as in wasmtime.
    if (follow) return ERRNO_INVAL;
    const fs = this.sys.fs;
    const rc = this.atParent(path, (from) => {
      const rc2 = to.atParent(toPath, (dest) => (fs.linkat(from.fd, from.name, dest.fd, dest.name, 0) < 0 ? wasiErr(fs.errno()) : ERRNO_SUCCESS));
      return rc2 === ERRNO_INVAL ? wasiErr(E.EEXIST) : rc2;
    });
    return rc === ERRNO_INVAL ? wasiErr(E.EPERM) : rc;
  }

  /** fd_readdir: up to `max` entries from `cookie`, or an errno. */
  readdir(cookie: bigint, max: number): { next: bigint; ino: bigint; type: number; name: Uint8Array }[] | number {
    if (this.nativeFd < 0) return ERRNO_BADF;
    // The walk opened intermediate directories O_PATH; a directory the guest holds is a
    // real open fd (O_RDONLY | O_DIRECTORY), which getdents needs.
    const list = this.sys.fs.readdir(this.nativeFd, cookie, max);
    if (!list) return wasiErr(this.sys.fs.errno());
    return list.map((d) => ({ next: d.next, ino: d.ino, type: filetypeOfDirent(d.type), name: d.name }));
  }
}
