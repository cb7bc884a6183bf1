/**
 * Header field names: compact forms and canonical spelling.
 *
 * SIP header names are case-insensitive (RFC 3261 §7.3.1) and several have a one-letter
 * compact form (§7.3.3 plus later registrations in the IANA "Header Fields" registry).
 * The codec stores every known header under its canonical spelling, so `v:`, `VIA:` and
 * `Via :` all become `Via`; unknown headers keep the spelling they arrived with and are
 * matched case-insensitively.
 */

/** Compact form (lower case) → canonical full name. */
export const COMPACT_HEADER_FORMS: Readonly<Record<string, string>> = Object.freeze({
  a: 'Accept-Contact', // RFC 3841
  b: 'Referred-By', // RFC 3892
  c: 'Content-Type', // RFC 3261
  d: 'Request-Disposition', // RFC 3841
  e: 'Content-Encoding', // RFC 3261
  f: 'From', // RFC 3261
  i: 'Call-ID', // RFC 3261
  j: 'Reject-Contact', // RFC 3841
  k: 'Supported', // RFC 3261
  l: 'Content-Length', // RFC 3261
  m: 'Contact', // RFC 3261
  n: 'Identity-Info', // RFC 4474 (obsoleted by RFC 8224, still registered)
  o: 'Event', // RFC 6665
  r: 'Refer-To', // RFC 3515
  s: 'Subject', // RFC 3261
  t: 'To', // RFC 3261
  u: 'Allow-Events', // RFC 6665
  v: 'Via', // RFC 3261
  x: 'Session-Expires', // RFC 4028
  y: 'Identity', // RFC 8224
});

/** Full name → compact form, for callers that want to send compact headers. */
export const COMPACT_FORM_OF: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(Object.entries(COMPACT_HEADER_FORMS).map(([k, v]) => [v, k])),
);

/**
 * Canonical spelling of the headers Dialtone knows by name. The spelling is the one the
 * defining RFC uses (`Call-ID`, `CSeq`, `WWW-Authenticate`, `RAck`).
 */
const KNOWN_HEADERS = [
  'Accept',
  'Accept-Contact',
  'Accept-Encoding',
  'Accept-Language',
  'Alert-Info',
  'Allow',
  'Allow-Events',
  'Authentication-Info',
  'Authorization',
  'Call-ID',
  'Call-Info',
  'Contact',
  'Content-Disposition',
  'Content-Encoding',
  'Content-Language',
  'Content-Length',
  'Content-Transfer-Encoding',
  'Content-Type',
  'CSeq',
  'Date',
  'Diversion',
  'Error-Info',
  'Event',
  'Expires',
  'From',
  'History-Info',
  'Identity',
  'Identity-Info',
  'In-Reply-To',
  'Max-Forwards',
  'MIME-Version',
  'Min-Expires',
  'Min-SE',
  'Organization',
  'P-Asserted-Identity',
  'P-Preferred-Identity',
  'Path',
  'Priority',
  'Privacy',
  'Proxy-Authenticate',
  'Proxy-Authorization',
  'Proxy-Require',
  'RAck',
  'Reason',
  'Record-Route',
  'Refer-To',
  'Referred-By',
  'Reject-Contact',
  'Remote-Party-ID',
  'Replaces',
  'Reply-To',
  'Request-Disposition',
  'Require',
  'Retry-After',
  'Route',
  'RSeq',
  'Server',
  'Service-Route',
  'Session-Expires',
  'SIP-ETag',
  'SIP-If-Match',
  'Subject',
  'Subscription-State',
  'Supported',
  'Timestamp',
  'To',
  'Unsupported',
  'User-Agent',
  'Via',
  'Warning',
  'WWW-Authenticate',
] as const;

/** A header name Dialtone knows and spells canonically. */
export type KnownHeaderName = (typeof KNOWN_HEADERS)[number];

const CANONICAL = new Map<string, string>();
for (const name of KNOWN_HEADERS) CANONICAL.set(name.toLowerCase(), name);
for (const [short, full] of Object.entries(COMPACT_HEADER_FORMS)) CANONICAL.set(short, full);

/**
 * The canonical spelling of a header name: compact forms expanded, known names spelled
 * as their RFC spells them, unknown names returned unchanged.
 */
export function canonicalHeaderName(name: string): string {
  return CANONICAL.get(name.toLowerCase()) ?? name;
}

/** A header name resolved to its display spelling and its lookup key. */
export interface ResolvedHeaderName {
  readonly name: string;
  readonly key: string;
}

const RESOLVED = new Map<string, ResolvedHeaderName>();
for (const [lower, canonical] of CANONICAL) {
  RESOLVED.set(lower, Object.freeze({ name: canonical, key: canonical.toLowerCase() }));
}

/**
 * Resolve a header name as it arrived on the wire into its display name and key in one
 * map lookup (the parser's hot path; known names allocate nothing).
 */
export function resolveHeaderName(name: string): ResolvedHeaderName {
  const lower = name.toLowerCase();
  return RESOLVED.get(lower) ?? { name, key: lower };
}

/** The case-folded key two header names share when they name the same header. */
export function headerKey(name: string): string {
  const lower = name.toLowerCase();
  return RESOLVED.get(lower)?.key ?? lower;
}
