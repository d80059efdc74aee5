// The "Write a plugin" walk-throughs in README.md work as written: each plugin is
// taken from the README, built, run under `sockbox run`, and answers a client.
// (Port 0 instead of the README's 7000, so tests never need a fixed port.)

import net from 'node:net';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { sockboxRun } from './support/proc.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The first fenced block of `lang` after `marker` in the README. */
function block(marker: string, lang: string): string {
  const at = README.indexOf(marker);
  expect(at, marker).toBeGreaterThanOrEqual(0);
  const start = README.indexOf('```' + lang + '\n', at) + lang.length + 4;
  return README.slice(start, README.indexOf('```\n', start));
}

/** Runs `sockbox run wasm --allow-bind 127.0.0.1:0 -- 0`, connects to the port it prints, returns what it says. */
async function runAndAsk(wasm: string): Promise<string> {
  const p = sockboxRun(wasm, ['--allow-bind', '127.0.0.1:0'], ['0']);
  try {
    const port = Number((await p.waitFor(/listening on 127\.0\.0\.1:(\d+)/))[1]);
    return await new Promise<string>((resolve, reject) => {
      let text = '';
      const c = net.connect(port, '127.0.0.1');
      c.on('data', (d) => { text += d; });
      c.on('end', () => resolve(text));
      c.on('error', reject);
    });
  } finally {
    p.child.kill();
  }
}

describe('README: Write a plugin', () => {
  test('the AssemblyScript hello plugin builds with asc and answers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sockbox-readme-'));
    mkdirSync(join(dir, 'plugins/hello'), { recursive: true });
    symlinkSync(join(ROOT, 'guest'), join(dir, 'guest'));
    writeFileSync(join(dir, 'plugins/hello/index.ts'), block('create `plugins/hello/index.ts`:', 'ts'));
    const asc = spawnSync(process.execPath, [
      join(ROOT, 'node_modules/assemblyscript/bin/asc.js'), 'plugins/hello/index.ts', '-o', 'plugins/hello/hello.wasm',
      '-O3', '--exportStart', '_start', '--use', 'abort=guest/assembly/io/sockboxAbort',
    ], { cwd: dir, encoding: 'utf8' });
    expect(asc.status, asc.stderr).toBe(0);
    expect(await runAndAsk(join(dir, 'plugins/hello/hello.wasm'))).toMatch(/^hello 127\.0\.0\.1:\d+, TCP_NODELAY=true\n$/);
  }, 60_000);

  const clang = spawnSync('clang', ['--version']).status === 0;
  if (!clang) console.warn('readme-plugins: clang not found: the C hello plugin is not built here');
  test.skipIf(!clang)('the C hello plugin builds with clang + wasi-libc and answers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sockbox-readme-'));
    mkdirSync(join(dir, 'plugins/hello'), { recursive: true });
    writeFileSync(join(dir, 'plugins/hello/hello.c'), block('write `plugins/hello/hello.c`', 'c'));
    const cc = spawnSync('clang', ['--target=wasm32-wasi', '-O2', '-I', join(ROOT, 'guest/c'), 'plugins/hello/hello.c',
      join(ROOT, 'guest/c/sockbox.c'), '-o', 'plugins/hello/hello.wasm'], { cwd: dir, encoding: 'utf8' });
    expect(cc.status, cc.stderr).toBe(0);
    expect(await runAndAsk(join(dir, 'plugins/hello/hello.wasm'))).toBe('hello, TCP_NODELAY=1\n');
  }, 60_000);
});
