// host/sandbox/policy: grant grammar, CIDR and port matching, IPv4-mapped and unspecified
// addresses, option refusals and overrides, caps, maxSockets and describe(). Pure logic:
// no sockets are opened here.

import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { core } from '../host/core.js';
import { SockboxError } from '../host/errors.js';
import { parseIPv4, parseIPv6 } from '../host/native/sockaddr.js';
import {
  DEFAULT_BUFFER_CAP, DEFAULT_MAX_SOCKETS, DEFAULT_REFUSED_GET, DEFAULT_REFUSED_SET,
  Policy, PolicyError, parseGrant, type PolicyOptions,
} from '../host/sandbox/policy.js';

/** Address text → bytes: IPv4 when it parses as IPv4, else IPv6. */
function ip(text: string): Uint8Array {
  const b = parseIPv4(text) ?? parseIPv6(text);
  if (!b) throw new Error(`test bug: bad address ${text}`);
  return b;
}

function connectOnly(...grants: string[]): Policy {
  return new Policy({ net: { connect: grants } });
}

function bindOnly(...grants: string[]): Policy {
  return new Policy({ net: { bind: grants } });
}

/** The PolicyError a function throws (fails the test if it throws anything else or nothing). */
function policyError(fn: () => unknown): PolicyError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PolicyError);
    return e as PolicyError;
  }
  throw new Error('expected a PolicyError, nothing was thrown');
}

const MiB4 = 4 * 1024 * 1024;

describe('defaults', () => {
  const p = new Policy();

  test('constants: 64 sockets, 4 MiB buffer cap', () => {
    expect(DEFAULT_MAX_SOCKETS).toBe(64);
    expect(DEFAULT_BUFFER_CAP).toBe(MiB4);
  });

  test('default policy: no connect to loopback, any address, IPv4 or IPv6', () => {
    for (const a of ['127.0.0.1', '0.0.0.0', '10.0.0.1', '255.255.255.255', '::1', '::', '::ffff:127.0.0.1', '2001:db8::1']) {
      for (const port of [0, 1, 80, 65535]) expect(p.canConnect(ip(a), port), `${a}:${port}`).toBe(false);
    }
  });

  test('default policy: no bind, not even 127.0.0.1:0 or 0.0.0.0:0', () => {
    for (const a of ['127.0.0.1', '0.0.0.0', '::1', '::', '::ffff:0.0.0.0']) {
      for (const port of [0, 8080]) expect(p.canBind(ip(a), port), `${a}:${port}`).toBe(false);
    }
  });

  test('default policy: lookup false, maxSockets 64', () => {
    expect(p.lookup).toBe(false);
    expect(p.maxSockets).toBe(64);
  });

  test('new Policy({}) and new Policy({ net: {} }) equal the default', () => {
    expect(new Policy({}).describe()).toEqual(p.describe());
    expect(new Policy({ net: {}, sockopts: {} }).describe()).toEqual(p.describe());
  });
});

describe('parseGrant: accepted forms', () => {
  test('127.0.0.1:80 → IPv4 /32, ports 80-80, text kept', () => {
    expect(parseGrant('127.0.0.1:80')).toEqual({
      family: 4, network: new Uint8Array([127, 0, 0, 1]), prefix: 32, portMin: 80, portMax: 80, text: '127.0.0.1:80',
    });
  });

  test('10.1.2.3/8:1000-2000 → network 10.0.0.0 (host bits masked), ports 1000-2000', () => {
    const g = parseGrant('10.1.2.3/8:1000-2000');
    expect(g.family).toBe(4);
    expect([...g.network]).toEqual([10, 0, 0, 0]);
    expect(g.prefix).toBe(8);
    expect([g.portMin, g.portMax]).toEqual([1000, 2000]);
    expect(g.text).toBe('10.1.2.3/8:1000-2000');
  });

  test('192.168.1.255/23:* → network 192.168.0.0 (mask inside a byte), ports 0-65535', () => {
    const g = parseGrant('192.168.1.255/23:*');
    expect([...g.network]).toEqual([192, 168, 0, 0]);
    expect([g.portMin, g.portMax]).toEqual([0, 65535]);
  });

  test('[::1]:* → IPv6 /128', () => {
    const g = parseGrant('[::1]:*');
    expect(g.family).toBe(6);
    expect(g.prefix).toBe(128);
    expect(g.network).toEqual(ip('::1'));
    expect([g.portMin, g.portMax]).toEqual([0, 65535]);
  });

  test('[fd12:3456::1]/8:80 → network fd00:: (prefix after the bracket)', () => {
    const g = parseGrant('[fd12:3456::1]/8:80');
    expect(g.network).toEqual(ip('fd00::'));
    expect(g.prefix).toBe(8);
  });

  test('[2001:DB8::]/32:443 → upper-case hex accepted', () => {
    expect(parseGrant('[2001:DB8::]/32:443').network).toEqual(ip('2001:db8::'));
  });

  test('0.0.0.0/0:*, 0.0.0.0:0, [::]:8080, [::]/0:0-0 are accepted', () => {
    expect(parseGrant('0.0.0.0/0:*').prefix).toBe(0);
    expect(parseGrant('0.0.0.0:0')).toMatchObject({ prefix: 32, portMin: 0, portMax: 0 });
    expect(parseGrant('[::]:8080')).toMatchObject({ family: 6, prefix: 128, portMin: 8080, portMax: 8080 });
    expect(parseGrant('[::]/0:0-0')).toMatchObject({ family: 6, prefix: 0, portMin: 0, portMax: 0 });
  });

  test('port edges: 0, 65535, 0-65535 and N-N accepted', () => {
    expect(parseGrant('1.2.3.4:0')).toMatchObject({ portMin: 0, portMax: 0 });
    expect(parseGrant('1.2.3.4:65535')).toMatchObject({ portMin: 65535, portMax: 65535 });
    expect(parseGrant('1.2.3.4:0-65535')).toMatchObject({ portMin: 0, portMax: 65535 });
    expect(parseGrant('1.2.3.4:7-7')).toMatchObject({ portMin: 7, portMax: 7 });
  });

  test('prefix edges: /32 and /128 accepted', () => {
    expect(parseGrant('1.2.3.4/32:1').prefix).toBe(32);
    expect(parseGrant('[::1]/128:1').prefix).toBe(128);
  });
});

describe('parseGrant: errors', () => {
  test("'10.0.0.1' (no ports) → exactly \"bad grant '10.0.0.1': expected ADDR[/PREFIX]:PORTS\"", () => {
    const e = policyError(() => parseGrant('10.0.0.1'));
    expect(e.message).toBe("bad grant '10.0.0.1': expected ADDR[/PREFIX]:PORTS");
  });

  test('PolicyError is a SockboxError with code ERR_SOCKBOX_POLICY and name PolicyError', () => {
    const e = policyError(() => parseGrant('nope'));
    expect(e).toBeInstanceOf(SockboxError);
    expect(e.code).toBe('ERR_SOCKBOX_POLICY');
    expect(e.name).toBe('PolicyError');
  });

  const cases: [string, string, RegExp][] = [
    ['empty string', '', /empty/],
    ['leading space', ' 10.0.0.1:80', /whitespace/],
    ['trailing space', '10.0.0.1:80 ', /whitespace/],
    ['space before colon', '10.0.0.1 :80', /whitespace/],
    ['tab in ports', '10.0.0.1:\t80', /whitespace/],
    ['newline at end', '10.0.0.1:80\n', /whitespace/],
    ['space inside brackets', '[ ::1]:80', /whitespace/],
    ['host name', 'localhost:80', /not an IP address/],
    ['domain name', 'example.com:443', /not an IP address/],
    ['name with prefix', 'example.com/24:443', /not an IP address/],
    ['octet > 255', '256.0.0.1:80', /bad IPv4 address '256\.0\.0\.1'/],
    ['three octets', '10.0.0:80', /bad IPv4 address/],
    ['five octets', '1.2.3.4.5:80', /bad IPv4 address/],
    ['leading zero octet', '10.0.0.01:80', /bad IPv4 address/],
    ['empty address', ':80', /bad IPv4 address ''/],
    ['port 65536', '10.0.0.1:65536', /bad ports '65536'/],
    ['range end 65536', '10.0.0.1:0-65536', /bad ports '0-65536'/],
    ['huge port', '10.0.0.1:99999999', /bad ports/],
    ['range reversed', '10.0.0.1:80-79', /bad ports '80-79': 80 > 79/],
    ['empty ports', '10.0.0.1:', /missing PORTS/],
    ['range without start', '10.0.0.1:-80', /bad ports/],
    ['range without end', '10.0.0.1:80-', /bad ports/],
    ['three-part range', '10.0.0.1:1-2-3', /bad ports/],
    ['plus sign', '10.0.0.1:+80', /bad ports/],
    ['leading zero port', '10.0.0.1:080', /bad ports/],
    ['hex port', '10.0.0.1:0x50', /bad ports/],
    ['double star', '10.0.0.1:**', /bad ports/],
    ['star in range', '10.0.0.1:1-*', /bad ports/],
    ['named port', '10.0.0.1:http', /bad ports/],
    ['two port fields', '10.0.0.1:80:81', /bad ports '80:81'/],
    ['prefix after ports', '10.0.0.1:80/8', /bad ports/],
    ['IPv4 prefix 33', '10.0.0.0/33:80', /bad prefix '33': expected 0\.\.32/],
    ['IPv6 prefix 129', '[::]/129:80', /bad prefix '129': expected 0\.\.128/],
    ['empty prefix', '10.0.0.0/:80', /bad prefix ''/],
    ['negative prefix', '10.0.0.0/-1:80', /bad prefix/],
    ['leading zero prefix', '10.0.0.0/08:80', /bad prefix/],
    ['two prefixes', '10.0.0.0/8/8:80', /bad prefix/],
    ['prefix without ports', '10.0.0.0/8', /expected ADDR\[\/PREFIX\]:PORTS/],
    ['unclosed bracket', '[::1:80', /'\[' without '\]'/],
    ['closing bracket only', '::1]:80', /bad brackets/],
    ['double brackets', '[[::1]]:80', /bad brackets/],
    ['extra closing bracket', '[::1]]:80', /bad brackets/],
    ['bracket after prefix', '[::1]/8]:80', /bad brackets/],
    ['IPv4 in brackets', '[10.0.0.1]:80', /bad IPv6 address '10\.0\.0\.1'/],
    ['IPv6 prefix inside brackets', '[fd00::/8]:80', /bad IPv6 address/],
    ['IPv6 without ports', '[::1]', /expected ADDR/],
    ['IPv6 without colon before ports', '[::1]80', /expected ADDR/],
    ['IPv6 prefix without ports', '[fd00::]/8', /expected ADDR/],
    ['unbracketed IPv6', '::1:80', /IPv6 addresses go in brackets/],
    ['unbracketed IPv6 with prefix', 'fd00::/8:80', /IPv6 addresses go in brackets/],
    ['bad IPv6 digit', '[::g]:80', /bad IPv6 address '::g'/],
    ['two ::', '[1::2::3]:80', /bad IPv6 address/],
    ['zone id', '[fe80::1%eth0]:80', /bad IPv6 address/],
    ['empty brackets', '[]:80', /bad IPv6 address ''/],
    ['IPv4-mapped IPv6 grant (could never match)', '[::ffff:10.0.0.1]:80', /write the grant as IPv4/],
    ['IPv4-mapped IPv6 /96 grant', '[::ffff:0:0]/96:*', /write the grant as IPv4/],
  ];
  test.each(cases)('%s: %j → PolicyError %s', (_what, text, message) => {
    const e = policyError(() => parseGrant(text));
    expect(e.message).toMatch(message);
    expect(e.message.startsWith('bad grant ')).toBe(true);
    expect(e.message).not.toMatch(/[\n\r]/);
  });

  test('every message names the bad text in quotes', () => {
    for (const [, text] of cases) {
      if (/[\s]/.test(text)) continue; // escaped, checked below
      expect(policyError(() => parseGrant(text)).message).toContain(`'${text}'`);
    }
    expect(policyError(() => parseGrant('10.0.0.1:80\n')).message).toContain("'10.0.0.1:80\\n'");
  });

  test('a non-string grant → PolicyError, not a crash', () => {
    expect(policyError(() => parseGrant(42 as unknown as string)).message).toMatch(/bad grant 42: expected a string/);
    expect(policyError(() => new Policy({ net: { connect: [null as unknown as string] } })).message).toMatch(/net\.connect/);
  });

  test('new Policy: a bad grant in connect or in bind throws PolicyError', () => {
    expect(policyError(() => connectOnly('127.0.0.1:80', 'localhost:80')).message).toMatch(/'localhost:80'/);
    expect(policyError(() => bindOnly('127.0.0.1')).message).toBe("bad grant '127.0.0.1': expected ADDR[/PREFIX]:PORTS");
  });

  test('new Policy: net.connect as a single string (not an array) → PolicyError', () => {
    const opts = { net: { connect: '127.0.0.1:80' } } as unknown as PolicyOptions;
    expect(policyError(() => new Policy(opts)).message).toMatch(/net\.connect must be an array of strings/);
  });

  test('new Policy: misspelt net key → PolicyError', () => {
    const opts = { net: { connnect: ['127.0.0.1:80'] } } as unknown as PolicyOptions;
    expect(policyError(() => new Policy(opts)).message).toMatch(/unknown net key 'connnect'/);
  });

  test('new Policy: net.lookup not a boolean → PolicyError', () => {
    const opts = { net: { lookup: 'yes' } } as unknown as PolicyOptions;
    expect(policyError(() => new Policy(opts)).message).toMatch(/net\.lookup must be true, false or an array of name patterns/);
  });
});

describe('CIDR containment (IPv4)', () => {
  test('canConnect: prefix 0 (0.0.0.0/0:*) allows every IPv4 address', () => {
    const p = connectOnly('0.0.0.0/0:*');
    for (const a of ['0.0.0.1', '1.2.3.4', '127.0.0.1', '255.255.255.255', '0.0.0.0']) expect(p.canConnect(ip(a), 80), a).toBe(true);
  });

  test('canConnect: prefix 8 (10.0.0.0/8) allows 10.0.0.0 and 10.255.255.255, refuses 9.255.255.255 and 11.0.0.0', () => {
    const p = connectOnly('10.0.0.0/8:80');
    expect(p.canConnect(ip('10.0.0.0'), 80)).toBe(true);
    expect(p.canConnect(ip('10.255.255.255'), 80)).toBe(true);
    expect(p.canConnect(ip('9.255.255.255'), 80)).toBe(false);
    expect(p.canConnect(ip('11.0.0.0'), 80)).toBe(false);
  });

  test('canConnect: host bits in the grant are masked (10.1.2.3/8 allows 10.200.0.1)', () => {
    expect(connectOnly('10.1.2.3/8:80').canConnect(ip('10.200.0.1'), 80)).toBe(true);
  });

  test('canConnect: prefix 31 (192.168.1.4/31) allows .4 and .5, refuses .3 and .6', () => {
    const p = connectOnly('192.168.1.4/31:80');
    expect(p.canConnect(ip('192.168.1.4'), 80)).toBe(true);
    expect(p.canConnect(ip('192.168.1.5'), 80)).toBe(true);
    expect(p.canConnect(ip('192.168.1.3'), 80)).toBe(false);
    expect(p.canConnect(ip('192.168.1.6'), 80)).toBe(false);
  });

  test('canConnect: prefix 31 on the top bit edge (128.0.0.0/1) splits the space at 128.0.0.0', () => {
    const p = connectOnly('128.0.0.0/1:*');
    expect(p.canConnect(ip('128.0.0.0'), 1)).toBe(true);
    expect(p.canConnect(ip('255.255.255.255'), 1)).toBe(true);
    expect(p.canConnect(ip('127.255.255.255'), 1)).toBe(false);
  });

  test('canConnect: prefix 32 (192.168.1.4:80) allows only 192.168.1.4', () => {
    const p = connectOnly('192.168.1.4:80');
    expect(p.canConnect(ip('192.168.1.4'), 80)).toBe(true);
    expect(p.canConnect(ip('192.168.1.5'), 80)).toBe(false);
    expect(p.canConnect(ip('192.168.1.3'), 80)).toBe(false);
  });

  test('canConnect: explicit /32 equals no prefix', () => {
    const p = connectOnly('192.168.1.4/32:80');
    expect(p.canConnect(ip('192.168.1.4'), 80)).toBe(true);
    expect(p.canConnect(ip('192.168.1.5'), 80)).toBe(false);
  });

  test('canConnect: any of several grants may match', () => {
    const p = connectOnly('10.0.0.1:80', '10.0.0.2:443');
    expect(p.canConnect(ip('10.0.0.1'), 80)).toBe(true);
    expect(p.canConnect(ip('10.0.0.2'), 443)).toBe(true);
    expect(p.canConnect(ip('10.0.0.1'), 443)).toBe(false);
    expect(p.canConnect(ip('10.0.0.2'), 80)).toBe(false);
  });

  test('property: IPv4 canConnect equals (addr >> (32-prefix)) == (net >> (32-prefix)) and port in range', () => {
    fc.assert(fc.property(
      fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.integer({ min: 0, max: 32 }),
      fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 65535 }),
      fc.integer({ min: 0, max: 65535 }),
      (net, prefix, addr, p1, p2, port) => {
        const [lo, hi] = p1 <= p2 ? [p1, p2] : [p2, p1];
        const policy = connectOnly(`${net.join('.')}/${prefix}:${lo}-${hi}`);
        const big = (b: Uint8Array) => BigInt(((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0);
        const shift = BigInt(32 - prefix);
        const netBig = big(net) >> shift;
        const addrBig = big(addr) >> shift;
        const unspecified = big(addr) === 0n;
        const expected = port >= lo && port <= hi && (unspecified ? netBig === 0n : netBig === addrBig);
        expect(policy.canConnect(addr, port)).toBe(expected);
      },
    ), { numRuns: 500 });
  });
});

describe('CIDR containment (IPv6)', () => {
  test('canConnect: /64 (2001:db8:0:1::/64) allows the first and last address, refuses neighbours', () => {
    const p = connectOnly('[2001:db8:0:1::]/64:443');
    expect(p.canConnect(ip('2001:db8:0:1::'), 443)).toBe(true);
    expect(p.canConnect(ip('2001:db8:0:1:ffff:ffff:ffff:ffff'), 443)).toBe(true);
    expect(p.canConnect(ip('2001:db8:0:2::'), 443)).toBe(false);
    expect(p.canConnect(ip('2001:db8:0:0:ffff:ffff:ffff:ffff'), 443)).toBe(false);
  });

  test('canConnect: /128 ([::1]:80) allows ::1 only, refuses ::2 and ::', () => {
    const p = connectOnly('[::1]:80');
    expect(p.canConnect(ip('::1'), 80)).toBe(true);
    expect(p.canConnect(ip('::2'), 80)).toBe(false);
    expect(p.canConnect(ip('::'), 80)).toBe(false);
  });

  test('canConnect: /8 ([fd00::]/8) allows fdff::1, refuses fc00::1 and fe00::1', () => {
    const p = connectOnly('[fd00::]/8:*');
    expect(p.canConnect(ip('fd00::'), 1)).toBe(true);
    expect(p.canConnect(ip('fdff:ffff::1'), 1)).toBe(true);
    expect(p.canConnect(ip('fc00::1'), 1)).toBe(false);
    expect(p.canConnect(ip('fe00::1'), 1)).toBe(false);
  });

  test('canConnect: /33 across a word boundary (2001:db8:8000::/33) allows 2001:db8:ffff::, refuses 2001:db8:7fff::', () => {
    const p = connectOnly('[2001:db8:8000::]/33:*');
    expect(p.canConnect(ip('2001:db8:ffff::1'), 1)).toBe(true);
    expect(p.canConnect(ip('2001:db8:7fff:ffff::'), 1)).toBe(false);
  });

  test('canConnect: /0 ([::]/0:*) allows every IPv6 address, including ::', () => {
    const p = connectOnly('[::]/0:*');
    for (const a of ['::1', '2001:db8::1', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'fe80::1', '::']) expect(p.canConnect(ip(a), 1), a).toBe(true);
  });

  test('canConnect: IPv6 grants never match 4-byte IPv4 addresses', () => {
    const p = connectOnly('[::]/0:*');
    expect(p.canConnect(ip('127.0.0.1'), 80)).toBe(false);
    expect(p.canConnect(ip('0.0.0.0'), 80)).toBe(false);
  });

  test('canConnect: IPv4 grants never match native IPv6 addresses', () => {
    const p = connectOnly('0.0.0.0/0:*');
    expect(p.canConnect(ip('::1'), 80)).toBe(false);
    expect(p.canConnect(ip('2001:db8::1'), 80)).toBe(false);
    // ::7f00:1 (IPv4-compatible, deprecated) is not IPv4-mapped: it stays IPv6.
    expect(p.canConnect(ip('::127.0.0.1'), 80)).toBe(false);
  });

  test('property: IPv6 canConnect equals the BigInt prefix comparison (non-mapped addresses)', () => {
    const toBig = (b: Uint8Array) => b.reduce((acc, x) => (acc << 8n) | BigInt(x), 0n);
    fc.assert(fc.property(
      fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.integer({ min: 0, max: 128 }),
      fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.integer({ min: 0, max: 128 }),
      (net, prefix, addr, sharedBits) => {
        // Make the address share `sharedBits` leading bits with the network, so matches happen.
        const a = toBig(addr), n = toBig(net);
        const keep = BigInt(128 - sharedBits);
        const mixed = ((n >> keep) << keep) | (a & ((1n << keep) - 1n));
        const bytes = new Uint8Array(16);
        for (let i = 0; i < 16; i++) bytes[i] = Number((mixed >> BigInt(8 * (15 - i))) & 0xffn);
        const mapped = bytes.subarray(0, 10).every((x) => x === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
        const netMapped = net.subarray(0, 10).every((x) => x === 0) && net[10] === 0xff && net[11] === 0xff;
        fc.pre(!mapped && !(netMapped && prefix >= 96));
        const hex = Array.from({ length: 8 }, (_, i) => ((net[2 * i] << 8) | net[2 * i + 1]).toString(16)).join(':');
        const policy = connectOnly(`[${hex}]/${prefix}:*`);
        const shift = BigInt(128 - prefix);
        const netPart = n >> shift;
        const expected = mixed === 0n ? netPart === 0n : netPart === mixed >> shift;
        expect(policy.canConnect(bytes, 443)).toBe(expected);
      },
    ), { numRuns: 500 });
  });
});

describe('ports', () => {
  test('canBind: port 0 (ephemeral) allowed under 127.0.0.1:0, port 1 refused', () => {
    const p = bindOnly('127.0.0.1:0');
    expect(p.canBind(ip('127.0.0.1'), 0)).toBe(true);
    expect(p.canBind(ip('127.0.0.1'), 1)).toBe(false);
  });

  test('canBind: port 0 refused under 127.0.0.1:1024-65535', () => {
    const p = bindOnly('127.0.0.1:1024-65535');
    expect(p.canBind(ip('127.0.0.1'), 0)).toBe(false);
    expect(p.canBind(ip('127.0.0.1'), 1024)).toBe(true);
  });

  test('canBind: port 0 allowed under 127.0.0.1:* and 127.0.0.1:0-10', () => {
    expect(bindOnly('127.0.0.1:*').canBind(ip('127.0.0.1'), 0)).toBe(true);
    expect(bindOnly('127.0.0.1:0-10').canBind(ip('127.0.0.1'), 0)).toBe(true);
  });

  test('canConnect: 127.0.0.1:65535 allows 65535, refuses 65534', () => {
    const p = connectOnly('127.0.0.1:65535');
    expect(p.canConnect(ip('127.0.0.1'), 65535)).toBe(true);
    expect(p.canConnect(ip('127.0.0.1'), 65534)).toBe(false);
  });

  test('canConnect: * allows 0 and 65535', () => {
    const p = connectOnly('127.0.0.1:*');
    expect(p.canConnect(ip('127.0.0.1'), 0)).toBe(true);
    expect(p.canConnect(ip('127.0.0.1'), 65535)).toBe(true);
  });

  test('canConnect: 1000-2000 is inclusive: 999 refused, 1000 and 2000 allowed, 2001 refused', () => {
    const p = connectOnly('127.0.0.1:1000-2000');
    expect(p.canConnect(ip('127.0.0.1'), 999)).toBe(false);
    expect(p.canConnect(ip('127.0.0.1'), 1000)).toBe(true);
    expect(p.canConnect(ip('127.0.0.1'), 2000)).toBe(true);
    expect(p.canConnect(ip('127.0.0.1'), 2001)).toBe(false);
  });

  test('canConnect: ports outside 0..65535 or not integers are refused even under *', () => {
    const p = connectOnly('127.0.0.1:*', '[::1]:*');
    for (const port of [-1, 65536, 1.5, Number.NaN, Infinity, 2 ** 32]) {
      expect(p.canConnect(ip('127.0.0.1'), port), String(port)).toBe(false);
      expect(p.canConnect(ip('::1'), port), String(port)).toBe(false);
    }
  });

  test('canConnect: an address that is not 4 or 16 bytes is refused', () => {
    const p = connectOnly('0.0.0.0/0:*', '[::]/0:*');
    for (const n of [0, 3, 5, 8, 15, 17]) expect(p.canConnect(new Uint8Array(n).fill(1), 80), `${n} bytes`).toBe(false);
  });

  test('canConnect: a view into a larger buffer (guest memory) is read at its own offset', () => {
    const memory = new Uint8Array(64);
    memory.set([10, 0, 0, 7], 20);
    const p = connectOnly('10.0.0.7:80');
    expect(p.canConnect(memory.subarray(20, 24), 80)).toBe(true);
    expect(p.canConnect(memory.subarray(19, 23), 80)).toBe(false);
  });
});

describe('connect and bind grants are separate', () => {
  test('a connect grant does not allow bind, a bind grant does not allow connect', () => {
    const p = new Policy({ net: { connect: ['127.0.0.1:80'], bind: ['127.0.0.1:0'] } });
    expect(p.canConnect(ip('127.0.0.1'), 80)).toBe(true);
    expect(p.canBind(ip('127.0.0.1'), 80)).toBe(false);
    expect(p.canBind(ip('127.0.0.1'), 0)).toBe(true);
    expect(p.canConnect(ip('127.0.0.1'), 0)).toBe(false);
  });

  test('lookup: true only when granted', () => {
    expect(new Policy({ net: { lookup: true } }).lookup).toBe(true);
    expect(new Policy({ net: { lookup: false } }).lookup).toBe(false);
    expect(new Policy({ net: { connect: ['0.0.0.0/0:*'] } }).lookup).toBe(false);
  });
});

describe('IPv4-mapped IPv6 addresses', () => {
  test('canConnect: ::ffff:127.0.0.1 allowed under 127.0.0.1:80 (matched as IPv4)', () => {
    expect(connectOnly('127.0.0.1:80').canConnect(ip('::ffff:127.0.0.1'), 80)).toBe(true);
  });

  test('canConnect: ::ffff:10.9.8.7 allowed under 10.0.0.0/8:*, ::ffff:11.0.0.1 refused', () => {
    const p = connectOnly('10.0.0.0/8:*');
    expect(p.canConnect(ip('::ffff:10.9.8.7'), 5)).toBe(true);
    expect(p.canConnect(ip('::ffff:11.0.0.1'), 5)).toBe(false);
  });

  test('canConnect: ::ffff:127.0.0.1 refused under [::]/0:* (IPv6 grants never match IPv4)', () => {
    expect(connectOnly('[::]/0:*').canConnect(ip('::ffff:127.0.0.1'), 80)).toBe(false);
  });

  test('canBind: ::ffff:127.0.0.1:0 follows the IPv4 port range', () => {
    const p = bindOnly('127.0.0.1:1000');
    expect(p.canBind(ip('::ffff:127.0.0.1'), 1000)).toBe(true);
    expect(p.canBind(ip('::ffff:127.0.0.1'), 0)).toBe(false);
  });

  test('canConnect: ::fffe:127.0.0.1 and 0:0:0:0:1:ffff:7f00:1 are not mapped (refused under 127.0.0.1:80)', () => {
    const p = connectOnly('127.0.0.1:80');
    expect(p.canConnect(ip('::fffe:7f00:1'), 80)).toBe(false);
    expect(p.canConnect(ip('0:0:0:0:1:ffff:7f00:1'), 80)).toBe(false);
  });
});

describe('unspecified address (0.0.0.0, ::)', () => {
  test('canBind: 0.0.0.0 refused under 127.0.0.0/8:*', () => {
    const p = bindOnly('127.0.0.0/8:*');
    expect(p.canBind(ip('0.0.0.0'), 0)).toBe(false);
    expect(p.canBind(ip('0.0.0.0'), 8080)).toBe(false);
    expect(p.canBind(ip('127.0.0.1'), 0)).toBe(true);
  });

  test('canConnect: 0.0.0.0 refused under 127.0.0.0/8:* (the rule holds for connect too)', () => {
    expect(connectOnly('127.0.0.0/8:*').canConnect(ip('0.0.0.0'), 80)).toBe(false);
  });

  test('canBind: 0.0.0.0:0 allowed under 0.0.0.0:0; port 1 refused; 127.0.0.1:0 refused', () => {
    const p = bindOnly('0.0.0.0:0');
    expect(p.canBind(ip('0.0.0.0'), 0)).toBe(true);
    expect(p.canBind(ip('0.0.0.0'), 1)).toBe(false);
    expect(p.canBind(ip('127.0.0.1'), 0)).toBe(false);
  });

  test('canBind: 0.0.0.0:8080 allowed under 0.0.0.0/0:*', () => {
    expect(bindOnly('0.0.0.0/0:*').canBind(ip('0.0.0.0'), 8080)).toBe(true);
  });

  test('canBind: 0.0.0.0 allowed under 10.1.2.3/0:* (the masked network is 0.0.0.0)', () => {
    expect(bindOnly('10.1.2.3/0:*').canBind(ip('0.0.0.0'), 1)).toBe(true);
  });

  test('canBind: :: allowed under [::]:8080 on 8080 only; ::1 refused', () => {
    const p = bindOnly('[::]:8080');
    expect(p.canBind(ip('::'), 8080)).toBe(true);
    expect(p.canBind(ip('::'), 8081)).toBe(false);
    expect(p.canBind(ip('::1'), 8080)).toBe(false);
  });

  test('canBind: :: refused under [::1]:* and [fd00::]/8:*, allowed under [::]/0:*', () => {
    expect(bindOnly('[::1]:*').canBind(ip('::'), 0)).toBe(false);
    expect(bindOnly('[fd00::]/8:*').canBind(ip('::'), 0)).toBe(false);
    expect(bindOnly('[::]/0:*').canBind(ip('::'), 0)).toBe(true);
  });

  test('canBind: :: refused under 0.0.0.0/0:*, 0.0.0.0 refused under [::]/0:* (families do not mix)', () => {
    expect(bindOnly('0.0.0.0/0:*').canBind(ip('::'), 0)).toBe(false);
    expect(bindOnly('[::]/0:*').canBind(ip('0.0.0.0'), 0)).toBe(false);
  });

  test('canBind: ::ffff:0.0.0.0 is IPv4 0.0.0.0: allowed under 0.0.0.0:0, refused under [::]:0 and 127.0.0.0/8:*', () => {
    expect(bindOnly('0.0.0.0:0').canBind(ip('::ffff:0.0.0.0'), 0)).toBe(true);
    expect(bindOnly('[::]:0').canBind(ip('::ffff:0.0.0.0'), 0)).toBe(false);
    expect(bindOnly('[::]/0:*').canBind(ip('::ffff:0.0.0.0'), 0)).toBe(false);
    expect(bindOnly('127.0.0.0/8:*').canBind(ip('::ffff:0.0.0.0'), 0)).toBe(false);
  });

  test('canConnect: :: refused under [::1]:*', () => {
    expect(connectOnly('[::1]:*').canConnect(ip('::'), 80)).toBe(false);
  });
});

describe('options: defaults', () => {
  const p = new Policy();
  const c = core();

  test('DEFAULT_REFUSED_SET and DEFAULT_REFUSED_GET are the documented lists', () => {
    expect([...DEFAULT_REFUSED_SET].sort()).toEqual([
      'IPV6_DSTOPTS', 'IPV6_HOPOPTS', 'IPV6_JOIN_GROUP', 'IPV6_LEAVE_GROUP', 'IPV6_NEXTHOP', 'IPV6_PKTINFO',
      'IPV6_RTHDR', 'IPV6_RTHDRDSTOPTS', 'IP_ADD_MEMBERSHIP', 'IP_DROP_MEMBERSHIP', 'IP_HDRINCL', 'IP_OPTIONS',
      'IP_TRANSPARENT', 'SO_ATTACH_BPF', 'SO_ATTACH_FILTER', 'SO_BINDTODEVICE', 'SO_BINDTOIFINDEX',
      'SO_BUSY_POLL', 'SO_DEBUG', 'SO_DETACH_FILTER', 'SO_LOCK_FILTER', 'SO_MARK', 'SO_PRIORITY', 'SO_REUSEPORT',
    ]);
    expect([...DEFAULT_REFUSED_GET].sort()).toEqual(['SO_PEERCRED', 'SO_PEERSEC']);
    expect(Object.isFrozen(DEFAULT_REFUSED_SET)).toBe(true);
    expect(Object.isFrozen(DEFAULT_REFUSED_GET)).toBe(true);
  });

  test('every default-refused name is in the catalogue', () => {
    for (const name of [...DEFAULT_REFUSED_SET, ...DEFAULT_REFUSED_GET]) expect(c.byName.has(name), name).toBe(true);
  });

  test.each([...DEFAULT_REFUSED_SET])('canSet(%s): false by default; canGet: true', (name) => {
    expect(p.canSet(name)).toBe(false);
    expect(p.canSet(name, 0)).toBe(false);
    expect(p.canGet(name)).toBe(true);
  });

  test.each([...DEFAULT_REFUSED_GET])('canGet(%s): false by default', (name) => {
    expect(p.canGet(name)).toBe(false);
  });

  test('every other catalogue option: canGet true, canSet true (capped ones with value 0)', () => {
    for (const o of c.options) {
      if (!DEFAULT_REFUSED_GET.includes(o.name)) expect(p.canGet(o.name), o.name).toBe(true);
      if (!DEFAULT_REFUSED_SET.includes(o.name)) expect(p.canSet(o.name, 0), o.name).toBe(true);
    }
  });

  test('non-capped options: canSet without a value is true (IP_TOS, TCP_NODELAY, SO_LINGER)', () => {
    for (const name of ['IP_TOS', 'TCP_NODELAY', 'SO_LINGER', 'TCP_CONGESTION']) expect(p.canSet(name), name).toBe(true);
  });

  test('unknown names: canGet and canSet false (SO_NOPE, "", lower case, prototype keys)', () => {
    for (const name of ['SO_NOPE', '', 'so_rcvbuf', 'SO_RCVBUF ', 'toString', '__proto__', 'constructor', 'hasOwnProperty']) {
      expect(p.canGet(name), name).toBe(false);
      expect(p.canSet(name), name).toBe(false);
      expect(p.canSet(name, 1), name).toBe(false);
    }
    const open = new Policy({ sockopts: { allowSet: [...DEFAULT_REFUSED_SET], allowGet: [...DEFAULT_REFUSED_GET] } });
    expect(open.canGet('SO_NOPE')).toBe(false);
    expect(open.canSet('SO_NOPE', 0)).toBe(false);
  });
});

describe('options: overrides', () => {
  test('allowSet [SO_BINDTODEVICE]: canSet(SO_BINDTODEVICE) true; other defaults still refused', () => {
    const p = new Policy({ sockopts: { allowSet: ['SO_BINDTODEVICE'] } });
    expect(p.canSet('SO_BINDTODEVICE')).toBe(true);
    for (const name of DEFAULT_REFUSED_SET) if (name !== 'SO_BINDTODEVICE') expect(p.canSet(name), name).toBe(false);
  });

  test('allowGet [SO_PEERCRED]: canGet(SO_PEERCRED) true, SO_PEERSEC still false', () => {
    const p = new Policy({ sockopts: { allowGet: ['SO_PEERCRED'] } });
    expect(p.canGet('SO_PEERCRED')).toBe(true);
    expect(p.canGet('SO_PEERSEC')).toBe(false);
  });

  test('denyGet [TCP_INFO]: canGet(TCP_INFO) false; others unaffected', () => {
    const p = new Policy({ sockopts: { denyGet: ['TCP_INFO'] } });
    expect(p.canGet('TCP_INFO')).toBe(false);
    expect(p.canGet('TCP_NODELAY')).toBe(true);
  });

  test('denySet [IP_TOS]: canSet(IP_TOS) false, canGet(IP_TOS) still true', () => {
    const p = new Policy({ sockopts: { denySet: ['IP_TOS'] } });
    expect(p.canSet('IP_TOS', 0)).toBe(false);
    expect(p.canGet('IP_TOS')).toBe(true);
  });

  test('deny wins over allow: a name in allowSet and denySet is refused (same for get)', () => {
    const p = new Policy({
      sockopts: { allowSet: ['SO_MARK', 'IP_TTL'], denySet: ['SO_MARK', 'IP_TTL'], allowGet: ['SO_PEERSEC'], denyGet: ['SO_PEERSEC'] },
    });
    expect(p.canSet('SO_MARK', 1)).toBe(false);
    expect(p.canSet('IP_TTL', 1)).toBe(false);
    expect(p.canGet('SO_PEERSEC')).toBe(false);
  });

  test('denying an alias refuses the option it names too (IP_RETOPTS ↔ IP_RECVRETOPTS share a Linux number)', () => {
    const c = core();
    const alias = c.byName.get('IP_RETOPTS');
    const primary = c.byName.get('IP_RECVRETOPTS');
    if (!alias?.alias || !primary || alias.linux !== primary.linux) return; // catalogue changed
    const p = new Policy({ sockopts: { denySet: ['IP_RETOPTS'], denyGet: ['IP_RECVRETOPTS'] } });
    expect(p.canSet('IP_RECVRETOPTS')).toBe(false);
    expect(p.canSet('IP_RETOPTS')).toBe(false);
    expect(p.canGet('IP_RETOPTS')).toBe(false);
    expect(p.canGet('IP_RECVRETOPTS')).toBe(false);
    expect(new Policy().canSet('IP_RECVRETOPTS')).toBe(true);
  });

  test.each(['allowSet', 'denySet', 'allowGet', 'denyGet'] as const)('%s with an unknown name → PolicyError naming it', (key) => {
    const e = policyError(() => new Policy({ sockopts: { [key]: ['SO_RCVBUF', 'SO_NOPE'] } }));
    expect(e.message).toBe(`unknown socket option 'SO_NOPE' in sockopts.${key}`);
  });

  test('option names are case-sensitive: allowSet [so_mark] → PolicyError', () => {
    expect(policyError(() => new Policy({ sockopts: { allowSet: ['so_mark'] } })).message).toMatch(/'so_mark'/);
  });

  test('allowSet not an array, or with a non-string → PolicyError', () => {
    expect(policyError(() => new Policy({ sockopts: { allowSet: 'SO_MARK' as unknown as string[] } })).message)
      .toMatch(/sockopts\.allowSet must be an array of strings/);
    expect(policyError(() => new Policy({ sockopts: { denyGet: [7 as unknown as string] } })).message)
      .toMatch(/sockopts\.denyGet must be an array of strings, got item 7/);
  });

  test('misspelt sockopts key → PolicyError', () => {
    const opts = { sockopts: { allowset: ['SO_MARK'] } } as unknown as PolicyOptions;
    expect(policyError(() => new Policy(opts)).message).toMatch(/unknown sockopts key 'allowset'/);
  });
});

describe('caps on SO_RCVBUF / SO_SNDBUF', () => {
  test('default cap: 4 MiB allowed, 4 MiB + 1 refused, for both', () => {
    const p = new Policy();
    for (const name of ['SO_RCVBUF', 'SO_SNDBUF']) {
      expect(p.canSet(name, MiB4), name).toBe(true);
      expect(p.canSet(name, MiB4 + 1), name).toBe(false);
      expect(p.canSet(name, 0), name).toBe(true);
      expect(p.canSet(name, 2 ** 31 - 1), name).toBe(false);
    }
  });

  test('caps { SO_RCVBUF: 65536 }: 65536 allowed, 65537 refused; SO_SNDBUF keeps 4 MiB', () => {
    const p = new Policy({ sockopts: { caps: { SO_RCVBUF: 65536 } } });
    expect(p.canSet('SO_RCVBUF', 65536)).toBe(true);
    expect(p.canSet('SO_RCVBUF', 65537)).toBe(false);
    expect(p.canSet('SO_SNDBUF', 65537)).toBe(true);
    expect(p.canSet('SO_SNDBUF', MiB4 + 1)).toBe(false);
  });

  test('caps { SO_SNDBUF: 8192 }: 8192 allowed, 8193 refused', () => {
    const p = new Policy({ sockopts: { caps: { SO_SNDBUF: 8192 } } });
    expect(p.canSet('SO_SNDBUF', 8192)).toBe(true);
    expect(p.canSet('SO_SNDBUF', 8193)).toBe(false);
  });

  test('cap 0: 0 allowed, 1 refused', () => {
    const p = new Policy({ sockopts: { caps: { SO_RCVBUF: 0 } } });
    expect(p.canSet('SO_RCVBUF', 0)).toBe(true);
    expect(p.canSet('SO_RCVBUF', 1)).toBe(false);
  });

  test('negative value: allowed (it is ≤ the cap; the kernel decides)', () => {
    expect(new Policy().canSet('SO_RCVBUF', -1)).toBe(true);
    expect(new Policy({ sockopts: { caps: { SO_SNDBUF: 0 } } }).canSet('SO_SNDBUF', -5)).toBe(true);
  });

  test('capped option with no value or NaN: refused (the cap cannot be checked)', () => {
    const p = new Policy();
    expect(p.canSet('SO_RCVBUF')).toBe(false);
    expect(p.canSet('SO_SNDBUF', undefined)).toBe(false);
    expect(p.canSet('SO_RCVBUF', Number.NaN)).toBe(false);
  });

  test('the cap does not touch other int options (SO_RCVLOWAT above 4 MiB allowed)', () => {
    expect(new Policy().canSet('SO_RCVLOWAT', MiB4 * 2)).toBe(true);
  });

  test('denySet [SO_RCVBUF]: refused even below the cap', () => {
    expect(new Policy({ sockopts: { denySet: ['SO_RCVBUF'] } }).canSet('SO_RCVBUF', 1)).toBe(false);
  });

  test.each([-1, 1.5, Number.NaN, Infinity, '1024', null])('caps.SO_RCVBUF = %s → PolicyError', (bad) => {
    const opts = { sockopts: { caps: { SO_RCVBUF: bad } } } as unknown as PolicyOptions;
    expect(policyError(() => new Policy(opts)).message).toMatch(/sockopts\.caps\.SO_RCVBUF must be a non-negative integer/);
  });

  test('caps with an unknown key (SO_RCVLOWAT) → PolicyError', () => {
    const opts = { sockopts: { caps: { SO_RCVLOWAT: 1 } } } as unknown as PolicyOptions;
    expect(policyError(() => new Policy(opts)).message).toMatch(/unknown sockopts\.caps key 'SO_RCVLOWAT'/);
  });
});

describe('maxSockets', () => {
  test('default 64; 1 and 1000 accepted', () => {
    expect(new Policy().maxSockets).toBe(64);
    expect(new Policy({ maxSockets: 1 }).maxSockets).toBe(1);
    expect(new Policy({ maxSockets: 1000 }).maxSockets).toBe(1000);
  });

  test.each([0, -1, 1.5, Number.NaN, Infinity, '8', null])('maxSockets = %s → PolicyError', (bad) => {
    const opts = { maxSockets: bad } as unknown as PolicyOptions;
    expect(policyError(() => new Policy(opts)).message).toMatch(/maxSockets must be an integer from 1 to 65536/);
  });
});

describe('describe()', () => {
  test('default: no grants, no lookup, the default refusals in catalogue order, 4 MiB caps, 64 sockets', () => {
    const d = new Policy().describe();
    expect(d).toEqual({
      connect: [], bind: [], lookup: false,
      refusedSet: expect.any(Array), refusedGet: expect.any(Array),
      caps: { SO_RCVBUF: MiB4, SO_SNDBUF: MiB4 }, maxSockets: 64,
    });
    expect([...d.refusedSet].sort()).toEqual([...DEFAULT_REFUSED_SET].sort());
    expect([...d.refusedGet].sort()).toEqual([...DEFAULT_REFUSED_GET].sort());
    const order = core().options.map((o) => o.name);
    expect(d.refusedSet).toEqual(order.filter((n) => d.refusedSet.includes(n)));
  });

  test('with grants and overrides: grant texts as written, refusals and caps as effective', () => {
    const p = new Policy({
      net: { connect: ['10.1.2.3/8:80', '[::1]:*'], bind: ['127.0.0.1:0'], lookup: true },
      sockopts: { allowSet: ['SO_BINDTODEVICE'], denySet: ['IP_TOS'], allowGet: ['SO_PEERCRED'], denyGet: ['TCP_INFO'], caps: { SO_SNDBUF: 1024 } },
      maxSockets: 8,
    });
    const d = p.describe();
    expect(d.connect).toEqual(['10.1.2.3/8:80', '[::1]:*']);
    expect(d.bind).toEqual(['127.0.0.1:0']);
    expect(d.lookup).toBe(true);
    expect(d.refusedSet).toContain('IP_TOS');
    expect(d.refusedSet).not.toContain('SO_BINDTODEVICE');
    expect(d.refusedSet).toContain('SO_MARK');
    expect(d.refusedGet.sort()).toEqual(['SO_PEERSEC', 'TCP_INFO']);
    expect(d.caps).toEqual({ SO_RCVBUF: MiB4, SO_SNDBUF: 1024 });
    expect(d.maxSockets).toBe(8);
  });

  test('returns fresh arrays: mutating them changes nothing', () => {
    const p = new Policy({ net: { connect: ['127.0.0.1:80'] } });
    const d = p.describe();
    d.connect.push('0.0.0.0/0:*');
    d.refusedSet.length = 0;
    d.caps.SO_RCVBUF = 1;
    expect(p.describe().connect).toEqual(['127.0.0.1:80']);
    expect(p.describe().refusedSet.length).toBe(DEFAULT_REFUSED_SET.length);
    expect(p.canSet('SO_MARK')).toBe(false);
    expect(p.describe().caps.SO_RCVBUF).toBe(MiB4);
  });

  test('is plain data: survives JSON round trip unchanged', () => {
    const d = new Policy({ net: { bind: ['[::]:8080'] } }).describe();
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
  });
});

describe('options object', () => {
  test('non-object options, net or sockopts → PolicyError', () => {
    expect(policyError(() => new Policy('x' as unknown as PolicyOptions)).message).toMatch(/policy options must be an object/);
    expect(policyError(() => new Policy({ net: [] as unknown as PolicyOptions['net'] })).message).toMatch(/net must be an object/);
    expect(policyError(() => new Policy({ sockopts: 5 as unknown as PolicyOptions['sockopts'] })).message).toMatch(/sockopts must be an object/);
  });

  test('null where an object is expected (net, sockopts, caps) → PolicyError; only undefined means default', () => {
    for (const opts of [{ net: null }, { sockopts: null }, { sockopts: { caps: null } }, { net: { lookup: null } }]) {
      expect(() => new Policy(opts as unknown as PolicyOptions), JSON.stringify(opts)).toThrow(PolicyError);
    }
    expect(new Policy({ net: undefined, sockopts: undefined, maxSockets: undefined }).maxSockets).toBe(64);
  });

  test('unknown top-level keys are ignored (a larger sandbox options object may be passed)', () => {
    const opts = { maxSockets: 2, env: {}, args: [] } as unknown as PolicyOptions;
    expect(new Policy(opts).maxSockets).toBe(2);
  });

  test('grant arrays passed in are not kept by reference: changing them later changes nothing', () => {
    const connect = ['127.0.0.1:80'];
    const p = new Policy({ net: { connect } });
    connect.push('0.0.0.0/0:*');
    expect(p.canConnect(ip('10.0.0.1'), 80)).toBe(false);
    expect(p.describe().connect).toEqual(['127.0.0.1:80']);
  });
});

describe('ports and names: the policy alone', () => {
  test('SO_REUSEADDR: allowed on a stream socket, refused on a datagram socket unless allowSet names it; turning it off is always allowed', () => {
    const p = new Policy({});
    expect(p.canSet('SO_REUSEADDR', 1, false)).toBe(true);
    expect(p.canSet('SO_REUSEADDR', 1, true)).toBe(false);
    expect(p.canSet('SO_REUSEADDR', 0, true)).toBe(true);
    expect(p.whyNotSet('SO_REUSEADDR', 1, true)).toMatch(/UDP socket is refused by default/);
    const granted = new Policy({ sockopts: { allowSet: ['SO_REUSEADDR'] } });
    expect(granted.canSet('SO_REUSEADDR', 1, true)).toBe(true);
    const denied = new Policy({ sockopts: { allowSet: ['SO_REUSEADDR'], denySet: ['SO_REUSEADDR'] } });
    expect(denied.canSet('SO_REUSEADDR', 1, true)).toBe(false);
  });

  test('SO_REUSEPORT is refused by default and granted by name', () => {
    expect(new Policy({}).canSet('SO_REUSEPORT', 1)).toBe(false);
    expect(new Policy({ sockopts: { allowSet: ['SO_REUSEPORT'] } }).canSet('SO_REUSEPORT', 1)).toBe(true);
  });

  test('lookup patterns: exact names and *.suffix, case-insensitive, a trailing dot ignored; nothing else', () => {
    const p = new Policy({ net: { lookup: ['localhost', '*.example.com'] } });
    expect(p.lookup).toBe(true);
    for (const yes of ['localhost', 'LOCALHOST', 'localhost.', 'a.example.com', 'x.y.Example.COM']) expect(p.canLookup(yes), yes).toBe(true);
    for (const no of ['example.com', 'evil.com', 'example.com.evil', 'aexample.com', 'local', 'localhost.evil']) expect(p.canLookup(no), no).toBe(false);
    expect(new Policy({ net: { lookup: true } }).canLookup('anything.at.all')).toBe(true);
    expect(new Policy({}).lookup).toBe(false);
    expect(new Policy({}).canLookup('localhost')).toBe(false);
  });

  test('a bad lookup pattern is a PolicyError naming it', () => {
    for (const bad of ['', '*', 'a..b', '*.', 'bad name', 'x*.example.com']) {
      if (bad === '*') continue; // '*' is "any name"
      expect(() => new Policy({ net: { lookup: [bad] } }), bad).toThrow(PolicyError);
    }
  });
});
