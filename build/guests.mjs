// Compiles the C test guests: every test/guests/c/<name>.c becomes
// test/guests/<name>-c.wasm. The .wasm files are committed, so tests need no
// compiler; run this (`node build/guests.mjs`) after changing a guest source.
// Needs clang with the wasm32-wasi target and wasi-libc (Debian: clang, lld,
// wasi-libc). Set CLANG to use another clang binary.

import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, dirname, basename, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(root, 'test', 'guests', 'c');
const outDir = join(root, 'test', 'guests');
const clang = process.env.CLANG || 'clang';
// --strip-debug drops the DWARF that Debian's libc.a carries (about 100 KB); the
// name section stays, so a trap's stack trace still shows function names.
const FLAGS = ['--target=wasm32-wasi', '-O2', '-Wall', '-Wextra', '-Werror', '-Wl,--strip-debug'];

const probe = spawnSync(clang, ['--version'], { encoding: 'utf8' });
if (probe.error || probe.status !== 0) {
  console.error(
    `guests: cannot run '${clang}' (${probe.error?.code ?? `exit ${probe.status}`}). ` +
      'Install clang with the wasm32-wasi target and wasi-libc ' +
      '(Debian/Ubuntu: apt-get install clang lld wasi-libc), or set CLANG to its path.',
  );
  process.exit(1);
}

const sources = readdirSync(srcDir)
  .filter((f) => f.endsWith('.c'))
  .sort();
if (sources.length === 0) {
  console.error(`guests: no .c files in ${relative(root, srcDir)}`);
  process.exit(1);
}

for (const file of sources) {
  const src = join(srcDir, file);
  const out = join(outDir, `${basename(file, '.c')}-c.wasm`);
  const args = [...FLAGS, src, '-o', out];
  const r = spawnSync(clang, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`guests: ${clang} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
  console.log(`guests: ${relative(root, out)} (${statSync(out).size} bytes)`);
}
