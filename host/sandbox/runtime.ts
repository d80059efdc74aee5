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
import { ERRNO_FAULT, ERRNO_INVAL, ERRNO_IO } from '../native/errno.js';

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
  const guard = (fn: ImportFn): ImportFn => (...args: number[]) => {
    try {
      return fn(...args);
    } catch (e) {
      if (isUnwind(e)) throw e;
      return errnoFor(e);
    }
  };
  const shimRead = preview1.fd_read;
  const shimWrite = preview1.fd_write;
  const shimClose = preview1.fd_close;
  Object.assign(preview1, {
    fd_read: guard((fd, iovs, n, out) => {
      const s = h.socketAt(fd);
      if (!s) return shimRead(fd, iovs, n, out);
      h.checkKill();
      h.mem.refresh();
      return h.fd_read(s, iovs, n, out);
    }),
    fd_write: guard((fd, iovs, n, out) => {
      const s = h.socketAt(fd);
      if (!s) return shimWrite(fd, iovs, n, out);
      h.checkKill();
      h.mem.refresh();
      return h.fd_write(s, iovs, n, out);
    }),
    fd_close: guard((fd) => {
      const s = h.socketAt(fd);
      if (!s) return shimClose(fd);
      (wasi.fds as (Fd | undefined)[])[fd] = undefined;
      return h.closeSocket(s);
    }),
    poll_oneoff: guard((a, b, c, d) => h.poll_oneoff(a, b, c, d)),
    sock_open: guard((a, b, c) => h.sock_open(a, b, c)),
    sock_bind: guard((a, b, c) => h.sock_bind(a, b, c)),
    sock_connect: guard((a, b, c) => h.sock_connect(a, b, c)),
    sock_listen: guard((a, b) => h.sock_listen(a, b)),
    // V1 and V2 differ in argument count; the arguments the guest passed tell which.
    sock_accept: guard((...a) => (a.length >= 3 ? h.sock_accept(a[0], a[1], a[2]) : h.sock_accept(a[0], a[1]))),
    sock_recv: guard((a, b, c, d, e, f) => h.sock_recv(a, b, c, d, e, f)),
    sock_recv_from: guard((...a) => (a.length >= 8
      ? h.sock_recv_from(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7])
      : h.sock_recv_from(a[0], a[1], a[2], a[3], a[4], a[5], a[6]))),
    sock_send: guard((a, b, c, d, e) => h.sock_send(a, b, c, d, e)),
    sock_send_to: guard((a, b, c, d, e, f, g) => h.sock_send_to(a, b, c, d, e, f, g)),
    sock_shutdown: guard((a, b) => h.sock_shutdown(a, b)),
    sock_getsockopt: guard((a, b, c, d, e) => h.sock_getsockopt(a, b, c, d, e)),
    sock_setsockopt: guard((a, b, c, d, e) => h.sock_setsockopt(a, b, c, d, e)),
    sock_getlocaladdr: guard((...a) => (a.length >= 4 ? h.sock_getlocaladdr(a[0], a[1], a[2], a[3]) : h.sock_getlocaladdr(a[0], a[1], a[2]))),
    sock_getpeeraddr: guard((...a) => (a.length >= 4 ? h.sock_getpeeraddr(a[0], a[1], a[2], a[3]) : h.sock_getpeeraddr(a[0], a[1], a[2]))),
    sock_getaddrinfo: guard((a, b, c, d, e, f, g, i) => h.sock_getaddrinfo(a, b, c, d, e, f, g, i)),
  });
  const sockbox = {
    getsockopt: guard((a, b, c, d, e) => h.getsockopt(a, b, c, d, e)),
    setsockopt: guard((a, b, c, d, e) => h.setsockopt(a, b, c, d, e)),
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
