// What a guest did at the boundary, for a host that audits (`onEvent`, CLI `--trace`).
// Events are made only when the host listens: a run without a listener pays one
// null check per call that could emit.

import { formatIPv4, formatIPv6 } from '../native/sockaddr.js';

/** An address as events show it: '127.0.0.1' or '::1'. */
export function addressText(ip: Uint8Array): string {
  return ip.length === 4 ? formatIPv4(ip) : formatIPv6(ip);
}

/** One thing a guest did, or was refused. `errno` is the WASI errno the guest got (0: success). */
export type SandboxEvent =
  | { type: 'socket'; fd: number; family: 'inet' | 'inet6'; socktype: 'stream' | 'dgram' }
  | { type: 'close'; fd: number }
  | { type: 'bind'; fd: number; address: string; port: number; errno: number }
  | { type: 'listen'; fd: number; backlog: number; errno: number }
  | { type: 'accept'; fd: number; newFd: number; peer: { address: string; port: number } }
  | { type: 'connect'; fd: number; address: string; port: number; errno: number }
  | { type: 'lookup'; name: string; answers: string[]; errno: number }
  /** A refusal by the policy: the call, what it asked for, and the rule that refused it. */
  | { type: 'refused'; call: string; what: string; rule: string }
  | { type: 'exit'; exitCode: number }
  | { type: 'trap'; message: string }
  | { type: 'killed'; reason: string };

/** Where a run's events go (null: nobody listens, nothing is made). */
export type EventSink = ((e: SandboxEvent) => void) | null;

/** One line for `sockbox run --trace`. */
export function formatEvent(e: SandboxEvent): string {
  switch (e.type) {
    case 'socket': return `socket fd=${e.fd} ${e.family} ${e.socktype}`;
    case 'close': return `close fd=${e.fd}`;
    case 'bind': return `bind fd=${e.fd} ${hostPort(e.address, e.port)} errno=${e.errno}`;
    case 'listen': return `listen fd=${e.fd} backlog=${e.backlog} errno=${e.errno}`;
    case 'accept': return `accept fd=${e.fd} -> fd=${e.newFd} from ${hostPort(e.peer.address, e.peer.port)}`;
    case 'connect': return `connect fd=${e.fd} ${hostPort(e.address, e.port)} errno=${e.errno}`;
    case 'lookup': return `lookup ${JSON.stringify(e.name)} -> [${e.answers.join(', ')}] errno=${e.errno}`;
    case 'refused': return `refused ${e.call} ${e.what}: ${e.rule}`;
    case 'exit': return `exit ${e.exitCode}`;
    case 'trap': return `trap ${e.message}`;
    case 'killed': return `killed (${e.reason})`;
  }
}

function hostPort(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}
