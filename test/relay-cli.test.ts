// `sockbox relay`, run as a user would (node bin/sockbox.js, built dist/).

import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as abi from '../host/sandbox/abi.js';
import { CLOSE } from '../host/relay/wire.js';
import { RelayClient } from './support/relay-client.js';

const bin = fileURLToPath(new URL('../bin/sockbox.js', import.meta.url));
const ORIGIN = 'http://127.0.0.1:5173';

function sockbox(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Starts `sockbox relay ...`; resolves with its URL and token once it listens. */
function start(...args: string[]) {
  const child = spawn(process.execPath, [bin, 'relay', '--listen', '127.0.0.1:0', '--origin', ORIGIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const ready = new Promise<{ url: string; token: string | undefined }>((resolve, reject) => {
    const look = () => {
      const url = /listening on (ws:\/\/\S+)/.exec(err)?.[1];
      const token = /^token: (\S+)$/m.exec(out)?.[1];
      if (url && (token || args.includes('--token-file'))) resolve({ url, token });
    };
    child.stdout.on('data', (d) => { out += d; look(); });
    child.stderr.on('data', (d) => { err += d; look(); });
    void exited.then((code) => reject(new Error(`relay exited ${code}: ${err}`)));
  });
  return { child, ready, exited, log: () => err };
}

describe('sockbox relay', () => {
  it('serves pages under its flags, prints a token it made, and ends cleanly on SIGTERM', async () => {
    const r = start('--allow-bind', '127.0.0.1:0', '--trace');
    try {
      const { url, token } = await r.ready;
      expect(token).toMatch(/^[\w-]{20,}$/);
      const c = await RelayClient.connect(url, { origin: ORIGIN, token });
      expect(await c.call('sock_open', [abi.AF_INET4, abi.SOCK_STREAM, 0x100])).toBe(0);
      expect(await c.call('sock_bind', [c.u32(0x100), c.ipv4(0x200, [127, 0, 0, 1]), 0])).toBe(0);
      expect(await c.call('sock_connect', [c.u32(0x100), c.ipv4(0x200, [127, 0, 0, 1]), 9])).toBe(abi.ERRNO_NOTCAPABLE);
      await expect(RelayClient.connect(url, { origin: ORIGIN, token: 'wrong' })).rejects.toMatchObject({ code: CLOSE.AUTH });
      c.close();
      await c.closed;
    } finally {
      r.child.kill('SIGTERM');
    }
    expect(await r.exited).toBe(0);
    expect(r.log()).toMatch(/session 1 opened/);
    expect(r.log()).toMatch(/refused sock_connect/);
  });

  it('reads the token from --token-file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sockbox-relay-'));
    writeFileSync(join(dir, 'token'), 'from-a-file\n');
    const r = start('--token-file', join(dir, 'token'));
    try {
      const { url } = await r.ready;
      const c = await RelayClient.connect(url, { origin: ORIGIN, token: 'from-a-file' });
      c.close();
      await c.closed;
    } finally {
      r.child.kill('SIGTERM');
    }
    expect(await r.exited).toBe(0);
  });

  it('names the flag that is wrong (exit 2)', () => {
    const cases: [string[], RegExp][] = [
      [['relay'], /--origin URL/],
      [['relay', '--origin', 'localhost'], /--origin takes an origin/],
      [['relay', '--origin', '*', '--listen', 'nope'], /--listen takes ADDR:PORT/],
      [['relay', '--origin', '*', '--allow-connect', 'x'], /^sockbox: --allow-connect: /],
      [['relay', '--origin', '*', '--token-file', '/nonexistent/t'], /--token-file: cannot read/],
      [['relay', '--origin', '*', '--max-sessions', '0'], /--max-sessions takes a positive integer/],
      [['relay', 'extra'], /unknown argument 'extra'/],
    ];
    for (const [args, re] of cases) {
      const r = sockbox(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toMatch(re);
    }
    const h = sockbox('relay', '--help');
    expect(h.code).toBe(0);
    expect(h.out).toMatch(/^usage: sockbox relay --origin URL/);
  });
});
