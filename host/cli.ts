// The `sockbox` command.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { optionsTable, levelByName } from './table.js';
import { Sandbox, SandboxError } from './sandbox/sandbox.js';
import { formatEvent } from './sandbox/events.js';
import { Policy, MAX_MAX_SOCKETS, type PolicyOptions } from './sandbox/policy.js';
import { parseListen } from './sandbox/listeners.js';
import { PolicyError, SockboxError } from './errors.js';
import { createRelay, type Relay, type RelayEvent, type RelayLimits } from './relay/index.js';
import { randomBytes } from 'node:crypto';

const RUN_USAGE = `  run GUEST.wasm [flags] [-- args...]
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
        --env K=V                    set an environment variable
        --max-sockets N              most sockets open at once (default 64, at most 65536)
        -h, --help                   print this text
      The guest reads this process's stdin on fd 0. Flags may also be written --flag=VALUE.
      ADDR:PORTS is 127.0.0.1:8080, 10.0.0.0/8:1-1024, [::1]:*, [fd00::]/8:443.
      Exit code: the guest's (1 if outside 0-255); 134 if it traps; 124 on --timeout;
      130 / 143 when Ctrl-C / SIGTERM ends it; 1 if it cannot start; 2 on a bad flag.`;

const OPTIONS_USAGE = `  options [--family inet|inet6] [--type stream|dgram] [--level NAME]
      Print every socket option sockbox knows, with its value on a fresh socket
      of that family and type (or the errno the kernel gives). Default: inet, stream;
      --level udp defaults to a dgram socket, --level ipv6 to an inet6 one.
      NAME: SOL_SOCKET, IPPROTO_IP, IPPROTO_IPV6, IPPROTO_TCP, IPPROTO_UDP (or socket,
      ip, ipv6, tcp, udp).
        -h, --help                   print this text`;

const RELAY_USAGE = `  relay --origin URL [flags]
      Serve guests running in web pages (sockbox/browser) with real sockets, under
      this policy. By default they have no network at all.
        --listen ADDR:PORT           where to listen (default 127.0.0.1:8787)
        --origin URL                 a page origin allowed to connect
                                     ('http://localhost:5173'; repeat it; '*': any)
        --token-file F               the token pages must send (default: a random
                                     one, printed on stdout)
        --allow-connect, --allow-bind, --allow-lookup, --allow-sockopt, --max-sockets
                                     the policy of every session, as for run
        --max-sessions N             pages served at once (default 16)
        --session-timeout MS         end a session after MS milliseconds (default 1 h)
        --trace                      print sessions and what their guests do on stderr
        -h, --help                   print this text
      Runs until Ctrl-C or SIGTERM, which close every session and its sockets.`;

const HELP_USAGE = `  help [COMMAND]
      Print this text, or one command's.`;

const VERSION_USAGE = `  version
      Print sockbox's version (also: sockbox --version, sockbox -V).`;

const USAGE = `usage: sockbox <command> [options]

commands:
${RUN_USAGE}
${OPTIONS_USAGE}
${RELAY_USAGE}
${HELP_USAGE}
${VERSION_USAGE}`;

/** Each command's own text, for `sockbox COMMAND --help` and `sockbox help COMMAND`. */
const COMMAND_USAGE: Record<string, string> = {
  run: RUN_USAGE, options: OPTIONS_USAGE, relay: RELAY_USAGE, help: HELP_USAGE, version: VERSION_USAGE,
};

/** A bad command line: printed as one line, exit code 2. */
class UsageError extends SockboxError {
  declare readonly code: 'ERR_SOCKBOX_USAGE';
  constructor(message: string) {
    super(message, 'ERR_SOCKBOX_USAGE');
    this.name = 'UsageError';
  }
}

/** Prints one command's usage on stdout; the exit code of asking for it. */
function help(command: string): number {
  const text = COMMAND_USAGE[command];
  if (text === undefined) throw new UsageError(`help: unknown command '${command}' (commands: ${Object.keys(COMMAND_USAGE).join(', ')})`);
  // The command's block of USAGE, its synopsis on the usage line.
  const [synopsis, ...body] = text.split('\n');
  process.stdout.write(`usage: sockbox ${synopsis.trim()}\n${body.map((l) => l.replace(/^ {4}/, '')).join('\n')}\n`);
  return 0;
}

/** "sockbox X.Y.Z": the version in the package's package.json (dist/cli.js is one level below it). */
function version(): string {
  const pkg: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const v = typeof pkg === 'object' && pkg !== null && 'version' in pkg ? pkg.version : undefined;
  return `sockbox ${typeof v === 'string' ? v : 'unknown'}`;
}

/**
 * Checks one flag's value as the sandbox will, by building a Policy of that value alone,
 * so that a bad one is reported under the flag the user typed rather than the API's
 * option name (`--allow-sockopt: unknown socket option 'SO_NOPE'`, not `sockopts.allowSet`).
 */
function checkPolicy(flag: string, options: PolicyOptions, tidy: (message: string) => string = (m) => m): void {
  try {
    new Policy(options);
  } catch (e) {
    if (e instanceof PolicyError) throw new UsageError(`${flag}: ${tidy(e.message)}`);
    throw e;
  }
}

/** The policy flags `run` and `relay` share: --allow-*, --max-sockets. */
class Grants {
  private readonly connect: string[] = [];
  private readonly bind: string[] = [];
  private readonly allow: string[] = [];
  private lookup = false;
  private readonly lookupNames: string[] = [];
  private maxSockets: number | undefined;

  /** Takes `flag` if it is one of these (its value checked now); false otherwise. */
  take(flag: string, a: string, eq: number, value: () => string): boolean {
    switch (flag) {
      case '--allow-connect': {
        const v = value();
        checkPolicy(flag, { net: { connect: [v] } });
        this.connect.push(v);
        return true;
      }
      case '--allow-bind': {
        const v = value();
        checkPolicy(flag, { net: { bind: [v] } });
        this.bind.push(v);
        return true;
      }
      case '--allow-lookup':
        if (eq > 0) {
          const v = a.slice(eq + 1);
          checkPolicy(flag, { net: { lookup: [v] } });
          this.lookupNames.push(v);
        } else {
          this.lookup = true;
        }
        return true;
      case '--allow-sockopt': {
        const v = value();
        // The policy names the API's list ("... in sockopts.allowSet"): the flag says it.
        checkPolicy(flag, { sockopts: { allowSet: [v] } }, (m) => m.replace(/ in sockopts\.\w+$/, ''));
        this.allow.push(v);
        return true;
      }
      case '--max-sockets': {
        const v = value();
        const n = /^[1-9][0-9]*$/.test(v) ? Number(v) : NaN;
        if (!(n <= MAX_MAX_SOCKETS)) throw new UsageError(`--max-sockets takes an integer from 1 to ${MAX_MAX_SOCKETS}, not '${v}'`);
        this.maxSockets = n;
        return true;
      }
    }
    return false;
  }

  policy(): PolicyOptions {
    const lookup = this.lookup || this.lookupNames.length === 0 ? this.lookup : this.lookupNames;
    return {
      net: { connect: this.connect, bind: this.bind, lookup },
      sockopts: { allowSet: this.allow, allowGet: this.allow },
      maxSockets: this.maxSockets,
    };
  }
}

function takeValue(args: string[], i: number, flag: string): string {
  const v = args[i + 1];
  if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
  return v;
}

function options(args: string[]): number {
  let family: 'inet' | 'inet6' | undefined;
  let type: 'stream' | 'dgram' | undefined;
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
    if (a === '--help' || a === '-h') {
      return help('options');
    } else if (flag === '--family') {
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
      throw new UsageError(`options: unknown flag '${a}' (try: sockbox options --help)`);
    }
  }
  // A level's options mean something on its own kind of socket: UDP's on a datagram
  // socket, IPv6's on an inet6 one (elsewhere the kernel answers ENOTSUP throughout).
  // A --type or --family the user gave wins.
  type ??= level === 'IPPROTO_UDP' ? 'dgram' : 'stream';
  family ??= level === 'IPPROTO_IPV6' ? 'inet6' : 'inet';
  process.stdout.write(optionsTable({ family, type, level }).join('\n') + '\n');
  return 0;
}

async function run(args: string[]): Promise<number> {
  const dash = args.indexOf('--');
  const own = dash >= 0 ? args.slice(0, dash) : args;
  const guestArgs = dash >= 0 ? args.slice(dash + 1) : [];
  let file: string | undefined;
  const grants = new Grants();
  const preopens: Record<string, string | { path: string; readonly: boolean }> = {};
  const env: Record<string, string> = {};
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
    // Each value is checked here, so that a bad one is reported under its flag.
    if (grants.take(flag, a, eq, value)) continue;
    switch (flag) {
      case '--help': case '-h': return help('run');
      case '--trace': trace = true; break;
      case '--tcplisten': {
        const v = value();
        try {
          parseListen([v]);
        } catch (e) {
          if (e instanceof TypeError) throw new UsageError(`--tcplisten: ${e.message.replace(/^listen\[\d+\]: /, '')}`);
          throw e;
        }
        listen.push(v);
        break;
      }
      case '--dir': {
        const v = value();
        const at = v.indexOf('::');
        if (at <= 0 || at + 2 >= v.length) throw new UsageError(`--dir takes HOST::GUEST[:ro], not '${v}'`);
        let guest = v.slice(at + 2);
        const readonly = guest.endsWith(':ro');
        if (readonly) guest = guest.slice(0, -3);
        if (guest === '') throw new UsageError(`--dir takes HOST::GUEST[:ro], not '${v}'`);
        const host = v.slice(0, at);
        if (!existsSync(host) || !statSync(host).isDirectory()) throw new UsageError(`--dir: '${host}' is not a folder`);
        if (guest in preopens) throw new UsageError(`--dir: the guest path '${guest}' is given twice`);
        preopens[guest] = readonly ? { path: host, readonly } : host;
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
      default:
        if (a.startsWith('-')) throw new UsageError(`run: unknown flag '${a}' (try: sockbox run --help)`);
        if (file !== undefined) throw new UsageError(`run: one guest at a time (got '${file}' and '${a}'; guest arguments go after --)`);
        file = a;
    }
  }
  if (file === undefined) throw new UsageError('run: which guest? sockbox run GUEST.wasm (try: sockbox run --help)');
  let wasm: Buffer;
  try {
    wasm = readFileSync(file);
  } catch (e) {
    throw new UsageError(`run: cannot read '${file}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let sandbox: Sandbox;
  try {
    sandbox = new Sandbox({
      args: [file, ...guestArgs], env, preopens, timeoutMs, listen, ...grants.policy(),
      stdin: process.stdin,
      onEvent: trace ? (e) => { process.stderr.write(`sockbox: ${formatEvent(e)}\n`); } : undefined,
      limits: memoryBytes === undefined ? undefined : { memoryBytes },
    });
  } catch (e) {
    // Every flag was checked as it was read: what is left is a case those checks missed.
    if (e instanceof PolicyError || e instanceof TypeError) throw new UsageError(e.message);
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

async function relay(args: string[]): Promise<number> {
  const grants = new Grants();
  const origins: string[] = [];
  let listen = '127.0.0.1:8787';
  let token: string | undefined;
  let trace = false;
  const limits: RelayLimits = {};
  const count = (flag: string, v: string): number => {
    const n = /^[1-9][0-9]*$/.test(v) ? Number(v) : NaN;
    if (!(n <= 2 ** 31 - 1)) throw new UsageError(`${flag} takes a positive integer, not '${v}'`);
    return n;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const flag = eq > 0 ? a.slice(0, eq) : a;
    const value = (): string => {
      if (eq > 0) return a.slice(eq + 1);
      const v = takeValue(args, i, flag);
      i++;
      return v;
    };
    if (grants.take(flag, a, eq, value)) continue;
    switch (flag) {
      case '--help': case '-h': return help('relay');
      case '--listen': listen = value(); break;
      case '--origin': {
        const v = value();
        if (v !== '*' && !/^https?:\/\/[^/]+$/.test(v)) throw new UsageError(`--origin takes an origin such as 'http://localhost:5173' (scheme and host, no path) or '*', not '${v}'`);
        origins.push(v);
        break;
      }
      case '--token-file': {
        const f = value();
        try {
          token = readFileSync(f, 'utf8').trim();
        } catch (e) {
          throw new UsageError(`--token-file: cannot read '${f}': ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        }
        if (token.length === 0) throw new UsageError(`--token-file: '${f}' is empty`);
        break;
      }
      case '--max-sessions': limits.sessions = count(flag, value()); break;
      case '--session-timeout': limits.sessionMs = count(flag, value()); break;
      case '--trace': trace = true; break;
      default:
        throw new UsageError(`relay: unknown ${a.startsWith('-') ? 'flag' : 'argument'} '${a}' (try: sockbox relay --help)`);
    }
  }
  if (origins.length === 0) throw new UsageError("relay: which pages may connect? Give --origin URL (the page's origin, e.g. http://localhost:5173), or --origin '*'");
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:\[\]]+):([0-9]{1,5})$/.exec(listen);
  if (!m || Number(m[2]) > 65535) throw new UsageError(`--listen takes ADDR:PORT (127.0.0.1:8787, [::1]:8787), not '${listen}'`);
  const printed = token === undefined;
  token ??= randomBytes(18).toString('base64url');
  let r: Relay;
  try {
    r = await createRelay({
      host: m[1].replace(/^\[|\]$/g, ''), port: Number(m[2]), token, origins: origins.includes('*') ? '*' : origins,
      policy: grants.policy(), limits,
      onEvent: trace ? (e) => { process.stderr.write(`sockbox relay: ${formatRelayEvent(e)}\n`); } : undefined,
    });
  } catch (e) {
    if (e instanceof PolicyError || e instanceof TypeError) throw new UsageError(`relay: ${e.message}`);
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new UsageError(`relay: ${listen} is in use`);
    throw e;
  }
  process.stderr.write(`sockbox relay: listening on ${r.url} for ${origins.join(', ')}\n`);
  if (printed) process.stdout.write(`token: ${token}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await r.close();
  return 0;
}

/** One line for a relay event. */
function formatRelayEvent(e: RelayEvent): string {
  switch (e.type) {
    case 'session': return e.state === 'open' ? `session ${e.id} opened (origin ${e.origin ?? 'none'})` : `session ${e.id} closed: ${e.reason} (${e.code})`;
    case 'refused': return `refused a page (origin ${e.origin ?? 'none'}): ${e.why}`;
    case 'sandbox': return `session ${e.id}: ${formatEvent(e.event)}`;
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
      case 'relay': return await relay(rest);
      case 'version': case '--version': case '-V':
        if (rest[0] === '--help' || rest[0] === '-h') return help('version');
        if (rest.length > 0) throw new UsageError(`version takes no arguments, not '${rest[0]}'`);
        process.stdout.write(version() + '\n');
        return 0;
      case 'help': case '--help': case '-h':
        if (rest.length > 1) throw new UsageError(`help takes one command at most, not '${rest.join(' ')}'`);
        if (rest.length === 0) {
          process.stdout.write(USAGE + '\n');
          return 0;
        }
        return help(rest[0] === '--help' || rest[0] === '-h' ? 'help' : rest[0]);
      case undefined:
        // No command at all: the usage, but as a mistake (exit 2), on stdout as before.
        process.stdout.write(USAGE + '\n');
        return 2;
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

