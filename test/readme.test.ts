// README's option table is generated from the catalogue and must be current.

import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { optionsTable } from '../host/table.js';

test('README option table equals the catalogue (run `npm run readme` after changing assembly/)', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const a = readme.indexOf('-->', readme.indexOf('<!-- OPTIONS:BEGIN')) + 3;
  const b = readme.indexOf('<!-- OPTIONS:END -->');
  expect(readme.slice(a, b).trim()).toBe(optionsTable({ values: false }).join('\n'));
});

test('README shows the Python-style example with a fresh socket\'s SO_REUSEADDR as 0', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  expect(readme).toMatch(/getsockopt\(SOL_SOCKET, SO_REUSEADDR\);\s+\/\/ 0 on a fresh socket/);
});
