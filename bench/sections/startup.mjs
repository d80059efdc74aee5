// Section 4 (start-up and footprint) and the allocation check: each in fresh child
// processes, so a "first" run is really the first in its process and the heap of the
// check holds nothing of the rest of the bench.

import { join } from 'node:path';
import { run } from '../lib/proc.mjs';

async function json(args, what) {
  const r = await run(process.execPath, args);
  if (!r.ok) throw new Error(`${what}: ${r.out}`);
  return JSON.parse(r.out.split('\n').pop());
}

/** One start-up round: a fresh process, its first run, then `warm` runs of each kind. */
export const startupRound = (here, warm) => () => json([join(here, 'startup-child.mjs'), 'start', String(warm)], 'start-up');

/** RSS for `count` idle sandboxes (each a worker whose guest is blocked in poll). */
export const footprint = (here, count) => json([join(here, 'startup-child.mjs'), 'footprint', String(count)], 'footprint');

/** The same for `count` empty Node worker threads: what a worker costs before sockbox runs in it. */
export const emptyFootprint = (here, count) => json([join(here, 'startup-child.mjs'), 'footprint-empty', String(count)], 'empty-worker footprint');

/** Heap bytes allocated over n option calls on the guest path, the facade, and a control. */
export const heapCheck = (here, n) => json(['--expose-gc', join(here, 'heap-child.mjs'), String(n)], 'heap check');
