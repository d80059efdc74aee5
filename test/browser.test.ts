// sockbox in a web page: guests run by BrowserSandbox (host/browser/) in headless
// Chromium (Debian's, /usr/bin/chromium, driven by playwright-core: no browser is
// downloaded), their sockets through a relay (createRelay) in this process. The page and
// the bundles come from a local http server with the COOP/COEP headers. Outputs are
// compared line for line with the same guest run by Node's Sandbox under the same
// policy; only what legitimately differs between two runs is normalised: ephemeral
// ports, and the tour's measured microseconds.

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import http from 'node:http';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createRelay, type Relay, type RelayEvent } from '../host/relay/index.js';
import { Sandbox } from '../host/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const TOKEN = 'browser-test-token';
const GUESTS: Record<string, string> = {
  tour: join(ROOT, 'examples/sockopt-tour/sockopt-tour.wasm'),
  echo: join(ROOT, 'examples/echo-server/echo-server.wasm'),
  sockguest: join(ROOT, 'test/guests/sockguest-c.wasm'),
};
/** The policy of every run, in the page (the relay's) and in Node: the tour's (npm start). */
const NET = { bind: ['127.0.0.1:0', '[::1]:0'], connect: ['127.0.0.1:*'] };

const ISOLATED = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
};

let bundles = '';
let server: http.Server;
let origin = '';
let relay: Relay;
const relayEvents: RelayEvent[] = [];
let browser: Browser;

beforeAll(async () => {
  // The runtime from its sources (dist/ may be older while one iterates).
  bundles = mkdtempSync(join(tmpdir(), 'sockbox-browser-'));
  await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: [
      { in: 'host/browser/index.ts', out: 'sockbox-browser' },
      { in: 'host/browser/worker.ts', out: 'sockbox-browser-worker' },
    ],
    outdir: bundles, bundle: true, format: 'esm', platform: 'browser', target: 'es2022', logLevel: 'warning',
  });
  server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    let file: string | undefined;
    let type = 'text/javascript';
    let headers: Record<string, string> = ISOLATED;
    if (path === '/' || path === '/plain.html') {
      file = join(ROOT, 'test/browser/page.html');
      type = 'text/html';
      if (path === '/plain.html') headers = {};
    } else if (path === '/harness.js') file = join(ROOT, 'test/browser/harness.js');
    else if (path === '/sockbox-browser.js' || path === '/sockbox-browser-worker.js') file = join(bundles, path.slice(1));
    else if (path.startsWith('/guests/') && GUESTS[path.slice(8)]) {
      file = GUESTS[path.slice(8)];
      type = 'application/wasm';
    }
    // No keep-alive: a page closed leaves no connection of ours open (the fd count below).
    res.setHeader('connection', 'close');
    if (file === undefined) return void res.writeHead(404, headers).end();
    res.writeHead(200, { ...headers, 'content-type': type, 'cache-control': 'no-store' }).end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  origin = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  relay = await createRelay({ host: '127.0.0.1', port: 0, policy: { net: NET }, token: TOKEN, origins: [origin], onEvent: (e) => relayEvents.push(e) });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await relay?.close();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  if (bundles) rmSync(bundles, { recursive: true, force: true });
});

interface RunEnd {
  exitCode?: number;
  stdout: string;
  stderr: string;
  error?: { name: string; code: string; message: string; closeCode?: number; reason?: string };
}

/** A page of the test server, and the guests it runs. */
class TestPage {
  private readonly waiters: { re: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  private readonly text = new Map<number, string>();

  private constructor(readonly page: Page) {}

  static async open(path = '/', at = origin): Promise<TestPage> {
    const page = await browser.newPage();
    page.on('console', (m) => { if (process.env.PAGE_CONSOLE) console.log('page:', m.text()); });
    const p = new TestPage(page);
    await page.exposeFunction('__sockboxOutput', (id: number, fd: number, text: string) => p.output(id, fd, text));
    await page.goto(at + path);
    await page.waitForFunction(() => (window as unknown as { sockbox?: unknown }).sockbox !== undefined);
    return p;
  }

  private output(id: number, fd: number, text: string): void {
    if (fd !== 1) return;
    this.text.set(id, (this.text.get(id) ?? '') + text);
    const all = this.text.get(id)!;
    for (const w of [...this.waiters]) {
      const m = all.match(w.re);
      if (m) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  }

  /** Resolves when the stdout of any guest of this page matches `re` (multiline). */
  waitFor(re: RegExp): Promise<RegExpMatchArray> {
    for (const t of this.text.values()) {
      const m = t.match(re);
      if (m) return Promise.resolve(m);
    }
    return new Promise((resolve) => this.waiters.push({ re, resolve }));
  }

  /** Starts a guest; `error` when the constructor threw. */
  start(guest: string, args: string[], o: { token?: string; relay?: string } = {}): Promise<{ id: number; error?: RunEnd['error'] }> {
    return this.page.evaluate((x) => (window as any).sockbox.start(x), { relay: o.relay ?? relay.url, token: o.token ?? TOKEN, args, guest: `/guests/${guest}` });
  }

  wait(id: number): Promise<RunEnd> {
    return this.page.evaluate((i) => (window as any).sockbox.wait(i), id);
  }

  kill(id: number): Promise<void> {
    return this.page.evaluate((i) => (window as any).sockbox.kill(i), id);
  }

  async run(guest: string, args: string[], o: { token?: string } = {}): Promise<RunEnd> {
    const { id, error } = await this.start(guest, args, o);
    if (error) return { stdout: '', stderr: '', error };
    return this.wait(id);
  }

  close(): Promise<void> {
    return this.page.close();
  }
}

/** The same guest under Node's Sandbox, same policy: exit code and output. */
function nodeRun(guest: string, args: string[], onStdout?: (all: string) => void): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sb = new Sandbox({
    args, net: NET,
    stdout: (c: Uint8Array) => { stdout += Buffer.from(c).toString(); onStdout?.(stdout); },
    stderr: (c: Uint8Array) => { stderr += Buffer.from(c).toString(); },
  });
  return sb.run(readFileSync(GUESTS[guest])).then(({ exitCode }) => ({ exitCode, stdout, stderr }));
}

/** What differs between two runs of the same guest: ephemeral ports, measured times. */
function normalise(text: string): string[] {
  return text
    .replace(/(127\.0\.0\.1|\[::1\]):\d+/g, '$1:PORT')
    .replace(/\(\d+ µs, best of/g, '(N µs, best of')
    .replace(/^listening on \d+$/gm, 'listening on PORT')
    .split('\n');
}

const SOCKBOX_NOTCAPABLE = 76;

describe('a guest in the page, through the relay, against the same guest in Node', () => {
  test('sockopt-tour: the same output line for line (ports and µs normalised), exit 0', async () => {
    const page = await TestPage.open();
    try {
      const [inPage, inNode] = await Promise.all([page.run('tour', ['sockopt-tour']), nodeRun('tour', ['sockopt-tour'])]);
      expect(inPage.error).toBeUndefined();
      expect(inPage.exitCode).toBe(0);
      expect(inNode.exitCode).toBe(0);
      expect(inPage.stdout).toContain('| SO_REUSEADDR after setsockopt(1) | 0,1 | Allows reuse of local addresses. | 1 | ENOTCAPABLE | 1 | ENOTCAPABLE |');
      expect(normalise(inPage.stdout)).toEqual(normalise(inNode.stdout));
      expect(inPage.stderr).toBe(inNode.stderr);
    } finally {
      await page.close();
    }
  });

  /** Two clients, one after the other (so the guest's lines come in one order), each echoed in full. */
  async function twoClients(port: number): Promise<void> {
    for (const size of [70_000, 300_001]) {
      const c = net.connect(port, '127.0.0.1');
      const payload = Buffer.alloc(size, 0x41 + (size % 26));
      const chunks: Buffer[] = [];
      let got = 0;
      const echoed = new Promise<void>((resolve, reject) => {
        c.on('data', (d: Buffer) => {
          chunks.push(d);
          got += d.length;
          if (got >= size) c.end();
        });
        c.on('close', () => resolve());
        c.on('error', reject);
      });
      c.write(payload);
      await echoed;
      expect(Buffer.concat(chunks).equals(payload)).toBe(true);
    }
  }

  test('echo-server: two Node clients echoed in full, the same lines as in Node', async () => {
    const page = await TestPage.open();
    try {
      const args = ['echo-server', '0', '2'];
      const { id, error } = await page.start('echo', args);
      expect(error).toBeUndefined();
      const [, port] = await page.waitFor(/^listening on (\d+)\n/m);
      await twoClients(Number(port));
      const inPage = await page.wait(id);
      expect(inPage.error).toBeUndefined();
      expect(inPage.exitCode).toBe(0);

      let listening: (port: number) => void;
      const nodePort = new Promise<number>((r) => { listening = r; });
      const nodeEnd = nodeRun('echo', args, (all) => {
        const m = all.match(/^listening on (\d+)$/m);
        if (m) listening(Number(m[1]));
      });
      await twoClients(await nodePort);
      const inNode = await nodeEnd;
      expect(inNode.exitCode).toBe(0);
      expect(inPage.stdout).toContain('client 2 closed (300001 bytes echoed)');
      expect(normalise(inPage.stdout)).toEqual(normalise(inNode.stdout));
      expect(inPage.stderr).toBe(inNode.stderr);
    } finally {
      await page.close();
    }
  });

  test('a connect the relay\'s policy refuses (127.0.0.2, loopback but not granted): NOTCAPABLE, as in Node', async () => {
    const page = await TestPage.open();
    try {
      const args = ['sockguest', 'try', 'connect', '4', '127.0.0.2', '9'];
      const [inPage, inNode] = await Promise.all([page.run('sockguest', args), nodeRun('sockguest', args)]);
      expect(inPage.error).toBeUndefined();
      expect(inPage.stdout).toBe(`try connect errno=${SOCKBOX_NOTCAPABLE}\n`);
      expect(inPage.stdout).toBe(inNode.stdout);
      expect(inPage.exitCode).toBe(inNode.exitCode);
    } finally {
      await page.close();
    }
  });
});

test('getsockopt-loop: the per-call time through the relay, beside Node (logged, not asserted)', async () => {
  const page = await TestPage.open();
  try {
    const args = ['sockguest', 'getsockopt-loop', '500'];
    const inPage = await page.run('sockguest', args);
    const inNode = await nodeRun('sockguest', args);
    const pattern = /^wasmedge \d+\nsockbox \d+\n$/;
    expect(inPage.stdout).toMatch(pattern);
    expect(inNode.stdout).toMatch(pattern);
    const us = (out: string) => out.trim().split('\n').map((l) => { const [abi, ns] = l.split(' '); return `${abi} ${(Number(ns) / 1000).toFixed(1)} µs`; }).join(', ');
    console.log(`getsockopt per call: page through the relay ${us(inPage.stdout)}; Node ${us(inNode.stdout)}`);
  } finally {
    await page.close();
  }
});

describe('ending a run', () => {
  test('bad input (bad fds and pointers, a denied connect, unknown options, polls): every errno as in Node', async () => {
    const page = await TestPage.open();
    try {
      const args = ['sockguest', 'bad-input'];
      const [inPage, inNode] = await Promise.all([page.run('sockguest', args), nodeRun('sockguest', args)]);
      expect(inPage.error).toBeUndefined();
      expect(inPage.stdout).toContain('connect-denied errno=76\n');
      expect(inPage.stdout.split('\n')).toEqual(inNode.stdout.split('\n'));
      expect(inPage.exitCode).toBe(inNode.exitCode);
    } finally {
      await page.close();
    }
  });

  test('a trap: ERR_SOCKBOX_GUEST_TRAP with Node\'s message; an exit with sockets open: its code', async () => {
    const page = await TestPage.open();
    try {
      const trapped = await page.run('sockguest', ['sockguest', 'trap']);
      const inNode = await nodeRun('sockguest', ['sockguest', 'trap']).then(() => null, (e: { code: string; message: string }) => e);
      expect(trapped.error?.code).toBe('ERR_SOCKBOX_GUEST_TRAP');
      expect(trapped.error?.message).toBe(inNode?.message);
      expect(trapped.stdout).toBe('ready\n');
      const exited = await page.run('sockguest', ['sockguest', 'exit-open']);
      expect(exited).toMatchObject({ exitCode: 3, stdout: 'ready\n' });
    } finally {
      await page.close();
    }
  });

  test('kill() during a blocked recv: run() rejects with ERR_SOCKBOX_KILLED and the relay closes the guest\'s socket', async () => {
    const accepted: net.Socket[] = [];
    let peerClosed!: () => void;
    const closed = new Promise<void>((r) => { peerClosed = r; });
    let peerAccepted!: () => void;
    const connected = new Promise<void>((r) => { peerAccepted = r; });
    // A peer that accepts and never sends: the guest's recv blocks.
    const peer = net.createServer((s) => {
      accepted.push(s);
      s.on('close', () => peerClosed());
      s.on('error', () => {});
      peerAccepted();
    });
    await new Promise<void>((r) => peer.listen(0, '127.0.0.1', () => r()));
    const page = await TestPage.open();
    try {
      const { id } = await page.start('sockguest', ['sockguest', 'block-recv', String((peer.address() as net.AddressInfo).port)]);
      await page.waitFor(/^ready\n/m);
      await connected;
      await page.kill(id);
      const end = await page.wait(id);
      expect(end.error?.code).toBe('ERR_SOCKBOX_KILLED');
      expect(end.stdout).toBe('ready\n');
      await closed; // the relay ended the session and closed the socket
    } finally {
      await page.close();
      for (const s of accepted) s.destroy();
      await new Promise<void>((r) => peer.close(() => r()));
    }
  });

  test('a page closed mid-session leaves no socket open in the relay (the sockets of this process, before and after)', async () => {
    const sockets = (): Set<string> => {
      const out = new Set<string>();
      for (const fd of readdirSync('/proc/self/fd')) {
        try {
          const link = readlinkSync(`/proc/self/fd/${fd}`);
          if (link.startsWith('socket:')) out.add(`${fd} ${link}`);
        } catch { /* closed meanwhile */ }
      }
      return out;
    };
    const page = await TestPage.open();
    const before = sockets();
    const sessionsBefore = relayEvents.filter((e) => e.type === 'session' && e.state === 'closed').length;
    const { error } = await page.start('echo', ['echo-server', '0']);
    expect(error).toBeUndefined();
    const [, port] = await page.waitFor(/^listening on (\d+)\n/m);
    // A client connected and served: the session holds a listener and a connection.
    const c = net.connect(Number(port), '127.0.0.1');
    const cClosed = new Promise<void>((r) => { c.on('close', () => r()); c.on('error', () => r()); });
    await new Promise<void>((r) => c.once('connect', () => r()));
    c.write('hi');
    await new Promise<void>((r) => c.once('data', () => r()));
    c.resume();
    expect(sockets().size).toBeGreaterThan(before.size);
    await page.close();
    // The relay's session ends when the page's WebSocket closes: every socket closed.
    await expect.poll(() => relayEvents.filter((e) => e.type === 'session' && e.state === 'closed').length, { timeout: 10_000 }).toBeGreaterThan(sessionsBefore);
    await cClosed; // the guest's end of it, closed by the relay
    await expect.poll(() => [...sockets()].filter((s) => !before.has(s)), { timeout: 10_000 }).toEqual([]);
  });
});

describe('what the page is told', () => {
  test('a bad token: ERR_SOCKBOX_RELAY, close 4401 and the relay\'s reason', async () => {
    const page = await TestPage.open();
    try {
      const end = await page.run('tour', ['sockopt-tour'], { token: 'not-the-token' });
      expect(end.error).toMatchObject({ code: 'ERR_SOCKBOX_RELAY', closeCode: 4401 });
      expect(end.error?.message).toMatch(/refused the token/);
      expect(end.error?.reason).not.toBe('');
      expect(end.stdout).toBe('');
      // A URL the browser will not open at all (port 99999: nothing is sent anywhere).
      const { id } = await page.start('tour', ['sockopt-tour'], { relay: 'ws://127.0.0.1:99999/' });
      expect((await page.wait(id)).error).toMatchObject({ code: 'ERR_SOCKBOX_RELAY', message: expect.stringContaining('cannot open a WebSocket to ws://127.0.0.1:99999/') });
    } finally {
      await page.close();
    }
  });

  test('a page from an origin the relay does not list: ERR_SOCKBOX_RELAY naming the origin', async () => {
    // Same server, another origin (localhost is loopback too, and a secure context).
    const foreign = origin.replace('127.0.0.1', 'localhost');
    const page = await TestPage.open('/', foreign);
    try {
      const end = await page.run('tour', ['sockopt-tour']);
      expect(end.error?.code).toBe('ERR_SOCKBOX_RELAY');
      expect(end.error?.closeCode).toBe(4403);
      expect(end.error?.message).toContain(`the relay does not take pages from this page's origin (close 4403: origin ${foreign} is not in the relay's origins)`);
      expect(relayEvents).toContainEqual(expect.objectContaining({ type: 'refused', origin: foreign }));
    } finally {
      await page.close();
    }
  });

  test('a page without COOP/COEP: the constructor throws ERR_SOCKBOX_NOT_ISOLATED naming the headers', async () => {
    const page = await TestPage.open('/plain.html');
    try {
      const { error } = await page.start('tour', ['sockopt-tour']);
      expect(error?.code).toBe('ERR_SOCKBOX_NOT_ISOLATED');
      expect(error?.message).toContain('Cross-Origin-Opener-Policy: same-origin');
      expect(error?.message).toContain('Cross-Origin-Embedder-Policy: require-corp');
    } finally {
      await page.close();
    }
  });
});

test('examples/browser (npm run example:browser): serve.mjs prints a URL whose page runs the tour to exit 0', async () => {
  for (const f of ['dist/index.js', 'dist/browser/sockbox-browser.js']) {
    if (!existsSync(join(ROOT, f))) throw new Error(`${f} is missing: run \`npm run build\` (npm test builds first)`);
  }
  const serve = spawn(process.execPath, [join(ROOT, 'examples/browser/serve.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((r) => serve.once('exit', () => r()));
  try {
    let printed = '';
    const url = await new Promise<string>((resolve, reject) => {
      serve.stdout.on('data', (d: Buffer) => {
        printed += d.toString();
        const m = printed.match(/open (http:\/\/127\.0\.0\.1:\d+\/)/);
        if (m) resolve(m[1]);
      });
      serve.once('exit', (code) => reject(new Error(`serve.mjs exited (${code}): ${printed}`)));
    });
    const page = await browser.newPage();
    try {
      await page.goto(url);
      await page.waitForFunction(() => /^(exit|ERR_)/.test(document.getElementById('status')?.textContent ?? ''), null, { timeout: 20_000 });
      expect(await page.textContent('#status')).toBe('exit 0');
      const shown = (await page.textContent('#out')) ?? '';
      expect(shown).toContain('| SO_TYPE | int | Gets socket type. | SOCK_STREAM | SOCK_DGRAM | SOCK_STREAM | SOCK_DGRAM |');
      expect(shown).toMatch(/^echo round trip: ping -> ping /m);
    } finally {
      await page.close();
    }
  } finally {
    serve.kill('SIGINT');
    await exited;
  }
});

test('the chromium the tests drive is Debian\'s', () => {
  expect(existsSync(CHROMIUM)).toBe(true);
});
