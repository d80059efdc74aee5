// core.wasm's exports: the option catalogue and the value codecs.
//
// Strings are returned as pointers to AssemblyScript strings (UTF-16LE, byte length
// in the u32 just before the pointer); the host decodes them once at load time.
// Ids are rows of the catalogue, 0 .. count()-1. Nothing here traps on bad input:
// an out-of-range id gives -1 (numbers) or 0 (string pointers).

import {
  names, levels, linuxNums, macNums, kinds, flags, descriptions, hints, wasmedgeNums,
  levelNames, levelLinux, levelMac, symNames, symLinux, symMac, Level, Kind, Platform, Flag, ABSENT,
} from "./catalogue";
import { Errno } from "./errno";
import { BYTES, FIELDS, TCP_INFO_NAMES } from "./codecs";
export { decode, encode, convert, kindSize, minSetLength } from "./codecs";
export {
  familyToHost, familyToGuest, socktypeToHost, socktypeToGuest, protocolToHost, protocolToGuest, shutdownToHost,
  aiFlagsToHost, aiNumericHost, eaiToGuest, eaiNoName, checkHints,
  GUEST_AF_INET4, GUEST_AF_INET6, GUEST_SOCK_ANY, GUEST_SOCK_DGRAM, GUEST_SOCK_STREAM, GUEST_SOL_SOCKET,
} from "./guestabi";

/** Guest-ABI numbers from here up name options Linux lacks: 0x10000 + the macOS number. */
@inline const GUEST_BSD_BASE: i32 = 0x10000;

@inline function valid(id: i32): bool { return id >= 0 && id < names.length; }

/** Number of options in the catalogue. */
export function count(): i32 { return names.length; }
/** Option name (string pointer). */
export function name(id: i32): usize { return valid(id) ? changetype<usize>(unchecked(names[id])) : 0; }
/** One-line description (string pointer). */
export function description(id: i32): usize { return valid(id) ? changetype<usize>(unchecked(descriptions[id])) : 0; }
/** Where the option exists when it is absent somewhere (string pointer, may be empty). */
export function hint(id: i32): usize { return valid(id) ? changetype<usize>(unchecked(hints[id])) : 0; }
/** Catalogue level (Level.*). */
export function level(id: i32): i32 { return valid(id) ? <i32>unchecked(levels[id]) : -1; }
/** Value kind (Kind.*). */
export function kind(id: i32): i32 { return valid(id) ? <i32>unchecked(kinds[id]) : -1; }
/** Flags (Flag.*). */
export function optFlags(id: i32): i32 { return valid(id) ? <i32>unchecked(flags[id]) : -1; }
/** The option's number on a platform, or -1 when absent there. */
export function number(id: i32, platform: i32): i32 {
  if (!valid(id)) return ABSENT;
  return platform == Platform.MACOS ? unchecked(macNums[id]) : unchecked(linuxNums[id]);
}
/** WasmEdge's number for the option, or -1. */
export function wasmedgeNumber(id: i32): i32 { return valid(id) ? unchecked(wasmedgeNums[id]) : ABSENT; }

/** Number of levels. */
export function levelCount(): i32 { return levelNames.length; }
/** Level name (string pointer). */
export function levelName(l: i32): usize { return l >= 0 && l < levelNames.length ? changetype<usize>(unchecked(levelNames[l])) : 0; }
/** The level's number on a platform. */
export function levelNumber(l: i32, platform: i32): i32 {
  if (l < 0 || l >= levelNames.length) return ABSENT;
  return platform == Platform.MACOS ? unchecked(levelMac[l]) : unchecked(levelLinux[l]);
}

// Dense index for the guest ABI's Linux numbering: (level, optname < 128) -> id + 1.
const LINUX_INDEX = new StaticArray<u16>(levelNames.length * 128);
for (let id = names.length - 1; id >= 0; id--) {
  const num = unchecked(linuxNums[id]);
  if (num >= 0 && num < 128 && (unchecked(flags[id]) & Flag.ALIAS) == 0) {
    LINUX_INDEX[<i32>unchecked(levels[id]) * 128 + num] = <u16>(id + 1);
  }
}

/**
 * Finds the option with Linux's (level, optname) numbers, as the sockbox guest ABI
 * passes them: the catalogue id, or -1. Constant time for optname < 128.
 */
export function findLinux(levelNum: i32, optNum: i32): i32 {
  let l = -1;
  for (let i = 0; i < levelLinux.length; i++) if (unchecked(levelLinux[i]) == levelNum) { l = i; break; }
  if (l < 0 || optNum < 0) return -1;
  if (optNum < 128) return <i32>unchecked(LINUX_INDEX[l * 128 + optNum]) - 1;
  if (optNum >= GUEST_BSD_BASE) {
    // An option Linux lacks, named by the guest ABI as GUEST_BSD_BASE + its macOS number.
    const mac = optNum - GUEST_BSD_BASE;
    for (let id = 0; id < names.length; id++) {
      if (<i32>unchecked(levels[id]) == l && unchecked(linuxNums[id]) == ABSENT && unchecked(macNums[id]) == mac) return id;
    }
    return -1;
  }
  return find(0, levelNum, optNum);
}

/**
 * The option's number in the sockbox guest ABI: Linux's, or, for an option Linux
 * lacks, GUEST_BSD_BASE + its macOS number (IP_RECVDSTADDR = 0x10007). -1 if neither.
 */
export function guestNumber(id: i32): i32 {
  if (!valid(id)) return ABSENT;
  const linux = unchecked(linuxNums[id]);
  if (linux != ABSENT) return linux;
  const mac = unchecked(macNums[id]);
  return mac == ABSENT ? ABSENT : GUEST_BSD_BASE + mac;
}

/**
 * Finds the option with a platform's (level, optname) numbers: the catalogue id, or -1.
 * Aliases (a second name for the same number) are never the answer.
 */
export function find(platform: i32, levelNum: i32, optNum: i32): i32 {
  let l = -1;
  for (let i = 0; i < levelNames.length; i++) {
    if ((platform == Platform.MACOS ? unchecked(levelMac[i]) : unchecked(levelLinux[i])) == levelNum) { l = i; break; }
  }
  if (l < 0 || optNum < 0) return -1;
  const nums = platform == Platform.MACOS ? macNums : linuxNums;
  for (let id = 0; id < names.length; id++) {
    if (<i32>unchecked(levels[id]) == l && unchecked(nums[id]) == optNum && (unchecked(flags[id]) & Flag.ALIAS) == 0) return id;
  }
  return -1;
}

/** Finds the option with WasmEdge's SOL_SOCKET option number: the catalogue id, or -1. */
export function findWasmedge(optNum: i32): i32 {
  if (optNum < 0) return -1;
  for (let id = 0; id < names.length; id++) if (unchecked(wasmedgeNums[id]) == optNum) return id;
  return -1;
}

/** Number of non-option constants (families, types, levels' aliases, flags). */
export function symCount(): i32 { return symNames.length; }
/** Constant name (string pointer). */
export function symName(i: i32): usize { return i >= 0 && i < symNames.length ? changetype<usize>(unchecked(symNames[i])) : 0; }
/** Constant value on a platform, or -1 when absent there. */
export function symNumber(i: i32, platform: i32): i32 {
  if (i < 0 || i >= symNames.length) return ABSENT;
  return platform == Platform.MACOS ? unchecked(symMac[i]) : unchecked(symLinux[i]);
}

/** Address of the byte scratch area (1024 bytes). */
export function bytesPtr(): usize { return changetype<usize>(BYTES); }
/** Address of the field area (64 x i64). */
export function fieldsPtr(): usize { return changetype<usize>(FIELDS); }
/** Number of decoded tcp_info fields. */
export function tcpInfoCount(): i32 { return TCP_INFO_NAMES.length; }
/** Name of tcp_info field i (string pointer). */
export function tcpInfoName(i: i32): usize { return i >= 0 && i < TCP_INFO_NAMES.length ? changetype<usize>(unchecked(TCP_INFO_NAMES[i])) : 0; }

// ── The catalogue's numbering, for the host ───────────────────────────────────
// Levels, value kinds, option flags and platforms as exported globals (PREFIX_NAME):
// host/core.ts builds LEVEL, KIND, FLAG and PLATFORM from these instead of copying
// the numbers, and checks that it knows every one of them.

export const LEVEL_SOCKET: i32 = Level.SOCKET;
export const LEVEL_IP: i32 = Level.IP;
export const LEVEL_IPV6: i32 = Level.IPV6;
export const LEVEL_TCP: i32 = Level.TCP;
export const LEVEL_UDP: i32 = Level.UDP;

export const KIND_INT: i32 = Kind.INT;
export const KIND_BOOL: i32 = Kind.BOOL;
export const KIND_LINGER: i32 = Kind.LINGER;
export const KIND_TIMEVAL: i32 = Kind.TIMEVAL;
export const KIND_IN_ADDR: i32 = Kind.IN_ADDR;
export const KIND_IP_MREQ: i32 = Kind.IP_MREQ;
export const KIND_IP_MREQN: i32 = Kind.IP_MREQN;
export const KIND_IPV6_MREQ: i32 = Kind.IPV6_MREQ;
export const KIND_IFNAME: i32 = Kind.IFNAME;
export const KIND_STRING: i32 = Kind.STRING;
export const KIND_TCP_INFO: i32 = Kind.TCP_INFO;
export const KIND_UCRED: i32 = Kind.UCRED;
export const KIND_OPAQUE: i32 = Kind.OPAQUE;

export const FLAG_READ: i32 = Flag.READ;
export const FLAG_WRITE: i32 = Flag.WRITE;
export const FLAG_BYTE: i32 = Flag.BYTE;
export const FLAG_ALIAS: i32 = Flag.ALIAS;

export const PLATFORM_LINUX: i32 = Platform.LINUX;
export const PLATFORM_MACOS: i32 = Platform.MACOS;

/** The errno the host's own length checks answer with (negated), as the codecs do. */
export const ERRNO_INVAL: i32 = Errno.INVAL;

/** A value kind's name for tables and messages ('int', '0,1', 'linger', ...), or 0. */
export function kindName(kind: i32): usize {
  switch (kind) {
    case Kind.INT: return changetype<usize>("int");
    case Kind.BOOL: return changetype<usize>("0,1");
    case Kind.LINGER: return changetype<usize>("linger");
    case Kind.TIMEVAL: return changetype<usize>("timeval");
    case Kind.IN_ADDR: return changetype<usize>("in_addr");
    case Kind.IP_MREQ: return changetype<usize>("ip_mreq");
    case Kind.IP_MREQN: return changetype<usize>("ip_mreqn");
    case Kind.IPV6_MREQ: return changetype<usize>("ipv6_mreq");
    case Kind.IFNAME: return changetype<usize>("ifname");
    case Kind.STRING: return changetype<usize>("string");
    case Kind.TCP_INFO: return changetype<usize>("tcp_info");
    case Kind.UCRED: return changetype<usize>("ucred");
    case Kind.OPAQUE: return changetype<usize>("bytes");
  }
  return 0;
}
