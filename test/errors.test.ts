// One error family: every error sockbox throws on purpose is a SockboxError with a code;
// one function turns an exception inside a guest import into a WASI errno.

import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { constants as os } from 'node:os';
import {
  socket, constants, Sandbox, SockboxError, SocketError, SandboxError, PolicyError,
} from '../host/index.js';
import { wasiErrnoOf } from '../host/errors.js';
import { parseGrant } from '../host/sandbox/policy.js';
import { ERRNO_FAULT, ERRNO_INVAL, ERRNO_IO, ERRNO_NOPROTOOPT, ERRNO_NOTCAPABLE } from '../host/native/errno.js';

function thrown(fn: () => unknown): unknown {
  try { fn(); } catch (e) { return e; }
  throw new Error('expected a throw');
}

// catch-spin (test/guests/hostile/catch-spin.wat) blocks in poll for an hour.
const SPIN = readFileSync(new URL('./guests/hostile/catch-spin.wasm', import.meta.url));

describe('the family', () => {
  test('a kernel failure is a SocketError: a SockboxError whose code is the errno name and errno the host number (positive, as Python\'s OSError)', () => {
    const s = socket(constants.AF_INET, constants.SOCK_STREAM);
    try {
      const e = thrown(() => s.getsockopt(constants.SOL_SOCKET, 0x7fff)) as SocketError;
      expect(e).toBeInstanceOf(SocketError);
      expect(e).toBeInstanceOf(SockboxError);
      expect(e.name).toBe('SocketError');
      expect(e.code).toBe('ENOPROTOOPT');
      expect(e.errno).toBe(os.errno.ENOPROTOOPT);
      expect(e.syscall).toBe('getsockopt');
    } finally {
      s.close();
    }
  });

  test('a bad grant is a PolicyError: a SockboxError with code ERR_SOCKBOX_POLICY', () => {
    const e = thrown(() => parseGrant('nope')) as PolicyError;
    expect(e).toBeInstanceOf(PolicyError);
    expect(e).toBeInstanceOf(SockboxError);
    expect(e.code).toBe('ERR_SOCKBOX_POLICY');
    expect(() => new Sandbox({ net: { connect: ['10.0.0.1'] } })).toThrow(PolicyError);
  });

  test('a killed run rejects with a SandboxError: a SockboxError with code ERR_SOCKBOX_TIMEOUT (inline and worker)', async () => {
    for (const worker of [false, true]) {
      const sb = new Sandbox({ worker, timeoutMs: 50, stdout: () => {} });
      const e = await sb.run(SPIN).then(() => undefined, (x: unknown) => x) as SandboxError;
      expect(e).toBeInstanceOf(SandboxError);
      expect(e).toBeInstanceOf(SockboxError);
      expect(e.name).toBe('SandboxError');
      expect(e.code).toBe('ERR_SOCKBOX_TIMEOUT');
    }
  });

  test('every SandboxError code is in the ERR_SOCKBOX_ family', async () => {
    const e = await new Sandbox().run(new Uint8Array([1, 2, 3])).then(() => undefined, (x: unknown) => x) as SandboxError;
    expect(e.code).toBe('ERR_SOCKBOX_GUEST_INVALID');
    expect(e.code).toMatch(/^ERR_SOCKBOX_[A-Z_]+$/);
  });

  test('bad arguments stay TypeError / RangeError, as Node\'s and CPython\'s (not SockboxErrors)', () => {
    const s = socket();
    try {
      const t = thrown(() => s.getsockopt(constants.SOL_SOCKET, constants.SO_TYPE, 2000));
      expect(t).toBeInstanceOf(RangeError);
      expect(t).not.toBeInstanceOf(SockboxError);
      expect(() => new Sandbox({ args: 'x' as unknown as string[] })).toThrow(TypeError);
    } finally {
      s.close();
    }
  });
});

describe('wasiErrnoOf: the one map from an exception to a WASI errno', () => {
  test.each([
    ['SocketError ENOPROTOOPT', new SocketError(os.errno.ENOPROTOOPT, 'getsockopt'), ERRNO_NOPROTOOPT],
    ['SocketError with no host number', new SocketError(0, 'x'), ERRNO_IO],
    ['PolicyError', new PolicyError('no'), ERRNO_NOTCAPABLE],
    ['RangeError (a typed array met an out-of-bounds pointer)', new RangeError('offset'), ERRNO_FAULT],
    ['TypeError', new TypeError('x'), ERRNO_INVAL],
    ['Error', new Error('x'), ERRNO_IO],
    ['a thrown string', 'x', ERRNO_IO],
  ])('%s', (_, e, errno) => {
    expect(wasiErrnoOf(e)).toBe(errno);
  });
});
