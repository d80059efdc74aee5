// What a plugin needs besides sockets: stdout/stderr, its arguments and environment,
// the clock, and a way to end. All over WASI preview1 (bindings.ts), so a plugin
// imports nothing else. Text is UTF-8 on the wire; AssemblyScript strings are UTF-16
// and are encoded in pieces through a static buffer, so printing allocates nothing.

import {
  args_get, args_sizes_get, clock_time_get, environ_get, environ_sizes_get, fd_write, proc_exit,
} from "./bindings";
import { Errno, errnoName } from "./errno";

@inline const STDOUT: u32 = 1;
@inline const STDERR: u32 = 2;
@inline const CLOCKID_REALTIME: u32 = 0;
@inline const CLOCKID_MONOTONIC: u32 = 1;

// One ciovec { u32 buf @0; u32 len @4 } and the nwritten out-parameter @8.
const WRITE_IOV: usize = memory.data(16, 8);

/** Writes all of [ptr, ptr + len) to fd. Returns an errno (a short write is retried). */
export function writeAll(fd: u32, ptr: usize, len: usize): Errno {
  while (len > 0) {
    store<u32>(WRITE_IOV, <u32>ptr, 0);
    store<u32>(WRITE_IOV, <u32>len, 4);
    store<u32>(WRITE_IOV, 0, 8);
    const err = fd_write(fd, WRITE_IOV, 1, WRITE_IOV + 8);
    if (err != Errno.SUCCESS) return err;
    const n = <usize>load<u32>(WRITE_IOV, 8);
    if (n == 0 || n > len) return Errno.IO;
    ptr += n;
    len -= n;
  }
  return Errno.SUCCESS;
}

// UTF-16 code units encoded per piece; UTF-8 needs at most 3 bytes per unit.
@inline const PIECE: i32 = 512;
const UTF8_BUF: usize = memory.data(PIECE * 3);

/**
 * Writes s to fd as UTF-8, encoded in pieces of at most PIECE units through a static
 * buffer (never splitting a surrogate pair). Returns the first non-zero errno, or 0.
 */
export function writeString(fd: u32, s: string): Errno {
  const units = s.length;
  const base = changetype<usize>(s);
  let at = 0;
  while (at < units) {
    let n = min(PIECE, units - at);
    if (at + n < units) {
      const last = s.charCodeAt(at + n - 1);
      if (last >= 0xD800 && last <= 0xDBFF) n--; // keep the pair together
    }
    const bytes = String.UTF8.encodeUnsafe(base + (<usize>at << 1), n, UTF8_BUF);
    const err = writeAll(fd, UTF8_BUF, bytes);
    if (err != Errno.SUCCESS) return err;
    at += n;
  }
  return Errno.SUCCESS;
}

/** Writes s to stdout (UTF-8). Returns an errno, which a plugin may ignore. */
export function print(s: string): Errno {
  return writeString(STDOUT, s);
}

/** Writes s and "\n" to stdout. */
export function println(s: string = ""): Errno {
  const err = writeString(STDOUT, s);
  return err != Errno.SUCCESS ? err : writeAll(STDOUT, NEWLINE, 1);
}

/** Writes s to stderr. */
export function eprint(s: string): Errno {
  return writeString(STDERR, s);
}

/** Writes s and "\n" to stderr. */
export function eprintln(s: string = ""): Errno {
  const err = writeString(STDERR, s);
  return err != Errno.SUCCESS ? err : writeAll(STDERR, NEWLINE, 1);
}

const NEWLINE: usize = memory.data<u8>([0x0A]);

/** Ends the program with this exit status (sockbox run exits with it). */
export function exit(code: i32): void {
  proc_exit(<u32>code);
  unreachable();
}

/**
 * The error helper: when err is not 0, prints "error: <what>: <ENAME> (<n>)" to
 * stderr and exits with status 1; otherwise does nothing. For a call whose errno is
 * not its return value, pass the socket's: check(s.errno, "recv").
 */
export function check(err: Errno, what: string): void {
  if (err == Errno.SUCCESS) return;
  eprintln("error: " + what + ": " + errnoName(err) + " (" + err.toString() + ")");
  exit(1);
}

// ── arguments and environment ──────────────────────────────────────────────

// Two u32 out-parameters for the *_sizes_get calls.
const SIZES: usize = memory.data(8, 4);

/** Splits count NUL-terminated UTF-8 strings whose pointers are at ptrs into an array. */
function cStrings(ptrs: usize, count: u32): string[] {
  const out = new Array<string>(<i32>count);
  for (let i: u32 = 0; i < count; i++) {
    const p = <usize>load<u32>(ptrs + (<usize>i << 2));
    let n: usize = 0;
    while (load<u8>(p + n) != 0) n++;
    unchecked(out[i] = String.UTF8.decodeUnsafe(p, n));
  }
  return out;
}

/**
 * The program's arguments: args()[0] is the program name (sockbox run passes the
 * .wasm path), the plugin's own arguments follow ("-- a b" gives ["x.wasm", "a", "b"]).
 * An empty array if the host refuses.
 */
export function args(): string[] {
  if (args_sizes_get(SIZES, SIZES + 4) != Errno.SUCCESS) return new Array<string>(0);
  const argc = load<u32>(SIZES, 0);
  const bufSize = load<u32>(SIZES, 4);
  const ptrs = heap.alloc(<usize>argc << 2);
  const buf = heap.alloc(<usize>bufSize + 1);
  let out: string[];
  if (args_get(ptrs, buf) != Errno.SUCCESS) out = new Array<string>(0);
  else out = cStrings(ptrs, argc);
  heap.free(buf);
  heap.free(ptrs);
  return out;
}

/** The value of environment variable name, or null when it is not set. */
export function getenv(name: string): string | null {
  if (environ_sizes_get(SIZES, SIZES + 4) != Errno.SUCCESS) return null;
  const count = load<u32>(SIZES, 0);
  const bufSize = load<u32>(SIZES, 4);
  const ptrs = heap.alloc(<usize>count << 2);
  const buf = heap.alloc(<usize>bufSize + 1);
  let found: string | null = null;
  if (environ_get(ptrs, buf) == Errno.SUCCESS) {
    const key = String.UTF8.encode(name);
    const keyLen = <usize>key.byteLength;
    const keyPtr = changetype<usize>(key);
    for (let i: u32 = 0; i < count && found === null; i++) {
      const p = <usize>load<u32>(ptrs + (<usize>i << 2));
      if (memory.compare(p, keyPtr, keyLen) != 0 || load<u8>(p + keyLen) != 0x3D) continue; // "KEY="
      let n: usize = 0;
      while (load<u8>(p + keyLen + 1 + n) != 0) n++;
      found = String.UTF8.decodeUnsafe(p + keyLen + 1, n);
    }
  }
  heap.free(buf);
  heap.free(ptrs);
  return found;
}

// ── clocks ─────────────────────────────────────────────────────────────────

const TIME: usize = memory.data(8, 8);

/** Monotonic time in nanoseconds (for measuring intervals); 0 if the host refuses. */
export function monotonicNs(): u64 {
  store<u64>(TIME, 0);
  clock_time_get(CLOCKID_MONOTONIC, 1, TIME);
  return load<u64>(TIME);
}

/** Wall-clock time in milliseconds since 1970; 0 if the host refuses. */
export function nowMs(): i64 {
  store<u64>(TIME, 0);
  clock_time_get(CLOCKID_REALTIME, 1000000, TIME);
  return <i64>(load<u64>(TIME) / 1000000);
}

// ── abort ──────────────────────────────────────────────────────────────────

/**
 * An abort() for AssemblyScript's runtime errors (index out of range, a null
 * where there must be none, an explicit `throw`): prints "abort: <message> at
 * <file>:<line>:<column>" to stderr and exits with status 134, which is what
 * sockbox run reports for a trap. Select it with
 *   --use abort=<path of this file without .ts>/sockboxAbort
 * e.g. `--use abort=guest/assembly/io/sockboxAbort` inside this repository, or
 * `--use abort=~lib/sockbox/guest/assembly/io/sockboxAbort` when the library comes
 * from node_modules. `--use abort=` (empty) makes abort a bare trap instead.
 */
export function sockboxAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  eprintln("abort: " + (message !== null ? message : "(no message)") + " at " +
    (fileName !== null ? fileName : "?") + ":" + line.toString() + ":" + column.toString());
  exit(134);
}
