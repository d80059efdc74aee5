// Start-up and footprint, in a fresh process each time so that "first" is a first.
//
//   node bench/startup-child.mjs start WARM
//     Time from `new Sandbox()` to the guest's exit for a trivial guest (optloop-c.wasm
//     with no command: wasi-libc start-up, main returns 0): the first run in this
//     process, then WARM runs each in a worker from the wasm bytes, in a worker from a
//     module compiled once by sandbox.compile(), and inline (worker: false) from a
//     module compiled by an inline sandbox; and what
//     an empty worker thread takes from creation to exit.
//   node bench/startup-child.mjs footprint COUNT
//     RSS of this process before and after COUNT sandboxes are idle: each runs
//     echo-server.wasm in its worker, blocked in poll(2) once it has printed its
//     "listening on" line. Then kills them all and times how long that takes.
//   node bench/startup-child.mjs footprint-empty COUNT
//     The same for COUNT empty Node worker threads (no sockbox code): the floor under
//     both numbers above, which a sandbox's own worker can only add to.
// Prints JSON.

import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

const [mode, countArg] = process.argv.slice(2);
const count = Number(countArg);
const t0 = performance.now();
const { Sandbox } = await import('../dist/index.js');
const importMs = performance.now() - t0;
const quiet = () => {};

async function runOnce(wasm, worker) {
  const t = performance.now();
  const { exitCode } = await new Sandbox({ args: ['optloop'], stdout: quiet, stderr: quiet, worker }).run(wasm);
  if (exitCode !== 0) throw new Error(`trivial guest exited ${exitCode}`);
  return performance.now() - t;
}

if (mode === 'start') {
  const bytes = readFileSync(new URL('./guests/optloop-c.wasm', import.meta.url));
  const first = await runOnce(bytes, true);
  const module = await new Sandbox().compile(bytes);
  const inlineModule = await new Sandbox({ worker: false }).compile(bytes);
  const warm = { workerBytes: [], workerModule: [], inlineModule: [] };
  for (let i = 0; i < count; i++) {
    warm.workerBytes.push(await runOnce(bytes, true));
    warm.workerModule.push(await runOnce(module, true));
    warm.inlineModule.push(await runOnce(inlineModule, false));
  }
  // What a worker thread costs before any sockbox code runs in it.
  const emptyWorker = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await new Promise((r) => new Worker('', { eval: true }).on('exit', r));
    emptyWorker.push(performance.now() - t);
  }
  console.log(JSON.stringify({ importMs, first, warm, emptyWorker, wasmBytes: bytes.length }));
} else if (mode === 'footprint') {
  const module = await new Sandbox().compile(readFileSync(new URL('./guests/echo-server.wasm', import.meta.url)));
  await runOnce(readFileSync(new URL('./guests/optloop-c.wasm', import.meta.url)), true);
  await new Promise((r) => setTimeout(r, 100));
  const rss0 = process.memoryUsage().rss;
  const started = performance.now();
  const boxes = [];
  const listening = [];
  for (let i = 0; i < count; i++) {
    let text = '';
    let ready;
    listening.push(new Promise((r) => { ready = r; }));
    const box = new Sandbox({
      args: ['echo-server'], net: { bind: ['127.0.0.1:0'] }, stderr: quiet,
      stdout: (chunk) => { text += Buffer.from(chunk).toString('utf8'); if (text.includes('listening on')) ready(); },
    });
    boxes.push({ box, done: box.run(module).then(() => 'exited', (e) => e.code) });
  }
  await Promise.all(listening);
  const startMs = performance.now() - started;
  await new Promise((r) => setTimeout(r, 300));
  const rss1 = process.memoryUsage().rss;
  const killedAt = performance.now();
  for (const { box } of boxes) box.kill();
  const outcomes = await Promise.all(boxes.map((b) => b.done));
  const killMs = performance.now() - killedAt;
  const killed = outcomes.filter((o) => o === 'ERR_SOCKBOX_KILLED').length;
  console.log(JSON.stringify({ importMs, count, rss0, rss1, startMs, killMs, killed }));
} else if (mode === 'footprint-empty') {
  // The floor under the footprint: COUNT Node worker threads with no sockbox code, started
  // at once as the sandboxes are (with the pool's heap limits), each parked in
  // Atomics.wait once it has said it is up, as an idle sandbox's thread is parked in poll(2).
  await new Promise((r) => setTimeout(r, 100));
  const rss0 = process.memoryUsage().rss;
  const started = performance.now();
  const workers = [];
  await Promise.all(Array.from({ length: count }, () => new Promise((resolve, reject) => {
    const w = new Worker("require('node:worker_threads').parentPort.postMessage(1); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);", {
      eval: true, resourceLimits: { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
    });
    workers.push(w);
    w.once('message', resolve);
    w.once('error', reject);
  })));
  const startMs = performance.now() - started;
  await new Promise((r) => setTimeout(r, 300));
  const rss1 = process.memoryUsage().rss;
  await Promise.all(workers.map((w) => w.terminate()));
  console.log(JSON.stringify({ count, rss0, rss1, startMs }));
} else {
  console.error('usage: startup-child.mjs start WARM | footprint COUNT | footprint-empty COUNT');
  process.exit(2);
}
