// The guest ABIs' own numbering (WasmEdge's socket extension, WASI preview1) and its
// translation to a platform's: address families, socket types, protocols, shutdown
// directions, getaddrinfo flags and failure codes. The host asks here instead of
// keeping numbers of its own. Every function answers -1 (or a fixed fallback, said
// below) for a number it does not know; none traps.

import { Platform } from "./catalogue";
import { Errno } from "./errno";

// ── WasmEdge's numbering ──────────────────────────────────────────────────────
// Address family: UNSPEC 0, INET4 1, INET6 2. Socket type: ANY 0, DGRAM 1, STREAM 2.
// Protocol (addrinfo hints): IP 0, TCP 1, UDP 2. Shutdown: RD 1, WR 2, both 3.
@inline const G_INET4: i32 = 1;
@inline const G_INET6: i32 = 2;
@inline const G_ANY: i32 = 0;
@inline const G_DGRAM: i32 = 1;
@inline const G_STREAM: i32 = 2;

// Platform numbers (Linux, macOS) for what the translations produce.
@inline function pick(platform: i32, linux: i32, mac: i32): i32 { return platform == Platform.MACOS ? mac : linux; }
@inline const AF_INET: i32 = 2;
@inline function afInet6(p: i32): i32 { return pick(p, 10, 30); }
@inline const SOCK_STREAM: i32 = 1;
@inline const SOCK_DGRAM: i32 = 2;

/** A guest address family (INET4 1, INET6 2) as the platform's AF_*; -1 for any other. */
export function familyToHost(af: i32, platform: i32): i32 {
  return af == G_INET4 ? AF_INET : af == G_INET6 ? afInet6(platform) : -1;
}

/** A platform AF_* as the guest's family (INET4 1, INET6 2); -1 for any other. */
export function familyToGuest(af: i32, platform: i32): i32 {
  return af == AF_INET ? G_INET4 : af == afInet6(platform) ? G_INET6 : -1;
}

/**
 * A guest socket type as the platform's SOCK_*: STREAM 2 (and ANY 0, which sock_open
 * takes as stream), DGRAM 1; -1 for any other.
 */
export function socktypeToHost(t: i32, platform: i32): i32 {
  return t == G_STREAM || t == G_ANY ? SOCK_STREAM : t == G_DGRAM ? SOCK_DGRAM : -1;
}

/** A platform SOCK_* as the guest's (STREAM 2, DGRAM 1), ANY 0 for any other (SO_TYPE's value). */
export function socktypeToGuest(t: i32, platform: i32): i32 {
  return t == SOCK_STREAM ? G_STREAM : t == SOCK_DGRAM ? G_DGRAM : G_ANY;
}

/** A guest protocol (IP 0, TCP 1, UDP 2) as the platform's IPPROTO_*; -1 for any other. */
export function protocolToHost(p: i32, platform: i32): i32 {
  return p == 0 ? 0 : p == 1 ? 6 : p == 2 ? 17 : -1;
}

/** A platform IPPROTO_* as the guest's (TCP 1, UDP 2), IP 0 for any other. */
export function protocolToGuest(p: i32, platform: i32): i32 {
  return p == 6 ? 1 : p == 17 ? 2 : 0;
}

/** A guest shutdown direction (RD 1, WR 2, both 3) as the platform's SHUT_*; -1 for any other. */
export function shutdownToHost(how: i32, platform: i32): i32 {
  return how == 1 ? 0 : how == 2 ? 1 : how == 3 ? 2 : -1;
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
