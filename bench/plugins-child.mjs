// Hosting plugins, in a fresh process each time so that "cold" is cold.
//
//   node bench/plugins-child.mjs calls N M
//     ns per call of: a plain JS function call; a wasm -> JS import that does nothing
//     (bench/lib/wasm-loop.mjs); a host function (imports: host.nop) called N times
//     from a loaded plugin's loop, in a worker (the default) and inline; and the round
//     trip of M plugin.call()s (an i32 export, and a string in and out through the
//     alloc/dealloc convention), worker and inline.
//   node bench/plugins-child.mjs start WARM
//     ms from sandbox.instantiate() to a plugin ready for calls: the first in a process
//     with no worker started yet (cold), then after Sandbox.prewarm(2) (how long the
//     prewarm itself took, and the instantiate that finds a started worker), then WARM
//     instantiates in a row (each closing its plugin first), worker and inline.
// The plugin is test/guests/plugins/cplugin.wasm (C, built with the C SDK). Prints JSON.

import { readFileSync } from 'node:fs';
import { loopModuleBytes } from './lib/wasm-loop.mjs';

const [mode, aArg, bArg] = process.argv.slice(2);
const { Sandbox } = await import('../dist/index.js');
const bytes = readFileSync(new URL('../test/guests/plugins/cplugin.wasm', import.meta.url));
const quiet = () => {};
const imports = {
  host: {
    add_i32: (_, a, b) => a + b,
    add_i64: (_, a, b) => a + b,
    mul_f64: (_, a, b) => a * b,
    reverse: (ctx, p, n) => { ctx.write(p, ctx.read(p, n).reverse()); },
    nop: () => {},
    fail: () => { throw new Error('fail'); },
  },
};
const options = (worker) => ({ worker, stdout: quiet, stderr: quiet, imports });
const nsSince = (t0, n) => Number(process.hrtime.bigint() - t0) / n;

if (mode === 'calls') {
  const n = Number(aArg);
  const m = Number(bArg);
  const out = {};

  // A plain JS call: the host function's body (a no-op) called from a JS loop. V8 may
  // inline it; the row is the floor of "calling a function", not a call's full cost.
  let sink = 0;
  const fns = [(x) => x + 1, (x) => x + 2];
  const callJs = (k) => { for (let i = 0; i < k; i++) sink = fns[i & 1](sink); };
  callJs(n); // warm up
  let t0 = process.hrtime.bigint();
  callJs(n);
  out.jsCall = nsSince(t0, n);

  // wasm -> an empty JS import, n times from a wasm loop.
  const { instance } = await WebAssembly.instantiate(loopModuleBytes(), { m: { f: () => 0 } });
  const run = instance.exports.run;
  run(n, 0, 0, 0, 0, 64);
  t0 = process.hrtime.bigint();
  run(n, 0, 0, 0, 0, 64);
  out.wasmImport = nsSince(t0, n);

  for (const worker of [true, false]) {
    const key = worker ? 'worker' : 'inline';
    const p = await new Sandbox(options(worker)).instantiate(bytes);
    await p.call('nop_loop', Math.min(n, 10_000)); // warm up
    t0 = process.hrtime.bigint();
    if ((await p.call('nop_loop', n)) !== n) throw new Error('nop_loop miscounted');
    out[`host.${key}`] = nsSince(t0, n);

    for (let i = 0; i < 200; i++) await p.call('counter_add', 1);
    t0 = process.hrtime.bigint();
    for (let i = 0; i < m; i++) await p.call('counter_add', 1);
    out[`call.${key}`] = nsSince(t0, m);

    for (let i = 0; i < 200; i++) await p.callString('upper', 'hello, plugin');
    t0 = process.hrtime.bigint();
    for (let i = 0; i < m; i++) await p.callString('upper', 'hello, plugin');
    out[`callString.${key}`] = nsSince(t0, m);
    await p.close();
  }
  if (sink === 0) throw new Error('unreachable');
  console.log(JSON.stringify(out));
} else if (mode === 'start') {
  const warm = Number(aArg);
  const ms = (t) => Number(process.hrtime.bigint() - t) / 1e6;
  const timeInstantiate = async (what, worker) => {
    const t = process.hrtime.bigint();
    const p = await new Sandbox(options(worker)).instantiate(what);
    const took = ms(t);
    if ((await p.call('counter_add', 1)) !== 1) throw new Error('fresh plugin has state');
    await p.close();
    return took;
  };
  const out = {};
  out.cold = await timeInstantiate(bytes, true);
  // The pool keeps the worker that cold used; empty it so prewarm starts new ones.
  Sandbox.idleWorkers = 0;
  Sandbox.idleWorkers = 2;
  let t = process.hrtime.bigint();
  await Sandbox.prewarm(2);
  out.prewarm = ms(t);
  out.prewarmed = await timeInstantiate(bytes, true);
  const module = await new Sandbox(options(true)).compile(bytes);
  const inlineModule = await new Sandbox(options(false)).compile(bytes);
  out.warmBytes = [];
  out.warmModule = [];
  out.inlineModule = [];
  for (let i = 0; i < warm; i++) {
    out.warmBytes.push(await timeInstantiate(bytes, true));
    out.warmModule.push(await timeInstantiate(module, true));
    out.inlineModule.push(await timeInstantiate(inlineModule, false));
  }
  console.log(JSON.stringify(out));
} else {
  console.error('usage: plugins-child.mjs calls N M | start WARM');
  process.exit(2);
}
