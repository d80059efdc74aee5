// A lingering close in a child process, so that a close that blocks the thread shows as
// a time-out of this process (a test runner's own timer cannot fire then).
//   node linger.mjs inline-exit | worker-spin
// Prints one JSON line: { code, ms, lagMs }.
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { Sandbox } from '../../../dist/index.js';

const mode = process.argv[2];
const wasm = readFileSync(new URL('../../guests/hostile/linger.wasm', import.meta.url));
const conns = [];
const server = net.createServer((c) => { c.pause(); conns.push(c); });
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const port = server.address().port;
let last = performance.now();
let lagMs = 0;
const tick = setInterval(() => { const now = performance.now(); lagMs = Math.max(lagMs, now - last); last = now; }, 1);
let out = '';
let sandbox;
const spinning = new Promise((resolve) => {
  sandbox = new Sandbox({
    worker: mode !== 'inline-exit',
    args: ['linger', 'direct', String(port), mode === 'inline-exit' ? 'exit' : 'spin'],
    net: { connect: [`127.0.0.1:${port}`], bind: ['127.0.0.1:0'] },
    stdout: (c) => { out += Buffer.from(c).toString(); if (out.includes('spinning')) resolve(); },
    stderr: () => {},
  });
});
const started = performance.now();
const done = sandbox.run(wasm).then((r) => r.exitCode, (e) => e.code);
let t0 = started;
if (mode === 'worker-spin') {
  await spinning;
  lagMs = 0;
  last = performance.now();
  t0 = performance.now();
  sandbox.kill();
}
const code = await done;
const ms = performance.now() - t0;
clearInterval(tick);
for (const c of conns) c.destroy();
server.close();
process.stdout.write(JSON.stringify({ code, ms, lagMs, out }) + '\n');
process.exit(0);
