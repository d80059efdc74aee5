// Compiles the AssemblyScript example plugins with the project's asc and sockbox's
// AssemblyScript library (guest/assembly):
//   examples/<name>/assembly/index.ts  ->  examples/<name>/<name>.wasm
// The .wasm files are committed, so `sockbox run` and `npm test` need no compiler;
// run this (`node build/as-examples.mjs`) after changing an example or the library.
// `--check` builds into a temporary folder and fails if a committed .wasm differs
// (asc's output is deterministic for the same asc version).
//
// Flags (see guest/assembly/README.md): a WASI command module (--exportStart _start),
// the incremental runtime (a server allocates per request and runs for long),
// runtime errors printed by the library's abort (exit 134).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const asc = join(root, 'node_modules', 'assemblyscript', 'bin', 'asc.js');

/** The asc flags of the example plugins (exported for the tests). */
export const AS_PLUGIN_FLAGS = [
  '-O3', '--runtime', 'incremental', '--exportStart', '_start',
  '--use', 'abort=guest/assembly/io/sockboxAbort',
];

/** Every example: { name, src, out } with paths relative to the root. */
export function asExamples() {
  const list = [];
  const examples = join(root, 'examples');
  for (const name of readdirSync(examples).sort()) {
    const src = join('examples', name, 'assembly', 'index.ts');
    if (existsSync(join(root, src))) list.push({ name, src, out: join('examples', name, `${name}.wasm`) });
  }
  return list;
}

/** Compiles src to out (paths relative to the root: asc names functions after them). */
export function compile(src, out, flags = AS_PLUGIN_FLAGS) {
  return spawnSync(process.execPath, [asc, src, '-o', out, ...flags], { cwd: root, encoding: 'utf8' });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const check = process.argv.includes('--check');
  const unknown = process.argv.slice(2).filter((a) => a !== '--check');
  if (unknown.length > 0) {
    console.error(`as-examples: unknown argument '${unknown[0]}' (usage: node build/as-examples.mjs [--check])`);
    process.exit(2);
  }
  if (!existsSync(asc)) {
    console.error(`as-examples: ${relative(root, asc)} is missing; run npm install`);
    process.exit(1);
  }
  const scratch = check ? mkdtempSync(join(tmpdir(), 'sockbox-as-examples-')) : '';
  let stale = 0;
  try {
    for (const { name, src, out } of asExamples()) {
      const target = check ? relative(root, join(scratch, `${name}.wasm`)) : out;
      const r = compile(src, target);
      if (r.status !== 0) {
        process.stderr.write(r.stdout + r.stderr);
        console.error(`as-examples: asc ${src} failed (exit ${r.status ?? r.signal})`);
        process.exit(1);
      }
      if (!check) {
        console.log(`as-examples: ${out} (${statSync(join(root, out)).size} bytes)`);
      } else if (!existsSync(join(root, out)) || !readFileSync(join(root, out)).equals(readFileSync(join(root, target)))) {
        console.error(`as-examples: ${out} is stale: run node build/as-examples.mjs`);
        stale++;
      } else {
        console.log(`as-examples: ${out} is up to date`);
      }
    }
  } finally {
    if (check) rmSync(scratch, { recursive: true, force: true });
  }
  process.exit(stale > 0 ? 1 : 0);
}
