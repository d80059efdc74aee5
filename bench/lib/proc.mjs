// Child processes for the bench: one-shot commands, compiling the native C pieces, and
// long-running servers that announce "listening on PORT".

import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** Runs a command to its end: { ok, out } (out: stdout, or the reason it failed). */
export function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...opts });
  if (r.error || r.status !== 0) {
    return { ok: false, out: (r.error?.message ?? `exit ${r.status ?? r.signal}: ${r.stderr ?? ''}`).trim() };
  }
  return { ok: true, out: r.stdout.trim() };
}

/** Runs a command asynchronously to its end: { ok, out }. */
export function run(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('error', (e) => resolve({ ok: false, out: e.message }));
    child.on('close', (code, signal) => {
      resolve(code === 0 ? { ok: true, out: out.trim() } : { ok: false, out: `exit ${code ?? signal}: ${err.trim()}` });
    });
  });
}

/** Compiles a C file with `cc -O2` into `dir`: { ok, bin } or { ok: false, why }. */
export function compileC(src, dir, name, extra = []) {
  const bin = join(dir, name);
  const r = sh('cc', ['-O2', '-o', bin, src, ...extra]);
  return r.ok ? { ok: true, bin } : { ok: false, why: r.out.split('\n')[0] };
}

/**
 * Starts a server that prints "listening on PORT" and keeps running. Resolves with
 * { port, stop } once it has printed the line; rejects if it exits first or takes more
 * than `timeoutMs`. Its output is drained all along, so it never blocks on a full pipe.
 */
export function startServer(cmd, args, timeoutMs = 15000) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let done = false;
    const timer = setTimeout(() => fail(new Error(`${cmd}: no "listening on" line after ${timeoutMs} ms`)), timeoutMs);
    const exited = new Promise((r) => child.on('exit', r));
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    };
    function fail(e) {
      if (done) return;
      done = true;
      clearTimeout(timer);
      void stop();
      reject(e);
    }
    child.on('error', fail);
    child.on('exit', (code, signal) => fail(new Error(`${cmd} exited (${code ?? signal}) before listening: ${err.trim()}`)));
    child.stderr.on('data', (d) => { err += d; });
    child.stdout.on('data', (d) => {
      if (done) return;
      out += d;
      const m = /listening on (\d+)/.exec(out);
      if (m) {
        done = true;
        clearTimeout(timer);
        resolve({ port: Number(m[1]), stop, pid: child.pid });
      }
    });
  });
}
