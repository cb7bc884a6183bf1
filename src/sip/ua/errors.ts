/**
 * Errors of the UA core, to branch on with `instanceof` or `code`. Each one that ends a
 * call attempt says what the attempt came to (`callOutcome()`: busy, no-answer, failed,
 * canceled), so the layers above map it to a call status without a central switch.
 *
 * - `InviteRejectedError` (`invite-rejected`): the INVITE got a non-2xx final response;
 *   carries that response.
 * - `InviteCancelledError` (`invite-cancelled`): we cancelled the INVITE (the 487, when one
 *   came, is attached).
 * - `RequestRejectedError` (`request-rejected`): an in-dialog or out-of-dialog request
 *   (BYE, re-INVITE, INFO, OPTIONS) got a non-2xx final response; carries it.
 * - `RequestTimeoutError` (`request-timeout`): no final response (Timer B or F).
 * - `RequestFailedError` (`request-failed`): the transport failed, or the transaction or
 *   UA was closed under the request.
 * - `DialogTerminatedError` (`dialog-terminated`): the session or dialog has ended.
 * - `SessionStateError` (`invalid-state`): the call is in a state where the operation
 *   makes no sense (answering an INVITE twice, re-INVITE before the session is up).
 */
import type { SipResponse } from '../message/index.js';
import { TransactionTimeoutError } from '../transaction/errors.js';

export { DialogTerminatedError, DialogRouteError } from '../dialog/errors.js';

/** What a call attempt came to, in the terms of a call record. */
export type CallOutcome = 'busy' | 'no-answer' | 'failed' | 'canceled';

export class InviteRejectedError extends Error {
  override readonly name = 'InviteRejectedError';
  readonly code = 'invite-rejected' as const;
  /** The final response that refused the INVITE. */
  readonly response: SipResponse;

  constructor(response: SipResponse, options?: { cause?: unknown }) {
    super(`INVITE rejected: ${response.status} ${response.reason}`, options);
    this.response = response;
  }

  get status(): number {
    return this.response.status;
  }

  get reason(): string {
    return this.response.reason;
  }

  /** 486 and 600 are busy; 408, 480 and 487 no answer; everything else a failure. */
  callOutcome(): CallOutcome {
    const s = this.response.status;
    if (s === 486 || s === 600) return 'busy';
    if (s === 408 || s === 480 || s === 487) return 'no-answer';
    return 'failed';
  }
}

export class InviteCancelledError extends Error {
  override readonly name = 'InviteCancelledError';
  readonly code = 'invite-cancelled' as const;
  /** The 487 (or other final response) the INVITE got after the CANCEL, when one came. */
  readonly response: SipResponse | undefined;

  constructor(response?: SipResponse, options?: { cause?: unknown }) {
    super(response === undefined ? 'INVITE cancelled' : `INVITE cancelled (${response.status} ${response.reason})`, options);
    this.response = response;
  }

  callOutcome(): CallOutcome {
    return 'canceled';
  }
}

export class RequestRejectedError extends Error {
  override readonly name = 'RequestRejectedError';
  readonly code = 'request-rejected' as const;
  readonly method: string;
  readonly response: SipResponse;

  constructor(method: string, response: SipResponse, options?: { cause?: unknown }) {
    super(`${method} rejected: ${response.status} ${response.reason}`, options);
    this.method = method;
    this.response = response;
  }

  get status(): number {
    return this.response.status;
  }

  callOutcome(): CallOutcome {
    return 'failed';
  }
}

export class RequestTimeoutError extends Error {
  override readonly name = 'RequestTimeoutError';
  readonly code = 'request-timeout' as const;
  readonly method: string;

  constructor(method: string, options?: { cause?: unknown }) {
    super(`${method}: no final response`, options);
    this.method = method;
  }

  callOutcome(): CallOutcome {
    return 'no-answer';
  }
}

export class RequestFailedError extends Error {
  override readonly name = 'RequestFailedError';
  readonly code = 'request-failed' as const;
  readonly method: string;

  constructor(method: string, message: string, options?: { cause?: unknown }) {
    super(`${method}: ${message}`, options);
    this.method = method;
  }

  callOutcome(): CallOutcome {
    return 'failed';
  }
}

export class SessionStateError extends Error {
  override readonly name = 'SessionStateError';
  readonly code = 'invalid-state' as const;

  constructor(message: string) {
    super(message);
  }
}

/** Turn what a client transaction failed with into a UA error: timeouts apart from the rest. */
export function transactionFailure(method: string, err: unknown): RequestTimeoutError | RequestFailedError {
  if (err instanceof TransactionTimeoutError) return new RequestTimeoutError(method, { cause: err });
  const message = err instanceof Error ? err.message : String(err);
  return new RequestFailedError(method, message, { cause: err });
}
