import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  type SipRequest,
  SipHeaders,
  parseMessage,
  serializeMessage,
  buildRequest,
  buildResponse,
  buildErrorResponse,
  reasonPhrase,
  getTo,
} from '../../../src/sip/message/index.js';

const crlf = (s: string): Buffer => Buffer.from(s.replace(/\n/g, '\r\n'), 'utf8');

function parseReq(text: string): SipRequest {
  const r = parseMessage(crlf(text));
  if (!r.ok || r.message.kind !== 'request') assert.fail('expected a request');
  return r.message;
}

const INVITE = `INVITE sip:bob@biloxi.example.com SIP/2.0
Via: SIP/2.0/TCP client.atlanta.example.com:5060;branch=z9hG4bK74bf9, SIP/2.0/UDP p1.example.com;branch=z9hG4bK1
Via: SIP/2.0/UDP p2.example.com;branch=z9hG4bK2
Max-Forwards: 70
From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl
To: Bob <sip:bob@biloxi.example.com>
Call-ID: 3848276298220188511@atlanta.example.com
CSeq: 1 INVITE
Timestamp: 54
Contact: <sip:alice@client.atlanta.example.com;transport=tcp>
Content-Length: 0

`;

describe('serializeMessage', () => {
  it('writes start line, headers in order, Content-Length and body', () => {
    const m = buildRequest(
      'MESSAGE',
      'sip:bob@example.com',
      [
        ['Via', 'SIP/2.0/UDP a;branch=z9hG4bK1'],
        ['To', '<sip:bob@example.com>'],
        ['Content-Type', 'text/plain'],
      ],
      Buffer.from('hé'),
    );
    assert.equal(
      serializeMessage(m).toString('utf8'),
      'MESSAGE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP a;branch=z9hG4bK1\r\nTo: <sip:bob@example.com>\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nhé',
    );
  });

  it('replaces a wrong Content-Length in place, compact or not, and drops duplicates', () => {
    const headers = new SipHeaders([
      ['l', '99'],
      ['X-A', '1'],
      ['Content-Length', '7'],
    ]);
    const m = { kind: 'request', method: 'OPTIONS', uri: 'sip:a@b', version: 'SIP/2.0', headers, body: Buffer.from('abc') } as const;
    assert.equal(serializeMessage(m).toString(), 'OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 3\r\nX-A: 1\r\n\r\nabc');
    assert.equal(headers.get('Content-Length'), '99', 'the message itself is not changed');
  });

  it('writes a response status line', () => {
    const m = { kind: 'response', status: 486, reason: 'Busy Here', version: 'SIP/2.0', headers: new SipHeaders(), body: new Uint8Array(0) } as const;
    assert.equal(serializeMessage(m).toString(), 'SIP/2.0 486 Busy Here\r\nContent-Length: 0\r\n\r\n');
  });

  it('cannot be made to inject header lines', () => {
    const m = buildRequest('OPTIONS', 'sip:a@b', [['Subject', 'hi\r\nVia: evil'], ['X-Evil\r\nVia', 'x']]);
    const text = serializeMessage(m).toString();
    assert.equal(text.split('\r\n').filter((l) => l.startsWith('Via')).length, 0);
    const back = parseMessage(serializeMessage(m));
    assert.ok(back.ok);
    if (!back.ok) return;
    assert.equal(back.message.headers.get('Subject'), 'hi  Via: evil');
    assert.equal(back.message.headers.get('X-Evil--Via'), 'x');
    assert.equal(back.message.headers.has('Via'), false);
  });

  it('round-trips a parsed message', () => {
    const first = parseReq(INVITE);
    const bytes = serializeMessage(first);
    const again = parseMessage(bytes);
    assert.ok(again.ok);
    if (!again.ok) return;
    assert.deepEqual([...again.message.headers], [...first.headers]);
    assert.deepEqual(serializeMessage(again.message), bytes);
  });
});

describe('buildResponse (RFC 3261 §8.2.6)', () => {
  it('copies every Via in order, From, To, Call-ID and CSeq', () => {
    const req = parseReq(INVITE);
    const r = buildResponse(req, 180);
    assert.equal(r.reason, 'Ringing');
    assert.equal(r.version, 'SIP/2.0');
    assert.deepEqual(
      [...r.headers],
      [
        { name: 'Via', value: 'SIP/2.0/TCP client.atlanta.example.com:5060;branch=z9hG4bK74bf9, SIP/2.0/UDP p1.example.com;branch=z9hG4bK1' },
        { name: 'Via', value: 'SIP/2.0/UDP p2.example.com;branch=z9hG4bK2' },
        { name: 'From', value: 'Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl' },
        { name: 'To', value: 'Bob <sip:bob@biloxi.example.com>' },
        { name: 'Call-ID', value: '3848276298220188511@atlanta.example.com' },
        { name: 'CSeq', value: '1 INVITE' },
      ],
    );
  });

  it('adds a To tag when asked and none is there, keeps an existing one, never on 100', () => {
    const req = parseReq(INVITE);
    assert.equal(getTo(buildResponse(req, 200, undefined, { toTag: '8321234356' }))?.tag, '8321234356');
    assert.equal(getTo(buildResponse(req, 100, undefined, { toTag: 'x' }))?.tag, undefined);
    const tagged = parseReq(INVITE.replace('To: Bob <sip:bob@biloxi.example.com>', 'To: <sip:bob@biloxi.example.com>;tag=existing'));
    assert.equal(getTo(buildResponse(tagged, 486, undefined, { toTag: 'new' }))?.tag, 'existing');
  });

  it('copies Timestamp into 100 Trying only', () => {
    const req = parseReq(INVITE);
    assert.equal(buildResponse(req, 100).headers.get('Timestamp'), '54');
    assert.equal(buildResponse(req, 180).headers.get('Timestamp'), undefined);
  });

  it('uses the default reason phrase, or the given one, and adds extras', () => {
    const req = parseReq(INVITE);
    const r = buildResponse(req, 200, 'Fine', {
      headers: [['Contact', '<sip:bob@192.0.2.4>']],
      body: Buffer.from('v=0\r\n'),
      contentType: 'application/sdp',
    });
    assert.equal(r.reason, 'Fine');
    assert.equal(r.headers.get('Contact'), '<sip:bob@192.0.2.4>');
    assert.equal(r.headers.get('Content-Type'), 'application/sdp');
    assert.match(serializeMessage(r).toString(), /Content-Length: 5\r\n\r\nv=0\r\n$/);
    assert.equal(reasonPhrase(404), 'Not Found');
    assert.equal(reasonPhrase(499), 'Client Error');
  });
});

describe('buildErrorResponse', () => {
  it('answers a request that failed to parse with 400, from what parsed', () => {
    const r = parseMessage(crlf(INVITE.replace('INVITE sip:bob@biloxi.example.com SIP/2.0', 'INVITE  sip:bob@biloxi.example.com SIP/2.0')));
    assert.equal(r.ok, false);
    if (r.ok) return;
    const answer = buildErrorResponse(r.error, { toTag: 'z' });
    assert.ok(answer);
    assert.equal(answer.status, 400);
    assert.equal(answer.reason, 'Bad Request');
    assert.equal(answer.headers.count('Via'), 2);
    assert.equal(answer.headers.get('CSeq'), '1 INVITE');
    assert.equal(getTo(answer)?.tag, 'z');
  });

  it('gives nothing for a broken response or ACK', () => {
    const a = parseMessage(crlf('SIP/2.0 2000 Huge\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\n\n'));
    assert.ok(!a.ok && buildErrorResponse(a.error) === undefined);
    const b = parseMessage(crlf('ACK sip:a@b SIP/2.0\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\nContent-Length: x\n\n'));
    assert.ok(!b.ok && buildErrorResponse(b.error) === undefined);
  });
});
