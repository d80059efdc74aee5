// The options of a Sandbox: their types, their defaults, and the one function that
// checks and copies them (so that changing the caller's objects later changes nothing).

import { existsSync, statSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { Readable } from 'node:stream';
import type { NativeApi } from '../native/libc.js';
import type { NetGrants, SockoptOverrides, PolicyOptions } from './policy.js';
import type { PreopenSpec } from './runtime.js';
import type { SandboxEvent } from './events.js';
import { validateHostImports, type HostImports } from './hostfn.js';
import { PAGE } from './wasm-module.js';
import { parseListen, type ListenSpec } from './listeners.js';
import {
  isPlainObject, show, validateBoolean, validateFunction, validateInteger, validateKeys, validateObject,
  validateStringArray, validateStringRecord,
} from '../validators.js';

/**
 * Where guest output goes: a function (which may return a promise), or anything with a
 * write method: a Node Writable (write(chunk, encoding, callback): a chunk is taken
 * when it calls back), or write(chunk) alone (taken when it returns or its promise
 * settles). The guest's writes wait while 1 MiB is not yet taken.
 */
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
  /** Most sockets open at once (listeners included). Default 64. */
  maxSockets?: number;
  /**
   * Listening TCP sockets the host opens before the guest starts ('ADDR:PORT',
   * '[ADDR6]:PORT'; port 0: an ephemeral one), handed to it as fds 3, 4, ... in this
   * order, before the preopened folders (as `wasmtime run --tcplisten`); LISTEN_FDS in
   * the guest's env says how many. No net.bind grant is needed: the host chose them.
   * `sandbox.listeners` says where they listen once a run starts. Default none.
   */
  listen?: string[];
  /** Memory, file, output and open-file limits (see SandboxLimits for the defaults). */
  limits?: SandboxLimits;
  /** run() (or each plugin call) rejects with ERR_SOCKBOX_TIMEOUT after this many ms. Default: no limit. */
  timeoutMs?: number;
  /**
   * What the guest reads on fd 0: bytes, text (UTF-8), or a Node Readable (worker mode:
   * a read waits for data, EOF at its end). Default: empty (EOF at once).
   */
  stdin?: Uint8Array | string | Readable;
  /** Guest stdout. Default: this process's stdout. */
  stdout?: Sink;
  /** Guest stderr. Default: this process's stderr. */
  stderr?: Sink;
  /** Host functions the guest may import: { module: { name: (ctx, ...args) => result } }. */
  imports?: HostImports;
  /** What the guest did at the boundary (sockets, lookups, refusals, its end). Default: nothing is reported. */
  onEvent?: (event: SandboxEvent) => void;
  /** Run in a worker thread (default true). false runs on the calling thread. */
  worker?: boolean;
  /**
   * The native layer for sockets (inline mode only): tests pass a recording layer so
   * no syscall runs. Default: the C library.
   */
  native?: NativeApi;
}

export { SandboxError, type SandboxErrorCode } from '../errors.js';

/** Defaults of SandboxLimits. */
export const DEFAULT_LIMITS: Readonly<Required<SandboxLimits>> = Object.freeze({
  memoryBytes: 256 * 1024 * 1024,
  fileBytes: 64 * 1024 * 1024,
  outputBytes: 64 * 1024 * 1024,
  openFiles: 64,
});
/** The largest timeoutMs (setTimeout's limit). */
const MAX_TIMEOUT = 0x7fffffff;

const OPTION_KEYS = [
  'args', 'env', 'preopens', 'net', 'sockopts', 'maxSockets', 'listen', 'limits', 'timeoutMs', 'stdin', 'stdout', 'stderr',
  'imports', 'onEvent', 'worker', 'native',
] as const;
const LIMIT_KEYS = ['memoryBytes', 'fileBytes', 'outputBytes', 'openFiles'] as const;

/** The options of a Sandbox, checked and copied. */
export interface Config {
  args: string[];
  env: Record<string, string>;
  preopens: PreopenSpec[];
  listen: ListenSpec[];
  policy: PolicyOptions;
  limits: Required<SandboxLimits>;
  timeoutMs: number | undefined;
  stdin: Uint8Array | Readable;
  imports: HostImports;
  onEvent: ((event: SandboxEvent) => void) | undefined;
  worker: boolean;
  native: NativeApi | undefined;
}

export function configure(options: unknown): Config {
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
  const worker = o.worker === undefined ? true : validateBoolean(o.worker, 'worker');
  let stdin: Uint8Array | Readable = new Uint8Array(0);
  if (typeof o.stdin === 'string') stdin = new Uint8Array(Buffer.from(o.stdin, 'utf8'));
  else if (o.stdin instanceof Uint8Array) stdin = o.stdin.slice();
  else if (o.stdin instanceof Readable) {
    // Inline, the guest holds the thread: a stream could never deliver while it waits.
    if (!worker) throw new TypeError('stdin as a Readable needs worker mode (inline, give bytes or a string)');
    stdin = o.stdin;
  } else if (o.stdin !== undefined) throw new TypeError(`stdin must be a Uint8Array, a string or a Readable, got ${show(o.stdin)}`);
  if (o.native !== undefined && worker) throw new TypeError('options.native needs worker: false');
  const imports = o.imports === undefined ? {} : validateHostImports(o.imports);
  const onEvent = o.onEvent === undefined ? undefined : validateFunction<(e: SandboxEvent) => void>(o.onEvent, 'onEvent');
  // structuredClone: the policy is kept as it was at construction (the caller's arrays are not).
  const policy = structuredClone({ net: o.net, sockopts: o.sockopts, maxSockets: o.maxSockets }) as PolicyOptions;
  const listen = parseListen(o.listen);
  return { args, env, preopens, listen, policy, limits, timeoutMs, stdin, imports, onEvent, worker, native: o.native as NativeApi | undefined };
}
