// The option table (`sockbox options`, and README's, which build/generators.mjs writes),
// generated from the catalogue.

import { core, KIND_NAMES, type OptionInfo } from './core.js';
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
