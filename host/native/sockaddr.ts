// Socket addresses: text <-> bytes, and struct sockaddr_in / sockaddr_in6.
//
// Layouts (all offsets in bytes; port and IPv4 address in network order):
//   Linux  sockaddr_in  (16): u16 family @0 (host order) | u16 port @2 | u8 addr[4] @4 | zero[8] @8
//   macOS  sockaddr_in  (16): u8 len @0 | u8 family @1   | u16 port @2 | u8 addr[4] @4 | zero[8]
//   Linux  sockaddr_in6 (28): u16 family @0 | u16 port @2 | u32 flowinfo @4 (network order)
//                             | u8 addr[16] @8 | u32 scope_id @24 (host order)
//   macOS  sockaddr_in6 (28): u8 len @0 | u8 family @1 | then as Linux.
// Sources: <netinet/in.h> on both systems.

const IS_MAC = process.platform === 'darwin';
/**
 * This host's address family numbers (<sys/socket.h>: AF_INET 2 on both; AF_INET6 10 on
 * Linux, 30 on macOS). The native layer knows them itself rather than asking the core
 * (which sits above it); test/core.test.ts checks them against the catalogue's.
 */
export const AF_INET: number = 2;
export const AF_INET6: number = IS_MAC ? 30 : 10;
export const SOCKADDR_IN_LEN = 16;
export const SOCKADDR_IN6_LEN = 28;
/** Room for any address sockbox handles (sizeof(struct sockaddr_storage) is 128). */
export const SOCKADDR_MAX = 128;

/** Parses dotted-quad IPv4 text into 4 bytes, or null. */
export function parseIPv4(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out[i] = n;
  }
  return out;
}

/** Parses IPv6 text (with `::` and an embedded IPv4 tail) into 16 bytes, or null. */
export function parseIPv6(text: string): Uint8Array | null {
  if (text.length === 0 || text.length > 45) return null;
  const out = new Uint8Array(16);
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groups = (s: string): number[] | null => {
    if (s === '') return [];
    const words: number[] = [];
    const parts = s.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIPv4(p);
        if (!v4) return null;
        words.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return null;
        words.push(parseInt(p, 16));
      }
    }
    return words;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return null;
  const total = head.length + tail.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return null;
  const words = [...head, ...new Array<number>(8 - total).fill(0), ...tail];
  words.forEach((w, i) => { out[2 * i] = w >> 8; out[2 * i + 1] = w & 0xff; });
  return out;
}

/** Formats 4 bytes as dotted-quad text. */
export function formatIPv4(b: Uint8Array): string {
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

/** Formats 16 bytes as IPv6 text the way inet_ntop does (RFC 5952, ::ffff:a.b.c.d). */
export function formatIPv6(b: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((b[2 * i] << 8) | b[2 * i + 1]);
  if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff) {
    return `::ffff:${formatIPv4(b.subarray(12, 16))}`;
  }
  // Longest run of zero words, at least two long; the first one wins a tie.
  let bestAt = -1, bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestAt = i; bestLen = j - i; }
    i = j;
  }
  const hex = (ws: number[]) => ws.map((w) => w.toString(16)).join(':');
  if (bestAt < 0) return hex(words);
  return `${hex(words.slice(0, bestAt))}::${hex(words.slice(bestAt + bestLen))}`;
}

/** A decoded socket address. */
export interface SockAddr {
  family: number;
  address: string;
  port: number;
  flowinfo: number;
  scopeId: number;
}

/** Writes struct sockaddr_in into `out` (≥16 bytes); returns its length. */
export function encodeSockaddrIn(out: Uint8Array, addr: Uint8Array, port: number): number {
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  out.fill(0, 0, SOCKADDR_IN_LEN);
  if (IS_MAC) { out[0] = SOCKADDR_IN_LEN; out[1] = AF_INET; } else dv.setUint16(0, AF_INET, true);
  dv.setUint16(2, port, false);
  out.set(addr.subarray(0, 4), 4);
  return SOCKADDR_IN_LEN;
}

/** Writes struct sockaddr_in6 into `out` (≥28 bytes); returns its length. */
export function encodeSockaddrIn6(out: Uint8Array, addr: Uint8Array, port: number, flowinfo = 0, scopeId = 0): number {
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  out.fill(0, 0, SOCKADDR_IN6_LEN);
  if (IS_MAC) { out[0] = SOCKADDR_IN6_LEN; out[1] = AF_INET6; } else dv.setUint16(0, AF_INET6, true);
  dv.setUint16(2, port, false);
  dv.setUint32(4, flowinfo, false);
  out.set(addr.subarray(0, 16), 8);
  dv.setUint32(24, scopeId, true);
  return SOCKADDR_IN6_LEN;
}

/** The address family of a sockaddr's bytes. */
export function sockaddrFamily(b: Uint8Array): number {
  return IS_MAC ? b[1] : b[0] | (b[1] << 8);
}

/** The address bytes (4 or 16, a copy) and port of sockaddr_in / sockaddr_in6 bytes; null for another family or a short length. */
export function sockaddrIp(b: Uint8Array, len: number): { ip: Uint8Array; port: number } | null {
  if (len < 4) return null;
  const family = sockaddrFamily(b);
  const port = (b[2] << 8) | b[3];
  if (family === AF_INET && len >= SOCKADDR_IN_LEN) return { ip: b.slice(4, 8), port };
  if (family === AF_INET6 && len >= SOCKADDR_IN6_LEN) return { ip: b.slice(8, 24), port };
  return null;
}

/** Decodes sockaddr_in / sockaddr_in6 bytes; null for another family or a short length. */
export function decodeSockaddr(b: Uint8Array, len: number): SockAddr | null {
  const a = sockaddrIp(b, len);
  if (!a) return null;
  if (a.ip.length === 4) return { family: AF_INET, address: formatIPv4(a.ip), port: a.port, flowinfo: 0, scopeId: 0 };
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { family: AF_INET6, address: formatIPv6(a.ip), port: a.port, flowinfo: dv.getUint32(4, false), scopeId: dv.getUint32(24, true) };
}
