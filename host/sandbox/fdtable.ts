// The guest's fd table: one array, index = guest fd, shared by stdio, preopened
// folders, files and sockets. Its entries are resources: they see only JS values and
// native fds, and answer with WASI errnos; the import modules own guest memory.

import { ERRNO_BADF, ERRNO_NOTSUP, ERRNO_SUCCESS } from '../native/errno.js';
import type { Fdstat, Filestat } from './wasi-defs.js';

/** An entry of the fd table. Every method a resource lacks answers as WASI would. */
export abstract class GuestFd {
  /** fd_fdstat_get. */
  abstract fdstat(): Fdstat;

  /** fd_filestat_get: a resource without a file behind it has zeros and its filetype. */
  filestat(): Filestat | number {
    return { dev: 0n, ino: 0n, filetype: this.fdstat().filetype, nlink: 0n, size: 0n, atim: 0n, mtim: 0n, ctim: 0n };
  }

  /** fd_fdstat_set_flags. */
  setFdflags(_flags: number): number {
    return ERRNO_NOTSUP;
  }

  /** A native fd poll(2) can wait on for this resource, or -1 (always ready: files, bytes). */
  pollFd(): number {
    return -1;
  }

  /** fd_close: releases what the resource holds. The table entry is removed by the caller. */
  close(): number {
    return ERRNO_SUCCESS;
  }
}

/** The fd table of one guest run. */
export class FdTable {
  private readonly entries: (GuestFd | undefined)[] = [];

  /** The resource at guest fd `fd` (taken as u32), or undefined. */
  get(fd: number): GuestFd | undefined {
    return this.entries[fd >>> 0];
  }

  /** Puts a resource at the lowest free fd (as POSIX does) and returns that fd. */
  insert(r: GuestFd): number {
    const e = this.entries;
    for (let i = 0; i < e.length; i++) {
      if (e[i] === undefined) { e[i] = r; return i; }
    }
    e.push(r);
    return e.length - 1;
  }

  /** Appends a resource at the next fd (start-up: stdio, listeners, preopens in order). */
  push(r: GuestFd): number {
    this.entries.push(r);
    return this.entries.length - 1;
  }

  /** Removes fd `fd` from the table (without closing it). */
  remove(fd: number): void {
    const i = fd >>> 0;
    if (i < this.entries.length) this.entries[i] = undefined;
    while (this.entries.length > 0 && this.entries[this.entries.length - 1] === undefined) this.entries.pop();
  }

  /** Puts `r` at fd `to`, replacing what was there (fd_renumber). */
  set(to: number, r: GuestFd): void {
    const i = to >>> 0;
    while (this.entries.length <= i) this.entries.push(undefined);
    this.entries[i] = r;
  }

  /** The fd of a resource in the table, or -1. */
  indexOf(r: GuestFd): number {
    return this.entries.indexOf(r);
  }

  /** Every resource in the table (for closing at the end of a run). */
  all(): GuestFd[] {
    return this.entries.filter((r): r is GuestFd => r !== undefined);
  }

  /** BADF unless fd `fd` is open. */
  check(fd: number): number {
    return this.get(fd) === undefined ? ERRNO_BADF : ERRNO_SUCCESS;
  }
}
