// Sandbox: runs a wasm guest with WASI and real sockets, fenced by a policy, in a
// worker thread (default) or inline, and can kill it at any time.

import { existsSync, statSync } from 'node:fs';
import { native as realNative, F_GETFL, F_SETFL, F_SETFD, FD_CLOEXEC, O_NONBLOCK, type NativeApi } from '../native/libc.js';
import { Policy, type NetGrants, type SockoptOverrides, type PolicyOptions } from './policy.js';
import { runGuest, type RunOutcome } from './runtime.js';
import type { RunRequest } from './worker.js';
import { acquireWorker, releaseWorker, endWorker } from './pool.js';

/** Where guest output goes: a function or anything with write(chunk). */
export type Sink = ((chunk: Uint8Array) => void) | { write(chunk: Uint8Array): unknown };

export interface SandboxOptions {
  /** argv as the guest sees it; args[0] is the program name. Default ['guest']. */
  args?: string[];
  /** Environment variables for the guest. Default none. */
  env?: Record<string, string>;
  /** Guest path -> host folder. The folder is read into memory when the guest starts; writes stay in the sandbox. */
  preopens?: Record<string, string>;
  /** Network grants. Default: no network. */
  net?: NetGrants;
  /** Socket option policy overrides. */
  sockopts?: SockoptOverrides;
  /** Most sockets open at once. Default 64. */
  maxSockets?: number;
  /** Guest stdout. Default: this process's stdout. */
  stdout?: Sink;
  /** Guest stderr. Default: this process's stderr. */
  stderr?: Sink;
  /** Run in a worker thread (default true). false runs on the calling thread (the CLI does). */
  worker?: boolean;
  /**
   * The native layer for sockets (inline mode only): tests pass a recording layer so
   * no syscall runs. Default: the C library.
   */
  native?: NativeApi;
}

export type SandboxErrorCode = 'ERR_SANDBOX_KILLED' | 'ERR_GUEST_TRAP' | 'ERR_GUEST_INVALID' | 'ERR_SANDBOX_BUSY' | 'ERR_SANDBOX_CRASHED';

/** Why a run did not end with an exit code. */
export class SandboxError extends Error {
  readonly code: SandboxErrorCode;
  constructor(message: string, code: SandboxErrorCode) {
    super(message);
    this.name = 'SandboxError';
    this.code = code;
  }
}

/** How long kill() lets a guest unwind before it terminates the worker (a guest spinning in pure wasm never calls in). */
const KILL_GRACE_MS = 50;

function toSink(s: Sink | undefined, fallback: NodeJS.WriteStream): (chunk: Uint8Array) => void {
  if (s === undefined) return (chunk) => { fallback.write(chunk); };
  if (typeof s === 'function') return s;
  if (typeof s.write === 'function') return (chunk) => { s.write(chunk); };
  throw new TypeError('stdout/stderr must be a function or have a write(chunk) method');
}

function checkStrings(v: unknown, what: string): void {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new TypeError(`${what} must be an array of strings`);
}

function checkRecord(v: unknown, what: string): void {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string')) {
    throw new TypeError(`${what} must be an object of strings`);
  }
}

/** A sandbox for one guest at a time. */
export class Sandbox {
  private readonly args: string[];
  private readonly env: Record<string, string>;
  private readonly preopens: Record<string, string>;
  private readonly policyOptions: PolicyOptions;
  private readonly maxSockets: number;
  private readonly stdout: (chunk: Uint8Array) => void;
  private readonly stderr: (chunk: Uint8Array) => void;
  private readonly useWorker: boolean;
  private readonly socketNative: NativeApi | undefined;
  private active: { kill(): void } | undefined;

  constructor(options: SandboxOptions = {}) {
    this.args = options.args ?? ['guest'];
    checkStrings(this.args, 'args');
    this.env = options.env ?? {};
    checkRecord(this.env, 'env');
    this.preopens = options.preopens ?? {};
    checkRecord(this.preopens, 'preopens');
    for (const [guest, host] of Object.entries(this.preopens)) {
      if (!existsSync(host) || !statSync(host).isDirectory()) throw new TypeError(`preopens['${guest}']: '${host}' is not a folder`);
    }
    this.policyOptions = { net: options.net, sockopts: options.sockopts, maxSockets: options.maxSockets };
    // Validates the grants and option names now: a bad policy fails here, not in the guest.
    this.maxSockets = new Policy(this.policyOptions).maxSockets;
    this.stdout = toSink(options.stdout, process.stdout);
    this.stderr = toSink(options.stderr, process.stderr);
    this.useWorker = options.worker ?? true;
    if (options.native && this.useWorker) throw new TypeError('options.native needs worker: false');
    this.socketNative = options.native;
  }

  /** True while a guest runs. */
  get running(): boolean {
    return this.active !== undefined;
  }

  /**
   * Runs a WASI command module to its end. Resolves with its exit code; rejects with
   * a SandboxError when it traps (ERR_GUEST_TRAP, naming the trap), is killed
   * (ERR_SANDBOX_KILLED) or cannot start (ERR_GUEST_INVALID).
   */
  async run(wasm: Uint8Array | ArrayBuffer | WebAssembly.Module): Promise<{ exitCode: number }> {
    if (this.active) throw new SandboxError('this sandbox is already running a guest', 'ERR_SANDBOX_BUSY');
    // Busy from the first moment: a kill() that comes while the module compiles is kept.
    let killRequested = false;
    this.active = { kill: () => { killRequested = true; } };
    let module: WebAssembly.Module;
    try {
      if (wasm instanceof WebAssembly.Module) module = wasm;
      else {
        try {
          module = await WebAssembly.compile(wasm instanceof ArrayBuffer ? wasm : new Uint8Array(wasm).buffer as ArrayBuffer);
        } catch (e) {
          throw new SandboxError(`not a valid wasm module: ${(e as Error).message}`, 'ERR_GUEST_INVALID');
        }
      }
      if (killRequested) throw new SandboxError('sandbox killed', 'ERR_SANDBOX_KILLED');
    } catch (e) {
      this.active = undefined;
      throw e;
    }

    // The shared kill flag and fd registry first (an allocation can fail), then the cancel
    // pipe: kill() writes a byte; every blocking wait polls the read end.
    let cancelFlag: Int32Array;
    let registry: Int32Array;
    const libc = realNative();
    const pipe = new Int32Array(2);
    try {
      cancelFlag = new Int32Array(new SharedArrayBuffer(4));
      registry = new Int32Array(new SharedArrayBuffer(4 * (this.maxSockets + 1)));
      if (libc.pipe(pipe) < 0) throw new SandboxError(`pipe failed (errno ${libc.errno()})`, 'ERR_SANDBOX_CRASHED');
    } catch (e) {
      this.active = undefined;
      throw e;
    }
    for (const fd of pipe) {
      libc.fcntl(fd, F_SETFL, libc.fcntl(fd, F_GETFL, 0) | O_NONBLOCK);
      libc.fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    const [cancelRead, cancelWrite] = pipe;
    let killed = false;
    const closePipe = () => {
      libc.close(cancelRead);
      libc.close(cancelWrite);
    };
    const signal = () => {
      killed = true;
      Atomics.store(cancelFlag, 0, 1);
      libc.write(cancelWrite, new Uint8Array([1]), 1);
    };

    if (!this.useWorker) {
      this.active = { kill: signal };
      try {
        const outcome = runGuest(module, {
          args: this.args, env: this.env, preopens: this.preopens, policy: this.policyOptions,
          stdout: this.stdout, stderr: this.stderr, native: this.socketNative ?? libc,
          cancelFd: cancelRead, cancelFlag, registry,
        });
        return settle(outcome, killed);
      } finally {
        closePipe();
        this.active = undefined;
      }
    }

    return new Promise((resolve, reject) => {
      const worker = acquireWorker();
      let outcome: RunOutcome | undefined;
      let crash: Error | undefined;
      let terminateTimer: NodeJS.Timeout | undefined;
      let terminating = false;
      let done = false;
      const finish = (reuse: boolean) => {
        if (done) return;
        done = true;
        if (terminateTimer) clearTimeout(terminateTimer);
        worker.off('message', onMessage);
        worker.off('exit', onExit);
        worker.off('error', onError);
        // A worker that died or was terminated may leave sockets behind: close what the registry lists.
        for (let i = 0; i < registry.length; i++) {
          const v = Atomics.exchange(registry, i, 0);
          if (v !== 0) libc.close(v - 1);
        }
        closePipe();
        this.active = undefined;
        // A worker told to end may still deliver its outcome: never pool it again.
        if (reuse && !terminating) releaseWorker(worker);
        try {
          if (outcome) resolve(settle(outcome, killed));
          else if (killed) reject(new SandboxError('sandbox killed', 'ERR_SANDBOX_KILLED'));
          else reject(new SandboxError(`sandbox worker died: ${crash?.message ?? 'no outcome'}`, 'ERR_SANDBOX_CRASHED'));
        } catch (e) {
          reject(e);
        }
      };
      const onMessage = (m: { type: string; chunk?: Uint8Array; outcome?: RunOutcome }) => {
        if (m.type === 'stdout' && m.chunk) this.stdout(m.chunk);
        else if (m.type === 'stderr' && m.chunk) this.stderr(m.chunk);
        else if (m.type === 'outcome') {
          outcome = m.outcome;
          finish(true);
        }
      };
      const onError = (e: Error) => { crash = e; };
      const onExit = () => finish(false);
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      const request: RunRequest = {
        type: 'run', module, args: this.args, env: this.env, preopens: this.preopens,
        policy: this.policyOptions, cancelFd: cancelRead, cancelFlag, registry,
      };
      worker.postMessage(request);
      this.active = {
        kill: () => {
          signal();
          terminateTimer ??= setTimeout(() => {
            terminating = true;
            endWorker(worker);
          }, KILL_GRACE_MS);
        },
      };
    });
  }

  /**
   * Ends the running guest: a guest blocked in accept, recv, connect or poll_oneoff
   * wakes at once; one spinning in pure wasm is stopped after a short grace. The
   * pending run() rejects with ERR_SANDBOX_KILLED. Does nothing when idle.
   * In inline mode the guest sees the kill at its next socket or WASI call.
   */
  kill(): void {
    this.active?.kill();
  }
}

function settle(outcome: RunOutcome, killed: boolean): { exitCode: number } {
  switch (outcome.kind) {
    case 'exit': return { exitCode: outcome.exitCode };
    case 'killed': throw new SandboxError('sandbox killed', 'ERR_SANDBOX_KILLED');
    case 'trap': throw new SandboxError(`guest trapped: ${outcome.message}`, killed ? 'ERR_SANDBOX_KILLED' : 'ERR_GUEST_TRAP');
    case 'error': throw new SandboxError(outcome.message, 'ERR_GUEST_INVALID');
  }
}
