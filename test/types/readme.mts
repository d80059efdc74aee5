// The README's facade examples as a strict TypeScript consumer writes them, against the
// package's published types: 'sockbox' resolves (a package importing itself by name)
// through package.json's exports to dist/types, as it does for a user. Never run, only
// compiled: test/types.test.ts runs `tsc -p test/types/tsconfig.json` (strict,
// noUncheckedIndexedAccess). Each `@ts-expect-error` is a misuse that must not compile.
// A .mts file, so the root tsconfig (test/**/*.ts) leaves it to this one.

import net from 'node:net';
import {
  socket, fromNodeSocket, constants, type Socket, type Linger, type TcpInfo, type Timeval, type Ucred,
  type OptionName, type OptionValue, type OptionValues, type ReadableOptionName, type WritableOptionName,
  type Constants,
} from 'sockbox';

/** true when A and B are the same type (not merely assignable). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
/** Compiles only when A and B are the same type. */
function same<A, B>(ok: Same<A, B>): void {
  void ok;
}

// ── README "Python-style sockets in Node" ──────────────────────────────────────
export function pythonStyle(): void {
  const { SOL_SOCKET, SO_REUSEADDR, IPPROTO_IP, IP_TTL } = constants;
  const s = socket();
  const reuse = s.getsockopt(SOL_SOCKET, SO_REUSEADDR);
  same<typeof reuse, number>(true);
  s.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1);
  const ttl: number = s.getsockopt(IPPROTO_IP, IP_TTL);
  const linger = s.getsockopt(SOL_SOCKET, constants.SO_LINGER, 8);
  same<typeof linger, Uint8Array>(true);
  const first: number | undefined = linger[0];
  s.bind(['127.0.0.1', 0]);
  s.listen();
  const [host, port] = s.getsockname();
  s.close();
  void [ttl, first, host.length, port + 1];
}

// getsockopt's result follows buflen as CPython's does.
export function getsockoptForms(s: Socket, buflen: number): void {
  const { SOL_SOCKET, SO_TYPE } = constants;
  const none = s.getsockopt(SOL_SOCKET, SO_TYPE);
  const zero = s.getsockopt(SOL_SOCKET, SO_TYPE, 0);
  const four = s.getsockopt(SOL_SOCKET, SO_TYPE, 4);
  const some = s.getsockopt(SOL_SOCKET, SO_TYPE, buflen);
  same<typeof none, number>(true);
  same<typeof zero, number>(true);
  same<typeof four, Uint8Array>(true);
  same<typeof some, Uint8Array | number>(true);
  // @ts-expect-error: with a buflen it is bytes, not a number
  const n: number = s.getsockopt(SOL_SOCKET, SO_TYPE, 8);
  // @ts-expect-error: without one it is a number, not bytes
  const b: Uint8Array = s.getsockopt(SOL_SOCKET, SO_TYPE);
  s.setsockopt(SOL_SOCKET, constants.SO_REUSEADDR, true);
  s.setsockopt(SOL_SOCKET, constants.SO_LINGER, new Uint8Array(8));
  s.setsockopt(SOL_SOCKET, constants.SO_REUSEADDR, null, 4);
  // @ts-expect-error: setsockopt takes a number, a boolean or bytes
  s.setsockopt(SOL_SOCKET, constants.SO_REUSEADDR, '1');
  void [n, b];
}

// ── README "Typed options" ─────────────────────────────────────────────────────
export function typedOptions(s: Socket, name: string): void {
  s.setOption('SO_LINGER', { onoff: true, seconds: 5 });
  const l = s.getOption('SO_LINGER');
  same<typeof l, Linger>(true);
  const onoff: boolean = s.getOption('SO_LINGER').onoff;
  const state: number = s.getOption('TCP_INFO').state;
  const info = s.getOption('TCP_INFO');
  same<typeof info, TcpInfo>(true);
  same<TcpInfo['rtt'], number>(true);
  same<TcpInfo['bytes_acked'], number | bigint>(true);
  // Newer than Linux 4.18: absent on older kernels.
  same<TcpInfo['bytes_sent'], number | bigint | undefined>(true);
  s.getOption('IP_RECVDSTADDR'); // a catalogue option: ENOPROTOOPT at run time on Linux

  const reuse = s.getOption('SO_REUSEADDR');
  same<typeof reuse, boolean>(true);
  s.setOption('SO_REUSEADDR', true);
  s.setOption('SO_REUSEADDR', 0);
  s.setOption('SO_RCVBUF', 65536);
  const rcvbuf = s.getOption('SO_RCVBUF');
  same<typeof rcvbuf, number>(true);
  const timeo = s.getOption('SO_RCVTIMEO');
  same<typeof timeo, Timeval>(true);
  s.setOption('SO_RCVTIMEO', { sec: 2, usec: 500000 });
  const cred = s.getOption('SO_PEERCRED');
  same<typeof cred, Ucred>(true);
  const cc = s.getOption('TCP_CONGESTION');
  same<typeof cc, string>(true);
  s.setOption('TCP_CONGESTION', 'reno');
  s.setOption('IP_MULTICAST_IF', '127.0.0.1');
  s.setOption('IP_ADD_MEMBERSHIP', { multiaddr: '239.1.2.3', interface: '127.0.0.1' });
  s.setOption('IP_ADD_MEMBERSHIP', { multiaddr: '239.1.2.4', address: '127.0.0.1', ifindex: 0 });
  s.setOption('IP_DROP_MEMBERSHIP', { multiaddr: '239.1.2.3' });
  s.setOption('IPV6_JOIN_GROUP', { multiaddr: 'ff02::1', interface: 1 });
  const opts = s.getOption('IP_OPTIONS');
  same<typeof opts, Uint8Array>(true);
  s.setOption('IP_OPTIONS', new Uint8Array(0));

  // A name known only at run time is checked at run time.
  const any = s.getOption(name);
  same<typeof any, OptionValue>(true);
  s.setOption(name, 1);
  const known: OptionName = 'SO_LINGER';
  s.getOption(known);
  const readable = (n: ReadableOptionName) => s.getOption(n);
  same<ReturnType<typeof readable>, OptionValues[ReadableOptionName]>(true);
  const writable = (n: WritableOptionName) => s.setOption(n, 1);
  void [readable, writable];

  // @ts-expect-error: misspelt: not an option of the catalogue
  s.getOption('SO_LINGERR');
  // @ts-expect-error: misspelt
  s.setOption('SO_RCVBUFF', 1);
  // @ts-expect-error: SO_LINGER takes { onoff, seconds }
  s.setOption('SO_LINGER', 5);
  // @ts-expect-error: SO_RCVBUF takes a number
  s.setOption('SO_RCVBUF', 'x');
  // @ts-expect-error: a flag takes true/false or 0/1
  s.setOption('SO_REUSEADDR', 2);
  // @ts-expect-error: IP_MULTICAST_IF takes an address string
  s.setOption('IP_MULTICAST_IF', 0x7f000001);
  // @ts-expect-error: TCP_INFO is read-only
  s.setOption('TCP_INFO', {});
  // @ts-expect-error: IP_ADD_MEMBERSHIP is set-only
  s.getOption('IP_ADD_MEMBERSHIP');
  // @ts-expect-error: TcpInfo has no such field
  void s.getOption('TCP_INFO').stat;
  // @ts-expect-error: bytes_sent may be absent (and may be a bigint)
  const sent: number = s.getOption('TCP_INFO').bytes_sent;
  // @ts-expect-error: SO_LINGER is a Linger, not a number
  const lingerNumber: number = s.getOption('SO_LINGER');
  void [onoff, state, sent, lingerNumber];
}

// ── README "Constants" and "Node's own sockets" ────────────────────────────────
export function constantsAndNode(server: net.Server): void {
  const sol: number = constants.SOL_SOCKET;
  const nonblock: number = constants.SOCK_NONBLOCK;
  const recvdst = constants.IP_RECVDSTADDR;
  same<typeof recvdst, number | undefined>(true);
  if ('IP_RECVDSTADDR' in constants) void recvdst;
  const c: Constants = constants;
  // @ts-expect-error: IP_RECVDSTADDR is BSD/macOS only: absent on Linux
  const dst: number = constants.IP_RECVDSTADDR;
  // @ts-expect-error: a name `constants` lacks may be absent
  const misspelt: number = constants.SO_LINGERR;
  // @ts-expect-error: constants are read-only
  constants.SOL_SOCKET = 2;

  const s = fromNodeSocket(server);
  const acceptconn: number = s.getsockopt(constants.SOL_SOCKET, constants.SO_ACCEPTCONN);
  s.setOption('TCP_DEFER_ACCEPT', 5);
  void [sol, nonblock, c, dst, misspelt, acceptconn];
}
