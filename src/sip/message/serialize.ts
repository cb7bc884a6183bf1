/**
 * Serialize messages and build responses to requests.
 */
import type { SipParseError } from './errors.js';
import { isToken, isTokenChar } from './grammar.js';
import { parseNameAddr } from './uri.js';
import { reasonPhrase } from './reason-phrases.js';
import { type SipMessage, type SipRequest, type SipResponse, SipHeaders, type HasHeaders } from './types.js';
import { headerKey } from './header-names.js';

const CONTENT_LENGTH_KEY = headerKey('Content-Length');

/** Replace CR and LF (header injection) with spaces. */
function oneLine(s: string): string {
  let ok = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x0d || c === 0x0a) {
      ok = false;
      break;
    }
  }
  return ok ? s : s.replace(/[\r\n]/g, ' ');
}

/** A header name that is a token: other characters (CR, LF, SP, ":"…) become "-". */
function tokenName(name: string): string {
  if (isToken(name)) return name;
  let out = '';
  for (let i = 0; i < name.length; i++) out += isTokenChar(name.charCodeAt(i)) ? name[i] : '-';
  return out === '' ? 'X' : out;
}

/**
 * Serialize a message to bytes: start line, header lines in order, a Content-Length equal
 * to the body length (replacing any Content-Length or `l:` line in place, or added at the
 * end), the empty line and the body. CR/LF inside values become spaces and non-token
 * characters in names become "-", so the output always parses and never gains lines.
 */
export function serializeMessage(msg: SipMessage): Buffer {
  let head =
    msg.kind === 'request'
      ? `${oneLine(msg.method)} ${oneLine(msg.uri)} ${oneLine(msg.version)}\r\n`
      : `${oneLine(msg.version)} ${msg.status} ${oneLine(msg.reason)}\r\n`;
  const length = String(msg.body.byteLength);
  let wroteLength = false;
  for (const { name, value } of msg.headers) {
    if (headerKey(name) === CONTENT_LENGTH_KEY) {
      if (wroteLength) continue;
      head += `Content-Length: ${length}\r\n`;
      wroteLength = true;
      continue;
    }
    head += `${tokenName(name)}: ${oneLine(value)}\r\n`;
  }
  if (!wroteLength) head += `Content-Length: ${length}\r\n`;
  head += '\r\n';
  const headBytes = Buffer.from(head, 'utf8');
  if (msg.body.byteLength === 0) return headBytes;
  return Buffer.concat([headBytes, msg.body], headBytes.length + msg.body.byteLength);
}

/** What to add to a response built by `buildResponse`. */
export interface ResponseExtras {
  /**
   * To tag to add when the request's To has none (RFC 3261 §8.2.6.2). Ignored for 100
   * Trying, and when the To already has a tag.
   */
  readonly toTag?: string;
  /** Further header lines, appended in order. */
  readonly headers?: Iterable<readonly [name: string, value: string]>;
  readonly body?: Uint8Array;
  /** Content-Type of `body`. */
  readonly contentType?: string;
}

/** What a response is built from: a parsed request, or the remains of one that failed to parse. */
export interface RequestLike extends HasHeaders {
  readonly method: string;
}

/**
 * Build a response to a request (RFC 3261 §8.2.6): copies every Via line in order, From,
 * To (adding `extras.toTag` when the To has no tag), Call-ID and CSeq, and for 100 Trying
 * the Timestamp. Record-Route and Contact are the dialog layer's business.
 */
export function buildResponse(req: RequestLike, status: number, reason?: string, extras?: ResponseExtras): SipResponse {
  const src = req.headers;
  const headers = new SipHeaders();
  for (const via of src.getAll('Via')) headers.append('Via', via);
  const from = src.get('From');
  if (from !== undefined) headers.append('From', from);
  const to = src.get('To');
  if (to !== undefined) headers.append('To', addToTag(to, status, extras?.toTag));
  const callId = src.get('Call-ID');
  if (callId !== undefined) headers.append('Call-ID', callId);
  const cseq = src.get('CSeq');
  if (cseq !== undefined) headers.append('CSeq', cseq);
  if (status === 100) {
    const ts = src.get('Timestamp');
    if (ts !== undefined) headers.append('Timestamp', ts);
  }
  if (extras?.headers) for (const [name, value] of extras.headers) headers.append(name, value);
  const body = extras?.body ?? new Uint8Array(0);
  if (extras?.contentType !== undefined && body.byteLength > 0) headers.set('Content-Type', extras.contentType);
  return { kind: 'response', status, reason: reason ?? reasonPhrase(status), version: 'SIP/2.0', headers, body };
}

function addToTag(to: string, status: number, tag: string | undefined): string {
  if (tag === undefined || status === 100) return to;
  const parsed = parseNameAddr(to);
  if (parsed !== undefined) return parsed.tag === undefined ? `${to};tag=${tag}` : to;
  return /;\s*tag\s*=/i.test(to) ? to : `${to};tag=${tag}`;
}

/**
 * The 400 answer to a request that failed to parse, built from what could be read of it;
 * `undefined` when the error says to drop the message (`error.responseStatus()`).
 */
export function buildErrorResponse(error: SipParseError, extras?: ResponseExtras): SipResponse | undefined {
  const status = error.responseStatus();
  if (status === undefined || error.partial === undefined) return undefined;
  return buildResponse(error.partial, status, reasonPhrase(status), extras);
}

/** Build a request from parts (`serializeMessage` computes its Content-Length). */
export function buildRequest(
  method: string,
  uri: string,
  headers: Iterable<readonly [name: string, value: string]>,
  body: Uint8Array = new Uint8Array(0),
): SipRequest {
  return { kind: 'request', method, uri, version: 'SIP/2.0', headers: new SipHeaders(headers), body };
}
