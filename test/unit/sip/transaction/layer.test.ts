import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  type SipRequest,
  type SipResponse,
  buildResponse,
  getCSeq,
  getTo,
  getTopVia,
  getVias,
} from '../../../../src/sip/message/index.js';
import { TransportLayer } from '../../../../src/sip/transport/layer.js';
import {
  TransactionLayer,
  type TransactionLayerEvent,
  clientKey,
  serverKey,
} from '../../../../src/sip/transaction/layer.js';
import { buildNon2xxAck } from '../../../../src/sip/transaction/derived-requests.js';
import { TransactionTerminatedError } from '../../../../src/sip/transaction/errors.js';
import { VirtualClock } from '../../../support/virtual-clock.js';
import { RecordingTransport } from '../../../support/recording-transport.js';
import { makeRequest, makeResponse } from '../../../support/sip-builders.js';

const PEER = { host: '127.0.0.2', port: 5062, transport: 'UDP' } as const;

function setup(options: { autoTrying?: number | false; handler?: boolean } = {}) {
  const clock = new VirtualClock();
  const udp = new RecordingTransport({ clock, protocol: 'UDP', local: { host: '127.0.0.1', port: 5060 } });
  const tcp = new RecordingTransport({ clock, protocol: 'TCP', local: { host: '127.0.0.1', port: 5060 } });
  const transport = new TransportLayer([udp, tcp]);
  const layer = new TransactionLayer(transport, { clock, autoTrying: options.autoTrying ?? false });
  const events: TransactionLayerEvent[] = [];
  if (options.handler !== false) layer.onEvent((e) => events.push(e));
  return { clock, udp, tcp, transport, layer, events };
}

function lastSent(t: RecordingTransport) {
  const r = t.sent.at(-1);
  assert.ok(r !== undefined, 'something was sent');
  return r;
}

describe('transaction layer: server side', () => {
  it('hands a new request up once, absorbs its retransmission and re-sends the last response', () => {
    const { udp, layer, events } = setup();
    const req = makeRequest({ method: 'OPTIONS' });
    udp.deliver(req);
    assert.equal(events.length, 1);
    const e = events[0];
    assert.ok(e?.type === 'request');
    e.transaction.reply(200);
    udp.deliver(makeRequest({ method: 'OPTIONS', branch: getTopVia(req)?.branch ?? '', callId: req.headers.get('Call-ID') ?? '' }));
    assert.equal(events.length, 1, 'retransmission not handed up');
    assert.deepEqual(udp.summary(), ['200', '200']);
    assert.equal(layer.serverTransactionCount, 1);
  });

  it('answers at the Via address: received and rport (RFC 3581)', () => {
    const { udp, events } = setup();
    const req = makeRequest({ sentBy: '10.0.0.1:5070' });
    req.headers.set('Via', `SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bK-rport;rport=40000;received=192.0.2.7`);
    udp.deliver(req, { host: '192.0.2.7', port: 40000 });
    const e = events[0];
    assert.ok(e?.type === 'request');
    e.transaction.reply(200);
    assert.deepEqual(lastSent(udp).destination, {
      host: '192.0.2.7',
      port: 40000,
      transport: 'UDP',
      flowId: 'udp:192.0.2.7:40000',
    });
  });

  it('responds on the flow the request came on (TCP)', () => {
    const { tcp, events } = setup();
    tcp.deliver(makeRequest({ transport: 'TCP' }), { host: '127.0.0.2', port: 45000 }, 'tcp-7');
    const e = events[0];
    assert.ok(e?.type === 'request');
    e.transaction.reply(200);
    assert.equal(lastSent(tcp).destination.flowId, 'tcp-7');
    assert.equal(e.transaction.state, 'terminated', 'Timer J is zero on TCP');
  });

  it('matches the ACK for a non-2xx to the INVITE transaction (no event)', () => {
    const { udp, events } = setup();
    const invite = makeRequest({ method: 'INVITE' });
    udp.deliver(invite);
    const e = events[0];
    assert.ok(e?.type === 'request' && e.transaction.kind === 'invite-server');
    const busy = e.transaction.reply(486);
    udp.deliver(buildNon2xxAck(invite, busy));
    assert.equal(events.length, 1);
    assert.equal(e.transaction.state, 'confirmed');
  });

  it('hands the ACK for a 2xx (new branch) up', () => {
    const { udp, events } = setup();
    const invite = makeRequest({ method: 'INVITE' });
    udp.deliver(invite);
    const e = events[0];
    assert.ok(e?.type === 'request');
    e.transaction.reply(200);
    udp.deliver(makeRequest({ method: 'ACK', callId: invite.headers.get('Call-ID') ?? '', toTag: 'to-tag' }));
    assert.equal(events[1]?.type, 'ack');
  });

  it('an ACK with the INVITE branch arriving in Accepted goes up too (RFC 6026)', () => {
    const { udp, events } = setup();
    const invite = makeRequest({ method: 'INVITE' });
    udp.deliver(invite);
    const e = events[0];
    assert.ok(e?.type === 'request');
    const ok = e.transaction.reply(200);
    udp.deliver(buildNon2xxAck(invite, ok));
    assert.equal(events[1]?.type, 'ack');
    assert.equal(e.transaction.state, 'accepted');
  });

  it('CANCEL: 200 to the CANCEL, 487 to the INVITE with the same To tag, TU told; retransmitted CANCEL re-answered', () => {
    const { udp, events } = setup();
    const invite = makeRequest({ method: 'INVITE', branch: 'z9hG4bK-inv1' });
    udp.deliver(invite);
    const e = events[0];
    assert.ok(e?.type === 'request' && e.transaction.kind === 'invite-server');
    const cancelled: SipRequest[] = [];
    e.transaction.setUser({ cancelled: (c) => cancelled.push(c) });
    e.transaction.reply(180);
    const cancel = makeRequest({
      method: 'CANCEL',
      branch: 'z9hG4bK-inv1',
      callId: invite.headers.get('Call-ID') ?? '',
    });
    udp.deliver(cancel);
    assert.deepEqual(udp.summary(), ['180', '200', '487']);
    const [ringing, ok, terminated] = udp.sent.map((r) => r.message as SipResponse);
    assert.equal(getCSeq(ok!)?.method, 'CANCEL');
    assert.equal(getCSeq(terminated!)?.method, 'INVITE');
    assert.equal(getTo(ok!)?.tag, getTo(ringing!)?.tag);
    assert.equal(getTo(terminated!)?.tag, getTo(ringing!)?.tag);
    assert.equal(cancelled.length, 1);
    assert.equal(events.length, 1, 'CANCEL is not handed up');
    udp.deliver(cancel);
    assert.deepEqual(udp.summary(), ['180', '200', '487', '200']);
    assert.throws(() => e.transaction.reply(200), TransactionTerminatedError);
  });

  it('CANCEL matching nothing gets 481', () => {
    const { udp, events } = setup();
    udp.deliver(makeRequest({ method: 'CANCEL' }));
    assert.deepEqual(udp.summary(), ['481']);
    assert.equal(events.length, 0);
  });

  it('RFC 2543 peers (no z9hG4bK): retransmission absorbed, ACK matched by the To tag', () => {
    const { udp, events } = setup();
    const mk = (method: string, toTag?: string) =>
      makeRequest({ method, branch: 'old-style-1', callId: 'c2543@example.com', fromTag: 'f1', ...(toTag ? { toTag } : {}) });
    udp.deliver(mk('INVITE'));
    udp.deliver(mk('INVITE'));
    assert.equal(events.length, 1);
    const e = events[0];
    assert.ok(e?.type === 'request' && e.transaction.kind === 'invite-server');
    const res = e.transaction.reply(486, undefined, { toTag: 'srv' });
    assert.equal(getTo(res)?.tag, 'srv');
    udp.deliver(mk('ACK', 'other'));
    assert.equal(events[1]?.type, 'ack', 'wrong To tag: not this transaction');
    assert.equal(e.transaction.state, 'completed');
    udp.deliver(mk('ACK', 'srv'));
    assert.equal(e.transaction.state, 'confirmed');
  });

  it('sends 100 Trying for an INVITE after 200 ms of TU silence', () => {
    const { udp, clock } = setup({ autoTrying: 200 });
    udp.deliver(makeRequest({ method: 'INVITE' }));
    clock.advance(200);
    assert.deepEqual(udp.summary(), ['100']);
  });

  it('with nobody registered above, refuses requests instead of leaving them unanswered', () => {
    const { udp } = setup({ handler: false });
    udp.deliver(makeRequest({ method: 'OPTIONS' }));
    udp.deliver(makeRequest({ method: 'INVITE' }));
    assert.deepEqual(udp.summary(), ['503', '480']);
  });

  it('server transactions leave the table when they terminate', () => {
    const { udp, layer, events, clock } = setup();
    udp.deliver(makeRequest());
    const e = events[0];
    assert.ok(e?.type === 'request');
    e.transaction.reply(200);
    clock.advance(32_000);
    assert.equal(layer.serverTransactionCount, 0);
  });
});

describe('transaction layer: client side', () => {
  it('adds a Via with a z9hG4bK branch and rport when the request has none', () => {
    const { udp, layer } = setup();
    const req = makeRequest();
    req.headers.delete('Via');
    layer.sendRequest(req, PEER);
    const via = getTopVia(lastSent(udp).message);
    assert.ok(via?.branch?.startsWith('z9hG4bK'));
    assert.equal(via?.rport, null);
    assert.equal(via?.host, '127.0.0.1');
    assert.equal(via?.port, 5060);
    assert.equal(via?.transport, 'UDP');
  });

  it('matches responses by branch and CSeq method; others go up as stray responses', async () => {
    const { udp, layer, events } = setup();
    const invite = makeRequest({ method: 'INVITE', branch: 'z9hG4bK-b1' });
    const seen: number[] = [];
    const tx = layer.sendRequest(invite, PEER, { response: (r) => seen.push(r.status) });
    // Same branch, other method (the answer to a CANCEL): not the INVITE's.
    const cancelAnswer = buildResponse(
      makeRequest({ method: 'CANCEL', branch: 'z9hG4bK-b1', callId: invite.headers.get('Call-ID') ?? '' }),
      200,
    );
    udp.deliver(cancelAnswer);
    assert.deepEqual(seen, []);
    assert.equal(events[0]?.type, 'response');
    udp.deliver(makeResponse(invite, 180));
    udp.deliver(makeResponse(invite, 200));
    assert.deepEqual(seen, [180, 200]);
    assert.equal((await tx.final).status, 200);
  });

  it('INVITE → 486: the transaction ACKs through the layer', () => {
    const { udp, layer } = setup();
    const invite = makeRequest({ method: 'INVITE' });
    layer.sendRequest(invite, PEER);
    udp.deliver(makeResponse(invite, 486));
    assert.deepEqual(udp.summary(), ['INVITE', 'ACK']);
    assert.deepEqual(lastSent(udp).destination, PEER);
  });

  it('cancel() waits for a provisional, then sends CANCEL on the INVITE branch', async () => {
    const { udp, layer } = setup();
    const invite = makeRequest({ method: 'INVITE', branch: 'z9hG4bK-c1' });
    const tx = layer.sendRequest(invite, PEER);
    assert.ok(tx.kind === 'invite-client');
    const cancelled = layer.cancel(tx);
    assert.deepEqual(udp.summary(), ['INVITE']);
    udp.deliver(makeResponse(invite, 180));
    assert.deepEqual(udp.summary(), ['INVITE', 'CANCEL']);
    const cancel = lastSent(udp).message;
    assert.ok(cancel.kind === 'request');
    assert.equal(getTopVia(cancel)?.branch, 'z9hG4bK-c1');
    assert.deepEqual(getCSeq(cancel), { seq: 1, method: 'CANCEL' });
    assert.equal(getVias(cancel)?.length, 1);
    assert.equal(clientKey(cancel), 'z9hG4bK-c1|CANCEL');
    const again = layer.cancel(tx);
    assert.deepEqual(udp.summary(), ['INVITE', 'CANCEL'], 'a second cancel() sends nothing new');
    udp.deliver(buildResponse(cancel, 200));
    assert.equal((await cancelled)?.status, 200);
    assert.equal((await again)?.status, 200);
    udp.deliver(makeResponse(invite, 487));
    assert.equal((await tx.final).status, 487);
    assert.deepEqual(udp.summary(), ['INVITE', 'CANCEL', 'ACK']);
  });

  it('cancel() sends nothing when the final response comes first', async () => {
    const { udp, layer } = setup();
    const invite = makeRequest({ method: 'INVITE' });
    const tx = layer.sendRequest(invite, PEER);
    assert.ok(tx.kind === 'invite-client');
    const cancelled = layer.cancel(tx);
    udp.deliver(makeResponse(invite, 200));
    assert.equal(await cancelled, undefined);
    assert.deepEqual(udp.summary(), ['INVITE']);
  });

  it('close() terminates every transaction', async () => {
    const { layer, clock } = setup();
    const tx = layer.sendRequest(makeRequest(), PEER);
    layer.close();
    await assert.rejects(tx.final, TransactionTerminatedError);
    assert.equal(layer.clientTransactionCount, 0);
    assert.equal(clock.pending, 0);
  });

  it('sendRequest refuses an ACK (use sendAck)', () => {
    const { layer } = setup();
    assert.throws(() => layer.sendRequest(makeRequest({ method: 'ACK' }), PEER), TypeError);
  });

  it('server keys: ACK and CANCEL find their INVITE', () => {
    const invite = makeRequest({ method: 'INVITE', branch: 'z9hG4bK-k' });
    const ack = makeRequest({ method: 'ACK', branch: 'z9hG4bK-k' });
    const cancel = makeRequest({ method: 'CANCEL', branch: 'z9hG4bK-k' });
    assert.equal(serverKey(ack), serverKey(invite));
    assert.notEqual(serverKey(cancel), serverKey(invite));
    assert.equal(serverKey(cancel, 'INVITE'), serverKey(invite));
  });
});
