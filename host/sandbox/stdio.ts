// fd 0, 1 and 2: the guest's stdin and its two output streams. Resources only: the
// WASI layer (wasi-fs.ts) copies between guest memory and these.

import { ERRNO_AGAIN, ERRNO_DQUOT, ERRNO_SUCCESS } from '../native/errno.js';
import { GuestFd } from './fdtable.js';
import {
  FDFLAGS_NONBLOCK, FILETYPE_CHARACTER_DEVICE, RIGHTS_FD_FDSTAT_SET_FLAGS, RIGHTS_FD_FILESTAT_GET, RIGHTS_FD_READ,
  RIGHTS_FD_WRITE, RIGHTS_POLL_FD_READWRITE, type Fdstat,
} from './wasi-defs.js';

/** Where stdin's bytes come from. */
export interface StdinSource {
  /**
   * Up to `max` bytes: a non-empty array, null at the end, or 'again' when nothing is
   * there yet and `wait` is false. With `wait` it waits (killably) for data or the end.
   */
  read(max: number, wait: boolean): Uint8Array | null | 'again';
  /** Is a read ready now (data or the end)? For poll_oneoff. */
  ready(): boolean;
}

/** Stdin from bytes known at start (an empty array: EOF at once). */
export class BytesStdin implements StdinSource {
  private at = 0;
  constructor(private readonly bytes: Uint8Array) {}
  read(max: number): Uint8Array | null {
    if (this.at >= this.bytes.length) return null;
    const n = Math.min(max, this.bytes.length - this.at);
    const out = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
  ready(): boolean {
    return true;
  }
}

/** fd 0, either kind: a character device whose reads may be made non-blocking. */
abstract class StdinBase extends GuestFd {
  nonblock = false;
  fdstat(): Fdstat {
    return {
      filetype: FILETYPE_CHARACTER_DEVICE, flags: this.nonblock ? FDFLAGS_NONBLOCK : 0,
      rightsBase: (RIGHTS_FD_READ | RIGHTS_POLL_FD_READWRITE | RIGHTS_FD_FDSTAT_SET_FLAGS | RIGHTS_FD_FILESTAT_GET) >>> 0,
      rightsInheriting: 0,
    };
  }
  override setFdflags(flags: number): number {
    this.nonblock = (flags & FDFLAGS_NONBLOCK) !== 0;
    return ERRNO_SUCCESS;
  }
}

/** fd 0 from bytes (or any StdinSource). */
export class StdinFd extends StdinBase {
  constructor(readonly source: StdinSource) {
    super();
  }
  /** fd_read: bytes, null at the end, or an errno (AGAIN when non-blocking and empty). */
  read(max: number): Uint8Array | null | number {
    const r = this.source.read(max, !this.nonblock);
    return r === 'again' ? ERRNO_AGAIN : r;
  }
}

/**
 * fd 0 fed by the owner through a pipe (stdin from a Node Readable): the guest reads the
 * pipe's read end, which the owner holds and closes; a blocking read waits in poll(2)
 * with the kill signal, and poll_oneoff sees it like a socket.
 */
export class PipeStdinFd extends StdinBase {
  private closed = false;
  constructor(readonly nativeFd: number) {
    super();
  }
  override pollFd(): number {
    return this.closed ? -1 : this.nativeFd;
  }
  /** The owner closes the pipe; the guest's close only forgets it. */
  override close(): number {
    this.closed = true;
    return ERRNO_SUCCESS;
  }
}

/** Where output goes; write() may wait (backpressure) and may throw to end the run. */
export interface OutputSink {
  write(stream: 1 | 2, chunk: Uint8Array): void;
}

/** What the guest may still print on one stream (limits.outputBytes). */
export class OutputBudget {
  constructor(public left: number) {}
}

/** Pieces handed to the sink at most this long: with backpressure, at most one piece past the limit is in flight. */
export const OUTPUT_PIECE = 64 * 1024;

/** fd 1 or fd 2. */
export class OutputFd extends GuestFd {
  constructor(readonly stream: 1 | 2, private readonly sink: OutputSink, private readonly budget: OutputBudget) {
    super();
  }
  fdstat(): Fdstat {
    return {
      filetype: FILETYPE_CHARACTER_DEVICE, flags: 0,
      rightsBase: (RIGHTS_FD_WRITE | RIGHTS_POLL_FD_READWRITE | RIGHTS_FD_FDSTAT_SET_FLAGS | RIGHTS_FD_FILESTAT_GET) >>> 0,
      rightsInheriting: 0,
    };
  }
  override setFdflags(): number {
    return ERRNO_SUCCESS;
  }
  /** Bytes the guest may still print. */
  allowance(): number {
    return this.budget.left;
  }
  /**
   * Hands `bytes` to the sink (the caller has trimmed them to allowance()). DQUOT when
   * the budget is spent and nothing could be written.
   */
  write(bytes: Uint8Array): number {
    if (bytes.length === 0) return ERRNO_SUCCESS;
    if (this.budget.left <= 0) return ERRNO_DQUOT;
    this.budget.left -= bytes.length;
    for (let at = 0; at < bytes.length; at += OUTPUT_PIECE) {
      this.sink.write(this.stream, bytes.slice(at, Math.min(bytes.length, at + OUTPUT_PIECE)));
    }
    return ERRNO_SUCCESS;
  }
}
