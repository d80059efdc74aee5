// The guest-boundary fuzzer: calls the very import functions a guest gets
// (buildImports) with adversarial arguments, and checks after every call that
//   1. the import returned a WASI errno (an integer 0..76; 77..87, WasmEdge's lookup
//      errnos, from the two lookups) and no exception escaped;
//   2. nothing outside the call's declared output buffers changed (a full-memory
//      snapshot is compared, so every byte is a canary);
//   3. no native fd outside the sandbox's own (its sockets and cancel pipe) was touched;
// and, at the end, that every socket is closed and the host still serves.
//
// Loopback only: the policy grants 127.0.0.1 and ::1; name lookup is never granted.
// Blocking: sockets get SO_RCVTIMEO/SO_SNDTIMEO of 1 ms, and a poll(2) that would wait
// is answered at once as a timeout (0 ready), so no call can hang the fuzzer; a call
// that keeps polling without end is a violation. Every exception an import's wrapper
// had to turn into an errno (a host fault: a missing check) fails the run.

import fc from 'fast-check';
import { native, type NativeApi, type Buf, type AddrinfoHints, type AddrinfoResult } from '../../host/native/libc.js';
import { SocketHost } from '../../host/sandbox/sockets.js';
import { Policy, type PolicyOptions } from '../../host/sandbox/policy.js';
import { buildImports, type ImportFn } from '../../host/sandbox/runtime.js';
import { SocketFd } from '../../host/sandbox/socketfd.js';
import { FdTable } from '../../host/sandbox/fdtable.js';
import { BytesStdin, OutputBudget, OutputFd, StdinFd } from '../../host/sandbox/stdio.js';
import { WasiCore } from '../../host/sandbox/wasi-core.js';
import { WasiFiles } from '../../host/sandbox/wasi-fs.js';
import { fsNative } from '../../host/native/fs.js';

const PAGE = 65536;

/** Polls in a row that would have waited, before a call counts as spinning. */
const SPIN_LIMIT = 100_000;

/** Delegates to libc, but only for fds the sandbox owns, and never waits. */
class GuardNative implements NativeApi {
  readonly owned = new Set<number>();
  /** Polls that would have waited (answered at once as timeouts). */
  wouldWait = 0;
  private waitsInARow = 0;
  readonly violations: string[] = [];
  private readonly libc = native();
  constructor(private readonly cancelFd: number) {}
  private fd(fd: number, call: string): void {
    if (!this.owned.has(fd) && fd !== this.cancelFd) this.violations.push(`${call} on fd ${fd}, not the sandbox's`);
  }
  private loopback(addr: Buf, call: string): void {
    if (!addr) return;
    const b = new Uint8Array(addr.buffer, addr.byteOffset, addr.byteLength);
    const fam = b[0] | (b[1] << 8);
    const ok = fam === 2 ? b[4] === 127 : fam === 10 ? b.subarray(8, 23).every((x) => x === 0) && b[23] === 1 || (b.subarray(8, 18).every((x) => x === 0) && b[18] === 0xff && b[19] === 0xff && b[20] === 127) : false;
    if (!ok) this.violations.push(`${call} to a non-loopback address ${Array.from(b.subarray(0, 24)).join(',')}`);
  }
  socket(d: number, t: number, p: number): number {
    const fd = this.libc.socket(d, t, p);
    if (fd >= 0) {
      this.owned.add(fd);
      // Blocking waits end after 1 ms: { tv_sec 0, tv_usec 1000 }.
      const tv = new Uint8Array(16);
      new DataView(tv.buffer).setBigInt64(8, 1000n, true);
      this.libc.setsockopt(fd, 1, 20, tv, 16);
      this.libc.setsockopt(fd, 1, 21, tv, 16);
    }
    return fd;
  }
  bind(fd: number, a: Buf, l: number) { this.fd(fd, 'bind'); this.loopback(a, 'bind'); return this.libc.bind(fd, a, l); }
  listen(fd: number, b: number) { this.fd(fd, 'listen'); return this.libc.listen(fd, b); }
  accept4(fd: number, a: Buf, l: Buf, f: number) {
    this.fd(fd, 'accept4');
    const s = this.libc.accept4(fd, a, l, f);
    if (s >= 0) this.owned.add(s);
    return s;
  }
  connect(fd: number, a: Buf, l: number) { this.fd(fd, 'connect'); this.loopback(a, 'connect'); return this.libc.connect(fd, a, l); }
  send(fd: number, b: Buf, l: number, f: number) { this.fd(fd, 'send'); return this.libc.send(fd, b, l, f); }
  recv(fd: number, b: Buf, l: number, f: number) { this.fd(fd, 'recv'); return this.libc.recv(fd, b, l, f); }
  sendto(fd: number, b: Buf, l: number, f: number, a: Buf, al: number) { this.fd(fd, 'sendto'); return this.libc.sendto(fd, b, l, f, a, al); }
  recvfrom(fd: number, b: Buf, l: number, f: number, a: Buf, al: Buf) { this.fd(fd, 'recvfrom'); return this.libc.recvfrom(fd, b, l, f, a, al); }
  shutdown(fd: number, h: number) { this.fd(fd, 'shutdown'); return this.libc.shutdown(fd, h); }
  getsockname(fd: number, a: Buf, l: Buf) { this.fd(fd, 'getsockname'); return this.libc.getsockname(fd, a, l); }
  getpeername(fd: number, a: Buf, l: Buf) { this.fd(fd, 'getpeername'); return this.libc.getpeername(fd, a, l); }
  getsockopt(fd: number, lv: number, o: number, v: Buf, l: Buf) { this.fd(fd, 'getsockopt'); return this.libc.getsockopt(fd, lv, o, v, l); }
  setsockopt(fd: number, lv: number, o: number, v: Buf, l: number) { this.fd(fd, 'setsockopt'); return this.libc.setsockopt(fd, lv, o, v, l); }
  fcntl(fd: number, c: number, a: number) { this.fd(fd, 'fcntl'); return this.libc.fcntl(fd, c, a); }
  poll(fds: Buf, n: number, timeout: number): number {
    const b = new DataView(fds!.buffer, fds!.byteOffset, fds!.byteLength);
    for (let i = 0; i < n; i++) this.fd(b.getInt32(8 * i, true), 'poll');
    const rc = this.libc.poll(fds, n, 0);
    if (rc === 0 && timeout !== 0) {
      this.wouldWait++;
      if (++this.waitsInARow === SPIN_LIMIT) this.violations.push(`${SPIN_LIMIT} polls in a row that would have waited: a call spins`);
    } else this.waitsInARow = 0;
    return rc;
  }
  pipe(fds: Buf) { return this.libc.pipe(fds); }
  write(fd: number, b: Buf, l: number) { this.fd(fd, 'write'); return this.libc.write(fd, b, l); }
  close(fd: number) {
    this.fd(fd, 'close');
    this.owned.delete(fd);
    return this.libc.close(fd);
  }
  errno() { return this.libc.errno(); }
  ioctlInt(fd: number, r: number) { this.fd(fd, 'ioctl'); return this.libc.ioctlInt(fd, r); }
  addressOf(b: ArrayBufferView) { return this.libc.addressOf(b); }
  getsockoptAt(fd: number, lv: number, o: number, v: number, l: number) { this.fd(fd, 'getsockopt'); return this.libc.getsockoptAt(fd, lv, o, v, l); }
  setsockoptAt(fd: number, lv: number, o: number, v: number, l: number) { this.fd(fd, 'setsockopt'); return this.libc.setsockoptAt(fd, lv, o, v, l); }
  getsockoptInt(fd: number, lv: number, o: number) { this.fd(fd, 'getsockopt'); return this.libc.getsockoptInt(fd, lv, o); }
  setsockoptInt(fd: number, lv: number, o: number, v: number) { this.fd(fd, 'setsockopt'); return this.libc.setsockoptInt(fd, lv, o, v); }
  get crossing() { return this.libc.crossing; }
  recvmsgAt(fd: number, m: number, f: number) { this.fd(fd, 'recvmsg'); return this.libc.recvmsgAt(fd, m, f); }
  sendmsgAt(fd: number, m: number, f: number) { this.fd(fd, 'sendmsg'); return this.libc.sendmsgAt(fd, m, f); }
  getaddrinfo(node: string | null, service: string | null, hints: AddrinfoHints): { rc: number; results: AddrinfoResult[] } {
    // Numeric (AI_NUMERICHOST) and node-less lookups never ask a resolver: the real libc answers them.
    if (node === null || (hints.flags & 4) !== 0) return this.libc.getaddrinfo(node, service, hints);
    this.violations.push(`getaddrinfo('${node}') reached the resolver (name lookup is never granted here)`);
    return { rc: -2, results: [] };
  }
}

// Fixed places in guest memory where valid structures live, so that random calls
// reach past the argument checks (offsets in the first page).
export const AT = {
  V1_V4: 0x100, // __wasi_address_t { buf 0x110, len 4 } -> 127.0.0.1
  V2_V6: 0x120, // __wasi_address_t { buf 0x130, len 128 } -> family 2, ::1
  IOV: 0x200, // 2 iovecs -> 0x1000 (64 bytes), 0x1100 (64 bytes)
  IOV_SELF: 0x220, // 1 iovec pointing at itself (16 bytes)
  SUBS: 0x300, // 3 subscriptions: fd_read on fd 3, fd_write on fd 4, a 1 ms clock
  OUT: 0x800, // room for events, lengths, fds
  BUF: 0x1000,
} as const;

/** Argument kinds: each draws values that reach past the checks and values at the edges. */
type Kind = 'fd' | 'ptr' | 'len' | 'af' | 'type' | 'port' | 'level' | 'name' | 'flags' | 'n';

/** Import names the fuzzer calls, with their argument kinds (V1/V2 forms both). */
export const CALLS: readonly [string, string, Kind[]][] = [
  ['wasi_snapshot_preview1', 'sock_open', ['af', 'type', 'ptr']],
  ['wasi_snapshot_preview1', 'sock_bind', ['fd', 'ptr', 'port']],
  ['wasi_snapshot_preview1', 'sock_connect', ['fd', 'ptr', 'port']],
  ['wasi_snapshot_preview1', 'sock_listen', ['fd', 'n']],
  ['wasi_snapshot_preview1', 'sock_accept', ['fd', 'ptr']],
  ['wasi_snapshot_preview1', 'sock_accept', ['fd', 'flags', 'ptr']],
  ['wasi_snapshot_preview1', 'sock_recv', ['fd', 'ptr', 'n', 'flags', 'ptr', 'ptr']],
  ['wasi_snapshot_preview1', 'sock_recv_from', ['fd', 'ptr', 'n', 'ptr', 'flags', 'ptr', 'ptr']],
  ['wasi_snapshot_preview1', 'sock_recv_from', ['fd', 'ptr', 'n', 'ptr', 'flags', 'ptr', 'ptr', 'ptr']],
  ['wasi_snapshot_preview1', 'sock_send', ['fd', 'ptr', 'n', 'flags', 'ptr']],
  ['wasi_snapshot_preview1', 'sock_send_to', ['fd', 'ptr', 'n', 'ptr', 'port', 'flags', 'ptr']],
  ['wasi_snapshot_preview1', 'sock_shutdown', ['fd', 'n']],
  ['wasi_snapshot_preview1', 'sock_getsockopt', ['fd', 'level', 'name', 'ptr', 'ptr']],
  ['wasi_snapshot_preview1', 'sock_setsockopt', ['fd', 'level', 'name', 'ptr', 'len']],
  ['wasi_snapshot_preview1', 'sock_getlocaladdr', ['fd', 'ptr', 'ptr']],
  ['wasi_snapshot_preview1', 'sock_getlocaladdr', ['fd', 'ptr', 'ptr', 'ptr']],
  ['wasi_snapshot_preview1', 'sock_getpeeraddr', ['fd', 'ptr', 'ptr']],
  ['wasi_snapshot_preview1', 'sock_getpeeraddr', ['fd', 'ptr', 'ptr', 'ptr']],
  ['wasi_snapshot_preview1', 'sock_getaddrinfo', ['ptr', 'len', 'ptr', 'len', 'ptr', 'ptr', 'n', 'ptr']],
  ['wasi_snapshot_preview1', 'sock_lookup_ip', ['ptr', 'len', 'af', 'ptr', 'len', 'ptr']],
  ['wasi_snapshot_preview1', 'sock_bind_device', ['fd', 'ptr', 'len']],
  ['wasi_snapshot_preview1', 'poll_oneoff', ['ptr', 'ptr', 'n', 'ptr']],
  ['wasi_snapshot_preview1', 'epoll_oneoff', ['ptr', 'ptr', 'n', 'ptr']],
  ['wasi_snapshot_preview1', 'sock_open_v2', ['af', 'type', 'ptr']],
  ['wasi_snapshot_preview1', 'sock_bind_v2', ['fd', 'ptr', 'port']],
  ['wasi_snapshot_preview1', 'sock_connect_v2', ['fd', 'ptr', 'port']],
  ['wasi_snapshot_preview1', 'sock_listen_v2', ['fd', 'n']],
  ['wasi_snapshot_preview1', 'sock_accept_v2', ['fd', 'flags', 'ptr']],
  ['wasi_snapshot_preview1', 'sock_recv_v2', ['fd', 'ptr', 'n', 'flags', 'ptr', 'ptr']],
  ['wasi_snapshot_preview1', 'sock_recv_from_v2', ['fd', 'ptr', 'n', 'ptr', 'flags', 'ptr', 'ptr', 'ptr']],
  ['wasi_snapshot_preview1', 'sock_send_v2', ['fd', 'ptr', 'n', 'flags', 'ptr']],
  ['wasi_snapshot_preview1', 'sock_send_to_v2', ['fd', 'ptr', 'n', 'ptr', 'port', 'flags', 'ptr']],
  ['wasi_snapshot_preview1', 'sock_getlocaladdr_v2', ['fd', 'ptr', 'ptr']],
  ['wasi_snapshot_preview1', 'sock_getpeeraddr_v2', ['fd', 'ptr', 'ptr']],
  ['wasi_snapshot_preview1', 'fd_read', ['fd', 'ptr', 'n', 'ptr']],
  ['wasi_snapshot_preview1', 'fd_write', ['fd', 'ptr', 'n', 'ptr']],
  ['wasi_snapshot_preview1', 'fd_close', ['fd']],
  ['wasi_snapshot_preview1', 'fd_fdstat_get', ['fd', 'ptr']],
  ['wasi_snapshot_preview1', 'fd_fdstat_set_flags', ['fd', 'flags']],
  ['sockbox', 'getsockopt', ['fd', 'level', 'name', 'ptr', 'ptr']],
  ['sockbox', 'setsockopt', ['fd', 'level', 'name', 'ptr', 'len']],
];

export interface Call { module: string; name: string; args: number[] }

const EDGES = [0, 1, 2, 3, 4, 8, 16, 0x7fffffff, 0x80000000, 0xffffffff];

function arg(kind: Kind, size: number): fc.Arbitrary<number> {
  switch (kind) {
    case 'fd': return fc.oneof({ arbitrary: fc.integer({ min: 3, max: 12 }), weight: 8 }, { arbitrary: fc.constantFrom(0, 1, 2, 999, 0x7fffffff, 0xffffffff), weight: 1 });
    case 'ptr': return fc.oneof(
      { arbitrary: fc.constantFrom(AT.V1_V4, AT.V2_V6, AT.IOV, AT.IOV_SELF, AT.SUBS, AT.OUT, AT.OUT + 8, AT.BUF), weight: 6 },
      // Pointers a struct straddles: its first bytes inside memory, the rest past the end
      // (a subscription is 48 bytes, an event 32, an addrinfo 32, an address 8).
      { arbitrary: fc.constantFrom(size - 1, size, size - 4, size + 4, size - 2, size - 9, size - 16, size - 24, size - 40, 0xfffffff0, 0xffffffff, 0), weight: 3 },
      { arbitrary: fc.integer({ min: 0, max: size + 64 }), weight: 1 });
    case 'len': return fc.oneof({ arbitrary: fc.integer({ min: 0, max: 64 }), weight: 6 }, { arbitrary: fc.constantFrom(...EDGES, 2 ** 31, 2 ** 32 - 1), weight: 1 });
    case 'n': return fc.oneof({ arbitrary: fc.integer({ min: 0, max: 3 }), weight: 6 }, { arbitrary: fc.constantFrom(...EDGES, 1024, 1025), weight: 1 });
    case 'af': return fc.oneof({ arbitrary: fc.constantFrom(1, 2), weight: 6 }, { arbitrary: fc.integer({ min: -1, max: 300 }), weight: 1 });
    case 'type': return fc.oneof({ arbitrary: fc.constantFrom(1, 2), weight: 6 }, { arbitrary: fc.integer({ min: -1, max: 300 }), weight: 1 });
    case 'port': return fc.oneof({ arbitrary: fc.constantFrom(0, 1, 65535, 65536, 0xffffffff), weight: 2 }, { arbitrary: fc.integer({ min: 0, max: 65535 }), weight: 1 });
    case 'level': return fc.oneof({ arbitrary: fc.constantFrom(0, 1, 6, 17, 41), weight: 4 }, { arbitrary: fc.integer({ min: -1, max: 300 }), weight: 1 });
    case 'name': return fc.integer({ min: -1, max: 300 });
    case 'flags': return fc.oneof({ arbitrary: fc.constantFrom(0, 1, 2, 3, 4), weight: 4 }, { arbitrary: fc.constantFrom(...EDGES), weight: 1 });
  }
}

/** One call: an import and arguments drawn to hit its edges. */
export function callArb(size: number): fc.Arbitrary<Call> {
  return fc.constantFrom(...CALLS).chain(([module, name, kinds]) =>
    fc.tuple(...kinds.map((k) => arg(k, size))).map((args) => ({ module, name, args: args as number[] })));
}

export class Harness {
  readonly memory: WebAssembly.Memory;
  readonly guard: GuardNative;
  readonly host: SocketHost;
  readonly table: FdTable;
  readonly imports: ReturnType<typeof buildImports>;
  private readonly pipe = new Int32Array(2);
  calls = 0;
  /** import/arity -> errno -> count: which paths the fuzz reached. */
  readonly outcomes: Record<string, Record<number, number>> = {};

  /** `pages`: guest memory size in 64 KiB pages (1 for fuzzing; > 32768 to test pointers above 2 GiB). */
  constructor(pages = 1, policy: PolicyOptions = { net: { bind: ['127.0.0.1:0', '[::1]:0'], connect: ['127.0.0.1:*', '[::1]:*'] }, maxSockets: 16 }) {
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    const libc = native();
    if (libc.pipe(this.pipe) < 0) throw new Error('pipe failed');
    this.guard = new GuardNative(this.pipe[0]);
    // fd 0-2 stdio (output dropped), fd 3 a resource that is not a socket.
    this.table = new FdTable();
    const sink = { write: () => {} };
    const budget = new OutputBudget(Number.MAX_SAFE_INTEGER);
    this.table.push(new StdinFd(new BytesStdin(new Uint8Array(0))));
    this.table.push(new OutputFd(1, sink, budget));
    this.table.push(new OutputFd(2, sink, budget));
    this.table.push(new StdinFd(new BytesStdin(new Uint8Array(16))));
    this.host = new SocketHost({
      native: this.guard,
      policy: new Policy(policy),
      cancelFd: this.pipe[0],
    });
    this.host.attachFds(this.table);
    this.host.mem.attach(this.memory);
    this.imports = buildImports(this.host, new WasiCore(this.host.mem, [], []), new WasiFiles(this.host.mem, this.table, this.host, this.guard, fsNative()));
    this.layout();
  }

  /** Writes the valid structures the calls aim at. */
  layout(): void {
    const dv = new DataView(this.memory.buffer);
    const u8 = new Uint8Array(this.memory.buffer);
    dv.setUint32(AT.V1_V4, 0x110, true); dv.setUint32(AT.V1_V4 + 4, 4, true);
    u8.set([127, 0, 0, 1], 0x110);
    dv.setUint32(AT.V2_V6, 0x130, true); dv.setUint32(AT.V2_V6 + 4, 128, true);
    u8.fill(0, 0x130, 0x130 + 128); dv.setUint16(0x130, 2, true); u8[0x130 + 2 + 15] = 1;
    dv.setUint32(AT.IOV, AT.BUF, true); dv.setUint32(AT.IOV + 4, 64, true);
    dv.setUint32(AT.IOV + 8, AT.BUF + 0x100, true); dv.setUint32(AT.IOV + 12, 64, true);
    dv.setUint32(AT.IOV_SELF, AT.IOV_SELF, true); dv.setUint32(AT.IOV_SELF + 4, 16, true);
    const sub = (i: number, tag: number, fd: number, timeout: bigint) => {
      const s = AT.SUBS + 48 * i;
      u8.fill(0, s, s + 48);
      dv.setBigUint64(s, BigInt(i), true);
      u8[s + 8] = tag;
      if (tag === 0) { dv.setUint32(s + 16, 1, true); dv.setBigUint64(s + 24, timeout, true); } else dv.setUint32(s + 16, fd, true);
    };
    sub(0, 1, 3, 0n); sub(1, 2, 4, 0n); sub(2, 0, 0, 1_000_000n);
    dv.setUint32(AT.OUT, 4, true); // a length for getsockopt at OUT
  }

  /** The byte ranges a call may write, read from memory before the call. */
  outputs(c: Call): [number, number][] {
    const size = this.memory.buffer.byteLength;
    const dv = new DataView(this.memory.buffer);
    const a = c.args.map((x) => x >>> 0);
    const r: [number, number][] = [];
    const add = (p: number, len: number) => { if (p < size) r.push([p, Math.min(size, p + len)]); };
    const u32at = (p: number) => (p + 4 <= size ? dv.getUint32(p, true) : 0);
    const iovs = (p: number, n: number) => {
      for (let i = 0; i < Math.min(n, 1024) && p + 8 * i + 8 <= size; i++) add(u32at(p + 8 * i), u32at(p + 8 * i + 4));
    };
    const addr = (p: number) => { add(u32at(p), Math.max(u32at(p + 4) >= 128 ? 128 : 16, 0)); };
    switch (c.name.replace(/_v2$/, '')) {
      case 'sock_open': add(a[2], 4); break;
      case 'sock_accept': add(a[a.length - 1], 4); break;
      case 'sock_recv': iovs(a[1], a[2]); add(a[4], 4); add(a[5], 2); break;
      case 'sock_recv_from':
        iovs(a[1], a[2]); addr(a[3]);
        if (a.length === 8) { add(a[5], 4); add(a[6], 4); add(a[7], 2); } else { add(a[5], 4); add(a[6], 2); }
        break;
      case 'sock_send': add(a[4], 4); break;
      case 'sock_send_to': add(a[6], 4); break;
      case 'sock_getsockopt': case 'getsockopt': add(a[3], u32at(a[4])); add(a[4], 4); break;
      case 'sock_getlocaladdr': case 'sock_getpeeraddr':
        addr(a[1]);
        if (a.length === 4) { add(a[2], 4); add(a[3], 4); } else add(a[2], 4);
        break;
      case 'sock_getaddrinfo': {
        add(a[7], 4);
        // The guest's preallocated chain (read before the call, as the import reads it
        // before writing): each entry, its sockaddr, the sockaddr's data, the canonname.
        let e = u32at(a[5]);
        for (let i = 0; i < Math.min(a[6], 64) && e !== 0 && e + 28 <= size; i++) {
          add(e, 28);
          const sa = u32at(e + 12);
          if (sa !== 0 && sa + 12 <= size) { add(sa, 2); add(u32at(sa + 8), u32at(sa + 4)); }
          add(u32at(e + 16), u32at(e + 20));
          e = u32at(e + 24);
        }
        break;
      }
      case 'sock_lookup_ip': add(a[3], a[4]); add(a[5], 4); break;
      case 'poll_oneoff': case 'epoll_oneoff': add(a[1], 32 * Math.min(a[2], 1024)); add(a[3], 4); break;
      case 'fd_read': iovs(a[1], a[2]); add(a[3], 4); break;
      case 'fd_write': add(a[3], 4); break;
      case 'fd_fdstat_get': add(a[1], 24); break;
    }
    return r;
  }

  /** Makes one call and checks the invariants; returns a description of a violation, or null. */
  call(c: Call): string | null {
    const before = new Uint8Array(this.memory.buffer).slice();
    const allowed = this.outputs(c);
    const fn = (this.imports as unknown as Record<string, Record<string, ImportFn>>)[c.module][c.name];
    if (process.env.SOCKBOX_FUZZ_TRACE === '2') process.stderr.write(`${c.name}(${c.args.join(',')})\n`);
    let rc: unknown;
    try {
      rc = fn(...c.args);
    } catch (e) {
      return `${c.name}(${c.args}) threw ${(e as Error)?.name}: ${(e as Error)?.message}`;
    }
    this.calls++;
    if (process.env.SOCKBOX_FUZZ_TRACE && this.calls % 5000 === 0) process.stderr.write(`fuzz: ${this.calls} calls\n`);
    const maxErrno = c.name === 'sock_getaddrinfo' || c.name === 'sock_lookup_ip' ? 87 : 76;
    if (typeof rc !== 'number' || !Number.isInteger(rc) || rc < 0 || rc > maxErrno) return `${c.name}(${c.args}) returned ${String(rc)}`;
    if (this.imports.faults() !== 0) return `${c.name}(${c.args}): a host fault (an exception the import wrapper turned into errno ${rc}): a check is missing`;
    // Compare every gap between the allowed ranges (memcmp, not a byte loop).
    const after = Buffer.from(this.memory.buffer);
    const prev = Buffer.from(before.buffer);
    const ranges = allowed.filter(([s, e]) => e > s).sort((x, y) => x[0] - y[0]);
    let at = 0;
    for (const [s, e] of [...ranges, [after.length, after.length] as [number, number]]) {
      if (s > at && after.compare(prev, at, s, at, s) !== 0) {
        let i = at;
        while (after[i] === prev[i]) i++;
        return `${c.name}(${c.args}) wrote byte ${i} outside its output buffers`;
      }
      at = Math.max(at, e);
    }
    const key = `${c.name}/${c.args.length}`;
    const hist = (this.outcomes[key] ??= {});
    hist[rc] = (hist[rc] ?? 0) + 1;
    if (this.guard.violations.length) return `${c.name}(${c.args}): ${this.guard.violations.join('; ')}`;
    // Sockets stay guest-visible as the fuzzer left them; a SocketFd never points at a closed fd.
    for (const f of this.table.all()) if (f instanceof SocketFd && f.nativeFd >= 0 && !this.guard.owned.has(f.nativeFd)) return `fd table holds a dead socket`;
    this.layout();
    return null;
  }

  /** Closes everything; returns fds still owned (must be none). */
  close(): number {
    this.host.closeAll();
    const left = this.guard.owned.size;
    native().close(this.pipe[0]);
    native().close(this.pipe[1]);
    return left;
  }
}

export { PAGE };
