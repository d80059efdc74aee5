// The page's import plumbing (host/browser/imports.ts, poll.ts) in Node, against a fake
// relay that decodes each call frame and answers from a script: which calls go to the
// relay and which stay in the page, the books of relay fds, what lands in guest memory,
// and that no failure of the relay path throws at the guest. test/browser.test.ts runs
// the same code in Chromium against the real relay.

import { describe, expect, test } from 'vitest';
import { callIndex, decodeCall, encodeResult, type Call, type Region } from '../host/relay/wire.js';
import { relayedImports, type LocalImports } from '../host/browser/imports.js';

const P1 = 'wasi_snapshot_preview1';

function setup(answer: (c: Call) => { errno: number; regions?: Region[] } | 'gone' | 'wrong-id') {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const dv = new DataView(memory.buffer);
  const sent: Call[] = [];
  const local: string[] = [];
  const localImports: LocalImports = {
    fd_write: () => { local.push('fd_write'); return 0; },
    fd_close: () => { local.push('fd_close'); return 8; },
  };
  const imports = relayedImports(() => memory, (frame) => {
    const c = decodeCall(frame);
    if (c === null) throw new Error('malformed call frame');
    sent.push(c);
    const a = answer(c);
    if (a === 'gone') return null;
    if (a === 'wrong-id') return encodeResult(c.id + 1, 0, []);
    return encodeResult(c.id, a.errno, a.regions ?? []);
  }, localImports);
  return { memory, dv, sent, local, imports, p1: imports.wasi_snapshot_preview1 };
}

const u32 = (v: number): Uint8Array => new Uint8Array(new Uint32Array([v]).buffer);

describe('routing and the books of relay fds', () => {
  test('sock_open goes to the relay and its fd (written at ro_fd_ptr) becomes a relay fd; fd_write/fd_close follow the fd', () => {
    const { dv, sent, local, imports, p1 } = setup((c) => {
      if (c.call === callIndex(P1, 'sock_open', 3)) return { errno: 0, regions: [{ ptr: c.args[2], bytes: u32(3) }] };
      return { errno: 0 };
    });
    expect(p1.sock_open(1, 2, 100)).toBe(0);
    expect(dv.getUint32(100, true)).toBe(3);
    expect([...imports.relayFds]).toEqual([3]);
    expect(sent[0]).toMatchObject({ call: callIndex(P1, 'sock_open', 3), args: [1, 2, 100], memSize: 65536 });

    expect(p1.fd_write(1, 200, 0, 300)).toBe(0); // stdout: the page's
    expect(local).toEqual(['fd_write']);
    expect(sent).toHaveLength(1);
    expect(p1.fd_write(3, 200, 0, 300)).toBe(0); // the socket: the relay's
    expect(sent.at(-1)!.call).toBe(callIndex(P1, 'fd_write', 4));
    expect(p1.fd_close(3)).toBe(0);
    expect(sent.at(-1)!.call).toBe(callIndex(P1, 'fd_close', 1));
    expect(imports.relayFds.size).toBe(0);
    expect(p1.fd_close(3)).toBe(8); // closed: now the page's (BADF there)
    expect(local).toEqual(['fd_write', 'fd_close']);
  });

  test('sock_accept V1 (2 arguments) and V2 (3) travel as their own calls; the new fd is read from the last argument', () => {
    const { imports, sent, p1 } = setup((c) => ({ errno: 0, regions: [{ ptr: c.args[c.args.length - 1], bytes: u32(10 + c.args.length) }] }));
    expect(p1.sock_accept(3, 100)).toBe(0);
    expect(p1.sock_accept(3, 0, 104)).toBe(0);
    expect(sent.map((c) => c.call)).toEqual([callIndex(P1, 'sock_accept', 2), callIndex(P1, 'sock_accept', 3)]);
    expect([...imports.relayFds].sort()).toEqual([12, 13]);
  });

  test('sock_* and the sockbox module always go to the relay, whatever the fd (NOTSOCK/BADF are the relay\'s answer)', () => {
    const { sent, imports, p1 } = setup(() => ({ errno: 57 }));
    expect(p1.sock_recv(1, 0, 0, 0, 0, 0)).toBe(57);
    expect(imports.sockbox.getsockopt(999, 1, 3, 0, 0)).toBe(57);
    expect(sent.map((c) => c.call)).toEqual([callIndex(P1, 'sock_recv', 6), callIndex('sockbox', 'getsockopt', 5)]);
  });

  test('a failed call keeps no fd', () => {
    const { imports, p1 } = setup((c) => ({ errno: 76, regions: [{ ptr: c.args[2], bytes: u32(3) }] }));
    expect(p1.sock_open(1, 2, 100)).toBe(76);
    expect(imports.relayFds.size).toBe(0);
  });
});

describe('the relay path failing never throws at the guest', () => {
  test('no answer (the relay is gone): IO 29', () => {
    expect(setup(() => 'gone').p1.sock_open(1, 2, 100)).toBe(29);
  });

  test('an answer to another call: IO 29', () => {
    expect(setup(() => 'wrong-id').p1.sock_open(1, 2, 100)).toBe(29);
  });

  test('an answer that would write past guest memory: IO 29, and nothing is written', () => {
    const { dv, p1 } = setup(() => ({ errno: 0, regions: [{ ptr: 100, bytes: u32(7) }, { ptr: 65534, bytes: u32(7) }] }));
    expect(p1.sock_open(1, 2, 100)).toBe(29);
    expect(dv.getUint32(100, true)).toBe(0);
  });

  test('a relay function that throws: IO 29', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const { wasi_snapshot_preview1: p1 } = relayedImports(() => memory, () => { throw new Error('boom'); }, {});
    expect(p1.sock_listen(3, 1)).toBe(29);
  });
});

describe('polls', () => {
  /** Writes subscription i at `at`: a clock (relative, ns) or an fd_read on fd. */
  function sub(dv: DataView, at: number, i: number, s: { clockNs: number } | { fd: number }): void {
    const p = at + 48 * i;
    new Uint8Array(dv.buffer, p, 48).fill(0);
    dv.setBigUint64(p, BigInt(1000 + i), true);
    if ('clockNs' in s) {
      dv.setUint8(p + 8, 0);
      dv.setUint32(p + 16, 1, true); // monotonic
      dv.setBigUint64(p + 24, BigInt(s.clockNs), true);
    } else {
      dv.setUint8(p + 8, 1);
      dv.setUint32(p + 16, s.fd, true);
    }
  }

  test('clock only: answered in the page (no relay call), the clock\'s event written', () => {
    const { dv, sent, p1 } = setup(() => ({ errno: 0 }));
    sub(dv, 1024, 0, { clockNs: 2_000_000 });
    expect(p1.poll_oneoff(1024, 2048, 1, 4000)).toBe(0);
    expect(sent).toHaveLength(0);
    expect(dv.getUint32(4000, true)).toBe(1);
    expect(dv.getBigUint64(2048, true)).toBe(1000n);
    expect(dv.getUint16(2048 + 8, true)).toBe(0);
    expect(dv.getUint8(2048 + 10)).toBe(0);
  });

  test('stdio and a clock: stdio is ready at once (as in Node); no subscriptions: INVAL (epoll_oneoff: none, SUCCESS)', () => {
    const { dv, sent, p1 } = setup(() => ({ errno: 0 }));
    sub(dv, 1024, 0, { clockNs: 10e9 });
    sub(dv, 1024, 1, { fd: 1 });
    expect(p1.poll_oneoff(1024, 2048, 2, 4000)).toBe(0);
    expect(dv.getUint32(4000, true)).toBe(1);
    expect(dv.getBigUint64(2048, true)).toBe(1001n);
    expect(p1.poll_oneoff(1024, 2048, 0, 4000)).toBe(28);
    expect(p1.epoll_oneoff(1024, 2048, 0, 4000)).toBe(0);
    expect(sent).toHaveLength(0);
  });

  test('a subscription on a relay fd: the whole poll goes to the relay, the subscriptions with it', () => {
    const { dv, sent, p1 } = setup((c) => c.call === callIndex(P1, 'sock_open', 3)
      ? { errno: 0, regions: [{ ptr: c.args[2], bytes: u32(3) }] }
      : { errno: 0, regions: [{ ptr: c.args[3], bytes: u32(0) }] });
    p1.sock_open(1, 2, 100);
    sub(dv, 1024, 0, { clockNs: 10e9 });
    sub(dv, 1024, 1, { fd: 3 });
    expect(p1.poll_oneoff(1024, 2048, 2, 4000)).toBe(0);
    const poll = sent.at(-1)!;
    expect(poll.call).toBe(callIndex(P1, 'poll_oneoff', 4));
    expect(poll.regions[0]).toMatchObject({ ptr: 1024 });
    expect(poll.regions[0].bytes.length).toBe(96);
  });

  test('subscriptions outside memory: to the relay, which answers FAULT as Node does', () => {
    const { sent, p1 } = setup(() => ({ errno: 21 }));
    expect(p1.poll_oneoff(0xfffffff0, 2048, 1, 4000)).toBe(21);
    expect(sent).toHaveLength(1);
  });
});
