// Builds the browser runtime (host/browser/) into dist/browser/: sockbox-browser.js (ESM,
// `import { BrowserSandbox } from 'sockbox/browser'`) and the worker file beside it,
// sockbox-browser-worker.js (an ESM module worker, started twice per run: the guest's
// thread and the link that holds the relay's WebSocket; the first file finds it with
// `new URL('./sockbox-browser-worker.js', import.meta.url)`, which bundlers follow).
// Each file is whole (no shared chunks) and imports nothing: the WASI shim and the
// relay's wire are bundled in. Run by build/build.mjs; alone: node build/browser.mjs.

import { mkdirSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'browser');

export const BROWSER_OUTPUTS = ['sockbox-browser.js', 'sockbox-browser-worker.js'].map((f) => join(out, f));

export async function buildBrowser() {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: [
      { in: 'host/browser/index.ts', out: 'sockbox-browser' },
      { in: 'host/browser/worker.ts', out: 'sockbox-browser-worker' },
    ],
    outdir: out,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    // Node's modules must never reach the page: a node: import here fails the build.
    external: [],
    logLevel: 'warning',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildBrowser();
  console.log('build: dist/browser/sockbox-browser.js, dist/browser/sockbox-browser-worker.js');
}
