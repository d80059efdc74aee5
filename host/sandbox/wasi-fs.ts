// WASI preview1's fd_* imports over the run's fd table: stdio, preopened folders,
// files, and (for fd_read, fd_write, fd_close, fd_fdstat_*) sockets. WasiFiles adds
// them to the path_* imports of wasi-paths.ts; together they are the only code that
// reads and writes guest memory for files. Every pointer and length is checked against
// the memory before use (FAULT when outside), the iovecs by guest-buffers.ts.

import type { NativeApi } from '../native/libc.js';
import type { FsApi } from '../native/fs.js';
import { toWasiErrno } from '../native/errno.js';
import {
  ERRNO_BADF, ERRNO_FAULT, ERRNO_INVAL, ERRNO_ISDIR, ERRNO_NAMETOOLONG, ERRNO_NOTSUP, ERRNO_SPIPE,
  ERRNO_SUCCESS, ERRNO_DQUOT, ERRNO_AGAIN,
} from '../native/errno.js';
import type { FdTable } from './fdtable.js';
import { HostDir } from './host-dir.js';
import { HostFile } from './host-file.js';
import { GuestBuffers } from './guest-buffers.js';
import { GuestMemory } from './memory.js';
import { SocketFd } from './socketfd.js';
import { StdinFd, PipeStdinFd, OutputFd } from './stdio.js';
import type { SocketHost } from './sockets.js';
import {
  ADVICE_MAX, FDSTAT_SIZE, FILESTAT_SIZE, PREOPENTYPE_SOCKET, PRESTAT_SIZE,
  WHENCE_CUR, encodeDirent, writeFdstat, writeFilestat, writePrestat,
} from './wasi-defs.js';
import { WasiPaths } from './wasi-paths.js';

/** Directory entries fetched from the kernel per batch in fd_readdir. */
const READDIR_BATCH = 128;

type N = number;
type B = bigint;

/** The fd_* / path_* half of WASI preview1 for one run: the fd_* imports here, path_* in WasiPaths. */
export class WasiFiles extends WasiPaths {
  constructor(
    mem: GuestMemory,
    table: FdTable,
    private readonly sockets: SocketHost,
    native: NativeApi,
    private readonly fs: FsApi,
  ) {
    super(mem, table, new GuestBuffers(mem, native));
  }

  /** The open regular file at `fd`, or BADF / ISDIR / SPIPE. */
  private file(fd: N): HostFile | number {
    const r = this.table.get(fd);
    if (r === undefined) return ERRNO_BADF;
    if (r instanceof HostDir) return ERRNO_ISDIR;
    if (!(r instanceof HostFile)) return r instanceof SocketFd ? ERRNO_SPIPE : ERRNO_BADF;
    return r.nativeFd < 0 ? ERRNO_BADF : r;
  }

  // ── fd_* ────────────────────────────────────────────────────────────────

  fd_read(fd: N, iovs_ptr: N, iovs_len: N, nread_ptr: N): N {
    nread_ptr >>>= 0;
    const r = this.table.get(fd);
    if (r instanceof SocketFd) return this.sockets.fd_read(r, iovs_ptr, iovs_len, nread_ptr);
    if (!this.mem.ok(nread_ptr, 4)) return ERRNO_FAULT;
    if (r instanceof HostFile) return this.readFile(r, iovs_ptr, iovs_len, nread_ptr, -1);
    if (r instanceof StdinFd) {
      const room = this.buffers.iovecRoom(iovs_ptr, iovs_len);
      if (room < 0) return -room;
      if (room === 0) { this.mem.setU32(nread_ptr, 0); return ERRNO_SUCCESS; }
      const got = r.read(room);
      if (typeof got === 'number') return got;
      this.mem.refresh();
      const n = got === null ? 0 : this.buffers.scatter(iovs_ptr, iovs_len, got);
      this.mem.setU32(nread_ptr, n);
      return ERRNO_SUCCESS;
    }
    if (r instanceof PipeStdinFd) return this.readPipe(r, iovs_ptr, iovs_len, nread_ptr);
    if (r instanceof HostDir) return ERRNO_ISDIR;
    return ERRNO_BADF;
  }

  /** fd_read on a piped stdin: readv into guest memory; a blocking read waits (killably). */
  private readPipe(r: PipeStdinFd, iovs_ptr: N, iovs_len: N, nread_ptr: N): N {
    const fd = r.pollFd();
    if (fd < 0) return ERRNO_BADF;
    for (;;) {
      const rc = this.buffers.nativeIovecs(iovs_ptr, iovs_len, Number.MAX_SAFE_INTEGER);
      if (rc !== ERRNO_SUCCESS) return rc;
      if (this.buffers.iovCount === 0) { this.mem.setU32(nread_ptr, 0); return ERRNO_SUCCESS; }
      const n = this.fs.readvAt(fd, this.buffers.iovAddr, this.buffers.iovCount);
      if (n >= 0) {
        this.mem.refresh();
        this.mem.setU32(nread_ptr, n);
        return ERRNO_SUCCESS;
      }
      const e = toWasiErrno(this.fs.errno());
      if (e !== ERRNO_AGAIN || r.nonblock) return e;
      const w = this.sockets.waitReadable(fd);
      if (w !== 0) return w;
      this.mem.refresh();
    }
  }

  fd_pread(fd: N, iovs_ptr: N, iovs_len: N, offset: B, nread_ptr: N): N {
    nread_ptr >>>= 0;
    const f = this.file(fd);
    if (typeof f === 'number') return f;
    if (!this.mem.ok(nread_ptr, 4)) return ERRNO_FAULT;
    if (offset < 0n || offset > BigInt(Number.MAX_SAFE_INTEGER)) return ERRNO_INVAL;
    return this.readFile(f, iovs_ptr, iovs_len, nread_ptr, Number(offset));
  }

  private readFile(f: HostFile, iovs_ptr: N, iovs_len: N, nread_ptr: N, offset: number): N {
    const rc = this.buffers.nativeIovecs(iovs_ptr, iovs_len, Number.MAX_SAFE_INTEGER);
    if (rc !== ERRNO_SUCCESS) return rc;
    const n = this.buffers.iovCount === 0 ? 0 : f.read(this.buffers.iovAddr, this.buffers.iovCount, offset);
    if (n < 0) return -n;
    this.mem.setU32(nread_ptr, n);
    return ERRNO_SUCCESS;
  }

  fd_write(fd: N, iovs_ptr: N, iovs_len: N, nwritten_ptr: N): N {
    nwritten_ptr >>>= 0;
    const r = this.table.get(fd);
    if (r instanceof SocketFd) return this.sockets.fd_write(r, iovs_ptr, iovs_len, nwritten_ptr);
    if (!this.mem.ok(nwritten_ptr, 4)) return ERRNO_FAULT;
    if (r instanceof HostFile) return this.writeFile(r, iovs_ptr, iovs_len, nwritten_ptr, -1);
    if (r instanceof OutputFd) {
      const data = this.buffers.gather(iovs_ptr, iovs_len, r.allowance());
      if (typeof data === 'number') return data;
      if (data.length === 0 && this.buffers.iovecRoom(iovs_ptr, iovs_len) > 0) return ERRNO_DQUOT;
      const rc = r.write(data);
      if (rc !== ERRNO_SUCCESS) return rc;
      this.mem.refresh();
      this.mem.setU32(nwritten_ptr, data.length);
      return ERRNO_SUCCESS;
    }
    if (r instanceof HostDir) return ERRNO_ISDIR;
    return ERRNO_BADF;
  }

  fd_pwrite(fd: N, iovs_ptr: N, iovs_len: N, offset: B, nwritten_ptr: N): N {
    nwritten_ptr >>>= 0;
    const f = this.file(fd);
    if (typeof f === 'number') return f;
    if (!this.mem.ok(nwritten_ptr, 4)) return ERRNO_FAULT;
    if (offset < 0n || offset > BigInt(Number.MAX_SAFE_INTEGER)) return ERRNO_INVAL;
    return this.writeFile(f, iovs_ptr, iovs_len, nwritten_ptr, Number(offset));
  }

  private writeFile(f: HostFile, iovs_ptr: N, iovs_len: N, nwritten_ptr: N, offset: number): N {
    const left = f.sys.quotaLeft();
    const rc = this.buffers.nativeIovecs(iovs_ptr, iovs_len, left);
    if (rc !== ERRNO_SUCCESS) return rc;
    if (this.buffers.iovCount === 0) {
      // Nothing to write: 0, unless the quota is what stopped it.
      if (left === 0 && this.buffers.iovecRoom(iovs_ptr, iovs_len) > 0) return ERRNO_DQUOT;
      this.mem.setU32(nwritten_ptr, 0);
      return ERRNO_SUCCESS;
    }
    const n = f.write(this.buffers.iovAddr, this.buffers.iovCount, offset);
    if (n < 0) return -n;
    this.mem.setU32(nwritten_ptr, n);
    return ERRNO_SUCCESS;
  }

  fd_close(fd: N): N {
    const r = this.table.get(fd);
    if (r === undefined) return ERRNO_BADF;
    // Closed first, removed after: a close event still finds the fd.
    const rc = r.close();
    this.table.remove(fd);
    return rc;
  }

  fd_renumber(from: N, to: N): N {
    const a = this.table.get(from);
    const b = this.table.get(to);
    if (a === undefined || b === undefined) return ERRNO_BADF;
    // POSIX dup2 onto itself does nothing.
    if ((from >>> 0) === (to >>> 0)) return ERRNO_SUCCESS;
    b.close();
    this.table.set(to, a);
    this.table.remove(from);
    return ERRNO_SUCCESS;
  }

  fd_fdstat_get(fd: N, buf_ptr: N): N {
    buf_ptr >>>= 0;
    const r = this.table.get(fd);
    if (r === undefined) return ERRNO_BADF;
    if (!this.mem.ok(buf_ptr, FDSTAT_SIZE)) return ERRNO_FAULT;
    writeFdstat(this.mem.dv, buf_ptr, r.fdstat());
    return ERRNO_SUCCESS;
  }

  fd_fdstat_set_flags(fd: N, flags: N): N {
    const r = this.table.get(fd);
    if (r === undefined) return ERRNO_BADF;
    if ((flags >>> 0) > 0xffff) return ERRNO_INVAL;
    return r.setFdflags(flags);
  }

  fd_fdstat_set_rights(fd: N): N {
    // Rights cannot be narrowed per fd here; saying so is better than pretending.
    return this.table.get(fd) === undefined ? ERRNO_BADF : ERRNO_NOTSUP;
  }

  fd_filestat_get(fd: N, buf_ptr: N): N {
    buf_ptr >>>= 0;
    const r = this.table.get(fd);
    if (r === undefined) return ERRNO_BADF;
    if (!this.mem.ok(buf_ptr, FILESTAT_SIZE)) return ERRNO_FAULT;
    const s = r.filestat();
    if (typeof s === 'number') return s;
    this.mem.refresh();
    writeFilestat(this.mem.dv, buf_ptr, s);
    return ERRNO_SUCCESS;
  }

  fd_filestat_set_size(fd: N, size: B): N {
    const f = this.file(fd);
    return typeof f === 'number' ? f : f.setSize(size);
  }

  fd_filestat_set_times(fd: N, atim: B, mtim: B, fst: N): N {
    const r = this.table.get(fd);
    if (r === undefined) return ERRNO_BADF;
    if (r instanceof HostFile) return r.setTimes(atim, mtim, fst);
    if (r instanceof HostDir) return r.setTimes('.', true, atim, mtim, fst);
    return ERRNO_BADF;
  }

  fd_advise(fd: N, offset: B, len: B, advice: N): N {
    const f = this.file(fd);
    if (typeof f === 'number') return f;
    if ((advice >>> 0) > ADVICE_MAX) return ERRNO_INVAL;
    return f.advise(offset, len, advice);
  }

  fd_allocate(fd: N, offset: B, len: B): N {
    const f = this.file(fd);
    return typeof f === 'number' ? f : f.allocate(offset, len);
  }

  fd_datasync(fd: N): N {
    const f = this.file(fd);
    return typeof f === 'number' ? (f === ERRNO_ISDIR ? ERRNO_SUCCESS : f) : f.sync(true);
  }

  fd_sync(fd: N): N {
    const f = this.file(fd);
    return typeof f === 'number' ? (f === ERRNO_ISDIR ? ERRNO_SUCCESS : f) : f.sync(false);
  }

  fd_seek(fd: N, offset: B, whence: N, newoffset_ptr: N): N {
    newoffset_ptr >>>= 0;
    const f = this.file(fd);
    if (typeof f === 'number') return f === ERRNO_BADF && this.table.get(fd) !== undefined ? ERRNO_SPIPE : f;
    if (!this.mem.ok(newoffset_ptr, 8)) return ERRNO_FAULT;
    const r = f.seek(offset, whence);
    if (r < 0) return -r;
    this.mem.dv.setBigUint64(newoffset_ptr, BigInt(r), true);
    return ERRNO_SUCCESS;
  }

  fd_tell(fd: N, offset_ptr: N): N {
    return this.fd_seek(fd, 0n, WHENCE_CUR, offset_ptr);
  }

  fd_prestat_get(fd: N, buf_ptr: N): N {
    buf_ptr >>>= 0;
    const r = this.table.get(fd);
    // wasi-libc's start-up scans fds from 3 until BADF: anything that is not a preopen
    // says BADF. A preopened listener (fds 3.. before the folders) is a preopen of
    // another type, so the scan goes on past it to the folders.
    if (r instanceof SocketFd && r.preopened) {
      if (!this.mem.ok(buf_ptr, PRESTAT_SIZE)) return ERRNO_FAULT;
      this.mem.dv.setUint32(buf_ptr, PREOPENTYPE_SOCKET, true);
      this.mem.dv.setUint32(buf_ptr + 4, 0, true);
      return ERRNO_SUCCESS;
    }
    if (!(r instanceof HostDir) || r.preopenName === null) return ERRNO_BADF;
    if (!this.mem.ok(buf_ptr, PRESTAT_SIZE)) return ERRNO_FAULT;
    writePrestat(this.mem.dv, buf_ptr, r.preopenName.length);
    return ERRNO_SUCCESS;
  }

  fd_prestat_dir_name(fd: N, path_ptr: N, path_len: N): N {
    path_ptr >>>= 0; path_len >>>= 0;
    const r = this.table.get(fd);
    if (!(r instanceof HostDir) || r.preopenName === null) return ERRNO_BADF;
    if (!this.mem.ok(path_ptr, path_len)) return ERRNO_FAULT;
    const name = r.preopenName;
    this.mem.u8.set(name.subarray(0, Math.min(name.length, path_len)), path_ptr);
    return name.length > path_len ? ERRNO_NAMETOOLONG : ERRNO_SUCCESS;
  }

  fd_readdir(fd: N, buf_ptr: N, buf_len: N, cookie: B, bufused_ptr: N): N {
    buf_ptr >>>= 0; buf_len >>>= 0; bufused_ptr >>>= 0;
    const d = this.dir(fd);
    if (typeof d === 'number') return d;
    if (!this.mem.ok(buf_ptr, buf_len) || !this.mem.ok(bufused_ptr, 4)) return ERRNO_FAULT;
    let used = 0;
    let next = BigInt.asUintN(64, cookie);
    while (used < buf_len) {
      const batch = d.readdir(next, READDIR_BATCH);
      if (typeof batch === 'number') return batch;
      if (batch.length === 0) break;
      for (const e of batch) {
        const bytes = encodeDirent(e.next, e.ino, e.type, e.name);
        const n = Math.min(bytes.length, buf_len - used);
        this.mem.u8.set(bytes.subarray(0, n), buf_ptr + used);
        used += n;
        next = e.next;
        // A truncated entry fills the buffer: the guest asks again with a larger one.
        if (n < bytes.length || used >= buf_len) { used = buf_len; break; }
      }
      if (batch.length < READDIR_BATCH) break;
    }
    this.mem.setU32(bufused_ptr, used);
    return ERRNO_SUCCESS;
  }

  /** Closes everything the table holds (end of run). */
  closeAll(): void {
    for (const r of this.table.all()) {
      try { r.close(); } catch { /* a close that fails still frees the entry */ }
    }
  }
}

/** The fd_* / path_* import names this module serves. */
export const WASI_FILE_IMPORTS = [
  'fd_read', 'fd_pread', 'fd_write', 'fd_pwrite', 'fd_close', 'fd_renumber', 'fd_fdstat_get', 'fd_fdstat_set_flags',
  'fd_fdstat_set_rights', 'fd_filestat_get', 'fd_filestat_set_size', 'fd_filestat_set_times', 'fd_advise',
  'fd_allocate', 'fd_datasync', 'fd_sync', 'fd_seek', 'fd_tell', 'fd_prestat_get', 'fd_prestat_dir_name',
  'fd_readdir', 'path_open', 'path_filestat_get', 'path_filestat_set_times', 'path_create_directory',
  'path_remove_directory', 'path_unlink_file', 'path_readlink', 'path_symlink', 'path_rename', 'path_link',
] as const;
