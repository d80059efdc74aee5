// The option table (`sockbox options`, README), generated from the catalogue.

import { core, KIND_NAMES, type OptionInfo } from './core.js';
import { WASI_ERRNO_NAMES } from './native/errno.js';
import { constants } from './constants.js';
import { socket } from './socket.js';
import { SocketError } from './errors.js';
import type { OptionValue } from './options.js';

export interface TableOptions {
  /** 'inet' (default) or 'inet6'. */
  family?: 'inet' | 'inet6';
  /** 'stream' (default) or 'dgram'. */
  type?: 'stream' | 'dgram';
  /** Only this level: 'SOL_SOCKET', 'IPPROTO_IP', ... (also 'socket', 'ip', 'ipv6', 'tcp', 'udp'). */
  level?: string;
  /** Add the column of values read from a fresh socket (default true). */
  values?: boolean;
}

const LEVEL_ALIASES: Record<string, string> = {
  socket: 'SOL_SOCKET', sol_socket: 'SOL_SOCKET', ip: 'IPPROTO_IP', ipv6: 'IPPROTO_IPV6',
  tcp: 'IPPROTO_TCP', udp: 'IPPROTO_UDP',
};

/** Resolves a level name as the CLI takes it; undefined when unknown. */
export function levelByName(name: string): string | undefined {
  const upper = name.toUpperCase();
  if (core().levels.some((l) => l.name === upper)) return upper;
  return LEVEL_ALIASES[name.toLowerCase()];
}

function show(v: OptionValue): string {
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof Uint8Array) return v.length === 0 ? "b''" : Buffer.from(v).toString('hex');
  if ('state' in v) return `{state: ${v.state}, rtt: ${v.rtt}, snd_cwnd: ${v.snd_cwnd}, ...}`;
  return `{${Object.entries(v).map(([k, x]) => `${k}: ${typeof x === 'string' ? JSON.stringify(x) : String(x)}`).join(', ')}}`;
}

/** The catalogue rows a table shows, in catalogue order. */
export function tableRows(level?: string): OptionInfo[] {
  return core().options.filter((o) => !o.alias && (level === undefined || o.levelName === level));
}

/** The table as Markdown lines. */
export function optionsTable(opts: TableOptions = {}): string[] {
  const family = opts.family ?? 'inet';
  const type = opts.type ?? 'stream';
  const withValues = opts.values ?? true;
  const rows = tableRows(opts.level);
  const head = withValues
    ? [`| Option Name | Level | Value | On a fresh ${family}/${type} socket | Description |`, '| --- | --- | --- | --- | --- |']
    : ['| Option Name | Level | Value | Linux | macOS | Description |', '| --- | --- | --- | --- | --- | --- |'];
  const lines = [...head];
  const sock = withValues
    ? socket(family === 'inet6' ? constants.AF_INET6 : constants.AF_INET, type === 'dgram' ? constants.SOCK_DGRAM : constants.SOCK_STREAM)
    : undefined;
  try {
    for (const o of rows) {
      const kind = KIND_NAMES[o.kind];
      if (!sock) {
        const num = (n: number) => (n < 0 ? '—' : String(n));
        lines.push(`| ${o.name} | ${o.levelName} | ${kind} | ${num(o.linux)} | ${num(o.macos)} | ${o.description} |`);
        continue;
      }
      let value: string;
      if (!o.readable) value = '(set only)';
      else {
        try {
          value = show(sock.getOption(o.name));
        } catch (e) {
          if (!(e instanceof SocketError)) throw e;
          value = o.hostNumber < 0 ? 'absent here' : e.code;
        }
      }
      lines.push(`| ${o.name} | ${o.levelName} | ${kind} | ${value} | ${o.description} |`);
    }
  } finally {
    sock?.close();
  }
  return lines;
}

/** The AssemblyScript methods that read and set a value kind (guest/assembly/socket.ts). */
const AS_ACCESSORS: Record<string, [string, string]> = {
  '0,1': ['getBool', 'setBool'], int: ['getsockopt', 'setsockopt'], linger: ['getLinger', 'setLinger'],
  timeval: ['getTimeval', 'setTimeval'], in_addr: ['getInAddr', 'setInAddr'], ip_mreq: ['', 'setIpMreq'],
  ip_mreqn: ['', 'setIpMreq'], ipv6_mreq: ['', 'setIpv6Mreq'], ifname: ['getString', 'setString'],
  string: ['getString', 'setString'], tcp_info: ['getTcpInfo', ''], ucred: ['getsockoptBytes', ''],
  bytes: ['getsockoptBytes', 'setsockoptBytes'],
};

/**
 * The option constants of the AssemblyScript library (guest/assembly/constants.ts),
 * one per catalogue row in the guest ABI's numbering: Linux's, or 0x10000 + macOS's
 * for an option Linux lacks.
 */
export function asConstants(): string {
  const out: string[] = [];
  for (const level of core().levels) {
    out.push(`// ── ${level.name} ${'─'.repeat(Math.max(3, 60 - level.name.length))}`, '');
    for (const o of core().options.filter((x) => x.levelName === level.name)) {
      const kind = KIND_NAMES[o.kind];
      const [get, set] = AS_ACCESSORS[kind];
      const access = o.readable && o.writable ? `get/set: ${get}/${set}` : o.readable ? `get only: ${get}` : `set only: ${set}`;
      const bsd = o.linux < 0 ? ' BSD/macOS only: NOPROTOOPT on a Linux host.' : '';
      const value = o.linux >= 0 ? String(o.linux) : `0x10000 + ${o.macos}`;
      out.push(`/** ${o.description} [${kind}, ${access}]${bsd} */`, `@inline export const ${o.name}: i32 = ${value};`);
    }
    out.push('');
  }
  return out.join('\n').trimEnd();
}

/**
 * The AssemblyScript library's errno constants and name table
 * (guest/assembly/errno.ts), from WASI_ERRNO_NAMES.
 */
export function asErrnos(): string {
  const out = ['export namespace Errno {'];
  WASI_ERRNO_NAMES.forEach((posix, n) => {
    // E2BIG cannot lose its E and stay an identifier.
    const name = posix === 'SUCCESS' ? 'SUCCESS' : posix === 'E2BIG' ? 'TOOBIG' : posix.slice(1);
    if (name === 'NOTCAPABLE') out.push('  /** The sandbox\'s policy refused the call (before any syscall). */');
    out.push(`  @inline export const ${name}: Errno = ${n};`);
  });
  out.push('}', '', '// POSIX names by WASI number (index = number).', 'const NAMES: StaticArray<string> = [');
  for (let i = 0; i < WASI_ERRNO_NAMES.length; i += 7) {
    out.push('  ' + WASI_ERRNO_NAMES.slice(i, i + 7).map((x) => `"${x}"`).join(', ') + ',');
  }
  out.push('];');
  return out.join('\n');
}

/**
 * The C SDK's option macros (guest/c/sockbox.h): the SOL_SOCKET options wasi-libc's
 * headers may lack, with Linux's numbers, and SOCKBOX_<NAME> for the options only
 * BSD/macOS have (0x10000 + the macOS number, the guest ABI's numbering).
 */
export function cOptionMacros(): string {
  const out = [
    '/* SOL_SOCKET options: every one sockbox\'s catalogue has on Linux. SO_TYPE (3)',
    ' * comes from wasi-libc and is Linux\'s number already. SO_RCVTIMEO/SO_SNDTIMEO',
    ' * take the 16-byte timeval form, which wasi-libc\'s struct timeval is. */',
  ];
  const opts = core().options.filter((o) => !o.alias);
  for (const o of opts.filter((x) => x.levelName === 'SOL_SOCKET' && x.linux >= 0 && x.name !== 'SO_TYPE').sort((a, b) => a.linux - b.linux)) {
    out.push(`#ifndef ${o.name}`, `#define ${o.name} ${o.linux}`, '#endif');
  }
  out.push(
    '',
    '/* Options only BSD/macOS have: 0x10000 + the macOS number (the sockbox ABI\'s',
    ' * numbering for them). On a Linux host they fail with ENOPROTOOPT. */',
    '#define SOCKBOX_BSD_OPTION(macos_number) (0x10000 + (macos_number))',
  );
  for (const o of opts.filter((x) => x.linux < 0)) out.push(`#define SOCKBOX_${o.name} SOCKBOX_BSD_OPTION(0x${o.macos.toString(16)})`);
  return out.join('\n');
}
