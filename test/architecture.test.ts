// The import rules of docs/ARCHITECTURE.md, checked on the sources: a file that imports
// across a line the page draws fails here.

import { describe, expect, test } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, dirname, relative, resolve } from 'node:path';

const HOST = fileURLToPath(new URL('../host/', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(join(HOST, dir)).filter((f) => f.endsWith('.ts')).map((f) => join(dir, f));
}

/** The relative imports of a host file, as paths under host/ without extension ('sandbox/memory'). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(HOST, file), 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^(?:import|export)(?:[^;']*?from)?\s*'(\.[^']+)'/gm)) {
    out.push(relative(HOST, resolve(dirname(join(HOST, file)), m[1])).replace(/\.js$/, ''));
  }
  return out;
}

const FACADE = ['socket', 'socket-wait', 'options', 'option-types', 'constants', 'catalogue', 'node', 'table'];
const SANDBOX = files('sandbox');

describe('floors', () => {
  test('core.ts imports nothing of ours', () => {
    expect(importsOf('core.ts')).toEqual([]);
  });

  test('errors.ts and validators.ts import only native/ and each other', () => {
    for (const f of ['errors.ts', 'validators.ts']) {
      for (const i of importsOf(f)) expect(i, f).toMatch(/^(native\/|errors$|validators$)/);
    }
  });

  test('the facade never imports the sandbox', () => {
    for (const f of FACADE) {
      for (const i of importsOf(`${f}.ts`)) expect(i, `${f}.ts`).not.toMatch(/^sandbox\//);
    }
  });

  test('the sandbox never imports the facade (socket.ts, options.ts, ...) nor the entry points', () => {
    expect(SANDBOX.length).toBeGreaterThan(30);
    for (const f of SANDBOX) {
      for (const i of importsOf(f)) expect([...FACADE, 'index', 'cli'], `${f} imports ${i}`).not.toContain(i);
    }
  });
});

describe('rooms of the sandbox', () => {
  const GUEST_MEMORY = ['sandbox/memory', 'sandbox/abi-codecs', 'sandbox/guest-buffers'];
  const RESOURCES = ['fdtable', 'socketfd', 'socket-books', 'registry', 'stdio', 'files', 'host-dir', 'host-file', 'fs-translate'];
  const POLICY = ['policy', 'net-grants', 'sockopt-policy'];

  test('resources never touch guest memory (no memory.ts, no codecs)', () => {
    for (const r of RESOURCES) {
      for (const i of importsOf(`sandbox/${r}.ts`)) expect(GUEST_MEMORY, `sandbox/${r}.ts imports ${i}`).not.toContain(i);
    }
  });

  test('the policy makes no syscall and reads no guest memory (no native/libc, native/fs, memory.ts)', () => {
    for (const p of POLICY) {
      for (const i of importsOf(`sandbox/${p}.ts`)) {
        expect(['native/libc', 'native/fs', ...GUEST_MEMORY], `sandbox/${p}.ts imports ${i}`).not.toContain(i);
      }
    }
  });

  test('every file of host/sandbox/ is in a room of docs/ARCHITECTURE.md', () => {
    const page = readFileSync(fileURLToPath(new URL('../docs/ARCHITECTURE.md', import.meta.url)), 'utf8');
    const missing = SANDBOX.map((f) => f.slice('sandbox/'.length)).filter((f) => !page.includes(`\`${f}\``));
    expect(missing).toEqual([]);
  });
});

describe('the browser runtime (host/browser/)', () => {
  /** The bare (package) imports of a file: 'node:net', '@bjorn3/browser_wasi_shim'. */
  const bareImportsOf = (file: string): string[] =>
    [...readFileSync(join(HOST, file), 'utf8').matchAll(/^(?:import|export)(?:[^;']*?from)?\s*'([^.'][^']*)'/gm)].map((m) => m[1]);

  test('imports only its own files, the relay\'s wire.ts and regions.ts, and the WASI shim: nothing of Node', () => {
    const BROWSER = files('browser');
    expect(BROWSER.length).toBeGreaterThan(3);
    for (const f of BROWSER) {
      for (const i of importsOf(f)) expect(i, `${f} imports ${i}`).toMatch(/^(browser\/[a-z-]+|relay\/wire|relay\/regions)$/);
      for (const i of bareImportsOf(f)) expect(i, `${f} imports ${i}`).toBe('@bjorn3/browser_wasi_shim');
    }
  });

  test('the relay files it takes (wire.ts, regions.ts) stay browser-safe: no package, nothing of ours but each other', () => {
    for (const f of ['relay/wire.ts', 'relay/regions.ts']) {
      expect(bareImportsOf(f), f).toEqual([]);
      for (const i of importsOf(f)) expect(i, `${f} imports ${i}`).toMatch(/^relay\/(wire|regions)$/);
    }
  });
});

describe('the relay (host/relay/)', () => {
  test('takes the sandbox through its API only (sandbox.ts, plugin.ts, hostfn.ts, events.ts, policy.ts), and nothing below it', () => {
    for (const f of files('relay')) {
      for (const i of importsOf(f)) {
        expect(i, `${f} imports ${i}`).toMatch(/^(relay\/[a-z-]+|sandbox\/(sandbox|plugin|hostfn|events|policy)|validators|errors)$/);
      }
    }
  });

  test('nothing below the entry points imports the relay', () => {
    for (const f of [...files('.'), ...SANDBOX, ...files('native')].filter((x) => !['index.ts', 'cli.ts'].includes(x))) {
      for (const i of importsOf(f)) expect(i, `${f} imports ${i}`).not.toMatch(/^relay\//);
    }
  });
});

test('no file in host/ is much over 500 lines', () => {
  const long = [...files('.'), ...files('native'), ...SANDBOX, ...files('browser'), ...files('relay')]
    .map((f) => [f, readFileSync(join(HOST, f), 'utf8').split('\n').length] as const)
    .filter(([, n]) => n > 520);
  expect(long).toEqual([]);
});
