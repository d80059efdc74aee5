// The package's types, as a strict consumer sees them: test/types/readme.mts (the
// README's examples and the misuses that must not compile) compiled by tsc with
// test/types/tsconfig.json (strict, noUncheckedIndexedAccess) against dist/types, which
// `npm test` builds first. And the generated types checked against what the code does:
// `constants` on this Linux host, getOption's values on fresh sockets.

import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { constants, catalogue, SocketError, type Socket } from '../host/index.js';
import { sock } from './support/sockets.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const TSC = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));

/** `tsc -p <project>` (the repo's own TypeScript, as `npx tsc` runs it): exit status and output. */
function tsc(project: string): { status: number | null; output: string } {
  const r = spawnSync(process.execPath, [TSC, '-p', project], { cwd: root, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('tsc --strict on the README\'s examples (test/types)', () => {
  test('compiles with no error, and every @ts-expect-error misuse is an error', () => {
    const r = tsc('test/types/tsconfig.json');
    expect(r.output).toBe('');
    expect(r.status).toBe(0);
  });

  test('the check can fail: without its @ts-expect-error, getOption(\'SO_LINGERR\') is an error', () => {
    const text = readFileSync(new URL('types/readme.mts', import.meta.url), 'utf8');
    const directive = '  // @ts-expect-error: misspelt: not an option of the catalogue\n';
    expect(text).toContain(`${directive}  s.getOption('SO_LINGERR');`);
    const name = `negative-${process.pid}`;
    const file = new URL(`types/${name}.mts`, import.meta.url);
    const config = new URL(`types/${name}.json`, import.meta.url);
    try {
      writeFileSync(file, text.replace(directive, ''));
      writeFileSync(config, JSON.stringify({ extends: './tsconfig.json', files: [`${name}.mts`] }));
      const r = tsc(`test/types/${name}.json`);
      expect(r.status).not.toBe(0);
      expect(r.output).toMatch(/error TS2769: No overload matches this call[\s\S]*'"SO_LINGERR"'/);
      expect(r.output.match(/error TS/g)).toHaveLength(1);
    } finally {
      rmSync(file, { force: true });
      rmSync(config, { force: true });
    }
  });
});

/** The members of a generated interface: name -> [type, optional]. */
function members(file: string, iface: string): Map<string, [string, boolean]> {
  const text = readFileSync(new URL(`../host/${file}`, import.meta.url), 'utf8');
  const body = text.slice(text.indexOf(`export interface ${iface} {`), text.indexOf('\n}', text.indexOf(`export interface ${iface} {`)));
  const out = new Map<string, [string, boolean]>();
  for (const m of body.matchAll(/^ {2}(?:\/\*\*.*?\*\/ )?(?:readonly )?([A-Za-z0-9_]+)(\??): (.+);$/gm)) out.set(m[1], [m[3], m[2] === '?']);
  return out;
}

describe.runIf(process.platform === 'linux')('the generated types say what the code does (Linux)', () => {
  test('constants: every name Constants requires is there, no name it marks optional is, and nothing else', () => {
    const names = members('constants.ts', 'Constants');
    const required = [...names].filter(([, [, optional]]) => !optional).map(([n]) => n);
    const optional = [...names].filter(([, [, opt]]) => opt).map(([n]) => n);
    expect(optional).toContain('IP_RECVDSTADDR');
    expect(Object.keys(constants).sort()).toEqual(required.sort());
    for (const n of optional) expect(n in constants, n).toBe(false);
  });

  /** Whether a value has the TypeScript type OptionValues gives (the types it uses). */
  const HAS: Readonly<Record<string, (v: unknown) => boolean>> = {
    number: (v) => typeof v === 'number',
    boolean: (v) => typeof v === 'boolean',
    string: (v) => typeof v === 'string',
    Uint8Array: (v) => v instanceof Uint8Array,
    Linger: (v) => typeof v === 'object' && v !== null && Object.keys(v).join() === 'onoff,seconds',
    Timeval: (v) => typeof v === 'object' && v !== null && Object.keys(v).join() === 'sec,usec',
    Ucred: (v) => typeof v === 'object' && v !== null && Object.keys(v).join() === 'pid,uid,gid',
    TcpInfo: (v) => typeof v === 'object' && v !== null && 'state' in v,
  };

  test('getOption on fresh sockets gives each readable option the type OptionValues says', () => {
    const values = members('option-types.ts', 'OptionValues');
    const readable = catalogue().filter((o) => o.readable).map((o) => o.name);
    expect([...values.keys()].sort()).toEqual(readable.sort());
    const sockets: Socket[] = [sock(), sock(constants.AF_INET, constants.SOCK_DGRAM), sock(constants.AF_INET6, constants.SOCK_DGRAM)];
    let checked = 0;
    for (const [name, [type]] of values) {
      const has = HAS[type];
      expect(has, `${name}: ${type}`).toBeDefined();
      for (const s of sockets) {
        let v: unknown;
        try { v = s.getOption(name); } catch (e) { if (e instanceof SocketError) continue; throw e; }
        expect(has!(v), `${name}: ${type}, got ${String(v)}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  test('TcpInfo lists exactly the fields getOption(\'TCP_INFO\') gives, optional ones last, 64-bit ones number | bigint', () => {
    const fields = members('option-types.ts', 'TcpInfo');
    const s = sock();
    s.bind(['127.0.0.1', 0]);
    s.listen();
    const info = s.getOption('TCP_INFO');
    // Those the kernel returned, in order: every required one, and the optional ones
    // its struct has (all of them on a kernel newer than 4.18).
    const keys = Object.keys(info);
    expect(keys).toEqual([...fields.keys()].slice(0, keys.length));
    expect(keys.length).toBeGreaterThanOrEqual([...fields.values()].filter(([, optional]) => !optional).length);
    expect([...fields.values()].map(([t]) => t)).toContain('number | bigint');
    for (const [name, [type]] of fields) {
      const v = (info as unknown as Record<string, unknown>)[name];
      expect(type === 'number' ? typeof v === 'number' : typeof v === 'number' || typeof v === 'bigint', name).toBe(true);
    }
  });
});
