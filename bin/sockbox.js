#!/usr/bin/env node
// The `sockbox` command: runs the built CLI (dist/cli.js, made by `npm install`).
import { main } from '../dist/cli.js';

process.exitCode = await main(process.argv.slice(2));
