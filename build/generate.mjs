// Writes the files generated from the option catalogue and the errno table (the list
// and the generators are in build/generators.mjs). `npm run generate` builds first;
// `node build/generate.mjs --check` writes nothing, prints each file's state and exits
// 1 when one is out of date (test/generated.test.ts runs it).

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expected, root } from './generators.mjs';

const check = process.argv.includes('--check');
const unknown = process.argv.slice(2).filter((a) => a !== '--check');
if (unknown.length > 0) {
  console.error(`generate: unknown argument '${unknown[0]}' (usage: node build/generate.mjs [--check])`);
  process.exit(2);
}

let stale = 0;
for (const { file, text, want } of expected()) {
  if (text === want) {
    console.log(`${file}: up to date`);
  } else if (check) {
    console.log(`${file}: out of date (run \`npm run generate\`)`);
    stale++;
  } else {
    // Only a changed file is written, so a second run touches nothing.
    writeFileSync(join(root, file), want);
    console.log(`${file}: regenerated`);
  }
}
if (stale > 0) process.exit(1);
