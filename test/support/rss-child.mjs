// Runs one guest in a fresh process and reports its peak memory (VmHWM), for the
// tests that must show host memory stays bounded whatever the guest does.
//
//   node test/support/rss-child.mjs '<json>'
//   json: { wasm, args, options, sink: 'count' | 'slow' | 'serial', events?: true }   (options: SandboxOptions that are plain data)
//   events: an onEvent that counts the events (by type) and pauses this thread 10 ms every
//   1000 of them, a host that falls behind a guest making events as fast as it can
//   sink 'slow': each chunk taken a turn of the event loop later; 'serial': chunks taken one
//   at a time, each a turn later (the most the sink holds at once is measured: maxHeld)
// Prints one JSON line: { result: { exitCode } | { code, message }, out, err, outBytes, maxHeld, events, baseMiB, peakMiB, ms }
// baseMiB is VmHWM after a warm-up run of the same guest doing nothing; peakMiB after the run.

import { readFileSync } from 'node:fs';
import { Sandbox } from '../../dist/index.js';

const cfg = JSON.parse(process.argv[2]);
const hwm = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
const wasm = readFileSync(cfg.wasm);
let out = '';
let err = '';
let outBytes = 0;
const keep = (s) => (s.length > 4096 ? s.slice(0, 4096) : s);
let held = 0;
let maxHeld = 0;
let chain = Promise.resolve();
const serial = (chunk) => {
  held += chunk.length;
  maxHeld = Math.max(maxHeld, held);
  chain = chain.then(() => new Promise((r) => setImmediate(r))).then(() => {
    held -= chunk.length;
    outBytes += chunk.length;
    if (out.length < 4096) out = keep(out + Buffer.from(chunk).toString('latin1'));
  });
  return chain;
};
const sink = cfg.sink === 'serial' ? serial : cfg.sink === 'slow'
  // A sink that takes each chunk a turn of the event loop later: the guest must wait for it.
  ? async (chunk) => { await new Promise((r) => setImmediate(r)); outBytes += chunk.length; if (out.length < 4096) out = keep(out + Buffer.from(chunk).toString('latin1')); }
  : (chunk) => { outBytes += chunk.length; if (out.length < 4096) out = keep(out + Buffer.from(chunk).toString('latin1')); };
const errSink = (chunk) => { err = keep(err + Buffer.from(chunk).toString('utf8')); };
const events = {};
let eventCount = 0;
const pause = new Int32Array(new SharedArrayBuffer(4));
const onEvent = cfg.events ? (e) => {
  events[e.type] = (events[e.type] ?? 0) + 1;
  if (++eventCount % 1000 === 0) Atomics.wait(pause, 0, 0, 10);
} : undefined;

// Warm-up: the same sandbox machinery, a guest that exits at once (hog stdin with no input).
await new Sandbox({ args: ['hog', 'stdin'], stdout: () => {}, stderr: () => {}, worker: cfg.options?.worker ?? true })
  .run(readFileSync(new URL('../guests/hostile/hog.wasm', import.meta.url)));
const baseMiB = hwm();
const started = performance.now();
let result;
try {
  result = await new Sandbox({ ...cfg.options, args: cfg.args, stdout: sink, stderr: errSink, onEvent }).run(wasm);
} catch (e) {
  result = { code: e.code, message: e.message };
}
const ms = performance.now() - started;
process.stdout.write(JSON.stringify({ result, out, err, outBytes, maxHeld, events, baseMiB, peakMiB: hwm(), ms }) + '\n');
