import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import {
  buildRequest,
  getCallId,
  getTopVia,
  parseMessage,
  type SipMessage,
  type SipResponse,
} from '../../../src/sip/message/index.js';
import { systemClock } from '../../../src/sip/clock.js';
import type { InviteServerTransaction } from '../../../src/sip/transaction/invite-server.js';
import { type Retransmit2xx, retransmit2xx } from '../../../src/sip/transaction/retransmit-2xx.js';
import { startSipStack, type SipStack } from '../../support/sip-stack.js';
import { eventually } from '../../support/wait.js';
import { makeRequest } from '../../support/sip-builders.js';

/** A bare UDP socket that sends raw bytes and collects what comes back. */
async function rawPeer() {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const received: SipMessage[] = [];
  socket.on('message', (buf) => {
    const parsed = parseMessage(buf);
    if (parsed.ok) received.push(parsed.message);
  });
  return {
    port: socket.address().port,
    received,
    send: (text: string, port: number) =>
      new Promise<void>((resolve, reject) => socket.send(Buffer.from(text), port, '127.0.0.1', (e) => (e ? reject(e) : resolve()))),
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

function request(lines: string[]): string {
  return `${lines.join('\r\n')}\r\n\r\n`;
}

describe('SIP over UDP on loopback', () => {
  let server: SipStack;
  let client: SipStack;
  /** 2xx retransmissions running on the server, by Call-ID (the UA core's job, done here by hand). */
  const answering = new Map<string, Retransmit2xx>();
  /** Call-IDs whose INVITE the server TU was told is cancelled. */
  const cancelledCalls = new Set<string>();

  before(async () => {
    server = await startSipStack({
      protocols: ['UDP'],
      onEvent: (e) => {
        if (e.type === 'ack') answering.get(getCallId(e.request) ?? '')?.stop();
        if (e.type !== 'request') return;
        if (e.request.method === 'OPTIONS') e.transaction.reply(200);
        if (e.request.method === 'INVITE' && e.request.uri.startsWith('sip:answer@')) {
          const tx = e.transaction;
          const ok = tx.reply(200);
          answering.set(
            getCallId(e.request) ?? '',
            retransmit2xx({ clock: systemClock, timers: { t1: 50 }, send: () => tx.respond(ok) }),
          );
        } else if (e.request.method === 'INVITE') {
          const callId = getCallId(e.request) ?? '';
          e.transaction.setUser({ cancelled: () => cancelledCalls.add(callId) });
          e.transaction.reply(180);
        }
      },
    });
    client = await startSipStack({ protocols: ['UDP'] });
  });
  after(async () => {
    for (const r of answering.values()) r.stop();
    await client.close();
    await server.close();
  });

  it('OPTIONS → 200 between two stacks', async () => {
    const req = makeRequest({ method: 'OPTIONS' });
    req.headers.delete('Via');
    const tx = client.layer.sendRequest(req, server.address('UDP'));
    const res = await tx.final;
    assert.equal(res.status, 200);
    const via = getTopVia(res);
    assert.equal(via?.rport, client.address('UDP').port, 'the server filled in rport');
    assert.equal(via?.received, '127.0.0.1');
  });

  it('INVITE → 180 → 486, and the client transaction ACKs', async () => {
    const req = makeRequest({ method: 'INVITE' });
    req.headers.delete('Via');
    const seen: number[] = [];
    const tx = client.layer.sendRequest(req, server.address('UDP'), { response: (r) => seen.push(r.status) });
    await eventually(() => seen.includes(180), '180 Ringing');
    const event = server.events.find((e) => e.type === 'request' && e.request.method === 'INVITE');
    assert.ok(event?.type === 'request');
    const stx = event.transaction as InviteServerTransaction;
    stx.reply(486);
    const final = await tx.final;
    assert.equal(final.status, 486);
    await eventually(() => stx.state === 'confirmed', 'the ACK to reach the server transaction');
    assert.deepEqual(seen, [180, 486]);
    assert.equal(
      server.events.filter((e) => e.type === 'ack').length,
      0,
      'the non-2xx ACK stays in the transaction',
    );
  });

  it('INVITE → 200: the UAS core retransmits the 2xx until the ACK, which goes up as an ack event', async () => {
    const req = makeRequest({ method: 'INVITE', uri: 'sip:answer@127.0.0.1' });
    req.headers.delete('Via');
    const oks: SipResponse[] = [];
    const tx = client.layer.sendRequest(req, server.address('UDP'), { response: (r) => r.status === 200 && oks.push(r) });
    const ok = await tx.final;
    assert.equal(ok.status, 200);
    // RFC 6026: in Accepted the client transaction passes 2xx retransmissions up.
    await eventually(() => oks.length >= 2, 'a retransmitted 200');
    assert.equal(tx.state, 'accepted');
    const callId = getCallId(req) ?? '';
    const ack = buildRequest('ACK', req.uri, [
      ['Max-Forwards', '70'],
      ['From', req.headers.get('From') ?? ''],
      ['To', ok.headers.get('To') ?? ''],
      ['Call-ID', callId],
      ['CSeq', '1 ACK'],
    ]);
    await client.layer.sendAck(ack, server.address('UDP'));
    assert.notEqual(getTopVia(ack)?.branch, getTopVia(req)?.branch, 'the 2xx ACK is its own transaction');
    await eventually(() => answering.get(callId)?.active === false, 'the ACK to stop the 2xx retransmissions');
    assert.ok(server.events.some((e) => e.type === 'ack' && getCallId(e.request) === callId));
  });

  it('CANCEL after 180: 200 to the CANCEL, 487 to the INVITE, the server TU told', async () => {
    const req = makeRequest({ method: 'INVITE' });
    req.headers.delete('Via');
    const seen: number[] = [];
    const tx = client.layer.sendRequest(req, server.address('UDP'), { response: (r) => seen.push(r.status) });
    assert.ok(tx.kind === 'invite-client');
    const cancelled = client.layer.cancel(tx);
    assert.equal((await cancelled)?.status, 200);
    assert.equal(seen[0], 180, 'the CANCEL waited for the provisional');
    assert.equal((await tx.final).status, 487);
    assert.ok(cancelledCalls.has(getCallId(req) ?? ''));
    const event = server.events.find((e) => e.type === 'request' && getCallId(e.request) === getCallId(req));
    assert.ok(event?.type === 'request');
    await eventually(() => event.transaction.state === 'confirmed', 'the ACK for the 487');
  });

  it('answers a malformed request with 400, drops garbage, and keeps serving', async () => {
    const peer = await rawPeer();
    try {
      const port = server.address('UDP').port;
      // Parses, but the CSeq is not a CSeq: validateRequest refuses it.
      await peer.send(
        request([
          'OPTIONS sip:bob@127.0.0.1 SIP/2.0',
          `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bK-bad-cseq`,
          'From: <sip:a@x>;tag=1',
          'To: <sip:b@x>',
          'Call-ID: bad-cseq',
          'CSeq: one OPTIONS',
          'Max-Forwards: 70',
        ]),
        port,
      );
      // Does not parse (a header line without a colon): the 400 is built from what was read.
      await peer.send(
        request([
          'OPTIONS sip:bob@127.0.0.1 SIP/2.0',
          `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bK-no-colon`,
          'From: <sip:a@x>;tag=1',
          'To: <sip:b@x>',
          'Call-ID: no-colon',
          'CSeq: 1 OPTIONS',
          'this line has no colon',
        ]),
        port,
      );
      // Not SIP at all, a keep-alive, and a STUN-looking packet: dropped.
      await peer.send('\x00\x01garbage that is not SIP\r\n\r\n', port);
      await peer.send('\r\n\r\n', port);
      await eventually(() => peer.received.length >= 2, 'two 400 responses');
      const statuses = peer.received.map((m) => (m as SipResponse).status);
      assert.deepEqual(statuses, [400, 400]);
      assert.deepEqual(
        peer.received.map((m) => m.headers.get('Call-ID')),
        ['bad-cseq', 'no-colon'],
      );
      // Still serving.
      await peer.send(
        request([
          'OPTIONS sip:bob@127.0.0.1 SIP/2.0',
          `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bK-good`,
          'From: <sip:a@x>;tag=1',
          'To: <sip:b@x>',
          'Call-ID: good',
          'CSeq: 1 OPTIONS',
          'Max-Forwards: 70',
        ]),
        port,
      );
      await eventually(() => peer.received.length >= 3, 'the 200 to a good OPTIONS');
      assert.equal((peer.received[2] as SipResponse).status, 200);
    } finally {
      await peer.close();
    }
  });

  it('fills in received and rport, and answers to them (RFC 3581)', async () => {
    const peer = await rawPeer();
    try {
      const before = server.events.length;
      await peer.send(
        request([
          'OPTIONS sip:bob@127.0.0.1 SIP/2.0',
          // sent-by says an address we are not at; rport asks to be answered at the source.
          'Via: SIP/2.0/UDP 192.0.2.1:5099;branch=z9hG4bK-rport-test;rport',
          'From: <sip:a@x>;tag=1',
          'To: <sip:b@x>',
          'Call-ID: rport-test',
          'CSeq: 1 OPTIONS',
          'Max-Forwards: 70',
        ]),
        server.address('UDP').port,
      );
      await eventually(() => peer.received.length >= 1, 'the 200 at the source port');
      const event = server.events[before];
      assert.ok(event?.type === 'request');
      const via = getTopVia(event.request);
      assert.equal(via?.received, '127.0.0.1');
      assert.equal(via?.rport, peer.port);
      const res = peer.received[0] as SipResponse;
      assert.equal(res.status, 200);
      assert.match(res.headers.get('Via') ?? '', new RegExp(`;rport=${peer.port}`));
      assert.match(res.headers.get('Via') ?? '', /;received=127\.0\.0\.1/);
    } finally {
      await peer.close();
    }
  });
});
