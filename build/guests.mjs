// Compiles the test guests. The .wasm files are committed, so tests need no
// compiler; run this (`node build/guests.mjs`) after changing a guest source.
//
//   test/guests/as/<name>.ts -> test/guests/<name>-as.wasm   (always: the project's asc)
//   test/guests/c/<name>.c   -> test/guests/<name>-c.wasm    (only when clang runs)
//   test/guests/hostile/<name>.c   -> test/guests/hostile/<name>.wasm  (clang, with the C SDK)
//   test/guests/hostile/<name>.wat -> test/guests/hostile/<name>.wasm  (wat2wasm --enable-exceptions)
//   test/guests/plugins/<name>.c   -> test/guests/plugins/<name>.wasm  (a reactor: clang -mexec-model=reactor)
//   test/guests/plugins/<name>.ts  -> test/guests/plugins/<name>.wasm  (a reactor: asc --exportStart _initialize)
//   test/guests/wasmedge/<name>.c  -> test/guests/wasmedge/<name>.wasm (clang, no SDK: WasmEdge's imports by hand)
//   test/guests/rust/<name>.rs     -> test/guests/rust/<name>.wasm     (Debian's rustc 1.63 --target wasm32-wasi)
//
// The AssemblyScript guests come first, so that a C toolchain problem never keeps
// them from building.
//
// The C guests need clang with the wasm32-wasi target and wasi-libc (Debian: clang,
// lld, wasi-libc); set CLANG to use another clang binary. Without clang the C
// guests are skipped with a note and their committed .wasm stay as they are;
// `--require-clang` makes a missing clang an error instead.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, dirname, basename, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'test', 'guests');

const KNOWN_FLAGS = ['--require-clang'];
const unknown = process.argv.slice(2).filter((a) => !KNOWN_FLAGS.includes(a));
if (unknown.length > 0) {
  console.error(`guests: unknown argument ${unknown.join(' ')} (known: ${KNOWN_FLAGS.join(' ')})`);
  process.exit(2);
}
const requireClang = process.argv.includes('--require-clang');

/** The sources in dir ending in ext, sorted; [] when dir does not exist. */
function sourcesIn(dir, ext) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(ext))
    .sort();
}

/** Runs a compiler; on failure prints the command and exits 1. */
function run(cmd, args, out) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.error || r.status !== 0) {
    console.error(`guests: ${cmd} ${args.join(' ')} failed (${r.error?.code ?? `exit ${r.status ?? r.signal}`})`);
    process.exit(1);
  }
  console.log(`guests: ${relative(root, out)} (${statSync(out).size} bytes)`);
}

// ── AssemblyScript guests ───────────────────────────────────────────────────

const asDir = join(root, 'test', 'guests', 'as');
const asc = join(root, 'node_modules', 'assemblyscript', 'bin', 'asc.js');
// A WASI command module: --exportStart _start exports the top-level code as _start
// instead of a wasm start section (which would run before the host can see the
// exported memory); --use abort= turns asc's abort() into a trap, so the module
// imports nothing from "env"; the stub runtime never frees, which a short-lived
// guest does not need.
const AS_FLAGS = ['-O3', '--runtime', 'stub', '--exportStart', '_start', '--use', 'abort='];

const asSources = sourcesIn(asDir, '.ts');
if (asSources.length > 0 && !existsSync(asc)) {
  console.error(`guests: ${relative(root, asc)} is missing; run npm install`);
  process.exit(1);
}
for (const file of asSources) {
  const out = join(outDir, `${basename(file, '.ts')}-as.wasm`);
  // Paths relative to the root: asc names the module's functions after them.
  run(process.execPath, [asc, relative(root, join(asDir, file)), '-o', relative(root, out), ...AS_FLAGS], out);
}

// ── C guests ────────────────────────────────────────────────────────────────

const cDir = join(root, 'test', 'guests', 'c');
const clang = process.env.CLANG || 'clang';
// --strip-debug drops the DWARF that Debian's libc.a carries (about 100 KB); the
// name section stays, so a trap's stack trace still shows function names.
const C_FLAGS = ['--target=wasm32-wasi', '-O2', '-Wall', '-Wextra', '-Werror', '-Wl,--strip-debug'];

const cSources = sourcesIn(cDir, '.c');
const probe = spawnSync(clang, ['--version'], { encoding: 'utf8' });
if (probe.error || probe.status !== 0) {
  const why =
    `cannot run '${clang}' (${probe.error?.code ?? `exit ${probe.status}`}). ` +
    'Install clang with the wasm32-wasi target and wasi-libc ' +
    '(Debian/Ubuntu: apt-get install clang lld wasi-libc), or set CLANG to its path.';
  if (requireClang) {
    console.error(`guests: ${why}`);
    process.exit(1);
  }
  console.log(`guests: note: skipping ${cSources.length} C guest(s): ${why}`);
} else {
  for (const file of cSources) {
    const out = join(outDir, `${basename(file, '.c')}-c.wasm`);
    run(clang, [...C_FLAGS, join(cDir, file), '-o', out], out);
  }
}

// ── hostile guests (SECURITY.md: one per claim) ────────────────────────────

const hostileDir = join(root, 'test', 'guests', 'hostile');
const sdkDir = join(root, 'guest', 'c');
if (probe.error || probe.status !== 0) {
  console.log(`guests: note: skipping the hostile C guests (no clang); their committed .wasm stay`);
} else {
  for (const file of sourcesIn(hostileDir, '.c')) {
    const out = join(hostileDir, `${basename(file, '.c')}.wasm`);
    run(clang, [...C_FLAGS, '-I', sdkDir, join(hostileDir, file), join(sdkDir, 'sockbox.c'), '-o', out], out);
  }
}
// ── plugins (reactors for Sandbox.instantiate) ─────────────────────────────

const pluginDir = join(root, 'test', 'guests', 'plugins');
for (const file of sourcesIn(pluginDir, '.ts')) {
  const out = join(pluginDir, `${basename(file, '.ts')}.wasm`);
  run(process.execPath, [asc, relative(root, join(pluginDir, file)), '-o', relative(root, out),
    '-O3', '--runtime', 'incremental', '--exportStart', '_initialize', '--use', 'abort='], out);
}
if (probe.error || probe.status !== 0) {
  console.log(`guests: note: skipping the C plugins (no clang); their committed .wasm stay`);
} else {
  for (const file of sourcesIn(pluginDir, '.c')) {
    const out = join(pluginDir, `${basename(file, '.c')}.wasm`);
    run(clang, [...C_FLAGS, '-mexec-model=reactor', '-I', sdkDir, join(pluginDir, file), join(sdkDir, 'sockbox.c'), join(sdkDir, 'sockbox_plugin.c'), '-o', out], out);
  }
}

// ── guests written for other runtimes (issue: run other runtimes' guests unchanged) ──

const wasmedgeDir = join(root, 'test', 'guests', 'wasmedge');
if (probe.error || probe.status !== 0) {
  console.log(`guests: note: skipping the WasmEdge C guests (no clang); their committed .wasm stay`);
} else {
  for (const file of sourcesIn(wasmedgeDir, '.c')) {
    const out = join(wasmedgeDir, `${basename(file, '.c')}.wasm`);
    run(clang, [...C_FLAGS, join(wasmedgeDir, file), '-o', out], out);
  }
}
// Rust: std only (no crates), so Debian's rustc with libstd-rust-dev-wasm32 builds them
// offline. RUSTC picks the compiler; the default prefers /usr/bin/rustc (Debian's, which
// has the wasm32-wasi std) over a rustup one earlier on PATH.
const rustDir = join(root, 'test', 'guests', 'rust');
const rustc = process.env.RUSTC || (existsSync('/usr/bin/rustc') ? '/usr/bin/rustc' : 'rustc');
const rustSources = sourcesIn(rustDir, '.rs');
const rustProbe = spawnSync(rustc, ['--target', 'wasm32-wasi', '--print', 'sysroot'], { encoding: 'utf8' });
const rustStd = rustProbe.status === 0 && existsSync(join(rustProbe.stdout.trim(), 'lib', 'rustlib', 'wasm32-wasi'));
if (!rustStd) {
  console.log(`guests: note: skipping ${rustSources.length} Rust guest(s): '${rustc}' has no wasm32-wasi std ` +
    '(Debian: apt-get install rustc libstd-rust-dev-wasm32); their committed .wasm stay');
} else {
  for (const file of rustSources) {
    const out = join(rustDir, `${basename(file, '.rs')}.wasm`);
    run(rustc, ['--target', 'wasm32-wasi', '--edition', '2021', '-O', '-C', 'strip=symbols', '-C', 'codegen-units=1', '-C', 'panic=abort',
      join(rustDir, file), '-o', out], out);
  }
}

const wat2wasm = process.env.WAT2WASM || 'wat2wasm';
const watProbe = spawnSync(wat2wasm, ['--version'], { encoding: 'utf8' });
if (watProbe.error || watProbe.status !== 0) {
  console.log(`guests: note: skipping the WAT guests (no ${wat2wasm}; Debian: apt-get install wabt); their committed .wasm stay`);
} else {
  for (const file of sourcesIn(hostileDir, '.wat')) {
    const out = join(hostileDir, `${basename(file, '.wat')}.wasm`);
    run(wat2wasm, ['--enable-exceptions', join(hostileDir, file), '-o', out], out);
  }
}

if (cSources.length + asSources.length === 0) {
  console.error('guests: no guest sources in test/guests/c or test/guests/as');
  process.exit(1);
}
