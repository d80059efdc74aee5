// The test page's side of test/browser.test.ts: runs guests with BrowserSandbox and
// hands the test their output (window.__sockboxOutput, exposed by the test) and their
// ends. Plain JS: the page loads it as it is.
import { BrowserSandbox } from '/sockbox-browser.js';

const runs = new Map();
let next = 1;

const errorInfo = (e) => ({ name: e?.name, code: e?.code, message: e?.message ?? String(e), closeCode: e?.closeCode, reason: e?.reason });

window.sockbox = {
  /** Starts a guest: { relay, token, args, env, guest: URL of its .wasm }. Resolves once run() was called. */
  async start(o) {
    const id = next++;
    const out = { stdout: '', stderr: '' };
    const emit = (fd, text) => { if (window.__sockboxOutput) void window.__sockboxOutput(id, fd, text); };
    let sb;
    try {
      sb = new BrowserSandbox({
        relay: o.relay, token: o.token, args: o.args, env: o.env,
        stdout: (text) => { out.stdout += text; emit(1, text); },
        stderr: (text) => { out.stderr += text; emit(2, text); },
      });
    } catch (e) {
      return { id, error: errorInfo(e) };
    }
    const wasm = await (await fetch(o.guest)).arrayBuffer();
    const done = sb.run(wasm).then((r) => ({ exitCode: r.exitCode, ...out }), (e) => ({ error: errorInfo(e), ...out }));
    runs.set(id, { sb, done });
    return { id };
  },
  /** The end of a run: { exitCode, stdout, stderr } or { error: { code, message, ... }, stdout, stderr }. */
  wait(id) {
    return runs.get(id).done;
  },
  kill(id) {
    runs.get(id).sb.kill();
  },
};
document.getElementById('state').textContent = `ready (crossOriginIsolated: ${globalThis.crossOriginIsolated})`;
