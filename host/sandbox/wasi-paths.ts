// WASI preview1's path_* imports: each reads the guest's path bytes (checked, via
// guest-buffers.ts) and hands them to the directory resource in files.ts, whose
// resolution stays beneath the directory's handle. WasiFiles (wasi-fs.ts) extends this
// class with the fd_* imports; dir(), the lookup both halves use, lives here.

import {
  ERRNO_BADF, ERRNO_FAULT, ERRNO_ILSEQ, ERRNO_INVAL, ERRNO_NAMETOOLONG, ERRNO_NOTDIR, ERRNO_SUCCESS,
} from '../native/errno.js';
import type { FdTable } from './fdtable.js';
import { HostDir } from './host-dir.js';
import { PATH_MAX, type GuestBuffers } from './guest-buffers.js';
import type { GuestMemory } from './memory.js';
import { FILESTAT_SIZE, LOOKUPFLAGS_SYMLINK_FOLLOW, writeFilestat } from './wasi-defs.js';

type N = number;
type B = bigint;

/** The path_* half of WASI preview1's file imports for one run. */
export class WasiPaths {
  constructor(
    protected readonly mem: GuestMemory,
    protected readonly table: FdTable,
    /** The guest's paths and iovecs, checked. */
    protected readonly buffers: GuestBuffers,
  ) {}

  /** The open directory at `fd`, or BADF / NOTDIR. */
  protected dir(fd: N): HostDir | number {
    const r = this.table.get(fd);
    if (r === undefined) return ERRNO_BADF;
    if (!(r instanceof HostDir)) return ERRNO_NOTDIR;
    return r.nativeFd < 0 ? ERRNO_BADF : r;
  }

  // ── path_* ──────────────────────────────────────────────────────────────

  path_open(fd: N, dirflags: N, path_ptr: N, path_len: N, oflags: N, rights_base: B, _rights_inheriting: B, fdflags: N, opened_fd_ptr: N): N {
    opened_fd_ptr >>>= 0;
    const d = this.dir(fd);
    if (typeof d === 'number') return d;
    const path = this.buffers.path(path_ptr, path_len);
    if (typeof path === 'number') return path;
    if (!this.mem.ok(opened_fd_ptr, 4)) return ERRNO_FAULT;
    if ((oflags >>> 0) > 0xf || (fdflags >>> 0) > 0x1f) return ERRNO_INVAL;
    const rights = Number(BigInt.asUintN(32, rights_base));
    const opened = d.open(path, (dirflags & LOOKUPFLAGS_SYMLINK_FOLLOW) !== 0, oflags, rights, fdflags);
    if (typeof opened === 'number') return opened;
    this.mem.refresh();
    this.mem.setU32(opened_fd_ptr, this.table.insert(opened));
    return ERRNO_SUCCESS;
  }

  path_filestat_get(fd: N, flags: N, path_ptr: N, path_len: N, buf_ptr: N): N {
    buf_ptr >>>= 0;
    const d = this.dir(fd);
    if (typeof d === 'number') return d;
    const path = this.buffers.path(path_ptr, path_len);
    if (typeof path === 'number') return path;
    if (!this.mem.ok(buf_ptr, FILESTAT_SIZE)) return ERRNO_FAULT;
    const s = d.stat(path, (flags & LOOKUPFLAGS_SYMLINK_FOLLOW) !== 0);
    if (typeof s === 'number') return s;
    this.mem.refresh();
    writeFilestat(this.mem.dv, buf_ptr, s);
    return ERRNO_SUCCESS;
  }

  path_filestat_set_times(fd: N, flags: N, path_ptr: N, path_len: N, atim: B, mtim: B, fst: N): N {
    const d = this.dir(fd);
    if (typeof d === 'number') return d;
    const path = this.buffers.path(path_ptr, path_len);
    if (typeof path === 'number') return path;
    return d.setTimes(path, (flags & LOOKUPFLAGS_SYMLINK_FOLLOW) !== 0, atim, mtim, fst);
  }

  path_create_directory(fd: N, path_ptr: N, path_len: N): N {
    const d = this.dir(fd);
    if (typeof d === 'number') return d;
    const path = this.buffers.path(path_ptr, path_len);
    return typeof path === 'number' ? path : d.mkdir(path);
  }

  path_remove_directory(fd: N, path_ptr: N, path_len: N): N {
    const d = this.dir(fd);
    if (typeof d === 'number') return d;
    const path = this.buffers.path(path_ptr, path_len);
    return typeof path === 'number' ? path : d.rmdir(path);
  }

  path_unlink_file(fd: N, path_ptr: N, path_len: N): N {
    const d = this.dir(fd);
    if (typeof d === 'number') return d;
    const path = this.buffers.path(path_ptr, path_len);
    return typeof path === 'number' ? path : d.unlink(path);
  }

  path_readlink(fd: N, path_ptr: N, path_len: N, buf_ptr: N, buf_len: N, bufused_ptr: N): N {
    buf_ptr >>>= 0; buf_len >>>= 0; bufused_ptr >>>= 0;
    const d = this.dir(fd);
    if (typeof d === 'number') return d;
    const path = this.buffers.path(path_ptr, path_len);
    if (typeof path === 'number') return path;
    if (!this.mem.ok(buf_ptr, buf_len) || !this.mem.ok(bufused_ptr, 4)) return ERRNO_FAULT;
    const link = d.readlink(path);
    if (typeof link === 'number') return link;
    this.mem.refresh();
    // Like readlink(2): truncated to the buffer, no NUL.
    const n = Math.min(link.length, buf_len);
    this.mem.u8.set(link.subarray(0, n), buf_ptr);
    this.mem.setU32(bufused_ptr, n);
    return ERRNO_SUCCESS;
  }

  path_symlink(old_path_ptr: N, old_path_len: N, fd: N, new_path_ptr: N, new_path_len: N): N {
    old_path_ptr >>>= 0; old_path_len >>>= 0;
    const d = this.dir(fd);
    if (typeof d === 'number') return d;
    if (old_path_len > PATH_MAX) return ERRNO_NAMETOOLONG;
    if (!this.mem.ok(old_path_ptr, old_path_len)) return ERRNO_FAULT;
    const target = this.mem.view(old_path_ptr, old_path_len).slice();
    if (target.includes(0)) return ERRNO_ILSEQ;
    const path = this.buffers.path(new_path_ptr, new_path_len);
    return typeof path === 'number' ? path : d.symlink(target, path);
  }

  path_rename(fd: N, old_path_ptr: N, old_path_len: N, new_fd: N, new_path_ptr: N, new_path_len: N): N {
    return this.twoPaths(fd, old_path_ptr, old_path_len, new_fd, new_path_ptr, new_path_len, (d, from, to, dest) => d.rename(from, to, dest));
  }

  path_link(old_fd: N, old_flags: N, old_path_ptr: N, old_path_len: N, new_fd: N, new_path_ptr: N, new_path_len: N): N {
    const follow = (old_flags & LOOKUPFLAGS_SYMLINK_FOLLOW) !== 0;
    return this.twoPaths(old_fd, old_path_ptr, old_path_len, new_fd, new_path_ptr, new_path_len, (d, from, to, dest) => d.link(from, follow, to, dest));
  }

  /** The opening of rename and link: two directories, two paths, each checked; then `act`. */
  private twoPaths(fd: N, from_ptr: N, from_len: N, to_fd: N, to_ptr: N, to_len: N, act: (d: HostDir, from: string, to: HostDir, dest: string) => N): N {
    const d = this.dir(fd);
    if (typeof d === 'number') return d;
    const to = this.dir(to_fd);
    if (typeof to === 'number') return to;
    const from = this.buffers.path(from_ptr, from_len);
    if (typeof from === 'number') return from;
    const dest = this.buffers.path(to_ptr, to_len);
    return typeof dest === 'number' ? dest : act(d, from, to, dest);
  }
}
