// One page's session on the relay: a sockbox Sandbox holding the shadow guest
// (shadow.ts) as a loaded plugin, and the calls the page forwards, one at a time. The
// page is treated exactly as an untrusted guest is: what it sends are the arguments and
// memory bytes of import calls, which the sandbox's import layer checks as it checks a
// guest's (bounds, fds, policy before any syscall). Nothing the page sends reaches the
// policy, which the relay fixed when it made the Sandbox.

import type { WebSocket } from 'ws';
import { Sandbox, type SandboxOptions } from '../sandbox/sandbox.js';
import type { Plugin } from '../sandbox/plugin.js';
import type { HostCallContext, MemoryContext } from '../sandbox/hostfn.js';
import { CALLS, CLOSE, decodeCall, encodeResult, type Region } from './wire.js';
import { planCall, type Mem } from './regions.js';
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

/** The shadow memory as regions.ts reads it (views, not copies: they are copied into the frame). */
function view(memory: WebAssembly.Memory): Mem {
  const u8 = new Uint8Array(memory.buffer);
  return { size: u8.length, read: (p, l) => u8.subarray(p, p + l) };
}

export class RelaySession {
  private readonly sandbox: Sandbox;
  private plugin: Plugin | undefined;
  private opening: Promise<void> | undefined;
  private busy = false;
  /** The shadow guest's memory (shared with its thread), from relay.attach. */
  private memory: WebAssembly.Memory | undefined;
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
      imports: { relay: { attach: (ctx) => this.attach(ctx) } },
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
    await this.plugin.call('attach');
    if (!this.memory) throw new Error('the shadow guest has no memory');
    if (this.ending) this.sandbox.kill();
  }

  /** Handles one binary frame from the page. Never throws: a failure ends the session. */
  async frame(data: Uint8Array): Promise<void> {
    if (this.ending) return;
    if (this.busy) return this.end(CLOSE.PROTOCOL, 'a call came before the result of the one before');
    if (!this.plugin || !this.memory) return this.end(CLOSE.PROTOCOL, 'a call came before the relay said ready');
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
      // The shadow guest waits between calls: its memory is ours until the call.
      const memory = this.memory!;
      const u8 = new Uint8Array(memory.buffer);
      const size = Math.min(u8.length, call.memSize >>> 0);
      for (const r of call.regions) {
        if (r.ptr + r.bytes.length > size) return this.end(CLOSE.PROTOCOL, 'a region lies outside the guest memory the call declared');
      }
      for (const r of call.regions) u8.set(r.bytes, r.ptr);
      const plan = planCall(CALLS[call.call], call.args, view(memory));
      const errno = Number(await this.plugin!.call(trampoline(call.call), ...call.args));
      const after = view(memory);
      const out: Region[] = errno === 0 ? plan.outputs(after).map(([ptr, len]) => ({ ptr, bytes: after.read(ptr, len) })) : [];
      const reply = encodeResult(call.id, errno, out);
      if (!this.count(reply.length)) return;
      this.ws.send(reply);
    } catch (e) {
      this.end(CLOSE.INTERNAL, `the session's sandbox ended: ${(e as Error)?.message ?? String(e)}`);
    } finally {
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

  /** relay.attach: takes hold of the shadow guest's memory (the context's, for the guest's life). */
  private attach(ctx: HostCallContext): void {
    this.memory = (ctx as MemoryContext).memoryObject();
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
