// The host errno <-> WASI errno table, both directions.

import { constants as os } from 'node:os';
import { describe, expect, test } from 'vitest';
import * as errno from '../host/native/errno.js';
import { WASI_ERRNOS, WASI_ERRNO_NAMES, WASI_TO_LINUX_ERRNO, toWasiErrno, fromWasiErrno, errnoName, ERRNO_NOTCAPABLE, ERRNO_IO } from '../host/native/errno.js';

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

  test('the one table: WASI_ERRNO_NAMES and WASI_TO_LINUX_ERRNO are its columns', () => {
    expect(WASI_ERRNOS.length).toBe(77);
    expect(WASI_ERRNO_NAMES).toEqual(WASI_ERRNOS.map(([name]) => name));
    expect(WASI_TO_LINUX_ERRNO).toEqual(WASI_ERRNOS.map(([, linux]) => linux));
    expect(new Set(WASI_ERRNO_NAMES).size).toBe(77);
  });

  test('Linux numbers: SUCCESS 0, NOTCAPABLE none, every other one a distinct Linux errno (ENOPROTOOPT 92, ENOTSUP 95)', () => {
    const linux = new Map(WASI_ERRNOS);
    expect(linux.get('SUCCESS')).toBe(0);
    expect(linux.get('ENOTCAPABLE')).toBe(-1);
    expect(linux.get('ENOPROTOOPT')).toBe(92);
    expect(linux.get('ENOTSUP')).toBe(95);
    const rest = WASI_ERRNOS.filter(([name]) => name !== 'SUCCESS' && name !== 'ENOTCAPABLE').map(([, n]) => n);
    for (const n of rest) expect(n).toBeGreaterThan(0);
    expect(new Set(rest).size).toBe(rest.length);
  });

  test.runIf(process.platform === 'linux')('Linux numbers equal os.constants.errno on Linux (for every name Node knows)', () => {
    let checked = 0;
    for (const [name, linux] of WASI_ERRNOS) {
      if (name === 'SUCCESS' || linux < 0 || hostErrno[name] === undefined) continue;
      expect(linux, name).toBe(hostErrno[name]);
      checked++;
    }
    // Node leaves out a few (EOWNERDEAD 130, ENOTRECOVERABLE 131 on Node 20).
    expect(checked).toBeGreaterThan(70);
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
