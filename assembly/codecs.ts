// Value codecs: an option's kernel bytes <-> typed fields.
//
// The host writes bytes into BYTES (or fields into FIELDS), calls decode/encode, and
// reads the other side. Every codec checks lengths and returns a code; none traps.
// Layouts are the C structs of Linux LP64 (x86_64, aarch64) and macOS arm64/x86_64,
// all little-endian; wasm memory is little-endian too, so load<T>/store<T> are exact.

import { Kind, Platform } from "./catalogue";
import { Errno } from "./errno";

/** Size of the byte scratch area: CPython's getsockopt buflen limit. */
@inline export const BYTES_SIZE: i32 = 1024;
/** Number of i64 field slots. */
@inline export const FIELDS_SIZE: i32 = 64;

export const BYTES = new StaticArray<u8>(BYTES_SIZE);
export const FIELDS = new StaticArray<i64>(FIELDS_SIZE);

/** A failure code: the errno negated, as an i32 (negating a u16 Errno would wrap). */
@inline function fail(e: Errno): i32 { return -(<i32>e); }

@inline function bytes(): usize { return changetype<usize>(BYTES); }
@inline function fields(): usize { return changetype<usize>(FIELDS); }
@inline function field(i: i32): i64 { return load<i64>(fields() + (<usize>i << 3)); }
@inline function setField(i: i32, v: i64): void { store<i64>(fields() + (<usize>i << 3), v); }

// struct tcp_info (Linux include/uapi/linux/tcp.h). Each row: byte offset, size.
// The names are in the same order (exported to the host by index.ts).
export const TCP_INFO_NAMES: StaticArray<string> = [
  "state", "ca_state", "retransmits", "probes", "backoff", "options",
  "rto", "ato", "snd_mss", "rcv_mss", "unacked", "sacked", "lost", "retrans", "fackets",
  "last_data_sent", "last_ack_sent", "last_data_recv", "last_ack_recv",
  "pmtu", "rcv_ssthresh", "rtt", "rttvar", "snd_ssthresh", "snd_cwnd", "advmss",
  "reordering", "rcv_rtt", "rcv_space", "total_retrans",
  "pacing_rate", "max_pacing_rate", "bytes_acked", "bytes_received",
  "segs_out", "segs_in", "notsent_bytes", "min_rtt", "data_segs_in", "data_segs_out",
  "delivery_rate", "busy_time", "rwnd_limited", "sndbuf_limited",
  "delivered", "delivered_ce", "bytes_sent", "bytes_retrans", "dsack_dups", "reord_seen",
];
//   0 u8 state  1 u8 ca_state  2 u8 retransmits  3 u8 probes  4 u8 backoff  5 u8 options
//   6 u8 snd_wscale:4|rcv_wscale:4  7 u8 flags
//   8..103: 24 x u32 (rto … total_retrans)
// 104..135: 4 x u64 (pacing_rate, max_pacing_rate, bytes_acked, bytes_received)
// 136..159: 6 x u32 (segs_out … data_segs_out)
// 160..191: 4 x u64 (delivery_rate, busy_time, rwnd_limited, sndbuf_limited)
// 192..199: 2 x u32 (delivered, delivered_ce)
// 200..215: 2 x u64 (bytes_sent, bytes_retrans)
// 216..223: 2 x u32 (dsack_dups, reord_seen)
export const TCP_INFO_OFFSETS: StaticArray<u16> = [
  0, 1, 2, 3, 4, 5,
  8, 12, 16, 20, 24, 28, 32, 36, 40,
  44, 48, 52, 56,
  60, 64, 68, 72, 76, 80, 84,
  88, 92, 96, 100,
  104, 112, 120, 128,
  136, 140, 144, 148, 152, 156,
  160, 168, 176, 184,
  192, 196, 200, 208, 216, 220,
];
export const TCP_INFO_SIZES: StaticArray<u8> = [
  1, 1, 1, 1, 1, 1,
  4, 4, 4, 4, 4, 4, 4, 4, 4,
  4, 4, 4, 4,
  4, 4, 4, 4, 4, 4, 4,
  4, 4, 4, 4,
  8, 8, 8, 8,
  4, 4, 4, 4, 4, 4,
  8, 8, 8, 8,
  4, 4, 8, 8, 4, 4,
];

/** Natural size in bytes of a kind on a platform (what a get asks the kernel for). */
export function kindSize(kind: u8, platform: u8): i32 {
  switch (kind) {
    case Kind.INT: case Kind.BOOL: return 4;
    case Kind.LINGER: return 8;
    case Kind.TIMEVAL: return 16;
    case Kind.IN_ADDR: return 4;
    case Kind.IP_MREQ: return 8;
    case Kind.IP_MREQN: return 12;
    case Kind.IPV6_MREQ: return 20;
    case Kind.IFNAME: return 16;
    case Kind.STRING: return 256;
    case Kind.TCP_INFO: return 232;
    case Kind.UCRED: return 12;
    case Kind.OPAQUE: return 256;
  }
  return 0;
}

/**
 * Linux's length rule for setsockopt of a kind: the least optlen the kernel accepts.
 * `byteOk`: the option is an IP-level int that Linux reads from a single byte.
 */
export function minSetLength(kind: u8, byteOk: bool): i32 {
  switch (kind) {
    case Kind.INT: case Kind.BOOL: return byteOk ? 1 : 4;
    case Kind.LINGER: return 8;
    case Kind.TIMEVAL: return 16;
    case Kind.IN_ADDR: return 4;
    case Kind.IP_MREQ: return 8;
    case Kind.IP_MREQN: return 12;
    case Kind.IPV6_MREQ: return 20;
  }
  return 0;
}

// ipv4 address: 4 bytes in network order <-> u32 with a.b.c.d as (a<<24|b<<16|c<<8|d).
@inline function loadAddr4(off: usize): i64 { return <i64>bswap<u32>(load<u32>(bytes() + off)); }
@inline function storeAddr4(off: usize, v: i64): void { store<u32>(bytes() + off, bswap<u32>(<u32>v)); }

/**
 * Decodes `len` bytes of BYTES, laid out for `platform`, into FIELDS.
 * Returns the number of fields written, or -errno (INVAL when too short).
 * IFNAME/STRING: field 0 = the string's length up to its first NUL; the bytes stay in BYTES.
 * OPAQUE: nothing is decoded; returns 0.
 */
export function decode(kind: u8, platform: u8, len: i32): i32 {
  if (len < 0 || len > BYTES_SIZE) return fail(Errno.INVAL);
  const b = bytes();
  switch (kind) {
    case Kind.INT: case Kind.BOOL: {
      // Linux answers a 1-byte get of an IP-level int with one byte.
      if (len >= 4) setField(0, <i64>load<i32>(b));
      else if (len >= 1) setField(0, <i64>load<u8>(b));
      else return fail(Errno.INVAL);
      if (kind == Kind.BOOL) setField(0, field(0) != 0 ? 1 : 0);
      return 1;
    }
    case Kind.LINGER: {
      // struct linger { int l_onoff @0; int l_linger @4; }
      if (len < 8) return fail(Errno.INVAL);
      setField(0, <i64>load<i32>(b, 0));
      setField(1, <i64>load<i32>(b, 4));
      return 2;
    }
    case Kind.TIMEVAL: {
      // Linux LP64: { i64 tv_sec @0; i64 tv_usec @8 }; macOS: { i64 tv_sec @0; i32 tv_usec @8; pad }
      if (len < 16) return fail(Errno.INVAL);
      setField(0, load<i64>(b, 0));
      setField(1, platform == Platform.MACOS ? <i64>load<i32>(b, 8) : load<i64>(b, 8));
      return 2;
    }
    case Kind.IN_ADDR: {
      if (len < 4) return fail(Errno.INVAL);
      setField(0, loadAddr4(0));
      return 1;
    }
    case Kind.IP_MREQ: {
      // { in_addr imr_multiaddr @0; in_addr imr_interface @4 }
      if (len < 8) return fail(Errno.INVAL);
      setField(0, loadAddr4(0));
      setField(1, loadAddr4(4));
      return 2;
    }
    case Kind.IP_MREQN: {
      // { in_addr imr_multiaddr @0; in_addr imr_address @4; int imr_ifindex @8 }
      if (len < 12) return fail(Errno.INVAL);
      setField(0, loadAddr4(0));
      setField(1, loadAddr4(4));
      setField(2, <i64>load<i32>(b, 8));
      return 3;
    }
    case Kind.IPV6_MREQ: {
      // { u8 ipv6mr_multiaddr[16] @0; unsigned ipv6mr_interface @16 }
      if (len < 20) return fail(Errno.INVAL);
      for (let i = 0; i < 16; i++) setField(i, <i64>load<u8>(b + <usize>i));
      setField(16, <i64>load<u32>(b, 16));
      return 17;
    }
    case Kind.IFNAME: case Kind.STRING: {
      let n = 0;
      while (n < len && load<u8>(b + <usize>n) != 0) n++;
      setField(0, n);
      return 1;
    }
    case Kind.TCP_INFO: {
      if (platform != Platform.LINUX) return fail(Errno.NOPROTOOPT);
      let count = 0;
      for (let i = 0; i < TCP_INFO_OFFSETS.length; i++) {
        const off = <i32>unchecked(TCP_INFO_OFFSETS[i]);
        const size = <i32>unchecked(TCP_INFO_SIZES[i]);
        // Older kernels return a shorter struct: decode only what came back.
        if (off + size > len) break;
        const p = b + <usize>off;
        setField(i, size == 1 ? <i64>load<u8>(p) : size == 4 ? <i64>load<u32>(p) : load<i64>(p));
        count++;
      }
      return count;
    }
    case Kind.UCRED: {
      // struct ucred { pid_t pid @0; uid_t uid @4; gid_t gid @8 }
      if (len < 12) return fail(Errno.INVAL);
      setField(0, <i64>load<i32>(b, 0));
      setField(1, <i64>load<u32>(b, 4));
      setField(2, <i64>load<u32>(b, 8));
      return 3;
    }
    case Kind.OPAQUE: return 0;
  }
  return fail(Errno.INVAL);
}

@inline function fitsI32(v: i64): bool { return v >= <i64>i32.MIN_VALUE && v <= <i64>i32.MAX_VALUE; }
@inline function fitsU32(v: i64): bool { return v >= 0 && v <= <i64>u32.MAX_VALUE; }

/**
 * Encodes FIELDS into BYTES in `platform`'s layout. Returns the byte length, or
 * -errno: INVAL for a field out of its C type's range or a string too long.
 * IFNAME/STRING: field 0 = the length of the string already in BYTES; a NUL is appended.
 * OPAQUE: field 0 = the length of the bytes already in BYTES.
 */
export function encode(kind: u8, platform: u8): i32 {
  const b = bytes();
  switch (kind) {
    case Kind.INT: case Kind.BOOL: {
      const v = field(0);
      if (!fitsI32(v)) return fail(Errno.INVAL);
      store<i32>(b, kind == Kind.BOOL ? (v != 0 ? 1 : 0) : <i32>v);
      return 4;
    }
    case Kind.LINGER: {
      if (!fitsI32(field(0)) || !fitsI32(field(1))) return fail(Errno.INVAL);
      store<i32>(b, <i32>field(0), 0);
      store<i32>(b, <i32>field(1), 4);
      return 8;
    }
    case Kind.TIMEVAL: {
      const usec = field(1);
      if (usec < 0 || usec >= 1000000) return fail(Errno.INVAL);
      store<i64>(b, field(0), 0);
      if (platform == Platform.MACOS) {
        store<i32>(b, <i32>usec, 8);
        store<i32>(b, 0, 12);
      } else {
        store<i64>(b, usec, 8);
      }
      return 16;
    }
    case Kind.IN_ADDR: {
      if (!fitsU32(field(0))) return fail(Errno.INVAL);
      storeAddr4(0, field(0));
      return 4;
    }
    case Kind.IP_MREQ: {
      if (!fitsU32(field(0)) || !fitsU32(field(1))) return fail(Errno.INVAL);
      storeAddr4(0, field(0));
      storeAddr4(4, field(1));
      return 8;
    }
    case Kind.IP_MREQN: {
      if (platform != Platform.LINUX) return fail(Errno.NOPROTOOPT);
      if (!fitsU32(field(0)) || !fitsU32(field(1)) || !fitsI32(field(2))) return fail(Errno.INVAL);
      storeAddr4(0, field(0));
      storeAddr4(4, field(1));
      store<i32>(b, <i32>field(2), 8);
      return 12;
    }
    case Kind.IPV6_MREQ: {
      for (let i = 0; i < 16; i++) {
        const v = field(i);
        if (v < 0 || v > 255) return fail(Errno.INVAL);
        store<u8>(b + <usize>i, <u8>v);
      }
      if (!fitsU32(field(16))) return fail(Errno.INVAL);
      store<u32>(b, <u32>field(16), 16);
      return 20;
    }
    case Kind.IFNAME: case Kind.STRING: {
      const n = field(0);
      // IFNAMSIZ and TCP_CA_NAME_MAX are both 16, the NUL included.
      if (n < 0 || n > 15) return fail(Errno.INVAL);
      for (let i: i64 = 0; i < n; i++) if (load<u8>(b + <usize>i) == 0) return fail(Errno.INVAL);
      store<u8>(b + <usize>n, 0);
      return <i32>n + 1;
    }
    case Kind.OPAQUE: {
      const n = field(0);
      if (n < 0 || n > <i64>BYTES_SIZE) return fail(Errno.INVAL);
      return <i32>n;
    }
  }
  // TCP_INFO and UCRED are read-only.
  return fail(Errno.INVAL);
}

/**
 * Rewrites `len` bytes of BYTES from `from`'s layout to `to`'s, in place.
 * Returns the new length or -errno. The guest ABI speaks Linux LP64; a macOS host
 * differs only in timeval. Kinds that are not decoded travel unchanged.
 */
export function convert(kind: u8, from: u8, to: u8, len: i32): i32 {
  if (len < 0 || len > BYTES_SIZE) return fail(Errno.INVAL);
  if (from == to) return len;
  switch (kind) {
    case Kind.TIMEVAL: {
      const n = decode(kind, from, len);
      if (n < 0) return n;
      return encode(kind, to);
    }
    case Kind.IP_MREQN: case Kind.TCP_INFO: case Kind.UCRED: {
      if (to != Platform.LINUX) return fail(Errno.NOPROTOOPT);
      return len;
    }
  }
  return len;
}
