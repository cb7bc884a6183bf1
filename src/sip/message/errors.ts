/**
 * Errors of the message codec. The codec never throws them: `parseMessage` and the stream
 * framer return them as values, so a malformed packet can never unwind the stack. Each
 * error has a stable `code` to branch on and says by itself whether the sender gets a
 * 400 (`responseStatus()`), which `buildErrorResponse` in `serialize.ts` then builds.
 */
import type { SipHeaders } from './types.js';

/**
 * Stable error codes. Never reuse a retired code for another meaning.
 * - `empty`: nothing but white space / CRLFs (a keep-alive, or noise).
 * - `start-line`: the request or status line is malformed.
 * - `header-syntax`: a header line has no colon, a bad name, or a fold with nothing to fold into.
 * - `content-length`: Content-Length is not a number, is negative, or appears more than once.
 * - `body-truncated`: fewer body bytes arrived than Content-Length announced.
 * - `content-length-required`: a stream message without Content-Length (RFC 3261 §18.3).
 * - `too-large`: a stream message larger than the framer's limit.
 */
export type SipParseErrorCode =
  | 'empty'
  | 'start-line'
  | 'header-syntax'
  | 'content-length'
  | 'body-truncated'
  | 'content-length-required'
  | 'too-large';

/**
 * What could be read of a request that failed to parse: enough to answer it with a 400
 * (RFC 3261 §8.2.6 copies Via, From, To, Call-ID and CSeq), when those lines were intact.
 */
export interface PartialRequest {
  readonly method: string;
  readonly headers: SipHeaders;
}

export class SipParseError extends Error {
  override readonly name = 'SipParseError';
  readonly code: SipParseErrorCode;
  /** Set when the start line identified a request; holds every header line that parsed. */
  readonly partial: PartialRequest | undefined;

  constructor(code: SipParseErrorCode, message: string, partial?: PartialRequest, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.partial = partial;
  }

  /**
   * The status to answer with: 400 when a request was identified and carries a Via to
   * send the answer to (and is not an ACK, which is never answered); `undefined` means
   * log and drop.
   */
  responseStatus(): 400 | undefined {
    const p = this.partial;
    if (p === undefined || p.method === 'ACK' || !p.headers.has('Via')) return undefined;
    return 400;
  }
}
