// Guest memory access for the imports: bounds checks and little-endian reads/writes.
// The views are rebuilt whenever memory.grow() has replaced the buffer (a grown
// buffer detaches the old one), so no call sees a stale view. A shared memory (the
// guest of a worker with host functions) never detaches: its old view stays valid for
// the old size, and a check that falls past it looks at the memory again first.

import type { NativeApi } from '../native/libc.js';

/** Guest memory as the imports see it. All pointers and lengths are u32. */
export class GuestMemory {
  private memory: WebAssembly.Memory | undefined;
  private buffer: ArrayBuffer | undefined;
  /** Byte view of the whole memory. */
  u8: Uint8Array = new Uint8Array(0);
  /** DataView of the whole memory. */
  dv: DataView = new DataView(new ArrayBuffer(0));
  /** Native address of byte 0 (for the raw-address libc calls). */
  base = 0;
  /** Memory size in bytes. */
  size = 0;

  constructor(private readonly native: NativeApi) {}

  attach(memory: WebAssembly.Memory): void {
    this.memory = memory;
    this.buffer = undefined;
    // refresh() trusts a view that still has bytes: drop the old one first.
    this.u8 = new Uint8Array(0);
    this.refresh();
  }

  /** Re-reads the buffer if memory grew. Call at the start of every import. */
  refresh(): void {
    // memory.grow() detaches the old buffer, and a view of a detached buffer has
    // length 0: checking that is much cheaper than the memory.buffer getter. (A shared
    // memory grows without detaching; guests here export plain memories.)
    if (this.u8.length !== 0) return;
    const m = this.memory;
    if (!m) return;
    const b = m.buffer;
    if (b === this.buffer) return;
    this.buffer = b as ArrayBuffer;
    this.u8 = new Uint8Array(b);
    this.dv = new DataView(b);
    this.size = b.byteLength;
    this.base = this.size > 0 ? this.native.addressOf(this.u8) : 0;
  }

  /** True when [ptr, ptr+len) lies inside memory (ptr and len taken as u32). */
  ok(ptr: number, len: number): boolean {
    if ((ptr >>> 0) + (len >>> 0) <= this.size) return true;
    // Past the view: the memory may have grown (a shared one keeps its old buffer).
    if (this.memory === undefined || this.memory.buffer.byteLength === this.size) return false;
    this.u8 = new Uint8Array(0);
    this.refresh();
    return (ptr >>> 0) + (len >>> 0) <= this.size;
  }

  /** A view of [ptr, ptr+len): the caller has checked the bounds. */
  view(ptr: number, len: number): Uint8Array {
    return this.u8.subarray(ptr >>> 0, (ptr >>> 0) + (len >>> 0));
  }

  u32(ptr: number): number {
    return this.dv.getUint32(ptr >>> 0, true);
  }

  setU32(ptr: number, v: number): void {
    this.dv.setUint32(ptr >>> 0, v >>> 0, true);
  }

  u16(ptr: number): number {
    return this.dv.getUint16(ptr >>> 0, true);
  }

  setU16(ptr: number, v: number): void {
    this.dv.setUint16(ptr >>> 0, v, true);
  }

  /** Reads `len` bytes as UTF-8 text. */
  text(ptr: number, len: number): string {
    return Buffer.from(this.u8.buffer, ptr >>> 0, len >>> 0).toString('utf8');
  }
}
