// The browser runtime's errors: the same codes as Node's SandboxError (host/errors.ts,
// which imports node:util and so stays out of the browser bundle), plus the two that only
// a page meets: ERR_SOCKBOX_NOT_ISOLATED and ERR_SOCKBOX_RELAY.

export type BrowserSandboxErrorCode =
  | 'ERR_SOCKBOX_NOT_ISOLATED'
  | 'ERR_SOCKBOX_BUSY'
  | 'ERR_SOCKBOX_KILLED'
  | 'ERR_SOCKBOX_GUEST_TRAP'
  | 'ERR_SOCKBOX_GUEST_INVALID'
  | 'ERR_SOCKBOX_CRASHED'
  | 'ERR_SOCKBOX_RELAY';

/** A run that did not end with an exit code, or a sandbox that cannot run here. `code` says which. */
export class SandboxError extends Error {
  readonly code: BrowserSandboxErrorCode;
  /** ERR_SOCKBOX_RELAY: the WebSocket's close code (4401 a refused token, 1006 no answer at all...). */
  readonly closeCode?: number;
  /** ERR_SOCKBOX_RELAY: the reason the relay gave when it closed ('' when it gave none). */
  readonly reason?: string;

  constructor(message: string, code: BrowserSandboxErrorCode, relay?: { closeCode: number; reason: string }) {
    super(message);
    this.name = 'SandboxError';
    this.code = code;
    if (relay) {
      this.closeCode = relay.closeCode;
      this.reason = relay.reason;
    }
  }
}
