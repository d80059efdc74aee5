// Stopping a guest that runs on the calling thread (inline mode), where no timer can
// fire and no other code can run while the guest spins.
//
// V8 can terminate a thread's JavaScript and WebAssembly from outside: Node's `vm`
// does it for a script's `timeout` and, with `breakOnSigint`, on SIGINT. The
// termination is checked at every wasm function entry and loop header and cannot be
// caught, by JavaScript or by a wasm `catch_all` (V8 does not hand termination to wasm
// handlers); Node cancels it when the vm call returns and throws
// ERR_SCRIPT_EXECUTION_TIMEOUT / ERR_SCRIPT_EXECUTION_INTERRUPTED there.
//
// So an inline guest runs inside a vm call with the run's timeout and breakOnSigint;
// `interruptCurrent()` raises SIGINT on this very thread (raise(3), delivered before it
// returns), which Node's watchdog turns into a termination of this thread only. It is
// raised only while a guarded call is running on this thread, when Node's handler is
// in place. Measured here: the guest stops within a millisecond, catch_all or not.

import vm from 'node:vm';
import koffi from 'koffi';

const SIGINT = 2;
let raiseFn: ((sig: number) => number) | undefined;
/** Guarded calls running on this thread (nested inline runs are possible). */
let depth = 0;
const context = vm.createContext(Object.create(null) as object);
const script = new vm.Script('__sockbox_guarded()', { filename: 'sockbox-guest' });

/** How a guarded call ended when it did not return or throw by itself. */
export type Interruption = 'timeout' | 'signal';

/**
 * Runs `fn` so that it can be stopped: after `timeoutMs` (if given), by SIGINT (Ctrl-C),
 * or by interruptCurrent() from code it calls. Returns its value, or the interruption.
 * Exceptions from `fn` propagate.
 */
export function runInterruptible<T>(fn: () => T, timeoutMs?: number): { value: T } | { interrupted: Interruption } {
  (context as Record<string, unknown>).__sockbox_guarded = fn;
  depth++;
  try {
    const opts: vm.RunningScriptOptions = { breakOnSigint: true };
    if (timeoutMs !== undefined) opts.timeout = Math.max(1, Math.ceil(timeoutMs));
    return { value: script.runInContext(context, opts) as T };
  } catch (e) {
    const code = (e as { code?: unknown } | null)?.code;
    if (code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return { interrupted: 'timeout' };
    if (code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED') return { interrupted: 'signal' };
    throw e;
  } finally {
    depth--;
    (context as Record<string, unknown>).__sockbox_guarded = undefined;
  }
}

/**
 * Terminates the guarded call running on this thread (from a host function, sink or
 * event handler it called). Returns false, doing nothing, when none runs here.
 */
export function interruptCurrent(): boolean {
  if (depth === 0) return false;
  raiseFn ??= koffi.load(process.platform === 'darwin' ? '/usr/lib/libSystem.B.dylib' : 'libc.so.6').func('int raise(int)') as unknown as (sig: number) => number;
  raiseFn(SIGINT);
  // Node's signal handler only wakes its watchdog thread, which terminates this one a
  // moment later. Wait here for it: unwinding first would leave the wake-up pending
  // (it is counted), and the next guarded call in the process would be the one stopped.
  // (Nothing here may touch a lazily made global such as `performance`: with the
  // termination pending, its getter fails and a plain TypeError would unwind instead.)
  for (let i = 0; i < 2000; i++) Atomics.wait(pause, 0, 0, 1);
  return true;
}

/** Something to wait on while a termination is on its way. */
const pause = new Int32Array(new SharedArrayBuffer(4));
