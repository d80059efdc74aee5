// Hosting plugins: stdin, host functions, loaded plugins (instantiate/call), events and
// the worker pool, in worker mode (the default) and inline.

import net from 'node:net';
import { PassThrough, Readable } from 'node:stream';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { Sandbox, SandboxError, type HostCallContext, type SandboxEvent, type SandboxOptions } from '../host/index.js';
import { C_GUEST } from './support/guest.js';
import { launch } from './support/proc.js';

const guest = (path: string) => readFileSync(new URL(`./guests/${path}`, import.meta.url));
const HOG = guest('hostile/hog.wasm');
const CPLUGIN = guest('plugins/cplugin.wasm');
const ASPLUGIN = guest('plugins/asplugin.wasm');

/** The host functions cplugin.c imports. */
function hostFns(extra: Record<string, (ctx: HostCallContext, ...a: (number | bigint)[]) => unknown> = {}) {
  return {
    host: {
      add_i32: (_: HostCallContext, a: number | bigint, b: number | bigint) => Number(a) + Number(b),
      add_i64: (_: HostCallContext, a: number | bigint, b: number | bigint) => BigInt(a) + BigInt(b),
      mul_f64: (_: HostCallContext, a: number | bigint, b: number | bigint) => Number(a) * Number(b),
      reverse: (ctx: HostCallContext, p: number | bigint, n: number | bigint) => { ctx.write(Number(p), ctx.read(Number(p), Number(n)).reverse()); },
      nop: () => {},
      fail: (_: HostCallContext, x: number | bigint) => { throw new Error(`the host refuses ${x}`); },
      ...extra,
    },
  };
}

/** Runs a guest to its end; its exit code (or error code) and output. */
async function run(wasm: Uint8Array, options: SandboxOptions): Promise<{ code: number | string; out: string; error?: SandboxError }> {
  let out = '';
  const sink = (c: Uint8Array) => { out += Buffer.from(c).toString('utf8'); };
  try {
    const r = await new Sandbox({ stdout: sink, stderr: sink, ...options }).run(wasm);
    return { code: r.exitCode, out };
  } catch (e) {
    return { code: (e as SandboxError).code, out, error: e as SandboxError };
  }
}

describe.each([true, false])('stdin (worker: %s)', (worker) => {
  test('from bytes and from a string: the guest reads them, then EOF', async () => {
    expect((await run(HOG, { worker, args: ['hog', 'stdin'], stdin: new Uint8Array(1000).fill(7) })).out).toBe('stdin 1000 bytes\n');
    expect((await run(HOG, { worker, args: ['hog', 'stdin'], stdin: 'héllo\n' })).out).toBe('stdin 7 bytes\n');
    expect((await run(HOG, { worker, args: ['hog', 'stdin'] })).out).toBe('stdin 0 bytes\n');
  });
});

describe('stdin from a stream (worker mode)', () => {
  test('a slow stream: the guest\'s reads wait for each chunk, and see EOF at its end; poll_oneoff waits for it too', async () => {
    const stream = new PassThrough();
    const chunks = ['one ', 'two ', 'three'];
    const timer = setInterval(() => {
      const c = chunks.shift();
      if (c === undefined) { stream.end(); clearInterval(timer); } else stream.write(c);
    }, 30);
    const r = await run(HOG, { args: ['hog', 'pollstdin', '5000'], stdin: stream });
    expect(r).toEqual({ code: 0, out: 'poll ready\nstdin 13 bytes\n' });
  });

  test('poll_oneoff on stdin times out while nothing comes, then reads what does', async () => {
    const stream = new PassThrough();
    let out = '';
    // The input comes once the guest says how its poll ended, not at a guessed moment.
    const sink = (c: Uint8Array) => {
      out += Buffer.from(c).toString('utf8');
      if (/poll (timeout|ready)\n/.test(out) && !stream.writableEnded) stream.end('late');
    };
    const r = await new Sandbox({ args: ['hog', 'pollstdin', '50'], stdin: stream, stdout: sink, stderr: sink }).run(HOG);
    expect({ code: r.exitCode, out }).toEqual({ code: 0, out: 'poll timeout\nstdin 4 bytes\n' });
  });

  test('a large stream arrives whole (backpressure through the pipe)', async () => {
    const big = Buffer.alloc(5 << 20, 'x');
    const r = await run(HOG, { args: ['hog', 'stdin'], stdin: Readable.from([big.subarray(0, 1 << 20), big.subarray(1 << 20)]) });
    expect(r.out).toBe(`stdin ${5 << 20} bytes\n`);
  });

  test('kill() ends a guest blocked reading a stream that never ends; so does timeoutMs', async () => {
    const stream = new PassThrough();
    const sb = new Sandbox({ args: ['hog', 'stdin'], stdin: stream, stdout: () => {} });
    const done = sb.run(HOG);
    await new Promise((r) => setTimeout(r, 100));
    const t0 = performance.now();
    sb.kill();
    await expect(done).rejects.toMatchObject({ code: 'ERR_SOCKBOX_KILLED' });
    expect(performance.now() - t0).toBeLessThan(100);
    const r = await run(HOG, { args: ['hog', 'stdin'], stdin: new PassThrough(), timeoutMs: 200 });
    expect(r.code).toBe('ERR_SOCKBOX_TIMEOUT');
  });

  test('a guest that does not read leaves the stream unread: the host pulls no more than a pipe\'s worth ahead', async () => {
    let produced = 0;
    const endless = new Readable({ read() { produced += 16384; this.push(Buffer.alloc(16384, 'y')); } });
    const sb = new Sandbox({ stdin: endless, stdout: () => {}, imports: hostFns() });
    const p = await sb.instantiate(CPLUGIN); // loaded, idle: nothing reads fd 0
    await new Promise((r) => setTimeout(r, 300));
    expect(produced).toBeLessThan(1 << 20);
    await p.close();
    endless.destroy();
  });

  test('a Readable as stdin needs worker mode: a TypeError inline', () => {
    expect(() => new Sandbox({ worker: false, stdin: new PassThrough() })).toThrow(/needs worker mode/);
  });
});

describe.each([true, false])('host functions (worker: %s)', (worker) => {
  test('i32, i64 and f64 arguments and results; the context reads and writes guest memory', async () => {
    const seen: unknown[] = [];
    const sb = new Sandbox({
      worker, stdout: () => {},
      imports: hostFns({ add_i64: (ctx, a, b) => { seen.push(typeof a, typeof b, ctx.module, ctx.name, ctx.sandbox === sb); return BigInt(a) + BigInt(b); } }),
    });
    const p = await sb.instantiate(CPLUGIN);
    try {
      expect(await p.call('add_via_host', 2, 3)).toBe(5);
      expect(await p.call('add_via_host', 0x7fffffff, 1)).toBe(-0x80000000); // i32 wraps
      expect(await p.call('add64_via_host', 2n ** 40n, 1n)).toBe(2n ** 40n + 1n);
      expect(seen).toEqual(['bigint', 'bigint', 'host', 'add_i64', true]);
      expect(await p.call('mul_via_host', 1.5, 4)).toBe(6);
      expect(await p.callString('reverse_via_host', 'stressed')).toBe('desserts');
    } finally {
      await p.close();
    }
  });

  test('called 10^5 times in a row (the per-call cost is in bench/)', async () => {
    let calls = 0;
    const sb = new Sandbox({ worker, stdout: () => {}, imports: hostFns({ nop: () => { calls++; } }) });
    const p = await sb.instantiate(CPLUGIN);
    expect(await p.call('nop_loop', 100_000)).toBe(100_000);
    expect(calls).toBe(100_000);
    await p.close();
  });

  test('a host function that throws ends the run with ERR_SOCKBOX_HOST_FUNCTION naming it; the host lives on', async () => {
    const sb = new Sandbox({ worker, stdout: () => {}, imports: hostFns() });
    const p = await sb.instantiate(CPLUGIN);
    const err = await p.call('call_fail', 7).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SandboxError);
    expect(err).toMatchObject({ code: 'ERR_SOCKBOX_HOST_FUNCTION' });
    expect((err as Error).message).toMatch(/host\.fail.*the host refuses 7/);
    expect(p.closed).toBe(true);
    await expect(p.call('counter_add', 1)).rejects.toMatchObject({ code: 'ERR_SOCKBOX_PLUGIN_CLOSED' });
    const again = await sb.instantiate(CPLUGIN);
    expect(await again.call('counter_add', 1)).toBe(1);
    await again.close();
  });

  test('a result that does not fit the import\'s type ends the run with ERR_SOCKBOX_HOST_FUNCTION saying why', async () => {
    const sb = new Sandbox({ worker, stdout: () => {}, imports: hostFns({ add_i32: () => 'five' }) });
    const p = await sb.instantiate(CPLUGIN);
    await expect(p.call('add_via_host', 2, 3)).rejects.toThrow(/returned 'five' for an i32 result/);
  });

  test('the reserved modules (WASI, sockbox) cannot be given or overridden as host functions', () => {
    for (const m of ['wasi_snapshot_preview1', 'wasi_unstable', 'sockbox']) {
      expect(() => new Sandbox({ worker, imports: { [m]: { fd_write: () => 0 } } })).toThrow(TypeError);
    }
  });

  test('a guest importing what is not provided is refused before it starts, every missing import named', async () => {
    const err = await new Sandbox({ worker, imports: { host: { nop: () => {} } } }).instantiate(CPLUGIN).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_SOCKBOX_GUEST_INVALID' });
    expect((err as Error).message).toBe('the guest imports what this sandbox does not provide: host.add_i32 (function), host.add_i64 (function), host.mul_f64 (function), host.reverse (function), host.fail (function)');
  });

  test('the context is bounds-checked (RangeError, which ends the run) and dead after the call', async () => {
    let kept: HostCallContext | undefined;
    const sb = new Sandbox({
      worker, stdout: () => {},
      imports: hostFns({
        add_i32: (ctx) => { kept = ctx; return ctx.memorySize > 0 ? 1 : 0; },
        reverse: (ctx) => { ctx.read(ctx.memorySize - 2, 4); },
      }),
    });
    const p = await sb.instantiate(CPLUGIN);
    expect(await p.call('add_via_host', 0, 0)).toBe(1);
    expect(() => kept!.read(0, 1)).toThrow(/used after the call returned/);
    await expect(p.callString('reverse_via_host', 'x')).rejects.toThrow(/outside the guest's memory/);
  });
});

describe('host functions in a worker', () => {
  test('an async host function: the guest waits for the promise', async () => {
    const sb = new Sandbox({ stdout: () => {}, imports: hostFns({ add_i32: async (_, a, b) => { await new Promise((r) => setTimeout(r, 20)); return Number(a) * 100 + Number(b); } }) });
    const p = await sb.instantiate(CPLUGIN);
    expect(await p.call('add_via_host', 4, 2)).toBe(402);
    await p.close();
  });

  test('a rejected promise ends the run with ERR_SOCKBOX_HOST_FUNCTION', async () => {
    const sb = new Sandbox({ stdout: () => {}, imports: hostFns({ add_i32: async () => { throw new Error('backend down'); } }) });
    const p = await sb.instantiate(CPLUGIN);
    await expect(p.call('add_via_host', 1, 1)).rejects.toThrow(/host\.add_i32 failed: backend down/);
  });

  test('kill() and timeoutMs end a guest waiting for a host function that never answers', async () => {
    const never = () => new Promise(() => {});
    // The kill comes once the guest is known to wait: when the host function is called.
    let called!: () => void;
    const waiting = new Promise<void>((r) => { called = r; });
    const sb = new Sandbox({ stdout: () => {}, imports: hostFns({ add_i32: () => { called(); return never(); } }) });
    const p = await sb.instantiate(CPLUGIN);
    const call = p.call('add_via_host', 1, 1);
    await Promise.race([waiting, call]);
    const t0 = performance.now();
    sb.kill();
    await expect(call).rejects.toMatchObject({ code: 'ERR_SOCKBOX_KILLED' });
    expect(performance.now() - t0).toBeLessThan(100);
    const timed = await new Sandbox({ stdout: () => {}, timeoutMs: 100, imports: hostFns({ add_i32: never }) }).instantiate(CPLUGIN);
    await expect(timed.call('add_via_host', 1, 1)).rejects.toMatchObject({ code: 'ERR_SOCKBOX_TIMEOUT' });
  });

  test('the host function runs on the thread that made the Sandbox (it sees the application\'s state)', async () => {
    const state = { count: 0 };
    const sb = new Sandbox({ stdout: () => {}, imports: hostFns({ nop: () => { state.count++; } }) });
    const p = await sb.instantiate(CPLUGIN);
    await p.call('nop_loop', 3);
    expect(state.count).toBe(3);
    await p.close();
  });
});

describe('inline host functions', () => {
  test('a promise is refused (the guest holds the thread): ERR_SOCKBOX_HOST_FUNCTION saying so', async () => {
    const sb = new Sandbox({ worker: false, stdout: () => {}, imports: hostFns({ add_i32: async () => 1 }) });
    const p = await sb.instantiate(CPLUGIN);
    await expect(p.call('add_via_host', 1, 1)).rejects.toThrow(/async host functions need worker mode/);
  });
});

describe.each([true, false])('loaded plugins (worker: %s)', (worker) => {
  test('a reactor: _initialize runs once, state persists between calls, close() releases it', async () => {
    const sb = new Sandbox({ worker, stdout: () => {}, imports: hostFns() });
    const p = await sb.instantiate(CPLUGIN);
    expect(p.exports).toContain('counter_add');
    expect(await p.call('counter_add', 5)).toBe(5);
    expect(await p.call('counter_add', 7)).toBe(12);
    expect(await p.call('counter_add', -2)).toBe(10);
    await p.close();
    expect(p.closed).toBe(true);
    await expect(p.call('counter_add', 1)).rejects.toMatchObject({ code: 'ERR_SOCKBOX_PLUGIN_CLOSED' });
  });

  test('bytes and strings both ways, from C (sockbox_plugin.h) and from AssemblyScript (guest/assembly/plugin.ts)', async () => {
    const sb = new Sandbox({ worker, stdout: () => {}, imports: hostFns() });
    const c = await sb.instantiate(CPLUGIN);
    const as = await sb.instantiate(ASPLUGIN);
    try {
      const bytes = new Uint8Array(70_000).map((_, i) => i % 251);
      for (const p of [c, as]) {
        expect(await p.callBytes('echo', bytes)).toEqual(bytes);
        expect(await p.callBytes('echo', new Uint8Array(0))).toEqual(new Uint8Array(0));
        expect(await p.callString('upper', 'héllo wörld')).toBe(p === c ? 'HéLLO WöRLD' : 'HÉLLO WÖRLD');
      }
      expect(await c.callString('concat', 'ab', new Uint8Array([99, 100]))).toBe('abcd');
      expect(await as.callString('join', 'left', 'right')).toBe('left+right');
      expect(await as.call('count')).toBe(4);
    } finally {
      await c.close();
      await as.close();
    }
  });

  test('a command module can be instantiated too: _start is called like any export (an exit ends the plugin)', async () => {
    let out = '';
    const sb = new Sandbox({ worker, args: ['hog', 'stdin'], stdin: 'abc', stdout: (b) => { out += Buffer.from(b).toString(); } });
    const p = await sb.instantiate(HOG);
    expect(await p.call('_start')).toBeUndefined();
    expect(out).toBe('stdin 3 bytes\n');
    await p.close();
    const q = await new Sandbox({ worker, args: ['hog'], stdout: () => {} }).instantiate(HOG);
    const err = await q.call('_start').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_SOCKBOX_GUEST_EXIT', exitCode: 2 });
  });

  test('a trap inside a call ends the plugin (ERR_SOCKBOX_GUEST_TRAP); a wrong call does not (TypeError)', async () => {
    const sb = new Sandbox({ worker, stdout: () => {}, imports: hostFns() });
    const p = await sb.instantiate(CPLUGIN);
    await expect(p.call('no_such_export')).rejects.toThrow(TypeError);
    await expect(p.call('counter_add', 1, 2)).rejects.toThrow(/takes 1 wasm arguments, got 2/);
    expect(await p.call('counter_add', 1)).toBe(1);
    await expect(p.call('trap')).rejects.toMatchObject({ code: 'ERR_SOCKBOX_GUEST_TRAP' });
    expect(p.closed).toBe(true);
  });

  test('timeoutMs applies per call: quick calls pass, a slow one ends the plugin', async () => {
    const sb = new Sandbox({ worker, stdout: () => {}, timeoutMs: 300, stdin: new Uint8Array(0), imports: hostFns() });
    const p = await sb.instantiate(CPLUGIN);
    for (let i = 0; i < 5; i++) await p.call('counter_add', 1);
    await new Promise((r) => setTimeout(r, 400)); // idle time between calls does not count
    expect(await p.call('counter_add', 1)).toBe(6);
    await p.close();
  });

  test('the plugin\'s output reaches the sinks, call by call', async () => {
    let out = '';
    const sb = new Sandbox({ worker, stdout: (b) => { out += Buffer.from(b).toString(); }, imports: hostFns() });
    const p = await sb.instantiate(CPLUGIN);
    await p.call('say', 'one\n');
    await p.call('say', 'two\n');
    await p.close();
    expect(out).toBe('one\ntwo\n');
  });
});

describe.each([true, false])('events (worker: %s)', (worker) => {
  test('socket, bind, listen, close and exit, as the guest does them', async () => {
    const events: SandboxEvent[] = [];
    await new Sandbox({
      worker, args: ['steal', 'tcp', '0', '50'], net: { bind: ['127.0.0.1:0'] }, stdout: () => {}, onEvent: (e) => events.push(e),
    }).run(guest('hostile/steal.wasm'));
    expect(events).toEqual([
      { type: 'socket', fd: 3, family: 'inet', socktype: 'stream' },
      { type: 'refused', call: 'setsockopt', what: 'SO_REUSEPORT=1', rule: 'setting SO_REUSEPORT is refused by default (sockopts.allowSet lifts it)' },
      { type: 'bind', fd: 3, address: '127.0.0.1', port: 0, errno: 0 },
      { type: 'listen', fd: 3, backlog: 64, errno: 0 },
      { type: 'close', fd: 3 },
      { type: 'exit', exitCode: 0 },
    ]);
  });

  test('connect: the address, the port and the errno the guest got', async () => {
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const connects: SandboxEvent[] = [];
    let out = '';
    await new Sandbox({
      worker, args: ['sockguest', 'try', 'connect', '4', '127.0.0.1', String(port)], net: { connect: ['127.0.0.1:*'] },
      stdout: (b) => { out += Buffer.from(b).toString(); }, onEvent: (e) => connects.push(e),
    }).run(C_GUEST);
    const errno = Number(/errno=(\d+)/.exec(out)![1]);
    expect(errno).not.toBe(0);
    expect(connects.find((e) => e.type === 'connect')).toEqual({ type: 'connect', fd: 3, address: '127.0.0.1', port, errno });
  });

  test('every refusal, with what was asked and the rule that refused it: connect, bind, options, lookups, files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sockbox-ev-'));
    try {
      writeFileSync(join(dir, 'x'), 'x');
      const events: SandboxEvent[] = [];
      const onEvent = (e: SandboxEvent) => { if (e.type === 'refused') events.push(e); };
      const base = { worker, stdout: () => {}, onEvent, net: { connect: ['127.0.0.1:8080'], lookup: ['localhost'] } } satisfies SandboxOptions;
      await new Sandbox({ ...base, args: ['sockguest', 'try', 'connect', '4', '127.0.0.2', '80'] }).run(C_GUEST);
      await new Sandbox({ ...base, args: ['sockguest', 'try', 'bind', '4', '127.0.0.1', '0'] }).run(C_GUEST);
      await new Sandbox({ ...base, args: ['sockguest', 'try', 'sockopt-set', '4', '1', '36', '1'] }).run(C_GUEST);
      await new Sandbox({ ...base, args: ['sockguest', 'try', 'lookup', '4', 'evil.example.com', '80'] }).run(C_GUEST);
      await new Sandbox({ ...base, args: ['fsprobe', 'read', '/d/../etc', 'write', '/ro/x', 'y'], preopens: { '/d': dir, '/ro': { path: dir, readonly: true } } }).run(guest('hostile/fsprobe.wasm'));
      expect(events).toEqual([
        { type: 'refused', call: 'sock_connect', what: '127.0.0.2:80', rule: 'no net.connect grant matches' },
        { type: 'refused', call: 'sock_bind', what: '127.0.0.1:0', rule: 'no net.bind grant matches' },
        { type: 'refused', call: 'setsockopt', what: 'SO_MARK=1', rule: 'setting SO_MARK is refused by default (sockopts.allowSet lifts it)' },
        { type: 'refused', call: 'sock_getaddrinfo', what: '"evil.example.com"', rule: 'no net.lookup pattern matches' },
        { type: 'refused', call: 'path_open', what: '"../etc"', rule: 'the path leads outside its folder' },
        { type: 'refused', call: 'path_open', what: '"x"', rule: 'the folder is read-only' },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a lookup: the name, the answers the grants let through, the errno', async () => {
    const events: SandboxEvent[] = [];
    await new Sandbox({
      worker, args: ['sockguest', 'try', 'lookup', '4', 'localhost', '80'], net: { lookup: ['localhost'], connect: ['127.0.0.1:*'] },
      stdout: () => {}, onEvent: (e) => events.push(e),
    }).run(C_GUEST);
    expect(events.find((e) => e.type === 'lookup')).toEqual({ type: 'lookup', name: 'localhost', answers: ['127.0.0.1'], errno: 0 });
  });

  test('an onEvent that throws ends the run with ERR_SOCKBOX_EVENT', async () => {
    const sb = new Sandbox({ worker, args: ['sockguest', 'try', 'many-sockets', '4', '1'], stdout: () => {}, onEvent: () => { throw new Error('audit log full'); } });
    const err = await sb.run(C_GUEST).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_SOCKBOX_EVENT' });
    expect((err as Error).message).toMatch(/audit log full/);
  });
});

describe('events: accept (worker mode: the test is the guest\'s client)', () => {
  test('accept names the peer; the accepted socket\'s close follows', async () => {
    const events: SandboxEvent[] = [];
    let out = '';
    let heard!: (m: RegExpMatchArray) => void;
    const listening = new Promise<RegExpMatchArray>((r) => { heard = r; });
    const sb = new Sandbox({
      args: ['sockguest', 'echo-server', '4'], net: { bind: ['127.0.0.1:0'] },
      stdout: (b) => {
        out += Buffer.from(b).toString();
        const m = /listening (\d+)/.exec(out);
        if (m) heard(m);
      },
      onEvent: (e) => events.push(e),
    });
    const done = sb.run(C_GUEST);
    const [, port] = await Promise.race([listening, done.then(() => { throw new Error(`ended without listening: ${out}`); })]);
    const c = net.connect(Number(port), '127.0.0.1');
    await new Promise<void>((r) => c.on('connect', () => r()));
    const local = c.localPort;
    c.end('hi');
    c.resume();
    await done;
    expect(events).toContainEqual({ type: 'accept', fd: 3, newFd: 4, peer: { address: '127.0.0.1', port: local } });
    expect(events.map((e) => e.type)).toEqual(['socket', 'bind', 'listen', 'accept', 'close', 'close', 'exit']);
  });
});

describe('the worker pool', () => {
  test('Sandbox.prewarm(n) readies n workers: the next n runs start without a worker\'s start-up', async () => {
    Sandbox.idleWorkers = 0; // end what is idle now
    Sandbox.idleWorkers = 4;
    const t0 = performance.now();
    await Sandbox.prewarm(3);
    const warmup = performance.now() - t0;
    const times: number[] = [];
    await Promise.all([0, 1, 2].map(async () => {
      const s = performance.now();
      await run(HOG, { args: ['hog', 'stdin'] });
      times.push(performance.now() - s);
    }));
    expect(warmup).toBeGreaterThan(0);
    // Warm runs take milliseconds; a cold worker costs tens of them (bench/ has the numbers).
    for (const t of times) expect(t).toBeLessThan(warmup + 50);
  });

  test('idleWorkers and prewarm take integers from 0 to 1024', async () => {
    expect(() => { Sandbox.idleWorkers = -1; }).toThrow(RangeError);
    await expect(Sandbox.prewarm(2000)).rejects.toThrow(RangeError);
  });
});

describe('the example plugin host (examples/plugin-host, npm run example:host)', () => {
  test('answers requests end to end: host function for the body, the plugin\'s own socket to the granted backend, state across requests', async () => {
    const p = launch(process.execPath, ['examples/plugin-host/host.mjs', '0']);
    const [, url] = await p.waitFor(/^plugin host listening on (http:\S+) /);
    const post = async (body: string) => (await fetch(url, { method: 'POST', body })).text();
    expect(await post('hello plugin')).toBe('request 1: the backend says HELLO PLUGIN\n');
    expect(await (await fetch(`${url}status`)).text()).toBe('request 2: GET /status (POST a body to have the backend shout it)\n');
    expect(await post('again')).toBe('request 3: the backend says AGAIN\n');
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
  });
});
