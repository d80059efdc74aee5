// Python's timeout API and recv_into on the facade, compared with Python's socket module
// on the same machine: settimeout/gettimeout/setblocking/getblocking, a recv, recvfrom
// or accept that times out, non-blocking EAGAIN, recv_into/recvfrom_into with their
// argument rules. Each scenario runs on a fresh loopback fixture on both sides
// (test/py/timeout_probe.py is Python's side and documents the steps).
//
// Vocabulary: Python's TimeoutError('timed out') is our SocketError with code
// 'ETIMEDOUT' and the same message; its ValueError and OverflowError are our
// RangeError; OSError subclasses (BlockingIOError) are SocketError with the same errno.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { socket, constants, SocketError, type Socket } from '../host/index.js';
import { native, F_GETFL, O_NONBLOCK } from '../host/native/libc.js';

const PYTHON = process.env.PYTHON ?? 'python3';
const PROBE = fileURLToPath(new URL('./py/timeout_probe.py', import.meta.url));

type Step = [op: string, who: string, ...args: unknown[]];
interface Outcome { value?: unknown; hex?: string; ok?: true; exc?: string; errno?: number | null; message?: string }

const S = (n: number, hex: string) => hex.repeat(n);
const SCENARIOS: Record<string, Step[]> = {
  'a new socket: gettimeout() is None, getblocking() true': [['gettimeout', 'a'], ['getblocking', 'a'], ['gettimeout', 'l']],
  'settimeout(0.25): gettimeout 0.25, still blocking, the fd non-blocking underneath; settimeout(None) back': [
    ['fd_blocking', 'a'], ['settimeout', 'a', 0.25], ['gettimeout', 'a'], ['getblocking', 'a'], ['fd_blocking', 'a'],
    ['settimeout', 'a', null], ['gettimeout', 'a'], ['getblocking', 'a'], ['fd_blocking', 'a'], ['settimeout', 'a', 0], ['fd_blocking', 'a']],
  'settimeout(0): non-blocking, recv with nothing queued is EAGAIN': [
    ['settimeout', 'a', 0], ['gettimeout', 'a'], ['getblocking', 'a'], ['recv', 'a', 4]],
  'setblocking(false) is settimeout(0), setblocking(true) settimeout(None)': [
    ['setblocking', 'a', false], ['gettimeout', 'a'], ['setblocking', 'a', true], ['gettimeout', 'a'], ['getblocking', 'a']],
  'a recv that times out is "timed out", and the socket still works after it': [
    ['settimeout', 'a', 0.05], ['recv', 'a', 4], ['send', 'c', '68656c6c6f'], ['recv', 'a', 16], ['gettimeout', 'a']],
  'a timeout does not hide data already queued': [['send', 'c', '6869'], ['settimeout', 'a', 0.05], ['recv', 'a', 16]],
  'recv after the peer shut down its side is empty, not a timeout': [['settimeout', 'a', 0.05], ['shutdown_write', 'c'], ['recv', 'a', 4]],
  'accept that times out; then one that does not': [['settimeout', 'l', 0.05], ['accept', 'l']],
  'UDP recvfrom that times out, then a datagram arrives': [
    ['settimeout', 'u', 0.05], ['recvfrom', 'u', 8], ['sendto_peer', 'v', '7879'], ['recvfrom', 'u', 8]],
  'settimeout argument rules: negative, NaN, infinite, too large, a string': [
    ['settimeout', 'a', -1], ['settimeout', 'a', { float: 'nan' }], ['settimeout', 'a', { float: 'inf' }],
    ['settimeout', 'a', 1e20], ['settimeout', 'a', 'x'], ['gettimeout', 'a']],
  'recv_into: whole buffer, nbytes, nbytes 0 = the buffer\'s length': [
    ['send', 'c', '68656c6c6f'], ['recv_into', 'a', 8, 3], ['recv_into', 'a', 8, 0], ['send', 'c', S(12, '61')], ['recv_into', 'a', 8, 0]],
  'recv_into argument rules: negative nbytes, nbytes past the buffer': [['recv_into', 'a', 4, -1], ['recv_into', 'a', 4, 5]],
  'connect to a listener whose backlog is full: times out (connect), EWOULDBLOCK (connect_ex), EINPROGRESS when non-blocking': [
    ['connect_full', 'a', 0.05], ['connect_ex_full', 'a', 0.05], ['connect_ex_full', 'a', 0], ['connect_full', 'a', 0]],
  'recv_into with a timeout': [['settimeout', 'a', 0.05], ['recv_into', 'a', 4, 0]],
  'recvfrom_into: a datagram into a buffer, and its argument rules': [
    ['sendto_peer', 'v', '616263'], ['recvfrom_into', 'u', 6, 0], ['recvfrom_into', 'u', 4, -1], ['recvfrom_into', 'u', 4, 5]],
};

/** A settimeout value: as it is, or { float: 'nan' | 'inf' } for what JSON cannot carry. */
function timeoutArg(v: unknown): number | null {
  if (typeof v === 'object' && v !== null && 'float' in v) return (v as { float: string }).float === 'nan' ? Number.NaN : Number.POSITIVE_INFINITY;
  return v as number | null;
}

interface Fixture { [who: string]: Socket }

function fixture(): Fixture {
  const l = socket(constants.AF_INET, constants.SOCK_STREAM);
  l.bind(['127.0.0.1', 0]);
  l.listen(8);
  const c = socket(constants.AF_INET, constants.SOCK_STREAM);
  c.connect(l.getsockname());
  const [a] = l.accept();
  const u = socket(constants.AF_INET, constants.SOCK_DGRAM);
  u.bind(['127.0.0.1', 0]);
  const v = socket(constants.AF_INET, constants.SOCK_DGRAM);
  v.bind(['127.0.0.1', 0]);
  const f = { l, c, a, u, v };
  for (const s of Object.values(f)) backstop(s);
  return f;
}

/**
 * A kernel timeout of 5 s on every fixture socket: if settimeout ever stopped working,
 * a recv, accept or connect meant to time out would block this thread (and the test run)
 * for good; with this it fails with EAGAIN instead, and the comparison shows it.
 */
function backstop(s: Socket): void {
  s.setOption('SO_RCVTIMEO', { sec: 5, usec: 0 });
  s.setOption('SO_SNDTIMEO', { sec: 5, usec: 0 });
}

function step(f: Fixture, [op, who, ...args]: Step): Outcome {
  const s = f[who];
  switch (op) {
    case 'settimeout': s.settimeout(timeoutArg(args[0])); return { ok: true };
    case 'gettimeout': return { value: s.gettimeout() };
    case 'getblocking': return { value: s.getblocking() };
    case 'fd_blocking': return { value: (native().fcntl(s.fileno(), F_GETFL, 0) & O_NONBLOCK) === 0 };
    case 'setblocking': s.setblocking(args[0] as boolean); return { ok: true };
    case 'send': return { value: s.send(Buffer.from(args[0] as string, 'hex')) };
    case 'sendto_peer': return { value: s.sendto(Buffer.from(args[0] as string, 'hex'), f[who === 'u' ? 'v' : 'u'].getsockname()) };
    case 'recv': return { hex: s.recv(args[0] as number).toString('hex') };
    case 'recvfrom': return { hex: s.recvfrom(args[0] as number)[0].toString('hex') };
    case 'recv_into': {
      const buf = new Uint8Array(args[0] as number);
      const n = s.recv_into(buf, args[1] as number);
      return { value: n, hex: Buffer.from(buf).toString('hex') };
    }
    case 'recvfrom_into': {
      const buf = new Uint8Array(args[0] as number);
      const [n] = s.recvfrom_into(buf, args[1] as number);
      return { value: n, hex: Buffer.from(buf).toString('hex') };
    }
    case 'accept': s.accept()[0].close(); return { ok: true };
    case 'shutdown_write': s.shutdown(constants.SHUT_WR); return { ok: true };
    case 'connect_full': case 'connect_ex_full': {
      const full = socket(constants.AF_INET, constants.SOCK_STREAM);
      const first = socket(constants.AF_INET, constants.SOCK_STREAM);
      const late = socket(constants.AF_INET, constants.SOCK_STREAM);
      try {
        full.bind(['127.0.0.1', 0]);
        full.listen(0);
        first.connect(full.getsockname());
        backstop(late);
        late.settimeout(args[0] as number | null);
        if (op === 'connect_ex_full') return { value: late.connect_ex(full.getsockname()) };
        late.connect(full.getsockname());
        return { ok: true };
      } finally {
        late.close();
        first.close();
        full.close();
      }
    }
  }
  throw new Error(`unknown op ${op}`);
}

function runOurs(steps: Step[]): Outcome[] {
  const f = fixture();
  try {
    return steps.map((st) => {
      try {
        return step(f, st);
      } catch (e) {
        if (e instanceof SocketError) return { exc: 'SocketError', errno: e.errno, message: e.message, value: e.code };
        if (e instanceof Error) return { exc: e.constructor.name, message: e.message };
        throw e;
      }
    });
  } finally {
    for (const s of Object.values(f)) s.close();
  }
}

/** Python's outcome in our vocabulary. */
function fromPython(o: Outcome): Outcome {
  if (o.exc === undefined) return o;
  if (o.exc === 'TimeoutError') return { exc: 'SocketError', code: 'ETIMEDOUT', message: 'timed out' } as Outcome;
  if (o.exc === 'ValueError' || o.exc === 'OverflowError') return { exc: 'RangeError' };
  if (o.exc === 'TypeError') return { exc: 'TypeError' };
  return { exc: 'SocketError', errno: o.errno };
}

/** Ours, reduced to what Python's vocabulary can say. */
function comparable(o: Outcome): Outcome {
  if (o.exc === 'SocketError' && o.value === 'ETIMEDOUT') return { exc: 'SocketError', code: 'ETIMEDOUT', message: o.message } as Outcome;
  if (o.exc === 'SocketError') return { exc: 'SocketError', errno: o.errno };
  if (o.exc !== undefined) return { exc: o.exc };
  return o;
}

const pythonOk = spawnSync(PYTHON, ['-c', 'import socket'], { encoding: 'utf8' }).status === 0;
const names = Object.keys(SCENARIOS);
const py: Outcome[][] | undefined = pythonOk
  ? JSON.parse(spawnSync(PYTHON, [PROBE], { input: JSON.stringify(names.map((n) => SCENARIOS[n])), encoding: 'utf8' }).stdout) as Outcome[][]
  : undefined;

describe.skipIf(!pythonOk && process.env.CI !== 'true')('timeouts and recv_into, against Python\'s socket module', () => {
  names.forEach((name, i) => {
    test(name, () => {
      expect(py, `${PYTHON} is needed`).toBeDefined();
      const ours = runOurs(SCENARIOS[name]).map(comparable);
      expect(ours).toEqual(py![i].map(fromPython));
    });
  });

  test('a timeout is a SocketError with code ETIMEDOUT, errno ETIMEDOUT and Python\'s message, after about the timeout', () => {
    const f = fixture();
    try {
      f.a.settimeout(0.05);
      const t0 = performance.now();
      let e: unknown;
      try { f.a.recv(1); } catch (x) { e = x; }
      const ms = performance.now() - t0;
      expect(e).toBeInstanceOf(SocketError);
      expect(e).toMatchObject({ code: 'ETIMEDOUT', message: 'timed out', syscall: 'recv' });
      // Not a timing assertion on speed: it must not return before the timeout has passed.
      expect(ms).toBeGreaterThanOrEqual(45);
    } finally {
      for (const s of Object.values(f)) s.close();
    }
  });
});
