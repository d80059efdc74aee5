// The `sockbox` command, run as a user would (node bin/sockbox.js, built dist/).

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const bin = fileURLToPath(new URL('../bin/sockbox.js', import.meta.url));
function sockbox(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('sockbox options', () => {
  test('prints the table with the seed rows and fresh-socket values', () => {
    const { code, out } = sockbox('options');
    expect(code).toBe(0);
    const row = (name: string) => out.split('\n').find((l) => l.startsWith(`| ${name} |`));
    expect(out.split('\n')[0]).toBe('| Option Name | Level | Value | On a fresh inet/stream socket | Description |');
    expect(row('SO_ACCEPTCONN')).toBe('| SO_ACCEPTCONN | SOL_SOCKET | 0,1 | 0 | Is the socket accepting connections? |');
    expect(row('SO_TYPE')).toBe('| SO_TYPE | SOL_SOCKET | int | 1 | Gets socket type. |');
    expect(row('IP_TTL')).toBe('| IP_TTL | IPPROTO_IP | int | 64 | Gets time-to-live. |');
    expect(row('SO_REUSEADDR')).toContain('| 0 |');
    expect(row('IP_RECVDSTADDR')).toContain('| absent here |');
    expect(row('SO_ERROR')).toContain('| 0 |');
  });

  test('--type dgram --level socket shows SO_TYPE 2 and only SOL_SOCKET rows', () => {
    const { code, out } = sockbox('options', '--type', 'dgram', '--level', 'socket');
    expect(code).toBe(0);
    const rows = out.trim().split('\n').slice(2);
    expect(rows.every((r) => r.includes('| SOL_SOCKET |'))).toBe(true);
    expect(rows.find((r) => r.startsWith('| SO_TYPE |'))).toContain('| 2 |');
  });

  test('--family inet6 --level=IPPROTO_IPV6 reads IPV6_UNICAST_HOPS', () => {
    const { code, out } = sockbox('options', '--family', 'inet6', '--level=IPPROTO_IPV6');
    expect(code).toBe(0);
    expect(out).toMatch(/\| IPV6_UNICAST_HOPS \| IPPROTO_IPV6 \| int \| 64 \|/);
  });

  test('bad flags: one clear line on stderr, exit 2', () => {
    for (const args of [['options', '--family', 'unix'], ['options', '--bogus'], ['options', '--level'], ['frobnicate']]) {
      const { code, err, out } = sockbox(...args);
      expect(code).toBe(2);
      expect(out).toBe('');
      expect(err.trim().split('\n')).toHaveLength(1);
      expect(err).toMatch(/^sockbox: /);
    }
  });
});

describe('sockbox run', () => {
  const guest = fileURLToPath(new URL('./guests/sockguest-c.wasm', import.meta.url));
  const grants = ['--allow-bind', '127.0.0.1:0', '--allow-connect', '127.0.0.1:*'];

  test('runs a guest with loopback grants; its output and exit code come through', () => {
    const { code, out } = sockbox('run', guest, ...grants, '--', 'options', '4', 'stream');
    expect(code).toBe(0);
    expect(out).toContain('sockbox IP_TTL value=64\n');
    expect(out).toContain('sockbox set IP_HDRINCL errno=76\n');
  });

  test('exit code is the guest\'s (3 with sockets left open)', () => {
    expect(sockbox('run', guest, ...grants, '--', 'exit-open').code).toBe(3);
  });

  test('a trap: one line naming it on stderr, exit 134', () => {
    const { code, err } = sockbox('run', guest, ...grants, '--', 'trap');
    expect(code).toBe(134);
    expect(err).toBe('sockbox: guest trapped: RuntimeError: unreachable\n');
  });

  test('no grants: no network (bind refused with NOTCAPABLE 76)', () => {
    const { code, out } = sockbox('run', guest, '--', 'block-accept');
    expect(code).toBe(1);
    expect(out).toBe('error sock_bind errno=76\n');
  });

  test('--allow-sockopt IP_HDRINCL lifts one default refusal', () => {
    const { out } = sockbox('run', guest, ...grants, '--allow-sockopt', 'IP_HDRINCL', '--', 'options', '4', 'dgram');
    expect(out).toContain('sockbox set IP_HDRINCL errno=50\n');
  });

  test('bad flags and grants: one clear line, exit 2', () => {
    for (const args of [
      ['run'], ['run', guest, '--allow-bind', '10.0.0.1'], ['run', guest, '--allow-connect', 'example.com:80'],
      ['run', guest, '--allow-sockopt', 'SO_NOPE'], ['run', guest, '--max-sockets', '0'], ['run', guest, '--dir', 'x'],
      ['run', guest, '--env', 'NOEQUALS'], ['run', guest, '--frob'], ['run', '/nonexistent.wasm'],
    ]) {
      const { code, err } = sockbox(...args);
      expect(code, args.join(' ')).toBe(2);
      expect(err.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(err).toMatch(/^sockbox: /);
    }
  });
});
