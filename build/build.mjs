// Builds everything the package needs: dist/core.wasm (asc), dist/*.js (esbuild) and
// dist/types (tsc declarations). `--if-needed` skips the build when dist is newer than
// every source. Run by `npm run build`, by `npm pack`/`npm publish` (prepack), and with
// `--if-needed` before `npm start` and `npm test`. Never at install: consumers get the
// built files in the tarball, and `npm install` in a clone does not build.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const SOURCES = ['assembly', 'host', 'build', 'package.json', 'tsconfig.json'];
const OUTPUTS = ['core.wasm', 'index.js', 'cli.js', 'worker.js', 'core.js', 'errno.js', 'table.js', 'types/index.d.ts', 'types/index.d.cts', 'browser/sockbox-browser.js', 'browser/sockbox-browser-worker.js'].map((f) => join(dist, f));

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

// Node's built-in modules reach the bundle through process.getBuiltinModule (Node 20.16+,
// below the engines floor) instead of `import ... from 'node:x'`: an ESM import of a
// built-in fills in its whole namespace, running every lazy getter (node:fs loads
// fs/promises, streams, readline and the watchers; node:util, node:crypto likewise),
// which a sandbox worker pays in start-up time and RSS on every start (issue 15). Each
// name the code imports becomes a pure read of the module object, kept only if used.
const builtins = {
  name: 'builtins-without-namespace',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (a) => ({ path: a.path, namespace: 'builtin' }));
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (a) => {
      const mod = process.getBuiltinModule(a.path);
      const names = Object.getOwnPropertyNames(mod).filter((k) => /^[A-Za-z_$][\w$]*$/.test(k) && k !== 'default');
      return {
        loader: 'js',
        contents: [
          `const m = process.getBuiltinModule(${JSON.stringify(a.path)});`,
          'const pick = (k) => m[k];',
          'export default m;',
          ...names.map((k) => `export const ${k} = /* @__PURE__ */ pick(${JSON.stringify(k)});`),
        ].join('\n'),
      };
    });
  },
};

// Old chunks of an earlier build would otherwise stay beside the new ones.
for (const f of readdirSync(dist)) if (/\.js(\.map)?$/.test(f)) rmSync(join(dist, f));
/** What the package's Node bundles share. */
const NODE_BUNDLE = {
  outdir: 'dist',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  plugins: [builtins],
  charset: 'ascii',
  logLevel: 'warning',
};
await esbuild.build({
  absWorkingDir: root,
  entryPoints: [
    { in: 'host/index.ts', out: 'index' },
    { in: 'host/cli.ts', out: 'cli' },
    // The code generators' inputs (build/generators.mjs): the catalogue, the errno
    // table and the option table. Not part of the package's API.
    { in: 'host/core.ts', out: 'core' },
    { in: 'host/native/errno.ts', out: 'errno' },
    { in: 'host/table.ts', out: 'table' },
  ],
  splitting: true,
  ...NODE_BUNDLE,
});
// The sandbox worker's entry is one file of its own, not the shared chunks: each worker
// thread resolves, reads and compiles one module instead of six (every sandbox start
// pays it, issue 15). Its code is a second copy of the runtime's; no state is shared
// between threads anyway.
await esbuild.build({
  absWorkingDir: root,
  entryPoints: [{ in: 'host/sandbox/worker.ts', out: 'worker' }],
  // Less for every worker to read and hold (names kept: dist/worker.js.map maps it back).
  minifyWhitespace: true,
  minifySyntax: true,
  ...NODE_BUNDLE,
});

// Every bundle in ASCII (esbuild's charset 'ascii' escapes strings; the comments it keeps
// have box-drawing rules, a one-for-one swap keeps the source maps' columns): V8 holds a
// source with a single non-Latin-1 character as two bytes a character, twice the memory in
// every worker that loads it.
for (const f of readdirSync(dist)) {
  if (!f.endsWith('.js')) continue;
  const text = readFileSync(join(dist, f), 'utf8');
  if (/[^\x00-\x7f]/.test(text)) writeFileSync(join(dist, f), text.replace(/[^\x00-\x7f]/g, '-'));
}

// Declarations (and a full strict type check of the host). Cleared first: a declaration
// of a removed or renamed host file would otherwise stay, and be published.
rmSync(join(dist, 'types'), { recursive: true, force: true });
run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json']);

// The same declarations as CommonJS ones (.d.cts), for the package's "require" condition.
// require('sockbox') loads the ESM bundle (require(esm), Node 20.19+/22.12+) and gets its
// namespace, which is what these describe; without them a CommonJS TypeScript consumer
// under `module: node16` gets TS1479 ("cannot be imported with 'require'"). A .d.cts may
// import only .d.cts (an ESM .d.ts would be TS1479 again), so every file is mirrored and
// its relative './x.js' specifiers become './x.cjs'.
function mirrorCjsTypes(dir) {
  for (const f of readdirSync(dir)) {
    const path = join(dir, f);
    if (statSync(path).isDirectory()) mirrorCjsTypes(path);
    else if (f.endsWith('.d.ts')) {
      const text = readFileSync(path, 'utf8').replace(/((?:from|import\()\s*)(['"])(\.{1,2}\/[^'"]*)\.js\2/g, '$1$2$3.cjs$2');
      writeFileSync(path.slice(0, -'.d.ts'.length) + '.d.cts', text);
    }
  }
}
mirrorCjsTypes(join(dist, 'types'));
await (await import('./browser.mjs')).buildBrowser(); // dist/browser/: the page's runtime and its worker
console.log('build: dist/core.wasm, dist/index.js, dist/cli.js, dist/worker.js, dist/{core,errno,table}.js, dist/types (.d.ts, .d.cts), dist/browser');
