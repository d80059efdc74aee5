// One guest run on the current thread: its fd table (stdio, preopened folders,
// sockets), the WASI imports (wasi-core.ts, wasi-fs.ts) and the socket imports
// (sockets.ts), instantiation and the call of `_start`. Used by the worker (default)
// and by inline mode, which runs `start()` inside a guard that can stop it.

import type { NativeApi } from '../native/libc.js';
import { fsNative, type FsApi } from '../native/fs.js';
import { wasiErrnoOf } from '../errors.js';
import { Policy, type PolicyOptions } from './policy.js';
import { SocketHost, type Resolver } from './sockets.js';
import { KillSignal, ProcExit, HostFailure, isUnwind } from './unwind.js';
import { FdTable } from './fdtable.js';
import { FdRegistry } from './registry.js';
import { FileSystem, openPreopen } from './files.js';
import type { ConfineMode } from './confine.js';
import { WasiFiles, WASI_FILE_IMPORTS } from './wasi-fs.js';
import { WasiCore } from './wasi-core.js';
import { StdinFd, PipeStdinFd, OutputFd, OutputBudget, type StdinSource, type OutputSink } from './stdio.js';
import type { EventSink } from './events.js';
import type { FuncType } from './wasm-module.js';

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
  /** fd 0: bytes known at start, or the read end of a pipe the owner feeds. */
  stdin: StdinSource | number;
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
  /** The host's imports, as the guest calls them (module -> name -> function). */
  hostImports?: Record<string, Record<string, (...args: never[]) => unknown>>;
  /** Called once the guest's memory exists (a worker hands it to the owner for host functions). */
  onMemory?: (memory: WebAssembly.Memory) => void;
  /** Where boundary events go (null or absent: nowhere). */
  events?: EventSink;
  /** Listening sockets the owner opened (listeners.ts): fds 3.. before the preopened folders. */
  listeners?: { fd: number; v6: boolean; slot: number; address: string; port: number }[];
}

/** How a run ended. */
export type RunOutcome =
  | { kind: 'exit'; exitCode: number }
  | { kind: 'killed' }
  | { kind: 'trap'; message: string }
  | { kind: 'host'; fn: string; message: string }
  | { kind: 'error'; message: string }
  /** A loaded plugin closed by its host. */
  | { kind: 'closed' }
  /** The guest's thread died without saying how (ERR_SOCKBOX_CRASHED). */
  | { kind: 'crashed'; message: string };

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
    return wasiErrnoOf(e);
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
    epoll_oneoff(a: N, b: N, c: N, d: N): N { try { return h.epoll_oneoff(a, b, c, d); } catch (e) { return fail(e); } },
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
    sock_lookup_ip(a: N, b: N, c: N, d: N, e: N, f: N): N { try { return h.sock_lookup_ip(a, b, c, d, e, f); } catch (x) { return fail(x); } },
    sock_bind_device(a: N, b: N, c: N): N { try { return h.sock_bind_device(a, b, c); } catch (x) { return fail(x); } },
  });
  // WasmEdge's _v2 names: the same functions, always in their V2 form (for open, bind,
  // connect, listen, recv, send and send_to the two forms have one signature; a V2
  // address may be a 128-byte storage, which the plain names accept too).
  Object.assign(preview1, {
    sock_open_v2: preview1.sock_open,
    sock_bind_v2: preview1.sock_bind,
    sock_connect_v2: preview1.sock_connect,
    sock_listen_v2: preview1.sock_listen,
    sock_recv_v2: preview1.sock_recv,
    sock_send_v2: preview1.sock_send,
    sock_send_to_v2: preview1.sock_send_to,
    sock_accept_v2(a: N, b: N, c: N): N { try { return h.sock_accept(a, b, c | 0); } catch (e) { return fail(e); } },
    sock_recv_from_v2(a: N, b: N, c: N, d: N, e: N, f: N, g: N, i: N): N {
      try { return h.sock_recv_from(a, b, c, d, e, f, g, i | 0); } catch (x) { return fail(x); }
    },
    sock_getlocaladdr_v2(a: N, b: N, c: N): N { try { return h.sock_getlocaladdr(a, b, c); } catch (x) { return fail(x); } },
    sock_getpeeraddr_v2(a: N, b: N, c: N): N { try { return h.sock_getpeeraddr(a, b, c); } catch (x) { return fail(x); } },
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
  if (e instanceof HostFailure) return { kind: 'host', fn: e.fn, message: e.reason };
  if (e instanceof ProcExit) return { kind: 'exit', exitCode: e.code };
  const err = e as Error | null;
  return { kind: 'trap', message: `${err?.name ?? 'Error'}: ${err?.message ?? String(e)}` };
}

/** The imports sockbox provides in `wasi_snapshot_preview1` and `sockbox` (a guest importing anything else needs host functions). */
export const PROVIDED_IMPORTS: Readonly<Record<string, readonly string[]>> = {
  wasi_snapshot_preview1: [
    'args_get', 'args_sizes_get', 'environ_get', 'environ_sizes_get', 'clock_res_get', 'clock_time_get', 'random_get',
    'sched_yield', 'proc_raise', 'proc_exit', ...WASI_FILE_IMPORTS, 'poll_oneoff', 'sock_open', 'sock_bind',
    'sock_connect', 'sock_listen', 'sock_accept', 'sock_recv', 'sock_recv_from', 'sock_send', 'sock_send_to',
    'sock_shutdown', 'sock_getsockopt', 'sock_setsockopt', 'sock_getlocaladdr', 'sock_getpeeraddr', 'sock_getaddrinfo',
    'sock_lookup_ip', 'sock_bind_device', 'epoll_oneoff', 'sock_open_v2', 'sock_bind_v2', 'sock_connect_v2', 'sock_listen_v2',
    'sock_accept_v2', 'sock_recv_v2', 'sock_recv_from_v2', 'sock_send_v2', 'sock_send_to_v2', 'sock_getlocaladdr_v2',
    'sock_getpeeraddr_v2',
  ],
  sockbox: ['getsockopt', 'setsockopt'],
};

/** An argument of a plugin call: a number, a bigint (i64), or bytes (passed through the guest's alloc). */
export type CallArg = number | bigint | Uint8Array;
/** How a plugin call's result is read: the raw value, or bytes/text the guest returned as (ptr << 32) | len. */
export type CallReturns = 'value' | 'bytes' | 'string';
/** How a plugin call ended: a value, a mistake of the caller (the plugin lives on), or the end of the plugin. */
export type CallResult = { ok: true; value: unknown } | { ok: false; usage: string } | { ok: false; outcome: RunOutcome };

/**
 * A guest instance on this thread: set up (fd table, WASI, sockets, preopens),
 * then instantiated; then either `_start` runs it to its end (a command) or its exports
 * are called one at a time (a loaded plugin). `dispose()` closes every fd it opened,
 * however it ended.
 */
export class GuestRun {
  readonly sockets: SocketHost;
  readonly imports: GuestImports;
  private readonly files: WasiFiles;
  private disposed = false;
  private instance: WebAssembly.Instance | undefined;
  private readonly onMemory: ((memory: WebAssembly.Memory) => void) | undefined;
  private readonly hostImports: RuntimeOptions['hostImports'];

  constructor(private readonly module: WebAssembly.Module, opts: RuntimeOptions) {
    this.onMemory = opts.onMemory;
    this.hostImports = opts.hostImports;
    const policy = new Policy(opts.policy);
    const registry = new FdRegistry(opts.registry);
    const table = new FdTable();
    table.push(typeof opts.stdin === 'number' ? new PipeStdinFd(opts.stdin) : new StdinFd(opts.stdin));
    // One budget per stream: a flood of stdout leaves room for what goes to stderr.
    table.push(new OutputFd(1, opts.output, new OutputBudget(opts.limits.outputBytes)));
    table.push(new OutputFd(2, opts.output, new OutputBudget(opts.limits.outputBytes)));
    this.sockets = new SocketHost({
      native: opts.native, policy, cancelFd: opts.cancelFd, cancelFlag: opts.ctl, registry, resolver: opts.resolver,
      deadline: opts.deadline, events: opts.events,
    });
    this.sockets.attachFds(table);
    const sys = new FileSystem(opts.fs ?? fsNative(), registry, opts.limits.fileBytes, opts.limits.openFiles, opts.confine);
    sys.events = opts.events ?? null;
    this.files = new WasiFiles(this.sockets.mem, table, this.sockets, opts.native, opts.fs ?? fsNative());
    for (const l of opts.listeners ?? []) this.sockets.adoptListener(l.fd, l.v6, l.slot, l.address, l.port);
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
    // How many listeners precede the folders, as systemd says it (the host's env wins).
    const listenFds = opts.listeners?.length ? { LISTEN_FDS: String(opts.listeners.length) } : {};
    const env = Object.entries({ ...listenFds, ...opts.env }).map(([k, v]) => `${k}=${v}`);
    const core = new WasiCore(this.sockets.mem, opts.args, env);
    this.imports = buildImports(this.sockets, core, this.files);
  }

  /** Instantiates the module (a start function runs here). null when it worked, else how it ended. */
  instantiate(): RunOutcome | null {
    let instance: WebAssembly.Instance;
    try {
      const imports: Record<string, unknown> = { ...this.hostImports, wasi_snapshot_preview1: this.imports.wasi_snapshot_preview1, sockbox: this.imports.sockbox };
      instance = new WebAssembly.Instance(this.module, imports as WebAssembly.Imports);
    } catch (e) {
      // A start function runs during instantiation: it may trap, exit or meet a kill.
      if (isUnwind(e) || e instanceof WebAssembly.RuntimeError) return outcomeOf(e);
      return { kind: 'error', message: `guest cannot be instantiated: ${(e as Error).message}` };
    }
    const exports = instance.exports as { memory?: unknown };
    if (!(exports.memory instanceof WebAssembly.Memory)) return { kind: 'error', message: 'guest exports no memory' };
    this.instance = instance;
    this.sockets.mem.attach(exports.memory);
    this.onMemory?.(exports.memory);
    return null;
  }

  private get exports(): Record<string, unknown> {
    return (this.instance?.exports ?? {}) as Record<string, unknown>;
  }

  /** The names of the exported functions. */
  exportedFunctions(): string[] {
    return Object.entries(this.exports).filter(([, v]) => typeof v === 'function').map(([k]) => k);
  }

  /** Instantiates the module and runs `_start` to its end. Never throws but for a termination. */
  start(): RunOutcome {
    const failed = this.instantiate();
    if (failed) return failed;
    const start = this.exports._start;
    if (typeof start !== 'function') return { kind: 'error', message: 'guest exports no _start (a WASI command module is needed; a reactor runs with instantiate())' };
    try {
      (start as () => unknown)();
      return { kind: 'exit', exitCode: 0 };
    } catch (e) {
      return outcomeOf(e);
    }
  }

  /** After instantiate(): a reactor's `_initialize`, if it has one. null when it worked. */
  initialize(): RunOutcome | null {
    const init = this.exports._initialize;
    if (typeof init !== 'function') return null;
    try {
      (init as () => unknown)();
      return null;
    } catch (e) {
      return outcomeOf(e);
    }
  }

  /**
   * Calls an export with `args` (bytes go through the guest's `alloc`: a pointer and a
   * length each, freed after with `dealloc` when it has one), and reads its result as
   * `returns` says.
   */
  call(name: string, args: readonly CallArg[], returns: CallReturns, type: FuncType | undefined): CallResult {
    const fn = this.exports[name];
    if (typeof fn !== 'function') return { ok: false, usage: `the plugin exports no function '${name}'` };
    const mem = this.sockets.mem;
    const alloc = this.exports.alloc as ((n: number) => number) | undefined;
    const dealloc = this.exports.dealloc as ((p: number, n: number) => unknown) | undefined;
    const placed: [number, number][] = [];
    try {
      const flat: (number | bigint)[] = [];
      for (const a of args) {
        if (a instanceof Uint8Array) {
          if (typeof alloc !== 'function') return { ok: false, usage: 'the plugin exports no alloc(size): bytes and strings cannot be passed to it' };
          const ptr = alloc(a.length) >>> 0;
          mem.refresh();
          if (ptr === 0 && a.length > 0) return { ok: false, usage: `alloc(${a.length}) returned 0` };
          if (!mem.ok(ptr, a.length)) return { ok: false, usage: `alloc(${a.length}) returned ${ptr}, outside the guest's memory` };
          mem.u8.set(a, ptr);
          placed.push([ptr, a.length]);
          flat.push(ptr, a.length);
        } else {
          flat.push(a);
        }
      }
      const params = type?.params;
      if (params && params.length !== flat.length) {
        return { ok: false, usage: `${name} takes ${params.length} wasm arguments, got ${flat.length} (bytes and strings count as two: pointer and length)` };
      }
      const converted = flat.map((v, i) => {
        const t = params?.[i];
        if (t === 'i64') return typeof v === 'bigint' ? v : BigInt(Math.trunc(v));
        return typeof v === 'bigint' ? Number(v) : v;
      });
      const raw = (fn as (...a: unknown[]) => unknown)(...converted);
      if (returns === 'value') return { ok: true, value: raw };
      // (ptr << 32) | len, as an i64 (or a number that holds it).
      const packed = typeof raw === 'bigint' ? BigInt.asUintN(64, raw) : BigInt(Number(raw) >>> 0);
      const ptr = Number(packed >> 32n);
      const len = Number(packed & 0xffffffffn);
      mem.refresh();
      if (!mem.ok(ptr, len)) return { ok: false, usage: `${name} returned (ptr ${ptr}, len ${len}), outside the guest's memory` };
      const bytes = mem.u8.slice(ptr, ptr + len);
      if (typeof dealloc === 'function' && len > 0) dealloc(ptr, len);
      return { ok: true, value: returns === 'string' ? Buffer.from(bytes).toString('utf8') : bytes };
    } catch (e) {
      if (isUnwind(e) || e instanceof WebAssembly.RuntimeError) return { ok: false, outcome: outcomeOf(e) };
      return { ok: false, usage: (e as Error)?.message ?? String(e) };
    } finally {
      if (typeof dealloc === 'function') {
        for (const [p, n] of placed) {
          try { dealloc(p, n); } catch { /* the next call will meet a broken plugin if this mattered */ }
        }
      }
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
