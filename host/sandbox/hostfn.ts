// Host functions: imports the host application gives a guest (`imports` on the
// Sandbox), called with a context that reads and writes the guest's memory.
//
// Inline, a host function runs in place. In a worker it runs on the thread that made
// the Sandbox, while the guest's thread waits (killably) for the answer: the guest's
// memory is then a shared WebAssembly.Memory (wasm-module.ts makes it so at compile
// time), which the context reads and writes directly.

import type { FuncType, ValType } from './wasm-module.js';
import { show } from '../validators.js';

export { HostFailure } from './unwind.js';

/** What a host function gets besides the guest's arguments. Valid only during the call. */
export interface HostCallContext {
  /** The sandbox whose guest called. */
  readonly sandbox: unknown;
  /** The import's module and name, as the guest imports it. */
  readonly module: string;
  readonly name: string;
  /** Size of the guest's memory in bytes, now. */
  readonly memorySize: number;
  /** A copy of guest memory [ptr, ptr+len). RangeError when outside it. */
  read(ptr: number, len: number): Uint8Array;
  /** Guest memory [ptr, ptr+len) as UTF-8 text. RangeError when outside it. */
  readString(ptr: number, len: number): string;
  /** Writes bytes (or UTF-8 text) at ptr; returns the number of bytes written. RangeError when outside it. */
  write(ptr: number, data: Uint8Array | string): number;
}

/**
 * A host function: the guest's arguments (i32/f32/f64 as numbers, i64 as bigint) after
 * the context. Its return value goes back to the guest (a number, or a bigint for an
 * i64 result; nothing for none). In a worker it may return a promise.
 */
export type HostFunction = (ctx: HostCallContext, ...args: (number | bigint)[]) => unknown;

/** imports: { module: { name: HostFunction } }. */
export type HostImports = Record<string, Record<string, HostFunction>>;

/** Modules the sandbox itself provides: a host function may not take their names. */
export const RESERVED_MODULES = ['wasi_snapshot_preview1', 'sockbox', 'wasi_unstable'] as const;

/** Checks and copies `imports` (the functions are kept, the objects are not). */
export function validateHostImports(v: unknown): HostImports {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new TypeError(`imports must be an object of modules, got ${show(v)}`);
  const out: HostImports = {};
  for (const [module, fns] of Object.entries(v as Record<string, unknown>)) {
    if ((RESERVED_MODULES as readonly string[]).includes(module)) {
      throw new TypeError(`imports['${module}']: that module is the sandbox's own (WASI and the socket ABI); use another module name`);
    }
    if (typeof fns !== 'object' || fns === null || Array.isArray(fns)) throw new TypeError(`imports['${module}'] must be an object of functions, got ${show(fns)}`);
    out[module] = {};
    for (const [name, fn] of Object.entries(fns as Record<string, unknown>)) {
      if (typeof fn !== 'function') throw new TypeError(`imports['${module}']['${name}'] must be a function, got ${show(fn)}`);
      out[module][name] = fn as HostFunction;
    }
  }
  return out;
}

/** Converts one value for a wasm value type, or throws a TypeError saying why. */
function toWasm(type: ValType, v: unknown): number | bigint {
  if (type === 'i64') {
    if (typeof v === 'bigint') return BigInt.asIntN(64, v);
    if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
    if (typeof v === 'boolean') return v ? 1n : 0n;
    throw new TypeError(`returned ${show(v)} for an i64 result (a bigint or an integer is needed)`);
  }
  if (type === 'i32') {
    if (typeof v === 'number' && Number.isFinite(v)) return v | 0;
    if (typeof v === 'bigint') return Number(BigInt.asIntN(32, v));
    if (typeof v === 'boolean') return v ? 1 : 0;
    throw new TypeError(`returned ${show(v)} for an i32 result (a number is needed)`);
  }
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  throw new TypeError(`returned ${show(v)} for an ${type} result (a number is needed)`);
}

/**
 * The guest-facing value of a host function's return value, by the import's type:
 * undefined for no result, a value, or an array for several. Throws a TypeError when
 * the value does not fit.
 */
export function resultFor(type: FuncType | undefined, v: unknown): unknown {
  const results = type?.results ?? [];
  if (results.length === 0) return undefined;
  if (results.length === 1) return toWasm(results[0], v);
  if (!Array.isArray(v) || v.length !== results.length) throw new TypeError(`returned ${show(v)} for ${results.length} results (an array is needed)`);
  return results.map((t, i) => toWasm(t, v[i]));
}

/** A context over a guest memory, for the length of one call. */
export class MemoryContext implements HostCallContext {
  private live = true;
  constructor(
    readonly sandbox: unknown,
    readonly module: string,
    readonly name: string,
    private readonly memory: () => WebAssembly.Memory | undefined,
  ) {}

  /** Ends the context: later use throws (the guest may be running again). */
  end(): void {
    this.live = false;
  }

  private bytes(): Uint8Array {
    if (!this.live) throw new Error(`the context of host function ${this.module}.${this.name} was used after the call returned`);
    const m = this.memory();
    if (!m) throw new Error('the guest has no memory yet');
    return new Uint8Array(m.buffer);
  }

  private range(u8: Uint8Array, ptr: number, len: number, what: string): void {
    if (!Number.isInteger(ptr) || !Number.isInteger(len) || ptr < 0 || len < 0 || ptr + len > u8.length) {
      throw new RangeError(`${what}(${ptr}, ${len}) is outside the guest's memory (${u8.length} bytes)`);
    }
  }

  /**
   * @internal The guest's memory itself, valid for the guest's life (not only during the
   * call): for the relay's session (host/relay/session.ts), which fills and reads its
   * shadow guest's memory between calls, while that guest waits. Not for host functions.
   */
  memoryObject(): WebAssembly.Memory | undefined {
    return this.memory();
  }

  get memorySize(): number {
    return this.bytes().length;
  }

  read(ptr: number, len: number): Uint8Array {
    const u8 = this.bytes();
    this.range(u8, ptr, len, 'read');
    return u8.slice(ptr, ptr + len);
  }

  readString(ptr: number, len: number): string {
    const u8 = this.bytes();
    this.range(u8, ptr, len, 'readString');
    return Buffer.from(u8.buffer, u8.byteOffset + ptr, len).toString('utf8');
  }

  write(ptr: number, data: Uint8Array | string): number {
    const u8 = this.bytes();
    const b = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    if (!(b instanceof Uint8Array)) throw new TypeError(`write() takes a Uint8Array or a string, got ${show(data)}`);
    this.range(u8, ptr, b.length, 'write');
    u8.set(b, ptr);
    return b.length;
  }
}
