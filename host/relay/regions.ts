// Which guest memory each relayed import reads and writes. Browser-safe (no Node
// imports): the page uses it to pick the bytes a call must carry, the relay to pick the
// bytes its answer must carry back. The layouts are those of host/sandbox/abi-codecs.ts
// (drawn there); the import layer itself (host/sandbox/sockets.ts) still checks every
// pointer and length on the relay: this file only decides what to copy.
//
// The rule that keeps a copy honest: a region the import may write only in part (an
// address buffer, an option value, an addrinfo entry) is sent in as well, so that the
// relay's shadow holds the guest's bytes there and sending the region back rewrites
// what the import left alone with the same bytes. The one region written exactly
// (received data) comes back only as far as the import says it wrote.
//
// A region outside the guest's memory is not sent: the relay's shadow memory has the
// guest's size, so the import fails there with FAULT exactly as it would in Node.

import { MAX_IO, type CallSpec, type Region } from './wire.js';

/** Guest memory as regions.ts reads it. `read` may return a view. */
export interface Mem {
  readonly size: number;
  read(ptr: number, len: number): Uint8Array;
}

/** A call's plan: made before the call from the guest's memory and arguments. */
export interface Plan {
  /** The bytes to send with the call (page side). */
  inputs(): Region[];
  /** [ptr, len] ranges to send back after the call succeeded (relay side; `mem` after the call). */
  outputs(mem: Mem): [number, number][];
}

const IOVEC = 8;
const IOV_MAX = 1024;
const ADDRESS = 8; // { buf_ptr u32, buf_len u32 }
const ADDRESS_V2 = 128;
const SUBSCRIPTION = 48;
const EVENT = 32;
const FDSTAT = 24;
const FILESTAT = 64;
const ADDRINFO = 28;
const SOCKADDR = 12;
/** More than any option value (the relay's option scratch is 4096 bytes). */
const OPTION_MAX = 4096;
/** More than a name lookup takes (node 1024, service 64 in lookup.ts). */
const NAME_MAX = 1025;
/** Most entries of a getaddrinfo chain that are copied, and most subscriptions of a poll. */
const CHAIN_MAX = 64;
const POLL_MAX = 4096;

const u32 = (mem: Mem, ptr: number): number => {
  const b = mem.read(ptr >>> 0, 4);
  return (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
};

/** True when [ptr, ptr+len) lies in memory. */
const fits = (mem: Mem, ptr: number, len: number): boolean => (ptr >>> 0) + (len >>> 0) <= mem.size;

/** Collects regions (bounds-checked, empty ones dropped). */
class Ranges {
  readonly list: [number, number][] = [];
  constructor(private readonly mem: Mem) {}

  add(ptr: number, len: number): this {
    ptr >>>= 0; len >>>= 0;
    if (len > 0 && fits(this.mem, ptr, len)) this.list.push([ptr, len]);
    return this;
  }

  /** The address struct at addr_ptr and, when it is in memory, the buffer it names (up to 128 bytes). */
  address(addr_ptr: number): this {
    if (!fits(this.mem, addr_ptr, ADDRESS)) return this;
    this.add(addr_ptr, ADDRESS);
    const buf = u32(this.mem, addr_ptr);
    const len = u32(this.mem, addr_ptr + 4);
    return this.add(buf, Math.min(len, ADDRESS_V2));
  }
}

const copy = (mem: Mem, list: [number, number][]): Region[] => list.map(([ptr, len]) => ({ ptr, bytes: mem.read(ptr, len) }));

/**
 * An iovec array with every in-memory buffer clipped so that together they hold at most
 * MAX_IO bytes (a buffer outside memory is left as it is: the relay answers FAULT for
 * it, as Node does), and, for a send, the clipped buffers' bytes.
 */
function iovecs(mem: Mem, iovs_ptr: number, iovs_len: number, withData: boolean): Region[] {
  iovs_ptr >>>= 0; iovs_len >>>= 0;
  if (iovs_len > IOV_MAX || !fits(mem, iovs_ptr, iovs_len * IOVEC)) return [];
  const arr = mem.read(iovs_ptr, iovs_len * IOVEC).slice();
  const dv = new DataView(arr.buffer);
  const out: Region[] = [{ ptr: iovs_ptr, bytes: arr }];
  let left = MAX_IO;
  for (let i = 0; i < iovs_len; i++) {
    const buf = dv.getUint32(i * IOVEC, true);
    const len = dv.getUint32(i * IOVEC + 4, true);
    if (!fits(mem, buf, len)) continue;
    const n = Math.min(len, left);
    dv.setUint32(i * IOVEC + 4, n, true);
    left -= n;
    if (withData && n > 0) out.push({ ptr: buf, bytes: mem.read(buf, n) });
  }
  return out;
}

/** The first `n` bytes of an iovec array's buffers (what a receive wrote). */
function filled(mem: Mem, iovs_ptr: number, iovs_len: number, n: number): [number, number][] {
  iovs_ptr >>>= 0; iovs_len >>>= 0;
  const out: [number, number][] = [];
  if (iovs_len > IOV_MAX || !fits(mem, iovs_ptr, iovs_len * IOVEC)) return out;
  for (let i = 0; i < iovs_len && n > 0; i++) {
    const buf = u32(mem, iovs_ptr + i * IOVEC);
    const len = Math.min(u32(mem, iovs_ptr + i * IOVEC + 4), n);
    if (len > 0 && fits(mem, buf, len)) out.push([buf, len]);
    n -= len;
  }
  return out;
}

const NONE: Plan = { inputs: () => [], outputs: () => [] };

/** A plan whose inputs are `ins` (plus `extra`) and whose outputs are `outs` (plus what `after` adds). */
function plan(mem: Mem, ins: Ranges, outs: Ranges, extra: () => Region[] = () => [], after?: (m: Mem, r: Ranges) => void): Plan {
  return {
    inputs: () => [...copy(mem, ins.list), ...extra()],
    outputs: (m) => {
      if (!after) return outs.list;
      const r = new Ranges(m);
      after(m, r);
      return [...outs.list, ...r.list];
    },
  };
}

/** The plan of one relayed call. `a` are its i32 arguments as the guest passed them. */
export function planCall(spec: CallSpec, a: readonly number[], mem: Mem): Plan {
  const both = (f: (r: Ranges) => void): Plan => {
    const r = new Ranges(mem);
    f(r);
    return plan(mem, r, r);
  };
  const outOnly = (f: (r: Ranges) => void): Plan => {
    const r = new Ranges(mem);
    f(r);
    return plan(mem, new Ranges(mem), r);
  };
  /** A receive: iovecs in (clipped), the received bytes out, then the fixed outputs. */
  const receive = (iovs: number, n: number, lenPtr: number, more: (r: Ranges) => void): Plan => {
    const fixed = new Ranges(mem);
    more(fixed);
    return plan(mem, fixed, fixed, () => iovecs(mem, iovs, n, false), (m, r) => {
      if (fits(m, lenPtr, 4)) for (const [p, l] of filled(m, iovs, n, u32(m, lenPtr))) r.add(p, l);
    });
  };
  /** A send: iovecs and their bytes in (clipped), the count out. */
  const send = (iovs: number, n: number, lenPtr: number, more?: (r: Ranges) => void): Plan => {
    const ins = new Ranges(mem);
    more?.(ins);
    return plan(mem, ins, new Ranges(mem).add(lenPtr, 4), () => iovecs(mem, iovs, n, true));
  };
  const name = spec.name.replace(/_v2$/, '');
  switch (name) {
    case 'sock_open':
      return outOnly((r) => r.add(a[2], 4));
    case 'sock_bind':
    case 'sock_connect':
      return plan(mem, new Ranges(mem).address(a[1]), new Ranges(mem));
    case 'sock_listen':
    case 'sock_shutdown':
    case 'fd_close':
    case 'fd_fdstat_set_flags':
      return NONE;
    case 'sock_accept':
      return outOnly((r) => r.add(a[spec.arity - 1], 4));
    case 'sock_recv':
      return receive(a[1], a[2], a[4], (r) => r.add(a[4], 4).add(a[5], 2));
    case 'sock_recv_from': {
      // V1 (fd, iovs, n, addr, riflags, ro_len, ro_flags); V2 adds port_ptr before ro_len.
      const v2 = spec.arity === 8;
      const lenPtr = v2 ? a[6] : a[5];
      return receive(a[1], a[2], lenPtr, (r) => {
        r.address(a[3]).add(lenPtr, 4).add(v2 ? a[7] : a[6], 2);
        if (v2) r.add(a[5], 4);
      });
    }
    case 'fd_read':
      return receive(a[1], a[2], a[3], (r) => r.add(a[3], 4));
    case 'sock_send':
      return send(a[1], a[2], a[4]);
    case 'sock_send_to':
      return send(a[1], a[2], a[6], (r) => r.address(a[3]));
    case 'fd_write':
      return send(a[1], a[2], a[3]);
    case 'sock_getsockopt':
    case 'getsockopt': {
      // The value's room is the guest's length now: sent in, and back as far as it goes.
      const r = new Ranges(mem).add(a[4], 4);
      if (fits(mem, a[4], 4)) r.add(a[3], Math.min(u32(mem, a[4]), OPTION_MAX));
      return plan(mem, r, r);
    }
    case 'sock_setsockopt':
    case 'setsockopt':
      return plan(mem, new Ranges(mem).add(a[3], Math.min(a[4] >>> 0, OPTION_MAX)), new Ranges(mem));
    case 'sock_getlocaladdr':
    case 'sock_getpeeraddr':
      // V1 (fd, addr, type_ptr, port_ptr); V2 (fd, addr, port_ptr).
      return both((r) => {
        r.address(a[1]).add(a[2], 4);
        if (spec.arity === 4) r.add(a[3], 4);
      });
    case 'sock_bind_device':
      return plan(mem, new Ranges(mem).add(a[1], Math.min(a[2] >>> 0, NAME_MAX)), new Ranges(mem));
    case 'sock_lookup_ip': {
      // (name, name_len, family, buf, buf_len, count_ptr): the addresses out, count × 4 or 16 bytes.
      const ins = new Ranges(mem).add(a[0], Math.min(a[1] >>> 0, NAME_MAX));
      const size = (a[2] & 0xff) === 2 ? 16 : 4;
      return plan(mem, ins, new Ranges(mem).add(a[5], 4), undefined, (m, r) => {
        if (fits(m, a[5], 4)) r.add(a[3], Math.min(u32(m, a[5]) * size, a[4] >>> 0));
      });
    }
    case 'sock_getaddrinfo': {
      // (node, node_len, service, service_len, hints, res_ptr, max_len, res_len_ptr): the
      // guest's chain of entries, each with its sockaddr, data and canonname buffers.
      const ins = new Ranges(mem).add(a[0], Math.min(a[1] >>> 0, NAME_MAX)).add(a[2], Math.min(a[3] >>> 0, NAME_MAX)).add(a[4], ADDRINFO).add(a[5], 4);
      const chain = new Ranges(mem).add(a[7], 4);
      let entry = fits(mem, a[5], 4) ? u32(mem, a[5]) : 0;
      for (let i = 0; i < Math.min(a[6] >>> 0, CHAIN_MAX) && entry !== 0 && fits(mem, entry, ADDRINFO); i++) {
        chain.add(entry, ADDRINFO);
        const sa = u32(mem, entry + 12);
        if (sa !== 0 && fits(mem, sa, SOCKADDR)) chain.add(sa, SOCKADDR).add(u32(mem, sa + 8), Math.min(u32(mem, sa + 4), OPTION_MAX));
        chain.add(u32(mem, entry + 16), Math.min(u32(mem, entry + 20), NAME_MAX));
        entry = u32(mem, entry + 24);
      }
      ins.list.push(...chain.list);
      return plan(mem, ins, chain);
    }
    case 'poll_oneoff':
    case 'epoll_oneoff': {
      // (in, out, nsubscriptions, nevents_ptr): the events out, nevents × 32 bytes.
      const n = a[2] >>> 0;
      const ins = new Ranges(mem).add(a[0], Math.min(n, POLL_MAX) * SUBSCRIPTION);
      return plan(mem, ins, new Ranges(mem).add(a[3], 4), undefined, (m, r) => {
        if (fits(m, a[3], 4)) r.add(a[1], Math.min(u32(m, a[3]), n) * EVENT);
      });
    }
    case 'fd_fdstat_get':
      return outOnly((r) => r.add(a[1], FDSTAT));
    case 'fd_filestat_get':
      return outOnly((r) => r.add(a[1], FILESTAT));
  }
  throw new Error(`regions: no plan for ${spec.module}.${spec.name}/${spec.arity}`);
}
