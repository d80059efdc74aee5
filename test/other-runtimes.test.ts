// Guests written for other runtimes, run unchanged: the rest of WasmEdge's socket ABI
// (epoll_oneoff, sock_lookup_ip, sock_bind_device, the _v2 names, its lookup errnos),
// and preopened listening sockets as `wasmtime run --tcplisten` gives them, served by a
// plain Rust std program. Loopback only; lookups of names other than localhost go to a
// recording native layer (no resolver, no DNS).

import net from 'node:net';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { Sandbox, SandboxError, type SandboxEvent, type SandboxOptions } from '../host/index.js';
import { RecordingNative } from './support/recording-native.js';
import { openFds } from './support/guest.js';
import { sockboxRun } from './support/proc.js';
import { Harness } from './support/fuzz-harness.js';

const guest = (path: string) => readFileSync(new URL(`./guests/${path}`, import.meta.url));
const PROBE = guest('wasmedge/abi-probe.wasm');
const EPOLL = guest('rust/wasmedge-epoll.wasm');
const STD_LISTENER = guest('rust/std-listener.wasm');
const STD_LISTENER_PATH = 'test/guests/rust/std-listener.wasm';
const PROBE_PATH = 'test/guests/wasmedge/abi-probe.wasm';
const ROOT = fileURLToPath(new URL('..', import.meta.url));

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });
function folder(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), 'sockbox-rt-'));
  dirs.push(d);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(d, name), text);
  return d;
}

/** Runs a guest to its end; its stdout lines and how it ended. */
async function run(wasm: Uint8Array, options: SandboxOptions): Promise<{ lines: string[]; code: number | string }> {
  let out = '';
  const sink = (c: Uint8Array) => { out += Buffer.from(c).toString('utf8'); };
  try {
    const r = await new Sandbox({ stderr: sink, ...options, stdout: sink }).run(wasm);
    return { lines: out.split('\n').filter((l) => l !== ''), code: r.exitCode };
  } catch (e) {
    return { lines: out.split('\n').filter((l) => l !== ''), code: (e as SandboxError).code };
  }
}

/** A line-by-line reader of a run's stdout, to act on what the guest says. */
function watch() {
  let text = '';
  const waiters: { re: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  const feed = (c: Uint8Array) => {
    text += Buffer.from(c).toString('utf8');
    for (const w of [...waiters]) {
      const m = text.match(w.re);
      if (m) { waiters.splice(waiters.indexOf(w), 1); w.resolve(m); }
    }
  };
  const waitFor = (re: RegExp) => new Promise<RegExpMatchArray>((resolve, reject) => {
    const m = text.match(re);
    if (m) return resolve(m);
    const timer = setTimeout(() => reject(new Error(`no ${re} in: ${text}`)), 10_000);
    waiters.push({ re, resolve: (x) => { clearTimeout(timer); resolve(x); } });
  });
  return { feed, waitFor, lines: () => text.split('\n').filter((l) => l !== '') };
}

describe('WasmEdge\'s socket ABI', () => {
  test('every _v2 name, with its V2 signature: open, bind/connect/send_to with 128-byte addresses, listen, accept (fd, flags, &fd), send, recv, recv_from (with the port), getlocaladdr and getpeeraddr (fd, addr, &port)', async () => {
    const r = await run(PROBE, { args: ['abi-probe', 'v2'], net: { bind: ['127.0.0.1:0'], connect: ['127.0.0.1:*'] } });
    expect(r).toEqual({
      code: 0,
      lines: [
        'open_v2 stream errno=0', 'bind_v2 errno=0', 'listen_v2 errno=0', 'getlocaladdr_v2 errno=0',
        '  local family=1 127.0.0.1 port=set', 'open_v2 client errno=0', 'connect_v2 errno=0', 'accept_v2 errno=0',
        'getpeeraddr_v2 errno=0', '  peer family=1 127.0.0.1 port=set', 'send_v2 errno=0', 'recv_v2 errno=0', '  got 4 "ping"',
        'open_v2 dgram errno=0', 'bind_v2 dgram errno=0', 'getlocaladdr_v2 dgram errno=0', 'open_v2 dgram 2 errno=0',
        'bind_v2 dgram 2 errno=0', 'getlocaladdr_v2 dgram 2 errno=0', 'send_to_v2 errno=0', 'recv_from_v2 errno=0',
        '  got 8 "datagram" from port of the sender', '  from family=1 127.0.0.1 port=set',
      ],
    });
  });

  test('epoll_oneoff as WasmEdge has it: a second wait without reading returns at once (re-armed), one after reading waits; EOF stays readable; a bad fd is reported and the wait goes on (same lines as test/py/epoll_model.py, WasmEdge\'s algorithm on the real kernel)', async () => {
    const model = spawnSync('python3', [join(ROOT, 'test/py/epoll_model.py')], { encoding: 'utf8', timeout: 30_000 });
    expect(model.status).toBe(0);
    const expected = model.stdout.trim().split('\n');
    expect(expected).toContain('wait3 read');
    const w = watch();
    const done = new Sandbox({ args: ['wasmedge-epoll'], net: { bind: ['127.0.0.1:0'] }, stdout: w.feed }).run(EPOLL);
    const [, port] = await w.waitFor(/port (\d+)\n/);
    const client = net.connect(Number(port), '127.0.0.1');
    client.on('error', () => {});
    await w.waitFor(/ready2\n/);
    client.write('abc');
    await w.waitFor(/ready5\n/);
    client.end(); // shutdown(SHUT_WR): the guest reads EOF
    expect(await done).toEqual({ exitCode: 0 });
    client.destroy();
    expect(w.lines().filter((l) => !/^(port \d+|accepted)$/.test(l))).toEqual(expected);
  });

  test('epoll_oneoff with no subscriptions: success, no events (poll_oneoff: INVAL)', () => {
    const h = new Harness();
    try {
      const p = h.imports.wasi_snapshot_preview1;
      expect(p.epoll_oneoff(0x800, 0x900, 0, 0xa00)).toBe(0);
      expect(new DataView(h.memory.buffer).getUint32(0xa00, true)).toBe(0);
      expect(p.poll_oneoff(0x800, 0x900, 0, 0xa00)).toBe(28);
    } finally {
      expect(h.close()).toBe(0);
    }
  });
});

describe('name lookups', () => {
  // The wasmedge_wasi_socket crate resolves "host:port" as getaddrinfo(host, "http")
  // with hints INET4/STREAM/TCP and sets the port afterwards.
  const crate = ['gai', 'svc.test', 'http', '0', '1', '2', '1', '10'];

  test('the crate\'s "host:port" lookup works with only another port of the address granted (answers are filtered by address)', async () => {
    const rec = new RecordingNative();
    rec.hosts.set('svc.test', ['127.0.0.1']);
    const r = await run(PROBE, { worker: false, native: rec, args: ['abi-probe', ...crate], net: { connect: ['127.0.0.1:8080'], lookup: ['*.test'] } });
    expect(r).toEqual({ code: 0, lines: ['gai errno=0 count=1 inet:127.0.0.1:80'] });
    // The address granted nowhere: no answer, AINONAME (as for a name that does not exist).
    const far = await run(PROBE, { worker: false, native: rec, args: ['abi-probe', ...crate], net: { connect: ['127.0.0.2:80'], lookup: ['*.test'] } });
    expect(far).toEqual({ code: 0, lines: ['gai errno=84 count=0'] });
  });

  test('hints WasmEdge refuses, with its errnos: AIBADFLAG 79, AIFAMILY 81, NOSYS 52, AIMEMORY 82, AINONAME 84', async () => {
    const cases: [string[], number][] = [
      [['127.0.0.1', '80', '128', '0', '0', '0', '4'], 79], // an unknown flag
      [['-', '80', '2', '0', '0', '0', '4'], 79], // CANONNAME without a node
      [['127.0.0.1', '80', '0', '3', '0', '0', '4'], 81], // family 3
      [['127.0.0.1', '80', '0', '0', '3', '0', '4'], 52], // socktype 3
      [['127.0.0.1', '80', '0', '0', '0', '3', '4'], 52], // protocol 3
      [['127.0.0.1', '80', '0', '0', '0', '0', '0'], 82], // max_len 0
      [['-', '-', '0', '0', '0', '0', '4'], 84], // neither node nor service
    ];
    for (const [args, errno] of cases) {
      const r = await run(PROBE, { worker: false, native: new RecordingNative(), args: ['abi-probe', 'gai', ...args], net: { connect: ['127.0.0.1:*'] } });
      expect(r.lines, args.join(' ')).toEqual([`gai errno=${errno} count=0`]);
    }
  });

  test('resolver failures in WasmEdge\'s numbering (AIADDRFAMILY 77 ... AISYSTEM 87), from sock_getaddrinfo and sock_lookup_ip alike', async () => {
    // getaddrinfo(3)'s codes (glibc) and the errno each becomes.
    const codes: [string, number, number][] = [
      ['ADDRFAMILY', -9, 77], ['AGAIN', -3, 78], ['BADFLAGS', -1, 79], ['FAIL', -4, 80], ['FAMILY', -6, 81], ['MEMORY', -10, 82],
      ['NODATA', -5, 83], ['NONAME', -2, 84], ['SERVICE', -8, 85], ['SOCKTYPE', -7, 86], ['SYSTEM', -11, 87],
    ];
    if (process.platform !== 'linux') return;
    const rec = new RecordingNative();
    for (const [name, rc] of codes) rec.eai.set(`${name.toLowerCase()}.test`, rc);
    for (const [name, , errno] of codes) {
      const host = `${name.toLowerCase()}.test`;
      const base = { worker: false, native: rec, net: { connect: ['127.0.0.1:*'], lookup: true } } satisfies SandboxOptions;
      const g = await run(PROBE, { ...base, args: ['abi-probe', 'gai', host, '80', '0', '1', '2', '1', '4'] });
      expect(g.lines, name).toEqual([`gai errno=${errno} count=0`]);
      const l = await run(PROBE, { ...base, args: ['abi-probe', 'lookup', host, '4'] });
      expect(l.lines, name).toEqual([`lookup errno=${errno} count=0`]);
    }
  });

  test('sock_lookup_ip: packed addresses of the family asked, only granted ones; outside the patterns AINONAME without a query; numeric needs no resolver', async () => {
    const rec = new RecordingNative();
    rec.hosts.set('svc.test', ['127.0.0.1', '::1']);
    rec.hosts.set('far.test', ['10.0.0.1']);
    const base = { worker: false, native: rec, net: { connect: ['127.0.0.1:8080', '[::1]:8080'], lookup: ['*.test'] } } satisfies SandboxOptions;
    const ask = async (...args: string[]) => (await run(PROBE, { ...base, args: ['abi-probe', 'lookup', ...args] })).lines;
    expect(await ask('svc.test', '4')).toEqual(['lookup errno=0 count=1 127.0.0.1']);
    expect(await ask('svc.test', '6')).toEqual(['lookup errno=0 count=1 00000000000000000000000000000001']);
    expect(await ask('far.test', '4')).toEqual(['lookup errno=84 count=0']); // answers all outside the grants
    const asked = () => rec.calls.filter((c) => c.name === 'getaddrinfo').length;
    const before = asked();
    expect(await ask('evil.example', '4')).toEqual(['lookup errno=84 count=0']); // outside the patterns
    expect(await ask('127.0.0.1', '4')).toEqual(['lookup errno=0 count=1 127.0.0.1']);
    expect(await ask('10.0.0.1', '4')).toEqual(['lookup errno=0 count=0']); // numeric, not granted: no entries
    expect(asked()).toBe(before); // none of these asked the resolver
    // Without net.lookup a name is NOTCAPABLE.
    expect((await run(PROBE, { ...base, net: { connect: ['127.0.0.1:*'] }, args: ['abi-probe', 'lookup', 'svc.test', '4'] })).lines).toEqual(['lookup errno=76 count=0']);
  });

  test('sock_lookup_ip: a name that is not UTF-8 is ILSEQ, a family other than 1 or 2 INVAL, a buffer outside memory FAULT', () => {
    const h = new Harness(1, { net: { connect: ['127.0.0.1:*'], lookup: true } });
    try {
      const p = h.imports.wasi_snapshot_preview1;
      new Uint8Array(h.memory.buffer).set([0x61, 0xff, 0x62], 0x800);
      expect(p.sock_lookup_ip(0x800, 3, 1, 0x900, 16, 0xa00)).toBe(25);
      new Uint8Array(h.memory.buffer).set(Buffer.from('127.0.0.1'), 0x800);
      expect(p.sock_lookup_ip(0x800, 9, 3, 0x900, 16, 0xa00)).toBe(28);
      expect(p.sock_lookup_ip(0x800, 9, 1, 0xfff0, 64, 0xa00)).toBe(21);
      expect(p.sock_lookup_ip(0x800, 9, 1, 0x900, 16, 0xa00)).toBe(0);
      expect(new DataView(h.memory.buffer).getUint32(0xa00, true)).toBe(1);
      expect(Array.from(new Uint8Array(h.memory.buffer, 0x900, 4))).toEqual([127, 0, 0, 1]);
    } finally {
      expect(h.close()).toBe(0);
    }
  });
});

describe('sock_bind_device', () => {
  test('is setting SO_BINDTODEVICE, under its policy: refused by default (NOTCAPABLE), granted: the kernel\'s answer', async () => {
    const net = { connect: ['127.0.0.1:*'] };
    expect((await run(PROBE, { net, args: ['abi-probe', 'binddev', 'lo'] })).lines).toEqual(['open_v2 errno=0', 'binddev errno=76']);
    const allowed = { net, sockopts: { allowSet: ['SO_BINDTODEVICE'] } };
    expect((await run(PROBE, { ...allowed, args: ['abi-probe', 'binddev', 'lo'] })).lines).toEqual(['open_v2 errno=0', 'binddev errno=0']);
    expect((await run(PROBE, { ...allowed, args: ['abi-probe', 'binddev', 'nosuchdev0'] })).lines).toEqual(['open_v2 errno=0', 'binddev errno=43']); // NODEV
  });
});

describe('preopened listening sockets (listen, --tcplisten)', () => {
  test('a plain Rust std program serves on fd 3 (TcpListener::from_raw_fd) over loopback; sandbox.listeners says where; LISTEN_FDS=1', async () => {
    const w = watch();
    const sb = new Sandbox({ args: ['std-listener', '2'], listen: ['127.0.0.1:0'], stdout: w.feed });
    const done = sb.run(STD_LISTENER);
    expect(sb.listeners).toHaveLength(1);
    const { fd, address, port } = sb.listeners[0];
    expect({ fd, address }).toEqual({ fd: 3, address: '127.0.0.1' });
    expect(port).toBeGreaterThan(0);
    expect(await ask(port, '127.0.0.1', 'ada')).toBe('hello ada\n');
    expect(await ask(port, '127.0.0.1', 'bob')).toBe('hello bob\n');
    expect(await done).toEqual({ exitCode: 0 });
    expect(w.lines()).toEqual(['LISTEN_FDS=1', 'serving 2', 'served ada', 'served bob']);
  });

  test('IPv6: [::1]:0, and inline as in a worker', async () => {
    for (const worker of [true, false]) {
      const w = watch();
      const sb = new Sandbox({ worker, args: ['std-listener', '1'], listen: ['[::1]:0'], stdout: w.feed });
      const done = sb.run(STD_LISTENER);
      expect(sb.listeners[0].address).toBe('::1');
      // Inline the guest holds this thread while it serves: the client is another process.
      const client = spawn(process.execPath, ['-e', `const s=require('net').connect(${sb.listeners[0].port},'::1',()=>s.write('six\\n'));s.on('data',d=>process.stdout.write(d))`]);
      let reply = '';
      client.stdout.on('data', (d) => { reply += d; });
      const clientDone = new Promise((r) => client.on('close', r));
      expect(await done).toEqual({ exitCode: 0 });
      await clientDone;
      expect(reply).toBe('hello six\n');
      expect(w.lines()).toEqual(['LISTEN_FDS=1', 'serving 1', 'served six']);
    }
  });

  test('sockbox run --tcplisten: the port on stderr, folders after the listeners (std::fs finds /data: the preopen scan goes past fd 3)', async () => {
    const data = folder({ 'x.txt': 'from the folder\n' });
    const p = sockboxRun(STD_LISTENER_PATH, ['--tcplisten', '127.0.0.1:0', '--dir', `${data}::/data`, '--env', 'DATA=/data/x.txt'], ['1']);
    // Read on each stderr chunk (launch() adds it to p.stderr() first), and on exit.
    const port = await new Promise<number>((resolve, reject) => {
      const look = () => {
        const m = /sockbox: fd 3 listens on 127\.0\.0\.1:(\d+)/.exec(p.stderr());
        if (m) resolve(Number(m[1]));
      };
      p.child.stderr!.on('data', look);
      void p.exited.then(() => { look(); reject(new Error(`exited without a port in: ${p.stderr()}`)); });
      look();
    });
    expect(await ask(port, '127.0.0.1', 'cli')).toBe('hello cli\n');
    expect(await p.exited).toBe(0);
    expect(p.lines()).toEqual(['LISTEN_FDS=1', 'data /data/x.txt: from the folder', 'serving 1', 'served cli']);
  });

  test('fd numbering: listeners from 3 in the order given, then the folders; fd_fdstat_get says SOCKET_STREAM; without --tcplisten the folders start at 3', async () => {
    const data = folder({});
    const both = sockboxRun(PROBE_PATH, ['--tcplisten', '127.0.0.1:0', '--tcplisten', '[::1]:0', '--dir', `${data}::/data`], ['fds']);
    expect(await both.exited).toBe(0);
    expect(both.lines()).toEqual([
      'fd 3 socket_stream prestat tag 1', 'fd 4 socket_stream prestat tag 1', 'fd 5 directory prestat dir /data', 'fd 6 errno=8', 'fd 7 errno=8',
    ]);
    expect(both.stderr()).toMatch(/^sockbox: fd 3 listens on 127\.0\.0\.1:\d+\nsockbox: fd 4 listens on \[::1\]:\d+\n$/);
    const dirOnly = sockboxRun(PROBE_PATH, ['--dir', `${data}::/data`], ['fds']);
    expect(await dirOnly.exited).toBe(0);
    expect(dirOnly.lines()[0]).toBe('fd 3 directory prestat dir /data');
    const listenOnly = await run(PROBE, { args: ['abi-probe', 'fds'], listen: ['127.0.0.1:0'] });
    expect(listenOnly.lines.slice(0, 2)).toEqual(['fd 3 socket_stream prestat tag 1', 'fd 4 errno=8']);
  });

  test('events: socket, bind (with the port) and listen for each listener before the guest runs; its close at the end', async () => {
    const events: SandboxEvent[] = [];
    const sb = new Sandbox({ args: ['abi-probe', 'fds'], listen: ['127.0.0.1:0'], stdout: () => {}, onEvent: (e) => events.push(e) });
    await sb.run(PROBE);
    const port = sb.listeners[0].port;
    expect(events).toEqual([
      { type: 'socket', fd: 3, family: 'inet', socktype: 'stream' },
      { type: 'bind', fd: 3, address: '127.0.0.1', port, errno: 0 },
      { type: 'listen', fd: 3, backlog: 128, errno: 0 },
      { type: 'close', fd: 3 },
      { type: 'exit', exitCode: 0 },
    ]);
  });

  test('a port in use: run() rejects with ERR_SOCKBOX_LISTEN naming it and EADDRINUSE; nothing is left open', async () => {
    const before = await openFds();
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const sb = new Sandbox({ args: ['std-listener', '1'], listen: ['127.0.0.1:0', `127.0.0.1:${port}`], stdout: () => {} });
      const err = await sb.run(STD_LISTENER).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SandboxError);
      expect(err).toMatchObject({ code: 'ERR_SOCKBOX_LISTEN' });
      expect((err as Error).message).toBe(`cannot listen on 127.0.0.1:${port}: EADDRINUSE`);
    } finally {
      server.close();
    }
    expect(await openFds()).toBe(before + 0);
  });

  test('kill() ends a guest blocked in accept on its listener at once; the listener is closed', async () => {
    const before = await openFds();
    const w = watch();
    const sb = new Sandbox({ args: ['std-listener', '1'], listen: ['127.0.0.1:0'], stdout: w.feed });
    const done = sb.run(STD_LISTENER);
    await w.waitFor(/serving 1\n/);
    const t0 = performance.now();
    sb.kill();
    await expect(done).rejects.toMatchObject({ code: 'ERR_SOCKBOX_KILLED' });
    expect(performance.now() - t0).toBeLessThan(200);
    expect(await openFds()).toBe(before);
    // The port is free again: a client is refused.
    await expect(ask(sb.listeners[0].port, '127.0.0.1', 'late')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  test('listen takes ADDR:PORT only: a bad entry is a TypeError when the Sandbox is made; --tcplisten a usage error', async () => {
    for (const bad of ['127.0.0.1', 'localhost:80', '[::1]:70000', '10.0.0.0/8:80', '127.0.0.1:*', '::1:80']) {
      expect(() => new Sandbox({ listen: [bad] }), bad).toThrow(TypeError);
    }
    expect(() => new Sandbox({ listen: '127.0.0.1:80' as unknown as string[] })).toThrow(TypeError);
    const p = sockboxRun(PROBE_PATH, ['--tcplisten', 'localhost:80'], ['fds']);
    expect(await p.exited).toBe(2);
    expect(p.stderr()).toMatch(/^sockbox: --tcplisten: 'localhost:80' is not ADDR:PORT/);
  });
});

/** Connects, sends `word` and a newline, resolves with the whole reply. */
function ask(port: number, host: string, word: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = net.connect(port, host, () => c.write(`${word}\n`));
    let text = '';
    c.on('data', (d) => { text += d; });
    c.on('end', () => { c.end(); resolve(text); });
    c.on('error', reject);
  });
}
