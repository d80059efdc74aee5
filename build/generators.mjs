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

import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { core, KIND_NAMES } from '../dist/core.js';
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
    const text = readFileSync(join(root, entry.file), 'utf8');
    return { file: entry.file, text, want: render(entry, text) };
  });
}
