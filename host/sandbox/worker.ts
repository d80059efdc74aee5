// The sandbox's worker thread: runs one guest with runGuest and reports how it ended.
// Output goes to the parent as messages, in order, before the outcome.

import { parentPort, workerData } from 'node:worker_threads';
import { native } from '../native/libc.js';
import { runGuest } from './runtime.js';
import type { PolicyOptions } from './policy.js';

/** What the parent passes in workerData. */
export interface WorkerInput {
  module: WebAssembly.Module;
  /** The parent's compiled core.wasm (host/core.ts picks it up). */
  coreModule: WebAssembly.Module;
  args: string[];
  env: Record<string, string>;
  preopens: Record<string, string>;
  policy: PolicyOptions;
  cancelFd: number;
  /** [0] = kill flag; the registry of native fds follows in its own array. */
  cancelFlag: Int32Array;
  registry: Int32Array;
}

const input = workerData as WorkerInput;
const port = parentPort!;
const outcome = runGuest(input.module, {
  args: input.args,
  env: input.env,
  preopens: input.preopens,
  policy: input.policy,
  // Copies: the shim may reuse its buffer after the call.
  stdout: (chunk) => port.postMessage({ type: 'stdout', chunk: chunk.slice() }),
  stderr: (chunk) => port.postMessage({ type: 'stderr', chunk: chunk.slice() }),
  native: native(),
  cancelFd: input.cancelFd,
  cancelFlag: input.cancelFlag,
  registry: input.registry,
});
port.postMessage({ type: 'outcome', outcome });
