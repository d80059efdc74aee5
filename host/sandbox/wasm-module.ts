// Reads and rewrites a guest module's binary before it is compiled (WebAssembly core
// spec, binary format: sections 1 type, 2 import, 3 function, 4 table, 5 memory,
// 7 export; `limits` = flags byte, min, [max] as unsigned LEB128).
//
// capModule: a memory's maximum becomes min(declared maximum, cap): memory.grow past
// it then fails as wasm says it should (it returns -1 and malloc returns NULL), instead
// of taking host memory. A module that declares a minimum above the cap cannot run and
// is rejected. Tables (8 bytes a slot in V8) share one element budget the same way.
// With `shared`, a defined memory becomes a shared one (limits flag 0x02), so that the
// thread that owns the sandbox can read and write it while the guest waits for a host
// function. Nothing else in the module changes; other sections are copied as they are.
//
// inspectModule: the function types of its imports and exports (the JS API has no type
// reflection in Node 20), so that host functions and plugin calls convert i64 and
// floats right.

/** Why a module cannot run under these limits (a message for ERR_SOCKBOX_GUEST_INVALID). */
export class LimitError extends Error {}

export const PAGE = 65536;

class Reader {
  at = 0;
  constructor(readonly b: Uint8Array, readonly end = b.length) {}
  byte(): number {
    if (this.at >= this.end) throw new LimitError('the module is truncated');
    return this.b[this.at++];
  }
  /** Unsigned LEB128 up to 2^53 (memory64 values included). */
  uleb(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      const x = this.byte();
      result += (x & 0x7f) * mul;
      if ((x & 0x80) === 0) return result;
      mul *= 128;
    }
    throw new LimitError('a LEB128 number is too long');
  }
  skip(n: number): void {
    if (this.at + n > this.end) throw new LimitError('the module is truncated');
    this.at += n;
  }
  name(): void {
    this.skip(this.uleb());
  }
}

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let x = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) x |= 0x80;
    out.push(x);
  } while (n > 0);
  return out;
}

interface Limits { flags: number; min: number; max: number | undefined }

function readLimits(r: Reader): Limits {
  const flags = r.byte();
  if (flags > 7) throw new LimitError(`unknown limits flags 0x${flags.toString(16)}`);
  const min = r.uleb();
  const max = (flags & 1) !== 0 ? r.uleb() : undefined;
  return { flags, min, max };
}

function writeLimits(l: Limits, max: number): number[] {
  return [l.flags | 1, ...uleb(l.min), ...uleb(max)];
}

/** What a module declares, before and after capping. */
export interface CapResult {
  bytes: Uint8Array;
  /** Memory minimum and the maximum it now has, in pages (undefined: no memory defined or imported). */
  memory?: { minPages: number; maxPages: number; imported: boolean };
}

/** A value type: i32, i64, f32, f64 (anything else is 'other'). */
export type ValType = 'i32' | 'i64' | 'f32' | 'f64' | 'other';
export interface FuncType { params: ValType[]; results: ValType[] }
export interface ImportInfo { module: string; name: string; kind: 'function' | 'table' | 'memory' | 'global' | 'tag'; type?: FuncType }
export interface ModuleInfo {
  imports: ImportInfo[];
  /** Exported functions and their types. */
  functions: Map<string, FuncType>;
}

const VALTYPES: Record<number, ValType> = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64' };
const KINDS = ['function', 'table', 'memory', 'global', 'tag'] as const;

function sectionsOf(wasm: Uint8Array): { id: number; start: number; end: number }[] {
  if (wasm.length < 8 || wasm[0] !== 0 || wasm[1] !== 0x61 || wasm[2] !== 0x73 || wasm[3] !== 0x6d) {
    throw new LimitError('not a wasm module (no \\0asm header)');
  }
  if (wasm[4] !== 1 || wasm[5] !== 0 || wasm[6] !== 0 || wasm[7] !== 0) throw new LimitError('not a wasm core module (version 1)');
  const r = new Reader(wasm);
  r.at = 8;
  const sections: { id: number; start: number; end: number }[] = [];
  while (r.at < wasm.length) {
    const id = r.byte();
    const size = r.uleb();
    const start = r.at;
    r.skip(size);
    sections.push({ id, start, end: r.at });
  }
  return sections;
}

function utf8(r: Reader): string {
  const n = r.uleb();
  const start = r.at;
  r.skip(n);
  return Buffer.from(r.b.buffer, r.b.byteOffset + start, n).toString('utf8');
}

/** The imports (with function types) and exported functions of a module's binary. */
export function inspectModule(wasm: Uint8Array): ModuleInfo {
  const types: FuncType[] = [];
  const imports: ImportInfo[] = [];
  const funcTypes: number[] = [];
  const functions = new Map<string, FuncType>();
  for (const s of sectionsOf(wasm)) {
    const r = new Reader(wasm, s.end);
    r.at = s.start;
    if (s.id === 1) {
      const n = r.uleb();
      for (let i = 0; i < n; i++) {
        if (r.byte() !== 0x60) throw new LimitError('a type that is not a function type');
        const params: ValType[] = [];
        const results: ValType[] = [];
        for (let k = r.uleb(); k > 0; k--) params.push(VALTYPES[r.byte()] ?? 'other');
        for (let k = r.uleb(); k > 0; k--) results.push(VALTYPES[r.byte()] ?? 'other');
        types.push({ params, results });
      }
    } else if (s.id === 2) {
      const n = r.uleb();
      for (let i = 0; i < n; i++) {
        const module = utf8(r);
        const name = utf8(r);
        const kind = r.byte();
        if (kind === 0) {
          const t = r.uleb();
          funcTypes.push(t);
          imports.push({ module, name, kind: 'function', type: types[t] });
        } else if (kind === 1) { r.byte(); readLimits(r); imports.push({ module, name, kind: 'table' }); }
        else if (kind === 2) { readLimits(r); imports.push({ module, name, kind: 'memory' }); }
        else if (kind === 3) { r.byte(); r.byte(); imports.push({ module, name, kind: 'global' }); }
        else if (kind === 4) { r.byte(); r.uleb(); imports.push({ module, name, kind: KINDS[4] }); }
        else throw new LimitError(`unknown import kind ${kind}`);
      }
    } else if (s.id === 3) {
      for (let n = r.uleb(); n > 0; n--) funcTypes.push(r.uleb());
    } else if (s.id === 7) {
      for (let n = r.uleb(); n > 0; n--) {
        const name = utf8(r);
        const kind = r.byte();
        const index = r.uleb();
        if (kind === 0 && types[funcTypes[index]]) functions.set(name, types[funcTypes[index]]);
      }
    }
  }
  return { imports, functions };
}

/**
 * Rewrites `wasm` so that no memory can grow past `maxMemoryBytes` and all tables
 * together past `maxTableElements`. Throws LimitError (with a message for the host)
 * when the module cannot run under them or cannot be read.
 */
export function capModule(wasm: Uint8Array, maxMemoryBytes: number, maxTableElements: number, shared = false): CapResult {
  const capPages = Math.floor(maxMemoryBytes / PAGE);
  const sections = sectionsOf(wasm);

  // First pass: the tables (imported and defined) and their minimums.
  const tables: Limits[] = [];
  let memory: CapResult['memory'];
  const forEachLimits = (onMemory: (l: Limits, imported: boolean) => void, onTable: (l: Limits) => void) => {
    for (const s of sections) {
      const sr = new Reader(wasm, s.end);
      sr.at = s.start;
      if (s.id === 2) {
        const n = sr.uleb();
        for (let i = 0; i < n; i++) {
          sr.name(); sr.name();
          const kind = sr.byte();
          if (kind === 0) sr.uleb();
          else if (kind === 1) { sr.byte(); onTable(readLimits(sr)); }
          else if (kind === 2) onMemory(readLimits(sr), true);
          else if (kind === 3) { sr.byte(); sr.byte(); }
          else if (kind === 4) { sr.byte(); sr.uleb(); }
          else throw new LimitError(`unknown import kind ${kind}`);
        }
      } else if (s.id === 4) {
        const n = sr.uleb();
        for (let i = 0; i < n; i++) {
          const t = sr.byte();
          if (t === 0x40) throw new LimitError('tables with initializers are not supported');
          onTable(readLimits(sr));
        }
      } else if (s.id === 5) {
        const n = sr.uleb();
        for (let i = 0; i < n; i++) onMemory(readLimits(sr), false);
      }
    }
  };
  forEachLimits((l, imported) => {
    if ((l.flags & 4) !== 0) throw new LimitError('64-bit memories are not supported');
    if (l.min > capPages) {
      throw new LimitError(`the module's memory starts at ${l.min * PAGE} bytes (${l.min} pages), over limits.memoryBytes (${maxMemoryBytes})`);
    }
    const maxPages = Math.min(l.max ?? capPages, capPages);
    memory = { minPages: l.min, maxPages, imported };
  }, (l) => tables.push(l));
  const tableMin = tables.reduce((n, t) => n + t.min, 0);
  if (tableMin > maxTableElements) {
    throw new LimitError(`the module's tables start with ${tableMin} elements, over the limit of ${maxTableElements}`);
  }
  const slack = tables.length > 0 ? Math.floor((maxTableElements - tableMin) / tables.length) : 0;

  // Second pass: rewrite sections 2, 4 and 5 with capped maximums.
  const out: Uint8Array[] = [wasm.subarray(0, 8)];
  for (const s of sections) {
    if (s.id !== 2 && s.id !== 4 && s.id !== 5) {
      out.push(Uint8Array.from([s.id, ...uleb(s.end - s.start)]), wasm.subarray(s.start, s.end));
      continue;
    }
    const sr = new Reader(wasm, s.end);
    sr.at = s.start;
    const body: number[] = [];
    const copy = (from: number) => { for (let i = from; i < sr.at; i++) body.push(wasm[i]); };
    const n = sr.uleb();
    body.push(...uleb(n));
    const memLimits = (l: Limits) => writeLimits(l, Math.min(l.max ?? capPages, capPages));
    const tableLimits = (l: Limits) => writeLimits(l, Math.min(l.max ?? l.min + slack, l.min + slack));
    for (let i = 0; i < n; i++) {
      if (s.id === 2) {
        const from = sr.at;
        sr.name(); sr.name();
        const kind = sr.byte();
        if (kind === 1) {
          sr.byte();
          copy(from);
          body.push(...tableLimits(readLimits(sr)));
        } else if (kind === 2) {
          copy(from);
          body.push(...memLimits(readLimits(sr)));
        } else {
          if (kind === 0) sr.uleb();
          else if (kind === 3) { sr.byte(); sr.byte(); }
          else { sr.byte(); sr.uleb(); }
          copy(from);
        }
      } else if (s.id === 4) {
        body.push(sr.byte());
        body.push(...tableLimits(readLimits(sr)));
      } else {
        const l = readLimits(sr);
        if (shared) l.flags |= 2;
        body.push(...memLimits(l));
      }
    }
    if (sr.at !== s.end) throw new LimitError(`section ${s.id} has trailing bytes`);
    out.push(Uint8Array.from([s.id, ...uleb(body.length), ...body]));
  }
  const total = out.reduce((n, a) => n + a.length, 0);
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const a of out) { bytes.set(a, at); at += a.length; }
  return { bytes, memory };
}
