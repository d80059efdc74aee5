// The `sockbox` command, run as a user would (node bin/sockbox.js, built dist/).

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const bin = fileURLToPath(new URL('../bin/sockbox.js', import.meta.url));
function sockbox(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The rows of `sockbox options` output: name → the value column. */
function values(out: string): Map<string, string> {
  return new Map(out.trim().split('\n').slice(2).map((r) => {
    const cells = r.split(' | ');
    return [cells[0].replace(/^\| /, ''), cells[3]] as const;
  }));
}

describe('sockbox help and version', () => {
  test('COMMAND --help, COMMAND -h and help COMMAND: that command\'s usage on stdout, exit 0', () => {
    for (const command of ['run', 'options', 'help', 'version']) {
      const texts = [[command, '--help'], [command, '-h'], ['help', command]].map((args) => {
        const { code, out, err } = sockbox(...args);
        expect(code, args.join(' ')).toBe(0);
        expect(err, args.join(' ')).toBe('');
        expect(out, args.join(' ')).toMatch(new RegExp(`^usage: sockbox ${command}\\b`));
        return out;
      });
      expect(new Set(texts).size, command).toBe(1);
    }
  });

  test('run --help lists every flag, and wins over a guest and flags before it', () => {
    const { out } = sockbox('run', '--help');
    for (const flag of ['--allow-connect', '--allow-bind', '--allow-lookup', '--allow-sockopt', '--dir', '--tcplisten',
      '--timeout', '--max-memory', '--trace', '--env', '--max-sockets']) expect(out).toMatch(new RegExp(`\\n {4}${flag}\\b`));
    const late = sockbox('run', 'guest.wasm', '--allow-bind', '127.0.0.1:0', '--help');
    expect(late.code).toBe(0);
    expect(late.out).toBe(out);
  });

  test('options --help says how --level picks the socket', () => {
    const { code, out } = sockbox('options', '--help');
    expect(code).toBe(0);
    expect(out).toContain('--level udp defaults to a dgram socket');
  });

  test('help, --help and -h print every command, exit 0; no command at all prints it with exit 2', () => {
    for (const arg of ['help', '--help', '-h']) {
      const { code, out } = sockbox(arg);
      expect(code, arg).toBe(0);
      for (const c of ['run GUEST.wasm', 'options [', 'help [COMMAND]', 'version']) expect(out, arg).toContain(`\n  ${c}`);
    }
    const bare = sockbox();
    expect(bare.code).toBe(2);
    expect(bare.out).toBe(sockbox('help').out);
  });

  test('help of an unknown command: one line, exit 2', () => {
    const { code, out, err } = sockbox('help', 'frob');
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toBe("sockbox: help: unknown command 'frob' (commands: run, options, relay, help, version)\n");
  });

  test('version, --version and -V print package.json\'s version, exit 0', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(pkg.version).toMatch(/^\d+\.\d+\.\d+/);
    for (const arg of ['version', '--version', '-V']) {
      expect(sockbox(arg), arg).toEqual({ code: 0, out: `sockbox ${pkg.version}\n`, err: '' });
    }
  });
});

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

  test('--level udp: a datagram socket by default, so the UDP options have values', () => {
    for (const level of ['udp', 'IPPROTO_UDP']) {
      const { code, out } = sockbox('options', '--level', level);
      expect(code).toBe(0);
      expect(out.split('\n')[0]).toContain('| On a fresh inet/dgram socket |');
      const rows = values(out);
      expect(rows.get('UDP_CORK')).toBe('0');
      for (const [name, v] of rows) expect(v, name).not.toMatch(/^E[A-Z]+$/);
    }
  });

  test('--level udp --type stream: the given type wins (the kernel answers ENOTSUP)', () => {
    const { code, out } = sockbox('options', '--level', 'udp', '--type', 'stream');
    expect(code).toBe(0);
    expect(out.split('\n')[0]).toContain('| On a fresh inet/stream socket |');
    expect(values(out).get('UDP_CORK')).toBe('ENOTSUP');
  });

  test('--level ipv6: an inet6 socket by default; --family inet still wins', () => {
    const v6 = sockbox('options', '--level', 'ipv6');
    expect(v6.out.split('\n')[0]).toContain('| On a fresh inet6/stream socket |');
    expect(values(v6.out).get('IPV6_UNICAST_HOPS')).toBe('64');
    const v4 = sockbox('options', '--level', 'ipv6', '--family', 'inet');
    expect(v4.out.split('\n')[0]).toContain('| On a fresh inet/stream socket |');
    expect(values(v4.out).get('IPV6_UNICAST_HOPS')).toMatch(/^E[A-Z]+$/);
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

  test('a bad value: one line naming the flag typed (not the API\'s option), exit 2', () => {
    const cases: [string[], string][] = [
      [['--allow-sockopt', 'SO_NOPE'], "--allow-sockopt: unknown socket option 'SO_NOPE'"],
      [['--allow-sockopt=SO_NOPE'], "--allow-sockopt: unknown socket option 'SO_NOPE'"],
      [['--allow-connect', 'nope'], "--allow-connect: bad grant 'nope': expected ADDR[/PREFIX]:PORTS"],
      [['--allow-connect', 'example.com:80'], "--allow-connect: bad grant 'example.com:80': "],
      [['--allow-bind', '10.0.0.1'], "--allow-bind: bad grant '10.0.0.1': expected ADDR[/PREFIX]:PORTS"],
      [['--allow-lookup=a..b'], "--allow-lookup: bad lookup pattern 'a..b': "],
      [['--tcplisten', '1.2.3'], "--tcplisten: '1.2.3' is not ADDR:PORT"],
      [['--max-sockets', '0'], "--max-sockets takes an integer from 1 to 65536, not '0'"],
      [['--max-sockets', '99999999'], "--max-sockets takes an integer from 1 to 65536, not '99999999'"],
      [['--dir', 'x'], "--dir takes HOST::GUEST[:ro], not 'x'"],
      [['--dir', '/nonexistent-sockbox-dir::/x'], "--dir: '/nonexistent-sockbox-dir' is not a folder"],
      [['--dir', '.::/x', '--dir', '.::/x:ro'], "--dir: the guest path '/x' is given twice"],
      [['--env', 'NOEQUALS'], "--env takes K=V, not 'NOEQUALS'"],
      [['--env', '=v'], "--env takes K=V, not '=v'"],
      [['--allow-connect'], '--allow-connect needs a value'],
    ];
    for (const [flags, message] of cases) {
      const { code, out, err } = sockbox('run', guest, ...flags);
      expect(code, flags.join(' ')).toBe(2);
      expect(out, flags.join(' ')).toBe('');
      expect(err.split('\n'), flags.join(' ')).toHaveLength(2);
      expect(err.startsWith(`sockbox: ${message}`), `${flags.join(' ')}: ${err}`).toBe(true);
      expect(err, flags.join(' ')).not.toMatch(/sockopts\.|net\.|maxSockets|listen\[|preopens\[/);
    }
  });
});
