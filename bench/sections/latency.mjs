// Sections 1 and 2 (getsockopt / setsockopt latency) and the layer ladder that shows
// where a guest's getsockopt spends its time. Each contender is a runner: one call
// measures one round and returns { rowKey: ns per call }. sockbox's own rows (facade and
// guests) run twice a round, in a child process per crossing (bench/latency-child.mjs with
// SOCKBOX_NATIVE=addon, then =koffi, the order swapped every round): the crossing is
// chosen once per thread, so the fast path and the fallback cannot share a process.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import dgram from 'node:dgram';
import net from 'node:net';
import v8 from 'node:v8';
import koffi from 'koffi';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { constants, Sandbox } from '../../dist/index.js';
import { sh, run, compileC } from '../lib/proc.mjs';
import { nsPerCall } from '../lib/stats.mjs';
import { benchNative } from '../lib/native.mjs';
import { loopModuleBytes } from '../lib/wasm-loop.mjs';

const { SOL_SOCKET, SO_RCVBUF } = constants;

/** The crossings sockbox's rows run with, and how their rows are labelled. */
const CROSSINGS = [
  { env: 'addon', label: '(addon)' },
  { env: 'koffi', label: '(koffi fallback)' },
];

const PY_GET = `
import socket, time, sys
n = int(sys.argv[1]); s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
g = s.getsockopt; L = socket.SOL_SOCKET; O = socket.SO_RCVBUF
t = time.perf_counter_ns()
for _ in range(n): g(L, O)
print((time.perf_counter_ns() - t) / n)`;
const PY_SET = `
import socket, time, sys
n = int(sys.argv[1]); s = socket.socket()
f = s.setsockopt; L = socket.SOL_SOCKET; O = socket.SO_KEEPALIVE
t = time.perf_counter_ns()
for i in range(n): f(L, O, i & 1)
print((time.perf_counter_ns() - t) / n)`;

/** Runs a guest to its end and returns its "<word> <ns>" lines as { word: ns }. */
async function guestLines(wasm, args, options = {}) {
  let text = '';
  const { exitCode } = await new Sandbox({ args, stdout: (c) => { text += Buffer.from(c).toString('utf8'); }, ...options }).run(wasm);
  if (exitCode !== 0) throw new Error(`${args.join(' ')} exited ${exitCode}: ${text.trim()}`);
  return Object.fromEntries([...text.matchAll(/^(\w+) (\d+)$/gm)].map((m) => [m[1], Number(m[2])]));
}

/** A runner that fails loudly when a child's answer is not a number. */
function num(r, what) {
  const v = Number(r.out);
  if (!r.ok || !Number.isFinite(v)) throw new Error(`${what}: ${r.out}`);
  return v;
}

/**
 * sockbox's rows of one section for every crossing: `rows` (each base row once per
 * crossing, side by side; keys `<key>.<crossing>`) and one runner that runs
 * bench/latency-child.mjs once per crossing, in an order that alternates by round.
 */
function crossingRows(here, mode, n, base) {
  const child = join(here, 'latency-child.mjs');
  let round = 0;
  return {
    rows: base.flatMap((row) => CROSSINGS.map((c) => ({ ...row, key: `${row.key}.${c.env}`, name: `${row.name} ${c.label}`, crossing: c.env }))),
    runner: async () => {
      const order = round++ % 2 === 0 ? CROSSINGS : [...CROSSINGS].reverse();
      const out = {};
      for (const c of order) {
        const r = await run(process.execPath, [child, mode, String(n)], { env: { ...process.env, SOCKBOX_NATIVE: c.env } });
        if (!r.ok) throw new Error(`latency-child ${mode} (SOCKBOX_NATIVE=${c.env}): ${r.out}`);
        const { crossing, rows } = JSON.parse(r.out);
        if (crossing !== c.env) throw new Error(`latency-child ${mode}: asked for ${c.env}, ran ${crossing}`);
        for (const [k, v] of Object.entries(rows)) out[`${k}.${c.env}`] = v;
      }
      return out;
    },
  };
}

/**
 * Everything sections 1 and 2 and the layer ladder need: rows (in table order) and
 * runners, for `n` calls a round. `work` is a scratch folder for the compiled C loop.
 */
export async function latencySetup({ here, work, n, tools }) {
  const cLoop = tools.cc ? compileC(join(here, 'c', 'getsockopt.c'), work, 'getsockopt') : { ok: false, why: 'no C compiler (cc)' };
  const noC = cLoop.ok ? null : `C loop not built: ${cLoop.why}`;
  const noPy = tools.python ? null : 'python3 not found';
  const sockguestC = readFileSync(join(here, '..', 'test', 'guests', 'sockguest-c.wasm'));
  const p2 = join(here, 'preview2-child.mjs');

  const nodeUdp = dgram.createSocket('udp4');
  await new Promise((r) => nodeUdp.bind(0, '127.0.0.1', r));
  // Node's keepalive exists only on a connected net.Socket: a loopback pair.
  const server = net.createServer((s) => s.on('error', () => {}));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const nodeTcp = net.connect(server.address().port, '127.0.0.1');
  await new Promise((r) => nodeTcp.on('connect', r));

  // preview2-shim's setKeepAliveEnabled is a synchronous round trip to its I/O worker
  // (tens of µs): bounded by time, 300 ms a round, in steps of 200 calls.
  const P2_SET_CALLS = Math.min(n, 5000);

  const sockboxGet = crossingRows(here, 'get', n, [
    { key: 'facade', name: 'sockbox facade getsockopt' },
    { key: 'getOption', name: "sockbox facade getOption('SO_RCVBUF')" },
    { key: 'c.wasmedge', name: 'sockbox guest, C: sock_getsockopt (WasmEdge ABI)', guest: true },
    { key: 'c.sockbox', name: 'sockbox guest, C: sockbox.getsockopt', guest: true },
    { key: 'as.wasmedge', name: 'sockbox guest, AssemblyScript: sock_getsockopt (WasmEdge ABI)', guest: true },
    { key: 'as.sockbox', name: 'sockbox guest, AssemblyScript: sockbox.getsockopt', guest: true },
  ]);
  const sockboxSet = crossingRows(here, 'set', n, [
    { key: 'facade', name: 'sockbox facade setsockopt' },
    { key: 'setOption', name: "sockbox facade setOption('SO_KEEPALIVE')" },
    { key: 'c.wasmedge', name: 'sockbox guest, C: sock_setsockopt (WasmEdge ABI)', guest: true },
    { key: 'c.sockbox', name: 'sockbox guest, C: sockbox.setsockopt', guest: true },
    { key: 'as.wasmedge', name: 'sockbox guest, AssemblyScript: sock_setsockopt (WasmEdge ABI)', guest: true },
    { key: 'as.sockbox', name: 'sockbox guest, AssemblyScript: sockbox.setsockopt', guest: true },
  ]);

  const get = {
    rows: [
      { key: 'c', name: 'C getsockopt loop (floor)', floor: true, skip: noC },
      { key: 'py', name: 'Python s.getsockopt', skip: noPy },
      { key: 'node', name: 'Node dgram getRecvBufferSize()' },
      ...sockboxGet.rows,
      { key: 'p2', name: 'preview2-shim TcpSocket.receiveBufferSize()', note: 'a cached JS field, not a syscall (see below)' },
    ],
    runners: [
      noC ? null : async () => ({ c: num(await run(cLoop.bin, [String(n)]), 'C loop') }),
      noPy ? null : async () => ({ py: num(await run('python3', ['-c', PY_GET, String(n)]), 'python') }),
      async () => ({ node: nsPerCall((k) => { for (let i = 0; i < k; i++) nodeUdp.getRecvBufferSize(); }, n) }),
      sockboxGet.runner,
      async () => ({ p2: num(await run(process.execPath, [p2, 'get', String(n)]), 'preview2-shim') }),
    ].filter(Boolean),
  };

  const set = {
    rows: [
      { key: 'c', name: 'C setsockopt loop (floor)', floor: true, skip: noC },
      { key: 'py', name: 'Python s.setsockopt', skip: noPy },
      { key: 'node', name: 'Node net.Socket setKeepAlive()', note: 'connected loopback socket; enabling also sets TCP_KEEPIDLE: 1.5 setsockopt(2) calls a call on average' },
      ...sockboxSet.rows,
      { key: 'p2', name: 'preview2-shim TcpSocket.setKeepAliveEnabled()', note: `${P2_SET_CALLS.toLocaleString('en')} calls a round; on a bound socket it reaches no kernel socket (see below)` },
    ],
    runners: [
      noC ? null : async () => ({ c: num(await run(cLoop.bin, [String(n), 'set']), 'C loop') }),
      noPy ? null : async () => ({ py: num(await run('python3', ['-c', PY_SET, String(n)]), 'python') }),
      async () => ({ node: nsPerCall((k) => { for (let i = 0; i < k; i++) nodeTcp.setKeepAlive((i & 1) === 1); }, n) }),
      sockboxSet.runner,
      async () => ({ p2: num(await run(process.execPath, [p2, 'set', String(P2_SET_CALLS)]), 'preview2-shim') }),
    ].filter(Boolean),
  };

  const layers = layerSetup(n, sockguestC);

  return {
    get, set, layers,
    /** What preview2-shim's getters answer next to what the kernel holds. */
    preview2Kernel: async () => {
      const r = await run(process.execPath, [p2, 'kernel']);
      return r.ok ? JSON.parse(r.out) : { error: r.out };
    },
    close: () => {
      nodeUdp.close();
      nodeTcp.destroy();
      server.close();
    },
  };
}

/**
 * The layer ladder: one getsockopt(SOL_SOCKET, SO_RCVBUF) on a UDP socket with each
 * layer between a guest and the kernel added in turn. Runs in this process; the guest
 * rows run inline (worker: false) so the stubbed native layer can be passed in.
 */
function layerSetup(n, sockguestC) {
  const lib = benchNative();
  const fd = lib.socket(constants.AF_INET, constants.SOCK_DGRAM, 0);
  const libc = koffi.load('libc.so.6');
  const getsockoptAt = libc.func('int getsockopt(int, int, int, uintptr_t, uintptr_t)');
  const getsockoptV = libc.func('int getsockopt(int, int, int, void *, void *)');
  // One off-heap buffer (more than 64 bytes, so V8 never moves it): value @0, length @8.
  const scratch = new Uint8Array(1024);
  const sdv = new DataView(scratch.buffer);
  const base = lib.addressOf(scratch);
  const valueAt = base;
  const lenAt = base + 8;
  const valueView = scratch.subarray(0, 4);
  const lenView = scratch.subarray(8, 12);

  const loop = new WebAssembly.Module(loopModuleBytes());
  // The guest's value at 16, its length at 32 (the loop stores 4 there before each call).
  const instance = (makeImport) => {
    const holder = {};
    const inst = new WebAssembly.Instance(loop, { m: { f: makeImport(holder) } });
    const u8 = new Uint8Array(inst.exports.memory.buffer);
    holder.u8 = u8;
    holder.dv = new DataView(u8.buffer);
    holder.base = lib.addressOf(u8);
    return inst;
  };
  const empty = instance(() => () => 0);
  const direct = instance((h) => (a, b, c, d, e) => getsockoptAt(a, b, c, h.base + d, h.base + e));
  const bounce = instance((h) => (a, b, c, d, e) => {
    sdv.setUint32(8, h.dv.getUint32(e, true), true);
    const rc = getsockoptAt(a, b, c, valueAt, lenAt);
    const got = sdv.getUint32(8, true);
    for (let i = 0; i < got; i++) h.u8[d + i] = scratch[i];
    h.dv.setUint32(e, got, true);
    return rc;
  });
  // The same two crossings through sockbox's addon (prebuilds/), where it is built: the
  // call from a JS loop, and the call from a JS import that wasm calls (fixed scratch
  // addresses, value copied back, as the sandbox does).
  const addonPath = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..', 'prebuilds', `${process.platform}-${process.arch}`, 'sockbox.node');
  const addon = existsSync(addonPath) ? createRequire(import.meta.url)(addonPath) : null;
  const addonGetAt = addon?.getsockoptAt;
  const addonBounce = instance((h) => (a, b, c, d, e) => {
    sdv.setUint32(8, h.dv.getUint32(e, true), true);
    const rc = addonGetAt(a, b, c, valueAt, lenAt);
    const got = sdv.getUint32(8, true);
    for (let i = 0; i < got; i++) h.u8[d + i] = scratch[i];
    h.dv.setUint32(e, got, true);
    return rc;
  });
  const wasmLoop = (inst) => () => {
    const rc = inst.exports.run(n, fd, SOL_SOCKET, SO_RCVBUF, 16, 32);
    if (rc !== 0) throw new Error(`layer loop: getsockopt returned ${rc}`);
  };

  const stubbed = benchNative();
  stubbed.getsockoptAt = () => 0;
  const real = benchNative();

  /** ns per call and GCs during the round, for a synchronous loop of n calls. */
  const timed = (key, body) => () => {
    const profiler = new v8.GCProfiler();
    profiler.start();
    const ns = nsPerCall(body, n);
    return { [key]: ns, [`${key}.gcs`]: profiler.stop().statistics.length };
  };
  const guestRun = (key, native) => async () => {
    const profiler = new v8.GCProfiler();
    profiler.start();
    const r = await guestLines(sockguestC, ['sockguest', 'getsockopt-loop', String(n)], { worker: false, native });
    const gcs = profiler.stop().statistics.length;
    // One guest run covers both loops: its GCs are split evenly between the two rows.
    return { [`${key}.wasmedge`]: r.wasmedge, [`${key}.sockbox`]: r.sockbox, [`${key}.wasmedge.gcs`]: gcs / 2, [`${key}.sockbox.gcs`]: gcs / 2 };
  };

  return {
    rows: [
      { key: 'ffi', name: 'JS → koffi getsockopt, uintptr_t arguments at fixed addresses' },
      { key: 'ffiViews', name: 'JS → koffi getsockopt, void * typed-array views (koffi converts each view per call)' },
      { key: 'addon', name: 'JS → addon getsockoptAt, fixed addresses (the crossing sockbox takes by default)', skip: addon ? null : 'no prebuilt addon for this platform' },
      { key: 'addonBounce', name: 'wasm → JS import → addon getsockoptAt at fixed scratch addresses, value copied back', skip: addon ? null : 'no prebuilt addon for this platform' },
      { key: 'boundary', name: 'wasm → empty JS import (the boundary alone)' },
      { key: 'direct', name: 'wasm → JS import → koffi at guest memory base + pointer (zero copy; an address computed per call)' },
      { key: 'bounce', name: 'wasm → JS import → koffi at fixed scratch addresses, value copied back (one copy; fixed addresses)' },
      { key: 'stub.sockbox', name: 'sandbox import layer, no syscall: C guest inline, sockbox.getsockopt, native call stubbed' },
      { key: 'stub.wasmedge', name: 'sandbox import layer, no syscall: C guest inline, sock_getsockopt, native call stubbed' },
      { key: 'inline.sockbox', name: 'sandbox, whole path: C guest inline, sockbox.getsockopt' },
      { key: 'inline.wasmedge', name: 'sandbox, whole path: C guest inline, sock_getsockopt' },
    ],
    runners: [
      timed('ffi', (k) => { for (let i = 0; i < k; i++) { sdv.setUint32(8, 4, true); getsockoptAt(fd, SOL_SOCKET, SO_RCVBUF, valueAt, lenAt); } }),
      timed('ffiViews', (k) => { for (let i = 0; i < k; i++) { sdv.setUint32(8, 4, true); getsockoptV(fd, SOL_SOCKET, SO_RCVBUF, valueView, lenView); } }),
      ...(addon ? [
        timed('addon', (k) => { for (let i = 0; i < k; i++) { sdv.setUint32(8, 4, true); addonGetAt(fd, SOL_SOCKET, SO_RCVBUF, valueAt, lenAt); } }),
        timed('addonBounce', wasmLoop(addonBounce)),
      ] : []),
      timed('boundary', wasmLoop(empty)),
      timed('direct', wasmLoop(direct)),
      timed('bounce', wasmLoop(bounce)),
      guestRun('stub', stubbed),
      guestRun('inline', real),
    ],
  };
}
