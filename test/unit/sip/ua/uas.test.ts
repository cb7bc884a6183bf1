import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getTo } from '../../../../src/sip/message/index.js';
import type { IncomingInvite, InviteSession, SessionEnd } from '../../../../src/sip/ua/index.js';
import { ANSWER, OFFER, flush, harness, peerRequest, peerResponse } from './harness.js';

/** Deliver an INVITE, accept it, ACK it: a confirmed UAS session. */
function acceptedCall(h: ReturnType<typeof harness>, extraHeaders: [string, string][] = []) {
  let incoming: IncomingInvite | undefined;
  h.ua.on('incoming', (inv) => (incoming = inv));
  const invite = peerRequest({ method: 'INVITE', body: OFFER, headers: extraHeaders });
  h.deliver(invite);
  assert.ok(incoming);
  const session = incoming.accept({ body: ANSWER });
  const ok = h.lastResponse(200, 'INVITE');
  const toTag = getTo(ok)?.tag;
  assert.ok(toTag);
  return { incoming, session, invite, ok, toTag };
}

describe('UserAgent: requests outside a dialog', () => {
  it('OPTIONS gets 200 with Allow, Accept and Supported', () => {
    const h = harness({ supported: ['replaces'] });
    h.deliver(peerRequest({ method: 'OPTIONS' }));
    const res = h.lastResponse(200);
    assert.equal(res.headers.get('Allow'), 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO');
    assert.equal(res.headers.get('Accept'), 'application/sdp, application/dtmf-relay, application/dtmf');
    assert.equal(res.headers.get('Supported'), 'replaces');
    assert.equal(res.headers.get('Server'), 'Dialtone');
  });

  it('BYE and INFO for no dialog get 481; a method we do not handle 405 with Allow', () => {
    const h = harness();
    h.deliver(peerRequest({ method: 'BYE', toTag: 'nope' }));
    h.deliver(peerRequest({ method: 'INFO' }));
    h.deliver(peerRequest({ method: 'REGISTER' }));
    assert.deepEqual(h.wire.summary(), ['481', '481', '405']);
    assert.equal(h.lastResponse(405).headers.get('Allow'), 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO');
  });

  it('a Require we do not support gets 420 with Unsupported', () => {
    const h = harness();
    h.ua.on('incoming', () => assert.fail('must not be offered'));
    h.deliver(peerRequest({ method: 'INVITE', body: OFFER, headers: [['Require', '100rel, timer']] }));
    const res = h.lastResponse(420);
    assert.equal(res.headers.get('Unsupported'), '100rel, timer');
  });

  it('an INVITE nobody listens for gets 480', () => {
    const h = harness();
    h.deliver(peerRequest({ method: 'INVITE', body: OFFER }));
    assert.deepEqual(h.wire.summary(), ['480']);
  });

  it('a merged INVITE (same From tag, Call-ID, CSeq, other branch) gets 482', () => {
    const h = harness();
    const seen: IncomingInvite[] = [];
    h.ua.on('incoming', (inv) => seen.push(inv));
    h.deliver(peerRequest({ method: 'INVITE', body: OFFER, branch: 'z9hG4bK-a' }));
    h.deliver(peerRequest({ method: 'INVITE', body: OFFER, branch: 'z9hG4bK-b' }));
    assert.equal(seen.length, 1);
    assert.deepEqual(h.wire.summary(), ['482']);
  });
});

describe('UserAgent as UAS: INVITE to session', () => {
  it('ringing and accept carry our tag, Contact and the Record-Route; the 2xx is retransmitted until the ACK', async () => {
    const h = harness();
    let incoming: IncomingInvite | undefined;
    const sessions: InviteSession[] = [];
    h.ua.on('incoming', (inv) => (incoming = inv));
    h.ua.on('session', (s) => sessions.push(s));
    h.deliver(peerRequest({ method: 'INVITE', body: OFFER, headers: [['Record-Route', '<sip:proxy.example.com;lr>']] }));
    assert.ok(incoming);
    assert.equal(incoming.offer, OFFER);
    assert.equal(incoming.contentType, 'application/sdp');
    incoming.ringing();
    const ringing = h.lastResponse(180);
    assert.equal(incoming.state, 'early');
    assert.equal(getTo(ringing)?.tag, incoming.toTag);
    assert.equal(ringing.headers.get('Contact'), '<sip:dialtone@127.0.0.1:5060>');
    assert.equal(h.ua.dialogCount, 1, 'the 180 made an early dialog');

    const session = incoming.accept({ body: ANSWER });
    assert.equal(incoming.state, 'accepted');
    assert.deepEqual(sessions, [session]);
    assert.equal(session.state, 'waiting-ack');
    assert.equal(session.role, 'uas');
    const ok = h.lastResponse(200);
    assert.equal(getTo(ok)?.tag, incoming.toTag, 'same tag as the 180');
    assert.equal(ok.headers.get('Record-Route'), '<sip:proxy.example.com;lr>');
    assert.equal(ok.headers.get('Content-Type'), 'application/sdp');
    assert.equal(Buffer.from(ok.body).toString(), ANSWER);
    assert.equal(session.localSdp, ANSWER);
    assert.equal(session.remoteSdp, OFFER);

    // RFC 3261 §13.3.1.4: T1, then doubling up to T2.
    h.clock.advance(8_000);
    assert.deepEqual(
      h.sent('200').map((r) => r.at),
      [0, 500, 1500, 3500, 7500],
    );
    let confirmed = 0;
    session.on('confirmed', () => confirmed++);
    h.deliver(peerRequest({ method: 'ACK', toTag: incoming.toTag, cseq: 1 }));
    assert.equal(session.state, 'confirmed');
    assert.equal(confirmed, 1);
    h.clock.advance(40_000);
    assert.equal(h.sent('200').length, 5, 'no retransmission after the ACK');
    assert.equal(session.state, 'confirmed', 'and no give-up');
    await flush();
  });

  it('no ACK within 64*T1: BYE, and the session ends with ack-timeout', () => {
    const h = harness();
    const { session } = acceptedCall(h);
    const ends: SessionEnd[] = [];
    session.on('ended', (e) => ends.push(e));
    h.clock.advance(31_999);
    assert.equal(h.sent('BYE').length, 0);
    h.clock.advance(1);
    assert.deepEqual(ends.map((e) => e.reason), ['ack-timeout']);
    assert.equal(session.state, 'terminated');
    const bye = h.lastRequest('BYE');
    assert.equal(bye.uri, 'sip:peer@127.0.0.2:5062');
    assert.equal(h.ua.dialogCount, 0);
  });

  it('BYE from the peer: 200 and ended (remote-bye); a later BYE gets 481', () => {
    const h = harness();
    const { session, toTag } = acceptedCall(h);
    h.deliver(peerRequest({ method: 'ACK', toTag, cseq: 1 }));
    const ends: SessionEnd[] = [];
    session.on('ended', (e) => ends.push(e));
    h.deliver(peerRequest({ method: 'BYE', toTag, cseq: 2 }));
    assert.equal(h.lastResponse(200, 'BYE').status, 200);
    assert.equal(ends.length, 1);
    assert.equal(ends[0]?.reason, 'remote-bye');
    assert.equal(ends[0]?.request?.method, 'BYE');
    h.deliver(peerRequest({ method: 'BYE', toTag, cseq: 3 }));
    assert.equal(h.lastResponse(481).status, 481);
  });

  it('a request with a CSeq lower than the last one gets 500', () => {
    const h = harness();
    const { toTag } = acceptedCall(h);
    h.deliver(peerRequest({ method: 'ACK', toTag, cseq: 1 }));
    h.deliver(peerRequest({ method: 'INFO', toTag, cseq: 5, body: 'x', contentType: 'text/plain' }));
    h.deliver(peerRequest({ method: 'INFO', toTag, cseq: 4, body: 'x', contentType: 'text/plain' }));
    assert.deepEqual(h.wire.summary().slice(-2), ['200', '500']);
  });

  it('BYE asked before the ACK waits for it', async () => {
    const h = harness();
    const { session, toTag } = acceptedCall(h);
    const done = session.bye();
    await flush();
    assert.equal(h.sent('BYE').length, 0);
    h.deliver(peerRequest({ method: 'ACK', toTag, cseq: 1 }));
    await flush();
    const bye = h.lastRequest('BYE');
    assert.equal(session.state, 'terminated');
    h.deliver(peerResponse(bye, 200));
    const res = await done;
    assert.equal(res?.status, 200);
  });

  it('INFO with application/dtmf-relay and application/dtmf: 200, info and dtmf events', () => {
    const h = harness();
    const { session, toTag } = acceptedCall(h);
    h.deliver(peerRequest({ method: 'ACK', toTag, cseq: 1 }));
    const digits: string[] = [];
    const durations: (number | undefined)[] = [];
    let infos = 0;
    session.on('info', () => infos++);
    session.on('dtmf', (d) => {
      digits.push(d.digit);
      durations.push(d.durationMs);
    });
    h.deliver(peerRequest({ method: 'INFO', toTag, cseq: 2, body: 'Signal=5\r\nDuration=160\r\n', contentType: 'application/dtmf-relay' }));
    h.deliver(peerRequest({ method: 'INFO', toTag, cseq: 3, body: '11', contentType: 'application/dtmf' }));
    h.deliver(peerRequest({ method: 'INFO', toTag, cseq: 4, body: 'hello', contentType: 'text/plain' }));
    assert.deepEqual(digits, ['5', '#']);
    assert.deepEqual(durations, [160, undefined]);
    assert.equal(infos, 3);
    assert.deepEqual(h.wire.summary().slice(-3), ['200', '200', '200']);
  });

  it('CANCEL before the answer: 200 to the CANCEL, 487 to the INVITE, cancelled event', () => {
    const h = harness();
    let incoming: IncomingInvite | undefined;
    h.ua.on('incoming', (inv) => (incoming = inv));
    const invite = peerRequest({ method: 'INVITE', body: OFFER, branch: 'z9hG4bK-c1' });
    h.deliver(invite);
    assert.ok(incoming);
    incoming.ringing();
    let cancelled = 0;
    incoming.on('cancelled', () => cancelled++);
    h.deliver(peerRequest({ method: 'CANCEL', branch: 'z9hG4bK-c1' }));
    assert.deepEqual(h.wire.summary(), ['180', '200', '487']);
    assert.equal(cancelled, 1);
    assert.equal(incoming.state, 'cancelled');
    assert.equal(h.ua.dialogCount, 0);
    assert.throws(() => incoming!.accept({ body: ANSWER }), { code: 'invalid-state' });
  });

  it('BYE in the early dialog: 200, the INVITE gets 487', () => {
    const h = harness();
    let incoming: IncomingInvite | undefined;
    h.ua.on('incoming', (inv) => (incoming = inv));
    h.deliver(peerRequest({ method: 'INVITE', body: OFFER }));
    incoming!.ringing();
    h.deliver(peerRequest({ method: 'BYE', toTag: incoming!.toTag, cseq: 2 }));
    assert.deepEqual(h.wire.summary(), ['180', '200', '487']);
    assert.equal(incoming!.state, 'cancelled');
  });

  it('reject sends the final response with our tag', () => {
    const h = harness();
    h.ua.on('incoming', (inv) => inv.reject(603, 'Decline'));
    h.deliver(peerRequest({ method: 'INVITE', body: OFFER }));
    const res = h.lastResponse(603);
    assert.equal(res.reason, 'Decline');
    assert.ok(getTo(res)?.tag);
  });
});

describe('UserAgent as UAS: re-INVITE', () => {
  it('answers a hold offer (sendonly) with recvonly by default, and emits modified', () => {
    const h = harness();
    const { session, toTag } = acceptedCall(h);
    h.deliver(peerRequest({ method: 'ACK', toTag, cseq: 1 }));
    const changes: string[] = [];
    session.on('modified', (m) => changes.push(`${m.by}:${m.remoteDirection}`));
    const hold = OFFER.replace('a=sendrecv', 'a=sendonly').replace('o=peer 1000 1', 'o=peer 1000 2');
    h.deliver(peerRequest({ method: 'INVITE', toTag, cseq: 2, body: hold, headers: [['Contact', '<sip:peer@127.0.0.9:5099>']] }));
    const ok = h.lastResponse(200, 'INVITE');
    const answer = Buffer.from(ok.body).toString();
    assert.match(answer, /a=recvonly/);
    assert.doesNotMatch(answer, /a=sendrecv/);
    assert.match(answer, /o=dialtone 2000 2 /, 'version bumped');
    assert.equal(ok.headers.get('Contact'), '<sip:dialtone@127.0.0.1:5060>');
    assert.deepEqual(changes, ['remote:sendonly']);
    assert.equal(session.remoteDirection, 'sendonly');
    assert.equal(session.dialog.remoteTarget, 'sip:peer@127.0.0.9:5099', 'target refreshed');
    h.deliver(peerRequest({ method: 'ACK', toTag, cseq: 2 }));

    // unhold
    h.deliver(peerRequest({ method: 'INVITE', toTag, cseq: 3, body: OFFER.replace('o=peer 1000 1', 'o=peer 1000 3') }));
    const ok2 = h.lastResponse(200, 'INVITE');
    assert.match(Buffer.from(ok2.body).toString(), /a=sendrecv/);
    assert.match(Buffer.from(ok2.body).toString(), /o=dialtone 2000 3 /);
    assert.deepEqual(changes, ['remote:sendonly', 'remote:sendrecv']);
  });

  it('a listener decides with respondWith (here: 488)', async () => {
    const h = harness();
    const { session, toTag } = acceptedCall(h);
    h.deliver(peerRequest({ method: 'ACK', toTag, cseq: 1 }));
    session.on('reinvite', (r) => {
      assert.equal(r.direction, 'sendrecv');
      r.respondWith(Promise.resolve({ accept: false, status: 488 } as const));
    });
    h.deliver(peerRequest({ method: 'INVITE', toTag, cseq: 2, body: OFFER }));
    await flush();
    assert.equal(h.lastResponse(488).status, 488);
    assert.equal(session.state, 'confirmed');
  });

  it('a re-INVITE before the ACK of our 2xx gets 491', () => {
    const h = harness();
    const { toTag } = acceptedCall(h);
    h.deliver(peerRequest({ method: 'INVITE', toTag, cseq: 2, body: OFFER }));
    assert.equal(h.lastResponse(491).status, 491);
  });
});

describe('UserAgent: close and hang up', () => {
  it('close() ends sessions silently (closed), answers a pending INVITE 503, refuses new requests', () => {
    const h = harness();
    const { session, toTag } = acceptedCall(h);
    h.deliver(peerRequest({ method: 'ACK', toTag, cseq: 1 }));
    let pending: IncomingInvite | undefined;
    h.ua.on('incoming', (inv) => (pending = inv));
    h.deliver(peerRequest({ method: 'INVITE', body: OFFER, callId: 'call-b@127.0.0.2' }));
    const ends: SessionEnd[] = [];
    session.on('ended', (e) => ends.push(e));
    const before = h.wire.sent.length;
    h.ua.close();
    assert.deepEqual(ends.map((e) => e.reason), ['closed']);
    assert.equal(pending?.state, 'failed');
    assert.deepEqual(h.wire.summary().slice(before), ['503'], 'no BYE, the pending INVITE refused');
    h.deliver(peerRequest({ method: 'OPTIONS', callId: 'call-c@127.0.0.2' }));
    assert.equal(h.wire.summary().at(-1), '503');
    assert.equal(h.ua.dialogCount, 0);
    h.clock.advance(60_000);
    assert.equal(h.sent('BYE').length, 0);
  });

  it('hangupAll() sends BYE on every session and 480 to pending INVITEs', async () => {
    const h = harness();
    const { toTag } = acceptedCall(h);
    h.deliver(peerRequest({ method: 'ACK', toTag, cseq: 1 }));
    h.deliver(peerRequest({ method: 'INVITE', body: OFFER, callId: 'call-b@127.0.0.2' }));
    const done = h.ua.hangupAll();
    await flush();
    const bye = h.lastRequest('BYE');
    assert.equal(h.lastResponse(480).status, 480);
    h.deliver(peerResponse(bye, 200));
    await done;
    assert.equal(h.ua.sessions.length, 0);
  });

  it('an ACK or a response for no dialog is dropped without an answer', () => {
    const h = harness();
    h.deliver(peerRequest({ method: 'ACK', toTag: 'nobody', cseq: 1 }));
    assert.deepEqual(h.wire.summary(), []);
  });
});
