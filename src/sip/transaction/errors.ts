/**
 * Errors of the transaction layer, to branch on with `instanceof` or `code`.
 *
 * - `TransactionTimeoutError`: a timer ran out (B or F: no final response; H: no ACK for
 *   a non-2xx final; `cancel`: no final response 64*T1 after CANCEL, RFC 3261 §9.1).
 * - `TransportError` (re-exported from the transport layer): the transport failed a send.
 * - `TransactionTerminatedError`: the transaction ended before it could do what was asked
 *   (the layer closed, the TU terminated it, or a response came after the final one).
 */
export { TransportError, type TransportErrorCode } from '../transport/errors.js';

/** Which timer ran out. */
export type TransactionTimer = 'B' | 'F' | 'H' | 'cancel';

export class TransactionTimeoutError extends Error {
  override readonly name = 'TransactionTimeoutError';
  readonly code = 'transaction-timeout' as const;
  readonly timer: TransactionTimer;

  constructor(timer: TransactionTimer, message: string) {
    super(message);
    this.timer = timer;
  }
}

export class TransactionTerminatedError extends Error {
  override readonly name = 'TransactionTerminatedError';
  readonly code = 'transaction-terminated' as const;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
