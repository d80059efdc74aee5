// The `sockbox` command.

import { optionsTable, levelByName } from './table.js';

const USAGE = `usage: sockbox <command> [options]

commands:
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

/** Runs the CLI with argv (without node and the script); returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'options': return options(rest);
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

export { optionsTable } from './table.js';
