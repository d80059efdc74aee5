// Sandbox policy: what a wasm guest may do, decided before any syscall. The Policy
// object, built once from the host's PolicyOptions, answers the socket layer's checks.
//
// Pure logic: no sockets, no koffi. The grant grammar and matching live in
// net-grants.ts, the option refusals and caps in sockopt-policy.ts.
//
// canConnect/canBind/canGet/canSet sit on the guest's hot paths: everything is
// compiled in the constructor, and the checks allocate nothing.

import { PolicyError } from '../errors.js';
import {
  compileGrants, compileLookup, matchesGrants, normalizeName, parseGrant,
  type Grant, type GrantRules, type LookupRules, type NetGrants,
} from './net-grants.js';
import { checkKeys, isObjectNotArray, show, stringList } from '../validators.js';
import { compileSockopts, congestionAllowed, type SockoptOverrides } from './sockopt-policy.js';

export { PolicyError };
export { normalizeName, parseGrant, type Grant, type NetGrants } from './net-grants.js';
export {
  DEFAULT_BUFFER_CAP, DEFAULT_REFUSED_GET, DEFAULT_REFUSED_SET, DEFAULT_REFUSED_SET_DGRAM, type SockoptOverrides,
} from './sockopt-policy.js';

/** Everything a host may say about a guest's sandbox. Omitted parts take the defaults. */
export interface PolicyOptions {
  net?: NetGrants;
  sockopts?: SockoptOverrides;
  /** Most sockets the guest may hold open at once (≥ 1; default DEFAULT_MAX_SOCKETS). */
  maxSockets?: number;
}

/** Default for PolicyOptions.maxSockets. */
export const DEFAULT_MAX_SOCKETS = 64;
/** The largest maxSockets a policy takes (far above any fd limit; it sizes a registry). */
export const MAX_MAX_SOCKETS = 65536;

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
  private readonly connectRules: GrantRules;
  private readonly bindRules: GrantRules;
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
    if (!isObjectNotArray(options)) throw new PolicyError(`policy options must be an object, got ${show(options)}`);

    // Network.
    const net: unknown = options.net === undefined ? {} : options.net;
    if (!isObjectNotArray(net)) throw new PolicyError(`net must be an object, got ${show(net)}`);
    checkKeys('net', net, ['connect', 'bind', 'lookup']);
    this.connectGrants = stringList('net.connect', net.connect).map(parseGrant);
    this.bindGrants = stringList('net.bind', net.bind).map(parseGrant);
    this.connectRules = compileGrants(this.connectGrants);
    this.bindRules = compileGrants(this.bindGrants);
    this.lookupRules = compileLookup(net.lookup);
    this.lookup = this.lookupRules.any || this.lookupRules.names.size > 0 || this.lookupRules.suffixes.length > 0;

    // Options.
    const so = compileSockopts(options.sockopts);
    this.deniedSet = so.deniedSet;
    this.deniedGet = so.deniedGet;
    this.reuseAddrDgram = so.reuseAddrDgram;
    this.settable = so.settable;
    this.gettable = so.gettable;
    this.refusedSet = so.refusedSet;
    this.refusedGet = so.refusedGet;
    this.capRcvbuf = so.capRcvbuf;
    this.capSndbuf = so.capSndbuf;

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
    return matchesGrants(this.connectRules, addr, port);
  }

  /**
   * May the guest bind to this address and port? Port 0 (ephemeral) needs a grant whose
   * range includes 0; 0.0.0.0 and :: need a grant whose network is the unspecified address.
   * addr: 4 bytes (IPv4) or 16 bytes (IPv6), network order.
   */
  canBind(addr: Uint8Array, port: number): boolean {
    return matchesGrants(this.bindRules, addr, port);
  }

  /** May the guest connect to this address on some port? (Name lookups without a service.) */
  canConnectSomePort(addr: Uint8Array): boolean {
    return matchesGrants(this.connectRules, addr, 0, true);
  }

  /** May the guest bind this address on some port? */
  canBindSomePort(addr: Uint8Array): boolean {
    return matchesGrants(this.bindRules, addr, 0, true);
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
    return congestionAllowed(name);
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
