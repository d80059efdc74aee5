// Name lookups a guest makes: WasmEdge's sock_getaddrinfo (into the guest's
// preallocated addrinfo chain) and sock_lookup_ip (packed addresses, the async
// WasmEdge host's form), both under the same rules:
//
// - A numeric address (or no node) needs no grant and reaches no resolver.
// - A name needs net.lookup; one its patterns do not match gets what a name that does
//   not exist gets (AINONAME), without a query: nothing a guest invents reaches a
//   resolver, and it cannot tell "not granted" from "no such name".
// - Answers are filtered by address: an address the guest may connect to or bind on
//   some port passes, whatever port the lookup's service named (connect and bind check
//   the port again). A name whose answers all lie outside the grants is AINONAME too.
// - Resolver failures use WasmEdge's numbering (AIADDRFAMILY 77 ... AISYSTEM 87).

import type { AddrinfoHints, AddrinfoResult } from '../native/libc.js';
import { AF_INET as HOST_AF_INET, AF_INET6 as HOST_AF_INET6, sockaddrIp, parseIPv4, parseIPv6 } from '../native/sockaddr.js';
import { core, HOST_PLATFORM } from '../core.js';
import type { Policy } from './policy.js';
import type { GuestMemory } from './memory.js';
import { addressText, type EventSink } from './events.js';
import { readAddrinfoChain, readHints, writeAddrinfo, type GuestAnswer } from './abi-codecs.js';
import * as abi from './abi.js';

const HOST_SOCK_STREAM = core().symbols.get('SOCK_STREAM')!;

/** getaddrinfo(3) as the socket layer calls it (host numbering). */
export type Resolver = (node: string | null, service: string | null, hints: AddrinfoHints) => { rc: number; results: AddrinfoResult[] };

/** What lookups need from the socket layer. */
export interface LookupContext {
  readonly mem: GuestMemory;
  readonly policy: Policy;
  readonly resolve: Resolver;
  readonly events: EventSink;
  checkKill(): void;
  /** NOTCAPABLE, and a 'refused' event naming the rule. */
  refuse(call: string, what: string, rule: string): number;
}

const gabi = core().exports;
/** The guest's "no such name": WasmEdge's AINONAME, for the platform's EAI_NONAME. */
const AINONAME = gabi.eaiToGuest(gabi.eaiNoName(HOST_PLATFORM), HOST_PLATFORM);

/** A getaddrinfo(3) failure in WasmEdge's numbering (AIADDRFAMILY 77 … AISYSTEM 87; unknown: AIFAIL). */
export function eaiToWasi(rc: number): number {
  return gabi.eaiToGuest(rc, HOST_PLATFORM);
}

/** Is `node` an IPv4 or IPv6 literal (an IPv6 zone index allowed)? */
export function isNumericHost(node: string): boolean {
  return parseIPv4(node) !== null || parseIPv6(node.replace(/%[^%]*$/, '')) !== null;
}

const MAX_NODE = 1024;
const MAX_SERVICE = 64;
const utf8 = new TextDecoder('utf-8', { fatal: true });


export class Lookups {
  constructor(private readonly cx: LookupContext) {}

  /** May the guest see this address (connect to or bind on some port of it)? */
  private granted(ip: Uint8Array): boolean {
    return this.cx.policy.canConnectSomePort(ip) || this.cx.policy.canBindSomePort(ip);
  }

  /**
   * The policy's word on resolving `node` (not numeric): 0 to go ahead, or the errno
   * the guest gets (NOTCAPABLE without net.lookup, AINONAME outside its patterns).
   */
  private mayResolve(call: string, node: string): number {
    const policy = this.cx.policy;
    if (!policy.lookup) return this.cx.refuse(call, JSON.stringify(node), 'no net.lookup grant');
    if (!policy.canLookup(node)) {
      // The guest hears "no such name"; the host hears why.
      this.cx.refuse(call, JSON.stringify(node), 'no net.lookup pattern matches');
      return AINONAME;
    }
    return 0;
  }

  /**
   * sock_getaddrinfo(node_ptr, node_len, service_ptr, service_len, hints_ptr, res_ptr,
   * max_len, res_len_ptr): WasmEdge's form. res_ptr holds the address of the first of
   * max_len guest-made __wasi_addrinfo_t entries, linked by ai_next, each with its
   * sockaddr and data buffer; the host fills them in and writes the count.
   */
  sock_getaddrinfo(node_ptr: number, node_len: number, service_ptr: number, service_len: number, hints_ptr: number, res_ptr: number, max_len: number, res_len_ptr: number): number {
    // Guest pointers and lengths arrive as signed i32s: one at 2 GiB or above would be negative.
    node_ptr >>>= 0; node_len >>>= 0; service_ptr >>>= 0; service_len >>>= 0; hints_ptr >>>= 0; res_ptr >>>= 0; res_len_ptr >>>= 0; max_len >>>= 0;
    const cx = this.cx;
    cx.checkKill();
    cx.mem.refresh();
    const mem = cx.mem;
    if (!mem.ok(node_ptr, node_len) || !mem.ok(service_ptr, service_len) || !mem.ok(hints_ptr, abi.ADDRINFO_SIZE) || !mem.ok(res_ptr, 4) || !mem.ok(res_len_ptr, 4)) return abi.ERRNO_FAULT;
    if (node_len > MAX_NODE || service_len > MAX_SERVICE) return abi.ERRNO_INVAL;
    // A NUL ends the text (the crate counts the one it appends); empty text is "none".
    const cut = (s: string) => s.replace(/\0.*$/s, '');
    const nodeText = node_len > 0 ? cut(mem.text(node_ptr, node_len)) : '';
    const serviceText = service_len > 0 ? cut(mem.text(service_ptr, service_len)) : '';
    const node = nodeText === '' ? null : nodeText;
    const service = serviceText === '' ? null : serviceText;
    // WasmEdge's checks of the hints, in its order, with its errnos.
    const h = readHints(mem, hints_ptr);
    const bad = gabi.checkHints(h.flags, h.family, h.socktype, h.protocol, max_len, node !== null ? 1 : 0, service !== null ? 1 : 0);
    if (bad !== 0) return bad;
    const numeric = node === null || isNumericHost(node);
    if (!numeric) {
      const no = this.mayResolve('sock_getaddrinfo', node);
      if (no !== 0) return no;
    }
    // In the host's numbering; a numeric host is answered without a resolver.
    const hostFlags = gabi.aiFlagsToHost(h.flags, HOST_PLATFORM) | (numeric ? gabi.aiNumericHost(HOST_PLATFORM) : 0);
    const family = h.family === 0 ? 0 : gabi.familyToHost(h.family, HOST_PLATFORM);
    const socktype = h.socktype === 0 ? 0 : gabi.socktypeToHost(h.socktype, HOST_PLATFORM);
    const protocol = gabi.protocolToHost(h.protocol, HOST_PLATFORM);
    const { rc, results } = cx.resolve(node, service, { flags: hostFlags, family, socktype, protocol });
    if (rc !== 0) {
      const errno = eaiToWasi(rc);
      cx.events?.({ type: 'lookup', name: node ?? '', answers: [], errno });
      return errno;
    }
    const answers: GuestAnswer[] = [];
    for (const r of results) {
      const a = sockaddrIp(r.addr, r.addr.length);
      if (!a || !this.granted(a.ip)) continue;
      answers.push({
        family: a.ip.length === 4 ? abi.AF_INET4 : abi.AF_INET6, ip: a.ip, port: a.port, canonname: r.canonname,
        socktype: r.socktype === 0 ? abi.SOCK_ANY : gabi.socktypeToGuest(r.socktype, HOST_PLATFORM),
        protocol: gabi.protocolToGuest(r.protocol, HOST_PLATFORM),
      });
    }
    // Answers that exist but lie outside the grants look like no answer at all. (A
    // numeric address outside them is its own answer, filtered: success, no entries.)
    const hidden = answers.length === 0 && !numeric && results.length > 0;
    cx.events?.({ type: 'lookup', name: node ?? '', answers: answers.map((a) => addressText(a.ip)), errno: hidden ? AINONAME : 0 });
    if (hidden) return AINONAME;
    const slots = readAddrinfoChain(mem, res_ptr, Math.min(answers.length, max_len), (i) => 2 + answers[i].ip.length);
    if (typeof slots === 'number') return slots;
    for (let i = 0; i < slots.length; i++) writeAddrinfo(mem, slots[i], answers[i], h.flags);
    mem.setU32(res_len_ptr, slots.length);
    return abi.ERRNO_SUCCESS;
  }

  /**
   * sock_lookup_ip(name_ptr, name_len, family, buf_ptr, buf_len, count_ptr): the
   * addresses of a name, packed (4 bytes each for INET4 = 1, 16 for INET6 = 2, network
   * order) into buf_len bytes at buf_ptr; the number written at count_ptr (as many as
   * fit). The name is UTF-8 (ILSEQ otherwise), without a NUL.
   */
  sock_lookup_ip(name_ptr: number, name_len: number, family: number, buf_ptr: number, buf_len: number, count_ptr: number): number {
    name_ptr >>>= 0; name_len >>>= 0; buf_ptr >>>= 0; buf_len >>>= 0; count_ptr >>>= 0;
    const cx = this.cx;
    cx.checkKill();
    cx.mem.refresh();
    const mem = cx.mem;
    if (!mem.ok(name_ptr, name_len) || !mem.ok(buf_ptr, buf_len) || !mem.ok(count_ptr, 4)) return abi.ERRNO_FAULT;
    if (name_len > MAX_NODE) return abi.ERRNO_INVAL;
    const fam = family & 0xff; // a u8 in WasmEdge's signature
    if (fam !== abi.AF_INET4 && fam !== abi.AF_INET6) return abi.ERRNO_INVAL;
    let name: string;
    try {
      name = utf8.decode(mem.view(name_ptr, name_len));
    } catch {
      return abi.ERRNO_ILSEQ;
    }
    const size = fam === abi.AF_INET4 ? 4 : 16;
    const ips: Uint8Array[] = [];
    if (isNumericHost(name)) {
      const ip = size === 4 ? parseIPv4(name) : parseIPv6(name.replace(/%[^%]*$/, ''));
      if (ip && this.granted(ip)) ips.push(ip);
    } else {
      const no = this.mayResolve('sock_lookup_ip', name);
      if (no !== 0) return no;
      const { rc, results } = cx.resolve(name, null, { flags: 0, family: size === 4 ? HOST_AF_INET : HOST_AF_INET6, socktype: HOST_SOCK_STREAM, protocol: 0 });
      if (rc !== 0) {
        const errno = eaiToWasi(rc);
        cx.events?.({ type: 'lookup', name, answers: [], errno });
        return errno;
      }
      let found = 0;
      for (const r of results) {
        const a = sockaddrIp(r.addr, r.addr.length);
        if (!a || a.ip.length !== size) continue;
        found++;
        if (this.granted(a.ip) && !ips.some((x) => x.every((b, i) => b === a.ip[i]))) ips.push(a.ip);
      }
      const hidden = ips.length === 0 && found > 0;
      cx.events?.({ type: 'lookup', name, answers: ips.map(addressText), errno: hidden ? AINONAME : 0 });
      if (hidden) return AINONAME;
    }
    cx.mem.refresh();
    const fit = Math.min(ips.length, Math.floor(buf_len / size));
    for (let i = 0; i < fit; i++) mem.u8.set(ips[i], buf_ptr + i * size);
    mem.setU32(count_ptr, fit);
    return abi.ERRNO_SUCCESS;
  }
}
