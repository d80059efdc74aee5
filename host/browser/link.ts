// The relay's WebSocket, on a thread of its own (a second worker, from the same bundle
// as the guest's): the guest's calls come straight from the guest's worker over a
// MessagePort, go out on the WebSocket, and each result goes into the reply slot, which
// wakes the guest. The page's thread is off this path (a busy page does not slow the
// guest's calls down); it hears only the session's start and end.
//
// Page → link: { type: 'link', url, hello, slot, port } then, at the end, { type: 'close' }.
// Link → page: { type: 'ready' }, { type: 'closed', code, reason } (the WebSocket closed,
// not by the page), { type: 'broken', message } (the relay sent what the page cannot take).

import { WIRE_VERSION } from '../relay/wire.js';
import { deliver, fail } from './channel.js';

export interface LinkMessage {
  type: 'link';
  url: string;
  hello: string;
  slot: SharedArrayBuffer;
  /** Where the guest's worker posts its call frames. */
  port: MessagePort;
}

export type LinkReport =
  | { type: 'ready' }
  | { type: 'closed'; code: number; reason: string }
  | { type: 'broken'; message: string };

interface Scope {
  postMessage(message: LinkReport): void;
  close(): void;
}

/** Runs the link in this worker. */
export function runLink(msg: LinkMessage, scope: Scope): { close(): void } {
  const { url, hello, slot, port } = msg;
  let ready = false;
  let closing = false;
  const report = (r: LinkReport) => scope.postMessage(r);
  let ws: WebSocket;
  try {
    ws = new WebSocket(url);
  } catch (e) {
    report({ type: 'broken', message: `cannot open a WebSocket to ${url}: ${(e as Error).message}` });
    return { close: () => scope.close() };
  }
  ws.binaryType = 'arraybuffer';
  const broken = (message: string) => {
    fail(slot);
    report({ type: 'broken', message });
  };
  ws.onopen = () => ws.send(hello);
  ws.onmessage = (e: MessageEvent) => {
    if (typeof e.data === 'string') {
      let m: { type?: unknown; version?: unknown } | undefined;
      try {
        m = JSON.parse(e.data) as typeof m;
      } catch {
        m = undefined;
      }
      if (!ready && m?.type === 'ready' && m.version === WIRE_VERSION) {
        ready = true;
        report({ type: 'ready' });
        return;
      }
      return broken(`the relay sent what this page does not understand: ${e.data.slice(0, 200)}`);
    }
    if (!ready || !deliver(slot, new Uint8Array(e.data as ArrayBuffer))) {
      broken('the relay sent a result this page cannot take (too large, or for no call)');
    }
  };
  ws.onclose = (e: CloseEvent) => {
    fail(slot);
    if (!closing) report({ type: 'closed', code: e.code, reason: e.reason });
    scope.close();
  };
  port.onmessage = (e: MessageEvent<Uint8Array>) => {
    if (ws.readyState !== WebSocket.OPEN) return fail(slot);
    ws.send(e.data);
  };
  return {
    close() {
      closing = true;
      fail(slot);
      // Closing the WebSocket ends the session: the relay kills it and closes its sockets.
      if (ws.readyState === WebSocket.CONNECTING || ws.readyState === WebSocket.OPEN) ws.close(1000, 'run ended');
      else scope.close();
    },
  };
}
