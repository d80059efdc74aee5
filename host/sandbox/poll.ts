// poll_oneoff and WasmEdge's epoll_oneoff over native poll(2): clock subscriptions
// become its timeout, socket (and piped stdin) subscriptions its fds, with the
// sandbox's cancel fd beside them; other fds (files, stdio bytes) are always ready. No
// busy waiting, and nothing allocated per call (a busy event loop polls all the time).

import { POLLIN, POLLOUT, POLLERR, POLLHUP, POLLNVAL } from '../native/libc.js';
import { constants as osConstants } from 'node:os';
import { HOST_PLATFORM, PLATFORM } from '../core.js';
import type { GuestMemory } from './memory.js';
import type { FdTable } from './fdtable.js';
import type { NativeIO } from './native-io.js';
import { SUB, subTag, u64, writeEvent } from './abi-codecs.js';
import * as abi from './abi.js';

/** Poll descriptors: up to this many subscriptions in one call, plus the cancel fd. */
export const MAX_POLL = 1024;
/** ioctl FIONREAD: Linux <asm-generic/ioctls.h> 0x541B, macOS <sys/filio.h> _IOR('f', 127, int). */
const FIONREAD = HOST_PLATFORM === PLATFORM.LINUX ? 0x541b : 0x4004667f;
const EINTR = (osConstants.errno as Record<string, number>).EINTR;

export class Poller {
  private readonly pollfds = new Uint8Array(8 * (MAX_POLL + 1));
  private readonly pdv = new DataView(this.pollfds.buffer);
  // Per subscription: subSlot = its pollfd slot, or -1; subNow = an errno to report at
  // once, or -1; subDeadline = a clock's deadline in performance.now() ms, or NaN.
  private readonly subSlot = new Int32Array(MAX_POLL);
  private readonly subNow = new Int32Array(MAX_POLL);
  private readonly subDeadline = new Float64Array(MAX_POLL);

  constructor(private readonly mem: GuestMemory, private readonly io: NativeIO, private readonly fds: () => FdTable) {}

  /**
   * poll_oneoff (`wasmedge` false) or epoll_oneoff (true). WasmEdge's differs in two
   * things: no subscriptions is success with no events (preview1: INVAL), and a
   * subscription that fails at once (an fd not open) is reported without ending the
   * wait, which goes on for the others. Otherwise the same: WasmEdge re-arms every
   * subscribed fd on each call (EPOLL_CTL_MOD), so an fd still ready is reported again.
   */
  poll(in_ptr: number, out_ptr: number, nsubscriptions: number, nevents_ptr: number, wasmedge: boolean): number {
    const mem = this.mem;
    const n = nsubscriptions >>> 0;
    if (n === 0) {
      if (!wasmedge) return abi.ERRNO_INVAL;
      if (!mem.ok(nevents_ptr, 4)) return abi.ERRNO_FAULT;
      mem.setU32(nevents_ptr, 0);
      return abi.ERRNO_SUCCESS;
    }
    if (n > MAX_POLL) return abi.ERRNO_INVAL;
    if (!mem.ok(in_ptr, n * abi.SUBSCRIPTION_SIZE) || !mem.ok(out_ptr, n * abi.EVENT_SIZE) || !mem.ok(nevents_ptr, 4)) return abi.ERRNO_FAULT;
    in_ptr >>>= 0; out_ptr >>>= 0;

    const { subSlot, subNow, subDeadline, pdv } = this;
    const fds = this.fds();
    const start = performance.now();
    let timeoutMs = -1; // poll(2) timeout: -1 = none
    let immediate = false;
    let nfds = 0;
    for (let i = 0; i < n; i++) {
      const s = in_ptr + i * abi.SUBSCRIPTION_SIZE;
      const tag = subTag(mem, in_ptr, i);
      subSlot[i] = -1;
      subNow[i] = -1;
      subDeadline[i] = NaN;
      if (tag === abi.EVENTTYPE_CLOCK) {
        const id = mem.u32(s + SUB.clockId);
        const ns = u64(mem, s + SUB.timeout);
        const abs = (mem.u16(s + SUB.clockFlags) & abi.SUBCLOCKFLAGS_ABSTIME) !== 0;
        let waitMs: number;
        // The guest's clocks: monotonic is performance.now(), realtime Date.now().
        if (id === abi.CLOCKID_MONOTONIC) waitMs = abs ? ns / 1e6 - start : ns / 1e6;
        else if (id === abi.CLOCKID_REALTIME) waitMs = abs ? ns / 1e6 - Date.now() : ns / 1e6;
        else return abi.ERRNO_INVAL;
        if (waitMs < 0) waitMs = 0;
        subDeadline[i] = start + waitMs;
        const ms = Math.min(Math.ceil(waitMs), 0x7fffffff);
        if (timeoutMs < 0 || ms < timeoutMs) timeoutMs = ms;
      } else if (tag === abi.EVENTTYPE_FD_READ || tag === abi.EVENTTYPE_FD_WRITE) {
        const f = fds.get(mem.u32(s + SUB.fd));
        if (f === undefined) { subNow[i] = abi.ERRNO_BADF; immediate ||= !wasmedge; continue; }
        // Sockets and a piped stdin wait in poll(2); files and bytes are always ready.
        const pfd = f.pollFd();
        if (pfd < 0) { subNow[i] = abi.ERRNO_SUCCESS; immediate = true; continue; }
        pdv.setInt32(nfds * 8, pfd, true);
        pdv.setInt16(nfds * 8 + 4, tag === abi.EVENTTYPE_FD_READ ? POLLIN : POLLOUT, true);
        pdv.setInt16(nfds * 8 + 6, 0, true);
        subSlot[i] = nfds++;
      } else {
        return abi.ERRNO_INVAL;
      }
    }
    // Anything ready at once (files, stdio, bad fds) makes this a non-blocking look.
    if (immediate) timeoutMs = 0;
    for (;;) {
      const rc = this.io.pollWithCancel(this.pollfds, pdv, nfds, timeoutMs);
      if (rc < 0 && this.io.native.errno() !== EINTR) return this.io.errno();
      // The run's deadline cut this wait short: unwind (pollTimeout throws past it).
      if (rc === 0 && this.io.deadline !== Infinity) this.io.pollTimeout(0);
      if (rc > 0 || timeoutMs === 0) break;
      // A timeout (or EINTR): done once a clock is due, else wait out the rest.
      const now = performance.now();
      let next = Infinity;
      for (let i = 0; i < n; i++) if (subDeadline[i] === subDeadline[i]) next = Math.min(next, subDeadline[i]);
      if (next === Infinity) { if (rc < 0) continue; break; }
      if (now >= next) break;
      timeoutMs = Math.max(1, Math.ceil(next - now));
    }
    mem.refresh();
    const now = performance.now();
    let events = 0;
    for (let i = 0; i < n; i++) {
      let error = abi.ERRNO_SUCCESS;
      let flags = 0;
      const type = subTag(mem, in_ptr, i);
      if (subDeadline[i] === subDeadline[i]) {
        if (now < subDeadline[i]) continue;
      } else if (subNow[i] >= 0) {
        error = subNow[i];
      } else {
        const re = pdv.getInt16(subSlot[i] * 8 + 6, true);
        if (re === 0) continue;
        if (re & POLLNVAL) error = abi.ERRNO_BADF;
        else {
          const ready = type === abi.EVENTTYPE_FD_READ ? (re & (POLLIN | POLLHUP | POLLERR)) !== 0 : (re & (POLLOUT | POLLHUP | POLLERR)) !== 0;
          if (!ready) continue;
          if (re & POLLHUP) flags = abi.EVENTRWFLAGS_HANGUP;
        }
      }
      // nbytes: what is queued (FIONREAD), for a poll of one socket only: wasi-libc's
      // ioctl(FIONREAD) polls one fd so; a poll over many would pay an ioctl per ready socket.
      let nbytes = 0;
      if (type === abi.EVENTTYPE_FD_READ && error === abi.ERRNO_SUCCESS && nfds === 1 && subSlot[i] >= 0) {
        const queued = this.io.native.ioctlInt(pdv.getInt32(subSlot[i] * 8, true), FIONREAD);
        if (queued > 0) nbytes = queued;
      }
      writeEvent(mem, out_ptr + events * abi.EVENT_SIZE, in_ptr + i * abi.SUBSCRIPTION_SIZE, error, type, nbytes, flags);
      events++;
    }
    mem.setU32(nevents_ptr, events);
    return abi.ERRNO_SUCCESS;
  }
}
