// The sandbox policy end to end: the C test guest (`sockguest try …`) asks for one
// thing; the answer must be ERRNO_NOTCAPABLE (76) for a refusal, and the refusal must
// come before any syscall. Every sandbox here runs inline over a RecordingNative
// (test/support/recording-native.ts), so no syscall runs at all: a policy bug here can
// never send a packet to 10.0.0.1 (DESIGN.md, Testing rules).

import { readFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { describe, expect, test } from 'vitest';
import { Sandbox, type SandboxOptions } from '../host/index.js';
import { core } from '../host/core.js';
import { DEFAULT_BUFFER_CAP, DEFAULT_REFUSED_GET, DEFAULT_REFUSED_SET } from '../host/sandbox/policy.js';
import { ERRNO_INVAL, ERRNO_NOPROTOOPT, ERRNO_NOTCAPABLE, ERRNO_SUCCESS } from '../host/native/errno.js';
import { native, POLLIN, POLLOUT } from '../host/native/libc.js';
import { AF_INET, decodeSockaddr, encodeSockaddrIn } from '../host/native/sockaddr.js';
import { FAKE_FD_BASE, RecordingNative, sockaddrOf, type RecordedCall } from './support/recording-native.js';

const GUEST = await new Sandbox().compile(readFileSync(new URL('./guests/sockguest-c.wasm', import.meta.url)));

/** Calls that reach past socket(): none of them may run for a refusal. */
const REACHING = ['bind', 'connect', 'listen', 'accept4', 'send', 'sendto', 'sendmsg', 'recv', 'recvfrom', 'recvmsg', 'setsockopt', 'getsockopt', 'shutdown', 'getaddrinfo'];

/** macOS has no MSG_NOSIGNAL: the host sets SO_NOSIGPIPE on every new socket. Not the guest's doing. */
const SO_NOSIGPIPE_HOST = core().byName.get('SO_NOSIGPIPE')!.hostNumber;
function isNosigpipe(c: RecordedCall): boolean {
  return c.name === 'setsockoptAt' && SO_NOSIGPIPE_HOST >= 0 && c.args[2] === SO_NOSIGPIPE_HOST;
}

/** What a `try` run gave: the parsed line and the recording. */
interface Tried {
  errno: number;
  /** Fields after errno=…: { len, value, count, opened }. */
  fields: Record<string, number>;
  line: string;
  rec: RecordingNative;
}

type PolicyParts = Pick<SandboxOptions, 'net' | 'sockopts' | 'maxSockets'>;

/** Runs `sockguest try <args…>` inline over a fresh RecordingNative. */
async function tryGuest(args: (string | number)[], policy: PolicyParts = {}): Promise<Tried> {
  const rec = new RecordingNative();
  let out = '';
  const sink = (chunk: Uint8Array) => { out += Buffer.from(chunk).toString('utf8'); };
  // Always inline over the recording layer: never a real socket in this file.
  const sandbox = new Sandbox({ ...policy, worker: false, native: rec, args: ['sockguest', 'try', ...args.map(String)], stdout: sink, stderr: sink });
  const { exitCode } = await sandbox.run(GUEST);
  expect(exitCode, out).toBe(0);
  const lines = out.split('\n').filter((l) => l.length > 0);
  expect(lines, out).toHaveLength(1);
  const m = /^try (\S+) errno=(\d+)((?: \w+=-?\d+)*)$/.exec(lines[0]);
  expect(m, lines[0]).not.toBeNull();
  expect(m![1]).toBe(String(args[0]));
  const fields: Record<string, number> = {};
  for (const f of m![3].trim().split(' ').filter(Boolean)) {
    const [k, v] = f.split('=');
    fields[k] = Number(v);
  }
  // Every fake socket is closed by the end (by the guest, or by the sandbox at exit).
  expect(rec.openFds).toEqual([]);
  return { errno: Number(m![2]), fields, line: lines[0], rec };
}

/** Every close first reads SO_LINGER (a lingering close would block): not the guest's doing. */
const SO_LINGER_HOST = core().byName.get('SO_LINGER')!.hostNumber;
function isLingerCheck(c: RecordedCall): boolean {
  return c.name === 'getsockoptAt' && c.args[2] === SO_LINGER_HOST;
}

/** The syscalls past socket() that ran (macOS's SO_NOSIGPIPE and the close's linger check left out). */
function reaching(rec: RecordingNative): RecordedCall[] {
  return rec.syscalls(REACHING).filter((c) => !isNosigpipe(c) && !isLingerCheck(c));
}

/** Asserts an option outside the catalogue: NOPROTOOPT (the kernel's answer), and nothing but socket() reached the native layer. */
function expectNoSuchOption(t: Tried): void {
  expect(t.errno, t.line).toBe(ERRNO_NOPROTOOPT);
  expect(reaching(t.rec).map((c) => c.name)).toEqual([]);
}

/** Asserts a refusal: NOTCAPABLE, and nothing but socket() reached the native layer. */
function expectRefused(t: Tried): void {
  expect(t.errno, t.line).toBe(ERRNO_NOTCAPABLE);
  expect(reaching(t.rec).map((c) => c.name)).toEqual([]);
}

/** The one recorded call of `kind` (e.g. 'connect'), asserted to exist (a close's linger check aside). */
function only(rec: RecordingNative, kind: string): RecordedCall {
  const calls = rec.syscalls([kind]).filter((c) => !isLingerCheck(c));
  expect(calls.map((c) => c.name)).toHaveLength(1);
  return calls[0];
}

/** (Linux level, Linux/guest option number) of a catalogue option, for the sockbox ABI. */
function sb(name: string): [number, number] {
  const info = core().byName.get(name);
  if (!info) throw new Error(`test bug: ${name} is not in the catalogue`);
  return [core().levels[info.level].linux, info.guest];
}

/** The host's (level, optname) of a catalogue option: what a setsockopt syscall would carry. */
function host(name: string): [number, number] {
  const info = core().byName.get(name)!;
  return [info.hostLevel, info.hostNumber];
}

function int32(bytes: Uint8Array | undefined): number {
  expect(bytes).toBeDefined();
  return new DataView(bytes!.buffer, bytes!.byteOffset, bytes!.byteLength).getInt32(0, true);
}

const LOOPBACK4_ANY = { net: { connect: ['127.0.0.1:*'] } } satisfies PolicyParts;

describe('connect and sendto: non-loopback destinations under a 127.0.0.1:* grant', () => {
  for (const [fam, addr] of [[4, '10.0.0.1'], [4, '192.168.1.1'], [4, '8.8.8.8'], [6, '2001:db8::1']] as const) {
    test(`connect to ${addr}:80 under 127.0.0.1:* → NOTCAPABLE, no syscall`, async () => {
      expectRefused(await tryGuest(['connect', fam, addr, 80], LOOPBACK4_ANY));
    });
    test(`sendto ${addr}:53 under 127.0.0.1:* → NOTCAPABLE, no syscall`, async () => {
      expectRefused(await tryGuest(['sendto', fam, addr, 53], LOOPBACK4_ANY));
    });
  }

  test('connect to 127.0.0.1:80 under 127.0.0.1:* → allowed: one connect syscall to 127.0.0.1:80', async () => {
    const t = await tryGuest(['connect', 4, '127.0.0.1', 80], LOOPBACK4_ANY);
    expect(t.errno).toBe(ERRNO_SUCCESS);
    expect(sockaddrOf(only(t.rec, 'connect'))).toMatchObject({ address: '127.0.0.1', port: 80 });
  });

  test('sendto 127.0.0.1:53 under 127.0.0.1:* → allowed: one sendmsg syscall with "x" to 127.0.0.1:53', async () => {
    const t = await tryGuest(['sendto', 4, '127.0.0.1', 53], LOOPBACK4_ANY);
    expect(t.errno).toBe(ERRNO_SUCCESS);
    const call = only(t.rec, 'sendmsg');
    expect(sockaddrOf(call)).toMatchObject({ address: '127.0.0.1', port: 53 });
    expect(Buffer.from(call.data!).toString()).toBe('x');
  });

  test('connect to 127.0.0.2:80 (loopback, not granted) under 127.0.0.1:* → NOTCAPABLE, no syscall', async () => {
    expectRefused(await tryGuest(['connect', 4, '127.0.0.2', 80], LOOPBACK4_ANY));
  });

  test('connect to ::1:80 under 127.0.0.1:* (an IPv4 grant) → NOTCAPABLE, no syscall', async () => {
    expectRefused(await tryGuest(['connect', 6, '::1', 80], LOOPBACK4_ANY));
  });
});

describe('connect: loopback ports outside the granted range', () => {
  const policy = { net: { connect: ['127.0.0.1:8000-8999', '[::1]:8000-8999'] } } satisfies PolicyParts;
  for (const port of [7999, 9000, 80]) {
    test(`connect to 127.0.0.1:${port} under 127.0.0.1:8000-8999 → NOTCAPABLE, no syscall`, async () => {
      expectRefused(await tryGuest(['connect', 4, '127.0.0.1', port], policy));
    });
  }
  test('connect to [::1]:9000 under [::1]:8000-8999 → NOTCAPABLE, no syscall', async () => {
    expectRefused(await tryGuest(['connect', 6, '::1', 9000], policy));
  });
  for (const port of [8000, 8999]) {
    test(`connect to 127.0.0.1:${port} under 127.0.0.1:8000-8999 → allowed, connect syscall with port ${port}`, async () => {
      const t = await tryGuest(['connect', 4, '127.0.0.1', port], policy);
      expect(t.errno).toBe(ERRNO_SUCCESS);
      expect(sockaddrOf(only(t.rec, 'connect'))).toMatchObject({ address: '127.0.0.1', port });
    });
  }
});

describe('IPv4-mapped IPv6 addresses are matched as IPv4', () => {
  test('connect to [::ffff:10.0.0.1]:80 on an IPv6 socket under 127.0.0.1:* → NOTCAPABLE, no syscall', async () => {
    expectRefused(await tryGuest(['connect', 6, '::ffff:10.0.0.1', 80], LOOPBACK4_ANY));
  });

  test('sendto [::ffff:10.0.0.1]:53 on an IPv6 socket under 127.0.0.1:* → NOTCAPABLE, no syscall', async () => {
    expectRefused(await tryGuest(['sendto', 6, '::ffff:10.0.0.1', 53], LOOPBACK4_ANY));
  });

  test('connect to [::ffff:127.0.0.1]:8080 on an IPv6 socket under 127.0.0.1:* → allowed; the connect syscall carries ::ffff:127.0.0.1 port 8080', async () => {
    const t = await tryGuest(['connect', 6, '::ffff:127.0.0.1', 8080], LOOPBACK4_ANY);
    expect(t.errno).toBe(ERRNO_SUCCESS);
    const call = only(t.rec, 'connect');
    expect(sockaddrOf(call)).toMatchObject({ address: '::ffff:127.0.0.1', port: 8080 });
    expect(call.args[2]).toBe(28); // sizeof(struct sockaddr_in6)
  });

  test('connect to 127.0.0.1:8080 (IPv4 text) on an IPv6 socket under 127.0.0.1:* → allowed, sent as ::ffff:127.0.0.1', async () => {
    const t = await tryGuest(['connect', 6, '127.0.0.1', 8080], LOOPBACK4_ANY);
    expect(t.errno).toBe(ERRNO_SUCCESS);
    expect(sockaddrOf(only(t.rec, 'connect'))).toMatchObject({ address: '::ffff:127.0.0.1', port: 8080 });
  });

  test('connect to 10.0.0.1:80 (IPv4 text) on an IPv6 socket under 127.0.0.1:* → NOTCAPABLE, no syscall', async () => {
    expectRefused(await tryGuest(['connect', 6, '10.0.0.1', 80], LOOPBACK4_ANY));
  });

  test('connect to [::ffff:127.0.0.1]:80 on an IPv4 socket under 127.0.0.1:* → INVAL (an IPv6 address on an IPv4 socket), no syscall', async () => {
    const t = await tryGuest(['connect', 4, '::ffff:127.0.0.1', 80], LOOPBACK4_ANY);
    expect(t.errno).toBe(ERRNO_INVAL);
    expect(reaching(t.rec)).toEqual([]);
  });
});

describe('bind to the unspecified address', () => {
  const loopbackOnly = { net: { bind: ['127.0.0.1:0', '[::1]:0'] } } satisfies PolicyParts;
  test('bind 0.0.0.0:0 under 127.0.0.1:0 → NOTCAPABLE, no syscall', async () => {
    expectRefused(await tryGuest(['bind', 4, '0.0.0.0', 0], loopbackOnly));
  });
  test('bind [::]:0 under 127.0.0.1:0 and [::1]:0 → NOTCAPABLE, no syscall', async () => {
    expectRefused(await tryGuest(['bind', 6, '::', 0], loopbackOnly));
  });
  test('bind [::ffff:0.0.0.0]:0 on an IPv6 socket under 127.0.0.1:0 → NOTCAPABLE, no syscall', async () => {
    expectRefused(await tryGuest(['bind', 6, '::ffff:0.0.0.0', 0], loopbackOnly));
  });
  test('bind 127.0.0.1:0 under 127.0.0.1:0 → allowed, bind syscall to 127.0.0.1:0', async () => {
    const t = await tryGuest(['bind', 4, '127.0.0.1', 0], loopbackOnly);
    expect(t.errno).toBe(ERRNO_SUCCESS);
    expect(sockaddrOf(only(t.rec, 'bind'))).toMatchObject({ address: '127.0.0.1', port: 0 });
  });

  test('bind 0.0.0.0:0 under 0.0.0.0:0 → allowed, bind syscall to 0.0.0.0:0', async () => {
    const t = await tryGuest(['bind', 4, '0.0.0.0', 0], { net: { bind: ['0.0.0.0:0'] } });
    expect(t.errno).toBe(ERRNO_SUCCESS);
    expect(sockaddrOf(only(t.rec, 'bind'))).toMatchObject({ address: '0.0.0.0', port: 0 });
  });
  test('bind [::]:0 under [::]:0 → allowed, bind syscall to [::]:0', async () => {
    const t = await tryGuest(['bind', 6, '::', 0], { net: { bind: ['[::]:0'] } });
    expect(t.errno).toBe(ERRNO_SUCCESS);
    expect(sockaddrOf(only(t.rec, 'bind'))).toMatchObject({ address: '::', port: 0 });
  });
  test('bind [::]:0 under 0.0.0.0:0 (an IPv4 grant) → NOTCAPABLE, no syscall', async () => {
    expectRefused(await tryGuest(['bind', 6, '::', 0], { net: { bind: ['0.0.0.0:0'] } }));
  });
  test('bind 0.0.0.0:0 under 0.0.0.0:0 is not a connect grant: connect to 0.0.0.0:80 → NOTCAPABLE, no syscall', async () => {
    expectRefused(await tryGuest(['connect', 4, '0.0.0.0', 80], { net: { bind: ['0.0.0.0:0'] } }));
  });
});

describe('broadcast and multicast destinations under a 127.0.0.1:* grant', () => {
  for (const addr of ['255.255.255.255', '224.0.0.1']) {
    test(`connect to ${addr}:9 → NOTCAPABLE, no syscall`, async () => {
      expectRefused(await tryGuest(['connect', 4, addr, 9], LOOPBACK4_ANY));
    });
    test(`sendto ${addr}:9 → NOTCAPABLE, no syscall`, async () => {
      expectRefused(await tryGuest(['sendto', 4, addr, 9], LOOPBACK4_ANY));
    });
  }
  test('sendto [ff02::1]:9 under [::1]:* → NOTCAPABLE, no syscall', async () => {
    expectRefused(await tryGuest(['sendto', 6, 'ff02::1', 9], { net: { connect: ['[::1]:*'] } }));
  });
});

describe('port edges', () => {
  for (const port of [0, 65535]) {
    test(`connect to 127.0.0.1:${port} under 127.0.0.1:* → allowed, connect syscall with port ${port}`, async () => {
      const t = await tryGuest(['connect', 4, '127.0.0.1', port], LOOPBACK4_ANY);
      expect(t.errno).toBe(ERRNO_SUCCESS);
      expect(sockaddrOf(only(t.rec, 'connect'))).toMatchObject({ address: '127.0.0.1', port });
    });
    test(`sendto 127.0.0.1:${port} under 127.0.0.1:* → allowed, sendmsg syscall with port ${port}`, async () => {
      const t = await tryGuest(['sendto', 4, '127.0.0.1', port], LOOPBACK4_ANY);
      expect(t.errno).toBe(ERRNO_SUCCESS);
      expect(sockaddrOf(only(t.rec, 'sendmsg'))).toMatchObject({ address: '127.0.0.1', port });
    });
    test(`bind 127.0.0.1:${port} under 127.0.0.1:${port} → allowed, bind syscall with port ${port}`, async () => {
      const t = await tryGuest(['bind', 4, '127.0.0.1', port], { net: { bind: [`127.0.0.1:${port}`] } });
      expect(t.errno).toBe(ERRNO_SUCCESS);
      expect(sockaddrOf(only(t.rec, 'bind'))).toMatchObject({ address: '127.0.0.1', port });
    });
  }
  test('connect to 127.0.0.1:0 under 127.0.0.1:1-65535 → NOTCAPABLE, no syscall', async () => {
    expectRefused(await tryGuest(['connect', 4, '127.0.0.1', 0], { net: { connect: ['127.0.0.1:1-65535'] } }));
  });
  test('connect to 127.0.0.1:65535 under 127.0.0.1:0-65534 → NOTCAPABLE, no syscall', async () => {
    expectRefused(await tryGuest(['connect', 4, '127.0.0.1', 65535], { net: { connect: ['127.0.0.1:0-65534'] } }));
  });
  test('sendto 127.0.0.1:65535 under 127.0.0.1:0-65534 → NOTCAPABLE, no syscall', async () => {
    expectRefused(await tryGuest(['sendto', 4, '127.0.0.1', 65535], { net: { connect: ['127.0.0.1:0-65534'] } }));
  });
  test('bind 127.0.0.1:65535 under 127.0.0.1:0 → NOTCAPABLE, no syscall', async () => {
    expectRefused(await tryGuest(['bind', 4, '127.0.0.1', 65535], { net: { bind: ['127.0.0.1:0'] } }));
  });
  test('bind 127.0.0.1:0 under 127.0.0.1:65535 → NOTCAPABLE, no syscall', async () => {
    expectRefused(await tryGuest(['bind', 4, '127.0.0.1', 0], { net: { bind: ['127.0.0.1:65535'] } }));
  });

  // The port parameter is a u32: 65536 and up are a bad argument, not a policy matter.
  const all = { net: { connect: ['127.0.0.1:*', '0.0.0.0/0:*'], bind: ['127.0.0.1:*', '0.0.0.0/0:*'] } } satisfies PolicyParts;
  for (const op of ['connect', 'sendto', 'bind'] as const) {
    for (const port of [65536, 4294967295]) {
      test(`${op} 127.0.0.1:${port} under 127.0.0.1:* → INVAL (port is u32, above 65535), no syscall`, async () => {
        const t = await tryGuest([op, 4, '127.0.0.1', port], all);
        expect(t.errno).toBe(ERRNO_INVAL);
        expect(reaching(t.rec)).toEqual([]);
      });
    }
  }
});

describe('default policy: no network at all', () => {
  const cases: [string, number, string, number][] = [
    ['connect', 4, '127.0.0.1', 80], ['connect', 6, '::1', 80], ['connect', 4, '10.0.0.1', 80],
    ['sendto', 4, '127.0.0.1', 53], ['sendto', 6, '::1', 53], ['sendto', 4, '8.8.8.8', 53],
    ['bind', 4, '127.0.0.1', 0], ['bind', 6, '::1', 0], ['bind', 4, '0.0.0.0', 0], ['bind', 6, '::', 0],
  ];
  for (const [op, fam, addr, port] of cases) {
    test(`${op} ${addr}:${port} with no net grants → NOTCAPABLE, no syscall`, async () => {
      expectRefused(await tryGuest([op, fam, addr, port]));
    });
  }

  test('sock_open itself is allowed with no net grants: one socket() syscall, no other', async () => {
    const t = await tryGuest(['many-sockets', 4, 1]);
    expect(t.errno).toBe(ERRNO_SUCCESS);
    expect(t.fields.opened).toBe(1);
    expect(t.rec.syscalls().filter((c) => !isNosigpipe(c) && !isLingerCheck(c)).map((c) => c.name)).toEqual(['socket']);
  });

  for (const node of ['localhost', 'example.com']) {
    test(`lookup '${node}' with no net grants → NOTCAPABLE, no getaddrinfo call`, async () => {
      const t = await tryGuest(['lookup', 4, node, '80']);
      expect(t.errno).toBe(ERRNO_NOTCAPABLE);
      expect(t.rec.syscalls()).toEqual([]);
    });
  }

  test('lookup of a numeric address needs no lookup grant: getaddrinfo with AI_NUMERICHOST (no resolver), answers filtered by the grants', async () => {
    const none = await tryGuest(['lookup', 4, '127.0.0.1', '80']);
    expect(none.errno).toBe(ERRNO_SUCCESS);
    expect(none.fields.count).toBe(0);
    const call = only(none.rec, 'getaddrinfo');
    expect((call.args[2] as { flags: number }).flags & 4).toBe(4);
    const granted = await tryGuest(['lookup', 4, '127.0.0.1', '80'], LOOPBACK4_ANY);
    expect(granted.errno).toBe(ERRNO_SUCCESS);
    expect(granted.fields.count).toBe(1);
  });

  test('lookup of a name refused even with connect grants when lookup is not granted → NOTCAPABLE, no getaddrinfo call', async () => {
    const t = await tryGuest(['lookup', 4, 'localhost', '80'], LOOPBACK4_ANY);
    expect(t.errno).toBe(ERRNO_NOTCAPABLE);
    expect(t.rec.syscalls(['getaddrinfo'])).toEqual([]);
  });

  test('lookup 127.0.0.1 with lookup: true and 127.0.0.1:* → one answer (getaddrinfo answered by the recording layer)', async () => {
    const t = await tryGuest(['lookup', 4, '127.0.0.1', '80'], { net: { lookup: true, connect: ['127.0.0.1:*'] } });
    expect(t.errno).toBe(ERRNO_SUCCESS);
    expect(t.fields.count).toBe(1);
    expect(only(t.rec, 'getaddrinfo').args.slice(0, 2)).toEqual(['127.0.0.1', '80']);
  });

  test('lookup 10.0.0.1 with lookup: true but only 127.0.0.1:* → 0 answers (filtered by the connect grants)', async () => {
    const t = await tryGuest(['lookup', 4, '10.0.0.1', '80'], { net: { lookup: true, connect: ['127.0.0.1:*'] } });
    expect(t.errno).toBe(ERRNO_SUCCESS);
    expect(t.fields.count).toBe(0);
  });
});

describe('sock_open: raw and unknown types and families', () => {
  for (const socktype of [3, 4, 5, 10, 255, 4294967295]) {
    for (const fam of [4, 6]) {
      test(`sock_open(INET${fam === 4 ? 4 : 6}, socktype ${socktype}) → NOTCAPABLE, no socket() syscall`, async () => {
        const t = await tryGuest(['open-raw', fam, '-', socktype], LOOPBACK4_ANY);
        expect(t.errno).toBe(ERRNO_NOTCAPABLE);
        expect(t.rec.syscalls()).toEqual([]);
      });
    }
  }
  for (const af of [0, 3, 10, 16, 17, 255, 4294967295]) {
    test(`sock_open(af ${af}, STREAM) → NOTCAPABLE, no socket() syscall`, async () => {
      const t = await tryGuest(['open-family', 4, '-', af], LOOPBACK4_ANY);
      expect(t.errno).toBe(ERRNO_NOTCAPABLE);
      expect(t.rec.syscalls()).toEqual([]);
    });
  }
  test('sock_open(INET4, socktype 0 = ANY) → allowed as STREAM: one socket() syscall', async () => {
    const t = await tryGuest(['open-raw', 4, '-', 0], LOOPBACK4_ANY);
    expect(t.errno).toBe(ERRNO_SUCCESS);
    const call = only(t.rec, 'socket');
    expect(call.args[0]).toBe(core().symbols.get('AF_INET'));
    expect((call.args[1] as number) & 0xf).toBe(core().symbols.get('SOCK_STREAM'));
  });
});

describe('socket options: default set refusals (sockbox ABI, Linux numbering)', () => {
  const REFUSED_SET = [
    'SO_BINDTODEVICE', 'SO_BINDTOIFINDEX', 'SO_MARK', 'SO_PRIORITY', 'SO_DEBUG', 'SO_BUSY_POLL', 'SO_REUSEPORT',
    'IP_TRANSPARENT', 'IP_HDRINCL',
    'SO_ATTACH_FILTER', 'SO_DETACH_FILTER', 'SO_ATTACH_BPF', 'SO_LOCK_FILTER',
    'IP_OPTIONS', 'IPV6_RTHDR', 'IPV6_RTHDRDSTOPTS', 'IPV6_HOPOPTS', 'IPV6_DSTOPTS', 'IPV6_NEXTHOP',
    'IPV6_PKTINFO', 'IP_ADD_MEMBERSHIP', 'IP_DROP_MEMBERSHIP', 'IPV6_JOIN_GROUP', 'IPV6_LEAVE_GROUP',
  ];

  test('the list below is the policy\'s DEFAULT_REFUSED_SET', () => {
    expect([...REFUSED_SET].sort()).toEqual([...DEFAULT_REFUSED_SET].sort());
  });

  for (const name of REFUSED_SET) {
    for (const fam of [4, 6]) {
      test(`set ${name} (${sb(name).join(', ')}) = 1 on an IPv${fam} socket → NOTCAPABLE, no setsockopt syscall`, async () => {
        const [level, opt] = sb(name);
        expectRefused(await tryGuest(['sockopt-set', fam, level, opt, 1]));
      });
    }
  }

  test('set SO_BINDTODEVICE through the WasmEdge ABI (name 14) → NOTCAPABLE, no setsockopt syscall', async () => {
    const we = core().byName.get('SO_BINDTODEVICE')!.wasmedge;
    expect(we).toBe(14);
    expectRefused(await tryGuest(['wasmedge-set', 4, we, 1]));
  });

  test('allowSet: [SO_BINDTODEVICE] lifts the refusal: errno 0 and one setsockopt syscall for it', async () => {
    const [level, opt] = sb('SO_BINDTODEVICE');
    const t = await tryGuest(['sockopt-set', 4, level, opt, 1], { sockopts: { allowSet: ['SO_BINDTODEVICE'] } });
    expect(t.errno).toBe(ERRNO_SUCCESS);
    const call = only(t.rec, 'setsockopt');
    expect(call.args.slice(1, 3)).toEqual(host('SO_BINDTODEVICE'));
    expect(call.args[0]).toBeGreaterThanOrEqual(FAKE_FD_BASE);
    expect(int32(call.data)).toBe(1);
  });

  test('allowSet: [SO_BINDTODEVICE] lifts it for the WasmEdge ABI too: one setsockopt syscall', async () => {
    const t = await tryGuest(['wasmedge-set', 4, 14, 1], { sockopts: { allowSet: ['SO_BINDTODEVICE'] } });
    expect(t.errno).toBe(ERRNO_SUCCESS);
    expect(only(t.rec, 'setsockopt').args.slice(1, 3)).toEqual(host('SO_BINDTODEVICE'));
  });

  test('allowSet: [SO_BINDTODEVICE] leaves the others refused: SO_MARK → NOTCAPABLE, no setsockopt syscall', async () => {
    const [level, opt] = sb('SO_MARK');
    expectRefused(await tryGuest(['sockopt-set', 4, level, opt, 1], { sockopts: { allowSet: ['SO_BINDTODEVICE'] } }));
  });

  test('denySet: [SO_KEEPALIVE] → set SO_KEEPALIVE = 1 is NOTCAPABLE, no setsockopt syscall', async () => {
    const [level, opt] = sb('SO_KEEPALIVE');
    expectRefused(await tryGuest(['sockopt-set', 4, level, opt, 1], { sockopts: { denySet: ['SO_KEEPALIVE'] } }));
  });

  test('set SO_KEEPALIVE = 1 (not refused) → errno 0, one setsockopt syscall with value 1', async () => {
    const [level, opt] = sb('SO_KEEPALIVE');
    const t = await tryGuest(['sockopt-set', 4, level, opt, 1]);
    expect(t.errno).toBe(ERRNO_SUCCESS);
    const call = only(t.rec, 'setsockopt');
    expect(call.args.slice(1, 3)).toEqual(host('SO_KEEPALIVE'));
    expect(int32(call.data)).toBe(1);
  });
});

describe('socket options: reads that reveal the host', () => {
  test('DEFAULT_REFUSED_GET is SO_PEERCRED and SO_PEERSEC', () => {
    expect([...DEFAULT_REFUSED_GET].sort()).toEqual(['SO_PEERCRED', 'SO_PEERSEC']);
  });
  for (const name of ['SO_PEERCRED', 'SO_PEERSEC']) {
    test(`get ${name} (${sb(name).join(', ')}) → NOTCAPABLE, no getsockopt syscall`, async () => {
      const [level, opt] = sb(name);
      expectRefused(await tryGuest(['sockopt-get', 4, level, opt]));
    });
  }
  test('allowGet: [SO_PEERCRED] → get SO_PEERCRED runs one getsockopt syscall (answer: 12 zero bytes)', async () => {
    const [level, opt] = sb('SO_PEERCRED');
    const t = await tryGuest(['sockopt-get', 4, level, opt], { sockopts: { allowGet: ['SO_PEERCRED'] } });
    expect(t.errno).toBe(ERRNO_SUCCESS);
    expect(t.fields).toEqual({ len: 12, value: 0 });
    expect(only(t.rec, 'getsockopt').args.slice(1, 3)).toEqual(host('SO_PEERCRED'));
  });
  test('get SO_RCVBUF (not refused) → one getsockopt syscall; the recording layer answers 4 zero bytes', async () => {
    const [level, opt] = sb('SO_RCVBUF');
    const t = await tryGuest(['sockopt-get', 4, level, opt]);
    expect(t.errno).toBe(ERRNO_SUCCESS);
    expect(t.fields).toEqual({ len: 4, value: 0 });
    expect(only(t.rec, 'getsockopt').args.slice(1, 3)).toEqual(host('SO_RCVBUF'));
  });
});

describe('socket options: buffer caps', () => {
  const MiB4 = 4 * 1024 * 1024;
  test('the default cap is 4 MiB', () => {
    expect(DEFAULT_BUFFER_CAP).toBe(MiB4);
  });

  for (const name of ['SO_RCVBUF', 'SO_SNDBUF']) {
    test(`set ${name} = 4 MiB + 1 (default cap 4 MiB) → NOTCAPABLE, no setsockopt syscall`, async () => {
      const [level, opt] = sb(name);
      expectRefused(await tryGuest(['sockopt-set', 4, level, opt, MiB4 + 1]));
    });
    test(`set ${name} = 2147483647 (default cap) → NOTCAPABLE, no setsockopt syscall`, async () => {
      const [level, opt] = sb(name);
      expectRefused(await tryGuest(['sockopt-set', 4, level, opt, 2147483647]));
    });
    test(`set ${name} = 4 MiB (at the default cap) → allowed: one setsockopt syscall with 4 MiB`, async () => {
      const [level, opt] = sb(name);
      const t = await tryGuest(['sockopt-set', 4, level, opt, MiB4]);
      expect(t.errno).toBe(ERRNO_SUCCESS);
      const call = only(t.rec, 'setsockopt');
      expect(call.args.slice(1, 3)).toEqual(host(name));
      expect(int32(call.data)).toBe(MiB4);
    });
  }

  test('set SO_RCVBUF = 4 MiB + 1 through the WasmEdge ABI (name 6) → NOTCAPABLE, no setsockopt syscall', async () => {
    expect(core().byName.get('SO_RCVBUF')!.wasmedge).toBe(6);
    expectRefused(await tryGuest(['wasmedge-set', 4, 6, MiB4 + 1]));
  });

  const custom = { sockopts: { caps: { SO_RCVBUF: 65536 } } } satisfies PolicyParts;
  test('caps.SO_RCVBUF = 65536: set SO_RCVBUF = 65537 → NOTCAPABLE, no setsockopt syscall', async () => {
    const [level, opt] = sb('SO_RCVBUF');
    expectRefused(await tryGuest(['sockopt-set', 4, level, opt, 65537], custom));
  });
  test('caps.SO_RCVBUF = 65536: set SO_RCVBUF = 65536 (at the cap) → allowed, one setsockopt syscall', async () => {
    const [level, opt] = sb('SO_RCVBUF');
    const t = await tryGuest(['sockopt-set', 4, level, opt, 65536], custom);
    expect(t.errno).toBe(ERRNO_SUCCESS);
    expect(int32(only(t.rec, 'setsockopt').data)).toBe(65536);
  });
  test('caps.SO_RCVBUF = 65536 leaves SO_SNDBUF at the default cap: SO_SNDBUF = 65537 allowed, 4 MiB + 1 refused', async () => {
    const [level, opt] = sb('SO_SNDBUF');
    expect((await tryGuest(['sockopt-set', 4, level, opt, 65537], custom)).errno).toBe(ERRNO_SUCCESS);
    expectRefused(await tryGuest(['sockopt-set', 4, level, opt, MiB4 + 1], custom));
  });

  // Linux reads SO_RCVBUF/SO_SNDBUF as u32 and clamps to net.core.rmem_max/wmem_max
  // (net/core/sock.c: min_t(u32, val, sysctl_rmem_max)), so -1 asks for the host's
  // maximum. The cap check compares the signed value, so -1 passes any cap.
  test('caps.SO_RCVBUF = 65536: set SO_RCVBUF = -1 (the kernel reads u32 0xffffffff: rmem_max) → NOTCAPABLE, no syscall', async () => {
    const [level, opt] = sb('SO_RCVBUF');
    expectRefused(await tryGuest(['sockopt-set', 4, level, opt, -1], custom));
  });
});

describe('socket options: unknown options', () => {
  test('set level 1 (SOL_SOCKET) name 9999 → NOPROTOOPT, no setsockopt syscall', async () => {
    expectNoSuchOption(await tryGuest(['sockopt-set', 4, 1, 9999, 1]));
  });
  test('get level 1 (SOL_SOCKET) name 9999 → NOPROTOOPT, no getsockopt syscall', async () => {
    expectNoSuchOption(await tryGuest(['sockopt-get', 4, 1, 9999]));
  });
  test('set level 255 name 1 (an unknown level) → NOPROTOOPT, no setsockopt syscall', async () => {
    expectNoSuchOption(await tryGuest(['sockopt-set', 4, 255, 1, 1]));
  });
  // Linux's SO_SNDBUFFORCE 32 and SO_RCVBUFFORCE 33 (<asm-generic/socket.h>) would step
  // past the buffer caps; they are not in the catalogue, so guests cannot reach them.
  for (const [name, opt] of [['SO_SNDBUFFORCE', 32], ['SO_RCVBUFFORCE', 33]] as const) {
    test(`set ${name} (1, ${opt}) = 1 GiB (not in the catalogue) → NOPROTOOPT, no setsockopt syscall`, async () => {
      expect(core().byName.has(name)).toBe(false);
      expectNoSuchOption(await tryGuest(['sockopt-set', 4, 1, opt, 1 << 30]));
    });
  }
  test('WasmEdge set name 99 → NOPROTOOPT, no setsockopt syscall', async () => {
    expectNoSuchOption(await tryGuest(['wasmedge-set', 4, 99, 1]));
  });
  test('WasmEdge get name 99 → NOPROTOOPT, no getsockopt syscall', async () => {
    expectNoSuchOption(await tryGuest(['wasmedge-get', 4, 99]));
  });
});

describe('maxSockets', () => {
  test('maxSockets: 3 → the 4th sock_open is NOTCAPABLE; exactly 3 socket() syscalls', async () => {
    const t = await tryGuest(['many-sockets', 4, 4], { maxSockets: 3 });
    expect(t.errno).toBe(ERRNO_NOTCAPABLE);
    expect(t.fields.opened).toBe(3);
    expect(t.rec.syscalls(['socket'])).toHaveLength(3);
    expect(t.rec.syscalls(['close'])).toHaveLength(3); // closed by the sandbox at exit
  });
  test('maxSockets: 3 → 10 sock_open calls: 3 open, the other 7 NOTCAPABLE; exactly 3 socket() syscalls', async () => {
    const t = await tryGuest(['many-sockets', 6, 10], { maxSockets: 3 });
    expect(t.errno).toBe(ERRNO_NOTCAPABLE);
    expect(t.fields.opened).toBe(3);
    expect(t.rec.syscalls(['socket'])).toHaveLength(3);
  });
  test('maxSockets: 3 → 3 sock_open calls all succeed', async () => {
    const t = await tryGuest(['many-sockets', 4, 3], { maxSockets: 3 });
    expect(t.errno).toBe(ERRNO_SUCCESS);
    expect(t.fields.opened).toBe(3);
  });
  test('default maxSockets (64): 65 sock_open calls → 64 open, then NOTCAPABLE', async () => {
    const t = await tryGuest(['many-sockets', 4, 65]);
    expect(t.errno).toBe(ERRNO_NOTCAPABLE);
    expect(t.fields.opened).toBe(64);
    expect(t.rec.syscalls(['socket'])).toHaveLength(64);
  });
});

describe('RecordingNative itself (the layer every test above relies on)', () => {
  const SOCK_STREAM = core().symbols.get('SOCK_STREAM')!;
  const E = osConstants.errno as Record<string, number>;

  test('socket() hands out fake fds from 1000 up; close records, then EBADF for a closed fd', () => {
    const rec = new RecordingNative();
    expect(rec.socket(AF_INET, SOCK_STREAM, 0)).toBe(FAKE_FD_BASE);
    expect(rec.socket(AF_INET, SOCK_STREAM, 0)).toBe(FAKE_FD_BASE + 1);
    expect(rec.close(FAKE_FD_BASE)).toBe(0);
    expect(rec.close(FAKE_FD_BASE)).toBe(-1);
    expect(rec.errno()).toBe(E.EBADF);
    expect(rec.openFds).toEqual([FAKE_FD_BASE + 1]);
    expect(rec.calls.map((c) => c.name)).toEqual(['socket', 'socket', 'close', 'close']);
    expect(rec.syscalls().map((c) => c.name)).toEqual(['socket', 'socket']);
  });

  test('connect records a copy of the address; getsockname/getpeername answer from the books', () => {
    const rec = new RecordingNative();
    const fd = rec.socket(AF_INET, SOCK_STREAM, 0);
    const sa = new Uint8Array(16);
    const len = encodeSockaddrIn(sa, new Uint8Array([10, 0, 0, 1]), 80);
    expect(rec.connect(fd, sa, len)).toBe(0);
    sa.fill(0);
    expect(sockaddrOf(only(rec, 'connect'))).toMatchObject({ address: '10.0.0.1', port: 80 });
    const out = new Uint8Array(128);
    const outLen = new Uint32Array([128]);
    expect(rec.getpeername(fd, out, outLen)).toBe(0);
    expect(decodeSockaddr(out, outLen[0])).toMatchObject({ address: '10.0.0.1', port: 80 });
    outLen[0] = 128;
    expect(rec.getsockname(fd, out, outLen)).toBe(0);
    expect(decodeSockaddr(out, outLen[0])).toMatchObject({ address: '0.0.0.0', port: 49152 });
  });

  test('getsockoptAt writes its answer only through a buffer that went through addressOf(); an unknown address → EFAULT, untouched', () => {
    const rec = new RecordingNative();
    const fd = rec.socket(AF_INET, SOCK_STREAM, 0);
    const known = new Uint8Array(16).fill(0xaa);
    const base = rec.addressOf(known);
    new DataView(known.buffer).setUint32(8, 64, true);
    expect(rec.getsockoptAt(fd, ...host('SO_RCVBUF'), base, base + 8)).toBe(0);
    expect([...known.subarray(0, 4)]).toEqual([0, 0, 0, 0]);
    expect(known[4]).toBe(0xaa);
    expect(new DataView(known.buffer).getUint32(8, true)).toBe(4);

    const unknown = new Uint8Array(16).fill(0xbb);
    const at = native().addressOf(unknown); // the real address, never shown to the recording layer
    expect(rec.getsockoptAt(fd, ...host('SO_RCVBUF'), at, at + 8)).toBe(-1);
    expect(rec.errno()).toBe(E.EFAULT);
    expect([...unknown]).toEqual(new Array(16).fill(0xbb));
  });

  test('poll: a fake fd is ready for what it asks; any other fd (the cancel pipe) is left not ready', () => {
    const rec = new RecordingNative();
    const fd = rec.socket(AF_INET, SOCK_STREAM, 0);
    const fds = new Uint8Array(16);
    const dv = new DataView(fds.buffer);
    dv.setInt32(0, fd, true); dv.setInt16(4, POLLOUT, true);
    dv.setInt32(8, 5, true); dv.setInt16(12, POLLIN, true);
    expect(rec.poll(fds, 2, -1)).toBe(1);
    expect(dv.getInt16(6, true)).toBe(POLLOUT);
    expect(dv.getInt16(14, true)).toBe(0);
  });

  test('getaddrinfo answers numeric hosts from the text and names with EAI_NONAME (no resolver)', () => {
    const rec = new RecordingNative();
    const hints = { flags: 0, family: 0, socktype: 0, protocol: 0 };
    const { rc, results } = rec.getaddrinfo('127.0.0.1', '80', hints);
    expect(rc).toBe(0);
    expect(results.map((r) => decodeSockaddr(r.addr, r.addr.length))).toMatchObject([{ address: '127.0.0.1', port: 80 }]);
    expect(rec.getaddrinfo('example.com', '80', hints).rc).not.toBe(0);
  });
});
