// The relay: a WebSocket server through which guests running in web pages (sockbox/
// browser) get real sockets. Each connection is one session (session.ts): a sandbox
// with the relay's policy, driven by the page's forwarded import calls. The page is
// untrusted: it must pass the Origin allow-list and authenticate, and it is bounded in
// sessions, bytes, time and silence; when its WebSocket closes or goes silent every
// socket of its session is closed.

import http from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { Sandbox, type SandboxOptions } from '../sandbox/sandbox.js';
import type { SandboxEvent } from '../sandbox/events.js';
import type { NetGrants, SockoptOverrides } from '../sandbox/policy.js';
import { show } from '../validators.js';
import { CLOSE, MAX_FRAME, MAX_IO, WIRE_VERSION, type Ready } from './wire.js';
import { RelaySession, type SessionEnd } from './session.js';

export { CLOSE } from './wire.js';

/** What a page may do through the relay: the same grants as a Sandbox's. */
export interface RelayPolicy {
  net?: NetGrants;
  sockopts?: SockoptOverrides;
  /** Most sockets one session holds at once (default 64). */
  maxSockets?: number;
}

/** What a session may use up. */
export interface RelayLimits {
  /** Sessions at once (default 16): each holds a worker thread while it lives. */
  sessions?: number;
  /** A session's lifetime in ms (default 1 hour). */
  sessionMs?: number;
  /** Bytes of calls and results, both ways, per session (default 1 GiB). */
  bytes?: number;
  /** A page that answers no ping for this long (ms) is dropped (default 30 s). */
  idleMs?: number;
  /** Largest guest memory a session mirrors (default 256 MiB). */
  memoryBytes?: number;
  /** Time to send the hello after connecting (ms, default 10 s). */
  helloMs?: number;
}

/** What authenticate() is told about a page. */
export interface RelayHello {
  /** The token the page sent (null: none). */
  token: string | null;
  /** The page's Origin header. */
  origin: string | undefined;
  /** The connecting address. */
  address: string | undefined;
}

/** What the relay reports. */
export type RelayEvent =
  | { type: 'session'; id: number; state: 'open'; origin: string | undefined }
  | { type: 'session'; id: number; state: 'closed'; code: number; reason: string }
  | { type: 'refused'; origin: string | undefined; why: string }
  | { type: 'sandbox'; id: number; event: SandboxEvent };

export interface RelayOptions {
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Port (default 8787; 0: any free one). */
  port?: number;
  /** The policy every session runs under. Fixed here: nothing a page sends changes it. */
  policy: RelayPolicy;
  /** The token pages must send (compared in constant time). */
  token?: string;
  /** Or a callback that decides (it may be async). One of token and authenticate is required. */
  authenticate?: (hello: RelayHello) => boolean | Promise<boolean>;
  /** Page origins allowed to connect ('http://localhost:5173'), or '*' for any. Required. */
  origins: readonly string[] | '*';
  limits?: RelayLimits;
  onEvent?: (event: RelayEvent) => void;
  /** @internal The native layer (tests: a recording one). */
  native?: SandboxOptions['native'];
}

export interface Relay {
  /** ws://host:port */
  readonly url: string;
  readonly port: number;
  /** Sessions open now. */
  readonly sessions: number;
  /** Stops listening, ends every session (their sockets closed) and resolves when all have ended. */
  close(): Promise<void>;
}

export const DEFAULT_RELAY_LIMITS: Readonly<Required<RelayLimits>> = Object.freeze({
  sessions: 16,
  sessionMs: 60 * 60 * 1000,
  bytes: 1024 * 1024 * 1024,
  idleMs: 30_000,
  memoryBytes: 256 * 1024 * 1024,
  helloMs: 10_000,
});

function positive(v: unknown, what: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) throw new TypeError(`${what} must be an integer from 1 to ${max}, got ${show(v)}`);
  return v;
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Starts a relay and resolves once it listens. */
export async function createRelay(options: RelayOptions): Promise<Relay> {
  if (typeof options !== 'object' || options === null) throw new TypeError(`createRelay takes an options object, got ${show(options)}`);
  const { token, authenticate, origins, onEvent } = options;
  if (token === undefined && authenticate === undefined) throw new TypeError('createRelay needs a token or an authenticate callback: a page must prove it may use the relay');
  if (token !== undefined && (typeof token !== 'string' || token.length === 0)) throw new TypeError(`token must be a non-empty string, got ${show(token)}`);
  if (authenticate !== undefined && typeof authenticate !== 'function') throw new TypeError(`authenticate must be a function, got ${show(authenticate)}`);
  if (origins !== '*' && !(Array.isArray(origins) && origins.every((o) => typeof o === 'string' && /^https?:\/\/[^/]+$/.test(o)))) {
    throw new TypeError(`origins must be '*' or an array of origins such as 'http://localhost:5173' (scheme and host, no path), got ${show(origins)}`);
  }
  const limits = { ...DEFAULT_RELAY_LIMITS };
  for (const [k, v] of Object.entries(options.limits ?? {})) {
    if (!(k in limits)) throw new TypeError(`limits.${k} is not a relay limit (${Object.keys(limits).join(', ')})`);
    limits[k as keyof RelayLimits] = positive(v, `limits.${k}`);
  }
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8787;
  if (typeof host !== 'string') throw new TypeError(`host must be a string, got ${show(host)}`);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError(`port must be an integer from 0 to 65535, got ${show(port)}`);
  const policy = options.policy ?? {};
  const sandboxOptions: SandboxOptions = {
    net: policy.net, sockopts: policy.sockopts, maxSockets: policy.maxSockets,
    // A native layer of the caller's (a recording one, in tests) runs inline: no worker.
    ...(options.native ? { native: options.native, worker: false } : {}),
  };
  // Checks the policy now (a PolicyError names what is wrong), not at the first page.
  new Sandbox(sandboxOptions);
  const allowed = origins === '*' ? null : new Set(origins);
  const wantToken = token === undefined ? null : digest(token);
  const emit = (e: RelayEvent) => { try { onEvent?.(e); } catch { /* a failing listener must not end the relay */ } };

  const live = new Map<WebSocket, RelaySession | null>();
  const alive = new WeakMap<WebSocket, boolean>();
  let nextId = 1;
  let closing = false;

  const server = http.createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('sockbox relay: connect with a WebSocket (sockbox/browser)\n');
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME });

  const refuse = (socket: Duplex, status: string, origin: string | undefined, why: string) => {
    emit({ type: 'refused', origin, why });
    socket.end(`HTTP/1.1 ${status}\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\n${why}\n`);
  };

  server.on('upgrade', (req, socket, head) => {
    const origin = req.headers.origin;
    if (closing) return refuse(socket, '503 Service Unavailable', origin, 'the relay is closing');
    if (allowed && origin === undefined) return refuse(socket, '403 Forbidden', origin, 'no Origin header (the relay takes pages from its origins only)');
    if (allowed && !allowed.has(origin!)) {
      // A browser shows a page nothing of a refused upgrade (close 1006, like a relay that
      // is not there): open the WebSocket only to close it with the reason. No session,
      // no sandbox; nothing the page sends is read.
      const why = `origin ${origin} is not in the relay's origins`;
      emit({ type: 'refused', origin, why });
      wss.handleUpgrade(req, socket, head, (ws) => { ws.on('error', () => ws.terminate()); ws.close(CLOSE.ORIGIN, why); });
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws, origin, req.socket.remoteAddress));
  });

  function accept(ws: WebSocket, origin: string | undefined, address: string | undefined): void {
    if (live.size >= limits.sessions) {
      emit({ type: 'refused', origin, why: `the relay holds ${limits.sessions} sessions` });
      ws.close(CLOSE.BUSY, `the relay holds its limit of ${limits.sessions} sessions`);
      return;
    }
    live.set(ws, null);
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
    const helloTimer = setTimeout(() => ws.close(CLOSE.AUTH, 'no hello in time'), limits.helloMs);
    let session: RelaySession | undefined;
    /** Before the hello, while it is checked (a second frame then is a protocol error). */
    let checking = false;
    let lifeTimer: NodeJS.Timeout | undefined;
    ws.on('close', () => {
      clearTimeout(helloTimer);
      clearTimeout(lifeTimer);
      session?.end(CLOSE.GOING_AWAY, 'the page closed the connection');
      if (!session) live.delete(ws);
    });
    ws.on('error', () => ws.terminate());
    ws.on('message', (data: Buffer, binary: boolean) => {
      alive.set(ws, true);
      if (session) {
        if (!binary) return session.end(CLOSE.PROTOCOL, 'a text frame after the hello');
        void session.frame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        return;
      }
      if (binary || checking || ws.readyState !== ws.OPEN) return ws.close(CLOSE.PROTOCOL, 'the first frame must be the hello, alone');
      checking = true;
      void hello(data.toString('utf8')).then((ok) => {
        clearTimeout(helloTimer);
        if (ws.readyState !== ws.OPEN) { live.delete(ws); return; }
        if (ok !== true) { live.delete(ws); ws.close(ok === false ? CLOSE.AUTH : CLOSE.PROTOCOL, ok === false ? 'authentication failed' : ok); return; }
        const id = nextId++;
        session = new RelaySession(id, ws, {
          ...sandboxOptions,
          onEvent: onEvent ? (event) => emit({ type: 'sandbox', id, event }) : undefined,
        }, { bytes: limits.bytes, memoryBytes: limits.memoryBytes });
        live.set(ws, session);
        void session.closed.then((end) => {
          live.delete(ws);
          emit({ type: 'session', id, state: 'closed', code: end.code, reason: end.reason });
        });
        lifeTimer = setTimeout(() => session!.end(CLOSE.TIME, `the session's time (${limits.sessionMs} ms) ran out`), limits.sessionMs);
        session.open().then(() => {
          if (session!.ended) return;
          emit({ type: 'session', id, state: 'open', origin });
          const ready: Ready = { type: 'ready', version: WIRE_VERSION, maxIo: MAX_IO };
          ws.send(JSON.stringify(ready));
        }, (e) => session!.end(CLOSE.INTERNAL, `the relay could not start a session: ${(e as Error)?.message ?? String(e)}`));
      });
    });

    /** true: welcome; false: authentication failed; a string: the hello is malformed. */
    async function hello(text: string): Promise<true | false | string> {
      let msg: { type?: unknown; version?: unknown; token?: unknown };
      try { msg = JSON.parse(text) as typeof msg; } catch { return 'the hello is not JSON'; }
      if (typeof msg !== 'object' || msg === null || msg.type !== 'hello') return 'the first frame must be the hello';
      if (msg.version !== WIRE_VERSION) return `this relay speaks version ${WIRE_VERSION} of the wire, the page ${show(msg.version)}`;
      const given = typeof msg.token === 'string' ? msg.token : null;
      if (wantToken && (given === null || !timingSafeEqual(digest(given), wantToken))) return false;
      if (authenticate) {
        try {
          return (await authenticate({ token: given, origin, address })) === true;
        } catch {
          return false;
        }
      }
      return true;
    }
  }

  // Silence: a page that answers no ping within idleMs is dropped (its sockets closed).
  const heartbeat = setInterval(() => {
    for (const ws of live.keys()) {
      if (alive.get(ws) === false) { ws.terminate(); continue; }
      alive.set(ws, false);
      ws.ping();
    }
  }, Math.max(1, Math.floor(limits.idleMs / 2)));
  heartbeat.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => { server.off('error', reject); resolve(); });
  });
  const bound = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `ws://${urlHost}:${bound}`,
    port: bound,
    get sessions() { return live.size; },
    async close() {
      if (closing) return;
      closing = true;
      clearInterval(heartbeat);
      const ending: Promise<SessionEnd>[] = [];
      for (const [ws, s] of live) {
        if (s) {
          s.end(CLOSE.GOING_AWAY, 'the relay is closing');
          ending.push(s.closed);
        } else {
          ws.close(CLOSE.GOING_AWAY, 'the relay is closing');
        }
      }
      await Promise.all(ending);
      wss.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
