// The browser runtime's numbers (issue 16): per-call latency of the same guest in a page
// (BrowserSandbox, its sockets through a relay on loopback) and in Node (Sandbox, a
// worker), in the same run, interleaved; and the size of the bundles a page loads.
// Writes bench/BROWSER.md. Needs Debian's Chromium (/usr/bin/chromium) and a build.
//
//   npm run bench:browser [-- --rounds N]

import http from 'node:http';
import { readFileSync, writeFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus, release } from 'node:os';
import { chromium } from 'playwright-core';
import { createRelay, Sandbox } from '../dist/index.js';
import { median } from './lib/stats.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ROUNDS = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 5;
const PAGE_CALLS = 2000;
const NODE_CALLS = 200_000;
const GUEST = join(root, 'test/guests/sockguest-c.wasm');
const BUNDLES = ['sockbox-browser.js', 'sockbox-browser-worker.js'];
const ISOLATED = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp', 'cross-origin-resource-policy': 'same-origin' };
const PAGE = `<!doctype html><script type="module">
import { BrowserSandbox } from '/sockbox-browser.js';
window.loop = async (relay, token, n) => {
  let out = '';
  const sb = new BrowserSandbox({ relay, token, args: ['sockguest', 'getsockopt-loop', String(n)], stdout: (t) => { out += t; } });
  const { exitCode } = await sb.run(await (await fetch('/guest.wasm')).arrayBuffer());
  return { exitCode, out };
};
window.ready = true;
</script>`;

/** "wasmedge NS\nsockbox NS\n" → { wasmedge, sockbox } in ns per call. */
function parse(out) {
  const r = {};
  for (const l of out.trim().split('\n')) { const [abi, ns] = l.split(' '); r[abi] = Number(ns); }
  if (!(r.wasmedge > 0 && r.sockbox > 0)) throw new Error(`unexpected guest output: ${out}`);
  return r;
}

const server = http.createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  if (path === '/') return void res.writeHead(200, { ...ISOLATED, 'content-type': 'text/html' }).end(PAGE);
  if (path === '/guest.wasm') return void res.writeHead(200, { ...ISOLATED, 'content-type': 'application/wasm' }).end(readFileSync(GUEST));
  const b = BUNDLES.find((f) => path === `/${f}`);
  if (b) return void res.writeHead(200, { ...ISOLATED, 'content-type': 'text/javascript' }).end(readFileSync(join(root, 'dist/browser', b)));
  res.writeHead(404).end();
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;
const token = 'bench';
const relay = await createRelay({ port: 0, token, origins: [origin], policy: {} });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
const chromiumVersion = browser.version();
const wasm = readFileSync(GUEST);

const page = { wasmedge: [], sockbox: [] };
const node = { wasmedge: [], sockbox: [] };
try {
  const p = await browser.newPage();
  await p.goto(origin);
  await p.waitForFunction(() => window.ready === true);
  for (let round = 0; round < ROUNDS; round++) {
    const r = await p.evaluate(([u, t, n]) => window.loop(u, t, n), [relay.url, token, PAGE_CALLS]);
    if (r.exitCode !== 0) throw new Error(`page run exited ${r.exitCode}: ${r.out}`);
    const pr = parse(r.out);
    let out = '';
    const { exitCode } = await new Sandbox({ args: ['sockguest', 'getsockopt-loop', String(NODE_CALLS)], stdout: (c) => { out += Buffer.from(c).toString(); } }).run(wasm);
    if (exitCode !== 0) throw new Error(`node run exited ${exitCode}`);
    const nr = parse(out);
    for (const k of ['wasmedge', 'sockbox']) { page[k].push(pr[k]); node[k].push(nr[k]); }
    process.stderr.write(`round ${round + 1}/${ROUNDS}: page ${(pr.sockbox / 1000).toFixed(0)} µs, Node ${nr.sockbox} ns\n`);
  }
} finally {
  await browser.close();
  await relay.close();
  server.close();
}

const size = (f) => {
  const b = readFileSync(join(root, 'dist/browser', f));
  return { raw: statSync(join(root, 'dist/browser', f)).size, gz: gzipSync(b, { level: 9 }).length };
};
const row = (name, xs, base) => `| ${name} | ${Math.round(median(xs)).toLocaleString('en')} | ${Math.round(Math.min(...xs)).toLocaleString('en')}–${Math.round(Math.max(...xs)).toLocaleString('en')} | ${(median(xs) / base).toFixed(0)}× |`;
const base = median(node.sockbox);
const lines = [
  '# sockbox in the browser: benchmark results',
  '',
  `Written by \`npm run bench:browser\` (bench/browser.mjs) on ${new Date().toISOString()}.`,
  '',
  `- machine: ${cpus().length} × ${cpus()[0]?.model.split(' ').slice(0, 2).join(' ') ?? '?'}, linux ${release()}; Node ${process.version}; Chromium ${chromiumVersion} (Debian's, headless)`,
  `- ${ROUNDS} rounds, interleaved: in each, the page runs test/guests/sockguest-c.wasm \`getsockopt-loop ${PAGE_CALLS}\`, then Node's Sandbox (a worker) runs it with ${NODE_CALLS.toLocaleString('en')}. The guest times its own loop (clock_time_get) of getsockopt(SOL_SOCKET, SO_RCVBUF) on a UDP socket. In the page every call is a round trip: guest worker → link worker → WebSocket → relay (this process, loopback) → the relay session's sandbox worker → the syscall, and back.`,
  '',
  '| contender | median ns/call | spread (min–max) | ratio to Node\'s sockbox.getsockopt |',
  '| --- | --- | --- | --- |',
  row('Node Sandbox: sockbox.getsockopt', node.sockbox, base),
  row('Node Sandbox: sock_getsockopt (WasmEdge ABI)', node.wasmedge, base),
  row('page through the relay: sockbox.getsockopt', page.sockbox, base),
  row('page through the relay: sock_getsockopt (WasmEdge ABI)', page.wasmedge, base),
  '',
  '## Bundles',
  '',
  '| file | bytes | gzip -9 |',
  '| --- | --- | --- |',
  ...BUNDLES.map((f) => { const s = size(f); return `| dist/browser/${f} | ${s.raw.toLocaleString('en')} | ${s.gz.toLocaleString('en')} |`; }),
  '',
];
writeFileSync(join(root, 'bench/BROWSER.md'), lines.join('\n'));
process.stdout.write(lines.join('\n'));
