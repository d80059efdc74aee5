// The guest ABIs' own numbering (WasmEdge's socket extension, WASI preview1) and its
// translation to a platform's: address families, socket types, protocols, shutdown
// directions, getaddrinfo flags and failure codes. The host asks here instead of
// keeping numbers of its own. Every function answers -1 (or a fixed fallback, said
// below) for a number it does not know; none traps.

import { Platform, symValue } from "./catalogue";
import { Errno } from "./errno";

// ── WasmEdge's numbering ──────────────────────────────────────────────────────
// Address family: UNSPEC 0, INET4 1, INET6 2. Socket type: ANY 0, DGRAM 1, STREAM 2.
// Protocol (addrinfo hints): IP 0, TCP 1, UDP 2. Shutdown: RD 1, WR 2, both 3.
// Exported (GUEST_*): the host's ABI codecs (host/sandbox/abi.ts) read them from here.
export const GUEST_AF_INET4: i32 = 1;
export const GUEST_AF_INET6: i32 = 2;
export const GUEST_SOCK_ANY: i32 = 0;
export const GUEST_SOCK_DGRAM: i32 = 1;
export const GUEST_SOCK_STREAM: i32 = 2;
/** WasmEdge's one option level, SOL_SOCKET. */
export const GUEST_SOL_SOCKET: i32 = 0;
@inline const G_INET4: i32 = GUEST_AF_INET4;
@inline const G_INET6: i32 = GUEST_AF_INET6;
@inline const G_ANY: i32 = GUEST_SOCK_ANY;
@inline const G_DGRAM: i32 = GUEST_SOCK_DGRAM;
@inline const G_STREAM: i32 = GUEST_SOCK_STREAM;

// Platform numbers (Linux, macOS) for what the translations produce: the catalogue's
// constants (its one table), read once at start.
@inline function pick(platform: i32, linux: i32, mac: i32): i32 { return platform == Platform.MACOS ? mac : linux; }
const AF_INET_L = symValue("AF_INET", Platform.LINUX);
const AF_INET_M = symValue("AF_INET", Platform.MACOS);
const AF_INET6_L = symValue("AF_INET6", Platform.LINUX);
const AF_INET6_M = symValue("AF_INET6", Platform.MACOS);
const SOCK_STREAM_L = symValue("SOCK_STREAM", Platform.LINUX);
const SOCK_STREAM_M = symValue("SOCK_STREAM", Platform.MACOS);
const SOCK_DGRAM_L = symValue("SOCK_DGRAM", Platform.LINUX);
const SOCK_DGRAM_M = symValue("SOCK_DGRAM", Platform.MACOS);
const TCP_L = symValue("IPPROTO_TCP", Platform.LINUX);
const TCP_M = symValue("IPPROTO_TCP", Platform.MACOS);
const UDP_L = symValue("IPPROTO_UDP", Platform.LINUX);
const UDP_M = symValue("IPPROTO_UDP", Platform.MACOS);
const SHUT_RD_L = symValue("SHUT_RD", Platform.LINUX);
const SHUT_RD_M = symValue("SHUT_RD", Platform.MACOS);
const SHUT_WR_L = symValue("SHUT_WR", Platform.LINUX);
const SHUT_WR_M = symValue("SHUT_WR", Platform.MACOS);
const SHUT_RDWR_L = symValue("SHUT_RDWR", Platform.LINUX);
const SHUT_RDWR_M = symValue("SHUT_RDWR", Platform.MACOS);

/** A guest address family (INET4 1, INET6 2) as the platform's AF_*; -1 for any other. */
export function familyToHost(af: i32, platform: i32): i32 {
  return af == G_INET4 ? pick(platform, AF_INET_L, AF_INET_M) : af == G_INET6 ? pick(platform, AF_INET6_L, AF_INET6_M) : -1;
}

/** A platform AF_* as the guest's family (INET4 1, INET6 2); -1 for any other. */
export function familyToGuest(af: i32, platform: i32): i32 {
  return af == pick(platform, AF_INET_L, AF_INET_M) ? G_INET4 : af == pick(platform, AF_INET6_L, AF_INET6_M) ? G_INET6 : -1;
}

/**
 * A guest socket type as the platform's SOCK_*: STREAM 2 (and ANY 0, which sock_open
 * takes as stream), DGRAM 1; -1 for any other.
 */
export function socktypeToHost(t: i32, platform: i32): i32 {
  return t == G_STREAM || t == G_ANY ? pick(platform, SOCK_STREAM_L, SOCK_STREAM_M) : t == G_DGRAM ? pick(platform, SOCK_DGRAM_L, SOCK_DGRAM_M) : -1;
}

/** A platform SOCK_* as the guest's (STREAM 2, DGRAM 1), ANY 0 for any other (SO_TYPE's value). */
export function socktypeToGuest(t: i32, platform: i32): i32 {
  return t == pick(platform, SOCK_STREAM_L, SOCK_STREAM_M) ? G_STREAM : t == pick(platform, SOCK_DGRAM_L, SOCK_DGRAM_M) ? G_DGRAM : G_ANY;
}

/** A guest protocol (IP 0, TCP 1, UDP 2) as the platform's IPPROTO_*; -1 for any other. */
export function protocolToHost(p: i32, platform: i32): i32 {
  return p == 0 ? 0 : p == 1 ? pick(platform, TCP_L, TCP_M) : p == 2 ? pick(platform, UDP_L, UDP_M) : -1;
}

/** A platform IPPROTO_* as the guest's (TCP 1, UDP 2), IP 0 for any other. */
export function protocolToGuest(p: i32, platform: i32): i32 {
  return p == pick(platform, TCP_L, TCP_M) ? 1 : p == pick(platform, UDP_L, UDP_M) ? 2 : 0;
}

/** A guest shutdown direction (RD 1, WR 2, both 3) as the platform's SHUT_*; -1 for any other. */
export function shutdownToHost(how: i32, platform: i32): i32 {
  return how == 1 ? pick(platform, SHUT_RD_L, SHUT_RD_M) : how == 2 ? pick(platform, SHUT_WR_L, SHUT_WR_M) : how == 3 ? pick(platform, SHUT_RDWR_L, SHUT_RDWR_M) : -1;
}

// ── getaddrinfo ───────────────────────────────────────────────────────────────

/** The addrinfo flags a guest may pass (WasmEdge): PASSIVE 1 … ADDRCONFIG 64. */
@inline const AI_KNOWN: i32 = 0x7f;
/** CANONNAME, which needs a node. */
@inline const AI_CANONNAME: i32 = 2;

/**
 * Guest addrinfo flags as the platform's AI_*: PASSIVE 1, CANONNAME 2, NUMERICHOST 4,
 * NUMERICSERV 8, V4MAPPED 16, ALL 32, ADDRCONFIG 64 (glibc <netdb.h>, macOS <netdb.h>).
 * Unknown bits are dropped (the host refuses them before it asks).
 */
export function aiFlagsToHost(flags: i32, platform: i32): i32 {
  let out = flags & 7; // PASSIVE, CANONNAME, NUMERICHOST: 1, 2, 4 on both
  if (flags & 8) out |= pick(platform, 0x400, 0x1000);
  if (flags & 16) out |= pick(platform, 0x8, 0x800);
  if (flags & 32) out |= pick(platform, 0x10, 0x100);
  if (flags & 64) out |= pick(platform, 0x20, 0x400);
  return out;
}

/** The platform's AI_NUMERICHOST (4 on Linux and macOS). */
export function aiNumericHost(platform: i32): i32 { return 4; }

// WasmEdge's lookup errnos, after WASI's NOTCAPABLE (76), in getaddrinfo's order.
@inline const AIADDRFAMILY: i32 = 77;
@inline const AIAGAIN: i32 = 78;
@inline const AIBADFLAG: i32 = 79;
@inline const AIFAIL: i32 = 80;
@inline const AIFAMILY: i32 = 81;
@inline const AIMEMORY: i32 = 82;
@inline const AINODATA: i32 = 83;
@inline const AINONAME: i32 = 84;
@inline const AISERVICE: i32 = 85;
@inline const AISOCKTYPE: i32 = 86;
@inline const AISYSTEM: i32 = 87;

/**
 * A getaddrinfo(3) return code as WasmEdge's errno (one to one); AIFAIL for a code
 * it has no name for. glibc's codes are negative (EAI_BADFLAGS -1 … EAI_SYSTEM -11),
 * macOS's positive (EAI_ADDRFAMILY 1 … EAI_SYSTEM 11).
 */
export function eaiToGuest(rc: i32, platform: i32): i32 {
  if (platform == Platform.MACOS) {
    switch (rc) {
      case 1: return AIADDRFAMILY;
      case 2: return AIAGAIN;
      case 3: return AIBADFLAG;
      case 4: return AIFAIL;
      case 5: return AIFAMILY;
      case 6: return AIMEMORY;
      case 7: return AINODATA;
      case 8: return AINONAME;
      case 9: return AISERVICE;
      case 10: return AISOCKTYPE;
      case 11: return AISYSTEM;
    }
    return AIFAIL;
  }
  switch (rc) {
    case -1: return AIBADFLAG;
    case -2: return AINONAME;
    case -3: return AIAGAIN;
    case -4: return AIFAIL;
    case -5: return AINODATA;
    case -6: return AIFAMILY;
    case -7: return AISOCKTYPE;
    case -8: return AISERVICE;
    case -9: return AIADDRFAMILY;
    case -10: return AIMEMORY;
    case -11: return AISYSTEM;
  }
  return AIFAIL;
}

/** The platform's getaddrinfo code for "no such name" (EAI_NONAME: glibc -2, macOS 8). */
export function eaiNoName(platform: i32): i32 { return pick(platform, -2, 8); }

/**
 * WasmEdge's checks of sock_getaddrinfo's hints, in its order, with its answers: 0 when
 * they pass. An unknown flag, or CANONNAME without a node: AIBADFLAG. A family other
 * than UNSPEC, INET4, INET6: AIFAMILY. A socket type or protocol above 2: NOSYS.
 * max_len 0: AIMEMORY. Neither node nor service: AINONAME.
 */
export function checkHints(flags: i32, family: i32, socktype: i32, protocol: u32, maxLen: u32, hasNode: bool, hasService: bool): i32 {
  if ((flags & ~AI_KNOWN) != 0) return AIBADFLAG;
  if ((flags & AI_CANONNAME) != 0 && !hasNode) return AIBADFLAG;
  if (family != 0 && family != G_INET4 && family != G_INET6) return AIFAMILY;
  if (protocol > 2 || socktype > G_STREAM || socktype < 0) return Errno.NOSYS;
  if (maxLen < 1) return AIMEMORY;
  if (!hasNode && !hasService) return AINONAME;
  return 0;
}
