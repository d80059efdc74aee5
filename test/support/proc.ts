// Output that arrives in chunks, watched for lines; and child processes built on it.
// Shared by the sandbox helper (support/guest.ts) and the tests that spawn
// `sockbox run` or native programs.

import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll } from 'vitest';

/** Text fed in chunks, with a way to wait for a line matching a pattern. */
export class Lines {
  private text = '';
  private readonly waiters: { re: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];

  /** Adds output and wakes the waiters it satisfies. */
  feed(chunk: string): void {
    this.text += chunk;
    for (const w of [...this.waiters]) {
      for (const line of this.text.split('\n')) {
        const m = line.match(w.re);
        if (m) { this.waiters.splice(this.waiters.indexOf(w), 1); w.resolve(m); break; }
      }
    }
  }

  /** Everything so far. */
  all(): string {
    return this.text;
  }

  /** The non-empty lines so far. */
  lines(): string[] {
    return this.text.split('\n').filter((l) => l.length > 0);
  }

  /**
   * Resolves with the first line matching `re`; rejects after `timeoutMs`, or shortly
   * after `ended` settles without such a line. `context()` is added to the message.
   */
  waitFor(re: RegExp, timeoutMs: number, ended: Promise<unknown>, context: () => string = () => this.text): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no line matching ${re} in: ${context()}`)), timeoutMs);
      this.waiters.push({ re, resolve: (m) => { clearTimeout(timer); resolve(m); } });
      this.feed('');
      ended.then(() => setTimeout(() => reject(new Error(`ended without ${re}: ${context()}`)), 50), () => {});
    });
  }
}

/** A child process with its output so far and a way to wait for a stdout line. */
export interface Proc {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  lines(): string[];
  /** Resolves with the first stdout line matching `re`. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** The exit code (a signal counts as -1). */
  exited: Promise<number>;
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = fileURLToPath(new URL('../../bin/sockbox.js', import.meta.url));
const running: Proc[] = [];
afterAll(() => { for (const p of running) if (p.child.exitCode === null) p.child.kill(); });

/** Starts `command args` in the repository root; it is killed after the test file if still running. */
export function launch(command: string, args: string[]): Proc {
  const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = new Lines();
  let err = '';
  child.stdout!.on('data', (d: Buffer) => out.feed(d.toString('utf8')));
  child.stderr!.on('data', (d: Buffer) => { err += d.toString('utf8'); });
  const exited = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  const p: Proc = {
    child,
    stdout: () => out.all(),
    stderr: () => err,
    lines: () => out.lines(),
    waitFor: (re, timeoutMs = 10_000) => out.waitFor(re, timeoutMs, exited, () => out.all() + err),
    exited,
  };
  running.push(p);
  return p;
}

/** `node bin/sockbox.js run WASM [flags] -- args` in a child process. */
export function sockboxRun(wasm: string, flags: string[], args: string[] = []): Proc {
  return launch(process.execPath, [CLI, 'run', wasm, ...flags, '--', ...args]);
}
