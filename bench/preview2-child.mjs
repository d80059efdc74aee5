// The @bytecodealliance/preview2-shim contender, in a process of its own (the shim
// starts an I/O worker thread that would otherwise live on in the bench process).
// Its sockets are wasi:sockets TCP sockets from the shim's JS API, bound to 127.0.0.1:0.
//
//   node bench/preview2-child.mjs get N     -> ns per receiveBufferSize() call
//   node bench/preview2-child.mjs set N     -> ns per setKeepAliveEnabled(on/off) call
//   node bench/preview2-child.mjs kernel    -> JSON: what the shim's getters answer and
//                                              what the kernel holds for the same socket

import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { sockets } from '@bytecodealliance/preview2-shim';
import { Socket, constants } from '../dist/index.js';

const [mode, nArg] = process.argv.slice(2);
const network = sockets.instanceNetwork.instanceNetwork();
const tcp = sockets.tcpCreateSocket.createTcpSocket('ipv4');
tcp.startBind(network, { tag: 'ipv4', val: { address: [127, 0, 0, 1], port: 0 } });
tcp.finishBind();
const port = tcp.localAddress().val.port;

function ns(fn, n) {
  const t0 = process.hrtime.bigint();
  fn(n);
  return Number(process.hrtime.bigint() - t0) / n;
}

/** The fd of the kernel socket bound to 127.0.0.1:port (the shim keeps it in its worker). */
function kernelFd() {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const line = readFileSync('/proc/self/net/tcp', 'utf8').split('\n')
    .map((l) => l.trim().split(/\s+/))
    .find((f) => f[1] === `0100007F:${hexPort}`);
  if (!line) return -1;
  const target = `socket:[${line[9]}]`;
  for (const fd of readdirSync('/proc/self/fd')) {
    try { if (readlinkSync(`/proc/self/fd/${fd}`) === target) return Number(fd); } catch { /* closed meanwhile */ }
  }
  return -1;
}

let out;
if (mode === 'get') {
  tcp.receiveBufferSize();
  out = ns((n) => { for (let i = 0; i < n; i++) tcp.receiveBufferSize(); }, Number(nArg));
} else if (mode === 'set') {
  out = ns((n) => { for (let i = 0; i < n; i++) tcp.setKeepAliveEnabled((i & 1) === 1); }, Number(nArg));
} else if (mode === 'kernel') {
  const fd = kernelFd();
  if (fd < 0) {
    out = { error: `no kernel socket found for 127.0.0.1:${port}` };
  } else {
    // Read the shim's socket in place (owned = false: it stays the shim's).
    const k = new Socket(fd, constants.AF_INET, constants.SOCK_STREAM, 6, false);
    const { SOL_SOCKET, SO_RCVBUF, SO_KEEPALIVE, IPPROTO_IP, IP_TTL } = constants;
    const before = { hop: tcp.hopLimit(), rcvbuf: Number(tcp.receiveBufferSize()) };
    const kernelBefore = { ttl: k.getsockopt(IPPROTO_IP, IP_TTL), rcvbuf: k.getsockopt(SOL_SOCKET, SO_RCVBUF), keepalive: k.getsockopt(SOL_SOCKET, SO_KEEPALIVE) };
    tcp.setKeepAliveEnabled(true);
    out = {
      hopLimit: before.hop, ttl: kernelBefore.ttl,
      receiveBufferSize: before.rcvbuf, rcvbuf: kernelBefore.rcvbuf,
      keepAliveEnabled: tcp.keepAliveEnabled(), keepaliveBefore: kernelBefore.keepalive,
      keepaliveAfter: k.getsockopt(SOL_SOCKET, SO_KEEPALIVE),
    };
    k.detach();
  }
} else {
  console.error('usage: preview2-child.mjs get N | set N | kernel');
  process.exit(2);
}
console.log(JSON.stringify(out));
// The shim's worker keeps the event loop alive; the answer is out.
process.exit(0);
