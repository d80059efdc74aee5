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

export function toSink(s: Sink | undefined, name: string, fallback: NodeJS.WriteStream): SinkPort {
  if (s === undefined) return { write: (chunk, done) => { fallback.write(chunk, (err) => done(err)); }, watch: noWatch };
  if (typeof s === 'function') {
    return {
      write: (chunk, done) => {
        const r = s(chunk);
        if (r !== null && typeof r === 'object' && typeof (r as Promise<unknown>).then === 'function') {
          (r as Promise<unknown>).then(() => done(), (e: unknown) => done(e ?? new Error('rejected')));
        } else done();
      },
      watch: noWatch,
    };
  }
  if (typeof s === 'object' && s !== null && typeof s.write === 'function') {
    const emitter = s as { on?: unknown; off?: unknown };
    return {
      write: (chunk, done) => { s.write(chunk, (err?: Error | null) => done(err ?? undefined)); },
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
