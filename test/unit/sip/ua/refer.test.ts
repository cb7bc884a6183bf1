import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getCSeq, getTo, parseNameAddr } from '../../../../src/sip/message/index.js';
import type { IncomingInvite, IncomingNotify, ReferOutcome } from '../../../../src/sip/ua/index.js';
import { ANSWER, OFFER, flush, harness, peerRequest, peerResponse } from './harness.js';

/** A confirmed UAS session (INVITE accepted and ACKed) on a fresh harness. */
function confirmedCall() {
  const h = harness();
  let incoming: IncomingInvite | undefined;
  h.ua.on('incoming', (inv) => (incoming = inv));
  h.deliver(peerRequest({ method: 'INVITE', body: OFFER }));
  assert.ok(incoming);
  const session = incoming.accept({ body: ANSWER });
  const toTag = getTo(h.lastResponse(200, 'INVITE'))?.tag;
  assert.ok(toTag);
  h.deliver(peerRequest({ method: 'ACK', toTag, cseq: 1 }));
  let cseq = 1;
  /** A NOTIFY from the peer in this dialog. */
  const notify = (sipfrag: string | undefined, headers: [string, string][]) =>
    h.deliver(
      peerRequest({
        method: 'NOTIFY',
        toTag,
        cseq: ++cseq,
        headers,
        ...(sipfrag === undefined ? {} : { body: sipfrag, contentType: 'message/sipfrag;version=2.0' }),
      }),
    );
  return { h, session, toTag, notify };
}

/** The outcome once settled, read afresh each time. */
function settle(p: Promise<ReferOutcome>): { now(): ReferOutcome | undefined } {
  let value: ReferOutcome | undefined;
  void p.then((v) => (value = v));
  return { now: () => value };
}

describe('InviteSession.refer: REFER and its NOTIFYs (RFC 3515)', () => {
  it('sends REFER with Refer-To, Referred-By and Contact; 202, then 100 and 200 sipfrags settle it as final', async () => {
    const { h, session, notify } = confirmedCall();
    const seen: number[] = [];
    const notifies: IncomingNotify[] = [];
    session.on('notify', (n) => notifies.push(n));
    const outcome = settle(session.refer('sip:alice@pbx.example.com?X-Case=42', { onProgress: (s) => seen.push(s.status) }));
    const refer = h.lastRequest('REFER');
    assert.equal(refer.headers.get('Refer-To'), '<sip:alice@pbx.example.com?X-Case=42>');
    assert.equal(parseNameAddr(refer.headers.get('Referred-By') ?? '')?.uri.kind, 'sip');
    assert.ok(refer.headers.get('Contact'));
    assert.equal(refer.uri, 'sip:peer@127.0.0.2:5062');
    const seq = getCSeq(refer)?.seq;
    h.deliver(peerResponse(refer, 202));
    await flush();
    notify('SIP/2.0 100 Trying\r\n', [['Event', `refer;id=${seq}`], ['Subscription-State', 'active;expires=60']]);
    await flush();
    assert.equal(outcome.now(), undefined);
    notify('SIP/2.0 200 OK\r\n', [['Event', `refer;id=${seq}`], ['Subscription-State', 'terminated;reason=noresource']]);
    await flush();
    assert.equal(h.lastResponse(200, 'NOTIFY').status, 200);
    assert.equal(outcome.now()?.end, 'final');
    assert.equal(outcome.now()?.response?.status, 202);
    assert.deepEqual(outcome.now()?.final, { status: 200, reason: 'OK' });
    assert.deepEqual(seen, [100, 200]);
    assert.deepEqual(notifies.map((n) => n.subscriptionState), ['active', 'terminated']);
    assert.equal(session.state, 'confirmed');
  });

  it('a REFER refused (603) settles as rejected with that response, no NOTIFY needed', async () => {
    const { h, session } = confirmedCall();
    const outcome = settle(session.refer('sip:alice@pbx.example.com'));
    h.deliver(peerResponse(h.lastRequest('REFER'), 603));
    await flush();
    assert.equal(outcome.now()?.end, 'rejected');
    assert.equal(outcome.now()?.response?.status, 603);
    assert.equal(outcome.now()?.final, undefined);
  });

  it('a failed transfer is reported by its sipfrag (486), the session stays up', async () => {
    const { h, session, notify } = confirmedCall();
    const outcome = settle(session.refer('sip:alice@pbx.example.com'));
    h.deliver(peerResponse(h.lastRequest('REFER'), 202));
    notify('SIP/2.0 486 Busy Here\r\n', [['Event', 'refer'], ['Subscription-State', 'terminated']]);
    await flush();
    assert.equal(outcome.now()?.end, 'final');
    assert.equal(outcome.now()?.final?.status, 486);
    assert.equal(session.state, 'confirmed');
  });

  it('a NOTIFY that overtakes the 202 is kept; the outcome waits for the 202', async () => {
    const { h, session, notify } = confirmedCall();
    const outcome = settle(session.refer('sip:alice@pbx.example.com'));
    const refer = h.lastRequest('REFER');
    notify('SIP/2.0 200 OK\r\n', [['Event', 'refer'], ['Subscription-State', 'terminated']]);
    await flush();
    assert.equal(h.lastResponse(200, 'NOTIFY').status, 200);
    assert.equal(outcome.now(), undefined);
    h.deliver(peerResponse(refer, 202));
    await flush();
    assert.equal(outcome.now()?.end, 'final');
    assert.equal(outcome.now()?.response?.status, 202);
  });

  it('no final NOTIFY within the timeout settles as notify-timeout (virtual clock)', async () => {
    const { h, session, notify } = confirmedCall();
    const outcome = settle(session.refer('sip:alice@pbx.example.com', { notifyTimeoutMs: 10_000 }));
    h.deliver(peerResponse(h.lastRequest('REFER'), 202));
    await flush();
    notify('SIP/2.0 180 Ringing\r\n', [['Event', 'refer'], ['Subscription-State', 'active']]);
    h.clock.advance(9_999);
    await flush();
    assert.equal(outcome.now(), undefined);
    h.clock.advance(1);
    await flush();
    assert.equal(outcome.now()?.end, 'notify-timeout');
    assert.deepEqual(outcome.now()?.progress, [{ status: 180, reason: 'Ringing' }]);
  });

  it('a BYE from the peer during the transfer settles it as session-ended', async () => {
    const { h, session, toTag } = confirmedCall();
    const outcome = settle(session.refer('sip:alice@pbx.example.com'));
    h.deliver(peerResponse(h.lastRequest('REFER'), 202));
    await flush();
    h.deliver(peerRequest({ method: 'BYE', toTag, cseq: 9 }));
    await flush();
    assert.equal(outcome.now()?.end, 'session-ended');
    assert.equal(session.state, 'terminated');
  });

  it('NOTIFY for no subscription of ours gets 481; without an Event header 400', async () => {
    const { h, notify } = confirmedCall();
    notify('SIP/2.0 200 OK\r\n', [['Event', 'refer;id=77'], ['Subscription-State', 'active']]);
    assert.equal(h.lastResponse(481, 'NOTIFY').status, 481);
    notify('SIP/2.0 200 OK\r\n', [['Event', 'dialog'], ['Subscription-State', 'active']]);
    assert.equal(h.wire.summary().at(-1), '481');
    notify(undefined, []);
    assert.equal(h.lastResponse(400, 'NOTIFY').status, 400);
  });

  it('a target that is no SIP URI (or would break the header) is refused, nothing sent', async () => {
    const { h, session } = confirmedCall();
    await assert.rejects(session.refer('sip:a@b\r\nX-Evil: 1'), TypeError);
    await assert.rejects(session.refer('tel:+15550100'), TypeError);
    assert.equal(h.sent('REFER').length, 0);
  });

  it('refer() on an ended session rejects', async () => {
    const { session } = confirmedCall();
    void session.bye();
    await assert.rejects(session.refer('sip:alice@pbx.example.com'), { code: 'dialog-terminated' });
  });
});
