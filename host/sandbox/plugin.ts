// A loaded plugin: a guest instantiated once (a reactor's `_initialize` run), whose
// exports the host calls as often as it likes; its state persists between calls.
//
// Bytes and strings cross by one convention: the guest exports `alloc(size) -> ptr`
// (and, if it frees, `dealloc(ptr, size)`). A Uint8Array or string argument is copied
// into memory from alloc and passed as two i32 arguments, pointer and length, then
// freed with dealloc after the call. callBytes/callString read a result the guest
// returns as an i64 `(ptr << 32) | len` of memory from its alloc, and dealloc it.

import { SandboxError } from './config.js';
import type { CallArg, CallReturns } from './runtime.js';
import type { ModuleInfo } from './wasm-module.js';
import { endingError, type Ending } from './session.js';
import { show } from '../validators.js';

/** The session a plugin talks to (a worker's or this thread's). */
export interface PluginSession {
  call(name: string, args: CallArg[], returns: CallReturns, funcType: ModuleInfo['functions'] extends Map<string, infer T> ? T | undefined : never): Promise<unknown>;
  close(): Promise<Ending>;
  kill(why: 'kill'): void;
  readonly ended: Promise<Ending>;
}

/** An argument of Plugin.call: a number (i32, f32, f64, or i64 when it is an integer), a bigint (i64), bytes or text. */
export type PluginArg = number | bigint | Uint8Array | string;

export class Plugin {
  /** The plugin's exported functions. */
  readonly exports: readonly string[];
  private queue: Promise<unknown> = Promise.resolve();
  private ending: Ending | undefined;

  /** @internal Made by Sandbox.instantiate(). */
  constructor(private readonly session: PluginSession, private readonly info: ModuleInfo, exports: string[]) {
    this.exports = Object.freeze([...exports]);
    void session.ended.then((e) => { this.ending = e; });
  }

  /** True once the plugin has ended (closed, trapped, exited, killed). */
  get closed(): boolean {
    return this.ending !== undefined;
  }

  /**
   * Calls an export and resolves with its result (a number; a bigint for i64; undefined
   * when it returns nothing). Rejects with a SandboxError when the call ends the plugin
   * (trap, exit, kill, timeout: the plugin is then closed), with a TypeError when the
   * call itself is wrong (the plugin lives on).
   */
  call(name: string, ...args: PluginArg[]): Promise<unknown> {
    return this.enqueue(name, args, 'value');
  }

  /** Calls an export that returns bytes as (ptr << 32) | len (see the convention above). */
  callBytes(name: string, ...args: PluginArg[]): Promise<Uint8Array> {
    return this.enqueue(name, args, 'bytes') as Promise<Uint8Array>;
  }

  /** Calls an export that returns UTF-8 text as (ptr << 32) | len. */
  callString(name: string, ...args: PluginArg[]): Promise<string> {
    return this.enqueue(name, args, 'string') as Promise<string>;
  }

  /** Closes the plugin: its sockets, files and folders are closed as at an exit. */
  async close(): Promise<void> {
    await this.queue.catch(() => {});
    await this.session.close();
  }

  private enqueue(name: string, args: PluginArg[], returns: CallReturns): Promise<unknown> {
    if (typeof name !== 'string') return Promise.reject(new TypeError(`the export's name must be a string, got ${show(name)}`));
    const converted: CallArg[] = [];
    for (const a of args) {
      if (typeof a === 'string') converted.push(new Uint8Array(Buffer.from(a, 'utf8')));
      else if (a instanceof Uint8Array || typeof a === 'bigint' || typeof a === 'number') converted.push(a);
      else return Promise.reject(new TypeError(`a plugin call takes numbers, bigints, Uint8Arrays and strings, got ${show(a)}`));
    }
    // One call at a time: the guest is single-threaded and its time limit is per call.
    const run = async () => {
      if (this.ending) {
        const why = this.ending.outcome.kind === 'closed' ? 'closed' : `ended (${endingError(this.ending, true)?.message ?? 'exited'})`;
        throw new SandboxError(`the plugin is ${why}`, 'ERR_SOCKBOX_PLUGIN_CLOSED');
      }
      return this.session.call(name, converted, returns, this.info.functions.get(name));
    };
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => {});
    return p;
  }
}
