// The books of every native fd a guest run holds (sockets, files, folders), in a
// shared Int32Array, so that the thread that created the sandbox can close them if
// the guest's thread dies or is terminated. A slot holds fd + 1; 0 is free.
//
// Closing never blocks: a socket with SO_LINGER on and a time would make Linux's
// close() wait (uninterruptibly, up to the linger time) while data is unsent, so the
// linger is cleared first and the close becomes a background graceful close (FIN).

import { core } from '../core.js';
import type { NativeApi } from '../native/libc.js';

const HOST_SOL_SOCKET = core().symbols.get('SOL_SOCKET')!;
const SO_LINGER = core().byName.get('SO_LINGER')!.hostNumber;

/** One thread's view of a registry. */
export class FdRegistry {
  constructor(private readonly slots: Int32Array | undefined) {}

  /** Records `fd`; returns its slot, or -1 when the registry is full (the caller refuses the open). */
  add(fd: number): number {
    const s = this.slots;
    if (!s) return -2;
    for (let i = 0; i < s.length; i++) {
      if (Atomics.compareExchange(s, i, 0, fd + 1) === 0) return i;
    }
    return -1;
  }

  /** Forgets a slot (before the fd is closed, so a dying thread is never closed twice). */
  remove(slot: number): void {
    if (this.slots && slot >= 0) Atomics.store(this.slots, slot, 0);
  }
}

/** A buffer for SO_LINGER's struct linger { int l_onoff; int l_linger; } (8 bytes). */
const linger = new Int32Array(2);
const lingerBytes = new Uint8Array(linger.buffer);
const lingerLen = new Uint32Array(1);

/**
 * Makes a socket's close non-blocking: if SO_LINGER is on with a time, turns it off
 * (the close then sends FIN in the background). A linger of 0 (an abortive close,
 * RST) never blocks and is kept. Not a socket, or an error: nothing to do.
 */
export function clearLinger(libc: NativeApi, fd: number): void {
  lingerLen[0] = 8;
  if (libc.getsockopt(fd, HOST_SOL_SOCKET, SO_LINGER, lingerBytes, lingerLen) !== 0) return;
  if (linger[0] === 0 || linger[1] <= 0) return;
  linger[0] = 0;
  linger[1] = 0;
  libc.setsockopt(fd, HOST_SOL_SOCKET, SO_LINGER, lingerBytes, 8);
}

/**
 * Closes every fd left in `slots` and frees the slots: for the sandbox's owner after
 * the guest's thread is gone. Never blocks (lingers cleared first).
 */
export function sweepRegistry(slots: Int32Array, libc: NativeApi): number {
  let closed = 0;
  for (let i = 0; i < slots.length; i++) {
    const v = Atomics.exchange(slots, i, 0);
    if (v === 0) continue;
    clearLinger(libc, v - 1);
    libc.close(v - 1);
    closed++;
  }
  return closed;
}
