// The one place where the host meets core.wasm: loading it, reading the option
// catalogue out of it, and calling its codecs. Everything else in the host asks here.

import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isMainThread, workerData } from 'node:worker_threads';

/** Catalogue levels (core numbering). */
export const LEVEL = { SOCKET: 0, IP: 1, IPV6: 2, TCP: 3, UDP: 4 } as const;

/** Value kinds (core numbering, assembly/catalogue.ts `Kind`). */
export const KIND = {
  INT: 1, BOOL: 2, LINGER: 3, TIMEVAL: 4, IN_ADDR: 5, IP_MREQ: 6, IP_MREQN: 7,
  IPV6_MREQ: 8, IFNAME: 9, STRING: 10, TCP_INFO: 11, UCRED: 12, OPAQUE: 13,
} as const;
export type KindNumber = (typeof KIND)[keyof typeof KIND];

/** Option flags (assembly/catalogue.ts `Flag`). */
export const FLAG = { READ: 1, WRITE: 2, BYTE: 4, ALIAS: 8 } as const;

/** Platforms the catalogue has number columns for. */
export const PLATFORM = { LINUX: 0, MACOS: 1 } as const;
/** This process's platform column. */
export const HOST_PLATFORM: number = process.platform === 'darwin' ? PLATFORM.MACOS : PLATFORM.LINUX;

/** Names of the value kinds, for tables and messages. */
export const KIND_NAMES: Record<number, string> = {
  1: 'int', 2: '0,1', 3: 'linger', 4: 'timeval', 5: 'in_addr', 6: 'ip_mreq', 7: 'ip_mreqn',
  8: 'ipv6_mreq', 9: 'ifname', 10: 'string', 11: 'tcp_info', 12: 'ucred', 13: 'bytes',
};

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
}

/** The exports core.wasm must have: the smoke test and the loader check these. */
export const CORE_EXPORTS: readonly string[] = [
  'memory', 'count', 'name', 'description', 'hint', 'level', 'kind', 'optFlags', 'number',
  'wasmedgeNumber', 'levelCount', 'levelName', 'levelNumber', 'find', 'findLinux', 'findWasmedge', 'guestNumber',
  'symCount', 'symName', 'symNumber', 'bytesPtr', 'fieldsPtr', 'tcpInfoCount', 'tcpInfoName',
  'decode', 'encode', 'convert', 'kindSize', 'minSetLength',
  'familyToHost', 'familyToGuest', 'socktypeToHost', 'socktypeToGuest', 'protocolToHost', 'protocolToGuest', 'shutdownToHost',
  'aiFlagsToHost', 'aiNumericHost', 'eaiToGuest', 'eaiNoName', 'checkHints',
];

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

  constructor(module: WebAssembly.Module) {
    const instance = new WebAssembly.Instance(module, {});
    for (const name of CORE_EXPORTS) {
      if (!(name in instance.exports)) throw new Error(`sockbox: core.wasm lacks export '${name}'`);
    }
    const ex = instance.exports as unknown as CoreExports;
    this.exports = ex;
    this.bytesAt = ex.bytesPtr();
    this.fieldsAt = ex.fieldsPtr();

    const levels = [];
    for (let l = 0; l < ex.levelCount(); l++) {
      const linux = ex.levelNumber(l, PLATFORM.LINUX);
      const macos = ex.levelNumber(l, PLATFORM.MACOS);
      levels.push({ name: this.str(ex.levelName(l)), linux, macos, host: HOST_PLATFORM === PLATFORM.MACOS ? macos : linux });
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
        linux: ex.number(id, PLATFORM.LINUX),
        macos: ex.number(id, PLATFORM.MACOS),
        hostLevel: levels[level].host,
        hostNumber: ex.number(id, HOST_PLATFORM),
        kind: ex.kind(id),
        readable: (flags & FLAG.READ) !== 0,
        writable: (flags & FLAG.WRITE) !== 0,
        byteOk: (flags & FLAG.BYTE) !== 0,
        alias: (flags & FLAG.ALIAS) !== 0,
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
      const value = ex.symNumber(i, HOST_PLATFORM);
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
  decode(kind: number, bytes: Uint8Array, platform: number = HOST_PLATFORM): bigint[] | number {
    if (bytes.length > 1024) return -28;
    this.bytes().set(bytes);
    const n = this.exports.decode(kind, platform, bytes.length);
    if (n < 0) return n;
    return Array.from(this.fields().subarray(0, n));
  }

  /**
   * Encodes fields (and, for strings and opaque kinds, `payload`) into kernel bytes.
   * Returns a copy of the bytes or a negative WASI errno.
   */
  encode(kind: number, fields: readonly bigint[], payload?: Uint8Array, platform: number = HOST_PLATFORM): Uint8Array | number {
    if (fields.length > 64) return -28;
    if (payload) {
      if (payload.length > 1024) return -28;
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
