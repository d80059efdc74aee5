// Runs one guest to its end on the current thread: WASI from browser_wasi_shim for
// everything that is not a socket, our socket imports for the rest, in one fd table.
// Used by the worker (default) and by inline mode.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  WASI, WASIProcExit, File, Directory, OpenFile, PreopenDirectory, ConsoleStdout,
  type Fd, type Inode,
} from '@bjorn3/browser_wasi_shim';
import type { NativeApi } from '../native/libc.js';
import { Policy, type PolicyOptions } from './policy.js';
import { SocketHost, KillSignal, isUnwind } from './sockets.js';
import { ERRNO_BADF, ERRNO_FAULT, ERRNO_INVAL, ERRNO_IO } from '../native/errno.js';

/** What a guest run needs, all of it plain data but the sinks and the native layer. */
export interface RuntimeOptions {
  args: string[];
  env: Record<string, string>;
  /** Guest path -> host folder (read into memory at start). */
  preopens: Record<string, string>;
  policy: PolicyOptions;
  stdout: (chunk: Uint8Array) => void;
  stderr: (chunk: Uint8Array) => void;
  native: NativeApi;
  cancelFd: number;
  cancelFlag?: Int32Array;
  registry?: Int32Array;
}

/** How a run ended. */
export type RunOutcome =
  | { kind: 'exit'; exitCode: number }
  | { kind: 'killed' }
  | { kind: 'trap'; message: string }
  | { kind: 'error'; message: string };

/** Preopened folders are read into memory once, when the guest starts. */
function loadDir(path: string, depth = 0): Map<string, Inode> {
  const out = new Map<string, Inode>();
  if (depth > 32) return out;
  for (const name of readdirSync(path)) {
    const full = join(path, name);
    const st = statSync(full);
    if (st.isDirectory()) out.set(name, new Directory(loadDir(full, depth + 1)));
    else if (st.isFile()) out.set(name, new File(readFileSync(full)));
  }
  return out;
}

/** The errno an unexpected host exception in a WASI import becomes. */
function errnoFor(e: unknown): number {
  if (e instanceof RangeError) return ERRNO_FAULT; // an out-of-bounds guest pointer
  if (e instanceof TypeError) return ERRNO_INVAL;
  return ERRNO_IO;
}

/** An import as the guest calls it. */
export type ImportFn = (...args: number[]) => number;

/** The import object a guest gets: the shim's WASI, guarded, with the socket layer in it. */
export function buildImports(h: SocketHost, wasi: WASI): { wasi_snapshot_preview1: Record<string, ImportFn>; sockbox: Record<string, ImportFn> } {
  // The shim's functions may throw on a bad guest pointer (and its sock_* throw
  // strings): every one is wrapped so the guest only ever sees an errno.
  const preview1: Record<string, ImportFn> = {};
  for (const [name, fn] of Object.entries(wasi.wasiImport)) {
    preview1[name] = (...args: number[]) => {
      try {
        h.checkKill();
        return fn(...args) as number;
      } catch (e) {
        if (isUnwind(e)) throw e;
        return errnoFor(e);
      }
    };
  }
  // One wrapper per import, with its own fixed parameters: no rest array, no spread,
  // so a call allocates nothing. A V1/V2 pair is told apart by the parameters the
  // guest did not pass (undefined).
  const fail = (e: unknown): number => {
    if (isUnwind(e)) throw e;
    return errnoFor(e);
  };
  const shimRead = preview1.fd_read;
  const shimWrite = preview1.fd_write;
  const shimClose = preview1.fd_close;
  const shimRenumber = preview1.fd_renumber;
  type N = number;
  Object.assign(preview1, {
    fd_read(fd: N, iovs: N, n: N, out: N): N {
      try {
        const s = h.socketAt(fd);
        if (!s) return shimRead(fd, iovs, n, out);
        h.checkKill();
        h.mem.refresh();
        return h.fd_read(s, iovs, n, out);
      } catch (e) { return fail(e); }
    },
    fd_write(fd: N, iovs: N, n: N, out: N): N {
      try {
        const s = h.socketAt(fd);
        if (!s) return shimWrite(fd, iovs, n, out);
        h.checkKill();
        h.mem.refresh();
        return h.fd_write(s, iovs, n, out);
      } catch (e) { return fail(e); }
    },
    fd_close(fd: N): N {
      try {
        const s = h.socketAt(fd);
        if (!s) return shimClose(fd);
        (wasi.fds as (Fd | undefined)[])[fd] = undefined;
        return h.closeSocket(s);
      } catch (e) { return fail(e); }
    },
    fd_renumber(from: N, to: N): N {
      try {
        // The shim closes `to` before moving `from` there: with from === to that would
        // close the fd itself. POSIX dup2 onto itself does nothing.
        if (from === to) return (wasi.fds as (Fd | undefined)[])[from >>> 0] === undefined ? ERRNO_BADF : 0;
        return shimRenumber(from, to);
      } catch (e) { return fail(e); }
    },
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
  return { wasi_snapshot_preview1: preview1, sockbox };
}

/**
 * Runs `module` to its end. Never throws: the outcome says how it ended. Every
 * socket the guest opened is closed before this returns.
 */
export function runGuest(module: WebAssembly.Module, opts: RuntimeOptions): RunOutcome {
  let host: SocketHost | undefined;
  try {
    const policy = new Policy(opts.policy);
    const fds: Fd[] = [
      new OpenFile(new File(new Uint8Array(0))),
      new ConsoleStdout((b) => opts.stdout(b)),
      new ConsoleStdout((b) => opts.stderr(b)),
    ];
    for (const [guestPath, hostPath] of Object.entries(opts.preopens)) {
      fds.push(new PreopenDirectory(guestPath, loadDir(hostPath)));
    }
    const env = Object.entries(opts.env).map(([k, v]) => `${k}=${v}`);
    const wasi = new WASI(opts.args, env, fds, { debug: false });
    host = new SocketHost({ native: opts.native, policy, cancelFd: opts.cancelFd, cancelFlag: opts.cancelFlag, registry: opts.registry });
    host.attachFds(wasi.fds as (Fd | undefined)[]);
    const imports = buildImports(host, wasi);

    let instance: WebAssembly.Instance;
    try {
      instance = new WebAssembly.Instance(module, imports);
    } catch (e) {
      // A start function runs during instantiation: it may trap or meet a kill.
      if (e instanceof KillSignal) return { kind: 'killed' };
      if (e instanceof WASIProcExit) return { kind: 'exit', exitCode: e.code };
      if (e instanceof WebAssembly.RuntimeError) return { kind: 'trap', message: `${e.name}: ${e.message}` };
      return { kind: 'error', message: `guest cannot be instantiated: ${(e as Error).message}` };
    }
    const exports = instance.exports as { memory?: WebAssembly.Memory; _start?: () => unknown };
    if (!(exports.memory instanceof WebAssembly.Memory)) return { kind: 'error', message: 'guest exports no memory' };
    if (typeof exports._start !== 'function') return { kind: 'error', message: 'guest exports no _start (a WASI command module is needed)' };
    host.mem.attach(exports.memory);
    try {
      const exitCode = wasi.start(instance as unknown as { exports: { memory: WebAssembly.Memory; _start: () => unknown } });
      return { kind: 'exit', exitCode };
    } catch (e) {
      if (e instanceof KillSignal) return { kind: 'killed' };
      if (e instanceof WASIProcExit) return { kind: 'exit', exitCode: e.code };
      const err = e as Error;
      return { kind: 'trap', message: `${err?.name ?? 'Error'}: ${err?.message ?? String(e)}` };
    }
  } catch (e) {
    if (e instanceof KillSignal) return { kind: 'killed' };
    return { kind: 'error', message: (e as Error)?.message ?? String(e) };
  } finally {
    host?.closeAll();
  }
}
