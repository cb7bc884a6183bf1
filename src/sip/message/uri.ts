/**
 * URIs (SIP and SIPS per RFC 3261 §19.1, TEL per RFC 3966, any other scheme kept opaque)
 * and the name-addr / addr-spec forms that carry them in From, To, Contact, Route…
 *
 * Parts are kept as written, %-escapes included, so that formatting a parsed URI gives
 * back the same text; `unescapeUriPart` decodes a part and `sipUriEquals` compares two
 * SIP URIs the way §19.1.4 says. Nothing here throws: malformed input gives `undefined`.
 */
import {
  HNV_CHARS,
  HOST_CHARS,
  PARAM_CHARS,
  PASSWORD_CHARS,
  USER_CHARS,
  findParam,
  formatParams,
  isEscapedRun,
  parseGenericParams,
  quote,
  scanQuoted,
  skipWs,
  isTokenChar,
  unquote,
} from './grammar.js';
import type { SipParam } from './types.js';

/** A `?name=value` header carried in a SIP URI (kept %-escaped). */
export interface UriHeader {
  readonly name: string;
  readonly value: string;
}

/** sip: or sips: URI. */
export interface SipUri {
  readonly kind: 'sip';
  readonly scheme: 'sip' | 'sips';
  /** User part as written (may hold %-escapes and `;` parameters of a telephone-subscriber). */
  readonly user: string | undefined;
  readonly password: string | undefined;
  /** Host as written; an IPv6 reference keeps its brackets (`[2001:db8::1]`). */
  readonly host: string;
  readonly port: number | undefined;
  readonly params: readonly SipParam[];
  readonly headers: readonly UriHeader[];
}

/** tel: URI (RFC 3966). */
export interface TelUri {
  readonly kind: 'tel';
  readonly scheme: 'tel';
  /** The telephone-subscriber number, e.g. `+1-201-555-0123` or `7042`. */
  readonly number: string;
  readonly params: readonly SipParam[];
}

/** A URI of another scheme (`isbn:`, `http:`, `soap.beep:`…), kept as scheme + opaque text. */
export interface AbsoluteUri {
  readonly kind: 'absolute';
  /** Lower-cased scheme. */
  readonly scheme: string;
  readonly opaque: string;
}

export type Uri = SipUri | TelUri | AbsoluteUri;

/** name-addr or addr-spec with the header parameters that follow it. */
export interface NameAddr {
  /** Display name with quotes removed and quoted-pairs resolved; `undefined` when absent. */
  readonly displayName: string | undefined;
  readonly uri: Uri;
  /** Header parameters (`;tag=…`, `;expires=…`), quoted values keep their quotes. */
  readonly params: readonly SipParam[];
  /** The `tag` parameter, when present with a value. */
  readonly tag: string | undefined;
}

const ALPHA = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const DIGIT = (c: number): boolean => c >= 0x30 && c <= 0x39;

/**
 * Index of the `:` ending a URI scheme at the start of `s`
 * (`scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`), or -1.
 */
export function schemeEnd(s: string): number {
  if (s.length === 0 || !ALPHA(s.charCodeAt(0))) return -1;
  for (let i = 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x3a) return i;
    if (!(ALPHA(c) || DIGIT(c) || c === 0x2b || c === 0x2d || c === 0x2e)) return -1;
  }
  return -1;
}

/** Parse a URI; `undefined` when it is not well formed. */
export function parseUri(text: string): Uri | undefined {
  const colon = schemeEnd(text);
  if (colon < 0) return undefined;
  const scheme = text.slice(0, colon).toLowerCase();
  if (scheme === 'sip' || scheme === 'sips') return parseSipUri(text, colon + 1, scheme);
  if (scheme === 'tel') return parseTelUri(text, colon + 1);
  const opaque = text.slice(colon + 1);
  if (opaque.length === 0) return undefined;
  for (let i = 0; i < opaque.length; i++) {
    const c = opaque.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f || c === 0x3c || c === 0x3e || c === 0x22) return undefined;
  }
  return { kind: 'absolute', scheme, opaque };
}

function parseSipUri(s: string, i: number, scheme: 'sip' | 'sips'): SipUri | undefined {
  const n = s.length;
  let user: string | undefined;
  let password: string | undefined;
  const at = s.indexOf('@', i);
  if (at >= 0) {
    const pw = s.indexOf(':', i);
    const userEnd = pw >= 0 && pw < at ? pw : at;
    if (!isEscapedRun(s, i, userEnd, USER_CHARS, false)) return undefined;
    user = s.slice(i, userEnd);
    if (userEnd < at) {
      if (!isEscapedRun(s, userEnd + 1, at, PASSWORD_CHARS, true)) return undefined;
      password = s.slice(userEnd + 1, at);
    }
    i = at + 1;
  }
  // host
  let host: string;
  if (i < n && s.charCodeAt(i) === 0x5b /* [ */) {
    const close = s.indexOf(']', i);
    if (close < 0 || !isIpv6Text(s, i + 1, close)) return undefined;
    host = s.slice(i, close + 1);
    i = close + 1;
  } else {
    const start = i;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c >= 128 || HOST_CHARS[c] !== 1) break;
      i++;
    }
    if (i === start) return undefined;
    host = s.slice(start, i);
  }
  let port: number | undefined;
  if (i < n && s.charCodeAt(i) === 0x3a /* : */) {
    const start = ++i;
    while (i < n && DIGIT(s.charCodeAt(i))) i++;
    if (i === start || i - start > 5) return undefined;
    port = Number(s.slice(start, i));
    if (port > 65535) return undefined;
  }
  // uri-parameters
  const params: SipParam[] = [];
  while (i < n && s.charCodeAt(i) === 0x3b /* ; */) {
    const start = ++i;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c === 0x3b || c === 0x3f || c === 0x3d) break;
      i++;
    }
    if (!isEscapedRun(s, start, i, PARAM_CHARS, false)) return undefined;
    const name = s.slice(start, i);
    if (i < n && s.charCodeAt(i) === 0x3d /* = */) {
      const vstart = ++i;
      while (i < n) {
        const c = s.charCodeAt(i);
        if (c === 0x3b || c === 0x3f) break;
        i++;
      }
      if (!isEscapedRun(s, vstart, i, PARAM_CHARS, false)) return undefined;
      params.push({ name, value: s.slice(vstart, i) });
    } else {
      params.push({ name, value: null });
    }
  }
  // headers
  const headers: UriHeader[] = [];
  if (i < n && s.charCodeAt(i) === 0x3f /* ? */) {
    i++;
    for (;;) {
      const start = i;
      while (i < n && s.charCodeAt(i) !== 0x26 /* & */) i++;
      const eq = s.indexOf('=', start);
      if (eq < 0 || eq >= i) return undefined;
      if (!isEscapedRun(s, start, eq, HNV_CHARS, false)) return undefined;
      if (!isEscapedRun(s, eq + 1, i, HNV_CHARS, true)) return undefined;
      headers.push({ name: s.slice(start, eq), value: s.slice(eq + 1, i) });
      if (i >= n) break;
      i++;
    }
  }
  if (i !== n) return undefined;
  return { kind: 'sip', scheme, user, password, host, port, params, headers };
}

function isIpv6Text(s: string, from: number, to: number): boolean {
  if (to - from < 2) return false;
  let colons = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x3a) colons++;
    else if (!(DIGIT(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66) || c === 0x2e)) return false;
  }
  return colons >= 2;
}

const TEL_NUMBER = new Uint8Array(128);
for (const ch of '0123456789abcdefABCDEF*#+-.()') TEL_NUMBER[ch.charCodeAt(0)] = 1;

function parseTelUri(s: string, i: number): TelUri | undefined {
  const n = s.length;
  const start = i;
  while (i < n && s.charCodeAt(i) !== 0x3b) {
    const c = s.charCodeAt(i);
    if (c >= 128 || TEL_NUMBER[c] !== 1) return undefined;
    i++;
  }
  if (i === start) return undefined;
  const number = s.slice(start, i);
  const params: SipParam[] = [];
  while (i < n) {
    const pstart = ++i; // past ';'
    while (i < n && s.charCodeAt(i) !== 0x3b) i++;
    const text = s.slice(pstart, i);
    const eq = text.indexOf('=');
    const name = eq < 0 ? text : text.slice(0, eq);
    const value = eq < 0 ? null : text.slice(eq + 1);
    if (!isEscapedRun(name, 0, name.length, PARAM_CHARS, false)) return undefined;
    if (value !== null && !isEscapedRun(value, 0, value.length, PARAM_CHARS, false)) return undefined;
    params.push({ name, value });
  }
  return { kind: 'tel', scheme: 'tel', number, params };
}

/** Format a URI back to text. */
export function formatUri(uri: Uri): string {
  switch (uri.kind) {
    case 'sip': {
      let out = uri.scheme + ':';
      if (uri.user !== undefined) {
        out += uri.user;
        if (uri.password !== undefined) out += ':' + uri.password;
        out += '@';
      }
      out += uri.host;
      if (uri.port !== undefined) out += ':' + uri.port;
      out += formatParams(uri.params);
      if (uri.headers.length > 0) out += '?' + uri.headers.map((h) => `${h.name}=${h.value}`).join('&');
      return out;
    }
    case 'tel':
      return 'tel:' + uri.number + formatParams(uri.params);
    case 'absolute':
      return uri.scheme + ':' + uri.opaque;
  }
}

/** A URI parameter's value (`undefined` absent, `null` present without value). */
export function uriParam(uri: SipUri | TelUri, name: string): string | null | undefined {
  return findParam(uri.params, name);
}

/**
 * Decode the %-escapes of a URI part (user, password, parameter, header) into text,
 * reading the escaped octets as UTF-8. A malformed escape is left as written.
 */
export function unescapeUriPart(part: string): string {
  if (!part.includes('%')) return part;
  const bytes: number[] = [];
  for (let i = 0; i < part.length; i++) {
    const c = part.charCodeAt(i);
    if (c === 0x25 && i + 2 < part.length) {
      const v = parseInt(part.slice(i + 1, i + 3), 16);
      if (!Number.isNaN(v) && /^[0-9a-fA-F]{2}$/.test(part.slice(i + 1, i + 3))) {
        bytes.push(v);
        i += 2;
        continue;
      }
    }
    if (c < 0x80) bytes.push(c);
    else for (const b of Buffer.from(part[i] as string, 'utf8')) bytes.push(b);
  }
  return Buffer.from(bytes).toString('utf8');
}

const EQ_PARAMS = ['user', 'ttl', 'method', 'maddr', 'transport'] as const;

/**
 * Compare two SIP/SIPS URIs per RFC 3261 §19.1.4: scheme, user and password exact after
 * unescaping, host case-insensitive, ports equal (absent ≠ 5060), `user`/`ttl`/`method`/
 * `maddr`/`transport` equal when either side has them, other parameters equal when both
 * have them, headers equal as sets.
 */
export function sipUriEquals(a: SipUri, b: SipUri): boolean {
  if (a.scheme !== b.scheme) return false;
  if ((a.user === undefined) !== (b.user === undefined)) return false;
  if (a.user !== undefined && unescapeUriPart(a.user) !== unescapeUriPart(b.user as string)) return false;
  if ((a.password === undefined) !== (b.password === undefined)) return false;
  if (a.password !== undefined && unescapeUriPart(a.password) !== unescapeUriPart(b.password as string)) return false;
  if (a.host.toLowerCase() !== b.host.toLowerCase()) return false;
  if (a.port !== b.port) return false;
  const norm = (v: string | null | undefined): string | null | undefined =>
    typeof v === 'string' ? unescapeUriPart(v).toLowerCase() : v;
  for (const name of EQ_PARAMS) {
    if (norm(findParam(a.params, name)) !== norm(findParam(b.params, name))) return false;
  }
  for (const p of a.params) {
    const other = findParam(b.params, unescapeUriPart(p.name));
    if (other === undefined) continue;
    if (norm(p.value) !== norm(other)) return false;
  }
  if (a.headers.length !== b.headers.length) return false;
  for (const h of a.headers) {
    const match = b.headers.find(
      (g) => unescapeUriPart(g.name).toLowerCase() === unescapeUriPart(h.name).toLowerCase(),
    );
    if (match === undefined || unescapeUriPart(match.value) !== unescapeUriPart(h.value)) return false;
  }
  return true;
}

/**
 * Parse one name-addr or addr-spec with its parameters:
 * `[ display-name ] "<" URI ">" *(";" param)` or `URI *(";" param)`.
 *
 * - A display name is a quoted-string or tokens separated by white space (tokens are
 *   joined by one space); no white space is needed before `<` (RFC 4475 §3.1.1.6).
 * - Inside `<…>` no white space is allowed (RFC 4475 §3.1.2.14 is rejected).
 * - In addr-spec form the URI ends at the first `;` and may not hold `?` or `,`
 *   (RFC 3261 §20), so `sip:a@b;tag=1` has a header parameter `tag`.
 */
export function parseNameAddr(text: string): NameAddr | undefined {
  const s = text;
  const n = s.length;
  let i = skipWs(s, 0);
  let displayName: string | undefined;
  let uriText: string;
  if (i < n && s.charCodeAt(i) === 0x22) {
    const end = scanQuoted(s, i);
    if (end < 0) return undefined;
    displayName = unquote(s.slice(i, end));
    i = skipWs(s, end);
    if (i >= n || s.charCodeAt(i) !== 0x3c) return undefined;
  } else {
    // Tokens up to '<', or an addr-spec.
    const lt = s.indexOf('<', i);
    if (lt >= 0) {
      const words: string[] = [];
      let j = i;
      while (j < lt) {
        const start = j;
        while (j < lt && isTokenChar(s.charCodeAt(j))) j++;
        if (j === start) return undefined;
        words.push(s.slice(start, j));
        const after = skipWs(s, j);
        if (after === j && j < lt) return undefined; // a non-token character
        j = after;
      }
      if (words.length > 0) displayName = words.join(' ');
      i = lt;
    } else {
      // addr-spec
      let end = i;
      while (end < n) {
        const c = s.charCodeAt(end);
        if (c === 0x3b /* ; */ || c === 0x20 || c === 0x09) break;
        if (c === 0x3f /* ? */ || c === 0x2c /* , */ || c === 0x3e /* > */ || c === 0x22) return undefined;
        end++;
      }
      uriText = s.slice(i, end);
      const uri = parseUri(uriText);
      if (uri === undefined) return undefined;
      const params = parseGenericParams(s, end);
      if (params === undefined) return undefined;
      return { displayName: undefined, uri, params, tag: tagOf(params) };
    }
  }
  // s[i] === '<'
  const gt = s.indexOf('>', i + 1);
  if (gt < 0) return undefined;
  uriText = s.slice(i + 1, gt);
  for (let k = 0; k < uriText.length; k++) {
    const c = uriText.charCodeAt(k);
    if (c === 0x20 || c === 0x09) return undefined;
  }
  const uri = parseUri(uriText);
  if (uri === undefined) return undefined;
  const params = parseGenericParams(s, gt + 1);
  if (params === undefined) return undefined;
  return { displayName, uri, params, tag: tagOf(params) };
}

function tagOf(params: readonly SipParam[]): string | undefined {
  const v = findParam(params, 'tag');
  return typeof v === 'string' ? v : undefined;
}

/** Format a name-addr: always with `<>`, the display name quoted when present. */
export function formatNameAddr(addr: Pick<NameAddr, 'displayName' | 'uri' | 'params'>): string {
  const name = addr.displayName === undefined ? '' : quote(addr.displayName) + ' ';
  return `${name}<${formatUri(addr.uri)}>${formatParams(addr.params)}`;
}

/** A copy of a name-addr with one parameter set (replacing an existing one of that name). */
export function withParam(addr: NameAddr, name: string, value: string | null): NameAddr {
  const lower = name.toLowerCase();
  const params = addr.params.filter((p) => p.name.toLowerCase() !== lower);
  params.push({ name, value });
  return { ...addr, params, tag: tagOf(params) };
}
