// examples/browser: serves a page that runs sockopt-tour in the browser, and the relay
// its sockets go through.
//
//   npm run example:browser            (or: node examples/browser/serve.mjs [port])
//
// Both listen on 127.0.0.1 only. The page gets the COOP/COEP headers (without them it has
// no SharedArrayBuffer, and BrowserSandbox refuses to start); the relay takes pages from
// this server's origin only, and a token generated at start, which the page fetches from
// /config.json. The relay's policy is the tour's (npm start): bind 127.0.0.1:0 and
// [::1]:0, connect to 127.0.0.1 on any port.

import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRelay } from '../../dist/index.js';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const FILES = {
  '/': [here('./index.html'), 'text/html; charset=utf-8'],
  '/main.js': [here('./main.js'), 'text/javascript'],
  '/sockbox-browser.js': [here('../../dist/browser/sockbox-browser.js'), 'text/javascript'],
  '/sockbox-browser-worker.js': [here('../../dist/browser/sockbox-browser-worker.js'), 'text/javascript'],
  '/sockopt-tour.wasm': [here('../sockopt-tour/sockopt-tour.wasm'), 'application/wasm'],
};
// Cross-origin isolation: what gives the page SharedArrayBuffer.
const ISOLATION = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
  'cross-origin-resource-policy': 'same-origin',
};

const port = Number(process.argv[2] ?? 0);
const token = randomBytes(18).toString('base64url');
let config;

const server = http.createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  if (path === '/config.json') {
    res.writeHead(200, { ...ISOLATION, 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(config));
    return;
  }
  const file = FILES[path];
  if (!file) return void res.writeHead(404, ISOLATION).end('not found\n');
  res.writeHead(200, { ...ISOLATION, 'content-type': file[1], 'cache-control': 'no-store' }).end(readFileSync(file[0]));
});
await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

const relay = await createRelay({
  host: '127.0.0.1',
  port: 0,
  policy: { net: { bind: ['127.0.0.1:0', '[::1]:0'], connect: ['127.0.0.1:*'] } },
  token,
  origins: [origin],
  onEvent: (e) => {
    if (e.type === 'session') console.log(`relay: session ${e.id} ${e.state}${e.state === 'closed' ? ` (${e.code}${e.reason ? `: ${e.reason}` : ''})` : ''}`);
    else if (e.type === 'refused') console.log(`relay: refused ${e.origin ?? '(no origin)'}: ${e.why}`);
  },
});
config = { relay: relay.url, token };

console.log(`sockopt-tour in the browser: open ${origin}/`);
console.log(`(relay at ${relay.url}; Ctrl-C stops both)`);

const stop = async () => {
  await relay.close();
  server.close();
  server.closeAllConnections();
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
