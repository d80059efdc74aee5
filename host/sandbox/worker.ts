// A sandbox worker thread: runs guests one at a time, each with runGuest, and
// reports how each ended. Workers are pooled (pool.ts): koffi, libc and core.wasm
// are bound once per worker; everything a run counts or holds is made afresh per run.
// Output and calls to the owner go through channel.ts (backpressure, killable waits).

import { parentPort, type MessagePort } from 'node:worker_threads';
import { native } from '../native/libc.js';
import { runGuest, type PreopenSpec, type RunLimits } from './runtime.js';
import type { PolicyOptions } from './policy.js';
import type { ConfineMode } from './confine.js';
import { OwnerLink, type ToOwner } from './channel.js';
import { BytesStdin } from './stdio.js';
import type { AddrinfoHints, AddrinfoResult } from '../native/libc.js';

/** What the owner sends for one run. */
export interface RunRequest {
  type: 'run';
  module: WebAssembly.Module;
  args: string[];
  env: Record<string, string>;
  preopens: PreopenSpec[];
  policy: PolicyOptions;
  limits: RunLimits;
  confine: ConfineMode;
  /** Most output bytes in flight before the guest's writes wait. */
  outputInFlight: number;
  stdin: Uint8Array;
  cancelFd: number;
  /** The control block (channel.ts). */
  ctl: Int32Array;
  /** Native fds the guest holds (fd + 1; 0 = free), for the owner to close if this thread dies. */
  registry: Int32Array;
  /** Where the owner answers calls. */
  replies: MessagePort;
}

const port = parentPort!;
port.on('message', (req: RunRequest) => {
  if (req.type !== 'run') return;
  const link = new OwnerLink(req.ctl, (m: ToOwner, transfer?: ArrayBuffer[]) => port.postMessage(m, transfer ?? []), req.replies, req.outputInFlight);
  const outcome = runGuest(req.module, {
    args: req.args,
    env: req.env,
    preopens: req.preopens,
    policy: req.policy,
    limits: req.limits,
    confine: req.confine,
    stdin: new BytesStdin(req.stdin),
    output: { write: (stream, chunk) => link.output(stream, chunk) },
    native: native(),
    cancelFd: req.cancelFd,
    ctl: req.ctl,
    registry: req.registry,
    // Name lookups run on the owner's thread pool: a slow resolver never holds this
    // thread where kill() cannot reach it.
    resolver: (node: string | null, service: string | null, hints: AddrinfoHints) =>
      link.call('lookup', { node, service, hints }) as { rc: number; results: AddrinfoResult[] },
  });
  req.replies.close();
  port.postMessage({ type: 'outcome', outcome });
});
