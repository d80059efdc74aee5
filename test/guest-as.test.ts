// The AssemblyScript library (guest/assembly) end to end, in both asc runtimes:
//   - its constants and errno names against the option catalogue and the errno table;
//   - test/guests/as/sdk.ts: every Socket method on loopback inside one guest, the
//     options it reads compared with what the host facade reads on a socket of the
//     same kind, the errno values it reports, Node peers on both sides;
//   - examples/kv-store under `sockbox run`, driven by Node clients;
//   - how a plugin finds the library (node_modules) and what its abort prints.
// The committed .wasm are the stub build of sdk.ts (build/guests.mjs) and the
// incremental build of kv-store (build/as-examples.mjs); the other runtime of each
// is compiled here with the project's asc, and so are freshness checks of both.

import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { socket, constants, SocketError, type Socket } from '../host/index.js';
import { core } from '../host/core.js';
import { toWasiErrno, WASI_ERRNO_NAMES } from '../host/native/errno.js';
import { start } from './support/guest.js';
import { sockboxRun } from './support/proc.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ASC = join(ROOT, 'node_modules', 'assemblyscript', 'bin', 'asc.js');
const SDK_SRC = 'test/guests/as/sdk.ts';
const SDK_STUB = join(ROOT, 'test', 'guests', 'sdk-as.wasm');
const KV_SRC = 'examples/kv-store/assembly/index.ts';
const KV_INCREMENTAL = join(ROOT, 'examples', 'kv-store', 'kv-store.wasm');
/** build/guests.mjs's flags for AssemblyScript guests. */
const GUEST_FLAGS = ['-O3', '--runtime', 'stub', '--exportStart', '_start', '--use', 'abort='];
/** build/as-examples.mjs's flags for the example plugins. */
const PLUGIN_FLAGS = ['-O3', '--runtime', 'incremental', '--exportStart', '_start', '--use', 'abort=guest/assembly/io/sockboxAbort'];

const scratch = mkdtempSync(join(tmpdir(), 'sockbox-guest-as-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Compiles an AssemblyScript entry file (relative to the root, or absolute) with the project's asc. */
function asc(src: string, out: string, flags: string[], cwd = ROOT): void {
  const r = spawnSync(process.execPath, [ASC, src, '-o', out, ...flags], { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`asc ${src} failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
}

type Runtime = 'stub' | 'incremental';
const RUNTIMES: Runtime[] = ['stub', 'incremental'];
const sdk = {} as Record<Runtime, Uint8Array>;
const kvStore = {} as Record<Runtime, string>;

beforeAll(() => {
  sdk.stub = readFileSync(SDK_STUB);
  const sdkInc = join(scratch, 'sdk-incremental.wasm');
  asc(SDK_SRC, sdkInc, ['-O3', '--exportStart', '_start', '--use', 'abort=']);
  sdk.incremental = readFileSync(sdkInc);
  kvStore.incremental = KV_INCREMENTAL;
  kvStore.stub = join(scratch, 'kv-store-stub.wasm');
  asc(KV_SRC, kvStore.stub, ['-O3', '--runtime', 'stub', '--exportStart', '_start', '--use', 'abort=guest/assembly/io/sockboxAbort']);
}, 60_000);

const wasiName = (hostErrno: number): string => WASI_ERRNO_NAMES[toWasiErrno(hostErrno)];

// ── the library's tables ───────────────────────────────────────────────────

/** `@inline export const NAME: T = VALUE;` declarations of an AssemblyScript file, top level only. */
function inlineConsts(file: string): Map<string, number> {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^@inline export const (\w+): \w+ = (0x[0-9a-fA-F]+|\d+)(?: \+ (\d+))?;$/gm)) {
    out.set(m[1], Number(m[2]) + (m[3] ? Number(m[3]) : 0));
  }
  return out;
}

describe('guest/assembly tables', () => {
  const consts = inlineConsts('guest/assembly/constants.ts');
  const options = core().options;

  test('constants.ts: every catalogue option, with its sockbox-ABI number (Linux, or 0x10000 + macOS)', () => {
    for (const o of options) expect([o.name, consts.get(o.name)]).toEqual([o.name, o.guest]);
  });

  test('constants.ts: every option-like constant is a catalogue option (no second table)', () => {
    const names = new Set(options.map((o) => o.name));
    const values = new Set(['IP_PMTUDISC_DONT', 'IP_PMTUDISC_WANT', 'IP_PMTUDISC_DO', 'IP_PMTUDISC_PROBE']);
    const extra = [...consts.keys()].filter((n) => /^(SO|IP|IPV6|TCP|UDP)_/.test(n) && !names.has(n) && !values.has(n) && !/^TCP_(ESTABLISHED|LISTEN)$/.test(n));
    expect(extra).toEqual([]);
  });

  test('constants.ts: families, types, levels, SHUT_*, MSG_*, IPTOS_*, IP_PMTUDISC_* are the host facade\'s on Linux', () => {
    const shared = ['AF_UNSPEC', 'AF_INET', 'AF_INET6', 'SOCK_STREAM', 'SOCK_DGRAM', 'SOL_SOCKET', 'SOL_IP', 'SOL_TCP',
      'SOL_UDP', 'IPPROTO_IP', 'IPPROTO_TCP', 'IPPROTO_UDP', 'IPPROTO_IPV6', 'SHUT_RD', 'SHUT_WR', 'SHUT_RDWR',
      'MSG_PEEK', 'MSG_WAITALL', 'MSG_DONTWAIT', 'MSG_NOSIGNAL', 'IPTOS_LOWDELAY', 'IPTOS_THROUGHPUT',
      'IPTOS_RELIABILITY', 'IP_PMTUDISC_DONT', 'IP_PMTUDISC_WANT', 'IP_PMTUDISC_DO', 'IP_PMTUDISC_PROBE'];
    const c = constants as Readonly<Record<string, number>>;
    for (const name of shared) {
      expect(consts.has(name), name).toBe(true);
      if (process.platform === 'linux' && name in c) expect([name, consts.get(name)]).toEqual([name, c[name]]);
    }
    // The numbers a guest uses are Linux's on every host: spelled out here.
    expect([consts.get('AF_INET6'), consts.get('SOCK_DGRAM'), consts.get('SOL_SOCKET'), consts.get('MSG_WAITALL')]).toEqual([10, 2, 1, 0x100]);
  });

  test('errno.ts: the names are host/native/errno.ts WASI_ERRNO_NAMES, and each Errno constant is its name\'s number', () => {
    const text = readFileSync(join(ROOT, 'guest/assembly/errno.ts'), 'utf8');
    const table = text.match(/const NAMES: StaticArray<string> = \[([\s\S]*?)\];/)![1];
    expect([...table.matchAll(/"(\w+)"/g)].map((m) => m[1])).toEqual(WASI_ERRNO_NAMES);
    const consts = [...text.matchAll(/@inline export const (\w+): Errno = (\d+);/g)];
    expect(consts.length).toBeGreaterThan(40);
    for (const [, name, num] of consts) {
      const posix = name === 'SUCCESS' ? 'SUCCESS' : name === 'TOOBIG' ? 'E2BIG' : `E${name}`;
      expect([name, WASI_ERRNO_NAMES[Number(num)]]).toEqual([name, posix]);
    }
  });
});

// ── the SDK test guest ─────────────────────────────────────────────────────

/** Runs the SDK guest to the end: its exit code and output lines. */
async function runSdk(rt: Runtime, args: string[], net?: { bind?: string[]; connect?: string[] }): Promise<{ exitCode: number; lines: string[] }> {
  const g = start(args, net ? { net } : {}, sdk[rt]);
  const { exitCode } = await g.done;
  return { exitCode, lines: g.lines() };
}

/** A facade option value formatted as the SDK guest prints typed values. */
function facadeTyped(s: Socket, name: string): string {
  try {
    const v = s.getOption(name);
    if (typeof v === 'object' && v !== null && 'onoff' in v) return `${v.onoff},${v.seconds}`;
    if (typeof v === 'object' && v !== null && 'usec' in v) return `${v.sec},${v.usec}`;
    return String(v);
  } catch (e) {
    if (e instanceof SocketError) return `errno=${wasiName(e.errno)}`;
    throw e;
  }
}

function facadeRaw(s: Socket, name: string): string {
  const info = core().byName.get(name)!;
  try {
    return String(s.getsockopt(info.hostLevel, info.hostNumber));
  } catch (e) {
    if (e instanceof SocketError) return `errno=${wasiName(e.errno)}`;
    throw e;
  }
}

/** The sets the guest's tour makes, done on the facade socket. */
const TOUR_SETS: Readonly<Record<string, (s: Socket) => void>> = {
  SO_KEEPALIVE: (s) => s.setOption('SO_KEEPALIVE', true),
  SO_RCVBUF: (s) => s.setsockopt(constants.SOL_SOCKET, constants.SO_RCVBUF, 65536),
  SO_LINGER: (s) => s.setOption('SO_LINGER', { onoff: true, seconds: 5 }),
  SO_RCVTIMEO: (s) => s.setOption('SO_RCVTIMEO', { sec: 2, usec: 500000 }),
  IP_TOS: (s) => s.setsockopt(constants.IPPROTO_IP, constants.IP_TOS, 0x10),
  IP_MULTICAST_IF: (s) => s.setOption('IP_MULTICAST_IF', '127.0.0.1'),
  TCP_NODELAY: (s) => s.setOption('TCP_NODELAY', true),
  TCP_KEEPIDLE: (s) => s.setOption('TCP_KEEPIDLE', 77),
  TCP_CONGESTION: (s) => s.setOption('TCP_CONGESTION', 'reno'),
};

const TOUR_BYTES: Readonly<Record<string, [number, number, number]>> = {
  SO_RCVBUF: [constants.SOL_SOCKET, constants.SO_RCVBUF, 4],
  IP_TTL: [constants.IPPROTO_IP, constants.IP_TTL, 1],
};

/**
 * What the facade says, line for line, for the guest's tour transcript: each line
 * is replayed on a facade socket of the same kind (reads read, sets set).
 */
function facadeTranscript(guest: string[], family: number, type: number): string[] {
  const s = socket(family, type);
  try {
    return guest.map((line) => {
      const [word, name] = line.split(' ');
      if (line === 'after-set') return line;
      if (word === 'raw') return `raw ${name} ${facadeRaw(s, name)}`;
      if (word === 'bytes') {
        const [level, opt, len] = TOUR_BYTES[name];
        return `bytes ${name} ${Buffer.from(s.getsockopt(level, opt, len) as Uint8Array).toString('hex')}`;
      }
      if (word === 'set') {
        try {
          TOUR_SETS[name](s);
          return `set ${name} errno=0`;
        } catch (e) {
          if (e instanceof SocketError) return `set ${name} errno=${toWasiErrno(e.errno)}`;
          throw e;
        }
      }
      return `${word} ${facadeTyped(s, word)}`;
    });
  } finally {
    s.close();
  }
}

const FAMILIES = [
  { fam: '4', family: constants.AF_INET, host: '127.0.0.1', node: 'udp4' as const },
  { fam: '6', family: constants.AF_INET6, host: '::1', node: 'udp6' as const },
];

describe.each(RUNTIMES)('the SDK guest, --runtime %s', (rt) => {
  test.each(FAMILIES)('selftest $host: every Socket method on loopback inside the guest', async ({ fam }) => {
    const { exitCode, lines } = await runSdk(rt, ['selftest', fam]);
    expect(lines.filter((l) => !l.startsWith('ok '))).toEqual([]);
    expect(lines).toHaveLength(45);
    expect(exitCode).toBe(0);
  });

  for (const { fam, family } of FAMILIES) {
    for (const type of ['stream', 'dgram']) {
      test(`tour ${fam} ${type}: every option value, typed and raw, before and after sets, is the host facade's`, async () => {
        const { exitCode, lines } = await runSdk(rt, ['tour', fam, type]);
        expect(exitCode).toBe(0);
        expect(lines.filter((l) => l.startsWith('raw ')).length).toBeGreaterThan(50);
        expect(lines).toContain('after-set');
        expect(lines).toEqual(facadeTranscript(lines, family, type === 'stream' ? constants.SOCK_STREAM : constants.SOCK_DGRAM));
        // A few values spelled out, so that a facade bug cannot hide a guest bug.
        expect(lines).toContain(`SO_TYPE ${type === 'stream' ? 1 : 2}`);
        expect(lines).toContain(`SO_DOMAIN ${fam === '4' ? 2 : 10}`);
        expect(lines.filter((l) => l === 'SO_LINGER true,5' || l === 'SO_RCVTIMEO 2,500000')).toHaveLength(2);
        expect(lines).toContain('bytes IP_TTL 40');
      });
    }
  }

  test('errors: the WASI errno of each failure, NOTCAPABLE (76) for what the policy refuses', async () => {
    const { exitCode, lines } = await runSdk(rt, ['errors'], { bind: ['127.0.0.1:0'], connect: ['127.0.0.1:*'] });
    expect(exitCode).toBe(0);
    expect(lines).toEqual([
      'connect-refused errno=14', // CONNREFUSED
      'connect-not-granted errno=76', // [::1] is not granted
      'connect-bad-host errno=28', // a name: not resolved
      'connect-nonblocking errno=26', // INPROGRESS
      'poll-after-refused writable',
      'pending-error errno=14',
      'pending-error-again errno=0', // reading SO_ERROR clears it
      'so-error-linux 111', // the sockbox ABI's SO_ERROR: Linux's ECONNREFUSED
      'bind-not-granted errno=76',
      'bind-bad-host errno=28',
      'getsockopt-unknown errno=50', // outside the catalogue: NOPROTOOPT, as the kernel says
      'getsockopt-bsd-only errno=50', // IP_RECVDSTADDR: NOPROTOOPT on Linux
      'setsockopt-refused errno=76', // setting IP_HDRINCL
      'setsockopt-short errno=28', // a 2-byte int: the kernel's EINVAL
      'getsockopt-buflen-0 errno=28',
      'getsockopt-buflen-1025 errno=28',
      'getlinger-ok errno=0',
      'setinaddr-bad errno=28',
      'recv-not-connected errno=53', // NOTCONN
      'getpeername-not-connected errno=53',
      'shutdown-bad-how errno=28',
      'send-bad-flag errno=58', // MSG_OOB: NOTSUP
      'accept-nonblocking errno=6', // AGAIN
      'accept-result-fd -1 errno=6',
      'close errno=0',
      'close-again errno=0',
      'getsockopt-closed errno=8', // BADF
      'send-closed -1 errno=8',
      'listen-closed errno=8',
      'last-errno errno=8',
      'open-unix errno=5', // AFNOSUPPORT
      'open-raw errno=67', // PROTOTYPE
      'open-bad-proto errno=66', // PROTONOSUPPORT
      'fromfd-stdout errno=57', // NOTSOCK
    ]);
  });

  test('churn: 5000 UDP round trips that allocate', async () => {
    const { exitCode, lines } = await runSdk(rt, ['churn', '5000']);
    expect(exitCode).toBe(0);
    const pages = Number(lines.at(-1)!.match(/^pages (\d+)$/)![1]);
    // The incremental runtime collects: memory stays at its start size. The stub
    // runtime never frees (as documented): it grows with every round trip.
    if (rt === 'incremental') expect(pages).toBeLessThanOrEqual(4);
    else expect(pages).toBeGreaterThan(20);
  });

  describe.each(FAMILIES)('with Node peers on $host', ({ fam, host, node }) => {
    test('guest server, Node client: the peer address is the client\'s, lines come back upper-cased', async () => {
      const g = start(['server', fam], {}, sdk[rt]);
      const [, port] = await g.waitFor(/^listening (\d+)$/);
      const c = net.connect(Number(port), host);
      await new Promise<void>((r) => c.once('connect', () => r()));
      const clientPort = c.localPort;
      let got = '';
      c.on('data', (d: Buffer) => { got += d.toString('utf8'); });
      const closed = new Promise<void>((r) => c.on('close', () => r()));
      c.write('hello\n');
      c.write('wörld\n');
      c.end();
      await closed;
      expect(got).toBe('HELLO\nWÖRLD\n');
      expect(await g.done).toEqual({ exitCode: 0 });
      expect(g.lines()).toEqual([`listening ${port}`, `peer ${host} ${clientPort}`, 'eof 13']);
    });

    test('guest client, Node server: send, shutdown(SHUT_WR), read to EOF', async () => {
      const server = net.createServer((s) => {
        let data = '';
        s.on('data', (d: Buffer) => { data += d.toString('utf8'); });
        s.on('end', () => s.end(`got ${data.trim()} from ${s.remoteAddress}`));
      });
      await new Promise<void>((r) => server.listen(0, host, () => r()));
      try {
        const port = (server.address() as net.AddressInfo).port;
        const g = start(['client', fam, String(port)], {}, sdk[rt]);
        expect(await g.done).toEqual({ exitCode: 0 });
        expect(g.lines()).toEqual([`received got hello from as from ${host}`]);
      } finally {
        await new Promise<void>((r) => server.close(() => r()));
      }
    });

    test('guest UDP client, Node server: sendto, recvfrom with the sender\'s address', async () => {
      const server = dgram.createSocket(node);
      server.on('message', (msg, from) => server.send(`pong to ${msg.toString()}`, from.port, from.address));
      await new Promise<void>((r) => server.bind(0, host, () => r()));
      try {
        const port = server.address().port;
        const g = start(['udp-client', fam, String(port)], {}, sdk[rt]);
        expect(await g.done).toEqual({ exitCode: 0 });
        expect(g.lines()).toEqual([`reply pong to ping from ${host} ${port}`]);
      } finally {
        server.close();
      }
    });
  });
});

// ── examples/kv-store under sockbox run ─────────────────────────────────────

/** A TCP client that reads whole lines. */
class LineClient {
  private buf = '';
  private wake: (() => void) | undefined;
  private ended = false;
  readonly closed: Promise<void>;

  private constructor(readonly sock: net.Socket) {
    sock.setEncoding('utf8');
    // A server that drops the connection may reset it; the reply read so far is what counts.
    sock.on('error', () => { this.ended = true; this.wake?.(); });
    sock.on('data', (d: string) => { this.buf += d; this.wake?.(); });
    sock.on('end', () => { this.ended = true; this.wake?.(); });
    this.closed = new Promise((r) => sock.on('close', () => r()));
  }

  static connect(port: number): Promise<LineClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new LineClient(s)));
      s.once('error', reject);
    });
  }

  /** Sends a command and returns the reply line. */
  async ask(line: string): Promise<string> {
    this.sock.write(line);
    for (;;) {
      const nl = this.buf.indexOf('\n');
      if (nl >= 0) {
        const reply = this.buf.slice(0, nl);
        this.buf = this.buf.slice(nl + 1);
        return reply;
      }
      if (this.ended) throw new Error(`connection closed before a reply to ${JSON.stringify(line)}`);
      await new Promise<void>((r) => { this.wake = r; });
    }
  }
}

/** SO_RCVBUF as the kernel reports it after setting 262144 (Linux doubles, and caps at rmem_max). */
function rcvbufAfterSet(): number {
  const s = socket();
  try {
    s.setsockopt(constants.SOL_SOCKET, constants.SO_RCVBUF, 262144);
    return s.getsockopt(constants.SOL_SOCKET, constants.SO_RCVBUF);
  } finally {
    s.close();
  }
}

describe.each(RUNTIMES)('examples/kv-store, --runtime %s, under sockbox run', (rt) => {
  test('two Node clients at once: SET/GET/DEL/KEYS/INFO/QUIT, then SHUTDOWN: exit 0 and a summary', async () => {
    const p = sockboxRun(kvStore[rt], ['--allow-bind', '127.0.0.1:0'], ['0']);
    const [, port] = await p.waitFor(/^kv-store listening on 127\.0\.0\.1:(\d+)$/);
    const a = await LineClient.connect(Number(port));
    const b = await LineClient.connect(Number(port));
    const aPeer = `127.0.0.1:${a.sock.localPort}`;
    const bPeer = `127.0.0.1:${b.sock.localPort}`;
    expect(await a.ask('SET greeting hello wörld\n')).toBe('OK');
    expect(await b.ask('GET greeting\r\n')).toBe('VALUE hello wörld');
    expect(await b.ask('SET b 2\nGET nothing\n')).toBe('OK');
    expect(await b.ask('')).toBe('NOT_FOUND');
    expect(await a.ask('KEYS\n')).toBe('KEYS b greeting');
    // A command split across reads: the server answers the whole line and keeps "DE"
    // (read with it) until the rest comes.
    expect(await a.ask('GET b\nDE')).toBe('VALUE 2');
    expect(await a.ask('L b\n')).toBe('DELETED');
    expect(await a.ask('DEL b\n')).toBe('NOT_FOUND');
    expect(await a.ask('bogus\n')).toBe('ERROR unknown command');
    const info = await a.ask('INFO\n');
    expect(info).toMatch(/^INFO state=1 rtt_us=\d+ snd_cwnd=\d+ total_retrans=0 bytes_received=\d+ TCP_NODELAY=true TCP_CONGESTION=\w+ SO_RCVBUF=\d+$/);
    expect(await a.ask('QUIT\n')).toBe('BYE');
    await a.closed;
    expect(await b.ask('SHUTDOWN\n')).toBe('BYE');
    await b.closed;
    expect(await p.exited).toBe(0);
    expect(p.stderr()).toBe('');
    const lines = p.lines();
    expect(lines).toEqual([
      `kv-store listening on 127.0.0.1:${port}`,
      `listener: SO_REUSEADDR=true SO_ACCEPTCONN=true SO_RCVBUF=${rcvbufAfterSet()} (asked for 262144)`,
      `client ${aPeer} connected (TCP_NODELAY=true SO_KEEPALIVE=true TCP_KEEPIDLE=60)`,
      `client ${bPeer} connected (TCP_NODELAY=true SO_KEEPALIVE=true TCP_KEEPIDLE=60)`,
      `client ${aPeer} closed after 8 commands`,
      `client ${bPeer} closed after 4 commands`,
      'shutting down: 1 keys, 2 clients served',
    ]);
  });

  test('a client that goes away mid-line, and an over-long line: dropped, the server stays up', async () => {
    const p = sockboxRun(kvStore[rt], ['--allow-bind', '127.0.0.1:0'], ['0']);
    const [, port] = await p.waitFor(/^kv-store listening on 127\.0\.0\.1:(\d+)$/);
    const gone = await LineClient.connect(Number(port));
    gone.sock.end('SET half');
    await gone.closed;
    await p.waitFor(/closed after 0 commands$/);
    const long = await LineClient.connect(Number(port));
    expect(await long.ask(`SET k ${'x'.repeat(5000)}\n`)).toBe('ERROR line too long');
    await long.closed;
    const last = await LineClient.connect(Number(port));
    expect(await last.ask('SHUTDOWN\n')).toBe('BYE');
    expect(await p.exited).toBe(0);
    expect(p.lines().at(-1)).toBe('shutting down: 0 keys, 3 clients served');
  });

  test('without --allow-bind: one line naming the flag to add, exit 1', async () => {
    const p = sockboxRun(kvStore[rt], [], ['0']);
    expect(await p.exited).toBe(1);
    expect(p.stderr()).toBe('kv-store: the sandbox does not grant binding 127.0.0.1:0 (sockbox run --allow-bind 127.0.0.1:0)\n');
  });
});

// ── builds ─────────────────────────────────────────────────────────────────

describe('builds', () => {
  test('the committed .wasm are fresh: sdk-as.wasm (build/guests.mjs), kv-store.wasm (build/as-examples.mjs)', () => {
    const sdkOut = join(scratch, 'sdk-stub.wasm');
    asc(SDK_SRC, sdkOut, GUEST_FLAGS);
    expect(readFileSync(sdkOut).equals(readFileSync(SDK_STUB)), 'run node build/guests.mjs').toBe(true);
    const kvOut = join(scratch, 'kv-store-incremental.wasm');
    asc(KV_SRC, kvOut, PLUGIN_FLAGS);
    expect(readFileSync(kvOut).equals(readFileSync(KV_INCREMENTAL)), 'run node build/as-examples.mjs').toBe(true);
  }, 60_000);

  test('a plugin in another project imports "sockbox/guest/assembly" from node_modules; sockboxAbort reports a runtime error, exit 134', async () => {
    const project = join(scratch, 'plugin-project');
    mkdirSync(join(project, 'node_modules'), { recursive: true });
    mkdirSync(join(project, 'assembly'), { recursive: true });
    symlinkSync(ROOT, join(project, 'node_modules', 'sockbox'), 'dir');
    writeFileSync(join(project, 'assembly', 'index.ts'), [
      'import { Socket, AF_INET, SOCK_DGRAM, SOL_SOCKET, SO_TYPE, println, args } from "sockbox/guest/assembly";',
      'const s = new Socket(AF_INET, SOCK_DGRAM);',
      'println("SO_TYPE " + s.getsockopt(SOL_SOCKET, SO_TYPE).toString() + " errno " + s.errno.toString());',
      'const a = args();',
      'println("arg " + a[a.length - 1]);',
      'println(a[7]); // out of range: abort',
      '',
    ].join('\n'));
    const out = join(project, 'plugin.wasm');
    asc('assembly/index.ts', out, ['-O3', '--runtime', 'incremental', '--exportStart', '_start',
      '--use', 'abort=~lib/sockbox/guest/assembly/io/sockboxAbort'], project);
    const p = sockboxRun(out, [], ['last']);
    expect(await p.exited).toBe(134);
    expect(p.lines()).toEqual(['SO_TYPE 2 errno 0', 'arg last']);
    expect(p.stderr()).toMatch(/^abort: Index out of range at ~lib\/array\.ts:\d+:\d+\n$/);
  }, 60_000);
});
