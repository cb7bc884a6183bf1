/**
 * fast-check generators for SIP messages and their parts, shared by the property tests.
 * Everything generated here is valid SIP, so that parse ∘ serialize must give it back.
 */
import fc from 'fast-check';
import { unescapeUriPart } from '../../../src/sip/message/uri.js';
import {
  type NameAddr,
  type SipMessage,
  type SipParam,
  type SipUri,
  type TelUri,
  type AbsoluteUri,
  type Uri,
  type Via,
  SIP_METHODS,
  SipHeaders,
  formatNameAddr,
  formatUri,
  formatVia,
  quote,
} from '../../../src/sip/message/index.js';

/** fc.record with ordinary objects (deepStrictEqual compares prototypes). */
const rec = <T extends object>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> =>
  fc.record(model, { noNullPrototype: true }) as fc.Arbitrary<T>;

const chars = (s: string): fc.Arbitrary<string> => fc.constantFrom(...s.split(''));
const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const ESCAPES = fc.constantFrom('%20', '%41', '%00', '%3A', '%40', '%25', '%e2%82%ac');

const str = (unit: fc.Arbitrary<string>, minLength: number, maxLength: number): fc.Arbitrary<string> =>
  fc.string({ unit, minLength, maxLength });

export const token = str(chars(`${ALNUM}-.!%*_+\`'~`), 1, 10);
const withEscapes = (set: string): fc.Arbitrary<string> => fc.oneof({ weight: 6, arbitrary: chars(set) }, { weight: 1, arbitrary: ESCAPES });

const hostname = fc
  .array(str(chars('abcdefghijklmnopqrstuvwxyz0123456789-'), 1, 8), { minLength: 1, maxLength: 4 })
  .map((labels) => labels.join('.'));
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
const ipv6 = fc
  .array(str(chars('0123456789abcdef'), 1, 4), { minLength: 8, maxLength: 8 })
  .map((g) => `[${g.join(':')}]`);
export const host = fc.oneof({ weight: 4, arbitrary: hostname }, ipv4, ipv6);

const USER = `${ALNUM}-_.!~*'()&=+$,;?/`;
const PASSWORD = `${ALNUM}-_.!~*'()&=+$,`;
const PARAM = `${ALNUM}-_.!~*'()[]/:&+$`;
const HNV = `${ALNUM}-_.!~*'()[]/?:+$`;

const uriParam: fc.Arbitrary<SipParam> = rec({
  name: str(withEscapes(PARAM), 1, 8),
  value: fc.option(str(withEscapes(PARAM), 1, 8), { nil: null }),
});

/** URI parameter and header names compare unescaped and case-folded (RFC 3261 §19.1.4): `%41` is `a`. */
function sameName(name: string): string {
  return unescapeUriPart(name).toLowerCase();
}

export const sipUri: fc.Arbitrary<SipUri> = rec({
  kind: fc.constant('sip' as const),
  scheme: fc.constantFrom('sip' as const, 'sips' as const),
  user: fc.option(str(withEscapes(USER), 1, 12), { nil: undefined }),
  password: fc.constant(undefined),
  host,
  port: fc.option(fc.integer({ min: 0, max: 65535 }), { nil: undefined }),
  // RFC 3261 §19.1.1: a parameter name appears at most once in a URI.
  params: fc.uniqueArray(uriParam, { maxLength: 3, selector: (p) => sameName(p.name) }),
  headers: fc.uniqueArray(rec({ name: str(withEscapes(HNV), 1, 6), value: str(withEscapes(HNV), 0, 6) }), {
    maxLength: 2,
    selector: (h) => sameName(h.name),
  }),
}).chain((u) =>
  u.user === undefined
    ? fc.constant(u)
    : fc.option(str(withEscapes(PASSWORD), 0, 6), { nil: undefined }).map((password) => ({ ...u, password })),
);

export const telUri: fc.Arbitrary<TelUri> = rec({
  kind: fc.constant('tel' as const),
  scheme: fc.constant('tel' as const),
  number: fc.oneof(
    str(chars('0123456789-.()'), 1, 12).map((n) => `+1${n}`),
    str(chars('0123456789*#'), 1, 8),
  ),
  params: fc.uniqueArray(uriParam, { maxLength: 2, selector: (p) => sameName(p.name) }),
});

export const absoluteUri: fc.Arbitrary<AbsoluteUri> = rec({
  kind: fc.constant('absolute' as const),
  scheme: fc
    .tuple(chars('abcdefghijklmnopqrstuvwxyz'), str(chars('abcdefghijklmnopqrstuvwxyz0123456789+-.'), 0, 6))
    .map(([a, b]) => a + b)
    .filter((s) => s !== 'sip' && s !== 'sips' && s !== 'tel'),
  opaque: str(chars(`${ALNUM}-_.!~*'()/:?#[]@!$&+,;=%`), 1, 16),
});

export const uri: fc.Arbitrary<Uri> = fc.oneof({ weight: 5, arbitrary: sipUri }, telUri, absoluteUri);

/** Display names: any text but CR and LF (which a quoted-string cannot carry). */
const displayName = fc.option(
  fc.string({ unit: 'grapheme', maxLength: 12 }).filter((s) => !/[\r\n]/.test(s)),
  { nil: undefined },
);

const headerParam: fc.Arbitrary<SipParam> = rec({
  name: token,
  value: fc.oneof(
    fc.constant(null),
    token,
    fc.string({ unit: 'grapheme', maxLength: 8 }).filter((s) => !/[\r\n]/.test(s)).map(quote),
  ),
});

export const nameAddr: fc.Arbitrary<NameAddr> = fc
  .record({ displayName, uri, params: fc.uniqueArray(headerParam, { maxLength: 3, selector: (p) => p.name.toLowerCase() }) })
  .map((a) => {
    const tag = a.params.find((p) => p.name.toLowerCase() === 'tag');
    return { ...a, tag: typeof tag?.value === 'string' ? tag.value : undefined };
  });

export const via: fc.Arbitrary<Via> = fc
  .record({
    transport: fc.constantFrom('UDP', 'TCP', 'TLS', 'SCTP', 'WS', 'WSS'),
    host,
    port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
    branch: token.map((t) => `z9hG4bK${t}`),
    received: fc.option(ipv4, { nil: undefined }),
    rport: fc.option(fc.option(fc.integer({ min: 1, max: 65535 }), { nil: null }), { nil: undefined }),
    extra: fc.uniqueArray(rec({ name: token.map((t) => `x-${t}`), value: fc.option(token, { nil: null }) }), {
      maxLength: 2,
      selector: (p) => p.name.toLowerCase(),
    }),
  })
  .map((v) => {
    const params: SipParam[] = [{ name: 'branch', value: v.branch }];
    if (v.received !== undefined) params.push({ name: 'received', value: v.received });
    if (v.rport !== undefined) params.push({ name: 'rport', value: v.rport === null ? null : String(v.rport) });
    params.push(...v.extra);
    return {
      protocol: 'SIP',
      version: '2.0',
      transport: v.transport,
      host: v.host,
      port: v.port,
      params,
      branch: v.branch,
      received: v.received,
      rport: v.rport,
    };
  });

/** Header values as a peer may send them: no CR/LF, no white space at either end. */
const headerValue = fc
  .string({ unit: 'grapheme', maxLength: 24 })
  .map((s) => s.replace(/[\r\n]/g, '').replace(/^[ \t]+|[ \t]+$/g, ''));

const callId = fc
  .tuple(str(chars(`${ALNUM}-.!%*_+\`'~()<>:\\"/[]?{}`), 1, 16), fc.option(hostname, { nil: undefined }))
  .map(([a, b]) => (b === undefined ? a : `${a}@${b}`));

export const method = fc.oneof(fc.constantFrom(...SIP_METHODS), token);

/** A valid request or response with the usual headers, extension headers and a body. */
export const message: fc.Arbitrary<SipMessage> = fc
  .record({
    isRequest: fc.boolean(),
    method,
    ruri: fc.oneof(sipUri, telUri).map(formatUri),
    status: fc.integer({ min: 100, max: 699 }),
    reason: fc.string({ unit: 'grapheme', maxLength: 16 }).map((s) => s.replace(/[\r\n]/g, '')),
    vias: fc.array(fc.array(via, { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 3 }),
    from: nameAddr,
    to: nameAddr,
    callId,
    seq: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    maxForwards: fc.integer({ min: 0, max: 255 }),
    contacts: fc.array(nameAddr, { maxLength: 2 }),
    extensions: fc.array(fc.tuple(token.map((t) => `X-${t}`), headerValue), { maxLength: 4 }),
    body: fc.uint8Array({ maxLength: 200 }),
  })
  .chain((g) => {
    const lines: [string, string][] = [
      ...g.vias.map((vs): [string, string] => ['Via', vs.map(formatVia).join(', ')]),
      ['From', formatNameAddr(g.from)],
      ['To', formatNameAddr(g.to)],
      ['Call-ID', g.callId],
      ['CSeq', `${g.seq} ${g.method}`],
      ['Max-Forwards', String(g.maxForwards)],
      ...g.contacts.map((c): [string, string] => ['Contact', formatNameAddr(c)]),
      ...g.extensions,
    ];
    if (g.body.length > 0) lines.push(['Content-Type', 'application/octet-stream']);
    return fc.shuffledSubarray(lines, { minLength: lines.length, maxLength: lines.length }).map((order): SipMessage => {
      const headers = new SipHeaders(order);
      return g.isRequest
        ? { kind: 'request', method: g.method, uri: g.ruri, version: 'SIP/2.0', headers, body: g.body }
        : { kind: 'response', status: g.status, reason: g.reason, version: 'SIP/2.0', headers, body: g.body };
    });
  });
