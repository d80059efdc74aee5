// A guest's life as its owner (the thread that made the Sandbox) sees it: one guest
// instance, run to its end (`run()`) or loaded and called (`instantiate()`), in a
// pooled worker thread. The owner moves output to the sinks, delivers events, answers
// calls (name lookups, host functions), feeds stdin, keeps the time, and kills. What
// inline.ts does on the calling thread, this does across threads.

import net from 'node:net';
import { MessageChannel, type Worker } from 'node:worker_threads';
import type { Readable } from 'node:stream';
import { native as realNative, getaddrinfoAsync, F_GETFL, F_SETFL, F_SETFD, FD_CLOEXEC, O_NONBLOCK, type NativeApi, type AddrinfoHints } from '../native/libc.js';
import type { CallArg, CallReturns, PreopenSpec, RunOutcome } from './runtime.js';
import type { FromWorker, OpenRequest, CallRequest } from './worker.js';
import type { Config } from './config.js';
import { SandboxError } from './config.js';
import type { SinkPort } from './sinks.js';
import type { FuncType, ModuleInfo } from './wasm-module.js';
import type { SandboxEvent } from './events.js';
import { MemoryContext, resultFor, type HostFunction } from './hostfn.js';
import { acquireWorker, releaseWorker, endWorker } from './pool.js';
import { controlBlock, signalKill, answerCall, outputTaken, EVENT_COST } from './channel.js';
import { hostCallArea, HostCallServer } from './hostcall.js';
import { sweepRegistry } from './registry.js';
import type { OpenListener } from './listeners.js';
import { show } from '../validators.js';

/** Guest output posted and not yet taken by the sinks before the guest's writes wait. */
export const OUTPUT_IN_FLIGHT = 1024 * 1024;
/** How long kill() lets a guest unwind before it terminates the worker (a guest spinning in pure wasm never calls in). */
export const KILL_GRACE_MS = 50;

/** How a kill came about; the first reason wins. */
export type KillReason = 'kill' | 'timeout' | 'output' | 'event' | 'host';

/** How a guest instance ended, as the owner saw it. */
export interface Ending {
  outcome: RunOutcome;
  reason?: KillReason;
  /** What failed: a sink's error, an event handler's, a host function's. */
  failure?: unknown;
}

/** What a session needs from its Sandbox. */
export interface SessionSpec {
  config: Config;
  sinks: { 1: SinkPort; 2: SinkPort };
  module: WebAssembly.Module;
  info: ModuleInfo;
  /** The Sandbox, for host functions' ctx.sandbox. */
  sandbox: unknown;
  mode: 'run' | 'plugin';
  maxSockets: number;
  /** The books of every native fd the run holds (the owner sweeps them at the end). */
  registry: Int32Array;
  /** Listeners the owner opened for the guest (already in the registry). */
  listeners: OpenListener[];
  /** A worker taken from the pool before the module compiled (it starts meanwhile); else one is taken now. */
  worker?: Worker;
}

/** A host function the guest imports, with its wasm type. */
export interface BoundHostFunction { module: string; name: string; fn: HostFunction; type: FuncType | undefined }

/** The host functions a module imports, in a fixed order (the worker's stubs use the index). */
export function hostFunctionsFor(spec: SessionSpec): BoundHostFunction[] {
  const out: BoundHostFunction[] = [];
  for (const imp of spec.info.imports) {
    const fn = spec.config.imports[imp.module]?.[imp.name];
    if (imp.kind === 'function' && typeof fn === 'function') out.push({ module: imp.module, name: imp.name, fn, type: imp.type });
  }
  return out;
}


/** The cancel pipe: kill() writes a byte; every blocking wait of the guest polls the read end. */
export function cancelPipe(libc: NativeApi): [number, number] {
  const pipe = new Int32Array(2);
  if (libc.pipe(pipe) < 0) throw new SandboxError(`pipe failed (errno ${libc.errno()})`, 'ERR_SOCKBOX_CRASHED');
  for (const fd of pipe) {
    libc.fcntl(fd, F_SETFL, libc.fcntl(fd, F_GETFL, 0) | O_NONBLOCK);
    libc.fcntl(fd, F_SETFD, FD_CLOEXEC);
  }
  return [pipe[0], pipe[1]];
}

/** The error a kill reason becomes. */
export function reasonError(reason: KillReason, failure?: unknown): SandboxError {
  const why = failure instanceof Error ? failure.message : String(failure);
  switch (reason) {
    case 'timeout': return new SandboxError('guest ran out of time (timeoutMs)', 'ERR_SOCKBOX_TIMEOUT');
    case 'output': return new SandboxError(`guest output could not be delivered: the sink failed: ${why}`, 'ERR_SOCKBOX_OUTPUT');
    case 'event': return new SandboxError(`the onEvent handler threw: ${why}`, 'ERR_SOCKBOX_EVENT');
    case 'host': return new SandboxError(why, 'ERR_SOCKBOX_HOST_FUNCTION');
    case 'kill': return new SandboxError('sandbox killed', 'ERR_SOCKBOX_KILLED');
  }
}

/**
 * The error of an ending, or null for a run that exited (its code is the result).
 * `inCall`: the guest ended during a plugin call (an exit there ends the plugin).
 */
export function endingError(end: Ending, inCall: boolean): SandboxError | null {
  const { outcome, reason, failure } = end;
  // An exit that beat a kill or a timeout stands; a sink, onEvent or host function that
  // failed fails the run whatever the guest did after.
  if (outcome.kind === 'exit' && (reason === undefined || reason === 'kill' || reason === 'timeout') && !inCall) return null;
  if (reason !== undefined) return reasonError(reason, failure);
  switch (outcome.kind) {
    case 'exit': return new SandboxError(`the guest exited with code ${outcome.exitCode} during the call; the plugin has ended`, 'ERR_SOCKBOX_GUEST_EXIT', outcome.exitCode);
    case 'killed': return reasonError('kill');
    case 'trap': return new SandboxError(`guest trapped: ${outcome.message}`, 'ERR_SOCKBOX_GUEST_TRAP');
    case 'host': return new SandboxError(`host function ${outcome.fn} failed: ${outcome.message}`, 'ERR_SOCKBOX_HOST_FUNCTION');
    case 'error': return new SandboxError(outcome.message, 'ERR_SOCKBOX_GUEST_INVALID');
    case 'closed': return new SandboxError('the plugin is closed', 'ERR_SOCKBOX_PLUGIN_CLOSED');
    case 'crashed': return new SandboxError(outcome.message, 'ERR_SOCKBOX_CRASHED');
  }
}

/** The event that reports an ending, or null (a closed plugin). */
export function endingEvent(end: Ending): SandboxEvent | null {
  const { outcome, reason } = end;
  if (outcome.kind === 'exit' && reason === undefined) return { type: 'exit', exitCode: outcome.exitCode };
  if (outcome.kind === 'trap') return { type: 'trap', message: outcome.message };
  if (outcome.kind === 'closed') return null;
  return { type: 'killed', reason: reason ?? (outcome.kind === 'host' ? 'host' : outcome.kind === 'error' ? 'invalid' : outcome.kind === 'crashed' ? 'crashed' : 'kill') };
}

/** Feeds a Readable into a pipe whose read end is the guest's fd 0 (backpressure: the pipe and the stream's). */
function feedStdin(readable: Readable, libc: NativeApi): { fd: number; stop(): void } {
  const [readFd, writeFd] = cancelPipe(libc);
  const sink = new net.Socket({ fd: writeFd, readable: false, writable: true });
  sink.on('error', () => {});
  readable.pipe(sink);
  return {
    fd: readFd,
    stop: () => {
      readable.unpipe(sink);
      sink.destroy();
      libc.close(readFd);
    },
  };
}

interface PendingCall { resolve: (v: unknown) => void; reject: (e: unknown) => void; timer?: NodeJS.Timeout }

/** A guest instance in a pooled worker, owned by this thread. */
export class WorkerSession {
  /** Settles once the guest is ready for calls (a plugin) or has ended (a run). */
  readonly ready: Promise<string[]>;
  /** Settles with how the guest ended. */
  readonly ended: Promise<Ending>;
  private resolveReady!: (exports: string[]) => void;
  private resolveEnded!: (e: Ending) => void;
  private readonly libc = realNative();
  private readonly ctl = controlBlock();
  private readonly registry: Int32Array;
  private readonly pipe: [number, number];
  private readonly channel = new MessageChannel();
  private readonly worker: Worker;
  private readonly hostFns: BoundHostFunction[];
  private readonly hostArea: SharedArrayBuffer;
  private hostServer: HostCallServer | undefined;
  private readonly stdin: { fd: number; stop(): void } | undefined;
  private readonly unwatch: (() => void)[] = [];
  private memory: WebAssembly.Memory | undefined;
  private outcome: RunOutcome | undefined;
  private reason: KillReason | undefined;
  private failure: unknown;
  private terminateTimer: NodeJS.Timeout | undefined;
  private runTimer: NodeJS.Timeout | undefined;
  private terminating = false;
  private done = false;
  /** Output chunks (and events) handed to the host and not yet taken. */
  private pendingSinks = 0;
  private nextCall = 1;
  private readonly calls = new Map<number, PendingCall>();

  constructor(private readonly spec: SessionSpec) {
    this.ready = new Promise((r) => { this.resolveReady = r; });
    this.ended = new Promise((r) => { this.resolveEnded = r; });
    const cfg = spec.config;
    this.registry = spec.registry;
    this.pipe = cancelPipe(this.libc);
    this.hostFns = hostFunctionsFor(spec);
    this.hostArea = hostCallArea();
    if (this.hostFns.length > 0) this.hostServer = new HostCallServer(this.hostArea, this.ctl, (i, args) => this.runHost(i, args));
    this.stdin = cfg.stdin instanceof Uint8Array ? undefined : feedStdin(cfg.stdin, this.libc);
    const onSinkError = (err: unknown) => { this.failure ??= err; this.kill('output'); };
    this.unwatch.push(spec.sinks[1].watch(onSinkError), spec.sinks[2].watch(onSinkError));
    this.worker = spec.worker ?? acquireWorker();
    this.worker.on('message', this.onMessage);
    this.worker.on('error', this.onError);
    this.worker.on('exit', this.onExit);
  }

  /** Starts the guest in the worker (a run to its end, a plugin to its first call). */
  begin(): void {
    const spec = this.spec;
    const cfg = spec.config;
    const request: OpenRequest = {
      type: 'open', mode: spec.mode, module: spec.module, args: cfg.args, env: cfg.env, preopens: cfg.preopens as PreopenSpec[],
      policy: cfg.policy, limits: { fileBytes: cfg.limits.fileBytes, outputBytes: cfg.limits.outputBytes, openFiles: cfg.limits.openFiles },
      confine: confineMode(), outputInFlight: OUTPUT_IN_FLIGHT,
      stdin: this.stdin ? this.stdin.fd : (cfg.stdin as Uint8Array),
      events: cfg.onEvent !== undefined,
      hostImports: this.hostFns.map(({ module, name, type }) => ({ module, name, results: type?.results.length ?? 0 })),
      hostArea: this.hostArea,
      cancelFd: this.pipe[0], ctl: this.ctl, registry: this.registry, replies: this.channel.port2,
      listeners: spec.listeners,
    };
    this.worker.postMessage(request, [this.channel.port2]);
    // A run's whole life, or a plugin's start-up, is under timeoutMs.
    if (cfg.timeoutMs !== undefined) this.runTimer = setTimeout(() => this.kill('timeout'), cfg.timeoutMs);
  }

  private crash: Error | undefined;
  private readonly onError = (e: Error) => { this.crash = e; };
  private readonly onExit = () => this.finish(false);

  private readonly onMessage = (m: FromWorker) => {
    switch (m.type) {
      case 'out': return this.deliver(m.chunk.length, (done) => this.spec.sinks[m.stream].write(m.chunk, done));
      case 'event': return this.deliver(EVENT_COST, (done) => {
        try {
          this.spec.config.onEvent?.(m.event);
          done();
        } catch (e) {
          this.failure ??= e;
          this.kill('event');
          done();
        }
      });
      case 'call': return void this.answer(m.kind, m.payload).then(
        (a) => { if (!this.done) answerCall(this.ctl, this.channel.port1, a); },
        () => { if (!this.done) answerCall(this.ctl, this.channel.port1, null); },
      );
      case 'memory': this.memory = m.memory; return;
      case 'opened':
        if (this.runTimer) { clearTimeout(this.runTimer); this.runTimer = undefined; }
        this.resolveReady(m.exports);
        return;
      case 'result': {
        const p = this.calls.get(m.id);
        if (!p) return;
        this.calls.delete(m.id);
        if (p.timer) clearTimeout(p.timer);
        if (m.ok) p.resolve(m.value);
        else p.reject(new TypeError(m.usage));
        return;
      }
      case 'ready': return;
      case 'outcome':
        this.outcome = m.outcome;
        // Settles once every chunk of output has been taken by its sink (or at a kill).
        if (this.pendingSinks === 0 || this.reason) this.finish(true);
        return;
    }
  };

  /** Hands something to the host (a sink, onEvent); the guest's writes wait until it is taken. */
  private deliver(bytes: number, give: (done: (err?: unknown) => void) => void): void {
    let taken = false;
    this.pendingSinks++;
    const take = (err?: unknown) => {
      if (taken) return;
      taken = true;
      this.pendingSinks--;
      outputTaken(this.ctl, bytes);
      if (err !== undefined && err !== null) { this.failure ??= err; this.kill('output'); }
      if (this.pendingSinks === 0 && this.outcome && !this.done) this.finish(true);
    };
    if (this.reason) { take(); return; }
    try {
      give(take);
    } catch (e) {
      take(e ?? new Error('the sink threw'));
    }
  }

  /** Answers a call from the guest's thread: a name lookup (libuv's pool) or a host function. */
  private async answer(kind: string, payload: unknown): Promise<unknown> {
    if (kind === 'lookup') {
      const p = payload as { node: string | null; service: string | null; hints: AddrinfoHints };
      return getaddrinfoAsync(p.node, p.service, p.hints);
    }
    if (kind === 'host') {
      const { i, args } = payload as { i: number; args: (number | bigint)[] };
      try {
        return { value: await this.runHost(i, args) };
      } catch (e) {
        return { error: (e as Error).message };
      }
    }
    throw new Error(`unknown call '${kind}'`);
  }

  /**
   * Runs host function `i` with the guest's arguments: its result converted for the
   * import's type, or a rejection whose message the guest's failure carries (the run
   * then ends with ERR_SOCKBOX_HOST_FUNCTION).
   */
  private async runHost(i: number, args: (number | bigint)[]): Promise<unknown> {
    const h = this.hostFns[i];
    const ctx = new MemoryContext(this.spec.sandbox, h.module, h.name, () => this.memory);
    try {
      return resultFor(h.type, await h.fn(ctx, ...args));
    } catch (e) {
      const message = e instanceof Error ? e.message : `threw ${show(e)}`;
      this.failure ??= new Error(`host function ${h.module}.${h.name} failed: ${message}`);
      this.kill('host');
      throw new Error(message);
    } finally {
      ctx.end();
    }
  }

  /**
   * Calls a plugin's export (one at a time: the caller queues). Resolves with its
   * result; rejects with a SandboxError when the call ends the plugin, a TypeError when
   * the call itself was wrong (the plugin lives on).
   */
  call(name: string, args: CallArg[], returns: CallReturns, funcType: FuncType | undefined): Promise<unknown> {
    if (this.done) return Promise.reject(new SandboxError('the plugin is closed', 'ERR_SOCKBOX_PLUGIN_CLOSED'));
    const id = this.nextCall++;
    return new Promise((resolve, reject) => {
      const p: PendingCall = { resolve, reject };
      const t = this.spec.config.timeoutMs;
      if (t !== undefined) p.timer = setTimeout(() => this.kill('timeout'), t);
      this.calls.set(id, p);
      const req: CallRequest = { type: 'call', id, name, args, returns, funcType };
      this.worker.postMessage(req);
    });
  }

  /** Closes a plugin: the guest's fds are closed and the worker goes back to the pool. */
  close(): Promise<Ending> {
    if (!this.done) this.worker.postMessage({ type: 'close' });
    return this.ended;
  }

  /** Ends the guest now (see Sandbox.kill). */
  kill(why: KillReason): void {
    if (this.done) return;
    this.reason ??= why;
    if (this.outcome) { this.finish(true); return; }
    signalKill(this.ctl);
    this.libc.write(this.pipe[1], new Uint8Array([1]), 1);
    this.terminateTimer ??= setTimeout(() => {
      this.terminating = true;
      endWorker(this.worker);
    }, KILL_GRACE_MS);
  }

  private finish(reuse: boolean): void {
    if (this.done) return;
    this.done = true;
    if (this.terminateTimer) clearTimeout(this.terminateTimer);
    if (this.runTimer) clearTimeout(this.runTimer);
    this.worker.off('message', this.onMessage);
    this.worker.off('exit', this.onExit);
    this.worker.off('error', this.onError);
    // A worker that died or was terminated may leave fds behind: close what the
    // registry lists, lingers cleared first (a close here never blocks this thread).
    sweepRegistry(this.registry, this.libc);
    this.libc.close(this.pipe[0]);
    this.libc.close(this.pipe[1]);
    this.stdin?.stop();
    this.hostServer?.close();
    this.channel.port1.close();
    for (const u of this.unwatch) u();
    // A worker told to end may still deliver its outcome: never pool it again.
    if (reuse && !this.terminating) releaseWorker(this.worker);
    else if (!this.terminating) endWorker(this.worker);
    const outcome: RunOutcome = this.outcome
      ?? (this.reason ? { kind: 'killed' } : { kind: 'crashed', message: `sandbox worker died: ${this.crash?.message ?? 'no outcome'}` });
    const ending: Ending = { outcome, reason: this.reason, failure: this.failure };
    const err = endingError(ending, true) ?? new SandboxError('the plugin has ended', 'ERR_SOCKBOX_PLUGIN_CLOSED');
    for (const p of this.calls.values()) {
      if (p.timer) clearTimeout(p.timer);
      p.reject(err);
    }
    this.calls.clear();
    const event = endingEvent(ending);
    if (event && this.spec.config.onEvent) {
      try { this.spec.config.onEvent(event); } catch { /* the run is over; its result stands */ }
    }
    this.resolveReady([]);
    this.resolveEnded(ending);
  }
}

/** The sandbox's confinement mode: SOCKBOX_CONFINE=walk forces the portable walk (tests run both). */
export function confineMode(): 'auto' | 'openat2' | 'walk' {
  const m = process.env.SOCKBOX_CONFINE;
  return m === 'walk' || m === 'openat2' ? m : 'auto';
}
