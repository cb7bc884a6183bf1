import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { retransmit2xx } from '../../../../src/sip/transaction/retransmit-2xx.js';
import { VirtualClock } from '../../../support/virtual-clock.js';

describe('retransmit2xx', () => {
  it('resends at T1, doubling to T2, and gives up at 64*T1', () => {
    const clock = new VirtualClock();
    const sends: number[] = [];
    let gaveUp = -1;
    const r = retransmit2xx({ clock, send: () => void sends.push(clock.now()), giveUp: () => (gaveUp = clock.now()) });
    clock.advance(40_000);
    assert.deepEqual(sends, [500, 1500, 3500, 7500, 11_500, 15_500, 19_500, 23_500, 27_500, 31_500]);
    assert.equal(gaveUp, 32_000);
    assert.equal(r.active, false);
    assert.equal(r.count, 10);
  });

  it('stops on ACK', () => {
    const clock = new VirtualClock();
    let sends = 0;
    let gaveUp = false;
    const r = retransmit2xx({ clock, send: () => void sends++, giveUp: () => (gaveUp = true) });
    clock.advance(2_000);
    r.stop();
    clock.advance(60_000);
    assert.equal(sends, 2);
    assert.equal(gaveUp, false);
    assert.equal(clock.pending, 0);
  });

  it('reliable: no retransmission, still gives up at 64*T1', () => {
    const clock = new VirtualClock();
    let sends = 0;
    let gaveUp = 0;
    retransmit2xx({ clock, reliable: true, send: () => void sends++, giveUp: () => (gaveUp = clock.now()) });
    clock.advance(40_000);
    assert.equal(sends, 0);
    assert.equal(gaveUp, 32_000);
  });

  it('a failing send stops the schedule and is reported', () => {
    const clock = new VirtualClock();
    const errors: unknown[] = [];
    const r = retransmit2xx({
      clock,
      send: () => {
        throw new Error('transaction gone');
      },
      error: (e) => errors.push(e),
    });
    clock.advance(40_000);
    assert.equal(errors.length, 1);
    assert.equal(r.active, false);
  });
});
