// Host-side errors. A kernel failure is a SocketError, shaped like Node's own errno
// errors (`errno`, `code`, `syscall`); bad arguments are TypeError / RangeError.

import { getSystemErrorMap } from 'node:util';
import { errnoName, errnoNumber } from './native/errno.js';

let messages: Map<number, [string, string]> | undefined;

function describe(errno: number): string {
  messages ??= getSystemErrorMap();
  return messages.get(-errno)?.[1] ?? 'unknown error';
}

/** A failed socket call: `errno` is the host's number, `code` its name. */
export class SocketError extends Error {
  /** The host errno number (Linux ENOPROTOOPT is 92). */
  readonly errno: number;
  /** The errno name, e.g. 'ENOPROTOOPT'. */
  readonly code: string;
  /** The call that failed, e.g. 'getsockopt'. */
  readonly syscall: string;

  constructor(errno: number, syscall: string, message?: string) {
    const code = errnoName(errno);
    super(message ?? `${syscall} ${code}: ${describe(errno)}`);
    this.name = 'SocketError';
    this.errno = errno;
    this.code = code;
    this.syscall = syscall;
  }

  /** A SocketError by errno name, for failures sockbox itself decides (absent options). */
  static fromCode(code: string, syscall: string, message?: string): SocketError {
    return new SocketError(errnoNumber(code) ?? 0, syscall, message);
  }
}
