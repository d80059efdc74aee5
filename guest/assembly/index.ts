// sockbox's AssemblyScript library: sockets, options at every level, stdout/stderr,
// arguments, for plugins that run under sockbox (`sockbox run`, or a host's Sandbox).
//
//   import { Socket, AF_INET, SOCK_STREAM, SOL_SOCKET, SO_REUSEADDR, println, check }
//     from "sockbox/guest/assembly";            // from node_modules
//     // or a relative path inside this repository: "../../guest/assembly"
//
// Build a plugin (a WASI command module whose top-level code is its main):
//   asc plugin.ts -o plugin.wasm -O3 --runtime stub --exportStart _start --use abort=
// (--runtime incremental works too; see guest/assembly/README.md for the flags).
//
// The files: socket.ts (Socket, poll, the error rules at its top), constants.ts (Linux
// numbering), errno.ts (WASI errnos), address.ts (IP text), io.ts (print, args, exit,
// check), bindings.ts (the raw imports).

export {
  Socket, Linger, Timeval, TcpInfo, Datagram, PollFd, poll, pollRaw, BUFLEN_MAX,
} from "./socket";
export { Address, parseIPv4, parseIPv6, formatIPv4, formatIPv6 } from "./address";
export { Errno, errnoName, lastErrno } from "./errno";
export {
  print, println, eprint, eprintln, writeAll, writeString, exit, check, args, getenv,
  monotonicNs, nowMs, sockboxAbort,
} from "./io";
export * from "./constants";
