// sockbox: real sockets and the full getsockopt/setsockopt surface, for Node and for
// WebAssembly guests.

export { socket, Socket, type Address, type BytesLike } from './socket.js';
export { SockboxError, SocketError, SandboxError, PolicyError, type SandboxErrorCode } from './errors.js';
export { constants, type Constants } from './constants.js';
export { fromNodeSocket } from './node.js';
export type {
  OptionValue, OptionInput, Linger, Timeval, IpMreq, IpMreqn, Ipv6Mreq, Ucred, TcpInfo,
  IpMreqInput, Ipv6MreqInput, OptionName, ReadableOptionName, WritableOptionName, OptionValues, OptionInputs,
} from './options.js';
export { catalogue, type CatalogueEntry } from './catalogue.js';
export { drainWorkers } from './sandbox/pool.js';
export {
  Sandbox, DEFAULT_LIMITS, type SandboxOptions, type SandboxLimits, type Sink, type PreopenOption,
} from './sandbox/sandbox.js';
export { Plugin, type PluginArg } from './sandbox/plugin.js';
export type { HostFunction, HostCallContext, HostImports } from './sandbox/hostfn.js';
export { formatEvent, type SandboxEvent } from './sandbox/events.js';
export type { NetGrants, SockoptOverrides } from './sandbox/policy.js';
export {
  createRelay, CLOSE, DEFAULT_RELAY_LIMITS, type Relay, type RelayOptions, type RelayPolicy, type RelayLimits, type RelayHello, type RelayEvent,
} from './relay/index.js';
