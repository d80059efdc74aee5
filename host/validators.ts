// Argument checks for the public API, in one place (as Node's internal/validators.js):
// a wrong type is a TypeError, a number out of range a RangeError, each naming the
// argument as the caller wrote it. The sandbox policy's checks throw PolicyError. The facade's checks follow CPython's argument rules
// (its `i` format: TypeError for a non-integer, OverflowError, here RangeError, outside
// a C int) and its wording.

import { PolicyError } from './errors.js';

/** The text inside single quotes, on one line (control characters escaped). */
export function quote(text: string): string {
  return `'${JSON.stringify(text).slice(1, -1)}'`;
}

/** A value of unknown type, shown in a one-line message. */
export function show(value: unknown): string {
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return 'a function';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Throws a TypeError naming the first key of `obj` that is not in `known`. */
export function validateKeys(obj: Record<string, unknown>, known: readonly string[], where: string): void {
  for (const key of Object.keys(obj)) {
    if (!known.includes(key)) throw new TypeError(`${where}: unknown option '${key}' (known: ${known.join(', ')})`);
  }
}

export function validateObject(v: unknown, name: string): Record<string, unknown> {
  if (!isPlainObject(v)) throw new TypeError(`${name} must be an object, got ${show(v)}`);
  return v;
}

export function validateStringArray(v: unknown, name: string): string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new TypeError(`${name} must be an array of strings, got ${show(v)}`);
  return [...(v as string[])];
}

export function validateStringRecord(v: unknown, name: string): Record<string, string> {
  const o = validateObject(v, name);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(o)) {
    if (typeof x !== 'string') throw new TypeError(`${name}['${k}'] must be a string, got ${show(x)}`);
    out[k] = x;
  }
  return out;
}

export function validateBoolean(v: unknown, name: string): boolean {
  if (typeof v !== 'boolean') throw new TypeError(`${name} must be true or false, got ${show(v)}`);
  return v;
}

/** An integer in [min, max]: TypeError if not an integer, RangeError outside. */
export function validateInteger(v: unknown, name: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`${name} must be an integer, got ${show(v)}`);
  if (v < min || v > max) throw new RangeError(`${name} must be from ${min} to ${max}, got ${v}`);
  return v;
}

export function validateFunction<T extends (...a: never[]) => unknown>(v: unknown, name: string): T {
  if (typeof v !== 'function') throw new TypeError(`${name} must be a function, got ${show(v)}`);
  return v as T;
}

// ── The facade's, in CPython's terms ──────────────────────────────────────────────

/** Bytes-like values setsockopt and send accept. */
export type BytesLike = ArrayBufferView | ArrayBuffer;

export function isCInt(v: unknown): v is number {
  return typeof v === 'number' && (v | 0) === v;
}

/** Python's `i` format: a C int, TypeError for a non-integer, RangeError (OverflowError) outside. */
export function checkInt(v: unknown, what: string): number {
  if (isCInt(v)) return v;
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new TypeError(`${what} must be an integer, not ${typeName(v)}`);
  }
  throw new RangeError(`${what} out of C int range: ${v}`);
}

/** A value's type as CPython's messages name it. */
export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number' && !Number.isInteger(v)) return 'a fractional number';
  return typeof v === 'object' ? (v.constructor?.name ?? 'object') : typeof v;
}

export function isBytesLike(v: unknown): v is BytesLike {
  return ArrayBuffer.isView(v) || v instanceof ArrayBuffer;
}

// ── The sandbox policy's, as PolicyError (a host's bad grant or option name) ────────

/** Is `v` an object that is neither null nor an array? */
export function isObjectNotArray(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Throws on a key of `obj` not in `allowed`. */
export function checkKeys(where: string, obj: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) throw new PolicyError(`unknown ${where} key ${quote(key)}: expected one of ${allowed.join(', ')}`);
  }
}

/** `value` as a list of strings (undefined: none); throws on anything else. */
export function stringList(where: string, value: unknown): readonly string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new PolicyError(`${where} must be an array of strings, got ${show(value)}`);
  for (const item of value) {
    if (typeof item !== 'string') throw new PolicyError(`${where} must be an array of strings, got item ${show(item)}`);
  }
  return value as string[];
}

/** The longest timeout CPython takes: its clock counts nanoseconds in an int64. */
const TIMEOUT_MAX_SECONDS = 9223372036;

/**
 * Python's settimeout argument: null (blocking) or seconds ≥ 0. TypeError for a
 * non-number (CPython: TypeError), RangeError for NaN, a negative value ('Timeout value
 * out of range', CPython's ValueError) or one too large (CPython's OverflowError).
 */
export function validateTimeout(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'number') throw new TypeError(`settimeout takes a number of seconds or null, not ${typeName(v)}`);
  if (Number.isNaN(v)) throw new RangeError('Invalid value NaN (not a number)');
  if (v < 0) throw new RangeError('Timeout value out of range');
  if (v > TIMEOUT_MAX_SECONDS) throw new RangeError('timestamp out of range for platform time_t');
  return v;
}

/**
 * recv_into's and recvfrom_into's (buffer, nbytes), as CPython checks them: a byte view
 * of the buffer, and how many bytes to take (nbytes 0: the buffer's length).
 */
export function intoArgs(buffer: unknown, nbytes: unknown, what: string, tooSmall: string): [Uint8Array, number] {
  if (!ArrayBuffer.isView(buffer)) throw new TypeError(`${what}() argument 1 must be read-write bytes-like object, not ${typeName(buffer)}`);
  const view = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const n = checkInt(nbytes, 'nbytes');
  if (n < 0) throw new RangeError(`negative buffersize in ${what}`);
  if (n > view.length) throw new RangeError(tooSmall);
  return [view, n === 0 ? view.length : n];
}
