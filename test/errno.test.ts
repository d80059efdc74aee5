// The host errno <-> WASI errno table, both directions.

import { constants as os } from 'node:os';
import { describe, expect, test } from 'vitest';
import * as errno from '../host/native/errno.js';
import { WASI_ERRNO_NAMES, toWasiErrno, fromWasiErrno, errnoName, ERRNO_NOTCAPABLE, ERRNO_IO } from '../host/native/errno.js';

const hostErrno = os.errno as Record<string, number>;

describe('errno table', () => {
  test('WASI numbers are the preview1 enum: BADF 8, INVAL 28, NOPROTOOPT 50, NOTSOCK 57, NOTCAPABLE 76', () => {
    expect(WASI_ERRNO_NAMES.length).toBe(77);
    expect(WASI_ERRNO_NAMES[8]).toBe('EBADF');
    expect(WASI_ERRNO_NAMES[28]).toBe('EINVAL');
    expect(WASI_ERRNO_NAMES[50]).toBe('ENOPROTOOPT');
    expect(WASI_ERRNO_NAMES[57]).toBe('ENOTSOCK');
    expect(WASI_ERRNO_NAMES[76]).toBe('ENOTCAPABLE');
  });

  test('every ERRNO_* constant is its name\'s number in WASI_ERRNO_NAMES', () => {
    const consts = Object.entries(errno).filter(([k]) => k.startsWith('ERRNO_'));
    expect(consts.length).toBeGreaterThan(10);
    for (const [k, v] of consts) {
      const name = k === 'ERRNO_SUCCESS' ? 'SUCCESS' : `E${k.slice(6)}`;
      expect(WASI_ERRNO_NAMES[v as number], k).toBe(name);
    }
  });

  test('host -> WASI -> host gives the same errno for every WASI errno this host has', () => {
    let checked = 0;
    WASI_ERRNO_NAMES.forEach((name, wasi) => {
      const host = hostErrno[name];
      if (wasi === 0 || host === undefined) return;
      expect(toWasiErrno(host), name).toBe(wasi);
      expect(fromWasiErrno(wasi), name).toBe(host);
      checked++;
    });
    expect(checked).toBeGreaterThan(70);
  });

  test('WASI -> host -> WASI is the identity where the host has the errno', () => {
    for (let wasi = 1; wasi < WASI_ERRNO_NAMES.length; wasi++) {
      const host = fromWasiErrno(wasi);
      if (host !== undefined) expect(toWasiErrno(host)).toBe(wasi);
    }
  });

  test('aliases map to their WASI errno: EWOULDBLOCK -> AGAIN, EOPNOTSUPP -> NOTSUP', () => {
    expect(toWasiErrno(hostErrno.EWOULDBLOCK)).toBe(6);
    expect(toWasiErrno(hostErrno.EOPNOTSUPP)).toBe(58);
  });

  test('Linux ENOPROTOOPT is 92 and maps to WASI 50; NOTCAPABLE has no host errno', () => {
    expect(hostErrno.ENOPROTOOPT).toBe(process.platform === 'linux' ? 92 : hostErrno.ENOPROTOOPT);
    expect(toWasiErrno(hostErrno.ENOPROTOOPT)).toBe(50);
    expect(fromWasiErrno(ERRNO_NOTCAPABLE)).toBeUndefined();
  });

  test('a host errno without a WASI counterpart becomes IO; names fall back to E<n>', () => {
    expect(toWasiErrno(100000)).toBe(ERRNO_IO);
    expect(errnoName(hostErrno.ENOPROTOOPT)).toBe('ENOPROTOOPT');
    expect(errnoName(hostErrno.EAGAIN)).toBe('EAGAIN');
    expect(errnoName(100000)).toBe('E100000');
  });
});
