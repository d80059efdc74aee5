// Builds everything the package needs: dist/core.wasm (asc), dist/*.js (esbuild) and
// dist/types (tsc declarations). `--if-needed` skips the build when dist is newer than
// every source. Run by `npm install` (prepare) and before `npm test`.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, mkdirSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const SOURCES = ['assembly', 'host', 'build', 'package.json', 'tsconfig.json'];
const OUTPUTS = ['core.wasm', 'index.js', 'cli.js', 'worker.js', 'core.js', 'errno.js', 'table.js', 'types/index.d.ts'].map((f) => join(dist, f));

function newest(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((f) => newest(join(path, f))));
}

function upToDate() {
  if (!OUTPUTS.every(existsSync)) return false;
  const built = Math.min(...OUTPUTS.map((f) => statSync(f).mtimeMs));
  return SOURCES.every((s) => !existsSync(join(root, s)) || newest(join(root, s)) <= built);
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`build: ${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}

if (process.argv.includes('--if-needed') && upToDate()) process.exit(0);
mkdirSync(dist, { recursive: true });

// The option core. --runtime stub: a bump allocator, enough for a catalogue built once.
// --use abort=: no env.abort import; the core returns codes and never aborts.
run(process.execPath, [
  join(root, 'node_modules/assemblyscript/bin/asc.js'), 'assembly/index.ts',
  '-o', 'dist/core.wasm', '-O3', '--noAssert', '--runtime', 'stub', '--initialMemory', '1', '--use', 'abort=',
]);

// Old chunks of an earlier build would otherwise stay beside the new ones.
for (const f of readdirSync(dist)) if (/\.js(\.map)?$/.test(f)) rmSync(join(dist, f));
await esbuild.build({
  absWorkingDir: root,
  entryPoints: [
    { in: 'host/index.ts', out: 'index' },
    { in: 'host/cli.ts', out: 'cli' },
    { in: 'host/sandbox/worker.ts', out: 'worker' },
    // The code generators' inputs (build/generators.mjs): the catalogue, the errno
    // table and the option table. Not part of the package's API.
    { in: 'host/core.ts', out: 'core' },
    { in: 'host/native/errno.ts', out: 'errno' },
    { in: 'host/table.ts', out: 'table' },
  ],
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});

// Declarations (and a full strict type check of the host).
run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json']);
console.log('build: dist/core.wasm, dist/index.js, dist/cli.js, dist/worker.js, dist/{core,errno,table}.js, dist/types');
