// A page's side of the relay wire, in Node, for tests: guest memory is a plain array
// here, and each call is planned (host/relay/regions.ts), sent, and its result's regions
// written back, as the browser runtime does with a guest's memory.

import WebSocket from 'ws';
import { CALLS, callIndex, decodeResult, encodeCall, encodeHello } from '../../host/relay/wire.js';
import { planCall } from '../../host/relay/regions.js';

export interface Closed { code: number; reason: string }

export class RelayClient {
  readonly mem: Uint8Array;
  readonly dv: DataView;
  readonly closed: Promise<Closed>;
  private nextId = 1;
  private pending: { id: number; resolve: (errno: number) => void; reject: (e: Error) => void } | undefined;

  private constructor(readonly ws: WebSocket, pages: number) {
    this.mem = new Uint8Array(pages * 65536);
    this.dv = new DataView(this.mem.buffer);
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        const c = { code, reason: reason.toString() };
        this.pending?.reject(Object.assign(new Error(`relay closed: ${c.code} ${c.reason}`), c));
        this.pending = undefined;
        resolve(c);
      });
    });
    ws.on('message', (data: Buffer, binary) => {
      if (!binary) return;
      const r = decodeResult(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      const p = this.pending;
      if (!r || !p || r.id !== p.id) return;
      this.pending = undefined;
      for (const g of r.regions) this.mem.set(g.bytes, g.ptr);
      p.resolve(r.errno);
    });
  }

  /** Connects, says hello; resolves once the relay is ready, rejects with its close (code, reason) or HTTP refusal. */
  static connect(url: string, opts: { origin?: string; token?: string; pages?: number; hello?: string; silent?: boolean }): Promise<RelayClient> {
    return new Promise((resolve, reject) => {
      // silent: answers no ping, as a page that has gone away without closing.
      const ws = new WebSocket(url, { origin: opts.origin, autoPong: !opts.silent });
      const client = new RelayClient(ws, opts.pages ?? 4);
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d: Buffer) => { body += d.toString(); });
        res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}: ${body.trim()}`), { status: res.statusCode, body })));
      });
      ws.on('error', () => {});
      ws.once('open', () => ws.send(opts.hello ?? encodeHello(opts.token)));
      const onText = (data: Buffer, binary: boolean) => {
        if (binary) return;
        const m = JSON.parse(data.toString()) as { type: string };
        if (m.type === 'ready') { ws.off('message', onText); resolve(client); }
      };
      ws.on('message', onText);
      void client.closed.then((c) => reject(Object.assign(new Error(`relay closed: ${c.code} ${c.reason}`), c)));
    });
  }

  /** Calls a relayed import with the guest's arguments; resolves with its WASI errno. */
  call(name: string, args: number[], module: 'wasi_snapshot_preview1' | 'sockbox' = 'wasi_snapshot_preview1'): Promise<number> {
    const index = callIndex(module, name, args.length);
    if (index < 0) throw new Error(`${module}.${name}/${args.length} is not relayed`);
    const mem = { size: this.mem.length, read: (p: number, l: number) => this.mem.subarray(p, p + l) };
    const regions = planCall(CALLS[index], args, mem).inputs();
    return this.raw(encodeCall(this.nextId, index, args, this.mem.length, regions));
  }

  /** Sends a frame as it is and waits for the result of the id it carries. */
  raw(frame: Uint8Array): Promise<number> {
    const id = new DataView(frame.buffer, frame.byteOffset).getUint32(0, true);
    this.nextId = id + 1;
    return new Promise((resolve, reject) => {
      this.pending = { id, resolve, reject };
      this.ws.send(frame);
    });
  }

  u32(p: number): number { return this.dv.getUint32(p, true); }
  setU32(p: number, v: number): void { this.dv.setUint32(p, v, true); }

  /** A V1 address { buf_ptr, buf_len } at `at` over the 4 bytes of an IPv4 address at at+8. */
  ipv4(at: number, ip: [number, number, number, number]): number {
    this.setU32(at, at + 8);
    this.setU32(at + 4, 4);
    this.mem.set(ip, at + 8);
    return at;
  }

  close(): void {
    this.ws.close();
  }
}
