// The host's output sinks (stdout, stderr) as the sandbox calls them: each chunk is
// "taken" when the sink is done with it (a function returned, its promise settled, a
// Writable called back), which is what the guest's backpressure waits for.

import { show } from '../validators.js';
import type { Sink } from './config.js';

/** A sink as the owner calls it: `done` when the chunk is taken, with an error if it failed. */
export type SinkFn = (chunk: Uint8Array, done: (err?: unknown) => void) => void;

/** A sink, and a way to hear its 'error' events during a run (an unheard one would crash the host). */
export interface SinkPort {
  write: SinkFn;
  /** Listens for 'error' on an EventEmitter sink until the returned function is called. */
  watch(onError: (err: unknown) => void): () => void;
}

const noWatch = () => () => {};

/** done() once `r` is settled: now for a plain value, when it settles for a promise. */
function settle(r: unknown, done: (err?: unknown) => void): void {
  if (r !== null && typeof r === 'object' && typeof (r as Promise<unknown>).then === 'function') {
    (r as Promise<unknown>).then(() => done(), (e: unknown) => done(e ?? new Error('rejected')));
  } else done();
}

export function toSink(s: Sink | undefined, name: string, fallback: NodeJS.WriteStream): SinkPort {
  if (s === undefined) return { write: (chunk, done) => { fallback.write(chunk, (err) => done(err)); }, watch: noWatch };
  if (typeof s === 'function') return { write: (chunk, done) => settle(s(chunk), done), watch: noWatch };
  if (typeof s === 'object' && s !== null && typeof s.write === 'function') {
    const emitter = s as { on?: unknown; off?: unknown };
    // A write that takes a callback (a Node Writable: write(chunk, encoding, cb)) is
    // done when it calls back; one declared with the chunk alone is done when it
    // returns (or its promise settles), as a function sink is: waiting for a callback
    // it never calls would stall the guest for good.
    const callsBack = s.write.length >= 2;
    return {
      write: callsBack
        ? (chunk, done) => { s.write(chunk, (err?: Error | null) => done(err ?? undefined)); }
        : (chunk, done) => settle((s.write as (c: Uint8Array) => unknown)(chunk), done),
      watch: (onError) => {
        if (typeof emitter.on !== 'function' || typeof emitter.off !== 'function') return () => {};
        const e = s as unknown as NodeJS.EventEmitter;
        e.on('error', onError);
        return () => { e.off('error', onError); };
      },
    };
  }
  throw new TypeError(`${name} must be a function or have a write(chunk) method, got ${show(s)}`);
}
