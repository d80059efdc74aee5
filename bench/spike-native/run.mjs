// Spike (issue 15, part 1): one run, one socket, every way of asking the kernel for
// SO_RCVBUF (and setting it): the C floor, koffi as sockbox calls it today, a Node-API
// addon (plain numbers, a typed array, raw addresses), the sockbox facade over each,
// CPython and Node's dgram. Rounds are interleaved (the order rotates each round) so a
// burst of load elsewhere lands on every contender; the table gives the median.
//
// Usage: ./build.sh && npm run build && SOCKBOX_NATIVE=koffi node run.mjs [--rounds 7] [--n 1000000]
// (SOCKBOX_NATIVE=koffi: since sockbox ships its own addon, the facade's default crossing
// is the addon; the spike's "facade over koffi" row needs the fallback. The C floor is
// bench/c/getsockopt.c, built by build.sh as build/floor.)
// The socket is an unbound AF_INET stream socket: no traffic at all. The dgram socket
// Node needs is bound to 127.0.0.1:0 and sends nothing.

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import dgram from 'node:dgram';
import koffi from 'koffi';
import { socket, Socket, constants } from '../../dist/index.js';
import { benchNative } from '../lib/native.mjs';
import { run } from '../lib/proc.mjs';
import { median, nsPerCall, table, fmt, spread } from '../lib/stats.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const build = join(here, 'build');
if (!existsSync(join(build, 'addon.node'))) throw new Error('run ./build.sh first');

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const ROUNDS = arg('rounds', 7);
const N = arg('n', 1_000_000);

const addon = createRequire(import.meta.url)(join(build, 'addon.node'));
const { AF_INET, SOCK_STREAM, SOL_SOCKET, SO_RCVBUF } = constants;
const VALUE = 65536; // every set row sets the same value (Linux stores 2× it)

// The one socket: made by the facade (koffi's socket(2)); every contender uses its fd.
const s = socket(AF_INET, SOCK_STREAM);
if (s.native.crossing !== 'koffi') throw new Error('run with SOCKBOX_NATIVE=koffi: the "facade over koffi" rows need the fallback');
const fd = s.fileno();

// koffi exactly as host/socket.ts's intOpts calls it: getsockoptAt/setsockoptAt with the
// native addresses of a fixed int and socklen_t.
const nat = benchNative();
const OPT = new Int32Array(1);
const LEN = new Uint32Array(1);
const OPT_ADDR = nat.addressOf(new Uint8Array(OPT.buffer));
const LEN_ADDR = nat.addressOf(LEN);

// The facade with the addon in koffi's place: same Socket code, same fd (not owned, so
// closing it leaves the fd to `s`), only the option calls swapped. Since the facade's int
// path calls getsockoptInt/setsockoptInt, those are the ones this row takes (the spike's
// addon answers -errno where sockbox's answers INT_ERROR - errno: the same on success).
const viaAddon = new Socket(fd, AF_INET, SOCK_STREAM, 0, false, {
  ...nat,
  getsockoptAt: addon.getsockoptAt,
  setsockoptAt: addon.setsockoptAt,
  getsockoptInt: addon.getsockoptInt,
  setsockoptInt: addon.setsockoptInt,
  crossing: 'addon',
});

// A sketch of a leaner facade over the addon (not sockbox code): the same argument
// checks (C int), the value as the return, no scratch buffer, errno as -rc.
class LeanSocket {
  constructor(fd) { this.fd = fd; }
  getsockopt(level, optname) {
    if ((level | 0) !== level) throw new TypeError('level must be a C int');
    if ((optname | 0) !== optname) throw new TypeError('optname must be a C int');
    const v = addon.getsockoptInt(this.fd, level, optname);
    if (v < 0) throw new Error(`getsockopt: errno ${-v}`);
    return v;
  }
  setsockopt(level, optname, value) {
    if ((level | 0) !== level) throw new TypeError('level must be a C int');
    if ((optname | 0) !== optname) throw new TypeError('optname must be a C int');
    if ((value | 0) !== value) throw new TypeError('value must be a C int');
    const rc = addon.setsockoptInt(this.fd, level, optname, value);
    if (rc < 0) throw new Error(`setsockopt: errno ${-rc}`);
  }
}
const lean = new LeanSocket(fd);

// The crossing alone: one C function (a + b + c), through Node-API and through koffi.
const koffiNoop = koffi.load(join(build, 'addon.node')).func('int spike_noop3(int, int, int)');

const udp = dgram.createSocket('udp4');
await new Promise((r) => udp.bind(0, '127.0.0.1', r));

// Sanity: every path reads the same kernel value before anything is timed.
{
  LEN[0] = 4;
  nat.getsockoptAt(fd, SOL_SOCKET, SO_RCVBUF, OPT_ADDR, LEN_ADDR);
  const I = new Int32Array(1);
  addon.getsockoptInto(fd, SOL_SOCKET, SO_RCVBUF, I);
  const seen = [s.getsockopt(SOL_SOCKET, SO_RCVBUF), lean.getsockopt(SOL_SOCKET, SO_RCVBUF), viaAddon.getsockopt(SOL_SOCKET, SO_RCVBUF), addon.getsockoptInt(fd, SOL_SOCKET, SO_RCVBUF), OPT[0], I[0]];
  if (new Set(seen).size !== 1) throw new Error(`paths disagree on SO_RCVBUF: ${seen}`);
  if (koffiNoop(1, 2, 3) !== 6 || addon.noop3(1, 2, 3) !== 6) throw new Error('noop3 is not 6');
}

const PY = `
import sys, timeit
n, mode = int(sys.argv[1]), sys.argv[2]
setup = "import socket; s = socket.socket(fileno=3); g = s.getsockopt; f = s.setsockopt; L = socket.SOL_SOCKET; O = socket.SO_RCVBUF"
stmt = "g(L, O)" if mode == "get" else "f(L, O, ${VALUE})"
print(timeit.timeit(stmt, setup, number=n) * 1e9 / n)`;

/** A child's ns/call; `shared` passes the socket as the child's fd 3. */
async function child(cmd, args, shared = true) {
  const r = await run(cmd, args, { stdio: ['ignore', 'pipe', 'pipe', shared ? fd : 'ignore'] });
  const v = Number(r.out);
  if (!r.ok || !Number.isFinite(v)) throw new Error(`${cmd}: ${r.out}`);
  return v;
}

const I32 = new Int32Array(1);
const get = [
  { key: 'c', name: 'C getsockopt loop (floor), same socket', floor: true, run: () => child(join(build, 'floor'), [String(N), 'get', '3']) },
  { key: 'c.udp', name: 'C getsockopt loop, own UDP socket (floor for the dgram row)', run: () => child(join(build, 'floor'), [String(N), 'get'], false) },
  { key: 'koffi', name: 'koffi getsockoptAt (as sockbox calls it today)', run: () => nsPerCall((k) => { for (let i = 0; i < k; i++) { LEN[0] = 4; nat.getsockoptAt(fd, SOL_SOCKET, SO_RCVBUF, OPT_ADDR, LEN_ADDR); } }, N) },
  { key: 'addon.num', name: 'addon getsockoptInt(fd, level, name): numbers in, number out', run: () => nsPerCall((k) => { for (let i = 0; i < k; i++) addon.getsockoptInt(fd, SOL_SOCKET, SO_RCVBUF); }, N) },
  { key: 'addon.ta', name: 'addon getsockoptInto(fd, level, name, Int32Array)', run: () => nsPerCall((k) => { for (let i = 0; i < k; i++) addon.getsockoptInto(fd, SOL_SOCKET, SO_RCVBUF, I32); }, N) },
  { key: 'addon.at', name: 'addon getsockoptAt (koffi\'s raw-address signature)', run: () => nsPerCall((k) => { for (let i = 0; i < k; i++) { LEN[0] = 4; addon.getsockoptAt(fd, SOL_SOCKET, SO_RCVBUF, OPT_ADDR, LEN_ADDR); } }, N) },
  { key: 'facade', name: 'sockbox facade getsockopt over koffi (today)', run: () => nsPerCall((k) => { for (let i = 0; i < k; i++) s.getsockopt(SOL_SOCKET, SO_RCVBUF); }, N) },
  { key: 'facade.addon', name: 'sockbox facade getsockopt over the addon', run: () => nsPerCall((k) => { for (let i = 0; i < k; i++) viaAddon.getsockopt(SOL_SOCKET, SO_RCVBUF); }, N) },
  { key: 'lean', name: 'sketch: lean facade getsockopt over addon getsockoptInt', run: () => nsPerCall((k) => { for (let i = 0; i < k; i++) lean.getsockopt(SOL_SOCKET, SO_RCVBUF); }, N) },
  { key: 'py', name: 'Python s.getsockopt (timeit), same socket', run: () => child('python3', ['-c', PY, String(N), 'get']) },
  { key: 'node', name: 'Node dgram getRecvBufferSize() (own UDP socket)', run: () => nsPerCall((k) => { for (let i = 0; i < k; i++) udp.getRecvBufferSize(); }, N) },
  { key: 'noop.koffi', name: 'crossing only: koffi → int spike_noop3(int, int, int)', run: () => nsPerCall((k) => { for (let i = 0; i < k; i++) koffiNoop(fd, SOL_SOCKET, SO_RCVBUF); }, N) },
  { key: 'noop.addon', name: 'crossing only: Node-API noop3(a, b, c)', run: () => nsPerCall((k) => { for (let i = 0; i < k; i++) addon.noop3(fd, SOL_SOCKET, SO_RCVBUF); }, N) },
];

const SET_I32 = Int32Array.of(VALUE);
const set = [
  { key: 'c', name: 'C setsockopt loop (floor), same socket', floor: true, run: () => child(join(build, 'floor'), [String(N), 'set-rcvbuf', '3']) },
  { key: 'c.udp', name: 'C setsockopt loop, own UDP socket (floor for the dgram row)', run: () => child(join(build, 'floor'), [String(N), 'set-rcvbuf'], false) },
  { key: 'koffi', name: 'koffi setsockoptAt (as sockbox calls it today)', run: () => nsPerCall((k) => { for (let i = 0; i < k; i++) { OPT[0] = VALUE; nat.setsockoptAt(fd, SOL_SOCKET, SO_RCVBUF, OPT_ADDR, 4); } }, N) },
  { key: 'addon.num', name: 'addon setsockoptInt(fd, level, name, value)', run: () => nsPerCall((k) => { for (let i = 0; i < k; i++) addon.setsockoptInt(fd, SOL_SOCKET, SO_RCVBUF, VALUE); }, N) },
  { key: 'addon.ta', name: 'addon setsockoptFrom(fd, level, name, Int32Array)', run: () => nsPerCall((k) => { for (let i = 0; i < k; i++) addon.setsockoptFrom(fd, SOL_SOCKET, SO_RCVBUF, SET_I32); }, N) },
  { key: 'addon.at', name: 'addon setsockoptAt (koffi\'s raw-address signature)', run: () => nsPerCall((k) => { for (let i = 0; i < k; i++) { OPT[0] = VALUE; addon.setsockoptAt(fd, SOL_SOCKET, SO_RCVBUF, OPT_ADDR, 4); } }, N) },
  { key: 'facade', name: 'sockbox facade setsockopt over koffi (today)', run: () => nsPerCall((k) => { for (let i = 0; i < k; i++) s.setsockopt(SOL_SOCKET, SO_RCVBUF, VALUE); }, N) },
  { key: 'facade.addon', name: 'sockbox facade setsockopt over the addon', run: () => nsPerCall((k) => { for (let i = 0; i < k; i++) viaAddon.setsockopt(SOL_SOCKET, SO_RCVBUF, VALUE); }, N) },
  { key: 'lean', name: 'sketch: lean facade setsockopt over addon setsockoptInt', run: () => nsPerCall((k) => { for (let i = 0; i < k; i++) lean.setsockopt(SOL_SOCKET, SO_RCVBUF, VALUE); }, N) },
  { key: 'py', name: 'Python s.setsockopt (timeit), same socket', run: () => child('python3', ['-c', PY, String(N), 'set']) },
  { key: 'node', name: 'Node dgram setRecvBufferSize() (own UDP socket)', run: () => nsPerCall((k) => { for (let i = 0; i < k; i++) udp.setRecvBufferSize(VALUE); }, N) },
];

/** Warm-up round (discarded), then ROUNDS rounds with the order rotated each round. */
async function measure(rows) {
  const got = Object.fromEntries(rows.map((r) => [r.key, []]));
  for (let round = -1; round < ROUNDS; round++) {
    for (let j = 0; j < rows.length; j++) {
      const r = rows[(j + Math.max(round, 0)) % rows.length];
      const v = await r.run();
      if (round >= 0) got[r.key].push(v);
    }
  }
  return got;
}

function render(title, rows, got) {
  const floor = median(got[rows.find((r) => r.floor).key]);
  const lines = table(
    [title, 'ns/call (median)', '× C floor', `spread (${ROUNDS} rounds)`],
    rows.map((r) => {
      const m = median(got[r.key]);
      return [r.name, fmt(m, 1), r.key.startsWith('noop') ? '—' : `${(m / floor).toFixed(2)}×`, spread(got[r.key], 1)];
    }),
  );
  return lines.join('\n');
}

const t0 = Date.now();
const gotGet = await measure(get);
const gotSet = await measure(set);
udp.close();
s.close();

const m = (g, k) => median(g[k]);
const out = [
  `node ${process.version}, ${N.toLocaleString('en')} calls a round, ${ROUNDS} rounds (+1 warm-up), ${((Date.now() - t0) / 1000).toFixed(0)} s, loadavg ${(await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ')}`,
  '',
  render('getsockopt(SOL_SOCKET, SO_RCVBUF)', get, gotGet),
  '',
  render(`setsockopt(SOL_SOCKET, SO_RCVBUF, ${VALUE})`, set, gotSet),
  '',
  'Derived (medians, ns/call):',
  `- get: koffi − addon(numbers) = ${fmt(m(gotGet, 'koffi') - m(gotGet, 'addon.num'), 1)}; koffi − addon(At) = ${fmt(m(gotGet, 'koffi') - m(gotGet, 'addon.at'), 1)}; facade(koffi) − facade(addon) = ${fmt(m(gotGet, 'facade') - m(gotGet, 'facade.addon'), 1)}`,
  `- get: facade JS above its raw call: over koffi ${fmt(m(gotGet, 'facade') - m(gotGet, 'koffi'), 1)}, over addon ${fmt(m(gotGet, 'facade.addon') - m(gotGet, 'addon.at'), 1)}, lean sketch ${fmt(m(gotGet, 'lean') - m(gotGet, 'addon.num'), 1)}`,
  `- get: crossing only, koffi ${fmt(m(gotGet, 'noop.koffi'), 1)} vs Node-API ${fmt(m(gotGet, 'noop.addon'), 1)}`,
  `- get: facade over koffi ${(m(gotGet, 'facade') / m(gotGet, 'c')).toFixed(2)}×, facade over addon ${(m(gotGet, 'facade.addon') / m(gotGet, 'c')).toFixed(2)}×, lean sketch ${(m(gotGet, 'lean') / m(gotGet, 'c')).toFixed(2)}× vs Node dgram ${(m(gotGet, 'node') / m(gotGet, 'c')).toFixed(2)}× (or ${(m(gotGet, 'node') / m(gotGet, 'c.udp')).toFixed(2)}× of its own UDP floor), Python ${(m(gotGet, 'py') / m(gotGet, 'c')).toFixed(2)}×`,
  `- set: koffi − addon(numbers) = ${fmt(m(gotSet, 'koffi') - m(gotSet, 'addon.num'), 1)}; facade(koffi) − facade(addon) = ${fmt(m(gotSet, 'facade') - m(gotSet, 'facade.addon'), 1)}`,
  `- set: facade over koffi ${(m(gotSet, 'facade') / m(gotSet, 'c')).toFixed(2)}×, facade over addon ${(m(gotSet, 'facade.addon') / m(gotSet, 'c')).toFixed(2)}×, lean sketch ${(m(gotSet, 'lean') / m(gotSet, 'c')).toFixed(2)}× vs Node dgram ${(m(gotSet, 'node') / m(gotSet, 'c')).toFixed(2)}× (or ${(m(gotSet, 'node') / m(gotSet, 'c.udp')).toFixed(2)}× of its own UDP floor), Python ${(m(gotSet, 'py') / m(gotSet, 'c')).toFixed(2)}×`,
];
console.log(out.join('\n'));
