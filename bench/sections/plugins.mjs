// Section 5 (hosting plugins): host-function and plugin.call costs beside a plain JS
// call and a wasm -> JS import, and plugin start-up cold, pre-warmed and warm; each
// round in a fresh process (bench/plugins-child.mjs).

import { join } from 'node:path';
import { run } from '../lib/proc.mjs';

async function json(args, what) {
  const r = await run(process.execPath, args);
  if (!r.ok) throw new Error(`${what}: ${r.out}`);
  return JSON.parse(r.out.split('\n').pop());
}

/** One round of call costs: n host-function calls, m plugin.call()s. */
export const pluginCallsRound = (here, n, m) => () => json([join(here, 'plugins-child.mjs'), 'calls', String(n), String(m)], 'plugin calls');

/** One round of plugin start-up: cold, prewarm, then `warm` instantiates of each kind. */
export const pluginStartRound = (here, warm) => () => json([join(here, 'plugins-child.mjs'), 'start', String(warm)], 'plugin start-up');
