// BrowserSandbox: runs a WASI guest in a web page, with real sockets through a policy
// relay (host/relay/). The guest runs in a Web Worker (worker.ts) with the browser WASI
// shim; every socket call is forwarded over one WebSocket, held by a second worker (the
// link, link.ts: the page's own thread is off the calls' path, so a busy page does not
// slow them), to the relay, which runs Node's own import layer (policy, checks, syscall)
// and answers with the errno and the bytes the import wrote. The guest's worker blocks in
// Atomics.wait meanwhile, so the page needs SharedArrayBuffer: cross-origin isolation
// (COOP same-origin + COEP require-corp or credentialless). This thread starts both
// workers, forwards the guest's output and ends the run.
//
//   const sb = new BrowserSandbox({ relay: 'ws://127.0.0.1:8787', token, args: ['tour'],
//     stdout: (text) => out.append(text) });
//   const { exitCode } = await sb.run(await (await fetch('tour.wasm')).arrayBuffer());

import { encodeHello, CLOSE } from '../relay/wire.js';
import { replySlot, fail } from './channel.js';
import { SandboxError } from './errors.js';
import type { StartMessage, WorkerMessage } from './worker.js';
import type { LinkMessage, LinkReport } from './link.js';

export { SandboxError, type BrowserSandboxErrorCode } from './errors.js';

/** Output of the guest: the text (UTF-8, decoded across chunks) and the bytes it wrote. */
export type OutputCallback = (text: string, bytes: Uint8Array) => void;

export interface BrowserSandboxOptions {
  /** The relay's WebSocket URL: 'ws://127.0.0.1:8787' (wss:// off loopback). */
  relay: string;
  /** The relay's token, sent in the hello frame (a relay started with a token refuses a page without it: 4401). */
  token?: string;
  /** argv as the guest sees it; args[0] is the program name. Default ['guest']. */
  args?: string[];
  /** Environment variables for the guest. Default none. */
  env?: Record<string, string>;
  /** Guest stdout. Default: console.log, line by line. */
  stdout?: OutputCallback;
  /** Guest stderr. Default: console.error, line by line. */
  stderr?: OutputCallback;
  /** Where the worker bundle is. Default: sockbox-browser-worker.js beside this module. */
  workerUrl?: string | URL;
}

const isolationHelp =
  'sockbox in the browser needs SharedArrayBuffer, which a page has only when it is cross-origin isolated: ' +
  'serve it with the headers "Cross-Origin-Opener-Policy: same-origin" and ' +
  '"Cross-Origin-Embedder-Policy: require-corp" (or "credentialless")';

/** What each close code of the relay means, for the error a page sees. */
const CLOSE_TEXT: Record<number, string> = {
  [CLOSE.GOING_AWAY]: 'the relay is shutting down',
  [CLOSE.PROTOCOL]: 'the relay did not understand the page (protocol error)',
  [CLOSE.AUTH]: 'the relay refused the token',
  [CLOSE.ORIGIN]: "the relay does not take pages from this page's origin",
  [CLOSE.TIME]: 'the session ran out of time',
  [CLOSE.BYTES]: 'the session moved more bytes than the relay allows',
  [CLOSE.BUSY]: 'the relay holds as many sessions as it allows',
  [CLOSE.IDLE]: 'the session was idle too long',
  [CLOSE.INTERNAL]: 'the relay failed',
};

function relayError(url: string, code: number, reason: string, ready: boolean): SandboxError {
  let message: string;
  if (code === 1006 && !ready) {
    // The browser tells a page nothing about a refused handshake (an Origin outside the
    // relay's list, a wrong path) nor about a relay that is not there.
    message = `could not open a session with the relay at ${url} (close 1006, no reason given): it is not running there, ` +
      `or it refused the connection (is this page's origin, ${globalThis.location?.origin ?? 'unknown'}, in the relay's origins?)`;
  } else {
    const what = CLOSE_TEXT[code] ?? (ready ? 'the relay closed the session' : 'the relay refused the session');
    message = `${what} (close ${code}${reason ? `: ${reason}` : ''})`;
  }
  return new SandboxError(message, 'ERR_SOCKBOX_RELAY', { closeCode: code, reason });
}

/** A line-buffered console sink (the default stdout and stderr). */
function consoleSink(log: (line: string) => void): OutputCallback & { flush(): void } {
  let pending = '';
  const write = (text: string): void => {
    pending += text;
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const l of lines) log(l);
  };
  const flush = (): void => {
    if (pending) log(pending);
    pending = '';
  };
  return Object.assign(write, { flush });
}

interface Active {
  kill(): void;
}

export class BrowserSandbox {
  private readonly relay: string;
  private readonly token: string | undefined;
  private readonly args: string[];
  private readonly env: string[];
  private readonly stdout: OutputCallback & { flush?(): void };
  private readonly stderr: OutputCallback & { flush?(): void };
  private readonly workerUrl: string | URL | undefined;
  private active: Active | undefined;

  constructor(options: BrowserSandboxOptions) {
    if (globalThis.crossOriginIsolated !== true || typeof SharedArrayBuffer !== 'function') {
      throw new SandboxError(isolationHelp, 'ERR_SOCKBOX_NOT_ISOLATED');
    }
    if (typeof options !== 'object' || options === null) throw new TypeError('BrowserSandbox takes an options object: { relay: "ws://..." }');
    const { relay, token, args, env, stdout, stderr, workerUrl } = options;
    if (typeof relay !== 'string' || !/^wss?:\/\//.test(relay)) throw new TypeError(`relay must be a ws:// or wss:// URL, got ${String(relay)}`);
    if (token !== undefined && typeof token !== 'string') throw new TypeError('token must be a string');
    if (args !== undefined && (!Array.isArray(args) || !args.every((a) => typeof a === 'string'))) throw new TypeError('args must be an array of strings');
    if (env !== undefined && (typeof env !== 'object' || env === null || !Object.values(env).every((v) => typeof v === 'string'))) {
      throw new TypeError('env must be an object of strings');
    }
    for (const [k, f] of [['stdout', stdout], ['stderr', stderr]] as const) {
      if (f !== undefined && typeof f !== 'function') throw new TypeError(`${k} must be a function (text, bytes) => void`);
    }
    this.relay = relay;
    this.token = token;
    this.args = args ? [...args] : ['guest'];
    this.env = Object.entries(env ?? {}).map(([k, v]) => `${k}=${v}`);
    this.stdout = stdout ?? consoleSink((l) => console.log(l));
    this.stderr = stderr ?? consoleSink((l) => console.error(l));
    this.workerUrl = workerUrl;
  }

  /** True while a guest runs. */
  get running(): boolean {
    return this.active !== undefined;
  }

  /**
   * Runs a WASI command module to its end and resolves with its exit code (all its
   * output delivered). Rejects with a SandboxError: ERR_SOCKBOX_KILLED (kill()),
   * ERR_SOCKBOX_GUEST_TRAP, ERR_SOCKBOX_GUEST_INVALID (not wasm, an import this sandbox
   * does not provide), ERR_SOCKBOX_RELAY (the relay refused the session or closed it:
   * `closeCode` and `reason` say why), ERR_SOCKBOX_CRASHED (the worker failed to load).
   */
  async run(wasm: BufferSource | WebAssembly.Module): Promise<{ exitCode: number }> {
    if (this.active) throw new SandboxError('this sandbox is already running a guest', 'ERR_SOCKBOX_BUSY');
    let killed = false;
    this.active = { kill: () => { killed = true; } };
    try {
      let module: WebAssembly.Module;
      if (wasm instanceof WebAssembly.Module) module = wasm;
      else {
        if (!(wasm instanceof ArrayBuffer) && !ArrayBuffer.isView(wasm)) {
          throw new TypeError('wasm must be an ArrayBuffer, a typed array or a WebAssembly.Module');
        }
        try {
          module = await WebAssembly.compile(wasm);
        } catch (e) {
          throw new SandboxError(`not a valid wasm module: ${(e as Error).message}`, 'ERR_SOCKBOX_GUEST_INVALID');
        }
      }
      if (killed) throw new SandboxError('sandbox killed', 'ERR_SOCKBOX_KILLED');
      return await this.session(module, () => killed);
    } finally {
      this.stdout.flush?.();
      this.stderr.flush?.();
      this.active = undefined;
    }
  }

  /** Ends the running guest, whatever call it is blocked in: run() rejects with ERR_SOCKBOX_KILLED, the relay closes its sockets. */
  kill(): void {
    this.active?.kill();
  }

  /** A worker from the bundle: the guest's, or the link (the same file, told its role by its first message). */
  private worker(name: string): Worker {
    return this.workerUrl !== undefined
      ? new Worker(this.workerUrl, { type: 'module', name })
      : new Worker(new URL('./sockbox-browser-worker.js', import.meta.url), { type: 'module', name });
  }

  private session(module: WebAssembly.Module, killedEarly: () => boolean): Promise<{ exitCode: number }> {
    return new Promise((resolve, reject) => {
      const url = this.relay;
      const slot = replySlot();
      const calls = new MessageChannel(); // guest -> link: call frames, off the page's thread
      const decoders = { 1: new TextDecoder(), 2: new TextDecoder() };
      const sinks = { 1: this.stdout, 2: this.stderr };
      let guest: Worker | undefined;
      let link: Worker | undefined;
      let ready = false;
      let done = false;

      const finish = (outcome: { exitCode: number } | SandboxError): void => {
        if (done) return;
        done = true;
        fail(slot);
        guest?.terminate();
        // The link closes the WebSocket, which ends the session: the relay kills it and
        // closes its sockets. (The link worker ends itself once the WebSocket is closed.)
        link?.postMessage({ type: 'close' });
        for (const fd of [1, 2] as const) {
          const rest = decoders[fd].decode();
          if (rest) sinks[fd](rest, new Uint8Array(0));
        }
        if (outcome instanceof SandboxError) reject(outcome);
        else resolve(outcome);
      };
      this.active = { kill: () => finish(new SandboxError('sandbox killed', 'ERR_SOCKBOX_KILLED')) };
      if (killedEarly()) return finish(new SandboxError('sandbox killed', 'ERR_SOCKBOX_KILLED'));

      const crashed = (who: string) => (e: ErrorEvent) => {
        e.preventDefault();
        finish(new SandboxError(`the ${who} worker failed: ${e.message || 'its script did not load'}`, 'ERR_SOCKBOX_CRASHED'));
      };

      const onGuest = (m: WorkerMessage): void => {
        if (done) return;
        switch (m.type) {
          case 'out': {
            const text = decoders[m.fd].decode(m.bytes, { stream: true });
            try {
              sinks[m.fd](text, m.bytes);
            } catch {
              // A sink that throws does not stop the guest.
            }
            return;
          }
          case 'exit':
            return finish({ exitCode: m.exitCode });
          case 'trap':
            return finish(new SandboxError(`guest trapped: ${m.message}`, 'ERR_SOCKBOX_GUEST_TRAP'));
          case 'invalid':
            return finish(new SandboxError(m.message, 'ERR_SOCKBOX_GUEST_INVALID'));
        }
      };

      const startGuest = (): void => {
        try {
          guest = this.worker('sockbox guest');
        } catch (e) {
          return finish(new SandboxError(`the guest's worker could not start: ${(e as Error).message}`, 'ERR_SOCKBOX_CRASHED'));
        }
        guest.onmessage = (e: MessageEvent<WorkerMessage>) => onGuest(e.data);
        guest.onerror = crashed("guest's");
        const start: StartMessage = { type: 'start', module, args: this.args, env: this.env, slot, port: calls.port2 };
        guest.postMessage(start, [calls.port2]);
      };

      const onLink = (r: LinkReport): void => {
        if (done) return;
        switch (r.type) {
          case 'ready':
            ready = true;
            return startGuest();
          case 'closed':
            return finish(relayError(url, r.code, r.reason, ready));
          case 'broken':
            return finish(new SandboxError(r.message, 'ERR_SOCKBOX_RELAY', { closeCode: 0, reason: '' }));
        }
      };

      try {
        link = this.worker('sockbox relay link');
      } catch (e) {
        return finish(new SandboxError(`the relay link's worker could not start: ${(e as Error).message}`, 'ERR_SOCKBOX_CRASHED'));
      }
      link.onmessage = (e: MessageEvent<LinkReport>) => onLink(e.data);
      link.onerror = crashed("relay link's");
      const open: LinkMessage = { type: 'link', url, hello: encodeHello(this.token), slot, port: calls.port1 };
      link.postMessage(open, [calls.port1]);
    });
  }
}
