// An inline guest that catches the kill, killed from its own stdout sink, in a child
// process: if the kill never lands, the guest holds this process's only thread and the
// test sees a time-out instead of a hung runner.
//   node catch-inline.mjs catch-loop | catch-spin
// Prints one JSON line: { code, ms }.
import { readFileSync } from 'node:fs';
import { Sandbox } from '../../../dist/index.js';

const name = process.argv[2];
let sandbox;
sandbox = new Sandbox({ worker: false, stdout: () => sandbox.kill() });
const t0 = performance.now();
const code = await sandbox.run(readFileSync(new URL(`../../guests/hostile/${name}.wasm`, import.meta.url))).then((r) => r.exitCode, (e) => e.code);
process.stdout.write(JSON.stringify({ code, ms: performance.now() - t0 }) + '\n');
