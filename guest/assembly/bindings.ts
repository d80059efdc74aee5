// The raw imports the library calls: standard WASI preview1, the WasmEdge socket
// extension (module "wasi_snapshot_preview1") and sockbox's own extension (module
// "sockbox"). docs/ABI.md lists each with its parameters, numbering and errors.
//
// Every function returns a WASI errno (0 on success). Pointers are offsets into
// this module's memory, typed usize; "Output:" says what the host writes where.
// Plugins normally use Socket (socket.ts) and print/args (io.ts) instead; these are
// exported for the rare call the library does not wrap.
//
// Address forms: the library uses WasmEdge's "V2" calls and storage everywhere
// (sock_accept with fdflags, sock_recv_from with port_ptr, sock_getlocaladdr /
// sock_getpeeraddr with three parameters), never the V1 forms.

import { Errno } from "./errno";

// ── standard preview1 ────────────────────────────────────────────────────────

/** Output: the argument count at argc_ptr, the bytes argv_buf needs at argv_buf_size_ptr. */
@external("wasi_snapshot_preview1", "args_sizes_get")
export declare function args_sizes_get(argc_ptr: usize, argv_buf_size_ptr: usize): Errno;

/** Output: argc pointers at argv_ptr into argv_buf_ptr, each to a NUL-terminated string. */
@external("wasi_snapshot_preview1", "args_get")
export declare function args_get(argv_ptr: usize, argv_buf_ptr: usize): Errno;

/** Output: the variable count at count_ptr, the bytes environ_buf needs at buf_size_ptr. */
@external("wasi_snapshot_preview1", "environ_sizes_get")
export declare function environ_sizes_get(count_ptr: usize, buf_size_ptr: usize): Errno;

/** Output: count pointers at environ_ptr into environ_buf_ptr, each to "KEY=VALUE\0". */
@external("wasi_snapshot_preview1", "environ_get")
export declare function environ_get(environ_ptr: usize, environ_buf_ptr: usize): Errno;

/** iovs_ptr: ciovecs { u32 buf; u32 len }. Output: bytes written at nwritten_ptr (u32). */
@external("wasi_snapshot_preview1", "fd_write")
export declare function fd_write(fd: u32, iovs_ptr: usize, iovs_len: u32, nwritten_ptr: usize): Errno;

/** iovs_ptr: iovecs { u32 buf; u32 len }. Output: bytes read at nread_ptr (u32). */
@external("wasi_snapshot_preview1", "fd_read")
export declare function fd_read(fd: u32, iovs_ptr: usize, iovs_len: u32, nread_ptr: usize): Errno;

@external("wasi_snapshot_preview1", "fd_close")
export declare function fd_close(fd: u32): Errno;

/**
 * Output: the 24-byte fdstat at buf_ptr: u8 filetype @0 (SOCKET_DGRAM 5,
 * SOCKET_STREAM 6), u16 flags @2 (NONBLOCK 4), u64 rights @8 and @16.
 */
@external("wasi_snapshot_preview1", "fd_fdstat_get")
export declare function fd_fdstat_get(fd: u32, buf_ptr: usize): Errno;

/** flags: NONBLOCK 4 or 0 (other flags: NOTSUP on a socket). */
@external("wasi_snapshot_preview1", "fd_fdstat_set_flags")
export declare function fd_fdstat_set_flags(fd: u32, flags: u16): Errno;

/** Output: the time in ns at time_ptr (u64). */
@external("wasi_snapshot_preview1", "clock_time_get")
export declare function clock_time_get(id: u32, precision: u64, time_ptr: usize): Errno;

/** in_ptr: 48-byte subscriptions, out_ptr: 32-byte events (layouts in socket.ts, poll). */
@external("wasi_snapshot_preview1", "poll_oneoff")
export declare function poll_oneoff(in_ptr: usize, out_ptr: usize, nsubscriptions: u32, ro_nevents_ptr: usize): Errno;

@external("wasi_snapshot_preview1", "proc_exit")
export declare function proc_exit(rval: u32): void;

// ── WasmEdge socket extension (WasmEdge numbering: see constants.ts, We) ─────

/** Output: the new fd at ro_fd_ptr (u32). */
@external("wasi_snapshot_preview1", "sock_open")
export declare function sock_open(af: u32, socktype: u32, ro_fd_ptr: usize): Errno;

/** addr_ptr: a __wasi_address_t { u32 buf; u32 buf_len } (V2: buf_len 128). */
@external("wasi_snapshot_preview1", "sock_bind")
export declare function sock_bind(fd: u32, addr_ptr: usize, port: u32): Errno;

@external("wasi_snapshot_preview1", "sock_connect")
export declare function sock_connect(fd: u32, addr_ptr: usize, port: u32): Errno;

@external("wasi_snapshot_preview1", "sock_listen")
export declare function sock_listen(fd: u32, backlog: u32): Errno;

/** V2 (fd, fdflags, ro_fd_ptr). Output: the new fd at ro_fd_ptr (u32). */
@external("wasi_snapshot_preview1", "sock_accept")
export declare function sock_accept(fd: u32, fdflags: u16, ro_fd_ptr: usize): Errno;

/** Output: bytes received at ro_len_ptr (u32), roflags at ro_flags_ptr (u16). */
@external("wasi_snapshot_preview1", "sock_recv")
export declare function sock_recv(fd: u32, iovs_ptr: usize, iovs_len: u32, riflags: u16, ro_len_ptr: usize, ro_flags_ptr: usize): Errno;

/**
 * V2. Output: the sender in the V2 storage addr_ptr points at, its port at
 * port_ptr (u32), bytes at ro_len_ptr (u32), roflags at ro_flags_ptr (u16).
 */
@external("wasi_snapshot_preview1", "sock_recv_from")
export declare function sock_recv_from(fd: u32, iovs_ptr: usize, iovs_len: u32, addr_ptr: usize, riflags: u16, port_ptr: usize, ro_len_ptr: usize, ro_flags_ptr: usize): Errno;

/** Output: bytes sent at ro_len_ptr (u32). siflags must be 0. */
@external("wasi_snapshot_preview1", "sock_send")
export declare function sock_send(fd: u32, ciovs_ptr: usize, ciovs_len: u32, siflags: u16, ro_len_ptr: usize): Errno;

/** Output: bytes sent at ro_len_ptr (u32). */
@external("wasi_snapshot_preview1", "sock_send_to")
export declare function sock_send_to(fd: u32, ciovs_ptr: usize, ciovs_len: u32, addr_ptr: usize, port: u32, siflags: u16, ro_len_ptr: usize): Errno;

/** how: RD 1, WR 2, both 3. */
@external("wasi_snapshot_preview1", "sock_shutdown")
export declare function sock_shutdown(fd: u32, how: u32): Errno;

/** WasmEdge numbering, SOL_SOCKET (0) only. len_ptr: buffer size in, value size out. */
@external("wasi_snapshot_preview1", "sock_getsockopt")
export declare function sock_getsockopt(fd: u32, level: u32, name: u32, buf_ptr: usize, len_ptr: usize): Errno;

@external("wasi_snapshot_preview1", "sock_setsockopt")
export declare function sock_setsockopt(fd: u32, level: u32, name: u32, buf_ptr: usize, len: u32): Errno;

/** V2 (fd, addr_ptr, port_ptr). Output: V2 storage, the port at port_ptr (u32). */
@external("wasi_snapshot_preview1", "sock_getlocaladdr")
export declare function sock_getlocaladdr(fd: u32, addr_ptr: usize, port_ptr: usize): Errno;

/** V2 (fd, addr_ptr, port_ptr). Output: V2 storage, the port at port_ptr (u32). */
@external("wasi_snapshot_preview1", "sock_getpeeraddr")
export declare function sock_getpeeraddr(fd: u32, addr_ptr: usize, port_ptr: usize): Errno;

/**
 * Name lookup (policy `net.lookup`). hints_ptr: a 28-byte __wasi_addrinfo_t;
 * res_ptr: a u32 holding the first of max_len preallocated __wasi_addrinfo_t,
 * chained by next_ptr. Output: the count filled at res_len_ptr (u32).
 */
@external("wasi_snapshot_preview1", "sock_getaddrinfo")
export declare function sock_getaddrinfo(node_ptr: usize, node_len: u32, service_ptr: usize, service_len: u32, hints_ptr: usize, res_ptr: usize, max_len: u32, res_len_ptr: usize): Errno;

// ── sockbox extension: Linux numbering, every level ─────────────────────────

/** optlen_ptr: buffer size in, value size out (u32, POSIX truncation). */
@external("sockbox", "getsockopt")
export declare function sb_getsockopt(fd: u32, level: u32, optname: u32, optval_ptr: usize, optlen_ptr: usize): Errno;

/** optval_ptr: the value in Linux LP64 little-endian layout, optlen bytes. */
@external("sockbox", "setsockopt")
export declare function sb_setsockopt(fd: u32, level: u32, optname: u32, optval_ptr: usize, optlen: u32): Errno;
