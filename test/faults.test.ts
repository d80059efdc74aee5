// Faults: a peer that resets mid-send, a peer that stops reading, a host fault
// inside an import, guests that trap or exit with sockets open, kills during
// blocking calls. After each: the run settles, no fd leaks, and another sandbox
// running in the same process keeps working. Loopback only.

import net from 'node:net';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SandboxError } from '../host/index.js';
import { native } from '../host/native/libc.js';
import { start, openFds, type Running } from './support/guest.js';

const FAULTS = readFileSync(new URL('./compat/faults.wasm', import.meta.url));
const ECHO = readFileSync(new URL('../examples/echo-server/echo-server.wasm', import.meta.url));

async function settled<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try { return { ok: true, value: await p }; } catch (error) { return { ok: false, error }; }
}

/** A long-lived guest echo server in this process: the witness that other sandboxes keep working. */
let witness: Running;
let witnessPort = 0;
async function witnessEchoes(): Promise<void> {
  const reply = await new Promise<string>((resolve, reject) => {
    const c = net.connect(witnessPort, '127.0.0.1', () => c.end('still here'));
    let text = '';
    c.on('data', (d) => { text += d; });
    c.on('end', () => resolve(text));
    c.on('error', reject);
  });
  expect(reply).toBe('still here');
}

beforeAll(async () => {
  witness = start(['0'], { net: { bind: ['127.0.0.1:0'] } }, ECHO);
  witnessPort = Number((await witness.waitFor(/^listening on (\d+)$/))[1]);
});
afterAll(async () => {
  witness.sandbox.kill();
  await settled(witness.done);
});

/** A host server that accepts and never reads. */
async function silentServer(): Promise<{ port: number; close: () => Promise<void>; conns: net.Socket[] }> {
  const conns: net.Socket[] = [];
  const server = net.createServer((c) => { c.pause(); conns.push(c); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    conns,
    close: async () => { for (const c of conns) c.destroy(); await new Promise((r) => server.close(r)); },
  };
}

describe('faults', () => {
  test('a peer that resets mid-connection (SO_LINGER 0 close): recv ECONNRESET, send EPIPE, no SIGPIPE', async () => {
    const before = await openFds();
    const server = net.createServer((c) => c.once('data', () => c.resetAndDestroy()));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const g = start(['reset', String((server.address() as net.AddressInfo).port)], {}, FAULTS);
      expect(await g.done).toEqual({ exitCode: 0 });
      const out = g.lines();
      expect(out[0]).toBe('sent');
      expect(out[1]).toBe('recv -1 errno=ECONNRESET');
      expect(out[2]).toMatch(/^send -1 errno=(EPIPE|ECONNRESET)$/);
    } finally {
      await new Promise((r) => server.close(r));
    }
    expect(await openFds()).toBe(before);
    await witnessEchoes();
  });

  test('a peer that stops reading: a non-blocking send fills the buffers and answers EAGAIN', async () => {
    const before = await openFds();
    const s = await silentServer();
    try {
      const g = start(['flood', String(s.port), 'nonblock'], {}, FAULTS);
      expect(await g.done).toEqual({ exitCode: 0 });
      expect(g.lines()[1]).toMatch(/^stopped after \d+ errno=EAGAIN$/);
      expect(Number(g.lines()[1].split(' ')[2])).toBeGreaterThan(65536);
    } finally {
      await s.close();
    }
    expect(await openFds()).toBe(before);
    await witnessEchoes();
  });

  test('a peer that stops reading: a blocking send waits, and kill() ends it within 100 ms', async () => {
    const before = await openFds();
    const s = await silentServer();
    try {
      const g = start(['flood', String(s.port), 'blocking'], {}, FAULTS);
      await g.waitFor(/^flooding$/);
      // The send that no longer fits is blocked well before this kill: loopback fills in microseconds.
      await new Promise((r) => setTimeout(r, 50));
      const t = performance.now();
      g.sandbox.kill();
      const r = await settled(g.done);
      expect(performance.now() - t).toBeLessThan(100);
      expect(r.ok).toBe(false);
      expect((r as { error: SandboxError }).error.code).toBe('ERR_SOCKBOX_KILLED');
    } finally {
      await s.close();
    }
    expect(await openFds()).toBe(before);
    await witnessEchoes();
  });

  test('a host fault inside an import (the native layer throws): the guest gets an errno, the run completes', async () => {
    const libc = native();
    // A native layer whose getsockopt fails by throwing, as a host bug would.
    const faulty = { ...libc, getsockoptAt: () => { throw new Error('simulated host fault'); } };
    const g = start(['options', '4', 'dgram'], { worker: false, native: faulty });
    expect(await g.done).toEqual({ exitCode: 0 });
    // Every getsockopt answered IO (29) instead of crashing the guest or the host.
    expect(g.lines()).toContain('sockbox SO_TYPE errno=29');
    expect(g.lines()).toContain('wasmedge SO_TYPE errno=29');
    await witnessEchoes();
  });

  test('a guest that traps with sockets open, and one that exits with sockets open: settled, no leak', async () => {
    const before = await openFds();
    const t = start(['trap']);
    const r = await settled(t.done);
    expect((r as { error: SandboxError }).error.code).toBe('ERR_SOCKBOX_GUEST_TRAP');
    const e = start(['exit-open']);
    expect(await e.done).toEqual({ exitCode: 3 });
    expect(await openFds()).toBe(before);
    await witnessEchoes();
  });

  test('kills during accept, recv and poll_oneoff in five sandboxes at once: all settle, no leak', async () => {
    const before = await openFds();
    const server = net.createServer(() => {});
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = String((server.address() as net.AddressInfo).port);
      const guests = [start(['block-accept']), start(['block-recv', port]), start(['block-poll']), start(['block-accept']), start(['block-poll'])];
      await Promise.all(guests.map((g) => g.waitFor(/^ready/)));
      const t = performance.now();
      for (const g of guests) g.sandbox.kill();
      const results = await Promise.all(guests.map((g) => settled(g.done)));
      expect(performance.now() - t).toBeLessThan(150);
      for (const r of results) expect((r as { error: SandboxError }).error.code).toBe('ERR_SOCKBOX_KILLED');
    } finally {
      await new Promise((r) => server.close(r));
    }
    expect(await openFds()).toBe(before);
    await witnessEchoes();
  });
});

describe('plain fd calls and clocks on sockets', () => {
  test('fstat says socket; write() and read() on a socket go through fd_write / fd_read', async () => {
    const server = net.createServer((c) => c.pipe(c));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const g = start(['rw', String((server.address() as net.AddressInfo).port)], {}, FAULTS);
      expect(await g.done).toEqual({ exitCode: 0 });
      expect(g.lines()).toEqual(['socket 1', 'read hello via write']);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  test('a clock-only poll_oneoff (nanosleep 300 ms) sleeps without spinning the CPU', async () => {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const g = start(['sleep', '300'], {}, FAULTS);
    expect(await g.done).toEqual({ exitCode: 0 });
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    expect(g.lines()).toEqual(['slept']);
    expect(wallMs).toBeGreaterThanOrEqual(300);
    // A spinning wait would burn ~300 ms of CPU; start-up of the worker costs some tens.
    expect(cpuMs).toBeLessThan(200);
  });

  test('an absolute monotonic deadline (clock_nanosleep TIMER_ABSTIME) is read on the guest\'s own clock', async () => {
    const t0 = performance.now();
    const g = start(['sleep-abs', '200'], {}, FAULTS);
    expect(await g.done).toEqual({ exitCode: 0 });
    const [line] = g.lines();
    const elapsed = Number(line.split(' ')[1]);
    expect(line).toMatch(/^slept \d+$/);
    expect(elapsed).toBeGreaterThanOrEqual(200);
    // Not a deadline read on another clock's origin (which would return at once or hang).
    expect(performance.now() - t0).toBeGreaterThanOrEqual(200);
  });
});
