// The Python-style facade on real loopback sockets: data both ways over TCP and UDP,
// IPv4 and IPv6, typed options, closed sockets, and fromNodeSocket.

import net from 'node:net';
import dgram from 'node:dgram';
import { constants as os } from 'node:os';
import { describe, expect, test } from 'vitest';
import { socket, constants, SocketError, fromNodeSocket, catalogue } from '../host/index.js';
import { sock, keep } from './support/sockets.js';

const { AF_INET, AF_INET6, SOCK_STREAM, SOCK_DGRAM, SOL_SOCKET, IPPROTO_TCP } = constants;

/**
 * Option numbers from the C headers, not from the catalogue: a getter compared with
 * getsockopt of one of these numbers catches a catalogue row that carries another
 * option's number. Linux: include/uapi/asm-generic/socket.h, include/uapi/linux/in.h,
 * include/uapi/linux/tcp.h; macOS: bsd/sys/socket.h, bsd/netinet/in.h, bsd/netinet/tcp.h.
 */
const HEADER = process.platform === 'darwin'
  ? { SO_SNDBUF: 0x1001, SO_RCVBUF: 0x1002, IP_TTL: 4, IP_MULTICAST_TTL: 10, TCP_NODELAY: 1, TCP_KEEPCNT: 0x102, TCP_KEEPINTVL: 0x101 }
  : { SO_SNDBUF: 7, SO_RCVBUF: 8, IP_TTL: 2, IP_MULTICAST_TTL: 33, TCP_NODELAY: 1, TCP_KEEPCNT: 6, TCP_KEEPINTVL: 5 };

function thrown(fn: () => unknown): unknown {
  try { fn(); } catch (e) { return e; }
  throw new Error('expected a throw');
}

describe('socket operations', () => {
  for (const [family, host] of [[AF_INET, '127.0.0.1'], [AF_INET6, '::1']] as const) {
    test(`TCP over ${host}: connect, accept, send and recv both ways, addresses`, () => {
      const server = sock(family);
      server.bind([host, 0]);
      server.listen();
      const addr = server.getsockname();
      expect(addr[0]).toBe(host);
      expect(addr[1]).toBeGreaterThan(0);
      const client = sock(family);
      client.connect([host, addr[1]]);
      const [conn, peer] = server.accept();
      keep(conn);
      expect(peer[0]).toBe(host);
      expect(peer[1]).toBe(client.getsockname()[1]);
      if (family === AF_INET6) expect(peer.length).toBe(4);
      expect(conn.getpeername()[1]).toBe(client.getsockname()[1]);
      expect(client.send(Buffer.from('ping'))).toBe(4);
      expect(conn.recv(100).toString()).toBe('ping');
      conn.sendall(new Uint8Array(70_000).fill(7));
      let got = 0;
      while (got < 70_000) got += client.recv(65536).length;
      expect(got).toBe(70_000);
      client.shutdown(constants.SHUT_WR);
      expect(conn.recv(10).length).toBe(0);
      expect(conn.family).toBe(family);
      expect(conn.type).toBe(SOCK_STREAM);
    });

    test(`UDP over ${host}: sendto and recvfrom both ways`, () => {
      const a = sock(family, SOCK_DGRAM);
      const b = sock(family, SOCK_DGRAM);
      a.bind([host, 0]);
      b.bind([host, 0]);
      expect(a.sendto(Buffer.from('hello'), b.getsockname())).toBe(5);
      const [data, from] = b.recvfrom(100);
      expect(data.toString()).toBe('hello');
      expect(from![1]).toBe(a.getsockname()[1]);
      b.sendto(Buffer.from('back'), 0, from!);
      expect(a.recvfrom(100)[0].toString()).toBe('back');
    });
  }

  test('non-blocking recv with nothing to read throws EAGAIN; getblocking follows setblocking', () => {
    const a = sock(AF_INET, SOCK_DGRAM);
    a.bind(['127.0.0.1', 0]);
    expect(a.getblocking()).toBe(true);
    a.setblocking(false);
    expect(a.getblocking()).toBe(false);
    const e = thrown(() => a.recv(10)) as SocketError;
    expect(e).toBeInstanceOf(SocketError);
    expect(e.code).toBe('EAGAIN');
    expect(e.errno).toBe(os.errno.EAGAIN);
    expect(e.syscall).toBe('recv');
  });

  test('connect_ex returns ECONNREFUSED for a closed loopback port, 0 on success', () => {
    const probe = sock();
    probe.bind(['127.0.0.1', 0]);
    const port = probe.getsockname()[1];
    probe.close();
    expect(sock().connect_ex(['127.0.0.1', port])).toBe(os.errno.ECONNREFUSED);
    const server = sock();
    server.bind(['127.0.0.1', 0]);
    server.listen();
    expect(sock().connect_ex(server.getsockname())).toBe(0);
  });

  test('a closed socket: fileno -1, getsockopt throws EBADF, close twice is harmless', () => {
    const s = socket();
    s.close();
    expect(s.fileno()).toBe(-1);
    const e = thrown(() => s.getsockopt(SOL_SOCKET, constants.SO_TYPE)) as SocketError;
    expect(e).toBeInstanceOf(SocketError);
    expect(e.code).toBe('EBADF');
    expect(e.syscall).toBe('getsockopt');
    expect(() => s.close()).not.toThrow();
  });

  test('kernel failures are SocketError with errno, code and syscall', () => {
    const e = thrown(() => sock().getsockopt(SOL_SOCKET, 9999)) as SocketError;
    expect(e.errno).toBe(os.errno.ENOPROTOOPT);
    expect(e.code).toBe('ENOPROTOOPT');
    expect(e.syscall).toBe('getsockopt');
    expect(e.message).toMatch(/^getsockopt ENOPROTOOPT/);
  });

  test('bad addresses are TypeError / RangeError before any syscall', () => {
    const s = sock();
    expect(thrown(() => s.bind(['example.com', 0]))).toBeInstanceOf(TypeError);
    expect(thrown(() => s.bind(['127.0.0.1', 70000]))).toBeInstanceOf(RangeError);
    expect(thrown(() => s.bind(['127.0.0.1', 1.5]))).toBeInstanceOf(TypeError);
    expect(thrown(() => s.recv(-1))).toBeInstanceOf(RangeError);
  });
});

describe('typed options', () => {
  test('booleans and numbers', () => {
    const s = sock();
    expect(s.getOption('TCP_NODELAY')).toBe(false);
    s.setOption('TCP_NODELAY', true);
    expect(s.getOption('TCP_NODELAY')).toBe(true);
    expect(s.getsockopt(IPPROTO_TCP, HEADER.TCP_NODELAY)).toBe(1);
  });

  test('a flag (kind 0,1) takes true/false and 0/1; 2, -1, 0.5 and \'1\' are TypeError and leave it as it was', () => {
    const s = sock();
    for (const [v, want] of [[true, 1], [false, 0], [1, 1], [0, 0]] as const) {
      s.setOption('SO_REUSEADDR', v);
      expect(s.getsockopt(SOL_SOCKET, constants.SO_REUSEADDR)).toBe(want);
      expect(s.getOption('SO_REUSEADDR')).toBe(want === 1);
    }
    s.setOption('SO_REUSEADDR', true);
    for (const v of [2, -1, 0.5, '1', null]) {
      // @ts-expect-error: a flag takes boolean | 0 | 1
      const e = thrown(() => s.setOption('SO_REUSEADDR', v));
      expect(e).toBeInstanceOf(TypeError);
      expect((e as TypeError).message).toMatch(/^SO_REUSEADDR takes true\/false or 0\/1, not /);
    }
    expect(s.getOption('SO_REUSEADDR')).toBe(true);
    // The raw form is CPython's: any C int.
    s.setsockopt(SOL_SOCKET, constants.SO_REUSEADDR, 2);
    expect(s.getsockopt(SOL_SOCKET, constants.SO_REUSEADDR)).toBe(1);
  });

  test('SO_RCVBUF and SO_SNDBUF set to different sizes: each getter reads its own, at the header\'s number', () => {
    const s = sock();
    s.setOption('SO_RCVBUF', 65536);
    s.setOption('SO_SNDBUF', 32768);
    // Linux doubles both: compare with what the kernel says under the header's numbers.
    const rcv = s.getsockopt(SOL_SOCKET, HEADER.SO_RCVBUF);
    const snd = s.getsockopt(SOL_SOCKET, HEADER.SO_SNDBUF);
    expect(rcv).not.toBe(snd);
    expect(s.getOption('SO_RCVBUF')).toBe(rcv);
    expect(s.getOption('SO_SNDBUF')).toBe(snd);
    expect(s.getsockopt(SOL_SOCKET, constants.SO_RCVBUF)).toBe(rcv);
    expect(s.getsockopt(SOL_SOCKET, constants.SO_SNDBUF)).toBe(snd);
  });

  test('IP_TTL and IP_MULTICAST_TTL, TCP_KEEPCNT and TCP_KEEPINTVL set to different values: each getter reads its own, at the header\'s number', () => {
    const u = sock(AF_INET, SOCK_DGRAM);
    u.setOption('IP_TTL', 33);
    u.setOption('IP_MULTICAST_TTL', 5);
    expect(u.getsockopt(constants.IPPROTO_IP, HEADER.IP_TTL)).toBe(33);
    expect(u.getsockopt(constants.IPPROTO_IP, HEADER.IP_MULTICAST_TTL)).toBe(5);
    expect(u.getOption('IP_TTL')).toBe(33);
    expect(u.getOption('IP_MULTICAST_TTL')).toBe(5);
    const t = sock();
    t.setOption('TCP_KEEPCNT', 3);
    t.setOption('TCP_KEEPINTVL', 11);
    expect(t.getsockopt(IPPROTO_TCP, HEADER.TCP_KEEPCNT)).toBe(3);
    expect(t.getsockopt(IPPROTO_TCP, HEADER.TCP_KEEPINTVL)).toBe(11);
    expect(t.getOption('TCP_KEEPCNT')).toBe(3);
    expect(t.getOption('TCP_KEEPINTVL')).toBe(11);
  });

  test('SO_LINGER as { onoff, seconds }', () => {
    const s = sock();
    expect(s.getOption('SO_LINGER')).toEqual({ onoff: false, seconds: 0 });
    s.setOption('SO_LINGER', { onoff: true, seconds: 5 });
    expect(s.getOption('SO_LINGER')).toEqual({ onoff: true, seconds: 5 });
    const raw: Uint8Array = s.getsockopt(SOL_SOCKET, constants.SO_LINGER, 8);
    expect(Array.from(raw)).toEqual([1, 0, 0, 0, 5, 0, 0, 0]);
  });

  test('SO_RCVTIMEO as { sec, usec }', () => {
    const s = sock();
    expect(s.getOption('SO_RCVTIMEO')).toEqual({ sec: 0, usec: 0 });
    s.setOption('SO_RCVTIMEO', { sec: 2, usec: 500000 });
    expect(s.getOption('SO_RCVTIMEO')).toEqual({ sec: 2, usec: 500000 });
    expect(thrown(() => s.setOption('SO_RCVTIMEO', { sec: 1, usec: 1_000_000 }))).toBeInstanceOf(RangeError);
    // @ts-expect-error: SO_RCVTIMEO takes a Timeval
    expect(thrown(() => s.setOption('SO_RCVTIMEO', 5))).toBeInstanceOf(TypeError);
  });

  test('TCP_CONGESTION as a string', () => {
    const s = sock();
    expect(typeof s.getOption('TCP_CONGESTION')).toBe('string');
    s.setOption('TCP_CONGESTION', 'reno');
    expect(s.getOption('TCP_CONGESTION')).toBe('reno');
  });

  test('IP_MULTICAST_IF as an address string, IP_ADD_MEMBERSHIP with ip_mreq and ip_mreqn', () => {
    const s = sock(AF_INET, SOCK_DGRAM);
    expect(s.getOption('IP_MULTICAST_IF')).toBe('0.0.0.0');
    s.setOption('IP_MULTICAST_IF', '127.0.0.1');
    expect(s.getOption('IP_MULTICAST_IF')).toBe('127.0.0.1');
    // Joining a group sends nothing by itself; the interface is loopback.
    s.setOption('IP_ADD_MEMBERSHIP', { multiaddr: '239.1.2.3', interface: '127.0.0.1' });
    s.setOption('IP_DROP_MEMBERSHIP', { multiaddr: '239.1.2.3', interface: '127.0.0.1' });
    s.setOption('IP_ADD_MEMBERSHIP', { multiaddr: '239.1.2.4', address: '127.0.0.1', ifindex: 0 });
    expect(thrown(() => s.setOption('IP_ADD_MEMBERSHIP', { multiaddr: 'nope', interface: '0.0.0.0' }))).toBeInstanceOf(TypeError);
  });

  test('TCP_INFO as an object: state ESTABLISHED (1) on a connected socket, LISTEN (10) on a listener', () => {
    const server = sock();
    server.bind(['127.0.0.1', 0]);
    server.listen();
    expect(server.getOption('TCP_INFO').state).toBe(10);
    const client = sock();
    client.connect(server.getsockname());
    const info = client.getOption('TCP_INFO');
    expect(info.state).toBe(1);
    for (const f of ['rtt', 'rttvar', 'snd_cwnd', 'retransmits', 'total_retrans'] as const) expect(typeof info[f]).toBe('number');
    expect(info.snd_cwnd).toBeGreaterThan(0);
  });

  test('SO_PEERCRED on a TCP socket decodes as { pid, uid, gid }', () => {
    expect(Object.keys(sock().getOption('SO_PEERCRED'))).toEqual(['pid', 'uid', 'gid']);
  });

  test('unknown names are TypeError; read-only options refuse setOption', () => {
    const s = sock();
    // @ts-expect-error: not an option of the catalogue
    expect(thrown(() => s.getOption('SO_NOPE'))).toBeInstanceOf(TypeError);
    // @ts-expect-error: SO_TYPE is read-only
    const e = thrown(() => s.setOption('SO_TYPE', 1)) as SocketError;
    expect(e.code).toBe('ENOPROTOOPT');
  });

  test('TCP_KEEPALIVE (macOS) says what to use on Linux', () => {
    const e = thrown(() => sock().setOption('TCP_KEEPALIVE', 10)) as SocketError;
    expect(e.code).toBe('ENOPROTOOPT');
    expect(e.message).toBe('TCP_KEEPALIVE is macOS only; on Linux use TCP_KEEPIDLE');
  });
});

describe('constants', () => {
  test('options, levels, families and types with Linux numbers; absent names absent', () => {
    expect(constants.SOL_SOCKET).toBe(1);
    expect(constants.IPPROTO_TCP).toBe(6);
    expect(constants.AF_INET6).toBe(10);
    expect(constants.SOCK_DGRAM).toBe(2);
    expect(constants.SO_REUSEADDR).toBe(2);
    expect(constants.TCP_CONGESTION).toBe(13);
    expect('IP_RECVDSTADDR' in constants).toBe(false);
    expect('TCP_KEEPALIVE' in constants).toBe(false);
  });

  test('every catalogue option present on Linux is in constants with its Linux number', () => {
    for (const o of catalogue()) {
      if (o.linux === null) expect(o.name in constants).toBe(false);
      else expect(constants[o.name]).toBe(o.linux);
    }
  });
});

describe('fromNodeSocket', () => {
  test('a listening net.Server: SO_ACCEPTCONN 1, setsockopt works on Node\'s socket', async () => {
    const conns: net.Socket[] = [];
    const server = net.createServer((conn) => conns.push(conn));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const s = fromNodeSocket(server);
      expect(s.getsockopt(SOL_SOCKET, constants.SO_ACCEPTCONN)).toBe(1);
      expect(s.type).toBe(SOCK_STREAM);
      expect(s.getsockname()[1]).toBe((server.address() as net.AddressInfo).port);
      s.setsockopt(SOL_SOCKET, constants.SO_KEEPALIVE, 1);
      expect(s.getOption('SO_KEEPALIVE')).toBe(true);
      s.close(); // forgets the fd; Node's server still works
      const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
      await new Promise<void>((r, j) => { client.on('connect', r); client.on('error', j); });
      const c = fromNodeSocket(client);
      expect(c.getOption('TCP_INFO')).toMatchObject({ state: 1 });
      client.destroy();
    } finally {
      for (const conn of conns) conn.destroy();
      await new Promise((r) => server.close(r));
    }
  });

  // Node (libuv) sets and reads these options with the C headers' numbers: an observer
  // that does not read our catalogue. Every pair gets two different values, so an option
  // that answered with the other one's number would show.
  test('a bound dgram.Socket: SO_TYPE dgram; SO_RCVBUF and SO_SNDBUF, set to different sizes on either side, read as Node\'s getRecvBufferSize and getSendBufferSize', async () => {
    const d = dgram.createSocket('udp4');
    await new Promise<void>((r) => d.bind(0, '127.0.0.1', r));
    try {
      const s = fromNodeSocket(d);
      expect(s.type).toBe(SOCK_DGRAM);
      d.setRecvBufferSize(65536);
      d.setSendBufferSize(32768);
      expect(d.getRecvBufferSize()).not.toBe(d.getSendBufferSize());
      expect(s.getOption('SO_RCVBUF')).toBe(d.getRecvBufferSize());
      expect(s.getOption('SO_SNDBUF')).toBe(d.getSendBufferSize());
      expect(s.getsockopt(SOL_SOCKET, constants.SO_RCVBUF)).toBe(d.getRecvBufferSize());
      expect(s.getsockopt(SOL_SOCKET, constants.SO_SNDBUF)).toBe(d.getSendBufferSize());
      // And the other way: ours sets, Node reads.
      s.setOption('SO_RCVBUF', 20000);
      s.setOption('SO_SNDBUF', 40000);
      expect(d.getRecvBufferSize()).not.toBe(d.getSendBufferSize());
      expect(d.getRecvBufferSize()).toBe(s.getOption('SO_RCVBUF'));
      expect(d.getSendBufferSize()).toBe(s.getOption('SO_SNDBUF'));
    } finally {
      d.close();
    }
  });

  test('a bound dgram.Socket: IP_TTL, IP_MULTICAST_TTL, IP_MULTICAST_LOOP and SO_BROADCAST set by Node to values that differ read back as Node set them', async () => {
    const d = dgram.createSocket('udp4');
    await new Promise<void>((r) => d.bind(0, '127.0.0.1', r));
    try {
      const s = fromNodeSocket(d);
      d.setTTL(33);
      d.setMulticastTTL(5);
      d.setMulticastLoopback(false);
      d.setBroadcast(true);
      expect(s.getOption('IP_TTL')).toBe(33);
      expect(s.getOption('IP_MULTICAST_TTL')).toBe(5);
      expect(s.getOption('IP_MULTICAST_LOOP')).toBe(false);
      expect(s.getOption('SO_BROADCAST')).toBe(true);
      s.setsockopt(constants.IPPROTO_IP, constants.IP_TTL, 44);
      expect(s.getOption('IP_TTL')).toBe(44);
      expect(s.getOption('IP_MULTICAST_TTL')).toBe(5);
    } finally {
      d.close();
    }
  });

  test('a bound udp6 dgram.Socket: IPV6_UNICAST_HOPS, IPV6_MULTICAST_HOPS and IPV6_MULTICAST_LOOP set by Node to values that differ read back as Node set them', async () => {
    const d = dgram.createSocket('udp6');
    await new Promise<void>((r) => d.bind(0, '::1', r));
    try {
      const s = fromNodeSocket(d);
      d.setTTL(33);
      d.setMulticastTTL(5);
      d.setMulticastLoopback(false);
      expect(s.getOption('IPV6_UNICAST_HOPS')).toBe(33);
      expect(s.getOption('IPV6_MULTICAST_HOPS')).toBe(5);
      expect(s.getOption('IPV6_MULTICAST_LOOP')).toBe(false);
    } finally {
      d.close();
    }
  });

  test('an unconnected net.Socket has no fd: TypeError', () => {
    expect(thrown(() => fromNodeSocket(new net.Socket()))).toBeInstanceOf(TypeError);
  });
});
