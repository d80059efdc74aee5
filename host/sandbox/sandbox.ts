// Sandbox: runs a wasm guest with WASI and real sockets, fenced by a policy and by
// limits, in a worker thread (default) or inline, and can end it at any time.

import { existsSync, statSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { MessageChannel, type Worker } from 'node:worker_threads';
import { native as realNative, getaddrinfoAsync, F_GETFL, F_SETFL, F_SETFD, FD_CLOEXEC, O_NONBLOCK, type NativeApi, type AddrinfoHints } from '../native/libc.js';
import { Policy, type NetGrants, type SockoptOverrides, type PolicyOptions } from './policy.js';
import { GuestRun, type PreopenSpec, type RunLimits, type RunOutcome } from './runtime.js';
import type { RunRequest } from './worker.js';
import type { ConfineMode } from './confine.js';
import { acquireWorker, releaseWorker, endWorker } from './pool.js';
import { controlBlock, signalKill, answerCall, outputTaken, type ToOwner } from './channel.js';
import { sweepRegistry } from './registry.js';
import { runInterruptible, interruptCurrent } from './interrupt.js';
import { capModule, LimitError, PAGE } from './wasm-limits.js';
import { BytesStdin } from './stdio.js';
import { KillSignal } from './unwind.js';
import {
  isPlainObject, show, validateBoolean, validateInteger, validateKeys, validateObject, validateStringArray,
  validateStringRecord,
} from '../validators.js';

/** Where guest output goes: a function, or anything with write(chunk[, callback]) (a Node Writable). */
export type Sink = ((chunk: Uint8Array) => unknown) | { write(chunk: Uint8Array, callback?: (err?: Error | null) => void): unknown };

/** A preopen: a host folder, or { path, readonly }. */
export type PreopenOption = string | { path: string; readonly?: boolean };

/** Limits on what a guest can take from the host. */
export interface SandboxLimits {
  /** Guest linear memory, bytes (rounded down to 64 KiB pages). Default 256 MiB. */
  memoryBytes?: number;
  /** Bytes the guest may write to files, all files of a run together. Default 64 MiB. */
  fileBytes?: number;
  /** Bytes the guest may print on each of stdout and stderr, per run. Default 64 MiB. */
  outputBytes?: number;
  /** Files and folders open at once (preopens included). Default 64. */
  openFiles?: number;
}

export interface SandboxOptions {
  /** argv as the guest sees it; args[0] is the program name. Default ['guest']. */
  args?: string[];
  /** Environment variables for the guest. Default none. */
  env?: Record<string, string>;
  /**
   * Guest path -> host folder, read and written through (nothing is copied). Every
   * path the guest uses stays inside its folder, symlinks included. `{ path, readonly: true }`
   * refuses every write.
   */
  preopens?: Record<string, PreopenOption>;
  /** Network grants. Default: no network. */
  net?: NetGrants;
  /** Socket option policy overrides. */
  sockopts?: SockoptOverrides;
  /** Most sockets open at once. Default 64. */
  maxSockets?: number;
  /** Memory, file, output and open-file limits (see SandboxLimits for the defaults). */
  limits?: SandboxLimits;
  /** run() rejects with ERR_SANDBOX_TIMEOUT after this many ms. Default: no limit. */
  timeoutMs?: number;
  /** Bytes (or text, UTF-8) the guest reads on fd 0. Default: empty (EOF at once). */
  stdin?: Uint8Array | string;
  /** Guest stdout. Default: this process's stdout. */
  stdout?: Sink;
  /** Guest stderr. Default: this process's stderr. */
  stderr?: Sink;
  /** Run in a worker thread (default true). false runs on the calling thread. */
  worker?: boolean;
  /**
   * The native layer for sockets (inline mode only): tests pass a recording layer so
   * no syscall runs. Default: the C library.
   */
  native?: NativeApi;
}

export type SandboxErrorCode =
  | 'ERR_SANDBOX_KILLED' | 'ERR_SANDBOX_TIMEOUT' | 'ERR_SANDBOX_OUTPUT' | 'ERR_GUEST_TRAP' | 'ERR_GUEST_INVALID'
  | 'ERR_SANDBOX_BUSY' | 'ERR_SANDBOX_CRASHED';

/** Why a run did not end with an exit code. */
export class SandboxError extends Error {
  readonly code: SandboxErrorCode;
  constructor(message: string, code: SandboxErrorCode) {
    super(message);
    this.name = 'SandboxError';
    this.code = code;
  }
}

/** Defaults of SandboxLimits. */
export const DEFAULT_LIMITS: Readonly<Required<SandboxLimits>> = Object.freeze({
  memoryBytes: 256 * 1024 * 1024,
  fileBytes: 64 * 1024 * 1024,
  outputBytes: 64 * 1024 * 1024,
  openFiles: 64,
});
/** Table elements all of a guest's tables may hold (V8: 8 bytes each). */
const MAX_TABLE_ELEMENTS = 1 << 20;
/** Guest output posted and not yet taken by the sinks before the guest's writes wait. */
const OUTPUT_IN_FLIGHT = 1024 * 1024;
/** How long kill() lets a guest unwind before it terminates the worker (a guest spinning in pure wasm never calls in). */
const KILL_GRACE_MS = 50;
/** The largest timeoutMs (setTimeout's limit). */
const MAX_TIMEOUT = 0x7fffffff;

const OPTION_KEYS = ['args', 'env', 'preopens', 'net', 'sockopts', 'maxSockets', 'limits', 'timeoutMs', 'stdin', 'stdout', 'stderr', 'worker', 'native'] as const;
const LIMIT_KEYS = ['memoryBytes', 'fileBytes', 'outputBytes', 'openFiles'] as const;

/** How a kill came about; the first reason wins. */
type KillReason = 'kill' | 'timeout' | 'output';

/** Modules compiled by a Sandbox, with the memory cap they were compiled for. */
const compiled = new WeakMap<WebAssembly.Module, number>();

/** The sandbox's confinement mode: SOCKBOX_CONFINE=walk forces the portable walk (tests run both). */
function confineMode(): ConfineMode {
  const m = process.env.SOCKBOX_CONFINE;
  return m === 'walk' || m === 'openat2' ? m : 'auto';
}

/** A sink as the owner calls it: `done` when the chunk is taken (a Writable's callback, a promise). */
type SinkFn = (chunk: Uint8Array, done: (err?: unknown) => void) => void;

/** A sink, and a way to hear its 'error' events during a run (an unheard one would crash the host). */
interface SinkPort {
  write: SinkFn;
  /** Listens for 'error' on an EventEmitter sink until the returned function is called. */
  watch(onError: (err: unknown) => void): () => void;
}

const noWatch = () => () => {};

function toSink(s: Sink | undefined, name: string, fallback: NodeJS.WriteStream): SinkPort {
  if (s === undefined) return { write: (chunk, done) => { fallback.write(chunk, (err) => done(err)); }, watch: noWatch };
  if (typeof s === 'function') {
    return {
      write: (chunk, done) => {
        const r = s(chunk);
        if (r !== null && typeof r === 'object' && typeof (r as Promise<unknown>).then === 'function') {
          (r as Promise<unknown>).then(() => done(), (e: unknown) => done(e ?? new Error('rejected')));
        } else done();
      },
      watch: noWatch,
    };
  }
  if (typeof s === 'object' && s !== null && typeof s.write === 'function') {
    const emitter = s as { on?: unknown; off?: unknown };
    return {
      write: (chunk, done) => { s.write(chunk, (err?: Error | null) => done(err ?? undefined)); },
      watch: (onError) => {
        if (typeof emitter.on !== 'function' || typeof emitter.off !== 'function') return () => {};
        const e = s as unknown as NodeJS.EventEmitter;
        e.on('error', onError);
        return () => { e.off('error', onError); };
      },
    };
  }
  throw new TypeError(`${name} must be a function or have a write(chunk) method, got ${show(s)}`);
}

/** The options of a Sandbox, checked and copied: changing the caller's objects later changes nothing. */
interface Config {
  args: string[];
  env: Record<string, string>;
  preopens: PreopenSpec[];
  policy: PolicyOptions;
  limits: Required<SandboxLimits>;
  timeoutMs: number | undefined;
  stdin: Uint8Array;
  worker: boolean;
  native: NativeApi | undefined;
}

function configure(options: unknown): Config {
  const o = options === undefined ? {} : validateObject(options, 'Sandbox options');
  validateKeys(o, OPTION_KEYS, 'new Sandbox()');
  const args = o.args === undefined ? ['guest'] : validateStringArray(o.args, 'args');
  const env = o.env === undefined ? {} : validateStringRecord(o.env, 'env');
  const preopens: PreopenSpec[] = [];
  if (o.preopens !== undefined) {
    for (const [guest, spec] of Object.entries(validateObject(o.preopens, 'preopens'))) {
      let host: unknown = spec;
      let readonly = false;
      if (isPlainObject(spec)) {
        validateKeys(spec, ['path', 'readonly'], `preopens['${guest}']`);
        host = spec.path;
        if (spec.readonly !== undefined) readonly = validateBoolean(spec.readonly, `preopens['${guest}'].readonly`);
      }
      if (typeof host !== 'string') throw new TypeError(`preopens['${guest}'] must be a folder path or { path, readonly }, got ${show(spec)}`);
      if (guest === '') throw new TypeError('preopens: the guest path must not be empty');
      if (!existsSync(host) || !statSync(host).isDirectory()) throw new TypeError(`preopens['${guest}']: '${host}' is not a folder`);
      preopens.push({ guest, host: resolvePath(host), readonly });
    }
  }
  const limits = { ...DEFAULT_LIMITS };
  if (o.limits !== undefined) {
    const l = validateObject(o.limits, 'limits');
    validateKeys(l, LIMIT_KEYS, 'limits');
    if (l.memoryBytes !== undefined) limits.memoryBytes = validateInteger(l.memoryBytes, 'limits.memoryBytes', PAGE, 65536 * PAGE);
    if (l.fileBytes !== undefined) limits.fileBytes = validateInteger(l.fileBytes, 'limits.fileBytes', 0, Number.MAX_SAFE_INTEGER);
    if (l.outputBytes !== undefined) limits.outputBytes = validateInteger(l.outputBytes, 'limits.outputBytes', 0, Number.MAX_SAFE_INTEGER);
    if (l.openFiles !== undefined) limits.openFiles = validateInteger(l.openFiles, 'limits.openFiles', 0, 65536);
  }
  const timeoutMs = o.timeoutMs === undefined ? undefined : validateInteger(o.timeoutMs, 'timeoutMs', 1, MAX_TIMEOUT);
  let stdin = new Uint8Array(0);
  if (typeof o.stdin === 'string') stdin = new Uint8Array(Buffer.from(o.stdin, 'utf8'));
  else if (o.stdin instanceof Uint8Array) stdin = o.stdin.slice();
  else if (o.stdin !== undefined) throw new TypeError(`stdin must be a Uint8Array or a string, got ${show(o.stdin)}`);
  const worker = o.worker === undefined ? true : validateBoolean(o.worker, 'worker');
  if (o.native !== undefined && worker) throw new TypeError('options.native needs worker: false');
  // structuredClone: the policy is kept as it was at construction (the caller's arrays are not).
  const policy = structuredClone({ net: o.net, sockopts: o.sockopts, maxSockets: o.maxSockets }) as PolicyOptions;
  return { args, env, preopens, policy, limits, timeoutMs, stdin, worker, native: o.native as NativeApi | undefined };
}

/** The cancel pipe: kill() writes a byte; every blocking wait of the guest polls the read end. */
function cancelPipe(libc: NativeApi): [number, number] {
  const pipe = new Int32Array(2);
  if (libc.pipe(pipe) < 0) throw new SandboxError(`pipe failed (errno ${libc.errno()})`, 'ERR_SANDBOX_CRASHED');
  for (const fd of pipe) {
    libc.fcntl(fd, F_SETFL, libc.fcntl(fd, F_GETFL, 0) | O_NONBLOCK);
    libc.fcntl(fd, F_SETFD, FD_CLOEXEC);
  }
  return [pipe[0], pipe[1]];
}

/** A sandbox for one guest at a time. */
export class Sandbox {
  private readonly config: Config;
  private readonly stdout: SinkPort;
  private readonly stderr: SinkPort;
  private readonly maxSockets: number;
  private active: { kill(reason: KillReason): void } | undefined;

  constructor(options: SandboxOptions = {}) {
    this.config = configure(options);
    // Validates the grants and option names now: a bad policy fails here, not in the guest.
    this.maxSockets = new Policy(this.config.policy).maxSockets;
    this.stdout = toSink(options.stdout, 'stdout', process.stdout);
    this.stderr = toSink(options.stderr, 'stderr', process.stderr);
  }

  /** True while a guest runs. */
  get running(): boolean {
    return this.active !== undefined;
  }

  /**
   * Compiles a guest for this sandbox: its memory is capped at limits.memoryBytes.
   * The module can be given to run() of any Sandbox whose memory limit is at least that.
   * Rejects with ERR_GUEST_INVALID when it is not wasm or cannot run under the limits.
   */
  async compile(wasm: Uint8Array | ArrayBuffer): Promise<WebAssembly.Module> {
    if (!(wasm instanceof Uint8Array) && !(wasm instanceof ArrayBuffer)) {
      throw new TypeError(`wasm must be a Uint8Array or an ArrayBuffer, got ${show(wasm)}`);
    }
    const bytes = wasm instanceof Uint8Array ? wasm : new Uint8Array(wasm);
    let capped: Uint8Array;
    try {
      capped = capModule(bytes, this.config.limits.memoryBytes, MAX_TABLE_ELEMENTS).bytes;
    } catch (e) {
      if (e instanceof LimitError) throw new SandboxError(`guest cannot run: ${e.message}`, 'ERR_GUEST_INVALID');
      throw e;
    }
    let module: WebAssembly.Module;
    try {
      module = await WebAssembly.compile(capped as Uint8Array<ArrayBuffer>);
    } catch (e) {
      throw new SandboxError(`not a valid wasm module: ${(e as Error).message}`, 'ERR_GUEST_INVALID');
    }
    compiled.set(module, this.config.limits.memoryBytes);
    return module;
  }

  /**
   * Runs a WASI command module to its end. Resolves with its exit code; rejects with
   * a SandboxError when it traps (ERR_GUEST_TRAP, naming the trap), is killed
   * (ERR_SANDBOX_KILLED), runs out of time (ERR_SANDBOX_TIMEOUT), its output cannot be
   * delivered (ERR_SANDBOX_OUTPUT) or it cannot start (ERR_GUEST_INVALID).
   * `wasm`: the module's bytes, or a module from compile().
   */
  async run(wasm: Uint8Array | ArrayBuffer | WebAssembly.Module): Promise<{ exitCode: number }> {
    if (this.active) throw new SandboxError('this sandbox is already running a guest', 'ERR_SANDBOX_BUSY');
    // Busy from the first moment: a kill() that comes while the module compiles is kept.
    let early: KillReason | undefined;
    this.active = { kill: (reason) => { early ??= reason; } };
    let module: WebAssembly.Module;
    try {
      if (wasm instanceof WebAssembly.Module) {
        const cap = compiled.get(wasm);
        if (cap === undefined || cap > this.config.limits.memoryBytes) {
          throw new TypeError('run() takes the bytes of a module, or a module from compile() of a sandbox whose limits.memoryBytes is at most this one\'s: a module compiled elsewhere cannot be capped');
        }
        module = wasm;
      } else {
        module = await this.compile(wasm);
      }
      if (early) throw reasonError(early);
    } catch (e) {
      this.active = undefined;
      throw e;
    }
    return this.config.worker ? this.runInWorker(module) : this.runInline(module);
  }

  /** Runs on the calling thread, inside a guard that a timeout, Ctrl-C or kill() can stop. */
  private async runInline(module: WebAssembly.Module): Promise<{ exitCode: number }> {
    const cfg = this.config;
    const libc = realNative();
    const ctl = controlBlock();
    const registry = new Int32Array(new SharedArrayBuffer(4 * (this.maxSockets + cfg.limits.openFiles + 1)));
    let reason: KillReason | undefined;
    let failure: unknown;
    let pipe: [number, number];
    try {
      pipe = cancelPipe(libc);
    } catch (e) {
      this.active = undefined;
      throw e;
    }
    let over = false;
    /** Output chunks with a sink that has not called back yet; run() waits for them after the guest ends. */
    let pending = 0;
    let drained: (() => void) | undefined;
    const kill = (why: KillReason) => {
      if (over) return;
      reason ??= why;
      signalKill(ctl);
      libc.write(pipe[1], new Uint8Array([1]), 1);
    };
    /**
     * After a callback of the guest (a sink) returns to us: if it killed the run, stop
     * the guest, even one that catches the unwind. Not from inside kill(): the termination
     * would cut the caller's own code short.
     */
    const afterCallback = () => {
      if (!reason) return;
      interruptCurrent();
      throw new KillSignal();
    };
    this.active = { kill };
    let run: GuestRun | undefined;
    let outcome: RunOutcome | undefined;
    let error: unknown;
    const unwatch: (() => void)[] = [];
    try {
      const sinks = { 1: this.stdout.write, 2: this.stderr.write };
      const onSinkError = (err: unknown) => { failure ??= err; reason ??= 'output'; kill('output'); };
      unwatch.push(this.stdout.watch(onSinkError), this.stderr.watch(onSinkError));
      run = new GuestRun(module, {
        args: cfg.args, env: cfg.env, preopens: cfg.preopens, policy: cfg.policy,
        limits: { fileBytes: cfg.limits.fileBytes, outputBytes: cfg.limits.outputBytes, openFiles: cfg.limits.openFiles },
        confine: confineMode(),
        stdin: new BytesStdin(cfg.stdin),
        output: {
          write: (stream, chunk) => {
            if (reason) throw new KillSignal();
            let taken = false;
            pending++;
            const take = (err?: unknown) => {
              if (taken) return;
              taken = true;
              if (err !== undefined && err !== null) { failure ??= err; reason ??= 'output'; kill('output'); }
              if (--pending === 0) drained?.();
            };
            try {
              sinks[stream](chunk, take);
            } catch (e) {
              take(e ?? new Error('the sink threw'));
            }
            afterCallback();
          },
        },
        native: cfg.native ?? libc,
        cancelFd: pipe[0], ctl, registry,
        deadline: cfg.timeoutMs === undefined ? undefined : performance.now() + cfg.timeoutMs,
      });
      const r = runInterruptible(() => run!.start(), cfg.timeoutMs);
      // A wait that reached the deadline unwound the guest with the kill flag at 2.
      if (Atomics.load(ctl, 0) === 2) reason ??= 'timeout';
      if ('value' in r) outcome = r.value;
      else {
        if (r.interrupted === 'timeout') reason ??= 'timeout';
        else reason ??= 'kill';
        outcome = { kind: 'killed' };
      }
    } catch (e) {
      error = e instanceof SandboxError ? e : new SandboxError((e as Error)?.message ?? String(e), 'ERR_GUEST_INVALID');
    } finally {
      over = true;
      run?.dispose();
      sweepRegistry(registry, libc);
      libc.close(pipe[0]);
      libc.close(pipe[1]);
    }
    try {
      if (error) throw error;
      // Every chunk of output taken by its sink before run() settles (unless the run was
      // ended: then what is still with a sink is not waited for).
      if (pending > 0 && !reason) await new Promise<void>((r) => { drained = r; });
      return settle(outcome!, reason, failure);
    } finally {
      for (const u of unwatch) u();
      this.active = undefined;
    }
  }

  /** Runs in a pooled worker; this thread only moves output, answers calls and keeps the time. */
  private runInWorker(module: WebAssembly.Module): Promise<{ exitCode: number }> {
    const cfg = this.config;
    const libc = realNative();
    const ctl = controlBlock();
    const registry = new Int32Array(new SharedArrayBuffer(4 * (this.maxSockets + cfg.limits.openFiles + 1)));
    let pipe: [number, number];
    try {
      pipe = cancelPipe(libc);
    } catch (e) {
      this.active = undefined;
      return Promise.reject(e);
    }
    const channel = new MessageChannel();
    return new Promise((resolve, reject) => {
      const worker: Worker = acquireWorker();
      let outcome: RunOutcome | undefined;
      let crash: Error | undefined;
      let reason: KillReason | undefined;
      let failure: unknown;
      let terminateTimer: NodeJS.Timeout | undefined;
      let timeoutTimer: NodeJS.Timeout | undefined;
      let terminating = false;
      let done = false;
      /** Output chunks handed to a sink and not yet taken (a Writable's callback, a promise). */
      let pendingSinks = 0;
      const kill = (why: KillReason) => {
        if (done) return;
        reason ??= why;
        if (outcome) { finish(true); return; }
        signalKill(ctl);
        libc.write(pipe[1], new Uint8Array([1]), 1);
        terminateTimer ??= setTimeout(() => {
          terminating = true;
          endWorker(worker);
        }, KILL_GRACE_MS);
      };
      const finish = (reuse: boolean) => {
        if (done) return;
        done = true;
        if (terminateTimer) clearTimeout(terminateTimer);
        if (timeoutTimer) clearTimeout(timeoutTimer);
        worker.off('message', onMessage);
        worker.off('exit', onExit);
        worker.off('error', onError);
        // A worker that died or was terminated may leave fds behind: close what the
        // registry lists, lingers cleared first (a close here never blocks this thread).
        sweepRegistry(registry, libc);
        libc.close(pipe[0]);
        libc.close(pipe[1]);
        channel.port1.close();
        for (const u of unwatch) u();
        this.active = undefined;
        // A worker told to end may still deliver its outcome: never pool it again.
        if (reuse && !terminating) releaseWorker(worker);
        try {
          if (outcome) resolve(settle(outcome, reason, failure));
          else if (reason) reject(reasonError(reason, failure));
          else reject(new SandboxError(`sandbox worker died: ${crash?.message ?? 'no outcome'}`, 'ERR_SANDBOX_CRASHED'));
        } catch (e) {
          reject(e);
        }
      };
      const sinks = { 1: this.stdout.write, 2: this.stderr.write };
      const onSinkError = (err: unknown) => { failure ??= err; kill('output'); };
      const unwatch = [this.stdout.watch(onSinkError), this.stderr.watch(onSinkError)];
      const onMessage = (m: ToOwner | { type: 'outcome'; outcome: RunOutcome }) => {
        if (m.type === 'out') {
          const n = m.chunk.length;
          let taken = false;
          const take = (err?: unknown) => {
            if (taken) return;
            taken = true;
            pendingSinks--;
            outputTaken(ctl, n);
            if (err !== undefined && err !== null) { failure ??= err; kill('output'); }
            // The outcome came while this chunk was with its sink: the run ends now.
            if (pendingSinks === 0 && outcome && !done) finish(true);
          };
          pendingSinks++;
          if (reason) { take(); return; }
          try {
            sinks[m.stream](m.chunk, take);
          } catch (e) {
            take(e);
          }
        } else if (m.type === 'call') {
          void this.answer(m.kind, m.payload).then(
            (answer) => { if (!done) answerCall(ctl, channel.port1, answer); },
            () => { if (!done) answerCall(ctl, channel.port1, null); },
          );
        } else if (m.type === 'outcome') {
          outcome = m.outcome;
          // run() settles once every chunk of output has been taken by its sink (or at a kill).
          if (pendingSinks === 0 || reason) finish(true);
        }
      };
      const onError = (e: Error) => { crash = e; };
      const onExit = () => finish(false);
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      const request: RunRequest = {
        type: 'run', module, args: cfg.args, env: cfg.env, preopens: cfg.preopens, policy: cfg.policy,
        limits: { fileBytes: cfg.limits.fileBytes, outputBytes: cfg.limits.outputBytes, openFiles: cfg.limits.openFiles },
        confine: confineMode(), outputInFlight: OUTPUT_IN_FLIGHT, stdin: cfg.stdin,
        cancelFd: pipe[0], ctl, registry, replies: channel.port2,
      };
      worker.postMessage(request, [channel.port2]);
      this.active = { kill };
      if (cfg.timeoutMs !== undefined) timeoutTimer = setTimeout(() => kill('timeout'), cfg.timeoutMs);
    });
  }

  /** Answers a call from a guest's thread (name lookups on libuv's pool). */
  private async answer(kind: string, payload: unknown): Promise<unknown> {
    if (kind === 'lookup') {
      const p = payload as { node: string | null; service: string | null; hints: AddrinfoHints };
      return getaddrinfoAsync(p.node, p.service, p.hints);
    }
    throw new Error(`unknown call '${kind}'`);
  }

  /**
   * Ends the running guest: a guest blocked in accept, recv, connect, poll_oneoff or
   * a write waiting for its sink wakes at once; one spinning in pure wasm (or catching
   * the unwind) is stopped after a short grace (worker) or at once (inline, where
   * kill() can only come from the guest's own callbacks). The pending run() rejects
   * with ERR_SANDBOX_KILLED. Does nothing when idle.
   */
  kill(): void {
    this.active?.kill('kill');
  }
}

function reasonError(reason: KillReason, failure?: unknown): SandboxError {
  if (reason === 'timeout') return new SandboxError('guest ran out of time (timeoutMs)', 'ERR_SANDBOX_TIMEOUT');
  if (reason === 'output') {
    const why = failure instanceof Error ? failure.message : String(failure);
    return new SandboxError(`guest output could not be delivered: the sink failed: ${why}`, 'ERR_SANDBOX_OUTPUT');
  }
  return new SandboxError('sandbox killed', 'ERR_SANDBOX_KILLED');
}

function settle(outcome: RunOutcome, reason: KillReason | undefined, failure: unknown): { exitCode: number } {
  // An exit that beat the kill or the timeout stands; output that was lost never does.
  if (outcome.kind === 'exit' && reason !== 'output') return { exitCode: outcome.exitCode };
  if (reason !== undefined) throw reasonError(reason, failure);
  switch (outcome.kind) {
    case 'exit': return { exitCode: outcome.exitCode };
    case 'killed': throw reasonError(reason ?? 'kill', failure);
    case 'trap': throw new SandboxError(`guest trapped: ${outcome.message}`, 'ERR_GUEST_TRAP');
    case 'error': throw new SandboxError(outcome.message, 'ERR_GUEST_INVALID');
  }
}
