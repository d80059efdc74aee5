// The C SDK (guest/c/sockbox.h + sockbox.c) end to end: the example guests under
// `sockbox run`, a Linux echo server compiled both natively and for wasm32-wasi and
// driven by one client script, every readable catalogue option read from C and
// compared with the host facade, and the errno values a C guest sees.
// The .wasm files are committed (node build/examples.mjs rebuilds them): no clang
// is needed here. The native compatibility build needs `cc`.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { socket, constants, SocketError } from '../host/index.js';
import { core, type OptionInfo } from '../host/core.js';
import { toWasiErrno, WASI_ERRNO_NAMES } from '../host/native/errno.js';
import { start } from './support/guest.js';
import { RecordingNative } from './support/recording-native.js';
import { launch, sockboxRun, type Proc } from './support/proc.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TOUR = join(ROOT, 'examples', 'sockopt-tour', 'sockopt-tour.wasm');
const ECHO_SERVER = join(ROOT, 'examples', 'echo-server', 'echo-server.wasm');
const HTTP_GET = join(ROOT, 'examples', 'http-get', 'http-get.wasm');
const ECHO_POLL_C = join(ROOT, 'test', 'compat', 'echo-poll.c');
const ECHO_POLL = join(ROOT, 'test', 'compat', 'echo-poll.wasm');
const PROBE = readFileSync(join(ROOT, 'test', 'compat', 'sdk-probe.wasm'));

// ── processes ──────────────────────────────────────────────────────────────

// ── a TCP client with exact reads ──────────────────────────────────────────

class Client {
  private buf = Buffer.alloc(0);
  private wake: (() => void) | undefined;
  private ended = false;
  readonly closed: Promise<void>;

  private constructor(readonly sock: net.Socket) {
    sock.on('data', (d: Buffer) => { this.buf = Buffer.concat([this.buf, d]); this.wake?.(); });
    sock.on('end', () => { this.ended = true; this.wake?.(); });
    this.closed = new Promise((r) => sock.on('close', () => r()));
  }

  static connect(port: number, host = '127.0.0.1'): Promise<Client> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, host, () => resolve(new Client(s)));
      s.once('error', reject);
    });
  }

  write(data: string | Buffer): void { this.sock.write(data); }

  /** Exactly n bytes (rejects if the peer ends first). */
  async read(n: number): Promise<Buffer> {
    while (this.buf.length < n) {
      if (this.ended) throw new Error(`peer ended after ${this.buf.length} of ${n} bytes`);
      await new Promise<void>((r) => { this.wake = r; });
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  /** Half-closes and waits until the server closes its side too. */
  async end(): Promise<void> {
    this.sock.end();
    await this.closed;
  }
}

// ── the examples under `sockbox run` ───────────────────────────────────────

/** The cells of the tour's Markdown table, by row name: [value kind, description, ...4 socket kinds]. */
function tableRows(lines: string[]): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of lines) {
    if (!line.startsWith('| ') || line.startsWith('| ---')) continue;
    const cells = line.slice(2, -2).split(' | ');
    rows.set(cells[0], cells.slice(1));
  }
  return rows;
}

describe('examples under sockbox run', () => {
  test('sockopt-tour (npm start): the seed rows for inet/inet6 x stream/dgram and a ping echo', async () => {
    const p = sockboxRun(TOUR, ['--allow-bind', '127.0.0.1:0', '--allow-bind', '[::1]:0', '--allow-connect', '127.0.0.1:*']);
    expect(await p.exited).toBe(0);
    const lines = p.lines();
    expect(lines).toContain('| Option Name | Value | Description | inet/stream | inet/dgram | inet6/stream | inet6/dgram |');
    const rows = tableRows(lines);
    const kinds = (name: string) => rows.get(name)?.slice(2);
    const all = (v: string) => [v, v, v, v];
    expect(kinds('SO_ACCEPTCONN')).toEqual(all('0'));
    expect(kinds('SO_ERROR')).toEqual(all('0'));
    expect(kinds('SO_KEEPALIVE')).toEqual(all('0'));
    expect(kinds('SO_TYPE')).toEqual(['SOCK_STREAM', 'SOCK_DGRAM', 'SOCK_STREAM', 'SOCK_DGRAM']);
    expect(kinds('IP_HDRINCL')).toEqual(all('0'));
    expect(kinds('IP_RECVDSTADDR')).toEqual(all('ENOPROTOOPT'));
    expect(kinds('IP_TOS')).toEqual(all('0'));
    expect(kinds('IP_TTL')).toEqual(all('64'));
    expect(kinds('SO_REUSEADDR')).toEqual(all('0'));
    // SO_REUSEADDR on UDP could take a host socket's port: refused unless granted.
    expect(kinds('SO_REUSEADDR after setsockopt(1)')).toEqual(['1', 'ENOTCAPABLE', '1', 'ENOTCAPABLE']);
    expect(kinds('SO_ACCEPTCONN after listen()')).toEqual(['1', 'n/a', '1', 'n/a']);
    expect(rows.get('IP_TTL')!.slice(0, 2)).toEqual(['int', 'Gets time-to-live.']);
    // SO_ERROR through the SDK is the guest's own errno, named.
    expect(lines.some((l) => /^SO_ERROR after a non-blocking connect to 127\.0\.0\.1:\d+ \(nobody listening\): ECONNREFUSED$/.test(l))).toBe(true);
    expect(lines.some((l) => /^echo round trip: ping -> ping \(\d+ µs, best of 10; 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:\d+\)$/.test(l))).toBe(true);
  });

  test('sockopt-tour with no grants: refused cells say ENOTCAPABLE, the echo says why, exit 1', async () => {
    const p = sockboxRun(TOUR, []);
    expect(await p.exited).toBe(1);
    const rows = tableRows(p.lines());
    expect(rows.get('SO_TYPE')!.slice(2)).toEqual(['SOCK_STREAM', 'SOCK_DGRAM', 'SOCK_STREAM', 'SOCK_DGRAM']);
    expect(rows.get('SO_ACCEPTCONN after listen()')!.slice(2)).toEqual(['ENOTCAPABLE', 'n/a', 'ENOTCAPABLE', 'n/a']);
    expect(p.lines()).toContain('echo round trip failed: bind 127.0.0.1:0: ENOTCAPABLE (Capabilities insufficient)');
  });

  test('echo-server: four concurrent Node clients echoed in full, then it exits 0', async () => {
    const p = sockboxRun(ECHO_SERVER, ['--allow-bind', '127.0.0.1:0'], ['0', '4']);
    const [, port] = await p.waitFor(/^listening on (\d+)$/);
    const sizes = [1, 2, 3, 4].map((i) => 64 * 1024 * i + i);
    await Promise.all(sizes.map(async (size, i) => {
      const c = await Client.connect(Number(port));
      const payload = Buffer.alloc(size, 65 + i);
      // In pieces, so the server's poll loop sees several reads per client.
      for (let at = 0; at < size; at += 50_000) c.write(payload.subarray(at, at + 50_000));
      expect((await c.read(size)).equals(payload)).toBe(true);
      await c.end();
    }));
    expect(await p.exited).toBe(0);
    const lines = p.lines();
    expect(lines.filter((l) => /^client [1-4] connected from 127\.0\.0\.1:\d+$/.test(l))).toHaveLength(4);
    const echoed = lines.map((l) => l.match(/^client [1-4] closed \((\d+) bytes echoed\)$/)?.[1]).filter((x) => x !== undefined);
    expect(echoed.map(Number).sort((a, b) => a - b)).toEqual(sizes);
    expect(lines.at(-1)).toBe('served 4 connections');
  });

  describe('http-get against a Node http server on 127.0.0.1:0', () => {
    let server: http.Server;
    let port = 0;
    const big = Buffer.alloc(300_000, 'b');
    const ready = new Promise<void>((resolve) => {
      server = http.createServer((req, res) => {
        if (req.url === '/missing') { res.statusCode = 404; res.end('no such page\n'); return; }
        if (req.url === '/big') { res.end(big); return; }
        res.end(`hello from the host: ${req.method} ${req.url} HTTP/${req.httpVersion} host=${req.headers.host}\n`);
      }).listen(0, '127.0.0.1', () => { port = (server.address() as net.AddressInfo).port; resolve(); });
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    test('numeric host: prints the body, exit 0', async () => {
      await ready;
      const p = sockboxRun(HTTP_GET, ['--allow-lookup', '--allow-connect', `127.0.0.1:${port}`], ['127.0.0.1', String(port), '/hello']);
      expect(await p.exited).toBe(0);
      expect(p.stdout()).toBe(`hello from the host: GET /hello HTTP/1.0 host=127.0.0.1:${port}\n`);
      expect(p.stderr()).toBe('');
    });

    test('localhost through getaddrinfo, a 300 kB body streamed to stdout', async () => {
      await ready;
      const p = sockboxRun(HTTP_GET, ['--allow-lookup', '--allow-connect', `127.0.0.1:${port}`], ['localhost', String(port), '/big']);
      expect(await p.exited).toBe(0);
      expect(p.stdout()).toBe(big.toString());
    });

    test('a 404: the body on stdout, the status line on stderr, exit 1', async () => {
      await ready;
      const p = sockboxRun(HTTP_GET, ['--allow-lookup', '--allow-connect', `127.0.0.1:${port}`], ['127.0.0.1', String(port), '/missing']);
      expect(await p.exited).toBe(1);
      expect(p.stdout()).toBe('no such page\n');
      expect(p.stderr()).toBe('http-get: HTTP/1.1 404 Not Found\n');
    });

    test('without --allow-lookup: getaddrinfo of a name fails with EAI_SYSTEM + ENOTCAPABLE, exit 1', async () => {
      await ready;
      const p = sockboxRun(HTTP_GET, ['--allow-connect', `127.0.0.1:${port}`], ['localhost', String(port), '/']);
      expect(await p.exited).toBe(1);
      expect(p.stderr()).toBe('http-get: localhost: System error: Capabilities insufficient\n');
    });

    test('without --allow-lookup: a numeric address needs no lookup grant (no resolver is asked)', async () => {
      await ready;
      const p = sockboxRun(HTTP_GET, ['--allow-connect', `127.0.0.1:${port}`], ['127.0.0.1', String(port), '/']);
      expect(await p.exited).toBe(0);
      expect(p.stdout()).toBe(`hello from the host: GET / HTTP/1.0 host=127.0.0.1:${port}\n`);
    });

    test('an address granted on another port: the lookup answers (answers are filtered by address), the connect is refused', async () => {
      await ready;
      const p = sockboxRun(HTTP_GET, ['--allow-lookup', '--allow-connect', `127.0.0.1:${port + 1}`], ['127.0.0.1', String(port), '/']);
      expect(await p.exited).toBe(1);
      expect(p.stderr()).toBe(`http-get: connect to 127.0.0.1 port ${port}: Capabilities insufficient\n`);
    });

    test('an address not granted on any port: the answer is dropped (EAI_SYSTEM with ENOTCAPABLE for a numeric host)', async () => {
      await ready;
      const p = sockboxRun(HTTP_GET, ['--allow-lookup', '--allow-connect', `127.0.0.2:${port}`], ['127.0.0.1', String(port), '/']);
      expect(await p.exited).toBe(1);
      expect(p.stderr()).toBe('http-get: 127.0.0.1: System error: Capabilities insufficient\n');
    });
  });
});

// ── a Linux program, natively and in the sandbox ───────────────────────────

/**
 * The client script both echo-poll builds face: three clients, overlapping,
 * each step waiting for the one before, so the server's output is the same on
 * every run. Returns the server's lines (port masked) and what the clients saw.
 */
async function driveEchoPoll(server: Proc): Promise<{ exitCode: number; lines: string[]; transcript: string[] }> {
  const transcript: string[] = [];
  const [, port] = await server.waitFor(/^listening on 127\.0\.0\.1:(\d+)$/);
  const c1 = await Client.connect(Number(port));
  c1.write('hello');
  transcript.push(`c1 ${await c1.read(5)}`);
  const c2 = await Client.connect(Number(port));
  c2.write('wor');
  c2.write('ld');
  transcript.push(`c2 ${await c2.read(5)}`);
  const c3 = await Client.connect(Number(port));
  const big = Buffer.alloc(100_000);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
  c3.write(big);
  transcript.push(`c3 ${(await c3.read(big.length)).equals(big) ? 'echoed 100000 bytes' : 'wrong echo'}`);
  c1.write('again');
  transcript.push(`c1 ${await c1.read(5)}`);
  await c2.end();
  await server.waitFor(/^conn 2: closed/);
  await c1.end();
  await server.waitFor(/^conn 1: closed/);
  await c3.end();
  const exitCode = await server.exited;
  const lines = server.lines().map((l) => l.replace(/^listening on 127\.0\.0\.1:\d+$/, 'listening on 127.0.0.1:PORT'));
  return { exitCode, lines, transcript };
}

const cc = spawnSync('cc', ['--version'], { encoding: 'utf8' });
const hasCc = !cc.error && cc.status === 0;
if (!hasCc) console.warn('test/guest-c.test.ts: no C compiler (cc): the native half of the echo-poll compatibility test is skipped');

describe('compatibility: test/compat/echo-poll.c, a Linux poll() echo server', () => {
  test('the sandboxed wasm build serves the client script', async () => {
    const wasm = await driveEchoPoll(sockboxRun(ECHO_POLL, ['--allow-bind', '127.0.0.1:0'], ['0', '3']));
    expect(wasm.exitCode).toBe(0);
    expect(wasm.transcript).toEqual(['c1 hello', 'c2 world', 'c3 echoed 100000 bytes', 'c1 again']);
    expect(wasm.lines).toEqual([
      'SO_TYPE is SOCK_STREAM',
      'SO_REUSEADDR is 1',
      'O_NONBLOCK is set',
      'SO_ACCEPTCONN is 1',
      'listening on 127.0.0.1:PORT',
      'conn 1: accepted from 127.0.0.1, family AF_INET, getpeername agrees, TCP_NODELAY=1, SO_ERROR=0, IP_TTL=64',
      'conn 2: accepted from 127.0.0.1, family AF_INET, getpeername agrees, TCP_NODELAY=1, SO_ERROR=0, IP_TTL=64',
      'conn 3: accepted from 127.0.0.1, family AF_INET, getpeername agrees, TCP_NODELAY=1, SO_ERROR=0, IP_TTL=64',
      'conn 2: closed after 5 bytes',
      'conn 1: closed after 10 bytes',
      'conn 3: closed after 100000 bytes',
      'done: 3 connections, 100015 bytes',
    ]);
  });

  test.skipIf(!hasCc)('the same source built with cc: the same output and the same transcript as the wasm build', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sockbox-compat-'));
    try {
      const exe = join(dir, 'echo-poll');
      const build = spawnSync('cc', ['-O2', '-Wall', '-Wextra', '-Werror', ECHO_POLL_C, '-o', exe], { encoding: 'utf8' });
      expect(build.stderr).toBe('');
      expect(build.status).toBe(0);
      const native = await driveEchoPoll(launch(exe, ['0', '3']));
      const wasm = await driveEchoPoll(sockboxRun(ECHO_POLL, ['--allow-bind', '127.0.0.1:0'], ['0', '3']));
      expect(native.exitCode).toBe(0);
      expect(wasm).toEqual(native);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ── every readable option: C guest vs host facade ──────────────────────────

/** Linux level numbers (the sockbox ABI's) by catalogue level name. */
const LINUX_LEVEL: Readonly<Record<string, number>> = { SOL_SOCKET: 1, IPPROTO_IP: 0, IPPROTO_TCP: 6, IPPROTO_UDP: 17, IPPROTO_IPV6: 41 };
const REFUSED_GET = new Set(['SO_PEERCRED', 'SO_PEERSEC']);
/** The guest's errno names for one number differ from the host's only here. */
const SAME_ERRNO: Readonly<Record<string, string>> = { EOPNOTSUPP: 'ENOTSUP' };

const KINDS = [
  { name: 'inet', type: 'stream', family: constants.AF_INET, sockType: constants.SOCK_STREAM },
  { name: 'inet', type: 'dgram', family: constants.AF_INET, sockType: constants.SOCK_DGRAM },
  { name: 'inet6', type: 'stream', family: constants.AF_INET6, sockType: constants.SOCK_STREAM },
  { name: 'inet6', type: 'dgram', family: constants.AF_INET6, sockType: constants.SOCK_DGRAM },
] as const;

/** Every catalogue option this host has and that can be read. */
const READABLE: readonly OptionInfo[] = core().options.filter((o) => o.readable && o.hostNumber >= 0);

/** What the host facade reads on a fresh socket: 'value=N' or 'errno=NAME' (the WASI name). */
function facadeRead(family: number, type: number, o: OptionInfo): string {
  const s = socket(family, type);
  try {
    return `value=${s.getsockopt(o.hostLevel, o.hostNumber)}`;
  } catch (e) {
    if (!(e instanceof SocketError)) throw e;
    return `errno=${WASI_ERRNO_NAMES[toWasiErrno(e.errno)]}`;
  } finally {
    s.close();
  }
}

/** The guest's lines "L:O value=N len=4" / "L:O errno=NAME" as 'value=N' / 'errno=NAME' by option. */
async function guestReads(command: 'getopt-linux' | 'getopt-posix', kind: (typeof KINDS)[number]): Promise<Map<string, string>> {
  const pairs = READABLE.map((o) => `${LINUX_LEVEL[o.levelName]}:${o.guest}`);
  const g = start([command, kind.name, kind.type, ...pairs], {}, PROBE);
  expect(await g.done).toEqual({ exitCode: 0 });
  const lines = g.lines();
  expect(lines).toHaveLength(READABLE.length);
  const out = new Map<string, string>();
  READABLE.forEach((o, i) => {
    const m = lines[i].match(/^(\d+):(\d+) (value=-?\d+) len=\d+$|^(\d+):(\d+) errno=(E[A-Z0-9]+)$/);
    expect(m, lines[i]).not.toBeNull();
    out.set(o.name, m![3] ?? `errno=${SAME_ERRNO[m![6]] ?? m![6]}`);
  });
  return out;
}

describe('every readable catalogue option: the C guest reads what the host facade reads', () => {
  test('the list covers every level and includes the seed options', () => {
    const names = READABLE.map((o) => o.name);
    for (const n of ['SO_ACCEPTCONN', 'SO_ERROR', 'SO_TYPE', 'IP_TTL', 'IPV6_V6ONLY', 'TCP_NODELAY', 'UDP_CORK']) expect(names).toContain(n);
  });

  for (const kind of KINDS) {
    test(`${kind.name}/${kind.type}, sockbox_getsockopt_linux (Linux numbering and values)`, async () => {
      const guest = await guestReads('getopt-linux', kind);
      for (const o of READABLE) {
        // Reading these is refused by the default policy: they reveal the host.
        const want = REFUSED_GET.has(o.name) ? 'errno=ENOTCAPABLE' : facadeRead(kind.family, kind.sockType, o);
        expect(`${o.name} ${guest.get(o.name)}`).toBe(`${o.name} ${want}`);
      }
    });

    test(`${kind.name}/${kind.type}, plain getsockopt (the guest's numbering: SO_TYPE and SO_DOMAIN translated)`, async () => {
      const guest = await guestReads('getopt-posix', kind);
      // wasi-libc: SOCK_STREAM 6, SOCK_DGRAM 5, AF_INET 1, AF_INET6 2.
      const translated: Record<string, string> = {
        SO_TYPE: `value=${kind.type === 'stream' ? 6 : 5}`,
        SO_DOMAIN: `value=${kind.name === 'inet' ? 1 : 2}`,
      };
      for (const o of READABLE) {
        const want = REFUSED_GET.has(o.name) ? 'errno=ENOTCAPABLE' : translated[o.name] ?? facadeRead(kind.family, kind.sockType, o);
        expect(`${o.name} ${guest.get(o.name)}`).toBe(`${o.name} ${want}`);
      }
    });
  }
});

// ── errno values and the rest of the SDK ───────────────────────────────────

describe('what a C guest sees (test/compat/sdk-probe.c)', () => {
  test('errno values: policy refusals are ENOTCAPABLE, bad fds EBADF, short buffers truncate', async () => {
    const g = start(['errors'], {}, PROBE);
    expect(await g.done).toEqual({ exitCode: 0 });
    expect(g.lines()).toEqual([
      // Options outside the catalogue are refused for guests (Linux would say ENOPROTOOPT).
      'getsockopt-unknown errno=ENOPROTOOPT',
      'setsockopt-unknown errno=ENOPROTOOPT',
      'getsockopt-bad-fd errno=EBADF',
      'getsockopt-closed-fd errno=EBADF',
      'getsockopt-not-socket errno=ENOTSOCK',
      'send-bad-fd errno=EBADF',
      // 127.0.0.2:9 and 127.0.0.1:1 are not granted: refused before any syscall.
      'connect-denied errno=ENOTCAPABLE',
      'bind-denied errno=ENOTCAPABLE',
      'getsockopt-peercred errno=ENOTCAPABLE',
      // POSIX truncation: 0 with *optlen 2. Linux answers an IP-level int with one byte.
      'getsockopt-short ret=0 optlen=2 value=1',
      'getsockopt-short-ttl ret=0 optlen=1 value=64',
      'getsockopt-short-type ret=0 optlen=2 value=6',
      'setsockopt-short errno=EINVAL',
      'getsockopt-null-optlen errno=EFAULT',
      'level-icmp errno=ENOPROTOOPT',
      'socket-unix errno=EAFNOSUPPORT',
      'socket-bad-type errno=EINVAL',
      'socket-bad-protocol errno=EPROTONOSUPPORT',
      'send-flags errno=EOPNOTSUPP',
      // SO_ERROR: the guest's errno through getsockopt, Linux's 111 through the raw entry point.
      'so-error-refused value=ECONNREFUSED',
      'so-error-refused-linux value=111',
      'getaddrinfo-denied gai=-11 errno=ENOTCAPABLE',
      'strerror-notcapable Capabilities insufficient',
      'epolicy 76 (ENOTCAPABLE 76)',
    ]);
  });

  for (const fam of [4, 6] as const) {
    test(`UDP over ${fam === 4 ? '127.0.0.1' : '::1'}: poll, MSG_DONTWAIT, sendto/recvfrom to itself, recvmsg truncation`, async () => {
      const g = start(['udp', String(fam)], {}, PROBE);
      expect(await g.done).toEqual({ exitCode: 0 });
      expect(g.lines()).toEqual([
        'poll-empty 0',
        'dontwait errno=EAGAIN nonblock=0',
        'poll-ready 1 revents-in=1',
        `recvfrom datagram from-self=1 addrlen=${fam === 4 ? 16 : 32}`,
        'recvmsg n=4 trunc=1 text=0123',
      ]);
    });

    test(`TCP over ${fam === 4 ? '127.0.0.1' : '::1'}: accept's address, getpeername, sendmsg, MSG_PEEK, MSG_WAITALL, shutdown`, async () => {
      const g = start(['tcp', String(fam)], {}, PROBE);
      expect(await g.done).toEqual({ exitCode: 0 });
      expect(g.lines()).toEqual([
        `accept family-ok=1 port-match=1 addr-match=1 addrlen=${fam === 4 ? 16 : 32}`,
        'getpeername port-match=1',
        'peek a waitall abc',
        'eof 0',
      ]);
    });
  }

  test('getaddrinfo: answers filtered by the connect grants\' addresses (any port); a name that does not resolve is EAI_NONAME', async () => {
    const net = { connect: ['127.0.0.1:80'], lookup: true };
    const ok = start(['addrinfo', '127.0.0.1', '80'], { net }, PROBE);
    expect(await ok.done).toEqual({ exitCode: 0 });
    expect(ok.lines()).toEqual(['ai inet stream 6 127.0.0.1 80']);
    // Another port of a granted address: the answer stands (connect checks the port).
    const other = start(['addrinfo', '127.0.0.1', '81'], { net }, PROBE);
    expect(await other.done).toEqual({ exitCode: 0 });
    expect(other.lines()).toEqual(['ai inet stream 6 127.0.0.1 81']);
    const elsewhere = start(['addrinfo', '127.0.0.2', '80'], { net }, PROBE);
    expect(await elsewhere.done).toEqual({ exitCode: 0 });
    expect(elsewhere.lines()).toEqual(['gai=-11 System error errno=ENOTCAPABLE']);
    // No resolver for a name that does not exist (it would ask DNS): a recording layer
    // answers EAI_NONAME, which the host gives the guest as AINONAME.
    const none = start(['addrinfo', 'no-such-host.invalid', '80'], { net, worker: false, native: new RecordingNative() }, PROBE);
    expect(await none.done).toEqual({ exitCode: 0 });
    expect(none.lines()).toEqual(['gai=-2 Name or service not known errno=0']);
  });

  test('inet_aton (BSD forms), inet_addr, inet_ntoa, numeric getnameinfo', async () => {
    const g = start(['inet'], {}, PROBE);
    expect(await g.done).toEqual({ exitCode: 0 });
    expect(g.lines()).toEqual([
      'inet_aton "127.0.0.1" 1 127.0.0.1',
      'inet_aton "10.1" 1 10.0.0.1',
      'inet_aton "0x7f.1" 1 127.0.0.1',
      'inet_aton "1.2.3" 1 1.2.0.3',
      'inet_aton "017.0.0.1" 1 15.0.0.1',
      'inet_aton "256.1.1.1" 0 -',
      'inet_aton "1.2.3.4.5" 0 -',
      'inet_aton "" 0 -',
      'inet_aton "1.2.3.x" 0 -',
      'inet_addr-none 1',
      'inet_ntoa 127.0.0.1',
      'getnameinfo 0 ::1 8080',
      'getnameinfo-namereqd -2',
      'getnameinfo-overflow -12',
    ]);
  });
});
