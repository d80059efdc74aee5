// A sandbox worker thread: hosts one guest at a time, as a run (instantiate, `_start`,
// report how it ended) or as a loaded plugin (instantiate, `_initialize`, then calls
// until it is closed or ends). Workers are pooled (pool.ts): koffi, libc and core.wasm
// are bound once per worker; everything a guest counts or holds is made afresh.
// Output, events and calls to the owner go through channel.ts (backpressure, killable
// waits).

import { parentPort, type MessagePort } from 'node:worker_threads';
import { native, type AddrinfoHints, type AddrinfoResult } from '../native/libc.js';
import { GuestRun, type CallArg, type CallReturns, type RunOutcome, type RuntimeOptions } from './runtime.js';
import type { ConfineMode } from './confine.js';
import type { FuncType } from './wasm-module.js';
import { OwnerLink, type ToOwner } from './channel.js';
import { BytesStdin } from './stdio.js';
import { HostFailure, KillSignal } from './unwind.js';
import { HostCallClient, MAX_ARGS } from './hostcall.js';

/**
 * What the owner sends to start a guest: the plain-data part of RuntimeOptions as it is
 * (so the two cannot drift), and what stands in for the rest across the thread line
 * (stdin as bytes or a pipe fd, output and host functions as shared areas and ports).
 */
export interface OpenRequest extends Pick<RuntimeOptions, 'args' | 'env' | 'preopens' | 'policy' | 'limits' | 'cancelFd' | 'ctl' | 'registry'> {
  type: 'open';
  /** 'run': `_start` to its end; 'plugin': `_initialize`, then calls. */
  mode: 'run' | 'plugin';
  module: WebAssembly.Module;
  confine: ConfineMode;
  /** Most output bytes in flight before the guest's writes wait. */
  outputInFlight: number;
  /** stdin: bytes, or the read end of a pipe the owner feeds. */
  stdin: Uint8Array | number;
  /** Does the owner listen for events? */
  events: boolean;
  /** The host functions the guest imports, by index (the owner runs them), with their result count. */
  hostImports: { module: string; name: string; results: number }[];
  /** The shared area of the host-call fast path (hostcall.ts). */
  hostArea: SharedArrayBuffer;
  /** Where the owner answers calls. */
  replies: MessagePort;
  listeners: NonNullable<RuntimeOptions['listeners']>;
}

/** A call of a plugin's export. */
export interface CallRequest { type: 'call'; id: number; name: string; args: CallArg[]; returns: CallReturns; funcType?: FuncType }

/** What the worker tells the owner besides output, events and calls. */
export type FromWorker =
  | ToOwner
  | { type: 'memory'; memory: WebAssembly.Memory }
  | { type: 'opened'; exports: string[] }
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; usage: string }
  | { type: 'outcome'; outcome: RunOutcome }
  | { type: 'ready' };

const port = parentPort!;
const post = (m: FromWorker, transfer?: ArrayBuffer[]) => port.postMessage(m, transfer ?? []);
let session: { run: GuestRun; req: OpenRequest } | undefined;

/** Ends the current session: closes what the guest holds and reports how it ended. */
function end(outcome: RunOutcome): void {
  if (!session) return;
  const { run, req } = session;
  session = undefined;
  run.dispose();
  req.replies.close();
  post({ type: 'outcome', outcome });
}

function open(req: OpenRequest): void {
  const link = new OwnerLink(req.ctl, post, req.replies, req.outputInFlight);
  // Host functions: each import the guest has is a stub that asks the owner and waits.
  const hostImports: Record<string, Record<string, (...args: (number | bigint)[]) => unknown>> = {};
  const fast = new HostCallClient(req.hostArea, req.ctl);
  req.hostImports.forEach(({ module, name, results }, i) => {
    (hostImports[module] ??= {})[name] = (...args: (number | bigint)[]) => {
      // Up to MAX_ARGS arguments and one result: the shared area, no message.
      const a = args.length <= MAX_ARGS && results <= 1
        ? fast.call(i, args)
        : link.call('host', { i, args }) as { value?: unknown; error?: string };
      if ('error' in a && a.error !== undefined) throw new HostFailure(`${module}.${name}`, a.error);
      return (a as { value?: unknown }).value;
    };
  });
  let run: GuestRun;
  try {
    run = new GuestRun(req.module, {
      args: req.args,
      env: req.env,
      preopens: req.preopens,
      policy: req.policy,
      limits: req.limits,
      confine: req.confine,
      stdin: typeof req.stdin === 'number' ? req.stdin : new BytesStdin(req.stdin),
      output: { write: (stream, chunk) => link.output(stream, chunk) },
      native: native(),
      cancelFd: req.cancelFd,
      ctl: req.ctl,
      registry: req.registry,
      // Name lookups run on the owner's thread pool: a slow resolver never holds this
      // thread where kill() cannot reach it.
      resolver: (node: string | null, service: string | null, hints: AddrinfoHints) =>
        link.call('lookup', { node, service, hints }) as { rc: number; results: AddrinfoResult[] },
      events: req.events ? (event) => link.event(event) : null,
      listeners: req.listeners,
      hostImports,
      // A shared memory, which the owner's host functions read and write directly.
      onMemory: req.hostImports.length > 0 ? (memory) => post({ type: 'memory', memory }) : undefined,
    });
  } catch (e) {
    req.replies.close();
    post({ type: 'outcome', outcome: e instanceof KillSignal ? { kind: 'killed' } : { kind: 'error', message: (e as Error)?.message ?? String(e) } });
    return;
  }
  session = { run, req };
  if (req.mode === 'run') {
    end(run.start());
    return;
  }
  const failed = run.instantiate() ?? run.initialize();
  if (failed) { end(failed); return; }
  post({ type: 'opened', exports: run.exportedFunctions() });
}

function call(req: CallRequest): void {
  if (!session) {
    post({ type: 'result', id: req.id, ok: false, usage: 'the plugin has ended' });
    return;
  }
  const r = session.run.call(req.name, req.args, req.returns, req.funcType);
  if (r.ok) post({ type: 'result', id: req.id, ok: true, value: r.value });
  else if ('usage' in r) post({ type: 'result', id: req.id, ok: false, usage: r.usage });
  else end(r.outcome);
}

port.on('message', (m: OpenRequest | CallRequest | { type: 'close' }) => {
  if (m.type === 'open') open(m);
  else if (m.type === 'call') call(m);
  else if (m.type === 'close') end({ kind: 'closed' });
});

// Loaded: a prewarming pool waits for this before it counts the worker as ready.
post({ type: 'ready' });
