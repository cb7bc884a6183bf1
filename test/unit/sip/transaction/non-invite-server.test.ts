import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NonInviteServerTransaction } from '../../../../src/sip/transaction/non-invite-server.js';
import { TransactionTerminatedError, TransportError } from '../../../../src/sip/transaction/errors.js';
import type { ServerTransactionError } from '../../../../src/sip/transaction/types.js';
import type { TransportProtocol } from '../../../../src/sip/transport/types.js';
import { VirtualClock } from '../../../support/virtual-clock.js';
import { RecordingTransport } from '../../../support/recording-transport.js';
import { makeRequest } from '../../../support/sip-builders.js';

function setup(protocol: TransportProtocol = 'UDP') {
  const clock = new VirtualClock();
  const transport = new RecordingTransport({ clock, protocol });
  const request = makeRequest({ method: 'OPTIONS', transport: protocol });
  const tx = new NonInviteServerTransaction(request, {
    clock,
    reliable: protocol !== 'UDP',
    send: transport.sendTo({ host: '127.0.0.2', port: 5062, transport: protocol }),
  });
  let terminated = 0;
  tx.setUser({ terminated: () => terminated++ });
  return { clock, transport, request, tx, terminated: () => terminated };
}

describe('non-INVITE server transaction', () => {
  it('absorbs a retransmitted request in trying (nothing to resend yet)', () => {
    const { tx, transport, request } = setup();
    tx.handle({ type: 'request', request });
    assert.equal(tx.state, 'trying');
    assert.deepEqual(transport.summary(), []);
  });

  it('resends the last provisional when the request is retransmitted in proceeding', () => {
    const { tx, transport, request } = setup();
    tx.reply(100);
    assert.equal(tx.state, 'proceeding');
    tx.handle({ type: 'request', request });
    assert.deepEqual(transport.summary(), ['100', '100']);
  });

  it('resends the final when the request is retransmitted in completed; Timer J ends it at 64*T1', () => {
    const { tx, transport, request, clock, terminated } = setup();
    clock.advance(10);
    tx.reply(200);
    assert.equal(tx.state, 'completed');
    clock.advance(1_000);
    tx.handle({ type: 'request', request });
    assert.deepEqual(transport.times('200'), [10, 1010]);
    clock.advance(30_999); // t = 32009
    assert.equal(tx.state, 'completed');
    clock.advance(1);
    assert.equal(tx.state, 'terminated');
    assert.equal(terminated(), 1);
  });

  it('Timer J is zero on TCP', () => {
    const { tx, clock } = setup('TCP');
    tx.reply(200);
    assert.equal(tx.state, 'terminated');
    assert.equal(clock.pending, 0);
  });

  it('refuses a second final with TransactionTerminatedError', () => {
    const { tx } = setup();
    tx.reply(486);
    assert.throws(() => tx.reply(200), TransactionTerminatedError);
  });

  it('never retransmits a final on its own (only when the request comes again)', () => {
    const { tx, transport, clock } = setup();
    tx.reply(200);
    clock.advance(40_000);
    assert.deepEqual(transport.summary(), ['200']);
  });

  it('a transport error terminates it and tells the TU', async () => {
    const clock = new VirtualClock();
    // Fault injection: a send that always fails.
    const failingSend = () => Promise.reject(new TransportError('send-failed', 'ECONNRESET'));
    const tx = new NonInviteServerTransaction(makeRequest(), { clock, reliable: false, send: failingSend });
    const errors: ServerTransactionError[] = [];
    tx.setUser({ error: (e) => errors.push(e) });
    tx.reply(180);
    await new Promise((r) => setImmediate(r));
    assert.equal(tx.state, 'terminated');
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof TransportError);
  });
});
