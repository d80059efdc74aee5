// Typed option access by name: getOption / setOption. The catalogue and the codecs
// are the core's; this file only turns core fields into JS values and back.

import { core, KIND, HOST_PLATFORM, PLATFORM, type OptionInfo } from './core.js';
import { SocketError } from './errors.js';
import { formatIPv4, formatIPv6, parseIPv4, parseIPv6 } from './native/sockaddr.js';
import { ERRNO_INVAL } from './native/errno.js';
import { show } from './validators.js';
import type { Socket } from './socket.js';
import type { TcpInfo } from './option-types.js';

export type {
  OptionName, ReadableOptionName, WritableOptionName, OptionValues, OptionInputs, TcpInfo,
} from './option-types.js';

/** SO_LINGER. */
export interface Linger { onoff: boolean; seconds: number }
/** SO_RCVTIMEO / SO_SNDTIMEO: exact, as the kernel holds it. */
export interface Timeval { sec: number; usec: number }
/** IP_ADD_MEMBERSHIP / IP_DROP_MEMBERSHIP (struct ip_mreq). */
export interface IpMreq { multiaddr: string; interface: string }
/** struct ip_mreqn: the Linux form with an interface index. */
export interface IpMreqn { multiaddr: string; address: string; ifindex: number }
/** IPV6_JOIN_GROUP / IPV6_LEAVE_GROUP (struct ipv6_mreq). */
export interface Ipv6Mreq { multiaddr: string; interface: number }
/** SO_PEERCRED (struct ucred). */
export interface Ucred { pid: number; uid: number; gid: number }

/**
 * What setOption takes for IP_ADD_MEMBERSHIP / IP_DROP_MEMBERSHIP: a struct ip_mreq, or
 * with `ifindex` Linux's struct ip_mreqn. An absent `interface` / `address` is 0.0.0.0.
 */
export type IpMreqInput =
  | { multiaddr: string; interface?: string }
  | { multiaddr: string; address?: string; ifindex: number };
/** What setOption takes for IPV6_JOIN_GROUP / IPV6_LEAVE_GROUP; an absent `interface` is 0. */
export interface Ipv6MreqInput { multiaddr: string; interface?: number }

/** What getOption returns for an option name known only at run time. */
export type OptionValue = number | boolean | string | Linger | Timeval | IpMreq | IpMreqn | Ipv6Mreq | Ucred | TcpInfo | Uint8Array;
/** What setOption accepts for an option name known only at run time. */
export type OptionInput = number | boolean | string | Linger | Timeval | IpMreqInput | Ipv6MreqInput | ArrayBufferView;

/** The catalogue row for a name: TypeError when unknown, ENOPROTOOPT when absent here. */
export function lookupOption(name: string, syscall: string): OptionInfo & { hostNumber: number } {
  if (typeof name !== 'string') throw new TypeError(`option name must be a string, not ${typeof name}`);
  const info = core().byName.get(name);
  if (!info) throw new TypeError(`unknown socket option '${name}' (see \`sockbox options\`)`);
  if (info.hostNumber < 0) {
    const here = HOST_PLATFORM === PLATFORM.MACOS ? 'macOS' : 'Linux';
    throw SocketError.fromCode('ENOPROTOOPT', syscall, info.hint || `${name} does not exist on ${here}`);
  }
  return info;
}

function ipv4(v: bigint): string {
  const n = Number(v);
  return formatIPv4(new Uint8Array([(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]));
}

function ipv4Field(text: unknown, what: string): bigint {
  const b = typeof text === 'string' ? parseIPv4(text === '' ? '0.0.0.0' : text) : null;
  if (!b) throw new TypeError(`${what} must be an IPv4 address string`);
  return BigInt(((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0);
}

function intField(v: unknown, what: string, min: number, max: number): bigint {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`${what} must be an integer`);
  if (v < min || v > max) throw new RangeError(`${what} out of range (${min}..${max}): ${v}`);
  return BigInt(v);
}

function objectArg(v: unknown, name: string, shape: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || ArrayBuffer.isView(v)) throw new TypeError(`${name} takes ${shape}`);
  return v as Record<string, unknown>;
}

/** Reads an option by name and decodes it with the core's codec for its kind. */
export function getOption(sock: Socket, name: string): OptionValue {
  const info = lookupOption(name, 'getsockopt');
  // A C int is 4 little-endian bytes on every host: the int form of getsockopt is the
  // codec's answer already, without a round trip through core memory.
  if (info.kind === KIND.INT) return sock.getsockopt(info.hostLevel, info.hostNumber);
  if (info.kind === KIND.BOOL) return sock.getsockopt(info.hostLevel, info.hostNumber) !== 0;
  const c = core();
  const size = c.exports.kindSize(info.kind, HOST_PLATFORM);
  const raw = sock.getsockopt(info.hostLevel, info.hostNumber, size) as Uint8Array;
  if (info.kind === KIND.OPAQUE) return raw;
  const f = c.decode(info.kind, raw);
  if (typeof f === 'number') throw SocketError.fromCode('EINVAL', 'getsockopt', `${name}: the kernel returned ${raw.length} bytes, too few for ${name}`);
  switch (info.kind) {
    case KIND.LINGER: return { onoff: f[0] !== 0n, seconds: Number(f[1]) };
    case KIND.TIMEVAL: return { sec: Number(f[0]), usec: Number(f[1]) };
    case KIND.IN_ADDR: return ipv4(f[0]);
    case KIND.IP_MREQ: return { multiaddr: ipv4(f[0]), interface: ipv4(f[1]) };
    case KIND.IP_MREQN: return { multiaddr: ipv4(f[0]), address: ipv4(f[1]), ifindex: Number(f[2]) };
    case KIND.IPV6_MREQ: return { multiaddr: formatIPv6(new Uint8Array(f.slice(0, 16).map(Number))), interface: Number(f[16]) };
    case KIND.IFNAME: case KIND.STRING: return Buffer.from(raw.subarray(0, Number(f[0]))).toString('utf8');
    case KIND.UCRED: return { pid: Number(f[0]), uid: Number(f[1]), gid: Number(f[2]) };
    case KIND.TCP_INFO: {
      const out: Record<string, number | bigint> = {};
      f.forEach((v, i) => {
        out[c.tcpInfoFields[i]] = v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
      });
      // TcpInfo is generated from the same field list (build/generators.mjs), its tail
      // optional: a kernel older than the core's struct returns fewer fields.
      return out as unknown as TcpInfo;
    }
  }
  return raw;
}

/** Encodes a typed value with the core's codec for the option's kind and sets it. */
export function setOption(sock: Socket, name: string, value: OptionInput): void {
  const info = lookupOption(name, 'setsockopt');
  if (info.kind === KIND.BOOL) {
    // A flag is on or off: 2 is more likely a mistake than a way to say "on". The raw
    // setsockopt still passes any C int, as CPython's does.
    if (value !== true && value !== false && value !== 0 && value !== 1) {
      throw new TypeError(`${name} takes true/false or 0/1, not ${show(value)}`);
    }
    sock.setsockopt(info.hostLevel, info.hostNumber, value === true || value === 1 ? 1 : 0);
    return;
  }
  if (info.kind === KIND.INT) {
    const v = typeof value === 'boolean' ? (value ? 1 : 0) : value;
    sock.setsockopt(info.hostLevel, info.hostNumber, Number(intField(v, name, -0x80000000, 0x7fffffff)));
    return;
  }
  const c = core();
  let kind = info.kind;
  let fields: bigint[];
  let payload: Uint8Array | undefined;
  switch (info.kind) {
    case KIND.LINGER: {
      const o = objectArg(value, name, '{ onoff, seconds }');
      fields = [BigInt(o.onoff ? 1 : 0), intField(o.seconds, `${name}.seconds`, 0, 0x7fffffff)];
      break;
    }
    case KIND.TIMEVAL: {
      const o = objectArg(value, name, '{ sec, usec }');
      fields = [intField(o.sec, `${name}.sec`, 0, Number.MAX_SAFE_INTEGER), intField(o.usec, `${name}.usec`, 0, 999999)];
      break;
    }
    case KIND.IN_ADDR:
      fields = [ipv4Field(value, name)];
      break;
    case KIND.IP_MREQ: case KIND.IP_MREQN: {
      const o = objectArg(value, name, '{ multiaddr, interface } or { multiaddr, address, ifindex }');
      if ('ifindex' in o) {
        kind = KIND.IP_MREQN;
        fields = [ipv4Field(o.multiaddr, `${name}.multiaddr`), ipv4Field(o.address ?? '0.0.0.0', `${name}.address`), intField(o.ifindex, `${name}.ifindex`, 0, 0x7fffffff)];
      } else {
        kind = KIND.IP_MREQ;
        fields = [ipv4Field(o.multiaddr, `${name}.multiaddr`), ipv4Field(o.interface ?? '0.0.0.0', `${name}.interface`)];
      }
      break;
    }
    case KIND.IPV6_MREQ: {
      const o = objectArg(value, name, '{ multiaddr, interface }');
      const a = typeof o.multiaddr === 'string' ? parseIPv6(o.multiaddr) : null;
      if (!a) throw new TypeError(`${name}.multiaddr must be an IPv6 address string`);
      fields = [...Array.from(a, (b) => BigInt(b)), intField(o.interface ?? 0, `${name}.interface`, 0, 0xffffffff)];
      break;
    }
    case KIND.IFNAME: case KIND.STRING: {
      if (typeof value !== 'string') throw new TypeError(`${name} takes a string`);
      payload = new Uint8Array(Buffer.from(value, 'utf8'));
      fields = [BigInt(payload.length)];
      break;
    }
    case KIND.OPAQUE: {
      if (!ArrayBuffer.isView(value)) throw new TypeError(`${name} takes bytes (a Uint8Array)`);
      payload = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
      fields = [BigInt(payload.length)];
      break;
    }
    default:
      throw SocketError.fromCode('ENOPROTOOPT', 'setsockopt', `${name} is read-only`);
  }
  const bytes = c.encode(kind, fields, payload);
  if (typeof bytes === 'number') {
    throw bytes === -ERRNO_INVAL
      ? new RangeError(`${name}: value does not fit ${name}'s C type`)
      : SocketError.fromCode('ENOPROTOOPT', 'setsockopt', `${name}: this platform has no such value form`);
  }
  sock.setsockopt(info.hostLevel, info.hostNumber, bytes);
}
