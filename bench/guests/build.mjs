// Builds the bench guests; the .wasm files are committed, so `npm run bench` needs no
// wasm compiler. Run `node bench/guests/build.mjs` after changing a source.
//
//   bench/guests/as/optloop.ts  -> bench/guests/optloop-as.wasm   (always: the project's asc)
//   bench/guests/c/optloop.c    -> bench/guests/optloop-c.wasm    (when clang runs)
//   bench/c/echo-server.c       -> bench/guests/echo-server.wasm  (when clang runs; with the
//                                  C SDK in guest/c, the same source the native server uses)
//
// Flags are those of build/guests.mjs and build/examples.mjs. Set CLANG to use another clang.

import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

function run(cmd, args, out) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.error || r.status !== 0) {
    console.error(`bench guests: ${cmd} ${args.join(' ')} failed (${r.error?.code ?? `exit ${r.status ?? r.signal}`})`);
    process.exit(1);
  }
  console.log(`bench guests: ${relative(root, out)} (${statSync(out).size} bytes)`);
}

const asc = join(root, 'node_modules', 'assemblyscript', 'bin', 'asc.js');
const asOut = join(here, 'optloop-as.wasm');
run(process.execPath, [asc, relative(root, join(here, 'as', 'optloop.ts')), '-o', relative(root, asOut),
  '-O3', '--runtime', 'stub', '--exportStart', '_start', '--use', 'abort='], asOut);

const clang = process.env.CLANG || 'clang';
const probe = spawnSync(clang, ['--version'], { encoding: 'utf8' });
if (probe.error || probe.status !== 0) {
  console.log(`bench guests: note: cannot run '${clang}'; the C guests keep their committed .wasm ` +
    '(Debian/Ubuntu: apt-get install clang lld wasi-libc)');
  process.exit(0);
}
const C_FLAGS = ['--target=wasm32-wasi', '-O2', '-Wall', '-Wextra', '-Werror', '-Wl,--strip-debug'];
const optloop = join(here, 'optloop-c.wasm');
run(clang, [...C_FLAGS, join(here, 'c', 'optloop.c'), '-o', optloop], optloop);
const echo = join(here, 'echo-server.wasm');
run(clang, [...C_FLAGS, '-I', join(root, 'guest', 'c'), join(root, 'bench', 'c', 'echo-server.c'),
  join(root, 'guest', 'c', 'sockbox.c'), '-o', echo], echo);
