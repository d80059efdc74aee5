// The wait behind the facade's timeouts (settimeout): poll(2) on one fd until it is
// readable or writable, or a deadline passes. CPython's sock_call waits the same way.

import { POLLIN, POLLOUT, type NativeApi } from './native/libc.js';
import { errnoNumber } from './native/errno.js';
import { SocketError } from './errors.js';

/** One struct pollfd { int fd; short events; short revents; }: calls are synchronous, one serves all. */
const PFD = new Int32Array(2);
const PFD_EVENTS = new Int16Array(PFD.buffer, 4, 2);
const EINTR = errnoNumber('EINTR')!;
/** poll(2)'s longest wait (an int of milliseconds); a longer timeout waits in steps. */
const POLL_MAX_MS = 0x7fffffff;

/**
 * Waits until `fd` is readable (`writing`: writable) or `deadline` (performance.now()
 * ms) passes: true when ready, false at the deadline. Throws SocketError if poll fails.
 */
export function waitReady(libc: NativeApi, fd: number, writing: boolean, deadline: number, syscall: string): boolean {
  for (;;) {
    const left = deadline - performance.now();
    if (left <= 0) return false;
    PFD[0] = fd;
    PFD_EVENTS[0] = writing ? POLLOUT : POLLIN;
    PFD_EVENTS[1] = 0;
    // Rounded up, as CPython rounds: never wake before the deadline.
    const rc = libc.poll(PFD, 1, Math.min(Math.ceil(left), POLL_MAX_MS));
    if (rc > 0) return true;
    if (rc < 0) {
      const err = libc.errno();
      if (err !== EINTR) throw new SocketError(err, syscall);
    }
  }
}
