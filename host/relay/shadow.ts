// The shadow guest: the wasm module a relay session runs in a sockbox Sandbox in place
// of the page's guest. It owns the shadow memory (the page's guest memory, as far as the
// relayed calls touch it) and, for each relayed import, exports a trampoline
//
//   c<i>(args…) = <the import>(args…)
//
// so that a call from the page runs the sandbox's own import (policy, checks, syscall).
// `attach()` calls the host function `relay.attach` once, through which the session
// takes hold of the memory (shared with the session's thread): it writes a call's input
// regions there before the call and reads the output regions after, while the shadow
// guest waits between calls. `grow(pages)` grows the memory to the page's size. Made in
// memory here (a few hundred bytes), never read from disk.

import { CALLS } from './wire.js';

const I32 = 0x7f;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

const bytesOf = (s: string): number[] => [...new TextEncoder().encode(s)];
const name = (s: string): number[] => [...uleb(bytesOf(s).length), ...bytesOf(s)];
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const functype = (params: number, results: number): number[] => [0x60, ...uleb(params), ...Array(params).fill(I32), ...uleb(results), ...Array(results).fill(I32)];

/** The name of the trampoline of CALLS[i]. */
export const trampoline = (i: number): string => `c${i}`;

/** The shadow module's bytes. */
export function shadowModule(): Uint8Array {
  // Types: 0 () → (), 1 (i32) → i32, then 2 + k: (i32 × k) → i32.
  const arities = [...new Set(CALLS.map((c) => c.arity))].sort((x, y) => x - y);
  const typeOf = (arity: number) => 2 + arities.indexOf(arity);
  const types = [functype(0, 0), functype(1, 1), ...arities.map((k) => functype(k, 1))];
  // Function 0: relay.attach; 1 + i: CALLS[i]; then the trampolines, grow, attach.
  const imports = [
    [...name('relay'), ...name('attach'), 0x00, 0],
    ...CALLS.map((c) => [...name(c.module), ...name(c.name), 0x00, ...uleb(typeOf(c.arity))]),
  ];
  const first = 1 + CALLS.length;
  const funcs = [...CALLS.map((c) => uleb(typeOf(c.arity))), uleb(1), uleb(0)];
  const memory = [[0x00, 0x01]]; // min 1 page, no maximum (the Sandbox caps it)
  const exports = [
    [...name('memory'), 0x02, 0],
    [...name('grow'), 0x00, ...uleb(first + CALLS.length)],
    [...name('attach'), 0x00, ...uleb(first + CALLS.length + 1)],
    ...CALLS.map((_, i) => [...name(trampoline(i)), 0x00, ...uleb(first + i)]),
  ];
  const bodies = CALLS.map((c, i) => {
    const code = [
      ...Array.from({ length: c.arity }, (_, k) => [0x20, ...uleb(k)]).flat(), // local.get k
      0x10, ...uleb(1 + i), // call the import; its result is the trampoline's
      0x0b,
    ];
    const body = [0x00, ...code]; // no locals
    return [...uleb(body.length), ...body];
  });
  const grow = [0x00, 0x20, 0x00, 0x40, 0x00, 0x0b]; // memory.grow(local 0)
  const attach = [0x00, 0x10, 0x00, 0x0b]; // call relay.attach
  bodies.push([...uleb(grow.length), ...grow], [...uleb(attach.length), ...attach]);
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec(imports)),
    ...section(3, vec(funcs)),
    ...section(5, vec(memory)),
    ...section(7, vec(exports)),
    ...section(10, [...uleb(bodies.length), ...bodies.flat()]),
  ]);
}
