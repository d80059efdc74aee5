#!/usr/bin/env node
// The `sockbox` command: runs the built CLI (dist/cli.js). The published package ships
// dist/; a clone has it after `npm run build` (or `npm start`/`npm test`). This file
// never builds: a missing build is one line and exit 1, not a stack trace.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli) || !existsSync(new URL('../dist/core.wasm', import.meta.url))) {
  console.error('sockbox: not built (dist/cli.js is missing); run `npm run build` in the sockbox folder');
  process.exit(1);
}
const { main } = await import(cli.href);
process.exitCode = await main(process.argv.slice(2));
