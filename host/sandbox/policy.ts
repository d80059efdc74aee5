// Sandbox policy: what a wasm guest may do, decided before any syscall.
//
// Pure logic: no syscalls, no koffi. The option names come from the one catalogue
// in core.wasm (DESIGN.md: "no second table of options anywhere in TypeScript"); the
// refusal lists below only name catalogue rows, and the constructor checks them.
//
// canConnect/canBind/canGet/canSet sit on the guest's hot paths: everything is
// compiled in the constructor, and the checks allocate nothing.

import { readFileSync } from 'node:fs';
import { core } from '../core.js';
import { parseIPv4, parseIPv6 } from '../native/sockaddr.js';

/** Network grants. Each grant is `ADDR[/PREFIX]:PORTS`, e.g. `127.0.0.1:8080`, `10.0.0.0/8:1000-2000`, `[::1]:*`, `[fd00::]/8:80`. */
export interface NetGrants {
  /** Grants for connect and sendto destinations: 'ADDR[/PREFIX]:PORTS'. */
  connect?: string[];
  /** Grants for bind: same grammar. Port 0 in a grant means "an ephemeral port" (bind to port 0). */
  bind?: string[];
  /**
   * Which names the guest may resolve (sock_getaddrinfo): true for any, or patterns:
   * 'localhost', 'api.example.com', '*.example.com' (any name below example.com), '*'.
   * Default: none. A numeric address needs no grant (no resolver is asked). A name
   * outside the grant is answered "no such name" without a query.
   */
  lookup?: boolean | string[];
}

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

/** Everything a host may say about a guest's sandbox. Omitted parts take the defaults. */
export interface PolicyOptions {
  net?: NetGrants;
  sockopts?: SockoptOverrides;
  /** Most sockets the guest may hold open at once (≥ 1; default DEFAULT_MAX_SOCKETS). */
  maxSockets?: number;
}

import { PolicyError } from '../errors.js';

export { PolicyError };

/** One parsed grant. */
export interface Grant {
  family: 4 | 6;
  /** The network address, host bits beyond `prefix` cleared: 4 or 16 bytes, network order. */
  network: Uint8Array;
  /** Prefix length in bits: 0..32 (IPv4) or 0..128 (IPv6). */
  prefix: number;
  /** Lowest allowed port (inclusive). */
  portMin: number;
  /** Highest allowed port (inclusive). */
  portMax: number;
  /** The grant as the host wrote it. */
  text: string;
}

/** Default for PolicyOptions.maxSockets. */
export const DEFAULT_MAX_SOCKETS = 64;
/** The largest maxSockets a policy takes (far above any fd limit; it sizes a registry). */
export const MAX_MAX_SOCKETS = 65536;
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

const GRAMMAR = 'expected ADDR[/PREFIX]:PORTS';
const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** The text inside single quotes, on one line (control characters escaped). */
function quote(text: string): string {
  return `'${JSON.stringify(text).slice(1, -1)}'`;
}

/** A value of unknown type, shown in a one-line message. */
function show(value: unknown): string {
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'bigint') return `${value}n`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** A lookup grant compiled: exact names and name suffixes ('.example.com'), lower case. */
interface LookupRules { any: boolean; names: Set<string>; suffixes: string[]; patterns: string[] }

const LABEL = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?$/;

/** A host name as matched: lower case, without a trailing dot. */
export function normalizeName(name: string): string {
  const n = name.toLowerCase();
  return n.endsWith('.') ? n.slice(0, -1) : n;
}

/** Compiles net.lookup: true, false/undefined, or a list of name patterns. */
function compileLookup(value: unknown): LookupRules {
  if (value === undefined || value === false) return { any: false, names: new Set(), suffixes: [], patterns: [] };
  if (value === true) return { any: true, names: new Set(), suffixes: [], patterns: ['*'] };
  if (!Array.isArray(value)) throw new PolicyError(`net.lookup must be true, false or an array of name patterns, got ${show(value)}`);
  const rules: LookupRules = { any: false, names: new Set(), suffixes: [], patterns: [] };
  for (const item of value) {
    if (typeof item !== 'string') throw new PolicyError(`net.lookup must be an array of name patterns, got item ${show(item)}`);
    rules.patterns.push(item);
    if (item === '*') { rules.any = true; continue; }
    const wild = item.startsWith('*.');
    const name = normalizeName(wild ? item.slice(2) : item);
    const labels = name.split('.');
    if (name === '' || name.length > 253 || labels.some((l) => l.length > 63 || !LABEL.test(l))) {
      throw new PolicyError(`bad lookup pattern ${quote(item)}: expected a host name ('api.example.com'), '*.example.com' or '*'`);
    }
    if (wild) rules.suffixes.push(`.${name}`);
    else rules.names.add(name);
  }
  return rules;
}

/** Parses a decimal 0..max with no sign, spaces or leading zeros; -1 when bad. */
function decimal(text: string, max: number): number {
  if (!DECIMAL.test(text) || text.length > 6) return -1;
  const n = Number(text);
  return n <= max ? n : -1;
}

/**
 * Parses one grant, `ADDR[/PREFIX]:PORTS`.
 *
 * ADDR is dotted IPv4 (`10.0.0.1`) or bracketed IPv6 (`[::1]`); an IPv6 prefix goes after
 * the bracket (`[fd00::]/8:80`). PORTS is `N`, `N-M` (inclusive) or `*` (0-65535). A missing
 * prefix means the full length; host bits beyond the prefix are masked off. No names: a
 * grant never causes a DNS lookup.
 *
 * @throws PolicyError naming the bad text.
 */
export function parseGrant(text: string): Grant {
  if (typeof text !== 'string') throw new PolicyError(`bad grant ${show(text)}: expected a string, ADDR[/PREFIX]:PORTS`);
  const fail = (why: string) => new PolicyError(`bad grant ${quote(text)}: ${why}`);
  if (text === '') throw fail(`empty; ${GRAMMAR}`);
  if (/\s/.test(text)) throw fail('whitespace is not allowed');

  // Split into address text, prefix text (or undefined) and ports text.
  let family: 4 | 6;
  let addrText: string;
  let rest: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) throw fail(`'[' without ']'; ${GRAMMAR}`);
    family = 6;
    addrText = text.slice(1, close);
    rest = text.slice(close + 1);
    if (addrText.includes('[') || rest.includes('[') || rest.includes(']')) throw fail(`bad brackets; ${GRAMMAR}`);
  } else {
    if (text.includes('[') || text.includes(']')) throw fail(`bad brackets; ${GRAMMAR}`);
    const colon = text.indexOf(':');
    if (colon < 0) throw fail(GRAMMAR);
    if (text.indexOf(':', colon + 1) >= 0 && !parseIPv4(text.slice(0, colon).split('/')[0])) {
      throw fail(`IPv6 addresses go in brackets, e.g. '[::1]:80' or '[fd00::]/8:*'`);
    }
    family = 4;
    addrText = text.slice(0, colon);
    rest = text.slice(colon);
    const slash = addrText.indexOf('/');
    if (slash >= 0) {
      rest = addrText.slice(slash) + rest;
      addrText = addrText.slice(0, slash);
    }
  }
  // rest is now "[/PREFIX]:PORTS".
  let prefixText: string | undefined;
  if (rest.startsWith('/')) {
    const colon = rest.indexOf(':');
    if (colon < 0) throw fail(GRAMMAR);
    prefixText = rest.slice(1, colon);
    rest = rest.slice(colon);
  }
  if (!rest.startsWith(':')) throw fail(GRAMMAR);
  const portsText = rest.slice(1);

  // Address.
  const maxPrefix = family === 4 ? 32 : 128;
  let network: Uint8Array | null;
  if (family === 4) {
    network = parseIPv4(addrText);
    if (!network) {
      throw fail(/^[0-9.]*$/.test(addrText)
        ? `bad IPv4 address ${quote(addrText)}`
        : `${quote(addrText)} is not an IP address (names are not resolved; IPv6 goes in brackets)`);
    }
  } else {
    network = parseIPv6(addrText);
    if (!network) throw fail(`bad IPv6 address ${quote(addrText)}`);
  }

  // Prefix.
  let prefix = maxPrefix;
  if (prefixText !== undefined) {
    prefix = decimal(prefixText, maxPrefix);
    if (prefix < 0) throw fail(`bad prefix ${quote(prefixText)}: expected 0..${maxPrefix}`);
  }
  for (let i = 0; i < network.length; i++) {
    const bits = prefix - 8 * i;
    if (bits <= 0) network[i] = 0;
    else if (bits < 8) network[i] &= (0xff << (8 - bits)) & 0xff;
  }
  if (family === 6 && prefix >= 96 && isMappedPrefix(network)) {
    // Such a grant could never match: IPv4-mapped addresses are matched as IPv4.
    throw fail('IPv4-mapped IPv6 addresses are matched as IPv4: write the grant as IPv4 (a.b.c.d[/PREFIX]:PORTS)');
  }

  // Ports.
  let portMin: number;
  let portMax: number;
  if (portsText === '*') {
    portMin = 0;
    portMax = 65535;
  } else {
    if (portsText === '') throw fail(`missing PORTS; ${GRAMMAR}`);
    const dash = portsText.indexOf('-');
    const lo = dash < 0 ? portsText : portsText.slice(0, dash);
    const hi = dash < 0 ? portsText : portsText.slice(dash + 1);
    portMin = decimal(lo, 65535);
    portMax = decimal(hi, 65535);
    if (portMin < 0 || portMax < 0) throw fail(`bad ports ${quote(portsText)}: expected N, N-M (0..65535) or *`);
    if (portMin > portMax) throw fail(`bad ports ${quote(portsText)}: ${portMin} > ${portMax}`);
  }

  return { family, network, prefix, portMin, portMax, text };
}

/** Are the first 96 bits ::ffff:0:0/96 (IPv4-mapped)? */
function isMappedPrefix(b: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

// A grant compiled for matching: address words masked, unsigned 32-bit.
interface Rule4 { net: number; mask: number; portMin: number; portMax: number; unspecified: boolean }
interface Rule6 {
  n0: number; n1: number; n2: number; n3: number;
  m0: number; m1: number; m2: number; m3: number;
  portMin: number; portMax: number; unspecified: boolean;
}
interface Rules { v4: Rule4[]; v6: Rule6[] }

/** The mask of 32-bit word `index` (0..3) under a prefix. */
function wordMask(prefix: number, index: number): number {
  const bits = prefix - 32 * index;
  if (bits <= 0) return 0;
  if (bits >= 32) return 0xffffffff;
  return (0xffffffff << (32 - bits)) >>> 0;
}

/** Big-endian u32 at b[at]. */
function word(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

function compile(grants: readonly Grant[]): Rules {
  const rules: Rules = { v4: [], v6: [] };
  for (const g of grants) {
    if (g.family === 4) {
      const net = word(g.network, 0);
      rules.v4.push({ net, mask: wordMask(g.prefix, 0), portMin: g.portMin, portMax: g.portMax, unspecified: net === 0 });
    } else {
      const n0 = word(g.network, 0), n1 = word(g.network, 4), n2 = word(g.network, 8), n3 = word(g.network, 12);
      rules.v6.push({
        n0, n1, n2, n3,
        m0: wordMask(g.prefix, 0), m1: wordMask(g.prefix, 1), m2: wordMask(g.prefix, 2), m3: wordMask(g.prefix, 3),
        portMin: g.portMin, portMax: g.portMax, unspecified: (n0 | n1 | n2 | n3) === 0,
      });
    }
  }
  return rules;
}

/** Does an address (4 or 16 bytes) and port match any rule? Allocates nothing. */
function matches(rules: Rules, addr: Uint8Array, port: number, anyPort = false): boolean {
  if (!(addr instanceof Uint8Array)) return false;
  if (!anyPort && (typeof port !== 'number' || (port >>> 0) !== port || port > 65535)) return false;
  let a: number;
  if (addr.length === 4) {
    a = word(addr, 0);
  } else if (addr.length === 16) {
    const w0 = word(addr, 0), w1 = word(addr, 4), w2 = word(addr, 8), w3 = word(addr, 12);
    if (w0 === 0 && w1 === 0 && w2 === 0xffff) {
      a = w3; // ::ffff:a.b.c.d is matched as a.b.c.d, against IPv4 grants only.
    } else {
      const unspecified = (w0 | w1 | w2 | w3) === 0;
      const v6 = rules.v6;
      for (let i = 0; i < v6.length; i++) {
        const r = v6[i];
        if (!anyPort && (port < r.portMin || port > r.portMax)) continue;
        if (unspecified ? !r.unspecified
          : (((w0 & r.m0) >>> 0) !== r.n0 || ((w1 & r.m1) >>> 0) !== r.n1
            || ((w2 & r.m2) >>> 0) !== r.n2 || ((w3 & r.m3) >>> 0) !== r.n3)) continue;
        return true;
      }
      return false;
    }
  } else {
    return false;
  }
  const unspecified = a === 0;
  const v4 = rules.v4;
  for (let i = 0; i < v4.length; i++) {
    const r = v4[i];
    if (!anyPort && (port < r.portMin || port > r.portMax)) continue;
    if (unspecified ? !r.unspecified : ((a & r.mask) >>> 0) !== r.net) continue;
    return true;
  }
  return false;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkKeys(where: string, obj: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw new PolicyError(`unknown ${where} key ${quote(key)}: expected one of ${allowed.join(', ')}`);
  }
}

function stringList(where: string, value: unknown): readonly string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new PolicyError(`${where} must be an array of strings, got ${show(value)}`);
  for (const item of value) {
    if (typeof item !== 'string') throw new PolicyError(`${where} must be an array of strings, got item ${show(item)}`);
  }
  return value as string[];
}

/**
 * A guest's sandbox policy, validated and compiled once.
 *
 * Default: no network at all (no connect, no bind, no lookup); every catalogue option may
 * be read and set except DEFAULT_REFUSED_GET / DEFAULT_REFUSED_SET; SO_RCVBUF and
 * SO_SNDBUF sets are capped at DEFAULT_BUFFER_CAP; at most DEFAULT_MAX_SOCKETS sockets.
 * A refusal reaches the guest as ERRNO_NOTCAPABLE, before any syscall.
 */
export class Policy {
  /** Most sockets the guest may hold open at once. */
  readonly maxSockets: number;
  /** May the guest resolve some names (sock_getaddrinfo)? See canLookup. */
  readonly lookup: boolean;
  private readonly lookupRules: LookupRules;
  /** May a datagram socket set SO_REUSEADDR? */
  private readonly reuseAddrDgram: boolean;
  private readonly deniedSet: ReadonlySet<string>;
  private readonly deniedGet: ReadonlySet<string>;
  private readonly connectGrants: readonly Grant[];
  private readonly bindGrants: readonly Grant[];
  private readonly connectRules: Rules;
  private readonly bindRules: Rules;
  private readonly gettable: ReadonlySet<string>;
  private readonly settable: ReadonlySet<string>;
  private readonly refusedGet: readonly string[];
  private readonly refusedSet: readonly string[];
  private readonly capRcvbuf: number;
  private readonly capSndbuf: number;

  /**
   * Validates and compiles `options`.
   * @throws PolicyError on a bad grant, an unknown option name, a bad cap or maxSockets.
   */
  constructor(options: PolicyOptions = {}) {
    // Only undefined means "the default"; null and every other wrong type is a PolicyError.
    if (!isPlainObject(options)) throw new PolicyError(`policy options must be an object, got ${show(options)}`);

    // Network.
    const net: unknown = options.net === undefined ? {} : options.net;
    if (!isPlainObject(net)) throw new PolicyError(`net must be an object, got ${show(net)}`);
    checkKeys('net', net, ['connect', 'bind', 'lookup']);
    this.connectGrants = stringList('net.connect', net.connect).map(parseGrant);
    this.bindGrants = stringList('net.bind', net.bind).map(parseGrant);
    this.connectRules = compile(this.connectGrants);
    this.bindRules = compile(this.bindGrants);
    this.lookupRules = compileLookup(net.lookup);
    this.lookup = this.lookupRules.any || this.lookupRules.names.size > 0 || this.lookupRules.suffixes.length > 0;

    // Options.
    const so: unknown = options.sockopts === undefined ? {} : options.sockopts;
    if (!isPlainObject(so)) throw new PolicyError(`sockopts must be an object, got ${show(so)}`);
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
    this.deniedSet = denySet;
    const refusedSet = refused(DEFAULT_REFUSED_SET, allowSet, denySet);
    this.reuseAddrDgram = allowSet.has('SO_REUSEADDR') && !denySet.has('SO_REUSEADDR');
    this.deniedGet = names('sockopts.denyGet', so.denyGet);
    const refusedGet = refused(DEFAULT_REFUSED_GET, names('sockopts.allowGet', so.allowGet), this.deniedGet);
    const all = catalogue.options.map((o) => o.name);
    this.settable = new Set(all.filter((n) => !refusedSet.has(n)));
    this.gettable = new Set(all.filter((n) => !refusedGet.has(n)));
    this.refusedSet = all.filter((n) => refusedSet.has(n));
    this.refusedGet = all.filter((n) => refusedGet.has(n));

    const caps: unknown = so.caps === undefined ? {} : so.caps;
    if (!isPlainObject(caps)) throw new PolicyError(`sockopts.caps must be an object, got ${show(caps)}`);
    checkKeys('sockopts.caps', caps, ['SO_RCVBUF', 'SO_SNDBUF']);
    const cap = (key: 'SO_RCVBUF' | 'SO_SNDBUF'): number => {
      const v = caps[key];
      if (v === undefined) return DEFAULT_BUFFER_CAP;
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
        throw new PolicyError(`sockopts.caps.${key} must be a non-negative integer (bytes), got ${show(v)}`);
      }
      return v;
    };
    this.capRcvbuf = cap('SO_RCVBUF');
    this.capSndbuf = cap('SO_SNDBUF');

    // Sockets.
    const max: unknown = options.maxSockets === undefined ? DEFAULT_MAX_SOCKETS : options.maxSockets;
    if (typeof max !== 'number' || !Number.isSafeInteger(max) || max < 1 || max > MAX_MAX_SOCKETS) {
      throw new PolicyError(`maxSockets must be an integer from 1 to ${MAX_MAX_SOCKETS}, got ${show(max)}`);
    }
    this.maxSockets = max;
  }

  /**
   * May the guest connect (or sendto) to this address and port?
   * addr: 4 bytes (IPv4) or 16 bytes (IPv6), network order. ::ffff:a.b.c.d is checked as a.b.c.d.
   */
  canConnect(addr: Uint8Array, port: number): boolean {
    return matches(this.connectRules, addr, port);
  }

  /**
   * May the guest bind to this address and port? Port 0 (ephemeral) needs a grant whose
   * range includes 0; 0.0.0.0 and :: need a grant whose network is the unspecified address.
   * addr: 4 bytes (IPv4) or 16 bytes (IPv6), network order.
   */
  canBind(addr: Uint8Array, port: number): boolean {
    return matches(this.bindRules, addr, port);
  }

  /** May the guest connect to this address on some port? (Name lookups without a service.) */
  canConnectSomePort(addr: Uint8Array): boolean {
    return matches(this.connectRules, addr, 0, true);
  }

  /** May the guest bind this address on some port? */
  canBindSomePort(addr: Uint8Array): boolean {
    return matches(this.bindRules, addr, 0, true);
  }

  /** May the guest read this option (a catalogue name)? Unknown names: false. */
  canGet(optionName: string): boolean {
    return this.gettable.has(optionName);
  }

  /**
   * May the guest set this option (a catalogue name) to this value? Unknown names: false.
   * value: the int value being set, for capped options (SO_RCVBUF/SO_SNDBUF); undefined for
   * non-int values. For a capped option an undefined (or NaN) value is refused: the cap
   * cannot be checked. `datagram`: the socket is a datagram socket (SO_REUSEADDR there
   * is refused unless allowSet names it; turning it off is always allowed).
   */
  canSet(optionName: string, value?: number, datagram = false): boolean {
    if (!this.settable.has(optionName)) return false;
    if (optionName === 'SO_RCVBUF') return value !== undefined && value <= this.capRcvbuf;
    if (optionName === 'SO_SNDBUF') return value !== undefined && value <= this.capSndbuf;
    if (datagram && optionName === 'SO_REUSEADDR') return this.reuseAddrDgram || value === 0;
    return true;
  }

  /** Why the guest may not read this option (the rule, for events), or null when it may. */
  whyNotGet(optionName: string): string | null {
    if (this.gettable.has(optionName)) return null;
    if (this.deniedGet.has(optionName)) return 'sockopts.denyGet';
    return `reading ${optionName} is refused by default (sockopts.allowGet lifts it)`;
  }

  /** Why the guest may not set this option to this value (the rule, for events), or null when it may. */
  whyNotSet(optionName: string, value?: number, datagram = false): string | null {
    if (this.canSet(optionName, value, datagram)) return null;
    if (this.deniedSet.has(optionName)) return 'sockopts.denySet';
    if (!this.settable.has(optionName)) return `setting ${optionName} is refused by default (sockopts.allowSet lifts it)`;
    if (optionName === 'SO_RCVBUF') return `sockopts.caps.SO_RCVBUF (${this.capRcvbuf} bytes)`;
    if (optionName === 'SO_SNDBUF') return `sockopts.caps.SO_SNDBUF (${this.capSndbuf} bytes)`;
    return `${optionName} on a UDP socket is refused by default (sockopts.allowSet lifts it)`;
  }

  /**
   * May the guest pick this TCP congestion control? Only those Linux lets an
   * unprivileged process choose (tcp_allowed_congestion_control, read at each call):
   * a host running with CAP_NET_ADMIN would otherwise lend the guest every algorithm
   * (and the loading of kernel modules by name).
   */
  canSetCongestion(name: string): boolean {
    if (!this.settable.has('TCP_CONGESTION')) return false;
    let allowed: string;
    try {
      allowed = readFileSync(ALLOWED_CONGESTION, 'latin1');
    } catch {
      return false;
    }
    return allowed.split(/\s+/).includes(name);
  }

  /**
   * May the guest resolve `name` (a host name, not a numeric address)? Matched
   * case-insensitively, a trailing dot ignored.
   */
  canLookup(name: string): boolean {
    const r = this.lookupRules;
    if (r.any) return true;
    const n = normalizeName(name);
    if (r.names.has(n)) return true;
    for (const suffix of r.suffixes) if (n.endsWith(suffix) && n.length > suffix.length) return true;
    return false;
  }

  /** The effective policy as plain data (for docs, the CLI and error messages). Fresh arrays each call. */
  describe(): {
    connect: string[]; bind: string[]; lookup: boolean | string[]; refusedSet: string[]; refusedGet: string[];
    caps: { SO_RCVBUF: number; SO_SNDBUF: number }; maxSockets: number;
  } {
    return {
      connect: this.connectGrants.map((g) => g.text),
      bind: this.bindGrants.map((g) => g.text),
      lookup: this.lookupRules.any ? true : this.lookupRules.patterns.length === 0 ? false : [...this.lookupRules.patterns],
      refusedSet: [...this.refusedSet],
      refusedGet: [...this.refusedGet],
      caps: { SO_RCVBUF: this.capRcvbuf, SO_SNDBUF: this.capSndbuf },
      maxSockets: this.maxSockets,
    };
  }
}
