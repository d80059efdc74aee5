// `npm run bench`: option-call latency of sockbox against the C syscall loop, Python
// and Node, each measured in this run; writes bench/RESULTS.md with medians, spreads
// and ratios to the C floor. Loopback only; nothing leaves the machine.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir, cpus, totalmem } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import dgram from 'node:dgram';
import { socket, constants } from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const N = Number(process.env.BENCH_N ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const work = mkdtempSync(join(tmpdir(), 'sockbox-bench-'));

function sh(cmd, args, input) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input });
  if (r.error || r.status !== 0) return { ok: false, out: (r.error?.message ?? r.stderr ?? '').trim() };
  return { ok: true, out: r.stdout.trim() };
}

function nsPerCall(fn, n) {
  const t0 = process.hrtime.bigint();
  fn(n);
  return Number(process.hrtime.bigint() - t0) / n;
}

// ── contenders: each returns ns/call for one round, or throws with a reason to skip ──
const cBin = join(work, 'getsockopt');
const cc = sh('cc', ['-O2', '-o', cBin, join(here, 'c/getsockopt.c')]);
const python = sh('python3', ['--version']);

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

const udp = socket(constants.AF_INET, constants.SOCK_DGRAM);
const tcp = socket();
const nodeUdp = dgram.createSocket('udp4');
await new Promise((r) => nodeUdp.bind(0, '127.0.0.1', r));

const get = [
  { name: 'C getsockopt loop (floor)', floor: true, skip: cc.ok ? null : `no C compiler: ${cc.out}`,
    run: () => Number(sh(cBin, [String(N)]).out) },
  { name: 'Python s.getsockopt', skip: python.ok ? null : 'python3 not found',
    run: () => Number(sh('python3', ['-c', PY_GET, String(N)]).out) },
  { name: 'Node dgram getRecvBufferSize()',
    run: () => nsPerCall((n) => { for (let i = 0; i < n; i++) nodeUdp.getRecvBufferSize(); }, N) },
  { name: 'sockbox facade getsockopt',
    run: () => nsPerCall((n) => { const { SOL_SOCKET, SO_RCVBUF } = constants; for (let i = 0; i < n; i++) udp.getsockopt(SOL_SOCKET, SO_RCVBUF); }, N) },
  { name: "sockbox facade getOption('SO_RCVBUF')",
    run: () => nsPerCall((n) => { for (let i = 0; i < n; i++) udp.getOption('SO_RCVBUF'); }, N) },
];
const set = [
  { name: 'C setsockopt loop (floor)', floor: true, skip: cc.ok ? null : `no C compiler: ${cc.out}`,
    run: () => Number(sh(cBin, [String(N), 'set']).out) },
  { name: 'Python s.setsockopt', skip: python.ok ? null : 'python3 not found',
    run: () => Number(sh('python3', ['-c', PY_SET, String(N)]).out) },
  { name: 'Node net.Socket setKeepAlive()', skip: 'Node offers no setsockopt on a bare socket; its setKeepAlive needs a connected socket (not comparable)' },
  { name: 'sockbox facade setsockopt',
    run: () => nsPerCall((n) => { const { SOL_SOCKET, SO_KEEPALIVE } = constants; for (let i = 0; i < n; i++) tcp.setsockopt(SOL_SOCKET, SO_KEEPALIVE, i & 1); }, N) },
  { name: "sockbox facade setOption('SO_KEEPALIVE')",
    run: () => nsPerCall((n) => { for (let i = 0; i < n; i++) tcp.setOption('SO_KEEPALIVE', (i & 1) === 1); }, N) },
];

function median(xs) { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; }

function measure(rows) {
  // Rounds interleave the contenders so drift on a shared machine hits all alike.
  const samples = rows.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    rows.forEach((row, i) => { if (!row.skip) samples[i].push(row.run()); });
  }
  const floorRow = rows.findIndex((r) => r.floor && !r.skip);
  const floor = floorRow >= 0 ? median(samples[floorRow]) : NaN;
  return rows.map((row, i) => {
    if (row.skip) return `| ${row.name} | — | — | — | skipped: ${row.skip} |`;
    const m = median(samples[i]);
    const spread = `${Math.min(...samples[i]).toFixed(0)}–${Math.max(...samples[i]).toFixed(0)}`;
    const ratio = Number.isNaN(floor) ? '—' : `${(m / floor).toFixed(2)}×`;
    return `| ${row.name} | ${m.toFixed(0)} | ${spread} | ${ratio} | |`;
  });
}

const head = ['| contender | median ns/call | spread (min–max) | ratio to C | note |', '| --- | --- | --- | --- | --- |'];
const lines = [
  '# sockbox benchmark results',
  '',
  `Written by \`npm run bench\` on ${new Date().toISOString()}.`,
  '',
  `- machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${process.platform} ${process.arch}`,
  `- Node ${process.version}; ${python.ok ? python.out : 'no python3'}; ${cc.ok ? 'cc -O2' : 'no C compiler'}`,
  `- ${N.toLocaleString('en')} calls per round, ${ROUNDS} rounds, contenders interleaved; median and min–max over rounds`,
  '',
  '## getsockopt(SOL_SOCKET, SO_RCVBUF) on a UDP socket',
  '',
  ...head, ...measure(get),
  '',
  '## setsockopt(SOL_SOCKET, SO_KEEPALIVE) on/off on a TCP socket',
  '',
  ...head, ...measure(set),
  '',
];
udp.close();
tcp.close();
nodeUdp.close();
rmSync(work, { recursive: true, force: true });
writeFileSync(join(here, 'RESULTS.md'), lines.join('\n'));
console.log(lines.join('\n'));
