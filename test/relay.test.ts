// The relay (host/relay/), driven from Node through the wire as a page drives it
// (test/support/relay-client.ts): the sandbox's socket imports on the relay's kernel
// sockets, the relay's policy, authentication, the Origin list, per-session limits, and
// every socket of a session closed when its page goes away. The browser itself is in
// test/browser.test.ts.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { once } from 'node:events';
import WebSocket from 'ws';
import { readdirSync, readlinkSync } from 'node:fs';
import { createRelay, type Relay, type RelayEvent } from '../host/relay/index.js';
import { CALLS, CLOSE, encodeCall, callIndex } from '../host/relay/wire.js';
import * as abi from '../host/sandbox/abi.js';
import { RecordingNative } from './support/recording-native.js';
import { RelayClient } from './support/relay-client.js';

const ORIGIN = 'http://127.0.0.1:5173';
const TOKEN = 'secret-token';
/** The inodes of the sockets this process holds. */
function sockets(): Set<string> {
  const out = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const l = readlinkSync(`/proc/self/fd/${fd}`);
      if (l.startsWith('socket:')) out.add(l);
    } catch { /* closed meanwhile */ }
  }
  return out;
}
/** Sockets open now that were not open at `before`. */
const leftOver = (before: Set<string>) => [...sockets()].filter((s) => !before.has(s));

/** Scratch layout in the client's guest memory. */
const FD = 0x100, LEN = 0x104, FLAGS = 0x108, ADDR = 0x200, PORT = 0x300, TYPE = 0x304, VAL = 0x400, IOV = 0x500, BUF = 0x1000;

let relay: Relay;
const events: RelayEvent[] = [];
const closedSessions = new Map<number, (e: RelayEvent) => void>();

function sessionClosed(): Promise<RelayEvent> {
  return new Promise((resolve) => {
    const id = Math.random();
    closedSessions.set(id, (e) => { closedSessions.delete(id); resolve(e); });
  });
}

beforeAll(async () => {
  relay = await createRelay({
    port: 0, token: TOKEN, origins: [ORIGIN],
    policy: { net: { bind: ['127.0.0.1:0'], connect: ['127.0.0.1:*'] } },
    onEvent: (e) => {
      events.push(e);
      if (e.type === 'session' && e.state === 'closed') for (const f of [...closedSessions.values()]) f(e);
    },
  });
});

afterAll(async () => {
  await relay.close();
});

const connect = (opts: Partial<Parameters<typeof RelayClient.connect>[1]> = {}) => RelayClient.connect(relay.url, { origin: ORIGIN, token: TOKEN, ...opts });

async function udp(c: RelayClient): Promise<number> {
  expect(await c.call('sock_open', [abi.AF_INET4, abi.SOCK_DGRAM, FD])).toBe(0);
  return c.u32(FD);
}

async function tcpListener(c: RelayClient): Promise<{ fd: number; port: number }> {
  expect(await c.call('sock_open', [abi.AF_INET4, abi.SOCK_STREAM, FD])).toBe(0);
  const fd = c.u32(FD);
  expect(await c.call('sock_bind', [fd, c.ipv4(ADDR, [127, 0, 0, 1]), 0])).toBe(0);
  expect(await c.call('sock_listen', [fd, 8])).toBe(0);
  expect(await c.call('sock_getlocaladdr', [fd, c.ipv4(ADDR, [0, 0, 0, 0]), TYPE, PORT])).toBe(0);
  return { fd, port: c.u32(PORT) };
}

describe('relay: the sandbox import layer on the relay kernel', () => {
  it('opens a socket and reads and writes real option values (sockbox.getsockopt, Linux numbering)', async () => {
    const c = await connect();
    const fd = await udp(c);
    expect(fd).toBeGreaterThanOrEqual(3);
    c.setU32(VAL, 65536);
    expect(await c.call('setsockopt', [fd, 1, 8, VAL, 4], 'sockbox')).toBe(0); // SOL_SOCKET, SO_RCVBUF
    c.setU32(VAL, 0);
    c.setU32(LEN, 4);
    expect(await c.call('getsockopt', [fd, 1, 8, VAL, LEN], 'sockbox')).toBe(0);
    expect(c.u32(VAL)).toBe(131072); // the kernel doubles it: a real value, not a cached one
    expect(c.u32(LEN)).toBe(4);
    // SO_TYPE through WasmEdge's sock_getsockopt, in WasmEdge's numbering.
    c.setU32(LEN, 4);
    expect(await c.call('sock_getsockopt', [fd, abi.SOL_SOCKET, 1, VAL, LEN])).toBe(0); // WasmEdge's SO_TYPE is 1
    expect(c.u32(VAL)).toBe(abi.SOCK_DGRAM);
    // The import layer's own checks run on the relay: a bad fd, a length outside memory.
    expect(await c.call('getsockopt', [99, 1, 8, VAL, LEN], 'sockbox')).toBe(8); // BADF
    expect(await c.call('getsockopt', [fd, 1, 8, VAL, c.mem.length - 2], 'sockbox')).toBe(21); // FAULT
    c.close();
    await c.closed;
  });

  it('serves a TCP echo: accept blocks on the relay until a client comes; recv and send move the bytes', async () => {
    const c = await connect();
    const { fd, port } = await tcpListener(c);
    expect(port).toBeGreaterThan(0);
    const accepted = c.call('sock_accept', [fd, FD]);
    const peer = net.connect(port, '127.0.0.1');
    const echoed = new Promise<string>((resolve) => { let got = ''; peer.on('data', (d) => { got += d; if (got.length >= 5) resolve(got); }); });
    expect(await accepted).toBe(0);
    const conn = c.u32(FD);
    peer.write('hello');
    c.setU32(IOV, BUF); c.setU32(IOV + 4, 100);
    expect(await c.call('sock_recv', [conn, IOV, 1, 0, LEN, FLAGS])).toBe(0);
    expect(c.u32(LEN)).toBe(5);
    expect(Buffer.from(c.mem.subarray(BUF, BUF + 5)).toString()).toBe('hello');
    c.setU32(IOV + 4, 5);
    expect(await c.call('sock_send', [conn, IOV, 1, 0, LEN])).toBe(0);
    expect(c.u32(LEN)).toBe(5);
    expect(await echoed).toBe('hello');
    peer.destroy();
    c.close();
    await c.closed;
  });

  it("refuses a connect the relay's policy does not grant: NOTCAPABLE, and no connect(2) runs", async () => {
    const rec = new RecordingNative();
    const seen: RelayEvent[] = [];
    const r = await createRelay({
      port: 0, token: TOKEN, origins: [ORIGIN], native: rec,
      policy: { net: { connect: ['127.0.0.1:7'] } },
      onEvent: (e) => seen.push(e),
    });
    try {
      const c = await RelayClient.connect(r.url, { origin: ORIGIN, token: TOKEN });
      expect(await c.call('sock_open', [abi.AF_INET4, abi.SOCK_STREAM, FD])).toBe(0);
      const fd = c.u32(FD);
      expect(await c.call('sock_connect', [fd, c.ipv4(ADDR, [10, 0, 0, 1]), 80])).toBe(abi.ERRNO_NOTCAPABLE);
      expect(await c.call('sock_connect', [fd, c.ipv4(ADDR, [127, 0, 0, 1]), 8])).toBe(abi.ERRNO_NOTCAPABLE);
      expect(rec.syscalls(['socket'])).toHaveLength(1); // the session does run on this layer
      expect(rec.syscalls(['connect'])).toEqual([]);
      expect(seen.some((e) => e.type === 'sandbox' && e.event.type === 'refused')).toBe(true);
      c.close();
      await c.closed;
    } finally {
      await r.close();
    }
  });
});

describe('relay: who may connect', () => {
  it('closes the session of a bad token with 4401 and never opens a sandbox', async () => {
    const before = events.filter((e) => e.type === 'session' && e.state === 'open').length;
    await expect(connect({ token: 'wrong' })).rejects.toMatchObject({ code: CLOSE.AUTH, reason: 'authentication failed' });
    await expect(connect({ token: undefined })).rejects.toMatchObject({ code: CLOSE.AUTH });
    expect(events.filter((e) => e.type === 'session' && e.state === 'open').length).toBe(before);
  });

  it('refuses a foreign Origin (close 4403 with the reason, no session) and none (HTTP 403 at the upgrade)', async () => {
    const before = events.filter((e) => e.type === 'session' && e.state === 'open').length;
    await expect(connect({ origin: 'http://evil.example' })).rejects.toMatchObject({ code: CLOSE.ORIGIN, reason: "origin http://evil.example is not in the relay's origins" });
    expect(events.filter((e) => e.type === 'session' && e.state === 'open').length).toBe(before);
    await expect(RelayClient.connect(relay.url, { token: TOKEN })).rejects.toMatchObject({ status: 403 });
    expect(events.some((e) => e.type === 'refused' && e.origin === 'http://evil.example')).toBe(true);
  });

  it('closes a connection that sends no hello in time, or a second frame before the answer', async () => {
    const r = await createRelay({ port: 0, token: TOKEN, origins: [ORIGIN], policy: {}, limits: { helloMs: 100 } });
    try {
      const ws = new WebSocket(r.url, { origin: ORIGIN });
      const [code, reason] = await once(ws, 'close') as [number, Buffer];
      expect([code, reason.toString()]).toEqual([CLOSE.AUTH, 'no hello in time']);
      await expect(RelayClient.connect(r.url, { origin: ORIGIN, hello: 'not json' })).rejects.toMatchObject({ code: CLOSE.PROTOCOL });
      await expect(RelayClient.connect(r.url, { origin: ORIGIN, hello: JSON.stringify({ type: 'hello', version: 99, token: TOKEN }) }))
        .rejects.toMatchObject({ code: CLOSE.PROTOCOL, reason: expect.stringMatching(/version 1 of the wire/) });
    } finally {
      await r.close();
    }
  });

  it('takes an authenticate callback instead of a token', async () => {
    const r = await createRelay({ port: 0, origins: '*', policy: {}, authenticate: ({ token }) => token === 'letmein' });
    try {
      const c = await RelayClient.connect(r.url, { token: 'letmein' });
      c.close();
      await c.closed;
      await expect(RelayClient.connect(r.url, { token: 'nope' })).rejects.toMatchObject({ code: CLOSE.AUTH });
    } finally {
      await r.close();
    }
  });

  it('says what is wrong with its own options', async () => {
    await expect(createRelay({ origins: '*', policy: {} })).rejects.toThrow(/token or an authenticate/);
    await expect(createRelay({ token: 'x', policy: {} } as never)).rejects.toThrow(/origins must be/);
    await expect(createRelay({ token: 'x', origins: ['http://a/b'], policy: {} })).rejects.toThrow(/no path/);
    await expect(createRelay({ token: 'x', origins: '*', policy: { net: { connect: ['nonsense'] } } })).rejects.toThrow();
    await expect(createRelay({ token: 'x', origins: '*', policy: {}, limits: { sesions: 1 } as never })).rejects.toThrow(/not a relay limit/);
  });
});

describe('relay: the page is untrusted', () => {
  it('a page that goes away mid-call leaves no socket open on the relay', async () => {
    const before = sockets();
    const c = await connect();
    const { fd } = await tcpListener(c);
    await udp(c);
    const accept = c.call('sock_accept', [fd, FD]).catch(() => 'ended');
    const closed = sessionClosed();
    // The page closes while its guest is blocked in accept on the relay.
    setTimeout(() => c.ws.terminate(), 50);
    expect(await accept).toBe('ended');
    await closed;
    expect(leftOver(before)).toEqual([]);
  });

  it('ends a session that sends garbage, or regions outside the memory it declared (4400)', async () => {
    const c = await connect();
    c.ws.send(new Uint8Array([1, 2, 3]));
    expect(await c.closed).toMatchObject({ code: CLOSE.PROTOCOL });
    // A call sent with the hello, before the relay said ready: refused while the hello is
    // checked, or (sent a little later) while the session's sandbox starts.
    const early = new WebSocket(relay.url, { origin: ORIGIN });
    await once(early, 'open');
    early.send(JSON.stringify({ type: 'hello', version: 1, token: TOKEN }));
    early.send(encodeCall(1, callIndex('wasi_snapshot_preview1', 'sock_open', 3), [abi.AF_INET4, abi.SOCK_DGRAM, FD], 65536, []));
    const [code, reason] = await once(early, 'close') as [number, Buffer];
    expect(code).toBe(CLOSE.PROTOCOL);
    expect(reason.toString()).toMatch(/^(the first frame must be the hello, alone|a call came before the relay said ready)$/);
    const d = await connect();
    const i = callIndex('wasi_snapshot_preview1', 'sock_open', 3);
    const frame = encodeCall(1, i, [abi.AF_INET4, abi.SOCK_DGRAM, FD], 65536, [{ ptr: 65530, bytes: new Uint8Array(100) }]);
    await expect(d.raw(frame)).rejects.toMatchObject({ code: CLOSE.PROTOCOL });
  });

  it("holds a session to the policy's maxSockets and to the relay's memory cap; mirrors a guest memory that grows", async () => {
    const r = await createRelay({
      port: 0, token: TOKEN, origins: [ORIGIN], policy: { maxSockets: 1 }, limits: { memoryBytes: 1024 * 1024 },
    });
    try {
      const c = await RelayClient.connect(r.url, { origin: ORIGIN, token: TOKEN, pages: 16 });
      await udp(c); // the page's memory is 16 pages: the shadow grows to it
      expect(await c.call('sock_open', [abi.AF_INET4, abi.SOCK_DGRAM, 15 * 65536])).toBe(abi.ERRNO_NOTCAPABLE);
      expect(await c.call('fd_close', [3])).toBe(0);
      expect(await c.call('sock_open', [abi.AF_INET4, abi.SOCK_DGRAM, 16 * 65536 - 4])).toBe(0);
      expect(c.u32(16 * 65536 - 4)).toBe(3);
      const big = encodeCall(9, callIndex('wasi_snapshot_preview1', 'sock_open', 3), [abi.AF_INET4, abi.SOCK_DGRAM, FD], 17 * 65536, []);
      await expect(c.raw(big)).rejects.toMatchObject({ code: CLOSE.BYTES });
    } finally {
      await r.close();
    }
  });

  it('answers random calls with random arguments and memory with a WASI errno, never a failure of its own', async () => {
    // A seeded generator: the same calls every run. Sockets are made non-blocking first,
    // so that a call with a live fd answers AGAIN rather than waiting; one that waits
    // anyway (a new blocking socket) is ended by closing the page, and a new page goes on.
    let seed = 0x5eed;
    const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) >>> 0; return (seed >>> 8) % n; };
    const pick = () => [0, 1, 2, 3, 4, 5, 6, 0xffffffff, 0x10000, 0x3fffc, 16, 255, 1 << 31][rnd(13)] ?? 0;
    const before = sockets();
    let c = await connect();
    let answered = 0;
    let waited = 0;
    for (let i = 0; i < 400; i++) {
      if (i % 100 === 0) {
        for (let k = 0; k < 3; k++) {
          await c.call('sock_open', [rnd(2) ? abi.AF_INET4 : abi.AF_INET6, rnd(2) ? abi.SOCK_STREAM : abi.SOCK_DGRAM, FD]);
          await c.call('fd_fdstat_set_flags', [c.u32(FD), abi.FDFLAGS_NONBLOCK]);
        }
      }
      for (let k = 0; k < 64; k++) c.mem[rnd(c.mem.length)] = rnd(256);
      for (let k = 0; k < 4; k++) c.setU32(rnd(0x2000) & ~3, pick());
      const spec = CALLS[rnd(CALLS.length)];
      const args = Array.from({ length: spec.arity }, () => (rnd(3) === 0 ? rnd(0x3000) : pick()));
      const call = c.call(spec.name, args, spec.module);
      const r = await Promise.race([call, new Promise((res) => setTimeout(() => res('waits'), 2000))]).catch((e: { code?: number }) => e);
      if (r === 'waits') {
        waited++;
        c.ws.terminate();
        await c.closed;
        c = await connect();
      } else {
        expect(typeof r === 'number' && r >= 0 && r <= 76, `${spec.name}(${args.join(', ')}) -> ${JSON.stringify(r)}`).toBe(true);
        answered++;
      }
    }
    c.close();
    while (relay.sessions > 0) await new Promise((r) => setTimeout(r, 10)); // every session ended
    expect(answered).toBeGreaterThan(350);
    expect(waited).toBeLessThan(10);
    expect(leftOver(before)).toEqual([]);
  }, 60_000);

  it('holds a session to its byte budget and the relay to its session count', async () => {
    const r = await createRelay({
      port: 0, token: TOKEN, origins: [ORIGIN], policy: { net: { bind: ['127.0.0.1:0'] } },
      limits: { bytes: 4096, sessions: 2 },
    });
    try {
      const c = await RelayClient.connect(r.url, { origin: ORIGIN, token: TOKEN });
      await udp(c);
      c.setU32(IOV, BUF); c.setU32(IOV + 4, 8000);
      await expect(c.call('sock_send', [3, IOV, 1, 0, LEN])).rejects.toMatchObject({ code: CLOSE.BYTES });
      const a = await RelayClient.connect(r.url, { origin: ORIGIN, token: TOKEN });
      const b = await RelayClient.connect(r.url, { origin: ORIGIN, token: TOKEN });
      await expect(RelayClient.connect(r.url, { origin: ORIGIN, token: TOKEN })).rejects.toMatchObject({ code: CLOSE.BUSY });
      a.close();
      b.close();
    } finally {
      await r.close();
    }
  });

  it('drops a silent page (no pong) and closes its sockets; ends a session at its time limit', async () => {
    const before = sockets();
    const r = await createRelay({ port: 0, token: TOKEN, origins: [ORIGIN], policy: {}, limits: { idleMs: 200 } });
    try {
      const s = await RelayClient.connect(r.url, { origin: ORIGIN, token: TOKEN, silent: true });
      await udp(s);
      expect(await s.closed).toMatchObject({ code: 1006 }); // dropped: no close frame
    } finally {
      await r.close();
    }
    expect(leftOver(before)).toEqual([]);
    const short = await createRelay({ port: 0, token: TOKEN, origins: [ORIGIN], policy: {}, limits: { sessionMs: 100 } });
    try {
      const c = await RelayClient.connect(short.url, { origin: ORIGIN, token: TOKEN });
      expect(await c.closed).toMatchObject({ code: CLOSE.TIME });
    } finally {
      await short.close();
    }
  });
});
