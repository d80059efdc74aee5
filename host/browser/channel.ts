// The reply slot between the guest's worker and the link (link.ts, the worker that holds
// the WebSocket). The guest posts a call frame and sleeps in Atomics.wait; the link
// writes the relay's result frame into this SharedArrayBuffer and wakes it. One call at
// a time.
//
//   Int32 [0] state: IDLE, WAITING (a call is out), READY (a result is in), FAILED (the
//             relay path is gone: the run is ending)
//   Int32 [1] the result's length in bytes
//   bytes from HEADER: the result frame (at most MAX_FRAME bytes, the wire's own limit)

import { MAX_FRAME } from '../relay/wire.js';

export const HEADER = 16;
export const IDLE = 0;
export const WAITING = 1;
export const READY = 2;
export const FAILED = 3;

/** A reply slot big enough for any result the wire allows. */
export function replySlot(): SharedArrayBuffer {
  return new SharedArrayBuffer(HEADER + MAX_FRAME);
}

/**
 * Guest side: sends `frame` with `post` and blocks until its result is in the slot.
 * Returns a copy of the result frame, or null when the relay path failed.
 */
export function callAndWait(slot: SharedArrayBuffer, frame: Uint8Array, post: (frame: Uint8Array) => void): Uint8Array | null {
  const state = new Int32Array(slot, 0, 2);
  if (Atomics.compareExchange(state, 0, IDLE, WAITING) !== IDLE) return null; // FAILED stays failed
  post(frame);
  while (Atomics.load(state, 0) === WAITING) Atomics.wait(state, 0, WAITING);
  const s = Atomics.load(state, 0);
  if (s !== READY) return null;
  const len = Atomics.load(state, 1);
  const out = new Uint8Array(slot, HEADER, len).slice();
  Atomics.store(state, 0, IDLE);
  return out;
}

/**
 * WebSocket side: puts a result in the slot and wakes the guest. False (and the slot
 * says FAILED) when it does not fit, or no call is waiting for it.
 */
export function deliver(slot: SharedArrayBuffer, result: Uint8Array): boolean {
  const state = new Int32Array(slot, 0, 2);
  if (result.length > slot.byteLength - HEADER || Atomics.load(state, 0) !== WAITING) {
    fail(slot);
    return false;
  }
  new Uint8Array(slot, HEADER, result.length).set(result);
  Atomics.store(state, 1, result.length);
  Atomics.store(state, 0, READY);
  Atomics.notify(state, 0);
  return true;
}

/** WebSocket side: the relay path is gone; a guest waiting (or about to) gets null. */
export function fail(slot: SharedArrayBuffer): void {
  const state = new Int32Array(slot, 0, 2);
  Atomics.store(state, 0, FAILED);
  Atomics.notify(state, 0);
}
