// Load: the poll()-based guest echo server (examples/echo-server) with many
// concurrent loopback clients sending messages of random sizes, every byte checked
// in order; and many sandboxes alive in one process at once. `npm test` runs a
// reduced size; `npm run load` (SOCKBOX_LOAD=full) runs 200 clients × 1000 messages
// and 50 sandboxes, and prints throughput and peak RSS.

import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { SandboxError } from '../host/index.js';
import { start, openFds } from './support/guest.js';

const FULL = process.env.SOCKBOX_LOAD === 'full';
const CLIENTS = FULL ? 200 : 20;
const MESSAGES = FULL ? 1000 : 50;
const SANDBOXES = FULL ? 50 : 10;
const ECHO = readFileSync(new URL('../examples/echo-server/echo-server.wasm', import.meta.url));

/** One client: sends `count` random-size messages, returns whether the echo equals what it sent. */
function client(port: number, count: number): Promise<{ bytes: number; ok: boolean }> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    for (let i = 0; i < count; i++) parts.push(randomBytes(1 + Math.floor(Math.random() * 4096)));
    const sent = Buffer.concat(parts);
    const got: Buffer[] = [];
    let gotLength = 0;
    const c = net.connect(port, '127.0.0.1', () => {
      for (const p of parts) c.write(p);
    });
    c.on('data', (d) => {
      got.push(d);
      gotLength += d.length;
      if (gotLength >= sent.length) c.end();
    });
    c.on('close', () => resolve({ bytes: sent.length, ok: Buffer.concat(got).equals(sent) }));
    c.on('error', reject);
  });
}

describe('load', () => {
  test(`guest echo server: ${CLIENTS} concurrent clients × ${MESSAGES} random-size messages, every byte back in order`, async () => {
    const before = await openFds();
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
    const g = start(['0', String(CLIENTS)], { net: { bind: ['127.0.0.1:0'] }, maxSockets: CLIENTS + 8 }, ECHO);
    const port = Number((await g.waitFor(/^listening on (\d+)$/))[1]);
    const t = performance.now();
    const results = await Promise.all(Array.from({ length: CLIENTS }, () => client(port, MESSAGES)));
    const secs = (performance.now() - t) / 1000;
    expect(await g.done).toEqual({ exitCode: 0 });
    clearInterval(sampler);
    const bytes = results.reduce((n, r) => n + r.bytes, 0);
    expect(results.every((r) => r.ok)).toBe(true);
    console.log(`load: ${CLIENTS} clients × ${MESSAGES} messages, ${(bytes / 2 ** 20).toFixed(1)} MiB echoed in ${secs.toFixed(2)} s ` +
      `(${((2 * bytes) / 2 ** 20 / secs).toFixed(0)} MiB/s both ways, ${Math.round((CLIENTS * MESSAGES) / secs)} messages/s); peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB`);
    expect(await openFds()).toBe(before);
  }, FULL ? 300_000 : 60_000);

  test(`${SANDBOXES} sandboxes alive in one process at once, each with a listening socket; all killed, no leak`, async () => {
    const before = await openFds();
    const rss0 = process.memoryUsage().rss;
    const guests = Array.from({ length: SANDBOXES }, () => start(['block-accept']));
    const ports = await Promise.all(guests.map(async (g) => Number((await g.waitFor(/^ready (\d+)$/, 30_000))[1])));
    expect(new Set(ports).size).toBe(SANDBOXES);
    const rss = process.memoryUsage().rss;
    console.log(`load: ${SANDBOXES} sandboxes alive: RSS ${(rss / 2 ** 20).toFixed(0)} MiB (+${((rss - rss0) / 2 ** 20 / SANDBOXES).toFixed(1)} MiB each)`);
    for (const g of guests) g.sandbox.kill();
    for (const g of guests) await expect(g.done).rejects.toBeInstanceOf(SandboxError);
    expect(await openFds()).toBe(before);
  }, FULL ? 300_000 : 60_000);
});
