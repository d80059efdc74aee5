// The catalogue as public data, read from core.wasm (the only place it is written).

import { core, KIND_NAMES } from './core.js';

/** One option of the catalogue. */
export interface CatalogueEntry {
  name: string;
  /** 'SOL_SOCKET', 'IPPROTO_IP', 'IPPROTO_IPV6', 'IPPROTO_TCP' or 'IPPROTO_UDP'. */
  level: string;
  /** Linux number, or null when Linux lacks it. */
  linux: number | null;
  /** macOS number, or null when macOS lacks it. */
  macos: number | null;
  /** Value kind: 'int', '0,1', 'linger', 'timeval', 'in_addr', 'ip_mreq', ... */
  kind: string;
  readable: boolean;
  writable: boolean;
  description: string;
  /** Where it exists when absent somewhere ('' when everywhere). */
  hint: string;
}

/** Every option sockbox knows, in catalogue order. */
export function catalogue(): CatalogueEntry[] {
  return core().options.map((o) => ({
    name: o.name,
    level: o.levelName,
    linux: o.linux < 0 ? null : o.linux,
    macos: o.macos < 0 ? null : o.macos,
    kind: KIND_NAMES[o.kind],
    readable: o.readable,
    writable: o.writable,
    description: o.description,
    hint: o.hint,
  }));
}
