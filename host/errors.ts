// Every error sockbox throws on purpose, in one family, and the one function that turns
// an exception inside a guest import into a WASI errno.
//
//   SockboxError               code: 'ERR_SOCKBOX_*'
//   ├── SocketError            a kernel call failed: code is the errno's name
//   │                          ('ENOPROTOOPT'), errno its host number, as Python's OSError
//   ├── SandboxError           a run or a plugin call did not end with an exit code or a
//   │                          result: ERR_SOCKBOX_KILLED, _TIMEOUT, _GUEST_TRAP, ...
//   ├── PolicyError            a grant or an option name a host wrote is malformed:
//   │                          ERR_SOCKBOX_POLICY
//   └── UsageError (cli.ts)    a bad command line: ERR_SOCKBOX_USAGE (the CLI's own,
//                              not exported)
//
// Bad arguments to the public API are TypeError and RangeError, as Node's own and as
// CPython's (see validators.ts); they are not SockboxErrors.

import { getSystemErrorMap } from 'node:util';
import {
  errnoName, errnoNumber, toWasiErrno, ERRNO_FAULT, ERRNO_INVAL, ERRNO_IO, ERRNO_NOTCAPABLE,
} from './native/errno.js';

let messages: Map<number, [string, string]> | undefined;

function describe(errno: number): string {
  messages ??= getSystemErrorMap();
  return messages.get(-errno)?.[1] ?? 'unknown error';
}

/** The base of every error sockbox throws on purpose: `code` says which. */
export class SockboxError extends Error {
  readonly code: string;
  constructor(message: string, code: string) {
    super(message);
    this.name = 'SockboxError';
    this.code = code;
  }
}

/**
 * A failed socket call. `errno` is the host's number (positive, as in Python's
 * OSError: Linux ENOPROTOOPT is 92; Node's own system errors carry it negated),
 * `code` its name, `syscall` the call.
 */
export class SocketError extends SockboxError {
  /** The host errno number (Linux ENOPROTOOPT is 92). */
  readonly errno: number;
  /** The call that failed, e.g. 'getsockopt'. */
  readonly syscall: string;

  constructor(errno: number, syscall: string, message?: string) {
    const code = errnoName(errno);
    super(message ?? `${syscall} ${code}: ${describe(errno)}`, code);
    this.name = 'SocketError';
    this.errno = errno;
    this.syscall = syscall;
  }

  /** A SocketError by errno name, for failures sockbox itself decides (absent options). */
  static fromCode(code: string, syscall: string, message?: string): SocketError {
    return new SocketError(errnoNumber(code) ?? 0, syscall, message);
  }
}

/** The codes of SandboxError. */
export type SandboxErrorCode =
  /** kill() was called. */
  | 'ERR_SOCKBOX_KILLED'
  /** timeoutMs passed. */
  | 'ERR_SOCKBOX_TIMEOUT'
  /** A stdout/stderr sink threw or rejected, or limits.outputBytes ran out for a sink that must see all. */
  | 'ERR_SOCKBOX_OUTPUT'
  /** onEvent threw. */
  | 'ERR_SOCKBOX_EVENT'
  /** A host function threw or rejected. */
  | 'ERR_SOCKBOX_HOST_FUNCTION'
  /** The guest trapped (unreachable, out-of-bounds access, stack overflow, ...). */
  | 'ERR_SOCKBOX_GUEST_TRAP'
  /** The guest exited during a plugin call (exitCode says with what). */
  | 'ERR_SOCKBOX_GUEST_EXIT'
  /** The module cannot run here (not wasm, imports we lack, memory above the limit, ...). */
  | 'ERR_SOCKBOX_GUEST_INVALID'
  /** A plugin call while another is running. */
  | 'ERR_SOCKBOX_BUSY'
  /** The guest's thread died without saying how (out of memory in the worker, ...). */
  | 'ERR_SOCKBOX_CRASHED'
  /** A call on a plugin that was closed. */
  | 'ERR_SOCKBOX_PLUGIN_CLOSED'
  /** A preopened listener could not be opened. */
  | 'ERR_SOCKBOX_LISTEN';

/** Why a run (or a plugin call) did not end with an exit code (or a result). */
export class SandboxError extends SockboxError {
  declare readonly code: SandboxErrorCode;
  /** ERR_SOCKBOX_GUEST_EXIT: the code the guest exited with during a plugin call. */
  readonly exitCode?: number;
  constructor(message: string, code: SandboxErrorCode, exitCode?: number) {
    super(message, code);
    this.name = 'SandboxError';
    if (exitCode !== undefined) this.exitCode = exitCode;
  }
}

/** A bad grant or option name: one clear line, e.g. "bad grant '10.0.0.1': expected ADDR[/PREFIX]:PORTS". */
export class PolicyError extends SockboxError {
  declare readonly code: 'ERR_SOCKBOX_POLICY';
  constructor(message: string) {
    super(message, 'ERR_SOCKBOX_POLICY');
    this.name = 'PolicyError';
  }
}

/**
 * The WASI errno an exception inside a guest import becomes (the guest boundary never
 * throws). A SocketError is its errno; a PolicyError NOTCAPABLE; a RangeError (an
 * out-of-bounds guest pointer met by a typed array) FAULT; a TypeError INVAL; anything
 * else IO. Every import has its own checks first: an exception here is a host fault,
 * which the sandbox counts.
 */
export function wasiErrnoOf(e: unknown): number {
  if (e instanceof SocketError) return e.errno > 0 ? toWasiErrno(e.errno) : ERRNO_IO;
  if (e instanceof PolicyError) return ERRNO_NOTCAPABLE;
  if (e instanceof RangeError) return ERRNO_FAULT;
  if (e instanceof TypeError) return ERRNO_INVAL;
  return ERRNO_IO;
}
