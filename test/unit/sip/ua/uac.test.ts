import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getCSeq, getFrom, getTo, getTopVia } from '../../../../src/sip/message/index.js';
import {
  InviteCancelledError,
  InviteRejectedError,
  type InviteSession,
  RequestRejectedError,
  RequestTimeoutError,
  type SessionEnd,
  glareDelay,
} from '../../../../src/sip/ua/index.js';
import { ANSWER, OFFER, type Harness, flush, harness, peerRequest, peerResponse } from './harness.js';

const TARGET = 'sip:svc@127.0.0.2:5062';

/** Our INVITE answered 200 and ACKed: a confirmed UAC session. */
async function answeredCall(h: Harness): Promise<{ session: InviteSession; invite: ReturnType<Harness['lastRequest']> }> {
  const out = h.ua.invite(TARGET, { from: 'sip:alice@127.0.0.1', body: OFFER });
  const invite = h.lastRequest('INVITE');
  h.deliver(peerResponse(invite, 200, { body: ANSWER }));
  const session = await out.session;
  return { session, invite };
}

describe('UserAgent as UAC: INVITE', () => {
  it('sends the INVITE, reports provisionals, ACKs the 2xx with the INVITE CSeq, resolves the session', async () => {
    const h = harness();
    const progress: number[] = [];
    const out = h.ua.invite(TARGET, { from: '"Alice" <sip:alice@127.0.0.1>', body: OFFER, headers: [['X-Call', '1']] });
    out.on('progress', (r) => progress.push(r.status));
    const invite = h.lastRequest('INVITE');
    assert.equal(invite.uri, TARGET);
    assert.deepEqual(h.sent('INVITE')[0]?.destination, { host: '127.0.0.2', port: 5062, transport: 'UDP' });
    assert.ok(getFrom(invite)?.tag);
    assert.equal(getFrom(invite)?.displayName, 'Alice');
    assert.equal(getTo(invite)?.tag, undefined);
    assert.equal(invite.headers.get('Contact'), '<sip:dialtone@127.0.0.1:5060>');
    assert.equal(invite.headers.get('Content-Type'), 'application/sdp');
    assert.equal(invite.headers.get('X-Call'), '1');
    assert.equal(invite.headers.get('Allow'), 'INVITE, ACK, CANCEL, BYE, OPTIONS, INFO');
    assert.equal(out.state, 'calling');

    h.deliver(peerResponse(invite, 100));
    h.deliver(peerResponse(invite, 180));
    assert.deepEqual(progress, [100, 180]);
    assert.equal(out.state, 'proceeding');

    h.deliver(
      peerResponse(invite, 200, {
        body: ANSWER,
        headers: [
          ['Record-Route', '<sip:127.0.0.3:5070;lr>'],
          ['Record-Route', '<sip:127.0.0.4:5080;lr>'],
        ],
      }),
    );
    const session = await out.session;
    assert.equal(out.state, 'established');
    assert.equal(session.role, 'uac');
    assert.equal(session.state, 'confirmed');
    assert.equal(session.remoteSdp, ANSWER);
    assert.equal(session.localSdp, OFFER);
    const ackRecord = h.sent('ACK')[0];
    assert.ok(ackRecord);
    const ack = ackRecord.message;
    assert.equal(ack.kind, 'request');
    assert.equal(getCSeq(ack)?.seq, getCSeq(invite)?.seq);
    assert.equal(getCSeq(ack)?.method, 'ACK');
    assert.equal(getTo(ack)?.tag, 'peer-tag');
    assert.notEqual(getTopVia(ack)?.branch, getTopVia(invite)?.branch, 'the ACK for a 2xx is a new transaction');
    assert.equal(ack.kind === 'request' && ack.uri, 'sip:peer@127.0.0.2:5062');
    assert.deepEqual(ack.headers.getAll('Route'), ['<sip:127.0.0.4:5080;lr>', '<sip:127.0.0.3:5070;lr>']);
    assert.deepEqual(ackRecord.destination, { host: '127.0.0.4', port: 5080, transport: 'UDP' });

    // A retransmitted 2xx is ACKed again (RFC 6026 §7.2), also after Timer M (stray response).
    h.deliver(peerResponse(invite, 200, { body: ANSWER }));
    assert.equal(h.sent('ACK').length, 2);
    h.clock.advance(40_000);
    h.deliver(peerResponse(invite, 200, { body: ANSWER }));
    assert.equal(h.sent('ACK').length, 3);
  });

  it('a non-2xx final response rejects with InviteRejectedError carrying it', async () => {
    const h = harness();
    const out = h.ua.invite(TARGET, { from: 'sip:alice@127.0.0.1', body: OFFER });
    h.deliver(peerResponse(h.lastRequest('INVITE'), 486));
    const err = await out.session.catch((e: unknown) => e);
    assert.ok(err instanceof InviteRejectedError);
    assert.equal(err.code, 'invite-rejected');
    assert.equal(err.status, 486);
    assert.equal(err.response.status, 486);
    assert.equal(err.callOutcome(), 'busy');
    assert.equal(out.state, 'rejected');
    assert.equal(h.sent('ACK').length, 1, 'the transaction ACKs the 486');
  });

  it('no answer: RequestTimeoutError after Timer B', async () => {
    const h = harness();
    const out = h.ua.invite(TARGET, { from: 'sip:alice@127.0.0.1', body: OFFER });
    h.clock.advance(32_000);
    const err = await out.session.catch((e: unknown) => e);
    assert.ok(err instanceof RequestTimeoutError);
    assert.equal(err.callOutcome(), 'no-answer');
    assert.deepEqual(
      h.sent('INVITE').map((r) => r.at),
      [0, 500, 1500, 3500, 7500, 15500, 31500],
      'Timer A doubles',
    );
  });

  it('cancel after a provisional response: CANCEL, then the 487 rejects with InviteCancelledError', async () => {
    const h = harness();
    const out = h.ua.invite(TARGET, { from: 'sip:alice@127.0.0.1', body: OFFER });
    const invite = h.lastRequest('INVITE');
    const cancelled = out.cancel();
    await flush();
    assert.equal(h.sent('CANCEL').length, 0, 'not before a provisional response (§9.1)');
    h.deliver(peerResponse(invite, 180));
    await flush();
    const cancel = h.lastRequest('CANCEL');
    assert.equal(getTopVia(cancel)?.branch, getTopVia(invite)?.branch);
    h.deliver(peerResponse(cancel, 200));
    h.deliver(peerResponse(invite, 487));
    await cancelled;
    const err = await out.session.catch((e: unknown) => e);
    assert.ok(err instanceof InviteCancelledError);
    assert.equal(err.response?.status, 487);
    assert.equal(err.callOutcome(), 'canceled');
    assert.equal(out.state, 'cancelled');
  });

  it('a 2xx that crosses our CANCEL is ACKed and ended with BYE', async () => {
    const h = harness();
    const out = h.ua.invite(TARGET, { from: 'sip:alice@127.0.0.1', body: OFFER });
    const invite = h.lastRequest('INVITE');
    h.deliver(peerResponse(invite, 180));
    void out.cancel();
    await flush();
    h.deliver(peerResponse(invite, 200, { body: ANSWER }));
    await flush();
    assert.equal(h.sent('ACK').length, 1);
    assert.equal(h.sent('BYE').length, 1);
    assert.ok((await out.session.catch((e: unknown) => e)) instanceof InviteCancelledError);
  });

  it('a 2xx from a second fork (other To tag) is ACKed and ended with BYE', async () => {
    const h = harness();
    const out = h.ua.invite(TARGET, { from: 'sip:alice@127.0.0.1', body: OFFER });
    const invite = h.lastRequest('INVITE');
    h.deliver(peerResponse(invite, 200, { body: ANSWER, toTag: 'fork-1' }));
    const session = await out.session;
    h.deliver(peerResponse(invite, 200, { body: ANSWER, toTag: 'fork-2' }));
    await flush();
    assert.equal(h.sent('ACK').length, 2);
    const bye = h.lastRequest('BYE');
    assert.equal(getTo(bye)?.tag, 'fork-2');
    assert.equal(session.state, 'confirmed');
    assert.equal(session.dialog.remoteTag, 'fork-1');
  });
});

describe('InviteSession (UAC side)', () => {
  it('bye: the session ends at once, resolves with the response', async () => {
    const h = harness();
    const { session } = await answeredCall(h);
    const ends: SessionEnd[] = [];
    session.on('ended', (e) => ends.push(e));
    const done = session.bye();
    await flush();
    assert.equal(session.state, 'terminated');
    assert.deepEqual(ends.map((e) => e.reason), ['local-bye']);
    const bye = h.lastRequest('BYE');
    assert.equal(getCSeq(bye)?.seq, (getCSeq(session.request)?.seq ?? 0) + 1);
    h.deliver(peerResponse(bye, 200));
    assert.equal((await done)?.status, 200);
    assert.equal(await session.bye(), undefined, 'a second bye does nothing');
  });

  it('sendDtmfInfo sends INFO application/dtmf-relay', async () => {
    const h = harness();
    const { session } = await answeredCall(h);
    const sent = session.sendDtmfInfo('7', 160);
    const info = h.lastRequest('INFO');
    assert.equal(info.headers.get('Content-Type'), 'application/dtmf-relay');
    assert.equal(Buffer.from(info.body).toString(), 'Signal=7\r\nDuration=160\r\n');
    h.deliver(peerResponse(info, 200));
    assert.equal((await sent).status, 200);
    await assert.rejects(session.sendDtmfInfo('x'), TypeError);
  });

  it('a 481 to an in-dialog request ends the session (dialog-gone)', async () => {
    const h = harness();
    const { session } = await answeredCall(h);
    const ends: SessionEnd[] = [];
    session.on('ended', (e) => ends.push(e));
    const sent = session.info('hello', 'text/plain');
    h.deliver(peerResponse(h.lastRequest('INFO'), 481));
    const err = await sent.catch((e: unknown) => e);
    assert.ok(err instanceof RequestRejectedError);
    assert.equal(err.status, 481);
    assert.deepEqual(ends.map((e) => e.reason), ['dialog-gone']);
    await assert.rejects(session.info('x', 'text/plain'), { code: 'dialog-terminated' });
  });

  it('hold: re-INVITE with a=sendonly and a bumped version; ACK with the re-INVITE CSeq; unhold', async () => {
    const h = harness();
    const { session } = await answeredCall(h);
    const changes: string[] = [];
    session.on('modified', (m) => changes.push(`${m.by}:${m.remoteDirection}`));
    const held = session.hold();
    const reinvite = h.lastRequest('INVITE');
    const offer = Buffer.from(reinvite.body).toString();
    assert.match(offer, /a=sendonly/);
    assert.match(offer, /o=peer 1000 2 /);
    assert.equal(reinvite.headers.get('Contact'), '<sip:dialtone@127.0.0.1:5060>');
    h.deliver(peerResponse(reinvite, 200, { body: ANSWER.replace('a=sendrecv', 'a=recvonly') }));
    await held;
    const ack = h.lastRequest('ACK');
    assert.equal(getCSeq(ack)?.seq, getCSeq(reinvite)?.seq);
    assert.deepEqual(changes, ['local:recvonly']);
    assert.match(session.localSdp ?? '', /a=sendonly/);

    const unheld = session.unhold();
    const again = h.lastRequest('INVITE');
    assert.match(Buffer.from(again.body).toString(), /a=sendrecv/);
    assert.match(Buffer.from(again.body).toString(), /o=peer 1000 3 /);
    h.deliver(peerResponse(again, 200, { body: ANSWER }));
    await unheld;
    assert.deepEqual(changes, ['local:recvonly', 'local:sendrecv']);
  });
});

describe('glare (RFC 3261 §14)', () => {
  it('glareDelay: 2.1–4 s for the Call-ID owner, 0–2 s otherwise, in 10 ms steps', () => {
    assert.equal(glareDelay(true, () => 0), 2100);
    assert.equal(glareDelay(true, () => 0.999999), 4000);
    assert.equal(glareDelay(false, () => 0), 0);
    assert.equal(glareDelay(false, () => 0.999999), 2000);
    for (let i = 0; i < 200; i++) {
      const owner = glareDelay(true, Math.random);
      const other = glareDelay(false, Math.random);
      assert.ok(owner >= 2100 && owner <= 4000 && owner % 10 === 0, String(owner));
      assert.ok(other >= 0 && other <= 2000 && other % 10 === 0, String(other));
    }
  });

  it('their re-INVITE while ours is pending gets 491; ours, answered 491, is retried after the owner delay', async () => {
    const h = harness({ random: () => 0.5 });
    const { session } = await answeredCall(h);
    const done = session.reinvite(OFFER.replace('o=peer 1000 1', 'o=peer 1000 2'));
    const first = h.lastRequest('INVITE');
    // The peer's re-INVITE crosses ours.
    h.deliver(peerRequest({ method: 'INVITE', toTag: getFrom(first)?.tag ?? '', cseq: 7, body: ANSWER, callId: session.callId }));
    assert.equal(h.lastResponse(491).status, 491);
    // Ours gets 491 too.
    h.deliver(peerResponse(first, 491));
    await flush();
    const retryAt = h.clock.now() + glareDelay(true, () => 0.5);
    assert.equal(glareDelay(true, () => 0.5), 3050);
    h.clock.advanceTo(retryAt - 1);
    await flush();
    assert.equal(h.sent('INVITE').length, 2, 'not yet');
    h.clock.advanceTo(retryAt);
    await flush();
    assert.equal(h.sent('INVITE').length, 3, 'retried');
    const retry = h.lastRequest('INVITE');
    assert.equal(getCSeq(retry)?.seq, (getCSeq(first)?.seq ?? 0) + 1);
    h.deliver(peerResponse(retry, 200, { body: ANSWER }));
    assert.equal((await done).status, 200);
  });

  it('the non-owner (UAS) waits 0–2 s; gives up after maxGlareRetries', async () => {
    const h = harness({ random: () => 0.25, maxGlareRetries: 1 });
    let incoming: import('../../../../src/sip/ua/index.js').IncomingInvite | undefined;
    h.ua.on('incoming', (i) => (incoming = i));
    h.deliver(peerRequest({ method: 'INVITE', body: OFFER }));
    const session = incoming!.accept({ body: ANSWER });
    h.deliver(peerRequest({ method: 'ACK', toTag: incoming!.toTag, cseq: 1 }));
    const done = session.reinvite(ANSWER).catch((e: unknown) => e);
    h.deliver(peerResponse(h.lastRequest('INVITE'), 491));
    await flush();
    const delay = glareDelay(false, () => 0.25);
    assert.equal(delay, 500);
    h.clock.advance(delay);
    await flush();
    h.deliver(peerResponse(h.lastRequest('INVITE'), 491));
    const err = await done;
    assert.ok(err instanceof RequestRejectedError);
    assert.equal(err.status, 491);
    assert.equal(session.state, 'confirmed', 'a failed re-INVITE leaves the session as it was');
  });
});
