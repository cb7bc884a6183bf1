/**
 * Errors of the SIP transports. A transport never throws from its receive path; `send`
 * rejects with a `TransportError`, which the transaction layer turns into the
 * "transport error" input of the transaction that sent (RFC 3261 §17.1.4, §17.2.4).
 */

/**
 * Stable codes. Never reuse a retired code for another meaning.
 * - `closed`: the transport (or the connection asked for) is closed.
 * - `no-transport`: no transport of the requested protocol is configured.
 * - `connect-failed`: a TCP connection could not be opened.
 * - `send-failed`: the socket refused or failed the write.
 * - `too-large`: the message exceeds what the transport will carry.
 */
export type TransportErrorCode = 'closed' | 'no-transport' | 'connect-failed' | 'send-failed' | 'too-large';

export class TransportError extends Error {
  override readonly name = 'TransportError';
  readonly code: TransportErrorCode;

  constructor(code: TransportErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
