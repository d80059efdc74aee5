// core.wasm: it instantiates, exports what the host uses, holds a sane catalogue,
// and its codecs round-trip every value kind and never trap on random input.

import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { core, coreWasmPath, CORE_EXPORTS, KIND, KIND_NAMES, PLATFORM, HOST_PLATFORM, LEVEL, FLAG } from '../host/core.js';
import { ERRNO_INVAL } from '../host/native/errno.js';
import { AF_INET, AF_INET6 } from '../host/native/sockaddr.js';

const WASI_INVAL = ERRNO_INVAL;

describe('core.wasm smoke', () => {
  test('compiles, instantiates with no imports and exports every function the host uses', () => {
    const module = new WebAssembly.Module(readFileSync(coreWasmPath()));
    expect(WebAssembly.Module.imports(module)).toEqual([]);
    const names = WebAssembly.Module.exports(module).map((e) => e.name);
    for (const name of CORE_EXPORTS) expect(names).toContain(name);
    const instance = new WebAssembly.Instance(module, {});
    expect((instance.exports.count as () => number)()).toBeGreaterThan(85);
  });
});

describe('the catalogue\'s enums come from the core', () => {
  const c = core();
  const ex = c.exports as unknown as Record<string, unknown>;
  const globalValue = (name: string) => (ex[name] as WebAssembly.Global).value as number;

  test('LEVEL, KIND, FLAG, PLATFORM are the core\'s LEVEL_*, KIND_*, FLAG_*, PLATFORM_* globals, all of them', () => {
    for (const [prefix, table] of [['LEVEL', LEVEL], ['KIND', KIND], ['FLAG', FLAG], ['PLATFORM', PLATFORM]] as const) {
      const exported = Object.keys(ex).filter((n) => n.startsWith(`${prefix}_`)).sort();
      expect(exported).toEqual(Object.keys(table).map((k) => `${prefix}_${k}`).sort());
      for (const [k, v] of Object.entries(table)) expect(v, `${prefix}.${k}`).toBe(globalValue(`${prefix}_${k}`));
      expect(new Set(Object.values(table)).size, `${prefix} values are distinct`).toBe(Object.keys(table).length);
    }
  });

  test('LEVEL indexes the core\'s levels by name; FLAG is single bits; HOST_PLATFORM is this platform', () => {
    const names: Record<keyof typeof LEVEL, string> = { SOCKET: 'SOL_SOCKET', IP: 'IPPROTO_IP', IPV6: 'IPPROTO_IPV6', TCP: 'IPPROTO_TCP', UDP: 'IPPROTO_UDP' };
    for (const [k, v] of Object.entries(LEVEL)) expect(c.levels[v].name).toBe(names[k as keyof typeof LEVEL]);
    expect(c.levels.length).toBe(Object.keys(LEVEL).length);
    for (const bit of Object.values(FLAG)) expect(bit & (bit - 1)).toBe(0);
    expect(HOST_PLATFORM).toBe(process.platform === 'darwin' ? PLATFORM.MACOS : PLATFORM.LINUX);
    expect(c.byName.get('SO_TYPE')!.readable).toBe(true);
    expect(c.byName.get('SO_TYPE')!.writable).toBe(false);
  });

  test('KIND_NAMES: every kind has its name from the core', () => {
    expect(Object.keys(KIND_NAMES).length).toBe(Object.keys(KIND).length);
    expect(KIND_NAMES[KIND.INT]).toBe('int');
    expect(KIND_NAMES[KIND.BOOL]).toBe('0,1');
    expect(KIND_NAMES[KIND.OPAQUE]).toBe('bytes');
    for (const k of Object.values(KIND)) expect(KIND_NAMES[k]).toMatch(/^[a-z0-9_,]+$/);
    expect(c.exports.kindName(0)).toBe(0);
  });

  test('the core\'s ERRNO_INVAL is host/native/errno.ts\'s (generated into assembly/errno.ts)', () => {
    expect(globalValue('ERRNO_INVAL')).toBe(ERRNO_INVAL);
    expect(c.decode(KIND.INT, new Uint8Array(1025))).toBe(-ERRNO_INVAL);
    expect(c.encode(KIND.OPAQUE, [1025n], new Uint8Array(1025))).toBe(-ERRNO_INVAL);
  });
});

describe('the guest ABI translations (assembly/guestabi.ts), against the headers\' numbers', () => {
  // Linux: <bits/socket.h>, <netinet/in.h>, <sys/socket.h>; macOS: <sys/socket.h>, <netinet/in.h>.
  const { LINUX, MACOS } = PLATFORM;
  const ex = core().exports;
  test('families: INET4 1 -> AF_INET 2; INET6 2 -> AF_INET6 10 (Linux) / 30 (macOS); and back', () => {
    expect([ex.familyToHost(1, LINUX), ex.familyToHost(2, LINUX), ex.familyToHost(2, MACOS), ex.familyToHost(0, LINUX)]).toEqual([2, 10, 30, -1]);
    expect([ex.familyToGuest(2, MACOS), ex.familyToGuest(30, MACOS), ex.familyToGuest(10, MACOS), ex.familyToGuest(10, LINUX)]).toEqual([1, 2, -1, 2]);
  });
  test('socket types, protocols and shutdown directions on both platforms', () => {
    for (const p of [LINUX, MACOS]) {
      expect([ex.socktypeToHost(2, p), ex.socktypeToHost(0, p), ex.socktypeToHost(1, p), ex.socktypeToHost(3, p)]).toEqual([1, 1, 2, -1]);
      expect([ex.socktypeToGuest(1, p), ex.socktypeToGuest(2, p), ex.socktypeToGuest(3, p)]).toEqual([2, 1, 0]);
      expect([ex.protocolToHost(0, p), ex.protocolToHost(1, p), ex.protocolToHost(2, p), ex.protocolToHost(3, p)]).toEqual([0, 6, 17, -1]);
      expect([ex.protocolToGuest(6, p), ex.protocolToGuest(17, p), ex.protocolToGuest(0, p)]).toEqual([1, 2, 0]);
      expect([ex.shutdownToHost(1, p), ex.shutdownToHost(2, p), ex.shutdownToHost(3, p), ex.shutdownToHost(0, p)]).toEqual([0, 1, 2, -1]);
    }
  });
});

describe('the native layer', () => {
  test('imports nothing from the host above it (no core loader): only node:*, koffi and its own files', () => {
    const dir = new URL('../host/native/', import.meta.url);
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const text = readFileSync(new URL(file, dir), 'utf8');
      for (const m of text.matchAll(/^\s*(?:import|export)\b[^;]*?from\s+'([^']+)'/gm)) {
        expect(m[1], `host/native/${file}`).toMatch(/^(node:|koffi$|\.\/)/);
      }
    }
  });

  test('its address families are the catalogue\'s AF_INET / AF_INET6 for this host', () => {
    expect(AF_INET).toBe(core().symbols.get('AF_INET'));
    expect(AF_INET6).toBe(core().symbols.get('AF_INET6'));
  });
});

describe('catalogue', () => {
  const c = core();
  test('has about 85+ options, each with a level, a kind and a description', () => {
    expect(c.options.length).toBeGreaterThanOrEqual(85);
    for (const o of c.options) {
      expect(o.name).toMatch(/^(SO|IP|IPV6|TCP|UDP)_[A-Z0-9_]+$/);
      expect(o.description.length).toBeGreaterThan(5);
      expect(Object.values(KIND)).toContain(o.kind);
      expect(o.readable || o.writable).toBe(true);
      if (o.linux < 0 || o.macos < 0) expect(o.hint, `${o.name} needs a hint`).not.toBe('');
    }
  });

  test('names are unique and prefixes match levels', () => {
    expect(new Set(c.options.map((o) => o.name)).size).toBe(c.options.length);
    const prefix: Record<number, string> = { [LEVEL.SOCKET]: 'SO_', [LEVEL.IP]: 'IP_', [LEVEL.IPV6]: 'IPV6_', [LEVEL.TCP]: 'TCP_', [LEVEL.UDP]: 'UDP_' };
    for (const o of c.options) expect(o.name.startsWith(prefix[o.level])).toBe(true);
  });

  test('includes UDP_CORK, UDP_SEGMENT, UDP_GRO and the BSD-only IP_RECVDSTADDR', () => {
    expect(c.byName.get('UDP_CORK')?.linux).toBe(1);
    expect(c.byName.get('UDP_SEGMENT')?.linux).toBe(103);
    expect(c.byName.get('UDP_GRO')?.linux).toBe(104);
    const rd = c.byName.get('IP_RECVDSTADDR')!;
    expect(rd.linux).toBe(-1);
    expect(rd.macos).toBe(7);
    expect(rd.hint).toBe('IP_RECVDSTADDR is BSD/macOS only; on Linux use IP_PKTINFO');
  });

  test('find / findLinux map Linux numbers back to the same row, aliases never answer', () => {
    for (const o of c.options) {
      if (o.linux < 0) continue;
      const lvl = c.levels[o.level].linux;
      const id = c.exports.findLinux(lvl, o.linux);
      const id2 = c.exports.find(PLATFORM.LINUX, lvl, o.linux);
      expect(id).toBe(id2);
      if (!o.alias) expect(c.options[id].name).toBe(o.name);
      else expect(c.options[id].alias).toBe(false);
    }
    expect(c.exports.findLinux(1, 9999)).toBe(-1);
    expect(c.exports.findLinux(9999, 1)).toBe(-1);
    expect(c.exports.findLinux(-1, -1)).toBe(-1);
  });

  test('WasmEdge numbering covers SO_REUSEADDR 0 .. SO_BINDTODEVICE 14', () => {
    const expected = ['SO_REUSEADDR', 'SO_TYPE', 'SO_ERROR', 'SO_DONTROUTE', 'SO_BROADCAST', 'SO_SNDBUF', 'SO_RCVBUF',
      'SO_KEEPALIVE', 'SO_OOBINLINE', 'SO_LINGER', 'SO_RCVLOWAT', 'SO_RCVTIMEO', 'SO_SNDTIMEO', 'SO_ACCEPTCONN', 'SO_BINDTODEVICE'];
    expected.forEach((name, n) => expect(c.options[c.exports.findWasmedge(n)].name).toBe(name));
    expect(c.exports.findWasmedge(15)).toBe(-1);
    expect(c.exports.findWasmedge(-1)).toBe(-1);
  });

  test('out-of-range ids answer -1 or 0, never trap', () => {
    for (const id of [-1, c.options.length, 2 ** 31 - 1, -(2 ** 31)]) {
      expect(c.exports.level(id)).toBe(-1);
      expect(c.exports.number(id, 0)).toBe(-1);
      expect(c.exports.name(id)).toBe(0);
    }
  });
});

describe('codecs: encode then decode gives the value back, for every kind', () => {
  const c = core();
  const roundTrip = (kind: number, fields: bigint[], payload?: Uint8Array, platform: number = PLATFORM.LINUX) => {
    const bytes = c.encode(kind, fields, payload, platform);
    if (typeof bytes === 'number') throw new Error(`encode failed ${bytes}`);
    const back = c.decode(kind, bytes, platform);
    if (typeof back === 'number') throw new Error(`decode failed ${back}`);
    return { bytes, back };
  };
  const i32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map(BigInt);
  const u32 = fc.integer({ min: 0, max: 2 ** 32 - 1 }).map(BigInt);

  test('int: 4 bytes little-endian', () => {
    fc.assert(fc.property(i32, (v) => {
      const { bytes, back } = roundTrip(KIND.INT, [v]);
      expect(bytes.length).toBe(4);
      expect(new DataView(bytes.buffer).getInt32(0, true)).toBe(Number(v));
      expect(back).toEqual([v]);
    }));
  });
  test('bool: any non-zero reads 1', () => {
    fc.assert(fc.property(i32, (v) => {
      expect(roundTrip(KIND.BOOL, [v]).back).toEqual([v === 0n ? 0n : 1n]);
    }));
  });
  test('int from a 1-byte kernel answer (IP level) is that byte', () => {
    expect(c.decode(KIND.INT, new Uint8Array([64]))).toEqual([64n]);
  });
  test('linger: { onoff, seconds } in 8 bytes', () => {
    fc.assert(fc.property(i32, i32, (a, b) => {
      const { bytes, back } = roundTrip(KIND.LINGER, [a, b]);
      expect(bytes.length).toBe(8);
      expect(back).toEqual([a, b]);
    }));
  });
  test('timeval: Linux { i64 sec, i64 usec } and macOS { i64 sec, i32 usec }', () => {
    const sec = fc.bigInt({ min: 0n, max: 2n ** 62n });
    const usec = fc.integer({ min: 0, max: 999_999 }).map(BigInt);
    fc.assert(fc.property(sec, usec, (s, u) => {
      for (const p of [PLATFORM.LINUX, PLATFORM.MACOS]) {
        const { bytes, back } = roundTrip(KIND.TIMEVAL, [s, u], undefined, p);
        expect(bytes.length).toBe(16);
        expect(back).toEqual([s, u]);
      }
    }));
    expect(c.encode(KIND.TIMEVAL, [1n, 1_000_000n])).toBe(-WASI_INVAL);
  });
  test('in_addr / ip_mreq / ip_mreqn: addresses in network order', () => {
    fc.assert(fc.property(u32, u32, i32.filter((v) => v >= 0n), (a, b, idx) => {
      expect(roundTrip(KIND.IN_ADDR, [a]).back).toEqual([a]);
      expect(roundTrip(KIND.IP_MREQ, [a, b]).back).toEqual([a, b]);
      expect(roundTrip(KIND.IP_MREQN, [a, b, idx]).back).toEqual([a, b, idx]);
    }));
    const { bytes } = roundTrip(KIND.IN_ADDR, [0x7f000001n]);
    expect(Array.from(bytes)).toEqual([127, 0, 0, 1]);
    expect(c.encode(KIND.IN_ADDR, [2n ** 32n])).toBe(-WASI_INVAL);
  });
  test('ipv6_mreq: 16 address bytes and an interface index', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), u32, (addr, ifindex) => {
      const fields = [...Array.from(addr, BigInt), ifindex];
      const { bytes, back } = roundTrip(KIND.IPV6_MREQ, fields);
      expect(bytes.length).toBe(20);
      expect(back).toEqual(fields);
    }));
  });
  test('ifname and string: NUL-terminated, at most 15 characters', () => {
    fc.assert(fc.property(fc.string({ minLength: 0, maxLength: 15 }).filter((s) => !s.includes('\0') && Buffer.byteLength(s) <= 15), (s) => {
      const payload = new Uint8Array(Buffer.from(s));
      for (const kind of [KIND.IFNAME, KIND.STRING]) {
        const { bytes, back } = roundTrip(kind, [BigInt(payload.length)], payload);
        expect(bytes.length).toBe(payload.length + 1);
        expect(bytes[payload.length]).toBe(0);
        expect(back).toEqual([BigInt(payload.length)]);
      }
    }));
    expect(c.encode(KIND.IFNAME, [16n], new Uint8Array(16).fill(65))).toBe(-WASI_INVAL);
  });
  test('opaque: bytes pass through untouched', () => {
    const payload = new Uint8Array([1, 2, 3]);
    expect(Array.from(c.encode(KIND.OPAQUE, [3n], payload) as Uint8Array)).toEqual([1, 2, 3]);
  });
  test('tcp_info: decodes state, rtt, rttvar, snd_cwnd, retransmits, total_retrans at their offsets', () => {
    const b = new Uint8Array(232);
    const dv = new DataView(b.buffer);
    b[0] = 1; b[2] = 3; dv.setUint32(68, 1234, true); dv.setUint32(72, 567, true);
    dv.setUint32(80, 10, true); dv.setUint32(100, 7, true);
    const f = c.decode(KIND.TCP_INFO, b) as bigint[];
    const get = (n: string) => f[c.tcpInfoFields.indexOf(n)];
    expect([get('state'), get('retransmits'), get('rtt'), get('rttvar'), get('snd_cwnd'), get('total_retrans')])
      .toEqual([1n, 3n, 1234n, 567n, 10n, 7n]);
    // An older kernel's shorter struct decodes what is there.
    expect((c.decode(KIND.TCP_INFO, b.subarray(0, 104)) as bigint[]).length).toBe(30);
  });
  test('ucred: pid, uid, gid', () => {
    const b = new Uint8Array(12);
    const dv = new DataView(b.buffer);
    dv.setInt32(0, 42, true); dv.setUint32(4, 1000, true); dv.setUint32(8, 2000, true);
    expect(c.decode(KIND.UCRED, b)).toEqual([42n, 1000n, 2000n]);
  });
  test('too-short input is INVAL, for every fixed-size kind', () => {
    for (const kind of [KIND.INT, KIND.LINGER, KIND.TIMEVAL, KIND.IN_ADDR, KIND.IP_MREQ, KIND.IP_MREQN, KIND.IPV6_MREQ, KIND.UCRED]) {
      expect(c.decode(kind, new Uint8Array(0))).toBe(-WASI_INVAL);
    }
  });
  test('random bytes, lengths and kinds never trap the core', () => {
    fc.assert(fc.property(fc.integer({ min: -5, max: 20 }), fc.integer({ min: 0, max: 1 }), fc.uint8Array({ maxLength: 1024 }), fc.integer({ min: -10, max: 2000 }),
      (kind, platform, bytes, len) => {
        c.bytes().set(bytes);
        const n = c.exports.decode(kind, platform, len);
        expect(Number.isInteger(n)).toBe(true);
        const m = c.exports.encode(kind, platform);
        expect(Number.isInteger(m)).toBe(true);
        expect(Number.isInteger(c.exports.convert(kind, platform, 1 - platform, len))).toBe(true);
      }), { numRuns: process.env.SOCKBOX_FUZZ === 'full' ? 200_000 : 2000 });
  });
  test('convert: a Linux guest timeval becomes a macOS one and back', () => {
    const lin = c.encode(KIND.TIMEVAL, [5n, 250000n], undefined, PLATFORM.LINUX) as Uint8Array;
    c.bytes().set(lin);
    expect(c.exports.convert(KIND.TIMEVAL, PLATFORM.LINUX, PLATFORM.MACOS, 16)).toBe(16);
    expect(c.decode(KIND.TIMEVAL, c.bytes().slice(0, 16), PLATFORM.MACOS)).toEqual([5n, 250000n]);
  });
});
