// A guest instance on the calling thread (`worker: false`): the same life as a worker
// session (session.ts), with the guest's code inside a vm guard that a timeout, Ctrl-C
// or a kill from the guest's own callbacks (a sink, onEvent, a host function) can stop
// even when the guest catches the unwind (interrupt.ts). Host functions run in place.

import { native as realNative } from '../native/libc.js';
import { GuestRun, type CallArg, type CallReturns, type RunOutcome } from './runtime.js';
import { SandboxError } from './config.js';
import { BytesStdin } from './stdio.js';
import { HostFailure, KillSignal } from './unwind.js';
import { runInterruptible, interruptCurrent } from './interrupt.js';
import { controlBlock, signalKill } from './channel.js';
import { sweepRegistry } from './registry.js';
import { MemoryContext, resultFor } from './hostfn.js';
import type { FuncType } from './wasm-module.js';
import type { SandboxEvent } from './events.js';
import {
  cancelPipe, confineMode, endingError, endingEvent, hostFunctionsFor, type Ending, type KillReason,
  type SessionSpec,
} from './session.js';
import { show } from '../validators.js';

/** A guest instance on this thread. */
export class InlineSession {
  readonly ready: Promise<string[]>;
  readonly ended: Promise<Ending>;
  private resolveEnded!: (e: Ending) => void;
  private readonly libc = realNative();
  private readonly ctl = controlBlock();
  private readonly registry: Int32Array;
  private readonly pipe: [number, number];
  private readonly run: GuestRun | undefined;
  private readonly unwatch: (() => void)[] = [];
  private reason: KillReason | undefined;
  private failure: unknown;
  private done = false;
  /** Output chunks with a sink that has not called back yet; a run waits for them after the guest ends. */
  private pending = 0;
  private drained: (() => void) | undefined;
  private memory: WebAssembly.Memory | undefined;
  /** Set while the guest's code runs (a kill then also stops it through V8). */
  private running = false;

  constructor(private readonly spec: SessionSpec) {
    this.ended = new Promise((r) => { this.resolveEnded = r; });
    const cfg = spec.config;
    this.registry = spec.registry;
    this.pipe = cancelPipe(this.libc);
    const onSinkError = (err: unknown) => { this.failure ??= err; this.reason ??= 'output'; this.kill('output'); };
    this.unwatch.push(spec.sinks[1].watch(onSinkError), spec.sinks[2].watch(onSinkError));
    const hostImports: Record<string, Record<string, (...args: (number | bigint)[]) => unknown>> = {};
    for (const h of hostFunctionsFor(spec)) {
      (hostImports[h.module] ??= {})[h.name] = (...args) => this.callHost(h.module, h.name, h.fn, h.type, args);
    }
    let run: GuestRun | undefined;
    try {
      run = new GuestRun(spec.module, {
        args: cfg.args, env: cfg.env, preopens: cfg.preopens, policy: cfg.policy,
        limits: { fileBytes: cfg.limits.fileBytes, outputBytes: cfg.limits.outputBytes, openFiles: cfg.limits.openFiles },
        confine: confineMode(),
        stdin: new BytesStdin(cfg.stdin as Uint8Array),
        output: { write: (stream, chunk) => this.output(stream, chunk) },
        native: cfg.native ?? this.libc,
        cancelFd: this.pipe[0], ctl: this.ctl, registry: this.registry,
        deadline: this.deadline(),
        events: cfg.onEvent ? (e) => this.event(e) : null,
        listeners: spec.listeners,
        hostImports,
        onMemory: (m) => { this.memory = m; },
      });
    } catch (e) {
      this.setupError = (e as Error)?.message ?? String(e);
    }
    this.run = run;
    this.ready = new Promise((r) => { this.resolveReady = r; });
  }

  private setupError: string | undefined;
  private resolveReady!: (exports: string[]) => void;

  /** Runs the guest (a run: to its end; a plugin: instantiated and initialized), on this thread, now. */
  begin(): void {
    const run = this.run;
    if (!run) {
      this.resolveReady([]);
      void this.end({ kind: 'error', message: this.setupError ?? 'the guest could not be set up' });
      return;
    }
    if (this.spec.mode === 'run') {
      const outcome = this.guard(() => run.start(), this.spec.config.timeoutMs);
      this.resolveReady([]);
      void this.end(outcome);
      return;
    }
    const failed = this.guard(() => run.instantiate() ?? run.initialize(), this.spec.config.timeoutMs);
    if (failed) {
      this.resolveReady([]);
      void this.end(failed);
    } else {
      this.resolveReady(run.exportedFunctions());
    }
  }

  /** The deadline of the guest code now starting (timeoutMs from now), for waits no timer can cut. */
  private deadline(): number | undefined {
    const t = this.spec.config.timeoutMs;
    return t === undefined ? undefined : performance.now() + t;
  }

  /** Runs guest code under the vm guard; a timeout or an interruption becomes a killed outcome. */
  private guard<T>(fn: () => T, timeoutMs: number | undefined): T | RunOutcome {
    this.running = true;
    try {
      const r = runInterruptible(fn, timeoutMs);
      // A wait that reached the deadline unwound the guest with the kill flag at 2.
      if (Atomics.load(this.ctl, 0) === 2) this.reason ??= 'timeout';
      if ('value' in r) return r.value;
      this.reason ??= r.interrupted === 'timeout' ? 'timeout' : 'kill';
      return { kind: 'killed' };
    } finally {
      this.running = false;
    }
  }

  /**
   * After a callback of the guest (a sink, onEvent, a host function) returns to us: if
   * it ended the run, stop the guest, even one that catches the unwind. Not from inside
   * kill(): the termination would cut the caller's own code short.
   */
  private afterCallback(): void {
    if (!this.reason) return;
    interruptCurrent();
    throw new KillSignal();
  }

  private output(stream: 1 | 2, chunk: Uint8Array): void {
    if (this.reason) throw new KillSignal();
    let taken = false;
    this.pending++;
    const take = (err?: unknown) => {
      if (taken) return;
      taken = true;
      if (err !== undefined && err !== null) { this.failure ??= err; this.reason ??= 'output'; this.kill('output'); }
      if (--this.pending === 0) this.drained?.();
    };
    try {
      this.spec.sinks[stream].write(chunk, take);
    } catch (e) {
      take(e ?? new Error('the sink threw'));
    }
    this.afterCallback();
  }

  private event(e: SandboxEvent): void {
    try {
      this.spec.config.onEvent?.(e);
    } catch (err) {
      this.failure ??= err;
      this.reason ??= 'event';
      this.kill('event');
    }
    // Events also come while the run is being closed (sockets closed at its end): only
    // guest code is stopped.
    if (this.running) this.afterCallback();
  }

  private callHost(module: string, name: string, fn: (...a: never[]) => unknown, type: FuncType | undefined, args: (number | bigint)[]): unknown {
    const ctx = new MemoryContext(this.spec.sandbox, module, name, () => this.memory);
    let value: unknown;
    try {
      const r = (fn as (...a: unknown[]) => unknown)(ctx, ...args);
      if (r !== null && typeof r === 'object' && typeof (r as Promise<unknown>).then === 'function') {
        (r as Promise<unknown>).catch(() => {});
        throw new TypeError('returned a promise: async host functions need worker mode (inline, the guest holds the thread)');
      }
      value = resultFor(type, r);
    } catch (e) {
      const message = e instanceof Error ? e.message : `threw ${show(e)}`;
      this.failure ??= new Error(`host function ${module}.${name} failed: ${message}`);
      this.reason ??= 'host';
      this.kill('host');
      interruptCurrent();
      throw new HostFailure(`${module}.${name}`, message);
    } finally {
      ctx.end();
    }
    this.afterCallback();
    return value;
  }

  call(name: string, args: CallArg[], returns: CallReturns, funcType: FuncType | undefined): Promise<unknown> {
    if (this.done || !this.run) return Promise.reject(new SandboxError('the plugin is closed', 'ERR_SOCKBOX_PLUGIN_CLOSED'));
    const run = this.run;
    run.sockets.deadline = this.deadline() ?? Infinity;
    const r = this.guard(() => run.call(name, args, returns, funcType), this.spec.config.timeoutMs);
    if ('kind' in (r as object)) return this.end(r as RunOutcome).then((end) => { throw endingError(end, true) ?? new SandboxError('the plugin has ended', 'ERR_SOCKBOX_PLUGIN_CLOSED'); });
    const res = r as { ok: boolean; value?: unknown; usage?: string; outcome?: RunOutcome };
    if (res.ok) return Promise.resolve(res.value);
    if (res.usage !== undefined) return Promise.reject(new TypeError(res.usage));
    return this.end(res.outcome!).then((end) => { throw endingError(end, true) ?? new SandboxError('the plugin has ended', 'ERR_SOCKBOX_PLUGIN_CLOSED'); });
  }

  close(): Promise<Ending> {
    if (!this.done) void this.end({ kind: 'closed' });
    return this.ended;
  }

  kill(why: KillReason): void {
    if (this.done) return;
    this.reason ??= why;
    signalKill(this.ctl);
    this.libc.write(this.pipe[1], new Uint8Array([1]), 1);
  }

  /** Closes what the guest holds and settles `ended` (after its output has been taken, unless it was killed). */
  private async end(outcome: RunOutcome): Promise<Ending> {
    if (this.done) return this.ended;
    this.done = true;
    this.run?.dispose();
    sweepRegistry(this.registry, this.libc);
    this.libc.close(this.pipe[0]);
    this.libc.close(this.pipe[1]);
    if (this.pending > 0 && !this.reason) await new Promise<void>((r) => { this.drained = r; });
    for (const u of this.unwatch) u();
    const ending: Ending = { outcome, reason: this.reason, failure: this.failure };
    const event = endingEvent(ending);
    if (event && this.spec.config.onEvent) {
      try { this.spec.config.onEvent(event); } catch { /* the run is over; its result stands */ }
    }
    this.resolveEnded(ending);
    return ending;
  }

  /** Is guest code running on this thread now? */
  get busy(): boolean {
    return this.running;
  }
}
