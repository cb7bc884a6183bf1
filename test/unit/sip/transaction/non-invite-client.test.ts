import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SipResponse } from '../../../../src/sip/message/index.js';
import { NonInviteClientTransaction } from '../../../../src/sip/transaction/non-invite-client.js';
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
  const request = makeRequest({ method: 'OPTIONS', transport: protocol });
  const responses: SipResponse[] = [];
  const errors: ClientTransactionError[] = [];
  let terminated = 0;
  const tx = new NonInviteClientTransaction(
    request,
    { clock, reliable: protocol !== 'UDP', send: transport.sendTo({ host: '127.0.0.2', port: 5062, transport: protocol }) },
    { response: (r) => responses.push(r), error: (e) => errors.push(e), terminated: () => terminated++ },
  );
  tx.start();
  return { clock, transport, request, tx, responses, errors, terminated: () => terminated };
}

describe('non-INVITE client transaction', () => {
  it('sends the request when started and stays in trying', () => {
    const { tx, transport } = setup();
    assert.equal(tx.state, 'trying');
    assert.deepEqual(transport.summary(), ['OPTIONS']);
  });

  it('Timer E: retransmits at 500, 1000, 2000, 4000, 4000… ms intervals (capped at T2) until Timer F', async () => {
    const { clock, transport, tx, errors } = setup();
    clock.advance(31_999);
    assert.deepEqual(
      transport.times('OPTIONS'),
      [0, 500, 1500, 3500, 7500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500],
    );
    assert.equal(tx.state, 'trying');
    clock.advance(1);
    assert.equal(tx.state, 'terminated');
    assert.equal(errors.length, 1);
    await assert.rejects(tx.final, (err: unknown) => err instanceof TransactionTimeoutError && err.timer === 'F');
    assert.equal(clock.pending, 0);
  });

  it('Timer F fires at 32 s also on TCP, and nothing is retransmitted there', async () => {
    const { clock, transport, tx } = setup('TCP');
    clock.advance(31_999);
    assert.deepEqual(transport.times('OPTIONS'), [0]);
    assert.equal(tx.state, 'trying');
    clock.advance(1);
    assert.equal(tx.state, 'terminated');
    await assert.rejects(tx.final, TransactionTimeoutError);
  });

  it('in proceeding, Timer E retransmits every T2', () => {
    const { clock, transport, tx, request, responses } = setup();
    clock.advance(100);
    tx.handle({ type: 'response', response: makeResponse(request, 100) });
    assert.equal(tx.state, 'proceeding');
    assert.equal(responses.length, 1);
    clock.advance(12_400); // t = 12500
    assert.deepEqual(transport.times('OPTIONS'), [0, 500, 4500, 8500, 12_500]);
  });

  it('a final response completes it; Timer K (T4) then terminates it, retransmitted finals absorbed', async () => {
    const { clock, transport, tx, request, responses, terminated } = setup();
    clock.advance(200);
    const ok = makeResponse(request, 200);
    tx.handle({ type: 'response', response: ok });
    assert.equal(tx.state, 'completed');
    assert.equal(await tx.final, ok);
    tx.handle({ type: 'response', response: ok });
    assert.equal(responses.length, 1, 'retransmission not passed up');
    clock.advance(10_000);
    assert.deepEqual(transport.times('OPTIONS'), [0], 'no retransmission after the final');
    assert.equal(tx.state, 'terminated');
    assert.equal(terminated(), 1);
  });

  it('Timer K is exactly T4 on UDP', () => {
    const { clock, tx, request } = setup();
    tx.handle({ type: 'response', response: makeResponse(request, 404) });
    clock.advance(4_999);
    assert.equal(tx.state, 'completed');
    clock.advance(1);
    assert.equal(tx.state, 'terminated');
  });

  it('Timer K is zero on TCP: terminated as soon as the final arrives', async () => {
    const { clock, tx, request } = setup('TCP');
    tx.handle({ type: 'response', response: makeResponse(request, 200) });
    assert.equal(tx.state, 'terminated');
    assert.equal((await tx.final).status, 200);
    assert.equal(clock.pending, 0);
  });

  it('a transport error terminates it with TransportError', async () => {
    const clock = new VirtualClock();
    const errors: ClientTransactionError[] = [];
    // Fault injection: a send that always fails.
    const failingSend = () => Promise.reject(new TransportError('send-failed', 'EHOSTUNREACH'));
    const tx = new NonInviteClientTransaction(
      makeRequest(),
      { clock, reliable: false, send: failingSend },
      { error: (e) => errors.push(e) },
    );
    tx.start();
    await assert.rejects(tx.final, TransportError);
    assert.equal(tx.state, 'terminated');
    assert.equal(errors.length, 1);
    assert.equal(clock.pending, 0);
  });

  it('terminate() rejects the final with TransactionTerminatedError', async () => {
    const { tx, clock } = setup();
    tx.terminate();
    assert.equal(tx.state, 'terminated');
    await assert.rejects(tx.final, TransactionTerminatedError);
    assert.equal(clock.pending, 0);
  });

  it('uses the T1/T2 it is given', () => {
    const clock = new VirtualClock();
    const transport = new RecordingTransport({ clock });
    const tx = new NonInviteClientTransaction(makeRequest(), {
      clock,
      reliable: false,
      timers: { t1: 100, t2: 400 },
      send: transport.sendTo({ host: '127.0.0.2', port: 5062, transport: 'UDP' }),
    });
    tx.start();
    clock.advance(6_400);
    assert.deepEqual(transport.times('OPTIONS'), [0, 100, 300, 700, 1100, 1500, 1900, 2300, 2700, 3100, 3500, 3900, 4300, 4700, 5100, 5500, 5900, 6300]);
    assert.equal(tx.state, 'terminated');
  });
});
