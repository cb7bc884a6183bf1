/**
 * Parse one SIP message from a datagram (UDP, or one WebSocket frame).
 *
 * `parseMessage` never throws. It checks what framing and the start line need (request /
 * status line, header line syntax, Content-Length) and keeps every header value as text;
 * Via, CSeq, From… are parsed later, on demand, by `headers.ts`, and the request-level
 * rules (mandatory headers, CSeq method, version…) are checked by `validateRequest`.
 *
 * Accepted leniently, as RFC 3261 §7.5 / §7.3.1 and RFC 4475 allow: CRLFs before the
 * start line, bare LF line ends, folded header lines (joined with one space), any case in
 * header names, compact names, white space before the colon, and a datagram that ends
 * without the empty line after its last header.
 */
import { SipParseError, type PartialRequest } from './errors.js';
import { isToken, isTokenChar } from './grammar.js';
import { parseInteger } from './headers.js';
import { type SipMessage, SipHeaders, trimWs } from './types.js';
import { schemeEnd } from './uri.js';

export type ParseResult =
  | { readonly ok: true; readonly message: SipMessage }
  | { readonly ok: false; readonly error: SipParseError };

const EMPTY = new Uint8Array(0);

/** Largest Content-Length the codec will consider (a datagram cannot be larger anyway). */
const MAX_CONTENT_LENGTH = 0x7fffffff;

/**
 * Parse a datagram. The body is `Content-Length` bytes after the header section (extra
 * bytes are ignored, RFC 3261 §18.3; fewer is an error), or the rest of the datagram
 * when there is no Content-Length. The body is a view of `buf`, not a copy.
 */
export function parseMessage(buf: Uint8Array): ParseResult {
  const b = asBuffer(buf);
  const len = b.length;
  let start = 0;
  while (start < len && (b[start] === 0x0d || b[start] === 0x0a)) start++;
  if (start === len) return fail(new SipParseError('empty', 'no message: only line breaks or nothing'));

  let headEnd: number;
  let bodyStart = findHeadEnd(b, start, len);
  if (bodyStart < 0) {
    // No empty line: the datagram ends inside (or right after) the header section.
    headEnd = len;
    bodyStart = len;
  } else {
    headEnd = b[bodyStart - 2] === 0x0d ? bodyStart - 2 : bodyStart - 1;
  }

  const head = parseHead(b.toString('utf8', start, headEnd));
  if (head.error !== undefined) return fail(head.error);
  if (head.contentLengthError !== undefined) return fail(head.contentLengthError);

  let body: Uint8Array = EMPTY;
  const available = len - bodyStart;
  const cl = head.contentLength;
  if (cl === undefined) {
    if (available > 0) body = b.subarray(bodyStart, len);
  } else if (cl > available) {
    return fail(
      new SipParseError(
        'body-truncated',
        `Content-Length is ${cl} but only ${available} body bytes arrived`,
        head.partial,
      ),
    );
  } else if (cl > 0) {
    body = b.subarray(bodyStart, bodyStart + cl);
  }
  return { ok: true, message: buildMessage(head, body) };
}

function fail(error: SipParseError): ParseResult {
  return { ok: false, error };
}

/** View any Uint8Array as a Buffer without copying. */
export function asBuffer(buf: Uint8Array): Buffer {
  return Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
}

/**
 * Find the empty line that ends the header section, searching `b[from, to)`.
 * Returns the index of the first body byte, or -1 when the section is not complete.
 * A line end is LF with an optional CR before it.
 */
export function findHeadEnd(b: Uint8Array, from: number, to: number): number {
  let i = from;
  while (i < to) {
    const lf = b.indexOf(0x0a, i);
    if (lf < 0 || lf >= to) return -1;
    if (lf + 1 >= to) return -1;
    const c = b[lf + 1];
    if (c === 0x0a) return lf + 2;
    if (c === 0x0d) {
      if (lf + 2 >= to) return -1;
      if (b[lf + 2] === 0x0a) return lf + 3;
    }
    i = lf + 1;
  }
  return -1;
}

type StartLine =
  | { readonly kind: 'request'; readonly method: string; readonly uri: string; readonly version: string }
  | { readonly kind: 'response'; readonly version: string; readonly status: number; readonly reason: string };

/**
 * What the header section says.
 * @internal shared with the stream framer.
 */
export interface ParsedHead {
  readonly start: StartLine | undefined;
  readonly headers: SipHeaders;
  /** First start-line or header-line error. */
  readonly error: SipParseError | undefined;
  /** Content-Length when present and valid. */
  readonly contentLength: number | undefined;
  /** Set when Content-Length is malformed or repeated. */
  readonly contentLengthError: SipParseError | undefined;
  /** Set when the start line identified a request. */
  readonly partial: PartialRequest | undefined;
}

/**
 * Parse the text of a header section (start line and header lines, without the empty
 * line). Never throws.
 */
export function parseHead(text: string): ParsedHead {
  const n = text.length;
  let eol = text.indexOf('\n');
  if (eol < 0) eol = n;
  const line0 = text.slice(0, eol > 0 && text.charCodeAt(eol - 1) === 0x0d ? eol - 1 : eol);
  const sl = parseStartLine(line0);
  const headers = new SipHeaders();
  let partial: PartialRequest | undefined;
  if (sl.start?.kind === 'request') partial = { method: sl.start.method, headers };
  else if (sl.identifiedMethod !== undefined) partial = { method: sl.identifiedMethod, headers };
  let error: SipParseError | undefined =
    sl.error === undefined ? undefined : new SipParseError('start-line', sl.error, partial);

  let name: string | undefined;
  let value = '';
  let lineNo = 1;
  let pos = eol + 1;
  while (pos < n) {
    eol = text.indexOf('\n', pos);
    if (eol < 0) eol = n;
    const lineEnd = eol > pos && text.charCodeAt(eol - 1) === 0x0d ? eol - 1 : eol;
    lineNo++;
    const c0 = text.charCodeAt(pos);
    if (c0 === 0x20 || c0 === 0x09) {
      // continuation of the previous header line (LWS fold)
      if (name === undefined) {
        error ??= new SipParseError('header-syntax', `line ${lineNo}: folded line with no header before it`, partial);
      } else {
        const more = trimWs(text.slice(pos, lineEnd));
        if (more.length > 0) value = value.length > 0 ? value + ' ' + more : more;
      }
    } else {
      if (name !== undefined) headers.append(name, value);
      name = undefined;
      const colon = text.indexOf(':', pos);
      if (colon < 0 || colon >= lineEnd) {
        error ??= new SipParseError('header-syntax', `line ${lineNo}: header line has no colon`, partial);
      } else {
        let nameEnd = colon;
        while (nameEnd > pos && (text.charCodeAt(nameEnd - 1) === 0x20 || text.charCodeAt(nameEnd - 1) === 0x09)) {
          nameEnd--;
        }
        const candidate = text.slice(pos, nameEnd);
        if (!isToken(candidate)) {
          error ??= new SipParseError('header-syntax', `line ${lineNo}: invalid header name`, partial);
        } else {
          name = candidate;
          value = trimWs(text.slice(colon + 1, lineEnd));
        }
      }
    }
    pos = eol + 1;
  }
  if (name !== undefined) headers.append(name, value);

  let contentLength: number | undefined;
  let contentLengthError: SipParseError | undefined;
  const cls = headers.getAll('Content-Length');
  if (cls.length > 1) {
    contentLengthError = new SipParseError('content-length', `${cls.length} Content-Length headers`, partial);
  } else if (cls.length === 1) {
    contentLength = parseInteger(cls[0] as string, MAX_CONTENT_LENGTH);
    if (contentLength === undefined) {
      contentLengthError = new SipParseError('content-length', 'Content-Length is not a non-negative integer', partial);
    }
  }
  return { start: sl.start, headers, error, contentLength, contentLengthError, partial };
}

/** @internal Build the message object once head and body are known (head must have no error). */
export function buildMessage(head: ParsedHead, body: Uint8Array): SipMessage {
  const s = head.start as StartLine;
  return s.kind === 'request'
    ? { kind: 'request', method: s.method, uri: s.uri, version: s.version, headers: head.headers, body }
    : { kind: 'response', status: s.status, reason: s.reason, version: s.version, headers: head.headers, body };
}

interface StartLineResult {
  readonly start: StartLine | undefined;
  readonly error: string | undefined;
  /** When the line is malformed but clearly a request: its method, so a 400 can be sent. */
  readonly identifiedMethod: string | undefined;
}

/** SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT ("SIP" in any case, as ABNF strings are). */
function isSipVersion(s: string): boolean {
  const n = s.length;
  if (n < 7) return false;
  if ((s.charCodeAt(0) | 0x20) !== 0x73 || (s.charCodeAt(1) | 0x20) !== 0x69 || (s.charCodeAt(2) | 0x20) !== 0x70) {
    return false;
  }
  if (s.charCodeAt(3) !== 0x2f) return false;
  let i = 4;
  const a = i;
  while (i < n && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) i++;
  if (i === a || i >= n || s.charCodeAt(i) !== 0x2e) return false;
  const b = ++i;
  while (i < n && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) i++;
  return i > b && i === n;
}

function startsWithSipSlash(s: string): boolean {
  return (
    s.length >= 4 &&
    (s.charCodeAt(0) | 0x20) === 0x73 &&
    (s.charCodeAt(1) | 0x20) === 0x69 &&
    (s.charCodeAt(2) | 0x20) === 0x70 &&
    s.charCodeAt(3) === 0x2f
  );
}

/** Request-URI: a scheme, a colon and at least one visible ASCII character, no `<>"`. */
function isRequestUriText(s: string): boolean {
  const colon = schemeEnd(s);
  if (colon < 0 || colon === s.length - 1) return false;
  for (let i = colon + 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || c === 0x3c || c === 0x3e || c === 0x22) return false;
  }
  return true;
}

function parseStartLine(line: string): StartLineResult {
  if (startsWithSipSlash(line)) return parseStatusLine(line);
  // Request-Line = Method SP Request-URI SP SIP-Version
  const sp1 = line.indexOf(' ');
  const sp2 = sp1 < 0 ? -1 : line.indexOf(' ', sp1 + 1);
  if (sp1 > 0 && sp2 > sp1 + 1) {
    const method = line.slice(0, sp1);
    const uri = line.slice(sp1 + 1, sp2);
    const version = line.slice(sp2 + 1);
    if (isToken(method) && isRequestUriText(uri) && isSipVersion(version)) {
      return { start: { kind: 'request', method, uri, version }, error: undefined, identifiedMethod: undefined };
    }
  }
  // Malformed. Still a request if it starts with a method and ends with a SIP version
  // (extra spaces, spaces in the URI, <> around it: RFC 4475 §3.1.2.7–10).
  let firstEnd = 0;
  while (firstEnd < line.length && isTokenChar(line.charCodeAt(firstEnd))) firstEnd++;
  const trimmed = trimWs(line);
  const lastSp = Math.max(trimmed.lastIndexOf(' '), trimmed.lastIndexOf('\t'));
  const identified =
    firstEnd > 0 &&
    (line.charCodeAt(firstEnd) === 0x20 || line.charCodeAt(firstEnd) === 0x09) &&
    lastSp > firstEnd &&
    isSipVersion(trimmed.slice(lastSp + 1));
  return {
    start: undefined,
    error: 'malformed request line',
    identifiedMethod: identified ? line.slice(0, firstEnd) : undefined,
  };
}

function parseStatusLine(line: string): StartLineResult {
  // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
  const sp = line.indexOf(' ');
  const bad = (why: string): StartLineResult => ({ start: undefined, error: why, identifiedMethod: undefined });
  if (sp < 0) return bad('malformed status line');
  const version = line.slice(0, sp);
  if (!isSipVersion(version)) return bad('malformed SIP version in status line');
  const c = sp + 1;
  let end = c;
  while (end < line.length && line.charCodeAt(end) >= 0x30 && line.charCodeAt(end) <= 0x39) end++;
  if (end - c !== 3) return bad('status code is not three digits');
  if (end < line.length && line.charCodeAt(end) !== 0x20) return bad('malformed status line');
  const status = Number(line.slice(c, end));
  if (status < 100 || status > 699) return bad(`status code ${status} out of range`);
  const reason = end < line.length ? line.slice(end + 1) : '';
  return { start: { kind: 'response', version, status, reason }, error: undefined, identifiedMethod: undefined };
}
