// The option policy: which catalogue options a guest may read and set by default
// (the refusal lists), the byte caps on SO_RCVBUF / SO_SNDBUF, and the host's
// sockopts overrides compiled into the sets Policy checks on the guest's hot path.
// The refusal lists only name catalogue rows (DESIGN.md: "no second table of options
// anywhere in TypeScript"); compileSockopts checks every name against the catalogue.

import { readFileSync } from 'node:fs';
import { core } from '../core.js';
import { PolicyError } from '../errors.js';
import { checkKeys, isObjectNotArray, quote, show, stringList } from '../validators.js';

/** Changes to the default option policy. Names are catalogue option names (`SO_RCVBUF`, `IP_TOS`, …). */
export interface SockoptOverrides {
  /** Lift default set refusals. */
  allowSet?: string[];
  /** Add set refusals (wins over allowSet). */
  denySet?: string[];
  /** Lift default get refusals. */
  allowGet?: string[];
  /** Add get refusals (wins over allowGet). */
  denyGet?: string[];
  /** Byte caps for SO_RCVBUF / SO_SNDBUF set values; above the cap the set is refused. */
  caps?: { SO_RCVBUF?: number; SO_SNDBUF?: number };
}

/** Default cap, in bytes, on SO_RCVBUF and SO_SNDBUF set values. */
export const DEFAULT_BUFFER_CAP = 4 * 1024 * 1024;

/**
 * Option names whose setting is refused by default: they pick the host's interfaces,
 * marks, priorities or routing, need privileges, or load code into the kernel.
 */
export const DEFAULT_REFUSED_SET: readonly string[] = Object.freeze([
  'SO_BINDTODEVICE', 'SO_BINDTOIFINDEX', 'SO_MARK', 'SO_PRIORITY', 'SO_DEBUG',
  // Raising the busy-poll time needs CAP_NET_ADMIN: a host running as root would lend it.
  'SO_BUSY_POLL',
  // Joins a group of sockets on one port: the kernel spreads a host service's
  // connections over every member of the same uid, the guest's included.
  'SO_REUSEPORT',
  'IP_TRANSPARENT', 'IP_HDRINCL',
  'SO_ATTACH_FILTER', 'SO_DETACH_FILTER', 'SO_ATTACH_BPF', 'SO_LOCK_FILTER',
  // Source routing and next hops send packets via addresses no grant names: Linux
  // takes an IPv4 loose source route's first hop as the next hop (tcp_v4_connect),
  // and an IPv6 routing header (segment routing needs no privilege) as the destination.
  'IP_OPTIONS', 'IPV6_RTHDR', 'IPV6_RTHDRDSTOPTS', 'IPV6_HOPOPTS', 'IPV6_DSTOPTS', 'IPV6_NEXTHOP',
  // A sticky source address and interface.
  'IPV6_PKTINFO',
  // Joining a group sends IGMP/MLD reports out of the host, granted or not.
  'IP_ADD_MEMBERSHIP', 'IP_DROP_MEMBERSHIP', 'IPV6_JOIN_GROUP', 'IPV6_LEAVE_GROUP',
]);

/**
 * Option names whose setting is refused by default on datagram sockets only: with
 * SO_REUSEADDR on both, a UDP socket binds a port a host socket holds and takes its
 * datagrams. (On TCP it only allows rebinding over TIME_WAIT; it is allowed there.)
 * `sockopts.allowSet: ['SO_REUSEADDR']` lifts it.
 */
export const DEFAULT_REFUSED_SET_DGRAM: readonly string[] = Object.freeze(['SO_REUSEADDR']);

/** Where Linux lists the congestion controls an unprivileged process may choose. */
const ALLOWED_CONGESTION = '/proc/sys/net/ipv4/tcp_allowed_congestion_control';

/** Option names whose reading is refused by default (they reveal the host: peer pid/uid/gid, security label). */
export const DEFAULT_REFUSED_GET: readonly string[] = Object.freeze(['SO_PEERCRED', 'SO_PEERSEC']);

/** The sockopts overrides compiled: what Policy's canGet/canSet/whyNot* read. */
export interface SockoptRules {
  /** Names the host refused to set (sockopts.denySet). */
  deniedSet: ReadonlySet<string>;
  /** Names the host refused to read (sockopts.denyGet). */
  deniedGet: ReadonlySet<string>;
  /** May a datagram socket set SO_REUSEADDR? */
  reuseAddrDgram: boolean;
  gettable: ReadonlySet<string>;
  settable: ReadonlySet<string>;
  /** Refused names, in catalogue order. */
  refusedGet: readonly string[];
  refusedSet: readonly string[];
  capRcvbuf: number;
  capSndbuf: number;
}

/**
 * Validates and compiles PolicyOptions.sockopts (undefined: the defaults).
 * @throws PolicyError on an unknown key or option name, or a bad cap.
 */
export function compileSockopts(sockopts: unknown): SockoptRules {
  const so: unknown = sockopts === undefined ? {} : sockopts;
  if (!isObjectNotArray(so)) throw new PolicyError(`sockopts must be an object, got ${show(so)}`);
  checkKeys('sockopts', so, ['allowSet', 'denySet', 'allowGet', 'denyGet', 'caps']);
  const catalogue = core();
  const names = (where: string, value: unknown): ReadonlySet<string> => {
    const list = stringList(where, value);
    for (const name of list) {
      if (!catalogue.byName.has(name)) throw new PolicyError(`unknown socket option ${quote(name)} in ${where}`);
    }
    return new Set(list);
  };
  const refused = (defaults: readonly string[], allow: ReadonlySet<string>, deny: ReadonlySet<string>): Set<string> => {
    const out = new Set<string>(deny);
    for (const name of defaults) if (!allow.has(name)) out.add(name);
    // A refusal covers every name for the same option: the guest ABI finds a Linux number's
    // first (non-alias) row, so denying IP_RETOPTS must also deny IP_RECVRETOPTS.
    for (const info of catalogue.options) {
      if (!info.alias) continue;
      for (const other of catalogue.options) {
        if (other === info || other.level !== info.level) continue;
        const same = (info.linux >= 0 && other.linux === info.linux) || (info.macos >= 0 && other.macos === info.macos);
        if (same && (out.has(info.name) || out.has(other.name))) { out.add(info.name); out.add(other.name); }
      }
    }
    return out;
  };
  const allowSet = names('sockopts.allowSet', so.allowSet);
  const denySet = names('sockopts.denySet', so.denySet);
  const refusedSet = refused(DEFAULT_REFUSED_SET, allowSet, denySet);
  const reuseAddrDgram = allowSet.has('SO_REUSEADDR') && !denySet.has('SO_REUSEADDR');
  const deniedGet = names('sockopts.denyGet', so.denyGet);
  const refusedGet = refused(DEFAULT_REFUSED_GET, names('sockopts.allowGet', so.allowGet), deniedGet);
  const all = catalogue.options.map((o) => o.name);
  const settable = new Set(all.filter((n) => !refusedSet.has(n)));
  const gettable = new Set(all.filter((n) => !refusedGet.has(n)));
  const refusedSetList = all.filter((n) => refusedSet.has(n));
  const refusedGetList = all.filter((n) => refusedGet.has(n));

  const caps: unknown = so.caps === undefined ? {} : so.caps;
  if (!isObjectNotArray(caps)) throw new PolicyError(`sockopts.caps must be an object, got ${show(caps)}`);
  checkKeys('sockopts.caps', caps, ['SO_RCVBUF', 'SO_SNDBUF']);
  const cap = (key: 'SO_RCVBUF' | 'SO_SNDBUF'): number => {
    const v = caps[key];
    if (v === undefined) return DEFAULT_BUFFER_CAP;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
      throw new PolicyError(`sockopts.caps.${key} must be a non-negative integer (bytes), got ${show(v)}`);
    }
    return v;
  };
  const capRcvbuf = cap('SO_RCVBUF');
  const capSndbuf = cap('SO_SNDBUF');

  return {
    deniedSet: denySet, deniedGet, reuseAddrDgram, settable, gettable,
    refusedSet: refusedSetList, refusedGet: refusedGetList, capRcvbuf, capSndbuf,
  };
}

/**
 * Is `name` among the TCP congestion controls Linux lets an unprivileged process
 * choose (tcp_allowed_congestion_control, read at each call)? False when unreadable.
 */
export function congestionAllowed(name: string): boolean {
  let allowed: string;
  try {
    allowed = readFileSync(ALLOWED_CONGESTION, 'latin1');
  } catch {
    return false;
  }
  return allowed.split(/\s+/).includes(name);
}
