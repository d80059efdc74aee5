// poll_oneoff / epoll_oneoff in the page, when no subscription names a relay fd: clocks
// wait with Atomics.wait on a private SharedArrayBuffer (no busy loop, and kill() —
// terminating the worker — ends the wait), stdio is always ready (as in Node), any other
// fd is BADF. A poll that names a relay fd goes to the relay whole.
//
// Layouts (wasi_snapshot_preview1): subscription 48 bytes: userdata u64 @0, tag u8 @8
// (0 clock, 1 fd_read, 2 fd_write), clock: id u32 @16, timeout u64 @24, precision u64
// @32, flags u16 @40 (1: absolute); fd: fd u32 @16. Event 32 bytes: userdata u64 @0,
// error u16 @8, type u8 @10, nbytes u64 @16, flags u16 @24.

const SUBSCRIPTION = 48;
const EVENT = 32;
const ERRNO_BADF = 8;
const ERRNO_FAULT = 21;
const ERRNO_INVAL = 28;
const CLOCK_REALTIME = 0;
const CLOCK_MONOTONIC = 1;
const ABSTIME = 1;

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** The fds the subscriptions name, or null when the array lies outside memory. */
export function subscribedFds(buf: ArrayBuffer | SharedArrayBuffer, in_ptr: number, n: number): number[] | null {
  in_ptr >>>= 0; n >>>= 0;
  if (in_ptr + n * SUBSCRIPTION > buf.byteLength) return null;
  const dv = new DataView(buf);
  const fds: number[] = [];
  for (let i = 0; i < n; i++) {
    const at = in_ptr + i * SUBSCRIPTION;
    const tag = dv.getUint8(at + 8);
    if (tag === 1 || tag === 2) fds.push(dv.getUint32(at + 16, true));
  }
  return fds;
}

function nowNs(clock: number): number {
  return clock === CLOCK_REALTIME ? Date.now() * 1e6 : performance.now() * 1e6;
}

/** Answers a poll with no relay fd in it. `epoll`: WasmEdge's epoll_oneoff (no subscriptions: SUCCESS, no events). */
export function localPoll(memory: WebAssembly.Memory, in_ptr: number, out_ptr: number, n: number, nevents_ptr: number, epoll: boolean): number {
  in_ptr >>>= 0; out_ptr >>>= 0; n >>>= 0; nevents_ptr >>>= 0;
  const buf = memory.buffer;
  const size = buf.byteLength;
  if (in_ptr + n * SUBSCRIPTION > size || out_ptr + n * EVENT > size || nevents_ptr + 4 > size) return ERRNO_FAULT;
  const dv = new DataView(buf);
  if (n === 0) {
    if (!epoll) return ERRNO_INVAL;
    dv.setUint32(nevents_ptr, 0, true);
    return 0;
  }
  const events: { userdata: bigint; error: number; type: number }[] = [];
  const clocks: { userdata: bigint; deadlineMs: number; clock: number }[] = [];
  for (let i = 0; i < n; i++) {
    const at = in_ptr + i * SUBSCRIPTION;
    const userdata = dv.getBigUint64(at, true);
    const tag = dv.getUint8(at + 8);
    if (tag === 1 || tag === 2) {
      const fd = dv.getUint32(at + 16, true);
      events.push({ userdata, error: fd <= 2 ? 0 : ERRNO_BADF, type: tag });
    } else if (tag === 0) {
      const clock = dv.getUint32(at + 16, true);
      if (clock !== CLOCK_REALTIME && clock !== CLOCK_MONOTONIC) {
        events.push({ userdata, error: ERRNO_INVAL, type: 0 });
        continue;
      }
      const timeout = Number(dv.getBigUint64(at + 24, true));
      const abs = (dv.getUint16(at + 40, true) & ABSTIME) !== 0;
      const deadlineNs = abs ? timeout : nowNs(clock) + timeout;
      clocks.push({ userdata, clock, deadlineMs: deadlineNs / 1e6 - nowNs(clock) / 1e6 + performance.now() });
    } else {
      return ERRNO_INVAL;
    }
  }
  if (events.length === 0 && clocks.length > 0) {
    // Deadlines on the monotonic clock of this thread; wait for the first.
    const first = Math.min(...clocks.map((c) => c.deadlineMs));
    for (let left = first - performance.now(); left > 0; left = first - performance.now()) {
      Atomics.wait(sleeper, 0, 0, Math.min(left, 0x7fffffff));
    }
    const now = performance.now();
    for (const c of clocks) if (c.deadlineMs <= now) events.push({ userdata: c.userdata, error: 0, type: 0 });
  }
  events.forEach((e, i) => {
    const at = out_ptr + i * EVENT;
    new Uint8Array(buf, at, EVENT).fill(0);
    dv.setBigUint64(at, e.userdata, true);
    dv.setUint16(at + 8, e.error, true);
    dv.setUint8(at + 10, e.type);
  });
  dv.setUint32(nevents_ptr, events.length, true);
  return 0;
}
