// The file imports' guest buffers: a path's bytes, and the iovec arrays of fd_read,
// fd_write and their p- variants, read from guest memory with every pointer and length
// checked first (FAULT when outside). Iovecs are copied in and out (gather/scatter) or
// turned into native iovecs in a scratch array for readv/writev straight into guest
// memory. Used only by the imports in wasi-fs.ts and wasi-paths.ts.

import type { NativeApi } from '../native/libc.js';
import { ERRNO_FAULT, ERRNO_ILSEQ, ERRNO_INVAL, ERRNO_NAMETOOLONG, ERRNO_SUCCESS } from '../native/errno.js';
import { pathText } from './confine.js';
import type { GuestMemory } from './memory.js';
import { IOVEC_SIZE } from './wasi-defs.js';

/** IOV_MAX on Linux and macOS: more iovecs than this is INVAL, as readv(2) says. */
export const IOV_MAX = 1024;
/** PATH_MAX (4096, with the NUL): a longer path is NAMETOOLONG before anything is read. */
export const PATH_MAX = 4095;

type N = number;

/** Paths and iovecs in one run's guest memory, and the native iovec scratch array. */
export class GuestBuffers {
  /** struct iovec[IOV_MAX] { void *base; size_t len } at a native address, for readv/writev. */
  private readonly iov = new Uint8Array(16 * IOV_MAX);
  private readonly iovDv = new DataView(this.iov.buffer);
  /** Native address of the scratch iovecs: the iov argument of readv/writev. */
  readonly iovAddr: number;
  /** Output of nativeIovecs(): how many native iovecs it wrote. */
  iovCount = 0;

  constructor(private readonly mem: GuestMemory, native: NativeApi) {
    this.iovAddr = native.addressOf(this.iov);
  }

  /** The guest path at [ptr, ptr+len) as latin1 text, or an errno. */
  path(ptr: N, len: N): string | number {
    ptr >>>= 0; len >>>= 0;
    if (len > PATH_MAX) return ERRNO_NAMETOOLONG;
    if (!this.mem.ok(ptr, len)) return ERRNO_FAULT;
    const b = this.mem.view(ptr, len);
    if (b.includes(0)) return ERRNO_ILSEQ;
    return pathText(b);
  }

  /**
   * Checks the guest's iovecs and writes native ones for at most `max` bytes into the
   * scratch array. Sets iovCount; returns an errno.
   */
  nativeIovecs(iovs_ptr: N, iovs_len: N, max: number): number {
    iovs_ptr >>>= 0; iovs_len >>>= 0;
    const mem = this.mem;
    if (iovs_len > IOV_MAX) return ERRNO_INVAL;
    if (!mem.ok(iovs_ptr, iovs_len * IOVEC_SIZE)) return ERRNO_FAULT;
    let total = 0;
    let count = 0;
    for (let i = 0; i < iovs_len; i++) {
      const buf = mem.u32(iovs_ptr + IOVEC_SIZE * i);
      let len = mem.u32(iovs_ptr + IOVEC_SIZE * i + 4);
      if (!mem.ok(buf, len)) return ERRNO_FAULT;
      if (total + len > max) len = max - total;
      if (len === 0) continue;
      const at = 16 * count;
      const addr = mem.base + buf;
      this.iovDv.setUint32(at, addr >>> 0, true);
      this.iovDv.setUint32(at + 4, Math.floor(addr / 4294967296), true);
      this.iovDv.setUint32(at + 8, len, true);
      this.iovDv.setUint32(at + 12, 0, true);
      total += len;
      count++;
    }
    this.iovCount = count;
    return ERRNO_SUCCESS;
  }

  /** Copies guest iovecs into one array (at most `max` bytes), or an errno. */
  gather(iovs_ptr: N, iovs_len: N, max: number): Uint8Array | number {
    iovs_ptr >>>= 0; iovs_len >>>= 0;
    const mem = this.mem;
    if (iovs_len > IOV_MAX) return ERRNO_INVAL;
    if (!mem.ok(iovs_ptr, iovs_len * IOVEC_SIZE)) return ERRNO_FAULT;
    let total = 0;
    for (let i = 0; i < iovs_len; i++) {
      const buf = mem.u32(iovs_ptr + IOVEC_SIZE * i);
      const len = mem.u32(iovs_ptr + IOVEC_SIZE * i + 4);
      if (!mem.ok(buf, len)) return ERRNO_FAULT;
      total += len;
    }
    const out = new Uint8Array(Math.min(total, max));
    let at = 0;
    for (let i = 0; i < iovs_len && at < out.length; i++) {
      const buf = mem.u32(iovs_ptr + IOVEC_SIZE * i);
      const len = Math.min(mem.u32(iovs_ptr + IOVEC_SIZE * i + 4), out.length - at);
      out.set(mem.view(buf, len), at);
      at += len;
    }
    return out;
  }

  /** Copies `data` into guest iovecs (checked first); returns the bytes copied or -errno. */
  scatter(iovs_ptr: N, iovs_len: N, data: Uint8Array): number {
    iovs_ptr >>>= 0; iovs_len >>>= 0;
    const mem = this.mem;
    let at = 0;
    for (let i = 0; i < iovs_len && at < data.length; i++) {
      const buf = mem.u32(iovs_ptr + IOVEC_SIZE * i);
      const len = Math.min(mem.u32(iovs_ptr + IOVEC_SIZE * i + 4), data.length - at);
      mem.u8.set(data.subarray(at, at + len), buf);
      at += len;
    }
    return at;
  }

  /** The sum of the guest's iovec lengths after checking them all, or -errno. */
  iovecRoom(iovs_ptr: N, iovs_len: N): number {
    iovs_ptr >>>= 0; iovs_len >>>= 0;
    const mem = this.mem;
    if (iovs_len > IOV_MAX) return -ERRNO_INVAL;
    if (!mem.ok(iovs_ptr, iovs_len * IOVEC_SIZE)) return -ERRNO_FAULT;
    let total = 0;
    for (let i = 0; i < iovs_len; i++) {
      const buf = mem.u32(iovs_ptr + IOVEC_SIZE * i);
      const len = mem.u32(iovs_ptr + IOVEC_SIZE * i + 4);
      if (!mem.ok(buf, len)) return -ERRNO_FAULT;
      total += len;
    }
    return total;
  }
}
