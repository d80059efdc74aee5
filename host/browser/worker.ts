// The guest's thread in the page: a Web Worker that runs one WASI command with the
// browser WASI shim (args, env, stdout/stderr posted to the page) and the relayed socket
// imports (imports.ts). A relayed call posts its frame to the link (link.ts, a second
// worker from this same bundle, which holds the WebSocket) and sleeps in Atomics.wait
// until the link writes the result into the reply slot (channel.ts). The page ends the
// worker (terminate) on kill() and when the relay goes away, whatever the guest is doing.
//
// Messages, page → worker: { type: 'start', module, args, env, slot, port } (or, for the
// link, { type: 'link', ... }: see link.ts). Worker → page: { type: 'out', fd: 1 | 2,
// bytes }, { type: 'exit', exitCode }, { type: 'trap', message }, { type: 'invalid', message }.

import { WASI, WASIProcExit, File, OpenFile, ConsoleStdout } from '@bjorn3/browser_wasi_shim';
import { relayedImports, type LocalImports } from './imports.js';
import { callAndWait } from './channel.js';
import { runLink, type LinkMessage, type LinkReport } from './link.js';

export interface StartMessage {
  type: 'start';
  module: WebAssembly.Module;
  args: string[];
  env: string[];
  slot: SharedArrayBuffer;
  /** The link's end for call frames. */
  port: MessagePort;
}

export type WorkerMessage =
  | { type: 'out'; fd: 1 | 2; bytes: Uint8Array }
  | { type: 'exit'; exitCode: number }
  | { type: 'trap'; message: string }
  | { type: 'invalid'; message: string };

interface WorkerScope {
  postMessage(message: WorkerMessage | LinkReport, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<StartMessage | LinkMessage | { type: 'close' }>) => void) | null;
  close(): void;
}
const scope = globalThis as unknown as WorkerScope;

const ERRNO_FAULT = 21;
const ERRNO_IO = 29;

/** The shim's imports, each guarded: an exception other than proc_exit becomes an errno (FAULT for a bad pointer). */
function guarded(imports: Record<string, (...args: never[]) => unknown>): LocalImports {
  const out: LocalImports = {};
  for (const [name, f] of Object.entries(imports)) {
    out[name] = (...args: never[]) => {
      try {
        return f(...args);
      } catch (e) {
        if (e instanceof WASIProcExit) throw e;
        return e instanceof RangeError ? ERRNO_FAULT : ERRNO_IO;
      }
    };
  }
  return out;
}

function start(msg: StartMessage): void {
  const { module, args, env, slot, port } = msg;
  const post = (m: WorkerMessage, transfer?: Transferable[]) => scope.postMessage(m, transfer);
  const output = (fd: 1 | 2) => new ConsoleStdout((bytes: Uint8Array) => {
    const copy = bytes.slice();
    post({ type: 'out', fd, bytes: copy }, [copy.buffer]);
  });
  // No fds from 3 up: the relay numbers its sockets from 3 (no preopens in the page).
  // debug: false, said out loud: the shim's default (undefined) turns its console log on.
  const wasi = new WASI(args, env, [new OpenFile(new File([])), output(1), output(2)], { debug: false });
  let memory: WebAssembly.Memory | undefined;
  const local = guarded(wasi.wasiImport as Record<string, (...args: never[]) => unknown>);
  // stdout and stderr: one message per fd_write, whatever its iovecs (the shim would post
  // one per iovec, and a kill between them would cut a line that was written whole).
  const shimWrite = local.fd_write as (...a: number[]) => unknown;
  local.fd_write = ((fd: number, iovs: number, n: number, nwritten: number): number => {
    if (fd !== 1 && fd !== 2) return Number(shimWrite(fd, iovs, n, nwritten));
    const buf = memory!.buffer;
    const dv = new DataView(buf);
    iovs >>>= 0; n >>>= 0; nwritten >>>= 0;
    if (iovs + 8 * n > buf.byteLength || nwritten + 4 > buf.byteLength) return ERRNO_FAULT;
    const parts: Uint8Array[] = [];
    let total = 0;
    for (let i = 0; i < n; i++) {
      const ptr = dv.getUint32(iovs + 8 * i, true);
      const len = dv.getUint32(iovs + 8 * i + 4, true);
      if (ptr + len > buf.byteLength) return ERRNO_FAULT;
      parts.push(new Uint8Array(buf, ptr, len));
      total += len;
    }
    if (total > 0) {
      const bytes = new Uint8Array(total);
      let at = 0;
      for (const p of parts) {
        bytes.set(p, at);
        at += p.length;
      }
      post({ type: 'out', fd, bytes }, [bytes.buffer]);
    }
    dv.setUint32(nwritten, total, true);
    return 0;
  }) as LocalImports[string];
  const relayed = relayedImports(
    () => memory!,
    (frame) => callAndWait(slot, frame, (f) => port.postMessage(f, [f.buffer])),
    local,
  );
  const imports: WebAssembly.Imports = {
    wasi_snapshot_preview1: { ...local, ...relayed.wasi_snapshot_preview1 },
    sockbox: relayed.sockbox,
  };

  const missing = WebAssembly.Module.imports(module)
    .filter((imp) => imp.kind !== 'function' || (imports[imp.module] as Record<string, unknown> | undefined)?.[imp.name] === undefined)
    .map((imp) => `${imp.module}.${imp.name} (${imp.kind})`);
  if (missing.length > 0) {
    post({ type: 'invalid', message: `the guest imports what this sandbox does not provide: ${missing.join(', ')}` });
    return;
  }
  let instance: WebAssembly.Instance;
  try {
    instance = new WebAssembly.Instance(module, imports);
  } catch (e) {
    post({ type: 'invalid', message: `the guest cannot start: ${(e as Error).message}` });
    return;
  }
  const exports = instance.exports as { memory?: unknown; _start?: unknown };
  if (!(exports.memory instanceof WebAssembly.Memory) || typeof exports._start !== 'function') {
    post({ type: 'invalid', message: 'the guest is not a WASI command: it must export memory and _start' });
    return;
  }
  memory = exports.memory;
  let exitCode: number;
  try {
    exitCode = wasi.start(instance as unknown as Parameters<WASI['start']>[0]);
  } catch (e) {
    // "RuntimeError: unreachable", as Node's sandbox names a trap.
    post({ type: 'trap', message: String(e) });
    return;
  }
  post({ type: 'exit', exitCode });
}

let link: { close(): void } | undefined;
scope.onmessage = (e) => {
  const m = e.data;
  if (m?.type === 'start') start(m);
  else if (m?.type === 'link') link = runLink(m, scope);
  else if (m?.type === 'close') link ? link.close() : scope.close();
};
