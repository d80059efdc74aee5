// One guest run on the current thread: its fd table (stdio, preopened folders,
// sockets), the WASI imports (wasi-core.ts, wasi-fs.ts) and the socket imports
// (sockets.ts), instantiation and the call of `_start`. Used by the worker (default)
// and by inline mode, which runs `start()` inside a guard that can stop it.

import type { NativeApi } from '../native/libc.js';
import { fsNative, type FsApi } from '../native/fs.js';
import { ERRNO_FAULT, ERRNO_INVAL, ERRNO_IO } from '../native/errno.js';
import { Policy, type PolicyOptions } from './policy.js';
import { SocketHost, type Resolver } from './sockets.js';
import { KillSignal, ProcExit, isUnwind } from './unwind.js';
import { FdTable } from './fdtable.js';
import { FdRegistry } from './registry.js';
import { FileSystem, openPreopen } from './files.js';
import type { ConfineMode } from './confine.js';
import { WasiFiles, WASI_FILE_IMPORTS } from './wasi-fs.js';
import { WasiCore } from './wasi-core.js';
import { StdinFd, OutputFd, OutputBudget, type StdinSource, type OutputSink } from './stdio.js';

/** A preopened folder: the guest's path, the host folder, read-only or not. */
export interface PreopenSpec {
  guest: string;
  host: string;
  readonly: boolean;
}

/** Limits a run enforces itself (memory is capped in the module before it is compiled). */
export interface RunLimits {
  /** Bytes the guest may write to files (and grow them by), all files together. */
  fileBytes: number;
  /** Bytes the guest may print on each of stdout and stderr. */
  outputBytes: number;
  /** Files and folders open at once (preopens included). */
  openFiles: number;
}

/** What a guest run needs, all of it plain data but the ports and the native layer. */
export interface RuntimeOptions {
  args: string[];
  env: Record<string, string>;
  preopens: PreopenSpec[];
  policy: PolicyOptions;
  limits: RunLimits;
  stdin: StdinSource;
  output: OutputSink;
  native: NativeApi;
  /** The file calls (default: the C library's). */
  fs?: FsApi;
  /** How paths are confined (default 'auto': openat2 where it works). */
  confine?: ConfineMode;
  /** Read end of the cancel pipe: readable once the sandbox is killed. */
  cancelFd: number;
  /** The control block (channel.ts): [0] is the kill flag. */
  ctl: Int32Array;
  /** Native fds held (fd + 1), for the owner to close if this thread dies. */
  registry: Int32Array;
  /** Name resolution (default: the native layer's getaddrinfo on this thread). */
  resolver?: Resolver;
  /** When the run must end (performance.now() ms), for waits no timer can interrupt (inline). */
  deadline?: number;
}

/** How a run ended. */
export type RunOutcome =
  | { kind: 'exit'; exitCode: number }
  | { kind: 'killed' }
  | { kind: 'trap'; message: string }
  | { kind: 'error'; message: string };

/** The errno an unexpected host exception in an import becomes. */
function errnoFor(e: unknown): number {
  if (e instanceof RangeError) return ERRNO_FAULT; // an out-of-bounds guest pointer
  if (e instanceof TypeError) return ERRNO_INVAL;
  return ERRNO_IO;
}

/** An import as the guest calls it (the few i64 parameters of WASI's file imports arrive as bigint). */
export type ImportFn = (...args: number[]) => number;

/** The import objects a guest gets, and a count of host faults (exceptions an import turned into an errno). */
export interface GuestImports {
  wasi_snapshot_preview1: Record<string, ImportFn>;
  sockbox: Record<string, ImportFn>;
  /** Exceptions inside imports that became errnos: 0 unless an import lacks a check. */
  faults(): number;
}

/**
 * The import object for a run: WASI (process, files, stdio) and the socket layer, each
 * import guarded so that the guest only ever sees an errno (or the unwind of an exit or
 * a kill).
 */
export function buildImports(h: SocketHost, core: WasiCore, files: WasiFiles): GuestImports {
  let faults = 0;
  const fail = (e: unknown): number => {
    if (isUnwind(e)) throw e;
    faults++;
    return errnoFor(e);
  };
  const preview1: Record<string, ImportFn> = {};
  const guard = <A extends unknown[]>(fn: (...a: A) => number) => (...a: A): number => {
    try {
      h.checkKill();
      h.mem.refresh();
      return fn(...a);
    } catch (e) {
      return fail(e);
    }
  };
  for (const name of ['args_get', 'args_sizes_get', 'environ_get', 'environ_sizes_get', 'clock_res_get', 'clock_time_get', 'random_get', 'sched_yield', 'proc_raise'] as const) {
    const f = core[name] as (...a: unknown[]) => number;
    preview1[name] = guard((...a: unknown[]) => f.apply(core, a)) as unknown as ImportFn;
  }
  preview1.proc_exit = ((code: number) => core.proc_exit(code)) as ImportFn;
  for (const name of WASI_FILE_IMPORTS) {
    const f = files[name] as (...a: unknown[]) => number;
    preview1[name] = guard((...a: unknown[]) => f.apply(files, a)) as unknown as ImportFn;
  }
  // The socket imports check the kill flag and refresh memory themselves. One wrapper
  // per import, with its own fixed parameters: no rest array, no spread, so a call
  // allocates nothing. A V1/V2 pair is told apart by the parameters the guest did not
  // pass (undefined).
  type N = number;
  Object.assign(preview1, {
    poll_oneoff(a: N, b: N, c: N, d: N): N { try { return h.poll_oneoff(a, b, c, d); } catch (e) { return fail(e); } },
    sock_open(a: N, b: N, c: N): N { try { return h.sock_open(a, b, c); } catch (e) { return fail(e); } },
    sock_bind(a: N, b: N, c: N): N { try { return h.sock_bind(a, b, c); } catch (e) { return fail(e); } },
    sock_connect(a: N, b: N, c: N): N { try { return h.sock_connect(a, b, c); } catch (e) { return fail(e); } },
    sock_listen(a: N, b: N): N { try { return h.sock_listen(a, b); } catch (e) { return fail(e); } },
    sock_accept(a: N, b: N, c?: N): N { try { return c === undefined ? h.sock_accept(a, b) : h.sock_accept(a, b, c); } catch (e) { return fail(e); } },
    sock_recv(a: N, b: N, c: N, d: N, e: N, f: N): N { try { return h.sock_recv(a, b, c, d, e, f); } catch (x) { return fail(x); } },
    sock_recv_from(a: N, b: N, c: N, d: N, e: N, f: N, g: N, i?: N): N {
      try { return i === undefined ? h.sock_recv_from(a, b, c, d, e, f, g) : h.sock_recv_from(a, b, c, d, e, f, g, i); } catch (x) { return fail(x); }
    },
    sock_send(a: N, b: N, c: N, d: N, e: N): N { try { return h.sock_send(a, b, c, d, e); } catch (x) { return fail(x); } },
    sock_send_to(a: N, b: N, c: N, d: N, e: N, f: N, g: N): N { try { return h.sock_send_to(a, b, c, d, e, f, g); } catch (x) { return fail(x); } },
    sock_shutdown(a: N, b: N): N { try { return h.sock_shutdown(a, b); } catch (x) { return fail(x); } },
    sock_getsockopt(a: N, b: N, c: N, d: N, e: N): N { try { return h.sock_getsockopt(a, b, c, d, e); } catch (x) { return fail(x); } },
    sock_setsockopt(a: N, b: N, c: N, d: N, e: N): N { try { return h.sock_setsockopt(a, b, c, d, e); } catch (x) { return fail(x); } },
    sock_getlocaladdr(a: N, b: N, c: N, d?: N): N { try { return d === undefined ? h.sock_getlocaladdr(a, b, c) : h.sock_getlocaladdr(a, b, c, d); } catch (x) { return fail(x); } },
    sock_getpeeraddr(a: N, b: N, c: N, d?: N): N { try { return d === undefined ? h.sock_getpeeraddr(a, b, c) : h.sock_getpeeraddr(a, b, c, d); } catch (x) { return fail(x); } },
    sock_getaddrinfo(a: N, b: N, c: N, d: N, e: N, f: N, g: N, i: N): N { try { return h.sock_getaddrinfo(a, b, c, d, e, f, g, i); } catch (x) { return fail(x); } },
  });
  const sockbox: Record<string, ImportFn> = {
    getsockopt(a: N, b: N, c: N, d: N, e: N): N { try { return h.getsockopt(a, b, c, d, e); } catch (x) { return fail(x); } },
    setsockopt(a: N, b: N, c: N, d: N, e: N): N { try { return h.setsockopt(a, b, c, d, e); } catch (x) { return fail(x); } },
  };
  return { wasi_snapshot_preview1: preview1, sockbox, faults: () => faults };
}

/** The outcome of an exception that ended the guest. */
export function outcomeOf(e: unknown): RunOutcome {
  if (e instanceof KillSignal) return { kind: 'killed' };
  if (e instanceof ProcExit) return { kind: 'exit', exitCode: e.code };
  const err = e as Error | null;
  return { kind: 'trap', message: `${err?.name ?? 'Error'}: ${err?.message ?? String(e)}` };
}

/**
 * A guest run, set up and not yet started. `start()` instantiates the module and
 * calls `_start`; `dispose()` closes every fd the run opened, however it ended.
 */
export class GuestRun {
  readonly sockets: SocketHost;
  readonly imports: GuestImports;
  private readonly files: WasiFiles;
  private disposed = false;

  constructor(private readonly module: WebAssembly.Module, opts: RuntimeOptions) {
    const policy = new Policy(opts.policy);
    const registry = new FdRegistry(opts.registry);
    const table = new FdTable();
    table.push(new StdinFd(opts.stdin));
    // One budget per stream: a flood of stdout leaves room for what goes to stderr.
    table.push(new OutputFd(1, opts.output, new OutputBudget(opts.limits.outputBytes)));
    table.push(new OutputFd(2, opts.output, new OutputBudget(opts.limits.outputBytes)));
    this.sockets = new SocketHost({
      native: opts.native, policy, cancelFd: opts.cancelFd, cancelFlag: opts.ctl, registry, resolver: opts.resolver,
      deadline: opts.deadline,
    });
    this.sockets.attachFds(table);
    const sys = new FileSystem(opts.fs ?? fsNative(), registry, opts.limits.fileBytes, opts.limits.openFiles, opts.confine);
    this.files = new WasiFiles(this.sockets.mem, table, this.sockets, opts.native);
    try {
      for (const p of opts.preopens) {
        const dir = openPreopen(sys, p.host, p.guest, p.readonly);
        if (typeof dir === 'string') throw new Error(`preopens['${p.guest}']: ${dir}`);
        table.push(dir);
      }
    } catch (e) {
      this.dispose();
      throw e;
    }
    const env = Object.entries(opts.env).map(([k, v]) => `${k}=${v}`);
    const core = new WasiCore(this.sockets.mem, opts.args, env);
    this.imports = buildImports(this.sockets, core, this.files);
  }

  /** Instantiates the module and runs `_start` to its end. Never throws but for a termination. */
  start(): RunOutcome {
    let instance: WebAssembly.Instance;
    try {
      instance = new WebAssembly.Instance(this.module, this.imports as unknown as WebAssembly.Imports);
    } catch (e) {
      // A start function runs during instantiation: it may trap, exit or meet a kill.
      if (isUnwind(e) || e instanceof WebAssembly.RuntimeError) return outcomeOf(e);
      return { kind: 'error', message: `guest cannot be instantiated: ${(e as Error).message}` };
    }
    const exports = instance.exports as { memory?: unknown; _start?: unknown };
    if (!(exports.memory instanceof WebAssembly.Memory)) return { kind: 'error', message: 'guest exports no memory' };
    if (typeof exports._start !== 'function') return { kind: 'error', message: 'guest exports no _start (a WASI command module is needed)' };
    this.sockets.mem.attach(exports.memory);
    try {
      (exports._start as () => unknown)();
      return { kind: 'exit', exitCode: 0 };
    } catch (e) {
      return outcomeOf(e);
    }
  }

  /** Closes everything the run holds (sockets, files, folders). Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.files.closeAll();
    this.sockets.closeAll();
  }
}

/**
 * Runs `module` to its end on this thread. Never throws: the outcome says how it
 * ended. Every fd the guest opened is closed before this returns.
 */
export function runGuest(module: WebAssembly.Module, opts: RuntimeOptions): RunOutcome {
  let run: GuestRun;
  try {
    run = new GuestRun(module, opts);
  } catch (e) {
    if (e instanceof KillSignal) return { kind: 'killed' };
    return { kind: 'error', message: (e as Error)?.message ?? String(e) };
  }
  try {
    return run.start();
  } finally {
    run.dispose();
  }
}
