// Section 3: TCP echo throughput over loopback. Each server runs in a process of its
// own; the load generator (bench/c/echo-client.c) is another process, so the two never
// share a thread. Every measurement is bounded in time (warm-up + window) and count.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileC, run, sh, startServer } from '../lib/proc.mjs';

const CLK_TCK = Number(sh('getconf', ['CLK_TCK']).out) || 100;

/** CPU seconds (user + system, all threads) a process has used so far, or NaN. */
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime, stime: fields 14 and 15 of stat(5)
  } catch {
    return NaN;
  }
}

/** Message sizes and client counts, in table order. */
export const ECHO_CONFIGS = [
  { size: 64, clients: 1 },
  { size: 64, clients: 32 },
  { size: 65536, clients: 1 },
  { size: 65536, clients: 32 },
];

export const configKey = (c) => `${c.size}x${c.clients}`;
export const configName = (c) => `${c.size === 65536 ? '64 KiB' : `${c.size} B`}, ${c.clients} client${c.clients > 1 ? 's' : ''}`;

/**
 * The servers and one runner per server (a round starts the server, runs every config
 * against it, and stops it). Values are { msgs, bytes, secs, cpuUs, serverBusy, clientBusy } per `${server}.${config}`.
 */
export function echoSetup({ here, root, work, tools, warmupMs, windowMs }) {
  const client = tools.cc ? compileC(join(here, 'c', 'echo-client.c'), work, 'echo-client') : { ok: false, why: 'no C compiler (cc)' };
  const cServer = tools.cc ? compileC(join(here, 'c', 'echo-server.c'), work, 'echo-server') : { ok: false, why: 'no C compiler (cc)' };
  if (!client.ok) return { skip: `the load generator needs a C compiler: ${client.why}`, servers: [], runners: [] };

  const servers = [
    { key: 'c', name: 'C (bench/c/echo-server.c, poll, native)', floor: true,
      skip: cServer.ok ? null : cServer.why, cmd: cServer.bin, args: [] },
    { key: 'guest', name: 'sockbox guest (the same source for wasm32-wasi, `sockbox run`)', guest: true,
      cmd: process.execPath, args: [join(root, 'bin', 'sockbox.js'), 'run', join(here, 'guests', 'echo-server.wasm'), '--allow-bind', '127.0.0.1:0'] },
    { key: 'node', name: 'Node net (pipe)', cmd: process.execPath, args: [join(here, 'servers', 'echo-node.mjs')] },
    { key: 'python', name: 'Python selectors', skip: tools.python ? null : 'python3 not found',
      cmd: 'python3', args: [join(here, 'servers', 'echo-python.py')] },
  ];
  const runners = servers.filter((s) => !s.skip).map((s) => async () => {
    const srv = await startServer(s.cmd, s.args);
    const out = {};
    try {
      for (const c of ECHO_CONFIGS) {
        const cpu0 = cpuSeconds(srv.pid);
        const r = await run(client.bin, [String(srv.port), String(c.clients), String(c.size), String(warmupMs), String(windowMs), '100000000']);
        const cpu = cpuSeconds(srv.pid) - cpu0;
        if (!r.ok) throw new Error(`echo client against ${s.name}, ${configName(c)}: ${r.out}`);
        const [msgs, bytes, secs, total, clientCpu, elapsed] = r.out.split(/\s+/).map(Number);
        // CPU over the whole client run (warm-up included, as CPU times are): the server's per
        // message, and how busy each side was (1 = a whole core).
        out[`${s.key}.${configKey(c)}`] = {
          msgs, bytes, secs, cpuUs: total > 0 ? (cpu / total) * 1e6 : NaN, serverBusy: cpu / elapsed, clientBusy: clientCpu / elapsed,
        };
      }
    } finally {
      await srv.stop();
    }
    return out;
  });
  return { servers, runners };
}
