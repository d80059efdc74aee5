// The link between a guest's thread and the thread that owns its Sandbox.
//
// One shared Int32Array (the control block) and two message ports. The guest's thread
// never waits for the owner without also waiting for a kill: every wait is an
// Atomics.wait on a control slot, and kill() stores the kill flag and notifies every
// slot, so a waiting guest wakes at once.
//
//   ctl[KILL]  0 running, 1 killed (set by the owner's kill(); read before every import)
//   ctl[OUT]   bytes of guest output posted and not yet taken by the sinks
//   ctl[CALL]  0 idle, 1 a call to the owner is waiting, 2 its answer is on the reply port
//   ctl[HOST]  the fast path of host function calls (hostcall.ts)
//
// Output: the guest's thread posts each chunk and adds its length to ctl[OUT]; past
// the in-flight limit its write waits until the owner's sinks take enough (a slow sink
// slows the guest, host memory stays bounded). Calls (name lookups, host functions):
// the guest's thread posts the request and waits on ctl[CALL]; the owner answers on a
// second port that the guest's thread reads synchronously (receiveMessageOnPort).

import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { KillSignal } from './unwind.js';
import type { SandboxEvent } from './events.js';

export const CTL_KILL = 0;
export const CTL_OUT = 1;
export const CTL_CALL = 2;
export const CTL_HOST = 3;
export const CTL_SIZE = 4;

const CALL_PENDING = 1;
const CALL_ANSWERED = 2;

/** A new control block. */
export function controlBlock(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(4 * CTL_SIZE));
}

/** The owner's kill: sets the flag and wakes whatever the guest's thread waits on. */
export function signalKill(ctl: Int32Array): void {
  Atomics.store(ctl, CTL_KILL, 1);
  Atomics.notify(ctl, CTL_OUT);
  Atomics.notify(ctl, CTL_CALL);
  Atomics.notify(ctl, CTL_HOST);
}

/** Has the owner killed the run? */
export function killed(ctl: Int32Array): boolean {
  return Atomics.load(ctl, CTL_KILL) !== 0;
}

/** Messages from the guest's thread to the owner. */
export type ToOwner =
  | { type: 'out'; stream: 1 | 2; chunk: Uint8Array }
  | { type: 'event'; event: SandboxEvent }
  | { type: 'call'; kind: string; payload: unknown };

/** What an event counts for in the in-flight budget (its message, roughly). */
export const EVENT_COST = 256;

/** The guest thread's end. */
export class OwnerLink {
  constructor(
    private readonly ctl: Int32Array,
    /** Posts ToOwner messages. */
    private readonly post: (m: ToOwner, transfer?: ArrayBuffer[]) => void,
    /** Where the owner's answers to calls arrive. */
    private readonly replies: MessagePort,
    /** Most output bytes in flight before a write waits. */
    private readonly outLimit: number,
  ) {}

  /** Posts guest output; waits (killably) while more than the limit is in flight. */
  output(stream: 1 | 2, chunk: Uint8Array): void {
    const ctl = this.ctl;
    if (killed(ctl)) throw new KillSignal();
    Atomics.add(ctl, CTL_OUT, chunk.length);
    this.post({ type: 'out', stream, chunk }, [chunk.buffer as ArrayBuffer]);
    for (;;) {
      const inFlight = Atomics.load(ctl, CTL_OUT);
      if (inFlight <= this.outLimit) return;
      if (killed(ctl)) throw new KillSignal();
      Atomics.wait(ctl, CTL_OUT, inFlight, 1000);
    }
  }

  /** Posts an event; waits (killably) like output while the owner is behind. */
  event(event: SandboxEvent): void {
    const ctl = this.ctl;
    if (killed(ctl)) throw new KillSignal();
    Atomics.add(ctl, CTL_OUT, EVENT_COST);
    this.post({ type: 'event', event });
    for (;;) {
      const inFlight = Atomics.load(ctl, CTL_OUT);
      if (inFlight <= this.outLimit) return;
      if (killed(ctl)) throw new KillSignal();
      Atomics.wait(ctl, CTL_OUT, inFlight, 1000);
    }
  }

  /** Calls the owner and waits (killably) for its answer. */
  call(kind: string, payload: unknown): unknown {
    const ctl = this.ctl;
    if (killed(ctl)) throw new KillSignal();
    Atomics.store(ctl, CTL_CALL, CALL_PENDING);
    this.post({ type: 'call', kind, payload });
    for (;;) {
      if (Atomics.load(ctl, CTL_CALL) === CALL_ANSWERED) break;
      if (killed(ctl)) throw new KillSignal();
      Atomics.wait(ctl, CTL_CALL, CALL_PENDING, 1000);
    }
    Atomics.store(ctl, CTL_CALL, 0);
    const m = receiveMessageOnPort(this.replies);
    if (!m) throw new Error('sockbox: a call to the sandbox owner was answered without a message');
    return m.message;
  }
}

/** The owner's end of calls: answers on the reply port, then wakes the guest's thread. */
export function answerCall(ctl: Int32Array, replies: MessagePort, answer: unknown): void {
  replies.postMessage(answer);
  Atomics.store(ctl, CTL_CALL, CALL_ANSWERED);
  Atomics.notify(ctl, CTL_CALL);
}

/** The owner has taken `bytes` of output: the guest's writes may go on. */
export function outputTaken(ctl: Int32Array, bytes: number): void {
  Atomics.sub(ctl, CTL_OUT, bytes);
  Atomics.notify(ctl, CTL_OUT);
}
