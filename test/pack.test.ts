// The published package, as a user gets it: `npm pack` (what the tarball holds), then the
// tarball installed offline into a temporary project outside the repository, and used
// from there by an ESM consumer, a CommonJS consumer, the CLI, and strict TypeScript
// consumers (ESM, and CommonJS under module node16 and nodenext).
//
// dist/ is packed as `npm test` built it: `npm pack --ignore-scripts` skips prepack,
// whose full rebuild would rewrite dist/ under the test files running beside this one.
//
// Offline: `npm install --offline <tgz>` needs each dependency's registry metadata
// (packument) to resolve `koffi@^3.3.4`, and `npm ci` caches only the tarballs, so on a
// machine that ran `npm ci` it fails with ENOTCACHED. The temporary project gets a
// lockfile instead, the dependencies' entries copied from this repository's (same
// versions and integrity as `npm ci` installed), and `npm ci --offline` takes every
// tarball from the npm cache. (`--prefer-offline` would work too, but asks the registry.)

import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const repo = fileURLToPath(new URL('..', import.meta.url));
const guest = fileURLToPath(new URL('./guests/sockguest-c.wasm', import.meta.url));
const tsc = join(repo, 'node_modules/typescript/bin/tsc');
const SLOW = 120_000;

function run(cmd: string, args: string[], cwd: string) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: SLOW });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
/** run(), without blocking the event loop: the TypeScript compiles run side by side. */
function runAsync(cmd: string, args: string[], cwd: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { cwd, encoding: 'utf8', timeout: SLOW }, (error, out, err) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, out, err });
    });
  });
}
function ok(cmd: string, args: string[], cwd: string): string {
  const r = run(cmd, args, cwd);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited ${r.code}:\n${r.out}\n${r.err}`);
  return r.out;
}
function write(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}

// One program, four ways in. It prints one JSON line: SO_TYPE of a stream and a datagram
// socket, a SocketError's code on a closed socket, and a guest's run in a Sandbox (worker
// thread: dist/worker.js must be in the package), whose lines show a getsockopt and a
// policy refusal (IP_HDRINCL is refused by default: ENOTCAPABLE, 76).
const BODY = `
async function main() {
  const stream = socket();
  const streamType = stream.getsockopt(constants.SOL_SOCKET, constants.SO_TYPE);
  const crossing = stream.native.crossing;
  stream.close();
  let closedCode = '';
  try { stream.getsockopt(constants.SOL_SOCKET, constants.SO_TYPE); } catch (e) { if (e instanceof SockboxError) closedCode = e.code; }
  const udp = socket(constants.AF_INET, constants.SOCK_DGRAM);
  const dgramType = udp.getsockopt(constants.SOL_SOCKET, constants.SO_TYPE);
  udp.close();
  let out = '';
  const sandbox = new Sandbox({
    args: ['sockguest', 'options', '4', 'dgram'],
    net: { bind: ['127.0.0.1:0'] },
    stdout: (chunk) => { out += Buffer.from(chunk).toString('utf8'); },
  });
  const { exitCode } = await sandbox.run(readFileSync(process.argv[2]));
  const lines = out.split('\\n').filter((l) => /^sockbox (SO_TYPE|set IP_HDRINCL) /.test(l));
  console.log(JSON.stringify({ streamType, dgramType, closedCode, exitCode, lines, crossing }));
}
main().catch((e) => { console.error(e); process.exitCode = 1; });
`;
/** The addon's prebuilt binary for this platform, if the repository has one (the package ships prebuilds/). */
const PREBUILT = `prebuilds/${process.platform}-${process.arch}/sockbox.node`;
const HAS_PREBUILT = existsSync(fileURLToPath(new URL(`../${PREBUILT}`, import.meta.url)));
const EXPECTED = {
  streamType: 1, dgramType: 2, closedCode: 'EBADF', exitCode: 0,
  lines: ['sockbox SO_TYPE value=2', 'sockbox set IP_HDRINCL errno=76'],
  // The installed package's option calls take its prebuilt addon (unless the run forces koffi).
  crossing: HAS_PREBUILT && process.env.SOCKBOX_NATIVE !== 'koffi' ? 'addon' : 'koffi',
};
const IMPORT = `import { readFileSync } from 'node:fs';\nimport { socket, constants, Sandbox, SockboxError } from 'sockbox';\n`;
const REQUIRE = `const { readFileSync } = require('node:fs');\nconst { socket, constants, Sandbox, SockboxError } = require('sockbox');\n`;
// TypeScript: the same program, typed. getsockopt without buflen is a number (or, with
// today's types, number | Uint8Array); the sink's chunk is typed by the package.
const TS_BODY = BODY.replace('let closedCode = \'\';', 'let closedCode: string = \'\';')
  .replace('async function main() {', 'async function main(): Promise<void> {')
  .replace('const streamType =', 'const streamType: number | Uint8Array =')
  .replace('catch((e) =>', 'catch((e: unknown) =>');

/** A strict consumer's tsconfig. skipLibCheck false also checks the package's declaration
 * files (and @types/node, most of the ~6 s), so once per tree: .d.ts and .d.cts. */
function tsconfig(module: string, files: string[], skipLibCheck: boolean): string {
  return JSON.stringify({
    compilerOptions: {
      module, target: 'es2022', strict: true, skipLibCheck,
      // The package's types use node: modules; the consumer brings @types/node (here, the repo's).
      types: ['node'], typeRoots: [join(repo, 'node_modules/@types')],
      outDir: 'out',
    },
    files,
  }, null, 2);
}

let tmp = '';
let project = '';
let files: string[] = [];
let tarball = '';

beforeAll(() => {
  for (const f of ['dist/index.js', 'dist/cli.js', 'dist/worker.js', 'dist/core.wasm', 'dist/types/index.d.ts', 'dist/types/index.d.cts']) {
    if (!existsSync(join(repo, f))) throw new Error(`${f} is missing: run \`npm run build\` (npm test builds first)`);
  }
  tmp = mkdtempSync(join(tmpdir(), 'sockbox-pack-'));
  const packed = JSON.parse(ok('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], repo)) as
    { filename: string; files: { path: string }[] }[];
  files = packed[0].files.map((f) => f.path).sort();
  tarball = join(tmp, packed[0].filename);

  project = join(tmp, 'project');
  const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as
    { version: string; license: string; dependencies: Record<string, string>; bin: Record<string, string>; engines: Record<string, string> };
  const lock = JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
  const spec = `file:${tarball}`;
  const packages: Record<string, unknown> = {
    '': { name: 'consumer', dependencies: { sockbox: spec } },
    'node_modules/sockbox': {
      version: pkg.version, resolved: spec,
      integrity: `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`,
      license: pkg.license, dependencies: pkg.dependencies, bin: pkg.bin, engines: pkg.engines,
    },
  };
  // The dependencies and what they bring (koffi's per-platform optional packages).
  const wanted = Object.keys(pkg.dependencies);
  for (let grew = true; grew;) {
    grew = false;
    for (const [path, entry] of Object.entries(lock.packages)) {
      const name = path.replace(/^node_modules\//, '');
      if (!path.startsWith('node_modules/') || name.includes('/node_modules/') || !wanted.includes(name) || path in packages) continue;
      packages[path] = entry;
      const e = entry as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
      wanted.push(...Object.keys({ ...e.dependencies, ...e.optionalDependencies }));
      grew = true;
    }
  }
  write(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, dependencies: { sockbox: spec } }, null, 2));
  write(join(project, 'package-lock.json'), JSON.stringify({ name: 'consumer', lockfileVersion: 3, requires: true, packages }, null, 2));
  ok('npm', ['ci', '--offline', '--no-audit', '--no-fund'], project);

  write(join(project, 'esm.mjs'), IMPORT + BODY);
  write(join(project, 'cjs.cjs'), REQUIRE + BODY);
  write(join(project, 'ts-esm/package.json'), '{ "type": "module" }\n');
  write(join(project, 'ts-esm/main.ts'), IMPORT + TS_BODY);
  write(join(project, 'ts-esm/tsconfig.json'), tsconfig('nodenext', ['main.ts'], false));
  for (const module of ['node16', 'nodenext']) {
    write(join(project, `ts-cjs-${module}/main.cts`), IMPORT + TS_BODY);
    write(join(project, `ts-cjs-${module}/tsconfig.json`), tsconfig(module, ['main.cts'], module !== 'node16'));
  }
}, SLOW);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('npm pack: the tarball', () => {
  test('holds the license, the docs, the built package, its types (ESM and CJS), the CLI and the guest SDKs', () => {
    for (const f of [
      'LICENSE', 'README.md', 'SECURITY.md', 'CHANGELOG.md', 'package.json',
      'docs/ABI.md', 'docs/ARCHITECTURE.md', 'docs/OPTIONS.md',
      'dist/index.js', 'dist/cli.js', 'dist/worker.js', 'dist/core.wasm',
      'dist/types/index.d.ts', 'dist/types/index.d.cts', 'bin/sockbox.js',
      'dist/browser/sockbox-browser.js', 'dist/browser/sockbox-browser-worker.js', 'dist/types/browser/index.d.ts',
      'guest/index.ts', 'guest/assembly/index.ts', 'guest/assembly/io.ts', 'guest/assembly/plugin.ts',
      'guest/c/sockbox.h', 'guest/c/sockbox.c', 'guest/c/sockbox_plugin.h', 'guest/c/sockbox_plugin.c', 'guest/c/netdb.h',
      ...(HAS_PREBUILT ? [PREBUILT] : []),
    ]) expect(files, f).toContain(f);
  });

  test('holds no source maps, TypeScript host sources, build inputs, tests or examples', () => {
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(files.filter((f) => /^(host|assembly|build|test|bench|examples)\//.test(f))).toEqual([]);
    expect(files.filter((f) => f.startsWith('dist/') && f.endsWith('.ts') && !/\.d\.c?ts$/.test(f))).toEqual([]);
    // The code generators' inputs are not the package's API.
    expect(files).not.toContain('dist/core.js');
    expect(files).not.toContain('dist/table.js');
    expect(files).not.toContain('dist/errno.js');
  });

  test('its package.json runs nothing at install', () => {
    const installed = JSON.parse(readFileSync(join(project, 'node_modules/sockbox/package.json'), 'utf8')) as { scripts?: Record<string, string> };
    for (const s of ['preinstall', 'install', 'postinstall', 'prepare']) expect(installed.scripts ?? {}, s).not.toHaveProperty(s);
  });
});

describe('npm pack: the installed tarball', () => {
  test('ESM consumer: import from sockbox, getsockopt SO_TYPE, a guest in a Sandbox', () => {
    expect(JSON.parse(ok(process.execPath, ['esm.mjs', guest], project))).toEqual(EXPECTED);
  }, SLOW);

  test('CommonJS consumer: require(\'sockbox\') does the same', () => {
    expect(JSON.parse(ok(process.execPath, ['cjs.cjs', guest], project))).toEqual(EXPECTED);
  }, SLOW);

  test('sockbox/browser resolves to the browser bundle, its worker beside it', () => {
    const url = ok(process.execPath, ['--input-type=module', '-e', "console.log(import.meta.resolve('sockbox/browser'))"], project).trim();
    expect(url).toMatch(/\/node_modules\/sockbox\/dist\/browser\/sockbox-browser\.js$/);
    expect(existsSync(new URL('./sockbox-browser-worker.js', url))).toBe(true);
  }, SLOW);

  test('CLI: node_modules/.bin/sockbox --help exits 0, --version is the package\'s, options --level tcp lists TCP_NODELAY', () => {
    const bin = join(project, 'node_modules/.bin/sockbox');
    const help = run(bin, ['--help'], project);
    expect(help.code, help.err).toBe(0);
    expect(help.out).toMatch(/^usage: sockbox/);
    // dist/cli.js reads the version from ../package.json: the installed package's own.
    const { version } = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { version: string };
    const v = run(bin, ['--version'], project);
    expect(v.code, v.err).toBe(0);
    expect(v.out.trim()).toBe(`sockbox ${version}`);
    const options = run(bin, ['options', '--level', 'tcp'], project);
    expect(options.code, options.err).toBe(0);
    expect(options.out).toMatch(/^\| TCP_NODELAY \| IPPROTO_TCP \|/m);
  }, SLOW);

  test('strict TypeScript, ESM (module nodenext): compiles against the installed types and runs', () => {
    ok(process.execPath, [tsc, '-p', 'ts-esm'], project);
    expect(JSON.parse(ok(process.execPath, ['ts-esm/out/main.js', guest], project))).toEqual(EXPECTED);
  }, SLOW);

  test('strict TypeScript, CommonJS (.cts, module node16 and nodenext): no TS1479, compiles and runs', async () => {
    const modules = ['node16', 'nodenext'];
    const compiled = await Promise.all(modules.map((module) => runAsync(process.execPath, [tsc, '-p', `ts-cjs-${module}`], project)));
    for (const [i, module] of modules.entries()) {
      const r = compiled[i];
      expect(r.out + r.err, module).toBe('');
      expect(r.code, module).toBe(0);
      expect(readFileSync(join(project, `ts-cjs-${module}/out/main.cjs`), 'utf8'), module).toMatch(/require\("sockbox"\)/);
      expect(JSON.parse(ok(process.execPath, [`ts-cjs-${module}/out/main.cjs`, guest], project)), module).toEqual(EXPECTED);
    }
  }, SLOW);
});
