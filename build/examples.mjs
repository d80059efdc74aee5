// Compiles the C example guests and the C SDK's compatibility guests with the
// sockbox C SDK (guest/c/sockbox.h + guest/c/sockbox.c):
//   examples/<name>/<name>.c  ->  examples/<name>/<name>.wasm
//   examples/<name>/plugin.c  ->  examples/<name>/plugin.wasm   (a reactor, for Sandbox.instantiate)
//   test/compat/<name>.c      ->  test/compat/<name>.wasm
// The .wasm files are committed, so `npm start` and `npm test` need no compiler;
// run this (`node build/examples.mjs`) after changing a source or the SDK.
// `--check` builds into a temporary folder and fails if a committed .wasm differs
// (clang's output is deterministic for the same clang and wasi-libc).
// Needs clang with the wasm32-wasi target and wasi-libc (Debian: clang, lld,
// wasi-libc). Set CLANG to use another clang binary.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, basename, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sdkDir = join(root, 'guest', 'c');
const clang = process.env.CLANG || 'clang';
const check = process.argv.includes('--check');
const unknown = process.argv.slice(2).filter((a) => a !== '--check');
if (unknown.length > 0) {
  console.error(`examples: unknown argument '${unknown[0]}' (usage: node build/examples.mjs [--check])`);
  process.exit(2);
}
// --strip-debug drops the DWARF that Debian's libc.a carries; the name section
// stays, so a trap's stack trace still shows function names.
const FLAGS = ['--target=wasm32-wasi', '-O2', '-Wall', '-Wextra', '-Werror', '-I', sdkDir, '-Wl,--strip-debug'];

const probe = spawnSync(clang, ['--version'], { encoding: 'utf8' });
if (probe.error || probe.status !== 0) {
  console.error(
    `examples: cannot run '${clang}' (${probe.error?.code ?? `exit ${probe.status}`}). ` +
      'Install clang with the wasm32-wasi target and wasi-libc ' +
      '(Debian/Ubuntu: apt-get install clang lld wasi-libc), or set CLANG to its path.',
  );
  process.exit(1);
}

/** Every guest to build: { src, out } with absolute paths. */
function guests() {
  const list = [];
  const examples = join(root, 'examples');
  for (const name of readdirSync(examples).sort()) {
    const src = join(examples, name, `${name}.c`);
    if (existsSync(src)) list.push({ src, out: join(examples, name, `${name}.wasm`) });
    const plugin = join(examples, name, 'plugin.c');
    if (existsSync(plugin)) list.push({ src: plugin, out: join(examples, name, 'plugin.wasm'), reactor: true });
  }
  const compat = join(root, 'test', 'compat');
  for (const file of readdirSync(compat).filter((f) => f.endsWith('.c')).sort()) {
    list.push({ src: join(compat, file), out: join(compat, `${basename(file, '.c')}.wasm`) });
  }
  return list;
}

const scratch = check ? mkdtempSync(join(tmpdir(), 'sockbox-examples-')) : '';
let stale = 0;
try {
  for (const { src, out, reactor } of guests()) {
    const target = check ? join(scratch, basename(out)) : out;
    const args = reactor
      ? [...FLAGS, '-mexec-model=reactor', src, join(sdkDir, 'sockbox.c'), join(sdkDir, 'sockbox_plugin.c'), '-o', target]
      : [...FLAGS, src, join(sdkDir, 'sockbox.c'), '-o', target];
    const r = spawnSync(clang, args, { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) {
      console.error(`examples: ${clang} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
      process.exit(1);
    }
    if (!check) {
      console.log(`examples: ${relative(root, out)} (${statSync(out).size} bytes)`);
    } else if (!existsSync(out) || !readFileSync(out).equals(readFileSync(target))) {
      console.error(`examples: ${relative(root, out)} is stale: run node build/examples.mjs`);
      stale++;
    } else {
      console.log(`examples: ${relative(root, out)} is up to date`);
    }
  }
} finally {
  if (check) rmSync(scratch, { recursive: true, force: true });
}
process.exit(stale > 0 ? 1 : 0);
