// Sandbox: runs wasm guests with WASI and real sockets, fenced by a policy and by
// limits, in a worker thread (default) or inline. A guest runs to its end (`run()`) or
// is loaded once and called (`instantiate()`); `kill()` ends it at any time.

import type { Worker } from 'node:worker_threads';
import { Policy } from './policy.js';
import { configure, SandboxError, type Config, type SandboxOptions } from './config.js';
import { toSink, type SinkPort } from './sinks.js';
import { capModule, inspectModule, LimitError, type ModuleInfo } from './wasm-module.js';
import { PROVIDED_IMPORTS } from './runtime.js';
import { WorkerSession, endingError, type SessionSpec } from './session.js';
import { InlineSession } from './inline.js';
import { Plugin } from './plugin.js';
import { prewarmWorkers, setIdleWorkers, acquireWorker, releaseWorker } from './pool.js';
import { openListeners, ListenError, type OpenListener } from './listeners.js';
import { sweepRegistry } from './registry.js';
import { native as realNative } from '../native/libc.js';
import { show } from '../validators.js';

export { SandboxError, type SandboxOptions, type SandboxErrorCode, type SandboxLimits, type Sink, type PreopenOption } from './config.js';
export { DEFAULT_LIMITS } from './config.js';

/** Table elements all of a guest's tables may hold (V8: 8 bytes each). */
const MAX_TABLE_ELEMENTS = 1 << 20;

/** Modules compiled by a Sandbox: the memory cap they were compiled for, whether it is shared, what they import and export. */
const compiled = new WeakMap<WebAssembly.Module, { memoryBytes: number; shared: boolean; info: ModuleInfo }>();

/** A worker taken early for a session (undefined inline, or once the session has it). */
interface Early { worker: Worker | undefined; release(): void }

/** A run's fd books and listeners, opened before its session exists. */
interface Opened { registry: Int32Array; listeners: OpenListener[]; release(): void }

/** A sandbox: one run at a time, and any number of loaded plugins. */
export class Sandbox {
  private readonly config: Config;
  private readonly sinks: { 1: SinkPort; 2: SinkPort };
  private readonly maxSockets: number;
  private active: { kill(reason: 'kill'): void } | undefined;
  private readonly plugins = new Set<{ kill(reason: 'kill'): void }>();
  private listening: readonly { fd: number; address: string; port: number }[] = [];

  /**
   * Where the `listen` sockets of the latest run (or instantiate) listen, with the
   * guest fd each is: [{ fd: 3, address: '127.0.0.1', port: 41234 }, ...]. Set when the
   * run starts, before the guest runs; empty without `listen`.
   */
  get listeners(): readonly { fd: number; address: string; port: number }[] {
    return this.listening;
  }

  constructor(options: SandboxOptions = {}) {
    this.config = configure(options);
    // Validates the grants and option names now: a bad policy fails here, not in the guest.
    this.maxSockets = new Policy(this.config.policy).maxSockets;
    this.sinks = { 1: toSink(options.stdout, 'stdout', process.stdout), 2: toSink(options.stderr, 'stderr', process.stderr) };
  }

  /**
   * Starts `n` sandbox workers ahead of time (they wait, unref'd, in the pool), so that
   * the next runs do not pay a worker's start-up. Also raises the pool's idle size to n.
   */
  static prewarm(n: number): Promise<void> {
    return prewarmWorkers(n);
  }

  /** How many idle workers the pool keeps between runs (default: max(2, cores)). */
  static set idleWorkers(n: number) {
    setIdleWorkers(n);
  }

  /** True while a guest runs (run()). */
  get running(): boolean {
    return this.active !== undefined;
  }

  /**
   * Compiles a guest for this sandbox: its memory is capped at limits.memoryBytes (and
   * shared, in worker mode, for host functions). The module can be given to run() or
   * instantiate() of any Sandbox whose memory limit is at least that. Rejects with
   * ERR_SOCKBOX_GUEST_INVALID when it is not wasm or cannot run under the limits.
   */
  async compile(wasm: Uint8Array | ArrayBuffer): Promise<WebAssembly.Module> {
    if (!(wasm instanceof Uint8Array) && !(wasm instanceof ArrayBuffer)) {
      throw new TypeError(`wasm must be a Uint8Array or an ArrayBuffer, got ${show(wasm)}`);
    }
    const bytes = wasm instanceof Uint8Array ? wasm : new Uint8Array(wasm);
    const shared = this.config.worker;
    let capped: Uint8Array;
    let info: ModuleInfo;
    try {
      capped = capModule(bytes, this.config.limits.memoryBytes, MAX_TABLE_ELEMENTS, shared).bytes;
      info = inspectModule(bytes);
    } catch (e) {
      if (e instanceof LimitError) throw new SandboxError(`guest cannot run: ${e.message}`, 'ERR_SOCKBOX_GUEST_INVALID');
      throw e;
    }
    let module: WebAssembly.Module;
    try {
      module = await WebAssembly.compile(capped as Uint8Array<ArrayBuffer>);
    } catch (e) {
      throw new SandboxError(`not a valid wasm module: ${(e as Error).message}`, 'ERR_SOCKBOX_GUEST_INVALID');
    }
    compiled.set(module, { memoryBytes: this.config.limits.memoryBytes, shared, info });
    return module;
  }

  /** The compiled module and what it imports, checked against what this sandbox provides. */
  private async prepare(wasm: Uint8Array | ArrayBuffer | WebAssembly.Module): Promise<{ module: WebAssembly.Module; info: ModuleInfo }> {
    let module: WebAssembly.Module;
    if (wasm instanceof WebAssembly.Module) {
      const c = compiled.get(wasm);
      if (c === undefined || c.memoryBytes > this.config.limits.memoryBytes) {
        throw new TypeError('this takes the bytes of a module, or a module from compile() of a sandbox whose limits.memoryBytes is at most this one\'s: a module compiled elsewhere cannot be capped');
      }
      if (this.config.worker && !c.shared && Object.keys(this.config.imports).length > 0) {
        throw new TypeError('a module compiled by an inline sandbox cannot call host functions in a worker (its memory is not shared): compile it with this sandbox');
      }
      module = wasm;
    } else {
      module = await this.compile(wasm);
    }
    const info = compiled.get(module)!.info;
    // Everything the guest imports must be provided: one error names all that is not.
    const missing: string[] = [];
    for (const imp of info.imports) {
      const ours = PROVIDED_IMPORTS[imp.module];
      const provided = imp.kind === 'function' && (ours ? ours.includes(imp.name) : this.config.imports[imp.module]?.[imp.name] !== undefined);
      if (!provided) missing.push(`${imp.module}.${imp.name} (${imp.kind})`);
    }
    if (missing.length > 0) {
      throw new SandboxError(`the guest imports what this sandbox does not provide: ${missing.join(', ')}`, 'ERR_SOCKBOX_GUEST_INVALID');
    }
    return { module, info };
  }

  /**
   * What a run holds before its guest exists: the books of every native fd (one slot
   * per socket, file, folder and listener) and the `listen` sockets, opened now, so
   * that `listeners` is known as soon as run() or instantiate() is called.
   */
  private openRun(): Opened {
    const cfg = this.config;
    const registry = new Int32Array(new SharedArrayBuffer(4 * (this.maxSockets + cfg.limits.openFiles + cfg.listen.length + 2)));
    const libc = cfg.worker || !cfg.native ? realNative() : cfg.native;
    let listeners: OpenListener[] = [];
    try {
      listeners = openListeners(libc, cfg.listen, registry);
    } catch (e) {
      if (e instanceof ListenError) throw new SandboxError(e.message, 'ERR_SOCKBOX_LISTEN');
      throw e;
    }
    this.listening = Object.freeze(listeners.map((l, i) => Object.freeze({ fd: 3 + i, address: l.address, port: l.port })));
    return { registry, listeners, release: () => sweepRegistry(registry, libc) };
  }

  /**
   * In worker mode, the worker for the coming session, taken before the module is
   * compiled and checked so that a new one starts on its own thread meanwhile (a
   * worker's start-up is most of a first run); given back to the pool unused if the
   * session never starts.
   */
  private earlyWorker(): Early {
    if (!this.config.worker) return { worker: undefined, release: () => {} };
    const early: Early = { worker: acquireWorker(), release: () => { if (early.worker) releaseWorker(early.worker); early.worker = undefined; } };
    return early;
  }

  private session(module: WebAssembly.Module, info: ModuleInfo, mode: 'run' | 'plugin', opened: Opened, early: Early): WorkerSession | InlineSession {
    const spec: SessionSpec = {
      config: this.config, sinks: this.sinks, module, info, sandbox: this, mode, maxSockets: this.maxSockets,
      registry: opened.registry, listeners: opened.listeners, worker: early.worker,
    };
    const s = this.config.worker ? new WorkerSession(spec) : new InlineSession(spec);
    // The session's now: it gives the worker back to the pool or ends it.
    early.worker = undefined;
    return s;
  }

  /**
   * Runs a WASI command module to its end. Resolves with its exit code once every byte
   * of its output has been taken by the sinks; rejects with a SandboxError when it
   * traps (ERR_SOCKBOX_GUEST_TRAP), is killed (ERR_SOCKBOX_KILLED), runs out of time
   * (ERR_SOCKBOX_TIMEOUT), a sink, onEvent or host function fails (ERR_SOCKBOX_OUTPUT,
   * ERR_SOCKBOX_EVENT, ERR_SOCKBOX_HOST_FUNCTION) or it cannot start (ERR_SOCKBOX_GUEST_INVALID).
   * `wasm`: the module's bytes, or a module from compile().
   */
  async run(wasm: Uint8Array | ArrayBuffer | WebAssembly.Module): Promise<{ exitCode: number }> {
    if (this.active) throw new SandboxError('this sandbox is already running a guest', 'ERR_SOCKBOX_BUSY');
    // Busy from the first moment: a kill() that comes while the module compiles is kept.
    let early = false;
    this.active = { kill: () => { early = true; } };
    let opened: Opened | undefined;
    let worker: Early | undefined;
    try {
      opened = this.openRun();
      worker = this.earlyWorker();
      const { module, info } = await this.prepare(wasm);
      if (early) throw new SandboxError('sandbox killed', 'ERR_SOCKBOX_KILLED');
      const s = this.session(module, info, 'run', opened, worker);
      opened = undefined; // the session's now: it closes what is left when it ends
      this.active = s;
      s.begin();
      const end = await s.ended;
      const err = endingError(end, false);
      if (err) throw err;
      return { exitCode: end.outcome.kind === 'exit' ? end.outcome.exitCode : 0 };
    } finally {
      worker?.release();
      opened?.release();
      this.active = undefined;
    }
  }

  /**
   * Loads a guest to call its exports: instantiates it once (a reactor's `_initialize`
   * runs; a command is instantiated without running `_start`, which can be called).
   * Output, host functions, events, limits and timeoutMs (per call) apply as in run().
   */
  async instantiate(wasm: Uint8Array | ArrayBuffer | WebAssembly.Module): Promise<Plugin> {
    const opened = this.openRun();
    let s: WorkerSession | InlineSession;
    let info: ModuleInfo;
    const worker = this.earlyWorker();
    try {
      const prepared = await this.prepare(wasm);
      info = prepared.info;
      s = this.session(prepared.module, info, 'plugin', opened, worker);
    } catch (e) {
      worker.release();
      opened.release();
      throw e;
    }
    this.plugins.add(s);
    void s.ended.then(() => this.plugins.delete(s));
    s.begin();
    const exports = await Promise.race([s.ready, s.ended.then(() => null)]);
    if (exports === null) {
      const end = await s.ended;
      throw endingError(end, true) ?? new SandboxError('the plugin ended while it started', 'ERR_SOCKBOX_GUEST_INVALID');
    }
    return new Plugin(s, info, exports);
  }

  /**
   * Ends the running guest and every plugin loaded from this sandbox: a guest blocked in
   * accept, recv, connect, poll_oneoff, a read of stdin or a write waiting for its sink
   * wakes at once; one spinning in pure wasm (or catching the unwind) is stopped after
   * a short grace (worker) or at once (inline, where kill() can only come from the
   * guest's own callbacks). Pending run() and calls reject with ERR_SOCKBOX_KILLED.
   */
  kill(): void {
    this.active?.kill('kill');
    for (const p of this.plugins) p.kill('kill');
  }
}
