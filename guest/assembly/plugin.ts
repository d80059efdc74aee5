// The host-call convention for AssemblyScript plugins loaded with Sandbox.instantiate():
// bytes and strings cross as a pointer and a length into memory from the plugin's
// exported `alloc` (freed by `dealloc`); a function returns bytes to the host as a u64
// (ptr << 32) | len (see output()).
//
// The plugin's entry file re-exports alloc and dealloc:
//
//   export { alloc, dealloc } from "sockbox/guest/assembly/plugin";
//   import { inputString, outputString } from "sockbox/guest/assembly/plugin";
//   export function greet(ptr: usize, len: u32): u64 {
//     return outputString("hello, " + inputString(ptr, len));
//   }
//
// Build it as a reactor: asc … --exportStart _initialize (the host runs it once).
// Importing this file also brings in io.ts, so `--use abort=…/io/sockboxAbort` resolves
// in a plugin that imports nothing else of the library.

import "./io";

/** Memory for the host to copy an argument into (exported by the plugin as "alloc"). */
export function alloc(size: u32): usize {
  const n: usize = size > 0 ? <usize>size : 1;
  return heap.alloc(n);
}

/** Frees memory from alloc (exported by the plugin as "dealloc"). */
export function dealloc(ptr: usize, size: u32): void {
  heap.free(ptr);
}

/** The bytes the host passed as (ptr, len). */
export function input(ptr: usize, len: u32): Uint8Array {
  const out = new Uint8Array(len);
  memory.copy(out.dataStart, ptr, len);
  return out;
}

/** The UTF-8 text the host passed as (ptr, len). */
export function inputString(ptr: usize, len: u32): string {
  return String.UTF8.decodeUnsafe(ptr, len);
}

/** Returns bytes to the host: a copy in memory from alloc, packed as (ptr << 32) | len. */
export function output(bytes: Uint8Array): u64 {
  const len = <u32>bytes.length;
  const ptr = alloc(len);
  memory.copy(ptr, bytes.dataStart, len);
  return (<u64>ptr << 32) | <u64>len;
}

/** Returns UTF-8 text to the host (see output()). */
export function outputString(s: string): u64 {
  const buf = String.UTF8.encode(s);
  const len = <u32>buf.byteLength;
  const ptr = alloc(len);
  memory.copy(ptr, changetype<usize>(buf), len);
  return (<u64>ptr << 32) | <u64>len;
}
