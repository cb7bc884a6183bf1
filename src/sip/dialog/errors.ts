/**
 * Errors of the dialog layer, to branch on with `instanceof` or `code`.
 *
 * - `DialogTerminatedError`: a request was asked of a dialog that has ended (a BYE went or
 *   came, the peer answered 481, the UA closed).
 * - `DialogRouteError`: the next hop of a request cannot be worked out (a remote target or
 *   route that is not a SIP URI).
 */

export class DialogTerminatedError extends Error {
  override readonly name = 'DialogTerminatedError';
  readonly code = 'dialog-terminated' as const;

  constructor(message = 'the dialog is terminated', options?: { cause?: unknown }) {
    super(message, options);
  }
}

export class DialogRouteError extends Error {
  override readonly name = 'DialogRouteError';
  readonly code = 'dialog-route' as const;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
