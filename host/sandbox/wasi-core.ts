// WASI preview1's process imports: args, environment, clocks, random bytes, yield,
// exit. Every pointer is checked against guest memory (FAULT when outside); nothing
// here is shared between runs.

import { ERRNO_FAULT, ERRNO_INVAL, ERRNO_NOSYS, ERRNO_SUCCESS } from '../native/errno.js';
import type { GuestMemory } from './memory.js';
import { ProcExit } from './unwind.js';

/**
 * node:crypto's randomFillSync, loaded on a guest's first random_get: loading node:crypto
 * pulls in some twenty modules of Node's (ciphers, keys, x509), about 0.5 MiB and a few
 * ms in every sandbox worker, and most guests never ask for random bytes.
 */
let fill: typeof import('node:crypto').randomFillSync | undefined;
const randomFill = () => (fill ??= process.getBuiltinModule('node:crypto').randomFillSync);

/** $clockid */
export const CLOCKID_REALTIME = 0;
export const CLOCKID_MONOTONIC = 1;
export const CLOCKID_PROCESS_CPUTIME_ID = 2;
export const CLOCKID_THREAD_CPUTIME_ID = 3;

type N = number;

/** The guest's monotonic clock in ns: performance.now() of its thread (poll_oneoff uses the same). */
export function monotonicNs(): bigint {
  return BigInt(Math.round(performance.now() * 1e6));
}

/** args, environ, clocks, random, sched_yield, proc_exit and proc_raise for one run. */
export class WasiCore {
  private readonly args: Uint8Array[];
  private readonly env: Uint8Array[];

  constructor(private readonly mem: GuestMemory, args: readonly string[], env: readonly string[]) {
    this.args = args.map((a) => Buffer.from(a, 'utf8'));
    this.env = env.map((e) => Buffer.from(e, 'utf8'));
  }

  private sizes(list: Uint8Array[], count_ptr: N, size_ptr: N): N {
    count_ptr >>>= 0; size_ptr >>>= 0;
    if (!this.mem.ok(count_ptr, 4) || !this.mem.ok(size_ptr, 4)) return ERRNO_FAULT;
    this.mem.setU32(count_ptr, list.length);
    this.mem.setU32(size_ptr, list.reduce((n, b) => n + b.length + 1, 0));
    return ERRNO_SUCCESS;
  }

  private strings(list: Uint8Array[], ptrs_ptr: N, buf_ptr: N): N {
    ptrs_ptr >>>= 0; buf_ptr >>>= 0;
    const total = list.reduce((n, b) => n + b.length + 1, 0);
    if (!this.mem.ok(ptrs_ptr, 4 * list.length) || !this.mem.ok(buf_ptr, total)) return ERRNO_FAULT;
    let at = buf_ptr;
    list.forEach((b, i) => {
      this.mem.setU32(ptrs_ptr + 4 * i, at);
      this.mem.u8.set(b, at);
      this.mem.u8[at + b.length] = 0;
      at += b.length + 1;
    });
    return ERRNO_SUCCESS;
  }

  args_sizes_get(argc_ptr: N, argv_buf_size_ptr: N): N { return this.sizes(this.args, argc_ptr, argv_buf_size_ptr); }
  args_get(argv_ptr: N, argv_buf_ptr: N): N { return this.strings(this.args, argv_ptr, argv_buf_ptr); }
  environ_sizes_get(count_ptr: N, size_ptr: N): N { return this.sizes(this.env, count_ptr, size_ptr); }
  environ_get(environ_ptr: N, environ_buf_ptr: N): N { return this.strings(this.env, environ_ptr, environ_buf_ptr); }

  clock_res_get(id: N, resolution_ptr: N): N {
    resolution_ptr >>>= 0;
    if (id < 0 || id > CLOCKID_THREAD_CPUTIME_ID) return ERRNO_INVAL;
    if (!this.mem.ok(resolution_ptr, 8)) return ERRNO_FAULT;
    this.mem.dv.setBigUint64(resolution_ptr, id === CLOCKID_REALTIME ? 1_000_000n : 1_000n, true);
    return ERRNO_SUCCESS;
  }

  clock_time_get(id: N, _precision: bigint, time_ptr: N): N {
    time_ptr >>>= 0;
    let ns: bigint;
    switch (id) {
      case CLOCKID_REALTIME: ns = BigInt(Date.now()) * 1_000_000n; break;
      case CLOCKID_MONOTONIC: ns = monotonicNs(); break;
      case CLOCKID_PROCESS_CPUTIME_ID: case CLOCKID_THREAD_CPUTIME_ID: {
        const u = process.cpuUsage();
        ns = BigInt(u.user + u.system) * 1000n;
        break;
      }
      default: return ERRNO_INVAL;
    }
    if (!this.mem.ok(time_ptr, 8)) return ERRNO_FAULT;
    this.mem.dv.setBigUint64(time_ptr, ns, true);
    return ERRNO_SUCCESS;
  }

  random_get(buf_ptr: N, buf_len: N): N {
    buf_ptr >>>= 0; buf_len >>>= 0;
    if (!this.mem.ok(buf_ptr, buf_len)) return ERRNO_FAULT;
    if (buf_len > 0) randomFill()(this.mem.u8, buf_ptr, buf_len);
    return ERRNO_SUCCESS;
  }

  sched_yield(): N {
    return ERRNO_SUCCESS;
  }

  proc_exit(code: N): never {
    throw new ProcExit(code >>> 0);
  }

  proc_raise(): N {
    // Signals are not delivered to guests.
    return ERRNO_NOSYS;
  }
}
