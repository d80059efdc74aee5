// The files of one run: the books every preopened folder and every directory and
// file opened inside them share (the calls, the fd registry, the confiner, the open
// count and the write quota), and the opening of the preopens. The resources are
// HostDir (host-dir.ts) and HostFile (host-file.ts); they see only JS values and
// native fds, and wasi-fs.ts / wasi-paths.ts read and write guest memory for them.

import { O, AT, type FsApi } from '../native/fs.js';
import { ERRNO_SUCCESS, errnoName } from '../native/errno.js';
import { Confiner, type ConfineMode } from './confine.js';
import { FdRegistry } from './registry.js';
import type { EventSink } from './events.js';
import { wasiErr } from './fs-translate.js';
import { HostDir } from './host-dir.js';

export { HostDir } from './host-dir.js';
export { HostFile } from './host-file.js';
export { filetypeOf, filetypeOfDirent } from './fs-translate.js';

/** What every folder and file of one run shares: the calls, the books, the limits. */
export class FileSystem {
  readonly confiner: Confiner;
  /** Bytes the guest has written to files (and grown them by) this run. */
  written = 0;
  /** Files and directories the guest holds open (preopens included). */
  open = 0;
  /** Where refusals are reported (null: nobody listens). */
  events: EventSink = null;

  constructor(
    readonly fs: FsApi,
    private readonly registry: FdRegistry,
    /** Most bytes the guest may write to files in one run (limits.fileBytes). */
    readonly maxWrite: number,
    /** Most files and directories open at once. */
    readonly maxOpen: number,
    mode: ConfineMode = 'auto',
  ) {
    this.confiner = new Confiner(fs, mode);
  }

  /** Bytes the guest may still write. */
  quotaLeft(): number {
    return Math.max(0, this.maxWrite - this.written);
  }

  /** Takes a native fd into the books; closes it and returns -1 when the books are full. */
  adopt(fd: number): number {
    if (this.open >= this.maxOpen) { this.fs.close(fd); return -1; }
    const slot = this.registry.add(fd);
    if (slot === -1) { this.fs.close(fd); return -1; }
    this.open++;
    return slot;
  }

  /** Closes a native fd taken by adopt(). */
  release(fd: number, slot: number): number {
    this.registry.remove(slot);
    this.open--;
    return this.fs.close(fd) < 0 ? wasiErr(this.fs.errno()) : ERRNO_SUCCESS;
  }
}

/**
 * Opens a host folder as a preopen: an O_RDONLY | O_DIRECTORY fd on the folder itself
 * (the host's path may use symlinks; the guest's paths beneath it may not leave it).
 */
export function openPreopen(sys: FileSystem, hostPath: string, guestName: string, readonly: boolean): HostDir | string {
  const fs = sys.fs;
  const path = new Uint8Array(Buffer.byteLength(hostPath) + 1);
  path.set(Buffer.from(hostPath, 'utf8'));
  const fd = fs.openat(AT.FDCWD, path, O.RDONLY | O.DIRECTORY | O.CLOEXEC, 0);
  if (fd < 0) return `cannot open '${hostPath}': ${errnoName(fs.errno())}`;
  const slot = sys.adopt(fd);
  if (slot === -1) return `too many preopens`;
  return new HostDir(sys, fd, slot, Buffer.from(guestName, 'utf8'), readonly);
}
