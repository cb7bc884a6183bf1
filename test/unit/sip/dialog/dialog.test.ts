import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  Dialog,
  DialogTerminatedError,
  dialogKey,
  newCallId,
  newTag,
  requestDialogId,
  responseDialogId,
  routeRequest,
  uriDestination,
} from '../../../../src/sip/dialog/index.js';
import {
  type SipRequest,
  buildRequest,
  buildResponse,
  getCSeq,
  parseNameAddr,
} from '../../../../src/sip/message/index.js';

const CONTACT = '<sip:dialtone@192.0.2.10:5070>';

function invite(extra: [string, string][] = [], uri = 'sip:bob@example.com'): SipRequest {
  return buildRequest('INVITE', uri, [
    ['Via', 'SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1'],
    ['Max-Forwards', '70'],
    ['From', '"Alice" <sip:alice@example.com>;tag=alice-tag'],
    ['To', '<sip:bob@example.com>'],
    ['Call-ID', 'call-1@example.com'],
    ['CSeq', '101 INVITE'],
    ['Contact', '<sip:alice@192.0.2.1:5060>'],
    ...extra,
  ]);
}

function route(text: string) {
  const r = parseNameAddr(text);
  assert.ok(r, text);
  return r;
}

describe('dialog ids and helpers', () => {
  it('reads the dialog id of a request (UAS view) and of a response (UAC view)', () => {
    const req = invite([], 'sip:bob@example.com');
    assert.equal(requestDialogId(req), undefined, 'no To tag: outside any dialog');
    const res = buildResponse(req, 200, undefined, { toTag: 'bob-tag' });
    assert.deepEqual(responseDialogId(res), { callId: 'call-1@example.com', localTag: 'alice-tag', remoteTag: 'bob-tag' });
    const bye = buildRequest('BYE', 'sip:alice@192.0.2.1', [
      ['Via', 'SIP/2.0/UDP 192.0.2.2;branch=z9hG4bK-2'],
      ['From', '<sip:bob@example.com>;tag=bob-tag'],
      ['To', '<sip:alice@example.com>;tag=alice-tag'],
      ['Call-ID', 'call-1@example.com'],
      ['CSeq', '1 BYE'],
    ]);
    assert.deepEqual(requestDialogId(bye), { callId: 'call-1@example.com', localTag: 'alice-tag', remoteTag: 'bob-tag' });
    assert.equal(dialogKey(requestDialogId(bye)!), dialogKey(responseDialogId(res)!));
  });

  it('makes distinct tags and Call-IDs', () => {
    const tags = new Set(Array.from({ length: 100 }, () => newTag()));
    assert.equal(tags.size, 100);
    assert.match(newTag(), /^[0-9a-f]{16}$/);
    assert.match(newCallId('192.0.2.1'), /^[0-9a-f]{24}@192\.0\.2\.1$/);
    assert.match(newCallId('[2001:db8::1]'), /@2001:db8::1$/);
    assert.match(newCallId(), /^[0-9a-f]{24}$/);
  });
});

describe('routeRequest (RFC 3261 §12.2.1.1)', () => {
  it('empty route set: Request-URI is the remote target, no Route', () => {
    assert.deepEqual(routeRequest('sip:bob@192.0.2.2:5062', []), { uri: 'sip:bob@192.0.2.2:5062', routes: [] });
  });

  it('loose routing: Request-URI is the remote target, Route is the route set', () => {
    const r = routeRequest('sip:bob@192.0.2.2', [route('<sip:p1.example.com;lr>'), route('<sip:p2.example.com;lr;foo=1>')]);
    assert.equal(r.uri, 'sip:bob@192.0.2.2');
    assert.deepEqual(r.routes, ['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr;foo=1>']);
  });

  it('strict routing: Request-URI is the first route (stripped), remote target goes last in Route', () => {
    const r = routeRequest('sip:bob@192.0.2.2', [route('<sip:p1.example.com;method=INVITE;maddr=192.0.2.9>'), route('<sip:p2.example.com;lr>')]);
    assert.equal(r.uri, 'sip:p1.example.com;maddr=192.0.2.9');
    assert.deepEqual(r.routes, ['<sip:p2.example.com;lr>', '<sip:bob@192.0.2.2>']);
  });
});

describe('uriDestination', () => {
  it('host, port, transport parameter, maddr, sips', () => {
    assert.deepEqual(uriDestination('sip:bob@192.0.2.2', 'UDP'), { host: '192.0.2.2', port: 5060, transport: 'UDP' });
    assert.deepEqual(uriDestination('sip:bob@192.0.2.2:5080;transport=TCP', 'UDP'), { host: '192.0.2.2', port: 5080, transport: 'TCP' });
    assert.deepEqual(uriDestination('sip:bob@192.0.2.2;transport=udp', 'TCP'), { host: '192.0.2.2', port: 5060, transport: 'UDP' });
    assert.deepEqual(uriDestination('sip:p.example.com;maddr=192.0.2.7;lr', 'UDP'), { host: '192.0.2.7', port: 5060, transport: 'UDP' });
    assert.deepEqual(uriDestination('sips:bob@example.com', 'UDP'), { host: 'example.com', port: 5061, transport: 'TCP' });
    assert.deepEqual(uriDestination('sip:[2001:db8::1]:5062', 'UDP'), { host: '2001:db8::1', port: 5062, transport: 'UDP' });
    assert.throws(() => uriDestination('tel:+15550100', 'UDP'), { code: 'dialog-route' });
  });
});

describe('Dialog as UAS (§12.1.1)', () => {
  it('takes route set in order, remote target from Contact, remote CSeq, URIs from To/From', () => {
    const req = invite([
      ['Record-Route', '<sip:p1.example.com;lr>, <sip:p2.example.com;lr>'],
      ['Record-Route', '<sip:p3.example.com;lr>'],
    ]);
    const d = Dialog.fromRequest(req, 'bob-tag', { localContact: CONTACT, transport: 'UDP' });
    assert.equal(d.role, 'uas');
    assert.equal(d.state, 'confirmed');
    assert.deepEqual(d.id, { callId: 'call-1@example.com', localTag: 'bob-tag', remoteTag: 'alice-tag' });
    assert.equal(d.remoteTarget, 'sip:alice@192.0.2.1:5060');
    assert.equal(d.remoteSeq, 101);
    assert.equal(d.localSeq, undefined);
    assert.equal(d.ownsCallId, false);
    assert.equal(d.secure, false);

    const bye = d.createRequest('BYE');
    assert.equal(bye.uri, 'sip:alice@192.0.2.1:5060');
    assert.deepEqual(bye.headers.getAll('Route'), ['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr>', '<sip:p3.example.com;lr>']);
    assert.equal(bye.headers.get('From'), '<sip:bob@example.com>;tag=bob-tag');
    assert.equal(bye.headers.get('To'), '"Alice" <sip:alice@example.com>;tag=alice-tag');
    assert.equal(bye.headers.get('Call-ID'), 'call-1@example.com');
    assert.equal(bye.headers.get('Contact'), undefined, 'BYE is not a target refresh');
    const first = getCSeq(bye)!;
    assert.equal(first.method, 'BYE');
    assert.ok(first.seq >= 1 && first.seq < 2 ** 31);
    assert.deepEqual(d.nextHop(), { host: 'p1.example.com', port: 5060, transport: 'UDP' });
  });

  it('refuses a request whose CSeq is lower than the remote CSeq with 500; ACK and CANCEL are not checked', () => {
    const d = Dialog.fromRequest(invite(), 'bob-tag', { localContact: CONTACT, transport: 'UDP' });
    const inDialog = (method: string, seq: number): SipRequest =>
      buildRequest(method, 'sip:bob@192.0.2.10', [
        ['Via', 'SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-x'],
        ['From', '<sip:alice@example.com>;tag=alice-tag'],
        ['To', '<sip:bob@example.com>;tag=bob-tag'],
        ['Call-ID', 'call-1@example.com'],
        ['CSeq', `${seq} ${method}`],
      ]);
    assert.deepEqual(d.receiveRequest(inDialog('ACK', 101)), { ok: true });
    assert.deepEqual(d.receiveRequest(inDialog('INFO', 102)), { ok: true });
    assert.equal(d.remoteSeq, 102);
    const late = d.receiveRequest(inDialog('INFO', 100));
    assert.equal(late.ok, false);
    assert.equal(!late.ok && late.status, 500);
    assert.equal(d.remoteSeq, 102);
    assert.deepEqual(d.receiveRequest(inDialog('CANCEL', 1)), { ok: true });
    assert.deepEqual(d.receiveRequest(inDialog('BYE', 150)), { ok: true }, 'gaps are allowed');
    assert.equal(d.remoteSeq, 150);
  });

  it('uses the flow it was made on while the transport matches', () => {
    const d = Dialog.fromRequest(invite([['Contact', '<sip:x@192.0.2.1>']]), 'b', {
      localContact: CONTACT,
      transport: 'TCP',
      flowId: 'tcp-7',
    });
    assert.deepEqual(d.nextHop(), { host: '192.0.2.1', port: 5060, transport: 'TCP', flowId: 'tcp-7' });
  });

  it('falls back to the From URI without a Contact', () => {
    const req = invite();
    req.headers.delete('Contact');
    const d = Dialog.fromRequest(req, 'b', { localContact: CONTACT, transport: 'UDP' }, 'early');
    assert.equal(d.state, 'early');
    assert.equal(d.remoteTarget, 'sip:alice@example.com');
  });
});

describe('Dialog as UAC (§12.1.2)', () => {
  const req = invite([], 'sip:bob@example.com');
  const ok = (extra: [string, string][] = []) =>
    buildResponse(req, 200, undefined, {
      toTag: 'bob-tag',
      headers: [
        ['Record-Route', '<sip:p2.example.com;lr>'],
        ['Record-Route', '<sip:p1.example.com;lr>'],
        ['Contact', '<sip:bob@192.0.2.2:5062;transport=tcp>'],
        ...extra,
      ],
    });

  it('reverses the Record-Route of the response, targets its Contact, continues the INVITE CSeq', () => {
    const d = Dialog.fromResponse(req, ok(), { localContact: CONTACT, transport: 'UDP' });
    assert.equal(d.role, 'uac');
    assert.equal(d.state, 'confirmed');
    assert.equal(d.ownsCallId, true);
    assert.deepEqual(d.id, { callId: 'call-1@example.com', localTag: 'alice-tag', remoteTag: 'bob-tag' });
    assert.equal(d.localSeq, 101);
    assert.equal(d.remoteSeq, undefined);

    const ack = d.createAck(101);
    assert.equal(ack.method, 'ACK');
    assert.equal(ack.headers.get('CSeq'), '101 ACK', 'the ACK keeps the INVITE CSeq');
    assert.equal(ack.uri, 'sip:bob@192.0.2.2:5062;transport=tcp');
    assert.deepEqual(ack.headers.getAll('Route'), ['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr>']);

    const reinvite = d.createRequest('INVITE', { body: 'v=0\r\n', contentType: 'application/sdp' });
    assert.equal(reinvite.headers.get('CSeq'), '102 INVITE');
    assert.equal(reinvite.headers.get('Contact'), CONTACT, 're-INVITE is a target refresh');
    assert.equal(reinvite.headers.get('Content-Type'), 'application/sdp');
    assert.equal(Buffer.from(reinvite.body).toString(), 'v=0\r\n');
    assert.equal(reinvite.headers.get('From'), '"Alice" <sip:alice@example.com>;tag=alice-tag');
    assert.equal(reinvite.headers.get('To'), '<sip:bob@example.com>;tag=bob-tag');
    assert.equal(d.createRequest('BYE').headers.get('CSeq'), '103 BYE');
    assert.equal(d.localSeq, 103);
    assert.deepEqual(d.nextHop(), { host: 'p1.example.com', port: 5060, transport: 'UDP' });
  });

  it('a 1xx with a tag makes an early dialog; the 2xx confirms it and recomputes the route set', () => {
    const ringing = buildResponse(req, 180, undefined, {
      toTag: 'bob-tag',
      headers: [
        ['Record-Route', '<sip:old.example.com;lr>'],
        ['Contact', '<sip:bob@192.0.2.99>'],
      ],
    });
    const d = Dialog.fromResponse(req, ringing, { localContact: CONTACT, transport: 'UDP' });
    assert.equal(d.state, 'early');
    assert.equal(d.remoteTarget, 'sip:bob@192.0.2.99');
    d.confirm(ok());
    assert.equal(d.state, 'confirmed');
    assert.equal(d.remoteTarget, 'sip:bob@192.0.2.2:5062;transport=tcp');
    assert.deepEqual(
      d.routeSet.map((r) => r.uri.kind === 'sip' && r.uri.host),
      ['p1.example.com', 'p2.example.com'],
    );
  });

  it('target refresh replaces the remote target with the Contact; strict routing puts it last', () => {
    const res = buildResponse(req, 200, undefined, {
      toTag: 'bob-tag',
      headers: [
        ['Record-Route', '<sip:strict.example.com>'],
        ['Contact', '<sip:bob@192.0.2.2>'],
      ],
    });
    const d = Dialog.fromResponse(req, res, { localContact: CONTACT, transport: 'UDP' });
    const refresh = buildResponse(req, 200, undefined, { toTag: 'bob-tag', headers: [['Contact', '<sip:bob@192.0.2.3:6000>']] });
    assert.equal(d.refreshTarget(refresh), true);
    assert.equal(d.remoteTarget, 'sip:bob@192.0.2.3:6000');
    assert.equal(d.refreshTarget(buildResponse(req, 200, undefined, { toTag: 'bob-tag' })), false, 'no Contact: unchanged');
    const info = d.createRequest('INFO');
    assert.equal(info.uri, 'sip:strict.example.com');
    assert.deepEqual(info.headers.getAll('Route'), ['<sip:bob@192.0.2.3:6000>']);
    assert.deepEqual(d.nextHop(), { host: 'strict.example.com', port: 5060, transport: 'UDP' });
  });

  it('extra headers are appended; a Contact given replaces the dialog one', () => {
    const d = Dialog.fromResponse(req, ok(), { localContact: CONTACT, transport: 'UDP' });
    const r = d.createRequest('INVITE', { headers: [['Contact', '<sip:other@192.0.2.10>'], ['X-Test', '1']] });
    assert.deepEqual(r.headers.getAll('Contact'), ['<sip:other@192.0.2.10>']);
    assert.equal(r.headers.get('X-Test'), '1');
    assert.equal(r.headers.get('Content-Type'), undefined, 'no body, no Content-Type');
  });

  it('refuses requests once terminated, and ACK/CANCEL through createRequest', () => {
    const d = Dialog.fromResponse(req, ok(), { localContact: CONTACT, transport: 'UDP' });
    assert.throws(() => d.createRequest('ACK'), TypeError);
    assert.throws(() => d.createRequest('CANCEL'), TypeError);
    d.terminate();
    assert.equal(d.state, 'terminated');
    assert.throws(() => d.createRequest('BYE'), DialogTerminatedError);
    d.confirm();
    assert.equal(d.state, 'terminated', 'no way back');
  });

  it('needs tags', () => {
    const untagged = buildResponse(req, 200);
    assert.throws(() => Dialog.fromResponse(req, untagged, { localContact: CONTACT, transport: 'UDP' }), TypeError);
  });
});
