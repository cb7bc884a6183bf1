import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  type SipRequest,
  type SipResponse,
  type RequestVerdict,
  parseMessage,
  validateRequest,
  validateResponse,
  rejectionResponse,
  getTo,
} from '../../../src/sip/message/index.js';

const crlf = (s: string): Buffer => Buffer.from(s.replace(/\n/g, '\r\n'), 'utf8');

const BASE: readonly (readonly [string, string])[] = [
  ['Via', 'SIP/2.0/UDP pc33.example.com;branch=z9hG4bK776asdhds'],
  ['Max-Forwards', '70'],
  ['To', '<sip:bob@example.com>'],
  ['From', '<sip:alice@example.com>;tag=1928301774'],
  ['Call-ID', 'a84b4c76e66710@pc33.example.com'],
];

/** A request built as text and parsed, with header lines changed (`null` removes). */
function request(
  method: string,
  changes: Readonly<Record<string, string | null>> = {},
  opts: { uri?: string; version?: string; body?: string } = {},
): SipRequest {
  const lines = new Map<string, string>(BASE.map(([k, v]) => [k, v]));
  lines.set('CSeq', `1 ${method}`);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null) lines.delete(k);
    else lines.set(k, v);
  }
  const body = opts.body ?? '';
  const text = `${method} ${opts.uri ?? 'sip:bob@example.com'} ${opts.version ?? 'SIP/2.0'}\n${[...lines]
    .map(([k, v]) => `${k.replace(/#\d+$/, '')}: ${v}`)
    .join('\n')}\nContent-Length: ${Buffer.byteLength(body)}\n\n${body}`;
  const r = parseMessage(crlf(text));
  if (!r.ok || r.message.kind !== 'request') assert.fail(`did not parse: ${text}`);
  return r.message;
}

function response(lines: string): SipResponse {
  const r = parseMessage(crlf(`SIP/2.0 200 OK\n${lines}\nContent-Length: 0\n\n`));
  if (!r.ok || r.message.kind !== 'response') assert.fail('did not parse');
  return r.message;
}

const statusOf = (v: RequestVerdict): number | 'ok' => (v.ok ? 'ok' : v.status);
const checkOf = (v: RequestVerdict): string => (v.ok ? 'ok' : v.check);

describe('validateRequest', () => {
  it('accepts a plain request, with or without Max-Forwards (RFC 2543 peers omit it)', () => {
    assert.deepEqual(validateRequest(request('OPTIONS')), { ok: true });
    assert.deepEqual(validateRequest(request('OPTIONS', { 'Max-Forwards': null })), { ok: true });
    assert.deepEqual(validateRequest(request('OPTIONS', { 'Max-Forwards': '9999' })), { ok: true });
  });

  it('rejects a version other than SIP/2.0 first, with 505', () => {
    const v = validateRequest(request('OPTIONS', { To: null }, { version: 'SIP/3.0' }));
    assert.equal(statusOf(v), 505);
  });

  for (const name of ['Via', 'From', 'To', 'Call-ID', 'CSeq']) {
    it(`answers 400 when ${name} is missing`, () => {
      const v = validateRequest(request('OPTIONS', { [name]: null }));
      assert.equal(statusOf(v), 400);
      assert.equal(checkOf(v), 'missing-header');
    });
  }

  it('answers 400 for a repeated single-valued header', () => {
    const v = validateRequest(request('OPTIONS', { 'Call-ID#2': 'second@x' }));
    assert.equal(checkOf(v), 'duplicate-header');
  });

  for (const [header, value, check] of [
    ['Via', 'SIP/2.0/UDP', 'via'],
    ['Via', 'SIP/2.0/UDP h;branch=z9hG4bK', 'branch'],
    ['From', '"unterminated <sip:a@b>', 'from'],
    ['To', 'a, b <sip:a@b>', 'to'],
    ['Call-ID', 'has space', 'call-id'],
    ['CSeq', 'x OPTIONS', 'cseq'],
    ['Contact', '<sip:a@b>;;', 'contact'],
    ['Contact', '*', 'contact'],
    ['Route', '<sip:p1;lr>, sip:p2', 'route'],
    ['Record-Route', 'nonsense', 'route'],
    ['Require', '"quoted"', 'require'],
  ] as const) {
    it(`answers 400 (${check}) for ${header}: ${value}`, () => {
      const v = validateRequest(request('OPTIONS', { [header]: value }));
      assert.equal(statusOf(v), 400);
      assert.equal(checkOf(v), check);
    });
  }

  it('answers 501 with Allow for an unknown method, honouring the policy', () => {
    const v = validateRequest(request('FOO'));
    assert.equal(statusOf(v), 501);
    assert.deepEqual(validateRequest(request('FOO'), { knownMethods: new Set(['FOO']) }), { ok: true });
    const w = validateRequest(request('INVITE'), { knownMethods: new Set(['OPTIONS']) });
    assert.ok(!w.ok);
    assert.deepEqual(w.responseHeaders, [['Allow', 'OPTIONS']]);
  });

  it('answers 400 when the CSeq method differs', () => {
    const v = validateRequest(request('BYE', { CSeq: '1 INVITE' }));
    assert.equal(checkOf(v), 'cseq-method');
  });

  it('serves sip, sips and tel Request-URIs; 416 for others; 400 for a bad one', () => {
    assert.deepEqual(validateRequest(request('OPTIONS', {}, { uri: 'sips:bob@example.com' })), { ok: true });
    assert.deepEqual(validateRequest(request('OPTIONS', {}, { uri: 'tel:+15551234567' })), { ok: true });
    assert.equal(statusOf(validateRequest(request('OPTIONS', {}, { uri: 'mailto:bob@example.com' }))), 416);
    assert.equal(statusOf(validateRequest(request('OPTIONS', {}, { uri: 'tel:+1;;' }))), 400);
    assert.equal(checkOf(validateRequest(request('OPTIONS', {}, { uri: 'sip:@example.com' }))), 'request-uri');
    assert.equal(statusOf(validateRequest(request('OPTIONS', {}, { uri: 'mailto:x' }), { supportedSchemes: new Set(['mailto']) })), 'ok');
  });

  it('allows Contact * in REGISTER only', () => {
    assert.deepEqual(validateRequest(request('REGISTER', { Contact: '*', Expires: '0' })), { ok: true });
  });

  it('checks Require, but not on ACK or CANCEL', () => {
    assert.equal(statusOf(validateRequest(request('OPTIONS', { Require: '100rel' }))), 420);
    assert.deepEqual(validateRequest(request('OPTIONS', { Require: '100rel' }), { supportedExtensions: new Set(['100rel']) }), { ok: true });
    assert.deepEqual(validateRequest(request('ACK', { Require: '100rel' })), { ok: true });
    assert.deepEqual(validateRequest(request('CANCEL', { Require: '100rel' })), { ok: true });
  });

  it('ignores Proxy-Require as a UAS and checks it as a proxy', () => {
    assert.deepEqual(validateRequest(request('OPTIONS', { 'Proxy-Require': 'sec-agree' })), { ok: true });
    assert.equal(statusOf(validateRequest(request('OPTIONS', { 'Proxy-Require': 'sec-agree' }), { role: 'proxy' })), 420);
  });

  it('answers 483 as a proxy for Max-Forwards 0', () => {
    assert.deepEqual(validateRequest(request('OPTIONS', { 'Max-Forwards': '0' })), { ok: true });
    assert.equal(statusOf(validateRequest(request('OPTIONS', { 'Max-Forwards': '0' }), { role: 'proxy' })), 483);
  });

  it('needs a Content-Type for a body, and 415 for one it cannot read unless optional', () => {
    assert.equal(checkOf(validateRequest(request('MESSAGE', {}, { body: 'hi' }))), 'content-type');
    assert.equal(checkOf(validateRequest(request('MESSAGE', { 'Content-Type': 'text' }, { body: 'hi' }))), 'content-type');
    assert.deepEqual(validateRequest(request('MESSAGE', { 'Content-Type': 'text/plain' }, { body: 'hi' })), { ok: true });
    const v = validateRequest(request('INFO', { 'Content-Type': 'application/x-weird' }, { body: 'hi' }));
    assert.equal(statusOf(v), 415);
    assert.deepEqual(
      validateRequest(
        request('INFO', { 'Content-Type': 'application/x-weird', 'Content-Disposition': 'render;handling=optional' }, { body: 'hi' }),
      ),
      { ok: true },
    );
    assert.equal(statusOf(validateRequest(request('INFO', { 'Content-Type': 'application/x-weird' }, { body: 'hi' }), { role: 'proxy' })), 'ok');
  });

  it('answers 406 to an INVITE whose Accept excludes SDP, accepts wildcards', () => {
    assert.equal(statusOf(validateRequest(request('INVITE', { Accept: 'text/plain' }))), 406);
    assert.deepEqual(validateRequest(request('INVITE', { Accept: 'application/*' })), { ok: true });
    assert.deepEqual(validateRequest(request('INVITE', { Accept: '*/*' })), { ok: true });
    assert.deepEqual(validateRequest(request('OPTIONS', { Accept: 'text/plain' })), { ok: true });
  });

  it('never answers an ACK', () => {
    const ack = request('ACK', { From: 'broken "' });
    const v = validateRequest(ack);
    assert.ok(!v.ok);
    assert.equal(v.respond, false);
    assert.equal(rejectionResponse(ack, v, 'x'), undefined);
  });

  it('builds the rejection with the extra headers and a To tag', () => {
    const req = request('OPTIONS', { Require: 'foo, bar' });
    const v = validateRequest(req);
    assert.ok(!v.ok);
    const answer = rejectionResponse(req, v, 'abc');
    assert.equal(answer?.status, 420);
    assert.equal(answer?.reason, 'Bad Extension');
    assert.equal(answer?.headers.get('Unsupported'), 'foo, bar');
    assert.equal(answer && getTo(answer)?.tag, 'abc');
  });
});

describe('validateResponse', () => {
  const HEADERS = 'Via: SIP/2.0/UDP pc33.example.com;branch=z9hG4bK776\nFrom: <sip:a@b>;tag=1\nTo: <sip:c@d>;tag=2\nCall-ID: x@y\nCSeq: 1 INVITE';

  it('accepts a response with one Via', () => {
    assert.deepEqual(validateResponse(response(HEADERS)), { ok: true });
  });

  it('drops a response with a missing or malformed mandatory header', () => {
    for (const [from, to, check] of [
      ['Call-ID: x@y\n', '', 'missing-header'],
      ['CSeq: 1 INVITE', 'CSeq: 99999999999 INVITE', 'cseq'],
      ['To: <sip:c@d>;tag=2', 'To: <sip:c@d', 'to'],
      ['branch=z9hG4bK776', 'branch=', 'via'],
    ] as const) {
      const v = validateResponse(response(HEADERS.replace(from, to)));
      assert.equal(v.ok ? 'ok' : v.check, check);
    }
  });

  it('drops a response with two Vias as a UAC, not as a proxy', () => {
    const two = response(`${HEADERS}\nVia: SIP/2.0/UDP p.example.com;branch=z9hG4bK2`);
    assert.equal(validateResponse(two).ok, false);
    assert.deepEqual(validateResponse(two, { role: 'proxy' }), { ok: true });
  });

  it('drops a response whose version is not SIP/2.0', () => {
    const r = parseMessage(crlf(`SIP/3.0 200 OK\n${HEADERS}\n\n`));
    assert.ok(r.ok && r.message.kind === 'response');
    if (r.ok && r.message.kind === 'response') assert.equal(validateResponse(r.message).ok, false);
  });
});
