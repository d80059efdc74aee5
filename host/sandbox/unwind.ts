// The two signals that must unwind a guest instead of becoming an errno: proc_exit
// and a kill. Every import lets these through; any other exception inside an import
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

/** Is this exception one that must unwind the guest (and not become an errno)? */
export function isUnwind(e: unknown): boolean {
  return e instanceof KillSignal || e instanceof ProcExit;
}
