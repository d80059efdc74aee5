// asplugin.ts: an AssemblyScript reactor for the plugin tests: bytes and strings both
// ways through the library's plugin convention (guest/assembly/plugin.ts), and state.
// Build: node build/guests.mjs (asc --exportStart _initialize --runtime incremental).

export { alloc, dealloc } from "../../../guest/assembly/plugin";
import { input, inputString, output, outputString } from "../../../guest/assembly/plugin";

let calls: i32 = 0;

/** The bytes it was given, returned as they are. */
export function echo(ptr: usize, len: u32): u64 {
  calls++;
  return output(input(ptr, len));
}

/** Text in upper case. */
export function upper(ptr: usize, len: u32): u64 {
  calls++;
  return outputString(inputString(ptr, len).toUpperCase());
}

/** "<a>+<b>" of two strings. */
export function join(a: usize, an: u32, b: usize, bn: u32): u64 {
  calls++;
  return outputString(inputString(a, an) + "+" + inputString(b, bn));
}

/** How many calls so far (state across calls). */
export function count(): i32 {
  return calls;
}
