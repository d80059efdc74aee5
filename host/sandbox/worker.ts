// A sandbox worker thread: runs guests one at a time, each with runGuest, and
// reports how each ended. Workers are pooled (pool.ts): koffi, libc and core.wasm
// are bound once per worker, so a warm run starts in a few hundred microseconds.
// Output goes to the parent as messages, in order, before the outcome.

import { parentPort } from 'node:worker_threads';
import { native } from '../native/libc.js';
import { runGuest } from './runtime.js';
import type { PolicyOptions } from './policy.js';

/** What the parent sends for one run. */
export interface RunRequest {
  type: 'run';
  module: WebAssembly.Module;
  args: string[];
  env: Record<string, string>;
  preopens: Record<string, string>;
  policy: PolicyOptions;
  cancelFd: number;
  /** [0] = kill flag, set by the parent's kill(). */
  cancelFlag: Int32Array;
  /** Native fds the guest holds (fd + 1; 0 = free), for the parent to close if this thread dies. */
  registry: Int32Array;
}

const port = parentPort!;
port.on('message', (req: RunRequest) => {
  if (req.type !== 'run') return;
  const outcome = runGuest(req.module, {
    args: req.args,
    env: req.env,
    preopens: req.preopens,
    policy: req.policy,
    // Copies: the shim may reuse its buffer after the call.
    stdout: (chunk) => port.postMessage({ type: 'stdout', chunk: chunk.slice() }),
    stderr: (chunk) => port.postMessage({ type: 'stderr', chunk: chunk.slice() }),
    native: native(),
    cancelFd: req.cancelFd,
    cancelFlag: req.cancelFlag,
    registry: req.registry,
  });
  port.postMessage({ type: 'outcome', outcome });
});
