// The allocation check, run by bench/run.mjs as `node --expose-gc bench/heap-child.mjs N`.
// Bytes allocated on the JS heap over N option calls, estimated from the heap's used
// size around the loop plus what every GC in between freed (v8.GCProfiler reports the
// used size before and after each one). The guest runs inline (worker: false) so its
// import calls run on this thread, where the heap is measured; the guest prints a line
// (one fd_write) before and after each loop, and the measurement brackets the loop there.
// Prints JSON: { rows: [{ name, calls, bytes, gcs }] }.

import v8 from 'node:v8';
import { readFileSync } from 'node:fs';
import { Sandbox, socket, constants } from '../dist/index.js';

if (typeof globalThis.gc !== 'function') {
  console.error('heap-child: run with node --expose-gc');
  process.exit(2);
}
const N = Number(process.argv[2] ?? 1_000_000);
const used = () => v8.getHeapStatistics().used_heap_size;

/** Starts a measurement window: collect everything first, then watch. */
function open() {
  globalThis.gc();
  const profiler = new v8.GCProfiler();
  const start = used();
  profiler.start();
  return { profiler, start };
}

/** Ends it: bytes allocated in the window, and how many GCs ran in it. */
function close(w) {
  const end = used();
  const { statistics } = w.profiler.stop();
  let bytes = 0;
  let last = w.start;
  for (const s of statistics) {
    bytes += s.beforeGC.heapStatistics.usedHeapSize - last;
    last = s.afterGC.heapStatistics.usedHeapSize;
  }
  bytes += end - last;
  return { bytes, gcs: statistics.length };
}

const rows = [];

// The guest path: both ABIs, C guest, inline.
const wasm = readFileSync(new URL('./guests/optloop-c.wasm', import.meta.url));
let window;
let text = '';
const sink = (chunk) => {
  text += Buffer.from(chunk).toString('utf8');
  for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n')) {
    const line = text.slice(0, nl);
    text = text.slice(nl + 1);
    const m = /^mark (\w+)/.exec(line);
    if (!m) continue;
    if (m[1] !== 'start') {
      const r = close(window);
      rows.push({ name: m[1] === 'wasmedge' ? 'guest sock_getsockopt (C guest, inline)' : 'guest sockbox.getsockopt (C guest, inline)', calls: N, ...r });
    }
    window = open();
  }
};
const { exitCode } = await new Sandbox({ args: ['optloop', 'getsockopt-marks', String(N)], stdout: sink, worker: false }).run(wasm);
if (exitCode !== 0) throw new Error(`optloop exited ${exitCode}`);

// The facade, and a control that must allocate (the bytes form returns a new Uint8Array).
const udp = socket(constants.AF_INET, constants.SOCK_DGRAM);
const { SOL_SOCKET, SO_RCVBUF } = constants;
const loops = [
  ['facade getsockopt (int form)', () => { for (let i = 0; i < N; i++) udp.getsockopt(SOL_SOCKET, SO_RCVBUF); }],
  ["facade getOption('SO_RCVBUF')", () => { for (let i = 0; i < N; i++) udp.getOption('SO_RCVBUF'); }],
  ['control: facade getsockopt(…, 4) (returns a new Uint8Array)', () => { for (let i = 0; i < N; i++) udp.getsockopt(SOL_SOCKET, SO_RCVBUF, 4); }],
];
for (const [name, loop] of loops) {
  loop(); // warm: compile before measuring
  const w = open();
  loop();
  rows.push({ name, calls: N, ...close(w) });
}
udp.close();
console.log(JSON.stringify({ rows }));
