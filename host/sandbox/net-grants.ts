// Network grants: the `ADDR[/PREFIX]:PORTS` grammar parsed into masked networks and
// port ranges, compiled to unsigned 32-bit words and matched without allocating; and
// the name patterns of net.lookup compiled and normalised. Pure logic: a grant never
// causes a DNS lookup.

import { PolicyError } from '../errors.js';
import { parseIPv4, parseIPv6 } from '../native/sockaddr.js';
import { quote, show } from '../validators.js';

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

const GRAMMAR = 'expected ADDR[/PREFIX]:PORTS';
const DECIMAL = /^(0|[1-9][0-9]*)$/;

/** A lookup grant compiled: exact names and name suffixes ('.example.com'), lower case. */
export interface LookupRules { any: boolean; names: Set<string>; suffixes: string[]; patterns: string[] }

const LABEL = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?$/;

/** A host name as matched: lower case, without a trailing dot. */
export function normalizeName(name: string): string {
  const n = name.toLowerCase();
  return n.endsWith('.') ? n.slice(0, -1) : n;
}

/** Compiles net.lookup: true, false/undefined, or a list of name patterns. */
export function compileLookup(value: unknown): LookupRules {
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
export interface GrantRules { v4: Rule4[]; v6: Rule6[] }

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

/** Compiles parsed grants for matching. */
export function compileGrants(grants: readonly Grant[]): GrantRules {
  const rules: GrantRules = { v4: [], v6: [] };
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
export function matchesGrants(rules: GrantRules, addr: Uint8Array, port: number, anyPort = false): boolean {
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
