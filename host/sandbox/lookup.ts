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
import { core, HOST_PLATFORM, PLATFORM } from '../core.js';
import type { Policy } from './policy.js';
import type { GuestMemory } from './memory.js';
import { addressText, type EventSink } from './events.js';
import * as abi from './abi.js';

const IS_LINUX = HOST_PLATFORM === PLATFORM.LINUX;
const sym = core().symbols;
const HOST_SOCK_STREAM = sym.get('SOCK_STREAM')!;
const HOST_SOCK_DGRAM = sym.get('SOCK_DGRAM')!;

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

// getaddrinfo(3) return codes: glibc's (negative) and the BSDs' (macOS).
const EAI = IS_LINUX
  ? { BADFLAGS: -1, NONAME: -2, AGAIN: -3, FAIL: -4, NODATA: -5, FAMILY: -6, SOCKTYPE: -7, SERVICE: -8, ADDRFAMILY: -9, MEMORY: -10, SYSTEM: -11 }
  : { ADDRFAMILY: 1, AGAIN: 2, BADFLAGS: 3, FAIL: 4, FAMILY: 5, MEMORY: 6, NODATA: 7, NONAME: 8, SERVICE: 9, SOCKTYPE: 10, SYSTEM: 11 };

const EAI_TO_WASI = new Map<number, number>([
  [EAI.ADDRFAMILY, abi.ERRNO_AIADDRFAMILY], [EAI.AGAIN, abi.ERRNO_AIAGAIN], [EAI.BADFLAGS, abi.ERRNO_AIBADFLAG],
  [EAI.FAIL, abi.ERRNO_AIFAIL], [EAI.FAMILY, abi.ERRNO_AIFAMILY], [EAI.MEMORY, abi.ERRNO_AIMEMORY],
  [EAI.NODATA, abi.ERRNO_AINODATA], [EAI.NONAME, abi.ERRNO_AINONAME], [EAI.SERVICE, abi.ERRNO_AISERVICE],
  [EAI.SOCKTYPE, abi.ERRNO_AISOCKTYPE], [EAI.SYSTEM, abi.ERRNO_AISYSTEM],
]);

/** A getaddrinfo(3) failure in WasmEdge's numbering (an unknown code: AIFAIL). */
export function eaiToWasi(rc: number): number {
  return EAI_TO_WASI.get(rc) ?? abi.ERRNO_AIFAIL;
}

/** Is `node` an IPv4 or IPv6 literal (an IPv6 zone index allowed)? */
export function isNumericHost(node: string): boolean {
  return parseIPv4(node) !== null || parseIPv6(node.replace(/%[^%]*$/, '')) !== null;
}

const AI_NUMERICHOST_HOST = 4;
const AI_NUMERICSERV_HOST = IS_LINUX ? 0x400 : 0x1000;
// WASI addrinfo flags (WasmEdge): PASSIVE 1, CANONNAME 2, NUMERICHOST 4, NUMERICSERV 8,
// V4MAPPED 16, ALL 32, ADDRCONFIG 64.
const WASI_AI_KNOWN = 0x7f;
const WASI_AI_PASSIVE = 1;
const WASI_AI_CANONNAME = 2;
const WASI_AI_NUMERICHOST = 4;
const WASI_AI_NUMERICSERV = 8;
const MAX_NODE = 1024;
const MAX_SERVICE = 64;
const utf8 = new TextDecoder('utf-8', { fatal: true });

interface Answer { ip: Uint8Array; port: number; socktype: number; protocol: number; canonname: string | null }

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
      return abi.ERRNO_AINONAME;
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
    // WasmEdge hints: flags u16 @0, family u8 @2, socktype u8 @3, protocol u32 @4; the
    // checks WasmEdge makes, in its order, with its answers.
    const hflags = mem.u16(hints_ptr);
    const hfam = mem.u8[hints_ptr + 2];
    const htype = mem.u8[hints_ptr + 3];
    const hproto = mem.u32(hints_ptr + 4);
    if ((hflags & ~WASI_AI_KNOWN) !== 0) return abi.ERRNO_AIBADFLAG;
    if ((hflags & WASI_AI_CANONNAME) !== 0 && node === null) return abi.ERRNO_AIBADFLAG;
    if (hfam !== 0 && hfam !== abi.AF_INET4 && hfam !== abi.AF_INET6) return abi.ERRNO_AIFAMILY;
    if (hproto > 2 || htype > abi.SOCK_STREAM) return abi.ERRNO_NOSYS;
    if (max_len < 1) return abi.ERRNO_AIMEMORY;
    if (node === null && service === null) return abi.ERRNO_AINONAME;
    const numeric = node === null || isNumericHost(node);
    if (!numeric) {
      const no = this.mayResolve('sock_getaddrinfo', node);
      if (no !== 0) return no;
    }
    const hostFlags = (hflags & WASI_AI_PASSIVE ? 0x1 : 0) | (hflags & WASI_AI_CANONNAME ? 0x2 : 0)
      | (hflags & WASI_AI_NUMERICHOST || numeric ? AI_NUMERICHOST_HOST : 0) | (hflags & WASI_AI_NUMERICSERV ? AI_NUMERICSERV_HOST : 0);
    const family = hfam === abi.AF_INET4 ? HOST_AF_INET : hfam === abi.AF_INET6 ? HOST_AF_INET6 : 0;
    const socktype = htype === abi.SOCK_STREAM ? HOST_SOCK_STREAM : htype === abi.SOCK_DGRAM ? HOST_SOCK_DGRAM : 0;
    const protocol = hproto === 1 ? 6 : hproto === 2 ? 17 : 0;
    const { rc, results } = cx.resolve(node, service, { flags: hostFlags, family, socktype, protocol });
    if (rc !== 0) {
      const errno = eaiToWasi(rc);
      cx.events?.({ type: 'lookup', name: node ?? '', answers: [], errno });
      return errno;
    }
    const answers: Answer[] = [];
    for (const r of results) {
      const a = sockaddrIp(r.addr, r.addr.length);
      if (a && this.granted(a.ip)) answers.push({ ip: a.ip, port: a.port, socktype: r.socktype, protocol: r.protocol, canonname: r.canonname });
    }
    // Answers that exist but lie outside the grants look like no answer at all. (A
    // numeric address outside them is its own answer, filtered: success, no entries.)
    const hidden = answers.length === 0 && !numeric && results.length > 0;
    cx.events?.({ type: 'lookup', name: node ?? '', answers: answers.map((a) => addressText(a.ip)), errno: hidden ? abi.ERRNO_AINONAME : 0 });
    if (hidden) return abi.ERRNO_AINONAME;
    return this.fillChain(answers, hflags, res_ptr, max_len, res_len_ptr);
  }

  /**
   * Writes answers into the guest's preallocated chain, every pointer read and checked
   * before anything is written: __wasi_addrinfo_t (28 bytes): flags u16 @0, family u8
   * @2, socktype u8 @3, protocol u32 @4, addrlen u32 @8, addr_ptr @12, canonname_ptr
   * @16, canonname_len @20, next_ptr @24; __wasi_sockaddr_t (12 bytes): family u16 @0,
   * data_len u32 @4, data_ptr @8.
   */
  private fillChain(answers: Answer[], hflags: number, res_ptr: number, max_len: number, res_len_ptr: number): number {
    const mem = this.cx.mem;
    const slots: { entry: number; sa: number; data_ptr: number; data_len: number; cn_ptr: number; cn_len: number }[] = [];
    let entry = mem.u32(res_ptr);
    while (slots.length < answers.length && slots.length < max_len && entry !== 0) {
      if (!mem.ok(entry, abi.ADDRINFO_SIZE)) return abi.ERRNO_FAULT;
      const sa = mem.u32(entry + 12);
      let data_ptr = 0;
      let data_len = 0;
      if (sa !== 0) {
        if (!mem.ok(sa, abi.SOCKADDR_SIZE)) return abi.ERRNO_FAULT;
        data_len = mem.u32(sa + 4);
        data_ptr = mem.u32(sa + 8);
        if (data_len < 2 + answers[slots.length].ip.length || !mem.ok(data_ptr, data_len)) return abi.ERRNO_FAULT;
      }
      const cn_ptr = mem.u32(entry + 16);
      const cn_len = mem.u32(entry + 20);
      slots.push({ entry, sa, data_ptr, data_len, cn_ptr: cn_len > 0 && mem.ok(cn_ptr, cn_len) ? cn_ptr : 0, cn_len });
      entry = mem.u32(entry + 24);
    }
    for (let i = 0; i < slots.length; i++) {
      const { ip, port, socktype: st, protocol: pr, canonname } = answers[i];
      const s = slots[i];
      mem.setU16(s.entry, hflags);
      mem.u8[s.entry + 2] = ip.length === 4 ? abi.AF_INET4 : abi.AF_INET6;
      mem.u8[s.entry + 3] = st === HOST_SOCK_STREAM ? abi.SOCK_STREAM : st === HOST_SOCK_DGRAM ? abi.SOCK_DGRAM : abi.SOCK_ANY;
      mem.setU32(s.entry + 4, pr === 6 ? 1 : pr === 17 ? 2 : 0);
      if (s.sa !== 0) {
        // data = port (2 bytes, network order) then the address bytes.
        mem.setU16(s.sa, ip.length === 4 ? abi.AF_INET4 : abi.AF_INET6);
        mem.u8.fill(0, s.data_ptr, s.data_ptr + s.data_len);
        mem.dv.setUint16(s.data_ptr, port, false);
        mem.u8.set(ip, s.data_ptr + 2);
        mem.setU32(s.entry + 8, 2 + ip.length);
      }
      if (s.cn_ptr !== 0 && canonname) {
        const text = Buffer.from(canonname, 'utf8').subarray(0, s.cn_len - 1);
        mem.u8.set(text, s.cn_ptr);
        mem.u8[s.cn_ptr + text.length] = 0;
      }
    }
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
      cx.events?.({ type: 'lookup', name, answers: ips.map(addressText), errno: hidden ? abi.ERRNO_AINONAME : 0 });
      if (hidden) return abi.ERRNO_AINONAME;
    }
    cx.mem.refresh();
    const fit = Math.min(ips.length, Math.floor(buf_len / size));
    for (let i = 0; i < fit; i++) mem.u8.set(ips[i], buf_ptr + i * size);
    mem.setU32(count_ptr, fit);
    return abi.ERRNO_SUCCESS;
  }
}
