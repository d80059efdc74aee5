// optloop.ts: the AssemblyScript bench guest, the twin of bench/guests/c/optloop.c
// for its setsockopt-loop command (read the C file's top comment for the contract):
//
//   setsockopt-loop <n>   -> wasmedge <ns per call>, -> sockbox <ns per call>
//
// Build: node bench/guests/build.mjs
//   (asc optloop.ts -O3 --runtime stub --exportStart _start --use abort=, as build/guests.mjs)
// The raw imports come from the AssemblyScript library's bindings (guest/assembly):
// the loop times the import itself, not the library's Socket around it.

import {
  args_sizes_get, args_get, fd_write, fd_close, clock_time_get, proc_exit, sock_open, sock_setsockopt, sb_setsockopt,
} from "../../../guest/assembly/bindings";
import { Errno } from "../../../guest/assembly/errno";

// WasmEdge socket extension numbering (DESIGN.md, "Guest ABI" 1).
@inline const WE_AF_INET4: u32 = 1;
@inline const WE_SOCK_STREAM: u32 = 2;
@inline const WE_SOL_SOCKET: u32 = 0;
@inline const WE_SO_KEEPALIVE: u32 = 7;
// sockbox extension: Linux numbering (asm-generic/socket.h).
@inline const SB_SOL_SOCKET: u32 = 1;
@inline const SB_SO_KEEPALIVE: u32 = 9;
// Standard preview1 numbers (wasi_snapshot_preview1 witx).
@inline const CLOCKID_MONOTONIC: u32 = 1;
@inline const STDOUT: u32 = 1;

// ── output ──────────────────────────────────────────────────────────────────

// One ciovec {u32 buf @0, u32 len @4} and the nwritten out-parameter @8.
const WRITE_IOV: usize = memory.data(16, 8);
const LINE: usize = memory.data(128);
let line_len: u32 = 0;

function put(s: string): void {
  for (let i = 0; i < s.length; i++) store<u8>(LINE + line_len++, <u8>s.charCodeAt(i));
}

function put_u64(v: u64): void {
  const digits = memory.data(20); // u64 max has 20 digits
  let n = 0;
  do {
    store<u8>(digits + n, <u8>(0x30 + v % 10));
    v /= 10;
    n++;
  } while (v != 0);
  while (n > 0) store<u8>(LINE + line_len++, load<u8>(digits + --n));
}

/** Ends the line and writes it in one fd_write (the C guest's printf + fflush). */
function end_line(): void {
  store<u8>(LINE + line_len++, 0x0A);
  store<u32>(WRITE_IOV, <u32>LINE, 0);
  store<u32>(WRITE_IOV, line_len, 4);
  const err = fd_write(STDOUT, WRITE_IOV, 1, WRITE_IOV + 8);
  if (err != 0 || load<u32>(WRITE_IOV, 8) != line_len) exit(1);
  line_len = 0;
}

function exit(code: u32): void {
  proc_exit(code);
  unreachable();
}

function fail(what: string, err: Errno): void {
  put("error "); put(what); put(" errno="); put_u64(err); end_line();
  exit(1);
}

function usage(): void {
  put("usage: optloop-as setsockopt-loop <n>");
  end_line();
  exit(2);
}

// ── arguments ───────────────────────────────────────────────────────────────

/** argv[i] (a NUL-terminated string) for i < argc; argc at [0]. */
function load_args(): usize {
  const sizes = memory.data(8, 4); // argc @0, argv_buf_size @4
  let err = args_sizes_get(sizes, sizes + 4);
  if (err != 0) fail("args_sizes_get", err);
  const argc = load<u32>(sizes, 0);
  const argv = heap.alloc(<usize>argc * 4 + 4);
  const buf = heap.alloc(<usize>load<u32>(sizes, 4) + 1);
  store<u32>(argv, argc);
  err = args_get(argv + 4, buf);
  if (err != 0) fail("args_get", err);
  return argv;
}

function c_equals(s: usize, lit: string): bool {
  const n = lit.length;
  for (let i = 0; i < n; i++) if (<i32>load<u8>(s + i) != lit.charCodeAt(i)) return false;
  return load<u8>(s + n) == 0;
}

/** A decimal number in [1, 1e9], or usage(). */
function parse_n(s: usize): u32 {
  let v: u64 = 0;
  if (load<u8>(s) == 0) usage();
  for (; load<u8>(s) != 0; s++) {
    const c = load<u8>(s);
    if (c < 0x30 || c > 0x39) usage();
    v = v * 10 + <u64>(c - 0x30);
    if (v > 1000000000) usage();
  }
  if (v == 0) usage();
  return <u32>v;
}

// ── the loop ────────────────────────────────────────────────────────────────

function now_ns(): u64 {
  const t = memory.data(8, 8);
  const err = clock_time_get(CLOCKID_MONOTONIC, 1, t);
  if (err != 0) fail("clock_time_get", err);
  return load<u64>(t);
}

const VALUE: usize = memory.data(4, 4);

function set_loop(n: u32): void {
  const fd_ptr = memory.data(4, 4);
  let err = sock_open(WE_AF_INET4, WE_SOCK_STREAM, fd_ptr);
  if (err != 0) fail("sock_open", err);
  const fd = load<u32>(fd_ptr);

  let t0 = now_ns();
  for (let i: u32 = 0; i < n; i++) {
    store<i32>(VALUE, i & 1);
    err = sock_setsockopt(fd, WE_SOL_SOCKET, WE_SO_KEEPALIVE, VALUE, 4);
    if (err != 0) fail("sock_setsockopt", err);
  }
  let t1 = now_ns();
  put("wasmedge "); put_u64((t1 - t0) / n); end_line();

  t0 = now_ns();
  for (let i: u32 = 0; i < n; i++) {
    store<i32>(VALUE, i & 1);
    err = sb_setsockopt(fd, SB_SOL_SOCKET, SB_SO_KEEPALIVE, VALUE, 4);
    if (err != 0) fail("setsockopt", err);
  }
  t1 = now_ns();
  put("sockbox "); put_u64((t1 - t0) / n); end_line();

  err = fd_close(fd);
  if (err != 0) fail("fd_close", err);
}

function main(): void {
  const argv = load_args();
  const argc = load<u32>(argv);
  if (argc == 3 && c_equals(load<u32>(argv + 4 + 4), "setsockopt-loop")) set_loop(parse_n(load<u32>(argv + 4 + 8)));
  else usage();
  exit(0);
}

main();
