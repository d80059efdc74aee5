// sockbox's rows of sections 1 and 2, in a process of their own, run by bench/run.mjs as
//
//   SOCKBOX_NATIVE=addon|koffi node bench/latency-child.mjs get|set N
//
// The crossing of the option calls (the Node-API addon, or the koffi fallback) is chosen
// once per thread when sockbox binds libc, from SOCKBOX_NATIVE; so each crossing gets its
// own process, and a guest's worker thread inherits the variable. The child checks that
// it got the crossing it was asked for: the facade's socket reports it (Socket#native),
// and the addon is mapped into the process (/proc/self/maps) exactly when it should be,
// so no thread, worker included, took the other crossing (under SOCKBOX_NATIVE=addon a
// thread whose addon fails to load throws instead of falling back).
//
// get: facade getsockopt(SOL_SOCKET, SO_RCVBUF) and getOption('SO_RCVBUF') on a UDP socket,
//   and test/guests/sockguest-{c,as}.wasm `getsockopt-loop` (both ABIs) in a worker.
// set: facade setsockopt(SOL_SOCKET, SO_KEEPALIVE, i & 1) and setOption('SO_KEEPALIVE') on a
//   TCP socket, and bench/guests/optloop-{c,as}.wasm `setsockopt-loop` in a worker.
// Prints JSON: { crossing, rows: { facade | getOption | setOption | c.wasmedge | ...: ns per call } }.

import { readFileSync } from 'node:fs';
import { socket, constants, Sandbox } from '../dist/index.js';
import { nsPerCall } from './lib/stats.mjs';

const [mode, nArg] = process.argv.slice(2);
const n = Number(nArg);
const want = process.env.SOCKBOX_NATIVE;
if ((mode !== 'get' && mode !== 'set') || !(n > 0) || (want !== 'addon' && want !== 'koffi')) {
  console.error('usage: SOCKBOX_NATIVE=addon|koffi node bench/latency-child.mjs get|set N');
  process.exit(2);
}
const { SOL_SOCKET, SO_RCVBUF, SO_KEEPALIVE } = constants;

/** Runs a guest in a worker to its end and returns its "<word> <ns>" lines as { word: ns }. */
async function guestLines(file, args) {
  let text = '';
  const wasm = readFileSync(new URL(file, import.meta.url));
  const { exitCode } = await new Sandbox({ args, stdout: (c) => { text += Buffer.from(c).toString('utf8'); } }).run(wasm);
  if (exitCode !== 0) throw new Error(`${args.join(' ')} exited ${exitCode}: ${text.trim()}`);
  return Object.fromEntries([...text.matchAll(/^(\w+) (\d+)$/gm)].map((m) => [m[1], Number(m[2])]));
}

/** ns per call of a loop of n, after a tenth of that to warm it (the other rows run warm in bench/run.mjs). */
function timed(loop) {
  loop(Math.ceil(n / 10));
  return nsPerCall(loop, n);
}

const prefix = (p, o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [`${p}.${k}`, v]));
const rows = {};
let s;
if (mode === 'get') {
  s = socket(constants.AF_INET, constants.SOCK_DGRAM);
  rows.facade = timed((k) => { for (let i = 0; i < k; i++) s.getsockopt(SOL_SOCKET, SO_RCVBUF); });
  rows.getOption = timed((k) => { for (let i = 0; i < k; i++) s.getOption('SO_RCVBUF'); });
  Object.assign(rows, prefix('c', await guestLines('../test/guests/sockguest-c.wasm', ['sockguest', 'getsockopt-loop', String(n)])));
  Object.assign(rows, prefix('as', await guestLines('../test/guests/sockguest-as.wasm', ['sockguest', 'getsockopt-loop', String(n)])));
} else {
  s = socket();
  rows.facade = timed((k) => { for (let i = 0; i < k; i++) s.setsockopt(SOL_SOCKET, SO_KEEPALIVE, i & 1); });
  rows.setOption = timed((k) => { for (let i = 0; i < k; i++) s.setOption('SO_KEEPALIVE', (i & 1) === 1); });
  Object.assign(rows, prefix('c', await guestLines('./guests/optloop-c.wasm', ['optloop', 'setsockopt-loop', String(n)])));
  Object.assign(rows, prefix('as', await guestLines('./guests/optloop-as.wasm', ['optloop', 'setsockopt-loop', String(n)])));
}

const crossing = s.native.crossing;
s.close();
const mapped = readFileSync('/proc/self/maps', 'utf8').includes('sockbox.node');
if (crossing !== want) throw new Error(`latency-child: SOCKBOX_NATIVE=${want}, but the facade took ${crossing}`);
if (mapped !== (want === 'addon')) throw new Error(`latency-child: SOCKBOX_NATIVE=${want}, but the addon is ${mapped ? '' : 'not '}mapped`);
for (const key of ['c.wasmedge', 'c.sockbox', 'as.wasmedge', 'as.sockbox']) {
  if (!Number.isFinite(rows[key])) throw new Error(`latency-child: no ${key} line from the guest`);
}
console.log(JSON.stringify({ crossing, rows }));
process.exit(0);
