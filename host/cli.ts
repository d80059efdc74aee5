// The `sockbox` command.

import { readFileSync } from 'node:fs';
import { optionsTable, levelByName } from './table.js';
import { Sandbox, SandboxError } from './sandbox/sandbox.js';
import { formatEvent } from './sandbox/events.js';
import { PolicyError } from './sandbox/policy.js';

const USAGE = `usage: sockbox <command> [options]

commands:
  run GUEST.wasm [flags] [-- args...]
      Run a WASI guest with sockets. By default it has no network at all.
        --allow-connect ADDR:PORTS   may connect/send to ADDR (CIDR ok) on PORTS
        --allow-bind ADDR:PORTS      may bind ADDR on PORTS (port 0: an ephemeral port)
        --allow-lookup[=PATTERN]     may resolve names (sock_getaddrinfo): any, or those
                                     matching PATTERN ('localhost', '*.example.com');
                                     numeric addresses need no grant
        --allow-sockopt NAME         lift the default refusal of one option (get and set)
        --dir HOST::GUEST[:ro]       preopen a host folder (live; :ro refuses writes)
        --tcplisten ADDR:PORT        preopen a listening TCP socket (fds 3, 4, ... in
                                     order, before the --dir folders, as wasmtime numbers
                                     them; LISTEN_FDS=n in the env; port 0: any free one)
        --timeout MS                 end the guest after MS milliseconds (exit code 124)
        --max-memory BYTES           cap guest memory (K, M, G suffixes; default 256M)
        --trace                      print what the guest does at the boundary (sockets,
                                     lookups, refusals) on stderr, one line each
      The guest reads this process's stdin on fd 0.
        --env K=V                    set an environment variable
        --max-sockets N              most sockets open at once (default 64)
      ADDR:PORTS is 127.0.0.1:8080, 10.0.0.0/8:1-1024, [::1]:*, [fd00::]/8:443.
      Exit code: the guest's (1 if outside 0-255); 134 if it traps; 124 on --timeout;
      130 / 143 when Ctrl-C / SIGTERM ends it; 1 if it cannot start.
  options [--family inet|inet6] [--type stream|dgram] [--level NAME]
      Print every socket option sockbox knows, with its value on a fresh socket
      of that family and type (or the errno the kernel gives).
  help
      Print this text.`;

/** A bad command line: printed as one line, exit code 2. */
class UsageError extends Error {}

function takeValue(args: string[], i: number, flag: string): string {
  const v = args[i + 1];
  if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
  return v;
}

function options(args: string[]): number {
  let family: 'inet' | 'inet6' = 'inet';
  let type: 'stream' | 'dgram' = 'stream';
  let level: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string => {
      if (inline !== undefined) return inline;
      const v = takeValue(args, i, flag);
      i++;
      return v;
    };
    if (flag === '--family') {
      const v = value();
      if (v !== 'inet' && v !== 'inet6') throw new UsageError(`--family takes inet or inet6, not '${v}'`);
      family = v;
    } else if (flag === '--type') {
      const v = value();
      if (v !== 'stream' && v !== 'dgram') throw new UsageError(`--type takes stream or dgram, not '${v}'`);
      type = v;
    } else if (flag === '--level') {
      const v = value();
      level = levelByName(v);
      if (!level) throw new UsageError(`--level takes SOL_SOCKET, IPPROTO_IP, IPPROTO_IPV6, IPPROTO_TCP or IPPROTO_UDP, not '${v}'`);
    } else {
      throw new UsageError(`options: unknown flag '${a}'`);
    }
  }
  process.stdout.write(optionsTable({ family, type, level }).join('\n') + '\n');
  return 0;
}

async function run(args: string[]): Promise<number> {
  const dash = args.indexOf('--');
  const own = dash >= 0 ? args.slice(0, dash) : args;
  const guestArgs = dash >= 0 ? args.slice(dash + 1) : [];
  let file: string | undefined;
  const connect: string[] = [];
  const bind: string[] = [];
  const allow: string[] = [];
  const preopens: Record<string, string | { path: string; readonly: boolean }> = {};
  const env: Record<string, string> = {};
  let lookup = false;
  const lookupNames: string[] = [];
  let maxSockets: number | undefined;
  let timeoutMs: number | undefined;
  let memoryBytes: number | undefined;
  let trace = false;
  const listen: string[] = [];
  for (let i = 0; i < own.length; i++) {
    const a = own[i];
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const flag = eq > 0 ? a.slice(0, eq) : a;
    const value = (): string => {
      if (eq > 0) return a.slice(eq + 1);
      const v = takeValue(own, i, flag);
      i++;
      return v;
    };
    switch (flag) {
      case '--allow-connect': connect.push(value()); break;
      case '--allow-bind': bind.push(value()); break;
      case '--allow-lookup':
        if (eq > 0) lookupNames.push(a.slice(eq + 1));
        else lookup = true;
        break;
      case '--allow-sockopt': allow.push(value()); break;
      case '--trace': trace = true; break;
      case '--tcplisten': listen.push(value()); break;
      case '--dir': {
        const v = value();
        const at = v.indexOf('::');
        if (at <= 0 || at + 2 >= v.length) throw new UsageError(`--dir takes HOST::GUEST[:ro], not '${v}'`);
        let guest = v.slice(at + 2);
        const readonly = guest.endsWith(':ro');
        if (readonly) guest = guest.slice(0, -3);
        if (guest === '') throw new UsageError(`--dir takes HOST::GUEST[:ro], not '${v}'`);
        preopens[guest] = readonly ? { path: v.slice(0, at), readonly } : v.slice(0, at);
        break;
      }
      case '--timeout': {
        const v = value();
        if (!/^[1-9][0-9]{0,9}$/.test(v) || Number(v) > 0x7fffffff) throw new UsageError(`--timeout takes milliseconds (1 to 2147483647), not '${v}'`);
        timeoutMs = Number(v);
        break;
      }
      case '--max-memory': {
        const v = value();
        const m = /^([1-9][0-9]*)([KMG]?)$/i.exec(v);
        const n = m ? Number(m[1]) * ({ '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 } as Record<string, number>)[m[2].toUpperCase()] : NaN;
        if (!(n >= 65536 && n <= 4 * 1024 ** 3)) throw new UsageError(`--max-memory takes bytes from 64K to 4G (K, M, G suffixes), not '${v}'`);
        memoryBytes = n;
        break;
      }
      case '--env': {
        const v = value();
        const at = v.indexOf('=');
        if (at <= 0) throw new UsageError(`--env takes K=V, not '${v}'`);
        env[v.slice(0, at)] = v.slice(at + 1);
        break;
      }
      case '--max-sockets': {
        const v = value();
        if (!/^[1-9][0-9]*$/.test(v)) throw new UsageError(`--max-sockets takes a positive integer, not '${v}'`);
        maxSockets = Number(v);
        break;
      }
      default:
        if (a.startsWith('-')) throw new UsageError(`run: unknown flag '${a}'`);
        if (file !== undefined) throw new UsageError(`run: one guest at a time (got '${file}' and '${a}'; guest arguments go after --)`);
        file = a;
    }
  }
  if (file === undefined) throw new UsageError('run: which guest? sockbox run GUEST.wasm');
  let wasm: Buffer;
  try {
    wasm = readFileSync(file);
  } catch (e) {
    throw new UsageError(`run: cannot read '${file}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let sandbox: Sandbox;
  try {
    sandbox = new Sandbox({
      args: [file, ...guestArgs], env, preopens, maxSockets, timeoutMs, listen,
      stdin: process.stdin,
      onEvent: trace ? (e) => { process.stderr.write(`sockbox: ${formatEvent(e)}\n`); } : undefined,
      limits: memoryBytes === undefined ? undefined : { memoryBytes },
      net: { connect, bind, lookup: lookup || lookupNames.length === 0 ? lookup : lookupNames },
      sockopts: { allowSet: allow, allowGet: allow },
    });
  } catch (e) {
    if (e instanceof PolicyError || e instanceof TypeError) throw new UsageError(e.message.replace(/^listen\[\d+\]: /, '--tcplisten: '));
    throw e;
  }
  // The guest runs in a worker: Ctrl-C and SIGTERM end it (kill() lands even when it
  // spins or catches the unwind), and this process exits as a killed command would.
  let signal: 'SIGINT' | 'SIGTERM' | undefined;
  const onSignal = (s: 'SIGINT' | 'SIGTERM') => { signal ??= s; sandbox.kill(); };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  try {
    const running = sandbox.run(wasm);
    // The listeners are open once run() is called: say where (port 0 picks one).
    for (const l of sandbox.listeners) {
      process.stderr.write(`sockbox: fd ${l.fd} listens on ${l.address.includes(':') ? `[${l.address}]` : l.address}:${l.port}\n`);
    }
    const { exitCode } = await running;
    // A process exit status is 8 bits: 256 would read as success. Out of range is 1.
    return exitCode >= 0 && exitCode <= 255 ? exitCode : 1;
  } catch (e) {
    if (!(e instanceof SandboxError)) throw e;
    if (e.code === 'ERR_SOCKBOX_KILLED' && signal) return signal === 'SIGINT' ? 130 : 143;
    process.stderr.write(`sockbox: ${e.message}\n`);
    if (e.code === 'ERR_SOCKBOX_TIMEOUT') return 124;
    return e.code === 'ERR_SOCKBOX_GUEST_TRAP' ? 134 : 1;
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    // The guest is done with stdin: let this process end even if stdin has more to give.
    process.stdin.destroy();
  }
}

/** Runs the CLI with argv (without node and the script); returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // `sockbox ... | head`: a closed pipe ends the command quietly, as with other tools.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
  try {
    switch (command) {
      case 'options': return options(rest);
      case 'run': return await run(rest);
      case 'help': case '--help': case '-h': case undefined:
        process.stdout.write(USAGE + '\n');
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command '${command}' (try: sockbox help)`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`sockbox: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

