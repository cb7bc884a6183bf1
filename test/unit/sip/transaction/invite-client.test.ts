import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getCSeq, getTo, getVias, type SipResponse } from '../../../../src/sip/message/index.js';
import { InviteClientTransaction } from '../../../../src/sip/transaction/invite-client.js';
import {
  TransactionTerminatedError,
  TransactionTimeoutError,
  TransportError,
} from '../../../../src/sip/transaction/errors.js';
import type { ClientTransactionError } from '../../../../src/sip/transaction/types.js';
import type { TransportProtocol } from '../../../../src/sip/transport/types.js';
import { VirtualClock } from '../../../support/virtual-clock.js';
import { RecordingTransport } from '../../../support/recording-transport.js';
import { makeRequest, makeResponse } from '../../../support/sip-builders.js';

function setup(protocol: TransportProtocol = 'UDP') {
  const clock = new VirtualClock();
  const transport = new RecordingTransport({ clock, protocol });
  const request = makeRequest({
    method: 'INVITE',
    transport: protocol,
    extraHeaders: [['Route', '<sip:proxy.example.com;lr>']],
  });
  const responses: SipResponse[] = [];
  const errors: ClientTransactionError[] = [];
  const tx = new InviteClientTransaction(
    request,
    { clock, reliable: protocol !== 'UDP', send: transport.sendTo({ host: '127.0.0.2', port: 5062, transport: protocol }) },
    { response: (r) => responses.push(r), error: (e) => errors.push(e) },
  );
  tx.start();
  return { clock, transport, request, tx, responses, errors };
}

describe('INVITE client transaction', () => {
  it('Timer A: retransmits at 500, 1000, 2000… ms intervals (doubling, no cap); Timer B ends it at 32 s', async () => {
    const { clock, transport, tx, errors } = setup();
    clock.advance(31_999);
    assert.deepEqual(transport.times('INVITE'), [0, 500, 1500, 3500, 7500, 15_500, 31_500]);
    assert.equal(tx.state, 'calling');
    clock.advance(1);
    assert.equal(tx.state, 'terminated');
    assert.equal(errors.length, 1);
    await assert.rejects(tx.final, (e: unknown) => e instanceof TransactionTimeoutError && e.timer === 'B');
    assert.equal(clock.pending, 0);
  });

  it('Timer B fires at 32 s on TCP too, with no retransmissions', async () => {
    const { clock, transport, tx } = setup('TCP');
    clock.advance(32_000);
    assert.deepEqual(transport.times('INVITE'), [0]);
    await assert.rejects(tx.final, TransactionTimeoutError);
  });

  it('a provisional stops Timers A and B: proceeding waits for the final without a timeout', () => {
    const { clock, transport, tx, request, responses } = setup();
    clock.advance(700); // one retransmission at 500
    tx.handle({ type: 'response', response: makeResponse(request, 180) });
    assert.equal(tx.state, 'proceeding');
    clock.advance(120_000);
    assert.equal(tx.state, 'proceeding');
    assert.deepEqual(transport.times('INVITE'), [0, 500]);
    assert.equal(responses.length, 1);
  });

  it('ACKs a non-2xx final itself, re-ACKs its retransmissions, and Timer D (32 s) ends it', async () => {
    const { clock, transport, tx, request, responses } = setup();
    tx.handle({ type: 'response', response: makeResponse(request, 180) });
    clock.advance(1_000);
    const busy = makeResponse(request, 486);
    tx.handle({ type: 'response', response: busy });
    assert.equal(tx.state, 'completed');
    assert.equal(await tx.final, busy);
    assert.deepEqual(transport.summary(), ['INVITE', 'ACK']);

    const ack = transport.sent[1]?.message;
    assert.ok(ack !== undefined && ack.kind === 'request');
    assert.equal(ack.uri, request.uri);
    assert.equal(ack.headers.get('Call-ID'), request.headers.get('Call-ID'));
    assert.equal(ack.headers.get('From'), request.headers.get('From'));
    assert.equal(getTo(ack)?.tag, 'to-tag', 'To from the response, with its tag');
    assert.deepEqual(getCSeq(ack), { seq: 1, method: 'ACK' });
    assert.equal(getVias(ack)?.length, 1);
    assert.equal(getVias(ack)?.[0]?.branch, getVias(request)?.[0]?.branch, 'same branch as the INVITE');
    assert.equal(ack.headers.get('Route'), '<sip:proxy.example.com;lr>');
    assert.equal(ack.headers.get('Max-Forwards'), '70');

    clock.advance(2_000);
    tx.handle({ type: 'response', response: busy });
    assert.deepEqual(transport.summary(), ['INVITE', 'ACK', 'ACK']);
    assert.equal(responses.length, 2, 'the retransmitted 486 is not passed up');

    clock.advance(29_999); // 32 s after the 486
    assert.equal(tx.state, 'completed');
    clock.advance(1);
    assert.equal(tx.state, 'terminated');
  });

  it('Timer D is zero on TCP', () => {
    const { tx, request, transport } = setup('TCP');
    tx.handle({ type: 'response', response: makeResponse(request, 603) });
    assert.equal(tx.state, 'terminated');
    assert.deepEqual(transport.summary(), ['INVITE', 'ACK']);
  });

  it('a 2xx moves it to accepted (RFC 6026): further 2xx go up, no ACK from the transaction, Timer M ends it', async () => {
    const { clock, transport, tx, request, responses } = setup();
    const ok = makeResponse(request, 200);
    tx.handle({ type: 'response', response: ok });
    assert.equal(tx.state, 'accepted');
    assert.equal(await tx.final, ok);
    tx.handle({ type: 'response', response: ok });
    tx.handle({ type: 'response', response: makeResponse(request, 200, { toTag: 'fork-2' }) });
    tx.handle({ type: 'response', response: makeResponse(request, 180) });
    assert.deepEqual(responses.map((r) => r.status), [200, 200, 200]);
    assert.deepEqual(transport.summary(), ['INVITE'], 'the 2xx ACK is the TU’s');
    clock.advance(31_999);
    assert.equal(tx.state, 'accepted');
    clock.advance(1);
    assert.equal(tx.state, 'terminated');
  });

  it('gives up 64*T1 after a CANCEL with no final response (RFC 3261 §9.1)', async () => {
    const { clock, tx, request } = setup();
    tx.handle({ type: 'response', response: makeResponse(request, 180) });
    tx.handle({ type: 'cancel-sent' });
    clock.advance(32_000);
    assert.equal(tx.state, 'terminated');
    await assert.rejects(tx.final, (e: unknown) => e instanceof TransactionTimeoutError && e.timer === 'cancel');
  });

  it('a transport error terminates it', async () => {
    const clock = new VirtualClock();
    // Fault injection: a send that always fails.
    const failingSend = () => Promise.reject(new TransportError('connect-failed', 'ECONNREFUSED'));
    const tx = new InviteClientTransaction(makeRequest({ method: 'INVITE' }), { clock, reliable: true, send: failingSend });
    tx.start();
    await assert.rejects(tx.final, TransportError);
    assert.equal(tx.state, 'terminated');
  });

  it('terminate() rejects a pending final with TransactionTerminatedError', async () => {
    const { tx, clock } = setup();
    tx.terminate();
    await assert.rejects(tx.final, TransactionTerminatedError);
    assert.equal(clock.pending, 0);
  });
});
