// The sandbox end to end with the C test guest (test/guests/c/sockguest.c): data both
// ways over TCP and UDP, IPv4 and IPv6, the option table through both ABIs, kill
// during blocking calls, cleanup of every native fd, and bad input.

import net from 'node:net';
import { spawnSync } from 'node:child_process';
import { readFileSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dgram from 'node:dgram';
import { describe, expect, test } from 'vitest';
import { Sandbox, SandboxError } from '../host/index.js';
import { C_GUEST, start, openFds } from './support/guest.js';

const HOSTS = { 4: '127.0.0.1', 6: '::1' } as const;

async function settled<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try { return { ok: true, value: await p }; } catch (error) { return { ok: false, error }; }
}

describe('data both ways', () => {
  for (const fam of [4, 6] as const) {
    test(`guest TCP server on ${HOSTS[fam]}:0, host client: echo round trip`, async () => {
      const g = start(['echo-server', String(fam)]);
      const [, port] = await g.waitFor(/^listening (\d+)$/);
      const client = net.connect(Number(port), HOSTS[fam]);
      const payload = Buffer.alloc(100_000, 'x');
      let got = Buffer.alloc(0);
      client.on('data', (d) => { got = Buffer.concat([got, d]); });
      await new Promise<void>((r) => client.on('connect', r));
      client.end(payload);
      await new Promise<void>((r) => client.on('end', r));
      expect(got.equals(payload)).toBe(true);
      expect(await g.done).toEqual({ exitCode: 0 });
      expect(g.lines()).toContain(`echoed ${payload.length}`);
    });

    test(`guest TCP client to a host server on ${HOSTS[fam]}`, async () => {
      const server = net.createServer((c) => c.pipe(c));
      await new Promise<void>((r) => server.listen(0, HOSTS[fam], r));
      try {
        const port = (server.address() as net.AddressInfo).port;
        const g = start(['client', String(fam), String(port), 'hello-from-guest']);
        expect(await g.done).toEqual({ exitCode: 0 });
        expect(g.lines()).toEqual(['received hello-from-guest']);
      } finally {
        await new Promise((r) => server.close(r));
      }
    });

    test(`UDP both ways on ${HOSTS[fam]}: host to guest server, and guest client to host`, async () => {
      const g = start(['udp-server', String(fam)]);
      const [, port] = await g.waitFor(/^udp (\d+)$/);
      const host = dgram.createSocket(fam === 4 ? 'udp4' : 'udp6');
      await new Promise<void>((r) => host.bind(0, HOSTS[fam], r));
      const reply = new Promise<Buffer>((r) => host.once('message', r));
      host.send('ping', Number(port), HOSTS[fam]);
      expect((await reply).toString()).toBe('ping');
      expect(await g.done).toEqual({ exitCode: 0 });
      expect(g.lines()).toContain(`got ping from ${host.address().port}`);

      host.on('message', (m, rinfo) => host.send(m.toString().toUpperCase(), rinfo.port, rinfo.address));
      const c = start(['udp-client', String(fam), String(host.address().port), 'quack']);
      expect(await c.done).toEqual({ exitCode: 0 });
      expect(c.lines()).toEqual(['reply QUACK']);
      host.close();
    });
  }
});

describe('the option table from inside a guest, through both ABIs', () => {
  test('IPv4 stream: every seed row', async () => {
    const g = start(['options', '4', 'stream']);
    expect(await g.done).toEqual({ exitCode: 0 });
    const out = g.lines();
    expect(out.slice(0, 4)).toEqual([
      'wasmedge SO_ACCEPTCONN value=0', 'sockbox SO_ACCEPTCONN value=0',
      'wasmedge SO_ACCEPTCONN value=1', 'sockbox SO_ACCEPTCONN value=1',
    ]);
    // SO_ERROR: a WASI errno (CONNREFUSED 14) through WasmEdge's ABI, Linux's errno (111) through sockbox's.
    expect(out).toContain('wasmedge SO_ERROR value=14');
    expect(out).toContain('sockbox SO_ERROR value=111');
    expect(out.filter((l) => / SO_ERROR value=0$/.test(l))).toHaveLength(2);
    for (const line of [
      'wasmedge SO_KEEPALIVE value=0', 'wasmedge set SO_KEEPALIVE errno=0', 'wasmedge SO_KEEPALIVE value=1', 'sockbox SO_KEEPALIVE value=1',
      'wasmedge SO_TYPE value=2', 'sockbox SO_TYPE value=1',
      'sockbox IP_HDRINCL value=0', 'sockbox set IP_HDRINCL errno=76',
      'sockbox IP_RECVDSTADDR errno=50',
      'sockbox set IP_TOS errno=0', 'sockbox IP_TOS value=16',
      'sockbox IP_TTL value=64',
      'wasmedge SO_REUSEADDR value=0', 'wasmedge set SO_REUSEADDR errno=0', 'wasmedge SO_REUSEADDR value=1', 'sockbox SO_REUSEADDR value=1',
      'wasmedge SO_LINGER linger=1,5', 'sockbox SO_LINGER linger=1,5',
      'wasmedge SO_RCVTIMEO timeval=2,500000', 'sockbox SO_RCVTIMEO timeval=2,500000',
    ]) expect(out).toContain(line);
  });

  test('IPv6 datagram: SO_TYPE dgram in both numberings, IPV6_V6ONLY readable', async () => {
    const g = start(['options', '6', 'dgram']);
    expect(await g.done).toEqual({ exitCode: 0 });
    const out = g.lines();
    expect(out).toContain('wasmedge SO_TYPE value=1');
    expect(out).toContain('sockbox SO_TYPE value=2');
    expect(out).toContain('sockbox IPV6_V6ONLY value=0');
    expect(out).toContain('sockbox IP_TTL value=64');
  });

  test('IP_HDRINCL setting lifted by the policy reaches the kernel: ENOPROTOOPT (50) on a UDP socket', async () => {
    const g = start(['options', '4', 'dgram'], { sockopts: { allowSet: ['IP_HDRINCL'] } });
    expect(await g.done).toEqual({ exitCode: 0 });
    // Linux takes IP_HDRINCL on raw sockets only; the answer is the kernel's, not the policy's 76.
    expect(g.lines()).toContain('sockbox set IP_HDRINCL errno=50');
  });
});

describe('kill, exit and trap: the run settles and every fd is closed', () => {
  test('kill() during a blocked accept settles within 100 ms and leaks no fd', async () => {
    const before = await openFds();
    const g = start(['block-accept']);
    await g.waitFor(/^ready \d+$/);
    const t = performance.now();
    g.sandbox.kill();
    const r = await settled(g.done);
    const ms = performance.now() - t;
    expect(r.ok).toBe(false);
    expect((r as { error: SandboxError }).error.code).toBe('ERR_SOCKBOX_KILLED');
    expect(ms).toBeLessThan(100);
    expect(await openFds()).toBe(before);
  });

  test('kill() during a blocked recv settles within 100 ms and leaks no fd', async () => {
    // The host side of the connection is closed (and awaited) before counting, so the
    // count speaks of the guest's fds only.
    const conns: net.Socket[] = [];
    const server = net.createServer((c) => conns.push(c));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const before = await openFds();
    try {
      const g = start(['block-recv', String((server.address() as net.AddressInfo).port)]);
      await g.waitFor(/^ready$/);
      const t = performance.now();
      g.sandbox.kill();
      const r = await settled(g.done);
      expect(performance.now() - t).toBeLessThan(100);
      expect((r as { error: SandboxError }).error.code).toBe('ERR_SOCKBOX_KILLED');
    } finally {
      await Promise.all(conns.map((c) => new Promise<void>((r) => {
        if (c.closed) return r();
        c.once('close', () => r());
        c.destroy();
      })));
    }
    expect(await openFds()).toBe(before);
    await new Promise((r) => server.close(r));
  });

  test('kill() during poll_oneoff with no timeout settles within 100 ms and leaks no fd', async () => {
    const before = await openFds();
    const g = start(['block-poll']);
    await g.waitFor(/^ready \d+$/);
    const t = performance.now();
    g.sandbox.kill();
    const r = await settled(g.done);
    expect(performance.now() - t).toBeLessThan(100);
    expect((r as { error: SandboxError }).error.code).toBe('ERR_SOCKBOX_KILLED');
    expect(await openFds()).toBe(before);
  });

  test('a datagram wakes a guest blocked in poll_oneoff', async () => {
    const g = start(['block-poll']);
    const [, port] = await g.waitFor(/^ready (\d+)$/);
    const s = dgram.createSocket('udp4');
    s.send('x', Number(port), '127.0.0.1', () => s.close());
    expect(await g.done).toEqual({ exitCode: 0 });
    expect(g.lines()).toContain('polled 1');
  });

  test('kill() during a blocked connect (full backlog) settles within 100 ms', async () => {
    // A listener that never accepts, its backlog filled: the next connect hangs in SYN retries.
    const { socket, constants } = await import('../host/index.js');
    const l = socket();
    l.bind(['127.0.0.1', 0]);
    l.listen(0);
    const port = l.getsockname()[1];
    const fillers = [];
    for (let i = 0; i < 4; i++) {
      const c = socket();
      c.setblocking(false);
      c.connect_ex(['127.0.0.1', port]);
      fillers.push(c);
    }
    try {
      const before = await openFds();
      const g = start(['block-connect', String(port)]);
      await g.waitFor(/^ready$/);
      // Give the connect a moment to be in flight; the kill must still be prompt.
      await new Promise((r) => setTimeout(r, 50));
      const t = performance.now();
      g.sandbox.kill();
      const r = await settled(g.done);
      expect(performance.now() - t).toBeLessThan(100);
      if (r.ok) {
        // The kernel may still have completed the connect: then the guest exited normally.
        expect(g.lines().some((l) => l.startsWith('connect errno='))).toBe(true);
      } else {
        expect((r.error as SandboxError).code).toBe('ERR_SOCKBOX_KILLED');
      }
      expect(await openFds()).toBe(before);
      void constants;
    } finally {
      for (const c of fillers) c.close();
      l.close();
    }
  });

  test('a guest that traps: run rejects naming the trap; its sockets are closed', async () => {
    const before = await openFds();
    const g = start(['trap']);
    const r = await settled(g.done);
    expect(r.ok).toBe(false);
    const e = (r as { error: SandboxError }).error;
    expect(e).toBeInstanceOf(SandboxError);
    expect(e.code).toBe('ERR_SOCKBOX_GUEST_TRAP');
    expect(e.message).toMatch(/guest trapped: RuntimeError: unreachable/);
    expect(await openFds()).toBe(before);
  });

  test('a guest that exits with sockets open: exit code 3, no fd left behind', async () => {
    const before = await openFds();
    const g = start(['exit-open']);
    expect(await g.done).toEqual({ exitCode: 3 });
    expect(g.lines()).toEqual(['ready']);
    expect(await openFds()).toBe(before);
  });

  test('a normal exit leaves no fd behind', async () => {
    const before = await openFds();
    const g = start(['options', '4', 'stream']);
    expect(await g.done).toEqual({ exitCode: 0 });
    expect(await openFds()).toBe(before);
  });

  test('inline mode runs on the calling thread with the same result', async () => {
    const g = start(['options', '4', 'dgram'], { worker: false });
    expect(await g.done).toEqual({ exitCode: 0 });
    expect(g.lines()).toContain('sockbox IP_TTL value=64');
  });

  test('kill() on an idle sandbox does nothing; a second run while running is refused', async () => {
    const sb = new Sandbox({ args: ['g', 'block-accept'], net: { bind: ['127.0.0.1:0'] }, stdout: () => {} });
    sb.kill();
    const first = sb.run(C_GUEST);
    first.catch(() => {});
    await expect(sb.run(C_GUEST)).rejects.toMatchObject({ code: 'ERR_SOCKBOX_BUSY' });
    sb.kill();
    await expect(first).rejects.toMatchObject({ code: 'ERR_SOCKBOX_KILLED' });
  });

  test('not a wasm module: ERR_SOCKBOX_GUEST_INVALID; a module without _start: ERR_SOCKBOX_GUEST_INVALID', async () => {
    const sb = new Sandbox({ stdout: () => {} });
    await expect(sb.run(new Uint8Array([1, 2, 3]))).rejects.toMatchObject({ code: 'ERR_SOCKBOX_GUEST_INVALID' });
    // (module (memory (export "memory") 1))
    const noStart = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 5, 3, 1, 0, 1, 7, 10, 1, 6, 109, 101, 109, 111, 114, 121, 2, 0]);
    await expect(sb.run(noStart)).rejects.toMatchObject({ code: 'ERR_SOCKBOX_GUEST_INVALID', message: /_start/ });
  });
});

describe('bad input from the guest', () => {
  test('out-of-range pointers and lengths, bad and non-socket fds: the right errno, host unharmed', async () => {
    const before = await openFds();
    const g = start(['bad-input'], { net: { bind: ['127.0.0.1:0'], connect: ['127.0.0.1:*'] } });
    expect(await g.done).toEqual({ exitCode: 0 });
    const result = Object.fromEntries(g.lines().map((l) => { const [k, ...v] = l.split(' '); return [k, v.join(' ')]; }));
    expect(result).toEqual({
      'getsockopt-bad-fd': 'errno=8',
      'getsockopt-not-socket': 'errno=57',
      'getsockopt-len-oob': 'errno=21',
      'getsockopt-buf-oob': 'errno=21',
      'getsockopt-len-huge': 'errno=21',
      'setsockopt-short': 'errno=28',
      'sockbox-getsockopt-trunc': 'errno=0 len=2',
      'sock-open-oob': 'errno=21',
      'recv-iovs-oob': 'errno=21',
      'recv-iovs-huge': 'errno=28',
      'send-bad-fd': 'errno=8',
      'bind-bad-addr-len': 'errno=28',
      'connect-denied': 'errno=76',
      'unknown-option': 'errno=50',
      'wasmedge-unknown-level': 'errno=50',
      'poll-zero': 'errno=28',
      'poll-oob': 'errno=21',
    });
    expect(await openFds()).toBe(before);
    // The host still serves: a fresh guest runs normally.
    expect(await start(['options', '4', 'dgram']).done).toEqual({ exitCode: 0 });
  });
});

describe('the AssemblyScript test guest (test/guests/as/sockguest.ts)', () => {
  const AS_GUEST = readFileSync(new URL('./guests/sockguest-as.wasm', import.meta.url));
  for (const [fam, type] of [['4', 'stream'], ['4', 'dgram'], ['6', 'stream'], ['6', 'dgram']]) {
    test(`options ${fam} ${type}: the same lines as the C guest, through both ABIs`, async () => {
      const c = start(['options', fam, type]);
      const as = start(['options', fam, type], {}, AS_GUEST);
      expect(await as.done).toEqual({ exitCode: 0 });
      expect(await c.done).toEqual({ exitCode: 0 });
      expect(as.lines()).toEqual(c.lines());
      expect(as.lines()).toContain('sockbox IP_TTL value=64');
    });
  }

  test('echo-server on ::1 with a host client', async () => {
    const g = start(['echo-server', '6'], {}, AS_GUEST);
    const [, port] = await g.waitFor(/^listening (\d+)$/);
    const reply = await new Promise<string>((resolve, reject) => {
      const c = net.connect(Number(port), '::1', () => c.end('from the host'));
      let text = '';
      c.on('data', (d) => { text += d; });
      c.on('end', () => resolve(text));
      c.on('error', reject);
    });
    expect(reply).toBe('from the host');
    expect(await g.done).toEqual({ exitCode: 0 });
  });
});

describe('random_get', () => {
  // A hand-assembled guest: random_get(0, 32); exit 100 + errno on an error, 1 when the
  // 32 bytes are all zero, 0 otherwise. node:crypto loads on the first call (wasi-core.ts).
  const bytes = (() => {
    const str = (s: string) => [s.length, ...Buffer.from(s)];
    const section = (id: number, body: number[]) => [id, body.length, ...body];
    const W = 'wasi_snapshot_preview1';
    const body = [
      0x01, 0x01, 0x7f, // one i32 local
      0x41, 0x00, 0x41, 0x20, 0x10, 0x00, 0x22, 0x00, // r = random_get(0, 32)
      0x04, 0x40, 0x20, 0x00, 0x41, 0xe4, 0x00, 0x6a, 0x10, 0x01, 0x0b, // if r: proc_exit(100 + r)
      0x41, 0x00, 0x29, 0x03, 0x00, 0x41, 0x00, 0x29, 0x03, 0x08, 0x84, // load 0 | load 8
      0x41, 0x00, 0x29, 0x03, 0x10, 0x84, 0x41, 0x00, 0x29, 0x03, 0x18, 0x84, // | 16 | 24
      0x50, 0x10, 0x01, 0x0b, // proc_exit(all zero ? 1 : 0)
    ];
    return new Uint8Array([
      0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
      ...section(1, [3, 0x60, 2, 0x7f, 0x7f, 1, 0x7f, 0x60, 1, 0x7f, 0, 0x60, 0, 0]),
      ...section(2, [2, ...str(W), ...str('random_get'), 0x00, 0, ...str(W), ...str('proc_exit'), 0x00, 1]),
      ...section(3, [1, 2]),
      ...section(5, [1, 0x00, 1]),
      ...section(7, [2, ...str('memory'), 0x02, 0, ...str('_start'), 0x00, 2]),
      ...section(10, [1, body.length, ...body]),
    ]);
  })();
  for (const worker of [true, false]) {
    test(`fills guest memory with random bytes (${worker ? 'worker' : 'inline'})`, async () => {
      expect(await new Sandbox({ worker }).run(bytes)).toEqual({ exitCode: 0 });
    });
  }
});

describe('the worker taken before the module compiles', () => {
  // run() and instantiate() take a worker from the pool before they compile, so that a new
  // one starts meanwhile; when the module is refused, or the run is killed while it
  // compiles, that worker goes back to the pool unref'd: the process still exits by itself.
  test('a refused module and a kill during compile leave nothing that keeps the process alive', () => {
    const dist = new URL('../dist/index.js', import.meta.url).href;
    const guest = new URL('./guests/sockguest-c.wasm', import.meta.url);
    const script = `
      import { readFileSync } from 'node:fs';
      import { Sandbox } from ${JSON.stringify(dist)};
      const bad = new Uint8Array([0, 97, 115, 109, 9, 9]);
      const a = await new Sandbox().run(bad).catch((e) => e.code);
      const b = await new Sandbox().instantiate(bad).catch((e) => e.code);
      const box = new Sandbox();
      const running = box.run(readFileSync(new URL(${JSON.stringify(guest.href)}))).then(() => 'ran', (e) => e.code);
      box.kill();
      console.log(JSON.stringify([a, b, await running]));
    `;
    // From a file: a `node -e` script's process ends when the script does, whatever it holds.
    const dir = mkdtempSync(join(tmpdir(), 'sockbox-early-'));
    writeFileSync(join(dir, 'early.mjs'), script);
    const r = spawnSync(process.execPath, [join(dir, 'early.mjs')], { encoding: 'utf8', timeout: 30_000 });
    rmSync(dir, { recursive: true, force: true });
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout.trim())).toEqual(['ERR_SOCKBOX_GUEST_INVALID', 'ERR_SOCKBOX_GUEST_INVALID', 'ERR_SOCKBOX_KILLED']);
  });
});
