// The guest ABI's structs, read from and written to guest memory: one codec per
// layout, each drawn above it. Offsets are bytes, little-endian; pointers are u32
// (wasm32). Every read is bounds-checked here; a bad pointer is FAULT, a bad length or
// tag INVAL. The numbers (families, errnos) are in abi.ts.

import type { GuestMemory } from './memory.js';
import * as abi from './abi.js';

// ── addresses: __wasi_address_t ───────────────────────────────────────────────
//
//   addr_ptr ─► ┌──────────────┬──────────────┐
//               │ buf_ptr u32  │ buf_len u32  │   8 bytes
//               └──────┬───────┴──────────────┘
//                      ▼
//   V1 (buf_len 4 or 16): the address bytes, network order
//   V2 (buf_len 128):     ┌────────────┬──────────────────────────────┐
//                         │ family u16 │ address (4 or 16 bytes) …    │  128 bytes
//                         └────────────┴──────────────────────────────┘
//                          INET4 1 / INET6 2; the rest zero

/** The address at addr_ptr (V1 or V2) as a fresh 4- or 16-byte array, or an errno. */
export function readAddress(mem: GuestMemory, addr_ptr: number): Uint8Array | number {
  if (!mem.ok(addr_ptr, abi.WASI_ADDRESS_SIZE)) return abi.ERRNO_FAULT;
  const buf_ptr = mem.u32(addr_ptr);
  const buf_len = mem.u32(addr_ptr + 4);
  if (buf_len === 4 || buf_len === 16) {
    if (!mem.ok(buf_ptr, buf_len)) return abi.ERRNO_FAULT;
    return mem.view(buf_ptr, buf_len).slice();
  }
  if (buf_len !== abi.ADDRESS_STORAGE_V2) return abi.ERRNO_INVAL;
  if (!mem.ok(buf_ptr, buf_len)) return abi.ERRNO_FAULT;
  const family = mem.u16(buf_ptr);
  if (family === abi.AF_INET4) return mem.view(buf_ptr + 2, 4).slice();
  if (family === abi.AF_INET6) return mem.view(buf_ptr + 2, 16).slice();
  return abi.ERRNO_INVAL;
}

/** Writes `ip` into the address at addr_ptr: V2 when its buffer holds 128 bytes, else raw. */
export function writeAddress(mem: GuestMemory, addr_ptr: number, ip: Uint8Array): number {
  if (!mem.ok(addr_ptr, abi.WASI_ADDRESS_SIZE)) return abi.ERRNO_FAULT;
  const buf_ptr = mem.u32(addr_ptr);
  const buf_len = mem.u32(addr_ptr + 4);
  if (buf_len >= abi.ADDRESS_STORAGE_V2) {
    if (!mem.ok(buf_ptr, abi.ADDRESS_STORAGE_V2)) return abi.ERRNO_FAULT;
    mem.u8.fill(0, buf_ptr, buf_ptr + abi.ADDRESS_STORAGE_V2);
    mem.setU16(buf_ptr, ip.length === 4 ? abi.AF_INET4 : abi.AF_INET6);
    mem.u8.set(ip, buf_ptr + 2);
    return abi.ERRNO_SUCCESS;
  }
  if (buf_len < ip.length) return abi.ERRNO_INVAL;
  if (!mem.ok(buf_ptr, ip.length)) return abi.ERRNO_FAULT;
  mem.u8.set(ip, buf_ptr);
  return abi.ERRNO_SUCCESS;
}

// ── buffers: __wasi_iovec_t / __wasi_ciovec_t ─────────────────────────────────
//
//   iovs_ptr ─► ┌──────────┬──────────┐┌──────────┬──────────┐
//               │ buf u32  │ len u32  ││ buf u32  │ len u32  │ …   8 bytes each
//               └──────────┴──────────┘└──────────┴──────────┘

export const IOVEC_SIZE = 8;
/** More iovecs than this is INVAL (IOV_MAX on Linux and macOS). */
export const IOV_MAX = 1024;

/** Guest buffer i of an iovec array (the caller checked the array's bounds). */
export function iovecBuf(mem: GuestMemory, iovs_ptr: number, i: number): number {
  return mem.u32(iovs_ptr + IOVEC_SIZE * i);
}

export function iovecLen(mem: GuestMemory, iovs_ptr: number, i: number): number {
  return mem.u32(iovs_ptr + IOVEC_SIZE * i + 4);
}

// ── poll: subscription_t (48 bytes, align 8) and event_t (32 bytes) ──────────
//
//   subscription: ┌──────────────┬────────┬───────┬─────────────────────────────────┐
//                 │ userdata u64 │ tag u8 │ (pad) │ body                            │
//                 └──────────────┴────────┴───────┴─────────────────────────────────┘
//                  @0             @8               @16
//     clock body:  id u32 @16 | timeout u64 @24 | precision u64 @32 | flags u16 @40
//     fd body:     fd u32 @16
//
//   event:        ┌──────────────┬───────────┬─────────┬───────┬────────────┬───────────┐
//                 │ userdata u64 │ error u16 │ type u8 │ (pad) │ nbytes u64 │ flags u16 │
//                 └──────────────┴───────────┴─────────┴───────┴────────────┴───────────┘
//                  @0             @8          @10               @16          @24

export const SUB = { userdata: 0, tag: 8, clockId: 16, timeout: 24, precision: 32, clockFlags: 40, fd: 16 } as const;
export const EVENT = { userdata: 0, error: 8, type: 10, nbytes: 16, flags: 24 } as const;

/** Subscription i's tag (EVENTTYPE_*). */
export function subTag(mem: GuestMemory, in_ptr: number, i: number): number {
  return mem.u8[(in_ptr >>> 0) + i * abi.SUBSCRIPTION_SIZE + SUB.tag];
}

/** A u64 (the clock's timeout) as a double: exact below 2^53 ns (104 days), "never" above. */
export function u64(mem: GuestMemory, at: number): number {
  return mem.u32(at) + mem.u32(at + 4) * 4294967296;
}

/** Writes event `e` for subscription `sub` (its userdata copied): error, type, nbytes, flags. */
export function writeEvent(mem: GuestMemory, e: number, sub: number, error: number, type: number, nbytes: number, flags: number): void {
  mem.u8.fill(0, e >>> 0, (e >>> 0) + abi.EVENT_SIZE);
  mem.setU32(e + EVENT.userdata, mem.u32(sub + SUB.userdata));
  mem.setU32(e + EVENT.userdata + 4, mem.u32(sub + SUB.userdata + 4));
  mem.setU16(e + EVENT.error, error);
  mem.u8[(e >>> 0) + EVENT.type] = type;
  mem.setU32(e + EVENT.nbytes, nbytes);
  mem.setU16(e + EVENT.flags, flags);
}

// ── name lookup: __wasi_addrinfo_t (28 bytes) and __wasi_sockaddr_t (12 bytes) ──
//
//   hints / entry: ┌──────────┬───────────┬─────────────┬──────────────┬─────────────┐
//                  │ flags u16│ family u8 │ socktype u8 │ protocol u32 │ addrlen u32 │
//                  ├──────────┴───────────┴─────────────┼──────────────┼─────────────┤
//                  │ addr_ptr u32 @12                   │ canonname_ptr│ canonname_  │
//                  │                                    │ u32 @16      │ len u32 @20 │
//                  ├────────────────────────────────────┴──────────────┴─────────────┤
//                  │ next_ptr u32 @24                                                 │
//                  └──────────────────────────────────────────────────────────────────┘
//                   flags @0, family @2, socktype @3, protocol @4, addrlen @8
//
//   sockaddr:      ┌───────────────┬──────────────┬──────────────┐
//                  │ family u16 @0 │ data_len @4  │ data_ptr @8  │
//                  └───────────────┴──────────────┴──────┬───────┘
//                                                        ▼
//                  data: port u16 (network order) | address bytes | zeros
//
// res_ptr holds the address of the first of the guest's preallocated entries, chained
// by next_ptr, each with its sockaddr and data buffer; the host fills them in.

export const ADDRINFO = { flags: 0, family: 2, socktype: 3, protocol: 4, addrlen: 8, addr: 12, canonname: 16, canonnameLen: 20, next: 24 } as const;
export const SOCKADDR = { family: 0, dataLen: 4, data: 8 } as const;

/** Hints as the guest gave them. */
export interface Hints { flags: number; family: number; socktype: number; protocol: number }

/** The hints at hints_ptr (bounds checked by the caller). */
export function readHints(mem: GuestMemory, hints_ptr: number): Hints {
  return {
    flags: mem.u16(hints_ptr + ADDRINFO.flags),
    family: mem.u8[(hints_ptr >>> 0) + ADDRINFO.family],
    socktype: mem.u8[(hints_ptr >>> 0) + ADDRINFO.socktype],
    protocol: mem.u32(hints_ptr + ADDRINFO.protocol),
  };
}

/** One preallocated entry of the chain, its pointers read and checked. */
export interface AddrinfoSlot { entry: number; sa: number; data_ptr: number; data_len: number; cn_ptr: number; cn_len: number }

/**
 * Reads the guest's chain at res_ptr: up to `count` entries, each with a sockaddr whose
 * data holds at least `need(i)` bytes. Every pointer is checked before anything is
 * written (FAULT otherwise). Fewer slots than asked when the chain ends (next_ptr 0).
 */
export function readAddrinfoChain(mem: GuestMemory, res_ptr: number, count: number, need: (i: number) => number): AddrinfoSlot[] | number {
  const slots: AddrinfoSlot[] = [];
  let entry = mem.u32(res_ptr);
  while (slots.length < count && entry !== 0) {
    if (!mem.ok(entry, abi.ADDRINFO_SIZE)) return abi.ERRNO_FAULT;
    const sa = mem.u32(entry + ADDRINFO.addr);
    let data_ptr = 0;
    let data_len = 0;
    if (sa !== 0) {
      if (!mem.ok(sa, abi.SOCKADDR_SIZE)) return abi.ERRNO_FAULT;
      data_len = mem.u32(sa + SOCKADDR.dataLen);
      data_ptr = mem.u32(sa + SOCKADDR.data);
      if (data_len < need(slots.length) || !mem.ok(data_ptr, data_len)) return abi.ERRNO_FAULT;
    }
    const cn_ptr = mem.u32(entry + ADDRINFO.canonname);
    const cn_len = mem.u32(entry + ADDRINFO.canonnameLen);
    slots.push({ entry, sa, data_ptr, data_len, cn_ptr: cn_len > 0 && mem.ok(cn_ptr, cn_len) ? cn_ptr : 0, cn_len });
    entry = mem.u32(entry + ADDRINFO.next);
  }
  return slots;
}

/** One answer in the guest's numbering. */
export interface GuestAnswer { family: number; socktype: number; protocol: number; ip: Uint8Array; port: number; canonname: string | null }

/** Fills one checked slot with an answer: the entry's fields, its sockaddr (port, address), the canonical name. */
export function writeAddrinfo(mem: GuestMemory, s: AddrinfoSlot, a: GuestAnswer, flags: number): void {
  mem.setU16(s.entry + ADDRINFO.flags, flags);
  mem.u8[(s.entry >>> 0) + ADDRINFO.family] = a.family;
  mem.u8[(s.entry >>> 0) + ADDRINFO.socktype] = a.socktype;
  mem.setU32(s.entry + ADDRINFO.protocol, a.protocol);
  if (s.sa !== 0) {
    mem.setU16(s.sa + SOCKADDR.family, a.family);
    mem.u8.fill(0, s.data_ptr, s.data_ptr + s.data_len);
    mem.dv.setUint16(s.data_ptr, a.port, false);
    mem.u8.set(a.ip, s.data_ptr + 2);
    mem.setU32(s.entry + ADDRINFO.addrlen, 2 + a.ip.length);
  }
  if (s.cn_ptr !== 0 && a.canonname) {
    const text = Buffer.from(a.canonname, 'utf8').subarray(0, s.cn_len - 1);
    mem.u8.set(text, s.cn_ptr);
    mem.u8[s.cn_ptr + text.length] = 0;
  }
}
