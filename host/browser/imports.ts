// The relayed imports of a guest in the page, built from the wire's CALLS: each takes
// the bytes of guest memory the import reads (regions.ts), sends them with its
// arguments to the relay, blocks until the relay's answer, writes the bytes the import
// wrote back into guest memory and returns the relay's errno. No check happens here
// beyond what regions.ts does: the relay runs Node's own import layer (policy, pointer
// and length checks, the syscall) over a shadow of this memory.
//
// Which calls go to the relay: every sock_* and the sockbox module; fd_* calls (those in
// CALLS) when their fd is one the relay handed out (sock_open, sock_accept); a poll when
// one of its subscriptions names such an fd. Everything else stays in the page (the
// WASI shim, and poll.ts for clock-only polls).

import { CALLS, callIndex, decodeResult, encodeCall, type CallSpec } from '../relay/wire.js';
import { planCall, type Mem } from '../relay/regions.js';
import { localPoll, subscribedFds } from './poll.js';

const ERRNO_BADF = 8;
const ERRNO_FAULT = 21;
const ERRNO_IO = 29;

export type ImportFn = (...args: number[]) => number;
/** The shim's imports (any signature). */
export type LocalImports = Record<string, (...args: never[]) => unknown>;

/** Sends one call frame and blocks until its result frame (null: the relay path is gone). */
export type RelayCall = (frame: Uint8Array) => Uint8Array | null;

export interface RelayedImports {
  wasi_snapshot_preview1: Record<string, ImportFn>;
  sockbox: Record<string, ImportFn>;
  /** The fds the relay handed out and the guest has not closed. */
  relayFds: Set<number>;
  /** Calls made to the relay so far. */
  calls(): number;
}

function view(memory: WebAssembly.Memory): Mem {
  const u8 = new Uint8Array(memory.buffer);
  return { size: u8.length, read: (ptr, len) => u8.subarray(ptr, ptr + len) };
}

/**
 * The imports to give a guest. `memory()` is the guest's memory (known once it is
 * instantiated); `local` the shim's wasi_snapshot_preview1, for fd_* calls on its own fds.
 */
export function relayedImports(memory: () => WebAssembly.Memory, relay: RelayCall, local: LocalImports): RelayedImports {
  const relayFds = new Set<number>();
  let nextId = 0;
  let made = 0;

  /** One call through the relay; any failure of the path is IO, never an exception. */
  function forward(spec: CallSpec, index: number, args: number[]): number {
    try {
      const mem = memory();
      const m = view(mem);
      const id = (nextId = (nextId + 1) >>> 0);
      const frame = encodeCall(id, index, args, m.size, planCall(spec, args, m).inputs());
      made++;
      const reply = relay(frame);
      if (reply === null) return ERRNO_IO;
      const result = decodeResult(reply);
      if (result === null || result.id !== id) return ERRNO_IO;
      const u8 = new Uint8Array(mem.buffer);
      for (const r of result.regions) {
        if (r.ptr + r.bytes.length > u8.length) return ERRNO_IO;
      }
      for (const r of result.regions) u8.set(r.bytes, r.ptr);
      if (result.errno === 0) track(spec, args, mem);
      return result.errno;
    } catch {
      return ERRNO_IO;
    }
  }

  /** Keeps the books of relay fds: a new one from sock_open / sock_accept, one gone at fd_close. */
  function track(spec: CallSpec, args: number[], mem: WebAssembly.Memory): void {
    const name = spec.name.replace(/_v2$/, '');
    if (name === 'sock_open' || name === 'sock_accept') {
      const ptr = args[args.length - 1] >>> 0;
      if (ptr + 4 <= mem.buffer.byteLength) relayFds.add(new DataView(mem.buffer).getUint32(ptr, true));
    } else if (name === 'fd_close') {
      relayFds.delete(args[0] >>> 0);
    }
  }

  const isRelayFd = (fd: number): boolean => relayFds.has(fd >>> 0);

  function route(spec: CallSpec): 'relay' | 'fd' | 'poll' {
    if (spec.module === 'sockbox' || spec.name.startsWith('sock_')) return 'relay';
    if (spec.name.startsWith('fd_')) return 'fd';
    if (spec.name === 'poll_oneoff' || spec.name === 'epoll_oneoff') return 'poll';
    return 'relay';
  }

  const out: RelayedImports = { wasi_snapshot_preview1: {}, sockbox: {}, relayFds, calls: () => made };
  const seen = new Set<string>();
  for (const spec of CALLS) {
    const key = `${spec.module}.${spec.name}`;
    if (seen.has(key)) continue; // one function serves every arity (V1 and V2)
    seen.add(key);
    const { module, name } = spec;
    const kind = route(spec);
    const fn: ImportFn = (...args: number[]): number => {
      const index = callIndex(module, name, args.length);
      const s = CALLS[index];
      if (s === undefined) return ERRNO_IO; // an arity the wire does not carry (the import's type is the guest's)
      if (kind === 'fd' && !isRelayFd(args[0])) {
        const f = local[name] as ((...a: number[]) => unknown) | undefined;
        return f ? Number(f(...args)) : ERRNO_BADF;
      }
      if (kind === 'poll') {
        let fds: number[] | null;
        try {
          fds = subscribedFds(memory().buffer, args[0], args[2]);
        } catch {
          return ERRNO_IO;
        }
        // Out of memory: the relay answers FAULT as Node does; none of ours: answered here.
        if (fds !== null && !fds.some(isRelayFd)) {
          try {
            return localPoll(memory(), args[0], args[1], args[2], args[3], name === 'epoll_oneoff');
          } catch {
            return ERRNO_FAULT;
          }
        }
      }
      return forward(s, index, args);
    };
    out[module][name] = fn;
  }
  return out;
}
