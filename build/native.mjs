// `npm run build:native`: builds the Node-API addon (native/sockbox_native.c) for this
// platform into prebuilds/<platform>-<arch>/sockbox.node, the file the package ships and
// host/native/libc.ts loads (koffi serves where no binary fits). One cc line: the addon
// uses only node_api.h, whose headers come with Node (or Debian's nodejs-dev / libnode-dev).

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const headers = [join(dirname(process.execPath), '..', 'include', 'node'), '/usr/include/node'].find((d) => existsSync(join(d, 'node_api.h')));
if (!headers) {
  console.error('build:native: node_api.h not found (looked beside node and in /usr/include/node)');
  process.exit(1);
}
const out = join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'sockbox.node');
mkdirSync(dirname(out), { recursive: true });
const cc = process.env.CC ?? 'cc';
// Linux: the napi_* symbols stay undefined and resolve against node at load; macOS needs
// the linker told so.
const link = process.platform === 'darwin' ? ['-undefined', 'dynamic_lookup'] : [];
execFileSync(cc, ['-O2', '-Wall', '-Wextra', '-Werror', '-shared', '-fPIC', `-I${headers}`, join(root, 'native', 'sockbox_native.c'), ...link, '-o', out], { stdio: 'inherit' });
console.log(`build:native: ${out}`);
