/**
 * Typed views of the headers the SIP stack works with.
 *
 * Each `parseX(value)` reads one header value and gives `undefined` when it is malformed;
 * each `getX(msg)` reads the header from a message (all lines of a list header, merged
 * in order), caches the result on the header list, and gives `undefined` when the header
 * is absent or malformed. `validateRequest` tells those two apart; code running after it
 * can rely on the mandatory ones being there.
 */
import {
  HOST_CHARS,
  findParam,
  formatParams,
  isCallId,
  isToken,
  parseDigits,
  parseGenericParams,
  scanQuoted,
  scanToken,
  skipWs,
  unquote,
} from './grammar.js';
import { type NameAddr, parseNameAddr } from './uri.js';
import { type HasHeaders, type SipParam, splitHeaderList, trimWs } from './types.js';

// ───────────────────────────── Via ─────────────────────────────

/** One Via value (RFC 3261 §20.42, RFC 3581 rport). */
export interface Via {
  /** `SIP` */
  readonly protocol: string;
  /** `2.0` */
  readonly version: string;
  /** Upper-cased transport: `UDP`, `TCP`, `TLS`, `SCTP`, `WS`, `WSS` or an extension. */
  readonly transport: string;
  /** sent-by host as written; an IPv6 reference keeps its brackets. */
  readonly host: string;
  readonly port: number | undefined;
  readonly params: readonly SipParam[];
  readonly branch: string | undefined;
  readonly received: string | undefined;
  /** RFC 3581: `null` when the sender asks for it (`;rport`), a number once filled in. */
  readonly rport: number | null | undefined;
}

/** The branch prefix of RFC 3261 transaction identifiers. */
export const BRANCH_MAGIC_COOKIE = 'z9hG4bK';

/** Parse one Via value (not a comma list). */
export function parseVia(value: string): Via | undefined {
  const s = value;
  const n = s.length;
  let i = skipWs(s, 0);
  let end = scanToken(s, i);
  if (end === i) return undefined;
  const protocol = s.slice(i, end);
  i = skipWs(s, end);
  if (s.charCodeAt(i) !== 0x2f /* / */) return undefined;
  i = skipWs(s, i + 1);
  end = scanToken(s, i);
  if (end === i) return undefined;
  const version = s.slice(i, end);
  i = skipWs(s, end);
  if (s.charCodeAt(i) !== 0x2f) return undefined;
  i = skipWs(s, i + 1);
  end = scanToken(s, i);
  if (end === i) return undefined;
  const transport = s.slice(i, end).toUpperCase();
  i = skipWs(s, end);
  if (i === end) return undefined; // LWS required before sent-by
  // sent-by = host [ COLON port ]
  let host: string;
  if (s.charCodeAt(i) === 0x5b /* [ */) {
    const close = s.indexOf(']', i);
    if (close < 0) return undefined;
    for (let k = i + 1; k < close; k++) {
      const c = s.charCodeAt(k);
      const hex = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
      if (!hex && c !== 0x3a && c !== 0x2e) return undefined;
    }
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
  let j = skipWs(s, i);
  if (s.charCodeAt(j) === 0x3a /* : */) {
    j = skipWs(s, j + 1);
    const start = j;
    while (j < n && s.charCodeAt(j) >= 0x30 && s.charCodeAt(j) <= 0x39) j++;
    port = parseDigits(s.slice(start, j), 65535);
    if (port === undefined) return undefined;
    i = j;
  }
  const params = parseGenericParams(s, i);
  if (params === undefined) return undefined;
  const branch = findParam(params, 'branch');
  if (branch === null) return undefined;
  const received = findParam(params, 'received');
  if (received === null) return undefined;
  const rportRaw = findParam(params, 'rport');
  let rport: number | null | undefined = rportRaw === null ? null : undefined;
  if (typeof rportRaw === 'string') {
    rport = parseDigits(rportRaw, 65535);
    if (rport === undefined) return undefined;
  }
  return { protocol, version, transport, host, port, params, branch, received, rport };
}

/** Parse a Via line that may hold several comma-separated values. */
export function parseViaList(value: string): Via[] | undefined {
  const out: Via[] = [];
  for (const part of splitHeaderList(value)) {
    const via = parseVia(part);
    if (via === undefined) return undefined;
    out.push(via);
  }
  return out;
}

/** Format one Via value. */
export function formatVia(via: Via): string {
  const port = via.port === undefined ? '' : `:${via.port}`;
  return `${via.protocol}/${via.version}/${via.transport} ${via.host}${port}${formatParams(via.params)}`;
}

/**
 * A copy of a Via with parameters set or added (e.g. `received` and `rport` by the
 * receiving transport, RFC 3261 §18.2.1, RFC 3581 §4). `null` sets a valueless parameter.
 */
export function withViaParams(via: Via, set: Readonly<Record<string, string | number | null>>): Via {
  const params: SipParam[] = via.params.map((p) => ({ ...p }));
  for (const [name, raw] of Object.entries(set)) {
    const value = raw === null ? null : String(raw);
    const i = params.findIndex((p) => p.name.toLowerCase() === name.toLowerCase());
    if (i >= 0) params[i] = { name: (params[i] as SipParam).name, value };
    else params.push({ name, value });
  }
  const text = formatVia({ ...via, params });
  return parseVia(text) ?? { ...via, params };
}

/** Every Via value of a message, top first. */
export function getVias(m: HasHeaders): readonly Via[] | undefined {
  return m.headers.memo('via', () => {
    const lines = m.headers.getAll('Via');
    if (lines.length === 0) return undefined;
    const out: Via[] = [];
    for (const line of lines) {
      const vias = parseViaList(line);
      if (vias === undefined) return undefined;
      for (const v of vias) out.push(v);
    }
    return out;
  });
}

/** The topmost Via. */
export function getTopVia(m: HasHeaders): Via | undefined {
  return getVias(m)?.[0];
}

/**
 * Replace the topmost Via value (the first element of the first Via line), keeping the
 * other values of that line. Returns false when the message has no Via.
 */
export function replaceTopVia(m: HasHeaders, via: Via): boolean {
  const first = m.headers.get('Via');
  if (first === undefined) return false;
  const parts = splitHeaderList(first);
  parts[0] = formatVia(via);
  return m.headers.setAt('Via', 0, parts.join(', '));
}

// ──────────────────────── From / To / Contact / Route ────────────────────────

function single<T>(m: HasHeaders, name: string, key: string, parse: (v: string) => T | undefined): T | undefined {
  return m.headers.memo(key, () => {
    const v = m.headers.get(name);
    return v === undefined ? undefined : parse(v);
  });
}

/** The From header (first line). */
export function getFrom(m: HasHeaders): NameAddr | undefined {
  return single(m, 'From', 'from', parseNameAddr);
}

/** The To header (first line). */
export function getTo(m: HasHeaders): NameAddr | undefined {
  return single(m, 'To', 'to', parseNameAddr);
}

/** Contact: either `*` or a list of addresses. */
export type ContactList =
  | { readonly wildcard: true; readonly contacts: readonly [] }
  | { readonly wildcard: false; readonly contacts: readonly NameAddr[] };

/** Parse Contact values (all lines joined); `*` must stand alone. */
export function parseContactValues(values: readonly string[]): ContactList | undefined {
  if (values.length === 1 && values[0] === '*') return { wildcard: true, contacts: [] };
  const contacts: NameAddr[] = [];
  for (const v of values) {
    if (v === '*') return undefined;
    const c = parseNameAddr(v);
    if (c === undefined) return undefined;
    contacts.push(c);
  }
  return { wildcard: false, contacts };
}

/** Every Contact of a message, merged across lines. */
export function getContacts(m: HasHeaders): ContactList | undefined {
  return m.headers.memo('contact', () => {
    const values = m.headers.values('Contact');
    return values.length === 0 ? undefined : parseContactValues(values);
  });
}

function parseRouteValues(values: readonly string[]): NameAddr[] | undefined {
  const out: NameAddr[] = [];
  for (const v of values) {
    // route-param = name-addr *( SEMI rr-param ): the URI must be in <>.
    const lt = v.indexOf('<');
    if (lt < 0) return undefined;
    const r = parseNameAddr(v);
    if (r === undefined) return undefined;
    out.push(r);
  }
  return out;
}

/** Route values in order (empty list when absent). */
export function getRoutes(m: HasHeaders): readonly NameAddr[] | undefined {
  return m.headers.memo('route', () => parseRouteValues(m.headers.values('Route')));
}

/** Record-Route values in order (empty list when absent). */
export function getRecordRoutes(m: HasHeaders): readonly NameAddr[] | undefined {
  return m.headers.memo('record-route', () => parseRouteValues(m.headers.values('Record-Route')));
}

// ───────────────────────────── Call-ID / CSeq / numbers ─────────────────────────────

export function parseCallId(value: string): string | undefined {
  const v = trimWs(value);
  return isCallId(v) ? v : undefined;
}

export function getCallId(m: HasHeaders): string | undefined {
  return single(m, 'Call-ID', 'call-id', parseCallId);
}

export interface CSeq {
  /** 0 ≤ seq < 2^31 (RFC 3261 §8.1.1.5). */
  readonly seq: number;
  readonly method: string;
}

/** Largest CSeq number a request may carry (§8.1.1.5: less than 2**31). */
export const MAX_CSEQ = 2 ** 31 - 1;

export function parseCSeq(value: string): CSeq | undefined {
  const s = value;
  let i = skipWs(s, 0);
  const start = i;
  while (i < s.length && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) i++;
  // strip leading zeros before the range check so "0009" is 9
  let d = start;
  while (d < i - 1 && s.charCodeAt(d) === 0x30) d++;
  const seq = parseDigits(s.slice(d, i), MAX_CSEQ);
  if (seq === undefined) return undefined;
  const j = skipWs(s, i);
  if (j === i) return undefined;
  const end = scanToken(s, j);
  if (end === j || skipWs(s, end) !== s.length) return undefined;
  return { seq, method: s.slice(j, end) };
}

export function getCSeq(m: HasHeaders): CSeq | undefined {
  return single(m, 'CSeq', 'cseq', parseCSeq);
}

/** Parse an integer header (`1*DIGIT`, leading zeros allowed) no larger than `max`. */
export function parseInteger(value: string, max: number): number | undefined {
  let v = trimWs(value);
  let z = 0;
  while (z < v.length - 1 && v.charCodeAt(z) === 0x30) z++;
  if (z > 0) v = v.slice(z);
  return parseDigits(v, max);
}

/** Max-Forwards, 0–255; `undefined` when absent or out of range (RFC 4475 §3.1.2.4 lets an element ignore it then). */
export function getMaxForwards(m: HasHeaders): number | undefined {
  return single(m, 'Max-Forwards', 'max-forwards', (v) => parseInteger(v, 255));
}

/** Content-Length, when present and well formed. */
export function getContentLength(m: HasHeaders): number | undefined {
  return single(m, 'Content-Length', 'content-length', (v) => parseInteger(v, Number.MAX_SAFE_INTEGER));
}

/** Expires in seconds (delta-seconds, at most 2^32-1). */
export function getExpires(m: HasHeaders): number | undefined {
  return single(m, 'Expires', 'expires', (v) => parseInteger(v, 2 ** 32 - 1));
}

// ───────────────────────────── Content-Type ─────────────────────────────

export interface MediaType {
  /** Lower-cased `type/subtype`. */
  readonly mediaType: string;
  readonly type: string;
  readonly subtype: string;
  readonly params: readonly SipParam[];
}

export function parseMediaType(value: string): MediaType | undefined {
  const s = value;
  let i = skipWs(s, 0);
  let end = scanToken(s, i);
  if (end === i) return undefined;
  const type = s.slice(i, end).toLowerCase();
  i = skipWs(s, end);
  if (s.charCodeAt(i) !== 0x2f) return undefined;
  i = skipWs(s, i + 1);
  end = scanToken(s, i);
  if (end === i) return undefined;
  const subtype = s.slice(i, end).toLowerCase();
  const params = parseGenericParams(s, end);
  if (params === undefined) return undefined;
  return { mediaType: `${type}/${subtype}`, type, subtype, params };
}

export function getContentType(m: HasHeaders): MediaType | undefined {
  return single(m, 'Content-Type', 'content-type', parseMediaType);
}

/** Content-Disposition (RFC 3261 §20.11): the disposition type, lower-cased, and its parameters. */
export interface ContentDisposition {
  readonly type: string;
  readonly params: readonly SipParam[];
  /** `handling` parameter, lower-cased: `required` (the default) or `optional`. */
  readonly handling: string;
}

export function parseContentDisposition(value: string): ContentDisposition | undefined {
  const i = skipWs(value, 0);
  const end = scanToken(value, i);
  if (end === i) return undefined;
  const params = parseGenericParams(value, end);
  if (params === undefined) return undefined;
  const handling = findParam(params, 'handling');
  return {
    type: value.slice(i, end).toLowerCase(),
    params,
    handling: typeof handling === 'string' ? handling.toLowerCase() : 'required',
  };
}

export function getContentDisposition(m: HasHeaders): ContentDisposition | undefined {
  return single(m, 'Content-Disposition', 'content-disposition', parseContentDisposition);
}

/** Accept: the listed media ranges (`*` allowed for type and subtype). */
export function getAccept(m: HasHeaders): readonly MediaType[] | undefined {
  return m.headers.memo('accept', () => {
    if (!m.headers.has('Accept')) return undefined;
    const out: MediaType[] = [];
    for (const v of m.headers.values('Accept')) {
      if (v === '') continue;
      const t = parseMediaType(v);
      if (t === undefined) return undefined;
      out.push(t);
    }
    return out;
  });
}

// ───────────────────────────── token lists ─────────────────────────────

/** Parse the values of a token-list header; empty values are allowed (`Supported:`). */
export function parseTokenList(values: readonly string[]): string[] | undefined {
  const out: string[] = [];
  for (const v of values) {
    if (v === '') continue;
    if (!isToken(v)) return undefined;
    out.push(v);
  }
  return out;
}

function tokenList(m: HasHeaders, name: string, key: string): readonly string[] | undefined {
  return m.headers.memo(key, () => (m.headers.has(name) ? parseTokenList(m.headers.values(name)) : undefined));
}

/** Allow: methods the sender supports. */
export function getAllow(m: HasHeaders): readonly string[] | undefined {
  return tokenList(m, 'Allow', 'allow');
}

/** Supported: option tags. */
export function getSupported(m: HasHeaders): readonly string[] | undefined {
  return tokenList(m, 'Supported', 'supported');
}

/** Require: option tags the receiver must support. */
export function getRequire(m: HasHeaders): readonly string[] | undefined {
  return tokenList(m, 'Require', 'require');
}

/** Proxy-Require: option tags every proxy must support. */
export function getProxyRequire(m: HasHeaders): readonly string[] | undefined {
  return tokenList(m, 'Proxy-Require', 'proxy-require');
}

/** Unsupported: option tags the sender did not support. */
export function getUnsupported(m: HasHeaders): readonly string[] | undefined {
  return tokenList(m, 'Unsupported', 'unsupported');
}

// ───────────────────────────── authentication ─────────────────────────────

/** One auth parameter with its value unquoted. */
export interface AuthParam {
  readonly name: string;
  readonly value: string;
}

/**
 * A challenge (WWW-Authenticate / Proxy-Authenticate) or credentials (Authorization /
 * Proxy-Authorization): a scheme and either auth-params or a token68 blob.
 */
export interface AuthValue {
  readonly scheme: string;
  readonly params: readonly AuthParam[];
  /** Set for schemes that carry a single token (e.g. `Bearer abc.def`). */
  readonly token68: string | undefined;
}

const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

/** Parse one auth header value: `scheme LWS auth-param *(COMMA auth-param)` or `scheme token68`. */
export function parseAuthValue(value: string): AuthValue | undefined {
  const s = value;
  let i = skipWs(s, 0);
  const end = scanToken(s, i);
  if (end === i) return undefined;
  const scheme = s.slice(i, end);
  i = skipWs(s, end);
  if (i === s.length) return { scheme, params: [], token68: undefined };
  if (i === end) return undefined;
  const rest = s.slice(i);
  // token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
  // (the character class excludes "=", so the pattern cannot backtrack)
  if (TOKEN68.test(rest)) return { scheme, params: [], token68: rest };
  const params: AuthParam[] = [];
  for (const part of splitHeaderList(rest)) {
    if (part === '') return undefined;
    let j = 0;
    const nameEnd = scanToken(part, j);
    if (nameEnd === j) return undefined;
    const name = part.slice(j, nameEnd);
    j = skipWs(part, nameEnd);
    if (part.charCodeAt(j) !== 0x3d /* = */) return undefined;
    j = skipWs(part, j + 1);
    let v: string;
    if (part.charCodeAt(j) === 0x22) {
      const q = scanQuoted(part, j);
      if (q < 0 || skipWs(part, q) !== part.length) return undefined;
      v = unquote(part.slice(j, q));
    } else {
      const vend = scanToken(part, j);
      if (vend === j || skipWs(part, vend) !== part.length) return undefined;
      v = part.slice(j, vend);
    }
    params.push({ name, value: v });
  }
  return { scheme, params, token68: undefined };
}

/** The value of an auth parameter (case-insensitive name). */
export function authParam(auth: AuthValue, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const p of auth.params) if (p.name.toLowerCase() === lower) return p.value;
  return undefined;
}

function authList(m: HasHeaders, name: string, key: string): readonly AuthValue[] | undefined {
  return m.headers.memo(key, () => {
    const out: AuthValue[] = [];
    // One challenge / credentials per header line (RFC 3261 §25.1 grammar).
    for (const line of m.headers.getAll(name)) {
      const v = parseAuthValue(line);
      if (v === undefined) return undefined;
      out.push(v);
    }
    return out;
  });
}

export function getAuthorization(m: HasHeaders): readonly AuthValue[] | undefined {
  return authList(m, 'Authorization', 'authorization');
}
export function getProxyAuthorization(m: HasHeaders): readonly AuthValue[] | undefined {
  return authList(m, 'Proxy-Authorization', 'proxy-authorization');
}
export function getWwwAuthenticate(m: HasHeaders): readonly AuthValue[] | undefined {
  return authList(m, 'WWW-Authenticate', 'www-authenticate');
}
export function getProxyAuthenticate(m: HasHeaders): readonly AuthValue[] | undefined {
  return authList(m, 'Proxy-Authenticate', 'proxy-authenticate');
}

/** A Digest challenge (RFC 3261 §22.4, RFC 7616). */
export interface DigestChallenge {
  readonly realm: string;
  readonly nonce: string;
  readonly opaque: string | undefined;
  /** As sent (`MD5`, `SHA-256`, `MD5-sess`…); RFC 2617 default is MD5. */
  readonly algorithm: string | undefined;
  /** The qop options, split (`auth`, `auth-int`). */
  readonly qop: readonly string[];
  readonly stale: boolean;
  readonly domain: string | undefined;
}

/** Read a Digest challenge; `undefined` for another scheme or when realm/nonce is missing. */
export function toDigestChallenge(auth: AuthValue): DigestChallenge | undefined {
  if (auth.scheme.toLowerCase() !== 'digest') return undefined;
  const realm = authParam(auth, 'realm');
  const nonce = authParam(auth, 'nonce');
  if (realm === undefined || nonce === undefined) return undefined;
  const qop = authParam(auth, 'qop');
  return {
    realm,
    nonce,
    opaque: authParam(auth, 'opaque'),
    algorithm: authParam(auth, 'algorithm'),
    qop: qop === undefined ? [] : qop.split(',').map((q) => q.trim()).filter((q) => q !== ''),
    stale: authParam(auth, 'stale')?.toLowerCase() === 'true',
    domain: authParam(auth, 'domain'),
  };
}

/** Digest credentials (Authorization / Proxy-Authorization). */
export interface DigestCredentials {
  readonly username: string;
  readonly realm: string;
  readonly nonce: string;
  readonly uri: string;
  readonly response: string;
  readonly algorithm: string | undefined;
  readonly cnonce: string | undefined;
  readonly opaque: string | undefined;
  readonly qop: string | undefined;
  readonly nc: string | undefined;
}

/** Read Digest credentials; `undefined` for another scheme or when a required field is missing. */
export function toDigestCredentials(auth: AuthValue): DigestCredentials | undefined {
  if (auth.scheme.toLowerCase() !== 'digest') return undefined;
  const username = authParam(auth, 'username');
  const realm = authParam(auth, 'realm');
  const nonce = authParam(auth, 'nonce');
  const uri = authParam(auth, 'uri');
  const response = authParam(auth, 'response');
  if (username === undefined || realm === undefined || nonce === undefined || uri === undefined || response === undefined) {
    return undefined;
  }
  return {
    username,
    realm,
    nonce,
    uri,
    response,
    algorithm: authParam(auth, 'algorithm'),
    cnonce: authParam(auth, 'cnonce'),
    opaque: authParam(auth, 'opaque'),
    qop: authParam(auth, 'qop'),
    nc: authParam(auth, 'nc'),
  };
}
