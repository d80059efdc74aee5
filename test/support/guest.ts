// Helpers for sandbox tests: run a test guest, watch its output lines, count fds.

import { readFileSync, readdirSync } from 'node:fs';
import { Sandbox, drainWorkers, type SandboxOptions } from '../../host/index.js';
import { Lines } from './proc.js';

export const C_GUEST = readFileSync(new URL('../guests/sockguest-c.wasm', import.meta.url));

/** Grants for loopback only: what the sandbox tests need, nothing more. */
export const LOOPBACK: SandboxOptions['net'] = {
  bind: ['127.0.0.1:0', '[::1]:0'],
  connect: ['127.0.0.1:*', '[::1]:*'],
};

/**
 * Open fds of this process (worker threads share the table), counted once the
 * sandbox worker pool is drained: an idle pooled worker's own fds (its event loop)
 * are not a guest's.
 */
export async function openFds(): Promise<number> {
  await drainWorkers();
  return readdirSync('/proc/self/fd').length;
}

/** A running guest: its output so far, a way to wait for a line, and its settled run. */
export interface Running {
  sandbox: Sandbox;
  output(): string;
  lines(): string[];
  /** Resolves with the first output line matching `re` (its match). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  done: Promise<{ exitCode: number }>;
}

export function start(args: string[], options: SandboxOptions = {}, wasm: Uint8Array = C_GUEST): Running {
  const out = new Lines();
  const sandbox = new Sandbox({
    net: LOOPBACK,
    ...options,
    args: ['sockguest', ...args],
    stdout: (chunk) => out.feed(Buffer.from(chunk).toString('utf8')),
    stderr: (chunk) => out.feed(Buffer.from(chunk).toString('utf8')),
  });
  const done = sandbox.run(wasm);
  done.catch(() => {});
  return {
    sandbox,
    output: () => out.all(),
    lines: () => out.lines(),
    waitFor: (re, timeoutMs = 10_000) => out.waitFor(re, timeoutMs, done),
    done,
  };
}
