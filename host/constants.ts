// `constants`: name -> number for this platform, built from the catalogue at load time.
// A name absent on this platform is absent here, as in Python's socket module.

import { core } from './core.js';

function build(): Readonly<Record<string, number>> {
  const c = core();
  const out: Record<string, number> = {};
  for (const [name, value] of c.symbols) out[name] = value;
  for (const level of c.levels) out[level.name] = level.host;
  for (const opt of c.options) if (opt.hostNumber >= 0) out[opt.name] = opt.hostNumber;
  return Object.freeze(out);
}

/** Socket constants for this platform: options, levels, families, types, flags. */
export const constants: Readonly<Record<string, number>> = build();
