// The native crossing of the option calls: sockbox's Node-API addon where a prebuilt
// binary fits (prebuilds/<platform>-<arch>/sockbox.node), koffi otherwise or with
// SOCKBOX_NATIVE=koffi. `npm test` runs the whole suite twice, once each way; this file
// checks which one is in use and that the addon answers as koffi does, in one process.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants as os } from 'node:os';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { native, INT_ERROR, intErrno } from '../host/native/libc.js';
import { core, KIND } from '../host/core.js';
import { socket, constants } from '../host/index.js';

const PREBUILT = fileURLToPath(new URL(`../prebuilds/${process.platform}-${process.arch}/sockbox.node`, import.meta.url));
const forced = process.env.SOCKBOX_NATIVE;

interface Addon {
  getsockoptAt(fd: number, level: number, optname: number, optval: number, optlen: number): number;
  setsockoptAt(fd: number, level: number, optname: number, optval: number, optlen: number): number;
  getsockoptInt(fd: number, level: number, optname: number): number;
  setsockoptInt(fd: number, level: number, optname: number, value: number): number;
}

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
