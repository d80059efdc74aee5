// Facade sockets for a test, closed after each test.

import { afterEach } from 'vitest';
import { socket, constants, type Socket } from '../../host/index.js';

const open: Socket[] = [];
afterEach(() => { while (open.length) open.pop()!.close(); });

/** A socket that is closed when the test ends. */
export function sock(family: number = constants.AF_INET, type: number = constants.SOCK_STREAM): Socket {
  const s = socket(family, type);
  open.push(s);
  return s;
}

/** Keeps a socket made elsewhere (accept) to close when the test ends. */
export function keep(s: Socket): Socket {
  open.push(s);
  return s;
}
