// The signals that must unwind a guest instead of becoming an errno: proc_exit, a
// kill, and a host function's failure. Every import lets these through; any other exception inside an import
// becomes an errno.

/** Thrown through the guest when the host kills the sandbox (kill(), a timeout, a failed sink). */
export class KillSignal extends Error {
  constructor() {
    super('sandbox killed');
    this.name = 'KillSignal';
  }
}

/** Thrown through the guest by proc_exit(code). */
export class ProcExit extends Error {
  constructor(readonly code: number) {
    super(`exit with exit code ${code}`);
    this.name = 'ProcExit';
  }
}

/** Thrown through the guest when a host function failed: the run ends with ERR_SOCKBOX_HOST_FUNCTION. */
export class HostFailure extends Error {
  constructor(readonly fn: string, readonly reason: string) {
    super(`host function ${fn} failed: ${reason}`);
    this.name = 'HostFailure';
  }
}

/** Is this exception one that must unwind the guest (and not become an errno)? */
export function isUnwind(e: unknown): boolean {
  return e instanceof KillSignal || e instanceof ProcExit || e instanceof HostFailure;
}
