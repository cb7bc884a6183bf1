/**
 * What every transport does with a message before handing it up (RFC 3261 §18.2.1,
 * §18.1.2, §8.2): stamp `received`/`rport` on a request's top Via, check the request with
 * `validateRequest` (answering a refusal itself, statelessly) or the response with
 * `validateResponse` (dropping a bad one), and build the 400 for a request that did not
 * parse. Pure: the transport does the sending.
 */
import {
  type RequestPolicy,
  type ResponsePolicy,
  type SipMessage,
  type SipParseError,
  type SipResponse,
  buildErrorResponse,
  rejectionResponse,
  validateRequest,
  validateResponse,
} from '../message/index.js';
import { stampReceived } from './address.js';
import type { HostPort } from './types.js';

export interface InboundPolicy {
  /** Checks for requests (default: `DEFAULT_REQUEST_POLICY`, role `uas`). */
  readonly request?: RequestPolicy;
  /** Checks for responses (default: role `uac`). */
  readonly response?: ResponsePolicy;
}

export type Screened =
  /** Hand the message up (a request's top Via now carries `received` / `rport`). */
  | { readonly action: 'deliver'; readonly message: SipMessage }
  /** Refuse a request: send `response` back, do not hand the request up. */
  | { readonly action: 'reject'; readonly response: SipResponse; readonly reason: string }
  /** Drop silently (a bad response, a bad ACK, an unparsable message without a Via). */
  | { readonly action: 'drop'; readonly reason: string };

/** Screen a parsed message that arrived from `source`. */
export function screenMessage(message: SipMessage, source: HostPort, policy: InboundPolicy = {}): Screened {
  if (message.kind === 'response') {
    const verdict = validateResponse(message, policy.response);
    return verdict.ok ? { action: 'deliver', message } : { action: 'drop', reason: `response ${verdict.check}: ${verdict.detail}` };
  }
  stampReceived(message, source);
  const verdict = validateRequest(message, policy.request);
  if (verdict.ok) return { action: 'deliver', message };
  const reason = `${message.method} refused ${verdict.status} (${verdict.check}): ${verdict.detail}`;
  const response = rejectionResponse(message, verdict);
  return response === undefined ? { action: 'drop', reason } : { action: 'reject', response, reason };
}

/**
 * The answer to a message that did not parse: the 400 built from what could be read
 * (its top Via stamped like a good request's), or `drop` when `error.responseStatus()`
 * says so (not a request, an ACK, or no Via).
 */
export function screenParseError(error: SipParseError, source: HostPort): Screened {
  const reason = `unparsable message (${error.code}): ${error.message}`;
  if (error.partial !== undefined) stampReceived(error.partial, source);
  const response = buildErrorResponse(error);
  return response === undefined ? { action: 'drop', reason } : { action: 'reject', response, reason };
}
