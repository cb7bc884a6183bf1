import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPcm8kConverter, int16ToPcm8k, toPcm8k } from '../../../../src/media/audio/resample.js';
import { rms, toneShare } from './audio-kit.js';

function sine(rate: number, seconds: number, frequency: number, amplitude = 0.5): Float32Array {
  const out = new Float32Array(Math.round(rate * seconds));
  for (let i = 0; i < out.length; i++) out[i] = amplitude * Math.sin((2 * Math.PI * frequency * i) / rate);
  return out;
}

describe('resampling to 8 kHz', () => {
  for (const rate of [11025, 16000, 22050, 44100, 48000]) {
    it(`keeps a 1 kHz tone from ${rate} Hz, exact length, aligned in time`, async () => {
      const pcm = await toPcm8k([sine(rate, 1, 1000)], rate);
      assert.equal(pcm.length, 8000);
      assert.ok(toneShare(pcm, 1000, 8000, 200, 7800) > 0.99);
      // Level kept (0.5 of full scale → RMS 0.5/√2).
      assert.ok(Math.abs(rms(pcm, 200, 7800) - (0.5 * 32768) / Math.SQRT2) < 150);
      // No delay: the resampled sine matches the ideal one sample for sample.
      let error = 0;
      for (let i = 200; i < 7800; i++) error = Math.max(error, Math.abs(pcm[i]! - 16384 * Math.sin((2 * Math.PI * 1000 * i) / 8000)));
      assert.ok(error < 200, `max deviation ${error}`);
    });
  }

  it('rejects what would alias (a 6 kHz tone from 48 kHz is gone)', async () => {
    const pcm = await toPcm8k([sine(48000, 1, 6000)], 48000);
    assert.ok(rms(pcm, 200, 7800) < 16384 / 1000, `residual RMS ${rms(pcm, 200, 7800)}`);
  });

  it('averages channels to mono', async () => {
    const left = sine(16000, 0.5, 1000);
    const right = new Float32Array(left.length);
    const pcm = await toPcm8k([left, right], 16000);
    assert.ok(Math.abs(rms(pcm, 200, 3800) - (0.25 * 32768) / Math.SQRT2) < 100);
  });

  it('gives the same result fed in odd-sized pieces', async () => {
    const input = sine(44100, 1, 700);
    const whole = await toPcm8k([input], 44100);
    const converter = await createPcm8kConverter(44100);
    for (let at = 0; at < input.length; ) {
      const n = Math.min(input.length - at, 1 + ((at * 7919) % 9000));
      converter.push([input], at, n);
      at += n;
    }
    const pieces = converter.finish();
    assert.equal(pieces.length, whole.length);
    for (let i = 0; i < whole.length; i++) assert.ok(Math.abs(pieces[i]! - whole[i]!) <= 1);
  });

  it('passes 8 kHz through and converts Int16 input', async () => {
    const same = Int16Array.of(1, -2, 3);
    const copy = await int16ToPcm8k(same, 8000);
    assert.deepEqual([...copy], [1, -2, 3]);
    assert.notEqual(copy, same);
    const tone16k = new Int16Array(16000).map((_, i) => Math.round(10000 * Math.sin((2 * Math.PI * 1000 * i) / 16000)));
    const down = await int16ToPcm8k(tone16k, 16000);
    assert.equal(down.length, 8000);
    assert.ok(toneShare(down, 1000, 8000, 200, 7800) > 0.99);
  });

  it('checks its arguments and handles empty input', async () => {
    await assert.rejects(createPcm8kConverter(16000, { quality: 11 }), RangeError);
    await assert.rejects(createPcm8kConverter(10), RangeError);
    assert.equal((await toPcm8k([new Float32Array(0)], 44100)).length, 0);
    const converter = await createPcm8kConverter(16000);
    converter.finish();
    assert.throws(() => converter.push([new Float32Array(4)]));
  });
});
