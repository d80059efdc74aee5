// The example page's script: runs sockopt-tour.wasm with BrowserSandbox through the relay
// that serve.mjs started, and shows what it prints.
import { BrowserSandbox } from '/sockbox-browser.js';

const out = document.getElementById('out');
const status = document.getElementById('status');
const again = document.getElementById('again');
const kill = document.getElementById('kill');

const show = (text, cls = '') => {
  status.textContent = text;
  status.className = cls;
};

// serve.mjs hands the page the relay's address and the token it generated.
const { relay, token } = await (await fetch('/config.json')).json();
const wasm = await (await fetch('/sockopt-tour.wasm')).arrayBuffer();

let sandbox;
try {
  sandbox = new BrowserSandbox({
    relay, token, args: ['sockopt-tour'],
    stdout: (text) => { out.textContent += text; },
    stderr: (text) => { out.textContent += text; },
  });
} catch (e) {
  // ERR_SOCKBOX_NOT_ISOLATED: the page was served without COOP/COEP.
  show(`${e.code}: ${e.message}`, 'failed');
  throw e;
}

async function run() {
  out.textContent = '';
  again.disabled = true;
  kill.disabled = false;
  show('running…');
  try {
    const { exitCode } = await sandbox.run(wasm);
    show(`exit ${exitCode}`, exitCode === 0 ? 'ok' : 'failed');
  } catch (e) {
    show(`${e.code}: ${e.message}`, 'failed');
  } finally {
    again.disabled = false;
    kill.disabled = true;
  }
}

again.onclick = run;
kill.onclick = () => sandbox.kill();
await run();
