// The native crossing of the option calls: sockbox's Node-API addon where a prebuilt
// binary fits (prebuilds/<platform>-<arch>/sockbox.node), koffi otherwise or with
// SOCKBOX_NATIVE=koffi. `npm test` runs the whole suite twice, once each way; this file
// checks which one is in use and that the addon answers as koffi does, in one process.

import { existsSync } from 'node:fs';
import koffi from 'koffi';
import { createRequire } from 'node:module';
import { constants as os } from 'node:os';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { native, INT_ERROR, intErrno, type Addon } from '../host/native/libc.js';
import { core, KIND } from '../host/core.js';
import { socket, constants } from '../host/index.js';

const PREBUILT = fileURLToPath(new URL(`../prebuilds/${process.platform}-${process.arch}/sockbox.node`, import.meta.url));
const forced = process.env.SOCKBOX_NATIVE;


test(`the option calls cross through ${forced === 'koffi' || !existsSync(PREBUILT) ? 'koffi' : 'the addon'} here (SOCKBOX_NATIVE=${forced ?? 'unset'}, prebuilt binary ${existsSync(PREBUILT) ? 'present' : 'absent'})`, () => {
  expect(native().crossing).toBe(forced === 'koffi' || !existsSync(PREBUILT) ? 'koffi' : 'addon');
});

describe.skipIf(!existsSync(PREBUILT))('the addon beside koffi, in one process', () => {
  const addon = createRequire(import.meta.url)(PREBUILT) as Addon;
  const libc = native();

  /** koffi's getsockopt (the Buf form never goes through the addon) of a C int. */
  function koffiInt(fd: number, level: number, name: number): number {
    const v = new Int32Array(1);
    const len = new Uint32Array([4]);
    return libc.getsockopt(fd, level, name, v, len) < 0 ? INT_ERROR - libc.errno() : v[0];
  }

  test('every int and flag option of the catalogue, on TCP and UDP over IPv4 and IPv6: the same value or the same errno', () => {
    let compared = 0;
    for (const [family, type] of [[constants.AF_INET, constants.SOCK_STREAM], [constants.AF_INET, constants.SOCK_DGRAM], [constants.AF_INET6, constants.SOCK_STREAM], [constants.AF_INET6, constants.SOCK_DGRAM]]) {
      const s = socket(family, type);
      try {
        for (const o of core().options) {
          if (o.hostNumber < 0 || !o.readable || (o.kind !== KIND.INT && o.kind !== KIND.BOOL)) continue;
          expect(addon.getsockoptInt(s.fileno(), o.hostLevel, o.hostNumber), o.name).toBe(koffiInt(s.fileno(), o.hostLevel, o.hostNumber));
          compared++;
        }
      } finally {
        s.close();
      }
    }
    expect(compared).toBeGreaterThan(100);
  });

  test('a negative value is a value, not an error (SO_PEEK_OFF is -1 on a fresh TCP socket); a failure is INT_ERROR - errno', () => {
    const s = socket();
    try {
      // SO_PEEK_OFF (Linux 42, include/uapi/asm-generic/socket.h; not in the catalogue):
      // -1 until MSG_PEEK offsets are turned on.
      if (process.platform === 'linux') {
        expect(addon.getsockoptInt(s.fileno(), constants.SOL_SOCKET, 42)).toBe(-1);
        expect(intErrno(-1)).toBe(0);
      }
      const bad = addon.getsockoptInt(999_999, constants.SOL_SOCKET, constants.SO_TYPE);
      expect(bad).toBe(INT_ERROR - os.errno.EBADF);
      expect(intErrno(bad)).toBe(os.errno.EBADF);
    } finally {
      s.close();
    }
  });

  test('setsockoptInt sets what getsockopt reads back; its failure is -errno', () => {
    const s = socket();
    try {
      expect(addon.setsockoptInt(s.fileno(), constants.IPPROTO_TCP, constants.TCP_NODELAY, 1)).toBe(0);
      expect(koffiInt(s.fileno(), constants.IPPROTO_TCP, constants.TCP_NODELAY)).toBe(1);
      expect(addon.setsockoptInt(s.fileno(), constants.SOL_SOCKET, 0x7fff, 1)).toBe(-os.errno.ENOPROTOOPT);
    } finally {
      s.close();
    }
  });

  test('the raw-address forms: a failure is -errno from the addon, and -1 with errno() through the native layer', () => {
    const cell = new Int32Array(32);
    const at = libc.addressOf(cell);
    cell[1] = 4;
    expect(addon.getsockoptAt(999_999, constants.SOL_SOCKET, constants.SO_TYPE, at, at + 4)).toBe(-os.errno.EBADF);
    expect(libc.getsockoptAt(999_999, constants.SOL_SOCKET, constants.SO_TYPE, at, at + 4)).toBe(-1);
    expect(libc.errno()).toBe(os.errno.EBADF);
    expect(libc.setsockoptAt(999_999, constants.SOL_SOCKET, constants.SO_TYPE, at, 4)).toBe(-1);
    expect(libc.errno()).toBe(os.errno.EBADF);
  });

  test('arguments that are not numbers, or a NULL address, are EINVAL: nothing reaches the kernel with them', () => {
    const s = socket();
    try {
      const call = addon as unknown as Record<string, (...a: unknown[]) => number>;
      expect(call.getsockoptInt(s.fileno(), 'x', 3)).toBe(INT_ERROR - os.errno.EINVAL);
      expect(call.getsockoptInt(s.fileno())).toBe(INT_ERROR - os.errno.EINVAL);
      expect(call.setsockoptInt(s.fileno(), 1, 2)).toBe(-os.errno.EINVAL);
      expect(call.getsockoptAt(s.fileno(), constants.SOL_SOCKET, constants.SO_TYPE, 0, 0)).toBe(-os.errno.EINVAL);
      expect(call.setsockoptAt(s.fileno(), constants.SOL_SOCKET, constants.SO_TYPE, null, 4)).toBe(-os.errno.EINVAL);
    } finally {
      s.close();
    }
  });
});

describe.skipIf(!existsSync(PREBUILT) || process.platform !== 'linux' || process.arch !== 'x64')('the addon\'s recvmsgAt, sendmsgAt and poll beside koffi\'s', () => {
  const addon = createRequire(import.meta.url)(PREBUILT) as Required<Addon>;
  const libc = native();
  const lib = koffi.load('libc.so.6');
  const kRecvmsg = lib.func('intptr_t recvmsg(int, uintptr_t, int)') as unknown as (fd: number, msg: number, flags: number) => number;
  const kSendmsg = lib.func('intptr_t sendmsg(int, uintptr_t, int)') as unknown as (fd: number, msg: number, flags: number) => number;
  const kPoll = lib.func('int poll(void *, unsigned long, int)') as unknown as (fds: ArrayBufferView | null, nfds: number, timeout: number) => number;
  const MSG_DONTWAIT = 0x40;
  const POLLIN = 1, POLLOUT = 4, POLLNVAL = 0x20;

  // struct msghdr (x86-64 Linux: 56 bytes) @0 with one iovec @64 over the data @128.
  const area = new Uint8Array(1024);
  const dv = new DataView(area.buffer);
  const base = libc.addressOf(area);
  function msghdr(len: number): number {
    area.fill(0, 0, 128);
    dv.setBigUint64(16, BigInt(base + 64), true); // msg_iov
    dv.setBigUint64(24, 1n, true); // msg_iovlen
    dv.setBigUint64(64, BigInt(base + 128), true); // iov_base
    dv.setBigUint64(72, BigInt(len), true); // iov_len
    return base;
  }

  /** Two UDP sockets on 127.0.0.1, each connected to the other. */
  function pair() {
    const a = socket(constants.AF_INET, constants.SOCK_DGRAM);
    const b = socket(constants.AF_INET, constants.SOCK_DGRAM);
    a.bind(['127.0.0.1', 0]);
    b.bind(['127.0.0.1', 0]);
    a.connect(b.getsockname());
    b.connect(a.getsockname());
    return { a, b, close: () => { a.close(); b.close(); } };
  }

  test('a datagram sent through either is received whole through the other, with its length', () => {
    const { a, b, close } = pair();
    try {
      for (const [send, recv] of [[addon.sendmsgAt, kRecvmsg], [kSendmsg, addon.recvmsgAt], [addon.sendmsgAt, addon.recvmsgAt]]) {
        const text = Buffer.from(`datagram ${Math.random()}`);
        area.set(text, 128);
        expect(send(a.fileno(), msghdr(text.length), 0)).toBe(text.length);
        area.fill(0, 128);
        expect(recv(b.fileno(), msghdr(256), 0)).toBe(text.length);
        expect(Buffer.from(area.subarray(128, 128 + text.length)).equals(text)).toBe(true);
      }
    } finally {
      close();
    }
  });

  test('a failure is -errno from the addon, and -1 with errno() through the native layer', () => {
    const { a, close } = pair();
    try {
      expect(addon.recvmsgAt(a.fileno(), msghdr(16), MSG_DONTWAIT)).toBe(-os.errno.EAGAIN);
      expect(kRecvmsg(a.fileno(), msghdr(16), MSG_DONTWAIT)).toBe(-1);
      expect(addon.recvmsgAt(999_999, msghdr(16), 0)).toBe(-os.errno.EBADF);
      expect(addon.sendmsgAt(999_999, msghdr(16), 0)).toBe(-os.errno.EBADF);
      expect(libc.recvmsgAt(999_999, msghdr(16), 0)).toBe(-1);
      expect(libc.errno()).toBe(os.errno.EBADF);
      expect(libc.recvmsgAt(a.fileno(), msghdr(16), MSG_DONTWAIT)).toBe(-1);
      expect(libc.errno()).toBe(os.errno.EAGAIN);
      const call = addon as unknown as Record<string, (...x: unknown[]) => number>;
      expect(call.recvmsgAt(a.fileno(), 0, 0)).toBe(-os.errno.EINVAL);
      expect(call.sendmsgAt(a.fileno(), 'x', 0)).toBe(-os.errno.EINVAL);
    } finally {
      close();
    }
  });

  test('poll answers as koffi\'s: the same count and revents, over a Uint8Array and an Int32Array; too short an array is EINVAL', () => {
    const { a, b, close } = pair();
    try {
      const fds = new Uint8Array(24);
      const pv = new DataView(fds.buffer);
      const fill = () => {
        fds.fill(0);
        pv.setInt32(0, b.fileno(), true); pv.setInt16(4, POLLIN, true);
        pv.setInt32(8, a.fileno(), true); pv.setInt16(12, POLLOUT, true);
        pv.setInt32(16, 999_999, true); pv.setInt16(20, POLLIN, true);
      };
      const revents = () => [pv.getInt16(6, true), pv.getInt16(14, true), pv.getInt16(22, true)];
      for (const pending of [false, true]) {
        if (pending) a.send(Buffer.from('x'));
        fill();
        const viaKoffi = kPoll(fds, 3, pending ? 1000 : 0);
        const kRevents = revents();
        fill();
        expect(addon.poll(fds, 3, pending ? 1000 : 0)).toBe(viaKoffi);
        expect(revents()).toEqual(kRevents);
        expect(kRevents).toEqual([pending ? POLLIN : 0, POLLOUT, POLLNVAL]);
      }
      // socket-wait.ts's form: one pollfd in an Int32Array.
      const one = new Int32Array(2);
      one[0] = b.fileno();
      new Int16Array(one.buffer, 4, 1)[0] = POLLIN;
      expect(addon.poll(one, 1, 0)).toBe(1);
      expect(libc.poll(one, 1, 0)).toBe(1);
      expect(addon.poll(one, 2, 0)).toBe(-os.errno.EINVAL);
      expect(addon.poll(null, 0, 0)).toBe(0);
      expect((addon as unknown as Record<string, (...x: unknown[]) => number>).poll({}, 0, 0)).toBe(-os.errno.EINVAL);
    } finally {
      close();
    }
  });
});
