import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { dbm0ToPeak, meanSquareToDbm0 } from '../../../../src/media/codec/level.js';
import { ToneGenerator, dtmfTone, testTone } from '../../../../src/media/source/tone.js';

function meanSquare(pcm: Int16Array): number {
  let sum = 0;
  for (const x of pcm) sum += x * x;
  return sum / pcm.length;
}

/** Zero crossings per second → frequency. */
function frequencyOf(pcm: Int16Array, sampleRate = 8000): number {
  let crossings = 0;
  for (let i = 1; i < pcm.length; i++) if ((pcm[i - 1]! < 0) !== (pcm[i]! < 0)) crossings++;
  return (crossings / 2) * (sampleRate / pcm.length);
}

describe('dBm0 levels', () => {
  it('puts +3.17 dBm0 at the µ-law overload point and converts both ways', () => {
    assert.ok(Math.abs(dbm0ToPeak(3.17) - 32636) < 1e-6);
    assert.ok(Math.abs(dbm0ToPeak(0) - 22652) < 5);
    for (const level of [-40, -10, 0, 3]) {
      const peak = dbm0ToPeak(level);
      assert.ok(Math.abs(meanSquareToDbm0((peak * peak) / 2) - level) < 1e-9);
    }
  });
});

describe('ToneGenerator', () => {
  it('makes a 1 kHz test tone at the requested level', () => {
    const pcm = new Int16Array(8000);
    testTone().fill(pcm);
    assert.ok(Math.abs(frequencyOf(pcm) - 1000) <= 1);
    assert.ok(Math.abs(meanSquareToDbm0(meanSquare(pcm)) - -10) < 0.05);
    const peak = Math.max(...pcm.map(Math.abs));
    assert.ok(Math.abs(peak - dbm0ToPeak(-10)) <= 1);
  });

  it('joins frames without a discontinuity, whatever their sizes (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 50, max: 3900 }),
        (sizes, frequency) => {
          const total = sizes.reduce((a, b) => a + b, 0);
          const whole = new Int16Array(total);
          new ToneGenerator({ frequencies: [frequency, 1209] }).fill(whole);
          const pieces = new Int16Array(total);
          const generator = new ToneGenerator({ frequencies: [frequency, 1209] });
          let offset = 0;
          for (const size of sizes) {
            generator.fill(pieces, size, offset);
            offset += size;
          }
          for (let i = 0; i < total; i++) if (Math.abs(whole[i]! - pieces[i]!) > 1) return false;
          return true;
        },
      ),
      { numRuns: 100 },
    );
  });

  it('keeps its amplitude over a minute of 20 ms frames', () => {
    const generator = testTone(1004, -3);
    const frame = new Int16Array(160);
    let peak = 0;
    for (let i = 0; i < 3000; i++) {
      generator.fill(frame);
      if (i >= 2990) for (const x of frame) peak = Math.max(peak, Math.abs(x));
    }
    assert.ok(Math.abs(peak - dbm0ToPeak(-3)) < 300, `peak ${peak}`);
  });

  it('makes DTMF digits as two tones at the given level and twist', () => {
    const gen = dtmfTone('1', -10, -2);
    assert.equal(gen.describe(), 'tone(697+1209Hz,-10/-12dBm0)');
    assert.deepEqual(gen.frequencies, [697, 1209]);
    const pcm = new Int16Array(8000);
    dtmfTone('#', -7).fill(pcm);
    // two tones at -7 dBm0 each: total mean square is the sum of both
    assert.ok(Math.abs(meanSquareToDbm0(meanSquare(pcm)) - (-7 + 10 * Math.log10(2))) < 0.05);
    assert.equal(testTone().describe(), 'tone(1000Hz,-10dBm0)');
  });

  it('saturates instead of wrapping, and refuses impossible frequencies', () => {
    const pcm = new Int16Array(800);
    new ToneGenerator({ frequencies: [500, 600], levelDbm0: 3 }).fill(pcm);
    assert.equal(Math.max(...pcm), 32767);
    assert.equal(Math.min(...pcm), -32768);
    assert.throws(() => new ToneGenerator({ frequencies: [4000] }), RangeError);
    assert.throws(() => new ToneGenerator({ frequencies: [0] }), RangeError);
    assert.throws(() => testTone().fill(new Int16Array(10), 11), RangeError);
  });

  it('restarts at phase zero after reset', () => {
    const generator = testTone();
    const a = new Int16Array(37);
    const b = new Int16Array(37);
    generator.fill(a);
    generator.reset();
    generator.fill(b);
    assert.deepEqual(a, b);
    assert.equal(a[0], 0);
  });
});
