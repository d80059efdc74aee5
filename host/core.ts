// The one place where the host meets core.wasm: loading it, reading the option
// catalogue out of it, and calling its codecs. Everything else in the host asks here.

import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isMainThread, workerData } from 'node:worker_threads';

// The catalogue's enums (assembly/catalogue.ts `Level`, `Kind`, `Flag`, `Platform`):
// the names are the host's, the numbers the core's. core.wasm exports each as a global
// PREFIX_NAME (assembly/index.ts); loading checks that both sides name the same set.
const LEVEL_KEYS = ['SOCKET', 'IP', 'IPV6', 'TCP', 'UDP'] as const;
const KIND_KEYS = [
  'INT', 'BOOL', 'LINGER', 'TIMEVAL', 'IN_ADDR', 'IP_MREQ', 'IP_MREQN', 'IPV6_MREQ', 'IFNAME',
  'STRING', 'TCP_INFO', 'UCRED', 'OPAQUE',
] as const;
const FLAG_KEYS = ['READ', 'WRITE', 'BYTE', 'ALIAS'] as const;
const PLATFORM_KEYS = ['LINUX', 'MACOS'] as const;
/** The WasmEdge ABI's own numbers (assembly/guestabi.ts GUEST_*), for the host's ABI codecs. */
const GUEST_KEYS = ['AF_INET4', 'AF_INET6', 'SOCK_ANY', 'SOCK_DGRAM', 'SOCK_STREAM', 'SOL_SOCKET'] as const;

/** A catalogue level (LEVEL.*). */
export type LevelNumber = number;
/** A value kind (KIND.*). */
export type KindNumber = number;
/** A platform column (PLATFORM.*). */
export type PlatformNumber = number;

/** One row of the catalogue, as the host sees it. */
export interface OptionInfo {
  /** Catalogue id (row number in core.wasm). */
  readonly id: number;
  readonly name: string;
  /** Level name: 'SOL_SOCKET', 'IPPROTO_IP', 'IPPROTO_IPV6', 'IPPROTO_TCP', 'IPPROTO_UDP'. */
  readonly levelName: string;
  /** Catalogue level (LEVEL.*). */
  readonly level: number;
  /** Linux option number, or -1 when absent on Linux. */
  readonly linux: number;
  /** macOS option number, or -1 when absent on macOS. */
  readonly macos: number;
  /** This host's level number. */
  readonly hostLevel: number;
  /** This host's option number, or -1 when absent here. */
  readonly hostNumber: number;
  /** Value kind (KIND.*). */
  readonly kind: number;
  readonly readable: boolean;
  readonly writable: boolean;
  /** Linux takes and gives a single byte for this IP-level int. */
  readonly byteOk: boolean;
  /** Another name for an earlier row's number. */
  readonly alias: boolean;
  /** WasmEdge SOL_SOCKET number, or -1. */
  readonly wasmedge: number;
  /** Number in the sockbox guest ABI: Linux's, or 0x10000 + macOS's when Linux lacks it. */
  readonly guest: number;
  readonly description: string;
  /** Where the option exists when absent somewhere ('' when everywhere). */
  readonly hint: string;
}

interface CoreExports {
  memory: WebAssembly.Memory;
  count(): number;
  name(id: number): number;
  description(id: number): number;
  hint(id: number): number;
  level(id: number): number;
  kind(id: number): number;
  optFlags(id: number): number;
  number(id: number, platform: number): number;
  wasmedgeNumber(id: number): number;
  levelCount(): number;
  levelName(l: number): number;
  levelNumber(l: number, platform: number): number;
  find(platform: number, level: number, opt: number): number;
  findLinux(level: number, opt: number): number;
  findWasmedge(opt: number): number;
  guestNumber(id: number): number;
  symCount(): number;
  symName(i: number): number;
  symNumber(i: number, platform: number): number;
  bytesPtr(): number;
  fieldsPtr(): number;
  tcpInfoCount(): number;
  tcpInfoName(i: number): number;
  decode(kind: number, platform: number, len: number): number;
  encode(kind: number, platform: number): number;
  convert(kind: number, from: number, to: number, len: number): number;
  kindSize(kind: number, platform: number): number;
  minSetLength(kind: number, byteOk: number): number;
  // Guest-ABI numbering (assembly/guestabi.ts): each takes the platform last.
  familyToHost(af: number, platform: number): number;
  familyToGuest(af: number, platform: number): number;
  socktypeToHost(type: number, platform: number): number;
  socktypeToGuest(type: number, platform: number): number;
  protocolToHost(protocol: number, platform: number): number;
  protocolToGuest(protocol: number, platform: number): number;
  shutdownToHost(how: number, platform: number): number;
  aiFlagsToHost(flags: number, platform: number): number;
  aiNumericHost(platform: number): number;
  eaiToGuest(rc: number, platform: number): number;
  eaiNoName(platform: number): number;
  checkHints(flags: number, family: number, socktype: number, protocol: number, maxLen: number, hasNode: number, hasService: number): number;
  kindName(kind: number): number;
  ERRNO_INVAL: WebAssembly.Global;
}

/** The exports core.wasm must have: the smoke test and the loader check these. */
export const CORE_EXPORTS: readonly string[] = [
  'memory', 'count', 'name', 'description', 'hint', 'level', 'kind', 'optFlags', 'number',
  'wasmedgeNumber', 'levelCount', 'levelName', 'levelNumber', 'find', 'findLinux', 'findWasmedge', 'guestNumber',
  'symCount', 'symName', 'symNumber', 'bytesPtr', 'fieldsPtr', 'tcpInfoCount', 'tcpInfoName',
  'decode', 'encode', 'convert', 'kindSize', 'minSetLength',
  'familyToHost', 'familyToGuest', 'socktypeToHost', 'socktypeToGuest', 'protocolToHost', 'protocolToGuest', 'shutdownToHost',
  'aiFlagsToHost', 'aiNumericHost', 'eaiToGuest', 'eaiNoName', 'checkHints', 'kindName', 'ERRNO_INVAL',
];

/** An enum of the catalogue, read from core.wasm's PREFIX_NAME globals. */
function readEnum<K extends string>(exports: WebAssembly.Exports, prefix: string, keys: readonly K[]): Readonly<Record<K, number>> {
  const out = {} as Record<K, number>;
  for (const key of keys) {
    const g = exports[`${prefix}_${key}`];
    if (!(g instanceof WebAssembly.Global)) throw new Error(`sockbox: core.wasm lacks export '${prefix}_${key}'`);
    out[key] = g.value as number;
  }
  for (const name of Object.keys(exports)) {
    if (name.startsWith(`${prefix}_`) && !(keys as readonly string[]).includes(name.slice(prefix.length + 1))) {
      throw new Error(`sockbox: core.wasm exports '${name}', which host/core.ts does not know`);
    }
  }
  return Object.freeze(out);
}

/** Where core.wasm is: beside the bundle (dist/index.js) or, from source, in ../dist. */
export function coreWasmPath(): string {
  const candidates = [new URL('./core.wasm', import.meta.url), new URL('../dist/core.wasm', import.meta.url)];
  for (const url of candidates) {
    const path = fileURLToPath(url);
    if (existsSync(path)) return path;
  }
  throw new Error('sockbox: dist/core.wasm not found; run `npm run build`');
}

/** The loaded core: catalogue tables and codec calls. */
export class Core {
  readonly exports: CoreExports;
  /** Catalogue levels (core numbering). */
  readonly LEVEL: Readonly<Record<(typeof LEVEL_KEYS)[number], LevelNumber>>;
  /** Value kinds (core numbering). */
  readonly KIND: Readonly<Record<(typeof KIND_KEYS)[number], KindNumber>>;
  /** The WasmEdge ABI's numbering: families, socket types, its option level. */
  readonly GUEST: Readonly<Record<(typeof GUEST_KEYS)[number], number>>;
  /** Option flag bits. */
  readonly FLAG: Readonly<Record<(typeof FLAG_KEYS)[number], number>>;
  /** Platforms the catalogue has number columns for. */
  readonly PLATFORM: Readonly<Record<(typeof PLATFORM_KEYS)[number], PlatformNumber>>;
  /** This process's platform column. */
  readonly hostPlatform: PlatformNumber;
  /** Value kind -> its name for tables and messages ('int', '0,1', ...). */
  readonly kindNames: Readonly<Record<number, string>>;
  readonly options: readonly OptionInfo[];
  readonly byName: ReadonlyMap<string, OptionInfo>;
  /** Level name -> { linux, macos } numbers. */
  readonly levels: readonly { name: string; linux: number; macos: number; host: number }[];
  /** Non-option constants: name -> host number (absent names left out). */
  readonly symbols: ReadonlyMap<string, number>;
  readonly tcpInfoFields: readonly string[];
  private readonly hostIndex = new Map<number, OptionInfo>();
  private bytesAt: number;
  private fieldsAt: number;
  /** -INVAL: what decode/encode answer when their input does not fit the core's areas. */
  private readonly inval: number;

  constructor(module: WebAssembly.Module) {
    const instance = new WebAssembly.Instance(module, {});
    for (const name of CORE_EXPORTS) {
      if (!(name in instance.exports)) throw new Error(`sockbox: core.wasm lacks export '${name}'`);
    }
    const ex = instance.exports as unknown as CoreExports;
    this.exports = ex;
    this.bytesAt = ex.bytesPtr();
    this.fieldsAt = ex.fieldsPtr();
    this.inval = -(ex.ERRNO_INVAL.value as number);
    this.LEVEL = readEnum(instance.exports, 'LEVEL', LEVEL_KEYS);
    this.KIND = readEnum(instance.exports, 'KIND', KIND_KEYS);
    this.FLAG = readEnum(instance.exports, 'FLAG', FLAG_KEYS);
    this.PLATFORM = readEnum(instance.exports, 'PLATFORM', PLATFORM_KEYS);
    this.GUEST = readEnum(instance.exports, 'GUEST', GUEST_KEYS);
    const { LINUX, MACOS } = this.PLATFORM;
    const here = process.platform === 'darwin' ? MACOS : LINUX;
    this.hostPlatform = here;
    const { READ, WRITE, BYTE, ALIAS } = this.FLAG;
    const kindNames: Record<number, string> = {};
    for (const k of Object.values(this.KIND)) kindNames[k] = this.str(ex.kindName(k));
    this.kindNames = Object.freeze(kindNames);

    const levels = [];
    for (let l = 0; l < ex.levelCount(); l++) {
      const linux = ex.levelNumber(l, LINUX);
      const macos = ex.levelNumber(l, MACOS);
      levels.push({ name: this.str(ex.levelName(l)), linux, macos, host: here === MACOS ? macos : linux });
    }
    this.levels = levels;

    const options: OptionInfo[] = [];
    const byName = new Map<string, OptionInfo>();
    for (let id = 0; id < ex.count(); id++) {
      const level = ex.level(id);
      const flags = ex.optFlags(id);
      const info: OptionInfo = {
        id,
        name: this.str(ex.name(id)),
        levelName: levels[level].name,
        level,
        linux: ex.number(id, LINUX),
        macos: ex.number(id, MACOS),
        hostLevel: levels[level].host,
        hostNumber: ex.number(id, here),
        kind: ex.kind(id),
        readable: (flags & READ) !== 0,
        writable: (flags & WRITE) !== 0,
        byteOk: (flags & BYTE) !== 0,
        alias: (flags & ALIAS) !== 0,
        wasmedge: ex.wasmedgeNumber(id),
        guest: ex.guestNumber(id),
        description: this.str(ex.description(id)),
        hint: this.str(ex.hint(id)),
      };
      options.push(info);
      byName.set(info.name, info);
      if (info.hostNumber >= 0 && !info.alias) {
        const key = hostKey(info.hostLevel, info.hostNumber);
        if (!this.hostIndex.has(key)) this.hostIndex.set(key, info);
      }
    }
    this.options = options;
    this.byName = byName;

    const symbols = new Map<string, number>();
    for (let i = 0; i < ex.symCount(); i++) {
      const value = ex.symNumber(i, here);
      if (value >= 0) symbols.set(this.str(ex.symName(i)), value);
    }
    this.symbols = symbols;

    const fields = [];
    for (let i = 0; i < ex.tcpInfoCount(); i++) fields.push(this.str(ex.tcpInfoName(i)));
    this.tcpInfoFields = fields;
  }

  /** The option with this host's (level, optname) numbers, if the catalogue has it. */
  findHost(level: number, optname: number): OptionInfo | undefined {
    return this.hostIndex.get(hostKey(level, optname));
  }

  /** The byte scratch area (1024 bytes), as a fresh view (memory may have grown). */
  bytes(): Uint8Array {
    return new Uint8Array(this.exports.memory.buffer, this.bytesAt, 1024);
  }

  /** The field area (64 x i64), as a fresh view. */
  fields(): BigInt64Array {
    return new BigInt64Array(this.exports.memory.buffer, this.fieldsAt, 64);
  }

  /**
   * Decodes kernel bytes of a kind into fields. Returns the fields (a copy) or a
   * negative WASI errno.
   */
  decode(kind: number, bytes: Uint8Array, platform: number = this.hostPlatform): bigint[] | number {
    if (bytes.length > 1024) return this.inval;
    this.bytes().set(bytes);
    const n = this.exports.decode(kind, platform, bytes.length);
    if (n < 0) return n;
    return Array.from(this.fields().subarray(0, n));
  }

  /**
   * Encodes fields (and, for strings and opaque kinds, `payload`) into kernel bytes.
   * Returns a copy of the bytes or a negative WASI errno.
   */
  encode(kind: number, fields: readonly bigint[], payload?: Uint8Array, platform: number = this.hostPlatform): Uint8Array | number {
    if (fields.length > 64) return this.inval;
    if (payload) {
      if (payload.length > 1024) return this.inval;
      this.bytes().set(payload);
    }
    this.fields().set(fields);
    const n = this.exports.encode(kind, platform);
    if (n < 0) return n;
    return this.bytes().slice(0, n);
  }

  /** Reads an AssemblyScript string (UTF-16LE, byte length stored just before it). */
  private str(ptr: number): string {
    if (ptr === 0) return '';
    const mem = this.exports.memory.buffer;
    const byteLength = new DataView(mem).getUint32(ptr - 4, true);
    return Buffer.from(mem, ptr, byteLength).toString('utf16le');
  }
}

function hostKey(level: number, optname: number): number {
  return level * 0x10000 + optname;
}

let loaded: Core | undefined;
let loadedModule: WebAssembly.Module | undefined;

/**
 * The compiled core.wasm module, compiled once per process: a sandbox worker gets
 * its parent's module in workerData (`coreModule`) instead of compiling again.
 */
export function coreModule(): WebAssembly.Module {
  if (!loadedModule) {
    const given = isMainThread ? undefined : (workerData as { coreModule?: unknown } | null)?.coreModule;
    loadedModule = given instanceof WebAssembly.Module ? given : new WebAssembly.Module(readFileSync(coreWasmPath()));
  }
  return loadedModule;
}

/** The core, loaded once per thread. */
export function core(): Core {
  loaded ??= new Core(coreModule());
  return loaded;
}

// The catalogue's enums and this host's platform column, from the core (loading it
// here, once per thread: nearly every importer needs it at once anyway).
const loadedCore = core();
/** Catalogue levels (core numbering, assembly/catalogue.ts `Level`). */
export const LEVEL = loadedCore.LEVEL;
/** Value kinds (core numbering, assembly/catalogue.ts `Kind`). */
export const KIND = loadedCore.KIND;
/** The WasmEdge ABI's numbering (assembly/guestabi.ts). */
export const GUEST = loadedCore.GUEST;
/** Option flags (assembly/catalogue.ts `Flag`). */
export const FLAG = loadedCore.FLAG;
/** Platforms the catalogue has number columns for (assembly/catalogue.ts `Platform`). */
export const PLATFORM = loadedCore.PLATFORM;
/** This process's platform column. */
export const HOST_PLATFORM: PlatformNumber = loadedCore.hostPlatform;
/** Names of the value kinds, for tables and messages ('int', '0,1', ...). */
export const KIND_NAMES: Readonly<Record<number, string>> = loadedCore.kindNames;
