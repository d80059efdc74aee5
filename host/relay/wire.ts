// The relay's wire: what a page (host/browser/) and the relay (relay.ts) say to each
// other over one WebSocket. Browser-safe: no Node imports, so the browser bundle takes
// this file as it is, and both ends read the same definitions.
//
//   page                                   relay
//   ── text  {"type":"hello","version":1,"token":"…"} ──►
//   ◄── text {"type":"ready","version":1,"maxIo":…}     (or a close: code + reason)
//   ── binary call ──►                     runs the import over its shadow memory
//   ◄── binary result ──                   (one call at a time)
//   closing the WebSocket ends the session: the relay kills it and closes its sockets.
//
// A call (little-endian):
//   ┌────────┬───────────┬──────────┬───────────┬─────────────┬──────────────┐
//   │ id u32 │ call u16  │ nargs u8 │ 0 u8      │ memSize u32 │ args u32 × n │
//   ├────────┴───────────┴──────────┴───────────┴─────────────┴──────────────┤
//   │ nregions u32 │ per region: ptr u32, len u32, len bytes                   │
//   └──────────────────────────────────────────────────────────────────────────┘
// A result:
//   ┌────────┬───────────┬──────────────┬──────────────────────────────────────┐
//   │ id u32 │ errno u32 │ nregions u32 │ per region: ptr u32, len u32, bytes  │
//   └────────┴───────────┴──────────────┴──────────────────────────────────────┘
// `call` indexes CALLS; `memSize` is the guest's memory size in bytes now; a region is
// guest memory at `ptr`: on a call, bytes the import reads; on a result, bytes it wrote.

export const WIRE_VERSION = 1;

/** Most bytes one receive or send moves through the relay (iovecs are clipped to it). */
export const MAX_IO = 1024 * 1024;
/** Most bytes of one frame, either way: MAX_IO plus room for the structs around it. */
export const MAX_FRAME = MAX_IO + 256 * 1024;

/** WebSocket close codes the relay uses, and what each means. */
export const CLOSE = {
  /** The relay is shutting down. */
  GOING_AWAY: 1001,
  /** A frame that is not this protocol (or not in its turn). */
  PROTOCOL: 4400,
  /** The token (or the authenticate callback) refused the page. */
  AUTH: 4401,
  /** The page's Origin is not in the relay's list. */
  ORIGIN: 4403,
  /** The session's time ran out (limits.sessionMs). */
  TIME: 4408,
  /** The session moved more bytes than limits.bytes. */
  BYTES: 4413,
  /** The relay holds limits.sessions sessions already. */
  BUSY: 4429,
  /** The page stayed silent past limits.idleMs. */
  IDLE: 4410,
  /** The relay's own failure. */
  INTERNAL: 4500,
} as const;

/** One import a page may forward: its module, name and number of (i32) parameters. */
export interface CallSpec {
  readonly module: 'wasi_snapshot_preview1' | 'sockbox';
  readonly name: string;
  readonly arity: number;
}

const P1 = 'wasi_snapshot_preview1' as const;
const spec = (name: string, arity: number, module: CallSpec['module'] = P1): CallSpec => ({ module, name, arity });

/**
 * Every import a page may forward, in wire order (the index is the wire's `call`).
 * An import with a V1 and a V2 form of different arity appears once per arity.
 */
export const CALLS: readonly CallSpec[] = Object.freeze([
  spec('sock_open', 3), spec('sock_bind', 3), spec('sock_connect', 3), spec('sock_listen', 2),
  spec('sock_accept', 2), spec('sock_accept', 3), spec('sock_recv', 6), spec('sock_recv_from', 7),
  spec('sock_recv_from', 8), spec('sock_send', 5), spec('sock_send_to', 7), spec('sock_shutdown', 2),
  spec('sock_getsockopt', 5), spec('sock_setsockopt', 5), spec('sock_getlocaladdr', 3), spec('sock_getlocaladdr', 4),
  spec('sock_getpeeraddr', 3), spec('sock_getpeeraddr', 4), spec('sock_getaddrinfo', 8), spec('sock_lookup_ip', 6),
  spec('sock_bind_device', 3), spec('poll_oneoff', 4), spec('epoll_oneoff', 4),
  spec('sock_open_v2', 3), spec('sock_bind_v2', 3), spec('sock_connect_v2', 3), spec('sock_listen_v2', 2),
  spec('sock_accept_v2', 3), spec('sock_recv_v2', 6), spec('sock_recv_from_v2', 8), spec('sock_send_v2', 5),
  spec('sock_send_to_v2', 7), spec('sock_getlocaladdr_v2', 3), spec('sock_getpeeraddr_v2', 3),
  spec('fd_close', 1), spec('fd_fdstat_get', 2), spec('fd_fdstat_set_flags', 2), spec('fd_read', 4),
  spec('fd_write', 4), spec('fd_filestat_get', 2),
  spec('getsockopt', 5, 'sockbox'), spec('setsockopt', 5, 'sockbox'),
].map((c) => Object.freeze(c)));

/** The wire index of an import, or -1 when it is not relayed. */
export function callIndex(module: string, name: string, arity: number): number {
  return CALLS.findIndex((c) => c.module === module && c.name === name && c.arity === arity);
}

/** Guest memory at `ptr`. */
export interface Region {
  ptr: number;
  bytes: Uint8Array;
}

/** The hello frame (text). */
export function encodeHello(token: string | undefined): string {
  return JSON.stringify({ type: 'hello', version: WIRE_VERSION, token: token ?? null });
}

/** What the relay says when it takes a session (text). */
export interface Ready {
  type: 'ready';
  version: number;
  maxIo: number;
}

/** A decoded call. */
export interface Call {
  id: number;
  call: number;
  args: number[];
  memSize: number;
  regions: Region[];
}

/** A decoded result. */
export interface Result {
  id: number;
  errno: number;
  regions: Region[];
}

function regionsSize(regions: readonly Region[]): number {
  let n = 4;
  for (const r of regions) n += 8 + r.bytes.length;
  return n;
}

function putRegions(dv: DataView, u8: Uint8Array, at: number, regions: readonly Region[]): void {
  dv.setUint32(at, regions.length, true);
  at += 4;
  for (const r of regions) {
    dv.setUint32(at, r.ptr >>> 0, true);
    dv.setUint32(at + 4, r.bytes.length, true);
    u8.set(r.bytes, at + 8);
    at += 8 + r.bytes.length;
  }
}

/** Reads the regions at `at`; null when they run past the frame. */
function getRegions(dv: DataView, u8: Uint8Array, at: number): Region[] | null {
  if (at + 4 > u8.length) return null;
  const n = dv.getUint32(at, true);
  at += 4;
  const out: Region[] = [];
  for (let i = 0; i < n; i++) {
    if (at + 8 > u8.length) return null;
    const ptr = dv.getUint32(at, true);
    const len = dv.getUint32(at + 4, true);
    at += 8;
    if (len > u8.length - at) return null;
    out.push({ ptr, bytes: u8.subarray(at, at + len) });
    at += len;
  }
  return at === u8.length ? out : null;
}

export function encodeCall(id: number, call: number, args: readonly number[], memSize: number, regions: readonly Region[]): Uint8Array {
  const head = 12 + 4 * args.length;
  const u8 = new Uint8Array(head + regionsSize(regions));
  const dv = new DataView(u8.buffer);
  dv.setUint32(0, id >>> 0, true);
  dv.setUint16(4, call, true);
  dv.setUint8(6, args.length);
  dv.setUint32(8, memSize >>> 0, true);
  args.forEach((a, i) => dv.setUint32(12 + 4 * i, a >>> 0, true));
  putRegions(dv, u8, head, regions);
  return u8;
}

/** A call frame, or null when it is malformed (an unknown call, a wrong arity, regions past the end). */
export function decodeCall(u8: Uint8Array): Call | null {
  if (u8.length < 12) return null;
  const dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const call = dv.getUint16(4, true);
  const nargs = dv.getUint8(6);
  const spec = CALLS[call];
  if (spec === undefined || spec.arity !== nargs || dv.getUint8(7) !== 0) return null;
  const head = 12 + 4 * nargs;
  if (u8.length < head) return null;
  const args: number[] = [];
  for (let i = 0; i < nargs; i++) args.push(dv.getInt32(12 + 4 * i, true));
  const regions = getRegions(dv, u8, head);
  if (regions === null) return null;
  return { id: dv.getUint32(0, true), call, args, memSize: dv.getUint32(8, true), regions };
}

export function encodeResult(id: number, errno: number, regions: readonly Region[]): Uint8Array {
  const u8 = new Uint8Array(8 + regionsSize(regions));
  const dv = new DataView(u8.buffer);
  dv.setUint32(0, id >>> 0, true);
  dv.setUint32(4, errno >>> 0, true);
  putRegions(dv, u8, 8, regions);
  return u8;
}

/** A result frame, or null when it is malformed. */
export function decodeResult(u8: Uint8Array): Result | null {
  if (u8.length < 12) return null;
  const dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const regions = getRegions(dv, u8, 8);
  if (regions === null) return null;
  return { id: dv.getUint32(0, true), errno: dv.getUint32(4, true), regions };
}
