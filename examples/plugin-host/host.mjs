// examples/plugin-host: a small HTTP server that hosts a wasm plugin.
//
//   npm run example:host            (or: node examples/plugin-host/host.mjs [port])
//
// It loads plugin.wasm once (Sandbox.instantiate) and calls its `handle` export for
// every request. The plugin reads the request's body through a host function
// (host.request_body) and talks to a backend over its own socket: the backend here is
// a loopback TCP service that shouts back what it gets, and the sandbox's policy grants
// the plugin that one address and port, nothing else. Every refusal the plugin meets is
// logged (onEvent).

import http from 'node:http';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { Sandbox } from '../../dist/index.js';

// The backend: upper-cases whatever a connection sends, then closes it.
const backend = net.createServer((c) => {
  const parts = [];
  c.on('data', (d) => parts.push(d));
  c.on('end', () => c.end(Buffer.concat(parts).toString('utf8').toUpperCase() + '\n'));
  c.on('error', () => {});
});
await new Promise((r) => backend.listen(0, '127.0.0.1', r));
const backendAddress = `127.0.0.1:${backend.address().port}`;

// The body of the request being handled; the plugin reads it with host.request_body.
let body = Buffer.alloc(0);
const sandbox = new Sandbox({
  env: { BACKEND: backendAddress },
  net: { connect: [backendAddress] },
  timeoutMs: 5000,
  imports: {
    host: {
      request_body: (ctx, ptr, cap) => ctx.write(ptr, body.subarray(0, Number(cap))),
    },
  },
  onEvent: (e) => { if (e.type === 'refused') console.error(`plugin refused: ${e.call} ${e.what} (${e.rule})`); },
});
const plugin = await sandbox.instantiate(readFileSync(new URL('./plugin.wasm', import.meta.url)));

// One request at a time reaches the plugin (its body is the one host.request_body gives).
let queue = Promise.resolve();
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (d) => chunks.push(d));
  req.on('end', () => {
    queue = queue.then(async () => {
      body = Buffer.concat(chunks);
      try {
        const text = await plugin.callString('handle', req.method ?? 'GET', req.url ?? '/');
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
      } catch (e) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(`plugin failed: ${e.message}\n`);
      }
    });
  });
});
const port = Number(process.argv[2] ?? process.env.PORT ?? 8787);
server.listen(port, '127.0.0.1', () => {
  console.log(`plugin host listening on http://127.0.0.1:${server.address().port}/ (backend ${backendAddress})`);
  console.log(`try: curl -d 'hello plugin' http://127.0.0.1:${server.address().port}/`);
});

const stop = async () => {
  server.close();
  backend.close();
  await plugin.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
