// Idle sandbox workers, kept for the next run: starting a worker thread costs tens of
// milliseconds (a V8 isolate, koffi, libc, core.wasm); a pooled one is ready at once.
// Idle workers are unref'd, so they never keep the process alive.

import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { availableParallelism } from 'node:os';
import { coreModule } from '../core.js';
import { validateInteger } from '../validators.js';

/**
 * V8 heap limits of a sandbox worker (MB). The young generation is kept small: a guest's
 * imports allocate next to nothing per call (bench: under 1 byte a getsockopt; one
 * scavenge in 2 s of 64 KiB echo), and the larger new space V8 grows for a bigger limit
 * is a quarter MiB more RSS in every idle sandbox (issue 15).
 */
const WORKER_HEAP = { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 2, stackSizeMb: 4 };

/** How many idle workers to keep (Sandbox.idleWorkers, Sandbox.prewarm). */
let maxIdle = Math.max(2, availableParallelism());
const idle: Worker[] = [];
/** Workers told to end and not gone yet. */
const ending = new Set<Promise<number>>();

/** Terminates a worker, remembered until it is gone (drainWorkers waits for it). */
export function endWorker(worker: Worker): void {
  const p = worker.terminate();
  ending.add(p);
  void p.finally(() => ending.delete(p));
}

function workerPath(): string {
  for (const url of [new URL('./worker.js', import.meta.url), new URL('../../dist/worker.js', import.meta.url)]) {
    const p = fileURLToPath(url);
    if (existsSync(p)) return p;
  }
  throw new Error('sockbox: dist/worker.js not found; run `npm run build`');
}

/** A worker for one run: an idle one, or a new one. */
export function acquireWorker(): Worker {
  const w = idle.pop();
  if (w) {
    w.ref();
    return w;
  }
  return newWorker();
}

/** A new worker thread (it posts { type: 'ready' } once its modules are loaded). */
function newWorker(): Worker {
  const worker = new Worker(workerPath(), {
    workerData: { coreModule: coreModule() },
    stdout: false,
    stderr: false,
    // The worker's own JavaScript heap is bounded: a guest that makes the host side
    // allocate (exceptions, strings) ends its worker (ERR_WORKER_OUT_OF_MEMORY), never
    // the process. Guest linear memory is outside it, capped by limits.memoryBytes.
    resourceLimits: WORKER_HEAP,
  });
  worker.on('exit', () => {
    const i = idle.indexOf(worker);
    if (i >= 0) idle.splice(i, 1);
  });
  // A pooled worker's errors belong to the run using it; idle ones have none to report.
  worker.on('error', () => {});
  return worker;
}

/** Gives a worker that finished its run cleanly back to the pool (or ends it). */
export function releaseWorker(worker: Worker): void {
  if (idle.length < maxIdle) {
    worker.unref();
    idle.push(worker);
  } else {
    endWorker(worker);
  }
}

/**
 * Ends every idle sandbox worker and waits until they (and any being ended) are gone,
 * with their threads' own fds: for hosts that want to free memory or exit cleanly.
 * Running sandboxes are not touched.
 */
export async function drainWorkers(): Promise<void> {
  for (const w of idle.splice(0)) endWorker(w);
  await Promise.all([...ending]);
}

/** Sets how many idle workers the pool keeps; extra idle workers end now. */
export function setIdleWorkers(n: number): void {
  validateInteger(n, 'idleWorkers', 0, 1024);
  maxIdle = n;
  while (idle.length > maxIdle) endWorker(idle.pop()!);
}

/**
 * Starts workers until `n` wait idle (raising the idle size to n if it is lower), and
 * resolves once they are ready: the next n runs start without a worker's start-up.
 */
export async function prewarmWorkers(n: number): Promise<void> {
  validateInteger(n, 'prewarm', 0, 1024);
  if (n > maxIdle) maxIdle = n;
  const fresh: Promise<void>[] = [];
  while (idle.length + fresh.length < n) {
    const w = newWorker();
    fresh.push(new Promise<void>((resolve) => {
      const onReady = (m: { type?: string }) => {
        if (m?.type !== 'ready') return;
        w.off('message', onReady);
        releaseWorker(w);
        resolve();
      };
      w.on('message', onReady);
      w.once('exit', () => resolve());
    }));
  }
  await Promise.all(fresh);
}
