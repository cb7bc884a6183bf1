import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  type FramerEvent,
  type SipMessage,
  SipStreamFramer,
  parseMessage,
  serializeMessage,
  buildErrorResponse,
  buildResponse,
  validateRequest,
  validateResponse,
  parseUri,
  formatUri,
  parseNameAddr,
  formatNameAddr,
  parseVia,
  formatVia,
  getVias,
  getFrom,
  getTo,
  getContacts,
  getRoutes,
  getRecordRoutes,
  getCallId,
  getCSeq,
  getMaxForwards,
  getContentLength,
  getContentType,
  getExpires,
  getAccept,
  getAllow,
  getSupported,
  getRequire,
  getProxyRequire,
  getUnsupported,
  getAuthorization,
  getProxyAuthorization,
  getWwwAuthenticate,
  getProxyAuthenticate,
  toDigestChallenge,
  toDigestCredentials,
  sipUriEquals,
} from '../../../src/sip/message/index.js';
import { message, nameAddr, uri, via } from './arbitraries.js';

/** Compare what survives the wire: start line, header lines (Content-Length aside), body. */
function assertSameMessage(actual: SipMessage, expected: SipMessage): void {
  assert.equal(actual.kind, expected.kind);
  if (actual.kind === 'request' && expected.kind === 'request') {
    assert.equal(actual.method, expected.method);
    assert.equal(actual.uri, expected.uri);
  } else if (actual.kind === 'response' && expected.kind === 'response') {
    assert.equal(actual.status, expected.status);
    assert.equal(actual.reason, expected.reason);
  }
  assert.equal(actual.version, expected.version);
  const lines = (m: SipMessage) => [...m.headers].filter((h) => h.name !== 'Content-Length');
  assert.deepEqual(lines(actual), lines(expected));
  assert.equal(getContentLength(actual), expected.body.byteLength);
  assert.deepEqual(Buffer.from(actual.body), Buffer.from(expected.body));
}

/** Touch every accessor and check; none may throw. */
function exercise(m: SipMessage): void {
  for (const get of [
    getVias, getFrom, getTo, getContacts, getRoutes, getRecordRoutes, getCallId, getCSeq, getMaxForwards,
    getContentLength, getContentType, getExpires, getAccept, getAllow, getSupported, getRequire,
    getProxyRequire, getUnsupported,
  ]) {
    get(m);
  }
  for (const get of [getAuthorization, getProxyAuthorization, getWwwAuthenticate, getProxyAuthenticate]) {
    for (const a of get(m) ?? []) {
      toDigestChallenge(a);
      toDigestCredentials(a);
    }
  }
  if (m.kind === 'request') {
    validateRequest(m);
    validateRequest(m, { role: 'proxy' });
    parseUri(m.uri);
    buildResponse(m, 200, undefined, { toTag: 'x' });
  } else {
    validateResponse(m);
    validateResponse(m, { role: 'proxy' });
  }
  serializeMessage(m);
}

function parseSafely(bytes: Uint8Array): void {
  const r = parseMessage(bytes);
  if (r.ok) exercise(r.message);
  else {
    assert.ok(r.error.code.length > 0);
    buildErrorResponse(r.error);
  }
}

describe('codec properties: parse ∘ serialize', () => {
  it('gives back every generated valid message, and reserializes to the same bytes', () => {
    fc.assert(
      fc.property(message, (m) => {
        const bytes = serializeMessage(m);
        const r = parseMessage(bytes);
        if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
        assertSameMessage(r.message, m);
        assert.deepEqual(serializeMessage(r.message), bytes);
      }),
      { numRuns: 500 },
    );
  });

  it('gives back generated messages the validator and accessors accept as well formed', () => {
    fc.assert(
      fc.property(message, (m) => {
        const r = parseMessage(serializeMessage(m));
        assert.ok(r.ok);
        if (!r.ok) return;
        assert.ok(getVias(r.message) !== undefined, 'Via');
        assert.ok(getFrom(r.message) !== undefined, 'From');
        assert.ok(getTo(r.message) !== undefined, 'To');
        assert.ok(getCallId(r.message) !== undefined, 'Call-ID');
        assert.ok(getCSeq(r.message) !== undefined, 'CSeq');
        if (r.message.headers.has('Contact')) assert.ok(getContacts(r.message) !== undefined, 'Contact');
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips URIs', () => {
    fc.assert(
      fc.property(uri, (u) => {
        const text = formatUri(u);
        const back = parseUri(text);
        assert.deepEqual(back, u);
        if (back?.kind === 'sip' && u.kind === 'sip') assert.ok(sipUriEquals(back, u));
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips name-addrs with display names and parameters', () => {
    fc.assert(
      fc.property(nameAddr, (a) => {
        assert.deepEqual(parseNameAddr(formatNameAddr(a)), a);
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips Via values', () => {
    fc.assert(
      fc.property(via, (v) => {
        assert.deepEqual(parseVia(formatVia(v)), v);
      }),
      { numRuns: 500 },
    );
  });
});

/** Bytes that look like pieces of SIP, so that random input reaches deep into the parser. */
const soup = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        'INVITE ', 'SIP/2.0', 'SIP/2.0 200 OK', ' ', '\t', '\r\n', '\n', '\r', ':', ';', ',', '"', '\\', '<', '>', '=',
        '@', '%', '%00', '?', '&', '[', ']', 'sip:', 'sips:', 'tel:', 'Via: ', 'v:', 'From: ', 'To: ', 'Call-ID: ',
        'CSeq: ', 'Contact: ', 'Content-Length: ', 'l: ', 'Route: ', 'WWW-Authenticate: Digest ', 'Authorization: ',
        'Require: ', 'Accept: ', 'Content-Type: ', 'tag=', 'branch=z9hG4bK', 'rport', 'received=', '*', '0', '1',
        '4294967296', 'a', 'host.example.com', '[::1]', '\r\n\r\n', '\u0000', 'ü',
      ),
      fc.string({ maxLength: 4 }),
    ),
    { maxLength: 80 },
  )
  .map((parts) => Buffer.from(parts.join(''), 'utf8'));

type Mutation =
  | { readonly kind: 'replace'; readonly at: number; readonly byte: number }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: 'delete'; readonly at: number; readonly length: number };

const interestingByte = fc.oneof(
  fc.constantFrom(...Buffer.from(' \t\r\n:;,"\\<>=@%?&[]*/\u0000').values()),
  fc.integer({ min: 0, max: 255 }),
);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), byte: interestingByte }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 6 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 12 }) }),
);

function mutate(bytes: Buffer, mutations: readonly Mutation[]): Buffer {
  let b = Buffer.from(bytes);
  for (const m of mutations) {
    const at = b.length === 0 ? 0 : m.at % (b.length + 1);
    if (m.kind === 'replace' && at < b.length) b[at] = m.byte;
    else if (m.kind === 'insert') b = Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
    else if (m.kind === 'delete') b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.length)]);
  }
  return b;
}

describe('codec properties: hostile input', () => {
  // The timeout is a hang guard, not a timing assertion: parse is linear in its input.
  it('never throws on arbitrary bytes', { timeout: 120_000 }, () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2048 }), (b) => parseSafely(b)), { numRuns: 1000 });
  });

  it('never throws on SIP-like soup', { timeout: 120_000 }, () => {
    fc.assert(fc.property(soup, (b) => parseSafely(b)), { numRuns: 1000 });
  });

  it('never throws on mutated valid messages', { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(message, fc.array(mutation, { minLength: 1, maxLength: 8 }), (m, ms) => {
        parseSafely(mutate(serializeMessage(m), ms));
      }),
      { numRuns: 500 },
    );
  });

  it('never throws in the stream framer on arbitrary chunks', { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.uint8Array({ maxLength: 300 }), soup), { maxLength: 10 }), fc.boolean(), (chunks, client) => {
        const f = new SipStreamFramer({ maxMessageSize: 4096, role: client ? 'client' : 'server' });
        for (const c of chunks) {
          for (const e of f.push(c)) if (e.type === 'message') exercise(e.message);
          assert.ok(f.buffered <= 4096 + 300 + 8);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('codec properties: stream framing', () => {
  it('yields the same messages however the stream is cut', () => {
    const stream = fc
      .array(fc.tuple(message, fc.boolean()), { minLength: 1, maxLength: 5 })
      .chain((items) => {
        const parts: Buffer[] = [];
        let pings = 0;
        for (const [m, keepAlive] of items) {
          parts.push(serializeMessage(m));
          if (keepAlive) {
            parts.push(Buffer.from('\r\n\r\n'));
            pings++;
          }
        }
        const bytes = Buffer.concat(parts);
        return fc
          .uniqueArray(fc.integer({ min: 1, max: Math.max(1, bytes.length - 1) }), { maxLength: 12 })
          .map((cuts) => ({ messages: items.map(([m]) => m), bytes, pings, cuts: [...cuts].sort((a, b) => a - b) }));
      });
    fc.assert(
      fc.property(stream, ({ messages, bytes, pings, cuts }) => {
        const f = new SipStreamFramer();
        const events: FramerEvent[] = [];
        let from = 0;
        for (const cut of [...cuts, bytes.length]) {
          if (cut <= from) continue;
          events.push(...f.push(bytes.subarray(from, cut)));
          from = cut;
        }
        const got = events.flatMap((e) => (e.type === 'message' ? [e.message] : []));
        assert.equal(events.filter((e) => e.type === 'error').length, 0);
        assert.equal(got.length, messages.length);
        got.forEach((m, i) => assertSameMessage(m, messages[i] as SipMessage));
        assert.equal(events.filter((e) => e.type === 'ping').length, pings);
        assert.equal(f.buffered, 0);
      }),
      { numRuns: 300 },
    );
  });
});
