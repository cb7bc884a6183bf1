import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DigitMerger } from '../../../../src/media/worker/digits.js';
import { InbandDtmfSender } from '../../../../src/media/worker/inband-dtmf.js';
import { GoertzelDetector } from '../../../../src/media/dtmf/goertzel.js';
import type { DtmfDigit } from '../../../../src/media/dtmf/digit.js';
import type { DigitSource } from '../../../../src/media/protocol.js';

describe('DigitMerger', () => {
  function merger(): { m: DigitMerger; out: string[] } {
    const out: string[] = [];
    return { out, m: new DigitMerger((d, s) => out.push(`${d}:${s}`), 500) };
  }

  it('reports a press signalled two ways once', () => {
    const { m, out } = merger();
    assert.equal(m.push('5', 'info', 100, 1000), true);
    assert.equal(m.push('5', 'rfc4733', 100, 1120), false);
    assert.deepEqual(out, ['5:info']);
    assert.equal(m.merged, 1);
  });

  it('keeps repeated presses from one source, and different digits', () => {
    const { m, out } = merger();
    const presses: [DtmfDigit, DigitSource, number][] = [
      ['1', 'rfc4733', 0],
      ['1', 'rfc4733', 200],
      ['2', 'info', 250],
      ['1', 'rfc4733', 300],
    ];
    for (const [d, s, t] of presses) m.push(d, s, 100, t);
    assert.deepEqual(out, ['1:rfc4733', '1:rfc4733', '2:info', '1:rfc4733']);
  });

  it('takes the same digit from another source as a new press after the window', () => {
    const { m, out } = merger();
    m.push('9', 'rfc4733', 100, 0);
    m.push('9', 'info', 100, 601);
    assert.deepEqual(out, ['9:rfc4733', '9:info']);
  });
});

describe('InbandDtmfSender', () => {
  it('writes tones the Goertzel detector reads back, digit by digit', () => {
    const sender = new InbandDtmfSender();
    const heard: string[] = [];
    const detector = new GoertzelDetector({ onDigit: (e) => heard.push(e.digit) });
    sender.send('0123456789*#ABCD', 60, 60);
    const frame = new Int16Array(160);
    let ticks = 0;
    while (sender.fill(frame)) {
      detector.process(frame);
      ticks++;
    }
    for (let i = 0; i < 10; i++) {
      frame.fill(0);
      detector.process(frame);
    }
    assert.equal(heard.join(''), '0123456789*#ABCD');
    assert.equal(ticks, 16 * 6); // 120 ms per digit
    assert.equal(sender.busy, false);
  });

  it('refuses non-digits; clear stops at once', () => {
    const sender = new InbandDtmfSender();
    assert.throws(() => sender.send('1w2'), RangeError);
    sender.send('123');
    sender.clear();
    assert.equal(sender.fill(new Int16Array(160)), false);
  });
});
