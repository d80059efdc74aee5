// IP addresses as text and as bytes, the same rules as the host facade
// (host/native/sockaddr.ts): numeric addresses only, no name resolution.
//   IPv4: dotted quad, no leading zeros ("127.0.0.1").
//   IPv6: RFC 4291 text with "::" and an IPv4 tail ("::ffff:10.0.0.1"); formatted the
//         way inet_ntop does (RFC 5952: lowercase, the longest run of two or more zero
//         groups as "::", the first on a tie; IPv4-mapped as ::ffff:a.b.c.d).

import { AF_INET, AF_INET6 } from "./constants";

/** A socket address: family (AF_INET or AF_INET6), numeric host text, port. */
export class Address {
  constructor(
    /** AF_INET, AF_INET6, or AF_UNSPEC (0) when there is no address (a failed call). */
    public family: i32 = 0,
    /** "127.0.0.1", "::1"; "" when there is no address. */
    public host: string = "",
    public port: u16 = 0,
  ) {}

  /** "127.0.0.1:8080" or "[::1]:8080" ("" when there is no address). */
  toString(): string {
    if (this.family == AF_INET6) return "[" + this.host + "]:" + this.port.toString();
    if (this.family == AF_INET) return this.host + ":" + this.port.toString();
    return "";
  }
}

/** Parses dotted-quad IPv4 text into 4 bytes at out. False when it is not one. */
export function parseIPv4(text: string, out: usize): bool {
  return parseIPv4At(text, 0, text.length, out);
}

/** Parses text[start, end) as a dotted quad into 4 bytes at out. */
function parseIPv4At(text: string, start: i32, end: i32, out: usize): bool {
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = start; i <= end; i++) {
    const c = i < end ? text.charCodeAt(i) : 0x2E; // a final '.' ends the last part
    if (c == 0x2E) {
      if (digits == 0 || part > 3) return false;
      store<u8>(out + <usize>part, <u8>value);
      part++;
      value = 0;
      digits = 0;
    } else if (c >= 0x30 && c <= 0x39) {
      if (digits > 0 && value == 0) return false; // a leading zero
      value = value * 10 + (c - 0x30);
      digits++;
      if (value > 255) return false;
    } else {
      return false;
    }
  }
  return part == 4;
}

function hexDigit(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

// Scratch for one parse: 8 u16 groups before "::" and 8 after.
const GROUPS: usize = memory.data(32, 2);

/** Parses IPv6 text into 16 bytes (network order) at out. False when it is not one. */
export function parseIPv6(text: string, out: usize): bool {
  const len = text.length;
  if (len == 0 || len > 45) return false;
  let head = 0; // groups before "::"
  let tail = 0; // groups after "::"
  let gap = false; // seen "::"
  let i = 0;
  if (len >= 2 && text.charCodeAt(0) == 0x3A) {
    if (text.charCodeAt(1) != 0x3A) return false; // a lone leading ':'
    gap = true;
    i = 2;
  }
  while (i < len) {
    // One group: hex digits, or a dotted-quad tail.
    let j = i;
    let value = 0;
    while (j < len && j - i < 5) {
      const d = hexDigit(text.charCodeAt(j));
      if (d < 0) break;
      value = (value << 4) | d;
      j++;
    }
    const count = head + tail;
    if (j < len && text.charCodeAt(j) == 0x2E) {
      // IPv4 tail: the rest of the text, two groups.
      if (count > 6) return false;
      const v4 = GROUPS + 28; // unused slots while parsing: room for 4 bytes
      if (!parseIPv4At(text, i, len, v4)) return false;
      const w0 = (<u16>load<u8>(v4) << 8) | <u16>load<u8>(v4, 1);
      const w1 = (<u16>load<u8>(v4, 2) << 8) | <u16>load<u8>(v4, 3);
      if (gap) {
        store<u16>(GROUPS + 16 + (<usize>tail << 1), w0); tail++;
        store<u16>(GROUPS + 16 + (<usize>tail << 1), w1); tail++;
      } else {
        store<u16>(GROUPS + (<usize>head << 1), w0); head++;
        store<u16>(GROUPS + (<usize>head << 1), w1); head++;
      }
      i = len;
      break;
    }
    if (j == i || j - i > 4 || count >= 8) return false;
    if (gap) { store<u16>(GROUPS + 16 + (<usize>tail << 1), <u16>value); tail++; }
    else { store<u16>(GROUPS + (<usize>head << 1), <u16>value); head++; }
    i = j;
    if (i == len) break;
    if (text.charCodeAt(i) != 0x3A) return false;
    i++;
    if (i < len && text.charCodeAt(i) == 0x3A) {
      if (gap) return false; // a second "::"
      gap = true;
      i++;
    } else if (i == len) {
      return false; // a trailing single ':'
    }
  }
  const total = head + tail;
  if (gap ? total > 7 : total != 8) return false;
  memory.fill(out, 0, 16);
  for (let k = 0; k < head; k++) {
    const w = load<u16>(GROUPS + (<usize>k << 1));
    store<u8>(out + (<usize>k << 1), <u8>(w >> 8));
    store<u8>(out + (<usize>k << 1) + 1, <u8>w);
  }
  for (let k = 0; k < tail; k++) {
    const w = load<u16>(GROUPS + 16 + (<usize>k << 1));
    const at = out + (<usize>(8 - tail + k) << 1);
    store<u8>(at, <u8>(w >> 8));
    store<u8>(at + 1, <u8>w);
  }
  return true;
}

/** 4 bytes at p as dotted-quad text. */
export function formatIPv4(p: usize): string {
  return load<u8>(p).toString() + "." + load<u8>(p, 1).toString() + "." +
    load<u8>(p, 2).toString() + "." + load<u8>(p, 3).toString();
}

@inline function word(p: usize, i: i32): u32 {
  return (<u32>load<u8>(p + (<usize>i << 1)) << 8) | <u32>load<u8>(p + (<usize>i << 1) + 1);
}

/** 16 bytes at p as IPv6 text, as inet_ntop writes it. */
export function formatIPv6(p: usize): string {
  let mapped = word(p, 5) == 0xFFFF;
  for (let i = 0; i < 5; i++) if (word(p, i) != 0) mapped = false;
  if (mapped) return "::ffff:" + formatIPv4(p + 12);
  // The longest run of zero groups, at least two long; the first one wins a tie.
  let bestAt = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (word(p, i) != 0) { i++; continue; }
    let j = i;
    while (j < 8 && word(p, j) == 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestAt = i; bestLen = j - i; }
    i = j;
  }
  let s = "";
  for (let i = 0; i < 8; i++) {
    if (i == bestAt) {
      s += "::";
      i += bestLen - 1;
      continue;
    }
    if (i > 0 && i != bestAt + bestLen) s += ":";
    s += word(p, i).toString(16);
  }
  return s;
}
