// Path resolution that cannot leave a directory handle.
//
// A guest names files by paths relative to a directory fd it holds (a preopen, or a
// directory it opened inside one). Every open is resolved by the kernel beneath that
// handle, never checked first and opened after:
//   - Linux: openat2(2) with RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS. An absolute path,
//     a `..` above the handle or a symlink that leads out (absolute, or through `..`)
//     fails with EXDEV; /proc magic links fail with ELOOP; a symlink loop with ELOOP.
//   - elsewhere (or where openat2 is missing: ENOSYS): one component at a time with
//     O_NOFOLLOW, reading each symlink and resolving its text the same way, `..` popping
//     a stack of directory fds that never goes below the handle (cap-std's manual
//     resolution). At most 40 symlinks per lookup (Linux's MAXSYMLINKS).
// An escape comes back as EXDEV in both modes; the WASI layer answers NOTCAPABLE.
//
// Paths are the guest's bytes, held as latin1 strings (one char per byte) so that
// splitting on '/' never re-encodes them.

import { constants as osConstants } from 'node:os';
import { O, AT, RESOLVE_BENEATH, RESOLVE_NO_MAGICLINKS, type FsApi } from '../native/fs.js';

const E = osConstants.errno as Record<string, number>;
/** Host errnos this module returns (negated). */
const { EXDEV, ELOOP, ENOENT, ENOSYS, EAGAIN, EINVAL, ENOTDIR } = E;
/** Linux's MAXSYMLINKS (include/linux/namei.h). */
const MAX_SYMLINKS = 40;
const IS_LINUX = process.platform === 'linux';

/** Which resolution a Confiner uses. 'auto': openat2 where it works, the walk elsewhere. */
export type ConfineMode = 'auto' | 'openat2' | 'walk';

/** A path split for the *at() calls that act on a directory entry. */
export interface ParentRef {
  /** The directory holding the entry (an fd this call opened, or the handle itself). */
  fd: number;
  /** Does the caller close `fd` when done? */
  owned: boolean;
  /** The entry's name: no '/', never '.' or '..'. NUL-terminated. */
  name: Uint8Array;
  /** The path ended in '/': the entry must be a directory. */
  dirOnly: boolean;
}

/** Bytes of a latin1 string plus a NUL, for the fs calls. */
function bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length + 1);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** A guest path's bytes as a latin1 string. */
export function pathText(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}

/** Opens and names files beneath directory handles, with one resolution mode. */
export class Confiner {
  private useOpenat2: boolean;

  constructor(private readonly fs: FsApi, mode: ConfineMode = 'auto') {
    this.useOpenat2 = mode !== 'walk' && IS_LINUX;
  }

  /** 'openat2' or 'walk': what this confiner uses now. */
  get mode(): 'openat2' | 'walk' {
    return this.useOpenat2 ? 'openat2' : 'walk';
  }

  /**
   * Opens `path` beneath directory handle `dirFd`. `follow`: follow a symlink in the
   * last component (without it, a symlink there is ELOOP). Returns the fd or -errno
   * (host numbering; EXDEV for an escape).
   */
  open(dirFd: number, path: string, flags: number, mode: number, follow: boolean): number {
    if (path.includes('\0')) return -EINVAL;
    if (path === '') return -ENOENT;
    if (path.endsWith('/')) { flags |= O.DIRECTORY; follow = true; }
    // O_PATH takes only O_DIRECTORY, O_NOFOLLOW and O_CLOEXEC (openat2 says EINVAL to
    // anything else), and a mode only goes with O_CREAT.
    const isPath = O.PATH !== 0 && (flags & O.PATH) !== 0;
    flags |= O.CLOEXEC | (isPath ? 0 : O.NOCTTY);
    if ((flags & O.CREAT) === 0) mode = 0;
    if (!follow) flags |= O.NOFOLLOW;
    if (this.useOpenat2) {
      for (let attempt = 0; attempt < 8; attempt++) {
        const fd = this.fs.openat2(dirFd, bytes(path), flags, mode, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS);
        if (fd >= 0) return fd;
        const e = this.fs.errno();
        // EAGAIN: a rename or mount raced a `..` (openat2(2)); try again.
        if (e === EAGAIN) continue;
        if (e === ENOSYS) { this.useOpenat2 = false; break; }
        return -e;
      }
      if (this.useOpenat2) return -EAGAIN;
    }
    return this.walk(dirFd, path, flags, mode, follow);
  }

  /**
   * The directory that holds the last component of `path`, for mkdirat, unlinkat,
   * renameat, linkat, symlinkat, readlinkat and friends. A last component of `.` or
   * `..` (or a path that is only slashes) has no entry to act on: -EINVAL, so that the
   * caller resolves the whole path instead (see `isDirPath`).
   */
  parent(dirFd: number, path: string): ParentRef | number {
    if (path.includes('\0')) return -EINVAL;
    let dirOnly = false;
    let p = path;
    while (p.length > 1 && p.endsWith('/')) { p = p.slice(0, -1); dirOnly = true; }
    const slash = p.lastIndexOf('/');
    const name = slash < 0 ? p : p.slice(slash + 1);
    const dir = slash < 0 ? '' : p.slice(0, slash + 1);
    if (name === '' || name === '.' || name === '..') return -EINVAL;
    if (dir === '') return { fd: dirFd, owned: false, name: bytes(name), dirOnly };
    const fd = this.open(dirFd, dir, (O.PATH !== 0 ? O.PATH : O.RDONLY) | O.DIRECTORY, 0, true);
    if (fd < 0) return fd;
    return { fd, owned: true, name: bytes(name), dirOnly };
  }

  /** Closes a ParentRef's fd if the call opened it. */
  release(ref: ParentRef): void {
    if (ref.owned) this.fs.close(ref.fd);
  }

  /** One component at a time, O_NOFOLLOW, symlinks resolved by hand; never below dirFd. */
  private walk(dirFd: number, path: string, flags: number, mode: number, follow: boolean): number {
    if (path.startsWith('/')) return -EXDEV;
    const fs = this.fs;
    // Directories opened on the way; stack[0] is the handle (not ours to close).
    const stack: number[] = [dirFd];
    const closeAll = () => { for (let i = 1; i < stack.length; i++) fs.close(stack[i]); };
    const dirFlags = (O.PATH !== 0 ? O.PATH : O.RDONLY) | O.DIRECTORY | O.NOFOLLOW | O.CLOEXEC;
    let parts = path.split('/');
    let links = 0;
    const link = new Uint8Array(4096);
    try {
      for (let i = 0; i < parts.length; i++) {
        const name = parts[i];
        const last = i === parts.length - 1;
        const top = stack[stack.length - 1];
        if (name === '' || name === '.') {
          if (last) return this.finish(top, '.', flags, mode);
          continue;
        }
        if (name === '..') {
          if (stack.length === 1) return -EXDEV;
          fs.close(stack.pop()!);
          if (last) return this.finish(stack[stack.length - 1], '.', flags, mode);
          continue;
        }
        if (!last || follow) {
          const n = fs.readlinkat(top, bytes(name), link);
          if (n >= 0) {
            if (++links > MAX_SYMLINKS) return -ELOOP;
            const target = Buffer.from(link.buffer, 0, Math.min(n, link.length)).toString('latin1');
            if (target.startsWith('/') || target === '') return target === '' ? -ENOENT : -EXDEV;
            // The link's text takes its place; resolution goes on from the link's directory.
            parts = [...target.split('/'), ...parts.slice(i + 1)];
            i = -1;
            continue;
          }
          const e = fs.errno();
          if (e !== EINVAL && !(e === ENOENT && last)) return -e;
        }
        if (last) {
          const fd = fs.openat(top, bytes(name), flags, mode);
          if (fd >= 0) return fd;
          const e = fs.errno();
          // Became a symlink since we looked: go round again (bounded by the link count).
          if (e === ELOOP && follow && links < MAX_SYMLINKS) { links++; i--; continue; }
          return -e;
        }
        const fd = fs.openat(top, bytes(name), dirFlags, 0);
        if (fd < 0) {
          const e = fs.errno();
          // O_NOFOLLOW on a symlink that appeared after readlinkat: ELOOP (or ENOTDIR on some systems).
          if ((e === ELOOP || e === ENOTDIR) && links < MAX_SYMLINKS) { links++; i--; continue; }
          return -e;
        }
        stack.push(fd);
      }
      return this.finish(stack[stack.length - 1], '.', flags, mode);
    } finally {
      closeAll();
    }
  }

  /** Opens `name` (only '.') in directory fd `top` with the caller's flags. */
  private finish(top: number, name: string, flags: number, mode: number): number {
    const fd = this.fs.openat(top, bytes(name), flags & ~O.NOFOLLOW, mode);
    return fd >= 0 ? fd : -this.fs.errno();
  }
}

/** AT_SYMLINK_NOFOLLOW of this platform, for the callers' *at() calls. */
export const AT_SYMLINK_NOFOLLOW = AT.SYMLINK_NOFOLLOW;
