// A hand-assembled wasm module for the layer benchmark: `run(n, a, b, c, d, e)` stores
// 4 at address e (as a guest sets optlen before each getsockopt), then calls the import
// m.f(a, b, c, d, e), n times, and returns the OR of the results. It isolates the cost
// of one wasm -> JS import call from everything a sandbox import does inside it.
// Encoding: the WebAssembly binary format (core spec, "Binary Format" chapter).

const I32 = 0x7f;

function uleb(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

const str = (s) => [...uleb(s.length), ...Buffer.from(s, 'utf8')];
const section = (id, body) => [id, ...uleb(body.length), ...body];
const vec = (items) => [...uleb(items.length), ...items.flat()];

/** The module's bytes. */
export function loopModuleBytes() {
  const types = vec([
    [0x60, ...vec([I32, I32, I32, I32, I32]), ...vec([I32])], // f: (i32 x5) -> i32
    [0x60, ...vec([I32, I32, I32, I32, I32, I32]), ...vec([I32])], // run: (n, a..e) -> i32
  ]);
  const imports = vec([[...str('m'), ...str('f'), 0x00, 0x00]]);
  const funcs = vec([[0x01]]);
  const memory = vec([[0x00, 0x01]]); // min 1 page, no max
  const exports = vec([[...str('memory'), 0x02, 0x00], [...str('run'), 0x00, 0x01]]);
  const N = 0, E = 5, I = 6, ACC = 7;
  const get = (i) => [0x20, i];
  const set = (i) => [0x21, i];
  const code = [
    0x02, 0x40, // block
    0x03, 0x40, //   loop
    ...get(I), ...get(N), 0x4f, 0x0d, 0x01, // if i >= n (unsigned) break
    ...get(E), 0x41, 0x04, 0x36, 0x02, 0x00, // i32.store [e] = 4
    ...get(ACC), ...get(1), ...get(2), ...get(3), ...get(4), ...get(E), 0x10, 0x00, 0x72, ...set(ACC), // acc |= f(a..e)
    ...get(I), 0x41, 0x01, 0x6a, ...set(I), // i++
    0x0c, 0x00, // continue
    0x0b, 0x0b, // end loop, end block
    ...get(ACC), 0x0b,
  ];
  const body = [...vec([[0x02, I32]]), ...code];
  const codeSec = vec([[...uleb(body.length), ...body]]);
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, types), ...section(2, imports), ...section(3, funcs), ...section(5, memory),
    ...section(7, exports), ...section(10, codeSec),
  ]);
}
