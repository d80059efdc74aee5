// One page's session on the relay: a sockbox Sandbox holding the shadow guest
// (shadow.ts) as a loaded plugin, and the calls the page forwards, one at a time. The
// page is treated exactly as an untrusted guest is: what it sends are the arguments and
// memory bytes of import calls, which the sandbox's import layer checks as it checks a
// guest's (bounds, fds, policy before any syscall). Nothing the page sends reaches the
// policy, which the relay fixed when it made the Sandbox.

import type { WebSocket } from 'ws';
import { Sandbox, type SandboxOptions } from '../sandbox/sandbox.js';
import type { Plugin } from '../sandbox/plugin.js';
import type { HostCallContext } from '../sandbox/hostfn.js';
import { CALLS, CLOSE, decodeCall, encodeResult, type Call, type Region } from './wire.js';
import { planCall, type Mem, type Plan } from './regions.js';
import { shadowModule, trampoline } from './shadow.js';

const PAGE = 65536;

/** What a session may use up. */
export interface SessionLimits {
  /** Bytes of calls and results together, both ways. */
  bytes: number;
  /** The shadow memory's cap (the page's guest memory may not be larger). */
  memoryBytes: number;
}

/** Why a session ended, as the relay reports it. */
export interface SessionEnd {
  code: number;
  reason: string;
}

/** Shadow modules, compiled once per memory cap (a Sandbox caps memory at compile time). */
const compiled = new Map<number, Promise<WebAssembly.Module>>();
let shadowBytes: Uint8Array | undefined;

const view = (ctx: HostCallContext): Mem => ({ size: ctx.memorySize, read: (p, l) => ctx.read(p, l) });

export class RelaySession {
  private readonly sandbox: Sandbox;
  private plugin: Plugin | undefined;
  private opening: Promise<void> | undefined;
  private busy = false;
  private current: Call | undefined;
  private plan: Plan | undefined;
  private out: Region[] = [];
  /** A region of the current call fell outside the shadow memory. */
  private outside = false;
  private pages = 1;
  private moved = 0;
  private ending: SessionEnd | undefined;
  /** Settles when the sandbox has ended and every socket of the session is closed. */
  readonly closed: Promise<SessionEnd>;
  private resolveClosed!: (e: SessionEnd) => void;

  constructor(
    readonly id: number,
    private readonly ws: WebSocket,
    options: SandboxOptions,
    private readonly limits: SessionLimits,
  ) {
    this.closed = new Promise((r) => { this.resolveClosed = r; });
    this.sandbox = new Sandbox({
      ...options,
      limits: { ...options.limits, memoryBytes: limits.memoryBytes },
      imports: { relay: { in: (ctx) => this.enter(ctx), out: (ctx, r) => this.leave(ctx, Number(r)) } },
    });
  }

  /** Loads the shadow guest. Rejects when the sandbox cannot start it. */
  open(): Promise<void> {
    return this.opening ??= this.load();
  }

  private async load(): Promise<void> {
    let module = compiled.get(this.limits.memoryBytes);
    if (!module) {
      module = this.sandbox.compile(shadowBytes ??= shadowModule());
      compiled.set(this.limits.memoryBytes, module);
      module.catch(() => compiled.delete(this.limits.memoryBytes));
    }
    this.plugin = await this.sandbox.instantiate(await module);
    if (this.ending) this.sandbox.kill();
  }

  /** Handles one binary frame from the page. Never throws: a failure ends the session. */
  async frame(data: Uint8Array): Promise<void> {
    if (this.ending) return;
    if (this.busy) return this.end(CLOSE.PROTOCOL, 'a call came before the result of the one before');
    const call = decodeCall(data);
    if (call === null) return this.end(CLOSE.PROTOCOL, 'not a call frame');
    if (!this.count(data.length)) return;
    this.busy = true;
    try {
      const need = Math.ceil((call.memSize >>> 0) / PAGE);
      if (need > this.pages) {
        if (need * PAGE > this.limits.memoryBytes) {
          return this.end(CLOSE.BYTES, `the guest's memory (${call.memSize} bytes) is over the relay's limit (${this.limits.memoryBytes} bytes)`);
        }
        const was = Number(await this.plugin!.call('grow', need - this.pages));
        if (was < 0) return this.end(CLOSE.BYTES, `the relay could not grow its shadow memory to ${call.memSize} bytes`);
        this.pages = need;
      }
      this.current = call;
      this.out = [];
      this.outside = false;
      const errno = Number(await this.plugin!.call(trampoline(call.call), ...call.args));
      if (this.outside) return this.end(CLOSE.PROTOCOL, 'a region lies outside the guest memory the call declared');
      const reply = encodeResult(call.id, errno, this.out);
      if (!this.count(reply.length)) return;
      this.ws.send(reply);
    } catch (e) {
      this.end(CLOSE.INTERNAL, `the session's sandbox ended: ${(e as Error)?.message ?? String(e)}`);
    } finally {
      this.current = undefined;
      this.plan = undefined;
      this.out = [];
      this.busy = false;
    }
  }

  /** Counts bytes against the session's budget; false (and the session ends) past it. */
  private count(n: number): boolean {
    this.moved += n;
    if (this.moved <= this.limits.bytes) return true;
    this.end(CLOSE.BYTES, `the session moved more than its ${this.limits.bytes} bytes`);
    return false;
  }

  /** relay.in: the call's input regions into the shadow memory, then the plan of its outputs. */
  private enter(ctx: HostCallContext): void {
    const call = this.current;
    if (!call) return;
    const size = ctx.memorySize;
    for (const r of call.regions) {
      if (r.ptr + r.bytes.length > Math.min(size, call.memSize >>> 0)) { this.outside = true; continue; }
      ctx.write(r.ptr, r.bytes);
    }
    this.plan = planCall(CALLS[call.call], call.args, view(ctx));
  }

  /** relay.out: after a call that succeeded, the bytes it wrote. */
  private leave(ctx: HostCallContext, errno: number): void {
    if (errno !== 0 || !this.plan) return;
    this.out = this.plan.outputs(view(ctx)).map(([ptr, len]) => ({ ptr, bytes: ctx.read(ptr, len) }));
  }

  /**
   * Ends the session: the WebSocket is closed with `code` and `reason` (unless it is
   * closed already), the sandbox is killed, which wakes a call blocked in any wait and
   * closes every socket the session holds. Idempotent: the first reason stands.
   */
  end(code: number, reason: string): void {
    if (this.ending) return;
    this.ending = { code, reason };
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close(code, reason.slice(0, 120));
    this.sandbox.kill();
    const done = (this.opening ?? Promise.resolve()).catch(() => {}).then(() => this.plugin?.close().catch(() => {}));
    void done.then(() => this.resolveClosed(this.ending!));
  }

  /** Set once open() is called and the sandbox may end on its own. */
  get ended(): boolean {
    return this.ending !== undefined;
  }
}
