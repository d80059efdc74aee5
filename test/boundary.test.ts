// Regression tests at the guest boundary, calling the imports a guest gets directly
// (buildImports) on real loopback sockets: the cases a review found.

import net from 'node:net';
import dgram from 'node:dgram';
import { spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';
import { Sandbox } from '../host/index.js';
import { Harness } from './support/fuzz-harness.js';
import { native } from '../host/native/libc.js';

const OUT = 0x800; // scratch room in the harness's first page
let h: Harness | undefined;
afterEach(() => { if (h) expect(h.close()).toBe(0); h = undefined; });

function imports(x: Harness) {
  const p = x.imports.wasi_snapshot_preview1;
  const dv = () => new DataView(x.memory.buffer);
  /** sock_open → the new fd. */
  const open = (af: number, type: number): number => {
    expect(p.sock_open(af, type, OUT)).toBe(0);
    return dv().getUint32(OUT, true);
  };
  /** A V1 IPv4 address { buf, len 4 } for 127.0.0.1 at 0x900. */
  const v4 = (): number => {
    const d = dv();
    d.setUint32(0x900, 0x910, true); d.setUint32(0x904, 4, true);
    new Uint8Array(x.memory.buffer).set([127, 0, 0, 1], 0x910);
    return 0x900;
  };
  /** sock_getlocaladdr V1 → [address bytes, port]. */
  const local = (fd: number): [number[], number] => {
    const d = dv();
    d.setUint32(0x940, 0x950, true); d.setUint32(0x944, 16, true);
    expect(p.sock_getlocaladdr(fd, 0x940, 0x960, 0x964)).toBe(0);
    return [Array.from(new Uint8Array(x.memory.buffer, 0x950, 4)), d.getUint32(0x964, true)];
  };
  return { p, dv, open, v4, local };
}

describe('listening and sending never bind every interface unless granted', () => {
  test('listen() on an unbound TCP socket (the kernel would bind 0.0.0.0) → NOTCAPABLE under 127.0.0.1:0', () => {
    h = new Harness();
    const { p, open } = imports(h);
    expect(p.sock_listen(open(1, 2), 16)).toBe(76);
  });

  test('listen() on an unbound TCP socket is allowed when 0.0.0.0:0 is granted', () => {
    h = new Harness(1, { net: { bind: ['0.0.0.0:0'] } });
    const { p, open, local } = imports(h);
    const fd = open(1, 2);
    expect(p.sock_listen(fd, 16)).toBe(0);
    expect(local(fd)[0]).toEqual([0, 0, 0, 0]);
  });

  test('the first sendto of an unbound UDP socket binds it to the route\'s source address (127.0.0.1), not 0.0.0.0', async () => {
    h = new Harness();
    const { p, dv, open, v4, local } = imports(h);
    const peer = dgram.createSocket('udp4');
    await new Promise<void>((r) => peer.bind(0, '127.0.0.1', r));
    try {
      const fd = open(1, 1);
      const d = dv();
      new Uint8Array(h.memory.buffer).set([104, 105], 0xa00); // "hi"
      d.setUint32(0xa10, 0xa00, true); d.setUint32(0xa14, 2, true);
      const got = new Promise<[Buffer, dgram.RemoteInfo]>((r) => peer.once('message', (m, info) => r([m, info])));
      expect(p.sock_send_to(fd, 0xa10, 1, v4(), peer.address().port, 0, OUT)).toBe(0);
      const [msg, from] = await got;
      expect(msg.toString()).toBe('hi');
      const [addr, port] = local(fd);
      expect(addr).toEqual([127, 0, 0, 1]);
      expect(port).toBe(from.port);
    } finally {
      peer.close();
    }
  });
});

describe('closing', () => {
  test('fd_close on a socket with SO_LINGER {1, 20} and unsent data returns at once (Linux would block 20 s)', async () => {
    h = new Harness();
    const { p, dv, open, v4 } = imports(h);
    const conns: net.Socket[] = [];
    const server = net.createServer((c) => { c.pause(); conns.push(c); });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const fd = open(1, 2);
      expect(p.sock_connect(fd, v4(), (server.address() as net.AddressInfo).port)).toBe(0);
      expect(p.fd_fdstat_set_flags(fd, 4)).toBe(0); // NONBLOCK
      const d = dv();
      d.setUint32(0xa10, 0x1000, true); d.setUint32(0xa14, 0x8000, true);
      // Fill every buffer on the way to a peer that does not read.
      let rc = 0;
      for (let i = 0; i < 1000 && rc === 0; i++) rc = p.sock_send(fd, 0xa10, 1, 0, OUT);
      expect(rc).toBe(6); // AGAIN
      d.setInt32(0xb00, 1, true); d.setInt32(0xb04, 20, true);
      expect(p.sock_setsockopt(fd, 0, 9, 0xb00, 8)).toBe(0); // WasmEdge SO_LINGER {1, 20}
      const t = performance.now();
      expect(p.fd_close(fd)).toBe(0);
      expect(performance.now() - t).toBeLessThan(1000);
    } finally {
      for (const c of conns) c.destroy();
      await new Promise((r) => server.close(r));
    }
  });

  test('fd_renumber of a socket onto itself does nothing (the shim would close it)', () => {
    h = new Harness();
    const { p, open } = imports(h);
    const fd = open(1, 2);
    expect(p.fd_renumber(fd, fd)).toBe(0);
    expect(p.sock_listen(fd, 1)).toBe(76); // still a socket (refused by policy, not BADF)
    expect(p.fd_renumber(999, 999)).toBe(8);
  });
});

describe('name lookup', () => {
  test('getaddrinfo without a service matches the address on any granted port', () => {
    h = new Harness(1, { net: { connect: ['127.0.0.1:8080'], lookup: true } });
    // The fuzzing guard refuses the resolver; a numeric host resolves locally, no packet.
    Object.assign(h.guard, { getaddrinfo: native().getaddrinfo });
    const { p, dv } = imports(h);
    const d = dv();
    const u8 = new Uint8Array(h.memory.buffer);
    u8.set(Buffer.from('127.0.0.1'), 0xc00);
    u8.fill(0, 0xc20, 0xc20 + 28); // hints: all zero
    // One result entry at 0xd00 whose sockaddr is at 0xd40 with 32 bytes of data at 0xd60.
    u8.fill(0, 0xd00, 0xe00);
    d.setUint32(0xd00 + 12, 0xd40, true);
    d.setUint32(0xd40 + 4, 32, true); d.setUint32(0xd40 + 8, 0xd60, true);
    d.setUint32(0xcf0, 0xd00, true); // res_ptr -> first entry
    expect(p.sock_getaddrinfo(0xc00, 9, 0, 0, 0xc20, 0xcf0, 1, OUT)).toBe(0);
    expect(d.getUint32(OUT, true)).toBe(1);
    expect(Array.from(u8.subarray(0xd60 + 2, 0xd60 + 6))).toEqual([127, 0, 0, 1]);
  });
});

describe('how runs end', () => {
  // (module (memory (export "memory") 1) (func $s unreachable) (start $s) (func (export "_start")))
  const START_TRAP = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 3, 2, 0, 0, 5, 3, 1, 0, 1, 7, 19, 2, 6, 109, 101, 109, 111, 114, 121, 2, 0, 6, 95, 115, 116, 97, 114, 116, 0, 1, 8, 1, 0, 10, 8, 2, 3, 0, 0, 11, 2, 0, 11]);
  // (module (import "wasi_snapshot_preview1" "proc_exit" ...) (memory (export "memory") 1) (func (export "_start") (call $exit (i32.const 256))))
  const EXIT_256 = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 2, 96, 1, 127, 0, 96, 0, 0, 2, 36, 1, 22, 119, 97, 115, 105, 95, 115, 110, 97, 112, 115, 104, 111, 116, 95, 112, 114, 101, 118, 105, 101, 119, 49, 9, 112, 114, 111, 99, 95, 101, 120, 105, 116, 0, 0, 3, 2, 1, 1, 5, 3, 1, 0, 1, 7, 19, 2, 6, 109, 101, 109, 111, 114, 121, 2, 0, 6, 95, 115, 116, 97, 114, 116, 0, 1, 10, 9, 1, 7, 0, 65, 128, 2, 16, 0, 11]);

  test('a trap in the start section is a trap (ERR_SOCKBOX_GUEST_TRAP), not an invalid guest', async () => {
    await expect(new Sandbox({ stdout: () => {} }).run(START_TRAP)).rejects.toMatchObject({ code: 'ERR_SOCKBOX_GUEST_TRAP', message: /unreachable/ });
  });

  test('sockbox run: proc_exit(256) exits 1, not 0 (an exit status is 8 bits)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sockbox-'));
    writeFileSync(join(dir, 'exit256.wasm'), EXIT_256);
    const bin = fileURLToPath(new URL('../bin/sockbox.js', import.meta.url));
    expect(spawnSync(process.execPath, [bin, 'run', join(dir, 'exit256.wasm')]).status).toBe(1);
    await expect(new Sandbox({ stdout: () => {} }).run(EXIT_256)).resolves.toEqual({ exitCode: 256 });
  });
});
