import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  FRAME_SAMPLES,
  concatPcm,
  floatToInt16,
  frameAt,
  frameCount,
  frames,
  pcmDurationMs,
  pcmRms,
  samplesForMs,
  sharePcm,
  silencePcm,
} from '../../../../src/media/audio/pcm.js';

describe('Pcm8k helpers', () => {
  it('measures duration and makes silence', () => {
    assert.equal(pcmDurationMs(new Int16Array(8000)), 1000);
    assert.equal(pcmDurationMs(new Int16Array(4)), 0.5);
    assert.equal(samplesForMs(20), 160);
    const quiet = silencePcm(250);
    assert.equal(quiet.length, 2000);
    assert.equal(pcmRms(quiet), 0);
  });

  it('concatenates in order', () => {
    const out = concatPcm([Int16Array.of(1, 2), new Int16Array(0), Int16Array.of(3)]);
    assert.deepEqual([...out], [1, 2, 3]);
  });

  it('cuts frames as views, the last one short', () => {
    const pcm = new Int16Array(FRAME_SAMPLES * 2 + 40).map((_, i) => i);
    assert.equal(frameCount(pcm), 3);
    const all = [...frames(pcm)];
    assert.deepEqual(all.map((f) => f.length), [160, 160, 40]);
    assert.equal(all[1]![0], 160);
    // Views, not copies: writing through a frame changes the buffer.
    frameAt(pcm, 2)[0] = -1;
    assert.equal(pcm[320], -1);
    assert.equal(all[0]!.buffer, pcm.buffer);
    assert.throws(() => frameAt(pcm, 3), RangeError);
    assert.throws(() => frameAt(pcm, -1), RangeError);
    assert.equal(frameCount(new Int16Array(0)), 0);
  });

  it('moves PCM into shared memory once', () => {
    const pcm = Int16Array.of(1, 2, 3);
    const shared = sharePcm(pcm);
    assert.ok(shared.buffer instanceof SharedArrayBuffer);
    assert.deepEqual([...shared], [1, 2, 3]);
    assert.equal(sharePcm(shared), shared);
  });

  it('converts floats with rounding and saturation', () => {
    const dst = new Int16Array(5);
    floatToInt16(Float32Array.of(0, 0.5, -1, 1.5, -2), dst);
    assert.deepEqual([...dst], [0, 16384, -32768, 32767, -32768]);
    assert.throws(() => floatToInt16(new Float32Array(4), new Int16Array(3)), RangeError);
  });
});
