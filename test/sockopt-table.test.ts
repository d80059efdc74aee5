// The seed table of issue #3, one test per row, on real kernel sockets (loopback, port 0).

import { describe, expect, test } from 'vitest';
import { constants as os } from 'node:os';
import { constants, SocketError } from '../host/index.js';
import { sock } from './support/sockets.js';
import { native, POLLOUT } from '../host/native/libc.js';

const errno = os.errno;

const { AF_INET, AF_INET6, SOCK_STREAM, SOCK_DGRAM, SOL_SOCKET, IPPROTO_IP } = constants;

describe('seed table', () => {
  test('SO_ACCEPTCONN: 0 on a fresh socket, 1 after listen', () => {
    const s = sock();
    expect(s.getsockopt(SOL_SOCKET, constants.SO_ACCEPTCONN)).toBe(0);
    s.bind(['127.0.0.1', 0]);
    s.listen();
    expect(s.getsockopt(SOL_SOCKET, constants.SO_ACCEPTCONN)).toBe(1);
    expect(s.getOption('SO_ACCEPTCONN')).toBe(true);
  });

  test('SO_ERROR: ECONNREFUSED after a non-blocking connect to a closed loopback port, then 0', () => {
    // A port that was just ours and is now closed: nothing listens there.
    const probe = sock();
    probe.bind(['127.0.0.1', 0]);
    const port = probe.getsockname()[1];
    probe.close();
    const s = sock();
    s.setblocking(false);
    const rc = s.connect_ex(['127.0.0.1', port]);
    expect([errno.EINPROGRESS, errno.ECONNREFUSED]).toContain(rc);
    if (rc === errno.EINPROGRESS) {
      // Wait in poll(2) until the connect has an outcome; SO_ERROR then holds it.
      const pfd = new Uint8Array(8);
      new DataView(pfd.buffer).setInt32(0, s.fileno(), true);
      new DataView(pfd.buffer).setInt16(4, POLLOUT, true);
      expect(native().poll(pfd, 1, 5000)).toBe(1);
      expect(s.getsockopt(SOL_SOCKET, constants.SO_ERROR)).toBe(errno.ECONNREFUSED);
    }
    expect(s.getsockopt(SOL_SOCKET, constants.SO_ERROR)).toBe(0);
  });

  test('SO_KEEPALIVE: 0, then 1 after setting it', () => {
    const s = sock();
    expect(s.getsockopt(SOL_SOCKET, constants.SO_KEEPALIVE)).toBe(0);
    s.setsockopt(SOL_SOCKET, constants.SO_KEEPALIVE, 1);
    expect(s.getsockopt(SOL_SOCKET, constants.SO_KEEPALIVE)).toBe(1);
  });

  test('SO_TYPE: 1 for stream, 2 for dgram', () => {
    expect(sock().getsockopt(SOL_SOCKET, constants.SO_TYPE)).toBe(1);
    expect(sock(AF_INET, SOCK_DGRAM).getsockopt(SOL_SOCKET, constants.SO_TYPE)).toBe(2);
  });

  test('IP_HDRINCL: 0 on a TCP socket (the kernel answers, nothing cached)', () => {
    expect(sock().getsockopt(IPPROTO_IP, constants.IP_HDRINCL)).toBe(0);
  });

  test('IP_RECVDSTADDR: absent on Linux, ENOPROTOOPT naming where it exists', () => {
    expect(constants.IP_RECVDSTADDR).toBeUndefined();
    const s = sock(AF_INET, SOCK_DGRAM);
    let err: unknown;
    try { s.getOption('IP_RECVDSTADDR'); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(SocketError);
    expect((err as SocketError).code).toBe('ENOPROTOOPT');
    expect((err as SocketError).message).toBe('IP_RECVDSTADDR is BSD/macOS only; on Linux use IP_PKTINFO');
  });

  test('IP_TOS: set 0x10, reads 0x10', () => {
    const s = sock();
    s.setsockopt(IPPROTO_IP, constants.IP_TOS, 0x10);
    expect(s.getsockopt(IPPROTO_IP, constants.IP_TOS)).toBe(0x10);
  });

  test('IP_TTL: 64 by default', () => {
    expect(sock().getsockopt(IPPROTO_IP, constants.IP_TTL)).toBe(64);
    expect(sock(AF_INET, SOCK_DGRAM).getOption('IP_TTL')).toBe(64);
  });

  test('SO_REUSEADDR: 0 on a fresh socket, 1 after setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)', () => {
    const s = sock();
    expect(s.getsockopt(SOL_SOCKET, constants.SO_REUSEADDR)).toBe(0);
    s.setsockopt(SOL_SOCKET, constants.SO_REUSEADDR, 1);
    expect(s.getsockopt(SOL_SOCKET, constants.SO_REUSEADDR)).toBe(1);
  });

  test('IPv6 socket: IPV6_V6ONLY readable and SO_TYPE stream', () => {
    const s = sock(AF_INET6);
    expect([0, 1]).toContain(s.getsockopt(constants.IPPROTO_IPV6, constants.IPV6_V6ONLY));
    expect(s.getsockopt(SOL_SOCKET, constants.SO_TYPE)).toBe(SOCK_STREAM);
  });
});
