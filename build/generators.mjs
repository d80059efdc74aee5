// The code generators: what `npm run generate` (build/generate.mjs) writes, and what
// test/generated.test.ts checks is current. Their inputs are the two tables, read from
// the built host (node build/build.mjs): the option catalogue (dist/core.wasm, through
// dist/core.js) and the errno table (host/native/errno.ts WASI_ERRNOS, as dist/errno.js).
//
//   docs/OPTIONS.md               the option table (between the OPTIONS markers)
//   guest/assembly/constants.ts   the AssemblyScript library's option constants
//                                 (between the OPTIONS markers)
//   guest/assembly/errno.ts       its errno constants and names (between the ERRNOS markers)
//   guest/c/sockbox.h             the C SDK's option macros (between the OPTIONS markers)
//   guest/c/sockbox.c             the C SDK's errno tables (between the ERRNOS markers)
//   assembly/errno.ts             the core's errno constants (the whole file)
//   host/option-types.ts          the option names and value types of getOption /
//                                 setOption, and TcpInfo (the whole file)
//   host/constants.ts             the type of `constants` (between the CONSTANTS markers)

import { existsSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { core, KIND_NAMES, KIND, PLATFORM } from '../dist/core.js';
import { WASI_ERRNOS } from '../dist/errno.js';
import { optionsTable } from '../dist/table.js';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// ── Options ─────────────────────────────────────────────────────────────────

/** The AssemblyScript methods that read and set a value kind (guest/assembly/socket.ts). */
const AS_ACCESSORS = {
  '0,1': ['getBool', 'setBool'], int: ['getsockopt', 'setsockopt'], linger: ['getLinger', 'setLinger'],
  timeval: ['getTimeval', 'setTimeval'], in_addr: ['getInAddr', 'setInAddr'], ip_mreq: ['', 'setIpMreq'],
  ip_mreqn: ['', 'setIpMreq'], ipv6_mreq: ['', 'setIpv6Mreq'], ifname: ['getString', 'setString'],
  string: ['getString', 'setString'], tcp_info: ['getTcpInfo', ''], ucred: ['getsockoptBytes', ''],
  bytes: ['getsockoptBytes', 'setsockoptBytes'],
};

/**
 * The option constants of the AssemblyScript library (guest/assembly/constants.ts),
 * one per catalogue row in the guest ABI's numbering: Linux's, or 0x10000 + macOS's
 * for an option Linux lacks.
 */
export function asConstants() {
  const out = [];
  for (const level of core().levels) {
    out.push(`// ── ${level.name} ${'─'.repeat(Math.max(3, 60 - level.name.length))}`, '');
    for (const o of core().options.filter((x) => x.levelName === level.name)) {
      const kind = KIND_NAMES[o.kind];
      const [get, set] = AS_ACCESSORS[kind];
      const access = o.readable && o.writable ? `get/set: ${get}/${set}` : o.readable ? `get only: ${get}` : `set only: ${set}`;
      const bsd = o.linux < 0 ? ' BSD/macOS only: NOPROTOOPT on a Linux host.' : '';
      const value = o.linux >= 0 ? String(o.linux) : `0x10000 + ${o.macos}`;
      out.push(`/** ${o.description} [${kind}, ${access}]${bsd} */`, `@inline export const ${o.name}: i32 = ${value};`);
    }
    out.push('');
  }
  return out.join('\n').trimEnd();
}

/**
 * The C SDK's option macros (guest/c/sockbox.h): the SOL_SOCKET options wasi-libc's
 * headers may lack, with Linux's numbers, and SOCKBOX_<NAME> for the options only
 * BSD/macOS have (0x10000 + the macOS number, the guest ABI's numbering).
 */
export function cOptionMacros() {
  const out = [
    '/* SOL_SOCKET options: every one sockbox\'s catalogue has on Linux. SO_TYPE (3)',
    ' * comes from wasi-libc and is Linux\'s number already. SO_RCVTIMEO/SO_SNDTIMEO',
    ' * take the 16-byte timeval form, which wasi-libc\'s struct timeval is. */',
  ];
  const opts = core().options.filter((o) => !o.alias);
  for (const o of opts.filter((x) => x.levelName === 'SOL_SOCKET' && x.linux >= 0 && x.name !== 'SO_TYPE').sort((a, b) => a.linux - b.linux)) {
    out.push(`#ifndef ${o.name}`, `#define ${o.name} ${o.linux}`, '#endif');
  }
  out.push(
    '',
    '/* Options only BSD/macOS have: 0x10000 + the macOS number (the sockbox ABI\'s',
    ' * numbering for them). On a Linux host they fail with ENOPROTOOPT. */',
    '#define SOCKBOX_BSD_OPTION(macos_number) (0x10000 + (macos_number))',
  );
  for (const o of opts.filter((x) => x.linux < 0)) out.push(`#define SOCKBOX_${o.name} SOCKBOX_BSD_OPTION(0x${o.macos.toString(16)})`);
  return out.join('\n');
}

// ── TypeScript types of the facade ─────────────────────────────────────────

/**
 * The TypeScript types of a value kind (assembly/catalogue.ts `Kind`): [what getOption
 * gives, what setOption takes], as host/options.ts decodes and encodes them; null: the
 * kind cannot be set (setOption answers ENOPROTOOPT).
 */
const KIND_TYPES = {
  INT: ['number', 'number'],
  BOOL: ['boolean', 'boolean | 0 | 1'],
  LINGER: ['Linger', 'Linger'],
  TIMEVAL: ['Timeval', 'Timeval'],
  IN_ADDR: ['string', 'string'],
  IP_MREQ: ['IpMreq', 'IpMreqInput'],
  IP_MREQN: ['IpMreqn', 'IpMreqInput'],
  IPV6_MREQ: ['Ipv6Mreq', 'Ipv6MreqInput'],
  IFNAME: ['string', 'string'],
  STRING: ['string', 'string'],
  TCP_INFO: ['TcpInfo', null],
  UCRED: ['Ucred', null],
  OPAQUE: ['Uint8Array', 'ArrayBufferView'],
};

/** [getter type, setter type] of an option, from its kind. */
function kindTypes(o) {
  const key = Object.keys(KIND).find((k) => KIND[k] === o.kind);
  const types = key && KIND_TYPES[key];
  if (!types) throw new Error(`generate: no TypeScript type for kind ${key ?? o.kind} (${o.name}); add it to KIND_TYPES`);
  if (o.writable && !types[1]) throw new Error(`generate: ${o.name} is writable but kind ${key} cannot be set`);
  return types;
}

/**
 * sizeof(struct tcp_info) in Linux 4.18, the oldest kernel Node 20 runs on (Node's
 * BUILDING.md: kernel >= 4.18): it ends with tcpi_delivered_ce (include/uapi/linux/tcp.h;
 * tcpi_bytes_sent and later came in 4.19). Fields past it may be absent.
 */
const TCP_INFO_SIZE_4_18 = 200;

/**
 * The fields of TcpInfo as the core decodes them: name, TypeScript type, optional.
 * The core's codec is the source: a struct of 0xff bytes shows each field's width
 * (an 8-byte field decodes as -1: it may exceed 2^53 and come back a bigint), and a
 * 4.18-sized struct shows which fields every supported kernel returns.
 */
function tcpInfoFields() {
  const c = core();
  const size = c.exports.kindSize(KIND.TCP_INFO, PLATFORM.LINUX);
  const wide = c.decode(KIND.TCP_INFO, new Uint8Array(size).fill(0xff), PLATFORM.LINUX);
  const old = c.decode(KIND.TCP_INFO, new Uint8Array(TCP_INFO_SIZE_4_18), PLATFORM.LINUX);
  if (typeof wide === 'number' || typeof old === 'number' || wide.length !== c.tcpInfoFields.length) {
    throw new Error('generate: the core does not decode a whole struct tcp_info');
  }
  return c.tcpInfoFields.map((name, i) => ({ name, type: wide[i] < 0n ? 'number | bigint' : 'number', optional: i >= old.length }));
}

/** An AssemblyScript string in core memory (UTF-16LE, byte length just before it; host/core.ts). */
function coreString(ptr) {
  const mem = core().exports.memory.buffer;
  return Buffer.from(mem, ptr, new DataView(mem).getUint32(ptr - 4, true)).toString('utf16le');
}

/** Every name `constants` can hold, with whether Linux has it (catalogue order). */
function constantNames() {
  const c = core();
  const names = new Map();
  const add = (name, linux, hint = '') => {
    const had = names.get(name);
    names.set(name, { linux: (had?.linux ?? false) || linux >= 0, hint: had?.hint || hint });
  };
  for (let i = 0; i < c.exports.symCount(); i++) {
    add(coreString(c.exports.symName(i)), c.exports.symNumber(i, PLATFORM.LINUX));
  }
  for (const level of c.levels) add(level.name, level.linux);
  for (const o of c.options) add(o.name, o.linux, o.hint);
  return names;
}

/** The type of `constants` (host/constants.ts, between the CONSTANTS markers). */
export function constantsType() {
  const out = [
    '/**',
    ' * The names `constants` has, typed for Linux (the tested platform): a name Linux has',
    ' * is a `number`; one only BSD/macOS have is optional, absent on Linux. On macOS the',
    ' * Linux-only names are absent instead. Any other name reads as `number | undefined`.',
    ' */',
    'export interface Constants {',
    '  readonly [name: string]: number | undefined;',
  ];
  for (const [name, { linux, hint }] of constantNames()) {
    out.push(linux ? `  readonly ${name}: number;` : `  /** ${hint || `${name} is BSD/macOS only`}. */ readonly ${name}?: number;`);
  }
  out.push('}');
  return out.join('\n');
}

/** host/option-types.ts (the whole file): option names, value types and TcpInfo. */
export function optionTypes() {
  const opts = core().options;
  const used = new Set();
  const line = (o, type) => {
    if (/^[A-Z]/.test(type)) for (const t of type.split(' | ')) used.add(t);
    const note = o.linux < 0 ? ` ${o.hint || `${o.name} is BSD/macOS only`}.` : '';
    return `  /** ${o.description}${note} */ ${o.name}: ${type};`;
  };
  const getters = opts.filter((o) => o.readable).map((o) => line(o, kindTypes(o)[0]));
  const setters = opts.filter((o) => o.writable).map((o) => line(o, kindTypes(o)[1]));
  const names = opts.map((o) => `'${o.name}'`);
  const union = [];
  for (let i = 0; i < names.length; i += 5) union.push(`  | ${names.slice(i, i + 5).join(' | ')}`);
  const fromOptions = [...used].filter((t) => t !== 'TcpInfo' && t !== 'Uint8Array' && t !== 'ArrayBufferView').sort();
  return [
    '// GENERATED by `npm run generate` (build/generators.mjs) from the option catalogue',
    '// (assembly/catalogue.ts) and the core\'s tcp_info codec (assembly/codecs.ts); do not edit.',
    '//',
    '// The types that carry the catalogue into TypeScript: Socket.getOption and setOption',
    '// take these names and give and take these values (host/options.ts decodes them).',
    '',
    `import type { ${fromOptions.join(', ')} } from './options.js';`,
    '',
    '/** Every option name of the catalogue (those absent here fail at run time with ENOPROTOOPT). */',
    'export type OptionName =',
    ...union.map((l, i) => (i === union.length - 1 ? `${l};` : l)),
    '',
    '/** What getOption gives, by option name: every option that can be read. */',
    'export interface OptionValues {',
    ...getters,
    '}',
    '',
    '/** What setOption takes, by option name: every option that can be set. */',
    'export interface OptionInputs {',
    ...setters,
    '}',
    '',
    '/** The options getOption reads (set-only ones, such as IP_ADD_MEMBERSHIP, are left out). */',
    'export type ReadableOptionName = keyof OptionValues;',
    '/** The options setOption sets (read-only ones, such as TCP_INFO, are left out). */',
    'export type WritableOptionName = keyof OptionInputs;',
    '',
    '/**',
    ' * TCP_INFO (Linux): the fields of struct tcp_info the core decodes',
    ' * (include/uapi/linux/tcp.h, without the tcpi_ prefix). A 64-bit field is a bigint',
    ' * when it exceeds Number.MAX_SAFE_INTEGER. The optional ones are newer than Linux',
    ' * 4.18 and absent when the kernel is older.',
    ' */',
    'export interface TcpInfo {',
    ...tcpInfoFields().map((f) => `  ${f.name}${f.optional ? '?' : ''}: ${f.type};`),
    '}',
    '',
  ].join('\n');
}

// ── Errnos ──────────────────────────────────────────────────────────────────

/** The AssemblyScript name of a WASI errno: its POSIX name without the E (E2BIG: TOOBIG). */
function asErrnoName(posix) {
  // E2BIG cannot lose its E and stay an identifier.
  return posix === 'SUCCESS' ? 'SUCCESS' : posix === 'E2BIG' ? 'TOOBIG' : posix.slice(1);
}

/** `export namespace Errno { ... }`: every WASI errno, by its AssemblyScript name. */
function asErrnoNamespace() {
  const out = ['export namespace Errno {'];
  WASI_ERRNOS.forEach(([posix], n) => {
    const name = asErrnoName(posix);
    if (name === 'NOTCAPABLE') out.push('  /** The sandbox\'s policy refused the call (before any syscall). */');
    out.push(`  @inline export const ${name}: Errno = ${n};`);
  });
  out.push('}');
  return out;
}

/**
 * The AssemblyScript library's errno constants and name table
 * (guest/assembly/errno.ts), from WASI_ERRNOS.
 */
export function asErrnos() {
  const names = WASI_ERRNOS.map(([posix]) => posix);
  const out = [...asErrnoNamespace(), '', '// POSIX names by WASI number (index = number).', 'const NAMES: StaticArray<string> = ['];
  for (let i = 0; i < names.length; i += 7) {
    out.push('  ' + names.slice(i, i + 7).map((x) => `"${x}"`).join(', ') + ',');
  }
  out.push('];');
  return out.join('\n');
}

/** The core's errno constants (assembly/errno.ts, the whole file), from WASI_ERRNOS. */
export function coreErrnos() {
  return [
    '// GENERATED by `npm run generate` (build/generators.mjs) from host/native/errno.ts',
    '// WASI_ERRNOS; do not edit.',
    '//',
    '// WASI preview1 errno numbers the core returns (negated) from its codecs.',
    '// Source: WebAssembly/WASI phases/snapshot/witx/typenames.witx, `$errno`.',
    '',
    '/** A WASI errno. */',
    'export type Errno = u16;',
    '',
    ...asErrnoNamespace(),
    '',
  ].join('\n');
}

/**
 * The C SDK's errno tables (guest/c/sockbox.c): Linux errno -> the guest's (wasi-libc's
 * errnos are WASI's), from WASI_ERRNOS' Linux column; and the names by guest errno.
 */
export function cErrnoTables() {
  const rows = WASI_ERRNOS.map(([posix, linux]) => ({ posix, linux })).filter((e) => e.posix !== 'SUCCESS' && e.linux > 0);
  rows.sort((a, b) => a.linux - b.linux);
  // Linux's own name for 95 is EOPNOTSUPP (its ENOTSUP is the same number); wasi-libc
  // gives both names WASI's NOTSUP.
  const cells = rows.map((e) => `[${e.linux}] = ${e.posix === 'ENOTSUP' ? 'EOPNOTSUPP' : e.posix},`);
  const out = [
    '/* Linux errno (<asm-generic/errno-base.h>, <asm-generic/errno.h>) -> the guest\'s',
    ' * (wasi-libc\'s = WASI\'s). Linux errnos with no WASI counterpart are absent (-> EIO,',
    ' * as the host\'s own table does). */',
    'static const uint8_t LINUX_TO_GUEST_ERRNO[] = {',
  ];
  for (let i = 0; i < cells.length; i += 3) {
    out.push(('    ' + cells.slice(i, i + 3).map((c) => c.padEnd(21)).join(' ')).trimEnd());
  }
  out.push('};', '', '/* The POSIX name of a guest (WASI) errno. */', 'static const char *const ERRNO_NAMES[] = {');
  for (const [posix] of WASI_ERRNOS) {
    if (posix === 'SUCCESS') out.push('    [0] = "0",');
    else if (posix === 'ENOTSUP') out.push('    [ENOTSUP] = "EOPNOTSUPP", /* the same number; Linux\'s name for the socket case */');
    else out.push(`    [${posix}] = "${posix}",`);
  }
  out.push('};');
  return out.join('\n');
}

// ── The generated files ─────────────────────────────────────────────────────

/**
 * Every generated file: the region between `begin` and `end` (each on its own line),
 * or the whole file when there are no markers.
 */
export const GENERATED = [
  {
    file: 'docs/OPTIONS.md',
    begin: '<!-- OPTIONS:BEGIN (generated by `npm run generate` from the catalogue; do not edit) -->',
    end: '<!-- OPTIONS:END -->',
    body: () => optionsTable({ values: false }).join('\n'),
  },
  {
    file: 'guest/assembly/constants.ts',
    begin: '// OPTIONS:BEGIN (generated by `npm run generate` from the catalogue; do not edit)',
    end: '// OPTIONS:END',
    body: asConstants,
  },
  {
    file: 'guest/assembly/errno.ts',
    begin: '// ERRNOS:BEGIN (generated by `npm run generate` from host/native/errno.ts; do not edit)',
    end: '// ERRNOS:END',
    body: asErrnos,
  },
  {
    file: 'guest/c/sockbox.h',
    begin: '/* OPTIONS:BEGIN (generated by `npm run generate` from the catalogue; do not edit) */',
    end: '/* OPTIONS:END */',
    body: cOptionMacros,
  },
  {
    file: 'guest/c/sockbox.c',
    begin: '/* ERRNOS:BEGIN (generated by `npm run generate` from host/native/errno.ts; do not edit) */',
    end: '/* ERRNOS:END */',
    body: cErrnoTables,
  },
  { file: 'assembly/errno.ts', body: coreErrnos },
  { file: 'host/option-types.ts', body: optionTypes },
  {
    file: 'host/constants.ts',
    begin: '// CONSTANTS:BEGIN (generated by `npm run generate` from the catalogue; do not edit)',
    end: '// CONSTANTS:END',
    body: constantsType,
  },
];

/** What a generated file's text should be, given its current text. */
export function render(entry, text) {
  if (!entry.begin) return entry.body();
  const a = text.indexOf(entry.begin);
  const b = text.indexOf(entry.end);
  if (a < 0 || b < a) throw new Error(`${entry.file} lacks the markers ${entry.begin} … ${entry.end}`);
  return `${text.slice(0, a + entry.begin.length)}\n${entry.body()}\n${text.slice(b)}`;
}

/** Each generated file with its current text and the text it should have. */
export function expected() {
  return GENERATED.map((entry) => {
    // A whole generated file that does not exist yet is written by `npm run generate`.
    const path = join(root, entry.file);
    const text = entry.begin || existsSync(path) ? readFileSync(path, 'utf8') : '';
    return { file: entry.file, text, want: render(entry, text) };
  });
}
