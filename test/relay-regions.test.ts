// host/relay/regions.ts decides which guest memory a relayed call carries: its inputs to
// the relay, its outputs back. A region it forgets is a silent wrong answer in the page,
// so this runs one scenario over every relayed import twice, on the real kernel:
//
// - "full": the whole guest memory goes in before each call and the whole shadow memory
//   comes back after; every byte the import changed must lie in a region the plan
//   names as an output (outputs complete);
// - "planned": only the plan's inputs go in, over a shadow memory filled with 0xAA, and
//   only its outputs come back, as through the relay; every call must give the same
//   errno as in "full", and the scenario's own checks must hold (inputs complete).
//
// It drives the shadow guest (shadow.ts) in an inline Sandbox as the relay session does:
// regions written into its memory before a call, read after.

import { afterAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { once } from 'node:events';
import { Sandbox } from '../host/index.js';
import type { Plugin } from '../host/sandbox/plugin.js';
import type { MemoryContext } from '../host/sandbox/hostfn.js';
import { CALLS, callIndex } from '../host/relay/wire.js';
import { planCall, type Mem, type Plan } from '../host/relay/regions.js';
import { shadowModule, trampoline } from '../host/relay/shadow.js';
import * as abi from '../host/sandbox/abi.js';

const PAGES = 4;

class Harness {
  readonly mem = new Uint8Array(PAGES * 65536);
  readonly dv = new DataView(this.mem.buffer);
  readonly errnos: [string, number][] = [];
  /** Bytes an import changed outside its plan's outputs: "name@ptr". */
  readonly stray: string[] = [];
  readonly covered = new Set<number>();
  private plugin!: Plugin;
  private sandbox!: Sandbox;
  private args: number[] = [];
  private index = -1;
  private plan: Plan | undefined;
  private before: Uint8Array | undefined;
  private first = true;
  private memory: WebAssembly.Memory | undefined;

  constructor(readonly mode: 'full' | 'planned') {}

  async open(): Promise<void> {
    this.sandbox = new Sandbox({
      worker: false,
      net: { bind: ['127.0.0.1:0'], connect: ['127.0.0.1:*'] },
      imports: { relay: { attach: (ctx) => { this.memory = (ctx as MemoryContext).memoryObject(); } } },
    });
    this.plugin = await this.sandbox.instantiate(shadowModule());
    await this.plugin.call('attach');
    expect(await this.plugin.call('grow', PAGES - 1)).toBe(1);
  }

  private get ctx() {
    const u8 = new Uint8Array(this.memory!.buffer);
    return {
      memorySize: u8.length,
      read: (p: number, l: number) => u8.slice(p, p + l),
      write: (p: number, b: Uint8Array) => u8.set(b, p),
    };
  }

  private view(ctx: { memorySize: number; read(p: number, l: number): Uint8Array }): Mem {
    return { size: ctx.memorySize, read: (p, l) => ctx.read(p, l) };
  }

  private enter(): void {
    const ctx = this.ctx;
    const spec = CALLS[this.index];
    if (this.mode === 'full') {
      ctx.write(0, this.mem);
      this.before = this.mem.slice();
    } else {
      if (this.first) { ctx.write(0, new Uint8Array(this.mem.length).fill(0xaa)); this.first = false; }
      const model = { size: this.mem.length, read: (p: number, l: number) => this.mem.subarray(p, p + l) };
      for (const r of planCall(spec, this.args, model).inputs()) ctx.write(r.ptr, r.bytes);
    }
    this.plan = planCall(spec, this.args, this.view(ctx));
  }

  private leave(errno: number): void {
    const ctx = this.ctx;
    const spec = CALLS[this.index];
    const outs = errno === 0 ? this.plan!.outputs(this.view(ctx)) : [];
    if (this.mode === 'planned') {
      for (const [p, l] of outs) this.mem.set(ctx.read(p, l), p);
      return;
    }
    const after = ctx.read(0, this.mem.length);
    const inOut = (i: number) => outs.some(([p, l]) => i >= p && i < p + l);
    for (let i = 0; i < after.length; i++) {
      if (after[i] !== this.before![i] && !inOut(i)) this.stray.push(`${spec.name}/${spec.arity}@${i}`);
    }
    this.mem.set(after);
  }

  async call(name: string, args: number[], module: 'wasi_snapshot_preview1' | 'sockbox' = 'wasi_snapshot_preview1'): Promise<number> {
    this.index = callIndex(module, name, args.length);
    expect(this.index, `${name}/${args.length}`).toBeGreaterThanOrEqual(0);
    this.covered.add(this.index);
    this.args = args;
    this.enter();
    const errno = Number(await this.plugin.call(trampoline(this.index), ...args));
    this.leave(errno);
    this.errnos.push([`${name}/${args.length}`, errno]);
    return errno;
  }

  u32(p: number): number { return this.dv.getUint32(p, true); }
  setU32(p: number, v: number): void { this.dv.setUint32(p, v, true); }
  /** A V1 address at `at` naming 4 bytes at at+8; or V2 (128 bytes at at+8) with `v2`. */
  ipv4(at: number, ip: number[], v2 = false): number {
    this.setU32(at, at + 8);
    this.setU32(at + 4, v2 ? 128 : 4);
    if (v2) { this.dv.setUint16(at + 8, abi.AF_INET4, true); this.mem.set(ip, at + 10); } else this.mem.set(ip, at + 8);
    return at;
  }
  text(at: number, s: string): number { this.mem.set(Buffer.from(s), at); return s.length; }
  close(): Promise<void> { return this.plugin.close(); }
}

const peers: net.Socket[] = [];
afterAll(() => { for (const p of peers) p.destroy(); });

/** The scenario: every relayed import at least once, with outputs the test checks. */
async function scenario(h: Harness): Promise<void> {
  const FD = 0x100, FD2 = 0x104, LEN = 0x108, FLAGS = 0x10c, PORT = 0x110, TYPE = 0x114, NEV = 0x118;
  const A = 0x200, B = 0x400, VAL = 0x600, IOV = 0x700, SUBS = 0x800, EVS = 0xa00, BUF = 0x1000, BUF2 = 0x3000, AI = 0x6000;
  const ok = async (name: string, args: number[], module?: 'sockbox') => expect(await h.call(name, args, module), name).toBe(0);

  // UDP: open (V1, V2), bind, local addresses (V1, V2), options.
  await ok('sock_open', [abi.AF_INET4, abi.SOCK_DGRAM, FD]);
  await ok('sock_open_v2', [abi.AF_INET4, abi.SOCK_DGRAM, FD2]);
  const u1 = h.u32(FD), u2 = h.u32(FD2);
  await ok('sock_bind', [u1, h.ipv4(A, [127, 0, 0, 1]), 0]);
  await ok('sock_bind_v2', [u2, h.ipv4(A, [127, 0, 0, 1], true), 0]);
  await ok('sock_getlocaladdr', [u1, h.ipv4(A, [0, 0, 0, 0]), TYPE, PORT]);
  const p1 = h.u32(PORT);
  expect(h.u32(TYPE)).toBe(4);
  expect([...h.mem.subarray(A + 8, A + 12)]).toEqual([127, 0, 0, 1]);
  await ok('sock_getlocaladdr_v2', [u2, h.ipv4(B, [0, 0, 0, 0], true), PORT]);
  const p2 = h.u32(PORT);
  await ok('sock_getlocaladdr', [u2, h.ipv4(B, [0, 0, 0, 0], true), PORT]);
  expect(h.u32(PORT)).toBe(p2);
  h.setU32(VAL, 65536);
  await ok('setsockopt', [u1, 1, 8, VAL, 4], 'sockbox');
  h.setU32(LEN, 4);
  await ok('getsockopt', [u1, 1, 8, VAL, LEN], 'sockbox');
  expect(h.u32(VAL)).toBe(131072);
  h.setU32(VAL, 1);
  await ok('sock_setsockopt', [u1, abi.SOL_SOCKET, 4, VAL, 4]); // WasmEdge SO_BROADCAST
  h.setU32(LEN, 4);
  await ok('sock_getsockopt', [u1, abi.SOL_SOCKET, 1, VAL, LEN]); // WasmEdge SO_TYPE
  expect(h.u32(VAL)).toBe(abi.SOCK_DGRAM);

  // UDP datagrams: send_to (V1 address, V2 name), recv_from (V1 7 args, V2 8 args).
  const dgram = (n: number) => { for (let i = 0; i < n; i++) h.mem[BUF + i] = (i * 7 + n) & 0xff; h.setU32(IOV, BUF); h.setU32(IOV + 4, n); };
  dgram(100);
  await ok('sock_send_to', [u2, IOV, 1, h.ipv4(A, [127, 0, 0, 1]), p1, 0, LEN]);
  expect(h.u32(LEN)).toBe(100);
  dgram(50);
  await ok('sock_send_to_v2', [u2, IOV, 1, h.ipv4(A, [127, 0, 0, 1], true), p1, 0, LEN]);
  // poll: the datagram is there (fd), a clock beside it.
  h.mem.fill(0, SUBS, SUBS + 96);
  h.setU32(SUBS, 7); h.mem[SUBS + 8] = abi.EVENTTYPE_FD_READ; h.setU32(SUBS + 16, u1);
  h.setU32(SUBS + 48, 8); h.mem[SUBS + 56] = abi.EVENTTYPE_CLOCK; h.setU32(SUBS + 64, abi.CLOCKID_MONOTONIC); h.setU32(SUBS + 72, 1_000_000);
  await ok('poll_oneoff', [SUBS, EVS, 2, NEV]);
  expect(h.u32(NEV)).toBeGreaterThanOrEqual(1);
  expect(h.u32(EVS)).toBe(7);
  await ok('epoll_oneoff', [SUBS, EVS, 1, NEV]);
  h.setU32(IOV, BUF2); h.setU32(IOV + 4, 200);
  h.setU32(IOV + 8, BUF2 + 1000); h.setU32(IOV + 12, 10);
  await ok('sock_recv_from', [u1, IOV, 1, h.ipv4(B, [0, 0, 0, 0]), 0, LEN, FLAGS]);
  expect(h.u32(LEN)).toBe(100);
  expect(h.mem[BUF2 + 99]).toBe((99 * 7 + 100) & 0xff);
  expect([...h.mem.subarray(B + 8, B + 12)]).toEqual([127, 0, 0, 1]);
  h.setU32(IOV + 4, 20);
  await ok('sock_recv_from', [u1, IOV, 2, h.ipv4(B, [0, 0, 0, 0], true), 0, PORT, LEN, FLAGS]);
  expect(h.u32(LEN)).toBe(30);
  expect(h.mem[BUF2 + 1000 + 9]).toBe((29 * 7 + 50) & 0xff);
  expect(h.u32(PORT)).toBe(p2);
  expect(h.mem[FLAGS]).toBe(abi.ROFLAGS_RECV_DATA_TRUNCATED); // 50 bytes into 30
  dgram(20);
  await ok('sock_send_to', [u2, IOV, 1, h.ipv4(A, [127, 0, 0, 1]), p1, 0, LEN]);
  h.setU32(IOV, BUF2); h.setU32(IOV + 4, 200);
  await ok('sock_recv_from_v2', [u1, IOV, 1, h.ipv4(B, [0, 0, 0, 0], true), 0, PORT, LEN, FLAGS]);
  expect([h.u32(LEN), h.u32(PORT), h.mem[BUF2 + 19]]).toEqual([20, p2, (19 * 7 + 20) & 0xff]);

  // TCP: listen, accept (V1, V2) two loopback peers, names, recv/send, fd_read/fd_write.
  await ok('sock_open', [abi.AF_INET4, abi.SOCK_STREAM, FD]);
  const l = h.u32(FD);
  await ok('sock_bind', [l, h.ipv4(A, [127, 0, 0, 1]), 0]);
  await ok('sock_listen_v2', [l, 8]);
  await ok('sock_listen', [l, 8]); // again: the backlog changes, nothing else
  await ok('sock_getlocaladdr', [l, h.ipv4(A, [0, 0, 0, 0]), TYPE, PORT]);
  const port = h.u32(PORT);
  const got: string[] = ['', '', ''];
  const mine: net.Socket[] = [];
  for (let i = 0; i < 3; i++) {
    const p = net.connect(port, '127.0.0.1');
    peers.push(p);
    mine.push(p);
    p.on('data', (d) => { got[i] += d; });
    p.on('error', () => {}); // reset when the shadow guest closes its end
    await once(p, 'connect');
    p.write(i === 0 ? 'first peer' : 'second');
    await new Promise((r) => p.once('drain', r).write('', r));
  }
  await new Promise((r) => setTimeout(r, 20)); // the peers' bytes reach this kernel's socket buffers
  await ok('sock_accept', [l, FD]);
  await ok('sock_accept_v2', [l, 0, FD2]);
  const c1 = h.u32(FD), c2 = h.u32(FD2);
  await ok('sock_accept', [l, 0, FD2]); // the V2 form under its V1 name
  const c3 = h.u32(FD2);
  await ok('sock_getpeeraddr', [c3, h.ipv4(B, [0, 0, 0, 0], true), PORT]);
  expect(h.u32(PORT)).toBe(mine[2].localPort);
  await ok('sock_getpeeraddr', [c1, h.ipv4(B, [0, 0, 0, 0]), TYPE, PORT]);
  expect(h.u32(PORT)).toBe(mine[0].localPort);
  await ok('sock_getpeeraddr_v2', [c2, h.ipv4(B, [0, 0, 0, 0], true), PORT]);
  expect(h.u32(PORT)).toBe(mine[1].localPort);
  h.setU32(IOV, BUF2); h.setU32(IOV + 4, 5);
  await ok('sock_recv_v2', [c1, IOV, 1, 0, LEN, FLAGS]);
  expect(Buffer.from(h.mem.subarray(BUF2, BUF2 + h.u32(LEN))).toString()).toBe('first');
  h.setU32(IOV + 4, 64);
  await ok('sock_recv', [c1, IOV, 1, 0, LEN, FLAGS]);
  expect(Buffer.from(h.mem.subarray(BUF2, BUF2 + h.u32(LEN))).toString()).toBe(' peer');
  await ok('fd_read', [c2, IOV, 1, LEN]);
  expect(Buffer.from(h.mem.subarray(BUF2, BUF2 + h.u32(LEN))).toString()).toBe('second');
  h.setU32(IOV, BUF); h.setU32(IOV + 4, h.text(BUF, 'pong'));
  await ok('sock_send', [c1, IOV, 1, 0, LEN]);
  await ok('sock_send_v2', [c1, IOV, 1, 0, LEN]);
  await ok('fd_write', [c2, IOV, 1, LEN]);
  h.setU32(LEN, 232);
  await ok('getsockopt', [c1, 6, 11, BUF2, LEN], 'sockbox'); // TCP_INFO
  expect(h.mem[BUF2]).toBe(1); // TCP_ESTABLISHED
  await ok('fd_fdstat_get', [c1, VAL]);
  expect(h.mem[VAL]).toBe(abi.FILETYPE_SOCKET_STREAM);
  await ok('fd_fdstat_set_flags', [c2, abi.FDFLAGS_NONBLOCK]);
  await ok('fd_filestat_get', [c1, BUF2]);
  await ok('sock_shutdown', [c1, 2]);
  await ok('fd_close', [c2]);
  expect(await h.call('sock_bind_device', [u1, BUF, 2])).toBe(abi.ERRNO_NOTCAPABLE); // SO_BINDTODEVICE: refused by default

  // Names: numeric ones need no grant.
  const n = h.text(BUF, '127.0.0.1');
  await ok('sock_lookup_ip', [BUF, n, abi.AF_INET4, BUF2, 64, LEN]);
  expect(h.u32(LEN)).toBe(1);
  expect([...h.mem.subarray(BUF2, BUF2 + 4)]).toEqual([127, 0, 0, 1]);
  const svc = h.text(BUF + 100, '80');
  h.mem.fill(0, AI, AI + 512);
  h.mem[AI + 2] = abi.AF_INET4; h.mem[AI + 3] = abi.SOCK_STREAM; // hints
  h.setU32(AI + 28, AI + 32); // res_ptr → first entry
  for (let i = 0; i < 2; i++) {
    const e = AI + 32 + i * 64;
    h.setU32(e + 12, e + 28); // sockaddr
    h.setU32(e + 28 + 4, 18); h.setU32(e + 28 + 8, e + 40); // data_len, data_ptr (18 bytes from e+40)
    h.setU32(e + 24, i === 0 ? e + 64 : 0); // next
  }
  await ok('sock_getaddrinfo', [BUF, n, BUF + 100, svc, AI, AI + 28, 2, LEN]);
  expect(h.u32(LEN)).toBeGreaterThanOrEqual(1);
  expect([h.mem[AI + 32 + 40], h.mem[AI + 32 + 41]]).toEqual([0, 80]); // the port, network order
  expect([...h.mem.subarray(AI + 32 + 42, AI + 32 + 46)]).toEqual([127, 0, 0, 1]);

  // The refusals and faults are the same in both modes too.
  expect(await h.call('sock_connect', [u1, h.ipv4(A, [10, 0, 0, 1]), 80])).toBe(abi.ERRNO_NOTCAPABLE);
  expect(await h.call('sock_connect_v2', [u1, h.ipv4(A, [127, 0, 0, 1], true), 0])).not.toBe(abi.ERRNO_NOTCAPABLE);
  expect(await h.call('sock_recv', [u1, IOV, 1, 0, h.mem.length - 2, FLAGS])).toBe(abi.ERRNO_FAULT);
}

describe('regions.ts: what a relayed call carries', () => {
  it('names every byte an import writes, and every byte it reads (each import of the wire)', async () => {
    const full = new Harness('full');
    const planned = new Harness('planned');
    for (const h of [full, planned]) {
      await h.open();
      try {
        await scenario(h);
      } finally {
        await h.close();
      }
    }
    expect(full.stray).toEqual([]);
    expect(planned.errnos).toEqual(full.errnos);
    const missed = CALLS.filter((_, i) => !full.covered.has(i)).map((c) => `${c.module}.${c.name}/${c.arity}`);
    expect(missed).toEqual([]);
  });
});
