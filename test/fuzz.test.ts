// Fuzzing the guest boundary (host/sandbox imports) and the core's codecs.
// `npm test` runs a reduced seed set; `npm run fuzz` runs ≥ 10^5 boundary calls
// (SOCKBOX_FUZZ=full) and prints calls/s.

import net from 'node:net';
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { Harness, callArb, PAGE } from './support/fuzz-harness.js';
import { openFds } from './support/guest.js';

const FULL = process.env.SOCKBOX_FUZZ === 'full';
const SEQUENCES = Number(process.env.SOCKBOX_FUZZ_SEQUENCES ?? (FULL ? 8000 : 150));
const LENGTH = 40;

describe('guest boundary fuzzing', () => {
  test(`${SEQUENCES} random call sequences over every socket import and poll_oneoff: errno only, no host fault (every exception is a missing check), no stray writes, no foreign fd, no leak`, async () => {
    const fdsBefore = await openFds();
    const h = new Harness();
    const started = performance.now();
    let failure: string | null = null;
    try {
      fc.assert(fc.property(fc.array(callArb(PAGE), { minLength: LENGTH / 2, maxLength: LENGTH }), (calls) => {
        for (const c of calls) {
          const v = h.call(c);
          if (v) { failure = v; return false; }
        }
        return true;
      }), { numRuns: SEQUENCES, seed: FULL ? undefined : 42, endOnFailure: true });
    } finally {
      expect(h.close()).toBe(0);
    }
    expect(failure).toBeNull();
    expect(h.imports.faults()).toBe(0);
    const secs = (performance.now() - started) / 1000;
    console.log(`boundary fuzz: ${h.calls} calls in ${secs.toFixed(1)} s (${Math.round(h.calls / secs)} calls/s), ${h.guard.wouldWait} polls that would have waited, ${h.imports.faults()} host faults`);
    if (FULL) console.log(Object.entries(h.outcomes).map(([k, v]) => `${k}: ${Object.entries(v).map(([e, n]) => `${e}×${n}`).join(' ')}`).join('\n'));
    if (FULL) expect(h.calls).toBeGreaterThanOrEqual(100_000);
    expect(await openFds()).toBe(fdsBefore);

    // The host process still serves: a control echo over loopback.
    const server = net.createServer((c) => c.pipe(c));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const reply = await new Promise<string>((resolve, reject) => {
      const c = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1', () => c.end('alive'));
      let text = '';
      c.on('data', (d) => { text += d; });
      c.on('end', () => resolve(text));
      c.on('error', reject);
    });
    server.close();
    expect(reply).toBe('alive');
  }, FULL ? 600_000 : 60_000);
});

describe('guest memory above 2 GiB', () => {
  test('pointers at 2 GiB and above (negative as i32) address guest memory, never below it', () => {
    // 2 GiB + 64 KiB of guest memory: the kernel commits pages lazily, so this is cheap.
    const h = new Harness(32769);
    try {
      const high = 2 ** 31;
      const asI32 = (p: number) => p | 0; // what a wasm i32 argument looks like in JS
      const dv = new DataView(h.memory.buffer);
      const call = (name: string, ...args: number[]) => {
        const m = name === 'getsockopt' ? h.imports.sockbox : h.imports.wasi_snapshot_preview1;
        return m[name](...args);
      };
      // sock_open(INET4, DGRAM, ro_fd_ptr above 2 GiB)
      expect(call('sock_open', 1, 1, asI32(high + 16))).toBe(0);
      const fd = dv.getUint32(high + 16, true);
      // sockbox.getsockopt(fd, SOL_SOCKET, SO_TYPE, buf, len) with buf and len above 2 GiB
      dv.setUint32(high + 48, 4, true);
      expect(call('getsockopt', fd, 1, 3, asI32(high + 32), asI32(high + 48))).toBe(0);
      expect(dv.getInt32(high + 32, true)).toBe(2); // SOCK_DGRAM, written where the guest asked
      expect(dv.getUint32(high + 48, true)).toBe(4);
      // A pointer past the end is FAULT, not a write anywhere.
      expect(call('getsockopt', fd, 1, 3, asI32(h.memory.buffer.byteLength - 2), asI32(high + 48))).toBe(21);
    } finally {
      expect(h.close()).toBe(0);
    }
  });
});
