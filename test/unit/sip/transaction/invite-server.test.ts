import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getTo, type SipRequest } from '../../../../src/sip/message/index.js';
import { InviteServerTransaction } from '../../../../src/sip/transaction/invite-server.js';
import { buildNon2xxAck } from '../../../../src/sip/transaction/derived-requests.js';
import { TransactionTerminatedError, TransactionTimeoutError } from '../../../../src/sip/transaction/errors.js';
import type { ServerTransactionError } from '../../../../src/sip/transaction/types.js';
import type { TransportProtocol } from '../../../../src/sip/transport/types.js';
import { VirtualClock } from '../../../support/virtual-clock.js';
import { RecordingTransport } from '../../../support/recording-transport.js';
import { makeRequest } from '../../../support/sip-builders.js';

function setup(protocol: TransportProtocol = 'UDP', autoTrying: number | false = false) {
  const clock = new VirtualClock();
  const transport = new RecordingTransport({ clock, protocol });
  const request = makeRequest({ method: 'INVITE', transport: protocol });
  const acks: SipRequest[] = [];
  const tx = new InviteServerTransaction(request, {
    clock,
    reliable: protocol !== 'UDP',
    send: transport.sendTo({ host: '127.0.0.2', port: 5062, transport: protocol }),
    autoTrying,
    passAck: (a) => acks.push(a),
  });
  const errors: ServerTransactionError[] = [];
  const cancels: SipRequest[] = [];
  tx.setUser({ error: (e) => errors.push(e), cancelled: (c) => cancels.push(c) });
  return { clock, transport, request, tx, acks, errors, cancels };
}

describe('INVITE server transaction', () => {
  it('sends 100 Trying after 200 ms when the TU is silent', () => {
    const { clock, transport } = setup('UDP', 200);
    clock.advance(199);
    assert.deepEqual(transport.summary(), []);
    clock.advance(1);
    assert.deepEqual(transport.summary(), ['100']);
  });

  it('sends no 100 Trying when the TU answered within 200 ms', () => {
    const { clock, transport, tx } = setup('UDP', 200);
    clock.advance(50);
    tx.reply(180);
    clock.advance(1_000);
    assert.deepEqual(transport.summary(), ['180']);
  });

  it('resends the last provisional when the INVITE is retransmitted', () => {
    const { transport, tx, request } = setup();
    tx.handle({ type: 'request', request }); // nothing to resend yet
    tx.reply(180);
    tx.handle({ type: 'request', request });
    assert.deepEqual(transport.summary(), ['180', '180']);
  });

  it('Timer G retransmits a non-2xx final at 500, 1000, 2000, 4000, 4000… ms; Timer H gives up at 32 s', () => {
    const { clock, transport, tx, errors } = setup();
    tx.reply(486);
    assert.equal(tx.state, 'completed');
    clock.advance(31_999);
    assert.deepEqual(
      transport.times('486'),
      [0, 500, 1500, 3500, 7500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500],
    );
    clock.advance(1);
    assert.equal(tx.state, 'terminated');
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof TransactionTimeoutError && errors[0].timer === 'H');
  });

  it('on TCP, no Timer G: the final is sent once; Timer H still runs', () => {
    const { clock, transport, tx } = setup('TCP');
    tx.reply(480);
    clock.advance(31_999);
    assert.deepEqual(transport.summary(), ['480']);
    clock.advance(1);
    assert.equal(tx.state, 'terminated');
  });

  it('resends the final when the INVITE is retransmitted in completed', () => {
    const { transport, tx, request } = setup('TCP');
    tx.reply(404);
    tx.handle({ type: 'request', request });
    assert.deepEqual(transport.summary(), ['404', '404']);
  });

  it('the ACK stops Timer G and confirms it; Timer I (T4) ends it; ACKs absorbed', () => {
    const { clock, transport, tx, request, acks } = setup();
    const busy = tx.reply(486);
    clock.advance(600); // one retransmission at 500
    const ack = buildNon2xxAck(request, busy);
    tx.handle({ type: 'ack', request: ack });
    assert.equal(tx.state, 'confirmed');
    tx.handle({ type: 'ack', request: ack });
    tx.handle({ type: 'request', request });
    clock.advance(4_999);
    assert.equal(tx.state, 'confirmed');
    clock.advance(1);
    assert.equal(tx.state, 'terminated');
    assert.deepEqual(transport.times('486'), [0, 500]);
    assert.equal(acks.length, 0, 'the ACK for a non-2xx stays in the transaction');
  });

  it('Timer I is zero on TCP', () => {
    const { tx, request } = setup('TCP');
    const res = tx.reply(486);
    tx.handle({ type: 'ack', request: buildNon2xxAck(request, res) });
    assert.equal(tx.state, 'terminated');
  });

  it('a 2xx moves it to accepted (RFC 6026): INVITE absorbed, ACK passed up, TU 2xx sent, Timer L ends it', () => {
    const { clock, transport, tx, request, acks } = setup();
    const ok = tx.reply(200);
    assert.equal(tx.state, 'accepted');
    clock.advance(10_000);
    assert.deepEqual(transport.summary(), ['200'], 'the transaction does not retransmit the 2xx');
    tx.handle({ type: 'request', request });
    assert.deepEqual(transport.summary(), ['200'], 'retransmitted INVITE absorbed');
    tx.respond(ok);
    assert.deepEqual(transport.summary(), ['200', '200'], 'the TU’s retransmission passes');
    assert.throws(() => tx.reply(486), TransactionTerminatedError);
    tx.handle({ type: 'ack', request: makeRequest({ method: 'ACK' }) });
    assert.equal(acks.length, 1);
    clock.advance(21_999); // 32 s after the 2xx
    assert.equal(tx.state, 'accepted');
    clock.advance(1);
    assert.equal(tx.state, 'terminated');
  });

  it('a CANCEL in proceeding answers 487 with the tag of the earlier provisional and tells the TU', () => {
    const { transport, tx, cancels } = setup();
    const ringing = tx.reply(180);
    tx.handle({ type: 'cancel', request: makeRequest({ method: 'CANCEL' }) });
    assert.deepEqual(transport.summary(), ['180', '487']);
    const res487 = transport.sent[1]?.message;
    assert.ok(res487?.kind === 'response');
    assert.equal(getTo(res487)?.tag, getTo(ringing)?.tag);
    assert.equal(tx.state, 'completed');
    assert.equal(cancels.length, 1);
  });

  it('a CANCEL after the final changes nothing', () => {
    const { transport, tx, cancels } = setup();
    tx.reply(200);
    tx.handle({ type: 'cancel', request: makeRequest({ method: 'CANCEL' }) });
    assert.deepEqual(transport.summary(), ['200']);
    assert.equal(cancels.length, 0);
  });

  it('reply() keeps one To tag across responses', () => {
    const { tx } = setup();
    const r1 = tx.reply(180);
    const r2 = tx.reply(183);
    const r3 = tx.reply(200);
    assert.ok(getTo(r1)?.tag);
    assert.equal(getTo(r2)?.tag, getTo(r1)?.tag);
    assert.equal(getTo(r3)?.tag, getTo(r1)?.tag);
  });
});
